"""The processes the bench drives: gunicorn, a Celery worker on its own queue, the outbox sender,
and wrk.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings

from bench.dasar import BASE_DIR, QUEUE


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
    def __init__(self, bare_dir: Path, workers: int, env: dict[str, str] | None = None):
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
            env=_child_env({"KINERJA_BENCH_BARE_DIR": str(bare_dir), **(env or {})}),
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

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        load_backend,
    )

    s = import_module(settings.SESSION_ENGINE).SessionStore()
    s[SESSION_KEY] = str(user.pk)
    # The backend a session names must be one the settings still list (as the test client's
    # force_login picks it): the first that can load a user.
    s[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
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
