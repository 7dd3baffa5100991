"""Demo SKPs for `manage.py demo`: the BKD's cascade for this year, through the real services.

Kepala BKD (JPT) has an approved SKP with three rencana hasil kerja and a filled matriks
peran-hasil for her kepala bidang; the kabid's SKP (from her matrix) is submitted to her; his own
matrix cascades to the kasubbid (approved) and the JF ketua tim (approved, with a team matrix);
the kasubbid's matrix puts rows into the pelaksana's draft (the journey starts there) and the
colleague's SKP waits in the kasubbid's approval queue. Idempotent: a second run changes nothing.
Defensive: when the organisation demo gives no persona, people are found in the database.
"""

from __future__ import annotations

from typing import Any

from kinerja.models import Pegawai, Periode, TimKerja
from skp import selectors, services
from skp.models import SKP


def _leaders(qs) -> list[Pegawai]:
    return [
        p
        for p in qs.select_related("user", "jabatan").order_by("nama")
        if Pegawai.objects.filter(pejabat_penilai=p, user__isnull=False).exists()
    ]


def _rantai(base, ctx: dict[str, Any]) -> tuple[Pegawai, Pegawai, Pegawai] | None:
    """A JPT -> kepala bidang -> kasubbid chain whose kasubbid rates at least two pegawai."""
    for kbkd in (
        [ctx["kepala_bkd"]]
        if ctx.get("kepala_bkd")
        else _leaders(base.filter(jabatan__jenis="jpt_pratama"))
    ):
        for kabid in (
            [ctx["kabid"]] if ctx.get("kabid") else _leaders(base.filter(pejabat_penilai=kbkd))
        ):
            for kasub in (
                [ctx["kasubbid"]]
                if ctx.get("kasubbid")
                else _leaders(base.filter(pejabat_penilai=kabid))
            ):
                if base.filter(pejabat_penilai=kasub).count() >= 2:
                    return kbkd, kabid, kasub
    return None


def _personas(ctx: dict[str, Any]) -> dict[str, Any] | None:
    inst = ctx.get("instansi")
    if ctx.get("periode") is not None:
        periodes = [ctx["periode"]]
    else:
        qs = Periode.objects.exclude(status=Periode.Status.DITUTUP).order_by("-tahun", "id")
        periodes = list(qs.filter(instansi=inst) if inst else qs)
    for periode in periodes:
        base = Pegawai.objects.filter(instansi_id=periode.instansi_id, user__isnull=False)
        rantai = _rantai(base, ctx)
        if rantai is not None:
            break
    else:
        return None
    kbkd, kabid, kasub = rantai
    staf = list(base.filter(pejabat_penilai=kasub).order_by("nama"))
    pegawai = ctx.get("pegawai") or staf[0]
    rekan = ctx.get("rekan") or next(s for s in staf if s != pegawai)
    tim = ctx.get("tim") or TimKerja.objects.filter(instansi_id=periode.instansi_id).first()
    fungsional = ctx.get("fungsional") or (tim.ketua if tim else None)
    fresh = {
        k: Pegawai.objects.select_related("user", "jabatan").get(pk=v.pk)
        for k, v in {
            "kepala_bkd": kbkd,
            "kabid": kabid,
            "kasubbid": kasub,
            "pegawai": pegawai,
            "rekan": rekan,
        }.items()
    }
    if fungsional is not None:
        fresh["fungsional"] = Pegawai.objects.select_related("user", "jabatan").get(
            pk=fungsional.pk
        )
    return {**fresh, "periode": periode, "tim": tim}


def _ind(aspek: str, indikator: str, target: str, sumber: str = "") -> dict[str, str]:
    return {"aspek": aspek, "indikator": indikator, "target": target, "sumber_data": sumber}


def _skp(peg: Pegawai, periode: Periode, **kw) -> SKP:
    skp = SKP.objects.filter(pegawai=peg, periode=periode, terkini=True).first()
    return skp or services.skp_buat(pegawai=peg, periode=periode, user=peg.user, **kw)


def _lampiran(skp: SKP, user) -> None:
    services.skp_ubah(
        skp=skp,
        user=user,
        dukungan_sumber_daya="Aplikasi Kinerja, akses data kepegawaian SIASN, anggaran DPA BKD.",
        skema_pertanggungjawaban="Laporan capaian triwulanan kepada pejabat penilai kinerja.",
        konsekuensi="Capaian di bawah ekspektasi ditindaklanjuti dengan bimbingan kinerja.",
    )


def _lengkapi_indikator(skp: SKP, user, target: str = "100 %") -> None:
    for r in skp.rencana_set.all():
        if not r.indikator_set.exists():
            services.rhk_ubah(
                rhk=r,
                user=user,
                indikator=[_ind("kuantitas", f"Persentase {r.rencana[:60].lower()}", target)],
            )


