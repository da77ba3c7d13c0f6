"""`publish_site`: the warehouse's changes as a static site in a folder, brought up to date.

The read snapshot is read (the live file, read-only and closed between steps, before the first
snapshot or with `live`), so a long first build never keeps the monitor's loads waiting.

A publication remembers in the manifest how far the warehouse had got (`Marks`). The next one
computes article digests and archive months only for the articles touched since, and keeps every
other article page as it is: its cost follows what is new, not the size of the archive.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack, closing
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from datetime import time as day_start
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from filelock import FileLock, Timeout

from publishing import paths
from publishing.article_page import render_article
from publishing.atom import render_feed
from publishing.entries import WIB, Context
from publishing.labels import Labels
from publishing.list_pages import (
    PlannedPage,
    archive_index,
    fingerprint,
    index_pages,
    kind_pages,
    month_pages,
    topic_pages,
)
from publishing.site_files import SiteFiles, saved_state
from warehouse.queries import require_warehouse
from warehouse.site_source import (
    ChangeRecord,
    FeedSelection,
    Marks,
    MonthDigest,
    OlderCounts,
    SiteChanges,
    article_histories,
    month_changes,
    newest_public_change,
    open_site_source,
)
from warehouse.snapshot import snapshot_path

if TYPE_CHECKING:
    from config.settings import Settings

ARTICLE_CHUNK = 500
SNAPSHOT_HOLD_S = 120.0  # a reader holding a snapshot copy delays the publication after next
STATE_FORMAT = 2  # the saved state's shape: an older state is not used (every digest is redone)
SITE_LOCK = ".publish.lock"  # in the site's folder, beside the manifest
# An incremental publication takes seconds; past this the other one is likely a first full build,
# and this one gives way (the next run publishes what it found).
SITE_LOCK_WAIT = 60.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishOptions:
    days: int = 30
    lang: str = "id"
    live_hosts: tuple[str, ...] = ()  # hosts besides liputan6.com the live links may point to
    base_url: str | None = None  # public URL of the site: feeds then use absolute links
    feed_size: int = 100

    def key(self) -> str:
        """What the saved state records of the options a site was built with."""
        return fingerprint("options", asdict(self))

    @classmethod
    def from_settings(
        cls, settings: Settings, days: int | None = None, lang: str | None = None
    ) -> PublishOptions:
        """The site's options from the settings, with explicit values (the CLI's) on top. Here,
        not in `flows`, so that the `publish` command starts without loading Prefect."""
        return cls(
            days=days or settings.publish_days,
            lang=lang or settings.publish_lang,
            live_hosts=tuple(settings.allowed_hosts),
            base_url=settings.public_url,
        )


@dataclass(frozen=True)
class PublishReport:
    pages: int
    written: int
    removed: int
    bytes_written: int
    seconds: float
    phases: dict[str, float]  # seconds per step: read, lists, articles, finish

    def line(self) -> str:
        return (
            f"{self.pages} files, {self.written} written, {self.pages - self.written} unchanged, "
            f"{self.removed} removed, {self.bytes_written / 1e6:.1f} MB written, "
            f"{self.seconds:.2f} s"
        )


def window_start(now: datetime, days: int) -> datetime:
    """Midnight WIB `days - 1` days before today: whole days, so the window moves once a day."""
    today = now.astimezone(WIB).date()
    return datetime.combine(today - timedelta(days=days - 1), day_start(), tzinfo=WIB)


class SiteBusy(RuntimeError):
    """Another publication held the site's folder for longer than this one would wait."""


def publish_site(
    db_path: Path | str,
    out_dir: Path,
    options: PublishOptions | None = None,
    now: datetime | None = None,
    live: bool = False,
    lock_wait: float = SITE_LOCK_WAIT,
) -> PublishReport:
    """Write or update the site in `out_dir`; pages whose data did not change are left alone.
    `live` reads the live file instead of the read snapshot.

    One publication at a time per folder (overlapping monitor and recheck runs both publish):
    two at once could each write pages and the manifest from a different moment of the data,
    and a page left older than its manifest row is never rewritten. The second one waits up to
    `lock_wait` seconds, then raises SiteBusy; the next run publishes what it missed."""
    options = options or PublishOptions()
    if options.days < 1:
        raise ValueError("days must be at least 1")
    require_warehouse(db_path)  # a missing warehouse fails here, before the folder is touched
    source = _source(db_path, live)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        lock = FileLock(out / SITE_LOCK, timeout=lock_wait, mode=0o644)
        with lock:
            # Opened under the lock: a publication that waited reads the data as it is now.
            return _publish(source, out, options, now)
    except Timeout:
        raise SiteBusy(f"another publication held {out} for over {lock_wait:.0f} s") from None


