"""A small warehouse for the published-site tests: real loads, several kinds, hostile text.

No tests here; test_publish*.py import these builders.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from parsers.models import Article, TopicTag
from support.warehouse_support import PARAGRAPHS, batch, gone, make_article, ok
from warehouse import load_batch

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SCRIPT = "<script>alert('xss')</script>"
HOSTILE = (
    f"{SCRIPT} <img src=x onerror=alert(1)> [klik](javascript:alert(1)) **tebal** "
    "\x07bel\x1b[31m \x00nul \ufffe ]]> --> &amp;"
)
FIRST_TITLE = "Banjir Rob Rendam Ratusan Rumah di Pesisir Utara"
SECOND_TITLE = "Banjir Rob Rendam Ribuan Rumah, Warga Mengungsi"
HOSTILE_ID = 5200001
OFFSITE_ID = 5200002
OLD_ID = 5100001
POLITIK = TopicTag(topic="politik", source="taxonomy", score=1.0, evidence=["dpr"])
BENCANA = TopicTag(topic="bencana", source="taxonomy", score=1.0, evidence=["banjir"])
HOSTILE_TOPIC = TopicTag(
    topic=f"<b>topik</b>\"'&{SCRIPT}", source="taxonomy", score=1.0, evidence=["x"]
)


def _url(article_id: int, slug: str, host: str = "https://www.liputan6.com") -> str:
    return f"{host}/news/read/{article_id}/{slug}"


def _article(article_id: int, title: str, url: str, paragraphs: list[str]) -> Article:
    base = make_article(article_id=article_id, title=title, paragraphs=paragraphs)
    return base.model_copy(update={"canonical_url": url})


def build_warehouse(path: Path) -> Path:
    """Edits, a headline change, removal and restoration, hostile text, an old change."""
    t0 = NOW - timedelta(days=2)
    first = make_article(title=FIRST_TITLE)
    second = make_article(
        title=SECOND_TITLE,
        paragraphs=[
            PARAGRAPHS[0],
            "Air laut masuk ke jalan kampung sejak Rabu malam.",
            PARAGRAPHS[2],
        ],
    )
    load_batch(path, batch(ok(first, t0, topics=[BENCANA])))
    load_batch(path, batch(ok(second, t0 + timedelta(hours=1), topics=[BENCANA])))
    load_batch(path, batch(gone(first.article_id, t0 + timedelta(hours=2))))
    load_batch(path, batch(ok(second, t0 + timedelta(hours=3), topics=[BENCANA])))

    slug = "%3Cscript%3Ealert(1)%3C%2Fscript%3E-javascript:alert(1)"
    hostile_url = _url(HOSTILE_ID, slug)
    calm = _article(HOSTILE_ID, "Rapat Paripurna DPR Membahas Anggaran", hostile_url, PARAGRAPHS)
    loud = _article(HOSTILE_ID, f"Rapat Paripurna {HOSTILE}", hostile_url, [*PARAGRAPHS, HOSTILE])
    topics = [POLITIK, HOSTILE_TOPIC]
    load_batch(path, batch(ok(calm, t0 + timedelta(hours=4), topics=topics)))
    load_batch(path, batch(ok(loud, t0 + timedelta(hours=5), topics=topics)))

    offsite = _url(OFFSITE_ID, "berita", host="javascript:alert(1)//www.liputan6.com")
    plain = _article(OFFSITE_ID, "Harga Cabai Naik di Pasar Induk", offsite, PARAGRAPHS)
    edited = _article(OFFSITE_ID, "Harga Cabai Turun di Pasar Induk", offsite, PARAGRAPHS[:2])
    load_batch(path, batch(ok(plain, t0 + timedelta(hours=6), topics=[POLITIK])))
    load_batch(path, batch(ok(edited, t0 + timedelta(hours=7), topics=[POLITIK])))

    old_at = NOW - timedelta(days=70)
    old = make_article(article_id=OLD_ID, title="Berita Lama Tentang Gempa")
    old_edit = make_article(article_id=OLD_ID, title="Berita Lama Tentang Gempa Susulan")
    load_batch(path, batch(ok(old, old_at, topics=[BENCANA])))
    load_batch(path, batch(ok(old_edit, old_at + timedelta(hours=3), topics=[BENCANA])))
    return path


def add_headline_edit(
    path: Path, at: datetime, title: str = "Banjir Rob Surut, Warga Kembali ke Rumah"
) -> None:
    """One more change, for the incremental tests."""
    third = make_article(title=title)
    load_batch(path, batch(ok(third, at, topics=[BENCANA])))
