"""Which container instances placement is shown, read from the store through indexes, and each
one's `placement.Candidate` picture. Shared by RunTask, StartTask and (later) services.

An awsvpc launch reads only the cluster's instances in the subnets' VPC (`attrval:ecs.vpc-id`),
because any other instance fails the earliest check (ATTRIBUTE) and could never be the closest
match while one in the VPC exists; when none is, one ACTIVE instance of the cluster stands for
them all (its reason is ATTRIBUTE). Other launches read the cluster's ACTIVE instances
(`cluster_status`). Task group counts come from one index read per launch (`cluster_group_live`),
made only if placement asks for them (`group_counter`);
ENI slots, `task:group` and the EC2 instance's state are read per instance only when placement
reaches it.

Cost at scale: the full list is one record read per ACTIVE instance in the VPC per launch (not per
task). A lone binpack strategy reads a `BinpackWindow` instead: pages of the container instances'
placement index (see `container_instances`), in ascending order of the binpacked resource from
the task's demand, among instances with enough of the other resource (to the ladder's rung) and,
for awsvpc, an ENI slot; so a launch reads the few instances it fills, whatever the cluster's
size, and the full list only when nothing in the window fits (to name the closest match).
Task group counts for the window's instances are read per instance, when a check needs them.

A lone random strategy (the default) over `_DRAW_FROM` or more listed instances reads a
`KeyedDraw`: the index's keys at once, then one picture per position drawn, so a launch reads a
few instances whatever the cluster's size (`placement.RandomDraw`); smaller lists are read whole.

Through a capacity provider (`for_provider`), the same with the provider's own index fields: a
lone binpack reads a window of the provider's placement fields (`#PROVIDER`), anything else the
provider's ACTIVE instances (`provider_active`); the cluster's other instances are never read, and
whether the provider has any is one index key (`provider_has_active`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

from trunkline.context import RequestContext
from trunkline.domain.ec2 import instances
from trunkline.domain.ecs import capacity, container_instances, gpus, placement, run_task_reads, task_usage, tasks
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE
from trunkline.domain.ecs.placement import Candidate, Demand, Strategy
from trunkline.domain.ecs.records import ContainerInstanceRecord

Record = dict[str, Any]

_BATCH = 500


GroupCounter = Callable[[str], int]  # container instance ARN -> live tasks of the launch's group


def candidate(ctx: RequestContext, record: ContainerInstanceRecord, group_tasks: GroupCounter) -> Candidate:
    """The placement picture of one container instance record."""
    return _from_picture(ctx, picture(record), group_tasks, record)


@dataclass(frozen=True)
class Picture:
    """What placement reads of a container instance record, derived from the record alone: the
    store keeps it by the record's stored bytes (`find_derived`), so a launch does not decode a
    hundred full records to read a few numbers of each. Shared between launches: read-only."""

    key: str
    arn: str
    cluster_arn: str
    ec2_instance_id: str
    status: str
    capacity_provider: str | None
    attributes: Mapping[str, str | None]
    cpu: int
    memory: int
    tcp_ports: frozenset[int]
    udp_ports: frozenset[int]
    agent_connected: bool
    agent_version: str | None
    registered_at: float
    running_tasks_count: int
    vpc_id: str | None
    zone: str | None
    gpus: int = 0


def picture(record: ContainerInstanceRecord) -> Picture:
    """A pure function of the record (the store may reuse its result for the same stored bytes)."""
    cpu, memory, tcp, udp = task_usage.remaining_cpu_memory_ports(record)
    return Picture(
        key=container_instances.record_key(record),
        arn=record["containerInstanceArn"],
        cluster_arn=record["_cluster"],
        ec2_instance_id=record["ec2InstanceId"],
        status=record["status"],
        capacity_provider=record.get("capacityProviderName"),
        attributes=MappingProxyType({a["name"]: a.get("value") for a in record.get("attributes") or []}),
        cpu=cpu,
        memory=memory,
        tcp_ports=frozenset(tcp),
        udp_ports=frozenset(udp),
        agent_connected=bool(record.get("agentConnected")),
        agent_version=(record.get("versionInfo") or {}).get("agentVersion"),
        registered_at=float(record.get("registeredAt") or 0.0),
        running_tasks_count=int(record.get("runningTasksCount") or 0),
        vpc_id=record.get("_vpcId"),
        zone=record.get("_availabilityZone"),
        gpus=gpus.free_count(record),
    )


def _from_picture(
    ctx: RequestContext, seen: Picture, group_tasks: GroupCounter, record: ContainerInstanceRecord | None
) -> Candidate:
    """A fresh Candidate (placement updates it) from a shared picture. The full record, which the
    ENI and task-group checks need, is read only when one of them first asks (`_Reads`)."""
    return Candidate(
        arn=seen.arn,
        ec2_instance_id=seen.ec2_instance_id,
        attributes=seen.attributes,
        cpu=seen.cpu,
        memory=seen.memory,
        tcp_ports=seen.tcp_ports,  # frozen: placing a task gives the candidate new sets
        udp_ports=seen.udp_ports,
        agent_connected=seen.agent_connected,
        agent_version=seen.agent_version,
        registered_at=seen.registered_at,
        running_tasks_count=seen.running_tasks_count,
        vpc_id=seen.vpc_id,
        zone=seen.zone,
        gpus=seen.gpus,
        reads=_Reads(ctx, seen, group_tasks, record),
    )


class _Reads:
    """A candidate's `placement.CandidateReads`: one object, not a closure per fact (a launch
    builds a candidate for each listed instance and checks a few)."""

    __slots__ = ("_ctx", "_group_tasks", "_record", "_seen")

    def __init__(
        self, ctx: RequestContext, seen: Picture, group_tasks: GroupCounter, record: ContainerInstanceRecord | None
    ) -> None:
        self._ctx, self._seen, self._group_tasks, self._record = ctx, seen, group_tasks, record

    def _full(self) -> ContainerInstanceRecord:
        if self._record is None:
            found = container_instances.find(self._ctx, self._seen.cluster_arn, self._seen.arn)
            assert found is not None  # read in this transaction a moment ago
            self._record = found
        return self._record

    def group_tasks(self) -> int:
        return self._group_tasks(self._seen.arn)

    def eni_free(self) -> int:
        return capacity.available_task_enis(self._ctx, self._full())

    def task_groups(self) -> list[str]:
        return tasks.task_groups_of(self._ctx, self._full())

    def host_running(self) -> bool:
        # Checked last, on the candidate about to take a task: what taking it reads (the container
        # instance, its live tasks) travels with this read (one round trip on PostgreSQL, not two).
        run_task_reads.hosts(self._ctx, self._seen.cluster_arn, [self._seen.arn])
        return _running(self._ctx, self._seen.ec2_instance_id)


def _running(ctx: RequestContext, instance_id: str) -> bool:
    instance = instances.find_instance(ctx, instance_id)
    return instance is not None and instance["State"]["Name"] == "running"


def _read(ctx: RequestContext, field: str, value: str) -> list[Picture]:
    found: list[Picture] = []
    after: str | None = None
    while True:
        batch = CONTAINER_INSTANCE.find_derived(ctx, field, value, picture, after=after, limit=_BATCH)
        found += batch
        if len(batch) < _BATCH:
            return found
        after = batch[-1].key


def has_active(ctx: RequestContext, cluster_arn: str) -> bool:
    """Whether the cluster has an ACTIVE container instance (else RunTask has nowhere to look)."""
    return bool(CONTAINER_INSTANCE.find_keys(ctx, "cluster_status", f"{cluster_arn}|ACTIVE", limit=1))


def cluster_candidates(ctx: RequestContext, cluster_arn: str, vpc_id: str | None, group: str) -> list[Candidate]:
    """The ACTIVE instances placement should consider for a launch (see the module doc)."""
    field, value = _cluster_field(cluster_arn, vpc_id)
    return _shown_of_cluster(ctx, cluster_arn, vpc_id, group, _read(ctx, field, value))


def _cluster_field(cluster_arn: str, vpc_id: str | None) -> tuple[str, str]:
    """The index that lists a launch's instances: the cluster's in the VPC, else its ACTIVE ones."""
    if vpc_id is not None:
        return "attrval:ecs.vpc-id", f"{cluster_arn}|{vpc_id}"
    return "cluster_status", f"{cluster_arn}|ACTIVE"


def _shown_of_cluster(
    ctx: RequestContext, cluster_arn: str, vpc_id: str | None, group: str, listed: list[Picture]
) -> list[Candidate]:
    """The candidates among the pictures `_cluster_field`'s index listed."""
    seen = listed
    if vpc_id is not None:
        seen = [p for p in listed if p.status == "ACTIVE"]
        if not seen:
            active = f"{cluster_arn}|ACTIVE"
            seen = CONTAINER_INSTANCE.find_derived(ctx, "cluster_status", active, picture, limit=1)
    counter = group_counter(ctx, cluster_arn, group)
    return [_from_picture(ctx, p, counter, None) for p in seen]


