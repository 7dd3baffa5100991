"""The completeness report the BKD admin chases before the year-end close."""

from __future__ import annotations

import re

from evaluasi import selectors
from tests.evaluasi.conftest import final, ko, skp_disetujui


def test_each_gap_lands_in_its_own_list_and_nothing_crosses_instansi(org, client_as):
    final(org, "pegawai")  # approved SKP and a final annual evaluation: complete
    skp_disetujui(org.rekan, org.periode_a)  # approved SKP, no evaluation
    ko(org, org.unit_bidang, "baik")  # the bidang has its kinerja organisasi

    lengkap = selectors.kelengkapan(org.periode_a)
    tanpa_skp = {p.pk for p in lengkap["tanpa_skp"]}
    tanpa_ev = {p.pk for p in lengkap["tanpa_evaluasi"]}
    unit_tanpa_ko = {u.pk for u in lengkap["unit_tanpa_ko"]}

    assert org.pegawai.pk not in tanpa_skp | tanpa_ev
    assert org.rekan.pk not in tanpa_skp and org.rekan.pk in tanpa_ev
    assert org.fungsional.pk in tanpa_skp and org.fungsional.pk in tanpa_ev
    assert org.unit_bidang.pk not in unit_tanpa_ko and org.unit_dinas.pk in unit_tanpa_ko
    # Another instansi's people and a pejabat negara (the governor, rated by nobody here) are
    # not the BKD's gaps.
    assert org.pegawai_b.pk not in tanpa_skp | tanpa_ev
    assert org.gubernur.pk not in tanpa_skp | tanpa_ev
    assert lengkap["jumlah_pegawai"] >= len(tanpa_skp)

    html = client_as(org.admin_a).get(f"/evaluasi/tutup-tahun/?tahun={org.periode_a.tahun}")
    assert html.status_code == 200
    page = html.content.decode()

    def section(title: str) -> str:
        m = re.search(re.escape(title) + r".*?</ul>", page, re.S)
        assert m, title
        return m.group(0)

    belum_skp = section("Belum memiliki SKP disetujui")
    belum_ev = section("Belum memiliki evaluasi akhir yang final")
    unit = section("Unit tanpa kinerja organisasi akhir tahun")
    assert org.fungsional.nama in belum_skp and org.rekan.nama not in belum_skp
    assert org.rekan.nama in belum_ev and org.pegawai.nama not in belum_ev
    assert org.unit_dinas.nama in unit and f"<li>{org.unit_bidang.nama}</li>" not in unit
    assert org.pegawai_b.nama not in page


def test_a_year_counts_who_belonged_to_the_instansi_that_year(org):
    import datetime as dt

    from kinerja.models import MasaPenilai, RiwayatJabatan

    tahun = org.periode_a.tahun
    # The rekan joined next year: not one of this year's gaps. The fungsional held a position
    # this year (by RiwayatJabatan alone) and stays one.
    MasaPenilai.objects.filter(pegawai=org.rekan).update(mulai=dt.date(tahun + 1, 2, 1))
    MasaPenilai.objects.filter(pegawai=org.fungsional).delete()
    RiwayatJabatan.objects.filter(pegawai=org.fungsional).delete()
    RiwayatJabatan.objects.create(
        pegawai=org.fungsional,
        jabatan=org.fungsional.jabatan,
        mulai=dt.date(tahun - 3, 1, 1),
        selesai=dt.date(tahun, 3, 31),
    )
    lengkap = selectors.kelengkapan(org.periode_a)
    semua = {p.pk for p in lengkap["tanpa_skp"]} | {p.pk for p in lengkap["tanpa_evaluasi"]}
    assert org.rekan.pk not in semua
    assert org.fungsional.pk in semua
    # Who left before the year began is not counted either.
    RiwayatJabatan.objects.filter(pegawai=org.fungsional).update(selesai=dt.date(tahun - 1, 12, 31))
    lengkap = selectors.kelengkapan(org.periode_a)
    assert org.fungsional.pk not in {p.pk for p in lengkap["tanpa_evaluasi"]}


def test_a_final_evaluation_is_not_chased_for_its_skp(org):
    from skp.models import SKP

    final(org, "pegawai")
    SKP.objects.filter(pegawai=org.pegawai, periode=org.periode_a).update(status="draft")
    lengkap = selectors.kelengkapan(org.periode_a)
    assert org.pegawai.pk not in {p.pk for p in lengkap["tanpa_skp"]}
    assert org.pegawai.pk not in {p.pk for p in lengkap["tanpa_evaluasi"]}


def _tampil(rows):
    """What the page shows of each listed pegawai, and whether they have an approved SKP (from
    the ORM's Pegawai objects or from the report's rows, `selectors_kelengkapan.Kurang`)."""
    from kinerja.models import Pegawai

    def baris(p):
        if isinstance(p, Pegawai):
            penilai = p.pejabat_penilai.nama if p.pejabat_penilai else None
            return (p.pk, p.nama, str(p.unit_kerja or ""), penilai, p.skp_ok)
        return (p.pk, p.nama, p.unit_nama or "", p.penilai_nama, p.skp_ok)

    return [baris(p) for p in rows]


