"""The organisation Kinerja serves, and the shared kernel's rows (notifications, jobs, documents).

Who rates whom is derived from positions by `kinerja.rules.derive_penilai` and stored on Pegawai
(`pejabat_penilai`, `atasan_pejabat_penilai`) by `kinerja.services.penilai_refresh`, so that access
checks at provincial scale are a single indexed filter, not a walk up the position tree.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kinerja.sinkron import LINGKUP_PENGGUNA, Sinkron


class User(AbstractUser):
    """A login. For ASN the username is the NIP (NI PPPK for PPPK)."""

    admin_instansi = models.ForeignKey(
        "kinerja.Instansi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="admin_set",
        verbose_name="admin BKD untuk instansi",
    )

    class Meta:
        verbose_name = "pengguna"
        verbose_name_plural = "pengguna"

    def clean(self) -> None:
        """An account belongs to at most one instansi: as its pegawai or as its admin."""
        super().clean()
        if self.pk and self.admin_instansi_id:
            other = Pegawai.objects.filter(user_id=self.pk).exclude(
                instansi_id=self.admin_instansi_id
            )
            if other.exists():
                raise ValidationError(
                    {
                        "admin_instansi": "Akun ini milik pegawai instansi lain; satu akun hanya "
                        "boleh terikat pada satu instansi."
                    }
                )

    @property
    def pegawai_or_none(self) -> Pegawai | None:
        try:
            return self.pegawai
        except Pegawai.DoesNotExist:
            return None


class Instansi(Sinkron):
    sinkron_jenis = "instansi"

    class Jenis(models.TextChoices):
        PUSAT = "pusat", "Instansi Pusat"
        DAERAH = "daerah", "Instansi Daerah"

    kode = models.CharField(max_length=20, unique=True)
    nama = models.CharField(max_length=200)
    jenis = models.CharField(max_length=10, choices=Jenis.choices)
    kota = models.CharField("tempat penandatanganan", max_length=100, blank=True)
    pejabat_keberatan = models.ForeignKey(
        "kinerja.Pegawai",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Penerima keberatan bila pejabat penilai tidak memiliki atasan di instansi.",
    )
    # db_default too: rows inserted by hand-written SQL (bench, bulk loads) start at 1.
    row_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        # Explicit grants (django-guardian object permissions; kinerja.akses.hibah).
        permissions = [
            ("putuskan_keberatan", "Memutus keberatan yang tidak memiliki atasan penilai")
        ]
        verbose_name = "instansi"
        verbose_name_plural = "instansi"
        ordering = ["nama"]

    def __str__(self) -> str:
        return self.nama

    def sinkron_lingkup(self) -> dict:
        return {"lingkup": "instansi", "instansi_id": self.pk}


class UnitKerja(Sinkron):
    sinkron_jenis = "unit-kerja"

    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT, related_name="unit_set")
    induk = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="anak_set"
    )
    nama = models.CharField(max_length=200)
    singkatan = models.CharField(max_length=40, blank=True)
    mandiri = models.BooleanField(
        "unit kerja mandiri",
        default=False,
        help_text="Pimpinan unit mandiri dinilai oleh pimpinan instansi atau pimpinan koordinator.",
    )
    penilai_jabatan = models.ForeignKey(
        "kinerja.Jabatan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="jabatan penilai pimpinan unit mandiri",
        help_text="Kosong: pimpinan instansi (Kepala Daerah / Menteri).",
    )
    # The unit's id in SIASN's unit reference (UNOR), so a re-import updates instead of adding.
    siasn_id = models.CharField("ID UNOR SIASN", max_length=64, null=True, blank=True)
    # Closed by a restructuring from this date: kept for history, offered for nothing new.
    ditutup = models.DateField("ditutup sejak", null=True, blank=True)
    # db_default too: rows inserted by hand-written SQL (bench, bulk loads) start at 1.
    row_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        # Explicit grants (django-guardian object permissions; kinerja.akses.hibah).
        permissions = [("audit_baca", "Membaca SKP dan evaluasi unit (auditor)")]
        verbose_name = "unit kerja"
        verbose_name_plural = "unit kerja"
        ordering = ["instansi_id", "nama"]
        indexes = [models.Index(fields=["instansi", "induk"])]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "siasn_id"],
                condition=Q(siasn_id__isnull=False),
                name="unit_siasn_unik",
            )
        ]

    def __str__(self) -> str:
        return self.nama

    def clean(self) -> None:
        """The parent is in the same instansi and never the unit itself or one of its own
        descendants (the tree stays a tree)."""
        super().clean()
        if not self.induk_id:
            return
        if self.induk.instansi_id != self.instansi_id:
            raise ValidationError({"induk": "Unit induk harus di instansi yang sama."})
        node, seen = self.induk, set()
        while node is not None and node.pk not in seen:
            if self.pk and node.pk == self.pk:
                raise ValidationError(
                    {"induk": "Unit induk tidak boleh unit ini sendiri atau unit di bawahnya."}
                )
            seen.add(node.pk)
            node = node.induk


class Jabatan(Sinkron):
    sinkron_jenis = "jabatan"

    class Jenis(models.TextChoices):
        PIMPINAN_INSTANSI = "pimpinan_instansi", "Pimpinan Instansi (Kepala Daerah/Menteri)"
        JPT_UTAMA = "jpt_utama", "JPT Utama"
        JPT_MADYA = "jpt_madya", "JPT Madya"
        JPT_PRATAMA = "jpt_pratama", "JPT Pratama"
        ADMINISTRATOR = "administrator", "Administrator"
        PENGAWAS = "pengawas", "Pengawas"
        PELAKSANA = "pelaksana", "Pelaksana"
        FUNGSIONAL = "fungsional", "Fungsional"

    class Jenjang(models.TextChoices):
        PEMULA = "pemula", "Pemula"
        TERAMPIL = "terampil", "Terampil"
        MAHIR = "mahir", "Mahir"
        PENYELIA = "penyelia", "Penyelia"
        AHLI_PERTAMA = "ahli_pertama", "Ahli Pertama"
        AHLI_MUDA = "ahli_muda", "Ahli Muda"
        AHLI_MADYA = "ahli_madya", "Ahli Madya"
        AHLI_UTAMA = "ahli_utama", "Ahli Utama"

    unit_kerja = models.ForeignKey(UnitKerja, on_delete=models.PROTECT, related_name="jabatan_set")
    nama = models.CharField(max_length=200)
    jenis = models.CharField(max_length=20, choices=Jenis.choices)
    jenjang = models.CharField(max_length=20, choices=Jenjang.choices, blank=True)
    atasan = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="bawahan_set"
    )
    kepala_unit = models.BooleanField(
        default=False, help_text="Jabatan ini memimpin unit kerjanya."
    )
    # The SIASN UNOR id of the unit this position heads (imported from the unit reference).
    siasn_id = models.CharField("ID UNOR SIASN", max_length=64, null=True, blank=True)
    ditutup = models.DateField("ditutup sejak", null=True, blank=True)
    # db_default too: rows inserted by hand-written SQL (bench, bulk loads) start at 1.
    row_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "jabatan"
        verbose_name_plural = "jabatan"
        ordering = ["unit_kerja_id", "nama"]
        indexes = [
            models.Index(fields=["unit_kerja", "nama"], name="jabatan_unit_nama"),
            models.Index(fields=["siasn_id"], name="jabatan_siasn"),
        ]

    def __str__(self) -> str:
        return self.nama

    def sinkron_lingkup(self) -> dict:
        return {"lingkup": "instansi", "instansi_id": self.unit_kerja.instansi_id}

    def clean(self) -> None:
        """The position it reports to is in the same instansi and never itself or a position
        that reports (directly or not) to it."""
        super().clean()
        if not self.atasan_id:
            return
        if self.unit_kerja_id and self.atasan.unit_kerja.instansi_id != self.unit_kerja.instansi_id:
            raise ValidationError({"atasan": "Atasan harus jabatan di instansi yang sama."})
        node, seen = self.atasan, set()
        while node is not None and node.pk not in seen:
            if self.pk and node.pk == self.pk:
                raise ValidationError(
                    {"atasan": "Atasan tidak boleh jabatan ini sendiri atau bawahannya."}
                )
            seen.add(node.pk)
            node = node.atasan

    @property
    def is_jpt(self) -> bool:
        return self.jenis in {
            self.Jenis.JPT_UTAMA,
            self.Jenis.JPT_MADYA,
            self.Jenis.JPT_PRATAMA,
        }


class Pegawai(Sinkron):
    sinkron_jenis = "pegawai"

    class JenisASN(models.TextChoices):
        PNS = "pns", "PNS"
        PPPK = "pppk", "PPPK"
        PEJABAT_NEGARA = "pejabat_negara", "Pejabat Negara (non-ASN)"

    class Status(models.TextChoices):
        AKTIF = "aktif", "Aktif"
        TUGAS_BELAJAR = "tugas_belajar", "Tugas Belajar"
        CUTI = "cuti", "Cuti"
        BERHENTI = "berhenti", "Berhenti"

    class JenisPlt(models.TextChoices):
        PLT = "plt", "Pelaksana Tugas (Plt)"
        PLH = "plh", "Pelaksana Harian (Plh)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT, related_name="pegawai_set")
    nip = models.CharField("NIP / NI PPPK", max_length=18, unique=True, null=True, blank=True)
    nama = models.CharField(max_length=200)
    jenis_asn = models.CharField(max_length=20, choices=JenisASN.choices, default=JenisASN.PNS)
    golongan = models.CharField("golongan/ruang", max_length=10, blank=True)
    jabatan = models.ForeignKey(
        Jabatan, null=True, blank=True, on_delete=models.SET_NULL, related_name="pemangku_set"
    )
    unit_kerja = models.ForeignKey(
        UnitKerja, null=True, blank=True, on_delete=models.SET_NULL, related_name="pegawai_set"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AKTIF)
    email = models.EmailField(blank=True)
    plt_jabatan = models.ForeignKey(
        Jabatan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plt_set",
        verbose_name="jabatan yang dijabat sebagai Plt/Plh",
    )
    plt_jenis = models.CharField(max_length=3, choices=JenisPlt.choices, blank=True)
    penilai_override = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="pejabat penilai (penetapan khusus)",
        help_text="Diisi admin bila pejabat penilai ditetapkan di luar struktur jabatan.",
    )
    # Derived and stored; see module docstring.
    pejabat_penilai = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dinilai_set"
    )
    atasan_pejabat_penilai = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="atasan_dari_set"
    )
    # db_default too: rows inserted by hand-written SQL (bench, bulk loads) start at 1.
    row_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(
        excluded_fields=["diubah", "pejabat_penilai", "atasan_pejabat_penilai"]
    )

    class Meta:
        # Explicit grants (django-guardian object permissions; kinerja.akses.hibah).
        permissions = [("setujui_atas_nama", "Menyetujui SKP atas nama pejabat ini (Plh)")]
        verbose_name = "pegawai"
        verbose_name_plural = "pegawai"
        ordering = ["nama"]
        indexes = [
            models.Index(fields=["instansi", "nama"]),
            models.Index(fields=["unit_kerja", "nama"]),
            # The API's keyset mode (?cursor=) on an instansi's staff: WHERE instansi_id = x
            # AND id > last ORDER BY id LIMIT n reads n index entries, on any page.
            models.Index(fields=["instansi", "id"], name="pegawai_instansi_keyset"),
        ]

    def __str__(self) -> str:
        return f"{self.nama} ({self.nip})" if self.nip else self.nama

    def clean(self) -> None:
        """One-row invariants shared by admin, API and import: the NIP (NI PPPK) must be
        well-formed for the jenis ASN, the golongan must exist, and the position and unit must
        belong to the pegawai's own instansi."""
        from kinerja.rules import golongan_error, nip_error, normalize_golongan, normalize_nip

        errors: dict[str, str] = {}
        if self.nip:
            self.nip = normalize_nip(self.nip)
        if self.jenis_asn in (self.JenisASN.PNS, self.JenisASN.PPPK):
            msg = nip_error(self.nip, pppk=self.jenis_asn == self.JenisASN.PPPK)
            if msg:
                errors["nip"] = msg
        elif self.nip:
            errors["nip"] = "Pejabat negara (non-ASN) tidak memiliki NIP; kosongkan kolom ini."
        if self.golongan:
            self.golongan = normalize_golongan(self.golongan, self.jenis_asn)
            msg = golongan_error(self.golongan, self.jenis_asn)
            if msg:
                errors["golongan"] = msg
        if self.jabatan_id and self.unit_kerja_id is None:
            self.unit_kerja_id = self.jabatan.unit_kerja_id
        if self.instansi_id:
            if self.unit_kerja_id and self.unit_kerja.instansi_id != self.instansi_id:
                errors["unit_kerja"] = "Unit kerja bukan bagian dari instansi pegawai."
            if self.jabatan_id and self.jabatan.unit_kerja.instansi_id != self.instansi_id:
                errors["jabatan"] = "Jabatan bukan bagian dari instansi pegawai."
            if self.plt_jabatan_id and self.plt_jabatan.unit_kerja.instansi_id != self.instansi_id:
                errors["plt_jabatan"] = "Jabatan Plt/Plh bukan bagian dari instansi pegawai."
            if self.penilai_override_id:
                if self.penilai_override_id == self.pk:
                    errors["penilai_override"] = "Pegawai tidak dapat menilai dirinya sendiri."
                elif self.penilai_override.instansi_id != self.instansi_id:
                    errors["penilai_override"] = "Pejabat penilai harus dari instansi yang sama."
        if self.user_id and self.user.admin_instansi_id not in (None, self.instansi_id):
            errors["user"] = (
                "Akun ini adalah admin instansi lain; satu akun hanya boleh terikat pada satu "
                "instansi."
            )
        if self.plt_jabatan_id and not self.plt_jenis:
            errors["plt_jenis"] = "Pilih Plt atau Plh untuk jabatan yang dijabat sementara."
        if errors:
            raise ValidationError(errors)

    @property
    def pangkat(self) -> str:
        from kinerja.rules import pangkat_for_golongan

        return pangkat_for_golongan(self.golongan)


