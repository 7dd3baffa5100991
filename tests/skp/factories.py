"""Small builders for SKP tests (on top of the persona organisation)."""

from __future__ import annotations

from skp import services
from skp.models import SKP


def rhk(skp, user, rencana="Usulan kenaikan pangkat disusun akurat", jenis="utama", **kw):
    kw.setdefault(
        "indikator",
        [
            {
                "aspek": "kualitas",
                "indikator": "Persentase usulan memenuhi syarat",
                "target": "90 – 95 %",
            }
        ],
    )
    return services.rhk_tambah(skp=skp, user=user, jenis=jenis, rencana=rencana, **kw)


def skp_draft(org, who="pegawai", n_rhk=1, **kw) -> SKP:
    peg = getattr(org, who)
    skp = services.skp_buat(pegawai=peg, periode=org.periode_a, user=peg.user, **kw)
    for i in range(n_rhk):
        rhk(skp, peg.user, rencana=f"Rencana hasil kerja {i + 1}")
    return skp


def skp_diajukan(org, who="pegawai", n_rhk=1) -> SKP:
    skp = skp_draft(org, who, n_rhk)
    return services.skp_ajukan(skp=skp, user=getattr(org, who).user)


def skp_disetujui(org, who="pegawai", n_rhk=1) -> SKP:
    skp = skp_diajukan(org, who, n_rhk)
    penilai = getattr(org, who).pejabat_penilai
    return services.skp_setujui(skp=skp, user=penilai.user)
