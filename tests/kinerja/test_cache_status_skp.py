"""An SKP's status change (ajukan, setujui, kembalikan) and the page cache: it ends exactly the
cached pages that show that status (kinerja.cache_cakupan._status_skp, `tahap_key`).

- another pegawai's SKP page in the same instansi stays served (it reads the instansi's SKP
  page version, which a status change does not bump);
- every cached page kind, as each person of the January mix sees it (the owner's and the
  penilai's view of the SKP, the leader's SKP, a colleague's, the team, distribution,
  completeness pages and the API list), is never served stale: after the write, what it serves
  is what a fresh render gives;
- a page listing the SKP's versions, and a subordinate's page showing the SKP's rows, read the
  SKP's own version.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from kinerja import cache_halaman
from kinerja.cache_cakupan import cakupan as cakupan_status
from kinerja.cache_cakupan import skp_key, tahap_key
from kinerja.cache_halaman import HEADER
from tests.kinerja import test_cache_versi_skp as _versi
from tests.kinerja.cache_bantu import commit as _commit
from tests.kinerja.cache_bantu import kunci as _kunci
from tests.kinerja.test_cache_versi_skp import _halaman, _hangat, _klien

pytestmark = pytest.mark.django_db
dunia = _versi.dunia  # the world of tests/kinerja/test_cache_versi_skp.py

_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def _isi(client: Client, url: str) -> tuple[str, str]:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r[HEADER], _CSRF.sub(r"\1-", r.content.decode())


def _segar(client: Client, url: str) -> str:
    """The page as rendered now, with nothing cached."""
    cache.clear()
    cache_halaman._dugaan.clear()
    return _isi(client, url)[1]


def _semua(d) -> list[tuple[Client, str]]:
    pages = [(_klien(u), url) for _, u, url in _halaman(d)]
    # The subordinate's page shows the leader's rows (their SKP's version); the leader's own.
    pages.append((_klien(d.penilai.user), reverse("skp:detail", args=[d.skp_atasan.pk])))
    return pages


def _tidak_basi(pages, cap, write) -> dict[str, int]:
    """Warm every page, commit `write`, then: each page serves what a fresh render gives."""
    for c, url in pages:
        _hangat(c, url)
    _commit(cap, write)
    served = [(url, *_isi(c, url)) for c, url in pages]
    hits = {"hit": 0, "miss": 0}
    for (c, url), (_, header, body) in zip(pages, served, strict=True):
        hits[header] += 1
        assert body == _segar(c, url), f"{url} served stale ({header})"
    return hits


def _ajukan(d, cap):
    from skp import services

    d.skp.refresh_from_db()
    _commit(cap, lambda: services.skp_ajukan(skp=d.skp, user=d.org.pegawai.user))
    d.skp.refresh_from_db()


def test_an_approval_leaves_another_pegawais_skp_page_served(
    dunia, django_capture_on_commit_callbacks
):
    """Fails on the instansi-wide version (an approval ended every SKP page of the instansi)."""
    from skp import services

    cap = django_capture_on_commit_callbacks
    org = dunia.org
    _ajukan(dunia, cap)
    rekan, saya = _klien(org.rekan.user), _klien(org.pegawai.user)
    url_rekan = reverse("skp:detail", args=[dunia.skp_rekan.pk])
    url_saya = reverse("skp:detail", args=[dunia.skp.pk])
    for c, url in ((rekan, url_rekan), (saya, url_saya)):
        _hangat(c, url)
    sid = transaction.savepoint()
    keys = _kunci(cap, lambda: services.skp_setujui(skp=dunia.skp, user=dunia.penilai.user))
    transaction.savepoint_rollback(sid)
    dunia.skp.refresh_from_db()
    assert skp_key(dunia.skp.pk) in keys and tahap_key(org.instansi_a.pk) not in keys
    _commit(cap, lambda: services.skp_setujui(skp=dunia.skp, user=dunia.penilai.user))
    assert _isi(rekan, url_rekan)[0] == "hit"
    header, body = _isi(saya, url_saya)
    assert header == "miss" and "Disetujui" in body


def test_no_page_is_served_stale_after_an_approval(dunia, django_capture_on_commit_callbacks):
    from skp import services

    cap = django_capture_on_commit_callbacks
    _ajukan(dunia, cap)
    hits = _tidak_basi(
        _semua(dunia),
        cap,
        lambda: services.skp_setujui(skp=dunia.skp, user=dunia.penilai.user),
    )
    assert hits["hit"] and hits["miss"], hits  # some pages were spared, some ended


def test_no_page_is_served_stale_after_a_return(dunia, django_capture_on_commit_callbacks):
    from skp import services
    from skp.models import RencanaHasilKerja

    cap = django_capture_on_commit_callbacks
    _ajukan(dunia, cap)
    rhk = RencanaHasilKerja.objects.filter(skp=dunia.skp).order_by("urutan").first()
    hits = _tidak_basi(
        _semua(dunia),
        cap,
        lambda: services.skp_kembalikan(
            skp=dunia.skp,
            user=dunia.penilai.user,
            catatan="Perbaiki <target>",
            catatan_rhk={rhk.pk: "Kurang jelas"},
        ),
    )
    assert hits["hit"] and hits["miss"], hits


def test_no_page_is_served_stale_after_a_submission(dunia, django_capture_on_commit_callbacks):
    from skp import services

    cap = django_capture_on_commit_callbacks
    dunia.skp.refresh_from_db()
    hits = _tidak_basi(
        _semua(dunia),
        cap,
        lambda: services.skp_ajukan(skp=dunia.skp, user=dunia.org.pegawai.user),
    )
    assert hits["hit"] and hits["miss"], hits


def test_a_status_change_of_the_leaders_skp_ends_the_subordinates_page(
    dunia, django_capture_on_commit_callbacks
):
    from skp.models import SKP

    cap = django_capture_on_commit_callbacks
    hits = _tidak_basi(
        _semua(dunia),
        cap,
        lambda: SKP.objects.filter(pk=dunia.skp_atasan.pk).update(status=SKP.Status.DRAFT),
    )
    assert hits["hit"], hits


def test_a_change_to_another_version_ends_the_pages_that_list_it(
    dunia, django_capture_on_commit_callbacks
):
    """The version list shows each version's place (current or not): a status-like write to one
    version ends the pages of the others, which name it (views.skp_detail's cakupan_skp)."""
    from skp import services
    from skp.models import SKP

    cap = django_capture_on_commit_callbacks
    org = dunia.org
    lama = dunia.skp_rekan
    baru = _commit(cap, lambda: services.skp_versi_baru(skp=lama, user=org.rekan.user, alasan="x"))
    rekan = _klien(org.rekan.user)
    url_lama = reverse("skp:detail", args=[lama.pk])
    _hangat(rekan, url_lama)
    sid = transaction.savepoint()
    ditulis: list[tuple] = []  # said when the keys are wrong (once seen: {i:, t:}, no s:)

    def rekam(execute, sql, params, many, context):
        ditulis.append((sql, params, cakupan_status(sql, params, many, context["connection"])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(rekam):
        keys = _kunci(cap, lambda: SKP.objects.filter(pk=baru.pk).update(terkini=False))
    transaction.savepoint_rollback(sid)
    assert skp_key(baru.pk) in keys and tahap_key(org.instansi_a.pk) not in keys, (keys, ditulis)
    _commit(cap, lambda: SKP.objects.filter(pk=baru.pk).update(terkini=False))
    header, body = _isi(rekan, url_lama)
    assert header == "miss" and body == _segar(rekan, url_lama)
