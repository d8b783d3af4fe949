"""An example user client: the cache module of an app, as veosim loads it.

veosim constructs one `Client` per simulated device, with that device's local store,
its handle on the cloud API and the clock (see `veosim.contract`), and calls the six
operations on it. A real app would write them against its own storage and HTTP layer;
this one reuses the reference client's so that the example passes every property:

    veosim check --client mypkg.cache:Client --profile ci      # with examples/ on sys.path
"""

from __future__ import annotations

from veosim.clients.reference import ReferenceClient


class Client(ReferenceClient):
    """The example app's cache module (`--client mypkg.cache:Client`)."""
