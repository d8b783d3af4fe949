"""The bounded domain drivers search: which devices, jobs, faults, and starting worlds.

The state machine draws its next action from `Domain.actions(world)`, and the explorer
enumerates the same list, so both drivers search the same space. The list is ordered
simplest first: Hypothesis shrinks a choice toward the front.
"""

from __future__ import annotations

import functools

import attrs

from veosim import actions as act
from veosim.contract import ClientFactory
from veosim.model import Job
from veosim.world import World, applicable, initial_world


@attrs.frozen
class Domain:
    devices: tuple[str, ...] = ("d1", "d2")
    jobs: tuple[str, ...] = ("j1", "j2")
    modes: tuple[str, ...] = ("ok", "offline", "500", "401")
    faults: tuple[tuple[str, str | None], ...] = (
        ("500", None),
        ("timeout", "PUT"),
        ("torn", None),
        ("404", None),
    )
    """(outcome, method): a GET that times out is just a failed read, so the domain
    times out PUTs, whose late landing is what matters."""
    finishes: tuple[str, ...] = ("completed", "failed")
    ticks: tuple[int, ...] = (1000, 60_000)
    """Clock steps: a short one fires the next retry, a long one exhausts backoffs."""
    quotas: tuple[int | None, ...] = ()
    """Local-store limits the search may set (`set_quota`); none by default."""
    in_flight: bool = True
    settle: bool = True
    heal: bool = True
    """Whether `heal` (every device's network back at once) is an action of its own."""

    def actions(self, world: World) -> tuple[act.Action, ...]:
        """Every action that applies to `world`, simplest first."""
        return _enabled(self, world)

    def candidates(self, world: World) -> list[act.Action]:
        """Every action of the domain that could apply to a world like this one."""
        candidates: list[act.Action] = []
        if self.settle:
            candidates.append(act.Settle())
        if self.heal and any(d.mode != "ok" or d.faults for d in world.devices):
            candidates.append(act.Heal())
        candidates.extend(act.Tick(ms) for ms in self.ticks)
        for device in self.devices:
            candidates.append(act.OpenList(device))
            candidates.extend(act.OpenDetail(device, job) for job in self.jobs)
        for device in self.devices:
            for job in self.jobs:
                candidates.append(act.StartJob(device, job))
                candidates.append(act.AddScene(device, job))
                candidates.extend(act.FinishJob(device, job, status) for status in self.finishes)
                candidates.append(act.EditJob(device, job))
                candidates.append(act.SyncJob(device, job))
                candidates.append(act.DeleteJob(device, job))
        for device in self.devices:
            candidates.extend(
                act.InjectFault(device, fault, method) for fault, method in self.faults
            )
            candidates.extend(
                act.SetNetwork(device, mode)
                for mode in self.modes
                if mode != world.device(device).mode
            )
        for device in self.devices:
            candidates.extend(act.SetQuota(device, limit) for limit in self.quotas)
        if self.in_flight:
            for index in range(len(world.in_flight)):
                candidates.append(act.Deliver(index))
                candidates.append(act.DropRequest(index))
        return candidates


@functools.lru_cache(maxsize=16384)
def _enabled(domain: Domain, world: World) -> tuple[act.Action, ...]:
    return tuple(a for a in domain.candidates(world) if applicable(world, a) is None)


def _tied(payload: str) -> Job:
    return Job("j1", "completed", 2, 900, 500, payload)


STARTS: dict[str, dict[str, object]] = {
    "empty": {},
    "cloud-behind": {
        "local": {"d1": (Job("j1", "completed", 3, 900, 500),)},
        "cloud": (Job("j1", "in_progress", 1, 800, 500),),
    },
    "tie": {
        "local": {"d1": (_tied("from d1"),), "d2": (_tied("from d2"),)},
    },
}
"""Named starting worlds: nothing yet; the seed bug's state (local completed/3, cloud
in_progress/1); two devices holding different versions that tie on every ranked field."""


def start(name: str, client: ClientFactory, devices: tuple[str, ...] = Domain().devices) -> World:
    """The starting world `name` of STARTS, for `client`, with these devices."""
    contents = STARTS[name]
    return initial_world(
        client,
        devices=devices,
        local=contents.get("local"),  # type: ignore[arg-type]
        cloud=contents.get("cloud", ()),  # type: ignore[arg-type]
    )
