"""Object builders of the access matrix: one per kind of object a URL points at.

Every builder takes the persona `org` and returns the object (or a dict of URL kwargs) that
belongs to org.pegawai of instansi A unless its name says otherwise, so the table can read
"the pegawai and her chain see it, instansi B does not". Stage objects are made through the
stage's own services where they exist, so they are in the states real users create.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BUILDERS: dict[str, Callable[[Any], Any]] = {}


def builder(name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    def deco(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        BUILDERS[name] = fn
        return fn

    return deco


def build(name: str | None, org: Any) -> Any:
    if name is None:
        return None
    try:
        return BUILDERS[name](org)
    except KeyError:
        raise AssertionError(
            f"No object builder {name!r}: add one to tests/security/objects.py"
        ) from None


# --- kernel -----------------------------------------------------------------------------------
@builder("notifikasi")
def notifikasi(org: Any) -> Any:
    from kinerja.models import Notifikasi

    return Notifikasi.objects.create(
        penerima=org.pegawai.user, jenis="uji", pesan="Pesan uji", tautan="/"
    )


@builder("job")
def job(org: Any) -> Any:
    from kinerja.models import Job

    return Job.objects.create(task="uji.tugas", dibuat_oleh=org.pegawai.user, kwargs={})


@builder("pegawai")
def pegawai(org: Any) -> Any:
    return org.pegawai


@builder("instansi")
def instansi(org: Any) -> Any:
    return org.instansi_a


@builder("unit")
def unit(org: Any) -> Any:
    return org.unit_bidang


@builder("jabatan")
def jabatan(org: Any) -> Any:
    return org.pegawai.jabatan


@builder("tim")
def tim(org: Any) -> Any:
    return org.tim


@builder("periode")
def periode(org: Any) -> Any:
    return org.periode_a


@builder("user_pegawai")
def user_pegawai(org: Any) -> Any:
    return org.pegawai.user


@builder("group")
def group(org: Any) -> Any:
    from django.contrib.auth.models import Group

    return Group.objects.create(name="Kelompok uji")


@builder("token_pegawai")
def token_pegawai(org: Any) -> Any:
    """The admin lists tokens by their user (TokenProxy's pk is the user's)."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=org.pegawai.user)[0]
    return {"object_id": token.user_id}


@builder("token_integrasi")
def token_integrasi(org: Any) -> Any:
    """An integration token of instansi A, made by its admin."""
    import datetime as dt

    from django.utils import timezone

    from kinerja.akses.services import token_integrasi_buat

    token, _ = token_integrasi_buat(
        user=org.admin_a,
        instansi=org.instansi_a,
        nama="Sinkron SIASN",
        cakupan="baca",
        berlaku_sampai=timezone.now() + dt.timedelta(days=30),
    )
    return token


@builder("axes_attempt")
def axes_attempt(org: Any) -> Any:
    from axes.models import AccessAttempt

    return AccessAttempt.objects.create(
        username="x",
        ip_address="127.0.0.1",
        user_agent="t",
        failures_since_start=1,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
    )


@builder("axes_log")
def axes_log(org: Any) -> Any:
    from axes.models import AccessLog

    return AccessLog.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="t", http_accept="", path_info="/"
    )


@builder("axes_failure")
def axes_failure(org: Any) -> Any:
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.create(
        username="x",
        ip_address="127.0.0.1",
        user_agent="t",
        http_accept="",
        path_info="/",
        locked_out=False,
    )


@builder("dokumen")
def dokumen(org: Any) -> Any:
    from kinerja.pdf import dokumen_simpan

    return dokumen_simpan(
        jenis="skp",
        judul="Dokumen uji",
        data=b"%PDF-1.4 uji",
        nama_berkas="uji.pdf",
        objek=org.pegawai,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
    )


@builder("app_label_auth")
def app_label_auth(org: Any) -> Any:
    return {"app_label": "auth"}


@builder("pegawai_ct")
def pegawai_ct(org: Any) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from kinerja.models import Pegawai

    return {
        "content_type_id": ContentType.objects.get_for_model(Pegawai).pk,
        "object_id": org.pegawai.pk,
    }


