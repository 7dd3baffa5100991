"""`manage.py demo --pegawai N` hands large sizes to the scale generator."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from kinerja.models import Instansi, Pegawai


@pytest.mark.skipif(connection.vendor != "postgresql", reason="generator skala memakai COPY")
def test_demo_with_2000_pegawai_uses_the_scale_generator(db):
    err = io.StringIO()
    call_command("demo", pegawai=2000, seed=4, stdout=io.StringIO(), stderr=err)
    assert Pegawai.objects.count() == 2000
    assert Instansi.objects.filter(kode="G-000").exists()
    assert "100%" in err.getvalue()
