"""Unit tests for the reference client: every operation under every network outcome.

Each outcome is given to the device's next request that can fail that way
(`inject_fault`); "ok" injects nothing. Outcomes a request cannot have (a 404 on a LIST,
a torn GET) leave it alone, and the fault waits in the device's queue.
"""

from __future__ import annotations

import attrs
import pytest

from veosim import actions as act
from veosim import world as w
from veosim.clients import resolve
from veosim.clients.reference import (
    BACKOFF_MS,
    MAX_ATTEMPTS,
    Pending,
    ReferenceClient,
    ReferenceState,
)
from veosim.model import Job, SyncStatus
from veosim.world import Method, StepResult, World

OUTCOMES = ("ok", "offline", "timeout", "401", "404", "500", "torn")
UNREACHABLE = ("offline", "timeout", "401", "500")

# The seed bug's state: the local version finished, the cloud stuck at an early upload.
SEED_LOCAL = Job("j1", "completed", 3, 1005, 1000)
SEED_CLOUD = Job("j1", "in_progress", 1, 1002, 1000)
OTHER = Job("j2", "partial", 2, 900, 900)  # held by the cloud only
V0 = Job("j1", "in_progress", 1, 900, 900)


def play(world: World, *actions: act.Action) -> World:
    for action in actions:
        world = w.step(world, action).world
    return world


def with_outcome(world: World, outcome: str, device: str = "d1") -> World:
    """The device's next request that can have this outcome will."""
    return world if outcome == "ok" else play(world, act.InjectFault(device, outcome))


def seed_world(client: object = ReferenceClient) -> World:
    return w.initial_world(
        client,  # type: ignore[arg-type]
        devices=("d1", "d2"),
        local={"d1": [SEED_LOCAL]},
        cloud=[SEED_CLOUD, OTHER],
    )


def synced_world() -> World:
    """d1 and the cloud both hold V0."""
    return w.initial_world(ReferenceClient, devices=("d1", "d2"), local={"d1": [V0]}, cloud=[V0])


def state(world: World, device: str = "d1") -> ReferenceState:
    value = world.device(device).client_state
    assert isinstance(value, ReferenceState)
    return value


def writes(result: StepResult) -> list[str]:
    return [r.describe() for r in result.requests if r.method in (Method.PUT, Method.DELETE)]


def labels(result: StepResult) -> list[str]:
    (view,) = result.views
    if view.job is None:
        return [entry.label() for entry in view.entries]
    return [view.detail.label()] if view.detail is not None else []


class TestListJobs:
    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_shows(self, outcome: str) -> None:
        """Reachable: the join per job, newest first; unreachable: local versions, offline."""
        result = w.step(with_outcome(seed_world(), outcome), act.OpenList("d1"))
        if outcome in UNREACHABLE:
            expected = ["completed/3@1005 offline"]
        else:
            expected = ["completed/3@1005 unsynced", "partial/2@900 synced"]
        assert labels(result) == expected
        assert result.crashes == ()

    @pytest.mark.parametrize("outcome", ["404", "torn"])
    def test_impossible_fault_waits(self, outcome: str) -> None:
        """A fault a LIST cannot have stays queued for a later request."""
        result = w.step(with_outcome(seed_world(), outcome), act.OpenList("d1"))
        assert result.world.device("d1").faults == (outcome,)

    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_stores_nothing(self, outcome: str) -> None:
        """The list changes no store and queues nothing."""
        world = with_outcome(seed_world(), outcome)
        after = w.step(world, act.OpenList("d1")).world
        assert after.cloud == world.cloud
        assert after.device("d1").local == (SEED_LOCAL,)
        assert state(after) == ReferenceState()

    def test_forgets_jobs_deleted_in_the_cloud(self) -> None:
        """A job another device deleted is dropped locally and hidden from then on."""
        world = play(seed_world(), act.DeleteJob("d2", "j1"))
        result = w.step(world, act.OpenList("d1"))
        assert labels(result) == ["partial/2@900 synced"]
        assert result.world.device("d1").local == ()
        assert state(result.world).deleted == frozenset({"j1"})
        assert writes(result) == []


