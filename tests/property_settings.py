"""The hypothesis settings every property test uses: examples derandomized (each one is
reproducible from its drawn seed), no example database, no deadline."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def property_settings(max_examples: int) -> settings:
    """Return the property tests' settings with ``max_examples`` examples."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
