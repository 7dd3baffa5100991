"""The two stale-copy refusals (tests/skp/test_salinan_basi.py: the leader's BerAKHLAK
expectations `perilaku_versi`, the tugas belajar study data `row_version`) asked by someone who
may not make that change at all: the access refusal comes first, whatever copy was sent. The
answer to a stale copy is the answer to the current one (404 for who may not see the SKP, 403
for who sees it but may not change it, the login page for a locked-out account, as the policy
says), it never tells that the copy is stale, and nothing changes.

Each matrix row is asked through the page (the view, then the service) and the service alone
(its own policy checks, before `cek_versi` / the fingerprint)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kinerja.models import Pegawai, User
from kinerja.versi import PESAN_BASI
from skp import rules, services
from skp.models import SKP, EkspektasiPerilaku, Indikator, RencanaHasilKerja
from tests.skp.factories import skp_diajukan

pytestmark = pytest.mark.django_db

# In kinerja.versi.PESAN_BASI and in the study form's own refusal (skp.services.skp).
BASI = "sudah diubah"
assert BASI in PESAN_BASI
STUDI = {
    "perguruan_tinggi": "Universitas Nusa Cendana",
    "program_studi": "Manajemen",
    "jenjang": "s1",
    "lokasi": "dalam_negeri",
    "akreditasi_univ": "B",
    "akreditasi_prodi": "B",
}
# Who asks -> the page's answer, the same for a stale and a current copy. `nonaktif` and
# `berhenti` are the SKP's own penilai (perilaku) or pegawai (tugas belajar) locked out after
# signing in: the session no longer signs them in (kinerja.akses.backends).
PERILAKU = {
    "pegawai": 403,  # the SKP's pegawai, not its penilai
    "kabid": 403,  # atasan pejabat penilai: sees it, is not the penilai
    "fungsional": 403,  # ketua of a team the pegawai is in: sees it
    "admin_a": 403,  # the instansi's admin: read only
    "rekan": 404,  # a colleague, not the penilai
    "staf_dinas": 404,  # another unit
    "admin_b": 404,  # another instansi's admin
    "pegawai_b": 404,  # another instansi's pegawai
    "nonaktif": 302,
    "berhenti": 302,
}
TUGAS_BELAJAR = {
    "kabid": 403,  # atasan pejabat penilai
    "admin_a": 403,
    "pegawai": 404,  # a colleague of the pegawai on tugas belajar, not the penilai
    "staf_dinas": 404,
    "admin_b": 404,
    "pegawai_b": 404,
    "nonaktif": 302,
    "berhenti": 302,
}


def _keadaan(pk: int) -> tuple:
    """Everything the two forms could write, with the history rows."""
    rhk = RencanaHasilKerja.objects.filter(skp_id=pk).order_by("pk")
    ind = Indikator.objects.filter(rencana__skp_id=pk).order_by("pk")
    eks = EkspektasiPerilaku.objects.filter(skp_id=pk).order_by("pk")
    return (
        SKP.objects.filter(pk=pk).values().get(),
        list(rhk.values()),
        list(ind.values()),
        list(eks.values()),
        SKP.history.filter(id=pk).count(),
        RencanaHasilKerja.history.filter(skp_id=pk).count(),
        Indikator.history.filter(rencana__skp_id=pk).count(),
        EkspektasiPerilaku.history.filter(skp_id=pk).count(),
    )


def _penanya(org, who: str, pemilik: Pegawai) -> User:
    """The user asking; `nonaktif`/`berhenti`: `pemilik`, locked out (after signing in)."""
    if who == "nonaktif":
        User.objects.filter(pk=pemilik.user_id).update(is_active=False)
    elif who == "berhenti":
        Pegawai.objects.filter(pk=pemilik.pk).update(status=Pegawai.Status.BERHENTI)
    else:
        return org.user(who)
    return User.objects.get(pk=pemilik.user_id)


def _jawaban(r) -> tuple:
    # The CSRF token is masked anew on every page (it tells nothing about the SKP).
    body = re.sub(r'"X-CSRFToken": "[^"]*"', "", r.content.decode())
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    return r.status_code, r.get("Location"), body


def _pesan(exc: Exception) -> object:
    return exc.message_dict if isinstance(exc, ValidationError) else (type(exc), str(exc))


# --- BerAKHLAK expectations ----------------------------------------------------------------
@pytest.fixture
def perilaku(org):
    """A submitted SKP whose expectations the penilai changed once: `lama` is the stale
    fingerprint (the penilai's own save from it is refused), `baru` the current one."""
    skp = skp_diajukan(org)
    lama = rules.sidik_perilaku({})
    services.perilaku_atur(
        skp=SKP(pk=skp.pk), user=org.kasubbid.user, ekspektasi={"kolaboratif": "Tersimpan"}
    )
    baru = rules.sidik_perilaku({"kolaboratif": "Tersimpan"})
    return skp, lama, baru


def test_the_stale_expectations_copy_is_refused_for_the_penilai(org, client, perilaku):
    """The matrix's premise: `lama` is stale, the penilai gets the refusal."""
    skp, lama, _ = perilaku
    sebelum = _keadaan(skp.pk)
    client.force_login(org.kasubbid.user)
    r = client.post(
        reverse("skp:perilaku", args=[skp.pk]),
        {"ekspektasi-kolaboratif": "Dari salinan lama", "perilaku_versi": lama},
        follow=True,
    )
    assert BASI in r.content.decode()
    assert _keadaan(skp.pk) == sebelum


@pytest.mark.parametrize("who", list(PERILAKU))
def test_expectations_from_who_may_not_set_them_stale_or_not(org, client, perilaku, who):
    skp, lama, baru = perilaku
    user = _penanya(org, who, org.kasubbid)
    client.force_login(user)  # (a locked-out account's session no longer signs it in)
    sebelum = _keadaan(skp.pk)
    url = reverse("skp:perilaku", args=[skp.pk])
    jawab = {
        versi: _jawaban(
            client.post(url, {"ekspektasi-kolaboratif": "Tulisan lain", "perilaku_versi": versi})
        )
        for versi in (lama, baru)
    }
    assert jawab[lama][0] == PERILAKU[who], jawab[lama][:2]
    assert jawab[lama] == jawab[baru]
    assert BASI not in jawab[lama][2]
    assert _keadaan(skp.pk) == sebelum


@pytest.mark.parametrize("who", [w for w in PERILAKU if w not in {"nonaktif", "berhenti"}])
def test_the_expectations_service_refuses_access_before_the_fingerprint(org, perilaku, who):
    skp, lama, baru = perilaku
    sebelum = _keadaan(skp.pk)
    galat = {}
    for versi in (lama, baru):
        with pytest.raises(PermissionDenied) as e:
            services.perilaku_atur(
                skp=SKP(pk=skp.pk), user=org.user(who), ekspektasi={"loyal": "x"}, versi=versi
            )
        galat[versi] = _pesan(e.value)
    assert galat[lama] == galat[baru]
    assert _keadaan(skp.pk) == sebelum


# --- tugas belajar study data --------------------------------------------------------------
@pytest.fixture
def tugas_belajar(org):
    """The colleague on tugas belajar, a draft SKP whose study data was saved once: `lama` is
    the stale row_version, `baru` the current one."""
    Pegawai.objects.filter(pk=org.rekan.pk).update(status=Pegawai.Status.TUGAS_BELAJAR)
    org.rekan.refresh_from_db()
    skp = services.skp_buat(pegawai=org.rekan, periode=org.periode_a, user=org.rekan.user)
    lama = SKP.objects.get(pk=skp.pk).row_version
    services.skp_tugas_belajar_atur(
        skp=SKP(pk=skp.pk), user=org.rekan.user, row_version=lama, **STUDI
    )
    baru = SKP.objects.get(pk=skp.pk).row_version
    assert baru != lama
    return skp, lama, baru


@pytest.mark.parametrize("who", ["rekan", "kasubbid"])
def test_the_stale_study_copy_is_refused_for_the_pegawai_and_the_penilai(
    org, client, tugas_belajar, who
):
    """The matrix's premise: `lama` is stale for both who may save the study data."""
    skp, lama, _ = tugas_belajar
    sebelum = _keadaan(skp.pk)
    client.force_login(org.user(who))
    r = client.post(
        reverse("skp:tugas_belajar", args=[skp.pk]),
        {**STUDI, "perguruan_tinggi": "Universitas Timor", "row_version": lama},
    )
    assert r.status_code == 400 and BASI in r.content.decode()
    assert _keadaan(skp.pk) == sebelum


@pytest.mark.parametrize("who", list(TUGAS_BELAJAR))
def test_study_data_from_who_may_not_save_it_stale_or_not(org, client, tugas_belajar, who):
    skp, lama, baru = tugas_belajar
    user = _penanya(org, who, org.rekan)
    client.force_login(user)
    sebelum = _keadaan(skp.pk)
    url = reverse("skp:tugas_belajar", args=[skp.pk])
    jawab = {
        versi: _jawaban(
            client.post(
                url, {**STUDI, "perguruan_tinggi": "Universitas Timor", "row_version": versi}
            )
        )
        for versi in (lama, baru)
    }
    assert jawab[lama][0] == TUGAS_BELAJAR[who], jawab[lama][:2]
    assert jawab[lama] == jawab[baru]
    assert BASI not in jawab[lama][2]
    assert _keadaan(skp.pk) == sebelum


@pytest.mark.parametrize("who", [w for w in TUGAS_BELAJAR if w not in {"nonaktif", "berhenti"}])
def test_the_study_service_refuses_access_before_the_row_version(org, tugas_belajar, who):
    skp, lama, baru = tugas_belajar
    sebelum = _keadaan(skp.pk)
    galat = {}
    for versi in (lama, baru):
        with pytest.raises(PermissionDenied) as e:
            services.skp_tugas_belajar_atur(
                skp=SKP(pk=skp.pk),
                user=org.user(who),
                row_version=versi,
                **{**STUDI, "perguruan_tinggi": "Universitas Timor"},
            )
        galat[versi] = _pesan(e.value)
    assert galat[lama] == galat[baru]
    assert _keadaan(skp.pk) == sebelum
