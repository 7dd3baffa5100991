"""The outbox: background work is a row written in the request's transaction.

`enqueue` records a Job and, after commit, hands it to Celery. If Redis is down the request still
succeeds (the broker fails fast, see CELERY_BROKER_TRANSPORT_OPTIONS); the row stays `pending`
and the `sapu_outbox` beat task sends it once Redis is back.

Exactly once, with workers that may die:
- a worker *claims* the row with a conditional update (pending -> running, a fresh claim token),
  so a duplicated or redelivered message finds the row taken and does nothing;
- while the handler runs, a heartbeat thread touches `diperbarui`; a running row whose heartbeat
  stopped for KINERJA_JOB_BASI seconds belongs to a dead worker (SIGKILL, OOM, lost machine) and
  may be claimed again - by the message Redis redelivers (acks_late + visibility timeout) or by
  the sweep;
- a message arriving while the row is running with a live heartbeat is retried after the
  heartbeat could have gone stale, never run alongside;
- completion is recorded only by the holder of the claim token.
A handler that has side effects outside the database row (a stored PDF) should still be written
so a second run after a crash between "side effect" and "row updated" does no harm (e.g. look up
what it produced by the job's key).

Handlers are plain functions registered by name: `@handler("skp.pdf") def f(job, **kwargs)`.

Fan-out: a handler that splits its work into child jobs (`enqueue_many`, e.g. one per unit) returns
`Waiting(...)`: the row goes back to `pending` with a far `jadwal` (the page keeps polling it and
the children write its progress), and the child that finishes last calls `complete(job_id, ...)`.
Should nobody complete it by then, the job runs again at `jadwal` and its handler resumes (it must
be idempotent: re-enqueueing the same keys sends only children that failed or never left).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from kinerja.models import Job

log = logging.getLogger(__name__)
_handlers: dict[str, Callable[..., Any]] = {}
# What a person reads for a task name ("Dokumen PDF SKP", never "skp.pdf").
_labels: dict[str, str] = {}

# A pending row that reached the broker but was not started for this long is sent again (its
# message was lost, e.g. Redis restarted without persistence).
RESEND_AFTER = dt.timedelta(minutes=10)
# A pending row never handed to the broker is left to the request's on_commit this long.
FRESH = dt.timedelta(seconds=10)
# Environment hook: extra modules defining handlers (test-only handlers for the worker tests).
ENV_MODULES = "KINERJA_JOB_MODULES"


def _heartbeat() -> float:
    return float(getattr(settings, "KINERJA_JOB_DETAK", 15))


def _stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "KINERJA_JOB_BASI", 60)))


def max_attempts() -> int:
    return int(getattr(settings, "KINERJA_JOB_MAKS_PERCOBAAN", 5))


def backoff(percobaan: int) -> float:
    """Seconds before the next attempt: doubling from KINERJA_JOB_JEDA, with jitter, capped."""
    base = float(getattr(settings, "KINERJA_JOB_JEDA", 10))
    delay = min(base * 2 ** max(percobaan - 1, 0), 600.0)
    return delay + random.uniform(0, base / 2)


def handler(name: str, label: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        _handlers[name] = fn
        if label:
            _labels[name] = label
        return fn

    return deco


def label(name: str, teks: str) -> None:
    """Name a task for the pages (for a handler registered without one)."""
    _labels[name] = teks


def label_tugas(name: str) -> str:
    """The task as the pages name it; an unknown one is "Pekerjaan latar lain"."""
    if not _imported:
        _import_handlers()
    return _labels.get(name, "Pekerjaan latar lain")


def pesan_gagal(job: Job) -> str:
    """What an admin reads about a failed job: what happened and what to do, in plain words.
    The technical detail (the traceback) goes to the server log, never to a page."""
    kali = f"setelah {job.percobaan} kali dicoba" if job.percobaan > 1 else ""
    return (
        f"{label_tugas(job.task)} tidak berhasil diproses{' ' + kali if kali else ''}. "
        "Pilih Kirim ulang untuk mencobanya lagi; bila gagal lagi, laporkan nomor pekerjaan "
        f"#{job.pk} kepada pengelola aplikasi (rinciannya tercatat di log server)."
    )


def _instansi_of(user: Any) -> int | None:
    if user is None:
        return None
    from kinerja import policy

    return policy.instansi_of(user)


def enqueue(
    task: str,
    *,
    kunci: str | None = None,
    user: Any = None,
    instansi: int | None = None,
    **kwargs: Any,
) -> Job:
    """Record work to be done; send it to the broker once the transaction commits.

    With `kunci`, the same work is recorded once: a second enqueue returns the existing row
    (reset to pending if it had failed). The job belongs to the instansi of `user`, or of the
    `instansi_id` keyword when the handler takes one (the admin page lists jobs by instansi),
    or else to `instansi` (an id: work done for someone who did not ask, e.g. an email).
    """
    instansi_id = kwargs.get("instansi_id")
    if not isinstance(instansi_id, int):
        instansi_id = _instansi_of(user) if user is not None else instansi
    if kunci:
        job, created = Job.objects.get_or_create(
            kunci=kunci,
            defaults={
                "task": task,
                "kwargs": kwargs,
                "dibuat_oleh": user,
                "instansi_id": instansi_id,
            },
        )
        if not created:
            if job.status != Job.Status.GAGAL:
                return job
            Job.objects.filter(pk=job.pk, status=Job.Status.GAGAL).update(
                status=Job.Status.PENDING,
                percobaan=0,
                galat="",
                dikirim=None,
                jadwal=None,
                pemilik="",
                diperbarui=timezone.now(),
            )
            job.refresh_from_db()
    else:
        job = Job.objects.create(
            task=task, kwargs=kwargs, dibuat_oleh=user, instansi_id=instansi_id
        )
    job_id = job.pk
    transaction.on_commit(lambda: send(job_id))
    return job


def enqueue_baru(
    task: str,
    *,
    kunci: str,
    instansi: int | None = None,
    kecuali: Any = None,
    **kwargs: Any,
) -> tuple[int, int | None] | None:
    """`enqueue` of a keyed job whose key is almost surely new (the email of a notification
    just written): on PostgreSQL one `INSERT … ON CONFLICT DO NOTHING RETURNING` instead of
    get_or_create's SELECT, savepoint, INSERT and release, the row written with the same
    columns (`_catat_pg`) and sent once the transaction commits. A key already recorded (or
    another database) goes through `enqueue` as before. Returns (the job's id, its instansi).

    `kecuali` (a queryset): no job when it finds a row (the recipient turned that email off),
    then None. On PostgreSQL it is asked inside the same INSERT (`WHERE NOT EXISTS`); only when
    nothing was written is it asked again, to tell "turned off" from "key already recorded"."""
    if connection.vendor == "postgresql" and "instansi_id" not in kwargs:
        rows = _catat_pg(task, [(kunci, kwargs)], user=None, instansi_id=instansi, kecuali=kecuali)
        if kunci in rows:
            job_id = rows[kunci][0]
            transaction.on_commit(lambda: send(job_id))
            return job_id, instansi
    if kecuali is not None and kecuali.exists():
        return None
    job = enqueue(task, kunci=kunci, instansi=instansi, **kwargs)
    return job.pk, job.instansi_id


def _eager() -> bool:
    from kinerja.celery import app

    return bool(app.conf.task_always_eager)


def send(job_id: int, countdown: float | None = None) -> bool:
    """Hand a job to Celery; False (and the row stays as it is) when the broker is unreachable."""
    from kombu.exceptions import OperationalError

    from kinerja import tasks  # noqa: F401  (registers the task)
    from kinerja.celery import app

    # Through the project's app, whatever Celery app happens to be "current" in this process.
    jalankan_job = app.tasks["kinerja.tasks.jalankan_job"]
    try:
        jalankan_job.apply_async(
            (job_id,), countdown=countdown, ignore_result=True, declare=TANPA_DEKLARASI
        )
    except Exception as exc:
        if _eager() and not isinstance(exc, OperationalError):
            # In-process mode (no Redis): the handler ran here and its row records the failure.
            log.exception("job %s gagal dijalankan di dalam proses", job_id)
            return True
        log.warning("broker tidak tersedia, job %s menunggu di outbox: %s", job_id, exc)
        return False
    _tandai_dikirim([job_id])
    return True


# `declare` of kombu.Producer.publish (apply_async passes its keywords on): nothing to declare
# before each message. Celery would declare the default queue, but it publishes a task for
# its own queue to the default exchange with the queue's name as routing key (the queue's
# list in Redis, what the worker reads), so the queue's binding is never consulted; the
# declaration was cached per connection anyway (no round trip), only its Python was paid per
# message: copying and binding the Queue and its Exchange (±0.1 ms CPU of ±0.5).
TANPA_DEKLARASI: tuple = ()

_SQL_DIKIRIM = f'UPDATE "{Job._meta.db_table}" SET "dikirim" = %s WHERE "id" = ANY(%s)'


def _tandai_dikirim(job_ids: list[int]) -> None:
    """The rows' `dikirim` (handed to the broker now): the statement
    `Job.objects.filter(pk__in=ids).update(dikirim=now)` made, written once instead of compiled
    by the ORM for every message (±0.35 ms CPU of a notification's ±0.6). SQLite (`make run`)
    has no `= ANY(array)`: the ORM's statement there."""
    if connection.vendor != "postgresql":
        Job.objects.filter(pk__in=job_ids).update(dikirim=timezone.now())
        return
    with connection.cursor() as c:
        c.execute(_SQL_DIKIRIM, [timezone.now(), list(job_ids)])


@dataclass(frozen=True)
class Waiting:
    """What a fan-out handler returns: its children do the rest and one of them completes the job
    (`complete`); if none has after `recheck` seconds, the job runs again to resume. `pesan` and
    `total` (the progress total) go into the row's own update (no progress write of its own);
    the message only while no child has reported progress (children start at the commit)."""

    pesan: str = ""
    recheck: float = 900.0
    total: int = 0


@dataclass(frozen=True)
class Hasil:
    """What an attempt came to: `diambil` (claimed), `sukses`, `ulang` (retry after `tunggu`
    seconds), `sibuk` (another live worker holds it; look again after `tunggu`), `selesai`
    (already done or failed for good), `gagal`, `hilang` (no such row), `menunggu` (fanned out,
    see `Waiting`)."""

    status: str
    tunggu: float = 0.0


def claim(job_id: int, pemilik: str) -> Hasil:
    """Take the job for this attempt with one conditional update."""
    now = timezone.now()
    stale = now - _stale_after()
    taken = (
        Job.objects.filter(pk=job_id)
        .filter(
            Q(status=Job.Status.PENDING)
            | Q(status=Job.Status.RUNNING, diperbarui__lt=stale, percobaan__lt=max_attempts())
        )
        .update(
            status=Job.Status.RUNNING,
            pemilik=pemilik[:80],
            percobaan=F("percobaan") + 1,
            diperbarui=now,
            jadwal=None,
        )
    )
    if taken:
        return Hasil("diambil")
    row = Job.objects.filter(pk=job_id).values("status", "diperbarui", "percobaan").first()
    if row is None:
        return Hasil("hilang")
    if row["status"] != Job.Status.RUNNING:
        return Hasil("selesai")
    if row["diperbarui"] < stale:
        # A dead worker's row that used up its attempts.
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, diperbarui__lt=stale).update(
            status=Job.Status.GAGAL,
            galat=(
                f"Pekerja berhenti di tengah pekerjaan sebanyak {row['percobaan']} kali; "
                "pekerjaan dihentikan."
            ),
            pemilik="",
            diperbarui=now,
        )
        return Hasil("gagal")
    remaining = (row["diperbarui"] + _stale_after() - now).total_seconds()
    return Hasil("sibuk", tunggu=max(remaining, 0) + 1)


class _Heartbeat:
    """Touch the row every KINERJA_JOB_DETAK seconds while the handler runs (own DB connection)."""

    def __init__(self, job_id: int, pemilik: str) -> None:
        self.job_id, self.pemilik = job_id, pemilik
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _Heartbeat:
        if _heartbeat() > 0 and not _eager():
            self._thread = threading.Thread(
                target=self._loop, name=f"detak-job-{self.job_id}", daemon=True
            )
            self._thread.start()
        return self

    def _loop(self) -> None:
        try:
            while not self._stop.wait(_heartbeat()):
                Job.objects.filter(
                    pk=self.job_id, status=Job.Status.RUNNING, pemilik=self.pemilik
                ).update(diperbarui=timezone.now())
        except Exception:  # pragma: no cover - a DB blip; the row may go stale and be retaken
            log.exception("detak job %s gagal", self.job_id)
        finally:
            connection.close()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def run(job_id: int, pemilik: str = "") -> Hasil:
    """Claim the job, run its handler and record success, a retry, or the failure."""
    pemilik = pemilik or f"lokal-{os.getpid()}-{random.getrandbits(32):08x}"
    klaim = claim(job_id, pemilik)
    if klaim.status != "diambil":
        return klaim
    job = Job.objects.get(pk=job_id)
    mine = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, pemilik=job.pemilik)
    if not _imported:
        _import_handlers()  # every handler module, also KINERJA_JOB_MODULES (tests), once
    fn = _handlers.get(job.task)
    if fn is None:
        mine.update(status=Job.Status.GAGAL, galat=f"Handler tidak dikenal: {job.task}")
        return Hasil("gagal")
    try:
        with _Heartbeat(job_id, job.pemilik):
            hasil = fn(job, **job.kwargs) or {}
    except Exception:
        galat = traceback.format_exc()[-4000:]
        # The traceback goes to the log for whoever runs the server; pages show pesan_gagal().
        log.warning(
            "job %s (%s) gagal pada percobaan %s",
            job_id,
            job.task,
            job.percobaan,
            exc_info=True,
        )
        if job.percobaan >= max_attempts():
            mine.update(status=Job.Status.GAGAL, galat=galat, diperbarui=timezone.now())
            return Hasil("gagal")
        tunggu = backoff(job.percobaan)
        now = timezone.now()
        mine.update(
            status=Job.Status.PENDING,
            galat=galat,
            jadwal=now + dt.timedelta(seconds=tunggu),
            dikirim=now,  # the task re-sends itself with a countdown
            pemilik="",
            diperbarui=now,
        )
        return Hasil("ulang", tunggu=tunggu)
    if isinstance(hasil, Waiting):
        # Fanned out: stays pending (the page keeps polling) until a child completes it; runs
        # again to resume at `jadwal`. A child that already completed it left it not ours.
        now = timezone.now()
        mine.update(
            status=Job.Status.PENDING,
            pesan=(
                Case(When(progres=0, then=Value(hasil.pesan[:300])), default=F("pesan"))
                if hasil.pesan
                else F("pesan")
            ),
            progres_total=hasil.total or F("progres_total"),
            galat="",
            percobaan=0,
            jadwal=now + dt.timedelta(seconds=hasil.recheck),
            dikirim=now,
            pemilik="",
            diperbarui=now,
        )
        return Hasil("menunggu")
    done = mine.update(
        status=Job.Status.SUKSES,
        hasil=hasil,
        progres=100,
        galat="",
        diperbarui=timezone.now(),
    )
    if not done:
        log.warning("job %s selesai, tetapi sudah diambil alih pekerja lain", job_id)
    return Hasil("sukses")


