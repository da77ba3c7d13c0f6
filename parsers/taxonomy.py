"""The topic taxonomy: a YAML file editors can change without touching code, validated on load.

Terms are stored as written (that is what the evidence shows a reader) and matched by their stems,
so one entry covers every inflection. A bad entry must fail loudly at load time with its topic
named, not silently tag nothing for weeks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from parsers.stemming import stems

DEFAULT_TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yaml")

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_CHANNEL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?$")
Language = Literal["id", "en"]
# "term" and "key" score for their topic (a key term is decisive alone), "exclude" vetoes its
# topic, "ignore" (an idiom) only hides the shorter terms inside it.
TermKind = Literal["term", "key", "exclude", "ignore"]


class TaxonomyError(ValueError):
    """The taxonomy file cannot be used; the message names the file and the bad entry."""


def _clean_terms(terms: list[str]) -> list[str]:
    cleaned = [" ".join(term.split()) for term in terms]
    for term in cleaned:
        if not stems(term):
            raise ValueError(f"term {term!r} has no letters or digits to match")
    return cleaned


class TopicSpec(BaseModel):
    """One topic: its slug (the stored value), display name, and the words that signal it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1)
    channels: list[str] = Field(
        default_factory=list, description="Channel or category slugs that imply the topic."
    )
    terms: dict[Language, list[str]] = Field(default_factory=dict)
    key_terms: dict[Language, list[str]] = Field(
        default_factory=dict, description="Terms specific enough to count more than one."
    )
    exclude: list[str] = Field(
        default_factory=list, description="Terms whose presence means another sense: no tag."
    )
    min_score: float | None = Field(None, gt=0)

    @field_validator("terms", "key_terms")
    @classmethod
    def _terms_usable(cls, value: dict[Language, list[str]]) -> dict[Language, list[str]]:
        return {lang: _clean_terms(terms) for lang, terms in value.items()}

    @field_validator("exclude")
    @classmethod
    def _exclusions_usable(cls, value: list[str]) -> list[str]:
        return _clean_terms(value)

    @field_validator("channels")
    @classmethod
    def _channels_are_slugs(cls, value: list[str]) -> list[str]:
        cleaned = [channel.strip().strip("/").lower() for channel in value]
        for channel in cleaned:
            if not _CHANNEL.match(channel):
                raise ValueError(f"{channel!r} is not a channel or channel/category slug")
        return cleaned

    @model_validator(mode="after")
    def _has_terms(self) -> TopicSpec:
        if not any(self.terms.values()) and not any(self.key_terms.values()):
            raise ValueError("topic has no terms")
        return self


@dataclass(frozen=True, slots=True)
class TermRef:
    """One taxonomy term ready for matching: which topic it serves and how much it counts."""

    topic: str
    term: str
    stems: tuple[str, ...]
    weight: float
    kind: TermKind


class Taxonomy(BaseModel):
    """All topics plus the scoring knobs; `index` maps a first stem to the terms that start with it.

    Terms shared by several topics are allowed: they support each of them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = 1
    min_score: float = Field(2.0, gt=0, description="Score a topic needs to be tagged.")
    key_weight: float = Field(1.5, gt=0, description="Weight of a key term (a term counts 1).")
    relative_floor: float = Field(
        0.3, ge=0, le=1, description="Drop topics scoring below this share of the best topic."
    )
    max_topics: int = Field(3, ge=1, description="Most taxonomy topics per article.")
    min_distinct_terms: int = Field(
        2, ge=1, description="Different terms a topic needs, unless one of them is a key term."
    )
    short_body_words: int = Field(
        80, ge=0, description="Body words under which a story is short-form (one term suffices)."
    )
    ignore: list[str] = Field(default_factory=list, description="Idioms that count for nothing.")
    topics: list[TopicSpec] = Field(min_length=1)

    _index: dict[str, list[TermRef]] = PrivateAttr(default_factory=dict)

    @field_validator("ignore")
    @classmethod
    def _idioms_usable(cls, value: list[str]) -> list[str]:
        return _clean_terms(value)

    @field_validator("topics")
    @classmethod
    def _unique_slugs(cls, value: list[TopicSpec]) -> list[TopicSpec]:
        seen: set[str] = set()
        for topic in value:
            if topic.slug in seen:
                raise ValueError(f"topic slug {topic.slug!r} appears twice")
            seen.add(topic.slug)
        return value

    def model_post_init(self, __context: Any) -> None:
        refs = [_ref("", idiom, 0.0, "ignore") for idiom in self.ignore]
        for topic in self.topics:
            refs += [
                *(_ref(topic.slug, t, 1.0, "term") for ts in topic.terms.values() for t in ts),
                *(
                    _ref(topic.slug, t, self.key_weight, "key")
                    for ts in topic.key_terms.values()
                    for t in ts
                ),
                *(_ref(topic.slug, t, 0.0, "exclude") for t in topic.exclude),
            ]
        for ref in refs:
            self._index.setdefault(ref.stems[0], []).append(ref)

    @property
    def index(self) -> dict[str, list[TermRef]]:
        return self._index

    def topic(self, slug: str) -> TopicSpec | None:
        return next((t for t in self.topics if t.slug == slug), None)

    def threshold(self, slug: str) -> float:
        spec = self.topic(slug)
        return spec.min_score if spec and spec.min_score else self.min_score


def _ref(topic: str, term: str, weight: float, kind: TermKind) -> TermRef:
    return TermRef(topic, term, tuple(stems(term)), weight, kind)


def _describe(error: ErrorDetails, data: Any) -> str:
    """One validation error as "topics[3] 'pemilu' → terms.id.2: message"."""
    loc = list(error["loc"])
    where = ".".join(str(part) for part in loc) or "(top level)"
    if len(loc) >= 2 and loc[0] == "topics" and isinstance(loc[1], int):
        raw_topics = data.get("topics") if isinstance(data, dict) else None
        slug = None
        if isinstance(raw_topics, list) and loc[1] < len(raw_topics):
            entry = raw_topics[loc[1]]
            slug = entry.get("slug") if isinstance(entry, dict) else None
        rest = ".".join(str(part) for part in loc[2:])
        where = f"topics[{loc[1]}] {slug!r}" + (f" → {rest}" if rest else "")
    return f"{where}: {error['msg']}"


def parse_taxonomy(data: Any, origin: str = "<taxonomy>") -> Taxonomy:
    """Validate already-loaded YAML data; `origin` names the source in error messages."""
    try:
        return Taxonomy.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(_describe(error, data) for error in exc.errors())
        raise TaxonomyError(f"{origin}: invalid taxonomy: {details}") from exc


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate a taxonomy file (the packaged `taxonomy.yaml` by default)."""
    source = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaxonomyError(f"{source}: cannot read taxonomy: {exc}") from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{source}: not valid YAML: {exc}") from exc
    return parse_taxonomy(data, origin=str(source))


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The packaged taxonomy, loaded and indexed once per process."""
    return load_taxonomy()
