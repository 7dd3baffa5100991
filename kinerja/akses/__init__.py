"""Who gets in: logins and their lockout, API tokens (personal and integration), the client
address behind proxies, per-token rate limits and single sign-on (OpenID Connect)."""
