"""Bad input never breaks the server: hypothesis sends at least 1,000 random or malformed raw HTTP
requests per protocol (awsJson1_1 for ECS, SSM and CloudWatch Logs, query for IAM and STS, ec2 for EC2) and every
answer must be a client error or success in the protocol's own format, never a 5xx, and must leave
stored state exactly as it was.

"No change to stored state" is a strict check because every request is, by construction, unable to
change state legitimately: it calls a read operation (Describe*, List*, Get*), or a write operation
with at least one required member left out, or no operation at all.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import quote

import botocore.session
import httpx
import pytest
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("TRUNKLINE_FUZZ_EXAMPLES", "1000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
REGION = "us-east-1"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
JSON_CONTENT = "application/x-amz-json-1.1"

# Operations named like reads that nevertheless issue credentials (and so write state).
_NOT_READS = {("sts", "GetSessionToken"), ("sts", "GetFederationToken"), ("sts", "GetWebIdentityToken")}

# Reads by nature although not named so.
_OTHER_READS = {("logs", "FilterLogEvents")}

# The CloudWatch Logs operations trunkline answers; fuzzed more often than the other 100.
_LOGS_FOCUS = (
    "CreateLogGroup",
    "DeleteLogGroup",
    "DescribeLogGroups",
    "PutRetentionPolicy",
    "DeleteRetentionPolicy",
    "TagLogGroup",
    "UntagLogGroup",
    "ListTagsLogGroup",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    "CreateLogStream",
    "DeleteLogStream",
    "DescribeLogStreams",
    "PutLogEvents",
    "GetLogEvents",
    "FilterLogEvents",
)

# The EC2 operations trunkline is about; fuzzed more often than the other 800.
_EC2_FOCUS = (
    "DescribeVpcs",
    "DescribeSubnets",
    "DescribeSecurityGroups",
    "DescribeSecurityGroupRules",
    "DescribeNetworkInterfaces",
    "DescribeNetworkInterfaceAttribute",
    "DescribeInstances",
    "DescribeInstanceStatus",
    "DescribeInstanceAttribute",
    "DescribeInstanceTypes",
    "DescribeAvailabilityZones",
    "DescribeAccountAttributes",
    "DescribeRegions",
    "DescribeTags",
    "DescribeTrunkInterfaceAssociations",
    "DescribeImages",
    "CreateSubnet",
    "CreateSecurityGroup",
    "CreateNetworkInterface",
    "AttachNetworkInterface",
    "DetachNetworkInterface",
    "DeleteVpc",
    "DeleteSubnet",
    "DeleteNetworkInterface",
    "RunInstances",
    "TerminateInstances",
    "CreateTags",
    "DeleteTags",
    "AssociateTrunkInterface",
    "ModifyNetworkInterfaceAttribute",
    "ModifyPrivateDnsNameOptions",
    "DescribeInternetGateways",
    "DescribeRouteTables",
    "DescribeNetworkAcls",
    "DescribeNatGateways",
    "DescribeAddresses",
    "DescribeLaunchTemplates",
    "DescribeLaunchTemplateVersions",
    "AttachInternetGateway",
    "DetachInternetGateway",
    "CreateRoute",
    "ReplaceRoute",
    "DeleteRoute",
    "AssociateRouteTable",
    "ReplaceRouteTableAssociation",
    "AssociateAddress",
    "CreateNatGateway",
    "CreateLaunchTemplate",
    "CreateLaunchTemplateVersion",
    "DeleteLaunchTemplateVersions",
    # session 8's operations (instance attributes, volumes, credits, prefix lists)
    "ModifyInstanceAttribute",
    "ModifyInstanceMetadataOptions",
    "MonitorInstances",
    "UnmonitorInstances",
    "ModifyInstanceMaintenanceOptions",
    "AttachVolume",
    "DetachVolume",
    "DeleteVolume",
    "ModifyVolume",
    "DescribeVolumes",
    "DescribeVolumesModifications",
    "DescribeInstanceCreditSpecifications",
    "ModifyInstanceCreditSpecification",
    "DescribePrefixLists",
)


# --- the service models, as the clients see them --------------------------------------------------


@cache
def _model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


def _is_read(service: str, name: str) -> bool:
    if (service, name) in _OTHER_READS:
        return True
    return name.startswith(("Describe", "List", "Get")) and (service, name) not in _NOT_READS


def _fuzzable(service: str, name: str) -> bool:
    """Reads, and writes that the fuzzer can make invalid by leaving out a required member."""
    if _is_read(service, name):
        return True
    shape = _model(service).operation_model(name).input_shape
    return shape is not None and bool(shape.required_members)


@cache
def _operations(service: str) -> tuple[str, ...]:
    return tuple(name for name in _model(service).operation_names if _fuzzable(service, name))


def _operation(service: str, name: str) -> OperationModel:
    return _model(service).operation_model(name)


def _top_name(member: Shape, name: str, protocol: str) -> str:
    """The wire name of a top-level member, as botocore's serializers spell it."""
    if protocol == "json":
        return name
    if protocol == "ec2":
        if "queryName" in member.serialization:
            return str(member.serialization["queryName"])
        location = member.serialization.get("name")
        return str(location[0].upper() + location[1:]) if location else name
    return str(member.serialization.get("name", name))


