"""Rencana hasil kerja of a draft SKP and their indikator: add, change, remove, move."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Subquery

from kinerja import cache_cakupan, policy
from kinerja.models import Pegawai
from kinerja.riwayat import layanan
from kinerja.versi import cek_versi
from skp import api_baca
from skp.models import (
    SKP,
    Indikator,
    PeranHasil,
    RencanaHasilKerja,
)
from skp.services import rhk_tulis
from skp.services._common import _draft_saja, _kunci_lengkap, _lock, _require, _sentuh


# --- Rencana hasil kerja -------------------------------------------------------------------
def _bersihkan_indikator(
    indikator: Iterable[dict[str, Any]] | None, errors: dict[str, list[str]]
) -> list[dict[str, str]]:
    hasil = []
    for n, d in enumerate(indikator or []):
        aspek = (d.get("aspek") or Indikator.Aspek.KUANTITAS).strip()
        teks = (d.get("indikator") or "").strip()
        target = (d.get("target") or "").strip()
        sumber = (d.get("sumber_data") or "").strip()
        if not (teks or target or sumber):
            continue  # an empty line of the form
        if aspek not in Indikator.Aspek.values:
            errors.setdefault(f"indikator-{n}-aspek", []).append(
                "Pilih aspek: kuantitas, kualitas, waktu, atau biaya."
            )
        if not teks:
            errors.setdefault(f"indikator-{n}-indikator", []).append(
                "Isi indikator kinerja individu."
            )
        if not target:
            errors.setdefault(f"indikator-{n}-target", []).append(
                "Isi target (boleh rentang, mis. 90 – 95 %)."
            )
        if len(target) > 200:
            errors.setdefault(f"indikator-{n}-target", []).append("Target paling banyak 200 huruf.")
        hasil.append({"aspek": aspek, "indikator": teks, "target": target, "sumber_data": sumber})
    return hasil


def _pemimpin_ids(skp: SKP) -> set[int]:
    """Leaders whose rencana hasil kerja this SKP's rows may intervene."""
    from kinerja.models import TimKerja

    ids = set(
        TimKerja.objects.filter(anggota=skp.pegawai_id, aktif=True).values_list(
            "ketua_id", flat=True
        )
    )
    ids |= {i for i in (skp.pegawai.pejabat_penilai_id, skp.pejabat_penilai_id) if i}
    return ids


# Also the answer for an id that does not exist (the API): an id reveals nothing.
RHK_ATASAN_SALAH = (
    "Pilih rencana hasil kerja pejabat penilai, ketua tim, atau pemberi tugas Anda pada tahun "
    "yang sama."
)


def _validasi_rhk(
    *,
    skp: SKP,
    jenis: str,
    rencana: str,
    rhk_atasan: RencanaHasilKerja | None,
    perspektif: str,
    indikator: Iterable[dict[str, Any]] | None,
    sekarang_atasan_id: int | None = None,
    pemberi_tugas_id: int | None = None,
) -> list[dict[str, str]]:
    errors: dict[str, list[str]] = {}
    if jenis not in RencanaHasilKerja.Jenis.values:
        errors["jenis"] = ["Pilih Utama atau Tambahan."]
    if not (rencana or "").strip():
        errors["rencana"] = ["Isi rencana hasil kerja."]
    if perspektif and perspektif not in RencanaHasilKerja.Perspektif.values:
        errors["perspektif"] = ["Perspektif tidak dikenal."]
    if rhk_atasan is not None and rhk_atasan.pk != sekarang_atasan_id:
        if rhk_atasan.skp.pegawai_id == skp.pegawai_id:
            errors["rhk_atasan"] = ["Rencana hasil kerja pimpinan tidak boleh milik SKP sendiri."]
        elif rhk_atasan.skp.periode_id != skp.periode_id or rhk_atasan.skp.pegawai_id not in (
            _pemimpin_ids(skp) | ({pemberi_tugas_id} if pemberi_tugas_id else set())
        ):
            errors["rhk_atasan"] = [RHK_ATASAN_SALAH]
    bersih = _bersihkan_indikator(indikator, errors)
    if errors:
        raise ValidationError(errors)
    return bersih


def _indikator_ganti(rhk: RencanaHasilKerja, indikator: list[dict[str, str]]) -> None:
    rhk.indikator_set.all().delete()
    Indikator.objects.bulk_create(
        [Indikator(rencana=rhk, urutan=n, **d) for n, d in enumerate(indikator, start=1)]
    )


