"""Hypothesis settings shared by the property tests."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def reproducible(max_examples: int) -> settings:
    """`max_examples` derandomized examples, no deadline, no example database."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
