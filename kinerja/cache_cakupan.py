"""Which page-cache versions a committed write ends (kinerja.cache_halaman), read from its SQL.

Every INSERT/UPDATE/DELETE passes the database execute wrapper; this module names the versions
the statement makes stale, from the statement alone (no model signals, so bulk writes, raw SQL,
Celery tasks and the admin are covered the same way):

- None: plumbing that no cached page shows: the session row, login attempts (axes), a user's
  last_login, an integration token's last-use time, job rows (heartbeats, progress, status: a
  cached page never shows a job; the SKP page with `?job=` is not stored), notification rows
  (the menu's unread count is a per-user version bumped by kinerja.notifikasi's `_lupakan_nav`
  when a notification is created or read).
- the instansi's version `i:<id>`: a write to the tables of the SKP, evaluation and dialog stages
  (and periods, documents) whose rows name, through an immutable foreign key, the period they
  belong to: `periode_id`, `skp_id`, `evaluasi_id`, `rencana_id` in the columns an INSERT
  writes, or for an UPDATE/DELETE in a WHERE that reaches them through ANDs only (or the row's
  own id, read through its table's scope column), plus an UPDATE's new values. The instansi
  is the period's (resolved once per process and id: a row never moves to another period).
- narrower than the instansi, for the rows that aggregate pages (team, distribution) never show
  and that the January mix writes all day:
  - an SKP's version `s:<id>`: its rencana hasil kerja, indikator and ekspektasi perilaku rows
    (and their history rows), and an UPDATE of the SKP row that sets only its change stamps
    (`diubah`, `diperbarui`). The SKP page reads the versions of its own SKP and of every SKP
    whose rows it shows (the leader's rows its rows intervene in); aggregate pages read none;
  - a pegawai's version `p:<id>`: the feedback they received (the team page shows a count per
    member and reads the version of every member). Only an INSERT naming the recipient, or a
    write whose WHERE names it and the period through ANDs (not moving it to another).
  A narrow write whose rows cannot all be traced to their SKP (or recipient) ends the instansi's
  version as before, and an evaluation or anything else still ends the instansi's.
- an SKP's status (an UPDATE of SKP rows named by id that leaves each with its pegawai and
  period: ajukan, setujui, kembalikan, a version's `terkini`): the instansi's version (the team,
  distribution, completeness pages show statuses) and that SKP's `s:<id>`, not the SKP pages'
  version of the instansi `t:<id>` (`tahap_key`), which every other stage write bumps with
  `i:<id>`. An SKP page reads `t:` instead of `i:`, and the `s:` of every SKP whose row it
  shows (its own, its versions, its leaders'): an approval no longer ends the SKP pages of the
  instansi's other pegawai (issue 19; bench/temuan.md "skp"). Rows no SKP page shows
  (BUKAN_HALAMAN_SKP: the PDF's approvals, SKP history) end only `i:`.
  tests/kinerja/test_cache_versi_skp.py checks every table each cached page reads against the
  versions it reads, and every row whose change shows on a page against the versions it ends.
- the global version: everything else (organisation and reference data: pegawai, positions,
  units, users, roles; any statement that cannot be read this way). It ends every cached page.

`dalam_instansi(id)` names the instansi for writes inside a block that would otherwise be global
(a service that deletes rows of one SKP by id); only for blocks that write nothing else.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import DatabaseError

GLOBAL = "kinerja:data:versi"  # reference and organisation data; every cached page reads it
SEMUA = "kinerja:data:versi:semua"  # bumped by every write: pages whose instansi is not known


def instansi_key(instansi_id: Any) -> str:
    return f"kinerja:data:versi:i:{int(instansi_id)}"


def tahap_key(instansi_id: Any) -> str:
    """The instansi's stage data as the SKP pages see it: every write `instansi_key` follows but
    an SKP's own row (its status: module doc) and rows no SKP page shows (BUKAN_HALAMAN_SKP)."""
    return f"kinerja:data:versi:t:{int(instansi_id)}"


