"""The simulated world: devices with local stores, one cloud, a network, a clock.

Nothing here reads files, sleeps, prints or draws random numbers; time is the world's
clock, and every choice the network makes is an action the driver chose. `World` is a
frozen value; `step(world, action)` returns the next one, with what happened on the way
(requests, views, crashes). Everything that affects the world lives in this file.

The cloud keeps a summary row and a full blob per job, apart, so that a PUT torn between
them is a state the world can hold. Requests a device sent and did not get an answer to
(a timed-out write, a PUT sent without awaiting it) stay in flight until the driver
delivers or drops them, in any order.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from veosim import actions as act
from veosim import reconcile
from veosim.contract import (
    OPERATIONS,
    Client,
    ClientFactory,
    Conflict,
    Gone,
    NotFound,
    Offline,
    QuotaExceeded,
    ServerError,
    Timeout,
    TornWrite,
    Unauthorized,
)
from veosim.model import (
    KNOWN_STATUSES,
    CloudListing,
    DetailEntry,
    Job,
    ListEntry,
    Summary,
    SyncStatus,
    VeosimError,
)


class Method(enum.Enum):
    LIST = "LIST"
    GET = "GET"
    PUT = "PUT"
    DELETE = "DELETE"


class Outcome(enum.Enum):
    OK = "ok"
    OFFLINE = "offline"
    TIMEOUT = "timeout"
    UNAUTHORIZED = "401"
    NOT_FOUND = "404"
    SERVER_ERROR = "500"
    TORN = "torn"


_FAILING_EVERYWHERE = frozenset(
    {Outcome.OK, Outcome.OFFLINE, Outcome.TIMEOUT, Outcome.UNAUTHORIZED, Outcome.SERVER_ERROR}
)

POSSIBLE: Mapping[Method, frozenset[Outcome]] = {
    Method.LIST: _FAILING_EVERYWHERE,
    Method.GET: _FAILING_EVERYWHERE | {Outcome.NOT_FOUND},
    Method.PUT: _FAILING_EVERYWHERE | {Outcome.TORN},
    Method.DELETE: _FAILING_EVERYWHERE,
}
"""Which outcomes the network can give which request. A fault or mode that is not
possible for a request leaves it alone (a torn fault waits for the next PUT). A 404 is
only a GET's: a DELETE is idempotent and always leaves a tombstone."""

MODES: tuple[str, ...] = ("ok", "offline", "timeout", "401", "500")
"""What `set_network` accepts: the device's condition for every later request."""

FAULTS: tuple[str, ...] = ("offline", "timeout", "401", "404", "500", "torn")
"""What `inject_fault` accepts: one request fails this way."""

UNREACHABLE_MODES = frozenset({"offline", "timeout", "401", "500"})

_RAISES: Mapping[Outcome, Callable[[str], Exception]] = {
    Outcome.OFFLINE: Offline,
    Outcome.TIMEOUT: Timeout,
    Outcome.UNAUTHORIZED: Unauthorized,
    Outcome.SERVER_ERROR: ServerError,
    Outcome.NOT_FOUND: NotFound,
}

SETTLE_TICK_MS = 60_000
"""How far the clock jumps per settling round: longer than any sane retry backoff."""
SETTLE_ROUNDS = 40
"""Settling that is not quiet after this many rounds per phase is a sync loop."""


class StepError(VeosimError):
    """An action that does not apply to the world as it is (e.g. unknown device)."""


# --- state ---------------------------------------------------------------------------


@attrs.frozen
class Request:
    """One request a device made, and how it went: the world's request log."""

    device: str
    method: Method
    job: str | None
    outcome: Outcome
    effect: str
    """What the cloud did: 'read', 'absent', 'gone', 'applied', 'row only', 'conflict',
    'in flight', 'failed', 'late: applied', ..."""

    def describe(self) -> str:
        target = f" {self.job}" if self.job else ""
        return f"{self.device} {self.method.value}{target} -> {self.outcome.value} ({self.effect})"


