"""Pohon kinerja: the queries that build the tree level by level, its gaps, and the scope the policy
lets the user see (kinerja.policy.pohon).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse

from evaluasi.models import PenilaianRHK
from evaluasi.pohon.data import (
    KEDALAMAN_AWAL,
    KEDALAMAN_MAKS,
    PUNCAK_JENIS,
    Cakupan,
    Sel,
    Simpul,
    _rating_teks,
)
from kinerja import policy
from kinerja.models import Instansi, Pegawai, Periode, TimKerja
from kinerja.policy.pohon import pohon_akses, skp_terbuka_ids
from skp.models import SKP, MatriksPeranHasil, PeranHasil, RencanaHasilKerja


# --- queries --------------------------------------------------------------------------------
def _rhk_terkini(periode: Periode) -> QuerySet:
    return RencanaHasilKerja.objects.filter(skp__periode=periode, skp__terkini=True)


def _rhk_nodes(qs: QuerySet, periode: Periode) -> list[Simpul]:
    """One query: the rows with their owner, SKP, child counts and latest final periodic rating."""
    out = []
    for r in _rhk_nodes_qs(qs, periode):
        out.append(
            Simpul(
                id=r["id"],
                kunci=r["kunci"],
                rencana=r["rencana"],
                jenis=r["jenis"],
                pemilik_id=r["skp__pegawai_id"],
                pemilik_nama=r["skp__pegawai__nama"],
                pemilik_nip=r["skp__pegawai__nip"] or "",
                jabatan=r["skp__pegawai__jabatan__nama"] or "",
                unit_kerja_id=r["skp__pegawai__unit_kerja_id"],
                skp_id=r["skp_id"],
                skp_status=r["skp__status"],
                skp_versi=r["skp__versi"],
                peran_hasil_id=r["peran_hasil_id"],
                n_intervensi=r["n_intervensi"],
                n_sel=r["n_sel"],
                atasan_kunci=r["rhk_atasan__kunci"],
                rating=r.get("r_rating") or "",
                rating_urutan=r.get("r_urutan"),
                rating_teks=_rating_teks(periode, r.get("r_rating"), r.get("r_urutan")),
            )
        )
    return out


def _rhk_nodes_qs(qs: QuerySet, periode: Periode) -> QuerySet:
    anak = (
        _rhk_terkini(periode)
        .filter(rhk_atasan__kunci=OuterRef("kunci"))
        .order_by()
        .values("rhk_atasan__kunci")
        .annotate(c=Count("id"))
        .values("c")
    )
    sel = (
        PeranHasil.objects.filter(
            matriks__periode=periode,
            matriks__pemimpin_id=OuterRef("skp__pegawai_id"),
            kolom_kunci=OuterRef("kunci"),
            na=False,
        )
        .order_by()
        .values("kolom_kunci")
        .annotate(c=Count("id"))
        .values("c")
    )
    qs = qs.annotate(
        n_intervensi=Coalesce(Subquery(anak, output_field=IntegerField()), 0),
        n_sel=Coalesce(Subquery(sel, output_field=IntegerField()), 0),
    )
    fields = [
        "id",
        "kunci",
        "rencana",
        "jenis",
        "peran_hasil_id",
        "rhk_atasan__kunci",
        "skp_id",
        "skp__status",
        "skp__versi",
        "skp__pegawai_id",
        "skp__pegawai__nama",
        "skp__pegawai__nip",
        "skp__pegawai__jabatan__nama",
        "skp__pegawai__unit_kerja_id",
        "n_intervensi",
        "n_sel",
    ]
    terakhir = (
        PenilaianRHK.objects.filter(
            rhk_kunci=OuterRef("kunci"),
            evaluasi__pegawai_id=OuterRef("skp__pegawai_id"),
            evaluasi__periode_id=periode.pk,
            evaluasi__jenis="periodik",
            evaluasi__status="final",
        )
        .exclude(rating="")
        .order_by("-evaluasi__urutan")
    )
    qs = qs.annotate(
        r_rating=Subquery(terakhir.values("rating")[:1]),
        r_urutan=Subquery(terakhir.values("evaluasi__urutan")[:1]),
    )
    fields += ["r_rating", "r_urutan"]
    return qs.order_by("skp__pegawai__nama", "jenis", "urutan", "id").values(*fields)


def muat_anak(periode: Periode, induk: list[Simpul]) -> None:
    """Fill `sel` and `anak` of every parent in `induk` (one level): two queries in all.

    Everyone who intervenes a node is drawn under it, also in a leader's view and also from
    another unit: they are part of that node's cascade."""
    induk = [n for n in induk if not n.dimuat]
    if not induk:
        return
    kuncis = {n.kunci for n in induk}
    rows = _rhk_nodes(_rhk_terkini(periode).filter(rhk_atasan__kunci__in=kuncis), periode)
    cells = list(
        PeranHasil.objects.filter(
            matriks__periode=periode,
            matriks__pemimpin_id__in={n.pemilik_id for n in induk},
            kolom_kunci__in=kuncis,
            na=False,
        )
        .order_by("anggota__nama", "urutan", "id")
        .values(
            "id",
            "matriks_id",
            "matriks__pemimpin_id",
            "kolom_kunci",
            "peran_hasil",
            "anggota_id",
            "anggota__nama",
        )
    )
    per_kunci: dict[Any, list[Simpul]] = {}
    for r in rows:
        per_kunci.setdefault(r.atasan_kunci, []).append(r)
    sel_per_kolom: dict[tuple[int, Any], list[dict]] = {}
    for c in cells:
        sel_per_kolom.setdefault((c["matriks__pemimpin_id"], c["kolom_kunci"]), []).append(c)
    for n in induk:
        anak = per_kunci.get(n.kunci, [])
        for a in anak:
            a.tingkat = n.tingkat + 1
        n.sel = []
        by_cell: dict[int, Sel] = {}
        for c in sel_per_kolom.get((n.pemilik_id, n.kunci), []):
            s = Sel(
                id=c["id"],
                matriks_id=c["matriks_id"],
                peran_hasil=c["peran_hasil"],
                anggota_id=c["anggota_id"],
                anggota_nama=c["anggota__nama"],
            )
            by_cell[s.id] = s
            n.sel.append(s)
        langsung = []
        for a in anak:
            s = by_cell.get(a.peran_hasil_id)
            if s is not None:
                s.anak.append(a)
                s.diterapkan = True
            else:
                langsung.append(a)
        n.anak = langsung


