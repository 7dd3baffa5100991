"""Reads of the dialog stage, always through the access policy, with bounded query counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from dialog.models import (
    BuktiDukung,
    DialogKinerja,
    Peluang,
    Penugasan,
    PermintaanUmpanBalik,
    Realisasi,
    TindakLanjut,
    UmpanBalik,
)
from kinerja import policy
from kinerja.models import Pegawai, Periode
from kinerja.rules import Jendela, jendela_pada, jendela_periodik


def umpan_balik_qs(user: Any) -> QuerySet[UmpanBalik]:
    return policy.scope(
        user,
        UmpanBalik.objects.select_related(
            "penerima", "pemberi__jabatan", "rencana_hasil_kerja", "periode"
        ),
    )


def umpan_balik_list(
    *,
    user: Any,
    peran: str = "",
    jenis: str = "",
    hubungan: str = "",
    pegawai_id: int | None = None,
) -> QuerySet[UmpanBalik]:
    """Feedback the user may see. `peran`: diterima (about me), diberikan (by me), tim (about
    the people I rate or am atasan penilai of)."""
    a = policy.actor(user)
    qs = umpan_balik_qs(user)
    if peran == "diterima":
        qs = qs.filter(penerima_id=a.pegawai_id)
    elif peran == "diberikan":
        qs = qs.filter(pemberi_id=a.pegawai_id)
    elif peran == "tim":
        qs = qs.filter(
            Q(penerima__pejabat_penilai_id=a.pegawai_id)
            | Q(penerima__atasan_pejabat_penilai_id=a.pegawai_id)
        )
    if pegawai_id:
        qs = qs.filter(penerima_id=pegawai_id)
    if jenis in UmpanBalik.Jenis.values:
        qs = qs.filter(jenis=jenis)
    if hubungan in UmpanBalik.Hubungan.values:
        qs = qs.filter(hubungan=hubungan)
    return qs.order_by("-dibuat", "-id")


def permintaan_masuk(*, user: Any) -> QuerySet[PermintaanUmpanBalik]:
    a = policy.actor(user)
    return (
        policy.scope(user, PermintaanUmpanBalik.objects.select_related("peminta__jabatan"))
        .filter(diminta_id=a.pegawai_id, status=PermintaanUmpanBalik.Status.TERBUKA)
        .order_by("-dibuat")
    )


def permintaan_saya(*, user: Any) -> QuerySet[PermintaanUmpanBalik]:
    a = policy.actor(user)
    return (
        policy.scope(user, PermintaanUmpanBalik.objects.select_related("diminta"))
        .filter(peminta_id=a.pegawai_id)
        .order_by("-dibuat")
    )


# --- Coverage: the penilai's obligation to give feedback ------------------------------------
@dataclass
class CakupanBaris:
    pegawai: Pegawai
    jumlah: int
    jendela: Jendela | None

    @property
    def tercakup(self) -> bool:
        return self.jumlah > 0


@dataclass
class Cakupan:
    baris: list[CakupanBaris] = field(default_factory=list)

    @property
    def jumlah_pegawai(self) -> int:
        return len(self.baris)

    @property
    def sudah(self) -> int:
        return sum(1 for b in self.baris if b.tercakup)

    @property
    def belum(self) -> list[CakupanBaris]:
        return [b for b in self.baris if not b.tercakup]

    @property
    def jendela_label(self) -> str:
        labels = sorted({b.jendela.label for b in self.baris if b.jendela})
        return ", ".join(labels)


def cakupan_umpan_balik(*, penilai_id: int, tanggal: dt.date | None = None) -> Cakupan:
    """Per subordinate, in the evaluation window containing `tanggal`: how many pieces of
    feedback the penilai gave. Three queries whatever the team size."""
    tanggal = tanggal or timezone.localdate()
    tim = list(
        Pegawai.objects.filter(pejabat_penilai_id=penilai_id)
        .exclude(status=Pegawai.Status.BERHENTI)
        .select_related("jabatan")
        .order_by("nama")
    )
    if not tim:
        return Cakupan()
    periodes = {
        p.instansi_id: p
        for p in Periode.objects.filter(
            instansi_id__in={p.instansi_id for p in tim}, tahun=tanggal.year
        )
    }
    jendela = {iid: jendela_pada(p.tahun, p.frekuensi, tanggal) for iid, p in periodes.items()}
    cond = Q(pk__in=[])
    for iid, p in periodes.items():
        j = jendela[iid]
        if j is not None:
            cond |= Q(periode_id=p.pk, urutan=j.urutan)
    counts = dict(
        UmpanBalik.objects.filter(cond, pemberi_id=penilai_id, penerima__in=tim)
        .values("penerima_id")
        .annotate(n=Count("id"))
        .values_list("penerima_id", "n")
    )
    return Cakupan([CakupanBaris(p, counts.get(p.pk, 0), jendela.get(p.instansi_id)) for p in tim])


# --- Penugasan ---------------------------------------------------------------------------------
def penugasan_qs(user: Any) -> QuerySet[Penugasan]:
    return policy.scope(
        user,
        Penugasan.objects.select_related(
            "pemberi__instansi",
            "pemberi__jabatan",
            "penerima__jabatan",
            "penerima__instansi",
            "peluang",
            "tim",
            "diputuskan_oleh",
            "rencana_hasil_kerja",
        ),
    )


def penugasan_perlu_keputusan(*, user: Any) -> QuerySet[Penugasan]:
    a = policy.actor(user)
    return penugasan_qs(user).filter(
        penerima__pejabat_penilai_id=a.pegawai_id, status=Penugasan.Status.DIUSULKAN
    )


def peluang_terbuka(*, user: Any) -> QuerySet[Peluang]:
    today = timezone.localdate()
    return (
        policy.scope(user, Peluang.objects.select_related("unit_kerja", "pemberi"))
        .filter(terbuka=True)
        .filter(Q(batas_pendaftaran__isnull=True) | Q(batas_pendaftaran__gte=today))
        .annotate(
            jumlah_pendaftar=Count(
                "penugasan_set", filter=~Q(penugasan_set__status=Penugasan.Status.DITOLAK)
            )
        )
        .order_by("-dibuat")
    )


def pegawai_dengan_nip(nip: str) -> Pegawai | None:
    """Exact NIP lookup across instansi: how an official of another instansi names the pegawai
    they want to assign. Nothing else of the other instansi is searchable."""
    nip = (nip or "").strip().replace(" ", "")
    if len(nip) != 18 or not nip.isdigit():
        return None
    return (
        Pegawai.objects.select_related("jabatan", "unit_kerja", "instansi", "pejabat_penilai")
        .filter(nip=nip)
        .exclude(status=Pegawai.Status.BERHENTI)
        .first()
    )


# --- Dokumentasi kinerja -------------------------------------------------------------------------
def realisasi_untuk_rhk(*, user: Any, rhk: Any) -> dict[int, Realisasi]:
    qs = policy.scope(
        user,
        Realisasi.objects.filter(
            rhk_kunci=rhk.kunci, periode_id=rhk.skp.periode_id
        ).prefetch_related(
            Prefetch("bukti_set", queryset=BuktiDukung.objects.order_by("dibuat", "id"))
        ),
    )
    return {r.urutan: r for r in qs}


def jendela_tahun(periode: Periode) -> list[Jendela]:
    return jendela_periodik(periode.tahun, periode.frekuensi)


# --- Dialog kinerja --------------------------------------------------------------------------------
def dialog_qs(user: Any) -> QuerySet[DialogKinerja]:
    return policy.scope(
        user,
        DialogKinerja.objects.select_related("pegawai", "pemimpin").prefetch_related(
            Prefetch(
                "tindak_lanjut_set",
                queryset=TindakLanjut.objects.select_related("penanggung_jawab"),
            )
        ),
    )


# --- The pegawai's year on one page -------------------------------------------------------------
JENIS_PERISTIWA = {
    "skp": "SKP",
    "umpan_balik": "Umpan balik",
    "penugasan": "Penugasan",
    "realisasi": "Realisasi",
    "dialog": "Dialog kinerja",
}


@dataclass
class Peristiwa:
    waktu: dt.datetime
    jenis: str
    objek: Any

    @property
    def jenis_label(self) -> str:
        return JENIS_PERISTIWA[self.jenis]


def _aware(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time()))


def tahun_pegawai(*, user: Any, pegawai: Pegawai, tahun: int, jenis: str = "") -> list[Peristiwa]:
    """SKP versions, feedback, assignments, realisasi and dialogues of one pegawai in one year,
    newest first. One query per kind whatever the number of items."""
    from skp.models import SKP

    kinds = [jenis] if jenis in JENIS_PERISTIWA else list(JENIS_PERISTIWA)
    out: list[Peristiwa] = []
    if "skp" in kinds:
        qs = policy.scope(
            user,
            SKP.objects.filter(pegawai=pegawai, periode__tahun=tahun).select_related(
                "pejabat_penilai"
            ),
        )
        out += [Peristiwa(s.dibuat, "skp", s) for s in qs]
    if "umpan_balik" in kinds:
        qs = umpan_balik_qs(user).filter(penerima=pegawai, periode__tahun=tahun)
        out += [Peristiwa(u.dibuat, "umpan_balik", u) for u in qs]
    if "penugasan" in kinds:
        qs = penugasan_qs(user).filter(penerima=pegawai, periode__tahun=tahun)
        out += [Peristiwa(p.diputuskan or p.dibuat, "penugasan", p) for p in qs]
    if "realisasi" in kinds:
        qs = policy.scope(
            user,
            Realisasi.objects.filter(pegawai=pegawai, periode__tahun=tahun)
            .select_related("rencana_hasil_kerja", "periode")
            .annotate(jumlah_bukti=Count("bukti_set")),
        )
        out += [Peristiwa(r.diperbarui, "realisasi", r) for r in qs]
    if "dialog" in kinds:
        qs = dialog_qs(user).filter(pegawai=pegawai, periode__tahun=tahun)
        out += [Peristiwa(d.waktu, "dialog", d) for d in qs]
    out.sort(key=lambda p: (_aware(p.waktu), p.jenis), reverse=True)
    return out


def rhk_pegawai(*, pegawai: Pegawai, tahun: int | None = None) -> list[Any]:
    """The rows of the pegawai's newest SKP version for the year (for targets and realisasi)."""
    from skp.models import RencanaHasilKerja

    tahun = tahun or timezone.localdate().year
    return list(
        RencanaHasilKerja.objects.filter(
            skp__pegawai=pegawai, skp__periode__tahun=tahun, skp__terkini=True
        )
        .select_related("skp__periode", "pemberi_tugas")
        .order_by("jenis", "urutan", "id")
    )


# --- Who a giver can pick ----------------------------------------------------------------------
def _pegawai_ids(**lookup: Any) -> QuerySet:
    return Pegawai.objects.filter(**lookup).values("pk")


def _siap(qs: QuerySet[Pegawai], sendiri: int) -> QuerySet[Pegawai]:
    return (
        qs.exclude(pk=sendiri)
        .exclude(status=Pegawai.Status.BERHENTI)
        .select_related("jabatan")
        .order_by("nama")
    )


def kandidat_penerima(pemberi: Pegawai) -> QuerySet[Pegawai]:
    """People a pegawai most likely gives feedback to: the people they rate, peers, their own
    penilai, those they assigned work to, those who asked them, members of the team they lead."""
    from kinerja.models import TimKerja

    ids = [
        _pegawai_ids(pejabat_penilai_id=pemberi.pk),
        Penugasan.objects.filter(pemberi_id=pemberi.pk, status=Penugasan.Status.DISETUJUI).values(
            "penerima_id"
        ),
        PermintaanUmpanBalik.objects.filter(
            diminta_id=pemberi.pk, status=PermintaanUmpanBalik.Status.TERBUKA
        ).values("peminta_id"),
        TimKerja.anggota.through.objects.filter(
            timkerja__ketua_id=pemberi.pk, timkerja__aktif=True
        ).values("pegawai_id"),
    ]
    if pemberi.pejabat_penilai_id:
        ids.append(_pegawai_ids(pejabat_penilai_id=pemberi.pejabat_penilai_id))
        ids.append(_pegawai_ids(pk=pemberi.pejabat_penilai_id))
    return _siap(Pegawai.objects.filter(policy.id_salah_satu(*ids)), pemberi.pk)


def kandidat_diminta(peminta: Pegawai) -> QuerySet[Pegawai]:
    """People a pegawai most likely asks: their penilai and its atasan, peers, the people they
    rate, and officials who assigned them work (whatever their instansi)."""
    ids = [
        _pegawai_ids(pejabat_penilai_id=peminta.pk),
        Penugasan.objects.filter(penerima_id=peminta.pk, status=Penugasan.Status.DISETUJUI).values(
            "pemberi_id"
        ),
    ]
    if peminta.pejabat_penilai_id:
        ids.append(_pegawai_ids(pejabat_penilai_id=peminta.pejabat_penilai_id))
        ids.append(_pegawai_ids(pk=peminta.pejabat_penilai_id))
    if peminta.atasan_pejabat_penilai_id:
        ids.append(_pegawai_ids(pk=peminta.atasan_pejabat_penilai_id))
    return _siap(Pegawai.objects.filter(policy.id_salah_satu(*ids)), peminta.pk)


PENERIMA_RELASI = ("jabatan", "unit_kerja", "instansi")


def penerima_boleh(
    *, pemberi: Pegawai, pegawai_id: int, dimuat: Pegawai | None = None
) -> Pegawai | None:
    """Resolve a receiver id the giver typed or clicked: someone of their own instansi, or one
    of their candidates (cross-instansi only through an assignment or a request). `dimuat`: the
    row with that id already read in this request with PENERIMA_RELASI (the API's field), so it
    is not read again."""
    if dimuat is not None and dimuat.pk == pegawai_id:
        p = None if dimuat.status == Pegawai.Status.BERHENTI else dimuat
    else:
        p = (
            Pegawai.objects.select_related(*PENERIMA_RELASI)
            .filter(pk=pegawai_id)
            .exclude(status=Pegawai.Status.BERHENTI)
            .first()
        )
    if p is None or p.pk == pemberi.pk:
        return None
    if p.instansi_id == pemberi.instansi_id:
        return p
    return p if kandidat_penerima(pemberi).filter(pk=p.pk).exists() else None