@attrs.frozen
class InFlight:
    """A request that was sent and has not landed: the driver delivers or drops it."""

    device: str
    method: Method
    job_id: str
    job: Job | None = None
    if_match: str | None = None
    if_absent: bool = False


@attrs.frozen
class Device:
    name: str
    local: tuple[Job, ...] = ()
    quota: int | None = None
    mode: str = "ok"
    faults: tuple[str, ...] = ()
    client_state: Hashable = None
    screen: DetailEntry | None = None
    """The version the open detail view shows (None: none open, or it showed nothing)."""
    screen_job: str | None = None
    generating: tuple[Job, ...] = ()
    """The jobs the generator on this device is producing, as it last saved them. The
    generator keeps its own copy: what the cache does with a save cannot stop it."""

    def generated(self, job_id: str) -> Job | None:
        return next((job for job in self.generating if job.job_id == job_id), None)

    def local_job(self, job_id: str) -> Job | None:
        for job in self.local:
            if job.job_id == job_id:
                return job
        return None


@attrs.frozen
class Cloud:
    rows: tuple[Summary, ...] = ()
    blobs: tuple[Job, ...] = ()
    deleted: frozenset[str] = frozenset()

    def row(self, job_id: str) -> Summary | None:
        return next((row for row in self.rows if row.job_id == job_id), None)

    def blob(self, job_id: str) -> Job | None:
        return next((blob for blob in self.blobs if blob.job_id == job_id), None)

    def consistent(self, job_id: str) -> bool:
        """True when the row and the blob of the job describe the same version."""
        row, blob = self.row(job_id), self.blob(job_id)
        if row is None or blob is None:
            return row is None and blob is None
        return row == blob.summary()


@attrs.frozen
class History:
    """What happened that the stores no longer show: what properties need to remember."""

    deleted_on: frozenset[tuple[str, str]] = frozenset()
    """(device, job) pairs: the user deleted the job on that device."""
    failing: frozenset[tuple[str, str]] = frozenset()
    """(device, job) pairs with a failed request since the device's last applied PUT."""
    saved: tuple[Job, ...] = ()
    """Per job, the best version ever handed to a store (the starting contents, and
    every save of the generator or the user): what must not be lost."""

    @property
    def started(self) -> frozenset[str]:
        """Every job ever saved: job ids are never reused."""
        return frozenset(job.job_id for job in self.saved)

    def deleted(self, job_id: str) -> bool:
        return any(job == job_id for _, job in self.deleted_on)

    def best_saved(self, job_id: str) -> Job | None:
        return next((job for job in self.saved if job.job_id == job_id), None)

    def remember(self, job: Job) -> History:
        """This history with `job` saved: the best version per job is kept."""
        best = reconcile.join(self.best_saved(job.job_id), job)
        others = tuple(j for j in self.saved if j.job_id != job.job_id)
        saved = tuple(sorted((*others, best), key=lambda j: j.job_id)) if best else others
        return attrs.evolve(self, saved=saved)


@attrs.frozen
class World:
    """The whole state: hashable, so equal states can be merged."""

    client: ClientFactory
    clock: int = 0
    devices: tuple[Device, ...] = ()
    cloud: Cloud = Cloud()
    in_flight: tuple[InFlight, ...] = ()
    history: History = History()

    def device(self, name: str) -> Device:
        for device in self.devices:
            if device.name == name:
                return device
        names = ", ".join(d.name for d in self.devices)
        raise StepError(f"unknown device {name!r}; the world has: {names}")

    @property
    def device_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.devices)

    def job_ids(self) -> tuple[str, ...]:
        """Every job id any store holds, or that was ever started, in order."""
        ids = set(self.history.started)
        ids.update(row.job_id for row in self.cloud.rows)
        ids.update(blob.job_id for blob in self.cloud.blobs)
        for device in self.devices:
            ids.update(job.job_id for job in device.local)
        return tuple(sorted(ids))


