"""Stage 2 of the cycle: execution, monitoring and coaching (pelaksanaan, pemantauan, pembinaan).

Umpan balik berkelanjutan, penugasan routed through the pejabat penilai (with its klarifikasi
ekspektasi), dokumentasi kinerja (realisasi and bukti dukung) and dialog kinerja. Every state
change goes through `dialog.services`; reads go through `dialog.selectors` and the policy.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from dialog import rules
from kinerja.sinkron import LINGKUP_INDUK, Sinkron


class PermintaanUmpanBalik(models.Model):
    """A pegawai asks someone for feedback (optionally on one rencana hasil kerja or value)."""

    class Status(models.TextChoices):
        TERBUKA = "terbuka", "Menunggu"
        DIJAWAB = "dijawab", "Sudah dijawab"

    peminta = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.CASCADE, related_name="permintaan_umpan_balik_set"
    )
    diminta = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.CASCADE, related_name="umpan_balik_diminta_set"
    )
    rencana_hasil_kerja = models.ForeignKey(
        "skp.RencanaHasilKerja", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    perilaku = models.CharField(max_length=30, blank=True)
    pesan = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TERBUKA)
    dibuat = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "permintaan umpan balik"
        verbose_name_plural = "permintaan umpan balik"
        ordering = ["-dibuat"]
        indexes = [models.Index(fields=["diminta", "status"])]

    def __str__(self) -> str:
        return f"Permintaan umpan balik #{self.pk}"


class UmpanBalik(Sinkron):
    """One piece of ongoing feedback. `hubungan` is derived by `rules.derive_hubungan`."""

    sinkron_jenis = "umpan-balik"

    class Hubungan(models.TextChoices):
        PEJABAT_PENILAI = rules.PEJABAT_PENILAI, "Pejabat penilai"
        PEMBERI_TUGAS = rules.PEMBERI_TUGAS, "Pemberi tugas"
        REKAN = rules.REKAN, "Rekan kerja"
        BAWAHAN = rules.BAWAHAN, "Bawahan"
        LAINNYA = rules.LAINNYA, "Lainnya"

    class Jenis(models.TextChoices):
        APRESIASI = "apresiasi", "Apresiasi"
        PERBAIKAN = "perbaikan", "Perlu perbaikan"

    class Cara(models.TextChoices):
        LANGSUNG = "langsung", "Langsung (tatap muka)"
        TERTULIS = "tertulis", "Tertulis"

    penerima = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="umpan_balik_diterima_set"
    )
    pemberi = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="umpan_balik_diberikan_set"
    )
    hubungan = models.CharField(max_length=20, choices=Hubungan.choices)
    rencana_hasil_kerja = models.ForeignKey(
        "skp.RencanaHasilKerja",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="umpan_balik_set",
    )
    # A BerAKHLAK value code (skp.rules.BERAKHLAK), or empty.
    perilaku = models.CharField(max_length=30, blank=True)
    jenis = models.CharField(max_length=10, choices=Jenis.choices)
    cara = models.CharField(max_length=10, choices=Cara.choices, default=Cara.TERTULIS)
    isi = models.TextField()
    periode = models.ForeignKey(
        "kinerja.Periode", on_delete=models.PROTECT, related_name="umpan_balik_set"
    )
    # The periodic evaluation window (1..n) the feedback falls in.
    urutan = models.PositiveSmallIntegerField()
    permintaan = models.ForeignKey(
        PermintaanUmpanBalik,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jawaban_set",
    )
    dibuat = models.DateTimeField()
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "umpan balik"
        verbose_name_plural = "umpan balik"
        ordering = ["-dibuat", "-id"]
        indexes = [
            models.Index(fields=["penerima", "periode", "urutan"]),
            models.Index(fields=["pemberi", "-dibuat"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rencana_hasil_kerja__isnull=True) | Q(perilaku=""),
                name="umpan_balik_satu_sasaran",
            ),
            models.CheckConstraint(
                condition=~Q(penerima=models.F("pemberi")), name="umpan_balik_bukan_diri_sendiri"
            ),
        ]

    def __str__(self) -> str:
        return f"Umpan balik #{self.pk} untuk {self.penerima_id}"

    def sinkron_lingkup(self) -> dict:
        # Never deleted today; should it be, only its penerima learns of it.
        return {
            "lingkup": LINGKUP_INDUK,
            "instansi_id": self.penerima.instansi_id,
            "pegawai_id": self.penerima_id,
        }


class Peluang(models.Model):
    """An open opportunity a unit posts; a pegawai asks to join it (sukarela)."""

    unit_kerja = models.ForeignKey(
        "kinerja.UnitKerja", on_delete=models.PROTECT, related_name="peluang_set"
    )
    pemberi = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="peluang_dibuka_set"
    )
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    judul = models.CharField(max_length=200)
    uraian = models.TextField()
    hasil_diharapkan = models.TextField()
    terbuka = models.BooleanField(default=True)
    batas_pendaftaran = models.DateField(null=True, blank=True)
    dibuat = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "peluang penugasan"
        verbose_name_plural = "peluang penugasan"
        ordering = ["-dibuat"]

    def __str__(self) -> str:
        return self.judul


class Penugasan(Sinkron):
    """An assignment routed through the penerima's pejabat penilai (domain.md, Penugasan)."""

    sinkron_jenis = "penugasan"

    class Status(models.TextChoices):
        DIUSULKAN = rules.DIUSULKAN, "Diusulkan"
        DISETUJUI = rules.DISETUJUI, "Disetujui"
        DITOLAK = rules.DITOLAK, "Ditolak"

    class JenisRHK(models.TextChoices):
        UTAMA = "utama", "Utama"
        TAMBAHAN = "tambahan", "Tambahan"

    pemberi = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="penugasan_diberikan_set"
    )
    penerima = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="penugasan_diterima_set"
    )
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    uraian = models.TextField()
    hasil_diharapkan = models.TextField()
    sukarela = models.BooleanField(default=False)
    peluang = models.ForeignKey(
        Peluang, null=True, blank=True, on_delete=models.PROTECT, related_name="penugasan_set"
    )
    tim = models.ForeignKey(
        "kinerja.TimKerja", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One proposal to a TimKerja fans out into rows sharing a kelompok.
    kelompok = models.UUIDField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DIUSULKAN)
    alasan = models.TextField(blank=True)
    jenis_rhk = models.CharField(max_length=10, choices=JenisRHK.choices, default=JenisRHK.TAMBAHAN)
    diusulkan_oleh = models.ForeignKey(
        "kinerja.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    diputuskan_oleh = models.ForeignKey(
        "kinerja.Pegawai", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    diputuskan = models.DateTimeField(null=True, blank=True)
    rencana_hasil_kerja = models.ForeignKey(
        "skp.RencanaHasilKerja",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="penugasan_set",
    )
    dibuat = models.DateTimeField(auto_now_add=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "penugasan"
        verbose_name_plural = "penugasan"
        ordering = ["-dibuat", "-id"]
        indexes = [
            models.Index(fields=["penerima", "status"]),
            models.Index(fields=["pemberi", "-dibuat"]),
        ]

    def __str__(self) -> str:
        return f"Penugasan #{self.pk}: {self.uraian[:40]}"

    def sinkron_lingkup(self) -> dict:
        return {
            "lingkup": LINGKUP_INDUK,
            "instansi_id": self.penerima.instansi_id,
            "pegawai_id": self.penerima_id,
        }


class KlarifikasiEkspektasi(models.Model):
    """The expectation dialogue every new assignment requires; it becomes part of the SKP."""

    penugasan = models.OneToOneField(
        Penugasan, on_delete=models.CASCADE, related_name="klarifikasi"
    )
    ekspektasi = models.TextField()
    catatan = models.TextField(blank=True)
    waktu = models.DateTimeField()
    dicatat_oleh = models.ForeignKey(
        "kinerja.Pegawai", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    skp = models.ForeignKey("skp.SKP", null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "klarifikasi ekspektasi"
        verbose_name_plural = "klarifikasi ekspektasi"

    def __str__(self) -> str:
        return f"Klarifikasi penugasan #{self.penugasan_id}"


class Realisasi(models.Model):
    """What a pegawai achieved on one rencana hasil kerja in one evaluation window."""

    pegawai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="realisasi_set"
    )
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    urutan = models.PositiveSmallIntegerField()
    rencana_hasil_kerja = models.ForeignKey(
        "skp.RencanaHasilKerja", on_delete=models.PROTECT, related_name="realisasi_set"
    )
    # The RHK's stable key across SKP versions, so realisasi follow the row into a new version.
    rhk_kunci = models.UUIDField(db_index=True)
    uraian = models.TextField("realisasi")
    angka = models.DecimalField(
        "capaian (angka)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    satuan = models.CharField(max_length=40, blank=True)
    diperbarui = models.DateTimeField(auto_now=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "realisasi"
        verbose_name_plural = "realisasi"
        ordering = ["periode_id", "urutan", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rhk_kunci", "periode", "urutan"], name="realisasi_unik_per_jendela"
            )
        ]

    def __str__(self) -> str:
        return f"Realisasi {self.rhk_kunci} jendela {self.urutan}"


def _lokasi_bukti(instance: BuktiDukung, filename: str) -> str:
    # Non-guessable, and nothing of the uploader's file name: served only through the policy.
    return f"bukti/{uuid.uuid4().hex}/{uuid.uuid4().hex}.{instance.ekstensi or 'bin'}"


class BuktiDukung(models.Model):
    """Evidence for a realisasi: an uploaded file (checked by content) or a link."""

    realisasi = models.ForeignKey(Realisasi, on_delete=models.CASCADE, related_name="bukti_set")
    judul = models.CharField(max_length=200)
    berkas = models.FileField(upload_to=_lokasi_bukti, blank=True, max_length=200)
    nama_asli = models.CharField(max_length=255, blank=True)
    ekstensi = models.CharField(max_length=10, blank=True)
    mime = models.CharField(max_length=120, blank=True)
    ukuran = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    tautan = models.URLField(max_length=500, blank=True)
    diunggah_oleh = models.ForeignKey(
        "kinerja.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dibuat = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "bukti dukung"
        verbose_name_plural = "bukti dukung"
        ordering = ["dibuat", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(berkas="") & ~Q(tautan="")) | (~Q(berkas="") & Q(tautan="")),
                name="bukti_berkas_atau_tautan",
            )
        ]

    def __str__(self) -> str:
        return self.judul


class DialogKinerja(models.Model):
    """A check-in, bimbingan kinerja or konseling kinerja session between leader and pegawai."""

    class Jenis(models.TextChoices):
        CHECK_IN = "check_in", "Check-in"
        BIMBINGAN = "bimbingan", "Bimbingan kinerja"
        KONSELING = "konseling", "Konseling kinerja"

    pegawai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="dialog_kinerja_set"
    )
    pemimpin = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="dialog_dipimpin_set"
    )
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    jenis = models.CharField(max_length=12, choices=Jenis.choices)
    waktu = models.DateTimeField()
    agenda = models.TextField()
    catatan = models.TextField(blank=True)
    dibuat = models.DateTimeField(auto_now_add=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "dialog kinerja"
        verbose_name_plural = "dialog kinerja"
        ordering = ["-waktu", "-id"]
        indexes = [models.Index(fields=["pegawai", "-waktu"])]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.waktu:%d-%m-%Y}"


class TindakLanjut(models.Model):
    """An agreed follow-up of a dialog kinerja, with a due date."""

    dialog = models.ForeignKey(
        DialogKinerja, on_delete=models.CASCADE, related_name="tindak_lanjut_set"
    )
    uraian = models.CharField(max_length=500)
    penanggung_jawab = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="+"
    )
    tenggat = models.DateField()
    selesai = models.BooleanField(default=False)
    selesai_pada = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tindak lanjut"
        verbose_name_plural = "tindak lanjut"
        ordering = ["tenggat", "id"]
        indexes = [models.Index(fields=["selesai", "tenggat"])]

    def __str__(self) -> str:
        return self.uraian[:60]
