"""The pytest plugin: `pytest --veosim-client NAME` checks a client as ordinary tests.

Each property in `properties.PROPERTY_NAMES` becomes one test item,
`veosim/<client>::<property>` (JUnit XML: class `veosim.<client>`, test `<property>`), that runs the Hypothesis driver checking that property
alone; a failure exports its shrunk counterexample as a scenario file first, then fails
the item with the violation, the timeline of its steps and the file's path. A last item,
`veosim/<client>::sometimes`, fails (in the ci and nightly profiles) when a SOMETIMES
state was reached by none of those runs, so that a green run is known not to be vacuous.

Without `--veosim-client` the plugin adds nothing, so a normal test run is unchanged.
The reached counts are kept per process: under pytest-xdist, or when `-k` leaves some
property items out, the sometimes item tops them up with a machine run of its own.
"""

from __future__ import annotations

import collections
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the modules below load Hypothesis: only import them when asked to run
    from _pytest._code.code import TerminalRepr, TracebackStyle

    from veosim.clients import ClientSpec
    from veosim.drivers.counterexample import Counterexample
    from veosim.drivers.machine import MachineReport

DEFAULT_EXPORT = "scenarios/found"
SOMETIMES_ITEM = "sometimes"
PROFILE_CHOICES = "dev|ci|nightly"


@dataclasses.dataclass
class _Session:
    """What the plugin was asked to check, and what the runs so far have reached."""

    spec: ClientSpec
    profile: str
    seed: int | None
    export_dir: Path
    reached: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    ran: set[str] = dataclasses.field(default_factory=set)

    def run(self, checked: tuple[str, ...]) -> MachineReport:
        from veosim.drivers.machine import run_machine

        report = run_machine(
            self.spec.factory,
            self.spec.name,
            checked=checked,
            profile=self.profile,
            seed=self.seed,
        )
        self.reached.update(dict(report.reached))
        self.ran.update(checked)
        return report


_SESSION = pytest.StashKey[_Session]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("veosim", "veosim: check a sync client's properties")
    group.addoption(
        "--veosim-client",
        metavar="NAME",
        default=None,
        help="check this client: a built-in name (reference, seed-prefix, ...) or "
        "package.module:Class; adds one test per property",
    )
    group.addoption(
        "--veosim-profile",
        metavar="PROFILE",
        default=None,
        help=f"search effort: {PROFILE_CHOICES} (default: $VEOSIM_PROFILE, else dev)",
    )
    group.addoption(
        "--veosim-seed",
        metavar="N",
        type=int,
        default=None,
        help="seed the search (default: derandomized in ci, random otherwise)",
    )
    group.addoption(
        "--veosim-export",
        metavar="DIR",
        default=DEFAULT_EXPORT,
        help=f"write each counterexample as a scenario file here (default: {DEFAULT_EXPORT})",
    )


def pytest_configure(config: pytest.Config) -> None:
    name: str | None = config.getoption("veosim_client")
    if name is None:
        return
    from veosim.clients import ClientError, resolve
    from veosim.drivers.machine import PROFILES, current_profile

    try:
        spec = resolve(name)
    except ClientError as error:
        raise pytest.UsageError(f"--veosim-client: {error}") from None
    profile: str = config.getoption("veosim_profile") or current_profile()
    if profile not in PROFILES:
        raise pytest.UsageError(
            f"--veosim-profile: unknown profile {profile!r}; expected one of: {', '.join(PROFILES)}"
        )
    export_dir = config.invocation_params.dir / config.getoption("veosim_export")
    config.stash[_SESSION] = _Session(spec, profile, config.getoption("veosim_seed"), export_dir)


