"""The Dokumen Evaluasi Kinerja Pegawai: context and rendering (layout per domain.md, Documents)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from evaluasi import jendela, rules
from evaluasi.models import Evaluasi
from kinerja.models import Pegawai
from kinerja.pdf import render_pdf, render_pdf_massal
from kinerja.rules import pangkat_golongan_label


def _blok(p) -> dict[str, str] | None:
    if p is None:
        return None
    return {
        "nama": p.nama,
        "nip": p.nip or "-",
        "pangkat": pangkat_golongan_label(p.golongan or "") or "-",
        "jabatan": p.jabatan.nama if p.jabatan_id else "-",
        "unit_kerja": p.unit_kerja.nama if p.unit_kerja_id else "-",
    }


def evaluasi_pdf_konteks(ev: Evaluasi, verifikasi: dict[str, str]) -> dict[str, Any]:
    from evaluasi.services import kinerja_organisasi_untuk
    from kinerja.persetujuan import persetujuan_untuk

    ev = (
        Evaluasi.objects.select_related(
            "pegawai__jabatan", "pegawai__unit_kerja", "pegawai__instansi", "periode"
        )
        .prefetch_related("rhk_set", "perilaku_set")
        .get(pk=ev.pk)
    )
    # The two officials (those recorded on the evaluation, else the pegawai's current ones) in a
    # second small query: one 12-table join took PostgreSQL ~2 ms just to plan, per PDF.
    penilai_id = ev.pejabat_penilai_id or ev.pegawai.pejabat_penilai_id
    atasan_id = ev.atasan_pejabat_penilai_id or ev.pegawai.atasan_pejabat_penilai_id
    pejabat = Pegawai.objects.select_related("jabatan", "unit_kerja").in_bulk(
        [i for i in (penilai_id, atasan_id) if i]
    )
    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
    ko = kinerja_organisasi_untuk(ev.pegawai.unit_kerja_id, ev.periode, w)
    ped = rules.pedoman(ko.predikat) if ko else None
    penilai = pejabat.get(penilai_id)
    atasan = pejabat.get(atasan_id)
    tanggal = timezone.localtime(ev.finalisasi_pada or timezone.now())
    return {
        "ev": ev,
        "periode_label": w.label,
        "mulai": w.jendela.mulai,
        "selesai": w.jendela.selesai,
        "pegawai": _blok(ev.pegawai),
        "penilai": _blok(penilai),
        "atasan": _blok(atasan),
        "instansi": ev.pegawai.instansi,
        "ko": ko,
        "ko_label": rules.PREDIKAT_ORG_LABEL.get(ko.predikat, "") if ko else "",
        "pedoman": ped,
        "rating_hasil": rules.RATING_LABEL.get(ev.rating_hasil_kerja, "-"),
        "rating_perilaku": rules.RATING_LABEL.get(ev.rating_perilaku_kerja, "-"),
        "predikat": rules.PREDIKAT_LABEL.get(ev.predikat, "-"),
        "final": ev.is_final,
        "tanggal": tanggal,
        "kota": ev.pegawai.instansi.kota or "",
        "penilai_nama": penilai.nama if penilai else "",
        "penilai_nip": penilai.nip if penilai else "",
        "persetujuan": persetujuan_untuk(ev),
        "verifikasi": verifikasi,
        **_keberatan(ev),
    }


def _keberatan(ev: Evaluasi) -> dict[str, Any]:
    """The keberatan on this result, if any: an open one is announced on the document (the
    result may still change), a decided one with its decision and date."""
    k = (
        ev.keberatan_set.filter(finalisasi_pada=ev.finalisasi_pada)
        .select_related("pemutus")
        .order_by("-diajukan", "-id")
        .first()
        if ev.finalisasi_pada
        else None
    )
    if k is None:
        return {"keberatan": None}
    return {
        "keberatan": k,
        "keberatan_diajukan": rules.tanggal_label(timezone.localtime(k.diajukan).date()),
        "keberatan_diputus": (
            rules.tanggal_label(timezone.localtime(k.diputus_pada).date()) if k.diputus_pada else ""
        ),
        "keberatan_keputusan": rules.KEPUTUSAN_LABEL.get(k.keputusan, ""),
        "keberatan_semula": rules.PREDIKAT_LABEL.get(k.predikat_semula, "-"),
    }


def evaluasi_pdf_html(ev: Evaluasi, verifikasi: dict[str, str]) -> str:
    return render_to_string(
        "evaluasi/pdf/dokumen_evaluasi.html", evaluasi_pdf_konteks(ev, verifikasi)
    )


def evaluasi_pdf_render(ev: Evaluasi) -> tuple[bytes, str]:
    """(PDF bytes, the document code printed on it and its QR)."""
    from kinerja.verifikasi import verifikasi_konteks

    v = verifikasi_konteks()
    return render_pdf(evaluasi_pdf_html(ev, v)), v["kode"]


def evaluasi_pdf_render_massal(
    evs: Sequence[Evaluasi], *, per_pass: int | None = None
) -> list[tuple[bytes, str]]:
    """`evaluasi_pdf_render` for many evaluations, in one WeasyPrint pass per `per_pass` of them
    (each file the same page for page as rendered alone; each keeps its own code and QR)."""
    from kinerja.verifikasi import verifikasi_konteks

    vs = [verifikasi_konteks() for _ in evs]
    htmls = [evaluasi_pdf_html(ev, v) for ev, v in zip(evs, vs, strict=True)]
    data = render_pdf_massal(htmls, per_pass=per_pass)
    return [(d, v["kode"]) for d, v in zip(data, vs, strict=True)]
