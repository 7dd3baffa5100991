"""Every state change of the evaluation stage. One function per use case, keyword-only,
transactional, checking access through the policy; history via django-simple-history.

The predikat is never taken from the caller: `_hitung` derives it from the two ratings with the
quadrant (`rules.predikat`) on every save, finalisation and keberatan decision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from evaluasi import jendela, rules
from evaluasi.models import (
    CatatanPerilaku,
    Evaluasi,
    Jenis,
    JustifikasiDistribusi,
    KasusSanksi,
    Keberatan,
    KinerjaOrganisasi,
    LampiranKeberatan,
    LangkahSanksi,
    PembukaanKembali,
    PenilaianRHK,
    PenjelasanKeberatan,
    Potensi,
    PredikatOrganisasi,
    TabelTindakLanjut,
)
from kinerja import jobs, policy
from kinerja.models import Pegawai, Periode, UnitKerja

STALE = (
    "Data ini telah diubah oleh pengguna lain sejak Anda membukanya. Perubahan Anda belum "
    "disimpan; periksa data terbaru lalu simpan kembali."
)


def _require(user: Any, action: str, obj: Any, pesan: str | None = None) -> None:
    policy.require(user, action, obj, pesan)


def _periode_terbuka(periode: Periode) -> None:
    if periode.status == Periode.Status.DITUTUP:
        raise ValidationError(f"Periode {periode.tahun} sudah ditutup; data tidak dapat diubah.")


def _cek_versi(obj: Any, row_version: int | None) -> None:
    if row_version is not None and int(row_version) != obj.row_version:
        raise ValidationError({"row_version": [STALE]})


def _notify(pegawai: Pegawai | None, jenis: str, pesan: str, tautan: str) -> None:
    from kinerja.notifikasi import daftar_jenis, notifikasi_kirim

    daftar_jenis("evaluasi_final", "Evaluasi kinerja difinalisasi")
    daftar_jenis("evaluasi_dibuka_kembali", "Evaluasi kinerja dibuka kembali")
    if pegawai is not None and pegawai.user_id:
        user = pegawai.user
        transaction.on_commit(
            lambda: notifikasi_kirim(penerima=user, jenis=jenis, pesan=pesan, tautan=tautan)
        )


# --- kinerja organisasi ----------------------------------------------------------------------
@transaction.atomic
def kinerja_organisasi_tetapkan(
    *,
    user: Any,
    unit_kerja: UnitKerja,
    periode: Periode,
    jenis: str,
    urutan: int | None,
    predikat: str,
    capaian: str = "",
    row_version: int | None = None,
    baru: bool = False,
) -> KinerjaOrganisasi:
    """Set a unit's Kinerja Organisasi for a window (the leader above, or the instansi admin).

    With `baru` (the API's create) an existing row is a 400 naming its id: creating never
    overwrites, also when two creates race for the same window."""
    if unit_kerja.instansi_id != periode.instansi_id:
        raise ValidationError({"unit_kerja": ["Unit kerja bukan bagian dari instansi periode."]})
    w = jendela.dari_jenis(periode, jenis, urutan)
    if predikat not in PredikatOrganisasi.values:
        raise ValidationError(
            {
                "predikat": [
                    "Pilih predikat: Istimewa, Baik, Butuh Perbaikan, Kurang, Sangat Kurang."
                ]
            }
        )
    _periode_terbuka(periode)
    ko = (
        KinerjaOrganisasi.objects.select_for_update()
        .filter(unit_kerja=unit_kerja, periode=periode, jenis=w.jenis, urutan=w.urutan)
        .first()
    )
    if ko is None:
        ko = KinerjaOrganisasi(
            unit_kerja=unit_kerja, periode=periode, jenis=w.jenis, urutan=w.urutan
        )
    _require(user, "tetapkan", ko)
    if ko.pk and baru:
        _kinerja_organisasi_ada(ko.pk, w)
    if ko.pk:
        _cek_versi(ko, row_version)
        ko.row_version += 1
    ko.predikat = predikat
    ko.capaian = capaian.strip()
    ko.ditetapkan_oleh = user
    ko.ditetapkan_pada = timezone.now()
    if ko.pk:
        ko.save()
        return ko
    try:
        with transaction.atomic():  # a savepoint: the loser of a race gets the winner's id
            ko.save()
    except IntegrityError:
        ada = KinerjaOrganisasi.objects.filter(
            unit_kerja=unit_kerja, periode=periode, jenis=w.jenis, urutan=w.urutan
        ).first()
        if ada is None:
            raise
        _kinerja_organisasi_ada(ada.pk, w)
    return ko


def _kinerja_organisasi_ada(pk: int, w: jendela.Window) -> None:
    raise ValidationError(
        {
            "non_field_errors": [
                f"Kinerja organisasi {w.label} untuk unit ini sudah ada (id {pk}); ubah data "
                "itu dengan PATCH dan row_version-nya."
            ]
        }
    )


def kinerja_organisasi_untuk(unit_kerja_id: int | None, periode: Periode, w: jendela.Window):
    if not unit_kerja_id:
        return None
    return KinerjaOrganisasi.objects.filter(
        unit_kerja_id=unit_kerja_id, periode=periode, jenis=w.jenis, urutan=w.urutan
    ).first()


# --- evaluation ----------------------------------------------------------------------------
def kepala_unit(pegawai: Pegawai) -> bool:
    """The pegawai heads their unit: their rating hasil kerja is the unit's Kinerja Organisasi."""
    return bool(pegawai.jabatan_id and pegawai.jabatan.kepala_unit)


def _skp_disetujui(pegawai: Pegawai, periode: Periode):
    try:
        from skp.selectors import skp_disetujui
    except ImportError:  # pragma: no cover - the planning stage is always installed
        return None
    return skp_disetujui(pegawai=pegawai, periode=periode)


@transaction.atomic
def evaluasi_mulai(
    *,
    user: Any,
    pegawai: Pegawai,
    periode: Periode,
    jenis: str,
    urutan: int | None,
    baru: bool = False,
) -> Evaluasi:
    """Open (or, unless `baru`, return) the draft evaluation of a pegawai for a window.

    The penilai only: who may rate is asked before anything is read, so nobody else learns
    whether an evaluation exists. With `baru` (the API's create) an existing evaluation is a
    validation error naming its id: creating never overwrites.
    """
    w = jendela.dari_jenis(periode, jenis, urutan)
    _require(user, "nilai", pegawai, "Hanya pejabat penilai yang dapat mengevaluasi pegawai ini.")
    if pegawai.instansi_id != periode.instansi_id:
        raise ValidationError("Pegawai bukan bagian dari instansi periode ini.")
    lookup = {"pegawai": pegawai, "periode": periode, "jenis": w.jenis, "urutan": w.urutan}
    ev = Evaluasi.objects.filter(**lookup).first()
    if ev is None:
        _periode_terbuka(periode)
        try:
            # A savepoint: two first clicks at once meet the unique constraint, and the loser
            # gets the winner's row instead of a 500.
            with transaction.atomic():
                return Evaluasi.objects.create(
                    **lookup,
                    skp=_skp_disetujui(pegawai, periode),
                    pejabat_penilai_id=pegawai.pejabat_penilai_id,
                    atasan_pejabat_penilai_id=pegawai.atasan_pejabat_penilai_id,
                )
        except IntegrityError:
            ev = Evaluasi.objects.get(**lookup)
    if baru:
        raise ValidationError(
            {
                "non_field_errors": [
                    f"Evaluasi {w.label} untuk pegawai ini sudah ada (id {ev.pk}); "
                    "ubah evaluasi itu, jangan membuat yang baru."
                ]
            }
        )
    return ev


def _umpan_balik_jenis(ev: Evaluasi) -> list[str]:
    from dialog.models import UmpanBalik

    qs = UmpanBalik.objects.filter(penerima_id=ev.pegawai_id, periode_id=ev.periode_id)
    if ev.jenis == Jenis.PERIODIK:
        qs = qs.filter(urutan=ev.urutan)
    return list(qs.values_list("jenis", flat=True))


def _rhk_info(ev: Evaluasi) -> dict[str, tuple[str, str]]:
    """kunci -> (jenis, rencana) of the evaluated SKP's rencana hasil kerja."""
    if not ev.skp_id:
        return {}
    from skp.models import RencanaHasilKerja

    return {
        str(k): (j, r)
        for k, j, r in RencanaHasilKerja.objects.filter(skp_id=ev.skp_id).values_list(
            "kunci", "jenis", "rencana"
        )
    }


def _saran(ev: Evaluasi) -> rules.Saran:
    if ev.predikat_ipk:
        r = rules.rating_hasil_dari_predikat_ipk(ev.predikat_ipk)
        return rules.Saran(r, (f"Tugas belajar: IPK {ev.ipk} berpredikat {ev.predikat_ipk}.",))
    rows = [(p.jenis, p.rating or None) for p in ev.rhk_set.all()]
    return rules.saran_rating_hasil(rows, _umpan_balik_jenis(ev))


def _hitung(ev: Evaluasi) -> None:
    """Derive the stored predikat from the two ratings (the quadrant), or clear it."""
    if ev.rating_hasil_kerja and ev.rating_perilaku_kerja:
        ev.predikat = rules.predikat(ev.rating_hasil_kerja, ev.rating_perilaku_kerja)
    else:
        ev.predikat = ""


def _rating_kepala(ev: Evaluasi) -> str | None:
    """For a unit head: the rating hasil kerja their unit's Kinerja Organisasi gives, if set."""
    if not kepala_unit(ev.pegawai):
        return None
    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
    ko = kinerja_organisasi_untuk(ev.pegawai.unit_kerja_id, ev.periode, w)
    return rules.rating_hasil_dari_organisasi(ko.predikat) if ko else ""


def _ipk(ev: Evaluasi, ipk: Any) -> None:
    if ipk in (None, ""):
        ev.ipk, ev.predikat_ipk = None, ""
        return
    try:
        value = Decimal(str(ipk).replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"ipk": ["IPK harus berupa angka, misalnya 3,45."]}) from None
    skp = ev.skp
    if skp is None or not skp.is_tugas_belajar:
        raise ValidationError({"ipk": ["IPK hanya diisi untuk pegawai tugas belajar."]})
    from skp.rules import predikat_ipk

    try:
        ev.predikat_ipk = predikat_ipk(
            value,
            jenjang=skp.tb_jenjang,
            lokasi=skp.tb_lokasi,
            akreditasi_univ=skp.tb_akreditasi_univ,
        )
    except (ValueError, KeyError) as exc:
        raise ValidationError({"ipk": [f"IPK tidak dapat dinilai: {exc}"]}) from None
    ev.ipk = value