@cache
def _wire_names(service: str, name: str, protocol: str) -> frozenset[str]:
    shape = _operation(service, name).input_shape
    return frozenset(_top_name(m, n, protocol) for n, m in (shape.members.items() if shape else ()))


@cache
def _forbidden_keys(service: str, name: str, protocol: str) -> frozenset[str]:
    """The wire names a write must not carry, so that its required members stay missing."""
    if _is_read(service, name):
        return frozenset()
    shape = _operation(service, name).input_shape
    assert shape is not None
    return frozenset(_top_name(shape.members[m], m, protocol) for m in shape.required_members)


# --- typed values for a shape (what a client would send), then garbage ------------------------------

_text = st.text(max_size=24)
_weird_text = st.sampled_from(
    ["", " ", "\x00", "\x7f", "\u2603", "\ufeff", "\uffff", "<&>'\"", "]]>", "a" * 5000, "é" * 300, "%", "\\", "null"]
)
_garbage_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(),
    _text,
    _weird_text,
)
_garbage_str = _garbage_scalar.map(str)
_garbage_json = st.recursive(
    _garbage_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


_MAX_DEPTH = 3


@cache
def _typed(service: str, shape_name: str, depth: int) -> st.SearchStrategy[Any]:
    """Values of the shape's own type, so botocore can serialize them; a few members per
    structure (the big EC2 inputs have dozens), empty containers below `_MAX_DEPTH`."""
    shape = _model(service).shape_for(shape_name)
    kind = shape.type_name
    deeper = depth + 1
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if depth >= _MAX_DEPTH or not shape.members:
            return st.just({})
        return _structure_values(service, shape_name, deeper)
    if kind == "list":
        if depth >= _MAX_DEPTH:
            return st.just([])
        return st.lists(_typed(service, shape.member.name, deeper), max_size=2)
    if kind == "map":
        if depth >= _MAX_DEPTH:
            return st.just({})
        return st.dictionaries(_text, _typed(service, shape.value.name, deeper), max_size=2)
    if kind == "string":
        return st.sampled_from(shape.enum) | _text | _weird_text if shape.enum else _text | _weird_text
    if kind in ("integer", "long"):
        return st.integers(min_value=-(2**63), max_value=2**63) | st.sampled_from([0, -1, 2**31, 2**63 - 1])
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(timezones=st.just(UTC))
    if kind == "blob":
        return st.binary(max_size=16)
    return _text


@st.composite
def _structure_values(draw: st.DrawFn, service: str, shape_name: str, depth: int) -> dict[str, Any]:
    members = _model(service).shape_for(shape_name).members  # type: ignore[attr-defined]
    names = draw(_member_subsets(service, shape_name))
    return {name: draw(_typed(service, members[name].name, depth)) for name in names}


@cache
def _member_subsets(service: str, shape_name: str) -> st.SearchStrategy[list[str]]:
    members = sorted(_model(service).shape_for(shape_name).members)  # type: ignore[attr-defined]
    return st.lists(st.sampled_from(members), max_size=4, unique=True)


@cache
def _typed_input(service: str, name: str) -> st.SearchStrategy[Any]:
    shape = _operation(service, name).input_shape
    return _typed(service, shape.name, 0) if shape is not None else st.just({})


# --- raw requests --------------------------------------------------------------------------------


@dataclass
class RawRequest:
    method: str = "POST"
    headers: dict[str, str | bytes] = field(default_factory=dict)
    query: str = ""  # ASCII, sent as is (percent-garbage included)
    body: bytes = b""
    service: str | None = None
    operation: str | None = None

    def __repr__(self) -> str:  # what hypothesis prints for a falsifying example
        return (
            f"RawRequest({self.method} /?{self.query[:300]!r} headers={self.headers!r} "
            f"body={self.body[:600]!r}{'...' if len(self.body) > 600 else ''})"
        )


def _scope(service: str, region: str = REGION, key: str = ACCESS_KEY, date: str = "20240101") -> str:
    return (
        f"AWS4-HMAC-SHA256 Credential={key}/{date}/{region}/{service}/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, Signature=" + "0" * 64
    )


_header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
_weird_authorization = st.one_of(
    st.builds(
        _scope,
        st.sampled_from(["iam", "sts", "ec2", "ecs", "ssm", "s3", "", "IAM"])
        | _header_text.filter(lambda s: "/" not in s),
        st.sampled_from([REGION, "eu-west-1", "us-gov-west-1", "", "x" * 300, "Us-East-1"])
        | _header_text.filter(lambda s: "/" not in s),
        st.sampled_from([ACCESS_KEY, "", "ASIAQQQQQQQQQQQQQQQQ"]) | _header_text.filter(lambda s: "/" not in s),
        st.sampled_from(["20240101", "2024", "yyyymmdd"]),
    ),
    _header_text,
    st.sampled_from(
        ["Credential=" * 3000, "AWS4-HMAC-SHA256 Credential=" + "a/" * 3000, "AWS4-HMAC-SHA256", "Bearer x"]
    ),
    st.binary(max_size=30).map(lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F)),
)


def _percent(text: str) -> str:
    return quote(text, safe="")


