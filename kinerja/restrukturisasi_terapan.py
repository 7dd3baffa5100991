"""Applying a restructuring (SOTK): the admin's `restrukturisasi_terapkan`, the beat's
`restrukturisasi_jatuh_tempo`, and the outbox job that writes it (`kinerja.restrukturisasi`).
The draft and its preview are in `kinerja.restrukturisasi`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinerja import jobs, policy, services, waktu
from kinerja.models import (
    Jabatan,
    LangkahRestrukturisasi,
    Mutasi,
    Pegawai,
    Restrukturisasi,
    UnitKerja,
)
from kinerja.restrukturisasi import Pratinjau, cek_terbuka, cek_tmt, simulasikan
from kinerja.riwayat import atas_nama, layanan

L = LangkahRestrukturisasi.Jenis


# --- applying ---------------------------------------------------------------------------------
@layanan
@transaction.atomic
def restrukturisasi_terapkan(
    *, user: Any, restrukturisasi: Restrukturisasi, row_version: int | str | None = None
) -> Restrukturisasi:
    """Apply the draft as last previewed: dated today or earlier, now (a background job with
    progress); dated later, it waits for its date (the beat). Refused while the preview finds a
    problem."""
    r = (
        Restrukturisasi.objects.select_for_update(of=("self",))
        .select_related("instansi")
        .get(pk=restrukturisasi.pk)
    )
    policy.require(user, "terapkan", r)
    cek_terbuka(r)
    services.cek_versi(r, row_version)
    if not r.langkah_set.exists():
        raise ValidationError({"__all__": ["Rancangan ini belum berisi perubahan."]})
    cek_tmt(r.instansi, r.tmt)
    hasil = simulasikan(r)
    if hasil.masalah:
        raise ValidationError(
            {"__all__": [f"Rancangan belum dapat diterapkan: {m}" for m in hasil.masalah[:10]]}
        )
    r.row_version += 1
    if r.tmt > waktu.hari_ini():
        r.status = Restrukturisasi.Status.DIJADWALKAN
        with atas_nama(user):
            r.save()
        return r
    _kirim(r, user)
    return r


def _kirim(r: Restrukturisasi, user: Any) -> None:
    """Hand a claimed restructuring to the outbox (status `diproses`)."""
    r.status = Restrukturisasi.Status.DIPROSES
    r.job = jobs.enqueue(
        "kinerja.restrukturisasi",
        kunci=f"restrukturisasi:{r.pk}:{r.row_version}",
        user=user if getattr(user, "is_authenticated", False) else None,
        restrukturisasi_id=r.pk,
        instansi_id=r.instansi_id,
        user_id=user.pk if getattr(user, "is_authenticated", False) else None,
    )
    with atas_nama(user):
        r.save()


@layanan
@transaction.atomic
def restrukturisasi_batalkan(
    *,
    user: Any,
    restrukturisasi: Restrukturisasi,
    alasan: str,
    row_version: int | str | None = None,
) -> Restrukturisasi:
    """Drop a draft (or a scheduled one before its date), keeping the reason."""
    r = Restrukturisasi.objects.select_for_update().get(pk=restrukturisasi.pk)
    policy.require(user, "change", r)
    cek_terbuka(r)
    services.cek_versi(r, row_version)
    if not (alasan or "").strip():
        raise ValidationError({"alasan": "Tuliskan alasan pembatalan."})
    r.status = Restrukturisasi.Status.DIBATALKAN
    r.alasan_batal = alasan.strip()
    r.row_version += 1
    with atas_nama(user):
        r.save()
    return r


def restrukturisasi_jatuh_tempo(*, hari_ini: dt.date | None = None) -> int:
    """The beat: a scheduled restructuring whose date has come goes to the outbox."""
    hari_ini = hari_ini or waktu.hari_ini()
    n = 0
    for pk in Restrukturisasi.objects.filter(
        status=Restrukturisasi.Status.DIJADWALKAN, tmt__lte=hari_ini
    ).values_list("pk", flat=True):
        with transaction.atomic():
            r = (
                Restrukturisasi.objects.select_for_update(of=("self",))
                .filter(pk=pk, status=Restrukturisasi.Status.DIJADWALKAN)
                .first()
            )
            if r is not None:
                _kirim(r, r.dibuat_oleh)
                n += 1
    return n


def _progres(job_id: int | None, done: int, total: int, pesan: str) -> None:
    """Progress the page can see while the apply's own transaction is still open: written on a
    second connection (PostgreSQL; SQLite, the local eager mode, would lock on it)."""
    if job_id is None:
        return
    if connection.vendor != "postgresql":
        return
    conn = connections.create_connection("default")
    try:
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE kinerja_job SET progres = %s, progres_total = %s, pesan = %s, "
                "diperbarui = %s WHERE id = %s",
                [
                    min(int(done * 100 / total) if total else 99, 99),
                    total,
                    pesan[:300],
                    timezone.now(),
                    job_id,
                ],
            )
    finally:
        conn.close()


@layanan
@transaction.atomic
def restrukturisasi_jalankan(
    *, restrukturisasi_id: int, oleh: Any = None, job_id: int | None = None
) -> dict[str, Any]:
    """The job's work: write the structure, move the pegawai who change post (a Mutasi each,
    naming the restructuring), end acting roles in closed posts, then one `penilai_refresh` as of
    the TMT. All or nothing; a repeat after success does nothing."""
    r = (
        Restrukturisasi.objects.select_for_update(of=("self",))
        .select_related("instansi", "dibuat_oleh")
        .get(pk=restrukturisasi_id)
    )
    if r.status != Restrukturisasi.Status.DIPROSES:
        return {"pesan": f"Restrukturisasi sudah {r.get_status_display().lower()}."}
    oleh = oleh or r.dibuat_oleh
    _progres(job_id, 1, 10, "Memeriksa rancangan")
    hasil = simulasikan(r)
    if hasil.masalah:
        # The organisation changed since it was previewed: back to draft, nothing written.
        r.status = Restrukturisasi.Status.DRAF
        r.hasil = {"masalah": hasil.masalah[:50]}
        r.row_version += 1
        with atas_nama(oleh):
            r.save()
        return {
            "pesan": "Rancangan belum dapat diterapkan; lihat masalahnya.",
            "masalah": len(hasil.masalah),
        }
    with atas_nama(oleh):
        _progres(job_id, 2, 10, "Menulis unit kerja dan jabatan")
        unit_id, jabatan_id = _tulis_struktur(r, hasil.langkah, oleh)
        _progres(job_id, 5, 10, f"Memindahkan {len(hasil.penempatan)} pegawai")
        dipindah = _tempatkan(r, hasil, jabatan_id, oleh)
        _progres(job_id, 8, 10, "Menghitung ulang pejabat penilai")
        # The Mutasi above already refreshed as of the TMT when anyone moved; otherwise the
        # structure alone changed who rates whom.
        if not dipindah:
            services.penilai_refresh(instansi=r.instansi, tmt=r.tmt, oleh=oleh)
        r.status = Restrukturisasi.Status.DITERAPKAN
        r.diterapkan = timezone.now()
        r.hasil = {
            "unit_baru": hasil.unit_baru,
            "jabatan_baru": hasil.jabatan_baru,
            "unit_diubah": hasil.unit_diubah,
            "jabatan_diubah": hasil.jabatan_diubah,
            "pegawai_dipindah": dipindah,
            "penilai_berganti": len(hasil.penilai_berganti),
        }
        r.row_version += 1
        r.save()
    return {"pesan": f"Restrukturisasi {r.nama} diterapkan.", **r.hasil}


def _tulis_struktur(
    r: Restrukturisasi, langkah: list[LangkahRestrukturisasi], oleh: Any
) -> tuple[dict[int, int], dict[int, int]]:
    """Create and change the units and positions of the draft (with history); returns the ids
    given to the steps that created something."""
    unit_id: dict[int, int] = {}
    jabatan_id: dict[int, int] = {}

    def u(lk_id: int | None, uid: int | None) -> int | None:
        return unit_id[lk_id] if lk_id else uid

    def j(lk_id: int | None, jid: int | None) -> int | None:
        return jabatan_id[lk_id] if lk_id else jid

    ubah_unit: dict[int, UnitKerja] = {}
    ubah_jab: dict[int, Jabatan] = {}
    ids_u = [lk.unit_id for lk in langkah if lk.jenis == L.UNIT_UBAH]
    ids_j = [lk.jabatan_id for lk in langkah if lk.jenis == L.JABATAN_UBAH]
    unit_rows = UnitKerja.objects.in_bulk(ids_u)
    jab_rows = Jabatan.objects.in_bulk(ids_j)
    atasan_nanti: list[tuple[Jabatan, int]] = []
    for lk in langkah:
        if lk.jenis == L.UNIT_BARU:
            obj = UnitKerja(
                instansi=r.instansi,
                nama=lk.nama,
                singkatan=lk.singkatan,
                mandiri=bool(lk.mandiri),
                induk_id=u(lk.unit_ke_langkah_id, lk.unit_ke_id),
            )
            obj.save()
            unit_id[lk.pk] = obj.pk
        elif lk.jenis == L.UNIT_UBAH:
            obj = ubah_unit.setdefault(lk.unit_id, unit_rows[lk.unit_id])
            obj.nama = lk.nama or obj.nama
            obj.singkatan = lk.singkatan or obj.singkatan
            if lk.mandiri is not None:
                obj.mandiri = lk.mandiri
            if lk.unit_ke_id or lk.unit_ke_langkah_id:
                obj.induk_id = u(lk.unit_ke_langkah_id, lk.unit_ke_id)
            if lk.tutup:
                obj.ditutup = r.tmt
        elif lk.jenis == L.JABATAN_BARU:
            obj = Jabatan(
                unit_kerja_id=u(lk.unit_ke_langkah_id, lk.unit_ke_id),
                nama=lk.nama,
                jenis=lk.jenis_jabatan,
                kepala_unit=bool(lk.kepala_unit),
                atasan_id=lk.jabatan_ke_id,
            )
            obj.save()
            jabatan_id[lk.pk] = obj.pk
            if lk.jabatan_ke_langkah_id:
                atasan_nanti.append((obj, lk.jabatan_ke_langkah_id))
        elif lk.jenis == L.JABATAN_UBAH:
            obj = ubah_jab.setdefault(lk.jabatan_id, jab_rows[lk.jabatan_id])
            obj.nama = lk.nama or obj.nama
            obj.jenis = lk.jenis_jabatan or obj.jenis
            if lk.kepala_unit is not None:
                obj.kepala_unit = lk.kepala_unit
            if lk.unit_ke_id or lk.unit_ke_langkah_id:
                obj.unit_kerja_id = u(lk.unit_ke_langkah_id, lk.unit_ke_id)
            if lk.jabatan_ke_id or lk.jabatan_ke_langkah_id:
                obj.atasan_id = j(lk.jabatan_ke_langkah_id, lk.jabatan_ke_id)
            if lk.tutup:
                obj.ditutup = r.tmt
    for obj, lk_id in atasan_nanti:
        obj.atasan_id = jabatan_id[lk_id]
        obj.row_version += 1
        obj.save(update_fields=["atasan", "row_version"])
    if ubah_unit:
        for obj in ubah_unit.values():
            obj.row_version += 1
        bulk_update_with_history(
            list(ubah_unit.values()),
            UnitKerja,
            ["nama", "singkatan", "mandiri", "induk", "ditutup", "row_version"],
            batch_size=1000,
            default_user=oleh,
        )
    if ubah_jab:
        for obj in ubah_jab.values():
            obj.row_version += 1
        bulk_update_with_history(
            list(ubah_jab.values()),
            Jabatan,
            ["nama", "jenis", "kepala_unit", "unit_kerja", "atasan", "ditutup", "row_version"],
            batch_size=1000,
            default_user=oleh,
        )
    return unit_id, jabatan_id


def _tempatkan(r: Restrukturisasi, hasil: Pratinjau, jabatan_id: dict[int, int], oleh: Any) -> int:
    """Every pegawai who changes post gets a Mutasi on the TMT naming this restructuring,
    applied together (one refresh); acting roles in closed posts end on the TMT."""
    from kinerja import mutasi as mutasi_mod

    jenis_per = {lk.pegawai_id: lk.jenis_mutasi for lk in hasil.langkah if lk.jenis == L.PENEMPATAN}
    tutup = {lk.jabatan_id for lk in hasil.langkah if lk.jenis == L.JABATAN_UBAH and lk.tutup}
    plt = list(Pegawai.objects.select_for_update().filter(plt_jabatan_id__in=tutup))
    if plt:
        services.riwayat_pastikan_banyak(pegawai=plt)
        for p in plt:
            p.plt_jabatan_id, p.plt_jenis = None, ""
            p.row_version += 1
        bulk_update_with_history(
            plt, Pegawai, ["plt_jabatan", "plt_jenis", "row_version"], default_user=oleh
        )
        services.riwayat_sinkron_banyak(pegawai=plt, tmt=r.tmt)
    if not hasil.penempatan:
        return 0
    jab_ids = {jabatan_id.get(-b, b) for _p, _l, b in hasil.penempatan}
    unit_of = dict(Jabatan.objects.filter(pk__in=jab_ids).values_list("pk", "unit_kerja_id"))
    baru = []
    for pid, _lama, b in hasil.penempatan:
        jid = jabatan_id[-b] if b < 0 else b
        baru.append(
            Mutasi(
                pegawai_id=pid,
                jenis=jenis_per.get(pid) or Mutasi.Jenis.MUTASI,
                jabatan_baru_id=jid,
                unit_kerja_baru_id=unit_of[jid],
                tmt=r.tmt,
                keterangan=f"Restrukturisasi: {r.nama}"[:500],
                dibuat_oleh=oleh if getattr(oleh, "is_authenticated", False) else None,
                restrukturisasi_id=r.pk,
            )
        )
    dibuat = bulk_create_with_history(baru, Mutasi, batch_size=2000, default_user=oleh)
    return mutasi_mod.mutasi_berlakukan_banyak(mutasi_ids=[m.pk for m in dibuat], oleh=oleh)


@jobs.handler("kinerja.restrukturisasi", label="Penerapan restrukturisasi (SOTK)")
def restrukturisasi_latar(
    job: Any, *, restrukturisasi_id: int, instansi_id: int, user_id: int | None = None
) -> dict[str, Any]:
    """Outbox job: apply one restructuring (idempotent: a second run finds it applied)."""
    oleh = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    jobs.progress(job, 0, 10, "Memulai restrukturisasi")
    hasil = restrukturisasi_jalankan(
        restrukturisasi_id=restrukturisasi_id, oleh=oleh, job_id=job.pk
    )
    jobs.progress(job, 10, 10, hasil.get("pesan", ""))
    return hasil
