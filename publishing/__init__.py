"""The published site: a static, self-contained website and Atom feeds of what changed."""

from publishing.build import PublishOptions, PublishReport, SiteBusy, publish_site, site_behind

__all__ = ["PublishOptions", "PublishReport", "SiteBusy", "publish_site", "site_behind"]