def _cek_kode(field: str, value: str) -> str:
    value = (value or "").strip()
    if value and value not in rules.RATING:
        raise ValidationError({field: ["Pilih Di Atas, Sesuai, atau Di Bawah Ekspektasi."]})
    return value


def _lock(ev: Evaluasi) -> Evaluasi:
    return (
        Evaluasi.objects.select_for_update(of=("self",))
        .select_related("pegawai__jabatan", "periode", "skp")
        .get(pk=ev.pk)
    )


@transaction.atomic
def evaluasi_simpan(
    *,
    user: Any,
    evaluasi: Evaluasi,
    row_version: int | None,
    rating_hasil_kerja: str = "",
    rating_perilaku_kerja: str = "",
    alasan_ubah_rating: str = "",
    catatan: str = "",
    penilaian_rhk: Mapping[str, tuple[str, str]] | None = None,
    catatan_perilaku: Mapping[str, str] | None = None,
    ipk: Any = None,
) -> Evaluasi:
    """Save the penilai's ratings (draft). A save based on a stale `row_version` is refused and
    the earlier change kept."""
    ev = _lock(evaluasi)
    _require(user, "nilai", ev)
    _periode_terbuka(ev.periode)
    _cek_versi(ev, row_version)
    # A draft follows the latest approved SKP version (ratings are kept by RHK kunci).
    terbaru = _skp_disetujui(ev.pegawai, ev.periode)
    if terbaru is not None and terbaru.pk != ev.skp_id:
        ev.skp = terbaru
    errors: dict[str, list[str]] = {}
    try:
        h = _cek_kode("rating_hasil_kerja", rating_hasil_kerja)
        p = _cek_kode("rating_perilaku_kerja", rating_perilaku_kerja)
    except ValidationError as exc:
        raise exc
    info = _rhk_info(ev)
    for kunci, (rating, cat) in (penilaian_rhk or {}).items():
        kunci = str(kunci)
        if kunci not in info:
            errors.setdefault("penilaian_rhk", []).append(
                "Rencana hasil kerja tidak termasuk SKP yang dievaluasi."
            )
            continue
        rating = _cek_kode("penilaian_rhk", rating)
        jenis_rhk, rencana = info[kunci]
        PenilaianRHK.objects.update_or_create(
            evaluasi=ev,
            rhk_kunci=kunci,
            defaults={
                "rating": rating,
                "catatan": (cat or "").strip(),
                "jenis": jenis_rhk,
                "rencana": rencana,
            },
        )
    from skp.rules import BERAKHLAK_KODE

    for nilai, cat in (catatan_perilaku or {}).items():
        if nilai not in BERAKHLAK_KODE:
            errors.setdefault("catatan_perilaku", []).append(
                f"Nilai BerAKHLAK tidak dikenal: {nilai}"
            )
            continue
        CatatanPerilaku.objects.update_or_create(
            evaluasi=ev, nilai=nilai, defaults={"catatan": (cat or "").strip()}
        )
    if ipk is not None:
        _ipk(ev, ipk)
    saran = _saran(ev)
    ev.saran_rating_hasil_kerja = saran.rating or ""
    kepala = _rating_kepala(ev)
    if kepala is not None:
        # A unit head's rating hasil kerja is not typed: it is the unit's Kinerja Organisasi.
        h = kepala
    ev.rating_hasil_kerja = h
    ev.rating_perilaku_kerja = p
    ev.alasan_ubah_rating = alasan_ubah_rating.strip()
    ev.catatan = catatan.strip()
    if (
        kepala is None
        and h
        and ev.saran_rating_hasil_kerja
        and h != ev.saran_rating_hasil_kerja
        and not ev.alasan_ubah_rating
    ):
        errors.setdefault("alasan_ubah_rating", []).append(
            f"Rating hasil kerja berbeda dari saran ({rules.RATING_LABEL[ev.saran_rating_hasil_kerja]}); "
            "tuliskan alasannya."
        )
    if errors:
        raise ValidationError(errors)
    _hitung(ev)
    ev.row_version += 1
    ev.save()
    return ev


def _team_counts(ev: Evaluasi) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        Evaluasi.objects.filter(
            periode_id=ev.periode_id,
            jenis=ev.jenis,
            urutan=ev.urutan,
            pejabat_penilai_id=ev.pejabat_penilai_id,
        )
        .exclude(predikat="")
        .values("predikat")
        .annotate(n=Count("id"))
    )
    return {r["predikat"]: r["n"] for r in rows}


def distribusi_peringatan_tim(ev: Evaluasi) -> tuple[str | None, list[rules.Pelanggaran]]:
    """(kinerja organisasi predikat, broken bounds needing justification) for the penilai's team
    in the evaluation's window, judged by the guidance of the evaluated pegawai's unit."""
    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
    ko = kinerja_organisasi_untuk(ev.pegawai.unit_kerja_id, ev.periode, w)
    if ko is None:
        return None, []
    return ko.predikat, rules.periksa_distribusi(ko.predikat, _team_counts(ev))


def _justifikasi_ada(ev: Evaluasi) -> bool:
    return JustifikasiDistribusi.objects.filter(
        periode_id=ev.periode_id,
        jenis=ev.jenis,
        urutan=ev.urutan,
        cakupan=JustifikasiDistribusi.Cakupan.TIM,
        pejabat_penilai_id=ev.pejabat_penilai_id,
    ).exists()


