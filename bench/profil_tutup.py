"""The close row (`manage.py bench --parts tutup`) with every statement timed, by step and by run.

    DATABASE_URL=... REDIS_URL=... BENCH_CLOSE_LIMIT=-1 \\
        python -m bench.profil_tutup OUT.json [bench options, e.g. --results /tmp/r.md]
    python -m bench.profil_tutup --ringkas OUT.json [OUT2.json ...]

Runs the bench's close row as `manage.py bench --pegawai 100000 --no-reset --no-profile --parts
tutup` would, with a database execute wrapper that records, for each statement: the run (1, 2,
... as the bench starts them), the step (`mulai` = penutupan_mulai, untimed; `jalankan` = the
job step; `periksa` = the final step; `rekap` = data_rekap inside it; `antara` = the bench's own
untimed statements between them; `setup` = before the first run, including the reference SQL),
the statement's text with its numbers folded, its wall time, the PostgreSQL backend's CPU time
and its run-queue wait (both from /proc/<pid>/schedstat: the server must be on this machine),
and this process's CPU time during it. OUT.json.extra holds this process's CPU per step call
and every garbage collection. `--ringkas` prints the files side by side, per run and step.
Used for bench/temuan.md (putaran kedelapan, "tutup"): first run on fresh data vs re-runs.
"""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import time
from collections import defaultdict
from typing import Any


def _norm(sql: str) -> str:
    s = re.sub(r"\s+", " ", sql).strip()
    if s.startswith("WITH per AS"):
        return "RECAP_SQL"
    s = re.sub(r"'\{[0-9,]*\}'", "'{…}'", s)
    return re.sub(r"\b\d+\b", "N", s)[:160]


def _schedstat(pid: int) -> tuple[int, int]:
    """(ns on CPU, ns waiting for a CPU) of a local process."""
    with open(f"/proc/{pid}/schedstat") as fh:
        on_cpu, waiting, _ = fh.read().split()
    return int(on_cpu), int(waiting)


def rekam(out: str, args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from evaluasi import rekap
    from evaluasi.services import tutup_tahun as services

    state: dict[str, Any] = {"step": "setup", "run": 0, "first": None}
    log: list[tuple] = []
    gclog: list[tuple] = []
    cpulog: list[tuple] = []
    gc_t = [0.0]

    def wrapper(execute, sql, params, many, context):
        raw = context["connection"].connection
        pid = raw.info.backend_pid if raw is not None else None
        s0 = _schedstat(pid) if pid else None
        c0, t0 = time.thread_time(), time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            dt = time.perf_counter() - t0
            py = time.thread_time() - c0
            pid = pid or context["connection"].connection.info.backend_pid
            s1 = _schedstat(pid)
            s0 = s0 or s1
            be, rq = (s1[0] - s0[0]) / 1e9, (s1[1] - s0[1]) / 1e9
            log.append((state["run"], state["step"], _norm(sql), dt, be, rq, py))

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_t[0] = time.perf_counter()
        else:
            gclog.append(
                (state["run"], state["step"], info["generation"], time.perf_counter() - gc_t[0])
            )

    def mulai(**kw):
        pid = kw["periode"].pk
        state["first"] = state["first"] or pid
        if pid == state["first"]:
            state["run"] += 1
        state["step"] = "mulai"
        return real["mulai"](**kw)

    def step(name: str, fn):
        def inner(*a, **kw):
            before = state["step"]
            state["step"] = name
            c0, t0 = time.thread_time(), time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                cpulog.append(
                    (state["run"], name, time.thread_time() - c0, time.perf_counter() - t0)
                )
                state["step"] = before if name == "rekap" else "antara"

        return inner

    real = {"mulai": services.penutupan_mulai}
    connection.execute_wrappers.insert(0, wrapper)  # outermost: what the caller waits for
    gc.callbacks.append(on_gc)
    services.penutupan_mulai = mulai
    services.tutup_tahun_jalankan = step("jalankan", services.tutup_tahun_jalankan)
    services._tutup_periksa = step("periksa", services._tutup_periksa)
    rekap.data_rekap = step("rekap", rekap.data_rekap)
    base = ["--pegawai", "100000", "--no-reset", "--no-profile", "--parts", "tutup"]
    call_command("bench", *base, *args)
    with open(out, "w") as fh:
        json.dump(log, fh)
    with open(out + ".extra", "w") as fh:
        json.dump({"gc": gclog, "cpu": cpulog}, fh)


def ringkas(files: list[str], rinci: bool = True) -> str:
    """Per run and step (and per statement): wall / backend CPU / run-queue wait, ms."""
    aggs = []
    for f in files:
        with open(f) as fh:
            log = json.load(fh)
        per: dict = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        stmt: dict = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        for run, step, sql, dt, be, rq, _py in log:
            key = "RECAP_SQL" if sql == "RECAP_SQL" else step
            for d, k in ((per, (run, key)), (stmt, (run, step, sql))):
                d[k][0] += 1
                d[k][1] += dt
                d[k][2] += be
                d[k][3] += rq
        aggs.append((per, stmt))
    lines = ["run step: (count) wall / backend CPU / run-queue wait, ms — " + " | ".join(files)]
    for k in sorted({k for per, _ in aggs for k in per}):
        vals = [per.get(k, [0, 0, 0, 0]) for per, _ in aggs]
        lines.append(
            f"{k[0]} {k[1]:9s} "
            + " | ".join(
                f"({v[0]}) {v[1] * 1e3:6.0f} {v[2] * 1e3:6.0f} {v[3] * 1e3:6.0f}" for v in vals
            )
        )
    if rinci:
        keys = {k for _, stmt in aggs for k in stmt if k[1] != "setup" and "SAVEPOINT" not in k[2]}
        for k in sorted(keys, key=lambda k: (k[0], k[1], -aggs[0][1].get(k, [0, 0, 0, 0])[2])):
            vals = [stmt.get(k, [0, 0, 0, 0]) for _, stmt in aggs]
            if max(v[2] for v in vals) < 0.005:
                continue
            lines.append(
                f"{k[0]} {k[1]:9s} "
                + " | ".join(
                    f"{v[0]:3d}x {v[1] * 1e3:6.0f} {v[2] * 1e3:6.0f} {v[3] * 1e3:5.0f}"
                    for v in vals
                )
                + "  "
                + k[2][:80]
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    if sys.argv[1:2] == ["--ringkas"]:
        print(ringkas(sys.argv[2:]))
    else:
        rekam(sys.argv[1], sys.argv[2:])
