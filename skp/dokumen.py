"""The SKP document: context and rendering (a pure function of the SKP and its document code)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from kinerja.pdf import render_pdf
from skp import selectors
from skp.models import SKP


def skp_pdf_konteks(skp: SKP, verifikasi: dict[str, str]) -> dict[str, Any]:
    from kinerja.persetujuan import persetujuan_untuk
    from kinerja.rules import pangkat_golongan_label

    grup = selectors.rencana_grup(skp)
    tanggal = skp.disetujui_pada or skp.diajukan_pada or timezone.now()
    return {
        "skp": skp,
        "pegawai": skp.pegawai,
        "penilai": skp.pejabat_penilai,
        "pangkat_pegawai": pangkat_golongan_label(skp.pegawai.golongan or ""),
        "pangkat_penilai": (
            pangkat_golongan_label(skp.pejabat_penilai.golongan or "")
            if skp.pejabat_penilai
            else ""
        ),
        "utama": grup["utama"],
        "tambahan": grup["tambahan"],
        "perilaku": selectors.perilaku_rows(skp),
        "tanggal": timezone.localtime(tanggal),
        "kota": skp.pegawai.instansi.kota or "",
        "persetujuan": persetujuan_untuk(skp),
        "verifikasi": verifikasi,
    }


def skp_pdf_html(skp: SKP, verifikasi: dict[str, str]) -> str:
    return render_to_string("skp/pdf/skp.html", skp_pdf_konteks(skp, verifikasi))


def skp_pdf_render(skp: SKP, verifikasi: dict[str, str]) -> bytes:
    return render_pdf(skp_pdf_html(skp, verifikasi))
