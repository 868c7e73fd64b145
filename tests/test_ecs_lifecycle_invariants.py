"""Container-instance lifecycle invariants under random sequences (a hypothesis state machine over
the real server): launches with and without opted-in roles, API registrations, opt-ins and
opt-outs, deregistrations, stops, starts and terminations, in any order and at any point of the
clock. Once the clock settles:

- every trunk ENI is attached to a live (not terminated) EC2 instance, and belongs to exactly one
  container instance whose frozen decision gave it trunking (S3, S10, S12);
- no EC2 instance carries two trunk ENIs;
- a container instance's trunking decision never changes after registration (S5), and an ACTIVE
  instance whose decision applies has its trunk, one whose decision does not has none.

Seed requirements covered: S3, S5, S10, S12.
"""

from __future__ import annotations

import json
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

from conftest import ACCOUNT, REGION, Server
from ecs_world import World, config_script, role_arn

CLUSTER = "chaos"
ROLES = ("optedRole", "otherRole")


def _machine(server: Server) -> type[RuleBasedStateMachine]:
    class Lifecycle(RuleBasedStateMachine):
        instances = Bundle("instances")

        def __init__(self) -> None:
            super().__init__()
            server.reset()
            self.world = World(server)
            self.decisions: dict[str, bool] = {}

        @initialize(target=instances)
        def prepare(self) -> Any:
            self.world.ecs.create_cluster(clusterName=CLUSTER)
            for role in ROLES:
                self.world.instance_role(role)
            self.world.opt_in(role_arn("optedRole"))
            self.private = self.world.network()["subnet"]
            self.public = self.world.network(cidr="10.0.2.0/24", public=True)["subnet"]
            # Two instances from the start, one of them trunked, so every sequence has something to break.
            return multiple(
                self.world.launch(self.private, "optedRole", config_script(CLUSTER)),
                self.world.launch(self.public, "otherRole", config_script(CLUSTER)),
            )

        # --- actions -------------------------------------------------------------------------------

        @rule(
            target=instances,
            role=st.sampled_from([*ROLES, None]),
            instance_type=st.sampled_from(["c5.large", "t3.medium"]),
            public=st.booleans(),
        )
        def launch(self, role: str | None, instance_type: str, public: bool) -> str:
            subnet = self.public if public else self.private
            return self.world.launch(subnet, role, config_script(CLUSTER), instance_type=instance_type)

        @rule(role=st.sampled_from(ROLES), value=st.sampled_from(["enabled", "disabled", None]))
        def set_opt_in(self, role: str, value: str | None) -> None:
            if value is None:
                self.world.ecs.delete_account_setting(name="awsvpcTrunking", principalArn=role_arn(role))
            else:
                self.world.opt_in(role_arn(role), value)

        @rule(instance=instances)
        def register_through_the_api(self, instance: str) -> None:
            document = {"instanceId": instance, "region": REGION, "accountId": ACCOUNT}
            try:
                self.world.ecs.register_container_instance(
                    cluster=CLUSTER, instanceIdentityDocument=json.dumps(document)
                )
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ClientException"  # terminated, or deregistering

        @rule(instance=instances, force=st.booleans())
        def deregister(self, instance: str, force: bool) -> None:
            live = [r for r in self.world.trunking(CLUSTER, instance) if r["status"] != "INACTIVE"]
            if live:
                arn = live[-1]["containerInstanceArn"]
                self.world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arn, force=force)

        @rule(instance=instances, action=st.sampled_from(["stop", "start", "terminate"]))
        def change_state(self, instance: str, action: str) -> None:
            call = getattr(self.world.ec2, f"{action}_instances")
            try:
                call(InstanceIds=[instance])
            except ClientError as error:
                assert error.response["Error"]["Code"] in ("IncorrectInstanceState", "InvalidInstanceID.NotFound")

        @rule()
        def settle(self) -> None:
            self.world.settle()
            self.check_settled()

        # --- invariants ----------------------------------------------------------------------------

        @invariant()
        def decisions_are_frozen(self) -> None:
            for row in self.world.trunking(CLUSTER):
                seen = self.decisions.setdefault(row["containerInstanceArn"], row["trunkingApplies"])
                assert seen == row["trunkingApplies"], row
                if not row["trunkingApplies"]:
                    assert row["trunked"] is False and row["trunkNetworkInterfaceId"] is None, row

        def check_settled(self) -> None:
            rows = self.world.trunking(CLUSTER)
            owners: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                if row["trunkNetworkInterfaceId"] is not None:
                    owners.setdefault(row["trunkNetworkInterfaceId"], []).append(row)
                if row["status"] == "ACTIVE":
                    assert row["trunked"] == row["trunkingApplies"], row
                assert row["status"] not in ("REGISTERING", "DEREGISTERING"), row
            carriers: dict[str, int] = {}
            for trunk in self.world.trunk_enis():
                attachment = trunk.get("Attachment")
                assert attachment is not None, f"trunk {trunk['NetworkInterfaceId']} is attached to nothing"
                state = self.world.instance(attachment["InstanceId"])["State"]["Name"]
                assert state not in ("shutting-down", "terminated"), (trunk["NetworkInterfaceId"], state)
                carriers[attachment["InstanceId"]] = carriers.get(attachment["InstanceId"], 0) + 1
                (owner,) = owners.get(trunk["NetworkInterfaceId"], [None])
                assert owner is not None and owner["trunkingApplies"], trunk["NetworkInterfaceId"]
                assert owner["status"] != "INACTIVE", owner
            assert all(count == 1 for count in carriers.values()), carriers
            event(f"trunks after settling: {min(len(carriers), 3)}{'+' if len(carriers) >= 3 else ''}")

        def teardown(self) -> None:
            self.world.settle()
            self.check_settled()

    return Lifecycle


def test_trunks_follow_their_instances_whatever_happens(server: Server):
    """S3, S5, S10, S12."""
    run_state_machine_as_test(
        _machine(server),
        settings=settings(
            max_examples=10,
            stateful_step_count=16,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
