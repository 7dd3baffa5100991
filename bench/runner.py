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
- queries per page at 5 and 500 rows (in-process, inside a transaction that is rolled back);
- one SKP PDF and one evaluation PDF through the outbox job and a Celery worker, against bare
  WeasyPrint on the same HTML;
- bulk PDFs of the largest unit: one evaluation-PDF job per pegawai, 1 worker process vs 2;
- staff import of 10,000 rows (kinerja.impor.terapkan) against COPY of the same rows.
Where a page misses its goal the runner profiles it (pyinstrument; EXPLAIN ANALYZE of its
slowest statements) and appends the profile to the results.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from unittest import mock

from django.conf import settings
from django.db import connection, connections, transaction

BASE_DIR = Path(settings.BASE_DIR)
warnings.filterwarnings("ignore", message="No directory at")
QUEUE = "kinerja-bench"


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run a block in a transaction that is always rolled back (the bench leaves data as found)."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@dataclass
class Row:
    key: str
    work: str
    goal: str = ""
    kinerja: str = ""
    limit: str = ""
    ratio: str = ""
    ok: bool | None = None
    note: str = ""
    profile: str = ""

    def belum(self, reason: str) -> Row:
        self.kinerja = f"belum diukur: {reason}"
        self.limit = self.ratio = ""
        self.ok = None
        return self

    @property
    def measured(self) -> bool:
        return not self.kinerja.startswith("belum diukur") and bool(self.kinerja)

    @property
    def status(self) -> str:
        if not self.measured:
            return "—"
        if self.ok is None:
            return "dilaporkan"
        return "tercapai" if self.ok else "TIDAK tercapai"


@dataclass
class Options:
    pegawai: int = 100_000
    seed: int = 2026
    wrk_seconds: float = 10.0
    wrk_connections: int = 4
    bulk_limit: int = 0  # 0: the whole unit
    # Final evaluations (whole units) in the close measured on 1 and 2 worker processes;
    # 0: 1,000, or twice bulk_limit when that is set (the tiny bench); negative: not measured.
    close_limit: int = 0
    import_rows: int = 10_000
    pdf_repeat: int = 9
    redis_url: str = ""
    results: Path | None = None
    reset: bool = True  # drop and recreate a bench database whose data does not match
    profile: bool = True
    out: TextIO = sys.stdout
    # Which parts run (tutup, halaman, query, pdf, impor); empty: all. E.g. only the close:
    # runner.run(runner.Options(parts=("tutup",), results=None, ...)) from `manage.py shell`.
    parts: tuple[str, ...] = ()


def _say(opts: Options, msg: str) -> None:
    opts.out.write(f"[bench] {msg}\n")
    opts.out.flush()


# --- the data ---------------------------------------------------------------------------------
def _fingerprint(opts: Options) -> str:
    h = hashlib.sha256()
    for name in ("generate.py", "copy.py"):
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


def reset_database() -> None:
    """Drop and recreate the bench database, then migrate. Only for databases named like a
    bench or test database, so a mistyped DATABASE_URL cannot drop real data."""
    import psycopg
    from django.core.management import call_command

    name = settings.DATABASES["default"]["NAME"]
    if not (name.startswith("kinerja_bench") or name.startswith("test_")):
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


# --- processes ----------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if db["ENGINE"].endswith("postgresql"):
        auth = db.get("USER") or "postgres"
        if db.get("PASSWORD"):
            auth += f":{db['PASSWORD']}"
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
        )
    env["PYTHONPATH"] = str(BASE_DIR) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


class Gunicorn:
    def __init__(self, bare_dir: Path, workers: int):
        self.port = _free_port()
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (lives as long as the process)
            prefix="bench-gunicorn-", suffix=".log", delete=False
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "kinerja.wsgi:application",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "120",
                "--log-level",
                "warning",
                "--backlog",
                "256",
            ],
            cwd=BASE_DIR,
            env=_child_env({"KINERJA_BENCH_BARE_DIR": str(bare_dir)}),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn berhenti: " + Path(self.log.name).read_text()[-500:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn tidak siap dalam 60 detik")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, cookie: str) -> tuple[int, bytes, str]:
        req = urllib.request.Request(self.url(path), headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers.get("Content-Type", "")

    def stop(self) -> None:
        _stop(self.proc)


class Worker:
    """A Celery worker on the bench's own queue (so no other worker takes its messages)."""

    def __init__(self, concurrency: int, redis_url: str):
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (lives as long as the process)
            prefix="bench-celery-", suffix=".log", delete=False
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kinerja",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "-Q",
                QUEUE,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
                "-n",
                f"bench{concurrency}-{os.getpid()}@%h",
            ],
            cwd=BASE_DIR,
            env=_child_env({"REDIS_URL": redis_url}),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        _stop(self.proc)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the worker and its pool processes."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(stat.parent.name)
            if pid == self.proc.pid or int(fields[1]) == self.proc.pid:
                total += int(fields[11]) + int(fields[12])
        return total / tick


class Sender:
    """Sends outbox jobs to the bench queue through the real broker, whatever this process's own
    Celery configuration is (in the test suite it runs tasks eagerly)."""

    def __init__(self, redis_url: str):
        from celery import Celery

        # Not the current app: shared tasks resolved in this process must stay the project's.
        self.app = Celery("kinerja-bench", broker=redis_url, set_as_current=False)
        self.resent = 0
        self._conn = None

    def create(self, task: str, kunci: str, **kwargs: Any) -> int:
        from kinerja.models import Job

        return Job.objects.create(task=task, kunci=kunci, kwargs=kwargs).pk

    def send(self, job_ids: list[int]) -> None:
        # One broker connection for the whole run, as the web process keeps its pool: a job's
        # time must not include the bench opening a connection (~2.5 ms) for each message.
        for attempt in (1, 2):
            try:
                if self._conn is None:
                    self._conn = self.app.connection_for_write()
                for jid in job_ids:
                    self.app.send_task(
                        "kinerja.tasks.jalankan_job", args=[jid], queue=QUEUE, connection=self._conn
                    )
                return
            except Exception:
                self.close()
                if attempt == 2:
                    raise

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.release()
            self._conn = None

    def wait(self, job_ids: list[int], timeout: float, proc: Worker | None = None) -> float:
        from kinerja.models import Job

        start = last_change = time.monotonic()
        ids = list(job_ids)
        last_done = -1
        while True:
            done = Job.objects.filter(pk__in=ids, status__in=["sukses", "gagal"]).count()
            if done != last_done:
                last_done, last_change = done, time.monotonic()
            elif time.monotonic() - last_change > 30:
                # Messages can be lost (another process flushed the broker's database): send the
                # untouched jobs again, as the outbox sweep would; a claimed job runs only once.
                lost = list(
                    Job.objects.filter(pk__in=ids, status="pending", percobaan=0).values_list(
                        "pk", flat=True
                    )
                )
                self.send(lost)
                self.resent += len(lost)
                last_change = time.monotonic()
            if done >= len(ids):
                failed = list(
                    Job.objects.filter(pk__in=ids, status="gagal").values_list("galat", flat=True)[
                        :1
                    ]
                )
                if failed:
                    raise RuntimeError("job gagal: " + failed[0][-300:])
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise RuntimeError(f"{len(ids) - done} job belum selesai setelah {timeout:.0f} s")
            if proc is not None and proc.proc.poll() is not None:
                raise RuntimeError(
                    "worker Celery berhenti: " + Path(proc.log.name).read_text()[-500:]
                )
            time.sleep(0.002 if len(ids) == 1 else 0.1)  # one job: its end, not the poll