_index = st.sampled_from(["1", "2", "3"]) | st.sampled_from(
    ["0", "-1", "01", "x", "", "99999999999999999999", "1_0", " 1", "+1", "１", "1e3"]
)
_percent_garbage = st.sampled_from(["%", "%z", "%zz", "%ff", "%c3%28", "%ed%a0%80", "%00", "&&", "==", "=", "&=&", ";"])


def _mangle_indexes(key: str, draw: st.DrawFn) -> str:
    parts = key.split(".")
    return ".".join(draw(_index) if part.isdigit() else part for part in parts)


@cache
def _extra_pairs(service: str, name: str, protocol: str) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Keys no client sends: unknown, deeply dotted, or a real member with a bogus tail."""
    shape = _operation(service, name).input_shape
    members = sorted(shape.members if shape else ()) or ["X"]
    keys = st.one_of(
        _text,
        st.sampled_from(["Foo.member.1.Bar", "member.1", "entry.1.key", "Filter.1.Value.x", ".", "..", "a..b", ""]),
        st.integers(1, 400).map(lambda n: ".".join(["a"] * n)),
        st.integers(1, 400).map(lambda n: "Filter" + ".1" * n),
        st.sampled_from(members).map(lambda m: f"{m}.{'member.' if protocol == 'query' else ''}1.Zz"),
    )
    return st.lists(st.tuples(keys, _garbage_str), min_size=1, max_size=3)


@cache
def _serializer(protocol: str) -> Any:
    return create_serializer(protocol, include_validation=False)


def _form_pairs(draw: st.DrawFn, service: str, name: str, protocol: str) -> list[tuple[str, str]]:
    """A botocore-serialized form for the operation, then mangled: garbage values, odd indexes,
    prefixes of real keys (leaf/branch conflicts), unknown and deeply dotted keys."""
    operation = _operation(service, name)
    pairs: list[tuple[str, str]] = []
    if operation.input_shape is not None:
        params = draw(_typed_input(service, name))
        body = _serializer(protocol).serialize_to_request(params, operation)["body"]
        pairs = [(k, str(v)) for k, v in body.items() if k not in ("Action", "Version")]
    mangled: list[tuple[str, str]] = []
    for key, value in pairs:
        choice = draw(_MANGLE)
        if choice == 0:
            continue
        if choice == 1:
            value = draw(_garbage_str)
        elif choice == 2:
            key = _mangle_indexes(key, draw)
        elif choice == 3 and "." in key:
            mangled.append((key.rsplit(".", 1)[0], draw(_text)))
        mangled.append((key, value))
    if draw(_ONE_IN_FIVE) == 0:
        mangled += draw(_extra_pairs(service, name, protocol))
    forbidden = _forbidden_keys(service, name, protocol) | {"Action", "Version", "X-Amz-Credential"}
    return [(k, v) for k, v in mangled if k.split(".", 1)[0] not in forbidden]


_MANGLE = st.integers(0, 19)  # 0: drop the key, 1: garbage value, 2: odd indexes, 3: add a leaf at a branch
_SPLICES = st.integers(0, 9)
_SPLICE = _percent_garbage | _percent_garbage.map(lambda g: f"Bad{g}=x{g}")


def _encoded_form(draw: st.DrawFn, pairs: list[tuple[str, str]]) -> str:
    """Percent-encode the pairs (ASCII output), splicing in percent-encoding garbage now and then."""
    pieces = [f"{_percent(k)}={_percent(v)}" for k, v in pairs]
    for _ in range(max(0, draw(_SPLICES) - 7)):  # mostly none, sometimes one or two
        at = draw(st.integers(0, len(pieces)))
        pieces.insert(at, draw(_SPLICE))
    return "&".join(pieces)


_ALL_QUERY_ACTIONS = frozenset(
    name
    for service in ("iam", "sts", "ec2", "autoscaling")
    for name in botocore.session.get_session().get_service_model(service).operation_names
)
_GARBAGE_ACTION = _text.filter(lambda a: a not in _ALL_QUERY_ACTIONS)
_ACTION_KIND = st.integers(0, 15)
# "" stands for the service's own version, "-" for none at all.
_VERSIONS = st.sampled_from(["", "", "", "", "", "-", "2016-11-15", "2010-05-08", "2011-06-15", "2014-11-13", "x"])


def _action(draw: st.DrawFn, operation: str) -> str:
    """Mostly the operation itself; sometimes a near miss or garbage (no real action of any service)."""
    kind = draw(_ACTION_KIND)
    if kind < 12:
        return operation
    return {12: operation.lower(), 13: "", 14: " " + operation}.get(kind) or draw(_GARBAGE_ACTION)


# The IAM policy and tag operations trunkline serves; fuzzed more often than the other 150.
_IAM_FOCUS = (
    "PutRolePolicy",
    "GetRolePolicy",
    "ListRolePolicies",
    "DeleteRolePolicy",
    "PutUserPolicy",
    "GetUserPolicy",
    "ListUserPolicies",
    "DeleteUserPolicy",
    "CreatePolicy",
    "GetPolicy",
    "DeletePolicy",
    "ListPolicies",
    "CreatePolicyVersion",
    "GetPolicyVersion",
    "ListPolicyVersions",
    "DeletePolicyVersion",
    "SetDefaultPolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "ListAttachedRolePolicies",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "ListAttachedUserPolicies",
    "ListEntitiesForPolicy",
    "TagRole",
    "UntagRole",
    "ListRoleTags",
    "TagUser",
    "UntagUser",
    "ListUserTags",
    "TagPolicy",
    "UntagPolicy",
    "ListPolicyTags",
    # session 8's operations (permissions boundaries, the simulator, service-linked roles)
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "PutUserPermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "SimulateCustomPolicy",
    "SimulatePrincipalPolicy",
    "ListGroupsForUser",
    "DeleteServiceLinkedRole",
    "GetServiceLinkedRoleDeletionStatus",
)


@st.composite
def query_requests(draw: st.DrawFn) -> RawRequest:
    """IAM, STS and Auto Scaling: query-protocol forms, valid and invalid Actions, odd signatures, GET or POST."""
    service = draw(st.sampled_from(["iam", "iam", "sts", "autoscaling"]))
    operations = _operations(service)
    focus = [name for name in _IAM_FOCUS if name in operations] if service == "iam" else []
    operation: str | None = draw(
        st.sampled_from(focus) | st.sampled_from(operations) if focus else st.sampled_from(operations)
    )
    assert operation is not None
    pairs = _form_pairs(draw, service, operation, "query")
    action = _action(draw, operation)
    if action != operation:
        operation = None
    head: list[tuple[str, str]] = []
    if draw(_MANGLE) > 0:
        head.append(("Action", action))
    version = draw(_VERSIONS) or _model(service).api_version
    if version != "-":
        head.append(("Version", version))
    headers: dict[str, str | bytes] = {}
    if draw(st.booleans()):
        headers["Authorization"] = _scope(service)
    elif draw(st.booleans()):
        headers["Authorization"] = draw(_weird_authorization)
    if draw(st.integers(0, 9)) == 0:
        head.append(("X-Amz-Credential", draw(_header_text)))
    encoded = _encoded_form(draw, head + pairs)
    if draw(st.integers(0, 4)) == 0:
        return RawRequest("GET", headers, query=encoded, service=service, operation=operation)
    headers["Content-Type"] = draw(st.sampled_from([FORM, FORM, "application/json", "text/plain", ""]))
    body = encoded.encode()
    if draw(st.integers(0, 9)) == 0:
        body += draw(st.binary(min_size=1, max_size=20))  # raw bytes, often invalid UTF-8
    return RawRequest("POST", headers, body=body, service=service, operation=operation)


_EC2_FILTERS = st.tuples(
    st.sampled_from(["Filter.{n}.Name", "Filter.{n}.Value.{m}", "Filter.{n}.Values.{m}", "Filter.{n}", "Filter"]),
    _index,
    _index,
    _garbage_str | st.sampled_from(["vpc-id", "tag:Name", "tag-key", "*", "?", "\\*", "[a-"]),
).map(lambda t: (t[0].format(n=t[1], m=t[2]), t[3]))
_EC2_SCALARS = st.tuples(
    st.sampled_from(["MaxResults", "maxResults", "DryRun", "NextToken", "dryRun"]),
    st.sampled_from(["0", "5", "1000", "-1", "1.5", "abc", "", "true", "TRUE", "yes", "99999999999999999999999"]),
)


_EC2_EXTRAS = st.lists(_EC2_FILTERS | _EC2_SCALARS, max_size=3)


@cache
def _ec2_focus() -> list[str]:
    return [name for name in _EC2_FOCUS if _fuzzable("ec2", name)]


@st.composite
def ec2_requests(draw: st.DrawFn) -> RawRequest:
    """EC2: Filter.N.Name/Value.M garbage, wrong types for integers and booleans, random Actions."""
    operation: str | None = draw(st.sampled_from(_ec2_focus()) | st.sampled_from(_operations("ec2")))
    assert operation is not None
    pairs = _form_pairs(draw, "ec2", operation, "ec2")
    extras = draw(_EC2_EXTRAS)
    if draw(_ONE_IN_FIVE) > 0:  # mostly only the parameters the operation has: more requests reach the backend
        extras = [(k, v) for k, v in extras if k.split(".", 1)[0] in _wire_names("ec2", operation, "ec2")]
    extras = [(k, v) for k, v in extras if k.split(".", 1)[0] not in _forbidden_keys("ec2", operation, "ec2")]
    action = _action(draw, operation)
    if action != operation:
        operation = None
    version = draw(_VERSIONS) or "2016-11-15"
    head = [("Action", action)] + ([("Version", version)] if version != "-" else [])
    headers: dict[str, str | bytes] = {"Content-Type": FORM}
    if draw(st.booleans()):
        headers["Authorization"] = _scope("ec2")
    encoded = _encoded_form(draw, head + pairs + extras)
    if draw(st.integers(0, 4)) == 0:
        return RawRequest("GET", {}, query=encoded, service="ec2", operation=operation)
    return RawRequest("POST", headers, body=encoded.encode(), service="ec2", operation=operation)


_ONE_IN_FIVE = st.integers(0, 4)


def _weighted(draw_valid: st.SearchStrategy[Any], draw_wrong: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly `draw_valid` (four in five), so that most requests get past routing."""
    return _ONE_IN_FIVE.flatmap(lambda n: draw_wrong if n == 0 else draw_valid)


