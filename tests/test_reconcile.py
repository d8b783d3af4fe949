"""Unit tests for veosim.reconcile, by example (the algebraic laws live in properties/)."""

from __future__ import annotations

import pytest

from veosim import reconcile
from veosim.model import CloudListing, DetailEntry, Job, ListEntry, Source, SyncStatus

# The pair that started the project: local finished, the cloud stuck at an early upload.
SEED_LOCAL = Job("j1", "completed", 3, 1005, 1000)
SEED_CLOUD = Job("j1", "in_progress", 1, 1002, 1000)

# Two versions that tie on status, scenes and timestamp and differ only in payload.
TIE_A = Job("j1", "completed", 3, 1005, 1000, "a")  # digest 58813055535672f0
TIE_B = Job("j1", "completed", 3, 1005, 1000, "b")  # digest b30692c4dacc6227


class TestStatusRank:
    @pytest.mark.parametrize(
        ("status", "expected"),
        [("completed", 4), ("partial", 3), ("failed", 2), ("in_progress", 1)],
    )
    def test_known(self, status: str, expected: int) -> None:
        """Known statuses rank completed > partial > failed > in_progress."""
        assert reconcile.status_rank(status) == expected

    @pytest.mark.parametrize("status", ["queued", "", "Completed", "cancelled"])
    def test_unknown_lowest(self, status: str) -> None:
        """Any other string ranks 0, below in_progress (case matters)."""
        assert reconcile.status_rank(status) == 0
        assert reconcile.status_rank(status) < reconcile.status_rank("in_progress")


class TestRank:
    def test_fields(self) -> None:
        """The rank is (status rank, scenes, timestamp)."""
        assert reconcile.rank(SEED_LOCAL) == (4, 3, 1005)
        assert reconcile.rank(SEED_CLOUD) == (1, 1, 1002)

    def test_summary_ranks_like_its_job(self) -> None:
        """A summary row ranks exactly like the job it was written from."""
        assert reconcile.rank(SEED_LOCAL.summary()) == reconcile.rank(SEED_LOCAL)

    def test_status_beats_scenes(self) -> None:
        """A failed job with no scenes beats an in_progress job with many."""
        failed = Job("j1", "failed", 0, 1, 1)
        busy = Job("j1", "in_progress", 9, 9, 1)
        assert reconcile.rank(failed) > reconcile.rank(busy)

    def test_scenes_beat_timestamp(self) -> None:
        """More scenes beat a later timestamp when the status ties."""
        assert reconcile.rank(Job("j1", "partial", 2, 1, 1)) > reconcile.rank(
            Job("j1", "partial", 1, 99, 1)
        )

    def test_payload_does_not_rank(self) -> None:
        """The payload plays no part in the rank."""
        assert reconcile.rank(TIE_A) == reconcile.rank(TIE_B)

    def test_created_at_does_not_rank(self) -> None:
        """created_at plays no part in the rank."""
        assert reconcile.rank(Job("j1", "failed", 1, 5, 1)) == reconcile.rank(
            Job("j1", "failed", 1, 5, 4)
        )


class TestOrderKey:
    def test_is_rank_then_digest(self) -> None:
        """The order key is the rank followed by the content digest."""
        assert reconcile.order_key(SEED_LOCAL) == (4, 3, 1005, SEED_LOCAL.digest)

    def test_ties_broken_by_digest(self) -> None:
        """Rank ties are ordered by digest, so the order is total."""
        assert reconcile.order_key(TIE_A) < reconcile.order_key(TIE_B)

    def test_sorting_is_a_total_order(self) -> None:
        """Sorting any shuffle of distinct versions gives the same sequence."""
        versions = [
            Job("j1", "queued", 9, 9, 1),
            Job("j1", "in_progress", 0, 1, 1),
            Job("j1", "in_progress", 2, 1, 1),
            Job("j1", "failed", 0, 1, 1),
            Job("j1", "partial", 1, 1, 1),
            TIE_B,
            TIE_A,
        ]
        expected = [*versions[:5], TIE_A, TIE_B]
        assert sorted(versions, key=reconcile.order_key) == expected
        assert sorted(reversed(versions), key=reconcile.order_key) == expected


