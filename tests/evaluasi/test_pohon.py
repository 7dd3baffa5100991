from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluasi import pohon
from evaluasi.pohon import views as pohon_views
from skp.models import SKP, MatriksPeranHasil, PeranHasil, RencanaHasilKerja


def _skp(org, peg, status="disetujui", versi=1, terkini=True, jenis="ja_jf"):
    return SKP.objects.create(
        pegawai=peg,
        periode=org.periode_a,
        status=status,
        versi=versi,
        terkini=terkini,
        jenis=jenis,
        pejabat_penilai_id=peg.pejabat_penilai_id,
        atasan_pejabat_penilai_id=peg.atasan_pejabat_penilai_id,
    )


def _rhk(skp, teks, atasan=None, jenis="utama", sel=None, kunci=None):
    kw = {"kunci": kunci} if kunci else {}
    return RencanaHasilKerja.objects.create(
        skp=skp, rencana=teks, rhk_atasan=atasan, jenis=jenis, peran_hasil=sel, **kw
    )


@dataclass
class Pohon:
    k1: RencanaHasilKerja
    k2: RencanaHasilKerja
    b1: RencanaHasilKerja
    b2: RencanaHasilKerja
    s1: RencanaHasilKerja
    p1: RencanaHasilKerja
    d1: RencanaHasilKerja
    sel_pegawai: PeranHasil
    sel_rekan: PeranHasil
    matriks: MatriksPeranHasil


@pytest.fixture
def data(org):
    return bangun_data(org)


def bangun_data(org) -> Pohon:
    """A cascade with one gap of every kind.

    kepala_bkd K1 <- kabid B1 <- kasubbid S1 <- [cell for pegawai] pegawai P1 (draft SKP)
                                               [cell for rekan, not applied; rekan has no SKP]
    kepala_bkd K2: nobody contributes (gap 1)
    kabid B2: intervenes nothing (gap 2)
    kadis D1: nobody contributes (gap 1); staf_dinas has no SKP (gap 3)
    kasubbid's matrix never applied (gap 4)
    """
    sk = _skp(org, org.kepala_bkd, jenis="jpt")
    k1 = _rhk(sk, "Layanan kepegawaian tepat waktu")
    k2 = _rhk(sk, "Manajemen kinerja berbasis data")
    sb = _skp(org, org.kabid)
    b1 = _rhk(sb, "Penilaian kinerja ASN tepat waktu", atasan=k1)
    b2 = _rhk(sb, "Rapat koordinasi bidang terlaksana")
    ss = _skp(org, org.kasubbid)
    s1 = _rhk(ss, "Evaluasi kinerja triwulanan tersusun", atasan=b1)
    m = MatriksPeranHasil.objects.create(pemimpin=org.kasubbid, periode=org.periode_a)
    sel_p = PeranHasil.objects.create(
        matriks=m, anggota=org.pegawai, kolom_kunci=s1.kunci, peran_hasil="Data capaian diolah"
    )
    sel_r = PeranHasil.objects.create(
        matriks=m, anggota=org.rekan, kolom_kunci=s1.kunci, peran_hasil="Laporan analisis disusun"
    )
    PeranHasil.objects.create(matriks=m, anggota=org.rekan, kolom_kunci=s1.kunci, na=True)
    sp = _skp(org, org.pegawai, status="draft")
    p1 = _rhk(sp, "Data capaian diolah", atasan=s1, sel=sel_p)
    sd = _skp(org, org.kadis, jenis="jpt")
    d1 = _rhk(sd, "Layanan TIK pemerintah daerah andal")
    # Other people, approved, so they are not gaps: sekda (top), fungsional.
    _rhk(_skp(org, org.sekda, jenis="jpt"), "Koordinasi perangkat daerah", jenis="utama")
    _rhk(_skp(org, org.fungsional), "Transformasi digital kinerja", atasan=b1)
    return Pohon(k1, k2, b1, b2, s1, p1, d1, sel_p, sel_r, m)


