"""Tracking runs no periodic task of its own: click retention is operations.tasks.retention_apply (README, Data
retention)."""
