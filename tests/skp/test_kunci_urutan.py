"""One lock order for every change of an SKP (skp/services/_kunci.py: its rows by id, the SKP,
its period FOR SHARE), on real PostgreSQL with concurrent connections, and what a user gets
when PostgreSQL still ends a change for a deadlock (kinerja.versi.Serentak: a refusal in
Indonesian, 409 in the API, nothing changed, the form again with what was typed).

The races are made deterministic by a third connection holding the SKP while the others queue
behind it (each waits where the test says, seen in pg_stat_activity), then letting go."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from rest_framework.authtoken.models import Token

from kinerja.versi import PESAN_SERENTAK
from skp import services
from skp.models import SKP, RencanaHasilKerja
from tests.skp.factories import skp_draft

pytestmark = pytest.mark.django_db(transaction=True)

PESAN_SETUJUI = "Hanya SKP yang diajukan yang dapat disetujui."
PESAN_KEMBALIKAN = "Hanya SKP yang diajukan yang dapat dikembalikan."


def _menunggu_kunci() -> int:
    """Backends of this database waiting for a row lock now."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")  # else kept for the whole transaction
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cur.fetchone()[0]


def _tunggu(n: int, *utas: _Utas) -> None:
    """Until `n` other backends wait for a lock (at most 10 s)."""
    batas = time.monotonic() + 10
    while _menunggu_kunci() < n:
        selesai = [(u.hasil, u.galat) for u in utas if not u.is_alive()]
        assert not selesai and time.monotonic() < batas, f"not {n} waiting: {selesai}"
        time.sleep(0.02)


class _Utas(threading.Thread):
    """`fn` on its own connection; its result or its exception."""

    def __init__(self, fn: Callable) -> None:
        super().__init__(daemon=True)
        self.fn, self.hasil, self.galat = fn, None, None

    def run(self) -> None:
        try:
            self.hasil = self.fn()
        except Exception as e:  # noqa: BLE001  the test reports it
            self.galat = e
        finally:
            connection.close()


def _api(user) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def _pegang_skp(pk: int) -> None:
    """In the caller's transaction: the SKP held FOR UPDATE (as any change of it would)."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '15s'")
        cur.execute("SELECT id FROM skp_skp WHERE id = %s FOR UPDATE", [pk])


def _bercatatan(org, n_rhk: int) -> tuple[SKP, list[RencanaHasilKerja]]:
    """A submitted SKP whose rows all carry a note, the row with the higher id first in the
    SKP's order (jenis, urutan, id): that order and the id order differ."""
    skp = skp_draft(org, n_rhk=n_rhk)
    rows = list(skp.rencana_set.order_by("id"))
    for urutan, r in enumerate(reversed(rows), start=1):
        RencanaHasilKerja.objects.filter(pk=r.pk).update(urutan=urutan)
    services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    services.skp_kembalikan(
        skp=SKP(pk=skp.pk),
        user=org.kasubbid.user,
        catatan="",
        catatan_rhk={r.pk: f"Perjelas {r.pk}" for r in rows},
    )
    services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    # The row first in the SKP's order written again, so it is the table's last (a scan
    # without ORDER BY, as the approval's was, then meets another row first).
    pertama = RencanaHasilKerja.objects.filter(skp=skp).order_by("jenis", "urutan", "id")[0]
    RencanaHasilKerja.objects.filter(pk=pertama.pk).update(catatan_penilai=F("catatan_penilai"))
    return SKP.objects.get(pk=skp.pk), rows


