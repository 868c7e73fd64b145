"""DescribeContainerInstances, ListContainerInstances and UpdateContainerInstancesState.

Domain-level tests store container-instance records through `container_instances.save` (the record
contract the registration code writes) in a real SQLite store and call the domain functions; the
end-to-end tests register instances through the API the way the agent does and drive boto3 and the
AWS CLI.

Seed requirements covered: S10 (REGISTERING and REGISTRATION_FAILED instances are describable, with
their statusReason, but their status cannot be updated), S11 (status changes emit container
instance state change events with the record's version), S12 (INACTIVE instances stay describable
and are not listed), S16 (instances found by the trunk attribute through the query language).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import Server, fresh_state, start_process, stop_process
from ecs_records import (
    ACCOUNT,
    NOW,
    OTHER,
    REGION,
    CountingTx,
    call,
    ctx_of,
    instance_arn,
    instance_id,
    make_record,
    refused,
    seed,
)
from trunkline.context import Principal, RequestContext
from trunkline.domain.ecs import instance_queries
from trunkline.reactions import Reactions
from trunkline.store.api import Store, Transaction
from trunkline.timing import PROFILES

Record = dict[str, Any]


# --- domain helpers (the `store` fixture, clusters prod and other, is in conftest.py) ------------------


_ctx = ctx_of
arn = instance_arn


def list_all(store: Store, **params: Any) -> list[str]:
    """Every ARN ListContainerInstances returns, following nextToken; no ARN twice."""
    found: list[str] = []
    token = None
    for _ in range(1000):
        page = call(store, instance_queries.list_arns, **params, **({"nextToken": token} if token else {}))
        found.extend(page[0])
        token = page[1]
        if token is None:
            break
    assert len(found) == len(set(found))
    return found


# --- DescribeContainerInstances ----------------------------------------------------------------------


def test_describe_by_id_and_arn_with_missing_failures(store: Store) -> None:
    seed(store, make_record(1), make_record(2), make_record(3, cluster=OTHER))
    foreign = arn(3, OTHER)
    found, failures = call(
        store,
        instance_queries.describe,
        cluster="prod",
        containerInstances=[instance_id(1), arn(2), "nope", foreign, instance_id(1)],
    )
    assert [i["containerInstanceArn"] for i in found] == [arn(1), arn(2)]
    # MISSING names what was asked, as an ARN: an id is placed in the cluster, an ARN kept as given.
    assert failures == [
        {"arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/prod/nope", "reason": "MISSING"},
        {"arn": foreign, "reason": "MISSING"},
    ]
    assert all(not any(k.startswith("_") for k in i) for i in found)


def test_describe_includes_tags_and_health_only_when_asked(store: Store) -> None:
    seed(store, make_record(1, tags=[{"key": "team", "value": "net"}]))
    plain = call(store, instance_queries.describe, cluster="prod", containerInstances=[instance_id(1)])[0][0]
    assert "tags" not in plain and "healthStatus" not in plain
    full = call(
        store,
        instance_queries.describe,
        cluster="prod",
        containerInstances=[instance_id(1)],
        include=["TAGS", "CONTAINER_INSTANCE_HEALTH"],
    )[0][0]
    assert full["tags"] == [{"key": "team", "value": "net"}]
    assert full["healthStatus"]["overallStatus"] == "OK"
    assert full["healthStatus"]["details"][0]["type"] == "CONTAINER_RUNTIME"


@pytest.mark.parametrize(
    ("status", "connected", "overall"),
    [
        ("REGISTERING", True, "INITIALIZING"),
        ("DRAINING", True, "OK"),
        ("ACTIVE", False, "INSUFFICIENT_DATA"),
        ("REGISTRATION_FAILED", True, "INSUFFICIENT_DATA"),
    ],
)
def test_health_follows_status_and_agent(store: Store, status: str, connected: bool, overall: str) -> None:
    seed(store, make_record(1, status=status, agentConnected=connected))
    found = call(
        store,
        instance_queries.describe,
        cluster="prod",
        containerInstances=[instance_id(1)],
        include=["CONTAINER_INSTANCE_HEALTH"],
    )[0]
    assert found[0]["healthStatus"]["overallStatus"] == overall


def test_inactive_and_failed_instances_are_describable(store: Store) -> None:
    """S10, S12: REGISTRATION_FAILED shows its statusReason; INACTIVE is still described."""
    reason = "Unexpected EC2 error while attempting to Create Network Interface in subnet 'subnet-0a1': Unknown"
    seed(store, make_record(1, status="INACTIVE"), make_record(2, status="REGISTRATION_FAILED", statusReason=reason))
    found, failures = call(
        store, instance_queries.describe, cluster="prod", containerInstances=[instance_id(1), instance_id(2)]
    )
    assert failures == []
    assert [(i["status"], i.get("statusReason")) for i in found] == [
        ("INACTIVE", None),
        ("REGISTRATION_FAILED", reason),
    ]


@pytest.mark.parametrize(
    ("refs", "message"),
    [
        ([], "instanceIds can not be empty."),
        ([instance_id(n) for n in range(101)], "instanceIds can have at most 100 items."),
    ],
)
def test_describe_reference_count(store: Store, refs: list[str], message: str) -> None:
    assert refused(store, instance_queries.describe, cluster="prod", containerInstances=refs) == (
        "InvalidParameterException",
        message,
    )


def test_describe_unknown_cluster(store: Store) -> None:
    code, message = refused(store, instance_queries.describe, cluster="gone", containerInstances=["x"])
    assert (code, message) == ("ClusterNotFoundException", "Cluster not found.")


# --- ListContainerInstances --------------------------------------------------------------------------


def test_list_defaults_to_every_status_but_inactive(store: Store) -> None:
    """S12: deregistered (INACTIVE) instances are not listed."""
    statuses = ["REGISTERING", "REGISTRATION_FAILED", "ACTIVE", "DRAINING", "DEREGISTERING", "INACTIVE"]
    seed(store, *(make_record(n, status=s) for n, s in enumerate(statuses)), make_record(9, cluster=OTHER))
    assert list_all(store, cluster="prod") == [arn(n) for n in range(5)]
    for n, status in enumerate(statuses[:5]):
        assert list_all(store, cluster="prod", status=status) == [arn(n)]


def test_list_pages_walk_without_duplicates(store: Store) -> None:
    seed(store, *(make_record(n, status="DRAINING" if n % 3 else "ACTIVE") for n in range(23)))
    pages: list[list[str]] = []
    token = None
    while True:
        found, token = call(
            store, instance_queries.list_arns, cluster="prod", maxResults=5, **({"nextToken": token} if token else {})
        )
        pages.append(found)
        if token is None:
            break
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [a for p in pages for a in p] == [arn(n) for n in range(23)]


def test_list_default_page_is_100(store: Store) -> None:
    seed(store, *(make_record(n) for n in range(101)))
    found, token = call(store, instance_queries.list_arns, cluster="prod")
    assert len(found) == 100 and token is not None
    assert call(store, instance_queries.list_arns, cluster="prod", nextToken=token) == ([arn(100)], None)


@pytest.mark.parametrize("size", [0, 101])
def test_list_max_results_bounds(store: Store, size: int) -> None:
    code, message = refused(store, instance_queries.list_arns, cluster="prod", maxResults=size)
    assert code == "InvalidParameterException" and "maxResults" in message


def test_list_token_is_bound_to_the_request(store: Store) -> None:
    seed(store, *(make_record(n) for n in range(4)))
    _, token = call(store, instance_queries.list_arns, cluster="prod", maxResults=2)
    expected = ("InvalidParameterException", "Invalid nextToken: the token is not valid for this request.")
    assert refused(store, instance_queries.list_arns, cluster="prod", nextToken=token, status="DRAINING") == expected
    assert refused(store, instance_queries.list_arns, cluster="other", nextToken=token) == expected
    forged = base64.urlsafe_b64encode(b"x" * 40).decode()
    assert refused(store, instance_queries.list_arns, cluster="prod", nextToken=forged) == expected


FLEET = [
    # n, status, attributes, extra fields
    (0, "ACTIVE", {"ecs.instance-type": "c5.large", "ecs.availability-zone": "us-east-1a", "stack": "prod"}, {}),
    (1, "ACTIVE", {"ecs.instance-type": "c5.xlarge", "ecs.availability-zone": "us-east-1b", "stack": "dev"}, {}),
    (
        2,
        "ACTIVE",
        {"ecs.instance-type": "g2.2xlarge", "ecs.availability-zone": "us-east-1d", "ecs.awsvpc-trunk-id": "t-1"},
        {"runningTasksCount": 4, "agentConnected": False},
    ),
    (
        3,
        "DRAINING",
        {"ecs.instance-type": "c5.large", "ecs.availability-zone": "us-east-1a", "ecs.awsvpc-trunk-id": "t-2"},
        {"versionInfo": {"agentVersion": "1.27.0"}, "runningTasksCount": 1},
    ),
    (4, "INACTIVE", {"ecs.instance-type": "c5.large", "stack": "prod"}, {}),
    (5, "REGISTERING", {"ecs.instance-type": "m5.large", "ecs.capability.task-eni-trunking": None}, {}),
]


@pytest.fixture
def fleet(store: Store) -> Store:
    seed(store, *(make_record(n, status=s, attributes=a, **f) for n, s, a, f in FLEET))
    return store


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("attribute:ecs.instance-type == c5.large", [0, 3]),
        ("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", []),
        ("attribute:ecs.instance-type =~ c5.*", [0, 1, 3]),
        ("attribute:ecs.instance-type in [c5.xlarge, m5.large]", [1, 5]),
        ("attribute:ecs.awsvpc-trunk-id exists", [2, 3]),  # S16
        ("attribute:ecs.awsvpc-trunk-id !exists", [0, 1, 5]),
        ("attribute:ecs.capability.task-eni-trunking exists", [5]),
        ("attribute:stack != prod", [1]),
        ("not (attribute:stack == prod)", [1, 2, 3, 5]),
        ("agentConnected == false", [2]),
        ("agentVersion < 1.28.1", [3]),
        ("runningTasksCount > 0", [2, 3]),
        ("runningTasksCount == 0 or attribute:stack == dev", [0, 1, 5]),
        (f"ec2InstanceId in [i-{1:017x}, i-{4:017x}]", [1]),
        ("registeredAt >= 2023-11-14T21:13:22Z", [2, 3, 5]),
        ("task:group == service:web", []),
    ],
)
def test_list_filter_table(fleet: Store, expression: str, expected: list[int]) -> None:
    assert list_all(fleet, cluster="prod", filter=expression) == [arn(n) for n in expected]


def test_list_filter_combines_with_status(fleet: Store) -> None:
    found = list_all(fleet, cluster="prod", filter="attribute:ecs.instance-type == c5.large", status="DRAINING")
    assert found == [arn(3)]


@pytest.mark.parametrize(
    "expression",
    ["", "attribute:", "attribute:stack ==", "bogus == 1", "runningTasksCount == many", "(agentConnected == true"],
)
def test_list_bad_filter(fleet: Store, expression: str) -> None:
    code, message = refused(fleet, instance_queries.list_arns, cluster="prod", filter=expression)
    assert code == "InvalidParameterException" and message.startswith("Invalid cluster query expression")


def _documents_read(store: Store, **params: Any) -> tuple[int, list[str]]:
    def work(tx: Transaction) -> tuple[int, list[str]]:
        counting = CountingTx(tx)
        ctx = RequestContext(counting, Principal.root(ACCOUNT), REGION, NOW, PROFILES["fast"])  # type: ignore[arg-type]
        found, _ = instance_queries.list_arns(ctx, params)
        return counting.read, found

    return store.run(work)


def test_listing_reads_indexes_not_the_cluster(store: Store) -> None:
    seed(store, *(make_record(n, attributes={"stack": "prod" if n % 50 == 0 else "dev"}) for n in range(300)))
    # Without a filter only index keys are read; an equality filter reads the records it names.
    assert _documents_read(store, cluster="prod", maxResults=10)[0] == 0
    read, found = _documents_read(store, cluster="prod", filter="attribute:stack == prod")
    assert found == [arn(n) for n in range(0, 300, 50)] and read == 6
    read, found = _documents_read(
        store, cluster="prod", filter="attribute:stack in [prod, qa] and runningTasksCount == 0"
    )
    assert len(found) == 6 and read == 6
    # A filter the indexes cannot narrow reads about one page (plus the look-ahead), not the cluster.
    read, found = _documents_read(store, cluster="prod", filter="agentConnected == true", maxResults=10)
    assert len(found) == 10 and read <= 5 * 11


def test_sparse_filter_pages_within_a_budget(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instance_queries, "SCAN_BUDGET", 7)
    seed(store, *(make_record(n, runningTasksCount=1 if n % 10 == 3 else 0) for n in range(40)))
    first, token = call(store, instance_queries.list_arns, cluster="prod", filter="runningTasksCount == 1")
    assert first == [arn(3)] and token is not None  # a short page: the budget ran out, not the matches
    assert list_all(store, cluster="prod", filter="runningTasksCount == 1") == [arn(n) for n in (3, 13, 23, 33)]


def test_contradictory_hints_match_nothing(fleet: Store) -> None:
    expression = "attribute:stack == prod and attribute:stack == dev"
    assert _documents_read(fleet, cluster="prod", filter=expression) == (0, [])


def test_task_groups_come_from_the_contexts_reactions(fleet: Store) -> None:
    """`task:group` asks the request context's reactions (wired by the runtime), not a global."""

    def groups(ctx: RequestContext, record: Record) -> tuple[str, ...]:
        return ("service:web",) if record["ec2InstanceId"].endswith("1") else ()

    def work(tx: Transaction) -> list[str]:
        ctx = RequestContext(
            tx, Principal.root(ACCOUNT), REGION, NOW, PROFILES["fast"], reactions=Reactions(task_groups=groups)
        )
        found, _ = instance_queries.list_arns(ctx, {"cluster": "prod", "filter": "task:group == service:web"})
        return found

    assert fleet.run(work) == [arn(1)]
    assert list_all(fleet, cluster="prod", filter="task:group == service:web") == []  # no reactions: no groups