def progress(job: Job, done: int, total: int, pesan: str = "") -> None:
    """Report progress for the page that polls the job (also counts as a heartbeat)."""
    pct = int(done * 100 / total) if total else 100
    Job.objects.filter(pk=job.pk).update(
        progres=min(pct, 99), progres_total=total, pesan=pesan[:300], diperbarui=timezone.now()
    )


def progress_id(job_id: int, done: int, total: int, pesan: str = "") -> None:
    """Progress of a fanned-out job, reported by its children from several workers: it never goes
    back (a slower report arriving late), and a finished job keeps its 100 %."""
    from django.db.models.functions import Greatest

    pct = min(int(done * 100 / total) if total else 100, 99)
    Job.objects.filter(pk=job_id, status__in=[Job.Status.PENDING, Job.Status.RUNNING]).update(
        progres=Greatest(F("progres"), pct), progres_total=total, pesan=pesan[:300]
    )


def complete(job_id: int, hasil: dict) -> bool:
    """Mark a fanned-out job (see `Waiting`) done; its last child calls this. False when it was
    already done."""
    return bool(
        Job.objects.filter(pk=job_id)
        .exclude(status=Job.Status.SUKSES)
        .update(
            status=Job.Status.SUKSES,
            hasil=hasil,
            progres=100,
            galat="",
            jadwal=None,
            pemilik="",
            diperbarui=timezone.now(),
        )
    )