class TimKerja(models.Model):
    """An agile team (squad), possibly across units, with a ketua and members."""

    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT, related_name="tim_set")
    nama = models.CharField(max_length=200)
    ketua = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="tim_diketuai_set")
    anggota = models.ManyToManyField(Pegawai, related_name="tim_set", blank=True)
    aktif = models.BooleanField(default=True)
    history = HistoricalRecords(m2m_fields=[anggota])

    class Meta:
        verbose_name = "tim kerja"
        verbose_name_plural = "tim kerja"
        ordering = ["nama"]

    def __str__(self) -> str:
        return self.nama


class Periode(Sinkron):
    sinkron_jenis = "periode"

    class Frekuensi(models.TextChoices):
        BULANAN = "bulanan", "Bulanan"
        TRIWULANAN = "triwulanan", "Triwulanan"
        SEMESTERAN = "semesteran", "Semesteran"

    class Status(models.TextChoices):
        PERENCANAAN = "perencanaan", "Perencanaan"
        BERJALAN = "berjalan", "Berjalan"
        EVALUASI = "evaluasi", "Evaluasi"
        DITUTUP = "ditutup", "Ditutup"

    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT, related_name="periode_set")
    tahun = models.PositiveSmallIntegerField()
    frekuensi = models.CharField(
        max_length=12, choices=Frekuensi.choices, default=Frekuensi.TRIWULANAN
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PERENCANAAN)
    batas_perencanaan = models.DateField("batas penyusunan SKP", null=True, blank=True)
    batas_persetujuan_hari = models.PositiveSmallIntegerField(
        "batas waktu persetujuan SKP (hari)", default=7
    )
    # db_default too: rows inserted by hand-written SQL (bench, bulk loads) start at 1.
    row_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "periode"
        verbose_name_plural = "periode"
        ordering = ["-tahun"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "tahun"], name="periode_unik_per_tahun")
        ]

    def __str__(self) -> str:
        return f"{self.tahun} ({self.instansi.kode})"

    @property
    def ditutup(self) -> bool:
        return self.status == self.Status.DITUTUP


