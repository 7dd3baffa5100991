"""Reminders of the evaluation stage, run daily per instansi by the kinerja reminder engine.

- periodic evaluation due at the end of each window, annual evaluation in December (the penilai
  of each pegawai without a final evaluation for the window);
- Kinerja Organisasi not yet set for a window that is ending (the unit's head, the admins);
- a sanction case's current step deadline approaching (the penilai, the admins);
- a keberatan nearing or past its decision deadline (the pemutus; once past, the admins too).

A window is "due" from `hari_sebelum_akhir_jendela` days before it ends (the annual one from
1 December) until `hari_tenggang_evaluasi` days after.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.utils import timezone

from evaluasi import jendela
from evaluasi.models import Evaluasi, KasusSanksi, Keberatan, KinerjaOrganisasi, LangkahSanksi
from evaluasi.rules import KEBERATAN_NOTIFIKASI, LANGKAH_LABEL, PENGINGAT_PUTUSAN_HARI_SEBELUM
from kinerja import policy
from kinerja.models import Pegawai, Periode, User
from kinerja.notifikasi import daftar_jenis
from kinerja.pengingat import Konteks, Pesan, daftar_nama, pengingat, tautan

DIEVALUASI = [Pegawai.Status.AKTIF, Pegawai.Status.TUGAS_BELAJAR, Pegawai.Status.CUTI]


def jatuh_tempo(ctx: Konteks, jenis: str) -> list[tuple[Periode, jendela.Window]]:
    """The windows of `jenis` (periodik / tahunan) whose evaluation is due today."""
    sebelum = dt.timedelta(days=ctx.pengaturan.hari_sebelum_akhir_jendela)
    tenggang = dt.timedelta(days=ctx.pengaturan.hari_tenggang_evaluasi)
    out = []
    periodes = Periode.objects.filter(
        instansi=ctx.instansi, tahun__in=[ctx.hari_ini.year, ctx.hari_ini.year - 1]
    ).exclude(status=Periode.Status.DITUTUP)
    for per in periodes:
        for w in jendela.daftar(per):
            if w.jenis != jenis:
                continue
            mulai = dt.date(per.tahun, 12, 1) if jenis == "tahunan" else w.jendela.selesai - sebelum
            if mulai <= ctx.hari_ini <= w.jendela.selesai + tenggang:
                out.append((per, w))
    return out


def _tenggat(ctx: Konteks, w: jendela.Window) -> str:
    hari = ctx.hari_menuju(w.jendela.selesai)
    tgl = f"{w.jendela.selesai:%d-%m-%Y}"
    if hari > 0:
        return f"periode berakhir {tgl} ({hari} hari lagi)"
    if hari == 0:
        return f"periode berakhir hari ini ({tgl})"
    return f"periode telah berakhir {tgl}"


def _evaluasi_belum(ctx: Konteks, jenis: str) -> Iterator[Pesan]:
    for per, w in jatuh_tempo(ctx, jenis):
        final = Evaluasi.objects.filter(
            periode=per, jenis=w.jenis, urutan=w.urutan, status=Evaluasi.Status.FINAL
        ).values("pegawai_id")
        grup: dict[int, list[Pegawai]] = defaultdict(list)
        penilai: dict[int, Pegawai] = {}
        for p in (
            Pegawai.objects.filter(
                instansi=ctx.instansi, status__in=DIEVALUASI, pejabat_penilai__isnull=False
            )
            .exclude(pk__in=final)
            .select_related("pejabat_penilai__user")
            .order_by("nama")
        ):
            if p.pejabat_penilai.user_id:
                grup[p.pejabat_penilai_id].append(p)
                penilai[p.pejabat_penilai_id] = p.pejabat_penilai
        judul = f"Evaluasi kinerja {w.label_pendek} {per.tahun}"
        link = tautan("evaluasi:tim", cadangan="/evaluasi/")
        for pid, items in grup.items():
            yield Pesan(
                penilai[pid].user,
                f"{judul} belum difinalisasi untuk {len(items)} pegawai yang Anda nilai "
                f"({daftar_nama([i.nama for i in items])}); {_tenggat(ctx, w)}.",
                link,
            )


@pengingat("evaluasi_periodik_jatuh_tempo", "Evaluasi kinerja periodik jatuh tempo")
def evaluasi_periodik_jatuh_tempo(ctx: Konteks) -> Iterator[Pesan]:
    yield from _evaluasi_belum(ctx, "periodik")


@pengingat("evaluasi_tahunan_jatuh_tempo", "Evaluasi kinerja akhir tahun (Desember)")
def evaluasi_tahunan_jatuh_tempo(ctx: Konteks) -> Iterator[Pesan]:
    yield from _evaluasi_belum(ctx, "tahunan")


def _admins(ctx: Konteks) -> list[User]:
    return list(policy.pengelola_instansi(ctx.instansi.pk).order_by("pk"))


@pengingat("kinerja_organisasi_belum", "Kinerja organisasi belum ditetapkan")
def kinerja_organisasi_belum(ctx: Konteks) -> Iterator[Pesan]:
    due = jatuh_tempo(ctx, "periodik") + jatuh_tempo(ctx, "tahunan")
    if not due:
        return
    link = tautan("evaluasi:kinerja_organisasi", cadangan="/evaluasi/")
    admins = _admins(ctx)
    # Units where someone is evaluated, with their heads.
    pegawai = Pegawai.objects.filter(
        instansi=ctx.instansi, status__in=DIEVALUASI, unit_kerja__isnull=False
    ).select_related("unit_kerja", "jabatan", "user")
    units: dict[int, str] = {}
    kepala: dict[int, list[Pegawai]] = defaultdict(list)
    for p in pegawai:
        units[p.unit_kerja_id] = p.unit_kerja.nama
        if p.jabatan_id and p.jabatan.kepala_unit and p.jabatan.unit_kerja_id == p.unit_kerja_id:
            kepala[p.unit_kerja_id].append(p)
    for per, w in due:
        ada = set(
            KinerjaOrganisasi.objects.filter(
                periode=per, jenis=w.jenis, urutan=w.urutan, unit_kerja_id__in=units
            ).values_list("unit_kerja_id", flat=True)
        )
        kosong = sorted((uid for uid in units if uid not in ada), key=lambda u: units[u])
        if not kosong:
            continue
        label = w.label_pendek
        for uid in kosong:
            for k in kepala[uid]:
                yield Pesan(
                    k.user,
                    f"Kinerja organisasi {units[uid]} untuk {label} {per.tahun} belum "
                    f"ditetapkan; {_tenggat(ctx, w)}.",
                    link,
                )
        for admin in admins:
            yield Pesan(
                admin,
                f"Kinerja organisasi {label} {per.tahun} belum ditetapkan untuk {len(kosong)} "
                f"unit kerja ({daftar_nama([units[u] for u in kosong])}); {_tenggat(ctx, w)}.",
                link,
            )


@pengingat("sanksi_batas_perbaikan", "Batas waktu perbaikan kinerja (kasus sanksi) mendekati")
def sanksi_batas_perbaikan(ctx: Konteks) -> Iterator[Pesan]:
    akhir = ctx.hari_ini + dt.timedelta(days=ctx.pengaturan.hari_sebelum_batas_sanksi)
    kasus = list(
        KasusSanksi.objects.filter(
            status=KasusSanksi.Status.TERBUKA, pegawai__instansi=ctx.instansi
        ).select_related("pegawai__pejabat_penilai__user")
    )
    if not kasus:
        return
    # The current step of each case is its latest one.
    terakhir: dict[int, LangkahSanksi] = {}
    for langkah in LangkahSanksi.objects.filter(kasus__in=kasus).order_by(
        "kasus_id", "diputuskan_pada", "id"
    ):
        terakhir[langkah.kasus_id] = langkah
    admins = _admins(ctx)
    for k in kasus:
        step = terakhir.get(k.pk)
        if step is None or step.batas is None or not (ctx.hari_ini <= step.batas <= akhir):
            continue
        hari = ctx.hari_menuju(step.batas)
        pesan = (
            f"Batas {LANGKAH_LABEL.get(step.langkah, step.langkah).lower()} untuk "
            f"{k.pegawai.nama} jatuh pada {step.batas:%d-%m-%Y} "
            f"({'hari ini' if hari == 0 else f'{hari} hari lagi'}); tetapkan langkah berikutnya."
        )
        link = tautan("evaluasi:sanksi", k.pk, cadangan="/evaluasi/")
        penilai = k.pegawai.pejabat_penilai
        if penilai is not None and penilai.user_id:
            yield Pesan(penilai.user, pesan, link)
        for admin in admins:
            yield Pesan(admin, pesan, link)


# --- keberatan ------------------------------------------------------------------------------
# The notification kinds the keberatan services send, known before the first one is sent (the
# preferences page lists them; discovery imports this module).
for _kode, _label in KEBERATAN_NOTIFIKASI.items():
    daftar_jenis(_kode, _label)


@pengingat("keberatan_belum_diputus", "Keberatan menunggu keputusan")
def keberatan_belum_diputus(ctx: Konteks) -> Iterator[Pesan]:
    """The pemutus of every open keberatan from PENGINGAT_PUTUSAN_HARI_SEBELUM days before its
    decision deadline (set at filing from the instansi's `hari_putus_keberatan`), every day
    until decided; once the deadline has passed the instansi admins are told as well."""
    mulai = ctx.hari_ini + dt.timedelta(days=PENGINGAT_PUTUSAN_HARI_SEBELUM)
    terbuka = list(
        Keberatan.objects.filter(pegawai__instansi=ctx.instansi)
        .exclude(status=Keberatan.Status.DIPUTUS)
        .select_related("pegawai", "pemutus__user")
        .order_by("batas_putusan", "pk")
    )
    admins = None
    for k in terbuka:
        batas = timezone.localtime(k.batas_putusan).date()
        if batas > mulai:
            continue
        hari = ctx.hari_menuju(batas)
        if hari > 0:
            kapan = f"paling lambat {batas:%d-%m-%Y} ({hari} hari lagi)"
        elif hari == 0:
            kapan = f"paling lambat hari ini ({batas:%d-%m-%Y})"
        else:
            kapan = f"batasnya telah lewat {-hari} hari ({batas:%d-%m-%Y})"
        pesan = f"Keberatan {k.pegawai.nama} atas evaluasi kinerjanya perlu diputus {kapan}."
        link = tautan("evaluasi:keberatan_detail", k.pk, cadangan="/evaluasi/")
        if k.pemutus is not None and k.pemutus.user_id:
            yield Pesan(k.pemutus.user, pesan, link)
        if hari < 0:
            if admins is None:
                admins = _admins(ctx)
            for admin in admins:
                yield Pesan(admin, pesan, link)
