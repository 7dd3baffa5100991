"""Penugasan and its routing (proposed, decided by the receiver's pejabat penilai, clarified), and
voluntary opportunities (peluang).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dialog import rules
from dialog.models import (
    KlarifikasiEkspektasi,
    Peluang,
    Penugasan,
)
from dialog.services._common import pegawai_dari, periode_untuk
from kinerja import policy
from kinerja.models import Pegawai, TimKerja
from kinerja.notifikasi import kabari
from kinerja.riwayat import layanan
from kinerja.versi import cek_versi


# --- Penugasan --------------------------------------------------------------------------------
def boleh_menugaskan(pegawai: Pegawai) -> bool:
    ketua = TimKerja.objects.filter(ketua=pegawai, aktif=True).exists()
    return rules.boleh_menugaskan(
        jenis_jabatan=pegawai.jabatan.jenis if pegawai.jabatan_id else None,
        ketua_tim=ketua,
        plt=bool(pegawai.plt_jabatan_id),
    )


def _cek_penerima(penerima: Pegawai) -> None:
    if penerima.status == Pegawai.Status.BERHENTI:
        raise ValidationError({"penerima": "Pegawai ini sudah berhenti."})
    if not penerima.pejabat_penilai_id:
        raise ValidationError(
            {
                "penerima": "Pegawai ini belum memiliki pejabat penilai; penugasan tidak dapat "
                "dirutekan. Hubungi admin BKD."
            }
        )


@layanan
@transaction.atomic
def penugasan_usulkan(
    *,
    user: Any,
    penerima: Pegawai,
    uraian: str,
    hasil_diharapkan: str,
    tim: TimKerja | None = None,
    kelompok: uuid.UUID | None = None,
    jenis_rhk: str = Penugasan.JenisRHK.TAMBAHAN,
    ekspektasi: str = "",
    catatan: str = "",
) -> Penugasan:
    """An official proposes work for a pegawai; it goes to the pegawai's pejabat penilai.

    When the proposer IS that penilai, the assignment is approved at once (a direct assignment)
    and its klarifikasi ekspektasi recorded with the given `ekspektasi`.
    """
    pemberi = pegawai_dari(user)
    if not boleh_menugaskan(pemberi):
        raise PermissionDenied(
            "Hanya pejabat (atau ketua tim kerja) yang dapat mengusulkan penugasan."
        )
    if penerima.pk == pemberi.pk:
        raise ValidationError({"penerima": "Anda tidak dapat menugaskan diri sendiri."})
    _cek_penerima(penerima)
    uraian, hasil_diharapkan = (uraian or "").strip(), (hasil_diharapkan or "").strip()
    errors = {}
    if not uraian:
        errors["uraian"] = "Uraian penugasan wajib diisi."
    if not hasil_diharapkan:
        errors["hasil_diharapkan"] = "Hasil yang diharapkan wajib diisi."
    if jenis_rhk not in Penugasan.JenisRHK.values:
        errors["jenis_rhk"] = "Pilih utama atau tambahan."
    if errors:
        raise ValidationError(errors)
    periode = periode_untuk(penerima, timezone.localdate())
    p = Penugasan.objects.create(
        pemberi=pemberi,
        penerima=penerima,
        periode=periode,
        uraian=uraian,
        hasil_diharapkan=hasil_diharapkan,
        tim=tim,
        kelompok=kelompok,
        diusulkan_oleh=user,
        jenis_rhk=jenis_rhk,
    )
    if penerima.pejabat_penilai_id == pemberi.pk:
        return _putuskan(
            p,
            user=user,
            penilai=pemberi,
            setujui=True,
            alasan="Penugasan langsung oleh pejabat penilai.",
            jenis_rhk=jenis_rhk,
            ekspektasi=ekspektasi,
            catatan=catatan,
        )
    kabari(
        penerima.pejabat_penilai,
        jenis="penugasan_diusulkan",
        pesan=f"{pemberi.nama} ({pemberi.instansi}) mengusulkan penugasan untuk {penerima.nama}: "
        f"{uraian[:120]}",
        tautan=reverse("dialog:penugasan_detail", args=[p.pk]),
    )
    return p


@layanan
@transaction.atomic
def penugasan_usulkan_tim(
    *, user: Any, tim: TimKerja, uraian: str, hasil_diharapkan: str
) -> list[Penugasan]:
    """An assignment to a TimKerja: one row per member, each routed to their own penilai."""
    from django.db.models import Q

    anggota = list(
        Pegawai.objects.filter(Q(tim_set=tim) | Q(pk=tim.ketua_id))
        .select_related("pejabat_penilai__user")
        .distinct()
        .order_by("nama")
    )
    pemberi_id = policy.actor(user).pegawai_id
    penerima = [a for a in anggota if a.pk != pemberi_id and a.status != Pegawai.Status.BERHENTI]
    if not penerima:
        raise ValidationError({"tim": "Tim kerja ini tidak memiliki anggota yang dapat ditugasi."})
    kelompok = uuid.uuid4()
    return [
        penugasan_usulkan(
            user=user,
            penerima=a,
            uraian=uraian,
            hasil_diharapkan=hasil_diharapkan,
            tim=tim,
            kelompok=kelompok,
        )
        for a in penerima
    ]


def _kunci_penugasan(penugasan: Penugasan) -> Penugasan:
    return (
        Penugasan.objects.select_for_update(of=("self",))
        .select_related("penerima__pejabat_penilai", "pemberi__user", "penerima__user", "periode")
        .get(pk=penugasan.pk)
    )


@layanan
@transaction.atomic
def penugasan_setujui(
    *,
    user: Any,
    penugasan: Penugasan,
    alasan: str = "",
    jenis_rhk: str | None = None,
    ekspektasi: str = "",
    catatan: str = "",
    waktu: dt.datetime | None = None,
    row_version: int | None = None,
) -> Penugasan:
    """The pegawai's pejabat penilai approves: klarifikasi ekspektasi and a new SKP version."""
    policy.require(user, "setujui", penugasan)
    p = _kunci_penugasan(penugasan)
    cek_versi(p, row_version)
    penilai = pegawai_dari(user)
    return _putuskan(
        p,
        user=user,
        penilai=penilai,
        setujui=True,
        alasan=alasan,
        jenis_rhk=jenis_rhk or p.jenis_rhk,
        ekspektasi=ekspektasi,
        catatan=catatan,
        waktu=waktu,
    )


