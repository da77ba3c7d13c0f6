"""Coverage-guided fuzzing of the parsers with atheris (libFuzzer), seeded with the fixtures.

Hypothesis (tests/test_fuzz_parsers.py) mutates pages the ways we expect them to break; libFuzzer
follows branch coverage into the cases we did not think of. Run under pytest, it fuzzes for a
fixed number of inputs in a subprocess (libFuzzer ends its process when done). Run directly for
a longer session: `python tests/test_fuzz_atheris.py -runs=200000 CORPUS_DIR`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNS = 2000
FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://www.liputan6.com/"


def fuzz_one(data: bytes) -> None:
    """One input through the article parser and every listing parser; only promised outcomes."""
    from parsers.article import parse_article
    from parsers.listings import next_page_urls, parse_listing, sitemap_children
    from parsers.models import Article, NotAnArticle, ParseError

    for content in (data, data.decode("utf-8", "replace")):
        try:
            article = parse_article(content, BASE + "news/read/5000001/x")
        except NotAnArticle:
            pass
        except ParseError as exc:
            if "parser" in exc.missing:
                raise AssertionError(f"the parser's safety net caught a crash: {exc}") from exc
        else:
            assert isinstance(article, Article)
        assert isinstance(parse_listing(content, BASE), list)
        assert isinstance(sitemap_children(content), list)
        assert isinstance(next_page_urls(content, BASE), list)


def main(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["parsers"]):
        import parsers.article
        import parsers.listings  # noqa: F401

    atheris.Setup(argv, fuzz_one)
    atheris.Fuzz()


def test_atheris_finds_no_crash(tmp_path: Path) -> None:
    try:
        import atheris  # noqa: F401
    except ImportError:
        reason = "atheris is missing: pip install -e '.[fuzz]' (wheels mostly for Linux x86-64)"
        if os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail(f"{reason}; CI installs the fuzz extra, CI=true makes this test mandatory")
        pytest.skip(reason)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for page in sorted([*FIXTURES.glob("pages/*.html"), *FIXTURES.glob("fuzz/*")]):
        (corpus / page.name).write_bytes(page.read_bytes())
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            f"-runs={RUNS}",
            "-seed=1",
            "-max_len=20000",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parent.parent,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    done = [line for line in proc.stderr.splitlines() if line.startswith("Done ")]
    assert done, proc.stderr[-2000:]
    print(f"atheris: {done[-1]}")
    assert int(done[-1].split()[1]) >= RUNS


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(sys.argv)
