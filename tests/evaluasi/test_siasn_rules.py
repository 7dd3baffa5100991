"""evaluasi/siasn/rules.py, table by table (no database)."""

from __future__ import annotations

import pytest

from evaluasi.siasn import rules


@pytest.mark.parametrize(
    "jenis, nama, kode",
    [
        ("perilaku_kinerja", "DIATAS EKSPEKTASI", "diatas_ekspektasi"),
        ("perilaku_kinerja", "Di Atas Ekspektasi", "diatas_ekspektasi"),
        ("perilaku_kinerja", "sesuai ekspektasi", "sesuai_ekspektasi"),
        ("perilaku_kinerja", "Dibawah Ekspektasi", "dibawah_ekspektasi"),
        ("perilaku_kinerja", "Luar biasa", None),
        ("kuadran", "SANGAT BAIK", "sangat_baik"),
        ("kuadran", "Baik", "baik"),
        ("kuadran", "Butuh Perbaikan", "butuh_perbaikan"),
        ("kuadran", "Cukup", "butuh_perbaikan"),
        ("kuadran", "Kurang/Misconduct", "kurang"),
        ("kuadran", "Sangat Kurang", "sangat_kurang"),
        ("golongan", "III/a", "III/a"),
        ("golongan", "iii/A", "III/a"),
        ("golongan", "IV/e (Pembina Utama)", "IV/e"),
        ("golongan", "Penata Muda Tingkat I", "III/b"),
        ("golongan", "IX", "PPPK IX"),
        ("golongan", "PPPK XVII", "PPPK XVII"),
        ("golongan", "V/a", None),
        ("periodik", "Triwulan", "triwulanan"),
        ("periodik", "SEMESTERAN", "semesteran"),
        ("periodik", "Bulanan", "bulanan"),
        ("koefisien", "Ahli Muda", "ahli_muda"),
        ("koefisien", "Penyelia", "penyelia"),
        ("koefisien", "Non JF", "non_jf"),
        ("koefisien", "", None),
    ],
)
def test_a_siasn_export_row_is_recognised_by_its_name(jenis, nama, kode):
    assert rules.nama_ke_kode(jenis, nama) == kode


@pytest.mark.parametrize(
    "text, jenis",
    [
        ("perilakuDanKinerja", "perilaku_kinerja"),
        ("kuadranNilai", "kuadran"),
        ("golonganPns", "golongan"),
        ("periodik", "periodik"),
        ("koefisien", "koefisien"),
        ("perilaku_kinerja", "perilaku_kinerja"),
        ("agama", None),
    ],
)
def test_reference_lists_are_named_by_siasn_or_kinerja(text, jenis):
    assert rules.jenis_referensi_dari(text) == jenis


@pytest.mark.parametrize(
    "golongan, jenis_asn, kode",
    [
        ("III/d", "pns", "III/d"),
        ("iv / a", "pns", "IV/a"),
        ("IX", "pppk", "PPPK IX"),
        ("", "pns", ""),
        ("", "pejabat_negara", ""),
    ],
)
def test_golongan_key(golongan, jenis_asn, kode):
    assert rules.kode_golongan(golongan, jenis_asn) == kode


@pytest.mark.parametrize(
    "jenis, jenjang, nama, kode",
    [
        ("fungsional", "ahli_muda", "Analis SDM Aparatur Ahli Muda", "ahli_muda"),
        ("fungsional", "", "Pranata Komputer Terampil", "terampil"),
        ("fungsional", "", "Analis Kebijakan Ahli Pertama", "ahli_pertama"),
        ("fungsional", "", "Guru", "non_jf"),
        ("pelaksana", "", "Pengolah Data Ahli Muda", "non_jf"),
        ("pengawas", None, "Kepala Subbidang", "non_jf"),
        (None, None, "", "non_jf"),
    ],
)
def test_koefisien_key_is_the_jenjang_of_a_jabatan_fungsional(jenis, jenjang, nama, kode):
    assert rules.kode_koefisien(jenis, jenjang, nama) == kode


@pytest.mark.parametrize(
    "jenis_asn, status", [("pns", "ASN"), ("pppk", "ASN"), ("pejabat_negara", "NON ASN")]
)
def test_status_penilai(jenis_asn, status):
    assert rules.status_penilai(jenis_asn) == status


@pytest.mark.parametrize(
    "jenis, nilai, ok",
    [
        ("kuadran", "3", True),
        ("kuadran", "", True),
        ("kuadran", "03a", False),
        ("golongan", "31", True),
        ("koefisien", "a1b2-C3.d_4", True),
        ("koefisien", "=1+1", False),
        ("koefisien", "x" * 41, False),
    ],
)
def test_siasn_codes_are_checked(jenis, nilai, ok):
    assert (rules.nilai_error(jenis, nilai) is None) is ok


def test_shipped_golongan_defaults_are_siasns_two_digit_ids():
    g = rules.BAWAAN["golongan"]
    assert (g["I/a"], g["II/d"], g["III/a"], g["III/d"], g["IV/e"]) == (
        "11",
        "24",
        "31",
        "34",
        "45",
    )
    assert g["PPPK IX"] == ""  # unknown: no guess shipped


def test_every_code_has_a_default_and_every_default_a_code():
    for jenis, kodes in rules.KODE.items():
        assert set(rules.BAWAAN[jenis]) == set(kodes), jenis


def test_payload_is_exactly_siasns_save_schema_with_the_id_when_known():
    rec = dict.fromkeys(rules.kolom(rules.PERIODIK), 1)
    p = rules.payload(rules.PERIODIK, rec)
    assert set(p) == set(rules.SKEMA[rules.PERIODIK])
    assert "penilaiJabatan" not in p and "pnsDinilaiOrang" not in p
    assert rules.payload(rules.SKP22, {**rec, "id": "X"})["id"] == "X"
    assert "pnsDinilaiId" not in rules.payload(rules.SKP22, rec)


def test_missing_fields_are_named():
    isi = dict.fromkeys(rules.SKEMA[rules.SKP22], "x")
    isi.update(statusPenilai="ASN", penilaiGolongan="", hasilKinerjaNilai=None, penilaiNama="")
    assert rules.kosong(rules.SKP22, isi) == ["hasilKinerjaNilai", "penilaiGolongan", "penilaiNama"]


def test_a_non_asn_penilai_may_have_no_nip_and_no_golongan():
    isi = dict.fromkeys(rules.SKEMA[rules.SKP22], "x")
    isi.update(statusPenilai="NON ASN", penilaiGolongan="", penilaiNipNrp="", penilaiNama="")
    assert rules.kosong(rules.SKP22, isi) == ["penilaiNama"]


def test_text_fields_are_sent_as_strings():
    p = rules.payload(rules.SKP22, dict.fromkeys(rules.kolom(rules.SKP22)))
    assert p["penilaiGolongan"] == "" and p["hasilKinerjaNilai"] is None
