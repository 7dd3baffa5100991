"""API credentials (issues 15 and 18): personal tokens that expire and die with the account,
the pegawai's departure or a password change; integration tokens of an instansi with a scope;
`saya/`; per-credential rate limits; the token endpoint never answers 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.personas import PASSWORD


def _api(key: str | None = None) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}") if key else Client()


def _token(username: str, password: str = PASSWORD) -> str:
    r = Client().post(
        "/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    return r.json()["token"]


def _integrasi(org, cakupan: str = "baca", hari: int = 30, user=None):
    from kinerja.akses import services

    return services.token_integrasi_buat(
        user=user or org.admin_a,
        instansi=org.instansi_a,
        nama=f"Sinkron {cakupan}",
        cakupan=cakupan,
        berlaku_sampai=timezone.now() + dt.timedelta(days=hari),
    )


# --- personal tokens -------------------------------------------------------------------------
def test_token_endpoint_gives_a_token_with_its_expiry(org, settings):
    settings.KINERJA_TOKEN_HARI = 7
    r = Client().post(
        "/api/v1/auth/token/",
        data=json.dumps({"username": org.pegawai.nip, "password": PASSWORD}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    body = r.json()
    token = Token.objects.get(key=body["token"])
    assert dt.datetime.fromisoformat(body["berlaku_sampai"]) == token.created + dt.timedelta(days=7)
    assert _api(body["token"]).get("/api/v1/saya/").status_code == 200


def test_personal_token_expires_after_the_configured_days(org, settings):
    settings.KINERJA_TOKEN_HARI = 30
    key = _token(org.pegawai.nip)
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=30, seconds=1))
    r = _api(key).get("/api/v1/saya/")
    assert r.status_code == 401 and "kedaluwarsa" in r.json()["detail"]
    # Signing in again replaces the expired token, never extends it.
    new = _token(org.pegawai.nip)
    assert new != key and _api(new).get("/api/v1/saya/").status_code == 200
    assert not Token.objects.filter(key=key).exists()


def test_a_valid_token_is_returned_again_until_it_expires(org):
    assert _token(org.pegawai.nip) == _token(org.pegawai.nip)


def test_token_stops_when_the_account_is_deactivated(org):
    key = _token(org.pegawai.nip)
    org.pegawai.user.is_active = False
    org.pegawai.user.save()
    r = _api(key).get("/api/v1/saya/")
    assert r.status_code == 401 and "dinonaktifkan" in r.json()["detail"]


def test_token_and_login_stop_when_the_pegawai_leaves(org):
    """Issue 15 item 7: a pegawai set to berhenti kept login and token."""
    key = _token(org.pegawai.nip)
    session = Client()
    session.post("/masuk/", {"username": org.pegawai.nip, "password": PASSWORD})
    assert session.get("/").status_code == 200
    org.pegawai.status = "berhenti"
    org.pegawai.save()
    r = _api(key).get("/api/v1/pegawai/")
    assert r.status_code == 401 and "berhenti" in r.json()["detail"]
    # The open session ends, and a new sign-in is refused like a wrong password.
    assert session.get("/")["Location"].startswith("/masuk/")
    r = Client().post("/masuk/", {"username": org.pegawai.nip, "password": PASSWORD})
    assert r.status_code == 200 and "_auth_user_id" not in r.wsgi_request.session
    r = Client().post(
        "/api/v1/auth/token/",
        data=json.dumps({"username": org.pegawai.nip, "password": PASSWORD}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "token" not in r.json()


def test_token_stops_when_the_password_changes(org):
    """Issue 15 item 7: a token survived a password change."""
    key = _token(org.pegawai.nip)
    user = org.pegawai.user
    user.set_password("Sandi-Baru-Kinerja-2027")
    user.save()
    assert _api(key).get("/api/v1/saya/").status_code == 401


def test_token_stops_when_the_password_is_changed_on_the_page(org):
    key = _token(org.rekan.nip)
    c = Client()
    c.force_login(org.rekan.user)
    r = c.post(
        "/sandi/",
        {
            "old_password": PASSWORD,
            "new_password1": "Sandi-Baru-Kinerja-2027",
            "new_password2": "Sandi-Baru-Kinerja-2027",
        },
    )
    assert r.status_code == 302
    assert _api(key).get("/api/v1/saya/").status_code == 401
    # Another account's token is untouched.
    other = _token(org.pegawai.nip)
    assert _api(other).get("/api/v1/saya/").status_code == 200


def test_delete_revokes_the_callers_own_token_only(org):
    mine, theirs = _token(org.pegawai.nip), _token(org.rekan.nip)
    r = _api(mine).delete("/api/v1/auth/token/")
    assert r.status_code == 204
    assert _api(mine).get("/api/v1/saya/").status_code == 401
    assert _api(theirs).get("/api/v1/saya/").status_code == 200
    assert Client().delete("/api/v1/auth/token/").status_code == 401


def test_a_stale_authorization_header_does_not_block_signing_in(org):
    r = Client(HTTP_AUTHORIZATION="Token kedaluwarsa-lama").post(
        "/api/v1/auth/token/",
        data=json.dumps({"username": org.pegawai.nip, "password": PASSWORD}),
        content_type="application/json",
    )
    assert r.status_code == 200


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("axes", [False, True])
@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '"x"',
        "null",
        "123",
        "true",
        DEEP,
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        "{bukan json",
        '{"username": ["a"], "password": {"x": 1}}',
    ],
)
def test_token_endpoint_answers_bad_json_with_400_never_500(db, settings, axes, body):
    """Issue 15 item 10: these bodies were 500s."""
    from axes.handlers.proxy import AxesProxyHandler

    settings.AXES_ENABLED = axes
    AxesProxyHandler.implementation = None
    try:
        r = Client(raise_request_exception=False).post(
            "/api/v1/auth/token/", data=body, content_type="application/json"
        )
    finally:
        AxesProxyHandler.implementation = None
    assert r.status_code == 400, (body[:20], r.status_code, r.content[:200])
    assert r["Content-Type"].startswith("application/json")


def test_deeply_nested_json_is_a_400_on_every_api_write(org):
    key = _token(org.kasubbid.nip)
    r = _api(key).post("/api/v1/umpan-balik/", data=DEEP, content_type="application/json")
    assert r.status_code == 400


# --- the schema ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_marks_the_token_endpoint_public_and_documents_429(schema):
    post = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert post["security"] == []
    assert schema["paths"]["/api/v1/auth/token/"]["delete"]["security"]
    assert schema["paths"]["/api/v1/saya/"]["get"]["security"]
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert "Retry-After" in op["responses"]["429"]["headers"], (path, method)


def test_schema_describes_saya_and_integration_tokens(schema):
    paths = schema["paths"]
    assert "/api/v1/saya/" in paths
    assert {"get", "post"} <= set(paths["/api/v1/token-integrasi/"])
    assert "post" in paths["/api/v1/token-integrasi/{id}/cabut/"]
    comp = schema["components"]["schemas"]
    assert set(comp["TokenIntegrasi"]["properties"]) >= {
        "nama",
        "cakupan",
        "berlaku_sampai",
        "terakhir_dipakai",
    }
    assert "token" in comp["TokenIntegrasiBaru"]["properties"]


# --- saya/ -----------------------------------------------------------------------------------
def test_saya_describes_a_pegawai_with_a_personal_token(org):
    r = _api(_token(org.kasubbid.nip)).get("/api/v1/saya/")
    assert r.status_code == 200
    body = r.json()
    p = org.kasubbid
    assert body["user"]["username"] == p.user.username
    assert body["pegawai"]["id"] == p.pk and body["pegawai"]["nip"] == p.nip
    assert body["pegawai"]["jabatan"] == {"id": p.jabatan_id, "nama": p.jabatan.nama}
    assert body["pegawai"]["unit_kerja"]["id"] == p.unit_kerja_id
    assert body["instansi"] == org.instansi_a.pk
    assert "pegawai" in body["peran"] and "pejabat_penilai" in body["peran"]
    assert "admin_instansi" not in body["peran"]
    assert body["token"]["jenis"] == "pribadi" and body["token"]["cakupan"] == "baca_tulis"
    assert body["token"]["berlaku_sampai"]


def test_saya_describes_an_admin_and_a_session(org, client_as):
    body = client_as(org.admin_a).get("/api/v1/saya/").json()
    assert body["pegawai"] is None and body["instansi"] == org.instansi_a.pk
    assert body["peran"] == ["admin_instansi"]
    assert body["token"]["jenis"] == "sesi"


def test_saya_describes_an_integration_token(org):
    token, rahasia = _integrasi(org, "baca")
    body = _api(rahasia).get("/api/v1/saya/").json()
    assert body["peran"] == ["integrasi"] and body["instansi"] == org.instansi_a.pk
    assert body["token"]["jenis"] == "integrasi" and body["token"]["cakupan"] == "baca"
    assert body["token"]["nama"] == token.nama
    assert dt.datetime.fromisoformat(body["token"]["berlaku_sampai"]) == token.berlaku_sampai


def test_saya_needs_a_credential(db):
    assert Client().get("/api/v1/saya/").status_code == 401


# --- integration tokens ----------------------------------------------------------------------
def _buat_api(client, **data):
    return client.post(
        "/api/v1/token-integrasi/", data=json.dumps(data), content_type="application/json"
    )


def test_admin_creates_an_integration_token_whose_secret_is_shown_once(org):
    admin = _api(_token(org.admin_a.username))
    sampai = (timezone.now() + dt.timedelta(days=90)).isoformat()
    r = _buat_api(admin, nama="Sinkron SIASN", cakupan="baca", berlaku_sampai=sampai)
    assert r.status_code == 201, r.content
    body = r.json()
    rahasia = body["token"]
    assert rahasia.startswith("kin_") and body["instansi"] == org.instansi_a.pk
    assert body["aktif"] is True and body["terakhir_dipakai"] is None
    # Only its SHA-256 is kept; the list and the detail never show it again.
    from kinerja.models import TokenIntegrasi

    row = TokenIntegrasi.objects.get(pk=body["id"])
    assert rahasia not in json.dumps(
        {f.attname: str(getattr(row, f.attname)) for f in row._meta.fields}
    )
    listed = admin.get("/api/v1/token-integrasi/").json()
    assert [t["id"] for t in listed["results"]] == [body["id"]]
    assert "token" not in listed["results"][0]
    assert "token" not in admin.get(f"/api/v1/token-integrasi/{body['id']}/").json()
    # It works, and records its last use.
    assert _api(rahasia).get("/api/v1/pegawai/").status_code == 200
    row.refresh_from_db()
    assert row.terakhir_dipakai is not None


def test_integration_token_acts_as_its_instansis_admin_and_nothing_more(org):
    _, rahasia = _integrasi(org, "baca")
    c = _api(rahasia)
    ids = {p["id"] for p in c.get("/api/v1/pegawai/?page_size=200").json()["results"]}
    assert org.pegawai.pk in ids and org.pegawai_b.pk not in ids
    assert c.get(f"/api/v1/pegawai/{org.pegawai_b.pk}/").status_code == 404


def test_a_read_token_never_writes(org):
    from kinerja.models import Pegawai

    _, rahasia = _integrasi(org, "baca")
    c = _api(rahasia)
    before = Pegawai.objects.get(pk=org.rekan.pk).nama
    for method, path in [
        ("post", "/api/v1/pegawai/upsert/"),
        ("post", "/api/v1/umpan-balik/"),
        ("patch", f"/api/v1/pegawai/{org.rekan.pk}/"),
        ("put", f"/api/v1/pegawai/{org.rekan.pk}/"),
        ("delete", "/api/v1/auth/token/"),
    ]:
        r = getattr(c, method)(
            path,
            data=json.dumps({"nip": org.rekan.nip, "nama": "Diubah"}),
            content_type="application/json",
        )
        assert r.status_code == 403, (method, path, r.status_code)
        assert "baca" in r.json()["detail"]
    assert Pegawai.objects.get(pk=org.rekan.pk).nama == before


def test_a_read_write_token_writes_and_history_names_it(org):
    from kinerja.models import Pegawai

    token, rahasia = _integrasi(org, "baca_tulis")
    r = _api(rahasia).post(
        "/api/v1/pegawai/upsert/",
        data=json.dumps({"nip": org.rekan.nip, "nama": "Daniel Tulis"}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    h = Pegawai.objects.get(pk=org.rekan.pk).history.latest()
    assert h.nama == "Daniel Tulis" and h.history_user_id == token.user_id
    assert token.user.get_full_name() == "Integrasi: Sinkron baca_tulis"


def test_revoked_and_expired_integration_tokens_are_401(org):
    from kinerja.akses import services
    from kinerja.models import TokenIntegrasi

    token, rahasia = _integrasi(org, "baca_tulis")
    admin = _api(_token(org.admin_a.username))
    r = admin.post(f"/api/v1/token-integrasi/{token.pk}/cabut/")
    assert r.status_code == 200 and r.json()["aktif"] is False and r.json()["dicabut"]
    r = _api(rahasia).get("/api/v1/saya/")
    assert r.status_code == 401 and "dicabut" in r.json()["detail"]
    token.refresh_from_db()
    assert not token.user.is_active and token.dicabut_oleh_id == org.admin_a.pk
    # Revoking again changes nothing.
    again = services.token_integrasi_cabut(user=org.admin_a, token=token)
    assert again.dicabut == token.dicabut

    token2, rahasia2 = _integrasi(org, "baca")
    TokenIntegrasi.objects.filter(pk=token2.pk).update(
        berlaku_sampai=timezone.now() - dt.timedelta(seconds=1)
    )
    r = _api(rahasia2).get("/api/v1/saya/")
    assert r.status_code == 401 and "kedaluwarsa" in r.json()["detail"]
    assert _api("kin_tidak-ada").get("/api/v1/saya/").status_code == 401


def test_a_read_write_token_may_revoke_itself(org):
    _, rahasia = _integrasi(org, "baca_tulis")
    assert _api(rahasia).delete("/api/v1/auth/token/").status_code == 204
    assert _api(rahasia).get("/api/v1/saya/").status_code == 401


def test_an_integration_token_manages_no_tokens(org):
    """A leaked token cannot mint a longer-lived one, nor see its siblings."""
    other, _ = _integrasi(org, "baca")
    _, rahasia = _integrasi(org, "baca_tulis")
    c = _api(rahasia)
    sampai = (timezone.now() + dt.timedelta(days=300)).isoformat()
    assert _buat_api(c, nama="x", cakupan="baca_tulis", berlaku_sampai=sampai).status_code == 403
    assert c.get("/api/v1/token-integrasi/").json()["results"] == []
    assert c.post(f"/api/v1/token-integrasi/{other.pk}/cabut/").status_code == 404


def test_other_instansi_and_pegawai_cannot_see_or_make_tokens(org):
    token, _ = _integrasi(org, "baca")
    sampai = (timezone.now() + dt.timedelta(days=30)).isoformat()
    for username in (org.admin_b.username, org.pegawai.nip):
        c = _api(_token(username))
        assert c.get(f"/api/v1/token-integrasi/{token.pk}/").status_code == 404
        assert c.post(f"/api/v1/token-integrasi/{token.pk}/cabut/").status_code == 404
        assert token.pk not in [
            t["id"] for t in c.get("/api/v1/token-integrasi/").json()["results"]
        ]
    r = _buat_api(_api(_token(org.pegawai.nip)), nama="x", cakupan="baca", berlaku_sampai=sampai)
    assert r.status_code == 403
    # Admin B may not make a token for instansi A by naming it.
    r = _buat_api(
        _api(_token(org.admin_b.username)),
        nama="x",
        cakupan="baca",
        berlaku_sampai=sampai,
        instansi=org.instansi_a.pk,
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"nama": "", "cakupan": "baca", "hari": 10}, "nama"),
        ({"nama": "x", "cakupan": "tulis", "hari": 10}, "cakupan"),
        ({"nama": "x", "cakupan": "baca", "hari": -1}, "berlaku_sampai"),
        ({"nama": "x", "cakupan": "baca", "hari": 400}, "berlaku_sampai"),
        ({"nama": "x", "cakupan": "baca"}, "berlaku_sampai"),
    ],
)
def test_bad_integration_token_input_is_a_400_naming_the_field(org, data, field):
    from kinerja.models import TokenIntegrasi

    data = dict(data)
    hari = data.pop("hari", None)
    if hari is not None:
        data["berlaku_sampai"] = (timezone.now() + dt.timedelta(days=hari)).isoformat()
    r = _buat_api(_api(_token(org.admin_a.username)), **data)
    assert r.status_code == 400 and field in r.json(), r.content
    assert not TokenIntegrasi.objects.exists()


def test_integration_token_list_query_count_does_not_grow(org, django_assert_max_num_queries):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kinerja.models import TokenIntegrasi

    User = get_user_model()
    c = _api(_token(org.admin_a.username))

    def make(n: int, start: int) -> None:
        users = User.objects.bulk_create(
            [User(username=f"integrasi-uji-{start + i}") for i in range(n)]
        )
        TokenIntegrasi.objects.bulk_create(
            [
                TokenIntegrasi(
                    instansi=org.instansi_a,
                    user=u,
                    nama=f"t{i}",
                    awalan="kin_x",
                    sidik=f"{start + i:064d}",
                    berlaku_sampai=timezone.now() + dt.timedelta(days=5),
                )
                for i, u in enumerate(users)
            ]
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/api/v1/token-integrasi/?page_size=200").status_code == 200
        return len(ctx)

    make(5, 0)
    small = count()
    make(495, 5)
    assert count() == small


def test_reminders_do_not_go_to_integration_accounts(org):
    from evaluasi.pengingat import _admins

    token, _ = _integrasi(org, "baca")

    class Ctx:
        instansi = org.instansi_a

    admins = _admins(Ctx())
    assert org.admin_a in admins and token.user not in admins


# --- the admin's page ------------------------------------------------------------------------
def test_admin_page_makes_shows_once_and_revokes_a_token(org, client_as):
    from kinerja.models import TokenIntegrasi

    c = client_as(org.admin_a)
    assert c.get("/organisasi/token-integrasi/").status_code == 200
    sampai = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    r = c.post(
        "/organisasi/token-integrasi/",
        {"nama": "HR daerah", "cakupan": "baca_tulis", "berlaku_sampai": sampai},
    )
    assert r.status_code == 200
    token = TokenIntegrasi.objects.get()
    html = r.content.decode()
    rahasia = html.split('<code id="token-rahasia">')[1].split("</code>")[0]
    assert rahasia.startswith("kin_") and "no-store" in r["Cache-Control"]
    assert token.berlaku_sampai.date() == timezone.localdate() + dt.timedelta(days=60)
    assert _api(rahasia).get("/api/v1/saya/").status_code == 200
    assert rahasia not in c.get("/organisasi/token-integrasi/").content.decode()
    r = c.post(f"/organisasi/token-integrasi/{token.pk}/cabut/")
    assert r.status_code == 302
    assert _api(rahasia).get("/api/v1/saya/").status_code == 401


def test_admin_page_keeps_what_was_typed_on_a_mistake(org, client_as):
    from kinerja.models import TokenIntegrasi

    r = client_as(org.admin_a).post(
        "/organisasi/token-integrasi/",
        {"nama": "Sinkron", "cakupan": "baca", "berlaku_sampai": "2001-01-01"},
    )
    assert r.status_code == 200 and "masa depan" in r.content.decode()
    assert 'value="Sinkron"' in r.content.decode()
    assert not TokenIntegrasi.objects.exists()


# --- rate limits -----------------------------------------------------------------------------
@pytest.fixture(params=["locmem", "redis"])
def rates(settings, request):
    """Small rates, with the plain cache (DRF's throttle) and with the Redis cache (the window
    as one Lua script, kinerja.akses.throttle)."""
    import os
    import uuid

    from django.core.cache import cache

    if request.param == "redis":
        url = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
        settings.CACHES = {
            "default": {
                "BACKEND": "kinerja.redis_cache.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": f"uji-token-{uuid.uuid4().hex[:8]}",
            }
        }
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "integrasi": "2/min", "anon": "2/min"},
    }
    yield
    cache.clear()


def test_rate_limit_answers_429_with_retry_after_per_account(org, rates):
    c = _api(_token(org.pegawai.nip))
    codes = [c.get("/api/v1/saya/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = c.get("/api/v1/saya/")
    assert 1 <= int(r["Retry-After"]) <= 60 and "coba lagi dalam" in r.json()["detail"]
    # Another account has its own bucket.
    assert _api(_token(org.rekan.nip)).get("/api/v1/saya/").status_code == 200


def test_each_integration_token_has_its_own_bucket(org, rates):
    _, a = _integrasi(org, "baca")
    _, b = _integrasi(org, "baca")
    assert [_api(a).get("/api/v1/saya/").status_code for _ in range(3)] == [200, 200, 429]
    assert _api(b).get("/api/v1/saya/").status_code == 200


def test_sign_in_is_limited_per_client_address_and_username_behind_the_proxy(org, rates, settings):
    settings.KINERJA_PROXY_HOPS = 1

    def post(forwarded: str, username: str = "tidak-ada", password: str = "x"):
        return Client().post(
            "/api/v1/auth/token/",
            data=json.dumps({"username": username, "password": password}),
            content_type="application/json",
            REMOTE_ADDR="172.18.0.5",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    assert [post("203.0.113.9").status_code for _ in range(3)] == [400, 400, 429]
    assert int(post("6.6.6.6, 203.0.113.9")["Retry-After"]) > 0  # spoofing does not help
    assert post("198.51.100.7").status_code == 400  # another client behind the same proxy
    # A neighbour behind the same NAT signs in to her own account.
    assert post("203.0.113.9", org.pegawai.nip, PASSWORD).status_code == 200


def test_an_integration_token_without_a_scope_reads_only(org):
    """Found by the schema fuzzing: a missing `cakupan` was a 500; it defaults to `baca`."""
    sampai = (timezone.now() + dt.timedelta(days=10)).isoformat()
    r = _buat_api(_api(_token(org.admin_a.username)), nama="Tanpa cakupan", berlaku_sampai=sampai)
    assert r.status_code == 201 and r.json()["cakupan"] == "baca"


def test_admin_page_answers_an_empty_form_with_errors(org, client_as):
    r = client_as(org.admin_a).post("/organisasi/token-integrasi/", {})
    assert r.status_code == 200 and "harus diisi" in r.content.decode()


def test_admin_page_query_count_does_not_grow(org, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_as(org.admin_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/organisasi/token-integrasi/").status_code == 200
        return len(ctx)

    for _ in range(5):
        _integrasi(org, "baca")
    small = count()
    for _ in range(15):
        _integrasi(org, "baca_tulis")
    assert count() == small
