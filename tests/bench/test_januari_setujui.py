"""The January mix's approvals (bench.ukur_januari): the supply of submitted SKPs is one each
penilai may really approve, apart from the SKPs the pegawai users edit, and can be reused."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.db import connection
from rest_framework.authtoken.models import Token

from bench.generate import generate
from bench.ukur_januari import januari_ajukan, januari_data
from kinerja.models import User
from skp import services

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="generator skala memakai COPY PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_every_skp_of_the_supply_is_approved_by_its_penilai_and_submitted_again():
    SKP = apps.get_model("skp.SKP")
    generate(pegawai=300, seed=3, out=io.StringIO())
    admin = User.objects.filter(admin_instansi__isnull=False).order_by("pk").first()
    data = januari_data(admin)
    supply = data["setujui"]
    ids = [pk for _, pk in supply]
    assert len(ids) > 10 and len(set(ids)) == len(ids)
    assert not set(ids) & {p["skp"] for p in data["pegawai"]}
    assert set(SKP.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"diajukan"}
    for key, pk in supply:
        user = Token.objects.get(key=key).user
        services.skp_setujui(skp=SKP.objects.get(pk=pk), user=user)
    assert set(SKP.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"disetujui"}
    Persetujuan = apps.get_model("kinerja.PersetujuanElektronik")
    berlaku = Persetujuan.objects.filter(
        object_id__in=ids, peran="pejabat_penilai", dicabut__isnull=True
    )
    assert berlaku.count() == len(ids)
    # The next Locust run starts from the head of the supply again, with the penilai's approvals
    # revoked as a return would: setujui writes a new one in every run, as it does for users.
    januari_ajukan(supply)
    assert set(SKP.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"diajukan"}
    assert not berlaku.exists()
    key, pk = supply[0]
    services.skp_setujui(skp=SKP.objects.get(pk=pk), user=Token.objects.get(key=key).user)
    assert berlaku.count() == 1
