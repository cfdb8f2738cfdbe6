"""Institutional memory: resolved cases become reviewed postmortems, and those become past incidents to search."""