@transaction.atomic
def evaluasi_finalisasi(
    *,
    user: Any,
    evaluasi: Evaluasi,
    row_version: int | None = None,
    justifikasi: str = "",
) -> Evaluasi:
    """Lock the evaluation. A distribution outside the guidance needs a recorded justification
    (once per team and window); it never blocks otherwise."""
    ev = _lock(evaluasi)
    _require(user, "finalisasi", ev)
    _periode_terbuka(ev.periode)
    _cek_versi(ev, row_version)
    kepala = _rating_kepala(ev)
    if kepala == "":
        raise ValidationError(
            {
                "rating_hasil_kerja": [
                    "Pegawai ini kepala unit: kinerja organisasi unitnya untuk jendela ini belum "
                    "ditetapkan, sehingga rating hasil kerja belum dapat ditentukan."
                ]
            }
        )
    if kepala:
        ev.rating_hasil_kerja = kepala
    missing = {}
    if not ev.rating_hasil_kerja:
        missing["rating_hasil_kerja"] = ["Rating hasil kerja belum diisi."]
    if not ev.rating_perilaku_kerja:
        missing["rating_perilaku_kerja"] = ["Rating perilaku kerja belum diisi."]
    if missing:
        raise ValidationError(missing)
    if (
        kepala is None
        and ev.saran_rating_hasil_kerja
        and ev.rating_hasil_kerja != ev.saran_rating_hasil_kerja
        and not ev.alasan_ubah_rating
    ):
        raise ValidationError(
            {"alasan_ubah_rating": ["Tuliskan alasan mengubah rating hasil kerja yang disarankan."]}
        )
    _hitung(ev)
    ev.save(update_fields=["rating_hasil_kerja", "predikat"])
    if ev.pejabat_penilai_id is None:
        ev.pejabat_penilai_id = ev.pegawai.pejabat_penilai_id
    org, pelanggaran = distribusi_peringatan_tim(ev)
    if pelanggaran and not _justifikasi_ada(ev):
        if not justifikasi.strip():
            raise ValidationError(
                {
                    "justifikasi": [
                        "Distribusi predikat tim Anda di luar pedoman untuk kinerja organisasi "
                        f"{rules.PREDIKAT_ORG_LABEL[org]}: "
                        + "; ".join(p.pesan for p in pelanggaran)
                        + ". Tuliskan justifikasi; evaluasi tetap dapat difinalisasi."
                    ]
                }
            )
        JustifikasiDistribusi.objects.create(
            periode_id=ev.periode_id,
            jenis=ev.jenis,
            urutan=ev.urutan,
            cakupan=JustifikasiDistribusi.Cakupan.TIM,
            unit_kerja_id=ev.pegawai.unit_kerja_id,
            pejabat_penilai_id=ev.pejabat_penilai_id,
            pelanggaran=[p.pesan for p in pelanggaran],
            isi=justifikasi.strip(),
            dibuat_oleh=user,
        )
    ev.status = Evaluasi.Status.FINAL
    ev.finalisasi_pada = timezone.now()
    if ev.pejabat_penilai_id:
        from kinerja.persetujuan import persetujuan_catat

        # The penilai's electronic approval of the result, shown on the document.
        persetujuan_catat(objek=ev, pegawai=ev.pejabat_penilai, peran="pejabat_penilai")
    ev.finalisasi_oleh = user
    ev.atasan_pejabat_penilai_id = (
        ev.atasan_pejabat_penilai_id or ev.pegawai.atasan_pejabat_penilai_id
    )
    ev.row_version += 1
    ev.save()
    _notify(
        ev.pegawai,
        "evaluasi_final",
        f"Evaluasi kinerja Anda ({jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan).label}) "
        f"telah final: {rules.PREDIKAT_LABEL[ev.predikat]}.",
        reverse("evaluasi:detail", args=[ev.pk]),
    )
    jobs.enqueue(
        "evaluasi.pdf",
        kunci=f"evaluasi-pdf:{ev.pk}:v{ev.row_version}",
        user=user,
        evaluasi_id=ev.pk,
    )
    return ev


@transaction.atomic
def evaluasi_buka_kembali(*, user: Any, evaluasi: Evaluasi, alasan: str) -> Evaluasi:
    """Reopen a final evaluation (instansi admin only), keeping the reason."""
    ev = _lock(evaluasi)
    _require(user, "buka_kembali", ev)
    _periode_terbuka(ev.periode)
    if ev.keberatan_set.exclude(status=Keberatan.Status.DIPUTUS).exists():
        # The atasan's decision on the keberatan is final; reopening under it would bypass it.
        raise ValidationError(
            "Evaluasi ini sedang dalam proses keberatan; tunggu keputusan atas keberatan "
            "sebelum membukanya kembali."
        )
    alasan = (alasan or "").strip()
    if not alasan:
        raise ValidationError({"alasan": ["Tuliskan alasan membuka kembali evaluasi."]})
    PembukaanKembali.objects.create(evaluasi=ev, oleh=user, alasan=alasan)
    from kinerja.persetujuan import persetujuan_cabut

    persetujuan_cabut(objek=ev, alasan=f"Evaluasi dibuka kembali: {alasan}")
    ev.status = Evaluasi.Status.DRAFT
    ev.alasan_buka_kembali = alasan
    ev.finalisasi_pada = None
    ev.row_version += 1
    ev.save()
    _dokumen_digantikan(ev)
    penilai = ev.pejabat_penilai
    _notify(
        penilai,
        "evaluasi_dibuka_kembali",
        f"Evaluasi {ev.pegawai.nama} dibuka kembali oleh admin: {alasan[:200]}",
        reverse("evaluasi:nilai", args=[ev.pegawai_id, ev.jendela_kode]),
    )
    return ev


@transaction.atomic
def evaluasi_ganti_hasil(
    *,
    evaluasi: Evaluasi,
    rating_hasil_kerja: str,
    rating_perilaku_kerja: str,
    alasan: str,
    oleh: Any,
) -> Evaluasi:
    """Replace a final evaluation's ratings (a keberatan decided `diubah`).

    The caller (the keberatan service) has checked that `oleh` may decide. The predikat follows
    from the quadrant; the history keeps the earlier result; the issued document is superseded.
    """
    ev = _lock(evaluasi)
    _cek_kode("rating_hasil_kerja", rating_hasil_kerja)
    _cek_kode("rating_perilaku_kerja", rating_perilaku_kerja)
    if not (rating_hasil_kerja and rating_perilaku_kerja):
        raise ValidationError("Kedua rating wajib diisi.")
    ev.rating_hasil_kerja = rating_hasil_kerja
    ev.rating_perilaku_kerja = rating_perilaku_kerja
    ev.alasan_ubah_rating = (alasan or "").strip()
    _hitung(ev)
    ev._change_reason = f"keberatan: {ev.alasan_ubah_rating}"[:100]
    ev.row_version += 1
    ev.save()
    _dokumen_digantikan(ev)
    return ev


def _dokumen_digantikan(ev: Evaluasi) -> None:
    from django.contrib.contenttypes.models import ContentType

    from kinerja.models import Dokumen

    ct = ContentType.objects.get_for_model(Evaluasi)
    Dokumen.objects.filter(content_type=ct, object_id=ev.pk, digantikan=False).update(
        digantikan=True
    )


# --- distribution justification (distribution page) ----------------------------------------
@transaction.atomic
def justifikasi_simpan(
    *,
    user: Any,
    periode: Periode,
    jenis: str,
    urutan: int | None,
    cakupan: str,
    isi: str,
    pelanggaran: list[str],
    unit_kerja: UnitKerja | None = None,
    pejabat_penilai: Pegawai | None = None,
) -> JustifikasiDistribusi:
    w = jendela.dari_jenis(periode, jenis, urutan)
    if cakupan not in JustifikasiDistribusi.Cakupan.values:
        raise ValidationError({"cakupan": ["Cakupan tidak dikenal."]})
    if not (isi or "").strip():
        raise ValidationError({"isi": ["Tuliskan justifikasi."]})
    j = JustifikasiDistribusi(
        periode=periode,
        jenis=w.jenis,
        urutan=w.urutan,
        cakupan=cakupan,
        unit_kerja=unit_kerja,
        pejabat_penilai=pejabat_penilai,
        isi=isi.strip(),
        pelanggaran=list(pelanggaran),
        dibuat_oleh=user,
    )
    _require(
        user,
        "tulis",
        j,
        "Justifikasi tim ditulis oleh pejabat penilainya."
        if cakupan == "tim"
        else "Justifikasi unit/instansi ditulis oleh admin instansi.",
    )
    j.save()
    return j