class TestCompare:
    def test_better(self) -> None:
        """compare is 1 when the first version is better."""
        assert reconcile.compare(SEED_LOCAL, SEED_CLOUD) == 1

    def test_worse(self) -> None:
        """compare is -1 when the first version is worse."""
        assert reconcile.compare(SEED_CLOUD, SEED_LOCAL) == -1

    def test_same(self) -> None:
        """compare is 0 only for the same content."""
        assert reconcile.compare(SEED_LOCAL, Job("j1", "completed", 3, 1005, 1000)) == 0

    def test_payload_tie(self) -> None:
        """Versions tying on rank but not on payload are not equal in the order."""
        assert reconcile.compare(TIE_A, TIE_B) == -1
        assert reconcile.compare(TIE_B, TIE_A) == 1

    def test_job_against_its_summary(self) -> None:
        """A job and its own summary row are the same version."""
        assert reconcile.compare(SEED_LOCAL, SEED_LOCAL.summary()) == 0


class TestBetter:
    def test_strict(self) -> None:
        """better is strict: a version does not beat itself."""
        assert reconcile.better(SEED_LOCAL, SEED_CLOUD)
        assert not reconcile.better(SEED_CLOUD, SEED_LOCAL)
        assert not reconcile.better(SEED_LOCAL, SEED_LOCAL)

    def test_unknown_status_loses(self) -> None:
        """A version with an unknown status loses to in_progress with fewer scenes."""
        assert reconcile.better(Job("j1", "in_progress", 0, 1, 1), Job("j1", "weird", 5, 9, 1))


class TestSameVersion:
    def test_both_absent(self) -> None:
        """Two absent versions are the same."""
        assert reconcile.same_version(None, None)

    def test_one_absent(self) -> None:
        """An absent version differs from a present one, either way round."""
        assert not reconcile.same_version(SEED_LOCAL, None)
        assert not reconcile.same_version(None, SEED_LOCAL)

    def test_by_digest(self) -> None:
        """A job and its summary are the same version; payload ties are not."""
        assert reconcile.same_version(SEED_LOCAL, SEED_LOCAL.summary())
        assert not reconcile.same_version(TIE_A, TIE_B)


class TestJoin:
    def test_absent_loses(self) -> None:
        """Joining with nothing gives the other version."""
        assert reconcile.join(SEED_LOCAL, None) is SEED_LOCAL
        assert reconcile.join(None, SEED_LOCAL) is SEED_LOCAL
        assert reconcile.join(None, None) is None

    def test_better_wins_either_way(self) -> None:
        """The join is the better version whichever side it is on."""
        assert reconcile.join(SEED_LOCAL, SEED_CLOUD) is SEED_LOCAL
        assert reconcile.join(SEED_CLOUD, SEED_LOCAL) is SEED_LOCAL

    def test_tie_on_rank_decided_by_digest(self) -> None:
        """Payload ties join to the same winner in both orders."""
        assert reconcile.join(TIE_A, TIE_B) is TIE_B
        assert reconcile.join(TIE_B, TIE_A) is TIE_B

    def test_same_content_keeps_first(self) -> None:
        """On the same content the first argument is kept."""
        twin = Job("j1", "completed", 3, 1005, 1000)
        assert reconcile.join(SEED_LOCAL, twin) is SEED_LOCAL
        assert reconcile.join(twin, SEED_LOCAL) is twin


class TestPick:
    def test_seed_bug_pair_picks_local(self) -> None:
        """Local completed with 3 scenes beats the cloud's in_progress with 1."""
        assert reconcile.pick(SEED_LOCAL, SEED_CLOUD) is SEED_LOCAL

    def test_better_cloud_picked(self) -> None:
        """When the cloud's version is better, the cloud's is shown."""
        assert reconcile.pick(SEED_CLOUD, SEED_LOCAL) is SEED_LOCAL

    def test_only_one_side(self) -> None:
        """With one side absent, the other is shown."""
        assert reconcile.pick(None, SEED_CLOUD) is SEED_CLOUD
        assert reconcile.pick(SEED_LOCAL, None) is SEED_LOCAL

    def test_summaries(self) -> None:
        """pick works on summary rows with the same result."""
        assert reconcile.pick(SEED_LOCAL.summary(), SEED_CLOUD.summary()) == SEED_LOCAL.summary()


