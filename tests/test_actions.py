"""Unit tests for veosim.actions: building actions from data, and describing them."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from veosim import actions as act
from veosim.actions import ActionError, build_action
from veosim.model import VeosimError

ALL_KINDS = (
    "add_scene, close_detail, delete_job, deliver, drop_request, edit_job, finish_job, heal, "
    "inject_fault, open_detail, open_list, set_network, set_quota, settle, start_job, "
    "sync_job, tick"
)


def error_of(kind: str, arguments: dict[str, Any]) -> str:
    with pytest.raises(ActionError) as caught:
        build_action(kind, arguments)
    return str(caught.value)


class TestRegistry:
    def test_kinds_are_unique_and_complete(self) -> None:
        """Every action class is registered once under its snake_case kind."""
        assert len(act.ACTIONS) == len(act.ACTION_TYPES) == 17
        assert all(act.ACTIONS[cls.kind] is cls for cls in act.ACTION_TYPES)
        assert ", ".join(sorted(act.ACTIONS)) == ALL_KINDS

    def test_every_action_has_an_actor(self) -> None:
        """Each action says who acts."""
        actors = {cls.kind: cls.actor for cls in act.ACTION_TYPES}
        assert set(actors.values()) == {"generator", "user", "clock", "network", "device", "world"}

    def test_view_actions(self) -> None:
        """The views are the list and the detail view."""
        views = act.VIEW_ACTIONS
        assert views == (act.OpenList, act.OpenDetail)

    def test_action_error_is_a_veosim_error(self) -> None:
        """ActionError is one of veosim's own errors."""
        assert issubclass(ActionError, VeosimError)


class TestBuildAction:
    def test_builds(self) -> None:
        """A kind and its arguments build the action class."""
        assert build_action("open_detail", {"device": "d1", "job": "j1"}) == act.OpenDetail(
            "d1", "j1"
        )

    def test_defaults_fill_in(self) -> None:
        """Arguments with defaults may be left out."""
        assert build_action("tick", {}) == act.Tick(1000)
        assert build_action("finish_job", {"device": "d1", "job": "j1"}).status == "completed"  # type: ignore[attr-defined]
        assert build_action("deliver", {}) == act.Deliver(0)

    def test_optional_none(self) -> None:
        """An optional integer accepts None."""
        assert build_action("set_quota", {"device": "d1", "limit": None}) == act.SetQuota("d1")

    @pytest.mark.parametrize("cls", act.ACTION_TYPES, ids=lambda cls: cls.kind)
    def test_round_trip(self, cls: type[act.Action]) -> None:
        """An action rebuilt from its kind and arguments is equal to the original."""
        sample = {"device": "d1", "job": "j1", "mode": "offline", "outcome": "torn"}
        arguments = {
            field.name: sample[field.name]
            for field in attrs.fields(cls)
            if field.default is attrs.NOTHING
        }
        original = cls(**arguments)
        assert build_action(original.kind, original.arguments()) == original

    def test_unknown_kind(self) -> None:
        """An unknown kind lists every kind there is."""
        assert error_of("opn_detail", {}) == (
            f"unknown action 'opn_detail'; expected one of: {ALL_KINDS}"
        )

    def test_unknown_argument(self) -> None:
        """An unknown argument names it and what the action takes."""
        assert error_of("open_detail", {"device": "d1", "job": "j1", "jobs": "j2"}) == (
            "action 'open_detail' has no argument 'jobs'; did you mean 'job'?"
        )

    def test_unknown_argument_first_in_order(self) -> None:
        """With several unknown arguments, the first by name is reported."""
        assert error_of("open_list", {"device": "d1", "zz": 1, "aa": 2}) == (
            "action 'open_list' has no argument 'aa'; it takes: device"
        )

    def test_argument_to_action_without_any(self) -> None:
        """An action that takes nothing says so."""
        assert error_of("heal", {"device": "d1"}) == (
            "action 'heal' has no argument 'device'; it takes: nothing"
        )

    def test_missing_argument(self) -> None:
        """A missing required argument is named."""
        assert error_of("open_detail", {"device": "d1"}) == (
            "action 'open_detail' needs argument 'job'"
        )

    def test_missing_first_of_several(self) -> None:
        """Required arguments are checked in declaration order."""
        assert error_of("start_job", {}) == "action 'start_job' needs argument 'device'"

    @pytest.mark.parametrize(
        ("kind", "arguments", "message"),
        [
            ("open_list", {"device": 3}, "action 'open_list': 'device' must be a string (got 3)"),
            ("tick", {"ms": "5"}, "action 'tick': 'ms' must be an integer (got '5')"),
            ("tick", {"ms": True}, "action 'tick': 'ms' must be an integer (got True)"),
            ("tick", {"ms": 1.5}, "action 'tick': 'ms' must be an integer (got 1.5)"),
            (
                "set_quota",
                {"device": "d1", "limit": "3"},
                "action 'set_quota': 'limit' must be an integer or absent (got '3')",
            ),
            (
                "finish_job",
                {"device": "d1", "job": "j1", "status": None},
                "action 'finish_job': 'status' must be a string (got None)",
            ),
        ],
    )
    def test_wrong_type(self, kind: str, arguments: dict[str, Any], message: str) -> None:
        """A value of the wrong type is refused with the expected type and the value."""
        assert error_of(kind, arguments) == message


class TestArguments:
    def test_declaration_order(self) -> None:
        """arguments() lists the fields in declaration order."""
        assert list(act.FinishJob("d1", "j1", "partial").arguments()) == ["device", "job", "status"]

    def test_none_left_out(self) -> None:
        """Fields set to None are left out."""
        assert act.SetQuota("d1").arguments() == {"device": "d1"}

    def test_no_fields(self) -> None:
        """An action without fields has no arguments."""
        assert act.Settle().arguments() == {}


class TestDescribe:
    @pytest.mark.parametrize(
        ("action", "text"),
        [
            (act.OpenDetail("d1", "j1"), "open_detail device=d1 job=j1"),
            (act.OpenList("d2"), "open_list device=d2"),
            (act.FinishJob("d1", "j1"), "finish_job device=d1 job=j1 status=completed"),
            (act.EditJob("d1", "j1", "x"), "edit_job device=d1 job=j1 payload=x"),
            (act.Tick(), "tick ms=1000"),
            (act.Tick(250), "tick ms=250"),
            (act.SetNetwork("d1", "401"), "set_network device=d1 mode=401"),
            (act.InjectFault("d2", "torn"), "inject_fault device=d2 outcome=torn"),
            (act.Deliver(2), "deliver index=2"),
            (act.SetQuota("d1"), "set_quota device=d1"),
            (act.SetQuota("d1", 0), "set_quota device=d1 limit=0"),
            (act.Heal(), "heal"),
            (act.Settle(), "settle"),
        ],
    )
    def test_reads_like_a_scenario_step(self, action: act.Action, text: str) -> None:
        """describe() is the kind followed by name=value pairs, None left out."""
        assert action.describe() == text


class TestFrozen:
    def test_actions_are_frozen_values(self) -> None:
        """Actions are hashable, compare by value and cannot change."""
        action = act.OpenDetail("d1", "j1")
        assert action == act.OpenDetail("d1", "j1")
        assert len({action, act.OpenDetail("d1", "j1")}) == 1
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            action.job = "j2"  # type: ignore[misc]