def initial_world(
    client: ClientFactory,
    devices: Iterable[str] = ("d1", "d2"),
    local: Mapping[str, Iterable[Job]] | None = None,
    cloud: Iterable[Job] = (),
    clock: int = 1000,
) -> World:
    """A world at rest: the given devices with fresh clients, the given contents."""
    local = local or {}
    names = tuple(devices)
    if not names or len(set(names)) != len(names):
        raise StepError(f"devices must be distinct names, at least one (got {list(names)})")
    unknown = sorted(set(local) - set(names))
    if unknown:
        raise StepError(f"local contents for unknown device {unknown[0]!r}")
    cloud_jobs = tuple(sorted(cloud, key=lambda job: job.job_id))
    # A device that starts with an in-progress job locally is where its generator runs.
    built = tuple(
        Device(
            name=name,
            local=tuple(sorted(local.get(name, ()), key=lambda j: j.job_id)),
            generating=tuple(
                sorted(
                    (j for j in local.get(name, ()) if j.status == "in_progress"),
                    key=lambda j: j.job_id,
                )
            ),
        )
        for name in names
    )
    history = History()
    for job in (*cloud_jobs, *(job for jobs in local.values() for job in jobs)):
        history = history.remember(job)
    return World(
        client=client,
        clock=clock,
        devices=built,
        cloud=Cloud(
            rows=tuple(job.summary() for job in cloud_jobs),
            blobs=cloud_jobs,
        ),
        history=history,
    )


# --- what a step returns ---------------------------------------------------------------


@attrs.frozen
class View:
    """What one read showed: the history list (job None) or one job's detail view."""

    device: str
    job: str | None
    entries: tuple[ListEntry, ...] = ()
    detail: DetailEntry | None = None
    crash: str | None = None
    requests: tuple[Request, ...] = ()

    def shows(self, job_id: str) -> ListEntry | DetailEntry | None:
        if self.job is None:
            return next((e for e in self.entries if e.job_id == job_id), None)
        return self.detail if self.job == job_id else None

    def shown_summary(self, job_id: str) -> tuple[Summary, SyncStatus] | None:
        entry = self.shows(job_id)
        if entry is None:
            return None
        shown = entry.shown
        return (shown if isinstance(shown, Summary) else shown.summary(), entry.status)


@attrs.frozen
class Crash:
    device: str
    operation: str
    error: str


@attrs.frozen
class Settling:
    """How settling went: rounds used per phase and whether each phase went quiet."""

    rounds: tuple[int, ...]
    quiet: bool


@attrs.frozen
class StepResult:
    """One step: the world before and after an action (None: the starting world itself,
    so that properties of a single state are checked before any step)."""

    before: World
    action: act.Action | None
    world: World
    requests: tuple[Request, ...] = ()
    views: tuple[View, ...] = ()
    crashes: tuple[Crash, ...] = ()
    settling: Settling | None = None


# --- the mutable scratch of one step -----------------------------------------------------


class _Local:
    """A device's local store during one operation."""

    def __init__(self, run: _Run, device: str) -> None:
        self._run = run
        self._device = device

    def get(self, job_id: str) -> Job | None:
        return self._run.local[self._device].get(job_id)

    def put(self, job: Job) -> None:
        if not isinstance(job, Job):
            raise TypeError(f"local store takes a Job (got {type(job).__name__})")
        store = self._run.local[self._device]
        quota = self._run.devices[self._device].quota
        if job.job_id not in store and quota is not None and len(store) >= quota:
            raise QuotaExceeded(f"{self._device}: local store full ({quota} jobs)")
        store[job.job_id] = job

    def delete(self, job_id: str) -> None:
        self._run.local[self._device].pop(job_id, None)

    def all(self) -> tuple[Job, ...]:
        store = self._run.local[self._device]
        return tuple(store[key] for key in sorted(store))


class _Clock:
    def __init__(self, run: _Run) -> None:
        self._run = run

    def now(self) -> int:
        return self._run.clock


