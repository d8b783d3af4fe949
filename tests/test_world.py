"""Unit tests for veosim.world: the world stepped by actions, its network and its cloud.

Most tests drive the reference client; those about the network itself use `RawClient`,
which sends exactly one request per operation and handles no error, so that what the
world does to a request shows bare (its failures surface as recorded crashes).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

import attrs
import pytest

from veosim import actions as act
from veosim import world as w
from veosim.clients import resolve
from veosim.clients.reference import Pending, ReferenceClient, ReferenceState
from veosim.contract import Clock, CloudApi, LocalStore
from veosim.model import (
    DetailEntry,
    Job,
    ListEntry,
    Source,
    SyncStatus,
    VeosimError,
)
from veosim.world import Method, Outcome, StepError, StepResult, World

V0 = Job("j1", "in_progress", 1, 900, 900)
DONE = Job("j1", "completed", 3, 1005, 900)


class RawClient:
    """One request per operation, no error handling, ticks counted as private state."""

    put_options: ClassVar[dict[str, Any]] = {}

    def __init__(
        self, local: LocalStore, cloud: CloudApi, clock: Clock, state: Hashable | None
    ) -> None:
        self.local, self.cloud, self.clock = local, cloud, clock
        self.ticks = state if isinstance(state, int) else 0

    def list_jobs(self) -> tuple[ListEntry, ...]:
        listing = self.cloud.list()
        return tuple(
            ListEntry(row.job_id, row, Source.CLOUD, SyncStatus.SYNCED) for row in listing.rows
        )

    def get_job(self, job_id: str) -> DetailEntry | None:
        return DetailEntry(job_id, self.cloud.get(job_id), Source.CLOUD, SyncStatus.SYNCED)

    def save_job(self, job: Job) -> None:
        self.local.put(job)
        self.cloud.put(job, **self.put_options)

    def sync_job(self, job_id: str) -> None:
        job = self.local.get(job_id)
        assert job is not None
        self.cloud.put_nowait(job, **self.put_options)

    def delete_job(self, job_id: str) -> None:
        self.local.delete(job_id)
        self.cloud.delete(job_id)

    def tick(self) -> None:
        self.ticks += 1

    def private_state(self) -> Hashable:
        return self.ticks


class AwaitedSyncClient(RawClient):
    """Sync awaits its PUT (RawClient fires and forgets)."""

    def sync_job(self, job_id: str) -> None:
        job = self.local.get(job_id)
        assert job is not None
        self.cloud.put(job, **self.put_options)


class IfAbsentClient(RawClient):
    put_options: ClassVar[dict[str, Any]] = {"if_absent": True}


class IfMatchV0Client(RawClient):
    put_options: ClassVar[dict[str, Any]] = {"if_match": V0.digest}


def play(world: World, *actions: act.Action) -> World:
    for action in actions:
        world = w.step(world, action).world
    return world


def last(world: World, *actions: act.Action) -> StepResult:
    """Play every action but the last, and return the last one's result."""
    return w.step(play(world, *actions[:-1]), actions[-1])


def log(result: StepResult) -> list[str]:
    return [request.describe() for request in result.requests]


def dev(world: World, name: str = "d1") -> w.Device:
    return world.device(name)


def reference(**kwargs: Any) -> World:
    return w.initial_world(ReferenceClient, **kwargs)


def raw(client: type[RawClient] = RawClient, **kwargs: Any) -> World:
    kwargs.setdefault("devices", ("d1",))
    kwargs.setdefault("local", {"d1": [V0]})
    kwargs.setdefault("cloud", [V0])
    return w.initial_world(client, **kwargs)


# --- the initial world ---------------------------------------------------------------------


class TestInitialWorld:
    def test_defaults(self) -> None:
        """By default: devices d1 and d2, empty stores, clock at 1000, nothing in flight."""
        world = reference()
        assert world.device_names == ("d1", "d2")
        assert world.clock == 1000
        assert world.cloud == w.Cloud()
        assert world.in_flight == ()
        assert all(d.local == () and d.mode == "ok" and d.screen is None for d in world.devices)

    def test_contents(self) -> None:
        """Local and cloud contents are stored sorted by id; the cloud keeps rows and blobs."""
        j2 = Job("j2", "failed", 0, 5, 5)
        world = reference(devices=("a",), local={"a": [j2, V0]}, cloud=[j2, DONE], clock=7)
        assert world.clock == 7
        assert dev(world, "a").local == (V0, j2)
        assert world.cloud.blobs == (DONE, j2)
        assert world.cloud.rows == (DONE.summary(), j2.summary())
        assert world.cloud.consistent("j1") and world.cloud.consistent("j2")

    def test_contents_count_as_started(self) -> None:
        """Jobs present at the start count as started."""
        world = reference(local={"d2": [V0]}, cloud=[Job("j2", "failed", 0, 5, 5)])
        assert world.history.started == frozenset({"j1", "j2"})
        assert world.job_ids() == ("j1", "j2")

    def test_no_devices(self) -> None:
        """A world needs at least one device."""
        with pytest.raises(StepError) as caught:
            reference(devices=())
        assert str(caught.value) == "devices must be distinct names, at least one (got [])"

    def test_duplicate_devices(self) -> None:
        """Device names must be distinct."""
        with pytest.raises(StepError) as caught:
            reference(devices=("d1", "d1"))
        assert str(caught.value) == (
            "devices must be distinct names, at least one (got ['d1', 'd1'])"
        )

    def test_local_for_unknown_device(self) -> None:
        """Local contents must name a device of the world."""
        with pytest.raises(StepError) as caught:
            reference(local={"d9": [V0]})
        assert str(caught.value) == "local contents for unknown device 'd9'"

    def test_hashable_and_equal(self) -> None:
        """Worlds are values: equal when built alike, and hashable."""
        assert reference(cloud=[V0]) == reference(cloud=[V0])
        assert len({reference(cloud=[V0]), reference(cloud=[V0])}) == 1

    def test_unknown_device_lookup(self) -> None:
        """Asking the world for a device it lacks names the devices it has."""
        with pytest.raises(StepError) as caught:
            reference().device("d3")
        assert str(caught.value) == "unknown device 'd3'; the world has: d1, d2"


