"""Django admin for SIASN data, scoped by the policy: the admin instansi edits its reference
table (saved through the service, which checks every code); SIASN ids of pegawai and the send
log are read-only (written by the push)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from evaluasi.siasn import rules, services
from evaluasi.siasn.models import IdentitasSiasn, Kiriman, ReferensiSiasn
from kinerja import policy
from kinerja.admin_riwayat import RiwayatAdmin
from kinerja.models import Instansi


def _admin(request: HttpRequest) -> bool:
    return policy.may(request.user, "kelola_instansi")


class _Scoped:
    def get_queryset(self, request):
        return policy.scope(request.user, super().get_queryset(request))

    def has_module_permission(self, request) -> bool:
        return _admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _admin(request) and (obj is None or policy.can(request.user, "view", obj))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReferensiSiasnForm(forms.ModelForm):
    class Meta:
        model = ReferensiSiasn
        fields = ["instansi", "jenis", "kode", "nilai", "nama_siasn", "diperiksa"]

    def clean(self):
        data = super().clean()
        jenis, kode = data.get("jenis"), data.get("kode")
        if jenis and kode is not None and kode not in rules.KODE.get(jenis, {}):
            self.add_error(
                "kode", "Kode tidak ada pada daftar ini: " + ", ".join(rules.KODE[jenis]) + "."
            )
        err = rules.nilai_error(jenis or "", data.get("nilai") or "")
        if err:
            self.add_error("nilai", err)
        return data


@admin.register(ReferensiSiasn)
class ReferensiSiasnAdmin(_Scoped, RiwayatAdmin):
    form = ReferensiSiasnForm
    list_display = ("jenis", "kode", "nilai", "nama_siasn", "diperiksa", "instansi")
    list_filter = ("jenis", "diperiksa")
    search_fields = ("kode", "nilai", "nama_siasn")
    list_select_related = ("instansi",)

    def has_add_permission(self, request) -> bool:
        return _admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _admin(request) and (obj is None or policy.can(request.user, "change", obj))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("instansi", "jenis", "kode")
        return () if policy.may(request.user, "semua_instansi") else ("instansi",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "instansi":
            kwargs["queryset"] = policy.scope(request.user, Instansi.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        instansi = (
            obj.instansi
            if obj.instansi_id
            else Instansi.objects.get(pk=policy.instansi_administered(request.user))
        )
        saved = services.referensi_siasn_simpan(
            user=request.user,
            instansi=instansi,
            jenis=obj.jenis,
            kode=obj.kode,
            nilai=obj.nilai,
            nama_siasn=obj.nama_siasn,
            diperiksa=obj.diperiksa,
        )
        obj.pk, obj.instansi_id = saved.pk, saved.instansi_id


@admin.register(IdentitasSiasn)
class IdentitasSiasnAdmin(_Scoped, RiwayatAdmin):
    list_display = ("pegawai", "pns_id", "diambil")
    search_fields = ("pegawai__nama", "^pegawai__nip", "pns_id")
    list_select_related = ("pegawai",)


@admin.register(Kiriman)
class KirimanAdmin(_Scoped, admin.ModelAdmin):
    list_display = ("dikirim", "pegawai", "jenis", "tahun", "urutan", "status", "kode_status")
    list_filter = ("status", "jenis", "tahun")
    search_fields = ("pegawai__nama", "^pegawai__nip")
    list_select_related = ("pegawai",)
    show_full_result_count = False