@builder("admin_url")
def admin_url(org: Any) -> Any:
    return {"url": "tidak-ada/"}


# Builders whose objects the API fuzzing and the load data need (stage objects, when present).
STAGE_OBJECTS: list[str] = []


def build_stage_objects(org: Any) -> dict[str, Any]:
    """Every stage object (SKP, umpan balik, evaluasi, ...) for org.pegawai, for API fuzzing."""
    return {name: BUILDERS[name](org) for name in STAGE_OBJECTS}


# --- stage objects (built through the stages' own services) ----------------------------------
def _memo(org: Any, key: str, make: Callable[[], Any]) -> Any:
    """One object per org and test: builders that need the same SKP share it. The org lives
    for a module; each test's savepoint rolls its objects back, so re-check existence."""
    cache = org.__dict__.setdefault("_sec_cache", {})
    obj = cache.get(key)
    if obj is None or not type(obj)._default_manager.filter(pk=obj.pk).exists():
        cache[key] = obj = make()
    return obj


def _skp(org: Any) -> Any:
    """The pegawai's SKP, draft, one utama rencana hasil kerja."""
    from skp import services

    def make():
        from skp.models import SKP

        peg = org.pegawai
        old = SKP.objects.filter(pegawai=peg, periode=org.periode_a).first()
        if old is not None:
            return old
        skp = services.skp_buat(pegawai=peg, periode=org.periode_a, user=peg.user)
        services.rhk_tambah(
            skp=skp,
            user=peg.user,
            jenis="utama",
            rencana="Data kinerja diolah tepat waktu",
            indikator=[{"aspek": "kualitas", "indikator": "Ketepatan", "target": "90 %"}],
        )
        return skp

    return _memo(org, "skp", make)


@builder("skp")
def skp(org: Any) -> Any:
    return _skp(org)


@builder("skp_diajukan")
def skp_diajukan(org: Any) -> Any:
    from skp import services

    s = _skp(org)
    if s.status == "draft":
        s = services.skp_ajukan(skp=s, user=org.pegawai.user)
    return s


@builder("rhk")
def rhk(org: Any) -> Any:
    s = _skp(org)
    r = s.rencana_set.first()
    return {"pk": s.pk, "rid": r.pk, "arah": "bawah"}


@builder("rhk_obj")
def rhk_obj(org: Any) -> Any:
    return _skp(org).rencana_set.first()


@builder("skp_dokumen")
def skp_dokumen(org: Any) -> Any:
    from kinerja.pdf import dokumen_simpan

    s = _skp(org)
    d = dokumen_simpan(
        jenis="skp",
        judul="SKP uji",
        data=b"%PDF-1.4 uji",
        nama_berkas="skp.pdf",
        objek=s,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
    )
    return {"pk": s.pk, "dok": d.pk}


@builder("matriks")
def matriks(org: Any) -> Any:
    """The pejabat penilai's (kasubbid) matriks peran hasil for her team."""
    from skp import services

    def make():
        k = org.kasubbid
        services.skp_buat(pegawai=k, periode=org.periode_a, user=k.user)
        return services.matriks_buat(pemimpin=k, periode=org.periode_a, user=k.user)

    m = _memo(org, "matriks", make)
    return m


@builder("matriks_kw")
def matriks_kw(org: Any) -> Any:
    return {"mid": matriks(org).pk}


@builder("matriks_sel")
def matriks_sel(org: Any) -> Any:
    from skp.models import PeranHasil

    m = matriks(org)
    sel = PeranHasil.objects.filter(matriks=m).first()
    return {"mid": m.pk, "sid": sel.pk if sel else 999999}


@builder("umpan_balik")
def umpan_balik(org: Any) -> Any:
    from dialog import services

    return _memo(
        org,
        "ub",
        lambda: services.umpan_balik_beri(
            user=org.kasubbid.user,
            penerima=org.pegawai,
            jenis="apresiasi",
            isi="Bagus sekali",
        ),
    )


@builder("penugasan")
def penugasan(org: Any) -> Any:
    """Proposed by kadis (another unit) for the pegawai; awaiting her penilai."""
    from dialog import services

    return _memo(
        org,
        "penugasan",
        lambda: services.penugasan_usulkan(
            user=org.kadis.user,
            penerima=org.pegawai,
            uraian="Bantu migrasi data",
            hasil_diharapkan="Data termigrasi",
        ),
    )


