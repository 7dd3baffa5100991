"""Per-SKP and per-pegawai page-cache versions (kinerja.cache_cakupan, kinerja.cache_halaman).

A write to one SKP's rows ends the cached pages that show that SKP, not every page of its
instansi; feedback ends the team pages that count it. The hard constraint, checked mechanically
for every cached page kind: a write that changes what a page shows never leaves it served.

- `test_every_table_a_page_reads_is_covered`: the SQL each page runs when rendered; every table
  in it must be followed by a version the page reads, at the level its writes bump.
- `test_every_row_whose_change_shows_ends_the_page`: every row of the narrowed tables (SKP parts,
  SKP stamps, feedback), changed one at a time: if the page's bytes change, the versions that
  write ends meet the versions the page read.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinerja import cache_cakupan, cache_halaman
from kinerja.cache_cakupan import GLOBAL, SEMUA, instansi_key, pegawai_key, skp_key, tahap_key
from kinerja.cache_halaman import HEADER
from tests.kinerja.cache_bantu import commit as _commit
from tests.kinerja.cache_bantu import kunci as _kunci

pytestmark = pytest.mark.django_db


# --- the world: a leader's SKP, a draft under it, an approved SKP with a final evaluation ------
class Dunia:
    pass


@pytest.fixture
def dunia(org, on, django_capture_on_commit_callbacks):
    from dialog.models import UmpanBalik
    from skp.models import SKP, RencanaHasilKerja
    from tests.evaluasi.conftest import final, skp_disetujui

    cap = django_capture_on_commit_callbacks
    d = Dunia()
    d.org = org
    d.penilai = org.pegawai.pejabat_penilai

    def build():
        d.skp_atasan = skp_disetujui(d.penilai, org.periode_a)
        d.skp = skp_disetujui(org.pegawai, org.periode_a)
        SKP.objects.filter(pk=d.skp.pk).update(status=SKP.Status.DRAFT)
        atasan_rhk = RencanaHasilKerja.objects.filter(skp=d.skp_atasan).order_by("urutan")[0]
        RencanaHasilKerja.objects.filter(skp=d.skp, urutan=0).update(rhk_atasan=atasan_rhk)
        d.ev_rekan = final(org, "rekan")
        d.skp_rekan = d.ev_rekan.skp
        d.skp_b = skp_disetujui(org.pegawai_b, org.periode_b)
        UmpanBalik.objects.create(
            penerima=org.pegawai,
            pemberi=d.penilai,
            hubungan="pejabat_penilai",
            jenis="apresiasi",
            isi="Awal",
            periode=org.periode_a,
            urutan=1,
            dibuat=timezone.now(),
        )

    _commit(cap, build)
    return d


def _klien(user) -> Client:
    c = Client()
    c.force_login(user)
    c.get(reverse("notifikasi_list"))  # the CSRF cookie a signed-in browser has
    return c


def _halaman(d: Dunia) -> list[tuple[str, object, str]]:
    """(kind, user, url): every cached page kind, as the people of the January mix see it."""
    org = d.org
    tim = reverse("evaluasi:tim")
    dist = reverse("evaluasi:distribusi")
    return [
        ("skp", org.pegawai.user, reverse("skp:detail", args=[d.skp.pk])),
        ("skp", d.penilai.user, reverse("skp:detail", args=[d.skp.pk])),
        ("skp", d.penilai.user, reverse("skp:detail", args=[d.skp_atasan.pk])),
        ("skp", org.rekan.user, reverse("skp:detail", args=[d.skp_rekan.pk])),
        ("tim", d.penilai.user, tim),
        ("tim", d.penilai.user, tim + "?jendela=1"),
        ("distribusi", org.admin_a, dist),
        ("distribusi", org.admin_a, f"{dist}?cakupan=unit&unit={org.pegawai.unit_kerja_id}"),
        ("distribusi", d.penilai.user, dist + "?cakupan=tim"),
        ("api", org.admin_a, "/api/v1/pegawai/?page_size=50"),
        ("kelengkapan", org.admin_a, reverse("evaluasi:tutup_tahun")),
    ]


_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def _render(client, url, monkeypatch):
    """One fresh render: (normalised bytes, the versions its cache entry read, SELECTs run)."""
    from django.core.cache import cache

    cache.clear()
    cache_halaman._dugaan.clear()
    need: list[tuple] = []
    real = cache_halaman._wajib

    def wajib(request, instansi):
        keys = real(request, instansi)
        if instansi is not None:
            need.append(keys)
        return keys

    monkeypatch.setattr(cache_halaman, "_wajib", wajib)
    selects: list[str] = []

    def rekam(execute, sql, params, many, context):
        if sql.lstrip()[:6].upper() == "SELECT" or sql.lstrip()[:4].upper() == "WITH":
            selects.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(rekam):
        r = client.get(url)
    monkeypatch.setattr(cache_halaman, "_wajib", real)
    assert r.status_code == 200, (url, r.status_code)
    assert r[HEADER] == "miss"
    assert need, f"{url}: never stored, so nothing to check"
    return _CSRF.sub(r"\1-", r.content.decode()), set(need[-1]), selects


# --- 1. every table a page reads is followed by a version it reads ------------------------------
def _tabel_semua() -> list[str]:
    names = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    return sorted(names, key=len, reverse=True)


# Plumbing tables a cached page may read although their writes bump no data version: why.
_ABAI_BOLEH = {
    "django_session": "the cache key is made of the session's key and data",
    "kinerja_notifikasi": "the unread count: the user's own version (cakupan.pengguna_key)",
    "kinerja_job": "the completeness page shows its close's job: never stored until that job "
    "succeeded, its last state (tests/evaluasi/test_kelengkapan_cache.py)",
}


_KATA = {"ON", "WHERE", "INNER", "LEFT", "JOIN", "GROUP", "ORDER", "LIMIT", "AND", "USING"}


def _cap_dibaca(sql: str) -> bool:
    """The statement reads an SKP's change stamps (SKP_CAP) through skp_skp or an alias of it."""
    names = ["skp_skp"]
    for m in re.finditer(r'\bskp_skp"?\s+(?:AS\s+)?"?(\w+)"?', sql, re.I):
        if m.group(1).upper() not in _KATA:
            names.append(m.group(1))
    if re.search(r"SELECT\s+\*|\.\*", sql):
        return True
    cols = "|".join(cache_cakupan.SKP_CAP)
    return any(re.search(rf'(?<![\w])"?{n}"?\."?(?:{cols})\b', sql) for n in names)


