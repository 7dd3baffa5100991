"""Rows of the January mix: Locust users (bench/locust_januari.py) against gunicorn with the
page cache on and off, next to the bare views measured by the same harness in the same run.

Writes are committed to the bench data (RHK text of the chosen pegawai's draft SKP, feedback
rows, approvals): the chosen SKPs are set to draft first, so the pegawai may edit them, and a
supply of other team members' SKPs is set to submitted (`diajukan`) before every mixed run, so
the penilai may approve them.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.dasar import BASE_DIR, Row
from bench.proses import Gunicorn, _child_env, _session_cookie

GOAL = "0 galat; halaman berat ≥ 30% req/s view bare, p95 ≤ 5x"
HEAVY = ("skp", "tim", "distribusi", "kelengkapan", "api")
SETUJUI_PER_INSTANSI = 40
# Bare and mix measured in this many alternating pairs per configuration (BENCH_JANUARI_SEGMEN).
SEGMEN = 3
# gunicorn as deployed: docker-compose.yml's `web` command and the Dockerfile's CMD run 3 sync
# workers (tests/bench/test_januari_gunicorn.py holds the three together).
WORKERS_DEPLOY = 3


class JanuariMixin:
    """Part of Bench (bench.runner): the January mix under Locust."""

    def january(self) -> None:
        secs = int(os.environ.get("BENCH_JANUARI_SECONDS") or 30)
        users = int(os.environ.get("BENCH_JANUARI_USERS") or 10)
        workers = int(os.environ.get("BENCH_JANUARI_WORKERS") or WORKERS_DEPLOY)
        segmen = int(os.environ.get("BENCH_JANUARI_SEGMEN") or SEGMEN)
        # A segment shorter than 5 s is mostly Locust starting up: fewer segments then.
        segmen = max(1, min(segmen, secs // 5))
        rows = {
            "on": self.row("januari_on", "Campuran Januari, cache halaman hidup", GOAL),
            "off": self.row("januari_off", "Campuran Januari, cache halaman mati", GOAL),
        }
        import importlib.util

        # Only looked up: importing locust here would monkey-patch this process with gevent.
        if importlib.util.find_spec("locust") is None:
            for r in rows.values():
                r.belum("locust tidak terpasang")
            return
        t0 = time.monotonic()
        try:
            data = self._januari_data()
        except Exception as exc:
            for r in rows.values():
                r.belum(f"data campuran gagal: {type(exc).__name__}: {exc}")
            return
        results: dict[str, Any] = {}
        for mode, detik in (("on", "120"), ("off", "0")):
            gun = Gunicorn(self.bare_dir, workers=workers, env={"KINERJA_HALAMAN_DETIK": detik})
            try:
                self._januari_bare_files(gun, data)
                results[f"bare_{mode}"], results[mode] = self._bergantian(
                    gun, data, users, secs, segmen
                )
            except Exception as exc:
                rows[mode].belum(f"{type(exc).__name__}: {str(exc)[:160]}")
            finally:
                gun.stop()
        for mode, row in rows.items():
            if mode in results:
                self._januari_row(row, results[mode], results[f"bare_{mode}"])
            self.say(f"{row.work}: {row.kinerja} | {row.limit} | {row.ratio}")
        took = time.monotonic() - t0
        for row in rows.values():
            row.note = (
                f"{users} pengguna Locust tanpa jeda, {secs} s per konfigurasi (view bare dan "
                f"campuran, cache hidup lalu mati; seluruh bagian {took:.0f} s), diukur "
                f"bergantian dalam {segmen} segmen bare → campuran dengan gunicorn yang sama dan "
                "digabung (jumlah permintaan ÷ jumlah durasi; persentil dari histogram Locust "
                "gabungan), supaya perubahan kecepatan mesin dari menit ke menit mengenai kedua "
                "sisi; 'segmen' = porsi halaman berat tiap pasangan. Sekitar 1 dari 5 "
                "permintaan menulis: pegawai mengubah baris RHK SKP draf (PATCH API dengan "
                "row_version), penilai memberi umpan balik dan menyetujui SKP anggota timnya yang "
                "diajukan (POST API setujui dengan row_version); admin membuka distribusi, "
                "kelengkapan (penutupan tahun) dan API pegawai. Halaman berat: SKP, evaluasi tim, "
                "distribusi, kelengkapan, API pegawai. 'req/s' halaman berat = jumlah req/s kelima "
                "halaman dalam campuran dibagi req/s view bare (pengguna sama, harness sama, tanpa "
                "tulisan): bagian kapasitas yang dipakai halaman berat; p95 = p95 terburuk kelima "
                "halaman dibagi p95 view bare."
            )

    # -- data -------------------------------------------------------------------------------------
    def _januari_data(self) -> dict[str, Any]:
        from kinerja.models import User

        return januari_data(User.objects.get(pk=self.subjects.admin_user_id))

    def _januari_bare_files(self, gun: Gunicorn, data: dict[str, Any]) -> None:
        """The bare copies of the heavy pages, from this gunicorn (one user's page each)."""
        p, n, a = data["pegawai"][0], data["penilai"][0], data["admin"]["cookie"]
        for key, path, cookie in (
            ("skp", f"/skp/{p['skp']}/", p["cookie"]),
            ("tim", "/evaluasi/tim/", n["cookie"]),
            ("distribusi", "/evaluasi/distribusi/", a),
            ("kelengkapan", "/evaluasi/tutup-tahun/", a),
            ("api", "/api/v1/pegawai/?page_size=200", a),
        ):
            status, body, ctype = gun.get(path, cookie)
            if status != 200:
                raise RuntimeError(f"{path} menjawab HTTP {status}")
            (self.bare_dir / f"{key}.body").write_bytes(body)
            (self.bare_dir / f"{key}.type").write_text(ctype or "text/html; charset=utf-8")

    # -- one Locust run ---------------------------------------------------------------------------
    def _locust(
        self, gun: Any, data: dict, mode: str, users: int, secs: int, log: Path | None = None
    ) -> dict:
        """One Locust run against `gun` (a Gunicorn, or bench.ukur_nginx's nginx in front of
        two); `log`: every request written there (JANUARI_LOG)."""
        with tempfile.TemporaryDirectory(prefix="kinerja-januari-") as tmp:
            d = Path(tmp)
            (d / "data.json").write_text(json.dumps(data))
            if mode == "campuran":
                # Every Locust run starts at the head of the supply: submitted again.
                januari_ajukan(data["setujui"])
            env = _child_env(
                {
                    "JANUARI_DATA": str(d / "data.json"),
                    "JANUARI_OUT": str(d / "cache.json"),
                    "JANUARI_MODE": mode,
                    **({"JANUARI_LOG": str(log)} if log else {}),
                }
            )
            cmd = [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(BASE_DIR / "bench" / "locust_januari.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{secs}s",
                "--host",
                gun.url(""),
                "--csv",
                str(d / "hasil"),
                "--only-summary",
                "--stop-timeout",
                "5",
            ]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.monotonic()
            subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=secs + 120)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall = time.monotonic() - t
            stats = _baca_csv(d / "hasil_stats.csv")
            cache = (
                json.loads((d / "cache.json").read_text()) if (d / "cache.json").exists() else {}
            )
        # The histograms and span Locust kept (locust_januari's test_stop), for pooling.
        got = cache.pop("_locust", None)
        if got:
            stats["_durasi"] = got["durasi"]
            for name, v in got["nama"].items():
                if name in stats:
                    stats[name]["rt"] = {int(k): c for k, c in v["rt"].items()}
        stats["cache"] = cache
        # Locust shares the machine's CPUs with gunicorn: how much of them it took.
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        stats["locust_inti"] = cpu / wall if wall else 0.0
        stats["_cpu"], stats["_wall"] = cpu, wall
        return stats

    def _bergantian(
        self, gun: Any, data: dict, users: int, secs: int, segmen: int
    ) -> tuple[dict, dict]:
        """Bare and mix in `segmen` alternating pairs of secs/segmen each, pooled. One 30 s bare
        run then one 30 s mix run put the ratio at the mercy of the host's speed in two different
        minutes (the same code gave 20 % and 31 %; the bare view alone swung 506–614 req/s within
        one run): alternating puts both sides in the same minutes."""
        per = max(1, round(secs / segmen))
        bare_runs, mix_runs = [], []
        for _ in range(segmen):
            bare_runs.append(self._locust(gun, data, "bare", users, per))
            mix_runs.append(self._locust(gun, data, "campuran", users, per))
        bare, mix = gabung_locust(bare_runs), gabung_locust(mix_runs)
        mix["segmen"] = [
            porsi_berat(m, b) for m, b in zip(mix_runs, bare_runs, strict=True) if "_durasi" in m
        ]
        return bare, mix

    def _januari_row(self, row: Row, mix: dict, bare: dict) -> None:
        agg, bagg = mix["Aggregated"], bare["Aggregated"]
        heavy = [mix[k] for k in HEAVY if k in mix]
        heavy_rps = sum(h["rps"] for h in heavy)
        heavy_p95 = max((h["p95"] for h in heavy), default=0.0)
        hits, miss = mix["cache"].get("hit", 0), mix["cache"].get("miss", 0)
        hit_rate = f"{hits / (hits + miss):.0%}" if hits + miss else "—"
        per_page = [
            f"{k} {h / (h + m):.0%}"
            for k in HEAVY
            if (h := mix["cache"].get(f"{k} hit", 0)) + (m := mix["cache"].get(f"{k} miss", 0))
        ]
        if per_page and hits + miss:
            hit_rate += f" ({', '.join(per_page)})"
        writes = sum(
            v["n"] for k, v in mix.items() if k.endswith("(tulis)") and isinstance(v, dict)
        )
        row.kinerja = (
            f"{agg['rps']:,.0f} req/s, p50/p95/p99 {agg['p50']:.0f}/{agg['p95']:.0f}/"
            f"{agg['p99']:.0f} ms, {agg['fail']} galat dari {agg['n']:,} ({writes:,} tulisan), "
            f"cache hit {hit_rate}; halaman berat {heavy_rps:,.0f} req/s, p95 "
            + ", ".join(f"{k} {mix[k]['p95']:.0f}" for k in HEAVY if k in mix)
            + " ms"
        )
        row.limit = (
            f"view bare {bagg['rps']:,.0f} req/s, p50/p95/p99 {bagg['p50']:.0f}/{bagg['p95']:.0f}/"
            f"{bagg['p99']:.0f} ms"
        )
        share = porsi_berat(mix, bare)
        p95x = heavy_p95 / bagg["p95"] if bagg["p95"] else float("inf")
        row.ratio = f"{share:.0%} req/s, p95 {p95x:.1f}x"
        if len(mix.get("segmen") or ()) > 1:
            row.ratio += " (segmen " + "/".join(f"{x:.0%}" for x in mix["segmen"]) + ")"
        row.ok = agg["fail"] == 0 and share >= 0.30 and p95x <= 5.0
        row.kinerja += (
            f"; Locust sendiri memakai {mix.get('locust_inti', 0):.2f} inti CPU "
            f"(view bare: {bare.get('locust_inti', 0):.2f})"
        )
        lines = ["nama | permintaan | galat | req/s | p50 ms | p95 ms | p99 ms"]
        for name, v in sorted(mix.items()):
            if isinstance(v, dict) and "p50" in v:
                lines.append(
                    f"{name} | {v['n']} | {v['fail']} | {v['rps']:.1f} | {v['p50']:.0f} | "
                    f"{v['p95']:.0f} | {v['p99']:.0f}"
                )
        row.profile = "Locust per permintaan (campuran)\n" + "\n".join(lines)


def porsi_berat(mix: dict, bare: dict) -> float:
    """The heavy pages' requests/s in the mix over the bare view's requests/s."""
    rps = bare.get("Aggregated", {}).get("rps", 0.0)
    return sum(mix[k]["rps"] for k in HEAVY if k in mix) / rps if rps else 0.0


def _persentil(rt: dict[int, int], n: int, p: float) -> float:
    """Locust's own percentile over its response-time histogram
    (locust.stats.calculate_response_time_percentile; not imported: importing locust
    monkey-patches this process with gevent)."""
    want, done = int(n * p), 0
    for ms in sorted(rt, reverse=True):
        done += rt[ms]
        if n - done <= want:
            return float(ms)
    return 0.0


def gabung_locust(runs: list[dict]) -> dict:
    """Several Locust runs of one mode as one: requests and failures summed, requests/s over the
    summed spans, percentiles from the summed histograms, cache counts summed, Locust's CPU over
    the summed wall time. A single run comes back as it is."""
    if len(runs) == 1:
        return runs[0]
    if not all("_durasi" in r for r in runs):
        raise RuntimeError("keluaran Locust tanpa histogram: segmen tidak bisa digabung")
    durasi = sum(r["_durasi"] for r in runs)
    out: dict[str, Any] = {}
    names = {k for r in runs for k, v in r.items() if isinstance(v, dict) and "p50" in v}
    for name in names:
        parts = [r[name] for r in runs if name in r]
        n = sum(v["n"] for v in parts)
        rt: dict[int, int] = {}
        for v in parts:
            for ms, c in (v.get("rt") or {}).items():
                rt[ms] = rt.get(ms, 0) + c
        if name == "Aggregated":
            for r in runs:  # Locust's total histogram is not in its entries: sum the names'
                for k, v in r.items():
                    if k != "Aggregated" and isinstance(v, dict) and "rt" in v:
                        for ms, c in v["rt"].items():
                            rt[ms] = rt.get(ms, 0) + c
        out[name] = {
            "n": n,
            "fail": sum(v["fail"] for v in parts),
            "rps": n / durasi if durasi else 0.0,
            "p50": _persentil(rt, n, 0.50),
            "p95": _persentil(rt, n, 0.95),
            "p99": _persentil(rt, n, 0.99),
            "rt": rt,
        }
    cache: dict[str, int] = {}
    for r in runs:
        for k, v in r.get("cache", {}).items():
            cache[k] = cache.get(k, 0) + v
    out["cache"] = cache
    wall = sum(r.get("_wall", 0.0) for r in runs)
    out["locust_inti"] = sum(r.get("_cpu", 0.0) for r in runs) / wall if wall else 0.0
    out["_durasi"] = durasi
    return out


def _baca_csv(path: Path) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}

    def ms(v: str) -> float:
        # Locust writes N/A for a percentile of a name with no timed request (a short segment)
        return float(v) if v and v != "N/A" else 0.0

    with path.open() as f:
        for r in csv.DictReader(f):
            out[r["Name"]] = {
                "n": int(r["Request Count"]),
                "fail": int(r["Failure Count"]),
                "rps": ms(r["Requests/s"]),
                "p50": ms(r["50%"]),
                "p95": ms(r["95%"]),
                "p99": ms(r["99%"]),
            }
    if "Aggregated" not in out:
        raise RuntimeError("keluaran Locust tidak terbaca")
    return out