def fail(job_id: int, galat: str) -> bool:
    """Mark a fanned-out job failed (a child failed for good); a later run may start it again."""
    return bool(
        Job.objects.filter(pk=job_id, status__in=[Job.Status.PENDING, Job.Status.RUNNING]).update(
            status=Job.Status.GAGAL,
            galat=galat[-4000:],
            jadwal=None,
            pemilik="",
            diperbarui=timezone.now(),
        )
    )


def enqueue_many(
    task: str,
    items: list[tuple[str, dict[str, Any]]],
    *,
    user: Any = None,
    instansi_id: int | None = None,
) -> list[int]:
    """`enqueue` for many keyed jobs at once, in a constant number of queries: each (kunci,
    kwargs) is recorded once (a key already recorded keeps its row); rows never handed to the
    broker and rows that had failed (reset to pending) are sent after commit. Returns the ids of
    the rows, in the order of `items`."""
    if not items:
        return []
    keys = [k for k, _ in items]
    if connection.vendor == "postgresql":
        rows = _catat_pg(task, items, user=user, instansi_id=instansi_id)
    else:
        Job.objects.bulk_create(
            [
                Job(task=task, kunci=k, kwargs=kw, dibuat_oleh=user, instansi_id=instansi_id)
                for k, kw in items
            ],
            ignore_conflicts=True,  # recorded before (or concurrently): that row stands
        )
        rows = {}
    missing = [k for k in keys if k not in rows]
    if missing:  # recorded before (or concurrently): that row stands
        rows.update(
            (k, (pk, st, dikirim))
            for k, pk, st, dikirim in Job.objects.filter(kunci__in=missing)
            .order_by()
            .values_list("kunci", "pk", "status", "dikirim")
        )
    failed = [pk for pk, st, _ in rows.values() if st == Job.Status.GAGAL]
    if failed:
        Job.objects.filter(pk__in=failed, status=Job.Status.GAGAL).update(
            status=Job.Status.PENDING,
            percobaan=0,
            galat="",
            dikirim=None,
            jadwal=None,
            pemilik="",
            diperbarui=timezone.now(),
        )
    fresh = [pk for pk, st, dikirim in rows.values() if st == Job.Status.PENDING and not dikirim]
    to_send = sorted(fresh + failed, key=lambda pk: pk)
    if to_send:
        transaction.on_commit(lambda: send_many(to_send))
    return [rows[k][0] for k in keys]


