"""The tugas belajar study form refused for an older copy (seen in Chromium, round thirteen):
the page says what is saved now and that what was typed is still in the form; the form is drawn
with the SKP's current version, so saving it again replaces what is saved (reloading the page
would post the old copy again)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kinerja.models import Pegawai
from skp import services
from skp.models import SKP, RencanaHasilKerja

pytestmark = pytest.mark.django_db

STUDI = {
    "perguruan_tinggi": "Universitas Nusa Cendana",
    "program_studi": "Magister Administrasi Publik",
    "jenjang": "profesi_s2_s3",
    "lokasi": "dalam_negeri",
    "akreditasi_univ": "B",
    "akreditasi_prodi": "B",
}


def _versi(html: str) -> str:
    m = re.search(r'id="tugas-belajar".*?name="row_version" value="([^"]*)"', html, re.S)
    assert m
    return m.group(1)


@pytest.fixture
def skp_tb(org):
    Pegawai.objects.filter(pk=org.rekan.pk).update(status=Pegawai.Status.TUGAS_BELAJAR)
    org.rekan.refresh_from_db()
    return services.skp_buat(pegawai=org.rekan, periode=org.periode_a, user=org.rekan.user)


def test_the_refusal_tells_what_is_saved_and_a_second_save_replaces_it(org, client_as, skp_tb):
    url = reverse("skp:tugas_belajar", args=[skp_tb.pk])
    pegawai = client_as(org.rekan.user)
    lama = _versi(pegawai.get(reverse("skp:detail", args=[skp_tb.pk])).content.decode())
    # The penilai saves first (from their own page).
    services.skp_tugas_belajar_atur(
        skp=SKP(pk=skp_tb.pk), user=org.kasubbid.user, row_version=int(lama), **STUDI
    )
    ketik = {**STUDI, "perguruan_tinggi": "Universitas Timor", "program_studi": "Ilmu Hukum"}
    r = pegawai.post(url, {**ketik, "row_version": lama})
    html = r.content.decode()
    assert r.status_code == 400
    assert "sudah diubah sejak Anda membukanya" in html and "belum disimpan" in html
    assert (
        "Data tugas belajar yang tersimpan sekarang: Universitas Nusa Cendana; Magister "
        "Administrasi Publik; jenjang profesi/S2/S3; dalam negeri; akreditasi B/B." in html
    )
    assert 'value="Universitas Timor"' in html and 'value="Ilmu Hukum"' in html
    skp = SKP.objects.get(pk=skp_tb.pk)
    assert skp.tb_perguruan_tinggi == "Universitas Nusa Cendana"
    baru = _versi(html)
    assert baru == str(skp.row_version) != lama
    # Saved again from the refused page, on purpose: it replaces what is saved.
    r = pegawai.post(url, {**ketik, "row_version": baru})
    assert r.status_code == 302
    skp.refresh_from_db()
    assert (skp.tb_perguruan_tinggi, skp.tb_program_studi) == ("Universitas Timor", "Ilmu Hukum")


def test_the_refusal_before_any_study_was_saved_says_so(org, skp_tb):
    from django.core.exceptions import ValidationError

    lama = SKP.objects.get(pk=skp_tb.pk).row_version
    services.skp_ubah(skp=SKP.objects.get(pk=skp_tb.pk), user=org.rekan.user, konsekuensi="x")
    with pytest.raises(ValidationError) as e:
        services.skp_tugas_belajar_atur(
            skp=SKP(pk=skp_tb.pk), user=org.rekan.user, row_version=lama, **STUDI
        )
    assert "yang tersimpan sekarang: belum diisi." in e.value.message_dict["row_version"][0]


@pytest.mark.parametrize(
    ("prodi", "jenjang", "teks"),
    [
        ("Magister Administrasi Publik", "profesi_s2_s3", "Magister Administrasi Publik "
         "(jenjang profesi/S2/S3)"),
        ("Manajemen", "s1", "Manajemen (jenjang S1)"),
        ("", "s1", "jenjang S1"),
    ],
)  # fmt: skip
def test_the_academic_row_names_the_study_in_a_sentence(org, skp_tb, prodi, jenjang, teks):
    services.skp_tugas_belajar_atur(
        skp=SKP(pk=skp_tb.pk),
        user=org.rekan.user,
        **{**STUDI, "program_studi": prodi, "jenjang": jenjang},
    )
    row = RencanaHasilKerja.objects.get(skp_id=skp_tb.pk, sumber="tugas_belajar")
    assert row.rencana == (
        f"Menyelesaikan pendidikan {teks} di Universitas Nusa Cendana dengan hasil akademik "
        "sesuai ekspektasi"
    )
