"""The algebraic laws of the reconciliation core, as named predicates.

Nothing here reads files, sleeps, prints or draws random numbers. Each law takes up to
three versions of a job and says whether the core obeys it for them. The pytest suites
(properties/test_laws.py) and `veosim check` run them over the same strategies.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import attrs
import hypothesis
from hypothesis import given, settings
from hypothesis.errors import HypothesisException

from veosim import reconcile
from veosim.model import Job, SyncStatus
from veosim.strategies import jobs


@attrs.frozen
class Law:
    name: str
    doc: str
    holds: Callable[[Job, Job, Job], bool]


LAWS: list[Law] = []


def law(function: Callable[[Job, Job, Job], bool]) -> Callable[[Job, Job, Job], bool]:
    LAWS.append(Law(function.__name__, " ".join((function.__doc__ or "").split()), function))
    return function


@law
def order_is_total(a: Job, b: Job, c: Job) -> bool:
    """Any two versions compare one way: exactly one of worse, same, better."""
    del c
    outcome = reconcile.compare(a, b)
    return outcome == -reconcile.compare(b, a) and (outcome == 0) == (a == b)


@law
def order_is_transitive(a: Job, b: Job, c: Job) -> bool:
    """If a beats b and b beats c, a beats c."""
    return not (reconcile.better(a, b) and reconcile.better(b, c)) or reconcile.better(a, c)


@law
def join_is_commutative(a: Job, b: Job, c: Job) -> bool:
    """The better of a and b is the better of b and a."""
    del c
    return reconcile.join(a, b) == reconcile.join(b, a)


@law
def join_is_associative(a: Job, b: Job, c: Job) -> bool:
    """Joining in any grouping gives the same version."""
    return reconcile.join(reconcile.join(a, b), c) == reconcile.join(a, reconcile.join(b, c))


@law
def join_is_idempotent(a: Job, b: Job, c: Job) -> bool:
    """Joining a version with itself gives it back."""
    del b, c
    return reconcile.join(a, a) == a


@law
def join_is_an_upper_bound(a: Job, b: Job, c: Job) -> bool:
    """The join is never worse than either side."""
    del c
    best = reconcile.join(a, b)
    assert best is not None
    return not reconcile.better(a, best) and not reconcile.better(b, best)


@law
def list_and_detail_choose_alike(a: Job, b: Job, c: Job) -> bool:
    """On the same local and cloud versions, the list row and the detail view show the same version and status."""
    del c
    for reachable in (True, False):
        for local, cloud in ((a, b), (a, None), (None, b)):
            detail = reconcile.detail_entry(a.job_id, local, cloud, reachable)
            row = cloud.summary() if cloud is not None else None
            listed = reconcile.list_entry(a.job_id, local, row, reachable)
            if detail is None or listed is None:
                if (detail is None) != (listed is None):
                    return False
                continue
            if (detail.shown.summary(), detail.status) != (listed.shown, listed.status):
                return False
    return True


@law
def synced_means_cloud_holds_it(a: Job, b: Job, c: Job) -> bool:
    """A view says synced exactly when the cloud answered with the version it shows."""
    del c
    entry = reconcile.detail_entry(a.job_id, a, b, reachable=True)
    assert entry is not None
    return (entry.status is SyncStatus.SYNCED) == (entry.shown == b)


@law
def choice_is_deterministic(a: Job, b: Job, c: Job) -> bool:
    """The same inputs give the same view, every time."""
    del c
    return reconcile.detail_entry(a.job_id, a, b, True) == reconcile.detail_entry(
        a.job_id, a, b, True
    )


@attrs.frozen
class LawResult:
    name: str
    doc: str
    examples: int
    seconds: float
    counterexample: str | None

    @property
    def holds(self) -> bool:
        return self.counterexample is None


def check_law(subject: Law, examples: int, seed: int | None = None) -> LawResult:
    """Search for versions breaking one law (Hypothesis, shrunk); derandomized unless
    a seed is given."""
    counted = [0]
    failure: list[str] = []

    @settings(max_examples=examples, derandomize=seed is None, database=None, deadline=None)
    @given(jobs(), jobs(), jobs())
    def search(a: Job, b: Job, c: Job) -> None:
        counted[0] += 1
        if not subject.holds(a, b, c):
            failure[:] = [f"{a.label()} | {b.label()} | {c.label()}"]
            raise AssertionError(subject.name)

    if seed is not None:
        search = hypothesis.seed(seed)(search)

    began = time.perf_counter()
    with contextlib.suppress(AssertionError, HypothesisException):
        search()
    return LawResult(
        subject.name,
        subject.doc,
        counted[0],
        time.perf_counter() - began,
        failure[0] if failure else None,
    )
