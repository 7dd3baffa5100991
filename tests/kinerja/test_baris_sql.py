"""kinerja.baris_sql.objek builds, without Model.__init__, the instance Model.from_db builds:
the same __dict__ (every value and its type) and the same _state, for each model the
hand-written reads use it on, in full and deferred; and it keeps to from_db where __init__
does more (a FileField's descriptor, a receiver of the init signals)."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models.signals import post_init

from kinerja import baris_sql
from kinerja.models import Dokumen, Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja
from skp.models import SKP, EkspektasiPerilaku, Indikator, RencanaHasilKerja
from tests.skp.factories import rhk, skp_draft

pytestmark = pytest.mark.django_db

_DIBACA = (
    SKP, EkspektasiPerilaku, Indikator, RencanaHasilKerja, Pegawai, Jabatan, UnitKerja,
    Instansi, Periode, TimKerja,
)  # fmt: skip


def _baris(model, only=()):
    names, sql, _conv, _pk = baris_sql.bentuk(model, "x", only)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {sql} FROM {table} x ORDER BY x.id")
        return names, cur.fetchall()


def _keadaan(obj) -> dict:
    d = {k: (v, type(v)) for k, v in obj.__dict__.items() if k != "_state"}
    return {"dict": d, "adding": obj._state.adding, "db": obj._state.db}


def _dari_orm(model, names, row, only):
    """What from_db gives from the same converted values (objek's other path)."""
    vals = list(row)
    for pos, (fns, col) in baris_sql.bentuk(model, "x", only)[2]:
        for fn in fns:
            vals[pos] = fn(vals[pos], col, connection)
    return model.from_db(DEFAULT_DB_ALIAS, names, vals)


@pytest.mark.parametrize("model", _DIBACA, ids=lambda m: m.__name__)
def test_objek_is_from_db_for_each_model_read(org, model):
    skp = skp_draft(org, n_rhk=2)
    rhk(skp, org.pegawai.user, rencana="Tim", jenis="tambahan", tim=org.tim)
    assert baris_sql.langsung(model)  # the fast path is the one under test
    for only in ((), (model._meta.pk.attname,)):
        names, rows = _baris(model, only)
        assert rows, model
        for row in rows:
            got, end = baris_sql.objek(model, "x", row, 0, only)
            want = _dari_orm(model, names, row, only)
            assert end == len(names) and type(got) is model
            assert _keadaan(got) == _keadaan(want), (model.__name__, row)
            assert got.get_deferred_fields() == want.get_deferred_fields()
            assert got._state.fields_cache == {}


def test_objek_keeps_to_from_db_where_init_does_more(org):
    # Dokumen's file column has a descriptor of its own: from_db, as before.
    assert not baris_sql.langsung(Dokumen)
    seen = []

    def receiver(sender, instance, **kw):
        seen.append(instance)

    post_init.connect(receiver, sender=Pegawai)
    try:
        _names, rows = _baris(Pegawai)
        obj, _end = baris_sql.objek(Pegawai, "x", rows[0], 0)
    finally:
        post_init.disconnect(receiver, sender=Pegawai)
    assert seen == [obj]
