"""Issue 15, finding 9 (pages and admin): another instansi's ids cannot be told from ids that do
not exist. The admin history answered 403 for a foreign object and 404 for a missing one; page
forms answer the same for both."""

from __future__ import annotations

import re

import pytest

from kinerja.models import Jabatan, Pegawai, Periode, TimKerja, UnitKerja, User

pytestmark = pytest.mark.django_db

HILANG = 987654


@pytest.fixture
def admin_a(org, client_as):
    User.objects.filter(pk=org.admin_a.pk).update(is_staff=True)
    org.admin_a.refresh_from_db()
    return client_as(org.admin_a)


def _jawaban(r, pk) -> tuple[int, str]:
    return r.status_code, getattr(r, "url", "").replace(str(pk), "ID")


def _isi(r) -> str:
    """The page without what differs per request (nonces, CSRF tokens)."""
    html = re.sub(r'(nonce|csrfmiddlewaretoken|value|content)="[^"]*"', "", r.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


@pytest.mark.parametrize("suffix", ["history/", "change/", "delete/", "history/1/"])
@pytest.mark.parametrize(
    ("label", "asing"),
    [
        ("kinerja/pegawai", lambda org: org.pegawai_b.pk),
        ("kinerja/unitkerja", lambda org: UnitKerja.objects.filter(instansi=org.instansi_b)[0].pk),
        (
            "kinerja/jabatan",
            lambda org: Jabatan.objects.filter(unit_kerja__instansi=org.instansi_b)[0].pk,
        ),
        ("kinerja/periode", lambda org: org.periode_b.pk),
        ("kinerja/instansi", lambda org: org.instansi_b.pk),
        ("kinerja/user", lambda org: org.admin_b.pk),
    ],
)
def test_admin_answers_a_foreign_id_like_a_missing_one(org, admin_a, label, asing, suffix):
    pk = asing(org)
    foreign = _jawaban(admin_a.get(f"/admin/{label}/{pk}/{suffix}"), pk)
    missing = _jawaban(admin_a.get(f"/admin/{label}/{HILANG}/{suffix}"), HILANG)
    assert foreign == missing
    assert foreign[0] in (302, 403, 404)


def test_page_forms_answer_a_foreign_id_like_a_missing_one(org, client_as):
    tim_b = TimKerja.objects.create(instansi=org.instansi_b, nama="Tim B", ketua=org.pegawai_b)
    unit_b = UnitKerja.objects.filter(instansi=org.instansi_b)[0]
    cases = [
        (org.kasubbid, "get", "/dialog/umpan-balik/beri/?penerima={}", org.pegawai_b.pk),
        (org.fungsional, "post", "/skp/matriks/buka/", tim_b.pk),
        (org.kabid, "get", "/evaluasi/distribusi/?cakupan=unit&unit={}", unit_b.pk),
        (org.kasubbid, "get", "/dialog/pegawai/{}/tahun/2026/", org.pegawai_b.pk),
    ]
    for who, method, url, foreign_id in cases:
        c = client_as(who.user)

        def ask(pk, c=c, method=method, url=url):
            if method == "post":
                return c.post(url, {"tim": pk})
            return c.get(url.format(pk))

        a, b = ask(foreign_id), ask(HILANG)
        assert (a.status_code, _isi(a)) == (b.status_code, _isi(b)), url
        assert Pegawai.objects.filter(pk=org.pegawai_b.pk).exists()
        assert Periode.objects.count() == 2
