"""The state machine against the reference client: every property holds.

Run with VEOSIM_PROFILE=ci for the derandomized CI budget; the ci profile also fails
when a sometimes-state was never reached (a vacuous run).
"""

from __future__ import annotations

import pytest

from properties.conftest import REACHED
from veosim import properties, scenario
from veosim.clients import REFERENCE
from veosim.domain import start
from veosim.drivers.gate import MACHINE_DOMAINS
from veosim.drivers.machine import current_profile, run_machine


def test_reference_holds_every_property() -> None:
    """The reference client violates no property, however the machine drives it."""
    report = run_machine(REFERENCE.factory, REFERENCE.name, profile=current_profile())
    REACHED.update(dict(report.reached))
    for name in properties.SOMETIMES_NAMES:
        REACHED.setdefault(name, 0)
    found = report.counterexample
    if found is not None:  # written out before the test fails: nothing found is lost
        path = scenario.export(found, "scenarios/found", REFERENCE.name)
        steps = "\n".join(f"  {a.describe()}" for a in found.steps)
        pytest.fail(
            f"{found.violation.property}: {found.violation.message}\n{steps}\nexported: {path}",
            pytrace=False,
        )
    assert report.examples > 0 and report.steps > report.examples


def test_sometimes_states_are_reached() -> None:
    """Every sometimes-state is reached by the reference run (ci: a hard requirement)."""
    report = run_machine(REFERENCE.factory, REFERENCE.name, checked=(), profile=current_profile())
    unreached = report.unreached()
    if current_profile() == "ci":
        assert unreached == ()
    elif unreached:
        pytest.skip(f"not reached in profile {current_profile()}: {', '.join(unreached)}")


def test_reference_holds_with_full_local_stores() -> None:
    """With local stores that fill up (the nightly domain), the reference still holds."""
    domain = MACHINE_DOMAINS["nightly"]
    assert any(a.kind == "set_quota" for a in domain.actions(start("empty", REFERENCE.factory)))
    report = run_machine(
        REFERENCE.factory, REFERENCE.name, profile=current_profile(), domain=domain
    )
    assert report.counterexample is None, report.counterexample
