"""A deterministic local replica of Liputan6.com for tests, demos and fault drills."""

from sample_site.faults import FaultSpec
from sample_site.server import Running, serve
from sample_site.site import SampleSite

__all__ = ["FaultSpec", "Running", "SampleSite", "serve"]
