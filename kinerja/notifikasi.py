"""In-app notifications and their email, the one path every stage uses to tell someone.

Every notification has a `jenis` (reason code). Stages register the codes they send with a
label (`daftar_jenis("skp_disetujui", "SKP disetujui")`) so the preferences page can offer
"email on/off" per kind; reminders register theirs through `kinerja.pengingat.pengingat`.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from kinerja import jobs, policy
from kinerja.baris_sql import nilai_sisip, sisip
from kinerja.models import Job, Notifikasi, PreferensiNotifikasi
from kinerja.situs import alamat

JENIS: dict[str, str] = {}


def daftar_jenis(kode: str, label: str) -> None:
    """Register a notification kind and its label (Bahasa Indonesia)."""
    JENIS.setdefault(kode, label)


def label_jenis(kode: str) -> str:
    if kode not in JENIS:
        from kinerja.pengingat import temukan

        temukan()  # the stages' reminder kinds register on discovery (once per process)
    return JENIS.get(kode) or kode.replace("_", " ").capitalize()


def notifikasi_kirim(
    *, penerima: Any, jenis: str, pesan: str, tautan: str = "", kunci: str | None = None
) -> Notifikasi | None:
    """Notify a user (in the app, and by email unless they turned that kind off).

    With `kunci` (e.g. "pengingat:skp_belum_diajukan:42:2026-01-20") a repeat is a no-op, so a
    reminder fires at most once per person per reason per day however often beat runs or a task
    is retried. Returns None on a repeat (or when there is nobody to tell).
    """
    if penerima is None or not getattr(penerima, "is_active", True):
        return None
    baris = {"penerima": penerima, "jenis": jenis, "pesan": pesan[:500], "tautan": tautan[:300]}
    if kunci is None and penerima.email and connection.vendor == "postgresql":
        n = _dengan_email_pg(baris, penerima, jenis)
        if n is not None:
            _lupakan_nav(penerima.pk)
            return n
    if kunci is None:
        # Only `kunci` is unique (foreign keys are checked at commit): nothing to catch, so no
        # savepoint around the insert.
        n = Notifikasi.objects.create(**baris, kunci=None)
    else:
        try:
            with transaction.atomic():
                n = Notifikasi.objects.create(**baris, kunci=kunci)
        except IntegrityError:
            return None
    _lupakan_nav(penerima.pk)
    if penerima.email:
        # The email's job belongs to the recipient's instansi (policy.instansi_of), written with
        # the row. The key is the new row's id, and the recipient's choice (`_email_mati`) is
        # asked inside the same INSERT: one statement on PostgreSQL (jobs.enqueue_baru).
        instansi_id = policy.instansi_of_dimuat(penerima)
        job = jobs.enqueue_baru(
            EMAIL_TASK,
            kunci=f"email:{n.pk}",
            instansi=instansi_id,
            kecuali=_email_mati(penerima, jenis),
            notifikasi_id=n.pk,
        )
        if job is not None and instansi_id and job[1] is None:
            Job.objects.filter(pk=job[0], instansi__isnull=True).update(instansi_id=instansi_id)
    return n


EMAIL_TASK = "kinerja.email_notifikasi"


def _dengan_email_pg(baris: dict, penerima: Any, jenis: str) -> Notifikasi | None:
    """The notification and its email's job in one statement (PostgreSQL, no `kunci`): the
    notification's own INSERT (compiled once, kinerja.baris_sql.sisip) in a WITH, the job's
    (jobs.sql_catat_pg: the key `email:<id>`, the recipient's instansi) from its RETURNING,
    written unless the recipient turned this kind's email off (asked inside, as
    jobs.enqueue_baru does); sent once the transaction commits. Both tables are plumbing to
    the page cache (kinerja.cache_cakupan), so nothing it would have read is hidden from it.
    None: not compiled (the caller takes the ORM's path)."""
    plan = sisip(Notifikasi)
    if plan is None:
        return None
    sql_n, fields = plan
    n = Notifikasi(**baris, kunci=None)
    n.diubah = timezone.now()  # as Sinkron.save sets it
    instansi_id = policy.instansi_of_dimuat(penerima)
    mati = [penerima.pk, jenis]
    with connection.cursor() as c:
        c.execute(
            _sql_dengan_email(sql_n),
            [
                *nilai_sisip(n, fields),
                *jobs.params_catat_pg(EMAIL_TASK, user=None, instansi_id=instansi_id, now=n.diubah),
                *mati,
                *mati,
            ],
        )
        n.pk, n.diubah, job_id, email_mati = c.fetchone()
    n._state.adding, n._state.db = False, DEFAULT_DB_ALIAS
    if job_id is not None:
        transaction.on_commit(lambda: jobs.send(job_id))
    elif not email_mati:  # the key was recorded before (a reused id): enqueue's rules
        jobs.enqueue(EMAIL_TASK, kunci=f"email:{n.pk}", instansi=instansi_id, notifikasi_id=n.pk)
    return n


_SQL_EMAIL_MATI = (
    f'SELECT 1 FROM "{PreferensiNotifikasi._meta.db_table}" '
    "WHERE user_id = %s AND jenis = %s AND NOT email"
)


@functools.cache
def _sql_dengan_email(sql_n: str) -> str:
    sumber = (
        "(SELECT 'email:' || n.id AS k, jsonb_build_object('notifikasi_id', n.id) AS a FROM n) AS r"
    )
    job = jobs.sql_catat_pg(sumber, f" WHERE NOT EXISTS ({_SQL_EMAIL_MATI})")
    return (
        f"WITH n AS ({sql_n}), j AS ({job}) "
        f"SELECT n.id, n.diubah, (SELECT id FROM j), EXISTS ({_SQL_EMAIL_MATI}) FROM n"
    )


def kabari(
    pegawai: Any,
    *,
    jenis: str,
    pesan: str,
    tautan: str = "",
    label: str | None = None,
    setelah_commit: bool = False,
) -> None:
    """Tell a pegawai through their login: the one helper the stages' services use.

    Nobody to tell (no pegawai, no login): nothing happens. `label` registers the kind for the
    preferences page. `setelah_commit` sends once the change commits (never for a change that
    rolls back); otherwise the notification is written in the same transaction as the change."""
    if label:
        daftar_jenis(jenis, label)
    if pegawai is None or not pegawai.user_id:
        return
    user = pegawai.user

    def kirim() -> None:
        notifikasi_kirim(penerima=user, jenis=jenis, pesan=pesan, tautan=tautan)

    if setelah_commit:
        transaction.on_commit(kirim)
    else:
        kirim()


def _email_mati(user: Any, jenis: str) -> Any:
    """The user's choice of no email for this kind (a row when they turned it off)."""
    return PreferensiNotifikasi.objects.filter(user=user, jenis=jenis, email=False)


def email_diinginkan(user: Any, jenis: str) -> bool:
    return not _email_mati(user, jenis).exists()


def notifikasi_baca(*, user: Any, notifikasi: Notifikasi) -> None:
    """Mark one of the user's own notifications read."""
    if notifikasi.penerima_id != user.pk:
        raise PermissionDenied("Notifikasi ini bukan milik Anda.")
    Notifikasi.objects.filter(pk=notifikasi.pk).update(dibaca=True)
    notifikasi.dibaca = True
    _lupakan_nav(user.pk)


def notifikasi_baca_semua(*, user: Any) -> int:
    """Mark all of the user's unread notifications read; returns how many."""
    n = Notifikasi.objects.filter(penerima=user, dibaca=False).update(dibaca=True)
    _lupakan_nav(user.pk)
    return n


def _lupakan_nav(user_id: int) -> None:
    """The menu's unread count is cached per user (kinerja.context_processors): drop it now,
    and again once the transaction commits, so no request in between caches the old count.

    Inside a transaction, the drop now serves only a reader on this connection, i.e. this
    request showing this user's menu before the commit (the rows are not visible elsewhere
    yet, and what another request caches meanwhile is dropped at the commit). A request shows
    only its own user's menu, so when the request acting (`_pengguna_request`) is someone
    else's - feedback or an approval telling the pegawai - the commit's drop is the one that
    counts, and the drop now (a Redis round trip) is left out. Without a request (a task, the
    shell), both, as before."""
    from kinerja.context_processors import nav_lupakan

    if not transaction.get_connection().in_atomic_block:
        nav_lupakan(user_id)  # on_commit would run it right now: the same drop twice in a row
        return
    if _pengguna_request() in (None, user_id):
        nav_lupakan(user_id)
    transaction.on_commit(lambda: nav_lupakan(user_id))


def _pengguna_request() -> int | None:
    """The id of the user of the request being served (the one simple_history's middleware
    keeps for history, the API's authenticated user included), None without one (also under
    kinerja.riwayat.atas_nama, which keeps a stand-in for a service run by a task)."""
    from django.http import HttpRequest
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    if not isinstance(request, HttpRequest):
        return None
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def jumlah_belum_dibaca(user: Any) -> int:
    return Notifikasi.objects.filter(penerima=user, dibaca=False).count()


def preferensi_daftar(user: Any) -> list[dict[str, Any]]:
    """Every kind the user may receive (registered, or already received) with the email flag."""
    off = set(
        PreferensiNotifikasi.objects.filter(user=user, email=False).values_list("jenis", flat=True)
    )
    kinds = dict(JENIS)
    for kode in Notifikasi.objects.filter(penerima=user).values_list("jenis", flat=True).distinct():
        kinds.setdefault(kode, label_jenis(kode))
    return [
        {"kode": k, "label": label, "email": k not in off}
        for k, label in sorted(kinds.items(), key=lambda kv: kv[1].lower())
    ]


@transaction.atomic
def preferensi_simpan(*, user: Any, email: dict[str, bool]) -> None:
    """Store the user's email choice per kind (unknown kinds are ignored)."""
    known = {p["kode"] for p in preferensi_daftar(user)}
    for kode, on in email.items():
        if kode not in known:
            continue
        PreferensiNotifikasi.objects.update_or_create(
            user=user, jenis=kode, defaults={"email": bool(on)}
        )


def tautan_penuh(tautan: str) -> str:
    """The absolute address of an in-app link, for email."""
    if not tautan:
        return f"{alamat()}/notifikasi/"
    if tautan.startswith(("http://", "https://")):
        return tautan
    return f"{alamat()}{tautan if tautan.startswith('/') else '/' + tautan}"


def email_susun(n: Notifikasi) -> EmailMultiAlternatives:
    """The email for a notification: Bahasa Indonesia, with the link that resolves it."""
    user = n.penerima
    ctx = {
        "nama": user.get_full_name() or user.username,
        "pesan": n.pesan,
        "judul": label_jenis(n.jenis),
        "tautan": tautan_penuh(n.tautan),
        "preferensi": f"{alamat()}/notifikasi/preferensi/",
        "site_url": alamat(),
    }
    subjek = " ".join(render_to_string("email/notifikasi_subjek.txt", ctx).split())
    msg = EmailMultiAlternatives(
        subject=subjek,
        body=render_to_string("email/notifikasi.txt", ctx),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    msg.attach_alternative(render_to_string("email/notifikasi.html", ctx), "text/html")
    return msg


def email_kirim(notifikasi_id: int) -> bool:
    """Send a notification's email at most once (claimed by a conditional update first)."""
    n = Notifikasi.objects.select_related("penerima").filter(pk=notifikasi_id).first()
    if n is None or not n.penerima.email or not email_diinginkan(n.penerima, n.jenis):
        return False
    claimed = Notifikasi.objects.filter(pk=n.pk, email_terkirim__isnull=True).update(
        email_terkirim=timezone.now()
    )
    if not claimed:
        return False
    try:
        email_susun(n).send()
    except Exception:
        # Not sent: release the claim so the job's retry sends it.
        Notifikasi.objects.filter(pk=n.pk).update(email_terkirim=None)
        raise
    return True
