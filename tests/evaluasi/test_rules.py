"""The regulation's tables, cell by cell (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluasi import rules as r

A, S, B = r.DIATAS, r.SESUAI, r.DIBAWAH
SB, BK, BP, KR, SK = r.SANGAT_BAIK, r.BAIK, r.BUTUH_PERBAIKAN, r.KURANG, r.SANGAT_KURANG

# --- quadrant ------------------------------------------------------------------------------
NINE = [
    (A, B, KR), (A, S, BK), (A, A, SB),
    (S, B, KR), (S, S, BK), (S, A, BK),
    (B, B, SK), (B, S, BP), (B, A, BP),
]  # fmt: skip


@pytest.mark.parametrize(("hasil", "perilaku", "expected"), NINE)
def test_quadrant_cell(hasil, perilaku, expected):
    assert r.predikat(hasil, perilaku) == expected


def test_quadrant_has_exactly_nine_cells_covering_every_pair():
    assert {(h, p) for h, p, _ in NINE} == {(h, p) for h in r.RATING for p in r.RATING}
    assert len(r.KUADRAN) == 9


def test_perilaku_below_is_always_misconduct_column():
    for h in r.RATING:
        assert r.predikat(h, B) in {KR, SK}
        assert r.misconduct(B)
    assert not r.misconduct(S)


def test_quadrant_refuses_unknown_codes():
    with pytest.raises(ValueError):
        r.predikat("baik", S)
    with pytest.raises(ValueError):
        r.predikat(A, "")


# --- unit heads ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("org", "rating"),
    [("istimewa", A), ("baik", S), ("butuh_perbaikan", B), ("kurang", B), ("sangat_kurang", B)],
)
def test_unit_head_rating_hasil_from_kinerja_organisasi(org, rating):
    assert r.rating_hasil_dari_organisasi(org) == rating


def test_unit_head_mapping_refuses_unknown():
    with pytest.raises(ValueError):
        r.rating_hasil_dari_organisasi("sangat_baik")


# --- suggestion ------------------------------------------------------------------------------
def test_suggestion_none_when_nothing_rated():
    assert r.saran_rating_hasil([("utama", None)], ["apresiasi"]).rating is None


def test_suggestion_diatas_needs_most_above_no_utama_below_and_some_praise():
    rhk = [("utama", A), ("utama", A), ("tambahan", S)]
    assert r.saran_rating_hasil(rhk, ["apresiasi", "perbaikan"]).rating == A
    # no praise at all: only sesuai, and the reason says why
    s = r.saran_rating_hasil(rhk, [])
    assert s.rating == S and any("apresiasi" in a for a in s.alasan)
    # one utama below: not di atas
    assert (
        r.saran_rating_hasil([("utama", A), ("utama", A), ("utama", B)], ["apresiasi"]).rating == S
    )
    # half above is not "most"
    assert r.saran_rating_hasil([("utama", A), ("utama", S)], ["apresiasi"]).rating == S


def test_suggestion_dibawah_needs_most_utama_below_and_feedback_not_mostly_positive():
    rhk = [("utama", B), ("utama", B), ("utama", S), ("tambahan", A)]
    assert r.saran_rating_hasil(rhk, ["perbaikan", "perbaikan", "apresiasi"]).rating == B
    assert r.saran_rating_hasil(rhk, []).rating == B
    assert r.saran_rating_hasil(rhk, ["apresiasi", "apresiasi", "perbaikan"]).rating == S
    # tambahan below does not count towards "utama below"
    assert r.saran_rating_hasil([("utama", S), ("tambahan", B), ("tambahan", B)], []).rating == S


def test_suggestion_sesuai_for_expected_results():
    assert r.saran_rating_hasil([("utama", S), ("utama", S)], ["apresiasi"]).rating == S


def test_suggestion_without_utama_uses_all_rows():
    assert r.saran_rating_hasil([("tambahan", B)], ["perbaikan"]).rating == B


@pytest.mark.parametrize(("band", "rating"), [(SB, A), (BK, S), (BP, B), (KR, B)])
def test_tugas_belajar_ipk_band_to_rating(band, rating):
    assert r.rating_hasil_dari_predikat_ipk(band) == rating


# --- distribution guidance -----------------------------------------------------------------
def c(sb=0, b=0, bp=0, k=0, sk=0):
    return {SB: sb, BK: b, BP: bp, KR: k, SK: sk}


def msgs(org, counts):
    return [p.pesan for p in r.periksa_distribusi(org, counts)]


@pytest.mark.parametrize("org", r.PREDIKAT_ORG)
def test_empty_unit_has_nothing_to_warn(org):
    assert r.periksa_distribusi(org, {}) == []
    assert r.bandingkan(org, c()) == []


@pytest.mark.parametrize("org", r.PREDIKAT_ORG)
@pytest.mark.parametrize("pred", r.PREDIKAT)
def test_unit_of_one_is_compared_but_never_warned(org, pred):
    counts = {pred: 1}
    assert r.periksa_distribusi(org, counts) == []
    # the comparison itself is still computed for display
    assert isinstance(r.bandingkan(org, counts), list)


def test_unit_of_four_not_warned_unit_of_five_warned():
    assert r.periksa_distribusi("baik", c(b=4)) == []
    assert msgs("baik", c(b=5)) == [
        "Baik 5 dari 5 = 100% > 70%",
        "Butuh Perbaikan dan/atau Kurang 0 dari 5 = 0%; pedoman: paling sedikit 1 orang",
    ]


# Istimewa: Sangat Baik is the mode (largest group), at most 70%.
def test_istimewa_within_guidance():
    assert msgs("istimewa", c(sb=7, b=2, bp=1)) == []
    assert msgs("istimewa", c(sb=4, b=4, bp=2)) == []  # a tie is still the largest


def test_istimewa_sangat_baik_above_70():
    assert msgs("istimewa", c(sb=8, b=2)) == ["Sangat Baik 8 dari 10 = 80% > 70%"]


def test_istimewa_sangat_baik_not_largest():
    assert msgs("istimewa", c(sb=3, b=5, bp=2)) == [
        "Sangat Baik (3 dari 10) bukan kelompok terbesar: Baik 5 dari 10 = 50%"
    ]


# Baik: Baik the mode at most 70%, at least one BP and/or Kurang.
def test_baik_within_guidance():
    assert msgs("baik", c(sb=2, b=6, bp=1, k=1)) == []
    assert msgs("baik", c(b=6, k=1, sk=3)) == []


def test_baik_needs_one_below():
    assert msgs("baik", c(sb=3, b=7)) == [
        "Butuh Perbaikan dan/atau Kurang 0 dari 10 = 0%; pedoman: paling sedikit 1 orang"
    ]


def test_baik_mode_and_share():
    assert msgs("baik", c(b=8, bp=1, k=1)) == ["Baik 8 dari 10 = 80% > 70%"]
    assert msgs("baik", c(sb=5, b=3, bp=2)) == [
        "Baik (3 dari 10) bukan kelompok terbesar: Sangat Baik 5 dari 10 = 50%"
    ]


# Butuh Perbaikan: BP at least 60%, SB at most 10%.
def test_butuh_perbaikan_within_guidance():
    assert msgs("butuh_perbaikan", c(sb=1, b=2, bp=6, k=1)) == []


def test_butuh_perbaikan_bounds():
    assert msgs("butuh_perbaikan", c(sb=3, b=2, bp=12, k=3)) == [
        "Sangat Baik 3 dari 20 = 15% > 10%"
    ]
    assert msgs("butuh_perbaikan", c(b=5, bp=5)) == ["Butuh Perbaikan 5 dari 10 = 50% < 60%"]


# Kurang: K at least 60%, BP at least 10%, SB at most 10%.
def test_kurang_within_guidance():
    assert msgs("kurang", c(sb=1, bp=1, k=6, sk=2)) == []


def test_kurang_bounds():
    assert msgs("kurang", c(sb=2, b=1, k=7)) == [
        "Butuh Perbaikan 0 dari 10 = 0% < 10%",
        "Sangat Baik 2 dari 10 = 20% > 10%",
    ]
    assert msgs("kurang", c(bp=5, k=5)) == ["Kurang 5 dari 10 = 50% < 60%"]


# Sangat Kurang: SK at least 60%, K and/or BP together at least 10%, no SB.
def test_sangat_kurang_within_guidance():
    assert msgs("sangat_kurang", c(b=2, bp=1, sk=7)) == []
    assert msgs("sangat_kurang", c(k=1, sk=9)) == []


def test_sangat_kurang_bounds():
    assert msgs("sangat_kurang", c(sb=1, b=1, sk=8)) == [
        "Kurang dan/atau Butuh Perbaikan 0 dari 10 = 0% < 10%",
        "Sangat Baik 1 dari 10 = 10% > 0% (tidak boleh ada)",
    ]
    assert msgs("sangat_kurang", c(b=5, k=1, sk=4)) == [
        "Sangat Kurang 4 dari 10 = 40% < 60%",
        "Sangat Kurang (4 dari 10) bukan kelompok terbesar: Baik 5 dari 10 = 50%",
    ]


def test_percent_uses_indonesian_decimal_comma():
    assert r.persen(1, 3) == "33,3%"
    assert r.persen(3, 20) == "15%"
    assert r.persen(0, 0) == "0%"


def test_pedoman_ranges_for_api():
    assert r.pedoman("istimewa").rentang[SB] == (0, r.Fraction(7, 10))
    assert r.pedoman("kurang").rentang[BP] == (r.Fraction(1, 10), 1)
    assert r.pedoman("sangat_kurang").rentang[SB] == (0, 0)
    for org in r.PREDIKAT_ORG:
        p = r.pedoman(org)
        assert set(p.rentang) == set(r.PREDIKAT)
        assert p.modus in r.PREDIKAT
        assert p.uraian
    with pytest.raises(ValueError):
        r.pedoman("sangat_baik")


# --- penghargaan ---------------------------------------------------------------------------
def test_penghargaan_two_years_running():
    assert r.penghargaan({2025: SB, 2026: SB}, 2026) == r.TALENT_POOL
    assert r.penghargaan({2025: BK, 2026: BK}, 2026) == r.PENGEMBANGAN
    assert r.penghargaan({2025: SB, 2026: BK}, 2026) is None
    assert r.penghargaan({2024: SB, 2026: SB}, 2026) is None  # not consecutive
    assert r.penghargaan({2026: SB}, 2026) is None


# --- nine-box ------------------------------------------------------------------------------
BOXES = [
    (r.TINGGI, SB, 9), (r.TINGGI, BK, 8), (r.TINGGI, BP, 6),
    (r.MENENGAH, SB, 7), (r.MENENGAH, BK, 5), (r.MENENGAH, KR, 3),
    (r.RENDAH, SB, 4), (r.RENDAH, BK, 2), (r.RENDAH, SK, 1),
]  # fmt: skip


@pytest.mark.parametrize(("potensi", "pred", "nomor"), BOXES)
def test_nine_box_number(potensi, pred, nomor):
    assert r.kotak_talenta(pred, potensi).nomor == nomor


def test_nine_box_recommendations_follow_domain():
    assert "Tugas belajar" in r.kotak_talenta(SB, r.MENENGAH).rekomendasi
    assert r.kotak_talenta(SK, r.RENDAH).sanksi
    assert not r.kotak_talenta(BP, r.TINGGI).sanksi
    assert "Mendapat penghargaan" in r.kotak_talenta(SB, r.TINGGI).rekomendasi
    assert r.kotak_talenta(BK, r.RENDAH).rekomendasi == (
        "Bimbingan kinerja",
        "Pengembangan kompetensi",
        "Penempatan yang sesuai",
    )
    assert sorted(k.nomor for k in r.KOTAK.values()) == list(range(1, 10))
    for pred in (BP, KR, SK):
        assert r.kinerja_talenta(pred) == B
    with pytest.raises(ValueError):
        r.kotak_talenta(SB, "sedang")


# --- sanctions -----------------------------------------------------------------------------
def test_sanction_path_jpt():
    j = r.jalur_sanksi("jpt_pratama")
    assert j == r.JALUR_JPT
    assert r.langkah_berikut(j, None) == (r.PERBAIKAN,)
    assert r.langkah_berikut(j, r.PERBAIKAN) == (r.KINERJA_TERPENUHI, r.UJI_KOMPETENSI)
    assert r.langkah_berikut(j, r.UJI_KOMPETENSI) == (r.PEMINDAHAN, r.PENURUNAN)
    assert r.langkah_berikut(j, r.PEMINDAHAN) == ()
    # no temporary placement or dismissal on the JPT path
    assert r.PENEMPATAN_SEMENTARA not in r.langkah_berikut(j, r.UJI_KOMPETENSI)


@pytest.mark.parametrize("jenis", ["pelaksana", "fungsional", "administrator", "pengawas"])
def test_sanction_path_ja_jf(jenis):
    j = r.jalur_sanksi(jenis)
    assert j == r.JALUR_JA_JF
    assert r.langkah_berikut(j, r.UJI_KOMPETENSI) == (
        r.PEMINDAHAN,
        r.PENURUNAN,
        r.PENEMPATAN_SEMENTARA,
    )
    assert r.langkah_berikut(j, r.PENEMPATAN_SEMENTARA) == (r.PEMINDAHAN, r.DIBERHENTIKAN)
    assert r.langkah_berikut(j, r.DIBERHENTIKAN) == ()


def test_sanction_deadlines():
    assert r.batas_langkah(r.PERBAIKAN, dt.date(2026, 1, 15)) == dt.date(2026, 7, 15)
    assert r.batas_langkah(r.PENEMPATAN_SEMENTARA, dt.date(2026, 2, 28)) == dt.date(2027, 2, 28)
    assert r.batas_langkah(r.PERBAIKAN, dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)
    assert r.batas_langkah(r.UJI_KOMPETENSI, dt.date(2026, 1, 1)) is None


# --- sanctions: who and when ---------------------------------------------------------------
@pytest.mark.parametrize("pred", r.PREDIKAT)
@pytest.mark.parametrize("potensi", [None, *r.POTENSI])
def test_sanction_candidates_are_performance_not_met_or_box_1(pred, potensi):
    box_1 = pred in (BP, KR, SK) and potensi == r.RENDAH
    assert r.calon_sanksi(pred, potensi) == (pred in (KR, SK) or box_1)


def test_steps_after_a_timed_one_wait_for_its_deadline():
    batas = dt.date(2026, 7, 10)
    assert r.mulai_paling_awal(r.UJI_KOMPETENSI, batas) == batas
    assert r.mulai_paling_awal(r.DIBERHENTIKAN, batas) == batas
    assert r.mulai_paling_awal(r.KINERJA_TERPENUHI, batas) is None
    assert r.mulai_paling_awal(r.PEMINDAHAN, batas) is None
    assert r.mulai_paling_awal(r.UJI_KOMPETENSI, None) is None


def _bandingkan_pecahan(predikat_org: str, counts: dict[str, int]) -> set[str]:
    """The bounds broken, checked with Fractions straight from the guidance (the reference the
    integer comparison in r.bandingkan must agree with)."""
    from fractions import Fraction

    p = r.pedoman(predikat_org)
    total = sum(counts.values())
    kodes = set()
    for bt in p.batas:
        n = sum(counts.get(k, 0) for k in bt.kelompok)
        share = Fraction(n, total)
        kode = "+".join(bt.kelompok)
        if bt.max is not None and share > bt.max:
            kodes.add(f"{kode}:max")
        if bt.min is not None and share < bt.min:
            kodes.add(f"{kode}:min")
        if bt.min_orang is not None and n < bt.min_orang:
            kodes.add(f"{kode}:min_orang")
        if bt.modus and any(counts.get(k, 0) > n for k in r.PREDIKAT if k not in bt.kelompok):
            kodes.add(f"{kode}:modus")
    return kodes


def test_bandingkan_agrees_with_fractions_for_every_small_unit():
    import itertools

    checked = 0
    for org in r.PEDOMAN:
        for total in range(1, 9):
            for cut in itertools.combinations(range(total + len(r.PREDIKAT) - 1), 4):
                # stars and bars: every way to spread `total` pegawai over the five predikat
                edges = (-1, *cut, total + len(r.PREDIKAT) - 1)
                n = [edges[i + 1] - edges[i] - 1 for i in range(len(r.PREDIKAT))]
                counts = dict(zip(r.PREDIKAT, n, strict=True))
                got = r.bandingkan(org, counts)
                assert {p.kode for p in got} == _bandingkan_pecahan(org, counts), (org, counts)
                assert r.diperingatkan(got, total) == bool(r.periksa_distribusi(org, counts))
                assert all(p.pesan for p in got)
                checked += 1
    assert checked > 5000
