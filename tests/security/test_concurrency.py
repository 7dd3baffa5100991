"""No lost update: two tabs (or the browser and the API) saving the same SKP row or evaluation.

The first save wins; the second, based on the copy it loaded before, is refused with a message
and the first change is kept. The version travels as `row_version` (hidden field in pages,
field in the API)."""

from __future__ import annotations

import json

from django.test import Client

from tests.security.objects import evaluasi as make_evaluasi
from tests.security.objects import skp as make_skp

STALE_WORDS = "diubah oleh pengguna lain"  # every stage's one message (kinerja.versi.PESAN_BASI)


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _rating_post(ev, rating: str) -> dict:
    return {
        "row_version": ev.row_version,
        "rating_hasil_kerja": rating,
        "rating_perilaku_kerja": rating,
        "alasan_ubah_rating": "Sesuai catatan dialog kinerja",
        "catatan": f"Tab {rating}",
    }


def test_two_tabs_rating_one_evaluation_second_save_is_refused_and_first_kept(org):
    ev = make_evaluasi(org)
    url = f"/evaluasi/nilai/{org.pegawai.pk}/{ev.jendela_kode}/"
    tab_a, tab_b = _client(org.kasubbid.user), _client(org.kasubbid.user)
    assert tab_a.get(url).status_code == 200 and tab_b.get(url).status_code == 200
    loaded = _rating_post(ev, "diatas_ekspektasi"), _rating_post(ev, "dibawah_ekspektasi")

    r = tab_a.post(url, loaded[0])
    assert r.status_code == 302, r.content.decode()[:500]
    r = tab_b.post(url, loaded[1])
    assert r.status_code in (200, 400, 409)
    assert STALE_WORDS in r.content.decode()
    assert "Tab dibawah_ekspektasi" in r.content.decode(), "what tab B typed must be shown again"
    ev.refresh_from_db()
    assert ev.rating_hasil_kerja == "diatas_ekspektasi" and ev.catatan == "Tab diatas_ekspektasi"


def test_browser_then_api_with_the_stale_version_is_refused(org):
    from rest_framework.authtoken.models import Token

    ev = make_evaluasi(org)
    stale = ev.row_version
    url = f"/evaluasi/nilai/{org.pegawai.pk}/{ev.jendela_kode}/"
    assert (
        _client(org.kasubbid.user).post(url, _rating_post(ev, "diatas_ekspektasi")).status_code
        == 302
    )
    token = Token.objects.create(user=org.kasubbid.user).key
    r = Client().patch(
        f"/api/v1/evaluasi/{ev.pk}/",
        data=json.dumps(
            {
                "rating_hasil_kerja": "dibawah_ekspektasi",
                "rating_perilaku_kerja": "dibawah_ekspektasi",
                "row_version": stale,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert r.status_code in (400, 409), r.content
    assert STALE_WORDS in r.content.decode()
    ev.refresh_from_db()
    assert ev.rating_hasil_kerja == "diatas_ekspektasi"


def _rhk_post(rhk, rencana: str) -> dict:
    ind = list(rhk.indikator_set.all())
    data = {
        "jenis": rhk.jenis,
        "rencana": rencana,
        "row_version": rhk.row_version,
        "indikator-jumlah": len(ind),
    }
    for i, x in enumerate(ind):
        data.update(
            {
                f"indikator-{i}-aspek": x.aspek,
                f"indikator-{i}-indikator": x.indikator,
                f"indikator-{i}-target": x.target,
            }
        )
    return data


def test_two_tabs_editing_one_skp_row_second_save_is_refused_and_first_kept(org):
    skp = make_skp(org)
    rhk = skp.rencana_set.first()
    url = f"/skp/{skp.pk}/rhk/{rhk.pk}/ubah/"
    tab_a, tab_b = _client(org.pegawai.user), _client(org.pegawai.user)
    assert tab_a.get(url).status_code == 200 and tab_b.get(url).status_code == 200
    a, b = _rhk_post(rhk, "Versi tab A"), _rhk_post(rhk, "Versi tab B")
    r = tab_a.post(url, a)
    assert r.status_code in (200, 302), r.content.decode()[:300]
    r = tab_b.post(url, b)
    html = r.content.decode()
    assert STALE_WORDS in html and "Versi tab B" in html
    rhk.refresh_from_db()
    assert rhk.rencana == "Versi tab A"


def test_browser_then_api_editing_one_skp_row_with_the_stale_version_is_refused(org):
    from rest_framework.authtoken.models import Token

    skp = make_skp(org)
    rhk = skp.rencana_set.first()
    stale = rhk.row_version
    r = _client(org.pegawai.user).post(
        f"/skp/{skp.pk}/rhk/{rhk.pk}/ubah/", _rhk_post(rhk, "Dari peramban")
    )
    assert r.status_code in (200, 302)
    token = Token.objects.create(user=org.pegawai.user).key
    r = Client().patch(
        f"/api/v1/rencana-hasil-kerja/{rhk.pk}/",
        data=json.dumps({"rencana": "Dari API", "row_version": stale}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert r.status_code in (400, 409), r.content
    rhk.refresh_from_db()
    assert rhk.rencana == "Dari peramban"


def test_api_write_without_a_version_cannot_overwrite_a_newer_save(org):
    """row_version is required on API edits (evaluasi/api.py, skp/api.py): a client that
    omits it is refused (400), never overwriting a newer save."""
    from rest_framework.authtoken.models import Token

    ev = make_evaluasi(org)
    url = f"/evaluasi/nilai/{org.pegawai.pk}/{ev.jendela_kode}/"
    _client(org.kasubbid.user).post(url, _rating_post(ev, "diatas_ekspektasi"))
    token = Token.objects.create(user=org.kasubbid.user).key
    r = Client().patch(
        f"/api/v1/evaluasi/{ev.pk}/",
        data=json.dumps(
            {
                "rating_hasil_kerja": "dibawah_ekspektasi",
                "rating_perilaku_kerja": "dibawah_ekspektasi",
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert r.status_code == 400 and "row_version" in r.json(), r.content
    ev.refresh_from_db()
    assert ev.rating_hasil_kerja == "diatas_ekspektasi"