def test_an_approval_and_a_return_at_once_end_one_done_and_one_refused(org):
    """Two penilai (or one in two tabs) approve and return the same SKP at the same instant.
    Before, the approval took its first noted row (scan order) and the return took the rows in
    (jenis, urutan, id) order: each held a row the other wanted, PostgreSQL ended one (a 503
    saying the database was unreachable). Now both take the rows by id: the approval goes
    through, the return is refused in Indonesian, both through the API."""
    skp, rows = _bercatatan(org, n_rhk=3)
    rv = skp.row_version
    penilai = org.kasubbid.user
    setujui = _Utas(
        lambda: _api(penilai).post(
            f"/api/v1/skp/{skp.pk}/setujui/", {"row_version": rv}, "application/json"
        )
    )
    kembalikan = _Utas(
        lambda: _api(penilai).post(
            f"/api/v1/skp/{skp.pk}/kembalikan/",
            {"catatan": "Lengkapi", "row_version": rv},
            "application/json",
        )
    )
    with transaction.atomic():
        _pegang_skp(skp.pk)
        setujui.start()
        # The approval waits for the SKP (holding its rows; before, its first one).
        _tunggu(1, setujui)
        kembalikan.start()
        _tunggu(2)  # the return waits for a row
    setujui.join(20)
    kembalikan.join(20)
    assert setujui.galat is None and kembalikan.galat is None, (setujui.galat, kembalikan.galat)
    assert setujui.hasil.status_code == 200, setujui.hasil.content
    assert kembalikan.hasil.status_code == 400, kembalikan.hasil.content
    assert kembalikan.hasil.json() == {"non_field_errors": [PESAN_KEMBALIKAN]}
    ini = SKP.objects.get(pk=skp.pk)
    assert ini.status == SKP.Status.DISETUJUI and ini.catatan_penilai == ""
    assert not RencanaHasilKerja.objects.filter(skp=skp).exclude(catatan_penilai="").exists()


def test_a_return_then_an_approval_at_once_end_the_other_way_round(org):
    """The same race with the return first in the queue: it goes through, the approval is
    refused in Indonesian."""
    skp, rows = _bercatatan(org, n_rhk=3)
    rv = skp.row_version
    penilai = org.kasubbid.user
    kembalikan = _Utas(
        lambda: _api(penilai).post(
            f"/api/v1/skp/{skp.pk}/kembalikan/",
            {"catatan": "Lengkapi", "row_version": rv},
            "application/json",
        )
    )
    setujui = _Utas(
        lambda: _api(penilai).post(
            f"/api/v1/skp/{skp.pk}/setujui/", {"row_version": rv}, "application/json"
        )
    )
    with transaction.atomic():
        _pegang_skp(skp.pk)
        kembalikan.start()
        _tunggu(1)
        setujui.start()
        _tunggu(2)
    kembalikan.join(20)
    setujui.join(20)
    assert kembalikan.galat is None and setujui.galat is None, (kembalikan.galat, setujui.galat)
    assert kembalikan.hasil.status_code == 200, kembalikan.hasil.content
    assert setujui.hasil.status_code == 400, setujui.hasil.content
    assert setujui.hasil.json() == {"non_field_errors": [PESAN_SETUJUI]}
    ini = SKP.objects.get(pk=skp.pk)
    assert ini.status == SKP.Status.DRAFT and ini.catatan_penilai == "Lengkapi"


@pytest.mark.parametrize("ke", [0, 1])
def test_an_approval_takes_every_noted_row_before_the_skp(org, ke):
    """An edit of a noted row (a stale tab) while the SKP is approved. Before, the approval's
    lock statement read its noted rows with EXISTS, which locks only the first of them: the
    others were locked by its UPDATE after the SKP, while the edit held one and waited for the
    SKP. Now every noted row is locked first: the approval goes through, the edit is refused
    (the SKP is approved), nothing else."""
    skp, rows = _bercatatan(org, n_rhk=2)
    row = rows[ke]
    setujui = _Utas(lambda: services.skp_setujui(skp=SKP(pk=skp.pk), user=org.kasubbid.user))
    ubah = _Utas(
        lambda: services.rhk_ubah(
            rhk=RencanaHasilKerja(pk=row.pk), user=org.pegawai.user, rencana="Diubah"
        )
    )
    with transaction.atomic():
        _pegang_skp(skp.pk)
        setujui.start()
        _tunggu(1)
        ubah.start()
        _tunggu(2)
    setujui.join(20)
    ubah.join(20)
    assert setujui.galat is None, setujui.galat
    assert "sudah disetujui" in " ".join(getattr(ubah.galat, "messages", [repr(ubah.galat)]))
    assert SKP.objects.get(pk=skp.pk).status == SKP.Status.DISETUJUI
    assert RencanaHasilKerja.objects.get(pk=row.pk).rencana != "Diubah"


