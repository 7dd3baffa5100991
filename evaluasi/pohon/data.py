"""Pohon kinerja: the shapes of the tree (nodes, matriks cells, the scope asked for) and their labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Q,
)

from evaluasi.models import Rating
from kinerja.models import Instansi, Jabatan, Pegawai, Periode, UnitKerja
from kinerja.rules import BULAN_SINGKAT, ROMAWI
from skp.models import SKP, RencanaHasilKerja

# Levels drawn on the first page load (roots and their children); deeper ones load on demand.
KEDALAMAN_AWAL = 2


# Safety net against a cycle in bad data (A intervenes B intervenes A) and absurd depth.
KEDALAMAN_MAKS = 15


PUNCAK_JENIS = (Jabatan.Jenis.PIMPINAN_INSTANSI,)


# --- data shapes ---------------------------------------------------------------------------
@dataclass
class Sel:
    """A matriks peran-hasil cell under a leader's result: what one member must produce."""

    id: int
    matriks_id: int
    peran_hasil: str
    anggota_id: int
    anggota_nama: str
    diterapkan: bool = False
    anak: list[Simpul] = field(default_factory=list)

    @property
    def sama(self) -> bool:
        """Applied as is: one rencana hasil kerja with the cell's own words (drawn once)."""
        return len(self.anak) == 1 and self.anak[0].rencana.strip() == self.peran_hasil.strip()


@dataclass
class Simpul:
    """One rencana hasil kerja in the tree."""

    id: int
    kunci: Any
    rencana: str
    jenis: str
    pemilik_id: int
    pemilik_nama: str
    pemilik_nip: str
    jabatan: str
    unit_kerja_id: int | None
    skp_id: int
    skp_status: str
    skp_versi: int
    peran_hasil_id: int | None
    n_intervensi: int
    n_sel: int
    atasan_kunci: Any = None
    rating: str = ""
    rating_urutan: int | None = None
    rating_teks: str = ""
    boleh_buka: bool = False
    tingkat: int = 0
    # None: not loaded yet (lazy); a list once loaded.
    sel: list[Sel] | None = None
    anak: list[Simpul] | None = None

    @property
    def punya_anak(self) -> bool:
        return bool(self.n_intervensi or self.n_sel)

    @property
    def dimuat(self) -> bool:
        return self.anak is not None

    @property
    def skp_status_label(self) -> str:
        return SKP.Status(self.skp_status).label if self.skp_status in SKP.Status.values else ""

    @property
    def jenis_label(self) -> str:
        return RencanaHasilKerja.Jenis(self.jenis).label if self.jenis else ""


@dataclass
class Cakupan:
    """What the viewer asked for and may see."""

    jenis: str  # "instansi" | "unit" | "pemimpin"
    instansi: Instansi
    periode: Periode | None
    unit: UnitKerja | None = None
    pemimpin: Pegawai | None = None
    # None: the whole instansi; otherwise exactly these pegawai.
    pegawai_ids: set[int] | None = None
    unit_ids: set[int] | None = None
    admin: bool = False

    @property
    def judul(self) -> str:
        if self.jenis == "unit" and self.unit:
            return self.unit.nama
        if self.jenis == "pemimpin" and self.pemimpin:
            return f"{self.pemimpin.nama} dan jajarannya"
        return self.instansi.nama

    def pegawai_q(self, prefix: str) -> Q:
        """Q restricting a pegawai FK at `prefix` to this scope."""
        p = f"{prefix}__" if prefix else ""
        q = Q(**{f"{p}instansi_id": self.instansi.pk})
        if self.unit_ids is not None:
            q &= Q(**{f"{p}unit_kerja_id__in": self.unit_ids})
        if self.pegawai_ids is not None:
            q &= Q(**{f"{p}id__in": self.pegawai_ids})
        return q


# --- labels ---------------------------------------------------------------------------------
def label_jendela(periode: Periode, urutan: int | None) -> str:
    if not urutan:
        return ""
    if periode.frekuensi == Periode.Frekuensi.BULANAN:
        return BULAN_SINGKAT[urutan - 1] if 1 <= urutan <= 12 else str(urutan)
    if periode.frekuensi == Periode.Frekuensi.SEMESTERAN:
        return f"Semester {ROMAWI[urutan - 1]}" if 1 <= urutan <= 2 else str(urutan)
    return f"Triwulan {ROMAWI[urutan - 1]}" if 1 <= urutan <= 4 else str(urutan)


def _rating_teks(periode: Periode, rating: str | None, urutan: int | None) -> str:
    if not rating:
        return ""
    return f"{label_jendela(periode, urutan)}: {label_rating(rating)}"


def label_rating(kode: str) -> str:
    try:
        return Rating(kode).label
    except ValueError:
        return kode.replace("_", " ").title()
