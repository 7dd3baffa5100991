"""The tugas belajar form's IPK band preview is an htmx GET of the form's own fields: the CSRF
token must not ride in its query string (URLs land in access logs and proxies' caches)."""

from __future__ import annotations

import re

from django.urls import reverse

from skp import services


def test_the_band_preview_leaves_the_csrf_token_out_of_its_url(org, client_as):
    from kinerja.models import Pegawai

    Pegawai.objects.filter(pk=org.rekan.pk).update(status="tugas_belajar")
    org.rekan.refresh_from_db()
    skp = services.skp_buat(pegawai=org.rekan, periode=org.periode_a, user=org.rekan.user)
    html = client_as(org.rekan.user).get(reverse("skp:detail", args=[skp.pk])).content.decode()
    pita = reverse("skp:tugas_belajar_pita", args=[skp.pk])
    forms = re.findall(rf'<form [^>]*hx-get="{re.escape(pita)}"[^>]*>', html)
    assert len(forms) == 1, forms
    form = forms[0]
    # hx-include="this" sends every field of the form; the token is one of them.
    assert 'hx-include="this"' in form
    params = re.search(r'hx-params="([^"]*)"', form)
    assert params and params.group(1).startswith("not ")
    assert "csrfmiddlewaretoken" in params.group(1).removeprefix("not ").split(",")
