"""Keyphrases: the few phrases an article is about, for topics no taxonomy foresaw.

A cheap deterministic scorer in the spirit of YAKE and RAKE rather than YAKE itself: YAKE costs
tens of milliseconds per article, over the 5 ms budget for the whole tagging step. Candidates are
runs of up to three non-stopwords inside one clause; a candidate scores by how often it recurs,
how early it first appears, whether the title uses it, and its length. Ties break alphabetically,
so the same article always gives the same phrases.

A keyphrase names something. Phrases of two or three words mostly do ("harga cabai rawit"); a
single word only when the text writes it as a name: capitalised inside a sentence ("di Gaza",
"oleh Fimela") or an acronym ("KPK"). Headlines capitalise every word, so the title does not
count, except for acronyms. Common nouns, verbs and adjectives alone ("langkah", "total",
"dunia", "naik") say nothing an archive could be sliced by, and `GENERIC_WORDS` catches the
capitalised ones ("Pemerintah Kota").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

from parsers.stemming import stem, words

MAX_WORDS = 3
_MIN_WORD_LENGTH = 3
_VERB_PREFIXES = ("me", "di", "ber", "ter")
# Clause boundaries: a phrase never spans punctuation or a line break.
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”‘’'/|\n\r\t]+|\s[-–—]\s")
# Words that are capitalised often enough (in names of offices, at the start of a quote) to pass
# as names, yet name nothing alone.
GENERIC_WORDS = frozenset(
    {
        "total", "dunia", "langkah", "masyarakat", "warga", "pemerintah", "negara", "kondisi",
        "data", "fakta", "rencana", "rencananya", "menteri", "presiden", "kabar", "dampak",
        "kesempatan", "koordinasi", "perkembangan", "waktu", "harga", "informasi", "tanggapan",
        "potensi", "jadwal", "pengguna", "hasil", "cara", "hal", "kasus", "orang", "baru",
        "kota", "kabupaten", "provinsi", "daerah", "pusat", "nasional", "umum", "ketua", "kepala",
        "direktur", "wakil", "anggota", "tim", "pihak", "upaya", "program", "kegiatan",
        "potret", "infografis", "berita", "terkini", "viral", "fimela", "indonesia", "negeri",
    }
)  # fmt: skip
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,9}\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z0-9]+\b")
_SENTENCE = re.compile(r"[.!?:;\n\r]+|\s[-–—]\s|[\"“”]")
# Newsroom words that are frequent in every article and say nothing about any.
_NEWS_STOPWORDS = frozenset(
    {
        "liputan6",
        "liputan6com",
        "com",
        "jakarta",
        "wib",
        "ujar",
        "ucap",
        "tutur",
        "jelas",
        "ungkap",
        "terang",
        "sebut",
        "kata",
        "menurut",
        "tersebut",
        "pihak",
        "pihaknya",
        "sejumlah",
        "salah",
        "satu",
        "selain",
        "yakni",
        "yaitu",
        "tak",
        "tidak",
        "telah",
        "sudah",
        "senin",
        "selasa",
        "rabu",
        "kamis",
        "jumat",
        "sabtu",
        "minggu",
        "januari",
        "februari",
        "maret",
        "april",
        "mei",
        "juni",
        "juli",
        "agustus",
        "september",
        "oktober",
        "november",
        "desember",
        "tahun",
        "pekan",
        "kemarin",
        "pagi",
        "siang",
        "sore",
        "malam",
        "saat",
        "usai",
        "baca",
        "juga",
        "simak",
        "video",
        "berikut",
        "halaman",
        "scroll",
        "down",
        "melanjutkan",
        "membaca",
        "reporter",
        "sumber",
        "foto",
        "dok",
        "istimewa",
        "antara",
        "via",
        "persen",
        "ribu",
        "juta",
        "miliar",
        "triliun",
    }
)


@dataclass(frozen=True, slots=True)
class Keyphrase:
    phrase: str
    score: float


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Sastrawi's Indonesian stopword list plus newsroom filler words."""
    return frozenset(StopWordRemoverFactory().get_stop_words()) | _NEWS_STOPWORDS


def _is_verb_form(word: str) -> bool:
    """Inflected verbs ("memastikan", "dicetak", "siapkan") make poor phrases; nouns stay."""
    return stem(word) != word and (word.startswith(_VERB_PREFIXES) or word.endswith("kan"))


def _is_content(word: str, stop: frozenset[str]) -> bool:
    return (
        len(word) >= _MIN_WORD_LENGTH
        and not word.isdigit()
        and word not in stop
        and not _is_verb_form(word)
    )


def _candidates(text: str, stop: frozenset[str]) -> dict[tuple[str, ...], tuple[int, int]]:
    """Each candidate phrase → (occurrences, index of its first clause)."""
    found: dict[tuple[str, ...], tuple[int, int]] = {}
    for clause_no, clause in enumerate(_CLAUSE_BREAK.split(text)):
        run: list[str] = []
        for word in [*words(clause), ""]:
            if word and _is_content(word, stop):
                run.append(word)
                continue
            for size in range(1, MAX_WORDS + 1):
                for start in range(len(run) - size + 1):
                    gram = tuple(run[start : start + size])
                    count, first = found.get(gram, (0, clause_no))
                    found[gram] = (count + 1, first)
            run = []
    return found


def _named_words(title: str, text: str) -> set[str]:
    """Folded words the text writes as names: acronyms anywhere, capitalised words that do not
    open a sentence in `text` (never in the title, where every word is capitalised)."""
    named = {word for match in _ACRONYM.findall(f"{title}\n{text}") for word in words(match)}
    for sentence in _SENTENCE.split(text):
        first = _CAPITALISED.match(sentence.lstrip())
        for match in _CAPITALISED.finditer(sentence):
            if first is None or match.start() != sentence.find(first.group()):
                named.update(words(match.group()))
    return named - GENERIC_WORDS


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    size = len(shorter)
    return any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))


def extract_keyphrases(title: str, text: str, k: int = 5) -> list[Keyphrase]:
    """At most `k` phrases, best first, scored relative to the best (1.0).

    A phrase must occur at least twice (the title counts); a phrase inside a better one (or
    containing one) is skipped, so "gempa" does not repeat "gempa cianjur".
    """
    if k <= 0:
        return []
    stop = stopwords()
    title_text = " ".join(words(title))
    named = _named_words(title, text)
    scored: list[tuple[float, tuple[str, ...]]] = []
    for gram, (count, first_clause) in _candidates(f"{title}\n{text}", stop).items():
        phrase = " ".join(gram)
        in_title = f" {phrase} " in f" {title_text} "
        if count < 2 or (len(gram) == 1 and phrase not in named):
            continue
        score = (
            (1 + math.log(count))
            * (1.5 if in_title else 1.0)
            * (1 + 1 / (1 + first_clause))
            * (1 + 0.5 * (len(gram) - 1))
        )
        scored.append((score, gram))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[tuple[float, tuple[str, ...]]] = []
    for score, gram in scored:
        if any(_contains(kept, gram) or _contains(gram, kept) for _, kept in chosen):
            continue
        chosen.append((score, gram))
        if len(chosen) == k:
            break
    if not chosen:
        return []
    best = chosen[0][0]
    return [Keyphrase(" ".join(gram), round(score / best, 3)) for score, gram in chosen]