@layanan
@transaction.atomic
def penugasan_tolak(
    *, user: Any, penugasan: Penugasan, alasan: str, row_version: int | None = None
) -> Penugasan:
    """The pegawai's pejabat penilai rejects, with a reason the proposer reads."""
    policy.require(user, "tolak", penugasan)
    if not (alasan or "").strip():
        raise ValidationError({"alasan": "Alasan penolakan wajib diisi."})
    p = _kunci_penugasan(penugasan)
    cek_versi(p, row_version)
    return _putuskan(p, user=user, penilai=pegawai_dari(user), setujui=False, alasan=alasan)


def _putuskan(
    p: Penugasan,
    *,
    user: Any,
    penilai: Pegawai,
    setujui: bool,
    alasan: str,
    jenis_rhk: str = Penugasan.JenisRHK.TAMBAHAN,
    ekspektasi: str = "",
    catatan: str = "",
    waktu: dt.datetime | None = None,
) -> Penugasan:
    ke = Penugasan.Status.DISETUJUI if setujui else Penugasan.Status.DITOLAK
    if not rules.transisi_sah(p.status, ke):
        raise ValidationError(
            f"Penugasan ini sudah {p.get_status_display().lower()}; keputusan tidak dapat diubah."
        )
    if jenis_rhk not in Penugasan.JenisRHK.values:
        raise ValidationError({"jenis_rhk": "Pilih utama atau tambahan."})
    if p.periode.ditutup:
        raise ValidationError(f"Periode kinerja {p.periode.tahun} sudah ditutup.")
    p.status = ke
    p.alasan = (alasan or "").strip()
    p.diputuskan_oleh = penilai
    p.diputuskan = timezone.now()
    p.jenis_rhk = jenis_rhk
    p.row_version += 1
    if setujui:
        klarifikasi_catat(
            penugasan=p,
            user=user,
            penilai=penilai,
            ekspektasi=(ekspektasi or "").strip() or p.hasil_diharapkan,
            catatan=catatan,
            waktu=waktu or timezone.now(),
        )
    p.save()
    status = "disetujui" if setujui else "ditolak"
    tautan = reverse("dialog:penugasan_detail", args=[p.pk])
    pesan = f"Penugasan \u201c{p.uraian[:100]}\u201d untuk {p.penerima.nama} {status} oleh {penilai.nama}."
    if p.pemberi_id != penilai.pk:
        kabari(p.pemberi, jenis="penugasan_diputuskan", pesan=pesan, tautan=tautan)
    kabari(p.penerima, jenis="penugasan_diputuskan", pesan=pesan, tautan=tautan)
    return p


