"""Admin for the planning stage: read-only. Every change goes through the services (approval,
versions, the matrix), so an approved SKP can never be edited in place from here either."""

from __future__ import annotations

from django.contrib import admin

from kinerja.admin_riwayat import RiwayatAdmin
from skp.models import (
    SKP,
    EkspektasiPerilaku,
    Indikator,
    MatriksPeranHasil,
    PeranHasil,
    RencanaHasilKerja,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedReadOnlyAdmin(ReadOnlyMixin, RiwayatAdmin):
    def get_queryset(self, request):
        from kinerja import policy

        return policy.scope(request.user, super().get_queryset(request))


class RencanaInline(ReadOnlyMixin, admin.TabularInline):
    model = RencanaHasilKerja
    fields = ["jenis", "urutan", "rencana", "rhk_atasan", "perspektif", "sumber"]
    extra = 0
    show_change_link = True


class PerilakuInline(ReadOnlyMixin, admin.TabularInline):
    model = EkspektasiPerilaku
    fields = ["nilai", "ekspektasi_khusus"]
    extra = 0


@admin.register(SKP)
class SKPAdmin(ScopedReadOnlyAdmin):
    list_display = ["pegawai", "periode", "versi", "status", "pendekatan", "jenis", "terkini"]
    list_filter = ["status", "jenis", "pendekatan", "terkini", "periode__tahun"]
    search_fields = ["pegawai__nama", "pegawai__nip"]
    list_select_related = ["pegawai", "periode__instansi"]
    inlines = [RencanaInline, PerilakuInline]


class IndikatorInline(ReadOnlyMixin, admin.TabularInline):
    model = Indikator
    fields = ["aspek", "indikator", "target", "sumber_data"]
    extra = 0


@admin.register(RencanaHasilKerja)
class RencanaAdmin(ScopedReadOnlyAdmin):
    list_display = ["rencana", "skp", "jenis", "sumber"]
    list_select_related = ["skp__pegawai", "skp__periode__instansi"]
    search_fields = ["rencana", "skp__pegawai__nama"]
    inlines = [IndikatorInline]


class PeranHasilInline(ReadOnlyMixin, admin.TabularInline):
    model = PeranHasil
    fields = ["anggota", "kolom_kunci", "na", "peran_hasil", "cascading", "dasar", "target"]
    extra = 0


@admin.register(MatriksPeranHasil)
class MatriksAdmin(ScopedReadOnlyAdmin):
    list_display = ["pemimpin", "periode", "tim", "diterapkan_pada"]
    list_select_related = ["pemimpin", "periode__instansi", "tim"]
    inlines = [PeranHasilInline]
