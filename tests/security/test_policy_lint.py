"""Every access decision is in kinerja/policy/: nothing else tests a role directly.

Issue 15: the holes came from decisions made beside the policy (a second access model in the
performance tree, rules in views and services). This lint reads every production module of the
four apps (views, API, services, selectors, tasks, template tags, and everything else outside
kinerja/policy/ and migrations) and fails on:

- an attribute that is a role or a flag: `.is_superuser`, `.superuser`, `.is_staff`,
  `.admin_instansi`, `.admin_instansi_id`, or a relation helper of the policy's Actor
  (`.is_admin_of(`, `.is_penilai_of(`, `.leads(`, `.dinilai_ids(`, ...);
- a keyword argument or a string naming one (`filter(admin_instansi=...)`,
  `getattr(user, "admin_instansi_id")`, `"pegawai__user__is_superuser"`).

Ask the policy instead: `policy.can(user, action, obj)`, `policy.may(user, capability)`,
`policy.scope(...)`, `policy.instansi_of(user)`, `policy.pegawai_terkait(user, ...)`.

The allow-list is short; each entry says why the module must name the flag.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("kinerja", "skp", "dialog", "evaluasi")

ROLE_ATTRS = {
    "is_superuser",
    "superuser",
    "is_staff",
    "admin_instansi",
    "admin_instansi_id",
    # The Actor's relation helpers: a question about roles, for the policy to ask.
    "is_admin_of",
    "is_penilai_of",
    "is_atasan_penilai_of",
    "is_ketua_tim_of",
    "leads",
    "dinilai_ids",
    "atasan_dari_ids",
    "anggota_tim_ids",
    "_ids",
}
ROLE_WORD = re.compile(r"(?<![a-z])(is_superuser|is_staff|admin_instansi)")

# (module, what it names) -> why it has to.
ALLOWED: dict[tuple[str, str], str] = {
    ("kinerja/models.py", "admin_instansi"): "the User model declares the field and its "
    "invariant (an account belongs to one instansi): data, not an access decision",
    ("kinerja/models.py", "admin_instansi_id"): "same invariant, on the Pegawai side",
    ("kinerja/admin.py", "admin_instansi"): "the Django admin shows and edits the field "
    "(list_display, fieldsets): a field name, no decision reads it",
    ("kinerja/admin.py", "is_staff"): "the Django admin's list filter on the flag "
    "(a field name; the superuser's filters)",
    ("kinerja/demo.py", "admin_instansi"): "creates the demo admin accounts: writes the "
    "flag, decides nothing",
    ("kinerja/demo.py", "is_staff"): "same: the demo admin accounts reach the Django admin",
    ("kinerja/akses/services.py", "admin_instansi"): "creates an integration token's system "
    "account, admin of its instansi: writes the flag, decides nothing",
}


def production_modules() -> list[Path]:
    out = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel.startswith("kinerja/policy/"):
                continue
            out.append(path)
    return out


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def violations(source: str, rel: str) -> list[str]:
    """Role tests in one module's source: 'line: what' for each, minus the allow-list."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ROLE_ATTRS:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.keyword) and node.arg and ROLE_WORD.search(node.arg):
            found.append((node.value.lineno, ROLE_WORD.search(node.arg).group(1)))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docs
            and ROLE_WORD.search(node.value)
        ):
            found.append((node.lineno, ROLE_WORD.search(node.value).group(1)))
    return [f"{rel}:{line}: {what}" for line, what in found if (rel, what) not in ALLOWED]


def test_no_module_outside_the_policy_tests_a_role():
    bad = []
    for path in production_modules():
        rel = path.relative_to(ROOT).as_posix()
        bad += violations(path.read_text(), rel)
    assert not bad, (
        "Access decisions outside kinerja/policy/ (ask policy.can/may/scope/instansi_of "
        "instead, or add a reasoned ALLOWED entry):\n" + "\n".join(bad)
    )


def test_every_allowed_entry_is_still_needed():
    used = set()
    for path in production_modules():
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Attribute):
                names.append(node.attr)
            elif isinstance(node, ast.keyword) and node.arg:
                names += ROLE_WORD.findall(node.arg)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names += ROLE_WORD.findall(node.value)
            used |= {(rel, n) for n in names}
    stale = sorted(k for k in ALLOWED if k not in used)
    assert not stale, f"Allow-list entries no longer needed (remove them): {stale}"


@pytest.mark.parametrize(
    "source",
    [
        "if request.user.is_superuser:\n    pass\n",
        "a = actor(u)\nok = a.superuser or a.admin_instansi_id\n",
        "ok = policy.actor(u).leads(pid)\n",
        "ids = a.dinilai_ids() | a.anggota_tim_ids()\n",
        "qs = User.objects.filter(admin_instansi=inst)\n",
        "iid = getattr(user, 'admin_instansi_id', None)\n",
        "qs = X.objects.filter(**{'pegawai__user__is_staff': True})\n",
    ],
)
def test_the_lint_catches_role_tests(source):
    assert violations(source, "evaluasi/views.py")


@pytest.mark.parametrize(
    "source",
    [
        '"""Only the superuser or admin_instansi may; see the policy."""\n',
        "ok = policy.can(user, 'nilai', pegawai)\n",
        "ok = policy.may(user, 'kelola_instansi')\n",
        "me = policy.actor(user).pegawai_id\n",
    ],
)
def test_the_lint_lets_policy_questions_and_docstrings_through(source):
    assert not violations(source, "evaluasi/views.py")
