"""The planning stage's lists (kinerja/daftar.py): the approval queue and the team's SKP, with
search, filters, sort, paging and export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kinerja.daftar import Daftar, Kolom, Saring
from skp.models import SKP


def _menunggu(qs: QuerySet, hari: str) -> QuerySet:
    return qs.filter(diajukan_pada__lt=timezone.now() - dt.timedelta(days=int(hari)))


def antrian(request: HttpRequest, qs: QuerySet) -> Daftar:
    """The penilai's approval queue; by default the one waiting longest first."""
    return Daftar(
        request,
        qs,
        kolom=[
            Kolom("pegawai", "Pegawai", urut="pegawai__nama", nilai=lambda s: s.pegawai.nama),
            Kolom("nip", "NIP", nilai=lambda s: s.pegawai.nip or ""),
            Kolom("jabatan", "Jabatan", nilai=lambda s: s.pegawai.jabatan),
            Kolom("tahun", "Tahun", urut="periode__tahun", nilai=lambda s: s.periode.tahun),
            Kolom("versi", "Versi", urut="versi"),
            Kolom("rhk", "Hasil kerja", urut="jumlah_rhk", nilai=lambda s: s.jumlah_rhk),
            Kolom("diajukan", "Diajukan", urut="diajukan_pada", nilai=_waktu("diajukan_pada")),
        ],
        cari=["pegawai__nama", "pegawai__nip__startswith"],
        saring=[
            Saring(
                "menunggu",
                "Menunggu",
                [
                    ("3", "lebih dari 3 hari"),
                    ("7", "lebih dari 7 hari"),
                    ("14", "lebih dari 14 hari"),
                ],
                terapkan=_menunggu,
                semua="Berapa pun lamanya",
            )
        ],
        urut_bawaan="diajukan_pada",
        nama_berkas="antrian-persetujuan-skp",
    )


def tim(request: HttpRequest, qs: QuerySet) -> Daftar:
    """The current SKP of the people the user rates or leads."""
    return Daftar(
        request,
        qs,
        kolom=[
            Kolom("pegawai", "Pegawai", urut="pegawai__nama", nilai=lambda s: s.pegawai.nama),
            Kolom("nip", "NIP", nilai=lambda s: s.pegawai.nip or ""),
            Kolom(
                "jabatan",
                "Jabatan",
                urut="pegawai__jabatan__nama",
                nilai=lambda s: s.pegawai.jabatan,
            ),
            Kolom("versi", "Versi", urut="versi"),
            Kolom("status", "Status", urut="status", nilai=lambda s: s.get_status_display()),
            Kolom("diperbarui", "Terakhir diubah", urut="diperbarui", nilai=_waktu("diperbarui")),
        ],
        cari=["pegawai__nama", "pegawai__nip__startswith"],
        saring=[Saring("status", "Status", SKP.Status.choices)],
        urut_bawaan="pegawai__nama",
        nama_berkas="skp-tim",
    )


def _waktu(attr: str):
    def ambil(row: Any) -> str:
        t = getattr(row, attr)
        return timezone.localtime(t).strftime("%Y-%m-%d %H:%M") if t else ""

    return ambil
