"""Helpers shared by the evaluation stage's services: access, open year, row version, notification."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kinerja import policy
from kinerja.models import Pegawai, Periode

STALE = (
    "Data ini telah diubah oleh pengguna lain sejak Anda membukanya. Perubahan Anda belum "
    "disimpan; periksa data terbaru lalu simpan kembali."
)


def _require(user: Any, action: str, obj: Any, pesan: str | None = None) -> None:
    policy.require(user, action, obj, pesan)


def _periode_terbuka(periode: Periode) -> None:
    if periode.status == Periode.Status.DITUTUP:
        raise ValidationError(f"Periode {periode.tahun} sudah ditutup; data tidak dapat diubah.")


def _cek_versi(obj: Any, row_version: int | None) -> None:
    if row_version is not None and int(row_version) != obj.row_version:
        raise ValidationError({"row_version": [STALE]})


def _notify(pegawai: Pegawai | None, jenis: str, pesan: str, tautan: str) -> None:
    from kinerja.notifikasi import daftar_jenis, notifikasi_kirim

    daftar_jenis("evaluasi_final", "Evaluasi kinerja difinalisasi")
    daftar_jenis("evaluasi_dibuka_kembali", "Evaluasi kinerja dibuka kembali")
    if pegawai is not None and pegawai.user_id:
        user = pegawai.user
        transaction.on_commit(
            lambda: notifikasi_kirim(penerima=user, jenis=jenis, pesan=pesan, tautan=tautan)
        )


# --- follow-up -----------------------------------------------------------------------------
HANYA_ADMIN = "Hanya admin instansi yang dapat melakukan tindakan ini."
