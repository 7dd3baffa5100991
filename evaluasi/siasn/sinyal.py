"""Wiring done once at start-up (EvaluasiConfig.ready): the push job, the post_save hook that
schedules it, and the admin's menu entry."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save


def _evaluasi_disimpan(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    # Every save of a final evaluation (finalisation, a keberatan decision, re-finalisation):
    # one outbox job per row_version, recorded in the same transaction; the job sends only what
    # SIASN does not have yet.
    if instance.status == "final" and not kwargs.get("raw"):
        from evaluasi.siasn.kirim import jadwalkan

        jadwalkan(instance)


def pasang() -> None:
    from evaluasi.models import Evaluasi
    from evaluasi.siasn import tasks  # noqa: F401  registers the job handler
    from kinerja import navigation as nav

    post_save.connect(_evaluasi_disimpan, sender=Evaluasi, dispatch_uid="siasn-jadwalkan")
    nav.add_nav("SIASN", "siasn:rekaman", nav.is_admin, order=48, grup="kelola")
