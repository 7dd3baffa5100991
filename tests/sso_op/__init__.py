"""A real OpenID Connect provider for the single sign-on tests: a tiny Django project running
django-oauth-toolkit's OIDC provider on its own SQLite file and port, in its own process
(`python -m tests.sso_op.serve`). Kinerja signs in against it exactly as against BKN's SSO ASN:
authorization code with PKCE, an RS256-signed ID token from its JWKS, userinfo with the NIP
claim, and RP-initiated logout. Test tooling only; never installed with the product."""
