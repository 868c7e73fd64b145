"""The AWS SDK for JavaScript v3 as a client: its ECS, EC2, IAM, STS, SSM, Auto Scaling and CloudWatch
Logs clients (pinned in tests/js/package-lock.json) run the scripts in tests/js under Node.js
against a server of their own, and each script prints what it saw as JSON lines `[label, value]`.

The SDK has its own serialisers and parsers (smithy's, not botocore's): dates must come back as
`Date`s, errors as the SDK's typed exceptions with AWS's codes, statuses and texts, and the EC2,
IAM and Auto Scaling XML answers parsed into the documented shapes. Its paginators follow each
service's tokens, its waiters read answers and error codes with their own acceptors, and its
signer must satisfy `--auth strict`.

These tests skip without Node.js >= 20 and the installed clients (`scripts/ensure-js-sdk`), except
under CI=true, where that fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from conftest import Server

# A client of the wire, not of the store: the SQLite passes run these.
pytestmark = pytest.mark.one_store

SCRIPTS = Path(__file__).parent / "js"
CLIENTS = (
    "client-ecs",
    "client-ec2",
    "client-iam",
    "client-sts",
    "client-ssm",
    "client-auto-scaling",
    "client-cloudwatch-logs",
)


def _unavailable(why: str) -> None:
    if os.environ.get("CI") in ("true", "1"):
        pytest.fail(f"{why}; CI must run the JavaScript client tests (scripts/test runs scripts/ensure-js-sdk)")
    pytest.skip(f"{why}: run scripts/ensure-js-sdk (Node.js >= 20 and npm)")


@pytest.fixture(scope="module")
def node() -> str:
    found = os.environ.get("TRUNKLINE_NODE") or shutil.which("node")
    if not found:
        _unavailable("no Node.js")
    assert found is not None
    missing = [c for c in CLIENTS if not (SCRIPTS / "node_modules" / "@aws-sdk" / c).is_dir()]
    if missing:
        _unavailable(f"the SDK's clients are not installed in tests/js (missing {', '.join(missing)})")
    return found


def run_script(node: str, script: str, url: str, home: Path) -> dict[str, Any]:
    """Run tests/js/SCRIPT against URL; its `[label, value]` lines as a dict. No AWS_* variable or
    config file of the machine reaches the SDK (credentials are in the script)."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "NODE_NO_WARNINGS": "1"}
    done = subprocess.run(
        [node, str(SCRIPTS / script), url], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, f"{script} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    seen: dict[str, Any] = {}
    for line in done.stdout.splitlines():
        label, value = json.loads(line)
        seen[label] = value
    return seen


def test_trunking_walkthrough_with_the_javascript_sdk(node: str, spawn: Callable[..., Server], tmp_path: Path) -> None:
    """The README's walk-through: a c5.large registers through REGISTERING to ACTIVE with its
    trunk, 10 awsvpc tasks fit, the 11th fails with RESOURCE:ENI; then a few refused calls."""
    server = spawn("--timing", "manual")
    seen = run_script(node, "walkthrough.mjs", server.url, tmp_path)
    assert seen["account"] == "123456789012"
    assert seen["slr"] == "AWSServiceRoleForECS"
    assert seen["role"] == "arn:aws:iam::123456789012:role/ecsInstanceRole"
    assert seen["createDate is a Date"] is True
    assert seen["setting"] == "enabled"
    assert seen["cluster"] == "ACTIVE"
    assert seen["instance state"] == "pending"
    assert seen["status"] == "REGISTERING"
    assert seen["active"] == ["ACTIVE", "ElasticNetworkInterface", "ATTACHED", True]
    assert seen["trunk attribute"] == ["ecs.awsvpc-trunk-id"]
    assert seen["enis"] == [[0, "interface"], [1, "trunk"]]
    assert seen["run 10"] == [10, []]
    assert seen["run 1"] == [0, ["RESOURCE:ENI"]]
    assert seen["running"] == 10
    assert seen["task"] == ["RUNNING", "ElasticNetworkInterface", True]
    assert seen["instance"] == ["running", True, 2]
    # Errors reach the SDK as its typed exceptions, with AWS's codes, statuses and texts.
    assert seen["ecs unknown cluster"] == ["ClusterNotFoundException", 400, "Cluster not found."]
    assert seen["ecs bad count"] == [
        "InvalidParameterException",
        400,
        "1 validation error detected: Value '11' at 'count' failed to satisfy constraint: "
        "Member must have value less than or equal to 10",
    ]
    assert seen["ec2 bad instance"] == [
        "InvalidInstanceID.NotFound",
        400,
        "The instance ID 'i-0123456789abcdef0' does not exist",
    ]
    assert seen["iam no role"] == ["NoSuchEntityException", 404, "The role with name nope cannot be found."]
    # AWS sends ParameterNotFound without a message; the SDK then names it "UnknownError".
    assert seen["ssm no parameter"] == ["ParameterNotFound", 400, "UnknownError"]


def test_capacity_with_the_javascript_sdk(node: str, spawn: Callable[..., Server], tmp_path: Path) -> None:
    """A launch template, an Auto Scaling group, a capacity provider with managed scaling, a
    managed IAM policy and a log group, read back through the SDK's parsers; duplicates refused."""
    server = spawn("--timing", "manual")
    seen = run_script(node, "capacity.mjs", server.url, tmp_path)
    assert seen["c5.large"] == [3, 2]
    assert seen["attached"] == ["AmazonEC2ContainerServiceforEC2Role"]
    assert seen["policy document has ecs:RegisterContainerInstance"] is True
    assert seen["default subnets"] is True
    assert seen["launch template"] == [1, True]
    assert seen["launch template versions"] == [1]
    assert seen["group"] == [True, 4, True, True]
    assert seen["capacity provider"] == ["ACTIVE", "ENABLED", 100]
    assert seen["cluster providers"] == [["web-cp"], ["web-cp"]]
    assert seen["desired"] == 1
    assert seen["activities is a list"] is True
    assert seen["log groups"] == [["/ecs/web", 7]]
    assert seen["asg duplicate"] == [
        "AlreadyExistsFault",
        400,
        "AutoScalingGroup by this name already exists - A group with the name ecs-asg already exists",
    ]
    assert seen["logs duplicate"] == ["ResourceAlreadyExistsException", 400, "The specified log group already exists"]
    assert seen["cp duplicate"] == [
        "ClientException",
        400,
        "The specified capacity provider already exists. To change the configuration of an existing "
        "capacity provider, update the capacity provider.",
    ]
    assert seen["iam bad policy"] == [
        "NoSuchEntityException",
        404,
        "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.",
    ]


def test_paginators_and_waiters_with_the_javascript_sdk(
    node: str, spawn: Callable[..., Server], tmp_path: Path
) -> None:
    """The SDK's own paginators follow each service's token (IAM's Marker, EC2's and ECS's
    NextToken/nextToken, CloudWatch Logs' stream tokens, Auto Scaling's NextToken) to the exact
    page sizes; its waiters read the answers and AWS's error codes with their own acceptors, with
    the manual clock settled before each, so every one decides on its first polls."""
    server = spawn("--timing", "manual")
    seen = run_script(node, "pages.mjs", server.url, tmp_path)
    pages = {
        "iam roles": [2, 2, 1],
        "iam users": [2, 2, 1],
        "iam profiles": [4, 1],
        "iam role tags": [1, 1],
        "iam aws policies": [4],
        "ssm by path": [2] * 16,
        "ecs account settings": [3, 3, 3, 3],
        "ecs clusters": [2, 1],
        "ec2 instances": [1],  # one reservation of three instances
        "ec2 enis": [5, 2],
        "ec2 subnets": [5, 2],
        "ec2 vpcs": [2],
        "ec2 security groups": [2],
        "ec2 security group rules": [4],
        "ec2 route tables": [2],
        "ec2 network acls": [2],
        "ec2 internet gateways": [1],
        "ec2 tags": [3],
        "ec2 images": [5, 2],
        "ec2 profile associations": [3],
        "ec2 nat gateways": [0],
        "ecs container instances": [2, 1],
        "ecs task definitions": [3, 1],
        "ecs families": [1, 1],
        "ecs tasks": [3, 3, 1],
        "ec2 trunk associations": [5, 2],
        "ec2 branch enis": [5, 2],
        "ecs services": [1, 1],
        "logs groups": [2, 2],
        "logs streams": [2, 1],
        "logs filter": [2, 2, 1],
        # GetLogEvents answers the token it was sent at the end of the stream.
        "logs get events": [2, 2, 1, 0],
        "logs get events backwards": [2, 0],
        "asg groups": [1],
        "asg activities": [1],
        "ec2 instance status": [4],  # the three instances and the group's
    }
    assert {label: seen[label] for label in pages} == pages
    types = seen["ec2 instance types"]
    assert set(types[:-1]) == {100} and 0 < types[-1] <= 100
    attributes = seen["ecs attributes"]
    assert set(attributes[:-1]) == {100} and 0 < attributes[-1] <= 100
    # A launch through `resolve:ssm:` gets the AMI the parameter names.
    assert seen["run from resolve:ssm"] == [3, True]
    assert seen["ran"] == [7, []]
    waits = {label: value for label, value in seen.items() if label.startswith("wait ")}
    assert waits == {
        "wait role": "SUCCESS",
        "wait profile": "SUCCESS",
        "wait user": "SUCCESS",
        "wait vpc": "SUCCESS",
        "wait subnet": "SUCCESS",
        "wait eni": "SUCCESS",
        "wait instance exists": "SUCCESS",
        "wait instance running": "SUCCESS",
        "wait tasks running": "SUCCESS",
        "wait services stable": "SUCCESS",
        "wait tasks stopped": "SUCCESS",
        # Any STOPPED task fails TasksRunning; a MISSING task or service fails its waiter.
        "wait tasks running (some stopped)": ["FAILURE", None],
        "wait asg exists": "SUCCESS",
        "wait asg in service": "SUCCESS",
        # Status checks pass 120 s after running (DescribeInstanceStatus, docs/decisions.md): the
        # group's instance, running for less, is still initializing.
        "wait instance status ok": "SUCCESS",
        "wait system status ok": "SUCCESS",
        "wait fresh instance status ok": ["TIMEOUT", None],
        "wait instance terminated": "SUCCESS",
        # The acceptors that read error codes: EC2's exact codes reach the SDK as its error names.
        "wait missing eni": ["FAILURE", "InvalidNetworkInterfaceID.NotFound"],
        "wait missing nat deleted": "SUCCESS",
        "wait missing vpc exists": ["TIMEOUT", None],
        "wait missing role exists": ["TIMEOUT", None],
        "wait missing instance exists": ["TIMEOUT", None],
        "wait missing instance running": ["TIMEOUT", None],
        "wait missing security group exists": ["TIMEOUT", None],
        "wait missing igw exists": ["TIMEOUT", None],
        "wait missing image exists": ["TIMEOUT", None],
        "wait missing tasks running": ["FAILURE", None],
        "wait missing services stable": ["FAILURE", None],
        "wait image available": "SUCCESS",
        "wait vpc exists": "SUCCESS",
        "wait security group exists": "SUCCESS",
        "wait igw exists": "SUCCESS",
        "wait nat available": "SUCCESS",
        "wait nat deleted": "SUCCESS",
        "wait instance stopped": "SUCCESS",
        "wait services inactive": "SUCCESS",
        "wait asg not exists": "SUCCESS",
        "wait policy exists": "SUCCESS",
    }


SIGNATURE_TEXT = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)