# --- the generator ---------------------------------------------------------------------------


class TestStartJob:
    def test_creates_and_saves(self) -> None:
        """A new job is in_progress with no scenes, stamped with the step's time, and saved."""
        result = w.step(reference(), act.StartJob("d1", "j1"))
        fresh = Job("j1", "in_progress", 0, 1001, 1001)
        assert dev(result.world).local == (fresh,)
        assert result.world.cloud.blobs == (fresh,)
        assert dev(result.world, "d2").local == ()
        assert result.world.history.started == frozenset({"j1"})
        assert log(result) == ["d1 GET j1 -> ok (absent)", "d1 PUT j1 -> ok (applied)"]


class TestAddScene:
    def test_adds_one_scene(self) -> None:
        """A scene is added to the device's version and the timestamp moves to now."""
        result = w.step(reference(local={"d1": [V0]}, cloud=[V0]), act.AddScene("d1", "j1"))
        expected = attrs.evolve(V0, scenes=2, timestamp=1001)
        assert dev(result.world).local == (expected,)
        assert result.world.cloud.blob("j1") == expected

    def test_advances_this_devices_version(self) -> None:
        """The scene is added to the acting device's version, not another device's."""
        ahead = attrs.evolve(V0, scenes=5)
        world = reference(local={"d1": [V0], "d2": [ahead]}, cloud=[ahead])
        result = w.step(world, act.AddScene("d1", "j1"))
        # d1's new version (2 scenes) is worse than the cloud's: the reference pulls it.
        assert dev(result.world).local == (ahead,)
        assert result.world.cloud.blob("j1") == ahead


class TestFinishJob:
    @pytest.mark.parametrize("status", ["completed", "partial", "failed"])
    def test_sets_status(self, status: str) -> None:
        """The job ends in the given status, stamped now."""
        result = w.step(reference(local={"d1": [V0]}), act.FinishJob("d1", "j1", status))
        assert dev(result.world).local == (attrs.evolve(V0, status=status, timestamp=1001),)

    def test_defaults_to_completed(self) -> None:
        """Without a status the job completes."""
        result = w.step(reference(local={"d1": [V0]}), act.FinishJob("d1", "j1"))
        assert dev(result.world).local[0].status == "completed"


# --- the user ---------------------------------------------------------------------------------


class TestOpenList:
    def test_shows_the_list(self) -> None:
        """The step's one view is the device's history list."""
        result = w.step(reference(local={"d1": [DONE]}, cloud=[V0]), act.OpenList("d1"))
        (view,) = result.views
        assert (view.device, view.job, view.crash) == ("d1", None, None)
        assert [entry.label() for entry in view.entries] == ["completed/3@1005 unsynced"]

    def test_leaves_the_screen(self) -> None:
        """Opening the list does not close an open detail view."""
        world = play(reference(local={"d1": [V0]}), act.OpenDetail("d1", "j1"))
        after = w.step(world, act.OpenList("d1")).world
        assert dev(after).screen == dev(world).screen is not None


class TestOpenDetail:
    def test_sets_the_screen(self) -> None:
        """The detail view shown becomes the device's screen."""
        result = w.step(reference(local={"d1": [DONE]}, cloud=[V0]), act.OpenDetail("d1", "j1"))
        (view,) = result.views
        expected = DetailEntry("j1", DONE, Source.LOCAL, SyncStatus.UNSYNCED)
        assert view.detail == expected
        assert (dev(result.world).screen, dev(result.world).screen_job) == (expected, "j1")
        assert dev(result.world, "d2").screen is None

    def test_missing_job(self) -> None:
        """Opening a job no store holds shows nothing, but the screen remembers the job."""
        result = w.step(reference(), act.OpenDetail("d1", "j9"))
        assert result.views[0].detail is None
        assert (dev(result.world).screen, dev(result.world).screen_job) == (None, "j9")

    def test_screen_is_not_refreshed(self) -> None:
        """The screen keeps the version it showed when opened, even after a newer save."""
        world = play(reference(local={"d1": [V0]}, cloud=[V0]), act.OpenDetail("d1", "j1"))
        world = play(world, act.AddScene("d1", "j1"))
        screen = dev(world).screen
        assert screen is not None and screen.shown == V0


class TestCloseDetail:
    def test_clears_the_screen(self) -> None:
        """Closing the detail view clears the screen and its job."""
        world = play(reference(local={"d1": [V0]}), act.OpenDetail("d1", "j1"))
        after = w.step(world, act.CloseDetail("d1")).world
        assert (dev(after).screen, dev(after).screen_job) == (None, None)


