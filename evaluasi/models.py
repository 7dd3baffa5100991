"""Evaluation and follow-up: kinerja organisasi, per-pegawai evaluations, year-end close, sanctions.

The predikat of an Evaluasi is stored (for lists, exports and the API) but is never typed: the
services always compute it from the two ratings through `evaluasi.rules.predikat` (the quadrant).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from evaluasi import rules
from kinerja.sinkron import LINGKUP_PEGAWAI, Sinkron, SinkronBagian


class Jenis(models.TextChoices):
    PERIODIK = "periodik", "Periodik"
    TAHUNAN = "tahunan", "Tahunan (akhir)"


class Rating(models.TextChoices):
    DIBAWAH = rules.DIBAWAH, rules.RATING_LABEL[rules.DIBAWAH]
    SESUAI = rules.SESUAI, rules.RATING_LABEL[rules.SESUAI]
    DIATAS = rules.DIATAS, rules.RATING_LABEL[rules.DIATAS]


class Predikat(models.TextChoices):
    SANGAT_BAIK = rules.SANGAT_BAIK, "Sangat Baik"
    BAIK = rules.BAIK, "Baik"
    BUTUH_PERBAIKAN = rules.BUTUH_PERBAIKAN, "Butuh Perbaikan"
    KURANG = rules.KURANG, "Kurang"
    SANGAT_KURANG = rules.SANGAT_KURANG, "Sangat Kurang"


class PredikatOrganisasi(models.TextChoices):
    ISTIMEWA = rules.ISTIMEWA, "Istimewa"
    BAIK = rules.BAIK, "Baik"
    BUTUH_PERBAIKAN = rules.BUTUH_PERBAIKAN, "Butuh Perbaikan"
    KURANG = rules.KURANG, "Kurang"
    SANGAT_KURANG = rules.SANGAT_KURANG, "Sangat Kurang"


def _window_constraints(
    prefix: str, fields: list[str], bagian: bool = False
) -> list[models.UniqueConstraint]:
    """One row per window: (…, urutan) for periodic windows, (…) once for the annual one. With
    `bagian`, a periodic window cut by a change of penilai has one row per part (its `mulai`)."""
    if bagian:
        periodik = [
            models.UniqueConstraint(
                fields=[*fields, "urutan"],
                condition=Q(jenis=Jenis.PERIODIK, mulai__isnull=True),
                name=f"{prefix}_unik_periodik",
            ),
            models.UniqueConstraint(
                fields=[*fields, "urutan", "mulai"],
                condition=Q(jenis=Jenis.PERIODIK, mulai__isnull=False),
                name=f"{prefix}_unik_periodik_bagian",
            ),
        ]
    else:
        periodik = [
            models.UniqueConstraint(
                fields=[*fields, "urutan"],
                condition=Q(jenis=Jenis.PERIODIK),
                name=f"{prefix}_unik_periodik",
            )
        ]
    return [
        *periodik,
        models.UniqueConstraint(
            fields=fields, condition=Q(jenis=Jenis.TAHUNAN), name=f"{prefix}_unik_tahunan"
        ),
        models.CheckConstraint(
            condition=(Q(jenis=Jenis.PERIODIK, urutan__isnull=False))
            | Q(jenis=Jenis.TAHUNAN, urutan__isnull=True),
            name=f"{prefix}_urutan_sesuai_jenis",
        ),
    ]


class KinerjaOrganisasi(Sinkron):
    """A unit's performance for one evaluation window, set by the leader above or the admin."""

    sinkron_jenis = "kinerja-organisasi"

    unit_kerja = models.ForeignKey(
        "kinerja.UnitKerja", on_delete=models.PROTECT, related_name="kinerja_organisasi_set"
    )
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    jenis = models.CharField(max_length=10, choices=Jenis.choices)
    urutan = models.PositiveSmallIntegerField(null=True, blank=True)
    predikat = models.CharField(max_length=20, choices=PredikatOrganisasi.choices)
    capaian = models.TextField(
        "capaian kinerja organisasi",
        blank=True,
        help_text="Capaian perjanjian kinerja dan angka yang menjadi dasar predikat.",
    )
    ditetapkan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ditetapkan_pada = models.DateTimeField(null=True, blank=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "kinerja organisasi"
        verbose_name_plural = "kinerja organisasi"
        ordering = ["periode_id", "unit_kerja_id", "jenis", "urutan"]
        constraints = _window_constraints("ko", ["unit_kerja", "periode"])

    def __str__(self) -> str:
        return f"{self.unit_kerja} {self.periode.tahun}: {self.get_predikat_display()}"

    def sinkron_lingkup(self) -> dict:
        return {"lingkup": "instansi", "instansi_id": self.periode.instansi_id}


class Evaluasi(Sinkron):
    sinkron_jenis = "evaluasi"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"

    pegawai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="evaluasi_set"
    )
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    skp = models.ForeignKey(
        "skp.SKP", null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluasi_set"
    )
    jenis = models.CharField(max_length=10, choices=Jenis.choices)
    urutan = models.PositiveSmallIntegerField(null=True, blank=True)
    # Who rated, kept as of the evaluation (a mutasi later does not move it); the atasan is who
    # a keberatan goes to.
    pejabat_penilai = models.ForeignKey(
        "kinerja.Pegawai", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    atasan_pejabat_penilai = models.ForeignKey(
        "kinerja.Pegawai", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The part of the window this evaluation covers (domain.md, "The organisation over time"):
    # a window cut by a change of penilai has one evaluation per part, each by its penilai.
    # Empty on rows made before parts were recorded: the whole window.
    mulai = models.DateField("dinilai dari", null=True, blank=True)
    selesai = models.DateField("dinilai sampai", null=True, blank=True)
    rating_hasil_kerja = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    rating_perilaku_kerja = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    predikat = models.CharField(max_length=20, choices=Predikat.choices, blank=True)
    saran_rating_hasil_kerja = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    alasan_ubah_rating = models.TextField(
        "alasan mengubah rating hasil kerja yang disarankan", blank=True
    )
    # Tugas belajar: the IPK the rating rests on (bands in skp.rules).
    ipk = models.DecimalField("IPK", max_digits=3, decimal_places=2, null=True, blank=True)
    predikat_ipk = models.CharField(max_length=20, blank=True)
    catatan = models.TextField("catatan pejabat penilai", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    finalisasi_pada = models.DateTimeField(null=True, blank=True)
    finalisasi_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    alasan_buka_kembali = models.TextField(blank=True)
    # The issued document and the row_version it was rendered from (re-rendered when they differ).
    dokumen = models.ForeignKey(
        "kinerja.Dokumen", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dokumen_row_version = models.PositiveIntegerField(null=True, blank=True)
    dibuat = models.DateTimeField(auto_now_add=True)
    diperbarui = models.DateTimeField(auto_now=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["diubah", "dokumen", "dokumen_row_version"])

    class Meta:
        verbose_name = "evaluasi kinerja"
        verbose_name_plural = "evaluasi kinerja"
        ordering = ["periode_id", "pegawai__nama", "jenis", "urutan"]
        constraints = _window_constraints("evaluasi", ["pegawai", "periode"], bagian=True)
        indexes = [
            models.Index(fields=["periode", "jenis", "urutan", "status"]),
            models.Index(fields=["pejabat_penilai", "periode"]),
            # The distribution counts of a window (predikat per pegawai) as an index-only scan:
            # 31,000 evaluations of a province's period read and filtered -> 6,200 index
            # entries (EXPLAIN ANALYZE, 20,000 pegawai; bench/results.md).
            models.Index(
                fields=["periode", "jenis", "urutan"],
                include=["pegawai", "predikat", "id"],
                name="evaluasi_jendela_rekap",
            ),
            # The whole instansi's counts (pegawai of the instansi now): in pegawai order, so
            # PostgreSQL merge-joins it with pegawai_instansi_keyset instead of hashing 7,000
            # pegawai per page (EXPLAIN ANALYZE at 100,000 pegawai: 9.3 -> 2.3 ms under load;
            # bench/temuan.md, "Putaran ketujuh").
            models.Index(
                fields=["periode", "jenis", "pegawai"],
                include=["urutan", "predikat"],
                name="evaluasi_rekap_pegawai",
            ),
            # The year-end close's count of final annual evaluations per unit (its job step,
            # evaluasi/services/tutup_tahun.py `_PER_UNIT`) as an index-only scan: through the
            # period's index it read every evaluation of the period from the heap (the annual
            # ones among 4-5x as many periodic ones, one page each) to test jenis and status.
            models.Index(
                fields=["periode", "pegawai"],
                condition=models.Q(jenis="tahunan", status="final"),
                name="evaluasi_tahunan_final",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluasi {self.pegawai.nama} {self.periode.tahun} {self.jendela_kode}"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    def sinkron_lingkup(self) -> dict:
        return {
            "lingkup": LINGKUP_PEGAWAI,
            "instansi_id": self.pegawai.instansi_id,
            "pegawai_id": self.pegawai_id,
        }

    @property
    def jendela_kode(self) -> str:
        return "akhir" if self.jenis == Jenis.TAHUNAN else str(self.urutan)


class PenilaianRHK(models.Model):
    """The penilai's rating of one rencana hasil kerja (by its `kunci`, stable across versions)."""

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="rhk_set")
    rhk_kunci = models.UUIDField()
    jenis = models.CharField(max_length=10, default="utama")
    rencana = models.TextField(blank=True)
    rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    catatan = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "penilaian rencana hasil kerja"
        verbose_name_plural = "penilaian rencana hasil kerja"
        constraints = [
            models.UniqueConstraint(fields=["evaluasi", "rhk_kunci"], name="penilaian_rhk_unik")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class CatatanPerilaku(models.Model):
    """The penilai's note on one BerAKHLAK value, against the ekspektasi khusus."""

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="perilaku_set")
    nilai = models.CharField(max_length=25)
    catatan = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "catatan perilaku kerja"
        verbose_name_plural = "catatan perilaku kerja"
        constraints = [
            models.UniqueConstraint(fields=["evaluasi", "nilai"], name="catatan_perilaku_unik")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class PembukaanKembali(models.Model):
    """Each reopening of a final evaluation, with the admin's reason (kept forever)."""

    evaluasi = models.ForeignKey(
        Evaluasi, on_delete=models.CASCADE, related_name="pembukaan_kembali_set"
    )
    oleh = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    pada = models.DateTimeField(auto_now_add=True)
    alasan = models.TextField()

    class Meta:
        ordering = ["pada", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class JustifikasiDistribusi(models.Model):
    """Why a team's or unit's predikat distribution departs from the guidance in one window."""

    class Cakupan(models.TextChoices):
        TIM = "tim", "Tim pejabat penilai"
        UNIT = "unit", "Unit kerja"
        INSTANSI = "instansi", "Instansi"

    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    jenis = models.CharField(max_length=10, choices=Jenis.choices)
    urutan = models.PositiveSmallIntegerField(null=True, blank=True)
    cakupan = models.CharField(max_length=10, choices=Cakupan.choices)
    unit_kerja = models.ForeignKey(
        "kinerja.UnitKerja", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pejabat_penilai = models.ForeignKey(
        "kinerja.Pegawai", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pelanggaran = models.JSONField(default=list, help_text="Batas pedoman yang dilampaui.")
    isi = models.TextField("justifikasi")
    dibuat_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    dibuat = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "justifikasi distribusi"
        verbose_name_plural = "justifikasi distribusi"
        ordering = ["-dibuat"]
        indexes = [models.Index(fields=["periode", "jenis", "urutan", "cakupan"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class PenutupanTahun(models.Model):
    """One year-end close of an instansi's year: the job, and what it produced."""

    class Status(models.TextChoices):
        BERJALAN = "berjalan", "Berjalan"
        SELESAI = "selesai", "Selesai"

    periode = models.OneToOneField(
        "kinerja.Periode", on_delete=models.PROTECT, related_name="penutupan"
    )
    job = models.ForeignKey("kinerja.Job", null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BERJALAN)
    dimulai_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    dimulai = models.DateTimeField(auto_now_add=True)
    selesai = models.DateTimeField(null=True, blank=True)
    rekap = models.ForeignKey(
        "kinerja.Dokumen", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rekap_sidik = models.CharField(max_length=64, blank=True)
    ringkasan = models.JSONField(default=dict, blank=True)
    # The run under way or last finished (its job's id): the per-unit jobs carry it, and the
    # unit job that finds every unit of this run done writes the recap.
    putaran = models.PositiveIntegerField(default=0)
    unit_total = models.PositiveIntegerField(default=0)
    dokumen_total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "penutupan tahun"
        verbose_name_plural = "penutupan tahun"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class ArsipUnit(models.Model):
    """The zip of a unit's evaluation PDFs made by a year-end close."""

    # No index of its own: the unique (penutupan, unit_kerja) index starts with it, and a close
    # inserts a province's units at once (a second index made that INSERT about 30 % dearer).
    penutupan = models.ForeignKey(
        PenutupanTahun, on_delete=models.CASCADE, related_name="arsip_set", db_index=False
    )
    unit_kerja = models.ForeignKey("kinerja.UnitKerja", on_delete=models.PROTECT, related_name="+")
    dokumen = models.ForeignKey("kinerja.Dokumen", null=True, on_delete=models.SET_NULL)
    sidik = models.CharField(max_length=64, help_text="Hash of the PDFs it holds.")
    jumlah = models.PositiveIntegerField(default=0)
    # The close run that includes this unit, the run its unit job finished, and how many of its
    # documents that job has checked or issued so far (the page's progress).
    putaran = models.PositiveIntegerField(default=0)
    putaran_selesai = models.PositiveIntegerField(default=0)
    terbit = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["unit_kerja__nama"]
        constraints = [
            models.UniqueConstraint(fields=["penutupan", "unit_kerja"], name="arsip_unit_unik")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Potensi(models.Model):
    """A pegawai's talent potential for a year, entered by the admin from the assessment."""

    class Tingkat(models.TextChoices):
        RENDAH = rules.RENDAH, "Rendah"
        MENENGAH = rules.MENENGAH, "Menengah"
        TINGGI = rules.TINGGI, "Tinggi"

    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.CASCADE, related_name="+")
    tahun = models.PositiveSmallIntegerField()
    potensi = models.CharField(max_length=10, choices=Tingkat.choices)
    sumber = models.CharField("sumber asesmen", max_length=200, blank=True)
    dicatat_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "potensi pegawai"
        verbose_name_plural = "potensi pegawai"
        constraints = [
            models.UniqueConstraint(fields=["pegawai", "tahun"], name="potensi_unik_per_tahun")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class TabelTindakLanjut(models.Model):
    """An instansi's own follow-up table per predikat (salary criterion, tunjangan kinerja)."""

    class Jenis(models.TextChoices):
        KENAIKAN_GAJI = "kenaikan_gaji", "Kriteria kenaikan gaji"
        TUNJANGAN_KINERJA = "tunjangan_kinerja", "Tunjangan kinerja"

    instansi = models.ForeignKey("kinerja.Instansi", on_delete=models.CASCADE, related_name="+")
    jenis = models.CharField(max_length=20, choices=Jenis.choices)
    predikat = models.CharField(max_length=20, choices=Predikat.choices)
    nilai = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "jenis", "predikat"], name="tabel_tindak_lanjut_unik"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class KasusSanksi(models.Model):
    """Follow-up of unmet performance along the JPT or the JA/JF path (PP 30/2019)."""

    class Status(models.TextChoices):
        TERBUKA = "terbuka", "Terbuka"
        SELESAI = "selesai", "Selesai"

    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="+")
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    jalur = models.CharField(
        max_length=10,
        choices=[(rules.JALUR_JPT, "JPT"), (rules.JALUR_JA_JF, "JA/JF")],
    )
    predikat_pemicu = models.CharField(max_length=20, choices=Predikat.choices, blank=True)
    alasan = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TERBUKA)
    dibuka_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    dibuka = models.DateTimeField(auto_now_add=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "kasus sanksi kinerja"
        verbose_name_plural = "kasus sanksi kinerja"
        ordering = ["-dibuka"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def langkah_terakhir(self) -> LangkahSanksi | None:
        items = list(self.langkah_set.all())
        return items[-1] if items else None


class LangkahSanksi(models.Model):
    kasus = models.ForeignKey(KasusSanksi, on_delete=models.CASCADE, related_name="langkah_set")
    langkah = models.CharField(max_length=25, choices=list(rules.LANGKAH_LABEL.items()))
    mulai = models.DateField()
    batas = models.DateField(null=True, blank=True, help_text="Tenggat langkah ini.")
    catatan = models.TextField(blank=True)
    diputuskan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL
    )
    diputuskan_pada = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kasus_id", "diputuskan_pada", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


# --- keberatan (PP 30/2019 art. 59) ----------------------------------------------------------
class Keberatan(Sinkron):
    """A pegawai's objection to their final evaluation, decided by the atasan pejabat penilai
    (or, where the penilai has no atasan, whoever the instansi designates: Instansi.
    pejabat_keberatan). At most one open per evaluation; the decision is final."""

    sinkron_jenis = "keberatan"

    class Status(models.TextChoices):
        DIAJUKAN = rules.DIAJUKAN, "Diajukan"
        DIPERIKSA = rules.DIPERIKSA, "Sedang diperiksa"
        DIPUTUS = rules.DIPUTUS, "Diputus"

    class Keputusan(models.TextChoices):
        TETAP = rules.TETAP, "Tetap"
        DIUBAH = rules.DIUBAH, "Diubah"

    class SumberPemutus(models.TextChoices):
        ATASAN = "atasan", "Atasan pejabat penilai"
        PEMEGANG = "pemegang", "Pemegang jabatan atasan pejabat penilai saat ini"
        DITUNJUK = "ditunjuk", "Pejabat yang ditunjuk instansi"
        ADMIN = "admin", "Ditetapkan admin instansi"
        BELUM = "belum", "Belum ada (admin instansi diminta menunjuk)"

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.PROTECT, related_name="keberatan_set")
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="+")
    # Kept as of filing: who rated (asked for an explanation) and who decides.
    pejabat_penilai = models.ForeignKey(
        "kinerja.Pegawai", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pemutus = models.ForeignKey(
        "kinerja.Pegawai", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sumber_pemutus = models.CharField(max_length=10, choices=SumberPemutus.choices)
    # Why the admin named (or changed) the pemutus; kept with the history.
    alasan_pemutus = models.TextField("alasan penetapan pemutus", blank=True)
    alasan = models.TextField("alasan keberatan")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DIAJUKAN)
    keputusan = models.CharField(max_length=10, choices=Keputusan.choices, blank=True)
    alasan_keputusan = models.TextField(blank=True)
    # The result objected to, and (decided `diubah`) the one that replaced it.
    finalisasi_pada = models.DateTimeField(help_text="Saat evaluasi yang dikeberatkan final.")
    rating_hasil_kerja_semula = models.CharField(max_length=20, choices=Rating.choices)
    rating_perilaku_kerja_semula = models.CharField(max_length=20, choices=Rating.choices)
    predikat_semula = models.CharField(max_length=20, choices=Predikat.choices)
    rating_hasil_kerja_baru = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    rating_perilaku_kerja_baru = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    predikat_baru = models.CharField(max_length=20, choices=Predikat.choices, blank=True)
    diajukan = models.DateTimeField(default=timezone.now)
    batas_putusan = models.DateTimeField()
    diputus_pada = models.DateTimeField(null=True, blank=True)
    diputus_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    diperbarui = models.DateTimeField(auto_now=True)
    row_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["diubah"])

    class Meta:
        verbose_name = "keberatan"
        verbose_name_plural = "keberatan"
        ordering = ["-diajukan", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluasi"],
                condition=~Q(status=rules.DIPUTUS),
                name="keberatan_satu_terbuka_per_evaluasi",
            ),
            models.CheckConstraint(
                condition=Q(status=rules.DIPUTUS, keputusan__in=[rules.TETAP, rules.DIUBAH])
                | (~Q(status=rules.DIPUTUS) & Q(keputusan="")),
                name="keberatan_keputusan_sesuai_status",
            ),
        ]
        indexes = [
            models.Index(fields=["pemutus", "status"]),
            models.Index(fields=["pegawai", "status"]),
            models.Index(fields=["pejabat_penilai", "status"]),
            models.Index(fields=["status", "batas_putusan"]),
        ]

    def __str__(self) -> str:
        return f"Keberatan {self.pegawai} ({self.get_status_display()})"

    @property
    def terbuka(self) -> bool:
        return self.status != self.Status.DIPUTUS

    def sinkron_lingkup(self) -> dict:
        return {
            "lingkup": LINGKUP_PEGAWAI,
            "instansi_id": self.pegawai.instansi_id,
            "pegawai_id": self.pegawai_id,
        }


def _lokasi_lampiran(instance: LampiranKeberatan, filename: str) -> str:
    # Non-guessable, nothing of the uploader's file name: served only through the policy.
    return f"keberatan/{uuid.uuid4().hex}/{uuid.uuid4().hex}.{instance.ekstensi or 'bin'}"


class LampiranKeberatan(SinkronBagian):
    """A file supporting a keberatan, checked by its content like every upload."""

    sinkron_induk = "keberatan"

    keberatan = models.ForeignKey(Keberatan, on_delete=models.CASCADE, related_name="lampiran_set")
    berkas = models.FileField(upload_to=_lokasi_lampiran, max_length=200)
    nama_asli = models.CharField(max_length=255, blank=True)
    ekstensi = models.CharField(max_length=10, blank=True)
    mime = models.CharField(max_length=120, blank=True)
    ukuran = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    diunggah_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dibuat = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "lampiran keberatan"
        verbose_name_plural = "lampiran keberatan"
        ordering = ["dibuat", "id"]

    def __str__(self) -> str:
        return self.nama_asli or f"{self._meta.verbose_name} #{self.pk}"


class PenjelasanKeberatan(SinkronBagian):
    """One message of the examination thread: the pemutus asking one party (the pejabat
    penilai or the pegawai) for an explanation, or that party's answer to a request."""

    sinkron_induk = "keberatan"

    class Jenis(models.TextChoices):
        PERMINTAAN = "permintaan", "Permintaan penjelasan"
        JAWABAN = "jawaban", "Penjelasan"

    class Peran(models.TextChoices):
        PEMUTUS = "pemutus", "Pemutus keberatan"
        PEJABAT_PENILAI = "pejabat_penilai", "Pejabat penilai"
        PEGAWAI = "pegawai", "Pegawai"

    keberatan = models.ForeignKey(
        Keberatan, on_delete=models.CASCADE, related_name="penjelasan_set"
    )
    jenis = models.CharField(max_length=12, choices=Jenis.choices)
    peran = models.CharField("peran penulis", max_length=20, choices=Peran.choices)
    # A request's addressee (pejabat_penilai or pegawai); blank on an answer.
    kepada = models.CharField(max_length=20, choices=Peran.choices, blank=True)
    permintaan = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="jawaban_set"
    )
    penulis = models.ForeignKey(
        "kinerja.Pegawai", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    isi = models.TextField()
    dibuat = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "penjelasan keberatan"
        verbose_name_plural = "penjelasan keberatan"
        ordering = ["dibuat", "id"]
        constraints = [
            # A request is answered once.
            models.UniqueConstraint(
                fields=["permintaan"],
                condition=Q(jenis="jawaban"),
                name="penjelasan_satu_jawaban_per_permintaan",
            ),
            models.CheckConstraint(
                condition=Q(jenis="permintaan", permintaan__isnull=True) & ~Q(kepada="")
                | Q(jenis="jawaban", permintaan__isnull=False, kepada=""),
                name="penjelasan_bentuk_sesuai_jenis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} #{self.pk}"


class HitungPredikat(models.Model):
    """Rated evaluations per predikat of a period's window, by the pegawai's instansi and unit
    now (unit and urutan 0 when empty). Kept by the database's triggers (evaluasi.hitung_predikat),
    read by the distribution page; never written by the application except to rebuild it."""

    periode_id = models.IntegerField()
    jenis = models.CharField(max_length=10)
    urutan = models.IntegerField()
    instansi_id = models.IntegerField()
    unit_kerja_id = models.IntegerField()
    predikat = models.CharField(max_length=20)
    n = models.IntegerField()

    class Meta:
        verbose_name = "hitungan predikat"
        constraints = [
            # Also the reads' index: an instansi's rows of a window, or one unit's.
            models.UniqueConstraint(
                fields=[
                    "periode_id",
                    "jenis",
                    "instansi_id",
                    "unit_kerja_id",
                    "urutan",
                    "predikat",
                ],
                name="hitung_predikat_kunci",
            )
        ]

    def __str__(self) -> str:
        return f"{self.periode_id} {self.jenis} {self.urutan} unit {self.unit_kerja_id}: {self.n}"


# SIASN records live in their own sub-package; imported here so Django registers them.
from evaluasi.siasn.models import IdentitasSiasn, Kiriman, ReferensiSiasn, RekamanSiasn  # noqa: E402,F401,I001
