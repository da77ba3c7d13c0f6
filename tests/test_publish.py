"""The published site: feeds that feedparser accepts, links that resolve, hostile text made inert,
and re-runs that rewrite only what changed."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest
from filelock import FileLock
from support.publish_support import (
    BENCANA,
    FIRST_TITLE,
    HOSTILE_ID,
    NOW,
    OFFSITE_ID,
    OLD_ID,
    SCRIPT,
    SECOND_TITLE,
    add_headline_edit,
    build_warehouse,
)
from support.warehouse_support import ARTICLE_ID, batch, gone, make_article, ok, rows
from typer.testing import CliRunner

from commands.main import app
from publishing import PublishOptions, build, list_pages, publish_site, site_files
from publishing.layout import CSP
from publishing.site_files import LEGACY_MANIFEST, MANIFEST
from warehouse import load_batch, snapshot

PUBLIC = "kind IN ('edit', 'revert', 'removed', 'restored')"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("publish") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def site(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    publish_site(warehouse, out, PublishOptions(), now=NOW)
    return out


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def feeds(site: Path) -> list[Path]:
    return sorted((site / "feeds").glob("*.xml"))


def db_changes(db: Path, where: str = "TRUE") -> list[tuple]:
    return rows(
        db,
        f"""SELECT change_id, article_id, kind, title_before, title_after FROM article_changes
            WHERE {PUBLIC} AND {where} ORDER BY detected_at DESC, change_id DESC""",
    )


def entry_change_id(entry: feedparser.FeedParserDict) -> int:
    return int(entry.link.rpartition("#change-")[2])


@pytest.mark.parametrize(
    ("feed", "where"),
    [
        ("all.xml", "TRUE"),
        ("headlines.xml", "kind IN ('edit', 'revert') AND list_contains(changed_fields, 'title')"),
        ("removals.xml", "kind = 'removed'"),
        (
            "topic-bencana.xml",
            "article_id IN (SELECT article_id FROM article_topics WHERE topic = 'bencana')",
        ),
        (
            "topic-politik.xml",
            "article_id IN (SELECT article_id FROM article_topics WHERE topic = 'politik')",
        ),
    ],
)
def test_feed_entries_equal_the_database_changes(
    site: Path, warehouse: Path, feed: str, where: str
) -> None:
    parsed = feedparser.parse((site / "feeds" / feed).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    expected = db_changes(warehouse, where)
    assert expected, "the fixture must give every feed something to hold"
    assert [entry_change_id(e) for e in parsed.entries] == [row[0] for row in expected]
    for entry, (_, _, kind, before, after) in zip(parsed.entries, expected, strict=True):
        assert entry.id.startswith("urn:uuid:")
        assert entry.updated_parsed is not None
        assert entry.tags[0].term == kind
        summary = entry.summary
        assert f"Sebelum: {before or ''}"[:40] in summary
        assert f"Sesudah: {after or before}"[:40] in summary


def test_every_feed_is_wellformed_atom(site: Path) -> None:
    found = feeds(site)
    assert len(found) == 6  # all, headlines, removals, three topics
    for path in found:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path.name, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert parsed.feed.id.startswith("urn:uuid:") and parsed.feed.updated_parsed
        lxml.etree.fromstring(path.read_bytes())  # strict XML parser: raises on any error
        print(
            f"feed {path.name}: {parsed.version}, bozo={int(parsed.bozo)}, "
            f"{len(parsed.entries)} entries, {len({e.id for e in parsed.entries})} distinct ids"
        )


def test_entry_ids_are_stable_across_builds(site: Path, warehouse: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    publish_site(warehouse, again, PublishOptions(), now=NOW + timedelta(hours=1))
    first = [e.id for e in feedparser.parse((site / "feeds/all.xml").read_bytes()).entries]
    second = [e.id for e in feedparser.parse((again / "feeds/all.xml").read_bytes()).entries]
    assert first == second and len(set(first)) == len(first)


def _links(page: Path) -> list[str]:
    tree = lxml.html.fromstring(page.read_bytes())
    return [el.get("href") for el in tree.iter("a", "link") if el.get("href") is not None]


def _ids(page: Path) -> set[str]:
    return set(lxml.html.fromstring(page.read_bytes()).xpath("//@id"))


def crawl(site: Path) -> tuple[int, int, int]:
    """Follow every link of every page and feed; (internal, to anchors, external) counts."""
    internal = external = anchors = 0
    for page in html_pages(site):
        for href in _links(page):
            parts = urlsplit(href)
            if parts.scheme:
                assert parts.scheme in ("http", "https"), href
                external += 1
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)} -> {href}"
            assert site.resolve() in target.parents
            internal += 1
            if parts.fragment:
                assert parts.fragment in _ids(target), f"{page.relative_to(site)} -> {href}"
                anchors += 1
    for feed in feeds(site):
        for entry in feedparser.parse(feed.read_bytes()).entries:
            path, _, fragment = entry.link.partition("#")
            target = feed.parent / path
            assert target.is_file() and fragment in _ids(target), entry.link
            anchors += 1
    return internal, anchors, external


def test_every_internal_link_resolves(site: Path) -> None:
    internal, anchors, external = crawl(site)
    print(
        f"link crawl: {len(html_pages(site))} pages, {internal} internal links "
        f"({anchors} to anchors), {external} external links, all resolve"
    )
    assert internal > 50 and anchors > 10 and external > 0


def test_pages_are_self_contained_with_a_strict_csp(site: Path) -> None:
    for page in html_pages(site):
        tree = lxml.html.fromstring(page.read_bytes())
        assert tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content") == [CSP]
        assert not tree.xpath("//script | //iframe | //object | //embed | //img | //form")
        assert not tree.xpath("//link[@rel='stylesheet'] | //*[@style] | //@src")
        assert len(tree.xpath("//style")) == 1
    assert "default-src 'none'" in CSP and "unsafe-inline" not in CSP


def test_hostile_text_is_inert_in_html(site: Path) -> None:
    article = site / "articles" / f"{HOSTILE_ID}.html"
    tree = lxml.html.fromstring(article.read_bytes())
    assert SCRIPT in tree.findtext(".//h1")  # shown as text, not run
    for page in html_pages(site):
        raw = page.read_text(encoding="utf-8")
        assert not CONTROL.search(raw), page
        tree = lxml.html.fromstring(raw)
        assert not tree.xpath("//script")
        assert not [a for a in tree.xpath("//@*") if a.attrname.startswith("on")]
        for href in _links(page):
            assert not href.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
    # The article whose URL is not on an allowed host gets no live link at all.
    offsite = lxml.html.fromstring((site / "articles" / f"{OFFSITE_ID}.html").read_bytes())
    assert not offsite.xpath("//a[@class='live']") and offsite.xpath("//*[@class='withheld']")


def test_hostile_text_is_inert_in_feeds(site: Path) -> None:
    for path in feeds(site):
        raw = path.read_text(encoding="utf-8")
        assert not CONTROL.search(raw), path
        root = lxml.etree.fromstring(raw.encode())
        atom = "{http://www.w3.org/2005/Atom}"
        assert not root.findall(f".//{atom}content")
        for element in root.iter(f"{atom}title", f"{atom}summary"):
            assert element.get("type") == "text"
            assert not list(element)  # text only: markup inside a title stays characters
    parsed = feedparser.parse((site / "feeds/all.xml").read_bytes())
    hostile = [e for e in parsed.entries if f"{HOSTILE_ID}.html" in e.link]
    assert SCRIPT in hostile[0].title


def test_index_shows_the_window_and_the_archive_the_rest(site: Path, warehouse: Path) -> None:
    index = lxml.html.fromstring((site / "index.html").read_bytes())
    entries = index.xpath("//li[contains(@class, 'change')]")
    recent = db_changes(warehouse, "detected_at >= TIMESTAMPTZ '2026-10-27 00:00:00+07'")
    assert len(entries) == len(recent) == 5
    first = entries[-1]  # oldest of the window: the headline edit of the first article
    assert first.xpath(".//del/text()") == [FIRST_TITLE]
    assert first.xpath(".//ins/text()") == [SECOND_TITLE]
    assert "WIB" in first.findtext(".//time")
    assert first.xpath(".//a[@class='live']/@href")[0].startswith("https://www.liputan6.com/")
    assert f"{OLD_ID}.html" not in (site / "index.html").read_text()
    month = (site / "archive" / "2026-09.html").read_text()
    assert f"articles/{OLD_ID}.html" in month
    removals = lxml.html.fromstring((site / "kinds" / "removals.html").read_bytes())
    kinds = removals.xpath("//li/@class")
    assert kinds == ["change kind-restored", "change kind-removed"]


def test_article_page_has_every_version_and_change_with_diffs(site: Path, warehouse: Path) -> None:
    page = lxml.html.fromstring((site / "articles" / f"{ARTICLE_ID}.html").read_bytes())
    versions = rows(warehouse, "SELECT count(*) FROM versions WHERE article_id = ?", [ARTICLE_ID])
    changes = rows(warehouse, "SELECT change_id FROM changes WHERE article_id = ?", [ARTICLE_ID])
    assert len(page.xpath("//table[@class='versions']//tr[@id]")) == versions[0][0] == 2
    assert {f"change-{c}" for (c,) in changes} == set(page.xpath("//section/@id"))
    diff = page.xpath("//table[@class='diff']")
    assert len(diff) == 1  # the edit; removal and restoration have no text to compare
    assert "Rabu" in "".join(diff[0].xpath(".//ins/text()"))
    assert "Kamis" in "".join(diff[0].xpath(".//del/text()"))


def test_rerun_rewrites_only_what_changed(warehouse: Path, tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, db)
    out = tmp_path / "site"
    first = publish_site(db, out, PublishOptions(), now=NOW)
    assert first.written == first.pages
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert publish_site(db, out, PublishOptions(), now=NOW).written == 0
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps

    add_headline_edit(db, NOW - timedelta(hours=1))
    second = publish_site(db, out, PublishOptions(), now=NOW)
    rewritten = sorted(
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.is_file() and (p not in stamps or p.stat().st_mtime_ns != stamps[p])
    )
    assert rewritten == [
        MANIFEST,
        f"articles/{ARTICLE_ID}.html",
        "feeds/all.xml",
        "feeds/headlines.xml",
        "feeds/topic-bencana.xml",
        "index.html",
        "kinds/headlines.html",
        "topics/bencana.html",
        "topics/index.html",
    ]
    assert second.written == len(rewritten) - 1
    assert not [p for p in out.rglob("*") if p.name.startswith(".tmp-")]


def test_the_site_is_behind_only_while_a_change_is_unshown(warehouse: Path, tmp_path: Path) -> None:
    """What makes a run that found no change publish: a change an earlier publication never
    showed (it failed, or its process was killed), a new day, other options. An up-to-date site
    is left alone."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, db)
    out = tmp_path / "site"
    assert build.site_behind(db, out, now=NOW)  # never published
    publish_site(db, out, PublishOptions(), now=NOW)
    assert not build.site_behind(db, out, now=NOW)
    add_headline_edit(db, NOW - timedelta(hours=1))  # loaded; its publication never happened
    assert build.site_behind(db, out, now=NOW)
    publish_site(db, out, PublishOptions(), now=NOW)
    assert not build.site_behind(db, out, now=NOW)
    # A day without changes: the index's window has moved, once.
    assert build.site_behind(db, out, now=NOW + timedelta(days=1))
    publish_site(db, out, PublishOptions(), now=NOW + timedelta(days=1))
    assert not build.site_behind(db, out, now=NOW + timedelta(days=1))
    assert build.site_behind(db, out, PublishOptions(days=7), now=NOW + timedelta(days=1))
    english = PublishOptions(lang="en")
    assert build.site_behind(db, out, english, now=NOW + timedelta(days=1))
    publish_site(db, out, english, now=NOW + timedelta(days=1))
    assert not build.site_behind(db, out, english, now=NOW + timedelta(days=1))