class TestEditJob:
    def test_needs_an_open_detail_view(self) -> None:
        """An edit is only possible on the job shown in the device's detail view."""
        world = reference(local={"d1": [V0]})
        assert w.applicable(world, act.EditJob("d1", "j1")) == (
            "d1 has no detail view of 'j1' open"
        )
        other = play(world, act.OpenDetail("d1", "j2"))
        assert w.applicable(other, act.EditJob("d1", "j1")) == (
            "d1 has no detail view of 'j1' open"
        )

    def test_edits_the_version_on_screen(self) -> None:
        """The edit sets the payload on the version on screen, stamped now, and saves it."""
        world = play(reference(local={"d1": [V0]}, cloud=[V0]), act.OpenDetail("d1", "j1"))
        result = w.step(world, act.EditJob("d1", "j1", "new script"))
        edited = attrs.evolve(V0, payload="new script", timestamp=1002)
        assert dev(result.world).local == (edited,)
        assert result.world.cloud.blob("j1") == edited

    def test_stale_screen_loses_to_the_store(self) -> None:
        """An edit of a stale screen is a worse version: the reference keeps the better one."""
        world = play(
            reference(local={"d1": [V0]}, cloud=[V0]),
            act.OpenDetail("d1", "j1"),
            act.FinishJob("d1", "j1"),
        )
        finished = dev(world).local[0]
        after = w.step(world, act.EditJob("d1", "j1", "late")).world
        assert dev(after).local == (finished,)
        assert after.cloud.blob("j1") == finished


class TestSyncJob:
    def test_uploads_the_better_local_version(self) -> None:
        """The Sync button makes the cloud hold the local version when it is better."""
        result = w.step(reference(local={"d1": [DONE]}, cloud=[V0]), act.SyncJob("d1", "j1"))
        assert result.world.cloud.blob("j1") == DONE
        assert log(result) == ["d1 GET j1 -> ok (read)", "d1 PUT j1 -> ok (applied)"]


class TestDeleteJob:
    def test_deletes_local_and_cloud(self) -> None:
        """Delete removes the local copy and leaves a tombstone in the cloud."""
        world = reference(local={"d1": [V0], "d2": [V0]}, cloud=[V0])
        result = w.step(world, act.DeleteJob("d1", "j1"))
        assert dev(result.world).local == ()
        assert dev(result.world, "d2").local == (V0,)
        assert result.world.cloud == w.Cloud(deleted=frozenset({"j1"}))
        assert result.world.history.deleted_on == frozenset({("d1", "j1")})
        assert result.world.history.deleted("j1")

    def test_deleted_job_stays_known(self) -> None:
        """A deleted job is still among the world's job ids (it was started)."""
        world = play(reference(cloud=[V0]), act.DeleteJob("d1", "j1"))
        assert world.job_ids() == ("j1",)


# --- the clock -----------------------------------------------------------------------------


class TestTick:
    def test_advances_the_clock_by_ms(self) -> None:
        """A tick moves the clock by its ms; any other action by one."""
        world = reference()
        assert w.step(world, act.Tick(250)).world.clock == 1250
        assert w.step(world, act.Tick()).world.clock == 2000
        assert w.step(world, act.OpenList("d1")).world.clock == 1001

    def test_every_device_ticks(self) -> None:
        """Every device's client gets its tick, and keeps its private state between steps."""
        world = play(raw(devices=("d1", "d2")), act.Tick(), act.Tick())
        assert [d.client_state for d in world.devices] == [2, 2]

    def test_fires_due_retries(self) -> None:
        """A retry that is due when the tick ends is sent."""
        world = play(
            reference(local={"d1": [DONE]}, cloud=[V0]),
            act.SetNetwork("d1", "offline"),
            act.SyncJob("d1", "j1"),
            act.SetNetwork("d1", "ok"),
        )
        assert w.step(world, act.Tick(500)).requests == ()
        result = w.step(world, act.Tick(1000))
        assert result.world.cloud.blob("j1") == DONE


# --- the network -----------------------------------------------------------------------------


class TestNetworkTable:
    def test_possible(self) -> None:
        """Reads cannot be torn, only PUTs; LIST cannot answer 404."""
        common = {
            Outcome.OK,
            Outcome.OFFLINE,
            Outcome.TIMEOUT,
            Outcome.UNAUTHORIZED,
            Outcome.SERVER_ERROR,
        }
        possible = dict(w.POSSIBLE)
        assert possible == {
            Method.LIST: common,
            Method.GET: common | {Outcome.NOT_FOUND},
            Method.PUT: common | {Outcome.TORN},
            Method.DELETE: common,
        }

    def test_modes_and_faults(self) -> None:
        """Modes are lasting conditions; faults are one-off and include 404 and torn."""
        assert w.MODES == ("ok", "offline", "timeout", "401", "500")
        assert w.FAULTS == ("offline", "timeout", "401", "404", "500", "torn")
        unreachable = w.UNREACHABLE_MODES
        assert unreachable == frozenset(w.MODES) - {"ok"}

    def test_every_mode_and_fault_is_an_outcome(self) -> None:
        """Every mode and fault names an outcome of the table."""
        assert {Outcome(name) for name in (*w.MODES, *w.FAULTS)} == set(Outcome)