def group_counter(ctx: RequestContext, cluster_arn: str, group: str) -> GroupCounter:
    """Live tasks of the group per instance, read (one index read, every task of the group
    decoded) only when placement first asks: the default strategy (random) and most constraints
    never do, and in a busy cluster that read is most of a launch's cost."""
    counts: dict[str, int] | None = None

    def count(arn: str) -> int:
        nonlocal counts
        if counts is None:
            counts = tasks.group_counts(ctx, cluster_arn, group)
        return counts.get(arn, 0)

    return count


def of_provider(ctx: RequestContext, cluster_arn: str, demand: Demand, provider: str) -> list[Candidate]:
    """The ACTIVE instances of the cluster that the capacity provider's group launched (read
    through `provider_active`: the cluster's other instances are never decoded)."""
    return _shown_of_provider(
        ctx, cluster_arn, demand.group, _read(ctx, "provider_active", f"{cluster_arn}|{provider}")
    )


def _shown_of_provider(ctx: RequestContext, cluster_arn: str, group: str, listed: list[Picture]) -> list[Candidate]:
    counter = group_counter(ctx, cluster_arn, group)
    return [_from_picture(ctx, p, counter, None) for p in listed]


def provider_has_active(ctx: RequestContext, cluster_arn: str, provider: str) -> bool:
    """Whether the capacity provider has an ACTIVE instance in the cluster (else placement
    through it fails with "No Container Instances were found in your capacity provider")."""
    return bool(CONTAINER_INSTANCE.find_keys(ctx, "provider_active", f"{cluster_arn}|{provider}", limit=1))


