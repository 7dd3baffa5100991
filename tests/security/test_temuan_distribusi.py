"""Issue 15, finding 4: the distribution page listed each person's predikat, drafts included, to
officials who get 404 on those evaluations. Per-person rows follow the policy (drafts only to
their penilai); the counts stay for whoever may see the unit's distribution."""

from __future__ import annotations

import pytest

from tests.evaluasi.conftest import evaluasi_draft, final, nilai

pytestmark = pytest.mark.django_db


@pytest.fixture
def evs(org):
    """The pegawai's evaluation rated but still a draft; the colleague's final (both rated by
    kasubbid, atasan kabid, in the Bidang)."""
    draft = nilai(evaluasi_draft(org), "dibawah_ekspektasi", "dibawah_ekspektasi")
    fin = final(org, "rekan")
    return draft, fin


def _page(client, org):
    r = client.get(f"/evaluasi/distribusi/?cakupan=unit&unit={org.unit_bidang.pk}&jendela=akhir")
    assert r.status_code == 200
    return r.content.decode()


@pytest.mark.parametrize(
    ("who", "sees_draft", "sees_final"),
    [
        ("kasubbid", True, True),  # the penilai of both
        ("kabid", False, True),  # atasan penilai: the final one, never the draft
        ("admin_a", False, True),  # the admin reads final results here, drafts never
        ("kepala_bkd", False, False),  # heads a unit above: counts only
        ("gubernur", False, False),
    ],
)
def test_per_person_rows_follow_the_policy(org, client_as, evs, who, sees_draft, sees_final):
    draft, fin = evs
    html = _page(client_as(org.user(who)), org)
    assert (f"/evaluasi/{draft.pk}/" in html) is sees_draft
    assert (org.pegawai.nama in html) is sees_draft
    assert (f"/evaluasi/{fin.pk}/" in html) is sees_final
    assert (org.rekan.nama in html) is sees_final
    # The aggregate stays: two rated evaluations in the unit's counts.
    assert "Jumlah" in html or "jumlah" in html


def test_penilai_of_one_member_sees_only_that_members_row(org, client_as, evs):
    from kinerja.models import Pegawai

    draft, fin = evs
    # kabid becomes the penilai of the colleague only (still heads nothing above the unit).
    Pegawai.objects.filter(pk=org.rekan.pk).update(pejabat_penilai=org.kadis)
    html = _page(client_as(org.kadis.user), org)
    assert f"/evaluasi/{draft.pk}/" not in html and org.pegawai.nama not in html
