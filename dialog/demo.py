"""Demo data of the dialog stage: feedback of every kind and relation, assignments in every
state (cross-instansi included), a volunteer opportunity, realisasi with real uploaded evidence,
and a coaching session with follow-ups.

`seed(ctx)` is called by `manage.py demo` after the organisation (and the SKP stage) is seeded.
It reads people from `ctx` when present and otherwise finds them in the organisation, so it
works with whatever the foundation demo produces. Idempotent: every row is keyed by its text.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.utils import timezone

from dialog import services as svc
from dialog.models import BuktiDukung, DialogKinerja, Peluang, Penugasan, UmpanBalik
from kinerja.models import Pegawai, Periode

DEMO = "Contoh: "
STRUKTURAL = ["administrator", "pengawas", "jpt_pratama", "jpt_madya"]


def _pegawai(ctx: dict, *keys: str) -> Pegawai | None:
    for k in keys:
        v = ctx.get(k)
        if isinstance(v, Pegawai):
            return Pegawai.objects.filter(pk=v.pk).first()
        if isinstance(v, int):
            return Pegawai.objects.filter(pk=v).first()
    return None


def _cast(ctx: dict) -> dict[str, Pegawai] | None:
    """Find the people the story needs: a penilai with two staff, the penilai's own penilai, an
    official of another unit, and one of another instansi."""
    aktif = Pegawai.objects.exclude(status=Pegawai.Status.BERHENTI).filter(user__isnull=False)
    penilai = _pegawai(ctx, "penilai", "kasubbid")
    if penilai is None:
        penilai = (
            aktif.filter(jabatan__jenis__in=["pengawas", "administrator"])
            .annotate(n=Count("dinilai_set", filter=Q(dinilai_set__user__isnull=False)))
            .filter(n__gte=2, pejabat_penilai__isnull=False)
            .order_by("-jabatan__jenis", "id")
            .first()
        )
    if penilai is None:
        return None
    staf = list(aktif.filter(pejabat_penilai=penilai).order_by("id")[:2])
    pegawai = _pegawai(ctx, "pegawai") or staf[0]
    rekan = _pegawai(ctx, "rekan") or next((s for s in staf if s.pk != pegawai.pk), None)
    lain_unit = _pegawai(ctx, "kadis", "pejabat_lain") or (
        aktif.filter(instansi_id=penilai.instansi_id, jabatan__jenis__in=STRUKTURAL)
        .exclude(unit_kerja_id=penilai.unit_kerja_id)
        .exclude(pk__in=[penilai.pk, penilai.pejabat_penilai_id or 0])
        .order_by("id")
        .first()
    )
    lain_instansi = _pegawai(ctx, "kepala_b", "pejabat_instansi_lain") or (
        aktif.exclude(instansi_id=penilai.instansi_id)
        .filter(jabatan__jenis__in=STRUKTURAL)
        .order_by("id")
        .first()
    )
    if rekan is None:
        return None
    if lain_instansi is None:
        lain_instansi = _pejabat_instansi_lain(ctx)
    return {
        "pegawai": pegawai,
        "rekan": rekan,
        "penilai": penilai,
        "atasan": penilai.pejabat_penilai,
        "lain_unit": lain_unit,
        "lain_instansi": lain_instansi,
    }


def _pejabat_instansi_lain(ctx: dict) -> Pegawai | None:
    """The story needs an official of ANOTHER instansi (a cross-instansi assignment). When the
    organisation demo has a single instansi, add a small regency with its BKPSDM head."""
    from kinerja.models import Instansi, Jabatan, UnitKerja, User
    from kinerja.rules import make_nip
    from kinerja.services import penilai_refresh

    inst, _ = Instansi.objects.get_or_create(
        kode="K5301",
        defaults={"nama": "Pemerintah Kabupaten Kupang", "jenis": "daerah", "kota": "Oelamasi"},
    )
    found = Pegawai.objects.filter(instansi=inst, jabatan__jenis="jpt_pratama").first()
    if found is not None:
        return found
    kab, _ = UnitKerja.objects.get_or_create(instansi=inst, nama="Pemerintah Kabupaten Kupang")
    bkpsdm, _ = UnitKerja.objects.get_or_create(
        instansi=inst, induk=kab, nama="BKPSDM Kabupaten Kupang", defaults={"singkatan": "BKPSDM"}
    )
    bupati, _ = Jabatan.objects.get_or_create(
        unit_kerja=kab,
        nama="Bupati Kupang",
        defaults={"jenis": "pimpinan_instansi", "kepala_unit": True},
    )
    kepala, _ = Jabatan.objects.get_or_create(
        unit_kerja=bkpsdm,
        nama="Kepala BKPSDM",
        defaults={"jenis": "jpt_pratama", "atasan": bupati, "kepala_unit": True},
    )
    nip = make_nip(dt.date(1975, 4, 12), dt.date(2000, 3, 1), True, 417)
    user = User.objects.filter(username=nip).first() or User.objects.create_user(
        username=nip,
        password=ctx.get("password") or "Rahasia-Kinerja-2026",
        first_name="Obed Kadja",
        email=f"{nip}@kupangkab.go.id",
    )
    p = Pegawai.objects.create(
        user=user,
        instansi=inst,
        nip=nip,
        nama="Obed Kadja",
        golongan="IV/b",
        jabatan=kepala,
        unit_kerja=bkpsdm,
        email=user.email,
    )
    penilai_refresh(instansi=inst)
    return p


def pdf_kecil(judul: str) -> bytes:
    """A tiny valid one-page PDF, written by hand (no renderer needed)."""
    teks = judul.replace("(", "").replace(")", "")[:60]
    stream = f"BT /F1 14 Tf 50 750 Td ({teks}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def png_kecil(w: int = 24, h: int = 16) -> bytes:
    """A small valid PNG (a blue and white flag-like block)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(
        b"\x00" + b"".join(b"\x0b\x4f\x8a" if y < h // 2 else b"\xff\xff\xff" for _ in range(w))
        for y in range(h)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _waktu(tahun: int, bulan: int, hari: int) -> dt.datetime:
    now = timezone.now()
    t = timezone.make_aware(dt.datetime(tahun, bulan, hari, 9, 30))
    return min(t, now - dt.timedelta(hours=1))


def _usul(pemberi: Pegawai, penerima: Pegawai, uraian: str, hasil: str) -> Penugasan | None:
    if pemberi is None:
        return None
    found = Penugasan.objects.filter(uraian=DEMO + uraian, penerima=penerima).first()
    if found:
        return found
    return svc.penugasan_usulkan(
        user=pemberi.user, penerima=penerima, uraian=DEMO + uraian, hasil_diharapkan=hasil
    )


def _ub(pemberi: Pegawai | None, penerima: Pegawai, isi: str, **kw: Any) -> UmpanBalik | None:
    if pemberi is None:
        return None
    found = UmpanBalik.objects.filter(pemberi=pemberi, penerima=penerima, isi=isi).first()
    if found:
        return found
    try:
        return svc.umpan_balik_beri(user=pemberi.user, penerima=penerima, isi=isi, **kw)
    except Exception:  # a demo must not fail on one odd organisation
        return None


def seed(ctx: dict) -> None:
    cast = _cast(ctx or {})
    if cast is None:
        return
    peg, rekan, penilai = cast["pegawai"], cast["rekan"], cast["penilai"]
    atasan, lain_unit, lain_inst = cast["atasan"], cast["lain_unit"], cast["lain_instansi"]
    periode = Periode.objects.filter(
        instansi_id=peg.instansi_id, tahun=timezone.localdate().year
    ).first()
    if periode is None or periode.ditutup:
        return
    tahun = periode.tahun

    # --- Penugasan in every state ---------------------------------------------------------------
    p1 = _usul(
        lain_unit,
        peg,
        "Menyusun dasbor data ASN untuk rapat pimpinan",
        "Dasbor data ASN terbit dan diperbarui tiap bulan",
    )
    if p1 and p1.status == Penugasan.Status.DIUSULKAN:
        svc.penugasan_setujui(
            user=penilai.user,
            penugasan=p1,
            alasan="Sesuai kompetensi",
            ekspektasi="Dasbor memuat jumlah ASN per OPD, diperbarui tanggal 5 tiap bulan",
            catatan="Klarifikasi tatap muka dengan pegawai dan pemberi tugas",
            waktu=_waktu(tahun, 3, 4),
        )
    p2 = _usul(
        lain_inst,
        peg,
        "Integrasi data kepegawaian kabupaten ke provinsi (lintas instansi)",
        "Data ASN kabupaten tersinkron dengan provinsi",
    )
    if p2 and p2.status == Penugasan.Status.DIUSULKAN:
        svc.penugasan_setujui(
            user=penilai.user,
            penugasan=p2,
            jenis_rhk="tambahan",
            ekspektasi="Sinkronisasi uji coba selesai akhir triwulan",
        )
    # Proposed and waiting (cross-instansi), and one rejected.
    _usul(
        lain_inst,
        rekan,
        "Pendampingan aplikasi e-Kinerja kabupaten (lintas instansi)",
        "Operator kabupaten mampu mengoperasikan e-Kinerja",
    )
    p4 = _usul(
        lain_unit, rekan, "Liputan kegiatan hari jadi provinsi", "Dokumentasi kegiatan terunggah"
    )
    if p4 and p4.status == Penugasan.Status.DIUSULKAN:
        svc.penugasan_tolak(
            user=penilai.user,
            penugasan=p4,
            alasan="Beban kerja triwulan ini sudah penuh; usulkan ke unit lain.",
        )
    # A direct assignment by the penilai.
    _usul(penilai, rekan, "Menyusun rekap capaian SKP bidang", "Rekap capaian per triwulan")

    # --- An open opportunity with a volunteer -----------------------------------------------------
    if lain_unit is not None and lain_unit.unit_kerja_id:
        pl = Peluang.objects.filter(judul=DEMO + "Tim Satu Data Kepegawaian").first()
        if pl is None:
            pl = svc.peluang_buka(
                user=lain_unit.user,
                judul=DEMO + "Tim Satu Data Kepegawaian",
                uraian="Kurasi dan publikasi data kepegawaian terbuka.",
                hasil_diharapkan="Katalog data kepegawaian terbit di portal Satu Data",
            )
        if not Penugasan.objects.filter(peluang=pl, penerima=rekan).exists():
            svc.peluang_ikuti(
                user=rekan.user, peluang=pl, pesan="Saya pernah mengelola data terbuka."
            )

    # --- Feedback of every kind and relation ----------------------------------------------------------
    if p1 is not None:
        p1.refresh_from_db()
    rhk_tugas = p1.rencana_hasil_kerja if p1 else None
    _ub(
        penilai,
        peg,
        "Laporan triwulan I rapi dan tepat waktu. Pertahankan.",
        jenis="apresiasi",
        cara="langsung",
        waktu=_waktu(tahun, 2, 20),
    )
    _ub(
        penilai,
        peg,
        "Libatkan rekan lain saat menyusun rekap; jangan dikerjakan sendiri.",
        jenis="perbaikan",
        perilaku="kolaboratif",
        waktu=_waktu(tahun, 5, 12),
    )
    if rhk_tugas is not None:
        _ub(
            lain_unit,
            peg,
            "Dasbor sangat membantu rapat pimpinan.",
            jenis="apresiasi",
            rencana_hasil_kerja=rhk_tugas,
            waktu=_waktu(tahun, 4, 8),
        )
    if p2 is not None:
        _ub(
            lain_inst,
            peg,
            "Sinkronisasi awal berjalan baik; dokumentasikan langkahnya.",
            jenis="perbaikan",
            cara="tertulis",
            waktu=_waktu(tahun, 6, 2),
        )
    _ub(
        rekan,
        peg,
        "Selalu sigap membantu ketika server bermasalah.",
        jenis="apresiasi",
        perilaku="harmonis",
        waktu=_waktu(tahun, 3, 18),
    )
    _ub(
        peg,
        penilai,
        "Arahan rapat mingguan sangat jelas.",
        jenis="apresiasi",
        cara="langsung",
        waktu=_waktu(tahun, 4, 2),
    )
    _ub(
        atasan,
        peg,
        "Perlu lebih proaktif melaporkan kendala.",
        jenis="perbaikan",
        perilaku="adaptif",
        waktu=_waktu(tahun, 7, 1),
    )
    if not UmpanBalik.objects.filter(permintaan__peminta=peg).exists():
        from dialog.models import PermintaanUmpanBalik

        if not PermintaanUmpanBalik.objects.filter(peminta=peg, diminta=rekan).exists():
            svc.umpan_balik_minta(
                user=peg.user,
                diminta=rekan,
                pesan="Mohon masukan tentang presentasi saya minggu lalu.",
            )

    # --- Realisasi with uploaded evidence ---------------------------------------------------------------
    if rhk_tugas is not None:
        rhk_tugas.refresh_from_db()
        for urutan, teks in ((1, "Rancangan dasbor disepakati"), (2, "Dasbor terbit, 3 pembaruan")):
            r = svc.realisasi_simpan(
                user=peg.user,
                rencana_hasil_kerja=rhk_tugas,
                urutan=urutan,
                uraian=teks,
                angka=urutan * 50,
                satuan="persen",
            )
            if not BuktiDukung.objects.filter(realisasi=r).exists():
                svc.bukti_unggah(
                    user=peg.user,
                    realisasi=r,
                    judul=f"Laporan triwulan {urutan}",
                    berkas=SimpleUploadedFile(
                        f"laporan-tw{urutan}.pdf",
                        pdf_kecil(f"Laporan triwulan {urutan}"),
                        content_type="application/pdf",
                    ),
                )
                svc.bukti_unggah(
                    user=peg.user,
                    realisasi=r,
                    judul="Tangkapan layar dasbor",
                    berkas=SimpleUploadedFile("dasbor.png", png_kecil(), content_type="image/png"),
                )
                svc.bukti_tautan(
                    user=peg.user,
                    realisasi=r,
                    judul="Dasbor daring",
                    tautan="https://satudata.example.go.id/dasbor-asn",
                )

    # --- A coaching session with follow-ups -----------------------------------------------------------
    if not DialogKinerja.objects.filter(pegawai=peg, agenda__startswith=DEMO).exists():
        hari_ini = timezone.localdate()
        svc.dialog_catat(
            user=penilai.user,
            pegawai=peg,
            jenis=DialogKinerja.Jenis.BIMBINGAN,
            waktu=_waktu(tahun, 5, 15),
            agenda=DEMO + "Capaian triwulan I, hambatan integrasi data, rencana pelatihan",
            catatan="Pegawai perlu pendalaman analisis data; sepakat ikut pelatihan.",
            tindak_lanjut=[
                ("Ikut pelatihan analisis data BPSDM", hari_ini + dt.timedelta(days=2), None),
                ("Menyediakan anggaran pelatihan", hari_ini + dt.timedelta(days=14), penilai),
            ],
        )
        svc.dialog_catat(
            user=penilai.user,
            pegawai=rekan,
            jenis=DialogKinerja.Jenis.CHECK_IN,
            waktu=_waktu(tahun, 6, 3),
            agenda=DEMO + "Check-in bulanan",
            catatan="Lancar.",
        )
