"""One kind of the January mix's API requests, repeated: this process's CPU per request,
statements and Python function calls (cProfile over the last 20), for old/new comparisons on a
loaded machine. No PostgreSQL CPU: a run outlasts CONN_MAX_AGE (60 s), the handler then opens
a new connection (another backend), so one backend's /proc stat does not follow the run.

    DATABASE_URL=... REDIS_URL=... python -m bench.profil_fokus <kind> [N]

kind: "umpan" (umpan-balik POST), "rhk" (rhk GET), "patch" (rhk GET then PATCH, the PATCH
counted). Writes are committed: a bench copy only.
"""

from __future__ import annotations

import cProfile
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main() -> None:
    import django

    django.setup()
    import pstats

    from django.db import connection

    from bench.basis_data import find_subjects
    from bench.profil_januari import _Queries, _Wsgi
    from bench.ukur_januari import januari_data
    from kinerja.models import User

    kind = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    data = januari_data(User.objects.get(pk=find_subjects().admin_user_id))
    connection.ensure_connection()
    client = _Wsgi()
    peg, pen = data["pegawai"], data["penilai"]

    def satu(i: int):
        if kind == "umpan":
            b = pen[i % len(pen)]
            body = {"penerima": b["tim"][i % len(b["tim"])], "jenis": "apresiasi", "isi": "Ok."}
            return lambda: client.post(
                "/api/v1/umpan-balik/", body, HTTP_AUTHORIZATION=f"Token {b['token']}"
            )
        p = peg[i % len(peg)]
        url = f"/api/v1/rencana-hasil-kerja/{p['rhk']}/"
        auth = {"HTTP_AUTHORIZATION": f"Token {p['token']}"}
        if kind == "rhk":
            return lambda: client.get(url, **auth)
        rv = client.get(url, **auth).json()["row_version"]
        return lambda: client.patch(url, {"rencana": f"Rencana {i}", "row_version": rv}, **auth)

    # Warm: every token's row kept (first request: pointer, second: row), code paths imported.
    for i in range(2 * max(len(peg), len(pen))):
        satu(i)()
    rows, prof = [], cProfile.Profile()
    for i in range(n):
        go = satu(i)
        q = _Queries()
        c0 = time.process_time()
        with connection.execute_wrapper(q):
            if i >= n - 20:
                prof.enable()
            r = go()
            if i >= n - 20:
                prof.disable()
        c1 = time.process_time()
        assert r.status_code in (200, 201), r.content[:200]
        rows.append((c1 - c0, q.n))
    calls = pstats.Stats(prof).total_calls / 20
    py = [r[0] for r in rows[:-20]]
    print(
        f"{kind}: n={len(py)} CPU python median {statistics.median(py) * 1000:.2f} ms "
        f"mean {statistics.fmean(py) * 1000:.2f}"
        f" | statements {statistics.median(r[1] for r in rows):.0f} | calls/request {calls:.0f}"
        f" | load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
