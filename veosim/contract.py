"""The client contract: what a client under test is given, and what it must offer.

A client is one device's cache module. The harness constructs it with that device's
local store, its handle on the cloud API and the clock, plus the private state it
captured last time (None for a fresh client):

    client = MyClient(local, cloud, clock, state)

and then calls one operation on it. A client may keep private state (a retry queue,
pending timers), but it must hand it back from `private_state()` as a hashable value and
accept it again at construction: the world rebuilds the client from that value before
every operation, which is how the explorer can merge equal states and restart from them.
State kept anywhere else is lost between operations.

The cloud handle raises the network's failures as the exceptions below. `Unavailable`
and its subclasses mean the cloud did not answer; `NotFound`, `Gone` and `Conflict` are
answers. A client that lets any exception escape an operation has crashed: properties
report it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Protocol, runtime_checkable

from veosim.model import CloudListing, DetailEntry, Job, ListEntry


class CloudError(Exception):
    """A request to the cloud did not succeed. The message names the request."""


class Unavailable(CloudError):
    """The cloud did not answer: the network or the server failed."""


class Offline(Unavailable):
    """The device has no network."""


class Timeout(Unavailable):
    """No answer in time. A timed-out write may still land later."""


class Unauthorized(Unavailable):
    """HTTP 401: the session expired."""


class ServerError(Unavailable):
    """HTTP 500."""


class TornWrite(ServerError):
    """HTTP 500 after the server wrote the summary row but not the full blob."""


class NotFound(CloudError):
    """HTTP 404: the cloud holds no such job."""


class Gone(CloudError):
    """HTTP 410: the job was deleted in the cloud; it cannot be read or written again."""


class Conflict(CloudError):
    """HTTP 412: a conditional write found another version than the one it expected."""


class QuotaExceeded(Exception):
    """The local store is full: the write did not happen."""


class LocalStore(Protocol):
    """One device's local storage (tabs of one browser share it)."""

    def get(self, job_id: str) -> Job | None: ...

    def put(self, job: Job) -> None:
        """Store this version. Raises QuotaExceeded when the store is full."""

    def delete(self, job_id: str) -> None: ...

    def all(self) -> tuple[Job, ...]:
        """Every job, ordered by id."""


class CloudApi(Protocol):
    """The device's handle on the cloud's HTTP API."""

    def list(self) -> CloudListing:
        """GET /jobs: every summary row, and the ids deleted in the cloud."""

    def get(self, job_id: str) -> Job:
        """GET /jobs/{id}: the full blob. Raises NotFound or Gone as the cloud answers."""

    def put(self, job: Job, if_match: str | None = None, if_absent: bool = False) -> None:
        """PUT /jobs/{id}: write the row, then the blob.

        `if_match`: apply only if the cloud's current blob has this digest;
        `if_absent`: apply only if the cloud holds no blob. Otherwise raises Conflict.
        """

    def put_nowait(self, job: Job, if_match: str | None = None, if_absent: bool = False) -> None:
        """Send a PUT without awaiting it: it lands when the network delivers it."""

    def delete(self, job_id: str) -> None:
        """DELETE /jobs/{id}: removes row and blob and keeps a tombstone."""


class Clock(Protocol):
    def now(self) -> int:
        """Milliseconds of simulated time."""


@runtime_checkable
class Client(Protocol):
    """The six operations of the app's cache module, and its private state."""

    def list_jobs(self) -> Sequence[ListEntry]:
        """The history panel: one entry per job."""

    def get_job(self, job_id: str) -> DetailEntry | None:
        """The detail view of one job; None when no store holds it."""

    def save_job(self, job: Job) -> None:
        """Progress or an edit: write local, then the cloud (retrying failures)."""

    def sync_job(self, job_id: str) -> None:
        """The "Sync" button."""

    def delete_job(self, job_id: str) -> None:
        """Delete locally, then in the cloud."""

    def tick(self) -> None:
        """Time has passed: fire due retry timers."""

    def private_state(self) -> Hashable:
        """Everything the client keeps between operations, as a hashable value."""


OPERATIONS: tuple[str, ...] = (
    "list_jobs",
    "get_job",
    "save_job",
    "sync_job",
    "delete_job",
    "tick",
    "private_state",
)
"""The names `Client` offers: what a loaded client is checked for."""


class ClientFactory(Protocol):
    """A client class, or anything called the same way."""

    def __call__(
        self, local: LocalStore, cloud: CloudApi, clock: Clock, state: Hashable | None
    ) -> Client: ...
