"""Every boilerplate rule of the article parser, in one table.

Each rule has a name; the parser counts how often each fired on a page (`Article.rules_fired`), so
a rule that stops firing, or a page where everything was stripped, shows up in the run report
instead of as months of silently wrong text. A new variant is a one-line change here.

Three kinds of rule:
- `DomRule`: classes, id prefixes, tag names or attributes; a matching element is removed before
  any text is read (matched in one walk over the body, far cheaper than CSS selectors).
- `LineRule`: a regular expression matched against a whole normalised paragraph; the paragraph
  is dropped. `truncate` drops the rest of the page too (closing sections such as "Tentang Cek
  Fakta Liputan6.com").
- `PageRule`: a page whose title matches and which has no text left of its own (a video or
  infographic page) is dropped together with its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import Tag


@dataclass(frozen=True)
class DomRule:
    """Matches an element by any of: a class, an id prefix, a tag name, an attribute (value)."""

    name: str
    classes: frozenset[str] = frozenset()
    id_prefixes: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    attributes: tuple[tuple[str, str | None], ...] = ()

    def matches(self, element: Tag) -> bool:
        if element.name in self.tags:
            return True
        if self.classes and not self.classes.isdisjoint(element.get("class") or ()):
            return True
        ident = element.get("id")
        if self.id_prefixes and isinstance(ident, str) and ident.startswith(self.id_prefixes):
            return True
        return any(
            name in element.attrs and (value is None or element.attrs[name] == value)
            for name, value in self.attributes
        )


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]
    truncate: bool = False


@dataclass(frozen=True)
class PageRule:
    name: str
    title: re.Pattern[str]


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _line(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_VIDEO_PROMPT = (
    r"(?:saksikan|simak|tonton|lihat)\s+(?:juga\s+)?(?:video|tayangan)\b.{0,80}"
    r"(?:berikut(?:\s+ini)?|di\s*bawah\s+ini|pilihan\s+ini|selengkapnya\s+dalam\s+tautan\s+ini"
    r"|ini|di\s+sini)\s*[:.!]*"
)

DOM_RULES: tuple[DomRule, ...] = (
    DomRule("baca_juga", classes=_names("baca-juga baca-juga-collections baca-juga__list")),
    DomRule("advertisement_label", classes=_names("advertisement-placeholder advertisement-text")),
    DomRule(
        "ad_slot",
        classes=_names("article-ad seamless-ads mgbox dable-widget"),
        id_prefixes=("gpt-ad-", "div-gpt-ad", "div-revive-ad", "dablewidget", "ScriptRoot"),
        tags=_names("ins"),
        attributes=(("data-info", "ad"), ("data-widget_id", None), ("data-revive-zoneid", None)),
    ),
    DomRule(
        "page_separator",
        classes=_names("article-content-body__break article-content-body__item-index"),
    ),
    DomRule("load_more", classes=_names("article-content-body__load-more")),
    DomRule(
        "zoom_label",
        classes=_names(
            "article-photo-gallery--item__button-zoom read-page--photo-gallery--item__icon"
        ),
    ),
    DomRule("embedded_tweet", classes=_names("twitter-tweet twitter-video twitter-timeline")),
    DomRule("embedded_instagram", classes=_names("instagram-media")),
    DomRule("embedded_tiktok", classes=_names("tiktok-embed")),
    DomRule(
        "embedded_video",
        classes=_names(
            "vidio-embed read-page--video-gallery--item article-video-gallery--item"
            " read-page--video-gallery"
        ),
    ),
    DomRule("embedded_frame", tags=_names("iframe embed object")),
    DomRule(
        "page_chrome",
        classes=_names(
            "article-content-body__item-overlay article-content-body__body-progress"
            " article-content-body__loading-animation share-buttons read-page--social-share"
            " related-news"
        ),
        id_prefixes=("related-news",),
    ),
)

LINE_RULES: tuple[LineRule, ...] = (
    LineRule(
        "promo_cek_fakta",
        _line(
            r"^\*?\s*(?:fakta\s+atau\s+hoaks\s*\?\s*)?untuk\s+mengetahui"
            r"\s+kebenaran\s+informasi\s+yang\s+beredar"
        ),
    ),
    LineRule("promo_whatsapp_channel", _line(r"^\*?\s*follow\s+official\s+whatsapp\s+channel")),
    LineRule("promo_dapatkan_berita", _line(r"^\*?\s*dapatkan\s+berita\b.{0,120}$")),
    LineRule("video_prompt", _line(rf"^\*?\s*{_VIDEO_PROMPT}$")),
    LineRule("baca_juga_line", _line(r"^baca\s+juga\s*:.{0,200}$")),
    LineRule("advertisement_line", _line(r"^advertisement$")),
    LineRule(
        "page_separator_line",
        _line(
            r"^(?:\d+\s+dari\s+\d+\s+halaman|scroll\s+down\s+untuk"
            r"\s+melanjutkan\s+membaca)$"
        ),
    ),
    LineRule("load_more_line", _line(r"^lanjutkan\s+membaca\W*$")),
    LineRule("zoom_label_line", _line(r"^perbesar$")),
    LineRule(
        "about_cek_fakta", _line(r"^tentang\s+cek\s+fakta\s+liputan6\.com\s*:?$"), truncate=True
    ),
)

PAGE_RULES: tuple[PageRule, ...] = (
    PageRule("video_only_page", _line(rf"^{_VIDEO_PROMPT}$")),
    PageRule("infographic_only_page", _line(r"^infografis\b")),
)


_RULE_BY_CLASS = {name: rule for rule in reversed(DOM_RULES) for name in rule.classes}
_RULE_BY_TAG = {name: rule for rule in reversed(DOM_RULES) for name in rule.tags}
_ID_RULES = tuple(rule for rule in DOM_RULES if rule.id_prefixes)
_ATTRIBUTE_RULES = tuple(rule for rule in DOM_RULES if rule.attributes)
_RULE_ORDER = {rule.name: index for index, rule in enumerate(DOM_RULES)}


def dom_rule_for(element: Tag) -> DomRule | None:
    """The first rule, in table order, that removes `element`, if any.

    Looked up by class and tag name instead of trying every rule on every element: this runs on
    each element of the article, the parser's hottest loop.
    """
    candidates = [_RULE_BY_CLASS[c] for c in element.get("class") or () if c in _RULE_BY_CLASS]
    if element.name in _RULE_BY_TAG:
        candidates.append(_RULE_BY_TAG[element.name])
    if "id" in element.attrs:
        candidates.extend(rule for rule in _ID_RULES if rule.matches(element))
    if len(element.attrs) > 1 or not candidates:
        candidates.extend(rule for rule in _ATTRIBUTE_RULES if rule.matches(element))
    return min(candidates, key=lambda rule: _RULE_ORDER[rule.name]) if candidates else None


def line_rule_for(paragraph: str) -> LineRule | None:
    """The first rule that marks `paragraph` (already normalised) as boilerplate, if any."""
    return next((rule for rule in LINE_RULES if rule.pattern.search(paragraph)), None)


def page_rule_for(title: str) -> PageRule | None:
    """The rule that drops a text-less page with this title, if any."""
    return next((rule for rule in PAGE_RULES if rule.title.search(title)), None)
