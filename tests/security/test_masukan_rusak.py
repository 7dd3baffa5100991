"""Issue 15, finding 10 / item 7 (pages): malformed input is a 400 (or the form again), never a
500. Every page is swept with garbage in each parameter its module reads from GET/POST (found in
the source, so a new parameter is swept without editing this file), as a penilai and as an admin.
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from tests.security import objects
from tests.security.harness import all_patterns, build_kwargs, fill_route
from tests.security.test_access_matrix import ROWS

# Each a different failure: not a number, empty, past bigint, negative, non-ASCII digits.
GARBAGE = ["abc", "", "99999999999999999999", "-1", "１２"]
_PARAM = re.compile(r"""request\.(GET|POST)(?:\.get\(|\.getlist\(|\[)\s*["'](\w+)["']""")
# Parameters read by shared helpers (the year, window and page selectors) on every page.
_SELALU = ("tahun", "jendela", "page")


def _params(pattern) -> dict[str, set[str]]:
    view = inspect.unwrap(pattern.pattern.callback)
    view = getattr(view, "view_class", view)
    try:
        src = inspect.getsource(inspect.getmodule(view))
    except (TypeError, OSError):
        return {}
    found: dict[str, set[str]] = defaultdict(set)
    for method, name in _PARAM.findall(src):
        found[method].add(name)
    for name in _SELALU:
        found["GET"].add(name)
    return found


def _keys() -> list[str]:
    out = []
    for key, pattern in sorted(all_patterns().items()):
        if key.startswith(("admin:", "route:admin", "api", "route:api")) or "/api/" in (
            "/" + pattern.route
        ):
            continue
        if key not in ROWS or key in ("logout", "sso_callback"):
            continue
        out.append(key)
    return out


@pytest.mark.parametrize("key", _keys())
def test_page_never_500_on_garbage(key, matrix_org, db):
    org = matrix_org
    pattern = all_patterns()[key]
    obj_name = ROWS[key][0].obj
    obj = objects.build(obj_name, org)
    path = fill_route(pattern, build_kwargs(pattern, obj))
    params = _params(pattern)
    failures = []
    for who in (org.kasubbid.user, org.superuser):
        c = Client(raise_request_exception=False)
        c.force_login(who)
        for method, names in params.items():
            for name in sorted(names):
                for value in GARBAGE:
                    cache.clear()
                    sid = transaction.savepoint()
                    if method == "GET":
                        r = c.get(path, {name: value})
                    else:
                        r = c.post(path, {name: value})
                    transaction.savepoint_rollback(sid)
                    if r.status_code >= 500:
                        failures.append(f"{who} {method} {path} {name}={value!r}: {r.status_code}")
    assert not failures, "\n".join(failures)


# The nine page forms of the finding, with the other fields they need, as the user who reaches
# the parsing (the sweep above sends one parameter at a time).
@pytest.mark.parametrize("value", ["abc", "", "99999999999999999999", "-1"])
def test_named_page_forms_answer_400_in_indonesian(matrix_org, db, client, value):
    org = matrix_org
    from skp.models import SKP
    from tests.evaluasi.conftest import skp_disetujui

    skp = skp_disetujui(org.pegawai, org.periode_a)
    SKP.objects.filter(pk=skp.pk).update(status="draft")
    cases = [
        (org.fungsional, "post", "/skp/matriks/buka/", {"tim": value}),
        (org.kabid, "get", "/evaluasi/distribusi/", {"cakupan": "unit", "unit": value}),
        (
            org.admin_a,
            "post",
            "/evaluasi/kinerja-organisasi/",
            {"unit": value, "predikat": "baik", "jendela": "akhir"},
        ),
        (org.pegawai, "post", f"/skp/{skp.pk}/lampiran/", {"row_version": value}),
        (org.admin_a, "post", "/evaluasi/distribusi/justifikasi/", {"unit": value, "isi": "x"}),
        (org.kasubbid, "get", "/dialog/umpan-balik/beri/", {"permintaan": value}),
    ]
    for who, method, url, data in cases:
        user = getattr(who, "user", who)
        client.force_login(user)
        r = getattr(client, method)(url, data)
        if value == "" and r.status_code != 400:
            assert r.status_code < 500, (url, data, r.status_code)
            continue
        assert r.status_code == 400, (url, data, r.status_code)
        assert "tidak valid" in r.content.decode() or "wajib diisi" in r.content.decode(), url
