from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def skp_ringkas(context: Any) -> dict[str, Any]:
    """What the home panels show: my current SKP and the size of my approval queue."""
    from kinerja.policy import actor, may
    from skp import selectors

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {}
    a = actor(request.user)
    periode = selectors.periode_aktif(a.instansi_id)
    saya = (
        selectors.skp_terkini(pegawai=a.pegawai_id, periode=periode)
        if a.pegawai_id and periode
        else None
    )
    penilai = may(a, "menilai")
    return {
        "pegawai": a.pegawai_id is not None,
        "saya": saya,
        "penilai": penilai,
        "antrian": selectors.antrian_persetujuan(request.user).count() if penilai else 0,
    }
