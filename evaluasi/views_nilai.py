"""The rating page's live parts (issue 17, item 2): the suggestion and the predikat quadrant
as the penilai chooses, before anything is saved. Thin: evaluasi/pratinjau.py computes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from evaluasi import pratinjau, rules
from evaluasi.models import Evaluasi
from kinerja import policy


def konteks_pratinjau(
    ev: Evaluasi, pilihan: dict[str, str], hasil: str, perilaku: str
) -> dict[str, Any]:
    """What the live region of the rating page shows for these choices."""
    saran = pratinjau.saran_dari_pilihan(ev, pilihan)
    return {
        "saran": saran,
        "saran_label": rules.RATING_LABEL.get(saran.rating or "", ""),
        "kuadran": pratinjau.kuadran_grid(hasil, perilaku),
        # The save will ask for a reason: say so now, not after a refused save.
        "beda_saran": bool(hasil and saran.rating and hasil != saran.rating),
    }


@login_required
@require_GET
@vary_on_headers("HX-Request")
def pratinjau_nilai(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggestion and the quadrant for the choices on the page (htmx; writes nothing)."""
    ev = policy.get_for_user(
        request.user, Evaluasi.objects.select_related("periode", "pegawai"), pk=pk
    )
    if not policy.can(request.user, "nilai", ev):
        raise Http404
    ctx = konteks_pratinjau(
        ev,
        pratinjau.pilihan_dari(request.GET, ev),
        request.GET.get("rating_hasil_kerja", ""),
        request.GET.get("rating_perilaku_kerja", ""),
    )
    return render(request, "evaluasi/partials/pratinjau.html", {**ctx, "oob": True})