class TestGetJob:
    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_shows(self, outcome: str) -> None:
        """The better version; the local one, offline, when the cloud does not answer."""
        result = w.step(with_outcome(seed_world(), outcome), act.OpenDetail("d1", "j1"))
        status = "offline" if outcome in UNREACHABLE else "unsynced"
        assert labels(result) == [f"completed/3@1005 {status}"]
        assert result.crashes == ()

    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_cloud_only_job(self, outcome: str) -> None:
        """A job only the cloud holds shows while it answers, and not otherwise."""
        result = w.step(with_outcome(seed_world(), outcome), act.OpenDetail("d1", "j2"))
        if outcome in UNREACHABLE or outcome == "404":
            assert result.views[0].detail is None
        else:
            assert labels(result) == ["partial/2@900 synced"]

    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_stores_nothing(self, outcome: str) -> None:
        """The detail view changes no store and queues nothing."""
        world = with_outcome(seed_world(), outcome)
        after = w.step(world, act.OpenDetail("d1", "j1")).world
        assert after.cloud == world.cloud
        assert after.device("d1").local == (SEED_LOCAL,)
        assert state(after) == ReferenceState()

    def test_deleted_here(self) -> None:
        """A job deleted on this device shows nothing, even while the cloud still has it."""
        world = play(seed_world(), act.SetNetwork("d1", "offline"), act.DeleteJob("d1", "j1"))
        world = play(world, act.SetNetwork("d1", "ok"))
        result = w.step(world, act.OpenDetail("d1", "j1"))
        assert result.views[0].detail is None
        assert result.requests == ()


class TestReadsNeverWrite:
    @pytest.mark.parametrize("outcome", OUTCOMES)
    @pytest.mark.parametrize(
        "view", [act.OpenList("d1"), act.OpenDetail("d1", "j1")], ids=["list", "detail"]
    )
    def test_no_put_or_delete(self, view: act.Action, outcome: str) -> None:
        """A view sends only reads, even when the local version beats the cloud's."""
        result = w.step(with_outcome(seed_world(), outcome), view)
        assert {r.method for r in result.requests} <= {Method.LIST, Method.GET}
        assert result.world.in_flight == ()


class TestListDetailAgree:
    def test_reference_in_seed_state(self) -> None:
        """The reference's list and detail show the local version, both unsynced."""
        world = seed_world()
        listed = w.probe_list(world, "d1").shown_summary("j1")
        detail = w.probe_detail(world, "d1", "j1").shown_summary("j1")
        assert listed == detail == (SEED_LOCAL.summary(), SyncStatus.UNSYNCED)

    def test_seed_prefix_disagrees(self) -> None:
        """The seed's pre-fix client shows the cloud's version, "synced", in the detail view."""
        world = seed_world(resolve("seed-prefix").factory)
        listed = w.probe_list(world, "d1").shown_summary("j1")
        detail = w.probe_detail(world, "d1", "j1").shown_summary("j1")
        assert listed == (SEED_LOCAL.summary(), SyncStatus.UNSYNCED)
        assert detail == (SEED_CLOUD.summary(), SyncStatus.SYNCED)


