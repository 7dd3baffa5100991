"""The reminder engine (issue 6).

Each stage keeps its reminders in `<app>/pengingat.py` (found through the app registry, like
`<app>/demo.py`, so the kernel never imports a later stage). A reminder is a function registered
with a reason code and a label; given the `Konteks` of one instansi on one day it yields `Pesan`
(who, what, which page resolves it):

    from kinerja.pengingat import Konteks, Pesan, pengingat

    @pengingat("skp_belum_diajukan", "SKP belum diajukan")
    def skp_belum_diajukan(ctx: Konteks):
        for p in ...:
            yield Pesan(p.user, "SKP Anda belum diajukan ...", "/skp/")

`jalankan_semua()` (beat, hourly) runs every reminder of every instansi whose settings allow it
at this hour, and sends each message through `notifikasi_kirim` with the key
"pengingat:<jenis>:<user id>:<date>": one reminder per person per reason per day at most, however
often beat fires or the task is retried. Several messages for the same person and reason on one
day are merged into one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kinerja import rules
from kinerja.models import Instansi, PengaturanPengingat, Periode
from kinerja.notifikasi import daftar_jenis, notifikasi_kirim

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pesan:
    penerima: Any  # a User (None: nobody to tell, skipped)
    pesan: str
    tautan: str = ""


@dataclass
class Konteks:
    """One instansi on one day."""

    hari_ini: dt.date
    instansi: Instansi
    pengaturan: PengaturanPengingat
    periode: Periode | None
    _cache: dict = field(default_factory=dict)

    @property
    def jendela(self) -> rules.Jendela | None:
        """The periodic evaluation window containing today."""
        if self.periode is None:
            return None
        return rules.jendela_pada(self.periode.tahun, self.periode.frekuensi, self.hari_ini)

    def hari_menuju(self, tanggal: dt.date) -> int:
        """Days from today to `tanggal` (negative once it has passed)."""
        return (tanggal - self.hari_ini).days


@dataclass(frozen=True)
class Pengingat:
    jenis: str
    label: str
    fn: Callable[[Konteks], Iterable[Pesan]]


REGISTRY: dict[str, Pengingat] = {}


def pengingat(jenis: str, label: str) -> Callable[[Callable], Callable]:
    """Register a reminder function under a reason code (also a notification kind)."""

    def deco(fn: Callable[[Konteks], Iterable[Pesan]]) -> Callable[[Konteks], Iterable[Pesan]]:
        REGISTRY[jenis] = Pengingat(jenis, label, fn)
        daftar_jenis(jenis, label)
        return fn

    return deco


def tautan(url_name: str, *args: Any, cadangan: str = "/") -> str:
    """The in-app path of the page that resolves a reminder (a fallback if it does not exist)."""
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return cadangan


def daftar_nama(names: list[str], maks: int = 5) -> str:
    """'A, B dan C' (with 'dan N lainnya' past `maks`)."""
    names = sorted(set(names))
    if len(names) > maks:
        return ", ".join(names[:maks]) + f" dan {len(names) - maks} lainnya"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " dan " + names[-1]


_discovered = [False]


def temukan() -> dict[str, Pengingat]:
    """Import every app's `pengingat` module once so its reminders register."""
    if not _discovered[0]:
        from django.apps import apps

        for cfg in apps.get_app_configs():
            if cfg.name == "kinerja":
                continue
            try:
                import_module(f"{cfg.name}.pengingat")
            except ModuleNotFoundError as exc:
                if exc.name != f"{cfg.name}.pengingat":
                    raise
        _discovered[0] = True
    return REGISTRY


def pengaturan_untuk(instansi: Instansi) -> PengaturanPengingat:
    """The instansi's settings, or the defaults (unsaved) when an admin never changed them."""
    found = PengaturanPengingat.objects.filter(instansi=instansi).first()
    return found or PengaturanPengingat(instansi=instansi)


def _kirim(jenis: str, pesan_list: list[Pesan], hari_ini: dt.date) -> int:
    """Send one notification per person for this reason today (merged); returns how many."""
    per_user: dict[int, list[Pesan]] = {}
    users: dict[int, Any] = {}
    for p in pesan_list:
        if p.penerima is None:
            continue
        per_user.setdefault(p.penerima.pk, []).append(p)
        users[p.penerima.pk] = p.penerima
    sent = 0
    for uid, items in per_user.items():
        pesan = " ".join(dict.fromkeys(i.pesan for i in items))
        link = next((i.tautan for i in items if i.tautan), "")
        n = notifikasi_kirim(
            penerima=users[uid],
            jenis=jenis,
            pesan=pesan,
            tautan=link,
            kunci=f"pengingat:{jenis}:{uid}:{hari_ini.isoformat()}",
        )
        sent += n is not None
    return sent


def jalankan_instansi(
    instansi: Instansi, hari_ini: dt.date, *, hanya: set[str] | None = None
) -> int:
    """Run the reminders of one instansi for one day; a broken reminder does not stop the rest."""
    return _jalankan(instansi, hari_ini, hanya)[0]


def _jalankan(instansi: Instansi, hari_ini: dt.date, hanya: set[str] | None) -> tuple[int, bool]:
    pengaturan = pengaturan_untuk(instansi)
    if not pengaturan.aktif:
        return 0, True
    ctx = Konteks(
        hari_ini=hari_ini,
        instansi=instansi,
        pengaturan=pengaturan,
        periode=Periode.objects.filter(instansi=instansi, tahun=hari_ini.year).first(),
    )
    off = set(pengaturan.jenis_nonaktif or [])
    total, ok = 0, True
    for p in temukan().values():
        if p.jenis in off or (hanya is not None and p.jenis not in hanya):
            continue
        try:
            total += _kirim(p.jenis, list(p.fn(ctx)), hari_ini)
        except Exception:
            ok = False
            log.exception("pengingat %s untuk instansi %s gagal", p.jenis, instansi.pk)
    return total, ok


def _tanda_selesai(instansi_id: int, hari_ini: dt.date) -> str:
    return f"kinerja:pengingat:selesai:{instansi_id}:{hari_ini.isoformat()}"


def jalankan_semua(hari_ini: dt.date | None = None, *, hanya: set[str] | None = None) -> int:
    """Every instansi's reminders.

    From beat (no date, hourly): each instansi once its sending hour has come, and once a day -
    a completed day is marked in the cache so the later hours cost nothing (the per-day keys
    would make them no-ops anyway). With an explicit date (tests, a manual run): all of them.
    """
    terjadwal = hari_ini is None and hanya is None
    now = timezone.localtime()
    hari_ini = hari_ini or now.date()
    total = 0
    for instansi in Instansi.objects.order_by("id"):
        if terjadwal:
            if now.hour < pengaturan_untuk(instansi).jam_kirim:
                continue
            if cache.get(_tanda_selesai(instansi.pk, hari_ini)):
                continue
        sent, ok = _jalankan(instansi, hari_ini, hanya)
        total += sent
        if terjadwal and ok:
            cache.set(_tanda_selesai(instansi.pk, hari_ini), True, 26 * 3600)
    return total
