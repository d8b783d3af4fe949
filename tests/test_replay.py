"""Unit tests for veosim.drivers.replay: traces, verdicts, and steps that do not apply."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from veosim import actions as act
from veosim.clients import BUILT_IN, REFERENCE
from veosim.commands import run
from veosim.domain import start
from veosim.drivers.replay import Verdict, outcome, replay, run_steps, verdict
from veosim.model import Job, SyncStatus
from veosim.scenario import Expect, ScenarioError, loads
from veosim.world import StepError

SEED = BUILT_IN["seed-prefix"].factory

LOCAL_NEWER = (
    'title = "t"\ndevices = ["d1"]\n\n[[local.d1]]\njob_id = "j1"\nstatus = "completed"\n'
    'scenes = 3\ntimestamp = 900\ncreated_at = 500\n\n[[cloud]]\njob_id = "j1"\n'
    'status = "in_progress"\nscenes = 1\ntimestamp = 800\ncreated_at = 500\n\n'
    '[[step]]\naction = "open_list"\ndevice = "d1"\n\n'
    '[[step]]\naction = "open_detail"\ndevice = "d1"\njob = "j1"\nfault = "500"\n\n'
)


class TestRunSteps:
    def test_records_a_frame_per_action(self) -> None:
        """Each action gives a frame with the stores, the views and the requests."""
        trace = run_steps(start("empty", REFERENCE.factory), [act.StartJob("d1", "j1")])
        assert trace.initial.stores == () and trace.initial.action is None
        (frame,) = trace.frames
        assert frame.step == 1 and frame.action == act.StartJob("d1", "j1")
        (stores,) = frame.stores
        assert stores.local == (("d1", Job("j1", "in_progress", 0, 1001, 1001)), ("d2", None))
        assert stores.blob == Job("j1", "in_progress", 0, 1001, 1001)
        assert [r.describe() for r in frame.requests] == [
            "d1 GET j1 -> ok (absent)",
            "d1 PUT j1 -> ok (applied)",
        ]
        assert all(
            v.listed is not None and v.listed.status is SyncStatus.SYNCED for v in frame.views
        )
        assert frame.violations == ()

    def test_a_step_that_does_not_apply_raises_step_error(self) -> None:
        """Without a file, a bad step raises the world's own StepError."""
        with pytest.raises(StepError, match="no job 'j1' to delete"):
            run_steps(start("empty", REFERENCE.factory), [act.DeleteJob("d1", "j1")])

    def test_same_steps_same_trace(self) -> None:
        """Two runs of the same steps give equal traces."""
        steps = [act.StartJob("d1", "j1"), act.InjectFault("d1", "torn"), act.AddScene("d1", "j1")]
        world = start("empty", REFERENCE.factory)
        assert run_steps(world, steps) == run_steps(world, steps)


class TestReplay:
    def test_fault_expands_with_the_steps_index(self) -> None:
        """A step with a fault is two frames, both numbered as the step."""
        trace = replay(loads(LOCAL_NEWER + "[expect]\nholds = true\n"), REFERENCE.factory)
        assert [(f.step, f.action) for f in trace.frames] == [
            (1, act.OpenList("d1")),
            (2, act.InjectFault("d1", "500")),
            (2, act.OpenDetail("d1", "j1")),
        ]
        (opened,) = trace.frames[2].opened
        assert opened.detail is not None and opened.detail.status is SyncStatus.OFFLINE

    def test_seed_prefix_violates_in_the_starting_world(self) -> None:
        """The seed client's detail view disagrees with its list before any step: step 0."""
        trace = replay(loads(LOCAL_NEWER + "[expect]\nholds = true\n"), SEED)
        assert trace.violated() == ("list_detail_agree",)
        assert trace.first_violation() == 0
        assert trace.initial.violations[0].message == (
            "d1 j1: the list shows completed/3@900 unsynced, "
            "the detail view shows in_progress/1@800 synced"
        )

    def test_a_step_that_does_not_apply_is_bad_input_at_its_line(self) -> None:
        """A StepError during replay becomes `path:line: step N (...): reason`."""
        text = (
            'title = "t"\ndevices = ["d1"]\njobs = ["j1"]\n\n'
            '[[step]]\naction = "delete_job"\ndevice = "d1"\njob = "j1"\n\n[expect]\nholds = true\n'
        )
        with pytest.raises(ScenarioError) as caught:
            replay(loads(text, "x.toml"), REFERENCE.factory)
        assert str(caught.value) == (
            "x.toml:5: step 1 (delete_job device=d1 job=j1): no job 'j1' to delete"
        )


class TestVerdict:
    def test_holds_as_expected(self) -> None:
        """A clean trace meets `holds`."""
        trace = replay(loads(LOCAL_NEWER + "[expect]\nholds = true\n"), REFERENCE.factory)
        assert verdict(trace, Expect()) == Verdict("holds", "holds", True)

    def test_holds_not_met(self) -> None:
        """A violation fails `holds`, with the first message as the reason."""
        trace = replay(loads(LOCAL_NEWER + "[expect]\nholds = true\n"), SEED)
        result = verdict(trace, Expect())
        assert not result.as_expected
        assert result.outcome == "violated list_detail_agree from step 0"
        assert result.reasons == (
            "list_detail_agree is violated at step 0: d1 j1: the list shows completed/3@900 "
            "unsynced, the detail view shows in_progress/1@800 synced",
        )

    def test_violated_from_step(self) -> None:
        """`violated` with the right `from_step` is met; a wrong step is not."""
        trace = replay(loads(LOCAL_NEWER + "[expect]\nholds = true\n"), SEED)
        assert verdict(trace, Expect(("list_detail_agree",), 0)).as_expected
        wrong = verdict(trace, Expect(("list_detail_agree",), 2))
        assert wrong.reasons == ("the first violation is at step 0, not step 2",)

    def test_violated_but_never_violated(self) -> None:
        """A property the file names that never breaks fails the expectation."""
        trace = replay(loads(LOCAL_NEWER + "[expect]\nholds = true\n"), REFERENCE.factory)
        assert outcome(trace) == "holds"
        assert verdict(trace, Expect(("converges",))).reasons == ("converges is never violated",)


BUG = Path(__file__).resolve().parent.parent / "scenarios" / "bug-report.toml"


def run_command(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    run.add_arguments(parser)
    return run.execute(parser.parse_args(argv))


class TestRunCommand:
    def test_exit_0_when_as_expected(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The bug report holds for the reference client: exit 0."""
        assert run_command(str(BUG)) == 0
        assert capsys.readouterr().out.endswith("1 of 1 scenarios as expected\n")

    def test_exit_1_when_not(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The seed client breaks the bug report: exit 1."""
        assert run_command(str(BUG), "--client", "seed-prefix", "--format", "markdown") == 1
        assert "NOT as expected" in capsys.readouterr().out

    def test_bad_file_raises_before_printing(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A bad file among good ones stops the command with its ScenarioError (exit 2 in cli)."""
        bad = tmp_path / "bad.toml"
        bad.write_text('title = "t"\ndevices = ["d1"]\n[[step]]\naction = "opn_list"\n')
        with pytest.raises(ScenarioError) as caught:
            run_command(str(BUG), str(bad))
        assert str(caught.value) == f"{bad}:4: unknown action 'opn_list'; did you mean 'open_list'?"
        assert capsys.readouterr().out == ""
