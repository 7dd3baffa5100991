"""Access rules for the dialog stage (registered by model label; no imports of dialog models).

- Umpan balik: the receiver sees all about them, a giver sees what they gave, the penilai and
  atasan penilai see all of it for their people. Nobody else (admins included: feedback is a
  conversation, not an administrative record).
- Penugasan: the proposer, the receiver's penilai and atasan penilai, the admin of the
  receiver's instansi (read only). The receiver sees it only once the penilai has decided
  (or when they asked to join themselves). Only the receiver's pejabat penilai decides.
- Realisasi and bukti dukung: the pegawai, their penilai and atasan, and the official who
  assigned the rencana hasil kerja (`pemberi_tugas` on the row: the model link is the grant).
- Dialog kinerja and tindak lanjut: both parties, and the pegawai's penilai and atasan.
- A rencana hasil kerja's realisasi page: whoever sees its realisasi (above). Feedback on one
  rencana hasil kerja (and so its text): the pegawai's leaders, the ketua of their team and the
  official who assigned the row.
- A pegawai's year of dialogue: the pegawai and their penilai and atasan penilai. A check-in is
  recorded by a leader or the ketua tim; bimbingan and konseling by the penilai or atasan.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from .core import Actor, Rules, action, capability, register


def _p(prefix: str) -> str:
    return f"{prefix}__" if prefix else ""


def umpan_balik_q(a: Actor, prefix: str = "") -> Q:
    p = _p(prefix)
    if not a.pegawai_id:
        return Q(pk__in=[])
    return a.pegawai_q(f"{p}penerima") | Q(**{f"{p}pemberi_id": a.pegawai_id})


def penugasan_q(a: Actor, prefix: str = "") -> Q:
    p = _p(prefix)
    q = Q(pk__in=[])
    if a.pegawai_id:
        me = a.pegawai_id
        q = (
            Q(**{f"{p}pemberi_id": me})
            | Q(**{f"{p}penerima__pejabat_penilai_id": me})
            | Q(**{f"{p}penerima__atasan_pejabat_penilai_id": me})
            # Nothing reaches the pegawai before the penilai decides, except their own request.
            | (
                Q(**{f"{p}penerima_id": me})
                & (~Q(**{f"{p}status": "diusulkan"}) | Q(**{f"{p}sukarela": True}))
            )
        )
    if a.admin_instansi_id:
        q |= Q(**{f"{p}penerima__instansi_id": a.admin_instansi_id})
    return q


def dokumentasi_q(a: Actor, prefix: str = "") -> Q:
    p = _p(prefix)
    if not a.pegawai_id:
        return Q(pk__in=[])
    return a.pegawai_q(f"{p}pegawai") | Q(
        **{f"{p}rencana_hasil_kerja__pemberi_tugas_id": a.pegawai_id}
    )


def dialog_q(a: Actor, prefix: str = "") -> Q:
    p = _p(prefix)
    if not a.pegawai_id:
        return Q(pk__in=[])
    return a.pegawai_q(f"{p}pegawai") | Q(**{f"{p}pemimpin_id": a.pegawai_id})


class _QRules(Rules):
    """Rules whose visibility is one Q; `can(view)` asks the same Q of the one row."""

    def q(self, a: Actor) -> Q:
        raise NotImplementedError

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        return qs.filter(self.q(a)).distinct() if self.needs_distinct else qs.filter(self.q(a))

    needs_distinct = False

    def visible(self, a: Actor, obj: Model) -> bool:
        if a.superuser:
            return True
        return type(obj)._default_manager.filter(self.q(a), pk=obj.pk).exists()


@register("dialog.umpanbalik")
class UmpanBalikRules(_QRules):
    def q(self, a: Actor) -> Q:
        return umpan_balik_q(a)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action == "view":
            return (
                a.superuser
                or obj.penerima_id == a.pegawai_id
                or obj.pemberi_id == a.pegawai_id
                or a.leads(obj.penerima_id)
            )
        return False  # feedback is a record: never edited or deleted


@register("dialog.permintaanumpanbalik")
class PermintaanRules(_QRules):
    def q(self, a: Actor) -> Q:
        if not a.pegawai_id:
            return Q(pk__in=[])
        return Q(peminta_id=a.pegawai_id) | Q(diminta_id=a.pegawai_id)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action == "view":
            return a.superuser or a.pegawai_id in {obj.peminta_id, obj.diminta_id}
        if action == "jawab":
            return a.pegawai_id is not None and obj.diminta_id == a.pegawai_id
        return False


@register("dialog.penugasan")
class PenugasanRules(_QRules):
    def q(self, a: Actor) -> Q:
        return penugasan_q(a)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action in {"setujui", "tolak"}:
            # The one rule of penugasan: only the receiver's own pejabat penilai decides. Not
            # the proposer, not the receiver, not an admin, not a superuser.
            return a.is_penilai_of(obj.penerima_id)
        if action == "view":
            return self.visible(a, obj)
        return False


@register("dialog.klarifikasiekspektasi")
class KlarifikasiRules(_QRules):
    def q(self, a: Actor) -> Q:
        return penugasan_q(a, "penugasan")

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return action == "view" and self.visible(a, obj)


@register("dialog.peluang")
class PeluangRules(_QRules):
    def q(self, a: Actor) -> Q:
        ids = {i for i in (a.instansi_id, a.admin_instansi_id) if i}
        q = Q(unit_kerja__instansi_id__in=ids)
        if a.pegawai_id:
            q |= Q(pemberi_id=a.pegawai_id)
        return q

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action == "view":
            return self.visible(a, obj)
        if action in {"change", "tutup"}:
            return a.pegawai_id is not None and obj.pemberi_id == a.pegawai_id
        return False


@register("dialog.realisasi")
class RealisasiRules(_QRules):
    def q(self, a: Actor) -> Q:
        return dokumentasi_q(a)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action == "view":
            return self.visible(a, obj)
        if action in {"change", "unggah"}:
            return a.pegawai_id is not None and obj.pegawai_id == a.pegawai_id
        return False


@register("dialog.buktidukung")
class BuktiDukungRules(_QRules):
    def q(self, a: Actor) -> Q:
        return dokumentasi_q(a, "realisasi")

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action == "view":
            return self.visible(a, obj)
        if action == "delete":
            return a.pegawai_id is not None and obj.realisasi.pegawai_id == a.pegawai_id
        return False


@register("dialog.dialogkinerja")
class DialogKinerjaRules(_QRules):
    def q(self, a: Actor) -> Q:
        return dialog_q(a)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action == "view":
            return (
                a.superuser
                or obj.pemimpin_id == a.pegawai_id
                or a.pegawai_id == obj.pegawai_id
                or a.leads(obj.pegawai_id)
            )
        if action == "change":
            return a.pegawai_id is not None and obj.pemimpin_id == a.pegawai_id
        return False


@register("dialog.tindaklanjut")
class TindakLanjutRules(_QRules):
    def q(self, a: Actor) -> Q:
        return dialog_q(a, "dialog")

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action == "view":
            return self.visible(a, obj)
        if action == "selesai":
            # Both parties of the dialogue may tick an agreed follow-up off.
            d = obj.dialog
            return a.pegawai_id is not None and a.pegawai_id in {
                d.pegawai_id,
                d.pemimpin_id,
                obj.penanggung_jawab_id,
            }
        return False


# --- actions of the dialog stage on other stages' models -------------------------------------
@action("skp.rencanahasilkerja", "realisasi")
def boleh_realisasi_rhk(a: Actor, rhk: Model) -> bool:
    """The realisasi page of a rencana hasil kerja: the same people who see its realisasi rows
    (`dokumentasi_q`): the pegawai, their penilai and atasan, the official who assigned it."""
    pid = rhk.skp.pegawai_id
    return (
        a.superuser
        or (a.pegawai_id is not None and a.pegawai_id == pid)
        or a.leads(pid)
        or (a.pegawai_id is not None and rhk.pemberi_tugas_id == a.pegawai_id)
    )


@action("skp.rencanahasilkerja", "umpan_balik")
def boleh_umpan_balik_rhk(a: Actor, rhk: Model) -> bool:
    """Who may give feedback on one rencana hasil kerja (and so read its text): the pegawai's
    leaders, the ketua of their team, and the official who assigned that row."""
    pid = rhk.skp.pegawai_id
    return (
        a.leads(pid)
        or a.is_ketua_tim_of(pid)
        or (a.pegawai_id is not None and rhk.pemberi_tugas_id == a.pegawai_id)
    )


@action("kinerja.pegawai", "lihat_tahun")
def boleh_lihat_tahun(a: Actor, pegawai: Model) -> bool:
    """A pegawai's year of dialogue (feedback, assignments, dialogues): themself, their penilai
    and atasan penilai."""
    return (
        a.superuser
        or (a.pegawai_id is not None and a.pegawai_id == pegawai.pk)
        or a.leads(pegawai.pk)
    )


@action("kinerja.pegawai", "dialog_check_in")
def boleh_check_in(a: Actor, pegawai: Model) -> bool:
    """A check-in is recorded by the pegawai's penilai, atasan penilai or ketua tim."""
    return a.leads(pegawai.pk) or a.is_ketua_tim_of(pegawai.pk)


@action("kinerja.pegawai", "dialog_pembinaan")
def boleh_pembinaan(a: Actor, pegawai: Model) -> bool:
    """Bimbingan and konseling kinerja are the pejabat penilai's (or the atasan's) duty."""
    return a.leads(pegawai.pk)


@capability("menugaskan")
def boleh_menugaskan(a: Actor) -> bool:
    """May propose an assignment (and so look a pegawai up by NIP): an official in a structural
    position (definitively or as Plt/Plh) or the ketua of an active TimKerja (dialog.rules)."""
    if not a.pegawai_id:
        return False

    def build() -> set[int]:
        from dialog import rules
        from kinerja.models import Pegawai, TimKerja

        row = (
            Pegawai.objects.filter(pk=a.pegawai_id)
            .values("jabatan__jenis", "plt_jabatan_id")
            .first()
        )
        if not row:
            return set()
        boleh = rules.boleh_menugaskan(
            jenis_jabatan=row["jabatan__jenis"],
            ketua_tim=TimKerja.objects.filter(ketua_id=a.pegawai_id, aktif=True).exists(),
            plt=bool(row["plt_jabatan_id"]),
        )
        return {1} if boleh else set()

    return bool(a._ids("menugaskan", build))