class _CloudHandle:
    """A device's handle on the cloud: every request goes through the network table."""

    def __init__(self, run: _Run, device: str) -> None:
        self._run = run
        self._device = device

    def list(self) -> CloudListing:
        self._run.send(self._device, Method.LIST, None)
        self._run.log(self._device, Method.LIST, None, Outcome.OK, "read")
        rows = self._run.rows
        return CloudListing(
            rows=tuple(rows[key] for key in sorted(rows)), deleted=frozenset(self._run.deleted)
        )

    def get(self, job_id: str) -> Job:
        self._run.send(self._device, Method.GET, job_id)
        return self._run.read_blob(self._device, job_id)

    def put(self, job: Job, if_match: str | None = None, if_absent: bool = False) -> None:
        request = InFlight(self._device, Method.PUT, job.job_id, job, if_match, if_absent)
        self._run.send(self._device, Method.PUT, job.job_id, request)
        self._run.apply(request, late=False)

    def put_nowait(self, job: Job, if_match: str | None = None, if_absent: bool = False) -> None:
        request = InFlight(self._device, Method.PUT, job.job_id, job, if_match, if_absent)
        try:
            self._run.send(self._device, Method.PUT, job.job_id, request, await_answer=False)
        except Exception:  # nobody awaits a fire-and-forget request; the log keeps it
            return

    def delete(self, job_id: str) -> None:
        request = InFlight(self._device, Method.DELETE, job_id)
        self._run.send(self._device, Method.DELETE, job_id, request)
        self._run.apply(request, late=False)


T = TypeVar("T")


