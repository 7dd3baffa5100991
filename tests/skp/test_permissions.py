"""The permission matrix: (persona, method, url, expected status) on one SKP of each state."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.skp.factories import skp_diajukan, skp_draft

VIEWERS = {
    # persona: status for reading the pegawai's SKP
    "pegawai": 200,
    "kasubbid": 200,  # pejabat penilai
    "kabid": 200,  # atasan pejabat penilai
    "fungsional": 200,  # ketua of her TimKerja (cascades work to her)
    "admin_a": 200,  # admin BKD of her instansi, read only
    "superuser": 200,
    "rekan": 404,  # colleague
    "kadis": 404,  # official of another unit
    "staf_dinas": 404,
    "kepala_bkd": 404,  # two levels up: neither penilai nor atasan penilai
    "admin_b": 404,  # admin of another instansi
    "pegawai_b": 404,
}


@pytest.mark.parametrize("persona,expected", VIEWERS.items())
def test_reading_the_pegawais_skp(org, client_as, persona, expected):
    skp = skp_draft(org)
    c = client_as(org.user(persona))
    for url in (
        reverse("skp:detail", args=[skp.pk]),
        reverse("skp:versi", args=[skp.pk]),
        f"/api/v1/skp/{skp.pk}/",
    ):
        assert c.get(url).status_code == expected, url


def test_a_subordinate_cannot_read_the_penilais_skp(org, client_as):
    skp = skp_draft(org, "kasubbid")
    c = client_as(org.pegawai.user)
    assert c.get(reverse("skp:detail", args=[skp.pk])).status_code == 404
    assert c.get(f"/api/v1/skp/{skp.pk}/").status_code == 404


SUBMIT = {
    "pegawai": 302,
    "kasubbid": 403,
    "kabid": 403,
    "admin_a": 403,
    "rekan": 404,
    "admin_b": 404,
}


@pytest.mark.parametrize("persona,expected", SUBMIT.items())
def test_submitting(org, client_as, persona, expected):
    skp = skp_draft(org)
    r = client_as(org.user(persona)).post(reverse("skp:ajukan", args=[skp.pk]))
    assert r.status_code == expected
    skp.refresh_from_db()
    assert (skp.status == "diajukan") is (expected == 302)


APPROVE = {
    "kasubbid": 302,
    "pegawai": 403,
    "kabid": 403,
    "fungsional": 403,
    "admin_a": 403,
    "rekan": 404,
    "admin_b": 404,
}


@pytest.mark.parametrize("persona,expected", APPROVE.items())
def test_approving(org, client_as, persona, expected):
    skp = skp_diajukan(org)
    r = client_as(org.user(persona)).post(reverse("skp:setujui", args=[skp.pk]))
    assert r.status_code == expected
    skp.refresh_from_db()
    assert (skp.status == "disetujui") is (expected == 302)


API_APPROVE = {"kasubbid": 200, "pegawai": 403, "kabid": 403, "rekan": 404, "admin_b": 404}


@pytest.mark.parametrize("persona,expected", API_APPROVE.items())
def test_approving_through_the_api(org, client_as, persona, expected):
    skp = skp_diajukan(org)
    r = client_as(org.user(persona)).post(
        f"/api/v1/skp/{skp.pk}/setujui/", {}, content_type="application/json"
    )
    assert r.status_code == expected


EDIT_ROW = {"pegawai": 200, "kasubbid": 403, "kabid": 403, "admin_a": 403, "rekan": 404}


@pytest.mark.parametrize("persona,expected", EDIT_ROW.items())
def test_editing_rows_of_a_draft(org, client_as, persona, expected):
    skp = skp_draft(org)
    r = client_as(org.user(persona)).get(
        reverse("skp:rhk_tambah", args=[skp.pk]), HTTP_HX_REQUEST="true"
    )
    assert r.status_code == expected


def test_lists_never_show_foreign_skps(org, client_as):
    skp = skp_draft(org)
    for persona, sees in [
        ("rekan", False),
        ("admin_b", False),
        ("kasubbid", True),
        ("admin_a", True),
    ]:
        ids = [s["id"] for s in client_as(org.user(persona)).get("/api/v1/skp/").json()["results"]]
        assert (skp.pk in ids) is sees, persona
    html = client_as(org.rekan.user).get(reverse("skp:index")).content.decode()
    assert org.pegawai.nama not in html


@pytest.mark.parametrize(
    "persona,expected", {"kasubbid": 403, "kabid": 403, "admin_a": 403, "rekan": 404}.items()
)
def test_tugas_belajar_form_is_refused_before_it_is_validated(org, client_as, persona, expected):
    skp = skp_draft(org)  # not a tugas belajar SKP: the penilai has nothing to set here
    r = client_as(org.user(persona)).post(reverse("skp:tugas_belajar", args=[skp.pk]), {})
    assert r.status_code == expected


def test_matrix_writes_by_readers_are_403(org, client_as):
    from skp import services

    m = services.matriks_buat(pemimpin=org.kabid, periode=org.periode_a, user=org.kabid.user)
    c = client_as(org.kepala_bkd.user)  # the leader's own penilai may read the matrix
    assert c.get(reverse("skp:matriks", args=[m.pk])).status_code == 200
    for name in ("skp:matriks_baris", "skp:matriks_terapkan", "skp:matriks_kolom"):
        assert c.post(reverse(name, args=[m.pk]), {}).status_code == 403, name
    sel = {"anggota": org.kasubbid.pk, "kolom": "00000000-0000-0000-0000-000000000001", "na": "1"}
    assert c.post(reverse("skp:matriks_na", args=[m.pk]), sel).status_code == 403
    rekan = client_as(org.rekan.user)
    assert rekan.post(reverse("skp:matriks_na", args=[m.pk]), sel).status_code == 404
