"""The reference client: correct by construction, and the base of the bad ones.

Every choice between versions goes through `veosim.reconcile`. Writes are write-through
with a retry queue: a failed upload is retried with exponential backoff up to
`MAX_ATTEMPTS` times. Every upload first reads the cloud's version and writes
conditionally on it (If-Match), so neither a retry nor a late-landing timed-out request
can overwrite a better version in the cloud. Reads never write to the cloud. Deletes are
remembered (a local tombstone) and retried until the cloud has them.

The bad clients of the catalogue subclass this one and override one step each, so each
bug stands alone; the hooks are the small methods below.
"""

from __future__ import annotations

from collections.abc import Hashable

import attrs

from veosim import reconcile
from veosim.contract import (
    Clock,
    CloudApi,
    CloudError,
    Conflict,
    Gone,
    LocalStore,
    NotFound,
    QuotaExceeded,
    Unavailable,
)
from veosim.model import CloudListing, DetailEntry, Job, ListEntry

BACKOFF_MS = 1000
MAX_ATTEMPTS = 5
MAX_BACKOFF_MS = 30_000


@attrs.frozen
class Pending:
    """A queued retry: upload the job's local version, or delete it in the cloud.

    `carry` is a version the local store could not keep (quota): the upload takes it."""

    job_id: str
    delete: bool
    attempts: int
    due: int
    carry: Job | None = None


@attrs.frozen
class ReferenceState:
    queue: tuple[Pending, ...] = ()
    deleted: frozenset[str] = frozenset()


