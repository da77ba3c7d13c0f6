"""One charset decoder for articles and listings: the same bytes under the same Content-Type read
the same on both paths, fetched over real HTTP, and as the WHATWG Encoding Standard says (BOM, then
the header's charset, then the document's declaration, then UTF-8).

Each case is one on which the article decoder and the listing decoder used to disagree.
"""

from __future__ import annotations

import asyncio
import codecs
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from config.settings import Settings
from flows.discovery import _Collector
from flows.fetching import Fetcher, FetchResult
from flows.observe import Target, observation_from
from parsers.article import parse_article
from parsers.encodings import decode_document
from parsers.listings import parse_listing
from parsers.models import ArticleRef

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
SHARED_PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "pages"
PHRASE = "Smørrebrød – “café” naik"  # ø, –, “ ” are where windows-1252, Latin-1 and Latin-2 differ
ARTICLE_TITLE = "Harga Cabai Naik Jelang Ramadan"
LISTING_TITLE = "Artikel A"


class _Pages(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[str, bytes]]] = {}

    def do_GET(self) -> None:
        content_type, body = self.pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet: the test asserts on what the fetcher got, not on the server's log."""


@dataclass
class Server:
    base_url: str

    def put(self, path: str, content_type: str, body: bytes) -> str:
        _Pages.pages[path] = (content_type, body)
        return self.base_url + path


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()
        _Pages.pages.clear()


def _settings(server: Server) -> Settings:
    return Settings(
        base_url=server.base_url, respect_robots=False, rate_per_second=500.0, max_retries=0
    )


def fetch_article(server: Server, url: str, article_id: int) -> tuple[FetchResult, object]:
    """The article path: the fetcher, then the observation the flows build from its result."""

    async def run() -> FetchResult:
        async with Fetcher(_settings(server)) as fetcher:
            return await fetcher.fetch(url)

    result = asyncio.run(run())
    return result, observation_from(Target(article_id, url), result, datetime.now(UTC))


def discover_listing(server: Server, url: str) -> list[ArticleRef]:
    """The listing path: discovery's collector fetches the page and keeps its article refs."""

    async def run() -> list[ArticleRef]:
        async with Fetcher(_settings(server)) as fetcher:
            collector = _Collector(fetcher, _settings(server), "home")
            await collector.fetch_and_collect([url])
            assert not collector.report.errors, collector.report.errors
            return collector.refs

    return asyncio.run(run())


def _article_html(meta: str) -> str:
    html = (FIXTURES / "mobile_multipage.html").read_text(encoding="utf-8")
    return html.replace(ARTICLE_TITLE, PHRASE).replace('<meta charset="utf-8">', meta)


def _listing_html(meta: str) -> str:
    html = (FIXTURES / "channel_page.html").read_text(encoding="utf-8")
    return html.replace(LISTING_TITLE, PHRASE).replace('<meta charset="utf-8">', meta)


