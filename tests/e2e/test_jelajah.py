"""Every persona's home and pages, crawled once each in Chromium on the demo data (issue 17,
Done means). First the home: it shows the persona's real pending work from the demo (the draft
SKP to submit, the approval queue, the keberatan to decide, the team's matrix, the admin's
progress per unit). Then the crawl:
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
        laporan += [f"{persona}: beranda: {m}" for m in _beranda(page, persona, ctx)]
        hasil = j.jelajah()
        jumlah[persona] = (len(hasil.halaman), hasil.tautan)
        laporan += list(dict.fromkeys(f"{persona}: {t}" for t in hasil.temuan))
        # A walk that saw little checked little: every persona has a day's worth of pages.
        assert len(hasil.halaman) >= 10, (persona, hasil.halaman)
    assert not laporan, "\n" + "\n".join(laporan) + f"\n(halaman, tautan): {jumlah}"


def _beranda(page, persona: str, ctx: dict) -> list[str]:
    """What the persona's home must show, from what the demo holds for them."""
    from dialog.models import Penugasan
    from evaluasi.models import Keberatan, PenjelasanKeberatan
    from skp.models import SKP

    salah: list[str] = []

    def ada(sel: str, *teks: str) -> None:
        loc = page.locator(sel)
        if loc.count() == 0 or not loc.first.is_visible():
            salah.append(f"{sel} tidak tampil")
            return
        isi = loc.first.inner_text()
        salah.extend(f"{sel} tanpa {t!r}: {isi[:200]!r}" for t in teks if t not in isi)

    peg = ctx.get(persona)
    if persona == "admin":
        ada("#kemajuan-siklus", "SKP disetujui", "Evaluasi final", "Per unit kerja")
        return salah
    skp = SKP.objects.filter(pegawai=peg, terkini=True, periode=ctx["periode"]).first()
    if persona == "gubernur":
        if page.locator("#tugas-skp").count():
            salah.append("gubernur (pejabat negara) diminta menyusun SKP")
    elif skp is not None and skp.status == SKP.Status.DRAFT:
        ada("#tugas-skp", "draf", "Ajukan" if skp.rencana_set.exists() else "Buka SKP")
    elif skp is not None:
        ada("#tugas-skp", f"versi {skp.versi}")
    antrian = SKP.objects.filter(status="diajukan", pegawai__pejabat_penilai=peg).count()
    if antrian:
        ada("#tugas-persetujuan", f"{antrian} SKP menunggu persetujuan")
    usulan = Penugasan.objects.filter(status="diusulkan", penerima__pejabat_penilai=peg).count()
    if usulan:
        ada("#tugas-penugasan", f"{usulan} usulan penugasan")
    putus = Keberatan.objects.filter(pemutus=peg).exclude(status="diputus").count()
    if putus:
        ada("#tugas-keberatan-putus", f"{putus} keberatan menunggu keputusan Anda")
    if ctx["tim"].ketua_id == peg.pk:
        ada(f"#tugas-tim-{ctx['tim'].pk}", ctx["tim"].nama)
    diminta = (
        PenjelasanKeberatan.objects.filter(
            keberatan__pegawai=peg, jenis="permintaan", kepada="pegawai", jawaban_set__isnull=True
        )
        .exclude(keberatan__status="diputus")
        .exists()
    )
    if diminta and not page.locator("[id^=tugas-keberatan-jelaskan-]").count():
        salah.append("permintaan penjelasan keberatan kepada pegawai tidak tampil")
    return salah
