"""State changes of the organisation. Every write goes through a function here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.dispatch import Signal

from kinerja import policy, rules, waktu
from kinerja.models import (
    Instansi,
    Jabatan,
    MasaPenilai,
    Pegawai,
    Periode,
    RiwayatJabatan,
    UnitKerja,
)
from kinerja.riwayat import layanan
from kinerja.versi import PESAN_BASI, cek_versi  # noqa: F401  (kinerja.services.cek_versi)

# Rows whose change can move who rates whom.
PENILAI_MODELS = (Instansi, UnitKerja, Jabatan, Pegawai)


@dataclass(frozen=True)
class PerubahanPenilai:
    """One pegawai whose pejabat penilai or atasan pejabat penilai changed at a TMT."""

    pegawai_id: int
    penilai_lama: int | None
    penilai_baru: int | None
    atasan_lama: int | None
    atasan_baru: int | None

    @property
    def penilai_berganti(self) -> bool:
        return self.penilai_lama != self.penilai_baru


# Sent (inside the transaction) after `penilai_refresh` stored changes: later stages close and
# open SKPs, move waiting penugasan and re-derive keberatan deciders, without the kernel
# importing them (design.md: an earlier stage learns of a later one through signals).
penilai_berubah = Signal()


@dataclass
class Struktur:
    """An instansi's positions, units and active pegawai as `rules.derive_penilai` reads them.

    Read once by `struktur_baca`; a restructuring's preview changes a copy in memory and derives
    again, so the preview and the real refresh share one derivation."""

    instansi: Instansi
    units: dict[int, rules.UnitInfo]
    jabatan: dict[int, rules.JabatanInfo]
    pegawai: dict[int, Pegawai]

    def turunkan(self) -> dict[int, tuple[int | None, int | None]]:
        """Each active pegawai's (pejabat penilai, atasan pejabat penilai)."""
        pimpinan = next(
            (j.id for j in self.jabatan.values() if j.jenis == Jabatan.Jenis.PIMPINAN_INSTANSI),
            None,
        )
        pegawai = list(self.pegawai.values())
        holder: dict[int, int] = {}
        acting: dict[int, int] = {}
        for p in pegawai:
            if p.plt_jabatan_id and p.status == Pegawai.Status.AKTIF:
                acting.setdefault(p.plt_jabatan_id, p.id)
        for p in pegawai:
            if not p.jabatan_id:
                continue
            # A pegawai on tugas belajar is relieved of the position; one on leave keeps it
            # unless a Plh/Plt has been named for it while they are away.
            if p.status == Pegawai.Status.TUGAS_BELAJAR:
                continue
            if p.status == Pegawai.Status.CUTI and p.jabatan_id in acting:
                continue
            holder.setdefault(p.jabatan_id, p.id)
        return rules.derive_penilai(
            {p.id: p.jabatan_id for p in pegawai},
            jabatan_by_id=self.jabatan,
            unit_by_id=self.units,
            holder_by_jabatan=holder,
            acting_by_jabatan=acting,
            instansi_daerah=self.instansi.jenis == Instansi.Jenis.DAERAH,
            pimpinan_jabatan_id=pimpinan,
            # An override naming someone who has left (berhenti) no longer applies.
            override={
                p.id: p.penilai_override_id
                for p in pegawai
                if p.penilai_override_id in self.pegawai
            },
        )


def struktur_baca(instansi: Instansi) -> Struktur:
    """Three reads: the instansi's units, positions and active pegawai (only the columns the
    derivation needs; 100k pegawai in about a second)."""
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
    pegawai = {
        p.id: p
        for p in Pegawai.objects.filter(instansi=instansi)
        .exclude(status=Pegawai.Status.BERHENTI)
        .only(
            "id",
            "status",
            "jabatan_id",
            "unit_kerja_id",
            "plt_jabatan_id",
            "penilai_override_id",
            "pejabat_penilai_id",
            "atasan_pejabat_penilai_id",
        )
    }
    return Struktur(instansi, units, jabatan, pegawai)


