"""The form renderer draws Django's plain form layout in Python (kinerja.render_formulir): the
bytes must be those of the templates, on every form the project shows and on the edge cases."""

from __future__ import annotations

import importlib
import inspect

import pytest
from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from kinerja.render_formulir import CEPAT, PenyajiFormulir

pytestmark = pytest.mark.django_db

MODUL_FORMULIR = [
    "kinerja.forms",
    "kinerja.forms_org",
    "kinerja.forms_notifikasi",
    "kinerja.akses.forms",
    "skp.forms",
    "evaluasi.forms",
    "evaluasi.siasn.forms",
]


class Semua(forms.Form):
    """Every input widget drawn in Python, and the template paths' edge cases."""

    required_css_class = "wajib"
    error_css_class = "salah"

    teks = forms.CharField(label=gettext_lazy("Nama <lengkap>"), help_text="Isi <b>nama</b>")
    sandi = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    surel = forms.EmailField(required=False, label="Surel?")
    angka = forms.IntegerField(required=False, localize=True)
    pecahan = forms.DecimalField(required=False)
    tautan = forms.URLField(required=False, label="", assume_scheme="https")
    cari = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    tanggal = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    jam = forms.TimeField(required=False)
    waktu = forms.DateTimeField(required=False)
    warna = forms.CharField(required=False, widget=forms.TextInput(attrs={"data-x": False}))
    pilih = forms.ChoiceField(choices=[("a", "A"), ("b", "B & C")], required=False)
    radio = forms.ChoiceField(
        choices=[("a", "A")], widget=forms.RadioSelect, required=False, help_text="satu"
    )
    centang = forms.BooleanField(required=False)
    catatan = forms.CharField(widget=forms.Textarea, required=False)
    rahasia = forms.CharField(widget=forms.HiddenInput, required=False)
    rahasia2 = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError(mark_safe("Salah <i>semua</i>"))


class HanyaTersembunyi(forms.Form):
    a = forms.CharField(widget=forms.HiddenInput)


def _keduanya(form: forms.BaseForm, render) -> tuple[str, str]:
    form.renderer = TemplatesSetting()
    lama = str(render(form))
    form.renderer = PenyajiFormulir()
    baru = str(render(form))
    return lama, baru


def _cara(form):
    yield lambda f: f.as_div()
    yield lambda f: str(f)
    for name in list(form.fields)[:30]:
        yield lambda f, n=name: f[n].as_field_group()
        yield lambda f, n=name: str(f[n])
        yield lambda f, n=name: f[n].label_tag()
        yield lambda f, n=name: str(f[n].errors)


def _sama(form: forms.BaseForm) -> None:
    for render in _cara(form):
        lama, baru = _keduanya(form, render)
        assert baru == lama


def test_every_fast_template_is_djangos_own_here():
    r = PenyajiFormulir()
    assert all(r._asli(name) for name in CEPAT)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {
            "teks": '<script>"x"&',
            "sandi": "a'b",
            "surel": "bukan",
            "angka": "1234567",
            "pecahan": "1.5",
            "tanggal": "2026-01-02",
            "pilih": "b",
            "radio": "a",
            "centang": "on",
            "catatan": "<b>",
            "rahasia": "<>",
            "rahasia2": "x",
        },
    ],
)
def test_edge_cases_render_the_same_bytes(data):
    _sama(Semua(data, initial={"teks": "awal & akhir", "angka": 10**6}))


def test_hidden_only_forms_render_the_same_bytes():
    _sama(HanyaTersembunyi())
    _sama(HanyaTersembunyi({}))


def test_auth_forms_render_the_same_bytes(django_user_model):
    user = django_user_model.objects.create_user("u1", password="Rahasia-123456")
    _sama(PasswordChangeForm(user))
    _sama(PasswordChangeForm(user, {"old_password": "x", "new_password1": "1"}))
    _sama(SetPasswordForm(user, {}))


def _formulir_proyek():
    for modul in MODUL_FORMULIR:
        for _n, cls in inspect.getmembers(importlib.import_module(modul), inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == modul:
                yield cls


def test_project_forms_render_the_same_bytes():
    diuji = 0
    for cls in _formulir_proyek():
        for data in (None, {}):
            try:
                form = cls(data) if data is not None else cls()
                if data is not None:
                    form.is_valid()
            except Exception:
                continue  # needs arguments of its own: covered by the pages' tests
            _sama(form)
            diuji += 1
    assert diuji >= 5


def test_password_page_renders_the_form_in_python(client, django_user_model, monkeypatch):
    """The lightest page draws its form without the form templates (the old renderer did)."""
    user = django_user_model.objects.create_user("u2", password="Rahasia-123456")
    client.force_login(user)
    dipakai = []
    asli = TemplatesSetting.render

    def catat(self, template_name, context, request=None):
        dipakai.append(template_name)
        return asli(self, template_name, context, request)

    monkeypatch.setattr(TemplatesSetting, "render", catat)
    r = client.get("/sandi/")
    assert r.status_code == 200 and 'name="new_password1"' in r.content.decode()
    assert dipakai == []


def test_a_lazy_help_text_is_built_once_per_drawing(django_user_model, monkeypatch):
    """The password rules (a lazy help text: every validator's text, translated) were built
    four times per page; once by Django's BoundField, once by the drawing now. The field keeps
    its lazy text afterwards, and the bytes are those of the templates (_sama)."""
    from django.contrib.auth import password_validation
    from django.utils.functional import Promise

    user = django_user_model.objects.create_user("u3", password="Rahasia-123456")
    dibangun = []
    asli = password_validation.password_validators_help_texts

    def catat(*args, **kwargs):
        dibangun.append(1)
        return asli(*args, **kwargs)

    monkeypatch.setattr(password_validation, "password_validators_help_texts", catat)
    form = PasswordChangeForm(user)
    html = form.as_div()
    assert "helptext" in html and len(dibangun) == 2
    assert isinstance(form["new_password1"].help_text, Promise)
    _sama(PasswordChangeForm(user))