class TestSetNetwork:
    def test_lasts_for_every_later_request(self) -> None:
        """A mode applies to every later request of the device until changed."""
        world = play(raw(devices=("d1", "d2"), local={"d1": [V0]}), act.SetNetwork("d1", "500"))
        assert dev(world).mode == "500"
        assert log(w.step(world, act.OpenDetail("d1", "j1"))) == ["d1 GET j1 -> 500 (failed)"]
        assert log(w.step(world, act.DeleteJob("d1", "j1"))) == ["d1 DELETE j1 -> 500 (failed)"]
        assert log(w.step(world, act.OpenDetail("d2", "j1"))) == ["d2 GET j1 -> ok (read)"]

    def test_faults_wait_while_the_mode_fails(self) -> None:
        """Queued faults are not consumed while nothing reaches the server."""
        world = play(raw(), act.InjectFault("d1", "404"), act.SetNetwork("d1", "offline"))
        world = play(world, act.OpenDetail("d1", "j1"))
        assert dev(world).faults == ("404",)


class TestInjectFault:
    def test_consumed_by_next_request(self) -> None:
        """The next request that can fail that way does, and the one after it is fine."""
        world = play(raw(), act.InjectFault("d1", "401"))
        assert dev(world).faults == ("401",)
        result = w.step(world, act.OpenDetail("d1", "j1"))
        assert log(result) == ["d1 GET j1 -> 401 (failed)"]
        assert dev(result.world).faults == ()
        assert log(w.step(result.world, act.OpenDetail("d1", "j1"))) == ["d1 GET j1 -> ok (read)"]

    def test_waits_for_a_request_it_fits(self) -> None:
        """A 404 cannot hit a LIST, and a torn fault waits for the next PUT."""
        world = play(raw(), act.InjectFault("d1", "404"), act.InjectFault("d1", "torn"))
        world = play(world, act.OpenList("d1"))
        assert dev(world).faults == ("404", "torn")
        result = w.step(world, act.OpenDetail("d1", "j1"))
        assert log(result) == ["d1 GET j1 -> 404 (failed)"]
        assert dev(result.world).faults == ("torn",)
        result = w.step(result.world, act.AddScene("d1", "j1"))
        assert log(result) == ["d1 PUT j1 -> torn (row only)"]
        assert dev(result.world).faults == ()

    def test_only_the_device(self) -> None:
        """A fault injected on one device does not touch another's requests."""
        world = play(raw(devices=("d1", "d2")), act.InjectFault("d1", "500"))
        assert log(w.step(world, act.OpenDetail("d2", "j1"))) == ["d2 GET j1 -> ok (read)"]

    def test_faults_queue_in_order(self) -> None:
        """Several faults are consumed oldest first."""
        world = play(raw(), act.InjectFault("d1", "500"), act.InjectFault("d1", "401"))
        first = w.step(world, act.OpenDetail("d1", "j1"))
        second = w.step(first.world, act.OpenDetail("d1", "j1"))
        assert log(first) + log(second) == [
            "d1 GET j1 -> 500 (failed)",
            "d1 GET j1 -> 401 (failed)",
        ]


class TestHeal:
    def test_clears_modes_and_faults(self) -> None:
        """Heal sets every device ok and clears queued faults; in-flight requests stay."""
        world = play(
            raw(devices=("d1", "d2"), local={"d2": [V0]}),
            act.SetNetwork("d1", "offline"),
            act.InjectFault("d2", "404"),
            act.InjectFault("d2", "timeout"),
            act.SyncJob("d2", "j1"),
        )
        assert len(world.in_flight) == 1
        assert dev(world, "d2").faults == ("404",)
        healed = w.step(world, act.Heal()).world
        assert [(d.mode, d.faults) for d in healed.devices] == [("ok", ()), ("ok", ())]
        assert healed.in_flight == world.in_flight


class TestTornPut:
    def test_row_without_blob(self) -> None:
        """A torn PUT writes the new summary row and leaves the old blob."""
        world = play(raw(), act.InjectFault("d1", "torn"))
        result = w.step(world, act.AddScene("d1", "j1"))
        new = attrs.evolve(V0, scenes=2, timestamp=1002)
        cloud = result.world.cloud
        assert cloud.row("j1") == new.summary()
        assert cloud.blob("j1") == V0
        assert not cloud.consistent("j1")
        assert [c.error for c in result.crashes] == [
            "TornWrite: PUT /jobs/j1: 500 after the row was written"
        ]

    def test_torn_fault_on_a_refused_put(self) -> None:
        """A torn fault on a PUT whose condition fails writes nothing: the PUT is refused."""
        world = play(raw(IfAbsentClient), act.InjectFault("d1", "torn"))
        result = w.step(world, act.AddScene("d1", "j1"))
        assert result.world.cloud == world.cloud
        assert log(result) == ["d1 PUT j1 -> ok (conflict)"]

    def test_consistent(self) -> None:
        """consistent holds for a matching row and blob, and for neither; not for one alone."""
        assert w.Cloud(rows=(V0.summary(),), blobs=(V0,)).consistent("j1")
        assert w.Cloud().consistent("j1")
        assert not w.Cloud(rows=(V0.summary(),)).consistent("j1")
        assert not w.Cloud(blobs=(V0,)).consistent("j1")


