"""Limits and request shapes AWS enforces (issue 13): EC2's tag restrictions on every call that
takes tags, IAM's reserved tag prefix, EC2's error format for a form that is not UTF-8, and ECS
answering only a POST of JSON."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

ECS_TARGET = "AmazonEC2ContainerServiceV20141113."
EC2_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/ec2/aws4_request, "
    "SignedHeaders=host, Signature=" + "0" * 64
)


def _digest(server: Any) -> str:
    return str(server.get("/_trunkline/state/digest").json()["digest"])


def _error(call: Any, **params: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return dict(caught.value.response["Error"])


def test_ec2_tag_limits_on_create_tags(server: Any) -> None:
    ec2 = server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    before = _digest(server)
    assert _error(ec2.create_tags, Resources=[vpc], Tags=[{"Key": "k" * 129, "Value": "v"}]) == {
        "Code": "InvalidParameterValue",
        "Message": "Tag key exceeds the maximum length of 128 characters",
    }
    assert _error(ec2.create_tags, Resources=[vpc], Tags=[{"Key": "k", "Value": "v" * 257}]) == {
        "Code": "InvalidParameterValue",
        "Message": "Tag value exceeds the maximum length of 256 characters",
    }
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert _error(ec2.create_tags, Resources=[vpc], Tags=many)["Code"] == "TagLimitExceeded"
    assert _digest(server) == before
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k" * 128, "Value": "v" * 256}, *many[:49]])
    # 50 now: one more key is one too many, a new value for a present key is not.
    assert _error(ec2.create_tags, Resources=[vpc], Tags=[{"Key": "extra", "Value": ""}])["Code"] == "TagLimitExceeded"
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k0", "Value": "changed"}])


def test_ec2_tag_limits_on_tag_specifications(server: Any) -> None:
    ec2 = server.client("ec2")
    long_key = [{"ResourceType": "vpc", "Tags": [{"Key": "k" * 129, "Value": "v"}]}]
    assert (
        _error(ec2.create_vpc, CidrBlock="10.0.0.0/16", TagSpecifications=long_key)["Code"] == "InvalidParameterValue"
    )
    many = [{"ResourceType": "vpc", "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]}]
    assert _error(ec2.create_vpc, CidrBlock="10.0.0.0/16", TagSpecifications=many)["Code"] == "TagLimitExceeded"
    assert ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.0.0.0/16"]}])["Vpcs"] == []


def test_iam_tag_keys_must_not_use_the_aws_prefix(server: Any) -> None:
    iam = server.client("iam")
    statement = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    error = _error(iam.create_role, RoleName="r", AssumeRolePolicyDocument=trust, Tags=[{"Key": "aws:x", "Value": "v"}])
    assert error["Code"] == "InvalidInput"


def test_ec2_form_that_is_not_utf8_answers_in_ec2_format(server: Any) -> None:
    for headers in ({"Authorization": EC2_AUTH}, {}):
        answer = httpx.post(
            server.url + "/",
            content=b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=\xff\xfe",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **headers},
        )
        assert answer.status_code == 400
        assert answer.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>')
        assert "<Code>MalformedQueryString</Code>" in answer.text


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/x-www-form-urlencoded", "application/xml"])
def test_ecs_answers_only_json(server: Any, content_type: str) -> None:
    before = _digest(server)
    answer = httpx.post(
        server.url + "/",
        headers={"X-Amz-Target": ECS_TARGET + "CreateCluster", "Content-Type": content_type},
        content=b'{"clusterName": "made"}',
    )
    assert answer.status_code == 400
    assert answer.json()["__type"] == "UnknownOperationException"
    assert _digest(server) == before


def test_a_get_with_a_target_runs_nothing(server: Any) -> None:
    before = _digest(server)
    answer = httpx.get(
        server.url + "/",
        headers={"X-Amz-Target": ECS_TARGET + "CreateCluster", "Content-Type": "application/x-amz-json-1.1"},
    )
    assert answer.status_code == 400
    assert answer.json()["__type"] == "UnknownOperationException"
    assert _digest(server) == before
    assert server.client("ecs").list_clusters()["clusterArns"] == []


def test_ecs_accepts_the_json_content_types(server: Any) -> None:
    for content_type in ["application/x-amz-json-1.1", "application/x-amz-json-1.1; charset=utf-8", "application/json"]:
        answer = httpx.post(
            server.url + "/",
            headers={"X-Amz-Target": ECS_TARGET + "ListClusters", "Content-Type": content_type},
            content=b"{}",
        )
        assert answer.status_code == 200, (content_type, answer.text)
