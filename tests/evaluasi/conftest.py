"""Builders for evaluation tests, on top of the persona organisation (tests/personas.py)."""

from __future__ import annotations

import pytest

from evaluasi import services
from evaluasi.models import Evaluasi, KinerjaOrganisasi


def skp_disetujui(pegawai, periode, n_rhk=2, tambahan=0, versi=None):
    """An approved SKP written straight to the tables (the SKP workflow is tested in tests/skp).

    It becomes the pegawai's latest version for the year (earlier ones stay, not current)."""
    from django.db.models import Max

    from skp.models import SKP, EkspektasiPerilaku, Indikator, RencanaHasilKerja
    from skp.rules import BERAKHLAK_KODE

    lama = SKP.objects.filter(pegawai=pegawai, periode=periode)
    if versi is None:
        versi = (lama.aggregate(m=Max("versi"))["m"] or 0) + 1
    lama.update(terkini=False)
    skp = SKP.objects.create(
        pegawai=pegawai,
        periode=periode,
        status=SKP.Status.DISETUJUI,
        versi=versi,
        pejabat_penilai=pegawai.pejabat_penilai,
        atasan_pejabat_penilai=pegawai.atasan_pejabat_penilai,
    )
    for i in range(n_rhk + tambahan):
        r = RencanaHasilKerja.objects.create(
            skp=skp,
            jenis="utama" if i < n_rhk else "tambahan",
            urutan=i,
            rencana=f"Rencana hasil kerja {i + 1} {pegawai.nama}",
        )
        Indikator.objects.create(
            rencana=r, aspek="kualitas", indikator="Ketepatan", target="90 – 95 %"
        )
    for k in BERAKHLAK_KODE:
        EkspektasiPerilaku.objects.create(skp=skp, nilai=k, ekspektasi_khusus="")
    return skp


def ko(org, unit, predikat, jenis="tahunan", urutan=None):
    return KinerjaOrganisasi.objects.create(
        unit_kerja=unit, periode=org.periode_a, jenis=jenis, urutan=urutan, predikat=predikat
    )


def evaluasi_draft(org, who="pegawai", jenis="tahunan", urutan=None, skp=True) -> Evaluasi:
    peg = getattr(org, who)
    if skp:
        skp_disetujui(peg, org.periode_a)
    return services.evaluasi_mulai(
        user=peg.pejabat_penilai.user,
        pegawai=peg,
        periode=org.periode_a,
        jenis=jenis,
        urutan=urutan,
    )


def nilai(ev, hasil, perilaku, **kw) -> Evaluasi:
    return services.evaluasi_simpan(
        user=ev.pegawai.pejabat_penilai.user,
        evaluasi=ev,
        row_version=ev.row_version,
        rating_hasil_kerja=hasil,
        rating_perilaku_kerja=perilaku,
        **kw,
    )


def final(org, who="pegawai", hasil="sesuai_ekspektasi", perilaku="sesuai_ekspektasi", **kw):
    ev = nilai(evaluasi_draft(org, who, **kw), hasil, perilaku)
    return services.evaluasi_finalisasi(user=ev.pegawai.pejabat_penilai.user, evaluasi=ev)


@pytest.fixture
def ev(org):
    return evaluasi_draft(org)
