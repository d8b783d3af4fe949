"""Actions: one frozen class per thing that can happen in the world.

Actions are data. `world.step(world, action)` is the only way the world changes, and the
three drivers (state machine, explorer, replayer) build the same actions. Each class has
a snake_case `kind`: the name scenario files and printed counterexamples use.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, ClassVar

import attrs

from veosim.model import VeosimError


@attrs.frozen
class Action:
    """Base class: `kind` is the name in scenario files; `actor` says who acts."""

    kind: ClassVar[str] = ""
    actor: ClassVar[str] = ""

    def arguments(self) -> dict[str, Any]:
        """The action's fields as plain data, in declaration order, None left out."""
        return {
            field.name: getattr(self, field.name)
            for field in attrs.fields(type(self))
            if getattr(self, field.name) is not None
        }

    def describe(self) -> str:
        """One line, the way a scenario step reads: `open_detail device=d1 job=j1`."""
        args = " ".join(f"{name}={value}" for name, value in self.arguments().items())
        return f"{self.kind} {args}".strip()


# --- the generator: creates and advances a job on one device -------------------------


@attrs.frozen
class StartJob(Action):
    """The generator starts a job on a device: in_progress, no scenes."""

    kind: ClassVar[str] = "start_job"
    actor: ClassVar[str] = "generator"
    device: str
    job: str


@attrs.frozen
class AddScene(Action):
    """The generator adds a scene to the device's current version of the job."""

    kind: ClassVar[str] = "add_scene"
    actor: ClassVar[str] = "generator"
    device: str
    job: str


@attrs.frozen
class FinishJob(Action):
    """The generator ends the job: completed, partial or failed."""

    kind: ClassVar[str] = "finish_job"
    actor: ClassVar[str] = "generator"
    device: str
    job: str
    status: str = "completed"


# --- the user ------------------------------------------------------------------------


@attrs.frozen
class OpenList(Action):
    """The user opens the history list on a device."""

    kind: ClassVar[str] = "open_list"
    actor: ClassVar[str] = "user"
    device: str


@attrs.frozen
class OpenDetail(Action):
    """The user clicks a job: its detail view opens and stays on screen."""

    kind: ClassVar[str] = "open_detail"
    actor: ClassVar[str] = "user"
    device: str
    job: str


@attrs.frozen
class CloseDetail(Action):
    """The user closes the detail view."""

    kind: ClassVar[str] = "close_detail"
    actor: ClassVar[str] = "user"
    device: str


@attrs.frozen
class EditJob(Action):
    """The user edits the version on screen (its payload); the app saves it."""

    kind: ClassVar[str] = "edit_job"
    actor: ClassVar[str] = "user"
    device: str
    job: str
    payload: str = "edited"


@attrs.frozen
class SyncJob(Action):
    """The user presses the job's "Sync" button."""

    kind: ClassVar[str] = "sync_job"
    actor: ClassVar[str] = "user"
    device: str
    job: str


@attrs.frozen
class DeleteJob(Action):
    """The user deletes the job on a device."""

    kind: ClassVar[str] = "delete_job"
    actor: ClassVar[str] = "user"
    device: str
    job: str


# --- the clock and the network -------------------------------------------------------


@attrs.frozen
class Tick(Action):
    """Time passes by `ms`; every device's retry timers get their turn."""

    kind: ClassVar[str] = "tick"
    actor: ClassVar[str] = "clock"
    ms: int = 1000


@attrs.frozen
class SetNetwork(Action):
    """A device's network changes for every later request: ok, offline, timeout, 401, 500."""

    kind: ClassVar[str] = "set_network"
    actor: ClassVar[str] = "network"
    device: str
    mode: str


@attrs.frozen
class InjectFault(Action):
    """The next request of the device that can fail this way does (e.g. torn: next PUT);
    with `method`, the next request of that method (e.g. a PUT that times out after the
    GET before it went through)."""

    kind: ClassVar[str] = "inject_fault"
    actor: ClassVar[str] = "network"
    device: str
    outcome: str
    method: str | None = None


@attrs.frozen
class Heal(Action):
    """Every device's network is ok again and queued faults are cleared."""

    kind: ClassVar[str] = "heal"
    actor: ClassVar[str] = "network"


@attrs.frozen
class Deliver(Action):
    """The in-flight request at `index` (oldest first) lands at the cloud now."""

    kind: ClassVar[str] = "deliver"
    actor: ClassVar[str] = "network"
    index: int = 0


@attrs.frozen
class DropRequest(Action):
    """The in-flight request at `index` is lost for good."""

    kind: ClassVar[str] = "drop_request"
    actor: ClassVar[str] = "network"
    index: int = 0


@attrs.frozen
class SetQuota(Action):
    """A device's local store holds at most `limit` jobs from now on (None: unbounded)."""

    kind: ClassVar[str] = "set_quota"
    actor: ClassVar[str] = "device"
    device: str
    limit: int | None = None


@attrs.frozen
class Settle(Action):
    """The network heals, in-flight requests land, clients tick until quiet, then every
    device presses Sync on each job it holds that is not synced, and ticks until quiet."""

    kind: ClassVar[str] = "settle"
    actor: ClassVar[str] = "world"


ACTION_TYPES: tuple[type[Action], ...] = (
    StartJob,
    AddScene,
    FinishJob,
    OpenList,
    OpenDetail,
    CloseDetail,
    EditJob,
    SyncJob,
    DeleteJob,
    Tick,
    SetNetwork,
    InjectFault,
    Heal,
    Deliver,
    DropRequest,
    SetQuota,
    Settle,
)

ACTIONS: dict[str, type[Action]] = {cls.kind: cls for cls in ACTION_TYPES}

VIEW_ACTIONS: tuple[type[Action], ...] = (OpenList, OpenDetail)


class ActionError(VeosimError):
    """An action that cannot be built: unknown kind, or bad arguments. `argument` names
    the offending argument, when there is one, so that a file can point at its line."""

    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES: dict[str, tuple[str, Callable[[object], bool]]] = {
    "str": ("a string", lambda v: isinstance(v, str)),
    "int": ("an integer", _integer),
    "str | None": ("a string or absent", lambda v: v is None or isinstance(v, str)),
    "int | None": ("an integer or absent", lambda v: v is None or _integer(v)),
}
"""Each argument annotation used above: how to name it, and how to check a value."""


def build_action(kind: str, arguments: dict[str, Any]) -> Action:
    """Build an action from its kind and arguments, as a scenario file states them."""
    cls = ACTIONS.get(kind)
    if cls is None:
        raise ActionError(f"unknown action {kind!r}; expected one of: {', '.join(sorted(ACTIONS))}")
    names = {field.name: field for field in attrs.fields(cls)}
    for name in sorted(arguments):  # the first by name: the same message every time
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"it takes: {', '.join(names) or 'nothing'}"
            )
            raise ActionError(f"action {kind!r} has no argument {name!r}; {hint}", name)
    for name, field in names.items():
        if name not in arguments:
            if field.default is attrs.NOTHING:
                raise ActionError(f"action {kind!r} needs argument {name!r}")
            continue
        expected, check = _TYPES[str(field.type)]
        if not check(arguments[name]):
            raise ActionError(
                f"action {kind!r}: {name!r} must be {expected} (got {arguments[name]!r})", name
            )
    try:
        return cls(**arguments)
    except (TypeError, ValueError) as error:  # a validator's message is already exact
        raise ActionError(f"action {kind!r}: {error}") from None
