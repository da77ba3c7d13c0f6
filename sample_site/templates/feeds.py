"""RSS 2.0, sitemap index, post sitemaps, the Google News sitemap and robots.txt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from sample_site.templates.listings import Item


def rss(title: str, link: str, items: Sequence[Item], extra: Sequence[str] = ()) -> str:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.url)}</link>"
        f'<guid isPermaLink="true">{escape(i.url)}</guid>'
        f"<description>{escape(i.description)}</description>"
        f"<pubDate>{format_datetime(i.published_at)}</pubDate></item>"
        for i in items
    )
    entries += "".join(f"<item><title>Tautan</title><link>{escape(u)}</link></item>" for u in extra)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(title)}</description><language>id</language>{entries}"
        "</channel></rss>"
    )


def sitemap_index(locations: Sequence[str], now: datetime) -> str:
    entries = "".join(
        f"<sitemap><loc>{escape(loc)}</loc><lastmod>{now.isoformat()}</lastmod></sitemap>"
        for loc in locations
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<sitemapindex"
        f' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    )


def urlset(items: Sequence[Item], extra: Sequence[str] = ()) -> str:
    entries = "".join(
        f"<url><loc>{escape(i.url)}</loc><lastmod>{i.published_at.isoformat()}</lastmod></url>"
        for i in items
    )
    entries += "".join(f"<url><loc>{escape(u)}</loc></url>" for u in extra)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )


def news_sitemap(items: Sequence[Item], extra: Sequence[str] = ()) -> str:
    entries = "".join(
        f"<url><loc>{escape(i.url)}</loc><news:news><news:publication><news:name>Liputan6"
        "</news:name><news:language>id</news:language></news:publication>"
        f"<news:publication_date>{i.published_at.isoformat()}</news:publication_date>"
        f"<news:title>{escape(i.title)}</news:title></news:news></url>"
        for i in items
    )
    entries += "".join(f"<url><loc>{escape(u)}</loc></url>" for u in extra)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
    )


def robots(disallow: Sequence[str], base_url: str) -> str:
    lines = ["User-agent: *", "Disallow: /search", *(f"Disallow: {d}" for d in disallow)]
    return "\n".join([*lines, f"Sitemap: {base_url}/sitemap.xml", ""])