@cache
def _json_targets(service: str) -> st.SearchStrategy[tuple[str, str | None]]:
    prefix = _model(service).metadata["targetPrefix"]
    names = _operations(service)
    valid = st.sampled_from(names).map(lambda n: (f"{prefix}.{n}", n))
    if service == "logs":
        focus = [n for n in _LOGS_FOCUS if n in names]
        valid = st.sampled_from(focus).map(lambda n: (f"{prefix}.{n}", n)) | valid
    wrong = st.one_of(
        st.sampled_from(names).map(lambda n: f"{prefix}.{n.lower()}"),
        st.sampled_from(names).map(lambda n: f"{prefix}{n}"),
        _text.map(lambda t: f"{prefix}.{t}"),
        st.sampled_from(["", ".", prefix, prefix + ".", "AmazonEC2.DescribeVpcs", "AWSSecurityTokenServiceV20110615"]),
        _header_text,
    )
    wrong_target = wrong.filter(lambda t: t.rpartition(".")[2] not in names).map(lambda t: (t, None))
    return _weighted(draw_valid=valid, draw_wrong=wrong_target)


_DEEP = st.integers(1, 150_000)
_JSON_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" * 5000, "1e-400", "-0", "9223372036854775808"]
_JSON_STRINGS = ['"\\ud800"', '"\\udfff\\ud800x"', '"\\u0000"', '"\\u001f"', '"' + "a" * 200_000 + '"', '"\\uffff"']


