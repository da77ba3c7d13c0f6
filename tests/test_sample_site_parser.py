"""The project parser against every replica article: the replica's truth is what it must return."""

from __future__ import annotations

from parsers.article import parse_article
from sample_site import SampleSite, content
from sample_site.templates.common import article_path


def test_parser_matches_expected_article_on_every_replica_article():
    site = SampleSite(articles=200, seed=7)
    mismatches: list[str] = []
    for article_id, state in site.states.items():
        want = site.expected_article(article_id)
        page = site.render_article(state).decode("utf-8")
        url = site.base_url + article_path(state, content.meta(site.seed, state)[1])
        try:
            got = parse_article(page, url)
        except Exception as exc:  # recorded per article, so one failure does not hide the rest
            mismatches.append(f"{article_id} ({state.template}/{state.kind}): {exc!r}")
            continue
        checks = {
            "title": (got.title, want["title"]),
            "authors": (got.authors, want["authors"]),
            "published_at": (got.published_at.isoformat(), want["published_at"]),
            "tags": (got.tags, want["tags"]),
            "pages": (
                [(p.title, p.paragraphs) for p in got.pages],
                [(p["title"], p["paragraphs"]) for p in want["pages"]],
            ),
            "body tokens": (
                got.body.split(),
                " ".join(
                    t for p in want["pages"] for t in [p["title"], *p["paragraphs"]] if t
                ).split(),
            ),
        }
        for field, (have, expect) in checks.items():
            if have != expect:
                mismatches.append(f"{article_id} ({state.template}/{state.kind}) {field}")
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:40])
