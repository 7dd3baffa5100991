"""Keberatan (PP 30/2019 art. 59): filing, the examination thread, the decision."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from evaluasi import jendela, rules
from evaluasi.models import (
    Evaluasi,
    Keberatan,
    LampiranKeberatan,
    PenjelasanKeberatan,
)
from evaluasi.services._common import _require
from evaluasi.services.evaluasi import _dokumen_digantikan, _lock, evaluasi_ganti_hasil
from kinerja import jobs, policy
from kinerja.models import Pegawai
from kinerja.notifikasi import kabari
from kinerja.riwayat import layanan
from kinerja.versi import cek_versi

# --- keberatan (PP 30/2019 art. 59) ----------------------------------------------------------
MAKS_LAMPIRAN_KEBERATAN = 5


_TOLAK_KEBERATAN = {
    "ajukan": "Keberatan hanya dapat diajukan oleh pegawai yang dinilai atas evaluasinya sendiri.",
    "minta_penjelasan": "Hanya pejabat yang memutus keberatan ini yang dapat meminta penjelasan.",
    "jelaskan": "Penjelasan diberikan oleh pegawai atau pejabat penilai yang dimintai penjelasan.",
    "putuskan": "Hanya pejabat yang memutus keberatan ini yang dapat memutusnya; admin instansi "
    "hanya dapat melihat.",
}


def _waktu(t: dt.datetime) -> str:
    return rules.waktu_label(timezone.localtime(t), timezone.get_current_timezone_name())


def _label_evaluasi(ev: Evaluasi) -> str:
    return f"{jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan).label} {ev.periode.tahun}"


def _keberatan_require(user: Any, action: str, k: Keberatan) -> None:
    """The policy, with a message that says why: a decided keberatan is final."""
    if policy.can(user, action, k):
        return
    if not k.terbuka and policy.can(user, "view", k):
        raise PermissionDenied(
            f"Keberatan ini sudah diputus pada {_waktu(k.diputus_pada)}; keputusan tersebut "
            "final dan tidak dapat diubah."
        )
    raise PermissionDenied(_TOLAK_KEBERATAN[action])


def _keberatan_lock(k: Keberatan) -> Keberatan:
    return (
        Keberatan.objects.select_for_update(of=("self",))
        .select_related(
            "pegawai__instansi", "pemutus__user", "pejabat_penilai__user", "evaluasi__periode"
        )
        .get(pk=k.pk)
    )


def _pemutus_keberatan(ev: Evaluasi) -> tuple[Pegawai | None, str]:
    """Who decides (evaluasi.services.pemutus): never a refusal for want of a decider."""
    from evaluasi.services.pemutus import pemutus_untuk

    return pemutus_untuk(ev)


def _periksa_lampiran(berkas: Any):
    """The type of an attachment, judged by its content (dialog's upload rule)."""

    from dialog.rules import BYTES_DIPERIKSA, BerkasDitolak, periksa_berkas

    nama = getattr(berkas, "name", "") or ""
    berkas.seek(0)
    kepala = berkas.read(BYTES_DIPERIKSA)
    berkas.seek(0)
    try:
        return periksa_berkas(
            nama=nama,
            kepala=kepala,
            ukuran=getattr(berkas, "size", 0) or 0,
            batas=settings.KINERJA_UPLOAD_MAX_BYTES,
        )
    except BerkasDitolak as exc:
        raise ValidationError({"lampiran": [f"{nama}: {exc}"]}) from None


def _simpan_lampiran(k: Keberatan, berkas: Any, jenis: Any, user: Any) -> LampiranKeberatan:
    digest = hashlib.sha256()
    for chunk in berkas.chunks():
        digest.update(chunk)
    berkas.seek(0)
    nama = (getattr(berkas, "name", "") or "")[:255]
    obj = LampiranKeberatan(
        keberatan=k,
        nama_asli=nama,
        ekstensi=jenis.ekstensi,
        mime=jenis.mime,
        ukuran=berkas.size,
        sha256=digest.hexdigest(),
        diunggah_oleh=user,
    )
    obj.berkas.save("lampiran", berkas, save=False)
    try:
        obj.save()
    except Exception:
        obj.berkas.storage.delete(obj.berkas.name)
        raise
    return obj


def _evaluasi_tandai_keberatan(ev: Evaluasi, *, user: Any, alasan: str) -> Evaluasi:
    """The evaluation's document must now show the keberatan: a new row_version (history
    says why), the issued document superseded, and a new one rendered in the background."""
    ev.row_version += 1
    ev._change_reason = alasan[:100]
    ev.save(update_fields=["row_version", "diperbarui"])
    _dokumen_digantikan(ev)
    _evaluasi_pdf_baru(ev, user)
    return ev


def _evaluasi_pdf_baru(ev: Evaluasi, user: Any) -> None:
    jobs.enqueue(
        "evaluasi.pdf",
        kunci=f"evaluasi-pdf:{ev.pk}:v{ev.row_version}",
        user=user,
        evaluasi_id=ev.pk,
    )


@layanan
@transaction.atomic
def keberatan_ajukan(
    *, user: Any, evaluasi: Evaluasi, alasan: str, lampiran: Any = ()
) -> Keberatan:
    """File a keberatan against one's own final evaluation, within 14 days of the moment it
    became final (PP 30/2019 art. 59). It goes to the atasan pejabat penilai, or to the
    instansi's designee where there is none. One open keberatan per evaluation, and a decided
    one is final. Attachments are checked by their content; nothing is kept if refused."""
    ev = _lock(evaluasi)  # two filings of the same evaluation wait for each other
    _require(user, "ajukan", Keberatan(evaluasi=ev, pegawai_id=ev.pegawai_id))
    if not ev.is_final or ev.finalisasi_pada is None:
        raise ValidationError("Keberatan hanya dapat diajukan atas evaluasi yang sudah final.")
    sekarang = timezone.now()
    if not rules.keberatan_masih_dibuka(ev.finalisasi_pada, sekarang):
        batas = rules.batas_keberatan(ev.finalisasi_pada)
        raise ValidationError(f"Batas waktu keberatan berakhir pada {_waktu(batas)}.")
    for lama in ev.keberatan_set.all():
        if lama.terbuka:
            raise ValidationError(
                "Keberatan atas evaluasi ini masih diproses; tunggu keputusan atasan."
            )
        if lama.finalisasi_pada == ev.finalisasi_pada:
            raise ValidationError(
                f"Keberatan atas evaluasi ini telah diputus pada {_waktu(lama.diputus_pada)}; "
                "keputusan tersebut final."
            )
    alasan = (alasan or "").strip()
    if not alasan:
        raise ValidationError({"alasan": ["Tuliskan alasan keberatan Anda."]})
    berkas = [b for b in (lampiran or []) if b]
    if len(berkas) > MAKS_LAMPIRAN_KEBERATAN:
        raise ValidationError(
            {"lampiran": [f"Paling banyak {MAKS_LAMPIRAN_KEBERATAN} lampiran per keberatan."]}
        )
    diperiksa = [(b, _periksa_lampiran(b)) for b in berkas]
    pemutus, sumber = _pemutus_keberatan(ev)
    from kinerja.models import PengaturanPengingat

    hari = (
        PengaturanPengingat.objects.filter(instansi_id=ev.pegawai.instansi_id)
        .values_list("hari_putus_keberatan", flat=True)
        .first()
    ) or rules.BATAS_PUTUSAN_HARI
    k = Keberatan.objects.create(
        evaluasi=ev,
        pegawai_id=ev.pegawai_id,
        pejabat_penilai_id=ev.pejabat_penilai_id,
        pemutus=pemutus,
        sumber_pemutus=sumber,
        alasan=alasan,
        finalisasi_pada=ev.finalisasi_pada,
        rating_hasil_kerja_semula=ev.rating_hasil_kerja,
        rating_perilaku_kerja_semula=ev.rating_perilaku_kerja,
        predikat_semula=ev.predikat,
        diajukan=sekarang,
        batas_putusan=rules.batas_putusan(sekarang, hari),
    )
    tersimpan: list[LampiranKeberatan] = []
    try:
        for b, jenis in diperiksa:
            tersimpan.append(_simpan_lampiran(k, b, jenis, user))
    except Exception:
        for obj in tersimpan:
            obj.berkas.storage.delete(obj.berkas.name)
        raise
    _evaluasi_tandai_keberatan(ev, user=user, alasan="Keberatan diajukan")
    tautan = reverse("evaluasi:keberatan_detail", args=[k.pk])
    label = _label_evaluasi(ev)
    kabari(
        pemutus,
        jenis="keberatan_diajukan",
        pesan=f"{ev.pegawai.nama} mengajukan keberatan atas evaluasi kinerja {label}; putuskan "
        f"paling lambat {_waktu(k.batas_putusan)}.",
        tautan=tautan,
        setelah_commit=True,
        label=rules.KEBERATAN_NOTIFIKASI["keberatan_diajukan"],
    )
    kabari(
        ev.pejabat_penilai,
        jenis="keberatan_diajukan",
        pesan=f"{ev.pegawai.nama} mengajukan keberatan atas evaluasi kinerja {label} yang Anda nilai; "
        + (
            f"keberatan diperiksa oleh {pemutus.nama}."
            if pemutus
            else "pemutusnya sedang ditunjuk admin instansi."
        ),
        tautan=tautan,
        setelah_commit=True,
        label=rules.KEBERATAN_NOTIFIKASI["keberatan_diajukan"],
    )
    if pemutus is None:
        from evaluasi.services.pemutus import minta_admin_menunjuk

        kabari(
            ev.pegawai,
            jenis="keberatan_diajukan",
            pesan=f"Keberatan Anda atas evaluasi kinerja {label} tercatat. Belum ada pejabat "
            "yang dapat memutusnya; admin instansi diminta menunjuk pemutus.",
            tautan=tautan,
            setelah_commit=True,
        )
        minta_admin_menunjuk(k)
    return k


@layanan
@transaction.atomic
def keberatan_minta_penjelasan(
    *, user: Any, keberatan: Keberatan, kepada: Any, pertanyaan: str
) -> list[PenjelasanKeberatan]:
    """The pemutus asks the pejabat penilai and/or the pegawai for an explanation (one request
    per addressee). The first request puts the keberatan under examination."""
    k = _keberatan_lock(keberatan)
    _keberatan_require(user, "minta_penjelasan", k)
    Peran = PenjelasanKeberatan.Peran
    if isinstance(kepada, str):
        kepada = [kepada]
    tujuan = list(dict.fromkeys(kepada or []))
    errors: dict[str, list[str]] = {}
    if not tujuan or any(t not in (Peran.PEJABAT_PENILAI, Peran.PEGAWAI) for t in tujuan):
        errors["kepada"] = [
            "Pilih kepada siapa penjelasan diminta: pejabat penilai, pegawai, atau keduanya."
        ]
    elif Peran.PEJABAT_PENILAI in tujuan and k.pejabat_penilai_id is None:
        errors["kepada"] = ["Evaluasi ini tidak mencatat pejabat penilai."]
    pertanyaan = (pertanyaan or "").strip()
    if not pertanyaan:
        errors["pertanyaan"] = ["Tuliskan penjelasan apa yang Anda minta."]
    if errors:
        raise ValidationError(errors)
    rows = [
        PenjelasanKeberatan.objects.create(
            keberatan=k,
            jenis=PenjelasanKeberatan.Jenis.PERMINTAAN,
            peran=Peran.PEMUTUS,
            kepada=t,
            penulis_id=k.pemutus_id,
            isi=pertanyaan,
        )
        for t in tujuan
    ]
    if k.status == Keberatan.Status.DIAJUKAN:
        k.status = Keberatan.Status.DIPERIKSA
    k.row_version += 1
    k.save()
    tautan = reverse("evaluasi:keberatan_detail", args=[k.pk])
    nama = k.pemutus.nama if k.pemutus_id else "Pemutus keberatan"
    for t in tujuan:
        penerima = k.pegawai if t == Peran.PEGAWAI else k.pejabat_penilai
        kabari(
            penerima,
            jenis="keberatan_penjelasan_diminta",
            pesan=f"{nama} meminta penjelasan Anda atas keberatan {k.pegawai.nama}: {pertanyaan[:200]}",
            tautan=tautan,
            setelah_commit=True,
            label=rules.KEBERATAN_NOTIFIKASI["keberatan_penjelasan_diminta"],
        )
    return rows


@layanan
@transaction.atomic
def keberatan_jelaskan(
    *, user: Any, keberatan: Keberatan, isi: str, permintaan: Any = None
) -> PenjelasanKeberatan:
    """A party answers a request addressed to them (the pejabat penilai or the pegawai, each
    only their own); by default the oldest request still unanswered."""
    from kinerja.policy.evaluasi import peran_keberatan

    k = _keberatan_lock(keberatan)
    _keberatan_require(user, "jelaskan", k)
    a = policy.actor(user)
    Peran = PenjelasanKeberatan.Peran
    peran = [p for p in (Peran.PEGAWAI, Peran.PEJABAT_PENILAI) if p in peran_keberatan(a, k)]
    terbuka = PenjelasanKeberatan.objects.filter(
        keberatan=k,
        jenis=PenjelasanKeberatan.Jenis.PERMINTAAN,
        kepada__in=peran,
        jawaban_set__isnull=True,
    ).order_by("dibuat", "id")
    if permintaan not in (None, ""):
        pid = getattr(permintaan, "pk", permintaan)
        target = terbuka.filter(pk=pid).first() if str(pid).isdigit() else None
        if target is None:
            raise ValidationError(
                {
                    "permintaan": [
                        "Permintaan penjelasan ini tidak ditujukan kepada Anda atau sudah dijawab."
                    ]
                }
            )
    else:
        target = terbuka.first()
        if target is None:
            raise ValidationError(
                "Belum ada permintaan penjelasan yang ditujukan kepada Anda untuk keberatan ini."
            )
    isi = (isi or "").strip()
    if not isi:
        raise ValidationError({"isi": ["Tuliskan penjelasan Anda."]})
    row = PenjelasanKeberatan.objects.create(
        keberatan=k,
        jenis=PenjelasanKeberatan.Jenis.JAWABAN,
        peran=target.kepada,
        permintaan=target,
        penulis_id=a.pegawai_id,
        isi=isi,
    )
    # A new explanation changes what the pemutus decides on (a decision sent on an older
    # version of the thread is refused as stale).
    k.row_version += 1
    k.save(update_fields=["row_version", "diperbarui"])
    siapa = k.pegawai.nama if target.kepada == Peran.PEGAWAI else "Pejabat penilai"
    kabari(
        k.pemutus,
        jenis="keberatan_penjelasan_diberikan",
        pesan=f"{siapa} memberikan penjelasan atas keberatan {k.pegawai.nama}.",
        tautan=reverse("evaluasi:keberatan_detail", args=[k.pk]),
        setelah_commit=True,
        label=rules.KEBERATAN_NOTIFIKASI["keberatan_penjelasan_diberikan"],
    )
    return row


@layanan
@transaction.atomic
def keberatan_putuskan(
    *,
    user: Any,
    keberatan: Keberatan,
    keputusan: str,
    alasan_keputusan: str,
    rating_hasil_kerja: str = "",
    rating_perilaku_kerja: str = "",
    row_version: int | None = None,
) -> Keberatan:
    """The pemutus's final decision. `tetap` keeps the result; `diubah` replaces the two
    ratings through evaluasi_ganti_hasil (the predikat follows from the quadrant, the history
    keeps both results, the issued document is superseded). Nothing can be done afterwards."""
    k = _keberatan_lock(keberatan)
    _keberatan_require(user, "putuskan", k)
    cek_versi(k, row_version)
    errors: dict[str, list[str]] = {}
    if keputusan not in (rules.TETAP, rules.DIUBAH):
        errors["keputusan"] = ["Pilih keputusan: hasil evaluasi tetap, atau diubah."]
    alasan = (alasan_keputusan or "").strip()
    if not alasan:
        errors["alasan_keputusan"] = ["Tuliskan alasan keputusan."]
    ev = _lock(k.evaluasi)
    h = (rating_hasil_kerja or "").strip()
    p = (rating_perilaku_kerja or "").strip()
    if keputusan == rules.DIUBAH:
        for field, value in (("rating_hasil_kerja", h), ("rating_perilaku_kerja", p)):
            if value not in rules.RATING:
                errors[field] = ["Pilih rating baru: Di Atas, Sesuai, atau Di Bawah Ekspektasi."]
        if (
            "rating_hasil_kerja" not in errors
            and "rating_perilaku_kerja" not in errors
            and (h, p) == (ev.rating_hasil_kerja, ev.rating_perilaku_kerja)
        ):
            errors["rating_hasil_kerja"] = [
                "Rating baru sama dengan hasil semula; bila hasil tidak berubah, pilih "
                "keputusan tetap."
            ]
    if errors:
        raise ValidationError(errors)
    if not ev.is_final:
        raise ValidationError(
            "Evaluasi ini tidak lagi final (dibuka kembali oleh admin); keberatan tidak dapat "
            "diputus."
        )
    if keputusan == rules.DIUBAH:
        ev = evaluasi_ganti_hasil(
            evaluasi=ev,
            rating_hasil_kerja=h,
            rating_perilaku_kerja=p,
            alasan=alasan,
            oleh=user,
        )
        _evaluasi_pdf_baru(ev, user)
        k.rating_hasil_kerja_baru = ev.rating_hasil_kerja
        k.rating_perilaku_kerja_baru = ev.rating_perilaku_kerja
        k.predikat_baru = ev.predikat
    else:
        _evaluasi_tandai_keberatan(ev, user=user, alasan="Keberatan diputus: hasil tetap")
    k.status = Keberatan.Status.DIPUTUS
    k.keputusan = keputusan
    k.alasan_keputusan = alasan
    k.diputus_pada = timezone.now()
    k.diputus_oleh = user
    k.row_version += 1
    k.save()
    tautan = reverse("evaluasi:keberatan_detail", args=[k.pk])
    label = _label_evaluasi(ev)
    if keputusan == rules.DIUBAH:
        hasil = f"hasil evaluasi diubah menjadi {rules.PREDIKAT_LABEL[ev.predikat]}"
    else:
        hasil = f"hasil evaluasi tetap ({rules.PREDIKAT_LABEL.get(ev.predikat, '-')})"
    kabari(
        k.pegawai,
        jenis="keberatan_diputus",
        pesan=f"Keberatan Anda atas evaluasi kinerja {label} telah diputus: {hasil}.",
        tautan=tautan,
        setelah_commit=True,
        label=rules.KEBERATAN_NOTIFIKASI["keberatan_diputus"],
    )
    kabari(
        k.pejabat_penilai,
        jenis="keberatan_diputus",
        pesan=f"Keberatan {k.pegawai.nama} atas evaluasi kinerja {label} telah diputus: {hasil}.",
        tautan=tautan,
        setelah_commit=True,
        label=rules.KEBERATAN_NOTIFIKASI["keberatan_diputus"],
    )
    return k