@pytest.mark.parametrize("aksi", ["setujui", "kembalikan", "ajukan", "versi-baru"])
def test_an_action_out_of_scope_locks_and_reads_nothing_before_its_404(org, aksi):
    """The scope is the lock statement's condition: a colleague or another instansi's admin
    asking gets the 404 of a missing id, and takes no lock first: with every row and the SKP
    held by another transaction it answers at once instead of waiting."""
    skp, rows = _bercatatan(org, n_rhk=2)
    body = {"catatan": "x", "alasan": "x"}
    for user in (org.rekan.user, org.admin_b):
        utas = _Utas(
            lambda user=user: _api(user).post(
                f"/api/v1/skp/{skp.pk}/{aksi}/", body, "application/json"
            )
        )
        with transaction.atomic():
            _pegang_skp(skp.pk)
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT id FROM skp_rencanahasilkerja WHERE skp_id = %s FOR UPDATE", [skp.pk]
                )
            utas.start()
            utas.join(5)
            menunggu = utas.is_alive()
        utas.join(20)
        assert not menunggu, f"{aksi} waited for a lock before its 404"
        r = utas.hasil
        assert r.status_code == 404 and r.content == b'{"detail":"Tidak ditemukan."}', r.content
        bukan = _api(user).post(f"/api/v1/skp/987654321/{aksi}/", body, "application/json")
        assert bukan.content == r.content and bukan.status_code == 404


def _deadlock_dengan(skp: SKP, row: RencanaHasilKerja, permintaan: Callable) -> _Utas:
    """A real deadlock with `permintaan` (a request that takes `row`, then the SKP): this
    connection holds the SKP, waits until the request waits for it, then takes the row. The
    request's backend checks for a deadlock first (its default deadlock_timeout, 1 s; this one
    waits 30 s) and is the one PostgreSQL ends."""
    utas = _Utas(permintaan)
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL deadlock_timeout = '30s'")
        _pegang_skp(skp.pk)
        utas.start()
        _tunggu(1)
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM skp_rencanahasilkerja WHERE id = %s FOR UPDATE", [row.pk])
    utas.join(20)
    assert utas.galat is None, utas.galat
    return utas


def test_a_deadlock_in_the_api_is_a_409_in_indonesian_with_nothing_changed(org):
    skp, rows = _bercatatan(org, n_rhk=2)
    sebelum = (skp.row_version, list(RencanaHasilKerja.objects.filter(skp=skp).values()))
    riwayat = SKP.history.count(), RencanaHasilKerja.history.count()
    utas = _deadlock_dengan(
        skp,
        rows[0],
        lambda: _api(org.kasubbid.user).post(
            f"/api/v1/skp/{skp.pk}/kembalikan/",
            {"catatan": "Lengkapi", "row_version": skp.row_version},
            "application/json",
        ),
    )
    r = utas.hasil
    assert r.status_code == 409, r.content
    assert r.json() == {"detail": PESAN_SERENTAK}
    ini = SKP.objects.get(pk=skp.pk)
    assert ini.status == SKP.Status.DIAJUKAN
    assert (ini.row_version, list(RencanaHasilKerja.objects.filter(skp=skp).values())) == sebelum
    assert (SKP.history.count(), RencanaHasilKerja.history.count()) == riwayat


def test_a_deadlock_on_a_page_shows_the_form_again_with_what_was_typed(org):
    skp = skp_draft(org, n_rhk=1)
    row = skp.rencana_set.get()
    lama = row.rencana

    def kirim():
        c = Client()
        c.force_login(org.pegawai.user)
        return c.post(
            f"/skp/{skp.pk}/rhk/{row.pk}/ubah/",
            {
                "jenis": row.jenis,
                "rencana": "Rencana yang baru saja diketik",
                "row_version": str(row.row_version),
            },
        )

    utas = _deadlock_dengan(skp, row, kirim)
    r = utas.hasil
    teks = r.content.decode()
    assert r.status_code == 200, teks[:500]
    assert PESAN_SERENTAK in teks
    assert "Rencana yang baru saja diketik" in teks
    assert RencanaHasilKerja.objects.get(pk=row.pk).rencana == lama
