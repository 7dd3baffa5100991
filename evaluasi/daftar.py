"""The evaluation stage's lists (kinerja/daftar.py): the penilai's team for a window, with
search, filters, sort, paging and export. The rows come from the team selector (a fixed number
of queries for any team size) and are narrowed, sorted and paged in Python."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from evaluasi import rules
from kinerja.daftar import Daftar, Kolom, Saring

_RANK_PREDIKAT = {k: i for i, k in enumerate(rules.PREDIKAT)}
_RANK_RATING = {rules.DIATAS: 0, rules.SESUAI: 1, rules.DIBAWAH: 2}


def _status(r: dict) -> str:
    ev = r["evaluasi"]
    return ev.status if ev else "belum"


def _ev(attr: str):
    def ambil(r: dict) -> Any:
        ev = r["evaluasi"]
        return getattr(ev, attr, "") if ev else ""

    return ambil


def _saring_status(rows: list, v: str) -> list:
    return [r for r in rows if _status(r) == v]


def _saring_skp(rows: list, v: str) -> list:
    return [r for r in rows if r["skp_disetujui"] == (v == "disetujui")]


def _saring_umpan_balik(rows: list, v: str) -> list:
    return [r for r in rows if (r["umpan_balik"] > 0) == (v == "ada")]


def _saring_predikat(rows: list, v: str) -> list:
    return [r for r in rows if _ev("predikat")(r) == v]


def tim(request: HttpRequest, rows: list[dict], *, nama_berkas: str) -> Daftar:
    return Daftar(
        request,
        rows,
        kolom=[
            Kolom("pegawai", "Pegawai", urut="nama", nilai=lambda r: r["pegawai"].nama),
            Kolom("nip", "NIP", nilai=lambda r: r["pegawai"].nip or ""),
            Kolom("jabatan", "Jabatan", urut="jabatan", nilai=lambda r: r["pegawai"].jabatan),
            Kolom(
                "skp",
                "SKP",
                urut="skp",
                nilai=lambda r: "disetujui" if r["skp_disetujui"] else "belum disetujui",
            ),
            Kolom(
                "umpan_balik", "Umpan balik", urut="umpan_balik", nilai=lambda r: r["umpan_balik"]
            ),
            Kolom(
                "hasil",
                "Rating hasil",
                urut="hasil",
                nilai=lambda r: rules.RATING_LABEL.get(_ev("rating_hasil_kerja")(r), ""),
                urut_kunci=lambda r: _RANK_RATING.get(_ev("rating_hasil_kerja")(r)),
            ),
            Kolom(
                "perilaku",
                "Rating perilaku",
                urut="perilaku",
                nilai=lambda r: rules.RATING_LABEL.get(_ev("rating_perilaku_kerja")(r), ""),
                urut_kunci=lambda r: _RANK_RATING.get(_ev("rating_perilaku_kerja")(r)),
            ),
            Kolom(
                "predikat",
                "Predikat",
                urut="predikat",
                nilai=lambda r: rules.PREDIKAT_LABEL.get(_ev("predikat")(r), ""),
                urut_kunci=lambda r: _RANK_PREDIKAT.get(_ev("predikat")(r)),
            ),
            Kolom(
                "status",
                "Status",
                urut="status",
                nilai=lambda r: r["evaluasi"].get_status_display() if r["evaluasi"] else "belum",
            ),
        ],
        cari=[lambda r: r["pegawai"].nama, lambda r: r["pegawai"].nip or ""],
        saring=[
            Saring(
                "status",
                "Status",
                [("belum", "Belum dimulai"), ("draft", "Draf"), ("final", "Final")],
                terapkan=_saring_status,
            ),
            Saring(
                "skp",
                "SKP",
                [("disetujui", "Disetujui"), ("belum", "Belum disetujui")],
                terapkan=_saring_skp,
            ),
            Saring(
                "umpan_balik",
                "Umpan balik",
                [("ada", "Sudah ada"), ("belum", "Belum ada")],
                terapkan=_saring_umpan_balik,
            ),
            Saring(
                "predikat",
                "Predikat",
                [(k, rules.PREDIKAT_LABEL[k]) for k in rules.PREDIKAT],
                terapkan=_saring_predikat,
            ),
        ],
        tetap=["tahun", "jendela"],
        nama_berkas=nama_berkas,
    )


def _jalur(r: dict) -> str:
    if r["penghargaan"]:
        return rules.PENGHARGAAN_LABEL.get(r["penghargaan"], r["penghargaan"])
    if r["sanksi"] == "calon":
        return "Calon sanksi kinerja"
    if r["sanksi"]:
        return "Sanksi kinerja (kasus terbuka)"
    return ""


def _saring_jalur(rows: list, v: str) -> list:
    uji = {
        "talent_pool": lambda r: r["penghargaan"] == rules.TALENT_POOL,
        "pengembangan": lambda r: r["penghargaan"] == rules.PENGEMBANGAN,
        "sanksi": lambda r: bool(r["sanksi"]),
        "tanpa_potensi": lambda r: bool(r["ini"]) and not r["potensi"],
    }[v]
    return [r for r in rows if uji(r)]


def tindak_lanjut(request: HttpRequest, rows: list[dict], *, tahun: int) -> Daftar:
    """Every pegawai with a final annual result this year or last, and where it leads."""
    return Daftar(
        request,
        rows,
        kolom=[
            Kolom("pegawai", "Pegawai", urut="nama", nilai=lambda r: r["pegawai"].nama),
            Kolom("nip", "NIP", nilai=lambda r: r["pegawai"].nip or ""),
            Kolom("unit", "Unit kerja", urut="unit", nilai=lambda r: r["pegawai"].unit_kerja),
            Kolom(
                "ini",
                f"Predikat {tahun}",
                urut="ini",
                nilai=lambda r: rules.PREDIKAT_LABEL.get(r["ini"], ""),
                urut_kunci=lambda r: _RANK_PREDIKAT.get(r["ini"]),
            ),
            Kolom(
                "lalu",
                f"Predikat {tahun - 1}",
                urut="lalu",
                nilai=lambda r: rules.PREDIKAT_LABEL.get(r["lalu"], ""),
                urut_kunci=lambda r: _RANK_PREDIKAT.get(r["lalu"]),
            ),
            Kolom(
                "potensi",
                "Potensi",
                urut="potensi",
                nilai=lambda r: rules.POTENSI_LABEL.get(r["potensi"], ""),
            ),
            Kolom("kotak", "Kotak talenta", urut="kotak", nilai=lambda r: r["kotak"] or ""),
            Kolom("jalur", "Tindak lanjut", urut="jalur", nilai=_jalur),
        ],
        cari=[lambda r: r["pegawai"].nama, lambda r: r["pegawai"].nip or ""],
        saring=[
            Saring(
                "jalur",
                "Tindak lanjut",
                [
                    ("talent_pool", "Talent pool"),
                    ("pengembangan", "Pengembangan kompetensi"),
                    ("sanksi", "Sanksi kinerja"),
                    ("tanpa_potensi", "Potensi belum diisi"),
                ],
                terapkan=_saring_jalur,
            ),
            Saring(
                "predikat",
                f"Predikat {tahun}",
                [(k, rules.PREDIKAT_LABEL[k]) for k in rules.PREDIKAT],
                terapkan=lambda rows, v: [r for r in rows if r["ini"] == v],
            ),
            Saring(
                "kotak",
                "Kotak talenta",
                [(str(n), f"Kotak {n}") for n in range(1, 10)],
                terapkan=lambda rows, v: [r for r in rows if str(r["kotak"]) == v],
            ),
        ],
        tetap=["tahun"],
        nama_berkas=f"tindak-lanjut-{tahun}",
    )