def _cakupan_admin(org):
    return pohon.cakupan_untuk(org.admin_a)


# --- gaps -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_leader_result_nobody_contributes_to_is_a_gap(org, data):
    g = pohon.celah(_cakupan_admin(org))
    ids = {r["id"] for r in g["tanpa_kontribusi"]}
    fungsional = RencanaHasilKerja.objects.get(skp__pegawai=org.fungsional)  # leads a team
    assert ids == {data.k2.pk, data.d1.pk, data.b2.pk, fungsional.pk}
    # Results with contributors, and staff without subordinates, are not listed.
    assert data.k1.pk not in ids and data.b1.pk not in ids and data.p1.pk not in ids
    # ...the leader's link goes to where cascading is done.
    assert all(r["tautan"] for r in g["tanpa_kontribusi"])


@pytest.mark.django_db
def test_result_intervening_nothing_above_is_a_gap_except_at_the_top(org, data):
    g = pohon.celah(_cakupan_admin(org))
    rows = {r["id"]: r for r in g["tanpa_intervensi"]}
    assert set(rows) == {data.b2.pk}
    assert rows[data.b2.pk]["tautan"] == f"/skp/{data.b2.skp_id}/"
    # JPT rows (K1, K2, D1, sekda) have nobody above in the application: not gaps.
    assert data.k2.pk not in rows and data.d1.pk not in rows


@pytest.mark.django_db
def test_intervening_a_row_dropped_from_the_leaders_current_skp_is_a_gap(org, data):
    # kabid opens version 2 without B1: S1 now intervenes a row that is no longer current.
    SKP.objects.filter(pk=data.b1.skp_id).update(terkini=False)
    v2 = _skp(org, org.kabid, status="draft", versi=2)
    _rhk(v2, data.b2.rencana, kunci=data.b2.kunci)
    g = pohon.celah(_cakupan_admin(org))
    rows = {r["id"]: r for r in g["tanpa_intervensi"]}
    assert data.s1.pk in rows
    assert "sudah tidak ada" in rows[data.s1.pk]["alasan"]


@pytest.mark.django_db
def test_pegawai_without_approved_skp_are_gaps(org, data):
    g = pohon.celah(_cakupan_admin(org))
    ids = {r["id"]: r for r in g["tanpa_skp"]}
    assert org.rekan.pk in ids and org.staf_dinas.pk in ids  # no SKP at all
    assert org.pegawai.pk in ids  # a draft is not approved
    assert ids[org.pegawai.pk]["tautan"] == f"/skp/{data.p1.skp_id}/"
    assert org.kabid.pk not in ids and org.kepala_bkd.pk not in ids
    assert org.gubernur.pk not in ids  # pejabat negara: no SKP
    assert org.pegawai_b.pk not in ids  # another instansi


@pytest.mark.django_db
def test_matrix_not_applied_is_a_gap_until_applied_and_again_after_an_edit(org, data):
    c = _cakupan_admin(org)
    assert [m["id"] for m in pohon.celah(c)["matriks"]] == [data.matriks.pk]
    t = timezone.now()
    MatriksPeranHasil.objects.filter(pk=data.matriks.pk).update(diterapkan_pada=t, diperbarui=t)
    assert pohon.celah(c)["matriks"] == []
    MatriksPeranHasil.objects.filter(pk=data.matriks.pk).update(
        diperbarui=t + timezone.timedelta(minutes=5)
    )
    assert [m["id"] for m in pohon.celah(c)["matriks"]] == [data.matriks.pk]


@pytest.mark.django_db
def test_gaps_page_lists_each_kind_with_links(client_as, org, data):
    html = client_as(org.admin_a).get("/pohon/").content.decode()
    assert 'id="celah-tanpa-kontribusi"' in html and data.k2.rencana in html
    assert data.b2.rencana in html
    assert org.rekan.nama in html and org.staf_dinas.nama in html
    assert "Matriks peran-hasil yang belum diterapkan (1)" in html
    assert f'href="/skp/{data.b2.skp_id}/"' in html


