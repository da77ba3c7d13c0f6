"""Indonesian word stems, so that "pemilihan", "memilih" and "dipilih" count as one word.

Topic terms are written once in their dictionary form and must still match every inflection a
newsroom uses. Sastrawi (offline, dictionary-based) does the stemming; it costs tens of
microseconds per unseen word, and news text repeats words heavily, so each word is stemmed once
per process and then read from a cache.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

# Letters and digits, with inner hyphens kept so reduplication ("anak-anak") and names like
# "covid-19" stay one token. Apostrophes are dropped ("Jum'at" → "jum", "at" is harmless).
_WORD = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# The uncached stemmer: `stem` below has its own bounded cache (Sastrawi's grows without limit).
_STEMMER = Stemmer(ArrayDictionary(StemmerFactory().get_words()))
# Below this length Sastrawi mostly mangles acronyms and particles; they are kept verbatim.
_MIN_STEM_LENGTH = 4


def fold(text: str) -> str:
    """Lower-case ASCII: accents dropped ("Pemilú" → "pemilu"), other non-ASCII → spaces.

    Words are ASCII letters and digits anyway; curly quotes, dashes and emoji only separate them.
    """
    if text.isascii():  # most news text: no per-character work at all
        return text.lower()
    stripped = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return _NON_ASCII.sub(" ", stripped).lower()


def words(text: str) -> list[str]:
    """The folded words of `text`, in order; punctuation and spacing are dropped."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one folded word; the word itself when stemming would leave nothing."""
    if len(word) < _MIN_STEM_LENGTH or word.isdigit():
        return word
    return _STEMMER.stem(word) or word


def stems(text: str) -> list[str]:
    """The stems of the words of `text`, in order."""
    return [stem(word) for word in words(text)]
