"""PutAttributes, DeleteAttributes and ListAttributes on container instances.

Domain-level tests store container-instance records through `container_instances.save` in a real
SQLite store and call the domain functions; end-to-end tests register instances through the API
(as the agent does) and use boto3 and the AWS CLI.

Seed requirements covered: S16 (`list-attributes --target-type container-instance --attribute-name
ecs.awsvpc-trunk-id --cluster X` lists trunked instances, `{"attributes": []}` when none), S3/S14
(`ecs.awsvpc-trunk-id` is ECS-managed: clients can neither set nor delete it).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

import ecs_records
from conftest import Server
from ecs_records import CLUSTER, OTHER, REGION, call, ctx_of, instance_arn, instance_id, refused
from trunkline.domain.ecs import attributes, container_instances
from trunkline.store.api import Store

TRUNK_ID = "ecs.awsvpc-trunk-id"
TYPE = "container-instance"

Record = dict[str, Any]


# --- domain helpers (the `store` fixture is in conftest.py) --------------------------------------------


_ctx = ctx_of
iid = instance_id
arn = instance_arn


MANAGED = {
    "ecs.os-type": "linux",
    "ecs.instance-type": "c5.large",
    "com.amazonaws.ecs.capability.docker-remote-api.1.17": None,
}


def make_record(
    n: int, status: str = "ACTIVE", cluster: str = CLUSTER, extra: dict[str, str | None] | None = None
) -> Record:
    """A record with ECS's managed attributes and `extra` ones."""
    return ecs_records.make_record(n, status, cluster, attributes={**MANAGED, **(extra or {})})


def seed(store: Store, *records: Record) -> None:
    ecs_records.seed(store, *records)


def record(store: Store, n: int) -> Record:
    found = store.run(lambda tx: container_instances.find(_ctx(tx), CLUSTER, iid(n)))
    assert found is not None
    return found


def custom(store: Store, n: int) -> dict[str, str | None]:
    return {a["name"]: a.get("value") for a in record(store, n)["attributes"] if not attributes.is_managed(a["name"])}


def put(store: Store, *entries: Record, cluster: str = "prod") -> list[Record]:
    return call(store, attributes.put_attributes, cluster=cluster, attributes=list(entries))  # type: ignore[no-any-return]


def list_all(store: Store, **params: Any) -> list[Record]:
    """Every entry ListAttributes returns, following nextToken; no entry twice."""
    entries: list[Record] = []
    token = None
    for _ in range(1000):
        page, token = call(
            store, attributes.list_attributes, targetType=TYPE, **params, **({"nextToken": token} if token else {})
        )
        entries.extend(page)
        if token is None:
            break
    keys = [(e["targetId"], e["name"]) for e in entries]
    assert len(keys) == len(set(keys))
    return entries


# --- PutAttributes -----------------------------------------------------------------------------------


def test_put_creates_replaces_and_echoes_the_request(store: Store) -> None:
    seed(store, make_record(1))
    given = [
        {"name": "stack", "value": "prod", "targetId": arn(1)},
        {"name": "canary", "targetType": TYPE, "targetId": iid(1)},
    ]
    assert put(store, *given) == given  # answered as sent, ids not rewritten
    assert custom(store, 1) == {"stack": "prod", "canary": None}
    put(store, {"name": "stack", "value": "dev", "targetId": arn(1)})
    assert custom(store, 1) == {"stack": "dev", "canary": None}
    # Attribute edits are not state changes: no version bump, no event.
    assert record(store, 1)["version"] == 1
    assert store.run(lambda tx: tx.events_after(0, 10)) == []


def test_put_keeps_the_indexes_current(store: Store) -> None:
    seed(store, make_record(1), make_record(2))
    put(
        store,
        {"name": "stack", "value": "prod", "targetId": arn(1)},
        {"name": "stack", "value": "dev", "targetId": arn(2)},
    )
    assert [e["targetId"] for e in list_all(store, cluster="prod", attributeName="stack", attributeValue="prod")] == [
        arn(1)
    ]
    put(store, {"name": "stack", "value": "dev", "targetId": arn(1)})
    assert list_all(store, cluster="prod", attributeName="stack", attributeValue="prod") == []
    assert len(list_all(store, cluster="prod", attributeName="stack", attributeValue="dev")) == 2