# --- the tree -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_instansi_tree_starts_at_jpt_and_cascades_down(org, data):
    c = _cakupan_admin(org)
    roots = pohon.akar(c)
    assert {r.id for r in roots} >= {data.k1.pk, data.k2.pk, data.d1.pk}
    assert data.b1.pk not in {r.id for r in roots}
    pohon.pohon_bangun(c.periode, roots, pohon.KEDALAMAN_MAKS)
    k1 = next(r for r in roots if r.id == data.k1.pk)
    assert {a.id for a in k1.anak} == {
        data.b1.pk,
        *[r.pk for r in RencanaHasilKerja.objects.filter(rhk_atasan=data.k1)],
    }
    b1 = next(a for a in k1.anak if a.id == data.b1.pk)
    s1 = next(a for a in b1.anak if a.id == data.s1.pk)
    assert s1.anak == []  # P1 sits under its matrix cell
    cells = {s.id: s for s in s1.sel}
    assert set(cells) == {data.sel_pegawai.pk, data.sel_rekan.pk}  # N/A cells are not drawn
    assert [a.id for a in cells[data.sel_pegawai.pk].anak] == [data.p1.pk]
    assert cells[data.sel_pegawai.pk].diterapkan
    assert not cells[data.sel_rekan.pk].diterapkan
    p1 = cells[data.sel_pegawai.pk].anak[0]
    assert (p1.pemilik_nama, p1.skp_status, p1.tingkat) == (org.pegawai.nama, "draft", 3)


@pytest.mark.django_db
def test_member_of_old_version_hangs_under_the_leaders_current_version(org, data):
    SKP.objects.filter(pk=data.b1.skp_id).update(terkini=False)
    v2 = _skp(org, org.kabid, status="diajukan", versi=2)
    b1v2 = _rhk(v2, data.b1.rencana + " (v2)", atasan=data.k1, kunci=data.b1.kunci)
    c = _cakupan_admin(org)
    roots = pohon.akar(c)
    pohon.pohon_bangun(c.periode, roots, 4)
    k1 = next(r for r in roots if r.id == data.k1.pk)
    b = next(a for a in k1.anak if a.pemilik_id == org.kabid.pk)
    assert b.id == b1v2.pk and b.skp_versi == 2 and b.skp_status == "diajukan"
    assert [a.id for a in b.anak if a.pemilik_id == org.kasubbid.pk] == [data.s1.pk]
    assert data.s1.pk not in {r["id"] for r in pohon.celah(c)["tanpa_intervensi"]}