class TestSaveJob:
    def scene_added(self, outcome: str) -> tuple[World, Job]:
        world = with_outcome(synced_world(), outcome)
        new = attrs.evolve(V0, scenes=2, timestamp=world.clock + 1)
        return w.step(world, act.AddScene("d1", "j1")).world, new

    def test_ok_lands_at_once(self) -> None:
        """With the network ok the save reaches the cloud at once and queues nothing."""
        after, new = self.scene_added("ok")
        assert after.device("d1").local == (new,)
        assert after.cloud.blob("j1") == new and after.cloud.consistent("j1")
        assert state(after).queue == ()

    @pytest.mark.parametrize("outcome", [o for o in OUTCOMES if o != "ok"])
    def test_failure_queues_a_retry(self, outcome: str) -> None:
        """A failed save is kept locally and queued for a retry after the first backoff."""
        after, new = self.scene_added(outcome)
        assert after.device("d1").local == (new,)
        assert after.cloud.blob("j1") == V0
        assert state(after).queue == (
            Pending("j1", delete=False, attempts=1, due=after.clock + BACKOFF_MS),
        )

    def test_torn_leaves_row_only(self) -> None:
        """A torn save leaves the cloud's new row over its old blob until the retry."""
        after, new = self.scene_added("torn")
        assert after.cloud.row("j1") == new.summary()
        assert not after.cloud.consistent("j1")

    @pytest.mark.parametrize("outcome", [o for o in OUTCOMES if o != "ok"])
    def test_retry_after_tick_lands(self, outcome: str) -> None:
        """Once the backoff has passed, a tick retries and the save lands."""
        after, new = self.scene_added(outcome)
        early = w.step(after, act.Tick(BACKOFF_MS - 1))
        assert early.requests == ()
        landed = w.step(early.world, act.Tick(1)).world
        assert landed.cloud.blob("j1") == new and landed.cloud.consistent("j1")
        assert state(landed).queue == ()

    def test_new_job_under_quota_evicts_a_synced_one(self) -> None:
        """A full store evicts a job the cloud holds as is, to make room for a new one."""
        world = play(synced_world(), act.SetQuota("d1", 1))
        result = w.step(world, act.StartJob("d1", "j2"))
        fresh = Job("j2", "in_progress", 0, result.world.clock, result.world.clock)
        assert result.world.device("d1").local == (fresh,)
        assert result.world.cloud.blob("j2") == fresh
        assert result.world.cloud.blob("j1") == V0
        assert result.crashes == ()

    def test_new_job_under_quota_with_nothing_evictable(self) -> None:
        """With nothing safe to evict, the upload still carries the new job to the cloud."""
        unsynced = Job("j0", "in_progress", 0, 5, 5)
        world = w.initial_world(ReferenceClient, devices=("d1",), local={"d1": [unsynced]})
        world = play(world, act.SetQuota("d1", 1), act.StartJob("d1", "j2"))
        assert world.cloud.blob("j2") is not None


class TestSyncJob:
    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_uploads_or_queues(self, outcome: str) -> None:
        """Sync uploads the better local version; on failure it queues a retry that lands."""
        result = w.step(with_outcome(seed_world(), outcome), act.SyncJob("d1", "j1"))
        if outcome == "ok":
            assert result.world.cloud.blob("j1") == SEED_LOCAL
            assert state(result.world).queue == ()
            return
        assert result.world.cloud.blob("j1") == SEED_CLOUD
        assert state(result.world).queue == (
            Pending("j1", delete=False, attempts=1, due=result.world.clock + BACKOFF_MS),
        )
        landed = w.step(result.world, act.Tick(BACKOFF_MS)).world
        assert landed.cloud.blob("j1") == SEED_LOCAL

    def test_conditional_put(self) -> None:
        """The upload is a PUT conditional on the version the client just read."""
        result = w.step(seed_world(), act.SyncJob("d1", "j1"))
        assert [r.describe() for r in result.requests] == [
            "d1 GET j1 -> ok (read)",
            "d1 PUT j1 -> ok (applied)",
        ]

    def test_pulls_a_better_cloud_version(self) -> None:
        """When the cloud's version is better, Sync stores it locally and writes nothing."""
        world = w.initial_world(
            ReferenceClient, devices=("d1",), local={"d1": [SEED_CLOUD]}, cloud=[SEED_LOCAL]
        )
        result = w.step(world, act.SyncJob("d1", "j1"))
        assert result.world.device("d1").local == (SEED_LOCAL,)
        assert writes(result) == []

    def test_replaces_a_queued_retry(self) -> None:
        """Pressing Sync drops the pending retry and starts afresh."""
        world = play(seed_world(), act.SetNetwork("d1", "500"), act.SyncJob("d1", "j1"))
        world = play(world, act.SyncJob("d1", "j1"))
        assert state(world).queue == (
            Pending("j1", delete=False, attempts=1, due=world.clock + BACKOFF_MS),
        )