# --- documents -----------------------------------------------------------------------------
def evaluasi_dokumen_render(*, evaluasi: Evaluasi):
    """Issue the Dokumen Evaluasi Kinerja Pegawai PDF; a no-op when the current document was
    rendered from the same row_version (so the year-end close can run twice)."""
    from django.contrib.contenttypes.models import ContentType

    from evaluasi.dokumen import evaluasi_pdf_render
    from kinerja.models import Dokumen
    from kinerja.pdf import dokumen_simpan

    # periode and pegawai: the title and file name below read them (no lazy queries per PDF).
    ev = Evaluasi.objects.select_related("dokumen", "periode", "pegawai").get(pk=evaluasi.pk)
    if ev.dokumen_id and ev.dokumen_row_version == ev.row_version and not ev.dokumen.digantikan:
        return ev.dokumen
    data, kode = evaluasi_pdf_render(ev)
    ct = ContentType.objects.get_for_model(Evaluasi)  # cached per process
    versi = Dokumen.objects.filter(content_type=ct, object_id=ev.pk).count() + 1
    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
    doc = dokumen_simpan(
        jenis=Dokumen.Jenis.EVALUASI,
        judul=f"Dokumen Evaluasi Kinerja Pegawai — {ev.pegawai.nama} — {w.label} {ev.periode.tahun}",
        data=data,
        nama_berkas=f"evaluasi-{ev.pegawai.nip or ev.pegawai_id}-{ev.periode.tahun}-{w.kode}.pdf",
        objek=ev,
        instansi_id=ev.pegawai.instansi_id,
        pegawai_id=ev.pegawai_id,
        versi=versi,
        kode=kode,
    )
    Evaluasi.objects.filter(pk=ev.pk).update(dokumen=doc, dokumen_row_version=ev.row_version)
    return doc


# --- year-end close ------------------------------------------------------------------------
@transaction.atomic
def penutupan_mulai(*, user: Any, periode: Periode):
    """Start the year-end close as a background job (the instansi admin). Idempotent.

    The job (`evaluasi.tutup_tahun`, the one the close page polls) locks the year and hands each
    unit to its own job (`evaluasi.tutup_unit`); it stays pending until the last unit job has
    written the recap and completed it."""
    from evaluasi.models import PenutupanTahun

    _require(
        user,
        "mulai",
        PenutupanTahun(periode=periode),
        "Hanya admin instansi yang dapat menutup tahun.",
    )
    from kinerja.models import Job

    pen, _ = PenutupanTahun.objects.select_for_update().get_or_create(
        periode=periode, defaults={"dimulai_oleh": user}
    )
    if pen.job_id and pen.job.status in (Job.Status.PENDING, Job.Status.RUNNING):
        return pen  # already under way: a double click starts nothing
    # Each run is its own job (a later run picks up results changed since, e.g. by a
    # keberatan); the run itself changes nothing that is already current.
    runs = Job.objects.filter(
        task="evaluasi.tutup_tahun", kunci__startswith=f"evaluasi-tutup:{periode.pk}:"
    ).count()
    job = jobs.enqueue(
        "evaluasi.tutup_tahun",
        kunci=f"evaluasi-tutup:{periode.pk}:{runs + 1}",
        user=user,
        periode_id=periode.pk,
    )
    pen.job = job
    pen.save(update_fields=["job"])
    return pen


def _sidik(data: Any) -> str:
    # Our own plain data, built in a fixed order: no key sorting needed (100k rows at the close).
    return hashlib.sha256(json.dumps(data, default=str, separators=(",", ":")).encode()).hexdigest()


# A unit job reports progress at most this often (seconds); tests set 0 to see every step.
TUTUP_PROGRES_SETIAP = 1.0


def _tahunan_final(periode_id: int):
    return Evaluasi.objects.filter(
        periode_id=periode_id, jenis=Jenis.TAHUNAN, status=Evaluasi.Status.FINAL
    )


def tutup_tahun_jalankan(*, periode_id: int, job: Any = None) -> dict | jobs.Waiting:
    """The close job's data phase: lock the year, record this run's units (ArsipUnit rows, in
    one statement) and hand each unit to its own job (`evaluasi.tutup_unit`: that unit's PDFs
    and zip, any worker). The unit job that finds every unit of the run done writes the recap
    and completes this job; until then this job waits (`jobs.Waiting`) and the unit jobs write
    its progress. The number of queries does not grow with the number of units.

    The run is identified by the job's id: the same job running again (a resume after its unit
    jobs stalled) keeps what its units finished; a new job is a new run, which redoes only what
    changed (documents, zips and the recap are only re-made when what they hold changed).
    Without a job (a shell), a job row is made and the units run here, one after the other."""
    from django.db.models import Count

    from evaluasi.models import PenutupanTahun
    from kinerja.models import Job

    di_sini = job is None
    if di_sini:
        instansi_id = Periode.objects.values_list("instansi_id", flat=True).get(pk=periode_id)
        job = Job.objects.create(
            task="evaluasi.tutup_tahun",
            kwargs={"periode_id": periode_id},
            status=Job.Status.RUNNING,
            pemilik="lokal",
            percobaan=1,
            instansi_id=instansi_id,
        )
    putaran = job.pk
    with transaction.atomic():
        periode = Periode.objects.get(pk=periode_id)
        pen, _ = PenutupanTahun.objects.select_for_update().get_or_create(periode=periode)
        if periode.status != Periode.Status.DITUTUP:
            # Saved (not .update()) so the year's history says who closed it and when.
            periode.status = Periode.Status.DITUTUP
            periode._change_reason = "tutup tahun"
            if pen.dimulai_oleh_id:
                periode._history_user = pen.dimulai_oleh
            periode.save(update_fields=["status"])
        lanjut = pen.putaran == putaran  # this run again: keep what its units finished
        per_unit = sorted(
            _tahunan_final(periode_id)
            # Through the instansi's pegawai (its index), not a scan of every pegawai.
            .filter(pegawai__instansi_id=periode.instansi_id, pegawai__unit_kerja__isnull=False)
            .order_by()
            .values_list("pegawai__unit_kerja_id")
            .annotate(n=Count("id"))
            .values_list("pegawai__unit_kerja_id", "n"),
            key=lambda t: (-t[1], t[0]),  # the largest units first: workers finish together
        )
        _arsip_unit_catat(pen.pk, [u for u, _ in per_unit], putaran, lanjut=lanjut)
        if not lanjut:
            pen.putaran = putaran
            pen.status = PenutupanTahun.Status.BERJALAN
            pen.unit_total = len(per_unit)
            pen.dokumen_total = sum(n for _, n in per_unit)
            pen.job = pen.job if di_sini or pen.job_id == job.pk else job
            pen.save(update_fields=["putaran", "status", "unit_total", "dokumen_total", "job"])
        if not di_sini:
            jobs.enqueue_many(
                "evaluasi.tutup_unit",
                [
                    (
                        f"evaluasi-tutup:{periode_id}:{putaran}:{units[0]}",
                        {
                            "periode_id": periode_id,
                            "unit_ids": units,
                            "putaran": putaran,
                            "induk_id": job.pk,
                        },
                    )
                    for units in kelompok_unit(per_unit, settings.KINERJA_TUTUP_DOKUMEN_PER_JOB)
                ],
                instansi_id=periode.instansi_id,
            )
        jobs.progress_id(  # never back to 0 when this run resumes
            job.pk,
            0,
            pen.dokumen_total + pen.unit_total + 1,
            f"{pen.unit_total} unit kerja dibagikan ke pekerja",
        )
    # Final evaluations of pegawai without a unit: no zip to go into; issued here.
    for ev in (
        _tahunan_final(periode_id)
        .filter(pegawai__instansi_id=periode.instansi_id, pegawai__unit_kerja__isnull=True)
        .order_by("pk")
    ):
        evaluasi_dokumen_render(evaluasi=ev)
    if di_sini:
        for u, _ in per_unit:
            tutup_unit_jalankan(periode_id=periode_id, unit_id=u, putaran=putaran, induk_id=job.pk)
    hasil = _tutup_periksa(pen_id=pen.pk, putaran=putaran, induk_id=job.pk)
    if di_sini:
        return hasil or {}
    return hasil if hasil is not None else jobs.Waiting()


def kelompok_unit(per_unit: list[tuple[int, int]], dokumen: int) -> list[list[int]]:
    """Units (id, documents), largest first, cut into jobs of about `dokumen` documents: a unit
    at least that big is a job of its own; smaller ones share a job until it holds that many.
    (One job per unit made 13,561 jobs of 7 documents on average at provincial scale: recording
    them was a third of the close's data phase.)"""
    groups: list[list[int]] = []
    cur: list[int] = []
    n = 0
    for unit_id, k in per_unit:
        if k >= dokumen:
            groups.append([unit_id])
            continue
        cur.append(unit_id)
        n += k
        if n >= dokumen:
            groups.append(cur)
            cur, n = [], 0
    if cur:
        groups.append(cur)
    return groups


