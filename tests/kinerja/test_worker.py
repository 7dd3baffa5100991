"""A real Celery worker on Redis: round trip, outbox, retries, a killed worker, Redis going down.

See tests/worker_fixtures.py for the worker subprocess and the test-only handlers.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time
from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kinerja import jobs
from kinerja.models import Dokumen, Job, Notifikasi
from kinerja.notifikasi import notifikasi_kirim
from kinerja.tasks import jalankan_job, jalankan_pengingat, ping, sapu_outbox
from tests.worker_fixtures import (
    PREFIX,
    WORKER_ENV,
    RedisServer,
    Worker,
    celery_di,
    email_terkirim,
    redis_uji_or_skip,
    wait_for,
)

pytestmark = pytest.mark.worker


@pytest.fixture(scope="session")
def redis_uji() -> str:
    return redis_uji_or_skip()


@pytest.fixture(scope="module")
def pekerja_sesi(redis_uji, django_db_setup, tmp_path_factory) -> Iterator[Worker]:
    """One worker for the module (starting one costs seconds); tests that kill a worker or
    point it elsewhere start their own."""
    w = Worker(redis_uji, tmp_path_factory.mktemp("pekerja"))
    yield w
    w.stop()
    if os.environ.get("KINERJA_TEST_WORKER_LOG"):
        sys.stderr.write(w.output())


@pytest.fixture
def pekerja(pekerja_sesi, redis_uji, transactional_db, settings) -> Iterator[Worker]:
    """The shared worker, with this process's Celery sending to the same Redis. The test's rows
    are committed (transactional_db) so the worker sees them."""
    settings.SITE_URL = WORKER_ENV["SITE_URL"]
    with celery_di(redis_uji):
        yield pekerja_sesi


def _status(job_id: int) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job_id)


def test_task_result_round_trip_through_redis(pekerja_sesi, redis_uji):
    with celery_di(redis_uji):
        assert ping.delay(21).get(timeout=20) == 42


def test_outbox_jobs_run_on_the_worker_email_once_and_a_failure_retried(pekerja, org):
    n = notifikasi_kirim(
        penerima=org.kasubbid.user,
        jenis="skp_menunggu_persetujuan",
        pesan="SKP Agustina Mbete menunggu persetujuan Anda sejak 10 hari.",
        tautan="/skp/persetujuan/",
        kunci="uji:email:1",
    )
    flaky = jobs.enqueue("uji.gagal_sekali", instansi_id=org.instansi_a.pk)
    job = Job.objects.get(kunci=f"email:{n.pk}")
    wait_for(lambda: _status(job.pk) == "sukses", 20, "email terkirim oleh pekerja")
    n.refresh_from_db()
    assert n.email_terkirim is not None
    # A duplicate message for the same job does nothing.
    dup = jalankan_job.apply_async((job.pk,))
    assert pekerja.task_result(dup.id) == "'selesai'"
    sent = [m for m in email_terkirim(pekerja.email_dir) if m["to"] == [org.kasubbid.user.email]]
    assert len(sent) == 1
    mail = sent[0]
    assert "Yth." in mail["body"] and "menunggu persetujuan Anda" in mail["body"]
    assert "https://kinerja.contoh.go.id/skp/persetujuan/" in mail["body"]
    assert 'href="https://kinerja.contoh.go.id/skp/persetujuan/"' in mail["html"]
    assert mail["subject"].startswith("[Kinerja]")
    # The failing job came back after its backoff and succeeded on the second attempt.
    wait_for(lambda: _status(flaky.pk) == "sukses", 25, "percobaan kedua berhasil")
    flaky.refresh_from_db()
    assert flaky.percobaan == 2 and flaky.hasil == {"percobaan": 2} and flaky.galat == ""


def test_pool_processes_keep_their_database_connection_between_jobs(pekerja, org):
    """Celery's fixup would open a new PostgreSQL connection for every job (kinerja/celery.py)."""
    hasil = []
    for _ in range(6):
        job = jobs.enqueue("uji.pid_basis_data", instansi_id=org.instansi_a.pk)
        wait_for(lambda j=job: _status(j.pk) == "sukses", 20, "job pid selesai")
        job.refresh_from_db()
        hasil.append((job.hasil["proses"], job.hasil["pid"]))
    # Each pool process used one connection for all of its jobs.
    per_proses: dict[int, set[int]] = {}
    for proses, pid in hasil:
        per_proses.setdefault(proses, set()).add(pid)
    assert all(len(pids) == 1 for pids in per_proses.values()), hasil
    assert len({pid for _p, pid in hasil}) < len(hasil)


