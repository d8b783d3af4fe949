"""The Hypothesis driver: random search over the domain, the example database.

One `RuleBasedStateMachine` for every client: it starts from one of the domain's
starting worlds, draws each next action from `Domain.actions(world)` (the same list the
explorer walks), steps the world and checks the properties after every step. Each run
ends with a settle step. A violation raises `PropertyFailed` carrying the steps that
led to it; the run is then shrunk step by step (`counterexample.shrink`), printed and
exported as a scenario.
"""

from __future__ import annotations

import collections
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase
from hypothesis.reporting import with_reporter
from hypothesis.stateful import RuleBasedStateMachine, get_state_machine_test, initialize, rule

from veosim import actions as act
from veosim import properties
from veosim.contract import ClientFactory
from veosim.domain import STARTS, Domain, start
from veosim.drivers.counterexample import Counterexample, shrink
from veosim.world import StepResult, World, at_rest, step

PROFILES = ("dev", "ci", "nightly")

KINDS: tuple[str, ...] = tuple(cls.kind for cls in act.ACTION_TYPES)

_BASE = settings(
    deadline=None,
    # Shrinking is ours (drivers/counterexample.py): it works on steps, not on the
    # random choices behind them, and is an order of magnitude faster here.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=list(HealthCheck),
    print_blob=False,
    verbosity=Verbosity.quiet,
    database=None,
)

settings.register_profile("dev", _BASE, max_examples=60, stateful_step_count=20)
settings.register_profile("ci", _BASE, max_examples=200, stateful_step_count=25, derandomize=True)
settings.register_profile("nightly", _BASE, max_examples=5000, stateful_step_count=50)


def profile_settings(profile: str, seed: int | None = None) -> settings:
    """The named profile, with the example database of `VEOSIM_DATABASE` if set."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of: {', '.join(PROFILES)}")
    chosen = settings.get_profile(profile)
    database: ExampleDatabase | None = None
    directory = os.environ.get("VEOSIM_DATABASE")
    if directory:
        database = DirectoryBasedExampleDatabase(Path(directory))
    derandomize = chosen.derandomize and seed is None
    return settings(chosen, database=database, derandomize=derandomize)


def current_profile() -> str:
    """The profile `VEOSIM_PROFILE` names, `dev` when unset."""
    return os.environ.get("VEOSIM_PROFILE", "dev")


class PropertyFailed(AssertionError):
    def __init__(self, counterexample: Counterexample) -> None:
        violation = counterexample.violation
        super().__init__(f"{violation.property}: {violation.message}")
        self.counterexample = counterexample


@attrs.define
class Stats:
    examples: int = 0
    steps: int = 0
    reached: collections.Counter[str] = attrs.field(factory=collections.Counter)


@attrs.frozen
class MachineReport:
    """One machine run: what it tried, what it reached, the shrunk failure if any."""

    client: str
    properties: tuple[str, ...]
    examples: int
    steps: int
    seconds: float
    reached: tuple[tuple[str, int], ...]
    counterexample: Counterexample | None

    @property
    def holds(self) -> bool:
        return self.counterexample is None

    def unreached(self) -> tuple[str, ...]:
        counts = dict(self.reached)
        return tuple(name for name in properties.SOMETIMES_NAMES if counts.get(name, 0) == 0)


def machine_for(
    client: ClientFactory,
    checked: Iterable[str] | None = None,
    domain: Domain = Domain(),
    stats: Stats | None = None,
    starts: tuple[str, ...] = tuple(STARTS),
) -> type[RuleBasedStateMachine]:
    """A state machine class that drives `client` and checks the named properties."""
    wanted = tuple(properties.PROPERTY_NAMES if checked is None else checked)
    counters = stats if stats is not None else Stats()

    class WorldMachine(RuleBasedStateMachine):
        world: World
        initial: World
        begun: str
        trace: list[act.Action]
        failed: bool
        disabled: frozenset[str]

        @initialize(
            begin=st.sampled_from(starts),
            swarm=st.lists(st.booleans(), min_size=len(KINDS), max_size=len(KINDS)),
        )
        def begin(self, begin: str, swarm: list[bool]) -> None:
            self.world = start(begin, client, domain.devices)
            self.initial = self.world
            self.begun = begin
            self.trace = []
            self.failed = False
            self.disabled = frozenset(kind for kind, off in zip(KINDS, swarm, strict=True) if off)
            counters.examples += 1
            self.verify(at_rest(self.world))

        @rule(data=st.data())
        def next_action(self, data: st.DataObject) -> None:
            # Swarm testing: each run leaves some kinds of action out, and picks a kind
            # before its arguments, so that rare kinds are not drowned by common ones.
            options = domain.actions(self.world)
            kinds = [kind for kind in KINDS if any(a.kind == kind for a in options)]
            kinds = [kind for kind in kinds if kind not in self.disabled] or kinds
            kind = data.draw(st.sampled_from(kinds), label="kind")
            choices = [action for action in options if action.kind == kind]
            self.apply(data.draw(st.sampled_from(choices), label="action"))

        def apply(self, action: act.Action) -> None:
            result = step(self.world, action)
            self.trace.append(action)
            self.world = result.world
            counters.steps += 1
            self.verify(result)

        def verify(self, result: StepResult) -> None:
            counters.reached.update(properties.reached(result))
            violations = properties.check(result, wanted)
            if violations:
                self.failed = True
                raise PropertyFailed(
                    Counterexample(self.begun, tuple(self.trace), violations[0], self.initial)
                )

        def teardown(self) -> None:
            if hasattr(self, "world") and not self.failed:
                self.apply(act.Settle())

    return WorldMachine


def run_machine(
    client: ClientFactory,
    client_name: str,
    checked: Iterable[str] | None = None,
    profile: str = "ci",
    seed: int | None = None,
    domain: Domain = Domain(),
    starts: tuple[str, ...] = tuple(STARTS),
) -> MachineReport:
    """Run the state machine once; a failure is caught, shrunk and returned."""
    wanted = tuple(properties.PROPERTY_NAMES if checked is None else checked)
    if (
        seed is None
        and os.environ.get("VEOSIM_DATABASE")
        and settings.get_profile(profile).derandomize
    ):
        # Hypothesis refuses a database with derandomize; a fixed seed is as repeatable,
        # and the database's saved failures are still replayed first.
        seed = 0
    stats = Stats()
    machine = machine_for(client, wanted, domain, stats, starts)
    if seed is not None:
        machine = hypothesis.seed(seed)(machine)
    # Typed as Any: Hypothesis versions differ in how they annotate this function.
    make_test: Any = get_state_machine_test
    test = make_test(machine, settings=profile_settings(profile, seed))
    key = f"veosim:{client_name}:{','.join(wanted)}:{','.join(starts)}".encode()
    test.hypothesis.inner_test._hypothesis_internal_add_digest = key
    found: Counterexample | None = None
    began = time.perf_counter()
    try:
        with with_reporter(lambda _text: None):
            test()
    except PropertyFailed as failure:
        found = shrink(failure.counterexample)
    seconds = time.perf_counter() - began
    return MachineReport(
        client=client_name,
        properties=wanted,
        examples=stats.examples,
        steps=stats.steps,
        seconds=seconds,
        reached=tuple(sorted(stats.reached.items())),
        counterexample=found,
    )
