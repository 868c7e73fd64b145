"""What a SigV4-signed request says about its caller: access key id, region and service.

Only the credential scope is read for now; checking the signature itself is a later switch that
plugs in here (see docs/design.md, "Identity"), without touching routing or the services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class CredentialScope:
    access_key_id: str
    region: str
    service: str


def credential_scope(authorization: str | None, query_credential: str | None = None) -> CredentialScope | None:
    """The scope from an `Authorization: AWS4-HMAC-SHA256 Credential=...` header, or from a
    presigned request's `X-Amz-Credential`."""
    text = authorization or ""
    if query_credential:
        text = f"Credential={query_credential}"
    match = _CREDENTIAL.search(text)
    if match is None:
        return None
    return CredentialScope(access_key_id=match.group(1), region=match.group(3), service=match.group(4))