# --- UpdateContainerInstancesState -------------------------------------------------------------------


def _events(store: Store) -> list[dict[str, Any]]:
    return [e.body for e in store.run(lambda tx: tx.events_after(0, 1000))]


def test_drain_then_reactivate(store: Store) -> None:
    """S11: each status change is a new version and a state-change event carrying it."""
    seed(store, make_record(1), make_record(2))
    updated, failures = call(
        store,
        instance_queries.update_state,
        cluster="prod",
        containerInstances=[instance_id(1), arn(2), "ghost"],
        status="DRAINING",
    )
    assert [(i["status"], i["version"]) for i in updated] == [("DRAINING", 2), ("DRAINING", 2)]
    assert failures == [{"arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/prod/ghost", "reason": "MISSING"}]
    events = _events(store)
    assert [(e["detail-type"], e["detail"]["status"], e["detail"]["version"]) for e in events] == [
        ("ECS Container Instance State Change", "DRAINING", 2)
    ] * 2
    assert list_all(store, cluster="prod", status="DRAINING") == [arn(1), arn(2)]
    assert list_all(store, cluster="prod", status="ACTIVE") == []
    back, _ = call(
        store, instance_queries.update_state, cluster="prod", containerInstances=[instance_id(1)], status="ACTIVE"
    )
    assert (back[0]["status"], back[0]["version"]) == ("ACTIVE", 3)