def _catat_pg(
    task: str,
    items: list[tuple[str, dict[str, Any]]],
    *,
    user: Any,
    instansi_id: int | None,
    kecuali: Any = None,
) -> dict[str, tuple[int, str, Any]]:
    """`enqueue_many`'s rows on PostgreSQL in one statement: the keys and kwargs travel as one
    JSON document and the new rows' ids come back (RETURNING); a key already recorded is left
    alone and not returned. The ORM's bulk_create built a model instance and 17 typed arrays for
    the same rows: 922 unit jobs of a province's close cost ~0.1 s CPU in Python, ~5x this.
    Columns and defaults are the model's own (a test compares the rows both ways write)."""
    now = timezone.now()
    doc = json.dumps([{"k": k, "a": kw} for k, kw in items])
    syarat, syarat_params = "", []
    if kecuali is not None:  # enqueue_baru: no row when this query finds one
        sql, syarat_params = kecuali.query.sql_with_params()
        syarat = f" WHERE NOT EXISTS ({sql})"
    with connection.cursor() as c:
        c.execute(
            sql_catat_pg("jsonb_to_recordset(%s::jsonb) AS r(k text, a jsonb)", syarat),
            [
                *params_catat_pg(task, user=user, instansi_id=instansi_id, now=now),
                doc,
                *syarat_params,
            ],
        )
        return {k: (pk, Job.Status.PENDING.value, None) for k, pk in c.fetchall()}


