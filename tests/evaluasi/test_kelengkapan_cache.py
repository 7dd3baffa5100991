"""The completeness page (`/evaluasi/tutup-tahun/`) behind the page cache (kinerja.cache_halaman).

A write that changes what the page shows (SKP states, evaluations, kinerja organisasi, keberatan,
who was rated by whom that year, the period, the close's own rows) is never served stale: after
each one, the page served equals a render without the cache. A write in another instansi leaves
the page served from the cache, and a close whose job has not succeeded is never stored (a job's
progress follows no version). tests/kinerja/test_cache_versi_skp.py checks mechanically that
every table the page reads is followed by a version it reads.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from kinerja import cache_halaman
from kinerja.cache_halaman import HEADER
from tests.evaluasi.conftest import final, ko, skp_disetujui
from tests.kinerja.cache_bantu import commit as _commit

pytestmark = pytest.mark.django_db

_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


@pytest.fixture
def on(settings):
    """Page cache on, as in production; the tests' locmem cache stands in for Redis."""
    from django.core.cache import cache

    cache.clear()
    cache_halaman._dugaan.clear()
    settings.KINERJA_HALAMAN_DETIK = 120
    return cache


def _klien(user) -> Client:
    c = Client()
    c.force_login(user)
    c.get(reverse("notifikasi_list"))  # the CSRF cookie a signed-in browser has
    return c


def _url(org) -> str:
    return reverse("evaluasi:tutup_tahun") + f"?tahun={org.periode_a.tahun}"


def _get(c: Client, url: str):
    r = c.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r


def _isi(r) -> str:
    return _CSRF.sub(r"\1-", r.content.decode())


def _segar(c: Client, url: str, settings) -> str:
    """The page as rendered without the cache (the oracle)."""
    settings.KINERJA_HALAMAN_DETIK = 0
    try:
        return _isi(_get(c, url))
    finally:
        settings.KINERJA_HALAMAN_DETIK = 120


def _hangat(c: Client, url: str) -> None:
    """Stored under the page's own versions, and served from the cache."""
    _get(c, url)
    cache_halaman.versi_naik({cache_halaman.cakupan_mod.SEMUA})  # first render read SEMUA
    _get(c, url)
    assert _get(c, url)[HEADER] == "hit"


def test_every_change_the_page_shows_ends_it(org, on, settings, django_capture_on_commit_callbacks):
    from evaluasi import services
    from kinerja.models import MasaPenilai, Periode

    cap = django_capture_on_commit_callbacks
    admin, url = _klien(org.admin_a), _url(org)
    tahun = org.periode_a.tahun
    ev = {}

    def keberatan():
        ev["k"] = services.keberatan_ajukan(
            user=org.pegawai.user, evaluasi=ev["pegawai"], alasan="Capaian saya di atas target."
        )

    changes = [
        ("SKP disetujui", lambda: skp_disetujui(org.rekan, org.periode_a)),
        ("evaluasi final", lambda: ev.update(pegawai=final(org, "pegawai"))),
        ("kinerja organisasi", lambda: ko(org, org.unit_bidang, "baik")),
        ("keberatan diajukan", keberatan),
        (
            "masa penilai tahun depan",
            lambda: MasaPenilai.objects.filter(pegawai=org.fungsional).update(
                mulai=dt.date(tahun + 1, 2, 1)
            ),
        ),
        (
            "status periode",
            lambda: Periode.objects.filter(pk=org.periode_a.pk).update(status="evaluasi"),
        ),
    ]
    shown = 0
    for what, write in changes:
        _hangat(admin, url)
        before = _isi(_get(admin, url))
        _commit(cap, write)
        r = _get(admin, url)
        fresh = _segar(admin, url, settings)
        assert _isi(r) == fresh, f"{what}: served stale ({r[HEADER]})"
        shown += fresh != before
    assert shown == len(changes)  # each write did change the page: the check can fail


def test_a_write_in_another_instansi_leaves_it_cached(
    org, on, settings, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    admin, url = _klien(org.admin_a), _url(org)
    other = _klien(org.admin_b)
    url_b = reverse("evaluasi:tutup_tahun") + f"?tahun={org.periode_b.tahun}"
    _hangat(admin, url)
    _hangat(other, url_b)
    _commit(cap, lambda: skp_disetujui(org.pegawai_b, org.periode_b))
    assert _get(admin, url)[HEADER] == "hit"
    r = _get(other, url_b)
    assert r[HEADER] == "miss" and _isi(r) == _segar(other, url_b, settings)
    assert org.pegawai_b.nama not in _isi(_get(admin, url))


def test_a_close_under_way_is_never_stored(org, on, settings, django_capture_on_commit_callbacks):
    from evaluasi import services
    from kinerja.models import Job

    cap = django_capture_on_commit_callbacks
    admin, url = _klien(org.admin_a), _url(org)
    _hangat(admin, url)
    pen = _commit(cap, lambda: services.penutupan_mulai(user=org.admin_a, periode=org.periode_a))
    for status in (Job.Status.PENDING, Job.Status.RUNNING, Job.Status.GAGAL):
        # The job row alone changes (plumbing: no version moves), as a worker writes it.
        Job.objects.filter(pk=pen.job_id).update(status=status, pesan=f"langkah {status}")
        for _ in range(2):
            r = _get(admin, url)
            assert r[HEADER] == "miss" and f"langkah {status}" in r.content.decode()
    Job.objects.filter(pk=pen.job_id).update(status=Job.Status.SUKSES, pesan="beres")
    r = _get(admin, url)
    assert r[HEADER] == "miss" and "beres" in r.content.decode()
    assert _get(admin, url)[HEADER] == "hit"  # a job that succeeded never changes again
