"""The evaluation itself: start, rate, finalise, reopen, change after a keberatan, issue its document.

The predikat is never taken from the caller: `_hitung` derives it from the two ratings with the
quadrant (`rules.predikat`) on every save, finalisation and keberatan decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from evaluasi import jendela, rules
from evaluasi.models import (
    CatatanPerilaku,
    Evaluasi,
    Jenis,
    JustifikasiDistribusi,
    Keberatan,
    PembukaanKembali,
    PenilaianRHK,
)
from evaluasi.services._common import _periode_terbuka, _require
from evaluasi.services.distribusi import (
    _justifikasi_ada,
    distribusi_peringatan_tim,
    kinerja_organisasi_untuk,
)
from kinerja import jobs, masa, policy, waktu
from kinerja.models import Pegawai, Periode
from kinerja.notifikasi import kabari
from kinerja.riwayat import layanan
from kinerja.versi import cek_versi


# --- evaluation ----------------------------------------------------------------------------
def kepala_unit(pegawai: Pegawai) -> bool:
    """The pegawai heads their unit: their rating hasil kerja is the unit's Kinerja Organisasi."""
    return bool(pegawai.jabatan_id and pegawai.jabatan.kepala_unit)


def _skp_disetujui(pegawai: Pegawai, periode: Periode, tanggal=None):
    """The approved SKP an evaluation rests on: the one in force on `tanggal` (the end of the
    part rated), else the latest approved of the year."""
    from skp.selectors import skp_disetujui, skp_pada

    if tanggal is not None:
        skp = skp_pada(pegawai=pegawai, periode=periode, tanggal=tanggal)
        if skp is not None:
            return skp
    return skp_disetujui(pegawai=pegawai, periode=periode)


def _bagian_untuk(user: Any, pegawai: Pegawai, w: jendela.Window) -> masa.Bagian:
    """The part of window `w` the user rates (domain.md, "The organisation over time"): a
    periodic window is rated by whoever held the pegawai in it, a window cut by a TMT by each
    penilai for their part. The AKHIR evaluation is the penilai's in place at year end. Someone
    who held no part of the window is refused."""
    saya = policy.actor(user).pegawai_id
    bagian = [] if w.jenis == Jenis.TAHUNAN else masa.bagian_dalam(pegawai.pk, w.mulai, w.selesai)
    if not bagian:
        # The AKHIR evaluation, or no record of who rated when (rows written before dated
        # positions): the penilai now.
        if saya is None or saya != pegawai.pejabat_penilai_id:
            raise PermissionDenied(
                f"Evaluasi {w.label} dibuat oleh pejabat penilai pegawai ini saat ini."
            )
        return masa.Bagian(
            pegawai.pk,
            pegawai.pejabat_penilai_id,
            pegawai.atasan_pejabat_penilai_id,
            w.mulai,
            w.selesai,
        )
    milik = [b for b in bagian if saya is not None and b.pejabat_penilai_id == saya]
    if not milik:
        raise PermissionDenied(
            f"Anda bukan pejabat penilai pegawai ini pada {w.label}; evaluasi jendela itu dibuat "
            "oleh pejabat penilai yang menilainya saat itu."
        )
    b = milik[-1]
    if len(bagian) == 1:
        # The whole window under one penilai.
        return masa.Bagian(
            b.pegawai_id, b.pejabat_penilai_id, b.atasan_pejabat_penilai_id, w.mulai, w.selesai
        )
    return b


def _evaluasi_bagian(lookup: dict, b: masa.Bagian, w: jendela.Window) -> Evaluasi | None:
    """The evaluation of part `b` of the window, if it exists (rows without dates are the
    whole window's)."""
    qs = Evaluasi.objects.filter(**lookup)
    if w.jenis == Jenis.TAHUNAN:
        return qs.first()
    utuh = (b.mulai, b.selesai) == (w.mulai, w.selesai)
    return qs.filter(Q(mulai=b.mulai) | Q(mulai__isnull=True) if utuh else Q(mulai=b.mulai)).first()


