"""Who rates whom (domain.md, "Pejabat Penilai Kinerja"): the pure rule and its stored result."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.models import Jabatan, Pegawai, UnitKerja
from kinerja.rules import JabatanInfo, UnitInfo, derive_penilai
from kinerja.services import organisasi_simpan, penilai_refresh


@dataclass
class Struktur:
    """A tiny organisation written by name: positions, units, who holds / acts in what."""

    daerah: bool = True
    jabatan: dict[str, JabatanInfo] = field(default_factory=dict)
    unit: dict[str, UnitInfo] = field(default_factory=dict)
    holder: dict[str, str] = field(default_factory=dict)  # jabatan -> pegawai
    acting: dict[str, str] = field(default_factory=dict)  # jabatan -> pegawai (Plt/Plh)
    override: dict[str, str] = field(default_factory=dict)  # pegawai -> pegawai
    ids: dict[str, int] = field(default_factory=dict)

    def _id(self, name: str) -> int:
        return self.ids.setdefault(name, len(self.ids) + 1)

    def unit_(self, name: str, *, mandiri: bool = False, penilai: str | None = None) -> str:
        self.unit[name] = UnitInfo(self._id(name), mandiri, self._id(penilai) if penilai else None)
        return name

    def jab(
        self,
        name: str,
        jenis: str,
        atasan: str | None = None,
        *,
        unit: str = "u",
        kepala: bool = False,
        pemangku: str | None = None,
    ) -> str:
        if unit not in self.unit:
            self.unit_(unit)
        self.jabatan[name] = JabatanInfo(
            self._id(name), jenis, self._id(atasan) if atasan else None, self._id(unit), kepala
        )
        if pemangku:
            self.holder[name] = pemangku
        return name

    def derive(self) -> dict[str, tuple[str | None, str | None]]:
        pimpinan = next(
            (j.id for j in self.jabatan.values() if j.jenis == "pimpinan_instansi"), None
        )
        pegawai_jabatan = {self._id(p): self._id(j) for j, p in self.holder.items()}
        for p in self.acting.values():
            pegawai_jabatan.setdefault(self._id(p), None)
        out = derive_penilai(
            pegawai_jabatan,
            jabatan_by_id={j.id: j for j in self.jabatan.values()},
            unit_by_id={u.id: u for u in self.unit.values()},
            holder_by_jabatan={self._id(j): self._id(p) for j, p in self.holder.items()},
            acting_by_jabatan={self._id(j): self._id(p) for j, p in self.acting.items()},
            instansi_daerah=self.daerah,
            pimpinan_jabatan_id=pimpinan,
            override={self._id(a): self._id(b) for a, b in self.override.items()},
        )
        names = {v: k for k, v in self.ids.items()}
        return {
            names[pid]: (names.get(p) if p else None, names.get(a) if a else None)
            for pid, (p, a) in out.items()
        }


def provinsi() -> Struktur:
    s = Struktur(daerah=True)
    s.jab("Gubernur", "pimpinan_instansi", kepala=True, pemangku="gubernur")
    s.jab("Sekda", "jpt_madya", "Gubernur", unit="setda", kepala=True, pemangku="sekda")
    s.jab("Asisten", "jpt_pratama", "Sekda", unit="setda", pemangku="asisten")
    s.jab("Kaban BKD", "jpt_pratama", "Sekda", unit="bkd", kepala=True, pemangku="kaban")
    s.jab("Sekban", "administrator", "Kaban BKD", unit="bkd", pemangku="sekban")
    s.jab("Kabid", "administrator", "Kaban BKD", unit="bkd", kepala=False, pemangku="kabid")
    s.jab("Kasubbid", "pengawas", "Kabid", unit="bkd", pemangku="kasubbid")
    s.jab("Kasubbag", "pengawas", "Sekban", unit="bkd", pemangku="kasubbag")
    s.jab("Pengolah", "pelaksana", "Kasubbid", unit="bkd", pemangku="pegawai")
    s.jab("Analis SDM", "fungsional", "Kabid", unit="bkd", pemangku="jf")
    return s


def test_daerah_jpt_madya_and_pratama_are_rated_by_the_kepala_daerah_not_the_sekda():
    r = provinsi().derive()
    assert r["sekda"] == ("gubernur", None)
    assert r["kaban"] == ("gubernur", None)
    assert r["asisten"] == ("gubernur", None)  # its atasan is the Sekda; the deck wins
    assert r["gubernur"] == (None, None)


def test_administrator_pengawas_pelaksana_fungsional_are_rated_by_their_direct_superior():
    r = provinsi().derive()
    assert r["kabid"] == ("kaban", "gubernur")
    assert r["kasubbid"] == ("kabid", "kaban")
    assert r["pegawai"] == ("kasubbid", "kabid")
    assert r["jf"] == ("kabid", "kaban")


def kementerian() -> Struktur:
    s = Struktur(daerah=False)
    s.jab("Menteri", "pimpinan_instansi", kepala=True, pemangku="menteri")
    s.jab("Sekjen", "jpt_madya", "Menteri", unit="setjen", kepala=True, pemangku="sekjen")
    s.jab("Kepala Badan", "jpt_utama", "Sekjen", unit="badan", kepala=True, pemangku="kaban")
    s.jab("Dirjen", "jpt_madya", "Menteri", unit="ditjen", kepala=True, pemangku="dirjen")
    s.jab("Direktur", "jpt_pratama", "Dirjen", unit="ditjen", pemangku="direktur")
    s.jab("Staf Ahli", "jpt_madya", "Sekjen", unit="setjen", pemangku="staf_ahli")
    s.jab("Kasubdit", "administrator", "Direktur", unit="ditjen", pemangku="kasubdit")
    return s


def test_pusat_jpt_utama_is_rated_by_the_pimpinan_instansi_whatever_it_reports_to():
    assert kementerian().derive()["kaban"] == ("menteri", None)


def test_pusat_jpt_madya_is_rated_by_the_minister_or_the_coordinating_jpt():
    r = kementerian().derive()
    assert r["dirjen"] == ("menteri", None)
    assert r["staf_ahli"] == ("sekjen", "menteri")  # coordinated by the Sekjen


def test_pusat_jpt_pratama_is_rated_by_its_jpt_madya_not_the_minister():
    r = kementerian().derive()
    assert r["direktur"] == ("dirjen", "menteri")
    assert r["kasubdit"] == ("direktur", "dirjen")


def with_kecamatan(penilai: str | None) -> Struktur:
    s = provinsi()
    s.jab("Kadis PMD", "jpt_pratama", "Sekda", unit="pmd", kepala=True, pemangku="kadis")
    s.unit_("kecamatan", mandiri=True, penilai=penilai)
    s.jab("Camat", "administrator", "Sekda", unit="kecamatan", kepala=True, pemangku="camat")
    s.jab("Sekcam", "pengawas", "Camat", unit="kecamatan", pemangku="sekcam")
    s.unit_("kelurahan")
    s.jab("Lurah", "pengawas", "Camat", unit="kelurahan", kepala=True, pemangku="lurah")
    return s


def test_head_of_unit_kerja_mandiri_without_a_coordinator_is_rated_by_the_kepala_daerah():
    r = with_kecamatan(None).derive()
    assert r["camat"] == ("gubernur", None)  # not the Sekda it reports to
    assert r["sekcam"] == ("camat", "gubernur")
    assert r["lurah"] == ("camat", "gubernur")  # a kelurahan is not mandiri


def test_head_of_unit_kerja_mandiri_with_a_coordinating_jabatan_is_rated_by_its_holder():
    r = with_kecamatan("Kadis PMD").derive()
    assert r["camat"] == ("kadis", "gubernur")
    assert r["lurah"] == ("camat", "kadis")


def test_head_of_unit_mandiri_in_pusat_goes_to_the_minister_or_coordinating_jpt():
    s = kementerian()
    s.unit_("balai", mandiri=True)
    s.jab("Kepala Balai", "administrator", "Direktur", unit="balai", kepala=True, pemangku="kb")
    assert s.derive()["kb"] == ("menteri", None)
    s.unit_("balai", mandiri=True, penilai="Dirjen")
    assert s.derive()["kb"] == ("dirjen", "menteri")


def test_a_vacant_position_passes_the_role_upward():
    s = provinsi()
    del s.holder["Kasubbid"]
    r = s.derive()
    assert r["pegawai"] == ("kabid", "kaban")
    del s.holder["Kabid"]
    r = s.derive()
    assert r["pegawai"] == ("kaban", "gubernur")
    assert r["jf"] == ("kaban", "gubernur")


def test_vacant_kepala_daerah_leaves_jpt_without_penilai_in_the_instansi():
    s = provinsi()
    del s.holder["Gubernur"]
    r = s.derive()
    assert r["kaban"] == (None, None)
    assert r["kabid"] == ("kaban", None)


def test_plt_or_plh_acting_in_a_vacant_position_holds_its_role():
    s = provinsi()
    del s.holder["Kasubbid"]
    s.acting["Kasubbid"] = "kasubbag"  # the Kasubbag is Plt Kasubbid
    r = s.derive()
    # The atasan is the penilai of the post the Plt acts in (the Kabid), not of the Plt's own
    # post (the Kasubbag's penilai, the Sekban): domain.md, "Acting officials".
    assert r["pegawai"] == ("kasubbag", "kabid")
    assert r["kasubbag"] == ("sekban", "kaban")


def test_pj_kepala_daerah_acting_rates_the_jpt():
    s = provinsi()
    del s.holder["Gubernur"]
    s.jab("Staf Kemendagri", "jpt_madya", unit="luar")
    s.holder["Staf Kemendagri"] = "pj"
    s.acting["Gubernur"] = "pj"
    assert s.derive()["sekda"] == ("pj", None)


def test_the_definitive_holder_wins_over_an_acting_official():
    s = provinsi()
    s.acting["Kasubbid"] = "kasubbag"
    assert s.derive()["pegawai"] == ("kasubbid", "kabid")


def test_an_official_acting_in_their_own_superior_position_is_not_their_own_penilai():
    s = provinsi()
    del s.holder["Kabid"]
    s.acting["Kabid"] = "kasubbid"  # the Kasubbid is Plt Kabid
    r = s.derive()
    assert r["kasubbid"] == ("kaban", "gubernur")  # skips herself, goes one up
    assert r["pegawai"] == ("kasubbid", "kaban")
    assert r["jf"] == ("kasubbid", "kaban")  # the Kabid's other staff: the Plt rates them


def test_the_admin_override_wins_and_moves_the_atasan_with_it():
    s = provinsi()
    s.override["pegawai"] = "sekban"
    r = s.derive()
    assert r["pegawai"] == ("sekban", "kaban")
    s.override["kasubbid"] = "sekban"
    r = s.derive()
    assert r["kasubbid"] == ("sekban", "kaban")
    # The atasan penilai is the penilai's own penilai, override included.
    s2 = provinsi()
    s2.override["kasubbid"] = "sekban"
    assert s2.derive()["pegawai"] == ("kasubbid", "sekban")


def test_position_without_atasan_reports_to_the_pimpinan_and_no_jabatan_means_no_penilai():
    s = provinsi()
    s.jab("Staf Khusus", "pelaksana", unit="setda", pemangku="stafsus")
    s.acting["Kabid"] = "tanpa_jabatan"  # only acting: not a holder; no own position
    r = s.derive()
    assert r["stafsus"] == ("gubernur", None)
    assert r["tanpa_jabatan"] == (None, None)


def test_a_cycle_of_positions_ends_without_a_penilai_instead_of_looping():
    s = Struktur(daerah=True)
    s.jab("A", "administrator", "B", pemangku="a")
    s.jab("B", "administrator", "C")
    s.jab("C", "administrator", "B")
    assert s.derive()["a"] == (None, None)


@st.composite
def random_struktur(draw):
    s = Struktur(daerah=draw(st.booleans()))
    n = draw(st.integers(1, 12))
    kinds = [
        "pimpinan_instansi",
        "jpt_utama",
        "jpt_madya",
        "jpt_pratama",
        "administrator",
        "pengawas",
        "pelaksana",
        "fungsional",
    ]
    for u in range(3):
        s.unit_(f"u{u}", mandiri=draw(st.booleans()))
    for i in range(n):
        atasan = draw(st.none() | st.integers(0, n - 1))
        s.jab(
            f"J{i}",
            draw(st.sampled_from(kinds)),
            f"J{atasan}" if atasan is not None else None,
            unit=f"u{draw(st.integers(0, 2))}",
            kepala=draw(st.booleans()),
        )
    people = [f"p{k}" for k in range(draw(st.integers(1, 10)))]
    for i in range(n):
        if draw(st.booleans()):
            s.holder[f"J{i}"] = draw(st.sampled_from(people))
        elif draw(st.booleans()):
            s.acting[f"J{i}"] = draw(st.sampled_from(people))
    if draw(st.booleans()):
        s.override[draw(st.sampled_from(people))] = draw(st.sampled_from(people))
    return s


@settings(max_examples=200)
@given(random_struktur())
def test_derivation_terminates_and_atasan_is_always_the_penilais_penilai(s):
    r = s.derive()
    for person, (penilai, atasan) in r.items():
        if penilai is None:
            assert atasan is None
            continue
        if person not in s.override:
            assert penilai != person
            assert penilai in set(s.holder.values()) | set(s.acting.values())
        assert atasan != person
        if not s.acting:
            # Without acting officials the atasan is exactly the penilai's own penilai (acting
            # officials' people go to the acted post's superior: the example tests above).
            expected = r.get(penilai, (None, None))[0]
            assert atasan == (expected if expected != person else None)


# --- stored result: penilai_refresh and the services that call it ---------------------------
@pytest.mark.django_db
def test_refresh_stores_every_persona_penilai(org):
    assert org.pegawai.pejabat_penilai == org.kasubbid
    assert org.pegawai.atasan_pejabat_penilai == org.kabid
    assert org.fungsional.pejabat_penilai == org.kabid
    assert org.kadis.pejabat_penilai == org.gubernur
    assert org.staf_dinas.pejabat_penilai == org.kadis
    assert org.staf_dinas.atasan_pejabat_penilai == org.gubernur
    assert org.kepala_b.pejabat_penilai.instansi == org.instansi_b
    assert penilai_refresh(instansi=org.instansi_a) == 0  # nothing left to change


@pytest.mark.django_db
def test_refresh_passes_upward_when_the_penilai_leaves_and_back_when_a_plt_is_named(org):
    org.kasubbid.status = Pegawai.Status.BERHENTI
    org.kasubbid.save()
    penilai_refresh(instansi=org.instansi_a)
    org.pegawai.refresh_from_db()
    assert (org.pegawai.pejabat_penilai, org.pegawai.atasan_pejabat_penilai) == (
        org.kabid,
        org.kepala_bkd,
    )
    org.fungsional.plt_jabatan = org.kasubbid.jabatan
    org.fungsional.plt_jenis = Pegawai.JenisPlt.PLT
    organisasi_simpan(user=org.admin_a, obj=org.fungsional)
    org.pegawai.refresh_from_db()
    assert (org.pegawai.pejabat_penilai, org.pegawai.atasan_pejabat_penilai) == (
        org.fungsional,
        org.kabid,
    )


@pytest.mark.django_db
def test_refresh_applies_the_admin_override_through_the_service(org):
    org.pegawai.penilai_override = org.fungsional
    organisasi_simpan(user=org.admin_a, obj=org.pegawai)
    org.pegawai.refresh_from_db()
    assert org.pegawai.pejabat_penilai == org.fungsional
    assert org.pegawai.atasan_pejabat_penilai == org.kabid


@pytest.mark.django_db
def test_making_a_unit_mandiri_moves_its_heads_penilai(org):
    unit = org.unit_dinas
    unit.mandiri = True
    unit.penilai_jabatan = org.kepala_bkd.jabatan
    organisasi_simpan(user=org.admin_a, obj=unit)
    org.kadis.refresh_from_db()
    org.staf_dinas.refresh_from_db()
    assert org.kadis.pejabat_penilai == org.kepala_bkd
    assert org.staf_dinas.atasan_pejabat_penilai == org.kepala_bkd


@pytest.mark.django_db
def test_changing_a_positions_atasan_through_the_service_refreshes_the_stored_penilai(org):
    jab = org.rekan.jabatan
    jab.atasan = org.kabid.jabatan
    organisasi_simpan(user=org.admin_a, obj=jab)
    org.rekan.refresh_from_db()
    assert org.rekan.pejabat_penilai == org.kabid


@pytest.mark.django_db
def test_the_service_refuses_an_admin_of_another_instansi(org):
    from django.core.exceptions import PermissionDenied

    org.pegawai.penilai_override = org.fungsional
    with pytest.raises(PermissionDenied):
        organisasi_simpan(user=org.admin_b, obj=org.pegawai)
    unit = UnitKerja(instansi=org.instansi_a, nama="Unit Siluman")
    with pytest.raises(PermissionDenied):
        organisasi_simpan(user=org.admin_b, obj=unit)
    # Moving a row out of another instansi into one's own is refused too.
    jab = Jabatan.objects.get(pk=org.rekan.jabatan_id)
    jab.unit_kerja = org.kepala_b.unit_kerja
    with pytest.raises(PermissionDenied):
        organisasi_simpan(user=org.admin_b, obj=jab)


@pytest.mark.django_db
def test_refresh_writes_one_update_per_penilai_pair_not_per_pegawai(org, django_assert_num_queries):
    from tests.factories import PegawaiFactory

    PegawaiFactory.create_batch(40, instansi=org.instansi_a, jabatan=org.rekan.jabatan)
    # 3 reads (units, positions, pegawai) + 1 UPDATE for the 40 new people rated by kasubbid
    # + their MasaPenilai (open stretches, who had one before, one INSERT for the 40)
    # (+ savepoint pair of the atomic block inside the test transaction), then the later
    # stages' receivers of penilai_berubah, each one read for all 40 whatever their number:
    # who has an SKP that year, who has penugasan waiting, open keberatan (in its savepoint).
    with django_assert_num_queries(14):
        assert penilai_refresh(instansi=org.instansi_a) == 40
    # Nothing changed: the reads and the open stretches only.
    with django_assert_num_queries(6):
        assert penilai_refresh(instansi=org.instansi_a) == 0
    assert set(
        Pegawai.objects.filter(jabatan=org.rekan.jabatan).values_list(
            "pejabat_penilai_id", "atasan_pejabat_penilai_id"
        )
    ) == {(org.kasubbid.pk, org.kabid.pk)}


def _refresh_and_get(org, p):
    penilai_refresh(instansi=org.instansi_a)
    return Pegawai.objects.get(pk=p.pk)


@pytest.mark.django_db
def test_a_penilai_on_tugas_belajar_is_relieved_of_the_position(org):
    Pegawai.objects.filter(pk=org.kasubbid.pk).update(status=Pegawai.Status.TUGAS_BELAJAR)
    p = _refresh_and_get(org, org.pegawai)
    assert (p.pejabat_penilai_id, p.atasan_pejabat_penilai_id) == (org.kabid.pk, org.kepala_bkd.pk)
    # Her own penilai is still derived from the position she left for study.
    assert _refresh_and_get(org, org.kasubbid).pejabat_penilai_id == org.kabid.pk


@pytest.mark.django_db
def test_a_penilai_on_leave_keeps_the_role_unless_a_plh_is_named(org):
    Pegawai.objects.filter(pk=org.kasubbid.pk).update(status=Pegawai.Status.CUTI)
    assert _refresh_and_get(org, org.pegawai).pejabat_penilai_id == org.kasubbid.pk
    Pegawai.objects.filter(pk=org.fungsional.pk).update(
        plt_jabatan=org.kasubbid.jabatan, plt_jenis=Pegawai.JenisPlt.PLH
    )
    assert _refresh_and_get(org, org.pegawai).pejabat_penilai_id == org.fungsional.pk
    Pegawai.objects.filter(pk=org.kasubbid.pk).update(status=Pegawai.Status.AKTIF)
    assert _refresh_and_get(org, org.pegawai).pejabat_penilai_id == org.kasubbid.pk


@pytest.mark.django_db
def test_an_override_naming_someone_who_left_no_longer_applies(org):
    Pegawai.objects.filter(pk=org.pegawai.pk).update(penilai_override=org.fungsional)
    assert _refresh_and_get(org, org.pegawai).pejabat_penilai_id == org.fungsional.pk
    Pegawai.objects.filter(pk=org.fungsional.pk).update(status=Pegawai.Status.BERHENTI)
    assert _refresh_and_get(org, org.pegawai).pejabat_penilai_id == org.kasubbid.pk