@cache
def _json_body(service: str, operation: str | None) -> st.SearchStrategy[bytes]:
    """Bodies for one target: shaped objects with wrong member types, and outright garbage."""
    shape = _operation(service, operation).input_shape if operation else None
    forbidden = _forbidden_keys(service, operation, "json") if operation else frozenset()
    members = [m for m in (shape.members if shape else {}) if m not in forbidden] or ["zz"]

    def without_required(obj: Any) -> Any:
        return {k: v for k, v in obj.items() if k not in forbidden} if isinstance(obj, dict) else obj

    shaped: st.SearchStrategy[Any] = _typed_input(service, operation) if operation else st.just({})
    wrong_types = st.dictionaries(st.sampled_from(members), _garbage_json, max_size=3)

    def encode(obj: Any) -> bytes:
        return json.dumps(without_required(obj), default=_json_default).encode()

    as_json = (shaped | wrong_types | _garbage_json).map(encode)
    member = st.sampled_from(members)
    raw = st.one_of(
        st.tuples(member, st.sampled_from(_JSON_NUMBERS + _JSON_STRINGS)).map(
            lambda t: f'{{"{t[0]}": {t[1]}}}'.encode()
        ),
        st.tuples(member, _DEEP).map(lambda t: f'{{"{t[0]}": {"[" * t[1]}{"]" * t[1]}}}'.encode()),
        _DEEP.map(lambda n: ('{"a":' * n + "1" + "}" * n).encode()),
        _DEEP.map(lambda n: b"[" * n),
        member.map(lambda m: f'{{"{m}": 1, "{m}": "x", "{m}": {{}}}}'.encode()),
        st.sampled_from([b"", b" ", b"\n", b"[]", b"null", b"1", b'"x"', b"true", b"{", b"{}}", b"\xef\xbb\xbf{}"]),
        st.binary(max_size=64),
        as_json.map(lambda b: b.decode().encode("utf-16")),
    )
    return _weighted(draw_valid=shaped.map(encode), draw_wrong=as_json | raw)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(type(value))


@st.composite
def json_requests(draw: st.DrawFn) -> RawRequest:
    """ECS, SSM and CloudWatch Logs: awsJson1_1 targets and bodies, with wrong content types and odd
    signatures."""
    service = draw(st.sampled_from(["ecs", "ssm", "logs"]))
    target, operation = draw(_json_targets(service))
    body = draw(_json_body(service, operation))
    headers: dict[str, str | bytes] = {
        "X-Amz-Target": target,
        "Content-Type": draw(st.sampled_from([JSON_CONTENT] * 4 + ["application/json", "text/plain", "", FORM])),
    }
    if draw(st.booleans()):
        headers["Authorization"] = _scope(service)
    method = draw(st.sampled_from(["POST"] * 9 + ["GET"]))
    return RawRequest(method, headers, body=body, service=service, operation=operation)


# --- sending and judging ---------------------------------------------------------------------------


def _header_bytes(value: str | bytes) -> bytes:
    """Any header value as bytes HTTP/1.1 can carry (UTF-8 and Latin-1 pass; line breaks cannot)."""
    raw = value.encode() if isinstance(value, str) else value
    return bytes(c for c in raw if c >= 0x20 and c != 0x7F).strip(b" \t")


def _send(client: httpx.Client, request: RawRequest) -> httpx.Response:
    url = client.base_url.copy_with(raw_path=("/?" + request.query if request.query else "/").encode())
    headers = {name: _header_bytes(value) for name, value in request.headers.items()}
    return client.request(request.method, url, headers=headers, content=request.body)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_json(response: httpx.Response, request: RawRequest) -> None:
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    if response.status_code >= 400:
        assert isinstance(body.get("__type"), str) and body["__type"], body
        assert isinstance(body.get("message"), str), body
        assert response.headers.get("x-amzn-errortype") == body["__type"]
    _parse_with_botocore("json", response, request)