def test_one_publication_at_a_time_per_folder(warehouse: Path, tmp_path: Path) -> None:
    """Overlapping runs both publish: the second waits for the first, then gives way, and what
    it found stays owed to the next run."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, db)
    out = tmp_path / "site"
    publish_site(db, out, PublishOptions(), now=NOW)
    add_headline_edit(db, NOW - timedelta(hours=1))
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    busy = pytest.raises(build.SiteBusy, match="another publication held")
    with FileLock(out / build.SITE_LOCK), busy:  # another publication, still writing
        publish_site(db, out, PublishOptions(), now=NOW, lock_wait=0.3)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps
    assert build.site_behind(db, out, now=NOW)
    assert publish_site(db, out, PublishOptions(), now=NOW).written > 0
    assert not build.site_behind(db, out, now=NOW)


def test_older_list_pages_keep_their_path_and_content(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(list_pages, "PAGE_SIZE", 2)
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, db)
    out = tmp_path / "site"
    publish_site(db, out, PublishOptions(), now=NOW)
    # Positions count from the oldest change ever (one is in the archive): the window's five
    # changes are ranks 1-5, cut as [1] [2, 3] [4, 5].
    pages = sorted(p.name for p in out.glob("index*.html"))
    assert pages == ["index-p0.html", "index-p1.html", "index.html"]
    snapshot = {name: (out / name).read_bytes() for name in pages}
    add_headline_edit(db, NOW - timedelta(hours=2))  # rank 6 starts a new newest page
    publish_site(db, out, PublishOptions(), now=NOW)
    assert (out / "index-p2.html").is_file()
    assert (out / "index-p0.html").read_bytes() == snapshot["index-p0.html"]
    snapshot = {p.name: p.read_bytes() for p in out.glob("index*.html")}
    add_headline_edit(db, NOW - timedelta(hours=1), title="Banjir Rob Surut Sepenuhnya")
    publish_site(db, out, PublishOptions(), now=NOW)  # rank 7 fills the newest page
    changed = sorted(p.name for p in out.glob("index*.html") if p.read_bytes() != snapshot[p.name])
    assert changed == ["index.html"]
    index = lxml.html.fromstring((out / "index.html").read_bytes())
    assert len(index.xpath("//li[contains(@class, 'change')]")) == 2
    assert index.xpath("//a[@rel='next']/@href")[0] == "index-p2.html"
    crawl(out)


def test_pages_that_leave_the_site_are_deleted(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    publish_site(warehouse, out, PublishOptions(), now=NOW)
    later = publish_site(warehouse, out, PublishOptions(days=1), now=NOW + timedelta(days=60))
    assert later.removed == 0  # nothing vanished: the window's changes moved to the archive
    assert (out / "archive" / "2026-11.html").is_file()
    os.remove(out / "index.html")
    assert (
        publish_site(warehouse, out, PublishOptions(days=1), now=NOW + timedelta(days=60)).written
        == 1
    )


def test_english_labels_and_the_command(warehouse: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["publish", str(tmp_path / "en"), "--db", str(warehouse), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    index = (tmp_path / "en" / "index.html").read_text()
    assert '<html lang="en">' in index and "Headline changes" in index
    missing = CliRunner().invoke(
        app, ["publish", str(tmp_path / "x"), "--db", str(tmp_path / "no.duckdb")]
    )
    assert missing.exit_code == 1 and "no warehouse database" in missing.output


def site_bytes(out: Path) -> dict[str, bytes]:
    """Every page of the site: not the manifest, whose SQLite pages depend on its history, nor
    the publishers' lock."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name not in (MANIFEST, build.SITE_LOCK)
    }


