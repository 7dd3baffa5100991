"""Penugasan routed through the pejabat penilai: every state change and every refusal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dialog import services as svc
from dialog.models import KlarifikasiEkspektasi, Penugasan
from kinerja.models import Notifikasi
from skp.models import SKP, RencanaHasilKerja

pytestmark = pytest.mark.django_db


def usul(org, pemberi="kadis", penerima="pegawai", **kw) -> Penugasan:
    return svc.penugasan_usulkan(
        user=org.user(pemberi),
        penerima=getattr(org, penerima),
        uraian=kw.pop("uraian", "Menyusun dasbor data kepegawaian lintas OPD"),
        hasil_diharapkan=kw.pop("hasil_diharapkan", "Dasbor data kepegawaian terbit"),
        **kw,
    )


def test_proposal_goes_to_the_penilai_not_the_pegawai(org, client_as):
    p = usul(org)
    assert p.status == Penugasan.Status.DIUSULKAN
    n = Notifikasi.objects.get(penerima=org.user("kasubbid"), jenis="penugasan_diusulkan")
    assert f"/dialog/penugasan/{p.pk}/" == n.tautan
    assert not Notifikasi.objects.filter(penerima=org.user("pegawai")).exists()
    # The pegawai does not see it: not in her list, 404 on the page and in the API.
    c = client_as(org.user("pegawai"))
    assert c.get(f"/dialog/penugasan/{p.pk}/").status_code == 404
    assert c.get(f"/api/v1/penugasan/{p.pk}/").status_code == 404
    assert c.get("/api/v1/penugasan/").json()["count"] == 0
    # The penilai and the proposer do.
    assert client_as(org.user("kasubbid")).get(f"/dialog/penugasan/{p.pk}/").status_code == 200
    assert client_as(org.user("kadis")).get(f"/dialog/penugasan/{p.pk}/").status_code == 200


def test_approval_records_klarifikasi_and_opens_a_new_skp_version(org, skp_disetujui):
    p = usul(org)
    p = svc.penugasan_setujui(
        user=org.user("kasubbid"),
        penugasan=p,
        ekspektasi="Dasbor siap sebelum 30 Juni",
        catatan="Dibahas tatap muka",
        row_version=p.row_version,
    )
    assert p.status == Penugasan.Status.DISETUJUI
    assert p.diputuskan_oleh == org.kasubbid
    baru = SKP.objects.get(pegawai=org.pegawai, terkini=True)
    assert baru.versi == 2 and baru.status == SKP.Status.DRAFT
    assert "Penugasan dari Aba Maulaka" in baru.alasan_perubahan
    row = baru.rencana_set.get(sumber="penugasan")
    assert row.jenis == "tambahan"
    assert row.pemberi_tugas == org.kadis
    assert row.rencana == "Dasbor data kepegawaian terbit"
    assert p.rencana_hasil_kerja == row
    k = KlarifikasiEkspektasi.objects.get(penugasan=p)
    assert k.ekspektasi == "Dasbor siap sebelum 30 Juni" and k.skp == baru
    # The old version is untouched; the copied row kept its kunci.
    assert skp_disetujui.rencana_set.count() == 1
    # Decided: the proposer and the pegawai are told; now she sees it.
    for who in ("kadis", "pegawai"):
        assert Notifikasi.objects.filter(
            penerima=org.user(who), jenis="penugasan_diputuskan"
        ).exists()


def test_penilai_may_make_it_utama(org, skp_disetujui):
    p = usul(org)
    svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=p, jenis_rhk="utama")
    assert RencanaHasilKerja.objects.get(sumber="penugasan").jenis == "utama"


def test_approval_without_any_skp_creates_the_first_one(org):
    p = usul(org)
    svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=p)
    skp = SKP.objects.get(pegawai=org.pegawai)
    assert skp.versi == 1 and skp.status == SKP.Status.DRAFT
    assert skp.rencana_set.get().pemberi_tugas == org.kadis


def test_approval_onto_a_draft_adds_the_row_to_that_draft(org):
    draft = SKP.objects.create(pegawai=org.pegawai, periode=org.periode_a, versi=1)
    svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=usul(org))
    assert SKP.objects.filter(pegawai=org.pegawai).count() == 1
    assert draft.rencana_set.filter(sumber="penugasan").count() == 1


def test_rejection_needs_a_reason_and_is_final(org):
    p = usul(org)
    with pytest.raises(ValidationError) as e:
        svc.penugasan_tolak(user=org.user("kasubbid"), penugasan=p, alasan="  ")
    assert "alasan" in e.value.message_dict
    p = svc.penugasan_tolak(user=org.user("kasubbid"), penugasan=p, alasan="Beban kerja penuh")
    assert p.status == Penugasan.Status.DITOLAK and p.alasan == "Beban kerja penuh"
    assert not SKP.objects.filter(pegawai=org.pegawai).exists()
    with pytest.raises(ValidationError, match="sudah ditolak"):
        svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=p)
    # Both the proposing official and the pegawai learn of the decision, with its link.
    for who in ("kadis", "pegawai"):
        n = Notifikasi.objects.get(penerima=org.user(who), jenis="penugasan_diputuskan")
        assert "ditolak" in n.pesan and n.tautan == f"/dialog/penugasan/{p.pk}/"


def test_approved_cannot_be_decided_again(org):
    p = svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=usul(org))
    with pytest.raises(ValidationError, match="sudah disetujui"):
        svc.penugasan_tolak(user=org.user("kasubbid"), penugasan=p, alasan="berubah pikiran")


def test_stale_row_version_is_refused(org):
    p = usul(org)
    with pytest.raises(ValidationError, match="sudah diubah oleh pengguna lain"):
        svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=p, row_version=p.row_version + 5)
    p.refresh_from_db()
    assert p.status == Penugasan.Status.DIUSULKAN


def test_penilai_assigns_directly(org):
    p = usul(org, pemberi="kasubbid", ekspektasi="Selesai Juli")
    assert p.status == Penugasan.Status.DISETUJUI
    assert p.klarifikasi.ekspektasi == "Selesai Juli"
    assert not Notifikasi.objects.filter(jenis="penugasan_diusulkan").exists()
    assert Notifikasi.objects.filter(
        penerima=org.user("pegawai"), jenis="penugasan_diputuskan"
    ).exists()


def test_other_instansi_official_proposes_by_exact_nip(org, client_as):
    c = client_as(org.user("kepala_b"))
    # Nothing of instansi A is searchable except by the exact NIP.
    assert (
        org.pegawai.nama
        not in c.get("/dialog/penugasan/cari-nip/?nip=" + org.pegawai.nip[:10]).content.decode()
    )
    page = c.get("/dialog/penugasan/cari-nip/?nip=" + org.pegawai.nip).content.decode()
    assert org.pegawai.nama in page
    r = c.post(
        "/dialog/penugasan/usulkan/",
        {
            "nip": org.pegawai.nip,
            "uraian": "Integrasi data ASN kabupaten-provinsi",
            "hasil_diharapkan": "Data terintegrasi",
            "jenis_rhk": "tambahan",
        },
    )
    assert r.status_code == 302, r.content.decode()
    p = Penugasan.objects.get()
    assert p.pemberi == org.kepala_b and p.penerima == org.pegawai
    assert Notifikasi.objects.filter(
        penerima=org.user("kasubbid"), jenis="penugasan_diusulkan"
    ).exists()
    # An id of instansi A through the API: not found (ids reveal nothing).
    api = c.post(
        "/api/v1/penugasan/", {"penerima": org.rekan.pk, "uraian": "x", "hasil_diharapkan": "y"}
    )
    assert api.status_code == 400 and "penerima" in api.json()


def test_staff_without_a_position_cannot_propose(org):
    with pytest.raises(PermissionDenied):
        usul(org, pemberi="rekan")


def test_cannot_assign_oneself(org):
    with pytest.raises(ValidationError):
        usul(org, pemberi="kasubbid", penerima="kasubbid")


NOT_THE_PENILAI = [
    "pegawai",
    "kadis",
    "rekan",
    "kabid",
    "kepala_b",
    "pegawai_b",
    "admin_a",
    "admin_b",
    "superuser",
    "kepala_bkd",
    "fungsional",
]


@pytest.mark.parametrize("who", NOT_THE_PENILAI)
def test_nobody_but_the_penilai_approves_through_the_service(org, who):
    p = usul(org)
    for fn in (svc.penugasan_setujui, svc.penugasan_tolak):
        with pytest.raises(PermissionDenied):
            fn(user=org.user(who), penugasan=p, alasan="x")
    p.refresh_from_db()
    assert p.status == Penugasan.Status.DIUSULKAN


@pytest.mark.parametrize("who", NOT_THE_PENILAI)
def test_nobody_but_the_penilai_approves_through_the_page(org, client_as, who):
    p = usul(org)
    c = client_as(org.user(who))
    for aksi in ("setujui", "tolak"):
        r = c.post(
            f"/dialog/penugasan/{p.pk}/{aksi}/",
            {
                "jenis_rhk": "tambahan",
                "ekspektasi": "x",
                "waktu": "2026-03-01T10:00",
                "alasan": "x",
                "row_version": p.row_version,
            },
        )
        assert r.status_code in (403, 404), (who, aksi, r.status_code)
    p.refresh_from_db()
    assert p.status == Penugasan.Status.DIUSULKAN


@pytest.mark.parametrize("who", NOT_THE_PENILAI)
def test_nobody_but_the_penilai_approves_through_the_api(org, client_as, who):
    p = usul(org)
    c = client_as(org.user(who))
    for aksi in ("setujui", "tolak"):
        r = c.post(f"/api/v1/penugasan/{p.pk}/{aksi}/", {"alasan": "x"})
        assert r.status_code in (403, 404), (who, aksi, r.status_code)
    p.refresh_from_db()
    assert p.status == Penugasan.Status.DIUSULKAN


def test_api_status_codes_per_persona(org, client_as):
    p = usul(org)
    # Visible but not allowed: 403. Not visible: 404.
    assert (
        client_as(org.user("kadis")).post(f"/api/v1/penugasan/{p.pk}/setujui/").status_code == 403
    )
    assert (
        client_as(org.user("kabid")).post(f"/api/v1/penugasan/{p.pk}/setujui/").status_code == 403
    )
    assert (
        client_as(org.user("pegawai")).post(f"/api/v1/penugasan/{p.pk}/setujui/").status_code == 404
    )
    assert (
        client_as(org.user("pegawai_b")).post(f"/api/v1/penugasan/{p.pk}/setujui/").status_code
        == 404
    )


def test_nobody_approves_through_the_admin(org, client_as):
    p = usul(org)
    for who in ("superuser", "kasubbid", "admin_a"):
        c = client_as(org.user(who))
        r = c.post(f"/admin/dialog/penugasan/{p.pk}/change/", {"status": "disetujui"})
        assert r.status_code in (302, 403, 404), (who, r.status_code)
    p.refresh_from_db()
    assert p.status == Penugasan.Status.DIUSULKAN


def test_penilai_approves_through_the_api(org, client_as, skp_disetujui):
    p = usul(org)
    r = client_as(org.user("kasubbid")).post(
        f"/api/v1/penugasan/{p.pk}/setujui/",
        {"alasan": "Sesuai", "jenis_rhk": "utama"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "disetujui" and body["rencana_hasil_kerja"]
    assert set(body) >= {
        "id",
        "pemberi",
        "penerima",
        "uraian",
        "hasil_diharapkan",
        "sukarela",
        "status",
    }


def test_api_rejection_without_reason_is_400(org, client_as):
    p = usul(org)
    r = client_as(org.user("kasubbid")).post(f"/api/v1/penugasan/{p.pk}/tolak/", {"alasan": ""})
    assert r.status_code == 400 and "alasan" in r.json()


def test_penilai_approves_through_the_page(org, client_as, skp_disetujui):
    p = usul(org)
    c = client_as(org.user("kasubbid"))
    page = c.get(f"/dialog/penugasan/{p.pk}/").content.decode()
    assert "Setujui" in page and "klarifikasi" in page.lower()
    r = c.post(
        f"/dialog/penugasan/{p.pk}/setujui/",
        {
            "jenis_rhk": "tambahan",
            "ekspektasi": "Dasbor siap Juni",
            "catatan": "",
            "waktu": "2026-03-10T09:00",
            "alasan": "",
            "row_version": p.row_version,
        },
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "disetujui"
    # The pegawai sees it now, with the klarifikasi.
    page = client_as(org.user("pegawai")).get(f"/dialog/penugasan/{p.pk}/").content.decode()
    assert "Dasbor siap Juni" in page


def test_page_rejection_without_reason_keeps_what_was_typed(org, client_as):
    p = usul(org)
    r = client_as(org.user("kasubbid")).post(
        f"/dialog/penugasan/{p.pk}/tolak/", {"alasan": "", "row_version": p.row_version}
    )
    assert r.status_code == 400
    p.refresh_from_db()
    assert p.status == "diusulkan"


def test_volunteering_for_an_opportunity_is_decided_by_own_penilai(org, client_as):
    peluang = svc.peluang_buka(
        user=org.user("kadis"),
        judul="Tim Satu Data",
        uraian="Kurasi data",
        hasil_diharapkan="Katalog data terbit",
    )
    c = client_as(org.user("pegawai"))
    assert "Tim Satu Data" in c.get("/dialog/peluang/").content.decode()
    r = c.post(f"/dialog/peluang/{peluang.pk}/ikuti/", {"pesan": "Saya berminat"})
    assert r.status_code == 302
    p = Penugasan.objects.get()
    assert p.sukarela and p.status == "diusulkan" and p.pemberi == org.kadis
    # She asked herself, so she sees her request; it waits for her penilai.
    assert c.get(f"/dialog/penugasan/{p.pk}/").status_code == 200
    assert Notifikasi.objects.filter(
        penerima=org.user("kasubbid"), jenis="penugasan_diusulkan"
    ).exists()
    with pytest.raises(ValidationError, match="sudah mendaftar"):
        svc.peluang_ikuti(user=org.user("pegawai"), peluang=peluang)
    with pytest.raises(PermissionDenied):
        svc.penugasan_setujui(user=org.user("kadis"), penugasan=p)
    svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=p)
    # Another instansi does not see the opportunity.
    with pytest.raises(PermissionDenied):
        svc.peluang_ikuti(user=org.user("pegawai_b"), peluang=peluang)


def test_closed_opportunity_refuses_volunteers(org):
    peluang = svc.peluang_buka(user=org.user("kadis"), judul="A", uraian="B", hasil_diharapkan="C")
    svc.peluang_tutup(user=org.user("kadis"), peluang=peluang)
    with pytest.raises(ValidationError, match="ditutup"):
        svc.peluang_ikuti(user=org.user("pegawai"), peluang=peluang)
    with pytest.raises(PermissionDenied):
        svc.peluang_tutup(user=org.user("pegawai"), peluang=peluang)


def test_team_assignment_fans_out_to_each_members_penilai(org):
    rows = svc.penugasan_usulkan_tim(
        user=org.user("kepala_bkd"),
        tim=org.tim,
        uraian="Transformasi digital",
        hasil_diharapkan="Prototipe aplikasi",
    )
    by = {p.penerima: p for p in rows}
    assert set(by) == {org.pegawai, org.staf_dinas, org.fungsional}
    assert len({p.kelompok for p in rows}) == 1
    # Each routed to their own penilai: pegawai -> kasubbid, staf_dinas -> kadis, JF -> kabid.
    for pegawai, penilai in (
        (org.pegawai, "kasubbid"),
        (org.staf_dinas, "kadis"),
        (org.fungsional, "kabid"),
    ):
        assert by[pegawai].status == "diusulkan"
        assert Notifikasi.objects.filter(
            penerima=org.user(penilai),
            jenis="penugasan_diusulkan",
            tautan=f"/dialog/penugasan/{by[pegawai].pk}/",
        ).exists()
    with pytest.raises(PermissionDenied):
        svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=by[org.staf_dinas])
    svc.penugasan_setujui(user=org.user("kadis"), penugasan=by[org.staf_dinas])


def test_assigning_official_sees_the_rows_progress_and_gives_feedback_on_it(
    org, client_as, skp_disetujui
):
    p = svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=usul(org))
    rhk = p.rencana_hasil_kerja
    c = client_as(org.user("kadis"))
    assert c.get(f"/dialog/dokumentasi/rhk/{rhk.pk}/").status_code == 200
    # ...but not the pegawai's other rows.
    other = skp_disetujui.rencana_set.get()
    assert c.get(f"/dialog/dokumentasi/rhk/{other.pk}/").status_code == 404
    ub = svc.umpan_balik_beri(
        user=org.user("kadis"),
        penerima=org.pegawai,
        jenis="apresiasi",
        isi="Dasbor sangat membantu",
        rencana_hasil_kerja=rhk,
    )
    assert ub.hubungan == "pemberi_tugas"
