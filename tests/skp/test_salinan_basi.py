"""Two SKP forms that had no row version: the leader's BerAKHLAK expectations and the tugas
belajar study data. A save from a copy older than what is saved is refused, changes nothing,
and gives back what was typed (a second tab, a colleague)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kinerja.models import Pegawai
from skp import rules, services
from tests.skp.factories import skp_diajukan

pytestmark = pytest.mark.django_db


def _versi(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, name
    return m.group(1)


def test_expectations_from_an_older_copy_are_refused_and_given_back(org, client_as):
    skp = skp_diajukan(org)
    url = reverse("skp:detail", args=[skp.pk])
    tab_a, tab_b = client_as(org.kasubbid.user), client_as(org.kasubbid.user)
    lama = _versi(tab_a.get(url).content.decode(), "perilaku_versi")
    assert lama == _versi(tab_b.get(url).content.decode(), "perilaku_versi")
    r = tab_b.post(
        reverse("skp:perilaku", args=[skp.pk]),
        {"ekspektasi-kolaboratif": "Dari tab B", "perilaku_versi": lama},
    )
    assert r.status_code == 302
    r = tab_a.post(
        reverse("skp:perilaku", args=[skp.pk]),
        {"ekspektasi-kolaboratif": "Dari tab A <rapi>", "perilaku_versi": lama},
        follow=True,
    )
    html = r.content.decode()
    assert skp.perilaku_set.get(nilai="kolaboratif").ekspektasi_khusus == "Dari tab B"
    assert "diubah" in html  # kinerja.versi.PESAN_BASI
    assert "Yang Anda tulis belum tersimpan: Kolaboratif: Dari tab A &lt;rapi&gt;" in html
    # The page now carries the new fingerprint: saving from it goes through.
    baru = _versi(html, "perilaku_versi")
    assert baru != lama
    tab_a.post(
        reverse("skp:perilaku", args=[skp.pk]),
        {"ekspektasi-kolaboratif": "Dari tab A", "perilaku_versi": baru},
    )
    assert skp.perilaku_set.get(nilai="kolaboratif").ekspektasi_khusus == "Dari tab A"


def test_the_fingerprint_is_the_saved_texts():
    assert rules.sidik_perilaku({}) == rules.sidik_perilaku({"adaptif": ""})
    assert rules.sidik_perilaku({"a": "x", "b": "y"}) == rules.sidik_perilaku({"b": "y", "a": "x"})
    assert rules.sidik_perilaku({"a": "x"}) != rules.sidik_perilaku({"a": "x "})
    assert rules.sidik_perilaku({"a": "xb"}) != rules.sidik_perilaku({"ax": "b"})


def test_study_data_from_an_older_copy_is_refused_and_kept_in_the_form(org, client_as):
    Pegawai.objects.filter(pk=org.rekan.pk).update(status="tugas_belajar")
    org.rekan.refresh_from_db()
    skp = services.skp_buat(pegawai=org.rekan, periode=org.periode_a, user=org.rekan.user)
    c = client_as(org.rekan.user)
    lama = _versi(c.get(reverse("skp:detail", args=[skp.pk])).content.decode(), "row_version")
    isi = {
        "perguruan_tinggi": "Universitas Nusa Cendana",
        "program_studi": "Manajemen",
        "jenjang": "s1",
        "lokasi": "dalam_negeri",
        "akreditasi_univ": "B",
        "akreditasi_prodi": "B",
    }
    r = c.post(reverse("skp:tugas_belajar", args=[skp.pk]), {**isi, "row_version": lama})
    assert r.status_code == 302
    r = c.post(
        reverse("skp:tugas_belajar", args=[skp.pk]),
        {**isi, "perguruan_tinggi": "Universitas Timor", "row_version": lama},
    )
    html = r.content.decode()
    assert r.status_code == 400 and "diubah" in html
    assert "Universitas Timor" in html  # what was typed stays in the form
    skp.refresh_from_db()
    assert skp.tb_perguruan_tinggi == "Universitas Nusa Cendana"
