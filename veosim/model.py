"""Frozen value types: a job version, its cloud summary, and what a view shows.

Nothing here reads files, sleeps, prints or draws random numbers. Every value is a
frozen, slotted attrs class holding only tuples, frozensets and scalars, so that world
states built from them hash, and the explorer can merge duplicates.
"""

from __future__ import annotations

import enum
import hashlib
import json
from typing import Any

import attrs

KNOWN_STATUSES: tuple[str, ...] = ("completed", "partial", "failed", "in_progress")
"""The statuses the app knows, best first. Any other string is allowed and ranks lowest."""


class VeosimError(Exception):
    """The root of every error veosim raises on purpose; anything else is a bug."""


def _non_empty(instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value == "":
        raise ValueError(f"'{attribute.name}' must be a non-empty string (got '')")


def _at_least_zero(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    # bool is an int; a True scene count is a caller's mistake, not a count.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"'{attribute.name}' must be an int (got {value!r})")
    if value < 0:
        raise ValueError(f"'{attribute.name}' must be >= 0 (got {value})")


_text = attrs.validators.instance_of(str)


def content_digest(fields: tuple[str, str, int, int, int, str]) -> str:
    """A short, stable digest of a version's full content (the final tie-break)."""
    blob = json.dumps(fields, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(blob.encode("ascii")).hexdigest()[:16]


@attrs.frozen
class Summary:
    """What the cloud's list endpoint returns for a job: its summary row, no payload.

    `digest` is the content tag of the full version the row was written from (an ETag),
    so that the list can apply the same total order as the detail view.
    """

    job_id: str = attrs.field(validator=[_text, _non_empty])
    status: str = attrs.field(validator=_text)
    scenes: int = attrs.field(validator=_at_least_zero)
    timestamp: int = attrs.field(validator=_at_least_zero)
    created_at: int = attrs.field(validator=_at_least_zero)
    digest: str = attrs.field(validator=[_text, _non_empty])


@attrs.frozen
class Job:
    """One version of a video-generation job, as a store holds it.

    `payload` stands for logs, script and the rest: two versions that tie on every
    ranked field can still differ here.
    """

    job_id: str = attrs.field(validator=[_text, _non_empty])
    status: str = attrs.field(validator=_text)
    scenes: int = attrs.field(validator=_at_least_zero)
    timestamp: int = attrs.field(validator=_at_least_zero)
    created_at: int = attrs.field(validator=_at_least_zero)
    payload: str = attrs.field(default="", validator=_text)
    digest: str = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        fields = (
            self.job_id,
            self.status,
            self.scenes,
            self.timestamp,
            self.created_at,
            self.payload,
        )
        object.__setattr__(self, "digest", content_digest(fields))

    def summary(self) -> Summary:
        """The summary row the cloud keeps for this version."""
        return Summary(
            job_id=self.job_id,
            status=self.status,
            scenes=self.scenes,
            timestamp=self.timestamp,
            created_at=self.created_at,
            digest=self.digest,
        )

    def to_dict(self) -> dict[str, str | int]:
        """The job as plain data (scenario files, JSON output, external clients)."""
        return {
            "job_id": self.job_id,
            "status": self.status,
            "scenes": self.scenes,
            "timestamp": self.timestamp,
            "created_at": self.created_at,
            "payload": self.payload,
        }

    def label(self) -> str:
        """A short human label: `completed/3@1005`, plus the payload when it has one."""
        text = f"{self.status}/{self.scenes}@{self.timestamp}"
        return f"{text} '{self.payload}'" if self.payload else text


def summary_label(summary: Summary) -> str:
    """The same short label for a summary row (no payload to show)."""
    return f"{summary.status}/{summary.scenes}@{summary.timestamp}"


class SyncStatus(enum.Enum):
    """What a view says about a job's sync state. The semantics live in `reconcile`."""

    SYNCED = "synced"
    """Badge "Synced": the cloud answered and holds exactly the version shown."""
    UNSYNCED = "unsynced"
    """A "Sync" button: the cloud answered and does not hold the version shown."""
    OFFLINE = "offline"
    """A "Sync" button: the cloud did not answer; the version shown is the local one."""


class Source(enum.Enum):
    """Where the version a view shows came from."""

    LOCAL = "local"
    CLOUD = "cloud"
    BOTH = "both"


@attrs.frozen
class ListEntry:
    """One row of the history list: the version shown (as a summary) and its status."""

    job_id: str
    shown: Summary
    source: Source
    status: SyncStatus

    def label(self) -> str:
        return f"{summary_label(self.shown)} {self.status.value}"


@attrs.frozen
class DetailEntry:
    """The detail view of one job: the full version shown and its status."""

    job_id: str
    shown: Job
    source: Source
    status: SyncStatus

    def label(self) -> str:
        return f"{self.shown.label()} {self.status.value}"


@attrs.frozen
class CloudListing:
    """What the cloud's list endpoint answers: the summary rows and the deleted ids."""

    rows: tuple[Summary, ...]
    deleted: frozenset[str] = frozenset()
