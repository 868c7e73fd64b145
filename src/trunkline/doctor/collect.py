"""The calls doctor makes, all public and read-only, batched as the APIs allow
(shared/spec/doctor-checks.md §1), and counted. Their answers are kept as AWS returns them.

Per Region: sts:GetCallerIdentity, iam:GetRole (the ECS service-linked role), per cluster
ecs:ListContainerInstances (100 a page) and ecs:DescribeContainerInstances (100 a call),
ecs:ListServices / ecs:DescribeServices (10 a call; their events), ecs:ListTasks / ecs:DescribeTasks
(100 a call; only when some instance runs tasks), ec2:DescribeInstances (filter `instance-id`, 200
values and 1,000 results a call), ec2:DescribeInstanceTypes (100 a call), ec2:DescribeSubnets,
ec2:DescribeRouteTables (filter `vpc-id`), iam:GetInstanceProfile per distinct profile, and
ecs:ListAccountSettings twice per distinct instance role (effective and explicit) plus once for
the account default (a caller other than the root user may not read the root's or a role's setting:
then twice more, its own explicit and effective value, which is the default when it has none of its
own; a role's unreadable setting is judged from its trunked instances, §3.3); and the optional ones: ec2:DescribeIamInstanceProfileAssociations (filter
`instance-id`, 200 values a call; when the profile changed after registration, C20) and
iam:SimulatePrincipalPolicy once per distinct role whose setting is not enabled or unreadable (may the role
opt itself in, C17). The services' awsvpc subnets (C18) join the instances' subnets in the same
DescribeSubnets calls. The cluster's capacity providers' Auto Scaling groups: ecs:DescribeClusters
(100 a call), ecs:DescribeCapacityProviders (100 names a call) and
autoscaling:DescribeAutoScalingGroups (50 names a call); their InService or Pending instances that are no
container instance of the cluster join the same DescribeInstances calls, and each gets
ec2:DescribeInstanceAttribute (userData) and iam:SimulatePrincipalPolicy per distinct role.

A call the endpoint does not implement (`UnsupportedOperation`, `InvalidAction`) or the caller may
not make (`AccessDenied…`, `UnauthorizedOperation`) leaves its facts unknown, and the checks that
need them say "not determinable"; any other failure of a call doctor cannot do without ends the
run with one line (`DoctorError`).
"""

from __future__ import annotations

import base64
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)
from botocore.parsers import ResponseParserError

Record = dict[str, Any]

SERVICE_LINKED_ROLE = "AWSServiceRoleForECS"
SETTING = "awsvpcTrunking"
#: Error codes that mean "this call cannot be answered here", not "the answer is no".
REFUSED = ("UnsupportedOperation", "InvalidAction", "AccessDenied", "AccessDeniedException", "UnauthorizedOperation")


class DoctorError(Exception):
    """A failure that ends the run; its text is the one line the user sees."""


def _distinct(clusters: Sequence[str]) -> list[str]:
    """The clusters asked for, each once: a name and its ARN (or a name given twice) are one cluster,
    which would otherwise be read, and reported, twice."""
    seen: dict[str, str] = {}
    for cluster in clusters:
        seen.setdefault(cluster.rsplit("/", 1)[-1], cluster)
    return list(seen.values())


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


