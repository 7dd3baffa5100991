"""The request's user row, kept in Redis beside the session copy: a signed-in request asks the
database nothing for its user.

Every signed-in request loads its user (kinerja.akses.muat: the user, the pegawai row, whether a
grant is held). That row is kept in Redis for at most SALINAN_DETIK under two versions, and the
session's one Lua round trip (kinerja.sesi) brings it with the session copy and the menu facts.
It is served only while both versions are the ones read before the row was:

- the users' version (VERSI): bumped by every write to the users, pegawai or grants tables
  (insert, update, delete, bulk or raw) that does not name one user by id;
- the user's own version (SENDIRI + id): bumped by an UPDATE of one user row by its id (a
  sign-in's last_login, a password change, a deactivation through `user.save()`).

The bumps come from a database execute wrapper (every statement, like kinerja.cache_halaman's),
at the statement itself and again when its transaction commits: a row read before the commit
and kept under the version of that moment is never served after it. A write in this process
also stops the offer read before it (`naik_lokal`), so the request that deactivates or moves
someone sees them as the database does. So a deactivated account, a moved pegawai, a revoked
grant or a changed password takes effect at the next request, as when the row was read from the
database. Redis down: the session copy and the row are not read either (PostgreSQL answers); a
bump that could not be written leaves a kept row served at most SALINAN_DETIK (as a session
ended while Redis could not be told: kinerja.sesi).

A personal API token (kinerja.akses.token) is read the same way in its own round trip: its row
(token, user, pegawai, grant flag) under the users' version, the user's own version and the
tokens' version (TOKEN_VERSI: any delete or change of a token row, by the service, the admin or
a cascade), and beside it the members of the teams the user leads (policy.core's
anggota_tim_ids) under the teams' version (TIM_VERSI: any write to the teams or their members).
"""

from __future__ import annotations

import contextvars
import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.signals import request_started
from django.db import connections
from django.db.backends.signals import connection_created

from kinerja.akses.jendela_lua import FUNGSI
from kinerja.redis_cache import CacheMati
from kinerja.sesi import SALINAN_DETIK

VERSI = "kinerja:pengguna:versi"
TOKEN_VERSI = "kinerja:pengguna:token-versi"
TIM_VERSI = "kinerja:tim:versi"
SENDIRI = "kinerja:pengguna:u:"
BARIS = "kinerja:pengguna:baris:"
# The own versions expire a day after they were made (INCR keeps the expiry); made again, they
# start at a new value (time_ns), so a row kept under an older one never matches.
SENDIRI_DETIK = 24 * 3600

# The session being read for the request's user (kinerja.middleware.AutentikasiMiddleware).
sesi_permintaan: contextvars.ContextVar[Any] = contextvars.ContextVar("sesi_permintaan")

_naik_lokal = 0  # bumps made by this process: an offer read before one is not taken


def naik_lokal() -> int:
    return _naik_lokal


def baris_prefix(sql: str, basis_data: str) -> str:
    """The rows' key prefix, naming the query and the database: a row of another column layout
    (another release of the code beside this one) or of another database (a copy restored or
    re-created under the same Redis) is never read as this one's."""
    nama = hashlib.sha256(f"{sql}\x1f{basis_data}".encode()).hexdigest()[:16]
    return f"{BARIS}{nama}:"


def baris_key(prefix: str, versi: str, sendiri: str, user_id: int) -> str:
    return f"{prefix}{versi}:{sendiri}:{user_id}"


def tawaran(user_id: Any, prefix: Callable[[], str]) -> tuple[str, str, Any] | None:
    """What the session read of this user's row beside its copy: (version, own version, row
    or None), when the request's session offered it for this user and these rows' prefix and
    nothing was written by this process since; else None."""
    sesi = sesi_permintaan.get(None)
    awal = getattr(sesi, "pengguna_awal", None)
    if awal is None:
        return None
    uid, dibaca, versi, sendiri, row, naik = awal
    if uid != user_id or naik != _naik_lokal or dibaca != prefix():
        return None
    return versi, sendiri, row


def simpan(user_id: int, prefix: str, versi: str, sendiri: str, row: tuple) -> None:
    """Keep a row read after the versions it goes under were read."""
    cache.set(baris_key(prefix, versi, sendiri, user_id), row, SALINAN_DETIK)


def mulai_versi() -> None:
    """No users' version yet (a fresh Redis): make one; rows are kept from the next read on."""
    cache.add(VERSI, time.time_ns(), None)


