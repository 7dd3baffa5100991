"""The organisation over time (domain.md, "The organisation over time"): holdings of positions
with their TMT, who rated whom when, and changes of position recorded once with their TMT."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kinerja.models import Jabatan, Pegawai, UnitKerja
from kinerja.sinkron import Sinkron


class RiwayatJabatan(Sinkron):
    """One holding of a position by a pegawai: definitive, or acting (Plt/Plh), from its TMT to
    its last day (inclusive; open while held). Written only by `kinerja.mutasi`."""

    sinkron_jenis = "riwayat-jabatan"

    class Jenis(models.TextChoices):
        DEFINITIF = "definitif", "Definitif"
        PLT = "plt", "Pelaksana Tugas (Plt)"
        PLH = "plh", "Pelaksana Harian (Plh)"

    pegawai = models.ForeignKey(Pegawai, on_delete=models.CASCADE, related_name="riwayat_jabatan")
    jabatan = models.ForeignKey(Jabatan, on_delete=models.PROTECT, related_name="riwayat_set")
    unit_kerja = models.ForeignKey(
        UnitKerja, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    jenis = models.CharField(max_length=10, choices=Jenis.choices, default=Jenis.DEFINITIF)
    mulai = models.DateField("TMT")
    selesai = models.DateField("sampai dengan", null=True, blank=True)
    mutasi = models.ForeignKey(
        "kinerja.Mutasi", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "riwayat jabatan"
        verbose_name_plural = "riwayat jabatan"
        ordering = ["pegawai_id", "mulai", "id"]
        indexes = [
            models.Index(fields=["pegawai", "mulai"]),
            models.Index(fields=["jabatan", "mulai"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(selesai__isnull=True) | Q(selesai__gte=models.F("mulai")),
                name="riwayat_jabatan_urut",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pegawai_id}: {self.jabatan_id} {self.mulai}–{self.selesai or ''}"

    def sinkron_lingkup(self) -> dict:
        return {
            "lingkup": "instansi",
            "instansi_id": self.pegawai.instansi_id,
            "pegawai_id": self.pegawai_id,
        }


class MasaPenilai(models.Model):
    """Who was a pegawai's pejabat penilai (and atasan pejabat penilai) from when to when.

    Derived, like Pegawai.pejabat_penilai, by `kinerja.services.penilai_refresh`, which closes the
    open stretch and opens a new one at the TMT of whatever changed it. A window's evaluation is
    made by whoever held the pegawai in it (`kinerja.masa`)."""

    pegawai = models.ForeignKey(Pegawai, on_delete=models.CASCADE, related_name="masa_penilai")
    pejabat_penilai = models.ForeignKey(
        Pegawai, null=True, blank=True, on_delete=models.SET_NULL, related_name="masa_dinilai"
    )
    atasan_pejabat_penilai = models.ForeignKey(
        Pegawai, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mulai = models.DateField()
    selesai = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "masa pejabat penilai"
        verbose_name_plural = "masa pejabat penilai"
        ordering = ["pegawai_id", "mulai"]
        constraints = [
            models.UniqueConstraint(fields=["pegawai", "mulai"], name="masa_penilai_unik"),
            models.UniqueConstraint(
                fields=["pegawai"], condition=Q(selesai__isnull=True), name="masa_penilai_satu_buka"
            ),
            models.CheckConstraint(
                condition=Q(selesai__isnull=True) | Q(selesai__gte=models.F("mulai")),
                name="masa_penilai_urut",
            ),
        ]
        indexes = [
            models.Index(fields=["pejabat_penilai", "mulai"]),
            models.Index(fields=["atasan_pejabat_penilai", "mulai"]),
        ]

    def __str__(self) -> str:
        return f"{self.pegawai_id} ← {self.pejabat_penilai_id} {self.mulai}–{self.selesai or ''}"


class Mutasi(Sinkron):
    """A change of position recorded once, with its TMT: mutasi, promosi, rotasi, a Plt/Plh
    appointment (with its end), or leaving. Dated in the future, it waits (`dijadwalkan`) and the
    beat applies it on its date; it can be cancelled before then."""

    sinkron_jenis = "mutasi"

    class Jenis(models.TextChoices):
        MUTASI = "mutasi", "Mutasi"
        PROMOSI = "promosi", "Promosi"
        ROTASI = "rotasi", "Rotasi"
        PLT = "plt", "Pelaksana Tugas (Plt)"
        PLH = "plh", "Pelaksana Harian (Plh)"
        BERHENTI = "berhenti", "Berhenti / pensiun"

    class Status(models.TextChoices):
        DIJADWALKAN = "dijadwalkan", "Dijadwalkan"
        BERLAKU = "berlaku", "Berlaku"
        DIBATALKAN = "dibatalkan", "Dibatalkan"

    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="mutasi_set")
    jenis = models.CharField(max_length=10, choices=Jenis.choices)
    jabatan_baru = models.ForeignKey(
        Jabatan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_kerja_baru = models.ForeignKey(
        UnitKerja, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tmt = models.DateField("TMT (terhitung mulai tanggal)")
    sampai = models.DateField("sampai dengan (Plt/Plh)", null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DIJADWALKAN)
    keterangan = models.TextField("dasar / keterangan", blank=True)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dibuat = models.DateTimeField(auto_now_add=True)
    diberlakukan = models.DateTimeField(null=True, blank=True)
    alasan_batal = models.TextField(blank=True)
    # A restructuring (SOTK) applies many changes on one date; each one names it.
    restrukturisasi_id = models.PositiveBigIntegerField(null=True, blank=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "mutasi jabatan"
        verbose_name_plural = "mutasi jabatan"
        ordering = ["-tmt", "-id"]
        indexes = [
            models.Index(fields=["status", "tmt"]),
            models.Index(fields=["pegawai", "tmt"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.pegawai_id} TMT {self.tmt}"

    def sinkron_lingkup(self) -> dict:
        return {
            "lingkup": "instansi",
            "instansi_id": self.pegawai.instansi_id,
            "pegawai_id": self.pegawai_id,
        }
