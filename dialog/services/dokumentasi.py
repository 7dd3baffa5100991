"""Dokumentasi kinerja: realisasi of a rencana hasil kerja and its bukti dukung."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from dialog import rules
from dialog.models import (
    BuktiDukung,
    Realisasi,
)
from dialog.services._common import pegawai_dari
from kinerja import policy
from kinerja.models import Pegawai
from kinerja.riwayat import layanan
from kinerja.rules import jendela_periodik
from kinerja.versi import cek_versi


# --- Dokumentasi kinerja ----------------------------------------------------------------------
def _rhk_milik(user: Any, rhk: Any) -> Pegawai:
    pegawai = pegawai_dari(user)
    if rhk.skp.pegawai_id != pegawai.pk:
        raise PermissionDenied("Realisasi hanya dicatat oleh pegawai pemilik rencana hasil kerja.")
    return pegawai


@layanan
@transaction.atomic
def realisasi_simpan(
    *,
    user: Any,
    rencana_hasil_kerja: Any,
    urutan: int,
    uraian: str,
    angka: Any = None,
    satuan: str = "",
    row_version: int | None = None,
) -> Realisasi:
    """Record (or update) what was achieved on one row in one evaluation window."""
    pegawai = _rhk_milik(user, rencana_hasil_kerja)
    periode = rencana_hasil_kerja.skp.periode
    if periode.ditutup:
        raise ValidationError(f"Periode kinerja {periode.tahun} sudah ditutup (hanya baca).")
    jendela = {j.urutan for j in jendela_periodik(periode.tahun, periode.frekuensi)}
    errors = {}
    try:
        urutan = int(urutan)
    except (TypeError, ValueError):
        urutan = 0
    if urutan not in jendela:
        errors["urutan"] = "Pilih periode penilaian yang ada pada tahun ini."
    if not (uraian or "").strip():
        errors["uraian"] = "Uraian realisasi wajib diisi."
    if errors:
        raise ValidationError(errors)
    obj = (
        Realisasi.objects.select_for_update()
        .filter(rhk_kunci=rencana_hasil_kerja.kunci, periode=periode, urutan=urutan)
        .first()
    )
    if obj is None:
        return Realisasi.objects.create(
            pegawai=pegawai,
            periode=periode,
            urutan=urutan,
            rencana_hasil_kerja=rencana_hasil_kerja,
            rhk_kunci=rencana_hasil_kerja.kunci,
            uraian=uraian.strip(),
            angka=angka,
            satuan=(satuan or "").strip(),
        )
    cek_versi(obj, row_version)
    obj.rencana_hasil_kerja = rencana_hasil_kerja  # follow the row into the newest version
    obj.uraian, obj.angka, obj.satuan = uraian.strip(), angka, (satuan or "").strip()
    obj.row_version += 1
    obj.save()
    return obj


def _baca_kepala(berkas: UploadedFile) -> bytes:
    berkas.seek(0)
    kepala = berkas.read(rules.BYTES_DIPERIKSA)
    berkas.seek(0)
    return kepala


@layanan
@transaction.atomic
def bukti_unggah(
    *, user: Any, realisasi: Realisasi, judul: str, berkas: UploadedFile
) -> BuktiDukung:
    """Upload evidence. The type is judged by the file's content; nothing is kept if refused."""
    policy.require(user, "unggah", realisasi)
    if realisasi.periode.ditutup:
        raise ValidationError("Periode kinerja sudah ditutup (hanya baca).")
    if berkas is None:
        raise ValidationError({"berkas": "Pilih berkas yang akan diunggah."})
    nama = berkas.name or ""
    try:
        jenis = rules.periksa_berkas(
            nama=nama,
            kepala=_baca_kepala(berkas),
            ukuran=berkas.size or 0,
            batas=settings.KINERJA_UPLOAD_MAX_BYTES,
        )
    except rules.BerkasDitolak as exc:
        raise ValidationError({"berkas": str(exc)}) from None
    digest = hashlib.sha256()
    for chunk in berkas.chunks():
        digest.update(chunk)
    berkas.seek(0)
    bukti = BuktiDukung(
        realisasi=realisasi,
        judul=(judul or "").strip() or nama[:200],
        nama_asli=nama[:255],
        ekstensi=jenis.ekstensi,
        mime=jenis.mime,
        ukuran=berkas.size,
        sha256=digest.hexdigest(),
        diunggah_oleh=user,
    )
    bukti.berkas.save("bukti", berkas, save=False)
    stored = bukti.berkas.name
    try:
        bukti.save()
    except Exception:
        bukti.berkas.storage.delete(stored)
        raise
    return bukti


@layanan
@transaction.atomic
def bukti_tautan(*, user: Any, realisasi: Realisasi, judul: str, tautan: str) -> BuktiDukung:
    """Evidence as a link (a shared drive, a published page)."""
    policy.require(user, "unggah", realisasi)
    from django.core.validators import URLValidator

    tautan = (tautan or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(tautan)
    except ValidationError:
        raise ValidationError(
            {"tautan": "Tautan harus alamat web lengkap (https://...)."}
        ) from None
    if not (judul or "").strip():
        raise ValidationError({"judul": "Beri judul singkat untuk tautan ini."})
    return BuktiDukung.objects.create(
        realisasi=realisasi, judul=judul.strip(), tautan=tautan, diunggah_oleh=user
    )


@layanan
@transaction.atomic
def bukti_hapus(*, user: Any, bukti: BuktiDukung) -> None:
    policy.require(user, "delete", bukti)
    if bukti.realisasi.periode.ditutup:
        raise ValidationError("Periode kinerja sudah ditutup (hanya baca).")
    name, storage = bukti.berkas.name, bukti.berkas.storage
    bukti.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
