"""The one error type every layer raises: an AWS error code and message, protocol-neutral.

The wire layer renders it in the protocol of the service that was called; the HTTP status comes
from the service model's error shape for the code when the model has one, else from `status`.
"""

from __future__ import annotations

from typing import ClassVar


class AwsError(Exception):
    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class ValidationProblem:
    """One violated constraint of the input shape, before it is phrased in a service's style."""

    __slots__ = ("constraint", "kind", "limits", "path", "value")

    def __init__(
        self,
        path: str,
        kind: str,
        constraint: str,
        value: object,
        limits: tuple[float | None, float | None] = (None, None),
    ) -> None:
        self.path = path
        self.kind = kind  # "missing", "type", "length", "range", "pattern", "enum", "unknown"
        self.constraint = constraint
        self.value = value
        # A range problem's (min, max) from the shape: some services name both bounds whichever was crossed.
        self.limits = limits


def validation_error(message: str) -> AwsError:
    """The query protocols' generic refusal (Auto Scaling's, for one): `ValidationError`, 400."""
    return AwsError("ValidationError", message)


def ec2_max_results_error(value: object, minimum: float, maximum: float) -> AwsError:
    """EC2's words for a `MaxResults` out of range, whether the model or the operation knows the range."""
    return AwsError(
        "InvalidParameterValue",
        f"Value ( {value} ) for parameter maxResults is invalid. Parameter must be between {minimum} and {maximum}.",
    )


class AuthFailure(AwsError):
    """Credentials or a signature that do not hold. Each protocol names the failure its own way
    (`wire/errors.py`, `authentication_error`), so it is raised by kind, with the query code as a
    placeholder: "missing", "incomplete", "unknown-key", "bad-signature", "expired-token",
    "expired-signature"."""

    CODES: ClassVar[dict[str, tuple[str, int]]] = {
        "missing": ("MissingAuthenticationToken", 403),
        "incomplete": ("IncompleteSignature", 400),
        "unknown-key": ("InvalidClientTokenId", 403),
        "bad-signature": ("SignatureDoesNotMatch", 403),
        "expired-token": ("ExpiredToken", 403),
        "expired-signature": ("SignatureDoesNotMatch", 403),
    }

    def __init__(self, kind: str, message: str, detail: str = "") -> None:
        code, status = self.CODES[kind]
        super().__init__(code, message, status)
        self.kind = kind
        self.detail = detail  # STS appends the expected canonical request and string to sign
