"""Integration tokens: the credential a BKD gives a system (SIASN sync, a regional HR system).

Each token acts as its own system account (`user`): no password, no pegawai, tied to one
instansi as its admin, so the one policy treats it as that instansi's admin without a second
access model, and history names the token's account on every change it makes. Only the SHA-256
of the secret is stored; the secret is shown once, when the token is made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class TokenIntegrasi(models.Model):
    class Cakupan(models.TextChoices):
        BACA = "baca", "Baca saja"
        BACA_TULIS = "baca_tulis", "Baca dan tulis"

    instansi = models.ForeignKey(
        "kinerja.Instansi", on_delete=models.PROTECT, related_name="token_integrasi_set"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="token_integrasi",
        verbose_name="akun sistem",
    )
    nama = models.CharField(max_length=100)
    cakupan = models.CharField(max_length=12, choices=Cakupan.choices, default=Cakupan.BACA)
    awalan = models.CharField("awalan token", max_length=16)
    sidik = models.CharField("SHA-256 token", max_length=64, unique=True)
    berlaku_sampai = models.DateTimeField()
    terakhir_dipakai = models.DateTimeField(null=True, blank=True)
    dibuat = models.DateTimeField(auto_now_add=True)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dicabut = models.DateTimeField(null=True, blank=True)
    dicabut_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Last use is bookkeeping written at most once a minute by the authentication, not a change.
    history = HistoricalRecords(excluded_fields=["terakhir_dipakai"])

    class Meta:
        verbose_name = "token integrasi"
        verbose_name_plural = "token integrasi"
        ordering = ["-dibuat", "-id"]
        indexes = [models.Index(fields=["instansi", "dibuat"])]

    def __str__(self) -> str:
        return f"{self.nama} ({self.awalan}…)"

    @property
    def aktif(self) -> bool:
        return self.dicabut is None and self.berlaku_sampai > timezone.now()

    @property
    def boleh_tulis(self) -> bool:
        return self.cakupan == self.Cakupan.BACA_TULIS


class HakAksesKhusus(models.Model):
    """An explicit grant the policy cannot derive from positions (issue 15, item 4).

    The permission itself is a django-guardian object permission on the object (`objek`); this
    row is its record: who gave it, to whom, on what, from when until when and why, and when
    and by whom it was taken back (with history). The policy honours the guardian permission
    only while a row like this is current (`mulai` <= today <= `selesai`, not revoked), so the
    date range holds even if nobody revokes it."""

    class Jenis(models.TextChoices):
        PLH = "plh", "Plh: menyetujui SKP atas nama pejabat"
        AUDITOR = "auditor", "Auditor: membaca SKP dan evaluasi unit"
        PEMUTUS_KEBERATAN = "pemutus_keberatan", "Pemutus keberatan yang ditunjuk"

    instansi = models.ForeignKey("kinerja.Instansi", on_delete=models.CASCADE, related_name="+")
    jenis = models.CharField(max_length=20, choices=Jenis.choices)
    penerima = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hak_akses_khusus"
    )
    # The object the guardian permission is on: a Pegawai (the official the Plh acts for), a
    # UnitKerja (audited) or the Instansi (keberatan).
    objek_id = models.PositiveBigIntegerField()
    objek_nama = models.CharField(max_length=300, blank=True)
    mulai = models.DateField()
    selesai = models.DateField(null=True, blank=True)
    alasan = models.TextField()
    diberikan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dibuat = models.DateTimeField(default=timezone.now)
    dicabut_pada = models.DateTimeField(null=True, blank=True)
    dicabut_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    alasan_cabut = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "hak akses khusus"
        verbose_name_plural = "hak akses khusus"
        ordering = ["-dibuat", "-pk"]
        indexes = [models.Index(fields=["penerima", "jenis"], name="hak_khusus_penerima")]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} — {self.objek_nama}"
