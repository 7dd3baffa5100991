"""jobs.send publishes through Celery's public apply_async with nothing declared before the
message (`declare=()`, kombu.Producer.publish's keyword) and records `dikirim` with one
statement written once: a job sent to a Redis that no worker has ever declared its queue on
still runs, once, on a real worker (see tests/worker_fixtures.py). A notification's email is
sent at the commit without recording `dikirim` (`send(catat=False)`): the worker sends the
email once, and a job still waiting after FRESH is sent again by the sweep at most once."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinerja import jobs
from kinerja.models import Job, Notifikasi
from kinerja.notifikasi import notifikasi_kirim
from tests.worker_fixtures import (
    WORKER_ENV,
    Worker,
    celery_di,
    email_terkirim,
    redis_uji_or_skip,
    wait_for,
)

pytestmark = pytest.mark.worker


@pytest.fixture
def awalan(transactional_db):
    """A key prefix no worker has used: no queue, no binding, nothing declared."""
    url = redis_uji_or_skip()
    prefix = f"ujideklarasi{uuid.uuid4().hex[:8]}:"
    r = redis.Redis.from_url(url)
    yield url, prefix, r
    for key in r.scan_iter(f"{prefix}*"):
        r.delete(key)


def test_a_job_sent_before_any_worker_declared_its_queue_runs_once(awalan, org, tmp_path):
    url, prefix, r = awalan
    with celery_di(url, prefix=prefix):
        job = jobs.enqueue("uji.pid_basis_data", instansi_id=org.instansi_a.pk)  # autocommit
        job.refresh_from_db()
        assert job.status == "pending" and job.dikirim is not None
        # One message on the default queue's list, nothing else written (no binding table).
        assert sorted(k.decode() for k in r.scan_iter(f"{prefix}*")) == [f"{prefix}celery"]
        (raw,) = r.lrange(f"{prefix}celery", 0, -1)
        msg = json.loads(raw)
        assert msg["headers"]["task"] == "kinerja.tasks.jalankan_job"
        assert msg["headers"]["argsrepr"] == f"({job.pk},)"
        assert msg["properties"]["delivery_info"]["routing_key"] == "celery"
        worker = Worker(url, tmp_path, prefix=prefix)
        try:
            wait_for(
                lambda: Job.objects.values_list("status", flat=True).get(pk=job.pk) == "sukses",
                30,
                "job dijalankan pekerja",
            )
        finally:
            worker.stop()
    job.refresh_from_db()
    assert job.percobaan == 1 and job.galat == ""


def test_send_many_records_dikirim_of_every_sent_row_in_one_statement(awalan, org):
    url, prefix, r = awalan
    ids = [
        Job.objects.create(task="uji.pid_basis_data", kwargs={"instansi_id": 1}).pk
        for _ in range(3)
    ]
    other = Job.objects.create(task="uji.pid_basis_data", kwargs={"instansi_id": 1}).pk
    with celery_di(url, prefix=prefix), CaptureQueriesContext(connection) as q:
        assert jobs.send_many(ids) == 3
    assert len(q.captured_queries) == 1 and q.captured_queries[0]["sql"].startswith("UPDATE")
    rows = dict(Job.objects.filter(pk__in=[*ids, other]).values_list("pk", "dikirim"))
    assert all(rows[i] is not None for i in ids) and rows[other] is None
    assert r.llen(f"{prefix}celery") == 3


def _email_job(n: Notifikasi) -> Job:
    return Job.objects.get(kunci=f"email:{n.pk}")


def test_a_notifications_email_is_sent_once_without_recording_dikirim(
    awalan, org, tmp_path, settings
):
    url, prefix, r = awalan
    settings.SITE_URL = WORKER_ENV["SITE_URL"]
    worker = Worker(url, tmp_path, prefix=prefix)
    try:
        with celery_di(url, prefix=prefix), CaptureQueriesContext(connection) as q:
            # Autocommit: the notification and its job in one statement, then the publish
            # (on_commit runs at once) and no statement after it.
            n = notifikasi_kirim(penerima=org.kasubbid.user, jenis="uji_hemat", pesan="Uji.")
        assert len(q.captured_queries) == 1, [c["sql"][:60] for c in q.captured_queries]
        job = _email_job(n)
        wait_for(lambda: _email_job(n).status == "sukses", 30, "email terkirim oleh pekerja")
        job.refresh_from_db()
        assert job.dikirim is None and job.percobaan == 1
        # Later sweeps leave a job that ran alone.
        Job.objects.filter(pk=job.pk).update(dibuat=timezone.now() - dt.timedelta(minutes=1))
        with celery_di(url, prefix=prefix):
            assert jobs.sweep() == 0
    finally:
        worker.stop()
    sent = [m for m in email_terkirim(worker.email_dir) if m["to"] == [org.kasubbid.user.email]]
    assert len(sent) == 1


def test_an_email_job_still_waiting_after_fresh_is_sent_again_once(awalan, org):
    url, prefix, r = awalan
    with celery_di(url, prefix=prefix):
        n = notifikasi_kirim(penerima=org.kasubbid.user, jenis="uji_hemat", pesan="Uji.")
        job = _email_job(n)
        assert job.dikirim is None and r.llen(f"{prefix}celery") == 1
        assert jobs.sweep() == 0  # fresh: the commit's message is the one
        Job.objects.filter(pk=job.pk).update(dibuat=timezone.now() - dt.timedelta(seconds=11))
        assert jobs.sweep() == 1  # no worker took it: perhaps lost, sent again, recorded
        assert jobs.sweep() == 0
    job.refresh_from_db()
    assert job.status == "pending" and job.dikirim is not None
    assert r.llen(f"{prefix}celery") == 2
