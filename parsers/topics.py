"""Topics of an article, from four kinds of evidence, each tag saying where it came from.

Site tags alone are too noisy to slice an archive by (free text, typos, mixed case), and a
taxonomy alone misses the story of the week, so both are kept side by side with their `source`:
- `site_tag`: each normalised Liputan6 tag (topic = its slug);
- `channel`: taxonomy topics implied by the channel or category;
- `taxonomy`: taxonomy topics whose terms occur in the text, matched on stems;
- `keyphrase`: the article's own top phrases (topic = the phrase's slug).
Photo, video and infographic stories and short ones (`is_short_form`) carry little body text;
their taxonomy evidence is the title, description, captions and site tags, weighed by zone.
Pure and deterministic: same article and taxonomy in, same tags out, no I/O.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field

from parsers.keyphrases import extract_keyphrases
from parsers.models import Article, TopicTag
from parsers.site_tags import normalise_tags, tag_slug
from parsers.stemming import stems
from parsers.taxonomy import Taxonomy, TermRef, default_taxonomy

log = logging.getLogger(__name__)

KEYPHRASES_PER_ARTICLE = 5
# How much one occurrence counts, by where it occurs: the title and the newsroom's own tags say
# what a story is about more reliably than a passing mention in paragraph nine.
ZONE_WEIGHTS = {"title": 2.0, "tags": 2.0, "description": 1.5, "captions": 1.0, "body": 1.0}
# Where the newsroom says what a story is about, as opposed to what it mentions on the way.
_EDITORIAL_ZONES = frozenset({"title", "description", "tags"})


def _matches(tokens: list[str], taxonomy: Taxonomy) -> tuple[list[TermRef], set[str]]:
    """Terms found in `tokens` (longest match wins where terms overlap) and topics excluded.

    Longest match keeps "mobil listrik" from also counting as "listrik" for energy, and an
    ignored idiom ("curi perhatian") hides the term inside it. Exclusion terms are checked at
    every position and never hide anything.
    """
    found: list[TermRef] = []
    excluded: set[str] = set()
    index = taxonomy.index
    position, end = 0, len(tokens)
    while position < end:
        candidates = index.get(tokens[position])
        if candidates is None:  # most words start no term
            position += 1
            continue
        hits = [
            ref
            for ref in candidates
            if tuple(tokens[position : position + len(ref.stems)]) == ref.stems
        ]
        excluded.update(ref.topic for ref in hits if ref.kind == "exclude")
        spans = [ref for ref in hits if ref.kind != "exclude"]
        if not spans:
            position += 1
            continue
        longest = max(len(ref.stems) for ref in spans)
        found.extend(ref for ref in spans if len(ref.stems) == longest and ref.kind != "ignore")
        position += longest
    return found, excluded


def _zones(article: Article) -> dict[str, list[str]]:
    """Each zone's texts; every site tag is its own text, so a term can name a whole tag."""
    return {
        "title": [article.title],
        "tags": list(article.tags),
        "description": [article.description],
        "captions": list(article.captions),
        "body": [article.body],
    }


def body_words(article: Article) -> int:
    """Words of the body pages, captions apart: what `short_body_words` is compared with."""
    return sum(len(p.split()) for page in article.pages for p in [page.title, *page.paragraphs])


def is_infographic(article: Article) -> bool:
    """Infographics are text articles on the site: the category or the headline says so."""
    category = (article.category or "").lower()
    return "infografis" in category or article.title.lower().startswith("infografis")


def is_short_form(article: Article, taxonomy: Taxonomy) -> bool:
    """Photo, video and infographic stories and any story under `short_body_words` words.

    Their text is mostly title, description, captions and tags, so the evidence is what those
    say: one plain term that the title, description or tags state twice is enough for them.
    """
    return (
        article.type != "text"
        or is_infographic(article)
        or body_words(article) < taxonomy.short_body_words
    )


@dataclass
class _TopicScore:
    """What the text says for one topic: its score, the terms behind it, and where they are."""

    score: float = 0.0
    terms: list[tuple[float, str]] = field(default_factory=list)
    has_key_term: bool = False
    editorial_terms: set[str] = field(default_factory=set)  # named in title, description, tags
    editorial_key_term: bool = False
    restated: bool = False  # one term in two of title, description, tags


@dataclass
class _Occurrence:
    """One taxonomy term in one article: the strongest form seen, its weighted count, zones."""

    ref: TermRef
    count: float = 0.0
    zones: set[str] = field(default_factory=set)


def _term_occurrences(
    article: Article, taxonomy: Taxonomy
) -> tuple[dict[tuple[str, tuple[str, ...]], _Occurrence], set[str]]:
    """(topic, term stems) → the term's occurrence, and the excluded topics.

    Two spellings with one stem ("pemilih", "pemilihan") are one term; a key term wins over a
    plain one with the same stems. A site tag that is exactly a term ("Narkoba", "Pemilu") is
    the newsroom naming the topic: it counts as a key term.
    """
    found: dict[tuple[str, tuple[str, ...]], _Occurrence] = {}
    excluded: set[str] = set()
    for zone, texts in _zones(article).items():
        for text in texts:
            text_stems = tuple(stems(text))
            refs, zone_excluded = _matches(list(text_stems), taxonomy)
            excluded |= zone_excluded
            for ref in refs:
                if zone == "tags" and ref.stems == text_stems and ref.kind != "key":
                    ref = TermRef(ref.topic, ref.term, ref.stems, taxonomy.key_weight, "key")
                seen = found.setdefault((ref.topic, ref.stems), _Occurrence(ref))
                if ref.kind == "key" and seen.ref.kind != "key":
                    seen.ref = ref
                seen.count += ZONE_WEIGHTS[zone]
                seen.zones.add(zone)
    return found, excluded


