"""The replica's articles: a compact state per article, and the content derived from it on demand.

Twenty thousand articles must start in seconds, so an `ArticleState` holds only ids, dates and
revision counters; titles, paragraphs and tags are regenerated from (seed, id, revisions) when a
page is rendered, and cached. Edits are revision bumps or small body operations replayed on the
regenerated text, so any version can be rebuilt exactly and `expected_article()` is always the
truth for what the server renders.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Generic, TypeVar

from sample_site import vocab

WIB = timezone(timedelta(hours=7))
SITE_NAME = "Liputan6.com"
T = TypeVar("T")
BodyOp = tuple[str, int]  # ("reword" | "add" | "remove", salt)

FAKTA_HOAKS = (
    "* Fakta atau Hoaks? Untuk mengetahui kebenaran informasi yang beredar, silakan WhatsApp ke"
    " nomor Cek Fakta Liputan6.com 0811 9787 670 hanya dengan ketik kata kunci yang diinginkan."
)
FAKTA_HOAKS_OLD = (
    "* Untuk mengetahui kebenaran informasi yang beredar, silakan WhatsApp ke nomor Cek Fakta"
    " Liputan6.com 0811 9787 670 hanya dengan ketik kata kunci yang diinginkan."
)
FOLLOW_WHATSAPP = (
    "* Follow Official WhatsApp Channel Liputan6.com untuk mendapatkan berita-berita terkini"
    " dengan mengklik tautan ini."
)
VIDEO_PROMPTS = (
    "Saksikan Video Pilihan Berikut Ini:",
    "Saksikan video di bawah ini:",
    "Saksikan video pilihan di bawah ini:",
)
VIDEO_LINK_LINE = "Saksikan tayangan video selengkapnya dalam tautan ini."
CEK_FAKTA_FOOTER_TITLE = "Tentang Cek Fakta Liputan6.com"
CEK_FAKTA_FOOTER = (
    "Melawan hoaks sama saja melawan pembodohan. Itu yang mendasari kami membuat Kanal Cek Fakta"
    " Liputan6.com sebagai sumber informasi yang dapat dipercaya.",
    "Kami juga bekerja sama dengan sejumlah organisasi pemeriksa fakta untuk memverifikasi"
    " klaim yang beredar luas di media sosial.",
)


@dataclass(slots=True)
class ArticleState:
    """Everything that identifies one version of an article; content is derived from it."""

    article_id: int
    channel: str
    subcat: int
    topics: tuple[str, ...]
    kind: str  # text | photo | video
    template: str  # desktop | mobile | redesign
    published_at: datetime
    modified_at: datetime
    status: str = "live"
    title_rev: int = 0
    description_rev: int = 0
    tags_rev: int = 0
    authors_rev: int = 0
    body_ops: tuple[BodyOp, ...] = ()
    cosmetic_rev: int = 0

    def content_key(self) -> tuple:
        return (
            self.article_id,
            self.channel,
            self.subcat,
            self.topics,
            self.kind,
            self.template,
            self.title_rev,
            self.description_rev,
            self.tags_rev,
            self.authors_rev,
            self.body_ops,
        )


@dataclass(frozen=True)
class Block:
    """One element of a page body: article text ("p", "credit") or anything a parser must drop."""

    kind: str
    text: str = ""
    ref: int = 0


@dataclass(frozen=True)
class PageContent:
    title: str
    blocks: tuple[Block, ...]
    role: str = "text"  # text | video_only | infographic | cek_fakta_footer


@dataclass(frozen=True)
class Content:
    title: str
    slug: str
    description: str
    authors: tuple[str, ...]
    editors: tuple[str, ...]
    tags: tuple[str, ...]
    dateline: str
    pages: tuple[PageContent, ...]
    gallery: tuple[str, ...] = field(default=())  # photo captions of a PhotoGallery article


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def normalise(text: str) -> str:
    """Whitespace collapsed, as a parser is expected to return text."""
    return " ".join(text.split())


def channel_name(channel: str) -> str:
    return vocab.CHANNELS[channel][0]


def category_of(state: ArticleState) -> tuple[str, str]:
    """(slug, display name) of the article's sub-category."""
    slug, name, _ = vocab.CHANNELS[state.channel][1][state.subcat]
    return slug, name


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.LAST_NAMES)}"


