"""PostgreSQL: the pool, the embedded server, migrations and the per-request session."""
