"""Writing a checked staff import (see `kinerja.impor` for the columns and the rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinerja import jobs, policy, waktu
from kinerja.impor import BATCH, Rencana, baca, periksa
from kinerja.models import Instansi, Jabatan, Mutasi, Pegawai
from kinerja.services import penilai_refresh, riwayat_sinkron_banyak


@transaction.atomic
def terapkan(*, user: Any, instansi: Instansi, data: bytes, jenis: str) -> Rencana:
    """Check the file again against the current data and, when every row is right, write it.
    All or nothing, in an order that keeps who rated whom right on every date:

    1. new positions, with the atasan the file gives them (nobody held them yet);
    2. the other columns of changed pegawai;
    3. changes of position as Mutasi with their TMT: applied at once (oldest TMT first, one
       refresh of who rates whom per TMT) or scheduled;
    4. new pegawai (a login each, username = NIP, no usable password until the admin sets one),
       holding their position since their TMT;
    5. the new atasan of existing positions, then who rates whom from today.
    """
    from kinerja import mutasi as mutasi_mod

    policy.require(user, "import", instansi)
    rows, file_errors = baca(data, jenis)
    if file_errors:
        return Rencana(galat=file_errors)
    # Serialise imports of one instansi: two confirmations at once must not both create rows.
    Instansi.objects.select_for_update().filter(pk=instansi.pk).first()
    plan = periksa(instansi=instansi, rows=rows)
    if plan.galat:
        return plan
    hari_ini = waktu.hari_ini()
    jabatan = {}
    for j in Jabatan.objects.filter(unit_kerja__instansi=instansi).order_by("id"):
        jabatan.setdefault((j.unit_kerja_id, j.nama.lower().strip()), j)
    baru = [
        Jabatan(unit_kerja_id=spec["unit_id"], nama=spec["nama"], jenis=spec["jenis"])
        for key, spec in plan.jabatan_baru.items()
        if key not in jabatan
    ]
    if baru:
        bulk_create_with_history(baru, Jabatan, batch_size=BATCH, default_user=user)
        for j in Jabatan.objects.filter(unit_kerja__instansi=instansi).order_by("id"):
            jabatan.setdefault((j.unit_kerja_id, j.nama.lower().strip()), j)
    ubah_baru, ubah_jab = [], []
    for key, (target, _nomor) in plan.atasan_jabatan.items():
        j, tj = jabatan[key], jabatan[target]
        if j.atasan_id != tj.id:
            j.atasan_id = tj.id
            j.row_version += 1
            (ubah_baru if key in plan.jabatan_baru else ubah_jab).append(j)
    if ubah_baru:
        bulk_update_with_history(
            ubah_baru, Jabatan, ["atasan", "row_version"], batch_size=BATCH, default_user=user
        )

    def fill(p: Pegawai, nilai: dict[str, Any]) -> None:
        for k, val in nilai.items():
            if k == "jabatan_key":
                p.jabatan_id = jabatan[val].id
            elif k not in ("id", "mutasi_jabatan_key"):
                setattr(p, k, val)

    create: list[Pegawai] = []
    tmt_baru: list[dt.date | None] = []
    update = []
    ids = [rb.nilai["id"] for rb in plan.baris if rb.status == "diubah"]
    current = Pegawai.objects.in_bulk(ids)
    fields: set[str] = set()
    for rb in plan.baris:
        if rb.status == "baru":
            p = Pegawai(instansi=instansi, nip=rb.nip)
            fill(p, rb.nilai)
            create.append(p)
            tmt_baru.append(rb.tmt)
        elif rb.status == "diubah" and [x for x in rb.perubahan if not x.startswith("Jabatan")]:
            p = current[rb.nilai["id"]]
            fill(p, rb.nilai)
            p.row_version += 1
            fields |= {
                k if k != "jabatan_key" else "jabatan_id"
                for k in rb.nilai
                if k not in ("id", "mutasi_jabatan_key")
            }
            update.append(p)
    if update:
        bulk_update_with_history(
            update,
            Pegawai,
            sorted({f.removesuffix("_id") for f in fields} | {"row_version"}),
            batch_size=BATCH,
            default_user=user,
        )
    pindah = [
        Mutasi(
            pegawai_id=rb.nilai["id"],
            jenis=Mutasi.Jenis.MUTASI,
            jabatan_baru_id=jabatan[rb.nilai["mutasi_jabatan_key"]].id,
            unit_kerja_baru_id=jabatan[rb.nilai["mutasi_jabatan_key"]].unit_kerja_id,
            tmt=rb.tmt,
            keterangan="Impor pegawai",
            dibuat_oleh=user if getattr(user, "is_authenticated", False) else None,
        )
        for rb in plan.baris
        if rb.mutasi
    ]
    if pindah:
        dibuat = bulk_create_with_history(pindah, Mutasi, batch_size=BATCH, default_user=user)
        plan.mutasi_dibuat = len(dibuat)
        mutasi_mod.mutasi_berlakukan_banyak(
            mutasi_ids=[m.pk for m in dibuat if m.tmt <= hari_ini], oleh=user
        )
    mulai_baru: dict[int, dt.date] = {}
    if create:
        _logins(create)
        bulk_create_with_history(create, Pegawai, batch_size=BATCH, default_user=user)
        mulai_baru = {p.pk: t for p, t in zip(create, tmt_baru, strict=True) if t}
        riwayat_sinkron_banyak(pegawai=create, tmt=hari_ini, mulai_pertama=mulai_baru)
    if ubah_jab:
        bulk_update_with_history(
            ubah_jab, Jabatan, ["atasan", "row_version"], batch_size=BATCH, default_user=user
        )
    penilai_refresh(instansi=instansi, oleh=user, mulai_baru=mulai_baru)
    plan.jabatan_dibuat = len(baru)
    plan.jabatan_diubah = len(ubah_jab) + len(ubah_baru)
    return plan


def _logins(pegawai: list[Pegawai]) -> None:
    """A login per new pegawai (username = NIP, no usable password), created in bulk before
    the pegawai rows so each row is inserted with its user id (no second pass of updates).
    An existing account of that name is reused only when no pegawai holds it."""
    User = get_user_model()
    by_nip = {p.nip: p for p in pegawai if p.nip}
    existing = dict(
        User.objects.filter(username__in=list(by_nip), pegawai__isnull=True).values_list(
            "username", "id"
        )
    )
    taken = set(User.objects.filter(username__in=list(by_nip)).values_list("username", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=nip, first_name=p.nama[:150], email=p.email, password=unusable)
            for nip, p in by_nip.items()
            if nip not in taken
        ],
        batch_size=BATCH,
    )
    ids = dict(
        User.objects.filter(username__in=list(by_nip), pegawai__isnull=True).values_list(
            "username", "id"
        )
    )
    ids.update(existing)
    for nip, p in by_nip.items():
        p.user_id = ids.get(nip)


def ringkasan(plan: Rencana, nama: str) -> str:
    """The one-line result an admin reads after an import (Indonesian)."""
    if plan.galat:
        g = plan.galat[0]
        return (
            f"Impor {nama} dibatalkan, tidak ada data yang disimpan: {len(plan.galat)} "
            f"kesalahan, antara lain baris {g.baris} kolom {g.kolom}: {g.pesan}"
        )
    j = plan.jumlah
    m = plan.mutasi
    pindah = ""
    if m["berlaku"] or m["dijadwalkan"]:
        pindah = (
            f" Perubahan jabatan: {m['berlaku']} berlaku, {m['dijadwalkan']} dijadwalkan "
            "(tercatat sebagai mutasi dengan TMT-nya)."
        )
    return (
        f"Impor {nama} selesai: {j['baru']} pegawai baru, {j['diubah']} diubah, {j['tetap']} "
        f"tetap; {plan.jabatan_dibuat} jabatan baru, {plan.jabatan_diubah} atasan jabatan "
        f"diubah.{pindah}"
    )


@jobs.handler("kinerja.impor_pegawai", label="Impor pegawai")
def impor_latar(
    job: Any, *, instansi_id: int, user_id: int, path: str, jenis: str, nama: str
) -> dict[str, Any]:
    """Background import of a large file confirmed by the admin. Safe to retry: the import is
    an upsert by NIP and all-or-nothing, so a second attempt finds the rows the first wrote."""
    from django.core.files.storage import default_storage

    if not default_storage.exists(path):
        return {"pesan": "Berkas impor tidak ditemukan lagi; unggah ulang."}
    jobs.progress(job, 0, 1, f"Mengimpor {nama}")
    with default_storage.open(path, "rb") as fh:
        data = fh.read()
    plan = terapkan(
        user=get_user_model().objects.get(pk=user_id),
        instansi=Instansi.objects.get(pk=instansi_id),
        data=data,
        jenis=jenis,
    )
    pesan = ringkasan(plan, nama)
    jobs.progress(job, 1, 1, pesan)
    if not plan.galat:
        default_storage.delete(path)
    return {
        "pesan": pesan,
        **plan.jumlah,
        "galat": [[g.baris, g.kolom, g.pesan] for g in plan.galat[:50]],
    }
