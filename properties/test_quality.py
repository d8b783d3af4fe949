"""Quality: the drivers find known bugs, and find them short.

Each property is seen to fail on a client from the catalogue: a property no bad client
breaks would be unproven. These run the real drivers, with the ci budget.
"""

from __future__ import annotations

import pytest

from veosim import properties
from veosim.clients import resolve
from veosim.drivers.explore import ONE_DEVICE, explore
from veosim.drivers.machine import run_machine

pytestmark = pytest.mark.quality

CATCHES = {
    "list_detail_agree": "seed-prefix",
    "view_keeps_status": "detail-caches-cloud",
    "no_lost_update": "seed-prefix",
    "converges": "no-pull",
    "no_sync_loop": "tick-resync",
    "outage_fallback": "offline-raises",
    "delete_is_final": "resurrect",
    "never_raises": "offline-raises",
}
"""For each property, a catalogued client the state machine catches with it."""


def test_every_property_has_a_catching_client() -> None:
    """The table covers every ALWAYS property."""
    assert sorted(CATCHES) == sorted(properties.PROPERTY_NAMES)


@pytest.mark.parametrize("prop", sorted(CATCHES))
def test_the_machine_catches_a_bad_client_with_each_property(prop: str) -> None:
    """Checking only this property, the state machine catches its bad client."""
    spec = resolve(CATCHES[prop])
    report = run_machine(spec.factory, spec.name, checked=(prop,), profile="ci")
    assert report.counterexample is not None, f"{prop} did not catch {spec.name}"
    assert report.counterexample.violation.property == prop
    assert len(report.counterexample.steps) <= 6


def test_the_seed_bug_is_found_from_an_empty_world_in_at_most_4_steps() -> None:
    """From nothing at all, the machine finds the seed bug and shrinks it to <= 4 steps."""
    spec = resolve("seed-prefix")
    report = run_machine(
        spec.factory,
        spec.name,
        checked=("list_detail_agree", "view_keeps_status"),
        profile="ci",
        starts=("empty",),
    )
    found = report.counterexample
    assert found is not None
    assert found.violation.property in ("list_detail_agree", "view_keeps_status")
    assert len(found.steps) <= 4
    assert next(a.describe() for a in found.steps).startswith("start_job device=d")
    assert "the list shows" in found.violation.message


def test_the_seed_bug_state_is_caught_before_any_step() -> None:
    """From the bug report's state (local completed/3, cloud in_progress/1): 0 steps."""
    spec = resolve("seed-prefix")
    report = run_machine(spec.factory, spec.name, profile="ci", starts=("cloud-behind",))
    found = report.counterexample
    assert found is not None and found.steps == ()
    assert found.violation.message == (
        "d1 j1: the list shows completed/3@900 unsynced, "
        "the detail view shows in_progress/1@800 synced"
    )


@pytest.mark.parametrize(
    ("client", "prop", "steps"),
    [("unconditional-put", "no_lost_update", 4), ("stale-edit", "no_lost_update", 5)],
)
def test_the_explorer_catches_what_random_search_rarely_does(
    client: str, prop: str, steps: int
) -> None:
    """Bugs needing a precise 4-5 step sequence are found, shortest first, exhaustively."""
    spec = resolve(client)
    report = explore(spec.factory, spec.name, 5, ONE_DEVICE, ("empty",))
    found = {ce.violation.property: ce for ce in report.counterexamples}
    assert prop in found
    assert len(found[prop].steps) == steps


def test_the_reference_survives_the_same_exploration() -> None:
    """The exploration that catches those bugs finds nothing in the reference client."""
    spec = resolve("reference")
    report = explore(spec.factory, spec.name, 5, ONE_DEVICE, ("empty",))
    assert report.counterexamples == ()
    assert report.states == 17713
