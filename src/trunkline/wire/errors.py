"""AWS errors on the wire: each protocol's body format, HTTP statuses from the service model, and
validation problems phrased the way each service phrases them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from trunkline.errors import AuthFailure, AwsError, ValidationProblem, ec2_max_results_error
from trunkline.wire.models import service_model
from trunkline.wire.serializing import xml_text


@dataclass(frozen=True)
class WireResponse:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


@cache
def _modelled_statuses(service: str) -> dict[str, tuple[int, bool]]:
    """Error code -> (HTTP status, sender fault) from the model's exception shapes."""
    model = service_model(service)
    out: dict[str, tuple[int, bool]] = {}
    for name in model.shape_names:
        shape = model.shape_for(name)
        if not shape.metadata.get("exception"):
            continue
        error = shape.metadata.get("error", {})
        code = error.get("code", name)
        fault = bool(shape.metadata.get("fault"))
        status = error.get("httpStatusCode", 500 if fault else 400)
        out[code] = (status, not fault)
    return out


def status_for(service: str, error: AwsError) -> tuple[int, bool]:
    if error.status is not None:
        return error.status, error.status < 500
    return _modelled_statuses(service).get(error.code, (400, True))


def render_error(service: str, protocol: str, error: AwsError, request_id: str) -> WireResponse:
    status, sender = status_for(service, error)
    message = error.message
    if protocol == "json":
        body = json.dumps({"__type": error.code, "message": message}).encode()
        return WireResponse(status, body, "application/x-amz-json-1.1", (("x-amzn-ErrorType", error.code),))
    code, text = xml_text(error.code), xml_text(message)
    if protocol == "ec2":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
            f"<Message>{text}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        ).encode()
        return WireResponse(status, body, "text/xml;charset=UTF-8")
    namespace = service_model(service).metadata.get("xmlNamespace", "")
    kind = "Sender" if sender else "Receiver"
    body = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type><Code>{code}</Code>'
        f"<Message>{text}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    return WireResponse(status, body, "text/xml")


# --- authentication failures, in each protocol's words --------------------------------------------

_INVALID_TOKEN = "The security token included in the request is invalid."
_EXPIRED_TOKEN = "The security token included in the request is expired"
_EC2_CREDENTIALS = "AWS was not able to validate the provided access credentials"
_EC2_EXPIRED = "Request has expired."

# kind -> (code, HTTP status, message or None to keep the raised one); docs/decisions.md, "--auth strict"
_AUTH_JSON = {
    "missing": ("MissingAuthenticationTokenException", 400, None),
    "incomplete": ("IncompleteSignatureException", 400, None),
    "unknown-key": ("UnrecognizedClientException", 400, _INVALID_TOKEN),
    "bad-signature": ("InvalidSignatureException", 400, None),
    "expired-token": ("ExpiredTokenException", 400, _EXPIRED_TOKEN),
    "expired-signature": ("InvalidSignatureException", 400, None),
}
_AUTH_EC2 = {
    "missing": ("MissingAuthenticationToken", 401, None),
    "incomplete": ("IncompleteSignature", 400, None),
    "unknown-key": ("AuthFailure", 401, _EC2_CREDENTIALS),
    "bad-signature": ("AuthFailure", 401, _EC2_CREDENTIALS),
    "expired-token": ("RequestExpired", 400, _EC2_EXPIRED),
    "expired-signature": ("RequestExpired", 400, _EC2_EXPIRED),
}


def authentication_error(service: str, protocol: str, error: AuthFailure) -> AwsError:
    """The failure as `service` reports it: query services keep the raised code; STS also
    spells out the canonical request and string to sign it expected, as STS does."""
    if protocol == "json":
        code, status, message = _AUTH_JSON[error.kind]
    elif protocol == "ec2":
        code, status, message = _AUTH_EC2[error.kind]
    else:
        code, status, message = error.code, error.status or 403, None
        if service == "sts" and error.detail:
            message = error.message + error.detail
    return AwsError(code, message or error.message, status)


# --- validation problems, in each service's words -------------------------------------------------


def _coral_value(problem: ValidationProblem) -> str:
    if problem.value is None:
        return "null"
    if isinstance(problem.value, (list, dict)):
        return str(problem.value)
    return f"'{problem.value}'"


def _coral_message(problems: list[ValidationProblem]) -> str:
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    details = "; ".join(
        f"Value {_coral_value(p)} at '{p.path}' failed to satisfy constraint: {p.constraint}" for p in problems
    )
    return f"{count} validation {noun} detected: {details}"


def _ec2_name(path: str) -> str:
    return ".".join(part[:1].upper() + part[1:] for part in path.split(".") if part != "member")


def validation_error(service: str, protocol: str, problems: list[ValidationProblem]) -> AwsError:
    """The error a service answers when its input fails the model's constraints."""
    if protocol == "json" and any(p.kind == "type" for p in problems):
        problem = next(p for p in problems if p.kind == "type")
        return AwsError("SerializationException", problem.constraint)
    # A member given in a form its type cannot take parses to nothing, so the required check also
    # finds it missing: it is there, and its value is what is wrong (one member, one problem).
    malformed = {_ec2_name(p.path) for p in problems if p.kind == "type"}
    problems = [p for p in problems if p.kind != "missing" or _ec2_name(p.path) not in malformed]
    if service == "ec2":
        unknown = [p for p in problems if p.kind == "unknown"]
        if unknown:  # EC2 rejects parameters it does not know before it looks at any value
            return AwsError("UnknownParameter", unknown[0].constraint)
        missing = [p for p in problems if p.kind == "missing"]
        if missing:
            return AwsError("MissingParameter", f"The request must contain the parameter {_ec2_name(missing[0].path)}")
        problem = problems[0]
        minimum, maximum = problem.limits
        if problem.kind == "range" and problem.path == "maxResults" and minimum is not None and maximum is not None:
            return ec2_max_results_error(problem.value, minimum, maximum)
        return AwsError(
            "InvalidParameterValue",
            f"Value ({problem.value}) for parameter {_ec2_name(problem.path)} is invalid. {problem.constraint}",
        )
    if service in ("ecs", "logs"):
        # CloudWatch Logs, like ECS, answers model violations as InvalidParameterException.
        return AwsError("InvalidParameterException", _coral_message(problems))
    if protocol == "json":
        return AwsError("ValidationException", _coral_message(problems))
    return AwsError("ValidationError", _coral_message(problems))
