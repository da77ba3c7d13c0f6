"""Word lists the generator writes its Indonesian-like text from.

Each topic of the shared taxonomy gets the vocabulary a real article on it would use, so topic
tagging has something true to find; people and organisations are invented or generic, and no
sentence is taken from a real page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """Vocabulary of one taxonomy topic: subjects, actors, verbs and the site tags it uses."""

    slug: str
    things: tuple[str, ...]
    actors: tuple[str, ...]
    verbs: tuple[str, ...]
    tags: tuple[str, ...]


def _t(slug: str, things: str, actors: str, verbs: str, tags: str) -> Topic:
    def split(text: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in text.split(";") if part.strip())

    return Topic(slug, split(things), split(actors), split(verbs), split(tags))


TOPICS: dict[str, Topic] = {
    t.slug: t
    for t in (
        _t(
            "politik",
            "koalisi partai; rapat paripurna; revisi undang-undang; kabinet; reshuffle menteri;"
            " hak angket; fraksi oposisi; kebijakan pemerintah; rancangan undang-undang",
            "Ketua DPR; anggota Komisi II; juru bicara partai; Menteri Dalam Negeri;"
            " pengamat politik; Wakil Ketua MPR",
            "membahas; menolak; menyetujui; mengkritik; mengusulkan",
            "DPR; Partai Politik; Kabinet; Istana Negara; RUU; Politik Nasional",
        ),
        _t(
            "pemilu",
            "pemilihan umum; pilkada serentak; daftar pemilih tetap; surat suara; kampanye;"
            " rekapitulasi suara; tempat pemungutan suara; hitung cepat; calon kepala daerah",
            "Ketua KPU; anggota Bawaslu; tim pemenangan; calon legislatif; peneliti survei",
            "memverifikasi; menetapkan; mengawasi; melaporkan; merekapitulasi",
            "Pemilu; Pilkada Serentak; KPU; Bawaslu; Kampanye; Hitung Cepat",
        ),
        _t(
            "hukum-korupsi",
            "dugaan korupsi; kasus suap; tindak pidana pencucian uang; sidang tipikor;"
            " gratifikasi; penggeledahan; dakwaan jaksa; kerugian negara; vonis hakim",
            "penyidik KPK; jaksa penuntut umum; majelis hakim; kuasa hukum tersangka;"
            " Juru Bicara KPK; pakar hukum pidana",
            "menetapkan; memeriksa; menahan; menuntut; menggeledah",
            "KPK; Korupsi; Kejaksaan Agung; Pengadilan Tipikor; Suap; Hukum",
        ),
        _t(
            "kriminalitas",
            "pencurian kendaraan; penipuan daring; begal; peredaran narkoba; penganiayaan;"
            " perampokan minimarket; tawuran pelajar; olah tempat kejadian perkara",
            "Kapolres; Kasat Reskrim; saksi mata; warga sekitar; Kapolsek",
            "menangkap; mengamankan; menyelidiki; memburu; menetapkan",
            "Kriminal; Polisi; Narkoba; Pencurian; Penipuan Online; Begal",
        ),
        _t(
            "ekonomi",
            "pertumbuhan ekonomi; inflasi; daya beli masyarakat; neraca perdagangan; APBN;"
            " defisit anggaran; harga kebutuhan pokok; investasi asing; UMKM; subsidi",
            "Menteri Keuangan; ekonom senior; Kepala BPS; pelaku usaha; Menko Perekonomian",
            "memproyeksikan; mencatat; menaikkan; menurunkan; mendorong",
            "Ekonomi Indonesia; Inflasi; APBN; UMKM; BPS; Investasi",
        ),
        _t(
            "pasar-keuangan",
            "Indeks Harga Saham Gabungan; nilai tukar rupiah; suku bunga acuan; obligasi negara;"
            " saham perbankan; aksi jual investor asing; kapitalisasi pasar; reksa dana",
            "analis pasar modal; Direktur Bursa Efek Indonesia;"
            " Gubernur Bank Indonesia; investor ritel",
            "menguat; melemah; ditutup; mencatatkan; memangkas",
            "IHSG; Rupiah; Bank Indonesia; Saham; Bursa Efek Indonesia; Suku Bunga",
        ),
        _t(
            "kripto",
            "harga Bitcoin; aset kripto; Ethereum; bursa kripto; dompet digital kripto;"
            " token baru; volatilitas pasar kripto; regulasi aset digital",
            "CEO platform kripto; analis aset digital; pejabat Bappebti; investor kripto",
            "anjlok; melonjak; mengawasi; meluncurkan; memperdagangkan",
            "Kripto; Bitcoin; Ethereum; Aset Digital; Bappebti; Blockchain",
        ),
        _t(
            "kesehatan",
            "demam berdarah; vaksinasi; layanan BPJS Kesehatan; puskesmas; stunting;"
            " tekanan darah tinggi; diabetes; tenaga kesehatan; rumah sakit rujukan",
            "Menteri Kesehatan; dokter spesialis penyakit dalam; epidemiolog;"
            " Kepala Dinas Kesehatan",
            "mengimbau; menangani; mencegah; merawat; memeriksa",
            "Kesehatan; BPJS Kesehatan; Vaksinasi; Stunting; Demam Berdarah; Rumah Sakit",
        ),
        _t(
            "bencana",
            "banjir bandang; tanah longsor; gempa bumi; erupsi gunung api; pengungsi;"
            " posko darurat; tim SAR gabungan; korban terdampak; rumah rusak berat",
            "Kepala BPBD; petugas Basarnas; Kepala BNPB; relawan; warga terdampak",
            "mengevakuasi; menyalurkan; mendata; mencari; menetapkan",
            "Banjir; Gempa; Tanah Longsor; BNPB; Basarnas; Bencana Alam",
        ),
        _t(
            "cuaca-iklim",
            "hujan lebat; angin kencang; musim kemarau; gelombang tinggi; suhu panas ekstrem;"
            " peringatan dini cuaca; perubahan iklim; fenomena La Nina",
            "prakirawan BMKG; Kepala BMKG; klimatolog; nelayan setempat",
            "memprakirakan; memperingatkan; memantau; mencatat; mengimbau",
            "Cuaca; BMKG; Hujan Lebat; Perubahan Iklim; Musim Kemarau; Prakiraan Cuaca",
        ),
        _t(
            "sepak-bola",
            "laga pekan ini; klasemen sementara; gol penalti; bursa transfer; timnas Indonesia;"
            " babak kedua; kartu merah; lini pertahanan; kualifikasi Piala Dunia",
            "pelatih kepala; kapten tim; striker asing; penjaga gawang; manajer klub",
            "mengalahkan; menahan imbang; mencetak; merekrut; memimpin",
            "Timnas Indonesia; Liga 1; Sepak Bola; Liga Inggris; Transfer Pemain; PSSI",
        ),
        _t(
            "olahraga",
            "kejuaraan bulu tangkis; final tunggal putra; medali emas; pelatnas;"
            " balap motor; rekor nasional; atlet muda; turnamen tenis",
            "atlet nasional; pelatih pelatnas; Ketua KONI; pebulu tangkis ganda putri",
            "menjuarai; meraih; mengalahkan; mempertahankan; melaju",
            "Bulu Tangkis; MotoGP; SEA Games; Olimpiade; Atletik; Olahraga",
        ),
        _t(
            "teknologi",
            "ponsel pintar terbaru; kecerdasan buatan; jaringan 5G; aplikasi pesan;"
            " keamanan siber; kebocoran data; pusat data; pembaruan sistem operasi",
            "Menteri Komunikasi dan Digital; pakar keamanan siber;"
            " CEO perusahaan rintisan; pengembang aplikasi",
            "meluncurkan; mengembangkan; memperbarui; mengamankan; menguji",
            "Gadget; Kecerdasan Buatan; Smartphone; Keamanan Siber; Startup; Aplikasi",
        ),
        _t(
            "internasional",
            "perundingan damai; sanksi ekonomi; pertemuan tingkat tinggi; pemilu presiden;"
            " hubungan diplomatik; Dewan Keamanan PBB; krisis kemanusiaan; gencatan senjata",
            "menteri luar negeri; duta besar; Sekretaris Jenderal PBB;"
            " perdana menteri; diplomat senior",
            "menyerukan; mengecam; menandatangani; menggelar; membahas",
            "PBB; Diplomasi; ASEAN; Timur Tengah; Eropa; Berita Dunia",
        ),
        _t(
            "pendidikan",
            "kurikulum baru; penerimaan peserta didik baru; beasiswa; ujian masuk perguruan tinggi;"
            " guru honorer; sekolah rakyat; zonasi sekolah; kampus negeri",
            "Mendikdasmen; rektor universitas; kepala sekolah; pengamat pendidikan",
            "menerapkan; membuka; menyalurkan; mengevaluasi; menetapkan",
            "Pendidikan; Sekolah; Beasiswa; Guru; Kurikulum; Perguruan Tinggi",
        ),
        _t(
            "agama",
            "ibadah haji; awal Ramadan; sidang isbat; zakat fitrah; pengajian akbar;"
            " kerukunan umat beragama; sertifikasi halal; perayaan Natal",
            "Menteri Agama; Ketua MUI; tokoh lintas agama; pengurus masjid",
            "mengumumkan; menetapkan; mengimbau; memberangkatkan; menggelar",
            "Haji; Ramadan; Kemenag; MUI; Islami; Toleransi",
        ),
        _t(
            "hiburan",
            "film layar lebar; konser musik; serial drama; album baru; ajang penghargaan;"
            " pernikahan selebritas; unggahan Instagram; penampilan panggung",
            "aktris senior; penyanyi muda; sutradara; produser film; pemeran utama",
            "merilis; membintangi; mengunggah; mengungkapkan; menggelar",
            "Selebritas; Film Indonesia; Konser; K-Pop; Musik; Kabar Artis",
        ),
        _t(
            "gaya-hidup",
            "tren busana; resep masakan rumahan; perawatan kulit; pola tidur; hubungan asmara;"
            " dekorasi rumah; gaya hidup sehat; kuliner kekinian",
            "pakar gaya hidup; desainer busana; koki selebritas; psikolog keluarga",
            "membagikan; menyarankan; mencoba; menghadirkan; memadukan",
            "Gaya Hidup; Fashion; Kuliner; Tips Kecantikan; Parenting; Resep",
        ),
        _t(
            "otomotif",
            "mobil listrik; sepeda motor matik; pameran otomotif; harga mobil bekas;"
            " penjualan kendaraan; insentif pajak kendaraan; mesin hybrid; uji jalan",
            "direktur pemasaran produsen mobil; pengamat otomotif; Ketua Gaikindo; diler resmi",
            "meluncurkan; memperkenalkan; mencatat; menawarkan; menguji",
            "Mobil Listrik; Motor; Gaikindo; Otomotif; Mobil Baru; Pameran Mobil",
        ),
        _t(
            "transportasi",
            "kereta cepat; arus mudik; tarif ojek daring; penerbangan domestik; jalan tol;"
            " angkutan umum; pelabuhan penyeberangan; rekayasa lalu lintas",
            "Menteri Perhubungan; Dirut KAI; Kakorlantas; juru bicara maskapai",
            "mengoperasikan; memberlakukan; menambah; menyesuaikan; mengatur",
            "Mudik; Kereta Api; Transportasi Umum; Jalan Tol; Maskapai; Lalu Lintas",
        ),
        _t(
            "energi",
            "harga BBM; subsidi listrik; energi terbarukan; pembangkit listrik tenaga surya;"
            " kuota LPG; produksi minyak; hilirisasi nikel; transisi energi",
            "Menteri ESDM; Dirut PLN; Dirut Pertamina; pengamat energi",
            "menaikkan; menyalurkan; membangun; menjamin; memproduksi",
            "BBM; PLN; Pertamina; Energi Terbarukan; Listrik; ESDM",
        ),
        _t(
            "lingkungan",
            "sampah plastik; kebakaran hutan dan lahan; deforestasi; pencemaran sungai;"
            " kualitas udara; konservasi satwa; emisi karbon; hutan mangrove",
            "aktivis lingkungan; Menteri Lingkungan Hidup; peneliti ekologi; petugas konservasi",
            "menanam; membersihkan; memadamkan; melestarikan; mengurangi",
            "Lingkungan Hidup; Polusi Udara; Sampah Plastik; Karhutla; Konservasi; Emisi",
        ),
        _t(
            "pertahanan-keamanan",
            "latihan gabungan; alutsista; patroli perbatasan; pengamanan objek vital;"
            " kapal perang; operasi keamanan; prajurit TNI; kejahatan siber negara",
            "Panglima TNI; Kapolri; Menteri Pertahanan; Kepala Staf Angkatan Laut",
            "mengerahkan; memperkuat; menggelar; mengamankan; mengawasi",
            "TNI; Polri; Alutsista; Pertahanan; Keamanan; Perbatasan",
        ),
        _t(
            "pangan-pertanian",
            "harga beras; panen raya; pupuk bersubsidi; cadangan beras pemerintah;"
            " impor gula; petani cabai; ketahanan pangan; produksi jagung",
            "Menteri Pertanian; Dirut Bulog; ketua kelompok tani; Kepala Badan Pangan Nasional",
            "menyerap; menyalurkan; memanen; mengimpor; menstabilkan",
            "Beras; Bulog; Petani; Pupuk; Ketahanan Pangan; Harga Pangan",
        ),
        _t(
            "pariwisata",
            "destinasi wisata; kunjungan wisatawan mancanegara; libur panjang; desa wisata;"
            " tiket masuk; festival budaya; hotel dan restoran; pantai",
            "Menteri Pariwisata; pengelola objek wisata; pemandu wisata; Kepala Dinas Pariwisata",
            "mempromosikan; membuka; menata; menarik; mengembangkan",
            "Pariwisata; Wisata; Liburan; Desa Wisata; Wisatawan; Festival",
        ),
        _t(
            "ketenagakerjaan",
            "upah minimum; pemutusan hubungan kerja; tenaga kerja asing; lowongan kerja;"
            " jaminan hari tua; kartu prakerja; pekerja migran; serikat buruh",
            "Menteri Ketenagakerjaan; presiden serikat pekerja; pengusaha garmen; Kepala Disnaker",
            "menetapkan; menuntut; menyerap; melindungi; merekrut",
            "UMP; PHK; Buruh; Lowongan Kerja; BPJS Ketenagakerjaan; Pekerja Migran",
        ),
        _t(
            "cek-fakta",
            "klaim yang beredar; unggahan viral; video hoaks; tangkapan layar;"
            " informasi menyesatkan; foto lama; narasi keliru; pesan berantai",
            "tim Cek Fakta; pemeriksa fakta; warganet; akun media sosial",
            "menelusuri; membantah; memverifikasi; menyebarkan; mengonfirmasi",
            "Cek Fakta; Hoaks; Disinformasi; Viral; Media Sosial; Klarifikasi",
        ),
        _t(
            "infrastruktur",
            "proyek jalan tol; bendungan; jembatan gantung; bandara baru; Ibu Kota Nusantara;"
            " rumah subsidi; saluran irigasi; proyek strategis nasional",
            "Menteri PUPR; kontraktor pelaksana; Kepala Balai Besar; kepala proyek",
            "membangun; meresmikan; merampungkan; mengerjakan; menganggarkan",
            "Infrastruktur; Jalan Tol; IKN; Bendungan; Proyek Strategis Nasional; PUPR",
        ),
    )
}

# Channel slug -> (display name, [(subcategory slug, display name, topic slugs)]).
CHANNELS: dict[str, tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]]] = {
    "news": (
        "News",
        (
            ("politik", "Politik", ("politik", "pemilu")),
            ("hukum", "Hukum", ("hukum-korupsi", "kriminalitas")),
            ("peristiwa", "Peristiwa", ("bencana", "transportasi", "infrastruktur")),
            ("pendidikan", "Pendidikan", ("pendidikan", "agama")),
            ("nasional", "Nasional", ("pertahanan-keamanan", "politik")),
        ),
    ),
    "bisnis": (
        "Bisnis",
        (
            ("ekonomi", "Ekonomi", ("ekonomi", "ketenagakerjaan", "pangan-pertanian")),
            ("saham", "Saham", ("pasar-keuangan",)),
            ("energi-dan-tambang", "Energi & Tambang", ("energi",)),
            ("properti", "Properti", ("infrastruktur", "ekonomi")),
        ),
    ),
    "bola": (
        "Bola",
        (
            ("indonesia", "Indonesia", ("sepak-bola",)),
            ("inggris", "Inggris", ("sepak-bola",)),
            ("sports", "Sports", ("olahraga",)),
        ),
    ),
    "showbiz": (
        "Showbiz",
        (("celeb", "Celeb", ("hiburan",)), ("film", "Film", ("hiburan",))),
    ),
    "tekno": (
        "Tekno",
        (
            ("gadget", "Gadget", ("teknologi",)),
            ("internet", "Internet", ("teknologi", "kripto")),
        ),
    ),
    "global": (
        "Global",
        (
            ("internasional", "Internasional", ("internasional",)),
            ("asia", "Asia", ("internasional", "pertahanan-keamanan")),
        ),
    ),
    "regional": (
        "Regional",
        (
            ("jawa-barat", "Jawa Barat", ("bencana", "cuaca-iklim", "kriminalitas")),
            ("sumut", "Sumut", ("lingkungan", "pangan-pertanian")),
            ("bali", "Bali", ("pariwisata", "lingkungan")),
        ),
    ),
    "health": (
        "Health",
        (("read", "Read", ("kesehatan",)), ("info-kesehatan", "Info Kesehatan", ("kesehatan",))),
    ),
    "lifestyle": (
        "Lifestyle",
        (
            ("fashion", "Fashion", ("gaya-hidup",)),
            ("travel", "Travel", ("pariwisata", "gaya-hidup")),
        ),
    ),
    "otomotif": (
        "Otomotif",
        (
            ("mobil", "Mobil", ("otomotif", "energi")),
            ("motor", "Motor", ("otomotif", "transportasi")),
        ),
    ),
    "cek-fakta": (
        "Cek Fakta",
        (
            ("hoaks", "Hoaks", ("cek-fakta", "politik")),
            ("kesehatan", "Kesehatan", ("cek-fakta", "kesehatan")),
        ),
    ),
    "hot": ("Hot", (("hot", "Hot", ("hiburan", "gaya-hidup")),)),
}

FIRST_NAMES = [
    "Adi",
    "Bayu",
    "Citra",
    "Dewi",
    "Eka",
    "Fajar",
    "Gita",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Mahesa",
    "Nanda",
    "Oki",
    "Putri",
    "Rizky",
    "Sari",
    "Teguh",
    "Utami",
    "Wulan",
    "Yoga",
    "Zahra",
    "Arif",
    "Bagas",
    "Dimas",
    "Fitri",
    "Galih",
    "Intan",
    "Laras",
]
LAST_NAMES = [
    "Pratama",
    "Saputra",
    "Wibowo",
    "Lestari",
    "Nugroho",
    "Hidayat",
    "Permana",
    "Kusuma",
    "Santoso",
    "Wijaya",
    "Rahmawati",
    "Setiawan",
    "Anggraini",
    "Firmansyah",
    "Maharani",
    "Purnomo",
    "Syahputra",
    "Handayani",
    "Gunawan",
    "Ramadhani",
]
PLACES = [
    "Jakarta",
    "Bandung",
    "Surabaya",
    "Semarang",
    "Yogyakarta",
    "Medan",
    "Makassar",
    "Denpasar",
    "Palembang",
    "Padang",
    "Pontianak",
    "Manado",
    "Mataram",
    "Kupang",
    "Ambon",
    "Jayapura",
    "Malang",
    "Bogor",
    "Solo",
    "Cirebon",
]
FOREIGN_PLACES = ("Seoul", "Tokyo", "Canberra", "Singapura", "Jenewa", "Brussel", "Kairo")
ORGS = (
    "Pemerintah Provinsi",
    "Kementerian terkait",
    "pemerintah kota",
    "lembaga swadaya masyarakat",
    "asosiasi pengusaha",
    "komunitas warga",
)
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
MONTHS_FULL = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]

# Sentence templates; slots: {actor} {name} {thing} {thing2} {verb} {place} {org} {num} {when}.
SENTENCES = (
    "{actor} {name} mengatakan {thing} menjadi perhatian utama pemerintah"
    " dalam beberapa pekan terakhir.",
    "Menurut {actor}, {thing} perlu ditangani bersama agar tidak berdampak pada {thing2}.",
    "{org} {verb} {thing} di {place} sejak awal pekan ini.",
    "Sebanyak {num} orang tercatat terlibat dalam {thing} yang berlangsung di {place}.",
    "Data terbaru menunjukkan {thing} meningkat hingga {num} persen dibandingkan tahun lalu.",
    "Ia menegaskan pihaknya akan terus {verb} {thing2} sesuai aturan yang berlaku.",
    "Sejumlah warga {place} mengaku merasakan langsung dampak {thing}.",
    "Rencananya, pembahasan lanjutan mengenai {thing2} digelar pada {when}.",
    "Pihaknya juga meminta masyarakat tidak mudah percaya pada kabar yang belum jelas sumbernya.",
    "{name} menambahkan, koordinasi dengan {org} terus dilakukan setiap hari.",
    "Hingga kini, {thing} masih menjadi bahan perbincangan di media sosial.",
    "Langkah tersebut diambil setelah {thing2} dinilai belum berjalan optimal.",
    "Kondisi ini diperkirakan berlangsung hingga akhir bulan, tergantung perkembangan di lapangan.",
    "Pada kesempatan yang sama, {actor} memaparkan sedikitnya {num} langkah yang telah disiapkan.",
)
QUOTES = (
    "Kami pastikan {thing} berjalan sesuai rencana dan masyarakat tidak perlu khawatir",
    "Ini bukan pekerjaan satu pihak saja, semua harus ikut mengawal {thing2}",
    "Kami masih menunggu hasil evaluasi, setelah itu baru diputuskan langkah berikutnya",
    "Target kami jelas, {thing} harus selesai tepat waktu",
)
HEADLINES = (
    "{Actor} Ungkap Fakta Baru soal {Thing}",
    "{Thing} di {place} Jadi Sorotan, Ini Kata {Actor}",
    "{num} Hal Penting tentang {Thing} yang Perlu Diketahui",
    "{Org} {Verb} {Thing} Mulai Pekan Depan",
    "Soal {Thing}, {name} Minta Semua Pihak Tenang",
    "Tanggapan {Actor} Usai {Thing} Ramai Dibicarakan",
    "{Thing} Meningkat, {Org} Siapkan Langkah Antisipasi",
)
PAGE_TITLES = (
    "Tanggapan Pemerintah",
    "Kronologi Kejadian",
    "Langkah Selanjutnya",
    "Respons Warga",
    "Data dan Fakta",
    "Penjelasan Ahli",
    "Dampak bagi Masyarakat",
)
CAPTIONS = (
    "Suasana {thing} di {place}, {when}. (Liputan6.com/{credit})",
    "Petugas memantau {thing} di kawasan {place}. (Liputan6.com/{credit})",
    "Ilustrasi {thing}. (Foto: Liputan6.com/{credit})",
    "Sejumlah warga menyaksikan {thing} di {place}. (Dok. {org})",
)
CREDIT_CODES = ("Dio/Ysl", "Ade/Rcy", "Nrm/Gdn", "Tyo/Dhi", "Ism/Why")
