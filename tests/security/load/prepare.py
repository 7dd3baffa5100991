"""Prepare the load-test database: the demo organisation plus evaluations to rate.

python -m tests.security.load.prepare <out.json>   (DATABASE_URL names a scratch database)
Writes who logs in as what: pegawai, penilai (with the evaluations they may rate and the
people they may give feedback to) and admins, all with the demo password.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")

import django  # noqa: E402

django.setup()


def main(out: str) -> None:
    from django.core.management import call_command

    from dialog import services as dialog_services  # noqa: F401  (feedback API is used)
    from evaluasi import services as ev_services
    from kinerja import demo
    from kinerja.models import Pegawai, Periode, User
    from skp.models import SKP
    from tests.evaluasi.conftest import skp_disetujui

    call_command("migrate", "--noinput", verbosity=0)
    call_command("demo", verbosity=0)
    periode = Periode.objects.filter(instansi__kode=demo.KODE).order_by("-tahun").first()
    penilai = []
    for boss in Pegawai.objects.filter(dinilai_set__isnull=False).distinct().select_related("user"):
        team = list(Pegawai.objects.filter(pejabat_penilai=boss, user__isnull=False))
        evs = []
        for p in team[:6]:
            if not SKP.objects.filter(pegawai=p, periode=periode).exists():
                skp_disetujui(p, periode)  # an approved SKP so the evaluation can start
            if not SKP.objects.filter(pegawai=p, periode=periode, status="disetujui").exists():
                continue
            try:
                ev = ev_services.evaluasi_mulai(
                    user=boss.user, pegawai=p, periode=periode, jenis="tahunan", urutan=None
                )
                evs.append(ev.pk)
            except Exception as e:  # noqa: BLE001  a window/state the demo does not allow
                print(f"skip evaluation for {p.nip}: {e}", file=sys.stderr)
        if boss.user_id and team:
            penilai.append(
                {"username": boss.user.username, "pegawai": [p.pk for p in team], "evaluasi": evs}
            )
    pegawai = list(
        Pegawai.objects.filter(user__isnull=False, pejabat_penilai__isnull=False).values_list(
            "user__username", flat=True
        )[:200]
    )
    admins = list(
        User.objects.filter(admin_instansi__isnull=False).values_list("username", flat=True)
    )
    from dialog.models import UmpanBalik
    from evaluasi.models import Evaluasi

    # Penilai with evaluations first: the simulated penilai take them in this order.
    penilai.sort(key=lambda p: -len(p["evaluasi"]))
    ids = [e for p in penilai for e in p["evaluasi"]]
    data = {
        "umpan_balik_max_pk": UmpanBalik.objects.order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0,
        "row_versions": dict(Evaluasi.objects.filter(pk__in=ids).values_list("pk", "row_version")),
    }
    data |= {
        "password": demo.PASSWORD,
        "pegawai": pegawai,
        "penilai": penilai,
        "admin": admins,
        "periode": periode.pk,
    }
    with open(out, "w") as f:
        json.dump(data, f)
    print(
        f"load data: {len(pegawai)} pegawai, {len(penilai)} penilai "
        f"({sum(len(p['evaluasi']) for p in penilai)} evaluations), {len(admins)} admins"
    )


if __name__ == "__main__":
    main(sys.argv[1])
