"""Machinery of the access matrix: URL enumeration, personas, expectations, row snapshots.

The table itself lives in test_access_matrix.py; this module only knows how to read it and
how to play one row against every persona.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# The personas of the matrix, in column order. "anon" is the anonymous visitor; every other
# name is an attribute of the `org` fixture (tests/personas.py).
PERSONAS: tuple[str, ...] = (
    "anon",  # anonymous
    "pegawai",  # the pegawai the objects belong to
    "rekan",  # her peer
    "kasubbid",  # her pejabat penilai
    "kabid",  # her atasan pejabat penilai
    "fungsional",  # ketua of the tim she is in
    "kadis",  # an assigning official of another unit
    "admin_a",  # admin of her instansi
    "admin_b",  # admin of another instansi
    "pegawai_b",  # a pegawai of another instansi
    "superuser",
)
SHORT = ("anon", "peg", "rek", "ksb", "kbd", "fng", "kds", "admA", "admB", "pegB", "su")

# Codes a table cell may hold.
#   200 201 204 400 401 403 404 405 409  -> exactly that status
#   L    -> 302 to the login page (/masuk/)
#   AL   -> 302 to the admin login page (/admin/login/)
#   302  -> a redirect anywhere else (e.g. after a successful form post)
#   -    -> not checked (documented reason in the row's note)
#   R    -> a redirect (with a message) that refuses: like 302, but nothing may be written
REFUSED = {"L", "AL", "R", "400", "401", "403", "404", "405", "409"}


@dataclass(frozen=True)
class Pattern:
    key: str  # the url name (with namespace), or "route:<route>" for an unnamed pattern
    route: str
    pattern: URLPattern

    @property
    def kwarg_names(self) -> list[str]:
        return list(self.pattern.pattern.regex.groupindex)


def _walk(res: URLResolver, prefix: str, ns: str | None) -> Iterator[Pattern]:
    for p in res.url_patterns:
        if isinstance(p, URLResolver):
            sub = p.namespace
            walk_ns = f"{ns}:{sub}" if ns and sub else (sub or ns)
            yield from _walk(p, prefix + str(p.pattern), walk_ns)
        else:
            route = prefix + str(p.pattern)
            key = (f"{ns}:{p.name}" if ns else p.name) if p.name else f"route:{route}"
            yield Pattern(key=key, route=route, pattern=p)


def all_patterns() -> dict[str, Pattern]:
    """Every URL pattern the project serves, from the URL configuration (first one wins)."""
    found: dict[str, Pattern] = {}
    for p in _walk(get_resolver(), "", None):
        found.setdefault(p.key, p)
    return found


@dataclass
class Row:
    """One line of the table: a URL, the object that fills it, a method and 11 expectations."""

    name: str
    obj: str | None
    method: str
    cells: tuple[str, ...]
    data: Callable[[Any, Any], Any] | None = None  # (org, obj) -> body
    json: bool = False  # send the body as JSON (API)
    htmx: bool = False  # send HX-Request: true
    query: str = ""
    note: str = ""
    writes: bool = False  # a GET that legitimately writes (say why in the note)
    xfail: str = ""  # a known finding: the row is expected to fail until it is fixed

    def expected(self, persona: str) -> str:
        return self.cells[PERSONAS.index(persona)]


def T(
    name: str,
    obj: str | None,
    method: str,
    cells: str,
    *,
    data: Callable[[Any, Any], Any] | None = None,
    json: bool = False,
    htmx: bool = False,
    query: str = "",
    note: str = "",
    writes: bool = False,
    xfail: str = "",
) -> Row:
    parts = tuple(cells.split())
    if len(parts) != len(PERSONAS):
        raise ValueError(f"{name} {method}: {len(parts)} cells, expected {len(PERSONAS)}")
    return Row(name, obj, method.upper(), parts, data, json, htmx, query, note, writes, xfail)


# --- snapshots --------------------------------------------------------------------------------
SNAPSHOT_APPS = ("kinerja", "skp", "dialog", "evaluasi", "authtoken", "guardian", "auth")
SNAPSHOT_SKIP = {"kinerja.user": ("last_login",)}  # force_login writes it before the request


_SNAPSHOT_SQL: str | None = None


def _snapshot_sql() -> str:
    """One query: per project table, its row count and an md5 of all its rows (history
    tables included), so a snapshot costs one round trip."""
    from django.db import connection

    qn = connection.ops.quote_name
    parts = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in SNAPSHOT_APPS or model._meta.proxy:
            continue
        label = model._meta.label_lower
        skip = SNAPSHOT_SKIP.get(label, ())
        cols = [qn(f.column) for f in model._meta.concrete_fields if f.attname not in skip]
        row = f"ROW({', '.join(cols)})::text"
        parts.append(
            f"SELECT '{label}' AS t, count(*) AS n, "
            f"md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) AS h "
            f"FROM {qn(model._meta.db_table)}"
        )
    return " UNION ALL ".join(parts)


def snapshot() -> dict[str, tuple]:
    """Every row of the project's tables (history included), as (count, md5) per table."""
    global _SNAPSHOT_SQL
    from django.db import connection

    if _SNAPSHOT_SQL is None:
        _SNAPSHOT_SQL = _snapshot_sql()
    with connection.cursor() as cur:
        cur.execute(_SNAPSHOT_SQL)
        return {t: (n, h) for t, n, h in cur.fetchall()}


