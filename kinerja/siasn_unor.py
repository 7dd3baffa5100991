"""The unit tree from SIASN's unit reference export (UNOR): preview, then write; idempotent by
SIASN id (issue 16, item 6).

Columns (first row = headers; case and punctuation ignored):

    Id | DiatasanId | NamaUnor | NamaJabatan   [| Eselon]

- Id: the UNOR id in SIASN, kept as `UnitKerja.siasn_id`; a second import of the same file
  changes nothing, a later export updates names and parents in place.
- DiatasanId: the parent's Id (in the file or already imported). Empty, or a parent outside the
  file and the instansi (SIASN exports hang a province under a national unit), makes a top unit.
- NamaUnor: the unit's name. NamaJabatan: the position heading it, kept as a Jabatan with
  `kepala_unit` and the same `siasn_id`, reporting to the head of the parent unit when created
  (or when the unit moves); a position the admin re-pointed is otherwise left alone.
- Eselon (optional): I.a-I.b -> JPT Madya, II.a-II.b -> JPT Pratama, III -> Administrator,
  IV -> Pengawas. Without it a new head position's kind is guessed from its depth (top:
  pimpinan instansi, then JPT Pratama, Administrator, Pengawas) and shown in the preview so the
  admin can correct it; the kind of an existing position is never changed by the import.

A unit not yet imported is matched by name when exactly one unit of the instansi without a SIASN
id bears it, so a tree first typed by hand is linked rather than doubled. Units missing from the
file are left as they are (closing one is a restructuring). Nothing is written while any row is
wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinerja import impor, jobs, policy, services
from kinerja.models import Instansi, Jabatan, UnitKerja
from kinerja.riwayat import layanan

KOLOM = {
    "id": ("id", "id unor", "unor id"),
    "diatasan": ("diatasanid", "diatasan id", "id atasan", "atasan id"),
    "nama_unor": ("namaunor", "nama unor", "nama unit"),
    "nama_jabatan": ("namajabatan", "nama jabatan"),
    "eselon": ("eselon", "eselonid", "eselon id"),
}
WAJIB = ("id", "diatasan", "nama_unor", "nama_jabatan")
LABEL = {
    "id": "Id",
    "diatasan": "DiatasanId",
    "nama_unor": "NamaUnor",
    "nama_jabatan": "NamaJabatan",
    "eselon": "Eselon",
    "berkas": "Berkas",
}
ESELON = {
    "i": Jabatan.Jenis.JPT_MADYA,
    "ii": Jabatan.Jenis.JPT_PRATAMA,
    "iii": Jabatan.Jenis.ADMINISTRATOR,
    "iv": Jabatan.Jenis.PENGAWAS,
    "v": Jabatan.Jenis.PENGAWAS,
}
KEDALAMAN = [
    Jabatan.Jenis.PIMPINAN_INSTANSI,
    Jabatan.Jenis.JPT_PRATAMA,
    Jabatan.Jenis.ADMINISTRATOR,
    Jabatan.Jenis.PENGAWAS,
]
LATAR_BARIS = 2000


@dataclass
class BarisUnor:
    nomor: int
    siasn_id: str
    nama: str
    diatasan: str
    nama_jabatan: str
    eselon: str = ""
    status: str = ""  # baru | diubah | tetap
    perubahan: list[str] = field(default_factory=list)
    unit_id: int | None = None  # existing unit matched
    jabatan_id: int | None = None  # existing head position matched
    induk_siasn: str | None = None  # parent's SIASN id, None: top unit
    jenis_jabatan: str = ""
    tebakan: bool = False  # the position kind was guessed from the depth


@dataclass
class RencanaUnor:
    baris: list[BarisUnor] = field(default_factory=list)
    galat: list[impor.Galat] = field(default_factory=list)
    catatan: list[str] = field(default_factory=list)

    @property
    def jumlah(self) -> dict[str, int]:
        out = {"baru": 0, "diubah": 0, "tetap": 0}
        for b in self.baris:
            out[b.status] = out.get(b.status, 0) + 1
        return out


def baca(data: bytes, jenis: str) -> tuple[list[tuple[int, dict[str, str]]], list[impor.Galat]]:
    """Rows as {column: text} with their spreadsheet row number, or the file's errors."""
    alias = {a: k for k, names in KOLOM.items() for a in names}
    header: dict[int, str] | None = None
    out: list[tuple[int, dict[str, str]]] = []
    for nomor, row in impor.baris_mentah(data, jenis):
        if header is None:
            if not any(c not in (None, "") for c in row):
                continue
            header = {}
            for idx, title in enumerate(row):
                key = alias.get(impor.judul(title)) or alias.get(
                    impor.judul(title).replace(" ", "")
                )
                if key and key not in header.values():
                    header[idx] = key
            missing = [LABEL[k] for k in WAJIB if k not in header.values()]
            if missing:
                return [], [
                    impor.Galat(
                        nomor,
                        LABEL["berkas"],
                        f"Kolom wajib tidak ada: {', '.join(missing)}. Baris judul harus memuat: "
                        "Id, DiatasanId, NamaUnor, NamaJabatan.",
                    )
                ]
            continue
        values = {k: impor.sel(row[i]) if i < len(row) else "" for i, k in header.items()}
        if any(values.values()):
            out.append((nomor, values))
        if len(out) > impor.MAX_ROWS:
            return [], [impor.Galat(0, LABEL["berkas"], "Terlalu banyak baris dalam satu berkas.")]
    if header is None or not out:
        return [], [impor.Galat(0, LABEL["berkas"], "Berkas tidak berisi baris unit kerja.")]
    return out, []


