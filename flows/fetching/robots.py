"""robots.txt, fetched once per origin and obeyed (RFC 9309).

Python's `urllib.robotparser` ignores the `*` and `$` wildcards that real robots files (and the
sample site's faults) use, so the small matcher here implements the RFC: the group naming our
product token (else `*`), the longest matching rule wins, `Allow` wins a tie.

Policy when robots.txt cannot be read, decided once per origin and kept for the Fetcher's life
(one run; the next run asks again):

| robots.txt answer                          | policy        | why                               |
|--------------------------------------------|---------------|-----------------------------------|
| 2xx                                        | obey its rules|                                   |
| 4xx (404, 410, 401, 403, ...)              | allow all     | RFC 9309 2.3.1.3: "unavailable"   |
| 5xx or 429 after retries, network error,   | disallow all  | RFC 9309 2.3.1.4: "unreachable";  |
| redirect off the allow-list, too large     |               | a site in trouble is left alone   |
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to parse at least 500 KiB


@dataclass(frozen=True)
class RobotsAnswer:
    """What fetching robots.txt gave: the HTTP status (None on a network error) and the text."""

    status: int | None
    text: str | None
    error: str | None = None


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str
    regex: re.Pattern[str]


def _compile(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


@dataclass(frozen=True)
class RobotsRules:
    rules: tuple[Rule, ...] = ()
    disallow_all: bool = False
    reason: str = "robots.txt rules"

    def allows(self, path: str) -> bool:
        """Whether `path` (path plus query, as sent on the wire) may be fetched."""
        if path == "/robots.txt":
            return True
        if self.disallow_all:
            return False
        best: Rule | None = None
        for rule in self.rules:
            if not rule.regex.match(path):
                continue
            if (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow)
            ):
                best = rule
        return best is None or best.allow


def parse_robots(text: str, agent: str) -> RobotsRules:
    """The rules for product token `agent` (case-insensitive), else the `*` group, else none."""
    agent = agent.lower()
    groups: list[tuple[list[str], list[Rule]]] = []
    agents: list[str] = []
    rules: list[Rule] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if rules:
                groups.append((agents, rules))
                agents, rules = [], []
            agents.append(value.lower())
        elif key in ("allow", "disallow") and agents and value:
            rules.append(Rule(key == "allow", value, _compile(value)))
        elif key in ("allow", "disallow") and agents:
            rules.append(Rule(True, "", _compile("")))  # "Disallow:" alone allows everything
    if agents:
        groups.append((agents, rules))
    mine = [r for names, group in groups if agent in names for r in group]
    if not mine:
        mine = [r for names, group in groups if "*" in names for r in group]
    return RobotsRules(tuple(mine))


def robots_policy(answer: RobotsAnswer, agent: str) -> RobotsRules:
    """Turn a robots.txt fetch into rules, following the table in this module's docstring."""
    if answer.status is not None and 200 <= answer.status < 300 and answer.text is not None:
        return parse_robots(answer.text, agent)
    if answer.status is not None and 400 <= answer.status < 500 and answer.status != 429:
        return RobotsRules(reason=f"robots.txt answered {answer.status}: allow all")
    why = answer.error or f"status {answer.status}"
    return RobotsRules(disallow_all=True, reason=f"robots.txt unreachable ({why}): disallow all")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class RobotsCache:
    """One robots.txt fetch per origin, shared by every request the Fetcher makes."""

    def __init__(self, agent: str, load: Callable[[str], Awaitable[RobotsAnswer]]) -> None:
        """`load(robots_url)` fetches robots.txt; `agent` is our product token."""
        self.agent = agent
        self._load = load
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._rules:
                answer = await self._load(f"{origin}/robots.txt")
                rules = robots_policy(answer, self.agent)
                log = logger.warning if rules.disallow_all else logger.info
                log("%s: %s", origin, rules.reason)
                self._rules[origin] = rules
            return self._rules[origin]

    async def allowed(self, url: str) -> bool:
        return (await self.rules_for(url)).allows(path_of(url))
