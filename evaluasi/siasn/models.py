"""SIASN data: the codes an instansi keeps, SIASN's ids, and the log of every send.

Imported by evaluasi/models.py so Django finds them (app label `evaluasi`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from evaluasi.siasn import rules


class ReferensiSiasn(models.Model):
    """One code of one of SIASN's reference lists, as an instansi keeps it: Kinerja's `kode`
    (a rating, a predikat, a golongan, a frequency, a jenjang) -> SIASN's id (`nilai`).

    A row exists once the admin has saved, checked or imported it; until then the shipped
    default of rules.BAWAAN applies and the page says "periksa dengan referensi SIASN"."""

    class Jenis(models.TextChoices):
        PERILAKU_KINERJA = rules.PERILAKU_KINERJA, "Perilaku dan kinerja"
        KUADRAN = rules.KUADRAN, "Kuadran nilai"
        GOLONGAN = rules.GOLONGAN, "Golongan"
        PERIODIK = rules.PERIODIK_REF, "Periodik"
        KOEFISIEN = rules.KOEFISIEN, "Koefisien"

    instansi = models.ForeignKey("kinerja.Instansi", on_delete=models.CASCADE, related_name="+")
    jenis = models.CharField(max_length=20, choices=Jenis.choices)
    kode = models.CharField("kode Kinerja", max_length=40)
    nilai = models.CharField("kode SIASN", max_length=40, blank=True)
    nama_siasn = models.CharField("nama di SIASN", max_length=200, blank=True)
    diperiksa = models.BooleanField(
        "sudah diperiksa dengan referensi SIASN",
        default=False,
        help_text="Dicentang setelah kode dicocokkan dengan daftar referensi SIASN.",
    )
    diubah = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "referensi SIASN"
        verbose_name_plural = "referensi SIASN"
        ordering = ["instansi_id", "jenis", "kode"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "jenis", "kode"], name="referensi_siasn_unik"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()}: {self.kode} -> {self.nilai or '(kosong)'}"


class IdentitasSiasn(models.Model):
    """SIASN's own id of a pegawai (`pnsDinilaiId`; SIASN's /pns/data-utama/<nip> `id`),
    asked once by the push and kept; the admin may also type it."""

    pegawai = models.OneToOneField(
        "kinerja.Pegawai", on_delete=models.CASCADE, related_name="identitas_siasn"
    )
    pns_id = models.CharField("ID PNS di SIASN", max_length=64)
    diambil = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "identitas SIASN pegawai"
        verbose_name_plural = "identitas SIASN pegawai"

    def __str__(self) -> str:
        return f"{self.pegawai_id}: {self.pns_id}"


class RekamanSiasn(models.Model):
    """What SIASN holds of one record (one evaluation, as an SKP22 or a periodic record): its id
    there, and the fingerprint of the content last accepted. The push locks this row, so one
    record is never sent twice at once, and content SIASN already has is not sent again."""

    evaluasi = models.ForeignKey(
        "evaluasi.Evaluasi", on_delete=models.CASCADE, related_name="rekaman_siasn"
    )
    jenis = models.CharField(max_length=20, choices=list(rules.JENIS_REKAMAN.items()))
    id_siasn = models.CharField("ID riwayat di SIASN", max_length=64, blank=True)
    sidik_terkirim = models.CharField(max_length=64, blank=True)
    terkirim_pada = models.DateTimeField(null=True, blank=True)
    # Bumped by every "kirim ulang" so each request is its own outbox job (kunci).
    jumlah_ulang = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "rekaman SIASN"
        verbose_name_plural = "rekaman SIASN"
        constraints = [
            models.UniqueConstraint(fields=["evaluasi", "jenis"], name="rekaman_siasn_unik")
        ]

    def __str__(self) -> str:
        return f"{self.jenis} evaluasi {self.evaluasi_id}"


class Kiriman(models.Model):
    """One attempt to send one record to SIASN (append-only): what, when, which attempt, and
    SIASN's answer (HTTP status and body)."""

    class Status(models.TextChoices):
        TERKIRIM = "terkirim", "Terkirim"
        DITOLAK = "ditolak", "Ditolak SIASN"
        GAGAL = "gagal", "Gagal (dicoba lagi)"
        DITAHAN = "ditahan", "Ditahan (data belum lengkap)"

    class Alasan(models.TextChoices):
        FINAL = "final", "Evaluasi final"
        PERUBAHAN = "perubahan", "Hasil berubah"
        KEBERATAN = "keberatan", "Keputusan keberatan"
        ULANG = "ulang", "Kirim ulang oleh admin"
        SUSULAN = "susulan", "Kirim susulan oleh admin"

    instansi = models.ForeignKey("kinerja.Instansi", on_delete=models.CASCADE, related_name="+")
    evaluasi = models.ForeignKey(
        "evaluasi.Evaluasi", on_delete=models.PROTECT, related_name="kiriman_siasn"
    )
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="+")
    jenis = models.CharField(max_length=20, choices=list(rules.JENIS_REKAMAN.items()))
    tahun = models.PositiveSmallIntegerField()
    urutan = models.PositiveSmallIntegerField(null=True, blank=True)
    job = models.ForeignKey("kinerja.Job", null=True, on_delete=models.SET_NULL, related_name="+")
    percobaan = models.PositiveSmallIntegerField(default=1)
    alasan = models.CharField(max_length=12, choices=Alasan.choices, default=Alasan.FINAL)
    isi = models.JSONField("data yang dikirim", default=dict)
    sidik = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices)
    kode_status = models.PositiveSmallIntegerField("kode status HTTP", null=True, blank=True)
    jawaban = models.TextField("jawaban SIASN", blank=True)
    id_siasn = models.CharField(max_length=64, blank=True)
    dikirim = models.DateTimeField(auto_now_add=True)
    durasi_ms = models.PositiveIntegerField(null=True, blank=True)
    diminta_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "kiriman SIASN"
        verbose_name_plural = "kiriman SIASN"
        ordering = ["-dikirim", "-id"]
        indexes = [
            models.Index(fields=["instansi", "tahun", "status"]),
            models.Index(fields=["evaluasi", "jenis", "dikirim"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.pegawai_id} {self.tahun}: {self.status}"
