"""Access matrix, issue 15 extension: a colleague's (or another instansi's pegawai's) POST to
every API create endpoint that takes an existing object's key reveals nothing: the answer for
the key of an object they may not see is the answer for a key that does not exist, and nothing
is written. (Finding 2 was such a create answering 201 with a colleague's draft evaluation.)"""

from __future__ import annotations

import json

import pytest

from evaluasi.models import Evaluasi, Keberatan, KinerjaOrganisasi
from skp.models import SKP, MatriksPeranHasil
from tests.evaluasi.conftest import final, ko, skp_disetujui

pytestmark = pytest.mark.django_db

HILANG = 987654


@pytest.fixture
def dunia(org):
    ev = final(org)
    skp = SKP.objects.filter(pegawai=org.pegawai).first() or skp_disetujui(
        org.pegawai, org.periode_a
    )
    rhk = skp.rencana_set.first() if hasattr(skp, "rencana_set") else None
    if rhk is None:
        from skp.models import RencanaHasilKerja

        rhk = RencanaHasilKerja.objects.filter(skp=skp).first()
    ko(org, org.unit_bidang, "baik")
    return {"ev": ev, "skp": skp, "rhk": rhk}


def _cases(org, d):
    p = org.periode_a.pk
    return [
        # (endpoint, body builder(key), the key of the existing object)
        (
            "/api/v1/evaluasi/",
            lambda k: {"pegawai": k, "periode": p, "jenis": "tahunan"},
            org.pegawai.pk,
        ),
        ("/api/v1/skp/", lambda k: {"pegawai": k, "periode": p}, org.pegawai.pk),
        ("/api/v1/keberatan/", lambda k: {"evaluasi": k, "alasan": "Tidak sesuai."}, d["ev"].pk),
        (
            "/api/v1/umpan-balik/",
            lambda k: {
                "penerima": org.pegawai.pk,
                "rencana_hasil_kerja": k,
                "isi": "Bagus sekali, pertahankan.",
            },
            d["rhk"].pk,
        ),
        (
            "/api/v1/penugasan/",
            lambda k: {"penerima": k, "uraian": "Menyusun laporan", "hasil_diharapkan": "Laporan"},
            org.pegawai.pk,
        ),
        (
            "/api/v1/kinerja-organisasi/",
            lambda k: {"unit_kerja": k, "periode": p, "jenis": "tahunan", "predikat": "baik"},
            org.unit_bidang.pk,
        ),
        ("/api/v1/matriks-peran-hasil/", lambda k: {"periode": k}, p),
    ]


def _counts():
    return (
        Evaluasi.objects.count(),
        SKP.objects.count(),
        Keberatan.objects.count(),
        KinerjaOrganisasi.objects.count(),
        MatriksPeranHasil.objects.count(),
    )


def _body(r, key) -> str:
    try:
        text = json.dumps(r.json(), sort_keys=True)
    except ValueError:
        text = r.content.decode()
    return text.replace(str(HILANG), "ID").replace(f"id {key} ", "id ID ")


@pytest.mark.parametrize("who", ["pegawai_b", "rekan"])
def test_create_with_an_unseen_objects_key_answers_like_a_missing_key(org, dunia, who, client_as):
    c = client_as(org.user(who))
    for url, body, key in _cases(org, dunia):
        if who == "rekan" and url in (
            "/api/v1/kinerja-organisasi/",
            "/api/v1/matriks-peran-hasil/",
        ):
            continue  # her own instansi's unit and year: visible to her by design
        if who == "rekan" and url == "/api/v1/penugasan/":
            continue  # proposing to a colleague by key is how a penugasan is addressed
        before = _counts()
        # The other key: a missing id, or for a colleague (who may see the pegawai, not their
        # SKP or evaluation) another colleague who has no such object.
        lain = org.fungsional.pk if key == org.pegawai.pk and who == "rekan" else HILANG
        a = c.post(url, body(key), content_type="application/json")
        b = c.post(url, body(lain), content_type="application/json")
        assert a.status_code < 500 and a.status_code not in (200, 201), (url, a.status_code)
        assert (a.status_code, _body(a, key)) == (b.status_code, _body(b, lain)), url
        assert _counts() == before, url