@builder("peluang")
def peluang(org: Any) -> Any:
    """An opportunity opened by the pegawai's penilai in her unit."""
    from dialog import services

    return _memo(
        org,
        "peluang",
        lambda: services.peluang_buka(
            user=org.kasubbid.user,
            judul="Tim survei",
            uraian="Survei kepuasan",
            hasil_diharapkan="Laporan survei",
        ),
    )


def _skp_disetujui(org: Any) -> Any:
    from tests.evaluasi.conftest import skp_disetujui as make

    return _memo(org, "skp_ok", lambda: make(org.pegawai, org.periode_a))


@builder("rhk_disetujui")
def rhk_disetujui(org: Any) -> Any:
    return _skp_disetujui(org).rencana_set.order_by("urutan").first()


@builder("realisasi")
def realisasi(org: Any) -> Any:
    from dialog import services

    return _memo(
        org,
        "realisasi",
        lambda: services.realisasi_simpan(
            user=org.pegawai.user,
            rencana_hasil_kerja=rhk_disetujui(org),
            urutan=1,
            uraian="120 berkas diolah",
        ),
    )


@builder("bukti")
def bukti(org: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dialog import services
    from tests.dialog.conftest import pdf_bytes

    return _memo(
        org,
        "bukti",
        lambda: services.bukti_unggah(
            user=org.pegawai.user,
            realisasi=realisasi(org),
            judul="Laporan",
            berkas=SimpleUploadedFile("laporan.pdf", pdf_bytes(), "application/pdf"),
        ),
    )


@builder("dialog_kinerja")
def dialog_kinerja(org: Any) -> Any:
    import datetime as dt

    from django.utils import timezone

    from dialog import services

    return _memo(
        org,
        "dialog",
        lambda: services.dialog_catat(
            user=org.kasubbid.user,
            pegawai=org.pegawai,
            jenis="check_in",
            waktu=timezone.now(),
            agenda="Cek kemajuan",
            catatan="Lancar",
            tindak_lanjut=[("Lengkapi data", timezone.localdate() + dt.timedelta(days=7), None)],
        ),
    )


@builder("tindak_lanjut")
def tindak_lanjut(org: Any) -> Any:
    return dialog_kinerja(org).tindak_lanjut_set.first()


@builder("pegawai_tahun")
def pegawai_tahun(org: Any) -> Any:
    return {"pk": org.pegawai.pk, "tahun": org.periode_a.tahun}


@builder("evaluasi")
def evaluasi(org: Any) -> Any:
    """The pegawai's annual evaluation, draft, started by her penilai."""
    from evaluasi import services

    def make():
        _skp_disetujui(org)
        return services.evaluasi_mulai(
            user=org.kasubbid.user,
            pegawai=org.pegawai,
            periode=org.periode_a,
            jenis="tahunan",
            urutan=None,
        )

    return _memo(org, "evaluasi", make)


@builder("evaluasi_nilai")
def evaluasi_nilai(org: Any) -> Any:
    _skp_disetujui(org)
    return {"pegawai_id": org.pegawai.pk, "kode": "akhir"}


@builder("evaluasi_dokumen")
def evaluasi_dokumen(org: Any) -> Any:
    from kinerja.pdf import dokumen_simpan

    ev = evaluasi(org)
    return dokumen_simpan(
        jenis="evaluasi",
        judul="Evaluasi uji",
        data=b"%PDF-1.4 uji",
        nama_berkas="ev.pdf",
        objek=ev,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
    )


@builder("evaluasi_final")
def evaluasi_final(org: Any) -> Any:
    """The pegawai's first periodic evaluation, rated and final (shown to her): the one a
    keberatan is filed against. Periodic, so it never collides with the annual draft."""
    from evaluasi import services

    def make():
        _skp_disetujui(org)
        ev = services.evaluasi_mulai(
            user=org.kasubbid.user,
            pegawai=org.pegawai,
            periode=org.periode_a,
            jenis="periodik",
            urutan=1,
        )
        ev = services.evaluasi_simpan(
            user=org.kasubbid.user,
            evaluasi=ev,
            row_version=ev.row_version,
            rating_hasil_kerja="sesuai_ekspektasi",
            rating_perilaku_kerja="sesuai_ekspektasi",
        )
        return services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)

    return _memo(org, "evaluasi_final", make)


