"""Rating that flows (issue 17 item 2): the suggestion follows the per-RHK ratings as they are
chosen (no save), the quadrant lights the chosen cell, a refused save keeps everything typed,
and *Simpan dan lanjut* goes to the next person still to rate."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dialog.models import UmpanBalik
from evaluasi.models import Evaluasi, PenilaianRHK
from tests.evaluasi.conftest import evaluasi_draft, final

pytestmark = pytest.mark.django_db

A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"


def _kunci(ev) -> list[str]:
    return [str(k) for k in ev.skp.rencana_set.values_list("kunci", flat=True)]


def _apresiasi(org, n=2):
    for i in range(n):
        UmpanBalik.objects.create(
            penerima=org.pegawai,
            pemberi=org.rekan,
            hubungan="rekan",
            jenis="apresiasi",
            isi=f"Bagus {i}",
            periode=org.periode_a,
            urutan=4,
            dibuat=timezone.now(),
        )


def test_the_suggestion_follows_the_choices_before_any_save(org, client_as):
    ev = evaluasi_draft(org)
    _apresiasi(org)
    c = client_as(org.kasubbid.user)
    url = f"/evaluasi/{ev.pk}/pratinjau/"
    kunci = _kunci(ev)
    r = c.get(url, {f"rhk-{k}-rating": A for k in kunci}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="saran-hasil" hx-swap-oob="true"' in html
    assert "Saran: <strong>Di Atas Ekspektasi</strong>" in html
    r = c.get(url, {f"rhk-{k}-rating": B for k in kunci})
    # Mostly below, but the feedback is praise: the rule says Sesuai and asks to look again.
    html = r.content.decode()
    assert "Saran: <strong>Sesuai Ekspektasi</strong>" in html and "periksa kembali" in html
    # Nothing was saved: no per-RHK rating, the evaluation untouched.
    assert not PenilaianRHK.objects.filter(evaluasi=ev).exists()
    assert Evaluasi.objects.get(pk=ev.pk).row_version == ev.row_version


def test_the_quadrant_lights_the_chosen_cell_and_warns_before_a_refusal(org, client_as):
    ev = evaluasi_draft(org)
    c = client_as(org.kasubbid.user)
    kunci = _kunci(ev)
    r = c.get(
        f"/evaluasi/{ev.pk}/pratinjau/",
        {
            **{f"rhk-{k}-rating": S for k in kunci},
            "rating_hasil_kerja": A,
            "rating_perilaku_kerja": A,
        },
    )
    html = r.content.decode()
    aktif = html.split('aria-current="true"')
    assert len(aktif) == 2 and "Sangat Baik" in aktif[1][:40]
    assert html.count("sel-kuadran") == 9
    # Above the suggestion (Sesuai): the reason is asked for now, not after saving.
    assert "berbeda dari saran" in html


def test_only_who_may_rate_sees_the_preview(org, client_as):
    ev = evaluasi_draft(org)
    for who in (org.pegawai.user, org.rekan.user, org.kabid.user, org.admin_a):
        assert client_as(who).get(f"/evaluasi/{ev.pk}/pratinjau/").status_code == 404


def test_a_refused_save_keeps_every_choice_and_note_typed(org, client_as):
    ev = evaluasi_draft(org)
    _apresiasi(org)
    kunci = _kunci(ev)
    c = client_as(org.kasubbid.user)
    url = f"/evaluasi/nilai/{org.pegawai.pk}/akhir/"
    data = {
        "row_version": ev.row_version,
        # The suggestion (all above, praised) is Di atas: Sesuai without a reason is refused.
        "rating_hasil_kerja": S,
        "rating_perilaku_kerja": A,
        "catatan": "Catatan akhir yang tidak boleh hilang",
        "perilaku-kolaboratif": "Aktif lintas unit",
        "aksi": "simpan",
        **{f"rhk-{k}-rating": A for k in kunci},
        **{f"rhk-{k}-catatan": f"Catatan baris {i}" for i, k in enumerate(kunci)},
    }
    r = c.post(url, data)
    html = r.content.decode()
    assert r.status_code == 200 and "berbeda dari saran" in html
    for i, k in enumerate(kunci):
        assert f'<option value="{A}" selected>' in html.split(f'id="rhk-{k}-rating"')[1][:900]
        assert f"Catatan baris {i}" in html
    assert "Aktif lintas unit" in html and "Catatan akhir yang tidak boleh hilang" in html
    assert f'<option value="{S}" selected>' in html.split('id="id_rating_hasil_kerja"')[1][:900]
    # The saved suggestion is shown as the suggestion (before: "belum ada ... simpan draf").
    assert "Saran: <strong>Di Atas Ekspektasi</strong>" in html
    assert not PenilaianRHK.objects.filter(evaluasi=ev, rating=A).exists()


def test_save_and_next_goes_to_the_next_person_still_to_rate(org, client_as):
    ev = evaluasi_draft(org)
    evaluasi_draft(org, "rekan")
    c = client_as(org.kasubbid.user)
    kunci = _kunci(ev)
    data = {
        "row_version": ev.row_version,
        "rating_hasil_kerja": S,
        "rating_perilaku_kerja": S,
        "aksi": "lanjut",
        **{f"rhk-{k}-rating": S for k in kunci},
    }
    r = c.post(f"/evaluasi/nilai/{org.pegawai.pk}/akhir/", data)
    assert r.status_code == 302
    assert r["Location"].startswith(f"/evaluasi/nilai/{org.rekan.pk}/akhir/")
    assert Evaluasi.objects.get(pk=ev.pk).rating_hasil_kerja == S  # saved first
    # Once everyone else is final, back to the team page.
    Evaluasi.objects.filter(pegawai=org.rekan).delete()
    final(org, "rekan")
    ev.refresh_from_db()
    data["row_version"] = ev.row_version
    r = c.post(f"/evaluasi/nilai/{org.pegawai.pk}/akhir/", data)
    assert r.status_code == 302 and r["Location"].startswith("/evaluasi/tim/")
