"""Rows of the pages (wrk under gunicorn against a bare view) and of queries per page at 5 and
500 rows; a page that misses its goal is profiled.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

from bench.basis_data import _user_of
from bench.dasar import Row, _trim, rolled_back
from bench.proses import Gunicorn, _session_cookie, wrk


class HalamanMixin:
    """Part of Bench (bench.runner): Rows of the pages (wrk under gunicorn against a bare view) and of quer"""

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
        # The same URL again and again with nothing written: cache hits. Reported, not judged:
        # a goal is judged only under the January mix (its reads and writes), bench.ukur_januari.
        rows = {
            key: self.row(
                key,
                f"{label}, hit cache tanpa tulisan",
                "dilaporkan (sasaran: baris Campuran Januari)",
            )
            for key, label, _p, _u in specs
        }
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

    def _bare_siapkan(
        self, gun: Gunicorn, row: Row, key: str, path: str | None, user
    ) -> tuple[str, bytes, str] | None:
        """Fetch the page once as the user and keep its bytes for the bare view that answers
        them (bench.urls); None (the row says why) when there is no page to measure."""
        if path is None or user is None:
            row.belum("halaman/URL belum ada")
            return None
        cookie = _session_cookie(user)
        status, body, ctype = gun.get(path, cookie)
        if status != 200:
            row.belum(f"halaman menjawab HTTP {status}")
            return None
        (self.bare_dir / f"{key}.body").write_bytes(body)
        (self.bare_dir / f"{key}.type").write_text(ctype or "text/html; charset=utf-8")
        return cookie, body, f"/__bench__/bare/{key}/"

    def _page(self, gun: Gunicorn, row: Row, key: str, path: str | None, user) -> None:
        siap = self._bare_siapkan(gun, row, key, path, user)
        if siap is None:
            return
        cookie, body, bare_path = siap
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
        row.ok = None

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

    # -- 2b. pages without any response cache ---------------------------------------------------
    def pages_uncached(self) -> None:
        """Median wall time of each page under a gunicorn with the page cache off
        (KINERJA_HALAMAN_DETIK=0), requests one at a time, against the bare view returning the
        same bytes under the same gunicorn: what every user pays once data changes."""
        specs = self._page_specs()
        rows = {
            key: self.row(f"{key}_tanpa_cache", f"{label} tanpa cache halaman", "median ≤ 5 ms")
            for key, label, _p, _u in specs
        }
        try:
            gun = Gunicorn(self.bare_dir, workers=1, env={"KINERJA_HALAMAN_DETIK": "0"})
        except Exception as exc:
            for r in rows.values():
                r.belum(f"gunicorn gagal: {exc}")
            return
        # The floor: the lightest page a signed-in user can open (the password form: the menu,
        # session, user and one form, no data of the cycle), measured the same way. It says
        # what the 5 ms goal leaves for a page's own work on this machine.
        owner = next((u for k, _l, _p, u in specs if k == "skp"), None)
        lantai = self.row(
            "lantai_tanpa_cache",
            "Halaman paling ringan (ganti sandi) tanpa cache halaman: lantai",
            "dilaporkan (acuan)",
        )
        try:
            for key, _label, path, user in specs:
                self.guard(
                    rows[key],
                    lambda row, k=key, p=path, u=user: self._page_uncached(gun, row, k, p, u),
                )
            self.guard(
                lantai,
                lambda row: self._page_uncached(gun, row, "lantai", "/sandi/", owner, goal=False),
            )
        finally:
            gun.stop()

    def _page_uncached(
        self, gun: Gunicorn, row: Row, key: str, path: str | None, user, goal: bool = True
    ) -> None:
        siap = self._bare_siapkan(gun, row, key, path, user)
        if siap is None:
            return
        cookie, body, bare_path = siap
        n = int(os.environ.get("BENCH_UNCACHED_N") or 60)

        def median(p: str) -> float:
            for _ in range(5):
                gun.get(p, cookie)
            times = []
            for _ in range(n):
                t = time.perf_counter()
                st, _b, _c = gun.get(p, cookie)
                times.append(time.perf_counter() - t)
                if st != 200:
                    raise RuntimeError(f"{p} menjawab HTTP {st}")
            return statistics.median(times) * 1000

        page_ms, bare_ms = median(path), median(bare_path)
        row.kinerja = f"median {page_ms:.1f} ms ({n} permintaan berurutan, cache halaman mati)"
        row.limit = f"view bare {bare_ms:.1f} ms ({len(body) / 1024:.0f} KiB)"
        row.ratio = f"{page_ms / bare_ms:.1f}x view bare" if bare_ms else ""
        if not goal:
            return
        row.ok = page_ms <= 5.0
        if self.opts.profile and not row.ok:
            row.profile = self._cprofile_page(path, user)

    def _cprofile_page(self, path: str, user, n: int = 20) -> str:
        """cProfile of n renders of the page in-process, cache off: the top functions by
        cumulative and by own time."""
        import cProfile
        import io
        import pstats

        from django.test import Client
        from django.test.utils import override_settings

        client = Client()
        client.force_login(user)
        with override_settings(KINERJA_HALAMAN_DETIK=0, ALLOWED_HOSTS=["*"]):
            if client.get(path).status_code != 200:
                return "(profil gagal: halaman tidak menjawab 200 di dalam proses bench)"
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(n):
                client.get(path)
            prof.disable()
        out = io.StringIO()
        st = pstats.Stats(prof, stream=out)
        st.sort_stats("cumulative").print_stats(25)
        st.sort_stats("tottime").print_stats(15)
        return f"cProfile — {n}x GET {path} (cache halaman mati)\n" + _trim(out.getvalue(), 80)

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
