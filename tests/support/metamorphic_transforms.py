"""Page transforms for the metamorphic suite: cosmetic ones (a reader sees the same article) and
semantic ones (a known edit, with the changed fields and word counts it must produce).

They work on the HTML text the way servers, CDNs, CMS templates and editors change real pages,
with a small tokenizer of their own, not with the project's parser: a transform written with the
parser's assumptions would share its blind spots. No tests here; test_metamorphic.py uses them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape as html_escape

# --- a tokenizer: tags, comments, raw-text element contents, and text between them ----------

# One literal `<` in front of every branch, so the scanner jumps from `<` to `<`.
_TOKEN = re.compile(
    r"<(?:!--.*?-->"
    r"|(?P<raw>script|style|textarea|title|pre)\b[^>]*>"
    r"(?P<body>[^<]*(?:<(?!/(?P=raw)\s*>)[^<]*)*)(?P<close></(?P=raw)\s*>)?"
    r"|[!/?]?[A-Za-z][^>]*>)",
    re.DOTALL | re.IGNORECASE,
)
_BLOCK = (
    "address|article|aside|blockquote|dd|div|dl|dt|figure|figcaption|footer|form|h[1-6]|header"
    "|li|main|nav|ol|p|section|table|tbody|td|tfoot|th|thead|tr|ul"
)
_BLOCK_TAG = re.compile(rf"^</?(?:{_BLOCK})\b", re.IGNORECASE)


@dataclass
class Token:
    kind: str  # tag | comment | text | raw (contents of script, style, textarea, title, pre)
    text: str


def tokenize(page: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    for match in _TOKEN.finditer(page):
        if match.start() > pos:
            tokens.append(Token("text", page[pos : match.start()]))
        pos = match.end()
        if match.group("raw"):
            tokens.append(Token("tag", page[match.start() : match.start("body")]))
            tokens.append(Token("raw", match.group("body")))
            if match.group("close"):
                tokens.append(Token("tag", match.group("close")))
            continue
        tag = match.group(0)
        tokens.append(Token("comment" if tag.startswith("<!--") else "tag", tag))
    if pos < len(page):
        tokens.append(Token("text", page[pos:]))
    return tokens


def join(tokens: list[Token]) -> str:
    return "".join(token.text for token in tokens)


def map_text(page: str, change: Callable[[str], str]) -> str:
    """Apply `change` to every non-blank text node outside raw-text elements."""
    tokens = tokenize(page)
    for token in tokens:
        if token.kind == "text" and token.text.strip():
            token.text = change(token.text)
    return join(tokens)


def body_start(page: str) -> int:
    match = re.search(r"<body\b", page, re.IGNORECASE)
    return match.start() if match else 0


# --- cosmetic transforms --------------------------------------------------------------------


def pretty_print(page: str) -> str:
    """Re-indent: every block tag on its own line, indented by depth; whitespace-only text between
    tags re-indented. Text, inline tags and raw-text contents are untouched."""
    out: list[str] = []
    depth = 0
    for token in tokenize(page):
        if token.kind == "tag" and _BLOCK_TAG.match(token.text):
            closing = token.text.startswith("</")
            depth = max(depth - 1, 0) if closing else depth
            out.append("\n" + "  " * depth + token.text)
            depth += 0 if closing or token.text.endswith("/>") else 1
        elif token.kind == "text" and not token.text.strip():
            out.append("\n" + "  " * depth)
        else:
            out.append(token.text)
    return "".join(out)


def minify(page: str) -> str:
    """Every whitespace run outside raw text becomes one space, none next to block tags."""
    tokens = tokenize(page)
    for token in tokens:
        if token.kind == "text":
            token.text = re.sub(r"\s+", " ", token.text)
    for index, token in enumerate(tokens):
        if token.kind == "tag" and _BLOCK_TAG.match(token.text):
            if index > 0 and tokens[index - 1].kind == "text":
                tokens[index - 1].text = tokens[index - 1].text.rstrip(" ")
            if index + 1 < len(tokens) and tokens[index + 1].kind == "text":
                tokens[index + 1].text = tokens[index + 1].text.lstrip(" ")
    return join(tokens)


def newline_indent_in_text(page: str) -> str:
    """Every space in text (inside text nodes and between inline tags) becomes newline + indent."""
    return map_text(page, lambda text: text.replace(" ", "\n\t      "))


def nbsp_swap(page: str) -> str:
    """Every other space in text becomes a NBSP character; every `&nbsp;` becomes a space."""

    def swap(text: str) -> str:
        parts = text.replace("&nbsp;", " ").split(" ")
        return (
            "".join(part + ("\u00a0" if i % 2 else " ") for i, part in enumerate(parts[:-1]))
            + (parts[-1])
        )

    return map_text(page, swap)


def crlf(page: str) -> str:
    return page.replace("\r\n", "\n").replace("\n", "\r\n")


_ATTR = re.compile(r"""\s*([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_START_TAG = re.compile(r"^<([A-Za-z][\w:-]*)(.*?)(\s*/?)>$", re.DOTALL)


def _attributes(tag: str) -> tuple[str, list[tuple[str, str | None]], str] | None:
    match = _START_TAG.match(tag)
    if match is None:
        return None
    name, rest, end = match.groups()
    attrs: list[tuple[str, str | None]] = []
    pos = 0
    while pos < len(rest):
        found = _ATTR.match(rest, pos)
        if found is None or found.end() == pos:
            return None  # something the simple grammar does not cover: leave the tag alone
        attrs.append((found.group(1), found.group(2)))
        pos = found.end()
    return name, attrs, end


def _map_start_tags(page: str, change: Callable[[str, list[tuple[str, str | None]]], list]) -> str:
    tokens = tokenize(page)
    for token in tokens:
        if token.kind != "tag" or token.text.startswith(("</", "<!")):
            continue
        parsed = _attributes(token.text)
        if parsed is None or not parsed[1]:
            continue
        name, attrs, end = parsed
        rebuilt = "".join(f" {k}" if v is None else f" {k}={v}" for k, v in change(name, attrs))
        token.text = f"<{name}{rebuilt}{end}>"
    return join(tokens)


def reorder_attributes(page: str) -> str:
    return _map_start_tags(page, lambda name, attrs: list(reversed(attrs)))


def switch_quotes(page: str) -> str:
    """Double-quoted values become single-quoted and the other way round, where possible."""

    def requote(value: str | None) -> str | None:
        if value is None:
            return None
        if value[:1] == '"' and "'" not in value:
            return f"'{value[1:-1]}'"
        if value[:1] == "'" and '"' not in value:
            return f'"{value[1:-1]}"'
        if value[:1] not in "\"'":
            return f"'{value}'" if "'" not in value else value
        return value

    return _map_start_tags(page, lambda name, attrs: [(k, requote(v)) for k, v in attrs])


_NAMED = {"é": "&eacute;", "&amp;": "&#38;", "&quot;": "&#x22;", "&#39;": "&apos;", '"': "&quot;"}


def character_references(page: str) -> str:
    """Letters as numeric references (decimal and hex), named and numeric forms swapped."""

    def encode(text: str) -> str:
        for plain, ref in _NAMED.items():
            text = text.replace(plain, ref)
        text = re.sub(r"a(?![^&;]*;)", "&#97;", text)
        return re.sub(r"n(?![^&;]*;)", "&#x6E;", text)

    return map_text(page, encode)


def ad_ids_nonces_cache_keys(page: str) -> str:
    """New ad-slot ids, script nonces and cache keys, as a CDN or ad server serves them."""

    def change(name: str, attrs: list[tuple[str, str | None]]) -> list:
        out = []
        for key, value in attrs:
            if value and key.lower() == "id" and re.search(r"gpt-ad|revive|ad-|ads", value, re.I):
                value = value[:-1] + "-9x" + value[-1]
            elif value and key.lower() in ("nonce", "data-cache-key", "data-google-query-id"):
                value = value[:-1] + "Zq7" + value[-1]
            elif value and key.lower() in ("src", "href") and re.search(r"\.(js|css)\b", value):
                value = value[:-1] + ("&" if "?" in value else "?") + "v=20261201" + value[-1]
            out.append((key, value))
        if name.lower() == "script" and not any(k.lower() == "nonce" for k, _ in attrs):
            out.append(("nonce", '"rAnd0mN0nce"'))
        return out

    return _map_start_tags(page, change)


_LINK_BOXES = re.compile(
    r"""class\s*=\s*["'][^"']*(?:baca-juga|related|popular|terpopuler)[^"']*["']""", re.IGNORECASE
)


def other_link_sets(page: str) -> str:
    """Baca Juga, related and popular boxes point at other articles with other headlines."""
    out: list[str] = []
    pos = 0
    for start, end in _element_spans(page, _LINK_BOXES):
        out.append(page[pos:start])
        box = re.sub(r"/read/(\d+)/", lambda m: f"/read/{int(m.group(1)) + 17}/", page[start:end])
        box = map_text(box, lambda text: "Judul Lain Yang Sama Sekali Berbeda")
        out.append(box)
        pos = end
    out.append(page[pos:])
    return "".join(out)


def _element_spans(page: str, opener: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each outermost element whose start tag matches `opener`."""
    pos = 0
    while True:
        match = opener.search(page, pos)
        if match is None:
            return
        start = page.rfind("<", 0, match.start())
        name_match = re.match(r"<([A-Za-z][\w-]*)", page[start:])
        if name_match is None or page.find(">", start) < match.start():
            pos = match.end()
            continue
        name = name_match.group(1).lower()
        end = _element_end(page, start, name)
        yield start, end
        pos = end


def _element_end(page: str, start: int, name: str) -> int:
    depth = 0
    for match in re.finditer(rf"<(/?){name}\b[^>]*>", page[start:], re.IGNORECASE):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return start + match.end()
    return len(page)


def outside_raw(page: str, change: Callable[[str], str]) -> str:
    """Apply `change` to each stretch of markup between raw-text element contents (scripts...)."""
    out: list[str] = []
    run: list[str] = []
    for token in tokenize(page):
        if token.kind == "raw":
            out += [change("".join(run)), token.text]
            run.clear()
        else:
            run.append(token.text)
    out.append(change("".join(run)))
    return "".join(out)


_P_TEXT = re.compile(r"(<p(?:\s[^>]*)?>)([^<]+)", re.IGNORECASE)


def comment_in_paragraph(page: str) -> str:
    """An HTML comment inside every paragraph: once between two words, once inside a word."""

    def paragraph(match: re.Match[str]) -> str:
        text = match.group(2).replace(" ", " <!-- ad slot --> ", 1)
        text = re.sub(r"([A-Za-z]{3})([A-Za-z]{3,})", r"\1<!--x-->\2", text, count=1)
        return match.group(1) + text

    return outside_raw(page, lambda markup: _P_TEXT.sub(paragraph, markup))


def wrap_in_span(page: str) -> str:
    """Inline text wrapped in a plain `<span>`, inside the body."""
    start = body_start(page)
    return page[:start] + map_text(page[start:], lambda text: f"<span>{text}</span>")


# A paragraph's content without block tags (inline tags allowed), written as an unrolled loop.
_INLINE = rf"[^<]*(?:<(?!/?(?:{_BLOCK})\b)[^>]*>[^<]*)*"
_P_PAIR = re.compile(
    rf"(<p(?:\s[^>]*)?>)({_INLINE})</p>(\s*)<p(?:\s[^>]*)?>({_INLINE})(</p>)", re.IGNORECASE
)


def _words(markup: str) -> int:
    return len(re.sub(r"<[^>]*>", " ", markup).split())


def _bulleted(*paragraphs: str) -> bool:
    """A line that starts with a bullet (`*`, `-`, `•`): a promo or list line, not prose."""
    return any(re.sub(r"<[^>]*>", " ", p).lstrip()[:1] in "*-•" for p in paragraphs)


def _join_pairs(page: str, separator: str, min_words: int) -> str:
    def joined(match: re.Match[str]) -> str:
        opening, first, _, second, closing = match.groups()
        if min(_words(first), _words(second)) < min_words or _bulleted(first, second):
            return match.group(0)
        return f"{opening}{first}{separator}{second}{closing}"

    return outside_raw(page, lambda markup: _P_PAIR.sub(joined, markup))


def br_for_p(page: str) -> str:
    """Adjacent plain paragraphs become one `<p>` with a `<br>` between them."""
    return _join_pairs(page, "<br>", 1)


def br_style(page: str) -> str:
    """`<br>` written as `<br/>` and the other way round. Pages rarely carry a `<br>`, so
    paragraph pairs are first written as `<br />` breaks (itself cosmetic, see br_for_p)."""
    swap = re.compile(r"<br\s*(/?)>", re.IGNORECASE)
    page = outside_raw(
        page, lambda markup: swap.sub(lambda m: "<br>" if m.group(1) else "<br/>", markup)
    )
    return _join_pairs(page, "<br />", 1)


_PLAIN_P = re.compile(r"(<p(?:\s[^>]*)?>)([^<]+)(</p>)", re.IGNORECASE)
_BR_IN_P = re.compile(r"(<p(?:\s[^>]*)?>[^<]*)<br\s*/?>([^<]*</p>)", re.IGNORECASE)


def split_paragraphs(page: str) -> str:
    """Each plain paragraph of 8+ words split in two; each `<br>` inside one becomes `</p><p>`."""

    def split(match: re.Match[str]) -> str:
        opening, text, closing = match.groups()
        words = text.split(" ")
        if len([w for w in words if w]) < 8:
            return match.group(0)
        half = len(words) // 2
        return f"{opening}{' '.join(words[:half])}{closing}<p>{' '.join(words[half:])}{closing}"

    def split_all(markup: str) -> str:
        markup = _PLAIN_P.sub(split, markup)
        return _BR_IN_P.sub(r"\1</p><p>\2", markup)

    return outside_raw(page, split_all)


def join_paragraphs(page: str) -> str:
    """Adjacent prose paragraphs of 8+ words each joined into one, pair by pair. (Short and
    bulleted lines are left alone: a promo line or a caption run into a paragraph is no longer
    the same page for a reader either.)"""
    return _join_pairs(page, " ", 8)


_LD = re.compile(
    r"""(<script\b[^>]*application/ld\+json[^>]*>)(.*?)(</script\s*>)""",
    re.IGNORECASE | re.DOTALL,
)


def json_ld_reserialised(page: str) -> str:
    """JSON-LD with its keys in reverse order, other spacing and ASCII escapes."""

    def reverse(value: object) -> object:
        if isinstance(value, dict):
            return {k: reverse(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [reverse(item) for item in value]
        return value

    def rewrite(match: re.Match[str]) -> str:
        try:
            data = json.loads(match.group(2))
        except ValueError:
            return match.group(0)
        text = json.dumps(reverse(data), indent=3, ensure_ascii=True, separators=(" ,", " : "))
        return match.group(1) + "\n" + text.replace("</", "<\\/") + "\n" + match.group(3)

    return _LD.sub(rewrite, page)


COSMETIC: dict[str, Callable[[str], str]] = {
    "pretty_print": pretty_print,
    "minify": minify,
    "newline_indent_in_text": newline_indent_in_text,
    "nbsp_swap": nbsp_swap,
    "crlf": crlf,
    "reorder_attributes": reorder_attributes,
    "switch_quotes": switch_quotes,
    "character_references": character_references,
    "ad_ids_nonces_cache_keys": ad_ids_nonces_cache_keys,
    "other_link_sets": other_link_sets,
    "comment_in_paragraph": comment_in_paragraph,
    "wrap_in_span": wrap_in_span,
    "br_style": br_style,
    "br_for_p": br_for_p,
    "split_paragraphs": split_paragraphs,
    "join_paragraphs": join_paragraphs,
    "json_ld_reserialised": json_ld_reserialised,
}


def all_cosmetic(page: str) -> str:
    """Every cosmetic transform, one after the other."""
    for transform in COSMETIC.values():
        page = transform(page)
    return page


# --- semantic transforms ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The change a semantic transform makes, worked out from what it inserted or removed."""

    changed_fields: tuple[str, ...]
    words_added: int
    words_removed: int


@dataclass(frozen=True)
class Original:
    """What the semantic transforms need to know about a page: its text as a reader sees it."""

    page: str
    title: str
    description: str
    authors: tuple[str, ...]
    paragraphs: tuple[str, ...]  # body paragraphs of the last page last
    multipage: bool


Semantic = Callable[[Original], tuple[str, Expected] | None]
_NEW_PARAGRAPH = "Redaksi menambahkan keterangan baru dari juru bicara polisi malam ini."
_NEW_PAGE_TITLE = "Tanggapan Pemerintah Daerah"
_NEW_PAGE_TEXT = "Pemerintah daerah berjanji memperbaiki tanggul sebelum musim hujan tiba."
_LEAD_WORDS = "zamrud kuarsa yakut nilam"


def _absent(page: str, *words: str) -> bool:
    """None of `words` is in the page, so a word diff cannot align them with old words."""
    return not any(re.search(rf"(?i)\b{re.escape(word)}\b", page) for word in words)


def _once(page: str, text: str) -> bool:
    """`text` occurs exactly once in the page, as whole words."""
    return len(re.findall(rf"(?<![\w-]){re.escape(text)}(?![\w-])", page)) == 1


def _forms(text: str) -> set[str]:
    """The ways a string is written in a page: plain, HTML-escaped, JSON-escaped."""
    return {
        text,
        html_escape(text, quote=True),
        html_escape(text, quote=False),
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        text.replace("'", "&#39;"),
        text.replace("'", "&#039;"),
    }


def _replace_everywhere(page: str, old: str, new: str) -> str:
    for form in sorted(_forms(old), key=len, reverse=True):
        page = page.replace(form, _form_like(form, old, new))
    return page


def _form_like(form: str, old: str, new: str) -> str:
    """`new` written the way `form` writes `old` (the new text has no characters to escape)."""
    return form.replace(old, new) if old in form else new


def replace_one_word(page: Original) -> tuple[str, Expected] | None:
    if not _absent(page.page, "Zulkarnaen"):
        return None
    for paragraph in page.paragraphs:
        for word in paragraph.split():
            if re.fullmatch(r"[A-Za-z]{6,}", word) and _once(page.page, word):
                new = re.sub(rf"(?<![\w-]){word}(?![\w-])", "Zulkarnaen", page.page)
                return new, Expected(("body",), 1, 1)
    return None


def change_title(page: Original) -> tuple[str, Expected] | None:
    words = page.title.split()
    target = next((w for w in words if re.fullmatch(r"[A-Za-z]{4,}", w)), None)
    if target is None or any(page.title in p for p in page.paragraphs):
        return None
    if not _absent(page.page, "Gempar"):
        return None
    title = page.title.replace(target, "Gempar", 1)
    return _replace_everywhere(page.page, page.title, title), Expected(("title",), 1, 1)


def change_description(page: Original) -> tuple[str, Expected] | None:
    words = page.description.split()
    target = next((w for w in words if re.fullmatch(r"[A-Za-z]{5,}", w)), None)
    if target is None or any(page.description in p for p in page.paragraphs):
        return None
    if not _absent(page.page, "Mengejutkan"):
        return None
    description = page.description.replace(target, "Mengejutkan", 1)
    new = _replace_everywhere(page.page, page.description, description)
    return new, Expected(("description",), 1, 1)


_KEYWORDS = re.compile(r"""(<meta\b[^>]*\bname=["']keywords["'][^>]*\bcontent=["'])([^"']*)""")
_KM_KEYWORDS = re.compile(r'("keywords"\s*:\s*")((?:\\.|[^"\\])*)')


def add_tag(page: Original) -> tuple[str, Expected] | None:
    """A tag added wherever the page lists its tags as keywords."""
    new = _KEYWORDS.sub(lambda m: f"{m.group(1)}{m.group(2)}, Tanggul Jebol", page.page)
    new = _KM_KEYWORDS.sub(lambda m: f"{m.group(1)}{m.group(2)}, Tanggul Jebol", new)
    return (new, Expected(("tags",), 0, 0)) if new != page.page else None


def change_author(page: Original) -> tuple[str, Expected] | None:
    if not page.authors:
        return None
    name = page.authors[0]
    if any(name in p for p in page.paragraphs) or name in page.title:
        return None
    new = _replace_everywhere(page.page, name, "Rahmat Hidayatullah")
    return new, Expected(("authors",), 0, 0)


def _text_position_after(page: str, paragraph: str) -> int | None:
    """The position just after the end of `paragraph` in the markup, found by its last words."""
    words = paragraph.split()
    for count in range(1, min(len(words), 8) + 1):
        tail = " ".join(words[-count:])
        found = [m.end() for m in re.finditer(re.escape(tail), page)]
        if len(found) == 1:
            return found[0]
    return None


def append_paragraph(page: Original) -> tuple[str, Expected] | None:
    if not page.paragraphs:
        return None
    pos = _text_position_after(page.page, page.paragraphs[-1])
    if pos is None:
        return None
    block = re.compile(rf"</?(?:{_BLOCK}|br)\b[^>]*>", re.IGNORECASE).search(page.page, pos)
    if block and block.group(0).lower() == "</p>":
        at, insert = block.end(), f"<p>{_NEW_PARAGRAPH}</p>"
    else:
        at, insert = pos, f"<br>{_NEW_PARAGRAPH}"
    new = page.page[:at] + insert + page.page[at:]
    return new, Expected(("body",), len(_NEW_PARAGRAPH.split()), 0)


_PAGE_ELEMENT = re.compile(
    r"""class\s*=\s*["'](?:[^"']*\s)?article-content-body__item(?:-page)?(?:\s[^"']*)?["']"""
)


def add_page(page: Original) -> tuple[str, Expected] | None:
    """One more page at the end of a multi-page article, in the markup of its last page."""
    if not page.multipage:
        return None
    spans = list(_element_spans(page.page, _PAGE_ELEMENT))
    if not spans:
        return None
    start, end = spans[-1]
    opening = page.page[start : page.page.index(">", start) + 1]
    opening = re.sub(r'data-page="(\d+)"', lambda m: f'data-page="{int(m.group(1)) + 1}"', opening)
    opening = re.sub(r'data-title="[^"]*"', f'data-title="{_NEW_PAGE_TITLE}"', opening)
    added = (
        f'{opening}<h2 class="article-content-body__item-title">{_NEW_PAGE_TITLE}</h2>'
        f'<div class="article-content-body__item-content"><p>{_NEW_PAGE_TEXT}</p></div></div>'
    )
    words = len(_NEW_PAGE_TITLE.split()) + len(_NEW_PAGE_TEXT.split())
    return page.page[:end] + added + page.page[end:], Expected(("body",), words, 0)


_SENTENCE = re.compile(r"(?<=[.!?] )[A-Z][^.!?<>]{15,200}?[.!?] (?=[A-Z\"])")


def delete_sentence(page: Original) -> tuple[str, Expected] | None:
    """A whole sentence from the middle of a paragraph."""
    for paragraph in page.paragraphs:
        for match in _SENTENCE.finditer(paragraph):
            sentence = match.group(0)
            if page.page.count(sentence) == 1:
                new = page.page.replace(sentence, "", 1)
                return new, Expected(("body",), 0, len(sentence.split()))
    return None


def change_lead(page: Original) -> tuple[str, Expected] | None:
    """Three words of the first paragraph (the lead) rewritten as four others."""
    if not page.paragraphs or not _absent(page.page, *_LEAD_WORDS.split()):
        return None
    words = page.paragraphs[0].split()
    for index in range(len(words) - 2):
        run = words[index : index + 3]
        if not all(re.fullmatch(r"[A-Za-z]+", w) for w in run):
            continue
        text = " ".join(run)
        if _once(page.page, text):
            new = page.page.replace(text, _LEAD_WORDS, 1)
            return new, Expected(("body",), len(_LEAD_WORDS.split()), 3)
    return None


SEMANTIC: dict[str, Semantic] = {
    "replace_one_word": replace_one_word,
    "change_title": change_title,
    "change_description": change_description,
    "add_tag": add_tag,
    "append_paragraph": append_paragraph,
    "change_author": change_author,
    "add_page": add_page,
    "delete_sentence": delete_sentence,
    "change_lead": change_lead,
}
