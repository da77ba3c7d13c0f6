"""Polite, hardened HTTP for the pipeline: see `client.Fetcher`."""

from flows.fetching.attempts import Attempt
from flows.fetching.client import Fetcher, FetchRequest, FetchResult, RequestKind
from flows.fetching.retry import RetryPolicy

__all__ = ["Attempt", "FetchRequest", "FetchResult", "Fetcher", "RequestKind", "RetryPolicy"]