@layanan
@transaction.atomic
def penilai_refresh(
    *,
    instansi: Instansi,
    tmt: dt.date | None = None,
    oleh: Any = None,
    mulai_baru: dict[int, dt.date] | None = None,
) -> int:
    """Recompute and store every pegawai's pejabat penilai and atasan pejabat penilai.

    Runs after any change to positions, holders or overrides in the instansi; one read of the
    instansi's structure, then bulk updates of the rows that changed. Who rated whom before
    `tmt` (default today) is kept: the open stretch of `MasaPenilai` is closed the day before and
    a new one opened from it. Returns how many pegawai changed.
    """
    tmt = tmt or waktu.hari_ini()
    struktur = struktur_baca(instansi)
    derived = struktur.turunkan()
    pegawai = list(struktur.pegawai.values())
    # One UPDATE per (penilai, atasan) pair rather than bulk_update's per-row CASE: the pairs
    # are about as many as the leaders, far fewer than the pegawai (100k rows in seconds).
    by_pair: dict[tuple[int | None, int | None], list[int]] = {}
    perubahan: list[PerubahanPenilai] = []
    for p in pegawai:
        pair = derived[p.id]
        if (p.pejabat_penilai_id, p.atasan_pejabat_penilai_id) != pair:
            by_pair.setdefault(pair, []).append(p.id)
            perubahan.append(
                PerubahanPenilai(
                    p.id, p.pejabat_penilai_id, pair[0], p.atasan_pejabat_penilai_id, pair[1]
                )
            )
    for (penilai, atasan), ids in by_pair.items():
        for i in range(0, len(ids), 5000):
            Pegawai.objects.filter(pk__in=ids[i : i + 5000]).update(
                pejabat_penilai_id=penilai, atasan_pejabat_penilai_id=atasan
            )
    _masa_catat(instansi, derived, tmt, mulai_baru or {})
    if perubahan:
        penilai_berubah.send(
            sender=Pegawai, instansi=instansi, tmt=tmt, perubahan=perubahan, oleh=oleh
        )
    return sum(len(ids) for ids in by_pair.values())


def _masa_catat(
    instansi: Instansi,
    derived: dict[int, tuple[int | None, int | None]],
    tmt: dt.date,
    mulai_baru: dict[int, dt.date],
) -> None:
    """Make each pegawai's open MasaPenilai stretch say `derived`, from `tmt` on.

    A stretch that started before `tmt` is closed the day before and a new one opened; one that
    started on or after it (a same-day correction, or a change recorded out of order) is
    corrected in place. Pegawai who left have their stretch closed. A pegawai seen for the first
    time has held their penilai since records began (waktu.MULAI_CATATAN), or since the TMT
    they joined on (`mulai_baru`)."""
    buka = {
        m.pegawai_id: m
        for m in MasaPenilai.objects.filter(pegawai__instansi=instansi, selesai__isnull=True).only(
            "id", "pegawai_id", "pejabat_penilai_id", "atasan_pejabat_penilai_id", "mulai"
        )
    }
    pernah = (
        set(
            MasaPenilai.objects.filter(pegawai__instansi=instansi, selesai__isnull=False)
            .exclude(pegawai_id__in=buka.keys())
            .values_list("pegawai_id", flat=True)
        )
        if len(buka) < len(derived)
        else set()
    )
    tutup: dict[dt.date, list[int]] = {}
    koreksi: dict[tuple[int | None, int | None], list[int]] = {}
    baru: list[MasaPenilai] = []
    kemarin = tmt - dt.timedelta(days=1)
    for pid, pair in derived.items():
        m = buka.get(pid)
        if m is None:
            mulai = tmt if pid in pernah else mulai_baru.get(pid, waktu.MULAI_CATATAN)
            baru.append(
                MasaPenilai(
                    pegawai_id=pid,
                    pejabat_penilai_id=pair[0],
                    atasan_pejabat_penilai_id=pair[1],
                    mulai=mulai,
                )
            )
            continue
        if (m.pejabat_penilai_id, m.atasan_pejabat_penilai_id) == pair:
            continue
        if m.mulai >= tmt:
            koreksi.setdefault(pair, []).append(m.pk)
        else:
            tutup.setdefault(kemarin, []).append(m.pk)
            baru.append(
                MasaPenilai(
                    pegawai_id=pid,
                    pejabat_penilai_id=pair[0],
                    atasan_pejabat_penilai_id=pair[1],
                    mulai=tmt,
                )
            )
    # Pegawai no longer derived (left the instansi's active staff): their stretch ends.
    for pid, m in buka.items():
        if pid not in derived:
            tutup.setdefault(max(kemarin, m.mulai), []).append(m.pk)
    for selesai, ids in tutup.items():
        MasaPenilai.objects.filter(pk__in=ids).update(selesai=selesai)
    for (penilai, atasan), ids in koreksi.items():
        MasaPenilai.objects.filter(pk__in=ids).update(
            pejabat_penilai_id=penilai, atasan_pejabat_penilai_id=atasan
        )
    MasaPenilai.objects.bulk_create(baru, batch_size=5000)


