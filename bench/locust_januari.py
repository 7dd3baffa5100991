"""Locust users of the January mix (bench.ukur_januari): a province drafting SKPs at once.

JANUARI_MODE=campuran: pegawai open their SKP page and edit a row of their draft (PATCH through
the API, with row_version), penilai open the team evaluation page, give feedback (POST) and
approve their team members' submitted SKPs (POST setujui, with row_version; the supply is
DATA["setujui"], shared by all penilai users, each SKP taken once), admins open the
distribution page, the year's completeness page (penutupan tahun: who has no approved SKP or
no final evaluation yet) and the pegawai API list: about one request in five writes.
JANUARI_MODE=bare: the same number of users asking the bare copies of the five heavy pages.
Users wait 0 s between requests (the server is saturated: requests/s is its capacity). Every
page answer's X-Kinerja-Cache header is counted (hit/miss) into JANUARI_OUT at the end, with
each request name's response-time histogram (bench.ukur_januari pools runs with it); with
JANUARI_LOG set, every request is logged there too (bench.ukur_nginx).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import uuid

from locust import HttpUser, constant, events, task

with open(os.environ["JANUARI_DATA"]) as _f:
    DATA = json.load(_f)
MODE = os.environ.get("JANUARI_MODE", "campuran")
_lock = threading.Lock()
CACHE: dict[str, int] = {"hit": 0, "miss": 0, "tanpa": 0}
_pegawai = itertools.cycle(DATA["pegawai"])
_penilai = itertools.cycle(DATA["penilai"])
# [penilai token, SKP id]: each submitted SKP approved once, by its own penilai.
_setujui = iter(DATA.get("setujui", []))


@events.test_stop.add_listener
def _tulis(environment, **kwargs):
    # Besides the cache counts, what Locust already keeps per request name (its response-time
    # histogram and the run's span), so bench.ukur_januari can pool alternating runs exactly,
    # without a per-request log that would cost this process CPU in the bare run more than in
    # the mix.
    stats = environment.stats
    total = stats.total
    out = dict(CACHE)
    out["_locust"] = {
        "durasi": max(0.0, (total.last_request_timestamp or 0) - (total.start_time or 0)),
        "nama": {
            name: {
                "n": e.num_requests,
                "fail": e.num_failures,
                "rt": {str(k): v for k, v in e.response_times.items()},
            }
            for (name, _method), e in stats.entries.items()
        },
    }
    with open(os.environ["JANUARI_OUT"], "w") as f:
        json.dump(out, f)


# JANUARI_LOG (bench.ukur_nginx): every request, one JSON line, with nginx's request id, so a
# failed request can be found in nginx's access log (which upstream, when it started and ended).
if os.environ.get("JANUARI_LOG"):
    _log = open(os.environ["JANUARI_LOG"], "w", buffering=1)  # noqa: SIM115 (the run's length)

    @events.request.add_listener
    def _log_permintaan(request_type, name, response_time, response, exception, **kw):
        headers = getattr(response, "headers", None) or {}
        _log.write(
            json.dumps(
                {
                    "mulai": kw.get("start_time"),
                    "ms": response_time,
                    "nama": name,
                    "metode": request_type,
                    "status": getattr(response, "status_code", 0) or 0,
                    "galat": str(exception)[:200] if exception else None,
                    "id": (kw.get("context") or {}).get("bench_id") or headers.get("X-Request-Id"),
                }
            )
            + "\n"
        )


def _catat(r, name: str) -> None:
    state = r.headers.get("X-Kinerja-Cache", "tanpa")
    with _lock:
        CACHE[state] = CACHE.get(state, 0) + 1
        CACHE[f"{name} {state}"] = CACHE.get(f"{name} {state}", 0) + 1  # per page


class _Base(HttpUser):
    abstract = True
    wait_time = constant(0)

    if os.environ.get("JANUARI_LOG"):

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # Every request carries an id made here (X-Bench-Id, logged by nginx and in
            # JANUARI_LOG): a request whose answer never arrived is still found in nginx's log.
            asli = self.client.request

            def request(method, url, *a, **kw):
                bid = uuid.uuid4().hex
                kw["headers"] = {**(kw.get("headers") or {}), "X-Bench-Id": bid}
                kw["context"] = {**(kw.get("context") or {}), "bench_id": bid}
                return asli(method, url, *a, **kw)

            self.client.request = request

    def page(self, path: str, cookie: str, name: str) -> None:
        with self.client.get(path, headers={"Cookie": cookie}, name=name, catch_response=True) as r:
            if r.status_code == 200:
                _catat(r, name)
                r.success()
            elif r.status_code:
                r.failure(f"HTTP {r.status_code}")
            else:  # no answer at all: say what cut it
                r.failure(f"tanpa jawaban: {getattr(r, 'error', None)!r}"[:200])


if MODE == "bare":

    class Bare(_Base):
        @task
        def bare(self):
            key = random.choice(DATA["bare"])
            self.page(f"/__bench__/bare/{key}/", DATA["admin"]["cookie"], f"bare {key}")

else:

    class Pegawai(_Base):
        weight = 5

        def on_start(self):
            self.me = next(_pegawai)
            self.api = {"Authorization": f"Token {self.me['token']}"}

        @task(3)
        def skp(self):
            self.page(f"/skp/{self.me['skp']}/", self.me["cookie"], "skp")

        @task(1)
        def ubah_rhk(self):
            url = f"/api/v1/rencana-hasil-kerja/{self.me['rhk']}/"
            got = self.client.get(url, headers=self.api, name="rhk GET")
            if got.status_code != 200:
                return
            with self.client.patch(
                url,
                headers=self.api,
                name="rhk PATCH (tulis)",
                json={
                    "rencana": f"Rencana hasil kerja diperbarui {random.randint(1, 10**6)}",
                    "row_version": got.json().get("row_version"),
                },
                catch_response=True,
            ) as r:
                # Another session of the same pegawai saved first: refused with the row version
                # (400/409, "diubah oleh"), nothing lost: not a failure.
                if r.status_code == 200 or (
                    r.status_code in (400, 409) and "diubah oleh" in r.text
                ):
                    r.success()
                else:
                    r.failure(f"{r.status_code} {r.text[:200]}")

    class Penilai(_Base):
        weight = 3

        def on_start(self):
            self.me = next(_penilai)
            self.api = {"Authorization": f"Token {self.me['token']}"}

        @task(3)
        def tim(self):
            self.page("/evaluasi/tim/", self.me["cookie"], "tim")

        @task(1)
        def umpan_balik(self):
            with self.client.post(
                "/api/v1/umpan-balik/",
                headers=self.api,
                name="umpan-balik POST (tulis)",
                json={
                    "penerima": random.choice(self.me["tim"]),
                    "jenis": "apresiasi",
                    "isi": "Terima kasih atas rencana yang rapi.",
                },
                catch_response=True,
            ) as r:
                if r.status_code == 201:
                    r.success()
                else:
                    r.failure(f"{r.status_code} {r.text[:200]}")

        @task(1)
        def setujui(self):
            with _lock:
                nxt = next(_setujui, None)
            if nxt is None:
                # Supply used up (sized for the bench's run; `make load` may run longer): the
                # penilai's other write instead, so the share of writes holds.
                return self.umpan_balik()
            api = {"Authorization": f"Token {nxt[0]}"}
            got = self.client.get(f"/api/v1/skp/{nxt[1]}/", headers=api, name="skp GET")
            if got.status_code != 200:
                return
            with self.client.post(
                f"/api/v1/skp/{nxt[1]}/setujui/",
                headers=api,
                name="skp setujui POST (tulis)",
                json={"row_version": got.json().get("row_version")},
                catch_response=True,
            ) as r:
                if r.status_code == 200:
                    r.success()
                else:
                    r.failure(f"{r.status_code} {r.text[:200]}")

    class Admin(_Base):
        weight = 2

        @task(1)
        def distribusi(self):
            self.page("/evaluasi/distribusi/", DATA["admin"]["cookie"], "distribusi")

        @task(1)
        def kelengkapan(self):
            self.page("/evaluasi/tutup-tahun/", DATA["admin"]["cookie"], "kelengkapan")

        @task(1)
        def api(self):
            self.page("/api/v1/pegawai/?page_size=200", DATA["admin"]["cookie"], "api")
