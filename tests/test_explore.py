"""The exhaustive explorer: pinned state counts, shortest counterexamples first."""

from __future__ import annotations

import pytest

from veosim import actions as act
from veosim.clients import REFERENCE, resolve
from veosim.drivers.explore import SMALL, explore


class TestStateCounts:
    @pytest.mark.parametrize(
        ("depth", "states", "transitions"),
        [(0, 3, 0), (1, 58, 57), (2, 681, 1112), (3, 6593, 13213)],
    )
    def test_pinned_counts_for_the_reference(
        self, depth: int, states: int, transitions: int
    ) -> None:
        """A change to the model or the domain shows up as a changed count of distinct states."""
        report = explore(REFERENCE.factory, REFERENCE.name, depth)
        assert (report.states, report.transitions) == (states, transitions)
        assert report.complete and report.counterexamples == ()

    def test_equal_states_are_merged(self) -> None:
        """Far fewer distinct states than transitions: duplicates are expanded once."""
        report = explore(REFERENCE.factory, REFERENCE.name, 3)
        assert report.states < report.transitions / 1.5


class TestCounterexamples:
    def test_shortest_first(self) -> None:
        """The seed bug from an empty world is found in 3 steps, the shortest possible."""
        spec = resolve("seed-prefix")
        report = explore(spec.factory, spec.name, 3, SMALL, ("empty",))
        found = {ce.violation.property: ce for ce in report.counterexamples}
        assert found["list_detail_agree"].steps == (
            act.StartJob("d1", "j1"),
            act.InjectFault("d1", "500"),
            act.AddScene("d1", "j1"),
        )

    def test_a_violation_in_the_starting_world_has_no_steps(self) -> None:
        """A starting world that already breaks a property is a 0-step counterexample."""
        spec = resolve("seed-prefix")
        report = explore(spec.factory, spec.name, 1, SMALL, ("cloud-behind",))
        assert report.counterexamples[0].steps == ()

    def test_max_states_cuts_the_search_short(self) -> None:
        """A state budget stops the search and says so."""
        report = explore(REFERENCE.factory, REFERENCE.name, 3, max_states=100)
        assert not report.complete and report.states == 100