def seed(ctx: dict[str, Any]) -> None:
    p = _personas(ctx or {})
    if p is None:
        return
    periode: Periode = p["periode"]
    kbkd, kabid, kasub = p["kepala_bkd"], p["kabid"], p["kasubbid"]
    pegawai, rekan = p["pegawai"], p["rekan"]
    _skp_tugas_belajar(ctx or {}, periode)
    if SKP.objects.filter(pegawai=kbkd, periode=periode).exists():
        return  # already seeded

    # 1. Kepala BKD: approved JPT SKP with perspektif; her three results are the matrix columns.
    s_kbkd = _skp(kbkd, periode)
    kolom = [
        services.rhk_tambah(
            skp=s_kbkd,
            user=kbkd.user,
            jenis="utama",
            rencana=teks,
            perspektif=persp,
            indikator=[_ind(aspek, iki, target, "Laporan kinerja BKD")],
        )
        for teks, persp, aspek, iki, target in [
            (
                "Meningkatnya kualitas penilaian kinerja ASN Pemerintah Provinsi NTT",
                "penerima_layanan",
                "kualitas",
                "Persentase ASN dengan SKP disetujui tepat waktu",
                "90 – 95 %",
            ),
            (
                "Terwujudnya layanan kepegawaian berbasis digital",
                "proses_bisnis",
                "kuantitas",
                "Jumlah layanan kepegawaian daring",
                "12 layanan",
            ),
            (
                "Terkelolanya anggaran BKD secara akuntabel",
                "anggaran",
                "biaya",
                "Realisasi anggaran sesuai rencana",
                "≥ 95 %",
            ),
        ]
    ]
    _lampiran(s_kbkd, kbkd.user)
    penilai_kbkd = kbkd.pejabat_penilai
    if penilai_kbkd and penilai_kbkd.user_id:
        services.skp_ajukan(skp=s_kbkd, user=kbkd.user)
        services.perilaku_atur(
            skp=s_kbkd,
            user=penilai_kbkd.user,
            ekspektasi={
                "kolaboratif": "Menggerakkan kolaborasi BKD dengan seluruh perangkat daerah."
            },
        )
        services.skp_setujui(skp=s_kbkd, user=penilai_kbkd.user)

    # 2. Her matrix: cells for each kepala bidang, N/A where they have no role.
    m1 = services.matriks_buat(pemimpin=kbkd, periode=periode, user=kbkd.user)
    for n, bawahan in enumerate(Pegawai.objects.filter(pejabat_penilai=kbkd).order_by("nama")):
        if bawahan.pk == kabid.pk:
            cells = [
                (
                    0,
                    "Penilaian kinerja seluruh perangkat daerah selesai tepat waktu",
                    "langsung",
                    "aspek_tahapan",
                    "Persentase OPD menyampaikan penilaian",
                    "100 %",
                ),
                (
                    1,
                    "Aplikasi Kinerja dimanfaatkan seluruh OPD",
                    "tidak_langsung",
                    "layanan",
                    "Jumlah OPD pengguna aplikasi",
                    "42 OPD",
                ),
            ]
            na = [2]
        else:
            cells = [
                (
                    n % 3,
                    f"Dukungan bidang terhadap sasaran BKD ({bawahan.jabatan})",
                    "tidak_langsung",
                    "produk",
                    "",
                    "",
                )
            ]
            na = [k for k in range(3) if k != n % 3]
        for k, teks, cas, dasar, iki, target in cells:
            services.peran_hasil_simpan(
                matriks=m1,
                user=kbkd.user,
                anggota=bawahan,
                kolom_kunci=kolom[k].kunci,
                peran_hasil=teks,
                cascading=cas,
                dasar=dasar,
                indikator=iki,
                target=target,
            )
        for k in na:
            services.peran_hasil_na(
                matriks=m1, user=kbkd.user, anggota=bawahan, kolom_kunci=kolom[k].kunci
            )
    # The ketua of the cross-unit team is a row of her matrix too.
    tim = p.get("tim")
    if tim is not None and tim.ketua_id not in {kbkd.pk, kabid.pk}:
        ketua = tim.ketua
        if ketua.pk in {c.pk for c in selectors.matriks_kandidat_ketua(m1)}:
            services.matriks_baris_tambah(matriks=m1, user=kbkd.user, anggota=ketua)
        services.peran_hasil_simpan(
            matriks=m1,
            user=kbkd.user,
            anggota=ketua,
            kolom_kunci=kolom[1].kunci,
            peran_hasil="Peta jalan transformasi digital manajemen kinerja tersusun",
            cascading="tidak_langsung",
            dasar="layanan",
            indikator="Dokumen peta jalan",
            target="1 dokumen",
        )
    services.matriks_terapkan(matriks=m1, user=kbkd.user)

    # 3. Kabid: rows from the matrix plus his own; his matrix cascades further; submitted.
    s_kabid = _skp(kabid, periode)
    services.rhk_tambah(
        skp=s_kabid,
        user=kabid.user,
        jenis="tambahan",
        rencana="Menjadi narasumber sosialisasi PermenPANRB 6/2022 di kabupaten",
        indikator=[_ind("kuantitas", "Jumlah kegiatan sosialisasi", "4 kegiatan")],
    )
    _lengkapi_indikator(s_kabid, kabid.user)
    _lampiran(s_kabid, kabid.user)
    k_kabid = list(s_kabid.rencana_set.filter(jenis="utama").order_by("urutan"))
    m2 = services.matriks_buat(pemimpin=kabid, periode=periode, user=kabid.user)
    for bawahan in Pegawai.objects.filter(pejabat_penilai=kabid).order_by("nama"):
        if bawahan.pk == kasub.pk:
            isi = [
                (
                    0,
                    "Evaluasi SKP pegawai BKD dan OPD terselesaikan",
                    "porsi_target",
                    "Persentase SKP dievaluasi",
                    "100 %",
                )
            ]
        else:
            isi = [
                (
                    len(k_kabid) - 1,
                    f"Pendampingan penggunaan aplikasi oleh {bawahan.nama}",
                    "wilayah",
                    "Jumlah OPD didampingi",
                    "10 OPD",
                )
            ]
        for k, teks, dasar, iki, target in isi:
            services.peran_hasil_simpan(
                matriks=m2,
                user=kabid.user,
                anggota=bawahan,
                kolom_kunci=k_kabid[k].kunci,
                peran_hasil=teks,
                cascading="langsung",
                dasar=dasar,
                indikator=iki,
                target=target,
            )
    services.matriks_terapkan(matriks=m2, user=kabid.user)

    # 4. Kasubbid: approved by the kabid; her matrix cascades to the pelaksana.
    s_kasub = _skp(kasub, periode)
    _lengkapi_indikator(s_kasub, kasub.user)
    _lampiran(s_kasub, kasub.user)
    services.skp_ajukan(skp=s_kasub, user=kasub.user)
    services.skp_setujui(skp=s_kasub, user=kabid.user)
    k_kasub = list(s_kasub.rencana_set.order_by("urutan"))
    m3 = services.matriks_buat(pemimpin=kasub, periode=periode, user=kasub.user)
    for bawahan, teks, iki, target in [
        (
            pegawai,
            "Usulan persetujuan teknis kenaikan pangkat disusun secara akurat dan "
            "diselesaikan tepat waktu",
            "Persentase usulan persetujuan teknis yang memenuhi syarat/tidak BTL",
            "90 – 95 %",
        ),
        (
            rekan,
            "Rekapitulasi capaian SKP triwulanan seluruh OPD tersaji",
            "Jumlah rekapitulasi tersaji",
            "4 rekap",
        ),
    ]:
        services.peran_hasil_simpan(
            matriks=m3,
            user=kasub.user,
            anggota=bawahan,
            kolom_kunci=k_kasub[0].kunci,
            peran_hasil=teks,
            cascading="langsung",
            dasar="aspek_tahapan",
            aspek="kualitas",
            indikator=iki,
            target=target,
        )
    services.matriks_terapkan(matriks=m3, user=kasub.user)

    # 5. The JF ketua tim: approved by the kabid, with a team matrix across units.
    jf, tim = p.get("fungsional"), p.get("tim")
    if jf is not None and jf.pejabat_penilai_id and jf.pejabat_penilai.user_id:
        s_jf = _skp(jf, periode)
        k_jf = services.rhk_tambah(
            skp=s_jf,
            user=jf.user,
            jenis="utama",
            rencana="Transformasi digital manajemen kinerja berjalan sesuai peta jalan",
            indikator=[_ind("waktu", "Tahapan peta jalan selesai", "Triwulan IV")],
        )
        _lengkapi_indikator(s_jf, jf.user)
        services.skp_ajukan(skp=s_jf, user=jf.user)
        services.skp_setujui(skp=s_jf, user=jf.pejabat_penilai.user)
        if tim is not None and tim.ketua_id == jf.pk:
            m4 = services.matriks_buat(pemimpin=jf, periode=periode, user=jf.user, tim=tim)
            for anggota in tim.anggota.order_by("nama"):
                services.peran_hasil_simpan(
                    matriks=m4,
                    user=jf.user,
                    anggota=anggota,
                    kolom_kunci=k_jf.kunci,
                    peran_hasil=f"Data kinerja {anggota.unit_kerja or 'unit'} termigrasi ke "
                    "aplikasi Kinerja",
                    cascading="tidak_langsung",
                    dasar="layanan",
                    indikator="Data termigrasi",
                    target="100 %",
                )
            services.matriks_terapkan(matriks=m4, user=jf.user)

    # 6. The colleague submits (the kasubbid's queue); the pelaksana keeps a draft to finish.
    s_rekan = _skp(rekan, periode)
    services.rhk_tambah(
        skp=s_rekan,
        user=rekan.user,
        jenis="tambahan",
        rencana="Menyusun bahan publikasi capaian kinerja di laman BKD",
        indikator=[_ind("kuantitas", "Jumlah publikasi", "2 publikasi")],
    )
    _lengkapi_indikator(s_rekan, rekan.user)
    _lampiran(s_rekan, rekan.user)
    services.skp_ajukan(skp=s_rekan, user=rekan.user)
    # Two more of the kasubbid's staff wait in her approval queue.
    lain = (
        Pegawai.objects.filter(pejabat_penilai=kasub, user__isnull=False)
        .exclude(pk__in=[pegawai.pk, rekan.pk])
        .exclude(status=Pegawai.Status.TUGAS_BELAJAR)
        .select_related("user")
        .order_by("nama")[:2]
    )
    for n, peg in enumerate(lain, start=1):
        s_lain = _skp(peg, periode)
        services.rhk_tambah(
            skp=s_lain,
            user=peg.user,
            jenis="utama",
            rhk_atasan=k_kasub[0],
            rencana=f"Verifikasi berkas penilaian kinerja OPD wilayah {n} terselesaikan",
            indikator=[_ind("kuantitas", "Jumlah berkas OPD diverifikasi", f"{10 + n} OPD")],
        )
        _lampiran(s_lain, peg.user)
        services.skp_ajukan(skp=s_lain, user=peg.user)
    services.skp_ajukan(skp=s_kabid, user=kabid.user)
    _skp_calon_mutasi(ctx, periode)