def periksa(*, instansi: Instansi, rows: list[tuple[int, dict[str, str]]]) -> RencanaUnor:
    """Check every row against the instansi as it is now; say what writing would change."""
    plan = RencanaUnor()
    err = plan.galat.append
    units = list(UnitKerja.objects.filter(instansi=instansi))
    by_siasn = {u.siasn_id: u for u in units if u.siasn_id}
    by_id = {u.pk: u for u in units}
    tanpa_id: dict[str, list[UnitKerja]] = {}
    for u in units:
        if not u.siasn_id:
            tanpa_id.setdefault(u.nama.strip().lower(), []).append(u)
    kepala = {
        j.siasn_id: j
        for j in Jabatan.objects.filter(unit_kerja__instansi=instansi, siasn_id__isnull=False)
    }
    kepala_unit: dict[int, Jabatan] = {}
    for j in Jabatan.objects.filter(unit_kerja__instansi=instansi, kepala_unit=True).order_by("pk"):
        kepala_unit.setdefault(j.unit_kerja_id, j)
    jab_by_pk = {j.pk: j for j in [*kepala.values(), *kepala_unit.values()]}
    seen: dict[str, int] = {}
    for nomor, v in rows:
        sid = v.get("id", "").lstrip("'").strip()
        nama = v.get("nama_unor", "").strip()
        nj = v.get("nama_jabatan", "").strip()
        before = len(plan.galat)
        if not sid:
            err(impor.Galat(nomor, LABEL["id"], "Id wajib diisi."))
        elif len(sid) > 64:
            err(impor.Galat(nomor, LABEL["id"], "Id paling panjang 64 karakter."))
        elif sid in seen:
            err(impor.Galat(nomor, LABEL["id"], f"Id {sid} sudah ada pada baris {seen[sid]}."))
        if not nama:
            err(impor.Galat(nomor, LABEL["nama_unor"], "NamaUnor wajib diisi."))
        elif len(nama) > 200:
            err(impor.Galat(nomor, LABEL["nama_unor"], "NamaUnor paling panjang 200 karakter."))
        if len(nj) > 200:
            err(
                impor.Galat(
                    nomor, LABEL["nama_jabatan"], "NamaJabatan paling panjang 200 karakter."
                )
            )
        eselon = v.get("eselon", "").strip()
        jenis = ""
        if eselon:
            kunci = eselon.lower().replace("eselon", "").strip().split(".")[0].strip()
            jenis = ESELON.get(kunci, "")
            if not jenis:
                err(
                    impor.Galat(
                        nomor,
                        LABEL["eselon"],
                        f"Eselon '{eselon}' tidak dikenal (I.a sampai IV.b).",
                    )
                )
        if len(plan.galat) > before:
            continue
        seen[sid] = nomor
        b = BarisUnor(
            nomor,
            sid,
            nama,
            v.get("diatasan", "").lstrip("'").strip(),
            nj,
            eselon,
            jenis_jabatan=jenis,
        )
        u = by_siasn.get(sid)
        if u is None:
            cocok = tanpa_id.get(nama.lower(), [])
            if len(cocok) == 1:
                u = cocok[0]
                b.perubahan.append("ID SIASN ditautkan")
        b.unit_id = u.pk if u else None
        j = kepala.get(sid) or (kepala_unit.get(u.pk) if u else None)
        b.jabatan_id = j.pk if j else None
        plan.baris.append(b)
    if plan.galat:
        return plan
    di_berkas = {b.siasn_id: b for b in plan.baris}
    # Parents: in the file, or already imported; anything else makes a top unit.
    luar = 0
    for b in plan.baris:
        if b.diatasan and (b.diatasan in di_berkas or b.diatasan in by_siasn):
            b.induk_siasn = b.diatasan
        elif b.diatasan:
            luar += 1
    if luar:
        plan.catatan.append(
            f"{luar} unit menunjuk induk yang tidak ada di berkas maupun di instansi; unit itu "
            "menjadi unit teratas."
        )
    # No cycles through the file.
    for b in plan.baris:
        node, langkah = b.induk_siasn, 0
        while node is not None and langkah <= len(di_berkas):
            if node == b.siasn_id:
                err(impor.Galat(b.nomor, LABEL["diatasan"], "DiatasanId membentuk lingkaran."))
                break
            nxt = di_berkas.get(node)
            node = nxt.induk_siasn if nxt else None
            langkah += 1
    if plan.galat:
        return plan
    siasn_of_unit = {u.pk: u.siasn_id for u in units}
    for b in plan.baris:
        u = by_id.get(b.unit_id) if b.unit_id else None
        if b.jabatan_id is None and b.nama_jabatan and not b.jenis_jabatan:
            b.jenis_jabatan = KEDALAMAN[min(_kedalaman(b, di_berkas, by_siasn, by_id), 3)]
            b.tebakan = True
        if u is None:
            b.status = "baru"
            continue
        if u.nama != b.nama:
            b.perubahan.append("Nama")
        induk_sekarang = siasn_of_unit.get(u.induk_id) if u.induk_id else None
        if induk_sekarang != b.induk_siasn and not (
            b.induk_siasn is None and b.diatasan and u.induk_id
        ):
            b.perubahan.append("Induk")
        j = jab_by_pk.get(b.jabatan_id) if b.jabatan_id else None
        if b.nama_jabatan and (j is None or j.nama != b.nama_jabatan or j.siasn_id != b.siasn_id):
            b.perubahan.append("Jabatan kepala")
        b.status = "diubah" if b.perubahan else "tetap"
    return plan


