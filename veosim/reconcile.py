"""The pure reconciliation core: which version wins, and what sync status a view shows.

Nothing here reads files, sleeps, prints or draws random numbers; there is no clock.
Every path in every built-in client that chooses between two versions calls this module;
nothing else compares versions. That single copy of the rule is the point of veosim.

The order
    A version ranks by status (completed > partial > failed > in_progress > anything
    else), then by scene count, then by timestamp. Versions that tie on all three are
    ordered by the digest of their full content, so the order is total and two devices
    holding different ties pick the same winner. `join` (the better of two) is therefore
    commutative, associative and idempotent.

Sync status (one place, used by the list and the detail view alike)
    - SYNCED: the cloud answered, and the version it holds for the job is exactly the
      version shown (same content digest).
    - UNSYNCED: the cloud answered and holds another version, or none: the view shows
      a "Sync" button.
    - OFFLINE: the cloud did not answer (offline, timeout, 401, 500): the view shows the
      local version and a "Sync" button, and claims nothing about the cloud.
    A view shows the join of what it read: the local version and, when the cloud
    answered, the cloud's version. The list reads summary rows, the detail view full
    blobs; both order them the same way, so on the same state they agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from veosim.model import (
    KNOWN_STATUSES,
    CloudListing,
    DetailEntry,
    Job,
    ListEntry,
    Source,
    Summary,
    SyncStatus,
)

V = TypeVar("V", Job, Summary)

Rank = tuple[int, int, int]
OrderKey = tuple[int, int, int, str]


def status_rank(status: str) -> int:
    """Higher is better: completed 4, partial 3, failed 2, in_progress 1, unknown 0."""
    try:
        return len(KNOWN_STATUSES) - KNOWN_STATUSES.index(status)
    except ValueError:
        return 0


def rank(version: Job | Summary) -> Rank:
    """The priority rule: status, then scene count, then timestamp."""
    return (status_rank(version.status), version.scenes, version.timestamp)


def order_key(version: Job | Summary) -> OrderKey:
    """The total order: the rank, then the content digest as the final tie-break."""
    return (*rank(version), version.digest)


def compare(a: Job | Summary, b: Job | Summary) -> int:
    """-1, 0 or 1 as `a` is worse than, the same version as, or better than `b`."""
    ka, kb = order_key(a), order_key(b)
    return (ka > kb) - (ka < kb)


def better(a: Job | Summary, b: Job | Summary) -> bool:
    """True when `a` strictly beats `b`."""
    return compare(a, b) > 0


def same_version(a: Job | Summary | None, b: Job | Summary | None) -> bool:
    """True when both are absent, or both are the same version (same content)."""
    if a is None or b is None:
        return a is b
    return a.digest == b.digest


def join(a: V | None, b: V | None) -> V | None:
    """The better of two versions; `a` on a tie (the same content). Absent loses."""
    if a is None:
        return b
    if b is None:
        return a
    return b if better(b, a) else a


def pick(local: V | None, cloud: V | None) -> V | None:
    """The version a view shows, from the local version and the cloud's."""
    return join(local, cloud)


def sync_status(shown: Job | Summary, cloud: Job | Summary | None, reachable: bool) -> SyncStatus:
    """The status of a view that shows `shown` after reading `cloud` (see module doc)."""
    if not reachable:
        return SyncStatus.OFFLINE
    return SyncStatus.SYNCED if same_version(shown, cloud) else SyncStatus.UNSYNCED


def _source(local: Job | Summary | None, cloud: Job | Summary | None, shown: object) -> Source:
    if local is not None and cloud is not None and same_version(local, cloud):
        return Source.BOTH
    return Source.LOCAL if shown is local else Source.CLOUD


def _choose(
    local: V | None, cloud: V | None, reachable: bool
) -> tuple[V, Source, SyncStatus] | None:
    """What a view shows and says, from what it read: the one rule for list and detail."""
    seen_cloud = cloud if reachable else None
    shown = pick(local, seen_cloud)
    if shown is None:
        return None
    return shown, _source(local, seen_cloud, shown), sync_status(shown, seen_cloud, reachable)


def detail_entry(
    job_id: str, local: Job | None, cloud: Job | None, reachable: bool
) -> DetailEntry | None:
    """The detail view of a job, from the local version and the cloud's full version.

    `cloud` is ignored when the cloud did not answer. None when neither holds the job.
    """
    chosen = _choose(local, cloud, reachable)
    return None if chosen is None else DetailEntry(job_id, *chosen)


def list_entry(
    job_id: str, local: Job | None, row: Summary | None, reachable: bool
) -> ListEntry | None:
    """One history-list row, from the local version and the cloud's summary row."""
    chosen = _choose(local.summary() if local is not None else None, row, reachable)
    return None if chosen is None else ListEntry(job_id, *chosen)


def merge_list(
    local: Iterable[Job],
    listing: CloudListing | None,
    hidden: frozenset[str] = frozenset(),
) -> tuple[ListEntry, ...]:
    """The history list: one entry per job, newest first (`listing` None: cloud down).

    Jobs in `hidden` (deleted on this device) and jobs the cloud reports deleted are
    left out.
    """
    reachable = listing is not None
    gone = hidden | (listing.deleted if listing is not None else frozenset())
    by_id_local = {job.job_id: job for job in local if job.job_id not in gone}
    by_id_cloud = {
        row.job_id: row for row in (listing.rows if listing else ()) if row.job_id not in gone
    }
    entries = []
    for job_id in sorted(by_id_local.keys() | by_id_cloud.keys()):
        entry = list_entry(job_id, by_id_local.get(job_id), by_id_cloud.get(job_id), reachable)
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda entry: (-entry.shown.created_at, entry.job_id))
    return tuple(entries)
