"""Metamorphic tests: pages the project did not write, changed in ways whose effect is known.

Every real saved article in ../shared/pages and one replica article per template, kind and page
count go through each transform of metamorphic_transforms (the real home pages go through the
cosmetic ones: they must stay non-articles that link to the same articles):
- a cosmetic transform (re-indented, minified, CRLF, other quotes, a comment in a paragraph, a
  paragraph split...) must leave the stored snapshot as it was: the same content hash, and,
  through the warehouse loader on a real DuckDB file, a `cosmetic` check and no new version;
- a semantic transform (one word replaced, title changed, a page added...) must be detected with
  exactly the changed fields and word counts the transform itself worked out;
- a semantic transform with cosmetic transforms on top (all of them chained on real pages, one
  per replica page in rotation) must give exactly the same change, and loaded after the plain
  edit, be a cosmetic check.
Each page is parsed once per transform. The table printed at the end of the session (transform,
pages it was applied to, real pages among them, result) is the suite's report.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from conftest import SHARED_PAGES
from support.metamorphic_transforms import COSMETIC, SEMANTIC, Expected, Original, all_cosmetic

from parsers.article import parse_article
from parsers.listings import parse_listing
from parsers.models import Article, NotAnArticle
from sample_site import SampleSite, content
from sample_site.templates.common import article_path
from warehouse import load_batch
from warehouse.kinds import Count
from warehouse.locking import connect
from warehouse.normalize import snapshot_of
from warehouse.records import Batch, FetchAttempt, Observation
from warehouse.report import LoadReport

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
H = timedelta(hours=1)


@dataclass(frozen=True)
class SourcePage:
    name: str
    real: bool
    html: str
    url: str | None


@dataclass
class Row:
    """One line of the report table."""

    transform: str
    kind: str
    applied: int = 0
    real: int = 0
    results: list[str] = field(default_factory=list)


TABLE: dict[str, Row] = {}


def record(transform: str, kind: str, page: SourcePage, result: str) -> None:
    row = TABLE.setdefault(transform, Row(transform, kind))
    row.applied += 1
    row.real += page.real
    row.results.append(result)


def table_lines() -> list[str]:
    lines = [f"{'transform':<34} {'kind':<9} {'pages':>5} {'real':>4}  result"]
    order = [*COSMETIC, *(f"{n}{suffix}" for n in SEMANTIC for suffix in ("", " + cosmetic"))]
    for row in sorted(TABLE.values(), key=lambda row: order.index(row.transform)):
        failed = [r for r in row.results if r != "ok"]
        verdict = "ok" if not failed else f"{len(failed)} FAILED"
        lines.append(f"{row.transform:<34} {row.kind:<9} {row.applied:>5} {row.real:>4}  {verdict}")
    return lines


@cache
def source_pages() -> tuple[SourcePage, ...]:
    """Real saved articles (when ../shared is there), then one replica article per template,
    kind, and single or multi-page body."""
    pages: list[SourcePage] = []
    if SHARED_PAGES.is_dir():
        for path in sorted(SHARED_PAGES.glob("*_article_*.html")):
            pages.append(SourcePage(path.stem, True, path.read_text(encoding="utf-8"), None))
    site = SampleSite(articles=200, seed=7)
    seen: set[tuple[str, str, bool]] = set()
    for state in site.states.values():
        multipage = len(content.content(site.seed, state).pages) > 1
        if (state.template, state.kind, multipage) in seen:
            continue
        seen.add((state.template, state.kind, multipage))
        name = f"replica_{state.template}_{state.kind}{'_multipage' if multipage else ''}"
        url = site.base_url + article_path(state, content.meta(site.seed, state)[1])
        pages.append(SourcePage(name, False, site.render_article(state).decode("utf-8"), url))
    return tuple(pages)


HOME = "https://www.liputan6.com/"


@cache
def listing_pages() -> tuple[tuple[SourcePage, frozenset[str]], ...]:
    """Real saved home pages with the article URLs found on them. Nothing is stored for a
    listing page: a cosmetic rewrite must leave it a non-article with the same links."""
    if not SHARED_PAGES.is_dir():
        return ()
    pages = []
    for path in sorted(SHARED_PAGES.glob("*home*.html")):
        page = SourcePage(path.stem, True, path.read_text(encoding="utf-8"), HOME)
        pages.append((page, links(page.html)))
    return tuple(pages)


def links(html: str) -> frozenset[str]:
    return frozenset(ref.url for ref in parse_listing(html, HOME))


def still_a_listing(html: str) -> bool:
    try:
        parse_article(html, HOME)
    except NotAnArticle:
        return True
    return False


@cache
def parsed(name: str) -> Article:
    page = next(p for p in source_pages() if p.name == name)
    return parse_article(page.html, page.url)


def original(page: SourcePage) -> Original:
    article = parsed(page.name)
    return Original(
        page=page.html,
        title=article.title,
        description=article.description,
        authors=tuple(article.authors),
        paragraphs=tuple(p for pg in article.pages for p in pg.paragraphs),
        multipage=len(article.pages) > 1,
    )


def observation(article: Article, html: str, at: datetime) -> Observation:
    attempt = FetchAttempt(
        url=article.canonical_url,
        final_url=article.canonical_url,
        status=200,
        outcome="ok",
        bytes=len(html.encode()),
        attempted_at=at,
    )
    return Observation(
        article_id=article.article_id,
        url=article.canonical_url,
        observed_at=at,
        outcome="ok",
        article=article,
        raw_html=html,
        attempts=[attempt],
    )


def load(db: Path, observations: list[Observation], at: datetime) -> LoadReport:
    return load_batch(
        db, Batch(run_id=f"metamorphic-{at:%H}", created_at=at, observations=observations)
    )


def page_ids() -> list[str]:
    return [page.name for page in source_pages()]


def test_every_source_page_parses() -> None:
    names = page_ids()
    assert len([n for n in names if n.startswith("replica_")]) >= 9
    for name in names:
        assert parsed(name).pages, name


@pytest.fixture(scope="module")
def first_versions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding every source page as version 1; tests edit copies of the file."""
    db = tmp_path_factory.mktemp("metamorphic") / "first.duckdb"
    pages = source_pages()
    assert load(db, [observation(parsed(p.name), p.html, T0) for p in pages], T0)[Count.new] == len(
        pages
    )
    return db


