"""Forms of "Kelola organisasi": units, positions, pegawai, changes of position, the year and
the keberatan designee. Validation that matters everywhere lives in the models and services
(`organisasi_simpan`, `mutasi_catat`); these forms only read what the admin typed.

At province size a <select> of 39k positions or 100k pegawai is not a form, so references are
picked with `PilihField`: a search box and a short <select> of what matched (htmx fills it as the
admin types; without JavaScript, submitting the form with the search box filled shows the
matches), validated against the whole instansi."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from kinerja import selectors_org
from kinerja.models import (
    HakAksesKhusus,
    Instansi,
    Jabatan,
    Mutasi,
    Pegawai,
    Periode,
    UnitKerja,
)

MAKS_PILIHAN = 30
TANGGAL = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def pilihan(jenis: str, qs: QuerySet, q: str, *, maks: int = MAKS_PILIHAN) -> list[tuple[int, str]]:
    """(id, label) of what matches `q` among `qs` (units, positions or pegawai of one instansi)."""
    q = (q or "").strip()
    if not q:
        return []
    if jenis == "pegawai":
        rows = selectors_org.cari_pegawai(qs, q).select_related("jabatan").order_by("nama", "pk")
        return [(p.pk, _label_pegawai(p)) for p in rows[:maks]]
    rows = list(selectors_org.cari_nama(qs, q).order_by("nama", "pk")[:maks])
    if jenis == "jabatan":
        units = {
            u.pk: u.nama
            for u in UnitKerja.objects.filter(pk__in={j.unit_kerja_id for j in rows}).only("nama")
        }
        return [(j.pk, f"{j.nama} — {units.get(j.unit_kerja_id, '')}") for j in rows]
    jalur = selectors_org.jalur_unit([u.pk for u in rows])
    return [(u.pk, selectors_org.jalur_teks(jalur.get(u.pk, [])) or u.nama) for u in rows]


def _label_pegawai(p: Pegawai) -> str:
    nip = f" ({p.nip})" if p.nip else ""
    jab = f" — {p.jabatan.nama}" if p.jabatan_id else ""
    return f"{p.nama}{nip}{jab}"


class PilihSelect(forms.Select):
    """A <select> that renders only the chosen value and the search results, never the whole
    queryset of its field."""

    def __init__(self, jenis: str, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.jenis = jenis
        self.pilihan: list[tuple[Any, str]] = []

    def optgroups(self, name, value, attrs=None):
        kosong = "— pilih —" if not self.pilihan else f"— pilih ({len(self.pilihan)} hasil) —"
        groups = []
        for index, (v, label) in enumerate([("", kosong), *self.pilihan]):
            selected = str(v) in {str(x) for x in value if x is not None}
            groups.append(
                (None, [self.create_option(name, v, label, selected, index, attrs=attrs)], index)
            )
        return groups


class PilihField(forms.ModelChoiceField):
    def __init__(self, jenis: str, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PilihSelect(jenis))
        kwargs.setdefault("queryset", _QS[jenis]())
        super().__init__(*args, **kwargs)
        self.jenis = jenis


_QS = {
    "unit": lambda: UnitKerja.objects.all(),
    "jabatan": lambda: Jabatan.objects.all(),
    "pegawai": lambda: Pegawai.objects.all(),
}
_INSTANSI_PATH = {
    "unit": "instansi",
    "jabatan": "unit_kerja__instansi",
    "pegawai": "instansi",
}


def qs_pilihan(jenis: str, instansi: Instansi) -> QuerySet:
    """What a PilihField of `jenis` may point to in `instansi` (closed units/positions and
    pegawai who left are not offered)."""
    qs = _QS[jenis]().filter(**{_INSTANSI_PATH[jenis]: instansi})
    if jenis in ("unit", "jabatan"):
        qs = qs.filter(ditutup__isnull=True)
    else:
        qs = qs.exclude(status=Pegawai.Status.BERHENTI)
    return qs


class OrgForm(forms.Form):
    """Binds every PilihField to the instansi and fills its short list: the current value and
    what the admin's search (`<field>_cari`) matched."""

    row_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, instansi: Instansi, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instansi = instansi
        source = self.data if self.is_bound else {}
        for name, f in self.fields.items():
            if not isinstance(f, PilihField):
                continue
            f.queryset = qs_pilihan(f.jenis, instansi)
            cari = (source.get(f"{self.add_prefix(name)}_cari") or "").strip()[:100]
            f.cari = cari
            opts = pilihan(f.jenis, f.queryset, cari) if cari else []
            current = self[name].value()
            if (
                current not in (None, "")
                and str(current).isdigit()
                and not any(str(v) == str(current) for v, _ in opts)
            ):
                # The current value is looked up within the instansi's own rows only.
                obj = f.queryset.filter(pk=current).first()
                if obj is not None:
                    opts.insert(0, (obj.pk, self._label(f.jenis, obj)))
            f.widget.pilihan = opts

    @staticmethod
    def _label(jenis: str, obj: Any) -> str:
        if jenis == "pegawai":
            return _label_pegawai(obj)
        if jenis == "jabatan":
            return selectors_org.jabatan_label(obj)
        return selectors_org.jalur_teks(selectors_org.jalur_unit([obj.pk]).get(obj.pk, []))

    def tempel(self, exc: ValidationError) -> None:
        """Put a service's refusal on the fields it names (the rest above the form)."""
        if hasattr(exc, "error_dict"):
            for key, errors in exc.message_dict.items():
                # A hidden field (row_version) shows nothing: say it above the form.
                target = (
                    key if key in self.fields and not self.fields[key].widget.is_hidden else None
                )
                for msg in errors:
                    self.add_error(target, msg)
        else:
            for msg in exc.messages:
                self.add_error(None, msg)