def manifest(out: Path) -> tuple[list[tuple[str, str]], str]:
    """The manifest's content: every page's fingerprint, and the builder's state."""
    with closing(sqlite3.connect(out / MANIFEST)) as con:
        pages = con.execute("SELECT path, fingerprint FROM pages ORDER BY path").fetchall()
        (state,) = con.execute("SELECT value FROM state").fetchone()
    return pages, state


def test_incremental_publishes_equal_a_full_build(warehouse: Path, tmp_path: Path) -> None:
    """Metamorphic: publishing after each of several loads gives, byte for byte, the site one
    full build of the final warehouse gives; a URL move without a change reaches the archive."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, db)
    out = tmp_path / "site"
    publish_site(db, out, PublishOptions(), now=NOW)
    moved = "https://www.liputan6.com/news/read/5100001/berita-lama-gempa-pindah"
    old = make_article(article_id=OLD_ID, title="Berita Lama Tentang Gempa Susulan")
    loads = [
        lambda: add_headline_edit(db, NOW - timedelta(hours=3)),
        lambda: load_batch(
            db, batch(ok(old.model_copy(update={"canonical_url": moved}), NOW - timedelta(hours=2)))
        ),
        lambda: load_batch(db, batch(gone(OFFSITE_ID, NOW - timedelta(hours=1)))),
        lambda: add_headline_edit(db, NOW - timedelta(minutes=30), title="Banjir Rob Surut"),
    ]
    for load in loads:
        load()
        assert publish_site(db, out, PublishOptions(), now=NOW).written > 0
    assert rows(db, "SELECT url FROM articles WHERE article_id = ?", [OLD_ID]) == [(moved,)]
    assert moved in (out / "archive" / "2026-09.html").read_text()
    fresh = tmp_path / "fresh"
    publish_site(db, fresh, PublishOptions(), now=NOW)
    assert site_bytes(out) == site_bytes(fresh)
    assert manifest(out) == manifest(fresh)
    assert sorted(path for path, _ in manifest(out)[0]) == sorted(site_bytes(out))

    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    nothing_new = publish_site(db, out, PublishOptions(), now=NOW)
    assert (nothing_new.written, nothing_new.removed) == (0, 0)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps


def test_a_retagged_article_moves_topics_as_in_a_full_build(
    warehouse: Path, tmp_path: Path
) -> None:
    """Metamorphic: an edit that takes the hostile article off its two topics (one of them held
    by no other article, one still held by another) and onto a third gives, published
    incrementally, the site a full build gives; the orphaned topic's page and feed go."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, db)
    out = tmp_path / "site"
    publish_site(db, out, PublishOptions(), now=NOW)
    orphan = sorted(p.name for p in (out / "feeds").glob("topic-b-topik-*.xml"))
    assert len(orphan) == 1
    url = rows(db, "SELECT url FROM articles WHERE article_id = ?", [HOSTILE_ID])[0][0]
    retagged = make_article(article_id=HOSTILE_ID, title="Rapat Paripurna Ditunda karena Banjir")
    retagged = retagged.model_copy(update={"canonical_url": url})
    load_batch(db, batch(ok(retagged, NOW - timedelta(hours=1), topics=[BENCANA])))
    publish_site(db, out, PublishOptions(), now=NOW)
    fresh = tmp_path / "fresh"
    publish_site(db, fresh, PublishOptions(), now=NOW)
    assert site_bytes(out) == site_bytes(fresh)
    assert manifest(out) == manifest(fresh)
    assert not (out / "feeds" / orphan[0]).exists()
    assert (out / "feeds" / "topic-politik.xml").is_file()
    bencana = feedparser.parse((out / "feeds" / "topic-bencana.xml").read_bytes())
    assert any(f"{HOSTILE_ID}.html" in e.link for e in bencana.entries)