def januari_data(admin: Any) -> dict[str, Any]:
    """Who the Locust users of the January mix are (also `make load LOAD_SCENARIO=januari`):
    two pegawai with a current SKP (set to draft, so they may edit it) and one penilai with
    a team from every instansi, and the admin; session cookies and API tokens made here.
    `setujui`: [penilai token, SKP id] pairs, the other team members' current SKPs, submitted
    (januari_ajukan) so that penilai may approve them, instansi after instansi in turn."""
    from django.apps import apps
    from rest_framework.authtoken.models import Token

    from kinerja.models import Pegawai

    SKP = apps.get_model("skp.SKP")
    RHK = apps.get_model("skp.RencanaHasilKerja")

    def token(user) -> str:
        return Token.objects.get_or_create(user=user)[0].key

    # A province in January: users of every instansi (one instansi's writes end only its
    # own cached pages), a few per instansi.
    inst_ids = list(Pegawai.objects.order_by().values_list("instansi_id", flat=True).distinct())
    pegawai = []
    skps = []
    for inst in inst_ids:
        skps += list(
            SKP.objects.filter(terkini=True, pegawai__instansi_id=inst, pegawai__user__isnull=False)
            .exclude(pegawai__pejabat_penilai__isnull=True)
            .select_related("pegawai__user")
            .order_by("pk")[:2]
        )
    for skp in skps:
        rhk = RHK.objects.filter(skp=skp).order_by("urutan", "pk").first()
        if rhk is None:
            continue
        SKP.objects.filter(pk=skp.pk).update(status=SKP.Status.DRAFT)
        user = skp.pegawai.user
        pegawai.append(
            {
                "skp": skp.pk,
                "rhk": rhk.pk,
                "cookie": _session_cookie(user),
                "token": token(user),
            }
        )
    penilai = []
    leaders = []
    for inst in inst_ids:
        leaders += list(
            Pegawai.objects.filter(instansi_id=inst, user__isnull=False, dinilai_set__isnull=False)
            .distinct()
            .select_related("user")
            .order_by("pk")[:1]
        )
    for boss in leaders:
        tim = list(
            Pegawai.objects.filter(pejabat_penilai=boss)
            .order_by()
            .values_list("pk", flat=True)[:20]
        )
        if tim:
            penilai.append(
                {"cookie": _session_cookie(boss.user), "token": token(boss.user), "tim": tim}
            )
    if not pegawai or not penilai:
        raise RuntimeError("tidak ada pegawai/penilai untuk campuran")
    setujui = _persediaan_setujui(inst_ids, {p["skp"] for p in pegawai}, token)
    januari_ajukan(setujui)
    return {
        "pegawai": pegawai,
        "penilai": penilai,
        "setujui": setujui,
        "admin": {"cookie": _session_cookie(admin)},
        "bare": list(HEAVY),
    }


