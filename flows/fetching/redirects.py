"""Redirects, followed by hand so every hop is checked before it is requested.

httpx could follow them itself, but then an off-site Location would be fetched before we saw it.
Here each hop must stay on the allow-list, a URL seen twice is a loop (an error, never a hang),
and an article that redirects to the home page or any non-article URL is reported as removed:
that is how Liputan6 deletes stories (a 302 to "/" that then answers 200), and parsing the home
page as the article's new content would record a bogus edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from parsers.urls import absolute, is_allowed_url, is_article_url

MAX_HOPS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class RedirectDecision:
    action: Literal["follow", "removed", "error"]
    target: str | None = None
    error: str | None = None


class RedirectChain:
    """The hops of one fetch, from its first URL on."""

    def __init__(
        self,
        start_url: str,
        allowed_hosts: Sequence[str],
        *,
        article: bool,
        max_hops: int = MAX_HOPS,
    ) -> None:
        """`article`: the chain started at an article URL, so leaving article URLs means removal."""
        self.article = article
        self.allowed_hosts = list(allowed_hosts)
        self.max_hops = max_hops
        self.seen = [start_url]

    @property
    def hops(self) -> int:
        return len(self.seen) - 1

    def next(self, current_url: str, location: str | None) -> RedirectDecision:
        """What to do with a redirect from `current_url` to `location`."""
        if not location or not location.strip():
            return RedirectDecision("error", error="redirect without a Location header")
        target = absolute(current_url, location)
        if not is_allowed_url(target, self.allowed_hosts):
            return RedirectDecision(
                "error", target, f"redirect to a non-allow-listed URL: {target}"
            )
        if self.article and not is_article_url(target):
            return RedirectDecision("removed", target)
        if target in self.seen:
            return RedirectDecision("error", target, f"redirect loop back to {target}")
        if self.hops >= self.max_hops:
            return RedirectDecision("error", target, f"more than {self.max_hops} redirects")
        self.seen.append(target)
        return RedirectDecision("follow", target)
