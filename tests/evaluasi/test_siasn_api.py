"""/api/v1/siasn/: records in SIASN's field names, scoped by the policy, filters as a contract,
constant queries per page; the send log and its kirim-ulang action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluasi.models import Evaluasi
from evaluasi.siasn.models import IdentitasSiasn, Kiriman
from kinerja.models import Job, Pegawai
from tests.evaluasi.conftest import final

SKP22_FIELDS = [
    "pnsDinilaiId",
    "tahun",
    "hasilKinerjaNilai",
    "perilakuKerjaNilai",
    "kuadranKinerjaNilai",
    "penilaiNipNrp",
    "penilaiNama",
    "penilaiGolongan",
    "penilaiJabatan",
    "penilaiUnorNama",
    "statusPenilai",
]
PERIODIK_FIELDS = [
    "periodikId",
    "bulanMulaiPenilaian",
    "bulanSelesaiPenilaian",
    "tahunMulaiPenilaian",
    "tahunSelesaiPenilaian",
]


def _get(c, url, **params):
    r = c.get(url, params)
    return r.status_code, r.json()


def test_one_skp22_record_per_final_annual_evaluation_in_siasns_field_names(org, client_as):
    final(org, who="pegawai", hasil="diatas_ekspektasi", perilaku="diatas_ekspektasi")
    final(org, who="rekan")
    final(org, who="fungsional", jenis="periodik", urutan=1)  # periodic: not an SKP22 record
    IdentitasSiasn.objects.create(pegawai=org.pegawai, pns_id="A8ACA7397AEB3912E040640A040269BB")
    status, body = _get(client_as(org.admin_a), "/api/v1/siasn/skp22/", tahun=org.periode_a.tahun)
    assert status == 200 and body["count"] == 2
    rec = next(r for r in body["results"] if r["nipBaru"] == org.pegawai.nip)
    assert list(rec)[: len(SKP22_FIELDS)] == SKP22_FIELDS  # api.md's names, in its order
    # The shipped defaults apply until the admin keeps its own table.
    assert rec == {
        "pnsDinilaiId": "A8ACA7397AEB3912E040640A040269BB",
        "tahun": org.periode_a.tahun,
        "hasilKinerjaNilai": 1,
        "perilakuKerjaNilai": 1,
        "kuadranKinerjaNilai": 1,
        "penilaiNipNrp": org.kasubbid.nip,
        "penilaiNama": "Fransiska Nenobais",
        "penilaiGolongan": "34",
        "penilaiJabatan": "Kepala Subbidang Evaluasi Kinerja",
        "penilaiUnorNama": "Bidang Penilaian Kinerja",
        "statusPenilai": "ASN",
        "pnsDinilaiOrang": "A8ACA7397AEB3912E040640A040269BB",
        "nipBaru": org.pegawai.nip,
        "evaluasi": Evaluasi.objects.get(pegawai=org.pegawai, jenis="tahunan").pk,
    }
    other = next(r for r in body["results"] if r["nipBaru"] == org.rekan.nip)
    assert other["pnsDinilaiId"] is None and other["kuadranKinerjaNilai"] == 2


def test_periodic_records_carry_the_window_and_codes(org, client_as):
    ev = final(org, who="pegawai", jenis="periodik", urutan=2)
    final(org, who="rekan", jenis="periodik", urutan=1)
    status, body = _get(
        client_as(org.admin_a),
        "/api/v1/siasn/kinerja-periodik/",
        tahun=org.periode_a.tahun,
        urutan=2,
    )
    assert status == 200 and body["count"] == 1
    [rec] = body["results"]
    assert list(rec)[: len(SKP22_FIELDS) + len(PERIODIK_FIELDS)] == SKP22_FIELDS + PERIODIK_FIELDS
    y = org.periode_a.tahun
    assert (
        rec["evaluasi"],
        rec["bulanMulaiPenilaian"],
        rec["bulanSelesaiPenilaian"],
        rec["tahunMulaiPenilaian"],
        rec["tahunSelesaiPenilaian"],
    ) == (ev.pk, 4, 6, y, y)
    assert rec["periodikId"] is None and rec["koefisienId"] is None  # no default shipped
    assert rec["penilaiJabatanNama"] == rec["penilaiJabatan"] == "Kepala Subbidang Evaluasi Kinerja"


def test_records_follow_the_instansi_table_once_kept(org, client_as):
    from evaluasi.siasn.services import referensi_siasn_simpan

    final(org)
    referensi_siasn_simpan(
        user=org.admin_a, instansi=org.instansi_a, jenis="kuadran", kode="baik", nilai="7"
    )
    _, body = _get(client_as(org.admin_a), "/api/v1/siasn/skp22/")
    assert body["results"][0]["kuadranKinerjaNilai"] == 7
    # Called outside a request, the history still names who changed the code.
    from evaluasi.siasn.models import ReferensiSiasn

    assert ReferensiSiasn.objects.get().history.latest().history_user_id == org.admin_a.pk


@pytest.mark.parametrize(
    "who, count",
    [
        ("admin_a", 2),
        ("superuser", 2),
        ("pegawai", 1),  # her own final record only
        ("kasubbid", 0),  # her penilai: SIASN records are the BKD's
        ("kabid", 0),
        ("rekan", 1),
        ("admin_b", 0),
        ("pegawai_b", 0),
    ],
)
def test_nobody_but_the_admin_sees_other_peoples_records(org, client_as, who, count):
    final(org, who="pegawai")
    final(org, who="rekan")
    status, body = _get(client_as(org.user(who)), "/api/v1/siasn/skp22/")
    assert status == 200 and body["count"] == count


def test_a_draft_evaluation_has_no_record(org, client_as):
    from tests.evaluasi.conftest import evaluasi_draft

    evaluasi_draft(org)
    assert _get(client_as(org.admin_a), "/api/v1/siasn/skp22/")[1]["count"] == 0


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/siasn/skp22/").status_code == 401


@pytest.mark.parametrize(
    "url, params, field",
    [
        ("/api/v1/siasn/skp22/", {"status": "final"}, "status"),
        ("/api/v1/siasn/skp22/", {"tahun": "dua ribu"}, "tahun"),
        ("/api/v1/siasn/skp22/", {"tahun": "1899"}, "tahun"),
        ("/api/v1/siasn/skp22/", {"pegawai": "99999999999999999999"}, "pegawai"),
        ("/api/v1/siasn/skp22/", {"urutan": "1"}, "urutan"),
        ("/api/v1/siasn/kinerja-periodik/", {"urutan": "-1"}, "urutan"),
        ("/api/v1/siasn/kinerja-periodik/", {"unit_kerja": "x"}, "unit_kerja"),
        ("/api/v1/siasn/kiriman/", {"status": "beres"}, "status"),
        ("/api/v1/siasn/kiriman/", {"jenis": "skp"}, "jenis"),
        ("/api/v1/siasn/kiriman/", {"tahun": "2025", "nip": "1"}, "nip"),
    ],
)
def test_an_unknown_or_invalid_parameter_is_a_400_naming_it(org, client_as, url, params, field):
    r = client_as(org.admin_a).get(url, params)
    assert r.status_code == 400
    assert field in r.json() and r.json()[field][0]


def test_a_repeated_parameter_is_a_400(org, client_as):
    r = client_as(org.admin_a).get("/api/v1/siasn/skp22/?tahun=2025&tahun=2026")
    assert r.status_code == 400 and "tahun" in r.json()


def _banyak(org, n: int) -> None:
    """n pegawai under the kasubbid with a final annual evaluation (written to the tables)."""
    base = Pegawai.objects.count()
    peg = Pegawai.objects.bulk_create(
        [
            Pegawai(
                instansi=org.instansi_a,
                nip=f"1990010120150{(base + i) % 100000:05d}",
                nama=f"Pegawai {i:04d}",
                golongan="III/a",
                jabatan=org.pegawai.jabatan,
                unit_kerja=org.unit_bidang,
                pejabat_penilai=org.kasubbid,
                atasan_pejabat_penilai=org.kabid,
            )
            for i in range(n)
        ]
    )
    now = timezone.now()
    Evaluasi.objects.bulk_create(
        [
            Evaluasi(
                pegawai=p,
                periode=org.periode_a,
                jenis="tahunan",
                status="final",
                rating_hasil_kerja="sesuai_ekspektasi",
                rating_perilaku_kerja="sesuai_ekspektasi",
                predikat="baik",
                pejabat_penilai=org.kasubbid,
                finalisasi_pada=now,
            )
            for p in peg
        ]
    )


@pytest.mark.parametrize("url", ["/api/v1/siasn/skp22/", "/api/v1/siasn/kiriman/"])
def test_a_page_costs_the_same_queries_at_5_and_500_rows(org, client_as, url):
    c = client_as(org.admin_a)

    def count(n):
        _banyak(org, n)
        if "kiriman" in url:
            evs = Evaluasi.objects.filter(status="final").exclude(kiriman_siasn__isnull=False)
            Kiriman.objects.bulk_create(
                [
                    Kiriman(
                        instansi=org.instansi_a,
                        evaluasi=ev,
                        pegawai_id=ev.pegawai_id,
                        jenis="skp22",
                        tahun=org.periode_a.tahun,
                        sidik="x",
                        status="terkirim",
                        kode_status=200,
                    )
                    for ev in evs
                ]
            )
        with CaptureQueriesContext(connection) as q:
            r = c.get(url, {"page_size": 200})
        assert r.status_code == 200 and len(r.json()["results"]) == min(r.json()["count"], 200)
        return len(q)

    small = count(5)
    large = count(495)
    assert small == large, (small, large)


def test_keyset_paging_walks_every_record_once(org, client_as):
    _banyak(org, 7)
    c = client_as(org.admin_a)
    seen, url = [], "/api/v1/siasn/skp22/?cursor=&page_size=3"
    while url:
        body = c.get(url).json()
        seen += [r["evaluasi"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == 7 == len(set(seen)) and seen == sorted(seen)


# --- the send log ------------------------------------------------------------------------------
def _kiriman(org, ev, **kw):
    return Kiriman.objects.create(
        instansi=org.instansi_a,
        evaluasi=ev,
        pegawai=ev.pegawai,
        jenis="skp22",
        tahun=org.periode_a.tahun,
        sidik="abc",
        status=kw.pop("status", "ditolak"),
        kode_status=kw.pop("kode_status", 400),
        jawaban='{"success": false, "message": "NIP penilai tidak terdaftar"}',
        isi={"tahun": org.periode_a.tahun},
        **kw,
    )


def test_the_send_log_lists_what_was_sent_with_siasns_answer(org, client_as):
    ev = final(org)
    k = _kiriman(org, ev)
    _kiriman(org, ev, status="terkirim", kode_status=200, percobaan=2)
    c = client_as(org.admin_a)
    status, body = _get(c, "/api/v1/siasn/kiriman/", status="ditolak")
    assert status == 200 and body["count"] == 1
    row = body["results"][0]
    assert row["id"] == k.pk and row["kode_status"] == 400 and "tidak terdaftar" in row["jawaban"]
    assert row["evaluasi"] == ev.pk and row["pegawai"] == org.pegawai.pk
    assert _get(c, "/api/v1/siasn/kiriman/", evaluasi=ev.pk, jenis="skp22")[1]["count"] == 2
    assert _get(c, f"/api/v1/siasn/kiriman/{k.pk}/")[0] == 200
    for who in ("admin_b", "pegawai", "kasubbid"):
        cw = client_as(org.user(who))
        assert _get(cw, "/api/v1/siasn/kiriman/")[1]["count"] == 0
        assert cw.get(f"/api/v1/siasn/kiriman/{k.pk}/").status_code == 404


def test_kirim_ulang_is_an_action_of_the_admin(org, client_as, settings):
    ev = final(org)  # push off: no job at finalisation
    k = _kiriman(org, ev)
    url = f"/api/v1/siasn/kiriman/{k.pk}/kirim-ulang/"
    r = client_as(org.admin_a).post(url)
    assert r.status_code == 400 and "belum diaktifkan" in r.json()["non_field_errors"][0]
    assert client_as(org.admin_b).post(url).status_code == 404
    assert client_as(org.pegawai.user).post(url).status_code == 404
    settings.KINERJA_SIASN_URL = "http://127.0.0.1:9/apisiasn/1.0"
    r = client_as(org.admin_a).post(url)
    assert r.status_code == 202
    job = Job.objects.get(pk=r.json()["job"])
    assert job.task == "siasn.kirim" and job.kwargs["paksa"] is True
    assert job.instansi_id == org.instansi_a.pk and job.dibuat_oleh_id == org.admin_a.pk


def test_the_schema_documents_the_siasn_routes_and_their_filters(org, client_as):
    r = client_as(org.admin_a).get("/api/v1/schema/", {"format": "json"})
    paths = r.json()["paths"]
    for p, params in [
        ("/api/v1/siasn/skp22/", {"tahun", "pegawai", "unit_kerja"}),
        ("/api/v1/siasn/kinerja-periodik/", {"tahun", "pegawai", "unit_kerja", "urutan"}),
        ("/api/v1/siasn/kiriman/", {"tahun", "status", "jenis", "pegawai", "evaluasi"}),
    ]:
        got = {x["name"] for x in paths[p]["get"]["parameters"]}
        assert params <= got, (p, got)
    schemas = r.json()["components"]["schemas"]
    assert "kuadranKinerjaNilai" in schemas["RekamanSkp22"]["properties"]
    assert "bulanMulaiPenilaian" in schemas["RekamanPeriodik"]["properties"]
    assert "/api/v1/siasn/kiriman/{id}/kirim-ulang/" in paths
    assert dt.date.today()  # the schema is generated from the code, not stored
