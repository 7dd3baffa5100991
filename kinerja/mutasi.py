"""Changes of position with their TMT: mutasi, promosi, rotasi, Plt/Plh and leaving.

One path for the app, the import and the API (domain.md, "The organisation over time"). A change
dated today or earlier takes effect at once; one dated later waits (`dijadwalkan`) until the beat
applies it on its date (`mutasi_jatuh_tempo`), and may be cancelled before then. Taking effect
means: the pegawai row says the new position, RiwayatJabatan keeps the old one up to the day
before the TMT, and who rates whom is recomputed as of the TMT (`penilai_refresh`), whose signal
lets the later stages close and open SKPs and move waiting penugasan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kinerja import policy, waktu
from kinerja.models import Mutasi, Pegawai, Periode, RiwayatJabatan
from kinerja.riwayat import atas_nama, layanan
from kinerja.services import (
    penilai_refresh,
    riwayat_pastikan_banyak,
    riwayat_sinkron,
    riwayat_sinkron_banyak,
)

PINDAH = {Mutasi.Jenis.MUTASI, Mutasi.Jenis.PROMOSI, Mutasi.Jenis.ROTASI}
PELAKSANA = {Mutasi.Jenis.PLT, Mutasi.Jenis.PLH}


def _tanggal(d: dt.date) -> str:
    from kinerja.rules import BULAN

    return f"{d.day} {BULAN[d.month - 1]} {d.year}"


def _validasi(m: Mutasi) -> None:
    """Every refusal names the field and says why, in the users' words."""
    errors: dict[str, str] = {}
    peg = m.pegawai
    if peg.status == Pegawai.Status.BERHENTI:
        errors["pegawai"] = "Pegawai ini sudah berhenti; perubahan jabatan tidak dapat dicatat."
    if m.jenis == Mutasi.Jenis.BERHENTI:
        if m.jabatan_baru_id:
            errors["jabatan_baru"] = "Pegawai yang berhenti tidak diberi jabatan baru."
    elif not m.jabatan_baru_id:
        errors["jabatan_baru"] = "Pilih jabatan baru."
    else:
        if m.jabatan_baru.unit_kerja.instansi_id != peg.instansi_id:
            errors["jabatan_baru"] = "Jabatan baru harus di instansi pegawai."
        elif m.jabatan_baru.ditutup and m.tmt and m.jabatan_baru.ditutup <= m.tmt:
            errors["jabatan_baru"] = (
                f"Jabatan ini ditutup sejak {_tanggal(m.jabatan_baru.ditutup)} (restrukturisasi)."
            )
        if m.unit_kerja_baru_id is None:
            m.unit_kerja_baru_id = m.jabatan_baru.unit_kerja_id
        elif m.unit_kerja_baru.instansi_id != peg.instansi_id:
            errors["unit_kerja_baru"] = "Unit kerja baru harus di instansi pegawai."
        if m.jenis in PINDAH and (m.jabatan_baru_id, m.unit_kerja_baru_id) == (
            peg.jabatan_id,
            peg.unit_kerja_id,
        ):
            errors["jabatan_baru"] = "Pegawai sudah memangku jabatan ini di unit ini."
        if m.jenis in PELAKSANA and m.jabatan_baru_id == peg.jabatan_id:
            errors["jabatan_baru"] = "Pegawai tidak dapat menjadi Plt/Plh jabatannya sendiri."
    if m.jenis in PELAKSANA:
        if m.sampai is None:
            errors["sampai"] = "Plt/Plh memerlukan tanggal berakhir."
        elif m.tmt and m.sampai < m.tmt:
            errors["sampai"] = "Tanggal berakhir tidak boleh sebelum TMT."
    elif m.sampai is not None:
        errors["sampai"] = "Tanggal berakhir hanya untuk Plt/Plh."
    if m.tmt:
        if m.tmt < waktu.MULAI_CATATAN:
            errors["tmt"] = f"TMT tidak boleh sebelum {_tanggal(waktu.MULAI_CATATAN)}."
        terakhir = (
            RiwayatJabatan.objects.filter(pegawai=peg, mulai__gt=waktu.MULAI_CATATAN)
            .order_by("-mulai")
            .values_list("mulai", flat=True)
            .first()
        )
        if terakhir and m.tmt < terakhir:
            errors["tmt"] = (
                f"TMT lebih awal dari perubahan terakhir yang tercatat ({_tanggal(terakhir)}); "
                "catat perubahan jabatan secara berurutan."
            )
        if Periode.objects.filter(
            instansi_id=peg.instansi_id, tahun=m.tmt.year, status=Periode.Status.DITUTUP
        ).exists():
            errors["tmt"] = f"Tahun {m.tmt.year} sudah ditutup; TMT harus di tahun yang terbuka."
        if (
            Mutasi.objects.filter(pegawai=peg, tmt=m.tmt, status=Mutasi.Status.DIJADWALKAN)
            .exclude(pk=m.pk)
            .exists()
        ):
            errors["tmt"] = "Sudah ada perubahan terjadwal untuk pegawai ini pada TMT yang sama."
    if errors:
        raise ValidationError(errors)