def _kedalaman(b: BarisUnor, di_berkas: dict, by_siasn: dict, by_id: dict) -> int:
    n, node = 0, b.induk_siasn
    while node is not None and n < 10:
        n += 1
        if node in di_berkas:
            node = di_berkas[node].induk_siasn
        else:
            u = by_siasn.get(node)
            parent = by_id.get(u.induk_id) if u and u.induk_id else None
            node = parent.siasn_id if parent else None
    return n


@layanan
@transaction.atomic
def unor_impor_terapkan(*, user: Any, instansi: Instansi, data: bytes, jenis: str) -> RencanaUnor:
    """Check the file again and, when every row is right, write it: new units level by level
    (parents first), renamed and moved units, head positions; then who rates whom. All or
    nothing; rows that did not change are not written."""
    policy.require(user, "import", instansi)
    rows, galat = baca(data, jenis)
    if galat:
        return RencanaUnor(galat=galat)
    Instansi.objects.select_for_update().filter(pk=instansi.pk).first()
    plan = periksa(instansi=instansi, rows=rows)
    if plan.galat:
        return plan
    kerja = [b for b in plan.baris if b.status != "tetap"]
    if not kerja:
        return plan
    units = {
        u.siasn_id: u for u in UnitKerja.objects.filter(instansi=instansi, siasn_id__isnull=False)
    }
    matched = UnitKerja.objects.in_bulk([b.unit_id for b in plan.baris if b.unit_id])
    for b in plan.baris:
        if b.unit_id:
            units[b.siasn_id] = matched[b.unit_id]
    # New units, level by level so each parent has its id before its children.
    sisa = [b for b in kerja if b.status == "baru"]
    while sisa:
        siap = [b for b in sisa if b.induk_siasn is None or b.induk_siasn in units]
        if not siap:  # cannot happen after the cycle check; never loop forever
            break
        baru = [
            UnitKerja(
                instansi=instansi,
                nama=b.nama,
                siasn_id=b.siasn_id,
                induk_id=units[b.induk_siasn].pk if b.induk_siasn else None,
            )
            for b in siap
        ]
        for u in bulk_create_with_history(baru, UnitKerja, batch_size=1000, default_user=user):
            units[u.siasn_id] = u
        done = {b.siasn_id for b in siap}
        sisa = [b for b in sisa if b.siasn_id not in done]
    ubah = []
    dipindah: set[str] = set()
    for b in kerja:
        if b.status != "diubah":
            continue
        u = units[b.siasn_id]
        induk = units[b.induk_siasn].pk if b.induk_siasn else u.induk_id
        if "Induk" in b.perubahan:
            dipindah.add(b.siasn_id)
            induk = units[b.induk_siasn].pk if b.induk_siasn else None
        if (u.nama, u.induk_id, u.siasn_id) != (b.nama, induk, b.siasn_id):
            u.nama, u.induk_id, u.siasn_id = b.nama, induk, b.siasn_id
            u.row_version += 1
            ubah.append(u)
    if ubah:
        bulk_update_with_history(
            ubah, UnitKerja, ["nama", "induk", "siasn_id", "row_version"], default_user=user
        )
    _kepala(instansi, plan, kerja, units, dipindah, user)
    services.penilai_refresh(instansi=instansi, oleh=user)
    return plan