def _dokumen_of(job: Job):
    return Dokumen.objects.filter(
        content_type=ContentType.objects.get_for_model(Job), object_id=job.pk
    )


def test_duplicate_message_while_a_live_worker_holds_the_job_does_not_run_it_twice(pekerja, org):
    # The job outlives the stale limit (3 s): only the heartbeat keeps it from being taken again.
    job = jobs.enqueue("uji.pdf_lambat", instansi_id=org.instansi_a.pk, detik=5)
    wait_for(lambda: _status(job.pk) == "running", 20, "pekerjaan mulai")
    dup = jalankan_job.apply_async((job.pk,))  # e.g. the sweep or a redelivery sent it again
    wait_for(lambda: _status(job.pk) == "sukses", 30, "pekerjaan selesai")
    # The duplicate found the job held, came back later, and found it done.
    assert pekerja.task_result(dup.id, timeout=30) == "'selesai'"
    job.refresh_from_db()
    assert job.percobaan == 1
    assert _dokumen_of(job).count() == 1


def test_worker_killed_mid_pdf_the_pdf_still_exists_exactly_once(
    redis_uji, transactional_db, tmp_path, org, settings
):
    # Its own queues: the shared worker must not pick this job up.
    prefix = f"{PREFIX}mati:"
    with celery_di(redis_uji, prefix):
        first = Worker(redis_uji, tmp_path, pool="solo", concurrency=1, prefix=prefix)
        try:
            job = jobs.enqueue("uji.pdf_lambat", instansi_id=org.instansi_a.pk, detik=3)
            wait_for(lambda: Job.objects.get(pk=job.pk).pesan == "mulai", 20, "PDF mulai dibuat")
            first.kill()  # SIGKILL: the message is neither acknowledged nor rejected
        finally:
            first.stop()
        assert _status(job.pk) == "running" and not _dokumen_of(job).exists()
        second = Worker(redis_uji, tmp_path, pool="solo", concurrency=1, prefix=prefix)
        try:
            # Redis hands the unacknowledged message to the new worker after the visibility
            # timeout; the row, silent since the kill, counts as abandoned and is taken again.
            wait_for(lambda: _status(job.pk) in {"sukses", "gagal"}, 45, "PDF oleh pekerja baru")
            job.refresh_from_db()
            assert job.status == "sukses", job.galat
            assert job.percobaan == 2
            assert _dokumen_of(job).count() == 1
            time.sleep(1)
            assert _dokumen_of(job).count() == 1
        finally:
            second.stop()


def test_pool_process_killed_mid_pdf_the_message_comes_back_and_runs_once(
    redis_uji, transactional_db, tmp_path, org
):
    """The OOM-killer case: a prefork child dies; the parent rejects the message back to the
    queue (reject_on_worker_lost), a new child finds the row still fresh, waits until its
    heartbeat has stopped long enough, then renders the PDF - once."""
    prefix = f"{PREFIX}anak:"
    with celery_di(redis_uji, prefix):
        w = Worker(redis_uji, tmp_path, pool="prefork", concurrency=1, prefix=prefix)
        try:
            job = jobs.enqueue("uji.pdf_lambat", instansi_id=org.instansi_a.pk, detik=3)
            wait_for(lambda: Job.objects.get(pk=job.pk).pesan == "mulai", 20, "PDF mulai dibuat")
            children = w.pool_pids()
            assert children, w.output()
            for pid in children:
                os.kill(pid, signal.SIGKILL)
            wait_for(lambda: _status(job.pk) in {"sukses", "gagal"}, 45, "PDF oleh anak baru")
            job.refresh_from_db()
            assert job.status == "sukses", job.galat
            assert job.percobaan == 2
            assert _dokumen_of(job).count() == 1
        finally:
            w.stop()


