"""Thin Celery tasks: ids in, a service call, something small out."""

from __future__ import annotations

from celery import shared_task

from kinerja import jobs


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=3,
)
def jalankan_job(self, job_id: int) -> str:
    return jobs.run(job_id)


@shared_task
def sapu_outbox() -> int:
    return jobs.sweep()


@shared_task
def jalankan_pengingat() -> int:
    from kinerja import pengingat

    return pengingat.jalankan_semua()


@shared_task(name="kinerja.tasks.ping")
def ping(x: int) -> int:
    """A round-trip check for the worker (used by the test suite)."""
    return x * 2
