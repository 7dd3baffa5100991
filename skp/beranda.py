"""What the planning stage puts on the home page (kinerja/beranda.py): the pegawai's SKP with
its next step and why; the penilai's approval queue and matrix; the atasan's escalations (SKP
waiting past the approval deadline and the escalation days); the ketua tim's team and matrix.
Each provider costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q
from django.urls import reverse

from kinerja import policy
from kinerja.beranda import Butir, Konteks, Tugas, lama, umur
from skp.models import SKP, MatriksPeranHasil

BUTIR_MAKS = 5


def skp_saya(ctx: Konteks) -> Iterable[Tugas]:
    """The pegawai's current SKP: where it stands, why, and what to do next."""
    if not ctx.pegawai_id or ctx.periode is None:
        return []
    from kinerja.models import Pegawai

    if ctx.pegawai.jenis_asn == Pegawai.JenisASN.PEJABAT_NEGARA:
        return []  # an elected official has no SKP (domain.md: rated by nobody here)
    p = ctx.periode
    skp = (
        SKP.objects.filter(pegawai_id=ctx.pegawai_id, periode=p, terkini=True)
        .select_related("pejabat_penilai")
        .annotate(
            n_rhk=Count("rencana_set"),
            n_catatan=Count("rencana_set", filter=~Q(rencana_set__catatan_penilai="")),
        )
        .first()
    )
    if skp is None:
        return [
            Tugas(
                "pegawai",
                f"Susun SKP {p.tahun}",
                "Belum ada SKP untuk tahun ini."
                + (
                    f" Batas penyusunan {p.batas_perencanaan:%d/%m/%Y}."
                    if p.batas_perencanaan
                    else ""
                ),
                url=reverse("skp:index"),
                aksi="Susun SKP",
                mendesak=True,
                urutan=10,
                id="tugas-skp",
            )
        ]
    url = reverse("skp:detail", args=[skp.pk])
    judul = f"SKP {p.tahun} versi {skp.versi}"
    penilai = skp.pejabat_penilai.nama if skp.pejabat_penilai else "pejabat penilai"
    if skp.status == SKP.Status.DRAFT:
        if skp.catatan_penilai or skp.n_catatan:
            baris = f"{skp.n_catatan} catatan pada rencana hasil kerja" if skp.n_catatan else ""
            umum = f"“{skp.catatan_penilai}”" if skp.catatan_penilai else ""
            isi = " dan ".join(x for x in (umum, baris) if x)
            rincian = f"Dikembalikan oleh {penilai}: {isi} — perbaiki lalu ajukan lagi."
        elif skp.versi > 1 and skp.alasan_perubahan:
            rincian = (
                f"Versi {skp.versi} dibuka karena {_kecil(skp.alasan_perubahan)} — ajukan lagi."
            )
        elif skp.n_rhk == 0:
            rincian = "Masih kosong: tambahkan rencana hasil kerja, lalu ajukan."
        else:
            rincian = f"Draf dengan {skp.n_rhk} rencana hasil kerja — periksa lalu ajukan."
        boleh_ajukan = skp.n_rhk > 0
        return [
            Tugas(
                "pegawai",
                f"{judul}: draf",
                rincian,
                url=url,
                aksi="Buka SKP",
                mendesak=True,
                urutan=10,
                formulir={
                    "url": reverse("skp:ajukan", args=[skp.pk]),
                    "label": "Ajukan",
                    "row_version": skp.row_version,
                }
                if boleh_ajukan
                else None,
                id="tugas-skp",
            )
        ]
    if skp.status == SKP.Status.DIAJUKAN:
        return [
            Tugas(
                "pegawai",
                f"{judul}: menunggu persetujuan",
                f"Diajukan kepada {penilai} {umur(skp.diajukan_pada, ctx.sekarang)}.",
                url=url,
                aksi="Lihat SKP",
                selesai=True,
                menunggu=True,
                urutan=10,
                id="tugas-skp",
            )
        ]
    return [
        Tugas(
            "pegawai",
            f"{judul}: disetujui",
            "Catat realisasi dan bukti dukung setiap periode.",
            url=url,
            aksi="Lihat SKP",
            selesai=True,
            urutan=60,
            id="tugas-skp",
        )
    ]


def _kecil(teks: str) -> str:
    teks = teks.strip().rstrip(".")
    return teks[:1].lower() + teks[1:] if teks[:2] != teks[:2].upper() else teks


def persetujuan(ctx: Konteks) -> Iterable[Tugas]:
    """The penilai's approval queue: how many, the oldest first, how long it has waited."""
    if not ctx.pegawai_id or not ctx.terkait("dinilai"):
        return []
    from skp.selectors import antrian_persetujuan

    qs = antrian_persetujuan(ctx.user)
    n = qs.count()
    if not n:
        return [
            Tugas(
                "penilai",
                "Tidak ada SKP yang menunggu persetujuan",
                url=reverse("skp:persetujuan"),
                aksi="Antrian persetujuan",
                selesai=True,
                urutan=10,
                id="tugas-persetujuan",
            )
        ]
    rows = list(qs[:BUTIR_MAKS])
    tertua = lama(rows[0].diajukan_pada, ctx.sekarang)
    return [
        Tugas(
            "penilai",
            f"{n} SKP menunggu persetujuan",
            f"Terlama menunggu {tertua} hari." if tertua else "Diajukan hari ini.",
            url=reverse("skp:persetujuan"),
            aksi="Buka antrian",
            jumlah=n,
            mendesak=True,
            urutan=10,
            butir=[
                Butir(
                    s.pegawai.nama,
                    reverse("skp:detail", args=[s.pk]),
                    f"versi {s.versi} · {umur(s.diajukan_pada, ctx.sekarang)}",
                )
                for s in rows
            ],
            lainnya=max(n - len(rows), 0),
            id="tugas-persetujuan",
        )
    ]


