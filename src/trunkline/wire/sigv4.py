"""What a SigV4-signed request says about its caller: the credential scope (access key id,
region, service), read for every request, and, for `--auth strict`, the string to sign recomputed
from the raw request (`read_signed_request`); `domain/authentication.py` checks it with the secret.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, unquote_plus

from botocore.utils import normalize_url_path

from trunkline.errors import AuthFailure

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


# --- the signed request, recomputed from the raw request (`--auth strict`) ----------------------

ALGORITHM = "AWS4-HMAC-SHA256"
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_UNSIGNED = "UNSIGNED-PAYLOAD"
_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_BLANKS = re.compile(r"\s+")
_PRESIGN_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders")
_MAX_EXPIRES = 604800  # seconds: the SDKs' limit for a presigned URL (a week)


class RawRequest(Protocol):
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def headers(self) -> dict[str, str]: ...  # lower-case names, repeated values joined with ","
    @property
    def query_string(self) -> str: ...
    @property
    def body(self) -> bytes: ...


@dataclass(frozen=True)
class SignedRequest:
    """Everything the verifier needs, computed here from the bytes received; nothing the client
    claims about its canonical form is used."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    terminator: str
    amz_date: str  # yyyymmddThhmmssZ
    expires: int | None  # presigned URLs only
    session_token: str | None
    signature: str
    canonical_request: str
    string_to_sign: str
    payload_problem: str | None = None  # x-amz-content-sha256 that is not the body's hash


def is_signed(request: RawRequest) -> bool:
    return "authorization" in request.headers or "X-Amz-Algorithm" in _query_params(request.query_string)


def read_signed_request(request: RawRequest) -> SignedRequest:
    """Parse the SigV4 header or presigned query parameters and recompute the string to sign.
    Raises AuthFailure ("missing", "incomplete") when there is nothing well-formed to verify."""
    params = _query_params(request.query_string)
    header = request.headers.get("authorization")
    if header is not None and "X-Amz-Algorithm" in params:
        raise AuthFailure(
            "incomplete", "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
        )
    if header is not None:
        return _from_header(request, header)
    if "X-Amz-Algorithm" in params:
        return _from_query(request, params)
    raise AuthFailure("missing", "Request is missing Authentication Token")


def _from_header(request: RawRequest, header: str) -> SignedRequest:
    fields = _header_fields(header)
    credential, signed_headers, signature = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
    amz_date = request.headers.get("x-amz-date")
    if amz_date is None:
        raise AuthFailure(
            "incomplete",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            f"Authorization={header}",
        )
    claimed = request.headers.get("x-amz-content-sha256")
    actual = hashlib.sha256(request.body).hexdigest()
    payload_hash = claimed if claimed is not None else actual
    problem = None
    if claimed is not None and claimed != _UNSIGNED and claimed != actual:
        problem = "The provided 'x-amz-content-sha256' header does not match what was computed."
    query = _canonical_query(_query_pairs(request.query_string))
    token = request.headers.get("x-amz-security-token")
    return _signed(request, credential, signed_headers, signature, amz_date, None, token, query, payload_hash, problem)


def _from_query(request: RawRequest, params: dict[str, str]) -> SignedRequest:
    missing = [name for name in _PRESIGN_PARAMS if name not in params]
    if missing:
        raise AuthFailure(
            "incomplete",
            "AWS query-string parameters must include " + ", ".join(f"'{name}'" for name in _PRESIGN_PARAMS) + ". "
            "Re-examine the query-string parameters.",
        )
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise AuthFailure("incomplete", f"Unsupported AWS 'algorithm': '{params['X-Amz-Algorithm']}'")
    expires = None
    if "X-Amz-Expires" in params:
        raw = params["X-Amz-Expires"]
        if not raw.isascii() or not raw.isdigit() or len(raw) > 7 or not 1 <= int(raw) <= _MAX_EXPIRES:
            raise AuthFailure("incomplete", f"X-Amz-Expires must be between 1 and {_MAX_EXPIRES} seconds, not '{raw}'.")
        expires = int(raw)
    pairs = [(k, v) for k, v in _query_pairs(request.query_string) if k != "X-Amz-Signature"]
    return _signed(
        request,
        params["X-Amz-Credential"],
        params["X-Amz-SignedHeaders"],
        params["X-Amz-Signature"],
        params["X-Amz-Date"],
        expires,
        params.get("X-Amz-Security-Token"),
        _canonical_query(pairs),
        hashlib.sha256(request.body).hexdigest() if request.body else _EMPTY_SHA256,
        None,
    )


def _signed(
    request: RawRequest,
    credential: str,
    signed_headers: str,
    signature: str,
    amz_date: str,
    expires: int | None,
    token: str | None,
    canonical_query: str,
    payload_hash: str,
    payload_problem: str | None,
) -> SignedRequest:
    parts = credential.split("/")
    if len(parts) != 5 or not parts[0]:
        raise AuthFailure(
            "incomplete",
            f"Credential should be scoped by '<key>/<date>/<region>/<service>/aws4_request', not '{credential}'.",
        )
    if not _AMZ_DATE.fullmatch(amz_date):
        raise AuthFailure("incomplete", f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'.")
    names = signed_headers.split(";")
    if "host" not in names:
        raise AuthFailure("incomplete", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    canonical = "\n".join(
        [
            request.method,
            _canonical_uri(request.path),
            canonical_query,
            "".join(f"{name}:{_header_value(request.headers.get(name, ''))}\n" for name in names),
            signed_headers,
            payload_hash,
        ]
    )
    scope = "/".join(parts[1:])
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    return SignedRequest(
        access_key_id=parts[0],
        scope_date=parts[1],
        region=parts[2],
        service=parts[3],
        terminator=parts[4],
        amz_date=amz_date,
        expires=expires,
        session_token=token,
        signature=signature,
        canonical_request=canonical,
        string_to_sign=string_to_sign,
        payload_problem=payload_problem,
    )


def _header_fields(header: str) -> dict[str, str]:
    """`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`, with AWS's complaints."""
    algorithm, _, rest = header.strip().partition(" ")
    fields: dict[str, str] = {}
    if algorithm == ALGORITHM:
        for part in rest.split(","):
            token = part.strip()
            if not token:
                continue
            name, equals, value = token.partition("=")
            if not equals:
                raise AuthFailure(
                    "incomplete",
                    f"'{token}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'.",
                )
            fields[name] = value
    missing = [name for name in ("Credential", "Signature", "SignedHeaders") if not fields.get(name)]
    if missing:
        sentences = " ".join(f"Authorization header requires '{name}' parameter." for name in missing)
        raise AuthFailure("incomplete", f"{sentences} Authorization={header}")
    return fields


def _query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote_plus(name), unquote_plus(value)))  # '+' is a space, as in forms
    return pairs


def _query_params(query: str) -> dict[str, str]:
    return dict(_query_pairs(query))


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def _canonical_query(pairs: list[tuple[str, str]]) -> str:
    encoded = sorted((_encode(name), _encode(value)) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


def _canonical_uri(path: str) -> str:
    """Every service here but S3: dot segments removed (botocore's own normalisation), then the
    raw, already percent-encoded path encoded once more (`%2F` -> `%252F`), as AWS expects."""
    return quote(normalize_url_path(path or "/"), safe="/~")


def _header_value(value: str) -> str:
    return _BLANKS.sub(" ", value.strip())