class _Run:
    """The world thawed for one step: mutable dicts, frozen again by `freeze`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.clock = world.clock
        self.devices = {d.name: d for d in world.devices}
        self.local = {d.name: {job.job_id: job for job in d.local} for d in world.devices}
        self.states: dict[str, Hashable] = {d.name: d.client_state for d in world.devices}
        self.rows = {row.job_id: row for row in world.cloud.rows}
        self.blobs = {blob.job_id: blob for blob in world.cloud.blobs}
        self.deleted = set(world.cloud.deleted)
        self.in_flight = list(world.in_flight)
        self.history = world.history
        self.requests: list[Request] = []
        self.crashes: list[Crash] = []
        self._pending: list[tuple[Method, InFlight]] = []

    # the network ------------------------------------------------------------------------

    def _choose(self, device: str, method: Method) -> Outcome:
        state = self.devices[device]
        possible = POSSIBLE[method]
        if state.mode != "ok":  # nothing reaches the server: queued faults wait
            return Outcome(state.mode)
        for index, fault in enumerate(state.faults):
            name, _, only = fault.partition(" ")
            outcome = Outcome(name)
            if outcome in possible and only in ("", method.value):
                faults = state.faults[:index] + state.faults[index + 1 :]
                self.devices[device] = attrs.evolve(state, faults=faults)
                return outcome
        return Outcome.OK

    def log(
        self, device: str, method: Method, job: str | None, outcome: Outcome, effect: str
    ) -> None:
        self.requests.append(Request(device, method, job, outcome, effect))
        if method is not Method.LIST and job is not None:
            key = (device, job)
            failing = self.history.failing
            if method is Method.PUT and effect.endswith("applied"):
                failing = failing - {key}
            elif outcome is not Outcome.OK:
                failing = failing | {key}
            self.history = attrs.evolve(self.history, failing=failing)

    def send(
        self,
        device: str,
        method: Method,
        job: str | None,
        request: InFlight | None = None,
        await_answer: bool = True,
    ) -> None:
        """Route one request: raise its failure, or return so the caller performs it."""
        outcome = self._choose(device, method)
        if not await_answer and request is not None and outcome in (Outcome.OK, Outcome.TIMEOUT):
            self.in_flight.append(request)
            self.log(device, method, job, outcome, "in flight")
            return
        if outcome is Outcome.OK:
            return
        if outcome is Outcome.TORN and request is not None and request.job is not None:
            if self._precondition_fails(request) is None:
                self.rows[request.job.job_id] = request.job.summary()
                self.log(device, method, job, outcome, "row only")
                raise TornWrite(f"PUT /jobs/{job}: 500 after the row was written")
            outcome = Outcome.OK
            return
        if outcome is Outcome.TIMEOUT and request is not None:
            self.in_flight.append(request)
            self.log(device, method, job, outcome, "in flight")
        else:
            self.log(device, method, job, outcome, "failed")
        target = f"/jobs/{job}" if job else "/jobs"
        raise _RAISES[outcome](f"{method.value} {target}: {outcome.value}")

    # the cloud ----------------------------------------------------------------------------

    def read_blob(self, device: str, job_id: str) -> Job:
        if job_id in self.deleted:
            self.log(device, Method.GET, job_id, Outcome.OK, "gone")
            raise Gone(f"GET /jobs/{job_id}: 410")
        blob = self.blobs.get(job_id)
        if blob is None:
            self.log(device, Method.GET, job_id, Outcome.OK, "absent")
            raise NotFound(f"GET /jobs/{job_id}: 404")
        self.log(device, Method.GET, job_id, Outcome.OK, "read")
        return blob

    def _precondition_fails(self, request: InFlight) -> str | None:
        if request.job_id in self.deleted:
            return "gone"
        current = self.blobs.get(request.job_id)
        if request.if_absent and current is not None:
            return "conflict"
        if request.if_match is not None and (current is None or current.digest != request.if_match):
            return "conflict"
        return None

    def apply(self, request: InFlight, late: bool) -> None:
        """Perform a request at the cloud (now, or late when delivered from flight)."""
        prefix = "late: " if late else ""
        if request.method is Method.DELETE:
            self.rows.pop(request.job_id, None)
            self.blobs.pop(request.job_id, None)
            self.deleted.add(request.job_id)
            self.log(request.device, Method.DELETE, request.job_id, Outcome.OK, prefix + "applied")
            return
        assert request.job is not None
        refused = self._precondition_fails(request)
        if refused is not None:
            self.log(request.device, Method.PUT, request.job_id, Outcome.OK, prefix + refused)
            if late:
                return
            if refused == "gone":
                raise Gone(f"PUT /jobs/{request.job_id}: 410")
            raise Conflict(f"PUT /jobs/{request.job_id}: 412")
        self.rows[request.job_id] = request.job.summary()
        self.blobs[request.job_id] = request.job
        self.log(request.device, Method.PUT, request.job_id, Outcome.OK, prefix + "applied")

    # clients ------------------------------------------------------------------------------

    def call(self, device: str, operation: str, call: Callable[[Client], T]) -> T | None:
        """Rebuild the device's client, run one operation, keep its private state."""
        try:
            client = self.world.client(
                _Local(self, device), _CloudHandle(self, device), _Clock(self), self.states[device]
            )
        except VeosimError:
            raise
        except Exception as error:
            self.crashes.append(Crash(device, "construct", _describe(error)))
            return None
        result: T | None = None
        try:
            result = call(client)
        except VeosimError:
            raise
        except Exception as error:
            self.crashes.append(Crash(device, operation, _describe(error)))
        try:
            state = client.private_state()
            hash(state)
        except VeosimError:
            raise
        except Exception as error:
            self.crashes.append(Crash(device, "private_state", _describe(error)))
        else:
            self.states[device] = state
        return result

    def view_list(self, device: str) -> View:
        start, crashes = len(self.requests), len(self.crashes)
        entries = self.call(device, "list_jobs", lambda client: tuple(client.list_jobs()))
        crash = self.crashes[crashes].error if len(self.crashes) > crashes else None
        if crash is None and not _all_instances(entries, ListEntry):
            crash = f"list_jobs returned {entries!r}, not a sequence of ListEntry"
            self.crashes.append(Crash(device, "list_jobs", crash))
        return View(
            device=device,
            job=None,
            entries=entries if crash is None and entries is not None else (),
            crash=crash,
            requests=tuple(self.requests[start:]),
        )

    def view_detail(self, device: str, job_id: str) -> View:
        start, crashes = len(self.requests), len(self.crashes)
        detail = self.call(device, "get_job", lambda client: client.get_job(job_id))
        crash = self.crashes[crashes].error if len(self.crashes) > crashes else None
        if crash is None and detail is not None and not isinstance(detail, DetailEntry):
            crash = f"get_job returned {detail!r}, not a DetailEntry or None"
            self.crashes.append(Crash(device, "get_job", crash))
            detail = None
        return View(
            device=device,
            job=job_id,
            detail=detail if crash is None else None,
            crash=crash,
            requests=tuple(self.requests[start:]),
        )

    def freeze(self) -> World:
        devices = tuple(
            attrs.evolve(
                self.devices[d.name],
                local=tuple(self.local[d.name][key] for key in sorted(self.local[d.name])),
                client_state=self.states[d.name],
            )
            for d in self.world.devices
        )
        return attrs.evolve(
            self.world,
            clock=self.clock,
            devices=devices,
            cloud=Cloud(
                rows=tuple(self.rows[key] for key in sorted(self.rows)),
                blobs=tuple(self.blobs[key] for key in sorted(self.blobs)),
                deleted=frozenset(self.deleted),
            ),
            in_flight=tuple(self.in_flight),
            history=self.history,
        )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _all_instances(values: object, cls: type) -> bool:
    return isinstance(values, tuple) and all(isinstance(value, cls) for value in values)