# --- the personal token's row (kinerja.akses.token) -------------------------------------------
# The token's row (the token, its user, pegawai and grant flag, as the session's user row) is
# kept under the users' version, the tokens' version and the user's own version; the members of
# the teams the user leads beside it, under the users', the teams' and the user's own version.
# The user is found from the token by a pointer (prefix + "uid:" + the key's digest) that only
# says where to look: a row is kept only for the user the pointer named when the versions were
# read. KEYS: the pointer, VERSI, TOKEN_VERSI, TIM_VERSI; ARGV: SENDIRI, the rows' prefix, the
# key's digest, then the API rate window's key prefix and its now, duration and number ('' when
# the request's view does not take it here). Answer: {uid, version, tokens' version, teams'
# version, own version, row, team, window}: the window (kinerja.akses.jendela_lua, the
# throttle's steps, on the user's bucket `laju_user_<uid>`) only when the row was found, as
# '1' (allowed: now added) or '0:<count>:<oldest>' (refused, nothing written).
_TOKEN = (
    FUNGSI
    + """
local out = {false, false, false, false, false, false, false, false}
for i = 1, 4 do out[i] = redis.call('GET', KEYS[i]) end
local uid, versi, tversi, mversi = out[1], out[2], out[3], out[4]
if uid and versi and tversi then
  local sendiri = redis.call('GET', ARGV[1] .. uid) or '-'
  out[5] = sendiri
  out[6] = redis.call('GET', ARGV[2] .. versi .. ':' .. tversi .. ':' .. sendiri .. ':' .. ARGV[4])
  if mversi then
    out[7] = redis.call('GET', ARGV[2] .. 'tim:' .. versi .. ':' .. mversi .. ':' .. sendiri .. ':' .. uid)
  end
end
if out[6] and ARGV[5] ~= '' then
  local j = jendela(ARGV[3] .. uid, ARGV[5], ARGV[6], ARGV[7])
  if j[1] == 0 then out[8] = '0:' .. j[2] .. ':' .. j[3] else out[8] = '1' end
end
return out
"""
)


class TawaranToken:
    """What one round trip read for a personal token (before its row is read anywhere else)."""

    __slots__ = (
        "prefix",
        "sidik",
        "uid",
        "versi",
        "tversi",
        "mversi",
        "sendiri",
        "row",
        "tim",
        "jendela",
    )

    def __init__(self, prefix: str, sidik: str, hasil: list) -> None:
        self.prefix, self.sidik = prefix, sidik
        self.uid, self.versi, self.tversi, self.mversi, self.sendiri, self.row, self.tim = hasil[:7]
        self.jendela = hasil[7]  # the rate window's verdict (see _TOKEN), or None

    def simpan(self, user_id: int, row: tuple) -> None:
        """Keep a row read from the database after this offer was read."""
        if self.versi is None or self.tversi is None:
            _mulai(VERSI, TOKEN_VERSI)
        if self.uid != user_id:  # first seen (or another user's token now): the pointer only
            cache.set(f"{self.prefix}uid:{self.sidik}", user_id, SENDIRI_DETIK)
        elif self.sendiri is not None:
            key = f"{self.prefix}{self.versi}:{self.tversi}:{self.sendiri}:{self.sidik}"
            cache.set(key, row, SALINAN_DETIK)

    def tawaran_tim(self, user_id: int) -> TawaranTim | None:
        """The offer of the user's team members (policy.core.Actor.anggota_tim_ids), when the
        user's own version was read with it."""
        if self.uid != user_id or self.sendiri is None:
            return None
        return TawaranTim(self, _naik_lokal)


class TawaranTim:
    """The members of the teams the token's user leads, as read with the token: taken while
    this process wrote nothing watched since (a team changed by this very request), else read
    from the database and kept under the versions read before it."""

    def __init__(self, awal: TawaranToken, naik: int) -> None:
        self.awal, self.naik = awal, naik

    def __call__(self, pegawai_id: int, baca: Callable[[], set[int]]) -> set[int]:
        a = self.awal
        if self.naik != _naik_lokal:
            return baca()
        if a.tim is not None and a.tim[0] == pegawai_id:
            return set(a.tim[1])
        ids = baca()
        if a.mversi is None:
            _mulai(TIM_VERSI)
        else:
            key = f"{a.prefix}tim:{a.versi}:{a.mversi}:{a.sendiri}:{a.uid}"
            cache.set(key, (pegawai_id, tuple(ids)), SALINAN_DETIK)
        return ids


# The API rate window of a user (kinerja.akses.throttle's key for scope "user").
LAJU_USER = "laju_user_"


def tawaran_token(prefix: str, sidik: str, jendela: Any = None) -> TawaranToken | None:
    """Read a personal token's kept row in one round trip (see _TOKEN); None without Redis
    (another cache, Redis down, scripts refused): the database answers, nothing is kept.
    `jendela` (now, duration, number): the user's rate window is decided in the same trip
    when the row is there (TawaranToken.jendela)."""
    skrip = getattr(cache, "skrip", None)
    if skrip is None:
        return None
    keys = [f"{prefix}uid:{sidik}", VERSI, TOKEN_VERSI, TIM_VERSI]
    laju = [repr(jendela[0]), str(jendela[1]), str(jendela[2])] if jendela else ["", "", ""]
    hasil = skrip(_TOKEN, keys, [SENDIRI, prefix, LAJU_USER], [sidik, *laju], (0, 5, 6))
    if hasil is None or len(hasil) != 8:
        return None
    return TawaranToken(prefix, sidik, hasil)


def jendela_batal(user_id: Any, now: float) -> None:
    """Take back a request the token's round trip added to the user's rate window when the
    request never reached the throttle (its authentication failed after the row was read)."""
    aman = getattr(cache, "_aman", None)
    if aman is None:
        return

    def lrem() -> None:
        key = cache.make_and_validate_key(f"{LAJU_USER}{user_id}")
        cache._cache.get_client(key, write=True).lrem(key, 1, repr(now))

    aman(lrem, None)


