"""Admin for the dialog stage: read-only. Every change goes through the services (and so the
policy): an assignment is decided only by the penerima's pejabat penilai, never in the admin,
whoever is logged in (superusers included)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from dialog.models import (
    BuktiDukung,
    DialogKinerja,
    KlarifikasiEkspektasi,
    Peluang,
    Penugasan,
    PermintaanUmpanBalik,
    Realisasi,
    TindakLanjut,
    UmpanBalik,
)
from kinerja.admin_riwayat import RiwayatAdmin


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        from kinerja import policy

        return policy.scope(request.user, super().get_queryset(request))


class ReadOnlyAdmin(_ReadOnly, RiwayatAdmin):
    """Read-only, with the model's simple_history records."""


class ReadOnlyPlainAdmin(_ReadOnly, admin.ModelAdmin):
    """Read-only, for models without HistoricalRecords (a RiwayatAdmin would 500)."""

    def history_view(self, request, object_id, extra_context=None):
        # Refuse before looking the object up, as the change view does: a 403, not a redirect
        # that differs between objects one may and may not see.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


@admin.register(Penugasan)
class PenugasanAdmin(ReadOnlyAdmin):
    list_display = ["id", "pemberi", "penerima", "status", "sukarela", "dibuat", "diputuskan"]
    list_filter = ["status", "sukarela"]
    search_fields = ["uraian", "penerima__nama", "pemberi__nama"]
    list_select_related = ["pemberi", "penerima"]


@admin.register(UmpanBalik)
class UmpanBalikAdmin(ReadOnlyAdmin):
    list_display = ["id", "pemberi", "penerima", "hubungan", "jenis", "dibuat"]
    list_filter = ["hubungan", "jenis", "cara"]
    list_select_related = ["pemberi", "penerima"]


@admin.register(DialogKinerja)
class DialogKinerjaAdmin(ReadOnlyAdmin):
    list_display = ["id", "jenis", "pegawai", "pemimpin", "waktu"]
    list_select_related = ["pegawai", "pemimpin"]


admin.site.register(PermintaanUmpanBalik, ReadOnlyPlainAdmin)

for model in (
    Peluang,
    KlarifikasiEkspektasi,
    Realisasi,
    BuktiDukung,
    TindakLanjut,
):
    admin.site.register(model, ReadOnlyAdmin)