def _arsip_unit_catat(pen_id: int, unit_ids: list[int], putaran: int, *, lanjut: bool) -> None:
    """One ArsipUnit row per unit of this run, in one statement (the units as one array
    parameter). A run that resumes keeps its rows; a new run takes them over from the start."""
    from evaluasi.models import ArsipUnit

    if not unit_ids:
        return
    on_conflict = (
        "DO NOTHING"
        if lanjut
        else "DO UPDATE SET putaran = EXCLUDED.putaran, putaran_selesai = 0, terbit = 0"
    )
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {ArsipUnit._meta.db_table} "
            "(penutupan_id, unit_kerja_id, sidik, jumlah, putaran, putaran_selesai, terbit) "
            "SELECT %s, u, '', 0, %s, 0, 0 FROM unnest(%s::bigint[]) AS u "
            f"ON CONFLICT (penutupan_id, unit_kerja_id) {on_conflict}",
            [pen_id, putaran, unit_ids],
        )


def tutup_units_jalankan(
    *, periode_id: int, unit_ids: list[int], putaran: int, induk_id: int | None = None
) -> dict:
    """A close job's units (job `evaluasi.tutup_unit`), one after the other; the run's finish is
    checked once, after the last. A unit that fails names itself (`UnitGagal`)."""
    for unit_id in unit_ids:
        try:
            tutup_unit_jalankan(
                periode_id=periode_id,
                unit_id=unit_id,
                putaran=putaran,
                induk_id=induk_id,
                periksa=False,
            )
        except Exception as exc:
            raise UnitGagal(unit_id, exc) from exc
    selesai = _tutup_periksa(pen_id=_pen_id(periode_id), putaran=putaran, induk_id=induk_id)
    return {"unit": unit_ids, "rekap": selesai is not None}


class UnitGagal(RuntimeError):
    def __init__(self, unit_id: int, exc: Exception):
        super().__init__(f"Unit kerja {unit_id} gagal diproses: {exc}")
        self.unit_id = unit_id


def _pen_id(periode_id: int) -> int:
    from evaluasi.models import PenutupanTahun

    return PenutupanTahun.objects.values_list("pk", flat=True).get(periode_id=periode_id)


def _tutup_progres(*, pen_id: int, putaran: int, induk_id: int | None) -> None:
    """Overall progress of the run on the close job: units done and documents checked/issued."""
    from django.db.models import Count, Q, Sum

    from evaluasi.models import ArsipUnit, PenutupanTahun

    if induk_id is None:
        return
    pen = PenutupanTahun.objects.only("unit_total", "dokumen_total").get(pk=pen_id)
    agg = ArsipUnit.objects.filter(penutupan_id=pen_id, putaran=putaran).aggregate(
        dok=Sum("terbit"), unit=Count("pk", filter=Q(putaran_selesai=putaran))
    )
    dok, unit = agg["dok"] or 0, agg["unit"] or 0
    jobs.progress_id(
        induk_id,
        dok + unit,
        pen.dokumen_total + pen.unit_total + 1,
        f"Unit kerja selesai {unit} dari {pen.unit_total} · dokumen {dok} dari {pen.dokumen_total}",
    )


def tutup_unit_jalankan(
    *,
    periode_id: int,
    unit_id: int,
    putaran: int,
    induk_id: int | None = None,
    periksa: bool = True,
) -> dict:
    """One unit of a close run (job `evaluasi.tutup_unit`): issue the unit's Dokumen Evaluasi
    Kinerja Pegawai that are not current, zip them when the set changed, mark the unit done for
    this run, and, if it was the last, finish the run (`_tutup_periksa`). Running it again does
    nothing twice: current documents are skipped, an unchanged zip is kept."""
    import time

    from django.db.models import F
    from django.db.models.functions import Greatest

    from evaluasi import rekap
    from evaluasi.models import ArsipUnit

    arsip = ArsipUnit.objects.select_related("penutupan__periode", "unit_kerja", "dokumen").get(
        penutupan__periode_id=periode_id, unit_kerja_id=unit_id
    )
    pen = arsip.penutupan
    if pen.putaran != putaran:
        return {"unit": unit_id, "usang": True}  # a later run took over
    # Writes only while the row still belongs to this run (a later run may have started since).
    mine = ArsipUnit.objects.filter(pk=arsip.pk, putaran=putaran)
    if arsip.putaran_selesai != putaran:
        evs = list(
            _tahunan_final(periode_id)
            .filter(pegawai__unit_kerja_id=unit_id)
            .select_related("pegawai", "dokumen")
            .order_by("pegawai__nama", "pk")
        )
        items, lapor = [], time.monotonic()
        for i, ev in enumerate(evs, start=1):
            # The same test as evaluasi_dokumen_render's no-op (here without its query).
            if (
                ev.dokumen_id
                and ev.dokumen_row_version == ev.row_version
                and not ev.dokumen.digantikan
            ):
                doc = ev.dokumen
            else:
                doc = evaluasi_dokumen_render(evaluasi=ev)
            items.append((ev, doc))
            if time.monotonic() - lapor >= TUTUP_PROGRES_SETIAP and i < len(evs):
                mine.update(terbit=Greatest(F("terbit"), i))
                _tutup_progres(pen_id=pen.pk, putaran=putaran, induk_id=induk_id)
                lapor = time.monotonic()
        sidik = _sidik(sorted(d.sha256 for _, d in items))
        if arsip.sidik != sidik or not arsip.dokumen_id:
            arsip.dokumen = rekap.zip_unit(arsip=arsip, items=items)
        mine.update(
            dokumen=arsip.dokumen,
            sidik=sidik,
            jumlah=len(items),
            terbit=len(items),
            putaran_selesai=putaran,
        )
        _tutup_progres(pen_id=pen.pk, putaran=putaran, induk_id=induk_id)
    if not periksa:
        return {"unit": unit_id}
    selesai = _tutup_periksa(pen_id=pen.pk, putaran=putaran, induk_id=induk_id)
    return {"unit": unit_id, "rekap": selesai is not None}


def _tutup_periksa(*, pen_id: int, putaran: int, induk_id: int | None) -> dict | None:
    """Finish the run once every unit of it is done: write the recap (only when its content
    changed), mark the close done and complete the close job. Race-safe: callers take the
    PenutupanTahun row's lock in turn; a unit marks itself done before it asks, so the last
    unit to finish always finds the run complete, and whoever is first to find it so does the
    work - later callers find it done. Returns the close's result, None while units remain."""
    from evaluasi import rekap
    from evaluasi.models import ArsipUnit, PenutupanTahun

    with transaction.atomic():
        pen = (
            PenutupanTahun.objects.select_for_update(of=("self",))
            .select_related("periode__instansi")
            .get(pk=pen_id)
        )
        if pen.putaran != putaran:
            return None
        if pen.status != PenutupanTahun.Status.SELESAI:
            if (
                ArsipUnit.objects.filter(penutupan=pen, putaran=putaran)
                .exclude(putaran_selesai=putaran)
                .exists()
            ):
                return None
            periode = pen.periode
            data = rekap.data_rekap(periode)
            sidik = data["sidik"]
            if pen.rekap_sidik != sidik or not pen.rekap_id:
                pen.rekap = rekap.xlsx_rekap(periode=periode, data=data, penutupan=pen)
                pen.rekap_sidik = sidik
            tanpa_unit = (
                _tahunan_final(periode.pk)
                .filter(pegawai__instansi_id=periode.instansi_id, pegawai__unit_kerja__isnull=True)
                .count()
            )
            pen.status = PenutupanTahun.Status.SELESAI
            pen.selesai = pen.selesai or timezone.now()
            pen.ringkasan = {
                "dokumen": pen.dokumen_total + tanpa_unit,
                "unit": pen.unit_total,
                "tanpa_evaluasi_final": data["ringkas"]["tanpa_evaluasi_final"],
            }
            pen.save()
        hasil = {
            "url": reverse("evaluasi:tutup_tahun") + f"?tahun={pen.periode.tahun}",
            "dokumen": pen.ringkasan.get("dokumen", 0),
        }
        if induk_id is not None:
            jobs.complete(induk_id, hasil)
    return hasil


