"""The SKP page's rows drawn in Python (skp/templatetags/skp_baris.py) give the bytes the
template include gave (templates/skp/partials/rhk_baris.html, still the single row's answer),
over every branch of that template: each test fails if one branch of the Python drifts."""

from __future__ import annotations

import itertools

import pytest
from django.template import Context, engines
from django.urls import reverse

from skp import selectors
from skp.models import SKP, Indikator
from skp.templatetags.skp_halaman import rhk_grup
from tests.skp.factories import rhk, skp_draft

pytestmark = pytest.mark.django_db

# What templates/skp/partials/grup.html looped before the rows were drawn in Python.
_INCLUDE = engines["django"].from_string(
    '{% for r in rows %}{% with nomor=forloop.counter %}{% include "skp/partials/rhk_baris.html" %}'
    "{% endwith %}{% endfor %}"
)
_PYTHON = engines["django"].from_string("{% load skp_baris %}{% rhk_baris_semua rows %}")
_GRUP_LAMA = engines["django"].from_string(
    """<section class="rhk-grup" id="grup-{{ jenis }}">
  <h3>{% if jenis == "utama" %}A. Hasil Kerja Utama{% else %}B. Hasil Kerja Tambahan{% endif %}</h3>
  <div class="rhk-daftar" id="daftar-{{ jenis }}">
  {% for r in rows %}{% with nomor=forloop.counter %}{% include "skp/partials/rhk_baris.html" %}{% endwith %}{% endfor %}
  </div>
  {% if not rows %}<p class="muted" id="kosong-{{ jenis }}">Belum ada hasil kerja {{ jenis }}.</p>{% endif %}
  {% if boleh_ubah %}
  <div id="tambah-{{ jenis }}"></div>
  <a class="button" href="{% url 'skp:rhk_tambah' skp.pk %}?jenis={{ jenis }}" hx-get="{% url 'skp:rhk_tambah' skp.pk %}?jenis={{ jenis }}" hx-target="#tambah-{{ jenis }}" hx-swap="beforeend">+ Tambah hasil kerja {{ jenis }}</a>
  {% endif %}
</section>
"""  # noqa: E501
)


def _skp(org) -> SKP:
    """Rows with every relation and text the row template shows, read as the page reads them."""
    atasan = skp_draft(org, "kasubbid", n_rhk=1)
    skp = skp_draft(org, n_rhk=0)
    user = org.pegawai.user
    a = rhk(
        skp, user, rencana='Baris <di bawah> "pimpinan" & co', rhk_atasan=atasan.rencana_set.get()
    )
    rhk(skp, user, rencana="Baris tugas", jenis="tambahan", indikator=[])
    rhk(skp, user, rencana="Baris tim", jenis="tambahan")
    baris = skp.rencana_set
    baris.filter(rencana="Baris tugas").update(pemberi_tugas=org.kabid, sumber="penugasan")
    baris.filter(rencana="Baris tim").update(
        tim=org.tim,
        perspektif="proses_bisnis",
        catatan_penilai="Target <belum> terukur\nperbaiki & ulang",
        uraian_hasil="Hasil\nbaris dua <b>",
        ukuran_keberhasilan="",
    )
    Indikator.objects.create(rencana=a, aspek="waktu", indikator="Tepat <waktu>", target="2 hari")
    Indikator.objects.create(
        rencana=a, aspek="biaya", indikator="Hemat", target='"10 %"', sumber_data="Laporan & SPJ"
    )
    return selectors.skp_for_user(user, skp.pk)


@pytest.mark.parametrize("kualitatif,draft", list(itertools.product([False, True], repeat=2)))
def test_the_rows_in_python_are_the_include_byte_for_byte(org, kualitatif, draft):
    skp = _skp(org)
    skp.pendekatan = "kualitatif" if kualitatif else "kuantitatif"
    skp.status = "draft" if draft else "diajukan"
    rows = list(skp.rencana_set.all())
    assert len(rows) == 3 and any(r.rhk_atasan for r in rows)
    assert [r for r in rows if not r.indikator_set.all()]
    for setujui, ubah, token in itertools.product([False, True], [False, True], ["", "t0K3n"]):
        ctx = {"skp": skp, "rows": rows, "boleh_setujui": setujui, "boleh_ubah": ubah}
        if token:
            ctx["csrf_token"] = token
        want = _INCLUDE.render(ctx)
        assert _PYTHON.render(ctx) == want, (setujui, ubah, token)
        assert ("Ubah</a>" in want) is ubah and ("catatan-kembalikan" in want) is setujui
    assert "Mengintervensi RHK pimpinan" in want and "Penugasan dari:" in want
    assert "Tim kerja:" in want and ("Catatan pejabat penilai:" in want) is draft
    assert ("Hasil yang diharapkan" in want) is kualitatif


def test_a_missing_leader_skp_or_row_shows_what_the_template_showed(org):
    skp = _skp(org)
    rows = list(skp.rencana_set.all())
    a = next(r.rhk_atasan for r in rows if r.rhk_atasan)
    ctx = {"skp": skp, "rows": rows, "boleh_ubah": True, "csrf_token": "x"}
    type(a)._meta.get_field("skp").set_cached_value(a, None)
    assert _PYTHON.render(ctx) == _INCLUDE.render(ctx)
    assert _PYTHON.render({**ctx, "rows": []}) == _INCLUDE.render({**ctx, "rows": []}) == ""


def test_the_group_partial_is_the_old_group_byte_for_byte(org, client_as, rf):
    skp = _skp(org)
    grup = selectors.rencana_grup(skp)
    new = engines["django"].get_template("skp/partials/grup.html")
    req = rf.get("/")
    for jenis, ubah, kosong in itertools.product(("utama", "tambahan"), (False, True), (0, 1)):
        rows = [] if kosong else grup[jenis]
        ctx = {"skp": skp, "rows": rows, "jenis": jenis, "boleh_ubah": ubah}
        ctx["csrf_token"] = "t0K3n"  # one token for both renders
        lama = _GRUP_LAMA.render(ctx, req)
        assert new.render(ctx, req) == lama
        # The page's groups drawn in Python ({% skp_hasil_kerja %}): the same bytes.
        assert rhk_grup(Context(ctx), rows, jenis) == lama
        assert ("kosong-" in lama) == bool(kosong) and ("tambah-" in lama) == ubah


def test_the_page_and_the_group_answer_show_the_rows(org, client_as):
    skp = _skp(org)
    c = client_as(org.pegawai.user)
    page = c.get(reverse("skp:detail", args=[skp.pk])).content.decode()
    for r in skp.rencana_set.all():
        assert f'id="rhk-{r.pk}"' in page
        assert reverse("skp:rhk_pindah", args=[skp.pk, r.pk, "naik"]) in page
