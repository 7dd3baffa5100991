"""A restructuring (new SOTK): many changes of the organisation prepared as one draft with one
effective date (domain.md, "The organisation over time"). Rows of app `kinerja`, imported by
`kinerja.models`; the work is in `kinerja.restrukturisasi`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Restrukturisasi(models.Model):
    """The draft of a new structure and its effective date (TMT). Changed or dropped until it is
    applied; applied by the admin (dated today or earlier) or by the beat on its date."""

    class Status(models.TextChoices):
        DRAF = "draf", "Draf"
        DIJADWALKAN = "dijadwalkan", "Dijadwalkan"
        DIPROSES = "diproses", "Sedang diterapkan"
        DITERAPKAN = "diterapkan", "Diterapkan"
        DIBATALKAN = "dibatalkan", "Dibatalkan"

    instansi = models.ForeignKey(
        "kinerja.Instansi", on_delete=models.PROTECT, related_name="restrukturisasi_set"
    )
    nama = models.CharField("nama / dasar hukum", max_length=200)
    tmt = models.DateField("TMT (berlaku mulai)")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAF)
    keterangan = models.TextField(blank=True)
    alasan_batal = models.TextField(blank=True)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dibuat = models.DateTimeField(auto_now_add=True)
    diterapkan = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(
        "kinerja.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hasil = models.JSONField(default=dict, blank=True)
    row_version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        app_label = "kinerja"
        verbose_name = "restrukturisasi (SOTK)"
        verbose_name_plural = "restrukturisasi (SOTK)"
        ordering = ["-tmt", "-id"]
        indexes = [models.Index(fields=["status", "tmt"], name="restrukturisasi_status_tmt")]

    def __str__(self) -> str:
        return f"{self.nama} (TMT {self.tmt})"

    @property
    def terbuka(self) -> bool:
        """Still a plan: may be changed or dropped."""
        return self.status in (self.Status.DRAF, self.Status.DIJADWALKAN)


class LangkahRestrukturisasi(models.Model):
    """One change of a restructuring, applied in `urutan` order. Something the same draft
    creates is referred to through its step (`*_langkah`), since it has no row yet.

    - unit_baru: `nama`, `singkatan`, `mandiri`; parent = unit_ke / unit_ke_langkah.
    - unit_ubah: `unit`; a new `nama`/`singkatan` (blank: kept); a new parent (unit_ke...);
      `tutup` closes it.
    - jabatan_baru: `nama`, `jenis_jabatan`, `kepala_unit`; unit = unit_ke...; atasan =
      jabatan_ke...
    - jabatan_ubah: `jabatan`; new `nama`/`jenis_jabatan`/`kepala_unit`; moved to unit_ke...;
      reports to jabatan_ke...; `tutup` closes it.
    - penempatan: `pegawai` takes the post jabatan_ke... (`jenis_mutasi`: mutasi/promosi/rotasi).
    """

    class Jenis(models.TextChoices):
        UNIT_BARU = "unit_baru", "Unit kerja baru"
        UNIT_UBAH = "unit_ubah", "Ubah unit kerja"
        JABATAN_BARU = "jabatan_baru", "Jabatan baru"
        JABATAN_UBAH = "jabatan_ubah", "Ubah jabatan"
        PENEMPATAN = "penempatan", "Penempatan pegawai"

    restrukturisasi = models.ForeignKey(
        Restrukturisasi, on_delete=models.CASCADE, related_name="langkah_set"
    )
    urutan = models.PositiveIntegerField()
    jenis = models.CharField(max_length=14, choices=Jenis.choices)
    unit = models.ForeignKey(
        "kinerja.UnitKerja", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    jabatan = models.ForeignKey(
        "kinerja.Jabatan", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pegawai = models.ForeignKey(
        "kinerja.Pegawai", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    nama = models.CharField(max_length=200, blank=True)
    singkatan = models.CharField(max_length=40, blank=True)
    jenis_jabatan = models.CharField(max_length=20, blank=True)
    mandiri = models.BooleanField(null=True, blank=True)
    kepala_unit = models.BooleanField(null=True, blank=True)
    tutup = models.BooleanField(default=False)
    unit_ke = models.ForeignKey(
        "kinerja.UnitKerja", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit_ke_langkah = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    jabatan_ke = models.ForeignKey(
        "kinerja.Jabatan", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    jabatan_ke_langkah = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    jenis_mutasi = models.CharField(max_length=10, blank=True)
    history = HistoricalRecords()

    class Meta:
        app_label = "kinerja"
        verbose_name = "langkah restrukturisasi"
        verbose_name_plural = "langkah restrukturisasi"
        ordering = ["restrukturisasi_id", "urutan", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["restrukturisasi", "urutan"], name="langkah_restrukturisasi_urut"
            )
        ]

    def __str__(self) -> str:
        return f"{self.urutan}. {self.get_jenis_display()}"
