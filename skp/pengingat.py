"""Reminders of the planning stage, run daily per instansi by the kinerja reminder engine.

- SKP not yet submitted as the Periode's planning deadline approaches and after it passes (the
  pegawai), and once it has passed, the penilai of whoever is still missing;
- SKP waiting for approval longer than the Periode's limit (the penilai), and longer than the
  limit plus the instansi's escalation days (the atasan pejabat penilai).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone

from kinerja.models import Pegawai, Periode
from kinerja.notifikasi import daftar_jenis
from kinerja.pengingat import Konteks, Pesan, daftar_nama, pengingat, tautan
from skp.models import SKP

AKTIF = [Pegawai.Status.AKTIF, Pegawai.Status.TUGAS_BELAJAR]

# Labels of the notifications the planning stage sends (bell list, email subject, preferences);
# without them "skp_disetujui" showed as "Skp disetujui".
for _kode, _label in (
    ("skp_diajukan", "SKP diajukan"),
    ("skp_disetujui", "SKP disetujui"),
    ("skp_dikembalikan", "SKP dikembalikan"),
    ("skp_matriks_diterapkan", "Matriks peran-hasil diterapkan ke SKP"),
    ("skp_matriks_diterapkan_penilai", "Matriks peran-hasil diterapkan ke SKP bawahan"),
):
    daftar_jenis(_kode, _label)


def _periode_perencanaan(ctx: Konteks) -> Periode | None:
    p = ctx.periode
    if p is None or p.ditutup or p.batas_perencanaan is None:
        return None
    return p


def _belum_mengajukan(ctx: Konteks, periode: Periode):
    """Active pegawai of the instansi with no SKP for the year ever submitted."""
    sudah = SKP.objects.filter(periode=periode).filter(
        Q(status__in=[SKP.Status.DIAJUKAN, SKP.Status.DISETUJUI]) | Q(diajukan_pada__isnull=False)
    )
    return (
        Pegawai.objects.filter(instansi=ctx.instansi, status__in=AKTIF, user__isnull=False)
        .exclude(pk__in=sudah.values("pegawai_id"))
        .select_related("user", "pejabat_penilai__user")
        .order_by("nama")
    )


def _batas_teks(periode: Periode, hari: int) -> str:
    tgl = f"{periode.batas_perencanaan:%d-%m-%Y}"
    if hari > 0:
        return f"batas penyusunan SKP tahun {periode.tahun} tanggal {tgl} ({hari} hari lagi)"
    if hari == 0:
        return f"batas penyusunan SKP tahun {periode.tahun} adalah hari ini ({tgl})"
    return f"batas penyusunan SKP tahun {periode.tahun} ({tgl}) telah lewat {-hari} hari"


@pengingat("skp_belum_diajukan", "SKP belum diajukan (mendekati/melewati batas penyusunan)")
def skp_belum_diajukan(ctx: Konteks) -> Iterator[Pesan]:
    periode = _periode_perencanaan(ctx)
    if periode is None:
        return
    hari = ctx.hari_menuju(periode.batas_perencanaan)
    if hari > ctx.pengaturan.hari_sebelum_batas_skp:
        return
    link = tautan("skp:index", cadangan="/skp/")
    for p in _belum_mengajukan(ctx, periode):
        yield Pesan(
            p.user,
            f"SKP Anda belum diajukan kepada pejabat penilai; {_batas_teks(periode, hari)}.",
            link,
        )


@pengingat("skp_bawahan_belum_diajukan", "Pegawai yang Anda nilai belum mengajukan SKP")
def skp_bawahan_belum_diajukan(ctx: Konteks) -> Iterator[Pesan]:
    periode = _periode_perencanaan(ctx)
    if periode is None or ctx.hari_menuju(periode.batas_perencanaan) >= 0:
        return
    per_penilai: dict[int, list[Pegawai]] = defaultdict(list)
    penilai: dict[int, Pegawai] = {}
    for p in _belum_mengajukan(ctx, periode):
        if p.pejabat_penilai_id and p.pejabat_penilai.user_id:
            per_penilai[p.pejabat_penilai_id].append(p)
            penilai[p.pejabat_penilai_id] = p.pejabat_penilai
    link = tautan("skp:persetujuan", cadangan="/skp/")
    hari = ctx.hari_menuju(periode.batas_perencanaan)
    for pid, items in per_penilai.items():
        yield Pesan(
            penilai[pid].user,
            f"{len(items)} pegawai yang Anda nilai belum mengajukan SKP "
            f"({daftar_nama([i.nama for i in items])}); {_batas_teks(periode, hari)}.",
            link,
        )


def _menunggu(ctx: Konteks, hari: int):
    """Current SKPs waiting for approval for more than `hari` days."""
    if ctx.periode is None or ctx.periode.ditutup:
        return SKP.objects.none()
    akhir_hari = timezone.make_aware(
        dt.datetime.combine(ctx.hari_ini - dt.timedelta(days=hari), dt.time.min)
    )
    return (
        SKP.objects.filter(
            periode=ctx.periode,
            terkini=True,
            status=SKP.Status.DIAJUKAN,
            diajukan_pada__lt=akhir_hari,
        )
        .select_related("pegawai__pejabat_penilai__user", "pegawai__atasan_pejabat_penilai__user")
        .order_by("diajukan_pada")
    )


def _lama(ctx: Konteks, skp: SKP) -> int:
    return (ctx.hari_ini - timezone.localtime(skp.diajukan_pada).date()).days


@pengingat("skp_menunggu_persetujuan", "SKP menunggu persetujuan melewati batas waktu")
def skp_menunggu_persetujuan(ctx: Konteks) -> Iterator[Pesan]:
    if ctx.periode is None:
        return
    batas = ctx.periode.batas_persetujuan_hari
    link = tautan("skp:persetujuan", cadangan="/skp/")
    grup: dict[int, list[SKP]] = defaultdict(list)
    for s in _menunggu(ctx, batas):
        penilai = s.pegawai.pejabat_penilai
        if penilai is not None and penilai.user_id:
            grup[penilai.pk].append(s)
    for items in grup.values():
        yield Pesan(
            items[0].pegawai.pejabat_penilai.user,
            f"{len(items)} SKP menunggu persetujuan Anda lebih dari {batas} hari "
            f"({daftar_nama([f'{s.pegawai.nama}, {_lama(ctx, s)} hari' for s in items])}).",
            link,
        )


@pengingat(
    "skp_persetujuan_terlambat",
    "SKP pegawai belum disetujui pejabat penilai (eskalasi ke atasan pejabat penilai)",
)
def skp_persetujuan_terlambat(ctx: Konteks) -> Iterator[Pesan]:
    if ctx.periode is None:
        return
    hari = ctx.periode.batas_persetujuan_hari + ctx.pengaturan.hari_eskalasi_persetujuan
    grup: dict[int, list[SKP]] = defaultdict(list)
    for s in _menunggu(ctx, hari):
        atasan = s.pegawai.atasan_pejabat_penilai
        if atasan is not None and atasan.user_id:
            grup[atasan.pk].append(s)
    for items in grup.values():
        s0 = items[0]
        names = [
            f"{s.pegawai.nama} (penilai: "
            f"{s.pegawai.pejabat_penilai.nama if s.pegawai.pejabat_penilai else '-'})"
            for s in items
        ]
        yield Pesan(
            s0.pegawai.atasan_pejabat_penilai.user,
            f"{len(items)} SKP belum disetujui pejabat penilai lebih dari {hari} hari sejak "
            f"diajukan: {daftar_nama(names)}.",
            tautan("skp:detail", s0.pk, cadangan="/skp/"),
        )