@dataclass
class Facts:
    region: str
    account: str = ""
    caller: str = ""
    calls: Counter[str] = field(default_factory=Counter)
    refused: dict[str, str] = field(default_factory=dict)  # operation -> error code and message
    clusters: dict[str, Record] = field(default_factory=dict)  # as given -> {"name", "instances": [...]}
    ec2: dict[str, Record] = field(default_factory=dict)  # instance id -> Instance (+ "_OwnerId")
    types: dict[str, Record] = field(default_factory=dict)  # DescribeInstanceTypes entries by name
    subnets: dict[str, Record] = field(default_factory=dict)
    route_tables: list[Record] | None = None  # None: not determinable
    roles: dict[str, str | None] = field(default_factory=dict)  # instance profile ARN -> role ARN
    settings: dict[str, Record] = field(default_factory=dict)  # role ARN -> {"effective", "explicit"}
    account_default: str | None = None
    service_linked_role: bool | None = None  # None: not determinable
    awsvpc_tasks: Counter[str] = field(default_factory=Counter)  # container instance ARN -> awsvpc tasks
    tasks_known: bool = True  # False: ListTasks or DescribeTasks was refused (awsvpc task counts unknown)
    service_events: list[Record] = field(default_factory=list)  # {"cluster", "service", "message"}
    service_subnets: list[Record] = field(default_factory=list)  # {"cluster", "service", "subnets"} (awsvpc)
    associations: dict[str, Record] | None = None  # instance id -> its profile association; None: unknown
    role_created: dict[str, float] = field(default_factory=dict)  # role ARN -> its CreateDate (GetInstanceProfile)
    self_opt_in: dict[str, str] = field(default_factory=dict)  # role ARN -> EvalDecision of ecs:PutAccountSetting
    may_register: dict[str, str | None] = field(default_factory=dict)  # role ARN -> ecs:RegisterContainerInstance
    #: EC2 instances an Auto Scaling group of a cluster's capacity provider launched (InService or
    #: Pending) that are no container instance of that cluster: {"cluster", "provider", "group",
    #: "instanceId", "lifecycleState"}
    group_strays: list[Record] = field(default_factory=list)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


