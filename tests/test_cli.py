"""The command line: exit codes, one-line errors, byte-identical JSON, exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veosim import scenario
from veosim.cli import main
from veosim.clients import resolve
from veosim.drivers.replay import replay


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestCheck:
    def test_reference_holds(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """`veosim check` on the reference client exits 0 and says every property holds."""
        code, out, _ = run(capsys, "check", "--profile", "dev", "--export", str(tmp_path))
        assert code == 0
        assert "all 8 properties hold for reference" in out
        assert "scenarios: 17 replayed, 17 as expected" in out
        assert list(tmp_path.iterdir()) == []

    def test_seed_prefix_fails_and_exports_a_replayable_scenario(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A violated property exits 1, prints the steps, and exports a file that replays it."""
        code, out, _ = run(
            capsys,
            "check",
            "--client",
            "seed-prefix",
            "--profile",
            "dev",
            "--export",
            str(tmp_path),
            "--scenarios",
            "",
        )
        assert code == 1
        assert "seed-prefix violates: list_detail_agree, no_lost_update" in out
        exported = sorted(tmp_path.glob("seed-prefix-list_detail_agree-*.toml"))
        assert len(exported) == 1 and str(exported[0]) in out
        loaded = scenario.load(exported[0])
        trace = replay(loaded, resolve("seed-prefix").factory)
        assert "list_detail_agree" in trace.violated()
        assert replay(loaded, resolve("reference").factory).violated() == ()

    def test_same_seed_same_json(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Two runs with the same seed print byte-identical JSON (timings left out)."""
        argv = (
            "check",
            "--client",
            "presence-badge",
            "--profile",
            "dev",
            "--seed",
            "7",
            "--json",
            "--no-timings",
            "--export",
            str(tmp_path),
        )
        first = run(capsys, *argv)
        second = run(capsys, *argv)
        assert first == second
        document = json.loads(first[1])
        assert document["schema"] == "veosim.check/1"
        assert document["exit"] == 1 and "timings" not in document
        verdicts = {p["name"]: p["verdict"] for p in document["properties"]}
        assert verdicts["list_detail_agree"] == "violated"

    def test_unknown_client_is_one_line_exit_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown client is bad usage: exit 2, one line on stderr, a suggestion."""
        code, out, err = run(capsys, "check", "--client", "seed-prefx")
        assert code == 2 and out == ""
        assert err.startswith("veosim: unknown client 'seed-prefx'; did you mean 'seed-prefix'?")
        assert err.count("\n") == 1

    def test_bad_option_is_exit_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """argparse errors exit 2 with one line."""
        with pytest.raises(SystemExit) as caught:
            main(["check", "--profile", "fast"])
        assert caught.value.code == 2
        assert "invalid choice: 'fast'" in capsys.readouterr().err


class TestMutants:
    def test_caught_clients_exit_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The kill matrix for two bad clients: both caught, cells name steps."""
        code, out, _ = run(
            capsys,
            "mutants",
            "--profile",
            "dev",
            "--jobs",
            "1",
            "--no-timings",
            "seed-prefix",
            "offline-raises",
        )
        assert code == 0
        assert "all 2 bad clients caught" in out
        row = next(line for line in out.splitlines() if line.startswith("offline-raises"))
        assert row.split()[-1] == "yes"

    def test_a_correct_client_survives(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A client no property catches is a survivor: exit 1 (the gate can fail)."""
        code, out, _ = run(
            capsys, "mutants", "--profile", "dev", "--jobs", "1", "--no-timings", "reference"
        )
        assert code == 1
        assert "survived: reference" in out


class TestExplore:
    def test_reference(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Exploring the reference finds nothing, and prints the state count."""
        code, out, _ = run(capsys, "explore", "--depth", "2", "--export", str(tmp_path))
        assert code == 0
        assert "681 distinct states, 1112 transitions" in out

    def test_seed_prefix(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Exploring the seed client finds and exports its shortest counterexample."""
        code, out, _ = run(
            capsys,
            "explore",
            "--client",
            "seed-prefix",
            "--depth",
            "3",
            "--start",
            "empty",
            "--export",
            str(tmp_path),
        )
        assert code == 1
        assert "1. start_job device=d1 job=j1" in out
        assert len(list(tmp_path.glob("seed-prefix-list_detail_agree-*.toml"))) == 1


def test_clients_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    """`veosim clients` names every built-in client with its one-line description."""
    code, out, _ = run(capsys, "clients")
    assert code == 0
    assert "seed-prefix" in out and "whenever the cloud answers" in out