def sql_catat_pg(sumber: str, syarat: str = "") -> str:
    """`_catat_pg`'s INSERT of the rows of `sumber` (a FROM item `r` with columns `k` text, the
    key, and `a` jsonb, the kwargs), its parameters `params_catat_pg` then those of `sumber`
    and `syarat`. Also a part of a larger statement (kinerja.notifikasi: the email's job with
    its notification)."""
    return (
        f'INSERT INTO "{Job._meta.db_table}" (task, kwargs, status, kunci, percobaan, '
        "progres, progres_total, pesan, galat, hasil, dibuat_oleh_id, dibuat, dikirim, "
        "diperbarui, pemilik, jadwal, instansi_id) "
        "SELECT %s, r.a, %s, r.k, 0, 0, 0, '', '', '{}'::jsonb, %s, %s, NULL, %s, '', "
        f"NULL, %s FROM {sumber}{syarat} "
        "ON CONFLICT (kunci) DO NOTHING RETURNING kunci, id"
    )


def params_catat_pg(task: str, *, user: Any, instansi_id: int | None, now: Any) -> list:
    return [task, Job.Status.PENDING.value, getattr(user, "pk", user), now, now, instansi_id]


def send_many(job_ids: list[int]) -> int:
    """`send` for many jobs: one message each, one UPDATE for all; stops at the first broker
    error (the sweep sends the rest). Returns how many were sent."""
    from kombu.exceptions import OperationalError

    from kinerja import tasks  # noqa: F401  (registers the task)
    from kinerja.celery import app

    jalankan_job = app.tasks["kinerja.tasks.jalankan_job"]
    sent: list[int] = []
    for job_id in job_ids:
        try:
            jalankan_job.apply_async((job_id,), ignore_result=True, declare=TANPA_DEKLARASI)
        except Exception as exc:
            if _eager() and not isinstance(exc, OperationalError):
                log.exception("job %s gagal dijalankan di dalam proses", job_id)
                sent.append(job_id)
                continue
            log.warning("broker tidak tersedia, job %s dst. menunggu di outbox: %s", job_id, exc)
            break
        sent.append(job_id)
    if sent:
        _tandai_dikirim(sent)
    return len(sent)


