"""Polite, hardened HTTP for the pipeline: see `client.Fetcher`."""

from flows.fetching.client import Fetcher, FetchRequest, FetchResult, RequestKind
from flows.fetching.retry import RetryPolicy

__all__ = ["FetchRequest", "FetchResult", "Fetcher", "RequestKind", "RetryPolicy"]