class TestTimedOutPut:
    def test_in_flight(self) -> None:
        """A PUT that times out is in flight: not applied, but not lost."""
        world = play(raw(), act.InjectFault("d1", "timeout"))
        result = w.step(world, act.AddScene("d1", "j1"))
        new = attrs.evolve(V0, scenes=2, timestamp=1002)
        assert result.world.cloud.blob("j1") == V0
        assert result.world.in_flight == (w.InFlight("d1", Method.PUT, "j1", new),)
        assert log(result) == ["d1 PUT j1 -> timeout (in flight)"]
        assert [c.error for c in result.crashes] == ["Timeout: PUT /jobs/j1: timeout"]

    def test_lands_later(self) -> None:
        """Delivering the timed-out PUT applies it then."""
        world = play(raw(), act.InjectFault("d1", "timeout"), act.AddScene("d1", "j1"))
        result = w.step(world, act.Deliver(0))
        assert result.world.cloud.blob("j1") == attrs.evolve(V0, scenes=2, timestamp=1002)
        assert result.world.in_flight == ()
        assert log(result) == ["d1 PUT j1 -> ok (late: applied)"]

    def test_late_conditional_put_refused_quietly(self) -> None:
        """A late PUT whose condition no longer holds is refused, and nobody hears of it."""
        world = play(
            raw(IfMatchV0Client, devices=("d1", "d2"), local={"d1": [V0], "d2": [V0]}),
            act.InjectFault("d1", "timeout"),
            act.AddScene("d1", "j1"),
            act.AddScene("d2", "j1"),
        )
        d2_version = world.cloud.blob("j1")
        result = w.step(world, act.Deliver(0))
        assert result.world.cloud.blob("j1") == d2_version
        assert log(result) == ["d1 PUT j1 -> ok (late: conflict)"]
        assert result.crashes == ()


class TestDeliverAndDrop:
    def in_flight_world(self) -> World:
        """Two fire-and-forget PUTs from two devices, both in flight."""
        return play(
            raw(AwaitedSyncClient, devices=("d1", "d2"), local={"d1": [V0], "d2": [DONE]}),
            act.InjectFault("d1", "timeout"),
            act.SyncJob("d1", "j1"),
            act.InjectFault("d2", "timeout"),
            act.SyncJob("d2", "j1"),
        )

    def test_any_order(self) -> None:
        """The driver chooses which in-flight request lands: the last sent may land first."""
        world = self.in_flight_world()
        assert [r.device for r in world.in_flight] == ["d1", "d2"]
        first = w.step(world, act.Deliver(1))
        assert first.world.cloud.blob("j1") == DONE
        assert [r.device for r in first.world.in_flight] == ["d1"]
        second = w.step(first.world, act.Deliver(0))
        assert second.world.cloud.blob("j1") == V0  # unconditional: the late one wins
        assert second.world.in_flight == ()

    def test_drop(self) -> None:
        """A dropped request is lost for good and logged as dropped."""
        world = self.in_flight_world()
        result = w.step(world, act.DropRequest(0))
        assert [r.device for r in result.world.in_flight] == ["d2"]
        assert result.world.cloud == world.cloud
        assert log(result) == ["d1 PUT j1 -> ok (dropped)"]

    def test_late_delete(self) -> None:
        """A timed-out DELETE lands later and leaves a tombstone."""
        world = play(raw(), act.InjectFault("d1", "timeout"), act.DeleteJob("d1", "j1"))
        assert world.cloud.blob("j1") == V0
        result = w.step(world, act.Deliver(0))
        assert result.world.cloud == w.Cloud(deleted=frozenset({"j1"}))
        assert log(result) == ["d1 DELETE j1 -> ok (late: applied)"]


class TestPutNowait:
    def test_goes_in_flight(self) -> None:
        """A fire-and-forget PUT does not land until delivered."""
        result = w.step(raw(cloud=[]), act.SyncJob("d1", "j1"))
        assert result.world.cloud == w.Cloud()
        assert result.world.in_flight == (w.InFlight("d1", Method.PUT, "j1", V0),)
        assert log(result) == ["d1 PUT j1 -> ok (in flight)"]
        assert result.crashes == ()

    def test_failure_swallowed(self) -> None:
        """A fire-and-forget PUT that fails at once raises nothing and is logged."""
        world = play(raw(cloud=[]), act.SetNetwork("d1", "offline"))
        result = w.step(world, act.SyncJob("d1", "j1"))
        assert (result.world.in_flight, result.crashes) == ((), ())
        assert log(result) == ["d1 PUT j1 -> offline (failed)"]


class TestConditionalPut:
    def test_if_absent_conflict(self) -> None:
        """if_absent refuses to overwrite a blob the cloud holds."""
        result = w.step(raw(IfAbsentClient), act.AddScene("d1", "j1"))
        assert result.world.cloud.blob("j1") == V0
        assert log(result) == ["d1 PUT j1 -> ok (conflict)"]
        assert [c.error for c in result.crashes] == ["Conflict: PUT /jobs/j1: 412"]

    def test_if_absent_applies(self) -> None:
        """if_absent writes when the cloud holds nothing."""
        result = w.step(raw(IfAbsentClient, cloud=[]), act.AddScene("d1", "j1"))
        assert result.world.cloud.blob("j1") == attrs.evolve(V0, scenes=2, timestamp=1001)
        assert result.crashes == ()

    def test_if_match_applies(self) -> None:
        """if_match writes when the cloud's blob has that digest."""
        result = w.step(raw(IfMatchV0Client), act.AddScene("d1", "j1"))
        assert result.world.cloud.blob("j1") == attrs.evolve(V0, scenes=2, timestamp=1001)

    @pytest.mark.parametrize("cloud", [[], [DONE]], ids=["absent", "other"])
    def test_if_match_conflict(self, cloud: list[Job]) -> None:
        """if_match refuses when the cloud holds another version, or none."""
        result = w.step(raw(IfMatchV0Client, cloud=cloud), act.AddScene("d1", "j1"))
        assert result.world.cloud.blobs == tuple(cloud)
        assert [c.error for c in result.crashes] == ["Conflict: PUT /jobs/j1: 412"]


