"""Electronic approvals: each party's agreement to a document, recorded with its time.

Stage services call these inside their own transaction, after their own access checks:

    persetujuan_catat(objek=skp, pegawai=skp.pegawai, peran="pegawai")
    persetujuan_catat(objek=skp, pegawai=penilai, peran="pejabat_penilai")
    persetujuan_cabut(objek=skp, alasan="SKP dikembalikan ke draf")   # on reopen / new version
    persetujuan_untuk(skp)  -> [PersetujuanElektronik, ...] for the PDF

The PDF shows them through `templates/kinerja/verifikasi_persetujuan_pdf.html`
("Disetujui secara elektronik oleh ... pada ..."). This is an in-application record of agreement,
not a certified electronic signature (tanda tangan elektronik tersertifikasi), and says so.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from kinerja.models import Pegawai, PersetujuanElektronik

Peran = PersetujuanElektronik.Peran

# Which attribute of the approved object, when it has one, names the person of each role.
_ATRIBUT_PERAN = {
    Peran.PEGAWAI: "pegawai_id",
    Peran.PEJABAT_PENILAI: "pejabat_penilai_id",
    Peran.ATASAN_PEJABAT_PENILAI: "atasan_pejabat_penilai_id",
}

CATATAN = (
    "Persetujuan elektronik dicatat oleh aplikasi Kinerja; bukan tanda tangan elektronik "
    "tersertifikasi."
)


def _ct(objek: Any) -> ContentType:
    if objek is None or getattr(objek, "pk", None) is None:
        raise ValidationError("Objek yang disetujui belum tersimpan.")
    return ContentType.objects.get_for_model(type(objek))


def persetujuan_catat(
    *, objek: Any, pegawai: Pegawai, peran: str, waktu: dt.datetime | None = None
) -> PersetujuanElektronik:
    """Record that `pegawai` agreed to `objek` in role `peran` (now, unless `waktu` is given).

    The caller has already checked that this person may approve. As a guard against wiring
    mistakes, when the object names the person of that role (`pegawai_id`, `pejabat_penilai_id`,
    `atasan_pejabat_penilai_id`) the approver must be that person. A repeated approval by the same
    person in the same role, while the earlier one stands, returns the earlier one unchanged.
    """
    if peran not in Peran.values:
        raise ValidationError({"peran": f"Peran persetujuan tidak dikenal: {peran}."})
    attr = _ATRIBUT_PERAN[Peran(peran)]
    expected = getattr(objek, attr, None)
    if expected is not None and expected != pegawai.pk:
        raise ValidationError(
            {"peran": f"{pegawai.nama} bukan {Peran(peran).label} untuk dokumen ini."}
        )
    ct = _ct(objek)
    # Atomic on its own; inside a service's transaction without a savepoint of its own (two
    # statements fewer per approval): the checks above raise before anything is written, and
    # a database error below ends the caller's transaction as it would have anyway.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            baru = _catat_jika_baru(ct, objek, pegawai, peran, waktu)
            if baru is not None:
                return baru
        berlaku = _berlaku(ct, objek, peran)
        same = berlaku.filter(pegawai=pegawai).first()
        if same is not None:
            return same
        with _cakupan(objek):
            return _catat(berlaku, ct, objek, pegawai, peran, waktu)


def _berlaku(ct: ContentType, objek: Any, peran: str) -> Any:
    """The approvals of `objek` in role `peran` that stand."""
    return PersetujuanElektronik.objects.filter(
        content_type=ct, object_id=objek.pk, peran=peran, dicabut__isnull=True
    )


def _catat_jika_baru(
    ct: ContentType, objek: Any, pegawai: Pegawai, peran: str, waktu: Any
) -> PersetujuanElektronik | None:
    """`_catat` on PostgreSQL when this person's approval is not standing yet (the usual case):
    the row is inserted only if that approval does not exist (`WHERE NOT EXISTS`, so there is no
    SELECT of its own), then the others of the role, if any stood, are revoked as `_catat` does.
    None when it stands (nothing written: the caller returns it)."""
    baris = _baris(ct, objek, pegawai, peran, waktu or timezone.now())
    sql, urutan = _sql_catat(tuple(baris))
    nilai = {"ct": ct.pk, "objek": objek.pk, "peran": peran, "pegawai": pegawai.pk}
    with _cakupan(objek), connection.cursor() as c:
        c.execute(sql, [*baris.values(), *(nilai[k] for k in urutan)])
        row = c.fetchone()
        if row is None:
            return None
        if row[1]:
            _berlaku(ct, objek, peran).exclude(pk=row[0]).update(
                dicabut=baris["waktu"], alasan_dicabut="Digantikan persetujuan baru"
            )
    baris.pop("content_type_id"), baris.pop("pegawai_id")
    p = PersetujuanElektronik(id=row[0], content_type=ct, pegawai=pegawai, **baris)
    p._state.adding = False
    p._state.db = connection.alias
    return p


# Stand-ins for the values `_sql_catat` compiles with, told apart in its parameters.
_CONTOH = {"ct": 900000001, "objek": 900000002, "peran": "\x00peran", "pegawai": 900000003}


@functools.cache
def _sql_catat(kolom: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The INSERT of `_catat_jika_baru` for the columns `kolom`, its conditions (this person's
    standing approval; whether others of the role stand, asked in the same statement: RETURNING
    sees the rows as they were before it) compiled by the ORM once per process (issue 19), and
    which value each of their parameters is (after the row's values)."""
    ct, objek, peran, peg = (_CONTOH[k] for k in ("ct", "objek", "peran", "pegawai"))
    berlaku = PersetujuanElektronik.objects.filter(
        content_type_id=ct, object_id=objek, peran=peran, dicabut__isnull=True
    )
    sama_sql, sama_params = (
        berlaku.filter(pegawai_id=peg).order_by().values("pk").query.sql_with_params()
    )
    lain_sql, lain_params = berlaku.order_by().values("pk").query.sql_with_params()
    nama = {v: k for k, v in _CONTOH.items()}
    urutan = tuple(nama[p] for p in (*sama_params, *lain_params))
    daftar = ", ".join(f'"{k}"' for k in kolom)
    return (
        f'INSERT INTO "{PersetujuanElektronik._meta.db_table}" ({daftar}) '
        f"SELECT {', '.join(['%s'] * len(kolom))} WHERE NOT EXISTS ({sama_sql}) "
        f"RETURNING id, EXISTS ({lain_sql})",
        urutan,
    )


