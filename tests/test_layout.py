"""The line between Dagster definitions and plain library code is visible in the file names."""

import pytest

from pipeline.definitions import defs

pytestmark = pytest.mark.unit

DEFINING = ("assets", "checks", "estimate_checks")


def _module(definition) -> str:
    return definition.op.compute_fn.decorated_fn.__module__


def test_assets_and_checks_are_defined_only_in_assets_and_checks_modules():
    graph = defs.resolve_asset_graph()
    modules = {_module(graph.get(key).assets_def) for key in graph.get_all_asset_keys()}
    modules |= {_module(c) for c in defs.asset_checks}
    assert {m.rsplit(".", 1)[-1] for m in modules} <= set(DEFINING), sorted(modules)
    assert {
        "assets.raw.assets",
        "assets.staging.assets",
        "assets.marts.assets",
        "assets.exports.assets",
        "assets.marts.estimate_checks",
    } <= modules
