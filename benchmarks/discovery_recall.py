"""Discovery recall per listing page: real pages in ../shared/pages and every replica listing kind.

The oracle is the test's (tests/test_discovery_recall.py): every href with an article URL's shape
on an article host, read from the raw HTML without the parser's selectors. Prints, per page,
found ∩ oracle / oracle, refs outside the oracle (precision misses) and recall.

    python benchmarks/discovery_recall.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from sample_site import SampleSite

ROOT = Path(__file__).resolve().parent.parent


def _recall_tests() -> ModuleType:
    """The oracle lives beside the tests that check it; loaded from there, not copied."""
    path = ROOT / "tests" / "test_discovery_recall.py"
    spec = importlib.util.spec_from_file_location("test_discovery_recall", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    tests = _recall_tests()
    rows = []
    for path in tests._real_listings():
        base = (
            "https://m.liputan6.com/"
            if path.name.startswith("mobile")
            else "https://www.liputan6.com/"
        )
        page = path.read_text(encoding="utf-8", errors="replace")
        rows.append(("real", *tests.recall_row(path.name, page, base)))
    if not rows:
        print(f"note: {tests.SHARED_PAGES} missing, real pages skipped")
    site = SampleSite(articles=600, seed=3, base_url=tests.BASE)
    for kind, (url, page) in tests.replica_pages(site).items():
        rows.append(("replica", *tests.recall_row(kind, page, url)))
    print(
        f"{'set':<8} {'listing page':<32} {'found/oracle':>12} {'not in oracle':>13} {'recall':>7}"
    )
    for source, name, hit, expected, extra, recall in rows:
        print(f"{source:<8} {name:<32} {f'{hit}/{expected}':>12} {extra:>13} {recall:>7.3f}")
    print(f"target: recall >= {tests.MIN_RECALL} on every page, 0 refs outside the oracle")


if __name__ == "__main__":
    main()
