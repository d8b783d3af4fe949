"""A user's own client, for the registry tests: the reference under another name."""

from __future__ import annotations

from veosim.clients.reference import ReferenceClient


class SampleClient(ReferenceClient):
    """A sample user client that behaves like the reference.

    Loaded by tests/test_clients.py as `tests.sample_client:SampleClient`.
    """


class Nested:
    class Inner(ReferenceClient):
        """A client class nested in another, reached by a dotted attribute."""


NOT_CALLABLE = 42


def undocumented_factory(local, cloud, clock, state):  # type: ignore[no-untyped-def]
    return ReferenceClient(local, cloud, clock, state)
