"""Follow-up of the results: talent potential, the instansi's follow-up tables, sanction cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from evaluasi import rules
from evaluasi.models import (
    Evaluasi,
    Jenis,
    KasusSanksi,
    LangkahSanksi,
    Potensi,
    TabelTindakLanjut,
)
from evaluasi.services._common import HANYA_ADMIN, _require
from kinerja.models import Pegawai, Periode
from kinerja.riwayat import layanan
from kinerja.versi import cek_versi


@layanan
@transaction.atomic
def potensi_simpan(
    *, user: Any, pegawai: Pegawai, tahun: int, potensi: str, sumber: str = ""
) -> Potensi:
    _require(user, "change", Potensi(pegawai=pegawai, tahun=tahun), HANYA_ADMIN)
    if potensi not in rules.POTENSI:
        raise ValidationError({"potensi": ["Pilih potensi: rendah, menengah, atau tinggi."]})
    obj, _ = Potensi.objects.update_or_create(
        pegawai=pegawai,
        tahun=tahun,
        defaults={"potensi": potensi, "sumber": sumber.strip(), "dicatat_oleh": user},
    )
    return obj


@layanan
@transaction.atomic
def tabel_tindak_lanjut_simpan(
    *, user: Any, instansi_id: int, jenis: str, predikat: str, nilai: str
) -> TabelTindakLanjut | None:
    """Set (or, with an empty value, clear) one cell of an instansi's follow-up table."""
    _require(user, "change", TabelTindakLanjut(instansi_id=instansi_id), HANYA_ADMIN)
    if jenis not in TabelTindakLanjut.Jenis.values or predikat not in rules.PREDIKAT:
        raise ValidationError("Jenis tabel atau predikat tidak dikenal.")
    nilai = (nilai or "").strip()
    if not nilai:
        TabelTindakLanjut.objects.filter(
            instansi_id=instansi_id, jenis=jenis, predikat=predikat
        ).delete()
        return None
    obj, _ = TabelTindakLanjut.objects.update_or_create(
        instansi_id=instansi_id, jenis=jenis, predikat=predikat, defaults={"nilai": nilai[:200]}
    )
    return obj


@layanan
@transaction.atomic
def kasus_sanksi_buka(
    *,
    user: Any,
    pegawai: Pegawai,
    periode: Periode,
    alasan: str = "",
    mulai: dt.date | None = None,
) -> KasusSanksi:
    """Open a sanction case; its first step (six months to improve) starts at `mulai`."""
    _require(user, "buka", KasusSanksi(pegawai=pegawai, periode=periode), HANYA_ADMIN)
    if pegawai.instansi_id != periode.instansi_id:
        raise ValidationError("Pegawai bukan bagian dari instansi periode ini.")
    if KasusSanksi.objects.filter(pegawai=pegawai, status=KasusSanksi.Status.TERBUKA).exists():
        raise ValidationError("Pegawai ini sudah memiliki kasus sanksi kinerja yang terbuka.")
    tahunan = Evaluasi.objects.filter(
        pegawai=pegawai, periode=periode, jenis=Jenis.TAHUNAN, status=Evaluasi.Status.FINAL
    ).first()
    potensi = (
        Potensi.objects.filter(pegawai=pegawai, tahun=periode.tahun)
        .values_list("potensi", flat=True)
        .first()
    )
    if tahunan is None or not rules.calon_sanksi(tahunan.predikat, potensi):
        raise ValidationError(
            "Kasus sanksi hanya dapat dibuka untuk pegawai dengan predikat akhir tahun yang final "
            "Kurang atau Sangat Kurang, atau pada kotak 1 talenta (Butuh Perbaikan dengan "
            "potensi rendah)."
        )
    jalur = rules.jalur_sanksi(pegawai.jabatan.jenis if pegawai.jabatan_id else "")
    kasus = KasusSanksi.objects.create(
        pegawai=pegawai,
        periode=periode,
        jalur=jalur,
        predikat_pemicu=tahunan.predikat if tahunan else "",
        alasan=alasan.strip(),
        dibuka_oleh=user,
    )
    mulai = mulai or timezone.localdate()
    LangkahSanksi.objects.create(
        kasus=kasus,
        langkah=rules.PERBAIKAN,
        mulai=mulai,
        batas=rules.batas_langkah(rules.PERBAIKAN, mulai),
        catatan="Kesempatan memperbaiki kinerja selama 6 bulan.",
        diputuskan_oleh=user,
    )
    return kasus


@layanan
@transaction.atomic
def kasus_sanksi_langkah(
    *,
    user: Any,
    kasus: KasusSanksi,
    langkah: str,
    mulai: dt.date | None = None,
    batas: dt.date | None = None,
    catatan: str = "",
    row_version: int | None = None,
) -> LangkahSanksi:
    """Record the next step of a case, allowed only in the order of its path."""
    kasus = KasusSanksi.objects.select_for_update().select_related("pegawai").get(pk=kasus.pk)
    _require(user, "ubah", kasus)
    cek_versi(kasus, row_version)
    terakhir = kasus.langkah_set.order_by("-diputuskan_pada", "-id").first()
    boleh = rules.langkah_berikut(kasus.jalur, terakhir.langkah if terakhir else None)
    if langkah not in boleh:
        pilihan = ", ".join(rules.LANGKAH_LABEL[b] for b in boleh) or "tidak ada (kasus selesai)"
        raise ValidationError({"langkah": [f"Langkah berikutnya yang diperbolehkan: {pilihan}."]})
    mulai = mulai or timezone.localdate()
    awal = rules.mulai_paling_awal(langkah, terakhir.batas if terakhir else None)
    if awal is not None and mulai < awal:
        raise ValidationError(
            {
                "mulai": [
                    f"{rules.LANGKAH_LABEL[langkah]} baru dapat dimulai setelah tenggat langkah "
                    f"sebelumnya berakhir ({awal:%d-%m-%Y})."
                ]
            }
        )
    batas_maks = rules.batas_langkah(langkah, mulai)
    if batas is None:
        batas = batas_maks
    elif batas_maks is not None and batas > batas_maks:
        raise ValidationError(
            {
                "batas": [
                    f"{rules.LANGKAH_LABEL[langkah]}: tenggat paling lambat {batas_maks:%d-%m-%Y}."
                ]
            }
        )
    if batas is not None and batas < mulai:
        raise ValidationError({"batas": ["Tenggat tidak boleh sebelum tanggal mulai."]})
    step = LangkahSanksi.objects.create(
        kasus=kasus,
        langkah=langkah,
        mulai=mulai,
        batas=batas,
        catatan=catatan.strip(),
        diputuskan_oleh=user,
    )
    kasus.row_version += 1
    if langkah in rules.LANGKAH_AKHIR:
        kasus.status = KasusSanksi.Status.SELESAI
    kasus.save()
    return step
