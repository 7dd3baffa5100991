"""End to end with the real documents: the SKP PDF the planning stage issues and the evaluation
document carry QR codes that decode to their verification page, which vouches for the bytes."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from kinerja.models import Dokumen, Job
from tests.kinerja.test_verifikasi import _decode_qr_from_pdf


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _cek_halaman(client, pdf: bytes, urls: list[str], dok: Dokumen) -> None:
    assert urls, "tidak ada kode QR yang terbaca"
    assert set(urls) == {f"https://kinerja.example.go.id/verifikasi/{dok.kode}/"}
    path = re.sub(r"^https://[^/]+", "", urls[0])
    html = client.get(path).content.decode()
    assert "MASIH BERLAKU" in html and dok.sha256 in html
    resp = client.post(path, {"berkas": SimpleUploadedFile("x.pdf", pdf)})
    assert "Berkas IDENTIK" in resp.content.decode()


@pytest.mark.django_db
def test_skp_pdf_qr_leads_to_its_verification_page(
    client, org, settings, tmp_path, django_capture_on_commit_callbacks
):
    from skp import services
    from skp.models import SKP, RencanaHasilKerja

    settings.SITE_URL = "https://kinerja.example.go.id"
    skp = SKP.objects.create(
        pegawai=org.pegawai,
        periode=org.periode_a,
        status="disetujui",
        pejabat_penilai=org.kasubbid,
        atasan_pejabat_penilai=org.kabid,
    )
    RencanaHasilKerja.objects.create(skp=skp, rencana="Data capaian kinerja diolah")
    with django_capture_on_commit_callbacks(execute=True):
        services.skp_pdf_minta(skp=skp, user=org.pegawai.user)
    job = Job.objects.get(task="skp.pdf")
    assert job.status == Job.Status.SUKSES, job.galat
    dok = Dokumen.objects.get(pk=job.hasil["dokumen_id"])
    pdf = dok.berkas.open("rb").read()
    _cek_halaman(client, pdf, _decode_qr_from_pdf(pdf, tmp_path), dok)


@pytest.mark.django_db
def test_evaluation_document_qr_leads_to_its_verification_page(client, org, settings, tmp_path):
    from evaluasi import dokumen
    from evaluasi import models as ev_models
    from kinerja.pdf import dokumen_simpan

    settings.SITE_URL = "https://kinerja.example.go.id"
    ev = ev_models.Evaluasi.objects.create(
        pegawai=org.pegawai,
        periode=org.periode_a,
        jenis="periodik",
        urutan=1,
        status="final",
        pejabat_penilai=org.kasubbid,
        atasan_pejabat_penilai=org.kabid,
        rating_hasil_kerja="sesuai_ekspektasi",
        rating_perilaku_kerja="sesuai_ekspektasi",
        predikat="baik",
    )
    pdf, kode = dokumen.evaluasi_pdf_render(ev)
    dok = dokumen_simpan(
        jenis="evaluasi",
        judul="Evaluasi uji",
        data=pdf,
        nama_berkas="ev.pdf",
        objek=ev,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
        kode=kode,
    )
    _cek_halaman(client, pdf, _decode_qr_from_pdf(pdf, tmp_path), dok)
    # The public page says what it is, never how it was rated.
    html = client.get(f"/verifikasi/{dok.kode}/").content.decode().lower()
    assert "sesuai ekspektasi" not in html and "predikat" not in html