def for_provider(
    ctx: RequestContext, cluster_arn: str, demand: Demand, strategies: Sequence[Strategy] | None, provider: str
) -> placement.Candidates:
    """`for_launch` through a capacity provider: only the provider's instances, a `BinpackWindow`
    over its own placement fields for a lone binpack strategy."""
    resource = placement.lone_binpack(strategies)
    if resource is not None:
        return BinpackWindow(ctx, cluster_arn, demand, resource, provider)
    field, value = "provider_active", f"{cluster_arn}|{provider}"
    if placement.lone_random(strategies):
        shown: Shown = lambda p: _shown_of_provider(ctx, cluster_arn, demand.group, p)  # noqa: E731
        return _random_source(ctx, cluster_arn, demand.group, field, value, shown)
    return of_provider(ctx, cluster_arn, demand, provider)


def _group_tasks_on(ctx: RequestContext, group: str) -> GroupCounter:
    return lambda arn: sum(1 for t in tasks.live_on_instance(ctx, arn) if t["group"] == group)


class BinpackWindow:
    """`placement.BinpackWindow` over the container instances' placement index: the fields of
    every rung from the demand's up (`container_instances.placement_fields`), merged in (value,
    key) order. Each field is read in pages of its own, kept until merged, so a row is read once;
    most clusters fill one or two rungs, and a rung nobody is in costs one empty read."""

    _FIRST_PAGE = 4  # binpack mostly fills the first instance it reads; records are large to decode
    _LARGEST_PAGE = _BATCH

    def __init__(
        self, ctx: RequestContext, cluster_arn: str, demand: Demand, resource: str, provider: str | None = None
    ) -> None:
        self.resource = resource
        self._ctx, self._cluster_arn, self._demand, self._provider = ctx, cluster_arn, demand, provider
        own, other = (demand.cpu, demand.memory) if resource == "cpu" else (demand.memory, demand.cpu)
        fields = container_instances.placement_fields(cluster_arn, demand.vpc_id, resource, other, provider)
        self._lowest = container_instances.placement_value(own)
        self._fields = [_IndexField(field, self._FIRST_PAGE) for field in fields]
        self._page = self._FIRST_PAGE
        self._shown: dict[str, Candidate] = {}

    def shown(self) -> list[Candidate]:
        return list(self._shown.values())

    def next_page(self) -> list[Candidate]:
        rows: list[tuple[str, str, ContainerInstanceRecord]] = []
        while len(rows) < self._page:
            _read_together(self._ctx, [f for f in self._fields if not f.rows and not f.exhausted], self._lowest)
            heads = [field for field in self._fields if field.rows]
            if not heads:
                break
            rows.append(min(heads, key=lambda field: field.rows[0][:2]).rows.pop(0))
        self._page = min(self._page * 2, self._LARGEST_PAGE)
        counter = _group_tasks_on(self._ctx, self._demand.group)
        page = [candidate(self._ctx, record, counter) for _, _, record in rows]
        self._shown.update((c.arn, c) for c in page)
        return page

    def everyone(self) -> list[Candidate]:
        if self._provider is not None:
            full = of_provider(self._ctx, self._cluster_arn, self._demand, self._provider)
        else:
            full = cluster_candidates(self._ctx, self._cluster_arn, self._demand.vpc_id, self._demand.group)
        return [self._shown.get(c.arn, c) for c in full]


