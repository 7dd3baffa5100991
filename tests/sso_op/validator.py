"""Claims of the test provider: `sub`, `name`, and the NIP under the claim name the test asks
for (SSO_OP_KLAIM_NIP, default `nip`). A user's NIP is its username here."""

from __future__ import annotations

import os

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below, whatever the scope

    def get_additional_claims(self, request):
        user = request.user
        return {
            "name": user.get_full_name() or user.username,
            os.environ.get("SSO_OP_KLAIM_NIP", "nip"): user.username,
        }