def skp_key(skp_id: Any) -> str:
    return f"kinerja:data:versi:s:{int(skp_id)}"


def pegawai_key(pegawai_id: Any) -> str:
    return f"kinerja:data:versi:p:{int(pegawai_id)}"


PENGGUNA = "kinerja:data:versi:u:"


def pengguna_key(user_id: Any) -> str:
    return f"{PENGGUNA}{int(user_id)}"


_ABAI_TABEL = ('"django_session"', '"axes_', '"kinerja_job"', '"kinerja_notifikasi"')
_ABAI_SET = (
    ('"kinerja_tokenintegrasi"', {"terakhir_dipakai"}),
    ('"kinerja_user"', {"last_login"}),
)
# Tables whose rows belong to one period (through the columns below); other tables are global.
_APPS = ("skp_", "evaluasi_", "dialog_")
_TABEL_LAIN = ('"kinerja_periode"', '"kinerja_historicalperiode"', '"kinerja_dokumen"')
# Column -> what its value names. `instansi_id` counts only on the tables above, where it
# never changes (pegawai, users, units move between instansi: they stay global).
_KOLOM = {
    "periode_id": "kinerja_periode",
    "skp_id": "skp_skp",
    "evaluasi_id": "evaluasi_evaluasi",
    "rencana_id": "skp_rencanahasilkerja",
    "instansi_id": "instansi",
}
# Rows only the pages of their own SKP show (and the pages of SKPs whose rows intervene in them).
BAGIAN_SKP = frozenset(
    {
        "skp_rencanahasilkerja",
        "skp_indikator",
        "skp_ekspektasiperilaku",
        "skp_historicalrencanahasilkerja",
        "skp_historicalindikator",
        "skp_historicalekspektasiperilaku",
    }
)
# SKP columns only its own page may show: a write of these alone ends the SKP's version.
SKP_CAP = frozenset({"diubah", "diperbarui"})
# SKP columns that place it on another SKP's page (its owner's version list for the period):
# an UPDATE that changes them is no status change (module doc).
SKP_TEMPAT = frozenset({"pegawai_id", "periode_id"})
# Stage rows no SKP page shows (the PDF's approvals, an SKP's history rows): their writes end
# the instansi's version (aggregate pages) and not the SKP pages' (`tahap_key`).
BUKAN_HALAMAN_SKP = frozenset({"kinerja_persetujuanelektronik", "skp_historicalskp"})
# Rows aggregate pages show only per pegawai: the table -> the column naming that pegawai.
BAGIAN_PEGAWAI = {"dialog_umpanbalik": "penerima_id", "dialog_historicalumpanbalik": "penerima_id"}
_RE_TABEL = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"([^"]+)"', re.I)
# A data-modifying part of a WITH statement (a locking read's "FOR UPDATE OF" names no quoted table).
_RE_DML = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"([^"]+)"', re.I)
_RE_SISIP = re.compile(r'^\s*INSERT INTO\s+"[^"]+"\s*\(([^)]*)\)\s*VALUES\s*\(', re.I)
_RE_SET = re.compile(r'(?:SET|,)\s+"(\w+)"\s*=\s*', re.I)
_RE_SYARAT = re.compile(r'"(\w+)"\s*(=|IN)\s*(\(?\s*%s(?:\s*,\s*%s)*\s*\)?)', re.I)
_PH = re.compile(r"(?<!%)%s")

_peta: dict[str, dict[int, Any]] = {}  # table -> row id -> (scope column's table, value)
_kolom_tabel: dict[str, str | None] = {}  # scoped table -> the column its rows are scoped by
_dalam: contextvars.ContextVar[tuple[str, int] | None] = contextvars.ContextVar(
    "kinerja_cakupan", default=None
)


@contextlib.contextmanager
def dalam_instansi(instansi_id: int) -> Iterator[None]:
    token = _dalam.set(("instansi", int(instansi_id)))
    try:
        yield
    finally:
        _dalam.reset(token)


