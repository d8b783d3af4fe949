"""Shared Hypothesis strategies: versions of a job, and runs of the world.

Small domains on purpose: few ids, few statuses, short payloads, so that ties (the
same status, scenes and timestamp with different content) come up often.
"""

from __future__ import annotations

from hypothesis import strategies as st

from veosim import actions as act
from veosim.contract import ClientFactory
from veosim.domain import STARTS, Domain, start
from veosim.model import KNOWN_STATUSES, Job
from veosim.world import World, step

statuses = st.sampled_from((*KNOWN_STATUSES, "queued", "weird"))


def jobs(job_id: str | None = "j1") -> st.SearchStrategy[Job]:
    """Versions of one job (or of a few jobs when `job_id` is None)."""
    ids = st.just(job_id) if job_id is not None else st.sampled_from(("j1", "j2", "j3"))
    return st.builds(
        Job,
        job_id=ids,
        status=statuses,
        scenes=st.integers(0, 3),
        timestamp=st.integers(0, 3),
        created_at=st.integers(0, 2),
        payload=st.sampled_from(("", "a", "b")),
    )


@st.composite
def runs(
    draw: st.DrawFn,
    client: ClientFactory,
    domain: Domain = Domain(),
    max_steps: int = 12,
) -> tuple[World, tuple[act.Action, ...]]:
    """A starting world and a sequence of actions that applies to it, step by step."""
    world = start(draw(st.sampled_from(tuple(STARTS))), client, domain.devices)
    initial = world
    steps: list[act.Action] = []
    for _ in range(draw(st.integers(0, max_steps))):
        action = draw(st.sampled_from(domain.actions(world)))
        world = step(world, action).world
        steps.append(action)
    return initial, tuple(steps)
