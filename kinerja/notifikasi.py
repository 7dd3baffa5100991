"""In-app notifications and their email, the one path every stage uses to tell someone."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from kinerja import jobs
from kinerja.models import Notifikasi, PreferensiNotifikasi


def notifikasi_kirim(
    *, penerima: Any, jenis: str, pesan: str, tautan: str = "", kunci: str | None = None
) -> Notifikasi | None:
    """Notify a user (in the app, and by email unless they turned that kind off).

    With `kunci` (e.g. "pengingat:skp:42:2026-01-20") a repeat is a no-op, so reminders fire at
    most once per person per reason per day however often beat runs. Returns None on a repeat.
    """
    if penerima is None:
        return None
    try:
        with transaction.atomic():
            n = Notifikasi.objects.create(
                penerima=penerima, jenis=jenis, pesan=pesan[:500], tautan=tautan, kunci=kunci
            )
    except IntegrityError:
        return None
    wants_email = not PreferensiNotifikasi.objects.filter(
        user=penerima, jenis=jenis, email=False
    ).exists()
    if wants_email and penerima.email:
        jobs.enqueue("kinerja.email_notifikasi", kunci=f"email:{n.pk}", notifikasi_id=n.pk)
    return n


def notifikasi_baca(*, user: Any, notifikasi: Notifikasi) -> None:
    """Mark one of the user's own notifications read."""
    if notifikasi.penerima_id != user.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Notifikasi ini bukan milik Anda.")
    Notifikasi.objects.filter(pk=notifikasi.pk).update(dibaca=True)
