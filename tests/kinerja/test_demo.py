"""`manage.py demo`, organisation part (kinerja.demo): realistic, deterministic, idempotent."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from kinerja import demo
from kinerja.models import Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja, User
from kinerja.rules import nip_error


def snapshot():
    return (
        list(
            UnitKerja.objects.order_by("id").values_list(
                "id", "nama", "induk_id", "mandiri", "penilai_jabatan_id"
            )
        ),
        list(Jabatan.objects.order_by("id").values_list("id", "nama", "atasan_id")),
        list(
            Pegawai.objects.order_by("id").values_list(
                "id",
                "nip",
                "nama",
                "golongan",
                "jabatan_id",
                "pejabat_penilai_id",
                "atasan_pejabat_penilai_id",
            )
        ),
        list(User.objects.order_by("id").values_list("id", "username", "password")),
        list(TimKerja.objects.values_list("id", "ketua_id", "anggota")),
        list(Periode.objects.values_list("id", "tahun", "status")),
        list(Instansi.objects.values_list("id", "pejabat_keberatan_id")),
    )


@pytest.fixture
def ctx(db):
    return demo.seed(pegawai=150, seed=2026, out=io.StringIO())


def test_demo_is_a_province_with_about_150_pegawai_and_valid_nips(ctx):
    inst = ctx["instansi"]
    assert inst.kode == "P53" and inst.jenis == "daerah"
    peg = Pegawai.objects.filter(instansi=inst)
    assert peg.count() == 150
    for p in peg.exclude(jenis_asn="pejabat_negara"):
        assert nip_error(p.nip, pppk=p.jenis_asn == "pppk") is None, p
        assert p.user.username == p.nip
    assert peg.filter(jenis_asn="pppk").count() >= 10
    kinds = set(Jabatan.objects.filter(pemangku_set__instansi=inst).values_list("jenis", flat=True))
    assert {
        "pimpinan_instansi",
        "jpt_madya",
        "jpt_pratama",
        "administrator",
        "pengawas",
        "pelaksana",
        "fungsional",
    } <= kinds
    names = set(UnitKerja.objects.filter(instansi=inst).values_list("nama", flat=True))
    assert {
        "Sekretariat Daerah",
        "Badan Kepegawaian Daerah",
        "Dinas Kesehatan",
        "Dinas Komunikasi dan Informatika",
    } <= names
    assert UnitKerja.objects.filter(instansi=inst, mandiri=True).count() == 2
    assert len({p.nama for p in peg}) == 150  # no two people share a name


def test_demo_personas_stand_in_the_right_relations(ctx):
    assert ctx["gubernur"].jabatan.jenis == "pimpinan_instansi"
    assert ctx["gubernur"].pejabat_penilai is None
    assert ctx["sekda"].pejabat_penilai == ctx["gubernur"]
    assert ctx["kepala_bkd"].pejabat_penilai == ctx["gubernur"]
    assert ctx["kabid"].pejabat_penilai == ctx["kepala_bkd"]
    assert ctx["kasubbid"].pejabat_penilai == ctx["kabid"]
    peg = ctx["pegawai"]
    assert peg.jenis_asn == "pppk" and peg.jabatan.jenis == "pelaksana"
    assert (peg.pejabat_penilai, peg.atasan_pejabat_penilai) == (ctx["kasubbid"], ctx["kabid"])
    assert ctx["rekan"].pejabat_penilai == ctx["kasubbid"]
    assert ctx["fungsional"].jabatan.jenis == "fungsional"
    assert ctx["tim"].ketua == ctx["fungsional"]
    members = set(ctx["tim"].anggota.values_list("unit_kerja_id", flat=True))
    assert len(members) >= 2  # across units
    assert ctx["kadis"].pejabat_penilai == ctx["gubernur"]
    assert ctx["kadis"].unit_kerja_id != peg.unit_kerja_id
    assert ctx["staf_dinas"].pejabat_penilai.jabatan.nama == "Kepala Bidang Aplikasi Informatika"
    assert ctx["staf_dinas"].atasan_pejabat_penilai == ctx["kadis"]
    admin = ctx["admin"]
    assert admin.is_staff and not admin.is_superuser and admin.admin_instansi == ctx["instansi"]
    assert admin.check_password("kinerja2026") and peg.user.check_password("kinerja2026")
    p = ctx["periode"]
    assert (p.tahun, p.frekuensi, p.status) == (timezone.localdate().year, "triwulanan", "berjalan")


def test_demo_units_mandiri_and_vacancy_follow_the_rules(ctx):
    direktur = Pegawai.objects.get(jabatan__nama__startswith="Direktur RSUD")
    assert direktur.pejabat_penilai == ctx["gubernur"]  # mandiri, no coordinator
    kacab = Pegawai.objects.get(jabatan__nama__startswith="Kepala Cabang Dinas")
    assert kacab.pejabat_penilai.jabatan.nama == "Kepala Dinas Pendidikan dan Kebudayaan"
    # The Kepala Bidang Mutasi is vacant: the bidang's staff are rated by the Kepala BKD.
    assert not Pegawai.objects.filter(jabatan__nama="Kepala Bidang Mutasi dan Promosi").exists()
    staf = Pegawai.objects.filter(unit_kerja__nama="Bidang Mutasi dan Promosi")
    assert staf.exists()
    assert set(staf.values_list("pejabat_penilai_id", flat=True)) == {ctx["kepala_bkd"].pk}


def test_every_pegawai_but_the_governor_has_a_penilai(ctx):
    assert list(
        Pegawai.objects.filter(pejabat_penilai__isnull=True).values_list("nama", flat=True)
    ) == ["Melkianus Ndun"]


def test_a_second_run_changes_nothing(ctx):
    before = snapshot()
    out = io.StringIO()
    again = demo.seed(pegawai=150, seed=2026, out=out)
    assert again["dibuat"] == 0
    assert "tidak ada perubahan" in out.getvalue()
    assert snapshot() == before
    assert again["pegawai"].pk == ctx["pegawai"].pk


def test_the_plan_is_deterministic_for_a_seed():
    a, b = demo.build_plan(150, 7), demo.build_plan(150, 7)
    assert [(s.nama, s.nip) for s in a.pegawai] == [(s.nama, s.nip) for s in b.pegawai]
    c = demo.build_plan(150, 8)
    assert [s.nip for s in a.pegawai] != [s.nip for s in c.pegawai]


@pytest.mark.parametrize("n", [400, 5000, 20000])
def test_more_pegawai_bring_proportionally_more_units(n):
    plan = demo.build_plan(n, 2026)
    assert len(plan.pegawai) == n
    assert len({s.nip for s in plan.pegawai}) == n
    base = demo.build_plan(150, 2026)
    assert len(plan.units) > len(base.units)
    # Leaf positions stay human-sized as the organisation grows.
    assert n / len(plan.slots) < 40


@pytest.mark.django_db
def test_a_larger_demo_is_written_in_bulk_and_stays_consistent(django_assert_max_num_queries):
    with django_assert_max_num_queries(400):
        ctx = demo.seed(pegawai=600, seed=3)
    assert Pegawai.objects.filter(instansi=ctx["instansi"]).count() == 600
    assert Pegawai.objects.filter(pejabat_penilai__isnull=True).count() == 1


def test_print_logins_shows_one_login_per_role_with_the_password(ctx):
    out = io.StringIO()
    demo.print_logins(ctx, out)
    text = out.getvalue()
    for _role, label in demo.ROLES:
        assert label in text
    assert ctx["pegawai"].nip in text and "admin.bkd" in text
    assert text.count("kinerja2026") == len(demo.ROLES)


@pytest.mark.django_db
def test_manage_py_demo_runs_every_stage_twice_without_changing_the_organisation(settings, capsys):
    from django.core.management import call_command

    # As under `make run`: the console email backend. The seeded notifications' emails must
    # not bury the login table in thousands of printed messages.
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Akun contoh" in out.getvalue() and "kinerja2026" in out.getvalue()
    assert "Subject:" not in capsys.readouterr().out
    before = snapshot()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "tidak ada perubahan" in out.getvalue()
    assert snapshot() == before


@pytest.mark.django_db
def test_demo_shows_a_year_that_moves_once_however_often_it_runs():
    """Issue 16: one pegawai moved mid-year, one Plt, one scheduled change (kinerja.demo_org)."""
    from kinerja import demo_org
    from kinerja.models import Mutasi

    ctx = demo.seed(pegawai=150, seed=2026)
    demo_org.seed(ctx)
    rows = list(Mutasi.objects.filter(keterangan__startswith=demo_org.CATATAN).order_by("id"))
    assert [(m.jenis, m.status) for m in rows] == [
        ("mutasi", "berlaku"),
        ("plt", "berlaku"),
        ("rotasi", "dijadwalkan"),
    ]
    assert rows[1].sampai is not None and rows[2].tmt > timezone.localdate()
    demo_org.seed(ctx)
    assert Mutasi.objects.count() == 3


@pytest.mark.django_db
def test_the_demo_pegawai_moved_mid_year_has_two_skps(settings):
    """Issue 16 item 2: the SKP under the old penilai closed the day before the TMT, a new one
    with the new penilai from it."""
    import datetime as dt

    from django.core.management import call_command

    from kinerja import demo_org
    from kinerja.models import Mutasi
    from skp.models import SKP

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("demo", stdout=io.StringIO())
    m = Mutasi.objects.get(keterangan__startswith=demo_org.CATATAN, jenis="mutasi")
    skps = list(SKP.objects.filter(pegawai=m.pegawai, periode__tahun=m.tmt.year).order_by("versi"))
    lama = [s for s in skps if s.berlaku_sampai == m.tmt - dt.timedelta(days=1)]
    baru = [s for s in skps if s.berlaku_mulai == m.tmt]
    assert lama and baru
    assert baru[-1].pejabat_penilai_id == m.pegawai.pejabat_penilai_id
    assert lama[-1].pejabat_penilai_id != baru[-1].pejabat_penilai_id


@pytest.mark.django_db
def test_the_demo_leaves_the_windows_after_the_move_to_the_new_penilai(settings):
    """No evaluation of the moved pegawai names the old penilai for a window after the TMT."""
    from django.core.management import call_command

    from evaluasi.models import Evaluasi
    from kinerja import demo_org
    from kinerja.models import Mutasi
    from kinerja.rules import jendela_periodik

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("demo", stdout=io.StringIO())
    m = Mutasi.objects.get(keterangan__startswith=demo_org.CATATAN, jenis="mutasi")
    for ev in Evaluasi.objects.filter(
        pegawai=m.pegawai, periode__tahun=m.tmt.year, jenis="periodik"
    ):
        j = jendela_periodik(ev.periode.tahun, ev.periode.frekuensi)[ev.urutan - 1]
        assert j.mulai < m.tmt, ev.urutan
