"""The home page as a to-do list, one section per role the user holds (issue 17, item 1).

Each stage contributes what it knows through `penyedia` (registered in its AppConfig.ready(),
so the kernel never imports a later stage): the pegawai's SKP and its next step, feedback asked
of them, realisasi due, keberatan deadlines; the penilai's approvals, evaluations, penugasan and
feedback coverage; the atasan's escalations and keberatan to decide; the ketua tim's team and
matrix; the admin's failed jobs. A provider reads through the policy (scope, the related pegawai
of the user) and costs a fixed number of queries whatever the size of the team or instansi; it
returns nothing when the user does not hold its role, so a section shows only for who has it.

The admin's progress of the cycle per unit is a panel (navigation.add_panel with a context
provider), not a to-do item: numbers and bars, each unit a link to its detail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils import timezone

from kinerja import policy

# The sections of the home, in this order; a section shows when one of its items does.
PERAN: tuple[tuple[str, str], ...] = (
    ("pegawai", "Pekerjaan saya"),
    ("penilai", "Sebagai pejabat penilai"),
    ("atasan", "Sebagai atasan pejabat penilai"),
    ("ketua", "Sebagai ketua tim"),
    ("admin", "Admin BKD"),
)


@dataclass
class Butir:
    """One line under a to-do item: a person or a document, with where to act on it."""

    label: str
    url: str = ""
    keterangan: str = ""


@dataclass
class Tugas:
    """One thing to do (or to know) on the home page."""

    peran: str  # a key of PERAN
    judul: str
    rincian: str = ""
    url: str = ""
    aksi: str = ""  # the link's label ("Buka antrian")
    jumlah: int | None = None
    mendesak: bool = False
    selesai: bool = False  # "nothing to do here" (shown quietly, so the role is not forgotten)
    menunggu: bool = False  # with selesai: the next step is someone else's
    urutan: int = 50
    butir: list[Butir] = field(default_factory=list)
    lainnya: int = 0  # rows beyond the butir shown
    # A POST the home can send right away (e.g. Ajukan): {"url", "label", "row_version"}.
    formulir: dict[str, Any] | None = None
    id: str = ""


@dataclass
class Bagian:
    peran: str
    judul: str
    tugas: list[Tugas]

    @property
    def perlu(self) -> int:
        return sum(1 for t in self.tugas if not t.selesai)


class Konteks:
    """What every provider needs, computed once per page: the user, today, the instansi's
    current year, and the pegawai related to the user (through the policy)."""

    def __init__(self, user: Any, sekarang: dt.datetime | None = None) -> None:
        self.user = user
        self.actor = policy.actor(user)
        self.sekarang = sekarang or timezone.now()
        self.hari_ini = timezone.localdate(self.sekarang)

    @property
    def pegawai_id(self) -> int | None:
        return self.actor.pegawai_id

    @cached_property
    def pegawai(self) -> Any:
        """The user's own Pegawai row (None for an admin without one)."""
        from kinerja.models import Pegawai

        if not self.pegawai_id:
            return None
        return Pegawai.objects.filter(pk=self.pegawai_id).only("id", "jenis_asn", "status").first()

    @cached_property
    def instansi_id(self) -> int | None:
        return policy.instansi_of(self.user)

    @cached_property
    def periode(self) -> Any:
        """The instansi's current year: the newest period not yet closed (else the newest)."""
        from kinerja.models import Periode

        if not self.instansi_id:
            return None
        qs = Periode.objects.filter(instansi_id=self.instansi_id).order_by("-tahun")
        return qs.exclude(status=Periode.Status.DITUTUP).first() or qs.first()

    @cached_property
    def jendela(self) -> Any:
        """The evaluation window of the current year that contains today (None between)."""
        from kinerja.rules import jendela_pada

        p = self.periode
        if p is None:
            return None
        return jendela_pada(p.tahun, p.frekuensi, self.hari_ini)

    def terkait(self, hubungan: str) -> set[int]:
        """Pegawai the user rates (`dinilai`), is atasan penilai of (`atasan`), or leads in a
        team (`tim`): asked of the policy, cached per request."""
        return policy.pegawai_terkait(self.user, hubungan)

    @cached_property
    def dikelola(self) -> int | None:
        """The instansi this user administers (the admin sections), or None."""
        return policy.instansi_administered(self.user)


_penyedia: list[tuple[int, str, Callable[[Konteks], Iterable[Tugas]]]] = []


def penyedia(
    fn: Callable[[Konteks], Iterable[Tugas]], order: int = 50
) -> Callable[[Konteks], Iterable[Tugas]]:
    """Register a provider of to-do items (once per function, by qualified name)."""
    nama = f"{fn.__module__}.{fn.__qualname__}"
    if not any(n == nama for _, n, _ in _penyedia):
        _penyedia.append((order, nama, fn))
        _penyedia.sort(key=lambda x: (x[0], x[1]))
    return fn


def susun(user: Any, sekarang: dt.datetime | None = None) -> list[Bagian]:
    """The home's sections for this user, in PERAN order, each item in its order."""
    ctx = Konteks(user, sekarang)
    semua: list[Tugas] = []
    for _order, _nama, fn in _penyedia:
        semua.extend(fn(ctx) or ())
    out = []
    for peran, judul in PERAN:
        tugas = sorted((t for t in semua if t.peran == peran), key=lambda t: (t.selesai, t.urutan))
        if tugas:
            out.append(Bagian(peran, judul, tugas))
    return out


def lama(sejak: dt.datetime | None, sekarang: dt.datetime) -> int:
    """Whole days from `sejak` to `sekarang` (local dates)."""
    if sejak is None:
        return 0
    return max((timezone.localdate(sekarang) - timezone.localdate(sejak)).days, 0)


def umur(sejak: dt.datetime | None, sekarang: dt.datetime) -> str:
    """'hari ini', 'kemarin', '5 hari lalu'."""
    if sejak is None:
        return ""
    hari = lama(sejak, sekarang)
    return "hari ini" if hari == 0 else "kemarin" if hari == 1 else f"{hari} hari lalu"


# --- the kernel's own items ---------------------------------------------------------------------
def _notifikasi(ctx: Konteks) -> Iterable[Tugas]:
    from django.urls import reverse

    from kinerja.models import Notifikasi

    if not ctx.pegawai_id:
        return []
    n = Notifikasi.objects.filter(penerima=ctx.user, dibaca=False).count()
    if not n:
        return []
    return [
        Tugas(
            "pegawai",
            f"{n} notifikasi belum dibaca",
            url=reverse("notifikasi_list") + "?belum=1",
            aksi="Baca notifikasi",
            jumlah=n,
            urutan=90,
            id="tugas-notifikasi",
        )
    ]


def _pekerjaan_gagal(ctx: Konteks) -> Iterable[Tugas]:
    from django.urls import reverse

    from kinerja.models import Job

    if not ctx.dikelola:
        return []
    n = policy.scope(ctx.user, Job.objects.filter(status=Job.Status.GAGAL)).count()
    if not n:
        return []
    return [
        Tugas(
            "admin",
            f"{n} pekerjaan latar gagal",
            "Dokumen, penutupan tahun atau impor yang tidak berhasil diproses: lihat apa yang "
            "gagal lalu kirim ulang.",
            url=reverse("job_list") + "?status=gagal",
            aksi="Lihat pekerjaan gagal",
            jumlah=n,
            mendesak=True,
            urutan=10,
            id="tugas-pekerjaan-gagal",
        )
    ]


penyedia(_notifikasi, order=90)
penyedia(_pekerjaan_gagal, order=10)