def eskalasi(ctx: Konteks) -> Iterable[Tugas]:
    """SKP of the atasan's indirect staff still unapproved past the deadline plus the
    instansi's escalation days (the same rule as the reminder, skp/pengingat.py)."""
    bawahan = ctx.terkait("atasan") if ctx.pegawai_id else set()
    if not bawahan or ctx.periode is None:
        return []
    from kinerja.models import PengaturanPengingat

    atur = PengaturanPengingat.objects.filter(instansi_id=ctx.periode.instansi_id).first()
    hari = ctx.periode.batas_persetujuan_hari + (atur.hari_eskalasi_persetujuan if atur else 7)
    batas = ctx.sekarang - dt.timedelta(days=hari)
    qs = (
        policy.scope(ctx.user, SKP.objects.all())
        .filter(
            periode=ctx.periode,
            terkini=True,
            status=SKP.Status.DIAJUKAN,
            diajukan_pada__lt=batas,
            pegawai_id__in=bawahan,
        )
        .select_related("pegawai", "pejabat_penilai")
        .order_by("diajukan_pada", "pk")
    )
    rows = list(qs[:BUTIR_MAKS])
    if not rows:
        return [
            Tugas(
                "atasan",
                "Tidak ada SKP yang tertahan di pejabat penilai",
                f"SKP yang belum disetujui lebih dari {hari} hari sejak diajukan muncul di sini.",
                selesai=True,
                urutan=20,
                id="tugas-eskalasi",
            )
        ]
    n = qs.count()  # always asked: the same queries for 5 rows or 500
    return [
        Tugas(
            "atasan",
            f"{n} SKP belum disetujui lebih dari {hari} hari",
            "Dorong pejabat penilai untuk memutuskan, atau bicarakan dengan pegawainya.",
            jumlah=n,
            mendesak=True,
            urutan=20,
            butir=[
                Butir(
                    s.pegawai.nama,
                    reverse("skp:detail", args=[s.pk]),
                    f"penilai: {s.pejabat_penilai.nama if s.pejabat_penilai else '-'} · "
                    f"{umur(s.diajukan_pada, ctx.sekarang)}",
                )
                for s in rows
            ],
            lainnya=max(n - BUTIR_MAKS, 0),
            id="tugas-eskalasi",
        )
    ]


def matriks(ctx: Konteks) -> Iterable[Tugas]:
    """The leader's and the ketua tim's matriks peran-hasil for the year: applied or not."""
    if not ctx.pegawai_id or ctx.periode is None:
        return []
    from kinerja.models import TimKerja

    dinilai = ctx.terkait("dinilai")
    tim = list(
        TimKerja.objects.filter(ketua_id=ctx.pegawai_id, aktif=True)
        .annotate(n=Count("anggota", distinct=True))
        .order_by("nama")
    )
    if not dinilai and not tim:
        return []
    ada = {
        m.tim_id: m
        for m in MatriksPeranHasil.objects.filter(pemimpin_id=ctx.pegawai_id, periode=ctx.periode)
    }
    out = []
    if dinilai:
        m = ada.get(None)
        out.append(_tugas_matriks("penilai", ctx, m, f"Matriks peran-hasil {ctx.periode.tahun}"))
    for t in tim:
        m = ada.get(t.pk)
        tugas = _tugas_matriks("ketua", ctx, m, f"Matriks tim {t.nama}")
        tugas.rincian = f"{t.n} anggota. " + tugas.rincian
        tugas.id = f"tugas-tim-{t.pk}"
        out.append(tugas)
    return out


def _tugas_matriks(peran: str, ctx: Konteks, m: MatriksPeranHasil | None, judul: str) -> Tugas:
    if m is None:
        return Tugas(
            peran,
            f"{judul}: belum dibuat",
            "Turunkan rencana hasil kerja Anda kepada anggota lewat matriks peran-hasil.",
            url=reverse("skp:matriks_index"),
            aksi="Buka matriks",
            urutan=30,
            id=f"tugas-matriks-{peran}",
        )
    if m.diterapkan_pada is None:
        return Tugas(
            peran,
            f"{judul}: belum diterapkan",
            "Isi sel peran-hasil lalu terapkan agar masuk ke SKP anggota.",
            url=reverse("skp:matriks", args=[m.pk]),
            aksi="Lanjutkan matriks",
            urutan=30,
            id=f"tugas-matriks-{peran}",
        )
    return Tugas(
        peran,
        f"{judul}: diterapkan",
        f"Terakhir diterapkan {umur(m.diterapkan_pada, ctx.sekarang)}.",
        url=reverse("skp:matriks", args=[m.pk]),
        aksi="Buka matriks",
        selesai=True,
        urutan=30,
        id=f"tugas-matriks-{peran}",
    )
