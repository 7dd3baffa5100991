"""The HTTP client for SIASN's web service (standard library only; every call has a timeout).

Configured by environment (kinerja/settings.py, KINERJA_SIASN_*); the push is off when
KINERJA_SIASN_URL is not set.

What is confirmed (public clients, see rules.py) and what is a guess:
- CONFIRMED: base URL `https://apimws.bkn.go.id:8243/apisiasn/1.0`; an API-manager (WSO2) token by
  OAuth2 client credentials (consumer key/secret as HTTP Basic, `grant_type=client_credentials`,
  at `https://apimws.bkn.go.id/oauth2/token`) and an SSO token of an operator account (Keycloak
  `grant_type=password` with a client id, at sso-siasn.bkn.go.id); both sent on every call.
- CONFIRMED: SIASN answers JSON `{"success": bool, "message": str, "mapData": ...}` and may refuse
  with HTTP 200 and `success: false` (the Go and Node clients both test `success`, not only the
  status); on success `mapData` carries the id of the saved record (a string, or an object).
- A GUESS: which header carries which token. black-coffee04/ws-siasn-php sends
  `Authorization: Bearer <API manager>` and `Auth: bearer <SSO>`; one Go client swaps them. We
  follow the PHP SDK (the most used); KINERJA_SIASN_HEADER_TERTUKAR=1 swaps them.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from evaluasi.siasn import rules

JAWABAN_MAKS = 4000


@dataclass(frozen=True)
class Konfigurasi:
    url: str
    token_url: str
    client_id: str
    client_secret: str
    sso_url: str
    sso_client_id: str
    sso_username: str
    sso_password: str
    timeout: float
    header_tertukar: bool = False


def konfigurasi() -> Konfigurasi | None:
    """The push configuration, or None when SIASN is not configured (push off)."""
    url = (getattr(settings, "KINERJA_SIASN_URL", "") or "").rstrip("/")
    if not url:
        return None
    return Konfigurasi(
        url=url,
        token_url=getattr(settings, "KINERJA_SIASN_TOKEN_URL", ""),
        client_id=getattr(settings, "KINERJA_SIASN_CLIENT_ID", ""),
        client_secret=getattr(settings, "KINERJA_SIASN_CLIENT_SECRET", ""),
        sso_url=getattr(settings, "KINERJA_SIASN_SSO_URL", ""),
        sso_client_id=getattr(settings, "KINERJA_SIASN_SSO_CLIENT_ID", ""),
        sso_username=getattr(settings, "KINERJA_SIASN_SSO_USERNAME", ""),
        sso_password=getattr(settings, "KINERJA_SIASN_SSO_PASSWORD", ""),
        timeout=float(getattr(settings, "KINERJA_SIASN_TIMEOUT", 20)),
        header_tertukar=bool(getattr(settings, "KINERJA_SIASN_HEADER_TERTUKAR", False)),
    )


@dataclass(frozen=True)
class Jawaban:
    """An HTTP answer: status, body (text, cut to JAWABAN_MAKS) and its JSON when it has one."""

    kode_status: int | None
    isi: str
    data: Any
    durasi_ms: int

    @property
    def pesan(self) -> str:
        if isinstance(self.data, dict):
            for key in ("message", "error_description", "error", "pesan"):
                if self.data.get(key):
                    return str(self.data[key])[:500]
        return self.isi[:500]


class SiasnError(Exception):
    def __init__(self, pesan: str, jawaban: Jawaban | None = None) -> None:
        super().__init__(pesan)
        self.pesan = pesan
        self.jawaban = jawaban


class Ditolak(SiasnError):
    """SIASN refused (4xx, or 2xx with success false): sending the same again will not help."""


class TokenDitolak(Ditolak):
    """The token service refused Kinerja's credentials (a configuration to fix, not data)."""


class Gangguan(SiasnError):
    """A timeout, a network error or a 5xx: worth trying again later."""


def _http(
    method: str, url: str, *, data: bytes | None, headers: dict[str, str], timeout: float
) -> Jawaban:
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    mulai = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (configured URL)
            status, body = resp.status, resp.read(JAWABAN_MAKS * 4)
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read(JAWABAN_MAKS * 4)
    except TimeoutError as exc:
        raise Gangguan(f"SIASN tidak menjawab dalam {timeout:g} detik.") from exc
    except (urllib.error.URLError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise Gangguan(f"SIASN tidak menjawab dalam {timeout:g} detik.") from exc
        raise Gangguan(f"SIASN tidak dapat dihubungi: {reason}") from exc
    durasi = int((time.monotonic() - mulai) * 1000)
    text = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text.strip() else None
    except ValueError:
        parsed = None
    return Jawaban(status, text[:JAWABAN_MAKS], parsed, durasi)


def _token(key: str, url: str, form: dict[str, str], headers: dict[str, str], timeout: float):
    cached = cache.get(key)
    if cached:
        return cached
    j = _http(
        "POST",
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            **headers,
        },
        timeout=timeout,
    )
    token = j.data.get("access_token") if isinstance(j.data, dict) else None
    if j.kode_status and j.kode_status >= 500:
        raise Gangguan(f"Layanan token SIASN gangguan (HTTP {j.kode_status}).", j)
    if not token:
        raise TokenDitolak(f"Token SIASN ditolak (HTTP {j.kode_status}): {j.pesan}", j)
    ttl = int(j.data.get("expires_in") or 300) if isinstance(j.data, dict) else 300
    cache.set(key, token, max(ttl - 30, 1))
    return token


