from __future__ import annotations

import pytest

from dialog import demo
from dialog.models import BuktiDukung, DialogKinerja, Penugasan, TindakLanjut, UmpanBalik

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count() for m in (UmpanBalik, Penugasan, BuktiDukung, DialogKinerja, TindakLanjut)
    ]


def test_demo_has_every_kind_and_is_idempotent(org):
    demo.seed({})
    first = _counts()
    assert set(UmpanBalik.objects.values_list("hubungan", flat=True)) == {
        "pejabat_penilai",
        "pemberi_tugas",
        "rekan",
        "bawahan",
        "lainnya",
    }
    assert set(UmpanBalik.objects.values_list("jenis", flat=True)) == {"apresiasi", "perbaikan"}
    assert set(Penugasan.objects.values_list("status", flat=True)) == {
        "diusulkan",
        "disetujui",
        "ditolak",
    }
    assert Penugasan.objects.filter(pemberi__instansi=org.instansi_b).exists()
    assert Penugasan.objects.filter(sukarela=True).exists()
    assert set(BuktiDukung.objects.exclude(mime="").values_list("mime", flat=True)) == {
        "application/pdf",
        "image/png",
    }
    assert TindakLanjut.objects.count() == 2
    demo.seed({})
    assert _counts() == first


def test_demo_does_nothing_without_an_organisation(db):
    demo.seed({})
    assert _counts() == [0, 0, 0, 0, 0]


def test_demo_pdf_is_a_real_pdf():
    import io

    from pypdf import PdfReader

    assert "Laporan" in PdfReader(io.BytesIO(demo.pdf_kecil("Laporan uji"))).pages[0].extract_text()
