"""The outbox: background work is a row written in the request's transaction.

`enqueue` records a Job and, after commit, tries to hand it to Celery. If Redis is down the
request still succeeds; the row stays `pending` and the `sapu_outbox` beat task sends it later.
A worker claims a row with a conditional update before working, so duplicates do nothing.
Handlers are plain functions registered by name: `@handler("skp.pdf")` def f(job, **kwargs).
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kinerja.models import Job

log = logging.getLogger(__name__)
_handlers: dict[str, Callable[..., Any]] = {}

# A running job whose worker died is taken again after this long without progress.
STALE_AFTER = dt.timedelta(minutes=10)


def handler(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        _handlers[name] = fn
        return fn

    return deco


def enqueue(task: str, *, kunci: str | None = None, user: Any = None, **kwargs: Any) -> Job:
    """Record work to be done; send it to the broker once the transaction commits.

    With `kunci`, the same work is recorded once: a second enqueue returns the existing row
    (reset to pending if it had failed).
    """
    if kunci:
        job, created = Job.objects.get_or_create(
            kunci=kunci, defaults={"task": task, "kwargs": kwargs, "dibuat_oleh": user}
        )
        if not created and job.status == Job.Status.GAGAL:
            Job.objects.filter(pk=job.pk).update(status=Job.Status.PENDING, galat="", dikirim=None)
            job.refresh_from_db()
        elif not created:
            return job
    else:
        job = Job.objects.create(task=task, kwargs=kwargs, dibuat_oleh=user)
    transaction.on_commit(lambda: send(job.pk))
    return job


def send(job_id: int) -> bool:
    """Hand a job to Celery; False (and the row stays pending) when the broker is unreachable."""
    from kinerja.tasks import jalankan_job

    try:
        jalankan_job.delay(job_id)
    except Exception as exc:  # kombu OperationalError and friends: Redis is down
        log.warning("broker tidak tersedia, job %s menunggu di outbox: %s", job_id, exc)
        return False
    Job.objects.filter(pk=job_id, dikirim__isnull=True).update(dikirim=timezone.now())
    return True


def claim(job_id: int) -> bool:
    """Take the job for this worker; False when another worker has it or it is done."""
    stale = timezone.now() - STALE_AFTER
    return bool(
        Job.objects.filter(pk=job_id)
        .filter(Q(status=Job.Status.PENDING) | Q(status=Job.Status.RUNNING, diperbarui__lt=stale))
        .update(status=Job.Status.RUNNING, percobaan=F("percobaan") + 1, diperbarui=timezone.now())
    )


def run(job_id: int) -> str:
    """Run a claimed job's handler; record success or the error."""
    if not claim(job_id):
        return "dilewati"
    job = Job.objects.get(pk=job_id)
    fn = _handlers.get(job.task)
    if fn is None:
        _import_handlers()
        fn = _handlers.get(job.task)
    if fn is None:
        Job.objects.filter(pk=job_id).update(status=Job.Status.GAGAL, galat="handler tidak dikenal")
        return "gagal"
    try:
        hasil = fn(job, **job.kwargs) or {}
    except Exception:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.PENDING if job.percobaan < 3 else Job.Status.GAGAL,
            galat=traceback.format_exc()[-4000:],
        )
        raise
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUKSES, hasil=hasil, progres=100, galat=""
    )
    return "sukses"


def progress(job: Job, done: int, total: int, pesan: str = "") -> None:
    """Report progress for the page that polls the job."""
    pct = int(done * 100 / total) if total else 100
    Job.objects.filter(pk=job.pk).update(
        progres=min(pct, 99), progres_total=total, pesan=pesan[:300], diperbarui=timezone.now()
    )


def sweep(older_than: dt.timedelta = dt.timedelta(seconds=30)) -> int:
    """Re-send pending jobs whose message may never have reached the broker."""
    cutoff = timezone.now() - older_than
    ids = list(
        Job.objects.filter(status=Job.Status.PENDING, diperbarui__lt=cutoff).values_list(
            "id", flat=True
        )[:500]
    )
    sent = 0
    for job_id in ids:
        if send(job_id):
            Job.objects.filter(pk=job_id).update(diperbarui=timezone.now())
            sent += 1
    return sent


def _import_handlers() -> None:
    from importlib import import_module

    from django.apps import apps

    for cfg in apps.get_app_configs():
        try:
            import_module(f"{cfg.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{cfg.name}.tasks":
                raise
