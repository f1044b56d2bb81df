"""How the tests that send generated operations run hypothesis: the same operations every
run (CI fails only on a real change), no example database, no deadline or health checks
(each example is a round trip to a real hub)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def fixed(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
