"""The account box of base.html drawn in Python (kinerja/templatetags/kinerja_bingkai.py) gives the
bytes the template text it replaced gives, for every kind of context."""

from __future__ import annotations

import pytest
from django.template import engines

# What base.html had from `<div class="userbox">` to its `</div>` (the bell is still its template).
LAMA = """<div class="userbox">
    {% include "kinerja/partials/lonceng.html" %}
    <details class="akun" data-menu>
      <summary><svg width="20" height="20" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false"><path d="M12 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zm0 2c-4.4 0-9 2.2-9 5.5V22h18v-2.5C21 16.2 16.4 14 12 14z"/></svg><span class="sr-only">Akun: </span><span class="username">{{ user.get_full_name|default:user.username }}</span></summary>
      <ul class="menu-isi">
        <li class="muted akun-nama">{{ user.get_full_name|default:user.username }}</li>
        <li><a href="{% tautan 'notifikasi_list' %}">Notifikasi</a></li>
        <li><a href="{% tautan 'password_change' %}">Ubah sandi</a></li>
        <li><form method="post" action="{% tautan 'logout' %}" novalidate>{% csrf_token %}<button class="link">Keluar</button></form></li>
      </ul>
    </details>
  </div>"""  # noqa: E501


class Pengguna:
    def __init__(self, depan: str, belakang: str, username: str) -> None:
        self.first_name, self.last_name, self.username = depan, belakang, username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


PENGGUNA = [
    Pengguna("Agustina", "Mbete", "199608222021212006"),
    Pengguna("", "", "admin.bkd"),  # no name: the username
    Pengguna('<b>"O\'Neil"', "& Co", "x<y"),  # escaped
    Pengguna("Ñoño", "Ōta", "u"),
]


def _render(teks: str, konteks: dict) -> str:
    t = engines["django"].from_string("{% load kinerja_nav kinerja_bingkai %}" + teks)
    return t.render(konteks)


# NOTPROVIDED: Django's own {% csrf_token %} warns (format_html without arguments) on both sides.
@pytest.mark.filterwarnings("ignore::django.utils.deprecation.RemovedInDjango60Warning")
@pytest.mark.parametrize("user", PENGGUNA, ids=lambda u: u.username)
@pytest.mark.parametrize("jumlah", [None, 0, 1, 7, 1234, "tidak ada"])
@pytest.mark.parametrize("csrf", ["AbCdEf0123456789", "NOTPROVIDED", None])
def test_the_account_box_is_the_templates_bytes(user, jumlah, csrf):
    konteks = {"user": user}
    if jumlah is not None:
        konteks["jumlah_belum_dibaca"] = jumlah
    if csrf is not None:
        konteks["csrf_token"] = csrf
    lama = _render(LAMA, konteks)
    assert _render("{% kotak_akun %}", konteks) == lama
    assert "{%" not in lama and "lonceng" in lama


def test_the_bell_is_its_templates_bytes():
    from django.template import Context

    from kinerja.templatetags.kinerja_bingkai import lonceng_html

    for jumlah in (None, 0, 3, 1000):
        konteks = {} if jumlah is None else {"jumlah_belum_dibaca": jumlah}
        lama = _render('{% include "kinerja/partials/lonceng.html" %}', konteks)
        assert lonceng_html(Context(konteks, autoescape=True)) == lama


@pytest.mark.django_db
def test_base_html_no_longer_includes_what_it_draws(org, client_as):
    from django.test.utils import override_settings

    c = client_as(org.user("pegawai"))
    dipakai: list[str] = []
    from django.test.signals import template_rendered

    def catat(sender, template, **kwargs):
        dipakai.append(template.name)

    template_rendered.connect(catat)
    try:
        with override_settings(DEBUG=False):
            body = c.get("/sandi/").content
    finally:
        template_rendered.disconnect(catat)
    assert b'<div class="userbox">' in body and b'id="lonceng"' in body
    # Fails on the old base.html: both partials rendered as templates on every page.
    assert "kinerja/partials/lonceng.html" not in dipakai
    assert "kinerja/partials/nav_items.html" not in dipakai