@pytest.mark.parametrize(
    "name",
    ["with space", "a" * 129, "at@sign", "", "colon:name", "ünïcode"],
)
def test_put_refuses_bad_names(store: Store, name: str) -> None:
    seed(store, make_record(1))
    code, message = refused(
        store, attributes.put_attributes, attributes=[{"name": name, "targetId": arn(1)}], cluster="prod"
    )
    assert code == "InvalidParameterException"
    assert message.startswith(f"Invalid attribute name '{name}'")


@pytest.mark.parametrize("value", [" lead", "trail ", "a" * 129, "hash#", "", "tab\tin"])
def test_put_refuses_bad_values(store: Store, value: str) -> None:
    seed(store, make_record(1))
    code, message = refused(
        store, attributes.put_attributes, cluster="prod", attributes=[{"name": "x", "value": value, "targetId": arn(1)}]
    )
    assert code == "InvalidParameterException"
    assert message.startswith(f"Invalid value '{value}' for attribute 'x'")


def test_put_accepts_every_allowed_character(store: Store) -> None:
    seed(store, make_record(1))
    name, value = "Az09-_/\\." + "n" * 119, "Az09-_.@/\\: mid space" + "v" * 107
    assert (len(name), len(value)) == (128, 128)
    put(store, {"name": name, "value": value, "targetId": arn(1)})
    assert custom(store, 1) == {name: value}


@pytest.mark.parametrize("name", [TRUNK_ID, "ecs.instance-type", "ecs.custom", "com.amazonaws.ecs.capability.ecr-auth"])
def test_managed_attributes_cannot_be_put_or_deleted(store: Store, name: str) -> None:
    """S3: the trunk attribute and every ECS/agent attribute belong to ECS."""
    seed(store, make_record(1, extra={TRUNK_ID: "a6148e89-0416-415d-97e0-f23d18e134a4"}))
    expected = (
        "InvalidParameterException",
        f"Attribute '{name}' is managed by Amazon ECS: only custom attributes can be put or deleted.",
    )
    entry = {"name": name, "value": "x", "targetId": arn(1)}
    assert refused(store, attributes.put_attributes, cluster="prod", attributes=[entry]) == expected
    assert refused(store, attributes.delete_attributes, cluster="prod", attributes=[entry]) == expected


def test_targets(store: Store) -> None:
    seed(store, make_record(1), make_record(2, cluster=OTHER), make_record(3, status="INACTIVE"))
    short = {"name": "x", "targetId": iid(1)}
    assert refused(store, attributes.put_attributes, cluster="prod", attributes=[short]) == (
        "InvalidParameterException",
        f"targetType is required when targetId '{iid(1)}' is not a full ARN.",
    )
    assert refused(store, attributes.put_attributes, cluster="prod", attributes=[{"name": "x"}]) == (
        "InvalidParameterException",
        "Attribute 'x' needs a targetId: a container instance ID or full ARN.",
    )
    # Unknown, in another cluster, deregistered, or an ARN of another region: not a target here.
    for target in (arn(9), arn(2, OTHER), arn(3), arn(1).replace(REGION, "eu-west-1")):
        assert refused(
            store, attributes.put_attributes, cluster="prod", attributes=[{"name": "x", "targetId": target}]
        ) == (
            "TargetNotFoundException",
            f"Could not find target {target} in cluster prod.",
        )


def test_put_is_all_or_nothing(store: Store) -> None:
    seed(store, make_record(1))
    code, _ = refused(
        store,
        attributes.put_attributes,
        cluster="prod",
        attributes=[{"name": "ok", "value": "1", "targetId": arn(1)}, {"name": "x", "targetId": arn(7)}],
    )
    assert code == "TargetNotFoundException"
    assert custom(store, 1) == {}


def test_ten_custom_attributes_per_instance(store: Store) -> None:
    seed(store, make_record(1))
    ten = [{"name": f"a{i}", "value": str(i), "targetId": arn(1)} for i in range(10)]
    put(store, *ten)  # the three managed attributes do not count
    assert len(custom(store, 1)) == 10
    code, message = refused(
        store, attributes.put_attributes, cluster="prod", attributes=[{"name": "a10", "targetId": arn(1)}]
    )
    assert (code, message) == (
        "AttributeLimitExceededException",
        f"Container instance {iid(1)} would have 11 custom attributes: you can apply up to 10 custom attributes for "
        "each resource.",
    )
    put(store, {"name": "a0", "value": "changed", "targetId": arn(1)})  # replacing is not adding
    call(store, attributes.delete_attributes, cluster="prod", attributes=[{"name": "a9", "targetId": arn(1)}])
    put(store, {"name": "a10", "targetId": arn(1)})
    assert len(custom(store, 1)) == 10 and custom(store, 1)["a0"] == "changed"


