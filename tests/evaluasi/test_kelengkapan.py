"""The completeness report the BKD admin chases before the year-end close."""

from __future__ import annotations

import re

from evaluasi import selectors
from tests.evaluasi.conftest import final, ko, skp_disetujui


def test_each_gap_lands_in_its_own_list_and_nothing_crosses_instansi(org, client_as):
    final(org, "pegawai")  # approved SKP and a final annual evaluation: complete
    skp_disetujui(org.rekan, org.periode_a)  # approved SKP, no evaluation
    ko(org, org.unit_bidang, "baik")  # the bidang has its kinerja organisasi

    lengkap = selectors.kelengkapan(org.periode_a)
    tanpa_skp = {p.pk for p in lengkap["tanpa_skp"]}
    tanpa_ev = {p.pk for p in lengkap["tanpa_evaluasi"]}
    unit_tanpa_ko = {u.pk for u in lengkap["unit_tanpa_ko"]}

    assert org.pegawai.pk not in tanpa_skp | tanpa_ev
    assert org.rekan.pk not in tanpa_skp and org.rekan.pk in tanpa_ev
    assert org.fungsional.pk in tanpa_skp and org.fungsional.pk in tanpa_ev
    assert org.unit_bidang.pk not in unit_tanpa_ko and org.unit_dinas.pk in unit_tanpa_ko
    # Another instansi's people and a pejabat negara (the governor, rated by nobody here) are
    # not the BKD's gaps.
    assert org.pegawai_b.pk not in tanpa_skp | tanpa_ev
    assert org.gubernur.pk not in tanpa_skp | tanpa_ev
    assert lengkap["jumlah_pegawai"] >= len(tanpa_skp)

    html = client_as(org.admin_a).get(f"/evaluasi/tutup-tahun/?tahun={org.periode_a.tahun}")
    assert html.status_code == 200
    page = html.content.decode()

    def section(title: str) -> str:
        m = re.search(re.escape(title) + r".*?</ul>", page, re.S)
        assert m, title
        return m.group(0)

    belum_skp = section("Belum memiliki SKP disetujui")
    belum_ev = section("Belum memiliki evaluasi akhir yang final")
    unit = section("Unit tanpa kinerja organisasi akhir tahun")
    assert org.fungsional.nama in belum_skp and org.rekan.nama not in belum_skp
    assert org.rekan.nama in belum_ev and org.pegawai.nama not in belum_ev
    assert org.unit_dinas.nama in unit and f"<li>{org.unit_bidang.nama}</li>" not in unit
    assert org.pegawai_b.nama not in page


def test_a_year_counts_who_belonged_to_the_instansi_that_year(org):
    import datetime as dt

    from kinerja.models import MasaPenilai, RiwayatJabatan

    tahun = org.periode_a.tahun
    # The rekan joined next year: not one of this year's gaps. The fungsional held a position
    # this year (by RiwayatJabatan alone) and stays one.
    MasaPenilai.objects.filter(pegawai=org.rekan).update(mulai=dt.date(tahun + 1, 2, 1))
    MasaPenilai.objects.filter(pegawai=org.fungsional).delete()
    RiwayatJabatan.objects.filter(pegawai=org.fungsional).delete()
    RiwayatJabatan.objects.create(
        pegawai=org.fungsional,
        jabatan=org.fungsional.jabatan,
        mulai=dt.date(tahun - 3, 1, 1),
        selesai=dt.date(tahun, 3, 31),
    )
    lengkap = selectors.kelengkapan(org.periode_a)
    semua = {p.pk for p in lengkap["tanpa_skp"]} | {p.pk for p in lengkap["tanpa_evaluasi"]}
    assert org.rekan.pk not in semua
    assert org.fungsional.pk in semua
    # Who left before the year began is not counted either.
    RiwayatJabatan.objects.filter(pegawai=org.fungsional).update(selesai=dt.date(tahun - 1, 12, 31))
    lengkap = selectors.kelengkapan(org.periode_a)
    assert org.fungsional.pk not in {p.pk for p in lengkap["tanpa_evaluasi"]}


def test_a_final_evaluation_is_not_chased_for_its_skp(org):
    from skp.models import SKP

    final(org, "pegawai")
    SKP.objects.filter(pegawai=org.pegawai, periode=org.periode_a).update(status="draft")
    lengkap = selectors.kelengkapan(org.periode_a)
    assert org.pegawai.pk not in {p.pk for p in lengkap["tanpa_skp"]}
    assert org.pegawai.pk not in {p.pk for p in lengkap["tanpa_evaluasi"]}
