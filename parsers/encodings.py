"""Charset labels as browsers read them: the WHATWG Encoding Standard's label table.

Python's `codecs.lookup` knows far more names than the web does, among them codecs that are not
text encodings at all (`rot13`, `base64`, `zlib`, `idna`, `punycode`) and UTF-7, which the web
never honours because it turns ASCII into markup. A page's `<meta charset>` or Content-Type is
untrusted input, so a label is looked up here first and only a known label reaches Python's codec
machinery. Anything else falls back to UTF-8, the web's default for modern pages.

Deviations from the standard, both in the direction of keeping the article readable: the
"replacement" labels (ISO-2022-KR/CN, HZ) decode as UTF-8 instead of as one U+FFFD, and a
declared UTF-16 inside an ASCII-readable `<meta>` is UTF-8 (as the HTML prescan does).

`decode_document` is the one decoder for every page the pipeline reads, article or listing, so
the same bytes with the same Content-Type always become the same text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Literal

# WHATWG encoding name -> (Python codec, labels). Python codecs are chosen to match the WHATWG
# decoders: GBK is decoded as gb18030, Big5 with HKSCS, Shift_JIS as windows-31j, EUC-KR as
# windows-949, and every Latin-1/ASCII label as windows-1252.
_TABLE: dict[str, tuple[str, str]] = {
    "utf-8": (
        "utf-8",
        "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    ),
    "ibm866": ("cp866", "866 cp866 csibm866 ibm866"),
    "iso-8859-2": (
        "iso8859_2",
        "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2",
    ),
    "iso-8859-3": (
        "iso8859_3",
        "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3",
    ),
    "iso-8859-4": (
        "iso8859_4",
        "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4",
    ),
    "iso-8859-5": (
        "iso8859_5",
        "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5"
        " iso_8859-5:1988",
    ),
    "iso-8859-6": (
        "iso8859_6",
        "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6"
        " iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987",
    ),
    "iso-8859-7": (
        "iso8859_7",
        "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7"
        " iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    ),
    "iso-8859-8": (
        "iso8859_8",
        "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8"
        " iso88598 iso_8859-8 iso_8859-8:1988 visual",
    ),
    "iso-8859-8-i": ("iso8859_8", "csiso88598i iso-8859-8-i logical"),
    "iso-8859-10": (
        "iso8859_10",
        "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    ),
    "iso-8859-13": ("iso8859_13", "iso-8859-13 iso8859-13 iso885913"),
    "iso-8859-14": ("iso8859_14", "iso-8859-14 iso8859-14 iso885914"),
    "iso-8859-15": (
        "iso8859_15",
        "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    ),
    "iso-8859-16": ("iso8859_16", "iso-8859-16"),
    "koi8-r": ("koi8_r", "cskoi8r koi koi8 koi8-r koi8_r"),
    "koi8-u": ("koi8_u", "koi8-ru koi8-u"),
    "macintosh": ("mac_roman", "csmacintosh mac macintosh x-mac-roman"),
    "windows-874": (
        "cp874",
        "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    ),
    "windows-1250": ("cp1250", "cp1250 windows-1250 x-cp1250"),
    "windows-1251": ("cp1251", "cp1251 windows-1251 x-cp1251"),
    "windows-1252": (
        "cp1252",
        "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1"
        " iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252",
    ),
    "windows-1253": ("cp1253", "cp1253 windows-1253 x-cp1253"),
    "windows-1254": (
        "cp1254",
        "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9"
        " iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254",
    ),
    "windows-1255": ("cp1255", "cp1255 windows-1255 x-cp1255"),
    "windows-1256": ("cp1256", "cp1256 windows-1256 x-cp1256"),
    "windows-1257": ("cp1257", "cp1257 windows-1257 x-cp1257"),
    "windows-1258": ("cp1258", "cp1258 windows-1258 x-cp1258"),
    "x-mac-cyrillic": ("mac_cyrillic", "x-mac-cyrillic x-mac-ukrainian"),
    "gbk": (
        "gb18030",
        "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk",
    ),
    "gb18030": ("gb18030", "gb18030"),
    "big5": ("big5hkscs", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"),
    "euc-jp": ("euc_jp", "cseucpkdfmtjapanese euc-jp x-euc-jp"),
    "iso-2022-jp": ("iso2022_jp", "csiso2022jp iso-2022-jp"),
    "shift_jis": (
        "cp932",
        "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    ),
    "euc-kr": (
        "cp949",
        "cseuckr csksc56011987 iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601"
        " ksc_5601 windows-949",
    ),
    "replacement": (
        "utf-8",
        "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement",
    ),
    "utf-16be": ("utf-16-be", "unicodefffe utf-16be"),
    "utf-16le": (
        "utf-16-le",
        "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le",
    ),
    "x-user-defined": ("cp1252", "x-user-defined"),
}
_BY_LABEL: dict[str, str] = {
    label: codec for codec, labels in _TABLE.values() for label in labels.split()
}
_UTF16 = frozenset({"utf-16-be", "utf-16-le"})
_ASCII_WHITESPACE = "\t\n\x0c\r "


def codec_for_label(label: str | None) -> str | None:
    """The Python codec for a WHATWG charset label, or None when the web does not know it.

    Labels are matched after trimming ASCII whitespace (and quotes, which servers add), ASCII
    case-insensitively, as the standard's "get an encoding" does.
    """
    if not label:
        return None
    key = label.strip(_ASCII_WHITESPACE + "\"'").lower()
    return _BY_LABEL.get(key) if key.isascii() else None


def codec_for_meta(label: str | None) -> str | None:
    """As `codec_for_label`, for a label read from `<meta>` in an ASCII-compatible prefix.

    A `<meta>` readable as ASCII cannot be UTF-16, so such a label means UTF-8 (HTML prescan).
    """
    codec = codec_for_label(label)
    return "utf-8" if codec in _UTF16 else codec


# The standard sniffs these three BOMs only: UTF-32 is not a web encoding, and FF FE 00 00 is a
# UTF-16LE BOM followed by U+0000 there, as in every browser.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(
    rb"""<\?xml\s[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})["']"""
)
_PRESCAN_BYTES = 4096
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_WINDOWS_1252 = "whatwg-windows-1252"

