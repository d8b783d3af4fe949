"""Scenario files: the only module that reads or writes them.

A scenario is data, never code, and never names the client: the devices, the starting
contents of every local store and of the cloud, the steps (one action each, as
`veosim.actions` names them, optionally with a network fault for that step), and what
must happen (`[expect]`). Loading validates everything a replay needs and raises
`ScenarioError(path, line, message)` for anything wrong, with the line of the offending
key or `[[step]]` table; any other exception escaping `load` or `loads` is a bug.
`dumps` writes the same format back (tomli_w for every value, so a file written and
loaded again is the same scenario), and `export` writes a driver's counterexample out
as a regression test. See docs/scenarios.md for the format.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
import tomli_w

from veosim import actions as act
from veosim.contract import ClientFactory
from veosim.model import Job, VeosimError
from veosim.properties import PROPERTY_NAMES
from veosim.world import FAULTS, World, initial_world

if TYPE_CHECKING:
    from veosim.drivers.counterexample import Counterexample


class ScenarioError(VeosimError):
    """A scenario file that cannot be read or replayed: `path:line: message`."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


@attrs.frozen
class Step:
    """One step of a scenario: an action, and optionally the network fault that the
    action's device meets (an `inject_fault` right before the action)."""

    action: act.Action
    fault: str | None = None
    line: int | None = attrs.field(default=None, eq=False)
    """Where the step's `[[step]]` table starts in its file (None: not from a file)."""

    def actions(self) -> tuple[act.Action, ...]:
        """What the world sees: the fault as its own action, then the step's action."""
        if self.fault is None:
            return (self.action,)
        device: str = getattr(self.action, "device")  # noqa: B009 (the loader checked it)
        return (act.InjectFault(device, self.fault), self.action)


@attrs.frozen
class Expect:
    """What must happen when the scenario is replayed with the default client.

    `violated` empty: every property holds at every step. Otherwise each named property
    is violated at some step, and, with `from_step`, the first violation of any of them
    is at that step (1-based, counting the scenario's steps).
    """

    violated: tuple[str, ...] = ()
    from_step: int | None = None

    @property
    def holds(self) -> bool:
        return not self.violated

    def describe(self) -> str:
        if self.holds:
            return "holds"
        text = "violated " + ", ".join(self.violated)
        return text if self.from_step is None else f"{text} from step {self.from_step}"


@attrs.frozen
class Scenario:
    """A scenario file's content: starting world, steps, expectation."""

    title: str
    devices: tuple[str, ...]
    steps: tuple[Step, ...]
    expect: Expect = Expect()
    description: str = ""
    link: str = ""
    local: tuple[tuple[str, tuple[Job, ...]], ...] = ()
    """Per device (in `devices` order, devices with no jobs left out): its jobs by id."""
    cloud: tuple[Job, ...] = ()
    clock: int | None = None
    jobs: tuple[str, ...] = ()
    """Job ids the steps may name that no store holds at the start and no step starts."""
    path: str = attrs.field(default="<scenario>", eq=False)

    def initial(self, client: ClientFactory) -> World:
        """The starting world, with `client` on every device."""
        if self.clock is None:
            return initial_world(client, self.devices, dict(self.local), self.cloud)
        return initial_world(client, self.devices, dict(self.local), self.cloud, self.clock)

    def actions(self) -> tuple[tuple[int, act.Action, int | None], ...]:
        """Every action the world sees, with its step's 1-based index and line."""
        return tuple(
            (index, action, step.line)
            for index, step in enumerate(self.steps, start=1)
            for action in step.actions()
        )


# --- reading ------------------------------------------------------------------------------

_TOP_KEYS = (
    "title",
    "description",
    "link",
    "devices",
    "clock",
    "jobs",
    "local",
    "cloud",
    "step",
    "expect",
)
_JOB_KEYS = ("job_id", "status", "scenes", "timestamp", "created_at", "payload")
_STEP_KEYS = ("action", "actor", "fault")
_EXPECT_KEYS = ("holds", "violated", "from_step")
_ACTORS = tuple(sorted({cls.actor for cls in act.ACTION_TYPES}))

_Where = tuple[str, int]
"""A table in the file: its header (`step`, `local.d1`, `expect`, `` top level) and
which occurrence of it (arrays of tables repeat the header)."""

