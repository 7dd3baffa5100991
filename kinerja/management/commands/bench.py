"""`manage.py bench`: measure Kinerja against the limit for the same work (see bench).

manage.py bench                      # BENCH_PEGAWAI (default 100000) pegawai, full run
manage.py bench --pegawai 2000 --wrk-seconds 3
manage.py bench --generate 100000    # only generate the data (any database)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


class Command(BaseCommand):
    help = "Ukur kinerja Kinerja terhadap batasnya (make bench) atau buat data skala."

    def add_arguments(self, parser):
        parser.add_argument("--pegawai", type=int, default=_env_int("BENCH_PEGAWAI", 100_000))
        parser.add_argument("--seed", type=int, default=_env_int("BENCH_SEED", 2026))
        parser.add_argument(
            "--generate", type=int, metavar="N", help="hanya buat data skala N pegawai"
        )
        parser.add_argument(
            "--wrk-seconds", type=float, default=float(os.environ.get("BENCH_WRK_SECONDS") or 10)
        )
        parser.add_argument("--wrk-connections", type=int, default=4)
        parser.add_argument(
            "--bulk-limit",
            type=int,
            default=_env_int("BENCH_BULK_LIMIT", 0),
            help="batasi jumlah PDF massal (0 = seluruh unit)",
        )
        parser.add_argument("--import-rows", type=int, default=10_000)
        parser.add_argument(
            "--results", default=str(Path(settings.BASE_DIR) / "bench" / "results.md")
        )
        parser.add_argument("--no-profile", action="store_true")
        parser.add_argument("--no-reset", action="store_true")
        parser.add_argument(
            "--parts",
            default=os.environ.get("BENCH_PARTS", ""),
            help="bagian yang diukur, dipisah koma (tutup, halaman, tanpa_cache, januari, nginx, "
            "query, pdf, impor, restrukturisasi, sinkron); kosong: semua",
        )

    def handle(self, *args, **o):
        if connection.vendor != "postgresql":
            raise CommandError("bench memerlukan PostgreSQL (DATABASE_URL=postgres://...)")
        try:
            from bench.runner import ensure_database
        except ImportError:
            raise CommandError(
                "paket bench tidak ada di instalasi ini (image produksi); jalankan dari repositori"
            ) from None

        if ensure_database():
            self.stderr.write(f"basis data {settings.DATABASES['default']['NAME']} dibuat")
        if o["generate"]:
            from bench.generate import generate

            result = generate(pegawai=o["generate"], seed=o["seed"], out=sys.stderr)
            # The generator writes with triggers off: what PostgreSQL keeps by trigger is built
            # once, as bench.basis_data.ensure_data does, or the pages show zeros.
            from bench.basis_data import bangun_simpanan

            bangun_simpanan()
            self.stdout.write(str(result.get("counts", {})))
            return
        from bench import runner

        opts = runner.Options(
            pegawai=o["pegawai"],
            seed=o["seed"],
            wrk_seconds=o["wrk_seconds"],
            wrk_connections=o["wrk_connections"],
            bulk_limit=o["bulk_limit"],
            # the close on worker processes: evaluations measured (negative: not measured)
            close_limit=_env_int("BENCH_CLOSE_LIMIT", 0),
            import_rows=o["import_rows"],
            redis_url=os.environ.get("REDIS_URL", ""),
            results=Path(o["results"]),
            reset=not o["no_reset"],
            profile=not o["no_profile"],
            parts=tuple(p.strip() for p in o["parts"].split(",") if p.strip()),
            out=self.stdout,
        )
        runner.run(opts)