#: From this many listed instances on, a random launch draws instances one at a time instead of
#: reading every one's picture: below it, one read of them all costs less than a few draws. At
#: 100 (bench_vs_moto's cluster) the draws took 0.6-1.6 ms less CPU per RunTask of ten than the
#: whole list (its rows fetched and hashed, the changed hosts decoded, a candidate built for each;
#: benchmarks/README.md, "Session 8"); 32 and 64 measured alike, so the lower bound stays cautious.
_DRAW_FROM = 64

Shown = Callable[[list[Picture]], list[Candidate]]  # the candidates among an index's listed pictures


def _random_source(
    ctx: RequestContext, cluster_arn: str, group: str, field: str, value: str, shown: Shown
) -> placement.Candidates:
    """What a lone random strategy sees: the full list when the index lists fewer than
    `_DRAW_FROM` instances (one read), else a `KeyedDraw` over the index's keys."""
    first = CONTAINER_INSTANCE.find_derived(ctx, field, value, picture, limit=_DRAW_FROM)
    if len(first) < _DRAW_FROM:
        return shown(first)
    everyone = lambda: shown(_read(ctx, field, value))  # noqa: E731
    return KeyedDraw(ctx, group_counter(ctx, cluster_arn, group), field, value, first, everyone)


class KeyedDraw:
    """`placement.RandomDraw` over an index's keys: the keys are read at once (no documents), an
    instance's picture only when its position is drawn. Pictures the index listed first are kept,
    so a draw among them reads nothing. A listed instance that is not ACTIVE (the VPC's index
    lists every status) is no candidate; when no position takes a task, `everyone` is the full
    list, which also names the closest match."""

    def __init__(
        self,
        ctx: RequestContext,
        counter: GroupCounter,
        field: str,
        value: str,
        first: list[Picture],
        full: Callable[[], list[Candidate]],
    ) -> None:
        self._ctx, self._counter, self._field, self._value = ctx, counter, field, value
        self._keys = CONTAINER_INSTANCE.find_keys(ctx, field, value)
        self._pictures = {p.key: p for p in first}
        self._full = full  # every candidate, read only when no position takes a task
        self._shown: dict[int, Candidate | None] = {}

    def size(self) -> int:
        return len(self._keys)

    def at(self, position: int) -> Candidate | None:
        if position not in self._shown:
            seen = self._picture(position)
            if seen is None or seen.status != "ACTIVE":
                self._shown[position] = None
            else:
                self._shown[position] = _from_picture(self._ctx, seen, self._counter, None)
        return self._shown[position]

    def _picture(self, position: int) -> Picture | None:
        key = self._keys[position]
        if key in self._pictures:
            return self._pictures[key]
        after = self._keys[position - 1] if position else None
        found = CONTAINER_INSTANCE.find_derived(self._ctx, self._field, self._value, picture, after=after, limit=1)
        return found[0] if found and found[0].key == key else None

    def everyone(self) -> list[Candidate]:
        shown = {c.arn: c for c in self._shown.values() if c is not None}
        return [shown.get(c.arn, c) for c in self._full()]


