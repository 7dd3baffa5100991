"""Faults: the database going away in the middle of a request.

A PostgreSQL cluster of the test's own (initdb into a temporary directory, port 5499, a private
socket directory) gets the project's schema; a child process runs a real request against it
that pauses right after its first row is written; the test stops the cluster, lets the request
continue, and checks the answer is the friendly 503 (HTML for pages, JSON for the API) and,
after restarting the cluster, that nothing of the request was kept.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port(preferred: int = 5499) -> int:
    """5499 unless taken (another test session running the same test): then any free port."""
    import socket

    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


PORT = _free_port()
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="no PostgreSQL 15")


def _as_postgres(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: run its tools as the postgres user when we are root."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


class Cluster:
    def __init__(self, base: Path):
        self.base = base
        self.data = base / "data"
        self.sock = base / "sock"
        self.log = base / "log"

    def ctl(self, *args: str) -> subprocess.CompletedProcess:
        opts = f"-p {PORT} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=off"
        return _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                opts,
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                *args,
            ]
        )

    def start(self) -> None:
        r = self.ctl("start")
        assert r.returncode == 0, r.stdout + r.stderr + self.log.read_text()

    def stop(self, mode: str = "fast") -> None:
        self.ctl("stop", "-m", mode)

    def psql(self, sql: str, db: str = "kinerja_fault") -> str:
        r = subprocess.run(
            [
                str(PG_BIN / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(PORT),
                "-U",
                "postgres",
                "-d",
                db,
                "-At",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    base = Path(tempfile.mkdtemp(prefix="kinerja-pg-", dir="/tmp"))
    c = Cluster(base)
    c.data.mkdir()
    c.sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        for p in (c.data, c.sock):
            shutil.chown(p, "postgres", "postgres")
    r = _as_postgres(
        [
            str(PG_BIN / "initdb"),
            "-D",
            str(c.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ]
    )
    assert r.returncode == 0, r.stderr
    c.start()
    try:
        c.psql("CREATE DATABASE kinerja_fault", db="postgres")
        # The project's schema, copied from the test database (faster than migrating).
        from django.db import connection

        s = connection.settings_dict
        name = s["NAME"]
        if not name.startswith("test_"):
            name = connection.creation._get_test_db_name()
        dump = subprocess.run(
            [
                str(PG_BIN / "pg_dump"),
                "-s",
                "-h",
                s["HOST"] or "127.0.0.1",
                "-p",
                str(s["PORT"] or 5432),
                "-U",
                s["USER"] or "postgres",
                name,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert dump.returncode == 0, dump.stderr
        load = subprocess.run(
            [
                str(PG_BIN / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(PORT),
                "-U",
                "postgres",
                "-d",
                "kinerja_fault",
                "-q",
                "-v",
                "ON_ERROR_STOP=0",
            ],
            input=dump.stdout,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "relation" not in load.stderr or "already exists" in load.stderr, load.stderr
        yield c
    finally:
        c.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


def _run_request(cluster: Cluster, tmp_path: Path, mode: str) -> dict:
    # A clean organisation per run.
    cluster.psql(
        "DO $$ DECLARE r record; BEGIN FOR r IN SELECT tablename FROM pg_tables "
        "WHERE schemaname='public' LOOP EXECUTE 'TRUNCATE ' || quote_ident(r.tablename) "
        "|| ' RESTART IDENTITY CASCADE'; END LOOP; END $$;"
    )
    marker, go = tmp_path / f"{mode}.saved", tmp_path / f"{mode}.go"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORT}/kinerja_fault",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.security.fault_client", str(marker), str(go), mode],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 90
        while not marker.exists():
            assert child.poll() is None, child.communicate()
            assert time.time() < deadline, "the request never reached its first write"
            time.sleep(0.05)
        cluster.stop("fast")  # the database goes away mid-request
        go.write_text("go")
        out, err = child.communicate(timeout=90)
    finally:
        if child.poll() is None:
            child.kill()
        cluster.start()
    line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
    assert line, f"no result from the child:\n{out}\n{err[-3000:]}"
    return json.loads(line[len("RESULT ") :])


@pytest.mark.parametrize("mode", ["page", "api"])
def test_database_gone_mid_request_gives_a_503_and_keeps_nothing(cluster, tmp_path, mode):
    result = _run_request(cluster, tmp_path, mode)
    assert result["status"] == 503, result
    assert result["retry"] == "30"
    if mode == "page":
        assert result["ctype"].startswith("text/html")
        assert "Layanan sementara tidak tersedia" in result["body"]
        assert "Traceback" not in result["body"]
    else:
        assert result["ctype"].startswith("application/json")
        assert "tidak tersedia" in json.loads(result["body"])["detail"]
    # After the restart: the feedback, its history and its notification were all rolled back.
    assert cluster.psql("SELECT count(*) FROM dialog_umpanbalik") == "0"
    assert cluster.psql("SELECT count(*) FROM dialog_historicalumpanbalik") == "0"
    assert (
        cluster.psql(
            f"SELECT count(*) FROM kinerja_notifikasi n JOIN kinerja_pegawai p "
            f"ON p.user_id = n.penerima_id WHERE p.id = {result['pegawai']}"
        )
        == "0"
    )
    # The organisation written before the request (autocommit) is intact: a real restart.
    assert int(cluster.psql("SELECT count(*) FROM kinerja_pegawai")) > 10
