"""jobs.send publishes through Celery's public apply_async with nothing declared before the
message (`declare=()`, kombu.Producer.publish's keyword) and records `dikirim` with one
statement written once: a job sent to a Redis that no worker has ever declared its queue on
still runs, once, on a real worker (see tests/worker_fixtures.py)."""

from __future__ import annotations

import json
import uuid

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja import jobs
from kinerja.models import Job
from tests.worker_fixtures import Worker, celery_di, redis_uji_or_skip, wait_for

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