class TestGone:
    def test_put_to_deleted_job(self) -> None:
        """A PUT to a job deleted in the cloud is answered 410 and writes nothing."""
        world = play(raw(AwaitedSyncClient, devices=("d1", "d2")), act.DeleteJob("d2", "j1"))
        result = w.step(world, act.SyncJob("d1", "j1"))
        assert result.world.cloud == w.Cloud(deleted=frozenset({"j1"}))
        assert log(result) == ["d1 PUT j1 -> ok (gone)"]
        assert [c.error for c in result.crashes] == ["Gone: PUT /jobs/j1: 410"]

    def test_get_of_deleted_job(self) -> None:
        """Reading a deleted job is answered 410."""
        world = play(raw(devices=("d1", "d2")), act.DeleteJob("d2", "j1"))
        result = w.step(world, act.OpenDetail("d1", "j1"))
        assert log(result) == ["d1 GET j1 -> ok (gone)"]
        assert result.views[0].crash == "Gone: GET /jobs/j1: 410"

    def test_late_put_to_deleted_job(self) -> None:
        """A PUT landing after the delete is refused and does not bring the job back."""
        world = play(
            raw(devices=("d1", "d2")),
            act.InjectFault("d1", "timeout"),
            act.AddScene("d1", "j1"),
            act.DeleteJob("d2", "j1"),
        )
        result = w.step(world, act.Deliver(0))
        assert result.world.cloud == w.Cloud(deleted=frozenset({"j1"}))
        assert log(result) == ["d1 PUT j1 -> ok (late: gone)"]


class TestSetQuota:
    def test_full_store_raises(self) -> None:
        """A put of a new job into a full local store raises QuotaExceeded."""
        world = play(raw(), act.SetQuota("d1", 1))
        assert dev(world).quota == 1
        result = w.step(world, act.StartJob("d1", "j2"))
        assert [c.error for c in result.crashes] == ["QuotaExceeded: d1: local store full (1 jobs)"]
        assert dev(result.world).local == (V0,)

    def test_existing_job_may_be_rewritten(self) -> None:
        """A full store still takes a new version of a job it holds."""
        result = w.step(play(raw(), act.SetQuota("d1", 1)), act.AddScene("d1", "j1"))
        assert result.crashes == ()
        assert dev(result.world).local[0].scenes == 2

    def test_none_is_unbounded(self) -> None:
        """Setting the limit back to None lifts it."""
        world = play(raw(), act.SetQuota("d1", 1), act.SetQuota("d1", None))
        result = w.step(world, act.StartJob("d1", "j2"))
        assert result.crashes == ()
        assert [job.job_id for job in dev(result.world).local] == ["j1", "j2"]


class TestSettle:
    def test_converges(self) -> None:
        """Settle heals, lands what is in flight and syncs until every store agrees."""
        world = play(
            reference(local={"d1": [DONE], "d2": [V0]}, cloud=[V0]),
            act.SetNetwork("d1", "offline"),
            act.InjectFault("d2", "timeout"),
            act.AddScene("d2", "j1"),
        )
        result = w.step(world, act.Settle())
        after = result.world
        assert [(d.mode, d.faults) for d in after.devices] == [("ok", ()), ("ok", ())]
        assert after.in_flight == ()
        assert after.cloud.blob("j1") == DONE
        assert [d.local for d in after.devices] == [(DONE,), (DONE,)]
        assert [
            (d.name, job.job_id)
            for d in after.devices
            for job in d.local
            if after.cloud.blob(job.job_id) != job
        ] == []
        assert result.settling is not None and result.settling.quiet
        assert len(result.settling.rounds) == 3

    def test_reports_a_sync_loop(self) -> None:
        """A client that sends requests on every tick never goes quiet."""
        world = w.initial_world(
            resolve("tick-resync").factory, devices=("d1",), local={"d1": [V0]}, cloud=[V0]
        )
        settling = w.step(world, act.Settle()).settling
        assert settling == w.Settling(rounds=(w.SETTLE_ROUNDS, 1, w.SETTLE_ROUNDS), quiet=False)


# --- applicability --------------------------------------------------------------------------


def deleted_elsewhere() -> World:
    """d1 holds j1 in progress with its detail view open; d2 deleted j1."""
    return play(
        reference(local={"d1": [V0]}),
        act.OpenDetail("d1", "j1"),
        act.SetNetwork("d1", "offline"),
        act.DeleteJob("d2", "j1"),
    )


