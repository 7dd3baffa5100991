"""What the evaluation stage puts on the home page (kinerja/beranda.py): the pegawai's keberatan
deadlines and explanations asked of them; the penilai's evaluations due in the current window;
the atasan's keberatan to decide; and, as a panel, the admin's progress of the cycle per unit
(SKP approved, evaluations final, kinerja organisasi set, distribution against the guidance).
Each reads a fixed number of queries whatever the size of the team or the instansi."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from evaluasi import jendela, rules
from evaluasi.models import Evaluasi, Keberatan, KinerjaOrganisasi, PenjelasanKeberatan
from kinerja import policy
from kinerja.beranda import Butir, Konteks, Tugas
from kinerja.models import Pegawai, UnitKerja

BUTIR_MAKS = 5


def _kode(ctx: Konteks) -> jendela.Window | None:
    """The evaluation window of today: the periodic one, else (after the last) the annual."""
    if ctx.periode is None:
        return None
    if ctx.jendela is not None:
        return jendela.dari_kode(ctx.periode, str(ctx.jendela.urutan))
    return jendela.dari_kode(ctx.periode, jendela.AKHIR)


def keberatan_pegawai(ctx: Konteks) -> Iterable[Tugas]:
    """Final results the pegawai may still object to (until when), and explanations asked of
    them in an open keberatan."""
    if not ctx.pegawai_id:
        return []
    out = []
    sejak = ctx.sekarang - dt.timedelta(days=rules.BATAS_KEBERATAN_HARI)
    diajukan = Keberatan.objects.filter(
        evaluasi=OuterRef("pk"), finalisasi_pada=OuterRef("finalisasi_pada")
    )
    for ev in (
        Evaluasi.objects.filter(
            pegawai_id=ctx.pegawai_id,
            status=Evaluasi.Status.FINAL,
            finalisasi_pada__gte=sejak,
            finalisasi_pada__lte=ctx.sekarang,
        )
        .exclude(Exists(diajukan))
        .select_related("periode")
        .order_by("finalisasi_pada", "pk")[:BUTIR_MAKS]
    ):
        batas = rules.batas_keberatan(ev.finalisasi_pada)
        w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
        out.append(
            Tugas(
                "pegawai",
                f"Evaluasi {w.label_pendek} {ev.periode.tahun} sudah final: "
                f"{ev.get_predikat_display() or '-'}",
                f"Bila tidak setuju, ajukan keberatan paling lambat "
                f"{rules.tanggal_label(batas.date())} ({rules.sisa_label(batas, ctx.sekarang)}).",
                url=reverse("evaluasi:detail", args=[ev.pk]),
                aksi="Lihat evaluasi",
                mendesak=rules.sisa_hari(batas, ctx.sekarang) <= 3,
                urutan=40,
                id=f"tugas-keberatan-batas-{ev.pk}",
            )
        )
    menunggu = (
        Keberatan.objects.filter(pegawai_id=ctx.pegawai_id)
        .exclude(status=Keberatan.Status.DIPUTUS)
        .filter(_menunggu("pegawai"))
        .order_by("batas_putusan", "pk")
    )
    for k in menunggu[:BUTIR_MAKS]:
        out.append(
            Tugas(
                "pegawai",
                "Pemutus keberatan meminta penjelasan Anda",
                "Jawab agar keberatan Anda dapat diputus.",
                url=reverse("evaluasi:keberatan_detail", args=[k.pk]),
                aksi="Jawab",
                mendesak=True,
                urutan=15,
                id=f"tugas-keberatan-jelaskan-{k.pk}",
            )
        )
    return out


def _menunggu(kepada: str) -> Q:
    return Q(
        Exists(
            PenjelasanKeberatan.objects.filter(
                keberatan=OuterRef("pk"),
                jenis=PenjelasanKeberatan.Jenis.PERMINTAAN,
                kepada=kepada,
                jawaban_set__isnull=True,
            )
        )
    )


def evaluasi_jatuh_tempo(ctx: Konteks) -> Iterable[Tugas]:
    """The penilai's people without a final evaluation in the current window."""
    dinilai = ctx.terkait("dinilai") if ctx.pegawai_id else set()
    w = _kode(ctx) if dinilai else None
    if w is None:
        return []
    final = Evaluasi.objects.filter(
        Q(jenis=w.jenis, urutan=w.urutan) if w.urutan else Q(jenis=w.jenis),
        pegawai=OuterRef("pk"),
        periode=ctx.periode,
        status=Evaluasi.Status.FINAL,
    )
    tim = list(
        Pegawai.objects.filter(pk__in=dinilai, instansi_id=ctx.periode.instansi_id)
        .exclude(status=Pegawai.Status.BERHENTI)
        .annotate(final=Exists(final))
        .order_by("nama")
        .only("id", "nama")
    )
    belum = [p for p in tim if not p.final]
    url_tim = reverse("evaluasi:tim") + f"?tahun={ctx.periode.tahun}&jendela={w.kode}"
    selesai = w.jendela.selesai
    if not belum:
        return [
            Tugas(
                "penilai",
                f"Evaluasi {w.label_pendek}: semua {len(tim)} pegawai sudah final",
                url=url_tim,
                aksi="Evaluasi tim",
                selesai=True,
                urutan=30,
                id="tugas-evaluasi-tim",
            )
        ]
    sisa = (selesai - ctx.hari_ini).days
    return [
        Tugas(
            "penilai",
            f"Evaluasi {w.label_pendek}: {len(belum)} dari {len(tim)} pegawai belum final",
            f"Periode berakhir {rules.tanggal_label(selesai)}"
            + (f" ({sisa} hari lagi)." if sisa >= 0 else "."),
            url=url_tim,
            aksi="Evaluasi tim",
            jumlah=len(belum),
            mendesak=sisa <= 14,
            urutan=30,
            butir=[
                Butir(p.nama, reverse("evaluasi:nilai", args=[p.pk, w.kode]), "nilai")
                for p in belum[:BUTIR_MAKS]
            ],
            lainnya=max(len(belum) - BUTIR_MAKS, 0),
            id="tugas-evaluasi-tim",
        )
    ]


