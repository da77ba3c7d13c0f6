"""All run-time configuration in one place: `LIPUTAN6_*` environment variables and CLI flags.

One settings object (not scattered constants) so that a deployment, the CLI and the tests all see
the same knobs, and the README's configuration table can be checked against this file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from parsers.urls import SITE_DOMAIN, allow_entry

DEFAULT_BASE_URL = "https://www.liputan6.com"
DEFAULT_FEED_URL = "https://feed.liputan6.com"
DEFAULT_CHANNELS = [
    "news",
    "bisnis",
    "bola",
    "showbiz",
    "tekno",
    "global",
    "regional",
    "health",
    "lifestyle",
    "otomotif",
    "cek-fakta",
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIPUTAN6_", env_nested_delimiter="__")

    base_url: str = Field(DEFAULT_BASE_URL, description="Site (or mirror) to monitor.")
    feed_url: str | None = Field(
        None,
        description="RSS host; defaults to feed.liputan6.com for the live site, else the base URL.",
    )
    db_path: Path = Field(Path("data/liputan6.duckdb"), description="DuckDB warehouse file.")
    spool_dir: Path = Field(Path("data/spool"), description="Parsed batches waiting to be loaded.")
    rate_per_second: float = Field(2.0, gt=0, description="Request rate limit per host.")
    concurrency: int = Field(4, ge=1, description="Concurrent requests per host.")
    batch_size: int = Field(50, ge=1, description="URLs per Prefect task.")
    user_agent: str = Field("liputan6-monitor/0.1", description="Product token of the User-Agent.")
    contact_url: str = Field(
        "https://github.com/liputan6-monitor/liputan6-monitor",
        description="Contact URL appended to the User-Agent, so the site can reach the operator.",
    )
    sources: list[str] = Field(
        default_factory=lambda: ["rss", "sitemap", "home", "channels"],
        description="Discovery sources: rss, sitemap, home, channels, index.",
    )
    channels: list[str] = Field(default_factory=lambda: list(DEFAULT_CHANNELS))
    extra_hosts: list[str] = Field(
        default_factory=list, description="Hosts allowed besides liputan6.com and the base URL's."
    )
    max_response_bytes: int = Field(5_000_000, ge=1024, description="Cap per response, decoded.")
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)
    total_timeout: float = Field(60.0, gt=0, description="Wall-clock cap for one request.")
    max_retries: int = Field(4, ge=0, description="Retries after the first attempt.")
    respect_robots: bool = Field(True, description="Obey robots.txt.")
    recheck_ladder: list[tuple[timedelta, timedelta]] = Field(
        default_factory=lambda: [
            (timedelta(hours=3), timedelta(minutes=15)),
            (timedelta(days=1), timedelta(hours=1)),
            (timedelta(days=7), timedelta(hours=3)),
            (timedelta(days=30), timedelta(days=3)),
            (timedelta(days=365), timedelta(days=30)),
        ],
        description="(age since last change, recheck interval) steps; older articles: never.",
    )
    recheck_policy: Literal["allocation", "ladder"] = Field(
        "allocation",
        description="allocation: learned edit hazards and site hints under a request budget "
        "(README, 'How often articles are rechecked'); ladder: the fixed age ladder.",
    )
    recheck_budget_share: float = Field(
        0.5, gt=0, le=1, description="Cap: share of rate_per_second the allocation recheck spends."
    )
    recheck_ladder_share: float = Field(
        0.40,
        ge=0,
        le=1,
        description="Budget: this share of what the age ladder would spend on the warehouse's "
        "articles now, hint reads included (0: off, the cap alone).",
    )
    recheck_min_utility: float = Field(
        0.005, ge=0, description="Expected new versions a recheck must be worth."
    )
    recheck_on_time_minutes: float = Field(
        30.0, gt=0, description="An edit caught within this many minutes is caught on time."
    )
    recheck_on_time_hours: float = Field(
        2.5,
        ge=0,
        description="What catching an edit on time is worth, in hours of its article's edit "
        "hazard (0: recall alone).",
    )
    recheck_max_gap_hours: float = Field(
        48.0,
        gt=0,
        description="No article younger than recheck_max_gap_days goes longer unchecked.",
    )
    recheck_max_gap_days: float = Field(
        10.0, ge=0, description="Age up to which recheck_max_gap_hours holds (0: no floor)."
    )
    recheck_hint_reliability: float = Field(
        0.3, ge=0, le=1, description="Hint sources confirmed less often than this are ignored."
    )
    recheck_pass_seconds: int = Field(60, ge=5, description="Seconds between recheck passes.")
    recheck_run_seconds: int = Field(
        0, ge=0, description="How long one recheck run keeps passing; 0: a single pass."
    )
    recheck_hint_seconds: int = Field(
        120, ge=10, description="Seconds between reads of the news sitemap and RSS for hints."
    )
    lock_timeout: float = Field(
        10.0, ge=0, description="Seconds a run waits for a locked database at each read and write."
    )
    health_threshold: float = Field(
        0.8, ge=0, le=1, description="Minimum share of pages with title, body, date and tags."
    )
    max_failure_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A run fails when more of its fetches fail (counted over at least 5).",
    )
    rate_limit_name: str = Field(
        "liputan6-requests", description="Prefect global concurrency limit shared by all runs."
    )

    publish_dir: Path | None = Field(
        None,
        description="When set, monitor and recheck publish the changes site here after a "
        "run that found changes, or when the site is behind: a change it lacks, a new day "
        "(see `liputan6-monitor publish`).",
    )
    public_url: str | None = Field(
        None,
        description="Public URL of the published site: feeds and the run's changes "
        "artifact then link to its pages.",
    )
    publish_days: int = Field(30, ge=1, description="Days of changes on the site's index.")
    publish_lang: Literal["id", "en"] = Field("id", description="Language of the site's labels.")

    base_auth: SecretStr | None = Field(
        None,
        description="user:password for HTTP basic auth on the base URL's host (a private mirror); "
        "taken from userinfo in LIPUTAN6_BASE_URL, which is then removed from the URL.",
    )

    @model_validator(mode="after")
    def _credentials_out_of_base_url(self) -> Settings:
        """Userinfo in the base URL becomes a secret: the URL itself is logged, reported and
        stored with every fetch, and `user:password@host` would put the password in all of them."""
        parts = urlsplit(self.base_url)
        if "@" in parts.netloc:
            userinfo, _, hostport = parts.netloc.rpartition("@")
            self.base_auth = SecretStr(unquote(userinfo))
            self.base_url = urlunsplit(parts._replace(netloc=hostport))
        return self

    @property
    def feed_base(self) -> str:
        if self.feed_url:
            return self.feed_url.rstrip("/")
        if self.base_url.rstrip("/") == DEFAULT_BASE_URL:
            return DEFAULT_FEED_URL
        return self.base_url.rstrip("/")

    @property
    def allowed_hosts(self) -> list[str]:
        """Hosts besides liputan6.com that may be fetched: the base and feed hosts, plus extras."""
        hosts = {allow_entry(self.base_url), allow_entry(self.feed_base), *self.extra_hosts}
        return sorted(h for h in hosts if h and not _on_site(h))

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} (+{self.contact_url})"


def _on_site(entry: str) -> bool:
    """liputan6.com and its subdomains on their usual ports are always allowed: no entry."""
    host, _, port = entry.rpartition(":") if not entry.endswith("]") else (entry, "", "")
    on_site = host == SITE_DOMAIN or host.endswith("." + SITE_DOMAIN)
    return on_site and port in ("80", "443")


@contextmanager
def temporary_environment(values: dict[str, str]) -> Iterator[None]:
    """Set `LIPUTAN6_*` (or any) variables for a block, then restore the caller's values.

    Settings are read from the environment, and flow runs in child processes inherit it, so this
    is how the demo and the benchmarks point every run at their own replica and files.
    """
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