def test_one_call_counts_all_its_attributes(store: Store) -> None:
    seed(store, make_record(1))
    put(store, *({"name": f"a{i}", "targetId": arn(1)} for i in range(9)))
    two = [{"name": "b1", "targetId": arn(1)}, {"name": "b2", "targetType": TYPE, "targetId": iid(1)}]
    assert (
        refused(store, attributes.put_attributes, cluster="prod", attributes=two)[0]
        == "AttributeLimitExceededException"
    )
    assert len(custom(store, 1)) == 9


@pytest.mark.parametrize(
    ("count", "message"), [(0, "attributes can not be empty."), (11, "attributes can have at most 10 items.")]
)
def test_attributes_per_call(store: Store, count: int, message: str) -> None:
    seed(store, make_record(1))
    entries = [{"name": f"a{i}", "targetId": arn(1)} for i in range(count)]
    for function in (attributes.put_attributes, attributes.delete_attributes):
        assert refused(store, function, cluster="prod", attributes=entries) == ("InvalidParameterException", message)


def test_unknown_cluster(store: Store) -> None:
    entry = {"name": "x", "targetId": arn(1)}
    assert refused(store, attributes.put_attributes, cluster="nope", attributes=[entry]) == (
        "ClusterNotFoundException",
        "Cluster not found.",
    )
    assert refused(store, attributes.list_attributes, cluster="nope", targetType=TYPE)[0] == "ClusterNotFoundException"


# --- DeleteAttributes --------------------------------------------------------------------------------


def test_delete_by_name(store: Store) -> None:
    seed(store, make_record(1, extra={"stack": "prod", "canary": None}))
    deleted = call(
        store,
        attributes.delete_attributes,
        cluster="prod",
        attributes=[{"name": "stack", "value": "ignored", "targetId": arn(1)}, {"name": "absent", "targetId": arn(1)}],
    )
    assert [d["name"] for d in deleted] == ["stack", "absent"]
    assert custom(store, 1) == {"canary": None}
    assert list_all(store, cluster="prod", attributeName="stack") == []
    entry = {"name": "x", "targetId": arn(8)}
    assert (
        refused(store, attributes.delete_attributes, cluster="prod", attributes=[entry])[0] == "TargetNotFoundException"
    )


# --- ListAttributes ----------------------------------------------------------------------------------


def test_list_by_name_finds_trunked_instances(store: Store) -> None:
    """S16: the name-only filter lists the instances carrying the trunk attribute, [] when none."""
    assert list_all(store, cluster="prod", attributeName=TRUNK_ID) == []
    seed(
        store,
        make_record(1),
        make_record(2, extra={TRUNK_ID: "a6148e89-0416-415d-97e0-f23d18e134a4"}),
        make_record(3, status="INACTIVE", extra={TRUNK_ID: "gone"}),
        make_record(4, cluster=OTHER, extra={TRUNK_ID: "elsewhere"}),
    )
    assert list_all(store, cluster="prod", attributeName=TRUNK_ID) == [
        {"name": TRUNK_ID, "value": "a6148e89-0416-415d-97e0-f23d18e134a4", "targetType": TYPE, "targetId": arn(2)}
    ]


def test_list_name_only_attribute_has_no_value(store: Store) -> None:
    seed(store, make_record(1))
    entries = list_all(store, cluster="prod", attributeName="com.amazonaws.ecs.capability.docker-remote-api.1.17")
    assert entries == [
        {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.17", "targetType": TYPE, "targetId": arn(1)}
    ]


def test_list_value_needs_a_name(store: Store) -> None:
    assert refused(store, attributes.list_attributes, targetType=TYPE, cluster="prod", attributeValue="linux") == (
        "InvalidParameterException",
        "attributeName must be specified to filter attributes by attributeValue.",
    )


def test_list_everything_in_pages(store: Store) -> None:
    seed(store, *(make_record(n, extra={"rack": f"r{n % 3}"}) for n in range(7)), make_record(8, status="INACTIVE"))
    pages = []
    token = None
    while True:
        page, token = call(
            store,
            attributes.list_attributes,
            cluster="prod",
            targetType=TYPE,
            maxResults=5,
            **({"nextToken": token} if token else {}),
        )
        pages.append(page)
        if token is None:
            break
    entries = [e for p in pages for e in p]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 5, 3]
    assert len(entries) == 7 * 4 == len({(e["targetId"], e["name"]) for e in entries})
    assert arn(8) not in {e["targetId"] for e in entries}
    # Instance by instance, each instance's attributes by name.
    assert [e["name"] for e in entries[:4]] == sorted([*MANAGED, "rack"])


