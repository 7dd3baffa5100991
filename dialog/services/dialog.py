"""Dialog kinerja (check-in, bimbingan, konseling) and its agreed follow-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dialog.models import (
    DialogKinerja,
    TindakLanjut,
)
from dialog.services._common import pegawai_dari, periode_untuk
from kinerja import policy
from kinerja.models import Pegawai
from kinerja.notifikasi import kabari, notifikasi_kirim
from kinerja.riwayat import layanan
from kinerja.versi import cek_versi


# --- Dialog kinerja and pembinaan ------------------------------------------------------------
def _cek_pemimpin(pemimpin: Pegawai, pegawai: Pegawai, jenis: str) -> None:
    # Bimbingan and konseling kinerja are the pejabat penilai's (or the atasan's) duty; a
    # check-in may also be the ketua tim's.
    aksi = "dialog_check_in" if jenis == DialogKinerja.Jenis.CHECK_IN else "dialog_pembinaan"
    if not policy.can(pemimpin.user, aksi, pegawai):
        raise PermissionDenied(
            "Dialog kinerja dicatat oleh pejabat penilai, atasannya, atau ketua tim pegawai."
        )


@layanan
@transaction.atomic
def dialog_catat(
    *,
    user: Any,
    pegawai: Pegawai,
    jenis: str,
    waktu: dt.datetime,
    agenda: str,
    catatan: str = "",
    tindak_lanjut: Sequence[tuple[str, dt.date, Pegawai | None]] = (),
) -> DialogKinerja:
    """Record a check-in, bimbingan or konseling session with its agreed follow-ups."""
    pemimpin = pegawai_dari(user)
    if jenis not in DialogKinerja.Jenis.values:
        raise ValidationError({"jenis": "Pilih jenis dialog."})
    _cek_pemimpin(pemimpin, pegawai, jenis)
    if not (agenda or "").strip():
        raise ValidationError({"agenda": "Agenda wajib diisi."})
    periode = periode_untuk(pegawai, timezone.localtime(waktu).date())
    d = DialogKinerja.objects.create(
        pegawai=pegawai,
        pemimpin=pemimpin,
        periode=periode,
        jenis=jenis,
        waktu=waktu,
        agenda=agenda.strip(),
        catatan=(catatan or "").strip(),
    )
    for uraian, tenggat, pj in tindak_lanjut:
        tindak_lanjut_tambah(
            user=user, dialog=d, uraian=uraian, tenggat=tenggat, penanggung_jawab=pj or pegawai
        )
    kabari(
        pegawai,
        jenis="dialog_kinerja",
        pesan=f"{pemimpin.nama} mencatat {d.get_jenis_display().lower()} bersama Anda.",
        tautan=reverse("dialog:dialog_detail", args=[d.pk]),
    )
    return d


@layanan
@transaction.atomic
def dialog_ubah(
    *, user: Any, dialog: DialogKinerja, agenda: str, catatan: str, row_version: int | None
) -> DialogKinerja:
    policy.require(user, "change", dialog)
    d = DialogKinerja.objects.select_for_update().get(pk=dialog.pk)
    cek_versi(d, row_version)
    if not (agenda or "").strip():
        raise ValidationError({"agenda": "Agenda wajib diisi."})
    d.agenda, d.catatan = agenda.strip(), (catatan or "").strip()
    d.row_version += 1
    d.save()
    return d


@layanan
@transaction.atomic
def tindak_lanjut_tambah(
    *, user: Any, dialog: DialogKinerja, uraian: str, tenggat: dt.date, penanggung_jawab: Pegawai
) -> TindakLanjut:
    policy.require(user, "change", dialog)
    if not (uraian or "").strip():
        raise ValidationError({"uraian": "Uraian tindak lanjut wajib diisi."})
    if tenggat is None:
        raise ValidationError({"tenggat": "Tenggat wajib diisi."})
    if penanggung_jawab.pk not in {dialog.pegawai_id, dialog.pemimpin_id}:
        raise ValidationError(
            {"penanggung_jawab": "Penanggung jawab adalah pegawai atau pemimpin dialog."}
        )
    return TindakLanjut.objects.create(
        dialog=dialog, uraian=uraian.strip(), tenggat=tenggat, penanggung_jawab=penanggung_jawab
    )


@layanan
@transaction.atomic
def tindak_lanjut_selesai(
    *, user: Any, tindak_lanjut: TindakLanjut, selesai: bool = True
) -> TindakLanjut:
    policy.require(user, "selesai", tindak_lanjut)
    tindak_lanjut.selesai = selesai
    tindak_lanjut.selesai_pada = timezone.now() if selesai else None
    tindak_lanjut.save(update_fields=["selesai", "selesai_pada"])
    return tindak_lanjut


def pengingat_tindak_lanjut(*, hari_ini: dt.date | None = None, hari: int = 3) -> int:
    """Remind the person responsible of follow-ups due within `hari` days (once per day each).

    For the daily reminder run (kinerja.pengingat): returns how many reminders were sent.
    """
    hari_ini = hari_ini or timezone.localdate()
    items: Iterable[TindakLanjut] = TindakLanjut.objects.filter(
        selesai=False, tenggat__gte=hari_ini, tenggat__lte=hari_ini + dt.timedelta(days=hari)
    ).select_related("penanggung_jawab__user", "dialog")
    sent = 0
    for t in items:
        if not t.penanggung_jawab.user_id:
            continue
        n = notifikasi_kirim(
            penerima=t.penanggung_jawab.user,
            jenis="tindak_lanjut_jatuh_tempo",
            pesan=f"Tindak lanjut \u201c{t.uraian[:120]}\u201d jatuh tempo {t.tenggat:%d-%m-%Y}.",
            tautan=reverse("dialog:dialog_detail", args=[t.dialog_id]),
            kunci=f"pengingat:tindak_lanjut:{t.pk}:{hari_ini.isoformat()}",
        )
        sent += n is not None
    return sent