@contextlib.contextmanager
def dalam_periode(periode_id: int) -> Iterator[None]:
    """dalam_instansi for the period's instansi, resolved only if a write needs it (once per
    process and period): no query when the page cache is off or nothing is written."""
    token = _dalam.set(("kinerja_periode", int(periode_id)))
    try:
        yield
    finally:
        _dalam.reset(token)


def cakupan(sql: str, params: Any, many: bool, connection: Any) -> set[str] | None:
    """The version keys this executed write makes stale; None: none (plumbing)."""
    m = _RE_TABEL.match(sql)
    if m is None:
        return {GLOBAL}
    verb, tabel = m.group(1).split()[0].upper(), m.group(2)
    q = f'"{tabel}"'
    if q.startswith(_ABAI_TABEL):
        return None
    where = _where(sql)
    if verb == "UPDATE":
        for name, cols in _ABAI_SET:
            written = _set_kolom(sql, where)
            if q == name and written and written <= cols:
                return None
    if not (tabel.startswith(_APPS) or q in _TABEL_LAIN):
        return _dalam_atau_global(connection, tabel)
    param_sets = params if many else [params]
    found: dict[str, set[int]] = {}
    try:
        for ps in param_sets:
            ps = list(ps or ())
            if verb == "INSERT":
                if not _dari_sisip(sql, ps, found):
                    return _dalam_atau_global(connection)
                continue
            # The rows touched are named by the WHERE (an UPDATE's SET only says where they go:
            # Model.save() writes the same period/SKP back, a move adds the new one).
            if not _dari_where(sql, where, tabel, ps, found):
                return _dalam_atau_global(connection)
            if verb == "UPDATE":
                _dari_set(sql, where, ps, found)
        sempit = _sempit(verb, tabel, sql, where, param_sets, found, connection)
        if sempit:
            return sempit
        status = _status_skp(verb, tabel, sql, where, param_sets, found, connection)
        ids = _instansi(found, connection)
    except (_TakTerbaca, DatabaseError):  # e.g. the transaction already failed: the statement
        return _dalam_atau_global(connection, tabel)  # will fail too; nothing was read wrongly
    if status is not None:
        return status | {instansi_key(i) for i in ids}
    return _instansi_kunci(ids, tabel)


def _instansi_kunci(ids: set[int], tabel: str | None) -> set[str]:
    """A stage write's versions: the instansi's, and the SKP pages' unless no SKP page shows
    the table's rows."""
    keys = {instansi_key(i) for i in ids}
    if tabel not in BUKAN_HALAMAN_SKP:
        keys |= {tahap_key(i) for i in ids}
    return keys


def cakupan_with(sql: str, connection: Any) -> set[str] | None:
    """A WITH statement run outside `cache_halaman.tulis_bersama`: what its data-modifying parts
    end, read no further than their tables. None when it writes nothing or only plumbing; else
    the enclosing instansi's versions or everything (a write nobody scoped is never served
    stale)."""
    tabel = {f'"{t}"' for t in _RE_DML.findall(sql)}
    if not tabel or all(t.startswith(_ABAI_TABEL) for t in tabel):
        return None
    return _dalam_atau_global(connection)


class _TakTerbaca(Exception):
    pass


def _dalam_atau_global(connection: Any, tabel: str | None = None) -> set[str]:
    inside = _dalam.get()
    if inside is None:
        return {GLOBAL}
    try:
        return _instansi_kunci(_instansi({inside[0]: {inside[1]}}, connection), tabel)
    except (_TakTerbaca, DatabaseError):
        return {GLOBAL}


