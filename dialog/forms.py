"""Forms of the dialog pages: input shape only; the rules live in services and rules."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from dialog.models import DialogKinerja, Penugasan, UmpanBalik


def _sasaran_choices(rhk_list, perilaku: dict[str, str]) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", "Umum (tanpa sasaran khusus)")]
    if rhk_list:
        choices.append(
            (
                "Rencana hasil kerja",
                [(f"rhk:{r.pk}", f"{r.get_jenis_display()}: {r.rencana[:90]}") for r in rhk_list],
            )
        )
    choices.append(
        ("Perilaku kerja (BerAKHLAK)", [(f"perilaku:{k}", v) for k, v in perilaku.items()])
    )
    return choices


class SasaranMixin:
    """One select for 'a rencana hasil kerja OR a BerAKHLAK value OR neither'."""

    def setup_sasaran(self, rhk_list, perilaku: dict[str, str]) -> None:
        self._rhk = {str(r.pk): r for r in rhk_list}
        self.fields["sasaran"].choices = _sasaran_choices(rhk_list, perilaku)

    def sasaran_nilai(self) -> tuple[object | None, str]:
        value = self.cleaned_data.get("sasaran") or ""
        if value.startswith("rhk:"):
            return self._rhk.get(value[4:]), ""
        if value.startswith("perilaku:"):
            return None, value[9:]
        return None, ""


class PilihPenerimaForm(forms.Form):
    penerima = forms.ChoiceField(label="Pilih pegawai", required=False)
    nip = forms.CharField(
        label="atau ketik NIP lengkap",
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class UmpanBalikForm(SasaranMixin, forms.Form):
    sasaran = forms.ChoiceField(label="Tentang", required=False)
    jenis = forms.ChoiceField(
        label="Jenis", choices=UmpanBalik.Jenis.choices, widget=forms.RadioSelect
    )
    cara = forms.ChoiceField(
        label="Cara penyampaian",
        choices=UmpanBalik.Cara.choices,
        widget=forms.RadioSelect,
        initial=UmpanBalik.Cara.TERTULIS,
    )
    isi = forms.CharField(
        label="Isi umpan balik", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class MintaUmpanBalikForm(SasaranMixin, forms.Form):
    diminta = forms.ChoiceField(label="Minta kepada", required=False)
    nip = forms.CharField(label="atau NIP pegawai di instansi Anda", required=False, max_length=18)
    sasaran = forms.ChoiceField(label="Tentang", required=False)
    pesan = forms.CharField(
        label="Pesan", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class PenugasanForm(forms.Form):
    penerima = forms.ChoiceField(label="Pegawai yang saya nilai", required=False)
    nip = forms.CharField(
        label="atau NIP pegawai (juga pegawai unit atau instansi lain)",
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    tim = forms.ChoiceField(label="atau tim kerja", required=False)
    uraian = forms.CharField(label="Uraian penugasan", widget=forms.Textarea(attrs={"rows": 4}))
    hasil_diharapkan = forms.CharField(
        label="Hasil yang diharapkan", widget=forms.Textarea(attrs={"rows": 3})
    )
    # Only used when the proposer is the pegawai's own penilai (a direct assignment).
    jenis_rhk = forms.ChoiceField(
        label="Jenis rencana hasil kerja (penugasan langsung)",
        choices=Penugasan.JenisRHK.choices,
        initial=Penugasan.JenisRHK.TAMBAHAN,
        widget=forms.RadioSelect,
    )
    ekspektasi = forms.CharField(
        label="Ekspektasi (klarifikasi, penugasan langsung)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        picked = [k for k in ("penerima", "nip", "tim") if data.get(k)]
        if len(picked) != 1:
            raise forms.ValidationError(
                "Pilih tepat satu tujuan: pegawai yang Anda nilai, NIP pegawai, atau tim kerja."
            )
        return data


class SetujuiForm(forms.Form):
    jenis_rhk = forms.ChoiceField(
        label="Masuk SKP sebagai rencana hasil kerja",
        choices=Penugasan.JenisRHK.choices,
        widget=forms.RadioSelect,
    )
    ekspektasi = forms.CharField(
        label="Ekspektasi yang disepakati (klarifikasi ekspektasi)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    catatan = forms.CharField(
        label="Catatan dialog", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    waktu = forms.DateTimeField(
        label="Waktu klarifikasi",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    alasan = forms.CharField(label="Catatan keputusan", required=False, max_length=2000)
    row_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["waktu"].initial = timezone.localtime().replace(second=0, microsecond=0)


class TolakForm(forms.Form):
    alasan = forms.CharField(
        label="Alasan penolakan", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    row_version = forms.IntegerField(widget=forms.HiddenInput)


class PeluangForm(forms.Form):
    judul = forms.CharField(max_length=200)
    uraian = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    hasil_diharapkan = forms.CharField(
        label="Hasil yang diharapkan", widget=forms.Textarea(attrs={"rows": 3})
    )
    batas_pendaftaran = forms.DateField(
        label="Batas pendaftaran",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class RealisasiForm(forms.Form):
    urutan = forms.IntegerField(widget=forms.HiddenInput)
    uraian = forms.CharField(label="Realisasi", widget=forms.Textarea(attrs={"rows": 3}))
    angka = forms.DecimalField(
        label="Capaian (angka, opsional)", required=False, max_digits=14, decimal_places=2
    )
    satuan = forms.CharField(label="Satuan", required=False, max_length=40)
    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BuktiBerkasForm(forms.Form):
    judul = forms.CharField(label="Judul bukti", required=False, max_length=200)
    berkas = forms.FileField(
        label="Berkas (PDF, JPG/PNG, DOCX, XLSX)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
        allow_empty_file=True,  # the service refuses it with a clear message
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mb = settings.KINERJA_UPLOAD_MAX_BYTES / (1024 * 1024)
        self.fields["berkas"].help_text = f"Maksimal {mb:g} MB. Jenis diperiksa dari isi berkas."


class BuktiTautanForm(forms.Form):
    judul = forms.CharField(label="Judul tautan", max_length=200)
    tautan = forms.CharField(label="Tautan (https://...)", max_length=500)


class DialogForm(forms.Form):
    pegawai = forms.ChoiceField(label="Pegawai")
    jenis = forms.ChoiceField(label="Jenis", choices=DialogKinerja.Jenis.choices)
    waktu = forms.DateTimeField(
        label="Waktu",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    catatan = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    tl_uraian = forms.CharField(
        label="Tindak lanjut yang disepakati", required=False, max_length=500
    )
    tl_tenggat = forms.DateField(
        label="Tenggat",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    tl_oleh = forms.ChoiceField(
        label="Penanggung jawab",
        choices=[("pegawai", "Pegawai"), ("pemimpin", "Saya (pemimpin dialog)")],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["waktu"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self):
        data = super().clean()
        if data.get("tl_uraian") and not data.get("tl_tenggat"):
            self.add_error("tl_tenggat", "Tindak lanjut perlu tenggat.")
        return data


class DialogUbahForm(forms.Form):
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    catatan = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    row_version = forms.IntegerField(widget=forms.HiddenInput)


class TindakLanjutForm(forms.Form):
    uraian = forms.CharField(label="Tindak lanjut", max_length=500)
    tenggat = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    oleh = forms.ChoiceField(
        label="Penanggung jawab",
        choices=[("pegawai", "Pegawai"), ("pemimpin", "Pemimpin dialog")],
    )