class Collector:
    def __init__(
        self, region: str | None, profile: str | None, endpoint_url: str | None, max_attempts: int = 3
    ) -> None:
        # boto3 reads AWS_DEFAULT_REGION; the AWS CLI v2 and the other SDKs also read AWS_REGION.
        region = region or os.environ.get("AWS_REGION") or None
        try:
            session = boto3.Session(profile_name=profile, region_name=region)
        except ProfileNotFound as error:
            raise DoctorError(f"AWS profile not found: {error.kwargs.get('profile', profile)}") from None
        if session.region_name is None:
            raise DoctorError("no AWS Region: pass --region or set AWS_REGION (or a region in your profile)")
        self.endpoint_url = endpoint_url
        self.facts = Facts(region=session.region_name)
        config = BotoConfig(retries={"max_attempts": max_attempts, "mode": "standard"}, connect_timeout=5)
        self._clients: dict[str, Any] = {}
        for service in ("sts", "ecs", "ec2", "iam", "autoscaling"):
            try:
                client = session.client(service, endpoint_url=endpoint_url, config=config)
            except ValueError:  # botocore: "Invalid endpoint: ..."
                raise DoctorError(f"not an endpoint URL: {endpoint_url} (e.g. http://127.0.0.1:4590)") from None
            client.meta.events.register("before-call", self._count)
            self._clients[service] = client

    def _count(self, model: Any, **_: Any) -> None:
        self.facts.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    # --- calling ---------------------------------------------------------------------------------

    def call(
        self, service: str, operation: str, *, explain: Callable[[str], str | None] | None = None, **params: Any
    ) -> Record:
        """A call doctor cannot do without: any failure ends the run with one line (`explain`: the
        line for an error code, when it has a better one than AWS's message)."""
        try:
            answer: Record = getattr(self._clients[service], operation)(**params)
        except ClientError as error:
            info = error.response.get("Error", {})
            better = explain(str(info.get("Code"))) if explain else None
            raise DoctorError(
                better or f"{error.operation_name} failed: {info.get('Code')}: {info.get('Message')}"
            ) from None
        except (NoCredentialsError, PartialCredentialsError):
            raise DoctorError(
                "no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile)"
            ) from None
        except EndpointConnectionError as error:
            raise DoctorError(
                f"cannot reach the endpoint: {error.kwargs.get('endpoint_url', self.endpoint_url)}"
            ) from None
        except NoRegionError:
            raise DoctorError("no AWS Region: pass --region or set AWS_REGION") from None
        except BotoCoreError as error:
            raise DoctorError(f"{operation}: {error}") from None
        except ResponseParserError:
            raise DoctorError(self._not_aws(operation)) from None
        return answer

    def _not_aws(self, operation: str) -> str:
        where = self.endpoint_url or "the endpoint"
        return f"{operation}: the answer from {where} is not an AWS API response (is it an AWS endpoint?)"

    def optional(self, service: str, operation: str, **params: Any) -> Record | None:
        """A call whose facts doctor can do without: refused or unimplemented gives None."""
        try:
            answer: Record = getattr(self._clients[service], operation)(**params)
        except ClientError as error:
            info = error.response.get("Error", {})
            code = str(info.get("Code", ""))
            if code in REFUSED or code.startswith("AccessDenied"):
                self.facts.refused[f"{service}:{error.operation_name}"] = f"{code}: {info.get('Message', '')}"
                return None
            raise DoctorError(f"{error.operation_name} failed: {code}: {info.get('Message')}") from None
        except ResponseParserError:
            raise DoctorError(self._not_aws(operation)) from None
        return answer

    def failure(self, service: str, operation: str, **params: Any) -> ClientError | None:
        """Make a call only to learn whether it fails, and how."""
        try:
            getattr(self._clients[service], operation)(**params)
        except ClientError as error:
            return error
        return None

    # --- the run -------------------------------------------------------------------------------------

    def collect(self, clusters: Sequence[str]) -> Facts:
        identity = self.call("sts", "get_caller_identity")
        self.facts.account, self.facts.caller = identity["Account"], identity["Arn"]
        for cluster in _distinct(clusters) or self._all_clusters():
            self._cluster(cluster)
        instances = [ci for c in self.facts.clusters.values() for ci in c["instances"]]
        self._group_instances()
        strays = {s["instanceId"] for s in self.facts.group_strays}
        self._ec2_instances(sorted({ci["ec2InstanceId"] for ci in instances if ci.get("ec2InstanceId")} | strays))
        self._instance_types()
        self._subnets()
        self._route_tables()
        self._associations()
        self._roles()
        self._settings()
        self._self_opt_in()
        self._service_linked_role()
        return self.facts

    def _all_clusters(self) -> list[str]:
        arns: list[str] = []
        token: str | None = None
        while True:
            extra: dict[str, Any] = {"nextToken": token} if token else {}
            page = self.call("ecs", "list_clusters", **extra)
            arns += page["clusterArns"]
            token = page.get("nextToken")
            if not token:
                return arns

    def _cluster(self, cluster: str) -> None:
        arns: list[str] = []
        token: str | None = None
        while True:
            extra = {"nextToken": token} if token else {}
            page = self.call(
                "ecs",
                "list_container_instances",
                explain=self._no_cluster(cluster),
                cluster=cluster,
                maxResults=100,
                **extra,
            )
            arns += page["containerInstanceArns"]
            token = page.get("nextToken")
            if not token:
                break
        described: list[Record] = []
        for chunk in _chunks(arns, 100):
            answer = self.call("ecs", "describe_container_instances", cluster=cluster, containerInstances=chunk)
            for instance in answer["containerInstances"]:
                described.append({**instance, "_answeredAt": answered_at_of(answer)})
        name = cluster.rsplit("/", 1)[-1]  # a name, or the name at the end of a cluster ARN
        self.facts.clusters[cluster] = {"name": name, "instances": described}
        if any(int(ci.get("runningTasksCount", 0)) + int(ci.get("pendingTasksCount", 0)) for ci in described):
            self._tasks(cluster)
        self._services(cluster, name)

    def _no_cluster(self, cluster: str) -> Callable[[str], str | None]:
        """ClusterNotFoundException's "Cluster not found." does not say which, nor where doctor looked:
        a misspelt name and the wrong Region are the usual causes, so name the Region's clusters."""

        def explain(code: str) -> str | None:
            if code != "ClusterNotFoundException":
                return None
            try:
                names = sorted(arn.rsplit("/", 1)[-1] for arn in self._all_clusters())
            except DoctorError:
                names = None
            where = f"no cluster {cluster} in {self.facts.region} (account {self.facts.account})"
            if names is None:
                return where
            shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
            return f"{where}: its clusters are {shown}" if names else f"{where}: it has no cluster"

        return explain

    def _tasks(self, cluster: str) -> None:
        """How many awsvpc tasks each instance holds (an ENI each): only for the report, so a
        refused call leaves the counts unknown instead of ending the run."""
        arns: list[str] = []
        token: str | None = None
        while True:
            extra = {"nextToken": token} if token else {}
            page = self.optional("ecs", "list_tasks", cluster=cluster, maxResults=100, **extra)
            if page is None:
                self.facts.tasks_known = False
                return
            arns += page["taskArns"]
            token = page.get("nextToken")
            if not token:
                break
        for chunk in _chunks(arns, 100):
            answer = self.optional("ecs", "describe_tasks", cluster=cluster, tasks=chunk)
            if answer is None:
                self.facts.tasks_known = False
                return
            for task in answer["tasks"]:
                holds_eni = any(a.get("type") == "ElasticNetworkInterface" for a in task.get("attachments", []))
                if holds_eni and task.get("containerInstanceArn") and task.get("lastStatus") != "STOPPED":
                    self.facts.awsvpc_tasks[task["containerInstanceArn"]] += 1

    def _services(self, cluster: str, name: str) -> None:
        arns: list[str] = []
        token: str | None = None
        while True:
            extra = {"nextToken": token} if token else {}
            page = self.optional("ecs", "list_services", cluster=cluster, maxResults=100, **extra)
            if page is None:
                return
            arns += page["serviceArns"]
            token = page.get("nextToken")
            if not token:
                break
        for chunk in _chunks(arns, 10):
            answer = self.optional("ecs", "describe_services", cluster=cluster, services=chunk)
            for service in (answer or {}).get("services", []):
                awsvpc = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
                if awsvpc.get("subnets"):
                    self.facts.service_subnets.append(
                        {"cluster": name, "service": service["serviceName"], "subnets": list(awsvpc["subnets"])}
                    )
                for event in service.get("events", []):
                    self.facts.service_events.append(
                        {"cluster": name, "service": service["serviceName"], "message": event.get("message", "")}
                    )

    def _group_instances(self) -> None:
        """The InService (or Pending) instances of each cluster's capacity providers' Auto Scaling
        groups that are no container instance of the cluster: DescribeClusters (100 a call) → capacityProviders →
        DescribeCapacityProviders (100 names a call, 10 a page) → autoScalingGroupArn →
        DescribeAutoScalingGroups (50 names a call, 100 a page) → Instances. A refused call leaves
        them unknown (named in `refused`), never ends the run."""
        providers: dict[str, list[str]] = {}  # cluster as given -> its capacity provider names
        given = list(self.facts.clusters)
        for chunk in _chunks(given, 100):
            answer = self.optional("ecs", "describe_clusters", clusters=chunk)
            if answer is None:
                return
            for described in answer.get("clusters", []):
                key = next((c for c in chunk if c in (described["clusterArn"], described["clusterName"])), None)
                if key is not None:
                    providers[key] = [p for p in described.get("capacityProviders", []) if not p.startswith("FARGATE")]
        groups = self._provider_groups(sorted({p for names in providers.values() for p in names}))
        if groups is None:
            return
        members = self._group_members(sorted(set(groups.values())))
        if members is None:
            return
        for cluster, names in providers.items():
            registered = {ci.get("ec2InstanceId") for ci in self.facts.clusters[cluster]["instances"]}
            for provider in names:
                group = groups.get(provider)
                for instance_id, lifecycle in members.get(group or "", []):
                    if instance_id not in registered:
                        name = self.facts.clusters[cluster]["name"]
                        stray = {"cluster": name, "provider": provider, "group": group, "instanceId": instance_id,
                                 "lifecycleState": lifecycle}  # fmt: skip
                        self.facts.group_strays.append(stray)

    def _provider_groups(self, names: list[str]) -> dict[str, str] | None:
        """Capacity provider name -> the name of its Auto Scaling group (None: refused)."""
        groups: dict[str, str] = {}
        for chunk in _chunks(names, 100):
            token: str | None = None
            while True:
                extra = {"nextToken": token} if token else {}
                page = self.optional("ecs", "describe_capacity_providers", capacityProviders=chunk, **extra)
                if page is None:
                    return None
                for provider in page.get("capacityProviders", []):
                    arn = (provider.get("autoScalingGroupProvider") or {}).get("autoScalingGroupArn", "")
                    if arn:  # arn:aws:autoscaling:REGION:ACCOUNT:autoScalingGroup:UUID:autoScalingGroupName/NAME
                        groups[provider["name"]] = arn.rsplit("autoScalingGroupName/", 1)[-1]
                token = page.get("nextToken")
                if not token:
                    break
        return groups

    def _group_members(self, names: list[str]) -> dict[str, list[tuple[str, str]]] | None:
        """Auto Scaling group name -> its instances being launched or in service, with their
        lifecycle state (None: refused). A Pending one is reported as still starting while young."""
        members: dict[str, list[tuple[str, str]]] = {}
        for chunk in _chunks(names, 50):
            token: str | None = None
            while True:
                extra = {"NextToken": token} if token else {}
                page = self.optional(
                    "autoscaling", "describe_auto_scaling_groups", AutoScalingGroupNames=chunk, MaxRecords=100, **extra
                )
                if page is None:
                    return None
                for group in page.get("AutoScalingGroups", []):
                    members[group["AutoScalingGroupName"]] = [
                        (i["InstanceId"], str(i.get("LifecycleState")))
                        for i in group.get("Instances", [])
                        if i.get("LifecycleState") in GROUP_MEMBERS
                    ]
                token = page.get("NextToken")
                if not token:
                    break
        return members

    def _filtered_pages(self, operation: str, name: str, values: list[str], page_size: int) -> list[Record] | None:
        """Every page of an EC2 Describe filtered by `name` over `values` (200 values a call: EC2's
        limit per filter), following NextToken; None as soon as a call is refused."""
        pages: list[Record] = []
        for chunk in _chunks(values, 200):
            token: str | None = None
            while True:
                extra = {"NextToken": token} if token else {}
                page = self.optional(
                    "ec2", operation, Filters=[{"Name": name, "Values": chunk}], MaxResults=page_size, **extra
                )
                if page is None:
                    return None
                pages.append(page)
                token = page.get("NextToken")
                if not token:
                    break
        return pages

    def _ec2_instances(self, ids: list[str]) -> None:
        for page in self._filtered_pages("describe_instances", "instance-id", ids, 1000) or []:
            for reservation in page["Reservations"]:
                for instance in reservation["Instances"]:
                    self.facts.ec2[instance["InstanceId"]] = _described(instance, reservation, page)

    def _instance_types(self) -> None:
        names = sorted({i["InstanceType"] for i in self.facts.ec2.values()})
        for chunk in _chunks(names, 100):
            answer = self.optional("ec2", "describe_instance_types", InstanceTypes=chunk)
            for entry in (answer or {}).get("InstanceTypes", []):
                self.facts.types[entry["InstanceType"]] = entry

    def _subnets(self) -> None:
        ids = sorted(
            {i["SubnetId"] for i in self.facts.ec2.values() if i.get("SubnetId")}
            | {s for service in self.facts.service_subnets for s in service["subnets"]}
        )
        for chunk in _chunks(ids, 200):
            answer = self.optional("ec2", "describe_subnets", Filters=[{"Name": "subnet-id", "Values": chunk}])
            for subnet in (answer or {}).get("Subnets", []):
                self.facts.subnets[subnet["SubnetId"]] = subnet

    def _route_tables(self) -> None:
        vpcs = sorted({i["VpcId"] for i in self.facts.ec2.values() if i.get("VpcId")})
        pages = self._filtered_pages("describe_route_tables", "vpc-id", vpcs, 100)
        if pages is not None:  # else route_tables stays None: the public-subnet test is not determinable
            self.facts.route_tables = [table for page in pages for table in page["RouteTables"]]

    def _associations(self) -> None:
        """When each instance's profile was associated (C20); any refusal leaves it unknown."""
        pages = self._filtered_pages(
            "describe_iam_instance_profile_associations", "instance-id", sorted(self.facts.ec2), 1000
        )
        if pages is not None:
            self.facts.associations = {
                association["InstanceId"]: association
                for page in pages
                for association in page["IamInstanceProfileAssociations"]
            }

    def _roles(self) -> None:
        profiles = sorted(
            {i["IamInstanceProfile"]["Arn"] for i in self.facts.ec2.values() if i.get("IamInstanceProfile")}
        )
        for arn in profiles:
            self._role_of(arn)

    def _role_of(self, profile_arn: str) -> str | None:
        """The role in an instance profile (one at most), read once per profile."""
        if profile_arn not in self.facts.roles:
            name = profile_arn.rsplit("/", 1)[-1]
            answer = self.optional("iam", "get_instance_profile", InstanceProfileName=name)
            roles = (answer or {}).get("InstanceProfile", {}).get("Roles", [])
            self.facts.roles[profile_arn] = roles[0]["Arn"] if roles else None
            created = roles[0].get("CreateDate") if roles else None
            if created is not None:  # a role newer than a registration did not make it (§3.1)
                self.facts.role_created[roles[0]["Arn"]] = created.timestamp() if hasattr(created, "timestamp") else 0.0
        return self.facts.roles[profile_arn]

    # --- EC2 instances that are no container instance -------------------------------------------------

    def unregistered(self, ids: Sequence[str]) -> list[Record]:
        """The EC2 instances among `ids` (asked for by --instance, found in no cluster), each with
        what explains that its agent never registered: its state, its role's permission to call
        ecs:RegisterContainerInstance, and the cluster its user data names."""
        wanted = sorted({i for i in ids if i.startswith("i-")})
        found: list[Record] = []
        for page in self._filtered_pages("describe_instances", "instance-id", wanted, 1000) or []:
            for reservation in page["Reservations"]:
                found += [self._why_unregistered(_described(i, reservation, page)) for i in reservation["Instances"]]
        return found

    def group_strays(self) -> list[Record]:
        """The Auto Scaling groups' unregistered instances (already described with the container
        instances' EC2 instances), each with why it never registered, as `unregistered` gives."""
        found: list[Record] = []
        for stray in self.facts.group_strays:
            instance = self.facts.ec2.get(stray["instanceId"])
            if instance is not None:
                found.append({**self._why_unregistered(instance), **stray})
        return found

    def _why_unregistered(self, instance: Record) -> Record:
        profile = (instance.get("IamInstanceProfile") or {}).get("Arn")
        role = self._role_of(profile) if profile else None
        register = self._may_register(role) if role else None
        cluster, known = None, False
        attribute = self.optional(
            "ec2", "describe_instance_attribute", InstanceId=instance["InstanceId"], Attribute="userData"
        )
        if attribute is not None:
            known = True
            try:
                raw = base64.b64decode((attribute.get("UserData") or {}).get("Value") or "")
            except ValueError:  # not base64: no configuration doctor can read
                raw = b""
            text = raw.decode("utf-8", "replace")
            match = ECS_CLUSTER.search(text)
            cluster = match.group(1) if match else None
        return {"instance": instance, "role": role, "register": register, "userDataCluster": cluster,
                "userDataKnown": known}  # fmt: skip

    def _may_register(self, role: str) -> str | None:
        """iam:SimulatePrincipalPolicy's EvalDecision for the role and ecs:RegisterContainerInstance
        (None: not determinable)."""
        if role not in self.facts.may_register:
            answer = self.optional(
                "iam", "simulate_principal_policy", PolicySourceArn=role, ActionNames=["ecs:RegisterContainerInstance"]
            )
            results = (answer or {}).get("EvaluationResults") or [{}]
            self.facts.may_register[role] = str(results[0].get("EvalDecision", "")) if answer else None
        return self.facts.may_register[role]

    def _setting(self, principal: str | None, effective: bool) -> tuple[str | None, str | None]:
        """(the value, or None when there is no entry; why the read failed, or None). Any error is
        "unreadable", never "disabled": AWS lets only the root user or the principal itself read a
        principal's setting, and the error it gives others is not documented (doctor-checks §3.3)."""
        extra = {"principalArn": principal} if principal else {}
        try:
            answer = self._clients["ecs"].list_account_settings(name=SETTING, effectiveSettings=effective, **extra)
        except ClientError as error:
            info = error.response.get("Error", {})
            return None, f"{info.get('Code')}: {info.get('Message', '')}"
        settings = answer.get("settings", [])
        return (str(settings[0]["value"]) if settings else None), None

    def _settings(self) -> None:
        root = f"arn:aws:iam::{self.facts.account}:root"
        default, refused = self._setting(root, True)
        if refused is not None:
            default = self._inherited_default()
        if default is None and refused is not None:
            self.facts.refused["ecs:ListAccountSettings"] = refused
        self.facts.account_default = default
        for role in sorted({r for r in self.facts.roles.values() if r}):
            asked = role
            effective, refused = self._setting(role, True)
            if refused is not None and without_path(role) != role:  # §3.2: ECS may key it without the path
                retried, retry_refused = self._setting(without_path(role), True)
                if retry_refused is None:
                    asked, effective, refused = without_path(role), retried, None
            explicit, explicit_refused = self._setting(asked, False) if refused is None else (None, refused)
            self.facts.settings[role] = {
                "effective": effective,
                "explicit": explicit,
                "explicitKnown": explicit_refused is None,
                "refused": refused,
                "principalArn": asked,  # the form of the role's ARN ECS answered for
            }
            if refused is not None:
                self.facts.refused["ecs:ListAccountSettings"] = refused

    def _inherited_default(self) -> str | None:
        """The account default as a caller who may not read the root's setting sees it (§3.3 step 1):
        its own effective value, when it has no setting of its own."""
        own, refused = self._setting(None, False)
        if refused is not None or own is not None:
            return None  # the caller's own value would hide the default
        inherited, refused = self._setting(None, True)
        return inherited if refused is None else None

    def _self_opt_in(self) -> None:
        """May each role whose setting is not enabled, or cannot be read, put it itself, as user
        data would (C17)?"""
        for role, setting in sorted(self.facts.settings.items()):
            effective = setting.get("effective")
            if effective == "enabled" or (effective is None and setting.get("refused") is None):
                continue
            try:
                answer = self.optional(
                    "iam", "simulate_principal_policy", PolicySourceArn=role, ActionNames=["ecs:PutAccountSetting"]
                )
            except DoctorError as error:  # e.g. the role was deleted since: this role's answer is unknown
                self.facts.refused["iam:SimulatePrincipalPolicy"] = str(error)
                continue
            if answer is None:
                return  # refused or unsupported: the same for every role
            results = answer.get("EvaluationResults") or [{}]
            self.facts.self_opt_in[role] = str(results[0].get("EvalDecision", ""))

    def _service_linked_role(self) -> None:
        error = self.failure("iam", "get_role", RoleName=SERVICE_LINKED_ROLE)
        if error is None:
            self.facts.service_linked_role = True
            return
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code == "NoSuchEntity":
            self.facts.service_linked_role = False
        else:
            self.facts.refused["iam:GetRole"] = f"{code}: {error.response.get('Error', {}).get('Message', '')}"