# --- applying actions ----------------------------------------------------------------------


def applicable(world: World, action: act.Action) -> str | None:
    """Why the action cannot happen in this world, or None when it can."""
    device_name: str | None = getattr(action, "device", None)
    device: Device | None = None
    if device_name is not None:
        device = next((d for d in world.devices if d.name == device_name), None)
        if device is None:
            names = ", ".join(world.device_names)
            return f"unknown device {device_name!r}; the world has: {names}"
    if getattr(action, "job", None) == "":
        return "a job id must be a non-empty string"
    match action:
        case act.StartJob():
            if action.job in world.history.started or world.history.deleted(action.job):
                return f"job {action.job!r} was already started"
        case act.DeleteJob():
            if action.job not in world.job_ids():
                return f"no job {action.job!r} to delete"
        case act.AddScene() | act.FinishJob():
            assert device is not None
            if device.generated(action.job) is None:
                return f"the generator on {action.device} is not producing job {action.job!r}"
            if world.history.deleted(action.job):
                return f"job {action.job!r} was deleted"
            if isinstance(action, act.FinishJob) and action.status not in KNOWN_STATUSES[:3]:
                return (
                    f"finish_job status must be one of: completed, partial, failed "
                    f"(got {action.status!r})"
                )
        case act.EditJob():
            assert device is not None
            if device.screen_job != action.job:
                return f"{action.device} has no detail view of {action.job!r} open"
            if world.history.deleted(action.job):
                return f"job {action.job!r} was deleted"
        case act.SetNetwork():
            if action.mode not in MODES:
                return f"unknown network mode {action.mode!r}; expected one of: {', '.join(MODES)}"
        case act.InjectFault():
            if action.outcome not in FAULTS:
                return f"unknown fault {action.outcome!r}; expected one of: {', '.join(FAULTS)}"
            if action.method is not None:
                methods = [m.value for m in Method]
                if action.method not in methods:
                    return (
                        f"unknown method {action.method!r}; expected one of: {', '.join(methods)}"
                    )
                if Outcome(action.outcome) not in POSSIBLE[Method(action.method)]:
                    return f"a {action.method} request cannot fail with {action.outcome!r}"
        case act.Deliver() | act.DropRequest():
            # Out of range is no error: what is in flight depends on the client under
            # test, so a scenario step may find nothing to deliver (it then does nothing).
            if action.index < 0:
                return f"'index' must be >= 0 (got {action.index})"
        case act.Tick():
            if action.ms < 1:
                return f"'ms' must be >= 1 (got {action.ms})"
        case act.SetQuota():
            if action.limit is not None and action.limit < 0:
                return f"'limit' must be >= 0 (got {action.limit})"
    return None


