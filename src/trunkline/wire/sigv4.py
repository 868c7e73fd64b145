"""What a SigV4-signed request says about its caller: access key id, region and service.

Only the credential scope is read for now; checking the signature itself is a later switch that
plugs in here (see docs/design.md, "Identity"), without touching routing or the services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATE = re.compile(r"[0-9]{8}")
_CREDENTIAL = "Credential="
_END_OF_VALUE = re.compile(r"[,\s]")


@dataclass(frozen=True)
class CredentialScope:
    access_key_id: str
    region: str
    service: str


def credential_scope(authorization: str | None, query_credential: str | None = None) -> CredentialScope | None:
    """The scope from an `Authorization: AWS4-HMAC-SHA256 Credential=...` header, or from a
    presigned request's `X-Amz-Credential`: `<key>/<yyyymmdd>/<region>/<service>/aws4_request`.
    Split, not matched with one regex: a search over a long hostile header must stay linear."""
    if query_credential:
        credential = query_credential
    else:
        text = authorization or ""
        at = text.find(_CREDENTIAL)
        if at < 0:
            return None
        credential = _END_OF_VALUE.split(text[at + len(_CREDENTIAL) :], maxsplit=1)[0]
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not _DATE.fullmatch(parts[1]) or not all(parts):
        return None
    return CredentialScope(access_key_id=parts[0], region=parts[2], service=parts[3])
