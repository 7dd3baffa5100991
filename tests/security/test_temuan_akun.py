"""Issue 15, findings 1 and 2 (high): an admin taking over another instansi's admin account, and a
colleague reading an evaluation through the API's create. Each failed before its fix."""

from __future__ import annotations

import pytest

from evaluasi.models import Evaluasi
from kinerja.models import Pegawai, User
from kinerja.rules import make_nip
from tests.evaluasi.conftest import evaluasi_draft, nilai
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

NIP_ADMIN_B = make_nip(
    __import__("datetime").date(1985, 5, 5), __import__("datetime").date(2010, 3, 1), True, 77
)


@pytest.fixture(autouse=True)
def _admin_staff(org):
    # As the demo's admin BKD: staff, so the Django admin answers (302 would prove nothing).
    User.objects.filter(pk__in=[org.admin_a.pk, org.admin_b.pk]).update(is_staff=True)
    org.admin_a.refresh_from_db()


def _refused(r) -> bool:
    """Not served: 403/404, or the admin's own 'does not exist' redirect to its index (a logged-
    out redirect to the login page would not count: the fixture makes the admins staff)."""
    return r.status_code in (403, 404) or (r.status_code == 302 and r.url == "/admin/")


def _admin_b_logs_in_with_a_nip(org) -> User:
    org.admin_b.username = NIP_ADMIN_B
    org.admin_b.save()
    return org.admin_b


def test_upsert_of_another_admins_nip_does_not_adopt_their_account(org, client_as):
    admin_b = _admin_b_logs_in_with_a_nip(org)
    c = client_as(org.admin_a)
    r = c.post(
        "/api/v1/pegawai/upsert/",
        {"nip": NIP_ADMIN_B, "nama": "Penyusup", "jenis_asn": "pns"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pegawai = Pegawai.objects.get(nip=NIP_ADMIN_B)
    assert pegawai.instansi == org.instansi_a
    assert pegawai.user_id is None, "B's admin account must not become A's pegawai login"
    admin_b.refresh_from_db()
    assert admin_b.check_password(PASSWORD)
    # And A's admin cannot find, open or reset it in the Django admin.
    assert NIP_ADMIN_B not in c.get("/admin/kinerja/user/").content.decode()
    assert _refused(c.get(f"/admin/kinerja/user/{admin_b.pk}/change/"))
    r = c.post(
        f"/admin/kinerja/user/{admin_b.pk}/password/",
        {"password1": "Diambil-Alih-2026!", "password2": "Diambil-Alih-2026!"},
    )
    assert _refused(r)
    admin_b.refresh_from_db()
    assert admin_b.check_password(PASSWORD)


def test_an_orphan_account_without_rights_is_still_adopted(org, client_as):
    orphan = User.objects.create_user(NIP_ADMIN_B, password="x")
    c = client_as(org.admin_a)
    r = c.post(
        "/api/v1/pegawai/upsert/",
        {"nip": NIP_ADMIN_B, "nama": "Pegawai Baru", "jenis_asn": "pns"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert Pegawai.objects.get(nip=NIP_ADMIN_B).user_id == orphan.pk


def test_account_that_administers_b_cannot_be_reset_by_the_admin_of_a(org, client_as):
    # A pegawai of A whose account is also B's admin (data made before the invariant).
    akun = org.rekan.user
    User.objects.filter(pk=akun.pk).update(admin_instansi=org.instansi_b)
    c = client_as(org.admin_a)
    assert _refused(c.get(f"/admin/kinerja/user/{akun.pk}/change/"))
    r = c.post(
        f"/admin/kinerja/user/{akun.pk}/password/",
        {"password1": "Diambil-Alih-2026!", "password2": "Diambil-Alih-2026!"},
    )
    assert _refused(r)
    akun.refresh_from_db()
    assert akun.check_password(PASSWORD)
    # Its own pegawai accounts stay manageable.
    assert c.get(f"/admin/kinerja/user/{org.pegawai.user.pk}/change/").status_code == 200


def test_an_account_cannot_be_admin_of_one_instansi_and_pegawai_of_another(org):
    from django.core.exceptions import ValidationError

    akun = org.rekan.user
    akun.admin_instansi = org.instansi_b
    with pytest.raises(ValidationError) as e:
        akun.full_clean()
    assert "satu instansi" in str(e.value)


def test_colleague_post_for_an_existing_evaluation_reveals_nothing(org, client_as):
    ev = nilai(
        evaluasi_draft(org, jenis="periodik", urutan=1), "dibawah_ekspektasi", "dibawah_ekspektasi"
    )
    body = {
        "pegawai": org.pegawai.pk,
        "periode": org.periode_a.pk,
        "jenis": "periodik",
        "urutan": 1,
    }
    missing = {**body, "urutan": 2}
    c = client_as(org.rekan.user)
    r_exists = c.post("/api/v1/evaluasi/", body, content_type="application/json")
    r_missing = c.post("/api/v1/evaluasi/", missing, content_type="application/json")
    assert r_exists.status_code == r_missing.status_code == 403
    assert r_exists.json() == r_missing.json()
    assert "predikat" not in r_exists.content.decode()
    assert Evaluasi.objects.filter(pegawai=org.pegawai).count() == 1
    ev.refresh_from_db()
    assert ev.predikat == "sangat_kurang"


def test_penilai_post_for_an_existing_evaluation_is_a_400_naming_it(org, client_as):
    ev = nilai(
        evaluasi_draft(org, jenis="periodik", urutan=1), "sesuai_ekspektasi", "sesuai_ekspektasi"
    )
    c = client_as(org.kasubbid.user)
    r = c.post(
        "/api/v1/evaluasi/",
        {
            "pegawai": org.pegawai.pk,
            "periode": org.periode_a.pk,
            "jenis": "periodik",
            "urutan": 1,
            "rating_hasil_kerja": "dibawah_ekspektasi",
            "rating_perilaku_kerja": "dibawah_ekspektasi",
        },
        content_type="application/json",
    )
    assert r.status_code == 400, r.content
    assert f"id {ev.pk}" in r.json()["non_field_errors"][0]
    ev.refresh_from_db()
    assert ev.rating_hasil_kerja == "sesuai_ekspektasi"
