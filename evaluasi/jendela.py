"""Evaluation windows of a Periode by a short code: "1".."12" periodic, "akhir" the annual one."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from kinerja.rules import Jendela, jendela_periodik, jendela_tahunan

AKHIR = "akhir"


@dataclass(frozen=True)
class Window:
    kode: str
    jenis: str  # periodik | tahunan
    urutan: int | None
    jendela: Jendela

    @property
    def label(self) -> str:
        return self.jendela.label

    @property
    def label_pendek(self) -> str:
        if self.jenis == "tahunan":
            return "Akhir tahun"
        kata, _, sisa = self.jendela.label.partition(" ")
        # "TRIWULAN II" -> "Triwulan II"; "BULAN JANUARI" -> "Januari"
        return sisa.title() if kata == "BULAN" else f"{kata.title()} {sisa}"


def daftar(periode) -> list[Window]:
    out = [
        Window(str(j.urutan), "periodik", j.urutan, j)
        for j in jendela_periodik(periode.tahun, periode.frekuensi)
    ]
    out.append(Window(AKHIR, "tahunan", None, jendela_tahunan(periode.tahun, periode.frekuensi)))
    return out


def dari_kode(periode, kode: str | None) -> Window:
    for w in daftar(periode):
        if w.kode == (kode or AKHIR):
            return w
    raise ValidationError({"jendela": [f"Jendela evaluasi '{kode}' tidak ada pada periode ini."]})


def dari_jenis(periode, jenis: str, urutan: int | None) -> Window:
    if jenis == "tahunan":
        return dari_kode(periode, AKHIR)
    if jenis != "periodik":
        raise ValidationError({"jenis": ["Jenis evaluasi harus 'periodik' atau 'tahunan'."]})
    if urutan is None:
        raise ValidationError({"urutan": ["Evaluasi periodik memerlukan nomor jendela (urutan)."]})
    return dari_kode(periode, str(urutan))
