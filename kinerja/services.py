"""State changes of the organisation. Every write goes through a function here."""

from __future__ import annotations

from django.db import transaction

from kinerja import rules
from kinerja.models import Instansi, Jabatan, Pegawai, UnitKerja


@transaction.atomic
def penilai_refresh(*, instansi: Instansi) -> int:
    """Recompute and store every pegawai's pejabat penilai and atasan pejabat penilai.

    Runs after any change to positions, holders or overrides in the instansi; one read of the
    instansi's structure, then bulk updates of the rows that changed. Returns how many changed.
    """
    units = {
        u.id: rules.UnitInfo(u.id, u.mandiri, u.penilai_jabatan_id)
        for u in UnitKerja.objects.filter(instansi=instansi).only("id", "mandiri", "penilai_jabatan_id")
    }
    jabatan = {
        j.id: rules.JabatanInfo(j.id, j.jenis, j.atasan_id, j.unit_kerja_id, j.kepala_unit)
        for j in Jabatan.objects.filter(unit_kerja__instansi=instansi).only(
            "id", "jenis", "atasan_id", "unit_kerja_id", "kepala_unit"
        )
    }
    pimpinan = next(
        (j.id for j in jabatan.values() if j.jenis == Jabatan.Jenis.PIMPINAN_INSTANSI), None
    )
    pegawai = list(
        Pegawai.objects.filter(instansi=instansi).exclude(status=Pegawai.Status.BERHENTI).only(
            "id", "jabatan_id", "plt_jabatan_id", "penilai_override_id",
            "pejabat_penilai_id", "atasan_pejabat_penilai_id",
        )
    )
    holder: dict[int, int] = {}
    acting: dict[int, int] = {}
    for p in pegawai:
        if p.jabatan_id:
            holder.setdefault(p.jabatan_id, p.id)
        if p.plt_jabatan_id:
            acting.setdefault(p.plt_jabatan_id, p.id)
    derived = rules.derive_penilai(
        {p.id: p.jabatan_id for p in pegawai},
        jabatan_by_id=jabatan,
        unit_by_id=units,
        holder_by_jabatan=holder,
        acting_by_jabatan=acting,
        instansi_daerah=instansi.jenis == Instansi.Jenis.DAERAH,
        pimpinan_jabatan_id=pimpinan,
        override={p.id: p.penilai_override_id for p in pegawai if p.penilai_override_id},
    )
    changed = []
    for p in pegawai:
        penilai, atasan = derived[p.id]
        if (p.pejabat_penilai_id, p.atasan_pejabat_penilai_id) != (penilai, atasan):
            p.pejabat_penilai_id, p.atasan_pejabat_penilai_id = penilai, atasan
            changed.append(p)
    Pegawai.objects.bulk_update(
        changed, ["pejabat_penilai", "atasan_pejabat_penilai"], batch_size=2000
    )
    return len(changed)
