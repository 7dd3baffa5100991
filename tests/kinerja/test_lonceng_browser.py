"""The bell in Chromium: the browser keeps the bell and revalidates it on each htmx poll, so an
unchanged count is an empty 304 on the server (nothing rendered) and the same bell on the page;
a new notification shows at the next poll."""

from __future__ import annotations

import pytest
from django.test.signals import template_rendered
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

POLL = "htmx.ajax('GET', '/notifikasi/lonceng/', {target: '#lonceng', swap: 'outerHTML'})"
BELL = "kinerja/partials/lonceng.html"


def test_browser_revalidates_the_bell_and_shows_a_new_notification(e2e_org, login):
    from kinerja.notifikasi import notifikasi_kirim

    rendered: list[str] = []

    def catat(sender, template, context, **kwargs):
        if template.name == BELL:
            rendered.append(template.name)

    template_rendered.connect(catat)
    try:
        user = e2e_org.pegawai.user
        page = login(user)
        page.evaluate(POLL)  # the first poll: nothing kept yet, rendered
        n = len(rendered)
        page.evaluate(POLL)
        page.evaluate(POLL)
        assert len(rendered) == n  # 304s: the browser handed htmx the bell it kept
        expect(page.locator("#lonceng")).to_have_count(1)
        expect(page.locator("#lonceng .badge")).to_have_count(0)
        notifikasi_kirim(penerima=user, jenis="skp_disetujui", pesan="SKP Anda disetujui.")
        page.evaluate(POLL)
        expect(page.locator("#lonceng .badge")).to_have_text("1")
        assert len(rendered) == n + 1
    finally:
        template_rendered.disconnect(catat)
