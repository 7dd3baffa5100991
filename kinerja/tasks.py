"""Thin Celery tasks: ids in, a service call, something small out."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

# Importing registers the jobs kinerja.impor_pegawai, kinerja.impor_unor and
# kinerja.restrukturisasi.
from kinerja import impor, jobs, restrukturisasi_terapan, siasn_unor  # noqa: F401

# How often a message that finds its job held by a live worker comes back to look again.
SIBUK_MAKS = 10


@shared_task(
    bind=True,
    name="kinerja.tasks.jalankan_job",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,  # attempts are counted on the Job row (KINERJA_JOB_MAKS_PERCOBAAN)
)
def jalankan_job(self, job_id: int) -> str:
    """Run one outbox job. A failed attempt is retried with exponential backoff; a message that
    finds the job held by a live worker comes back after that worker could have died."""
    pemilik = f"{self.request.id or 'lokal'}:{self.request.retries}"
    hasil = jobs.run(job_id, pemilik=pemilik)
    if self.request.is_eager:
        # In-process mode (no Redis): try again right away, up to the attempt limit.
        while hasil.status == "ulang":
            hasil = jobs.run(job_id, pemilik=f"{pemilik}:{hasil.status}")
        return hasil.status
    if hasil.status == "ulang" or (hasil.status == "sibuk" and self.request.retries < SIBUK_MAKS):
        raise self.retry(countdown=hasil.tunggu)
    # "sibuk" past the limit: the holder finishes it, or, if it died, the sweep sends it again.
    return hasil.status


@shared_task(name="kinerja.tasks.sapu_outbox", ignore_result=True)
def sapu_outbox() -> int:
    return jobs.sweep()


@shared_task(name="kinerja.tasks.jalankan_pengingat", acks_late=True)
def jalankan_pengingat(hari_ini: str | None = None) -> int:
    """All reminders of every instansi (beat runs this hourly; repeats are no-ops)."""
    from kinerja import pengingat

    tanggal = dt.date.fromisoformat(hari_ini) if hari_ini else None
    return pengingat.jalankan_semua(tanggal)


@shared_task(name="kinerja.tasks.mutasi_jatuh_tempo", acks_late=True)
def mutasi_jatuh_tempo(hari_ini: str | None = None) -> int:
    """Restructurings and changes of position whose TMT has come, and acting appointments that
    ended (a restructuring first: a change recorded for the same day comes after it)."""
    from kinerja import mutasi

    tanggal = dt.date.fromisoformat(hari_ini) if hari_ini else None
    n = restrukturisasi_terapan.restrukturisasi_jatuh_tempo(hari_ini=tanggal)
    return n + mutasi.mutasi_jatuh_tempo(hari_ini=tanggal)


@shared_task(name="kinerja.tasks.ping")
def ping(x: int) -> int:
    """A round-trip check for the worker (used by the test suite)."""
    return x * 2


@jobs.handler("kinerja.email_notifikasi", label="Email notifikasi")
def email_notifikasi(job, *, notifikasi_id: int) -> dict:
    from kinerja.notifikasi import email_kirim

    return {"terkirim": email_kirim(notifikasi_id)}
