"""Evaluation windows of a Periode by a short code: "1".."n-1" periodic, "akhir" the last one.

December is rated once (domain.md): with windows, the last window's evaluation IS the AKHIR one
("TRIWULAN IV-AKHIR", "SEMESTER II-AKHIR", "DESEMBER-AKHIR"), stored as jenis `tahunan`. There is
no separate periodic evaluation of the last window; its code ("4" for triwulanan) leads to the
AKHIR window."""

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
        """The page's form of the label: "Triwulan II", "Januari", "Triwulan IV-Akhir"."""
        label = self.jendela.label
        akhir = label.endswith("-AKHIR")
        if akhir:
            label = label.removesuffix("-AKHIR")
        kata, _, sisa = label.partition(" ")
        if not sisa:  # "DESEMBER"
            out = kata.title()
        else:
            # "TRIWULAN II" -> "Triwulan II"; "BULAN JANUARI" -> "Januari"
            out = sisa.title() if kata == "BULAN" else f"{kata.title()} {sisa}"
        return f"{out}-Akhir" if akhir else out

    @property
    def mulai(self):
        return self.jendela.mulai

    @property
    def selesai(self):
        return self.jendela.selesai


def terakhir(periode) -> int:
    """The urutan of the year's last window (rated as the AKHIR evaluation)."""
    return len(jendela_periodik(periode.tahun, periode.frekuensi))


def daftar(periode) -> list[Window]:
    semua = jendela_periodik(periode.tahun, periode.frekuensi)
    out = [Window(str(j.urutan), "periodik", j.urutan, j) for j in semua[:-1]]
    out.append(Window(AKHIR, "tahunan", None, jendela_tahunan(periode.tahun, periode.frekuensi)))
    return out


def dari_kode(periode, kode: str | None) -> Window:
    kode = kode or AKHIR
    if kode == str(terakhir(periode)):
        kode = AKHIR  # the last window is rated once, as the AKHIR evaluation
    for w in daftar(periode):
        if w.kode == kode:
            return w
    raise ValidationError({"jendela": [f"Jendela evaluasi '{kode}' tidak ada pada periode ini."]})


def dari_jenis(periode, jenis: str, urutan: int | None) -> Window:
    if jenis == "tahunan":
        return dari_kode(periode, AKHIR)
    if jenis != "periodik":
        raise ValidationError({"jenis": ["Jenis evaluasi harus 'periodik' atau 'tahunan'."]})
    if urutan is None:
        raise ValidationError({"urutan": ["Evaluasi periodik memerlukan nomor jendela (urutan)."]})
    if urutan == terakhir(periode):
        # A record made before the rule (read only): its own window, outside `daftar`.
        j = jendela_periodik(periode.tahun, periode.frekuensi)[-1]
        return Window(str(urutan), "periodik", urutan, j)
    return dari_kode(periode, str(urutan))


def cek_baru(periode, jenis: str, urutan: int | None) -> Window:
    """The window a new evaluation (or kinerja organisasi) is for; the last window as a periodic
    one is refused: it is rated once, as the AKHIR evaluation."""
    w = dari_jenis(periode, jenis, urutan)
    if w.jenis == "periodik" and w.urutan == terakhir(periode):
        akhir = dari_kode(periode, AKHIR)
        raise ValidationError(
            {
                "urutan": [
                    f"{w.label} adalah jendela terakhir tahun ini dan dievaluasi sekali sebagai "
                    f"evaluasi akhir ({akhir.label}); gunakan jenis 'tahunan'."
                ]
            }
        )
    return w
