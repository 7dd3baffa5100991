"""A real Celery worker on Redis for the tests, and test-only job handlers.

The fixtures built from these helpers live in tests/kinerja/test_worker.py.

The worker is a subprocess (`celery -A kinerja worker`) pointed at the pytest-django test
database (so the test must commit: `transactional_db`) and at Redis DB 5 of
KINERJA_TEST_REDIS_URL, under a key prefix unique to this test run. It imports this module
(KINERJA_JOB_MODULES) so the handlers below exist in the worker too.

Tests using these fixtures are marked `worker`; they skip, saying why, only when Redis does not
answer (`make test` always provides it).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from kinerja import jobs

ROOT = Path(__file__).resolve().parent.parent
CELERY = ROOT / ".venv" / "bin" / "celery"
PREFIX = f"uji{os.getpid()}-{uuid.uuid4().hex[:6]}:"

# Fast clocks for the tests: heartbeat every 0.5 s, a job without one for 3 s is dead, Redis hands
# an unacknowledged message to another worker after 8 s (longer than any retry countdown here, as
# in production), and checks for such messages every 1 s.
WORKER_ENV = {
    "KINERJA_JOB_DETAK": "0.5",
    "KINERJA_JOB_BASI": "3",
    "KINERJA_JOB_JEDA": "1",
    "KINERJA_VISIBILITY_TIMEOUT": "8",
    "KINERJA_UNACKED_RESTORE_INTERVAL": "1",
    "KINERJA_UNACKED_RESTORE_THROTTLE": "1",
    "KINERJA_JOB_MODULES": "tests.worker_fixtures",
    "SITE_URL": "https://kinerja.contoh.go.id",
    "EMAIL_BACKEND": "tests.worker_fixtures.BerkasEmailBackend",
}


# --- test-only handlers (imported by the worker through KINERJA_JOB_MODULES) ------------------
@jobs.handler("uji.pdf_lambat")
def pdf_lambat(job, *, instansi_id: int, detik: float) -> dict:
    """A slow PDF: report that it started, take `detik` seconds, then store the document."""
    from kinerja.pdf import dokumen_simpan, render_pdf

    jobs.progress(job, 1, 3, "mulai")
    end = time.monotonic() + detik
    while time.monotonic() < end:
        time.sleep(0.1)
    data = render_pdf(f"<h1>Dokumen uji {job.pk}</h1><p>percobaan {job.percobaan}</p>")
    doc = dokumen_simpan(
        jenis="rekap",
        judul=f"Uji job {job.pk}",
        data=data,
        nama_berkas=f"uji-{job.pk}.pdf",
        objek=job,
        instansi_id=instansi_id,
    )
    return {"dokumen": doc.pk, "url": doc.berkas.url}


@jobs.handler("uji.pid_basis_data")
def pid_basis_data(job, *, instansi_id: int) -> dict:
    """Which PostgreSQL backend (connection) the pool process ran this job on."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        return {"pid": c.fetchone()[0], "proses": os.getpid()}


@jobs.handler("uji.gagal_sekali")
def gagal_sekali(job, *, instansi_id: int) -> dict:
    """Fails on its first attempt (a transient error), succeeds after."""
    if job.percobaan < 2:
        raise RuntimeError("galat sementara pada percobaan pertama")
    return {"percobaan": job.percobaan}


