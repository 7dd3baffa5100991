"""Forms of the organisation pages: the staff import upload and the admin's pegawai form."""

from __future__ import annotations

from django import forms

from kinerja import impor
from kinerja.models import Pegawai


class PegawaiAdminForm(forms.ModelForm):
    """The admin's pegawai form. NIP, golongan and cross-instansi checks are `Pegawai.clean`
    (shared with the API and the import); this form only explains the NIP format."""

    class Meta:
        model = Pegawai
        fields = (
            "instansi",
            "nip",
            "nama",
            "jenis_asn",
            "golongan",
            "email",
            "status",
            "jabatan",
            "unit_kerja",
            "plt_jabatan",
            "plt_jenis",
            "penilai_override",
            "user",
        )
        help_texts = {
            "nip": "18 digit: tanggal lahir (8), TMT CPNS tahun-bulan (6), jenis kelamin (1), "
            "nomor urut (3). NI PPPK: digit 13–14 berisi 21.",
        }


class ImporUnggahForm(forms.Form):
    berkas = forms.FileField(
        label="Berkas pegawai (.xlsx atau .csv)",
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,.csv,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
        help_text=f"Paling besar {impor.MAX_BYTES // (1024 * 1024)} MB. Baris pertama berisi "
        "judul kolom.",
    )

    def clean_berkas(self):
        f = self.cleaned_data["berkas"]
        try:
            self.cleaned_data["jenis"] = impor.jenis_berkas(f)
        except impor.BerkasDitolak as exc:
            raise forms.ValidationError(str(exc)) from None
        return f


class ImporKonfirmasiForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