_TOP: _Where = ("", 0)


def _normal(name: str) -> str:
    return re.sub(r"[\s\"']", "", name)


class _Lines:
    """A line index of the file's table headers and `key =` lines, to point at errors.

    It is a scan, not a parser: good enough to find the line a human would look at, and
    it never fails (the file already parsed as TOML when it is used).
    """

    _KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*(\.|=)""")

    def __init__(self, text: str) -> None:
        self.tables: dict[_Where, int] = {_TOP: 1}
        self.keys: dict[tuple[_Where, str], int] = {}
        seen: dict[str, int] = {}
        current = _TOP
        in_string: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            stripped = line.strip()
            if stripped.startswith("[["):
                name = _normal(stripped[2:].split("]]", 1)[0])
                current = (name, seen.get(name, 0))
                seen[name] = current[1] + 1
                self.tables.setdefault(current, number)
                continue
            if stripped.startswith("["):
                current = (_normal(stripped[1:].split("]", 1)[0]), 0)
                self.tables.setdefault(current, number)
                continue
            match = self._KEY.match(line)
            if match:
                self.keys.setdefault((current, _normal(match.group(1))), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_string = quote
                    break

    def find(self, *places: tuple[_Where, str | None]) -> int:
        """The line of the first place the file has: a key in a table, or the table."""
        for where, key in places:
            if key is not None and (where, key) in self.keys:
                return self.keys[(where, key)]
            if key is None and where in self.tables:
                return self.tables[where]
        return 1


def _hint(name: str, choices: Iterable[str]) -> str:
    options = sorted(choices)
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of: {', '.join(options)}"


def _type_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), f"a {type(value).__name__}")


class _Reader:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = _Lines(text)

    def fail(self, message: str, *places: tuple[_Where, str | None]) -> NoReturn:
        raise ScenarioError(self.path, self.lines.find(*places), message)

    def keys(
        self, table: Mapping[str, Any], allowed: Sequence[str], what: str, where: _Where
    ) -> None:
        for key in table:
            if key not in allowed:
                self.fail(f"unknown key {key!r} in {what}{_hint(key, allowed)}", (where, key))

    def string(
        self, value: object, name: str, where: _Where, fallback: _Where, non_empty: bool = True
    ) -> str:
        if not isinstance(value, str):
            self.fail(
                f"{name!r} must be a string (got {_type_name(value)})",
                (where, name),
                (fallback, name),
                (where, None),
            )
        if non_empty and value == "":
            self.fail(f"{name!r} must be a non-empty string (got '')", (where, name), (where, None))
        return value

    def count(self, value: object, name: str, where: _Where, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(
                f"{name!r} must be an integer (got {_type_name(value)})",
                (where, name),
                (where, None),
            )
        if value < minimum:
            self.fail(f"{name!r} must be >= {minimum} (got {value})", (where, name), (where, None))
        return value

    def names(self, value: object, name: str, where: _Where) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(
                f"{name!r} must be an array of non-empty strings", (where, name), (where, None)
            )
        duplicates = sorted({v for v in value if value.count(v) > 1})
        if duplicates:
            self.fail(f"{name!r} names {duplicates[0]!r} twice", (where, name))
        return tuple(value)

    # --- the parts of a file ----------------------------------------------------------

    def scenario(self, data: dict[str, Any]) -> Scenario:
        self.keys(data, _TOP_KEYS, "the scenario", _TOP)
        if "title" not in data:
            self.fail("missing 'title': say in one line what the scenario shows", (_TOP, None))
        title = self.string(data["title"], "title", _TOP, _TOP)
        description = self.string(data.get("description", ""), "description", _TOP, _TOP, False)
        link = self.string(data.get("link", ""), "link", _TOP, _TOP, False)
        if "devices" not in data:
            self.fail('missing \'devices\': e.g. devices = ["d1", "d2"]', (_TOP, None))
        devices = self.names(data["devices"], "devices", _TOP)
        if not devices:
            self.fail("'devices' must name at least one device", (_TOP, "devices"))
        clock = None if "clock" not in data else self.count(data["clock"], "clock", _TOP)
        jobs = self.names(data.get("jobs", []), "jobs", _TOP)
        local = self.local(data.get("local", {}), devices)
        cloud = self.store(data.get("cloud", []), "cloud", (("cloud", 0), None))
        known = set(jobs) | {job.job_id for job in cloud}
        known.update(job.job_id for _, held in local for job in held)
        raw_steps = data.get("step", [])
        if not isinstance(raw_steps, list):
            self.fail(
                f"'step' must be an array of tables ([[step]]) (got {_type_name(raw_steps)})",
                (_TOP, "step"),
            )
        started = [
            step.get("job")
            for step in raw_steps
            if isinstance(step, dict) and step.get("action") == "start_job"
        ]
        known.update(job for job in started if isinstance(job, str) and job)
        steps = tuple(
            self.step(raw, index, devices, frozenset(known)) for index, raw in enumerate(raw_steps)
        )
        if "expect" not in data:
            self.fail(
                "missing [expect]: add 'holds = true' or 'violated = [\"<property>\"]'",
                (_TOP, None),
            )
        expect = self.expect(data["expect"], len(steps))
        return Scenario(
            title=title,
            devices=devices,
            steps=steps,
            expect=expect,
            description=description,
            link=link,
            local=local,
            cloud=cloud,
            clock=clock,
            jobs=jobs,
            path=self.path,
        )

    def local(
        self, value: object, devices: tuple[str, ...]
    ) -> tuple[tuple[str, tuple[Job, ...]], ...]:
        if not isinstance(value, dict):
            self.fail(
                f"'local' must be a table of devices (got {_type_name(value)})", (_TOP, "local")
            )
        for device in value:
            if device not in devices:
                self.fail(
                    f"local contents for unknown device {device!r}{_hint(device, devices)}",
                    ((f"local.{_normal(device)}", 0), None),
                    (("local", 0), _normal(device)),
                    (_TOP, "local"),
                )
        return tuple(
            (
                device,
                self.store(
                    value[device],
                    f"local.{device}",
                    ((f"local.{_normal(device)}", 0), None),
                    (("local", 0), _normal(device)),
                ),
            )
            for device in devices
            if value.get(device)
        )

    def store(
        self, value: object, name: str, *fallback: tuple[_Where, str | None]
    ) -> tuple[Job, ...]:
        header = _normal(name)
        if not isinstance(value, list):
            self.fail(
                f"{name!r} must be an array of jobs ([[{name}]]) (got {_type_name(value)})",
                *fallback,
                (_TOP, header.split(".")[0]),
            )
        jobs: dict[str, Job] = {}
        for index, raw in enumerate(value):
            where = (header, index)
            places = ((where, None), *fallback)
            if not isinstance(raw, dict):
                self.fail(f"a job in {name!r} must be a table (got {_type_name(raw)})", *places)
            self.keys(raw, _JOB_KEYS, f"a job in {name!r}", where)
            for key in _JOB_KEYS[:-1]:
                if key not in raw:
                    self.fail(f"a job in {name!r} needs {key!r}", *places)
            job = Job(
                job_id=self.string(raw["job_id"], "job_id", where, where),
                status=self.string(raw["status"], "status", where, where, False),
                scenes=self.count(raw["scenes"], "scenes", where),
                timestamp=self.count(raw["timestamp"], "timestamp", where),
                created_at=self.count(raw["created_at"], "created_at", where),
                payload=self.string(raw.get("payload", ""), "payload", where, where, False),
            )
            if job.job_id in jobs:
                self.fail(f"{name!r} holds job {job.job_id!r} twice", (where, "job_id"))
            jobs[job.job_id] = job
        return tuple(jobs[key] for key in sorted(jobs))

    def step(
        self, raw: object, index: int, devices: tuple[str, ...], known: frozenset[str]
    ) -> Step:
        where = ("step", index)
        here = (where, None)
        line = self.lines.find(here, (_TOP, "step"))
        if not isinstance(raw, dict):
            self.fail(f"a step must be a table ([[step]]) (got {_type_name(raw)})", here)
        if "action" not in raw:
            self.fail("a step needs 'action', e.g. action = \"open_list\"", here)
        kind = self.string(raw["action"], "action", where, where)
        cls = act.ACTIONS.get(kind)
        if cls is None:
            self.fail(f"unknown action {kind!r}{_hint(kind, act.ACTIONS)}", (where, "action"))
        arguments = {key: value for key, value in raw.items() if key not in _STEP_KEYS}
        for key, value in arguments.items():
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                self.fail(f"{key!r} must be >= 0 (got {value})", (where, key))
        if "actor" in raw:
            actor = self.string(raw["actor"], "actor", where, where)
            if actor not in _ACTORS:
                self.fail(f"unknown actor {actor!r}{_hint(actor, _ACTORS)}", (where, "actor"))
            if actor != cls.actor:
                self.fail(
                    f"action {kind!r} is done by {cls.actor!r}, not {actor!r}", (where, "actor")
                )
        try:
            action = act.build_action(kind, arguments)
        except act.ActionError as error:
            named = () if error.argument is None else ((where, error.argument),)
            self.fail(str(error), *named, here)
        device = arguments.get("device")
        if isinstance(device, str) and device not in devices:
            self.fail(f"unknown device {device!r}{_hint(device, devices)}", (where, "device"))
        job = arguments.get("job")
        if isinstance(job, str) and job not in known:
            self.fail(
                f"unknown job {job!r}{_hint(job, known) if known else ''} (a step may name a "
                f"job of the starting contents, one a start_job step starts, or one in 'jobs')",
                (where, "job"),
            )
        fault = None
        if "fault" in raw:
            fault = self.string(raw["fault"], "fault", where, where)
            if fault not in FAULTS:
                self.fail(f"unknown fault {fault!r}{_hint(fault, FAULTS)}", (where, "fault"))
            if "device" not in attrs.fields_dict(cls):
                self.fail(
                    f"'fault' needs a step with a device; action {kind!r} has none "
                    f"(use an inject_fault step)",
                    (where, "fault"),
                )
        return Step(action=action, fault=fault, line=line)

    def expect(self, value: object, steps: int) -> Expect:
        where = ("expect", 0)
        places = ((where, None), (_TOP, "expect"))
        if not isinstance(value, dict):
            self.fail(f"'expect' must be a table ([expect]) (got {_type_name(value)})", *places)
        self.keys(value, _EXPECT_KEYS, "[expect]", where)
        holds = value.get("holds")
        if holds is not None and not isinstance(holds, bool):
            self.fail(f"'holds' must be a boolean (got {_type_name(holds)})", (where, "holds"))
        if "violated" not in value:
            if holds is not True:
                self.fail("[expect] needs 'holds = true' or 'violated = [\"<property>\"]'", *places)
            if "from_step" in value:
                self.fail("'from_step' needs 'violated'", (where, "from_step"))
            return Expect()
        if holds is True:
            self.fail("[expect] says both 'holds = true' and 'violated'", (where, "holds"))
        violated = self.names(value["violated"], "violated", where)
        if not violated:
            self.fail("'violated' must name at least one property", (where, "violated"))
        for name in violated:
            if name not in PROPERTY_NAMES:
                self.fail(
                    f"unknown property {name!r}{_hint(name, PROPERTY_NAMES)}",
                    (where, "violated"),
                )
        from_step = None
        if "from_step" in value:
            from_step = self.count(value["from_step"], "from_step", where, minimum=0)
            if from_step > steps:
                self.fail(
                    f"'from_step' must be at most the number of steps, {steps} (got {from_step})",
                    (where, "from_step"),
                )
        return Expect(violated=violated, from_step=from_step)


_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")


def loads(text: str, path: str = "<scenario>") -> Scenario:
    """The scenario in `text`; `path` names it in errors. Raises ScenarioError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _AT.search(message)
        line: int | None = None
        if match is not None:
            message = message[: match.start()] + message[match.end() :]
            if match.group(1) is not None:
                line = int(match.group(1))
                message = f"{message} (column {match.group(2)})"
            else:
                line = max(1, len(text.splitlines()))
                message = f"{message} (at the end of the file)"
        raise ScenarioError(path, line, f"invalid TOML: {message}") from None
    except RecursionError:
        raise ScenarioError(path, None, "invalid TOML: nested too deeply") from None
    return _Reader(path, text).scenario(data)


