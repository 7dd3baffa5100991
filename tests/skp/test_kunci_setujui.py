"""What an approval's lock guarantees (skp/services/_kunci.py, skp/services/_setujui.py): every
row carrying a note (the approval clears them) is locked before the SKP, the rows without a
note are not; on real PostgreSQL with concurrent connections.

Round eleven's mutant "the approval locks only its first noted row" was a `LIMIT 1` in the
ARRAY that reads the rows' CTE (`ARRAY(SELECT … FROM rc ORDER BY rc.id LIMIT 1)`). On
PostgreSQL 15 that mutant is equivalent: the ARRAY's ORDER BY sorts its input, so the sort reads
the whole CTE and every noted row is locked all the same (an uncorrelated InitPlan; the CTE's
order is not known to the outer query before PostgreSQL 17); the array then holds one row, and
the approval only asks whether it is empty. The mutants that do leave rows unlocked (LIMIT 1 in
the CTE, the old EXISTS, an ARRAY without ORDER BY and with LIMIT 1) fail the test below, and
the first of them fails test_kunci_urutan's edit-during-approval test (a deadlock)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction
from django.db.models import F

from skp import services
from skp.models import SKP, RencanaHasilKerja
from tests.skp.factories import skp_draft
from tests.skp.test_kunci_urutan import _pegang_skp, _tunggu, _Utas

pytestmark = pytest.mark.django_db(transaction=True)


def _dsn() -> dict:
    s = connection.settings_dict
    dsn = {"host": s["HOST"], "port": s["PORT"] or 5432, "user": s["USER"], "dbname": s["NAME"]}
    if s.get("PASSWORD"):
        dsn["password"] = s["PASSWORD"]
    return dsn


def _tiga_bercatatan(org) -> tuple[SKP, list[int], int]:
    """A submitted SKP of four rows, the first three (by id) with a note; the noted row with
    the lowest id written again, so a scan without ORDER BY meets another noted row first."""
    skp = skp_draft(org, n_rhk=4)
    ids = list(skp.rencana_set.order_by("id").values_list("id", flat=True))
    services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    services.skp_kembalikan(
        skp=SKP(pk=skp.pk),
        user=org.kasubbid.user,
        catatan="",
        catatan_rhk={i: f"Perjelas {i}" for i in ids[:3]},
    )
    services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    RencanaHasilKerja.objects.filter(pk=ids[0]).update(catatan_penilai=F("catatan_penilai"))
    return SKP.objects.get(pk=skp.pk), ids[:3], ids[3]


def test_an_approval_waiting_for_the_skp_holds_every_noted_row_and_no_other(org):
    """While another transaction holds the SKP, the approval waits for it already holding all
    three noted rows: a fourth connection finds only the row without a note free
    (SKIP LOCKED). Holding fewer, an RHK edit of a free noted row would lock it and wait for
    the SKP, and the approval's UPDATE of the notes would then wait for the edit: a deadlock."""
    skp, bercatatan, tanpa = _tiga_bercatatan(org)
    setujui = _Utas(lambda: services.skp_setujui(skp=SKP(pk=skp.pk), user=org.kasubbid.user))
    uji = psycopg.connect(**_dsn(), autocommit=True)
    try:
        with transaction.atomic():
            _pegang_skp(skp.pk)
            setujui.start()
            _tunggu(1, setujui)  # the approval waits for the SKP
            bebas = [
                r[0]
                for r in uji.execute(
                    "SELECT id FROM skp_rencanahasilkerja WHERE skp_id = %s ORDER BY id "
                    "FOR UPDATE SKIP LOCKED",
                    [skp.pk],
                ).fetchall()
            ]
    finally:
        uji.close()
    setujui.join(20)
    assert setujui.galat is None, setujui.galat
    assert bebas == [tanpa], (bebas, bercatatan)
    assert SKP.objects.get(pk=skp.pk).status == SKP.Status.DISETUJUI
    assert not RencanaHasilKerja.objects.filter(skp=skp).exclude(catatan_penilai="").exists()


@pytest.mark.parametrize("aksi", ["ubah", "hapus"])
def test_a_change_of_the_last_noted_row_during_an_approval_waits_and_is_refused(org, aksi):
    """An edit or a delete (a stale tab) of the noted row with the highest id while the SKP is
    approved: it queues behind the approval on that row, then finds the SKP approved. With only
    the first noted row locked first it would hold its row and wait for the SKP while the
    approval, holding the SKP, waits for that row: PostgreSQL ends one of them."""
    skp, bercatatan, _ = _tiga_bercatatan(org)
    row = bercatatan[-1]
    setujui = _Utas(lambda: services.skp_setujui(skp=SKP(pk=skp.pk), user=org.kasubbid.user))
    if aksi == "ubah":
        ubah = _Utas(
            lambda: services.rhk_ubah(
                rhk=RencanaHasilKerja(pk=row), user=org.pegawai.user, rencana="Diubah"
            )
        )
    else:
        ubah = _Utas(
            lambda: services.rhk_hapus(rhk=RencanaHasilKerja(pk=row), user=org.pegawai.user)
        )
    with transaction.atomic():
        _pegang_skp(skp.pk)
        setujui.start()
        _tunggu(1, setujui)
        ubah.start()
        _tunggu(2, setujui, ubah)
    setujui.join(20)
    ubah.join(20)
    assert setujui.galat is None, setujui.galat
    pesan = " ".join(getattr(ubah.galat, "messages", [repr(ubah.galat)]))
    assert "sudah disetujui" in pesan, pesan
    assert SKP.objects.get(pk=skp.pk).status == SKP.Status.DISETUJUI
    baris = RencanaHasilKerja.objects.get(pk=row)
    assert baris.rencana != "Diubah" and baris.catatan_penilai == ""
