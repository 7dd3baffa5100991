"""Demo data of the organisation over time (issue 16): one pegawai moved mid-year, one Plt in a
vacant post, one change scheduled for next month, so each screen of Kelola organisasi (and the
later stages' views of a year that moves) has something to show.

Run by `manage.py demo` after every stage has seeded its year, through the same services the
admin uses (`kinerja.mutasi`), so the later stages hear of each change like any other.
Idempotent: the changes are recognised by their note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from kinerja import mutasi, waktu
from kinerja.models import Jabatan, Mutasi, Pegawai

CATATAN = "Contoh data demo"


def _bulan_depan(d: dt.date) -> dt.date:
    return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _pelaksana(ctx: dict[str, Any], instansi: Any):
    personas = {p.pk for p in ctx.values() if isinstance(p, Pegawai)}
    return Pegawai.objects.filter(
        instansi=instansi,
        status=Pegawai.Status.AKTIF,
        jabatan__jenis=Jabatan.Jenis.PELAKSANA,
        plt_jabatan__isnull=True,
    ).exclude(pk__in=personas)


def calon_mutasi(ctx: dict[str, Any], instansi: Any = None) -> Pegawai | None:
    """The pegawai the demo moves mid-year: the later stages' demos give them a year's work
    before (an approved SKP), so the move shows what it does to the cycle."""
    instansi = instansi or ctx.get("instansi")
    if instansi is None:
        return None
    return (
        _pelaksana(ctx, instansi)
        .select_related("user", "pejabat_penilai__user")
        .order_by("pk")
        .first()
    )


def tugas_belajar(ctx: dict[str, Any]) -> Pegawai | None:
    """A PNS of the persona penilai (kasubbid) on tugas belajar: a pelaksana relieved of the
    position to study, whose SKP is a tugas belajar SKP (skp.demo). Set through the admin's
    path (`organisasi_simpan`, with its history); the one already on study leave on a second
    run. Kept in `ctx["tugas_belajar"]` (a persona: the later changes leave them alone, the
    logins list them). None when the kasubbid rates no one else."""
    instansi, kasub, admin = ctx.get("instansi"), ctx.get("kasubbid"), ctx.get("admin")
    if instansi is None or kasub is None or admin is None:
        return None
    qs = Pegawai.objects.filter(instansi=instansi, user__isnull=False).select_related("user")
    peg = qs.filter(status=Pegawai.Status.TUGAS_BELAJAR).order_by("pk").first()
    if peg is None:
        personas = {p.pk for p in ctx.values() if isinstance(p, Pegawai)}
        peg = (
            qs.filter(
                pejabat_penilai=kasub,
                status=Pegawai.Status.AKTIF,
                jenis_asn=Pegawai.JenisASN.PNS,  # tugas belajar is a PNS's
                jabatan__jenis=Jabatan.Jenis.PELAKSANA,
                plt_jabatan__isnull=True,
            )
            .exclude(pk__in=personas)
            .order_by("-nip", "-pk")  # the youngest (a NIP starts with the birth date)
            .first()
        )
        if peg is None:
            return None
        from kinerja.services import organisasi_simpan

        peg.status = Pegawai.Status.TUGAS_BELAJAR
        organisasi_simpan(user=admin, obj=peg)
        peg = qs.get(pk=peg.pk)
    ctx["tugas_belajar"] = peg
    return peg


def tmt_mutasi(today: dt.date) -> dt.date:
    """The TMT of the demo's mid-year move: 1 July, or the start of this month before July."""
    juli = dt.date(today.year, 7, 1)
    return juli if today >= juli else today.replace(day=1)


