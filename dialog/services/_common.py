"""Helpers shared by the dialog stage's services: who the pegawai is, the year and window, notification, row version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from kinerja import policy
from kinerja.models import Pegawai, Periode
from kinerja.riwayat import layanan
from kinerja.rules import jendela_pada


# --- helpers ---------------------------------------------------------------------------------
@layanan
def pegawai_dari(user: Any, dimuat: Pegawai | None = None) -> Pegawai:
    """The Pegawai behind a login; someone who is not a pegawai cannot take part in dialogue.
    `dimuat`: that row as this function already returned it in this request (the API's
    serializer asked first), used only when it is the login's own pegawai."""
    a = policy.actor(user)
    if not a.pegawai_id:
        raise PermissionDenied("Hanya pegawai yang dapat melakukan tindakan ini.")
    if dimuat is not None and dimuat.pk == a.pegawai_id:
        return dimuat
    return Pegawai.objects.select_related("jabatan", "instansi").get(pk=a.pegawai_id)


def periode_untuk(pegawai: Pegawai, tanggal: dt.date, *, untuk_menulis: bool = True) -> Periode:
    periode = Periode.objects.filter(instansi_id=pegawai.instansi_id, tahun=tanggal.year).first()
    if periode is None:
        raise ValidationError(
            f"Periode kinerja tahun {tanggal.year} untuk instansi {pegawai.instansi} belum dibuka."
        )
    if untuk_menulis and periode.ditutup:
        raise ValidationError(f"Periode kinerja {periode.tahun} sudah ditutup (hanya baca).")
    return periode


def urutan_jendela(periode: Periode, tanggal: dt.date) -> int:
    j = jendela_pada(periode.tahun, periode.frekuensi, tanggal)
    return j.urutan if j and j.urutan else 1


def kode_perilaku() -> dict[str, str]:
    from skp.rules import BERAKHLAK

    return {code: label for code, label, _guides in BERAKHLAK}