@layanan
@transaction.atomic
def evaluasi_mulai(
    *,
    user: Any,
    pegawai: Pegawai,
    periode: Periode,
    jenis: str,
    urutan: int | None,
    baru: bool = False,
) -> Evaluasi:
    """Open (or, unless `baru`, return) the draft evaluation of a pegawai for a window.

    The penilai only: who may rate is asked before anything is read, so nobody else learns
    whether an evaluation exists. With `baru` (the API's create) an existing evaluation is a
    validation error naming its id: creating never overwrites.
    """
    w = jendela.dari_jenis(periode, jenis, urutan)
    _require(user, "nilai", pegawai, "Hanya pejabat penilai yang dapat mengevaluasi pegawai ini.")
    if pegawai.instansi_id != periode.instansi_id:
        raise ValidationError("Pegawai bukan bagian dari instansi periode ini.")
    b = _bagian_untuk(user, pegawai, w)
    if (
        w.jenis == Jenis.PERIODIK
        and w.urutan == jendela.terakhir(periode)
        and b.selesai >= w.selesai
    ):
        # The last window is rated once, as the AKHIR evaluation, by the penilai at year end;
        # only a former penilai's part of it (cut by a TMT) is a periodic evaluation of its own.
        jendela.cek_baru(periode, jenis, urutan)
    lookup = {"pegawai": pegawai, "periode": periode, "jenis": w.jenis, "urutan": w.urutan}
    ev = _evaluasi_bagian(lookup, b, w)
    if ev is None:
        _periode_terbuka(periode)
        try:
            # A savepoint: two first clicks at once meet the unique constraint, and the loser
            # gets the winner's row instead of a 500.
            with transaction.atomic():
                return Evaluasi.objects.create(
                    **lookup,
                    mulai=b.mulai,
                    selesai=b.selesai,
                    skp=_skp_disetujui(pegawai, periode, b.selesai),
                    pejabat_penilai_id=b.pejabat_penilai_id,
                    atasan_pejabat_penilai_id=b.atasan_pejabat_penilai_id,
                )
        except IntegrityError:
            ev = _evaluasi_bagian(lookup, b, w)
    if baru:
        raise ValidationError(
            {
                "non_field_errors": [
                    f"Evaluasi {w.label} untuk pegawai ini sudah ada (id {ev.pk}); "
                    "ubah evaluasi itu, jangan membuat yang baru."
                ]
            }
        )
    return ev


def _umpan_balik_jenis(ev: Evaluasi) -> list[str]:
    from dialog.models import UmpanBalik

    qs = UmpanBalik.objects.filter(penerima_id=ev.pegawai_id, periode_id=ev.periode_id)
    if ev.jenis == Jenis.PERIODIK:
        qs = qs.filter(urutan=ev.urutan)
    return list(qs.values_list("jenis", flat=True))


def _rhk_info(ev: Evaluasi) -> dict[str, tuple[str, str]]:
    """kunci -> (jenis, rencana) of the evaluated SKP's rencana hasil kerja."""
    if not ev.skp_id:
        return {}
    from skp.models import RencanaHasilKerja

    return {
        str(k): (j, r)
        for k, j, r in RencanaHasilKerja.objects.filter(skp_id=ev.skp_id).values_list(
            "kunci", "jenis", "rencana"
        )
    }


def _saran(ev: Evaluasi) -> rules.Saran:
    if ev.predikat_ipk:
        r = rules.rating_hasil_dari_predikat_ipk(ev.predikat_ipk)
        return rules.Saran(r, (f"Tugas belajar: IPK {ev.ipk} berpredikat {ev.predikat_ipk}.",))
    rows = [(p.jenis, p.rating or None) for p in ev.rhk_set.all()]
    return rules.saran_rating_hasil(rows, _umpan_balik_jenis(ev))


def _hitung(ev: Evaluasi) -> None:
    """Derive the stored predikat from the two ratings (the quadrant), or clear it."""
    if ev.rating_hasil_kerja and ev.rating_perilaku_kerja:
        ev.predikat = rules.predikat(ev.rating_hasil_kerja, ev.rating_perilaku_kerja)
    else:
        ev.predikat = ""


def _rating_kepala(ev: Evaluasi) -> str | None:
    """For a unit head: the rating hasil kerja their unit's Kinerja Organisasi gives, if set."""
    if not kepala_unit(ev.pegawai):
        return None
    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
    ko = kinerja_organisasi_untuk(ev.pegawai.unit_kerja_id, ev.periode, w)
    return rules.rating_hasil_dari_organisasi(ko.predikat) if ko else ""


