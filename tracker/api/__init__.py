"""The read-only JSON API at /api/v1/: published data only."""
