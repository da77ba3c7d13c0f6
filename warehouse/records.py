"""What the warehouse loads: observations of articles, grouped in batches.

This is the contract between the flows (which fetch and parse) and the warehouse (which decides
what is a new version, an edit, a deletion or noise). A batch is plain JSON so it can sit in the
spool folder while the database is locked, and be loaded later without loss or duplication.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from parsers.models import Article, TopicTag
from warehouse.kinds import FetchOutcome, ObservationOutcome


class FetchAttempt(BaseModel):
    """One HTTP attempt, successful or not; every attempt is kept in the fetch log."""

    model_config = ConfigDict(frozen=True)

    url: str
    final_url: str | None = None
    status: int | None = None
    outcome: FetchOutcome
    bytes: int = 0
    etag: str | None = None
    last_modified: str | None = None
    elapsed_ms: float = 0.0
    error: str | None = None
    attempted_at: AwareDatetime
    attempt: int = 1
    cause: str | None = Field(
        None, description="Why the attempt failed: dns, timeout, bot_wall, ... (see fetch_log)."
    )


class Observation(BaseModel):
    """What one check of one article found."""

    model_config = ConfigDict(frozen=True)

    article_id: int
    url: str
    observed_at: AwareDatetime
    outcome: ObservationOutcome
    article: Article | None = None
    raw_html: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    topics: list[TopicTag] = Field(default_factory=list)
    attempts: list[FetchAttempt] = Field(default_factory=list)
    reparse: bool = Field(
        False,
        description="Parsed again from a stored raw page by a newer parser: never a newsroom edit.",
    )


class Batch(BaseModel):
    """A unit of loading. Its id is derived from its content, so loading it twice is a no-op."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    created_at: AwareDatetime
    observations: list[Observation]
    fetches: list[FetchAttempt] = Field(
        default_factory=list,
        description="Attempts that belong to no article: listings and robots.txt.",
    )

    @property
    def batch_id(self) -> str:
        # A batch without listing fetches hashes as it did before the field existed.
        exclude = None if self.fetches else {"fetches"}
        return hashlib.sha256(self.model_dump_json(exclude=exclude).encode()).hexdigest()[:32]


RunState = Literal["running", "completed", "failed", "crashed", "cancelled"]


class RunRecord(BaseModel):
    """One flow run as the `runs` view shows it; recorded at start and again at the end."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    flow: str
    started_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    state: RunState = "running"
    counts: dict[str, int] = Field(default_factory=dict)
    message: str | None = None
    pid: int | None = None
    hostname: str | None = None
