"""Who decides a keberatan (domain.md, "Who decides a keberatan"): the atasan pejabat penilai at
the time of the evaluation, if still active in the instansi; if they left or moved, the current
holder (or Plt) of the position they held then; a vacant position passes upward; the instansi's
designee only when nobody holds the line. The right to object is never refused for want of a
decider: the case is filed and the admin instansi is told to name one.

Derived when the keberatan is filed; derived again, while it is open, when that person leaves or
moves (the `penilai_berubah` signal of any change in the instansi); the admin may name another
with a kept reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from evaluasi import rules
from evaluasi.models import Evaluasi, Keberatan
from kinerja import policy
from kinerja.models import Jabatan, Pegawai, RiwayatJabatan
from kinerja.notifikasi import kabari, notifikasi_kirim
from kinerja.riwayat import layanan
from kinerja.versi import cek_versi

Sumber = Keberatan.SumberPemutus
JENIS_NOTIF = "keberatan_pemutus"


def _aktif_di(p: Pegawai | None, instansi_id: int) -> bool:
    return p is not None and p.status != Pegawai.Status.BERHENTI and p.instansi_id == instansi_id


def _tanggal(ev: Evaluasi) -> dt.date:
    if ev.finalisasi_pada:
        return timezone.localtime(ev.finalisasi_pada).date()
    return ev.selesai or timezone.localdate()


def _jabatan_pada(pegawai_id: int, tanggal: dt.date) -> list[int]:
    """The positions a pegawai held on a date (acting ones first: a Plt is atasan through the
    post they act in), from their dated history; their positions now when none is recorded."""
    rows = list(
        RiwayatJabatan.objects.filter(pegawai_id=pegawai_id, mulai__lte=tanggal)
        .filter(Q(selesai__isnull=True) | Q(selesai__gte=tanggal))
        .order_by("jenis", "-mulai")
        .values_list("jenis", "jabatan_id")
    )
    if rows:
        acting = [j for jenis, j in rows if jenis != RiwayatJabatan.Jenis.DEFINITIF]
        return acting + [j for jenis, j in rows if jenis == RiwayatJabatan.Jenis.DEFINITIF]
    p = Pegawai.objects.filter(pk=pegawai_id).values("plt_jabatan_id", "jabatan_id").first()
    return [j for j in (p or {}).values() if j]


def _masih_memegang(pegawai_id: int, dulu: list[int]) -> bool:
    """Whether someone still holds one of the positions they held then (a move to another post
    hands the decision to whoever holds the old one now). No dated history: the same post."""
    return not dulu or bool(set(dulu) & set(_jabatan_pada(pegawai_id, timezone.localdate())))


def _pemegang(jabatan_id: int, instansi_id: int, pihak: set[int]) -> Pegawai | None:
    """Who holds a position now: its definitive holder, else a Plt/Plh acting in it."""
    aktif = Pegawai.objects.filter(instansi_id=instansi_id, status=Pegawai.Status.AKTIF).exclude(
        pk__in=pihak
    )
    return (
        aktif.filter(jabatan_id=jabatan_id).order_by("pk").first()
        or aktif.filter(plt_jabatan_id=jabatan_id).order_by("pk").first()
    )


def pemutus_untuk(ev: Evaluasi) -> tuple[Pegawai | None, str]:
    """(pemutus, sumber) for a keberatan on `ev`; (None, BELUM) when nobody holds the line and
    the instansi named no designee. Never the pegawai or the penilai themself."""
    instansi = ev.pegawai.instansi
    pihak = {ev.pegawai_id, ev.pejabat_penilai_id} - {None}
    atasan = ev.atasan_pejabat_penilai
    if atasan is None and ev.pejabat_penilai_id is None:
        atasan = ev.pegawai.atasan_pejabat_penilai
    if atasan is not None and atasan.pk not in pihak:
        dulu = _jabatan_pada(atasan.pk, _tanggal(ev))
        if _aktif_di(atasan, instansi.pk) and _masih_memegang(atasan.pk, dulu):
            return atasan, Sumber.ATASAN
        # Left or moved: whoever holds the position they held then; vacant passes upward.
        atas = dict(
            Jabatan.objects.filter(unit_kerja__instansi=instansi).values_list("id", "atasan_id")
        )
        for mulai in dulu:
            jab, dilihat = mulai, set()
            while jab and jab not in dilihat:
                dilihat.add(jab)
                pemegang = _pemegang(jab, instansi.pk, pihak)
                if pemegang is not None:
                    return pemegang, Sumber.PEMEGANG
                jab = atas.get(jab)
    # The designee: an explicit grant (kinerja.policy.hibah), else the instansi's setting.
    ditunjuk = policy.pemutus_ditunjuk(instansi)
    if ditunjuk is not None and ditunjuk.pk not in pihak and _aktif_di(ditunjuk, instansi.pk):
        return ditunjuk, Sumber.DITUNJUK
    return None, Sumber.BELUM


def _label(ev: Evaluasi) -> str:
    from evaluasi import jendela

    return f"{jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan).label} {ev.periode.tahun}"


def minta_admin_menunjuk(k: Keberatan) -> None:
    """Nobody can decide: the admin instansi is told to name a decider (the case stays filed)."""
    tautan = reverse("evaluasi:keberatan_pemutus", args=[k.pk])
    for user in policy.pengelola_instansi(k.pegawai.instansi_id):
        pesan = (
            f"Keberatan {k.pegawai.nama} atas evaluasi {_label(k.evaluasi)} belum memiliki "
            "pejabat yang memutus: tunjuk pemutusnya."
        )

        def kirim(user=user, pesan=pesan) -> None:
            notifikasi_kirim(penerima=user, jenis=JENIS_NOTIF, pesan=pesan, tautan=tautan)

        transaction.on_commit(kirim)


def _kabari_pergantian(k: Keberatan, lama: Pegawai | None, sebab: str) -> None:
    tautan = reverse("evaluasi:keberatan_detail", args=[k.pk])
    nama = k.pemutus.nama if k.pemutus_id else "belum ada (admin instansi diminta menunjuk)"
    pesan = f"Pemutus keberatan {k.pegawai.nama} kini {nama}: {sebab}"
    for penerima in {k.pegawai, k.pejabat_penilai, lama, k.pemutus} - {None}:
        kabari(
            penerima,
            jenis=JENIS_NOTIF,
            pesan=pesan[:500],
            tautan=tautan,
            setelah_commit=True,
            label="Pemutus keberatan berganti",
        )


@layanan
@transaction.atomic
def keberatan_pemutus_tetapkan(
    *, user: Any, keberatan: Keberatan, pemutus: Pegawai, alasan: str, row_version: int | None
) -> Keberatan:
    """The admin instansi names (or changes) who decides an open keberatan, with a kept reason;
    the pegawai, the penilai and both officials are told."""
    k = (
        Keberatan.objects.select_for_update(of=("self",))
        .select_related("pegawai__instansi", "pemutus", "pejabat_penilai", "evaluasi__periode")
        .get(pk=keberatan.pk)
    )
    policy.require(user, "tetapkan_pemutus", k)
    cek_versi(k, row_version)
    errors: dict[str, list[str]] = {}
    alasan = (alasan or "").strip()
    if not alasan:
        errors["alasan"] = ["Tuliskan alasan penetapan pemutus."]
    if pemutus is None:
        errors["pemutus"] = ["Pilih pejabat yang memutus."]
    elif pemutus.pk in {k.pegawai_id, k.pejabat_penilai_id}:
        errors["pemutus"] = [
            "Pemutus tidak boleh pegawai yang berkeberatan atau pejabat penilainya."
        ]
    elif not _aktif_di(pemutus, k.pegawai.instansi_id):
        errors["pemutus"] = ["Pemutus harus pegawai aktif di instansi ini."]
    if errors:
        raise ValidationError(errors)
    lama = k.pemutus
    k.pemutus = pemutus
    k.sumber_pemutus = Sumber.ADMIN
    k.alasan_pemutus = alasan
    k.row_version += 1
    k._change_reason = f"Pemutus ditetapkan admin: {alasan}"[:100]
    k.save()
    _kabari_pergantian(k, lama, f"ditetapkan admin instansi ({alasan[:200]}).")
    return k


@layanan
@transaction.atomic
def keberatan_pemutus_turunkan_ulang(*, instansi_id: int, oleh: Any = None) -> int:
    """Open keberatan of an instansi whose pemutus has left, moved to another post, or is
    missing: derive the pemutus again; the pegawai and both officials are told. A pemutus named
    by the admin or the instansi's designee stays while active. Returns how many changed."""
    n = 0
    for k in (
        Keberatan.objects.select_for_update(of=("self",))
        .filter(pegawai__instansi_id=instansi_id)
        .exclude(status=rules.DIPUTUS)
        .select_related(
            "pemutus",
            "pegawai__instansi__pejabat_keberatan",
            "pejabat_penilai",
            "evaluasi__periode",
            "evaluasi__atasan_pejabat_penilai",
        )
    ):
        tetap = (Sumber.ADMIN, Sumber.DITUNJUK)  # named, not derived: kept while active
        if k.pemutus_id and k.sumber_pemutus in tetap and _aktif_di(k.pemutus, instansi_id):
            continue
        # Derived ones follow the line: the atasan (or holder) who left or moved to another
        # post hands the case to whoever holds that post now.
        baru, sumber = pemutus_untuk(k.evaluasi)
        if (baru.pk if baru else None) == k.pemutus_id:
            continue
        lama = k.pemutus
        k.pemutus, k.sumber_pemutus = baru, sumber
        k.row_version += 1
        k._change_reason = (
            "Pemutus diturunkan ulang: pemutus sebelumnya tidak lagi memegang jabatan"
        )
        k.save()
        n += 1
        if lama is None:
            sebab = "pemutus kini tersedia."
        elif _aktif_di(lama, instansi_id):
            sebab = f"{lama.nama} tidak lagi memegang jabatan atasan pejabat penilai."
        else:
            sebab = f"{lama.nama} tidak lagi aktif di instansi."
        _kabari_pergantian(k, lama, sebab)
        if baru is None:
            minta_admin_menunjuk(k)
    return n


def _terima_penilai_berubah(*, instansi: Any, oleh: Any = None, **_: Any) -> None:
    """Receiver of `kinerja.services.penilai_berubah`: someone left or moved in the instansi."""
    keberatan_pemutus_turunkan_ulang(instansi_id=instansi.pk, oleh=oleh)
