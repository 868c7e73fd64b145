"""The wire layer on its own, no server: request parsing (query, EC2 and JSON), validation
patterns, SigV4 scopes, error rendering, and both directions checked against botocore itself —
botocore's serializers produce requests trunkline must read back exactly, and trunkline's response
bodies must read back exactly through botocore's own response parsers."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.session
import pytest
from botocore.model import OperationModel, ServiceModel, StructureShape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trunkline.errors import AwsError
from trunkline.wire import gateway, serializing
from trunkline.wire.errors import validation_error
from trunkline.wire.gateway import AwsCall, HttpRequest, handle
from trunkline.wire.parsing import parse_json_body, parse_query_form
from trunkline.wire.serializing import ec2_body, json_body, query_body, xml_text
from trunkline.wire.sigv4 import credential_scope
from trunkline.wire.validation import validate

PROPERTIES = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


def _op(service: str, name: str) -> OperationModel:
    return _model(service).operation_model(name)


def _input(service: str, name: str) -> StructureShape:
    shape = _op(service, name).input_shape
    assert shape is not None
    return shape


def _query(service: str, operation: str, form: dict[str, str]) -> tuple[dict[str, Any], list[Any]]:
    return parse_query_form(form, _input(service, operation), ec2=service == "ec2")


def _kinds(problems: list[Any]) -> list[tuple[str, str]]:
    return [(p.kind, p.path) for p in problems]


# --- query protocol (IAM, STS) ---------------------------------------------------------------------


def test_query_member_lists_in_index_order_with_gaps() -> None:
    params, problems = _query(
        "iam",
        "CreateRole",
        {
            "RoleName": "r",
            "AssumeRolePolicyDocument": "{}",
            "Tags.member.10.Key": "ten",
            "Tags.member.10.Value": "10",
            "Tags.member.2.Key": "two",
            "Tags.member.2.Value": "2",
        },
    )
    assert problems == []
    assert params["Tags"] == [{"Key": "two", "Value": "2"}, {"Key": "ten", "Value": "10"}]


def test_query_empty_list_is_name_equals_nothing() -> None:
    params, problems = _query("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Tags": ""})
    assert problems == [] and params["Tags"] == []


def test_query_map_entries() -> None:
    form = {
        "Properties.entry.1.key": "a",
        "Properties.entry.1.value": "1",
        "Properties.entry.2.key": "b",
        "Properties.entry.2.value": "2",
    }
    params, problems = _query("iam", "PutAccountProperties", form)
    assert _kinds(problems) == []
    assert params["Properties"] == {"a": "1", "b": "2"}


@pytest.mark.parametrize("index", ["x", "0", "-1", "1_0", " 1", "１", "1e3", "9999999999"])
def test_query_list_index_must_be_a_positive_decimal(index: str) -> None:
    form = {"RoleName": "r", "AssumeRolePolicyDocument": "{}", f"Tags.member.{index}.Key": "k"}
    params, problems = _query("iam", "CreateRole", form)
    assert _kinds(problems) == [("type", "Tags")]
    assert "Tags" not in params


def test_query_list_without_member_segment_is_malformed() -> None:
    _, problems = _query("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Tags.1.Key": "k"})
    assert _kinds(problems) == [("type", "Tags")]


def test_query_leaf_and_branch_under_one_key_keep_the_branch_for_a_structure() -> None:
    # `Tags.member.1=x` next to `Tags.member.1.Key=k`: the structure is read from its members.
    form = {"Tags.member.1": "x", "Tags.member.1.Key": "k", "Tags.member.1.Value": "v"}
    params, problems = _query("iam", "TagRole", {"RoleName": "r", **form})
    assert problems == [] and params["Tags"] == [{"Key": "k", "Value": "v"}]
    reverse = {"Tags.member.1.Key": "k", "Tags.member.1.Value": "v", "Tags.member.1": "x"}
    assert _query("iam", "TagRole", {"RoleName": "r", **reverse})[0] == params


def test_query_leaf_and_branch_under_one_key_keep_the_leaf_for_a_scalar() -> None:
    params, problems = _query("iam", "GetRole", {"RoleName.x": "1", "RoleName": "r"})
    assert problems == [] and params == {"RoleName": "r"}


def test_query_unknown_parameters_are_ignored() -> None:
    params, problems = _query("iam", "GetRole", {"RoleName": "r", "Foo.member.1.Bar": "x", "a.b.c.d": "y"})
    assert problems == [] and params == {"RoleName": "r"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("false", False), ("TRUE", True), ("yes", None), ("1", None), ("", None)],
)
def test_query_booleans(text: str, expected: bool | None) -> None:
    params, problems = _query("ec2", "DescribeVpcs", {"DryRun": text})
    if expected is None:
        assert _kinds(problems) == [("type", "DryRun")]
    else:
        assert problems == [] and params == {"DryRun": expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", 5), ("+5", 5), ("-5", -5), ("007", 7), ("1.5", None), ("1_0", None), (" 1", None), ("１", None),
     ("1e3", None), ("2147483647", 2147483647), ("2147483648", None), ("-2147483648", -2147483648),
     ("-2147483649", None), ("9" * 5000, None)],
)  # fmt: skip
def test_query_integers(text: str, expected: int | None) -> None:
    """MaxItems is an `integer`: 32 bits, as the service reads it."""
    params, problems = _query("iam", "ListRoles", {"MaxItems": text})
    if expected is None:
        assert _kinds(problems) == [("type", "MaxItems")]
        assert "MaxItems" not in params
    else:
        assert params == {"MaxItems": expected}


def test_query_longs_take_64_bits() -> None:
    params, problems = _query("ec2", "CreateVpnGateway", {"Type": "ipsec.1", "AmazonSideAsn": "9223372036854775807"})
    assert problems == [] and params["AmazonSideAsn"] == 2**63 - 1
    params, problems = _query("ec2", "CreateVpnGateway", {"Type": "ipsec.1", "AmazonSideAsn": "9223372036854775808"})
    assert _kinds(problems) == [("type", "AmazonSideAsn")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-06T07:08:09Z", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
        ("2024-05-06T07:08:09.250Z", datetime(2024, 5, 6, 7, 8, 9, 250000, tzinfo=UTC)),
        ("1700000000", datetime.fromtimestamp(1700000000, UTC)),
        ("soon", None),
        ("1e400", None),
        ("-99999999999999", None),
        ("99999999999999", None),
        ("nan", None),
    ],
)
def test_query_timestamps(text: str, expected: datetime | None) -> None:
    form = {"InstanceType.1": "t3.micro", "StartTime": text, "ProductDescription.1": "Linux/UNIX"}
    params, problems = _query("ec2", "DescribeSpotPriceHistory", form)
    if expected is None:
        assert _kinds(problems) == [("type", "StartTime")]
    else:
        assert problems == [] and params["StartTime"] == expected


# --- EC2 protocol ----------------------------------------------------------------------------------


def test_ec2_filters_and_values() -> None:
    form = {
        "Filter.1.Name": "vpc-id",
        "Filter.1.Value.1": "vpc-1",
        "Filter.1.Value.2": "vpc-2",
        "Filter.2.Name": "tag:Name",
        "Filter.2.Value.1": "x",
        "VpcId.1": "vpc-9",
        "MaxResults": "5",
    }
    params, problems = _query("ec2", "DescribeVpcs", form)
    assert problems == []
    assert params == {
        "Filters": [{"Name": "vpc-id", "Values": ["vpc-1", "vpc-2"]}, {"Name": "tag:Name", "Values": ["x"]}],
        "VpcIds": ["vpc-9"],
        "MaxResults": 5,
    }


def test_ec2_names_capitalise_location_names() -> None:
    # DescribeNetworkInterfaces' Filters has locationName "filter": on the wire it is "Filter".
    params, problems = _query("ec2", "DescribeNetworkInterfaces", {"Filter.1.Name": "n", "Filter.1.Value.1": "v"})
    assert problems == [] and params == {"Filters": [{"Name": "n", "Values": ["v"]}]}
    _, problems = _query("ec2", "DescribeNetworkInterfaces", {"filter.1.Name": "n"})
    assert _kinds(problems) == [("unknown", "filter")]


def test_ec2_query_name_wins_over_location_name() -> None:
    form = {
        "MinCount": "1",
        "MaxCount": "1",
        "NetworkInterface.1.DeviceIndex": "0",
        "NetworkInterface.1.PrivateIpAddresses.1.PrivateIpAddress": "10.0.0.5",
        "NetworkInterface.1.SecurityGroupId.1": "sg-1",
    }
    params, problems = _query("ec2", "RunInstances", form)
    assert problems == []
    interface = params["NetworkInterfaces"][0]
    assert interface["PrivateIpAddresses"] == [{"PrivateIpAddress": "10.0.0.5"}]
    assert interface["Groups"] == ["sg-1"]
    _, problems = _query("ec2", "RunInstances", {**form, "NetworkInterface.1.PrivateIpAddressesSet.1.X": "y"})
    assert _kinds(problems)[0] == ("unknown", "PrivateIpAddressesSet")


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("ImageType", "ImageType"),  # top level, as EC2 answered the appoxy/aws client
        ("Filter.1.Values.1", "Values"),  # nested: EC2 names the first segment it does not know
        ("Filter.x.Name", "x"),
        ("Filter.0.Name", "0"),
        ("DryRun.Value", "Value"),
    ],
)
def test_ec2_unknown_parameter_names_the_first_unknown_segment(key: str, named: str) -> None:
    _, problems = _query("ec2", "DescribeImages", {"Owner.1": "self", key: "v"})
    assert problems[0].kind == "unknown" and problems[0].path == named
    error = validation_error("ec2", "ec2", problems)
    assert (error.code, error.message) == ("UnknownParameter", f"The parameter {named} is not recognized")


@pytest.mark.parametrize(
    ("operation", "form"),
    [
        ("DescribeVpcs", {"VpcId": "vpc-1"}),  # a list given as a single value
        ("DescribeVpcs", {"Filter.1": "vpc-id"}),  # a structure given as a single value
        ("ModifyInstanceAttribute", {"InstanceId": "i-1", "SriovNetSupport": "simple"}),
    ],
)
def test_ec2_a_known_parameter_of_the_wrong_kind_is_an_invalid_value(operation: str, form: dict[str, str]) -> None:
    _, problems = _query("ec2", operation, form)
    assert [p.kind for p in problems] == ["type"]
    assert validation_error("ec2", "ec2", problems).code == "InvalidParameterValue"


def test_ec2_unknown_parameter_comes_before_missing_ones() -> None:
    _, problems = _query("ec2", "DeleteVpc", {"VpcIdentifier": "vpc-1"})
    assert validation_error("ec2", "ec2", problems + validate({}, _input("ec2", "DeleteVpc"))).code == (
        "UnknownParameter"
    )


def test_ec2_earliest_unknown_parameter_is_named() -> None:
    _, problems = _query("ec2", "DescribeVpcs", {"Zeta": "1", "VpcId.1": "v", "Alpha": "2"})
    assert _kinds(problems) == [("unknown", "Zeta")]


def test_ec2_signature_parameters_are_not_input() -> None:
    envelope = {
        "AWSAccessKeyId": "AKID",
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Signature": "x",
        "Timestamp": "2024-01-01T00:00:00Z",
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": "AKID/20240101/us-east-1/ec2/aws4_request",
        "X-Amz-Date": "20240101T000000Z",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": "0" * 64,
    }
    params, problems = _query("ec2", "DescribeVpcs", envelope)
    assert problems == [] and params == {}


# --- JSON protocol ---------------------------------------------------------------------------------


def _json(service: str, operation: str, body: bytes) -> tuple[dict[str, Any], list[Any]]:
    return parse_json_body(body, _input(service, operation))


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"clusters": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"maxResults": NaN}',
        b'{"maxResults": Infinity}',
        b"\xff\xfe\x00",
        b"[]",
        b"null",
        b"{",
    ],
)
def test_json_bodies_that_are_not_a_json_object_are_serialization_errors(body: bytes) -> None:
    with pytest.raises(AwsError) as caught:
        _json("ecs", "ListClusters", body)
    assert caught.value.code == "SerializationException"


def test_json_recursive_shapes_have_a_depth_bound() -> None:
    aggregator: dict[str, Any] = {"Expression": "AWS:Application.Name"}
    for _ in range(200):
        aggregator = {"Expression": "x", "Aggregators": [aggregator]}
    with pytest.raises(AwsError) as caught:
        _json("ssm", "GetInventory", json.dumps({"Aggregators": [aggregator]}).encode())
    assert caught.value.code == "SerializationException"
    shallow = {"Aggregators": [{"Expression": "x", "Aggregators": [{"Expression": "y"}]}]}
    assert _json("ssm", "GetInventory", json.dumps(shallow).encode())[0] == shallow


# The messages marked "observed" were seen from real Coral JSON services (floci-io/floci PRs #2512
# and #2686: SES v2 and EventBridge Scheduler); the others follow their pattern.
_NOT_A_STRING = "Start of structure or map found where not expected."


@pytest.mark.parametrize(
    ("operation", "member", "raw", "message"),
    [
        ("ListClusters", "nextToken", "5", "NUMBER_VALUE can not be converted to a String"),  # observed
        ("ListClusters", "nextToken", "true", "TRUE_VALUE can not be converted to a String"),  # observed
        ("ListClusters", "nextToken", "{}", _NOT_A_STRING),  # observed
        ("ListClusters", "nextToken", "[]", _NOT_A_STRING),  # observed
        ("DescribeClusters", "clusters", '"c"', "Expected list or null"),  # observed
        ("DescribeClusters", "clusters", "[1]", "NUMBER_VALUE can not be converted to a String"),  # observed
        ("RunTask", "networkConfiguration", '"awsvpc"', "Expected null"),  # observed
        ("ListClusters", "maxResults", '"5"', "STRING_VALUE can not be converted to an Integer"),
        ("ListClusters", "maxResults", "false", "FALSE_VALUE can not be converted to an Integer"),
        ("ListClusters", "maxResults", "1.0", "NUMBER_VALUE can not be converted to an Integer"),
        ("ListClusters", "maxResults", "9223372036854775808", "NUMBER_VALUE can not be converted to an Integer"),
        ("ListClusters", "maxResults", "1e999", "NUMBER_VALUE can not be converted to an Integer"),
        ("ListClusters", "nextToken", '"\\ud800"', "Invalid JSON string: a lone surrogate escape is not a Unicode character."),
        ("ListClusters", "nextToken", '"ok\\udfff"', "Invalid JSON string: a lone surrogate escape is not a Unicode character."),
    ],
)  # fmt: skip
def test_json_member_of_the_wrong_type(operation: str, member: str, raw: str, message: str) -> None:
    params, problems = _json("ecs", operation, f'{{"{member}": {raw}}}'.encode())
    assert [p.kind for p in problems] == ["type"]
    assert problems[0].path.split(".")[0] == member
    assert member not in params or params[member] == [None]
    error = validation_error("ecs", "json", problems)
    assert (error.code, error.message) == ("SerializationException", message)


def test_json_duplicate_keys_take_the_last_and_nul_is_text() -> None:
    params, problems = _json("ecs", "ListClusters", b'{"nextToken": "a", "nextToken": "b\\u0000"}')
    assert problems == [] and params == {"nextToken": "b\x00"}


def test_json_empty_body_is_an_empty_object() -> None:
    assert _json("ecs", "ListClusters", b"  \n") == ({}, [])


# --- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "ok"),
    [("Team", True), ("cost center", True), ("ünïcödé-1.2:3/4=5+6@7", True), ("a#b", False), ("tab\there", False)],
)
def test_tag_key_patterns_use_unicode_categories(key: str, ok: bool) -> None:
    # IAM's tag patterns use Java's \p{L}, \p{Z} and \p{N}, which Python's `re` cannot compile.
    params = {"RoleName": "r", "Tags": [{"Key": key, "Value": "v"}]}
    problems = validate(params, _input("iam", "TagRole"))
    assert [p.kind for p in problems] == ([] if ok else ["pattern"])


def test_megabyte_strings_get_length_errors_not_a_crash() -> None:
    # One megabyte through a regex-checked member and a \p{..}-checked one: length errors, no crash.
    params = {"RoleName": "a" * 1_000_000, "Tags": [{"Key": "é" * 1_000_000, "Value": "v"}]}
    kinds = sorted(p.kind for p in validate(params, _input("iam", "TagRole")))
    assert kinds == ["length", "length"]


# --- SigV4 credential scopes -----------------------------------------------------------------------


def test_credential_scope_from_header_and_from_presigned_query() -> None:
    header = (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc"
    )
    scope = credential_scope(header)
    assert scope is not None and (scope.access_key_id, scope.region, scope.service) == (
        "AKIDEXAMPLE",
        "eu-west-1",
        "iam",
    )
    presigned = credential_scope(None, "AKID2/20240101/us-east-1/sts/aws4_request")
    assert presigned is not None and presigned.service == "sts"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer token",
        "AWS4-HMAC-SHA256 Credential=AKID/2024/us-east-1/iam/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101//iam/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/iam/aws5_request",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/iam/extra/aws4_request",
        "Credential=" * 5000,
        "AWS4-HMAC-SHA256 Credential=" + "a/" * 5000,
    ],
)
def test_malformed_credential_scopes_are_ignored(header: str) -> None:
    assert credential_scope(header) is None


# --- the gateway's last line of defence ------------------------------------------------------------


class _Backend:
    def __init__(self, result: Any) -> None:
        self.result = result

    def invoke(self, call: AwsCall) -> dict[str, Any]:
        return self.result  # type: ignore[no-any-return]


def _post(body: bytes, headers: dict[str, str]) -> HttpRequest:
    return HttpRequest("POST", headers, "", body)


def test_a_result_that_cannot_be_serialized_is_an_internal_failure_in_the_protocol() -> None:
    request = _post(
        b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=sess", {}
    )
    response = handle(request, _Backend({"Credentials": "not a structure"}))
    assert response.status == 500
    assert b"<Code>InternalFailure</Code>" in response.body
    assert b"<ErrorResponse" in response.body


def test_a_bug_while_parsing_is_an_internal_failure_in_the_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(body: bytes, shape: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(gateway, "parse_json_body", broken)
    headers = {
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters",
        "content-type": "application/x-amz-json-1.1",  # JSON services answer only JSON (issue 13)
    }
    response = handle(_post(b"{}", headers), _Backend({}))
    assert response.status == 500
    assert json.loads(response.body) == {
        "__type": "InternalFailure",
        "message": "The request processing has failed because of an unknown error.",
    }


def test_xml_text_drops_what_xml_cannot_carry() -> None:
    assert xml_text("a\x00b\ud800c<&>\r\n") == "a\ufffdb\ufffdc&lt;&amp;&gt;&#13;\n"


# --- round trips through botocore ------------------------------------------------------------------

_WORD = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_characters="\x7f", include_characters="\t\n\r"),
    max_size=12,
)
_SECOND = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)).map(
    lambda moment: moment.replace(microsecond=0)
)


@cache
def _value(service: str, shape_name: str, depth: int) -> st.SearchStrategy[Any]:
    """Valid values of one shape of a service's model: what a client would really send or receive."""
    shape = _model(service).shape_for(shape_name)
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if depth > 3 and shape.metadata.get("union"):  # still exactly one member: a scalar one
            scalars = [n for n, m in shape.members.items() if m.type_name not in ("structure", "list", "map")]
            return st.one_of(
                [_value(service, shape.members[n].name, depth).map(lambda v, n=n: {n: v}) for n in scalars]
            )
        if depth > 3:
            return st.just({})
        members = {
            name: st.deferred(lambda m=member.name: _value(service, m, depth + 1))
            for name, member in shape.members.items()
        }
        if shape.metadata.get("union"):  # exactly one member set
            return st.one_of([value.map(lambda v, n=name: {n: v}) for name, value in members.items()])
        return st.fixed_dictionaries({}, optional=members)
    if kind == "list":
        item = st.deferred(lambda: _value(service, shape.member.name, depth + 1))  # type: ignore[attr-defined]
        return st.just([]) if depth > 3 else st.lists(item, min_size=1, max_size=2)
    if kind == "map":
        value = st.deferred(lambda: _value(service, shape.value.name, depth + 1))  # type: ignore[attr-defined]
        return st.just({}) if depth > 3 else st.dictionaries(_WORD, value, min_size=1, max_size=2)
    if kind == "string":
        return st.sampled_from(shape.enum) if shape.enum else _WORD
    return {
        "integer": st.integers(-(2**31), 2**31 - 1),
        "long": st.integers(-(2**63), 2**63 - 1),
        "boolean": st.booleans(),
        "float": st.floats(allow_nan=False, allow_infinity=False),
        "double": st.floats(allow_nan=False, allow_infinity=False),
        "timestamp": _SECOND,
        "blob": st.binary(max_size=8),
    }.get(kind, _WORD)