class TestApplicable:
    @pytest.mark.parametrize(
        ("action", "message"),
        [
            (act.OpenList("d3"), "unknown device 'd3'; the world has: d1, d2"),
            (act.StartJob("d1", ""), "a job id must be a non-empty string"),
            (act.StartJob("d2", "j1"), "job 'j1' was already started"),
            (act.DeleteJob("d1", "j9"), "no job 'j9' to delete"),
            (act.AddScene("d2", "j1"), "the generator on d2 is not producing job 'j1'"),
            (act.FinishJob("d2", "j1"), "the generator on d2 is not producing job 'j1'"),
            (act.AddScene("d1", "j2"), "the generator on d1 is not producing job 'j2'"),
            (
                act.FinishJob("d1", "j1", "in_progress"),
                "finish_job status must be one of: completed, partial, failed (got 'in_progress')",
            ),
            (act.EditJob("d1", "j1"), "d1 has no detail view of 'j1' open"),
            (
                act.SetNetwork("d1", "torn"),
                "unknown network mode 'torn'; expected one of: ok, offline, timeout, 401, 500",
            ),
            (
                act.InjectFault("d1", "ok"),
                "unknown fault 'ok'; expected one of: offline, timeout, 401, 404, 500, torn",
            ),
            (act.DropRequest(-1), "'index' must be >= 0 (got -1)"),
            (act.Tick(0), "'ms' must be >= 1 (got 0)"),
            (act.SetQuota("d1", -1), "'limit' must be >= 0 (got -1)"),
        ],
    )
    def test_message(self, action: act.Action, message: str) -> None:
        """An inapplicable action says why, and step refuses it with the same words."""
        world = reference(local={"d1": [V0, Job("j2", "completed", 1, 5, 5)]})
        assert w.applicable(world, action) == message
        with pytest.raises(StepError) as caught:
            w.step(world, action)
        assert str(caught.value) == message

    @pytest.mark.parametrize(
        "action", [act.AddScene("d1", "j1"), act.FinishJob("d1", "j1"), act.EditJob("d1", "j1")]
    )
    def test_deleted_job(self, action: act.Action) -> None:
        """A job deleted on any device can no longer be advanced or edited."""
        assert w.applicable(deleted_elsewhere(), action) == "job 'j1' was deleted"

    def test_deleted_job_cannot_restart(self) -> None:
        """A deleted job cannot be started again."""
        world = play(reference(local={"d1": [V0]}), act.DeleteJob("d1", "j1"))
        assert w.applicable(world, act.StartJob("d1", "j1")) == "job 'j1' was already started"

    def test_deliver_out_of_range_does_nothing(self) -> None:
        """What is in flight depends on the client: nothing to deliver is no error, and no change."""
        world = play(raw(cloud=[]), act.SyncJob("d1", "j1"))
        assert w.applicable(world, act.Deliver(0)) is None
        assert w.applicable(world, act.Deliver(1)) is None
        after = w.step(world, act.Deliver(1))
        assert after.world.in_flight == world.in_flight and after.requests == ()

    def test_applicable_actions(self) -> None:
        """Actions that fit the world are applicable."""
        world = reference(local={"d1": [V0]})
        for action in (
            act.StartJob("d1", "j2"),
            act.AddScene("d1", "j1"),
            act.Tick(1),
            act.SetQuota("d1", 0),
            act.Heal(),
            act.Settle(),
        ):
            assert w.applicable(world, action) is None

    def test_step_error_is_a_veosim_error(self) -> None:
        """StepError is one of veosim's own errors."""
        assert issubclass(StepError, VeosimError)

    def test_unknown_action_class(self) -> None:
        """An action class the world does not know is refused."""

        @attrs.frozen
        class Teleport(act.Action):
            kind: ClassVar[str] = "teleport"

        with pytest.raises(StepError) as caught:
            w.step(reference(), Teleport())
        assert str(caught.value) == "the world does not know action 'teleport'"


# --- probes ---------------------------------------------------------------------------------


class TestProbes:
    def test_probe_list_matches_a_step(self) -> None:
        """probe_list shows what opening the list would, and the world stays as it was."""
        world = reference(local={"d1": [DONE]}, cloud=[V0])
        frozen = hash(world)
        probed = w.probe_list(world, "d1")
        assert probed.entries == w.step(world, act.OpenList("d1")).views[0].entries
        assert hash(world) == frozen and world.clock == 1000

    def test_probe_detail_matches_a_step(self) -> None:
        """probe_detail shows what opening the job would."""
        world = reference(local={"d1": [DONE]}, cloud=[V0])
        opened = w.step(world, act.OpenDetail("d1", "j1")).views[0]
        assert w.probe_detail(world, "d1", "j1") == opened

    def test_probe_of_a_writing_client_writes_nothing(self) -> None:
        """A probe of a client whose read writes shows the write, but the world keeps none."""
        world = w.initial_world(
            resolve("sync-on-open").factory, devices=("d1",), local={"d1": [DONE]}, cloud=[V0]
        )
        probed = w.probe_detail(world, "d1", "j1")
        assert [r.method for r in probed.requests] == [Method.GET, Method.PUT]
        assert world.cloud.blob("j1") == V0
        # the same read as a step does change the world: the probe is what keeps it pure
        assert w.step(world, act.OpenDetail("d1", "j1")).world.cloud.blob("j1") == DONE

    def test_probe_consumes_no_fault(self) -> None:
        """A fault consumed during a probe is still queued in the world."""
        world = play(raw(), act.InjectFault("d1", "500"))
        probed = w.probe_detail(world, "d1", "j1")
        assert probed.crash == "ServerError: GET /jobs/j1: 500"
        assert dev(world).faults == ("500",)


# --- crashes ------------------------------------------------------------------------------------