def test_update_to_the_current_status_changes_nothing(store: Store) -> None:
    seed(store, make_record(1))
    updated, _ = call(
        store, instance_queries.update_state, cluster="prod", containerInstances=[instance_id(1)], status="ACTIVE"
    )
    assert (updated[0]["status"], updated[0]["version"]) == ("ACTIVE", 1)
    assert _events(store) == []


@pytest.mark.parametrize("status", ["REGISTERING", "REGISTRATION_FAILED", "DEREGISTERING", "INACTIVE"])
def test_update_refused_outside_active_and_draining(store: Store, status: str) -> None:
    """S10: a REGISTERING or REGISTRATION_FAILED instance can be described but not updated; the
    whole call is refused and the ACTIVE instance beside it is left alone."""
    seed(store, make_record(1), make_record(2, status=status))
    code, message = refused(
        store,
        instance_queries.update_state,
        cluster="prod",
        containerInstances=[instance_id(1), instance_id(2)],
        status="DRAINING",
    )
    assert code == "InvalidParameterException"
    assert message == (
        f"Container instance {instance_id(2)} is in {status} status: only an ACTIVE or DRAINING container "
        "instance can have its status updated."
    )


@pytest.mark.parametrize("status", ["REGISTERING", "REGISTRATION_FAILED", "DEREGISTERING"])
def test_update_target_must_be_active_or_draining(store: Store, status: str) -> None:
    seed(store, make_record(1))
    code, message = refused(
        store, instance_queries.update_state, cluster="prod", containerInstances=[instance_id(1)], status=status
    )
    assert code == "InvalidParameterException" and f"Invalid status '{status}'" in message


