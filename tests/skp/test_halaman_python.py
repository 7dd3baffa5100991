"""The SKP page's fixed parts drawn in Python (skp/templatetags/skp_halaman.py) give the bytes
the template gave.

The oracle is the page's template before the change (tests/skp/detail_lama.html), rendered with
the context the view passes, over the states and readers of an SKP: each branch of the Python
is reached by one of the cases below, and each fails if that branch drifts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import engines
from django.urls import reverse

from kinerja.models import Dokumen, Job
from skp import services
from skp.models import SKP, EkspektasiPerilaku
from tests.orakel import tangkap_render
from tests.skp.factories import rhk, skp_diajukan, skp_disetujui, skp_draft

pytestmark = pytest.mark.django_db

LAMA = engines["django"].from_string((Path(__file__).parent / "detail_lama.html").read_text())
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*')


def _lama_dan_baru(client, url: str, monkeypatch, **extra) -> tuple[str, str]:
    """The page as served, and the old template rendered with the same context."""
    from skp import views

    dipakai = tangkap_render(monkeypatch, views)
    r = client.get(url, **extra)
    assert r.status_code == 200, url
    lama = LAMA.render(dipakai["ctx"], dipakai["request"])
    return _CSRF.sub(r"\1…", lama), _CSRF.sub(r"\1…", r.content.decode())


def _sama(client, url, monkeypatch, *penanda, **extra) -> str:
    lama, baru = _lama_dan_baru(client, url, monkeypatch, **extra)
    assert baru == lama
    for p in penanda:  # the case reaches the branch it is about
        assert p in baru, p
    return baru


def _teks(skp: SKP) -> None:
    """Texts with what must be escaped, line breaks, an expectation."""
    SKP.objects.filter(pk=skp.pk).update(
        dukungan_sumber_daya='Anggaran & "SDM"\nbaris <dua>',
        skema_pertanggungjawaban="Laporan bulanan",
        konsekuensi="",
    )
    EkspektasiPerilaku.objects.filter(skp=skp, nilai="akuntabel").update(
        ekspektasi_khusus="Tepat <waktu>\n& rapi"
    )


def test_a_draft_for_its_owner_and_its_penilai(org, client_as, monkeypatch):
    skp = skp_draft(org, n_rhk=2)
    _teks(skp)
    SKP.objects.filter(pk=skp.pk).update(catatan_penilai="Lengkapi <target>\ndan & ulang")
    url = reverse("skp:detail", args=[skp.pk])
    pemilik = client_as(org.pegawai.user)
    _sama(pemilik, url, monkeypatch, "Ganti pendekatan", "Ajukan kepada", "catatan-penilai")
    _sama(pemilik, url, monkeypatch, "Ganti pendekatan", HTTP_HX_REQUEST="true")
    _sama(client_as(org.kasubbid.user), url, monkeypatch, "Simpan ekspektasi khusus")
    SKP.objects.filter(pk=skp.pk).update(pendekatan="kualitatif")
    # One client: client_as logs it in again.
    _sama(client_as(org.pegawai.user), url, monkeypatch, 'value="kualitatif" checked')


def test_a_submitted_skp_for_each_reader(org, client_as, monkeypatch):
    skp = skp_diajukan(org)
    _teks(skp)
    url = reverse("skp:detail", args=[skp.pk])
    _sama(client_as(org.pegawai.user), url, monkeypatch, "Diajukan ")
    _sama(client_as(org.kasubbid.user), url, monkeypatch, "Setujui SKP", "form-kembalikan")
    _sama(client_as(org.kabid.user), url, monkeypatch, "Tepat &lt;waktu&gt;<br>&amp; rapi")
    _sama(client_as(org.admin_a), url, monkeypatch, "Anggaran &amp; &quot;SDM&quot;<br>")


def test_an_approved_skp_its_versions_and_its_pdf(org, client_as, monkeypatch):
    skp = skp_disetujui(org)
    ct = ContentType.objects.get_for_model(SKP)
    Dokumen.objects.create(
        jenis=Dokumen.Jenis.SKP,
        judul="pdf",
        content_type=ct,
        object_id=skp.pk,
        instansi=org.instansi_a,
    )
    url = reverse("skp:detail", args=[skp.pk])
    pemilik = client_as(org.pegawai.user)
    _sama(pemilik, url, monkeypatch, "Disetujui ", "Buka versi baru", "Unduh PDF terakhir")
    _sama(client_as(org.admin_a), url, monkeypatch, "Riwayat versi (1)")
    baru = services.skp_versi_baru(skp=skp, user=org.pegawai.user, alasan="Klarifikasi <IKI>")
    pemilik = client_as(org.pegawai.user)
    _sama(pemilik, url, monkeypatch, "Ini versi lama", "Buka versi terkini (versi 2)")
    _sama(
        pemilik,
        reverse("skp:detail", args=[baru.pk]),
        monkeypatch,
        "alasan perubahan: Klarifikasi &lt;IKI&gt;",
        "Riwayat versi (2)",
    )


def test_a_job_in_progress_and_rows_under_a_leader(org, client_as, monkeypatch):
    skp = skp_draft(org, n_rhk=1)
    atasan = skp_draft(org, "kasubbid", n_rhk=1)
    rhk(skp, org.pegawai.user, rencana="Di bawah <pimpinan>", rhk_atasan=atasan.rencana_set.get())
    job = services.skp_pdf_minta(skp=skp, user=org.pegawai.user)
    Job.objects.filter(pk=job.pk).update(pesan="Sedang <dirender>")
    url = reverse("skp:detail", args=[skp.pk]) + f"?job={job.pk}"
    _sama(client_as(org.pegawai.user), url, monkeypatch, f'id="job-{job.pk}"')


def test_windows_of_a_changed_penilai_and_none(org, client_as, monkeypatch):
    skp = skp_disetujui(org)
    url = reverse("skp:detail", args=[skp.pk])
    pemilik = client_as(org.pegawai.user)
    SKP.objects.filter(pk=skp.pk).update(berlaku_mulai=dt.date(2026, 7, 1))
    _sama(pemilik, url, monkeypatch, 'id="skp-berlaku"', "1 Juli 2026")
    SKP.objects.filter(pk=skp.pk).update(berlaku_sampai=dt.date(2026, 9, 30))
    _sama(pemilik, url, monkeypatch, 'id="skp-ditutup"')
    SKP.objects.filter(pk=skp.pk).update(berlaku_mulai=None, pejabat_penilai=None)
    _sama(pemilik, url, monkeypatch, "sejak awal tahun", "dengan pejabat penilai -;")
    SKP.objects.filter(pk=skp.pk).update(berlaku_sampai=None)
    _sama(pemilik, url, monkeypatch, "Pejabat penilai belum ditetapkan")


def test_tugas_belajar(org, client_as, monkeypatch):
    skp = skp_draft(org, n_rhk=0)
    SKP.objects.filter(pk=skp.pk).update(
        jenis=SKP.Jenis.TUGAS_BELAJAR,
        tb_jenjang="s2",
        tb_lokasi="dalam_negeri",
        tb_akreditasi_univ="A",
        tb_perguruan_tinggi="UGM & <ITB>",
    )
    url = reverse("skp:detail", args=[skp.pk])
    _sama(client_as(org.pegawai.user), url, monkeypatch, "Simpan dan terapkan target IPK")
    _sama(client_as(org.admin_a), url, monkeypatch, "UGM &amp; &lt;ITB&gt;")