def _semua_simpul(akar: Iterable[Simpul]) -> Iterable[Simpul]:
    for n in akar:
        yield n
        for s in n.sel or []:
            yield from _semua_simpul(s.anak)
        yield from _semua_simpul(n.anak or [])


def pohon_bangun(
    periode: Periode,
    akar: list[Simpul],
    kedalaman: int = KEDALAMAN_AWAL,
    *,
    anggaran: int | None = None,
    wajib: int = 0,
) -> None:
    """Load up to `kedalaman` levels, roots counting as level 1 (two queries per level).

    With `anggaran`, a level is loaded only while the nodes it would add (known beforehand from
    the counts on its parents) fit in the budget; the first `wajib` levels below the roots are
    loaded regardless. Unloaded nodes stay lazy (htmx). A cycle in the data is cut.
    """
    tingkat = list(akar)
    seen = {n.id for n in tingkat}
    for level in range(min(kedalaman, KEDALAMAN_MAKS) - 1):
        if not tingkat:
            break
        if anggaran is not None and level >= wajib:
            perkiraan = sum(n.n_intervensi + n.n_sel for n in tingkat)
            if perkiraan > anggaran:
                break
            anggaran -= perkiraan
        muat_anak(periode, tingkat)
        nxt = []
        for n in tingkat:
            n.anak = [a for a in n.anak or [] if a.id not in seen]
            for s in n.sel or []:
                s.anak = [a for a in s.anak if a.id not in seen]
            for a in [*n.anak, *(x for s in n.sel or [] for x in s.anak)]:
                seen.add(a.id)
                nxt.append(a)
        tingkat = nxt


