"""`reparse`: run the current parser over stored raw pages, with no network.

After a parser fix, every stored article is re-extracted from the HTML that was actually served;
differences are recorded as `parser_change`, never as newsroom edits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import islice

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.states import State

from config.settings import Settings
from flows.fetching import FetchResult
from flows.observe import Target, observation_from
from flows.run_context import begin, current_run_id, finish, make_settings
from flows.steps import BatchResult, load_spool, spool_observations
from warehouse import RawPage, stored_raw_pages


@task(name="reparse-spool", cache_policy=NO_CACHE)
def reparse_batch(pages: list[RawPage], settings: Settings, run_id: str) -> BatchResult:
    observations = []
    now = datetime.now(UTC)
    for page in pages:
        result = FetchResult.from_stored(page.url, page.html)
        obs = observation_from(Target(page.article_id, page.url), result, now)
        observations.append(obs.model_copy(update={"reparse": True, "attempts": []}))
    return spool_observations(observations, settings, run_id)


REPARSE_TIMEOUT_SECONDS = 2 * 60 * 60  # no network; generous for a large warehouse


@flow(name="reparse", log_prints=True, timeout_seconds=REPARSE_TIMEOUT_SECONDS)
async def reparse(
    db_path: str | None = None, article_ids: list[int] | None = None
) -> dict[str, int] | State:
    settings = make_settings(db_path=db_path)
    state = await begin("reparse", settings, network=False)
    pages = stored_raw_pages(settings.db_path, article_ids)
    run_id = current_run_id()
    while chunk := list(islice(pages, settings.batch_size)):
        state.absorb_batch(reparse_batch(chunk, settings, run_id))
        state.absorb_load(load_spool(settings))
    return await finish(state)
