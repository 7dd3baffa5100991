"""bench.profil_januari with the Redis round trips of each request listed beside its SQL.

    DATABASE_URL=... REDIS_URL=... PROFIL_SQL=<kind> python -m bench.profil_redis [N]

Every packet redis-py sends (one command, or one pipeline/MULTI) is one round trip; it is
recorded in the measured request's statement list as "[redis] <commands>", so PROFIL_SQL prints
the SQL and the Redis trips of the last request of each kind in the order they happened (the
Celery publish goes through kombu's redis-py client: counted too). The table's query column
stays SQL only.
"""

from __future__ import annotations

import sys

from redis import connection as _conn

from bench import profil_januari

_aktif: list = []


def _ringkas(command) -> str:
    parts = [command] if isinstance(command, (bytes, str)) else list(command)
    data = b"".join(p if isinstance(p, bytes) else p.encode() for p in parts)
    names = []
    for i, line in enumerate(data.split(b"\r\n")):
        if line.startswith(b"*"):
            # The next bulk string after an array header is the command's name.
            rest = data.split(b"\r\n")[i + 2 : i + 3]
            if rest:
                names.append(rest[0].decode(errors="replace"))
    return " ".join(names) or data[:40].decode(errors="replace")


_asli = _conn.AbstractConnection.send_packed_command


def _kirim(self, command, check_health=True):
    if _aktif:
        _aktif[-1].sql.append(f"[redis] {_ringkas(command)}")
    return _asli(self, command, check_health)


class _Queries(profil_januari._Queries):
    def __init__(self) -> None:
        super().__init__()
        _aktif[:] = [self]


def main() -> None:
    _conn.AbstractConnection.send_packed_command = _kirim
    profil_januari._Queries = _Queries
    profil_januari.main()


if __name__ == "__main__":
    sys.exit(main())
