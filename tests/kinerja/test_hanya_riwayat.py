"""kinerja.riwayat.hanya_riwayat: the one-statement writes of issue 19 (feedback, approval, RHK
edit) write a row and its history row by hand only while simple_history is the only receiver;
any other receiver of the save (an app's, a test's: tests/security/fault_client.py pauses on
UmpanBalik's post_save) sends them through the ORM, so it is never skipped."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_save, pre_save
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from dialog.models import UmpanBalik
from kinerja.riwayat import hanya_riwayat
from skp.models import SKP, RencanaHasilKerja

MODELS = [UmpanBalik, SKP, RencanaHasilKerja]


def _receiver(**kwargs):
    return None


@pytest.mark.parametrize("model", MODELS)
def test_only_simple_history_listening_allows_the_hand_written_write(model):
    assert isinstance(hanya_riwayat(model), HistoricalRecords)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "signal,on_history",
    [(post_save, False), (pre_save, False), (pre_create_historical_record, True)],
)
def test_any_other_receiver_sends_the_write_through_the_orm(model, signal, on_history):
    sender = model.history.model if on_history else model
    signal.connect(_receiver, sender=sender, weak=False)
    try:
        assert hanya_riwayat(model) is None
    finally:
        signal.disconnect(_receiver, sender=sender)
    assert hanya_riwayat(model) is not None


@pytest.mark.django_db
def test_a_post_save_receiver_sees_the_feedback_row(org):
    from dialog import services

    seen = []

    def dilihat(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    post_save.connect(dilihat, sender=UmpanBalik, weak=False)
    try:
        ub = services.umpan_balik_beri(
            user=org.kasubbid.user, penerima=org.pegawai, jenis="apresiasi", isi="Kerja bagus"
        )
    finally:
        post_save.disconnect(dilihat, sender=UmpanBalik)
    assert seen == [(ub.pk, True)]