def without_path(role: str) -> str:
    """A role ARN without its path (arn:aws:iam::ACCOUNT:role/PATH/NAME -> …:role/NAME), as STS's
    session ARNs name the role: whether ECS keys a role's setting with or without the path is not
    documented (doctor-checks §3.2)."""
    head, _, name = role.partition(":role/")
    return f"{head}:role/{name.rsplit('/', 1)[-1]}" if name else role


def _described(instance: Record, reservation: Record, page: Record) -> Record:
    """An EC2 instance as DescribeInstances gave it, with its reservation's owner and when EC2
    answered (its `Date`: the "now" of the instance's LaunchTime, both EC2's clock)."""
    return {**instance, "_OwnerId": reservation.get("OwnerId"), "_answeredAt": answered_at_of(page)}


def answered_at_of(answer: Record) -> float | None:
    """When the service answered, by its own clock: the HTTP Date header AWS puts on every answer
    (None without one). Compared with registeredAt, the same clock's timestamp, it measures how long
    a container instance has been REGISTERING without trusting the local clock."""
    header = (answer.get("ResponseMetadata", {}).get("HTTPHeaders") or {}).get("date")
    try:
        return parsedate_to_datetime(header).timestamp() if header else None
    except (TypeError, ValueError):  # not an HTTP date: unknown
        return None


#: The Auto Scaling lifecycle states of a group's instances that should become container instances:
#: in service, or being launched (a lifecycle hook may hold one in Pending:Wait).
GROUP_MEMBERS = ("InService", "Pending", "Pending:Wait", "Pending:Proceed")

#: The cluster an instance's user data configures its agent for (`ECS_CLUSTER=NAME` in /etc/ecs/ecs.config).
ECS_CLUSTER = re.compile(r"\bECS_CLUSTER=[\"']?([A-Za-z0-9_-]{1,255})")

#: `(service NAME) was unable to place a task ... (container-instance ID) encountered error "RESOURCE:ENI"`
RESOURCE_ENI = re.compile(
    r"\(?service (?P<service>[^)]+?)\)? was unable to place a task because no container instance met all of its "
    r'requirements\. The closest matching \(?container-instance (?P<id>[0-9a-f-]{32,36})\)? encountered error "RESOURCE:ENI"'
)
