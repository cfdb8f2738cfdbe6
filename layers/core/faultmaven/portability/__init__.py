"""Moving data between deployments: export/import bundles, and backup/restore of the embedded data dir."""
