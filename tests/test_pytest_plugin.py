"""The pytest plugin: `pytest --veosim-client NAME` turns each property into a test.

Each test runs an inner pytest in-process with `pytester`, in an empty directory, so
the only items are the plugin's own.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from veosim import properties
from veosim.clients import resolve
from veosim.drivers.replay import replay
from veosim.scenario import load

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _no_shared_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner runs neither read nor write a developer's example database."""
    monkeypatch.delenv("VEOSIM_DATABASE", raising=False)
    monkeypatch.delenv("VEOSIM_PROFILE", raising=False)


def _junit_outcomes(path: str) -> dict[str, str]:
    """Test name -> 'failed', 'skipped' or 'passed', from a JUnit XML report."""
    outcomes: dict[str, str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        tags = {child.tag for child in case}
        outcome = "failed" if tags & {"failure", "error"} else "passed"
        name = f"{case.attrib['classname']}::{case.attrib['name']}"
        outcomes[name] = "skipped" if "skipped" in tags else outcome
    return outcomes


class TestFailingClient:
    def test_the_failing_property_fails_by_name_and_exports_its_scenario(
        self, pytester: pytest.Pytester
    ) -> None:
        """seed-prefix fails list_detail_agree as its own JUnit test, passes
        delete_is_final, and the failure names an exported scenario that replays it."""
        result = pytester.runpytest(
            "--veosim-client=seed-prefix",
            "--veosim-profile=dev",
            "--veosim-seed=1",
            "--veosim-export=found",
            "--junitxml=report.xml",
        )
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        outcomes = _junit_outcomes(str(pytester.path / "report.xml"))
        assert outcomes["veosim.seed-prefix::list_detail_agree"] == "failed"
        assert outcomes["veosim.seed-prefix::delete_is_final"] == "passed"
        assert len(outcomes) == len(properties.PROPERTY_NAMES) + 1

        exported = sorted((pytester.path / "found").glob("seed-prefix-list_detail_agree-*.toml"))
        assert len(exported) == 1
        result.stdout.fnmatch_lines(
            [
                "*_ veosim/seed-prefix::list_detail_agree _*",
                "list_detail_agree violated by client seed-prefix in * step*",
                "*the list shows *, the detail view shows *",
                "#*step*d1 local*",
                f"scenario exported to {exported[0]}",
            ]
        )
        trace = replay(load(exported[0]), resolve("seed-prefix").factory)
        assert "list_detail_agree" in trace.violated()


class TestReferenceClient:
    def test_every_item_passes(self, pytester: pytest.Pytester) -> None:
        """The reference client passes one item per property, and the sometimes item."""
        result = pytester.runpytest("--veosim-client=reference", "--veosim-profile=dev", "-v")
        outcomes = result.parseoutcomes()
        assert result.ret == pytest.ExitCode.OK
        assert outcomes.get("failed", 0) == 0
        assert outcomes["passed"] + outcomes.get("skipped", 0) == len(properties.PROPERTY_NAMES) + 1
        result.stdout.fnmatch_lines(["*veosim/reference::list_detail_agree PASSED*"])


class TestSometimes:
    @pytest.fixture
    def never_reached(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A SOMETIMES state that no run can reach."""
        never = properties.Sometimes("never_reached", "A state no run reaches.", lambda _: False)
        monkeypatch.setattr(properties, "SOMETIMES", [*properties.SOMETIMES, never])
        monkeypatch.setattr(
            properties, "SOMETIMES_NAMES", (*properties.SOMETIMES_NAMES, "never_reached")
        )

    @pytest.mark.usefixtures("never_reached")
    def test_an_unreached_state_fails_in_ci(self, pytester: pytest.Pytester) -> None:
        """In the ci profile an unreached SOMETIMES state fails the sometimes item."""
        result = pytester.runpytest(
            "--veosim-client=reference", "--veosim-profile=ci", "-k", "sometimes"
        )
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            [
                "1 SOMETIMES state(s) never reached against client reference (profile ci)*",
                "  never_reached: A state no run reaches.",
            ]
        )

    @pytest.mark.usefixtures("never_reached")
    def test_an_unreached_state_is_skipped_in_dev(self, pytester: pytest.Pytester) -> None:
        """In the dev profile the same is reported as a skip, not a failure."""
        result = pytester.runpytest(
            "--veosim-client=reference", "--veosim-profile=dev", "-k", "sometimes", "-rs"
        )
        result.assert_outcomes(skipped=1)
        result.stdout.fnmatch_lines(["*never reached against client reference (profile dev)*"])


class TestUsage:
    def test_an_unknown_client_is_a_one_line_usage_error(self, pytester: pytest.Pytester) -> None:
        """An unknown client exits 4 with the client error's line and no traceback."""
        result = pytester.runpytest("--veosim-client=seed-prefx")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        errors = [line for line in result.errlines if line.strip()]
        assert errors == [
            "ERROR: --veosim-client: unknown client 'seed-prefx'; did you mean 'seed-prefix'? "
            "(built in: reference, seed-prefix, detail-caches-cloud, presence-badge, "
            "offline-raises, sync-on-open, unconditional-put, stale-edit, resurrect, no-pull, "
            "tick-resync, rank-only, offline-drop, local-delete; or package.module:Class)"
        ]
        assert "Traceback" not in result.stdout.str()

    def test_an_unknown_profile_is_a_usage_error(self, pytester: pytest.Pytester) -> None:
        """A profile other than dev, ci or nightly exits 4 and names the choices."""
        result = pytester.runpytest("--veosim-client=reference", "--veosim-profile=fast")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(
            ["ERROR: --veosim-profile: unknown profile 'fast'; expected one of: dev, ci, nightly"]
        )

    def test_without_the_option_nothing_is_added(self, pytester: pytest.Pytester) -> None:
        """A normal run collects only its own tests."""
        pytester.makepyfile("def test_one():\n    pass\n")
        result = pytester.runpytest("-v")
        result.assert_outcomes(passed=1)
        assert "veosim/" not in result.stdout.str()
