"""The SKP and its versions: start, edit, submit, approve or return, ekspektasi perilaku, tugas
belajar, the PDF request.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from kinerja import jobs, persetujuan, policy
from kinerja.models import Pegawai, Periode
from kinerja.notifikasi import kabari
from kinerja.riwayat import layanan
from kinerja.versi import PESAN_BASI, cek_versi
from skp import rules
from skp.models import (
    SKP,
    EkspektasiPerilaku,
    Indikator,
    RencanaHasilKerja,
)
from skp.services._common import (
    PESAN_BUKAN_DRAFT,
    _draft_saja,
    _kunci_lengkap,
    _lock,
    _perilaku_awal,
    _periode_terbuka,
    _require,
    _sentuh,
    _terkini_lock,
    _url,
    jenis_untuk,
)
from skp.services._setujui import _kunci_setujui, _simpan_setujui
from skp.services.rhk import _indikator_ganti, _rhk_buat


# --- SKP ----------------------------------------------------------------------------------
def _skp_buat(
    *, pegawai: Pegawai, periode: Periode, user: Any, pendekatan: str, jenis: str | None
) -> SKP:
    if periode.instansi_id != pegawai.instansi_id:
        raise ValidationError({"periode": ["Periode bukan milik instansi pegawai ini."]})
    if periode.ditutup:
        raise ValidationError({"periode": ["Periode ini sudah ditutup."]})
    if pendekatan not in SKP.Pendekatan.values:
        raise ValidationError({"pendekatan": ["Pilih pendekatan kuantitatif atau kualitatif."]})
    _skp_belum_ada(pegawai, periode)
    jenis = jenis or jenis_untuk(pegawai)
    if jenis not in SKP.Jenis.values:
        raise ValidationError({"jenis": ["Jenis SKP tidak dikenal."]})
    try:
        # A savepoint: two first clicks at once meet the unique version, and the loser is told
        # the winner's id (a 400) instead of a 500.
        with transaction.atomic():
            skp = SKP.objects.create(
                pegawai=pegawai,
                periode=periode,
                versi=1,
                pendekatan=pendekatan,
                jenis=jenis,
                pejabat_penilai_id=pegawai.pejabat_penilai_id,
                atasan_pejabat_penilai_id=pegawai.atasan_pejabat_penilai_id,
                dibuat_oleh=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        _skp_belum_ada(pegawai, periode)
        raise
    _perilaku_awal(skp)
    return skp


def _skp_belum_ada(pegawai: Pegawai, periode: Periode) -> None:
    """Creating never overwrites: an existing SKP is a 400 naming it."""
    ada = (
        SKP.objects.filter(pegawai=pegawai, periode=periode)
        .order_by("-terkini", "-versi")
        .values_list("pk", flat=True)
        .first()
    )
    if ada is not None:
        raise ValidationError(
            {"periode": [f"SKP untuk pegawai dan periode ini sudah ada (id {ada})."]}
        )


@layanan
@transaction.atomic
def skp_buat(
    *,
    pegawai: Pegawai,
    periode: Periode,
    user: Any,
    pendekatan: str = SKP.Pendekatan.KUANTITATIF,
    jenis: str | None = None,
) -> SKP:
    """Start version 1 of a pegawai's SKP for a year (the pegawai, their penilai or admin)."""
    if not policy.can(user, "buat_skp", pegawai):
        raise PermissionDenied("Anda tidak berwenang membuat SKP untuk pegawai ini.")
    return _skp_buat(
        pegawai=pegawai, periode=periode, user=user, pendekatan=pendekatan, jenis=jenis
    )