def _ipk(ev: Evaluasi, ipk: Any) -> None:
    if ipk in (None, ""):
        ev.ipk, ev.predikat_ipk = None, ""
        return
    try:
        value = Decimal(str(ipk).replace(",", "."))
        # Graded on the value that is stored (two decimals): a typed 3,509 is kept and graded
        # as 3,51.
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationError({"ipk": ["IPK harus berupa angka, misalnya 3,45."]}) from None
    skp = ev.skp
    if skp is None or not skp.is_tugas_belajar:
        raise ValidationError({"ipk": ["IPK hanya diisi untuk pegawai tugas belajar."]})
    from skp.rules import predikat_ipk

    try:
        ev.predikat_ipk = predikat_ipk(
            value,
            jenjang=skp.tb_jenjang,
            lokasi=skp.tb_lokasi,
            akreditasi_univ=skp.tb_akreditasi_univ,
        )
    except (ValueError, KeyError) as exc:
        raise ValidationError({"ipk": [f"IPK tidak dapat dinilai: {exc}"]}) from None
    ev.ipk = value


def _cek_kode(field: str, value: str) -> str:
    value = (value or "").strip()
    if value and value not in rules.RATING:
        raise ValidationError({field: ["Pilih Di Atas, Sesuai, atau Di Bawah Ekspektasi."]})
    return value


def _lock(ev: Evaluasi) -> Evaluasi:
    return (
        Evaluasi.objects.select_for_update(of=("self",))
        .select_related("pegawai__jabatan", "periode", "skp")
        .get(pk=ev.pk)
    )


@layanan
@transaction.atomic
def evaluasi_simpan(
    *,
    user: Any,
    evaluasi: Evaluasi,
    row_version: int | None,
    rating_hasil_kerja: str = "",
    rating_perilaku_kerja: str = "",
    alasan_ubah_rating: str = "",
    catatan: str = "",
    penilaian_rhk: Mapping[str, tuple[str, str]] | None = None,
    catatan_perilaku: Mapping[str, str] | None = None,
    ipk: Any = None,
) -> Evaluasi:
    """Save the penilai's ratings (draft). A save based on a stale `row_version` is refused and
    the earlier change kept."""
    ev = _lock(evaluasi)
    _require(user, "nilai", ev)
    _periode_terbuka(ev.periode)
    cek_versi(ev, row_version)
    # A draft follows the latest approved SKP version (ratings are kept by RHK kunci).
    terbaru = _skp_disetujui(ev.pegawai, ev.periode, ev.selesai)
    if terbaru is not None and terbaru.pk != ev.skp_id:
        ev.skp = terbaru
    errors: dict[str, list[str]] = {}
    try:
        h = _cek_kode("rating_hasil_kerja", rating_hasil_kerja)
        p = _cek_kode("rating_perilaku_kerja", rating_perilaku_kerja)
    except ValidationError as exc:
        raise exc
    info = _rhk_info(ev)
    for kunci, (rating, cat) in (penilaian_rhk or {}).items():
        kunci = str(kunci)
        if kunci not in info:
            errors.setdefault("penilaian_rhk", []).append(
                "Rencana hasil kerja tidak termasuk SKP yang dievaluasi."
            )
            continue
        rating = _cek_kode("penilaian_rhk", rating)
        jenis_rhk, rencana = info[kunci]
        PenilaianRHK.objects.update_or_create(
            evaluasi=ev,
            rhk_kunci=kunci,
            defaults={
                "rating": rating,
                "catatan": (cat or "").strip(),
                "jenis": jenis_rhk,
                "rencana": rencana,
            },
        )
    from skp.rules import BERAKHLAK_KODE

    for nilai, cat in (catatan_perilaku or {}).items():
        if nilai not in BERAKHLAK_KODE:
            errors.setdefault("catatan_perilaku", []).append(
                f"Nilai BerAKHLAK tidak dikenal: {nilai}"
            )
            continue
        CatatanPerilaku.objects.update_or_create(
            evaluasi=ev, nilai=nilai, defaults={"catatan": (cat or "").strip()}
        )
    if ipk is not None:
        _ipk(ev, ipk)
    saran = _saran(ev)
    ev.saran_rating_hasil_kerja = saran.rating or ""
    kepala = _rating_kepala(ev)
    if kepala is not None:
        # A unit head's rating hasil kerja is not typed: it is the unit's Kinerja Organisasi.
        h = kepala
    ev.rating_hasil_kerja = h
    ev.rating_perilaku_kerja = p
    ev.alasan_ubah_rating = alasan_ubah_rating.strip()
    ev.catatan = catatan.strip()
    if (
        kepala is None
        and h
        and ev.saran_rating_hasil_kerja
        and h != ev.saran_rating_hasil_kerja
        and not ev.alasan_ubah_rating
    ):
        errors.setdefault("alasan_ubah_rating", []).append(
            f"Rating hasil kerja berbeda dari saran ({rules.RATING_LABEL[ev.saran_rating_hasil_kerja]}); "
            "tuliskan alasannya."
        )
    if errors:
        raise ValidationError(errors)
    _hitung(ev)
    ev.row_version += 1
    ev.save()
    return ev


