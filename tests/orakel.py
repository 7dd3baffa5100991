"""Oracle tests of pages drawn in Python: catch the context a view hands to `render`, so the old
template can be rendered with the same context and compared byte for byte with the page served."""

from __future__ import annotations

from typing import Any


def tangkap_render(monkeypatch, views) -> dict[str, Any]:
    """From now on, `views.render` records its request and context in the returned dict."""
    dipakai: dict[str, Any] = {}
    asli = views.render

    def render(request, template, ctx):
        dipakai.update(request=request, ctx=ctx)
        return asli(request, template, ctx)

    monkeypatch.setattr(views, "render", render)
    return dipakai
