from __future__ import annotations

import gc
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")

app = Celery("kinerja")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes every database connection before and after each task, whatever
# CONN_MAX_AGE says: a new PostgreSQL connection (~3 ms, more than claiming the job) per job.
# With a reuse limit it leaves them open; `_django_connections` below applies Django's own
# per-request rule instead (close a connection past CONN_MAX_AGE or one that saw an error).
app.conf["CELERY_DB_REUSE_MAX"] = 1_000_000
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _django_connections(sender=None, **kwargs) -> None:
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()


@worker_process_init.connect
def _gc_freeze(**kwargs) -> None:
    # What a pool process inherits (Django, Celery, WeasyPrint's modules: hundreds of thousands of
    # objects) never becomes garbage; the collector need not walk it on every full collection
    # during a render.
    gc.freeze()
