"""Django admin for the organisation, scoped by the one access policy.

An admin BKD (`User.admin_instansi`, given `is_staff` so the admin site lets them in) sees and
edits only their own instansi; a superuser sees all. Every list, object, foreign-key choice and
permission question goes through `kinerja.policy`, and every save or delete goes through
`kinerja.services`, which recompute who rates whom.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from kinerja import policy, services
from kinerja.admin_riwayat import RiwayatAdmin
from kinerja.forms import PegawaiAdminForm
from kinerja.models import Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja, User

admin.site.site_header = "Administrasi Kinerja"
admin.site.site_title = "Kinerja"
admin.site.index_title = "Organisasi dan pengguna"

ORG_MODELS = (Instansi, UnitKerja, Jabatan, Pegawai, TimKerja, Periode)


def _is_admin(request: HttpRequest) -> bool:
    return policy.may(request.user, "kelola_instansi")


# Where each organisation model keeps its instansi (for scope_admin).
def _instansi_path(model: type[Model]) -> str:
    return {Instansi: "id", Jabatan: "unit_kerja__instansi_id"}.get(model, "instansi_id")


class PolicyAdmin(RiwayatAdmin):
    """Base admin: queryset, permissions and choices through the policy; writes via services."""

    list_per_page = 50
    show_full_result_count = False  # one COUNT less on 100k-row lists

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        # Only the instansi the user administers, even when they are a pegawai elsewhere.
        return policy.scope_admin(request.user, qs, _instansi_path(self.model))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_admin(request) and (obj is None or policy.can(request.user, "view", obj))

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_admin(request) and (obj is None or policy.can(request.user, "change", obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_admin(request) and (obj is None or policy.can(request.user, "delete", obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related in ORG_MODELS:
            kwargs["queryset"] = policy.scope_admin(
                request.user, related._default_manager.all(), _instansi_path(related)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related in ORG_MODELS:
            kwargs["queryset"] = policy.scope_admin(
                request.user, related._default_manager.all(), _instansi_path(related)
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        dikelola = policy.instansi_administered(request.user)
        if dikelola and "instansi" in {f.name for f in self.model._meta.fields}:
            initial.setdefault("instansi", dikelola)
        return initial

    def save_model(self, request, obj, form, change) -> None:
        services.organisasi_simpan(user=request.user, obj=obj)

    def delete_model(self, request, obj) -> None:
        services.organisasi_hapus(user=request.user, obj=obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            services.organisasi_hapus(user=request.user, obj=obj)


class RelatedOnly(admin.RelatedOnlyFieldListFilter):
    """A foreign-key filter offering only values present in the (policy-scoped) list, so a
    filter never shows another instansi's units or positions."""


@admin.register(Instansi)
class InstansiAdmin(PolicyAdmin):
    list_display = ("nama", "kode", "jenis", "kota")
    list_filter = ("jenis",)
    search_fields = ("nama", "kode")
    autocomplete_fields = ("pejabat_keberatan",)

    def get_readonly_fields(self, request, obj=None):
        # The identity of an instansi is the superuser's to set.
        return () if policy.may(request.user, "kelola_identitas_instansi") else ("kode", "jenis")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.may(request.user, "kelola_identitas_instansi")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return policy.may(request.user, "kelola_identitas_instansi")


@admin.register(UnitKerja)
class UnitKerjaAdmin(PolicyAdmin):
    list_display = ("nama", "singkatan", "induk", "mandiri", "instansi")
    list_filter = ("mandiri", ("instansi", RelatedOnly))
    search_fields = ("nama", "singkatan")
    autocomplete_fields = ("induk", "penilai_jabatan")
    list_select_related = ("induk", "instansi")


@admin.register(Jabatan)
class JabatanAdmin(PolicyAdmin):
    list_display = ("nama", "jenis", "jenjang", "unit_kerja", "atasan", "kepala_unit")
    list_filter = ("jenis", "kepala_unit", ("unit_kerja", RelatedOnly))
    search_fields = ("nama", "unit_kerja__nama")
    autocomplete_fields = ("unit_kerja", "atasan")
    list_select_related = ("unit_kerja", "atasan")


