"""The properties: named claims about every step, shared by every driver.

Nothing here reads files, sleeps, prints or draws random numbers. A property is a named
value whose docstring is the spec in one sentence; its check takes one step of the
world (before, action, after, what happened) and yields what it found wrong. `ALWAYS`
must hold after every step; each `SOMETIMES` must be reached at least once in a run,
so that a green run is known not to be vacuous.

What a view would show in a state is asked of the client itself, on a throwaway copy of
the world (`world.probe_list`, `world.probe_detail`): checking never changes the run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator

import attrs

from veosim import actions as act
from veosim import reconcile
from veosim.model import Job, SyncStatus, summary_label
from veosim.world import (
    UNREACHABLE_MODES,
    Method,
    Outcome,
    StepResult,
    View,
    World,
    probe_detail,
    probe_list,
)


@attrs.frozen
class Property:
    """A named claim: `check` yields one message per thing it found wrong."""

    name: str
    doc: str
    check: Callable[[StepResult], Iterable[str]]


@attrs.frozen
class Sometimes:
    """A named state a run must reach at least once."""

    name: str
    doc: str
    reached: Callable[[StepResult], bool]


@attrs.frozen
class Violation:
    property: str
    message: str


ALWAYS: list[Property] = []
SOMETIMES: list[Sometimes] = []


def _doc(function: Callable[..., object]) -> str:
    return " ".join((function.__doc__ or "").split())


def always(
    function: Callable[[StepResult], Iterable[str]],
) -> Callable[[StepResult], Iterable[str]]:
    ALWAYS.append(Property(function.__name__, _doc(function), function))
    return function


def sometimes(function: Callable[[StepResult], bool]) -> Callable[[StepResult], bool]:
    SOMETIMES.append(Sometimes(function.__name__, _doc(function), function))
    return function


# --- what every view would show ----------------------------------------------------------


@attrs.frozen
class Snapshot:
    """Every device's list view and every job's detail view, as probed in one state."""

    lists: tuple[View, ...]
    details: tuple[View, ...]

    def list_of(self, device: str) -> View:
        return next(view for view in self.lists if view.device == device)

    def detail_of(self, device: str, job_id: str) -> View:
        return next(v for v in self.details if v.device == device and v.job == job_id)

    def views(self) -> tuple[View, ...]:
        return self.lists + self.details


@functools.lru_cache(maxsize=8192)
def snapshot(world: World) -> Snapshot:
    """What every view would show in `world` (cached: states repeat across checks)."""
    jobs = world.job_ids()
    return Snapshot(
        lists=tuple(probe_list(world, device) for device in world.device_names),
        details=tuple(
            probe_detail(world, device, job_id) for device in world.device_names for job_id in jobs
        ),
    )


def _shown(view: View, job_id: str) -> str:
    shown = view.shown_summary(job_id)
    if shown is None:
        return "nothing"
    summary, status = shown
    return f"{summary_label(summary)} {status.value}"


def _name(view: View) -> str:
    return f"{view.device} list" if view.job is None else f"{view.device} detail {view.job}"


def _same_network(world: World, like: World) -> World:
    """`world` with every device's network as in `like`, so reads in both meet the
    same outcomes."""
    devices = tuple(
        attrs.evolve(mine, mode=theirs.mode, faults=theirs.faults)
        for mine, theirs in zip(world.devices, like.devices, strict=True)
    )
    return attrs.evolve(world, devices=devices)


# --- ALWAYS ----------------------------------------------------------------------------------


@always
def list_detail_agree(step: StepResult) -> Iterator[str]:
    """List and detail show the same version and the same sync status for every job, whenever they read the same state."""
    world = step.world
    shot = snapshot(world)
    for device in world.device_names:
        listed = shot.list_of(device)
        if listed.crash is not None:
            continue
        for job_id in world.job_ids():
            detail = shot.detail_of(device, job_id)
            if detail.crash is not None or not _read_same_state(world, job_id, listed, detail):
                continue
            if listed.shown_summary(job_id) != detail.shown_summary(job_id):
                yield (
                    f"{device} {job_id}: the list shows {_shown(listed, job_id)}, "
                    f"the detail view shows {_shown(detail, job_id)}"
                )


def _misled(view: View) -> bool:
    """True when the network lied to the view: an injected 404 for a job that exists."""
    return any(r.outcome is Outcome.NOT_FOUND for r in view.requests)


def _answered(view: View) -> bool:
    """True when every request the view made was answered."""
    return all(r.outcome is Outcome.OK for r in view.requests)


def _read_same_state(world: World, job_id: str, listed: View, detail: View) -> bool:
    # A torn cloud (row and blob differ), an injected 404, or a fault that only one of
    # the two reads met shows the detail view another cloud than the list's.
    return (
        world.cloud.consistent(job_id)
        and not _misled(detail)
        and _answered(listed) == _answered(detail)
    )


@always
def view_keeps_status(step: StepResult) -> Iterator[str]:
    """Opening a job or the list changes nothing that any later view shows."""
    if not isinstance(step.action, act.VIEW_ACTIONS):
        return
    before = snapshot(_same_network(step.before, step.world))
    after = snapshot(step.world)
    for old in before.views():
        new = next((v for v in after.views() if (v.device, v.job) == (old.device, old.job)), None)
        # A view the cloud did not answer shows the local fallback, which may rightly
        # change once a read elsewhere learned more (e.g. that a job was deleted).
        if new is None or not (_answered(old) and _answered(new)):
            continue
        for job_id in step.world.job_ids():
            if old.shown_summary(job_id) != new.shown_summary(job_id):
                yield (
                    f"{step.action.describe()} changed the {_name(old)}: {job_id} was "
                    f"{_shown(old, job_id)}, now {_shown(new, job_id)}"
                )


def _stores(world: World) -> Iterator[tuple[str, str, Job]]:
    for device in world.devices:
        for job in device.local:
            yield f"{device.name} local", job.job_id, job
    for blob in world.cloud.blobs:
        yield "cloud", blob.job_id, blob


@always
def no_lost_update(step: StepResult) -> Iterator[str]:
    """No store and no view ever replaces a version by a worse one, except by delete."""
    before = {(store, job_id): job for store, job_id, job in _stores(step.before)}
    for store, job_id, job in _stores(step.world):
        old = before.get((store, job_id))
        if old is not None and reconcile.better(old, job):
            yield f"{store} {job_id}: {old.label()} replaced by worse {job.label()}"
    for view in step.views:
        yield from _view_not_worse_than_read(step.before, view)


def _view_not_worse_than_read(world: World, view: View) -> Iterator[str]:
    device = world.device(view.device)
    for job_id in world.job_ids():
        entry = view.shows(job_id)
        if entry is None:
            continue
        read: list[tuple[str, Job]] = []
        local = device.local_job(job_id)
        if local is not None:
            read.append(("local", local))
        blob = world.cloud.blob(job_id)
        answered = entry.status is not SyncStatus.OFFLINE and not _misled(view)
        if answered and blob is not None and world.cloud.consistent(job_id):
            read.append(("cloud", blob))
        for where, version in read:
            if reconcile.better(version, entry.shown):
                yield (
                    f"{_name(view)} shows {_shown(view, job_id)} although {where} "
                    f"holds better {version.label()}"
                )


@always
def converges(step: StepResult) -> Iterator[str]:
    """After the network heals and clients settle, every store holds the same best version and every view says synced."""
    if not isinstance(step.action, act.Settle):
        return
    world = step.world
    shot = snapshot(world)
    for job_id in world.job_ids():
        if world.history.deleted(job_id):
            yield from _gone_everywhere(world, shot, job_id)
            continue
        best = world.history.best_saved(job_id)
        for _, jid, job in _stores(world):
            if jid == job_id:
                best = reconcile.join(best, job)
        if best is None:
            continue
        if world.cloud.blob(job_id) != best or not world.cloud.consistent(job_id):
            yield f"{job_id}: the cloud does not hold the best version {best.label()}"
        for store, jid, job in _stores(world):
            if jid == job_id and job != best:
                yield f"{job_id}: {store} holds {job.label()}, not the best {best.label()}"
        for view in shot.views():
            if view.job not in (None, job_id):
                continue
            shown = view.shown_summary(job_id)
            if shown != (best.summary(), SyncStatus.SYNCED):
                yield (
                    f"{job_id}: after settling the {_name(view)} shows "
                    f"{_shown(view, job_id)}, not {best.label()} synced"
                )


def _gone_everywhere(world: World, shot: Snapshot, job_id: str) -> Iterator[str]:
    """A deleted job, once settled: tombstoned in the cloud, in no store, in no view."""
    if job_id not in world.cloud.deleted:
        yield f"{job_id} was deleted, but after settling the cloud has no tombstone for it"
    for store, jid, _ in _stores(world):
        if jid == job_id:
            yield f"{job_id} was deleted, but after settling {store} holds it"
    for view in shot.views():
        if view.shows(job_id) is not None:
            yield f"{job_id} was deleted, but after settling the {_name(view)} shows it"


@always
def no_sync_loop(step: StepResult) -> Iterator[str]:
    """Settling ends in a bounded number of steps, and reads never write to the cloud."""
    if step.settling is not None and not step.settling.quiet:
        yield f"settling did not go quiet within {max(step.settling.rounds)} rounds of ticks"
    reads = [*step.views, *snapshot(step.world).views()]
    for view in reads:
        writes = [r for r in view.requests if r.method in (Method.PUT, Method.DELETE)]
        if writes:
            yield f"the {_name(view)} wrote to the cloud: {writes[0].describe()}"


@always
def outage_fallback(step: StepResult) -> Iterator[str]:
    """While the cloud is unreachable, views show local versions, say they are not synced, and raise nothing."""
    world = step.world
    shot = snapshot(world)
    for device in world.devices:
        if device.mode not in UNREACHABLE_MODES:
            continue
        views = [v for v in shot.views() if v.device == device.name]
        for view in views:
            if view.crash is not None:
                yield f"the {_name(view)} raised during an outage: {view.crash}"
                continue
            for job_id in world.job_ids():
                local = device.local_job(job_id)
                if view.job not in (None, job_id):
                    continue
                shown = view.shown_summary(job_id)
                expected = (local.summary(), SyncStatus.OFFLINE) if local is not None else None
                if shown is not None and shown != expected:
                    yield (
                        f"the {_name(view)} shows {_shown(view, job_id)} during an outage; "
                        f"local holds {local.label() if local else 'nothing'}"
                    )
                if shown is None and local is not None:
                    yield f"the {_name(view)} hides local {job_id} during an outage"


@always
def delete_is_final(step: StepResult) -> Iterator[str]:
    """A deleted job never comes back: not on the device that deleted it, and nowhere once the cloud has its tombstone."""
    world = step.world
    shot = snapshot(world)
    for device, job_id in sorted(world.history.deleted_on):
        if world.device(device).local_job(job_id) is not None:
            yield f"{device} deleted {job_id}, but its local store holds it again"
        for view in shot.views():
            if view.device == device and view.shows(job_id) is not None:
                yield f"{device} deleted {job_id}, but the {_name(view)} shows it"
    for view in shot.views():
        if _misled(view):
            continue
        for job_id in sorted(world.cloud.deleted):
            entry = view.shows(job_id)
            if entry is not None and entry.status is not SyncStatus.OFFLINE:
                yield f"the cloud deleted {job_id}, but the {_name(view)} shows it"


@always
def never_raises(step: StepResult) -> Iterator[str]:
    """No operation raises an error to the app, whatever the network does."""
    for crash in step.crashes:
        yield f"{crash.device} {crash.operation} raised {crash.error}"
    for view in snapshot(step.world).views():
        if view.crash is not None:
            yield f"the {_name(view)} raised {view.crash}"


# --- SOMETIMES ----------------------------------------------------------------------------


@sometimes
def local_better_than_cloud(step: StepResult) -> bool:
    """Some device holds a version better than the cloud's."""
    world = step.world
    for device in world.devices:
        for job in device.local:
            blob = world.cloud.blob(job.job_id)
            if blob is not None and reconcile.better(job, blob):
                return True
    return False


