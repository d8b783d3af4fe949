"""The replayer: steps a world through a fixed list of actions and records a Trace.

The third driver. It runs a scenario's steps (or a counterexample's) through
`world.step`, checks every property after every step with `properties.check`, collects
the SOMETIMES states reached, and records a `Frame` per action: every store's version of
every job, what every list and detail view would show (`properties.snapshot`, which
probes without changing the world), the requests and their outcomes, crashes and
violations. A Trace is a frozen value: the same steps give an equal Trace, which is how
a scenario file is shown to replay exactly the run it was written from. `verdict` says
whether a Trace turned out as a scenario's `[expect]` says.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from veosim import actions as act
from veosim import properties
from veosim.contract import ClientFactory
from veosim.model import DetailEntry, Job, ListEntry, Summary
from veosim.properties import Violation
from veosim.scenario import Expect, Scenario, ScenarioError
from veosim.world import (
    Crash,
    Request,
    Settling,
    StepError,
    StepResult,
    View,
    World,
    at_rest,
    step,
)


@attrs.frozen
class Stores:
    """Every store's version of one job: each device's local copy, the cloud's row and
    blob (None where a store does not hold it)."""

    job_id: str
    local: tuple[tuple[str, Job | None], ...]
    row: Summary | None
    blob: Job | None


@attrs.frozen
class Views:
    """What one device's list and detail view of one job would show."""

    device: str
    job_id: str
    listed: ListEntry | None
    detail: DetailEntry | None
    list_crash: str | None = None
    detail_crash: str | None = None


@attrs.frozen
class Frame:
    """The world right after one action (step 0, action None: the starting world)."""

    step: int
    """The 1-based index of the scenario step this action belongs to (a step with a
    `fault` is two actions, both with the step's index)."""
    action: act.Action | None
    clock: int
    stores: tuple[Stores, ...]
    views: tuple[Views, ...]
    screens: tuple[tuple[str, DetailEntry | None], ...]
    """Each device's open detail view, as it was shown when opened (None: closed)."""
    opened: tuple[View, ...] = ()
    """The views the action itself opened (open_list, open_detail)."""
    requests: tuple[Request, ...] = ()
    crashes: tuple[Crash, ...] = ()
    violations: tuple[Violation, ...] = ()
    reached: frozenset[str] = frozenset()
    in_flight: int = 0
    settling: Settling | None = None


@attrs.frozen
class Trace:
    """A whole run: the starting frame and one frame per action."""

    devices: tuple[str, ...]
    initial: Frame
    frames: tuple[Frame, ...]

    def job_ids(self) -> tuple[str, ...]:
        """Every job any frame shows, in order."""
        ids = {stores.job_id for frame in (self.initial, *self.frames) for stores in frame.stores}
        return tuple(sorted(ids))

    def violated(self) -> tuple[str, ...]:
        """The properties violated at some step, in `properties.PROPERTY_NAMES` order."""
        found = {v.property for frame in (self.initial, *self.frames) for v in frame.violations}
        return tuple(name for name in properties.PROPERTY_NAMES if name in found)

    def first_violation(self, names: Sequence[str] | None = None) -> int | None:
        """The step at which one of `names` (default: any property) is first violated."""
        for frame in (self.initial, *self.frames):
            if any(names is None or v.property in names for v in frame.violations):
                return frame.step
        return None

    def reached(self) -> tuple[str, ...]:
        """The SOMETIMES states reached at some step, in `SOMETIMES_NAMES` order."""
        found = set().union(*(frame.reached for frame in self.frames))
        return tuple(name for name in properties.SOMETIMES_NAMES if name in found)


