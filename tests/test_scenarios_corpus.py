"""The regression corpus: every file in scenarios/ replayed against every built-in client.

Each file's own `[expect]` is about the reference client (it holds). This table says,
per file, which bad clients violate it and exactly which properties; a client not named
for a file must pass it too. A change in the model or a client that moves any of these
shows up here as a changed set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from veosim.clients import BUILT_IN, CATALOGUE
from veosim.drivers.replay import replay, verdict
from veosim.scenario import load

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

EXPECTED: dict[str, dict[str, frozenset[str]]] = {
    "bug-report.toml": {
        "seed-prefix": frozenset({"list_detail_agree", "no_lost_update"}),
        "detail-caches-cloud": frozenset({"no_lost_update", "view_keeps_status"}),
        "presence-badge": frozenset({"list_detail_agree"}),
        "offline-raises": frozenset({"never_raises"}),
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop", "view_keeps_status"}),
    },
    "detail-caches-cloud.toml": {
        "seed-prefix": frozenset({"list_detail_agree", "no_lost_update"}),
        "detail-caches-cloud": frozenset({"no_lost_update", "view_keeps_status"}),
        "presence-badge": frozenset({"list_detail_agree"}),
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop", "view_keeps_status"}),
    },
    "local-delete.toml": {
        "local-delete": frozenset({"converges"}),
    },
    "local-newer-than-cloud.toml": {
        "seed-prefix": frozenset({"list_detail_agree", "no_lost_update"}),
        "detail-caches-cloud": frozenset({"converges", "no_lost_update", "view_keeps_status"}),
        "presence-badge": frozenset({"list_detail_agree"}),
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop", "view_keeps_status"}),
        "tick-resync": frozenset({"no_sync_loop"}),
    },
    "modified-while-viewed.toml": {
        "no-pull": frozenset({"converges"}),
        "tick-resync": frozenset({"no_sync_loop"}),
    },
    "no-pull.toml": {
        "no-pull": frozenset({"converges"}),
        "tick-resync": frozenset({"no_sync_loop"}),
    },
    "offline-drop.toml": {
        "offline-raises": frozenset({"never_raises", "outage_fallback"}),
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop"}),
        "tick-resync": frozenset({"no_sync_loop"}),
        "offline-drop": frozenset({"converges"}),
    },
    "offline-raises.toml": {
        "offline-raises": frozenset({"never_raises", "outage_fallback"}),
    },
    "presence-badge.toml": {
        "seed-prefix": frozenset({"list_detail_agree", "no_lost_update"}),
        "detail-caches-cloud": frozenset({"no_lost_update", "view_keeps_status"}),
        "presence-badge": frozenset({"list_detail_agree"}),
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop", "view_keeps_status"}),
    },
    "rank-only.toml": {
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop"}),
        "no-pull": frozenset({"converges"}),
        "tick-resync": frozenset({"no_sync_loop"}),
        "rank-only": frozenset({"converges", "list_detail_agree", "no_lost_update"}),
    },
    "resurrect.toml": {
        "resurrect": frozenset({"delete_is_final", "list_detail_agree", "view_keeps_status"}),
    },
    "seed-prefix.toml": {
        "seed-prefix": frozenset({"list_detail_agree", "no_lost_update"}),
        "detail-caches-cloud": frozenset({"no_lost_update", "view_keeps_status"}),
        "presence-badge": frozenset({"list_detail_agree"}),
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop", "view_keeps_status"}),
    },
    "stale-edit.toml": {
        "offline-raises": frozenset({"never_raises", "outage_fallback"}),
        "stale-edit": frozenset({"no_lost_update"}),
    },
    "sync-on-open.toml": {
        "seed-prefix": frozenset({"list_detail_agree", "no_lost_update"}),
        "detail-caches-cloud": frozenset({"no_lost_update", "view_keeps_status"}),
        "presence-badge": frozenset({"list_detail_agree"}),
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop", "view_keeps_status"}),
    },
    "tick-resync.toml": {
        "tick-resync": frozenset({"no_sync_loop"}),
    },
    "unconditional-put.toml": {
        "seed-prefix": frozenset({"list_detail_agree"}),
        "presence-badge": frozenset({"list_detail_agree"}),
        "offline-raises": frozenset({"never_raises"}),
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop"}),
        "unconditional-put": frozenset({"no_lost_update"}),
    },
    "unreliable-network.toml": {
        "seed-prefix": frozenset({"list_detail_agree"}),
        "presence-badge": frozenset({"list_detail_agree"}),
        "offline-raises": frozenset({"never_raises", "outage_fallback"}),
        "sync-on-open": frozenset({"list_detail_agree", "no_sync_loop"}),
        "tick-resync": frozenset({"no_sync_loop"}),
        "offline-drop": frozenset({"converges"}),
    },
}

REPORT_FILES = (
    "bug-report.toml",
    "unreliable-network.toml",
    "local-newer-than-cloud.toml",
    "modified-while-viewed.toml",
)


def test_the_table_covers_exactly_the_corpus() -> None:
    """Every scenario file has a row in the table and every row has a file."""
    assert sorted(EXPECTED) == sorted(path.name for path in SCENARIOS.glob("*.toml"))


def test_every_catalogued_client_has_its_own_scenario() -> None:
    """Each bad client of the catalogue has a file named after it that it violates."""
    for spec in CATALOGUE:
        assert EXPECTED[f"{spec.name}.toml"][spec.name], spec.name


def test_the_bug_report_files_are_there() -> None:
    """The bug report's own test and its related issues are in the corpus."""
    assert set(REPORT_FILES) <= set(EXPECTED)
    assert EXPECTED["bug-report.toml"]["seed-prefix"] >= {"list_detail_agree"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_holds_for_reference_as_it_says(name: str) -> None:
    """A corpus file says `holds = true` and the reference client bears it out."""
    scenario = load(SCENARIOS / name)
    assert scenario.expect.holds
    trace = replay(scenario, BUILT_IN["reference"].factory)
    assert verdict(trace, scenario.expect).as_expected
    assert trace.violated() == ()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_client_violates_exactly_the_listed_properties(name: str) -> None:
    """Every built-in client violates exactly the properties the table lists for it."""
    scenario = load(SCENARIOS / name)
    found = {
        client: frozenset(replay(scenario, spec.factory).violated())
        for client, spec in BUILT_IN.items()
    }
    expected = {client: EXPECTED[name].get(client, frozenset()) for client in BUILT_IN}
    assert found == expected
