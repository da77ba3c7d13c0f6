"""One article's history: every change (newest first) with its side-by-side diff, every version.

The diff tables come from warehouse.render_html, the same renderer as `liputan6-monitor diff
--format html`, so the site and the CLI can never disagree about what changed.
"""

from __future__ import annotations

from publishing import paths
from publishing.entries import Context, headline, live_link, meta_line, wib
from publishing.layout import page
from warehouse.render_html import diff_table, escape
from warehouse.site_source import ArticleHistory, ChangeRecord


def _change(history: ArticleHistory, change: ChangeRecord, ctx: Context) -> str:
    labels = ctx.labels
    diff = history.diffs.get(change.change_id)
    if diff is not None:
        left = labels("version", number=change.version_from)
        right = labels("version", number=change.version_to)
        shown = diff_table(diff, left, right, labels.field_names())
    else:
        what = labels("what." + change.kind)
        shown = f'<p class="no-diff">{escape(labels("no_diff", what=what))}</p>'
    return (
        f'<section class="change kind-{escape(change.kind)}" '
        f'id="{paths.change_anchor(change.change_id)}">'
        f'<div class="meta">{meta_line(change, ctx)}</div>'
        f'<p class="headline">{headline(change)}</p>{shown}</section>'
    )


def _versions(history: ArticleHistory, ctx: Context) -> str:
    labels = ctx.labels
    head = "".join(f"<th>{escape(labels(key))}</th>" for key in ("versions", "fetched", "title"))
    head += f'<th class="parser">{escape(labels("parser"))}</th>'
    rows = [f"<tr>{head}</tr>"]
    for v in history.versions:
        current = f" ({escape(labels('current'))})" if v.is_current else ""
        rows.append(
            f'<tr id="v{v.version}"><td>{v.version}{current}</td><td>{wib(v.fetched_at)}</td>'
            f'<td>{escape(v.title)}</td><td class="parser">{escape(v.parser_version)}</td></tr>'
        )
    return f'<table class="versions">{"".join(rows)}</table>'


def render_article(history: ArticleHistory, ctx: Context) -> str:
    labels = ctx.labels
    path = paths.article(history.article_id)
    title = history.versions[-1].title if history.versions else labels("article", id=0)
    status = labels("status." + history.status)
    intro = (
        f'<p class="meta">{escape(labels("article", id=history.article_id))} · '
        f"{escape(labels('status', status=status))} · {live_link(history.url, ctx)}</p>"
    )
    changes = "".join(_change(history, c, ctx) for c in reversed(history.changes))
    body = (
        f"{intro}<h2>{escape(labels('changes'))}</h2>{changes}"
        f"<h2>{escape(labels('versions'))}</h2>{_versions(history, ctx)}"
    )
    return page(path, title, body, labels)