def _frame(
    world: World, index: int, action: act.Action | None, result: StepResult | None = None
) -> Frame:
    shot = properties.snapshot(world)
    jobs = world.job_ids()
    stores = tuple(
        Stores(
            job_id=job_id,
            local=tuple((device.name, device.local_job(job_id)) for device in world.devices),
            row=world.cloud.row(job_id),
            blob=world.cloud.blob(job_id),
        )
        for job_id in jobs
    )
    views = []
    for device in world.device_names:
        listed = shot.list_of(device)
        for job_id in jobs:
            detail = shot.detail_of(device, job_id)
            entry = listed.shows(job_id)
            views.append(
                Views(
                    device=device,
                    job_id=job_id,
                    listed=entry if isinstance(entry, ListEntry) else None,
                    detail=detail.detail,
                    list_crash=listed.crash,
                    detail_crash=detail.crash,
                )
            )
    frame = Frame(
        step=index,
        action=action,
        clock=world.clock,
        stores=stores,
        views=tuple(views),
        screens=tuple((device.name, device.screen) for device in world.devices),
        in_flight=len(world.in_flight),
    )
    if result is None:
        return frame
    return attrs.evolve(
        frame,
        opened=result.views,
        requests=result.requests,
        crashes=result.crashes,
        violations=properties.check(result),
        reached=properties.reached(result),
        settling=result.settling,
    )


def _run(
    initial: World, actions: Sequence[tuple[int, act.Action, int | None]], path: str | None
) -> Trace:
    world = initial
    frames = []
    for index, action, line in actions:
        try:
            result = step(world, action)
        except StepError as error:
            if path is None:
                raise
            raise ScenarioError(
                path, line, f"step {index} ({action.describe()}): {error}"
            ) from None
        frames.append(_frame(result.world, index, action, result))
        world = result.world
    return Trace(
        devices=initial.device_names,
        initial=_frame(initial, 0, None, at_rest(initial)),
        frames=tuple(frames),
    )


def run_steps(initial: World, steps: Sequence[act.Action]) -> Trace:
    """Run `steps` from `initial` (e.g. a counterexample's); a step that does not apply
    raises `world.StepError`."""
    return _run(initial, [(index, a, None) for index, a in enumerate(steps, start=1)], None)


def replay(scenario: Scenario, client_factory: ClientFactory) -> Trace:
    """Replay a scenario with every device running `client_factory`. A step that does
    not apply raises ScenarioError at that step's line."""
    try:
        initial = scenario.initial(client_factory)
    except StepError as error:  # the loader checks what initial_world checks: belt and braces
        raise ScenarioError(scenario.path, 1, str(error)) from None
    return _run(initial, scenario.actions(), scenario.path)


@attrs.frozen
class Verdict:
    """How a trace compares with an expectation."""

    expected: str
    outcome: str
    as_expected: bool
    reasons: tuple[str, ...] = ()


def outcome(trace: Trace) -> str:
    """What happened, in the words of `Expect.describe`: `holds`, or `violated a, b`."""
    violated = trace.violated()
    if not violated:
        return "holds"
    return f"violated {', '.join(violated)} from step {trace.first_violation()}"


def verdict(trace: Trace, expect: Expect) -> Verdict:
    """Compare a trace with `[expect]`: with `holds`, no property may be violated; with
    `violated`, each named property must be, and with `from_step` the first violation of
    any named one must be at that step. Properties not named are not judged."""
    reasons: list[str] = []
    violated = trace.violated()
    if expect.holds:
        for name in violated:
            frame = next(
                f
                for f in (trace.initial, *trace.frames)
                if any(v.property == name for v in f.violations)
            )
            message = next(v.message for v in frame.violations if v.property == name)
            reasons.append(f"{name} is violated at step {frame.step}: {message}")
    else:
        for name in expect.violated:
            if name not in violated:
                reasons.append(f"{name} is never violated")
        first = trace.first_violation(expect.violated)
        if expect.from_step is not None and first is not None and first != expect.from_step:
            reasons.append(f"the first violation is at step {first}, not step {expect.from_step}")
    return Verdict(
        expected=expect.describe(),
        outcome=outcome(trace),
        as_expected=not reasons,
        reasons=tuple(reasons),
    )


@attrs.frozen
class Replayed:
    """One scenario replayed with one client: what `veosim run` reports."""

    scenario: Scenario
    client: str
    trace: Trace
    verdict: Verdict


def replay_file(scenario: Scenario, client_factory: ClientFactory, client_name: str) -> Replayed:
    """Replay a scenario and judge it against its own `[expect]`."""
    trace = replay(scenario, client_factory)
    return Replayed(scenario, client_name, trace, verdict(trace, scenario.expect))