def _rhk_buat(
    *,
    skp: SKP,
    jenis: str,
    rencana: str,
    rhk_atasan: RencanaHasilKerja | None = None,
    pemberi_tugas: Pegawai | None = None,
    sumber: str = RencanaHasilKerja.Sumber.MANUAL,
    indikator: list[dict[str, str]] | None = None,
    perspektif: str = "",
    uraian_hasil: str = "",
    ukuran_keberhasilan: str = "",
    peran_hasil: PeranHasil | None = None,
    tim: Any = None,
    urutan: int | None = None,
) -> RencanaHasilKerja:
    if urutan is None:
        urutan = (skp.rencana_set.filter(jenis=jenis).aggregate(m=Max("urutan"))["m"] or 0) + 1
    rhk = RencanaHasilKerja.objects.create(
        skp=skp,
        jenis=jenis,
        urutan=urutan,
        rencana=rencana.strip(),
        rhk_atasan=rhk_atasan,
        pemberi_tugas=pemberi_tugas,
        sumber=sumber,
        perspektif=perspektif if skp.is_jpt else "",
        uraian_hasil=(uraian_hasil or "").strip(),
        ukuran_keberhasilan=(ukuran_keberhasilan or "").strip(),
        peran_hasil=peran_hasil,
        tim=tim,
    )
    if indikator:
        _indikator_ganti(rhk, indikator)
    _sentuh(skp)
    return rhk


@layanan
@transaction.atomic
def rhk_tambah(
    *,
    skp: SKP,
    user: Any,
    jenis: str,
    rencana: str,
    rhk_atasan: RencanaHasilKerja | None = None,
    pemberi_tugas: Pegawai | None = None,
    sumber: str = RencanaHasilKerja.Sumber.MANUAL,
    indikator: list[dict[str, Any]] | None = None,
    perspektif: str = "",
    uraian_hasil: str = "",
    ukuran_keberhasilan: str = "",
    tim: Any = None,
) -> RencanaHasilKerja:
    """Add a rencana hasil kerja to a draft SKP.

    The pegawai adds to their own draft. The pejabat penilai may add to their pegawai's draft a
    row from an approved penugasan (`sumber="penugasan"`), or any row to a tugas belajar SKP.
    """
    skp = _lock(skp)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _draft_saja(skp)
    if sumber not in RencanaHasilKerja.Sumber.values:
        raise ValidationError({"sumber": ["Sumber tidak dikenal."]})
    if not policy.can(user, "change", skp):
        penilai_boleh = policy.can(user, "tambah_penilai", skp) and (
            sumber == RencanaHasilKerja.Sumber.PENUGASAN or skp.is_tugas_belajar
        )
        if not penilai_boleh:
            raise PermissionDenied("Anda tidak berwenang mengubah SKP ini.")
    bersih = _validasi_rhk(
        skp=skp,
        jenis=jenis,
        rencana=rencana,
        rhk_atasan=rhk_atasan,
        perspektif=perspektif,
        indikator=indikator,
        pemberi_tugas_id=pemberi_tugas.pk if pemberi_tugas else None,
    )
    return _rhk_buat(
        skp=skp,
        jenis=jenis,
        rencana=rencana,
        rhk_atasan=rhk_atasan,
        pemberi_tugas=pemberi_tugas,
        sumber=sumber,
        indikator=bersih,
        perspektif=perspektif,
        uraian_hasil=uraian_hasil,
        ukuran_keberhasilan=ukuran_keberhasilan,
        tim=tim,
    )


def _rhk_lock(
    rhk: RencanaHasilKerja, user: Any, semua_baris: bool = False
) -> tuple[RencanaHasilKerja, SKP]:
    # The row and its indicators locked in one statement, then its SKP (FOR UPDATE) and period
    # (FOR SHARE): on PostgreSQL the same statement (api_baca.rencana_terkunci), in the order
    # RHK -> SKP -> period of skp.services._kunci. `semua_baris` (a move, which rewrites its
    # siblings' urutan): every row of its SKP first, by id, so no sibling is locked after the
    # SKP (an edit of that sibling holds it and waits for the SKP). Its indicators let the API answer an edit from the saved
    # row (`indikator_terbaca`), and the page cache learns its SKP here instead of reading it
    # again before the UPDATE (cache_cakupan.dikenal).
    if semua_baris:
        pk = rhk.pk
        induk = RencanaHasilKerja.objects.filter(pk=pk).values("skp_id")

        def kunci() -> tuple[RencanaHasilKerja, set[int]]:
            dikunci = set(
                RencanaHasilKerja.objects.filter(skp_id=Subquery(induk))
                .order_by("pk")
                .select_for_update()
                .values_list("pk", flat=True)
            )
            return api_baca.rencana_terkunci(pk), dikunci

        # A row added while this waited for the SKP: let go and lock again (_kunci_lengkap).
        rhk = _kunci_lengkap(
            kunci,
            lambda r: RencanaHasilKerja.objects.filter(skp_id=r.skp_id).values_list(
                "pk", flat=True
            ),
        )
    else:
        rhk = api_baca.rencana_terkunci(rhk.pk)
    cache_cakupan.dikenal(rhk)
    if not RencanaHasilKerja.skp.is_cached(rhk):
        rhk.skp = _lock(SKP(pk=rhk.skp_id))  # read and locked by its key (not loaded twice)
    skp = rhk.skp
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _draft_saja(skp)
    _require(user, "change", skp)
    return rhk, skp


