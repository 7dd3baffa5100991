"""The matriks peran-hasil: a leader's cells per member and result, applied to the members' SKP."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from kinerja import policy
from kinerja.models import Pegawai, Periode
from kinerja.notifikasi import kabari
from kinerja.riwayat import layanan
from skp.models import (
    SKP,
    Indikator,
    MatriksPeranHasil,
    PeranHasil,
    RencanaHasilKerja,
)
from skp.services._common import _require, _sentuh, _terkini_lock, _url
from skp.services.rhk import _rhk_buat
from skp.services.skp import _salin_versi, _skp_buat


# --- Matriks peran-hasil -------------------------------------------------------------------
@layanan
@transaction.atomic
def matriks_buat(
    *, pemimpin: Pegawai, periode: Periode, user: Any, tim: Any = None, baru: bool = False
):
    """The leader's matrix for the year (or for one of the teams they lead); idempotent, except
    with `baru` (the API's create), where an existing matrix is a 400 naming its id."""
    a = policy.actor(user)
    if a.pegawai_id != pemimpin.pk:
        raise PermissionDenied("Hanya pimpinan yang dapat menyusun matriksnya sendiri.")
    if tim is not None and tim.ketua_id != pemimpin.pk:
        raise PermissionDenied("Anda bukan ketua tim ini.")
    if periode.instansi_id != pemimpin.instansi_id:
        raise ValidationError({"periode": ["Periode bukan milik instansi Anda."]})
    m, dibuat = MatriksPeranHasil.objects.get_or_create(pemimpin=pemimpin, periode=periode, tim=tim)
    if baru and not dibuat:
        raise ValidationError(
            {"periode": [f"Matriks untuk tahun ini sudah ada (id {m.pk}); ubah matriks itu."]}
        )
    return m


def _cek_matriks(matriks: MatriksPeranHasil, user: Any) -> MatriksPeranHasil:
    m = MatriksPeranHasil.objects.select_for_update().get(pk=matriks.pk)
    if not policy.can(user, "view", m):
        raise PermissionDenied("Anda tidak berwenang.")
    _require(user, "change", m)
    if m.periode.ditutup:
        raise ValidationError({"__all__": ["Periode ini sudah ditutup."]})
    return m


@layanan
@transaction.atomic
def peran_hasil_simpan(
    *,
    matriks: MatriksPeranHasil,
    user: Any,
    anggota: Pegawai,
    kolom_kunci: Any,
    peran_hasil: str,
    cascading: str = PeranHasil.Cascading.LANGSUNG,
    dasar: str = "",
    aspek: str = "",
    indikator: str = "",
    target: str = "",
    sel: PeranHasil | None = None,
) -> PeranHasil:
    """Add (or edit, with `sel`) one peran-hasil in a cell of the matrix."""
    from skp import selectors

    m = _cek_matriks(matriks, user)
    errors: dict[str, list[str]] = {}
    if anggota.pk not in {p.pk for p in selectors.matriks_baris(m)}:
        errors["anggota"] = ["Pegawai ini bukan anggota/bawahan langsung pada matriks ini."]
    if str(kolom_kunci) not in {str(r.kunci) for r in selectors.matriks_kolom(m)}:
        errors["kolom_kunci"] = ["Kolom (rencana hasil kerja pimpinan) tidak ditemukan."]
    if not (peran_hasil or "").strip():
        errors["peran_hasil"] = ["Isi peran-hasil (apa yang harus dihasilkan anggota)."]
    if cascading not in PeranHasil.Cascading.values:
        errors["cascading"] = ["Pilih cascading langsung atau tidak langsung."]
    langsung = {"aspek_tahapan", "wilayah", "porsi_target"}
    if dasar and dasar not in PeranHasil.Dasar.values:
        errors["dasar"] = ["Dasar cascading tidak dikenal."]
    elif dasar and (cascading == PeranHasil.Cascading.LANGSUNG) != (dasar in langsung):
        errors["dasar"] = [
            "Cascading langsung: pembagian aspek/tahapan, wilayah, atau porsi target; "
            "tidak langsung: layanan atau produk."
        ]
    if aspek and aspek not in Indikator.Aspek.values:
        errors["aspek"] = ["Aspek tidak dikenal."]
    if indikator.strip() and not target.strip():
        errors["target"] = ["Isi target untuk indikator ini."]
    if errors:
        raise ValidationError(errors)
    data = {
        "peran_hasil": peran_hasil.strip(),
        "cascading": cascading,
        "dasar": dasar,
        "aspek": aspek,
        "indikator": indikator.strip(),
        "target": target.strip(),
        "na": False,
    }
    if sel is not None:
        sel = PeranHasil.objects.get(pk=sel.pk, matriks=m)
        for k, v in data.items():
            setattr(sel, k, v)
        sel.save()
    else:
        # A peran-hasil replaces an N/A mark in the same cell.
        PeranHasil.objects.filter(
            matriks=m, anggota=anggota, kolom_kunci=kolom_kunci, na=True
        ).delete()
        urutan = (
            PeranHasil.objects.filter(
                matriks=m, anggota=anggota, kolom_kunci=kolom_kunci
            ).aggregate(m=Max("urutan"))["m"]
            or 0
        ) + 1
        sel = PeranHasil.objects.create(
            matriks=m, anggota=anggota, kolom_kunci=kolom_kunci, urutan=urutan, **data
        )
    MatriksPeranHasil.objects.filter(pk=m.pk).update(diperbarui=timezone.now())
    return sel


@layanan
@transaction.atomic
def matriks_baris_tambah(*, matriks: MatriksPeranHasil, user: Any, anggota: Pegawai) -> None:
    """Add the ketua of a TimKerja as an extra row of the leader's matrix (not a team matrix)."""
    from skp import selectors

    m = _cek_matriks(matriks, user)
    if m.tim_id:
        raise ValidationError({"anggota": ["Baris matriks tim mengikuti anggota tim."]})
    if anggota.pk not in {p.pk for p in selectors.matriks_kandidat_ketua(m)}:
        raise ValidationError(
            {"anggota": ["Hanya ketua tim kerja aktif di instansi Anda yang dapat ditambahkan."]}
        )
    m.anggota_tambahan.add(anggota)


@layanan
@transaction.atomic
def matriks_baris_hapus(*, matriks: MatriksPeranHasil, user: Any, anggota: Pegawai) -> None:
    m = _cek_matriks(matriks, user)
    m.anggota_tambahan.remove(anggota)


@layanan
@transaction.atomic
def peran_hasil_na(
    *, matriks: MatriksPeranHasil, user: Any, anggota: Pegawai, kolom_kunci: Any, na: bool = True
) -> None:
    """Mark a cell N/A (the member has no role for that result), or clear the mark."""
    m = _cek_matriks(matriks, user)
    qs = PeranHasil.objects.filter(matriks=m, anggota=anggota, kolom_kunci=kolom_kunci)
    if na:
        if qs.filter(na=False).exists():
            raise ValidationError(
                {"__all__": ["Sel ini berisi peran-hasil; hapus dahulu sebelum menandai N/A."]}
            )
        if not qs.exists():
            PeranHasil.objects.create(matriks=m, anggota=anggota, kolom_kunci=kolom_kunci, na=True)
    else:
        qs.filter(na=True).delete()


@layanan
@transaction.atomic
def peran_hasil_hapus(*, sel: PeranHasil, user: Any) -> None:
    _cek_matriks(sel.matriks, user)
    sel.delete()


def _sel_sama(row: RencanaHasilKerja, sel: PeranHasil, atasan_id: int | None) -> bool:
    return row.rencana == sel.peran_hasil and row.rhk_atasan_id == atasan_id


@layanan
@transaction.atomic
def matriks_terapkan(*, matriks: MatriksPeranHasil, user: Any) -> dict[str, Any]:
    """Put each member's peran-hasil into their draft SKP as rencana hasil kerja.

    Idempotent: a cell already in the SKP (matched by the cell it came from) is updated, not
    duplicated. An approved SKP is never changed: when its rows differ from the matrix a new
    draft version is opened and changed instead; when they already match nothing happens.
    A submitted SKP waits for the penilai's decision and is reported as skipped.
    """
    from skp import selectors

    m = (
        MatriksPeranHasil.objects.select_for_update()
        .select_related("periode", "pemimpin")
        .get(pk=matriks.pk)
    )
    if not policy.can(user, "view", m):
        raise PermissionDenied("Anda tidak berwenang.")
    _require(user, "terapkan", m)
    if m.periode.ditutup:
        raise ValidationError({"__all__": ["Periode ini sudah ditutup."]})
    kolom = {str(r.kunci): r for r in selectors.matriks_kolom(m)}
    anggota = {p.pk: p for p in selectors.matriks_baris(m)}
    sel_per_anggota: dict[int, list[PeranHasil]] = {}
    for s in m.sel_set.filter(na=False).order_by("urutan", "id"):
        if s.anggota_id in anggota and str(s.kolom_kunci) in kolom:
            sel_per_anggota.setdefault(s.anggota_id, []).append(s)
    ringkas: dict[str, list[str]] = {
        "dibuat": [],
        "diperbarui": [],
        "versi_baru": [],
        "dilewati": [],
    }
    alasan = f"Penerapan matriks peran-hasil {m.pemimpin.nama}"
    for pid, sels in sel_per_anggota.items():
        peg = anggota[pid]
        # Its rows (rewritten below) first, then the SKP and its period (skp.services._kunci).
        skp = _terkini_lock(pid, m.periode_id, baris="")
        existing: dict[int, RencanaHasilKerja] = {}
        if skp is not None:
            existing = {r.peran_hasil_id: r for r in skp.rencana_set.filter(peran_hasil__in=sels)}
            berubah = any(
                s.pk not in existing
                or not _sel_sama(existing[s.pk], s, kolom[str(s.kolom_kunci)].pk)
                for s in sels
            )
            if not berubah:
                continue
            if skp.status == SKP.Status.DIAJUKAN:
                ringkas["dilewati"].append(f"{peg.nama}: SKP sedang diajukan")
                continue
            if skp.status == SKP.Status.DISETUJUI:
                skp = _salin_versi(skp, user=user, alasan=alasan)
                ringkas["versi_baru"].append(peg.nama)
                existing = {
                    r.peran_hasil_id: r for r in skp.rencana_set.filter(peran_hasil__in=sels)
                }
        else:
            skp = _skp_buat(
                pegawai=peg,
                periode=m.periode,
                user=user,
                pendekatan=SKP.Pendekatan.KUANTITATIF,
                jenis=None,
            )
            ringkas["dibuat"].append(peg.nama)
        n_baru = n_ubah = 0
        for s in sels:
            atasan = kolom[str(s.kolom_kunci)]
            row = existing.get(s.pk)
            if row is None:
                ind = (
                    [
                        {
                            "aspek": s.aspek or Indikator.Aspek.KUANTITAS,
                            "indikator": s.indikator,
                            "target": s.target,
                            "sumber_data": "",
                        }
                    ]
                    if s.indikator
                    else []
                )
                _rhk_buat(
                    skp=skp,
                    jenis=RencanaHasilKerja.Jenis.UTAMA,
                    rencana=s.peran_hasil,
                    rhk_atasan=atasan,
                    # Who assigned it, when the leader is not the member's penilai.
                    pemberi_tugas=(
                        m.pemimpin if m.tim_id or peg.pejabat_penilai_id != m.pemimpin_id else None
                    ),
                    sumber=RencanaHasilKerja.Sumber.MATRIKS,
                    indikator=ind,
                    peran_hasil=s,
                    tim=m.tim,
                    ukuran_keberhasilan=(
                        f"{s.indikator}: {s.target}" if s.indikator and s.target else ""
                    ),
                )
                n_baru += 1
            elif not _sel_sama(row, s, atasan.pk):
                RencanaHasilKerja.objects.filter(pk=row.pk).update(
                    rencana=s.peran_hasil, rhk_atasan=atasan, row_version=F("row_version") + 1
                )
                n_ubah += 1
        if (n_ubah or n_baru) and peg.nama not in ringkas["dibuat"] + ringkas["versi_baru"]:
            ringkas["diperbarui"].append(peg.nama)
        _sentuh(skp)
        if not m.tim_id and peg.pejabat_penilai_id not in (None, m.pemimpin_id):
            # Work from someone other than the penilai never bypasses the penilai.
            kabari(
                Pegawai.objects.select_related("user").get(pk=peg.pejabat_penilai_id),
                jenis="skp_matriks_diterapkan_penilai",
                pesan=(
                    f"{m.pemimpin.nama} menambahkan peran-hasil dari matriksnya ke SKP "
                    f"{peg.nama} yang Anda nilai."
                ),
                tautan=_url(skp),
            )
        kabari(
            peg,
            jenis="skp_matriks_diterapkan",
            pesan=f"{m.pemimpin.nama} menerapkan matriks peran-hasil ke SKP {m.periode.tahun} Anda.",
            tautan=_url(skp),
        )
    MatriksPeranHasil.objects.filter(pk=m.pk).update(diterapkan_pada=timezone.now())
    return ringkas