def _sempit(
    verb: str, tabel: str, sql: str, where: int, param_sets: Any, found: dict, connection: Any
) -> set[str] | None:
    """The SKP's or the recipient's version when the statement writes only rows no aggregate
    page shows (module doc); None: the instansi's, as for any stage write."""
    if tabel in BAGIAN_SKP or (tabel == "skp_skp" and verb == "UPDATE" and _hanya_cap(sql, where)):
        try:
            ids = _ke({k: set(v) for k, v in found.items()}, connection, "skp_skp")
        except _TakTerbaca:
            return None
        return {skp_key(i) for i in ids} or None
    col = BAGIAN_PEGAWAI.get(tabel)
    if col is None:
        return None
    ids = set()
    for ps in param_sets:
        got = _pemilik(verb, sql, where, tabel, col, list(ps or ()))
        if not got:
            return None
        ids |= got
    return {pegawai_key(i) for i in ids}


def _status_skp(
    verb: str, tabel: str, sql: str, where: int, param_sets: Any, found: dict, connection: Any
) -> set[str] | None:
    """An UPDATE of SKP rows named by id (through ANDs) that leaves each with its pegawai and
    period: those SKPs' versions (with the instansi's, by the caller), not the SKP pages' of
    the instansi. Such a change shows only on the pages that read these SKPs' versions: each
    SKP's own, its versions' (their list), the pages of the SKPs whose rows intervene in its
    rows, and the aggregate pages (the instansi's). None: not such an UPDATE."""
    ids = found.get("skp_skp")
    if tabel != "skp_skp" or verb != "UPDATE" or not ids:
        return None
    cols = _set_semua(sql, where)
    if not cols:
        return None
    tempat = cols & SKP_TEMPAT
    if tempat and not _tetap(sql, where, param_sets, ids, tempat, connection):
        return None
    return {skp_key(i) for i in ids}


def _tetap(
    sql: str, where: int, param_sets: Any, ids: set[int], cols: set[str], connection: Any
) -> bool:
    """The UPDATE writes back the value each of `cols` has in all its rows (Model.save() writes
    every column): read before it runs, in its transaction."""
    ditulis: dict[str, set[Any]] = {c: set() for c in cols}
    for m in _RE_SET.finditer(sql, 0, where):
        if m.group(1) not in cols:
            continue
        if not sql.startswith("%s", m.end()):
            return False
        n = len(_PH.findall(sql, 0, m.end()))
        for ps in param_sets:
            ditulis[m.group(1)].add(list(ps or ())[n])
    order = sorted(cols)
    select = ", ".join(f'"{c}"' for c in order)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cur:
        cur.execute(f'SELECT {select} FROM "skp_skp" WHERE "id" IN ({marks})', sorted(ids))
        rows = cur.fetchall()
    if len(rows) != len(ids):
        return False
    for n, col in enumerate(order):
        ada = {row[n] for row in rows}
        if len(ada) != 1 or ditulis[col] != ada:
            return False
    return True


def _set_semua(sql: str, where: int) -> set[str] | None:
    """Every column an UPDATE's SET writes; None when one item is not `"col" = …`."""
    m = re.match(r'\s*UPDATE\s+"[^"]+"\s+SET\s', sql, re.I)
    if m is None or "'" in sql[m.end() : where]:
        return None  # not an UPDATE's SET, or a literal in it: not read
    items, depth, start = [], 0, m.end()
    for j in range(m.end(), where):
        if sql[j] == "(":
            depth += 1
        elif sql[j] == ")":
            depth -= 1
        elif sql[j] == "," and depth == 0:
            items.append(sql[start:j])
            start = j + 1
    if depth:
        return None  # the WHERE found is a subquery's: the SET goes on after it
    items.append(sql[start:where])
    cols = set()
    for item in items:
        mc = re.match(r'\s*"(\w+)"\s*=', item)
        if mc is None:
            return None
        cols.add(mc.group(1))
    return cols


def _hanya_cap(sql: str, where: int) -> bool:
    cols = _set_semua(sql, where)
    return bool(cols) and cols <= SKP_CAP


