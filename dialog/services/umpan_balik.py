"""Umpan balik: given, and asked for; who may give it on what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dialog import rules
from dialog.models import (
    Penugasan,
    PermintaanUmpanBalik,
    UmpanBalik,
)
from dialog.services._common import (
    kode_perilaku,
    pegawai_dari,
    periode_untuk,
    simpan_baru,
    urutan_jendela,
)
from kinerja import policy
from kinerja.models import Pegawai
from kinerja.notifikasi import kabari
from kinerja.riwayat import layanan


# --- Umpan balik ------------------------------------------------------------------------------
def pemberi_tugas_ids(penerima_id: int) -> set[int]:
    """Officials who assigned approved work to the pegawai (they may give feedback on it)."""
    return set(
        Penugasan.objects.filter(
            penerima_id=penerima_id, status=Penugasan.Status.DISETUJUI
        ).values_list("pemberi_id", flat=True)
    )


class _TugasMalas:
    """`pemberi_tugas_ids(penerima_id)` read only when a question needs it (the giver's
    instansi differs, or `derive_hubungan` gets past the pejabat penilai): the penilai giving
    feedback to their own team, the usual case, reads no assignments."""

    def __init__(self, penerima_id: int) -> None:
        self.penerima_id = penerima_id
        self._isi: set[int] | None = None

    def _muat(self) -> set[int]:
        if self._isi is None:
            self._isi = pemberi_tugas_ids(self.penerima_id)
        return self._isi

    def __contains__(self, pegawai_id: object) -> bool:
        return pegawai_id in self._muat()

    def __iter__(self):
        return iter(self._muat())

    def __len__(self) -> int:
        return len(self._muat())


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
    pemberi: Pegawai | None = None,
) -> UmpanBalik:
    """Give feedback. The relation is derived from the organisation, never typed. `pemberi`:
    the giver as `pegawai_dari(user)` already returned it in this request (else the row the
    login was loaded with). `penerima` may carry its period (penerima_dengan_periode)."""
    pemberi = pegawai_dari(user, dimuat=pemberi, dengan_relasi=False)
    if pemberi.pk == penerima.pk:
        raise ValidationError(
            {"penerima": "Umpan balik tidak dapat diberikan kepada diri sendiri."}
        )
    if permintaan is not None and (
        permintaan.diminta_id != pemberi.pk or permintaan.peminta_id != penerima.pk
    ):
        raise PermissionDenied("Permintaan umpan balik ini bukan ditujukan kepada Anda.")
    tugas = _TugasMalas(penerima.pk)
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
    ub = UmpanBalik(
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
    simpan_baru(ub)
    if permintaan is not None:
        PermintaanUmpanBalik.objects.filter(pk=permintaan.pk).update(
            status=PermintaanUmpanBalik.Status.DIJAWAB
        )
    kabari(
        penerima,
        jenis="umpan_balik_diterima",
        pesan=f"{pemberi.nama} memberi umpan balik ({ub.get_jenis_display().lower()}) kepada Anda.",
        tautan=reverse("dialog:umpan_balik_detail", args=[ub.pk]),
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
    kabari(
        diminta,
        jenis="umpan_balik_diminta",
        pesan=f"{peminta.nama} meminta umpan balik dari Anda.",
        tautan=reverse("dialog:umpan_balik_beri") + f"?permintaan={p.pk}",
    )
    return p