def _strongest_first(term: tuple[float, str]) -> tuple[float, str]:
    return (-term[0], term[1])


def _taxonomy_tags(article: Article, taxonomy: Taxonomy) -> list[TopicTag]:
    """Score = Σ over distinct terms of weight × log2(1 + zone-weighted occurrences).

    A topic also needs `min_distinct_terms` different terms or one key term (a short-form
    story may instead rest on one term its title, description or tags state twice, see
    `is_short_form`): a single generic word repeated ("memilih" five times) is not yet an
    election story. A topic scoring under `relative_floor` of the best one is kept only when the
    title, description or tags speak of it (a key term, or `min_distinct_terms` terms): a second
    subject the newsroom names is part of the story, a passing mention deep in the body is not.
    """
    occurrences, excluded = _term_occurrences(article, taxonomy)
    topics: dict[str, _TopicScore] = defaultdict(_TopicScore)
    for occurrence in occurrences.values():
        ref = occurrence.ref
        contribution = ref.weight * math.log2(1 + occurrence.count)
        entry = topics[ref.topic]
        entry.score += contribution
        entry.terms.append((contribution, ref.term))
        entry.has_key_term |= ref.kind == "key"
        if occurrence.zones & _EDITORIAL_ZONES:
            entry.editorial_terms.add(ref.term)
            entry.editorial_key_term |= ref.kind == "key"
            entry.restated |= len(occurrence.zones & _EDITORIAL_ZONES) >= 2
    for topic in sorted(excluded & topics.keys()):
        log.debug("article %s: %s skipped, an exclusion term matched", article.article_id, topic)
    short_form = is_short_form(article, taxonomy)
    eligible = {
        topic: entry
        for topic, entry in topics.items()
        if topic not in excluded
        and entry.score >= taxonomy.threshold(topic)
        and (
            entry.has_key_term
            or len(entry.terms) >= taxonomy.min_distinct_terms
            or (short_form and entry.restated)
        )
    }
    if not eligible:
        return []
    floor = taxonomy.relative_floor * max(entry.score for entry in eligible.values())
    ranked = sorted(
        (
            (entry.score, topic)
            for topic, entry in eligible.items()
            if entry.score >= floor
            or entry.editorial_key_term
            or len(entry.editorial_terms) >= taxonomy.min_distinct_terms
            or (short_form and entry.restated)
        ),
        key=lambda item: (-item[0], item[1]),
    )[: taxonomy.max_topics]
    return [
        TopicTag(
            topic=topic,
            source="taxonomy",
            score=round(score / (score + taxonomy.threshold(topic)), 3),
            evidence=[term for _, term in sorted(eligible[topic].terms, key=_strongest_first)],
        )
        for score, topic in ranked
    ]


def _channel_keys(article: Article) -> list[str]:
    """ "bisnis" and "bisnis/saham" for channel bisnis, category saham (or bisnis/saham)."""
    channel = tag_slug(article.channel)
    if not channel:
        return []
    keys = [channel]
    if article.category:
        last = tag_slug(article.category.strip("/").rsplit("/", 1)[-1])
        if last:
            keys.append(f"{channel}/{last}")
    return keys


def _channel_tags(article: Article, taxonomy: Taxonomy) -> list[TopicTag]:
    keys = _channel_keys(article)
    tags: list[TopicTag] = []
    for topic in taxonomy.topics:
        matched = [key for key in keys if key in topic.channels]
        if matched:
            evidence = [f"channel:{key}" for key in matched]
            tags.append(TopicTag(topic=topic.slug, source="channel", score=1.0, evidence=evidence))
    return tags


def _site_tag_tags(article: Article) -> list[TopicTag]:
    return [
        TopicTag(topic=tag.slug, source="site_tag", score=1.0, evidence=list(tag.variants))
        for tag in normalise_tags(article.tags)
    ]


def _keyphrase_tags(article: Article, taxonomy: Taxonomy) -> list[TopicTag]:
    """Top phrases, minus any that spell a taxonomy slug.

    Whether an article is about "kesehatan" is the taxonomy's call: one frequent word must not
    add the article to that topic's trend.
    """
    text = "\n".join([article.description, article.body])
    reserved = {topic.slug for topic in taxonomy.topics}
    tags: dict[str, TopicTag] = {}
    for phrase in extract_keyphrases(article.title, text, KEYPHRASES_PER_ARTICLE):
        slug = tag_slug(phrase.phrase)
        if slug and slug not in tags and slug not in reserved:
            tags[slug] = TopicTag(
                topic=slug, source="keyphrase", score=phrase.score, evidence=[phrase.phrase]
            )
    return list(tags.values())


def tag_topics(article: Article, taxonomy: Taxonomy | None = None) -> list[TopicTag]:
    """All topic tags of `article`, grouped by source (taxonomy, channel, site tag, keyphrase).

    Uses the packaged taxonomy unless one is given. An article with no usable text or tags gets
    an empty list.
    """
    if taxonomy is None:
        taxonomy = default_taxonomy()
    return [
        *_taxonomy_tags(article, taxonomy),
        *_channel_tags(article, taxonomy),
        *_site_tag_tags(article),
        *_keyphrase_tags(article, taxonomy),
    ]
