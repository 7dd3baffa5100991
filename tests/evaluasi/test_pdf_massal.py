"""A unit's Dokumen Evaluasi Kinerja Pegawai in shared WeasyPrint passes: each file is the file
rendered alone, page for page, and the bulk service issues only what is not current."""

from __future__ import annotations

import pytest

from bench.ukur_pdf import isi_halaman
from evaluasi import services
from evaluasi.dokumen import evaluasi_pdf_html
from evaluasi.models import Evaluasi
from kinerja import pdf
from kinerja.verifikasi import verifikasi_konteks
from tests.evaluasi.conftest import final, ko
from tests.kinerja.test_pdf_massal import _isi_gambar

A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"


@pytest.fixture
def evs(org):
    # A long capaian makes the bidang's documents run over a page (two pages each).
    ko(org, org.unit_bidang, "baik").__class__.objects.filter(unit_kerja=org.unit_bidang).update(
        capaian="\n".join(f"Capaian sasaran strategis {k}: 98 % dari target" for k in range(70))
    )
    ko(org, org.unit_dinas, "istimewa")
    return [
        final(org, "pegawai", A, A),
        final(org, "staf_dinas", S, B),
        final(org, "rekan", B, S),
        final(org, "kadis", S, A),
    ]


def test_a_units_documents_in_one_pass_are_the_documents_alone(evs):
    # The same code and QR both ways, so the files may be compared whole.
    htmls = [evaluasi_pdf_html(ev, verifikasi_konteks()) for ev in evs]
    berkas = [pdf.render_pdf(h) for h in htmls]
    berkas_massal = pdf.render_pdf_massal(htmls, per_pass=50)
    sendiri = [isi_halaman(d) for d in berkas]
    massal = [isi_halaman(d) for d in berkas_massal]
    assert [len(s) for s in sendiri] == [2, 1, 2, 1]
    assert massal == sendiri
    # and what is drawn (tables' borders and fills, the QR code), operator for operator
    assert [_isi_gambar(d) for d in berkas_massal] == [_isi_gambar(d) for d in berkas]
    assert sendiri[0][1][1].splitlines()[-1] == "Halaman 2 dari 2"


@pytest.mark.parametrize("per_pass", [50, 1])
def test_the_bulk_service_issues_what_is_not_current_in_order(evs, settings, per_pass):
    settings.KINERJA_PDF_PER_PASS = per_pass  # a shared pass (the default), and each alone
    lama = services.evaluasi_dokumen_render(evaluasi=evs[1])  # current: kept as it is
    dilaporkan = []
    docs = services.evaluasi_dokumen_render_massal(evaluasi=evs, setelah=dilaporkan.append)
    assert docs[1] == lama
    assert [d.object_id for d in docs] == [e.pk for e in evs]
    assert len({d.kode for d in docs}) == 4  # each its own document code
    for ev, d in zip(evs, docs, strict=True):
        ev = Evaluasi.objects.get(pk=ev.pk)
        assert (ev.dokumen_id, ev.dokumen_row_version) == (d.pk, ev.row_version)
        teks = isi_halaman(d.berkas.open("rb").read())
        assert ev.pegawai.nama in teks[0][1] and d.kode in teks[-1][1]
    assert dilaporkan == ([4] if per_pass == 50 else [2, 3, 4])
    # again: everything is current, nothing is rendered
    assert services.evaluasi_dokumen_render_massal(evaluasi=evs) == docs