def _redis_ok(url: str) -> bool:
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


# --- helpers ------------------------------------------------------------------------------
def _session_cookie(user) -> str:
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    s = import_module(settings.SESSION_ENGINE).SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    # A browser has its CSRF cookie from the login form: pages carry tokens of that secret.
    from django.middleware.csrf import _get_new_csrf_string

    csrf = f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}; {csrf}"


WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH p95_us=%d errors=%d\\n", latency:percentile(95),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def wrk(url: str, cookie: str, seconds: float, connections_: int) -> tuple[float, float]:
    """(requests per second, p95 latency in ms) of `url` under wrk."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA)
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections_}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        f.name,
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    os.unlink(f.name)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p95 = re.search(r"BENCH p95_us=(\d+) errors=(\d+)", out)
    if not rps or not p95:
        raise RuntimeError("keluaran wrk tidak terbaca: " + out[-300:])
    if int(p95.group(2)) > 0:
        raise RuntimeError(f"wrk mencatat {p95.group(2)} galat: {out[-300:]}")
    return float(rps.group(1)), int(p95.group(1)) / 1000.0


def _fmt_s(sec: float) -> str:
    return f"{sec:.2f} s" if sec >= 0.995 else f"{sec * 1000:.0f} ms"


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# --- the bench ----------------------------------------------------------------------------
class Bench:
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
            if self._part("query"):
                self.queries()
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
        shutil.rmtree(self.media, ignore_errors=True)
        shutil.rmtree(self.bare_dir, ignore_errors=True)
        self.finished = dt.datetime.now(dt.UTC)
        self.load_after = os.getloadavg()
        return self.rows

    # -- 1. year-end close, data phase ------------------------------------------------------
    def close_data_phase(self, row: Row) -> None:
        from django.apps import apps

        from bench.generate import MARKER_KODE
        from evaluasi import rekap
        from evaluasi.services import tutup_tahun as services
        from kinerja.models import Job, Periode

        Evaluasi = apps.get_model("evaluasi.Evaluasi")
        ArsipUnit = apps.get_model("evaluasi.ArsipUnit")
        PenutupanTahun = apps.get_model("evaluasi.PenutupanTahun")
        prefix = MARKER_KODE.split("-")[0] + "-"
        periode_ids = list(
            Periode.objects.filter(instansi__kode__startswith=prefix)
            .order_by("id")
            .values_list("id", flat=True)
        )
        n_peg = Evaluasi.objects.filter(periode_id__in=periode_ids, jenis="tahunan").count()

        def kinerja(ids: list[int] = periode_ids) -> float:
            """The close job's data phase, then (every unit marked done, as the unit jobs
            would, untimed) its final step's recap data; the xlsx bytes are not written.
            Inside a rolled-back transaction: the unit jobs are recorded, never sent."""
            spent = 0.0
            with (
                mock.patch.object(rekap, "xlsx_rekap", lambda **kw: None),
                mock.patch.object(
                    services,
                    "evaluasi_dokumen_render",  # pegawai without a unit: none in the data
                    lambda *, evaluasi: None,
                ),
            ):
                for pid in ids:
                    job = Job.objects.create(
                        task="evaluasi.tutup_tahun", kwargs={"periode_id": pid}
                    )
                    t = time.perf_counter()
                    services.tutup_tahun_jalankan(periode_id=pid, job=job)
                    spent += time.perf_counter() - t
                    n_jobs[pid] = Job.objects.filter(
                        task="evaluasi.tutup_unit", kwargs__putaran=job.pk
                    ).count()
                    ArsipUnit.objects.filter(putaran=job.pk).update(putaran_selesai=job.pk)
                    pen_id = PenutupanTahun.objects.values_list("pk", flat=True).get(periode_id=pid)
                    t = time.perf_counter()
                    services._tutup_periksa(pen_id=pen_id, putaran=job.pk, induk_id=job.pk)
                    spent += time.perf_counter() - t
            return spent

        sql_rows: list = []
        n_jobs: dict[int, int] = {}

        def limit() -> None:
            with connection.cursor() as c:
                c.execute(RECAP_SQL, {"periode": periode_ids})
                sql_rows[:] = c.fetchall()

        # Warm the caches equally, then measure each (the close inside a rolled-back transaction).
        with rolled_back():
            limit()
        t_sql = min(_timed(limit) for _ in range(3))
        t_k: list[float] = []
        while len(t_k) < 2 and sum(t_k) < 20:  # a second run only when the first was quick
            with rolled_back():
                t_k.append(kinerja())
        t_kinerja = min(t_k)
        n_unit = (
            Evaluasi.objects.filter(periode_id__in=periode_ids, jenis="tahunan", status="final")
            .order_by()
            .values("pegawai__unit_kerja_id")
            .distinct()
            .count()
        )
        # The SQL computes the same numbers: compare the per-unit counts for the first instansi.
        check = _recap_check(periode_ids[0], sql_rows)
        row.kinerja = (
            f"{_fmt_s(t_kinerja)} ({len(periode_ids)} instansi, {n_peg:,} evaluasi tahunan, "
            f"{n_unit:,} unit dalam {sum(n_jobs.values()):,} job)"
        )
        row.limit = f"{_fmt_s(t_sql)} (1 SQL, {len(sql_rows):,} baris)"
        ratio = t_kinerja / t_sql
        row.ratio = f"{ratio:.1f}x"
        row.ok = ratio <= 2.0
        row.note = (
            f"{check} Kinerja = job tutup tahun (kunci tahun, baris ArsipUnit dalam satu "
            "pernyataan, job evaluasi.tutup_unit dicatat: unit kecil berbagi job sampai "
            f"±{settings.KINERJA_TUTUP_DOKUMEN_PER_JOB} dokumen) + data rekap langkah akhir, per "
            "instansi; PDF dan zip dikerjakan job unit (lihat di bawah)."
        )
        if not row.ok and self.opts.profile:
            row.profile = self._profile_callable(
                lambda: kinerja(periode_ids[:2]),
                label="tutup_tahun_jalankan + _tutup_periksa, 2 instansi pertama",
            )
        row.note += " " + self.close_workers()

    def _close_subject(self) -> tuple[int, list[int], list[int], int]:
        """The close measured on workers: the generated instansi with the fewest final annual
        evaluations (not the one the pages use), whole units up to the limit. Returns (periode,
        the evaluations in it, the other final evaluations of that year, units)."""
        from django.apps import apps
        from django.db.models import Count

        from bench.generate import MARKER_KODE
        from kinerja.models import Periode

        Evaluasi = apps.get_model("evaluasi.Evaluasi")
        limit = self.opts.close_limit or (
            2 * self.opts.bulk_limit if self.opts.bulk_limit else 1000
        )
        prefix = MARKER_KODE.split("-")[0] + "-"
        finals = Evaluasi.objects.filter(jenis="tahunan", status="final").order_by()
        sizes = (
            finals.filter(periode__instansi__kode__startswith=prefix)
            .exclude(periode__instansi__kode=MARKER_KODE)
            .values("periode_id")
            .annotate(n=Count("id"))
            .order_by("n", "periode_id")
        )
        pick = sizes.first() or {
            "periode_id": Periode.objects.get(instansi__kode=MARKER_KODE).pk,
            "n": 0,
        }
        rows = list(
            finals.filter(periode_id=pick["periode_id"]).values_list("pk", "pegawai__unit_kerja_id")
        )
        per_unit: dict[int | None, list[int]] = {}
        for pk, unit in rows:
            per_unit.setdefault(unit, []).append(pk)
        chosen: list[int] = []
        units = 0
        for unit in sorted(per_unit, key=lambda u: (u is None, u or 0)):
            if len(chosen) >= limit:
                break
            chosen += per_unit[unit]
            units += 1
        others = sorted({pk for pk, _ in rows} - set(chosen))
        return pick["periode_id"], chosen, others, units

    def close_workers(self) -> str:
        """The whole close (PDFs, zips, recap) through the per-unit jobs on a worker with 1 and
        with 2 processes, for part of one instansi (the rest of its final evaluations are set to
        draft meanwhile, then back; the year's status is put back). Returns the note's text."""
        from django.apps import apps

        from kinerja.models import Job, Periode

        redis_url = self.opts.redis_url
        if self.opts.close_limit < 0:
            return "Tutup tahun per unit di worker tidak diukur dalam run ini (close_limit < 0)."
        if not _redis_ok(redis_url):
            return f"Tutup tahun per unit di worker belum diukur: Redis tidak tersedia ({redis_url or 'REDIS_URL kosong'})."
        Evaluasi = apps.get_model("evaluasi.Evaluasi")
        periode_id, chosen, others, units = self._close_subject()
        if not chosen:
            return "Tutup tahun per unit di worker belum diukur: tidak ada evaluasi final."
        status = Periode.objects.values_list("status", flat=True).get(pk=periode_id)
        sender = Sender(redis_url)
        times: dict[int, float] = {}
        cpu: dict[int, tuple[float, float]] = {}
        try:
            Evaluasi.objects.filter(pk__in=others).update(status="draft")
            for n in (1, 2):
                worker = Worker(n, redis_url)
                try:
                    self._warm(sender, worker, n)
                    self._reset_ev_docs(chosen)
                    jid = sender.create(
                        "evaluasi.tutup_tahun",
                        f"bench-tutup:{periode_id}:{time.time_ns()}",
                        periode_id=periode_id,
                    )
                    cpu0, t0 = worker.cpu_seconds(), time.monotonic()
                    sender.send([jid])
                    deadline = t0 + 120 + 5 * len(chosen)
                    while True:
                        st, galat = Job.objects.values_list("status", "galat").get(pk=jid)
                        if st in ("sukses", "gagal"):
                            break
                        if time.monotonic() > deadline or worker.proc.poll() is not None:
                            raise RuntimeError(f"tutup tahun belum selesai ({st})")
                        time.sleep(0.05)
                    times[n] = time.monotonic() - t0
                    cpu[n] = (worker.cpu_seconds() - cpu0, times[n])
                    if st != "sukses":
                        raise RuntimeError("tutup tahun gagal: " + galat[-200:])
                finally:
                    worker.stop()
        except Exception as exc:
            return f"Tutup tahun per unit di worker belum diukur: {type(exc).__name__}: {str(exc)[:160]}"
        finally:
            Evaluasi.objects.filter(pk__in=others).update(status="final")
            Periode.objects.filter(pk=periode_id).update(status=status)
        eff = times[1] / (2 * times[2])
        inti = "; ".join(
            f"{n} proses: CPU {c:.0f} s dalam {w:.0f} s = {c / w:.2f} inti"
            for n, (c, w) in cpu.items()
        )
        self.close_info = {
            "dokumen": len(chosen),
            "unit": units,
            "t1": times[1],
            "t2": times[2],
            "efisiensi": eff,
        }
        return (
            f"Tutup tahun lengkap (PDF, zip per unit, rekap) lewat job per unit, {len(chosen):,} "
            f"evaluasi final dalam {units} unit satu instansi: 1 proses worker {_fmt_s(times[1])}, "
            f"2 proses {_fmt_s(times[2])} (efisiensi {eff:.2f}; {inti})."
        )

    # -- 2. pages under gunicorn + wrk --------------------------------------------------------
    def _page_specs(self) -> list[tuple[str, str, str, Any]]:
        """(key, label, path, user) of each page; path None when it does not exist yet."""
        from django.urls import NoReverseMatch, reverse

        from kinerja.models import User

        s = self.subjects
        admin = User.objects.get(pk=s.admin_user_id)
        specs = []

        def rev(name: str, *args: Any) -> str | None:
            try:
                return reverse(name, args=args)
            except NoReverseMatch:
                return None

        tim = rev("evaluasi:tim")
        specs.append(
            (
                "tim",
                f"Halaman evaluasi tim ({s.typical_team} orang)",
                tim,
                _user_of(s.typical_leader_id),
            )
        )
        dist = rev("evaluasi:distribusi")
        specs.append(("distribusi", "Halaman distribusi (admin provinsi, per unit)", dist, admin))
        skp = rev("skp:detail", s.skp_id) if s.skp_id else None
        owner = User.objects.get(pk=s.skp_owner_user_id) if s.skp_owner_user_id else None
        specs.append(("skp", "Halaman SKP (pemilik)", skp, owner))
        api = "/api/v1/pegawai/?page_size=200"
        specs.append(("api", "API daftar pegawai page_size=200", api, admin))
        return specs

    def pages(self) -> None:
        specs = self._page_specs()
        rows = {key: self.row(key, label, "≥ 40% req/s, p95 ≤ 3x") for key, label, _p, _u in specs}
        if shutil.which("wrk") is None:
            for r in rows.values():
                r.belum("wrk tidak terpasang")
            return
        try:
            gun = Gunicorn(self.bare_dir, workers=os.cpu_count() or 2)
        except Exception as exc:
            for r in rows.values():
                r.belum(f"gunicorn gagal: {exc}")
            return
        try:
            for key, _label, path, user in specs:
                self.guard(
                    rows[key], lambda row, k=key, p=path, u=user: self._page(gun, row, k, p, u)
                )
        finally:
            gun.stop()

    def _page(self, gun: Gunicorn, row: Row, key: str, path: str | None, user) -> None:
        if path is None or user is None:
            row.belum("halaman/URL belum ada")
            return
        cookie = _session_cookie(user)
        status, body, ctype = gun.get(path, cookie)
        if status != 200:
            row.belum(f"halaman menjawab HTTP {status}")
            return
        (self.bare_dir / f"{key}.body").write_bytes(body)
        (self.bare_dir / f"{key}.type").write_text(ctype or "text/html; charset=utf-8")
        bare_path = f"/__bench__/bare/{key}/"
        st2, body2, _ = gun.get(bare_path, cookie)
        if st2 != 200 or body2 != body:
            raise RuntimeError("view bare tidak mengembalikan byte yang sama")
        for _ in range(5):  # warm both gunicorn workers
            gun.get(path, cookie)
            gun.get(bare_path, cookie)
        secs, conns = self.opts.wrk_seconds, self.opts.wrk_connections
        k_rps, k_p95 = wrk(gun.url(path), cookie, secs, conns)
        b_rps, b_p95 = wrk(gun.url(bare_path), cookie, secs, conns)
        share = k_rps / b_rps if b_rps else 0.0
        p95x = k_p95 / b_p95 if b_p95 else float("inf")
        row.kinerja = f"{k_rps:,.0f} req/s, p95 {k_p95:.1f} ms"
        cold = self._page_cold(gun, path, cookie)
        if cold is not None:
            row.kinerja += f"; tanpa cache halaman (data baru berubah): median {cold:.0f} ms"
        row.limit = f"{b_rps:,.0f} req/s, p95 {b_p95:.1f} ms ({len(body) / 1024:.0f} KiB)"
        row.ratio = f"{share:.0%} req/s, p95 {p95x:.1f}x"
        row.ok = share >= 0.40 and p95x <= 3.0
        if not row.ok and self.opts.profile:
            row.profile = self._profile_page(path, user)

    def _page_cold(self, gun: Gunicorn, path: str, cookie: str, n: int = 15) -> float | None:
        """Median wall time of the page when its cached copy is stale (a write was committed
        just before each request): what a user pays after data changed. None: cache off."""
        from kinerja import cache_halaman

        if not cache_halaman.detik():
            return None
        times = []
        for _ in range(n):
            cache_halaman.versi_naik()
            t = time.perf_counter()
            status, _body, _ct = gun.get(path, cookie)
            times.append(time.perf_counter() - t)
            if status != 200:
                raise RuntimeError(f"halaman menjawab HTTP {status} tanpa cache")
        return statistics.median(times) * 1000

    # -- 3. queries per page at 5 and 500 rows -----------------------------------------------
    def queries(self) -> None:
        for key, label, fn in [
            ("q_tim", "Query halaman evaluasi tim", self._q_tim),
            ("q_distribusi", "Query halaman distribusi (per unit)", self._q_distribusi),
            ("q_skp", "Query halaman SKP", self._q_skp),
            ("q_api", "Query API daftar pegawai", self._q_api),
        ]:
            self.guard(self.row(key, label + " 5 vs 500 baris", "sama"), fn)

    def _count(self, path: str, user) -> int:
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, override_settings

        client = Client()
        client.force_login(user)
        # What the page costs when it is rendered: the page cache would answer the second
        # request from Redis with no query at all.
        with override_settings(KINERJA_HALAMAN_DETIK=0):
            client.get(path)  # warm per-process caches (content types, templates)
            with CaptureQueriesContext(connection) as ctx:
                resp = client.get(path)
        if resp.status_code != 200:
            raise RuntimeError(f"{path} menjawab HTTP {resp.status_code}")
        return len(ctx.captured_queries)

    def _q_row(self, row: Row, small: tuple[int, int], large: tuple[int, int]) -> None:
        (n_small, q_small), (n_large, q_large) = small, large
        row.kinerja = f"{q_small} query @ {n_small} baris, {q_large} query @ {n_large} baris"
        row.limit = "jumlah query sama"
        row.ratio = f"{q_large - q_small:+d} query"
        row.ok = q_small == q_large

    def _q_tim(self, row: Row) -> None:
        from django.urls import reverse

        s = self.subjects
        if s.small_leader_id is None:
            row.belum("tidak ada pejabat penilai dengan 5 pegawai")
            return
        path = reverse("evaluasi:tim")
        self._q_row(
            row,
            (s.small_team, self._count(path, _user_of(s.small_leader_id))),
            (s.big_team, self._count(path, _user_of(s.big_leader_id))),
        )

    def _q_distribusi(self, row: Row) -> None:
        from django.urls import reverse

        from kinerja.models import Instansi, Periode, UnitKerja, User

        path = reverse("evaluasi:distribusi") + "?cakupan=unit"
        out = []
        with rolled_back():
            for n in (5, 500):
                inst = Instansi.objects.create(
                    kode=f"QB{n}", nama=f"Instansi uji {n} unit", jenis="daerah"
                )
                Periode.objects.create(
                    instansi=inst,
                    tahun=Periode.objects.get(pk=self.subjects.periode_id).tahun,
                    status="evaluasi",
                )
                UnitKerja.objects.bulk_create(
                    [UnitKerja(instansi=inst, nama=f"Unit {i:03d}") for i in range(n)]
                )
                admin = User.objects.create(username=f"admin-qb{n}", admin_instansi=inst)
                out.append((n, self._count(path, admin)))
        self._q_row(row, out[0], out[1])

    def _q_skp(self, row: Row) -> None:
        from django.apps import apps
        from django.urls import reverse

        SKP = apps.get_model("skp.SKP")
        RHK = apps.get_model("skp.RencanaHasilKerja")
        Indikator = apps.get_model("skp.Indikator")
        s = self.subjects
        if not s.skp_id:
            row.belum("SKP belum ada")
            return
        base = SKP.objects.select_related("pegawai__user").get(pk=s.skp_id)
        other = (
            SKP.objects.filter(
                terkini=True,
                jenis=base.jenis,
                pegawai__pejabat_penilai_id=base.pegawai.pejabat_penilai_id,
            )
            .exclude(pk=base.pk)
            .select_related("pegawai__user")
            .first()
        )
        if other is None:
            row.belum("tidak ada SKP kedua untuk pembanding")
            return
        out = []
        with rolled_back():
            for skp, n in ((base, 5), (other, 500)):
                have = RHK.objects.filter(skp=skp).count()
                new = RHK.objects.bulk_create(
                    [
                        RHK(skp=skp, jenis="tambahan", urutan=100 + i, rencana=f"Rencana uji {i}")
                        for i in range(max(0, n - have))
                    ]
                )
                Indikator.objects.bulk_create(
                    [
                        Indikator(
                            rencana=r, aspek="kuantitas", indikator="Jumlah", target="1 dokumen"
                        )
                        for r in new
                    ]
                )
                out.append((n, self._count(reverse("skp:detail", args=[skp.pk]), skp.pegawai.user)))
        self._q_row(row, out[0], out[1])

    def _q_api(self, row: Row) -> None:
        from kinerja.models import User

        admin = User.objects.get(pk=self.subjects.admin_user_id)
        small = self._count("/api/v1/pegawai/?page_size=5", admin)
        large = self._count("/api/v1/pegawai/?page_size=200", admin)
        self._q_row(row, (5, small), (200, large))
        row.note = "API membatasi page_size pada 200 (max_page_size)."

    # -- 4 and 5. PDFs through the worker ---------------------------------------------------
    def pdfs(self) -> None:
        r_skp = self.row("pdf_skp", "Satu PDF SKP (job → worker)", "≤ 1.5x")
        r_ev = self.row("pdf_evaluasi", "Satu PDF evaluasi (job → worker)", "≤ 1.5x")
        n_unit = self._bulk_ids()
        r_bulk = self.row(
            "pdf_massal",
            f"PDF massal unit {len(n_unit):,} pegawai, 1 vs 2 worker",
            "efisiensi ≥ 0.8",
        )
        redis_url = self.opts.redis_url
        if not _redis_ok(redis_url):
            for r in (r_skp, r_ev, r_bulk):
                r.belum(f"Redis tidak tersedia ({redis_url or 'REDIS_URL kosong'})")
            return
        sender = Sender(redis_url)
        worker = Worker(1, redis_url)
        try:
            self._warm(sender, worker, 1)
            self.guard(r_skp, lambda row: self._pdf_skp(row, sender, worker))
            self.guard(r_ev, lambda row: self._pdf_evaluasi(row, sender, worker))
            t1 = self._bulk(r_bulk, sender, worker, n_unit, "w1")
        finally:
            worker.stop()
        if t1 is None:
            return
        worker = Worker(2, redis_url)
        try:
            self._warm(sender, worker, 2)
            t2 = self._bulk(r_bulk, sender, worker, n_unit, "w2")
        finally:
            worker.stop()
        if t2 is None:
            return
        eff = t1 / (2 * t2)
        r_bulk.kinerja = f"1 worker {_fmt_s(t1)}, 2 worker {_fmt_s(t2)}"
        r_bulk.limit = f"linier: {_fmt_s(t1 / 2)} dengan 2 worker"
        r_bulk.ratio = f"efisiensi {eff:.2f}"
        r_bulk.ok = eff >= 0.8
        cpu = "; ".join(
            f"{n} worker: CPU {c:.0f} s dalam {w:.0f} s = {c / w:.2f} inti"
            for n, (c, w) in zip(
                ("1", "2"),
                (self.bulk_cpu.get("w1", (0, 1)), self.bulk_cpu.get("w2", (0, 1))),
                strict=True,
            )
        )
        r_bulk.note = (
            "Satu job evaluasi.pdf per pegawai (tugas yang sudah ada), dibagi ke proses worker. "
            "Tutup tahun memakai job per kelompok unit (evaluasi.tutup_unit): lihat catatan "
            "baris Tutup tahun. "
            f"Inti CPU yang benar-benar didapat proses worker: {cpu} "
            f"(di bawah ~1.0 / ~2.0 berarti mesin sedang dipakai proses lain)."
        )
        if sender.resent:
            r_bulk.note += (
                f" {sender.resent} pesan broker hilang di tengah jalan dan dikirim ulang."
            )
        self.say(f"{r_bulk.work}: {r_bulk.kinerja} | {r_bulk.limit} | {r_bulk.ratio}")

    def _warm(self, sender: Sender, worker: Worker, n: int) -> None:
        """Start-up and font loading happen before timing: n small jobs, one per process."""
        s = self.subjects
        ids = []
        with transaction.atomic():
            for i in range(n * 2):
                if s.evaluasi_id:
                    self._reset_ev_docs([s.evaluasi_id])
                    ids.append(
                        sender.create(
                            "evaluasi.pdf",
                            f"bench-warm:{time.time_ns()}:{i}",
                            evaluasi_id=s.evaluasi_id,
                        )
                    )
        sender.send(ids)
        sender.wait(ids, timeout=180, proc=worker)

    def _reset_ev_docs(self, ids: list[int]) -> None:
        from django.apps import apps

        Evaluasi = apps.get_model("evaluasi.Evaluasi")
        Evaluasi.objects.filter(pk__in=ids).update(dokumen=None, dokumen_row_version=None)

    def _pdf_skp(self, row: Row, sender: Sender, worker: Worker) -> None:
        from weasyprint import HTML

        from kinerja import jobs
        from kinerja.verifikasi import verifikasi_konteks
        from skp.dokumen import skp_pdf_html
        from skp.models import SKP

        jobs._import_handlers()
        if "skp.pdf" not in jobs._handlers:
            row.belum("job skp.pdf belum terdaftar")
            return
        skp = SKP.objects.get(pk=self.subjects.skp_id)
        html = skp_pdf_html(skp, verifikasi_konteks())
        HTML(string=html).write_pdf()  # fonts and layout caches warm, like the worker's
        t_job, t_bare = [], []
        for i in range(self.opts.pdf_repeat):  # interleaved: a change in machine load hits both
            with transaction.atomic():
                jid = sender.create("skp.pdf", f"bench-skp:{time.time_ns()}:{i}", skp_id=skp.pk)
            t0 = time.monotonic()
            sender.send([jid])
            sender.wait([jid], timeout=120, proc=worker)
            t_job.append(time.monotonic() - t0)
            t_bare.append(_timed(lambda: HTML(string=html).write_pdf()))
        self._pdf_row(row, t_job, t_bare)

    def _pdf_evaluasi(self, row: Row, sender: Sender, worker: Worker) -> None:
        from weasyprint import HTML

        from evaluasi.dokumen import evaluasi_pdf_html
        from evaluasi.models import Evaluasi
        from kinerja.verifikasi import verifikasi_konteks

        if not self.subjects.evaluasi_id:
            row.belum("evaluasi belum ada")
            return
        ev = Evaluasi.objects.get(pk=self.subjects.evaluasi_id)
        html = evaluasi_pdf_html(ev, verifikasi_konteks())
        HTML(string=html).write_pdf()
        t_job, t_bare = [], []
        for i in range(self.opts.pdf_repeat):
            with transaction.atomic():
                self._reset_ev_docs([ev.pk])
                jid = sender.create(
                    "evaluasi.pdf", f"bench-ev:{time.time_ns()}:{i}", evaluasi_id=ev.pk
                )
            t0 = time.monotonic()
            sender.send([jid])
            sender.wait([jid], timeout=120, proc=worker)
            t_job.append(time.monotonic() - t0)
            t_bare.append(_timed(lambda: HTML(string=html).write_pdf()))
        self._pdf_row(row, t_job, t_bare)

    def _pdf_row(self, row: Row, t_job: list[float], t_bare: list[float]) -> None:
        k, b = statistics.median(t_job), statistics.median(t_bare)
        row.kinerja = f"{_fmt_s(k)} (median {len(t_job)}x)"
        row.limit = f"{_fmt_s(b)} WeasyPrint saja"
        row.ratio = f"{k / b:.2f}x"
        row.ok = k / b <= 1.5

    def _bulk_ids(self) -> list[int]:
        from django.apps import apps

        Evaluasi = apps.get_model("evaluasi.Evaluasi")
        ids = list(
            Evaluasi.objects.filter(
                pegawai__unit_kerja_id=self.subjects.big_unit_id, jenis="tahunan", status="final"
            )
            .order_by("pegawai__nama", "pk")
            .values_list("pk", flat=True)
        )
        if self.opts.bulk_limit:
            ids = ids[: self.opts.bulk_limit]
        return ids

    def _bulk(
        self, row: Row, sender: Sender, worker: Worker, ids: list[int], tag: str
    ) -> float | None:
        if not ids:
            row.belum("tidak ada evaluasi final di unit terbesar")
            return None
        try:
            with transaction.atomic():
                self._reset_ev_docs(ids)
                stamp = time.time_ns()
                job_ids = [
                    sender.create("evaluasi.pdf", f"bench-bulk:{tag}:{stamp}:{e}", evaluasi_id=e)
                    for e in ids
                ]
            cpu0, t0 = worker.cpu_seconds(), time.monotonic()
            sender.send(job_ids)
            sender.wait(job_ids, timeout=60 + 5 * len(ids), proc=worker)
            wall = time.monotonic() - t0
            self.bulk_cpu[tag] = (worker.cpu_seconds() - cpu0, wall)
            return wall
        except Exception as exc:
            row.belum(f"{type(exc).__name__}: {str(exc)[:160]}")
            return None

    # -- 6. staff import vs COPY --------------------------------------------------------------
    def staff_import(self, row: Row) -> None:
        from bench.copy import Tables
        from kinerja import impor
        from kinerja.models import Instansi, Pegawai, UnitKerja, User

        n = self.opts.import_rows
        units_n = max(1, n // 100)
        rows = self._import_rows(n, units_n)
        taken = set(
            Pegawai.objects.filter(nip__in=[r["nip"] for r in rows]).values_list("nip", flat=True)
        )
        if taken:
            raise RuntimeError(f"{len(taken)} NIP uji impor sudah dipakai")
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(
            ["NIP", "Nama", "Jenis ASN", "Golongan", "Jabatan", "Unit", "Atasan", "Jenis jabatan"]
        )
        for r in rows:
            w.writerow(
                [
                    r["nip"],
                    r["nama"],
                    "PNS",
                    r["golongan"],
                    r["jabatan"],
                    r["unit"],
                    r["atasan"],
                    r["jenis"],
                ]
            )
        data = buf.getvalue().encode()

        def setup() -> tuple[Instansi, Any]:
            inst = Instansi.objects.create(
                kode="G-IMPOR", nama="Instansi Uji Impor", jenis="daerah"
            )
            UnitKerja.objects.bulk_create(
                [UnitKerja(instansi=inst, nama=f"Unit Impor {u:03d}") for u in range(units_n)]
            )
            admin = User.objects.create(username="admin.g-impor", admin_instansi=inst)
            return inst, admin

        result: dict[str, Any] = {}
        with rolled_back():
            inst, admin = setup()
            t0 = time.perf_counter()
            plan = impor.terapkan(user=admin, instansi=inst, data=data, jenis="csv")
            result["t_import"] = time.perf_counter() - t0
            if plan.galat:
                g = plan.galat[0]
                raise RuntimeError(f"impor menolak berkas: baris {g.baris} {g.kolom}: {g.pesan}")
            result["imported"] = Pegawai.objects.filter(instansi=inst).count()
        import random

        with rolled_back():
            inst, admin = setup()
            units = dict(UnitKerja.objects.filter(instansi=inst).values_list("nama", "id"))
            t0 = time.perf_counter()
            T = Tables(rng=random.Random(1), now=dt.datetime.now(dt.UTC))
            pw = "!"
            for r in rows:
                uid = T[User].add(
                    {"username": r["nip"], "password": pw, "first_name": r["nama"], "email": ""}
                )
                T[Pegawai].add(
                    {
                        "user_id": uid,
                        "instansi_id": inst.pk,
                        "nip": r["nip"],
                        "nama": r["nama"],
                        "jenis_asn": "pns",
                        "golongan": r["golongan"],
                        "unit_kerja_id": units[r["unit"]],
                        "jabatan_id": None,
                        "pejabat_penilai_id": None,
                        "atasan_pejabat_penilai_id": None,
                        "plt_jabatan_id": None,
                        "penilai_override_id": None,
                    }
                )
            T.close()
            result["t_copy"] = time.perf_counter() - t0
        row.kinerja = f"{_fmt_s(result['t_import'])} ({result['imported']:,} pegawai dibuat)"
        row.limit = f"{_fmt_s(result['t_copy'])} COPY pengguna + pegawai"
        row.ratio = f"{result['t_import'] / result['t_copy']:.1f}x"
        row.ok = None

    def _import_rows(self, n: int, units_n: int) -> list[dict[str, str]]:
        import random

        from kinerja.rules import make_nip

        rng = random.Random(99)
        out, used = [], set()
        per_unit = n // units_n
        for i in range(n):
            u = min(i // per_unit, units_n - 1)
            head = i % per_unit == 0 and i // per_unit < units_n
            while True:
                # Born 1945-1962: the generator's pegawai are born from 1966, so no NIP collides.
                lahir = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(0, 6500))
                nip = make_nip(
                    lahir, dt.date(lahir.year + 22, 3, 1), rng.random() < 0.5, rng.randrange(999)
                )
                if nip not in used:
                    used.add(nip)
                    break
            if head:
                head_nip = nip
            out.append(
                {
                    "nip": nip,
                    "nama": f"Pegawai Impor {i:05d}",
                    "golongan": "III/c" if head else "III/a",
                    "jabatan": f"Kepala Unit Impor {u:03d}" if head else "Pengadministrasi Umum",
                    "unit": f"Unit Impor {u:03d}",
                    "atasan": "" if head else head_nip,
                    "jenis": "Pengawas" if head else "Pelaksana",
                }
            )
        return out

    # -- profiling ------------------------------------------------------------------------------
    def _profile_callable(self, fn: Callable[[], Any], label: str) -> str:
        try:
            from pyinstrument import Profiler
        except ImportError:
            return "(pyinstrument tidak terpasang)"
        prof = Profiler(interval=0.002)
        with rolled_back():
            prof.start()
            try:
                fn()
            finally:
                prof.stop()
        return f"pyinstrument — {label}\n" + _trim(prof.output_text(unicode=False, color=False), 45)

    def _profile_page(self, path: str, user) -> str:
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client()
        client.force_login(user)
        client.get(path)
        parts = []
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
        total_q = sum(float(q["time"]) for q in queries)
        parts.append(
            f"{len(queries)} query, {total_q * 1000:.1f} ms di basis data (satu permintaan)"
        )

        def hit() -> None:
            for _ in range(10):
                client.get(path)

        parts.append(self._profile_callable(hit, f"10x GET {path}"))
        for q in queries[:2]:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            try:
                with connection.cursor() as c:
                    c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(r[0] for r in c.fetchall())
                parts.append(
                    f"EXPLAIN ANALYZE ({float(q['time']) * 1000:.1f} ms): {sql[:300]}\n"
                    + _trim(plan, 14)
                )
            except Exception as exc:  # queries with parameters Django inlined oddly
                connection.rollback() if not connection.in_atomic_block else None
                parts.append(f"(EXPLAIN gagal: {exc})")
        return "\n\n".join(parts)

    # -- output ---------------------------------------------------------------------------------
    def machine(self) -> dict[str, str]:
        cpu = platform.processor() or ""
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        mem = ""
        with contextlib.suppress(OSError):
            kb = int(Path("/proc/meminfo").read_text().split()[1])
            mem = f"{kb / 1024 / 1024:.1f} GiB"
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
        ).stdout.strip()
        with connection.cursor() as c:
            c.execute("SHOW server_version")
            pg = c.fetchone()[0]
        return {
            "cpu": cpu or "?",
            "nproc": str(os.cpu_count()),
            "mem": mem or "?",
            "commit": commit + (" (+ perubahan belum di-commit)" if dirty else ""),
            "python": platform.python_version(),
            "postgres": pg,
        }

    def table(self) -> str:
        lines = [
            "| pekerjaan | Kinerja | batas (limit) | rasio | sasaran | hasil |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in self.rows:
            lines.append(
                f"| {r.work} | {r.kinerja} | {r.limit} | {r.ratio} | {r.goal} | {r.status} |"
            )
        return "\n".join(lines)

    def markdown(self) -> str:
        m = self.machine()
        info = self.data_info
        gen = (
            f"dibuat dalam run ini: {info.get('seconds', 0):.0f} s"
            if info.get("generated")
            else "dipakai ulang dari run sebelumnya (sidik data sama)"
        )
        head = [
            "# Kinerja — hasil `make bench`",
            "",
            f"- Tanggal: {self.started:%Y-%m-%d %H:%M} UTC (selesai {self.finished:%H:%M} UTC)",
            f"- Commit: {m['commit']}",
            f"- Mesin: {m['nproc']} CPU ({m['cpu']}), memori {m['mem']}, Python {m['python']}, PostgreSQL {m['postgres']}",
            f"- Beban mesin (loadavg 1/5/15 menit) awal {self._load(self.load_before)}, akhir {self._load(self.load_after)}",
            f"- Data: {self.opts.pegawai:,} pegawai, seed {self.opts.seed} — {gen}",
            f"- wrk: {self.opts.wrk_seconds:.0f} s per ukuran, {self.opts.wrk_connections} koneksi, 2 thread; gunicorn {os.cpu_count()} worker sync (bench.settings)",
            "",
            self.table(),
            "",
        ]
        notes = [f"- **{r.work}**: {r.note}" for r in self.rows if r.note]
        if notes:
            head += ["## Catatan", "", *notes, ""]
        temuan = Path(__file__).with_name("temuan.md")
        if temuan.exists():
            head += [temuan.read_text(), ""]
        profiles = [r for r in self.rows if r.profile]
        if profiles:
            head += ["## Profil baris yang tidak mencapai sasaran", ""]
            for r in profiles:
                head += [f"### {r.work}", "", "```", r.profile, "```", ""]
        # Hand-run measurements of earlier sessions (each dated, with its machine load) are
        # kept below every new table instead of being lost when the file is rewritten.
        riwayat = Path(__file__).with_name("riwayat.md")
        if riwayat.exists():
            head += [riwayat.read_text(), ""]
        return "\n".join(head)

    @staticmethod
    def _load(t: tuple[float, float, float]) -> str:
        return "/".join(f"{x:.1f}" for x in t)

    def write(self) -> str:
        md = self.markdown()
        if self.opts.results:
            self.opts.results.parent.mkdir(parents=True, exist_ok=True)
            self.opts.results.write_text(md)
        return md


def _trim(text: str, n: int) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(lines[:n]) + ("\n..." if len(lines) > n else "")


def _recap_check(periode_id: int, sql_rows: list) -> str:
    """Compare the SQL's per-unit counts with evaluasi.rekap.data_rekap for one instansi."""
    try:
        from evaluasi import rekap
        from kinerja.models import Periode

        data = rekap.data_rekap(Periode.objects.get(pk=periode_id))
    except Exception as exc:
        return f"pembanding rekap tidak dapat diperiksa: {exc}"
    mine = sorted(tuple(r[5:10]) for r in sql_rows if r[0] == "unit" and r[1] == periode_id)
    theirs = sorted(tuple(u["counts"]) for u in data["per_unit"])
    pegawai_sql = sum(1 for r in sql_rows if r[0] == "pegawai" and r[1] == periode_id)
    same = mine == theirs and pegawai_sql == len(data["per_pegawai"])
    return (
        "SQL pembanding menghasilkan rekap yang sama dengan evaluasi.rekap.data_rekap "
        f"(jumlah per unit per predikat, {pegawai_sql:,} baris pegawai) untuk instansi pertama."
        if same
        else "PERHATIAN: rekap SQL pembanding berbeda dari data_rekap; rasio kurang bermakna."
    )


# One statement: the recap of every instansi's year: per unit (kinerja organisasi and counts of
# final annual evaluations per predikat) and per pegawai (position, unit, ratings, status).
RECAP_SQL = """
WITH per AS (
    SELECT id, instansi_id FROM kinerja_periode WHERE id = ANY(%(periode)s)
), ev AS (
    SELECT e.periode_id, e.pegawai_id, e.rating_hasil_kerja, e.rating_perilaku_kerja,
           e.predikat, e.status
    FROM evaluasi_evaluasi e JOIN per ON per.id = e.periode_id
    WHERE e.jenis = 'tahunan'
), cnt AS (
    SELECT ev.periode_id, p.unit_kerja_id,
           count(*) FILTER (WHERE ev.predikat = 'sangat_baik') AS sb,
           count(*) FILTER (WHERE ev.predikat = 'baik') AS b,
           count(*) FILTER (WHERE ev.predikat = 'butuh_perbaikan') AS bp,
           count(*) FILTER (WHERE ev.predikat = 'kurang') AS k,
           count(*) FILTER (WHERE ev.predikat = 'sangat_kurang') AS sk
    FROM ev JOIN kinerja_pegawai p ON p.id = ev.pegawai_id
    WHERE ev.status = 'final'
    GROUP BY ev.periode_id, p.unit_kerja_id
)
SELECT 'unit' AS jenis, per.id, u.nama AS unit, ko.predikat AS ko, NULL AS nip,
       COALESCE(cnt.sb, 0), COALESCE(cnt.b, 0), COALESCE(cnt.bp, 0), COALESCE(cnt.k, 0),
       COALESCE(cnt.sk, 0), NULL AS nama, NULL AS jabatan, NULL AS hasil, NULL AS perilaku,
       NULL AS status
FROM per
JOIN kinerja_unitkerja u ON u.instansi_id = per.instansi_id
LEFT JOIN evaluasi_kinerjaorganisasi ko
       ON ko.unit_kerja_id = u.id AND ko.periode_id = per.id AND ko.jenis = 'tahunan'
LEFT JOIN cnt ON cnt.periode_id = per.id AND cnt.unit_kerja_id = u.id
UNION ALL
SELECT 'pegawai', per.id, u.nama, ev.predikat, p.nip, NULL, NULL, NULL, NULL, NULL, p.nama,
       j.nama, ev.rating_hasil_kerja, ev.rating_perilaku_kerja,
       CASE WHEN ev.status IS NULL THEN 'belum dievaluasi' ELSE ev.status END
FROM per
JOIN kinerja_pegawai p ON p.instansi_id = per.instansi_id
LEFT JOIN kinerja_unitkerja u ON u.id = p.unit_kerja_id
LEFT JOIN kinerja_jabatan j ON j.id = p.jabatan_id
LEFT JOIN ev ON ev.periode_id = per.id AND ev.pegawai_id = p.id
WHERE p.status <> 'berhenti' AND p.jenis_asn <> 'pejabat_negara'
ORDER BY 2, 1 DESC, 3, 11
"""


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