def test_update_at_most_ten(store: Store) -> None:
    refs = [instance_id(n) for n in range(11)]
    assert refused(
        store, instance_queries.update_state, cluster="prod", containerInstances=refs, status="DRAINING"
    ) == (
        "InvalidParameterException",
        "instanceIds can have at most 10 items.",
    )


# --- end to end: instances registered through the API, as the agent registers them -------------------


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _digest(server: Server) -> str:
    return str(server.get("/_trunkline/state/digest").json()["digest"])


def _settle(server: Server) -> None:
    server.post("/_trunkline/clock/settle").raise_for_status()


PLAIN_IMAGE = "al2023-ami-2023.12.20260831.0-kernel-6.1-x86_64"
TRUNK_CAPABLE = [{"name": "ecs.capability.task-eni"}, {"name": "ecs.capability.task-eni-trunking"}]


class Fleet:
    """A cluster and a subnet; instances launched with EC2 (an image without the agent, so nothing
    registers on its own) and registered with RegisterContainerInstance as the agent would."""

    def __init__(self, server: Server, cluster: str = "prod") -> None:
        self.ec2 = server.client("ec2")
        self.ecs = server.client("ecs")
        self.cluster = cluster
        self.ecs.create_cluster(clusterName=cluster)
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/20", AvailabilityZone="us-east-1a")
        self.subnet = subnet["Subnet"]["SubnetId"]
        image = self.ec2.describe_images(Filters=[{"Name": "name", "Values": [PLAIN_IMAGE]}])["Images"][0]
        self.image = image["ImageId"]

    def register(self, attributes: list[Record] | None = None, instance_type: str = "c5.large", **extra: Any) -> Record:
        launched = self.ec2.run_instances(
            ImageId=self.image, InstanceType=instance_type, MinCount=1, MaxCount=1, SubnetId=self.subnet
        )["Instances"][0]
        document = json.dumps({"instanceId": launched["InstanceId"], "region": REGION, "instanceType": instance_type})
        registered = self.ecs.register_container_instance(
            cluster=self.cluster,
            instanceIdentityDocument=document,
            instanceIdentityDocumentSignature="signature",
            versionInfo={"agentVersion": "1.85.1", "agentHash": "c8bd9d8", "dockerVersion": "DockerVersion: 25.0.8"},
            attributes=attributes or [],
            **extra,
        )
        return registered["containerInstance"]  # type: ignore[no-any-return]


