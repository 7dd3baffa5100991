"""Forms of the evaluation pages (per-RHK and per-value inputs are parsed in `evaluasi_input`)."""

from __future__ import annotations

from typing import Any

from django import forms

from evaluasi import rules
from evaluasi.models import KasusSanksi, PredikatOrganisasi, Rating

RATING_PILIHAN = [("", "— pilih —"), *Rating.choices]


class EvaluasiForm(forms.Form):
    row_version = forms.IntegerField(widget=forms.HiddenInput)
    rating_hasil_kerja = forms.ChoiceField(choices=RATING_PILIHAN, required=False)
    alasan_ubah_rating = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Alasan (bila berbeda dari saran)",
    )
    rating_perilaku_kerja = forms.ChoiceField(choices=RATING_PILIHAN, required=False)
    catatan = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    ipk = forms.CharField(required=False, label="IPK (tugas belajar)")


def evaluasi_input(post: Any, kunci_list: list[str], nilai_list: list[str]) -> dict[str, Any]:
    """Per-RHK ratings and per-value notes from the POST (names rhk-<kunci>-rating etc.)."""
    return {
        "penilaian_rhk": {
            k: (post.get(f"rhk-{k}-rating", ""), post.get(f"rhk-{k}-catatan", ""))
            for k in kunci_list
        },
        "catatan_perilaku": {n: post.get(f"perilaku-{n}", "") for n in nilai_list},
    }


class KinerjaOrganisasiForm(forms.Form):
    predikat = forms.ChoiceField(choices=PredikatOrganisasi.choices)
    capaian = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Capaian dan angka yang menjadi dasar",
    )
    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AlasanForm(forms.Form):
    alasan = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Alasan")


class JustifikasiForm(forms.Form):
    isi = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Justifikasi")


class PotensiForm(forms.Form):
    pegawai = forms.IntegerField(widget=forms.HiddenInput)
    potensi = forms.ChoiceField(choices=[(k, rules.POTENSI_LABEL[k]) for k in rules.POTENSI])
    sumber = forms.CharField(required=False, max_length=200)


class LangkahForm(forms.Form):
    langkah = forms.ChoiceField(choices=list(rules.LANGKAH_LABEL.items()))
    mulai = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    batas = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        label="Tenggat (kosong: otomatis)",
    )
    catatan = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    row_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, kasus: KasusSanksi | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kasus is not None:
            terakhir = kasus.langkah_terakhir
            boleh = rules.langkah_berikut(kasus.jalur, terakhir.langkah if terakhir else None)
            self.fields["langkah"].choices = [(b, rules.LANGKAH_LABEL[b]) for b in boleh]


# --- keberatan ------------------------------------------------------------------------------
class _BerkasBanyak(forms.ClearableFileInput):
    allow_multiple_selected = True


class BerkasBanyakField(forms.FileField):
    """Several files in one input (the service checks each by its content)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", _BerkasBanyak(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        satu = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [f for f in (satu(d, initial) for d in items if d) if f]


class KeberatanForm(forms.Form):
    # Presence is judged by the service (one message, the same in the API).
    alasan = forms.CharField(
        required=False,
        label="Alasan keberatan",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Uraikan bagian hasil evaluasi yang Anda keberatan dan alasannya.",
    )
    lampiran = BerkasBanyakField(
        label="Lampiran (opsional; PDF, JPG/PNG, DOCX, XLSX)",
        required=False,
        allow_empty_file=True,  # the service refuses it with a clear message
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        mb = settings.KINERJA_UPLOAD_MAX_BYTES / (1024 * 1024)
        self.fields["lampiran"].help_text = (
            f"Paling banyak 5 berkas, masing-masing maksimal {mb:g} MB. "
            "Jenis berkas diperiksa dari isinya."
        )


class MintaPenjelasanForm(forms.Form):
    kepada = forms.MultipleChoiceField(
        required=False,
        label="Minta penjelasan kepada",
        choices=[("pejabat_penilai", "Pejabat penilai"), ("pegawai", "Pegawai")],
        widget=forms.CheckboxSelectMultiple,
    )
    pertanyaan = forms.CharField(
        required=False, label="Penjelasan yang diminta", widget=forms.Textarea(attrs={"rows": 3})
    )


class JelaskanForm(forms.Form):
    permintaan = forms.IntegerField(widget=forms.HiddenInput, required=False)
    isi = forms.CharField(
        required=False, label="Penjelasan Anda", widget=forms.Textarea(attrs={"rows": 4})
    )


class PutuskanForm(forms.Form):
    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    keputusan = forms.ChoiceField(
        required=False,
        label="Keputusan",
        choices=[
            ("tetap", "Tetap: hasil evaluasi tidak berubah"),
            ("diubah", "Diubah: rating diganti"),
        ],
        widget=forms.RadioSelect,
    )
    rating_hasil_kerja = forms.ChoiceField(
        label="Rating hasil kerja baru", choices=RATING_PILIHAN, required=False
    )
    rating_perilaku_kerja = forms.ChoiceField(
        label="Rating perilaku kerja baru", choices=RATING_PILIHAN, required=False
    )
    alasan_keputusan = forms.CharField(
        required=False, label="Alasan keputusan", widget=forms.Textarea(attrs={"rows": 4})
    )


class PemutusForm(forms.Form):
    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    nip = forms.CharField(
        label="NIP pejabat yang memutus",
        max_length=30,
        help_text="Pegawai aktif di instansi ini, bukan pegawai yang berkeberatan atau pejabat "
        "penilainya.",
    )
    alasan = forms.CharField(
        label="Alasan penetapan", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
