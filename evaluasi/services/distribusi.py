"""Kinerja Organisasi of a unit, and the distribution of predikat against the guidance (warnings and justifications)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluasi import jendela, rules
from evaluasi.models import (
    Evaluasi,
    JustifikasiDistribusi,
    KinerjaOrganisasi,
    PredikatOrganisasi,
)
from evaluasi.services._common import _periode_terbuka, _require
from kinerja.models import Pegawai, Periode, UnitKerja
from kinerja.riwayat import layanan
from kinerja.versi import cek_versi


# --- kinerja organisasi ----------------------------------------------------------------------
@layanan
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
    w = jendela.cek_baru(periode, jenis, urutan)
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
        cek_versi(ko, row_version)
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
    in the evaluation's window, judged by the guidance of the unit the team page judges the team
    by (`selectors.unit_tim`), whichever member is being finalised."""
    from evaluasi.selectors import unit_tim

    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
    ko = kinerja_organisasi_untuk(unit_tim(ev.pejabat_penilai_id, ev.periode, w), ev.periode, w)
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


# --- distribution justification (distribution page) ----------------------------------------
@layanan
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
    w = jendela.cek_baru(periode, jenis, urutan)
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