class Notifikasi(Sinkron):
    """An in-app notification; email is sent by a task when the user's preference allows."""

    sinkron_jenis = "notifikasi"

    penerima = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifikasi_set"
    )
    jenis = models.CharField(max_length=60)
    pesan = models.CharField(max_length=500)
    tautan = models.CharField(max_length=300, blank=True)
    dibaca = models.BooleanField(default=False)
    dibuat = models.DateTimeField(auto_now_add=True)
    # One reminder per person per reason per day: the key makes a repeat a no-op.
    kunci = models.CharField(max_length=200, unique=True, null=True, blank=True)
    email_terkirim = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "notifikasi"
        verbose_name_plural = "notifikasi"
        ordering = ["-dibuat"]
        indexes = [models.Index(fields=["penerima", "dibaca", "-dibuat"])]

    def __str__(self) -> str:
        return self.pesan[:60]

    def sinkron_lingkup(self) -> dict:
        return {"lingkup": LINGKUP_PENGGUNA, "user_id": self.penerima_id}


class PreferensiNotifikasi(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    jenis = models.CharField(max_length=60)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "jenis"], name="preferensi_unik")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.jenis}"


class Job(models.Model):
    """Background work recorded in the same transaction as the request that needs it (outbox).

    A worker claims a row with a conditional update, so a retried or duplicated message does the
    work once; the sweep re-sends rows whose message never reached the broker.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Menunggu"
        RUNNING = "running", "Berjalan"
        SUKSES = "sukses", "Selesai"
        GAGAL = "gagal", "Gagal"

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    kunci = models.CharField(max_length=200, unique=True, null=True, blank=True)
    percobaan = models.PositiveSmallIntegerField(default=0)
    progres = models.PositiveSmallIntegerField(default=0)
    progres_total = models.PositiveIntegerField(default=0)
    pesan = models.CharField(max_length=300, blank=True)
    galat = models.TextField(blank=True)
    hasil = models.JSONField(default=dict, blank=True)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    dibuat = models.DateTimeField(auto_now_add=True)
    dikirim = models.DateTimeField(null=True, blank=True)
    # The worker running the job touches `diperbarui` every few seconds (heartbeat); a running
    # row that stopped beating belongs to a dead worker and is taken again.
    diperbarui = models.DateTimeField(auto_now=True)
    # Claim token of the attempt that holds the row (Celery task id and retry number).
    pemilik = models.CharField(max_length=80, blank=True)
    # Not before: the backoff after a failed attempt.
    jadwal = models.DateTimeField(null=True, blank=True)
    instansi = models.ForeignKey(
        "kinerja.Instansi", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "pekerjaan latar"
        verbose_name_plural = "pekerjaan latar"
        ordering = ["-dibuat"]
        indexes = [models.Index(fields=["status", "dikirim"])]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} ({self.status})"


class PengaturanPengingat(models.Model):
    """Per-instansi schedule and thresholds of the reminders (defaults follow domain.md)."""

    instansi = models.OneToOneField(
        Instansi, on_delete=models.CASCADE, related_name="pengaturan_pengingat"
    )
    aktif = models.BooleanField("pengingat aktif", default=True)
    jam_kirim = models.PositiveSmallIntegerField(
        "jam pengiriman", default=7, help_text="Pengingat harian dikirim mulai jam ini (0-23)."
    )
    hari_sebelum_batas_skp = models.PositiveSmallIntegerField(
        "mulai mengingatkan penyusunan SKP (hari sebelum batas)", default=7
    )
    hari_eskalasi_persetujuan = models.PositiveSmallIntegerField(
        "eskalasi ke atasan pejabat penilai (hari setelah batas persetujuan)", default=7
    )
    hari_penugasan = models.PositiveSmallIntegerField(
        "penugasan menunggu keputusan penilai lebih dari (hari)", default=3
    )
    hari_sebelum_akhir_jendela = models.PositiveSmallIntegerField(
        "ingatkan umpan balik dan evaluasi (hari sebelum akhir periode)", default=14
    )
    hari_tenggang_evaluasi = models.PositiveSmallIntegerField(
        "terus ingatkan evaluasi (hari setelah akhir periode)", default=14
    )
    hari_sebelum_batas_sanksi = models.PositiveSmallIntegerField(
        "ingatkan batas perbaikan kinerja (hari sebelum batas)", default=30
    )
    hari_sebelum_tindak_lanjut = models.PositiveSmallIntegerField(
        "ingatkan tindak lanjut dialog (hari sebelum jatuh tempo)", default=3
    )
    hari_putus_keberatan = models.PositiveSmallIntegerField(
        "batas waktu atasan memutus keberatan (hari sejak diajukan)", default=14
    )
    jenis_nonaktif = models.JSONField("jenis pengingat yang dimatikan", default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "pengaturan pengingat"
        verbose_name_plural = "pengaturan pengingat"

    def __str__(self) -> str:
        return f"Pengaturan pengingat {self.instansi}"


def _kode_dokumen() -> str:
    return secrets.token_urlsafe(12)


class Dokumen(models.Model):
    """A PDF (or spreadsheet) Kinerja issued, kept byte for byte with its hash and public code."""

    class Jenis(models.TextChoices):
        SKP = "skp", "Sasaran Kinerja Pegawai"
        EVALUASI = "evaluasi", "Dokumen Evaluasi Kinerja Pegawai"
        REKAP = "rekap", "Rekapitulasi"
        ZIP = "zip", "Arsip"

    jenis = models.CharField(max_length=12, choices=Jenis.choices)
    kode = models.CharField(max_length=32, unique=True, default=_kode_dokumen)
    judul = models.CharField(max_length=300)
    berkas = models.FileField(upload_to="dokumen/%Y/")
    sha256 = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, null=True, on_delete=models.SET_NULL)
    object_id = models.PositiveBigIntegerField(null=True)
    objek = GenericForeignKey("content_type", "object_id")
    pegawai = models.ForeignKey(Pegawai, null=True, blank=True, on_delete=models.SET_NULL)
    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT)
    versi = models.PositiveIntegerField(default=1)
    digantikan = models.BooleanField(default=False)
    dibuat = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "dokumen"
        verbose_name_plural = "dokumen"
        ordering = ["-dibuat"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.judul


class PersetujuanElektronik(models.Model):
    """One party's recorded agreement to a document's content (SKP, evaluation), with its time.

    An in-application approval, shown on the PDF as "Disetujui secara elektronik oleh ... pada
    ...". It is NOT a certified electronic signature. Rows are append-only: a reopened object has
    its approvals revoked (`dicabut`), never deleted, so earlier issued documents stay explainable.
    Name, NIP and position are kept as they were at the moment of approval.
    """

    class Peran(models.TextChoices):
        PEGAWAI = "pegawai", "Pegawai yang Dinilai"
        PEJABAT_PENILAI = "pejabat_penilai", "Pejabat Penilai Kinerja"
        ATASAN_PEJABAT_PENILAI = "atasan_pejabat_penilai", "Atasan Pejabat Penilai Kinerja"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    objek = GenericForeignKey("content_type", "object_id")
    pegawai = models.ForeignKey(
        Pegawai, on_delete=models.PROTECT, related_name="persetujuan_elektronik_set"
    )
    peran = models.CharField(max_length=30, choices=Peran.choices)
    waktu = models.DateTimeField()
    nama = models.CharField(max_length=200)
    nip = models.CharField(max_length=18, blank=True)
    jabatan = models.CharField(max_length=200, blank=True)
    dicabut = models.DateTimeField(null=True, blank=True)
    alasan_dicabut = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "persetujuan elektronik"
        verbose_name_plural = "persetujuan elektronik"
        ordering = ["waktu", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_peran_display()}: {self.nama} ({self.waktu:%Y-%m-%d %H:%M})"


class Penghapusan(models.Model):
    """A tombstone: an API resource row that was deleted, served at `perubahan/` so a client
    syncing incrementally removes it too (kinerja.sinkron). Plain ids, not foreign keys: they
    outlive the rows. Who may see it is decided from `lingkup` by the policy."""

    jenis = models.CharField(max_length=40, help_text="Nama sumber daya API, mis. pegawai.")
    objek_id = models.PositiveBigIntegerField()
    dihapus = models.DateTimeField(default=timezone.now, db_index=True)
    lingkup = models.CharField(max_length=10)
    instansi_id = models.PositiveBigIntegerField(null=True, blank=True)
    pegawai_id = models.PositiveBigIntegerField(null=True, blank=True)
    user_id = models.PositiveBigIntegerField(null=True, blank=True)
    induk_model = models.CharField(max_length=60, blank=True)
    induk_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "penghapusan"
        verbose_name_plural = "penghapusan"
        ordering = ["dihapus", "id"]
        indexes = [models.Index(fields=["induk_model", "induk_id"])]

    def __str__(self) -> str:
        return f"{self.jenis} {self.objek_id} dihapus {self.dihapus:%Y-%m-%d %H:%M}"


# Integration tokens live with the rest of the login perimeter (kinerja/akses/).
from kinerja.akses.models import HakAksesKhusus, TokenIntegrasi  # noqa: E402,F401  isort: skip


# The organisation over time, and restructuring (SOTK) drafts, in their own modules.
from kinerja.models_riwayat import MasaPenilai, Mutasi, RiwayatJabatan  # noqa: E402,F401
from kinerja.models_sotk import LangkahRestrukturisasi, Restrukturisasi  # noqa: E402,F401
