from __future__ import annotations

from decimal import Decimal as D

import pytest

from skp import rules

# Every cell of domain.md's tables: (jenjang, lokasi, univ) -> (SB, B, BP ranges, Kurang bound).
TABEL = {
    ("s1", "dalam_negeri", "A"): ("3.51–4.00", "3.01–3.50", "2.76–3.00", "< 2.76"),
    ("s1", "dalam_negeri", "B"): ("3.61–4.00", "3.10–3.60", "2.76–3.09", "< 2.76"),
    ("s1", "dalam_negeri", "C"): ("3.71–4.00", "3.20–3.70", "2.76–3.19", "< 2.76"),
    ("profesi_s2_s3", "dalam_negeri", "A"): ("3.51–4.00", "3.20–3.50", "3.00–3.19", "< 3.00"),
    ("profesi_s2_s3", "dalam_negeri", "B"): ("3.61–4.00", "3.25–3.60", "3.00–3.24", "< 3.00"),
    ("profesi_s2_s3", "dalam_negeri", "C"): ("3.71–4.00", "3.30–3.70", "3.00–3.29", "< 3.00"),
    ("s1", "luar_negeri", ""): ("3.51–4.00", "3.01–3.50", "2.76–3.00", "< 2.76"),
    ("profesi_s2_s3", "luar_negeri", ""): ("3.51–4.00", "3.20–3.50", "3.00–3.19", "< 3.00"),
}
KODE = ["sangat_baik", "baik", "butuh_perbaikan", "kurang"]


@pytest.mark.parametrize("key,cells", TABEL.items())
def test_ipk_bands_match_every_cell_of_the_regulation_table(key, cells):
    jenjang, lokasi, univ = key
    bands = rules.ipk_bands(jenjang=jenjang, lokasi=lokasi, akreditasi_univ=univ)
    assert [b.teks for b in bands] == list(cells)
    assert [b.predikat for b in bands] == KODE


@pytest.mark.parametrize("key,cells", TABEL.items())
def test_predikat_ipk_at_both_edges_of_every_band(key, cells):
    jenjang, lokasi, univ = key
    for kode, cell in zip(KODE, cells, strict=True):
        if cell.startswith("<"):
            atas = D(cell[2:]) - D("0.01")
            assert (
                rules.predikat_ipk(atas, jenjang=jenjang, lokasi=lokasi, akreditasi_univ=univ)
                == kode
            )
            assert (
                rules.predikat_ipk(D("0"), jenjang=jenjang, lokasi=lokasi, akreditasi_univ=univ)
                == kode
            )
            continue
        bawah, atas = (D(x) for x in cell.split("–"))
        for ipk in (bawah, atas):
            assert (
                rules.predikat_ipk(ipk, jenjang=jenjang, lokasi=lokasi, akreditasi_univ=univ)
                == kode
            ), (key, ipk)


def test_abroad_ignores_university_accreditation():
    assert rules.predikat_ipk(
        D("3.55"), jenjang="s1", lokasi="luar_negeri", akreditasi_univ="C"
    ) == ("sangat_baik")


def test_ipk_between_tabled_values_falls_in_the_lower_band():
    assert (
        rules.predikat_ipk(D("3.505"), jenjang="s1", lokasi="dalam_negeri", akreditasi_univ="A")
        == "baik"
    )


@pytest.mark.parametrize("ipk", [D("-0.01"), D("4.01")])
def test_ipk_out_of_range_is_refused(ipk):
    with pytest.raises(ValueError):
        rules.predikat_ipk(ipk, jenjang="s1", lokasi="dalam_negeri", akreditasi_univ="A")


@pytest.mark.parametrize(
    "kw",
    [
        {"jenjang": "d3", "lokasi": "dalam_negeri", "akreditasi_univ": "A"},
        {"jenjang": "s1", "lokasi": "mars", "akreditasi_univ": "A"},
        {"jenjang": "s1", "lokasi": "dalam_negeri", "akreditasi_univ": "D"},
    ],
)
def test_unknown_study_is_refused(kw):
    with pytest.raises(ValueError):
        rules.ipk_bands(**kw)


@pytest.mark.parametrize(
    "univ,prodi,ok",
    [
        ("A", "A", True),
        ("A", "B", True),
        ("A", "C", True),
        ("B", "A", True),
        ("B", "B", True),
        ("B", "C", True),
        ("C", "A", True),
        ("C", "B", True),
        ("C", "C", False),
        ("A", "", False),
        ("X", "A", False),
    ],
)
def test_programme_accreditation_minimum(univ, prodi, ok):
    assert rules.prodi_memenuhi(univ, prodi) is ok


def test_berakhlak_has_the_seven_values_in_order_with_the_official_harmonis_guides():
    assert rules.BERAKHLAK_KODE == [
        "berorientasi_pelayanan",
        "akuntabel",
        "kompeten",
        "harmonis",
        "loyal",
        "adaptif",
        "kolaboratif",
    ]
    assert all(len(g) == 3 for _, _, g in rules.BERAKHLAK)
    assert rules.BERAKHLAK_PANDUAN["harmonis"][0].startswith("Menghargai setiap orang")
    # The deck's erratum: Harmonis must not repeat Berorientasi Pelayanan's guides.
    assert set(rules.BERAKHLAK_PANDUAN["harmonis"]).isdisjoint(
        rules.BERAKHLAK_PANDUAN["berorientasi_pelayanan"]
    )


def test_diff_matches_rows_by_kunci():
    lama = [{"kunci": "a", "rencana": "A"}, {"kunci": "b", "rencana": "B"}]
    baru = [{"kunci": "a", "rencana": "A2"}, {"kunci": "c", "rencana": "C"}]
    d = {(c.jenis, c.kunci): c for c in rules.diff_versi(lama, baru)}
    assert set(d) == {("ubah", "a"), ("tambah", "c"), ("hapus", "b")}
    assert d[("ubah", "a")].field == [("rencana", "A", "A2")]
    assert rules.diff_versi(lama, lama) == []