@layanan
def klarifikasi_catat(
    *,
    penugasan: Penugasan,
    user: Any,
    penilai: Pegawai,
    ekspektasi: str,
    catatan: str,
    waktu: dt.datetime,
) -> KlarifikasiEkspektasi:
    """Every new assignment requires a klarifikasi ekspektasi whose expectation becomes part of
    the SKP: a new SKP version (or the pegawai's first SKP, or their still-draft one) holding a
    new rencana hasil kerja that names who assigned it. Runs inside the approval transaction."""
    from skp import services as skp_services

    pegawai, periode = penugasan.penerima, penugasan.periode
    alasan = f"Penugasan dari {penugasan.pemberi.nama}: {penugasan.uraian[:150]}"
    # The current draft, a new version of an approved SKP, or the pegawai's first SKP.
    skp = skp_services.skp_draft_pastikan(
        pegawai=pegawai, periode=periode, user=user, alasan=alasan
    )
    rhk = skp_services.rhk_tambah(
        skp=skp,
        user=user,
        jenis=penugasan.jenis_rhk,
        rencana=penugasan.hasil_diharapkan,
        pemberi_tugas=penugasan.pemberi,
        sumber="penugasan",
        indikator=[],
        uraian_hasil=penugasan.uraian,
        ukuran_keberhasilan=ekspektasi,
        tim=penugasan.tim,
    )
    penugasan.rencana_hasil_kerja = rhk
    return KlarifikasiEkspektasi.objects.create(
        penugasan=penugasan,
        ekspektasi=ekspektasi,
        catatan=(catatan or "").strip(),
        waktu=waktu,
        dicatat_oleh=penilai,
        skp=skp,
    )


# --- Peluang (sukarela) -----------------------------------------------------------------------
@layanan
@transaction.atomic
def peluang_buka(
    *,
    user: Any,
    judul: str,
    uraian: str,
    hasil_diharapkan: str,
    batas_pendaftaran: dt.date | None = None,
) -> Peluang:
    """An official opens an opportunity in their unit that pegawai may ask to join."""
    pemberi = pegawai_dari(user)
    if not boleh_menugaskan(pemberi) or not pemberi.unit_kerja_id:
        raise PermissionDenied("Hanya pejabat yang dapat membuka peluang penugasan.")
    errors = {}
    for field, value in (
        ("judul", judul),
        ("uraian", uraian),
        ("hasil_diharapkan", hasil_diharapkan),
    ):
        if not (value or "").strip():
            errors[field] = "Wajib diisi."
    if batas_pendaftaran and batas_pendaftaran < timezone.localdate():
        errors["batas_pendaftaran"] = "Batas pendaftaran tidak boleh di masa lalu."
    if errors:
        raise ValidationError(errors)
    return Peluang.objects.create(
        unit_kerja_id=pemberi.unit_kerja_id,
        pemberi=pemberi,
        periode=periode_untuk(pemberi, timezone.localdate()),
        judul=judul.strip(),
        uraian=uraian.strip(),
        hasil_diharapkan=hasil_diharapkan.strip(),
        batas_pendaftaran=batas_pendaftaran,
    )


@layanan
@transaction.atomic
def peluang_tutup(*, user: Any, peluang: Peluang) -> Peluang:
    policy.require(user, "tutup", peluang)
    Peluang.objects.filter(pk=peluang.pk).update(terbuka=False)
    peluang.terbuka = False
    return peluang


