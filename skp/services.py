"""Every state change of the planning stage. Pages and the API both call these.

Each service is keyword-only, runs in one transaction, checks access through the policy and
raises `ValidationError` (nothing changed) with Indonesian messages keyed by field, or
`PermissionDenied` (403) when the user may see the object but not do this to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from kinerja import jobs, persetujuan, policy
from kinerja.models import Pegawai, Periode
from kinerja.notifikasi import notifikasi_kirim
from kinerja.riwayat import layanan
from skp import rules
from skp.models import (
    SKP,
    EkspektasiPerilaku,
    Indikator,
    MatriksPeranHasil,
    PeranHasil,
    RencanaHasilKerja,
)

PESAN_BUKAN_DRAFT = (
    "SKP ini sudah {status}; perubahan hanya dapat dilakukan pada draft. "
    "Buka versi baru untuk mengubahnya."
)
PESAN_BASI = (
    "Data ini telah diubah oleh orang lain sejak Anda membukanya. Muat ulang halaman lalu "
    "ulangi perubahan Anda."
)


# --- helpers ------------------------------------------------------------------------------
def _require(user: Any, action: str, obj: Any) -> None:
    policy.require(user, action, obj)


def _cek_versi(obj: Any, row_version: int | None) -> None:
    """Optimistic concurrency: a save based on a stale copy is refused."""
    if row_version is not None and int(row_version) != obj.row_version:
        raise ValidationError({"row_version": [PESAN_BASI]})


def _bump(model: type, pk: int) -> None:
    model.objects.filter(pk=pk).update(row_version=F("row_version") + 1, diperbarui=timezone.now())


def _sentuh(skp: SKP) -> None:
    """Mark the SKP changed (its PDF cache key changes) without bumping its row_version: rows
    and the lampiran are edited independently."""
    SKP.objects.filter(pk=skp.pk).update(diperbarui=timezone.now())


def _lock(skp: SKP) -> SKP:
    return SKP.objects.select_for_update().select_related("pegawai", "periode").get(pk=skp.pk)


def _periode_terbuka(skp: SKP) -> None:
    if skp.periode.ditutup:
        raise ValidationError({"__all__": ["Periode ini sudah ditutup; SKP hanya dapat dibaca."]})


def _draft_saja(skp: SKP) -> None:
    _periode_terbuka(skp)
    if skp.status != SKP.Status.DRAFT:
        raise ValidationError(
            {"__all__": [PESAN_BUKAN_DRAFT.format(status=skp.get_status_display().lower())]}
        )


def _url(skp: SKP) -> str:
    return reverse("skp:detail", args=[skp.pk])


def jenis_untuk(pegawai: Pegawai) -> str:
    if pegawai.status == Pegawai.Status.TUGAS_BELAJAR:
        return SKP.Jenis.TUGAS_BELAJAR
    if pegawai.jabatan_id and pegawai.jabatan.is_jpt:
        return SKP.Jenis.JPT
    return SKP.Jenis.JA_JF


def _perilaku_awal(skp: SKP, dari: SKP | None = None) -> None:
    lama = {}
    if dari is not None:
        lama = dict(dari.perilaku_set.values_list("nilai", "ekspektasi_khusus"))
    EkspektasiPerilaku.objects.bulk_create(
        [
            EkspektasiPerilaku(skp=skp, nilai=kode, ekspektasi_khusus=lama.get(kode, ""))
            for kode in rules.BERAKHLAK_KODE
        ]
    )


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
def skp_versi_baru(*, skp: SKP, user: Any, alasan: str) -> SKP:
    """A draft to change an SKP whose current version is approved (or already a draft).

    - current version approved: a new draft version copying every row (same kunci);
    - current version already a draft: that draft (nothing copied twice);
    - current version submitted: the penilai takes it back to draft (noted); the pegawai is
      told to wait for the decision.
    The pegawai or their penilai may call it (the dialog stage calls it for an approved
    penugasan with the penilai as user).
    """
    skp = _lock(skp)
    terkini = (
        SKP.objects.select_for_update()
        .select_related("pegawai", "periode")
        .get(pegawai_id=skp.pegawai_id, periode_id=skp.periode_id, terkini=True)
    )
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
    _cek_versi(skp, row_version)
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
def skp_ajukan(*, skp: SKP, user: Any, row_version: int | None = None) -> SKP:
    """The pegawai submits a draft to their pejabat penilai."""
    skp = _lock(skp)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _draft_saja(skp)
    _require(user, "ajukan", skp)
    _cek_versi(skp, row_version)
    _cek_siap_diajukan(skp)
    peg = skp.pegawai
    skp.status = SKP.Status.DIAJUKAN
    skp.diajukan_pada = timezone.now()
    skp.pejabat_penilai_id = peg.pejabat_penilai_id
    skp.atasan_pejabat_penilai_id = peg.atasan_pejabat_penilai_id
    skp.row_version += 1
    skp.save()
    persetujuan.persetujuan_catat(objek=skp, pegawai=peg, peran="pegawai")
    penilai = Pegawai.objects.select_related("user").filter(pk=peg.pejabat_penilai_id).first()
    if penilai and penilai.user_id:
        notifikasi_kirim(
            penerima=penilai.user,
            jenis="skp_diajukan",
            pesan=f"{peg.nama} mengajukan SKP {skp.periode.tahun} (versi {skp.versi}).",
            tautan=_url(skp),
        )
    return skp


@layanan
@transaction.atomic
def skp_setujui(*, skp: SKP, user: Any, row_version: int | None = None, catatan: str = "") -> SKP:
    """The pejabat penilai approves a submitted SKP; the version becomes immutable."""
    skp = _lock(skp)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _periode_terbuka(skp)
    if skp.status != SKP.Status.DIAJUKAN:
        raise ValidationError({"__all__": ["Hanya SKP yang diajukan yang dapat disetujui."]})
    _require(user, "setujui", skp)
    _cek_versi(skp, row_version)
    a = policy.actor(user)
    skp.status = SKP.Status.DISETUJUI
    skp.disetujui_pada = timezone.now()
    # The document names the penilai who approved it.
    skp.pejabat_penilai_id = a.pegawai_id
    if catatan.strip():
        skp.catatan_penilai = catatan.strip()
    skp.row_version += 1
    skp.save()
    penilai = Pegawai.objects.select_related("jabatan").get(pk=a.pegawai_id)
    persetujuan.persetujuan_catat(objek=skp, pegawai=penilai, peran="pejabat_penilai")
    _beri_tahu_pegawai(
        skp, "skp_disetujui", f"SKP {skp.periode.tahun} versi {skp.versi} disetujui."
    )
    return skp


@layanan
@transaction.atomic
def skp_kembalikan(*, skp: SKP, user: Any, catatan: str, row_version: int | None = None) -> SKP:
    """The pejabat penilai returns a submitted SKP to draft with notes."""
    skp = _lock(skp)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _periode_terbuka(skp)
    if skp.status != SKP.Status.DIAJUKAN:
        raise ValidationError({"__all__": ["Hanya SKP yang diajukan yang dapat dikembalikan."]})
    _require(user, "kembalikan", skp)
    _cek_versi(skp, row_version)
    if not (catatan or "").strip():
        raise ValidationError({"catatan": ["Tuliskan catatan perbaikan untuk pegawai."]})
    skp.status = SKP.Status.DRAFT
    skp.catatan_penilai = catatan.strip()
    skp.diajukan_pada = None
    skp.row_version += 1
    skp.save()
    persetujuan.persetujuan_cabut(objek=skp, alasan="SKP dikembalikan ke draft")
    _beri_tahu_pegawai(
        skp, "skp_dikembalikan", f"SKP {skp.periode.tahun} dikembalikan: {catatan.strip()[:300]}"
    )
    return skp


def _beri_tahu_pegawai(skp: SKP, jenis: str, pesan: str) -> None:
    peg = Pegawai.objects.select_related("user").get(pk=skp.pegawai_id)
    if peg.user_id:
        notifikasi_kirim(penerima=peg.user, jenis=jenis, pesan=pesan, tautan=_url(skp))


@layanan
@transaction.atomic
def perilaku_atur(*, skp: SKP, user: Any, ekspektasi: dict[str, str]) -> SKP:
    """The pejabat penilai sets the ekspektasi khusus per BerAKHLAK value."""
    skp = _lock(skp)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _periode_terbuka(skp)
    if skp.status == SKP.Status.DISETUJUI:
        raise ValidationError(
            {"__all__": [PESAN_BUKAN_DRAFT.format(status=skp.get_status_display().lower())]}
        )
    _require(user, "perilaku", skp)
    unknown = set(ekspektasi) - set(rules.BERAKHLAK_KODE)
    if unknown:
        raise ValidationError({"nilai": [f"Nilai BerAKHLAK tidak dikenal: {', '.join(unknown)}"]})
    for kode, teks in ekspektasi.items():
        EkspektasiPerilaku.objects.update_or_create(
            skp=skp, nilai=kode, defaults={"ekspektasi_khusus": (teks or "").strip()[:2000]}
        )
    _sentuh(skp)
    return skp


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
) -> SKP:
    """Record the study of a tugas belajar SKP and (re)write its academic row, whose IPK target
    comes from the regulation's bands, never typed by hand."""
    skp = _lock(skp)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _draft_saja(skp)
    if not (policy.can(user, "change", skp) or policy.can(user, "tambah_penilai", skp)):
        raise PermissionDenied("Anda tidak berwenang mengubah SKP ini.")
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
    rencana = (
        f"Menyelesaikan pendidikan {skp.get_tb_jenjang_display()}"
        f"{' ' + skp.tb_program_studi if skp.tb_program_studi else ''} di "
        f"{skp.tb_perguruan_tinggi} dengan hasil akademik sesuai ekspektasi"
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


# --- Rencana hasil kerja -------------------------------------------------------------------
def _bersihkan_indikator(
    indikator: Iterable[dict[str, Any]] | None, errors: dict[str, list[str]]
) -> list[dict[str, str]]:
    hasil = []
    for n, d in enumerate(indikator or []):
        aspek = (d.get("aspek") or Indikator.Aspek.KUANTITAS).strip()
        teks = (d.get("indikator") or "").strip()
        target = (d.get("target") or "").strip()
        sumber = (d.get("sumber_data") or "").strip()
        if not (teks or target or sumber):
            continue  # an empty line of the form
        if aspek not in Indikator.Aspek.values:
            errors.setdefault(f"indikator-{n}-aspek", []).append(
                "Pilih aspek: kuantitas, kualitas, waktu, atau biaya."
            )
        if not teks:
            errors.setdefault(f"indikator-{n}-indikator", []).append(
                "Isi indikator kinerja individu."
            )
        if not target:
            errors.setdefault(f"indikator-{n}-target", []).append(
                "Isi target (boleh rentang, mis. 90 – 95 %)."
            )
        if len(target) > 200:
            errors.setdefault(f"indikator-{n}-target", []).append("Target paling banyak 200 huruf.")
        hasil.append({"aspek": aspek, "indikator": teks, "target": target, "sumber_data": sumber})
    return hasil


def _pemimpin_ids(skp: SKP) -> set[int]:
    """Leaders whose rencana hasil kerja this SKP's rows may intervene."""
    from kinerja.models import TimKerja

    ids = set(
        TimKerja.objects.filter(anggota=skp.pegawai_id, aktif=True).values_list(
            "ketua_id", flat=True
        )
    )
    ids |= {i for i in (skp.pegawai.pejabat_penilai_id, skp.pejabat_penilai_id) if i}
    return ids


# Also the answer for an id that does not exist (the API): an id reveals nothing.
RHK_ATASAN_SALAH = (
    "Pilih rencana hasil kerja pejabat penilai, ketua tim, atau pemberi tugas Anda pada tahun "
    "yang sama."
)


def _validasi_rhk(
    *,
    skp: SKP,
    jenis: str,
    rencana: str,
    rhk_atasan: RencanaHasilKerja | None,
    perspektif: str,
    indikator: Iterable[dict[str, Any]] | None,
    sekarang_atasan_id: int | None = None,
    pemberi_tugas_id: int | None = None,
) -> list[dict[str, str]]:
    errors: dict[str, list[str]] = {}
    if jenis not in RencanaHasilKerja.Jenis.values:
        errors["jenis"] = ["Pilih Utama atau Tambahan."]
    if not (rencana or "").strip():
        errors["rencana"] = ["Isi rencana hasil kerja."]
    if perspektif and perspektif not in RencanaHasilKerja.Perspektif.values:
        errors["perspektif"] = ["Perspektif tidak dikenal."]
    if rhk_atasan is not None and rhk_atasan.pk != sekarang_atasan_id:
        if rhk_atasan.skp.pegawai_id == skp.pegawai_id:
            errors["rhk_atasan"] = ["Rencana hasil kerja pimpinan tidak boleh milik SKP sendiri."]
        elif rhk_atasan.skp.periode_id != skp.periode_id or rhk_atasan.skp.pegawai_id not in (
            _pemimpin_ids(skp) | ({pemberi_tugas_id} if pemberi_tugas_id else set())
        ):
            errors["rhk_atasan"] = [RHK_ATASAN_SALAH]
    bersih = _bersihkan_indikator(indikator, errors)
    if errors:
        raise ValidationError(errors)
    return bersih


def _indikator_ganti(rhk: RencanaHasilKerja, indikator: list[dict[str, str]]) -> None:
    rhk.indikator_set.all().delete()
    Indikator.objects.bulk_create(
        [Indikator(rencana=rhk, urutan=n, **d) for n, d in enumerate(indikator, start=1)]
    )


def _rhk_buat(
    *,
    skp: SKP,
    jenis: str,
    rencana: str,
    rhk_atasan: RencanaHasilKerja | None = None,
    pemberi_tugas: Pegawai | None = None,
    sumber: str = RencanaHasilKerja.Sumber.MANUAL,
    indikator: list[dict[str, str]] | None = None,
    perspektif: str = "",
    uraian_hasil: str = "",
    ukuran_keberhasilan: str = "",
    peran_hasil: PeranHasil | None = None,
    tim: Any = None,
    urutan: int | None = None,
) -> RencanaHasilKerja:
    if urutan is None:
        urutan = (skp.rencana_set.filter(jenis=jenis).aggregate(m=Max("urutan"))["m"] or 0) + 1
    rhk = RencanaHasilKerja.objects.create(
        skp=skp,
        jenis=jenis,
        urutan=urutan,
        rencana=rencana.strip(),
        rhk_atasan=rhk_atasan,
        pemberi_tugas=pemberi_tugas,
        sumber=sumber,
        perspektif=perspektif if skp.is_jpt else "",
        uraian_hasil=(uraian_hasil or "").strip(),
        ukuran_keberhasilan=(ukuran_keberhasilan or "").strip(),
        peran_hasil=peran_hasil,
        tim=tim,
    )
    if indikator:
        _indikator_ganti(rhk, indikator)
    _sentuh(skp)
    return rhk


@layanan
@transaction.atomic
def rhk_tambah(
    *,
    skp: SKP,
    user: Any,
    jenis: str,
    rencana: str,
    rhk_atasan: RencanaHasilKerja | None = None,
    pemberi_tugas: Pegawai | None = None,
    sumber: str = RencanaHasilKerja.Sumber.MANUAL,
    indikator: list[dict[str, Any]] | None = None,
    perspektif: str = "",
    uraian_hasil: str = "",
    ukuran_keberhasilan: str = "",
    tim: Any = None,
) -> RencanaHasilKerja:
    """Add a rencana hasil kerja to a draft SKP.

    The pegawai adds to their own draft. The pejabat penilai may add to their pegawai's draft a
    row from an approved penugasan (`sumber="penugasan"`), or any row to a tugas belajar SKP.
    """
    skp = _lock(skp)
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _draft_saja(skp)
    if sumber not in RencanaHasilKerja.Sumber.values:
        raise ValidationError({"sumber": ["Sumber tidak dikenal."]})
    if not policy.can(user, "change", skp):
        penilai_boleh = policy.can(user, "tambah_penilai", skp) and (
            sumber == RencanaHasilKerja.Sumber.PENUGASAN or skp.is_tugas_belajar
        )
        if not penilai_boleh:
            raise PermissionDenied("Anda tidak berwenang mengubah SKP ini.")
    bersih = _validasi_rhk(
        skp=skp,
        jenis=jenis,
        rencana=rencana,
        rhk_atasan=rhk_atasan,
        perspektif=perspektif,
        indikator=indikator,
        pemberi_tugas_id=pemberi_tugas.pk if pemberi_tugas else None,
    )
    return _rhk_buat(
        skp=skp,
        jenis=jenis,
        rencana=rencana,
        rhk_atasan=rhk_atasan,
        pemberi_tugas=pemberi_tugas,
        sumber=sumber,
        indikator=bersih,
        perspektif=perspektif,
        uraian_hasil=uraian_hasil,
        ukuran_keberhasilan=ukuran_keberhasilan,
        tim=tim,
    )


def _rhk_lock(rhk: RencanaHasilKerja, user: Any) -> tuple[RencanaHasilKerja, SKP]:
    rhk = RencanaHasilKerja.objects.select_for_update().get(pk=rhk.pk)
    skp = _lock(rhk.skp)
    rhk.skp = skp
    if not policy.can(user, "view", skp):
        raise PermissionDenied("Anda tidak berwenang.")
    _draft_saja(skp)
    _require(user, "change", skp)
    return rhk, skp


_TIDAK_BERUBAH = object()


@layanan
@transaction.atomic
def rhk_ubah(
    *,
    rhk: RencanaHasilKerja,
    user: Any,
    jenis: str | None = None,
    rencana: str | None = None,
    rhk_atasan: Any = _TIDAK_BERUBAH,
    perspektif: str | None = None,
    uraian_hasil: str | None = None,
    ukuran_keberhasilan: str | None = None,
    indikator: list[dict[str, Any]] | None = None,
    row_version: int | None = None,
) -> RencanaHasilKerja:
    """Edit a row of the pegawai's own draft; `indikator` (when given) replaces the list."""
    rhk, skp = _rhk_lock(rhk, user)
    _cek_versi(rhk, row_version)
    new_jenis = rhk.jenis if jenis is None else jenis
    new_atasan = rhk.rhk_atasan if rhk_atasan is _TIDAK_BERUBAH else rhk_atasan
    bersih = _validasi_rhk(
        skp=skp,
        jenis=new_jenis,
        rencana=rhk.rencana if rencana is None else rencana,
        rhk_atasan=new_atasan,
        perspektif=rhk.perspektif if perspektif is None else perspektif,
        indikator=indikator,
        sekarang_atasan_id=rhk.rhk_atasan_id,
        pemberi_tugas_id=rhk.pemberi_tugas_id,
    )
    if new_jenis != rhk.jenis:
        rhk.urutan = (
            skp.rencana_set.filter(jenis=new_jenis).aggregate(m=Max("urutan"))["m"] or 0
        ) + 1
    rhk.jenis = new_jenis
    rhk.rhk_atasan = new_atasan
    if rencana is not None:
        rhk.rencana = rencana.strip()
    if perspektif is not None:
        rhk.perspektif = perspektif if skp.is_jpt else ""
    if uraian_hasil is not None:
        rhk.uraian_hasil = uraian_hasil.strip()
    if ukuran_keberhasilan is not None:
        rhk.ukuran_keberhasilan = ukuran_keberhasilan.strip()
    rhk.row_version += 1
    rhk.save()
    if indikator is not None:
        _indikator_ganti(rhk, bersih)
    _sentuh(skp)
    return rhk


@layanan
@transaction.atomic
def rhk_hapus(*, rhk: RencanaHasilKerja, user: Any) -> None:
    rhk, skp = _rhk_lock(rhk, user)
    rhk.delete()
    _sentuh(skp)


@layanan
@transaction.atomic
def rhk_pindah(*, rhk: RencanaHasilKerja, user: Any, arah: str) -> None:
    """Move a row up ("naik") or down ("turun") within its group (Utama / Tambahan)."""
    rhk, skp = _rhk_lock(rhk, user)
    if arah not in {"naik", "turun"}:
        raise ValidationError({"arah": ["Arah harus naik atau turun."]})
    rows = list(skp.rencana_set.filter(jenis=rhk.jenis).order_by("urutan", "id"))
    i = next(n for n, r in enumerate(rows) if r.pk == rhk.pk)
    j = i - 1 if arah == "naik" else i + 1
    if 0 <= j < len(rows):
        rows[i], rows[j] = rows[j], rows[i]
    for n, r in enumerate(rows, start=1):
        if r.urutan != n:
            RencanaHasilKerja.objects.filter(pk=r.pk).update(urutan=n)
    _sentuh(skp)


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
        skp = (
            SKP.objects.select_for_update()
            .filter(pegawai_id=pid, periode=m.periode, terkini=True)
            .first()
        )
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
            penilai = Pegawai.objects.select_related("user").get(pk=peg.pejabat_penilai_id)
            if penilai.user_id:
                notifikasi_kirim(
                    penerima=penilai.user,
                    jenis="skp_matriks_diterapkan_penilai",
                    pesan=(
                        f"{m.pemimpin.nama} menambahkan peran-hasil dari matriksnya ke SKP "
                        f"{peg.nama} yang Anda nilai."
                    ),
                    tautan=_url(skp),
                )
        if peg.user_id:
            notifikasi_kirim(
                penerima=peg.user,
                jenis="skp_matriks_diterapkan",
                pesan=(
                    f"{m.pemimpin.nama} menerapkan matriks peran-hasil ke SKP "
                    f"{m.periode.tahun} Anda."
                ),
                tautan=_url(skp),
            )
    MatriksPeranHasil.objects.filter(pk=m.pk).update(diterapkan_pada=timezone.now())
    return ringkas
