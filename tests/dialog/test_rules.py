"""Pure rules of the dialog stage, table by table."""

from __future__ import annotations

import pytest

from dialog import rules
from tests.dialog.conftest import docx_bytes, pdf_bytes, png_bytes, xlsx_bytes

# pemberi 1, penerima 2; the receiver's penilai 10
HUBUNGAN = [
    # (pemberi_penilai, penerima_penilai, pemberi_tugas_ids, pemberi, expected)
    (None, 1, (), 1, rules.PEJABAT_PENILAI),  # the penilai
    (99, 10, {1}, 1, rules.PEMBERI_TUGAS),  # assigned approved work
    (10, 10, (), 1, rules.REKAN),  # same penilai
    (2, 10, (), 1, rules.BAWAHAN),  # the giver is rated by the receiver
    (99, 10, (), 1, rules.LAINNYA),
    (None, None, (), 1, rules.LAINNYA),  # nobody rated: no peers by accident (None == None)
    (None, 1, {1}, 1, rules.PEJABAT_PENILAI),  # penilai who also assigned: the penilai wins
    (10, 10, {1}, 1, rules.PEMBERI_TUGAS),  # peer who assigned work: assigner wins
]


@pytest.mark.parametrize(
    ("pemberi_penilai", "penerima_penilai", "tugas", "pemberi", "expected"), HUBUNGAN
)
def test_hubungan_derived_from_the_organisation(
    pemberi_penilai, penerima_penilai, tugas, pemberi, expected
):
    assert (
        rules.derive_hubungan(
            pemberi_id=pemberi,
            penerima_id=2,
            penerima_penilai_id=penerima_penilai,
            pemberi_penilai_id=pemberi_penilai,
            pemberi_tugas_ids=tugas,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("jenis", "ketua", "plt", "ok"),
    [
        ("pimpinan_instansi", False, False, True),
        ("jpt_pratama", False, False, True),
        ("administrator", False, False, True),
        ("pengawas", False, False, True),
        ("pelaksana", False, False, False),
        ("fungsional", False, False, False),
        ("fungsional", True, False, True),  # ketua tim
        ("pelaksana", False, True, True),  # acting (Plt) in a position
        (None, False, False, False),
    ],
)
def test_who_may_propose_an_assignment(jenis, ketua, plt, ok):
    assert rules.boleh_menugaskan(jenis_jabatan=jenis, ketua_tim=ketua, plt=plt) is ok


@pytest.mark.parametrize(
    ("dari", "ke", "ok"),
    [
        ("diusulkan", "disetujui", True),
        ("diusulkan", "ditolak", True),
        ("disetujui", "ditolak", False),
        ("ditolak", "disetujui", False),
        ("disetujui", "disetujui", False),
        ("diusulkan", "diusulkan", False),
    ],
)
def test_a_decision_is_taken_once(dari, ke, ok):
    assert rules.transisi_sah(dari, ke) is ok


BATAS = 1024 * 1024


def _cek(nama: str, data: bytes, batas: int = BATAS):
    return rules.periksa_berkas(
        nama=nama, kepala=data[: rules.BYTES_DIPERIKSA], ukuran=len(data), batas=batas
    )


@pytest.mark.parametrize(
    ("nama", "maker", "ekstensi"),
    [
        ("laporan.pdf", pdf_bytes, "pdf"),
        ("foto.PNG", png_bytes, "png"),
        ("rekap.xlsx", xlsx_bytes, "xlsx"),
        ("nota.docx", docx_bytes, "docx"),
    ],
)
def test_allowed_types_are_recognised_by_content(nama, maker, ekstensi):
    assert _cek(nama, maker()).ekstensi == ekstensi


def test_jpeg_accepts_both_extensions():
    jpg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
    assert _cek("a.jpg", jpg).ekstensi == "jpg"
    assert _cek("a.jpeg", jpg).ekstensi == "jpg"


def test_lying_extension_is_refused_with_a_message_naming_both():
    with pytest.raises(rules.BerkasDitolak, match=r"\(\.pdf\).*\(PNG\)"):
        _cek("laporan.pdf", png_bytes())


def test_empty_file_is_refused():
    with pytest.raises(rules.BerkasDitolak, match="kosong"):
        _cek("a.pdf", b"")


def test_too_large_is_refused():
    with pytest.raises(rules.BerkasDitolak, match="melebihi batas 1 MB"):
        rules.periksa_berkas(nama="a.pdf", kepala=pdf_bytes(), ukuran=BATAS + 1, batas=BATAS)


@pytest.mark.parametrize(
    ("nama", "data"),
    [
        ("catatan.pdf", b"hanya teks biasa, bukan PDF"),
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 200),
        ("arsip.zip", b"PK\x03\x04" + b"\x00" * 200),
        ("gambar.gif", b"GIF89a" + b"\x00" * 100),
    ],
)
def test_types_not_allowed_are_refused(nama, data):
    with pytest.raises(rules.BerkasDitolak, match="tidak diizinkan"):
        _cek(nama, data)