def _mulai(*keys: str) -> None:
    for key in keys:
        cache.add(key, time.time_ns(), None)


# --- the bumps ----------------------------------------------------------------------------------
# The version each watched table's writes end: the users' rows, the personal tokens' (a delete
# or change; an INSERT makes a key nothing was kept under), the teams' (kinerja.akses.token).
_VERSI_TABEL = {
    "kinerja_user": VERSI,
    "kinerja_pegawai": VERSI,
    "kinerja_hakakseskhusus": VERSI,
    "authtoken_token": TOKEN_VERSI,
    "kinerja_timkerja_anggota": TIM_VERSI,
    "kinerja_timkerja": TIM_VERSI,
}
_TULIS = ("INSERT", "UPDATE", "DELETE", "WITH", "MERGE", "TRUNCATE", "COPY")
_SASARAN = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:ONLY\s+)?"?(\w+)"?', re.I)
_SATU_USER = re.compile(
    r'\s*UPDATE\s+"kinerja_user"\s+SET\s.*\sWHERE\s+"kinerja_user"\."id"\s*=\s*%s\s*\Z', re.I | re.S
)
_NAMA = "|".join(_VERSI_TABEL)
# A watched table named in a TRUNCATE: the whole name, not a longer one (kinerja_user_groups).
_TABEL = re.compile(rf'(?<!\w)"?({_NAMA})(?:"|(?!\w))', re.I)
# A write to a watched table anywhere in a statement of another form (WITH ... UPDATE, MERGE,
# COPY ... FROM).
_TULIS_TABEL = re.compile(
    rf'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|COPY)\s+(?:ONLY\s+)?"?({_NAMA})(?:"|(?!\w))',
    re.I,
)


def kunci_tulis(sql: Any, params: Any, many: bool) -> set[str]:
    """The versions a statement ends: none, one user's own, or those of the tables it writes."""
    if not isinstance(sql, str):
        return set()
    head = sql.lstrip()[:8].upper()
    if not head.startswith(_TULIS):
        return set()
    m = _SASARAN.match(sql)
    if m is None:
        pola = _TABEL if head.startswith("TRUNCATE") else _TULIS_TABEL
        return {_VERSI_TABEL[t.lower()] for t in pola.findall(sql)}
    versi = _VERSI_TABEL.get(m.group(1).lower())
    if versi is None:
        return set()
    if versi == TOKEN_VERSI and head.startswith("INSERT") and "ON CONFLICT" not in sql.upper():
        return set()
    if not many and _SATU_USER.match(sql) and params and type(params[-1]) is int:
        return {SENDIRI + str(params[-1])}
    return {versi}


def _naik(keys: set[str]) -> None:
    global _naik_lokal
    _naik_lokal += 1
    for key in sorted(keys):
        try:
            cache.incr(key)
        except ValueError:  # no version yet: any new value differs from the old ones
            cache.set(key, time.time_ns(), SENDIRI_DETIK if key.startswith(SENDIRI) else None)
        except CacheMati:  # Redis down (logged by the backend): no row is read from it either
            return


class _Tertunda:
    """The versions the current transaction's writes end, bumped again when it commits."""

    def __init__(self) -> None:
        self.kunci: set[str] = set()
        self.sudah: set[str] = set()  # bumped at once already (in this request)
        self.generasi = _generasi

    def __call__(self) -> None:
        _naik(self.kunci)


# Requests started in this process: a transaction that outlives a request (a test's) bumps at
# once again in the next one, where its commit is still to come.
_generasi = 0


def _permintaan_mulai(**kwargs: Any) -> None:
    global _generasi
    _generasi += 1


request_started.connect(_permintaan_mulai, dispatch_uid="kinerja.akses.salinan")


def _pantau(execute: Any, sql: Any, params: Any, many: bool, context: dict) -> Any:
    keys = kunci_tulis(sql, params, many)
    if not keys:
        return execute(sql, params, many, context)
    conn = context["connection"]
    if not conn.in_atomic_block:
        result = execute(sql, params, many, context)
        _naik(keys)
        return result
    pending = next((f for _s, f, _r in conn.run_on_commit if isinstance(f, _Tertunda)), None)
    if pending is None:
        pending = _Tertunda()
        conn.on_commit(pending)
    pending.kunci |= keys
    if pending.generasi != _generasi:
        pending.generasi, pending.sudah = _generasi, set()
    baru = keys - pending.sudah
    if baru:
        pending.sudah |= baru
        _naik(baru)  # at once too: this process's own offers, and readers before the commit
    return execute(sql, params, many, context)


def pasang(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """Watch a database connection's writes (called for every new connection)."""
    if connection is not None and _pantau not in connection.execute_wrappers:
        connection.execute_wrappers.append(_pantau)


connection_created.connect(pasang, dispatch_uid="kinerja.akses.salinan")
for _conn in connections.all(initialized_only=True):
    pasang(connection=_conn)