def token_api(cfg: Konfigurasi) -> str:
    """The API-manager token (OAuth2 client credentials), cached until shortly before expiry."""
    basic = base64.b64encode(f"{cfg.client_id}:{cfg.client_secret}".encode()).decode()
    return _token(
        f"siasn:token:api:{cfg.token_url}:{cfg.client_id}",
        cfg.token_url,
        {"grant_type": "client_credentials"},
        {"Authorization": f"Basic {basic}"},
        cfg.timeout,
    )


def token_sso(cfg: Konfigurasi) -> str:
    """The SSO token of the instansi's SIASN operator account (password grant), cached."""
    if not cfg.sso_url:
        return ""
    return _token(
        f"siasn:token:sso:{cfg.sso_url}:{cfg.sso_username}",
        cfg.sso_url,
        {
            "grant_type": "password",
            "client_id": cfg.sso_client_id,
            "username": cfg.sso_username,
            "password": cfg.sso_password,
        },
        {},
        cfg.timeout,
    )


def lupakan_token(cfg: Konfigurasi) -> None:
    cache.delete_many(
        [
            f"siasn:token:api:{cfg.token_url}:{cfg.client_id}",
            f"siasn:token:sso:{cfg.sso_url}:{cfg.sso_username}",
        ]
    )


def _headers(cfg: Konfigurasi) -> dict[str, str]:
    api, sso = token_api(cfg), token_sso(cfg)
    if cfg.header_tertukar:
        h = {"Auth": f"bearer {api}", "Authorization": f"Bearer {sso}"}
    else:
        h = {"Authorization": f"Bearer {api}"}
        if sso:
            h["Auth"] = f"bearer {sso}"
    return {**h, "Accept": "application/json"}


def _periksa(j: Jawaban) -> Jawaban:
    """Classify an answer: a 2xx without `success: false` is returned; the rest raised."""
    if j.kode_status is not None and 200 <= j.kode_status < 300:
        if isinstance(j.data, dict) and j.data.get("success") is False:
            raise Ditolak(j.pesan or "SIASN menolak data ini.", j)
        return j
    if j.kode_status in {401, 403}:
        # An expired or revoked token: forget it and try again with a fresh one.
        raise Gangguan(f"SIASN menolak token (HTTP {j.kode_status}): {j.pesan}", j)
    if j.kode_status in {408, 425, 429} or (j.kode_status or 0) >= 500:
        raise Gangguan(f"SIASN gangguan (HTTP {j.kode_status}): {j.pesan}", j)
    raise Ditolak(f"SIASN menolak (HTTP {j.kode_status}): {j.pesan}", j)


def kirim(cfg: Konfigurasi, jenis: str, isi: dict) -> Jawaban:
    """POST one record to SIASN's save endpoint of its kind."""
    try:
        j = _http(
            "POST",
            cfg.url + rules.ENDPOINT[jenis],
            data=json.dumps(isi).encode(),
            headers={**_headers(cfg), "Content-Type": "application/json"},
            timeout=cfg.timeout,
        )
        return _periksa(j)
    except Gangguan as exc:
        if exc.jawaban is not None and exc.jawaban.kode_status in {401, 403}:
            lupakan_token(cfg)
        raise


def pns_id(cfg: Konfigurasi, nip: str) -> str:
    """SIASN's id of a pegawai, from its data utama (`data.id`)."""
    path = rules.ENDPOINT_DATA_UTAMA.format(nip=urllib.parse.quote(nip, safe=""))
    j = _http("GET", cfg.url + path, data=None, headers=_headers(cfg), timeout=cfg.timeout)
    if j.kode_status == 404:
        raise Ditolak(f"NIP {nip} tidak ditemukan di SIASN.", j)
    j = _periksa(j)
    data = j.data.get("data") if isinstance(j.data, dict) else None
    found = data.get("id") if isinstance(data, dict) else None
    if not found:
        raise Ditolak(f"NIP {nip} tidak ditemukan di SIASN: {j.pesan}", j)
    return str(found)


def id_dari(j: Jawaban) -> str:
    """The id SIASN gave the saved record (`mapData`, or `data.id`), or ''."""
    if not isinstance(j.data, dict):
        return ""
    m = j.data.get("mapData")
    if isinstance(m, str | int):
        return str(m)
    if isinstance(m, dict):
        for k, v in m.items():
            if "id" in k.lower() and isinstance(v, str | int):
                return str(v)
    d = j.data.get("data")
    if isinstance(d, dict) and isinstance(d.get("id"), str | int):
        return str(d["id"])
    return ""
