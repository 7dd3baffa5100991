from __future__ import annotations

from django.http import HttpRequest

from kinerja.policy import actor


def navigation(request: HttpRequest) -> dict:
    """Which menus the user sees; the menus themselves never grant anything."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    a = actor(user)
    from kinerja.models import Notifikasi

    return {
        "jumlah_belum_dibaca": Notifikasi.objects.filter(penerima=user, dibaca=False).count(),
        "nav": {
            "pegawai": a.pegawai_id is not None,
            "penilai": bool(a.pegawai_id and a.dinilai_ids()),
            "admin": a.admin_instansi_id is not None or a.superuser,
        },
    }