def snapshot_diff(before: dict, after: dict) -> list[str]:
    diffs = []
    for label in sorted(set(before) | set(after)):
        b, a = before.get(label), after.get(label)
        if b != a:
            diffs.append(f"{label}: {b[0] if b else 0} -> {a[0] if a else 0} rows, content changed")
    return diffs


# --- playing a row -------------------------------------------------------------------------
LOGIN_PATH = "/masuk/"
ADMIN_LOGIN_PATH = "/admin/login/"


def classify(response: Any) -> str:
    """The code of a response, in the table's vocabulary."""
    status = response.status_code
    if status in (301, 302, 303):
        loc = response.get("Location", "")
        if loc.startswith(ADMIN_LOGIN_PATH):
            return "AL"
        if loc.startswith(LOGIN_PATH):
            return "L"
        return "302"
    return str(status)


@dataclass
class Outcome:
    persona: str
    method: str
    expected: str
    got: str
    detail: str = ""


@dataclass
class Played:
    mismatches: list[Outcome] = field(default_factory=list)
    html_pages: list[tuple[str, str, str]] = field(default_factory=list)  # (row, persona, html)


def persona_user(org: Any, persona: str) -> Any:
    return None if persona == "anon" else org.user(persona)


def build_kwargs(pattern: Pattern, obj: Any) -> dict[str, Any]:
    regex = pattern.pattern.pattern.regex
    if regex.groups > len(regex.groupindex):
        # Positional groups (simple_history's admin "history/<id>/<history_id>/"): the object
        # and its latest history row.
        if isinstance(obj, dict):
            return {"__args__": obj["__args__"]}
        return {"__args__": [obj.pk, obj.history.order_by("-history_id").first().history_id]}
    names = pattern.kwarg_names
    if not names:
        return {}
    if isinstance(obj, dict):
        return {k: obj[k] for k in names}
    if obj is None:
        raise AssertionError(f"{pattern.key} needs {names} but its row names no object")
    kw = {}
    for n in names:
        if n in ("pk", "object_id", "id"):
            kw[n] = obj.pk
        else:
            kw[n] = getattr(obj, n)
    return kw


def fill_route(pattern: Pattern, kwargs: dict[str, Any]) -> str:
    """The path of a pattern with its kwargs filled in (unnamed patterns included)."""
    if not pattern.key.startswith("route:"):
        from django.urls import reverse

        if "__args__" in kwargs:
            return reverse(pattern.key, args=kwargs["__args__"])
        return reverse(pattern.key, kwargs=kwargs)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), pattern.route)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: str(kwargs[m.group(2)]), path)
    return "/" + path.replace("^", "").replace("$", "")


