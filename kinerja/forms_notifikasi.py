"""Forms of the notification pages: email preferences per kind, per-instansi reminder settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator

from kinerja.models import PengaturanPengingat


class PreferensiForm(forms.Form):
    """One checkbox per notification kind: send me an email for this kind."""

    def __init__(self, *args: Any, daftar: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.daftar = daftar
        for item in daftar:
            self.fields[f"email_{item['kode']}"] = forms.BooleanField(
                label=item["label"], required=False, initial=item["email"]
            )

    def pilihan(self) -> dict[str, bool]:
        return {
            item["kode"]: self.cleaned_data.get(f"email_{item['kode']}", False)
            for item in self.daftar
        }


class PengaturanPengingatForm(forms.ModelForm):
    jenis_aktif = forms.MultipleChoiceField(
        label="Jenis pengingat yang dikirim",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PengaturanPengingat
        fields = [
            "aktif",
            "jam_kirim",
            "hari_sebelum_batas_skp",
            "hari_eskalasi_persetujuan",
            "hari_penugasan",
            "hari_sebelum_akhir_jendela",
            "hari_tenggang_evaluasi",
            "hari_sebelum_batas_sanksi",
            "hari_sebelum_tindak_lanjut",
            "hari_putus_keberatan",
        ]

    def __init__(self, *args: Any, jenis: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jenis_aktif"].choices = jenis
        off = set(self.instance.jenis_nonaktif or [])
        self.fields["jenis_aktif"].initial = [k for k, _ in jenis if k not in off]
        self.fields["jam_kirim"].validators.append(MaxValueValidator(23))
        self.fields["jam_kirim"].widget.attrs["max"] = 23
        for name in self.Meta.fields[2:]:
            self.fields[name].validators.append(MaxValueValidator(366, "Paling lama 366 hari."))
        # Added after the others: a form sent without it keeps the current value.
        self.fields["hari_putus_keberatan"].required = False

    def clean_hari_putus_keberatan(self) -> int:
        value = self.cleaned_data.get("hari_putus_keberatan")
        return value if value is not None else self.instance.hari_putus_keberatan

    def save(self, commit: bool = True) -> PengaturanPengingat:
        obj = super().save(commit=False)
        aktif = set(self.cleaned_data.get("jenis_aktif") or [])
        obj.jenis_nonaktif = sorted(
            k for k, _ in self.fields["jenis_aktif"].choices if k not in aktif
        )
        if commit:
            obj.save()
        return obj
