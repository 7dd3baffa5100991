"""The client's address, the same everywhere: login lockout (django-axes), API throttles and the
public verification page's limit all key on `alamat_klien(request)`.

Behind N trusted reverse proxies (KINERJA_PROXY_HOPS=N) each proxy appends the address it saw
to X-Forwarded-For, so the N-th entry from the right is the one our own first proxy saw: the
client. Entries further left were written by the client and are ignored (anyone can send
`X-Forwarded-For: 1.2.3.4`). Without trusted proxies the header is not read at all.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _alamat_sah(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def alamat_klien(request: HttpRequest) -> str:
    """The client's IP address (a valid IPv4/IPv6 string; "0.0.0.0" when nothing usable)."""
    remote = _alamat_sah(request.META.get("REMOTE_ADDR", "") or "") or "0.0.0.0"
    hops = int(getattr(settings, "KINERJA_PROXY_HOPS", 0) or 0)
    if hops <= 0:
        return remote
    chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [p for p in chain if p]
    if len(chain) < hops:
        # Fewer entries than trusted proxies: the request did not come through all of them
        # (a misconfiguration or a direct hit); the socket's peer is the only fact we have.
        return remote
    # A garbage entry at the trusted position can only come from a proxy we trust being
    # misconfigured; fall back to the peer rather than store junk as an address.
    return _alamat_sah(chain[-hops]) or remote
