"""Row of the crawl: every page four personas reach from their home, at province scale, without
the page cache, in-process. The four measured pages are the ones we know; this row finds the
ones nobody measured (a 6.7 s, 5 MB follow-up page and a 530 KB admin home were found so).
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from typing import Any

from bench.basis_data import _user_of
from bench.dasar import Row

GOAL = "setiap halaman ≤ 1 s dan ≤ 500 KiB"
BATAS_MS = 1000.0
BATAS_KIB = 500.0
# Not pages: leaving, the admin, files, exports, documents (own rows measure the PDFs).
LEWATI = re.compile(
    r"^/(keluar|admin|static|media|api/v1/(docs|schema))|\.(pdf|xlsx|zip|csv)\b"
    r"|ekspor|unduh|format=|/latar/"
)
TAUTAN = re.compile(r'href="(/[^"#]*)"')


def tautan(html: str) -> Iterator[str]:
    """The site's own links of a page, once each, in page order, without what is not a page."""
    seen: set[str] = set()
    for h in TAUTAN.findall(html):
        h = h.replace("&amp;", "&")
        if h not in seen and not LEWATI.search(h):
            seen.add(h)
            yield h


class JelajahMixin:
    """Part of Bench (bench.runner): the slowest and the largest pages of a crawl per persona."""

    def jelajah_row(self, row: Row) -> None:
        import os

        from django.test import Client
        from django.test.utils import override_settings

        from kinerja.models import User

        s = self.subjects
        personas: dict[str, Any] = {
            "admin instansi": User.objects.get(pk=s.admin_user_id),
            f"penilai {s.big_team} orang": _user_of(s.big_leader_id),
            f"penilai {s.typical_team} orang": _user_of(s.typical_leader_id),
            "pegawai": User.objects.get(pk=s.skp_owner_user_id),
        }
        per = int(os.environ.get("BENCH_JELAJAH_HALAMAN") or 60)
        hasil: list[tuple[float, int, str, str, int]] = []
        with override_settings(KINERJA_HALAMAN_DETIK=0, ALLOWED_HOSTS=["*"]):
            for nama, user in personas.items():
                c = Client()
                c.force_login(user)
                antre, dilihat = ["/"], set()
                while antre and len(dilihat) < per:
                    url = antre.pop(0)
                    if url in dilihat:
                        continue
                    dilihat.add(url)
                    r = c.get(url)
                    if r.status_code == 200:
                        # The second request: a process that served the page once (templates
                        # compiled, menu facts cached), as users meet it.
                        t = time.perf_counter()
                        r = c.get(url)
                        ms = (time.perf_counter() - t) * 1000
                    else:
                        ms = 0.0
                    body = r.content if not r.streaming else b""
                    hasil.append((ms, len(body), nama, url, r.status_code))
                    if r.status_code == 200 and "html" in r.get("Content-Type", ""):
                        antre.extend(h for h in tautan(body.decode()) if h not in dilihat)
        galat = [h for h in hasil if h[4] >= 500]
        lambat = max(hasil)
        besar = max(hasil, key=lambda h: h[1])
        median = statistics.median(h[0] for h in hasil)
        row.kinerja = (
            f"{len(hasil)} halaman dari {len(personas)} persona, median {median:.0f} ms; "
            f"paling lambat {lambat[0]:.0f} ms ({lambat[2]}: {lambat[3]}); "
            f"paling besar {besar[1] / 1024:.0f} KiB ({besar[2]}: {besar[3]}); "
            f"{len(galat)} galat 5xx"
        )
        row.limit = f"{BATAS_MS:.0f} ms, {BATAS_KIB:.0f} KiB per halaman"
        row.ratio = f"{lambat[0] / BATAS_MS:.2f}x batas waktu, {besar[1] / 1024 / BATAS_KIB:.2f}x batas ukuran"
        row.ok = not galat and lambat[0] <= BATAS_MS and besar[1] / 1024 <= BATAS_KIB
        teratas = sorted(hasil, reverse=True)[:15]
        row.profile = "Jelajah tanpa cache halaman: 15 halaman paling lambat\n" + "\n".join(
            f"{ms:8.0f} ms {b / 1024:7.0f} KiB  HTTP {st}  {nama:22s} {url}"
            for ms, b, nama, url, st in teratas
        )
        row.note = (
            f"Jelajah in-process (Client Django, seluruh middleware, cache halaman mati; waktu "
            "permintaan kedua tiap halaman): dari "
            f"beranda tiap persona mengikuti tautan situs sendiri, sampai {per} halaman per "
            "persona; berkas, ekspor dan admin Django tidak dihitung. Waktu di mesin yang sama "
            "dengan baris lain; daftar halaman paling lambat ada di profil."
        )
