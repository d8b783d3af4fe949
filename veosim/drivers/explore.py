"""The exhaustive explorer: every action sequence up to a depth, breadth first.

It walks the same `Domain.actions(world)` the state machine draws from, steps the same
world and checks the same properties. Equal states are merged (a world is a hashable
value, the clients' private state included), so each distinct state is expanded once.
Breadth first means the first violation found of each property is a shortest one.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterable

import attrs

from veosim import actions as act
from veosim import properties
from veosim.contract import ClientFactory
from veosim.domain import STARTS, Domain, start
from veosim.drivers.counterexample import Counterexample
from veosim.world import World, at_rest, step

SMALL = Domain(
    devices=("d1", "d2"),
    jobs=("j1",),
    modes=("ok", "offline"),
    faults=(("500", None), ("timeout", "PUT"), ("torn", None)),
    finishes=("completed",),
    heal=False,
)
"""The explorer's default domain: small enough to exhaust a few steps deep."""

ONE_DEVICE = Domain(
    devices=("d1",),
    jobs=("j1",),
    modes=("ok", "offline"),
    faults=(("500", None), ("timeout", "PUT")),
    finishes=("completed",),
    heal=False,
)
"""One device, one job: small enough to explore five or six steps deep."""


@attrs.frozen
class ExploreReport:
    client: str
    depth: int
    states: int
    """Distinct states seen, starting worlds included."""
    transitions: int
    seconds: float
    reached: tuple[tuple[str, int], ...]
    counterexamples: tuple[Counterexample, ...]
    """The first (so shortest) violation found of each property, in property order."""
    complete: bool
    """False when `max_states` cut the search short."""

    def violated(self) -> tuple[str, ...]:
        return tuple(ce.violation.property for ce in self.counterexamples)


def explore(
    client: ClientFactory,
    client_name: str,
    depth: int,
    domain: Domain = SMALL,
    starts: Iterable[str] = tuple(STARTS),
    checked: Iterable[str] | None = None,
    max_states: int | None = None,
) -> ExploreReport:
    """Breadth-first search from each starting world, `depth` actions deep."""
    wanted = tuple(properties.PROPERTY_NAMES if checked is None else checked)
    began = time.perf_counter()
    found: dict[str, Counterexample] = {}
    reached: collections.Counter[str] = collections.Counter()
    seen: set[World] = set()
    frontier: list[tuple[World, str, World, tuple[act.Action, ...]]] = []
    for name in starts:
        world = start(name, client, domain.devices)
        for violation in properties.check(at_rest(world), wanted):
            found.setdefault(violation.property, Counterexample(name, (), violation, world))
        if world not in seen:
            seen.add(world)
            frontier.append((world, name, world, ()))
    transitions = 0
    complete = True
    for _ in range(depth):
        following: list[tuple[World, str, World, tuple[act.Action, ...]]] = []
        for world, name, initial, path in frontier:
            for action in domain.actions(world):
                result = step(world, action)
                transitions += 1
                reached.update(properties.reached(result))
                remaining = [p for p in wanted if p not in found]
                for violation in properties.check(result, remaining):
                    found.setdefault(
                        violation.property,
                        Counterexample(name, (*path, action), violation, initial),
                    )
                if result.world in seen:
                    continue
                if max_states is not None and len(seen) >= max_states:
                    complete = False
                    continue
                seen.add(result.world)
                following.append((result.world, name, initial, (*path, action)))
        frontier = following
    ordered = tuple(found[name] for name in wanted if name in found)
    return ExploreReport(
        client=client_name,
        depth=depth,
        states=len(seen),
        transitions=transitions,
        seconds=time.perf_counter() - began,
        reached=tuple(sorted(reached.items())),
        counterexamples=ordered,
        complete=complete,
    )