def _kepala(
    instansi: Instansi,
    plan: RencanaUnor,
    kerja: list[BarisUnor],
    units: dict[str, UnitKerja],
    dipindah: set[str],
    user: Any,
) -> None:
    """Head positions: created (reporting to the parent's head), renamed, linked, re-pointed
    when their unit moved."""
    jab = Jabatan.objects.in_bulk([b.jabatan_id for b in plan.baris if b.jabatan_id])
    kepala = {b.siasn_id: jab[b.jabatan_id] for b in plan.baris if b.jabatan_id}
    sisa = [b for b in kerja if b.nama_jabatan and b.jabatan_id is None]
    while sisa:
        # Parents' heads first, so each new head reports to an existing position.
        menunggu = {b.siasn_id for b in sisa}
        siap = [b for b in sisa if b.induk_siasn not in menunggu] or sisa
        baru = []
        for b in siap:
            atasan = kepala.get(b.induk_siasn) if b.induk_siasn else None
            baru.append(
                Jabatan(
                    unit_kerja=units[b.siasn_id],
                    nama=b.nama_jabatan,
                    jenis=b.jenis_jabatan or Jabatan.Jenis.PENGAWAS,
                    kepala_unit=True,
                    siasn_id=b.siasn_id,
                    atasan_id=atasan.pk if atasan else None,
                )
            )
        for j in bulk_create_with_history(baru, Jabatan, batch_size=1000, default_user=user):
            kepala[j.siasn_id] = j
        done = {b.siasn_id for b in siap}
        sisa = [b for b in sisa if b.siasn_id not in done]
    ubah = []
    for b in kerja:
        j = kepala.get(b.siasn_id)
        if j is None or b.jabatan_id is None or not b.nama_jabatan:
            continue
        want_atasan = j.atasan_id
        if b.siasn_id in dipindah:
            atasan = kepala.get(b.induk_siasn) if b.induk_siasn else None
            want_atasan = atasan.pk if atasan else None
        if (j.nama, j.siasn_id, j.atasan_id) != (b.nama_jabatan, b.siasn_id, want_atasan):
            j.nama, j.siasn_id, j.atasan_id = b.nama_jabatan, b.siasn_id, want_atasan
            j.row_version += 1
            ubah.append(j)
    if ubah:
        bulk_update_with_history(
            ubah, Jabatan, ["nama", "siasn_id", "atasan", "row_version"], default_user=user
        )


def ringkasan(plan: RencanaUnor, nama: str) -> str:
    if plan.galat:
        g = plan.galat[0]
        return (
            f"Impor {nama} dibatalkan, tidak ada data yang disimpan: {len(plan.galat)} "
            f"kesalahan, antara lain baris {g.baris} kolom {g.kolom}: {g.pesan}"
        )
    j = plan.jumlah
    return f"Impor unit {nama} selesai: {j['baru']} unit baru, {j['diubah']} diubah, {j['tetap']} tetap."


@jobs.handler("kinerja.impor_unor", label="Impor unit kerja dari SIASN")
def unor_impor_latar(
    job: Any, *, instansi_id: int, user_id: int, path: str, jenis: str, nama: str
) -> dict[str, Any]:
    """Background write of a large UNOR file (safe to retry: idempotent by SIASN id)."""
    from django.contrib.auth import get_user_model
    from django.core.files.storage import default_storage

    if not default_storage.exists(path):
        return {"pesan": "Berkas impor tidak ditemukan lagi; unggah ulang."}
    jobs.progress(job, 0, 1, f"Mengimpor {nama}")
    with default_storage.open(path, "rb") as fh:
        data = fh.read()
    plan = unor_impor_terapkan(
        user=get_user_model().objects.get(pk=user_id),
        instansi=Instansi.objects.get(pk=instansi_id),
        data=data,
        jenis=jenis,
    )
    pesan = ringkasan(plan, nama)
    jobs.progress(job, 1, 1, pesan)
    if not plan.galat:
        default_storage.delete(path)
    return {"pesan": pesan, **plan.jumlah}
