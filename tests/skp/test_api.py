from __future__ import annotations

from rest_framework.authtoken.models import Token

from skp import services
from skp.models import SKP
from tests.skp.factories import rhk, skp_diajukan, skp_disetujui, skp_draft


def _api(client, user):
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def test_pegawai_drafts_and_submits_through_the_api(org, client):
    c = _api(client, org.pegawai.user)
    r = c.post(
        "/api/v1/skp/",
        {"pegawai": org.pegawai.pk, "periode": org.periode_a.pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    skp = r.json()
    assert skp["status"] == "draft" and skp["pendekatan"] == "kuantitatif"
    assert [p["nilai"] for p in skp["perilaku_kerja"]][3] == "harmonis"
    assert len(skp["perilaku_kerja"]) == 7
    r = c.post(
        "/api/v1/rencana-hasil-kerja/",
        {
            "skp": skp["id"],
            "jenis": "utama",
            "rencana": "",
            "indikator": [{"aspek": "kuantitas", "indikator": "Laporan", "target": ""}],
        },
        content_type="application/json",
    )
    assert r.status_code == 400
    assert set(r.json()) >= {"rencana"}
    r = c.post(
        "/api/v1/rencana-hasil-kerja/",
        {
            "skp": skp["id"],
            "jenis": "utama",
            "rencana": "Laporan kinerja tersusun",
            "indikator": [
                {"aspek": "kualitas", "indikator": "Usulan tidak BTL", "target": "90 – 95 %"}
            ],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    rv = r.json()["row_version"]
    # An edit without the version it was made on is refused and changes nothing.
    r = c.patch(
        f"/api/v1/rencana-hasil-kerja/{rid}/",
        {"rencana": "Tanpa versi"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "row_version" in r.json(), r.content
    assert "wajib" in str(r.json()["row_version"])
    r = c.patch(
        f"/api/v1/rencana-hasil-kerja/{rid}/",
        {"rencana": "Laporan kinerja tersusun tepat waktu", "row_version": rv},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["indikator"][0]["target"] == "90 – 95 %"
    r = c.patch(
        f"/api/v1/skp/{skp['id']}/",
        {"konsekuensi": "Teguran tertulis"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "row_version" in r.json(), r.content
    r = c.patch(
        f"/api/v1/skp/{skp['id']}/",
        {"konsekuensi": "Teguran tertulis", "row_version": skp["row_version"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["konsekuensi"] == "Teguran tertulis"
    r = c.post(f"/api/v1/skp/{skp['id']}/ajukan/", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "diajukan"
    got = c.get(f"/api/v1/skp/{skp['id']}/").json()
    assert got["rencana_hasil_kerja"][0]["rencana"] == "Laporan kinerja tersusun tepat waktu"
    r = c.delete(f"/api/v1/rencana-hasil-kerja/{rid}/")
    assert r.status_code == 400  # submitted: nothing changes
    assert "non_field_errors" in r.json()


def test_penilai_returns_with_a_note_and_approves(org, client):
    skp = skp_diajukan(org)
    c = _api(client, org.kasubbid.user)
    r = c.post(f"/api/v1/skp/{skp.pk}/kembalikan/", {}, content_type="application/json")
    assert r.status_code == 400 and "catatan" in r.json()
    r = c.post(
        f"/api/v1/skp/{skp.pk}/kembalikan/",
        {"catatan": "Target 1 kurang jelas"},
        content_type="application/json",
    )
    assert r.json()["status"] == "draft" and r.json()["catatan_penilai"] == "Target 1 kurang jelas"
    services.skp_ajukan(skp=skp, user=org.pegawai.user)
    r = c.post(f"/api/v1/skp/{skp.pk}/setujui/", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "disetujui"
    r = c.post(
        f"/api/v1/skp/{skp.pk}/versi-baru/",
        {"alasan": "Penugasan baru"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["versi"] == 2


def test_an_edit_by_someone_not_allowed_is_403_whether_or_not_it_carries_a_version(org, client):
    skp = skp_draft(org)
    rhk = skp.rencana_set.first()
    c = _api(client, org.kasubbid.user)  # the penilai sees the draft but does not write it
    for body in ({"rencana": "Dari penilai"}, {"rencana": "Dari penilai", "row_version": 1}):
        r = c.patch(f"/api/v1/rencana-hasil-kerja/{rhk.pk}/", body, content_type="application/json")
        assert r.status_code == 403, (body, r.content)
        r = c.patch(
            f"/api/v1/skp/{skp.pk}/", {"konsekuensi": "X", **body}, content_type="application/json"
        )
        assert r.status_code == 403, (body, r.content)
    rhk.refresh_from_db()
    assert rhk.rencana != "Dari penilai"


def test_stale_row_version_is_400(org, client):
    skp = skp_diajukan(org)
    c = _api(client, org.kasubbid.user)
    r = c.post(
        f"/api/v1/skp/{skp.pk}/setujui/",
        {"row_version": skp.row_version - 1},
        content_type="application/json",
    )
    assert r.status_code == 400 and "row_version" in r.json()


def test_pdf_get_never_writes_post_asks_and_get_then_gives_the_file(
    org, client, django_capture_on_commit_callbacks
):
    """Issue 15 item 8: a GET that wrote a Job and a Dokumen and superseded the issued document,
    reachable cross-site through the session. Now only a POST asks for a render."""
    from kinerja import jobs
    from kinerja.models import Dokumen, Job

    skp = skp_disetujui(org)
    c = _api(client, org.pegawai.user)
    before = (Job.objects.count(), Dokumen.objects.count())
    r = c.get(f"/api/v1/skp/{skp.pk}/pdf/")
    assert r.status_code == 409 and "POST" in r.json()["detail"]
    assert (Job.objects.count(), Dokumen.objects.count()) == before  # nothing written
    with django_capture_on_commit_callbacks(execute=False):
        r = c.post(f"/api/v1/skp/{skp.pk}/pdf/")
    assert r.status_code == 202 and r.json()["status"] == "pending"
    r2 = c.get(f"/api/v1/skp/{skp.pk}/pdf/")  # asked for, not done yet: its status
    assert r2.status_code == 202 and r2.json()["job"] == r.json()["job"]
    jobs.run(r.json()["job"], pemilik="uji")
    jumlah = (
        Job.objects.count(),
        Dokumen.objects.count(),
        Dokumen.objects.filter(digantikan=True).count(),
    )
    r = c.get(f"/api/v1/skp/{skp.pk}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    r = c.get(f"/api/v1/skp/{skp.pk}/pdf/")
    b"".join(r.streaming_content)
    # Reading it again writes nothing and supersedes nothing.
    assert (
        Job.objects.count(),
        Dokumen.objects.count(),
        Dokumen.objects.filter(digantikan=True).count(),
    ) == jumlah
    assert _api(client, org.rekan.user).get(f"/api/v1/skp/{skp.pk}/pdf/").status_code == 404
    assert _api(client, org.rekan.user).post(f"/api/v1/skp/{skp.pk}/pdf/").status_code == 404


def test_rows_of_an_invisible_skp_are_404_not_400(org, client):
    skp = skp_diajukan(org)
    c = _api(client, org.rekan.user)
    r = c.post(
        "/api/v1/rencana-hasil-kerja/",
        {"skp": skp.pk, "jenis": "utama", "rencana": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = c.post(
        "/api/v1/rencana-hasil-kerja/",
        {"skp": 999999, "jenis": "utama", "rencana": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404


def test_matrix_through_the_api(org, client):
    kabid = org.kabid
    own = services.skp_buat(pegawai=kabid, periode=org.periode_a, user=kabid.user)
    kol = rhk(own, kabid.user, rencana="Penilaian kinerja tepat waktu")
    c = _api(client, kabid.user)
    r = c.post(
        "/api/v1/matriks-peran-hasil/",
        {"periode": org.periode_a.pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    m = r.json()
    assert m["pemilik"] == own.pk and m["kolom"][0]["kunci"] == str(kol.kunci)
    assert {b["id"] for b in m["baris"]} == {org.kasubbid.pk, org.fungsional.pk}
    r = c.post(
        f"/api/v1/matriks-peran-hasil/{m['id']}/sel/",
        {
            "anggota": org.kasubbid.pk,
            "kolom_kunci": str(kol.kunci),
            "peran_hasil": "Evaluasi SKP bidang",
            "cascading": "langsung",
            "dasar": "porsi_target",
            "indikator": "SKP dievaluasi",
            "target": "50 %",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = c.post(f"/api/v1/matriks-peran-hasil/{m['id']}/terapkan/")
    assert r.status_code == 200 and r.json()["dibuat"] == [org.kasubbid.nama]
    r = c.post(f"/api/v1/matriks-peran-hasil/{m['id']}/terapkan/")
    assert (
        r.json()["dibuat"] == [] and SKP.objects.get(pegawai=org.kasubbid).rencana_set.count() == 1
    )
    other = _api(client, org.kasubbid.user)
    assert other.post(f"/api/v1/matriks-peran-hasil/{m['id']}/terapkan/").status_code == 404
    boss = _api(client, org.kepala_bkd.user)
    assert boss.get(f"/api/v1/matriks-peran-hasil/{m['id']}/").status_code == 200
    assert boss.post(f"/api/v1/matriks-peran-hasil/{m['id']}/terapkan/").status_code == 403


def test_matrix_list_costs_the_same_queries_for_two_or_four_matrices(org, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(c):
        with CaptureQueriesContext(connection) as ctx:
            r = c.get("/api/v1/matriks-peran-hasil/")
        assert r.status_code == 200
        return len(ctx.captured_queries), r.json()

    for who in ("kabid",):
        p = getattr(org, who)
        rhk(services.skp_buat(pegawai=p, periode=org.periode_a, user=p.user), p.user)
        services.matriks_buat(pemimpin=p, periode=org.periode_a, user=p.user)
    services.matriks_buat(
        pemimpin=org.fungsional, periode=org.periode_a, user=org.fungsional.user, tim=org.tim
    )
    c = _api(client, org.admin_a)
    kecil, data = count(c)
    assert data["count"] == 2 and data["results"][0]["baris"]
    for who in ("kasubbid", "kepala_bkd"):
        p = getattr(org, who)
        rhk(
            services.skp_buat(pegawai=p, periode=org.periode_a, user=p.user),
            p.user,
            **({"perspektif": "anggaran"} if who == "kepala_bkd" else {}),
        )
        services.matriks_buat(pemimpin=p, periode=org.periode_a, user=p.user)
    besar, data = count(c)
    assert data["count"] == 4 and besar == kecil
    by = {m["pemimpin"]: m for m in data["results"]}
    assert {b["id"] for b in by[org.kasubbid.pk]["baris"]} == {org.pegawai.pk, org.rekan.pk}
    assert {b["id"] for b in by[org.fungsional.pk]["baris"]} == {org.pegawai.pk, org.staf_dinas.pk}
    assert by[org.kabid.pk]["kolom"][0]["rencana"] and by[org.fungsional.pk]["pemilik"] is None


def test_skp_list_costs_the_same_queries_for_few_or_many(org, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.skp.factories import skp_draft

    c = _api(client, org.admin_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            r = c.get("/api/v1/skp/")
        assert r.status_code == 200
        return len(ctx.captured_queries), r.json()["count"]

    skp_draft(org, "pegawai", n_rhk=2)
    kecil, n = count()
    assert n == 1
    for who in ("rekan", "kasubbid", "kabid", "fungsional"):
        skp_draft(org, who, n_rhk=3)
    besar, n = count()
    assert n == 5 and besar == kecil