def _normal(value: Any) -> Any:
    """Compare what each side can express: empty containers and None mean absent."""
    if isinstance(value, dict):
        out = {k: _normal(v) for k, v in value.items() if k != "ResponseMetadata"}
        return {k: v for k, v in out.items() if v not in (None, [], {})}
    if isinstance(value, list):  # an empty structure in a list has no query-protocol form at all
        return [v for v in map(_normal, value) if v != {}]
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0)
    return value


def _operations_with(service: str, shape_of: str) -> list[str]:
    model = _model(service)
    return [name for name in model.operation_names if getattr(model.operation_model(name), shape_of) is not None]


@pytest.mark.parametrize("service", ["iam", "sts", "ec2", "ecs", "ssm"])
def test_requests_botocore_serializes_parse_back_to_the_same_parameters(service: str) -> None:
    protocol = _model(service).protocol
    serializer = create_serializer(protocol, include_validation=False)

    @PROPERTIES
    @given(data=st.data(), name=st.sampled_from(_operations_with(service, "input_shape")))
    def round_trip(data: st.DataObject, name: str) -> None:
        operation = _op(service, name)
        assert operation.input_shape is not None
        params = data.draw(_value(service, operation.input_shape.name, 0))
        request = serializer.serialize_to_request(params, operation)
        if protocol == "json":
            parsed, problems = parse_json_body(request["body"], operation.input_shape)
        else:
            form = {k: str(v) for k, v in request["body"].items() if k not in ("Action", "Version")}
            parsed, problems = parse_query_form(form, operation.input_shape, ec2=protocol == "ec2")
        assert [p for p in problems if p.kind in ("type", "unknown")] == []
        assert _normal(parsed) == _normal(params)

    round_trip()