def _puncak_q(prefix: str) -> Q:
    """The top of the instansi: rated by the pimpinan instansi (a non-ASN Kepala Daerah or
    minister), or by nobody in the application."""
    p = f"{prefix}__"
    return (
        Q(**{f"{p}pejabat_penilai__isnull": True})
        | Q(**{f"{p}pejabat_penilai__jabatan__jenis__in": PUNCAK_JENIS})
        | Q(**{f"{p}pejabat_penilai__jenis_asn": Pegawai.JenisASN.PEJABAT_NEGARA})
    )


def akar(c: Cakupan) -> list[Simpul]:
    """The roots of the requested tree (one query)."""
    if c.periode is None:
        return []
    qs = _rhk_terkini(c.periode)
    if c.jenis == "pemimpin":
        qs = qs.filter(skp__pegawai_id=c.pemimpin.pk)
    elif c.jenis == "unit":
        # The top of the unit: its pegawai rated by someone outside the unit (the head, or
        # whoever reports upward while the head's seat is vacant).
        qs = qs.filter(skp__pegawai__unit_kerja_id__in=c.unit_ids).exclude(
            skp__pegawai__pejabat_penilai__unit_kerja_id__in=c.unit_ids
        )
    else:
        qs = qs.filter(skp__pegawai__instansi_id=c.instansi.pk).filter(
            _puncak_q("skp__pegawai"), rhk_atasan__isnull=True
        )
    return _rhk_nodes(qs, c.periode)


# --- gaps -----------------------------------------------------------------------------------
def _ada_intervensi(periode: Periode) -> Exists:
    return Exists(_rhk_terkini(periode).filter(rhk_atasan__kunci=OuterRef("kunci")))


def _pemimpin_q(prefix: str) -> Q:
    """Owner rates someone active, or leads an active team with members."""
    p = f"{prefix}__" if prefix else ""
    rates = Exists(
        Pegawai.objects.filter(pejabat_penilai_id=OuterRef(f"{p}id")).exclude(
            status=Pegawai.Status.BERHENTI
        )
    )
    tim = Exists(
        TimKerja.objects.filter(ketua_id=OuterRef(f"{p}id"), aktif=True, anggota__isnull=False)
    )
    return Q(rates) | Q(tim)


JENIS_CELAH = ("tanpa_kontribusi", "tanpa_intervensi", "tanpa_skp", "matriks")


def _ambil(qs: QuerySet, kolom: list[str], batas: int | None) -> tuple[list[dict], int]:
    """Rows (at most `batas`) and the total, in one query (a window count over the filter)."""
    qs = qs.annotate(jumlah_total=Window(Count("id"))).values(*kolom, "jumlah_total")
    rows = list(qs[:batas] if batas else qs)
    return rows, (rows[0]["jumlah_total"] if rows else 0)


