"""50 simulated users (pegawai, penilai, admin) and one attacker against gunicorn on loopback.

Run by `make load` (tests/security/load/run.sh). Each user logs in through the API token
endpoint (and the login page for HTML), reads its pages and lists, and penilai write: feedback
(POST umpan-balik) and ratings (PATCH evaluasi with row_version). Every successful write is
counted; run.sh then checks the database holds exactly that many new rows.

Behind a proxy, as deployed: gunicorn trusts one hop (KINERJA_PROXY_HOPS=1) and every request
carries the X-Forwarded-For nginx would add, one client address per simulated user, except
that every tenth user shares the attacker's address (a shared NAT). The attacker fails logins
all the time (unknown usernames, and wrong passwords for a real account that simulated users
also sign in to), on the page and the token endpoint, with a spoofed entry in front of its
address. Lockout is on (django-axes): every other user must keep working (0 failures).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_DATA"]) as _f:
    DATA = json.load(_f)
OUT = os.environ["LOAD_OUT"]
COUNTS = {"umpan_balik": 0, "evaluasi": 0, "refused_stale": 0, "serangan": 0, "serangan_429": 0}
_lock = threading.Lock()
_penilai = itertools.cycle(DATA["penilai"])
_pegawai = itertools.cycle(DATA["pegawai"])
_admin = itertools.cycle(DATA["admin"])
RATINGS = ["dibawah_ekspektasi", "sesuai_ekspektasi", "diatas_ekspektasi"]
ALAMAT_PENYERANG = "203.0.113.66"  # documentation range: a header value, never a target
_nomor = itertools.count(1)


def count(key: str) -> None:
    with _lock:
        COUNTS[key] += 1


@events.test_stop.add_listener
def _write_counts(**kwargs):
    with open(OUT, "w") as f:
        json.dump(COUNTS, f)


def alamat_berikut() -> str:
    """The client address nginx would put last in X-Forwarded-For for the next user."""
    n = next(_nomor)
    if n % 10 == 0:
        return ALAMAT_PENYERANG  # behind the same NAT as the attacker
    return f"198.51.{100 + n // 250}.{n % 250 + 1}"


class Base(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    username = ""

    def on_start(self):
        self.client.headers["X-Forwarded-For"] = alamat_berikut()

    def login(self, username: str) -> None:
        self.username = username
        r = self.client.post(
            "/api/v1/auth/token/",
            json={"username": username, "password": DATA["password"]},
            name="/api/v1/auth/token/",
        )
        self.api = {"Authorization": f"Token {r.json().get('token', '')}"}
        page = self.client.get("/masuk/", name="/masuk/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/masuk/",
            data={
                "username": username,
                "password": DATA["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/masuk/"},
            name="/masuk/ POST",
        )

    def get_api(self, path: str, name: str | None = None):
        return self.client.get(path, headers=self.api, name=name or path)


class Pegawai(Base):
    weight = 5

    def on_start(self):
        super().on_start()
        username = next(_pegawai)
        if username == DATA["pegawai"][0] and self.client.headers["X-Forwarded-For"] == (
            ALAMAT_PENYERANG
        ):
            # That account from the attacker's own address is the one pair the attack locks,
            # by design; everyone else, that account elsewhere included, must keep working.
            username = next(_pegawai)
        self.login(username)

    @task(3)
    def beranda(self):
        self.client.get("/", name="/ (beranda)")

    @task(2)
    def skp_page(self):
        self.client.get("/skp/", name="/skp/")

    @task(2)
    def umpan_balik_page(self):
        self.client.get("/dialog/umpan-balik/", name="/dialog/umpan-balik/")

    @task(3)
    def api_lists(self):
        self.get_api("/api/v1/skp/")
        self.get_api("/api/v1/umpan-balik/")
        self.get_api("/api/v1/notifikasi/belum-dibaca/")


class Penilai(Base):
    weight = 3

    def on_start(self):
        super().on_start()
        self.me = next(_penilai)
        self.login(self.me["username"])

    @task(3)
    def give_feedback(self):
        with self.client.post(
            "/api/v1/umpan-balik/",
            headers=self.api,
            name="/api/v1/umpan-balik/ POST",
            json={
                "penerima": random.choice(self.me["pegawai"]),
                "jenis": "apresiasi",
                "isi": "Terima kasih atas kerja yang rapi minggu ini.",
            },
            catch_response=True,
        ) as r:
            if r.status_code == 201:
                count("umpan_balik")
                r.success()
            else:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(3)
    def rate(self):
        if not self.me["evaluasi"]:
            return
        pk = random.choice(self.me["evaluasi"])
        ev = self.get_api(f"/api/v1/evaluasi/{pk}/", name="/api/v1/evaluasi/[id]/")
        if ev.status_code != 200:
            return
        with self.client.patch(
            f"/api/v1/evaluasi/{pk}/",
            headers=self.api,
            name="/api/v1/evaluasi/[id]/ PATCH",
            json={
                "rating_hasil_kerja": random.choice(RATINGS),
                "rating_perilaku_kerja": random.choice(RATINGS),
                "alasan_ubah_rating": "Sesuai catatan dialog kinerja",
                "row_version": ev.json().get("row_version"),
            },
            catch_response=True,
        ) as r:
            if r.status_code == 200:
                count("evaluasi")
                r.success()
            elif r.status_code in (400, 409) and "diubah oleh" in r.text:
                count("refused_stale")  # another of this penilai's sessions saved first
                r.success()
            else:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(2)
    def pages(self):
        self.client.get("/evaluasi/tim/", name="/evaluasi/tim/")
        self.client.get("/skp/persetujuan/", name="/skp/persetujuan/")


class Admin(Base):
    weight = 2

    def on_start(self):
        super().on_start()
        self.login(next(_admin))

    @task(2)
    def organisasi(self):
        self.client.get("/organisasi/", name="/organisasi/")

    @task(2)
    def pegawai_api(self):
        self.get_api(f"/api/v1/pegawai/?page={random.randint(1, 3)}", name="/api/v1/pegawai/")

    @task(1)
    def distribusi(self):
        self.client.get("/evaluasi/distribusi/", name="/evaluasi/distribusi/")


class Penyerang(HttpUser):
    """One client guessing passwords without pause, behind the proxy like everyone else."""

    fixed_count = 1
    wait_time = between(0.05, 0.2)

    def on_start(self):
        self.n = 0
        # The client writes what it likes in front; nginx appends the real address.
        self.client.headers["X-Forwarded-For"] = f"10.9.8.7, {ALAMAT_PENYERANG}"

    def _tebakan(self) -> str:
        self.n += 1
        # Mostly the first real pegawai (an account simulated users sign in to from elsewhere),
        # so its (account, address) pair locks within a few attempts; and unknown usernames.
        return f"tidak-ada-{self.n % 50}" if self.n % 3 == 0 else DATA["pegawai"][0]

    def _catat(self, r) -> None:
        count("serangan")
        if r.status_code == 429:
            count("serangan_429")
            r.success()
        elif r.status_code in (200, 400):  # the form again / "wrong password"
            r.success()
        else:
            r.failure(f"attacker got {r.status_code}")

    @task(1)
    def token(self):
        with self.client.post(
            "/api/v1/auth/token/",
            json={"username": self._tebakan(), "password": "tebakan-salah"},
            name="(penyerang) /api/v1/auth/token/",
            catch_response=True,
        ) as r:
            self._catat(r)

    @task(1)
    def halaman(self):
        page = self.client.get("/masuk/", name="(penyerang) /masuk/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/masuk/",
            data={
                "username": self._tebakan(),
                "password": "tebakan-salah",
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/masuk/"},
            name="(penyerang) /masuk/ POST",
            catch_response=True,
        ) as r:
            self._catat(r)
