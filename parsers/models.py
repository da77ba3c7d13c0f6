"""The data that leaves the parsers: the contract every later stage reads.

Pydantic models rather than dataclasses because articles cross process boundaries as JSON (the
spool, the CLI) and must come back identical, timezone-aware datetimes included.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, computed_field

PARSER_VERSION = "1.0.0"

ArticleType = Literal["text", "photo", "video"]


class Page(BaseModel):
    """One page of a multi-page article; page 1 has an empty title, as on the site."""

    model_config = ConfigDict(frozen=True)

    title: str = ""
    paragraphs: list[str] = Field(default_factory=list)


class Article(BaseModel):
    """One parsed article. Body text excludes captions, which are kept apart in `captions`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    article_id: int
    canonical_url: str
    channel: str
    category: str | None = None
    type: ArticleType = "text"
    title: str
    description: str = ""
    authors: list[str] = Field(default_factory=list)
    editors: list[str] = Field(default_factory=list)
    published_at: AwareDatetime
    modified_at: AwareDatetime | None = None
    tags: list[str] = Field(default_factory=list)
    pages: list[Page] = Field(default_factory=list)
    captions: list[str] = Field(default_factory=list)
    parser_version: str = PARSER_VERSION
    rules_fired: dict[str, int] = Field(default_factory=dict)

    # mypy rejects any decorator over @property (mypy issue 1362); pydantic documents this ignore.
    @computed_field  # type: ignore[prop-decorator]
    @property
    def body(self) -> str:
        """Plain text: paragraphs separated by blank lines, page titles on their own line."""
        blocks: list[str] = []
        for page in self.pages:
            if page.title:
                blocks.append(page.title)
            blocks.extend(page.paragraphs)
        return "\n\n".join(blocks)


class ArticleRef(BaseModel):
    """A pointer to an article found by discovery (feed, sitemap, listing page)."""

    model_config = ConfigDict(frozen=True)

    url: str
    article_id: int
    title: str | None = None
    published_at: datetime | None = None


class TopicTag(BaseModel):
    """One topic assigned to an article, with the terms that justified it."""

    model_config = ConfigDict(frozen=True)

    topic: str
    source: Literal["site_tag", "channel", "taxonomy", "keyphrase"]
    score: float
    evidence: list[str] = Field(default_factory=list)


class ExtractionError(Exception):
    """Base of everything the parsers raise on purpose."""


class NotAnArticle(ExtractionError):
    """The page is a home, channel, tag or other listing page (also where deleted articles land)."""


class ParseError(ExtractionError):
    """An article page that lacks essential fields; `missing` names them."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []
