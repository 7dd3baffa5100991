from __future__ import annotations

import io
import re

from django.urls import reverse
from pypdf import PdfReader

from kinerja.models import Dokumen, Job
from skp import rules, services
from skp.dokumen import skp_pdf_render
from skp.selectors import skp_detail_qs
from tests.skp.factories import rhk, skp_diajukan


def _teks(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    return reader, re.sub(r"\s+", " ", text)


def _skp_lengkap(org):
    skp = skp_diajukan(org, n_rhk=3)
    services.skp_setujui(skp=skp, user=org.kasubbid.user)
    return skp_detail_qs().get(pk=skp.pk)


def test_skp_pdf_has_layout_nip_every_row_and_the_seven_values(org):
    skp = _skp_lengkap(org)
    data = skp_pdf_render(
        skp,
        {
            "kode": "KODEUJI123",
            "url": "http://x/verifikasi/KODEUJI123/",
            "qr": "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        },
    )
    reader, text = _teks(data)
    assert len(reader.pages) >= 2  # the lampiran is on its own page
    for heading in [
        "SASARAN KINERJA PEGAWAI",
        "PENDEKATAN HASIL KERJA KUANTITATIF",
        "PERIODE PENILAIAN: 1 JANUARI SD 31 DESEMBER TAHUN",
        "PEGAWAI YANG DINILAI",
        "PEJABAT PENILAI KINERJA",
        "HASIL KERJA",
        "A. UTAMA",
        "B. TAMBAHAN",
        "PERILAKU KERJA",
        "EKSPEKTASI KHUSUS PIMPINAN",
    ]:
        assert heading in text, heading
    assert org.pegawai.nip in text and org.kasubbid.nip in text
    for r in skp.rencana_set.all():
        assert r.rencana in text
    for _, label, _ in rules.BERAKHLAK:
        assert label in text
    last = reader.pages[-1].extract_text()
    assert "LAMPIRAN SASARAN KINERJA PEGAWAI" in last and "DUKUNGAN SUMBER DAYA" in last
    assert "LAMPIRAN" not in reader.pages[0].extract_text()
    assert "Halaman 1 dari" in reader.pages[0].extract_text()


def test_kualitatif_pdf_uses_descriptive_columns(org):
    skp = services.skp_buat(
        pegawai=org.pegawai, periode=org.periode_a, user=org.pegawai.user, pendekatan="kualitatif"
    )
    rhk(
        skp,
        org.pegawai.user,
        rencana="Usulan tepat waktu",
        indikator=[],
        ukuran_keberhasilan="Tidak ada usulan dikembalikan karena salah data",
    )
    data = skp_pdf_render(
        skp_detail_qs().get(pk=skp.pk),
        {"kode": "K", "url": "u", "qr": "data:image/gif;base64,R0lGODlhAQABAAAAACw="},
    )
    _, text = _teks(data)
    assert "PENDEKATAN HASIL KERJA KUALITATIF" in text
    assert "UKURAN KEBERHASILAN" in text and "salah data" in text


def test_pdf_job_stores_a_document_downloadable_through_the_policy(
    org, client_as, django_capture_on_commit_callbacks
):
    skp = _skp_lengkap(org)
    c = client_as(org.pegawai.user)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("skp:pdf", args=[skp.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "job-" in r.content.decode()
    job = Job.objects.get(task="skp.pdf")
    assert job.status == Job.Status.SUKSES, job.galat
    dok = Dokumen.objects.get(pk=job.hasil["dokumen_id"])
    assert dok.pegawai_id == org.pegawai.pk and dok.jenis == "skp"
    # The page polls the job partial, which offers the download once done.
    html = c.get(reverse("job_status", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert job.hasil["url"] in html
    r = c.get(job.hasil["url"])
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    body = b"".join(r.streaming_content)
    _, text = _teks(body)
    assert org.pegawai.nip in text and dok.kode in text
    # The penilai may download it; a colleague and another instansi's admin cannot see it.
    assert client_as(org.kasubbid.user).get(job.hasil["url"]).status_code == 200
    assert client_as(org.rekan.user).get(job.hasil["url"]).status_code == 404
    assert client_as(org.admin_b).get(job.hasil["url"]).status_code == 404