def _tingkat(tabel: str) -> str:
    """What a write to the table bumps (kinerja.cache_cakupan's classes)."""
    q = f'"{tabel}"'
    if q.startswith(cache_cakupan._ABAI_TABEL):
        return "abai"
    if tabel in cache_cakupan.BAGIAN_SKP:
        return "skp"
    if tabel in cache_cakupan.BAGIAN_PEGAWAI:
        return "pegawai"
    if tabel in cache_cakupan.BUKAN_HALAMAN_SKP:
        return "agregat"
    if tabel.startswith(cache_cakupan._APPS) or q in cache_cakupan._TABEL_LAIN:
        return "instansi"
    return "global"


def _punya(need: set[str], awalan: str) -> bool:
    return SEMUA in need or any(k.startswith(awalan) for k in need)


def test_every_table_a_page_reads_is_covered(dunia, monkeypatch):
    tables = _tabel_semua()
    kinds = set()
    for kind, user, url in _halaman(dunia):
        body, need, selects = _render(_klien(user), url, monkeypatch)
        assert GLOBAL in need
        kinds.add(kind)
        read: set[str] = set()
        for sql in selects:
            for t in tables:
                if re.search(rf'(?<![\w"]){re.escape(t)}(?![\w"])|"{re.escape(t)}"', sql):
                    read.add(t)
            if re.search(r"\bskp_skp\b", sql) and _cap_dibaca(sql):
                # The SKP's stamps: their writes end only that SKP's version.
                assert _punya(need, "kinerja:data:versi:s:"), (url, sql[:300])
        for t in sorted(read):
            level = _tingkat(t)
            where = f"{kind} {url} reads {t} ({level}) but reads only {sorted(need)}"
            if level == "abai":
                assert t in _ABAI_BOLEH, where
            elif level == "skp":
                assert _punya(need, "kinerja:data:versi:s:"), where
            elif level == "pegawai":
                assert _punya(need, "kinerja:data:versi:p:"), where
            elif level == "agregat":  # rows whose writes end the instansi's version only
                assert _punya(need, "kinerja:data:versi:i:"), where
            elif level == "instansi":
                # The instansi's, or the SKP pages' (tahap_key): every write to the table ends
                # it but an SKP's own row, whose version the page must read for each SKP it
                # shows (the row-by-row check below, "status skp").
                assert _punya(need, "kinerja:data:versi:i:") or _punya(
                    need, "kinerja:data:versi:t:"
                ), where
                if t == "skp_skp" and not _punya(need, "kinerja:data:versi:i:"):
                    assert _punya(need, "kinerja:data:versi:s:"), where
    assert kinds == {"skp", "tim", "distribusi", "api", "kelengkapan"}