@builder("keberatan")
def keberatan(org: Any) -> Any:
    """The pegawai's open keberatan (with one attachment) against that evaluation; it goes to
    her atasan pejabat penilai (kabid)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evaluasi import services
    from tests.dialog.conftest import pdf_bytes

    return _memo(
        org,
        "keberatan",
        lambda: services.keberatan_ajukan(
            user=org.pegawai.user,
            evaluasi=evaluasi_final(org),
            alasan="Capaian di atas target tidak dipertimbangkan.",
            lampiran=[SimpleUploadedFile("bukti.pdf", pdf_bytes(), "application/pdf")],
        ),
    )


@builder("keberatan_lampiran")
def keberatan_lampiran(org: Any) -> Any:
    return keberatan(org).lampiran_set.first()


@builder("kasus_sanksi")
def kasus_sanksi(org: Any) -> Any:
    def make():
        # Written to the tables: here the pegawai's annual evaluation is a draft (other objects
        # need it), and the service opens a case only on a final Kurang / Sangat Kurang (or box
        # 1). The service itself is exercised in tests/evaluasi and in the audit.
        from django.utils import timezone

        from evaluasi import rules
        from evaluasi.models import KasusSanksi, LangkahSanksi

        k = KasusSanksi.objects.create(
            pegawai=org.pegawai,
            periode=org.periode_a,
            jalur=rules.JALUR_JA_JF,
            predikat_pemicu=rules.SANGAT_KURANG,
            alasan="Uji",
            dibuka_oleh=org.admin_a,
        )
        mulai = timezone.localdate()
        LangkahSanksi.objects.create(
            kasus=k,
            langkah=rules.PERBAIKAN,
            mulai=mulai,
            batas=rules.batas_langkah(rules.PERBAIKAN, mulai),
            diputuskan_oleh=org.admin_a,
        )
        return k

    return _memo(org, "sanksi", make)


@builder("kinerja_organisasi")
def kinerja_organisasi(org: Any) -> Any:
    from evaluasi.models import KinerjaOrganisasi

    return _memo(
        org,
        "ko",
        lambda: KinerjaOrganisasi.objects.create(
            unit_kerja=org.unit_bidang,
            periode=org.periode_a,
            jenis="tahunan",
            predikat="baik",
        ),
    )


@builder("verifikasi")
def verifikasi(org: Any) -> Any:
    return {"kode": dokumen(org).kode}


@builder("pohon_unit")
def pohon_unit(org: Any) -> Any:
    return {"unit_id": org.unit_bidang.pk}


@builder("pohon_simpul")
def pohon_simpul(org: Any) -> Any:
    return {"rhk_id": rhk_disetujui(org).pk}


@builder("permintaan_umpan_balik")
def permintaan_umpan_balik(org: Any) -> Any:
    from dialog import services

    return _memo(
        org,
        "minta",
        lambda: services.umpan_balik_minta(
            user=org.pegawai.user,
            diminta=org.rekan,
            pesan="Mohon masukan",
        ),
    )


@builder("permintaan_no_history")
def permintaan_no_history(org: Any) -> Any:
    return {"__args__": [permintaan_umpan_balik(org).pk, 1]}


@builder("klarifikasi")
def klarifikasi(org: Any) -> Any:
    """The klarifikasi ekspektasi recorded when her penilai approves the proposed work."""
    from dialog import services
    from dialog.models import KlarifikasiEkspektasi

    def make():
        p = penugasan(org)
        services.penugasan_setujui(user=org.kasubbid.user, penugasan=p, ekspektasi="Rapi")
        return KlarifikasiEkspektasi.objects.filter(penugasan=p).first()

    return _memo(org, "klarifikasi", make)


@builder("siasn_kiriman")
def siasn_kiriman(org: Any) -> Any:
    """A refused send of the pegawai's final periodic evaluation to SIASN (the push's log)."""
    from evaluasi.siasn.models import Kiriman

    def make():
        ev = evaluasi_final(org)
        return Kiriman.objects.create(
            instansi=org.instansi_a,
            evaluasi=ev,
            pegawai=org.pegawai,
            jenis="kinerja_periodik",
            tahun=org.periode_a.tahun,
            urutan=ev.urutan,
            sidik="uji",
            status="ditolak",
            kode_status=400,
            jawaban='{"success": false, "message": "Data tidak valid"}',
        )

    return _memo(org, "siasn_kiriman", make)


@builder("siasn_referensi")
def siasn_referensi(org: Any) -> Any:
    """One code of instansi A's SIASN reference table, as its admin keeps it."""
    from evaluasi.siasn.models import ReferensiSiasn

    return _memo(
        org,
        "siasn_referensi",
        lambda: ReferensiSiasn.objects.create(
            instansi=org.instansi_a, jenis="kuadran", kode="baik", nilai="2", diperiksa=True
        ),
    )


