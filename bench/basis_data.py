"""The bench's database: created when missing, filled once per size and seed, and the subjects
measured (the largest unit, a penilai with a team, an SKP).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from bench.dasar import Options, _say


# --- the data ---------------------------------------------------------------------------------
def _fingerprint(opts: Options) -> str:
    h = hashlib.sha256()
    for name in ("generate.py", "generate_org.py", "generate_kinerja.py", "tabel.py", "copy.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    # Not the migrations: a new column gets its default on existing rows; the generator code and
    # the size decide what the data is.
    return f"{opts.pegawai}:{opts.seed}:{h.hexdigest()[:16]}"


def _meta_get() -> str | None:
    with connection.cursor() as c:
        c.execute(
            "CREATE TABLE IF NOT EXISTS kinerja_bench_meta (kunci text PRIMARY KEY, nilai text)"
        )
        c.execute("SELECT nilai FROM kinerja_bench_meta WHERE kunci = 'data'")
        row = c.fetchone()
    return row[0] if row else None


def _meta_set(value: str) -> None:
    with connection.cursor() as c:
        c.execute(
            "CREATE TABLE IF NOT EXISTS kinerja_bench_meta (kunci text PRIMARY KEY, nilai text)"
        )
        c.execute(
            "INSERT INTO kinerja_bench_meta VALUES ('data', %s) "
            "ON CONFLICT (kunci) DO UPDATE SET nilai = EXCLUDED.nilai",
            [value],
        )


def _server_conninfo() -> dict[str, Any]:
    """How to reach the PostgreSQL server of DATABASE_URL, through its `postgres` database."""
    db = settings.DATABASES["default"]
    conninfo = {
        "dbname": "postgres",
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
    }
    if db.get("PASSWORD"):
        conninfo["password"] = db["PASSWORD"]
    return conninfo


def ensure_database(name: str | None = None) -> bool:
    """Create the bench database when the server does not have it yet (a fresh machine: `make
    bench` names `kinerja_bench`, which nothing else creates). True when it was created."""
    import psycopg
    from psycopg import sql

    name = name or settings.DATABASES["default"]["NAME"]
    with psycopg.connect(**_server_conninfo(), autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def bangun_simpanan() -> None:
    """The generator writes with triggers off (bench.generate, `fast`): what PostgreSQL keeps by
    trigger (the predikat counts, who belonged to an instansi in a year) is built once from what
    it wrote. Here, not in the generator: its source is the data's fingerprint, and this does
    not change the data."""
    from evaluasi import anggota_tahun, hitung_predikat

    for simpanan in (hitung_predikat, anggota_tahun):
        if simpanan.dipelihara():
            simpanan.bangun_ulang()


def reset_database() -> None:
    """Drop and recreate the bench database, then migrate. Only for databases named like a
    bench or test database, so a mistyped DATABASE_URL cannot drop real data."""
    import psycopg
    from django.core.management import call_command

    name = settings.DATABASES["default"]["NAME"]
    if not (
        name.startswith("kinerja_bench") or name.endswith("_bench") or name.startswith("test_")
    ):
        raise RuntimeError(f"menolak menghapus basis data '{name}' (bukan basis data bench)")
    connections.close_all()
    with psycopg.connect(**_server_conninfo(), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0, interactive=False)


def ensure_data(opts: Options) -> dict[str, Any]:
    from django.core.management import call_command

    from bench.generate import MARKER_KODE, generate
    from kinerja.models import Instansi

    call_command("migrate", verbosity=0, interactive=False)
    want = _fingerprint(opts)
    have = _meta_get()
    exists = Instansi.objects.filter(kode=MARKER_KODE).exists()
    info: dict[str, Any] = {"generated": False}
    if exists and have == want:
        _say(
            opts, f"data skala sudah ada ({opts.pegawai} pegawai, seed {opts.seed}); dipakai ulang"
        )
        return info
    if Instansi.objects.exists():
        if not opts.reset:
            raise RuntimeError("basis data bench berisi data lain; jalankan dengan reset")
        _say(opts, "data bench berbeda ukuran/versi: basis data dibuat ulang")
        reset_database()
        want = _fingerprint(opts)
    _say(opts, f"membuat data skala: {opts.pegawai} pegawai (seed {opts.seed})")
    result = generate(pegawai=opts.pegawai, seed=opts.seed, out=sys.stderr)
    bangun_simpanan()
    _meta_set(want)
    info.update(generated=True, seconds=result.get("seconds"), skipped=result.get("skipped", {}))
    return info


@dataclass
class Subjects:
    """Who and what the bench measures, found in the generated data."""

    instansi_id: int
    periode_id: int
    admin_user_id: int
    big_unit_id: int
    big_leader_id: int
    big_team: int
    small_leader_id: int | None
    small_team: int
    typical_leader_id: int
    typical_team: int
    skp_id: int | None
    skp_owner_user_id: int | None
    evaluasi_id: int | None


def find_subjects() -> Subjects:
    from django.apps import apps
    from django.db.models import Count

    from bench.generate import MARKER_KODE
    from kinerja.models import Instansi, Pegawai, Periode, User

    inst = Instansi.objects.get(kode=MARKER_KODE)
    periode = Periode.objects.filter(instansi=inst).order_by("-tahun").first()
    admin = User.objects.filter(admin_instansi=inst).order_by("id").first()
    big_unit = (
        Pegawai.objects.filter(instansi=inst)
        .values("unit_kerja_id")
        .annotate(n=Count("id"))
        .order_by("-n", "unit_kerja_id")
        .first()
    )
    teams = list(
        Pegawai.objects.filter(instansi=inst, pejabat_penilai__isnull=False)
        .values("pejabat_penilai_id")
        .annotate(n=Count("id"))
        .order_by("-n", "pejabat_penilai_id")
    )
    big = teams[0]
    small = next((t for t in teams if t["n"] == 5), None)
    typical = min(teams, key=lambda t: (abs(t["n"] - 10), t["pejabat_penilai_id"]))
    skp_id = skp_owner = ev_id = None
    try:
        SKP = apps.get_model("skp.SKP")
        member = Pegawai.objects.filter(pejabat_penilai_id=typical["pejabat_penilai_id"]).order_by(
            "id"
        )[0]
        skp = SKP.objects.filter(pegawai=member, terkini=True).first()
        if skp:
            skp_id, skp_owner = skp.pk, member.user_id
        Evaluasi = apps.get_model("evaluasi.Evaluasi")
        ev = Evaluasi.objects.filter(pegawai=member, jenis="tahunan", status="final").first()
        ev_id = ev.pk if ev else None
    except (LookupError, IndexError):
        pass
    return Subjects(
        instansi_id=inst.pk,
        periode_id=periode.pk,
        admin_user_id=admin.pk,
        big_unit_id=big_unit["unit_kerja_id"],
        big_leader_id=big["pejabat_penilai_id"],
        big_team=big["n"],
        small_leader_id=small["pejabat_penilai_id"] if small else None,
        small_team=5 if small else 0,
        typical_leader_id=typical["pejabat_penilai_id"],
        typical_team=typical["n"],
        skp_id=skp_id,
        skp_owner_user_id=skp_owner,
        evaluasi_id=ev_id,
    )


def _user_of(pegawai_id: int):
    from kinerja.models import Pegawai

    return Pegawai.objects.select_related("user").get(pk=pegawai_id).user