def test_describe_over_the_wire(server: Server) -> None:
    fleet = Fleet(server)
    tagged = fleet.register(tags=[{"key": "team", "value": "network"}])
    unknown = "0123456789abcdef0123456789abcdef"
    answer = fleet.ecs.describe_container_instances(
        cluster="prod", containerInstances=[tagged["containerInstanceArn"], unknown], include=["TAGS"]
    )
    assert answer["failures"] == [
        {"arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/prod/{unknown}", "reason": "MISSING"}
    ]
    described = answer["containerInstances"][0]
    assert described["tags"] == [{"key": "team", "value": "network"}]
    assert described["containerInstanceArn"] == tagged["containerInstanceArn"]
    assert described["status"] == "ACTIVE" and described["agentConnected"] is True
    plain = fleet.ecs.describe_container_instances(
        cluster="prod", containerInstances=[tagged["containerInstanceArn"].rsplit("/", 1)[-1]]
    )
    assert "tags" not in plain["containerInstances"][0]
    with pytest.raises(ClientError) as caught:
        fleet.ecs.describe_container_instances(cluster="prod", containerInstances=[unknown] * 101)
    assert _error(caught) == ("InvalidParameterException", "instanceIds can have at most 100 items.", 400)


def test_list_filters_with_the_cli(server: Server, cli: Any) -> None:
    fleet = Fleet(server)
    small = fleet.register([{"name": "stack", "value": "prod"}])
    large = fleet.register([{"name": "stack", "value": "dev"}], instance_type="m5.large")
    bare = fleet.register()
    expected = {
        "attribute:ecs.instance-type == c5.large": [small, bare],
        "attribute:stack in [prod, dev]": [small, large],
        "attribute:stack exists and attribute:ecs.instance-type =~ m5.*": [large],
        "not attribute:stack exists": [bare],
        f"ec2InstanceId == {large['ec2InstanceId']}": [large],
        "agentConnected == true and runningTasksCount == 0": [small, large, bare],
        "agentVersion >= 1.86.0": [],
    }
    for expression, instances in expected.items():
        listed = cli("ecs", "list-container-instances", "--cluster", "prod", "--filter", expression)
        assert sorted(listed["containerInstanceArns"]) == sorted(i["containerInstanceArn"] for i in instances), (
            expression
        )
    paged = cli("ecs", "list-container-instances", "--cluster", "prod", "--page-size", "2")["containerInstanceArns"]
    assert sorted(paged) == sorted(i["containerInstanceArn"] for i in (small, large, bare))