class _IndexField:
    """One placement index field's rows, read a page at a time from a cursor (BinpackWindow)."""

    def __init__(self, name: str, page: int) -> None:
        self.name, self._page = name, page
        self.rows: list[tuple[str, str, ContainerInstanceRecord]] = []
        self.exhausted = False
        self._after: tuple[str, str] | None = None

    def query(self, lowest: str) -> tuple[str, str, tuple[str, str] | None, int]:
        """The next page's question, for `find_from_each`."""
        return self.name, lowest, self._after, self._page

    def take(self, found: list[tuple[str, str, ContainerInstanceRecord]]) -> None:
        """The answer to `query`."""
        self.exhausted = len(found) < self._page
        self._page = min(self._page * 2, BinpackWindow._LARGEST_PAGE)
        if found:
            self._after = found[-1][0], found[-1][1]
        self.rows.extend(found)


def _read_together(ctx: RequestContext, fields: list[_IndexField], lowest: str) -> None:
    """The next page of each field, asked at once: a window starts with every rung's field (up to
    a dozen) and the store may answer them in one round trip (PostgreSQL)."""
    if fields:
        answers = ctx.tx.find_from_each(container_instances.KIND, [field.query(lowest) for field in fields])
        for field, found in zip(fields, answers, strict=True):
            # Rows of the container-instance kind (`find_from_each` reads ordered indexes by raw value).
            field.take(cast("list[tuple[str, str, ContainerInstanceRecord]]", found))


def for_launch(
    ctx: RequestContext, cluster_arn: str, demand: Demand, strategies: Sequence[Strategy] | None
) -> placement.Candidates:
    """What placement should see for an EC2 launch: a `BinpackWindow` for a lone binpack
    strategy, else every candidate (in the awsvpc subnets' VPC, if any: `demand.vpc_id`)."""
    resource = placement.lone_binpack(strategies)
    if resource is not None:
        return BinpackWindow(ctx, cluster_arn, demand, resource)
    if placement.lone_random(strategies):
        field, value = _cluster_field(cluster_arn, demand.vpc_id)
        shown: Shown = lambda p: _shown_of_cluster(ctx, cluster_arn, demand.vpc_id, demand.group, p)  # noqa: E731
        return _random_source(ctx, cluster_arn, demand.group, field, value, shown)
    return cluster_candidates(ctx, cluster_arn, demand.vpc_id, demand.group)
