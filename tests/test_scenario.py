"""Unit tests for veosim.scenario: the format, its errors, writing and exporting."""

from __future__ import annotations

from pathlib import Path

import pytest

from veosim import actions as act
from veosim.clients import REFERENCE
from veosim.domain import start
from veosim.drivers.counterexample import Counterexample
from veosim.model import Job
from veosim.properties import Violation
from veosim.scenario import Expect, ScenarioError, Step, dumps, export, from_steps, load, loads
from veosim.world import initial_world

HEAD = (
    'title = "t"\ndevices = ["d1", "d2"]\n\n'
    '[[step]]\naction = "start_job"\ndevice = "d1"\njob = "j1"\n\n'
)
HOLDS = "[expect]\nholds = true\n"


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        loads(text, "s.toml")
    return str(caught.value)


class TestLoads:
    def test_reads_every_part(self) -> None:
        """A file with every section loads into the values it states."""
        scenario = loads(
            'title = "t"\ndescription = "d"\nlink = "l"\ndevices = ["d1"]\nclock = 5\n'
            'jobs = ["j9"]\n\n[[local.d1]]\njob_id = "j1"\nstatus = "completed"\nscenes = 3\n'
            'timestamp = 900\ncreated_at = 500\npayload = "p"\n\n[[cloud]]\njob_id = "j1"\n'
            'status = "in_progress"\nscenes = 1\ntimestamp = 800\ncreated_at = 500\n\n'
            '[[step]]\naction = "open_detail"\nactor = "user"\ndevice = "d1"\njob = "j1"\n'
            'fault = "500"\n\n[expect]\nviolated = ["list_detail_agree"]\nfrom_step = 1\n',
            "s.toml",
        )
        assert scenario.title == "t" and scenario.description == "d" and scenario.link == "l"
        assert scenario.devices == ("d1",) and scenario.clock == 5 and scenario.jobs == ("j9",)
        assert scenario.local == (("d1", (Job("j1", "completed", 3, 900, 500, "p"),)),)
        assert scenario.cloud == (Job("j1", "in_progress", 1, 800, 500),)
        assert scenario.steps == (Step(act.OpenDetail("d1", "j1"), fault="500"),)
        assert scenario.steps[0].line == 23
        assert scenario.expect == Expect(("list_detail_agree",), 1)

    def test_a_fault_becomes_an_inject_fault_before_the_action(self) -> None:
        """`fault = "500"` is an inject_fault for the step's device, then the action."""
        step = Step(act.OpenList("d1"), fault="500")
        assert step.actions() == (act.InjectFault("d1", "500"), act.OpenList("d1"))

    def test_a_job_started_later_is_known(self) -> None:
        """A step may name a job that a later start_job step starts."""
        scenario = loads(
            'title = "t"\ndevices = ["d1"]\n[[step]]\naction = "open_detail"\ndevice = "d1"\n'
            'job = "j1"\n[[step]]\naction = "start_job"\ndevice = "d1"\njob = "j1"\n' + HOLDS
        )
        assert len(scenario.steps) == 2


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                'title = "t"\ndevices = [\n',
                "s.toml:2: invalid TOML: Invalid value (at the end of the file)",
            ),
            (
                'title = "t"\n\n[[step]]\naction = \n',
                "s.toml:4: invalid TOML: Invalid value (column 10)",
            ),
            (
                HEAD + '[[step]]\naction = "opn_detail"\ndevice = "d1"\njob = "j1"\n\n' + HOLDS,
                "s.toml:10: unknown action 'opn_detail'; did you mean 'open_detail'?",
            ),
            (
                HEAD + '[[step]]\naction = "tick"\nactor = "clok"\n\n' + HOLDS,
                "s.toml:11: unknown actor 'clok'; did you mean 'clock'?",
            ),
            (
                HEAD + '[[step]]\naction = "tick"\nactor = "user"\n\n' + HOLDS,
                "s.toml:11: action 'tick' is done by 'clock', not 'user'",
            ),
            (
                HEAD + '[[step]]\naction = "open_detail"\ndevice = "d1"\n\n' + HOLDS,
                "s.toml:9: action 'open_detail' needs argument 'job'",
            ),
            (
                HEAD + '[[step]]\naction = "open_detail"\ndevice = "d1"\njob = 3\n\n' + HOLDS,
                "s.toml:12: action 'open_detail': 'job' must be a string (got 3)",
            ),
            (
                HEAD + '[[step]]\naction = "open_detail"\ndevice = "d1"\njb = "j1"\n\n' + HOLDS,
                "s.toml:12: action 'open_detail' has no argument 'jb'; did you mean 'job'?",
            ),
            (
                HEAD + '[[step]]\naction = "open_list"\ndevice = "d3"\n\n' + HOLDS,
                "s.toml:11: unknown device 'd3'; expected one of: d1, d2",
            ),
            (
                HEAD + '[[step]]\naction = "open_detail"\ndevice = "d1"\njob = "j2"\n\n' + HOLDS,
                "s.toml:12: unknown job 'j2'; expected one of: j1 (a step may name a job of the "
                "starting contents, one a start_job step starts, or one in 'jobs')",
            ),
            (
                HEAD + '[[step]]\naction = "deliver"\nindex = -1\n\n' + HOLDS,
                "s.toml:11: 'index' must be >= 0 (got -1)",
            ),
            (
                'title = "t"\ndevices = ["d1"]\n\n[[cloud]]\njob_id = "j1"\nstatus = "completed"\n'
                "scenes = -1\ntimestamp = 1\ncreated_at = 1\n\n" + HOLDS,
                "s.toml:7: 'scenes' must be >= 0 (got -1)",
            ),
            (
                'title = "t"\ndevices = ["d1"]\n\n[[local.d1]]\njob_id = "j1"\n'
                'status = "completed"\nscenes = "3"\ntimestamp = 1\ncreated_at = 1\n\n' + HOLDS,
                "s.toml:7: 'scenes' must be an integer (got a string)",
            ),
            (
                'title = "t"\ndevices = ["d1"]\n\n[[local.d1]]\njob_id = "j1"\nstatus = "x"\n\n'
                + HOLDS,
                "s.toml:4: a job in 'local.d1' needs 'scenes'",
            ),
            (
                'title = "t"\ndevices = ["d1"]\n\n[[local.d2]]\njob_id = "j1"\nstatus = "x"\n'
                "scenes = 1\ntimestamp = 1\ncreated_at = 1\n\n" + HOLDS,
                "s.toml:4: local contents for unknown device 'd2'; expected one of: d1",
            ),
            (
                HEAD + '[expect]\nviolated = ["list_detail_agre"]\n',
                "s.toml:10: unknown property 'list_detail_agre'; did you mean 'list_detail_agree'?",
            ),
            (
                HEAD + '[expect]\nviolated = ["list_detail_agree"]\nfrom_step = 5\n',
                "s.toml:11: 'from_step' must be at most the number of steps, 1 (got 5)",
            ),
            (
                HEAD,
                "s.toml:1: missing [expect]: add 'holds = true' or 'violated = [\"<property>\"]'",
            ),
            (
                HEAD + "[expect]\nholds = false\n",
                "s.toml:9: [expect] needs 'holds = true' or 'violated = [\"<property>\"]'",
            ),
            (
                'titel = "t"\n',
                "s.toml:1: unknown key 'titel' in the scenario; did you mean 'title'?",
            ),
            (
                HEAD + '[[step]]\naction = "tick"\nfault = "500"\n\n' + HOLDS,
                "s.toml:11: 'fault' needs a step with a device; action 'tick' has none "
                "(use an inject_fault step)",
            ),
            (
                HEAD + '[[step]]\naction = "open_list"\ndevice = "d1"\nfault = "503"\n\n' + HOLDS,
                "s.toml:12: unknown fault '503'; did you mean '500'?",
            ),
            (
                'title = "t"\ndevices = "d1"\n',
                "s.toml:2: 'devices' must be an array of non-empty strings",
            ),
            (
                'title = "t"\ndevices = ["d1"]\nstep = 3\n',
                "s.toml:3: 'step' must be an array of tables ([[step]]) (got an integer)",
            ),
        ],
    )
    def test_exact_message_and_line(self, text: str, message: str) -> None:
        """Each mistake is one line naming the file, the line and what would work."""
        assert error_of(text) == message

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that cannot be read is a ScenarioError without a line."""
        with pytest.raises(ScenarioError) as caught:
            load(tmp_path / "none.toml")
        assert (
            str(caught.value) == f"{tmp_path / 'none.toml'}: cannot read: No such file or directory"
        )

    def test_not_utf8(self, tmp_path: Path) -> None:
        """Bytes that are not UTF-8 are reported at the line they are on."""
        path = tmp_path / "bad.toml"
        path.write_bytes(b'title = "t"\n\xff\n')
        with pytest.raises(ScenarioError) as caught:
            load(path)
        assert str(caught.value) == f"{path}:2: not UTF-8 text"


class TestDumps:
    def test_round_trip(self) -> None:
        """Writing a scenario and loading it back gives the same scenario and text."""
        scenario = load(Path(__file__).parent.parent / "scenarios" / "unreliable-network.toml")
        text = dumps(scenario)
        assert loads(text) == scenario
        assert dumps(loads(text)) == text

    def test_quotes_odd_device_names(self) -> None:
        """A device name that is not a bare TOML key is quoted in headers."""
        world = initial_world(
            REFERENCE.factory, ("my phone",), {"my phone": (Job("j1", "x", 0, 1, 1),)}
        )
        text = dumps(from_steps(world, [act.OpenList("my phone")]))
        assert '[[local."my phone"]]' in text
        assert loads(text).local == (("my phone", (Job("j1", "x", 0, 1, 1),)),)


class TestFromSteps:
    def test_names_jobs_no_store_holds(self) -> None:
        """A job a step names that nothing holds or starts goes into `jobs`."""
        world = start("empty", REFERENCE.factory)
        scenario = from_steps(world, [act.OpenDetail("d1", "j2"), act.StartJob("d1", "j1")])
        assert scenario.jobs == ("j2",)
        assert scenario.clock == 1000 and scenario.devices == ("d1", "d2")

    def test_refuses_a_world_not_at_rest(self) -> None:
        """A starting world a scenario cannot state is refused, not silently changed."""
        import attrs

        world = start("empty", REFERENCE.factory)
        moved = attrs.evolve(
            world, devices=(attrs.evolve(world.devices[0], mode="offline"), world.devices[1])
        )
        with pytest.raises(ScenarioError) as caught:
            from_steps(moved, [])
        assert str(caught.value).startswith("<world>: the starting world is not at rest")


class TestExport:
    def test_writes_a_deterministic_file(self, tmp_path: Path) -> None:
        """The file name is client, property and a content hash; the title names both."""
        world = start("cloud-behind", REFERENCE.factory)
        found = Counterexample(
            "cloud-behind", (act.OpenList("d1"),), Violation("list_detail_agree", "m"), world
        )
        path = export(found, tmp_path / "found", "seed-prefix")
        again = export(found, tmp_path / "found", "seed-prefix")
        assert path == again
        assert path.name.startswith("seed-prefix-list_detail_agree-") and len(path.stem) == 38
        scenario = load(path)
        assert scenario.title == "seed-prefix violates list_detail_agree"
        assert scenario.expect == Expect(("list_detail_agree",), 1)

    def test_custom_client_names_make_safe_file_names(self, tmp_path: Path) -> None:
        """A package.module:Class client name becomes a plain file name."""
        world = start("empty", REFERENCE.factory)
        found = Counterexample("empty", (act.Tick(),), Violation("converges", "m"), world)
        path = export(found, tmp_path, "my.pkg:Client")
        assert path.name.startswith("my.pkg-Client-converges-")
