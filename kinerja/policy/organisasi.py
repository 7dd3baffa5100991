"""Rules for the organisation: instansi, units, positions, pegawai, teams, periods."""

from __future__ import annotations

from django.db.models import Model, QuerySet

from .core import Actor, Rules, action, capability, register

WRITE_ACTIONS = {"change", "delete", "add", "import"}


def _instansi_id(obj: Model) -> int | None:
    if obj._meta.label_lower == "kinerja.instansi":
        return obj.pk
    return getattr(obj, "instansi_id", None) or getattr(
        getattr(obj, "unit_kerja", None), "instansi_id", None
    )


class _OrgRules(Rules):
    """Reference data of the organisation is readable inside one's own instansi; written by its
    admin. Nothing crosses instansi boundaries."""

    instansi_path = "instansi_id"

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        ids = {i for i in (a.instansi_id, a.admin_instansi_id) if i}
        return qs.filter(**{f"{self.instansi_path}__in": ids})

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        inst = _instansi_id(obj)
        if action == "view":
            return a.superuser or inst in {a.instansi_id, a.admin_instansi_id}
        return a.is_admin_of(inst)


@register("kinerja.instansi")
class InstansiRules(_OrgRules):
    instansi_path = "id"


@register("kinerja.unitkerja", "kinerja.pegawai", "kinerja.timkerja", "kinerja.periode")
class InstansiScopedRules(_OrgRules):
    pass


@register("kinerja.jabatan")
class JabatanRules(_OrgRules):
    instansi_path = "unit_kerja__instansi_id"


# --- capabilities: who the user is in the organisation ------------------------------------
@capability("pegawai")
def _pegawai(a: Actor) -> bool:
    """Has a Pegawai row: takes part in the cycle (SKP, dialog, own evaluations)."""
    return a.pegawai_id is not None


@capability("menilai")
def _menilai(a: Actor) -> bool:
    """Is the pejabat penilai of someone."""
    return bool(a.pegawai_id and a.dinilai_ids())


@capability("memimpin")
def _memimpin(a: Actor) -> bool:
    """Is the pejabat penilai or the atasan pejabat penilai of someone."""
    return bool(a.pegawai_id and (a.dinilai_ids() or a.atasan_dari_ids()))


@capability("membina")
def _membina(a: Actor) -> bool:
    """Leads someone: penilai, atasan penilai, or ketua of a team with members (may hold a
    dialog kinerja)."""
    return bool(a.pegawai_id and (a.dinilai_ids() or a.atasan_dari_ids() or a.anggota_tim_ids()))


@capability("kelola_instansi")
def _kelola_instansi(a: Actor) -> bool:
    """Administers an instansi (admin BKD), or is the superuser: the admin pages."""
    return a.superuser or a.admin_instansi_id is not None


@capability("semua_instansi")
def _semua_instansi(a: Actor) -> bool:
    """Works across instansi (the superuser): picks the instansi a page is about."""
    return a.superuser


@capability("kelola_akun")
def _kelola_akun(a: Actor) -> bool:
    """Creates logins outside the pegawai flow, deletes them, and sets roles and flags."""
    return a.superuser


@capability("kelola_identitas_instansi")
def _kelola_identitas_instansi(a: Actor) -> bool:
    """Creates and deletes instansi and sets their identity (kode, jenis)."""
    return a.superuser


# --- actions of the kernel on its own models ------------------------------------------------
@action("kinerja.job", "ulang")
def _job_ulang(a: Actor, job: Model) -> bool:
    """A failed job is sent again by the admin of its instansi (who fixed the cause)."""
    return a.is_admin_of(job.instansi_id)


@register("kinerja.notifikasi")
class NotifikasiRules(Rules):
    """A user's notifications are theirs alone."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        return qs.filter(penerima_id=a.user.pk)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return obj.penerima_id == a.user.pk


@register("kinerja.job")
class JobRules(Rules):
    """Background jobs: their starter sees them; admins see their instansi's (Job.instansi)."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        if a.admin_instansi_id:
            return qs.filter(instansi_id=a.admin_instansi_id) | qs.filter(dibuat_oleh_id=a.user.pk)
        return qs.filter(dibuat_oleh_id=a.user.pk)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return (
            a.superuser
            or obj.dibuat_oleh_id == a.user.pk
            or a.is_admin_of(getattr(obj, "instansi_id", None))
        )


@register("kinerja.dokumen")
class DokumenRules(Rules):
    """Issued documents: the pegawai it is about, their penilai and atasan, the admin."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        from django.db.models import Q

        if a.superuser:
            return qs
        q = Q(pk__in=[])
        if a.pegawai_id:
            # The pegawai sees the document of their own evaluation only once it is final
            # (as they see the evaluation itself); their leaders see drafts too.
            q = (
                (Q(pegawai_id=a.pegawai_id) & ~_dokumen_evaluasi_draft_q(a.pegawai_id))
                | Q(pegawai__pejabat_penilai_id=a.pegawai_id)
                | Q(pegawai__atasan_pejabat_penilai_id=a.pegawai_id)
                | _dokumen_keberatan_q(a)
            )
        if a.admin_instansi_id:
            q |= Q(instansi_id=a.admin_instansi_id)
        return qs.filter(q)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action != "view":
            return False
        return (
            a.is_admin_of(obj.instansi_id)
            or (
                a.pegawai_id is not None
                and obj.pegawai_id == a.pegawai_id
                and not type(obj)
                .objects.filter(_dokumen_evaluasi_draft_q(a.pegawai_id), pk=obj.pk)
                .exists()
            )
            or a.leads(obj.pegawai_id)
            or (
                a.pegawai_id is not None
                and type(obj).objects.filter(_dokumen_keberatan_q(a), pk=obj.pk).exists()
            )
        )


def _dokumen_evaluasi_draft_q(pegawai_id: int):
    """Documents of the pegawai's evaluations that are not final (a draft, or reopened)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    Evaluasi = apps.get_model("evaluasi", "Evaluasi")
    return Q(
        content_type=ContentType.objects.get_for_model(Evaluasi),
        object_id__in=Evaluasi.objects.filter(pegawai_id=pegawai_id)
        .exclude(status="final")
        .values("pk"),
    )