# --- follow-up -----------------------------------------------------------------------------
HANYA_ADMIN = "Hanya admin instansi yang dapat melakukan tindakan ini."


@transaction.atomic
def potensi_simpan(
    *, user: Any, pegawai: Pegawai, tahun: int, potensi: str, sumber: str = ""
) -> Potensi:
    _require(user, "change", Potensi(pegawai=pegawai, tahun=tahun), HANYA_ADMIN)
    if potensi not in rules.POTENSI:
        raise ValidationError({"potensi": ["Pilih potensi: rendah, menengah, atau tinggi."]})
    obj, _ = Potensi.objects.update_or_create(
        pegawai=pegawai,
        tahun=tahun,
        defaults={"potensi": potensi, "sumber": sumber.strip(), "dicatat_oleh": user},
    )
    return obj


@transaction.atomic
def tabel_tindak_lanjut_simpan(
    *, user: Any, instansi_id: int, jenis: str, predikat: str, nilai: str
) -> TabelTindakLanjut | None:
    """Set (or, with an empty value, clear) one cell of an instansi's follow-up table."""
    _require(user, "change", TabelTindakLanjut(instansi_id=instansi_id), HANYA_ADMIN)
    if jenis not in TabelTindakLanjut.Jenis.values or predikat not in rules.PREDIKAT:
        raise ValidationError("Jenis tabel atau predikat tidak dikenal.")
    nilai = (nilai or "").strip()
    if not nilai:
        TabelTindakLanjut.objects.filter(
            instansi_id=instansi_id, jenis=jenis, predikat=predikat
        ).delete()
        return None
    obj, _ = TabelTindakLanjut.objects.update_or_create(
        instansi_id=instansi_id, jenis=jenis, predikat=predikat, defaults={"nilai": nilai[:200]}
    )
    return obj


@transaction.atomic
def kasus_sanksi_buka(
    *,
    user: Any,
    pegawai: Pegawai,
    periode: Periode,
    alasan: str = "",
    mulai: dt.date | None = None,
) -> KasusSanksi:
    """Open a sanction case; its first step (six months to improve) starts at `mulai`."""
    _require(user, "buka", KasusSanksi(pegawai=pegawai, periode=periode), HANYA_ADMIN)
    if pegawai.instansi_id != periode.instansi_id:
        raise ValidationError("Pegawai bukan bagian dari instansi periode ini.")
    if KasusSanksi.objects.filter(pegawai=pegawai, status=KasusSanksi.Status.TERBUKA).exists():
        raise ValidationError("Pegawai ini sudah memiliki kasus sanksi kinerja yang terbuka.")
    tahunan = Evaluasi.objects.filter(
        pegawai=pegawai, periode=periode, jenis=Jenis.TAHUNAN, status=Evaluasi.Status.FINAL
    ).first()
    potensi = (
        Potensi.objects.filter(pegawai=pegawai, tahun=periode.tahun)
        .values_list("potensi", flat=True)
        .first()
    )
    if tahunan is None or not rules.calon_sanksi(tahunan.predikat, potensi):
        raise ValidationError(
            "Kasus sanksi hanya dapat dibuka untuk pegawai dengan predikat akhir tahun yang final "
            "Kurang atau Sangat Kurang, atau pada kotak 1 talenta (Butuh Perbaikan dengan "
            "potensi rendah)."
        )
    jalur = rules.jalur_sanksi(pegawai.jabatan.jenis if pegawai.jabatan_id else "")
    kasus = KasusSanksi.objects.create(
        pegawai=pegawai,
        periode=periode,
        jalur=jalur,
        predikat_pemicu=tahunan.predikat if tahunan else "",
        alasan=alasan.strip(),
        dibuka_oleh=user,
    )
    mulai = mulai or timezone.localdate()
    LangkahSanksi.objects.create(
        kasus=kasus,
        langkah=rules.PERBAIKAN,
        mulai=mulai,
        batas=rules.batas_langkah(rules.PERBAIKAN, mulai),
        catatan="Kesempatan memperbaiki kinerja selama 6 bulan.",
        diputuskan_oleh=user,
    )
    return kasus


@transaction.atomic
def kasus_sanksi_langkah(
    *,
    user: Any,
    kasus: KasusSanksi,
    langkah: str,
    mulai: dt.date | None = None,
    batas: dt.date | None = None,
    catatan: str = "",
    row_version: int | None = None,
) -> LangkahSanksi:
    """Record the next step of a case, allowed only in the order of its path."""
    kasus = KasusSanksi.objects.select_for_update().select_related("pegawai").get(pk=kasus.pk)
    _require(user, "ubah", kasus)
    _cek_versi(kasus, row_version)
    terakhir = kasus.langkah_set.order_by("-diputuskan_pada", "-id").first()
    boleh = rules.langkah_berikut(kasus.jalur, terakhir.langkah if terakhir else None)
    if langkah not in boleh:
        pilihan = ", ".join(rules.LANGKAH_LABEL[b] for b in boleh) or "tidak ada (kasus selesai)"
        raise ValidationError({"langkah": [f"Langkah berikutnya yang diperbolehkan: {pilihan}."]})
    mulai = mulai or timezone.localdate()
    awal = rules.mulai_paling_awal(langkah, terakhir.batas if terakhir else None)
    if awal is not None and mulai < awal:
        raise ValidationError(
            {
                "mulai": [
                    f"{rules.LANGKAH_LABEL[langkah]} baru dapat dimulai setelah tenggat langkah "
                    f"sebelumnya berakhir ({awal:%d-%m-%Y})."
                ]
            }
        )
    batas_maks = rules.batas_langkah(langkah, mulai)
    if batas is None:
        batas = batas_maks
    elif batas_maks is not None and batas > batas_maks:
        raise ValidationError(
            {
                "batas": [
                    f"{rules.LANGKAH_LABEL[langkah]}: tenggat paling lambat {batas_maks:%d-%m-%Y}."
                ]
            }
        )
    if batas is not None and batas < mulai:
        raise ValidationError({"batas": ["Tenggat tidak boleh sebelum tanggal mulai."]})
    step = LangkahSanksi.objects.create(
        kasus=kasus,
        langkah=langkah,
        mulai=mulai,
        batas=batas,
        catatan=catatan.strip(),
        diputuskan_oleh=user,
    )
    kasus.row_version += 1
    if langkah in rules.LANGKAH_AKHIR:
        kasus.status = KasusSanksi.Status.SELESAI
    kasus.save()
    return step


# --- keberatan (PP 30/2019 art. 59) ----------------------------------------------------------
MAKS_LAMPIRAN_KEBERATAN = 5

_TOLAK_KEBERATAN = {
    "ajukan": "Keberatan hanya dapat diajukan oleh pegawai yang dinilai atas evaluasinya sendiri.",
    "minta_penjelasan": "Hanya pejabat yang memutus keberatan ini yang dapat meminta penjelasan.",
    "jelaskan": "Penjelasan diberikan oleh pegawai atau pejabat penilai yang dimintai penjelasan.",
    "putuskan": "Hanya pejabat yang memutus keberatan ini yang dapat memutusnya; admin instansi "
    "hanya dapat melihat.",
}


def _waktu(t: dt.datetime) -> str:
    return rules.waktu_label(timezone.localtime(t), timezone.get_current_timezone_name())


def _label_evaluasi(ev: Evaluasi) -> str:
    return f"{jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan).label} {ev.periode.tahun}"


def _kabari(pegawai: Pegawai | None, jenis: str, pesan: str, tautan: str) -> None:
    """Tell one party of a keberatan, after commit (nobody is told of a rolled-back change)."""
    from kinerja.notifikasi import daftar_jenis, notifikasi_kirim

    daftar_jenis(jenis, rules.KEBERATAN_NOTIFIKASI[jenis])
    if pegawai is None or not pegawai.user_id:
        return
    user = pegawai.user
    transaction.on_commit(
        lambda: notifikasi_kirim(penerima=user, jenis=jenis, pesan=pesan, tautan=tautan)
    )


def _keberatan_require(user: Any, action: str, k: Keberatan) -> None:
    """The policy, with a message that says why: a decided keberatan is final."""
    if policy.can(user, action, k):
        return
    if not k.terbuka and policy.can(user, "view", k):
        raise PermissionDenied(
            f"Keberatan ini sudah diputus pada {_waktu(k.diputus_pada)}; keputusan tersebut "
            "final dan tidak dapat diubah."
        )
    raise PermissionDenied(_TOLAK_KEBERATAN[action])


