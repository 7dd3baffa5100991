"""SKP (Sasaran Kinerja Pegawai) and its parts: versions, rencana hasil kerja, indikator,
ekspektasi perilaku, lampiran, and the leader's matriks peran-hasil.

An SKP is a living document: every change after approval opens a new *version* (a new SKP row
with `versi` + 1) that goes through approval again; old versions stay readable and immutable.
Rows keep a `kunci` (UUID) across versions, so versions can be compared row by row and a
member's rencana hasil kerja can point at "the same" leader's row whatever version it is in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kinerja.sinkron import LINGKUP_INDUK, LINGKUP_PEGAWAI, Sinkron, SinkronBagian


class SKP(Sinkron):
    sinkron_jenis = "skp"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        DIAJUKAN = "diajukan", "Diajukan"
        DISETUJUI = "disetujui", "Disetujui"

    class Pendekatan(models.TextChoices):
        KUANTITATIF = "kuantitatif", "Kuantitatif"
        KUALITATIF = "kualitatif", "Kualitatif"

    class Jenis(models.TextChoices):
        JA_JF = "ja_jf", "JA/JF"
        JPT = "jpt", "JPT"
        TUGAS_BELAJAR = "tugas_belajar", "Tugas Belajar"

    class Jenjang(models.TextChoices):
        S1 = "s1", "S1"
        PROFESI_S2_S3 = "profesi_s2_s3", "Profesi, S2, S3"

    class Lokasi(models.TextChoices):
        DALAM_NEGERI = "dalam_negeri", "Dalam negeri"
        LUAR_NEGERI = "luar_negeri", "Luar negeri"

    class Akreditasi(models.TextChoices):
        A = "A", "A / Unggul"
        B = "B", "B / Baik Sekali"
        C = "C", "C / Baik"

    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="skp_set")
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="skp_set")
    versi = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    pendekatan = models.CharField(
        max_length=12, choices=Pendekatan.choices, default=Pendekatan.KUANTITATIF
    )
    jenis = models.CharField(max_length=15, choices=Jenis.choices, default=Jenis.JA_JF)
    # Copied from the pegawai when created and again when submitted: the document keeps the
    # penilai of its time even after a mutasi.
    pejabat_penilai = models.ForeignKey(
        "kinerja.Pegawai",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="skp_dinilai_set",
    )
    atasan_pejabat_penilai = models.ForeignKey(
        "kinerja.Pegawai",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    terkini = models.BooleanField(default=True, help_text="Versi terakhir untuk pegawai+periode.")
    # The stretch of the year the SKP holds (domain.md, "A change of position or penilai during
    # the year"): a change of penilai closes it the day before the TMT and a new SKP with the
    # new penilai starts on the TMT. Empty: from the start / to the end of the year.
    berlaku_mulai = models.DateField("berlaku mulai", null=True, blank=True)
    berlaku_sampai = models.DateField("berlaku sampai", null=True, blank=True)
    alasan_perubahan = models.TextField(blank=True)
    catatan_penilai = models.TextField(blank=True)
    # Lampiran SKP (PermenPANRB 6/2022).
    dukungan_sumber_daya = models.TextField(blank=True)
    skema_pertanggungjawaban = models.TextField(blank=True)
    konsekuensi = models.TextField(blank=True)
    # Tugas belajar: what the IPK bands depend on.
    tb_perguruan_tinggi = models.CharField("perguruan tinggi", max_length=200, blank=True)
    tb_program_studi = models.CharField("program studi", max_length=200, blank=True)
    tb_jenjang = models.CharField("jenjang", max_length=15, choices=Jenjang.choices, blank=True)
    tb_lokasi = models.CharField("lokasi", max_length=15, choices=Lokasi.choices, blank=True)
    tb_akreditasi_univ = models.CharField(
        "akreditasi perguruan tinggi", max_length=1, choices=Akreditasi.choices, blank=True
    )
    tb_akreditasi_prodi = models.CharField(
        "akreditasi program studi", max_length=1, choices=Akreditasi.choices, blank=True
    )
    diajukan_pada = models.DateTimeField(null=True, blank=True)
    disetujui_pada = models.DateTimeField(null=True, blank=True)
    dibuat = models.DateTimeField(auto_now_add=True)
    diperbarui = models.DateTimeField(auto_now=True)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "SKP"
        verbose_name_plural = "SKP"
        ordering = ["-periode__tahun", "pegawai__nama", "-versi"]
        constraints = [
            models.UniqueConstraint(fields=["pegawai", "periode", "versi"], name="skp_versi_unik"),
            models.UniqueConstraint(
                fields=["pegawai", "periode"], condition=Q(terkini=True), name="skp_satu_terkini"
            ),
        ]
        indexes = [
            models.Index(fields=["pejabat_penilai", "status"]),
            models.Index(fields=["periode", "status"]),
        ]

    def __str__(self) -> str:
        return f"SKP {self.pegawai.nama} {self.periode.tahun} v{self.versi}"

    def sinkron_lingkup(self) -> dict:
        return {
            "lingkup": LINGKUP_PEGAWAI,
            "instansi_id": self.pegawai.instansi_id,
            "pegawai_id": self.pegawai_id,
        }

    @property
    def ditutup_mutasi(self) -> bool:
        """Closed by a change of penilai: read only, kept for the windows it covered."""
        return self.berlaku_sampai is not None

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_jpt(self) -> bool:
        return self.jenis == self.Jenis.JPT

    @property
    def is_tugas_belajar(self) -> bool:
        return self.jenis == self.Jenis.TUGAS_BELAJAR

    @property
    def is_kualitatif(self) -> bool:
        return self.pendekatan == self.Pendekatan.KUALITATIF


class RencanaHasilKerja(Sinkron):
    # Its own resource, and shown inside its SKP: a change bumps the SKP too.
    sinkron_jenis = "rencana-hasil-kerja"
    sinkron_induk = "skp"

    class Jenis(models.TextChoices):
        UTAMA = "utama", "Utama"
        TAMBAHAN = "tambahan", "Tambahan"

    class Perspektif(models.TextChoices):
        PENERIMA_LAYANAN = "penerima_layanan", "Perspektif Penerima Layanan"
        PROSES_BISNIS = "proses_bisnis", "Perspektif Proses Bisnis"
        PENGUATAN_INTERNAL = "penguatan_internal", "Perspektif Penguatan Internal"
        ANGGARAN = "anggaran", "Perspektif Anggaran"

    class Sumber(models.TextChoices):
        MATRIKS = "matriks", "Matriks peran-hasil"
        PENUGASAN = "penugasan", "Penugasan"
        MANUAL = "manual", "Disusun pegawai"
        TUGAS_BELAJAR = "tugas_belajar", "Tugas belajar"

    skp = models.ForeignKey(SKP, on_delete=models.CASCADE, related_name="rencana_set")
    jenis = models.CharField(max_length=10, choices=Jenis.choices, default=Jenis.UTAMA)
    urutan = models.PositiveIntegerField(default=0)
    rencana = models.TextField("rencana hasil kerja")
    rhk_atasan = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intervensi_set",
        verbose_name="rencana hasil kerja pimpinan yang diintervensi",
    )
    # Stable across versions: copying a row into a new version keeps it.
    kunci = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    perspektif = models.CharField(max_length=20, choices=Perspektif.choices, blank=True)
    pemberi_tugas = models.ForeignKey(
        "kinerja.Pegawai", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tim = models.ForeignKey(
        "kinerja.TimKerja", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sumber = models.CharField(max_length=15, choices=Sumber.choices, default=Sumber.MANUAL)
    # The matrix cell this row came from (applying the matrix again updates, never duplicates).
    peran_hasil = models.ForeignKey(
        "skp.PeranHasil", null=True, blank=True, on_delete=models.SET_NULL, related_name="rhk_set"
    )
    # Kualitatif approach: descriptive expected result and its measure of success.
    uraian_hasil = models.TextField("hasil yang diharapkan", blank=True)
    ukuran_keberhasilan = models.TextField(
        "ukuran keberhasilan / indikator kinerja individu dan target", blank=True
    )
    # What the penilai asked to change on this row when returning the SKP (cleared when the
    # SKP is approved; a new version starts without it).
    catatan_penilai = models.TextField("catatan pejabat penilai", blank=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "rencana hasil kerja"
        verbose_name_plural = "rencana hasil kerja"
        ordering = ["skp_id", "jenis", "urutan", "id"]
        indexes = [models.Index(fields=["skp", "jenis", "urutan"])]

    def __str__(self) -> str:
        return self.rencana[:80]

    def sinkron_lingkup(self) -> dict:
        return {
            "lingkup": LINGKUP_INDUK,
            "instansi_id": self.skp.pegawai.instansi_id,
            "pegawai_id": self.skp.pegawai_id,
            "induk": self.skp,
        }


class Indikator(SinkronBagian):
    sinkron_induk = "rencana"

    class Aspek(models.TextChoices):
        KUANTITAS = "kuantitas", "Kuantitas"
        KUALITAS = "kualitas", "Kualitas"
        WAKTU = "waktu", "Waktu"
        BIAYA = "biaya", "Biaya"

    rencana = models.ForeignKey(
        RencanaHasilKerja, on_delete=models.CASCADE, related_name="indikator_set"
    )
    aspek = models.CharField(max_length=10, choices=Aspek.choices, default=Aspek.KUANTITAS)
    indikator = models.TextField("indikator kinerja individu")
    # Text on purpose: targets may be ranges ("90 – 95 %") or dates.
    target = models.CharField(max_length=200)
    sumber_data = models.CharField(
        "sumber data untuk pemantauan dan pengukuran", max_length=300, blank=True
    )
    urutan = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indikator kinerja individu"
        verbose_name_plural = "indikator kinerja individu"
        ordering = ["rencana_id", "urutan", "id"]

    def __str__(self) -> str:
        return f"{self.get_aspek_display()}: {self.indikator[:60]}"


class NilaiBerakhlak(models.TextChoices):
    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan", "Berorientasi Pelayanan"
    AKUNTABEL = "akuntabel", "Akuntabel"
    KOMPETEN = "kompeten", "Kompeten"
    HARMONIS = "harmonis", "Harmonis"
    LOYAL = "loyal", "Loyal"
    ADAPTIF = "adaptif", "Adaptif"
    KOLABORATIF = "kolaboratif", "Kolaboratif"


class EkspektasiPerilaku(SinkronBagian):
    """One BerAKHLAK value on an SKP, with the leader's ekspektasi khusus (may be empty)."""

    sinkron_induk = "skp"

    skp = models.ForeignKey(SKP, on_delete=models.CASCADE, related_name="perilaku_set")
    nilai = models.CharField(max_length=25, choices=NilaiBerakhlak.choices)
    ekspektasi_khusus = models.TextField("ekspektasi khusus pimpinan", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ekspektasi perilaku"
        verbose_name_plural = "ekspektasi perilaku"
        constraints = [
            models.UniqueConstraint(fields=["skp", "nilai"], name="perilaku_unik_per_skp")
        ]

    def __str__(self) -> str:
        return self.get_nilai_display()


class MatriksPeranHasil(Sinkron):
    """A leader's cascading matrix for a year.

    Columns are the leader's own rencana hasil kerja (identified by their `kunci`, so the matrix
    survives new versions of the leader's SKP); rows are the direct reports (pegawai whose
    pejabat penilai is the leader) or, for a team matrix, the members of the TimKerja.
    """

    sinkron_jenis = "matriks-peran-hasil"

    pemimpin = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="matriks_set"
    )
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    tim = models.ForeignKey(
        "kinerja.TimKerja", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Extra rows: ketua of a (cross-unit) TimKerja who are not the leader's direct reports
    # (a JPT cascades to ketua tim and JF directly under her, domain.md "Cascading").
    anggota_tambahan = models.ManyToManyField(
        "kinerja.Pegawai", blank=True, related_name="+", verbose_name="baris tambahan (ketua tim)"
    )
    dibuat = models.DateTimeField(auto_now_add=True)
    diperbarui = models.DateTimeField(auto_now=True)
    diterapkan_pada = models.DateTimeField(null=True, blank=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "matriks peran-hasil"
        verbose_name_plural = "matriks peran-hasil"
        constraints = [
            models.UniqueConstraint(
                fields=["pemimpin", "periode"],
                condition=Q(tim__isnull=True),
                name="matriks_unik_pemimpin",
            ),
            models.UniqueConstraint(
                fields=["pemimpin", "periode", "tim"],
                condition=Q(tim__isnull=False),
                name="matriks_unik_tim",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" — {self.tim.nama}" if self.tim_id else ""
        return f"Matriks {self.pemimpin.nama} {self.periode.tahun}{suffix}"

    def sinkron_lingkup(self) -> dict:
        return {
            "lingkup": LINGKUP_PEGAWAI,
            "instansi_id": self.pemimpin.instansi_id,
            "pegawai_id": self.pemimpin_id,
        }


class PeranHasil(SinkronBagian):
    """One cell entry: what a member must produce for one of the leader's results (or N/A)."""

    sinkron_induk = "matriks"

    class Cascading(models.TextChoices):
        LANGSUNG = "langsung", "Langsung (direct)"
        TIDAK_LANGSUNG = "tidak_langsung", "Tidak langsung (non-direct)"

    class Dasar(models.TextChoices):
        ASPEK_TAHAPAN = "aspek_tahapan", "Pembagian aspek/tahapan"
        WILAYAH = "wilayah", "Pembagian wilayah"
        PORSI_TARGET = "porsi_target", "Porsi target kuantitatif"
        LAYANAN = "layanan", "Layanan"
        PRODUK = "produk", "Produk"

    matriks = models.ForeignKey(MatriksPeranHasil, on_delete=models.CASCADE, related_name="sel_set")
    anggota = models.ForeignKey("kinerja.Pegawai", on_delete=models.CASCADE, related_name="+")
    kolom_kunci = models.UUIDField(help_text="kunci rencana hasil kerja pimpinan (kolom)")
    na = models.BooleanField("N/A", default=False)
    peran_hasil = models.TextField("peran-hasil", blank=True)
    cascading = models.CharField(
        max_length=15, choices=Cascading.choices, default=Cascading.LANGSUNG
    )
    dasar = models.CharField(max_length=15, choices=Dasar.choices, blank=True)
    aspek = models.CharField(max_length=10, choices=Indikator.Aspek.choices, blank=True)
    indikator = models.TextField("indikator kinerja individu", blank=True)
    target = models.CharField(max_length=200, blank=True)
    urutan = models.PositiveIntegerField(default=0)
    kunci = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "peran-hasil"
        verbose_name_plural = "peran-hasil"
        ordering = ["matriks_id", "anggota_id", "urutan", "id"]
        indexes = [models.Index(fields=["matriks", "anggota", "kolom_kunci"])]

    def __str__(self) -> str:
        return "N/A" if self.na else self.peran_hasil[:80]
