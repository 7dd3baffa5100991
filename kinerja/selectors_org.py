"""Reads of the organisation pages, built to stay fast at province size (14k units, 39k
positions, 100k pegawai): searches that an index answers (NIP prefix on the unique index; a part
of a name through the trigram index on UPPER(nama), see migration 0009), keyset paging on
(nama, id) instead of OFFSET and COUNT, and unit paths for a whole page in one recursive query.
Every read starts from `policy.scope`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from kinerja import masa, policy
from kinerja.models import Jabatan, MasaPenilai, Mutasi, Pegawai, RiwayatJabatan, UnitKerja

PER_HALAMAN = 50


@dataclass
class Halaman:
    """One page of a keyset-paged list: rows, and the ids to continue after / before."""

    baris: list[Any]
    setelah: int | None = None  # id of the last row, when there is a next page
    sebelum: int | None = None  # id of the first row, when there is a previous page
    params: dict[str, str] = field(default_factory=dict)  # the filters, kept in the links


def _int(v: Any) -> int | None:
    return int(v) if isinstance(v, str) and v.isdigit() and len(v) < 19 else None


def keyset(qs: QuerySet, get: Any, *, kunci: str = "nama", per: int = PER_HALAMAN) -> Halaman:
    """Page `qs` ordered by (kunci, id): `?setelah=<id>` continues after a row, `?sebelum=<id>`
    goes back. Page N costs what page 1 costs (no OFFSET, no COUNT)."""
    setelah, sebelum = _int(get.get("setelah")), _int(get.get("sebelum"))
    anchor_id = setelah or sebelum
    anchor = qs.filter(pk=anchor_id).values_list(kunci, flat=True).first() if anchor_id else None
    if anchor is None:
        rows = list(qs.order_by(kunci, "pk")[: per + 1])
        lebih = len(rows) > per
        rows = rows[:per]
        return Halaman(rows, setelah=rows[-1].pk if lebih and rows else None)
    if setelah:
        rows = list(
            qs.filter(Q(**{f"{kunci}__gt": anchor}) | Q(**{kunci: anchor, "pk__gt": setelah}))
            .filter(**{f"{kunci}__gte": anchor})
            .order_by(kunci, "pk")[: per + 1]
        )
        lebih = len(rows) > per
        rows = rows[:per]
        return Halaman(
            rows,
            setelah=rows[-1].pk if lebih and rows else None,
            sebelum=rows[0].pk if rows else None,
        )
    rows = list(
        qs.filter(Q(**{f"{kunci}__lt": anchor}) | Q(**{kunci: anchor, "pk__lt": sebelum}))
        .filter(**{f"{kunci}__lte": anchor})
        .order_by(f"-{kunci}", "-pk")[: per + 1]
    )
    lebih = len(rows) > per
    rows = rows[:per][::-1]
    return Halaman(
        rows, setelah=rows[-1].pk if rows else None, sebelum=rows[0].pk if lebih and rows else None
    )


def cari_pegawai(qs: QuerySet, q: str) -> QuerySet:
    """Digits: a NIP prefix (the unique index). Text: a part of the name (the trigram index;
    two letters or fewer: the start of the name)."""
    q = q.strip()
    if not q:
        return qs
    if q.isdigit():
        return qs.filter(nip__startswith=q)
    return qs.filter(nama__icontains=q) if len(q) >= 3 else qs.filter(nama__istartswith=q)


def cari_nama(qs: QuerySet, q: str) -> QuerySet:
    q = q.strip()
    if not q:
        return qs
    return qs.filter(nama__icontains=q) if len(q) >= 3 else qs.filter(nama__istartswith=q)


def jalur_unit(ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Each unit's path from the root, [(id, nama), ...] ending with the unit itself: one
    recursive query for a whole page of units (PostgreSQL and SQLite both have WITH RECURSIVE)."""
    ids = [i for i in dict.fromkeys(ids) if i]
    if not ids:
        return {}
    table = UnitKerja._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    sql = f"""
        WITH RECURSIVE naik(asal, id, induk_id, nama, tingkat) AS (
            SELECT id, id, induk_id, nama, 0 FROM {table} WHERE id IN ({marks})
            UNION ALL
            SELECT naik.asal, u.id, u.induk_id, u.nama, naik.tingkat + 1
            FROM {table} u JOIN naik ON u.id = naik.induk_id
            WHERE naik.tingkat < 30
        )
        SELECT asal, id, nama, tingkat FROM naik ORDER BY asal, tingkat DESC
    """
    out: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    with connection.cursor() as cur:
        cur.execute(sql, ids)
        for asal, uid, nama, _t in cur.fetchall():
            out[asal].append((uid, nama))
    return out


