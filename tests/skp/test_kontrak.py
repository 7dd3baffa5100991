from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from skp import selectors, services
from skp.models import SKP, RencanaHasilKerja


def _isi(skp, user):
    return services.rhk_tambah(
        skp=skp,
        user=user,
        jenis="utama",
        rencana="Usulan kenaikan pangkat disusun akurat",
        indikator=[
            {"aspek": "kualitas", "indikator": "Persentase usulan BTL", "target": "90 – 95 %"}
        ],
    )


def test_siklus_draft_diajukan_disetujui_versi_baru(org):
    peg = org.pegawai
    skp = services.skp_buat(pegawai=peg, periode=org.periode_a, user=peg.user)
    assert skp.perilaku_set.count() == 7
    assert skp.pejabat_penilai_id == org.kasubbid.pk
    rhk = _isi(skp, peg.user)
    services.skp_ajukan(skp=skp, user=peg.user)
    services.skp_setujui(skp=skp, user=org.kasubbid.user)
    assert selectors.skp_disetujui(pegawai=peg, periode=org.periode_a).pk == skp.pk
    baru = services.skp_versi_baru(skp=skp, user=org.kasubbid.user, alasan="penugasan")
    assert baru.versi == 2 and baru.status == SKP.Status.DRAFT and baru.terkini
    assert list(baru.rencana_set.values_list("kunci", flat=True)) == [rhk.kunci]
    services.rhk_tambah(
        skp=baru,
        user=org.kasubbid.user,
        jenis="tambahan",
        rencana="Data lintas instansi",
        sumber="penugasan",
        pemberi_tugas=org.kadis,
        indikator=[{"aspek": "kuantitas", "indikator": "Dataset", "target": "1 dataset"}],
    )
    assert selectors.skp_terkini(pegawai=peg, periode=org.periode_a).pk == baru.pk
    assert selectors.skp_disetujui(pegawai=peg, periode=org.periode_a).pk == skp.pk
    with pytest.raises(PermissionDenied):
        services.rhk_tambah(skp=baru, user=org.kasubbid.user, jenis="utama", rencana="x")
    with pytest.raises(ValidationError):
        services.rhk_tambah(skp=skp, user=peg.user, jenis="utama", rencana="x")
    assert RencanaHasilKerja.objects.filter(skp=skp).count() == 1