def test_list_by_name_and_value_in_pages(store: Store) -> None:
    seed(store, *(make_record(n, extra={"rack": f"r{n % 3}"}) for n in range(30)))
    found = list_all(store, cluster="prod", attributeName="rack", attributeValue="r1", maxResults=4)
    assert [e["targetId"] for e in found] == [arn(n) for n in range(1, 30, 3)]
    assert all(e["value"] == "r1" for e in found)
    assert len(list_all(store, cluster="prod", attributeName="rack", maxResults=7)) == 30


def test_list_token_is_bound_to_the_request(store: Store) -> None:
    seed(store, *(make_record(n) for n in range(3)))
    _, token = call(store, attributes.list_attributes, cluster="prod", targetType=TYPE, maxResults=1)
    expected = ("InvalidParameterException", "Invalid nextToken: the token is not valid for this request.")
    assert (
        refused(
            store,
            attributes.list_attributes,
            cluster="prod",
            targetType=TYPE,
            attributeName="ecs.os-type",
            nextToken=token,
        )
        == expected
    )
    assert refused(store, attributes.list_attributes, cluster="other", targetType=TYPE, nextToken=token) == expected


@pytest.mark.parametrize("size", [0, 101])
def test_list_max_results_bounds(store: Store, size: int) -> None:
    code, message = refused(store, attributes.list_attributes, cluster="prod", targetType=TYPE, maxResults=size)
    assert code == "InvalidParameterException" and "maxResults" in message


# --- end to end: instances registered through the API ------------------------------------------------


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _digest(server: Server) -> str:
    return str(server.get("/_trunkline/state/digest").json()["digest"])


class Fleet:
    """A cluster and a subnet; instances launched with EC2 and registered as the agent registers."""

    def __init__(
        self, server: Server, cluster: str = "prod", image: str = "al2023-ami-2023.12.20260831.0-kernel-6.1-x86_64"
    ):
        self.server = server
        self.ec2 = server.client("ec2")
        self.ecs = server.client("ecs")
        self.cluster = cluster
        self.ecs.create_cluster(clusterName=cluster)
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/20", AvailabilityZone="us-east-1a")[
            "Subnet"
        ]["SubnetId"]
        images = self.ec2.describe_images(Filters=[{"Name": "name", "Values": [image]}])["Images"]
        self.image = images[0]["ImageId"]

    def register(self, attributes: list[Record] | None = None, instance_type: str = "c5.large", **extra: Any) -> Record:
        launched = self.ec2.run_instances(
            ImageId=self.image, InstanceType=instance_type, MinCount=1, MaxCount=1, SubnetId=self.subnet
        )["Instances"][0]
        document = json.dumps({"instanceId": launched["InstanceId"], "region": REGION, "instanceType": instance_type})
        return self.ecs.register_container_instance(  # type: ignore[no-any-return]
            cluster=self.cluster,
            instanceIdentityDocument=document,
            instanceIdentityDocumentSignature="signature",
            versionInfo={"agentVersion": "1.85.1", "agentHash": "c8bd9d8", "dockerVersion": "DockerVersion: 25.0.8"},
            attributes=attributes or [],
            **extra,
        )["containerInstance"]


TRUNK_CAPABLE = [{"name": "ecs.capability.task-eni"}, {"name": "ecs.capability.task-eni-trunking"}]


def test_s16_trunk_listing_with_the_cli(server: Server, cli: Any) -> None:
    """S16, verbatim: no trunked instance -> {"attributes": []}; after a trunked registration
    (awsvpcTrunking enabled, trunk provisioned), one entry naming the container instance."""
    fleet = Fleet(server)
    fleet.register(TRUNK_CAPABLE)  # before opting in: never trunked (S5)
    command = ("ecs", "list-attributes", "--target-type", TYPE, "--attribute-name", TRUNK_ID, "--cluster", "prod")
    assert cli(*command) == {"attributes": []}
    fleet.ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    trunked = fleet.register(TRUNK_CAPABLE)
    server.post("/_trunkline/clock/settle").raise_for_status()
    listed = cli(*command)["attributes"]
    assert [(e["name"], e["targetType"], e["targetId"]) for e in listed] == [
        (TRUNK_ID, TYPE, trunked["containerInstanceArn"])
    ]
    assert listed[0]["value"]
    # The trunk attribute is ECS's: a client can neither remove nor forge it.
    with pytest.raises(ClientError) as caught:
        fleet.ecs.delete_attributes(
            cluster="prod", attributes=[{"name": TRUNK_ID, "targetId": trunked["containerInstanceArn"]}]
        )
    assert _error(caught)[:2] == (
        "InvalidParameterException",
        f"Attribute '{TRUNK_ID}' is managed by Amazon ECS: only custom attributes can be put or deleted.",
    )