@layanan
@transaction.atomic
def mutasi_catat(
    *,
    user: Any,
    pegawai: Pegawai,
    jenis: str,
    tmt: dt.date,
    jabatan_baru: Any = None,
    unit_kerja_baru: Any = None,
    sampai: dt.date | None = None,
    keterangan: str = "",
    restrukturisasi_id: int | None = None,
) -> Mutasi:
    """Record a change of position on behalf of the instansi admin. Dated today or earlier it
    takes effect now; later, it waits for its date."""
    if jenis not in Mutasi.Jenis.values:
        raise ValidationError({"jenis": "Jenis perubahan tidak dikenal."})
    m = Mutasi(
        pegawai=pegawai,
        jenis=jenis,
        tmt=tmt,
        jabatan_baru=jabatan_baru,
        unit_kerja_baru=unit_kerja_baru,
        sampai=sampai,
        keterangan=keterangan,
        dibuat_oleh=user if getattr(user, "is_authenticated", False) else None,
        restrukturisasi_id=restrukturisasi_id,
    )
    policy.require(user, "add", m)
    _validasi(m)
    m.save()
    if tmt <= waktu.hari_ini():
        mutasi_berlakukan(mutasi=m, oleh=user)
        m.refresh_from_db()
    return m


@layanan
@transaction.atomic
def mutasi_berlakukan(*, mutasi: Mutasi, oleh: Any = None) -> bool:
    """Apply a recorded change on its TMT (now, or from the beat). Claimed with a row lock and a
    status check, so a change is applied once however many workers see it. Returns whether it
    ran."""
    return bool(mutasi_berlakukan_banyak(mutasi_ids=[mutasi.pk], oleh=oleh))


@layanan
@transaction.atomic
def mutasi_berlakukan_banyak(*, mutasi_ids: list[int], oleh: Any = None) -> int:
    """Apply many recorded changes (a staff import, a restructuring, the beat's day) with one
    `penilai_refresh` per instansi and TMT instead of one per pegawai: pegawai rows, their
    RiwayatJabatan and history are written in bulk. Changes are applied in TMT order; each is
    claimed (locked, still `dijadwalkan`) so a repeat or a concurrent worker applies nothing
    twice. Returns how many were applied."""
    rows = list(
        Mutasi.objects.select_for_update()
        .filter(pk__in=mutasi_ids, status=Mutasi.Status.DIJADWALKAN)
        .select_related("pegawai")
        .order_by("tmt", "id")
    )
    if not rows:
        return 0
    Mutasi.objects.filter(pk__in=[m.pk for m in rows]).update(
        status=Mutasi.Status.BERLAKU, diberlakukan=timezone.now()
    )
    kelompok: dict[tuple[int, dt.date], list[Mutasi]] = {}
    for m in rows:
        kelompok.setdefault((m.pegawai.instansi_id, m.tmt), []).append(m)
    for (_instansi_id, tmt), daftar in kelompok.items():
        _berlakukan(daftar, tmt, oleh)
    return len(rows)


