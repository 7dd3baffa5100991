"""Demo data of the evaluation stage, so the distribution chart, the year-end close and the
follow-up lists show something right after `make run`.

- Two years back (closed): every pegawai's annual predikat (history for the follow-up lists).
- Last year (status `evaluasi`, ready for the year-end close): a kinerja organisasi for every
  unit (all five predikat occur), a final annual evaluation for everyone with predikat drawn
  around each unit's guidance (every predikat occurs), talent potential for most, and one
  sanction case for a Sangat Kurang pegawai.
- This year: kinerja organisasi and final periodic evaluations for the windows so far, except
  the persona penilai's own team in the current window (left for the evaluation journey).
- One open keberatan: the persona pegawai objects to last year's annual result; the atasan has
  asked the penilai and the pegawai for explanations.

Deterministic (seeded) and idempotent: only missing rows are created. Defensive about `ctx`.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from evaluasi import jendela, rules
from evaluasi.models import Evaluasi, KasusSanksi, KinerjaOrganisasi, Potensi
from kinerja.models import Instansi, Pegawai, Periode, UnitKerja
from kinerja.rules import jendela_pada, jendela_periodik

A, S, B = rules.DIATAS, rules.SESUAI, rules.DIBAWAH
# Ratings that give each predikat (the predikat itself is always computed by the quadrant).
RATING_UNTUK = {
    rules.SANGAT_BAIK: (A, A),
    rules.BAIK: (S, S),
    rules.BUTUH_PERBAIKAN: (B, S),
    rules.KURANG: (S, B),
    rules.SANGAT_KURANG: (B, B),
}
# Shares drawn per kinerja organisasi, around its guidance row.
BOBOT = {
    rules.ISTIMEWA: [55, 30, 10, 5, 0],
    rules.BAIK: [15, 55, 18, 10, 2],
    rules.BUTUH_PERBAIKAN: [5, 20, 65, 7, 3],
    rules.KURANG: [3, 10, 17, 65, 5],
    rules.SANGAT_KURANG: [0, 10, 8, 10, 72],
}
ORG_URUT = [rules.BAIK, rules.ISTIMEWA, rules.BUTUH_PERBAIKAN, rules.BAIK, rules.KURANG,
            rules.SANGAT_KURANG]  # fmt: skip


def _instansi(ctx: dict) -> Instansi | None:
    inst = ctx.get("instansi")
    if isinstance(inst, Instansi):
        return inst
    periode = ctx.get("periode")
    if isinstance(periode, Periode):
        return periode.instansi
    return Instansi.objects.order_by("pk").first()


def _pegawai(ctx: dict, key: str) -> Pegawai | None:
    v = ctx.get(key)
    return Pegawai.objects.filter(pk=v.pk).first() if isinstance(v, Pegawai) else None


def _ko_predikat(units: list[UnitKerja], persona_units: dict[int, str]) -> dict[int, str]:
    out = {}
    for i, u in enumerate(units):
        out[u.pk] = persona_units.get(u.pk) or ORG_URUT[i % len(ORG_URUT)]
    return out


def _pilih(rng: random.Random, org: str) -> str:
    return rng.choices(rules.PREDIKAT, weights=BOBOT[org])[0]


def _evaluasi(
    p: Pegawai, periode: Periode, jenis: str, urutan: int | None, pred: str, org: str | None, now
) -> Evaluasi:
    h, pr = RATING_UNTUK[pred]
    if p.jabatan_id and p.jabatan.kepala_unit and org:
        h = rules.rating_hasil_dari_organisasi(org)  # a unit head's rating is the unit's KO
    return Evaluasi(
        pegawai=p,
        periode=periode,
        jenis=jenis,
        urutan=urutan,
        pejabat_penilai_id=p.pejabat_penilai_id,
        atasan_pejabat_penilai_id=p.atasan_pejabat_penilai_id,
        rating_hasil_kerja=h,
        rating_perilaku_kerja=pr,
        saran_rating_hasil_kerja=h,
        predikat=rules.predikat(h, pr),
        status=Evaluasi.Status.FINAL,
        finalisasi_pada=_finalisasi(periode, jenis, urutan, now),
    )


def _finalisasi(periode: Periode, jenis: str, urutan: int | None, now):
    """When the penilai finalised it: ten days after its window closed (never in the future),
    so only a recent result still offers a keberatan, as in a real year."""
    w = jendela.dari_jenis(periode, jenis, urutan).jendela
    hari = w.selesai + dt.timedelta(days=10)
    waktu = timezone.make_aware(dt.datetime.combine(hari, dt.time(10, 0)))
    return min(waktu, now)


@transaction.atomic
def seed(ctx: dict[str, Any] | None = None) -> dict:
    from simple_history.utils import bulk_create_with_history

    ctx = ctx or {}
    inst = _instansi(ctx)
    if inst is None:
        return {}
    seed_value = int(ctx.get("seed") or 2026)
    now = timezone.now()
    tahun = timezone.localdate().year
    pegawai = list(
        Pegawai.objects.filter(instansi=inst)
        .exclude(status=Pegawai.Status.BERHENTI)
        .exclude(jenis_asn=Pegawai.JenisASN.PEJABAT_NEGARA)
        .select_related("jabatan")
        .order_by("pk")
    )
    if not pegawai:
        return {}
    units = list(UnitKerja.objects.filter(instansi=inst).order_by("pk"))
    persona_units: dict[int, str] = {}
    for key, pred in (("kasubbid", rules.BAIK), ("kadis", rules.ISTIMEWA)):
        p = _pegawai(ctx, key)
        if p and p.unit_kerja_id:
            persona_units.setdefault(p.unit_kerja_id, pred)
    ko_pred = _ko_predikat(units, persona_units)
    admin = ctx.get("admin")
    made = 0

    def periode(t: int, status: str) -> Periode:
        per, _ = Periode.objects.get_or_create(
            instansi=inst, tahun=t, defaults={"frekuensi": "triwulanan", "status": status}
        )
        return per

    lalu2, lalu = (
        periode(tahun - 2, Periode.Status.DITUTUP),
        periode(tahun - 1, Periode.Status.EVALUASI),
    )
    ini = (
        ctx.get("periode")
        if isinstance(ctx.get("periode"), Periode)
        else periode(tahun, Periode.Status.BERJALAN)
    )

    # Kinerja organisasi: last year's annual, and this year's windows so far.
    sekarang = jendela_pada(ini.tahun, ini.frekuensi, timezone.localdate())
    n_now = sekarang.urutan if sekarang else len(jendela_periodik(ini.tahun, ini.frekuensi))
    # December is rated once: the last window's evaluation is the AKHIR one, never periodic.
    n_now = min(n_now, len(jendela_periodik(ini.tahun, ini.frekuensi)) - 1)
    want = [(lalu, "tahunan", None)] + [(ini, "periodik", i) for i in range(1, n_now + 1)]
    have = set(
        KinerjaOrganisasi.objects.filter(unit_kerja__instansi=inst).values_list(
            "unit_kerja_id", "periode_id", "jenis", "urutan"
        )
    )
    new_ko = [
        KinerjaOrganisasi(
            unit_kerja=u,
            periode=per,
            jenis=jenis,
            urutan=ur,
            predikat=ko_pred[u.pk],
            capaian="Contoh: capaian perjanjian kinerja unit dan indikator kinerja utama.",
            ditetapkan_oleh=admin if getattr(admin, "pk", None) else None,
            ditetapkan_pada=now,
        )
        for per, jenis, ur in want
        for u in units
        if (u.pk, per.pk, jenis, ur) not in have
    ]
    bulk_create_with_history(new_ko, KinerjaOrganisasi, batch_size=500)
    made += len(new_ko)

    # Evaluations.
    have_ev = set(
        Evaluasi.objects.filter(pegawai__instansi=inst).values_list(
            "pegawai_id", "periode_id", "jenis", "urutan"
        )
    )
    kasubbid = _pegawai(ctx, "kasubbid")
    dijaga = {p.pk for p in pegawai if kasubbid and p.pejabat_penilai_id == kasubbid.pk}
    # The pegawai the demo moves mid-year (kinerja.demo_org): the windows from the move on are
    # the new penilai's to rate, so none is made for them here.
    from kinerja import demo_org, waktu

    pindah = demo_org.calon_mutasi(ctx, inst)
    tmt_pindah = demo_org.tmt_mutasi(waktu.hari_ini())
    mulai_jendela = {j.urutan: j.mulai for j in jendela_periodik(ini.tahun, ini.frekuensi)}
    new_ev: list[Evaluasi] = []
    pred_lalu: dict[int, str] = {}
    for p in pegawai:
        rng = random.Random(seed_value * 100_003 + p.pk)
        org = ko_pred.get(p.unit_kerja_id, rules.BAIK)
        pl = _pilih(rng, org)
        pred_lalu[p.pk] = pl
        # Two years back: the same predikat half the time (streaks for the follow-up lists).
        p2 = pl if rng.random() < 0.5 else _pilih(rng, rules.BAIK)
        for per, jenis, ur, pred in [(lalu2, "tahunan", None, p2), (lalu, "tahunan", None, pl)] + [
            (ini, "periodik", i, _pilih(rng, org)) for i in range(1, n_now + 1)
        ]:
            if (p.pk, per.pk, jenis, ur) in have_ev:
                continue
            if per.pk == ini.pk and ur == n_now and p.pk in dijaga:
                continue  # the persona penilai evaluates these in the journey
            if (
                pindah is not None
                and p.pk == pindah.pk
                and per.pk == ini.pk
                and ur
                and mulai_jendela[ur] >= tmt_pindah
            ):
                continue
            new_ev.append(_evaluasi(p, per, jenis, ur, pred, org if per != lalu2 else None, now))
    bulk_create_with_history(new_ev, Evaluasi, batch_size=500)
    made += len(new_ev)

    # Talent potential for last year (a few left empty: "potensi belum diisi").
    have_pot = set(
        Potensi.objects.filter(pegawai__instansi=inst, tahun=lalu.tahun).values_list(
            "pegawai_id", flat=True
        )
    )
    new_pot = [
        Potensi(
            pegawai=p,
            tahun=lalu.tahun,
            potensi=random.Random(seed_value + p.pk).choice(rules.POTENSI),
            sumber="Contoh: asesmen potensi BKD",
        )
        for i, p in enumerate(pegawai)
        if p.pk not in have_pot and i % 12 != 5
    ]
    bulk_create_with_history(new_pot, Potensi, batch_size=500)
    made += len(new_pot)

    # One sanction case, for a Sangat Kurang pegawai of last year (not a persona).
    if (
        getattr(admin, "pk", None)
        and not KasusSanksi.objects.filter(pegawai__instansi=inst).exists()
    ):
        persona_ids = {v.pk for v in ctx.values() if isinstance(v, Pegawai)}
        target = (
            Evaluasi.objects.filter(
                periode=lalu, jenis="tahunan", predikat=rules.SANGAT_KURANG, status="final"
            )
            .exclude(pegawai_id__in=persona_ids)
            .select_related("pegawai__jabatan")
            .order_by("pegawai_id")
            .first()
        )
        if target is not None:
            from evaluasi import services

            services.kasus_sanksi_buka(
                user=admin,
                pegawai=target.pegawai,
                periode=lalu,
                alasan="Contoh: predikat Sangat Kurang pada evaluasi akhir tahun.",
                mulai=timezone.localdate().replace(month=1, day=15),
            )
            made += 1

    made += _keberatan(ctx, inst, lalu)
    return {"evaluasi_dibuat": made}


def _keberatan(ctx: dict, inst: Instansi, lalu: Periode) -> int:
    """One open keberatan, the persona pegawai's against last year's annual result, under
    examination (the atasan asked both parties), so the keberatan pages show something. Only
    while last year's result is within its 14-day window (a fresh demo) and none exists yet."""
    from evaluasi import services
    from evaluasi.models import Keberatan

    peg = _pegawai(ctx, "pegawai")
    if peg is None or not peg.user_id or Keberatan.objects.filter(pegawai__instansi=inst).exists():
        return 0
    ev = Evaluasi.objects.filter(
        pegawai=peg, periode=lalu, jenis="tahunan", status=Evaluasi.Status.FINAL
    ).first()
    if ev is None:
        return 0
    if not rules.keberatan_masih_dibuka(ev.finalisasi_pada, timezone.now()):
        # The story: her annual result was reopened by the admin and finalised again five
        # days ago, which opened a new 14-day window.
        Evaluasi.objects.filter(pk=ev.pk).update(
            finalisasi_pada=timezone.now() - dt.timedelta(days=5)
        )
        ev.refresh_from_db()
    try:
        k = services.keberatan_ajukan(
            user=peg.user,
            evaluasi=ev,
            alasan=(
                "Contoh: tiga dari empat rencana hasil kerja melampaui target (lihat realisasi "
                "dan bukti dukung), tetapi rating hasil kerja saya dinilai sesuai ekspektasi."
            ),
        )
        if k.pemutus is not None and k.pemutus.user_id:
            services.keberatan_minta_penjelasan(
                user=k.pemutus.user,
                keberatan=k,
                kepada=["pejabat_penilai", "pegawai"],
                pertanyaan="Contoh: mohon jelaskan dasar rating hasil kerja dan bukti capaiannya.",
            )
    except (ValidationError, PermissionDenied):
        return 0  # e.g. no pemutus in this organisation: the demo goes on without one
    return 1