_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|TRUNCATE)\b", re.I)
_IGNORED_TABLES = ("django_session", "axes_")


class _WriteSpy:
    """Notes every data-changing statement a request sends (sessions and axes aside)."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if _WRITE.match(sql) and not any(t in sql for t in _IGNORED_TABLES):
            self.writes.append(sql[:120])
        return execute(sql, params, many, context)


class _Rollback(Exception):
    pass


def play(org: Any, pattern: Pattern, rows: Iterable[Row], obj: Any, kwargs: dict) -> Played:
    """Request the URL as every persona with every method of the rows; compare with the table.

    Each request runs inside a savepoint that is rolled back, so a write that succeeds for one
    persona does not change what the next persona finds. A refused request (and every GET) is
    watched for data-changing SQL; when it sent any, every project table is compared before
    and after (taken after the request, then again once the savepoint is rolled back).
    """
    from django.db import connection

    played = Played()
    path = fill_route(pattern, kwargs)
    clients: dict[str, Client] = {}
    for persona in PERSONAS:
        client = clients[persona] = Client()
        user = persona_user(org, persona)
        if user is not None:
            client.force_login(user)
    for row in rows:
        query = row.query.replace("__unit__", str(org.unit_bidang.pk)).replace(
            "__periode__", str(org.periode_a.pk)
        )
        url = path + (f"?{query}" if query else "")
        for persona in PERSONAS:
            expected = row.expected(persona)
            if expected == "-":
                continue
            # Per-address rate limits (verification page) count in the cache: start clean.
            cache.clear()
            client = clients[persona]
            headers = {"HX-Request": "true"} if row.htmx else {}
            body = row.data(org, obj) if row.data else None
            # A refused write changes nothing; a GET never writes (CSRF-safe by design).
            check = expected in REFUSED or (row.method == "GET" and not row.writes)
            spy = _WriteSpy()
            after = None
            try:
                with transaction.atomic(), connection.execute_wrapper(spy):
                    send = getattr(client, row.method.lower())
                    if row.json and body is not None:
                        response = send(
                            url,
                            data=json.dumps(body),
                            content_type="application/json",
                            headers=headers,
                        )
                    elif body is not None:
                        response = send(url, data=body, headers=headers)
                    else:
                        response = send(url, headers=headers)
                    if check and spy.writes:
                        after = snapshot()
                    raise _Rollback
            except _Rollback:
                pass
            got = classify(response)
            if expected == "R" and got == "302":
                got = "R"
            detail = ""
            if after is not None:
                changed = snapshot_diff(snapshot(), after)
                if changed:
                    got = f"{got}+WRITE"
                    detail = "; ".join(changed)
            if got != expected:
                if got in ("302", "L", "AL"):
                    detail = detail or f"-> {response.get('Location')}"
                played.mismatches.append(Outcome(persona, row.method, expected, got, detail))
            ctype = response.get("Content-Type", "")
            if (
                response.status_code == 200
                and ctype.startswith("text/html")
                and row.method == "GET"
            ):
                played.html_pages.append((row.name, persona, response.content.decode()))
    return played


def format_mismatches(name: str, url: str, mismatches: list[Outcome]) -> str:
    lines = [f"Access matrix mismatch for {name} ({url}):"]
    for m in mismatches:
        extra = f"  [{m.detail}]" if m.detail else ""
        lines.append(f"  {m.method:6} {m.persona:11} expected {m.expected:5} got {m.got}{extra}")
    return "\n".join(lines)


# --- inline script/style scan (CSP) ---------------------------------------------------------
_INLINE = [
    (
        "inline <script>",
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    ),
    ("<style> block", re.compile(r"<style[\s>]", re.I)),
    ("style= attribute", re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)),
    ("on*= handler", re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)),
    ("hx-on", re.compile(r"\shx-on", re.I)),
    ("javascript: URL", re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)),
]


def inline_offences(html: str) -> list[str]:
    found = []
    for label, rx in _INLINE:
        m = rx.search(html)
        if m:
            found.append(f"{label}: {html[max(0, m.start() - 20) : m.end() + 40]!r}")
    return found