def celah(
    c: Cakupan, *, batas: int | None = None, tautan: bool = True, user: Any = None
) -> dict[str, Any]:
    """The four kinds of gap in the scope: lists of dicts (each with a `tautan` to the page that
    fixes it and a `tautan_label`), at most `batas` per kind, and `jumlah` = the full counts.
    Five queries whatever the size, plus one with `user`: a link to an SKP the user may not
    open (a leader higher up sees the gap, not the SKP) is left out, as in the tree."""
    hasil: dict[str, Any] = {k: [] for k in JENIS_CELAH}
    hasil["jumlah"] = dict.fromkeys(JENIS_CELAH, 0)
    p = c.periode
    if p is None:
        return hasil
    url = _url if tautan else (lambda *a: "")
    base = (
        _rhk_terkini(p)
        .filter(jenis=RencanaHasilKerja.Jenis.UTAMA)
        .filter(c.pegawai_q("skp__pegawai"))
    )
    kolom = ["id", "rencana", "skp_id", "skp__pegawai_id", "skp__pegawai__nama"]
    n = hasil["jumlah"]
    # 1. A leader's hasil kerja nobody contributes to; the fix is their matrix.
    matriks_bawahan = MatriksPeranHasil.objects.filter(
        periode=p, tim__isnull=True, pemimpin_id=OuterRef("skp__pegawai_id")
    )
    rows, n["tanpa_kontribusi"] = _ambil(
        base.filter(_pemimpin_q("skp__pegawai"))
        .exclude(_ada_intervensi(p))
        .annotate(matriks_id=Subquery(matriks_bawahan.values("id")[:1]))
        .order_by("skp__pegawai__nama", "urutan", "id"),
        [*kolom, "matriks_id"],
        batas,
    )
    for r in rows:
        mid = r["matriks_id"]
        r["tautan"] = (url("skp:matriks", mid) if mid else url("skp:matriks_index")) or url(
            "skp:detail", r["skp_id"]
        )
        r["tautan_label"] = "Isi matriks peran-hasil" if mid else "Buat matriks peran-hasil"
    hasil["tanpa_kontribusi"] = rows
    # 2. A pegawai hasil kerja that intervenes nothing above (the top level excepted), or
    #    intervenes a leader's row that is no longer in the leader's current SKP.
    # One NOT EXISTS: with no rhk_atasan its kunci is NULL and nothing matches, so it also
    # covers "intervenes nothing". Written as `atasan IS NULL OR NOT EXISTS`, PostgreSQL
    # hashed every rencana hasil kerja of the province for each request (bench/temuan.md).
    atasan_ada = Exists(_rhk_terkini(p).filter(kunci=OuterRef("rhk_atasan__kunci")))
    rows, n["tanpa_intervensi"] = _ambil(
        base.exclude(_puncak_q("skp__pegawai"))
        .exclude(skp__jenis=SKP.Jenis.TUGAS_BELAJAR)
        .filter(~atasan_ada)
        .order_by("skp__pegawai__nama", "urutan", "id"),
        [*kolom, "rhk_atasan_id"],
        batas,
    )
    for r in rows:
        r["tautan"] = url("skp:detail", r["skp_id"])
        r["tautan_label"] = "Pilih hasil kerja pimpinan yang diintervensi"
        r["alasan"] = (
            "Tidak mengintervensi hasil kerja pimpinan"
            if r["rhk_atasan_id"] is None
            else "Hasil kerja pimpinan yang diintervensi sudah tidak ada di SKP terkini pimpinan"
        )
    hasil["tanpa_intervensi"] = rows
    # 3. Pegawai (ASN, not stopped) with no approved SKP for the year.
    terkini = SKP.objects.filter(pegawai_id=OuterRef("id"), periode=p, terkini=True)
    disetujui = SKP.objects.filter(
        pegawai_id=OuterRef("id"), periode=p, status=SKP.Status.DISETUJUI
    )
    rows, n["tanpa_skp"] = _ambil(
        Pegawai.objects.filter(c.pegawai_q(""))
        .exclude(status=Pegawai.Status.BERHENTI)
        .exclude(jenis_asn=Pegawai.JenisASN.PEJABAT_NEGARA)
        .exclude(Exists(disetujui))
        .annotate(
            skp_id=Subquery(terkini.values("id")[:1]),
            skp_status=Subquery(terkini.values("status")[:1]),
        )
        .order_by("nama", "id"),
        ["id", "nama", "nip", "jabatan__nama", "skp_id", "skp_status"],
        batas,
    )
    for r in rows:
        if r["skp_id"]:
            r["tautan"] = url("skp:detail", r["skp_id"])
            r["tautan_label"] = {
                SKP.Status.DRAFT: "SKP masih draf",
                SKP.Status.DIAJUKAN: "Menunggu persetujuan pejabat penilai",
            }.get(r["skp_status"], "Buka SKP")
        else:
            r["tautan"] = url("skp:index")
            r["tautan_label"] = "Belum menyusun SKP"
    hasil["tanpa_skp"] = rows
    # 4. Matrices not yet applied (never, or edited since), with at least one filled cell.
    rows, n["matriks"] = _ambil(
        MatriksPeranHasil.objects.filter(periode=p)
        .filter(c.pegawai_q("pemimpin"))
        .filter(Exists(PeranHasil.objects.filter(matriks_id=OuterRef("id"), na=False)))
        .filter(Q(diterapkan_pada__isnull=True) | Q(diperbarui__gt=F("diterapkan_pada")))
        .order_by("pemimpin__nama", "id"),
        ["id", "pemimpin_id", "pemimpin__nama", "tim__nama", "diterapkan_pada"],
        batas,
    )
    for m in rows:
        m["tautan"] = url("skp:matriks", m["id"]) or url("skp:matriks_index")
        m["tautan_label"] = "Terapkan matriks"
    hasil["matriks"] = rows
    if user is not None and tautan:
        _saring_tautan_skp(user, hasil)
    return hasil