class TestSyncStatus:
    def test_synced_when_cloud_holds_shown(self) -> None:
        """SYNCED: the cloud answered and holds exactly the version shown."""
        assert reconcile.sync_status(SEED_LOCAL, SEED_LOCAL, True) is SyncStatus.SYNCED

    def test_synced_compares_content_not_identity(self) -> None:
        """A summary row of the shown job counts as the same version."""
        assert reconcile.sync_status(SEED_LOCAL, SEED_LOCAL.summary(), True) is SyncStatus.SYNCED

    def test_unsynced_when_cloud_holds_another(self) -> None:
        """UNSYNCED: the cloud answered and holds another version."""
        assert reconcile.sync_status(SEED_LOCAL, SEED_CLOUD, True) is SyncStatus.UNSYNCED

    def test_unsynced_when_payload_differs(self) -> None:
        """A version tying on rank but differing in payload is not synced."""
        assert reconcile.sync_status(TIE_B, TIE_A, True) is SyncStatus.UNSYNCED

    def test_unsynced_when_cloud_holds_none(self) -> None:
        """UNSYNCED: the cloud answered and holds no version."""
        assert reconcile.sync_status(SEED_LOCAL, None, True) is SyncStatus.UNSYNCED

    @pytest.mark.parametrize("cloud", [None, SEED_LOCAL, SEED_CLOUD])
    def test_offline_when_unreachable(self, cloud: Job | None) -> None:
        """OFFLINE: the cloud did not answer, whatever was passed for it."""
        assert reconcile.sync_status(SEED_LOCAL, cloud, False) is SyncStatus.OFFLINE


class TestDetailEntry:
    def test_seed_bug_pair(self) -> None:
        """The detail view of the seed pair shows the local version, unsynced."""
        assert reconcile.detail_entry("j1", SEED_LOCAL, SEED_CLOUD, True) == DetailEntry(
            "j1", SEED_LOCAL, Source.LOCAL, SyncStatus.UNSYNCED
        )

    def test_cloud_better(self) -> None:
        """A better cloud version is shown, synced, from the cloud."""
        assert reconcile.detail_entry("j1", SEED_CLOUD, SEED_LOCAL, True) == DetailEntry(
            "j1", SEED_LOCAL, Source.CLOUD, SyncStatus.SYNCED
        )

    def test_same_on_both(self) -> None:
        """The same version on both sides is shown from both, synced."""
        assert reconcile.detail_entry("j1", SEED_LOCAL, SEED_LOCAL, True) == DetailEntry(
            "j1", SEED_LOCAL, Source.BOTH, SyncStatus.SYNCED
        )

    def test_local_only(self) -> None:
        """A job the cloud does not hold is local and unsynced."""
        assert reconcile.detail_entry("j1", SEED_LOCAL, None, True) == DetailEntry(
            "j1", SEED_LOCAL, Source.LOCAL, SyncStatus.UNSYNCED
        )

    def test_unreachable_ignores_cloud(self) -> None:
        """With the cloud down, the local version is shown even if `cloud` is better."""
        assert reconcile.detail_entry("j1", SEED_CLOUD, SEED_LOCAL, False) == DetailEntry(
            "j1", SEED_CLOUD, Source.LOCAL, SyncStatus.OFFLINE
        )

    def test_unreachable_and_no_local(self) -> None:
        """With the cloud down and nothing local, there is no detail view."""
        assert reconcile.detail_entry("j1", None, SEED_CLOUD, False) is None

    def test_nowhere(self) -> None:
        """A job no store holds has no detail view."""
        assert reconcile.detail_entry("j1", None, None, True) is None


class TestListEntry:
    def test_seed_bug_pair(self) -> None:
        """The list row of the seed pair shows the local version's summary, unsynced."""
        assert reconcile.list_entry("j1", SEED_LOCAL, SEED_CLOUD.summary(), True) == ListEntry(
            "j1", SEED_LOCAL.summary(), Source.LOCAL, SyncStatus.UNSYNCED
        )

    def test_payload_tie_uses_digest(self) -> None:
        """The list orders ties by digest like the detail view: TIE_B wins either way."""
        entry = reconcile.list_entry("j1", TIE_A, TIE_B.summary(), True)
        assert entry == ListEntry("j1", TIE_B.summary(), Source.CLOUD, SyncStatus.SYNCED)

    def test_nowhere(self) -> None:
        """A job neither side holds has no row."""
        assert reconcile.list_entry("j1", None, None, True) is None


AGREE_CASES = [
    (SEED_LOCAL, SEED_CLOUD, True),
    (SEED_CLOUD, SEED_LOCAL, True),
    (SEED_LOCAL, SEED_LOCAL, True),
    (SEED_LOCAL, None, True),
    (None, SEED_CLOUD, True),
    (TIE_A, TIE_B, True),
    (TIE_B, TIE_A, True),
    (SEED_LOCAL, SEED_CLOUD, False),
    (SEED_CLOUD, None, False),
    (None, SEED_CLOUD, False),
    (Job("j1", "weird", 9, 9, 1000), SEED_CLOUD, True),
]