# --- 2. every row whose change shows on a page: the write ends that page -----------------------
def _perubahan(d: Dunia) -> list[tuple[str, object]]:
    """(what, write): one change to each row of the narrowed tables of this world, and for
    contrast the broader writes the January mix makes on the same pages."""
    from dialog.models import UmpanBalik
    from evaluasi.models import Evaluasi
    from kinerja.models import Pegawai
    from skp.models import SKP, EkspektasiPerilaku, Indikator, RencanaHasilKerja

    out: list[tuple[str, object]] = []
    for r in RencanaHasilKerja.objects.all():
        out.append((f"rhk {r.pk}", lambda r=r: _set(RencanaHasilKerja, r.pk, rencana="Ubah R")))
    for i in Indikator.objects.all():
        out.append(
            (f"indikator {i.pk}", lambda i=i: _set(Indikator, i.pk, indikator="Ubah I", target="7"))
        )
    for e in EkspektasiPerilaku.objects.filter(nilai__in=["berorientasi_pelayanan", "akuntabel"]):
        out.append(
            (
                f"perilaku {e.pk}",
                lambda e=e: _set(EkspektasiPerilaku, e.pk, ekspektasi_khusus="Ubah E"),
            )
        )
    stamp = timezone.now() - dt.timedelta(days=400)
    for s in SKP.objects.all():
        out.append((f"stempel skp {s.pk}", lambda s=s: _set(SKP, s.pk, diperbarui=stamp)))
        out.append((f"status skp {s.pk}", lambda s=s: _set(SKP, s.pk, status="diajukan")))
    for p in Pegawai.objects.filter(instansi=d.org.instansi_a):
        pemberi = d.org.kadis if p.pk != d.org.kadis.pk else d.org.sekda

        def beri(p=p, pemberi=pemberi):
            for u in (1, 2, 3, 4):  # one per window (bulk_create's UNNEST is not read: global)
                UmpanBalik.objects.create(
                    penerima=p,
                    pemberi=pemberi,
                    hubungan="lainnya",
                    jenis="perbaikan",
                    isi="Ubah U",
                    periode=d.org.periode_a,
                    urutan=u,
                    dibuat=timezone.now(),
                )

        out.append((f"umpan balik {p.pk}", beri))
    for e in Evaluasi.objects.all():
        out.append((f"evaluasi {e.pk}", lambda e=e: _set(Evaluasi, e.pk, predikat="kurang")))
    return out


def _set(model, pk, **values) -> None:
    model.objects.filter(pk=pk).update(**values)