def _keberatan_lock(k: Keberatan) -> Keberatan:
    return (
        Keberatan.objects.select_for_update(of=("self",))
        .select_related(
            "pegawai__instansi", "pemutus__user", "pejabat_penilai__user", "evaluasi__periode"
        )
        .get(pk=k.pk)
    )


def _pemutus_keberatan(ev: Evaluasi) -> tuple[Pegawai, str]:
    """Who decides: the atasan pejabat penilai as recorded on the evaluation (or, failing
    that, the pegawai's current one); where there is none, the instansi's designee. Never
    the pegawai or the penilai themself."""
    pihak = {ev.pegawai_id, ev.pejabat_penilai_id}
    atasan = ev.atasan_pejabat_penilai or ev.pegawai.atasan_pejabat_penilai
    if atasan is not None and atasan.pk not in pihak and atasan.status != Pegawai.Status.BERHENTI:
        return atasan, Keberatan.SumberPemutus.ATASAN
    instansi = ev.pegawai.instansi
    ditunjuk = instansi.pejabat_keberatan
    if (
        ditunjuk is not None
        and ditunjuk.pk not in pihak
        and ditunjuk.instansi_id == instansi.pk
        and ditunjuk.status != Pegawai.Status.BERHENTI
    ):
        return ditunjuk, Keberatan.SumberPemutus.DITUNJUK
    raise ValidationError(
        "Belum ada pejabat yang dapat memutus keberatan ini: pejabat penilai Anda tidak memiliki "
        "atasan dan instansi belum menunjuk pejabat penerima keberatan. Hubungi admin instansi."
    )


def _periksa_lampiran(berkas: Any):
    """The type of an attachment, judged by its content (dialog's upload rule)."""
    from django.conf import settings

    from dialog.rules import BYTES_DIPERIKSA, BerkasDitolak, periksa_berkas

    nama = getattr(berkas, "name", "") or ""
    berkas.seek(0)
    kepala = berkas.read(BYTES_DIPERIKSA)
    berkas.seek(0)
    try:
        return periksa_berkas(
            nama=nama,
            kepala=kepala,
            ukuran=getattr(berkas, "size", 0) or 0,
            batas=settings.KINERJA_UPLOAD_MAX_BYTES,
        )
    except BerkasDitolak as exc:
        raise ValidationError({"lampiran": [f"{nama}: {exc}"]}) from None


def _simpan_lampiran(k: Keberatan, berkas: Any, jenis: Any, user: Any) -> LampiranKeberatan:
    digest = hashlib.sha256()
    for chunk in berkas.chunks():
        digest.update(chunk)
    berkas.seek(0)
    nama = (getattr(berkas, "name", "") or "")[:255]
    obj = LampiranKeberatan(
        keberatan=k,
        nama_asli=nama,
        ekstensi=jenis.ekstensi,
        mime=jenis.mime,
        ukuran=berkas.size,
        sha256=digest.hexdigest(),
        diunggah_oleh=user,
    )
    obj.berkas.save("lampiran", berkas, save=False)
    try:
        obj.save()
    except Exception:
        obj.berkas.storage.delete(obj.berkas.name)
        raise
    return obj


def _evaluasi_tandai_keberatan(ev: Evaluasi, *, user: Any, alasan: str) -> Evaluasi:
    """The evaluation's document must now show the keberatan: a new row_version (history
    says why), the issued document superseded, and a new one rendered in the background."""
    ev.row_version += 1
    ev._change_reason = alasan[:100]
    ev.save(update_fields=["row_version", "diperbarui"])
    _dokumen_digantikan(ev)
    _evaluasi_pdf_baru(ev, user)
    return ev


def _evaluasi_pdf_baru(ev: Evaluasi, user: Any) -> None:
    jobs.enqueue(
        "evaluasi.pdf",
        kunci=f"evaluasi-pdf:{ev.pk}:v{ev.row_version}",
        user=user,
        evaluasi_id=ev.pk,
    )


@transaction.atomic
def keberatan_ajukan(
    *, user: Any, evaluasi: Evaluasi, alasan: str, lampiran: Any = ()
) -> Keberatan:
    """File a keberatan against one's own final evaluation, within 14 days of the moment it
    became final (PP 30/2019 art. 59). It goes to the atasan pejabat penilai, or to the
    instansi's designee where there is none. One open keberatan per evaluation, and a decided
    one is final. Attachments are checked by their content; nothing is kept if refused."""
    ev = _lock(evaluasi)  # two filings of the same evaluation wait for each other
    _require(user, "ajukan", Keberatan(evaluasi=ev, pegawai_id=ev.pegawai_id))
    if not ev.is_final or ev.finalisasi_pada is None:
        raise ValidationError("Keberatan hanya dapat diajukan atas evaluasi yang sudah final.")
    sekarang = timezone.now()
    if not rules.keberatan_masih_dibuka(ev.finalisasi_pada, sekarang):
        batas = rules.batas_keberatan(ev.finalisasi_pada)
        raise ValidationError(f"Batas waktu keberatan berakhir pada {_waktu(batas)}.")
    for lama in ev.keberatan_set.all():
        if lama.terbuka:
            raise ValidationError(
                "Keberatan atas evaluasi ini masih diproses; tunggu keputusan atasan."
            )
        if lama.finalisasi_pada == ev.finalisasi_pada:
            raise ValidationError(
                f"Keberatan atas evaluasi ini telah diputus pada {_waktu(lama.diputus_pada)}; "
                "keputusan tersebut final."
            )
    alasan = (alasan or "").strip()
    if not alasan:
        raise ValidationError({"alasan": ["Tuliskan alasan keberatan Anda."]})
    berkas = [b for b in (lampiran or []) if b]
    if len(berkas) > MAKS_LAMPIRAN_KEBERATAN:
        raise ValidationError(
            {"lampiran": [f"Paling banyak {MAKS_LAMPIRAN_KEBERATAN} lampiran per keberatan."]}
        )
    diperiksa = [(b, _periksa_lampiran(b)) for b in berkas]
    pemutus, sumber = _pemutus_keberatan(ev)
    from kinerja.models import PengaturanPengingat

    hari = (
        PengaturanPengingat.objects.filter(instansi_id=ev.pegawai.instansi_id)
        .values_list("hari_putus_keberatan", flat=True)
        .first()
    ) or rules.BATAS_PUTUSAN_HARI
    k = Keberatan.objects.create(
        evaluasi=ev,
        pegawai_id=ev.pegawai_id,
        pejabat_penilai_id=ev.pejabat_penilai_id,
        pemutus=pemutus,
        sumber_pemutus=sumber,
        alasan=alasan,
        finalisasi_pada=ev.finalisasi_pada,
        rating_hasil_kerja_semula=ev.rating_hasil_kerja,
        rating_perilaku_kerja_semula=ev.rating_perilaku_kerja,
        predikat_semula=ev.predikat,
        diajukan=sekarang,
        batas_putusan=rules.batas_putusan(sekarang, hari),
    )
    tersimpan: list[LampiranKeberatan] = []
    try:
        for b, jenis in diperiksa:
            tersimpan.append(_simpan_lampiran(k, b, jenis, user))
    except Exception:
        for obj in tersimpan:
            obj.berkas.storage.delete(obj.berkas.name)
        raise
    _evaluasi_tandai_keberatan(ev, user=user, alasan="Keberatan diajukan")
    tautan = reverse("evaluasi:keberatan_detail", args=[k.pk])
    label = _label_evaluasi(ev)
    _kabari(
        pemutus,
        "keberatan_diajukan",
        f"{ev.pegawai.nama} mengajukan keberatan atas evaluasi kinerja {label}; putuskan "
        f"paling lambat {_waktu(k.batas_putusan)}.",
        tautan,
    )
    _kabari(
        ev.pejabat_penilai,
        "keberatan_diajukan",
        f"{ev.pegawai.nama} mengajukan keberatan atas evaluasi kinerja {label} yang Anda nilai; "
        f"keberatan diperiksa oleh {pemutus.nama}.",
        tautan,
    )
    return k


