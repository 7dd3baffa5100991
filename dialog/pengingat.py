"""Reminders of the dialog stage, run daily per instansi by the kinerja reminder engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from dialog.models import Penugasan, TindakLanjut
from dialog.selectors import cakupan_umpan_balik
from kinerja.models import Pegawai
from kinerja.notifikasi import daftar_jenis
from kinerja.pengingat import Konteks, Pesan, pengingat, tautan

# Labels of the notifications the dialog stage sends (bell list, email subject, preferences).
for _kode, _label in (
    ("umpan_balik_diterima", "Umpan balik diterima"),
    ("umpan_balik_diminta", "Permintaan umpan balik"),
    ("penugasan_diusulkan", "Usulan penugasan"),
    ("penugasan_diputuskan", "Keputusan penugasan"),
    ("dialog_kinerja", "Dialog kinerja"),
):
    daftar_jenis(_kode, _label)

# Thresholds come from the instansi's PengaturanPengingat (ctx.pengaturan): hari_sebelum_
# tindak_lanjut, hari_sebelum_akhir_jendela and hari_penugasan.


@pengingat("tindak_lanjut_jatuh_tempo", "Tindak lanjut dialog kinerja mendekati tenggat")
def tindak_lanjut_jatuh_tempo(ctx: Konteks) -> Iterator[Pesan]:
    """The person responsible for an agreed follow-up, a few days before it is due."""
    batas = ctx.hari_ini + dt.timedelta(days=ctx.pengaturan.hari_sebelum_tindak_lanjut)
    for t in TindakLanjut.objects.filter(
        selesai=False,
        tenggat__gte=ctx.hari_ini,
        tenggat__lte=batas,
        dialog__pegawai__instansi=ctx.instansi,
    ).select_related("penanggung_jawab__user"):
        yield Pesan(
            t.penanggung_jawab.user,
            f"Tindak lanjut \u201c{t.uraian[:100]}\u201d jatuh tempo {t.tenggat:%d-%m-%Y}.",
            tautan("dialog:dialog_detail", t.dialog_id),
        )


@pengingat("umpan_balik_belum_diberikan", "Pegawai belum menerima umpan balik pada periode ini")
def umpan_balik_belum_diberikan(ctx: Konteks) -> Iterator[Pesan]:
    """Feedback is the penilai's obligation: in the last two weeks of a window, remind each
    penilai who has not yet given feedback to some of the people they rate."""
    j = ctx.jendela
    if j is None or (j.selesai - ctx.hari_ini).days > ctx.pengaturan.hari_sebelum_akhir_jendela:
        return
    penilai_ids = (
        Pegawai.objects.filter(instansi=ctx.instansi, pejabat_penilai__isnull=False)
        .exclude(status=Pegawai.Status.BERHENTI)
        .values_list("pejabat_penilai_id", flat=True)
        .distinct()
    )
    for penilai in Pegawai.objects.filter(pk__in=penilai_ids).select_related("user"):
        belum = cakupan_umpan_balik(penilai_id=penilai.pk, tanggal=ctx.hari_ini).belum
        if belum:
            yield Pesan(
                penilai.user,
                f"{len(belum)} pegawai yang Anda nilai belum menerima umpan balik dari Anda pada "
                f"{j.label}.",
                tautan("dialog:tim"),
            )


@pengingat("penugasan_menunggu_keputusan", "Usulan penugasan menunggu keputusan")
def penugasan_menunggu_keputusan(ctx: Konteks) -> Iterator[Pesan]:
    batas = ctx.hari_ini - dt.timedelta(days=ctx.pengaturan.hari_penugasan)
    qs = Penugasan.objects.filter(
        status=Penugasan.Status.DIUSULKAN,
        penerima__instansi=ctx.instansi,
        dibuat__date__lte=batas,
    ).select_related("penerima__pejabat_penilai__user")
    for p in qs:
        yield Pesan(
            p.penerima.pejabat_penilai.user if p.penerima.pejabat_penilai_id else None,
            "Ada usulan penugasan yang menunggu keputusan Anda.",
            tautan("dialog:penugasan_list") + "?tab=keputusan",
        )
