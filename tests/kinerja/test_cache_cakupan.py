"""Scoped page-cache versions (kinerja.cache_cakupan, kinerja.cache_halaman): a write ends the
cached pages of its own instansi only; plumbing ends none; organisation data ends all; and a
write that changes what a page shows never leaves it served stale."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja import cache_halaman
from kinerja.cache_cakupan import GLOBAL, instansi_key, pegawai_key, skp_key, tahap_key
from kinerja.cache_halaman import HEADER
from tests.kinerja.cache_bantu import commit as _commit
from tests.kinerja.cache_bantu import kunci as _kunci

pytestmark = pytest.mark.django_db


def _skp_draft(pegawai, periode, n=2):
    from skp.models import SKP, Indikator, RencanaHasilKerja

    skp = SKP.objects.create(
        pegawai=pegawai,
        periode=periode,
        pejabat_penilai=pegawai.pejabat_penilai,
        atasan_pejabat_penilai=pegawai.atasan_pejabat_penilai,
    )
    for i in range(n):
        r = RencanaHasilKerja.objects.create(
            skp=skp, jenis="utama", urutan=i, rencana=f"Rencana draf {i + 1}"
        )
        Indikator.objects.create(rencana=r, aspek="kuantitas", indikator="Jumlah", target="1")
    return skp


# --- what each write ends ---------------------------------------------------------------------
def test_the_january_writes_end_only_their_instansi(org, on, django_capture_on_commit_callbacks):
    from skp import services as skp_services
    from skp.models import RencanaHasilKerja

    cap = django_capture_on_commit_callbacks
    a = {instansi_key(org.instansi_a.pk)}
    t = {tahap_key(org.instansi_a.pk)}  # the SKP pages of the instansi
    skp = _commit(cap, lambda: _skp_draft(org.pegawai, org.periode_a))
    user = org.pegawai.user
    rhk = RencanaHasilKerja.objects.filter(skp=skp).order_by("urutan").first()
    # A new SKP: the instansi's (the team page shows it) and its SKP pages' (a pegawai's version
    # list); its rows: that SKP's own version.
    baru = _kunci(cap, lambda: _skp_draft(org.rekan, org.periode_a))
    assert a | t < baru and all(k.startswith("kinerja:data:versi:s:") for k in baru - a - t)
    # Editing a draft's rows ends only that SKP's pages (tests/kinerja/test_cache_versi_skp.py).
    s = {skp_key(skp.pk)}
    assert (
        _kunci(
            cap,
            lambda: skp_services.rhk_ubah(
                rhk=rhk,
                user=user,
                rencana="Rencana yang diubah",
                indikator=[{"aspek": "kuantitas", "indikator": "Jumlah", "target": "2"}],
            ),
        )
        == s
    )
    assert (
        _kunci(
            cap,
            lambda: skp_services.rhk_tambah(
                skp=skp,
                user=user,
                jenis="utama",
                rencana="Rencana baru",
                indikator=[{"aspek": "kuantitas", "indikator": "Jumlah", "target": "3"}],
            ),
        )
        == s
    )
    # Deleting a row sets NULL in rows that point to it, which may be anyone's: global.
    assert GLOBAL in _kunci(cap, lambda: skp_services.rhk_hapus(rhk=rhk, user=user))
    skp.refresh_from_db()
    # A status change: the instansi's (aggregate pages) and the SKP's own, not the SKP pages'
    # of the instansi (kinerja.cache_cakupan._status_skp).
    assert _kunci(cap, lambda: skp_services.skp_ajukan(skp=skp, user=user)) == a | {skp_key(skp.pk)}
    skp.refresh_from_db()
    penilai = org.pegawai.pejabat_penilai.user
    keys = _kunci(cap, lambda: skp_services.skp_setujui(skp=skp, user=penilai))
    assert keys >= a | {skp_key(skp.pk)} and not keys & t


def test_feedback_ends_its_instansi_or_everything_never_nothing(
    org, on, django_capture_on_commit_callbacks
):
    from dialog.services import umpan_balik_beri

    keys = _kunci(
        django_capture_on_commit_callbacks,
        lambda: umpan_balik_beri(
            user=org.kasubbid.user, penerima=org.pegawai, jenis="apresiasi", isi="Kerja bagus."
        ),
    )
    assert keys == {pegawai_key(org.pegawai.pk)}  # the team page's count of their feedback


def test_plumbing_writes_end_nothing(org, on, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from kinerja import jobs
    from kinerja.models import Job, Notifikasi, User
    from kinerja.notifikasi import notifikasi_baca, notifikasi_kirim

    cap = django_capture_on_commit_callbacks
    job = _commit(cap, lambda: jobs.enqueue("kinerja.email_notifikasi", notifikasi_id=0))
    assert _kunci(cap, lambda: Job.objects.filter(pk=job.pk).update(diperbarui=timezone.now())) == (
        set()
    )
    assert _kunci(cap, lambda: jobs.progress(job, 3, 10, "tiga dari sepuluh")) == set()
    assert (
        _kunci(
            cap,
            lambda: User.objects.filter(pk=org.admin_a.pk).update(last_login=timezone.now()),
        )
        == set()
    )
    with connection.cursor() as cur:
        keys = _kunci(
            cap, lambda: cur.execute('DELETE FROM "django_session" WHERE "expire_date" < now()')
        )
    assert keys == set()
    # A notification's rows end nothing; the recipient's own version moves (the unread count).
    before = on.get(cache_halaman.cakupan_mod.pengguna_key(org.pegawai.user_id))
    n = None

    def kirim():
        nonlocal n
        n = notifikasi_kirim(penerima=org.pegawai.user, jenis="uji", pesan="Pesan uji")

    keys = _kunci(cap, kirim)
    assert keys == set(), keys
    assert Notifikasi.objects.filter(pk=n.pk).exists()
    assert _kunci(cap, lambda: notifikasi_baca(user=org.pegawai.user, notifikasi=n)) == set()
    after = on.get(cache_halaman.cakupan_mod.pengguna_key(org.pegawai.user_id))
    assert after is not None and after != before


def test_organisation_data_and_unreadable_statements_end_everything(
    org, on, django_capture_on_commit_callbacks
):
    from django.db.models import Q

    from kinerja.models import Pegawai
    from skp.models import RencanaHasilKerja

    cap = django_capture_on_commit_callbacks
    skp = _commit(cap, lambda: _skp_draft(org.pegawai, org.periode_a))
    assert _kunci(
        cap, lambda: Pegawai.objects.filter(pk=org.pegawai.pk).update(nama="Nama Baru")
    ) == {GLOBAL}
    # An OR could reach rows of another SKP: not read, so global.
    # (the SKP's "changed" stamp that follows is that SKP's instansi's)
    assert GLOBAL in _kunci(
        cap,
        lambda: RencanaHasilKerja.objects.filter(Q(skp=skp) | Q(urutan=99)).update(rencana="x"),
    )
    assert GLOBAL in _kunci(
        cap,
        lambda: RencanaHasilKerja.objects.exclude(skp=skp).update(rencana="y"),
    )
    # Rows moved to an SKP from anywhere: the SET names only where they go, so global.
    assert GLOBAL in _kunci(
        cap, lambda: RencanaHasilKerja.objects.filter(urutan=98).update(skp=skp)
    )
    # A user row whose SET cannot be read is never taken for a last_login touch.
    with connection.cursor() as cur:
        keys = _kunci(
            cap,
            lambda: cur.execute(
                'UPDATE "kinerja_user" SET is_active = true WHERE "id" = %s', [org.admin_a.pk]
            ),
        )
    assert keys == {GLOBAL}
    # By the SKP, also beside a NOT: only that SKP's version.
    assert _kunci(
        cap,
        lambda: (
            RencanaHasilKerja.objects.filter(skp=skp)
            .exclude(catatan_penilai="")
            .update(catatan_penilai="")
        ),
    ) == {skp_key(skp.pk)}
    assert _kunci(cap, lambda: RencanaHasilKerja.objects.filter(skp=skp).update(rencana="z")) == {
        skp_key(skp.pk)
    }


# --- pages: another instansi's write leaves them served; their own write never stale ----------
def _cookie(client):
    client.get(reverse("notifikasi_list"))
    return client


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r, len(ctx.captured_queries)


def _tulis_di_a(org, cap, teks: str):
    """A pegawai of instansi A edits their SKP (stage data of A only)."""
    from skp.models import SKP, RencanaHasilKerja

    skp = SKP.objects.filter(pegawai=org.rekan, periode=org.periode_a).first()
    if skp is None:
        skp = _commit(cap, lambda: _skp_draft(org.rekan, org.periode_a, n=1))
    _commit(cap, lambda: RencanaHasilKerja.objects.filter(skp=skp).update(rencana=teks))


def _halaman_b(org, client_as, cap, page):
    """(client, url, a write that changes what the page shows, text to find after it)."""
    from evaluasi.models import Evaluasi
    from kinerja.models import Pegawai
    from skp.models import SKP, RencanaHasilKerja

    pb = org.pegawai_b
    if page == "skp":
        skp = _commit(cap, lambda: _skp_draft(pb, org.periode_b))
        rhk = RencanaHasilKerja.objects.filter(skp=skp).order_by("urutan").first()
        return (
            _cookie(client_as(pb.user)),
            reverse("skp:detail", args=[skp.pk]),
            lambda: RencanaHasilKerja.objects.filter(pk=rhk.pk).update(rencana="Isi baru RHK B"),
            "Isi baru RHK B",
        )
    if page == "tim":
        skp = _commit(cap, lambda: _skp_draft(pb, org.periode_b))
        return (
            _cookie(client_as(pb.pejabat_penilai.user)),
            reverse("evaluasi:tim"),
            lambda: SKP.objects.filter(pk=skp.pk).update(status=SKP.Status.DIAJUKAN),
            None,
        )
    if page == "distribusi":

        def final():
            Evaluasi.objects.create(
                pegawai=pb,
                periode=org.periode_b,
                jenis="tahunan",
                status="final",
                rating_hasil_kerja="diatas_ekspektasi",
                rating_perilaku_kerja="diatas_ekspektasi",
                predikat="sangat_baik",
            )

        return (
            _cookie(client_as(org.admin_b)),
            reverse("evaluasi:distribusi"),
            final,
            None,
        )
    return (
        client_as(org.admin_b),
        "/api/v1/pegawai/?page_size=50",
        lambda: Pegawai.objects.filter(pk=pb.pk).update(nama="Nama Pegawai B Baru"),
        "Nama Pegawai B Baru",
    )


@pytest.mark.parametrize("page", ["skp", "tim", "distribusi", "api"])
def test_a_write_in_instansi_a_leaves_b_pages_served_and_bs_own_write_ends_them(
    org, client_as, on, django_capture_on_commit_callbacks, page
):
    cap = django_capture_on_commit_callbacks
    client, url, tulis_b, teks = _halaman_b(org, client_as, cap, page)
    first, n_first = _get(client, url)
    assert first[HEADER] == "miss"
    second, _ = _get(client, url)
    assert second[HEADER] == "hit"
    _tulis_di_a(org, cap, "Ditulis di instansi A")
    # The first render read SEMUA (its scope unknown yet); the next reads B's own versions.
    assert _get(client, url)[0][HEADER] == "miss"
    assert _get(client, url)[0][HEADER] == "hit"
    _tulis_di_a(org, cap, "Ditulis lagi di instansi A")
    fifth, n = _get(client, url)
    assert fifth[HEADER] == "hit", "a write in instansi A ended a cached page of instansi B"
    assert n <= 1 < n_first  # at most the session row
    # B's own write that changes the page: rendered again, with the change.
    _commit(cap, tulis_b)
    after, _ = _get(client, url)
    assert after[HEADER] == "miss"
    if teks:
        assert teks in after.content.decode()


def test_a_new_notification_ends_only_its_recipients_pages(
    org, client_as, on, django_capture_on_commit_callbacks
):
    from kinerja.notifikasi import notifikasi_kirim

    cap = django_capture_on_commit_callbacks
    from django.test import Client

    kasubbid, kabid = Client(), Client()
    kasubbid.force_login(org.kasubbid.user)
    kabid.force_login(org.kabid.user)
    _cookie(kasubbid), _cookie(kabid)
    url = reverse("evaluasi:tim")
    for c in (kasubbid, kabid):
        _get(c, url)
        _get(c, url)
        assert _get(c, url)[0][HEADER] == "hit"
    _commit(
        cap, lambda: notifikasi_kirim(penerima=org.kasubbid.user, jenis="uji", pesan="Ada pesan")
    )
    assert _get(kabid, url)[0][HEADER] == "hit"
    assert _get(kasubbid, url)[0][HEADER] == "miss"


def test_skp_page_with_a_job_is_never_stored(
    org, client_as, on, django_capture_on_commit_callbacks
):
    skp = _commit(
        django_capture_on_commit_callbacks, lambda: _skp_draft(org.pegawai, org.periode_a)
    )
    c = _cookie(client_as(org.pegawai.user))
    url = reverse("skp:detail", args=[skp.pk]) + "?job=1"
    _get(c, url)
    assert _get(c, url)[0][HEADER] == "miss"


def test_skp_page_under_a_leader_row_of_another_instansi_is_never_stored(
    org, client_as, on, django_capture_on_commit_callbacks
):
    from skp.models import RencanaHasilKerja

    cap = django_capture_on_commit_callbacks
    skp = _commit(cap, lambda: _skp_draft(org.pegawai, org.periode_a, n=1))
    lain = _commit(cap, lambda: _skp_draft(org.pegawai_b, org.periode_b, n=1))
    atasan = RencanaHasilKerja.objects.get(skp=lain)
    _commit(cap, lambda: RencanaHasilKerja.objects.filter(skp=skp).update(rhk_atasan=atasan))
    c = _cookie(client_as(org.pegawai.user))
    url = reverse("skp:detail", args=[skp.pk])
    _get(c, url)
    assert _get(c, url)[0][HEADER] == "miss"
    # Without that row the page is cached as usual.
    _commit(cap, lambda: RencanaHasilKerja.objects.filter(skp=skp).update(rhk_atasan=None))
    _get(c, url)
    assert _get(c, url)[0][HEADER] == "hit"


def test_a_data_modifying_with_statement_is_never_left_unscoped(
    org, on, django_capture_on_commit_callbacks
):
    """The write watcher reads INSERT/UPDATE/DELETE statements; a WITH statement that writes
    a stage table outside `tulis_bersama` (which scopes its parts itself) ends everything, a
    WITH that only reads (a locking read too) or writes only plumbing ends nothing."""
    cap = django_capture_on_commit_callbacks
    skp = _commit(cap, lambda: _skp_draft(org.pegawai, org.periode_a))
    with connection.cursor() as cur:
        tulis = _kunci(
            cap,
            lambda: cur.execute(
                'WITH w AS (UPDATE "skp_skp" SET "catatan_penilai" = %s WHERE "id" = %s '
                "RETURNING id) SELECT COUNT(*) FROM w",
                ["x", skp.pk],
            ),
        )
        baca = _kunci(
            cap,
            lambda: cur.execute(
                'WITH r AS MATERIALIZED (SELECT s.id FROM "skp_skp" s WHERE s.id = %s '
                "FOR UPDATE OF s) SELECT COUNT(*) FROM r",
                [skp.pk],
            ),
        )
        pipa = _kunci(
            cap,
            lambda: cur.execute(
                'WITH d AS (DELETE FROM "kinerja_notifikasi" WHERE "id" = %s RETURNING id) '
                "SELECT COUNT(*) FROM d",
                [-1],
            ),
        )
    assert tulis == {GLOBAL}
    assert baca == set() and pipa == set()
