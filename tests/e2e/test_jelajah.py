"""Every persona's pages, crawled once each in Chromium on the demo data (issue 17, Done means):
every page reachable from the persona's menu and the links on those pages one level deep
answers 200, is never wider than a 390 px phone, has no serious or critical axe-core violation,
no input without a label, no form left to the browser's English validation, no bare file input
("Choose File"), and shows no raw code (job names, Celery, Redis, an instansi code where its
name belongs, Python values). The walk and its checks are scripts/jelajah.py; one crawl per
persona checks everything at once (the CI time budget).

KINERJA_JELAJAH=pegawai,admin restricts the walk to some personas while working on a page.
"""

from __future__ import annotations

import io
import os

import pytest

from scripts.jelajah import Penjelajah

pytestmark = pytest.mark.e2e

# The demo's logins (kinerja/demo.py ROLES): every kind of day in the product.
PERSONA = ("pegawai", "kasubbid", "kabid", "fungsional", "kepala_bkd", "admin", "gubernur")


def test_every_persona_page_answers_fits_a_phone_is_accessible_and_speaks_indonesian(
    transactional_db, live_server, page, settings, tmp_path
):
    from django.core.management import call_command

    from kinerja.models import Instansi

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("demo", stdout=io.StringIO())
    from kinerja import demo

    ctx = demo.seed()  # idempotent: the personas of the demo just loaded
    logins = {p: (ctx[p] if p == "admin" else ctx[p].user).username for p in PERSONA}
    kode = list(Instansi.objects.values_list("kode", flat=True))
    pilih = [p for p in os.environ.get("KINERJA_JELAJAH", "").split(",") if p] or PERSONA
    laporan, jumlah = [], {}
    for persona in pilih:
        j = Penjelajah(page, live_server.url, terlarang=kode)
        j.masuk(logins[persona], demo.PASSWORD)
        hasil = j.jelajah()
        jumlah[persona] = (len(hasil.halaman), hasil.tautan)
        laporan += list(dict.fromkeys(f"{persona}: {t}" for t in hasil.temuan))
        # A walk that saw little checked little: every persona has a day's worth of pages.
        assert len(hasil.halaman) >= 10, (persona, hasil.halaman)
    assert not laporan, "\n" + "\n".join(laporan) + f"\n(halaman, tautan): {jumlah}"