@pytest.mark.django_db
def test_page_loads_two_levels_and_the_rest_lazily_with_href_fallback(client_as, org, data):
    client = client_as(org.admin_a)
    html = client.get("/pohon/").content.decode()
    assert data.k1.rencana in html and data.b1.rencana in html
    assert data.s1.rencana not in html  # third level: loaded on demand
    lazy = f'href="/pohon/simpul/{data.b1.pk}/" hx-get="/pohon/simpul/{data.b1.pk}/"'
    assert lazy in html
    part = client.get(f"/pohon/simpul/{data.b1.pk}/", HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    body = part.content.decode()
    assert "<html" not in body
    assert data.s1.rencana in body
    # The plain link (no JS) gives a full page with the branch.
    full = client.get(f"/pohon/simpul/{data.b1.pk}/").content.decode()
    assert "<html" in full and data.s1.rencana in full and data.p1.rencana in full
    assert "Belum menjadi rencana hasil kerja di SKP" in full  # rekan's unapplied cell


@pytest.mark.django_db
def test_unit_page_starts_at_the_unit_head(client_as, org, data):
    resp = client_as(org.admin_a).get(f"/pohon/unit/{org.unit_bidang.pk}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert data.b1.rencana in html and data.b2.rencana in html
    assert data.k1.rencana not in html and data.d1.rencana not in html
    assert org.staf_dinas.nama not in html  # gaps limited to the unit


# --- access ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_another_instansis_admin_gets_404_everywhere(client_as, org, data):
    client = client_as(org.admin_b)
    assert client.get(f"/pohon/unit/{org.unit_bidang.pk}/").status_code == 404
    assert client.get(f"/pohon/simpul/{data.k1.pk}/").status_code == 404
    assert client.get(f"/pohon/unduh.xlsx?unit={org.unit_bidang.pk}").status_code == 404
    html = client.get("/pohon/").content.decode()  # their own instansi: nothing of A
    assert data.k1.rencana not in html and org.pegawai.nama not in html


@pytest.mark.django_db
def test_leader_sees_own_subtree_only(client_as, org, data):
    client = client_as(org.user("kabid"))
    html = client.get("/pohon/").content.decode()
    assert data.b1.rencana in html and data.b2.rencana in html
    assert data.k1.rencana not in html and data.d1.rencana not in html
    assert org.rekan.nama in html  # below kabid, no SKP
    assert org.staf_dinas.nama not in html
    assert client.get(f"/pohon/simpul/{data.s1.pk}/").status_code == 200
    assert client.get(f"/pohon/simpul/{data.d1.pk}/").status_code == 404
    assert client.get(f"/pohon/simpul/{data.k1.pk}/").status_code == 404
    assert client.get(f"/pohon/unit/{org.unit_bidang.pk}/").status_code == 200
    assert client.get(f"/pohon/unit/{org.unit_dinas.pk}/").status_code == 404
    assert client.get(f"/pohon/unit/{org.unit_bkd.pk}/").status_code == 404


@pytest.mark.django_db
def test_non_leaders_and_anonymous_get_nothing(client, client_as, org, data):
    assert client.get("/pohon/").status_code == 302  # to login
    c = client_as(org.user("pegawai"))
    assert c.get("/pohon/").status_code == 404
    assert c.get(f"/pohon/simpul/{data.p1.pk}/").status_code == 404
    assert c.get(f"/pohon/unit/{org.unit_bidang.pk}/").status_code == 404
    assert c.get("/pohon/unduh.xlsx").status_code == 404


# --- scale ----------------------------------------------------------------------------------
def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_count_is_the_same_for_small_and_larger_trees(client_as, org, data):
    from kinerja.models import Pegawai

    client = client_as(org.admin_a)
    small = _count(client, "/pohon/")
    small_node = _count(client, f"/pohon/simpul/{data.b1.pk}/")
    small_xlsx = _count(client, "/pohon/unduh.xlsx")
    # Grow: 20 more staff under kasubbid, each with two results (one from a new cell), and
    # 10 more results of kabid intervening K1 with children of their own.
    for i in range(20):
        p = Pegawai.objects.create(
            instansi=org.instansi_a,
            nama=f"Staf {i:02d}",
            jabatan=org.pegawai.jabatan,
            unit_kerja=org.unit_bidang,
            pejabat_penilai=org.kasubbid,
        )
        sel = PeranHasil.objects.create(
            matriks=data.matriks, anggota=p, kolom_kunci=data.s1.kunci, peran_hasil=f"Peran {i}"
        )
        s = _skp(org, p, status="disetujui" if i % 2 else "draft")
        _rhk(s, f"Hasil {i} a", atasan=data.s1, sel=sel)
        _rhk(s, f"Hasil {i} b", atasan=data.s1, jenis="tambahan")
    sb = data.b1.skp
    for i in range(10):
        b = _rhk(sb, f"Hasil kabid {i}", atasan=data.k1)
        _rhk(data.s1.skp, f"Dukungan {i}", atasan=b)
    assert RencanaHasilKerja.objects.count() > 60
    assert _count(client, "/pohon/") == small
    assert _count(client, f"/pohon/simpul/{data.b1.pk}/") == small_node
    assert _count(client, "/pohon/unduh.xlsx") == small_xlsx


# --- export ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_xlsx_has_every_node_and_the_gaps_and_neutralises_formulas(client_as, org, data):
    from openpyxl import load_workbook

    bahaya = '=HYPERLINK("http://x","y")'
    RencanaHasilKerja.objects.filter(pk__in=[data.k2.pk, data.b2.pk]).update(rencana=bahaya)
    resp = client_as(org.admin_a).get("/pohon/unduh.xlsx")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb["Pohon kinerja"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    teks = [r[2] for r in rows]
    for rhk in (data.k1, data.b1, data.s1, data.p1, data.d1):
        assert rhk.rencana in teks
    p1 = rows[teks.index(data.p1.rencana)]
    assert p1[0] == 4 and p1[4] == org.pegawai.nama and p1[9] == data.sel_pegawai.peran_hasil
    assert p1[10] == data.s1.rencana
    belum = rows[teks.index(data.sel_rekan.peran_hasil)]
    assert belum[1] == "Peran-hasil (belum diterapkan)" and belum[4] == org.rekan.nama
    # The formula-like text (a root, and a gap) is a plain string, never a formula.
    for sheet in (ws, wb["Celah"]):
        cells = [c for c in sheet["C"] if isinstance(c.value, str) and "HYPERLINK" in c.value]
        assert cells
        assert all(c.data_type == "s" and c.value == "'" + bahaya for c in cells)
    gaps = [r[0] for r in wb["Celah"].iter_rows(min_row=2, values_only=True)]
    assert "Hasil kerja pimpinan tanpa kontributor" in gaps
    assert "Hasil kerja tidak mengintervensi atasan" in gaps
    assert "Belum ada SKP disetujui" in gaps
    assert "Matriks belum diterapkan" in gaps


# --- ratings ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_node_shows_latest_final_periodic_rating(client_as, org, data):
    from evaluasi import models as ev

    for urutan, rating, status in (
        (1, "dibawah_ekspektasi", "final"),
        (2, "sesuai_ekspektasi", "final"),
        (3, "diatas_ekspektasi", "draft"),
    ):
        e = ev.Evaluasi.objects.create(
            pegawai=org.kabid,
            periode=org.periode_a,
            jenis="periodik",
            urutan=urutan,
            status=status,
        )
        ev.PenilaianRHK.objects.create(evaluasi=e, rhk_kunci=data.b1.kunci, rating=rating)
    c = _cakupan_admin(org)
    roots = pohon.akar(c)
    pohon.pohon_bangun(c.periode, roots, 2)
    b1 = next(a for r in roots for a in (r.anak or []) if a.id == data.b1.pk)
    assert b1.rating == "sesuai_ekspektasi"  # the draft of window 3 is not shown
    assert b1.rating_teks == "Triwulan II: Sesuai Ekspektasi"
    html = client_as(org.admin_a).get("/pohon/").content.decode()
    assert "Triwulan II: Sesuai Ekspektasi" in html


@pytest.mark.django_db
def test_gap_lists_are_capped_on_the_page_but_counted_in_full(client_as, org, data, monkeypatch):
    c = _cakupan_admin(org)
    semua = pohon.celah(c)
    dipotong = pohon.celah(c, batas=1)
    for k in pohon.JENIS_CELAH:
        assert dipotong["jumlah"][k] == len(semua[k]) == semua["jumlah"][k]
        assert len(dipotong[k]) == min(1, len(semua[k]))
    monkeypatch.setattr(pohon_views, "BATAS_CELAH_HALAMAN", 1)
    html = client_as(org.admin_a).get("/pohon/").content.decode()
    assert "Pegawai tanpa SKP yang disetujui (3)" in html
    assert "daftar lengkap ada di unduhan xlsx" in html


@pytest.mark.django_db
def test_a_level_too_wide_for_the_first_load_stays_lazy(client_as, org, data, monkeypatch):
    monkeypatch.setattr(pohon_views, "ANGGARAN_AWAL", 0)
    html = client_as(org.admin_a).get("/pohon/").content.decode()
    assert data.k1.rencana in html
    assert data.b1.rencana not in html
    assert f'hx-get="/pohon/simpul/{data.k1.pk}/"' in html


@pytest.mark.django_db
def test_large_export_runs_in_the_background_and_downloads(
    client_as, org, data, monkeypatch, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    from kinerja.models import Job

    monkeypatch.setattr(pohon_views, "BATAS_UNDUH_LANGSUNG", 1)
    client = client_as(org.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.get("/pohon/unduh.xlsx")
    assert resp.status_code == 200
    assert "Menyiapkan unduhan pohon kinerja" in resp.content.decode()
    job = Job.objects.get(task="pohon.xlsx")
    assert job.status == Job.Status.SUKSES, job.galat
    unduh = client.get(job.hasil["url"])
    assert unduh.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(unduh.streaming_content)))
    teks = [r[2] for r in wb["Pohon kinerja"].iter_rows(min_row=3, values_only=True)]
    assert data.p1.rencana in teks
    # The file is the admin's instansi's: another instansi's admin cannot fetch it.
    assert client_as(org.admin_b).get(job.hasil["url"]).status_code == 404


@pytest.mark.django_db
def test_skp_links_only_where_the_viewer_may_open_the_skp(client_as, org, data):
    client = client_as(org.user("kabid"))
    html = client.get(f"/pohon/simpul/{data.b1.pk}/").content.decode()
    assert f'href="/skp/{data.s1.skp_id}/"' in html  # kasubbid: kabid is her penilai
    assert f'href="/skp/{data.p1.skp_id}/"' in html  # pegawai: kabid is her atasan penilai
    assert client.get(f"/skp/{data.p1.skp_id}/").status_code == 200
    kepala = client_as(org.user("kepala_bkd"))
    html = kepala.get(f"/pohon/simpul/{data.b1.pk}/").content.decode()
    assert f'href="/skp/{data.b1.skp_id}/"' in html  # kabid: rated by kepala_bkd
    assert f'href="/skp/{data.p1.skp_id}/"' not in html  # three levels down: no SKP access
    assert data.p1.rencana in html  # ...but the node is in her tree
    assert kepala.get(f"/skp/{data.p1.skp_id}/").status_code == 404


@pytest.mark.django_db
def test_skp_link_follows_the_skp_policy_for_the_penilai_recorded_on_the_skp(client_as, org, data):
    """Issue 15: the tree copied SKP visibility and left out the penilai recorded on the SKP.
    Kepala BKD approved kabid's SKP; kabid is rated by the sekda since. The SKP page still lets
    Kepala BKD in, and so does the link in the tree. (She still rates someone: a leader.)"""
    from kinerja.models import Pegawai

    Pegawai.objects.filter(pk=org.kabid.pk).update(pejabat_penilai=org.sekda)
    Pegawai.objects.filter(pk=org.fungsional.pk).update(pejabat_penilai=org.kepala_bkd)
    kepala = client_as(org.user("kepala_bkd"))
    assert kepala.get(f"/skp/{data.b1.skp_id}/").status_code == 200
    html = kepala.get(f"/pohon/simpul/{data.k1.pk}/").content.decode()
    assert data.b1.rencana in html
    assert f'href="/skp/{data.b1.skp_id}/"' in html


@pytest.mark.django_db
def test_gap_list_links_only_skps_the_viewer_may_open(client_as, org, data):
    """The gaps of Kepala BKD's tree include the pegawai's draft SKP three levels down (a
    gap: no approved SKP). She sees the gap but may not open that SKP, so the list names it
    without a link (the crawl found 404s behind those links); the kabid's SKP she rates stays
    linked."""
    kepala = client_as(org.user("kepala_bkd"))
    html = kepala.get("/pohon/").content.decode()
    assert org.pegawai.nama in html and "SKP masih draf" in html
    assert f'href="/skp/{data.p1.skp_id}/"' not in html
    assert kepala.get(f"/skp/{data.p1.skp_id}/").status_code == 404
    assert f'href="/skp/{data.b2.skp_id}/"' in html  # kabid's gap 2: rated by her
    admin_html = client_as(org.admin_a).get("/pohon/").content.decode()
    assert f'href="/skp/{data.p1.skp_id}/"' in admin_html