class ExplodingClient(RawClient):
    def list_jobs(self) -> tuple[ListEntry, ...]:
        raise RuntimeError("boom")

    def get_job(self, job_id: str) -> DetailEntry | None:
        return "not an entry"  # type: ignore[return-value]

    def sync_job(self, job_id: str) -> None:
        raise VeosimError("harness misuse")


class UnhashableStateClient(RawClient):
    def private_state(self) -> Hashable:
        return [self.ticks]  # type: ignore[return-value]


def failing_factory(
    local: LocalStore, cloud: CloudApi, clock: Clock, state: Hashable | None
) -> RawClient:
    raise ValueError("cannot build")


class TestCrashes:
    def test_raising_operation_is_recorded(self) -> None:
        """A client that raises is recorded as a Crash; the step completes."""
        result = w.step(raw(ExplodingClient), act.OpenList("d1"))
        assert result.crashes == (w.Crash("d1", "list_jobs", "RuntimeError: boom"),)
        assert result.views[0].crash == "RuntimeError: boom"
        assert result.views[0].entries == ()

    def test_wrong_return_type_is_a_crash(self) -> None:
        """A detail view that is not a DetailEntry is a crash, and the screen stays empty."""
        result = w.step(raw(ExplodingClient), act.OpenDetail("d1", "j1"))
        message = "get_job returned 'not an entry', not a DetailEntry or None"
        assert result.crashes == (w.Crash("d1", "get_job", message),)
        assert result.views[0].detail is None
        assert dev(result.world).screen is None

    def test_construction_failure_is_a_crash(self) -> None:
        """A client that cannot be built is recorded as a crash of `construct`."""
        world = w.initial_world(failing_factory, devices=("d1",))
        result = w.step(world, act.Tick())
        assert result.crashes == (w.Crash("d1", "construct", "ValueError: cannot build"),)

    def test_unhashable_private_state_is_a_crash(self) -> None:
        """Private state that does not hash is a crash, and the old state is kept."""
        result = w.step(raw(UnhashableStateClient), act.Tick())
        assert result.crashes == (
            w.Crash("d1", "private_state", "TypeError: unhashable type: 'list'"),
        )
        assert dev(result.world).client_state is None

    def test_veosim_errors_propagate(self) -> None:
        """A VeosimError is the harness's own: it is raised, not recorded."""
        with pytest.raises(VeosimError, match="harness misuse"):
            w.step(raw(ExplodingClient), act.SyncJob("d1", "j1"))

    def test_state_survives_a_crash(self) -> None:
        """The private state a client had when it crashed is kept."""
        world = play(raw(ExplodingClient), act.Tick(), act.OpenList("d1"))
        assert dev(world).client_state == 1


# --- the request log ----------------------------------------------------------------------------


class TestRequestLog:
    def test_describe(self) -> None:
        """A request reads `device METHOD job -> outcome (effect)`."""
        request = w.Request("d1", Method.PUT, "j1", Outcome.TORN, "row only")
        assert request.describe() == "d1 PUT j1 -> torn (row only)"
        assert w.Request("d2", Method.LIST, None, Outcome.OFFLINE, "failed").describe() == (
            "d2 LIST -> offline (failed)"
        )

    def test_in_order_of_sending(self) -> None:
        """The step's requests are in the order they were made, across devices."""
        world = reference(local={"d1": [DONE], "d2": [V0]}, cloud=[V0])
        world = play(world, act.SetNetwork("d1", "offline"), act.SyncJob("d1", "j1"))
        world = play(world, act.SetNetwork("d1", "ok"), act.SetNetwork("d2", "401"))
        result = w.step(world, act.Tick(1000))
        assert log(result) == [
            "d1 GET j1 -> ok (read)",
            "d1 PUT j1 -> ok (applied)",
        ]

    def test_view_keeps_its_requests(self) -> None:
        """A view carries the requests it made."""
        result = w.step(reference(local={"d1": [V0]}, cloud=[V0]), act.OpenDetail("d1", "j1"))
        assert result.views[0].requests == result.requests
        assert log(result) == ["d1 GET j1 -> ok (read)"]

    def test_failed_requests_remembered(self) -> None:
        """A failed request marks (device, job) as failing until an applied PUT."""
        world = play(reference(local={"d1": [DONE]}, cloud=[V0]), act.SetNetwork("d1", "500"))
        world = play(world, act.SyncJob("d1", "j1"))
        assert world.history.failing == frozenset({("d1", "j1")})
        world = play(world, act.Heal(), act.SyncJob("d1", "j1"))
        assert world.history.failing == frozenset()

    def test_successful_list_is_logged(self) -> None:
        """Every request a device makes is in the log, a successful LIST too."""
        result = w.step(reference(cloud=[V0]), act.OpenList("d1"))
        assert [(r.device, r.method, r.outcome) for r in result.requests] == [
            ("d1", Method.LIST, Outcome.OK)
        ]


class TestReferenceStateInTheWorld:
    def test_queue_kept_between_steps(self) -> None:
        """The client's retry queue lives in the world as its private state."""
        world = play(
            reference(local={"d1": [DONE]}, cloud=[V0]),
            act.SetNetwork("d1", "offline"),
            act.SyncJob("d1", "j1"),
        )
        assert dev(world).client_state == ReferenceState(
            queue=(Pending("j1", delete=False, attempts=1, due=2002),)
        )
