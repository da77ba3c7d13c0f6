"""The promises of SECURITY.md, each checked against real components.

Network checks run the real monitor flow (Prefect harness) against the sample site on 127.0.0.1,
with its `offsite_links` and `offsite_redirect` faults, and a second listener (the trap) on
another port that the poisoned links and redirects point at: the trap must see no connection,
and the site's request log no off-list path. A positive control shows the trap does catch a
fetcher that is allowed to go there, so "nothing arrived" means something.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import threading
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html
from typer.testing import CliRunner

from commands.main import app
from config.settings import Settings
from flows.fetching import Fetcher, FetchResult
from parsers.urls import SITE_DOMAIN, is_allowed_url
from sample_site import FaultSpec, SampleSite, serve
from sample_site import faults as site_faults
from sample_site import site as site_module
from warehouse import migrate, open_readonly
from warehouse.diffing import VersionDiff, paragraph_diffs, word_ops
from warehouse.render_html import render_html

PASSWORD = "S3cret-Pa55"
TOKEN = "T0ken-9f8e7d"
USER = "pemantau"


class Trap:
    """A listener that accepts TCP connections and records what arrives: it must stay empty."""

    def __init__(self, family: int = socket.AF_INET, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    data = conn.recv(65536)
                except OSError:
                    data = b""
                self.received.append(data)
                conn.sendall(b"HTTP/1.1 500 Trap\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(timeout=2)


@pytest.fixture(scope="module")
def trap() -> Iterator[Trap]:
    listener = Trap()
    yield listener
    listener.close()


def trap_links(port: int) -> tuple[str, ...]:
    """Links aimed at the trap, in the spellings that slip past naive host checks."""
    path = "/news/read/5000001/judul-palsu"
    return (
        f"http://127.0.0.1:{port}{path}",
        f"http://localhost:{port}{path}",
        f"http://[::1]:{port}{path}",
        f"http://2130706433:{port}{path}",
        f"http://127.1:{port}{path}",
        f"http://0x7f.0.0.1:{port}{path}",
        f"http://www.liputan6.com@127.0.0.1:{port}{path}",
        f"http://127.0.0.1:{port}#@www.liputan6.com{path}",
        f"http://127.0.0.1:{port}\\@www.liputan6.com{path}",
        f"//127.0.0.1:{port}{path}",
        f"gopher://127.0.0.1:{port}/_GET",
        f"ftp://127.0.0.1:{port}/x",
        "http://10.0.0.1/news/read/5000002/x",
        "http://169.254.169.254/latest/meta-data/iam/",
        "file:///etc/passwd",
    )


OFF_LIST_PATHS = ("/latest/meta-data", "/admin", "/file.txt", "/news/read/5999999", "/_GET")


# --- the monitor flow against a poisoned replica ------------------------------------------------


@dataclass
class HostileRun:
    site: SampleSite
    trap_port: int
    redirected_ids: set[int]
    counts: dict[str, int]
    db: Path
    spool_dir: Path
    python_logs: list[str] = field(default_factory=list)
    prefect_logs: list[str] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)
    parameters: str = ""
    trap_hits: list[bytes] = field(default_factory=list)  # what the trap got during this run


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(self.format(record))


async def _prefect_records(flow_run_id: object, run: HostileRun) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )

    async with get_client() as client:
        logs: list = []
        for _ in range(20):  # logs reach the server in batches: wait until the count settles
            previous = len(logs)
            logs = await client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
            )
            if logs and len(logs) == previous:
                break
            await asyncio.sleep(1.0)
        run.prefect_logs = [log.message for log in logs]
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        run.artifacts = [f"{a.key} {a.description} {a.data}" for a in artifacts]
        flow_run = await client.read_flow_run(flow_run_id)
        run.parameters = repr(flow_run.parameters)


@pytest.fixture(scope="module")
def hostile_run(
    tmp_path_factory: pytest.TempPathFactory, trap: Trap, prefect_harness: None
) -> Iterator[HostileRun]:
    """One monitor run over a replica whose every feed, sitemap, listing and article page carries
    links to the trap, a quarter of whose articles redirect there, with secrets in the settings."""
    from flows.monitor_flow import monitor

    workdir = tmp_path_factory.mktemp("hostile")
    site = SampleSite(articles=24, seed=17, now=datetime.now(UTC))
    target = f"http://127.0.0.1:{trap.port}/news/read/5000001/pindah"
    spec = FaultSpec.parse(f"offsite_links:/*:1;offsite_redirect:/*/read/*:0.25:to={target}")
    site.set_faults(spec)
    redirect_rule = spec.rules[1]
    with (
        pytest.MonkeyPatch.context() as mp,
        serve(site) as running,
    ):
        mp.setattr(site_module, "OFFSITE_LINKS", site_faults.OFFSITE_LINKS + trap_links(trap.port))
        host = running.base_url.split("://", 1)[1]
        env = {
            "LIPUTAN6_BASE_URL": f"http://{USER}:{PASSWORD}@{host}",
            "LIPUTAN6_CONTACT_URL": f"https://example.org/kontak?token={TOKEN}",
            "LIPUTAN6_DB_PATH": str(workdir / "w.duckdb"),
            "LIPUTAN6_SPOOL_DIR": str(workdir / "spool"),
            "LIPUTAN6_RATE_PER_SECOND": "500",
            "LIPUTAN6_CONCURRENCY": "8",
            "LIPUTAN6_MAX_RETRIES": "1",
            "LIPUTAN6_SOURCES": '["rss", "sitemap", "home", "channels", "index"]',
            "LIPUTAN6_CHANNELS": '["news", "bisnis"]',
            "LIPUTAN6_HEALTH_THRESHOLD": "0",
        }
        for key, value in env.items():
            mp.setenv(key, value)
        redirected = {
            a["article_id"]
            for a in site.truth()["articles"]
            if redirect_rule.matches(a["url"].split(host, 1)[1])
        }
        run = HostileRun(site, trap.port, redirected, {}, workdir / "w.duckdb", workdir / "spool")
        handler = _Collect(run.python_logs)
        root = logging.getLogger()
        watched = [logging.getLogger(n) for n in ("flows", "parsers", "warehouse", "httpx")]
        levels = [logger.level for logger in watched]
        root.addHandler(handler)
        for logger in watched:
            logger.setLevel(logging.DEBUG)
        # The trap is shared with the positive control, which may run first in random order.
        trap_before = len(trap.received)
        try:
            state = asyncio.run(monitor(return_state=True))
        finally:
            run.trap_hits = trap.received[trap_before:]
            root.removeHandler(handler)
            for logger, level in zip(watched, levels, strict=True):
                logger.setLevel(level)
        run.counts = state.result()
        asyncio.run(_prefect_records(state.state_details.flow_run_id, run))
        yield run


def test_hostile_run_did_real_work(hostile_run: HostileRun) -> None:
    """The guard for the tests below: the run fetched and loaded articles over HTTP."""
    live = {a["article_id"] for a in hostile_run.site.truth()["articles"] if a["status"] == "live"}
    assert hostile_run.redirected_ids, "the redirect fault should hit some articles"
    assert hostile_run.counts["new"] == len(live - hostile_run.redirected_ids)
    assert hostile_run.counts["failed"] == len(hostile_run.redirected_ids)


def test_no_off_list_address_is_ever_requested(hostile_run: HostileRun) -> None:
    assert hostile_run.trap_hits == []
    paths = [path for _, path, _ in hostile_run.site.request_log]
    assert not [p for p in paths if p.startswith(OFF_LIST_PATHS)]
    article_paths = {a["url"].split("/", 3)[3] for a in hostile_run.site.truth()["articles"]}
    requested_articles = {p.lstrip("/") for p in paths if "/read/" in p}
    assert requested_articles <= article_paths


def test_redirects_off_the_list_are_recorded_as_failures(hostile_run: HostileRun) -> None:
    with open_readonly(hostile_run.db) as con:
        rows = con.execute(
            "SELECT article_id, error FROM fetches WHERE error IS NOT NULL"
        ).fetchall()
    refused = {article_id for article_id, error in rows if "non-allow-listed" in (error or "")}
    assert refused == hostile_run.redirected_ids


def _everything_stored(run: HostileRun) -> str:
    parts = []
    with open_readonly(run.db) as con:
        tables = [
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        ]
        for table in tables:
            parts.append(repr(con.execute(f'SELECT * FROM "{table}"').fetchall()))
    for path in run.spool_dir.rglob("*"):
        if path.is_file():
            parts.append(path.read_text("utf-8", "replace"))
    return "\n".join(parts)


@pytest.mark.parametrize(
    "where", ["python_logs", "prefect_logs", "artifacts", "parameters", "warehouse"]
)
def test_no_settings_secret_in_logs_or_artifacts(hostile_run: HostileRun, where: str) -> None:
    if where == "warehouse":
        text = _everything_stored(hostile_run)
    else:
        value = getattr(hostile_run, where)
        text = value if isinstance(value, str) else "\n".join(value)
        if where != "parameters":
            assert text, f"nothing collected from {where}: the check would be empty"
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, TOKEN, encoded):
        assert secret not in text, f"{secret!r} leaked into {where}"


# --- the fetcher at the edge --------------------------------------------------------------------


def _settings(base_url: str, **extra: object) -> Settings:
    return Settings(
        base_url=base_url,
        rate_per_second=500,
        max_retries=0,
        db_path=Path("unused.duckdb"),
        **extra,
    )


def test_refused_urls_never_reach_the_network(trap: Trap) -> None:
    site = SampleSite(articles=4, seed=3)
    received_before = len(trap.received)
    with serve(site) as running:
        settings = _settings(running.base_url)

        async def fetch_all() -> list:
            async with Fetcher(settings) as fetcher:
                return [await fetcher.fetch(url) for url in trap_links(trap.port)]

        results = asyncio.run(fetch_all())
    for url, result in zip(trap_links(trap.port), results, strict=True):
        assert result.outcome == "http_error", url
        assert "host not allowed" in (result.error or ""), url
        assert [(a.status, a.cause) for a in result.attempts] == [(None, "host_not_allowed")], url
    assert len(trap.received) == received_before
    assert site.request_log == []


def _article_path(site: SampleSite, article_id: int) -> str:
    url = next(a["url"] for a in site.truth()["articles"] if a["article_id"] == article_id)
    return "/" + url.split("/", 3)[3]


@pytest.mark.parametrize("allow_listed", [False, True])
def test_redirect_target_is_fetched_only_when_allow_listed(trap: Trap, allow_listed: bool) -> None:
    """The positive control for the trap; basic-auth credentials never follow the redirect."""
    site = SampleSite(articles=4, seed=3)
    target = f"http://127.0.0.1:{trap.port}/news/read/5000001/pindah"
    site.set_faults(FaultSpec.parse(f"offsite_redirect:/*/read/*:1:to={target}"))
    before = len(trap.received)
    with serve(site) as running:
        host = running.base_url.split("://", 1)[1]
        extra = [f"127.0.0.1:{trap.port}"] if allow_listed else []
        settings = _settings(f"http://{USER}:{PASSWORD}@{host}", extra_hosts=extra)
        url = running.base_url + _article_path(site, 5000001)

        async def fetch() -> object:
            async with Fetcher(settings, polite=False) as fetcher:
                return await fetcher.fetch(url)

        result = asyncio.run(fetch())
    arrived = trap.received[before:]
    if allow_listed:
        assert len(arrived) == 1
        assert b"GET /news/read/5000001/pindah" in arrived[0]
        assert b"authorization" not in arrived[0].lower()
    else:
        assert arrived == []
        assert "non-allow-listed" in (result.error or "")


def test_basic_auth_from_the_base_url_reaches_the_base_only() -> None:
    seen: list[str | None] = []

    async def app_(scope, receive, send) -> None:
        headers = dict(scope["headers"])
        seen.append(headers.get(b"authorization", b"").decode() or None)
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    settings = _settings(f"https://{USER}:{PASSWORD}@mirror.example")
    assert settings.base_url == "https://mirror.example"
    assert PASSWORD not in repr(settings) and PASSWORD not in settings.model_dump_json()

    async def fetch() -> list[FetchResult]:
        async with Fetcher(settings, polite=False) as fetcher:
            fetcher._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app_))
            return [
                await fetcher.fetch("https://mirror.example/news/read/1/x"),
                await fetcher.fetch("https://www.liputan6.com/news/read/2/y"),
                await fetcher.fetch("http://mirror.example/news/read/3/z"),
            ]

    results = asyncio.run(fetch())
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert seen == [f"Basic {token}", None]
    # http://mirror.example is port 80, the base is port 443: another origin, never requested.
    assert results[2].cause == "host_not_allowed"


_HOSTS = st.sampled_from(
    [
        "www.liputan6.com",
        "liputan6.com",
        "evil.example",
        "127.0.0.1",
        "127.0.0.1:8765",
        "[::1]",
        "169.254.169.254",
        "liputan6.com.evil.example",
        "evilliputan6.com",
        "m.liputan6.com",
    ]
)
_GLUE = st.sampled_from(["", "@", "\\", "#", "?", "/", ":", "%2e", "%40", ".", "\t", " ", "\\@"])


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "//", "http:/", "http:\\\\"]),
    st.lists(st.tuples(_HOSTS, _GLUE), min_size=1, max_size=3),
    st.sampled_from(["/news/read/5000001/x", "", "/"]),
)
def test_allowed_urls_mean_the_same_host_to_httpx(
    scheme: str, pieces: list[tuple[str, str]], path: str
) -> None:
    """The allow-list parses with urllib, the request goes out with httpx: wherever they could
    disagree on the host, the allow-list must be the stricter one (no parser-differential SSRF)."""
    # the allow-list judges a URL stripped of surrounding blanks, as `absolute` hands them on
    url = (scheme + "".join(host + glue for host, glue in pieces) + path).strip()
    if not is_allowed_url(url, ["127.0.0.1:8765"]):
        return
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return
    host = parsed.host
    assert parsed.scheme in ("http", "https")
    assert (
        host == SITE_DOMAIN
        or host.endswith("." + SITE_DOMAIN)
        or (host == "127.0.0.1" and parsed.port == 8765)
    ), url


# --- size and decompression caps ----------------------------------------------------------------


@pytest.mark.parametrize(
    "fault", ["oversize:/*/read/*:1:size=8000000", "gzip_bomb:/*/read/*:1:size=67108864"]
)
def test_size_and_decompression_caps_hold(fault: str) -> None:
    site = SampleSite(articles=4, seed=3, faults=FaultSpec.parse(fault))
    site_faults.gzip_bomb(67_108_864)  # built before measuring: it is the server's memory
    cap = 1_000_000
    with serve(site) as running:
        settings = _settings(running.base_url, max_response_bytes=cap)
        url = running.base_url + _article_path(site, 5000002)

        async def fetch() -> object:
            async with Fetcher(settings, polite=False) as fetcher:
                return await fetcher.fetch(url)

        tracemalloc.start()
        try:
            result = asyncio.run(fetch())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.outcome == "too_large"
    assert result.content is None
    assert peak < 4 * cap, f"peak {peak} bytes while reading a body capped at {cap}"


# --- robots.txt ---------------------------------------------------------------------------------


def test_robots_txt_is_obeyed() -> None:
    site = SampleSite(articles=12, seed=3, faults=FaultSpec.parse("robots_disallow:/news/*:1"))
    articles = site.truth()["articles"]
    with serve(site) as running:
        settings = _settings(running.base_url)
        urls = [running.base_url + "/" + a["url"].split("/", 3)[3] for a in articles]

        async def fetch() -> list:
            async with Fetcher(settings) as fetcher:
                return [await fetcher.fetch(url) for url in urls]

        results = asyncio.run(fetch())
    outcomes = {a["channel"] == "news": set() for a in articles}
    for article, result in zip(articles, results, strict=True):
        outcomes[article["channel"] == "news"].add(result.outcome)
    assert outcomes[True] == {"blocked_by_robots"}
    assert "blocked_by_robots" not in outcomes[False]
    requested = [path for _, path, _ in site.request_log]
    assert "/robots.txt" in requested
    assert not [p for p in requested if p.startswith("/news/")]


# --- HTML diff output ---------------------------------------------------------------------------

SAFE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "table", "tr", "th", "td"}


def test_html_diff_escapes_every_piece_of_article_text() -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)><a href="javascript:x">y</a>'
    diff = VersionDiff(
        fields={
            "title": word_ops("Judul lama", f"Judul {evil}"),
            "tags": [("-", "<b>politik</b>"), ("+", "<iframe src=//evil.example>")],
        },
        body=paragraph_diffs(["Paragraf pertama."], [f"Paragraf {evil} kedua.", evil]),
    )
    page = render_html(diff, title=f"Artikel {evil}", left=f"versi 1 {evil}", right="versi 2")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    tree = lxml_html.fromstring(page)
    tags = {element.tag for element in tree.iter() if isinstance(element.tag, str)}
    assert tags <= SAFE_TAGS | {"del", "ins"}
    attributes = {name for element in tree.iter() for name in element.attrib}
    assert attributes <= {"charset", "http-equiv", "content", "class", "colspan"}
    assert "default-src 'none'" in page


# --- `liputan6-monitor sql` is read-only --------------------------------------------------------

WRITES = [
    "INSERT INTO articles (article_id) VALUES (1)",
    "UPDATE articles SET article_id = 2",
    "DELETE FROM articles",
    "DROP VIEW latest_articles",
    "CREATE TABLE t AS SELECT 1",
    "WITH x AS (SELECT 1 AS a) INSERT INTO articles (article_id) SELECT a FROM x",
    "COPY articles TO '{out}'",
    "COPY articles FROM '{out}'",
    "EXPORT DATABASE '{dir}'",
    "ATTACH '{other}' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA enable_profiling",
    "SET threads = 1",
    "CALL pragma_version()",
    "CHECKPOINT",
    "SELECT 1; DROP VIEW latest_articles",
    "SELECT 1; INSERT INTO articles (article_id) VALUES (1)",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{out}'",
    "EXPLAIN ANALYZE INSERT INTO articles (article_id) VALUES (1)",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_csv('http://127.0.0.1:1/x.csv')",
]


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    migrate(db)
    return db


def _fingerprint(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT table_name, estimated_size, column_count FROM duckdb_tables() "
            "UNION ALL SELECT view_name, 0, 0 FROM duckdb_views() WHERE NOT internal ORDER BY 1"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("template", WRITES)
def test_sql_command_refuses_writes(warehouse_file: Path, tmp_path: Path, template: str) -> None:
    out = tmp_path / "out.csv"
    query = template.format(out=out, dir=tmp_path / "export", other=tmp_path / "other.duckdb")
    before = _fingerprint(warehouse_file)
    result = CliRunner().invoke(app, ["sql", query, "--db", str(warehouse_file)])
    assert result.exit_code != 0, result.output
    message = " ".join(result.output.split())
    assert any(
        hint in message
        for hint in (
            "only read queries",
            "exactly one statement",
            "disabled by configuration",
            "read-only mode",
        )
    ), message
    assert _fingerprint(warehouse_file) == before
    assert not out.exists()
    assert not (tmp_path / "export").exists()
    assert not (tmp_path / "other.duckdb").exists()


def test_sql_command_still_answers_reads(warehouse_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["sql", "SELECT count(*) AS n FROM latest_articles", "--db", str(warehouse_file)]
    )
    assert result.exit_code == 0, result.output
    assert "0" in result.output
