"""Reads: SIASN records, one per final evaluation, in SIASN's field names, through the policy.

A record is keyed by its evaluation (`evaluasi`), never by (pegawai, window): a window may hold
two evaluations of one pegawai (a part rated by an old penilai after a mutasi), each its own
record with its own penilai. The penilai is the evaluation's (`Evaluasi.pejabat_penilai`, kept
as of the evaluation), with the position they held on the record's reference date.

Building a page of records costs a constant number of queries: the evaluations (one join), the
instansi's reference rows, and the positions held on the reference dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from evaluasi import jendela
from evaluasi.models import Evaluasi, Jenis
from evaluasi.siasn import rules
from evaluasi.siasn.models import ReferensiSiasn
from kinerja.models import RiwayatJabatan
from kinerja.policy.siasn import rekaman_scope


@dataclass(frozen=True)
class NilaiReferensi:
    """One row of an instansi's reference table as it applies now."""

    jenis: str
    kode: str
    label: str
    nilai: str
    nama_siasn: str
    diperiksa: bool
    tersimpan: bool  # False: the shipped default (rules.BAWAAN) applies


def referensi(instansi_ids: Iterable[int]) -> dict[int, dict[tuple[str, str], NilaiReferensi]]:
    """Every instansi's reference table: its saved rows, else the shipped defaults (one query)."""
    ids = set(instansi_ids)
    saved: dict[int, dict[tuple[str, str], ReferensiSiasn]] = defaultdict(dict)
    for r in ReferensiSiasn.objects.filter(instansi_id__in=ids).order_by():
        saved[r.instansi_id][(r.jenis, r.kode)] = r
    out: dict[int, dict[tuple[str, str], NilaiReferensi]] = {}
    for inst in ids:
        table = {}
        for jenis, kodes in rules.KODE.items():
            for kode, label in kodes.items():
                r = saved[inst].get((jenis, kode))
                table[(jenis, kode)] = (
                    NilaiReferensi(jenis, kode, label, r.nilai, r.nama_siasn, r.diperiksa, True)
                    if r is not None
                    else NilaiReferensi(
                        jenis, kode, label, rules.BAWAAN[jenis][kode], "", False, False
                    )
                )
        out[inst] = table
    return out


def referensi_instansi(instansi_id: int) -> list[NilaiReferensi]:
    """The instansi's table in the order of rules.KODE (the reference page)."""
    table = referensi([instansi_id])[instansi_id]
    return [table[(j, k)] for j, kodes in rules.KODE.items() for k in kodes]


def jenis_evaluasi(jenis: str) -> str:
    return Jenis.TAHUNAN if jenis == rules.SKP22 else Jenis.PERIODIK


def evaluasi_qs(
    user: Any,
    jenis: str,
    *,
    tahun: int | None = None,
    pegawai: int | None = None,
    unit_kerja: int | None = None,
    urutan: int | None = None,
) -> QuerySet:
    """The final evaluations whose records of `jenis` the user may see (a SKP22 record per
    annual evaluation, a periodic record per periodic one), ordered by id."""
    qs = Evaluasi.objects.filter(jenis=jenis_evaluasi(jenis))
    if tahun is not None:
        qs = qs.filter(periode__tahun=tahun)
    if pegawai is not None:
        qs = qs.filter(pegawai_id=pegawai)
    if unit_kerja is not None:
        qs = qs.filter(pegawai__unit_kerja_id=unit_kerja)
    if urutan is not None:
        qs = qs.filter(urutan=urutan)
    return (
        rekaman_scope(user, qs)
        .select_related(
            "periode",
            "pegawai__jabatan",
            "pegawai__identitas_siasn",
            "pejabat_penilai__jabatan__unit_kerja",
            "pejabat_penilai__unit_kerja",
        )
        .order_by("pk")
    )


def masa(ev: Evaluasi) -> rules.Masa:
    """The stretch the record covers: the part of the window the evaluation's penilai rated
    (issue 16: a window cut by a change of penilai has one record per part), else the window."""
    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan).jendela
    return rules.Masa(ev.mulai or w.mulai, ev.selesai or w.selesai)


def tanggal_acuan(ev: Evaluasi) -> dt.date:
    """The day whose positions the record names: the end of what was rated, or the day it
    became final if that came first (a penilai who rated a part and then moved on)."""
    akhir = masa(ev).selesai
    if ev.finalisasi_pada:
        return min(akhir, timezone.localdate(ev.finalisasi_pada))
    return akhir


