"""A small but complete organisation with one of every persona the access matrix needs.

Instansi A is a province (daerah); instansi B a regency. Everyone's password is PASSWORD.

    gubernur (pimpinan instansi A)      rates sekda, kepala_bkd, kadis (JPT in a daerah)
    kepala_bkd (JPT Pratama, BKD)       rates kabid
    kabid (administrator)               rates kasubbid, fungsional; atasan penilai of pegawai
    kasubbid (pengawas)                 rates pegawai, rekan
    pegawai (pelaksana, PPPK)           the person most tests are about
    rekan (pelaksana)                   the pegawai's peer
    fungsional (JF analis SDM)          ketua of a cross-unit TimKerja with pegawai in it
    kadis (JPT Pratama, Diskominfo)     an assigning official from another unit
    staf_dinas (pelaksana, Diskominfo)  rated by kadis
    admin_a                             admin BKD of instansi A (not a pegawai)
    admin_b, pegawai_b, kepala_b        instansi B
    superuser
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from kinerja.models import Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja, User
from kinerja.rules import make_nip
from kinerja.services import penilai_refresh

PASSWORD = "Rahasia-Kinerja-2026"


@dataclass
class Org:
    instansi_a: Instansi
    instansi_b: Instansi
    periode_a: Periode
    periode_b: Periode
    unit_bkd: UnitKerja
    unit_bidang: UnitKerja
    unit_dinas: UnitKerja
    tim: TimKerja
    gubernur: Pegawai
    sekda: Pegawai
    kepala_bkd: Pegawai
    kabid: Pegawai
    kasubbid: Pegawai
    pegawai: Pegawai
    rekan: Pegawai
    fungsional: Pegawai
    kadis: Pegawai
    staf_dinas: Pegawai
    pegawai_b: Pegawai
    kepala_b: Pegawai
    admin_a: User
    admin_b: User
    superuser: User

    def user(self, name: str) -> User:
        obj = getattr(self, name)
        return obj if isinstance(obj, User) else obj.user


_seq = [0]


def _pegawai(instansi, nama, jabatan, *, pppk=False, golongan="III/a", nip=True, **kw) -> Pegawai:
    _seq[0] += 1
    n = _seq[0]
    number = (
        make_nip(
            dt.date(1980 + n % 15, 1 + n % 12, 1 + n % 27),
            dt.date(2013, 3, 1),  # TMT at 19 or older for every birth year used
            n % 2 == 0,
            n,
            pppk=pppk,
        )
        if nip
        else None
    )
    username = number or f"pejabat{n}"
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=nama[:150],
        email=f"{username}@contoh.go.id",
    )
    return Pegawai.objects.create(
        user=user,
        instansi=instansi,
        nip=number,
        nama=nama,
        jenis_asn=(
            Pegawai.JenisASN.PPPK
            if pppk
            else Pegawai.JenisASN.PNS
            if nip
            else Pegawai.JenisASN.PEJABAT_NEGARA
        ),
        golongan="IX" if pppk else (golongan if nip else ""),
        jabatan=jabatan,
        unit_kerja=jabatan.unit_kerja if jabatan else None,
        email=user.email,
        **kw,
    )


def build_org() -> Org:
    year = timezone.localdate().year
    a = Instansi.objects.create(
        kode="P53", nama="Pemerintah Provinsi Nusa Tenggara Timur", jenis="daerah", kota="Kupang"
    )
    b = Instansi.objects.create(
        kode="K5301", nama="Pemerintah Kabupaten Kupang", jenis="daerah", kota="Oelamasi"
    )
    prov = UnitKerja.objects.create(instansi=a, nama="Pemerintah Provinsi NTT")
    setda = UnitKerja.objects.create(instansi=a, induk=prov, nama="Sekretariat Daerah")
    bkd = UnitKerja.objects.create(
        instansi=a, induk=prov, nama="Badan Kepegawaian Daerah", singkatan="BKD"
    )
    bidang = UnitKerja.objects.create(instansi=a, induk=bkd, nama="Bidang Penilaian Kinerja")
    dinas = UnitKerja.objects.create(
        instansi=a, induk=prov, nama="Dinas Komunikasi dan Informatika", singkatan="Diskominfo"
    )
    J = Jabatan.Jenis
    j_gub = Jabatan.objects.create(
        unit_kerja=prov, nama="Gubernur", jenis=J.PIMPINAN_INSTANSI, kepala_unit=True
    )
    j_sekda = Jabatan.objects.create(
        unit_kerja=setda,
        nama="Sekretaris Daerah",
        jenis=J.JPT_MADYA,
        atasan=j_gub,
        kepala_unit=True,
    )
    j_kbkd = Jabatan.objects.create(
        unit_kerja=bkd,
        nama="Kepala Badan Kepegawaian Daerah",
        jenis=J.JPT_PRATAMA,
        atasan=j_sekda,
        kepala_unit=True,
    )
    j_kabid = Jabatan.objects.create(
        unit_kerja=bidang,
        nama="Kepala Bidang Penilaian Kinerja",
        jenis=J.ADMINISTRATOR,
        atasan=j_kbkd,
        kepala_unit=True,
    )
    j_kasub = Jabatan.objects.create(
        unit_kerja=bidang,
        nama="Kepala Subbidang Evaluasi Kinerja",
        jenis=J.PENGAWAS,
        atasan=j_kabid,
    )
    j_pel = Jabatan.objects.create(
        unit_kerja=bidang, nama="Pengolah Data Kinerja", jenis=J.PELAKSANA, atasan=j_kasub
    )
    j_pel2 = Jabatan.objects.create(
        unit_kerja=bidang, nama="Analis Kinerja Pegawai", jenis=J.PELAKSANA, atasan=j_kasub
    )
    j_jf = Jabatan.objects.create(
        unit_kerja=bidang,
        nama="Analis SDM Aparatur Ahli Muda",
        jenis=J.FUNGSIONAL,
        jenjang="ahli_muda",
        atasan=j_kabid,
    )
    j_kadis = Jabatan.objects.create(
        unit_kerja=dinas,
        nama="Kepala Dinas Kominfo",
        jenis=J.JPT_PRATAMA,
        atasan=j_sekda,
        kepala_unit=True,
    )
    j_stafd = Jabatan.objects.create(
        unit_kerja=dinas, nama="Pranata Komputer", jenis=J.PELAKSANA, atasan=j_kadis
    )
    kab = UnitKerja.objects.create(instansi=b, nama="Pemerintah Kabupaten Kupang")
    bkpsdm = UnitKerja.objects.create(instansi=b, induk=kab, nama="BKPSDM Kabupaten Kupang")
    j_bup = Jabatan.objects.create(
        unit_kerja=kab, nama="Bupati", jenis=J.PIMPINAN_INSTANSI, kepala_unit=True
    )
    j_kb = Jabatan.objects.create(
        unit_kerja=bkpsdm, nama="Kepala BKPSDM", jenis=J.JPT_PRATAMA, atasan=j_bup, kepala_unit=True
    )
    j_pb = Jabatan.objects.create(
        unit_kerja=bkpsdm, nama="Pengelola Kepegawaian", jenis=J.PELAKSANA, atasan=j_kb
    )

    gub = _pegawai(a, "Viktor Laiskodat", j_gub, nip=False)
    sekda = _pegawai(a, "Kosmas Lana", j_sekda, golongan="IV/d")
    kbkd = _pegawai(a, "Maria Goreti Wuwur", j_kbkd, golongan="IV/c")
    kabid = _pegawai(a, "Yohanes Bria", j_kabid, golongan="IV/a")
    kasub = _pegawai(a, "Fransiska Nenobais", j_kasub, golongan="III/d")
    peg = _pegawai(a, "Agustina Mbete", j_pel, pppk=True)
    rekan = _pegawai(a, "Daniel Tallo", j_pel2, golongan="III/b")
    jf = _pegawai(a, "Elisabeth Manafe", j_jf, golongan="III/c")
    kadis = _pegawai(a, "Aba Maulaka", j_kadis, golongan="IV/b")
    stafd = _pegawai(a, "Rudolf Amalo", j_stafd, golongan="II/c")
    _pegawai(b, "Korinus Masneno", j_bup, nip=False)
    kb = _pegawai(b, "Obed Kadja", j_kb, golongan="IV/b")
    pb = _pegawai(b, "Yuliana Lenggu", j_pb, golongan="III/a")

    tim = TimKerja.objects.create(instansi=a, nama="Tim Transformasi Digital Kinerja", ketua=jf)
    tim.anggota.add(peg, stafd)
    admin_a = User.objects.create_user(
        "admin.bkd.ntt",
        password=PASSWORD,
        admin_instansi=a,
        first_name="Admin BKD NTT",
        email="admin@bkd.ntt.go.id",
    )
    admin_b = User.objects.create_user(
        "admin.bkpsdm.kupang",
        password=PASSWORD,
        admin_instansi=b,
        first_name="Admin BKPSDM Kupang",
        email="admin@kupang.go.id",
    )
    su = User.objects.create_superuser("root", "root@kinerja.local", PASSWORD)
    pa = Periode.objects.create(
        instansi=a,
        tahun=year,
        frekuensi="triwulanan",
        status="berjalan",
        batas_perencanaan=dt.date(year, 1, 31),
    )
    pb_ = Periode.objects.create(
        instansi=b,
        tahun=year,
        frekuensi="semesteran",
        status="berjalan",
        batas_perencanaan=dt.date(year, 1, 31),
    )
    penilai_refresh(instansi=a)
    penilai_refresh(instansi=b)
    objs = {p.pk: p for p in Pegawai.objects.select_related("user", "jabatan", "unit_kerja")}
    r = lambda p: objs[p.pk]  # noqa: E731  re-read: penilai fields were filled in bulk
    return Org(
        instansi_a=a,
        instansi_b=b,
        periode_a=pa,
        periode_b=pb_,
        unit_bkd=bkd,
        unit_bidang=bidang,
        unit_dinas=dinas,
        tim=tim,
        gubernur=r(gub),
        sekda=r(sekda),
        kepala_bkd=r(kbkd),
        kabid=r(kabid),
        kasubbid=r(kasub),
        pegawai=r(peg),
        rekan=r(rekan),
        fungsional=r(jf),
        kadis=r(kadis),
        staf_dinas=r(stafd),
        pegawai_b=r(pb),
        kepala_b=r(kb),
        admin_a=admin_a,
        admin_b=admin_b,
        superuser=su,
    )


def beri_plh(org: Org):
    """Instansi A's admin names the kepala dinas Plh of the kasubbid from today (a grant that
    changes what the kadis may do): the grant row."""
    from kinerja import waktu
    from kinerja.akses import hibah

    return hibah.hak_khusus_beri(
        user=org.admin_a,
        instansi=org.instansi_a,
        jenis="plh",
        penerima=org.kadis,
        objek_id=org.kasubbid.pk,
        mulai=waktu.hari_ini(),
        selesai=None,
        alasan="SK Gubernur No. 800/123/2026",
    )