def _skp_calon_mutasi(ctx: dict[str, Any], periode: Periode) -> None:
    """An approved SKP for the pegawai the demo moves mid-year (kinerja.demo_org): the move
    closes it and starts a new one with the new penilai."""
    from kinerja.demo_org import calon_mutasi

    peg = calon_mutasi(ctx, periode.instansi)
    if peg is None or not peg.user_id or not peg.pejabat_penilai_id:
        return
    if not peg.pejabat_penilai.user_id or SKP.objects.filter(pegawai=peg, periode=periode).exists():
        return
    s = _skp(peg, periode)
    services.rhk_tambah(
        skp=s,
        user=peg.user,
        jenis="utama",
        rencana="Data kepegawaian unit termutakhirkan tepat waktu",
        indikator=[_ind("kuantitas", "Persentase data pegawai termutakhirkan", "100 %")],
    )
    services.skp_ajukan(skp=s, user=peg.user)
    services.skp_setujui(skp=s, user=peg.pejabat_penilai.user)


def _skp_tugas_belajar(ctx: dict[str, Any], periode: Periode) -> None:
    """The pegawai on tugas belajar (kinerja.demo_org.tugas_belajar) with a draft tugas belajar
    SKP: the study saved (its academic row and IPK target come from the regulation's bands),
    plus the other assignment agreed with the penilai (a learning journal shared with peers).
    A draft, so the study form can still be saved (and a stale copy of it refused)."""
    from kinerja.demo_org import tugas_belajar

    peg = tugas_belajar(ctx)
    if peg is None or SKP.objects.filter(pegawai=peg, periode=periode).exists():
        return
    penilai = peg.pejabat_penilai
    s = _skp(peg, periode)
    s1 = peg.golongan.startswith("II/")  # a diploma holder in golongan II studies for the S1
    services.skp_tugas_belajar_atur(
        skp=s,
        user=peg.user,
        perguruan_tinggi="Universitas Nusa Cendana",
        program_studi="Ilmu Administrasi Negara" if s1 else "Magister Administrasi Publik",
        jenjang=SKP.Jenjang.S1 if s1 else SKP.Jenjang.PROFESI_S2_S3,
        lokasi=SKP.Lokasi.DALAM_NEGERI,
        akreditasi_univ="B",
        akreditasi_prodi="B",
    )
    if penilai is not None and penilai.user_id:
        services.rhk_tambah(
            skp=SKP.objects.get(pk=s.pk),
            user=penilai.user,
            jenis="utama",
            rencana="Catatan pembelajaran selama studi dibagikan kepada rekan kerja di BKD",
            indikator=[
                _ind(
                    "kuantitas",
                    "Jumlah catatan pembelajaran dibagikan",
                    "2 catatan (satu per semester)",
                    "Unggahan di kanal berbagi pengetahuan BKD",
                )
            ],
        )
