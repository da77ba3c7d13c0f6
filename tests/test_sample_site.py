"""The replica over real HTTP on 127.0.0.1: discovery sets, validators, timeline, faults."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import zlib
from collections import Counter

import httpx
import pytest
from lxml import etree, html

from sample_site import FaultSpec, SampleSite, serve
from sample_site import site as site_module

ID = re.compile(r"/read/(\d+)/")


@pytest.fixture(scope="module")
def running():
    site = SampleSite(articles=200, seed=7)
    with serve(site) as run, httpx.Client(base_url=run.base_url, timeout=10) as client:
        yield site, client


def ids_in(text: str) -> set[int]:
    return {int(m) for m in ID.findall(text)}


def live_newest(truth: dict, channel: str | None = None) -> list[dict]:
    rows = [
        a
        for a in truth["articles"]
        if a["status"] == "live" and (channel is None or a["channel"] == channel)
    ]
    return sorted(rows, key=lambda a: (a["published_at"], a["article_id"]), reverse=True)


def test_home_channel_and_feeds_list_exactly_the_newest_live_articles(running):
    site, client = running
    truth = site.truth()
    tree = html.fromstring(client.get("/").content)
    links = tree.xpath(
        "//a[contains(@class,'articles--iridescent-list--text-item__title-link')]/@href"
    )
    expected = {a["article_id"] for a in live_newest(truth)[: site_module.HOME_SIZE]}
    assert ids_in(" ".join(links)) == expected
    mobile = html.fromstring(client.get("/?m=1").content)
    assert {
        int(i) for i in mobile.xpath("//div[contains(@class,'article-snippet')]/@data-id")
    } == expected
    news = html.fromstring(client.get("/news").content)
    got = ids_in(" ".join(news.xpath("//h4/a/@href")))
    assert got == {a["article_id"] for a in live_newest(truth, "news")[: site_module.CHANNEL_SIZE]}
    rss = etree.fromstring(client.get("/rss/bola").content)
    got = ids_in(" ".join(rss.xpath("//item/link/text()")))
    assert got == {a["article_id"] for a in live_newest(truth, "bola")[: site_module.FEED_SIZE]}


def test_sitemaps_list_every_live_article(running):
    site, client = running
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = etree.fromstring(client.get("/sitemap.xml").content)
    found: set[int] = set()
    for loc in index.xpath("//s:loc/text()", namespaces=ns):
        if "sitemap_post" in loc:
            page = etree.fromstring(client.get(loc).content)
            found |= ids_in(" ".join(page.xpath("//s:loc/text()", namespaces=ns)))
    truth = site.truth()
    assert found == {a["article_id"] for a in truth["articles"] if a["status"] == "live"}
    news = client.get("/sitemap-news.xml").text
    recent = {a["article_id"] for a in live_newest(truth) if a["published_at"] >= "2025-10-28T12"}
    assert ids_in(news) == recent and recent


def test_date_index_and_tag_pages_paginate_over_the_right_set(running):
    site, client = running
    truth = site.truth()
    day = live_newest(truth)[5]["published_at"][:10]
    path = "/indeks/" + day.replace("-", "/")
    first = html.fromstring(client.get(path).content)
    pages = [
        int(p) for p in first.xpath("//li[@class='simple-pagination__page-number']/@data-page")
    ]
    found: set[int] = set()
    for page in pages:
        tree = html.fromstring(client.get(path, params={"page": page}).content)
        found |= ids_in(
            " ".join(tree.xpath("//article[@class='articles--rows--item']//h4/a/@href"))
        )
    assert found == {a["article_id"] for a in live_newest(truth) if a["published_at"][:10] == day}
    tag = Counter(
        t for a in truth["articles"] if a["status"] == "live" for t in a["tags"]
    ).most_common(1)[0][0]
    slug = re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")
    found = set()
    for page in range(1, 20):
        tree = html.fromstring(client.get(f"/tag/{slug}", params={"page": page}).content)
        got = ids_in(" ".join(tree.xpath("//h4/a/@href")))
        if not got:
            break
        found |= got
    assert found == {
        a["article_id"] for a in truth["articles"] if a["status"] == "live" and tag in a["tags"]
    }


def test_validators_answer_304_and_deleted_articles_redirect_home():
    site = SampleSite(articles=60, seed=3)
    with serve(site) as run, httpx.Client(timeout=10) as client:
        url = site.truth()["articles"][10]["url"]
        first = client.get(url)
        assert first.status_code == 200 and first.headers["etag"].startswith('"')
        again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        since = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
        assert since.status_code == 304
        site.advance()
        removed = next(c["article_id"] for c in site.changes if c["kind"] == "removed")
        gone = next(a["url"] for a in site.truth()["articles"] if a["article_id"] == removed)
        response = client.get(gone)
        assert response.status_code == 302 and response.headers["location"] == run.base_url + "/"
        assert client.get(gone, follow_redirects=True).status_code == 200


def test_truth_after_advance_has_every_change_kind_and_true_fields():
    site = SampleSite(articles=200, seed=11)
    before = {a: site.expected_article(a) for a in site.states}
    site.advance()
    site.advance()
    kinds = Counter(c["kind"] for c in site.changes)
    assert set(kinds) == {"edit", "removed", "restored", "new", "cosmetic"}
    step1 = [c for c in site.changes if c["step"] == 1 and c["kind"] == "edit"]
    assert {f for c in step1 for f in c["fields"]} == {
        "title",
        "description",
        "body",
        "tags",
        "authors",
    }
    edited_twice = {c["article_id"] for c in site.changes if c["step"] == 2 and c["kind"] == "edit"}
    for change in step1:
        if change["article_id"] in edited_twice:
            continue
        after = site.expected_article(change["article_id"])
        old = before[change["article_id"]]
        changed = {
            f
            for f, key in (
                ("title", "title"),
                ("body", "pages"),
                ("tags", "tags"),
                ("description", "description"),
                ("authors", "authors"),
            )
            if old[key] != after[key]
        }
        assert changed == set(change["fields"])
    cosmetic = next(
        c["article_id"]
        for c in site.changes
        if c["kind"] == "cosmetic" and c["article_id"] not in edited_twice and c["step"] == 1
    )
    assert site.expected_article(cosmetic) == before[cosmetic]


def test_cosmetic_change_alters_bytes_but_not_content():
    site = SampleSite(articles=80, seed=5)
    state = next(iter(site.states.values()))
    old_bytes, old_truth = site.render_article(state), site.expected_article(state.article_id)
    state.cosmetic_rev += 1
    assert site.render_article(state) != old_bytes
    assert site.expected_article(state.article_id) == old_truth


def test_same_seed_gives_same_bytes_over_http():
    pages = []
    for _ in range(2):
        site = SampleSite(articles=50, seed=9)
        site.advance()
        with serve(site) as run, httpx.Client(base_url=run.base_url) as client:
            urls = [a["url"] for a in site.truth()["articles"][:5]]
            body = b"".join(client.get(u).content for u in [*urls, "/", "/rss", "/sitemap.xml"])
            escaped = run.base_url.replace("/", "\\/").encode()  # JSON-LD escapes slashes
            pages.append(body.replace(run.base_url.encode(), b"BASE").replace(escaped, b"BASE"))
    assert pages[0] == pages[1]
    other = SampleSite(articles=50, seed=10)
    assert (
        other.truth()["articles"][0]["title"]
        != SampleSite(articles=50, seed=9).truth()["articles"][0]["title"]
    )


def test_pages_carry_real_markup_and_every_boilerplate_kind():
    site = SampleSite(articles=300, seed=7)
    seen = set()
    for state in site.states.values():
        page = site.render_article(state).decode()
        assert 100_000 < len(page) < 300_000
        for marker in (
            "baca-juga__list",
            "baca-juga-collections",
            "div-revive-ad-liputan6",
            "advertisement-placeholder",
            "article-content-body__break",
            "Lanjutkan Membaca",
            "Perbesar",
            "twitter-tweet",
            "instagram-media",
            "vidio-embed",
            "Fakta atau Hoaks?",
            "Follow Official WhatsApp",
            "Tentang Cek Fakta Liputan6.com",
            "Infografis",
            "Reporter: ",
            'id="rich-card"',
            "window.kmklabs.article = {\n",
            "read-page-box__author",
        ):
            if marker in page:
                seen.add(marker)
    assert len(seen) == 18, seen


def tcp(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            chunks.append(b"<RST>")
        return b"".join(chunks)


def test_each_fault_kind_is_observable():
    site = SampleSite(articles=40, seed=2)
    url_path = site.truth()["articles"][3]["url"].split("/", 3)[3]
    article = "/" + url_path
    with serve(site) as run, httpx.Client(base_url=run.base_url, timeout=5) as client:
        port = int(run.base_url.rsplit(":", 1)[1])

        def use(spec: str) -> None:
            site.set_faults(FaultSpec.parse(spec))

        use("503:/news:1:times=2;429:/rss:1:retry_after=7")
        assert [client.get("/news").status_code for _ in range(3)] == [503, 503, 200]
        throttled = client.get("/rss")
        assert throttled.status_code == 429 and throttled.headers["retry-after"] == "7"
        use("500:/:1")
        assert client.get("/").status_code == 500
        use("slow:/:1:delay=0.3")
        assert client.get("/").elapsed.total_seconds() >= 0.3
        use("stall:/:1:delay=1")
        with pytest.raises(httpx.ReadTimeout):
            client.get("/", timeout=httpx.Timeout(5, read=0.3))
        use("reset:/:1")
        assert tcp(port, "/") in (b"", b"<RST>")
        use("truncate:/:1")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/")
        use("oversize:/:1:size=300000")
        assert len(client.get("/").content) == 300_000
        use("gzip_bomb:/:1:size=20000000")
        raw = tcp(port, "/")
        head, _, body = raw.partition(b"\r\n\r\n")
        assert b"Content-Encoding: gzip" in head and len(body) < 100_000
        assert len(zlib.decompress(body, 31)) == 20_000_000
        use("redirect_loop:/:1")
        assert client.get("/").headers["location"] == run.base_url + "/"
        use("offsite_redirect:/:1")
        assert client.get("/").headers["location"] == "http://evil.example/"
        use("wrong_charset:/:1")
        assert "windows-1252" in client.get("/").headers["content-type"]
        use("non_html:/:1")
        assert client.get("/").content.startswith(b"%PDF")
        use("robots_disallow:/news/*:1")
        assert "Disallow: /news/" in client.get("/robots.txt").text
        use("offsite_links:/:1;offsite_links:/rss:1")
        assert (
            "169.254.169.254" in client.get("/").text and "javascript:" in client.get("/rss").text
        )
        use("layout_change:/*/read/*:1")
        changed = client.get(article).text
        assert "kmklabs" not in changed and "rich-card" not in changed and "story-v9" in changed
        site.set_faults(FaultSpec())
        assert "kmklabs" in client.get(article).text
    assert ("GET", "/news", 503) in site.request_log


def test_fault_spec_rejects_bad_rules():
    with pytest.raises(ValueError, match="unknown kind"):
        FaultSpec.parse("teapot:/:1")
    with pytest.raises(ValueError, match="rate"):
        FaultSpec.parse("500:/:2")
    half = FaultSpec.parse("500:/news/read/*:0.5").rules[0]
    hits = sum(half.matches(f"/news/read/{i}/x") for i in range(1000))
    assert 400 < hits < 600


def test_twenty_thousand_articles_construct_and_serve():
    site = SampleSite(articles=20_000, seed=1)
    assert len(site.states) == 20_000
    last = max(site.states)
    assert site.handle("GET", "/", {}).status == 200
    state = site.states[last]
    assert site.handle("GET", f"/{state.channel}/read/{last}/x", {}).status == 200


def test_cli_starts_and_serves():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from commands.main import app; app()",
            "sample-site",
            "--port",
            "0",
            "--articles",
            "30",
            "--advance",
            "1",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        truth = httpx.get(base + "/_admin/truth", timeout=10).json()
        assert truth["step"] == 1 and httpx.get(base + "/", timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_requests_since_counts_by_arrival_not_by_log_position():
    """An earlier request logged late (its answer sent, its log entry not yet written) lands in
    the log after a later check's mark: arrival order keeps it out of that check's requests."""
    site = SampleSite(articles=5, seed=1)
    earlier = site.arrive()
    mark = site.arrivals()
    with serve(site) as run:
        assert httpx.get(run.base_url + "/robots.txt").status_code == 200
        # the replica logs after answering: wait for that entry before logging the late one
        assert site.requests_since(mark) == [("GET", "/robots.txt", 200)]
        site.log("GET", "/late", 200, earlier)
        assert [path for _, path, _ in site.request_log] == ["/robots.txt", "/late"]
        assert site.requests_since(mark) == [("GET", "/robots.txt", 200)]
        assert site.requests_since(earlier) == site.request_log
