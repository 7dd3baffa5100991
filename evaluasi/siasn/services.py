"""State changes of the SIASN follow-up: the reference tables and asking for a send.

One function per use case, keyword-only, transactional, asking the policy first; history by
django-simple-history (ReferensiSiasn keeps it), the push through the outbox.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from evaluasi.models import Evaluasi
from evaluasi.siasn import kirim, rules
from evaluasi.siasn.impor import Rencana
from evaluasi.siasn.models import Kiriman, ReferensiSiasn, RekamanSiasn
from kinerja import jobs, policy
from kinerja.models import Instansi, Job
from kinerja.policy.siasn import boleh_kelola
from kinerja.riwayat import layanan

NONAKTIF = (
    "Pengiriman ke SIASN belum diaktifkan di server ini (KINERJA_SIASN_URL belum diisi). "
    "Unduh berkas rekaman untuk diunggah manual."
)


def _admin(user: Any, instansi: Instansi) -> None:
    if not boleh_kelola(user, instansi.pk):
        raise PermissionDenied("Hanya admin instansi yang mengelola data SIASN.")


def _cek(jenis: str, kode: str) -> None:
    if jenis not in rules.KODE:
        raise ValidationError({"jenis": ["Jenis referensi SIASN tidak dikenal."]})
    if kode not in rules.KODE[jenis]:
        raise ValidationError({"kode": [f"Kode '{kode}' tidak ada pada daftar {jenis}."]})


@layanan
@transaction.atomic
def referensi_siasn_simpan(
    *,
    user: Any,
    instansi: Instansi,
    jenis: str,
    kode: str,
    nilai: str,
    nama_siasn: str = "",
    diperiksa: bool = True,
) -> ReferensiSiasn:
    """Set SIASN's id of one of Kinerja's codes (the admin has looked it up in SIASN)."""
    _admin(user, instansi)
    _cek(jenis, kode)
    nilai = (nilai or "").strip()
    err = rules.nilai_error(jenis, nilai)
    if err:
        raise ValidationError({"nilai": [err]})
    row, created = ReferensiSiasn.objects.select_for_update().get_or_create(
        instansi=instansi,
        jenis=jenis,
        kode=kode,
        defaults={"nilai": nilai, "nama_siasn": nama_siasn[:200], "diperiksa": diperiksa},
    )
    if not created and (row.nilai, row.nama_siasn, row.diperiksa) != (
        nilai,
        nama_siasn[:200],
        diperiksa,
    ):
        row.nilai, row.nama_siasn, row.diperiksa = nilai, nama_siasn[:200], diperiksa
        row.save()
    return row


@layanan
@transaction.atomic
def referensi_siasn_periksa(*, user: Any, instansi: Instansi, jenis: str | None = None) -> int:
    """Mark the table (or one list) as checked against SIASN's references, as it now stands:
    defaults become the instansi's own rows. Returns how many rows changed."""
    _admin(user, instansi)
    from evaluasi.siasn.rekaman import referensi_instansi

    n = 0
    for r in referensi_instansi(instansi.pk):
        if (jenis and r.jenis != jenis) or (r.tersimpan and r.diperiksa):
            continue
        referensi_siasn_simpan(
            user=user,
            instansi=instansi,
            jenis=r.jenis,
            kode=r.kode,
            nilai=r.nilai,
            nama_siasn=r.nama_siasn,
            diperiksa=True,
        )
        n += 1
    return n


@layanan
@transaction.atomic
def referensi_siasn_impor(*, user: Any, instansi: Instansi, baris: list[dict]) -> Rencana:
    """Write an import plan's rows (from the preview), all or none, after checking them again
    against the table as it is now. Returns the plan; with `galat` nothing was written."""
    _admin(user, instansi)
    from evaluasi.siasn.impor import periksa
    from evaluasi.siasn.rekaman import referensi

    rows = [
        (i, {"jenis": b["jenis"], "kode": b["kode"], "id": b["nilai"], "nama": b["nama"]})
        for i, b in enumerate(baris, start=2)
    ]
    plan = periksa(rows=rows, jenis_default=None, sekarang=referensi([instansi.pk])[instansi.pk])
    if plan.galat:
        return plan
    for b in plan.baris:
        if b.status != "tetap":
            referensi_siasn_simpan(
                user=user,
                instansi=instansi,
                jenis=b.jenis,
                kode=b.kode,
                nilai=b.nilai,
                nama_siasn=b.nama,
                diperiksa=True,
            )
    return plan


@layanan
@transaction.atomic
def siasn_kirim_ulang(*, user: Any, kiriman: Kiriman) -> Job:
    """Send a record again now, whatever SIASN was sent before (after a refusal was fixed in
    SIASN or in the references, or when SIASN lost it). One job per request."""
    policy.require(user, "kirim_ulang", kiriman)
    if not kirim.aktif():
        raise ValidationError(NONAKTIF)
    ev = kiriman.evaluasi
    if ev.status != Evaluasi.Status.FINAL:
        raise ValidationError(
            "Evaluasi ini tidak lagi final (dibuka kembali); ia dikirim lagi setelah final."
        )
    rek = RekamanSiasn.objects.get_or_create(evaluasi=ev, jenis=kiriman.jenis)[0]
    rek = RekamanSiasn.objects.select_for_update().get(pk=rek.pk)
    rek.jumlah_ulang += 1
    rek.save(update_fields=["jumlah_ulang"])
    return jobs.enqueue(
        kirim.TASK,
        kunci=f"siasn:{kiriman.jenis}:{ev.pk}:ulang{rek.jumlah_ulang}",
        user=user,
        instansi_id=kiriman.instansi_id,
        evaluasi_id=ev.pk,
        jenis=kiriman.jenis,
        alasan=Kiriman.Alasan.ULANG,
        paksa=True,
        diminta_oleh=user.pk,
    )


@layanan
@transaction.atomic
def siasn_kirim_tahun(*, user: Any, instansi: Instansi, tahun: int) -> int:
    """Schedule every final evaluation of a year that was never scheduled (finalised before
    the push was switched on). Evaluations already scheduled keep their job: this never sends
    twice. Returns how many jobs were recorded or found."""
    _admin(user, instansi)
    if not kirim.aktif():
        raise ValidationError(NONAKTIF)
    evs = list(
        Evaluasi.objects.filter(
            pegawai__instansi=instansi, periode__tahun=tahun, status=Evaluasi.Status.FINAL
        )
        .order_by("pk")
        .only("pk", "jenis", "row_version")
    )
    items = [
        (
            kirim.kunci(ev),
            {
                "evaluasi_id": ev.pk,
                "jenis": kirim.jenis_rekaman(ev),
                "instansi_id": instansi.pk,
                "alasan": Kiriman.Alasan.SUSULAN,
            },
        )
        for ev in evs
    ]
    return len(jobs.enqueue_many(kirim.TASK, items, user=user, instansi_id=instansi.pk))
