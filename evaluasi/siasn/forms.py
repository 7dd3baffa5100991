"""Forms of the SIASN pages (the admin instansi)."""

from __future__ import annotations

from django import forms

from evaluasi.siasn import rules
from kinerja import impor as kinerja_impor
from kinerja.forms import ImporKonfirmasiForm


class ReferensiImporForm(forms.Form):
    berkas = forms.FileField(
        label="Berkas referensi SIASN (.xlsx atau .csv)",
        help_text="Ekspor daftar referensi SIASN: kolom Jenis, ID, Nama (Jenis boleh tidak ada "
        "bila berkas hanya berisi satu daftar yang dipilih di bawah).",
    )
    jenis = forms.ChoiceField(
        label="Daftar dalam berkas",
        required=False,
        choices=[("", "Sesuai kolom Jenis di berkas"), *rules.JENIS_REFERENSI.items()],
    )

    def clean_berkas(self):
        f = self.cleaned_data["berkas"]
        try:
            self.cleaned_data["jenis_berkas"] = kinerja_impor.jenis_berkas(f)
        except kinerja_impor.BerkasDitolak as exc:
            raise forms.ValidationError(str(exc)) from None
        return f


class KonfirmasiForm(ImporKonfirmasiForm):
    """The preview's token (the plan waits in the session)."""
