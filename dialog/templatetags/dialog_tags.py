"""Small template helpers of the dialog pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def label_perilaku(kode: str) -> str:
    from dialog.services import kode_perilaku

    return kode_perilaku().get(kode, kode)


@register.filter
def ambil(mapping: dict, key):  # noqa: ANN001
    return mapping.get(key) if mapping else None


ROMAWI = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "AKHIR"}


@register.filter
def label_jendela(label: str) -> str:
    """'TRIWULAN IV' -> 'Triwulan IV' (title case that keeps Roman numerals)."""
    return " ".join(w if w in ROMAWI else w.capitalize() for w in (label or "").split())


@register.filter
def nama_jendela(realisasi) -> str:  # noqa: ANN001
    """The window a realisasi belongs to by name ('Triwulan IV'), from its periode's frequency."""
    from kinerja.rules import jendela_periodik

    p = realisasi.periode
    for j in jendela_periodik(p.tahun, p.frekuensi):
        if j.urutan == realisasi.urutan:
            return label_jendela(j.label)
    return f"periode ke-{realisasi.urutan}"