def _saring_tautan_skp(user: Any, hasil: dict[str, Any]) -> None:
    baris = [r for k in ("tanpa_intervensi", "tanpa_skp") for r in hasil[k] if r.get("skp_id")]
    terbuka = skp_terbuka_ids(user, {r["skp_id"] for r in baris})
    for r in baris:
        if r["skp_id"] not in terbuka and r["tautan"] == _url("skp:detail", r["skp_id"]):
            r["tautan"] = ""


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=[a for a in args if a is not None])
    except NoReverseMatch:
        return ""


# --- access (decided by kinerja.policy.pohon) -----------------------------------------------
def _periode(instansi: Instansi, tahun: str | None) -> Periode | None:
    qs = Periode.objects.filter(instansi=instansi).order_by("-tahun")
    if tahun and tahun.isdigit():
        return qs.filter(tahun=int(tahun)).first()
    return qs.exclude(status=Periode.Status.DITUTUP).first() or qs.first()


def cakupan_untuk(
    user: Any,
    *,
    unit_id: int | None = None,
    tahun: str | None = None,
    instansi_id: str | None = None,
) -> Cakupan:
    """What this user asked for and may see (the policy decides), or raise Http404."""
    akses = pohon_akses(user, unit_id=unit_id, instansi_id=instansi_id)
    periode = _periode(akses.instansi, tahun)
    unit_ids = set(akses.unit_ids) if akses.unit_ids is not None else None
    pegawai_ids = set(akses.pegawai_ids) if akses.pegawai_ids is not None else None
    if akses.admin or akses.unit is not None:
        return Cakupan(
            jenis="unit" if akses.unit else "instansi",
            instansi=akses.instansi,
            periode=periode,
            unit=akses.unit,
            unit_ids=unit_ids,
            pegawai_ids=pegawai_ids,
            admin=akses.admin,
        )
    return Cakupan(
        jenis="pemimpin",
        instansi=akses.instansi,
        periode=periode,
        pemimpin=Pegawai.objects.select_related("jabatan").get(pk=akses.pemimpin_id),
        pegawai_ids=pegawai_ids,
    )


def simpul_untuk(user: Any, rhk_id: int) -> tuple[Simpul, Periode]:
    """One node, if the policy lets the user see it (kinerja.policy.pohon); otherwise 404."""
    rhk = policy.get_for_user(
        user,
        RencanaHasilKerja.objects.filter(skp__terkini=True).select_related("skp__periode"),
        action="pohon",
        pk=rhk_id,
    )
    periode = rhk.skp.periode
    nodes = _rhk_nodes(RencanaHasilKerja.objects.filter(pk=rhk.pk), periode)
    return nodes[0], periode


# --- views ----------------------------------------------------------------------------------
def _tandai_akses(user: Any, akar: list[Simpul]) -> None:
    """Set `boleh_buka` on every loaded node: may the viewer open the owner's SKP page? The SKP
    policy itself answers, for all loaded nodes in one query (a leader higher up sees the node
    in the tree but not the SKP)."""
    semua = list(_semua_simpul(akar))
    terbuka = skp_terbuka_ids(user, {n.skp_id for n in semua})
    for n in semua:
        n.boleh_buka = n.skp_id in terbuka