class TestListAndDetailAgree:
    @pytest.mark.parametrize(("local", "cloud", "reachable"), AGREE_CASES)
    def test_same_version_and_status(
        self, local: Job | None, cloud: Job | None, reachable: bool
    ) -> None:
        """On the same inputs, the list row and the detail view show one version and status."""
        row = cloud.summary() if cloud is not None else None
        listed = reconcile.list_entry("j1", local, row, reachable)
        detail = reconcile.detail_entry("j1", local, cloud, reachable)
        if detail is None:
            assert listed is None
            return
        assert listed is not None
        assert listed.shown == detail.shown.summary()
        assert (listed.status, listed.source) == (detail.status, detail.source)


def listing(*jobs: Job, deleted: frozenset[str] = frozenset()) -> CloudListing:
    return CloudListing(rows=tuple(job.summary() for job in jobs), deleted=deleted)


class TestMergeList:
    def test_newest_first_then_id(self) -> None:
        """Rows are ordered by created_at descending, then by id."""
        local = [Job("a", "completed", 1, 10, 10), Job("c", "completed", 1, 30, 30)]
        cloud = [Job("b", "completed", 1, 30, 30), Job("d", "completed", 1, 20, 20)]
        entries = reconcile.merge_list(local, listing(*cloud))
        assert [entry.job_id for entry in entries] == ["b", "c", "d", "a"]

    def test_one_entry_per_job(self) -> None:
        """A job held locally and in the cloud gives one row, the better version."""
        entries = reconcile.merge_list([SEED_LOCAL], listing(SEED_CLOUD))
        assert entries == (
            ListEntry("j1", SEED_LOCAL.summary(), Source.LOCAL, SyncStatus.UNSYNCED),
        )

    def test_statuses_per_job(self) -> None:
        """Each row's status compares the shown version with that job's cloud row."""
        synced = Job("s", "completed", 1, 5, 5)
        only_local = Job("l", "in_progress", 0, 4, 4)
        only_cloud = Job("c", "failed", 0, 3, 3)
        entries = reconcile.merge_list([synced, only_local], listing(synced, only_cloud))
        assert [(e.job_id, e.source, e.status) for e in entries] == [
            ("s", Source.BOTH, SyncStatus.SYNCED),
            ("l", Source.LOCAL, SyncStatus.UNSYNCED),
            ("c", Source.CLOUD, SyncStatus.SYNCED),
        ]

    def test_hidden_left_out(self) -> None:
        """Jobs deleted on this device are left out, locally and from the cloud rows."""
        other = Job("j2", "completed", 1, 1, 1)
        entries = reconcile.merge_list([SEED_LOCAL], listing(SEED_CLOUD, other), frozenset({"j1"}))
        assert [entry.job_id for entry in entries] == ["j2"]

    def test_cloud_deleted_left_out(self) -> None:
        """Jobs the cloud reports deleted are left out even though a local copy remains."""
        other = Job("j2", "completed", 1, 1, 1)
        entries = reconcile.merge_list(
            [SEED_LOCAL, other], listing(other, deleted=frozenset({"j1"}))
        )
        assert [entry.job_id for entry in entries] == ["j2"]

    def test_unreachable_shows_local_offline(self) -> None:
        """With the cloud down, every local version is shown, offline, and nothing else."""
        other = Job("j2", "partial", 2, 900, 900)
        entries = reconcile.merge_list([other, SEED_CLOUD], None)
        assert entries == (
            ListEntry("j1", SEED_CLOUD.summary(), Source.LOCAL, SyncStatus.OFFLINE),
            ListEntry("j2", other.summary(), Source.LOCAL, SyncStatus.OFFLINE),
        )

    def test_unreachable_still_hides(self) -> None:
        """Jobs deleted on this device stay hidden while the cloud is down."""
        assert reconcile.merge_list([SEED_LOCAL], None, frozenset({"j1"})) == ()

    def test_empty(self) -> None:
        """Nothing anywhere gives an empty list."""
        assert reconcile.merge_list([], listing()) == ()
        assert reconcile.merge_list([], None) == ()

    def test_agrees_with_detail(self) -> None:
        """Each merged row shows what detail_entry shows for that job."""
        local = [SEED_LOCAL, Job("j2", "failed", 0, 7, 7)]
        cloud = [SEED_CLOUD, Job("j2", "partial", 1, 8, 7), Job("j3", "completed", 2, 9, 9)]
        entries = reconcile.merge_list(local, listing(*cloud))
        by_id_local = {job.job_id: job for job in local}
        by_id_cloud = {job.job_id: job for job in cloud}
        for entry in entries:
            detail = reconcile.detail_entry(
                entry.job_id,
                by_id_local.get(entry.job_id),
                by_id_cloud.get(entry.job_id),
                True,
            )
            assert detail is not None
            assert (entry.shown, entry.status) == (detail.shown.summary(), detail.status)
        assert len(entries) == 3