def test_every_row_whose_change_shows_ends_the_page(
    dunia, monkeypatch, django_capture_on_commit_callbacks
):
    pages = [(k, _klien(u), url) for k, u, url in _halaman(dunia)]
    before = {url + str(id(c)): _render(c, url, monkeypatch)[:2] for _, c, url in pages}
    seen = {"skp": 0, "tim": 0, "distribusi": 0}
    spared = 0
    for what, write in _perubahan(dunia):
        sid = transaction.savepoint()
        keys = _kunci(django_capture_on_commit_callbacks, write)
        assert keys, what
        for kind, c, url in pages:
            body0, need = before[url + str(id(c))]
            body = _render(c, url, monkeypatch)[0]
            if body != body0:
                seen[kind] = seen.get(kind, 0) + 1
                assert keys & need or (SEMUA in need and keys - {GLOBAL}), (
                    f"{what} changes {kind} {url} but ends only {sorted(keys)}; the page read "
                    f"{sorted(need)}"
                )
            elif not keys & need and GLOBAL not in keys:
                spared += 1
        transaction.savepoint_rollback(sid)
    # The check saw changes on every kind of stage page, and narrower versions spared some.
    assert all(seen[k] for k in ("skp", "tim", "distribusi")), seen
    assert spared


# --- 3. examples ------------------------------------------------------------------------------
def _get(client, url):
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r


def _hangat(client, url) -> None:
    """Cached under the page's own versions: the first render read SEMUA (its scope unknown
    until rendered), any write moves that, and the next render reads the page's own."""
    _get(client, url)
    cache_halaman.versi_naik({SEMUA})
    assert _get(client, url)[HEADER] == "miss"
    assert _get(client, url)[HEADER] == "hit"


def test_editing_one_skp_leaves_another_skps_page_served(dunia, django_capture_on_commit_callbacks):
    """Fails on the instansi-wide version: every write in the instansi ended every page."""
    from skp import services as skp_services
    from skp.models import RencanaHasilKerja

    cap = django_capture_on_commit_callbacks
    org = dunia.org
    rekan, saya = _klien(org.rekan.user), _klien(org.pegawai.user)
    penilai = _klien(dunia.penilai.user)
    url_rekan = reverse("skp:detail", args=[dunia.skp_rekan.pk])
    url_saya = reverse("skp:detail", args=[dunia.skp.pk])
    tim, dist = reverse("evaluasi:tim"), reverse("evaluasi:distribusi")
    admin = _klien(org.admin_a)
    for c, url in ((rekan, url_rekan), (saya, url_saya), (penilai, tim), (admin, dist)):
        _hangat(c, url)
    rhk = RencanaHasilKerja.objects.filter(skp=dunia.skp).order_by("urutan").last()
    _commit(
        cap,
        lambda: skp_services.rhk_ubah(
            rhk=rhk,
            user=org.pegawai.user,
            rencana="Rencana yang baru saja diubah",
            indikator=[{"aspek": "kuantitas", "indikator": "Jumlah", "target": "5"}],
        ),
    )
    assert _get(rekan, url_rekan)[HEADER] == "hit", "another SKP's write ended this SKP's page"
    assert _get(penilai, tim)[HEADER] == "hit"
    assert _get(admin, dist)[HEADER] == "hit"
    r = _get(saya, url_saya)
    assert r[HEADER] == "miss" and "Rencana yang baru saja diubah" in r.content.decode()


def test_a_leaders_row_ends_the_pages_of_the_skps_that_intervene_in_it(
    dunia, django_capture_on_commit_callbacks
):
    from skp.models import RencanaHasilKerja

    saya = _klien(dunia.org.pegawai.user)
    url = reverse("skp:detail", args=[dunia.skp.pk])
    _hangat(saya, url)
    row = RencanaHasilKerja.objects.filter(skp=dunia.skp_atasan).order_by("urutan")[0]
    _commit(
        django_capture_on_commit_callbacks,
        lambda: RencanaHasilKerja.objects.filter(pk=row.pk).update(rencana="Arah pimpinan baru"),
    )
    r = _get(saya, url)
    assert r[HEADER] == "miss" and "Arah pimpinan baru" in r.content.decode()


