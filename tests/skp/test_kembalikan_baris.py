"""The penilai returns an SKP with a note per rencana hasil kerja (issue 17, item 2): the notes
land on their rows, the pegawai sees them on the rows and on her home, a note on another SKP's
row is ignored, and approval clears them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from skp import services
from skp.models import SKP, RencanaHasilKerja
from tests.skp.factories import skp_diajukan, skp_draft

pytestmark = pytest.mark.django_db


def test_notes_per_row_reach_the_rows_and_the_pegawai(org, client_as):
    skp = skp_diajukan(org, n_rhk=2)
    r1, r2 = skp.rencana_set.order_by("urutan", "id")
    lain = skp_draft(org, "rekan").rencana_set.first()
    c = client_as(org.kasubbid.user)
    html = c.get(f"/skp/{skp.pk}/").content.decode()
    assert f'name="catatan-rhk-{r1.pk}" form="form-kembalikan"' in html
    r = c.post(
        f"/skp/{skp.pk}/kembalikan/",
        {
            "row_version": skp.row_version,
            "catatan": "",
            f"catatan-rhk-{r1.pk}": "Target belum terukur",
            f"catatan-rhk-{lain.pk}": "bukan SKP ini",
        },
    )
    assert r.status_code == 302
    skp.refresh_from_db()
    assert skp.status == SKP.Status.DRAFT
    assert RencanaHasilKerja.objects.get(pk=r1.pk).catatan_penilai == "Target belum terukur"
    assert RencanaHasilKerja.objects.get(pk=r2.pk).catatan_penilai == ""
    assert RencanaHasilKerja.objects.get(pk=lain.pk).catatan_penilai == ""
    p = client_as(org.pegawai.user)
    detail = p.get(f"/skp/{skp.pk}/").content.decode()
    assert f'id="catatan-rhk-{r1.pk}"' in detail and "Target belum terukur" in detail
    assert "1 catatan pada rencana hasil kerja" in p.get("/").content.decode()


def test_no_note_at_all_is_refused_and_approval_clears_the_notes(org):
    skp = skp_diajukan(org, n_rhk=1)
    r1 = skp.rencana_set.first()
    with pytest.raises(ValidationError):
        services.skp_kembalikan(skp=skp, user=org.kasubbid.user, catatan=" ", catatan_rhk={})
    skp = services.skp_kembalikan(
        skp=skp, user=org.kasubbid.user, catatan="", catatan_rhk={r1.pk: "Perjelas target"}
    )
    skp = services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    services.skp_setujui(skp=skp, user=org.kasubbid.user)
    assert RencanaHasilKerja.objects.get(pk=r1.pk).catatan_penilai == ""
    # The history keeps what was asked.
    assert r1.history.filter(catatan_penilai="Perjelas target").exists()
