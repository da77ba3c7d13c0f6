"""Labelled short-form articles for the topic tagger: photo, video, infographic, short text.

Their text is mostly title, description, captions and tags, which is where a tagger tuned on long
stories finds too little. The text is written for this set (no real page text), labelled by hand
before the tagger was tuned, and rendered in the site's real markup (../shared/reference: mobile
photo gallery `article-short-desc` + `article-gallery-slider`, desktop `read-page--core-article`
with `read-page--video-gallery--item` and `article-content-body__item-media > figure`), so the
evaluation runs the real parser too. Used by tests/test_topics.py and benchmarks/topics_eval.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

from parsers.article import parse_article
from parsers.models import Article
from parsers.taxonomy import default_taxonomy
from parsers.topics import body_words, is_infographic

_TYPES = {"photo": "PhotoGallery", "video": "VideoGallery", "infographic": "TextTypeArticle"}


@dataclass(frozen=True)
class ShortArticle:
    article_id: int
    kind: str  # photo | video | infographic | short
    channel: str
    title: str
    description: str
    tags: tuple[str, ...]
    topics: frozenset[str]  # the hand label: taxonomy slugs
    paragraphs: tuple[str, ...] = ()
    captions: tuple[str, ...] = field(default=())
    category: str = ""


SHORT_ARTICLES: tuple[ShortArticle, ...] = (
    ShortArticle(
        6100001, "photo", "news",
        "FOTO: Warga Korea Selatan Antre Mencoblos di Pemilu Presiden",
        "Warga Korea Selatan memadati tempat pemungutan suara untuk memilih presiden baru.",
        ("Pemilu Korea Selatan", "Korea Selatan", "Pilpres"),
        frozenset({"pemilu", "internasional"}),
        ("Antrean panjang terlihat sejak pagi di Seoul.",),
        (
            "Seorang pemilih memasukkan surat suara ke kotak suara di Seoul. (AP Photo)",
            "Petugas komisi pemilihan memeriksa daftar pemilih di sebuah TPS. (AP Photo)",
            "Warga lanjut usia dibantu relawan menuju bilik suara. (AP Photo)",
        ),
    ),
    ShortArticle(
        6100002, "photo", "news",
        "FOTO: Banjir Rendam Ratusan Rumah Usai Hujan Deras Semalaman",
        "Hujan lebat sejak malam membuat sungai meluap dan merendam permukiman warga.",
        ("Banjir", "Hujan Deras", "BPBD"),
        frozenset({"bencana", "cuaca-iklim"}),
        (),
        (
            "Warga mengungsi menggunakan perahu karet milik BPBD. (Liputan6.com/Andi)",
            "Ketinggian air mencapai satu meter di permukiman warga. (Liputan6.com/Andi)",
            "Petugas mengevakuasi lansia dari rumah yang terendam banjir. (Liputan6.com/Andi)",
        ),
    ),
    ShortArticle(
        6100003, "photo", "bola",
        "FOTO: Selebrasi Timnas Indonesia Usai Menang di Kualifikasi Piala Dunia",
        "Skuad Garuda merayakan kemenangan bersama suporter di Stadion Utama Gelora Bung Karno.",
        ("Timnas Indonesia", "Kualifikasi Piala Dunia", "Sepak Bola"),
        frozenset({"sepak-bola"}),
        (),
        (
            "Pemain Timnas Indonesia menyapa suporter usai pertandingan. (Bola.com/Rian)",
            "Pelatih memeluk kapten tim di pinggir lapangan. (Bola.com/Rian)",
        ),
    ),
    ShortArticle(
        6100004, "photo", "bisnis",
        "FOTO: Harga Cabai dan Bawang Merah Naik Jelang Ramadan",
        "Pedagang di pasar tradisional menaikkan harga cabai rawit dan bawang merah.",
        ("Harga Pangan", "Cabai", "Inflasi"),
        frozenset({"ekonomi", "pangan-pertanian"}),
        (),
        (
            "Pedagang menata cabai rawit di lapak pasar tradisional. (Liputan6.com/Sari)",
            "Pembeli memilih bawang merah yang harganya naik dua kali lipat. (Liputan6.com/Sari)",
            "Petani cabai memanen hasil kebun di Brebes. (Liputan6.com/Sari)",
        ),
    ),
    ShortArticle(
        6100005, "photo", "global",
        "FOTO: Bantuan Kemanusiaan Masuk ke Gaza Usai Gencatan Senjata",
        "Truk bantuan kemanusiaan mulai memasuki Gaza setelah gencatan senjata berlaku.",
        ("Gaza", "Palestina", "Gencatan Senjata"),
        frozenset({"internasional"}),
        (),
        (
            "Truk bantuan berbaris di perlintasan perbatasan Rafah. (AFP)",
            "Warga Palestina menerima paket makanan dari relawan PBB. (AFP)",
        ),
    ),
    ShortArticle(
        6100006, "photo", "otomotif",
        "FOTO: Deretan Mobil Listrik Baru di Pameran Otomotif Jakarta",
        "Produsen mobil memamerkan kendaraan listrik terbaru dengan harga lebih terjangkau.",
        ("Mobil Listrik", "Pameran Otomotif", "Kendaraan Listrik"),
        frozenset({"otomotif"}),
        (),
        (
            "Pengunjung mencoba kabin mobil listrik di pameran otomotif. (Liputan6.com/Dimas)",
            "Stasiun pengisian daya dipajang di area pameran. (Liputan6.com/Dimas)",
        ),
    ),
    ShortArticle(
        6100007, "video", "news",
        "VIDEO: KPK Tahan Bupati Tersangka Suap Proyek Jalan",
        "Komisi Pemberantasan Korupsi menahan seorang bupati terkait suap proyek jalan.",
        ("KPK", "Korupsi", "Suap"),
        frozenset({"hukum-korupsi"}),
        ("Bupati itu ditahan selama 20 hari pertama di rutan KPK.",),
    ),
    ShortArticle(
        6100008, "video", "bisnis",
        "VIDEO: IHSG Ditutup Menguat, Rupiah Ikut Menguat",
        "Indeks Harga Saham Gabungan ditutup menguat seiring masuknya dana investor asing.",
        ("IHSG", "Rupiah", "Saham"),
        frozenset({"pasar-keuangan"}),
        ("Nilai tukar rupiah juga menguat terhadap dolar AS pada sore hari.",),
    ),
    ShortArticle(
        6100009, "video", "news",
        "VIDEO: Gempa Magnitudo 5,6 Guncang Cianjur, Warga Berhamburan",
        "BMKG mencatat gempa berkekuatan magnitudo 5,6 tanpa potensi tsunami.",
        ("Gempa Cianjur", "BMKG", "Gempa Bumi"),
        frozenset({"bencana"}),
        ("Warga berlarian keluar rumah saat guncangan terasa.",),
    ),
    ShortArticle(
        6100010, "video", "health",
        "VIDEO: Kasus Demam Berdarah Meningkat di Musim Hujan",
        "Dinas Kesehatan mencatat lonjakan kasus demam berdarah selama musim hujan.",
        ("Demam Berdarah", "DBD", "Kesehatan"),
        frozenset({"kesehatan", "cuaca-iklim"}),
        ("Rumah sakit daerah menambah ruang rawat untuk pasien DBD.",),
    ),
    ShortArticle(
        6100011, "video", "global",
        "VIDEO: Parlemen Prancis Gelar Pemungutan Suara Mosi Tidak Percaya",
        "Parlemen Prancis memungut suara atas mosi tidak percaya terhadap perdana menteri.",
        ("Prancis", "Parlemen", "Perdana Menteri"),
        frozenset({"politik", "internasional"}),
        ("Koalisi oposisi menyatakan akan terus menekan pemerintah.",),
    ),
    ShortArticle(
        6100012, "infographic", "news",
        "Infografis Jadwal dan Tahapan Pilkada Serentak",
        "Tahapan pilkada serentak dimulai dari pendaftaran pasangan calon hingga pemungutan suara.",
        ("Pilkada Serentak", "KPU", "Infografis"),
        frozenset({"pemilu"}),
        ("Liputan6.com, Jakarta - Berikut jadwal lengkap tahapan pilkada serentak.",),
        ("Infografis tahapan pilkada serentak. (Liputan6.com/Tim Grafis)",),
        "news/infografis",
    ),
    ShortArticle(
        6100013, "infographic", "news",
        "Infografis Cara Mencegah Stunting pada Anak",
        "Pemenuhan gizi sejak masa kehamilan menjadi kunci mencegah stunting.",
        ("Stunting", "Gizi Anak", "Infografis"),
        frozenset({"kesehatan"}),
        ("Liputan6.com, Jakarta - Simak cara mencegah stunting dalam infografis berikut.",),
        ("Infografis cara mencegah stunting pada anak. (Liputan6.com/Tim Grafis)",),
        "news/infografis",
    ),
    ShortArticle(
        6100014, "infographic", "news",
        "Infografis Ramalan Cuaca Ekstrem dan Potensi Banjir Sepekan",
        "BMKG memperingatkan potensi cuaca ekstrem yang dapat memicu banjir dan tanah longsor.",
        ("Cuaca Ekstrem", "BMKG", "Banjir", "Infografis"),
        frozenset({"cuaca-iklim", "bencana"}),
        ("Liputan6.com, Jakarta - Masyarakat diminta waspada selama sepekan ke depan.",),
        ("Infografis peringatan dini cuaca ekstrem dari BMKG. (Liputan6.com/Tim Grafis)",),
        "news/infografis",
    ),
    ShortArticle(
        6100015, "short", "tekno",
        "Aplikasi Pesan Populer Tambah Fitur Keamanan Baru",
        "Fitur baru itu memungkinkan pengguna mengunci percakapan dengan sidik jari.",
        ("Aplikasi", "Keamanan Siber", "Smartphone"),
        frozenset({"teknologi"}),
        (
            "Liputan6.com, Jakarta - Sebuah aplikasi pesan populer menambah fitur keamanan baru"
            " untuk pengguna smartphone.",
            "Pengguna dapat mengaktifkan fitur itu melalui menu pengaturan privasi.",
        ),
    ),
    ShortArticle(
        6100016, "short", "news",
        "Polisi Tangkap Pengedar Narkoba di Bandara",
        "Petugas menemukan sabu yang disembunyikan di dalam koper.",
        ("Narkoba", "Sabu", "Polisi"),
        frozenset({"kriminalitas"}),
        (
            "Liputan6.com, Medan - Polisi menangkap seorang pengedar narkoba di bandara.",
            "Tersangka kini ditahan dan terancam hukuman penjara belasan tahun.",
        ),
    ),
    ShortArticle(
        6100017, "short", "bisnis",
        "Pemerintah Naikkan Upah Minimum Buruh Tahun Depan",
        "Kenaikan upah minimum provinsi diumumkan setelah rapat dewan pengupahan.",
        ("UMP", "Buruh", "Upah Minimum"),
        frozenset({"ketenagakerjaan"}),
        (
            "Liputan6.com, Jakarta - Serikat buruh menyambut baik keputusan kenaikan upah.",
            "Pengusaha meminta kenaikan disesuaikan dengan kondisi industri.",
        ),
    ),
    ShortArticle(
        6100018, "short", "global",
        "Menlu Bahas Perdagangan dan Investasi dengan Jepang",
        "Pertemuan bilateral itu membahas kerja sama perdagangan dan investasi kedua negara.",
        ("Jepang", "Kementerian Luar Negeri", "Investasi"),
        frozenset({"internasional", "ekonomi"}),
        (
            "Liputan6.com, Tokyo - Menteri Luar Negeri bertemu mitranya di Tokyo.",
            "Kedua negara sepakat memperluas ekspor produk pertanian dan investasi manufaktur.",
        ),
    ),
)  # fmt: skip


def _meta(a: ShortArticle, url: str) -> str:
    kmk = {"id": a.article_id, "title": a.title, "type": _TYPES.get(a.kind, "TextTypeArticle")}
    category = {"full_slug": a.category} if a.category else {}
    return (
        f"<title>{escape(a.title)} - Liputan6.com</title>"
        f'<meta property="og:title" content="{escape(a.title)}">'
        f'<meta name="description" content="{escape(a.description)}">'
        '<meta property="article:published_time" content="2025-10-20T09:00:00+07:00">'
        f'<meta name="keywords" content="{escape(", ".join(a.tags))}">'
        f'<link rel="canonical" href="{url}"></head><body>'
        "<script>window.kmklabs = {}; window.kmklabs.pageType = 'ReadPage'; "
        f"window.kmklabs.channel = {json.dumps({'full_slug': a.channel})}; "
        f"window.kmklabs.category = {json.dumps(category)}; "
        f"window.kmklabs.article = {json.dumps(kmk)};</script>"
    )


def _mobile_gallery(a: ShortArticle) -> str:
    """Mobile photo gallery: short description, then one slider item per photo."""
    slides = "".join(
        f'<div class="article-gallery-slider__item"><img src="{n}.jpg">'
        f'<div class="article-gallery-slider__caption">{escape(caption)}</div></div>'
        for n, caption in enumerate(a.captions, 1)
    )
    text = "".join(f"<p>{escape(p)}</p>" for p in (a.description, *a.paragraphs))
    return (
        '<div class="article-header"><h1 class="article-header__title">'
        f"{escape(a.title)}</h1></div>"
        f'<div class="article-short-desc">{text}</div>'
        f'<div class="article-gallery-slider">{slides}</div>'
    )


def _desktop(a: ShortArticle) -> str:
    """Desktop article: video iframe or infographic figure, then the (short) text."""
    media = ""
    if a.kind == "video":
        media = (
            '<div class="read-page--video-gallery--item"><iframe'
            f' src="https://www.vidio.com/embed/{a.article_id}"></iframe></div>'
        )
    figures = "".join(
        '<div class="article-content-body__item-media"><figure><img src="grafis.jpg">'
        f"<figcaption>{escape(caption)}</figcaption></figure></div>"
        for caption in a.captions
    )
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    return (
        '<article class="hentry main read-page--core-article"'
        f' data-article-id="{a.article_id}"><h1 class="read-page--header--title">'
        f'{escape(a.title)}</h1><div class="article-content-body">{media}'
        '<div class="article-content-body__item-page" data-page="1" data-title="">'
        f'{figures}<div class="article-content-body__item-content">{paragraphs}</div></div>'
        '</div><div class="tags--snippet"><ul>'
        + "".join(
            f'<li><a href="/tag/x"><span class="tags--snippet__name">{escape(t)}</span></a></li>'
            for t in a.tags
        )
        + "</ul></div></article>"
    )


def render(a: ShortArticle) -> str:
    url = f"https://www.liputan6.com/{a.channel}/read/{a.article_id}/contoh"
    body = _mobile_gallery(a) if a.kind == "photo" else _desktop(a)
    return f'<!DOCTYPE html><html><head><meta charset="utf-8">{_meta(a, url)}{body}</body></html>'


def parsed() -> list[tuple[ShortArticle, Article]]:
    """Every article of the set, rendered and parsed back as the flows would."""
    return [(a, parse_article(render(a).encode("utf-8"))) for a in SHORT_ARTICLES]


def article_kind(article: Article) -> str:
    """photo, video, infographic, short text (under `short_body_words`) or text: how results are
    reported, per kind."""
    if article.type != "text":
        return article.type
    if is_infographic(article):
        return "infographic"
    short = body_words(article) < default_taxonomy().short_body_words
    return "short text" if short else "text"
