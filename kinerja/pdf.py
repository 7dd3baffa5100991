"""PDF rendering and the issued-document store shared by every stage.

`render_pdf` is a pure function HTML -> bytes. Its URL fetcher refuses `file:` and every
non-data URL, so text a user typed can never make the server read a file or fetch an address;
templates inline their CSS and images (data: URIs).
`dokumen_simpan` keeps the bytes with their SHA-256 and an unguessable public code.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from kinerja.models import Dokumen


class FetchRefused(ValueError):
    pass


def safe_url_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> dict:
    """Only data: URLs (inlined by our own templates) are fetched."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    raise FetchRefused(f"URL ditolak saat membuat PDF: {url[:80]}")


_fonts = threading.local()


def font_config() -> Any:
    """This process's and thread's WeasyPrint FontConfiguration. Building one (Pango's font
    map) is about a tenth of rendering a one-page evaluation document; our templates use the
    system fonts only (no @font-face), so nothing accumulates in it between documents. Per
    thread because a Pango font map is not meant to be shared across threads; per process
    because a forked pool process must not use its parent's."""
    fc = getattr(_fonts, "fc", None)
    if fc is None or _fonts.pid != os.getpid():
        from weasyprint.text.fonts import FontConfiguration

        _fonts.fc, _fonts.pid = FontConfiguration(), os.getpid()
    return _fonts.fc


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=safe_url_fetcher, base_url=None).write_pdf(
        font_config=font_config()
    )


def render_template_pdf(template: str, context: dict) -> bytes:
    return render_pdf(render_to_string(template, context))


def qr_data_uri(text: str) -> str:
    """A QR code as an inline SVG data URI (no network, no files)."""
    import segno

    svg = segno.make(text, error="m").svg_inline(scale=3)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@transaction.atomic
def dokumen_simpan(
    *,
    jenis: str,
    judul: str,
    data: bytes,
    nama_berkas: str,
    objek: Any,
    instansi_id: int,
    pegawai_id: int | None = None,
    versi: int = 1,
    kode: str | None = None,
) -> Dokumen:
    """Store an issued document; earlier documents for the same object become superseded."""
    ct = ContentType.objects.get_for_model(type(objek)) if objek is not None else None
    if ct is not None:
        Dokumen.objects.filter(content_type=ct, object_id=objek.pk, jenis=jenis).update(
            digantikan=True
        )
    doc = Dokumen(
        jenis=jenis,
        judul=judul[:300],
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=ct,
        object_id=objek.pk if objek is not None else None,
        instansi_id=instansi_id,
        pegawai_id=pegawai_id,
        versi=versi,
    )
    if kode:
        doc.kode = kode
    doc.berkas.save(nama_berkas, ContentFile(data), save=False)
    doc.save()
    return doc
