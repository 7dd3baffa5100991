"""The year-end close and the page cache: its writes end the cached pages of its own instansi
(kinerja.cache_cakupan reads each statement), never every cached page (the global version)."""

from __future__ import annotations

from unittest import mock

import pytest

from evaluasi import services
from evaluasi.services import tutup_tahun
from kinerja import cache_halaman
from kinerja.cache_cakupan import GLOBAL, instansi_key, tahap_key
from kinerja.models import Job
from tests.evaluasi.conftest import final, ko

A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"


@pytest.fixture
def tahun_siap(org, settings):
    from django.core.cache import cache

    cache.clear()
    settings.KINERJA_HALAMAN_DETIK = 120  # the watcher only reads writes while the cache is on
    settings.KINERJA_TUTUP_DOKUMEN_PER_JOB = 1
    ko(org, org.unit_bidang, "baik")
    ko(org, org.unit_dinas, "istimewa")
    final(org, "pegawai", A, A)
    final(org, "rekan", B, S)
    final(org, "staf_dinas", S, B)
    return org


def _versi(callbacks) -> set[str]:
    """The versions the captured transaction's writes end when it commits."""
    keys: set[str] = set()
    for cb in callbacks:
        if isinstance(cb, cache_halaman._Tertunda):
            keys |= cb.kunci
    return keys


def _mulai(org, capture):
    """The admin's start, its commit callbacks (sending the job, its versions) dropped."""
    from django.db import connection

    with capture(execute=False):
        pen = services.penutupan_mulai(user=org.admin_a, periode=org.periode_a)
    connection.run_on_commit = [
        e for e in connection.run_on_commit if not isinstance(e[1], cache_halaman._Tertunda)
    ]
    return Job.objects.get(pk=pen.job_id)


def test_the_close_job_ends_its_instansi_pages_not_every_page(
    tahun_siap, django_capture_on_commit_callbacks
):
    """The close job's data phase (year locked, ArsipUnit rows, unit jobs recorded): before, its
    ArsipUnit INSERT named its table unquoted and the watcher ended every cached page."""
    org = tahun_siap
    job = _mulai(org, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hasil = tutup_tahun.tutup_tahun_jalankan(periode_id=org.periode_a.pk, job=job)
    assert isinstance(hasil, tutup_tahun.jobs.Waiting)
    # The instansi's pages, the SKP pages' stage version among them (the year turns read-only
    # on every SKP page of the instansi), and nothing of another instansi or global.
    a = org.instansi_a.pk
    assert _versi(callbacks) == {instansi_key(a), tahap_key(a)}


def test_a_whole_close_leaves_the_global_version_alone(
    tahun_siap, django_capture_on_commit_callbacks
):
    """The whole close (data phase, unit jobs with PDFs and zips, recap), its writes committed:
    the instansi's version moves, the global one (every cached page) does not."""
    from django.core.cache import cache

    org = tahun_siap
    job = _mulai(org, django_capture_on_commit_callbacks)
    cache_halaman.versi_naik({GLOBAL, instansi_key(org.instansi_a.pk)})  # both exist
    sebelum = cache.get_many([GLOBAL, instansi_key(org.instansi_a.pk)])
    assert set(sebelum) == {GLOBAL, instansi_key(org.instansi_a.pk)}
    with (
        mock.patch.object(tutup_tahun, "TUTUP_PROGRES_SETIAP", 0),
        mock.patch.object(tutup_tahun.jobs, "send_many"),  # the unit jobs run below
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tutup_tahun.jobs.run(job.pk).status == "menunggu"
    for unit in Job.objects.filter(task="evaluasi.tutup_unit").order_by("pk"):
        with django_capture_on_commit_callbacks(execute=True):
            assert tutup_tahun.jobs.run(unit.pk).status == "sukses"
    assert Job.objects.get(pk=job.pk).status == "sukses"
    sesudah = cache.get_many([GLOBAL, instansi_key(org.instansi_a.pk)])
    assert sesudah[GLOBAL] == sebelum[GLOBAL]
    assert sesudah[instansi_key(org.instansi_a.pk)] != sebelum[instansi_key(org.instansi_a.pk)]
