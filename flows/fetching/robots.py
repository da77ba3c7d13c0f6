"""robots.txt, fetched once per origin and obeyed (RFC 9309).

Matching is Protego's: linear in the path and the rule (a rule such as `Disallow: /********~`
compiled to a backtracking regular expression kept a run busy for a minute), with the wildcards
`*` and `$`, the longest match winning, `Allow` winning a tie, and percent-escapes decoded on
both sides as RFC 9309 2.2.2 asks. Our group is the one naming our product token, else `*`.

Policy when robots.txt cannot be read:

| robots.txt answer                          | policy        | why                               |
|--------------------------------------------|---------------|-----------------------------------|
| 2xx                                        | obey its rules|                                   |
| 4xx (404, 410, 401, 403, ...)              | allow all     | RFC 9309 2.3.1.3: "unavailable"   |
| 5xx or 429 after retries, network error,   | disallow all, | RFC 9309 2.3.1.4: "unreachable";  |
| redirect off the allow-list, too large     | ask again     | the site is reported unreachable, |
|                                            | after a while | never as disallowing us           |
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from flows.fetching.causes import FailureCause

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to parse at least 500 KiB
UNREACHABLE_RETRY_SECONDS = 120.0


@dataclass(frozen=True)
class RobotsAnswer:
    """What fetching robots.txt gave: the HTTP status (None on a network error) and the text."""

    status: int | None
    text: str | None
    error: str | None = None
    cause: FailureCause | None = None


@dataclass(frozen=True)
class RobotsRules:
    """The rules for one origin. `unreachable` holds the error when robots.txt could not be read:
    then nothing may be fetched, and the reason is the site, not the site's wishes."""

    parser: Protego | None = None
    agent: str = "*"
    unreachable: str | None = None
    cause: FailureCause | None = None
    reason: str = "robots.txt rules"

    @property
    def disallow_all(self) -> bool:
        return self.unreachable is not None

    def allows(self, path: str) -> bool:
        """Whether `path` (path plus query, as sent on the wire) may be fetched."""
        if path == "/robots.txt":
            return True
        if self.unreachable is not None:
            return False
        return self.parser is None or self.parser.can_fetch(path, self.agent)


def parse_robots(text: str, agent: str) -> RobotsRules:
    """The rules for product token `agent` (case-insensitive), else the `*` group, else none."""
    return RobotsRules(Protego.parse(text), agent.lower())


def robots_policy(answer: RobotsAnswer, agent: str) -> RobotsRules:
    """Turn a robots.txt fetch into rules, following the table in this module's docstring."""
    if answer.status is not None and 200 <= answer.status < 300 and answer.text is not None:
        return parse_robots(answer.text, agent)
    if answer.status is not None and 400 <= answer.status < 500 and answer.status != 429:
        return RobotsRules(reason=f"robots.txt answered {answer.status}: allow all")
    why = answer.error or f"HTTP {answer.status}"
    return RobotsRules(
        unreachable=why,
        cause=answer.cause,
        reason=f"site unreachable: robots.txt could not be fetched ({why})",
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class RobotsCache:
    """One robots.txt fetch per origin, shared by every request the Fetcher makes.

    An unreachable robots.txt is asked again after `retry_after` seconds; readable rules are
    kept for the Fetcher's life (one run; the next run asks again).
    """

    def __init__(
        self,
        agent: str,
        load: Callable[[str], Awaitable[RobotsAnswer]],
        retry_after: float = UNREACHABLE_RETRY_SECONDS,
    ) -> None:
        """`load(robots_url)` fetches robots.txt; `agent` is our product token."""
        self.agent = agent
        self._load = load
        self._retry_after = retry_after
        self._rules: dict[str, tuple[RobotsRules, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._rules.get(origin)
            if cached is None or time.monotonic() >= cached[1]:
                answer = await self._load(f"{origin}/robots.txt")
                rules = robots_policy(answer, self.agent)
                log = logger.warning if rules.disallow_all else logger.info
                log("%s: %s", origin, rules.reason)
                expires = time.monotonic() + self._retry_after if rules.disallow_all else 1e300
                self._rules[origin] = cached = (rules, expires)
            return cached[0]

    def unreachable_cause(self, url: str) -> FailureCause | None:
        cached = self._rules.get(origin_of(url))
        return cached[0].cause if cached is not None and cached[0].disallow_all else None

    async def allowed(self, url: str) -> bool:
        return (await self.rules_for(url)).allows(path_of(url))