def test_a_status_change_ends_the_skp_team_and_distribution_pages_not_another_skps(
    dunia, django_capture_on_commit_callbacks
):
    """Fails on the instansi-wide status version: a submission ended every SKP page of the
    instansi (kinerja.cache_cakupan._status_skp)."""
    from skp import services as skp_services

    org = dunia.org
    saya, penilai, admin = _klien(org.pegawai.user), _klien(dunia.penilai.user), _klien(org.admin_a)
    rekan = _klien(org.rekan.user)
    url = reverse("skp:detail", args=[dunia.skp.pk])
    url_rekan = reverse("skp:detail", args=[dunia.skp_rekan.pk])
    tim, dist = reverse("evaluasi:tim"), reverse("evaluasi:distribusi")
    pages = ((saya, url), (penilai, tim), (admin, dist), (rekan, url_rekan))
    for c, u in pages:
        _hangat(c, u)
    dunia.skp.refresh_from_db()
    sid = transaction.savepoint()
    keys = _kunci(
        django_capture_on_commit_callbacks,
        lambda: skp_services.skp_ajukan(skp=dunia.skp, user=org.pegawai.user),
    )
    transaction.savepoint_rollback(sid)
    assert instansi_key(org.instansi_a.pk) in keys
    assert skp_key(dunia.skp.pk) in keys and tahap_key(org.instansi_a.pk) not in keys
    dunia.skp.refresh_from_db()
    _commit(
        django_capture_on_commit_callbacks,
        lambda: skp_services.skp_ajukan(skp=dunia.skp, user=org.pegawai.user),
    )
    for c, u in pages[:3]:
        assert _get(c, u)[HEADER] == "miss", u
    assert _get(rekan, url_rekan)[HEADER] == "hit", "another pegawai's SKP page was ended"


def test_feedback_ends_the_recipients_team_page_only(dunia, django_capture_on_commit_callbacks):
    from dialog.services import umpan_balik_beri

    org = dunia.org
    saya, penilai, admin = _klien(org.pegawai.user), _klien(dunia.penilai.user), _klien(org.admin_a)
    url = reverse("skp:detail", args=[dunia.skp.pk])
    tim, dist = reverse("evaluasi:tim"), reverse("evaluasi:distribusi")
    for c, u in ((saya, url), (penilai, tim), (admin, dist)):
        _hangat(c, u)
    keys = _kunci(
        django_capture_on_commit_callbacks,
        lambda: umpan_balik_beri(
            user=dunia.penilai.user, penerima=org.pegawai, jenis="apresiasi", isi="Bagus."
        ),
    )
    assert keys == {pegawai_key(org.pegawai.pk)}
    _commit(
        django_capture_on_commit_callbacks,
        lambda: umpan_balik_beri(
            user=dunia.penilai.user, penerima=org.pegawai, jenis="apresiasi", isi="Bagus."
        ),
    )
    assert _get(penilai, tim)[HEADER] == "miss"
    assert _get(admin, dist)[HEADER] == "hit"
    # The recipient's notification moved only their own version: their pages render again.
    assert _get(saya, url)[HEADER] == "miss"