def test_list_refusals_over_the_wire(server: Server) -> None:
    fleet = Fleet(server)
    fleet.register()
    _settle(server)
    before = _digest(server)
    with pytest.raises(ClientError) as caught:
        fleet.ecs.list_container_instances(cluster="prod", filter="attribute:stack = prod")
    code, message, status = _error(caught)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith("Invalid cluster query expression at column 17")
    with pytest.raises(ClientError) as caught:
        fleet.ecs.list_container_instances(cluster="prod", status="INACTIVE")  # not in ContainerInstanceStatus
    assert _error(caught)[0] == "InvalidParameterException" and "enum value set" in _error(caught)[1]
    with pytest.raises(ClientError) as caught:
        fleet.ecs.list_container_instances(cluster="prod", nextToken="forged")
    assert _error(caught)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        fleet.ecs.list_container_instances(cluster="missing")
    assert _error(caught) == ("ClusterNotFoundException", "Cluster not found.", 400)
    assert _digest(server) == before


def test_drain_and_reactivate_over_the_wire(server: Server) -> None:
    fleet = Fleet(server)
    one, two = fleet.register(), fleet.register()
    drained = fleet.ecs.update_container_instances_state(
        cluster="prod", containerInstances=[one["containerInstanceArn"]], status="DRAINING"
    )
    assert drained["failures"] == []
    assert [(i["status"], i["version"]) for i in drained["containerInstances"]] == [("DRAINING", one["version"] + 1)]
    assert fleet.ecs.list_container_instances(cluster="prod", status="DRAINING")["containerInstanceArns"] == [
        one["containerInstanceArn"]
    ]
    assert fleet.ecs.list_container_instances(cluster="prod", status="ACTIVE")["containerInstanceArns"] == [
        two["containerInstanceArn"]
    ]
    assert fleet.ecs.describe_clusters(clusters=["prod"])["clusters"][0]["registeredContainerInstancesCount"] == 2
    back = fleet.ecs.update_container_instances_state(
        cluster="prod", containerInstances=[one["containerInstanceArn"]], status="ACTIVE"
    )
    assert back["containerInstances"][0]["status"] == "ACTIVE"
    with pytest.raises(ClientError) as caught:
        fleet.ecs.update_container_instances_state(
            cluster="prod", containerInstances=[one["containerInstanceArn"]] * 11, status="DRAINING"
        )
    assert _error(caught) == ("InvalidParameterException", "instanceIds can have at most 10 items.", 400)