def _instansi_of(obj: Model) -> Instansi | None:
    if isinstance(obj, Instansi):
        return obj
    if isinstance(obj, Jabatan):
        return obj.unit_kerja.instansi if obj.unit_kerja_id else None
    return obj.instansi if getattr(obj, "instansi_id", None) else None


# Rules of a later stage about a year (Periode), which the kernel consults without importing it:
# each is called as fn(before=<the stored row or None>, after=<the row to save>) and raises
# ValidationError to refuse (e.g. the evaluation stage: "the frequency is fixed once any
# evaluation of the year exists"). Registered by that app's AppConfig.ready().
PERIODE_VALIDATORS: list[Callable[..., None]] = []


def periode_validator(fn: Callable[..., None]) -> Callable[..., None]:
    """Register a rule `organisasi_simpan` asks before saving a Periode (see above)."""
    if fn not in PERIODE_VALIDATORS:
        PERIODE_VALIDATORS.append(fn)
    return fn


@layanan
@transaction.atomic
def organisasi_simpan(
    *,
    user: Any,
    obj: Model,
    refresh: bool = True,
    tmt: dt.date | None = None,
    row_version: int | str | None = None,
) -> Model:
    """Create or change one organisation row (instansi, unit kerja, jabatan, pegawai, tim kerja,
    periode) on behalf of `user`; the one path for admin, API, import and `kinerja.mutasi`.

    Checks the policy on the row as it was and as it will be (so a row cannot be moved into or
    out of an instansi the user does not administer), validates the row (and, for a Periode, the
    rules later stages registered in PERIODE_VALIDATORS), saves it and, when the change can move
    who rates whom, recomputes the instansi's pejabat penilai as of `tmt` (default today). A
    pegawai's positions are kept in their RiwayatJabatan from `tmt` on. With `row_version`, an
    edit based on an older copy of the row is refused (the pages send the version they showed).
    """
    before = None
    if obj.pk:
        before = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
        if before is not None:
            policy.require(user, "change", before)
            if hasattr(before, "row_version"):
                cek_versi(before, row_version)
    policy.require(user, "change" if obj.pk else "add", obj)
    obj.full_clean()
    if isinstance(obj, Periode):
        for validator in PERIODE_VALIDATORS:
            validator(before=before, after=obj)
    if isinstance(before, Pegawai):
        riwayat_pastikan(pegawai=before)
    if before is not None and hasattr(before, "row_version"):
        obj.row_version = before.row_version + 1
    obj.save()
    # A pegawai created with an explicit TMT joined on it; otherwise, since records began.
    mulai_baru = {obj.pk: tmt} if before is None and tmt and isinstance(obj, Pegawai) else {}
    if isinstance(obj, Pegawai):
        riwayat_sinkron(
            pegawai=obj, tmt=tmt or waktu.hari_ini(), mulai_pertama=mulai_baru.get(obj.pk)
        )
    if refresh and isinstance(obj, PENILAI_MODELS):
        instansi = _instansi_of(obj)
        if instansi is not None:
            penilai_refresh(instansi=instansi, tmt=tmt, oleh=user, mulai_baru=mulai_baru)
    return obj


