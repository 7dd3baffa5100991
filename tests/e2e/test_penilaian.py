"""The rating flow in Chromium (issue 17, Done means): the suggestion appears as the per-RHK
ratings are chosen, without saving; the quadrant lights the chosen cell; a refused save keeps
every choice and note; *Simpan dan lanjut* opens the next person still to rate."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

A, S = "diatas_ekspektasi", "sesuai_ekspektasi"


def test_penilai_rates_with_a_live_suggestion_keeps_input_and_moves_on(
    e2e_org, login, shot, live_server
):
    from dialog.models import UmpanBalik
    from evaluasi.models import Evaluasi, PenilaianRHK
    from tests.evaluasi.conftest import evaluasi_draft

    org = e2e_org
    ev = evaluasi_draft(org)
    evaluasi_draft(org, "rekan")
    UmpanBalik.objects.create(
        penerima=org.pegawai,
        pemberi=org.rekan,
        hubungan="rekan",
        jenis="apresiasi",
        isi="Rekap data selalu tepat waktu",
        periode=org.periode_a,
        urutan=4,
        dibuat=timezone.now(),
    )
    kunci = [str(k) for k in ev.skp.rencana_set.values_list("kunci", flat=True)]
    page = login(org.kasubbid.user)
    page.goto(f"{live_server.url}/evaluasi/nilai/{org.pegawai.pk}/akhir/")
    saran = page.locator("#saran-hasil")
    expect(saran).to_contain_text("belum ada")

    # 1. Each row rated above expectation: the suggestion follows, nothing is saved.
    for k in kunci:
        page.select_option(f"#rhk-{k}-rating", A)
        page.fill(f"#rhk-{k}-catatan", f"Tuntas lebih cepat ({k[:4]})")
    expect(saran).to_contain_text("Di Atas Ekspektasi")
    assert not PenilaianRHK.objects.filter(evaluasi=ev).exclude(rating="").exists()

    # 2. The penilai chooses otherwise: the quadrant lights the cell, the reason is asked now.
    page.select_option("#id_rating_hasil_kerja", S)
    page.select_option("#id_rating_perilaku_kerja", A)
    expect(page.locator("#predikat-hasil td.aktif")).to_have_text("Baik (pilihan ini)")
    expect(page.locator("#alasan-petunjuk")).to_contain_text("berbeda dari saran")
    page.fill("#perilaku-kolaboratif", "Aktif di tim lintas unit")
    page.fill("#id_catatan", "Pertahankan ketepatan rekap")
    shot("penilaian_pratinjau")

    # 3. Saved without the reason: refused, and everything typed is still there.
    page.click("button[value=simpan]")
    expect(page.locator(".errors")).to_contain_text("berbeda dari saran")
    for k in kunci:
        expect(page.locator(f"#rhk-{k}-rating")).to_have_value(A)
        expect(page.locator(f"#rhk-{k}-catatan")).to_have_value(f"Tuntas lebih cepat ({k[:4]})")
    expect(page.locator("#id_rating_hasil_kerja")).to_have_value(S)
    expect(page.locator("#id_rating_perilaku_kerja")).to_have_value(A)
    expect(page.locator("#perilaku-kolaboratif")).to_have_value("Aktif di tim lintas unit")
    expect(page.locator("#id_catatan")).to_have_value("Pertahankan ketepatan rekap")
    expect(saran).to_contain_text("Di Atas Ekspektasi")
    shot("penilaian_ditolak_input_tetap")

    # 4. With the reason, saved and on to the next person of the team still to rate.
    page.fill("#id_alasan_ubah_rating", "Satu target utama baru tercapai akhir tahun")
    page.click("button[value=lanjut]")
    page.wait_for_url(f"{live_server.url}/evaluasi/nilai/{org.rekan.pk}/akhir/**")
    expect(page.locator(".messages")).to_contain_text(f"Berikutnya: {org.rekan.nama}")
    expect(page.locator("h1")).to_contain_text(org.rekan.nama)
    ev.refresh_from_db()
    assert ev.rating_hasil_kerja == S and ev.predikat == "baik"
    assert Evaluasi.objects.get(pk=ev.pk).alasan_ubah_rating.startswith("Satu target")
