"""kinerja.jobs.send's short way: the message apply_async would write, pushed with one LPUSH
(real Redis broker at KINERJA_TEST_REDIS_URL, a key prefix of its own)."""

from __future__ import annotations

import base64
import json
import os
import uuid

import pytest

from kinerja import jobs, tasks  # noqa: F401  (registers jalankan_job)
from kinerja.models import Job
from tests.worker_fixtures import celery_di

URL = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Ids that vary per message (a fresh uuid each); everything else must be identical.
_PER_PESAN = {("headers", "id"), ("headers", "root_id"), ("properties", "correlation_id")}


@pytest.fixture
def broker():
    import redis

    from kinerja.celery import app

    prefix = f"uji-cepat-{uuid.uuid4().hex[:8]}:"
    r = redis.Redis.from_url(URL)
    try:
        r.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis tidak dapat dihubungi di {URL}: {exc}")
    with celery_di(URL, prefix):
        yield r, prefix + app.conf.task_default_queue
    for key in r.scan_iter(f"{prefix}*"):
        r.delete(key)


def _ambil(r, antrean: str) -> dict:
    raw = r.rpop(antrean)
    assert raw is not None, "tidak ada pesan di antrean"
    assert r.llen(antrean) == 0
    return json.loads(raw)


def _tanpa_id(msg: dict) -> dict:
    msg = json.loads(json.dumps(msg))
    tid = msg["headers"]["id"]
    for bagian, kunci in _PER_PESAN:
        assert msg[bagian][kunci] == tid  # one id for the task, its root and its correlation
        msg[bagian][kunci] = "<id>"
    uuid.UUID(msg["properties"].pop("delivery_tag"))
    msg["body"] = json.loads(base64.b64decode(msg["body"]))
    return msg


@pytest.mark.parametrize("job_id", [1, 987654321, 2**40])
def test_the_short_message_is_apply_asyncs_own(broker, job_id):
    from kinerja.celery import app

    r, antrean = broker
    app.tasks[jobs.TUGAS].apply_async((job_id,), ignore_result=True)
    lama = _ambil(r, antrean)
    assert jobs._terbit_cepat(app, job_id) is True
    baru = _ambil(r, antrean)
    assert _tanpa_id(baru) == _tanpa_id(lama)
    assert baru["headers"]["id"] != lama["headers"]["id"]
    # The envelope's keys in kombu's order, the body's bytes as Celery encodes them.
    assert list(baru) == list(lama) and list(baru["headers"]) == list(lama["headers"])
    assert base64.b64decode(baru["body"]) == base64.b64decode(lama["body"])


@pytest.mark.django_db
def test_send_pushes_once_without_apply_async_and_records_it(broker, monkeypatch):
    from kinerja.celery import app

    r, antrean = broker
    job = Job.objects.create(task="uji.apa", kwargs={})

    def tidak(*a, **k):
        raise AssertionError("apply_async dipanggil")

    monkeypatch.setattr(type(app.tasks[jobs.TUGAS]), "apply_async", tidak)
    assert jobs.send(job.pk) is True
    msg = _ambil(r, antrean)
    assert json.loads(base64.b64decode(msg["body"]))[0] == [job.pk]
    job.refresh_from_db()
    assert job.dikirim is not None and job.status == Job.Status.PENDING


@pytest.mark.django_db
def test_a_publish_signal_or_a_parent_task_takes_apply_async(broker, monkeypatch):
    from celery import signals

    from kinerja.celery import app

    r, antrean = broker

    def dengar(**kw):
        pass

    signals.before_task_publish.connect(dengar)
    try:
        assert jobs._terbit_cepat(app, 5) is False
    finally:
        signals.before_task_publish.disconnect(dengar)
    monkeypatch.setattr(type(app), "current_worker_task", property(lambda s: object()))
    assert jobs._terbit_cepat(app, 5) is False
    assert r.llen(antrean) == 0


@pytest.mark.django_db
def test_broker_down_leaves_the_job_pending_for_the_sweep_as_before(caplog):
    from kinerja.celery import app

    job = Job.objects.create(task="uji.apa", kwargs={})
    with celery_di("redis://127.0.0.1:1/0", f"uji-mati-{uuid.uuid4().hex[:6]}:"):
        assert jobs._terbit_cepat(app, job.pk) is False
        assert jobs.send(job.pk) is False  # apply_async's answer, as before
    job.refresh_from_db()
    assert job.dikirim is None and job.status == Job.Status.PENDING
    assert "broker tidak tersedia" in caplog.text