@builder("siasn_identitas")
def siasn_identitas(org: Any) -> Any:
    """SIASN's id of the pegawai, as the push learnt it."""
    from evaluasi.siasn.models import IdentitasSiasn

    return _memo(
        org,
        "siasn_identitas",
        lambda: IdentitasSiasn.objects.create(pegawai=org.pegawai, pns_id="PNS-UJI-1"),
    )


# Order matters: the approved SKP (evaluation, realisasi) first; "skp" then reuses it.
STAGE_OBJECTS += [
    "evaluasi",
    "keberatan",
    "realisasi",
    "umpan_balik",
    "penugasan",
    "dialog_kinerja",
    "kinerja_organisasi",
    "skp",
]


# --- organisation over time (issue 16) ------------------------------------------------------
@builder("mutasi_terjadwal")
def mutasi_terjadwal(org: Any) -> Any:
    """A change of org.pegawai's position scheduled a month ahead (cancellable)."""
    import datetime as dt

    from django.utils import timezone

    from kinerja import mutasi

    return _memo(
        org,
        "mutasi",
        lambda: mutasi.mutasi_catat(
            user=org.admin_a,
            pegawai=org.pegawai,
            jenis="rotasi",
            tmt=timezone.localdate() + dt.timedelta(days=30),
            jabatan_baru=org.rekan.jabatan,
        ),
    )


@builder("pegawai_riwayat")
def pegawai_riwayat(org: Any) -> Any:
    return {"pegawai_pk": org.pegawai.pk}


@builder("pilih_jabatan")
def pilih_jabatan(org: Any) -> Any:
    return {"jenis": "jabatan"}


@builder("restrukturisasi")
def restrukturisasi_draf(org: Any) -> Any:
    """A draft restructuring of instansi A (a month ahead) with one step."""
    import datetime as dt

    from django.utils import timezone

    from kinerja import restrukturisasi

    def make():
        r = restrukturisasi.restrukturisasi_buat(
            user=org.admin_a,
            instansi=org.instansi_a,
            nama="SOTK uji",
            tmt=timezone.localdate() + dt.timedelta(days=30),
        )
        restrukturisasi.langkah_tambah(
            user=org.admin_a, restrukturisasi=r, jenis="unit_baru", nama="UPT Uji"
        )
        r.refresh_from_db()
        return r

    return _memo(org, "restrukturisasi", make)


@builder("langkah")
def langkah(org: Any) -> Any:
    r = restrukturisasi_draf(org)
    return {"pk": r.pk, "langkah": r.langkah_set.first().pk}


@builder("hak_akses")
def hak_akses(org: Any) -> Any:
    """An explicit grant of instansi A: kadis audits the pegawai's unit (kinerja.akses.hibah)."""
    from kinerja.akses import hibah
    from kinerja.waktu import hari_ini

    return hibah.hak_khusus_beri(
        user=org.admin_a,
        instansi=org.instansi_a,
        jenis="auditor",
        penerima=org.kadis,
        objek_id=org.unit_bidang.pk,
        mulai=hari_ini(),
        selesai=None,
        alasan="Surat tugas Inspektorat",
    )
