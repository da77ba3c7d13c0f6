"""The pure decisions behind an honest run: when it fails and what it says, extraction health over
attempted pages, Markdown that a slug cannot break, and the demo's per-article truth check."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from prefect.states import State

from flows.demo import compare_with_truth
from flows.fetching.causes import CAUSE_LABELS
from flows.health import assess, merge
from flows.reporting import RunSummary, changes_markdown
from flows.run_context import counts_of
from flows.run_verdict import (
    ArticleFetches,
    ListingFetch,
    RunFailed,
    listing_tally,
    verdict,
)
from warehouse import ChangeSummary
from warehouse.records import FetchAttempt, Observation

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOST = "www.liputan6.com"


def observation(n: int, outcome: str = "ok", cause: str | None = None) -> Observation:
    url = f"https://{HOST}/news/read/{n}/x"
    attempts = [FetchAttempt(url=url, outcome="network_error", cause=cause, attempted_at=NOW)]
    return Observation(
        article_id=n,
        url=url,
        observed_at=NOW,
        outcome=outcome,
        error=f"{cause} error" if cause else None,
        attempts=attempts if cause else [],
    )


def fetches(*observations: Observation) -> ArticleFetches:
    result = ArticleFetches()
    result.add(observations)
    return result


def judge(articles: ArticleFetches, targets: int, **extra: object) -> str | None:
    values: dict[str, object] = {
        "sources_ok": None,
        "listings": None,
        "targets": targets,
        "max_failure_share": 0.5,
        "robots_causes": {},
    }
    return verdict(articles, **(values | extra))


def test_every_page_failing_names_cause_host_and_count() -> None:
    failed = fetches(*(observation(n, "failed", "dns") for n in range(27)))
    assert judge(failed, 27) == f"site unreachable: 27 of 27 attempts failed (DNS: {HOST})"


def test_failure_share_is_judged_over_at_least_five_attempts() -> None:
    three_of_four = fetches(observation(1), *(observation(n, "failed", "timeout") for n in (2, 3)))
    assert judge(three_of_four, 3) is None  # 2 of 3: too few to judge a share
    six_of_ten = fetches(
        *(observation(n) for n in range(4)),
        *(observation(n, "failed", "timeout") for n in range(4, 10)),
    )
    message = judge(six_of_ten, 10)
    assert (
        message == f"too many failed fetches (60% > 50%): 6 of 10 attempts failed (timeout: {HOST})"
    )
    assert judge(six_of_ten, 10, max_failure_share=0.6) is None  # 60% does not exceed 60%


def test_robots_disallowed_pages_are_not_failures_unless_nothing_else_is_left() -> None:
    some = fetches(
        *(observation(n) for n in range(6)),
        *(observation(n, "failed", "robots_disallowed") for n in range(6, 12)),
    )
    assert judge(some, 12) is None
    assert (some.fetched, some.tally.attempted, some.disallowed) == (6, 6, 6)
    every = fetches(*(observation(n, "failed", "robots_disallowed") for n in range(4)))
    assert judge(every, 4) == "nothing fetched: 4 of 4 pages disallowed by robots.txt"


def test_unreachable_robots_txt_is_named_by_its_own_cause_never_disallowed() -> None:
    obs = [observation(n, "failed", "robots_unreachable") for n in range(5)]
    obs = [
        o.model_copy(update={"error": "site unreachable: robots.txt could not be fetched (x)"})
        for o in obs
    ]
    message = judge(fetches(*obs), 5, robots_causes={HOST: "dns"})
    assert message == (
        f"site unreachable: robots.txt could not be fetched (x); 5 of 5 attempts failed "
        f"(DNS: {HOST})"
    )
    assert "disallowed" not in message


def test_every_discovery_source_failing_fails_the_run() -> None:
    listings = listing_tally(
        ListingFetch(f"https://{HOST}/{n}", False, "connection", "refused") for n in range(4)
    )
    message = judge(ArticleFetches(), 0, sources_ok={"rss": 0, "home": 0}, listings=listings)
    assert message == (
        f"site unreachable: 4 of 4 attempts failed (connection refused or reset: {HOST}); "
        "every discovery source failed"
    )
    one_source_read = {"rss": 0, "home": 1}
    assert judge(ArticleFetches(), 0, sources_ok=one_source_read, listings=listings) is None


def test_nothing_due_and_nothing_failed_is_a_success() -> None:
    assert judge(ArticleFetches(), 0, sources_ok={"rss": 3}, listings=listing_tally([])) is None


def test_extraction_health_counts_attempted_pages() -> None:
    failed = assess([observation(n, "failed", "dns") for n in range(27)])
    assert (failed.attempted, failed.pages, failed.healthy_share) == (27, 0, 0.0)
    assert failed.share_text == "0.0%"
    assert merge([assess([])]).share_text == "n/a"
    disallowed = assess([observation(1, "failed", "robots_disallowed")])
    assert disallowed.share_text == "n/a"
    summary = RunSummary("monitor", health=merge([failed]))
    assert summary.as_rows()[-1] == {
        "item": "extraction health",
        "found": 27,
        "new": "",
        "count": "0.0%",
    }


SLUG = "x)<img src=x onerror=alert(1)>[a](javascript:alert(2))"


def test_markdown_artifact_escapes_text_and_links() -> None:
    change = ChangeSummary(
        article_id=5,
        kind="edit",
        url=f"https://{HOST}/news/read/5/{SLUG}",
        title_before="**bold** [link](javascript:alert(3))",
        title_after="<script>alert(4)</script>",
        changed_fields=["title"],
        words_added=1,
        words_removed=1,
        version_from=1,
        version_to=2,
    )
    bad_scheme = replace(change, article_id=6, url="javascript:alert(5)")
    text = changes_markdown("monitor", [change, bad_scheme], [f"warning about {SLUG}"])
    link = text.split("](", 1)[1].split(")", 1)[0]
    assert link.startswith(f"https://{HOST}/news/read/5/x%29%3Cimg")
    assert not any(c in link for c in "()<>[] ")
    assert not re.search(r"(?<!\\)<", text)  # every "<" escaped: no HTML can open
    assert "](javascript" not in text and "(javascript:" not in text.replace("\\(", "")
    assert "- **edit** 6" in text  # no link at all for a non-http(s) URL


def test_demo_compares_every_article_with_the_truth() -> None:
    truth = [
        {"article_id": 1, "kind": "edit", "fields": ["title"]},
        {"article_id": 2, "kind": "removed", "fields": []},
        {"article_id": 3, "kind": "cosmetic", "fields": []},
        {"article_id": 4, "kind": "edit", "fields": ["body"]},
        {"article_id": 5, "kind": "new", "fields": []},
    ]
    detected = {1: ["edit"], 2: ["removed"], 3: [], 9: ["edit"]}
    rows = {row.article_id: row for row in compare_with_truth(truth, detected)}
    assert {n: row.verdict for n, row in rows.items()} == {
        1: "match",
        2: "match",
        3: "match",
        4: "mismatch",  # an edit the monitor missed
        5: "not checked",
        9: "mismatch",  # a change the replica never made
    }
    assert rows[4].found == "no change row" and rows[1].expected == "edit (title)"


@pytest.mark.parametrize("cause", sorted(set(CAUSE_LABELS) - {"robots_disallowed"}))
def test_every_cause_is_named_by_its_label(cause: str) -> None:
    failed = fetches(*(observation(n, "failed", cause) for n in range(5)))
    message = judge(failed, 5) or ""
    if cause != "robots_unreachable":
        assert (
            message == f"site unreachable: 5 of 5 attempts failed ({CAUSE_LABELS[cause]}: {HOST})"
        )


def test_a_flow_call_gives_counts_or_raises_the_failure(prefect_harness: None) -> None:
    """`counts_of` rests on Prefect raising the exception of a Failed state a flow returns."""
    from prefect import flow
    from prefect.states import Completed, Failed

    @flow
    def ends(fail: bool) -> dict[str, int] | State:
        if fail:
            return Failed(message="too few pages", data=RunFailed("too few pages", {"new": 1}))
        return {"new": 2}

    assert counts_of(ends(fail=False)) == {"new": 2}
    with pytest.raises(RunFailed, match="too few pages") as raised:
        counts_of(ends(fail=True))
    assert raised.value.counts == {"new": 1}
    with pytest.raises(TypeError, match="COMPLETED state instead of counts"):
        counts_of(Completed(data={"new": 3}))