class BerkasEmailBackend(BaseEmailBackend):
    """Writes each message as JSON into KINERJA_TEST_EMAIL_DIR (the worker's outbox)."""

    def send_messages(self, messages) -> int:
        folder = Path(os.environ["KINERJA_TEST_EMAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        for m in messages:
            html = next(
                (c for c, mime in getattr(m, "alternatives", []) if mime == "text/html"), ""
            )
            (folder / f"{uuid.uuid4().hex}.json").write_text(
                json.dumps({"to": m.to, "subject": m.subject, "body": m.body, "html": html})
            )
        return len(messages)


def email_terkirim(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


# --- Redis and the worker ---------------------------------------------------------------------
def redis_url(db: int = 5) -> str:
    base = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def redis_reachable(url: str) -> bool:
    parts = urlsplit(url)
    return port_open(parts.hostname or "127.0.0.1", parts.port or 6379)


def wait_for(pred, timeout: float, pesan: str, interval: float = 0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"waktu habis ({timeout} s): {pesan}")


def database_url() -> str:
    """The pytest-django test database, for the worker subprocess."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        pytest.skip("uji pekerja membutuhkan PostgreSQL (DATABASE_URL), bukan SQLite")
    user = db.get("USER") or "postgres"
    pw = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{pw}@{host}:{port}/{db['NAME']}"


class Worker:
    """One `celery worker` subprocess in its own process group (so SIGKILL takes all of it)."""

    _n = 0

    def __init__(
        self,
        broker: str,
        tmp: Path,
        *,
        pool: str = "prefork",
        concurrency: int = 2,
        prefix: str = PREFIX,
    ):
        Worker._n += 1
        self.name = f"uji{Worker._n}-{os.getpid()}@%h"
        self.log = tmp / f"worker{Worker._n}.log"
        self.email_dir = tmp / "email"
        env = {
            **os.environ,
            **WORKER_ENV,
            "DJANGO_SETTINGS_MODULE": "kinerja.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker,
            "KINERJA_BROKER_PREFIX": prefix,
            "MEDIA_ROOT": str(tmp / "media"),
            "KINERJA_TEST_EMAIL_DIR": str(self.email_dir),
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "INFO",
        }
        cmd = [
            str(CELERY) if CELERY.exists() else shutil.which("celery") or "celery",
            "-A", "kinerja", "worker", f"--pool={pool}", "-c", str(concurrency),
            "-n", self.name, "--loglevel=INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-Q", "celery",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: (
                "ready." in self.log.read_text(errors="replace") or self.proc.poll() is not None
            ),
            30,
            "pekerja Celery siap",
        )
        if self.proc.poll() is not None:
            raise AssertionError(f"pekerja Celery berhenti:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def task_result(self, task_id: str, timeout: float = 20) -> str:
        """Wait for the worker's log line of a finished task and return its repr'd result."""

        def find() -> str | None:
            for line in self.log.read_text(errors="replace").splitlines():
                if f"[{task_id}] succeeded in" in line:
                    return line.rsplit(": ", 1)[-1].strip()
            return None

        return wait_for(find, timeout, f"tugas {task_id} selesai di pekerja")

    def pool_pids(self) -> list[int]:
        """The prefork pool's child processes (Linux /proc)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(x) for x in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes: no shutdown, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            # Cold shutdown of the main process (nothing of ours is in flight at this point).
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGQUIT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        self.kill()  # and any pool process left behind


class RedisServer:
    """A private redis-server (for the 'Redis goes down' test), stopped by its PID."""

    def __init__(self, tmp: Path, port: int = 6390):
        self.port, self.dir = port, tmp / f"redis{port}"
        self.dir.mkdir(exist_ok=True)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.skip("redis-server tidak terpasang: uji 'Redis mati' dilewati")
        if port_open("127.0.0.1", self.port):
            pytest.skip(f"port {self.port} sudah dipakai proses lain")
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: port_open("127.0.0.1", self.port), 10, "redis-server menyala")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        wait_for(lambda: not port_open("127.0.0.1", self.port), 10, "redis-server berhenti")


@contextlib.contextmanager
def celery_di(url: str, prefix: str = PREFIX) -> Iterator[None]:
    """Point this (pytest) process's Celery app at a real broker, then back to eager mode.

    It is also made the *current* app: shared tasks (`jalankan_job.delay`) resolve through the
    current app, and another Celery() created earlier in the run would otherwise capture them."""
    from kinerja.celery import app

    app.set_current()

    saved = {
        k: app.conf[k]
        for k in ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    }
    _reset(app)
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_always_eager=False,
        broker_transport_options={**saved["broker_transport_options"], "global_keyprefix": prefix},
    )
    try:
        yield
    finally:
        _reset(app)
        app.conf.update(**saved)
        app.set_current()  # the project's app stays the current one after the test


def _reset(app) -> None:
    """Forget pooled connections and the cached result backend."""
    from kombu import pools

    pools.reset()
    app._pool = None
    with contextlib.suppress(AttributeError):
        app.amqp._producer_pool = None
    app._local = threading.local()


def redis_uji_or_skip() -> str:
    url = redis_url()
    if not redis_reachable(url):
        pytest.skip(
            f"Redis tidak dapat dihubungi di {url} (KINERJA_TEST_REDIS_URL); "
            "`make test` menyediakannya"
        )
    return url