def pytest_report_header(config: pytest.Config) -> str | None:
    state = config.stash.get(_SESSION, None)
    if state is None:
        return None
    seed = "" if state.seed is None else f", seed {state.seed}"
    return f"veosim: client {state.spec.name}, profile {state.profile}{seed}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    # tryfirst: added before -k/-m deselection runs, so those select veosim items too.
    state = config.stash.get(_SESSION, None)
    if state is None:
        return
    name = f"veosim/{state.spec.name}"
    group = ClientCollector.from_parent(session, name=name, nodeid=name)
    added = group.collect()
    # Report them as collected, so that "collected N items" and the summary count them.
    result: list[pytest.Item | pytest.Collector] = [*added]
    session.ihook.pytest_collectreport(
        report=pytest.CollectReport(group.nodeid, "passed", None, result)
    )
    items.extend(added)


class ClientCollector(pytest.Collector):
    """The `veosim/<client>` node: one item per property, then the sometimes item."""

    def collect(self) -> list[pytest.Item]:
        from veosim import properties

        found: list[pytest.Item] = [
            PropertyItem.from_parent(self, name=name) for name in properties.PROPERTY_NAMES
        ]
        # Last, so that it sees the reached counts of every property run before it.
        found.append(SometimesItem.from_parent(self, name=SOMETIMES_ITEM))
        return found


class VeosimFailure(Exception):
    """A veosim item failed: the message is the whole report, shown without traceback."""


class _VeosimItem(pytest.Item):
    def _state(self) -> _Session:
        return self.config.stash[_SESSION]

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: TracebackStyle | None = None,
    ) -> str | TerminalRepr:
        # Our own failures are reports, not bugs: no traceback. Anything else (a client
        # that raises past the world, our own bug) keeps pytest's usual traceback.
        if isinstance(excinfo.value, VeosimFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.nodeid


class PropertyItem(_VeosimItem):
    """One property, checked by the Hypothesis driver against the client."""

    def runtest(self) -> None:
        state = self._state()
        report = state.run((self.name,))
        if report.counterexample is not None:
            raise VeosimFailure(_failure_text(state, report.counterexample))


class SometimesItem(_VeosimItem):
    """Every SOMETIMES state was reached by at least one of this session's runs."""

    def runtest(self) -> None:
        from veosim import properties

        state = self._state()
        if not set(properties.PROPERTY_NAMES) <= state.ran:
            # Some property items did not run here (-k, xdist): search on our own too.
            state.run(())
        unreached = [name for name in properties.SOMETIMES_NAMES if state.reached.get(name, 0) == 0]
        if not unreached:
            return
        docs = {s.name: s.doc for s in properties.SOMETIMES}
        lines = [
            f"{len(unreached)} SOMETIMES state(s) never reached against client "
            f"{state.spec.name} (profile {state.profile}); the run may be vacuous:",
            *(f"  {name}: {docs.get(name, '')}" for name in unreached),
        ]
        if state.profile == "dev":
            pytest.skip("\n".join(lines) + "\n(fails in the ci and nightly profiles)")
        raise VeosimFailure("\n".join(lines))


def _failure_text(state: _Session, found: Counterexample) -> str:
    # Export first: the file must exist even if drawing the timeline goes wrong.
    path = _export(state, found)
    violation = found.violation
    plural = "" if len(found.steps) == 1 else "s"
    lines = [
        f"{violation.property} violated by client {state.spec.name} "
        f"in {len(found.steps)} step{plural} from the {found.start!r} start:",
        f"  {violation.message}",
        "",
        _timeline(found),
        "",
    ]
    if isinstance(path, Path):
        lines.append(f"scenario exported to {path}")
        lines.append(f"replay it with: veosim run {path} --client {state.spec.name}")
    else:
        lines.append(f"could not export the scenario: {path}")
    return "\n".join(lines)


def _export(state: _Session, found: Counterexample) -> Path | str:
    from veosim import scenario

    try:
        return scenario.export(found, state.export_dir, state.spec.name)
    except OSError as error:
        return f"{type(error).__name__}: {error}"


def _timeline(found: Counterexample) -> str:
    from veosim import report
    from veosim.drivers.replay import run_steps

    return report.render_trace(run_steps(found.initial, found.steps), "table")
