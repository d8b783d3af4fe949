"""The algebraic laws of the reconciliation core (veosim/laws.py), over shared strategies."""

from __future__ import annotations

import pytest
from hypothesis import given

from veosim import laws
from veosim.model import Job
from veosim.strategies import jobs


@pytest.mark.parametrize("law", laws.LAWS, ids=[law.name for law in laws.LAWS])
@given(a=jobs(), b=jobs(), c=jobs())
def test_law_holds(law: laws.Law, a: Job, b: Job, c: Job) -> None:
    """Each law of the core holds for any three versions of a job."""
    assert law.holds(a, b, c), law.doc


def test_a_broken_law_is_reported_with_its_counterexample() -> None:
    """check_law finds and reports versions that break a false law (the runner can fail)."""
    false_law = laws.Law("local_always_wins", "the local version always wins", _local_wins)
    result = laws.check_law(false_law, examples=200)
    assert not result.holds
    assert result.counterexample is not None and " | " in result.counterexample


def _local_wins(a: Job, b: Job, c: Job) -> bool:
    from veosim import reconcile

    del c
    return reconcile.pick(a, b) == a


def test_every_law_holds_through_the_runner() -> None:
    """The runner `veosim check` uses finds no counterexample to the real laws."""
    results = [laws.check_law(law, examples=50) for law in laws.LAWS]
    assert [r.name for r in results if not r.holds] == []
    assert all(r.examples == 50 for r in results)
