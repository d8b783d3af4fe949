"""examples/: the CI workflow runs the documented command, and the example client loads.

The workflow is checked as text (no YAML parser among the dependencies): the lines the
README promises must be there, with the options `veosim check` accepts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from veosim.clients import resolve
from veosim.clients.reference import ReferenceClient
from veosim.drivers.machine import run_machine

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WORKFLOW = EXAMPLES / "ci" / "github-actions.yml"


@pytest.fixture
def workflow() -> str:
    return WORKFLOW.read_text(encoding="utf-8")


def _step(workflow: str, uses: str) -> str:
    """The text of the one step that uses the action `uses`."""
    (found,) = [step for step in workflow.split("- name:") if f"uses: {uses}@" in step]
    return found


class TestWorkflow:
    def test_runs_the_check_command(self, workflow: str) -> None:
        """A step runs `veosim check` on the example client, ci profile, exporting."""
        assert re.search(
            r"^\s+run: veosim check --client mypkg\.cache:Client --profile ci "
            r"--export scenarios/found$",
            workflow,
            re.MULTILINE,
        )

    def test_uploads_the_counterexamples_on_failure(self, workflow: str) -> None:
        """scenarios/found/ is uploaded as an artifact when the check fails."""
        upload = _step(workflow, "actions/upload-artifact")
        assert "if: failure()" in upload
        assert "scenarios/found/" in upload

    def test_shares_the_example_database_per_branch(self, workflow: str) -> None:
        """VEOSIM_DATABASE names the cached directory; the cache key is per branch,
        with restore keys, and it is saved even when the check fails."""
        database = re.search(r"^\s+VEOSIM_DATABASE: (\S+)$", workflow, re.MULTILINE)
        assert database is not None
        assert workflow.count(f"path: {database.group(1)}") == 2
        restore = _step(workflow, "actions/cache/restore")
        save = _step(workflow, "actions/cache/save")
        assert "restore-keys:" in restore
        assert "github.head_ref || github.ref_name" in restore
        assert "if: always()" in save

    def test_is_plain_yaml_text(self, workflow: str) -> None:
        """No tabs, two-space indentation, and every job has steps."""
        assert "\t" not in workflow
        for number, line in enumerate(workflow.splitlines(), start=1):
            indent = len(line) - len(line.lstrip(" "))
            assert indent % 2 == 0, f"line {number} is indented by {indent}"
        assert re.search(r"^jobs:\n  check:\n    runs-on: ", workflow, re.MULTILINE)
        assert re.search(r"^    steps:$", workflow, re.MULTILINE)


class TestExampleClient:
    @pytest.fixture(autouse=True)
    def _examples_on_path(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.syspath_prepend(str(EXAMPLES))

    def test_loads_by_name(self) -> None:
        """`mypkg.cache:Client` resolves to the example's class, with its docstring."""
        spec = resolve("mypkg.cache:Client")
        assert spec.name == "mypkg.cache:Client"
        assert isinstance(spec.factory, type)
        assert issubclass(spec.factory, ReferenceClient)
        assert spec.description == "The example app's cache module (`--client mypkg.cache:Client`)."

    def test_passes_the_bug_reports_property(self) -> None:
        """The example client keeps list and detail in agreement, as the docs imply."""
        spec = resolve("mypkg.cache:Client")
        report = run_machine(spec.factory, spec.name, checked=("list_detail_agree",), profile="dev")
        assert report.holds