def _publish(
    source: Source, out_dir: Path, options: PublishOptions, now: datetime | None
) -> PublishReport:
    started = time.perf_counter()
    ctx = Context(Labels(options.lang), tuple(options.live_hosts))
    since = window_start(now or datetime.now(WIB), options.days)
    phases: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        phases[name] = time.perf_counter() - mark
        mark = time.perf_counter()

    with ExitStack() as site:
        # Opened before the folder is touched, and closed once the data is read.
        reading = site.enter_context(ExitStack())
        con = reading.enter_context(source.open())
        files = site.enter_context(closing(SiteFiles(out_dir)))
        common = fingerprint("articles", ctx)[:8]  # article digests are per article already
        with reading:
            changes = SiteChanges(con, since)
            marks = changes.marks()
            saved = files.state if _usable(files.state, common) else {}
            touched = changes.touched(_marks(saved["marks"])) if saved else None
            if touched is None:
                topics = changes.topics()
            else:
                topics = changes.topics_after(saved["topics"], touched)
            digests = changes.article_digests(touched)
            if touched is None or saved["since"] != since.isoformat():
                recent = changes.window()
                files.replace_window(recent)
                months = changes.archive_digests(since)
            else:
                recent = files.refresh_window(touched, changes.window(touched))
                stale = changes.months_of(_moved(digests, files, common), since)
                months = _merge(saved["months"], changes, stale, since)
            feeds = changes.feeds(recent, topics, options.feed_size)
        older = OlderCounts(
            sum(m.changes for m in months),
            sum(m.headlines for m in months),
            sum(m.removals for m in months),
        )
        lap("read")
        planned = index_pages(recent, older, options.days, ctx) + kind_pages(recent, older, ctx)
        planned += topic_pages(recent, sorted(feeds.topics), ctx)
        planned.append(archive_index(months, options.days, ctx))
        for month in months:
            planned += month_pages(month, _month_loader(source, month.month, since), ctx)
        planned += _feeds(feeds, ctx, options.base_url)
        for item in planned:
            if not files.is_current(item.path, item.fingerprint):
                files.write(item.path, item.render(), item.fingerprint)
        lap("lists")
        _articles(source, digests, files, common, ctx)
        if touched is not None:
            files.keep("articles/")
        files.state = {
            "format": STATE_FORMAT,
            "context": common,
            "marks": asdict(marks) | {"checked": marks.checked and marks.checked.isoformat()},
            "since": since.isoformat(),
            "options": options.key(),
            "months": [asdict(month) for month in months],
            "topics": topics,
        }
        lap("articles")
        removed = files.finish()
        lap("finish")
    return PublishReport(
        files.pages,
        files.written,
        len(removed),
        files.bytes_written,
        time.perf_counter() - started,
        phases,
    )


def site_behind(
    db_path: Path | str,
    out_dir: Path,
    options: PublishOptions | None = None,
    now: datetime | None = None,
) -> bool:
    """True when the site is out of date though this run found no change: the warehouse holds a
    change the site has not shown (the publication after the run that found it failed or was
    killed), a new day has moved the index's window since the last publication (a quiet day
    left changes past the window on the index), or the options changed (labels, public URL,
    feed size). A run that finds no change of its own then publishes all the same, rather than
    wait for the next change."""
    saved = saved_state(Path(out_dir))
    options = options or PublishOptions()
    if saved and (
        saved.get("options") != options.key()
        or saved.get("since") != window_start(now or datetime.now(WIB), options.days).isoformat()
    ):
        return True
    shown = saved.get("marks", {}).get("change_id", 0)
    # The snapshot, or the live file before the first: `_source` would warn of publishing.
    with open_site_source(db_path, live=not snapshot_path(db_path).is_file()) as con:
        return newest_public_change(con) > shown


