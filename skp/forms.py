"""Form parsing for the SKP pages. Row forms keep exactly what the user typed, so a validation
error re-renders the half-filled row beside its messages instead of losing it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from skp.models import SKP, Indikator, PeranHasil, RencanaHasilKerja

MAKS_INDIKATOR = 10


@dataclass
class RhkForm:
    """The typed values of one rencana hasil kerja row and its indikator lines."""

    jenis: str = RencanaHasilKerja.Jenis.UTAMA
    rencana: str = ""
    rhk_atasan: str = ""
    perspektif: str = ""
    uraian_hasil: str = ""
    ukuran_keberhasilan: str = ""
    row_version: str = ""
    indikator: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def dari_rhk(cls, r: RencanaHasilKerja) -> RhkForm:
        return cls(
            jenis=r.jenis,
            rencana=r.rencana,
            rhk_atasan=str(r.rhk_atasan_id or ""),
            perspektif=r.perspektif,
            uraian_hasil=r.uraian_hasil,
            ukuran_keberhasilan=r.ukuran_keberhasilan,
            row_version=str(r.row_version),
            indikator=[
                {
                    "aspek": i.aspek,
                    "indikator": i.indikator,
                    "target": i.target,
                    "sumber_data": i.sumber_data,
                    "errors": {},
                }
                for i in r.indikator_set.all()
            ],
        )

    @classmethod
    def dari_post(cls, post: QueryDict) -> RhkForm:
        n = min(int(post.get("indikator-jumlah") or 0), MAKS_INDIKATOR)
        rows = [
            {
                "aspek": post.get(f"indikator-{i}-aspek", "kuantitas"),
                "indikator": post.get(f"indikator-{i}-indikator", ""),
                "target": post.get(f"indikator-{i}-target", ""),
                "sumber_data": post.get(f"indikator-{i}-sumber_data", ""),
                "errors": {},
            }
            for i in range(n)
        ]
        return cls(
            jenis=post.get("jenis", RencanaHasilKerja.Jenis.UTAMA),
            rencana=post.get("rencana", ""),
            rhk_atasan=post.get("rhk_atasan", ""),
            perspektif=post.get("perspektif", ""),
            uraian_hasil=post.get("uraian_hasil", ""),
            ukuran_keberhasilan=post.get("ukuran_keberhasilan", ""),
            row_version=post.get("row_version", ""),
            indikator=rows,
        )

    @property
    def ada_galat(self) -> bool:
        return bool(self.errors) or any(r["errors"] for r in self.indikator)

    @property
    def galat_umum(self) -> list[str]:
        return self.errors.get("__all__", []) + self.errors.get("row_version", [])

    def pastikan_baris_kosong(self, jumlah: int = 1) -> None:
        """Offer empty indikator lines to type into (empty lines are ignored on save)."""
        kosong = sum(1 for r in self.indikator if not (r["indikator"] or r["target"]))
        while kosong < jumlah and len(self.indikator) < MAKS_INDIKATOR:
            self.indikator.append(
                {
                    "aspek": "kuantitas",
                    "indikator": "",
                    "target": "",
                    "sumber_data": "",
                    "errors": {},
                }
            )
            kosong += 1

    def tambah_baris(self) -> None:
        if len(self.indikator) < MAKS_INDIKATOR:
            self.indikator.append(
                {
                    "aspek": "kuantitas",
                    "indikator": "",
                    "target": "",
                    "sumber_data": "",
                    "errors": {},
                }
            )

    def indikator_data(self) -> list[dict[str, str]]:
        return [
            {k: r[k] for k in ("aspek", "indikator", "target", "sumber_data")}
            for r in self.indikator
        ]

    def pasang_galat(self, exc: ValidationError) -> None:
        """Put each service error beside its field (indikator-N-field on line N)."""
        d = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for key, msgs in d.items():
            if key.startswith("indikator-"):
                _, idx, fld = key.split("-", 2)
                i = int(idx)
                if i < len(self.indikator):
                    self.indikator[i]["errors"].setdefault(fld, []).extend(msgs)
                    continue
            self.errors.setdefault(key, []).extend(msgs)


class LampiranForm(forms.ModelForm):
    class Meta:
        model = SKP
        fields = ["dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}


class TugasBelajarForm(forms.Form):
    perguruan_tinggi = forms.CharField(label="Perguruan tinggi", max_length=200)
    program_studi = forms.CharField(label="Program studi", max_length=200, required=False)
    jenjang = forms.ChoiceField(label="Jenjang", choices=SKP.Jenjang.choices)
    lokasi = forms.ChoiceField(label="Lokasi", choices=SKP.Lokasi.choices)
    akreditasi_univ = forms.ChoiceField(
        label="Akreditasi perguruan tinggi",
        choices=[("", "—"), *SKP.Akreditasi.choices],
        required=False,
    )
    akreditasi_prodi = forms.ChoiceField(
        label="Akreditasi program studi",
        choices=[("", "—"), *SKP.Akreditasi.choices],
        required=False,
    )


class PeranHasilForm(forms.Form):
    peran_hasil = forms.CharField(label="Peran-hasil", widget=forms.Textarea(attrs={"rows": 2}))
    cascading = forms.ChoiceField(choices=PeranHasil.Cascading.choices, initial="langsung")
    dasar = forms.ChoiceField(choices=[("", "—"), *PeranHasil.Dasar.choices], required=False)
    aspek = forms.ChoiceField(choices=[("", "—"), *Indikator.Aspek.choices], required=False)
    indikator = forms.CharField(label="Indikator", required=False)
    target = forms.CharField(label="Target", required=False, max_length=200)