def _pemilik(verb: str, sql: str, where: int, tabel: str, col: str, ps: list) -> set[int]:
    """The pegawai the row(s) of one parameter set belong to (empty: cannot say)."""
    try:
        if verb == "INSERT":
            found: dict[str, set[int]] = {}
            if not _dari_sisip(sql, ps, found, {col: "pemilik"}):
                return set()
            return found.get("pemilik", set())
        if verb == "UPDATE" and col in (_set_semua(sql, where) or {col}):
            return set()  # moved to another pegawai (or a SET not read)
        got: set[int] = set()
        for m in _RE_SYARAT.finditer(sql, where):
            if m.group(1) != col or not sql.endswith(f'"{tabel}".', 0, m.start()):
                continue
            if not _konjungsi(sql, where, m.start()):
                continue
            first = len(_PH.findall(sql, 0, m.start(3)))
            values = ps[first : first + len(_PH.findall(m.group(3)))]
            got |= {int(v) for v in values if v is not None}
        return got
    except (TypeError, ValueError, IndexError, _TakTerbaca):
        return set()


def _where(sql: str) -> int:
    i = sql.upper().find(" WHERE ")
    return i if i >= 0 else len(sql)


def _set_kolom(sql: str, where: int) -> set[str]:
    return {m.group(1) for m in _RE_SET.finditer(sql, 0, where)}


def _tambah(found: dict[str, set[int]], jenis: str, value: Any) -> bool:
    if value is None:
        return False
    try:
        found.setdefault(jenis, set()).add(int(value))
    except (TypeError, ValueError):
        raise _TakTerbaca from None
    return True


def _tupel(sql: str, i: int) -> list[str] | None:
    """The top-level items of the parenthesised list starting at sql[i] == "("."""
    depth, items, start = 0, [], i + 1
    for j in range(i, len(sql)):
        ch = sql[j]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                items.append(sql[start:j].strip())
                return items
        elif ch == "," and depth == 1:
            items.append(sql[start:j].strip())
            start = j + 1
        elif ch in "'\"":
            return None  # a literal: not read
    return None


def _dari_sisip(
    sql: str, ps: Sequence, found: dict[str, set[int]], kolom: dict[str, str] | None = None
) -> bool:
    kolom = _KOLOM if kolom is None else kolom
    m = _RE_SISIP.match(sql)
    if m is None:
        return False
    cols = [c.strip().strip('"') for c in m.group(1).split(",")]
    values = _tupel(sql, m.end() - 1)
    if not values or len(values) != len(cols) or _PH.findall(sql, 0, m.end()):
        return False
    # Each value is "%s" (one parameter) or an expression with its own parameters.
    per_row = [len(_PH.findall(v)) for v in values]
    width = sum(per_row)
    if not width or len(ps) % width:
        return False
    idx = []
    offset = 0
    for col, value, n in zip(cols, values, per_row, strict=True):
        if col in kolom:
            if value != "%s":
                return False
            idx.append((offset, kolom[col]))
        offset += n
    got_all = bool(idx)
    for start in range(0, len(ps), width):
        row = ps[start : start + width]
        got = False
        for i, jenis in idx:
            got = _tambah(found, jenis, row[i]) or got
        got_all = got_all and got
    return got_all


def _dari_set(sql: str, where: int, ps: Sequence, found: dict[str, set[int]]) -> bool:
    got = False
    for m in _RE_SET.finditer(sql, 0, where):
        col = m.group(1)
        if col in _KOLOM and sql.startswith("%s", m.end()):
            got = _tambah(found, _KOLOM[col], ps[len(_PH.findall(sql, 0, m.end()))]) or got
    return got