# --- cosmetic -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cosmetic_db(first_versions: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the warehouse of first versions, which every cosmetic variant is checked in."""
    return Path(shutil.copy(first_versions, tmp_path_factory.mktemp("cosmetic") / "c.duckdb"))


@pytest.mark.parametrize("name", list(COSMETIC))
def test_cosmetic_transform_keeps_the_stored_snapshot(name: str, cosmetic_db: Path) -> None:
    transform = COSMETIC[name]
    at = T0 + H * (list(COSMETIC).index(name) + 1)
    observations: list[Observation] = []
    failures: list[str] = []
    for page in source_pages():
        changed = transform(page.html)
        if changed == page.html:
            continue
        before = snapshot_of(parsed(page.name))
        article = parse_article(changed, page.url)
        after = snapshot_of(article)
        ok = after.content_hash == before.content_hash
        if not ok:
            fields = [
                f
                for f in ("title", "description", "body_words", "tags", "authors", "published_at")
                if getattr(after, f) != getattr(before, f)
            ]
            failures.append(f"{page.name}: {fields}")
        record(name, "cosmetic", page, "ok" if ok else "changed")
        observations.append(observation(article, changed, at))
    for page, found in listing_pages():
        changed = transform(page.html)
        if changed == page.html:
            continue
        # Other related/popular boxes point a listing at other articles: that one is not
        # cosmetic for a listing, so only its non-article outcome is checked.
        same = still_a_listing(changed) and (name == "other_link_sets" or links(changed) == found)
        if not same:
            failures.append(f"{page.name}: no longer the same listing page")
        record(name, "cosmetic", page, "ok" if same else "changed")
    assert observations, f"{name} changed no page"
    if SHARED_PAGES.is_dir():
        assert TABLE[name].real, f"{name} applied to no real page"
    assert not failures, failures
    report = load(cosmetic_db, observations, at)
    assert (report[Count.cosmetic], report[Count.changed], report[Count.new]) == (
        len(observations),
        0,
        0,
    )
    with connect(cosmetic_db, read_only=True, lock_timeout=5.0) as con:
        assert con.execute("SELECT max(version) FROM versions").fetchall() == [(1,)]


