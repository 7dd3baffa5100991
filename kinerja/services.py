"""State changes of the organisation. Every write goes through a function here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from kinerja import policy, rules
from kinerja.models import Instansi, Jabatan, Pegawai, UnitKerja

# Rows whose change can move who rates whom.
PENILAI_MODELS = (Instansi, UnitKerja, Jabatan, Pegawai)


@transaction.atomic
def penilai_refresh(*, instansi: Instansi) -> int:
    """Recompute and store every pegawai's pejabat penilai and atasan pejabat penilai.

    Runs after any change to positions, holders or overrides in the instansi; one read of the
    instansi's structure, then bulk updates of the rows that changed. Returns how many changed.
    """
    units = {
        u.id: rules.UnitInfo(u.id, u.mandiri, u.penilai_jabatan_id)
        for u in UnitKerja.objects.filter(instansi=instansi).only(
            "id", "mandiri", "penilai_jabatan_id"
        )
    }
    jabatan = {
        j.id: rules.JabatanInfo(j.id, j.jenis, j.atasan_id, j.unit_kerja_id, j.kepala_unit)
        for j in Jabatan.objects.filter(unit_kerja__instansi=instansi).only(
            "id", "jenis", "atasan_id", "unit_kerja_id", "kepala_unit"
        )
    }
    pimpinan = next(
        (j.id for j in jabatan.values() if j.jenis == Jabatan.Jenis.PIMPINAN_INSTANSI), None
    )
    pegawai = list(
        Pegawai.objects.filter(instansi=instansi)
        .exclude(status=Pegawai.Status.BERHENTI)
        .only(
            "id",
            "status",
            "jabatan_id",
            "plt_jabatan_id",
            "penilai_override_id",
            "pejabat_penilai_id",
            "atasan_pejabat_penilai_id",
        )
    )
    holder: dict[int, int] = {}
    acting: dict[int, int] = {}
    for p in pegawai:
        if p.plt_jabatan_id and p.status == Pegawai.Status.AKTIF:
            acting.setdefault(p.plt_jabatan_id, p.id)
    for p in pegawai:
        if not p.jabatan_id:
            continue
        # A pegawai on tugas belajar is relieved of the position; one on leave keeps it unless
        # a Plh/Plt has been named for it while they are away.
        if p.status == Pegawai.Status.TUGAS_BELAJAR:
            continue
        if p.status == Pegawai.Status.CUTI and p.jabatan_id in acting:
            continue
        holder.setdefault(p.jabatan_id, p.id)
    active = {p.id for p in pegawai}
    derived = rules.derive_penilai(
        {p.id: p.jabatan_id for p in pegawai},
        jabatan_by_id=jabatan,
        unit_by_id=units,
        holder_by_jabatan=holder,
        acting_by_jabatan=acting,
        instansi_daerah=instansi.jenis == Instansi.Jenis.DAERAH,
        pimpinan_jabatan_id=pimpinan,
        # An override naming someone who has left (berhenti) no longer applies.
        override={p.id: p.penilai_override_id for p in pegawai if p.penilai_override_id in active},
    )
    # One UPDATE per (penilai, atasan) pair rather than bulk_update's per-row CASE: the pairs
    # are about as many as the leaders, far fewer than the pegawai (100k rows in seconds).
    by_pair: dict[tuple[int | None, int | None], list[int]] = {}
    for p in pegawai:
        pair = derived[p.id]
        if (p.pejabat_penilai_id, p.atasan_pejabat_penilai_id) != pair:
            by_pair.setdefault(pair, []).append(p.id)
    for (penilai, atasan), ids in by_pair.items():
        for i in range(0, len(ids), 5000):
            Pegawai.objects.filter(pk__in=ids[i : i + 5000]).update(
                pejabat_penilai_id=penilai, atasan_pejabat_penilai_id=atasan
            )
    return sum(len(ids) for ids in by_pair.values())


def _instansi_of(obj: Model) -> Instansi | None:
    if isinstance(obj, Instansi):
        return obj
    if isinstance(obj, Jabatan):
        return obj.unit_kerja.instansi if obj.unit_kerja_id else None
    return obj.instansi if getattr(obj, "instansi_id", None) else None


@transaction.atomic
def organisasi_simpan(*, user: Any, obj: Model, refresh: bool = True) -> Model:
    """Create or change one organisation row (instansi, unit kerja, jabatan, pegawai, tim kerja,
    periode) on behalf of `user`; the one path for admin, API and import.

    Checks the policy on the row as it was and as it will be (so a row cannot be moved into or
    out of an instansi the user does not administer), validates the row, saves it and, when the
    change can move who rates whom, recomputes the instansi's pejabat penilai.
    """
    if obj.pk:
        before = type(obj)._default_manager.filter(pk=obj.pk).first()
        if before is not None:
            policy.require(user, "change", before)
    policy.require(user, "change" if obj.pk else "add", obj)
    obj.full_clean()
    obj.save()
    if refresh and isinstance(obj, PENILAI_MODELS):
        instansi = _instansi_of(obj)
        if instansi is not None:
            penilai_refresh(instansi=instansi)
    return obj


@transaction.atomic
def organisasi_hapus(*, user: Any, obj: Model) -> None:
    """Delete one organisation row on behalf of `user` and recompute who rates whom."""
    policy.require(user, "delete", obj)
    instansi = _instansi_of(obj)
    obj.delete()
    if isinstance(obj, PENILAI_MODELS) and instansi is not None and not isinstance(obj, Instansi):
        penilai_refresh(instansi=instansi)


PEGAWAI_UPSERT_FIELDS = (
    "nama",
    "jenis_asn",
    "golongan",
    "jabatan",
    "unit_kerja",
    "status",
    "email",
)


class Upsert:
    DIBUAT = "dibuat"
    DIPERBARUI = "diperbarui"
    TETAP = "tetap"


def pegawai_user_ensure(pegawai: Pegawai) -> None:
    """Give a pegawai with a NIP a login (username = NIP, no usable password until the admin
    sets one). An existing account of that name is linked only when it belongs to nobody
    (`policy.akun_boleh_diadopsi`): an admin's or another instansi's account is never taken over,
    and the pegawai then stays without a login until the superuser sorts it out."""
    if pegawai.user_id or not pegawai.nip:
        return
    User = get_user_model()
    user = User.objects.filter(username=pegawai.nip).first()
    if user is None:
        user = User(username=pegawai.nip, first_name=pegawai.nama[:150], email=pegawai.email)
        user.set_unusable_password()
        user.save()
    elif not policy.akun_boleh_diadopsi(user):
        return
    pegawai.user = user
    pegawai.save(update_fields=["user"])


@transaction.atomic
def pegawai_upsert(
    *, user: Any, instansi: Instansi, nip: str, data: dict[str, Any], refresh: bool = True
) -> tuple[Pegawai, str]:
    """Create or update the pegawai with this NIP in `instansi` (how SIASN pushes staff).

    Returns the pegawai and "dibuat" / "diperbarui" / "tetap" (nothing changed, nothing written).
    A NIP registered in another instansi is refused: moving staff between instansi is done by
    the admin of the instansi they leave.
    """
    nip = rules.normalize_nip(nip)
    pegawai = Pegawai.objects.filter(nip=nip).first()
    if pegawai is not None and pegawai.instansi_id != instansi.pk:
        raise ValidationError({"nip": "NIP ini sudah terdaftar pada instansi lain."})
    status = Upsert.DIPERBARUI
    if pegawai is None:
        pegawai = Pegawai(instansi=instansi, nip=nip)
        status = Upsert.DIBUAT
    data = dict(data)
    if "golongan" in data:
        data["golongan"] = rules.normalize_golongan(
            data["golongan"], data.get("jenis_asn", pegawai.jenis_asn)
        )
    changed = status == Upsert.DIBUAT
    for field in PEGAWAI_UPSERT_FIELDS:
        if field not in data:
            continue
        value = data[field]
        attname = Pegawai._meta.get_field(field).attname
        if isinstance(value, Model):
            value = value.pk
        if getattr(pegawai, attname) != value:
            setattr(pegawai, attname, value)
            changed = True
    if not changed:
        return pegawai, Upsert.TETAP
    # The unit follows the position when only the position was given.
    if "jabatan" in data and "unit_kerja" not in data and pegawai.jabatan_id:
        pegawai.unit_kerja_id = Jabatan.objects.get(pk=pegawai.jabatan_id).unit_kerja_id
    organisasi_simpan(user=user, obj=pegawai, refresh=refresh)
    pegawai_user_ensure(pegawai)
    return pegawai, status
