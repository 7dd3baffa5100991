"""A move of a row (rhk_pindah) rewrites the `urutan` of its siblings: it locks every row of the
SKP by id before the SKP (skp/services/_kunci.py). A row added while the move waits for the
SKP is not among them (it was not committed when the rows were locked), yet the move writes
it after it holds the SKP; an edit of that new row in between holds the row and waits for the
SKP: a deadlock, and PostgreSQL ends one of the two (a 409 "Perubahan belum disimpan").

Made deterministic on real PostgreSQL: this test's connection holds the SKP while it adds the
row (as rhk_tambah does), a fourth connection holds the period, so the move, once it has the
SKP, waits there (its statement locks the period FOR SHARE after the SKP) until the edit of the
new row waits for the SKP; then the period is let go."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import transaction

from skp import services
from skp.models import SKP, RencanaHasilKerja
from skp.services.rhk import _rhk_buat
from tests.skp.factories import skp_draft
from tests.skp.test_kunci_setujui import _dsn
from tests.skp.test_kunci_urutan import _pegang_skp, _tunggu, _Utas

pytestmark = pytest.mark.django_db(transaction=True)


def _dipegang(uji: psycopg.Connection, skp_id: int, *utas: _Utas) -> None:
    """Until another transaction holds the SKP (NOWAIT fails), at most 10 s."""
    batas = time.monotonic() + 10
    while True:
        try:
            uji.execute("SELECT 1 FROM skp_skp WHERE id = %s FOR UPDATE NOWAIT", [skp_id])
        except psycopg.errors.LockNotAvailable:
            return
        selesai = [(u.hasil, u.galat) for u in utas if not u.is_alive()]
        assert not selesai and time.monotonic() < batas, f"the SKP is not held: {selesai}"
        time.sleep(0.02)


def test_a_move_and_an_edit_of_a_row_added_meanwhile_both_go_through(org):
    skp = skp_draft(org, n_rhk=2)
    a, b = skp.rencana_set.order_by("urutan", "id")
    periode = psycopg.connect(**_dsn())
    uji = psycopg.connect(**_dsn(), autocommit=True)
    pindah = _Utas(
        lambda: services.rhk_pindah(
            rhk=RencanaHasilKerja(pk=b.pk), user=org.pegawai.user, arah="turun"
        )
    )
    try:
        periode.execute(
            "SELECT 1 FROM kinerja_periode WHERE id = %s FOR NO KEY UPDATE", [skp.periode_id]
        )
        with transaction.atomic():
            _pegang_skp(skp.pk)  # as rhk_tambah, which adds the row under the SKP's lock
            baru = _rhk_buat(
                skp=SKP.objects.get(pk=skp.pk), jenis=a.jenis, rencana="Rencana yang baru"
            )
            pindah.start()
            _tunggu(1, pindah)  # the move holds a and b, and waits for the SKP
        _dipegang(uji, skp.pk, pindah)  # the row is in; the move has the SKP, waits for the period
        ubah = _Utas(
            lambda: services.rhk_ubah(
                rhk=RencanaHasilKerja(pk=baru.pk), user=org.pegawai.user, rencana="Diubah"
            )
        )
        ubah.start()
        _tunggu(2, pindah, ubah)  # the edit holds the new row and waits for the SKP
        periode.rollback()
        pindah.join(20)
        ubah.join(20)
    finally:
        periode.close()
        uji.close()
    assert pindah.galat is None, pindah.galat
    assert ubah.galat is None, ubah.galat
    urut = list(skp.rencana_set.order_by("urutan").values_list("pk", flat=True))
    assert urut == [a.pk, baru.pk, b.pk]
    assert RencanaHasilKerja.objects.get(pk=baru.pk).rencana == "Diubah"
