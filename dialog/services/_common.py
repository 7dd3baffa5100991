"""Helpers shared by the dialog stage's services: who the pegawai is, the year and window, notification, row version."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kinerja import policy
from kinerja.baris_sql import kolom, nilai_sisip, objek, sisip
from kinerja.models import Pegawai, Periode
from kinerja.riwayat import hanya_riwayat, layanan
from kinerja.rules import jendela_pada
from kinerja.sinkron import Sinkron, SinkronBagian


# --- helpers ---------------------------------------------------------------------------------
@layanan
def pegawai_dari(
    user: Any, dimuat: Pegawai | None = None, *, dengan_relasi: bool = True
) -> Pegawai:
    """The Pegawai behind a login; someone who is not a pegawai cannot take part in dialogue.
    `dimuat`: that row as this function already returned it in this request (the API's
    serializer asked first), used only when it is the login's own pegawai. Without
    `dengan_relasi` (a caller that reads no jabatan or instansi through it) the row the login
    was loaded with this request (policy.dengan_actor: session or token) is returned, no query."""
    a = policy.actor(user)
    if not a.pegawai_id:
        raise PermissionDenied("Hanya pegawai yang dapat melakukan tindakan ini.")
    if dimuat is not None and dimuat.pk == a.pegawai_id:
        return dimuat
    if not dengan_relasi:
        cache = getattr(getattr(user, "_state", None), "fields_cache", {})
        row = cache.get("pegawai")
        if row is not None and row.pk == a.pegawai_id:
            return row
    return Pegawai.objects.select_related("jabatan", "instansi").get(pk=a.pegawai_id)


def penerima_dengan_periode(pegawai_id: int, tahun: int) -> Pegawai | None:
    """The pegawai `pegawai_id` (any status, any instansi: the caller asks the policy of it,
    dialog.selectors.penerima_boleh, before anything of it is used or shown), with its login
    and its instansi's period of `tahun` (for periode_untuk): one statement, compiled once,
    where the API's field, the periode lookup and the notification each read it before
    (issue 19). None: no such pegawai."""
    if connection.vendor != "postgresql":
        p = Pegawai.objects.select_related("user").filter(pk=pegawai_id).first()
        if p is not None:
            p._periode_dimuat = (
                tahun,
                Periode.objects.filter(instansi_id=p.instansi_id, tahun=tahun).first(),
            )
        return p
    with connection.cursor() as cur:
        cur.execute(_sql_penerima(), [tahun, pegawai_id])
        row = cur.fetchone()
    if row is None:
        return None
    User = get_user_model()
    p, i = objek(Pegawai, "p", row, 0)
    user, i = objek(User, "u", row, i)
    periode = objek(Periode, "pe", row, i)[0]
    if user is not None:
        # Both directions, as select_related("user") leaves them: the notification reads the
        # recipient's instansi through user.pegawai (policy.instansi_of_dimuat).
        field = Pegawai._meta.get_field("user")
        field.set_cached_value(p, user)
        field.remote_field.set_cached_value(user, p)
    p._periode_dimuat = (tahun, periode)
    return p


@functools.cache
def _sql_penerima() -> str:
    q = connection.ops.quote_name
    return (
        f"SELECT {kolom(Pegawai, 'p')}, {kolom(get_user_model(), 'u')}, {kolom(Periode, 'pe')} "
        f"FROM {q(Pegawai._meta.db_table)} p "
        f"LEFT JOIN {q(get_user_model()._meta.db_table)} u ON u.id = p.user_id "
        f"LEFT JOIN {q(Periode._meta.db_table)} pe "
        "ON pe.instansi_id = p.instansi_id AND pe.tahun = %s "
        "WHERE p.id = %s"
    )


def periode_untuk(pegawai: Pegawai, tanggal: dt.date, *, untuk_menulis: bool = True) -> Periode:
    dimuat = getattr(pegawai, "_periode_dimuat", None)
    if dimuat is not None and dimuat[0] == tanggal.year:
        periode = dimuat[1]  # read with the pegawai (penerima_dengan_periode), this request
    else:
        periode = Periode.objects.filter(
            instansi_id=pegawai.instansi_id, tahun=tanggal.year
        ).first()
    if periode is None:
        raise ValidationError(
            f"Periode kinerja tahun {tanggal.year} untuk instansi {pegawai.instansi} belum dibuka."
        )
    if untuk_menulis and periode.ditutup:
        raise ValidationError(f"Periode kinerja {periode.tahun} sudah ditutup (hanya baca).")
    return periode


def urutan_jendela(periode: Periode, tanggal: dt.date) -> int:
    j = jendela_pada(periode.tahun, periode.frekuensi, tanggal)
    return j.urutan if j and j.urutan else 1


def kode_perilaku() -> dict[str, str]:
    from skp.rules import BERAKHLAK

    return {code: label for code, label, _guides in BERAKHLAK}


# --- a new row and its history row -----------------------------------------------------------
def simpan_baru(obj: Model) -> None:
    """`obj.save()` of a new row of a resource with history (a Sinkron model with
    HistoricalRecords, no parent): the same two INSERTs with the same values (the row, then its
    history row "+", by the acting user as simple_history records it), each compiled once
    (kinerja.baris_sql.sisip) instead of by the ORM, and without the historical instance, on
    every request (issue 19). Through the ORM off PostgreSQL, when history is off, or when a
    receiver this path would skip listens (tests/dialog/test_umpan_balik_cepat.py holds the
    receivers and compares the rows both ways write)."""
    model = type(obj)
    plan = _rencana_simpan(model)
    if (
        plan is None
        or connection.vendor != "postgresql"
        or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
        or hasattr(obj, "skip_history_when_saving")
        # Any receiver besides simple_history's own (an app's, a test's): through the ORM.
        or hanya_riwayat(model) is None
    ):
        obj.save()
        return
    (sql, fields), (sql_h, fields_h), sendiri, _hist = plan
    obj.diubah = timezone.now()
    with connection.cursor() as cur:
        cur.execute(sql, nilai_sisip(obj, fields))
        obj.pk, obj.diubah = cur.fetchone()
        obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS
        nilai = {f.attname: getattr(obj, f.attname) for f in sendiri}
        nilai.update(
            history_date=getattr(obj, "_history_date", timezone.now()),
            history_change_reason=getattr(obj, "_change_reason", None),
            history_type="+",
            history_user_id=getattr(_pengguna_riwayat(obj), "pk", None),
        )
        cur.execute(sql_h, [f.get_db_prep_save(nilai[f.attname], connection) for f in fields_h])


@functools.cache
def _rencana_simpan(model: type[Model]) -> tuple | None:
    history = getattr(model, "history", None)  # simple_history's manager (built per access)
    if history is None:
        return None
    hist = history.model
    baris, riwayat = sisip(model), sisip(hist)
    if baris is None or riwayat is None or not issubclass(model, Sinkron):
        return None
    if issubclass(model, SinkronBagian) or hist._history_m2m_fields:
        return None
    sendiri = [
        f
        for f in model._meta.concrete_fields
        if f.attname in {g.attname for g in riwayat[1]} and not f.attname.startswith("history_")
    ]
    return baris, riwayat, sendiri, hist


def _pengguna_riwayat(obj: Model) -> Any:
    """The user simple_history records (HistoricalRecords.get_history_user, default get_user):
    the instance's own, else the request's (kinerja.riwayat.atas_nama outside a request)."""
    if hasattr(obj, "_history_user"):
        return obj._history_user
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None
