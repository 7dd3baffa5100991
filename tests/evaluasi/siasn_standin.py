"""A stand-in SIASN web service for the push tests: a real HTTP server on loopback, in a thread.

It speaks what the public clients show SIASN speaking (see evaluasi/siasn/rules.py, klien.py):

    POST /oauth2/token                      client credentials (HTTP Basic) -> access_token
    POST /sso/token                         password grant -> access_token
    GET  /apisiasn/1.0/pns/data-utama/<nip> {"success", "data": {"id", "nipBaru"}}
    POST /apisiasn/1.0/skp22/save           {"success", "message", "mapData": {"rwSkp22Id"}}
    POST /apisiasn/1.0/kinerjaperiodik/save {"success", "message", "mapData": "<id>"}

Every save is checked: both tokens present and issued by this server, exactly the schema's
fields (and `id` only for a record it holds), each field's type, and - when the test said what
to expect for that pegawai - every field's value. A failed check answers 400 and is kept in
`pelanggaran` (tests assert it stays empty). `mode` (or a queue of modes, `jadwal`) makes the
next saves: "terima", "tolak" (400 with a message), "tolak200" (200, success false), "lambat"
(answers after `lambat_detik`, past the client's timeout) or "gagal" (500).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/apisiasn/1.0"
SKEMA = {
    "skp22": {
        "hasilKinerjaNilai": int,
        "kuadranKinerjaNilai": int,
        "penilaiGolongan": str,
        "penilaiJabatan": str,
        "penilaiNama": str,
        "penilaiNipNrp": str,
        "penilaiUnorNama": str,
        "perilakuKerjaNilai": int,
        "pnsDinilaiOrang": str,
        "statusPenilai": str,
        "tahun": int,
    },
    "kinerjaperiodik": {
        "bulanMulaiPenilaian": int,
        "bulanSelesaiPenilaian": int,
        "hasilKinerjaNilai": int,
        "koefisienId": str,
        "kuadranKinerjaNilai": int,
        "penilaiGolongan": str,
        "penilaiJabatanNama": str,
        "penilaiNama": str,
        "penilaiNipNrp": str,
        "penilaiUnorNama": str,
        "perilakuKerjaNilai": int,
        "periodikId": str,
        "pnsDinilaiId": str,
        "statusPenilai": str,
        "tahun": int,
        "tahunMulaiPenilaian": int,
        "tahunSelesaiPenilaian": int,
    },
}
KUNCI_PEGAWAI = {"skp22": "pnsDinilaiOrang", "kinerjaperiodik": "pnsDinilaiId"}


def pns_id(nip: str) -> str:
    """The id this stand-in gives the pegawai with this NIP (tests compute it the same way)."""
    return f"PNS-{nip}"


class StandinSiasn:
    CLIENT_ID, CLIENT_SECRET = "kinerja-ntt", "rahasia-konsumen"
    SSO_USER, SSO_PASSWORD = "operator.bkd", "sandi-sso"

    def __init__(self) -> None:
        self.mode = "terima"
        self.jadwal: list[str] = []
        self.pesan_tolak = "Data tidak valid: NIP penilai tidak terdaftar"
        self.lambat_detik = 2.0
        self.nip: set[str] = set()
        self.harapan: dict[tuple[str, str], dict] = {}  # (endpoint, pns id) -> expected fields
        self.simpanan: dict[str, dict] = {}  # id -> the record as SIASN holds it
        self.permintaan: list[dict] = []  # every save request received (after the auth check)
        self.pelanggaran: list[str] = []
        self.token_api: set[str] = set()
        self.token_sso: set[str] = set()
        self.jumlah_token = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandinSiasn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what the test configures ---------------------------------------------------------------
    def settings(self, timeout: float = 0.5) -> dict[str, Any]:
        return {
            "KINERJA_SIASN_URL": self.url + PREFIX,
            "KINERJA_SIASN_TOKEN_URL": self.url + "/oauth2/token",
            "KINERJA_SIASN_CLIENT_ID": self.CLIENT_ID,
            "KINERJA_SIASN_CLIENT_SECRET": self.CLIENT_SECRET,
            "KINERJA_SIASN_SSO_URL": self.url + "/sso/token",
            "KINERJA_SIASN_SSO_CLIENT_ID": "kinerja",
            "KINERJA_SIASN_SSO_USERNAME": self.SSO_USER,
            "KINERJA_SIASN_SSO_PASSWORD": self.SSO_PASSWORD,
            "KINERJA_SIASN_TIMEOUT": timeout,
        }

    def harap(self, endpoint: str, nip: str, fields: dict) -> None:
        """Expect this pegawai's next save on `endpoint` to carry exactly these values."""
        self.nip.add(nip)
        self.harapan[(endpoint, pns_id(nip))] = fields

    def saves(self, endpoint: str | None = None) -> list[dict]:
        return [p for p in self.permintaan if endpoint is None or p["endpoint"] == endpoint]

    # -- the server -----------------------------------------------------------------------------
    def _next_mode(self) -> str:
        with self._lock:
            return self.jadwal.pop(0) if self.jadwal else self.mode

    def _check(self, endpoint: str, body: Any) -> list[str]:
        errs: list[str] = []
        if not isinstance(body, dict):
            return ["body bukan objek JSON"]
        skema = SKEMA[endpoint]
        extra = set(body) - set(skema) - {"id"}
        missing = set(skema) - set(body)
        if extra:
            errs.append(f"{endpoint}: kolom tidak dikenal {sorted(extra)}")
        if missing:
            errs.append(f"{endpoint}: kolom hilang {sorted(missing)}")
        for k, typ in skema.items():
            v = body.get(k)
            if k in body and (not isinstance(v, typ) or isinstance(v, bool)):
                errs.append(f"{endpoint}.{k}: harus {typ.__name__}, bukan {v!r}")
        if "id" in body and body["id"] not in self.simpanan:
            errs.append(f"{endpoint}.id: {body['id']!r} tidak ada di SIASN")
        who = body.get(KUNCI_PEGAWAI[endpoint])
        want = self.harapan.get((endpoint, who))
        if want is None:
            errs.append(f"{endpoint}: rekaman pegawai {who!r} tidak diharapkan")
        else:
            for k, v in want.items():
                if body.get(k) != v:
                    errs.append(f"{endpoint}.{k}: {body.get(k)!r} != harapan {v!r}")
        return errs

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, data: Any) -> None:
                raw = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

            def _body(self) -> bytes:
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _token(self, pool: set[str]) -> None:
                tok = uuid.uuid4().hex
                with standin._lock:
                    pool.add(tok)
                    standin.jumlah_token += 1
                self._send(200, {"access_token": tok, "expires_in": 3600, "token_type": "Bearer"})

            def _authorised(self) -> bool:
                auth = self.headers.get("Authorization", "")
                sso = self.headers.get("Auth", "")
                ok = (
                    auth.startswith("Bearer ")
                    and auth[7:] in standin.token_api
                    and sso.lower().startswith("bearer ")
                    and sso[7:] in standin.token_sso
                )
                if not ok:
                    self._send(401, {"success": False, "message": "Token tidak valid"})
                return ok

            def do_POST(self) -> None:  # noqa: N802
                raw = self._body()
                if self.path == "/oauth2/token":
                    want = base64.b64encode(
                        f"{standin.CLIENT_ID}:{standin.CLIENT_SECRET}".encode()
                    ).decode()
                    form = urllib.parse.parse_qs(raw.decode())
                    if self.headers.get("Authorization") != f"Basic {want}" or form.get(
                        "grant_type"
                    ) != ["client_credentials"]:
                        self._send(401, {"error": "invalid_client"})
                        return
                    self._token(standin.token_api)
                    return
                if self.path == "/sso/token":
                    form = urllib.parse.parse_qs(raw.decode())
                    if (
                        form.get("grant_type") != ["password"]
                        or form.get("username") != [standin.SSO_USER]
                        or form.get("password") != [standin.SSO_PASSWORD]
                    ):
                        self._send(401, {"error": "invalid_grant"})
                        return
                    self._token(standin.token_sso)
                    return
                endpoint = self.path.removeprefix(PREFIX + "/").removesuffix("/save")
                if endpoint not in SKEMA:
                    self._send(404, {"success": False, "message": "Tidak ditemukan"})
                    return
                if not self._authorised():
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                mode = standin._next_mode()
                with standin._lock:
                    standin.permintaan.append({"endpoint": endpoint, "body": body, "mode": mode})
                if mode == "lambat":
                    time.sleep(standin.lambat_detik)
                    self._send(200, {"success": True, "message": "terlambat", "mapData": "x"})
                    return
                if mode == "gagal":
                    self._send(500, {"message": "Internal Server Error"})
                    return
                if mode in {"tolak", "tolak200"}:
                    self._send(
                        400 if mode == "tolak" else 200,
                        {"success": False, "message": standin.pesan_tolak},
                    )
                    return
                errs = standin._check(endpoint, body)
                if errs:
                    with standin._lock:
                        standin.pelanggaran.extend(errs)
                    self._send(400, {"success": False, "message": "; ".join(errs)})
                    return
                rid = body.get("id") or uuid.uuid4().hex
                with standin._lock:
                    standin.simpanan[rid] = {**body, "endpoint": endpoint}
                map_data: Any = {"rwSkp22Id": rid} if endpoint == "skp22" else rid
                self._send(
                    200, {"success": True, "message": "Data berhasil disimpan", "mapData": map_data}
                )

            def do_GET(self) -> None:  # noqa: N802
                prefix = PREFIX + "/pns/data-utama/"
                if not self.path.startswith(prefix):
                    self._send(404, {"success": False, "message": "Tidak ditemukan"})
                    return
                if not self._authorised():
                    return
                nip = urllib.parse.unquote(self.path[len(prefix) :])
                if nip not in standin.nip:
                    self._send(404, {"success": False, "message": "Data tidak ditemukan"})
                    return
                self._send(200, {"success": True, "data": {"id": pns_id(nip), "nipBaru": nip}})

        return Handler
