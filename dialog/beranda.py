"""What the execution stage puts on the home page (kinerja/beranda.py): feedback asked of the
pegawai, realisasi due in the current window; the penilai's penugasan to decide and the team
members without feedback in this window. Each provider costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.urls import reverse

from dialog import selectors as sel
from dialog.models import Realisasi
from dialog.templatetags.dialog_tags import label_jendela
from kinerja.beranda import Butir, Konteks, Tugas, umur

BUTIR_MAKS = 5


def permintaan(ctx: Konteks) -> Iterable[Tugas]:
    """Feedback colleagues asked of this pegawai and not yet given."""
    if not ctx.pegawai_id:
        return []
    qs = sel.permintaan_masuk(user=ctx.user)
    rows = list(qs[:BUTIR_MAKS])
    if not rows:
        return []
    n = qs.count()  # always asked: the same queries for 5 rows or 500
    beri = reverse("dialog:umpan_balik_beri")
    return [
        Tugas(
            "pegawai",
            f"{n} permintaan umpan balik untuk Anda",
            "Rekan kerja meminta pendapat Anda tentang hasil kerja atau perilakunya.",
            url=reverse("dialog:umpan_balik_list"),
            aksi="Semua permintaan",
            jumlah=n,
            mendesak=True,
            urutan=20,
            butir=[
                Butir(
                    p.peminta.nama,
                    f"{beri}?permintaan={p.pk}",
                    f"diminta {umur(p.dibuat, ctx.sekarang)}",
                )
                for p in rows
            ],
            lainnya=max(n - BUTIR_MAKS, 0),
            id="tugas-permintaan",
        )
    ]


def realisasi(ctx: Konteks) -> Iterable[Tugas]:
    """Rencana hasil kerja of the approved SKP without realisasi in the current window."""
    if not ctx.pegawai_id or ctx.periode is None or ctx.jendela is None:
        return []
    from skp.models import SKP, RencanaHasilKerja

    skp = (
        SKP.objects.filter(
            pegawai_id=ctx.pegawai_id, periode=ctx.periode, status=SKP.Status.DISETUJUI
        )
        .order_by("-versi")
        .only("id")
        .first()
    )
    if skp is None:
        return []
    j = ctx.jendela
    rows = list(
        RencanaHasilKerja.objects.filter(skp=skp)
        .annotate(
            ada=Exists(
                Realisasi.objects.filter(
                    pegawai_id=ctx.pegawai_id,
                    periode=ctx.periode,
                    urutan=j.urutan,
                    rhk_kunci=OuterRef("kunci"),
                )
            )
        )
        .order_by("jenis", "urutan", "pk")
        .only("id", "rencana", "jenis")
    )
    belum = [r for r in rows if not r.ada]
    nama = label_jendela(j.label)
    sisa = (j.selesai - ctx.hari_ini).days
    batas = f"{nama} berakhir {j.selesai:%d/%m/%Y}" + (f" ({sisa} hari lagi)" if sisa >= 0 else "")
    if not belum:
        return [
            Tugas(
                "pegawai",
                f"Realisasi {nama} lengkap",
                f"Semua {len(rows)} rencana hasil kerja sudah berisi realisasi.",
                url=reverse("dialog:dokumentasi"),
                aksi="Dokumentasi",
                selesai=True,
                urutan=30,
                id="tugas-realisasi",
            )
        ]
    return [
        Tugas(
            "pegawai",
            f"Realisasi {nama}: {len(belum)} dari {len(rows)} rencana hasil kerja belum diisi",
            batas + ". Catat capaian dan unggah bukti dukungnya.",
            url=reverse("dialog:dokumentasi"),
            aksi="Catat realisasi",
            jumlah=len(belum),
            mendesak=sisa <= 14,
            urutan=30,
            butir=[
                Butir(r.rencana, reverse("dialog:realisasi_rhk", args=[r.pk]))
                for r in belum[:BUTIR_MAKS]
            ],
            lainnya=max(len(belum) - BUTIR_MAKS, 0),
            id="tugas-realisasi",
        )
    ]


def penugasan(ctx: Konteks) -> Iterable[Tugas]:
    """Assignments proposed for the penilai's staff, waiting for the penilai's decision."""
    if not ctx.pegawai_id or not ctx.terkait("dinilai"):
        return []
    qs = sel.penugasan_perlu_keputusan(user=ctx.user).order_by("dibuat", "pk")
    rows = list(qs[:BUTIR_MAKS])
    if not rows:
        return []
    n = qs.count()  # always asked: the same queries for 5 rows or 500
    return [
        Tugas(
            "penilai",
            f"{n} usulan penugasan menunggu keputusan Anda",
            "Tidak ada yang boleh menugasi staf Anda tanpa keputusan Anda.",
            url=reverse("dialog:penugasan_list"),
            aksi="Semua penugasan",
            jumlah=n,
            mendesak=True,
            urutan=20,
            butir=[
                Butir(
                    f"{p.penerima.nama}: {p.uraian[:80]}",
                    reverse("dialog:penugasan_detail", args=[p.pk]),
                    f"dari {p.pemberi.nama} · {umur(p.dibuat, ctx.sekarang)}",
                )
                for p in rows
            ],
            lainnya=max(n - BUTIR_MAKS, 0),
            id="tugas-penugasan",
        )
    ]


def umpan_balik_tim(ctx: Konteks) -> Iterable[Tugas]:
    """Team members who have had no feedback from their penilai in this window."""
    if not ctx.pegawai_id or not ctx.terkait("dinilai"):
        return []
    cakupan = sel.cakupan_umpan_balik(penilai_id=ctx.pegawai_id, tanggal=ctx.hari_ini)
    if not cakupan.baris:
        return []
    belum = cakupan.belum
    nama = label_jendela(cakupan.jendela_label) or "periode ini"
    if not belum:
        return [
            Tugas(
                "penilai",
                f"Semua anggota tim sudah menerima umpan balik pada {nama}",
                url=reverse("dialog:tim"),
                aksi="Cakupan umpan balik",
                selesai=True,
                urutan=40,
                id="tugas-umpan-balik-tim",
            )
        ]
    beri = reverse("dialog:umpan_balik_beri")
    return [
        Tugas(
            "penilai",
            f"{len(belum)} dari {cakupan.jumlah_pegawai} anggota tim belum menerima umpan balik "
            f"pada {nama}",
            "Berikan apresiasi atau masukan perbaikan pada hasil kerja atau perilakunya.",
            url=reverse("dialog:tim"),
            aksi="Cakupan umpan balik",
            jumlah=len(belum),
            urutan=40,
            butir=[
                Butir(b.pegawai.nama, f"{beri}?penerima={b.pegawai.pk}", "beri umpan balik")
                for b in belum[:BUTIR_MAKS]
            ],
            lainnya=max(len(belum) - BUTIR_MAKS, 0),
            id="tugas-umpan-balik-tim",
        )
    ]
