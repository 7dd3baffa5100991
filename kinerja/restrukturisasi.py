"""Restructuring (a new SOTK): many changes of the organisation on one date (domain.md, "The
organisation over time"; issue 16 item 5).

The admin prepares a draft (`Restrukturisasi`) with an effective date (TMT) and its steps
(`LangkahRestrukturisasi`: new, renamed, moved or closed units and positions, who reports to
whom, who holds what), sees a preview (`restrukturisasi_pratinjau`: every pegawai whose penilai
changes, old -> new, and the SKPs and open evaluations of the year that this touches) and applies
it (`restrukturisasi_terapkan`, in `kinerja.restrukturisasi_terapan`). Applying runs as an outbox job with progress
(`kinerja.restrukturisasi`): the structure is written, every pegawai who changes post gets a
Mutasi on the TMT naming the restructuring, and one `penilai_refresh` as of the TMT records who
rates whom from then on (and tells the later stages through `penilai_berubah`). A draft dated in
the future waits until the beat applies it on its date; until then it can be changed (which
returns it to draft) or dropped. The preview writes nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from kinerja import policy, rules, services, waktu
from kinerja.models import (
    Instansi,
    Jabatan,
    LangkahRestrukturisasi,
    Mutasi,
    Pegawai,
    Periode,
    Restrukturisasi,
    RiwayatJabatan,
    UnitKerja,
)
from kinerja.riwayat import atas_nama, layanan

L = LangkahRestrukturisasi.Jenis
JENIS_PINDAH = (Mutasi.Jenis.MUTASI, Mutasi.Jenis.PROMOSI, Mutasi.Jenis.ROTASI)
PESAN_TERTUTUP = "Restrukturisasi ini sudah {status}; tidak dapat diubah lagi."


# --- the draft ----------------------------------------------------------------------------------
def cek_terbuka(r: Restrukturisasi) -> None:
    if not r.terbuka:
        raise ValidationError(
            {"status": PESAN_TERTUTUP.format(status=r.get_status_display().lower())}
        )


def cek_tmt(instansi: Instansi, tmt: dt.date | None) -> None:
    if tmt is None:
        raise ValidationError({"tmt": "TMT wajib diisi."})
    if tmt < waktu.MULAI_CATATAN:
        raise ValidationError({"tmt": "TMT tidak boleh sebelum 1 Januari 2022."})
    if Periode.objects.filter(
        instansi=instansi, tahun=tmt.year, status=Periode.Status.DITUTUP
    ).exists():
        raise ValidationError({"tmt": f"Tahun {tmt.year} sudah ditutup; pilih TMT lain."})


@layanan
@transaction.atomic
def restrukturisasi_buat(
    *, user: Any, instansi: Instansi, nama: str, tmt: dt.date, keterangan: str = ""
) -> Restrukturisasi:
    """Start a draft restructuring of `instansi` effective on `tmt`."""
    r = Restrukturisasi(
        instansi=instansi,
        nama=(nama or "").strip(),
        tmt=tmt,
        keterangan=keterangan,
        dibuat_oleh=user if getattr(user, "is_authenticated", False) else None,
    )
    policy.require(user, "add", r)
    if not r.nama:
        raise ValidationError({"nama": "Tuliskan nama atau dasar hukum restrukturisasi."})
    cek_tmt(instansi, tmt)
    with atas_nama(user):
        r.save()
    return r


@layanan
@transaction.atomic
def restrukturisasi_ubah(
    *,
    user: Any,
    restrukturisasi: Restrukturisasi,
    nama: str,
    tmt: dt.date,
    keterangan: str = "",
    row_version: int | str | None = None,
) -> Restrukturisasi:
    """Change the name, date or note of a draft (a scheduled one goes back to draft)."""
    r = Restrukturisasi.objects.select_for_update().get(pk=restrukturisasi.pk)
    policy.require(user, "change", r)
    cek_terbuka(r)
    services.cek_versi(r, row_version)
    if not (nama or "").strip():
        raise ValidationError({"nama": "Tuliskan nama atau dasar hukum restrukturisasi."})
    cek_tmt(r.instansi, tmt)
    r.nama, r.tmt, r.keterangan = nama.strip(), tmt, keterangan
    _kembali_draf(r, user)
    return r


def _kembali_draf(r: Restrukturisasi, user: Any) -> None:
    """Any change returns a scheduled draft to draft: it is applied only as last previewed."""
    r.status = Restrukturisasi.Status.DRAF
    r.row_version += 1
    with atas_nama(user):
        r.save()


def _ref(model: type, obj: Any, instansi: Instansi, label: str, errors: dict) -> None:
    if obj is None:
        return
    inst = obj.instansi_id if model is UnitKerja else obj.unit_kerja.instansi_id
    if inst != instansi.pk:
        errors[label] = "Harus di instansi yang sama."
    elif getattr(obj, "ditutup", None):
        errors[label] = f"{obj.nama} sudah ditutup."


@layanan
@transaction.atomic
def langkah_tambah(
    *,
    user: Any,
    restrukturisasi: Restrukturisasi,
    jenis: str,
    unit: UnitKerja | None = None,
    jabatan: Jabatan | None = None,
    pegawai: Pegawai | None = None,
    nama: str = "",
    singkatan: str = "",
    jenis_jabatan: str = "",
    mandiri: bool | None = None,
    kepala_unit: bool | None = None,
    tutup: bool = False,
    unit_ke: UnitKerja | None = None,
    unit_ke_langkah: LangkahRestrukturisasi | None = None,
    jabatan_ke: Jabatan | None = None,
    jabatan_ke_langkah: LangkahRestrukturisasi | None = None,
    jenis_mutasi: str = "",
) -> LangkahRestrukturisasi:
    """Add one step to a draft. A step may refer only to rows of the instansi that are still
    open, or to a unit or position an earlier step of the same draft creates."""
    r = (
        Restrukturisasi.objects.select_for_update(of=("self",))
        .select_related("instansi")
        .get(pk=restrukturisasi.pk)
    )
    policy.require(user, "change", r)
    cek_terbuka(r)
    errors: dict[str, str] = {}
    if jenis not in L.values:
        raise ValidationError({"jenis": "Jenis langkah tidak dikenal."})
    nama = (nama or "").strip()
    _ref(UnitKerja, unit, r.instansi, "unit", errors)
    _ref(UnitKerja, unit_ke, r.instansi, "unit_ke", errors)
    _ref(Jabatan, jabatan, r.instansi, "jabatan", errors)
    _ref(Jabatan, jabatan_ke, r.instansi, "jabatan_ke", errors)
    for lk, want, label in (
        (unit_ke_langkah, L.UNIT_BARU, "unit_ke"),
        (jabatan_ke_langkah, L.JABATAN_BARU, "jabatan_ke"),
    ):
        if lk is not None and (lk.restrukturisasi_id != r.pk or lk.jenis != want):
            errors[label] = "Rujukan ke langkah lain dari rancangan ini tidak sah."
    unit_tujuan = unit_ke is not None or unit_ke_langkah is not None
    jabatan_tujuan = jabatan_ke is not None or jabatan_ke_langkah is not None
    if jenis == L.UNIT_BARU and not nama:
        errors["nama"] = "Tuliskan nama unit kerja baru."
    if jenis == L.UNIT_UBAH:
        if unit is None:
            errors["unit"] = "Pilih unit kerja yang diubah."
        elif not (nama or singkatan or unit_tujuan or tutup or mandiri is not None):
            errors["nama"] = "Tuliskan apa yang berubah: nama baru, induk baru, atau ditutup."
    if jenis == L.JABATAN_BARU:
        if not nama:
            errors["nama"] = "Tuliskan nama jabatan baru."
        if jenis_jabatan not in Jabatan.Jenis.values:
            errors["jenis_jabatan"] = "Pilih jenis jabatan."
        if not unit_tujuan:
            errors["unit_ke"] = "Pilih unit kerja jabatan ini."
    if jenis == L.JABATAN_UBAH:
        if jabatan is None:
            errors["jabatan"] = "Pilih jabatan yang diubah."
        elif jenis_jabatan and jenis_jabatan not in Jabatan.Jenis.values:
            errors["jenis_jabatan"] = "Jenis jabatan tidak dikenal."
        elif not (
            nama or jenis_jabatan or unit_tujuan or jabatan_tujuan or tutup
        ) and kepala_unit in (None, jabatan.kepala_unit):
            errors["nama"] = "Tuliskan apa yang berubah: nama, unit, atasan, atau ditutup."
    if jenis == L.PENEMPATAN:
        if pegawai is None:
            errors["pegawai"] = "Pilih pegawai."
        elif pegawai.instansi_id != r.instansi_id or pegawai.status == Pegawai.Status.BERHENTI:
            errors["pegawai"] = "Pegawai harus aktif di instansi ini."
        elif r.langkah_set.filter(jenis=L.PENEMPATAN, pegawai=pegawai).exists():
            errors["pegawai"] = "Pegawai ini sudah ditempatkan dalam rancangan ini."
        if not jabatan_tujuan:
            errors["jabatan_ke"] = "Pilih jabatan tujuan."
        if jenis_mutasi and jenis_mutasi not in JENIS_PINDAH:
            errors["jenis_mutasi"] = "Pilih mutasi, promosi atau rotasi."
    if errors:
        raise ValidationError(errors)
    terakhir = r.langkah_set.order_by("-urutan").values_list("urutan", flat=True).first() or 0
    lk = LangkahRestrukturisasi(
        restrukturisasi=r,
        urutan=terakhir + 1,
        jenis=jenis,
        unit=unit,
        jabatan=jabatan,
        pegawai=pegawai,
        nama=nama,
        singkatan=(singkatan or "").strip(),
        jenis_jabatan=jenis_jabatan or "",
        mandiri=mandiri,
        kepala_unit=kepala_unit,
        tutup=bool(tutup),
        unit_ke=unit_ke,
        unit_ke_langkah=unit_ke_langkah,
        jabatan_ke=jabatan_ke,
        jabatan_ke_langkah=jabatan_ke_langkah,
        jenis_mutasi=(jenis_mutasi or Mutasi.Jenis.MUTASI) if jenis == L.PENEMPATAN else "",
    )
    with atas_nama(user):
        lk.save()
    _kembali_draf(r, user)
    return lk


@layanan
@transaction.atomic
def langkah_hapus(*, user: Any, langkah: LangkahRestrukturisasi) -> None:
    """Remove a step (and the steps that refer to what it would have created)."""
    r = Restrukturisasi.objects.select_for_update().get(pk=langkah.restrukturisasi_id)
    policy.require(user, "change", r)
    cek_terbuka(r)
    with atas_nama(user):
        for lk in LangkahRestrukturisasi.objects.filter(
            restrukturisasi=r, pk__in=_bergantung(r, langkah.pk)
        ).order_by("-urutan"):
            lk.delete()
    _kembali_draf(r, user)


def _bergantung(r: Restrukturisasi, pk: int) -> set[int]:
    """The step and every step that refers to it, directly or through another."""
    refs = list(r.langkah_set.values_list("pk", "unit_ke_langkah_id", "jabatan_ke_langkah_id"))
    out = {pk}
    tumbuh = True
    while tumbuh:
        tumbuh = False
        for lpk, u, j in refs:
            if lpk not in out and (u in out or j in out):
                out.add(lpk)
                tumbuh = True
    return out


# --- the preview ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PenilaiBerganti:
    pegawai_id: int
    penilai_lama: int | None
    penilai_baru: int | None
    atasan_lama: int | None
    atasan_baru: int | None


@dataclass
class Pratinjau:
    """What applying would do; nothing of it is written. `masalah` non-empty blocks applying."""

    perubahan: list[PenilaiBerganti] = field(default_factory=list)
    penempatan: list[tuple[int, int | None, int]] = field(default_factory=list)
    masalah: list[str] = field(default_factory=list)
    catatan: list[str] = field(default_factory=list)
    jumlah_skp: int = 0
    jumlah_evaluasi_terbuka: int = 0
    skp_per_pegawai: dict[int, int] = field(default_factory=dict)
    evaluasi_per_pegawai: dict[int, int] = field(default_factory=dict)
    unit_baru: int = 0
    jabatan_baru: int = 0
    unit_diubah: int = 0
    jabatan_diubah: int = 0
    # after simulation: the new positions' (or steps') structure, for the apply
    langkah: list[LangkahRestrukturisasi] = field(default_factory=list)

    @property
    def penilai_berganti(self) -> list[PenilaiBerganti]:
        return [p for p in self.perubahan if p.penilai_lama != p.penilai_baru]


@layanan
def restrukturisasi_pratinjau(*, user: Any, restrukturisasi: Restrukturisasi) -> Pratinjau:
    """Simulate the draft on a copy of the instansi's structure in memory and derive who would
    rate whom; compare with who does now. Reads only."""
    r = restrukturisasi
    policy.require(user, "view", r)
    return simulasikan(r)


def simulasikan(r: Restrukturisasi) -> Pratinjau:
    instansi = r.instansi
    out = Pratinjau()
    langkah = list(
        r.langkah_set.select_related("pegawai", "unit", "jabatan").order_by("urutan", "pk")
    )
    out.langkah = langkah
    struktur = services.struktur_baca(instansi)
    units = dict(struktur.units)
    jabatan = dict(struktur.jabatan)
    pegawai = dict(struktur.pegawai)
    induk = dict(UnitKerja.objects.filter(instansi=instansi).values_list("pk", "induk_id"))
    unit_tutup = set(
        UnitKerja.objects.filter(instansi=instansi, ditutup__isnull=False).values_list(
            "pk", flat=True
        )
    )
    jab_tutup = set(
        Jabatan.objects.filter(unit_kerja__instansi=instansi, ditutup__isnull=False).values_list(
            "pk", flat=True
        )
    )
    nama_langkah = {lk.pk: lk.nama for lk in langkah}
    for lk in langkah:
        uid_ke = -lk.unit_ke_langkah_id if lk.unit_ke_langkah_id else lk.unit_ke_id
        jid_ke = -lk.jabatan_ke_langkah_id if lk.jabatan_ke_langkah_id else lk.jabatan_ke_id
        if lk.jenis == L.UNIT_BARU:
            units[-lk.pk] = rules.UnitInfo(-lk.pk, bool(lk.mandiri), None)
            induk[-lk.pk] = uid_ke
            out.unit_baru += 1
        elif lk.jenis == L.UNIT_UBAH:
            out.unit_diubah += 1
            if lk.mandiri is not None:
                u = units[lk.unit_id]
                units[lk.unit_id] = rules.UnitInfo(u.id, lk.mandiri, u.penilai_jabatan_id)
            if uid_ke is not None:
                induk[lk.unit_id] = uid_ke
            if lk.tutup:
                unit_tutup.add(lk.unit_id)
        elif lk.jenis == L.JABATAN_BARU:
            jabatan[-lk.pk] = rules.JabatanInfo(
                -lk.pk, lk.jenis_jabatan, jid_ke, uid_ke, bool(lk.kepala_unit)
            )
            out.jabatan_baru += 1
        elif lk.jenis == L.JABATAN_UBAH:
            out.jabatan_diubah += 1
            j = jabatan[lk.jabatan_id]
            jabatan[lk.jabatan_id] = rules.JabatanInfo(
                j.id,
                lk.jenis_jabatan or j.jenis,
                jid_ke if jid_ke is not None else j.atasan_id,
                uid_ke if uid_ke is not None else j.unit_id,
                j.kepala_unit if lk.kepala_unit is None else lk.kepala_unit,
            )
            if lk.tutup:
                jab_tutup.add(lk.jabatan_id)
        elif lk.jenis == L.PENEMPATAN:
            p = pegawai.get(lk.pegawai_id)
            if p is None:
                out.masalah.append(f"Langkah {lk.urutan}: pegawai sudah tidak aktif.")
                continue
            baru = copy.copy(p)
            baru.jabatan_id = jid_ke
            baru.unit_kerja_id = jabatan[jid_ke].unit_id if jid_ke in jabatan else None
            if baru.plt_jabatan_id == jid_ke:
                baru.plt_jabatan_id = None
            pegawai[p.pk] = baru
            out.penempatan.append((p.pk, p.jabatan_id, jid_ke))
    _periksa(out, r, units, induk, unit_tutup, jabatan, jab_tutup, pegawai, nama_langkah)
    # Who rates whom in the new structure, against who does now (the stored values).
    # Acting roles in closed posts end on the TMT.
    for p in [p for p in pegawai.values() if p.plt_jabatan_id in jab_tutup]:
        pegawai[p.pk] = copy.copy(p)
        pegawai[p.pk].plt_jabatan_id = None
    baru = services.Struktur(instansi, units, jabatan, pegawai).turunkan()
    for pid, p in struktur.pegawai.items():
        pair = baru.get(pid, (None, None))
        if (p.pejabat_penilai_id, p.atasan_pejabat_penilai_id) != pair:
            out.perubahan.append(
                PenilaiBerganti(
                    pid, p.pejabat_penilai_id, pair[0], p.atasan_pejabat_penilai_id, pair[1]
                )
            )
    _hitung_tahap(out, instansi, r.tmt)
    return out


def _periksa(
    out: Pratinjau,
    r: Restrukturisasi,
    units: dict,
    induk: dict,
    unit_tutup: set[int],
    jabatan: dict,
    jab_tutup: set[int],
    pegawai: dict,
    nama_langkah: dict[int, str],
) -> None:
    """What would leave the structure broken: blocks applying, each problem in a sentence."""
    names: dict[int, str] = {}
    need_j = {j for j in jab_tutup if j > 0}
    need_u = {u for u in unit_tutup if u > 0}

    def nm_j(jid: int | None) -> str:
        if jid is None:
            return "-"
        return nama_langkah.get(-jid, "?") if jid < 0 else names.get(jid, f"#{jid}")

    # Units: no cycles; an open unit is not under a closed one.
    for uid in units:
        seen, node = set(), induk.get(uid)
        while node is not None and node not in seen:
            if node == uid:
                out.masalah.append(f"Unit {nama_langkah.get(-uid) or uid} menjadi induk dirinya.")
                break
            seen.add(node)
            node = induk.get(node)
        if uid not in unit_tutup and induk.get(uid) in unit_tutup:
            need_u.add(uid if uid > 0 else 0)
    # Positions: an open position is not in a closed unit nor reports to a closed position.
    terbuka_di_tutup = [
        j
        for j in jabatan.values()
        if j.id not in jab_tutup and (j.unit_id in unit_tutup or j.atasan_id in jab_tutup)
    ]
    need_j |= {j.id for j in terbuka_di_tutup if j.id > 0} | {
        j.atasan_id for j in terbuka_di_tutup if j.atasan_id and j.atasan_id > 0
    }
    dipegang = [p for p in pegawai.values() if p.jabatan_id in jab_tutup]
    need_j |= {p.jabatan_id for p in dipegang}
    names.update(
        dict(Jabatan.objects.filter(pk__in=need_j).values_list("pk", "nama")) if need_j else {}
    )
    unames = dict(UnitKerja.objects.filter(pk__in=need_u).values_list("pk", "nama"))
    for uid in units:
        if uid not in unit_tutup and induk.get(uid) in unit_tutup:
            out.masalah.append(
                f"Unit {unames.get(uid) or nama_langkah.get(-uid, uid)} berada di bawah unit "
                "yang ditutup; pindahkan atau tutup juga."
            )
    for j in terbuka_di_tutup:
        if j.unit_id in unit_tutup:
            out.masalah.append(
                f"Jabatan {nm_j(j.id)} berada di unit yang ditutup; pindahkan atau tutup juga."
            )
        else:
            out.masalah.append(
                f"Jabatan {nm_j(j.id)} melapor kepada jabatan yang ditutup ({nm_j(j.atasan_id)}); "
                "tetapkan atasan barunya."
            )
    if dipegang:
        peg = dict(
            Pegawai.objects.filter(pk__in=[p.pk for p in dipegang]).values_list("pk", "nama")
        )
        for p in dipegang:
            out.masalah.append(
                f"{peg.get(p.pk)} masih memegang jabatan {nm_j(p.jabatan_id)} yang ditutup; "
                "tempatkan di jabatan lain."
            )
    # Placements: not before the pegawai's last recorded change; not into a closed position.
    ditempatkan = [pid for pid, _lama, _baru in out.penempatan]
    if ditempatkan:
        terakhir = dict(
            RiwayatJabatan.objects.filter(pegawai_id__in=ditempatkan, mulai__gt=r.tmt)
            .values_list("pegawai_id", "mulai")
            .order_by("mulai")
        )
        if terakhir:
            peg = dict(Pegawai.objects.filter(pk__in=terakhir).values_list("pk", "nama"))
            for pid, mulai in terakhir.items():
                out.masalah.append(
                    f"{peg.get(pid)} sudah tercatat berpindah jabatan pada {mulai:%d-%m-%Y}, "
                    "sesudah TMT restrukturisasi."
                )
        for pid, _lama, baru in out.penempatan:
            if baru in jab_tutup:
                out.masalah.append(f"Pegawai #{pid} ditempatkan di jabatan yang ditutup.")
    plt = [p for p in pegawai.values() if p.plt_jabatan_id in jab_tutup]
    if plt:
        out.catatan.append(
            f"{len(plt)} Plt/Plh pada jabatan yang ditutup berakhir pada TMT restrukturisasi."
        )


def _hitung_tahap(out: Pratinjau, instansi: Instansi, tmt: dt.date) -> None:
    """SKPs and open evaluations of the TMT's year that belong to pegawai whose penilai changes
    (counted through the app registry: the kernel imports no later stage)."""
    ids = [p.pegawai_id for p in out.penilai_berganti]
    if not ids:
        return
    for label, attr, per in (
        ("skp.SKP", "jumlah_skp", "skp_per_pegawai"),
        ("evaluasi.Evaluasi", "jumlah_evaluasi_terbuka", "evaluasi_per_pegawai"),
    ):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        qs = model.objects.filter(periode__instansi=instansi, periode__tahun=tmt.year)
        qs = qs.filter(terkini=True) if label == "skp.SKP" else qs.exclude(status="final")
        hitung: dict[int, int] = {}
        for i in range(0, len(ids), 5000):
            for row in (
                qs.filter(pegawai_id__in=ids[i : i + 5000])
                .values("pegawai_id")
                .annotate(n=Count("pk"))
                .order_by()
            ):
                hitung[row["pegawai_id"]] = row["n"]
        setattr(out, per, hitung)
        setattr(out, attr, sum(hitung.values()))