@admin.register(Pegawai)
class PegawaiAdmin(PolicyAdmin):
    form = PegawaiAdminForm
    list_display = (
        "nama",
        "nip",
        "jenis_asn",
        "golongan",
        "jabatan",
        "unit_kerja",
        "status",
        "pejabat_penilai",
    )
    list_filter = (
        "status",
        "jenis_asn",
        ("unit_kerja", RelatedOnly),
        ("instansi", RelatedOnly),
    )
    # NIP by prefix (an index-friendly LIKE 'x%'), names anywhere.
    search_fields = ("nama", "^nip")
    autocomplete_fields = ("jabatan", "unit_kerja", "plt_jabatan", "penilai_override", "user")
    list_select_related = ("jabatan", "unit_kerja", "pejabat_penilai")
    readonly_fields = ("pejabat_penilai", "atasan_pejabat_penilai")
    fieldsets = (
        (None, {"fields": ("instansi", "nip", "nama", "jenis_asn", "golongan", "email", "status")}),
        ("Jabatan", {"fields": ("jabatan", "unit_kerja", "plt_jabatan", "plt_jenis")}),
        (
            "Pejabat penilai",
            {
                "fields": ("penilai_override", "pejabat_penilai", "atasan_pejabat_penilai"),
                "description": "Pejabat penilai diturunkan dari struktur jabatan; isi penetapan "
                "khusus hanya bila ditetapkan di luar struktur.",
            },
        ),
        ("Akun", {"fields": ("user",)}),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Only accounts of the admin's own pegawai (never an admin's or a staff account).
            kwargs["queryset"] = policy.akun_pilihan(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        services.pegawai_user_ensure(obj)


@admin.register(TimKerja)
class TimKerjaAdmin(PolicyAdmin):
    list_display = ("nama", "ketua", "aktif", "instansi")
    list_filter = ("aktif", ("instansi", RelatedOnly))
    search_fields = ("nama", "ketua__nama", "^ketua__nip")
    autocomplete_fields = ("ketua", "anggota")
    list_select_related = ("ketua", "instansi")


@admin.register(Periode)
class PeriodeAdmin(PolicyAdmin):
    list_display = ("tahun", "instansi", "frekuensi", "status", "batas_perencanaan")
    list_filter = ("status", "frekuensi", "tahun", ("instansi", RelatedOnly))
    search_fields = ("tahun", "instansi__nama")
    list_select_related = ("instansi",)


# The User field naming the instansi an account administers: shown and set by the superuser.
FIELD_ADMIN = "admin_instansi"


def _scoped_users(request: HttpRequest) -> QuerySet:
    # Accounts are tenant data: the policy decides which ones an admin may manage.
    return policy.scope(request.user, User.objects.all())


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Logins. An admin BKD manages the accounts of their own instansi's pegawai (names, email,
    active flag, password); roles and flags are the superuser's."""

    list_display = ("username", "first_name", "email", "is_active", FIELD_ADMIN)
    list_filter = ("is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets_admin_bkd = (
        (None, {"fields": ("username", "password")}),
        ("Data pribadi", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "last_login")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not policy.may(request.user, "kelola_akun"):
            return self.fieldsets_admin_bkd
        if obj is not None:
            return (*self.fieldsets, ("Kinerja", {"fields": (FIELD_ADMIN,)}))
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if policy.may(request.user, "kelola_akun") else ("username", "last_login")

    def get_list_filter(self, request):
        return self.list_filter if policy.may(request.user, "kelola_akun") else ("is_active",)

    def get_queryset(self, request):
        qs = _scoped_users(request)
        return qs if policy.may(request.user, "kelola_akun") else qs.exclude(pk=request.user.pk)

    def has_module_permission(self, request):
        return _is_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_admin(request) and (obj is None or self._owns(request, obj))

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        # New logins come with new pegawai (admin, import, API); the superuser may add others.
        return policy.may(request.user, "kelola_akun")

    def has_delete_permission(self, request, obj=None):
        return policy.may(request.user, "kelola_akun")

    def _owns(self, request, obj) -> bool:
        return policy.can(request.user, "change", obj)
