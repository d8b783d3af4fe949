"""The Hypothesis suites: the profile comes from VEOSIM_PROFILE (dev, ci, nightly).

The state-machine suite records how often each sometimes-state was reached; the
terminal summary prints that coverage, and the ci profile fails a run that never
reached one.
"""

from __future__ import annotations

import collections

import pytest
from hypothesis import settings

from veosim.drivers.machine import current_profile, profile_settings

settings.register_profile("veosim-current", profile_settings(current_profile()))
settings.load_profile("veosim-current")

REACHED: collections.Counter[str] = collections.Counter()
"""Sometimes-states reached by the state-machine suite in this session."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not REACHED:
        return
    terminalreporter.section(f"veosim sometimes-coverage (profile {current_profile()})")
    for name, count in sorted(REACHED.items()):
        terminalreporter.write_line(f"{name:<26} {count:>7}{'' if count else '  NEVER REACHED'}")