Source = Literal["bom", "header", "meta", "sniffed", "default"]


def _c1_controls(error: UnicodeError) -> tuple[str, int]:
    """Python's cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D unmapped; the standard's
    windows-1252 maps them to the C1 controls of the same number (which text clean-up drops)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_WINDOWS_1252, _c1_controls)


@dataclass(frozen=True)
class DecodedText:
    text: str
    charset: str  # the Python codec the text was decoded with
    source: Source  # where that charset came from


def header_charset(content_type: str | None) -> str | None:
    """The codec named by a Content-Type's charset parameter, if the web knows the label."""
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return codec_for_label(value)
    return None


def document_charset(content: bytes) -> str | None:
    """The charset the document declares: an XML declaration at its start (a feed or sitemap),
    else a `<meta charset>` (or http-equiv) in its first 4 KB."""
    head = content[:_PRESCAN_BYTES]
    if head.lstrip().startswith(b"<?xml"):
        declared = _XML_ENCODING.match(head.lstrip())
        return codec_for_meta(declared.group(1).decode("ascii")) if declared else None
    match = _META_CHARSET.search(head)
    return codec_for_meta(match.group(1).decode("ascii")) if match else None


def decode_document(content: bytes, content_type: str | None = None) -> DecodedText:
    """Bytes as text, as a browser reads them: a BOM, then the HTTP header's charset, then the
    document's own declaration, then UTF-8. Undecodable bytes become U+FFFD, never an error: a
    page with one bad byte still has an article in it.

    Two deviations, both for mislabelled pages, which are common and whose misreading would show
    up as a fake edit whenever the label changes: non-ASCII bytes that are valid UTF-8 are UTF-8
    whatever legacy label they carry (legacy text almost never validates), and a page under a
    UTF-8 label whose non-ASCII bytes hold no UTF-8 sequence at all is windows-1252, the web's
    legacy default. A UTF-8 page with a stray bad byte stays UTF-8, its bad byte U+FFFD: reading
    it as windows-1252 would garble every other non-ASCII character on it.
    """
    for bom, charset in _BOMS:
        if content.startswith(bom):
            return DecodedText(content[len(bom) :].decode(charset, "replace"), charset, "bom")
    declared: str | None = header_charset(content_type)
    source: Source = "header"
    if declared is None:
        declared, source = document_charset(content), "meta"
    if declared is None:
        return DecodedText(content.decode("utf-8", "replace"), "utf-8", "default")
    if declared == "utf-8":
        text = _strict_utf8(content)
        if text is not None:
            return DecodedText(text, "utf-8", source)
        if _UTF8_MULTIBYTE.search(content):
            return DecodedText(content.decode("utf-8", "replace"), "utf-8", source)
        return DecodedText(_decode(content, "cp1252"), "cp1252", "sniffed")
    if not declared.startswith("utf-") and not content.isascii():
        text = _strict_utf8(content)
        if text is not None:
            return DecodedText(text, "utf-8", "sniffed")
    return DecodedText(_decode(content, declared), declared, source)


def _decode(content: bytes, codec: str) -> str:
    return content.decode(codec, _WINDOWS_1252 if codec == "cp1252" else "replace")


def _strict_utf8(content: bytes) -> str | None:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None