def _jendela_berakhir(ev: Evaluasi) -> None:
    """A periodic evaluation is finalised only after its window has ended (drafts may be
    written earlier)."""
    if ev.jenis != Jenis.PERIODIK:
        return
    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
    if waktu.hari_ini() <= w.selesai:
        raise ValidationError(
            f"Evaluasi {w.label} baru dapat difinalisasi setelah jendelanya berakhir "
            f"({rules.tanggal_label(w.selesai)}); sampai saat itu simpan sebagai draft."
        )


@layanan
@transaction.atomic
def evaluasi_finalisasi(
    *,
    user: Any,
    evaluasi: Evaluasi,
    row_version: int | None = None,
    justifikasi: str = "",
) -> Evaluasi:
    """Lock the evaluation. A distribution outside the guidance needs a recorded justification
    (once per team and window); it never blocks otherwise."""
    ev = _lock(evaluasi)
    _require(user, "finalisasi", ev)
    _periode_terbuka(ev.periode)
    cek_versi(ev, row_version)
    _jendela_berakhir(ev)
    kepala = _rating_kepala(ev)
    if kepala == "":
        raise ValidationError(
            {
                "rating_hasil_kerja": [
                    "Pegawai ini kepala unit: kinerja organisasi unitnya untuk jendela ini belum "
                    "ditetapkan, sehingga rating hasil kerja belum dapat ditentukan."
                ]
            }
        )
    if kepala:
        ev.rating_hasil_kerja = kepala
    missing = {}
    if not ev.rating_hasil_kerja:
        missing["rating_hasil_kerja"] = ["Rating hasil kerja belum diisi."]
    if not ev.rating_perilaku_kerja:
        missing["rating_perilaku_kerja"] = ["Rating perilaku kerja belum diisi."]
    if missing:
        raise ValidationError(missing)
    if (
        kepala is None
        and ev.saran_rating_hasil_kerja
        and ev.rating_hasil_kerja != ev.saran_rating_hasil_kerja
        and not ev.alasan_ubah_rating
    ):
        raise ValidationError(
            {"alasan_ubah_rating": ["Tuliskan alasan mengubah rating hasil kerja yang disarankan."]}
        )
    _hitung(ev)
    ev.save(update_fields=["rating_hasil_kerja", "predikat"])
    if ev.pejabat_penilai_id is None:
        ev.pejabat_penilai_id = ev.pegawai.pejabat_penilai_id
    org, pelanggaran = distribusi_peringatan_tim(ev)
    if pelanggaran and not _justifikasi_ada(ev):
        if not justifikasi.strip():
            raise ValidationError(
                {
                    "justifikasi": [
                        "Distribusi predikat tim Anda di luar pedoman untuk kinerja organisasi "
                        f"{rules.PREDIKAT_ORG_LABEL[org]}: "
                        + "; ".join(p.pesan for p in pelanggaran)
                        + ". Tuliskan justifikasi; evaluasi tetap dapat difinalisasi."
                    ]
                }
            )
        JustifikasiDistribusi.objects.create(
            periode_id=ev.periode_id,
            jenis=ev.jenis,
            urutan=ev.urutan,
            cakupan=JustifikasiDistribusi.Cakupan.TIM,
            unit_kerja_id=ev.pegawai.unit_kerja_id,
            pejabat_penilai_id=ev.pejabat_penilai_id,
            pelanggaran=[p.pesan for p in pelanggaran],
            isi=justifikasi.strip(),
            dibuat_oleh=user,
        )
    ev.status = Evaluasi.Status.FINAL
    ev.finalisasi_pada = timezone.now()
    if ev.pejabat_penilai_id:
        from kinerja.persetujuan import persetujuan_catat

        # The penilai's electronic approval of the result, shown on the document.
        persetujuan_catat(objek=ev, pegawai=ev.pejabat_penilai, peran="pejabat_penilai")
    ev.finalisasi_oleh = user
    ev.atasan_pejabat_penilai_id = (
        ev.atasan_pejabat_penilai_id or ev.pegawai.atasan_pejabat_penilai_id
    )
    ev.row_version += 1
    ev.save()
    kabari(
        ev.pegawai,
        jenis="evaluasi_final",
        pesan=f"Evaluasi kinerja Anda ({jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan).label}) "
        f"telah final: {rules.PREDIKAT_LABEL[ev.predikat]}.",
        tautan=reverse("evaluasi:detail", args=[ev.pk]),
        setelah_commit=True,
        label="Evaluasi kinerja difinalisasi",
    )
    jobs.enqueue(
        "evaluasi.pdf",
        kunci=f"evaluasi-pdf:{ev.pk}:v{ev.row_version}",
        user=user,
        evaluasi_id=ev.pk,
    )
    return ev