def seed(ctx: dict[str, Any], out: Any = None) -> None:
    instansi, admin = ctx["instansi"], ctx["admin"]
    if Mutasi.objects.filter(pegawai__instansi=instansi, keterangan__startswith=CATATAN).exists():
        return
    today = waktu.hari_ini()
    personas = {p.pk for p in ctx.values() if isinstance(p, Pegawai)}
    aktif = Pegawai.objects.filter(instansi=instansi, status=Pegawai.Status.AKTIF).exclude(
        pk__in=personas
    )
    held = set(aktif.values_list("jabatan_id", flat=True)) | {
        p.jabatan_id for p in ctx.values() if isinstance(p, Pegawai)
    }
    pelaksana = aktif.filter(jabatan__jenis=Jabatan.Jenis.PELAKSANA, plt_jabatan__isnull=True)
    catat = []

    # 1. Moved mid-year (1 July, or the start of this month before July) to another unit.
    p1 = calon_mutasi(ctx, instansi)
    if p1 is not None:
        tujuan = (
            Jabatan.objects.filter(
                unit_kerja__instansi=instansi,
                jenis=Jabatan.Jenis.PELAKSANA,
                atasan_id__in=held,
                ditutup__isnull=True,
            )
            .exclude(unit_kerja_id=p1.unit_kerja_id)
            .exclude(atasan_id=p1.jabatan.atasan_id)
            .order_by("pk")
            .first()
        )
        tmt = tmt_mutasi(today)
        if tujuan is not None:
            mutasi.mutasi_catat(
                user=admin,
                pegawai=p1,
                jenis=Mutasi.Jenis.MUTASI,
                tmt=tmt,
                jabatan_baru=tujuan,
                keterangan=f"{CATATAN}: mutasi tengah tahun",
            )
            catat.append(f"{p1.nama} dimutasi (TMT {tmt:%d-%m-%Y})")

    # 2. A Plt in a vacant leading post, until the end of next month.
    kosong = (
        Jabatan.objects.filter(
            unit_kerja__instansi=instansi,
            jenis__in=[Jabatan.Jenis.PENGAWAS, Jabatan.Jenis.ADMINISTRATOR],
            ditutup__isnull=True,
        )
        .annotate(n=Count("pemangku_set", filter=~Q(pemangku_set__status="berhenti")))
        .filter(n=0)
        .order_by("pk")
        .first()
    )
    if kosong is not None:
        plt = (
            aktif.filter(unit_kerja_id=kosong.unit_kerja_id)
            .exclude(jabatan_id=kosong.pk)
            .exclude(pk=getattr(p1, "pk", None))
            .order_by("pk")
            .first()
        )
        if plt is not None:
            sampai = _bulan_depan(_bulan_depan(today)) - dt.timedelta(days=1)
            mutasi.mutasi_catat(
                user=admin,
                pegawai=plt,
                jenis=Mutasi.Jenis.PLT,
                tmt=today.replace(day=1),
                sampai=sampai,
                jabatan_baru=kosong,
                keterangan=f"{CATATAN}: Plt jabatan lowong",
            )
            catat.append(f"{plt.nama} Plt {kosong.nama} sampai {sampai:%d-%m-%Y}")

    # 3. A rotation scheduled for the first of next month (cancellable until then).
    p3 = pelaksana.exclude(pk=getattr(p1, "pk", None)).order_by("-pk").first()
    if p3 is not None:
        tujuan = (
            Jabatan.objects.filter(
                unit_kerja__instansi=instansi,
                jenis=Jabatan.Jenis.PELAKSANA,
                atasan_id__in=held,
                ditutup__isnull=True,
            )
            .exclude(pk=p3.jabatan_id)
            .order_by("-pk")
            .first()
        )
        if tujuan is not None:
            tmt = _bulan_depan(today)
            mutasi.mutasi_catat(
                user=admin,
                pegawai=p3,
                jenis=Mutasi.Jenis.ROTASI,
                tmt=tmt,
                jabatan_baru=tujuan,
                keterangan=f"{CATATAN}: rotasi terjadwal",
            )
            catat.append(f"{p3.nama} dirotasi, dijadwalkan TMT {tmt:%d-%m-%Y}")
    if out is not None and catat:
        out.write("Perubahan jabatan contoh: " + "; ".join(catat) + ".\n")