def _persediaan_setujui(inst_ids: list[int], skip: set[int], token: Any) -> list[list]:
    """[penilai token, SKP id] for up to SETUJUI_PER_INSTANSI current SKPs per instansi (the
    teams of its largest penilai first), interleaved across instansi; `skip`: SKPs the pegawai
    users edit. Sized for a run: ~300 approvals per 30 s with 10 users, 40 instansi × 40."""
    from django.apps import apps
    from django.db.models import Count

    from kinerja.models import Pegawai, Periode

    SKP = apps.get_model("skp.SKP")
    OPEN = [s for s in Periode.Status.values if s != Periode.Status.DITUTUP]
    per_inst = []
    for inst in inst_ids:
        pairs: list[list] = []
        bosses = (
            Pegawai.objects.filter(instansi_id=inst, user__isnull=False)
            .annotate(n=Count("dinilai_set"))
            .filter(n__gt=0)
            .select_related("user")
            .order_by("-n", "pk")[:10]
        )
        for boss in bosses:
            left = SETUJUI_PER_INSTANSI - len(pairs)
            if left <= 0:
                break
            ids = (
                SKP.objects.filter(
                    terkini=True,
                    berlaku_sampai__isnull=True,
                    # Approving in a closed period is refused (skp_setujui).
                    periode__status__in=OPEN,
                    pegawai__pejabat_penilai=boss,
                )
                .exclude(pk__in=skip)
                .order_by("pk")
                .values_list("pk", flat=True)[:left]
            )
            key = token(boss.user)
            pairs += [[key, pk] for pk in ids]
        per_inst.append(pairs)
    return [p for row in itertools.zip_longest(*per_inst) for p in row if p is not None]