def _check_xml(response: httpx.Response, request: RawRequest) -> None:
    root = ET.fromstring(response.content)
    if response.status_code < 400:
        assert _local(root.tag) == f"{request.operation}Response", response.text[:300]
        protocol = "ec2" if request.service == "ec2" else "query"
    else:
        codes = [e.text for e in root.iter() if _local(e.tag) == "Code"]
        assert len(codes) == 1 and codes[0], response.text[:300]
        assert _local(root.tag) in ("ErrorResponse", "Response"), response.text[:300]
        protocol = "ec2" if _local(root.tag) == "Response" else "query"
    _parse_with_botocore(protocol, response, request)


def _parse_with_botocore(protocol: str, response: httpx.Response, request: RawRequest) -> None:
    """The answer must make sense to botocore's own parser for the protocol, as a client reads it."""
    shape = None
    if response.status_code < 400 and request.service and request.operation:
        shape = _operation(request.service, request.operation).output_shape
    parsed = create_parser(protocol).parse(
        {"status_code": response.status_code, "headers": dict(response.headers), "body": response.content}, shape
    )
    if response.status_code >= 400:
        assert parsed["Error"]["Code"], parsed
    assert parsed["ResponseMetadata"]["RequestId"], parsed


def _judge(response: httpx.Response, request: RawRequest, protocol: str) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    assert response.headers.get("x-amzn-requestid"), dict(response.headers)
    if protocol == "json":
        _check_json(response, request)
    else:
        _check_xml(response, request)


# --- the runs ----------------------------------------------------------------------------------


@pytest.fixture
def http(server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def _digest(client: httpx.Client) -> str:
    response = client.get("/_trunkline/state/digest")
    response.raise_for_status()
    return str(response.json()["digest"])


@pytest.fixture
def seeded(aws: Callable[..., Any], http: httpx.Client) -> httpx.Client:
    """State for the fuzzer to (not) disturb, so reads have something to describe: IAM identities,
    a VPC with a subnet, a security group, an internet gateway and a routed table, an Elastic IP and a
    launch template, an ECS cluster and an account setting, a log group with a stream and an event.
    Nothing that
    schedules work (instances, attachments): the reconciler must not change state during the run."""
    iam = aws("iam")
    statement = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    iam.create_role(RoleName="fuzz-role", AssumeRolePolicyDocument=trust, Tags=[{"Key": "k", "Value": "v"}])
    iam.create_user(UserName="fuzz-user")
    iam.create_access_key(UserName="fuzz-user")
    iam.create_instance_profile(InstanceProfileName="fuzz-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="fuzz-profile", RoleName="fuzz-role")
    allow = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}
    )
    iam.put_role_policy(RoleName="fuzz-role", PolicyName="fuzz-inline", PolicyDocument=allow)
    policy = iam.create_policy(PolicyName="fuzz-policy", PolicyDocument=allow, Tags=[{"Key": "k", "Value": "v"}])
    iam.attach_role_policy(RoleName="fuzz-role", PolicyArn=policy["Policy"]["Arn"])
    iam.attach_user_policy(
        UserName="fuzz-user", PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
    )
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")
    ec2.create_security_group(VpcId=vpc, GroupName="fuzz", Description="fuzz")
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "fuzz"}])
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    ec2.allocate_address(Domain="vpc")
    ec2.create_launch_template(LaunchTemplateName="fuzz", LaunchTemplateData={"InstanceType": "c5.large"})
    ecs = aws("ecs")
    ecs.create_cluster(clusterName="fuzz", tags=[{"key": "k", "value": "v"}])
    ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    logs = aws("logs")
    logs.create_log_group(logGroupName="fuzz", tags={"k": "v"})
    logs.create_log_stream(logGroupName="fuzz", logStreamName="s")
    now = int(http.get("/_trunkline/clock").json()["epochSeconds"] * 1000)
    logs.put_log_events(logGroupName="fuzz", logStreamName="s", logEvents=[{"timestamp": now, "message": "m"}])
    return http


_DIGEST_EVERY = 10  # requests between state checks: each check is one more round trip


def _fuzz(client: httpx.Client, strategy: st.SearchStrategy[RawRequest], protocol: str) -> None:
    start = _digest(client)
    sent: list[RawRequest] = []
    checked = {"digest": start, "at": 0}

    @FUZZ
    @given(request=strategy)
    def run(request: RawRequest) -> None:
        response = _send(client, request)
        sent.append(request)
        _judge(response, request, protocol)
        if len(sent) - checked["at"] < _DIGEST_EVERY:
            return
        suspects, checked["at"] = sent[checked["at"] :], len(sent)
        after = _digest(client)
        changed, checked["digest"] = after != checked["digest"], after  # report a change once, not ever after
        assert not changed, f"one of these requests changed stored state: {suspects}"

    run()
    assert len(sent) >= EXAMPLES
    assert _digest(client) == start, f"stored state changed during the last requests: {sent[checked['at'] :]}"


def test_fuzz_json_protocol(seeded: httpx.Client) -> None:
    _fuzz(seeded, json_requests(), "json")


def test_fuzz_query_protocol(seeded: httpx.Client) -> None:
    _fuzz(seeded, query_requests(), "query")


