"""Topic tagging quality and speed on a labelled set: replica articles and hand-labelled real pages.

Replica articles carry their topics by construction (`SampleSite.expected_article(id)["topics"]`);
the real pages in ../shared/pages are labelled by hand in tests/test_topics.py, and the short-form
set (photo, video, infographic, short text; synthetic text in the real markup) in
tests/support/short_articles.py. The replica is scored twice: from its expected articles, and from
its HTML parsed back as the flows do. Prints precision and recall per data set and per tagging
source, then per article kind (taxonomy + channel topics), then ms/article for `tag_topics`, next
to YAKE's keyword extraction on the same articles measured in the same run (the baseline it
replaced).

    python benchmarks/topics_eval.py [--articles 120] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yake
from figures import Figure

from parsers.article import parse_article
from parsers.models import Article
from parsers.stemming import stem
from parsers.topics import tag_topics
from sample_site import SampleSite

ROOT = Path(__file__).resolve().parent.parent
SHARED_PAGES = ROOT.parent / "shared" / "pages"
SOURCES: dict[str, tuple[str, ...]] = {
    "taxonomy": ("taxonomy",),
    "channel": ("channel",),
    "taxonomy+channel": ("taxonomy", "channel"),
}

Labelled = list[tuple[Article, set[str]]]


@dataclass
class Score:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0

    def add(self, predicted: set[str], gold: set[str]) -> None:
        self.true_pos += len(predicted & gold)
        self.false_pos += len(predicted - gold)
        self.false_neg += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_pos)

    @property
    def recall(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_neg)


def replica_set(articles: int, seed: int) -> Labelled:
    site = SampleSite(articles=articles, seed=seed)
    labelled: Labelled = []
    for item in site.truth()["articles"]:
        expected = site.expected_article(item["article_id"])
        article = Article.model_validate({**expected, "canonical_url": item["url"]})
        labelled.append((article, set(expected["topics"])))
    return labelled


def replica_parsed_set(articles: int, seed: int) -> Labelled:
    """The same replica articles rendered to HTML and parsed back, as the flows see them."""
    site = SampleSite(articles=articles, seed=seed)
    labelled: Labelled = []
    for item in site.truth()["articles"]:
        html = site.render_article(site.states[item["article_id"]])
        labelled.append((parse_article(html, item["url"]), set(item["topics"])))
    return labelled


def _load_test_module(relative: str):
    name = relative.replace("/", ".")
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / f"{relative}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def article_kind(article: Article) -> str:
    return _load_test_module("support/short_articles").article_kind(article)


def short_set() -> Labelled:
    """The hand-labelled short-form articles, rendered in the real markup and parsed back."""
    return [
        (article, set(item.topics))
        for item, article in _load_test_module("support/short_articles").parsed()
    ]


def _hand_labels() -> dict[str, set[str]]:
    """The labels live beside the tests that check them; loaded from there, not copied."""
    return _load_test_module("test_topics").REAL_PAGE_LABELS


def real_set() -> Labelled:
    if not SHARED_PAGES.is_dir():
        print(f"note: {SHARED_PAGES} missing, real pages skipped")
        return []
    return [
        (parse_article((SHARED_PAGES / name).read_bytes()), gold)
        for name, gold in sorted(_hand_labels().items())
    ]


def scores(labelled: Labelled) -> dict[str, Score]:
    result = {name: Score() for name in SOURCES}
    for article, gold in labelled:
        tags = tag_topics(article)
        for name, sources in SOURCES.items():
            result[name].add({t.topic for t in tags if t.source in sources}, gold)
    return result


def print_kinds(labelled: Labelled) -> None:
    """Taxonomy + channel topics per article kind, over parsed HTML (replica, real, short set)."""
    by_kind: dict[str, tuple[int, Score]] = {}
    for article, gold in labelled:
        kind = article_kind(article)
        count, score = by_kind.get(kind, (0, Score()))
        tags = tag_topics(article)
        score.add({t.topic for t in tags if t.source in ("taxonomy", "channel")}, gold)
        by_kind[kind] = (count + 1, score)
    print(
        "\nper article kind (taxonomy+channel; replica parsed HTML + real pages + short-form set)"
    )
    print(f"{'kind':<12} {'n':>4} {'precision':>9} {'recall':>7}  tp/fp/fn")
    for kind in ("text", "short text", "photo", "video", "infographic"):
        if kind in by_kind:
            count, score = by_kind[kind]
            print(
                f"{kind:<12} {count:>4} {score.precision:>9.3f} {score.recall:>7.3f}"
                f"  {score.true_pos}/{score.false_pos}/{score.false_neg}"
            )
    print("goal: recall >= 0.85 at precision >= 0.9 for every kind")


def ms_per_article(work: Callable[[Article], object], articles: Iterable[Article], repeat: int):
    """Mean and 95th percentile over articles of each article's best time of `repeat`, in ms.

    Best-of-N per article keeps other processes on a busy 2-core machine out of the figures.
    """
    items = list(articles)
    best = [math.inf] * len(items)
    for _ in range(repeat):
        for i, article in enumerate(items):
            start = time.perf_counter()
            work(article)
            best[i] = min(best[i], (time.perf_counter() - start) * 1000)
    best.sort()
    return statistics.mean(best), best[int(0.95 * (len(best) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=120, help="replica articles")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timing passes")
    args = parser.parse_args()

    replica, real, short = replica_set(args.articles, args.seed), real_set(), short_set()
    parsed = replica_parsed_set(args.articles, args.seed)
    datasets = {
        "replica": replica,
        "replica, parsed HTML": parsed,
        "real pages": real,
        "short-form set": short,
        "overall": replica + real + short,  # the labelled set
    }
    print(f"{'data set':<20} {'n':>4}  {'source':<17} {'precision':>9} {'recall':>7}  tp/fp/fn")
    for name, labelled in datasets.items():
        for source, score in scores(labelled).items():
            print(
                f"{name:<20} {len(labelled):>4}  {source:<17} {score.precision:>9.3f}"
                f" {score.recall:>7.3f}  {score.true_pos}/{score.false_pos}/{score.false_neg}"
            )

    print_kinds(parsed + real + short)

    articles = [article for article, _ in datasets["overall"]]
    stem.cache_clear()
    cold_start = time.perf_counter()
    for article in articles:
        tag_topics(article)
    cold = (time.perf_counter() - cold_start) * 1000 / len(articles)
    extractor = yake.KeywordExtractor(lan="id", n=3, top=5)

    def run_yake(article: Article) -> object:
        return extractor.extract_keywords(f"{article.title}\n{article.description}\n{article.body}")

    print(f"\ntag_topics first pass, cold stem cache, all {len(articles)}: {cold:.2f} ms/article")
    print("warm, best of --repeat  n   words  tag_topics ms mean/p95  yake ms mean/p95  ratio")
    for name, labelled in datasets.items():
        items = [article for article, _ in labelled]
        if not items:
            continue
        words = statistics.mean(len(f"{a.title} {a.description} {a.body}".split()) for a in items)
        mean, p95 = ms_per_article(tag_topics, items, args.repeat)
        yake_mean, yake_p95 = ms_per_article(run_yake, items, args.repeat)
        print(
            f"{name:<20} {len(items):>4} {words:>7.0f}  {mean:>13.2f} / {p95:<6.2f}"
            f"  {yake_mean:>8.2f} / {yake_p95:<6.2f} {mean / yake_mean:>6.3f}"
        )
    print("target: tag_topics <= 5 ms/article; ratio = tag_topics / yake keyword extraction alone")


def measure(size: int = 120, repeat: int = 3) -> list[Figure]:
    """Taxonomy precision and tag_topics speed over `size` replica articles plus the real pages."""
    labelled = replica_set(size, 7) + real_set()
    taxonomy = scores(labelled)["taxonomy"]
    articles = [article for article, _ in labelled]
    extractor = yake.KeywordExtractor(lan="id", n=3, top=5)

    def run_yake(article: Article) -> object:
        return extractor.extract_keywords(f"{article.title}\n{article.description}\n{article.body}")

    mean, _ = ms_per_article(tag_topics, articles, repeat)
    yake_mean, _ = ms_per_article(run_yake, articles, repeat)
    return [
        Figure(
            "taxonomy topic precision",
            taxonomy.precision,
            "",
            target=">= 0.9",
            met=taxonomy.precision >= 0.9,
        ),
        Figure("taxonomy topic recall", taxonomy.recall, "", target="reported"),
        Figure(
            "tag_topics vs YAKE keywords",
            mean,
            "ms/article",
            yake_mean,
            yake_mean / mean,
            "<= 5 ms/article",
            mean <= 5,
        ),
    ]


if __name__ == "__main__":
    main()