@pytest.mark.parametrize("service", ["iam", "sts", "ec2", "ecs", "ssm"])
def test_responses_parse_back_through_botocore_to_the_same_result(service: str) -> None:
    protocol = _model(service).protocol
    parser = create_parser(protocol)
    namespace = _model(service).metadata.get("xmlNamespace", "")

    @PROPERTIES
    @given(data=st.data(), name=st.sampled_from(_operations_with(service, "output_shape")))
    def round_trip(data: st.DataObject, name: str) -> None:
        operation = _op(service, name)
        assert operation.output_shape is not None
        result = data.draw(_value(service, operation.output_shape.name, 0))
        if protocol == "json":
            body = json_body(operation, result)
        elif protocol == "ec2":
            body = ec2_body(operation, result, "req-1", namespace)
        else:
            body = query_body(operation, result, "req-1", namespace)
        response = {"status_code": 200, "headers": {"x-amzn-requestid": "req-1"}, "body": body}
        parsed = parser.parse(response, operation.output_shape)
        assert parsed["ResponseMetadata"]["RequestId"] == "req-1"
        assert _normal(parsed) == _normal(result)

    round_trip()


def _reference_json(value: Any, shape: Any) -> Any:
    """The JSON serialiser as it was before per-shape converters (issue 16, s5-16-fixed): each value
    asks its shape for its kind and members."""
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None:
                serializing._unknown(shape, name)
            elif item is not None:
                out[name] = _reference_json(item, member)
        return out
    if kind == "list":
        return [_reference_json(item, shape.member) for item in value]
    if kind == "map":
        return {key: _reference_json(item, shape.value) for key, item in value.items()}
    if kind == "timestamp":
        return serializing._as_datetime(value).timestamp()
    if kind == "blob":
        return base64.b64encode(value).decode()
    return value


@pytest.mark.parametrize("service", ["ecs", "ssm", "logs"])
def test_json_bodies_are_what_the_shape_by_shape_serialiser_wrote(service: str) -> None:
    """The per-shape converters write, byte for byte, what walking each value's shape wrote, for
    generated answers of every operation (private `_` fields dropped, None members left out)."""

    @PROPERTIES
    @given(data=st.data(), name=st.sampled_from(_operations_with(service, "output_shape")), extra=st.booleans())
    def same(data: st.DataObject, name: str, extra: bool) -> None:
        operation = _op(service, name)
        assert operation.output_shape is not None
        result = data.draw(_value(service, operation.output_shape.name, 0))
        if extra:  # what records carry besides their shape's members: private fields, None members
            result = {**result, "_account": "123456789012"}
            result.update(dict.fromkeys(list(operation.output_shape.members)[:1]))
        expected = serializing._json_bytes(_reference_json(result, operation.output_shape))
        assert json_body(operation, result) == expected
        with pytest.raises(serializing.UnknownOutputMember, match="no member 'notAMember'"):  # strict, as before
            json_body(operation, {**result, "notAMember": 1})

    same()
