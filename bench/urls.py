"""The application's URLs plus the bare baseline views of `make bench` (bench settings only).

`/__bench__/bare/<name>/` returns, from memory, the bytes the real page returned when the bench
captured it: the limit of what Django under the same gunicorn, settings and middleware can serve.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kinerja.urls import handler404  # noqa: F401
from kinerja.urls import urlpatterns as app_urlpatterns

_cache: dict[str, tuple[bytes, str]] = {}


def bare(request: HttpRequest, name: str) -> HttpResponse:
    if name not in _cache:
        folder = Path(os.environ.get("KINERJA_BENCH_BARE_DIR", "/nonexistent"))
        body = (folder / f"{Path(name).name}.body").read_bytes()
        ctype_file = folder / f"{Path(name).name}.type"
        ctype = ctype_file.read_text() if ctype_file.exists() else "text/html; charset=utf-8"
        _cache[name] = (body, ctype)
    body, ctype = _cache[name]
    return HttpResponse(body, content_type=ctype)


urlpatterns = [path("__bench__/bare/<str:name>/", bare, name="bench_bare"), *app_urlpatterns]