@layanan
@transaction.atomic
def evaluasi_buka_kembali(*, user: Any, evaluasi: Evaluasi, alasan: str) -> Evaluasi:
    """Reopen a final evaluation (instansi admin only), keeping the reason."""
    ev = _lock(evaluasi)
    _require(user, "buka_kembali", ev)
    _periode_terbuka(ev.periode)
    if ev.keberatan_set.exclude(status=Keberatan.Status.DIPUTUS).exists():
        # The atasan's decision on the keberatan is final; reopening under it would bypass it.
        raise ValidationError(
            "Evaluasi ini sedang dalam proses keberatan; tunggu keputusan atas keberatan "
            "sebelum membukanya kembali."
        )
    alasan = (alasan or "").strip()
    if not alasan:
        raise ValidationError({"alasan": ["Tuliskan alasan membuka kembali evaluasi."]})
    PembukaanKembali.objects.create(evaluasi=ev, oleh=user, alasan=alasan)
    from kinerja.persetujuan import persetujuan_cabut

    persetujuan_cabut(objek=ev, alasan=f"Evaluasi dibuka kembali: {alasan}")
    ev.status = Evaluasi.Status.DRAFT
    ev.alasan_buka_kembali = alasan
    ev.finalisasi_pada = None
    ev.row_version += 1
    ev.save()
    _dokumen_digantikan(ev)
    penilai = ev.pejabat_penilai
    kabari(
        penilai,
        jenis="evaluasi_dibuka_kembali",
        pesan=f"Evaluasi {ev.pegawai.nama} dibuka kembali oleh admin: {alasan[:200]}",
        tautan=reverse("evaluasi:nilai", args=[ev.pegawai_id, ev.jendela_kode]),
        setelah_commit=True,
        label="Evaluasi kinerja dibuka kembali",
    )
    return ev


@layanan
@transaction.atomic
def evaluasi_ganti_hasil(
    *,
    evaluasi: Evaluasi,
    rating_hasil_kerja: str,
    rating_perilaku_kerja: str,
    alasan: str,
    oleh: Any,
) -> Evaluasi:
    """Replace a final evaluation's ratings (a keberatan decided `diubah`).

    The caller (the keberatan service) has checked that `oleh` may decide. The predikat follows
    from the quadrant; the history keeps the earlier result; the issued document is superseded.
    """
    ev = _lock(evaluasi)
    _cek_kode("rating_hasil_kerja", rating_hasil_kerja)
    _cek_kode("rating_perilaku_kerja", rating_perilaku_kerja)
    if not (rating_hasil_kerja and rating_perilaku_kerja):
        raise ValidationError("Kedua rating wajib diisi.")
    ev.rating_hasil_kerja = rating_hasil_kerja
    ev.rating_perilaku_kerja = rating_perilaku_kerja
    ev.alasan_ubah_rating = (alasan or "").strip()
    _hitung(ev)
    ev._change_reason = f"keberatan: {ev.alasan_ubah_rating}"[:100]
    ev.row_version += 1
    ev.save()
    _dokumen_digantikan(ev)
    return ev