def keberatan_putus(ctx: Konteks) -> Iterable[Tugas]:
    """Keberatan the user decides (as atasan pejabat penilai or the instansi's appointed
    official), soonest deadline first; and explanations asked of the user as penilai."""
    if not ctx.pegawai_id:
        return []
    qs = (
        policy.scope(ctx.user, Keberatan.objects.all())
        .exclude(status=Keberatan.Status.DIPUTUS)
        .select_related("pegawai")
    )
    putus = list(qs.filter(pemutus_id=ctx.pegawai_id).order_by("batas_putusan", "pk")[:20])
    out = []
    if putus:
        out.append(
            Tugas(
                "atasan",
                f"{len(putus)} keberatan menunggu keputusan Anda",
                f"Batas putusan terdekat {rules.tanggal_label(putus[0].batas_putusan.date())} "
                f"({rules.sisa_label(putus[0].batas_putusan, ctx.sekarang)}).",
                url=reverse("evaluasi:keberatan_list"),
                aksi="Daftar keberatan",
                jumlah=len(putus),
                mendesak=True,
                urutan=10,
                butir=[
                    Butir(
                        k.pegawai.nama,
                        reverse("evaluasi:keberatan_detail", args=[k.pk]),
                        f"{k.get_status_display().lower()} · batas "
                        f"{rules.tanggal_label(k.batas_putusan.date())}",
                    )
                    for k in putus[:BUTIR_MAKS]
                ],
                lainnya=max(len(putus) - BUTIR_MAKS, 0),
                id="tugas-keberatan-putus",
            )
        )
    for k in qs.filter(pejabat_penilai_id=ctx.pegawai_id).filter(_menunggu("pejabat_penilai"))[
        :BUTIR_MAKS
    ]:
        out.append(
            Tugas(
                "penilai",
                f"Pemutus keberatan {k.pegawai.nama} meminta penjelasan Anda",
                url=reverse("evaluasi:keberatan_detail", args=[k.pk]),
                aksi="Jawab",
                mendesak=True,
                urutan=15,
                id=f"tugas-keberatan-penilai-{k.pk}",
            )
        )
    return out


# --- the admin's progress panel ----------------------------------------------------------------
BARIS_BERANDA = 15