class TestDeleteJob:
    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_local_gone_at_once(self, outcome: str) -> None:
        """Delete removes the local copy and hides the job, whatever the network does."""
        world = with_outcome(seed_world(), outcome)
        after = w.step(world, act.DeleteJob("d1", "j1")).world
        assert after.device("d1").local == ()
        assert "j1" in state(after).deleted
        assert [e.job_id for e in w.probe_list(after, "d1").entries] == ["j2"]
        assert w.probe_detail(after, "d1", "j1").detail is None

    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_cloud(self, outcome: str) -> None:
        """The cloud deletes at once, or the delete is queued and lands after a tick."""
        result = w.step(with_outcome(seed_world(), outcome), act.DeleteJob("d1", "j1"))
        after = result.world
        if outcome in ("ok", "torn"):
            assert after.cloud.deleted == frozenset({"j1"})
            assert state(after).queue == ()
        elif outcome == "404":  # the cloud says it has no such job: nothing to retry
            assert state(after).queue == ()
        else:
            assert after.cloud.blob("j1") == SEED_CLOUD
            assert state(after).queue == (
                Pending("j1", delete=True, attempts=1, due=after.clock + BACKOFF_MS),
            )
            landed = w.step(after, act.Tick(BACKOFF_MS)).world
            assert landed.cloud.deleted == frozenset({"j1"})
            assert landed.cloud.row("j1") is None and landed.cloud.blob("j1") is None
            assert state(landed).queue == ()

    def test_timed_out_delete_is_in_flight(self) -> None:
        """A timed-out DELETE is also in flight, and landing late does no harm."""
        world = play(seed_world(), act.InjectFault("d1", "timeout"), act.DeleteJob("d1", "j1"))
        assert [(r.method, r.job_id) for r in world.in_flight] == [(Method.DELETE, "j1")]
        world = play(world, act.Tick(BACKOFF_MS), act.Deliver(0))
        assert world.cloud == w.Cloud(
            rows=(OTHER.summary(),), blobs=(OTHER,), deleted=frozenset({"j1"})
        )

    def test_retried_until_the_cloud_has_it(self) -> None:
        """A delete failing again and again is retried with growing backoff until it lands."""
        world = play(seed_world(), act.SetNetwork("d1", "500"), act.DeleteJob("d1", "j1"))
        dues = []
        for _ in range(MAX_ATTEMPTS - 2):
            (pending,) = state(world).queue
            dues.append(pending.due - world.clock)
            world = play(world, act.Tick(pending.due - world.clock))
        assert dues == [BACKOFF_MS, 2 * BACKOFF_MS, 4 * BACKOFF_MS]
        assert world.cloud.blob("j1") == SEED_CLOUD
        world = play(world, act.SetNetwork("d1", "ok"), act.Tick(60_000))
        assert world.cloud.deleted == frozenset({"j1"})

    def test_outlasts_max_attempts(self) -> None:
        """A delete is not given up: after a long outage it still reaches the cloud."""
        world = play(seed_world(), act.SetNetwork("d1", "offline"), act.DeleteJob("d1", "j1"))
        for _ in range(MAX_ATTEMPTS + 1):
            world = play(world, act.Tick(60_000))
        world = play(world, act.Settle())
        assert "j1" in world.cloud.deleted

    def test_sync_after_delete_does_nothing(self) -> None:
        """Sync and save on a job deleted here send nothing."""
        world = play(seed_world(), act.DeleteJob("d1", "j1"))
        assert w.step(world, act.SyncJob("d1", "j1")).requests == ()