def sweep() -> int:
    """Send what may never have reached (or been lost by) the broker; returns how many.

    - pending rows never handed over (Redis was down at commit), once due;
    - pending rows handed over long ago and never started (the message was lost);
    - running rows whose worker stopped beating (the message may be gone with the worker).
    """
    now = timezone.now()
    stale = now - _stale_after()
    due = Q(jadwal__isnull=True) | Q(jadwal__lte=now)
    pending = (
        Q(status=Job.Status.PENDING)
        & due
        & (Q(dikirim__isnull=True, dibuat__lt=now - FRESH) | Q(dikirim__lt=now - RESEND_AFTER))
    )
    dead = Q(status=Job.Status.RUNNING, diperbarui__lt=stale) & (
        Q(dikirim__isnull=True) | Q(dikirim__lt=stale)
    )
    ids = list(Job.objects.filter(pending | dead).order_by("id").values_list("id", flat=True)[:500])
    sent = 0
    for job_id in ids:
        if not send(job_id):
            break  # the broker is down: the next sweep tries again
        sent += 1
    return sent


_imported = False


def _import_handlers() -> None:
    """Import every app's tasks.py (and KINERJA_JOB_MODULES) so their handlers register."""
    global _imported
    from django.apps import apps

    for cfg in apps.get_app_configs():
        try:
            import_module(f"{cfg.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{cfg.name}.tasks":
                raise
    for name in filter(None, (m.strip() for m in os.environ.get(ENV_MODULES, "").split(","))):
        import_module(name)
    _imported = True
