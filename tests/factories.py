"""factory_boy factories for the organisation (typed, deterministic NIPs)."""

from __future__ import annotations

import datetime as dt

import factory

from kinerja.models import Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja, User
from kinerja.rules import make_nip


class InstansiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instansi
        django_get_or_create = ("kode",)

    kode = factory.Sequence(lambda n: f"T{n:04d}")
    nama = factory.Sequence(lambda n: f"Pemerintah Kabupaten Uji {n}")
    jenis = Instansi.Jenis.DAERAH
    kota = "Kupang"


class UnitKerjaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitKerja

    instansi = factory.SubFactory(InstansiFactory)
    nama = factory.Sequence(lambda n: f"Unit Kerja {n}")


class JabatanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jabatan

    unit_kerja = factory.SubFactory(UnitKerjaFactory)
    nama = factory.Sequence(lambda n: f"Jabatan {n}")
    jenis = Jabatan.Jenis.PELAKSANA


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"pengguna{n}")
    password = factory.django.Password("Rahasia-Kinerja-2026")


def _nip(n: int, pppk: bool = False) -> str:
    return make_nip(
        dt.date(1975 + n % 20, 1 + n % 12, 1 + n % 28),
        dt.date(2005 + n % 15, 1 + n % 12, 1),
        n % 2 == 0,
        n,
        pppk=pppk,
    )


class PegawaiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pegawai

    class Params:
        pppk = False

    instansi = factory.SubFactory(InstansiFactory)
    nip = factory.LazyAttributeSequence(lambda o, n: _nip(10_000 + n, o.pppk))
    nama = factory.Sequence(lambda n: f"Pegawai Uji {n}")
    jenis_asn = factory.LazyAttribute(
        lambda o: Pegawai.JenisASN.PPPK if o.pppk else Pegawai.JenisASN.PNS
    )
    golongan = factory.LazyAttribute(lambda o: "IX" if o.pppk else "III/a")
    jabatan = None
    unit_kerja = factory.LazyAttribute(lambda o: o.jabatan.unit_kerja if o.jabatan else None)
    user = factory.LazyAttribute(lambda o: UserFactory(username=o.nip))


class PeriodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Periode
        django_get_or_create = ("instansi", "tahun")

    instansi = factory.SubFactory(InstansiFactory)
    tahun = 2026
    frekuensi = Periode.Frekuensi.TRIWULANAN
    status = Periode.Status.BERJALAN


class TimKerjaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimKerja

    instansi = factory.SubFactory(InstansiFactory)
    nama = factory.Sequence(lambda n: f"Tim Kerja {n}")
    ketua = factory.SubFactory(PegawaiFactory, instansi=factory.SelfAttribute("..instansi"))
