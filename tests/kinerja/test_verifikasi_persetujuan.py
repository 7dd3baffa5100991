from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from kinerja.models import PersetujuanElektronik
from kinerja.pdf import dokumen_simpan, render_pdf
from kinerja.persetujuan import (
    persetujuan_cabut,
    persetujuan_catat,
    persetujuan_untuk,
)


@pytest.fixture
def dok_objek(org):
    # The Dokumen model names its pegawai (pegawai_id), so it exercises the role guard.
    return dokumen_simpan(
        jenis="rekap",
        judul="Objek uji",
        data=b"%PDF-1.4 uji",
        nama_berkas="uji.pdf",
        objek=None,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
    )


@pytest.mark.django_db
def test_each_party_approval_is_recorded_with_time_and_shown_in_role_order(org):
    objek = org.periode_a
    t0 = timezone.now()
    persetujuan_catat(objek=objek, pegawai=org.kasubbid, peran="pejabat_penilai")
    persetujuan_catat(objek=objek, pegawai=org.pegawai, peran="pegawai")
    persetujuan_catat(objek=objek, pegawai=org.kabid, peran="atasan_pejabat_penilai")
    hasil = persetujuan_untuk(objek)
    assert [p.peran for p in hasil] == ["pegawai", "pejabat_penilai", "atasan_pejabat_penilai"]
    assert [p.pegawai_id for p in hasil] == [org.pegawai.pk, org.kasubbid.pk, org.kabid.pk]
    assert all(p.waktu >= t0 for p in hasil)
    p = hasil[1]
    assert p.nama == org.kasubbid.nama and p.nip == org.kasubbid.nip
    assert p.jabatan == org.kasubbid.jabatan.nama
    assert p.teks.startswith(f"Disetujui secara elektronik oleh {org.kasubbid.nama} (NIP ")
    assert "selaku Pejabat Penilai Kinerja pada " in p.teks
    assert p.teks.endswith("WIB")


@pytest.mark.django_db
def test_repeat_approval_is_idempotent_and_a_new_approver_replaces_the_old(org):
    objek = org.periode_a
    a = persetujuan_catat(objek=objek, pegawai=org.kasubbid, peran="pejabat_penilai")
    b = persetujuan_catat(objek=objek, pegawai=org.kasubbid, peran="pejabat_penilai")
    assert a.pk == b.pk
    c = persetujuan_catat(objek=objek, pegawai=org.kabid, peran="pejabat_penilai")
    assert [p.pk for p in persetujuan_untuk(objek)] == [c.pk]
    a.refresh_from_db()
    assert a.dicabut is not None  # kept, not deleted
    assert PersetujuanElektronik.objects.count() == 2


@pytest.mark.django_db
def test_approval_by_someone_else_than_the_object_names_is_refused(org, dok_objek):
    with pytest.raises(ValidationError) as e:
        persetujuan_catat(objek=dok_objek, pegawai=org.rekan, peran="pegawai")
    assert "bukan Pegawai yang Dinilai" in str(e.value)
    assert PersetujuanElektronik.objects.count() == 0
    persetujuan_catat(objek=dok_objek, pegawai=org.pegawai, peran="pegawai")
    assert PersetujuanElektronik.objects.count() == 1


@pytest.mark.django_db
def test_unknown_role_is_refused(org):
    with pytest.raises(ValidationError):
        persetujuan_catat(objek=org.periode_a, pegawai=org.pegawai, peran="gubernur")


@pytest.mark.django_db
def test_revoked_approvals_disappear_now_but_stand_for_documents_issued_before(org):
    objek = org.periode_a
    persetujuan_catat(objek=objek, pegawai=org.pegawai, peran="pegawai")
    persetujuan_catat(objek=objek, pegawai=org.kasubbid, peran="pejabat_penilai")
    terbit = timezone.now()
    assert persetujuan_cabut(objek=objek, alasan="SKP dikembalikan ke draf") == 2
    assert persetujuan_untuk(objek) == []
    assert len(persetujuan_untuk(objek, pada=terbit)) == 2
    assert persetujuan_untuk(objek, pada=terbit - dt.timedelta(days=1)) == []


@pytest.mark.django_db
def test_verification_page_lists_approvals_standing_when_the_document_was_issued(client, org):
    cache.clear()
    objek = org.pegawai
    persetujuan_catat(objek=objek, pegawai=org.pegawai, peran="pegawai")
    dok = dokumen_simpan(
        jenis="skp",
        judul="SKP uji",
        data=b"%PDF-1.4 a",
        nama_berkas="a.pdf",
        objek=objek,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
    )
    # An approval recorded after issuance is not part of that document.
    persetujuan_catat(objek=objek, pegawai=org.kasubbid, peran="pejabat_penilai")
    html = client.get(f"/verifikasi/{dok.kode}/").content.decode()
    assert f"Disetujui secara elektronik oleh {org.pegawai.nama}" in html
    assert org.kasubbid.nama not in html
    assert "bukan tanda tangan elektronik tersertifikasi" in html
    assert org.pegawai.nip not in html  # the public page names, it does not identify further


@pytest.mark.django_db
def test_pdf_partial_shows_approvals_and_disclaims_certified_signature(org):
    import io

    from pypdf import PdfReader

    persetujuan_catat(objek=org.periode_a, pegawai=org.pegawai, peran="pegawai")
    html = render_to_string(
        "kinerja/verifikasi_persetujuan_pdf.html", {"persetujuan": persetujuan_untuk(org.periode_a)}
    )
    teks = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(html))).pages)
    teks = " ".join(teks.split())
    assert "PERSETUJUAN ELEKTRONIK" in teks
    assert f"Disetujui secara elektronik oleh {org.pegawai.nama}" in teks
    assert "bukan tanda tangan elektronik tersertifikasi" in teks


@pytest.mark.django_db
def test_penilai_role_must_be_the_penilai_the_object_names(org):
    # Pegawai rows carry pejabat_penilai_id / atasan_pejabat_penilai_id.
    with pytest.raises(ValidationError):
        persetujuan_catat(objek=org.pegawai, pegawai=org.rekan, peran="pejabat_penilai")
    with pytest.raises(ValidationError):
        persetujuan_catat(objek=org.pegawai, pegawai=org.kasubbid, peran="atasan_pejabat_penilai")
    persetujuan_catat(objek=org.pegawai, pegawai=org.kabid, peran="atasan_pejabat_penilai")
    assert [p.peran for p in persetujuan_untuk(org.pegawai)] == ["atasan_pejabat_penilai"]