@pytest.fixture(scope="module")
def _manual_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_process(fresh_state(tmp_path_factory.mktemp("queries")), "--timing", "manual")
    try:
        yield server
    finally:
        stop_process(server)


@pytest.fixture
def manual(_manual_server: Server) -> Server:
    """A server whose clock stands still: a trunked instance stays REGISTERING until settled."""
    _manual_server.reset()
    return _manual_server


def test_registering_and_deregistering_instances_cannot_be_updated(manual: Server) -> None:
    """S10, S12: while the trunk is provisioned (REGISTERING) or released (DEREGISTERING) the
    instance is listed and described, and UpdateContainerInstancesState refuses it, changing nothing."""
    fleet = Fleet(manual)
    fleet.ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    trunked = fleet.register(TRUNK_CAPABLE)
    arn_ = trunked["containerInstanceArn"]
    assert trunked["status"] == "REGISTERING"
    assert fleet.ecs.list_container_instances(cluster="prod", status="REGISTERING")["containerInstanceArns"] == [arn_]
    assert fleet.ecs.list_container_instances(cluster="prod")["containerInstanceArns"] == [arn_]

    def refused_update(status: str) -> None:
        before = _digest(manual)
        with pytest.raises(ClientError) as caught:
            fleet.ecs.update_container_instances_state(cluster="prod", containerInstances=[arn_], status="DRAINING")
        assert _error(caught) == (
            "InvalidParameterException",
            f"Container instance {arn_.rsplit('/', 1)[-1]} is in {status} status: only an ACTIVE or DRAINING "
            "container instance can have its status updated.",
            400,
        )
        assert _digest(manual) == before

    refused_update("REGISTERING")
    _settle(manual)
    health = fleet.ecs.describe_container_instances(
        cluster="prod", containerInstances=[arn_], include=["CONTAINER_INSTANCE_HEALTH"]
    )["containerInstances"][0]
    assert (health["status"], health["healthStatus"]["overallStatus"]) == ("ACTIVE", "OK")
    fleet.ecs.deregister_container_instance(cluster="prod", containerInstance=arn_)
    assert fleet.ecs.list_container_instances(cluster="prod", status="DEREGISTERING")["containerInstanceArns"] == [arn_]
    refused_update("DEREGISTERING")
    _settle(manual)
    # S12: INACTIVE at last: still described, no longer listed, and still not updatable.
    gone = fleet.ecs.describe_container_instances(cluster="prod", containerInstances=[arn_])
    assert gone["failures"] == [] and gone["containerInstances"][0]["status"] == "INACTIVE"
    assert fleet.ecs.list_container_instances(cluster="prod")["containerInstanceArns"] == []
    refused_update("INACTIVE")
