"""The exact wire format of errors, per protocol, over raw HTTP: what SDKs other than boto3 (and
anyone reading a debug log) see. JSON (ECS), query (IAM, STS) and ec2 (EC2) each have their own
body; every answer carries `x-amzn-RequestId`, equal to the request id in an XML body."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ECS = "AmazonEC2ContainerServiceV20141113"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def _auth(service: str) -> str:
    """A SigV4 header as clients send it; trunkline reads the credential scope from it."""
    return (
        f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"
    )


def _json_call(url: str, target: str, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target, "Authorization": _auth("ecs")}
    return httpx.post(url + "/", content=body, headers=headers, timeout=30)


def _query_call(url: str, service: str | None, body: str) -> httpx.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if service is not None:
        headers["Authorization"] = _auth(service)
    return httpx.post(url + "/", content=body.encode(), headers=headers, timeout=30)


def _request_id_header(response: httpx.Response) -> str:
    request_id = response.headers.get("x-amzn-RequestId")
    assert request_id is not None and UUID.match(request_id), response.headers
    return request_id


# --- JSON protocol (ECS) ------------------------------------------------------------------------


@dataclass(frozen=True)
class JsonCase:
    id: str
    target: str
    body: bytes
    code: str
    message: str | None = None  # None: any non-empty text


JSON_CASES = [
    JsonCase("unknown-operation", f"{ECS}.Frobnicate", b"{}", "UnknownOperationException"),
    JsonCase("unknown-target-prefix", "NoSuchService_20200101.ListClusters", b"{}", "UnknownOperationException"),
    JsonCase("target-without-dot", "ListClusters", b"{}", "UnknownOperationException"),
    JsonCase("garbage-body", f"{ECS}.ListClusters", b"garbage{", "SerializationException"),
    JsonCase("body-not-an-object", f"{ECS}.ListClusters", b"[1, 2]", "SerializationException"),
    JsonCase("wrong-member-type", f"{ECS}.ListClusters", b'{"maxResults": "ten"}', "SerializationException"),
    JsonCase(
        "modelled-but-unimplemented",
        f"{ECS}.ExecuteCommand",
        b'{"cluster": "c", "task": "t", "command": "ls", "interactive": true}',
        "UnsupportedOperation",
        "trunkline does not implement ecs:ExecuteCommand yet.",
    ),
]


@pytest.mark.parametrize("case", JSON_CASES, ids=[c.id for c in JSON_CASES])
def test_json_protocol_errors(server: Any, case: JsonCase) -> None:
    response = _json_call(server.url, case.target, case.body)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/x-amz-json-1.1")
    _request_id_header(response)
    body = json.loads(response.content)
    assert set(body) == {"__type", "message"}
    assert body["__type"] == case.code
    # Newer SDKs read the code from this header before the body.
    assert response.headers["x-amzn-ErrorType"] == case.code
    if case.message is None:
        assert isinstance(body["message"], str) and body["message"]
    else:
        assert body["message"] == case.message


# --- query protocol (IAM, STS) ------------------------------------------------------------------


@dataclass(frozen=True)
class QueryCase:
    id: str
    service: str | None  # the SigV4 scope's service; None: unsigned, routed by Version
    body: str
    status: int
    code: str
    message: str | None
    namespace: str = IAM_NS


QUERY_CASES = [
    QueryCase(
        "iam-no-such-entity",
        "iam",
        "Action=GetRole&Version=2010-05-08&RoleName=nope",
        404,
        "NoSuchEntity",
        "The role with name nope cannot be found.",
    ),
    QueryCase(
        "iam-unsigned-routed-by-version",
        None,
        "Action=GetRole&Version=2010-05-08&RoleName=nope",
        404,
        "NoSuchEntity",
        "The role with name nope cannot be found.",
    ),
    QueryCase(
        "iam-unknown-action",
        "iam",
        "Action=Frobnicate&Version=2010-05-08",
        400,
        "InvalidAction",
        "Could not find operation Frobnicate for version 2010-05-08",
    ),
    QueryCase("iam-missing-action", "iam", "Version=2010-05-08&RoleName=x", 400, "MissingAction", None),
    QueryCase(
        "iam-validation",
        "iam",
        "Action=GetRole&Version=2010-05-08&RoleName=" + "x" * 65,
        400,
        "ValidationError",
        f"1 validation error detected: Value '{'x' * 65}' at 'roleName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64",
    ),
    QueryCase(
        "iam-missing-required",
        "iam",
        "Action=GetRole&Version=2010-05-08",
        400,
        "ValidationError",
        "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null",
    ),
    QueryCase(
        "sts-access-denied",
        "sts",
        "Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1"
        "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fnobody",
        403,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:root is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::123456789012:role/nobody",
        STS_NS,
    ),
    QueryCase(
        "sts-unknown-action",
        "sts",
        "Action=Frobnicate&Version=2011-06-15",
        400,
        "InvalidAction",
        "Could not find operation Frobnicate for version 2011-06-15",
        STS_NS,
    ),
]


@pytest.mark.parametrize("case", QUERY_CASES, ids=[c.id for c in QUERY_CASES])
def test_query_protocol_errors(server: Any, case: QueryCase) -> None:
    response = _query_call(server.url, case.service, case.body)
    assert response.status_code == case.status
    assert response.headers["content-type"].startswith("text/xml")
    request_id = _request_id_header(response)

    root = ET.fromstring(response.content)
    ns = "{" + case.namespace + "}"
    assert root.tag == f"{ns}ErrorResponse"
    assert [child.tag for child in root] == [f"{ns}Error", f"{ns}RequestId"]
    error = root.find(f"{ns}Error")
    assert error is not None
    assert [child.tag for child in error] == [f"{ns}Type", f"{ns}Code", f"{ns}Message"]
    assert error.findtext(f"{ns}Type") == "Sender"
    assert error.findtext(f"{ns}Code") == case.code
    message = error.findtext(f"{ns}Message")
    if case.message is None:
        assert message
    else:
        assert message == case.message
    assert root.findtext(f"{ns}RequestId") == request_id


def test_query_error_for_a_conflict_is_409(server: Any) -> None:
    create = "Action=CreateInstanceProfile&Version=2010-05-08&InstanceProfileName=p"
    assert _query_call(server.url, "iam", create).status_code == 200
    response = _query_call(server.url, "iam", create)
    assert response.status_code == 409
    root = ET.fromstring(response.content)
    ns = "{" + IAM_NS + "}"
    assert root.findtext(f"{ns}Error/{ns}Code") == "EntityAlreadyExists"
    assert root.findtext(f"{ns}Error/{ns}Message") == "Instance Profile p already exists."


def test_query_success_carries_the_same_request_id(server: Any) -> None:
    response = _query_call(server.url, "sts", "Action=GetCallerIdentity&Version=2011-06-15")
    assert response.status_code == 200
    request_id = _request_id_header(response)
    root = ET.fromstring(response.content)
    ns = "{" + STS_NS + "}"
    assert root.tag == f"{ns}GetCallerIdentityResponse"
    assert root.findtext(f"{ns}ResponseMetadata/{ns}RequestId") == request_id
    assert root.findtext(f"{ns}GetCallerIdentityResult/{ns}Arn") == "arn:aws:iam::123456789012:root"


# --- ec2 protocol -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ec2Case:
    id: str
    body: str
    code: str
    message: str


EC2_CASES = [
    Ec2Case(
        "missing-parameter",
        "Action=DeleteVpc&Version=2016-11-15",
        "MissingParameter",
        "The request must contain the parameter VpcId",
    ),
    Ec2Case(
        "unknown-action",
        "Action=Frobnicate&Version=2016-11-15",
        "InvalidAction",
        "The action Frobnicate is not valid for this web service.",
    ),
]


@pytest.mark.parametrize("case", EC2_CASES, ids=[c.id for c in EC2_CASES])
def test_ec2_protocol_errors(server: Any, case: Ec2Case) -> None:
    response = _query_call(server.url, "ec2", case.body)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/xml")
    request_id = _request_id_header(response)

    root = ET.fromstring(response.content)
    # No namespace on EC2 errors, and it is RequestID with a capital D.
    assert root.tag == "Response"
    assert [child.tag for child in root] == ["Errors", "RequestID"]
    errors = root.find("Errors")
    assert errors is not None
    assert [child.tag for child in errors] == ["Error"]
    error = errors.find("Error")
    assert error is not None
    assert [child.tag for child in error] == ["Code", "Message"]
    assert error.findtext("Code") == case.code
    assert error.findtext("Message") == case.message
    assert root.findtext("RequestID") == request_id


# --- every error is one boto3 parses --------------------------------------------------------------


def test_boto3_reads_the_same_request_id(aws: Any) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        aws("iam").get_role(RoleName="nope")
    metadata = caught.value.response["ResponseMetadata"]
    assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]