def step(world: World, action: act.Action) -> StepResult:
    """Apply one action: the only way the world changes. Raises StepError when the
    action does not apply (see `applicable`)."""
    reason = applicable(world, action)
    if reason is not None:
        raise StepError(reason)
    run = _Run(world)
    run.clock += action.ms if isinstance(action, act.Tick) else 1
    views: list[View] = []
    settling: Settling | None = None
    match action:
        case act.StartJob():
            job = Job(action.job, "in_progress", 0, run.clock, run.clock)
            _generate(run, action.device, job)
        case act.AddScene():
            current = world.device(action.device).generated(action.job)
            assert current is not None
            _generate(
                run,
                action.device,
                attrs.evolve(current, scenes=current.scenes + 1, timestamp=run.clock),
            )
        case act.FinishJob():
            current = world.device(action.device).generated(action.job)
            assert current is not None
            _generate(
                run, action.device, attrs.evolve(current, status=action.status, timestamp=run.clock)
            )
        case act.EditJob():
            screen = world.device(action.device).screen
            if screen is not None:  # a detail view that showed nothing has nothing to edit
                edited = attrs.evolve(screen.shown, payload=action.payload, timestamp=run.clock)
                _save(run, action.device, edited)
        case act.OpenList():
            views.append(run.view_list(action.device))
        case act.OpenDetail():
            view = run.view_detail(action.device, action.job)
            views.append(view)
            run.devices[action.device] = attrs.evolve(
                run.devices[action.device], screen=view.detail, screen_job=action.job
            )
        case act.CloseDetail():
            run.devices[action.device] = attrs.evolve(
                run.devices[action.device], screen=None, screen_job=None
            )
        case act.SyncJob():
            run.call(action.device, "sync_job", lambda client: client.sync_job(action.job))
        case act.DeleteJob():
            run.history = attrs.evolve(
                run.history,
                deleted_on=run.history.deleted_on | {(action.device, action.job)},
            )
            run.call(action.device, "delete_job", lambda client: client.delete_job(action.job))
        case act.Tick():
            _tick_all(run)
        case act.SetNetwork():
            run.devices[action.device] = attrs.evolve(run.devices[action.device], mode=action.mode)
        case act.InjectFault():
            state = run.devices[action.device]
            fault = action.outcome if action.method is None else f"{action.outcome} {action.method}"
            run.devices[action.device] = attrs.evolve(state, faults=(*state.faults, fault))
        case act.Heal():
            _heal(run)
        case act.Deliver():
            if action.index < len(run.in_flight):
                run.apply(run.in_flight.pop(action.index), late=True)
        case act.DropRequest():
            if action.index < len(run.in_flight):
                dropped = run.in_flight.pop(action.index)
                run.log(dropped.device, dropped.method, dropped.job_id, Outcome.OK, "dropped")
        case act.SetQuota():
            run.devices[action.device] = attrs.evolve(
                run.devices[action.device], quota=action.limit
            )
        case act.Settle():
            settling = _settle(run)
        case _:
            raise StepError(f"the world does not know action {action.kind!r}")
    return StepResult(
        before=world,
        action=action,
        world=run.freeze(),
        requests=tuple(run.requests),
        views=tuple(views),
        crashes=tuple(run.crashes),
        settling=settling,
    )


def _save(run: _Run, device: str, job: Job) -> None:
    run.history = run.history.remember(job)

    def save(client: Client) -> None:
        client.save_job(job)

    run.call(device, "save_job", save)


