"""The tugas belajar study data (skp_tugas_belajar_atur) rewrites the SKP's academic row: it
locks that row, by id, before the SKP (skp/services/_kunci.py). An academic row written by a
first save while a second waits for the SKP is not among the rows the second locked (it was not
committed when they were locked), yet the second rewrites it after it holds the SKP; an edit of
that row in between holds the row and waits for the SKP: a deadlock, and PostgreSQL ends one of
the two (a 409 "Perubahan belum disimpan"). The same class as a move of a row
(tests/skp/test_kunci_pindah.py), with the same remedy (skp.services._common._kunci_lengkap).

Made deterministic on real PostgreSQL: this test's connection holds the SKP while it writes the
academic row (as the first save does), a fourth connection holds the period, so the second
save, once it has the SKP, waits there (its statement locks the period FOR SHARE after the SKP)
until the edit of the academic row waits for the SKP; then the period is let go."""

from __future__ import annotations

import psycopg
import pytest
from django.db import transaction

from kinerja.models import Pegawai
from skp import services
from skp.models import SKP, RencanaHasilKerja
from skp.services.rhk import _rhk_buat
from tests.skp.test_kunci_pindah import _dipegang
from tests.skp.test_kunci_setujui import _dsn
from tests.skp.test_kunci_urutan import _pegang_skp, _tunggu, _Utas

pytestmark = pytest.mark.django_db(transaction=True)

STUDI = {
    "perguruan_tinggi": "Universitas Nusa Cendana",
    "program_studi": "Manajemen",
    "jenjang": "profesi_s2_s3",
    "lokasi": "dalam_negeri",
    "akreditasi_univ": "A",
    "akreditasi_prodi": "B",
}


def test_a_study_save_and_an_edit_of_the_academic_row_added_meanwhile_both_go_through(org):
    Pegawai.objects.filter(pk=org.rekan.pk).update(status="tugas_belajar")
    org.rekan.refresh_from_db()
    skp = services.skp_buat(pegawai=org.rekan, periode=org.periode_a, user=org.rekan.user)
    assert skp.is_tugas_belajar
    assert not skp.rencana_set.filter(sumber=RencanaHasilKerja.Sumber.TUGAS_BELAJAR).exists()
    periode = psycopg.connect(**_dsn())
    uji = psycopg.connect(**_dsn(), autocommit=True)
    # No row_version: a save from a copy drawn after the first would carry the new one.
    kedua = _Utas(
        lambda: services.skp_tugas_belajar_atur(
            skp=SKP(pk=skp.pk), user=org.rekan.user, **{**STUDI, "perguruan_tinggi": "Undana"}
        )
    )
    try:
        periode.execute(
            "SELECT 1 FROM kinerja_periode WHERE id = %s FOR NO KEY UPDATE", [skp.periode_id]
        )
        with transaction.atomic():
            _pegang_skp(skp.pk)  # as the first save, which writes the row under the SKP's lock
            akademik = _rhk_buat(
                skp=SKP.objects.get(pk=skp.pk),
                jenis=RencanaHasilKerja.Jenis.UTAMA,
                rencana="Menyelesaikan pendidikan S2",
                sumber=RencanaHasilKerja.Sumber.TUGAS_BELAJAR,
                urutan=0,
            )
            kedua.start()
            _tunggu(1, kedua)  # the second save locked no academic row; it waits for the SKP
        _dipegang(uji, skp.pk, kedua)  # the row is in; the save has the SKP, waits for the period
        ubah = _Utas(
            lambda: services.rhk_ubah(
                rhk=RencanaHasilKerja(pk=akademik.pk),
                user=org.rekan.user,
                uraian_hasil="Jurnal belajar dibagikan",
            )
        )
        ubah.start()
        _tunggu(2, kedua, ubah)  # the edit holds the academic row and waits for the SKP
        periode.rollback()
        kedua.join(20)
        ubah.join(20)
    finally:
        periode.close()
        uji.close()
    assert kedua.galat is None, kedua.galat
    assert ubah.galat is None, ubah.galat
    akademik.refresh_from_db()
    assert akademik.uraian_hasil == "Jurnal belajar dibagikan"
    assert "Undana" in akademik.rencana  # the second save rewrote the row the first wrote
    rows = RencanaHasilKerja.objects.filter(skp_id=skp.pk, sumber="tugas_belajar")
    assert list(rows.values_list("pk", flat=True)) == [akademik.pk]
    assert SKP.objects.get(pk=skp.pk).tb_perguruan_tinggi == "Undana"
