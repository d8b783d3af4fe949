"""README.md stays true: its examples run, its tables match the code."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from veosim import properties
from veosim.cli import main
from veosim.clients import CATALOGUE

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", TEXT, flags=re.DOTALL)


def test_the_python_example_prints_what_the_readme_says() -> None:
    """Each python block, run, prints exactly the text block that follows it."""
    pairs = re.findall(r"```python\n(.*?)```\s*```text\n(.*?)```", TEXT, flags=re.DOTALL)
    assert pairs, "the README has no python example with its output"
    for code, expected in pairs:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
        assert out.getvalue() == expected


def test_the_two_setup_commands_are_what_ci_runs() -> None:
    """The set-up commands install and run the main job, and install and run the tests."""
    setup = blocks("console")[0].splitlines()
    assert setup == ["$ pip install . && veosim check", "$ pip install -e '.[test]' && pytest"]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[test]'\npytest\n" in ci


@pytest.mark.parametrize(
    "line",
    [
        line[2:]
        for block in blocks("console")[2:]
        for line in block.splitlines()
        if line.startswith("$ veosim run ")
    ],
)
def test_the_run_commands_exit_as_their_comments_say(
    line: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `veosim run` line exits with the code its comment promises (0 unless it says 1)."""
    monkeypatch.chdir(README.parent)
    command, _, comment = line.partition("#")
    expected = 1 if "exit 1" in comment else 0
    assert main(shlex.split(command)[1:]) == expected
    capsys.readouterr()


def test_the_check_output_is_real(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check output shown has the lines a real run prints (numbers vary in dev)."""
    monkeypatch.chdir(README.parent)
    monkeypatch.setenv("VEOSIM_PROFILE", "dev")
    assert main(["check", "--export", str(README.parent / "scenarios" / "found")]) == 0
    printed = capsys.readouterr().out
    shown = blocks("console")[1]
    for line in (
        "core laws: 9 of 9 hold (900 examples)",
        "scenarios: 17 replayed, 17 as expected",
        "all 8 properties hold for reference",
    ):
        assert line in shown and line in printed


def test_the_properties_table_is_the_properties_docstrings() -> None:
    """Each property's row is its one-sentence docstring, in order."""
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", TEXT, flags=re.MULTILINE)
    documented = [(name, doc) for name, doc in rows if name in properties.PROPERTY_NAMES]
    assert documented == [(p.name, p.doc) for p in properties.ALWAYS]


def test_the_catalogue_table_is_the_catalogue() -> None:
    """Each bad client's row is its description, in catalogue order."""
    rows = re.findall(r"^\| `([\w-]+)` \| (.+) \|$", TEXT, flags=re.MULTILINE)
    names = {spec.name for spec in CATALOGUE}
    assert [(n, d) for n, d in rows if n in names] == [(s.name, s.description) for s in CATALOGUE]
