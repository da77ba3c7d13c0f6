"""The Fetcher: every HTTP request the pipeline makes goes through here.

It exists so that politeness and hardening live in one place: the allow-list, robots.txt, per-host
pacing, retries, size caps, redirects and conditional requests. Whatever the network does, a fetch
ends in a typed `FetchResult` with every attempt recorded; it never raises, because one bad page
must not kill a batch of five hundred.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Literal

import httpx

from config.settings import Settings
from flows.fetching.attempts import Attempt
from flows.fetching.causes import FailureCause, classify_exception, status_cause
from flows.fetching.limits import ACCEPT_ENCODING, BadEncoding, TooLarge, read_capped
from flows.fetching.pacing import HostPacer
from flows.fetching.redirects import REDIRECT_STATUSES, RedirectChain
from flows.fetching.retry import RetryPolicy, is_retryable_status, parse_retry_after
from flows.fetching.robots import ROBOTS_MAX_BYTES, RobotsAnswer, RobotsCache, path_of
from parsers.encodings import decode_document
from parsers.urls import host_of, is_allowed_url
from warehouse.records import FetchOutcome

logger = logging.getLogger(__name__)

RequestKind = Literal["article", "listing", "robots"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_FEED_TYPES = (*_HTML_TYPES, "text/xml", "application/xml", "application/rss+xml")


class FetchAborted(Exception):
    """Raised by a `before_request` hook when no request of this run may go ahead: the whole
    fetch ends, instead of each page failing on its own after the same long wait."""


@dataclass(frozen=True)
class FetchRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    kind: RequestKind = "article"


@dataclass(frozen=True)
class FetchResult:
    """The end of one fetch. `content`/`text` are set only for `ok`; `charset` is how we decoded."""

    url: str
    outcome: FetchOutcome
    status: int | None = None
    final_url: str | None = None
    content: bytes | None = None
    text: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed_ms: float = 0.0
    error: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    charset: str | None = None
    cause: FailureCause | None = None

    @classmethod
    def from_stored(cls, url: str, html: str) -> FetchResult:
        """A page kept in the warehouse, as if just fetched: reparsing takes the same path."""
        return cls(
            url,
            FetchOutcome.ok,
            200,
            final_url=url,
            content=html.encode(),
            text=html,
            charset="utf-8",
        )


@dataclass
class _Exchange:
    """One HTTP attempt as seen on the wire; `failure` is set when no usable response came."""

    url: str
    status: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    content: bytes | None = None
    downloaded: int = 0
    failure: Literal["network_error", "too_large", "http_error"] | None = None
    error: str | None = None
    cause: FailureCause | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    elapsed: float = 0.0

    @property
    def retryable(self) -> bool:
        if self.failure is not None:
            return self.failure == "network_error"
        return self.status is not None and is_retryable_status(self.status)


class _Budget:
    """The wall-clock seconds one fetch may spend on the wire and in back-off.

    Time queued for a host's rate limit or concurrency slot is not charged: a batch of hundreds of
    URLs for one host waits its turn by design, and that wait is not the site being slow.
    """

    def __init__(self, seconds: float) -> None:
        self.total = seconds
        self.left = seconds

    def spend(self, seconds: float) -> None:
        self.left -= seconds


def _content_type_ok(kind: RequestKind, content_type: str | None) -> bool:
    if kind == "robots" or not content_type:
        return True
    mime = content_type.split(";", 1)[0].strip().lower()
    allowed = _HTML_TYPES if kind == "article" else _FEED_TYPES
    return mime in allowed or mime.endswith("+xml")


class Fetcher:
    """An async context manager over one `httpx.AsyncClient` (HTTP/1.1, redirects by hand)."""

    def __init__(
        self,
        settings: Settings,
        *,
        polite: bool = True,
        before_request: Callable[[str], Awaitable[None]] | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        """`polite=False` drops the rate limit and robots.txt (benchmarks only); the allow-list,
        caps and per-host concurrency cap stay. `before_request(host)` is awaited before every
        request, retries and redirect hops included (the flows plug a Prefect rate limit in)."""
        self.settings = settings
        self.polite = polite
        self.allowed_hosts = settings.allowed_hosts
        self._before_request = before_request
        self._policy = retry_policy or RetryPolicy(max_retries=settings.max_retries)
        self._pacer = HostPacer(settings.rate_per_second if polite else None, settings.concurrency)
        agent_token = settings.user_agent.split("/", 1)[0]
        self._robots = (
            RobotsCache(agent_token, self._load_robots)
            if polite and settings.respect_robots
            else None
        )
        self._client: httpx.AsyncClient | None = None
        self.robots_attempts: list[Attempt] = []
        """Every robots.txt attempt, for the fetch log: they belong to no article."""

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            http2=False,
            follow_redirects=False,
            headers={"User-Agent": s.full_user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                connect=s.connect_timeout,
                read=s.read_timeout,
                write=s.read_timeout,
                pool=s.connect_timeout,
            ),
            # Our pacer bounds requests in flight per host; httpx must not add a second queue.
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch_many(self, requests: Sequence[FetchRequest]) -> list[FetchResult]:
        """Fetch all, concurrently within each host's limits; results in the order given."""
        return list(
            await asyncio.gather(
                *(
                    self.fetch(r.url, etag=r.etag, last_modified=r.last_modified, kind=r.kind)
                    for r in requests
                )
            )
        )

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: RequestKind = "article",
    ) -> FetchResult:
        """GET `url` politely; `etag`/`last_modified` make it conditional (304: `not_modified`)."""
        if self._client is None:
            raise RuntimeError("Fetcher used outside `async with`")
        started = time.monotonic()
        try:
            result = await self._fetch(url, etag, last_modified, kind)
        except FetchAborted:
            raise
        except Exception as exc:
            # A bug here must not end the batch: the page is reported failed, with the traceback.
            logger.exception("unexpected error fetching %s", url)
            error = f"unexpected {type(exc).__name__}: {exc}"
            result = FetchResult(
                url,
                FetchOutcome.network_error,
                error=error,
                attempts=[_no_request(url, FetchOutcome.network_error, "connection", error, 1)],
                cause="connection",
            )
        return replace(result, elapsed_ms=(time.monotonic() - started) * 1000)

    async def _fetch(
        self, url: str, etag: str | None, last_modified: str | None, kind: RequestKind
    ) -> FetchResult:
        if not is_allowed_url(url, self.allowed_hosts):
            error = f"host not allowed: {url}"
            attempt = _no_request(url, FetchOutcome.http_error, "host_not_allowed", error, 1)
            return FetchResult(
                url,
                FetchOutcome.http_error,
                error=error,
                attempts=[attempt],
                cause="host_not_allowed",
            )
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        cap = ROBOTS_MAX_BYTES if kind == "robots" else self.settings.max_response_bytes
        budget = _Budget(self.settings.total_timeout)
        chain = RedirectChain(url, self.allowed_hosts, article=kind == "article")
        attempts: list[Attempt] = []
        current = url
        while True:
            if kind != "robots":
                blocked = await self._robots_block(url, current, attempts)
                if blocked is not None:
                    return blocked
            exchange = await self._request(current, headers, cap, budget, attempts)
            if exchange.status in REDIRECT_STATUSES and exchange.failure is None:
                decision = chain.next(current, exchange.headers.get("location"))
                if decision.action == "follow" and decision.target is not None:
                    current = decision.target
                    continue
                outcome = (
                    FetchOutcome.removed
                    if decision.action == "removed"
                    else FetchOutcome.http_error
                )
                cause: FailureCause | None = None
                if outcome != "removed":
                    off_list = decision.target and not is_allowed_url(
                        decision.target, self.allowed_hosts
                    )
                    cause = "host_not_allowed" if off_list else "redirect"
                _set_last_outcome(attempts, outcome, decision.error, cause)
                return FetchResult(
                    url,
                    outcome,
                    exchange.status,
                    final_url=decision.target,
                    error=decision.error,
                    attempts=attempts,
                    cause=cause,
                )
            return self._conclude(url, kind, exchange, etag, last_modified, attempts)

    def _conclude(
        self,
        url: str,
        kind: RequestKind,
        exchange: _Exchange,
        etag: str | None,
        last_modified: str | None,
        attempts: list[Attempt],
    ) -> FetchResult:
        """The outcome of the last hop, which was not a redirect."""
        status, headers = exchange.status, exchange.headers
        result = partial(FetchResult, url, status=status, final_url=exchange.url, attempts=attempts)
        if exchange.failure is not None:
            return result(
                outcome=FetchOutcome(exchange.failure), error=exchange.error, cause=exchange.cause
            )
        assert status is not None
        new_etag = headers.get("etag") or None
        new_modified = headers.get("last-modified") or None
        if status == 304:
            return result(
                outcome=FetchOutcome.not_modified,
                etag=new_etag or etag,
                last_modified=new_modified or last_modified,
            )
        if kind == "article" and status in (404, 410):
            _set_last_outcome(attempts, FetchOutcome.removed, None)
            return result(outcome=FetchOutcome.removed, error=f"HTTP {status}")
        if not 200 <= status < 300:
            return result(
                outcome=FetchOutcome.http_error, error=exchange.error, cause=exchange.cause
            )
        # With repeated Content-Type headers the last one wins, as in browsers (WHATWG Fetch).
        content_types = headers.get_list("content-type")
        content_type = content_types[-1] if content_types else None
        if not _content_type_ok(kind, content_type):
            error = f"content-type {content_type!r} is not what a {kind} page serves"
            _set_last_outcome(attempts, FetchOutcome.not_article, error, "not_html")
            return result(outcome=FetchOutcome.not_article, error=error, cause="not_html")
        content = exchange.content or b""
        decoded = decode_document(content, content_type)
        return result(
            outcome=FetchOutcome.ok,
            content=content,
            text=decoded.text,
            etag=new_etag,
            last_modified=new_modified,
            charset=decoded.charset,
        )

    async def _request(
        self,
        url: str,
        headers: dict[str, str],
        cap: int,
        budget: _Budget,
        attempts: list[Attempt],
    ) -> _Exchange:
        """One URL with retries: back-off with jitter, Retry-After honoured, within the budget."""
        host = host_of(url)
        retries = 0
        while True:
            exchange = await self._attempt(url, headers, cap, budget)
            attempts.append(_attempt_record(exchange, len(attempts) + 1))
            if not exchange.retryable:
                return exchange
            if retries >= self._policy.max_retries:
                tries = f"{retries + 1} attempts" if retries else "1 attempt"
                exchange.error = f"{exchange.error} (gave up after {tries})"
                return exchange
            retries += 1
            retry_after = parse_retry_after(exchange.headers.get("retry-after"))
            if retry_after is not None and self.polite:
                # The whole host waits, but never longer than one fetch may take: a Retry-After
                # of an hour must cost this URL, not freeze every other fetch of the run.
                self._pacer.defer(host, min(retry_after, budget.total))
            delay = self._policy.delay(retries, retry_after)
            if delay >= budget.left:
                exchange.error = (
                    f"{exchange.error} (gave up: a retry in {delay:.1f}s would pass the "
                    f"{budget.total:g}s deadline)"
                )
                return exchange
            await asyncio.sleep(delay)
            budget.spend(delay)

    async def _attempt(
        self, url: str, headers: dict[str, str], cap: int, budget: _Budget
    ) -> _Exchange:
        """One HTTP request and its body, inside the host's slot and the fetch's time budget."""
        assert self._client is not None
        host = host_of(url)
        exchange = _Exchange(url)
        async with self._pacer.slot(host):
            if self._before_request is not None:
                await self._before_request(host)
            exchange.started_at = datetime.now(UTC)
            started = time.monotonic()
            try:
                if budget.left <= 0:
                    raise TimeoutError
                async with asyncio.timeout(budget.left):
                    request = self._client.build_request(
                        "GET", url, headers={**headers, **self._credentials_for(url)}
                    )
                    response = await self._client.send(request, stream=True)
                    exchange.status = response.status_code
                    exchange.headers = response.headers
                    try:
                        exchange.content = await read_capped(response, cap)
                    finally:
                        exchange.downloaded = response.num_bytes_downloaded
                        await response.aclose()
                    if not 200 <= response.status_code < 400:
                        exchange.cause = status_cause(
                            response.status_code,
                            response.headers.get("content-type"),
                            exchange.content,
                        )
                        wall = " (bot wall)" if exchange.cause == "bot_wall" else ""
                        exchange.error = (
                            f"HTTP {response.status_code} {response.reason_phrase}{wall}"
                        )
            except TooLarge as exc:
                exchange.failure, exchange.error = "too_large", str(exc)
                exchange.cause = "too_large"
            except TimeoutError:
                exchange.failure, exchange.cause = "network_error", "timeout"
                exchange.error = f"total timeout: the fetch's {budget.total:g}s budget ran out"
            except BadEncoding as exc:
                exchange.failure, exchange.error = "http_error", str(exc)
                exchange.cause = "bad_response"
            except httpx.TransportError as exc:
                exchange.failure, exchange.error = "network_error", _describe(exc)
                exchange.cause = classify_exception(exc)
            finally:
                exchange.elapsed = time.monotonic() - started
                budget.spend(exchange.elapsed)
        return exchange

    def _credentials_for(self, url: str) -> dict[str, str]:
        """Basic auth for the base URL's origin only: never for a host a redirect or feed named."""
        auth = self.settings.base_auth
        base = self.settings.base_url
        if auth is None or url.split("://", 1)[0] != base.split("://", 1)[0]:
            return {}
        if host_of(url) != host_of(base):
            return {}
        token = base64.b64encode(auth.get_secret_value().encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}

    async def _robots_block(
        self, url: str, current: str, attempts: list[Attempt]
    ) -> FetchResult | None:
        """The result of a fetch that robots.txt stops at `current`, or None to go on."""
        if self._robots is None:
            return None
        rules = await self._robots.rules_for(current)
        if rules.allows(path_of(current)):
            return None
        if rules.unreachable is not None:
            outcome = FetchOutcome.robots_unreachable
            cause: FailureCause = "robots_unreachable"
            error = f"site unreachable: robots.txt could not be fetched ({rules.unreachable})"
        else:
            outcome, cause = FetchOutcome.blocked_by_robots, "robots_disallowed"
            error = f"disallowed by robots.txt: {current}"
        attempts.append(_no_request(current, outcome, cause, error, len(attempts) + 1))
        return FetchResult(
            url, outcome, final_url=current, error=error, attempts=attempts, cause=cause
        )

    def robots_cause(self, url: str) -> FailureCause | None:
        """Why robots.txt of `url`'s origin could not be read (None: it was, or not asked)."""
        return self._robots.unreachable_cause(url) if self._robots is not None else None

    async def _load_robots(self, robots_url: str) -> RobotsAnswer:
        result = await self._fetch(robots_url, None, None, "robots")
        self.robots_attempts.extend(replace(a, attempt=n) for n, a in enumerate(result.attempts, 1))
        if result.outcome == "ok":
            return RobotsAnswer(result.status, result.text)
        return RobotsAnswer(result.status, None, result.error, result.cause)


