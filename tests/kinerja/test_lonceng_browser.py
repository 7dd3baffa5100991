"""The bell in Chromium: the browser keeps the bell and revalidates it on each htmx poll, so an
unchanged count is an empty 304 on the server (nothing rendered) and the same bell on the page;
a new notification shows at the next poll."""

from __future__ import annotations

import time

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


SEMBUNYI = """sembunyi => {
  Object.defineProperty(document, "hidden", {configurable: true, get: () => sembunyi});
  Object.defineProperty(document, "visibilityState",
    {configurable: true, get: () => (sembunyi ? "hidden" : "visible")});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def _polls_jadi(page, polls: list[str], n: int) -> None:
    """Wait (real time: the page's clock is fake) until n polls have been answered, then a
    little longer so that one too many would show."""
    batas = time.monotonic() + 10
    while len(polls) < n and time.monotonic() < batas:
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)
    assert len(polls) == n


def test_a_hidden_tab_does_not_poll_the_bell_and_asks_once_when_shown(e2e_org, login, page):
    polls: list[str] = []
    page.on("requestfinished", lambda r: polls.append(r.url) if "/lonceng/" in r.url else None)
    page.clock.install()  # htmx's "every 30s" runs on the page's timers: ours to move
    login(e2e_org.pegawai.user)
    page.clock.run_for(31_000)
    _polls_jadi(page, polls, 1)  # a visible tab polls as before
    page.evaluate(SEMBUNYI, True)
    page.clock.run_for(95_000)  # three polls' worth of time, hidden
    _polls_jadi(page, polls, 1)
    page.evaluate(SEMBUNYI, False)  # shown again: one poll at once, not three
    _polls_jadi(page, polls, 2)
    expect(page.locator("#lonceng")).to_have_count(1)
    page.clock.run_for(31_000)  # and the bell's own timer goes on
    _polls_jadi(page, polls, 3)
    page.evaluate(SEMBUNYI, False)  # shown without a skipped poll: nothing extra
    _polls_jadi(page, polls, 3)