def januari_ajukan(setujui: list[list]) -> None:
    """Set the supply's SKPs to submitted to their pegawai's current penilai, as skp_ajukan does
    (bench setup: the pegawai did so in January); row_version moves, so a cached page is stale.
    The penilai's approvals of an earlier run are revoked, as a return to the pegawai revokes
    them: a submitted SKP never has a standing penilai approval, so setujui writes its approval
    in every run as it does for users (without this it found one and wrote nothing)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F, OuterRef, Subquery
    from django.utils import timezone

    SKP = apps.get_model("skp.SKP")
    Pegawai = apps.get_model("kinerja.Pegawai")
    boss = Pegawai.objects.filter(pk=OuterRef("pegawai_id"))
    ids = [pk for _, pk in setujui]
    for i in range(0, len(ids), 1000):
        SKP.objects.filter(pk__in=ids[i : i + 1000]).update(
            status=SKP.Status.DIAJUKAN,
            diajukan_pada=timezone.now(),
            disetujui_pada=None,
            pejabat_penilai_id=Subquery(boss.values("pejabat_penilai_id")[:1]),
            atasan_pejabat_penilai_id=Subquery(boss.values("atasan_pejabat_penilai_id")[:1]),
            row_version=F("row_version") + 1,
        )
    Persetujuan = apps.get_model("kinerja.PersetujuanElektronik")
    ct = ContentType.objects.get_for_model(SKP)
    for i in range(0, len(ids), 1000):
        Persetujuan.objects.filter(
            content_type=ct, object_id__in=ids[i : i + 1000], dicabut__isnull=True
        ).exclude(peran=Persetujuan.Peran.PEGAWAI).update(
            dicabut=timezone.now(), alasan_dicabut="Bench: SKP diajukan ulang"
        )