def load(path: str | Path) -> Scenario:
    """The scenario in the file at `path`. Raises ScenarioError."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ScenarioError(name, None, f"cannot read: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScenarioError(name, line, "not UTF-8 text") from None
    return loads(text, name)


# --- writing ------------------------------------------------------------------------------


def _key(name: str) -> str:
    """`name` as a TOML key, quoted when it must be (tomli_w decides)."""
    return tomli_w.dumps({name: 0}).split(" = ", 1)[0]


def _job_table(job: Job) -> dict[str, Any]:
    table: dict[str, Any] = job.to_dict()
    if not job.payload:
        del table["payload"]
    return table


def dumps(scenario: Scenario) -> str:
    """The scenario as a scenario file: same scenario, same text, byte for byte."""
    top: dict[str, Any] = {"title": scenario.title}
    if scenario.description:
        top["description"] = scenario.description
    if scenario.link:
        top["link"] = scenario.link
    top["devices"] = list(scenario.devices)
    if scenario.clock is not None:
        top["clock"] = scenario.clock
    if scenario.jobs:
        top["jobs"] = list(scenario.jobs)
    parts = [tomli_w.dumps(top, multiline_strings=True)]
    for device, jobs in scenario.local:
        for job in jobs:
            parts.append(f"[[local.{_key(device)}]]\n" + tomli_w.dumps(_job_table(job)))
    for job in scenario.cloud:
        parts.append("[[cloud]]\n" + tomli_w.dumps(_job_table(job)))
    for step in scenario.steps:
        table: dict[str, Any] = {"action": step.action.kind, **step.action.arguments()}
        if step.fault is not None:
            table["fault"] = step.fault
        parts.append("[[step]]\n" + tomli_w.dumps(table))
    expect: dict[str, Any] = {"holds": True}
    if not scenario.expect.holds:
        expect = {"violated": list(scenario.expect.violated)}
        if scenario.expect.from_step is not None:
            expect["from_step"] = scenario.expect.from_step
    parts.append("[expect]\n" + tomli_w.dumps(expect))
    return "\n".join(parts)


def from_steps(
    initial: World,
    steps: Sequence[act.Action],
    title: str = "a recorded run",
    description: str = "",
    link: str = "",
    expect: Expect = Expect(),
) -> Scenario:
    """A scenario that replays `steps` from `initial`, which must be a world at rest as
    `world.initial_world` builds it (raises ScenarioError otherwise)."""
    local = tuple((device.name, device.local) for device in initial.devices if device.local)
    rebuilt = initial_world(
        initial.client, initial.device_names, dict(local), initial.cloud.blobs, initial.clock
    )
    if rebuilt != initial:
        raise ScenarioError(
            "<world>",
            None,
            "the starting world is not at rest (a torn cloud, deleted jobs, requests in "
            "flight, network modes or client state): a scenario cannot state it",
        )
    known = {job.job_id for job in initial.cloud.blobs}
    known.update(job.job_id for _, jobs in local for job in jobs)
    known.update(a.job for a in steps if isinstance(a, act.StartJob))
    named = {getattr(a, "job") for a in steps if isinstance(getattr(a, "job", None), str)}  # noqa: B009
    return Scenario(
        title=title,
        devices=initial.device_names,
        steps=tuple(Step(action) for action in steps),
        expect=expect,
        description=description,
        link=link,
        local=local,
        cloud=initial.cloud.blobs,
        clock=initial.clock,
        jobs=tuple(sorted(named - known)),
    )


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "client"


def export(counterexample: Counterexample, directory: str | Path, client_name: str) -> Path:
    """Write a driver's counterexample as a scenario file in `directory` (created if
    needed); the name is `<client>-<property>-<8 hex of the content's hash>.toml`."""
    violation = counterexample.violation
    steps = counterexample.steps
    plural = "" if len(steps) == 1 else "s"
    scenario = from_steps(
        counterexample.initial,
        steps,
        title=f"{client_name} violates {violation.property}",
        description=(
            f"Found by veosim against --client {client_name}, from the "
            f"{counterexample.start!r} start, in {len(steps)} step{plural}.\n"
            f"{violation.property}: {violation.message}"
        ),
        expect=Expect(violated=(violation.property,), from_step=len(steps)),
    )
    text = dumps(scenario)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{_file_part(client_name)}-{violation.property}-{digest}.toml"
    path.write_text(text, encoding="utf-8")
    return path
