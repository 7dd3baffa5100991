"""Journey 2 in a real browser: work arrives from outside the line.

The head of another dinas proposes an assignment for the pegawai; she does not see it; her
penilai is told (the bell), approves it with a klarifikasi ekspektasi; a new SKP version holds a
Tambahan row naming who assigned it; it is approved and the version history shows what changed;
the assigning official gives feedback on that row and both the pegawai and her penilai see it
marked as coming from the assigning official."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.bantu import klik_menu

pytestmark = pytest.mark.e2e

URAIAN = "Menyusun dasbor data kepegawaian lintas OPD untuk Diskominfo"
HASIL = "Dasbor data kepegawaian lintas OPD terbit"


def test_assignment_from_another_dinas_through_the_penilai(e2e_org, login, shot, live_server):
    from dialog.models import KlarifikasiEkspektasi, Penugasan, UmpanBalik
    from kinerja.models import Notifikasi
    from skp.models import SKP
    from tests.skp.factories import skp_disetujui

    org = e2e_org
    url = live_server.url
    v1 = skp_disetujui(org)  # her approved SKP, version 1
    assert v1.versi == 1 and v1.status == "disetujui"
    Notifikasi.objects.update(dibaca=True)  # January's notifications were read long ago

    # 1. The head of Diskominfo proposes the assignment by her NIP.
    page = login(org.kadis.user)
    klik_menu(page, "Penugasan")
    page.click("text=Usulkan penugasan")
    page.fill("#id_nip", org.pegawai.nip)
    expect(page.locator("#nip-hasil")).to_contain_text(org.pegawai.nama)
    page.fill("#id_uraian", URAIAN)
    page.fill("#id_hasil_diharapkan", HASIL)
    shot("j2_01_usulan_penugasan")
    page.click("button:has-text('Kirim')")
    expect(page.locator(".messages")).to_contain_text(
        f"Usulan penugasan dikirim kepada pejabat penilai {org.pegawai.nama}"
    )
    expect(page.locator("h1")).to_contain_text("Diusulkan")
    expect(page.locator("main")).to_contain_text("Menunggu keputusan pejabat penilai")
    p = Penugasan.objects.get()
    assert (p.pemberi, p.penerima, p.status) == (org.kadis, org.pegawai, "diusulkan")
    assert p.rencana_hasil_kerja is None

    # 2. She does not see it yet: not in her list, 404 by its address, nothing in her bell.
    page = login(org.pegawai.user)
    assert page.locator("#lonceng .badge").count() == 0
    page.goto(f"{url}/dialog/penugasan/?tab=saya")
    expect(page.locator("#daftar-penugasan")).to_contain_text("Tidak ada penugasan di sini.")
    assert page.goto(f"{url}/dialog/penugasan/{p.pk}/").status == 404
    assert not Notifikasi.objects.filter(penerima=org.pegawai.user, dibaca=False).exists()

    # 3. Her penilai sees the bell, reads the notification and opens the proposal from it.
    page = login(org.kasubbid.user)
    expect(page.locator("#lonceng .badge")).to_have_text("1")
    page.click("#lonceng")
    item = page.locator(".notif-list li.belum").first
    expect(item).to_contain_text(f"{org.kadis.nama}")
    expect(item).to_contain_text(f"mengusulkan penugasan untuk {org.pegawai.nama}")
    shot("j2_02_notifikasi_penilai")
    item.locator("button:has-text('Buka')").click()
    page.wait_for_url(re.compile(rf"/dialog/penugasan/{p.pk}/$"))
    assert Notifikasi.objects.get(penerima=org.kasubbid.user, jenis="penugasan_diusulkan").dibaca
    expect(page.locator("#lonceng .badge")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(org.kadis.jabatan.nama)

    # 4. Klarifikasi ekspektasi and approval.
    keputusan = page.locator("#keputusan")
    assert keputusan.locator("input[name=jenis_rhk][value=tambahan]").is_checked()
    keputusan.locator("textarea[name=ekspektasi]").fill(
        "Dasbor memuat data 20 OPD dan terbit paling lambat Juni"
    )
    keputusan.locator("textarea[name=catatan]").fill(
        "Disepakati dalam klarifikasi bersama pegawai dan Kepala Dinas Kominfo"
    )
    shot("j2_03_klarifikasi")
    keputusan.locator("button:has-text('Setujui')").click()
    expect(page.locator(".messages")).to_contain_text("klarifikasi ekspektasi tercatat")
    expect(page.locator("#klarifikasi")).to_contain_text("Dasbor memuat data 20 OPD")
    expect(page.locator("#klarifikasi")).to_contain_text("Versi 2 (Draft)")
    p.refresh_from_db()
    assert p.status == "disetujui" and p.diputuskan_oleh == org.kasubbid
    k = KlarifikasiEkspektasi.objects.get(penugasan=p)
    assert k.skp.versi == 2 and k.dicatat_oleh == org.kasubbid
    rhk = p.rencana_hasil_kerja
    assert (rhk.skp_id, rhk.jenis, rhk.pemberi_tugas) == (k.skp_id, "tambahan", org.kadis)
    assert {n.penerima for n in Notifikasi.objects.filter(jenis="penugasan_diputuskan")} == {
        org.kadis.user,
        org.pegawai.user,
    }

    # 5. She finds version 2 with the Tambahan row naming who assigned it, completes the
    # indikator the kuantitatif approach asks for, and submits.
    page = login(org.pegawai.user)
    expect(page.locator("#lonceng .badge")).to_have_text("1")
    page.click("#tugas-skp a.button")
    expect(page.locator("h1")).to_contain_text("Versi 2")
    expect(page.locator("#perubahan-versi")).to_contain_text(f"Penugasan dari {org.kadis.nama}")
    baris = page.locator(f"#rhk-{rhk.pk}")
    expect(baris).to_contain_text(HASIL)
    expect(baris).to_contain_text(f"Penugasan dari: {org.kadis.nama}")
    assert page.locator(f"#grup-tambahan #rhk-{rhk.pk}").count() == 1
    baris.locator("text=Ubah").click()
    form = page.locator("#grup-tambahan form.rhk-form")
    form.locator("input[name='indikator-0-indikator']").fill("Jumlah OPD dalam dasbor")
    form.locator("input[name='indikator-0-target']").fill("20 OPD")
    form.locator("button.primary").click()
    expect(page.locator("#grup-tambahan")).to_contain_text("20 OPD")
    expect(page.locator(f"#rhk-{rhk.pk}")).to_contain_text(f"Penugasan dari: {org.kadis.nama}")
    shot("j2_04_skp_versi2_pegawai")
    page.click("text=Ajukan kepada pejabat penilai")
    expect(page.locator(".messages")).to_contain_text("SKP diajukan")

    # 6. The penilai approves version 2; version 1 stays readable.
    page = login(org.kasubbid.user)
    page.goto(f"{url}/skp/persetujuan/")
    page.click("text=Periksa")
    expect(page.locator(f"#rhk-{rhk.pk}")).to_contain_text(f"Penugasan dari: {org.kadis.nama}")
    page.click("text=Setujui SKP")
    expect(page.locator(".messages")).to_contain_text("SKP disetujui")
    v2 = SKP.objects.get(pk=k.skp_id)
    v1.refresh_from_db()
    assert (v2.versi, v2.status, v2.terkini) == (2, "disetujui", True)
    assert (v1.status, v1.terkini) == ("disetujui", False)

    # 7. The version history shows what changed: the assigned row was added.
    page.click("text=Riwayat versi")
    expect(page.locator("#daftar-versi tbody tr")).to_have_count(2)
    expect(page.locator("#daftar-versi")).to_contain_text(f"Penugasan dari {org.kadis.nama}")
    page.click("text=Bandingkan dengan versi 2")
    perubahan = page.locator("#perubahan")
    expect(perubahan).to_contain_text("Perubahan dari versi 1 ke versi 2")
    expect(perubahan.locator("li.diff-tambah")).to_contain_text(HASIL)
    shot("j2_05_riwayat_versi")

    # 8. The assigning official follows the row and gives feedback on it.
    page = login(org.kadis.user)
    page.goto(f"{url}/dialog/penugasan/{p.pk}/")
    expect(page.locator("h1")).to_contain_text("Disetujui")
    page.click("text=Beri umpan balik")
    expect(page.locator("main")).to_contain_text("Anda sebagai Pemberi tugas")
    page.select_option("#id_sasaran", f"rhk:{rhk.pk}")
    page.check("input[name=jenis][value=apresiasi]")
    page.fill("#id_isi", "Rancangan dasbor sudah memuat 12 OPD; lanjutkan, sangat membantu.")
    page.click("button:has-text('Simpan umpan balik')")
    expect(page.locator(".messages")).to_contain_text(
        f"Umpan balik untuk {org.pegawai.nama} tersimpan"
    )
    ub = UmpanBalik.objects.get()
    assert (ub.pemberi, ub.penerima, ub.hubungan) == (org.kadis, org.pegawai, "pemberi_tugas")
    assert ub.rencana_hasil_kerja_id == rhk.pk

    # 9. She and her penilai both see it, marked as coming from the assigning official.
    for who, query in ((org.pegawai, "?peran=diterima"), (org.kasubbid, "?peran=tim")):
        page = login(who.user)
        page.goto(f"{url}/dialog/umpan-balik/{query}")
        row = page.locator("#daftar-umpan-balik tbody tr", has_text="sangat membantu")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(org.kadis.nama)
        expect(row.locator(".badge-pemberi_tugas")).to_have_text("Pemberi tugas")
        expect(row).to_contain_text(HASIL[:40])
        shot(f"j2_06_umpan_balik_{'pegawai' if who == org.pegawai else 'penilai'}")
