"""Input that used to answer 500 (issue 13): null list items in ECS, NUL characters that reached
SQL (PostgreSQL cannot hold them), odd numbers in trunkline's own endpoints, deep JSON nesting.
Every answer must be the service's own client error, and leave state as it was."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

ECS = "AmazonEC2ContainerServiceV20141113."
JSON = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
AUTH_EC2 = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/ec2/aws4_request, "
    "SignedHeaders=host, Signature=" + "0" * 64
)


def ecs_call(server: Any, operation: str, body: bytes | str, **headers: str) -> httpx.Response:
    return httpx.post(
        server.url + "/",
        headers={"X-Amz-Target": ECS + operation, "Content-Type": JSON, **headers},
        content=body.encode() if isinstance(body, str) else body,
        timeout=30,
    )


def ec2_call(server: Any, form: str) -> httpx.Response:
    return httpx.post(
        server.url + "/",
        headers={"Content-Type": FORM, "Authorization": AUTH_EC2},
        content=form.encode(),
        timeout=30,
    )


def digest(server: Any) -> str:
    return str(server.get("/_trunkline/state/digest").json()["digest"])


NULL_ITEMS = [
    ("DescribeTasks", {"cluster": "c", "tasks": [None]}, "tasks"),
    ("DescribeClusters", {"clusters": [None]}, "clusters"),
    ("DescribeContainerInstances", {"cluster": "c", "containerInstances": [None]}, "containerInstances"),
    ("RegisterTaskDefinition", {"family": "f", "containerDefinitions": [None]}, "containerDefinitions"),
    ("PutAttributes", {"cluster": "c", "attributes": [None]}, "attributes"),
    (
        "UpdateContainerInstancesState",
        {"cluster": "c", "containerInstances": [None], "status": "DRAINING"},
        "containerInstances",
    ),
    ("StartTask", {"cluster": "c", "taskDefinition": "f:1", "containerInstances": [None]}, "containerInstances"),
]


@pytest.mark.parametrize(("operation", "body", "member"), NULL_ITEMS, ids=[n[0] for n in NULL_ITEMS])
def test_ecs_null_list_items_are_a_validation_error(
    server: Any, operation: str, body: dict[str, Any], member: str
) -> None:
    server.client("ecs").create_cluster(clusterName="c")
    before = digest(server)
    answer = ecs_call(server, operation, json.dumps(body))
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert error["__type"] == "InvalidParameterException"
    assert (
        f"Value null at '{member}.1.member' failed to satisfy constraint: Member must not be null" in error["message"]
    )
    assert digest(server) == before


def test_ecs_null_map_values_are_a_validation_error(server: Any) -> None:
    answer = ecs_call(server, "CreateCluster", json.dumps({"clusterName": "x", "tags": [{"key": "k", "value": None}]}))
    assert answer.status_code in (200, 400)  # a null member of a structure is an absent member
    answer = ecs_call(
        server,
        "RegisterTaskDefinition",
        json.dumps({"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "dockerLabels": {"k": None}}]}),
    )
    assert answer.status_code == 400, answer.text
    assert "failed to satisfy constraint: Member must not be null" in answer.json()["message"]


NUL_EC2 = [
    "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1%00",
    "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=a%00b",
    "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=private-ip-address&Filter.1.Value.1=%00",
    "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=attachment.instance-id&Filter.1.Value.1=i-%00",
    "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=interface-type&Filter.1.Value.1=trunk%00",
    "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-%00",
]


@pytest.mark.parametrize("form", NUL_EC2)
def test_ec2_nul_characters_are_invalid_parameter_values(server: Any, form: str) -> None:
    answer = ec2_call(server, form)
    assert answer.status_code == 400, answer.text
    assert "<Code>InvalidParameterValue</Code>" in answer.text
    assert answer.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors>')


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("ListTaskDefinitions", {"familyPrefix": "a\x00b"}),
        ("DeregisterContainerInstance", {"cluster": "c", "containerInstance": "x\x00"}),
        ("DescribeClusters", {"clusters": ["c\x00"]}),
    ],
)
def test_ecs_nul_characters_are_invalid_parameters(server: Any, operation: str, body: dict[str, Any]) -> None:
    server.client("ecs").create_cluster(clusterName="c")
    before = digest(server)
    answer = ecs_call(server, operation, json.dumps(body))
    assert answer.status_code == 400, answer.text
    assert answer.json()["__type"] == "InvalidParameterException"
    assert "must not contain the NUL character" in answer.json()["message"]
    assert digest(server) == before


def test_trunkline_endpoints_with_a_nul_answer_not_found(server: Any) -> None:
    answer = server.get("/_trunkline/agents/%00")
    assert answer.status_code == 404, answer.text


@pytest.mark.parametrize(
    "query",
    ["after=%C2%B2", "limit=%C2%B2", "after=%D9%A3", "after=99999999999999999999999", "limit=99999999999999999999999"],
)
def test_event_queries_with_odd_numbers_are_client_errors(server: Any, query: str) -> None:
    answer = server.get("/_trunkline/events?" + query)
    assert answer.status_code == 400, answer.text
    assert "error" in answer.json()


@pytest.mark.parametrize("query", ["after=%C2%B2", "after=99999999999999999999999"])
def test_event_stream_with_odd_numbers_is_a_client_error(server: Any, query: str) -> None:
    answer = server.get("/_trunkline/events/stream?" + query)
    assert answer.status_code == 400, answer.text


def test_deeply_nested_json_to_the_clock_is_a_client_error(spawn: Any) -> None:
    manual = spawn("--timing", "manual")
    deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    as_json = {"Content-Type": "application/json"}
    answer = manual.post("/_trunkline/clock/advance", content=deep, headers=as_json)
    assert answer.status_code == 400, answer.text
    listed = manual.post("/_trunkline/clock/advance", content=b"[" * 100_000 + b"]" * 100_000, headers=as_json)
    assert listed.status_code == 400, listed.text


def test_a_nat_gateway_without_a_subnet_is_missing_a_parameter(server: Any) -> None:
    """The model no longer requires CreateNatGateway's SubnetId (a regional gateway names a VPC);
    a zonal one, the default and the only kind trunkline makes, needs it. It used to answer 500."""
    before = digest(server)
    answer = ec2_call(server, "Action=CreateNatGateway&Version=2016-11-15&ConnectivityType=private")
    assert answer.status_code == 400, answer.text
    assert "<Code>MissingParameter</Code>" in answer.text
    assert "<Message>The request must contain the parameter SubnetId</Message>" in answer.text
    regional = ec2_call(server, "Action=CreateNatGateway&Version=2016-11-15&AvailabilityMode=regional&VpcId=vpc-1")
    assert regional.status_code == 400, regional.text
    assert "<Code>InvalidParameterValue</Code>" in regional.text
    assert "<Message>trunkline does not support regional NAT gateways yet.</Message>" in regional.text
    assert digest(server) == before


def _query_call(server: Any, service: str, form: str) -> httpx.Response:
    scope = f"AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/{service}/aws4_request"
    authorization = f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=" + "0" * 64
    return httpx.post(
        server.url + "/", headers={"Content-Type": FORM, "Authorization": authorization}, content=form, timeout=30
    )


@pytest.mark.parametrize(
    ("service", "form", "message"),
    [
        (
            "autoscaling",
            "Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=g&DesiredCapacity=abc",
            "1 validation error detected: Value 'abc' at 'DesiredCapacity' failed to satisfy constraint: "
            "Member must be of type integer",
        ),
        (
            "iam",
            "Action=GetRole&Version=2010-05-08&RoleName.1=x",
            "1 validation error detected: Value '{1}' at 'RoleName' failed to satisfy constraint: "
            "Member must be of type string",
        ),
    ],
)
def test_a_required_query_member_of_the_wrong_type_is_one_problem(
    server: Any, service: str, form: str, message: str
) -> None:
    """A required member sent in a form its type cannot take is there, with a wrong value: one
    validation error, not also "Value null ... Member must not be null" (as EC2 already answered)."""
    answer = _query_call(server, service, form)
    assert answer.status_code == 400, answer.text
    assert "<Code>ValidationError</Code>" in answer.text
    assert f"<Message>{message}</Message>" in answer.text
