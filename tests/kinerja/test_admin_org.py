"""Django admin of the organisation: scoped to the admin's instansi, saves through the services."""

from __future__ import annotations

import pytest

from kinerja.models import Pegawai, UnitKerja


@pytest.fixture
def staff(org):
    for u in (org.admin_a, org.admin_b):
        u.is_staff = True
        u.save(update_fields=["is_staff"])
    return org


def form_data(resp, **changes) -> dict:
    form = resp.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "pk"):
            value = value.pk
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    data.update(changes)
    return data


@pytest.mark.django_db
def test_admin_bkd_lists_and_searches_only_their_instansi(staff, client_as):
    org = staff
    c = client_as(org.admin_a)
    html = c.get("/admin/kinerja/pegawai/").content.decode()
    assert org.pegawai.nama in html and org.pegawai_b.nama not in html
    html = c.get(f"/admin/kinerja/pegawai/?q={org.rekan.nip}").content.decode()
    assert org.rekan.nama in html and org.pegawai.nama not in html
    html = c.get("/admin/kinerja/pegawai/?q=tallo").content.decode()
    assert org.rekan.nama in html
    # Filters only offer this instansi's units.
    html = c.get("/admin/kinerja/pegawai/").content.decode()
    assert "BKPSDM Kabupaten Kupang" not in html
    assert c.get("/admin/kinerja/pegawai/?status__exact=aktif").status_code == 200


@pytest.mark.django_db
def test_superuser_sees_every_instansi(staff, client_as):
    html = client_as(staff.superuser).get("/admin/kinerja/pegawai/").content.decode()
    assert staff.pegawai.nama in html and staff.pegawai_b.nama in html


@pytest.mark.django_db
def test_a_wrong_nip_in_admin_shows_the_part_that_is_wrong_and_saves_nothing(staff, client_as):
    org = staff
    c = client_as(org.admin_a)
    url = f"/admin/kinerja/pegawai/{org.rekan.pk}/change/"
    bad = org.rekan.nip[:12] + "13" + org.rekan.nip[14:]
    resp = c.post(url, form_data(c.get(url), nip=bad))
    assert resp.status_code == 200
    assert "NIP digit 13–14 (bulan TMT CPNS &#x27;13&#x27;) harus 01–12." in resp.content.decode()
    assert Pegawai.objects.get(pk=org.rekan.pk).nip == org.rekan.nip


@pytest.mark.django_db
def test_admin_save_recomputes_who_rates_whom(staff, client_as):
    org = staff
    c = client_as(org.admin_a)
    url = f"/admin/kinerja/pegawai/{org.pegawai.pk}/change/"
    resp = c.post(url, form_data(c.get(url), penilai_override=org.fungsional.pk))
    assert resp.status_code == 302, resp.context["adminform"].form.errors
    p = Pegawai.objects.get(pk=org.pegawai.pk)
    assert p.pejabat_penilai == org.fungsional and p.atasan_pejabat_penilai == org.kabid
    assert p.history.first().history_user == org.admin_a


@pytest.mark.django_db
def test_admin_unit_change_to_mandiri_recomputes_penilai(staff, client_as):
    org = staff
    c = client_as(org.admin_a)
    url = f"/admin/kinerja/unitkerja/{org.unit_dinas.pk}/change/"
    resp = c.post(
        url, form_data(c.get(url), mandiri="on", penilai_jabatan=org.kepala_bkd.jabatan_id)
    )
    assert resp.status_code == 302
    assert Pegawai.objects.get(pk=org.kadis.pk).pejabat_penilai == org.kepala_bkd


@pytest.mark.django_db
def test_admin_cannot_choose_another_instansis_rows(staff, client_as):
    org = staff
    c = client_as(org.admin_a)
    url = f"/admin/kinerja/pegawai/{org.rekan.pk}/change/"
    resp = c.post(
        url, form_data(c.get(url), jabatan=org.kepala_b.jabatan_id, instansi=org.instansi_b.pk)
    )
    assert resp.status_code == 200
    errors = resp.context["adminform"].form.errors
    assert "jabatan" in errors and "instansi" in errors
    # Autocomplete for the override never offers another instansi's people.
    resp = c.get(
        "/admin/autocomplete/",
        {
            "app_label": "kinerja",
            "model_name": "pegawai",
            "field_name": "penilai_override",
            "term": "Obed",
        },
    )
    assert resp.status_code == 200 and resp.json()["results"] == []
    resp = c.get(
        "/admin/autocomplete/",
        {
            "app_label": "kinerja",
            "model_name": "pegawai",
            "field_name": "penilai_override",
            "term": "Bria",
        },
    )
    assert [r["id"] for r in resp.json()["results"]] == [str(org.kabid.pk)]


@pytest.mark.django_db
def test_admin_of_another_instansi_cannot_open_or_change_our_rows(staff, client_as):
    org = staff
    c = client_as(org.admin_b)
    url = f"/admin/kinerja/unitkerja/{org.unit_bidang.pk}/change/"
    assert c.get(url).status_code == 302
    resp = c.post(url, {"nama": "Dibajak", "instansi": org.instansi_b.pk})
    assert resp.status_code == 302
    assert UnitKerja.objects.get(pk=org.unit_bidang.pk).nama == "Bidang Penilaian Kinerja"
    assert (
        c.post(
            f"/admin/kinerja/unitkerja/{org.unit_bidang.pk}/delete/", {"post": "yes"}
        ).status_code
        == 302
    )
    assert UnitKerja.objects.filter(pk=org.unit_bidang.pk).exists()
    assert c.get(f"/admin/kinerja/pegawai/{org.pegawai.pk}/history/").status_code in (403, 404)


@pytest.mark.django_db
def test_admin_bkd_cannot_change_instansi_identity_or_add_instansi(staff, client_as):
    org = staff
    c = client_as(org.admin_a)
    assert c.get("/admin/kinerja/instansi/add/").status_code == 403
    resp = c.get(f"/admin/kinerja/instansi/{org.instansi_a.pk}/change/")
    assert resp.status_code == 200
    assert "kode" not in resp.context["adminform"].form.fields


@pytest.mark.django_db
def test_admin_bkd_manages_logins_of_their_own_staff_only(staff, client_as):
    org = staff
    c = client_as(org.admin_a)
    assert c.get(f"/admin/kinerja/user/{org.pegawai.user.pk}/change/").status_code == 200
    assert c.get(f"/admin/kinerja/user/{org.pegawai.user.pk}/password/").status_code == 200
    for other in (org.pegawai_b.user, org.superuser, org.admin_b):
        assert c.get(f"/admin/kinerja/user/{other.pk}/change/").status_code == 302
    resp = c.get(f"/admin/kinerja/user/{org.pegawai.user.pk}/change/")
    assert "is_superuser" not in resp.context["adminform"].form.fields
    assert "admin_instansi" not in resp.context["adminform"].form.fields


def test_non_staff_pegawai_cannot_enter_the_admin(client):
    assert client.get("/admin/kinerja/pegawai/").status_code == 302
