"""The API contract of issue 18 item 2 and issue 15 items 6, 9 and 10 (api.md, "Added in v1"):
filters documented and enforced, creating never overwrites, edits write only this row and
carry a numeric row_version, a missing id and a foreign id read the same."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evaluasi.models import Evaluasi, KinerjaOrganisasi

pytestmark = pytest.mark.django_db

LISTS = [
    "instansi",
    "unit-kerja",
    "jabatan",
    "pegawai",
    "periode",
    "skp",
    "rencana-hasil-kerja",
    "matriks-peran-hasil",
    "umpan-balik",
    "penugasan",
    "kinerja-organisasi",
    "evaluasi",
    "keberatan",
    "notifikasi",
    "perubahan",
]


def api(user) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return c


# --- filters -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_parameter_is_a_400_naming_it(org, path):
    r = api(org.admin_a).get(f"/api/v1/{path}/", {"statsu": "draft"})
    assert r.status_code == 400 and list(r.json()) == ["statsu"], r.content
    assert "diterima" in r.json()["statsu"][0]


@pytest.mark.parametrize(
    "path,query",
    [
        ("evaluasi", {"pegawai": "zzz"}),
        ("skp", {"pegawai": "zzz"}),
        ("evaluasi", {"status": "selesai"}),
        ("evaluasi", {"tahun": "dua ribu"}),
        ("skp", {"unit_kerja": "-1"}),
        ("jabatan", {"atasan": "99999999999999999999"}),
        ("pegawai", {"unit_kerja": "99999999999999999999"}),
        ("keberatan", {"terbuka": "mungkin"}),
        ("unit-kerja", {"mandiri": "ya"}),
        ("kinerja-organisasi", {"urutan": "0"}),
    ],
)
def test_an_invalid_value_is_a_400_naming_the_parameter(org, path, query):
    r = api(org.admin_a).get(f"/api/v1/{path}/", query)
    assert r.status_code == 400, r.content
    assert list(r.json()) == list(query)


def test_evaluasi_filters_status_tahun_unit_kerja_really_filter(org):
    from tests.evaluasi.conftest import evaluasi_draft, final

    draft = evaluasi_draft(org, "rekan")
    selesai = final(org)
    c = api(org.admin_a)

    def ids(**q):
        r = c.get("/api/v1/evaluasi/", q)
        assert r.status_code == 200, r.content
        return {x["id"] for x in r.json()["results"]}

    assert ids(status="final") == {selesai.pk}
    assert ids(status="draft") == {draft.pk}
    assert ids(tahun=org.periode_a.tahun) == {draft.pk, selesai.pk}
    assert ids(tahun=org.periode_a.tahun + 1) == set()
    assert ids(unit_kerja=org.pegawai.unit_kerja_id) >= {selesai.pk}
    assert ids(unit_kerja=org.unit_dinas.pk) == set()
    assert ids(pegawai=org.rekan.pk) == {draft.pk}


def test_skp_filters_tahun_and_unit_kerja_really_filter(org):
    from tests.skp.factories import skp_draft

    skp = skp_draft(org)
    c = api(org.admin_a)
    got = lambda **q: {x["id"] for x in c.get("/api/v1/skp/", q).json()["results"]}  # noqa: E731
    assert skp.pk in got(tahun=org.periode_a.tahun)
    assert got(tahun=org.periode_a.tahun - 1) == set()
    assert skp.pk in got(unit_kerja=org.pegawai.unit_kerja_id)
    assert skp.pk not in got(unit_kerja=org.unit_dinas.pk)


def test_keberatan_terbuka_false_lists_only_decided_ones(org):
    from evaluasi import services
    from tests.evaluasi.conftest import final

    k = services.keberatan_ajukan(user=org.pegawai.user, evaluasi=final(org), alasan="Alasan.")
    c = api(org.admin_a)
    ids = lambda v: [x["id"] for x in c.get("/api/v1/keberatan/", {"terbuka": v}).json()["results"]]  # noqa: E731
    assert ids("true") == [k.pk] and ids("false") == []
    services.keberatan_putuskan(
        user=org.kabid.user,
        keberatan=k,
        keputusan="tetap",
        alasan_keputusan="Sesuai bukti.",
        row_version=k.row_version,
    )
    assert ids("true") == [] and ids("false") == [k.pk] and ids("0") == [k.pk]


def test_every_list_documents_its_filters_in_the_schema(org):
    import yaml

    schema = yaml.safe_load(api(org.admin_a).get("/api/v1/schema/").content)
    paths = schema["paths"]
    want = {
        "/api/v1/evaluasi/": {"status", "tahun", "unit_kerja", "pegawai", "periode", "jenis"},
        "/api/v1/skp/": {"tahun", "unit_kerja", "pegawai", "periode", "status", "jenis"},
        "/api/v1/keberatan/": {"terbuka", "status", "evaluasi"},
        "/api/v1/kinerja-organisasi/": {"tahun", "periode", "unit_kerja", "jenis"},
        "/api/v1/pegawai/": {"unit_kerja", "status"},
        "/api/v1/perubahan/": {"jenis"},
    }
    for path in (f"/api/v1/{p}/" for p in LISTS):
        names = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert {"page", "page_size", "cursor", "diubah_sejak"} <= names, path
        assert want.get(path, set()) <= names, (path, want.get(path, set()) - names)


# --- creating never overwrites; edits write only this row (issue 15 item 6) ---------------------
def _ko(org, unit=None, predikat="baik") -> KinerjaOrganisasi:
    return KinerjaOrganisasi.objects.create(
        unit_kerja=unit or org.unit_bidang,
        periode=org.periode_a,
        jenis="tahunan",
        predikat=predikat,
    )


def test_post_for_an_existing_kinerja_organisasi_is_a_400_naming_it_and_changes_nothing(org):
    ko = _ko(org)
    r = api(org.admin_a).post(
        "/api/v1/kinerja-organisasi/",
        {"unit_kerja": org.unit_bidang.pk, "periode": org.periode_a.pk, "predikat": "kurang"},
        format="json",
    )
    assert r.status_code == 400 and f"id {ko.pk}" in str(r.json())
    ko.refresh_from_db()
    assert ko.predikat == "baik" and ko.row_version == 1


def test_kinerja_organisasi_edits_need_row_version_and_write_only_this_row(org):
    ko = _ko(org)
    other = _ko(org, org.unit_bkd, "kurang")
    c = api(org.admin_a)
    url = f"/api/v1/kinerja-organisasi/{ko.pk}/"
    for method in ("patch", "put"):
        r = getattr(c, method)(url, {"predikat": "istimewa"}, format="json")
        assert r.status_code == 400 and "row_version" in r.json(), (method, r.content)
    r = c.patch(url, {"predikat": "istimewa", "row_version": "abc"}, format="json")
    assert r.status_code == 400 and "row_version" in r.json()  # was a 500
    r = c.patch(url, {"predikat": "istimewa", "row_version": 10**30}, format="json")
    assert r.status_code == 400 and "row_version" in r.json()
    r = c.patch(
        url,
        {"unit_kerja": org.unit_bkd.pk, "predikat": "istimewa", "row_version": ko.row_version},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["id"] == ko.pk and r.json()["unit_kerja"] == org.unit_bidang.pk
    ko.refresh_from_db()
    other.refresh_from_db()
    assert (ko.predikat, ko.unit_kerja_id) == ("istimewa", org.unit_bidang.pk)
    assert other.predikat == "kurang" and other.row_version == 1  # the row named was not touched
    stale = c.patch(url, {"predikat": "baik", "row_version": 1}, format="json")
    assert stale.status_code == 400 and "row_version" in stale.json()


def test_schema_lists_as_writable_exactly_what_edits_write(org):
    import yaml

    schemas = yaml.safe_load(api(org.admin_a).get("/api/v1/schema/").content)["components"][
        "schemas"
    ]

    def writable(name):
        return set(schemas[name]["properties"])

    assert writable("PatchedEvaluasiUbahRequest") == {
        "rating_hasil_kerja",
        "rating_perilaku_kerja",
        "alasan_ubah_rating",
        "row_version",
    }
    assert writable("PatchedKinerjaOrganisasiUbahRequest") == {
        "predikat",
        "capaian",
        "row_version",
    }
    assert "skp" not in writable("PatchedRencanaHasilKerjaUbahRequest")
    assert "row_version" in writable("PatchedRencanaHasilKerjaUbahRequest")
    assert "row_version" not in writable("EvaluasiRequest")  # a create carries none


def test_patch_evaluasi_cannot_move_it_to_another_pegawai(org):
    from tests.evaluasi.conftest import evaluasi_draft

    ev = evaluasi_draft(org)
    r = api(org.kasubbid.user).patch(
        f"/api/v1/evaluasi/{ev.pk}/",
        {
            "pegawai": org.rekan.pk,
            "rating_hasil_kerja": "sesuai_ekspektasi",
            "row_version": ev.row_version,
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["pegawai"] == org.pegawai.pk
    assert Evaluasi.objects.get(pk=ev.pk).pegawai_id == org.pegawai.pk


def test_post_for_an_existing_skp_or_matrix_names_it(org):
    from tests.skp.factories import skp_draft

    skp = skp_draft(org)
    c = api(org.pegawai.user)
    r = c.post(
        "/api/v1/skp/", {"pegawai": org.pegawai.pk, "periode": org.periode_a.pk}, format="json"
    )
    assert r.status_code == 400 and f"id {skp.pk}" in str(r.json())
    k = api(org.kasubbid.user)
    first = k.post("/api/v1/matriks-peran-hasil/", {"periode": org.periode_a.pk}, format="json")
    assert first.status_code == 201
    again = k.post("/api/v1/matriks-peran-hasil/", {"periode": org.periode_a.pk}, format="json")
    assert again.status_code == 400 and f"id {first.json()['id']}" in str(again.json())


# --- a missing id and a foreign id read the same (issue 15 item 9) ---------------------------------
def _messages(r, field):
    import re

    assert r.status_code == 400, r.content
    return [re.sub(r"\d+", "N", m) for m in r.json()[field]]


def test_feedback_names_no_foreign_rencana_hasil_kerja_or_penerima(org):
    from tests.evaluasi.conftest import skp_disetujui

    asing = skp_disetujui(org.pegawai_b, org.periode_b).rencana_set.first()
    c = api(org.kasubbid.user)
    base = {"penerima": org.pegawai.pk, "jenis": "apresiasi", "isi": "Bagus."}
    foreign = c.post(
        "/api/v1/umpan-balik/", {**base, "rencana_hasil_kerja": asing.pk}, format="json"
    )
    missing = c.post("/api/v1/umpan-balik/", {**base, "rencana_hasil_kerja": 987654}, format="json")
    huge = c.post("/api/v1/umpan-balik/", {**base, "rencana_hasil_kerja": 10**25}, format="json")
    m = _messages(foreign, "rencana_hasil_kerja")
    assert m == _messages(missing, "rencana_hasil_kerja") == _messages(huge, "rencana_hasil_kerja")
    foreign = c.post("/api/v1/umpan-balik/", {**base, "penerima": org.pegawai_b.pk}, format="json")
    missing = c.post("/api/v1/umpan-balik/", {**base, "penerima": 987654}, format="json")
    assert _messages(foreign, "penerima") == _messages(missing, "penerima")


def test_rhk_atasan_foreign_and_missing_read_the_same(org):
    from tests.evaluasi.conftest import skp_disetujui
    from tests.skp.factories import skp_draft

    asing = skp_disetujui(org.pegawai_b, org.periode_b).rencana_set.first()
    skp = skp_draft(org, n_rhk=0)
    c = api(org.pegawai.user)
    base = {"skp": skp.pk, "jenis": "utama", "rencana": "Rencana"}
    foreign = c.post(
        "/api/v1/rencana-hasil-kerja/", {**base, "rhk_atasan": asing.pk}, format="json"
    )
    missing = c.post("/api/v1/rencana-hasil-kerja/", {**base, "rhk_atasan": 987654}, format="json")
    assert _messages(foreign, "rhk_atasan") == _messages(missing, "rhk_atasan")


def test_periode_on_skp_and_matrix_create_foreign_and_missing_read_the_same(org):
    c = api(org.pegawai.user)
    for url, extra in (
        ("/api/v1/skp/", {"pegawai": org.pegawai.pk}),
        ("/api/v1/matriks-peran-hasil/", {}),
    ):
        foreign = c.post(url, {**extra, "periode": org.periode_b.pk}, format="json")
        missing = c.post(url, {**extra, "periode": 987654}, format="json")
        assert _messages(foreign, "periode") == _messages(missing, "periode"), url
    foreign = c.post(
        "/api/v1/skp/", {"pegawai": org.pegawai_b.pk, "periode": org.periode_a.pk}, format="json"
    )
    missing = c.post(
        "/api/v1/skp/", {"pegawai": 987654, "periode": org.periode_a.pk}, format="json"
    )
    assert _messages(foreign, "pegawai") == _messages(missing, "pegawai")


# --- JSON everywhere under /api/ ---------------------------------------------------------------
def test_unknown_api_paths_answer_json(org):
    c = api(org.admin_a)
    for url in ("/api/v1/tidak-ada/", "/api/v1/pegawai/abc/", "/api/v2/", "/api/v1/skp/99999999/"):
        r = c.get(url)
        assert r.status_code == 404 and r["Content-Type"].startswith("application/json"), url
        assert "detail" in r.json()
