"""Scenario files under Hypothesis: round trips replay identically; the loader never
raises anything but ScenarioError, whatever it is fed.

Budget: about 1,200 loader inputs and 40 recorded runs, a few seconds in all.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veosim import actions as act
from veosim import scenario, strategies
from veosim.clients import BUILT_IN, REFERENCE
from veosim.drivers.replay import replay, run_steps
from veosim.scenario import ScenarioError, dumps, from_steps, loads
from veosim.world import World

CORPUS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.toml"))
TEXTS = [path.read_text(encoding="utf-8") for path in CORPUS]
FAST = settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)


RUNS = st.sampled_from(tuple(BUILT_IN.values())).flatmap(
    lambda spec: strategies.runs(spec.factory, max_steps=8)
)
"""Runs drawn as the state machine draws them, for any built-in client."""


@settings(FAST, max_examples=40)
@given(RUNS)
def test_written_runs_replay_identically(run: tuple[World, tuple[act.Action, ...]]) -> None:
    """A run written as a scenario and loaded back replays to the identical trace."""
    initial, steps = run
    text = dumps(from_steps(initial, steps))
    loaded = loads(text)
    assert dumps(loaded) == text
    assert replay(loaded, initial.client) == run_steps(initial, steps)


def loads_or_scenario_error(text: str) -> None:
    try:
        loads(text, "fuzz.toml")
    except ScenarioError as error:
        assert str(error).startswith("fuzz.toml")


@settings(FAST, max_examples=400)
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    """Random bytes never raise anything but ScenarioError."""
    loads_or_scenario_error(data.decode("utf-8", errors="replace"))


KEYS = st.sampled_from(
    sorted(
        {
            *scenario._TOP_KEYS,
            *scenario._JOB_KEYS,
            *scenario._STEP_KEYS,
            *scenario._EXPECT_KEYS,
            *(field.name for cls in act.ACTION_TYPES for field in attrs.fields(cls)),
            "d1",
        }
    )
)
"""The format's own keys (taken from the loader and the actions, so a new key is fuzzed
too), plus a device name for `[[local.d1]]`-like tables."""
SCALARS = st.one_of(
    st.integers(-3, 3),
    st.booleans(),
    st.floats(allow_nan=False, width=16),
    st.sampled_from(
        ["d1", "d2", "j1", "tick", "open_list", "start_job", "500", "user", "", "list_detail_agree"]
    ),
    st.text(max_size=5),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(FAST, max_examples=400)
@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_random_valid_toml(data: dict[str, object]) -> None:
    """Any well-formed TOML document never raises anything but ScenarioError."""
    loads_or_scenario_error(tomli_w.dumps(data))


REPLACEMENTS = ("-1", "0", "true", "[]", '"x"', '"d2"', "{}", '"j9"', "[1]")


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["drop", "dup", "value", "char"]))
        if kind == "drop":
            del lines[where]
        elif kind == "dup":
            lines.insert(where, lines[where])
        elif kind == "value" and " = " in lines[where]:
            key = lines[where].split(" = ")[0]
            lines[where] = f"{key} = {draw(st.sampled_from(REPLACEMENTS))}"
        elif lines[where]:
            at = draw(st.integers(0, len(lines[where]) - 1))
            lines[where] = lines[where][:at] + draw(st.characters()) + lines[where][at + 1 :]
        if not lines:
            break
    return "\n".join(lines)


@settings(FAST, max_examples=400)
@given(mutated())
def test_mutated_corpus(text: str) -> None:
    """Corpus files with lines dropped, doubled or changed load or raise ScenarioError,
    and when they load they replay or raise ScenarioError."""
    try:
        scenario = loads(text, "fuzz.toml")
        replay(scenario, REFERENCE.factory)
    except ScenarioError as error:
        assert str(error).startswith("fuzz.toml")
