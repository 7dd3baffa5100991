"""Every state change of the dialog stage. Keyword-only, transactional, access-checked.

Notifications go through `kinerja.notifikasi.notifikasi_kirim` (its email is an outbox job sent
on commit). Services raise `ValidationError` (Indonesian messages, nothing changed) for wrong
input and `PermissionDenied` for a visible object the user may not act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dialog import rules
from dialog.models import (
    BuktiDukung,
    DialogKinerja,
    KlarifikasiEkspektasi,
    Peluang,
    Penugasan,
    PermintaanUmpanBalik,
    Realisasi,
    TindakLanjut,
    UmpanBalik,
)
from kinerja import policy
from kinerja.models import Pegawai, Periode, TimKerja
from kinerja.notifikasi import notifikasi_kirim
from kinerja.riwayat import layanan
from kinerja.rules import jendela_pada, jendela_periodik


# --- helpers ---------------------------------------------------------------------------------
@layanan
def pegawai_dari(user: Any) -> Pegawai:
    """The Pegawai behind a login; someone who is not a pegawai cannot take part in dialogue."""
    a = policy.actor(user)
    if not a.pegawai_id:
        raise PermissionDenied("Hanya pegawai yang dapat melakukan tindakan ini.")
    return Pegawai.objects.select_related("jabatan", "instansi").get(pk=a.pegawai_id)


def periode_untuk(pegawai: Pegawai, tanggal: dt.date, *, untuk_menulis: bool = True) -> Periode:
    periode = Periode.objects.filter(instansi_id=pegawai.instansi_id, tahun=tanggal.year).first()
    if periode is None:
        raise ValidationError(
            f"Periode kinerja tahun {tanggal.year} untuk instansi {pegawai.instansi} belum dibuka."
        )
    if untuk_menulis and periode.ditutup:
        raise ValidationError(f"Periode kinerja {periode.tahun} sudah ditutup (hanya baca).")
    return periode


def urutan_jendela(periode: Periode, tanggal: dt.date) -> int:
    j = jendela_pada(periode.tahun, periode.frekuensi, tanggal)
    return j.urutan if j and j.urutan else 1


def _kirim(pegawai: Pegawai | None, jenis: str, pesan: str, tautan: str) -> None:
    if pegawai is not None and pegawai.user_id:
        notifikasi_kirim(penerima=pegawai.user, jenis=jenis, pesan=pesan, tautan=tautan)


def _cek_versi(obj: Any, row_version: int | None) -> None:
    if row_version is not None and int(row_version) != obj.row_version:
        raise ValidationError(
            "Data ini sudah diubah orang lain sejak Anda membukanya. Muat ulang halaman, periksa "
            "perubahannya, lalu simpan kembali."
        )


def kode_perilaku() -> dict[str, str]:
    from skp.rules import BERAKHLAK

    return {code: label for code, label, _guides in BERAKHLAK}


# --- Umpan balik ------------------------------------------------------------------------------
def pemberi_tugas_ids(penerima_id: int) -> set[int]:
    """Officials who assigned approved work to the pegawai (they may give feedback on it)."""
    return set(
        Penugasan.objects.filter(
            penerima_id=penerima_id, status=Penugasan.Status.DISETUJUI
        ).values_list("pemberi_id", flat=True)
    )


def hubungan_antara(*, pemberi: Pegawai, penerima: Pegawai) -> str:
    return rules.derive_hubungan(
        pemberi_id=pemberi.pk,
        penerima_id=penerima.pk,
        penerima_penilai_id=penerima.pejabat_penilai_id,
        pemberi_penilai_id=pemberi.pejabat_penilai_id,
        pemberi_tugas_ids=pemberi_tugas_ids(penerima.pk),
    )


def boleh_sasaran_rhk(*, pemberi: Pegawai, penerima: Pegawai, rhk: Any) -> bool:
    """Who may give feedback on one rencana hasil kerja (and so see its text): the pegawai's
    leaders, the ketua of their team, and the official who assigned that row."""
    if pemberi.user_id and policy.can(pemberi.user, "umpan_balik", rhk):
        return True
    return rhk.pemberi_tugas_id == pemberi.pk


def _cek_sasaran(
    *, pemberi: Pegawai, penerima: Pegawai, rhk: Any, perilaku: str, permintaan: Any
) -> None:
    if rhk is not None and perilaku:
        raise ValidationError(
            {"perilaku": "Pilih satu sasaran saja: rencana hasil kerja ATAU perilaku kerja."}
        )
    if perilaku and perilaku not in kode_perilaku():
        raise ValidationError({"perilaku": "Nilai perilaku BerAKHLAK tidak dikenal."})
    if rhk is not None:
        if rhk.skp.pegawai_id != penerima.pk:
            raise ValidationError(
                {"rencana_hasil_kerja": "Rencana hasil kerja ini bukan milik pegawai penerima."}
            )
        diminta = permintaan is not None and permintaan.rencana_hasil_kerja_id == rhk.pk
        if not diminta and not boleh_sasaran_rhk(pemberi=pemberi, penerima=penerima, rhk=rhk):
            raise ValidationError(
                {
                    "rencana_hasil_kerja": "Anda dapat memberi umpan balik umum atau tentang "
                    "perilaku kerja kepada pegawai ini, tetapi tidak pada rencana hasil kerjanya."
                }
            )


@layanan
@transaction.atomic
def umpan_balik_beri(
    *,
    user: Any,
    penerima: Pegawai,
    jenis: str,
    isi: str,
    cara: str = UmpanBalik.Cara.TERTULIS,
    rencana_hasil_kerja: Any = None,
    perilaku: str = "",
    permintaan: PermintaanUmpanBalik | None = None,
    waktu: dt.datetime | None = None,
) -> UmpanBalik:
    """Give feedback. The relation is derived from the organisation, never typed."""
    pemberi = pegawai_dari(user)
    if pemberi.pk == penerima.pk:
        raise ValidationError(
            {"penerima": "Umpan balik tidak dapat diberikan kepada diri sendiri."}
        )
    if permintaan is not None and (
        permintaan.diminta_id != pemberi.pk or permintaan.peminta_id != penerima.pk
    ):
        raise PermissionDenied("Permintaan umpan balik ini bukan ditujukan kepada Anda.")
    tugas = pemberi_tugas_ids(penerima.pk)
    # Feedback stays inside the instansi, except from an official who assigned work (any
    # instansi) or someone the pegawai asked.
    if pemberi.instansi_id != penerima.instansi_id and pemberi.pk not in tugas and not permintaan:
        raise ValidationError(
            {
                "penerima": "Anda hanya dapat memberi umpan balik kepada pegawai di instansi Anda "
                "atau yang pernah Anda tugasi."
            }
        )
    if jenis not in UmpanBalik.Jenis.values:
        raise ValidationError({"jenis": "Pilih apresiasi atau perlu perbaikan."})
    if cara not in UmpanBalik.Cara.values:
        raise ValidationError({"cara": "Pilih cara penyampaian: langsung atau tertulis."})
    isi = (isi or "").strip()
    if not isi:
        raise ValidationError({"isi": "Isi umpan balik wajib diisi."})
    perilaku = perilaku or ""
    _cek_sasaran(
        pemberi=pemberi,
        penerima=penerima,
        rhk=rencana_hasil_kerja,
        perilaku=perilaku,
        permintaan=permintaan,
    )
    waktu = waktu or timezone.now()
    tanggal = timezone.localtime(waktu).date()
    periode = periode_untuk(penerima, tanggal)
    ub = UmpanBalik.objects.create(
        penerima=penerima,
        pemberi=pemberi,
        hubungan=rules.derive_hubungan(
            pemberi_id=pemberi.pk,
            penerima_id=penerima.pk,
            penerima_penilai_id=penerima.pejabat_penilai_id,
            pemberi_penilai_id=pemberi.pejabat_penilai_id,
            pemberi_tugas_ids=tugas,
        ),
        rencana_hasil_kerja=rencana_hasil_kerja,
        perilaku=perilaku,
        jenis=jenis,
        cara=cara,
        isi=isi,
        periode=periode,
        urutan=urutan_jendela(periode, tanggal),
        permintaan=permintaan,
        dibuat=waktu,
    )
    if permintaan is not None:
        PermintaanUmpanBalik.objects.filter(pk=permintaan.pk).update(
            status=PermintaanUmpanBalik.Status.DIJAWAB
        )
    _kirim(
        penerima,
        "umpan_balik_diterima",
        f"{pemberi.nama} memberi umpan balik ({ub.get_jenis_display().lower()}) kepada Anda.",
        reverse("dialog:umpan_balik_detail", args=[ub.pk]),
    )
    return ub


@layanan
@transaction.atomic
def umpan_balik_minta(
    *,
    user: Any,
    diminta: Pegawai,
    pesan: str = "",
    rencana_hasil_kerja: Any = None,
    perilaku: str = "",
) -> PermintaanUmpanBalik:
    """A pegawai asks someone (in their instansi, or an official who assigned them work)."""
    peminta = pegawai_dari(user)
    if diminta.pk == peminta.pk:
        raise ValidationError({"diminta": "Pilih orang lain untuk dimintai umpan balik."})
    if diminta.instansi_id != peminta.instansi_id and diminta.pk not in pemberi_tugas_ids(
        peminta.pk
    ):
        raise ValidationError(
            {
                "diminta": "Umpan balik hanya dapat diminta dari pegawai di instansi Anda atau "
                "pejabat yang memberi Anda penugasan."
            }
        )
    if rencana_hasil_kerja is not None and perilaku:
        raise ValidationError(
            {"perilaku": "Pilih satu sasaran saja: rencana hasil kerja ATAU perilaku kerja."}
        )
    if rencana_hasil_kerja is not None and rencana_hasil_kerja.skp.pegawai_id != peminta.pk:
        raise ValidationError(
            {"rencana_hasil_kerja": "Pilih salah satu rencana hasil kerja Anda sendiri."}
        )
    if perilaku and perilaku not in kode_perilaku():
        raise ValidationError({"perilaku": "Nilai perilaku BerAKHLAK tidak dikenal."})
    p = PermintaanUmpanBalik.objects.create(
        peminta=peminta,
        diminta=diminta,
        rencana_hasil_kerja=rencana_hasil_kerja,
        perilaku=perilaku or "",
        pesan=(pesan or "").strip(),
    )
    _kirim(
        diminta,
        "umpan_balik_diminta",
        f"{peminta.nama} meminta umpan balik dari Anda.",
        reverse("dialog:umpan_balik_beri") + f"?permintaan={p.pk}",
    )
    return p


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
    _kirim(
        penerima.pejabat_penilai,
        "penugasan_diusulkan",
        f"{pemberi.nama} ({pemberi.instansi}) mengusulkan penugasan untuk {penerima.nama}: "
        f"{uraian[:120]}",
        reverse("dialog:penugasan_detail", args=[p.pk]),
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
    _cek_versi(p, row_version)
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
    _cek_versi(p, row_version)
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
        _kirim(p.pemberi, "penugasan_diputuskan", pesan, tautan)
    _kirim(p.penerima, "penugasan_diputuskan", pesan, tautan)
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
    _kirim(
        penerima.pejabat_penilai,
        "penugasan_diusulkan",
        f"{penerima.nama} mengajukan diri untuk \u201c{peluang.judul}\u201d "
        f"({peluang.unit_kerja}). Mohon keputusan Anda.",
        reverse("dialog:penugasan_detail", args=[p.pk]),
    )
    return p


# --- Dokumentasi kinerja ----------------------------------------------------------------------
def _rhk_milik(user: Any, rhk: Any) -> Pegawai:
    pegawai = pegawai_dari(user)
    if rhk.skp.pegawai_id != pegawai.pk:
        raise PermissionDenied("Realisasi hanya dicatat oleh pegawai pemilik rencana hasil kerja.")
    return pegawai


@layanan
@transaction.atomic
def realisasi_simpan(
    *,
    user: Any,
    rencana_hasil_kerja: Any,
    urutan: int,
    uraian: str,
    angka: Any = None,
    satuan: str = "",
    row_version: int | None = None,
) -> Realisasi:
    """Record (or update) what was achieved on one row in one evaluation window."""
    pegawai = _rhk_milik(user, rencana_hasil_kerja)
    periode = rencana_hasil_kerja.skp.periode
    if periode.ditutup:
        raise ValidationError(f"Periode kinerja {periode.tahun} sudah ditutup (hanya baca).")
    jendela = {j.urutan for j in jendela_periodik(periode.tahun, periode.frekuensi)}
    errors = {}
    try:
        urutan = int(urutan)
    except (TypeError, ValueError):
        urutan = 0
    if urutan not in jendela:
        errors["urutan"] = "Pilih periode penilaian yang ada pada tahun ini."
    if not (uraian or "").strip():
        errors["uraian"] = "Uraian realisasi wajib diisi."
    if errors:
        raise ValidationError(errors)
    obj = (
        Realisasi.objects.select_for_update()
        .filter(rhk_kunci=rencana_hasil_kerja.kunci, periode=periode, urutan=urutan)
        .first()
    )
    if obj is None:
        return Realisasi.objects.create(
            pegawai=pegawai,
            periode=periode,
            urutan=urutan,
            rencana_hasil_kerja=rencana_hasil_kerja,
            rhk_kunci=rencana_hasil_kerja.kunci,
            uraian=uraian.strip(),
            angka=angka,
            satuan=(satuan or "").strip(),
        )
    _cek_versi(obj, row_version)
    obj.rencana_hasil_kerja = rencana_hasil_kerja  # follow the row into the newest version
    obj.uraian, obj.angka, obj.satuan = uraian.strip(), angka, (satuan or "").strip()
    obj.row_version += 1
    obj.save()
    return obj


def _baca_kepala(berkas: UploadedFile) -> bytes:
    berkas.seek(0)
    kepala = berkas.read(rules.BYTES_DIPERIKSA)
    berkas.seek(0)
    return kepala


@layanan
@transaction.atomic
def bukti_unggah(
    *, user: Any, realisasi: Realisasi, judul: str, berkas: UploadedFile
) -> BuktiDukung:
    """Upload evidence. The type is judged by the file's content; nothing is kept if refused."""
    policy.require(user, "unggah", realisasi)
    if realisasi.periode.ditutup:
        raise ValidationError("Periode kinerja sudah ditutup (hanya baca).")
    if berkas is None:
        raise ValidationError({"berkas": "Pilih berkas yang akan diunggah."})
    nama = berkas.name or ""
    try:
        jenis = rules.periksa_berkas(
            nama=nama,
            kepala=_baca_kepala(berkas),
            ukuran=berkas.size or 0,
            batas=settings.KINERJA_UPLOAD_MAX_BYTES,
        )
    except rules.BerkasDitolak as exc:
        raise ValidationError({"berkas": str(exc)}) from None
    digest = hashlib.sha256()
    for chunk in berkas.chunks():
        digest.update(chunk)
    berkas.seek(0)
    bukti = BuktiDukung(
        realisasi=realisasi,
        judul=(judul or "").strip() or nama[:200],
        nama_asli=nama[:255],
        ekstensi=jenis.ekstensi,
        mime=jenis.mime,
        ukuran=berkas.size,
        sha256=digest.hexdigest(),
        diunggah_oleh=user,
    )
    bukti.berkas.save("bukti", berkas, save=False)
    stored = bukti.berkas.name
    try:
        bukti.save()
    except Exception:
        bukti.berkas.storage.delete(stored)
        raise
    return bukti