def _dokumen_digantikan(ev: Evaluasi) -> None:
    from django.contrib.contenttypes.models import ContentType

    from kinerja.models import Dokumen

    ct = ContentType.objects.get_for_model(Evaluasi)
    Dokumen.objects.filter(content_type=ct, object_id=ev.pk, digantikan=False).update(
        digantikan=True
    )


# --- documents -----------------------------------------------------------------------------
def _dokumen_terkini(ev: Evaluasi) -> bool:
    """The issued document was rendered from this row_version and nothing superseded it."""
    return bool(
        ev.dokumen_id and ev.dokumen_row_version == ev.row_version and not ev.dokumen.digantikan
    )


def evaluasi_dokumen_render(*, evaluasi: Evaluasi):
    """Issue the Dokumen Evaluasi Kinerja Pegawai PDF; a no-op when the current document was
    rendered from the same row_version (so the year-end close can run twice)."""
    from evaluasi.dokumen import evaluasi_pdf_render

    # periode and pegawai: the title and file name read them (no lazy queries per PDF).
    ev = Evaluasi.objects.select_related("dokumen", "periode", "pegawai").get(pk=evaluasi.pk)
    if _dokumen_terkini(ev):
        return ev.dokumen
    data, kode = evaluasi_pdf_render(ev)
    return _dokumen_evaluasi_simpan(ev, data, kode)


def evaluasi_dokumen_render_massal(
    *, evaluasi: Sequence[Evaluasi], setelah: Callable[[int], None] | None = None
) -> list:
    """`evaluasi_dokumen_render` for many evaluations (a unit's, at the year-end close): the
    documents not current are rendered in one WeasyPrint pass per KINERJA_PDF_PER_PASS of
    them (1: each alone), each file the same page for page as alone. Returns the documents in
    the order given; `setelah(n)` hears after each pass how many of them are done."""
    from django.conf import settings

    from evaluasi.dokumen import evaluasi_pdf_render_massal

    per_pass = max(settings.KINERJA_PDF_PER_PASS, 1)
    ids = [e.pk for e in evaluasi]
    rows = Evaluasi.objects.select_related("dokumen", "periode", "pegawai").in_bulk(ids)
    docs = {pk: rows[pk].dokumen for pk in ids if _dokumen_terkini(rows[pk])}
    usang = [rows[pk] for pk in ids if pk not in docs]
    for mulai in range(0, len(usang), per_pass):
        bagian = usang[mulai : mulai + per_pass]
        hasil = evaluasi_pdf_render_massal(bagian, per_pass=per_pass)
        for ev, (data, kode) in zip(bagian, hasil, strict=True):
            docs[ev.pk] = _dokumen_evaluasi_simpan(ev, data, kode)
        if setelah is not None:
            setelah(len(ids) - len(usang) + mulai + len(bagian))
    return [docs[pk] for pk in ids]


def _dokumen_evaluasi_simpan(ev: Evaluasi, data: bytes, kode: str):
    from django.contrib.contenttypes.models import ContentType

    from kinerja.models import Dokumen
    from kinerja.pdf import dokumen_simpan

    ct = ContentType.objects.get_for_model(Evaluasi)  # cached per process
    versi = Dokumen.objects.filter(content_type=ct, object_id=ev.pk).count() + 1
    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
    doc = dokumen_simpan(
        jenis=Dokumen.Jenis.EVALUASI,
        judul=f"Dokumen Evaluasi Kinerja Pegawai — {ev.pegawai.nama} — {w.label} {ev.periode.tahun}",
        data=data,
        nama_berkas=f"evaluasi-{ev.pegawai.nip or ev.pegawai_id}-{ev.periode.tahun}-{w.kode}.pdf",
        objek=ev,
        instansi_id=ev.pegawai.instansi_id,
        pegawai_id=ev.pegawai_id,
        versi=versi,
        kode=kode,
    )
    Evaluasi.objects.filter(pk=ev.pk).update(dokumen=doc, dokumen_row_version=ev.row_version)
    return doc