def _posisi(evs: list[Evaluasi]) -> dict[tuple[int, dt.date], RiwayatJabatan]:
    """(pegawai id, date) -> the position held that day, definitive before acting (one query)."""
    wanted: dict[int, set[dt.date]] = defaultdict(set)
    for ev in evs:
        d = tanggal_acuan(ev)
        wanted[ev.pegawai_id].add(d)
        if ev.pejabat_penilai_id:
            wanted[ev.pejabat_penilai_id].add(d)
    if not wanted:
        return {}
    lo = min(min(ds) for ds in wanted.values())
    hi = max(max(ds) for ds in wanted.values())
    rows = (
        RiwayatJabatan.objects.filter(pegawai_id__in=wanted, mulai__lte=hi)
        .filter(Q(selesai__isnull=True) | Q(selesai__gte=lo))
        .select_related("jabatan__unit_kerja", "unit_kerja")
        .order_by("pegawai_id", "mulai", "id")
    )
    out: dict[tuple[int, dt.date], RiwayatJabatan] = {}
    for r in rows:
        for d in wanted[r.pegawai_id]:
            if r.mulai <= d and (r.selesai is None or r.selesai >= d):
                cur = out.get((r.pegawai_id, d))
                if cur is None or (cur.jenis != "definitif" and r.jenis == "definitif"):
                    out[(r.pegawai_id, d)] = r
    return out


def _angka(v: str) -> int | None:
    return int(v) if v and v.isdigit() else None


# How an acting holding is written before the position's name.
_AWALAN_PLT = {"plt": "Plt.", "plh": "Plh."}


def _nama_jabatan(held: RiwayatJabatan | None, fallback_jabatan, fallback_unit) -> tuple:
    if held is not None:
        unit = held.unit_kerja or held.jabatan.unit_kerja
        nama = held.jabatan.nama
        if held.jenis in _AWALAN_PLT:
            nama = f"{_AWALAN_PLT[held.jenis]} {nama}"
        return nama, unit.nama if unit else None
    unit = fallback_unit or (fallback_jabatan.unit_kerja if fallback_jabatan else None)
    return (fallback_jabatan.nama if fallback_jabatan else None), (unit.nama if unit else None)


def rekaman(evs: list[Evaluasi], jenis: str) -> list[dict]:
    """The records of these evaluations (from `evaluasi_qs`), in rules.kolom(jenis) order.
    A code the instansi's table lacks is null (the push holds such a record back)."""
    if not evs:
        return []
    refs = referensi({ev.pegawai.instansi_id for ev in evs})
    posisi = _posisi(evs)
    out = []
    for ev in evs:
        ref = refs[ev.pegawai.instansi_id]

        def kode(list_: str, key: str, ref=ref) -> str:
            r = ref.get((list_, key))
            return r.nilai if r is not None else ""

        d = tanggal_acuan(ev)
        p = ev.pejabat_penilai
        ident = getattr(ev.pegawai, "identitas_siasn", None)
        pns_id = ident.pns_id if ident is not None else None
        if p is not None:
            jab, unor = _nama_jabatan(posisi.get((p.pk, d)), p.jabatan, p.unit_kerja)
            gol = kode(rules.GOLONGAN, rules.kode_golongan(p.golongan, p.jenis_asn)) or None
        else:
            jab = unor = gol = None
        rec: dict[str, Any] = {
            "pnsDinilaiId": pns_id,
            "tahun": ev.periode.tahun,
            "hasilKinerjaNilai": _angka(kode(rules.PERILAKU_KINERJA, ev.rating_hasil_kerja)),
            "perilakuKerjaNilai": _angka(kode(rules.PERILAKU_KINERJA, ev.rating_perilaku_kerja)),
            "kuadranKinerjaNilai": _angka(kode(rules.KUADRAN, ev.predikat)),
            "penilaiNipNrp": (p.nip or None) if p else None,
            "penilaiNama": p.nama if p else None,
            "penilaiGolongan": gol,
            "penilaiJabatan": jab,
            "penilaiUnorNama": unor,
            "statusPenilai": rules.status_penilai(p.jenis_asn) if p else None,
        }
        if jenis == rules.PERIODIK:
            m = masa(ev)
            held = posisi.get((ev.pegawai_id, d))
            j = held.jabatan if held is not None else ev.pegawai.jabatan
            koef = rules.kode_koefisien(
                j.jenis if j else None, j.jenjang if j else None, j.nama if j else ""
            )
            rec.update(
                periodikId=kode(rules.PERIODIK_REF, ev.periode.frekuensi) or None,
                bulanMulaiPenilaian=m.mulai.month,
                bulanSelesaiPenilaian=m.selesai.month,
                tahunMulaiPenilaian=m.mulai.year,
                tahunSelesaiPenilaian=m.selesai.year,
                koefisienId=kode(rules.KOEFISIEN, koef) or None,
                penilaiJabatanNama=jab,
            )
        rec.update(pnsDinilaiOrang=pns_id, nipBaru=ev.pegawai.nip, evaluasi=ev.pk)
        out.append({k: rec[k] for k in rules.kolom(jenis)})
    return out


def rekaman_satu(ev: Evaluasi, jenis: str) -> dict:
    """The record of one evaluation (the push), read fresh with the same joins."""
    fresh = (
        Evaluasi.objects.select_related(
            "periode",
            "pegawai__jabatan",
            "pegawai__identitas_siasn",
            "pejabat_penilai__jabatan__unit_kerja",
            "pejabat_penilai__unit_kerja",
        )
        .filter(pk=ev.pk)
        .first()
    )
    return rekaman([fresh], jenis)[0]