def _generate(run: _Run, device: str, job: Job) -> None:
    """The generator saves its new version; a job it has finished it lets go of."""
    state = run.devices[device]
    others = tuple(j for j in state.generating if j.job_id != job.job_id)
    mine = (job,) if job.status == "in_progress" else ()
    run.devices[device] = attrs.evolve(
        state, generating=tuple(sorted((*others, *mine), key=lambda j: j.job_id))
    )
    _save(run, device, job)


def _tick_all(run: _Run) -> None:
    for name in run.devices:
        run.call(name, "tick", lambda client: client.tick())


def _heal(run: _Run) -> None:
    for name, state in run.devices.items():
        run.devices[name] = attrs.evolve(state, mode="ok", faults=())


def _snapshot(run: _Run) -> tuple[Any, ...]:
    return (
        tuple(sorted(run.states.items(), key=lambda item: item[0])),
        tuple(sorted(run.rows.items())),
        tuple(sorted(run.blobs.items())),
        tuple(sorted((name, tuple(sorted(store.items()))) for name, store in run.local.items())),
    )


def _until_quiet(run: _Run) -> tuple[int, bool]:
    """Tick every device until a round sends nothing and changes nothing."""
    for rounds in range(1, SETTLE_ROUNDS + 1):
        before, sent = _snapshot(run), len(run.requests)
        run.clock += SETTLE_TICK_MS
        _tick_all(run)
        if len(run.requests) == sent and _snapshot(run) == before:
            return rounds, True
    return SETTLE_ROUNDS, False


def _settle(run: _Run) -> Settling:
    _heal(run)
    while run.in_flight:
        run.apply(run.in_flight.pop(0), late=True)
    first, quiet_first = _until_quiet(run)
    passes, quiet_sync = 0, False
    while passes < SETTLE_ROUNDS and not quiet_sync:
        # The user presses Sync on every job each device holds or lists, until a whole
        # pass writes nothing and changes nothing: what "synced" means is the client's
        # and the core's business, not the world's.
        passes += 1
        before, sent = _snapshot(run), len(run.requests)
        for name in run.devices:
            listed = {entry.job_id for entry in run.view_list(name).entries}
            for job_id in sorted(listed | set(run.local[name])):
                run.call(name, "sync_job", _sync(job_id))
        writes = [r for r in run.requests[sent:] if r.method in (Method.PUT, Method.DELETE)]
        quiet_sync = not writes and _snapshot(run) == before
    second, quiet_second = _until_quiet(run)
    return Settling(
        rounds=(first, passes, second), quiet=quiet_first and quiet_sync and quiet_second
    )


def _sync(job_id: str) -> Callable[[Client], None]:
    def press(client: Client) -> None:
        client.sync_job(job_id)

    return press


# --- probes: what a view would show, without changing the world -----------------------------


def probe_client(factory: ClientFactory) -> str | None:
    """What keeps `factory` from being a client (construction fails, an operation or
    the private state is missing), or None."""
    run = _Run(initial_world(factory, devices=("d1",)))
    try:
        client = factory(_Local(run, "d1"), _CloudHandle(run, "d1"), _Clock(run), None)
    except Exception as error:  # the user's constructor: report it, don't crash
        return f"constructing it raised {_describe(error)}"
    missing = [name for name in OPERATIONS if not callable(getattr(client, name, None))]
    if missing:
        return f"{type(client).__name__} has no {', '.join(missing)} (see veosim/contract.py)"
    return None


def at_rest(world: World) -> StepResult:
    """The starting world as a step that changed nothing, for checking it."""
    return StepResult(before=world, action=None, world=world)


def probe_list(world: World, device: str) -> View:
    """What the history list on `device` would show now (the world is not changed)."""
    return _Run(world).view_list(device)


def probe_detail(world: World, device: str, job_id: str) -> View:
    """What the detail view of `job_id` on `device` would show now."""
    return _Run(world).view_detail(device, job_id)