def _utf16_with_bom(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


HTTP_EQUIV = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">'
# (case, <meta> the page carries, Content-Type sent, how the page is encoded)
CASES = [
    ("latin-1 header is windows-1252", '<meta charset="utf-8">', "iso-8859-1", "cp1252"),
    ("latin-1 meta is windows-1252", '<meta charset="latin1">', None, "cp1252"),
    ("header beats meta", '<meta charset="iso-8859-2">', "windows-1252", "cp1252"),
    ("header beats an http-equiv meta", HTTP_EQUIV, "windows-1252", "cp1252"),
    ("meta when the header names no charset", '<meta charset="windows-1252">', None, "cp1252"),
    ("UTF-16 BOM beats header and meta", '<meta charset="iso-8859-2">', "iso-8859-2", "bom16"),
]


def _encode(html: str, how: str) -> bytes:
    return _utf16_with_bom(html) if how == "bom16" else html.encode(how)


@pytest.mark.parametrize(
    ("meta", "charset", "how"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_article_and_listing_read_the_same_text(
    server: Server, meta: str, charset: str | None, how: str
) -> None:
    content_type = "text/html" + (f"; charset={charset}" if charset else "")
    key = f"{how}/{charset}/{len(meta)}"
    article_url = server.put(f"/a/{key}", content_type, _encode(_article_html(meta), how))
    listing_url = server.put(f"/l/{key}", content_type, _encode(_listing_html(meta), how))

    result, observation = fetch_article(server, article_url, 5900001)
    refs = discover_listing(server, listing_url)

    assert observation.outcome == "ok", observation.error
    assert observation.article.title == PHRASE
    assert [ref.title for ref in refs] == [PHRASE]
    assert (
        result.charset == decode_document(_encode(_listing_html(meta), how), content_type).charset
    )


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_is_not_a_web_encoding_on_either_path(server: Server, codec: str) -> None:
    """As in browsers, FF FE 00 00 is a UTF-16LE BOM followed by U+0000, and 00 00 FE FF is no BOM
    at all: neither path reads UTF-32, both read it alike, and both keep the page, not crash."""
    bom = codecs.BOM_UTF32_LE if codec == "utf-32-le" else codecs.BOM_UTF32_BE
    article_body = bom + _article_html('<meta charset="utf-8">').encode(codec)
    listing_body = bom + _listing_html('<meta charset="utf-8">').encode(codec)
    article_url = server.put(f"/a/{codec}", "text/html; charset=utf-8", article_body)
    listing_url = server.put(f"/l/{codec}", "text/html; charset=utf-8", listing_body)

    result, observation = fetch_article(server, article_url, 5900001)
    refs = discover_listing(server, listing_url)

    listing = decode_document(listing_body, "text/html; charset=utf-8")
    assert result.charset == listing.charset
    if codec == "utf-32-le":
        assert (listing.charset, listing.source) == ("utf-16-le", "bom")
        assert result.text == article_body[2:].decode("utf-16-le")
    else:
        assert listing.source != "bom"
    assert observation.outcome == "parse_error" and observation.raw_html == result.text
    assert refs == []


@pytest.mark.parametrize(
    ("declaration", "content_type"),
    [
        ('<?xml version="1.0" encoding="UTF-8"?>', "application/rss+xml; charset=windows-1252"),
        ('<?xml version="1.0" encoding="ISO-8859-1"?>', "application/rss+xml"),
        ('<?xml version="1.0" encoding="ISO-8859-1"?>', "application/rss+xml; charset=latin1"),
    ],
    ids=["header beats the XML declaration", "declaration alone", "both agree"],
)
def test_feed_with_a_header_charset(server: Server, declaration: str, content_type: str) -> None:
    feed = (
        f'{declaration}\n<rss version="2.0"><channel><title>Liputan6</title><item>'
        f"<title>{PHRASE}</title>"
        "<link>https://www.liputan6.com/news/read/5100001/gempa</link></item></channel></rss>"
    )
    path = f"/rss/{len(declaration)}/{len(content_type)}"
    url = server.put(path, content_type, feed.encode("cp1252"))

    assert [ref.title for ref in discover_listing(server, url)] == [PHRASE]


def _real(pattern: str) -> list[Path]:
    if not SHARED_PAGES.is_dir():
        pytest.skip(f"real pages not available at {SHARED_PAGES}")
    return sorted(SHARED_PAGES.glob(pattern))


def _served(text: str, label: str) -> bytes:
    """The page re-encoded as the header will say; under windows-1252, characters it lacks become
    numeric references, which HTML reads back as the same characters. Its `<meta charset="utf-8">`
    now lies: only the header tells how to read it."""
    if label == "UTF-16LE":
        return text.encode("utf-16-le")
    return text.encode("cp1252", errors="xmlcharrefreplace")


@pytest.mark.parametrize("label", ["ISO-8859-1", "UTF-16LE"])
@pytest.mark.parametrize("name", ["article", "home"])
def test_real_pages_read_as_the_original_under_a_header_charset(
    server: Server, name: str, label: str
) -> None:
    pages = _real(f"*_{name}_*.html")
    assert any(not p.read_bytes().isascii() for p in pages), f"no real {name} page beyond ASCII"
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert 'charset="utf-8"' in text[:4096].lower()
        body = _served(text, label)
        url = server.put(f"/real/{label}/{path.name}", f"text/html; charset={label}", body)
        if name == "home":
            expected = parse_listing(text, url)
            assert expected and discover_listing(server, url) == expected, path.name
        else:
            original = parse_article(text)
            result, observation = fetch_article(server, url, original.article_id)
            assert result.charset == ("utf-16-le" if label == "UTF-16LE" else "cp1252"), path.name
            assert observation.article is not None, observation.error
            assert observation.article.title == original.title, path.name
            assert observation.article.body == original.body, path.name