@dataclass(frozen=True)
class Source:
    """Opens the same file for every step: the snapshot, or the live file."""

    db_path: Path | str
    live: bool

    def open(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return open_site_source(self.db_path, live=self.live)


def _source(db_path: Path | str, live: bool) -> Source:
    """The snapshot, or the live file (said once) while there is none yet."""
    if not live and not snapshot_path(db_path).is_file():
        log.warning("no read snapshot of %s yet: publishing from the live file", db_path)
        live = True
    return Source(db_path, live)


def _usable(state: dict, common: str) -> bool:
    """The last publication's state, when it was saved in this shape for the same labels."""
    return state.get("format") == STATE_FORMAT and state.get("context") == common


def _moved(digests: dict[int, str], files: SiteFiles, common: str) -> list[int]:
    """Articles whose history page's digest changed since it was written: the only ones whose
    entries in an archive month can have moved (a new change, a new URL). A touched article
    only checked again keeps its digest, and its months are not read."""
    return [
        article_id
        for article_id, digest in digests.items()
        if files.fingerprint(paths.article(article_id)) != common + digest
    ]


def _marks(saved: dict) -> Marks:
    checked = saved["checked"]
    return Marks(saved["change_id"], checked and datetime.fromisoformat(checked))


def _merge(
    saved: list[dict], changes: SiteChanges, stale: list[str], since: datetime
) -> list[MonthDigest]:
    """The last publication's months with those holding a touched article's change redone."""
    months = {m["month"]: MonthDigest(**m) for m in saved if m["month"] not in stale}
    months |= {m.month: m for m in changes.archive_digests(since, stale)} if stale else {}
    return sorted(months.values(), key=lambda m: m.month, reverse=True)


def _month_loader(source: Source, month: str, since: datetime) -> Callable[[], list[ChangeRecord]]:
    """Reads a month's rows over its own connection, only if one of its pages is stale."""

    def load() -> list[ChangeRecord]:
        with source.open() as con:
            return month_changes(con, month, since)

    return load


def _feeds(feeds: FeedSelection, ctx: Context, base_url: str | None) -> list[PlannedPage]:
    labels = ctx.labels
    chosen = [
        (paths.FEED_ALL, labels("feed_all"), feeds.all),
        (paths.FEED_HEADLINES, labels("headlines"), feeds.headlines),
        (paths.FEED_REMOVALS, labels("kind.removed"), feeds.removals),
    ]
    chosen += [
        (paths.topic_feed(topic), labels("topic", name=topic), changes)
        for topic, changes in sorted(feeds.topics.items())
    ]
    planned = []
    for path, title, changes in chosen:
        key = fingerprint(path, ctx, title, base_url, tuple((c.change_id, c.url) for c in changes))

        def render(path: str = path, title: str = title, changes: list = changes) -> str:
            return render_feed(path, f"{labels('site')}: {title}", changes, ctx, base_url)

        planned.append(PlannedPage(path, key, render))
    return planned


def _articles(
    source: Source, digests: dict[int, str], files: SiteFiles, common: str, ctx: Context
) -> None:
    """Render the history pages whose article gained a change (or whose URL, topics or status
    moved). The live file is read over a connection per chunk, closed before rendering (loads
    wait while it is open); the snapshot over one connection renewed every SNAPSHOT_HOLD_S
    seconds: a new one starts cold, and the first versions read at a year's size cost seconds."""
    keys = {article_id: common + digest for article_id, digest in digests.items()}
    stale = [a for a, key in keys.items() if not files.is_current(paths.article(a), key)]
    con: duckdb.DuckDBPyConnection | None = None
    opened = 0.0
    with ExitStack() as held:
        for chunk in _chunks(stale, ARTICLE_CHUNK):
            if con is None or time.monotonic() - opened > SNAPSHOT_HOLD_S:
                held.close()
                con, opened = held.enter_context(source.open()), time.monotonic()
            histories = list(article_histories(con, chunk))
            if source.live:
                held.close()
                con = None
            for history in histories:
                path = paths.article(history.article_id)
                files.write(path, render_article(history, ctx), keys[history.article_id])


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