class UnitForm(OrgForm):
    nama = forms.CharField(label="Nama unit kerja", max_length=200)
    singkatan = forms.CharField(label="Singkatan", max_length=40, required=False)
    induk = PilihField("unit", label="Unit induk", required=False)
    mandiri = forms.BooleanField(
        label="Unit kerja mandiri",
        required=False,
        help_text="Pimpinan unit mandiri dinilai oleh pimpinan instansi atau pimpinan koordinator.",
    )
    penilai_jabatan = PilihField(
        "jabatan",
        label="Jabatan penilai pimpinan unit mandiri",
        required=False,
        help_text="Kosong: pimpinan instansi (Kepala Daerah / Menteri).",
    )

    def isi(self, unit: UnitKerja) -> UnitKerja:
        d = self.cleaned_data
        unit.nama, unit.singkatan, unit.mandiri = d["nama"], d["singkatan"], d["mandiri"]
        unit.induk = d["induk"]
        unit.penilai_jabatan = d["penilai_jabatan"]
        return unit


class JabatanForm(OrgForm):
    nama = forms.CharField(label="Nama jabatan", max_length=200)
    unit_kerja = PilihField("unit", label="Unit kerja")
    jenis = forms.ChoiceField(label="Jenis jabatan", choices=Jabatan.Jenis.choices)
    jenjang = forms.ChoiceField(
        label="Jenjang (jabatan fungsional)",
        choices=[("", "-"), *Jabatan.Jenjang.choices],
        required=False,
    )
    atasan = PilihField(
        "jabatan",
        label="Atasan langsung (jabatan)",
        required=False,
        help_text="Pemegang jabatan atasan menjadi pejabat penilai pemegang jabatan ini.",
    )
    kepala_unit = forms.BooleanField(label="Memimpin unit kerjanya (kepala unit)", required=False)

    def isi(self, jab: Jabatan) -> Jabatan:
        d = self.cleaned_data
        jab.nama, jab.jenis, jab.jenjang = d["nama"], d["jenis"], d["jenjang"] or ""
        jab.unit_kerja, jab.atasan, jab.kepala_unit = d["unit_kerja"], d["atasan"], d["kepala_unit"]
        return jab


_STATUS_UBAH = [
    (Pegawai.Status.AKTIF, Pegawai.Status.AKTIF.label),
    (Pegawai.Status.TUGAS_BELAJAR, Pegawai.Status.TUGAS_BELAJAR.label),
    (Pegawai.Status.CUTI, Pegawai.Status.CUTI.label),
]


