"""Explicit grants (issue 15, item 4): given and taken back by the admin of the instansi.

Each grant is a django-guardian object permission (assign_perm / remove_perm) plus its record
(HakAksesKhusus, with history): who gave it, to whom, on what, from when until when and why.
The policy (kinerja.policy.hibah) honours it only while the record is current. Grants are
written only here (the style guide: guardian grants are written by services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from kinerja import policy
from kinerja.models import HakAksesKhusus, Instansi, Pegawai, UnitKerja, User
from kinerja.policy.hibah import PERM
from kinerja.riwayat import layanan

Jenis = HakAksesKhusus.Jenis


def _objek(jenis: str, instansi: Instansi, objek_id: int | None) -> Any:
    """The object of the grant, inside the instansi (a foreign or missing id: the same error)."""
    tidak_ada = ValidationError({"objek": ["Pilih pejabat atau unit kerja di instansi ini."]})
    if jenis == Jenis.PEMUTUS_KEBERATAN:
        return instansi
    model = Pegawai if jenis == Jenis.PLH else UnitKerja
    obj = model.objects.filter(pk=objek_id or 0, instansi=instansi).first()
    if obj is None:
        raise tidak_ada
    return obj


@layanan
@transaction.atomic
def hak_khusus_beri(
    *,
    user: Any,
    instansi: Instansi,
    jenis: str,
    penerima: Pegawai | None,
    objek_id: int | None,
    mulai: dt.date,
    selesai: dt.date | None,
    alasan: str,
) -> HakAksesKhusus:
    """Give `penerima` (a pegawai of the instansi with a login) a grant of `jenis` on an object
    of the same instansi, from `mulai` to `selesai` (inclusive; open-ended when None)."""
    policy.require(user, "kelola_hak_khusus", instansi)
    if jenis not in Jenis.values:
        raise ValidationError({"jenis": ["Pilih jenis hak akses."]})
    if penerima is None or penerima.instansi_id != instansi.pk or not penerima.user_id:
        raise ValidationError({"penerima": ["Pilih pegawai instansi ini yang memiliki akun."]})
    if penerima.status == Pegawai.Status.BERHENTI:
        raise ValidationError({"penerima": ["Pegawai ini sudah berhenti."]})
    objek = _objek(jenis, instansi, objek_id)
    if jenis == Jenis.PLH and objek.pk == penerima.pk:
        raise ValidationError({"objek": ["Plh tidak dapat ditunjuk atas nama dirinya sendiri."]})
    if selesai is not None and selesai < mulai:
        raise ValidationError({"selesai": ["Tanggal selesai tidak boleh sebelum tanggal mulai."]})
    if not (alasan or "").strip():
        raise ValidationError({"alasan": ["Tuliskan dasar pemberian hak akses (mis. nomor SK)."]})
    hak = HakAksesKhusus.objects.create(
        instansi=instansi,
        jenis=jenis,
        penerima_id=penerima.user_id,
        objek_id=objek.pk,
        objek_nama=str(getattr(objek, "nama", objek))[:300],
        mulai=mulai,
        selesai=selesai,
        alasan=alasan.strip(),
        diberikan_oleh=user,
    )
    app, _model, codename = PERM[jenis]
    assign_perm(f"{app}.{codename}", User.objects.get(pk=penerima.user_id), objek)
    return hak


@layanan
@transaction.atomic
def hak_khusus_cabut(*, user: Any, hak: HakAksesKhusus, alasan: str = "") -> HakAksesKhusus:
    """Take a grant back: the record is closed (kept, with history) and the guardian permission
    removed unless another current record of the same grant still needs it."""
    hak = HakAksesKhusus.objects.select_for_update().get(pk=hak.pk)
    policy.require(user, "kelola_hak_khusus", hak.instansi)
    if hak.dicabut_pada is not None:
        raise ValidationError("Hak akses ini sudah dicabut.")
    hak.dicabut_pada = timezone.now()
    hak.dicabut_oleh = user
    hak.alasan_cabut = (alasan or "").strip()
    hak.save(update_fields=["dicabut_pada", "dicabut_oleh", "alasan_cabut"])
    masih = HakAksesKhusus.objects.filter(
        penerima_id=hak.penerima_id, jenis=hak.jenis, objek_id=hak.objek_id, dicabut_pada=None
    ).exists()
    if not masih:
        app, model, codename = PERM[hak.jenis]
        objek = {"pegawai": Pegawai, "unitkerja": UnitKerja, "instansi": Instansi}[model]
        obj = objek.objects.filter(pk=hak.objek_id).first()
        if obj is not None:
            remove_perm(f"{app}.{codename}", hak.penerima, obj)
    return hak


@layanan
@transaction.atomic
def pemutus_keberatan_tetapkan(
    *, user: Any, instansi: Instansi, pegawai: Pegawai | None
) -> HakAksesKhusus | None:
    """The designee chosen on the instansi's settings page, as a grant: the current designee
    grants are taken back and (unless cleared) one is given to `pegawai` from today."""
    from kinerja.waktu import hari_ini

    policy.require(user, "kelola_hak_khusus", instansi)
    lama = HakAksesKhusus.objects.filter(
        instansi=instansi, jenis=Jenis.PEMUTUS_KEBERATAN, dicabut_pada=None
    )
    if pegawai is not None and any(h.penerima_id == pegawai.user_id for h in lama):
        return None  # unchanged
    for h in lama:
        hak_khusus_cabut(user=user, hak=h, alasan="Diganti dari pengaturan instansi.")
    if pegawai is None or not pegawai.user_id:
        return None
    return hak_khusus_beri(
        user=user,
        instansi=instansi,
        jenis=Jenis.PEMUTUS_KEBERATAN,
        penerima=pegawai,
        objek_id=instansi.pk,
        mulai=hari_ini(),
        selesai=None,
        alasan="Ditunjuk pada pengaturan instansi.",
    )
