"""A run that an earlier serve left unfinished must not hold its deployment's only slot for good."""

from __future__ import annotations

import asyncio

import pytest
from prefect import get_client
from prefect.client.schemas.objects import StateType
from prefect.states import Pending, Running

from flows.serving import release_orphans

pytestmark = pytest.mark.usefixtures("prefect_harness")


async def _scenario() -> tuple[list[str], StateType | None, int, StateType | None]:
    async with get_client() as client:
        flow_id = await client.create_flow_from_name("orphan-check")
        deployment_id = await client.create_deployment(flow_id, "orphan-check", concurrency_limit=1)
        orphan = await client.create_flow_run_from_deployment(deployment_id)
        await client.set_flow_run_state(orphan.id, Pending())
        await client.set_flow_run_state(orphan.id, Running())  # takes the only slot
        lines = await release_orphans(client, {deployment_id: "orphan-check"})
        orphan_state = (await client.read_flow_run(orphan.id)).state
        limit = (await client.read_deployment(deployment_id)).global_concurrency_limit
        fresh = await client.create_flow_run_from_deployment(deployment_id)
        await client.set_flow_run_state(fresh.id, Pending())
        answer = await client.set_flow_run_state(fresh.id, Running())
        return (
            lines,
            orphan_state.type if orphan_state else None,
            limit.active_slots if limit else -1,
            answer.state.type if answer.state else None,
        )


def test_an_unfinished_run_of_an_earlier_serve_is_crashed_and_frees_its_slot() -> None:
    lines, orphan, active_slots, fresh = asyncio.run(_scenario())
    assert orphan is StateType.CRASHED
    assert any("marked Crashed" in line for line in lines), lines
    assert active_slots == 0
    assert fresh is StateType.RUNNING
