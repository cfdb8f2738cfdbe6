"""Organizations, teams, shared cases and their audit trail."""