def _baris(ct: ContentType, objek: Any, pegawai: Pegawai, peran: str, now: Any) -> dict[str, Any]:
    """The columns of a new approval row (its name, NIP and position as they are now)."""
    nama_jabatan = pegawai.jabatan.nama if pegawai.jabatan_id else ""
    if pegawai.plt_jabatan_id:
        plt = f"{(pegawai.plt_jenis or 'plt').capitalize()}. {pegawai.plt_jabatan.nama}"
        nama_jabatan = f"{nama_jabatan} / {plt}" if nama_jabatan else plt
    return {
        "content_type_id": ct.pk,
        "object_id": objek.pk,
        "pegawai_id": pegawai.pk,
        "peran": peran,
        "waktu": now,
        "nama": pegawai.nama,
        "nip": pegawai.nip or "",
        "jabatan": nama_jabatan[:200],
        "dicabut": None,
        "alasan_dicabut": "",
    }


def _cakupan(objek: Any) -> Any:
    """The approval rows of an SKP or evaluation are its instansi's data for the page cache
    (kinerja.cache_cakupan): they end that instansi's cached pages, not every page."""
    import contextlib

    from kinerja.cache_cakupan import dalam_periode

    periode_id = getattr(objek, "periode_id", None)
    return dalam_periode(periode_id) if periode_id else contextlib.nullcontext()


def _catat(
    berlaku: Any, ct: ContentType, objek: Any, pegawai: Pegawai, peran: str, waktu: Any
) -> PersetujuanElektronik:
    now = waktu or timezone.now()
    # Someone else approving the same role (e.g. a new penilai) replaces the earlier approval.
    berlaku.update(dicabut=now, alasan_dicabut="Digantikan persetujuan baru")
    return PersetujuanElektronik.objects.create(**_baris(ct, objek, pegawai, peran, now))


@transaction.atomic
def persetujuan_cabut(*, objek: Any, alasan: str, peran: str | None = None) -> int:
    """Revoke the standing approvals of `objek` (all roles, or one), e.g. when it is reopened or
    returned to draft. Returns how many were revoked. Rows are kept for history."""
    ct = _ct(objek)
    qs = PersetujuanElektronik.objects.filter(
        content_type=ct, object_id=objek.pk, dicabut__isnull=True
    )
    if peran:
        qs = qs.filter(peran=peran)
    with _cakupan(objek):
        return qs.update(dicabut=timezone.now(), alasan_dicabut=alasan[:300])


def persetujuan_untuk(
    objek: Any, *, pada: dt.datetime | None = None
) -> list[PersetujuanElektronik]:
    """The approvals standing for `objek` (now, or at moment `pada`), in role order.

    One per role: the latest approval of that role. Each item has `.teks` ready for the PDF.
    """
    if objek is None or getattr(objek, "pk", None) is None:
        return []
    ct = ContentType.objects.get_for_model(type(objek))
    return persetujuan_untuk_ref(content_type_id=ct.pk, object_id=objek.pk, pada=pada)


def persetujuan_untuk_ref(
    *, content_type_id: int, object_id: int, pada: dt.datetime | None = None
) -> list[PersetujuanElektronik]:
    """`persetujuan_untuk` by reference (e.g. from a Dokumen's generic link), one query."""
    qs = PersetujuanElektronik.objects.filter(content_type_id=content_type_id, object_id=object_id)
    if pada is None:
        qs = qs.filter(dicabut__isnull=True)
    else:
        qs = qs.filter(waktu__lte=pada).exclude(dicabut__lte=pada)
    latest: dict[str, PersetujuanElektronik] = {}
    for p in qs.order_by("waktu", "id"):
        latest[p.peran] = p
    order = list(Peran.values)
    hasil = sorted(latest.values(), key=lambda p: order.index(p.peran))
    for p in hasil:
        p.teks = persetujuan_teks(p)
    return hasil


def persetujuan_teks(p: PersetujuanElektronik) -> str:
    """'Disetujui secara elektronik oleh NAMA (NIP ...) selaku ... pada 5 Januari 2026 pukul 09.30 WIB'."""
    from django.utils.formats import date_format

    lokal = timezone.localtime(p.waktu)
    nip = f" (NIP {p.nip})" if p.nip else ""
    waktu = date_format(lokal, "j F Y") + " pukul " + lokal.strftime("%H.%M")
    zona = lokal.tzname() or ""
    zona = {"+07": "WIB", "+08": "WITA", "+09": "WIT"}.get(zona, zona)
    return (
        f"Disetujui secara elektronik oleh {p.nama}{nip} selaku "
        f"{Peran(p.peran).label} pada {waktu} {zona}".rstrip()
    )