def _describe(exc: Exception) -> str:
    detail = str(exc) or exc.__class__.__doc__ or ""
    return f"{type(exc).__name__}: {detail.strip()}"


def _attempt_record(exchange: _Exchange, number: int) -> Attempt:
    if exchange.failure is not None:
        outcome = FetchOutcome(exchange.failure)
    elif exchange.status == 304:
        outcome = FetchOutcome.not_modified
    elif exchange.status is not None and exchange.status >= 400:
        outcome = FetchOutcome.http_error
    else:
        outcome = FetchOutcome.ok
    is_redirect = exchange.status in REDIRECT_STATUSES
    return Attempt(
        cause=exchange.cause,
        url=exchange.url,
        final_url=exchange.headers.get("location") if is_redirect else None,
        status=exchange.status,
        outcome=outcome,
        bytes=exchange.downloaded,
        etag=exchange.headers.get("etag"),
        last_modified=exchange.headers.get("last-modified"),
        elapsed_ms=exchange.elapsed * 1000,
        error=exchange.error,
        attempted_at=exchange.started_at,
        attempt=number,
    )


def _set_last_outcome(
    attempts: list[Attempt],
    outcome: FetchOutcome,
    error: str | None,
    cause: FailureCause | None = None,
) -> None:
    """The last attempt's outcome becomes the fetch's (a 302 to "/" is a removal, not an "ok")."""
    if attempts:
        last = attempts[-1]
        attempts[-1] = replace(
            last, outcome=outcome, error=error or last.error, cause=cause or last.cause
        )


def _no_request(
    url: str, outcome: FetchOutcome, cause: FailureCause, error: str, number: int
) -> Attempt:
    """An attempt stopped before any request (allow-list, robots.txt): logged all the same."""
    return Attempt(
        url=url,
        outcome=outcome,
        cause=cause,
        error=error,
        attempted_at=datetime.now(UTC),
        attempt=number,
    )