def _orm_reading(periode):
    """The ORM reading the hand-written statement replaced: (count, [(id, nama, unit nama,
    penilai nama, skp_ok)] of those without a final annual evaluation, in the page's order)."""
    import datetime as dt

    from django.db.models import Exists, OuterRef, Q

    from evaluasi.models import Evaluasi, Jenis
    from kinerja.models import MasaPenilai, Pegawai, RiwayatJabatan
    from skp.models import SKP

    awal, akhir = dt.date(periode.tahun, 1, 1), dt.date(periode.tahun, 12, 31)
    dalam_tahun = Q(mulai__lte=akhir) & (Q(selesai__isnull=True) | Q(selesai__gte=awal))
    rows = list(
        Pegawai.objects.filter(instansi_id=periode.instansi_id)
        .exclude(status=Pegawai.Status.BERHENTI)
        .exclude(jenis_asn=Pegawai.JenisASN.PEJABAT_NEGARA)
        .filter(
            Exists(MasaPenilai.objects.filter(dalam_tahun, pegawai=OuterRef("pk")))
            | Exists(RiwayatJabatan.objects.filter(dalam_tahun, pegawai=OuterRef("pk")))
        )
        .annotate(
            skp_ok=Exists(
                SKP.objects.filter(pegawai=OuterRef("pk"), periode=periode, status="disetujui")
            ),
            ev_ok=Exists(
                Evaluasi.objects.filter(
                    pegawai=OuterRef("pk"), periode=periode, jenis=Jenis.TAHUNAN, status="final"
                )
            ),
        )
        .select_related("unit_kerja", "pejabat_penilai")
        .order_by("unit_kerja__nama", "nama", "pk")
    )
    return len(rows), _tampil([p for p in rows if not p.ev_ok])


def test_the_statement_reads_what_the_orm_reads(org):
    """Complete, SKP only, nothing, left last year, joined next year, a position only, no unit,
    no penilai, another instansi: the hand-written statement gives the ORM's count and rows."""
    import datetime as dt

    from kinerja.models import MasaPenilai, Pegawai, RiwayatJabatan

    tahun = org.periode_a.tahun
    final(org, "pegawai")
    skp_disetujui(org.rekan, org.periode_a)
    # The fungsional belonged by a position held this year alone.
    MasaPenilai.objects.filter(pegawai=org.fungsional).delete()
    RiwayatJabatan.objects.filter(pegawai=org.fungsional).delete()
    RiwayatJabatan.objects.create(
        pegawai=org.fungsional,
        jabatan=org.fungsional.jabatan,
        mulai=dt.date(tahun - 3, 1, 1),
        selesai=dt.date(tahun, 3, 31),
    )
    others = list(
        Pegawai.objects.filter(instansi_id=org.periode_a.instansi_id)
        .exclude(pk__in=[org.pegawai.pk, org.rekan.pk, org.fungsional.pk])
        .order_by("pk")
    )
    assert len(others) >= 3
    MasaPenilai.objects.filter(pegawai=others[0]).update(mulai=dt.date(tahun + 1, 2, 1))
    RiwayatJabatan.objects.filter(pegawai=others[0]).update(mulai=dt.date(tahun + 1, 2, 1))
    Pegawai.objects.filter(pk=others[1].pk).update(unit_kerja=None, pejabat_penilai=None)
    MasaPenilai.objects.filter(pegawai=others[2]).update(selesai=dt.date(tahun - 1, 12, 31))
    RiwayatJabatan.objects.filter(pegawai=others[2]).delete()

    jumlah, rows = selectors._kelengkapan_pegawai(org.periode_a)
    got = _tampil(rows)
    want_n, want = _orm_reading(org.periode_a)
    assert (jumlah, got) == (want_n, want)
    assert want_n >= 3 and any(r[4] for r in want) and any(not r[4] for r in want)
    ids = {r[0] for r in want}
    assert org.pegawai.pk not in ids and others[0].pk not in ids and others[2].pk not in ids
    assert org.fungsional.pk in ids and others[1].pk in ids


def test_nobody_missing_still_counts(org):
    """Everyone final: no rows listed, the count still comes back."""
    from evaluasi.models import Evaluasi, Jenis
    from kinerja.models import Pegawai

    final(org, "pegawai")
    want_n, _ = _orm_reading(org.periode_a)
    missing = [r[0] for r in _orm_reading(org.periode_a)[1]]
    Pegawai.objects.filter(pk__in=missing).update(status=Pegawai.Status.BERHENTI)
    want_n, want = _orm_reading(org.periode_a)
    assert want == [] and want_n >= 1
    assert Evaluasi.objects.filter(jenis=Jenis.TAHUNAN, status="final").exists()
    assert selectors._kelengkapan_pegawai(org.periode_a) == (want_n, [])
