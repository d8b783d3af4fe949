"""The catalogue of known-bad clients: realistic bugs an app team could ship.

Each is the reference client with one step done wrong, so that each bug stands alone
and `veosim mutants` can show which property catches it. Their comparisons still go
through `veosim.reconcile`: the bugs are in which versions a path reads, writes or
trusts, never in a second copy of the rule. The first line of each docstring is the
catalogue's description of the bug.
"""

from __future__ import annotations

import contextlib

import attrs

from veosim import reconcile
from veosim.clients.reference import ReferenceClient
from veosim.contract import CloudError, Unavailable
from veosim.model import CloudListing, DetailEntry, Job, ListEntry, SyncStatus


class SeedPrefixClient(ReferenceClient):
    """The detail view returns the cloud version whenever the cloud answers (the seed app before the fix)."""

    def detail(self, job_id: str, local: Job | None, cloud: Job | None) -> DetailEntry | None:
        if cloud is not None:
            return reconcile.detail_entry(job_id, None, cloud, reachable=True)
        return reconcile.detail_entry(job_id, local, None, reachable=True)


class DetailCachesCloudClient(ReferenceClient):
    """Opening a job stores the cloud's copy locally, over a better local version."""

    def detail(self, job_id: str, local: Job | None, cloud: Job | None) -> DetailEntry | None:
        entry = super().detail(job_id, local, cloud)
        if cloud is not None:
            self.local.put(cloud)
        return entry


class PresenceBadgeClient(ReferenceClient):
    """The list badges a job Synced whenever the cloud has a row for it, whatever version."""

    def list_jobs(self) -> tuple[ListEntry, ...]:
        entries = super().list_jobs()
        try:
            listing = self.cloud.list()
        except Unavailable:
            return entries
        in_cloud = {row.job_id for row in listing.rows}
        return tuple(
            attrs.evolve(entry, status=SyncStatus.SYNCED) if entry.job_id in in_cloud else entry
            for entry in entries
        )


class OfflineRaisesClient(ReferenceClient):
    """The list lets the network error escape when the cloud does not answer."""

    def list_jobs(self) -> tuple[ListEntry, ...]:
        listing = self.cloud.list()
        self.forget_deleted(listing)
        return reconcile.merge_list(self.local.all(), listing, self.state.deleted)


class SyncOnOpenClient(ReferenceClient):
    """Opening a job uploads the local version when it beats the cloud's: a read that writes."""

    def detail(self, job_id: str, local: Job | None, cloud: Job | None) -> DetailEntry | None:
        if local is not None and (cloud is None or reconcile.better(local, cloud)):
            try:
                self.put(local, cloud)
                cloud = local
            except CloudError:
                pass
        return super().detail(job_id, local, cloud)


class UnconditionalPutClient(ReferenceClient):
    """Uploads without If-Match, so a timed-out PUT that lands late overwrites a newer version."""

    def put(self, local: Job, cloud: Job | None) -> None:
        self.cloud.put(local)


class StaleEditClient(ReferenceClient):
    """A save overwrites the stored version without comparing: an edit of a stale screen wins."""

    def store(self, job: Job) -> bool:
        self.local.put(job)
        return True


class ResurrectClient(ReferenceClient):
    """The list ignores the cloud's deleted ids, so another device's copy of a deleted job shows again."""

    def forget_deleted(self, listing: CloudListing) -> None:
        return

    def list_jobs(self) -> tuple[ListEntry, ...]:
        try:
            listing = self.cloud.list()
        except Unavailable:
            return reconcile.merge_list(self.local.all(), None, self.state.deleted)
        rows_only = CloudListing(rows=listing.rows)
        return reconcile.merge_list(self.local.all(), rows_only, self.state.deleted)


class NoPullClient(ReferenceClient):
    """The Sync button only uploads: when the cloud's version is better, the local copy stays stale."""

    def pull(self, cloud: Job) -> None:
        return


class TickResyncClient(ReferenceClient):
    """A heartbeat re-uploads every local job on every timer tick, so the app never goes quiet."""

    def tick(self) -> None:
        super().tick()
        for job in self.local.all():
            with contextlib.suppress(CloudError):
                self.cloud.put(job)


class RankOnlyClient(ReferenceClient):
    """Versions that tie on status, scenes and timestamp keep the local copy: devices never agree."""

    def pull(self, cloud: Job) -> None:
        local = self.local.get(cloud.job_id)
        if local is None or not self.tied(local, cloud):
            super().pull(cloud)

    def detail(self, job_id: str, local: Job | None, cloud: Job | None) -> DetailEntry | None:
        if local is not None and cloud is not None and self.tied(local, cloud):
            return reconcile.detail_entry(job_id, local, None, reachable=True)
        return super().detail(job_id, local, cloud)

    @staticmethod
    def tied(local: Job, cloud: Job) -> bool:
        """Two different versions the priority rule alone cannot order."""
        return reconcile.rank(local) == reconcile.rank(cloud) and local != cloud


class OfflineDropClient(ReferenceClient):
    """A save made while the cloud does not answer is dropped instead of kept and queued."""

    def save_job(self, job: Job) -> None:
        try:
            self.cloud.list()
        except Unavailable:
            return
        super().save_job(job)


class LocalDeleteClient(ReferenceClient):
    """Deleting removes the local copy only: the cloud and the other devices keep the job."""

    def remote_delete(self, job_id: str, attempts: int = 0) -> None:
        return