def _salin_versi(lama: SKP, *, user: Any, alasan: str) -> SKP:
    """Copy an SKP into a new draft version, rows keeping their kunci."""
    SKP.objects.filter(pk=lama.pk).update(terkini=False)
    peg = lama.pegawai
    baru = SKP.objects.create(
        pegawai=peg,
        periode=lama.periode,
        versi=lama.versi + 1,
        pendekatan=lama.pendekatan,
        jenis=lama.jenis,
        pejabat_penilai_id=peg.pejabat_penilai_id,
        atasan_pejabat_penilai_id=peg.atasan_pejabat_penilai_id,
        terkini=True,
        berlaku_mulai=lama.berlaku_mulai,
        berlaku_sampai=lama.berlaku_sampai,
        alasan_perubahan=alasan,
        dukungan_sumber_daya=lama.dukungan_sumber_daya,
        skema_pertanggungjawaban=lama.skema_pertanggungjawaban,
        konsekuensi=lama.konsekuensi,
        tb_perguruan_tinggi=lama.tb_perguruan_tinggi,
        tb_program_studi=lama.tb_program_studi,
        tb_jenjang=lama.tb_jenjang,
        tb_lokasi=lama.tb_lokasi,
        tb_akreditasi_univ=lama.tb_akreditasi_univ,
        tb_akreditasi_prodi=lama.tb_akreditasi_prodi,
        dibuat_oleh=user if getattr(user, "pk", None) else None,
    )
    rows = list(
        lama.rencana_set.prefetch_related("indikator_set").order_by("jenis", "urutan", "id")
    )
    salinan = [
        RencanaHasilKerja(
            skp=baru,
            jenis=r.jenis,
            urutan=r.urutan,
            rencana=r.rencana,
            rhk_atasan_id=r.rhk_atasan_id,
            kunci=r.kunci,
            perspektif=r.perspektif,
            pemberi_tugas_id=r.pemberi_tugas_id,
            tim_id=r.tim_id,
            sumber=r.sumber,
            peran_hasil_id=r.peran_hasil_id,
            uraian_hasil=r.uraian_hasil,
            ukuran_keberhasilan=r.ukuran_keberhasilan,
        )
        for r in rows
    ]
    RencanaHasilKerja.objects.bulk_create(salinan)
    Indikator.objects.bulk_create(
        [
            Indikator(
                rencana=s,
                aspek=i.aspek,
                indikator=i.indikator,
                target=i.target,
                sumber_data=i.sumber_data,
                urutan=i.urutan,
            )
            for r, s in zip(rows, salinan, strict=True)
            for i in r.indikator_set.all()
        ]
    )
    _perilaku_awal(baru, dari=lama)
    return baru


@layanan
@transaction.atomic
def skp_versi_baru(
    *, skp: SKP, user: Any, alasan: str, lingkup: tuple[str, list] | None = None
) -> SKP:
    """A draft to change an SKP whose current version is approved (or already a draft).

    - current version approved: a new draft version copying every row (same kunci);
    - current version already a draft: that draft (nothing copied twice);
    - current version submitted: the penilai takes it back to draft (noted); the pegawai is
      told to wait for the decision.
    The pegawai or their penilai may call it (the dialog stage calls it for an approved
    penugasan with the penilai as user). `lingkup`: as `skp_setujui`'s (the API's).

    Locked: the SKP given, then (when it is an older version) the current one, the older the
    lower id (skp.services._kunci); each with its period FOR SHARE. Before, the current one was
    read `select_for_update()` over its pegawai and period: both were locked FOR UPDATE.
    """
    skp = _lock(skp, lingkup)
    terkini = skp if skp.terkini else _terkini_lock(skp.pegawai_id, skp.periode_id)
    if terkini is None:
        raise SKP.DoesNotExist("SKP matching query does not exist.")
    if not policy.can(user, "view", terkini):
        raise PermissionDenied("Anda tidak berwenang mengubah SKP ini.")
    if terkini.periode.ditutup:
        raise ValidationError({"__all__": ["Periode ini sudah ditutup."]})
    a = policy.actor(user)
    own = a.pegawai_id == terkini.pegawai_id
    if terkini.status == SKP.Status.DRAFT:
        if not (own or policy.can(user, "tambah_penilai", terkini)):
            raise PermissionDenied("Anda tidak berwenang mengubah SKP ini.")
        return terkini
    if terkini.status == SKP.Status.DIAJUKAN:
        if not policy.can(user, "kembalikan", terkini):
            raise ValidationError(
                {"__all__": ["SKP sedang diajukan; tunggu keputusan pejabat penilai."]}
            )
        catatan = f"Ditarik ke draft untuk perubahan: {alasan}".strip()
        SKP.objects.filter(pk=terkini.pk).update(
            status=SKP.Status.DRAFT,
            catatan_penilai=catatan,
            row_version=F("row_version") + 1,
            diperbarui=timezone.now(),
        )
        terkini.refresh_from_db()
        persetujuan.persetujuan_cabut(objek=terkini, alasan="SKP ditarik ke draft")
        return terkini
    _require(user, "versi_baru", terkini)
    if not (alasan or "").strip():
        raise ValidationError({"alasan": ["Tuliskan alasan perubahan SKP."]})
    baru = _salin_versi(terkini, user=user, alasan=alasan.strip())
    return baru


