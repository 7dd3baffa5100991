"""Pure rules of the execution stage: feedback relations, who may assign, evidence files.

No database here: the functions take plain values so they can be tested exhaustively.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import filetype

# --- Umpan balik: the relation of the giver to the receiver --------------------------------
PEJABAT_PENILAI = "pejabat_penilai"
PEMBERI_TUGAS = "pemberi_tugas"
REKAN = "rekan"
BAWAHAN = "bawahan"
LAINNYA = "lainnya"

HUBUNGAN_LABEL = {
    PEJABAT_PENILAI: "Pejabat penilai",
    PEMBERI_TUGAS: "Pemberi tugas",
    REKAN: "Rekan kerja",
    BAWAHAN: "Bawahan",
    LAINNYA: "Lainnya",
}


def derive_hubungan(
    *,
    pemberi_id: int,
    penerima_id: int,
    penerima_penilai_id: int | None,
    pemberi_penilai_id: int | None,
    pemberi_tugas_ids: Collection[int] = (),
) -> str:
    """How the giver of feedback relates to its receiver (domain.md, Umpan balik).

    Checked in the order of the regulation's emphasis: the pejabat penilai (whose feedback is an
    obligation) first, then an official who assigned approved work, then peers (rated by the same
    penilai), then subordinates (whose penilai is the receiver). Anyone else is `lainnya`.
    """
    if penerima_penilai_id is not None and pemberi_id == penerima_penilai_id:
        return PEJABAT_PENILAI
    if pemberi_id in pemberi_tugas_ids:
        return PEMBERI_TUGAS
    if (
        penerima_penilai_id is not None
        and pemberi_penilai_id == penerima_penilai_id
        and pemberi_id != penerima_id
    ):
        return REKAN
    if pemberi_penilai_id is not None and pemberi_penilai_id == penerima_id:
        return BAWAHAN
    return LAINNYA


# --- Penugasan: who may propose an assignment ---------------------------------------------
JABATAN_PEJABAT = {
    "pimpinan_instansi",
    "jpt_utama",
    "jpt_madya",
    "jpt_pratama",
    "administrator",
    "pengawas",
}


def boleh_menugaskan(*, jenis_jabatan: str | None, ketua_tim: bool, plt: bool = False) -> bool:
    """An assignment is proposed by an official (a structural position, a Plt/Plh acting in one)
    or by the ketua of a TimKerja; pelaksana and fungsional staff cannot assign work."""
    return bool(ketua_tim or plt or (jenis_jabatan in JABATAN_PEJABAT))


# --- Penugasan status machine ---------------------------------------------------------------
DIUSULKAN = "diusulkan"
DISETUJUI = "disetujui"
DITOLAK = "ditolak"

TRANSISI = {DIUSULKAN: {DISETUJUI, DITOLAK}, DISETUJUI: set(), DITOLAK: set()}


def transisi_sah(dari: str, ke: str) -> bool:
    """A decision is taken once: only a proposed assignment can be approved or rejected."""
    return ke in TRANSISI.get(dari, set())


# --- Bukti dukung: what may be uploaded -----------------------------------------------------
@dataclass(frozen=True)
class JenisBerkas:
    ekstensi: str  # the canonical extension stored
    mime: str
    label: str
    ekstensi_sah: frozenset[str]  # extensions a file of this type may carry


JENIS_BERKAS = {
    "application/pdf": JenisBerkas("pdf", "application/pdf", "PDF", frozenset({"pdf"})),
    "image/jpeg": JenisBerkas("jpg", "image/jpeg", "JPG", frozenset({"jpg", "jpeg"})),
    "image/png": JenisBerkas("png", "image/png", "PNG", frozenset({"png"})),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": JenisBerkas(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word (DOCX)",
        frozenset({"docx"}),
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": JenisBerkas(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel (XLSX)",
        frozenset({"xlsx"}),
    ),
}
EKSTENSI_SAH = sorted({e for j in JENIS_BERKAS.values() for e in j.ekstensi_sah})
# filetype looks at the first few kilobytes; zipped Office files need the local headers.
BYTES_DIPERIKSA = 8192


class BerkasDitolak(ValueError):
    """An upload that is refused; the message says why (Bahasa Indonesia)."""


def _ukuran_label(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} byte"


def periksa_berkas(*, nama: str, kepala: bytes, ukuran: int, batas: int) -> JenisBerkas:
    """Check an upload by its CONTENT, not by what its name claims.

    `kepala` is the first BYTES_DIPERIKSA bytes. Refused: an empty file, a file over `batas`
    bytes, content of a type not allowed, and a name whose extension lies about the content.
    """
    if ukuran <= 0 or not kepala:
        raise BerkasDitolak("Berkas kosong (0 byte) tidak dapat diunggah.")
    if ukuran > batas:
        raise BerkasDitolak(
            f"Ukuran berkas {_ukuran_label(ukuran)} melebihi batas {_ukuran_label(batas)}."
        )
    ekstensi = nama.rsplit(".", 1)[-1].lower() if "." in nama else ""
    jenis = filetype.guess(kepala)
    sah = JENIS_BERKAS.get(jenis.mime) if jenis else None
    if sah is None:
        isi = f" (isinya terdeteksi sebagai {jenis.extension.upper()})" if jenis else ""
        raise BerkasDitolak(
            f"Jenis berkas tidak diizinkan{isi}. Yang diterima: PDF, JPG/PNG, DOCX, XLSX."
        )
    if ekstensi not in sah.ekstensi_sah:
        tertulis = f".{ekstensi}" if ekstensi else "tanpa ekstensi"
        raise BerkasDitolak(
            f"Ekstensi berkas ({tertulis}) tidak sesuai dengan isinya ({sah.label}). "
            "Berkas ditolak; periksa kembali berkas yang Anda pilih."
        )
    return sah
