"""Per-request cost of each kind of the January mix, in one process (bench.ukur_januari's data).

    DATABASE_URL=... REDIS_URL=... python -m bench.profil_januari [N]

Requests go straight to Django's WSGI handler, as gunicorn calls it (not through the test
Client, whose template and signal instrumentation more than doubles an HTML page's cost).
For each request kind (the API writes and their GETs, and the four heavy pages with the page
cache as configured): the median and mean wall time, this process's CPU time (Python), the
PostgreSQL backend's CPU time (its /proc stat, when the server is local), queries per request,
and the time spent waiting on queries. Writes are committed to the database it runs on: run it
only on a bench copy, never on kinerja_bench_base.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from contextlib import contextmanager

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def _backend_cpu(pid: int) -> float:
    """utime + stime of a local PostgreSQL backend, in seconds (0 when not readable)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


class _Answer:
    def __init__(self, status: str, headers: list, body: bytes) -> None:
        self.status_code = int(status.split(" ", 1)[0])
        self.headers = dict(headers)
        self.content = body

    def json(self):
        import json

        return json.loads(self.content)


class _Wsgi:
    """Requests straight into Django's WSGI handler (what gunicorn calls), with the header of
    the test Client's keyword style (HTTP_AUTHORIZATION=...) and a cookie jar."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.app = WSGIHandler()
        self.cookies: dict[str, str] = {}

    def _call(self, method: str, path: str, body: bytes = b"", **extra) -> _Answer:
        import io

        path, _, query = path.partition("?")
        env = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            **extra,
        }
        if self.cookies:
            env["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        got: list = []
        answer = self.app(env, lambda status, headers, exc_info=None: got.append((status, headers)))
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close:
                close()
        return _Answer(got[0][0], got[0][1], body)

    def get(self, path: str, **extra) -> _Answer:
        return self._call("GET", path, **extra)

    def _json(self, method: str, path: str, data, content_type=None, **extra) -> _Answer:
        import json

        return self._call(method, path, json.dumps(data).encode(), **extra)

    def post(self, path: str, data, **kw) -> _Answer:
        return self._json("POST", path, data, **kw)

    def patch(self, path: str, data, **kw) -> _Answer:
        return self._json("PATCH", path, data, **kw)


class _Queries:
    def __init__(self) -> None:
        self.n = 0
        self.secs = 0.0
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.secs += time.perf_counter() - t
            self.n += 1
            self.sql.append(sql)


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from bench.ukur_januari import januari_ajukan, januari_data
    from kinerja.models import User

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    show_sql = os.environ.get("PROFIL_SQL")
    from bench.basis_data import find_subjects

    admin = User.objects.get(pk=find_subjects().admin_user_id)
    data = januari_data(admin)
    connection.ensure_connection()
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        backend = c.fetchone()[0]
    client = _Wsgi()
    stats: dict[str, list[tuple[float, float, float, int, float]]] = defaultdict(list)
    samples: dict[str, list[str]] = {}
    # PROFIL_CPROFILE="rhk GET,skp GET": cProfile those kinds (their times then include it).
    profiles = {
        k: cProfile.Profile(time.process_time)
        for k in filter(None, os.environ.get("PROFIL_CPROFILE", "").split(","))
    }

    @contextmanager
    def measure(kind: str):
        q = _Queries()
        prof = profiles.get(kind) if warm else None
        if prof is not None:
            prof.enable()
        c0, b0, t0 = time.process_time(), _backend_cpu(backend), time.perf_counter()
        with connection.execute_wrapper(q):
            yield
        t1, c1, b1 = time.perf_counter(), time.process_time(), _backend_cpu(backend)
        if prof is not None:
            prof.disable()
        if warm:
            stats[kind].append((t1 - t0, c1 - c0, b1 - b0, q.n, q.secs))
        samples[kind] = q.sql

    def api(token: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Token {token}"}

    setujui = iter(data["setujui"])
    peg, pen = data["pegawai"], data["penilai"]
    warm = False
    for i in range(n + 1):
        warm = i > 0  # the first round imports and compiles: not counted
        p = peg[i % len(peg)]
        url = f"/api/v1/rencana-hasil-kerja/{p['rhk']}/"
        with measure("rhk GET"):
            r = client.get(url, **api(p["token"]))
        assert r.status_code == 200, r.content[:300]
        with measure("rhk PATCH (tulis)"):
            r = client.patch(
                url,
                {
                    "rencana": f"Rencana hasil kerja diperbarui {i}",
                    "row_version": r.json()["row_version"],
                },
                content_type="application/json",
                **api(p["token"]),
            )
        assert r.status_code == 200, r.content[:300]
        b = pen[i % len(pen)]
        with measure("umpan-balik POST (tulis)"):
            r = client.post(
                "/api/v1/umpan-balik/",
                {
                    "penerima": b["tim"][i % len(b["tim"])],
                    "jenis": "apresiasi",
                    "isi": "Terima kasih.",
                },
                content_type="application/json",
                **api(b["token"]),
            )
        assert r.status_code == 201, r.content[:300]
        nxt = next(setujui, None)
        if nxt is not None:
            with measure("skp GET"):
                r = client.get(f"/api/v1/skp/{nxt[1]}/", **api(nxt[0]))
            assert r.status_code == 200, r.content[:300]
            with measure("skp setujui POST (tulis)"):
                r = client.post(
                    f"/api/v1/skp/{nxt[1]}/setujui/",
                    {"row_version": r.json()["row_version"]},
                    content_type="application/json",
                    **api(nxt[0]),
                )
            assert r.status_code == 200, r.content[:300]
        for kind, path, cookie in (
            ("skp", f"/skp/{p['skp']}/", p["cookie"]),
            ("tim", "/evaluasi/tim/", b["cookie"]),
            ("distribusi", "/evaluasi/distribusi/", data["admin"]["cookie"]),
            ("api", "/api/v1/pegawai/?page_size=200", data["admin"]["cookie"]),
        ):
            for part in cookie.split("; "):
                name, value = part.split("=", 1)
                client.cookies[name] = value
            with measure(kind):
                r = client.get(path)
            client.cookies.clear()
            assert r.status_code == 200, (path, r.status_code)
            if warm:
                state = r.headers.get("X-Kinerja-Cache", "-")
                stats[f"{kind} ({state})"].append(stats[kind].pop())
    januari_ajukan(data["setujui"])  # leave the supply submitted again
    print(
        "jenis | n | wall p50 ms | wall mean ms | CPU python ms | CPU PG ms | query | tunggu query ms"
    )
    for kind, rows in sorted(stats.items()):
        if not rows:
            continue
        walls = [r[0] for r in rows]
        print(
            f"{kind} | {len(rows)} | {statistics.median(walls) * 1000:.1f} | "
            f"{statistics.fmean(walls) * 1000:.1f} | "
            f"{statistics.fmean(r[1] for r in rows) * 1000:.1f} | "
            f"{statistics.fmean(r[2] for r in rows) * 1000:.1f} | "
            f"{statistics.median(r[3] for r in rows):.0f} | "
            f"{statistics.fmean(r[4] for r in rows) * 1000:.1f}"
        )
    for kind, prof in profiles.items():
        print(f"\n== cProfile {kind}")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(
            os.environ.get("PROFIL_SARING", "/work/"), 60
        )
    if show_sql:
        for kind, sql in samples.items():
            if show_sql in ("1", kind):
                print(f"\n== {kind}: {len(sql)} queries")
                for s in sql:
                    print("  ", s[:400])


if __name__ == "__main__":
    main()