class PegawaiForm(OrgForm):
    """New pegawai (with their position and the TMT they took it), or the edit of one: the
    position then changes only through a recorded mutasi, with its own TMT."""

    nip = forms.CharField(
        label="NIP / NI PPPK",
        max_length=30,
        required=False,
        help_text="18 digit; kosong hanya untuk pejabat negara (non-ASN).",
    )
    nama = forms.CharField(label="Nama", max_length=200)
    jenis_asn = forms.ChoiceField(label="Jenis ASN", choices=Pegawai.JenisASN.choices)
    golongan = forms.CharField(label="Golongan/ruang", max_length=10, required=False)
    email = forms.EmailField(label="Email", required=False)
    status = forms.ChoiceField(label="Status", choices=_STATUS_UBAH, required=False)
    jabatan = PilihField("jabatan", label="Jabatan", required=False)
    penilai_override = PilihField(
        "pegawai",
        label="Pejabat penilai (penetapan khusus)",
        required=False,
        help_text="Kosong: diturunkan dari struktur jabatan (pemegang jabatan atasan).",
    )
    tmt = forms.DateField(
        label="Berlaku mulai (TMT)",
        required=False,
        widget=TANGGAL,
        help_text="Pegawai baru: TMT di jabatan ini. Perubahan: tanggal berlakunya (kosong: "
        "hari ini).",
    )

    def __init__(self, *args: Any, baru: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.baru = baru
        if not baru:
            del self.fields["jabatan"]  # a change of position is a mutasi with its TMT
        else:
            del self.fields["status"]

    def isi(self, p: Pegawai) -> Pegawai:
        d = self.cleaned_data
        p.nip = d["nip"].strip() or None
        p.nama, p.jenis_asn, p.golongan, p.email = (
            d["nama"],
            d["jenis_asn"],
            d["golongan"],
            d["email"],
        )
        p.penilai_override = d["penilai_override"]
        if self.baru:
            p.jabatan = d["jabatan"]
            p.unit_kerja_id = d["jabatan"].unit_kerja_id if d["jabatan"] else None
        elif d.get("status"):
            p.status = d["status"]
        return p


class MutasiForm(OrgForm):
    jenis = forms.ChoiceField(label="Jenis perubahan", choices=Mutasi.Jenis.choices)
    jabatan_baru = PilihField(
        "jabatan",
        label="Jabatan baru / jabatan yang dijabat Plt/Plh",
        required=False,
        help_text="Kosong untuk berhenti/pensiun.",
    )
    tmt = forms.DateField(label="TMT (terhitung mulai tanggal)", widget=TANGGAL)
    sampai = forms.DateField(
        label="Sampai dengan (Plt/Plh)",
        required=False,
        widget=TANGGAL,
        help_text="Hari terakhir Plt/Plh; sesudahnya jabatan kembali ke pemegangnya (atau ke "
        "atas) dengan sendirinya.",
    )
    keterangan = forms.CharField(
        label="Dasar / keterangan (mis. nomor SK)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BatalForm(forms.Form):
    alasan = forms.CharField(
        label="Alasan pembatalan", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )
    row_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PeriodeForm(OrgForm):
    tahun = forms.IntegerField(label="Tahun", min_value=2022, max_value=2100)
    frekuensi = forms.ChoiceField(
        label="Frekuensi evaluasi periodik",
        choices=Periode.Frekuensi.choices,
        help_text="Tidak dapat diubah setelah ada evaluasi pada tahun ini.",
    )
    # A year is closed by the year-end close (evaluasi), never by editing it here.
    status = forms.ChoiceField(
        label="Status",
        choices=[c for c in Periode.Status.choices if c[0] != Periode.Status.DITUTUP],
        help_text="Tahun ditutup melalui Tutup tahun.",
    )
    batas_perencanaan = forms.DateField(
        label="Batas penyusunan SKP", required=False, widget=TANGGAL
    )
    batas_persetujuan_hari = forms.IntegerField(
        label="Batas waktu persetujuan SKP (hari)", min_value=1, max_value=90, initial=7
    )

    def isi(self, p: Periode) -> Periode:
        for k in ("tahun", "frekuensi", "status", "batas_perencanaan", "batas_persetujuan_hari"):
            setattr(p, k, self.cleaned_data[k])
        return p


class PengaturanForm(OrgForm):
    kota = forms.CharField(label="Tempat penandatanganan dokumen", max_length=100, required=False)
    pejabat_keberatan = PilihField(
        "pegawai",
        label="Pejabat yang ditunjuk memutus keberatan",
        required=False,
        help_text="Menerima keberatan bila garis atasan pejabat penilai kosong (mis. pejabat "
        "penilai dinilai Kepala Daerah).",
    )


class RestrukturisasiForm(OrgForm):
    nama = forms.CharField(
        label="Nama / dasar hukum",
        max_length=200,
        help_text="Mis. Perda No. 5 Tahun 2026 tentang Susunan Perangkat Daerah.",
    )
    tmt = forms.DateField(label="Berlaku mulai (TMT)", widget=TANGGAL)
    keterangan = forms.CharField(
        label="Keterangan", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


_YA_TIDAK = [("", "tidak berubah"), ("1", "ya"), ("0", "tidak")]


def _ya_tidak(v: str) -> bool | None:
    return {"1": True, "0": False}.get(v)


class LangkahForm(OrgForm):
    """One step of a restructuring; the page shows the fields its kind uses. A unit or position
    created by an earlier step is chosen from `*_langkah`."""

    jenis = forms.CharField(widget=forms.HiddenInput)
    unit = PilihField("unit", label="Unit kerja yang diubah", required=False)
    jabatan = PilihField("jabatan", label="Jabatan yang diubah", required=False)
    pegawai = PilihField("pegawai", label="Pegawai", required=False)
    nama = forms.CharField(label="Nama (baru)", max_length=200, required=False)
    singkatan = forms.CharField(label="Singkatan", max_length=40, required=False)
    jenis_jabatan = forms.ChoiceField(
        label="Jenis jabatan",
        choices=[("", "tidak berubah"), *Jabatan.Jenis.choices],
        required=False,
    )
    mandiri = forms.ChoiceField(label="Unit kerja mandiri", choices=_YA_TIDAK, required=False)
    kepala_unit = forms.ChoiceField(
        label="Memimpin unit kerjanya", choices=_YA_TIDAK, required=False
    )
    tutup = forms.BooleanField(label="Ditutup pada TMT", required=False)
    unit_ke = PilihField("unit", label="Unit (induk / tujuan)", required=False)
    unit_ke_langkah = forms.TypedChoiceField(
        label="…atau unit baru dari rancangan ini", coerce=int, required=False, empty_value=None
    )
    jabatan_ke = PilihField("jabatan", label="Jabatan (atasan / tujuan)", required=False)
    jabatan_ke_langkah = forms.TypedChoiceField(
        label="…atau jabatan baru dari rancangan ini", coerce=int, required=False, empty_value=None
    )
    jenis_mutasi = forms.ChoiceField(
        label="Jenis perpindahan",
        choices=[
            (Mutasi.Jenis.MUTASI, "Mutasi"),
            (Mutasi.Jenis.PROMOSI, "Promosi"),
            (Mutasi.Jenis.ROTASI, "Rotasi"),
        ],
        required=False,
    )

    def __init__(self, *args: Any, langkah: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.langkah = {lk.pk: lk for lk in langkah}
        self.fields["unit_ke_langkah"].choices = [("", "-")] + [
            (lk.pk, f"{lk.urutan}. {lk.nama}") for lk in langkah if lk.jenis == "unit_baru"
        ]
        self.fields["jabatan_ke_langkah"].choices = [("", "-")] + [
            (lk.pk, f"{lk.urutan}. {lk.nama}") for lk in langkah if lk.jenis == "jabatan_baru"
        ]

    def nilai(self) -> dict[str, Any]:
        """Keyword arguments for `restrukturisasi.langkah_tambah`."""
        d = dict(self.cleaned_data)
        d.pop("row_version", None)
        d["mandiri"] = _ya_tidak(d["mandiri"])
        d["kepala_unit"] = _ya_tidak(d["kepala_unit"])
        for k in ("unit_ke_langkah", "jabatan_ke_langkah"):
            d[k] = self.langkah.get(d[k]) if d[k] else None
        return d


class UnorUnggahForm(forms.Form):
    berkas = forms.FileField(
        label="Berkas referensi unit organisasi SIASN (.xlsx atau .csv)",
        help_text="Kolom: Id, DiatasanId, NamaUnor, NamaJabatan (boleh ditambah Eselon).",
    )

    def clean_berkas(self):
        from kinerja import impor

        f = self.cleaned_data["berkas"]
        try:
            self.cleaned_data["jenis"] = impor.jenis_berkas(f)
        except impor.BerkasDitolak as exc:
            raise forms.ValidationError(str(exc)) from None
        return f


class HakAksesForm(OrgForm):
    """An explicit grant (kinerja.akses.hibah): to whom, what, on what, from when until when."""

    jenis = forms.ChoiceField(label="Jenis hak akses", choices=HakAksesKhusus.Jenis.choices)
    penerima = PilihField("pegawai", label="Diberikan kepada")
    objek_pegawai = PilihField(
        "pegawai",
        label="Atas nama pejabat (Plh)",
        required=False,
        help_text="Untuk Plh: pejabat penilai yang persetujuan SKP-nya dilaksanakan.",
    )
    objek_unit = PilihField(
        "unit",
        label="Unit kerja yang diaudit",
        required=False,
        help_text="Untuk auditor: unit yang SKP dan evaluasi finalnya boleh dibaca.",
    )
    mulai = forms.DateField(label="Berlaku mulai", widget=TANGGAL)
    selesai = forms.DateField(
        label="Berlaku sampai", required=False, widget=TANGGAL, help_text="Kosong: sampai dicabut."
    )
    alasan = forms.CharField(
        label="Dasar / alasan", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def objek_id(self) -> int | None:
        d = self.cleaned_data
        obj = d.get("objek_pegawai") if d["jenis"] == "plh" else d.get("objek_unit")
        return obj.pk if obj is not None else None