def riwayat_pastikan(*, pegawai: Pegawai) -> None:
    """A pegawai with no recorded holding (data from before positions had dates) is taken to
    have held what the row says since records began: written before the first change."""
    riwayat_pastikan_banyak(pegawai=[pegawai])


def riwayat_pastikan_banyak(*, pegawai: list[Pegawai]) -> None:
    """`riwayat_pastikan` for many pegawai (their rows as they are before the change)."""
    ids = [p.pk for p in pegawai]
    punya: set[int] = set()
    for i in range(0, len(ids), _POTONG):
        punya |= set(
            RiwayatJabatan.objects.filter(pegawai_id__in=ids[i : i + _POTONG])
            .values_list("pegawai_id", flat=True)
            .distinct()
        )
    belum = [p for p in pegawai if p.pk not in punya]
    if belum:
        riwayat_sinkron_banyak(pegawai=belum, tmt=waktu.MULAI_CATATAN)


def riwayat_sinkron(
    *, pegawai: Pegawai, tmt: dt.date, mutasi: Any = None, mulai_pertama: dt.date | None = None
) -> None:
    """Make the pegawai's open RiwayatJabatan rows say what the pegawai row says (definitive
    position, acting position, or none once they left), from `tmt` on.

    A holding that ends is closed the day before `tmt` (or dropped when it began on or after
    `tmt`: a correction); a new one opens at `tmt`. A pegawai never seen before holds what the
    row says since `mulai_pertama` (default: since records began)."""
    riwayat_sinkron_banyak(
        pegawai=[pegawai],
        tmt=tmt,
        mutasi={pegawai.pk: mutasi} if mutasi is not None else None,
        mulai_pertama={pegawai.pk: mulai_pertama} if mulai_pertama else None,
    )


_POTONG = 5000  # ids per IN list


def _jabatan_dipegang(p: Pegawai) -> dict[str, int]:
    want: dict[str, int] = {}
    if p.status != Pegawai.Status.BERHENTI:
        if p.jabatan_id:
            want[RiwayatJabatan.Jenis.DEFINITIF] = p.jabatan_id
        if p.plt_jabatan_id:
            want[p.plt_jenis or RiwayatJabatan.Jenis.PLT] = p.plt_jabatan_id
    return want


