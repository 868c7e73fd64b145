"""Task ENI invariants under random sequences (a hypothesis state machine over the real server):
RunTask (awsvpc and bridge, several at once), StopTask, instances launched with and without
trunking, deregistered with or without force, stopped and terminated, at any point of the clock.

At every step (the clock runs meanwhile):
- no instance holds more task ENIs than its limit: attached ENIs within the EC2 limit (S1), branch
  ENIs on a trunk within the trunked task limit (S2);
- no two ENIs share a private address, and no trunk carries one VLAN id twice.
Once the clock has settled:
- each container instance's runningTasksCount/pendingTasksCount match its tasks;
- a task whose container instance is INACTIVE is STOPPED, or orphaned by a forced deregistration:
  then its EC2 instance still runs and it holds no branch ENI;
- every ENI ECS made for a task belongs to a task that is not STOPPED and names it, and every
  branch rides on a trunk; no ENI is left without its task or trunk; a STOPPED task holds none;
- tasks of instances that left (INACTIVE, or terminated EC2 instances) are STOPPED.

Seed requirements covered: S1, S2, S3, S12.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from conftest import ACCOUNT, Server
from ecs_world import World, config_script, role_arn

CLUSTER = "churn"
ROLES = ("trunkedRole", "plainRole")
LIMITS = {"c5.large": (3, 10), "t3.medium": (3, None)}  # EC2 ENI limit, trunked task limit
ATTACHMENT_PREFIX = f"arn:aws:ecs:us-east-1:{ACCOUNT}:attachment/"


def _machine(server: Server) -> type[RuleBasedStateMachine]:
    class Churn(RuleBasedStateMachine):
        instances = Bundle("instances")

        def __init__(self) -> None:
            super().__init__()
            server.reset()
            self.world = World(server)
            self.tasks: list[str] = []

        @initialize(target=instances)
        def prepare(self) -> Any:
            world = self.world
            world.ecs.create_cluster(clusterName=CLUSTER)
            for role in ROLES:
                world.instance_role(role)
            world.opt_in(role_arn("trunkedRole"))
            self.subnet = world.network()["subnet"]
            container = {"name": "app", "image": "nginx", "cpu": 128, "memory": 128}
            world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[container])
            world.ecs.register_task_definition(family="batch", networkMode="bridge", containerDefinitions=[container])
            # One trunked and one untrunked instance from the start, so every sequence meets both limits.
            launched = [world.launch(self.subnet, role, config_script(CLUSTER)) for role in ROLES]
            world.settle()
            return multiple(*launched)

        # --- actions -------------------------------------------------------------------------------

        @rule(target=instances, role=st.sampled_from(ROLES), instance_type=st.sampled_from(sorted(LIMITS)))
        def launch(self, role: str, instance_type: str) -> str:
            return self.world.launch(self.subnet, role, config_script(CLUSTER), instance_type=instance_type)

        def run(self, family: str, count: int, binpack: str | None = None) -> None:
            params: dict[str, Any] = {"cluster": CLUSTER, "count": count, "taskDefinition": family}
            if binpack is not None:  # placed through the binpack window on the placement index
                params["placementStrategy"] = [{"type": "binpack", "field": binpack}]
            if family == "web":
                params["networkConfiguration"] = {"awsvpcConfiguration": {"subnets": [self.subnet]}}
            try:
                answer = self.world.ecs.run_task(**params)
            except ClientError as error:
                message = error.response["Error"]["Message"]
                assert message == "No Container Instances were found in your cluster.", message
                event("no container instances")
                return
            self.tasks += [t["taskArn"] for t in answer["tasks"]]
            for failure in answer["failures"]:
                event(f"failure {failure['reason']}")

        @rule(count=st.integers(1, 10), binpack=st.sampled_from([None, "memory", "cpu"]))
        def run_awsvpc_tasks(self, count: int, binpack: str | None) -> None:
            self.run("web", count, binpack)

        @rule(count=st.integers(5, 10))
        def run_many_awsvpc_tasks(self, count: int) -> None:
            self.run("web", count)

        @rule(count=st.integers(1, 4), binpack=st.sampled_from([None, "memory"]))
        def run_bridge_tasks(self, count: int, binpack: str | None) -> None:
            self.run("batch", count, binpack)

        @rule(data=st.data())
        def stop_task(self, data: st.DataObject) -> None:
            if self.tasks:
                arn = data.draw(st.sampled_from(self.tasks))
                self.world.ecs.stop_task(cluster=CLUSTER, task=arn)

        @rule(instance=instances, force=st.booleans())
        def deregister(self, instance: str, force: bool) -> None:
            live = [r for r in self.world.trunking(CLUSTER, instance) if r["status"] != "INACTIVE"]
            if not live:
                return
            try:
                self.world.ecs.deregister_container_instance(
                    cluster=CLUSTER, containerInstance=live[-1]["containerInstanceArn"], force=force
                )
            except ClientError as error:
                assert not force and "has tasks running or pending" in error.response["Error"]["Message"]

        @rule(instance=instances, action=st.sampled_from(["stop", "terminate"]))
        def change_state(self, instance: str, action: str) -> None:
            try:
                getattr(self.world.ec2, f"{action}_instances")(InstanceIds=[instance])
            except ClientError as error:
                assert error.response["Error"]["Code"] in ("IncorrectInstanceState", "InvalidInstanceID.NotFound")

        @rule()
        def settle(self) -> None:
            self.world.settle()
            self.check_settled()

        # --- invariants ----------------------------------------------------------------------------

        def enis(self) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = self.world.ec2.describe_network_interfaces()["NetworkInterfaces"]
            return found

        @invariant()
        def limits_and_uniqueness(self) -> None:
            enis = self.enis()
            addresses = [e["PrivateIpAddress"] for e in enis]
            assert len(addresses) == len(set(addresses)), "two ENIs share a private address"
            attached: dict[str, int] = {}
            types: dict[str, str] = {}
            for eni in enis:
                if eni.get("Attachment"):
                    instance_id = eni["Attachment"]["InstanceId"]
                    attached[instance_id] = attached.get(instance_id, 0) + 1
            if attached:
                described = self.world.ec2.describe_instances(InstanceIds=sorted(attached))["Reservations"]
                types = {i["InstanceId"]: i["InstanceType"] for r in described for i in r["Instances"]}
            for instance_id, count in attached.items():
                assert count <= LIMITS[types[instance_id]][0], (instance_id, count)
            associations = self.world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"]
            per_trunk: dict[str, list[int]] = {}
            for association in associations:
                per_trunk.setdefault(association["TrunkInterfaceId"], []).append(association["VlanId"])
            for trunk, vlans in per_trunk.items():
                assert len(vlans) == len(set(vlans)), (trunk, vlans)
                assert len(vlans) <= 10, (trunk, len(vlans))

        def all_tasks(self) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = []
            for start in range(0, len(self.tasks), 100):
                chunk = self.tasks[start : start + 100]
                found += self.world.ecs.describe_tasks(cluster=CLUSTER, tasks=chunk)["tasks"]
            return found

        def instance_counts_match_tasks(self, tasks: list[dict[str, Any]]) -> None:
            for row in self.world.trunking(CLUSTER):
                if row["status"] == "INACTIVE":
                    continue
                mine = [t for t in tasks if t.get("containerInstanceArn") == row["containerInstanceArn"]]
                described = self.world.describe(CLUSTER, row["containerInstanceArn"])
                running = sum(1 for t in mine if t["lastStatus"] == "RUNNING")
                pending = sum(1 for t in mine if t["lastStatus"] in ("PROVISIONING", "PENDING", "ACTIVATING"))
                assert (described["runningTasksCount"], described["pendingTasksCount"]) == (running, pending)

        def check_settled(self) -> None:
            tasks = self.all_tasks()
            owners: dict[str, dict[str, Any]] = {}
            for task in tasks:
                for attachment in task["attachments"]:
                    eni_id = dict((d["name"], d["value"]) for d in attachment["details"]).get("networkInterfaceId")
                    if eni_id is not None and task["lastStatus"] != "STOPPED":
                        owners[eni_id] = task
            associated = {
                a["BranchInterfaceId"]
                for a in self.world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"]
            }
            for eni in self.enis():
                if not eni["Description"].startswith(ATTACHMENT_PREFIX):
                    continue
                task = owners.get(eni["NetworkInterfaceId"])
                assert task is not None, f"ENI {eni['NetworkInterfaceId']} outlived its task"
                if eni["InterfaceType"] == "branch":
                    assert eni["NetworkInterfaceId"] in associated, f"branch {eni['NetworkInterfaceId']} has no trunk"
                else:
                    assert eni.get("Attachment"), f"ENI {eni['NetworkInterfaceId']} is attached to nothing"
            branches = {e["NetworkInterfaceId"] for e in self.enis() if e["InterfaceType"] == "branch"}
            present = {r["containerInstanceArn"]: r for r in self.world.trunking(CLUSTER)}
            for task in tasks:
                host = present.get(task.get("containerInstanceArn", ""))
                if host is not None and host["status"] == "INACTIVE" and task["lastStatus"] != "STOPPED":
                    # Orphaned by a forced deregistration: it runs on as long as its EC2 instance
                    # does, never on a branch ENI (the trunk is gone).
                    state = self.world.instance(host["ec2InstanceId"])["State"]["Name"]
                    assert state in ("pending", "running"), (task["taskArn"], state)
                    for attachment in task["attachments"]:
                        details = {d["name"]: d["value"] for d in attachment["details"]}
                        assert details.get("networkInterfaceId") not in branches, task["taskArn"]
            self.instance_counts_match_tasks(tasks)
            live = sum(1 for t in tasks if t["lastStatus"] != "STOPPED")
            event(f"live tasks after settling: {min(live, 10)}{'+' if live >= 10 else ''}")

        def teardown(self) -> None:
            self.world.settle()
            self.check_settled()

    return Churn


def test_task_enis_stay_within_limits_and_never_leak(server: Server):
    """S1, S2, S3, S12."""
    run_state_machine_as_test(
        _machine(server),
        settings=settings(
            max_examples=8,
            stateful_step_count=14,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
