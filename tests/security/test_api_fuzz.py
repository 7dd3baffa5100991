"""Schemathesis against /api/v1/schema/, in-process over WSGI, with real tokens.

Every operation of the schema gets generated requests (valid and invalid data, random ids and
ids of objects the caller really sees) as an admin BKD (org.admin_a) and as a pegawai. Checks
(issue 18): never a 5xx (`not_a_server_error`), every response whose status the schema
documents matches the documented body (`response_schema_conformance`), and no status the
schema does not document (`status_code_conformance`). The admin's token stands in for the
integration token until those exist.

Bounded and reproducible: derandomized Hypothesis, no shrinking, no example database, and a
fixed number of examples per operation sized so the whole run makes at least MIN_CASES
requests (asserted by the last test of the module). One test per API resource, so a finding in
one resource is visible without hiding the others.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import pytest
import schemathesis
from django.db import DatabaseError, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

MIN_CASES = 2000
PERSONAS = ("admin_a", "pegawai")
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# Operations not fuzzed, with the reason.
SKIP = {
    ("POST", "/api/v1/auth/token/"): "throttled login; tested in test_login.py (fuzzing it "
    "would only lock the personas out)",
}
# Resources with a known finding: strict xfail, so the fix turns them green loudly.
KNOWN: dict[str, str] = {}


def _wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _load():
    app = _wsgi_app()
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app)
    ops = [r.ok() for r in schema.get_all_operations()]
    return app, [op for op in ops if (op.method.upper(), op.path) not in SKIP]


def _resource(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0] or "root"


try:
    _APP, _OPERATIONS = _load()
    _LOAD_ERROR = ""
except Exception as e:  # noqa: BLE001  reported by test_schema_loads
    _APP, _OPERATIONS, _LOAD_ERROR = None, [], f"{type(e).__name__}: {e}"

BY_RESOURCE: dict[str, list] = defaultdict(list)
for _op in _OPERATIONS:
    BY_RESOURCE[_resource(_op.path)].append(_op)
PER_OP = max(10, math.ceil(MIN_CASES * 1.1 / max(1, len(_OPERATIONS) * len(PERSONAS))))
MADE: Counter = Counter()
RAN: set[str] = set()


def test_schema_loads():
    assert not _LOAD_ERROR, f"/api/v1/schema/ could not be loaded: {_LOAD_ERROR}"
    assert _OPERATIONS, "the schema lists no operations"


def _detach() -> None:
    """Let the raw WSGI app share the test's transaction, as django.test.Client does: the
    handler's close_old_connections would otherwise close the connection mid-test."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)


def _attach() -> None:
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token(user) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def _real_ids(token: str) -> dict[str, list[int]]:
    """For each list endpoint: ids of up to five objects this user really sees."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    found: dict[str, list[int]] = {}
    for op in _OPERATIONS:
        if op.method.upper() != "GET" or "{" in op.path:
            continue
        r = client.get(op.path)
        if r.status_code != 200 or not r.get("Content-Type", "").startswith("application/json"):
            continue
        body = r.json()
        items = body.get("results", body) if isinstance(body, dict) else body
        if isinstance(items, list):
            found[op.path.rstrip("/")] = [
                x["id"] for x in items[:5] if isinstance(x, dict) and isinstance(x.get("id"), int)
            ]
    return found


def _fuzz(op, persona: str, auth: dict, strategies: list) -> list[str]:
    """Run one operation's generated cases; return up to two failure descriptions."""
    seen: list[str] = []

    @settings(
        max_examples=PER_OP,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case):
        MADE[persona] += 1
        # Each request in its own savepoint: a database error the server swallowed (a 500
        # in production, where each statement is its own transaction) would otherwise poison
        # the test's transaction and hide which request did it behind an InternalError.
        try:
            with transaction.atomic():
                response = case.call(headers=auth)
        except DatabaseError as e:
            if len(seen) < 2:
                seen.append(
                    f"{persona} {op.method.upper()} {op.path}: the request left a database "
                    f"error behind: {type(e).__name__}: {str(e)[:300]}\n"
                    f"    reproduce: {case.as_curl_command()}"
                )
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001  reported together
            if len(seen) < 2:
                seen.append(
                    f"{persona} {op.method.upper()} {op.path}: {type(e).__name__}: "
                    f"{str(e)[:700]}\n    reproduce: {case.as_curl_command()}"
                )

    try:
        run()
    except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001  re-raised by Hypothesis
        if not seen:
            seen.append(f"{persona} {op.method.upper()} {op.path}: {str(e)[:800]}")
    return seen


def _params():
    for name in sorted(BY_RESOURCE):
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[name])] if name in KNOWN else []
        yield pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("resource", list(_params()))
def test_api_resource_survives_generated_requests(resource, matrix_org, db):
    from tests.security.objects import build_stage_objects

    org = matrix_org
    RAN.add(resource)
    build_stage_objects(org)
    failures: list[str] = []
    tokens = {p: _token(org.user(p)) for p in PERSONAS}
    try:
        for persona, token in tokens.items():
            auth = {"Authorization": f"Token {token}"}
            real = _real_ids(token)
            _detach()  # after django.test.Client, which reconnects the handlers
            for op in BY_RESOURCE[resource]:
                strategies = [
                    op.as_strategy(GenerationMode.POSITIVE, headers=auth),
                    op.as_strategy(GenerationMode.NEGATIVE, headers=auth),
                ]
                names = re.findall(r"\{([^}]+)\}", op.path)
                ids = real.get(re.sub(r"/\{[^}]+\}.*$", "", op.path), [])
                if names and ids:
                    # Detail operations also get the ids of objects this user really sees.
                    strategies.append(
                        st.sampled_from(ids).flatmap(
                            lambda i, op=op, names=names, auth=auth: op.as_strategy(
                                GenerationMode.POSITIVE,
                                headers=auth,
                                path_parameters={names[0]: i},
                            )
                        )
                    )
                failures.extend(_fuzz(op, persona, auth, strategies))
    finally:
        _attach()
    assert not failures, f"{len(failures)} failing operations:\n" + "\n".join(failures)


def test_enough_cases_were_generated():
    """Runs last in this module: the resources above made at least MIN_CASES requests."""
    if set(BY_RESOURCE) != RAN:
        pytest.skip("counts only when every resource test ran in this session")
    total = sum(MADE.values())
    print(f"schemathesis: {len(_OPERATIONS)} operations x {PER_OP} examples -> {dict(MADE)}")
    assert total >= MIN_CASES, f"only {total} generated cases ({dict(MADE)})"