def test_a_stopped_build_resumes_from_the_pages_it_wrote(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails after some article pages keeps their manifest rows, so the next one
    writes only the rest, and the site equals a build that was never stopped."""
    monkeypatch.setattr(site_files, "SAVE_EVERY", 1)
    real = build.render_article
    rendered: list[int] = []

    def failing(history, ctx):
        if len(rendered) == 2:
            raise RuntimeError("stopped")
        rendered.append(history.article_id)
        return real(history, ctx)

    out = tmp_path / "site"
    monkeypatch.setattr(build, "render_article", failing)
    with pytest.raises(RuntimeError, match="stopped"):
        publish_site(warehouse, out, PublishOptions(), now=NOW)
    monkeypatch.setattr(build, "render_article", real)
    resumed = publish_site(warehouse, out, PublishOptions(), now=NOW)
    fresh = tmp_path / "fresh"
    publish_site(warehouse, fresh, PublishOptions(), now=NOW)
    # Every list page and the first two history pages were saved before the failure.
    assert resumed.written == len(list((fresh / "articles").glob("*.html"))) - len(rendered)
    assert site_bytes(out) == site_bytes(fresh) and manifest(out) == manifest(fresh)


def test_a_json_manifest_of_an_earlier_version_is_taken_over(
    warehouse: Path, tmp_path: Path
) -> None:
    """A site published before the SQLite manifest: its JSON manifest is read once, so the
    upgrade rewrites nothing, then removed; an unusable one makes every page be written."""
    out = tmp_path / "site"
    publish_site(warehouse, out, PublishOptions(), now=NOW)
    pages, state = manifest(out)
    before = site_bytes(out)
    (out / MANIFEST).unlink()
    older_state = {k: v for k, v in json.loads(state).items() if k not in ("format", "topics")}
    legacy = {"pages": dict(pages), "state": older_state}
    (out / LEGACY_MANIFEST).write_text(json.dumps(legacy), encoding="utf-8")
    again = publish_site(warehouse, out, PublishOptions(), now=NOW)
    assert (again.written, again.removed, again.pages) == (0, 0, len(pages))
    assert not (out / LEGACY_MANIFEST).exists() and manifest(out) == (pages, state)

    (out / MANIFEST).unlink()
    (out / LEGACY_MANIFEST).write_text("{not json", encoding="utf-8")
    rebuilt = publish_site(warehouse, out, PublishOptions(), now=NOW)
    assert rebuilt.written == rebuilt.pages == len(pages)
    assert not (out / LEGACY_MANIFEST).exists() and site_bytes(out) == before


def test_a_damaged_manifest_means_every_page_is_written_again(
    warehouse: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "site"
    first = publish_site(warehouse, out, PublishOptions(), now=NOW)
    before = site_bytes(out)
    (out / MANIFEST).write_bytes(b"not a database, but a page of text" * 200)
    again = publish_site(warehouse, out, PublishOptions(), now=NOW)
    assert again.written == again.pages == first.pages
    assert site_bytes(out) == before
    assert "every page will be written again" in caplog.text
    assert publish_site(warehouse, out, PublishOptions(), now=NOW).written == 0


def test_the_site_reads_the_read_snapshot(warehouse: Path, tmp_path: Path) -> None:
    """Once a snapshot is published the site shows it, not loads after it; --live shows those."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, db)
    snapshot.publish(db)
    add_headline_edit(db, NOW - timedelta(hours=1), title="Judul Hanya di Berkas Hidup")
    publish_site(db, tmp_path / "snap", PublishOptions(), now=NOW)
    assert "Judul Hanya di Berkas Hidup" not in (tmp_path / "snap" / "index.html").read_text()
    result = CliRunner().invoke(app, ["publish", str(tmp_path / "live"), "--db", str(db), "--live"])
    assert result.exit_code == 0, result.output
    assert "Judul Hanya di Berkas Hidup" in (tmp_path / "live" / "index.html").read_text()


@pytest.mark.parametrize("days", [1, 30])
def test_a_smaller_feed_is_the_head_of_a_larger_one(
    warehouse: Path, tmp_path: Path, days: int
) -> None:
    """Metamorphic: each feed of size n lists the first n entries of the same feed of size 100,
    whether the window fills it or the changes before the window complete it."""
    publish_site(warehouse, tmp_path / "large", PublishOptions(days=days), now=NOW)
    large = {
        p.name: [e.id for e in feedparser.parse(p.read_bytes()).entries]
        for p in feeds(tmp_path / "large")
    }
    assert max(len(ids) for ids in large.values()) > 2
    for size in (1, 2):
        out = tmp_path / f"size-{size}"
        publish_site(warehouse, out, PublishOptions(days=days, feed_size=size), now=NOW)
        small = {
            p.name: [e.id for e in feedparser.parse(p.read_bytes()).entries] for p in feeds(out)
        }
        assert small == {name: ids[:size] for name, ids in large.items()}