@transaction.atomic
def keberatan_minta_penjelasan(
    *, user: Any, keberatan: Keberatan, kepada: Any, pertanyaan: str
) -> list[PenjelasanKeberatan]:
    """The pemutus asks the pejabat penilai and/or the pegawai for an explanation (one request
    per addressee). The first request puts the keberatan under examination."""
    k = _keberatan_lock(keberatan)
    _keberatan_require(user, "minta_penjelasan", k)
    Peran = PenjelasanKeberatan.Peran
    if isinstance(kepada, str):
        kepada = [kepada]
    tujuan = list(dict.fromkeys(kepada or []))
    errors: dict[str, list[str]] = {}
    if not tujuan or any(t not in (Peran.PEJABAT_PENILAI, Peran.PEGAWAI) for t in tujuan):
        errors["kepada"] = [
            "Pilih kepada siapa penjelasan diminta: pejabat penilai, pegawai, atau keduanya."
        ]
    elif Peran.PEJABAT_PENILAI in tujuan and k.pejabat_penilai_id is None:
        errors["kepada"] = ["Evaluasi ini tidak mencatat pejabat penilai."]
    pertanyaan = (pertanyaan or "").strip()
    if not pertanyaan:
        errors["pertanyaan"] = ["Tuliskan penjelasan apa yang Anda minta."]
    if errors:
        raise ValidationError(errors)
    rows = [
        PenjelasanKeberatan.objects.create(
            keberatan=k,
            jenis=PenjelasanKeberatan.Jenis.PERMINTAAN,
            peran=Peran.PEMUTUS,
            kepada=t,
            penulis_id=k.pemutus_id,
            isi=pertanyaan,
        )
        for t in tujuan
    ]
    if k.status == Keberatan.Status.DIAJUKAN:
        k.status = Keberatan.Status.DIPERIKSA
    k.row_version += 1
    k.save()
    tautan = reverse("evaluasi:keberatan_detail", args=[k.pk])
    nama = k.pemutus.nama if k.pemutus_id else "Pemutus keberatan"
    for t in tujuan:
        penerima = k.pegawai if t == Peran.PEGAWAI else k.pejabat_penilai
        _kabari(
            penerima,
            "keberatan_penjelasan_diminta",
            f"{nama} meminta penjelasan Anda atas keberatan {k.pegawai.nama}: {pertanyaan[:200]}",
            tautan,
        )
    return rows


@transaction.atomic
def keberatan_jelaskan(
    *, user: Any, keberatan: Keberatan, isi: str, permintaan: Any = None
) -> PenjelasanKeberatan:
    """A party answers a request addressed to them (the pejabat penilai or the pegawai, each
    only their own); by default the oldest request still unanswered."""
    from kinerja.policy.evaluasi import peran_keberatan

    k = _keberatan_lock(keberatan)
    _keberatan_require(user, "jelaskan", k)
    a = policy.actor(user)
    Peran = PenjelasanKeberatan.Peran
    peran = [p for p in (Peran.PEGAWAI, Peran.PEJABAT_PENILAI) if p in peran_keberatan(a, k)]
    terbuka = PenjelasanKeberatan.objects.filter(
        keberatan=k,
        jenis=PenjelasanKeberatan.Jenis.PERMINTAAN,
        kepada__in=peran,
        jawaban_set__isnull=True,
    ).order_by("dibuat", "id")
    if permintaan not in (None, ""):
        pid = getattr(permintaan, "pk", permintaan)
        target = terbuka.filter(pk=pid).first() if str(pid).isdigit() else None
        if target is None:
            raise ValidationError(
                {
                    "permintaan": [
                        "Permintaan penjelasan ini tidak ditujukan kepada Anda atau sudah dijawab."
                    ]
                }
            )
    else:
        target = terbuka.first()
        if target is None:
            raise ValidationError(
                "Belum ada permintaan penjelasan yang ditujukan kepada Anda untuk keberatan ini."
            )
    isi = (isi or "").strip()
    if not isi:
        raise ValidationError({"isi": ["Tuliskan penjelasan Anda."]})
    row = PenjelasanKeberatan.objects.create(
        keberatan=k,
        jenis=PenjelasanKeberatan.Jenis.JAWABAN,
        peran=target.kepada,
        permintaan=target,
        penulis_id=a.pegawai_id,
        isi=isi,
    )
    # A new explanation changes what the pemutus decides on (a decision sent on an older
    # version of the thread is refused as stale).
    k.row_version += 1
    k.save(update_fields=["row_version", "diperbarui"])
    siapa = k.pegawai.nama if target.kepada == Peran.PEGAWAI else "Pejabat penilai"
    _kabari(
        k.pemutus,
        "keberatan_penjelasan_diberikan",
        f"{siapa} memberikan penjelasan atas keberatan {k.pegawai.nama}.",
        reverse("evaluasi:keberatan_detail", args=[k.pk]),
    )
    return row


@transaction.atomic
def keberatan_putuskan(
    *,
    user: Any,
    keberatan: Keberatan,
    keputusan: str,
    alasan_keputusan: str,
    rating_hasil_kerja: str = "",
    rating_perilaku_kerja: str = "",
    row_version: int | None = None,
) -> Keberatan:
    """The pemutus's final decision. `tetap` keeps the result; `diubah` replaces the two
    ratings through evaluasi_ganti_hasil (the predikat follows from the quadrant, the history
    keeps both results, the issued document is superseded). Nothing can be done afterwards."""
    k = _keberatan_lock(keberatan)
    _keberatan_require(user, "putuskan", k)
    _cek_versi(k, row_version)
    errors: dict[str, list[str]] = {}
    if keputusan not in (rules.TETAP, rules.DIUBAH):
        errors["keputusan"] = ["Pilih keputusan: hasil evaluasi tetap, atau diubah."]
    alasan = (alasan_keputusan or "").strip()
    if not alasan:
        errors["alasan_keputusan"] = ["Tuliskan alasan keputusan."]
    ev = _lock(k.evaluasi)
    h = (rating_hasil_kerja or "").strip()
    p = (rating_perilaku_kerja or "").strip()
    if keputusan == rules.DIUBAH:
        for field, value in (("rating_hasil_kerja", h), ("rating_perilaku_kerja", p)):
            if value not in rules.RATING:
                errors[field] = ["Pilih rating baru: Di Atas, Sesuai, atau Di Bawah Ekspektasi."]
        if (
            "rating_hasil_kerja" not in errors
            and "rating_perilaku_kerja" not in errors
            and (h, p) == (ev.rating_hasil_kerja, ev.rating_perilaku_kerja)
        ):
            errors["rating_hasil_kerja"] = [
                "Rating baru sama dengan hasil semula; bila hasil tidak berubah, pilih "
                "keputusan tetap."
            ]
    if errors:
        raise ValidationError(errors)
    if not ev.is_final:
        raise ValidationError(
            "Evaluasi ini tidak lagi final (dibuka kembali oleh admin); keberatan tidak dapat "
            "diputus."
        )
    if keputusan == rules.DIUBAH:
        ev = evaluasi_ganti_hasil(
            evaluasi=ev,
            rating_hasil_kerja=h,
            rating_perilaku_kerja=p,
            alasan=alasan,
            oleh=user,
        )
        _evaluasi_pdf_baru(ev, user)
        k.rating_hasil_kerja_baru = ev.rating_hasil_kerja
        k.rating_perilaku_kerja_baru = ev.rating_perilaku_kerja
        k.predikat_baru = ev.predikat
    else:
        _evaluasi_tandai_keberatan(ev, user=user, alasan="Keberatan diputus: hasil tetap")
    k.status = Keberatan.Status.DIPUTUS
    k.keputusan = keputusan
    k.alasan_keputusan = alasan
    k.diputus_pada = timezone.now()
    k.diputus_oleh = user
    k.row_version += 1
    k.save()
    tautan = reverse("evaluasi:keberatan_detail", args=[k.pk])
    label = _label_evaluasi(ev)
    if keputusan == rules.DIUBAH:
        hasil = f"hasil evaluasi diubah menjadi {rules.PREDIKAT_LABEL[ev.predikat]}"
    else:
        hasil = f"hasil evaluasi tetap ({rules.PREDIKAT_LABEL.get(ev.predikat, '-')})"
    _kabari(
        k.pegawai,
        "keberatan_diputus",
        f"Keberatan Anda atas evaluasi kinerja {label} telah diputus: {hasil}.",
        tautan,
    )
    _kabari(
        k.pejabat_penilai,
        "keberatan_diputus",
        f"Keberatan {k.pegawai.nama} atas evaluasi kinerja {label} telah diputus: {hasil}.",
        tautan,
    )
    return k