_TIDAK_BERUBAH = object()


@layanan
@transaction.atomic
def rhk_ubah(
    *,
    rhk: RencanaHasilKerja,
    user: Any,
    jenis: str | None = None,
    rencana: str | None = None,
    rhk_atasan: Any = _TIDAK_BERUBAH,
    perspektif: str | None = None,
    uraian_hasil: str | None = None,
    ukuran_keberhasilan: str | None = None,
    indikator: list[dict[str, Any]] | None = None,
    row_version: int | None = None,
) -> RencanaHasilKerja:
    """Edit a row of the pegawai's own draft; `indikator` (when given) replaces the list."""
    rhk, skp = _rhk_lock(rhk, user)
    cek_versi(rhk, row_version)
    new_jenis = rhk.jenis if jenis is None else jenis
    # An unchanged leader's row is not read: its check only runs for a different row.
    atasan_tetap = rhk_atasan is _TIDAK_BERUBAH
    bersih = _validasi_rhk(
        skp=skp,
        jenis=new_jenis,
        rencana=rhk.rencana if rencana is None else rencana,
        rhk_atasan=None if atasan_tetap else rhk_atasan,
        perspektif=rhk.perspektif if perspektif is None else perspektif,
        indikator=indikator,
        sekarang_atasan_id=rhk.rhk_atasan_id,
        pemberi_tugas_id=rhk.pemberi_tugas_id,
    )
    if new_jenis != rhk.jenis:
        rhk.urutan = (
            skp.rencana_set.filter(jenis=new_jenis).aggregate(m=Max("urutan"))["m"] or 0
        ) + 1
    rhk.jenis = new_jenis
    if not atasan_tetap:
        rhk.rhk_atasan = rhk_atasan
    if rencana is not None:
        rhk.rencana = rencana.strip()
    if perspektif is not None:
        rhk.perspektif = perspektif if skp.is_jpt else ""
    if uraian_hasil is not None:
        rhk.uraian_hasil = uraian_hasil.strip()
    if ukuran_keberhasilan is not None:
        rhk.ukuran_keberhasilan = ukuran_keberhasilan.strip()
    rhk.row_version += 1
    # `_sentuh` below sets the SKP's `diubah` with its `diperbarui`: one UPDATE, not two. Only
    # the columns this edit may change are written (the row is locked: the others are as read);
    # the history row still records the whole row.
    diubah = {"jenis", "urutan", "row_version"}
    diubah |= {
        name
        for name, value in (
            ("rencana", rencana),
            ("perspektif", perspektif),
            ("uraian_hasil", uraian_hasil),
            ("ukuran_keberhasilan", ukuran_keberhasilan),
        )
        if value is not None
    }
    if not atasan_tetap:
        diubah.add("rhk_atasan")
    if indikator is None and rhk_tulis._simpan_bersama(rhk, skp, diubah):
        return rhk  # the row, its history row and the SKP's stamps in one statement
    rhk.save(induk_disentuh=True, update_fields=diubah)
    if indikator is not None:
        # Replacing them also stamps the row's `diubah` in the database: read the answer anew.
        _indikator_ganti(rhk, bersih)
        rhk.indikator_terbaca = None
    _sentuh(skp)
    return rhk


@layanan
@transaction.atomic
def rhk_hapus(*, rhk: RencanaHasilKerja, user: Any) -> None:
    rhk, skp = _rhk_lock(rhk, user)
    rhk.delete()
    _sentuh(skp)


@layanan
@transaction.atomic
def rhk_pindah(*, rhk: RencanaHasilKerja, user: Any, arah: str) -> None:
    """Move a row up ("naik") or down ("turun") within its group (Utama / Tambahan)."""
    rhk, skp = _rhk_lock(rhk, user, semua_baris=True)
    if arah not in {"naik", "turun"}:
        raise ValidationError({"arah": ["Arah harus naik atau turun."]})
    rows = list(skp.rencana_set.filter(jenis=rhk.jenis).order_by("urutan", "id"))
    i = next(n for n, r in enumerate(rows) if r.pk == rhk.pk)
    j = i - 1 if arah == "naik" else i + 1
    if 0 <= j < len(rows):
        rows[i], rows[j] = rows[j], rows[i]
    for n, r in enumerate(rows, start=1):
        if r.urutan != n:
            RencanaHasilKerja.objects.filter(pk=r.pk).update(urutan=n)
    _sentuh(skp)
