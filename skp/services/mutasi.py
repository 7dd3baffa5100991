"""What a change of penilai does to the SKP (domain.md, "A change of position or penilai during
the year"): the SKP under the old penilai is closed the day before the TMT (kept, read only, for
the windows it covered) and a new draft SKP with the new penilai starts on the TMT. The new SKP
carries what the new leader's matriks peran-hasil gives the pegawai; approved versions are never
copied (the new penilai agrees a new plan)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from kinerja.models import Pegawai, Periode
from kinerja.notifikasi import kabari
from kinerja.riwayat import layanan
from skp.models import SKP, Indikator, MatriksPeranHasil, PeranHasil, RencanaHasilKerja
from skp.services._common import _perilaku_awal, _url, jenis_untuk
from skp.services.rhk import _rhk_buat


def _tanggal(d: dt.date) -> str:
    from kinerja.rules import BULAN

    return f"{d.day} {BULAN[d.month - 1]} {d.year}"


def _dari_matriks(skp: SKP, pemimpin_id: int) -> int:
    """Rows the new leader's matriks peran-hasil gives the pegawai, as rencana hasil kerja."""
    m = MatriksPeranHasil.objects.filter(
        periode_id=skp.periode_id, pemimpin_id=pemimpin_id, tim__isnull=True
    ).first()
    if m is None:
        return 0
    from skp import selectors

    kolom = {str(r.kunci): r for r in selectors.matriks_kolom(m)}
    n = 0
    for s in PeranHasil.objects.filter(matriks=m, anggota_id=skp.pegawai_id, na=False).order_by(
        "urutan", "id"
    ):
        atasan = kolom.get(str(s.kolom_kunci))
        if atasan is None:
            continue
        _rhk_buat(
            skp=skp,
            jenis=RencanaHasilKerja.Jenis.UTAMA,
            rencana=s.peran_hasil,
            rhk_atasan=atasan,
            pemberi_tugas=m.pemimpin if m.tim_id else None,
            sumber=RencanaHasilKerja.Sumber.MATRIKS,
            indikator=(
                [
                    {
                        "aspek": s.aspek or Indikator.Aspek.KUANTITAS,
                        "indikator": s.indikator,
                        "target": s.target,
                        "sumber_data": "",
                    }
                ]
                if s.indikator
                else []
            ),
            peran_hasil=s,
            tim=m.tim,
            ukuran_keberhasilan=f"{s.indikator}: {s.target}" if s.indikator and s.target else "",
        )
        n += 1
    return n


@layanan
@transaction.atomic
def skp_penilai_berganti(
    *,
    pegawai_id: int,
    penilai_baru_id: int | None,
    atasan_baru_id: int | None,
    tmt: dt.date,
    oleh: Any = None,
) -> SKP | None:
    """Close the pegawai's SKP of the TMT's year the day before `tmt` and start a new draft with
    the new penilai from `tmt`. Nothing when the pegawai has no SKP that year, or when the SKP
    in force started on or after the TMT (a draft there only takes the new penilai). Returns the
    new SKP, if one was started. Repeats are no-ops (the SKP in force already starts at TMT)."""
    peg = Pegawai.objects.select_related("user").get(pk=pegawai_id)
    periode = Periode.objects.filter(instansi_id=peg.instansi_id, tahun=tmt.year).first()
    if periode is None or periode.ditutup:
        return None
    semua = SKP.objects.select_for_update().filter(pegawai_id=pegawai_id, periode=periode)
    # Every version of the year locked first, by id (skp.services._kunci): the reads below lock
    # the current one, then the older ones, the other way round.
    list(semua.order_by("pk").values_list("pk", flat=True))
    terkini = semua.filter(terkini=True).first()
    if terkini is None:
        return None
    mulai_terkini = terkini.berlaku_mulai or dt.date(tmt.year, 1, 1)
    if mulai_terkini >= tmt:
        # No day of this SKP was under the old penilai: a draft simply follows the change.
        if terkini.status == SKP.Status.DRAFT:
            SKP.objects.filter(pk=terkini.pk).update(
                pejabat_penilai_id=penilai_baru_id, atasan_pejabat_penilai_id=atasan_baru_id
            )
        return None
    sampai = tmt - dt.timedelta(days=1)
    lama = list(
        semua.filter(Q(berlaku_mulai__isnull=True) | Q(berlaku_mulai__lt=tmt)).filter(
            Q(berlaku_sampai__isnull=True) | Q(berlaku_sampai__gte=tmt)
        )
    )
    for s in lama:
        s.berlaku_sampai = sampai
        s.terkini = False
        s.row_version += 1
        s._change_reason = f"Ditutup: pejabat penilai berganti TMT {tmt:%d-%m-%Y}"
        s.save(update_fields=["berlaku_sampai", "terkini", "row_version", "diubah"])
    versi = (semua.aggregate(m=Max("versi"))["m"] or 0) + 1
    baru = SKP.objects.create(
        pegawai=peg,
        periode=periode,
        versi=versi,
        pendekatan=terkini.pendekatan,
        jenis=jenis_untuk(peg),
        pejabat_penilai_id=penilai_baru_id,
        atasan_pejabat_penilai_id=atasan_baru_id,
        terkini=True,
        berlaku_mulai=tmt,
        alasan_perubahan=f"Pejabat penilai berganti TMT {_tanggal(tmt)}; SKP baru.",
    )
    _perilaku_awal(baru)
    n = _dari_matriks(baru, penilai_baru_id) if penilai_baru_id else 0
    dari = f" ({n} rencana hasil kerja dari matriks peran-hasil)" if n else ""
    kabari(
        peg,
        jenis="skp_penilai_berganti",
        pesan=(
            f"Pejabat penilai Anda berganti mulai {_tanggal(tmt)}. SKP sebelumnya ditutup "
            f"per {_tanggal(sampai)}; SKP baru{dari} menunggu Anda lengkapi dan ajukan."
        ),
        tautan=_url(baru),
        label="SKP baru karena pejabat penilai berganti",
    )
    if penilai_baru_id:
        kabari(
            Pegawai.objects.select_related("user").get(pk=penilai_baru_id),
            jenis="skp_penilai_berganti_penilai",
            pesan=(
                f"Mulai {_tanggal(tmt)} Anda pejabat penilai {peg.nama}; SKP barunya dimulai "
                "dan akan diajukan kepada Anda."
            ),
            tautan=_url(baru),
            label="Pegawai baru yang Anda nilai",
        )
    return baru


def _terima_penilai_berubah(*, tmt: dt.date, perubahan: list, oleh: Any = None, **_: Any) -> None:
    """Receiver of `kinerja.services.penilai_berubah`: one SKP change per pegawai whose pejabat
    penilai changed and who has an SKP that year (an atasan-only change moves no SKP). One
    query finds them, so a restructuring or a first derivation of thousands costs one read."""
    ganti = [p for p in perubahan if p.penilai_berganti]
    if not ganti:
        return
    punya = set(
        SKP.objects.filter(
            pegawai_id__in=[p.pegawai_id for p in ganti], periode__tahun=tmt.year, terkini=True
        ).values_list("pegawai_id", flat=True)
    )
    for p in ganti:
        if p.pegawai_id in punya:
            skp_penilai_berganti(
                pegawai_id=p.pegawai_id,
                penilai_baru_id=p.penilai_baru,
                atasan_baru_id=p.atasan_baru,
                tmt=tmt,
                oleh=oleh,
            )
