"""The form renderer: Django's TemplatesSetting, with Django's own plain layout drawn in Python.

A form shown with `{{ form }}` / `form.as_div` renders one template per form, then per field a
field group, a label, an error list and the widget (input.html, which includes attrs.html): about
0.35 ms of template machinery per field on every page that shows a form, the password form alone
a fifth of the lightest page (bench/temuan.md, "lantai"). The templates below are small and
fixed; drawing them in Python gives the same bytes (tests/kinerja/test_render_formulir.py
compares both on the project's forms). A template the project overrides (templates/django/forms/)
or anything not listed here renders through the templates as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import TemplatesSetting
from django.template.defaultfilters import stringformat
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

_DJANGO_FORMS = Path(django.forms.__file__).resolve().parent / "templates"


def _v(value: Any) -> str:
    """`{{ value }}` with autoescape on (the template engine's render_value_in_context)."""
    return conditional_escape(localize(value))


def _s(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`."""
    return conditional_escape(stringformat(value, "s"))


def _attrs(attrs: Any) -> str:
    """django/forms/attrs.html and django/forms/widgets/attrs.html."""
    if not attrs:
        return ""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(" " + _v(name))
            if value is not True:
                out.append('="' + _s(value) + '"')
    return "".join(out)


def _input(ctx: dict) -> str:
    """django/forms/widgets/input.html and the widgets that are only that include."""
    w = ctx["widget"]
    value = w["value"]
    nilai = f' value="{_s(value)}"' if value is not None else ""
    return f'<input type="{_v(w["type"])}" name="{_v(w["name"])}"{nilai}{_attrs(w["attrs"])}>'


def _errors(ctx: dict) -> str:
    """django/forms/errors/list/default.html (ul.html)."""
    errors = ctx["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    ident = f' id="{_v(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_v(e)}</li>" for e in errors)
    return f'<ul class="{_v(ctx["error_class"])}"{ident}>{items}</ul>'


def _label(ctx: dict) -> str:
    """django/forms/label.html."""
    if ctx["use_tag"]:
        tag = _v(ctx["tag"])
        return f"<{tag}{_attrs(ctx['attrs'])}>{_v(ctx['label'])}</{tag}>"
    return _v(ctx["label"])


def _field(ctx: dict) -> str:
    """django/forms/field.html."""
    # A lazy help text is built each time it is asked for: three more times while a field is
    # drawn (here, and aria-describedby in Django's BoundField). The password rules are each
    # validator's text translated and joined, a tenth of the password page: built once here.
    field = ctx["field"]
    asli = field.help_text
    if isinstance(asli, Promise):
        field.help_text = str(asli)
    try:
        return _field_isi(field)
    finally:
        field.help_text = asli


def _field_isi(field: Any) -> str:
    out = []
    if field.use_fieldset:
        described = field.aria_describedby
        desc = f' aria-describedby="{_v(described)}"' if described else ""
        out.append(f"\n  <fieldset{desc}>\n  ")
        if field.label:
            out.append(_v(field.legend_tag()))
        out.append("\n")
    else:
        out.append("\n  ")
        if field.label:
            out.append(_v(field.label_tag()))
        out.append("\n")
    out.append("\n")
    if field.help_text:
        ident = f' id="{_v(field.auto_id)}_helptext"' if field.auto_id else ""
        out.append(f'<div class="helptext"{ident}>{field.help_text!s}</div>')
    out.append(f"\n{_v(field.errors)}\n{_v(field)}")
    if field.use_fieldset:
        out.append("</fieldset>")
    return "".join(out)


def _div(ctx: dict) -> str:
    """django/forms/div.html."""
    errors, fields, hidden = ctx["errors"], ctx["fields"], ctx["hidden_fields"]
    out = [_v(errors), "\n"]
    if errors and not fields:
        out.append("\n  <div>" + "".join(_v(f) for f in hidden) + "</div>\n")
    out.append("\n")
    for i, (field, _field_errors) in enumerate(fields):
        classes = field.css_classes()
        kelas = f' class="{_v(classes)}"' if classes else ""
        out.append(f"\n  <div{kelas}>\n    {_v(field.as_field_group())}\n    ")
        if i == len(fields) - 1:
            out.append("\n      " + "".join(_v(f) for f in hidden) + "\n    ")
        out.append("\n</div>\n")
    out.append("\n")
    if not fields and not errors:
        out.append("\n  " + "".join(_v(f) for f in hidden) + "\n")
    return "".join(out)


_INPUT = "django/forms/widgets/input.html"
_WIDGET_ATTRS = "django/forms/widgets/attrs.html"
_INPUT_WIDGETS = (
    "text",
    "password",
    "email",
    "number",
    "hidden",
    "url",
    "search",
    "tel",
    "date",
    "time",
    "datetime",
    "color",
)
# template name -> (its drawing, the templates it stands for: all must be Django's own).
CEPAT: dict[str, tuple[Callable[[dict], str], tuple[str, ...]]] = {
    "django/forms/div.html": (_div, ()),
    "django/forms/field.html": (_field, ()),
    "django/forms/label.html": (_label, ("django/forms/attrs.html",)),
    "django/forms/errors/list/default.html": (_errors, ("django/forms/errors/list/ul.html",)),
    **{f"django/forms/widgets/{w}.html": (_input, (_INPUT, _WIDGET_ATTRS)) for w in _INPUT_WIDGETS},
}


class PenyajiFormulir(TemplatesSetting):
    """FORM_RENDERER: templates as configured, Django's plain layout drawn in Python."""

    def __init__(self) -> None:
        super().__init__()
        self._bawaan: dict[str, bool] = {}

    def _asli(self, template_name: str) -> bool:
        """Whether the template and those it includes are Django's own (not overridden)."""
        asli = self._bawaan.get(template_name)
        if asli is None:
            names = (template_name, *CEPAT[template_name][1])
            asli = all(
                Path(self.get_template(n).origin.name).resolve().is_relative_to(_DJANGO_FORMS)
                for n in names
            )
            self._bawaan[template_name] = asli
        return asli

    def render(self, template_name: str, context: dict, request: Any = None) -> str:
        cepat = CEPAT.get(template_name)
        if cepat is not None and request is None and self._asli(template_name):
            return SafeString(cepat[0](context).strip())
        return super().render(template_name, context, request=request)
