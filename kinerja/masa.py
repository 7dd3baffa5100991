"""Who rated whom on a date, or over a window (reads of MasaPenilai; domain.md, "The
organisation over time"). Every stage asks here instead of "who is the penilai now"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from kinerja.models import MasaPenilai


@dataclass(frozen=True)
class Bagian:
    """The part of a window (or any stretch of days) that one penilai held a pegawai."""

    pegawai_id: int
    pejabat_penilai_id: int | None
    atasan_pejabat_penilai_id: int | None
    mulai: dt.date
    selesai: dt.date


def _tumpang(mulai: dt.date, selesai: dt.date) -> Q:
    return Q(mulai__lte=selesai) & (Q(selesai__isnull=True) | Q(selesai__gte=mulai))


def penilai_pada(pegawai_id: int, tanggal: dt.date) -> MasaPenilai | None:
    """The stretch that covers `tanggal` (one indexed read), or None before records/after leaving."""
    return (
        MasaPenilai.objects.filter(pegawai_id=pegawai_id)
        .filter(_tumpang(tanggal, tanggal))
        .order_by("-mulai")
        .first()
    )


def bagian_dalam(pegawai_id: int, mulai: dt.date, selesai: dt.date) -> list[Bagian]:
    """Each penilai's part of [mulai, selesai] for one pegawai, in date order, clipped to it.
    Adjacent stretches with the same penilai (an atasan-only change) are joined."""
    out: list[Bagian] = []
    for m in (
        MasaPenilai.objects.filter(pegawai_id=pegawai_id)
        .filter(_tumpang(mulai, selesai))
        .order_by("mulai")
    ):
        a, b = max(m.mulai, mulai), min(m.selesai or selesai, selesai)
        if out and out[-1].pejabat_penilai_id == m.pejabat_penilai_id:
            prev = out[-1]
            out[-1] = Bagian(
                pegawai_id, prev.pejabat_penilai_id, m.atasan_pejabat_penilai_id, prev.mulai, b
            )
            continue
        out.append(Bagian(pegawai_id, m.pejabat_penilai_id, m.atasan_pejabat_penilai_id, a, b))
    return out


def dinilai_dalam(penilai_id: int, mulai: dt.date, selesai: dt.date) -> QuerySet:
    """Stretches in which `penilai_id` rated someone during [mulai, selesai] (team pages)."""
    return MasaPenilai.objects.filter(pejabat_penilai_id=penilai_id).filter(
        _tumpang(mulai, selesai)
    )


def pernah_dinilai_oleh(penilai_id: int) -> QuerySet:
    """Ids of the pegawai `penilai_id` has ever rated (read access to what they rated)."""
    return MasaPenilai.objects.filter(pejabat_penilai_id=penilai_id).values("pegawai_id")
