"""The DuckDB warehouse: every version of every article, its changes, fetches and runs."""

from warehouse.loading import load_batch, load_batches
from warehouse.locking import DatabaseLocked
from warehouse.queries import (
    DueArticle,
    RawPage,
    WarehouseMissing,
    due_for_recheck,
    known_article_ids,
    open_readonly,
    stored_raw_pages,
)
from warehouse.records import RunRecord
from warehouse.report import ChangeSummary, LoadReport
from warehouse.runs import record_run
from warehouse.scheduling import Ladder
from warehouse.schema import SCHEMA_VERSION, migrate

__all__ = [
    "SCHEMA_VERSION",
    "ChangeSummary",
    "DatabaseLocked",
    "DueArticle",
    "Ladder",
    "LoadReport",
    "RawPage",
    "RunRecord",
    "WarehouseMissing",
    "due_for_recheck",
    "known_article_ids",
    "load_batch",
    "load_batches",
    "migrate",
    "open_readonly",
    "record_run",
    "stored_raw_pages",
]
