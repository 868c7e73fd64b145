"""The one error type every layer raises: an AWS error code and message, protocol-neutral.

The wire layer renders it in the protocol of the service that was called; the HTTP status comes
from the service model's error shape for the code when the model has one, else from `status`.
"""

from __future__ import annotations


class AwsError(Exception):
    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class ValidationProblem:
    """One violated constraint of the input shape, before it is phrased in a service's style."""

    __slots__ = ("constraint", "kind", "path", "value")

    def __init__(self, path: str, kind: str, constraint: str, value: object) -> None:
        self.path = path
        self.kind = kind  # "missing", "type", "length", "range", "pattern", "enum", "unknown"
        self.constraint = constraint
        self.value = value