def kemajuan_admin(user: Any) -> dict[str, Any]:
    """The cycle's progress in the instansi the user administers, per unit: pegawai, SKP
    approved, evaluations final in the current window, kinerja organisasi set, distribution
    against the guidance. Six grouped queries for any number of units."""
    from django.utils import timezone

    from kinerja.beranda import Konteks
    from skp.models import SKP

    ctx = Konteks(user)
    instansi_id = ctx.dikelola
    p = ctx.periode
    if not instansi_id or p is None:
        return {}
    w = _kode(ctx)
    wf = Q(jenis=w.jenis, urutan=w.urutan) if w.urutan else Q(jenis=w.jenis)
    aktif = (
        Pegawai.objects.filter(instansi_id=instansi_id)
        .exclude(status=Pegawai.Status.BERHENTI)
        .exclude(jenis_asn=Pegawai.JenisASN.PEJABAT_NEGARA)
    )
    n_peg = dict(
        aktif.values("unit_kerja_id").annotate(n=Count("id")).values_list("unit_kerja_id", "n")
    )
    n_skp = dict(
        aktif.filter(
            Exists(
                SKP.objects.filter(pegawai=OuterRef("pk"), periode=p, status=SKP.Status.DISETUJUI)
            )
        )
        .values("unit_kerja_id")
        .annotate(n=Count("id"))
        .values_list("unit_kerja_id", "n")
    )
    per: dict[int, dict[str, int]] = defaultdict(dict)
    for r in (
        Evaluasi.objects.filter(wf, periode=p, status=Evaluasi.Status.FINAL, pegawai__in=aktif)
        .exclude(predikat="")
        .values("pegawai__unit_kerja_id", "predikat")
        .annotate(n=Count("id"))
    ):
        per[r["pegawai__unit_kerja_id"]][r["predikat"]] = r["n"]
    ko = dict(
        KinerjaOrganisasi.objects.filter(wf, periode=p).values_list("unit_kerja_id", "predikat")
    )
    units = list(
        policy.scope(user, UnitKerja.objects.filter(instansi_id=instansi_id))
        .select_related("induk")
        .order_by("nama", "pk")
    )
    baris = []
    for u in units:
        peg = n_peg.get(u.pk, 0)
        counts = per.get(u.pk, {})
        ev = sum(counts.values())
        org = ko.get(u.pk)
        luar = bool(org) and rules.diperingatkan(rules.bandingkan(org, counts), ev)
        baris.append(
            {
                "unit": u,
                "pegawai": peg,
                "skp": n_skp.get(u.pk, 0),
                "skp_pct": _pct(n_skp.get(u.pk, 0), peg),
                "evaluasi": ev,
                "evaluasi_pct": _pct(ev, peg),
                "ko": org,
                "luar_pedoman": luar,
                "url": reverse("evaluasi:distribusi")
                + f"?cakupan=unit&unit={u.pk}&jendela={w.kode}&tahun={p.tahun}",
            }
        )
    # Units with people first, the least advanced at the top: where to chase.
    baris.sort(key=lambda b: (b["pegawai"] == 0, b["skp_pct"] + b["evaluasi_pct"], b["unit"].nama))
    total_peg = sum(n_peg.values())
    total_skp = sum(n_skp.values())
    total_ev = sum(sum(c.values()) for c in per.values())
    return {
        "periode": p,
        "jendela": w,
        "pegawai": total_peg,
        "skp": total_skp,
        "skp_pct": _pct(total_skp, total_peg),
        "evaluasi": total_ev,
        "evaluasi_pct": _pct(total_ev, total_peg),
        "unit": len(units),
        "unit_tanpa_ko": sum(1 for b in baris if not b["ko"]),
        "unit_luar_pedoman": sum(1 for b in baris if b["luar_pedoman"]),
        # The units most behind, not all of them: a province's instansi has hundreds of units
        # (a 530 KB home page at 100k); the distribution page lists them all, paged.
        "baris": baris[:BARIS_BERANDA],
        "baris_lainnya": max(0, len(baris) - BARIS_BERANDA),
        "diperbarui": timezone.localtime(ctx.sekarang),
        "url_distribusi": reverse("evaluasi:distribusi")
        + f"?cakupan=unit&jendela={w.kode}&tahun={p.tahun}",
        "url_ko": reverse("evaluasi:kinerja_organisasi") + f"?jendela={w.kode}&tahun={p.tahun}",
        "url_kelengkapan": reverse("evaluasi:tutup_tahun") + f"?tahun={p.tahun}",
    }


def _pct(bagian: int, total: int) -> int:
    return round(bagian * 100 / total) if total else 0
