"""Pages of the planning stage: thin typed function views over selectors and services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from skp import selectors


@login_required
def skp_detail(request: HttpRequest, pk: int) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    return render(request, "skp/detail.html", {"skp": skp})