@layanan
@transaction.atomic
def peluang_ikuti(*, user: Any, peluang: Peluang, pesan: str = "") -> Penugasan:
    """A pegawai volunteers for an open opportunity; their own penilai decides (sukarela)."""
    penerima = pegawai_dari(user)
    if not policy.can(user, "view", peluang):
        raise PermissionDenied("Peluang ini tidak tersedia untuk Anda.")
    if not peluang.terbuka or (
        peluang.batas_pendaftaran and peluang.batas_pendaftaran < timezone.localdate()
    ):
        raise ValidationError("Peluang ini sudah ditutup.")
    if peluang.pemberi_id == penerima.pk:
        raise ValidationError("Anda membuka peluang ini sendiri.")
    if Penugasan.objects.filter(
        peluang=peluang, penerima=penerima, status__in=[rules.DIUSULKAN, rules.DISETUJUI]
    ).exists():
        raise ValidationError("Anda sudah mendaftar pada peluang ini.")
    _cek_penerima(penerima)
    uraian = peluang.uraian
    if (pesan or "").strip():
        uraian = f"{uraian}\n\nCatatan pendaftar: {pesan.strip()}"
    p = Penugasan.objects.create(
        pemberi=peluang.pemberi,
        penerima=penerima,
        periode=periode_untuk(penerima, timezone.localdate()),
        uraian=uraian,
        hasil_diharapkan=peluang.hasil_diharapkan,
        sukarela=True,
        peluang=peluang,
        diusulkan_oleh=user,
    )
    kabari(
        penerima.pejabat_penilai,
        jenis="penugasan_diusulkan",
        pesan=f"{penerima.nama} mengajukan diri untuk \u201c{peluang.judul}\u201d "
        f"({peluang.unit_kerja}). Mohon keputusan Anda.",
        tautan=reverse("dialog:penugasan_detail", args=[p.pk]),
    )
    return p


@layanan
@transaction.atomic
def penugasan_penilai_berganti(
    *,
    pegawai_id: int,
    penilai_lama_id: int | None,
    penilai_baru_id: int | None,
    tmt: Any,
    oleh: Any = None,
) -> int:
    """Penugasan still waiting for a decision when the receiver's pejabat penilai changes move to
    the new penilai (only the receiver's penilai decides, so they are theirs from now on); the
    new penilai and the old are told. Each is touched, so the change is in its history and in
    the incremental sync. Returns how many moved."""
    menunggu = list(
        Penugasan.objects.select_for_update().filter(
            penerima_id=pegawai_id, status=Penugasan.Status.DIUSULKAN
        )
    )
    if not menunggu:
        return 0
    for p in menunggu:
        p._change_reason = f"Pejabat penilai penerima berganti TMT {tmt:%d-%m-%Y}"
        p.save(update_fields=["diubah"])
    penerima = Pegawai.objects.get(pk=pegawai_id)
    n = len(menunggu)
    if penilai_baru_id:
        kabari(
            Pegawai.objects.select_related("user").get(pk=penilai_baru_id),
            jenis="penugasan_pindah_penilai",
            pesan=(
                f"{n} penugasan untuk {penerima.nama} menunggu keputusan Anda: mulai "
                f"{tmt:%d-%m-%Y} Anda pejabat penilainya."
            ),
            tautan=reverse("dialog:penugasan_list"),
            label="Penugasan pindah kepada Anda",
        )
    if penilai_lama_id:
        kabari(
            Pegawai.objects.select_related("user").get(pk=penilai_lama_id),
            jenis="penugasan_pindah_penilai",
            pesan=(
                f"{n} penugasan untuk {penerima.nama} yang menunggu keputusan kini diputus "
                f"pejabat penilai barunya (TMT {tmt:%d-%m-%Y})."
            ),
            tautan=reverse("dialog:penugasan_list"),
        )
    return n


def _terima_penilai_berubah(*, tmt: Any, perubahan: list, oleh: Any = None, **_: Any) -> None:
    """Receiver of `kinerja.services.penilai_berubah`: one read finds who has penugasan waiting."""
    ganti = [p for p in perubahan if p.penilai_berganti]
    if not ganti:
        return
    menunggu = set(
        Penugasan.objects.filter(
            penerima_id__in=[p.pegawai_id for p in ganti], status=Penugasan.Status.DIUSULKAN
        ).values_list("penerima_id", flat=True)
    )
    for p in ganti:
        if p.pegawai_id in menunggu:
            penugasan_penilai_berganti(
                pegawai_id=p.pegawai_id,
                penilai_lama_id=p.penilai_lama,
                penilai_baru_id=p.penilai_baru,
                tmt=tmt,
                oleh=oleh,
            )