def riwayat_sinkron_banyak(
    *,
    pegawai: list[Pegawai],
    tmt: dt.date,
    mutasi: dict[int, Any] | None = None,
    mulai_pertama: dict[int, dt.date] | None = None,
) -> None:
    """`riwayat_sinkron` for many pegawai at one TMT: two reads, then bulk writes with history
    (a restructuring or an import moves thousands at once)."""
    from simple_history.utils import bulk_create_with_history

    mutasi = mutasi or {}
    mulai_pertama = mulai_pertama or {}
    ids = [p.pk for p in pegawai]
    terbuka: dict[int, list[RiwayatJabatan]] = {}
    punya: set[int] = set()
    for i in range(0, len(ids), _POTONG):
        bagian = ids[i : i + _POTONG]
        for r in RiwayatJabatan.objects.filter(pegawai_id__in=bagian).filter(
            Q(selesai__isnull=True) | Q(selesai__gte=tmt)
        ):
            terbuka.setdefault(r.pegawai_id, []).append(r)
        punya |= set(
            RiwayatJabatan.objects.filter(pegawai_id__in=bagian)
            .values_list("pegawai_id", flat=True)
            .distinct()
        )
    kemarin = tmt - dt.timedelta(days=1)
    tutup: list[RiwayatJabatan] = []
    hapus: list[int] = []
    baru: list[RiwayatJabatan] = []
    for p in pegawai:
        want = _jabatan_dipegang(p)
        # Open: held on `tmt` (an acting appointment carries its planned end from the start).
        for r in terbuka.get(p.pk, []):
            if want.get(r.jenis) == r.jabatan_id and (
                r.jenis != RiwayatJabatan.Jenis.DEFINITIF or r.unit_kerja_id == p.unit_kerja_id
            ):
                want.pop(r.jenis)
                continue
            if r.mulai >= tmt:
                hapus.append(r.pk)
            else:
                r.selesai = min(r.selesai or kemarin, kemarin)
                tutup.append(r)
        pertama = p.pk not in punya
        for jenis, jabatan_id in want.items():
            baru.append(
                RiwayatJabatan(
                    pegawai_id=p.pk,
                    jabatan_id=jabatan_id,
                    unit_kerja_id=p.unit_kerja_id
                    if jenis == RiwayatJabatan.Jenis.DEFINITIF
                    else None,
                    jenis=jenis,
                    mulai=(mulai_pertama.get(p.pk) or waktu.MULAI_CATATAN) if pertama else tmt,
                    mutasi=mutasi.get(p.pk),
                )
            )
    if tutup:
        # Closed holdings mostly share one last day: one UPDATE per day, history in bulk.
        per_hari: dict[dt.date, list[int]] = {}
        for r in tutup:
            per_hari.setdefault(r.selesai, []).append(r.pk)
        for selesai, ids in per_hari.items():
            RiwayatJabatan.objects.filter(pk__in=ids).update(selesai=selesai)
        RiwayatJabatan.history.bulk_history_create(tutup, update=True, batch_size=2000)
    if hapus:
        # One by one so each deletion is kept in the history (few: same-day corrections).
        for r in RiwayatJabatan.objects.filter(pk__in=hapus):
            r.delete()
    if baru:
        bulk_create_with_history(baru, RiwayatJabatan, batch_size=2000)


@layanan
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


@layanan
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
    pindah = None
    if status == Upsert.DIPERBARUI and pegawai.jabatan_id:
        lama = Pegawai.objects.filter(pk=pegawai.pk).values("jabatan_id", "unit_kerja_id").first()
        if lama["jabatan_id"] != pegawai.jabatan_id:
            # A change of position is a mutasi dated today, recorded once like any other
            # (domain.md, "The organisation over time"); the other columns are saved as usual.
            pindah = (pegawai.jabatan_id, pegawai.unit_kerja_id)
            pegawai.jabatan_id, pegawai.unit_kerja_id = lama["jabatan_id"], lama["unit_kerja_id"]
    if status == Upsert.DIBUAT:
        try:
            # A savepoint: two pushes of one new NIP at once meet the unique NIP, and the loser
            # is told the winner's id (a 400) instead of a 500.
            with transaction.atomic():
                organisasi_simpan(user=user, obj=pegawai, refresh=refresh)
        except IntegrityError:
            ada = Pegawai.objects.filter(nip=nip).values_list("pk", flat=True).first()
            if ada is None:
                raise
            raise ValidationError(
                {"nip": [f"Pegawai dengan NIP ini baru saja dibuat (id {ada}); kirim lagi."]}
            ) from None
    else:
        organisasi_simpan(user=user, obj=pegawai, refresh=refresh and pindah is None)
    if pindah is not None:
        from kinerja import mutasi

        mutasi.mutasi_catat(
            user=user,
            pegawai=pegawai,
            jenis="mutasi",
            tmt=waktu.hari_ini(),
            jabatan_baru=Jabatan.objects.get(pk=pindah[0]),
            unit_kerja_baru=UnitKerja.objects.get(pk=pindah[1]) if pindah[1] else None,
            keterangan="Pembaruan data pegawai (API)",
        )
        pegawai.refresh_from_db()
    pegawai_user_ensure(pegawai)
    return pegawai, status
