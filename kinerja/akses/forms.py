"""The admin instansi's form for a new integration token."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from kinerja.models import TokenIntegrasi


class TokenIntegrasiForm(forms.Form):
    nama = forms.CharField(
        label="Nama", max_length=100, help_text="Untuk apa token ini, mis. 'Sinkron SIASN malam'."
    )
    cakupan = forms.ChoiceField(
        label="Cakupan",
        choices=TokenIntegrasi.Cakupan.choices,
        initial=TokenIntegrasi.Cakupan.BACA,
        help_text="'Baca saja' tidak pernah dapat mengubah data.",
    )
    berlaku_sampai = forms.DateField(
        label="Berlaku sampai (tanggal)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Token berhenti berlaku pada akhir hari ini (waktu setempat).",
    )
    instansi = forms.ChoiceField(label="Instansi", required=False)

    def __init__(self, *args, instansi_pilihan=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.instansi_pilihan = {str(i.pk): i for i in instansi_pilihan}
        if len(self.instansi_pilihan) > 1:
            self.fields["instansi"].choices = [
                (k, i.nama) for k, i in self.instansi_pilihan.items()
            ]
            self.fields["instansi"].required = True
        else:
            del self.fields["instansi"]
        if not self.is_bound:
            self.initial["berlaku_sampai"] = timezone.localdate() + dt.timedelta(days=90)

    def clean_instansi(self):
        return self.instansi_pilihan.get(self.cleaned_data.get("instansi") or "")

    def berlaku_sampai_waktu(self) -> dt.datetime:
        """The end of the chosen day, local time."""
        day = self.cleaned_data["berlaku_sampai"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))

    def instansi_terpilih(self):
        if "instansi" in self.fields:
            return self.cleaned_data.get("instansi")
        return next(iter(self.instansi_pilihan.values()), None)
