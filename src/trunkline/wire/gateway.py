"""The AWS front door: one endpoint for every service.

Routes a raw HTTP request to (service, operation) — by `X-Amz-Target` for JSON protocols, by the
form's `Action` plus the SigV4 scope's service for query protocols — parses and validates its
parameters from the model, calls the backend, and serialises the result or the error.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

from botocore.model import OperationModel

from trunkline.errors import AuthFailure, AwsError
from trunkline.wire import models
from trunkline.wire.errors import WireResponse, authentication_error, render_error, validation_error
from trunkline.wire.parsing import parse_json_body, parse_query_form
from trunkline.wire.serializing import ec2_body, json_body, query_body
from trunkline.wire.sigv4 import CredentialScope, credential_scope
from trunkline.wire.validation import validate

log = logging.getLogger("trunkline.wire")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    headers: dict[str, str]  # lower-cased names
    query_string: str
    body: bytes
    path: str = "/"  # as sent, still percent-encoded: SigV4 signs it


@dataclass(frozen=True)
class AwsCall:
    service: str
    operation: str
    params: dict[str, Any]
    scope: CredentialScope | None
    request_id: str
    request: HttpRequest | None = None  # the raw request, for `--auth strict` to verify its signature


class Backend(Protocol):
    def invoke(self, call: AwsCall) -> dict[str, Any]: ...


@dataclass(frozen=True)
class _Route:
    service: str | None
    protocol: str
    operation: OperationModel | None


class _RouteError(Exception):
    def __init__(self, route: _Route, error: AwsError) -> None:
        self.route = route
        self.error = error


def _internal_failure() -> AwsError:
    return AwsError("InternalFailure", "The request processing has failed because of an unknown error.", 500)


def handle(request: HttpRequest, backend: Backend) -> WireResponse:
    request_id = str(uuid.uuid4())
    try:
        route, params, scope = _route_and_parse(request)
    except _RouteError as failure:
        return _error(failure.route, _first_failure(backend, failure, request), request_id)
    except Exception:  # a bug in this layer: still answer in the caller's protocol, never a bare 500
        log.exception("internal error while parsing a request")
        protocol = "json" if "x-amz-target" in request.headers else "query"
        return _error(_Route(None, protocol, None), _internal_failure(), request_id)
    assert route.service is not None and route.operation is not None
    call = AwsCall(route.service, route.operation.name, params, scope, request_id, request)
    try:
        result = backend.invoke(call)
    except AwsError as error:
        return _error(route, error, request_id)
    except Exception:
        log.exception("internal error in %s:%s", route.service, route.operation.name)
        return _error(route, _internal_failure(), request_id)
    try:
        return _success(route, result, request_id)
    except Exception:
        log.exception("cannot serialize the result of %s:%s", route.service, route.operation.name)
        return _error(route, _internal_failure(), request_id)


def _first_failure(backend: Backend, failure: _RouteError, request: HttpRequest) -> AwsError:
    """AWS authenticates a request before it validates it: under `--auth strict` a request that
    is both unauthenticated and invalid gets the authentication error (see runtime.py)."""
    check = getattr(backend, "authentication_failure", None)
    if check is None or failure.route.service is None:
        return failure.error
    denial: AwsError | None = check(failure.route.service, request)
    return denial or failure.error


def _route_and_parse(request: HttpRequest) -> tuple[_Route, dict[str, Any], CredentialScope | None]:
    target = request.headers.get("x-amz-target")
    if target is not None:
        return _json_route(request, target)
    return _query_route(request)


def _json_route(request: HttpRequest, target: str) -> tuple[_Route, dict[str, Any], CredentialScope | None]:
    prefix, _, name = target.rpartition(".")
    service = models.json_target_prefixes().get(prefix)
    unknown = _Route(service, "json", None)
    if service is None:
        raise _RouteError(unknown, AwsError("UnknownOperationException", f"Unknown target: {target}"))
    operation = models.operation_model(service, name)
    if operation is None:
        raise _RouteError(unknown, AwsError("UnknownOperationException", f"Unknown operation {name}"))
    route = _Route(service, "json", operation)
    if request.method != "POST" or not _json_content(request.headers.get("content-type", "")):
        # JSON-protocol services answer only a POST of JSON: anything else names no operation, and
        # a GET must never run one (a link or a prefetch would otherwise create clusters).
        raise _RouteError(unknown, AwsError("UnknownOperationException", ""))
    try:
        params, problems = parse_json_body(request.body, operation.input_shape)
    except AwsError as error:
        raise _RouteError(route, error) from None
    _check(route, params, problems)
    scope = credential_scope(request.headers.get("authorization"))
    return route, params, scope


_JSON_CONTENT_TYPES = frozenset({"application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json"})


def _json_content(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in _JSON_CONTENT_TYPES


def _query_route(request: HttpRequest) -> tuple[_Route, dict[str, Any], CredentialScope | None]:
    form = _form(request)
    query_credential = form.get("X-Amz-Credential")
    scope = credential_scope(request.headers.get("authorization"), query_credential)
    service = _query_service(scope, form)
    protocol = "ec2" if service == "ec2" else "query"
    action = form.get("Action")
    if not action:
        raise _RouteError(_Route(service, protocol, None), AwsError("MissingAction", "Missing Action"))
    if service is None:
        service = _service_for_action(action)
        protocol = "ec2" if service == "ec2" else "query"
    operation = models.operation_model(service, action) if service else None
    if operation is None:
        message = f"The action {action} is not valid for this web service."
        if protocol == "query":
            # IAM and STS word it as other Coral query services do (observed: STS, SES).
            message = f"Could not find operation {action} for version {form.get('Version', '')}"
        raise _RouteError(_Route(service, protocol, None), AwsError("InvalidAction", message))
    assert service is not None
    route = _Route(service, protocol, operation)
    params, problems = parse_query_form(form, operation.input_shape, ec2=protocol == "ec2")
    _check(route, params, problems)
    return route, params, scope


def _form(request: HttpRequest) -> dict[str, str]:
    raw = request.query_string
    if request.method == "POST" and request.body:
        try:
            raw = request.body.decode("utf-8")
        except UnicodeDecodeError:
            error = AwsError("MalformedQueryString", "The query string is not valid UTF-8.")
            raise _RouteError(_unreadable_form_route(request), error) from None
    try:
        return dict(parse_qsl(raw, keep_blank_values=True, errors="strict"))
    except (UnicodeDecodeError, ValueError):
        error = AwsError("MalformedQueryString", "The query string could not be parsed.")
        raise _RouteError(_unreadable_form_route(request), error) from None


def _unreadable_form_route(request: HttpRequest) -> _Route:
    """Whose error format a form we cannot read gets: the signing scope's service, else the one
    whose API version the readable part of the form names (EC2's `Version=2016-11-15`)."""
    scope = credential_scope(request.headers.get("authorization"))
    service = models.signing_names().get(scope.service) if scope is not None else None
    if service is None:
        readable = (request.body or request.query_string.encode()).decode("utf-8", errors="replace")
        version = dict(parse_qsl(readable, keep_blank_values=True)).get("Version", "")
        service = models.query_api_versions().get(version)
    if service is None or models.service_model(service).protocol not in ("query", "ec2"):
        return _Route(None, "query", None)
    return _Route(service, "ec2" if service == "ec2" else "query", None)


def _query_service(scope: CredentialScope | None, form: dict[str, str]) -> str | None:
    if scope is not None:
        service = models.signing_names().get(scope.service)
        if service is not None and models.service_model(service).protocol in ("query", "ec2"):
            return service
    return models.query_api_versions().get(form.get("Version", ""))


def _service_for_action(action: str) -> str | None:
    for name in models.SERVICE_NAMES:
        model = models.service_model(name)
        if model.protocol in ("query", "ec2") and action in model.operation_names:
            return name
    return None


def _check(route: _Route, params: dict[str, Any], problems: list[Any]) -> None:
    assert route.operation is not None and route.service is not None
    problems = problems + validate(params, route.operation.input_shape)
    if problems:
        raise _RouteError(route, validation_error(route.service, route.protocol, problems))


def _error(route: _Route, error: AwsError, request_id: str) -> WireResponse:
    if route.service is None:
        route = _Route("sts" if route.protocol == "query" else "ecs", route.protocol, None)
    assert route.service is not None
    if isinstance(error, AuthFailure):
        error = authentication_error(route.service, route.protocol, error)
    response = render_error(route.service, route.protocol, error, request_id)
    return _with_request_id(response, request_id)


def _success(route: _Route, result: dict[str, Any], request_id: str) -> WireResponse:
    operation = route.operation
    assert operation is not None and route.service is not None
    namespace = models.service_model(route.service).metadata.get("xmlNamespace", "")
    if route.protocol == "json":
        response = WireResponse(200, json_body(operation, result), "application/x-amz-json-1.1")
    elif route.protocol == "ec2":
        response = WireResponse(200, ec2_body(operation, result, request_id, namespace), "text/xml;charset=UTF-8")
    else:
        response = WireResponse(200, query_body(operation, result, request_id, namespace), "text/xml")
    return _with_request_id(response, request_id)


def _with_request_id(response: WireResponse, request_id: str) -> WireResponse:
    headers = response.headers + (("x-amzn-RequestId", request_id),)
    return WireResponse(response.status, response.body, response.content_type, headers)


def render_refusal(headers: Mapping[str, str], error: AwsError, query: str = "") -> WireResponse:
    """An error for a request refused before routing (see guard.py), in the protocol its headers
    suggest: JSON when it names an `X-Amz-Target`, else the error shape of the query service its
    signing scope, or else its form's `Version` or `Action`, names (EC2's `<Response><Errors>`,
    IAM's or Auto Scaling's `ErrorResponse` in their own namespace), as a routed call's error."""
    request_id = str(uuid.uuid4())
    target = headers.get("x-amz-target")
    if target is not None:
        service = models.json_target_prefixes().get(target.rpartition(".")[0])
        return _error(_Route(service, "json", None), error, request_id)
    form = dict(parse_qsl(query, keep_blank_values=True))  # never raises: bad bytes become U+FFFD
    service = _query_service(credential_scope(headers.get("authorization"), form.get("X-Amz-Credential")), form)
    if service is None and form.get("Action"):
        service = _service_for_action(form["Action"])
    return _error(_Route(service, "ec2" if service == "ec2" else "query", None), error, request_id)