def _berlakukan(daftar: list[Mutasi], tmt: dt.date, oleh: Any) -> None:
    """One instansi's changes sharing a TMT: pegawai rows, riwayat, then who rates whom."""
    ids = [m.pegawai_id for m in daftar]
    pegawai = (
        Pegawai.objects.select_for_update(of=("self",)).select_related("instansi").in_bulk(ids)
    )
    riwayat_pastikan_banyak(pegawai=list(pegawai.values()))
    for m in daftar:
        peg = pegawai[m.pegawai_id]
        if m.jenis in PINDAH:
            peg.jabatan_id = m.jabatan_baru_id
            peg.unit_kerja_id = m.unit_kerja_baru_id
            if peg.plt_jabatan_id == m.jabatan_baru_id:
                # Made definitive in the post they were acting in.
                peg.plt_jabatan_id, peg.plt_jenis = None, ""
        elif m.jenis in PELAKSANA:
            peg.plt_jabatan_id = m.jabatan_baru_id
            peg.plt_jenis = m.jenis
        else:  # berhenti
            peg.status = Pegawai.Status.BERHENTI
            peg.plt_jabatan_id, peg.plt_jenis = None, ""
        peg.row_version += 1
        peg._history_user = oleh or m.dibuat_oleh
    diubah = list(pegawai.values())
    # One UPDATE per distinct new state (a restructuring moves hundreds to the same post)
    # rather than bulk_update's per-row CASE, which is slow to build; history in bulk.
    kelompok: dict[tuple, list[int]] = {}
    for peg in diubah:
        key = (peg.jabatan_id, peg.unit_kerja_id, peg.plt_jabatan_id, peg.plt_jenis, peg.status)
        kelompok.setdefault(key, []).append(peg.pk)
    for (jab, unit, plt, plt_jenis, status), ids in kelompok.items():
        Pegawai.objects.filter(pk__in=ids).update(
            jabatan_id=jab,
            unit_kerja_id=unit,
            plt_jabatan_id=plt,
            plt_jenis=plt_jenis,
            status=status,
            row_version=F("row_version") + 1,
        )
    Pegawai.history.bulk_history_create(diubah, update=True, batch_size=2000)
    pelaku = oleh or daftar[0].dibuat_oleh
    with atas_nama(pelaku):
        riwayat_sinkron_banyak(pegawai=diubah, tmt=tmt, mutasi={m.pegawai_id: m for m in daftar})
        plt = [m for m in daftar if m.jenis in PELAKSANA]
        for m in plt:
            # An acting appointment carries its planned end from the start.
            RiwayatJabatan.objects.filter(
                pegawai_id=m.pegawai_id, mutasi=m, jenis=m.jenis, selesai__isnull=True
            ).update(selesai=m.sampai)
        penilai_refresh(instansi=diubah[0].instansi, tmt=tmt, oleh=pelaku)


@layanan
@transaction.atomic
def mutasi_batalkan(*, user: Any, mutasi: Mutasi, alasan: str) -> Mutasi:
    """Cancel a change that has not taken effect yet, with the reason kept."""
    policy.require(user, "batalkan", mutasi)
    if not (alasan or "").strip():
        raise ValidationError({"alasan": "Tuliskan alasan pembatalan."})
    m = Mutasi.objects.select_for_update().get(pk=mutasi.pk)
    if m.status != Mutasi.Status.DIJADWALKAN:
        raise ValidationError(
            {
                "status": f"Perubahan ini sudah {m.get_status_display().lower()}; tidak dapat dibatalkan."
            }
        )
    m.status = Mutasi.Status.DIBATALKAN
    m.alasan_batal = alasan.strip()
    m.row_version += 1
    m.save(update_fields=["status", "alasan_batal", "row_version"])
    return m


def mutasi_jatuh_tempo(*, hari_ini: dt.date | None = None) -> int:
    """The beat's daily pass: apply every change whose TMT has come, and end every Plt/Plh whose
    last day has passed. Each in its own transaction; repeats are no-ops. Returns how many."""
    hari_ini = hari_ini or waktu.hari_ini()
    jatuh = list(
        Mutasi.objects.filter(status=Mutasi.Status.DIJADWALKAN, tmt__lte=hari_ini)
        .order_by("tmt", "id")
        .values_list("pk", "pegawai__instansi_id")
    )
    n = 0
    per_instansi: dict[int, list[int]] = {}
    for pk, instansi_id in jatuh:
        per_instansi.setdefault(instansi_id, []).append(pk)
    for ids in per_instansi.values():
        # One transaction per instansi: a failure in one leaves the others applied.
        n += mutasi_berlakukan_banyak(mutasi_ids=ids)
    for r in RiwayatJabatan.objects.filter(
        jenis__in=list(PELAKSANA), selesai__lt=hari_ini, pegawai__plt_jabatan=F("jabatan")
    ).select_related("pegawai"):
        n += plt_akhiri(riwayat=r)
    return n


@transaction.atomic
def plt_akhiri(*, riwayat: RiwayatJabatan) -> bool:
    """End an acting appointment the day after its last day: the post passes back (or upward)."""
    peg = Pegawai.objects.select_for_update().get(pk=riwayat.pegawai_id)
    if peg.plt_jabatan_id != riwayat.jabatan_id:
        return False
    peg.plt_jabatan_id, peg.plt_jenis = None, ""
    tmt = riwayat.selesai + dt.timedelta(days=1)
    with atas_nama(riwayat.mutasi.dibuat_oleh if riwayat.mutasi_id else None):
        peg.save(update_fields=["plt_jabatan", "plt_jenis"])
        riwayat_sinkron(pegawai=peg, tmt=tmt)
        penilai_refresh(instansi=peg.instansi, tmt=tmt)
    return True
