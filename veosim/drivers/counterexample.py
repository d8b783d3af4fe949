"""Shrinking a counterexample: the fewest steps that still break the same property.

Hypothesis's own shrinker works on the random choices behind a run, replaying the
whole machine hundreds of times; on these traces it took tens of seconds. This one
works on the steps themselves (delta debugging): drop chunks of steps, halving the chunk
size, keep any shorter run that still violates the same property, and repeat until no
single step can go. Steps that no longer apply once others are gone are skipped, and
shorter starting worlds are tried too. Deterministic: the same input, the same result.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from veosim import actions as act
from veosim import properties
from veosim.domain import STARTS, start
from veosim.properties import Violation
from veosim.world import World, applicable, at_rest, step


@attrs.frozen
class Counterexample:
    """The steps from a starting world to a violation: what gets printed and exported."""

    start: str
    steps: tuple[act.Action, ...]
    violation: Violation
    initial: World = attrs.field(eq=False, repr=False)
    """The starting world (devices and contents) the steps run from."""


def violates(
    initial: World, start_name: str, steps: Sequence[act.Action], prop: str
) -> Counterexample | None:
    """Replay `steps` (skipping those that do not apply) until `prop` is violated."""
    world = initial
    done: list[act.Action] = []
    found = properties.check(at_rest(initial), (prop,))
    if found:
        return Counterexample(start_name, (), found[0], initial)
    for action in steps:
        if applicable(world, action) is not None:
            continue
        result = step(world, action)
        done.append(action)
        found = properties.check(result, (prop,))
        if found:
            return Counterexample(start_name, tuple(done), found[0], initial)
        world = result.world
    return None


def shrink(counterexample: Counterexample, max_replays: int = 2000) -> Counterexample:
    """A shortest-found run from the simplest start that breaks the same property."""
    prop = counterexample.violation.property
    best = counterexample
    replays = 0
    for name in STARTS:  # simplest first: a run that needs no special start is clearer
        if name == best.start:
            break
        world = start(name, best.initial.client, best.initial.device_names)
        found = violates(world, name, best.steps, prop)
        replays += 1
        if found is not None:
            best = found
            break
    improved = True
    while improved and replays < max_replays:
        improved = False
        size = max(len(best.steps) // 2, 1)
        while size >= 1 and not improved:
            for index in range(0, len(best.steps), size):
                candidate = best.steps[:index] + best.steps[index + size :]
                found = violates(best.initial, best.start, candidate, prop)
                replays += 1
                if found is not None and len(found.steps) < len(best.steps):
                    best, improved = found, True
                    break
                if replays >= max_replays:
                    break
            size //= 2
    return best
