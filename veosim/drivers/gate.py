"""The CI gate: every driver that fits the profile, against one client, as data.

`check` runs the core's laws, the state machine, the exhaustive explorer and the
scenario corpus, and returns one `CheckReport`; `veosim check`, `veosim mutants` and
the pytest plugin print or assert on it. Nothing here prints.

The state machine stops at the first violation, so it is run again without the
properties already broken until the rest hold: every property gets its own verdict.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from veosim import laws, properties
from veosim.clients import ClientSpec
from veosim.domain import STARTS, Domain
from veosim.drivers.counterexample import Counterexample
from veosim.drivers.explore import ONE_DEVICE, SMALL, explore
from veosim.drivers.machine import run_machine


@attrs.frozen
class Exploration:
    domain: Domain
    starts: tuple[str, ...]
    depth: int


EXPLORATIONS: dict[str, tuple[Exploration, ...]] = {
    "dev": (Exploration(ONE_DEVICE, ("empty",), 4), Exploration(SMALL, tuple(STARTS), 2)),
    "ci": (Exploration(ONE_DEVICE, ("empty",), 5), Exploration(SMALL, tuple(STARTS), 3)),
    "nightly": (Exploration(ONE_DEVICE, ("empty",), 6), Exploration(SMALL, tuple(STARTS), 4)),
}
"""What the explorer exhausts in each profile."""

LAW_EXAMPLES = {"dev": 100, "ci": 300, "nightly": 3000}


@attrs.frozen
class PropertyResult:
    name: str
    doc: str
    counterexample: Counterexample | None
    found_by: str | None
    """'machine' or 'explorer': the driver whose counterexample is reported."""
    examples: int
    """State-machine runs that checked this property."""
    steps: int
    """State-machine steps that checked this property."""
    states: int
    """Distinct states the explorer checked this property in."""
    seconds: float
    """Until the verdict: time to detect for a violation, else the drivers' time."""

    @property
    def holds(self) -> bool:
        return self.counterexample is None


@attrs.frozen
class ScenarioResult:
    path: str
    expected: str
    outcome: str
    as_expected: bool


@attrs.frozen
class CheckReport:
    client: str
    profile: str
    seed: int | None
    laws: tuple[laws.LawResult, ...]
    properties: tuple[PropertyResult, ...]
    sometimes: tuple[tuple[str, int], ...]
    scenarios: tuple[ScenarioResult, ...]
    seconds: float

    def unreached(self) -> tuple[str, ...]:
        return tuple(name for name, count in self.sometimes if count == 0)

    @property
    def passed(self) -> bool:
        return (
            all(law.holds for law in self.laws)
            and all(p.holds for p in self.properties)
            and all(s.as_expected for s in self.scenarios)
            and (self.profile != "ci" or not self.unreached())
        )


def check(
    spec: ClientSpec,
    profile: str = "ci",
    seed: int | None = None,
    scenario_files: Sequence[Path] = (),
    with_laws: bool = True,
) -> CheckReport:
    """Run every driver of the profile against the client."""
    began = time.perf_counter()
    law_results = (
        tuple(laws.check_law(law, LAW_EXAMPLES[profile], seed) for law in laws.LAWS)
        if with_laws
        else ()
    )
    machine = _machine(spec, profile, seed)
    explored = _explore(spec, profile)
    reached: Counter[str] = Counter(dict.fromkeys(properties.SOMETIMES_NAMES, 0))
    reached.update(machine.reached)
    reached.update(explored.reached)
    results = []
    for prop in properties.ALWAYS:
        candidates = []
        for driver, found in (("machine", machine.found), ("explorer", explored.found)):
            if prop.name in found:
                ce, seconds = found[prop.name]
                candidates.append((ce, driver, seconds))
        best = min(candidates, key=lambda c: len(c[0].steps), default=None)
        results.append(
            PropertyResult(
                name=prop.name,
                doc=prop.doc,
                counterexample=best[0] if best else None,
                found_by=best[1] if best else None,
                examples=machine.examples.get(prop.name, 0),
                steps=machine.steps.get(prop.name, 0),
                states=explored.states,
                seconds=best[2] if best else machine.seconds + explored.seconds,
            )
        )
    return CheckReport(
        client=spec.name,
        profile=profile,
        seed=seed,
        laws=law_results,
        properties=tuple(results),
        sometimes=tuple((name, reached[name]) for name in properties.SOMETIMES_NAMES),
        scenarios=tuple(replay_corpus(spec, scenario_files)),
        seconds=time.perf_counter() - began,
    )


@attrs.define
class _Found:
    found: dict[str, tuple[Counterexample, float]] = attrs.field(factory=dict)
    examples: Counter[str] = attrs.field(factory=Counter)
    steps: Counter[str] = attrs.field(factory=Counter)
    reached: Counter[str] = attrs.field(factory=Counter)
    states: int = 0
    seconds: float = 0.0


MACHINE_DOMAINS: dict[str, Domain] = {
    "dev": Domain(),
    "ci": Domain(),
    "nightly": Domain(quotas=(1, None)),
}
"""What the state machine searches in each profile: nightly also fills local stores."""


def _machine(spec: ClientSpec, profile: str, seed: int | None) -> _Found:
    out = _Found()
    remaining = list(properties.PROPERTY_NAMES)
    while remaining:
        report = run_machine(
            spec.factory, spec.name, remaining, profile, seed, MACHINE_DOMAINS[profile]
        )
        out.seconds += report.seconds
        out.reached.update(dict(report.reached))
        for name in remaining:
            out.examples[name] += report.examples
            out.steps[name] += report.steps
        if report.counterexample is None:
            break
        broken = report.counterexample.violation.property
        out.found[broken] = (report.counterexample, report.seconds)
        remaining.remove(broken)
    return out


def _explore(spec: ClientSpec, profile: str) -> _Found:
    out = _Found()
    for plan in EXPLORATIONS[profile]:
        report = explore(spec.factory, spec.name, plan.depth, plan.domain, plan.starts)
        out.seconds += report.seconds
        out.states += report.states
        out.reached.update(dict(report.reached))
        for ce in report.counterexamples:
            known = out.found.get(ce.violation.property)
            if known is None or len(ce.steps) < len(known[0].steps):
                out.found[ce.violation.property] = (ce, out.seconds)
    return out


def replay_corpus(spec: ClientSpec, files: Iterable[Path]) -> Iterable[ScenarioResult]:
    """Each scenario file replayed against the client, judged by its own expect."""
    from veosim import scenario
    from veosim.drivers import replay

    for path in files:
        loaded = scenario.load(path)
        trace = replay.replay(loaded, spec.factory)
        verdict = replay.verdict(trace, loaded.expect)
        yield ScenarioResult(
            path=str(path),
            expected=loaded.expect.describe(),
            outcome=replay.outcome(trace),
            as_expected=verdict.as_expected,
        )
