"""Aggregates over episodes for the county board: no identities, small cells suppressed."""