def jalur_teks(jalur: list[tuple[int, str]]) -> str:
    return " › ".join(n for _i, n in jalur)


# --- the unit tree ----------------------------------------------------------------------------
def unit_anak(user: Any, instansi_id: int, induk_id: int | None) -> list[UnitKerja]:
    """Children of a unit (or the roots), each with whether it has children of its own and how
    many positions it has: two queries whatever the number of children."""
    qs = policy.scope(user, UnitKerja.objects.filter(instansi_id=instansi_id, induk_id=induk_id))
    units = list(qs.order_by("nama", "pk"))
    ids = [u.pk for u in units]
    punya_anak = set(
        UnitKerja.objects.filter(induk_id__in=ids).values_list("induk_id", flat=True).distinct()
    )
    for u in units:
        u.punya_anak = u.pk in punya_anak
    return units


# --- a pegawai's positions and penilai over time -------------------------------------------
@dataclass
class BarisRiwayat:
    riwayat: RiwayatJabatan
    penilai: list[MasaPenilai]


def riwayat_pegawai(pegawai: Pegawai) -> list[BarisRiwayat]:
    """The pegawai's holdings (newest first), each with the stretches of MasaPenilai that
    overlap it (who rated them while they held it): three queries."""
    riwayat = list(
        RiwayatJabatan.objects.filter(pegawai=pegawai)
        .select_related("jabatan", "unit_kerja", "jabatan__unit_kerja", "mutasi")
        .order_by("-mulai", "-id")
    )
    stretches = list(
        MasaPenilai.objects.filter(pegawai=pegawai)
        .select_related("pejabat_penilai", "atasan_pejabat_penilai")
        .order_by("mulai")
    )
    out = []
    for r in riwayat:
        akhir = r.selesai or dt.date.max
        out.append(
            BarisRiwayat(
                r,
                [
                    m
                    for m in stretches
                    if m.mulai <= akhir and (m.selesai or dt.date.max) >= r.mulai
                ],
            )
        )
    return out


def masa_pegawai(pegawai: Pegawai) -> list[MasaPenilai]:
    return list(
        MasaPenilai.objects.filter(pegawai=pegawai)
        .select_related("pejabat_penilai__jabatan", "atasan_pejabat_penilai")
        .order_by("-mulai")
    )


def penilai_pada(pegawai: Pegawai, tanggal: dt.date) -> MasaPenilai | None:
    m = masa.penilai_pada(pegawai.pk, tanggal)
    if m is not None:
        m = (
            MasaPenilai.objects.select_related("pejabat_penilai__jabatan", "atasan_pejabat_penilai")
            .filter(pk=m.pk)
            .first()
        )
    return m


def mutasi_pegawai(pegawai: Pegawai) -> list[Mutasi]:
    return list(
        Mutasi.objects.filter(pegawai=pegawai)
        .select_related("jabatan_baru", "unit_kerja_baru", "dibuat_oleh")
        .order_by("-tmt", "-id")
    )


def jabatan_label(jabatan: Jabatan | None) -> str:
    if jabatan is None:
        return "-"
    return f"{jabatan.nama} — {jabatan.unit_kerja.nama}" if jabatan.unit_kerja_id else jabatan.nama