def test_fuzz_ec2_protocol(seeded: httpx.Client) -> None:
    _fuzz(seeded, ec2_requests(), "ec2")


def test_fuzz_requests_are_well_formed_for_reads() -> None:
    """The generators' building blocks: forms serialize as botocore sends them, and the ops the
    fuzzer may call are reads or writes with a required member it can withhold."""
    assert "ListRoles" in _operations("iam") and "CreateRole" in _operations("iam")
    assert "GetSessionToken" not in _operations("sts")
    assert "CreateCluster" not in _operations("ecs")  # no required member: it could succeed
    assert "FilterLogEvents" in _operations("logs") and "CreateLogGroup" in _operations("logs")
    assert _forbidden_keys("ec2", "CreateTags", "ec2") == {"ResourceId", "Tag"}
    assert _forbidden_keys("iam", "CreateRole", "query") == {"RoleName", "AssumeRolePolicyDocument"}


def _messages(error: BaseException) -> list[str]:
    """The texts of an error and of everything grouped in it (hypothesis groups flaky failures)."""
    inner = getattr(error, "exceptions", ())
    return [str(error), *(text for e in inner for text in _messages(e))]


def test_the_state_check_catches_a_request_that_writes(seeded: httpx.Client) -> None:
    """The harness itself: a request that does change state must fail the run."""
    creates = st.uuids().map(
        lambda u: RawRequest(
            "POST",
            {"Content-Type": FORM},
            body=f"Action=CreateInstanceProfile&Version=2010-05-08&InstanceProfileName=p{u.hex}".encode(),
            service="iam",
            operation="CreateInstanceProfile",
        )
    )
    with pytest.raises(Exception) as caught:  # an AssertionError, or hypothesis's group of one
        _fuzz(seeded, creates, "query")
    assert any("changed stored state" in text for text in _messages(caught.value)), _messages(caught.value)


# --- hostile classes (issue 13): nulls, NULs, huge numbers, deep nesting, non-ASCII digits ----------
#
# Values of each operation's own shapes, with hostile leaves: every operation of every service
# (not a sample), so a 500 in any handler that trusts its input shows up. The state rule holds:
# reads, and writes without their required members.

_NUL_TEXT = st.sampled_from(["\x00", "a\x00", "\x00b", "vpc-\x00", "i-0123\x00abcd", "10.0.0.\x00"])
_UNICODE_DIGITS = st.sampled_from(["²", "٣", "١٢", "\U0001d7d9", "¹⁰", "５"])
_HUGE_INTEGERS = st.sampled_from([2**63, -(2**63) - 1, 10**30, 2**200, -(10**40)])


@cache
def _hostile(service: str, shape_name: str, depth: int) -> st.SearchStrategy[Any]:
    shape = _model(service).shape_for(shape_name)
    kind = shape.type_name
    if depth >= _MAX_DEPTH and kind in ("structure", "list", "map"):
        return st.just(None)
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        members = sorted(shape.members)
        if not members:
            return st.just({})
        return st.dictionaries(
            st.sampled_from(members), st.deferred(lambda: _member_hostile(service, shape_name, depth)), max_size=4
        )
    if kind == "list":
        item = st.none() | _hostile(service, shape.member.name, depth + 1)
        return st.lists(item, max_size=3)
    if kind == "map":
        return st.dictionaries(
            _text | _NUL_TEXT, st.none() | _hostile(service, shape.value.name, depth + 1), max_size=2
        )
    if kind in ("integer", "long", "float", "double", "timestamp"):
        return _HUGE_INTEGERS | _UNICODE_DIGITS | st.none()
    if kind == "boolean":
        return st.booleans() | st.none() | _UNICODE_DIGITS
    return _NUL_TEXT | _UNICODE_DIGITS | st.sampled_from(getattr(shape, "enum", None) or ["x"]) | st.none()


def _member_hostile(service: str, shape_name: str, depth: int) -> st.SearchStrategy[Any]:
    members = _model(service).shape_for(shape_name).members  # type: ignore[attr-defined]
    return st.sampled_from(sorted(members)).flatmap(lambda m: _hostile(service, members[m].name, depth + 1))


def _structure_hostile(service: str, operation: str) -> st.SearchStrategy[dict[str, Any]]:
    shape = _operation(service, operation).input_shape
    if shape is None:
        return st.just({})
    members = shape.members
    names = st.lists(st.sampled_from(sorted(members)), min_size=1, max_size=4, unique=True) if members else st.just([])
    return names.flatmap(
        lambda chosen: st.fixed_dictionaries({n: _hostile(service, members[n].name, 1) for n in chosen})
    )


def _deep(value: str, levels: int) -> str:
    return "[" * levels + value + "]" * levels