def test_the_javascript_sdks_signatures_under_strict_auth(
    node: str, spawn: Callable[..., Server], tmp_path: Path
) -> None:
    """`--auth strict` verifies the SDK's own SigV4 signer (its headers, its percent-encoding of
    query bodies, JSON bodies with non-ASCII text, the session token of STS credentials) and
    refuses a wrong secret, an unknown key and a tampered token in each protocol's error shape."""
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    server = spawn("--timing", "manual", "--auth", "strict", "--credentials", str(credentials))
    seen = run_script(node, "signing.mjs", server.url, tmp_path)
    assert seen["root"] == "arn:aws:iam::123456789012:root"
    assert seen["iam tag"] is True and seen["ec2 tag filter"] == [True] and seen["ecs tag"] is True
    assert seen["logs message"] is True
    assert seen["user"] == "arn:aws:iam::123456789012:user/dev"
    assert seen["session expires is a Date"] is True
    assert seen["session"] == "arn:aws:sts::123456789012:assumed-role/deployer/js"
    assert seen["session ecs"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/signed"]
    assert seen["session ec2"] == 1
    name, status, message = seen["wrong secret sts"]
    # STS adds the canonical request it expected, as AWS's STS does.
    assert (name, status) == ("SignatureDoesNotMatch", 403) and message.startswith(SIGNATURE_TEXT + "\n\n")
    assert seen["wrong secret iam"] == ["SignatureDoesNotMatch", 403, SIGNATURE_TEXT]
    assert seen["wrong secret autoscaling"] == ["SignatureDoesNotMatch", 403, SIGNATURE_TEXT]
    assert seen["wrong secret ec2"] == [
        "AuthFailure",
        401,
        "AWS was not able to validate the provided access credentials",
    ]
    for service in ("ecs", "ssm", "logs"):
        assert seen[f"wrong secret {service}"] == ["InvalidSignatureException", 400, SIGNATURE_TEXT]
    invalid_token = ["UnrecognizedClientException", 400, "The security token included in the request is invalid."]
    assert seen["unknown key ecs"] == invalid_token
    assert seen["tampered token ecs"] == invalid_token


def test_the_javascript_sdk_signs_by_trunklines_clock_once_it_has_read_date(
    node: str, spawn: Callable[..., Server], tmp_path: Path
) -> None:
    """A manual clock two hours ahead: the SDK takes each answer's Date (trunkline's clock) as its
    own clock, so its next requests are signed two hours ahead of the wall clock, and `--auth
    strict` accepts them (docs/decisions.md, "HTTP Date is trunkline's clock")."""
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    server = spawn("--timing", "manual", "--auth", "strict", "--credentials", str(credentials))
    server.post("/_trunkline/clock/advance", json={"seconds": 7200}).raise_for_status()
    seen = run_script(node, "clock.mjs", server.url, tmp_path)
    assert seen["ecs offset before"] == 0
    assert 7100 <= seen["ecs offset after"] <= 7200 and 7100 <= seen["ec2 offset after"] <= 7200
    assert seen["ecs signed by trunkline's clock"] == []
    assert seen["ec2 signed by trunkline's clock"] is True


def test_nested_shapes_with_the_javascript_sdk(node: str, spawn: Callable[..., Server], tmp_path: Path) -> None:
    """Operations the walk-through does not call, read back through the SDK's parsers: lists in
    lists, maps, booleans inside structures, Dates from XML and JSON, CloudWatch Logs' epoch
    milliseconds as numbers, floats, partial successes, and empty lists that arrive as []."""
    server = spawn("--timing", "manual")
    seen = run_script(node, "shapes.mjs", server.url, tmp_path)
    # EC2
    assert seen["authorize"] == [
        True,
        [[False, 80, 443, "0.0.0.0/0"], [False, 80, 443, "10.0.0.0/8"], [False, 80, 443, True]],
    ]
    assert seen["permission"] == [
        "tcp",
        80,
        443,
        [["0.0.0.0/0", "web"], ["10.0.0.0/8", None]],
        [[True, "123456789012", "self"]],
        [],
        [],
    ]
    assert seen["egress"] == [["-1", None, ["0.0.0.0/0"]]]
    # The rules AuthorizeSecurityGroupIngress added carry its TagSpecifications' tags.
    assert seen["rules"] == [[False, "tcp", 80, [{"Key": "purpose", "Value": "web"}]]] * 3 + [[True, "-1", -1, []]]
    assert seen["revoke"] == [True, ["10.0.0.0/8"], None]
    assert seen["associate route table"] == "associated"
    assert seen["routes"] == [
        ["10.0.0.0/16", "local", "active", "CreateRouteTable"],
        ["0.0.0.0/0", "igw", "active", "CreateRoute"],
    ]
    assert seen["route associations"] == [[False, True, "associated"]]
    assert seen["propagating"] == []
    assert seen["vpc attributes"] == [{"Value": True}, {"Value": True}, None]
    assert seen["account attributes"] == [["supported-platforms", True], ["max-instances", True]]
    assert seen["zone"] == ["us-east-1a", "use1-az1", "available", [], "us-east-1"]
    assert seen["template data"] == [
        True,  # the resolve:ssm reference, kept as given
        "c5.xlarge",
        {"Encrypted": False, "DeleteOnTermination": True, "VolumeSize": 30, "VolumeType": "gp3"},
        False,
        1,
        {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
        True,
        [{"Key": "team", "Value": "web"}],
        False,
        True,
    ]
    assert seen["delete versions"] == [[3], [[1, "unexpectedError"], [7, "launchTemplateVersionDoesNotExist"]]]
    # An instance launched without user data answers an empty userData element: {}.
    assert seen["instance attributes"] == [{"Value": True}, {"Value": True}, {"Value": "c5.large"}, 1, {}]
    assert seen["launch options"] == [
        True,
        {"State": "enabled"},
        {"Value": True},
        {"Value": "terminate"},
        {"Value": True},
    ]
    assert seen["stop protected"] == ["OperationNotPermitted", 400, True]
    assert seen["trunk association"] == [100, "VLAN", [], "shapes-1"]
    assert seen["trunk associations"] == [[True, True, 100]]
    assert seen["trunk eni"] == ["trunk", "in-use", 1, True, False, False, True, [True], [], []]
    (address,) = seen["addresses attribute"]
    assert set(address) == {"PublicIp", "AllocationId"}  # no PtrRecord without a reverse DNS name
    assert seen["empty filter result"] == []
    # IAM, STS, SSM
    assert seen["simulation"] == [
        ["ecs:RunTask", "allowed", 1, []],
        ["ecs:DeleteCluster", "explicitDeny", 1, []],
        ["s3:GetObject", "implicitDeny", 0, []],
    ]
    assert seen["policy versions"] == [["v2", True, True, None], ["v1", False, True, None]]
    assert seen["entities"] == [["ecsInstanceRole"], [], [], False]
    assert seen["role"] == [3600, "/", {}, None, None]
    assert seen["service-linked role"] == [
        "/aws-service-role/ecs.amazonaws.com/",
        "ECS",
        {"Service": ["ecs.amazonaws.com"]},
    ]
    assert seen["delete service-linked role"] is True
    assert seen["access keys"] == [["Inactive", True, True]]
    assert seen["assume role"] == [True, "arn:aws:sts::123456789012:assumed-role/deployer/shapes", 0]
    assert seen["ssm parameters"] == [
        [["aws:ec2:image", "String", True, True]],
        ["/no/such", "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id:1"],
    ]
    # ECS
    assert seen["container"] == [
        {"team": "web", "com.example/tier": "front"},
        "/ecs/web",
        [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
        {"command": ["CMD-SHELL", "true"], "interval": 10},
        [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
        {"initProcessEnabled": True},
        [],
        [],
    ]
    revision, status, compatibilities, attributes, registered_at, volumes = seen["task definition"]
    assert (revision, status, registered_at, volumes) == (
        1,
        "ACTIVE",
        True,
        [{"name": "data", "host": {"sourcePath": "/srv"}}],
    )
    assert "EC2" in compatibilities and "ecs.capability.task-eni" in attributes
    assert seen["described tags"] == [{"key": "t", "value": "1"}]
    assert seen["deregistered"] == ["INACTIVE", True]
    assert seen["delete task definitions"] == [
        [[1, "DELETE_IN_PROGRESS", True]],
        [["ACTIVE", "The task definition must be deregistered (INACTIVE) before it can be deleted."]],
    ]
    assert seen["service"] == [
        {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 50,
        },
        [["PRIMARY", "COMPLETED", True]],
        [],
        [],
        "REPLICA",
        {"type": "ECS"},
        "SERVICE",
        [{"key": "s", "value": "1"}],
    ]
    # UpdateService applies a deployment configuration (members given replace the service's).
    assert seen["update service"] == [
        {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 150,
            "minimumHealthyPercent": 50,
        },
        30,
        1,
    ]
    assert seen["describe services"] == [[["web", [{"key": "s", "value": "1"}]]], ["MISSING"]]
    assert seen["service tags"] == [{"key": "s", "value": "1"}, {"key": "more", "value": ""}]
    assert seen["account setting"] == [["enabled", "user"]]
    assert seen["capacity providers"] == [[["FARGATE", "ACTIVE", []]], ["MISSING"]]
    # Auto Scaling
    assert seen["scaling policies"] == [
        ["cpu", "TargetTrackingScaling", True, 62.5, True, None, []],
        [
            "steps",
            "StepScaling",
            True,
            None,
            None,
            [
                {"ScalingAdjustment": 1, "MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10.5},
                {"ScalingAdjustment": 2, "MetricIntervalLowerBound": 10.5},
            ],
            [],
        ],
    ]
    assert seen["hooks"] == [["drain", 120, 12000, "ABANDON", "m"]]
    assert seen["asg tags"] == [["team", "", False]]
    # CloudWatch Logs: epoch milliseconds stay numbers
    assert seen["log stream"] == ["a", 1796000000123, 1796000001123, "number", "number"]
    assert seen["filtered"] == [["a", 1796000001123, "two", "number"]]
    assert seen["log group tags"] == {"team": "web"}


def _as_the_sdk_prints(answer: Any) -> Any:
    """A botocore answer as the JavaScript SDK's parsed answer prints in JSON: no ResponseMetadata,
    Dates as ISO strings with milliseconds."""
    if isinstance(answer, dict):
        return {key: _as_the_sdk_prints(value) for key, value in answer.items() if key != "ResponseMetadata"}
    if isinstance(answer, list):
        return [_as_the_sdk_prints(value) for value in answer]
    if isinstance(answer, datetime):
        return answer.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return answer


def test_changing_instances_volumes_and_boundaries_with_the_javascript_sdk(
    node: str, spawn: Callable[..., Server], tmp_path: Path
) -> None:
    """Session 8's operations through the SDK's own serialisers (EC2's `GroupId.N`,
    `BlockDeviceMapping.N.Ebs.*`, `{Value}` attributes, user data as a blob; IAM's `member.N`
    lists and the empty lists the query protocol sends as `Name=`): volumes, instance attributes,
    metadata options, credits, prefix lists, boundaries and SimulateCustomPolicy, with EC2's and
    IAM's refusals; and the whole answers parse as botocore parses them."""
    server = spawn("--timing", "manual")
    seen = run_script(node, "changes.mjs", server.url, tmp_path)
    assert seen["credits"] == [[True, "standard"]]
    assert seen["root volume"] == [["in-use", "gp3", True, True, [[True, "attached", True, True]]]]
    assert seen["create volume"] == [
        "creating",
        20,
        3000,
        125,
        False,
        False,
        [{"Key": "Name", "Value": "data"}],
        [],
        True,
    ]
    dry_run = ["DryRunOperation", 412, "Request would have succeeded, but DryRun flag is set."]
    assert seen["create dry run"] == dry_run and seen["attach dry run"] == dry_run
    assert seen["volume available"] == ["SUCCESS", "available"]
    assert (seen["wait in use"], seen["wait deleted"]) == ("SUCCESS", "SUCCESS")
    assert seen["attach volume"] == ["attaching", "/dev/sdf", True, True, True]
    assert seen["volume attached"] == ["in-use", [["attached", "/dev/sdf", False]]]
    assert seen["volumes by tag"] == [True]
    ids = seen["ids"]
    instance, volume = ids["instance"], ids["volume"]
    assert seen["attach again"] == ["VolumeInUse", 400, f"{volume} is already attached to an instance"]
    assert seen["no volume"] == [
        "InvalidVolume.NotFound",
        400,
        "The volume 'vol-0123456789abcdef0' does not exist.",
    ]
    assert seen["metadata options"] == [True, "pending", "required", 2, "enabled", "enabled"]
    assert seen["metadata applied"] == ["applied", "required"]
    assert seen["metadata hop limit"] == [
        "InvalidParameterValue",
        400,
        "Value (65) for parameter HttpPutResponseHopLimit is invalid. Must be between 1 and 64.",
    ]
    assert seen["termination protection"] == {"Value": True}
    assert seen["terminate protected"] == [
        "OperationNotPermitted",
        400,
        f"The instance '{instance}' may not be terminated. Modify its 'disableApiTermination' instance "
        "attribute and try again.",
    ]
    assert seen["protection lifted"] == {"Value": False}
    assert seen["shutdown behaviour"] == {"Value": "terminate"}
    assert seen["groups"] == [[True], [True]]
    assert seen["source dest check"] == [{"Value": False}, False]
    assert seen["root kept"] == [False]
    assert seen["type while running"] == [
        "IncorrectInstanceState",
        400,
        f"The instance '{instance}' is not in the 'stopped' state.",
    ]
    assert seen["two attributes"] == [
        "InvalidParameterCombination",
        400,
        "Fields for multiple attribute types specified: disableApiStop, sourceDestCheck",
    ]
    assert seen["user data"] is True
    assert seen["stopped changes"] == ["t3.small", {"Value": "t3.small"}, {"Value": True}]
    assert seen["credits after"] == ["standard"]
    assert seen["prefix lists"] == [
        ["pl-02cd2c6b", "com.amazonaws.us-east-1.dynamodb", True],
        ["pl-63a5400a", "com.amazonaws.us-east-1.s3", True],
    ]
    assert seen["s3 prefix list"] == ["pl-63a5400a"]
    assert seen["prefix list by id"] == ["com.amazonaws.us-east-1.dynamodb"]
    assert seen["no prefix list"] == [
        "InvalidPrefixListID.NotFound",
        400,
        "The prefix list ID 'pl-00000000' does not exist",
    ]
    # IAM
    assert seen["boundary"] == ["Policy", True]
    assert seen["boundary usage"] == 1
    assert seen["boundary missing policy"] == [
        "NoSuchEntityException",
        404,
        "Scope ARN: arn:aws:iam::123456789012:policy/nope does not exist or is not attachable.",
    ]
    assert seen["boundary no role"] == ["NoSuchEntityException", 404, "The role with name ghost cannot be found."]
    assert seen["simulation"] == [
        ["ecs:ListClusters", "*", "allowed", True, ["PolicyInputList.1"], []],
        ["ecs:RunTask", "*", "implicitDeny", False, [], []],
        ["ecs:DeleteCluster", "*", "explicitDeny", False, ["PermissionsBoundaryPolicyInputList.1"], []],
        ["ec2:RunInstances", "*", "implicitDeny", False, [], []],
    ]
    assert seen["simulation truncated"] is False
    assert seen["simulation empty lists"] == [["allowed", "*", None]]
    assert seen["simulation context"] == ["allowed"]
    assert seen["simulation pages"] == [["allowed", "allowed", "implicitDeny"], ["implicitDeny"]]
    assert seen["simulation without actions"] == [
        "ValidationError",
        400,
        "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null",
    ]
    assert seen["boundary without anything"] == [
        "ValidationError",
        400,
        "2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member must not be "
        "null; Value null at 'permissionsBoundary' failed to satisfy constraint: Member must not be null",
    ]
    assert seen["volume without zone"] == [
        "MissingParameter",
        400,
        "The request must contain the parameter availabilityZone",
    ]
    assert seen["two boundaries"] == [
        "InvalidInputException",
        400,
        "Only one permissions boundary policy may be simulated at a time.",
    ]
    # The same answers through botocore's parsers, once nothing moves any more.
    ec2, iam = server.client("ec2"), server.client("iam")
    cap = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"},
                {"Effect": "Deny", "Action": "ecs:DeleteCluster", "Resource": "*"},
            ],
        },
        separators=(",", ":"),
    )
    allow = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]},
        separators=(",", ":"),
    )
    by_botocore = {
        "whole prefix lists": ec2.describe_prefix_lists(PrefixListIds=["pl-63a5400a"]),
        "whole volumes": ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance]}]),
        "whole credits": ec2.describe_instance_credit_specifications(InstanceIds=[instance]),
        "whole metadata options": ec2.modify_instance_metadata_options(InstanceId=instance, HttpTokens="required"),
        "whole role": iam.get_role(RoleName="capped"),
        "whole simulation": iam.simulate_custom_policy(
            PolicyInputList=[allow],
            PermissionsBoundaryPolicyInputList=[cap],
            ActionNames=["ecs:ListClusters", "ecs:DeleteCluster"],
            ResourceArns=["arn:aws:ecs:us-east-1:123456789012:cluster/a", "*"],
        ),
    }
    # IAM sends policy documents URL-encoded; botocore decodes them, the JavaScript SDK does not.
    encoded = seen["whole role"]["Role"].pop("AssumeRolePolicyDocument")
    assert json.loads(unquote(encoded)) == by_botocore["whole role"]["Role"].pop("AssumeRolePolicyDocument")
    assert {label: seen[label] for label in by_botocore} == {
        label: _as_the_sdk_prints(answer) for label, answer in by_botocore.items()
    }
    assert len(seen["whole volumes"]["Volumes"]) == 2
