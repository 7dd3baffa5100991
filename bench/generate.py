"""The scale generator: `generate(pegawai=100_000, seed=7)` fills a database with a realistic
provincial government and a year of performance work, in minutes, with COPY.

Structure (deterministic for a seed):
- about one instansi per 2,500 pegawai: a province (instansi 0, three times the weight, with a
  1,000-pegawai hospital unit kerja mandiri whose nursing head rates 500 staff) and regencies;
- per instansi: the Kepala Daerah (pejabat negara), the Sekretariat Daerah, dinas/badan
  (JPT Pratama) with bidang (administrator), seksi (pengawas) and pelaksana/fungsional staff,
  TimKerja across units, an admin BKD login and a triwulanan Periode in `evaluasi`;
- pejabat penilai / atasan pejabat penilai computed with the kernel's own `rules.derive_penilai`;
- the organisation over time: an open RiwayatJabatan and MasaPenilai per pegawai, and for about
  one staff member in seven a closed earlier stretch under another penilai;
- skp: one approved SKP per ASN (a second version where a penugasan was accepted), rencana hasil
  kerja cascaded from the penilai's, indikator, the seven BerAKHLAK expectations;
- dialog: feedback, feedback requests, opportunities and penugasan with klarifikasi, realisasi
  per RHK per window with bukti dukung links, dialog kinerja with follow-ups;
- evaluasi: (filled in as the stage's models land) kinerja organisasi per unit, periodic and
  annual evaluations across every predikat.

Each later stage is written defensively: a stage whose models are missing, or whose models gained
a required column this generator does not know, is skipped and the output says so.

Modules: `tabel` (names, places, weights, the shapes being built), `generate_org` (stage 1),
`generate_kinerja` (stages 2-4); this one runs them.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from django.db import connection, transaction
from django.utils import timezone

from bench import tabel
from bench.copy import MissingValue, Tables
from bench.generate_kinerja import _stage_dialog, _stage_evaluasi, _stage_skp
from bench.generate_org import _stage_org
from bench.tabel import MARKER_KODE, PASSWORD, Org, Progress, StageMissing, _model  # noqa: F401


# ---------------------------------------------------------------------------------------------
def generate(
    *,
    pegawai: int,
    seed: int = 2026,
    out: TextIO | None = sys.stderr,
    tahun: int | None = None,
    fast: bool | None = None,
    big_unit: int | None = None,
) -> dict[str, Any]:
    """Generate about `pegawai` employees with a year of work. Returns counts per model and the
    ids the bench needs (big unit, the leaders of a 500- and a 5-person team).

    `fast` (default: on PostgreSQL as superuser, for >= 5,000 pegawai) turns off foreign-key
    triggers while writing (`session_replication_role = replica`); the small runs in the test
    suite keep them on, so the same code is checked by the database's own constraints.
    """
    from kinerja.models import Instansi

    if pegawai < 50:
        raise ValueError("generator skala butuh minimal 50 pegawai")
    existing = Instansi.objects.filter(kode=MARKER_KODE).first()
    if existing is not None:
        if out:
            out.write(f"[generate] data skala sudah ada (instansi {MARKER_KODE}); dilewati.\n")
        return {"dilewati": True, "counts": {}, "skipped": {}}
    started = time.monotonic()
    tabel._tables_cache = None  # tables may have been migrated since
    rng = random.Random(seed)
    tahun = tahun or timezone.localdate().year
    # The generator's "now" is the start of today (not the current second): the same seed gives
    # the same rows all day, including dates clamped to "now" in the running window.
    now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    clock = min(now, dt.datetime(tahun, 12, 31, 12, 0, tzinfo=dt.UTC))
    clock = clock.replace(microsecond=0)
    if fast is None:
        fast = connection.vendor == "postgresql" and pegawai >= 5000 and _is_superuser()
    T = Tables(rng=rng, now=clock)
    org = Org(tahun=tahun, clock=clock)
    progress = Progress(pegawai * 4.0, out)
    skipped: dict[str, str] = {}
    stages: list[tuple[str, Callable[..., None]]] = [
        ("organisasi", _stage_org),
        ("skp", _stage_skp),
        ("dialog", _stage_dialog),
        ("evaluasi", _stage_evaluasi),
    ]
    with transaction.atomic():
        if fast:
            with connection.cursor() as c:
                c.execute("SET LOCAL session_replication_role = replica")
        for name, fn in stages:
            sid = transaction.savepoint()
            before = progress.done
            try:
                fn(T, org, rng, progress, pegawai=pegawai, big_unit=big_unit)
                T.close()
            except (MissingValue, StageMissing) as exc:
                transaction.savepoint_rollback(sid)
                T = Tables(rng=rng, now=clock)  # drop half-written buffers of this stage
                skipped[name] = str(exc)
                if name == "organisasi":
                    raise
                if out:
                    out.write(f"[generate] tahap {name} dilewati: {exc}\n")
            else:
                transaction.savepoint_commit(sid)
            progress.done = before + pegawai
            progress.step(0, f"{name} selesai")
        if fast:
            with connection.cursor() as c:
                c.execute("SET LOCAL session_replication_role = origin")
    progress.end()
    if connection.vendor == "postgresql" and connection.get_autocommit():
        # VACUUM as well: a province's database has been vacuumed by autovacuum long before
        # January; freshly loaded tables have no visibility map, so index-only scans (the
        # distribution's covering index) would read the heap and look slower than they are.
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
    elif connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    counts = _counts(org)
    if out:
        out.write(
            f"[generate] {len(org.pegawai)} pegawai, {len(org.instansi)} instansi, "
            f"{time.monotonic() - started:.0f} s\n"
        )
    return {
        "dilewati": False,
        "counts": counts,
        "skipped": skipped,
        "pegawai": len(org.pegawai),
        "instansi": len(org.instansi),
        "big_unit_id": org.big_unit_id,
        "big_team_leader": org.big_team_leader,
        "small_team_leader": org.small_team_leader,
        "tahun": tahun,
        "seconds": time.monotonic() - started,
    }


def _is_superuser() -> bool:
    with connection.cursor() as c:
        c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = c.fetchone()
    return bool(row and row[0])


def _counts(org: Org) -> dict[str, int]:
    out = {}
    for label in [
        "kinerja.Instansi",
        "kinerja.UnitKerja",
        "kinerja.Jabatan",
        "kinerja.Pegawai",
        "kinerja.RiwayatJabatan",
        "kinerja.MasaPenilai",
        "kinerja.TimKerja",
        "kinerja.Periode",
        "skp.SKP",
        "skp.RencanaHasilKerja",
        "skp.Indikator",
        "skp.EkspektasiPerilaku",
        "dialog.UmpanBalik",
        "dialog.Penugasan",
        "dialog.Realisasi",
        "dialog.DialogKinerja",
        "evaluasi.Evaluasi",
        "evaluasi.KinerjaOrganisasi",
    ]:
        m = _model(label)
        if m is not None:
            out[label] = m.objects.count()
    return out