def test_redis_down_during_a_request_then_the_sweep_runs_the_job(
    redis_uji, transactional_db, tmp_path, org, client, settings
):
    """The SKP PDF request with Redis stopped: the request succeeds, the job waits in the
    outbox; Redis returns, the beat sweep sends it, a worker renders the PDF once."""
    from skp.models import SKP

    skp = SKP.objects.create(pegawai=org.pegawai, periode=org.periode_a)
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        # As in production (REDIS_URL set): broker, results and the cache all on that Redis.
        settings.CACHES = {
            "default": {
                "BACKEND": "kinerja.redis_cache.RedisCache",
                "LOCATION": redis.url,
            }
        }
        with celery_di(redis.url):
            client.force_login(org.pegawai.user)
            redis.stop()
            started = time.monotonic()
            resp = client.post(f"/skp/{skp.pk}/pdf/")
            assert resp.status_code in {200, 302} and time.monotonic() - started < 5
            job = Job.objects.get(task="skp.pdf")
            assert job.status == "pending" and job.dikirim is None
            assert job.kwargs == {"skp_id": skp.pk}
            # The pages keep working while Redis is down (menus, bell and lists read the cache).
            for url in ("/", "/skp/", "/notifikasi/", "/evaluasi/saya/", "/dialog/umpan-balik/"):
                started = time.monotonic()
                page = client.get(url)
                assert page.status_code == 200, (url, page.status_code)
                assert time.monotonic() - started < 5, url
            redis.start()
            worker = Worker(redis.url, tmp_path)
            try:
                # A minute later the beat sweep runs (on the worker, like beat's message would).
                Job.objects.filter(pk=job.pk).update(
                    dibuat=timezone.now() - dt.timedelta(minutes=1)
                )
                sapu_outbox.delay()
                wait_for(lambda: _status(job.pk) in {"sukses", "gagal"}, 30, "PDF SKP dibuat")
                job.refresh_from_db()
                assert job.status == "sukses", job.galat
                assert job.percobaan == 1 and job.hasil["url"].startswith(f"/skp/{skp.pk}/pdf/")
                docs = Dokumen.objects.filter(
                    content_type=ContentType.objects.get_for_model(SKP), object_id=skp.pk
                )
                assert docs.count() == 1
                # The page that polls the job now offers the download.
                part = client.get(f"/latar/{job.pk}/").content.decode()
                assert "Unduh" in part and job.hasil["url"] in part
            finally:
                worker.stop()
    finally:
        redis.stop()


def test_reminders_fire_once_for_the_right_people_across_repeated_beats(pekerja, org):
    """Beat fires twice (and a retry would too): each reminder reaches its person once, in the
    app and by email, with the link to the page that resolves it."""
    from skp.models import SKP

    year = org.periode_a.tahun
    hari = dt.date(year, 2, 3)  # planning deadline (31 Jan) passed three days ago
    for p in (
        org.kasubbid,
        org.kabid,
        org.fungsional,
        org.kepala_bkd,
        org.sekda,
        org.kadis,
        org.staf_dinas,
    ):
        SKP.objects.create(pegawai=p, periode=org.periode_a, status="disetujui",
                           diajukan_pada=timezone.now())  # fmt: skip
    SKP.objects.create(
        pegawai=org.rekan, periode=org.periode_a, status="diajukan",
        diajukan_pada=timezone.make_aware(dt.datetime(year, 1, 20, 9)),
    )  # fmt: skip
    first = jalankan_pengingat.delay(hari.isoformat()).get(timeout=60)
    second = jalankan_pengingat.delay(hari.isoformat()).get(timeout=60)
    assert first > 0 and second == 0

    def notes(user, jenis):
        return list(Notifikasi.objects.filter(penerima=user, jenis=jenis))

    [own] = notes(org.pegawai.user, "skp_belum_diajukan")
    assert "telah lewat 3 hari" in own.pesan
    [bawahan] = notes(org.kasubbid.user, "skp_bawahan_belum_diajukan")
    assert "Agustina Mbete" in bawahan.pesan and "Daniel Tallo" not in bawahan.pesan
    [waiting] = notes(org.kasubbid.user, "skp_menunggu_persetujuan")  # 14 days > 7
    assert "Daniel Tallo" in waiting.pesan
    assert not notes(org.rekan.user, "skp_belum_diajukan")
    assert not notes(org.kabid.user, "skp_persetujuan_terlambat")  # 14 days, not more than 14
    assert (
        not Notifikasi.objects.filter(penerima=org.pegawai_b.user)
        .exclude(jenis="skp_belum_diajukan")
        .exists()
    )
    # Email, once, through the worker.
    wait_for(
        lambda: (
            not Job.objects.filter(task="kinerja.email_notifikasi")
            .exclude(status="sukses")
            .exists()
        ),
        30,
        "email pengingat terkirim",
    )
    mails = [m for m in email_terkirim(pekerja.email_dir) if m["to"] == [org.pegawai.user.email]]
    assert len(mails) == 1
    assert "SKP Anda belum diajukan" in mails[0]["body"]
    assert "https://kinerja.contoh.go.id/skp/" in mails[0]["body"]
    # The next day's beat reminds again (one per person per reason per day).
    third = jalankan_pengingat.delay((hari + dt.timedelta(days=1)).isoformat()).get(timeout=60)
    assert third > 0 and len(notes(org.pegawai.user, "skp_belum_diajukan")) == 2