@layanan
@transaction.atomic
def bukti_tautan(*, user: Any, realisasi: Realisasi, judul: str, tautan: str) -> BuktiDukung:
    """Evidence as a link (a shared drive, a published page)."""
    policy.require(user, "unggah", realisasi)
    from django.core.validators import URLValidator

    tautan = (tautan or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(tautan)
    except ValidationError:
        raise ValidationError(
            {"tautan": "Tautan harus alamat web lengkap (https://...)."}
        ) from None
    if not (judul or "").strip():
        raise ValidationError({"judul": "Beri judul singkat untuk tautan ini."})
    return BuktiDukung.objects.create(
        realisasi=realisasi, judul=judul.strip(), tautan=tautan, diunggah_oleh=user
    )


@layanan
@transaction.atomic
def bukti_hapus(*, user: Any, bukti: BuktiDukung) -> None:
    policy.require(user, "delete", bukti)
    if bukti.realisasi.periode.ditutup:
        raise ValidationError("Periode kinerja sudah ditutup (hanya baca).")
    name, storage = bukti.berkas.name, bukti.berkas.storage
    bukti.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Dialog kinerja and pembinaan ------------------------------------------------------------
def _cek_pemimpin(pemimpin: Pegawai, pegawai: Pegawai, jenis: str) -> None:
    # Bimbingan and konseling kinerja are the pejabat penilai's (or the atasan's) duty; a
    # check-in may also be the ketua tim's.
    aksi = "dialog_check_in" if jenis == DialogKinerja.Jenis.CHECK_IN else "dialog_pembinaan"
    if not policy.can(pemimpin.user, aksi, pegawai):
        raise PermissionDenied(
            "Dialog kinerja dicatat oleh pejabat penilai, atasannya, atau ketua tim pegawai."
        )


@layanan
@transaction.atomic
def dialog_catat(
    *,
    user: Any,
    pegawai: Pegawai,
    jenis: str,
    waktu: dt.datetime,
    agenda: str,
    catatan: str = "",
    tindak_lanjut: Sequence[tuple[str, dt.date, Pegawai | None]] = (),
) -> DialogKinerja:
    """Record a check-in, bimbingan or konseling session with its agreed follow-ups."""
    pemimpin = pegawai_dari(user)
    if jenis not in DialogKinerja.Jenis.values:
        raise ValidationError({"jenis": "Pilih jenis dialog."})
    _cek_pemimpin(pemimpin, pegawai, jenis)
    if not (agenda or "").strip():
        raise ValidationError({"agenda": "Agenda wajib diisi."})
    periode = periode_untuk(pegawai, timezone.localtime(waktu).date())
    d = DialogKinerja.objects.create(
        pegawai=pegawai,
        pemimpin=pemimpin,
        periode=periode,
        jenis=jenis,
        waktu=waktu,
        agenda=agenda.strip(),
        catatan=(catatan or "").strip(),
    )
    for uraian, tenggat, pj in tindak_lanjut:
        tindak_lanjut_tambah(
            user=user, dialog=d, uraian=uraian, tenggat=tenggat, penanggung_jawab=pj or pegawai
        )
    _kirim(
        pegawai,
        "dialog_kinerja",
        f"{pemimpin.nama} mencatat {d.get_jenis_display().lower()} bersama Anda.",
        reverse("dialog:dialog_detail", args=[d.pk]),
    )
    return d


@layanan
@transaction.atomic
def dialog_ubah(
    *, user: Any, dialog: DialogKinerja, agenda: str, catatan: str, row_version: int | None
) -> DialogKinerja:
    policy.require(user, "change", dialog)
    d = DialogKinerja.objects.select_for_update().get(pk=dialog.pk)
    _cek_versi(d, row_version)
    if not (agenda or "").strip():
        raise ValidationError({"agenda": "Agenda wajib diisi."})
    d.agenda, d.catatan = agenda.strip(), (catatan or "").strip()
    d.row_version += 1
    d.save()
    return d


@layanan
@transaction.atomic
def tindak_lanjut_tambah(
    *, user: Any, dialog: DialogKinerja, uraian: str, tenggat: dt.date, penanggung_jawab: Pegawai
) -> TindakLanjut:
    policy.require(user, "change", dialog)
    if not (uraian or "").strip():
        raise ValidationError({"uraian": "Uraian tindak lanjut wajib diisi."})
    if tenggat is None:
        raise ValidationError({"tenggat": "Tenggat wajib diisi."})
    if penanggung_jawab.pk not in {dialog.pegawai_id, dialog.pemimpin_id}:
        raise ValidationError(
            {"penanggung_jawab": "Penanggung jawab adalah pegawai atau pemimpin dialog."}
        )
    return TindakLanjut.objects.create(
        dialog=dialog, uraian=uraian.strip(), tenggat=tenggat, penanggung_jawab=penanggung_jawab
    )


@layanan
@transaction.atomic
def tindak_lanjut_selesai(
    *, user: Any, tindak_lanjut: TindakLanjut, selesai: bool = True
) -> TindakLanjut:
    policy.require(user, "selesai", tindak_lanjut)
    tindak_lanjut.selesai = selesai
    tindak_lanjut.selesai_pada = timezone.now() if selesai else None
    tindak_lanjut.save(update_fields=["selesai", "selesai_pada"])
    return tindak_lanjut


def pengingat_tindak_lanjut(*, hari_ini: dt.date | None = None, hari: int = 3) -> int:
    """Remind the person responsible of follow-ups due within `hari` days (once per day each).

    For the daily reminder run (kinerja.pengingat): returns how many reminders were sent.
    """
    hari_ini = hari_ini or timezone.localdate()
    items: Iterable[TindakLanjut] = TindakLanjut.objects.filter(
        selesai=False, tenggat__gte=hari_ini, tenggat__lte=hari_ini + dt.timedelta(days=hari)
    ).select_related("penanggung_jawab__user", "dialog")
    sent = 0
    for t in items:
        if not t.penanggung_jawab.user_id:
            continue
        n = notifikasi_kirim(
            penerima=t.penanggung_jawab.user,
            jenis="tindak_lanjut_jatuh_tempo",
            pesan=f"Tindak lanjut \u201c{t.uraian[:120]}\u201d jatuh tempo {t.tenggat:%d-%m-%Y}.",
            tautan=reverse("dialog:dialog_detail", args=[t.dialog_id]),
            kunci=f"pengingat:tindak_lanjut:{t.pk}:{hari_ini.isoformat()}",
        )
        sent += n is not None
    return sent
