"""Unit tests for veosim.report: the four renderings of a timeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veosim import report
from veosim.clients import BUILT_IN, REFERENCE
from veosim.drivers.replay import Replayed, replay_file
from veosim.scenario import load, loads

BUG = Path(__file__).resolve().parent.parent / "scenarios" / "bug-report.toml"


def replayed(client: str = "seed-prefix") -> Replayed:
    return replay_file(load(BUG), BUILT_IN[client].factory, client)


class TestTable:
    def test_one_row_per_action_and_the_start(self) -> None:
        """The table has a header, a rule, the start row and one row per action."""
        run = replayed()
        lines = report.table(run.trace).splitlines()
        assert lines[0].split() == [
            "#",
            "step",
            "d1",
            "local",
            "cloud",
            "d1",
            "list",
            "d1",
            "detail",
            "violated",
        ]
        assert lines[2].split() == ["0", "start", "-", "-", "-", "-"]
        assert len(run.trace.frames) == 10
        assert "first violations:" in lines

    def test_run_ends_with_the_verdict(self) -> None:
        """`veosim run` output says what was expected and what happened."""
        text = report.render_runs([replayed()], "table")
        assert (
            "expected: holds; outcome: violated list_detail_agree, no_lost_update from step 3: "
            "NOT as expected" in text
        )
        assert text.endswith("0 of 1 scenarios as expected")


class TestMarkdown:
    def test_github_table_with_the_disagreement(self) -> None:
        """The markdown row of step 3 shows the list and the detail view disagreeing."""
        text = report.markdown(replayed().trace)
        row = next(
            line for line in text.splitlines() if line.startswith("| 3 ") and "finish_job" in line
        )
        assert "completed/1@1004 unsynced" in row and "in_progress/1@1002 synced" in row
        assert "list_detail_agree" in row

    def test_escapes_pipes(self) -> None:
        """A pipe in a cell cannot break the table."""
        assert report._md("a|b") == "a\\|b"


class TestMermaid:
    def test_sequence_diagram_of_devices_network_cloud(self) -> None:
        """The diagram declares the participants and draws each request."""
        lines = report.mermaid(replayed().trace).splitlines()
        assert lines[:4] == [
            "sequenceDiagram",
            "    participant d1",
            "    participant network",
            "    participant cloud",
        ]
        assert "    d1-xnetwork: GET j1" in lines
        assert "    network--xd1: 500" in lines
        assert any(
            line.startswith("    Note over d1,cloud: VIOLATED list_detail_agree") for line in lines
        )

    def test_no_statement_separators(self) -> None:
        """Semicolons and hashes in text cannot end a mermaid statement early."""
        assert report._mm("a; b #1") == "a, b no. 1"


class TestJson:
    def test_schema_and_shape(self) -> None:
        """The document carries its schema version and every frame of every run."""
        data = json.loads(report.render_runs([replayed(), replayed("reference")], "json"))
        assert data["schema"] == "veosim.run/1"
        assert data["as_expected"] is False
        first, second = data["runs"]
        assert first["client"] == "seed-prefix" and second["verdict"]["as_expected"] is True
        frame = first["trace"]["frames"][4]
        assert frame["step"] == 3 and frame["action"]["kind"] == "finish_job"
        assert frame["action"]["actor"] == "generator"
        assert frame["violations"][0]["property"] == "list_detail_agree"
        assert frame["views"][0]["list"]["status"] == "unsynced"
        assert frame["views"][0]["detail"]["status"] == "synced"
        assert first["trace"]["violated"] == ["list_detail_agree", "no_lost_update"]


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_same_input_same_bytes(fmt: str) -> None:
    """Rendering twice, from two replays, gives the same text byte for byte."""
    assert report.render_runs([replayed()], fmt) == report.render_runs([replayed()], fmt)


def test_render_trace_formats() -> None:
    """A bare trace (a counterexample) renders in every format; others are refused."""
    trace = replay_file(load(BUG), REFERENCE.factory, "reference").trace
    assert json.loads(report.render_trace(trace, "json"))["schema"] == "veosim.run/1"
    assert report.render_trace(trace, "mermaid").startswith("sequenceDiagram")
    with pytest.raises(ValueError, match="unknown format 'svg'"):
        report.render_trace(trace, "svg")


def test_docs_paste_real_output() -> None:
    """docs/scenarios.md shows the tool's actual markdown and mermaid output."""
    root = BUG.parent.parent
    docs = (root / "docs" / "scenarios.md").read_text(encoding="utf-8")
    seed = BUILT_IN["seed-prefix"].factory
    runs = []
    for name in ("bug-report.toml", "seed-prefix.toml"):
        text = (root / "scenarios" / name).read_text(encoding="utf-8")
        runs.append(replay_file(loads(text, f"scenarios/{name}"), seed, "seed-prefix"))
    assert report.render_runs(runs[:1], "markdown") in docs
    assert report.render_runs(runs[1:], "mermaid") in docs