class ReferenceClient:
    """The correct client (`--client reference`)."""

    def __init__(
        self,
        local: LocalStore,
        cloud: CloudApi,
        clock: Clock,
        state: Hashable | None = None,
    ) -> None:
        self.local = local
        self.cloud = cloud
        self.clock = clock
        self.state = state if isinstance(state, ReferenceState) else ReferenceState()

    def private_state(self) -> Hashable:
        return self.state

    # --- reads ------------------------------------------------------------------------

    def list_jobs(self) -> tuple[ListEntry, ...]:
        try:
            listing = self.cloud.list()
        except Unavailable:
            return reconcile.merge_list(self.local.all(), None, self.state.deleted)
        self.forget_deleted(listing)
        return reconcile.merge_list(self.local.all(), listing, self.state.deleted)

    def get_job(self, job_id: str) -> DetailEntry | None:
        if job_id in self.state.deleted:
            return None
        local = self.local.get(job_id)
        try:
            cloud: Job | None = self.cloud.get(job_id)
        except NotFound:
            cloud = None
        except Gone:
            self.forget(job_id)
            return None
        except Unavailable:
            return reconcile.detail_entry(job_id, local, None, reachable=False)
        return self.detail(job_id, local, cloud)

    def detail(self, job_id: str, local: Job | None, cloud: Job | None) -> DetailEntry | None:
        """The detail view once the cloud answered (hook for the catalogue)."""
        return reconcile.detail_entry(job_id, local, cloud, reachable=True)

    def forget_deleted(self, listing: CloudListing) -> None:
        """Drop local copies of jobs the cloud reports deleted (a local write only)."""
        for job_id in sorted(listing.deleted):
            if self.local.get(job_id) is not None or job_id not in self.state.deleted:
                self.forget(job_id)

    def forget(self, job_id: str) -> None:
        self.local.delete(job_id)
        self.state = attrs.evolve(
            self.state,
            deleted=self.state.deleted | {job_id},
            queue=tuple(p for p in self.state.queue if p.job_id != job_id),
        )

    # --- writes -----------------------------------------------------------------------

    def save_job(self, job: Job) -> None:
        if job.job_id in self.state.deleted:
            return
        kept = self.store(job)
        self.upload(job.job_id, carry=None if kept else job)

    def store(self, job: Job) -> bool:
        """Keep the better of the stored version and `job` (never a worse one).
        False when the local store is full and `job` could not be kept."""
        current = self.local.get(job.job_id)
        best = reconcile.join(current, job)
        if best is None or best is current:
            return True
        try:
            self.local.put(best)
        except QuotaExceeded:
            return self.make_room(best)
        return True

    def make_room(self, job: Job) -> bool:
        """Local storage is full: evict the lowest-ranked job whose version the cloud
        holds, then write again. False when nothing is known safe to evict."""
        for candidate in sorted(self.local.all(), key=reconcile.order_key):
            if candidate.job_id == job.job_id:
                continue
            try:
                held = self.cloud.get(candidate.job_id)
            except CloudError:  # no answer: nothing is known safe to evict
                return False
            if reconcile.same_version(held, candidate):
                self.local.delete(candidate.job_id)
                self.local.put(job)
                return True
        return False

    def sync_job(self, job_id: str) -> None:
        if job_id in self.state.deleted:
            return
        queued = [p for p in self.state.queue if p.job_id == job_id]
        self.state = attrs.evolve(
            self.state, queue=tuple(p for p in self.state.queue if p.job_id != job_id)
        )
        self.upload(job_id, carry=queued[0].carry if queued else None)

    def upload(self, job_id: str, attempts: int = 0, carry: Job | None = None) -> None:
        """Make the cloud hold the better of the local and cloud versions (and of
        `carry`, a version the local store could not keep), and the local store too.
        A failure is queued for retry."""
        local = reconcile.join(self.local.get(job_id), carry)
        try:
            try:
                cloud: Job | None = self.cloud.get(job_id)
            except NotFound:
                cloud = None
            if cloud is not None and (local is None or not reconcile.better(local, cloud)):
                self.pull(cloud)
                return
            if local is None:
                return
            self.put(local, cloud)
        except Gone:
            self.forget(job_id)
        except (Unavailable, Conflict):
            self.retry_later(job_id, delete=False, attempts=attempts + 1, carry=carry)

    def pull(self, cloud: Job) -> None:
        """The cloud's version is at least as good as the local one: keep it locally."""
        self.store(cloud)

    def put(self, local: Job, cloud: Job | None) -> None:
        """The conditional PUT of a better local version (hook for the catalogue)."""
        if cloud is None:
            self.cloud.put(local, if_absent=True)
        else:
            self.cloud.put(local, if_match=cloud.digest)

    def delete_job(self, job_id: str) -> None:
        self.forget(job_id)
        self.remote_delete(job_id)

    def remote_delete(self, job_id: str, attempts: int = 0) -> None:
        try:
            self.cloud.delete(job_id)
        except Unavailable:
            self.retry_later(job_id, delete=True, attempts=attempts + 1)

    # --- retries ------------------------------------------------------------------------

    def retry_later(
        self, job_id: str, delete: bool, attempts: int, carry: Job | None = None
    ) -> None:
        """Queue a retry with backoff. Uploads give up after MAX_ATTEMPTS (the job
        then shows a Sync button); deletes retry until the cloud has them, since the
        deleting device no longer shows the job to sync."""
        queue = tuple(p for p in self.state.queue if p.job_id != job_id)
        if delete or carry is not None or attempts < MAX_ATTEMPTS:
            due = self.clock.now() + self.backoff(attempts)
            queue = (*queue, Pending(job_id, delete, attempts, due, carry))
        self.state = attrs.evolve(self.state, queue=queue)

    def backoff(self, attempts: int) -> int:
        """Exponential, capped so that a settling device always gets its turn."""
        return int(min(BACKOFF_MS * 2 ** (min(attempts, MAX_ATTEMPTS) - 1), MAX_BACKOFF_MS))

    def tick(self) -> None:
        now = self.clock.now()
        due = [p for p in self.state.queue if p.due <= now]
        for pending in due:
            self.state = attrs.evolve(
                self.state, queue=tuple(p for p in self.state.queue if p != pending)
            )
            if pending.delete:
                self.remote_delete(pending.job_id, pending.attempts)
            else:
                self.upload(pending.job_id, pending.attempts, pending.carry)
