"""Dokumentasi kinerja: realisasi per window and bukti dukung checked by content."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dialog import services as svc
from dialog.models import BuktiDukung, Realisasi
from tests.dialog.conftest import pdf_bytes, png_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def realisasi(org, rhk):
    return svc.realisasi_simpan(
        user=org.user("pegawai"),
        rencana_hasil_kerja=rhk,
        urutan=1,
        uraian="120 berkas diolah",
        angka=120,
        satuan="berkas",
    )


def _files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_realisasi_is_saved_per_window_and_updated_in_place(org, rhk, realisasi):
    again = svc.realisasi_simpan(
        user=org.user("pegawai"),
        rencana_hasil_kerja=rhk,
        urutan=1,
        uraian="130 berkas",
        row_version=realisasi.row_version,
    )
    assert again.pk == realisasi.pk and again.uraian == "130 berkas" and again.row_version == 2
    with pytest.raises(ValidationError, match="sudah diubah oleh pengguna lain"):
        svc.realisasi_simpan(
            user=org.user("pegawai"),
            rencana_hasil_kerja=rhk,
            urutan=1,
            uraian="basi",
            row_version=1,
        )
    with pytest.raises(ValidationError):
        svc.realisasi_simpan(
            user=org.user("pegawai"),
            rencana_hasil_kerja=rhk,
            urutan=5,
            uraian="tidak ada triwulan V",
        )
    assert Realisasi.objects.count() == 1


def test_only_the_owner_records_realisasi(org, rhk):
    for who in ("kasubbid", "rekan"):
        with pytest.raises(PermissionDenied):
            svc.realisasi_simpan(user=org.user(who), rencana_hasil_kerja=rhk, urutan=1, uraian="x")


def test_realisasi_page_saves_and_keeps_input_on_error(org, rhk, client_as):
    c = client_as(org.user("pegawai"))
    url = f"/dialog/dokumentasi/rhk/{rhk.pk}/"
    r = c.post(url, {"aksi": "realisasi", "urutan": 2, "uraian": "", "satuan": "dokumen-xyz"})
    assert r.status_code == 400 and "dokumen-xyz" in r.content.decode()
    r = c.post(url, {"aksi": "realisasi", "urutan": 2, "uraian": "Selesai", "angka": "95.5"})
    assert r.status_code == 302
    assert Realisasi.objects.get().angka == 95.5
    assert (
        client_as(org.user("rekan"))
        .post(url, {"aksi": "realisasi", "urutan": 1, "uraian": "x"})
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("nama", "maker", "mime"),
    [
        ("laporan.pdf", pdf_bytes, "application/pdf"),
        ("foto.png", png_bytes, "image/png"),
        (
            "rekap.xlsx",
            xlsx_bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_valid_upload_is_stored_under_a_non_guessable_path(
    org, realisasi, settings, nama, maker, mime
):
    b = svc.bukti_unggah(
        user=org.user("pegawai"), realisasi=realisasi, judul="", berkas=upload(nama, maker())
    )
    assert b.mime == mime and b.nama_asli == nama and b.ukuran == len(maker())
    assert b.berkas.name.startswith("bukti/") and nama not in b.berkas.name
    assert len(b.berkas.name.split("/")[1]) == 32
    assert len(_files(settings)) == 1


REFUSED = [
    ("catatan.pdf", b"hanya teks", "tidak diizinkan"),
    ("foto.pdf", None, "tidak sesuai dengan isinya"),  # a PNG named .pdf
    ("kosong.pdf", b"", "kosong"),
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 300, "tidak diizinkan"),
]


@pytest.mark.parametrize(("nama", "data", "pesan"), REFUSED)
def test_refused_uploads_leave_nothing_behind(
    org, realisasi, settings, client_as, nama, data, pesan
):
    data = png_bytes() if data is None else data
    with pytest.raises(ValidationError, match=pesan):
        svc.bukti_unggah(
            user=org.user("pegawai"), realisasi=realisasi, judul="x", berkas=upload(nama, data)
        )
    # Through the page too: a clear message, nothing kept.
    r = client_as(org.user("pegawai")).post(
        f"/dialog/dokumentasi/rhk/{realisasi.rencana_hasil_kerja_id}/",
        {"aksi": "berkas", "urutan": 1, "judul": "x", "berkas": upload(nama, data)},
    )
    assert r.status_code == 400 and pesan in r.content.decode()
    assert not BuktiDukung.objects.exists()
    assert _files(settings) == []


def test_too_large_upload_is_refused(org, realisasi, settings):
    settings.KINERJA_UPLOAD_MAX_BYTES = 1024
    data = pdf_bytes()
    assert len(data) > 1024
    with pytest.raises(ValidationError, match="melebihi batas"):
        svc.bukti_unggah(
            user=org.user("pegawai"), realisasi=realisasi, judul="x", berkas=upload("a.pdf", data)
        )
    assert not BuktiDukung.objects.exists() and _files(settings) == []


def test_upload_only_by_the_owner(org, realisasi):
    with pytest.raises(PermissionDenied):
        svc.bukti_unggah(
            user=org.user("kasubbid"),
            realisasi=realisasi,
            judul="x",
            berkas=upload("a.pdf", pdf_bytes()),
        )


def test_links_are_checked(org, realisasi):
    with pytest.raises(ValidationError):
        svc.bukti_tautan(
            user=org.user("pegawai"), realisasi=realisasi, judul="x", tautan="javascript:alert(1)"
        )
    b = svc.bukti_tautan(
        user=org.user("pegawai"),
        realisasi=realisasi,
        judul="Folder",
        tautan="https://drive.example.go.id/berkas",
    )
    assert b.tautan and not b.berkas


DOWNLOAD = {
    "pegawai": 200,
    "kasubbid": 200,
    "kabid": 200,
    "rekan": 404,
    "kadis": 404,
    "admin_a": 404,
    "pegawai_b": 404,
    "fungsional": 404,
}


@pytest.mark.parametrize(("who", "status"), DOWNLOAD.items())
def test_evidence_is_served_through_the_policy(org, realisasi, client_as, who, status):
    b = svc.bukti_unggah(
        user=org.user("pegawai"),
        realisasi=realisasi,
        judul="Laporan",
        berkas=upload("laporan.pdf", pdf_bytes()),
    )
    r = client_as(org.user(who)).get(f"/dialog/bukti/{b.pk}/unduh/")
    assert r.status_code == status
    if status == 200:
        assert r["Content-Type"] == "application/pdf"
        assert b"".join(r.streaming_content).startswith(b"%PDF")
    # Never a public media URL.
    assert client_as(org.user(who)).get(f"/media/{b.berkas.name}").status_code == 404


def test_assigning_official_downloads_evidence_of_the_row_they_assigned(org, client_as):
    p = svc.penugasan_usulkan(
        user=org.user("kadis"), penerima=org.pegawai, uraian="Tugas", hasil_diharapkan="Hasil"
    )
    p = svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=p)
    r = svc.realisasi_simpan(
        user=org.user("pegawai"),
        rencana_hasil_kerja=p.rencana_hasil_kerja,
        urutan=1,
        uraian="Jalan",
    )
    b = svc.bukti_unggah(
        user=org.user("pegawai"), realisasi=r, judul="Foto", berkas=upload("foto.png", png_bytes())
    )
    assert client_as(org.user("kadis")).get(f"/dialog/bukti/{b.pk}/unduh/").status_code == 200


def test_owner_deletes_evidence_and_its_file(
    org, realisasi, settings, client_as, django_capture_on_commit_callbacks
):
    b = svc.bukti_unggah(
        user=org.user("pegawai"),
        realisasi=realisasi,
        judul="x",
        berkas=upload("a.pdf", pdf_bytes()),
    )
    assert client_as(org.user("kasubbid")).post(f"/dialog/bukti/{b.pk}/hapus/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        r = client_as(org.user("pegawai")).post(f"/dialog/bukti/{b.pk}/hapus/")
    assert r.status_code == 302
    assert not BuktiDukung.objects.exists() and _files(settings) == []
