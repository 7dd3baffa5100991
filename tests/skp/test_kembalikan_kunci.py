"""A return to draft (skp_kembalikan) takes the SKP's rows before the SKP, the order an RHK edit
takes (its row, then the SKP: skp/services/rhk.py `_rhk_lock`). Before, it held the SKP and then
wrote the rows' notes: with an edit of a row at that moment, a cycle PostgreSQL ended."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from skp import services
from skp.models import SKP, RencanaHasilKerja
from skp.services._common import _lock
from tests.skp.factories import skp_diajukan

pytestmark = pytest.mark.django_db(transaction=True)


def _serentak(skp: SKP, row: RencanaHasilKerja, kembalikan) -> dict:
    """An edit holds `row`; the return starts; the edit then takes the SKP and commits. What
    the return gave back ("ok" or "galat")."""
    hasil: dict = {}

    def jalan() -> None:
        try:
            kembalikan()
            hasil["ok"] = True
        except Exception as e:  # noqa: BLE001  the test reports it
            hasil["galat"] = e
        finally:
            connection.close()

    b = threading.Thread(target=jalan)
    with transaction.atomic():
        # The edit's first lock alone (on PostgreSQL `rencana_terkunci` takes the row and then
        # the SKP in one statement: the return may come between the two).
        RencanaHasilKerja.objects.select_for_update().get(pk=row.pk)
        b.start()
        b.join(1.5)  # the return waits (for the row now; before, for the row holding the SKP)
        assert b.is_alive()
        with connection.cursor() as cur:
            cur.execute("SET LOCAL lock_timeout = '5s'")
        _lock(SKP(pk=skp.pk))  # then the SKP: free, the return holds nothing yet
    b.join(10)
    return hasil


def test_a_return_with_row_notes_takes_the_rows_before_the_skp(org):
    skp = skp_diajukan(org, n_rhk=2)
    row, lain = skp.rencana_set.order_by("id")
    hasil = _serentak(
        skp,
        row,
        lambda: services.skp_kembalikan(
            skp=SKP(pk=skp.pk),
            user=org.kasubbid.user,
            catatan="",
            catatan_rhk={row.pk: "Perjelas"},
        ),
    )
    assert hasil == {"ok": True}, hasil
    assert SKP.objects.get(pk=skp.pk).status == SKP.Status.DRAFT
    assert RencanaHasilKerja.objects.get(pk=row.pk).catatan_penilai == "Perjelas"
    assert RencanaHasilKerja.objects.get(pk=lain.pk).catatan_penilai == ""


def test_a_return_clearing_the_edited_rows_old_note_takes_it_first_too(org):
    """The row edited carries a note the return clears (a general note only)."""
    skp = skp_diajukan(org, n_rhk=1)
    row = skp.rencana_set.get()
    services.skp_kembalikan(
        skp=skp, user=org.kasubbid.user, catatan="", catatan_rhk={row.pk: "Perjelas"}
    )
    services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    hasil = _serentak(
        skp,
        row,
        lambda: services.skp_kembalikan(
            skp=SKP(pk=skp.pk), user=org.kasubbid.user, catatan="Lengkapi lampiran"
        ),
    )
    assert hasil == {"ok": True}, hasil
    ini = SKP.objects.get(pk=skp.pk)
    assert ini.status == SKP.Status.DRAFT and ini.catatan_penilai == "Lengkapi lampiran"
    assert RencanaHasilKerja.objects.get(pk=row.pk).catatan_penilai == ""


def test_an_approval_clearing_the_edited_rows_note_takes_it_first_too(org):
    """The same for skp_setujui (its lock statement takes the noted rows first). An edit's
    `rencana_terkunci` holds row and SKP in one statement, so racing it could not fail on the
    old order; here the edit holds the row alone."""
    skp = skp_diajukan(org, n_rhk=1)
    row = skp.rencana_set.get()
    services.skp_kembalikan(
        skp=skp, user=org.kasubbid.user, catatan="", catatan_rhk={row.pk: "Perjelas"}
    )
    services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    hasil = _serentak(
        skp, row, lambda: services.skp_setujui(skp=SKP(pk=skp.pk), user=org.kasubbid.user)
    )
    assert hasil == {"ok": True}, hasil
    assert SKP.objects.get(pk=skp.pk).status == SKP.Status.DISETUJUI
    assert RencanaHasilKerja.objects.get(pk=row.pk).catatan_penilai == ""