# --- semantic and compositions --------------------------------------------------------------


def semantic_cases(name: str) -> Iterator[tuple[SourcePage, str, Expected]]:
    for page in source_pages():
        made = SEMANTIC[name](original(page))
        if made is not None:
            yield page, made[0], made[1]


def compose(html: str, page: SourcePage, turn: int) -> str:
    """Cosmetic transforms on top of an edited page: all of them, one after the other, on real
    pages; one per replica page, a different one for each page and semantic transform (`turn`),
    so every pair of a cosmetic and a semantic transform meets across the suite."""
    if page.real:
        return all_cosmetic(html)
    names = list(COSMETIC)
    return COSMETIC[names[turn % len(names)]](html)


def detected(report: LoadReport) -> dict[int, tuple[tuple[str, ...], int, int]]:
    return {
        c.article_id: (tuple(c.changed_fields), c.words_added, c.words_removed)
        for c in report.changes
        if c.kind == "edit"
    }


@pytest.mark.parametrize("name", list(SEMANTIC))
def test_semantic_transform_is_detected_exactly(
    name: str, first_versions: Path, tmp_path: Path
) -> None:
    cases = list(semantic_cases(name))
    assert cases, f"{name} applies to no page"
    if SHARED_PAGES.is_dir() and name != "add_page":
        assert any(page.real for page, _, _ in cases), f"{name} applied to no real page"
    plain = Path(shutil.copy(first_versions, tmp_path / "semantic.duckdb"))
    composed = Path(shutil.copy(first_versions, tmp_path / "composed.duckdb"))

    edits: list[Observation] = []
    mixes: list[Observation] = []
    restyled = 0  # edited pages that the cosmetic transforms changed further
    for number, (page, html, _) in enumerate(cases):
        mixed = compose(html, page, number + list(SEMANTIC).index(name))
        edits.append(observation(parse_article(html, page.url), html, T0 + H))
        mixes.append(observation(parse_article(mixed, page.url), mixed, T0 + H))
        restyled += mixed != html
    seen = detected(load(plain, edits, T0 + H))
    seen_mixed = detected(load(composed, mixes, T0 + H))
    # The composed pages after the plain edit: the same content, so a cosmetic check only.
    again = load(
        plain, [o.model_copy(update={"observed_at": T0 + 2 * H}) for o in mixes], T0 + 2 * H
    )

    failures: list[str] = []
    for page, _, expected in cases:
        want = (expected.changed_fields, expected.words_added, expected.words_removed)
        article_id = parsed(page.name).article_id
        got, got_mixed = seen.get(article_id), seen_mixed.get(article_id)
        record(name, "semantic", page, "ok" if got == want else f"{got}")
        record(f"{name} + cosmetic", "composed", page, "ok" if got_mixed == want else "x")
        if got != want:
            failures.append(f"{page.name}: expected {want}, detected {got}")
        if got_mixed != want:
            failures.append(f"{page.name} + cosmetic: expected {want}, detected {got_mixed}")
    assert not failures, failures
    assert (again[Count.cosmetic], again[Count.unchanged], again[Count.changed]) == (
        restyled,
        len(cases) - restyled,
        0,
    )