def _konjungsi(sql: str, where: int, pos: int) -> bool:
    """The condition at sql[pos] must hold for every row the statement touches: it is reached
    from the WHERE through ANDs only (no enclosing OR, no NOT)."""
    opened: list[int] = []
    for j in range(where, pos):
        if sql[j] == "(":
            opened.append(j)
        elif sql[j] == ")" and opened:
            opened.pop()
    for paren in [None, *opened]:
        start = where + len(" WHERE ") if paren is None else paren + 1
        if paren is not None and sql[:paren].rstrip().upper().endswith("NOT"):
            return False
        depth = 0
        for j in range(start, len(sql)):
            ch = sql[j]
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and sql[j : j + 4].upper() == " OR ":
                return False
    return not sql[:pos].rstrip().upper().endswith("NOT")


def _dari_where(sql: str, where: int, tabel: str, ps: Sequence, found: dict) -> bool:
    if where >= len(sql):
        return False
    got = False
    for m in _RE_SYARAT.finditer(sql, where):
        if not _konjungsi(sql, where, m.start()):
            continue
        col = m.group(1)
        jenis = _KOLOM.get(col) or (tabel if col == "id" and _kolom_scope(tabel) else None)
        if jenis is None:
            continue
        if not sql.endswith(f'"{tabel}".', 0, m.start()):
            continue  # a column of another table (a subquery's): not this row's
        first = len(_PH.findall(sql, 0, m.start(3)))
        n = len(_PH.findall(m.group(3)))
        values = ps[first : first + n]
        if len(values) != n:
            raise _TakTerbaca
        got = all(_tambah(found, jenis, v) for v in values) or got
    return got


def _kolom_scope(tabel: str) -> str | None:
    """The column a scoped table's rows name their period (or instansi) by, if any."""
    if tabel not in _kolom_tabel:
        from django.apps import apps

        cols: set[str] = set()
        for model in apps.get_models():
            if model._meta.db_table == tabel:
                cols = {f.column for f in model._meta.concrete_fields}
        _kolom_tabel[tabel] = next((c for c in _KOLOM if c in cols), None)
    return _kolom_tabel[tabel]


def dikenal(obj: Any) -> None:
    """A row the caller has just read (locked, in its transaction): remember what its table's
    scope column names, as `_ke` would have read it before the row's first write in this
    process. So a service's UPDATE of a row it locked costs no extra SELECT here (issue 19)."""
    tabel = obj._meta.db_table
    col = _kolom_scope(tabel)
    value = getattr(obj, col, None) if col else None
    if value is None or obj.pk is None:
        return
    peta = _peta.setdefault(tabel, {})
    if len(peta) > 200_000:
        peta.clear()
    peta[int(obj.pk)] = (_KOLOM[col], value)


def _instansi(found: dict[str, set[int]], connection: Any) -> set[int]:
    return _ke(found, connection, "instansi")


def _ke(found: dict[str, set[int]], connection: Any, sampai: str, depth: int = 0) -> set[int]:
    """The ids of `sampai` (the instansi, or an SKP) the found ids belong to: such an id as it
    is, a row id through its table's scope column (read once per process and id: rows never
    move). _TakTerbaca when one leads elsewhere (a period has no SKP)."""
    out = set(found.pop(sampai, ()))
    if depth > 4:
        raise _TakTerbaca
    lanjut: dict[str, set[int]] = {}
    for tabel, ids in found.items():
        col = _kolom_scope(tabel)
        if col is None:
            raise _TakTerbaca
        peta = _peta.setdefault(tabel, {})
        missing = sorted(i for i in ids if i not in peta)
        if missing:
            if len(peta) > 200_000:
                peta.clear()
            marks = ", ".join(["%s"] * len(missing))
            with connection.cursor() as cur:
                cur.execute(f'SELECT "id", "{col}" FROM "{tabel}" WHERE "id" IN ({marks})', missing)
                peta.update((row_id, (_KOLOM[col], value)) for row_id, value in cur.fetchall())
        for i in ids:
            if i not in peta or peta[i][1] is None:  # gone, or names nothing: cannot say
                raise _TakTerbaca
            lanjut.setdefault(peta[i][0], set()).add(peta[i][1])
    if lanjut:
        out |= _ke(lanjut, connection, sampai, depth + 1)
    return out
