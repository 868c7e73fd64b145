"""`--auth strict`: who signed a request, proven with the secret trunkline holds for the key.

The wire layer recomputes the string to sign from the raw request (`wire/sigv4.py`); this module
finds the key's secret, checks the session token, the credential scope and the time, and
recomputes the HMAC. The checks run in this fixed order (AWS's own precedence among several
faults is not documented): unknown key, session token, scope, time, signature.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Protocol

from trunkline.context import Principal
from trunkline.domain.identity import Keyring, issued_principal, issued_secret, stored_credential, token_digest
from trunkline.errors import AuthFailure
from trunkline.store.api import Transaction

INVALID_TOKEN = "The security token included in the request is invalid."
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
_STAMP = "%Y%m%dT%H%M%SZ"


class Signed(Protocol):
    """What `wire.sigv4.SignedRequest` carries."""

    @property
    def access_key_id(self) -> str: ...
    @property
    def scope_date(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def terminator(self) -> str: ...
    @property
    def amz_date(self) -> str: ...
    @property
    def expires(self) -> int | None: ...
    @property
    def session_token(self) -> str | None: ...
    @property
    def signature(self) -> str: ...
    @property
    def canonical_request(self) -> str: ...
    @property
    def string_to_sign(self) -> str: ...
    @property
    def payload_problem(self) -> str | None: ...


def authenticate(
    tx: Transaction,
    signed: Signed,
    keyring: Keyring,
    now: float,
    wall_now: float,
    signing_name: str,
    skew: int,
) -> Principal:
    """The principal that signed the request, or AuthFailure. `now` is trunkline's clock (session
    expiry); `wall_now` the real time, which clients sign with (X-Amz-Date, presigned expiry);
    `skew` the service's tolerance in seconds. A signature dated by either clock is current: an
    SDK that corrects its clock skew from the answers' Date header (the JavaScript SDK v3) signs by
    trunkline's clock, since that is what Date says (decisions.md, "HTTP Date is trunkline's clock")."""
    principal, secret = _key(tx, signed, keyring, now)
    _check_scope(signed, signing_name)
    try:
        _check_time(signed, wall_now, skew)
    except AuthFailure:
        if now == wall_now or not _current(signed, now, skew):
            raise  # the wall clock's complaint: what a client signing in real time would expect
    expected = hmac.new(
        _signing_key(secret, signed.scope_date, signed.region, signed.service),
        signed.string_to_sign.encode(),
        hashlib.sha256,
    ).hexdigest()
    if signed.payload_problem is not None:
        raise AuthFailure("bad-signature", signed.payload_problem)
    if not hmac.compare_digest(expected, signed.signature.lower() if signed.signature.isascii() else ""):
        detail = (
            f"\n\nThe Canonical String for this request should have been\n'{signed.canonical_request}'\n\n"
            f"The String-to-Sign should have been\n'{signed.string_to_sign}'\n"
        )
        raise AuthFailure("bad-signature", SIGNATURE_MISMATCH, detail)
    return principal


def _key(tx: Transaction, signed: Signed, keyring: Keyring, now: float) -> tuple[Principal, str]:
    record = stored_credential(tx, signed.access_key_id)
    if record is None:
        static = keyring.static.get(signed.access_key_id)
        if static is None or static.secret is None or signed.session_token is not None:
            raise AuthFailure("unknown-key", INVALID_TOKEN)
        return Principal.root(static.account_id), static.secret
    principal = issued_principal(record, now)
    secret = issued_secret(keyring, record)
    if secret is None:
        raise AuthFailure("unknown-key", INVALID_TOKEN)
    digest = record.get("token_sha256")
    token = signed.session_token
    if record.get("kind") == "assumed-role" or digest is not None:
        # A session key is only good with its own token (sent, signed or not, as AWS allows).
        if token is None or digest is None or not hmac.compare_digest(token_digest(token), digest):
            raise AuthFailure("unknown-key", INVALID_TOKEN)
    elif token is not None:
        raise AuthFailure("unknown-key", INVALID_TOKEN)
    return principal, secret


def _check_scope(signed: Signed, signing_name: str) -> None:
    if signed.terminator != "aws4_request":
        raise AuthFailure(
            "bad-signature",
            f"Credential should be scoped with a valid terminator: 'aws4_request', not '{signed.terminator}'. ",
        )
    if signed.service != signing_name:
        raise AuthFailure("bad-signature", f"Credential should be scoped to correct service: '{signing_name}'. ")
    if signed.scope_date != signed.amz_date[:8]:
        raise AuthFailure(
            "bad-signature",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{signed.scope_date}' != '{signed.amz_date[:8]}', from '{signed.amz_date}'.",
        )


def _check_time(signed: Signed, wall_now: float, skew: int) -> None:
    sent = _sent_at(signed.amz_date)
    if sent is None:
        raise AuthFailure("incomplete", f"Date must be in ISO-8601 'basic format'. Got '{signed.amz_date}'.")
    if sent > wall_now + skew:
        raise AuthFailure(
            "expired-signature",
            f"Signature not yet current: {signed.amz_date} is still later than {_stamp(wall_now + skew)} "
            f"({_stamp(wall_now)} + {skew // 60} min.)",
        )
    if signed.expires is not None:
        if wall_now > sent + signed.expires:
            raise AuthFailure(
                "expired-signature",
                f"Signature expired: {signed.amz_date} is now earlier than {_stamp(wall_now - signed.expires)} "
                f"({_stamp(wall_now)} - {signed.expires} sec.)",
            )
    elif sent < wall_now - skew:
        raise AuthFailure(
            "expired-signature",
            f"Signature expired: {signed.amz_date} is now earlier than {_stamp(wall_now - skew)} "
            f"({_stamp(wall_now)} - {skew // 60} min.)",
        )


def _current(signed: Signed, now: float, skew: int) -> bool:
    try:
        _check_time(signed, now, skew)
    except AuthFailure:
        return False
    return True


@functools.lru_cache(maxsize=256)
def _sent_at(amz_date: str) -> float | None:
    """X-Amz-Date as epoch seconds, None if it is no date. A client signs many requests within
    one second, and `strptime` costs more than the rest of the time checks: kept per text."""
    try:
        return datetime.strptime(amz_date, _STAMP).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime(_STAMP)


@functools.lru_cache(maxsize=512)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key
