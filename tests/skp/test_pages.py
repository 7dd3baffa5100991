from __future__ import annotations

from django.urls import reverse

from skp import services
from skp.models import SKP, RencanaHasilKerja
from tests.skp.factories import rhk, skp_diajukan, skp_disetujui, skp_draft

HX = {"HTTP_HX_REQUEST": "true"}


def test_draft_page_shows_rows_perilaku_and_lampiran(org, client_as):
    skp = skp_draft(org, n_rhk=2)
    c = client_as(org.pegawai.user)
    r = c.get(reverse("skp:detail", args=[skp.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Rencana hasil kerja 1" in html and "Rencana hasil kerja 2" in html
    for label in [
        "Berorientasi Pelayanan",
        "Akuntabel",
        "Kompeten",
        "Harmonis",
        "Loyal",
        "Adaptif",
        "Kolaboratif",
    ]:
        assert label in html
    assert "Menghargai setiap orang apa pun latar belakangnya" in html
    assert "Lampiran SKP" in html and "Ajukan kepada pejabat penilai" in html


def test_index_and_create_own_skp(org, client_as):
    c = client_as(org.pegawai.user)
    assert c.get(reverse("skp:index")).status_code == 200
    r = c.post(reverse("skp:buat"), {"pendekatan": "kualitatif"})
    skp = SKP.objects.get(pegawai=org.pegawai)
    assert r.status_code == 302 and skp.pendekatan == "kualitatif"
    assert c.get(reverse("skp:detail", args=[skp.pk])).status_code == 200


def test_htmx_add_row_with_error_keeps_typed_values(org, client_as):
    skp = skp_draft(org, n_rhk=0)
    c = client_as(org.pegawai.user)
    url = reverse("skp:rhk_tambah", args=[skp.pk])
    r = c.get(url + "?jenis=utama", **HX)
    assert r.status_code == 200 and "<form" in r.content.decode()
    r = c.post(
        url,
        {
            "jenis": "utama",
            "rencana": "Laporan kinerja triwulan tersusun",
            "indikator-jumlah": "2",
            "indikator-0-aspek": "kuantitas",
            "indikator-0-indikator": "Jumlah laporan",
            "indikator-0-target": "",
            "indikator-1-aspek": "waktu",
            "indikator-1-indikator": "",
            "indikator-1-target": "",
        },
        **HX,
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "Laporan kinerja triwulan tersusun" in html and "Jumlah laporan" in html
    assert "Isi target" in html
    assert not RencanaHasilKerja.objects.filter(skp=skp).exists()
    r = c.post(
        url,
        {
            "jenis": "utama",
            "slot": "utama",
            "rencana": "Laporan kinerja triwulan tersusun",
            "indikator-jumlah": "1",
            "indikator-0-aspek": "kuantitas",
            "indikator-0-indikator": "Jumlah laporan",
            "indikator-0-target": "4 laporan",
        },
        **HX,
    )
    assert r.status_code == 200
    assert 'hx-swap-oob="beforeend:#daftar-utama"' in r.content.decode()
    assert "4 laporan" in r.content.decode()
    assert RencanaHasilKerja.objects.filter(skp=skp).count() == 1


def test_htmx_edit_move_remove_row(org, client_as):
    skp = skp_draft(org, n_rhk=2)
    a, b = list(skp.rencana_set.order_by("urutan"))
    c = client_as(org.pegawai.user)
    r = c.get(reverse("skp:rhk_ubah", args=[skp.pk, a.pk]), **HX)
    assert r.status_code == 200 and a.rencana in r.content.decode()
    r = c.post(
        reverse("skp:rhk_ubah", args=[skp.pk, a.pk]),
        {
            "jenis": "utama",
            "rencana": "",
            "row_version": str(a.row_version),
            "indikator-jumlah": "1",
            "indikator-0-aspek": "kuantitas",
            "indikator-0-indikator": "Setengah diketik",
            "indikator-0-target": "3",
        },
        **HX,
    )
    assert "Isi rencana hasil kerja" in r.content.decode()
    assert "Setengah diketik" in r.content.decode()
    r = c.post(
        reverse("skp:rhk_ubah", args=[skp.pk, a.pk]),
        {
            "jenis": "utama",
            "rencana": "Diubah",
            "row_version": str(a.row_version),
            "indikator-jumlah": "1",
            "indikator-0-aspek": "kuantitas",
            "indikator-0-indikator": "IKI",
            "indikator-0-target": "3",
        },
        **HX,
    )
    assert r.status_code == 200 and "Diubah" in r.content.decode()
    r = c.post(reverse("skp:rhk_pindah", args=[skp.pk, a.pk, "turun"]), **HX)
    assert r.status_code == 200
    assert list(skp.rencana_set.order_by("urutan").values_list("pk", flat=True)) == [b.pk, a.pk]
    r = c.post(reverse("skp:rhk_hapus", args=[skp.pk, b.pk]), **HX)
    assert r.status_code == 200
    assert list(skp.rencana_set.values_list("pk", flat=True)) == [a.pk]


def test_stale_row_version_is_refused_with_message(org, client_as):
    skp = skp_draft(org, n_rhk=1)
    a = skp.rencana_set.get()
    services.rhk_ubah(rhk=a, user=org.pegawai.user, rencana="Versi orang lain")
    c = client_as(org.pegawai.user)
    r = c.post(
        reverse("skp:rhk_ubah", args=[skp.pk, a.pk]),
        {
            "jenis": "utama",
            "rencana": "Versi saya",
            "row_version": "1",
            "indikator-jumlah": "0",
        },
        **HX,
    )
    assert "sudah diubah oleh pengguna lain" in r.content.decode()
    assert "Versi saya" in r.content.decode()
    a.refresh_from_db()
    assert a.rencana == "Versi orang lain"


def test_penilai_sees_queue_and_returns_then_approves(org, client_as):
    skp = skp_diajukan(org)
    c = client_as(org.kasubbid.user)
    r = c.get(reverse("skp:persetujuan"))
    assert org.pegawai.nama in r.content.decode()
    r = c.get(reverse("skp:detail", args=[skp.pk]))
    assert "Setujui SKP" in r.content.decode()
    c.post(reverse("skp:kembalikan", args=[skp.pk]), {"catatan": "Target IKI 1 belum terukur"})
    skp.refresh_from_db()
    assert skp.status == "draft" and "belum terukur" in skp.catatan_penilai
    c2 = client_as(org.pegawai.user)
    assert "belum terukur" in c2.get(reverse("skp:detail", args=[skp.pk])).content.decode()
    c2.post(reverse("skp:ajukan", args=[skp.pk]))
    c = client_as(org.kasubbid.user)
    c.post(reverse("skp:setujui", args=[skp.pk]))
    skp.refresh_from_db()
    assert skp.status == "disetujui"


def test_a_refused_return_gives_back_what_the_penilai_typed(org, client_as):
    """Another penilai's approval came first: the return is refused, the page no longer shows
    the return form, and the general and per-row notes come back in a message."""
    skp = skp_diajukan(org)
    baris = skp.rencana_set.first()
    services.skp_setujui(skp=skp, user=org.kasubbid.user)
    c = client_as(org.kasubbid.user)
    r = c.post(
        reverse("skp:kembalikan", args=[skp.pk]),
        {"catatan": "Lengkapi <lampiran> & target", f"catatan-rhk-{baris.pk}": "IKI 2 kabur"},
        follow=True,
    )
    html = r.content.decode()
    assert "Yang Anda tulis belum tersimpan" in html
    assert "Lengkapi &lt;lampiran&gt; &amp; target" in html and "IKI 2 kabur" in html
    skp.refresh_from_db()
    assert skp.status == "disetujui" and "Lengkapi" not in skp.catatan_penilai


def test_penilai_sets_ekspektasi_khusus(org, client_as):
    skp = skp_diajukan(org)
    c = client_as(org.kasubbid.user)
    c.post(
        reverse("skp:perilaku", args=[skp.pk]),
        {"ekspektasi-kolaboratif": "Aktif di tim lintas bidang"},
    )
    assert (
        skp.perilaku_set.get(nilai="kolaboratif").ekspektasi_khusus == "Aktif di tim lintas bidang"
    )
    c = client_as(org.pegawai.user)
    html = c.get(reverse("skp:detail", args=[skp.pk])).content.decode()
    assert "Aktif di tim lintas bidang" in html and 'name="ekspektasi-kolaboratif"' not in html


def test_version_page_shows_diff(org, client_as):
    v1 = skp_disetujui(org)
    v2 = services.skp_versi_baru(skp=v1, user=org.pegawai.user, alasan="Klarifikasi ekspektasi")
    rhk(v2, org.pegawai.user, rencana="Data lintas instansi tersaji", jenis="tambahan")
    c = client_as(org.pegawai.user)
    html = c.get(reverse("skp:versi", args=[v2.pk])).content.decode()
    assert "Ditambahkan" in html and "Data lintas instansi tersaji" in html


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_skp_page_costs_the_same_queries_for_3_or_60_rows(org, client_as):
    skp = skp_draft(org, n_rhk=0)
    for i in range(3):
        rhk(skp, org.pegawai.user, rencana=f"Baris {i}", jenis="utama" if i % 2 else "tambahan")
    c = client_as(org.pegawai.user)
    url = reverse("skp:detail", args=[skp.pk])
    kecil = _queries(c, url)
    for i in range(3, 60):
        rhk(skp, org.pegawai.user, rencana=f"Baris {i}", jenis="utama" if i % 2 else "tambahan")
    assert skp.rencana_set.count() == 60
    assert _queries(c, url) == kecil
    # The penilai's view of the same page too.
    services.skp_ajukan(skp=skp, user=org.pegawai.user)
    assert _queries(client_as(org.kasubbid.user), url) <= kecil + 5


def test_approval_queue_costs_the_same_queries_for_3_or_60_skps(org, client_as):
    from kinerja.models import Jabatan, Pegawai
    from kinerja.services import penilai_refresh
    from tests.personas import _pegawai

    def bawahan(n):
        jab = Jabatan.objects.create(
            unit_kerja=org.unit_bidang,
            nama=f"Pelaksana {n}",
            jenis="pelaksana",
            atasan=org.kasubbid.jabatan,
        )
        return _pegawai(org.instansi_a, f"Pegawai Uji {n}", jab)

    def submit(p):
        p = Pegawai.objects.get(pk=p.pk)
        skp = services.skp_buat(pegawai=p, periode=org.periode_a, user=p.user)
        rhk(skp, p.user)
        services.skp_ajukan(skp=skp, user=p.user)

    made = [bawahan(n) for n in range(3)]
    penilai_refresh(instansi=org.instansi_a)
    for p in made:
        submit(p)
    c = client_as(org.kasubbid.user)
    url = reverse("skp:persetujuan")
    kecil = _queries(c, url)
    more = [bawahan(n) for n in range(3, 60)]
    penilai_refresh(instansi=org.instansi_a)
    for p in more:
        submit(p)
    html = c.get(url).content.decode()
    assert "60 baris" in html and html.count(">Periksa<") == 25  # paged
    assert _queries(c, url) == kecil


def test_tugas_belajar_page_and_band_preview(org, client_as):
    from kinerja.models import Pegawai

    Pegawai.objects.filter(pk=org.rekan.pk).update(status="tugas_belajar")
    org.rekan.refresh_from_db()
    skp = services.skp_buat(pegawai=org.rekan, periode=org.periode_a, user=org.rekan.user)
    c = client_as(org.rekan.user)
    r = c.post(
        reverse("skp:tugas_belajar", args=[skp.pk]),
        {
            "perguruan_tinggi": "Universitas Nusa Cendana",
            "program_studi": "Manajemen",
            "jenjang": "s1",
            "lokasi": "dalam_negeri",
            "akreditasi_univ": "C",
            "akreditasi_prodi": "C",
        },
    )
    assert r.status_code == 400 and "minimal B" in r.content.decode()
    assert "Universitas Nusa Cendana" in r.content.decode()  # what she typed stays
    r = c.post(
        reverse("skp:tugas_belajar", args=[skp.pk]),
        {
            "perguruan_tinggi": "Universitas Nusa Cendana",
            "program_studi": "Manajemen",
            "jenjang": "s1",
            "lokasi": "dalam_negeri",
            "akreditasi_univ": "C",
            "akreditasi_prodi": "B",
        },
        follow=True,
    )
    html = r.content.decode()
    assert "3.71–4.00" in html and "Indeks Prestasi Kumulatif" in html
    r = c.get(
        reverse("skp:tugas_belajar_pita", args=[skp.pk]),
        {"jenjang": "profesi_s2_s3", "lokasi": "luar_negeri"},
        HTTP_HX_REQUEST="true",
    )
    assert "3.20–3.50" in r.content.decode()


def test_home_panels_for_pegawai_and_penilai(org, client_as):
    skp_diajukan(org)
    html = client_as(org.pegawai.user).get("/").content.decode()
    assert 'id="tugas-skp"' in html and "menunggu persetujuan" in html
    html = client_as(org.kasubbid.user).get("/").content.decode()
    assert 'id="tugas-persetujuan"' in html and "1 SKP menunggu persetujuan" in html


def test_admin_lists_are_read_only_and_scoped(org, client_as):
    skp = skp_draft(org)
    c = client_as(org.superuser)
    assert c.get("/admin/skp/skp/").status_code == 200
    assert c.get(f"/admin/skp/skp/{skp.pk}/change/").status_code == 200
    assert c.post("/admin/skp/skp/add/", {}).status_code == 403
