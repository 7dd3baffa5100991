"""The completeness page (`/evaluasi/tutup-tahun/`) drawn without a model object per row: the
same bytes as the old template (tests/evaluasi/tutup_tahun_lama.html, the page before this
change) fed by the old ORM reading (Pegawai objects with select_related), in every state its
lists show (empty, up to 30, more than 30 behind "Tampilkan … lainnya", no unit, no penilai, names
to escape, open keberatan, units with and without kinerja organisasi); and the page's statement
count does not grow with the rows listed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext

from evaluasi.models import Jenis, KinerjaOrganisasi
from kinerja.models import MasaPenilai, Pegawai, UnitKerja
from tests.evaluasi.conftest import final, ko, skp_disetujui
from tests.evaluasi.test_kelengkapan import _orm_reading
from tests.orakel import tangkap_render

pytestmark = pytest.mark.django_db

LAMA = (Path(__file__).parent / "tutup_tahun_lama.html").read_text()
_CSRF = re.compile(
    r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|name="csrf-token" content=")[^"]*'
)


def _lengkap_lama(periode) -> dict:
    """The old `selectors.kelengkapan`: model objects, read by the ORM."""
    from django.db.models import Exists, OuterRef

    from evaluasi.selectors import keberatan_terbuka

    ids = [r[0] for r in _orm_reading(periode)[1]]
    jumlah = _orm_reading(periode)[0]
    by_id = {
        p.pk: p
        for p in Pegawai.objects.filter(pk__in=ids).select_related("unit_kerja", "pejabat_penilai")
    }
    rows = []
    for pk, _n, _u, _p, skp_ok in _orm_reading(periode)[1]:
        p = by_id[pk]
        p.skp_ok = skp_ok
        rows.append(p)
    units = UnitKerja.objects.filter(instansi_id=periode.instansi_id)
    return {
        "jumlah_pegawai": jumlah,
        "tanpa_skp": [p for p in rows if not p.skp_ok],
        "tanpa_evaluasi": rows,
        "unit_tanpa_ko": list(
            units.exclude(
                Exists(
                    KinerjaOrganisasi.objects.filter(
                        unit_kerja=OuterRef("pk"), periode=periode, jenis=Jenis.TAHUNAN
                    )
                )
            ).order_by("nama")
        ),
        "jumlah_unit": units.count(),
        "keberatan_terbuka": keberatan_terbuka(periode),
    }


def _lama_dan_baru(client, org, monkeypatch) -> tuple[str, str]:
    from evaluasi import views

    dipakai = tangkap_render(monkeypatch, views)
    r = client.get(f"/evaluasi/tutup-tahun/?tahun={org.periode_a.tahun}")
    assert r.status_code == 200
    ctx = {**dipakai["ctx"], "lengkap": _lengkap_lama(org.periode_a)}
    lama = engines["django"].from_string(LAMA).render(ctx, dipakai["request"])
    return _CSRF.sub(r"\1-", lama), _CSRF.sub(r"\1-", r.content.decode())


def _banyak(org, n: int, awal: str = "Tambahan") -> list[Pegawai]:
    """`n` pegawai of instansi A rated this year: some with no unit, some with no penilai,
    names to escape."""
    tahun = org.periode_a.tahun
    peg = Pegawai.objects.bulk_create(
        Pegawai(
            instansi=org.instansi_a,
            nama=f"{awal} {i:02d}" + (" O'Brien & <b>" if i % 7 == 0 else ""),
            unit_kerja=None if i % 5 == 0 else org.unit_bidang,
            pejabat_penilai=None if i % 4 == 0 else org.kabid,
        )
        for i in range(n)
    )
    MasaPenilai.objects.bulk_create(
        MasaPenilai(
            pegawai=p,
            pejabat_penilai=p.pejabat_penilai,
            mulai=dt.date(tahun, 1, 1),
        )
        for p in peg
    )
    return peg


def test_page_is_the_old_template_byte_for_byte(org, client_as, monkeypatch):
    from evaluasi import services

    c = client_as(org.admin_a)
    dilihat = []

    def banding(label: str) -> None:
        lama, baru = _lama_dan_baru(c, org, monkeypatch)
        assert baru == lama, label
        dilihat.append(baru)

    banding("persona org as built")
    # Some complete, some SKP only, a unit with its kinerja organisasi, a name to escape.
    final(org, "pegawai")
    skp_disetujui(org.rekan, org.periode_a)
    ko(org, org.unit_bidang, "baik")
    UnitKerja.objects.filter(pk=org.unit_dinas.pk).update(nama='Dinas "X" & <Y>')
    banding("few rows")
    # An open keberatan on the final evaluation.
    ev = org.pegawai.evaluasi_set.get(periode=org.periode_a, jenis="tahunan")
    services.keberatan_ajukan(user=org.pegawai.user, evaluasi=ev, alasan="Tidak setuju.")
    # More than 30 without an evaluation, fewer than 30 of them without an SKP... then both.
    for p in _banyak(org, 32, "Lengkap SKP"):
        skp_disetujui(p, org.periode_a, n_rhk=1)
    banding("over 30 without evaluation, under 30 without SKP")
    _banyak(org, 40)
    banding("over 30 in both lists")
    # The keberatan's pegawai without a unit, with no pemutus yet; a second one, by deadline.
    from evaluasi.models import Keberatan

    k = Keberatan.objects.get()
    Keberatan.objects.filter(pk=k.pk).update(pemutus=None)
    Pegawai.objects.filter(pk=org.pegawai.pk).update(unit_kerja=None)
    ev2 = final(org, "rekan")
    services.keberatan_ajukan(user=org.rekan.user, evaluasi=ev2, alasan="Tidak setuju juga.")
    banding("keberatan without unit and pemutus")
    # Every unit has its kinerja organisasi: the units' list is empty.
    ada = KinerjaOrganisasi.objects.filter(periode=org.periode_a, jenis="tahunan")
    for u in UnitKerja.objects.filter(instansi=org.instansi_a).exclude(
        pk__in=ada.values("unit_kerja_id")
    ):
        ko(org, u, "baik")
    banding("every unit has its kinerja organisasi")
    # Nobody missing: both lists empty.
    Pegawai.objects.filter(instansi=org.instansi_a).exclude(pk=org.pegawai.pk).update(
        status=Pegawai.Status.BERHENTI
    )
    banding("nobody missing")
    # The close started: the page reads it (its job's progress, the form).
    services.penutupan_mulai(user=org.admin_a, periode=org.periode_a)
    banding("close started")
    page = "\n".join(dilihat)
    for seen in (
        "Tampilkan 10 lainnya",  # 40 + the persona's without an SKP, past the first 30
        "O&#x27;Brien &amp; &lt;b&gt;",
        "Dinas &quot;X&quot; &amp; &lt;Y&gt;",
        "penilai: -",
        "Keberatan yang masih diproses (1)",
        "Keberatan yang masih diproses (2)",
        "pemutus: -",
        '<li class="muted">Lengkap.</li>',
        'class="job-progres"',
    ):
        assert seen in page, seen


def test_statement_count_does_not_grow_with_the_rows(org, client_as):
    c = client_as(org.admin_a)
    url = f"/evaluasi/tutup-tahun/?tahun={org.periode_a.tahun}"
    c.get(url)

    def hitung() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as q:
            r = c.get(url)
        assert r.status_code == 200
        return len(q), r.content.decode().count("<li>")

    sedikit, li_sedikit = hitung()
    _banyak(org, 45)
    for u in range(5):
        UnitKerja.objects.create(instansi=org.instansi_a, nama=f"Unit Baru {u}")
    banyak, li_banyak = hitung()
    assert li_banyak >= li_sedikit + 2 * 45 + 5
    assert banyak == sedikit


def test_page_follows_the_organisation_as_it_changes(org, client_as, monkeypatch, hari, pos_dinas):
    """The kept "who belonged" rows (evaluasi.anggota_tahun) built, then the organisation
    changes: a mutasi within the instansi, a move to another instansi, a retirement mid-year
    through the service, a new pegawai joining mid-year, a record moved into and out of the
    year, a pegawai who becomes a pejabat negara and back. After each, the page equals the old
    template fed by the ORM's reading of the records."""
    from kinerja import mutasi
    from kinerja.models import RiwayatJabatan
    from tests.factories import PegawaiFactory

    tahun = org.periode_a.tahun
    c = client_as(org.admin_a)
    jumlah = []

    def banding(label: str) -> None:
        lama, baru = _lama_dan_baru(c, org, monkeypatch)
        assert baru == lama, label
        jumlah.append(_orm_reading(org.periode_a)[0])

    tambahan = _banyak(org, 6)
    banding("built")
    MasaPenilai.objects.filter(pegawai=tambahan[1]).update(mulai=dt.date(tahun + 1, 1, 1))
    banding("record moved past the year")
    MasaPenilai.objects.filter(pegawai=tambahan[1]).update(
        mulai=dt.date(tahun - 2, 1, 1), selesai=dt.date(tahun, 1, 1)
    )
    banding("record moved back to end on the year's first day")
    MasaPenilai.objects.filter(pegawai=tambahan[2]).update(
        mulai=dt.date(tahun - 3, 1, 1), selesai=dt.date(tahun - 1, 12, 31)
    )
    banding("record ended the day before the year")
    Pegawai.objects.filter(pk=tambahan[3].pk).update(jenis_asn=Pegawai.JenisASN.PEJABAT_NEGARA)
    banding("became a pejabat negara")
    Pegawai.objects.filter(pk=tambahan[3].pk).update(jenis_asn=Pegawai.JenisASN.PNS)
    MasaPenilai.objects.filter(pegawai=tambahan[4]).delete()
    banding("back to PNS; a pegawai's only record deleted")
    Pegawai.objects.filter(pk=tambahan[0].pk).update(instansi=org.instansi_b)
    banding("moved to another instansi")
    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.pegawai,
        jenis="mutasi",
        tmt=dt.date(tahun, 8, 1),
        jabatan_baru=pos_dinas,
    )
    banding("mutasi within the instansi")
    mutasi.mutasi_catat(
        user=org.admin_a, pegawai=org.rekan, jenis="berhenti", tmt=dt.date(tahun, 6, 30)
    )
    banding("retired mid-year")
    baru = PegawaiFactory(
        instansi=org.instansi_a, jabatan=org.fungsional.jabatan, nama="Baru Masuk Juli"
    )
    RiwayatJabatan.objects.create(pegawai=baru, jabatan=baru.jabatan, mulai=dt.date(tahun, 7, 1))
    banding("joined mid-year by a position alone")
    # Each state is the one meant: the count (shown on the page) moved as the change says (the
    # mutasi's penilai refresh opens a stretch from its TMT for the two left without an open
    # one, so they count again).
    assert [n - jumlah[0] for n in jumlah] == [0, -1, 0, -1, -2, -2, -3, -1, -2, -1]
