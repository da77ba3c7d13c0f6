"""The normalised content of an article: what is compared to decide whether it really changed.

NewsDiffs and diffengine recorded quote-style and whitespace changes as edits; here every text
field goes through NFKC (which also turns NBSP into a space), one quote and dash style, no
zero-width characters, no control characters and collapsed whitespace before it is hashed or
diffed. Tags are compared as a case-insensitive set because the site prints them in three
different orders on one page.

How the words of a field are split into paragraphs is not content: the hash covers each text
field's word sequence, not its layout, so a paragraph split in two, two paragraphs joined or a
`<br>` that became a `<p>` is no new version (it counts as cosmetic).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from parsers.models import Article
from parsers.text import strip_controls

_PUNCTUATION = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u00b4": "'",
        "`": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)


def normalize_text(text: str) -> str:
    """Text as compared: NFKC, one quote/dash style, no invisible or control characters, single
    spaces."""
    if not text.isprintable():
        text = strip_controls(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    elif "`" in text:
        text = text.replace("`", "'")
    # Every whitespace character but the plain space is non-printable, so a printable text
    # without double or edge spaces is already collapsed: the common case skips the split.
    if "  " in text or not text.isprintable() or text[:1] == " " or text[-1:] == " ":
        return " ".join(text.split())
    return text


def _unique(values: list[str]) -> tuple[str, ...]:
    """Normalised values, empty ones dropped, case-insensitive duplicates dropped (first kept)."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in map(normalize_text, values):
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)


@dataclass(frozen=True)
class PageText:
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    """The comparable content of one version; equal snapshots are the same version.

    Normalised paragraphs hold no line breaks, so the body is stored once as text with blank
    lines between blocks, beside a small layout (page titles and paragraph counts) that rebuilds
    the pages from it.
    """

    title: str
    description: str
    pages: tuple[PageText, ...]
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    published_at: datetime

    @cached_property
    def paragraphs(self) -> list[str]:
        """Body blocks in reading order, page titles included, as in Article.body."""
        blocks: list[str] = []
        for page in self.pages:
            if page.title:
                blocks.append(page.title)
            blocks.extend(page.paragraphs)
        return blocks

    @cached_property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def tag_set(self) -> tuple[str, ...]:
        return tuple(sorted({tag.casefold() for tag in self.tags}))

    @cached_property
    def layout_json(self) -> str:
        return json.dumps(
            [{"title": p.title, "paragraphs": len(p.paragraphs)} for p in self.pages],
            ensure_ascii=False,
        )

    @cached_property
    def body_words(self) -> str:
        """The body's word sequence, page titles included: what the content hash covers."""
        return " ".join(self.paragraphs)

    @cached_property
    def content_hash(self) -> str:
        """Identity of the content: every text field's words, not how they are laid out.

        Computed from the normalised fields on both sides of a comparison (the loader recomputes
        it for stored versions, see warehouse.state), so an older digest in the `content_hash`
        column of versions written by an earlier release is never compared with a new one.
        """
        digest = hashlib.sha256()
        parts = [
            self.title,
            self.description,
            self.body_words,
            *self.tag_set,
            "\x00",
            *self.authors,
            "\x00",
            self.published_at.astimezone(UTC).isoformat(),
        ]
        for part in parts:
            encoded = part.encode()
            digest.update(b"%d:" % len(encoded))
            digest.update(encoded)
        return digest.hexdigest()


def snapshot_of(article: Article) -> Snapshot:
    pages = tuple(
        PageText(
            title=normalize_text(page.title),
            paragraphs=tuple(p for p in map(normalize_text, page.paragraphs) if p),
        )
        for page in article.pages
    )
    return Snapshot(
        title=normalize_text(article.title),
        description=normalize_text(article.description),
        pages=tuple(page for page in pages if page.title or page.paragraphs),
        tags=_unique(article.tags),
        authors=_unique(article.authors),
        published_at=article.published_at.astimezone(UTC),
    )


def snapshot_from_row(
    title: str,
    description: str,
    body: str,
    layout_json: str,
    tags: list[str],
    authors: list[str],
    published_at: datetime,
) -> Snapshot:
    """A stored version back as a Snapshot (stored fields are already normalised)."""
    blocks = iter(body.split("\n\n") if body else [])
    pages = []
    for page in json.loads(layout_json):
        title_block = next(blocks) if page["title"] else ""
        pages.append(PageText(title_block, tuple(next(blocks) for _ in range(page["paragraphs"]))))
    return Snapshot(
        title=title,
        description=description,
        pages=tuple(pages),
        tags=tuple(tags),
        authors=tuple(authors),
        published_at=published_at.astimezone(UTC),
    )


def page_fingerprint(article: Article, raw_html: str | None) -> str:
    """Hash of the page exactly as seen: differs from the last one when a change is cosmetic.

    The raw HTML holds every field, so it alone is hashed when present.
    """
    if raw_html is not None:
        return raw_hash(raw_html)
    return _sha256(
        article.model_dump_json(include={"title", "description", "pages", "tags", "authors"})
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def raw_hash(raw_html: str) -> str:
    return _sha256(raw_html)


# Topics that count as a change of an article's subject. Keyphrases and site tags move with
# every text or tag edit (tags are diffed on their own), so comparing them would be noise.
DIFFED_TOPIC_SOURCES: tuple[str, ...] = ("taxonomy", "channel")
DIFFED_TOPIC_SQL = "(" + ", ".join(f"'{source}'" for source in DIFFED_TOPIC_SOURCES) + ")"