class TestTick:
    def queued(self) -> World:
        """d1's upload of the seed's local version failed once and is due now + 1000."""
        world = play(seed_world(), act.SetNetwork("d1", "offline"), act.SyncJob("d1", "j1"))
        return play(world, act.SetNetwork("d1", "ok"))

    def test_nothing_before_due(self) -> None:
        """A tick before the retry is due sends nothing."""
        world = self.queued()
        (pending,) = state(world).queue
        result = w.step(world, act.Tick(pending.due - world.clock - 1))
        assert result.requests == ()
        assert state(result.world).queue == (pending,)

    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_retry(self, outcome: str) -> None:
        """A due retry lands; failing again, it is requeued with the backoff doubled."""
        world = with_outcome(self.queued(), outcome)
        after = w.step(world, act.Tick(BACKOFF_MS)).world
        if outcome == "ok":
            assert after.cloud.blob("j1") == SEED_LOCAL
            assert state(after).queue == ()
        else:
            assert after.cloud.blob("j1") == SEED_CLOUD
            assert state(after).queue == (
                Pending("j1", delete=False, attempts=2, due=after.clock + 2 * BACKOFF_MS),
            )

    def test_idle(self) -> None:
        """A tick with nothing queued sends nothing."""
        assert w.step(seed_world(), act.Tick()).requests == ()

    def test_max_attempts(self) -> None:
        """An upload is tried MAX_ATTEMPTS times in all, then given up."""
        world = play(synced_world(), act.SetNetwork("d1", "500"), act.AddScene("d1", "j1"))
        attempts = 1
        for _ in range(MAX_ATTEMPTS + 3):
            result = w.step(world, act.Tick(60_000))
            attempts += sum(1 for r in result.requests if r.method is Method.GET)
            world = result.world
        assert attempts == MAX_ATTEMPTS
        assert state(world).queue == ()
        assert world.cloud.blob("j1") == V0

    def test_retry_never_overwrites_a_better_cloud_version(self) -> None:
        """Another device wrote a better version meanwhile: the retry pulls it instead."""
        world = w.initial_world(
            ReferenceClient, devices=("d1", "d2"), local={"d1": [V0], "d2": [V0]}, cloud=[V0]
        )
        world = play(world, act.SetNetwork("d1", "offline"), act.AddScene("d1", "j1"))
        world = play(world, act.FinishJob("d2", "j1"), act.SetNetwork("d1", "ok"))
        better = world.cloud.blob("j1")
        assert better is not None and better.status == "completed"
        result = w.step(world, act.Tick(BACKOFF_MS))
        assert result.world.cloud.blob("j1") == better
        assert result.world.device("d1").local == (better,)
        assert writes(result) == []

    def test_late_timed_out_put_never_overwrites(self) -> None:
        """A timed-out PUT landing after a newer save is refused by its condition."""
        world = w.initial_world(ReferenceClient, devices=("d1",))
        # 404 is spent on the GET (the job is new anyway); the PUT times out, in flight.
        world = play(
            world,
            act.InjectFault("d1", "404"),
            act.InjectFault("d1", "timeout"),
            act.StartJob("d1", "j1"),
        )
        assert len(world.in_flight) == 1
        world = play(world, act.Tick(BACKOFF_MS), act.AddScene("d1", "j1"))
        newest = world.cloud.blob("j1")
        assert newest is not None and newest.scenes == 1
        result = w.step(world, act.Deliver(0))
        assert result.world.cloud.blob("j1") == newest
        assert [r.describe() for r in result.requests] == ["d1 PUT j1 -> ok (late: conflict)"]


class TestPrivateState:
    def test_fresh_state(self) -> None:
        """A fresh client has an empty queue and no tombstones."""
        assert ReferenceState() == ReferenceState(queue=(), deleted=frozenset())

    def test_rebuilt_from_state(self) -> None:
        """A client built with captured state hands back the same state."""
        captured = ReferenceState(queue=(Pending("j1", False, 2, 5),), deleted=frozenset({"j9"}))
        client = ReferenceClient(None, None, None, captured)  # type: ignore[arg-type]
        assert client.private_state() is captured
        hash(client.private_state())

    def test_foreign_state_ignored(self) -> None:
        """State of another shape (another client's) starts the client fresh."""
        client = ReferenceClient(None, None, None, 3)  # type: ignore[arg-type]
        assert client.private_state() == ReferenceState()