def _dokumen_keberatan_q(a: Actor):
    """Documents of evaluations whose keberatan `a` decides (the atasan, or the instansi's
    designee who may not lead the pegawai at all)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    Keberatan = apps.get_model("evaluasi", "Keberatan")
    Evaluasi = apps.get_model("evaluasi", "Evaluasi")
    return Q(
        content_type=ContentType.objects.get_for_model(Evaluasi),
        object_id__in=Keberatan.objects.filter(pemutus_id=a.pegawai_id).values("evaluasi_id"),
    )


@register("kinerja.user")
class UserRules(Rules):
    """Accounts are tenant data. An account belongs to at most one instansi (as its pegawai or
    as its admin); the admin of an instansi manages the accounts of its own pegawai only, never
    another admin's, a staff or superuser account, or one tied to another instansi. Everyone
    sees their own account."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        if a.admin_instansi_id:
            return qs.filter(
                pegawai__instansi_id=a.admin_instansi_id,
                admin_instansi__isnull=True,
                is_staff=False,
                is_superuser=False,
            ) | qs.filter(pk=a.user.pk)
        return qs.filter(pk=a.user.pk)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if a.superuser:
            return True
        if obj.pk == a.user.pk:
            return action == "view"
        if not a.admin_instansi_id or action not in {"view", "change"}:
            return False
        return self.scope(a, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def akun_pilihan(user: object) -> QuerySet:
    """Logins an admin may link to one of their pegawai: accounts they manage that hold no
    admin role (never another admin's account)."""
    from kinerja.models import User

    from .core import scope

    return scope(user, User.objects.all()).filter(admin_instansi__isnull=True)


def pengelola_instansi(instansi_id: int | None) -> QuerySet:
    """The active admin accounts of an instansi (who is told about instansi-wide work). People
    only: an integration token's system account is an admin too, but reads no reminders."""
    from kinerja.models import User

    return User.objects.filter(
        admin_instansi_id=instansi_id, is_active=True, token_integrasi__isnull=True
    )


def akun_boleh_diadopsi(user: Model) -> bool:
    """An existing login may be linked to a new pegawai only when it belongs to nobody: no
    pegawai, no instansi it administers, no staff or superuser rights."""
    return (
        not user.is_staff
        and not user.is_superuser
        and user.admin_instansi_id is None
        and not type(user)._default_manager.filter(pk=user.pk, pegawai__isnull=False).exists()
    )


@register("kinerja.mutasi")
class MutasiRules(Rules):
    """Changes of position: recorded and cancelled by the admin of the pegawai's instansi; read
    by that admin, the pegawai, and their current penilai."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        from django.db.models import Q

        if a.superuser:
            return qs
        q = Q(pk__in=[])
        if a.pegawai_id:
            q = Q(pegawai_id=a.pegawai_id) | Q(pegawai__pejabat_penilai_id=a.pegawai_id)
        if a.admin_instansi_id:
            q |= Q(pegawai__instansi_id=a.admin_instansi_id)
        return qs.filter(q)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        inst = obj.pegawai.instansi_id
        if action == "view":
            return (
                a.is_admin_of(inst)
                or (a.pegawai_id is not None and obj.pegawai_id == a.pegawai_id)
                or a.is_penilai_of(obj.pegawai_id)
            )
        return action in {"add", "batalkan"} and a.is_admin_of(inst)


@register("kinerja.riwayatjabatan", "kinerja.masapenilai")
class RiwayatRules(_OrgRules):
    """Who held which position, and who rated whom, when: organisation data of the instansi."""

    instansi_path = "pegawai__instansi_id"

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        # Written only by the services (mutasi, penilai_refresh), never edited directly.
        return action == "view" and (
            a.superuser or obj.pegawai.instansi_id in {a.instansi_id, a.admin_instansi_id}
        )


@register("kinerja.restrukturisasi", "kinerja.langkahrestrukturisasi")
class RestrukturisasiRules(Rules):
    """A restructuring draft is the admin's working paper: seen, changed and applied only by
    the admin of its instansi (its effect reaches everyone through Mutasi and MasaPenilai)."""

    def _inst(self, obj: Model) -> int | None:
        if obj._meta.label_lower == "kinerja.langkahrestrukturisasi":
            return obj.restrukturisasi.instansi_id
        return obj.instansi_id

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        if not a.admin_instansi_id:
            return qs.none()
        path = (
            "restrukturisasi__instansi_id"
            if qs.model._meta.label_lower == "kinerja.langkahrestrukturisasi"
            else "instansi_id"
        )
        return qs.filter(**{path: a.admin_instansi_id})

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return action in {"view", "add", "change", "terapkan"} and a.is_admin_of(self._inst(obj))