def test_put_list_delete_round_trip_with_boto3_and_cli(server: Server, cli: Any) -> None:
    fleet = Fleet(server)
    first, second = fleet.register(), fleet.register()
    short_id = second["containerInstanceArn"].rsplit("/", 1)[-1]
    put = cli(
        "ecs",
        "put-attributes",
        "--cluster",
        "prod",
        "--attributes",
        f"name=stack,value=production,targetId={first['containerInstanceArn']}",
        f"name=stack,value=staging,targetType={TYPE},targetId={short_id}",
    )
    assert put["attributes"][0] == {"name": "stack", "value": "production", "targetId": first["containerInstanceArn"]}
    listed = cli(
        "ecs",
        "list-attributes",
        "--cluster",
        "prod",
        "--target-type",
        TYPE,
        "--attribute-name",
        "stack",
        "--attribute-value",
        "production",
    )
    assert listed == {
        "attributes": [
            {"name": "stack", "value": "production", "targetType": TYPE, "targetId": first["containerInstanceArn"]}
        ]
    }
    described = fleet.ecs.describe_container_instances(cluster="prod", containerInstances=[short_id])[
        "containerInstances"
    ][0]
    assert {"name": "stack", "value": "staging"} in described["attributes"]
    fleet.ecs.delete_attributes(
        cluster="prod", attributes=[{"name": "stack", "targetType": TYPE, "targetId": short_id}]
    )
    remaining = fleet.ecs.list_attributes(cluster="prod", targetType=TYPE, attributeName="stack")["attributes"]
    assert [e["targetId"] for e in remaining] == [first["containerInstanceArn"]]


def test_cli_walks_every_page(server: Server, cli: Any) -> None:
    fleet = Fleet(server)
    arns = sorted(fleet.register([{"name": "rack", "value": "r1"}])["containerInstanceArn"] for _ in range(5))
    listed = cli(
        "ecs",
        "list-attributes",
        "--cluster",
        "prod",
        "--target-type",
        TYPE,
        "--attribute-name",
        "rack",
        "--page-size",
        "2",
    )
    assert sorted(e["targetId"] for e in listed["attributes"]) == arns
    everything = cli("ecs", "list-attributes", "--cluster", "prod", "--target-type", TYPE, "--page-size", "3")[
        "attributes"
    ]
    pairs = [(e["targetId"], e["name"]) for e in everything]
    assert len(pairs) == len(set(pairs)) and {a for a, _ in pairs} == set(arns)
    assert ("rack" in {n for _, n in pairs}) and any(n == "ecs.instance-type" for _, n in pairs)


def test_errors_over_the_wire_change_nothing(server: Server) -> None:
    fleet = Fleet(server)
    target = fleet.register([{"name": f"c{i}"} for i in range(10)])["containerInstanceArn"]
    server.post("/_trunkline/clock/settle").raise_for_status()  # nothing left to happen on its own
    before = _digest(server)
    cases = [
        ([{"name": "c10", "targetId": target}], "AttributeLimitExceededException"),
        ([{"name": "x", "targetId": target[:-4] + "ffff"}], "TargetNotFoundException"),
        ([{"name": "bad name", "targetId": target}], "InvalidParameterException"),
        ([{"name": "x", "value": " padded", "targetId": target}], "InvalidParameterException"),
    ]
    for entries, code in cases:
        with pytest.raises(ClientError) as caught:
            fleet.ecs.put_attributes(cluster="prod", attributes=entries)
        assert _error(caught)[0] == code and _error(caught)[2] == 400
    with pytest.raises(ClientError) as caught:
        fleet.ecs.list_attributes(cluster="prod", targetType=TYPE, attributeValue="x")
    assert _error(caught)[0] == "InvalidParameterException"
    assert _digest(server) == before