def _cap(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


def _fill(template: str, rng: random.Random, topic: vocab.Topic) -> str:
    thing = rng.choice(topic.things)
    actor = rng.choice(topic.actors)
    values = {
        "thing": thing,
        "Thing": _cap(thing),
        "thing2": rng.choice([t for t in topic.things if t != thing] or [thing]),
        "actor": actor,
        "Actor": _cap(actor),
        "name": _person(rng),
        "verb": rng.choice(topic.verbs),
        "Verb": _cap(rng.choice(topic.verbs)),
        "place": rng.choice(vocab.PLACES),
        "org": rng.choice(vocab.ORGS),
        "Org": _cap(rng.choice(vocab.ORGS)),
        "num": str(rng.randint(3, 95)),
        "when": f"{rng.choice(vocab.DAYS)} ({rng.randint(1, 28)}/{rng.randint(1, 12)}/2025)",
        "credit": rng.choice(vocab.FIRST_NAMES),
    }
    text = template.format(**values)
    return text[:1].upper() + text[1:]


def _paragraph(rng: random.Random, topics: tuple[str, ...]) -> str:
    topic = vocab.TOPICS[rng.choice(topics)]
    if rng.random() < 0.2:
        quote = _fill(rng.choice(vocab.QUOTES), rng, topic)
        return f"“{quote},” kata {_person(rng)} di {rng.choice(vocab.PLACES)}."
    count = rng.randint(2, 4)
    return " ".join(_fill(rng.choice(vocab.SENTENCES), rng, topic) for _ in range(count))


def _title(seed: int, state: ArticleState, rev: int) -> str:
    rng = _rng(seed, state.article_id, "title", rev)
    topic = vocab.TOPICS[state.topics[0]]
    return _fill(rng.choice(vocab.HEADLINES), rng, topic)


def _tags(seed: int, state: ArticleState) -> tuple[str, ...]:
    rng = _rng(seed, state.article_id, "tags")
    pool = [t for slug in state.topics for t in vocab.TOPICS[slug].tags]
    tags = list(dict.fromkeys(rng.sample(pool, k=min(len(pool), rng.randint(3, 5)))))
    spare = [t for t in dict.fromkeys(pool) if t not in tags]
    for rev in range(1, state.tags_rev + 1):
        edit = _rng(seed, state.article_id, "tags", rev)
        if (edit.random() < 0.5 or not spare) and len(tags) > 2:
            tags.pop(edit.randrange(len(tags)))
        elif spare:
            tags.insert(edit.randrange(len(tags) + 1), spare.pop(edit.randrange(len(spare))))
    return tuple(tags)


def _authors(seed: int, state: ArticleState) -> tuple[str, ...]:
    rng = _rng(seed, state.article_id, "authors", state.authors_rev)
    roll = _rng(seed, state.article_id, "byline").random()
    if roll < 0.1 and state.authors_rev == 0:
        return ()  # byline is the site name; a parser must report no writer
    if roll > 0.9:
        return (_person(rng), _person(rng))
    return (_person(rng),)


def _text_pages(seed: int, state: ArticleState, rng: random.Random) -> list[tuple[str, list[str]]]:
    """Titles and paragraphs of the text pages before edits and boilerplate."""
    if state.kind == "photo":
        return [("", [_paragraph(rng, state.topics) for _ in range(rng.randint(1, 2))])]
    if state.kind == "video":
        return [("", [_paragraph(rng, state.topics) for _ in range(rng.randint(2, 3))])]
    count = 1 if rng.random() < 0.5 else rng.randint(2, 4)
    titles = rng.sample(vocab.PAGE_TITLES, k=count - 1)
    pages = [("", [_paragraph(rng, state.topics) for _ in range(rng.randint(3, 6))])]
    pages += [
        (t, [_paragraph(rng, state.topics) for _ in range(rng.randint(2, 5))]) for t in titles
    ]
    return pages


def _apply_body_ops(seed: int, state: ArticleState, pages: list[tuple[str, list[str]]]) -> None:
    """Replay the article's edits; paragraph 1 of page 1 (the dateline lead) is never touched."""
    for op, salt in state.body_ops:
        rng = _rng(seed, state.article_id, "op", salt)
        index = rng.randrange(len(pages))
        paras = pages[index][1]
        first = 1 if index == 0 else 0
        if op == "add":
            paras.insert(rng.randint(first, len(paras)), _paragraph(rng, state.topics))
        elif op == "reword" and len(paras) > first:
            paras[rng.randrange(first, len(paras))] = _paragraph(rng, state.topics)
        elif op == "remove" and len(paras) > first + 1:
            paras.pop(rng.randrange(first, len(paras)))


def _dateline(state: ArticleState, rng: random.Random) -> str:
    place = rng.choice(vocab.FOREIGN_PLACES if state.channel == "global" else vocab.PLACES)
    dash = " -" if rng.random() < 0.8 else ""
    return f"Liputan6.com, {place}{dash}"


def _boilerplate(
    state: ArticleState, rng: random.Random, pages: list[tuple[str, list[str]]]
) -> list[PageContent]:
    """Interleave text with every kind of non-article block the real pages carry."""
    built: list[PageContent] = []
    last = len(pages) - 1
    for number, (title, paras) in enumerate(pages):
        blocks: list[Block] = []
        for i, para in enumerate(paras):
            blocks.append(Block("p", para))
            if number == 0 and i == 0:
                blocks.append(Block("ad_revive"))
            if i == 1:
                style = "baca_juga_collections" if state.template == "redesign" else "baca_juga"
                blocks.append(Block(style, ref=rng.randint(1, 10**6)))
                blocks.append(Block("ad_inarticle"))
                blocks.append(Block("seamless"))
            if i == 2 and number == 0:
                blocks.append(Block("advertisement"))
                if state.channel == "cek-fakta" or rng.random() < 0.1:
                    blocks.append(Block("promo", rng.choice((FAKTA_HOAKS, FAKTA_HOAKS_OLD))))
            if i == 2 and rng.random() < 0.25:
                blocks.append(Block("tweet", ref=rng.randint(10**17, 10**18)))
            if i == 3 and rng.random() < 0.2:
                blocks.append(Block("instagram", ref=rng.randint(10**5, 10**6)))
            if i == 0 and number > 0:
                blocks.append(Block("figure", ref=rng.randint(10**6, 10**7)))
        if number == 0 and state.kind == "text" and rng.random() < 0.5:
            blocks.insert(1, Block("figure", ref=rng.randint(10**6, 10**7)))
        if number == last:
            if rng.random() < 0.7:
                credit = rng.choice(vocab.CREDIT_CODES)
                blocks.append(
                    Block("credit", f"({credit})")
                    if rng.random() < 0.7
                    else Block("credit_strong", f"Reporter: {_person(rng)}")
                )
            if rng.random() < 0.3:
                blocks.append(Block("promo", FOLLOW_WHATSAPP))
            if rng.random() < 0.25:
                blocks.append(Block("promo", rng.choice(VIDEO_PROMPTS)))
                blocks.append(Block("vidio", ref=rng.randint(10**6, 10**7)))
            elif rng.random() < 0.1:
                blocks.append(Block("promo", VIDEO_LINK_LINE))
        blocks.append(Block("ad_slot", ref=number + 1))
        built.append(PageContent(title, tuple(blocks)))
    if state.kind == "text" and rng.random() < 0.2:
        vid = Block("vidio", ref=rng.randint(10**6, 10**7))
        built.append(PageContent(rng.choice(VIDEO_PROMPTS), (vid,), "video_only"))
    elif state.kind == "text" and rng.random() < 0.12:
        topic = vocab.TOPICS[state.topics[0]]
        image = Block("infographic", ref=rng.randint(10**6, 10**7))
        built.append(
            PageContent(f"Infografis {_cap(rng.choice(topic.things))}", (image,), "infographic")
        )
    if state.channel == "cek-fakta":
        footer = tuple(Block("p", text) for text in CEK_FAKTA_FOOTER)
        built.append(PageContent(CEK_FAKTA_FOOTER_TITLE, footer, "cek_fakta_footer"))
    return built


class _Cache(Generic[T]):
    """A small thread-safe LRU: server threads render pages concurrently."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_META_CACHE: _Cache[tuple[str, str, str, tuple[str, ...]]] = _Cache(65536)
_CONTENT_CACHE: _Cache[Content] = _Cache(512)


def _make_meta(seed: int, state: ArticleState) -> tuple[str, str, str, tuple[str, ...]]:
    title = _title(seed, state, state.title_rev)
    slug = slugify(_title(seed, state, 0))[:90].strip("-")
    desc_rng = _rng(seed, state.article_id, "description", state.description_rev)
    description = _fill(desc_rng.choice(vocab.SENTENCES), desc_rng, vocab.TOPICS[state.topics[0]])
    return title, slug, description, _tags(seed, state)


def meta(seed: int, state: ArticleState) -> tuple[str, str, str, tuple[str, ...]]:
    """(title, slug, description, tags): cheap, for listings, feeds and the truth."""
    return _META_CACHE.get((seed, *state.content_key()), lambda: _make_meta(seed, state))


def content(seed: int, state: ArticleState) -> Content:
    return _CONTENT_CACHE.get((seed, *state.content_key()), lambda: _make_content(seed, state))


def _make_content(seed: int, state: ArticleState) -> Content:
    title, slug, description, tags = meta(seed, state)
    rng = _rng(seed, state.article_id, "body")
    pages = _text_pages(seed, state, rng)
    dateline = _dateline(state, rng)
    _apply_body_ops(seed, state, pages)
    pages[0][1][0] = f"{dateline} {pages[0][1][0]}"
    layout_rng = _rng(seed, state.article_id, "layout")
    gallery: tuple[str, ...] = ()
    if state.kind == "photo":
        topic = vocab.TOPICS[state.topics[0]]
        count = rng.randint(4, 8)
        gallery = tuple(_fill(rng.choice(vocab.CAPTIONS), rng, topic) for _ in range(count))
    editor = _person(_rng(seed, state.article_id, "editor"))
    return Content(
        title=title,
        slug=slug,
        description=description,
        authors=_authors(seed, state),
        editors=(editor,),
        tags=tags,
        dateline=dateline,
        pages=tuple(_boilerplate(state, layout_rng, pages)),
        gallery=gallery,
    )


def caption_of(seed: int, state: ArticleState, ref: int) -> str:
    """The caption of an inline figure, derived from its id so edits never move it."""
    rng = _rng(seed, state.article_id, "figure", ref)
    return _fill(rng.choice(vocab.CAPTIONS), rng, vocab.TOPICS[state.topics[0]])


def expected(seed: int, state: ArticleState) -> dict:
    """What a perfect parser returns for the current version (see the interface brief)."""
    body = content(seed, state)
    pages, captions = [], []
    for page in body.pages:
        if page.role != "text":
            continue
        paras = [
            normalise(b.text) for b in page.blocks if b.kind in ("p", "credit", "credit_strong")
        ]
        captions += [caption_of(seed, state, b.ref) for b in page.blocks if b.kind == "figure"]
        pages.append({"title": page.title, "paragraphs": paras})
    category_slug, _ = category_of(state)
    return {
        "article_id": state.article_id,
        "channel": state.channel,
        "category": f"{state.channel}/{category_slug}",
        "type": state.kind,
        "title": body.title,
        "description": body.description,
        "authors": list(body.authors),
        "editors": list(body.editors),
        "published_at": state.published_at.isoformat(),
        "modified_at": state.modified_at.isoformat(),
        "tags": list(body.tags),
        "pages": pages,
        "captions": [normalise(c) for c in (*captions, *body.gallery)],
        "topics": list(state.topics),
    }


def content_hash(seed: int, state: ArticleState) -> str:
    """Changes exactly when the article's content does (edits never restore an old version)."""
    return hashlib.sha256(repr((seed, state.content_key())).encode()).hexdigest()[:16]


NOW = datetime(2025, 10, 30, 12, 0, tzinfo=WIB)
FIRST_ID = 5_000_001
_CHANNEL_WEIGHTS = {
    "news": 20,
    "bisnis": 14,
    "bola": 10,
    "showbiz": 8,
    "tekno": 7,
    "global": 8,
    "regional": 8,
    "health": 6,
    "lifestyle": 6,
    "otomotif": 5,
    "cek-fakta": 4,
    "hot": 4,
}


def new_state(rng: random.Random, article_id: int, published_at: datetime) -> ArticleState:
    """Channel, topics, type, template and dates of a freshly published article."""
    channel = rng.choices(list(_CHANNEL_WEIGHTS), weights=list(_CHANNEL_WEIGHTS.values()))[0]
    subcats = vocab.CHANNELS[channel][1]
    subcat = rng.randrange(len(subcats))
    topics = subcats[subcat][2]
    if len(topics) > 1 and rng.random() < 0.5:
        topics = (topics[0],)
    roll = rng.random()
    kind = "photo" if roll < 0.1 else "video" if roll < 0.2 else "text"
    template = rng.choices(("desktop", "redesign", "mobile"), weights=(2, 1, 1))[0]
    roll = rng.random()
    if roll < 0.05:
        modified = published_at - timedelta(minutes=rng.randint(30, 1200))  # scheduled post
    elif roll < 0.8:
        modified = published_at + timedelta(minutes=rng.randint(1, 180))
    else:
        modified = published_at
    return ArticleState(article_id, channel, subcat, topics, kind, template, published_at, modified)


def initial_states(seed: int, count: int, now: datetime) -> dict[int, ArticleState]:
    """`count` articles over the 30 days before `now`; ids grow with time, as on the site."""
    rng = _rng(seed, "states")
    span = 30 * 24 * 3600
    offsets = sorted((rng.randrange(3600, span) for _ in range(count)), reverse=True)
    states = {}
    for index, offset in enumerate(offsets):
        article_id = FIRST_ID + index
        published = now - timedelta(seconds=offset)
        state = new_state(rng, article_id, published)
        if state.modified_at > now:
            state.modified_at = now
        states[article_id] = state
    return states


def original_title(seed: int, state: ArticleState) -> str:
    """The first headline, which related-article boxes keep showing (they are cached)."""
    return _title(seed, state, 0)
