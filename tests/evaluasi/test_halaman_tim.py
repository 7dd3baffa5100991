"""The team evaluation page drawn in Python (evaluasi/halaman_tim.py, kinerja/daftar_html.py)
gives the bytes the template gave, and reads its data in one statement (bench/temuan.md,
"Putaran ketujuh" and "Putaran kedelapan").

The oracle is the page's template before the change (tests/evaluasi/tim_lama.html, with the
partials it includes, which other pages still use), rendered with the context the view passes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluasi.models import Evaluasi, JustifikasiDistribusi
from kinerja.models import Pegawai
from tests.evaluasi.conftest import evaluasi_draft, final, ko, skp_disetujui
from tests.orakel import tangkap_render

pytestmark = pytest.mark.django_db

LAMA = (Path(__file__).parent / "tim_lama.html").read_text()
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*')


def _tanpa_csrf(html: str) -> str:
    return _CSRF.sub(r"\1…", html)


def _lama_dan_baru(client, url: str, monkeypatch) -> tuple[str, str]:
    """The page as served, and the old template rendered with the same context."""
    from evaluasi import views

    dipakai = tangkap_render(monkeypatch, views)
    r = client.get(url)
    assert r.status_code == 200, url
    ctx = {k: v for k, v in dipakai["ctx"].items() if k != "isi"}
    lama = engines["django"].from_string(LAMA).render(ctx, dipakai["request"])
    return _tanpa_csrf(lama), _tanpa_csrf(r.content.decode())


@pytest.fixture
def tim(org):
    """A team with every kind of row: final, draft, not started; approved SKP or not; feedback
    from assigning officials; a name and a NIP-less member that need escaping; a kinerja
    organisasi (guidance, a violation, the justification form) and a recorded justification."""
    from dialog.models import UmpanBalik

    final(org, "pegawai", hasil="diatas_ekspektasi")
    evaluasi_draft(org, "rekan")
    Pegawai.objects.filter(pk=org.rekan.pk).update(nama="O'Neil <b>\"&</b>", nip=None)
    Pegawai.objects.create(
        instansi=org.instansi_a,
        nama="Tanpa Jabatan",
        unit_kerja=org.pegawai.unit_kerja,
        pejabat_penilai=org.kasubbid,
    )
    skp_disetujui(org.fungsional, org.periode_a)
    ko(org, org.unit_bidang, "baik")
    for hubungan in ("pemberi_tugas", "pejabat_penilai"):
        UmpanBalik.objects.create(
            penerima=org.pegawai,
            pemberi=org.kadis,
            hubungan=hubungan,
            jenis="apresiasi",
            isi="Uji",
            periode=org.periode_a,
            urutan=1,
            dibuat=timezone.now(),
        )
    JustifikasiDistribusi.objects.create(
        periode=org.periode_a,
        jenis="tahunan",
        cakupan="tim",
        pejabat_penilai=org.kasubbid,
        isi="Tim kecil <i>&</i> tugas khusus",
    )
    return org


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?jendela=akhir",
        "?jendela=1",
        "?q=neil",
        "?q=tidak-ada-yang-cocok",
        "?status=final&urut=-predikat",
        "?skp=belum&umpan_balik=belum&urut=jabatan",
        "?predikat=baik&urut=-status&page=2",
        "?urut=umpan_balik&q=%3Cb%3E",
    ],
)
def test_team_page_is_the_old_template_byte_for_byte(tim, client_as, monkeypatch, query):
    from kinerja.models import Periode

    Periode.objects.create(instansi=tim.instansi_a, tahun=tim.periode_a.tahun - 1)  # year tabs
    lama, baru = _lama_dan_baru(client_as(tim.kasubbid.user), "/evaluasi/tim/" + query, monkeypatch)
    assert baru == lama
    assert 'id="tim-daftar"' in baru


@pytest.mark.parametrize("who", ["kabid", "pegawai", "admin_a", "kadis", "staf_dinas"])
def test_other_viewers_see_the_old_bytes(tim, client_as, monkeypatch, who):
    # kabid: "as atasan" rows and a team of its own; pegawai: an empty team; admin: no pegawai.
    final(tim, "fungsional", hasil="dibawah_ekspektasi")
    user = tim.admin_a if who == "admin_a" else getattr(tim, who).user
    lama, baru = _lama_dan_baru(client_as(user), "/evaluasi/tim/", monkeypatch)
    assert baru == lama
    if who == "kabid":
        assert 'id="sebagai-atasan"' in baru
    if who == "pegawai":
        assert "Tidak ada pegawai yang Anda nilai." in baru


def test_500_members_paged_and_sorted_are_the_old_bytes(tim, client_as, monkeypatch):
    orang = Pegawai.objects.bulk_create(
        Pegawai(
            instansi=tim.instansi_a,
            nama=f"Staf {i:04d} & <co>",
            nip=f"1990{i:014d}",
            jabatan=tim.pegawai.jabatan,
            unit_kerja=tim.pegawai.unit_kerja,
            pejabat_penilai=tim.kasubbid,
        )
        for i in range(500)
    )
    Evaluasi.objects.bulk_create(
        Evaluasi(
            pegawai=p,
            periode=tim.periode_a,
            jenis="tahunan",
            pejabat_penilai=tim.kasubbid,
            rating_hasil_kerja="sesuai_ekspektasi",
            rating_perilaku_kerja="dibawah_ekspektasi" if i % 3 else "diatas_ekspektasi",
            predikat="butuh_perbaikan" if i % 3 else "baik",
            status="final" if i % 2 else "draft",
        )
        for i, p in enumerate(orang[:400])
    )
    c = client_as(tim.kasubbid.user)
    for query in ("", "?page=7", "?page=999&urut=-pegawai", "?status=draft&urut=predikat&page=3"):
        lama, baru = _lama_dan_baru(c, "/evaluasi/tim/" + query, monkeypatch)
        assert baru == lama, query
    assert "halaman 3 dari" in baru and "Terakhir &raquo;" in baru


def test_the_page_reads_its_data_in_one_statement_whatever_the_team(tim, client_as):
    """Period, team with evaluations, distribution with unit and justifications, atasan rows:
    four statements until "Putaran kedelapan", one UNION ALL since (evaluasi/selectors_tim.py);
    the periods are read again in it to check the ones the period was chosen from."""
    c = client_as(tim.kasubbid.user)
    c.get("/evaluasi/tim/")
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/evaluasi/tim/").status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in sql if q.startswith('SELECT "evaluasi_justifikasidistribusi"')], sql
    assert not [q for q in sql if q.startswith('SELECT e."id"') and "e.pegawai_id IN" in q]
    data = [q for q in sql if "kinerja_periode" in q or "evaluasi_evaluasi" in q]
    assert len(data) == 1, data
    assert "kinerja_periode" in data[0] and "UNION ALL" in data[0]


def test_an_outsider_penilai_sees_nobody_of_another_team(tim, client_as, monkeypatch):
    # kadis rates staf_dinas only: none of kasubbid's people, none of their evaluations.
    lama, baru = _lama_dan_baru(client_as(tim.kadis.user), "/evaluasi/tim/", monkeypatch)
    assert baru == lama
    for p in (tim.pegawai, tim.fungsional, tim.kabid):
        assert p.nama not in baru
    assert tim.staf_dinas.nama in baru


def test_team_reader_gives_the_orm_evaluation_per_member(tim):
    """The evaluation joined to each member is the one the two-statement reading chose."""
    from evaluasi import jendela, selectors

    for w in jendela.daftar(tim.periode_a):
        rows = selectors.tim_evaluasi(tim.kasubbid.user, tim.periode_a, w)
        for r in rows:
            qs = Evaluasi.objects.filter(pegawai=r["pegawai"], periode=tim.periode_a, jenis=w.jenis)
            if w.urutan:
                qs = qs.filter(urutan=w.urutan)
            qs = [
                e for e in qs if e.pejabat_penilai_id in (None, tim.kasubbid.pk)
            ]  # the window's evaluation by this penilai (or nobody yet)
            want = max(qs, key=lambda e: e.pk) if qs else None
            got = r["evaluasi"]
            assert (got and got.pk) == (want and want.pk), (w.kode, r["pegawai"].nama)
            if got:
                assert got.get_status_display() == want.get_status_display()
                assert got.rating_hasil_kerja == want.rating_hasil_kerja


def test_team_distribution_in_one_statement_equals_the_three_reads(tim):
    from evaluasi import jendela, selectors
    from evaluasi.selectors_distribusi import _hitung, _unit_tim_ko

    final(tim, "fungsional", hasil="dibawah_ekspektasi")
    for w in jendela.daftar(tim.periode_a):
        for penilai in (tim.kasubbid, tim.kabid, tim.pegawai):
            with CaptureQueriesContext(connection) as ctx:
                d = selectors.distribusi_tim(penilai.pk, tim.periode_a, w)
            assert len(ctx) == 1
            assert d.counts == _hitung(tim.periode_a, w, penilai_id=penilai.pk)
            unit = _unit_tim_ko(penilai.pk, tim.periode_a, w)
            assert d.predikat_org == (unit[1] if unit else None)
            want = list(
                JustifikasiDistribusi.objects.filter(
                    periode=tim.periode_a,
                    jenis=w.jenis,
                    cakupan="tim",
                    pejabat_penilai=penilai,
                    **({"urutan": w.urutan} if w.urutan else {}),
                )
            )
            assert [(j.pk, j.isi, j.dibuat, j.pelanggaran) for j in d.justifikasi] == [
                (j.pk, j.isi, j.dibuat, j.pelanggaran) for j in want
            ]


def test_the_atasan_rows_cells_are_the_old_bytes_for_every_predikat_and_status(
    tim, client_as, monkeypatch
):
    """The "as atasan" rows' predikat and status cells (drawn once per code, status and
    language since "Putaran kedua belas"): rows that share a predikat with another status, a
    status with another predikat, no predikat, and a penilai's name that needs escaping."""
    ev = Evaluasi.objects.filter(pegawai=tim.pegawai, jenis="tahunan").get()  # final
    assert ev.status == "final" and ev.predikat
    Pegawai.objects.filter(pk=tim.kasubbid.pk).update(nama="Kasubbid <&> \"'")
    seen = set()
    for langkah in ("rekan: draft, no predikat", "rekan: draft, the final one's predikat"):
        if "final one" in langkah:
            Evaluasi.objects.filter(pegawai=tim.rekan, jenis="tahunan").update(predikat=ev.predikat)
        lama, baru = _lama_dan_baru(client_as(tim.kabid.user), "/evaluasi/tim/", monkeypatch)
        assert baru == lama, langkah
        bagian = baru.split('id="sebagai-atasan"', 1)[1].split("</section>", 1)[0]
        seen |= set(re.findall(r'<td><span class="badge badge-(\w+)">', bagian))
        assert ("<td>-</td>" in bagian) == ("no predikat" in langkah)
        assert bagian.count(f"badge-{ev.predikat}") == (2 if "final one" in langkah else 1)
        assert "Kasubbid &lt;&amp;&gt; &quot;&#x27;" in bagian
    assert {"draft", "final"} <= seen
