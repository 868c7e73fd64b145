"""Fuzz requests that reach the operations' own code (session 9): every operation trunkline
implements (the provider methods, as `wire.generate_shapes.implemented_operations` lists them), its
required members present, ids taken from a seeded world, and the other members odd-but-legal or
hostile (empty strings, huge and negative numbers, Unicode, NULs, a scalar where a structure belongs).

tests/test_fuzz.py's generators withhold every write's required members, so that no request can
change state legitimately; their writes therefore stop at the wire's "missing member" check and
never reach a handler. These requests may succeed, so the rule they keep is the documented one:
an answer that is an error leaves stored state as it was (the caller compares the digest before and
after each refused request). `benchmarks/fuzz_count.py` mixes them into its pool.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import quote

from botocore.model import ListShape, MapShape, Shape, StructureShape

import test_fuzz as fuzz  # type: ignore[import-not-found]  # tests/ is on sys.path (pytest, fuzz_count.py)

#: Each service's protocol, as the fuzz harness sends it.
PROTOCOLS = {
    "ec2": "ec2",
    "iam": "query",
    "sts": "query",
    "autoscaling": "query",
    "ecs": "json",
    "ssm": "json",
    "logs": "json",
}


@cache
def implemented(service: str) -> tuple[str, ...]:
    """The operations `service` answers (a provider method each)."""
    from trunkline.wire.generate_shapes import implemented_operations

    return tuple(implemented_operations(service))


_ODD_TEXT = (
    "",
    " ",
    "x",
    "\u00e9\u00e8",
    "\u2603\U0001f600",
    "\ufeff",
    "a" * 300,
    "a" * 5000,
    "*",
    "arn:aws:iam::123456789012:role/x",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "i-00000000000000000",
    "vol-00000000000000000",
    "eni-00000000000000000",
    "sg-00000000000000000",
    "pl-00000000",
    "null",
    "{}",
    "[]",
    "-1",
    "99999999999999999999",
    "\u0663",
    "\x00",
    "a\x00b",
    "$Latest",
    "tag:Name",
)
_ODD_NUMBERS = (0, -1, 1, 2, 7, 8, 16, 17, 64, 1000, 1024, 16385, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30, -(2**63))
_WRONG_JSON: tuple[Any, ...] = ("x", "", 1, -1, 1.5, True, None, [], {}, [1], {"a": 1}, [[]], 10**30)


class World:
    """Ids a request may name: what the caller seeded, by the member names that hold them."""

    def __init__(self, ids: dict[str, Sequence[str]]) -> None:
        self.ids = {key.lower(): list(values) for key, values in ids.items() if values}

    def pick(self, member: str, rng: random.Random) -> str | None:
        """A seeded id for a member named like one (InstanceId, Resources, RoleName...), or None."""
        name = member.lower()
        for key, values in self.ids.items():
            if key in name:
                return rng.choice(values)
        return None


class DeepRequests:
    """Requests to implemented operations with their required members; one per thread."""

    def __init__(self, world: World, seed: int, services: Sequence[str] = tuple(PROTOCOLS)) -> None:
        self.world = world
        self.rng = random.Random(seed)
        self.targets = [(s, n) for s in services for n in implemented(s)]

    def next(self) -> fuzz.RawRequest:
        service, operation = self.rng.choice(self.targets)
        return self.build(service, operation)

    def build(self, service: str, operation: str) -> fuzz.RawRequest:
        shape = fuzz._operation(service, operation).input_shape
        hostile = self.rng.random() < 0.35
        params = self._structure(shape, "", depth=0, hostile=hostile, top=True) if shape is not None else {}
        protocol = PROTOCOLS[service]
        if protocol == "json":
            return self._json(service, operation, params, hostile)
        return self._form(service, operation, protocol, params, hostile)

    # --- values ---

    def _structure(self, shape: StructureShape, name: str, depth: int, hostile: bool, top: bool = False) -> Any:
        members = shape.members
        chosen = set(shape.required_members)
        optional = sorted(set(members) - chosen)
        if optional:
            chosen |= set(self.rng.sample(optional, min(len(optional), self.rng.randint(0, 4 if top else 3))))
        if not top and self.rng.random() < 0.1:
            chosen -= {self.rng.choice(sorted(chosen))} if chosen else set()  # a nested required member missing
        return {m: self._value(members[m], m, depth + 1, hostile) for m in sorted(chosen)}

    def _value(self, shape: Shape, name: str, depth: int, hostile: bool) -> Any:
        rng = self.rng
        kind = shape.type_name
        if hostile and rng.random() < 0.15:
            return rng.choice(_WRONG_JSON)
        if kind == "structure":
            assert isinstance(shape, StructureShape)
            return {} if depth > 4 else self._structure(shape, name, depth, hostile)
        if kind == "list":
            assert isinstance(shape, ListShape)
            if depth > 4:
                return []
            count = rng.choice((0, 1, 1, 1, 2, 3, 30)) if hostile else rng.choice((0, 1, 1, 2))
            return [self._value(shape.member, name, depth + 1, hostile) for _ in range(count)]
        if kind == "map":
            assert isinstance(shape, MapShape)
            return {self._string(shape.key, "key", hostile): self._value(shape.value, name, depth + 1, hostile)}
        if kind == "string":
            return self._string(shape, name, hostile)
        if kind in ("integer", "long"):
            meta = shape.metadata
            edges = [meta[k] + d for k in ("min", "max") if k in meta for d in (-1, 0, 1)]
            return rng.choice(edges + list(_ODD_NUMBERS) if hostile or rng.random() < 0.5 else [1, 2, 5, 10, 100])
        if kind in ("float", "double"):
            return rng.choice((0.0, -1.0, 0.5, 1e308, 1e-300, 100.0))
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "timestamp":
            return rng.choice(
                (datetime(2024, 1, 1, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC))
            )
        if kind == "blob":
            return rng.choice((b"", b"x", b"\x00\xff", b"a" * 5000))
        return "x"

    def _string(self, shape: Shape, name: str, hostile: bool) -> str:
        rng = self.rng
        seeded = self.world.pick(name, rng)
        roll = rng.random()
        if seeded is not None and roll < 0.6:
            return seeded
        enum = shape.enum
        if enum and roll < 0.75:
            return str(rng.choice(enum))
        if roll < 0.8 and not hostile:
            return f"fuzz-{rng.randrange(1000)}"
        return rng.choice(_ODD_TEXT)

    # --- wire forms ---

    def _json(self, service: str, operation: str, params: Any, hostile: bool) -> fuzz.RawRequest:
        prefix = fuzz._model(service).metadata["targetPrefix"]
        body = json.dumps(params, default=fuzz._json_default)
        headers: dict[str, str | bytes] = {
            "X-Amz-Target": f"{prefix}.{operation}",
            "Content-Type": fuzz.JSON_CONTENT,
            "Authorization": fuzz._scope(service),
        }
        return fuzz.RawRequest("POST", headers, body=body.encode(), service=service, operation=operation)

    def _form(self, service: str, operation: str, protocol: str, params: Any, hostile: bool) -> fuzz.RawRequest:
        model = fuzz._operation(service, operation)
        try:
            body = fuzz._serializer(protocol).serialize_to_request(_stringly(params), model)["body"]
        except Exception:  # a wrong-typed value botocore cannot write: the typed pairs only
            body = {"Action": operation, "Version": fuzz._model(service).api_version}
        pairs = [(str(k), str(v)) for k, v in body.items()]
        if hostile and self.rng.random() < 0.5:
            pairs = self._wrong_pairs(pairs)
        encoded = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
        headers: dict[str, str | bytes] = {"Content-Type": fuzz.FORM, "Authorization": fuzz._scope(service)}
        return fuzz.RawRequest("POST", headers, body=encoded.encode(), service=service, operation=operation)

    def _wrong_pairs(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """A form a client could not send: a value where a branch is, a branch where a value is."""
        rng = self.rng
        body = [p for p in pairs if p[0] not in ("Action", "Version")]
        if not body:
            return pairs
        key, value = rng.choice(body)
        choice = rng.random()
        if choice < 0.4 and "." in key:
            pairs.append((key.split(".", 1)[0], rng.choice(_ODD_TEXT)))  # a scalar at a structure or list
        elif choice < 0.7:
            pairs.append((f"{key}.1", value))  # a branch below a scalar
        else:
            pairs = [(k, rng.choice(_ODD_TEXT) if k == key else v) for k, v in pairs]
        return pairs


def _stringly(value: Any) -> Any:
    """botocore's query serializers want str for scalars they do not format themselves."""
    if isinstance(value, dict):
        return {k: _stringly(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_stringly(v) for v in value if v is not None]
    if isinstance(value, (bool, datetime, bytes, str)):
        return value
    return str(value)


def seed_world(url: str) -> World:
    """A world for the requests to name, made with boto3: a VPC with a subnet and a group, an
    instance with a data volume and a second ENI, a launch template and an Auto Scaling group,
    IAM identities with a boundary, an ECS cluster, a log group. Under `--timing manual` nothing
    moves until the clock is advanced, so a refused request's digest check is exact."""
    import boto3
    from botocore.config import Config

    creds = {"aws_access_key_id": fuzz.ACCESS_KEY, "aws_secret_access_key": "x" * 40}
    config = Config(retries={"max_attempts": 1})

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=url, region_name=fuzz.REGION, config=config, **creds)

    ec2, iam = client("ec2"), client("iam")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(VpcId=vpc, GroupName="fuzz", Description="fuzz")["GroupId"]
    image = client("ssm").get_parameter(Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")
    image_id = image["Parameter"]["Value"]
    instance = ec2.run_instances(ImageId=image_id, InstanceType="t3.large", MinCount=1, MaxCount=1, SubnetId=subnet)
    instance_id = instance["Instances"][0]["InstanceId"]
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    template = ec2.create_launch_template(
        LaunchTemplateName="fuzz", LaunchTemplateData={"InstanceType": "c5.large", "ImageId": image_id}
    )["LaunchTemplate"]["LaunchTemplateId"]
    client("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="fuzz",
        LaunchTemplate={"LaunchTemplateId": template},
        MinSize=0,
        MaxSize=1,
        VPCZoneIdentifier=subnet,
    )
    allow = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    policy = iam.create_policy(PolicyName="fuzz-policy", PolicyDocument=allow)["Policy"]["Arn"]
    role = iam.create_role(RoleName="fuzz-role", AssumeRolePolicyDocument=trust, PermissionsBoundary=policy)["Role"]
    user = iam.create_user(UserName="fuzz-user")["User"]
    iam.create_instance_profile(InstanceProfileName="fuzz-profile")
    linked = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="fuzz")["Role"]
    task = iam.delete_service_linked_role(RoleName=linked["RoleName"])["DeletionTaskId"]
    client("ecs").create_cluster(clusterName="fuzz")
    client("logs").create_log_group(logGroupName="fuzz")
    client("logs").create_log_stream(logGroupName="fuzz", logStreamName="s")
    _let_time_pass(url)
    return World(
        {
            "InstanceId": [instance_id],
            "VolumeId": [volume],
            "NetworkInterfaceId": [eni],
            "LaunchTemplateId": [template],
            "LaunchTemplateName": ["fuzz"],
            "SecurityGroupId": [group],
            "GroupId": [group],
            "SubnetId": [subnet],
            "VpcId": [vpc],
            "PrefixListId": ["pl-63a5400a", "pl-02cd2c6b"],
            "ImageId": [image_id],
            "AutoScalingGroupName": ["fuzz"],
            "DeletionTaskId": [task],
            "PolicySourceArn": [role["Arn"], user["Arn"]],
            "PermissionsBoundary": [policy],
            "PolicyArn": [policy],
            "RoleName": ["fuzz-role", linked["RoleName"]],
            "UserName": ["fuzz-user"],
            "InstanceProfileName": ["fuzz-profile"],
            "Resources": [instance_id, volume, vpc],
            "cluster": ["fuzz"],
            "logGroupName": ["fuzz"],
            "logStreamName": ["s"],
            "AvailabilityZone": ["us-east-1a", "us-east-1b"],
            "InstanceType": ["t3.large", "c5.large", "t2.micro"],
            "Arn": [role["Arn"], policy],
        }
    )


def _let_time_pass(url: str) -> None:
    """The instance running, the volume available, the deletion task finished: a manual clock is
    moved on, any other has its due work run."""
    import httpx

    moved = httpx.post(url + "/_trunkline/clock/advance", json={"seconds": 900}, timeout=60)
    if moved.status_code == 409:  # not a manual clock
        httpx.post(url + "/_trunkline/clock/settle", timeout=60).raise_for_status()
    else:
        moved.raise_for_status()