# --- the January mix's statements, and unknown shapes -------------------------------------------
def test_the_january_mix_writes_end_only_the_skp_or_the_recipient(
    dunia, django_capture_on_commit_callbacks
):
    """The two writes of bench/locust_januari.py, through the API as the mix sends them."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from skp.models import RencanaHasilKerja

    org = dunia.org

    def api(user):
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return c

    pegawai, penilai = api(org.pegawai.user), api(dunia.penilai.user)
    rhk = RencanaHasilKerja.objects.filter(skp=dunia.skp).order_by("urutan").last()
    url = f"/api/v1/rencana-hasil-kerja/{rhk.pk}/"
    versi = pegawai.get(url).json()["row_version"]
    out = {}

    def patch():
        out["patch"] = pegawai.patch(url, {"rencana": "Baru", "row_version": versi}, format="json")

    assert _kunci(django_capture_on_commit_callbacks, patch) == {skp_key(dunia.skp.pk)}
    assert out["patch"].status_code == 200, out["patch"].content

    def post():
        out["post"] = penilai.post(
            "/api/v1/umpan-balik/",
            {"penerima": org.pegawai.pk, "jenis": "apresiasi", "isi": "Rapi."},
            format="json",
        )

    assert _kunci(django_capture_on_commit_callbacks, post) == {pegawai_key(org.pegawai.pk)}
    assert out["post"].status_code == 201, out["post"].content


def test_unknown_shapes_end_the_instansi_or_everything_never_less(
    dunia, django_capture_on_commit_callbacks
):
    from django.db.models import Q

    from dialog.models import UmpanBalik
    from skp.models import SKP, Indikator, RencanaHasilKerja

    cap = django_capture_on_commit_callbacks
    a = instansi_key(dunia.org.instansi_a.pk)
    skp = dunia.skp

    def kunci(fn):
        return _kunci(cap, fn)

    # By the period (a subquery), not by an SKP: the instansi or everything.
    keys = kunci(
        lambda: RencanaHasilKerja.objects.filter(skp__periode=dunia.org.periode_a).update(
            catatan_penilai="x"
        )
    )
    assert keys & {a, GLOBAL}
    # Many recipients in one statement (PostgreSQL: INSERT … SELECT * FROM UNNEST): not read
    # row by row, so the instansi or everything, never fewer than each recipient's version.
    penerima = [dunia.org.pegawai, dunia.org.rekan]
    keys = kunci(
        lambda: UmpanBalik.objects.bulk_create(
            UmpanBalik(
                penerima=p,
                pemberi=dunia.penilai,
                hubungan="lainnya",
                jenis="apresiasi",
                isi="Banyak",
                periode=dunia.org.periode_a,
                urutan=1,
                dibuat=timezone.now(),
            )
            for p in penerima
        )
    )
    assert keys & {a, GLOBAL} or keys == {pegawai_key(p.pk) for p in penerima}
    # An OR: everything.
    assert GLOBAL in kunci(
        lambda: Indikator.objects.filter(Q(rencana__skp=skp) | Q(urutan=9)).update(target="1")
    )
    # Any SKP column beyond its stamps: the instansi (the team page shows the status) and the
    # SKP's own version (its page, the pages that show its rows); not its SKP pages'
    # (tahap_key) unless the SKP may have moved to another pegawai or period.
    t = tahap_key(dunia.org.instansi_a.pk)
    s = skp_key(skp.pk)
    assert kunci(lambda: SKP.objects.filter(pk=skp.pk).update(catatan_penilai="c")) == {a, s}
    assert kunci(lambda: SKP.objects.filter(pk=skp.pk).update(pegawai=skp.pegawai_id)) == {a, s}
    sid = transaction.savepoint()  # moved to a pegawai with no SKP in the period, then back
    lain = dunia.org.pegawai_b
    assert kunci(lambda: SKP.objects.filter(pk=skp.pk).update(pegawai=lain)) == {a, t}
    transaction.savepoint_rollback(sid)
    assert kunci(
        lambda: SKP.objects.filter(periode=dunia.org.periode_a).update(diperbarui=timezone.now())
    ) == {a, t}
    with connection.cursor() as cur:
        # A stamp set from a subquery that hides a second column: not read as stamps only.
        sql = (
            'UPDATE "skp_skp" SET "diperbarui" = (SELECT now() WHERE 1 = %s), "status" = %s '
            'WHERE "skp_skp"."id" = %s'
        )
        assert kunci(lambda: cur.execute(sql, [1, "draft", skp.pk])) in ({a, t}, {a, s}, {GLOBAL})
        sql = 'UPDATE "skp_skp" SET "diperbarui" = now(), "status" = \'draft\' WHERE "id" = %s'
        assert kunci(lambda: cur.execute(sql, [skp.pk])) in ({a, t}, {GLOBAL})
    # Feedback moved to another recipient, or not named by its recipient: the instansi.
    ub = UmpanBalik.objects.filter(penerima=dunia.org.pegawai).first()
    assert kunci(lambda: UmpanBalik.objects.filter(pk=ub.pk).update(penerima=dunia.org.rekan)) == {
        a,
        t,
    }
    assert kunci(lambda: UmpanBalik.objects.filter(pk=ub.pk).update(isi="z")) == {a, t}
    # By the recipient alone (no period): not read as stage data at all, so everything.
    pegawai = dunia.org.pegawai
    assert kunci(lambda: UmpanBalik.objects.filter(penerima=pegawai).update(isi="z")) == {GLOBAL}
    assert kunci(
        lambda: UmpanBalik.objects.filter(penerima=pegawai, periode=dunia.org.periode_a).update(
            isi="z"
        )
    ) == {pegawai_key(pegawai.pk)}
