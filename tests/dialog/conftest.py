from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone


@pytest.fixture
def skp_disetujui(org):
    """An approved SKP (version 1) for org.pegawai with one utama row."""
    from skp.models import SKP, RencanaHasilKerja

    skp = SKP.objects.create(
        pegawai=org.pegawai,
        periode=org.periode_a,
        versi=1,
        status=SKP.Status.DISETUJUI,
        pejabat_penilai=org.kasubbid,
        atasan_pejabat_penilai=org.kabid,
        disetujui_pada=timezone.now(),
    )
    RencanaHasilKerja.objects.create(
        skp=skp, jenis="utama", urutan=1, rencana="Data kinerja pegawai diolah tepat waktu"
    )
    return skp


@pytest.fixture
def rhk(skp_disetujui):
    return skp_disetujui.rencana_set.get()


def pdf_bytes() -> bytes:
    from kinerja.pdf import render_pdf

    return render_pdf("<html><body><p>Bukti dukung</p></body></html>")


def png_bytes() -> bytes:
    # A real 1x1 PNG written by hand: signature, IHDR, IDAT, IEND.
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"\x00\xff\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "capaian"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def docx_bytes() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
