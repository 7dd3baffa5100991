"""Start the test identity provider: migrate its SQLite file, register Kinerja as a client,
create its users, then serve on 127.0.0.1:<port> until killed.

    SSO_OP_DB=/tmp/op.sqlite3 SSO_OP_KEY=/tmp/op.pem python -m tests.sso_op.serve \\
        --port 8181 --client-id kinerja --client-secret s3cret \\
        --redirect http://localhost:8000/sso/callback/ --logout-redirect http://localhost:8000/masuk/ \\
        --user 199001012015011001:Sandi-OP-1:Ani
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _kunci(path: Path) -> None:
    if path.exists():
        return
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--client-secret", required=True)
    ap.add_argument("--redirect", required=True)
    ap.add_argument("--logout-redirect", required=True)
    ap.add_argument("--user", action="append", default=[], help="nip:password:name")
    args = ap.parse_args(argv)

    _kunci(Path(os.environ.setdefault("SSO_OP_KEY", "/tmp/kinerja-sso-op.pem")))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.sso_op.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", "--noinput", verbosity=0)
    Application.objects.update_or_create(
        client_id=args.client_id,
        defaults={
            "name": "Kinerja",
            "client_secret": args.client_secret,
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": args.redirect,
            "post_logout_redirect_uris": args.logout_redirect,
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
        },
    )
    for spec in args.user:
        nip, password, name = spec.split(":", 2)
        user, _ = User.objects.get_or_create(username=nip)
        user.first_name = name
        user.set_password(password)
        user.save()
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main(sys.argv[1:])