@st.composite
def hostile_json_requests(draw: st.DrawFn) -> RawRequest:
    """ECS and SSM, every fuzzable operation: shaped bodies with nulls, NULs, huge numbers,
    Unicode digits, and a member nested thousands deep."""
    service = draw(st.sampled_from(["ecs", "ssm"]))
    operation = draw(st.sampled_from(_operations(service)))
    forbidden = _forbidden_keys(service, operation, "json")
    params = {k: v for k, v in draw(_structure_hostile(service, operation)).items() if k not in forbidden}
    body = json.dumps(params)
    if params and draw(_ONE_IN_FIVE) == 0:
        member = draw(st.sampled_from(sorted(params)))
        body = json.dumps({**params, member: "DEEP"}).replace('"DEEP"', _deep("null", draw(st.integers(50, 20_000))))
    prefix = _model(service).metadata["targetPrefix"]
    headers: dict[str, str | bytes] = {"X-Amz-Target": f"{prefix}.{operation}", "Content-Type": JSON_CONTENT}
    if draw(st.booleans()):
        headers["Authorization"] = _scope(service)
    return RawRequest("POST", headers, body=body.encode(), service=service, operation=operation)


def _query_value(value: Any) -> Any:
    """botocore's query serializers take str for every scalar; None members are left out."""
    if isinstance(value, dict):
        return {k: _query_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_query_value(v) for v in value if v is not None]
    return value if isinstance(value, str) else str(value)


@st.composite
def hostile_query_requests(draw: st.DrawFn) -> RawRequest:
    """EC2, IAM, STS and Auto Scaling, every fuzzable operation: botocore-serialized forms of hostile
    values, list indexes in Unicode digits, NULs in values."""
    service = draw(st.sampled_from(["ec2", "ec2", "iam", "sts", "autoscaling"]))
    protocol = "ec2" if service == "ec2" else "query"
    operation = draw(st.sampled_from(_operations(service)))
    operation_model = _operation(service, operation)
    params = _query_value(draw(_structure_hostile(service, operation)))
    pairs: list[tuple[str, str]] = []
    if operation_model.input_shape is not None:
        try:
            body = _serializer(protocol).serialize_to_request(params, operation_model)["body"]
        except Exception:  # a value botocore itself cannot write (a str for a nested structure)
            body = {}
        pairs = [(k, str(v)) for k, v in body.items() if k not in ("Action", "Version")]
    if pairs and draw(_ONE_IN_FIVE) == 0:
        at = draw(st.integers(0, len(pairs) - 1))
        key, value = pairs[at]
        digits = draw(_UNICODE_DIGITS)
        pairs[at] = (".".join(digits if p.isascii() and p.isdigit() else p for p in key.split(".")), value)
    forbidden = _forbidden_keys(service, operation, protocol)
    pairs = [(k, v) for k, v in pairs if k.split(".", 1)[0] not in forbidden]
    head = [("Action", operation), ("Version", _model(service).api_version)]
    headers: dict[str, str | bytes] = {"Content-Type": FORM, "Authorization": _scope(service)}
    encoded = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in head + pairs)
    return RawRequest("POST", headers, body=encoded.encode(), service=service, operation=operation)


HOSTILE_EXAMPLES = max(EXAMPLES // 2, 50)
HOSTILE = settings(FUZZ, max_examples=HOSTILE_EXAMPLES)


def _fuzz_hostile(client: httpx.Client, strategy: st.SearchStrategy[RawRequest], protocol: str) -> None:
    start = _digest(client)

    @HOSTILE
    @given(request=strategy)
    def run(request: RawRequest) -> None:
        response = _send(client, request)
        _judge(response, request, protocol if request.service not in ("ec2",) else "ec2")

    run()
    assert _digest(client) == start


def test_fuzz_hostile_json_classes(seeded: httpx.Client) -> None:
    _fuzz_hostile(seeded, hostile_json_requests(), "json")


def test_fuzz_hostile_query_classes(seeded: httpx.Client) -> None:
    _fuzz_hostile(seeded, hostile_query_requests(), "query")


def test_hostile_generators_reach_every_operation() -> None:
    """The hostile classes are drawn for every fuzzable operation of every service."""
    counted = 0
    for service in ("ecs", "ssm", "ec2", "iam", "sts", "autoscaling"):
        for operation in _operations(service):
            _structure_hostile(service, operation).validate()  # a strategy for each, from its shapes
            counted += 1
    assert counted > 500  # EC2 alone has hundreds


# --- mutated requests (issue 13): the cheap generator benchmarks/fuzz_count.py sends 100,000 of ------


def test_fuzz_mutated_requests(seeded: httpx.Client) -> None:
    """tests/fuzz_mutate.py's requests (a pool drawn from the generators above, mutated and
    recombined): never a 5xx, every answer in its protocol's format, and no change to stored state,
    so the mutations keep the rule that no request can change state legitimately."""
    from fuzz_mutate import Mutator, draw_pool  # tests/ is on sys.path under pytest

    mutator = Mutator(draw_pool(max(EXAMPLES // 10, 20)), seed=EXAMPLES)
    start = _digest(seeded)
    for n in range(EXAMPLES):
        request = mutator.next()
        response = _send(seeded, request)
        protocol = "json" if "X-Amz-Target" in request.headers else "ec2" if request.service == "ec2" else "query"
        if request.method in ("GET", "POST"):
            _judge(response, request, protocol)
        else:  # PUT, DELETE, PATCH: the routing layer's 405, outside any protocol
            assert response.status_code == 405, (response.status_code, response.text[:300], request)
        if n % 50 == 49:
            assert _digest(seeded) == start, f"stored state changed by one of the 50 requests up to {request!r}"
    assert _digest(seeded) == start