@sometimes
def write_while_viewed(step: StepResult) -> bool:
    """A new version of a job lands while its detail view is open on a device."""
    action = step.action
    if not isinstance(action, act.AddScene | act.FinishJob | act.EditJob):
        return False
    return any(
        device.screen_job == action.job
        and not (isinstance(action, act.EditJob) and device.name == action.device)
        for device in step.before.devices
    )


@sometimes
def outage_during_view(step: StepResult) -> bool:
    """A view is opened while the cloud does not answer."""
    return any(r.outcome is not Outcome.OK for view in step.views for r in view.requests)


@sometimes
def torn_write(step: StepResult) -> bool:
    """A PUT is torn: the cloud's row is written and its blob is not."""
    return any(r.outcome is Outcome.TORN for r in step.requests)


@sometimes
def devices_diverged(step: StepResult) -> bool:
    """Two devices hold different versions of the same job."""
    seen: dict[str, Job] = {}
    for device in step.world.devices:
        for job in device.local:
            if job.job_id in seen and seen[job.job_id] != job:
                return True
            seen[job.job_id] = job
    return False


@sometimes
def retry_after_failure(step: StepResult) -> bool:
    """An upload succeeds after earlier requests for the job failed."""
    return any(
        r.method is Method.PUT
        and r.effect.endswith("applied")
        and (r.device, r.job) in step.before.history.failing
        for r in step.requests
    )


# --- checking a step ---------------------------------------------------------------------


PROPERTY_NAMES: tuple[str, ...] = tuple(p.name for p in ALWAYS)
SOMETIMES_NAMES: tuple[str, ...] = tuple(s.name for s in SOMETIMES)


def check(step: StepResult, only: Iterable[str] | None = None) -> tuple[Violation, ...]:
    """Every violation of the ALWAYS properties (or of those named) in this step."""
    wanted = set(PROPERTY_NAMES if only is None else only)
    found: list[Violation] = []
    for prop in ALWAYS:
        if prop.name in wanted:
            found.extend(Violation(prop.name, message) for message in prop.check(step))
    return tuple(found)


def reached(step: StepResult) -> frozenset[str]:
    """The SOMETIMES states this step reached."""
    return frozenset(s.name for s in SOMETIMES if s.reached(step))
