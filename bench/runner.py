"""`make bench`: each piece of Kinerja's work measured beside the limit for the same work, in one
run on one machine, written as one table to bench/results.md.

Rows (a row whose page or job does not exist prints "belum diukur: <why>", never a number):
- year-end close, data phase: the close job's own code (lock, per-unit archive rows in one
  statement, one `evaluasi.tutup_unit` job per unit recorded) and its final step's recap data,
  for every generated instansi, against one hand-written SQL statement computing the same recap;
  its note adds the whole close (PDFs, zips, recap) of part of one instansi through the per-unit
  jobs on a Celery worker with 1 and with 2 processes;
- pages (team evaluation, distribution, SKP, pegawai API with page_size=200): requests/s and p95
  under gunicorn driven by wrk on 127.0.0.1, against a bare view returning the same bytes under
  the same gunicorn, settings and middleware (bench.urls);
- the same pages without any response cache (gunicorn with the page cache off): median of
  requests one at a time against the bare view, goal <= 5 ms;
- the January mix (bench.ukur_januari): Locust users reading and writing (about one request
  in five a write) against gunicorn with the page cache on and off, next to the bare views
  under the same harness;
- the same mix through nginx in front of two gunicorn instances, one killed halfway
  (bench.ukur_nginx): the failed requests named as in flight, the survivor's figures;
- queries per page at 5 and 500 rows (in-process, inside a transaction that is rolled back);
- a crawl of every page four personas reach from their home, without the page cache
  (bench.ukur_jelajah): the slowest and the largest page, goal <= 1 s and <= 500 KiB each;
- one SKP PDF and one evaluation PDF through the outbox job and a Celery worker, against bare
  WeasyPrint on the same HTML;
- bulk PDFs of the largest unit: one evaluation-PDF job per pegawai, 1 worker process vs 2;
- staff import of 10,000 rows (kinerja.impor.terapkan) against COPY of the same rows;
- a restructuring moving 1,000 pegawai (preview, apply) against the same update as SQL, and
  the incremental sync after 100 changes against the full pull (bench.ukur_organisasi).
Where a page misses its goal the runner profiles it (pyinstrument; EXPLAIN ANALYZE of its
slowest statements) and appends the profile to the results.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.basis_data import Subjects, ensure_data, find_subjects
from bench.dasar import Options, Row, _say
from bench.laporan import LaporanMixin
from bench.ukur_halaman import HalamanMixin
from bench.ukur_impor import ImporMixin
from bench.ukur_januari import JanuariMixin
from bench.ukur_jelajah import GOAL as GOAL_JELAJAH
from bench.ukur_jelajah import JelajahMixin
from bench.ukur_nginx import NginxMixin
from bench.ukur_organisasi import OrganisasiMixin
from bench.ukur_pdf import PdfMixin
from bench.ukur_tutup import TutupMixin


class Bench(
    TutupMixin,
    HalamanMixin,
    JanuariMixin,
    JelajahMixin,
    NginxMixin,
    PdfMixin,
    ImporMixin,
    OrganisasiMixin,
    LaporanMixin,
):
    """One bench run: the rows, in order; each part is a mixin (bench.ukur_*, bench.laporan)."""

    def __init__(self, opts: Options):
        self.opts = opts
        self.rows: list[Row] = []
        self.subjects: Subjects | None = None
        self.media = Path(tempfile.mkdtemp(prefix="kinerja-bench-media-"))
        self.bare_dir = Path(tempfile.mkdtemp(prefix="kinerja-bench-bare-"))
        self.data_info: dict[str, Any] = {}
        self.bulk_cpu: dict[str, tuple[float, float]] = {}
        self.close_info: dict[str, Any] = {}
        self.started = dt.datetime.now(dt.UTC)
        self.load_before = os.getloadavg()

    def say(self, msg: str) -> None:
        _say(self.opts, msg)

    def _part(self, name: str) -> bool:
        return not self.opts.parts or name in self.opts.parts

    def row(self, key: str, work: str, goal: str) -> Row:
        r = Row(key, work, goal)
        self.rows.append(r)
        return r

    def guard(self, row: Row, fn: Callable[[Row], None]) -> None:
        t = time.monotonic()
        try:
            fn(row)
        except Exception as exc:  # every failure becomes an honest "belum diukur"
            row.belum(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}")
        self.say(
            f"{row.work}: {row.kinerja} | {row.limit} | {row.ratio} ({time.monotonic() - t:.0f} s)"
        )

    def run(self) -> list[Row]:
        from django.test.utils import override_settings

        with override_settings(MEDIA_ROOT=str(self.media), SECURE_SSL_REDIRECT=False):
            os.environ["MEDIA_ROOT"] = str(self.media)
            self.data_info = ensure_data(self.opts)
            self.subjects = find_subjects()
            self.say(f"subjek: {self.subjects}")
            if self._part("tutup"):
                self.guard(
                    self.row("tutup", "Tutup tahun, fase data", "≤ 2.0x"), self.close_data_phase
                )
            if self._part("halaman"):
                self.pages()
            if self._part("tanpa_cache"):
                self.pages_uncached()
            if self._part("januari"):
                self.january()
            if self._part("nginx"):
                self.nginx_row()
            if self._part("query"):
                self.queries()
            if self._part("jelajah"):
                self.guard(
                    self.row(
                        "jelajah", "Jelajah semua halaman 4 persona tanpa cache", GOAL_JELAJAH
                    ),
                    self.jelajah_row,
                )
            if self._part("pdf"):
                self.pdfs()
            if self._part("impor"):
                self.guard(
                    self.row(
                        "impor",
                        f"Impor pegawai {self.opts.import_rows:,} baris",
                        "rasio dilaporkan",
                    ),
                    self.staff_import,
                )
            if self._part("restrukturisasi"):
                self.guard(
                    self.row(
                        "restrukturisasi",
                        "Restrukturisasi (SOTK) memindahkan 1.000 pegawai",
                        "rasio dilaporkan",
                    ),
                    self.restrukturisasi_row,
                )
            if self._part("sinkron"):
                self.guard(
                    self.row("sinkron", "Sinkronisasi inkremental vs tarik penuh", "< 1 %"),
                    self.sinkron_row,
                )
        shutil.rmtree(self.media, ignore_errors=True)
        shutil.rmtree(self.bare_dir, ignore_errors=True)
        self.finished = dt.datetime.now(dt.UTC)
        self.load_after = os.getloadavg()
        return self.rows


def run(opts: Options) -> Bench:
    bench = Bench(opts)
    bench.run()
    md = bench.write()
    opts.out.write("\n" + bench.table() + "\n")
    if opts.results:
        opts.out.write(f"\n[bench] hasil ditulis ke {opts.results}\n")
    del md
    return bench


def dumps(rows: list[Row]) -> str:
    return json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=1)


# What `manage.py bench` and tests/bench use, from the modules that define it.
from bench.basis_data import _server_conninfo, ensure_database, reset_database  # noqa: E402,F401
from bench.proses import _redis_ok  # noqa: E402,F401