@layanan
@transaction.atomic
def skp_draft_pastikan(*, pegawai: Pegawai, periode: Periode, user: Any, alasan: str) -> SKP:
    """A draft SKP for the pegawai and year: the current draft, a new version of an approved
    SKP, or a new version 1. Used by the dialog stage and the matrix."""
    terkini = SKP.objects.filter(pegawai=pegawai, periode=periode, terkini=True).first()
    if terkini is None:
        return skp_buat(pegawai=pegawai, periode=periode, user=user)
    return skp_versi_baru(skp=terkini, user=user, alasan=alasan)


@layanan
@transaction.atomic
def skp_ubah(
    *,
    skp: SKP,
    user: Any,
    row_version: int | None = None,
    **fields: Any,
) -> SKP:
    """Edit the SKP's own fields on a draft: pendekatan and the lampiran."""
    skp = _lock(skp)
    _require(user, "change", skp)
    _draft_saja(skp)
    cek_versi(skp, row_version)
    allowed = {"pendekatan", "dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({"__all__": [f"Kolom tidak dapat diubah: {', '.join(unknown)}"]})
    if "pendekatan" in fields and fields["pendekatan"] not in SKP.Pendekatan.values:
        raise ValidationError({"pendekatan": ["Pilih pendekatan kuantitatif atau kualitatif."]})
    for k, v in fields.items():
        setattr(skp, k, (v or "").strip() if k != "pendekatan" else v)
    skp.row_version += 1
    skp.save()
    return skp


def _cek_siap_diajukan(skp: SKP) -> None:
    errors: list[str] = []
    rows = list(skp.rencana_set.prefetch_related("indikator_set"))
    if not any(r.jenis == RencanaHasilKerja.Jenis.UTAMA for r in rows):
        errors.append("Tambahkan sekurang-kurangnya satu rencana hasil kerja utama.")
    for n, r in enumerate(rows, start=1):
        label = f"Rencana hasil kerja “{r.rencana[:50]}”"
        if skp.is_kualitatif:
            if not r.ukuran_keberhasilan.strip():
                errors.append(f"{label}: isi ukuran keberhasilan dan targetnya.")
        else:
            inds = list(r.indikator_set.all())
            if not inds:
                errors.append(f"{label}: tambahkan indikator kinerja individu dan target.")
            elif any(not i.target.strip() for i in inds):
                errors.append(f"{label}: setiap indikator harus memiliki target.")
        if skp.is_jpt and r.jenis == RencanaHasilKerja.Jenis.UTAMA and not r.perspektif:
            errors.append(f"{label}: pilih perspektif.")
        del n
    if not skp.pegawai.pejabat_penilai_id:
        errors.append("Pejabat penilai Anda belum ditetapkan; hubungi admin BKD.")
    if errors:
        raise ValidationError({"__all__": errors})


@layanan
@transaction.atomic
def skp_ajukan(
    *,
    skp: SKP,
    user: Any,
    row_version: int | None = None,
    lingkup: tuple[str, list] | None = None,
) -> SKP:
    """The pegawai submits a draft to their pejabat penilai. `lingkup`: as `skp_setujui`'s.
    Its rows are read, not locked: an edit of one waits for the SKP, then finds it submitted."""
    skp = _lock(skp, lingkup)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _draft_saja(skp)
    _require(user, "ajukan", skp)
    cek_versi(skp, row_version)
    _cek_siap_diajukan(skp)
    peg = skp.pegawai
    skp.status = SKP.Status.DIAJUKAN
    skp.diajukan_pada = timezone.now()
    skp.pejabat_penilai_id = peg.pejabat_penilai_id
    skp.atasan_pejabat_penilai_id = peg.atasan_pejabat_penilai_id
    skp.row_version += 1
    skp.save()
    persetujuan.persetujuan_catat(objek=skp, pegawai=peg, peran="pegawai")
    kabari(
        Pegawai.objects.select_related("user").filter(pk=peg.pejabat_penilai_id).first(),
        jenis="skp_diajukan",
        pesan=f"{peg.nama} mengajukan SKP {skp.periode.tahun} (versi {skp.versi}).",
        tautan=_url(skp),
    )
    return skp


@layanan
@transaction.atomic
def skp_setujui(
    *,
    skp: SKP,
    user: Any,
    row_version: int | None = None,
    catatan: str = "",
    lingkup: tuple[str, list] | None = None,
    rencana: bool = False,
) -> SKP:
    """The pejabat penilai approves a submitted SKP; the version becomes immutable.

    `lingkup`: the policy's scope of the SKP as a SQL condition on `s` (the API gives it
    instead of reading the row first: api_baca.skp_lingkup); an SKP out of it is
    SKP.DoesNotExist. The SKP returned carries its expectations (`perilaku_terbaca`) and is
    the row as written: the API answers from it. `rencana`: its rows with their indicators
    too, read by the approval's write (`rencana_terbaca`, when it writes by hand: else the
    API reads them)."""
    a = policy.actor(user)
    skp, penilai, ada_catatan = _kunci_setujui(skp, a.pegawai_id, lingkup)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _periode_terbuka(skp)
    if skp.status != SKP.Status.DIAJUKAN:
        raise ValidationError({"__all__": ["Hanya SKP yang diajukan yang dapat disetujui."]})
    _require(user, "setujui", skp)
    cek_versi(skp, row_version)
    if penilai is None:
        raise Pegawai.DoesNotExist("Pegawai matching query does not exist.")
    # The rows' notes asked for changes now made: an approved SKP shows none. Usually there
    # are none (asked in the lock's statement). Cleared before the SKP's UPDATE: their bump of
    # the SKP's `diubah` is then overwritten by the approval's, so the SKP in hand is the row.
    # Those rows were locked before the SKP (in `_kunci_setujui`), the order an RHK edit takes.
    if ada_catatan:
        RencanaHasilKerja.objects.filter(skp=skp).exclude(catatan_penilai="").update(
            catatan_penilai=""
        )
    skp.status = SKP.Status.DISETUJUI
    skp.disetujui_pada = timezone.now()
    # The document names the penilai who approved it.
    skp.pejabat_penilai_id = a.pegawai_id
    if catatan.strip():
        skp.catatan_penilai = catatan.strip()
    skp.row_version += 1
    # Only what approval changes (and the change stamps); the history row is the whole row.
    _simpan_setujui(skp, user, rencana)
    persetujuan.persetujuan_catat(objek=skp, pegawai=penilai, peran="pejabat_penilai")
    kabari(
        skp.pegawai,
        jenis="skp_disetujui",
        pesan=f"SKP {skp.periode.tahun} versi {skp.versi} disetujui.",
        tautan=_url(skp),
    )
    return skp


@layanan
@transaction.atomic
def skp_kembalikan(
    *,
    skp: SKP,
    user: Any,
    catatan: str,
    catatan_rhk: Mapping[int, str] | None = None,
    row_version: int | None = None,
    lingkup: tuple[str, list] | None = None,
) -> SKP:
    """The pejabat penilai returns a submitted SKP to draft with notes: a general one and/or
    one per rencana hasil kerja (`catatan_rhk`: row id -> note; rows of another SKP are
    ignored). At least one note is needed; the rows' notes replace the previous ones.

    The SKP's rows are locked by id before the SKP, in the SKP's lock statement
    (skp.services._kunci): an RHK edit locks its row, then the SKP, and an approval its noted
    rows by id, then the SKP (tests/skp/test_kembalikan_kunci.py, test_kunci_urutan.py). Only
    the rows whose note changes are read whole (for their history rows). `lingkup`: as
    `skp_setujui`'s."""
    skp = _lock(skp, lingkup, baris="")
    lama = skp.baris_terkunci  # every row of the SKP: id -> its note
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _periode_terbuka(skp)
    if skp.status != SKP.Status.DIAJUKAN:
        raise ValidationError({"__all__": ["Hanya SKP yang diajukan yang dapat dikembalikan."]})
    _require(user, "kembalikan", skp)
    cek_versi(skp, row_version)
    per_baris = {int(k): str(v).strip() for k, v in (catatan_rhk or {}).items() if str(v).strip()}
    per_baris = {k: v for k, v in per_baris.items() if k in lama}
    if not (catatan or "").strip() and not per_baris:
        raise ValidationError(
            {
                "catatan": [
                    "Tuliskan catatan perbaikan untuk pegawai: catatan umum atau pada rencana "
                    "hasil kerja yang perlu diperbaiki."
                ]
            }
        )
    ids = [pk for pk, lalu in lama.items() if lalu != per_baris.get(pk, "")]
    if ids:
        berubah = list(RencanaHasilKerja.objects.filter(pk__in=ids))  # in the SKP's row order
        for r in berubah:
            r.catatan_penilai = per_baris.get(r.pk, "")
        bulk_update_with_history(berubah, RencanaHasilKerja, ["catatan_penilai"], default_user=user)
    skp.status = SKP.Status.DRAFT
    skp.catatan_penilai = (catatan or "").strip()
    skp.diajukan_pada = None
    skp.row_version += 1
    skp.save()
    persetujuan.persetujuan_cabut(objek=skp, alasan="SKP dikembalikan ke draft")
    kabari(
        Pegawai.objects.select_related("user").get(pk=skp.pegawai_id),
        jenis="skp_dikembalikan",
        pesan=f"SKP {skp.periode.tahun} dikembalikan: "
        + ((catatan or "").strip()[:250] or f"{len(per_baris)} catatan pada rencana hasil kerja"),
        tautan=_url(skp),
    )
    return skp


@layanan
@transaction.atomic
def perilaku_atur(
    *, skp: SKP, user: Any, ekspektasi: dict[str, str], versi: str | None = None
) -> SKP:
    """The pejabat penilai sets the ekspektasi khusus per BerAKHLAK value. `versi`: the
    expectations' fingerprint the form was drawn from (rules.sidik_perilaku); a save over
    expectations changed since is refused (None: not checked, as for callers without a form)."""
    skp = _lock(skp)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _periode_terbuka(skp)
    if skp.status == SKP.Status.DISETUJUI:
        raise ValidationError(
            {"__all__": [PESAN_BUKAN_DRAFT.format(status=skp.get_status_display().lower())]}
        )
    _require(user, "perilaku", skp)
    if versi is not None:
        sekarang = dict(
            EkspektasiPerilaku.objects.filter(skp=skp).values_list("nilai", "ekspektasi_khusus")
        )
        if versi != rules.sidik_perilaku(sekarang):
            raise ValidationError({"row_version": [PESAN_BASI]})
    unknown = set(ekspektasi) - set(rules.BERAKHLAK_KODE)
    if unknown:
        raise ValidationError({"nilai": [f"Nilai BerAKHLAK tidak dikenal: {', '.join(unknown)}"]})
    for kode, teks in ekspektasi.items():
        EkspektasiPerilaku.objects.update_or_create(
            skp=skp, nilai=kode, defaults={"ekspektasi_khusus": (teks or "").strip()[:2000]}
        )
    _sentuh(skp)
    return skp


_BARIS_AKADEMIK = f"r.sumber = '{RencanaHasilKerja.Sumber.TUGAS_BELAJAR.value}'"


# The level as it reads inside a sentence ("Profesi, S2, S3" is a list there).
_JENJANG_KALIMAT = {SKP.Jenjang.S1: "S1", SKP.Jenjang.PROFESI_S2_S3: "profesi/S2/S3"}


def _pesan_studi_basi(skp: SKP) -> str:
    """The refusal of study data typed on an older copy: what is saved now, and that what was
    typed is still in the form (the page draws it again with the SKP's current version, so a
    second save replaces what is saved; reloading would post the old copy again)."""
    akreditasi = "/".join(a for a in (skp.tb_akreditasi_univ, skp.tb_akreditasi_prodi) if a)
    tersimpan = "; ".join(
        t
        for t in (
            skp.tb_perguruan_tinggi,
            skp.tb_program_studi,
            f"jenjang {_JENJANG_KALIMAT.get(skp.tb_jenjang, '')}" if skp.tb_jenjang else "",
            skp.get_tb_lokasi_display().lower() if skp.tb_lokasi else "",
            f"akreditasi {akreditasi}" if akreditasi else "",
        )
        if t
    )
    return (
        "SKP ini sudah diubah sejak Anda membukanya (oleh pengguna lain atau di tab lain), "
        "sehingga perubahan Anda belum disimpan. Data tugas belajar yang tersimpan sekarang: "
        f"{tersimpan or 'belum diisi'}. Isian Anda masih ada di formulir ini: periksa, lalu "
        "simpan kembali bila tetap ingin menggantinya."
    )


@layanan
@transaction.atomic
def skp_tugas_belajar_atur(
    *,
    skp: SKP,
    user: Any,
    perguruan_tinggi: str,
    program_studi: str,
    jenjang: str,
    lokasi: str,
    akreditasi_univ: str = "",
    akreditasi_prodi: str = "",
    row_version: int | None = None,
) -> SKP:
    """Record the study of a tugas belajar SKP and (re)write its academic row, whose IPK target
    comes from the regulation's bands, never typed by hand. Its academic row (rewritten) is
    locked before the SKP (skp.services._kunci); one written by another save while this waited
    for the SKP is locked too (_kunci_lengkap). `row_version`: the SKP's, as the form had it."""
    pk = skp.pk

    def kunci() -> tuple[SKP, Collection[int]]:
        terkunci = _lock(SKP(pk=pk), baris=_BARIS_AKADEMIK)
        return terkunci, terkunci.baris_terkunci

    skp = _kunci_lengkap(
        kunci,
        lambda s: s.rencana_set.filter(sumber=RencanaHasilKerja.Sumber.TUGAS_BELAJAR).values_list(
            "pk", flat=True
        ),
    )
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _draft_saja(skp)
    if not (policy.can(user, "change", skp) or policy.can(user, "tambah_penilai", skp)):
        raise PermissionDenied("Anda tidak berwenang mengubah SKP ini.")
    try:
        cek_versi(skp, row_version)  # a stale copy first: its other errors may be someone else's
    except ValidationError as exc:
        if PESAN_BASI not in exc.messages:
            raise
        raise ValidationError({"row_version": [_pesan_studi_basi(skp)]}) from None
    errors: dict[str, list[str]] = {}
    if not skp.is_tugas_belajar:
        errors["__all__"] = ["SKP ini bukan SKP tugas belajar."]
    if not perguruan_tinggi.strip():
        errors["perguruan_tinggi"] = ["Isi nama perguruan tinggi."]
    if jenjang not in SKP.Jenjang.values:
        errors["jenjang"] = ["Pilih jenjang pendidikan."]
    if lokasi not in SKP.Lokasi.values:
        errors["lokasi"] = ["Pilih dalam atau luar negeri."]
    if lokasi == SKP.Lokasi.DALAM_NEGERI:
        if akreditasi_univ not in {"A", "B", "C"}:
            errors["akreditasi_univ"] = ["Pilih akreditasi perguruan tinggi."]
        elif not rules.prodi_memenuhi(akreditasi_univ, akreditasi_prodi):
            errors["akreditasi_prodi"] = [
                "Akreditasi program studi minimal "
                f"{rules.AKREDITASI_PRODI_MIN[akreditasi_univ]} untuk perguruan tinggi "
                f"berakreditasi {akreditasi_univ}."
            ]
    else:
        akreditasi_univ = akreditasi_prodi = ""
    if errors:
        raise ValidationError(errors)
    skp.tb_perguruan_tinggi = perguruan_tinggi.strip()
    skp.tb_program_studi = program_studi.strip()
    skp.tb_jenjang = jenjang
    skp.tb_lokasi = lokasi
    skp.tb_akreditasi_univ = akreditasi_univ
    skp.tb_akreditasi_prodi = akreditasi_prodi
    skp.row_version += 1
    skp.save()
    bands = rules.ipk_bands(jenjang=jenjang, lokasi=lokasi, akreditasi_univ=akreditasi_univ)
    tingkat = f"jenjang {_JENJANG_KALIMAT[jenjang]}"
    studi = f"{skp.tb_program_studi} ({tingkat})" if skp.tb_program_studi else tingkat
    rencana = (
        f"Menyelesaikan pendidikan {studi} di {skp.tb_perguruan_tinggi} dengan hasil akademik "
        "sesuai ekspektasi"
    )
    indikator = [
        {
            "aspek": Indikator.Aspek.KUALITAS,
            "indikator": "Indeks Prestasi Kumulatif (IPK)",
            "target": rules.target_ipk_teks(bands),
            "sumber_data": "Transkrip nilai / kartu hasil studi",
        },
        {
            "aspek": Indikator.Aspek.WAKTU,
            "indikator": "Lulus tepat waktu sesuai masa studi",
            "target": "Tepat waktu",
            "sumber_data": "Surat keterangan dari perguruan tinggi",
        },
    ]
    row = skp.rencana_set.filter(sumber=RencanaHasilKerja.Sumber.TUGAS_BELAJAR).first()
    if row is None:
        _rhk_buat(
            skp=skp,
            jenis=RencanaHasilKerja.Jenis.UTAMA,
            rencana=rencana,
            sumber=RencanaHasilKerja.Sumber.TUGAS_BELAJAR,
            indikator=indikator,
            ukuran_keberhasilan=rules.target_ipk_teks(bands) + "; lulus tepat waktu",
            urutan=0,
        )
    else:
        row.rencana = rencana
        row.ukuran_keberhasilan = rules.target_ipk_teks(bands) + "; lulus tepat waktu"
        row.save()
        _indikator_ganti(row, indikator)
    return skp


# --- PDF -----------------------------------------------------------------------------------
def skp_pdf_kunci(skp: SKP) -> str:
    """The render job of the SKP as it is now (its version, status and last change)."""
    return f"skp-pdf:{skp.pk}:v{skp.versi}:{skp.status}:{skp.diperbarui.timestamp():.0f}"


@layanan
def skp_pdf_minta(*, skp: SKP, user: Any):
    """Ask for the SKP PDF; a request never waits for the render. Returns the Job."""
    _require(user, "pdf", skp)
    with transaction.atomic():
        return jobs.enqueue("skp.pdf", kunci=skp_pdf_kunci(skp), user=user, skp_id=skp.pk)
