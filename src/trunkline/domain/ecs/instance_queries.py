"""Reading and draining container instances: DescribeContainerInstances, ListContainerInstances and
UpdateContainerInstancesState, plus the view of a record the cluster query language reads.

Listing never reads a whole cluster. Instances are walked in key order straight from the store's
indexes: `cluster_status` (one lookup per status asked for, merged), or, when a filter names the
values an attribute must have (`Query.equality_hints`), `attrval:NAME` for just those values. Each
call examines at most `SCAN_BUDGET` candidates; a sparse filter without a usable hint may therefore
answer a page with fewer than `maxResults` ARNs and a `nextToken`, as the API documents it may.
A token is the key of the last instance the call considered, signed with what was listed.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.ecs import check_max_results, container_instances
from trunkline.domain.ecs.clusters import resolve_cluster
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE
from trunkline.domain.ecs.query import Query, parse
from trunkline.domain.ecs.records import ContainerInstanceRecord
from trunkline.domain.ecs.request_parts import Paged
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Record = dict[str, Any]
Params = dict[str, Any]

#: The statuses ListContainerInstances reports when no `status` is given: all but INACTIVE.
LIVE_STATUSES = ("REGISTERING", "REGISTRATION_FAILED", "ACTIVE", "DRAINING", "DEREGISTERING")
#: The only statuses a container instance can be moved between, and moved from.
SETTABLE_STATUSES = ("ACTIVE", "DRAINING")

DESCRIBE_LIMIT = 100
UPDATE_LIMIT = 10
PAGE_LIMIT = 100
#: Candidates one list call may examine before it answers with what it found and a token.
SCAN_BUDGET = 2000
_LATER_KEY_BATCH = 500
_MIN_RECORD_BATCH = 20


# --- the query language's view of a record -------------------------------------------------------------


class RecordFacts:
    """A container-instance record seen through `query.InstanceFacts`. Task groups are read only
    when an expression asks for them (they live in other records)."""

    __slots__ = ("_attributes", "_ctx", "_groups", "_record")

    def __init__(self, ctx: RequestContext, record: ContainerInstanceRecord) -> None:
        self._ctx = ctx
        self._record = record
        self._attributes: dict[str, str | None] | None = None
        self._groups: Collection[str] | None = None

    @property
    def agent_connected(self) -> bool:
        return bool(self._record.get("agentConnected"))

    @property
    def agent_version(self) -> str | None:
        version = (self._record.get("versionInfo") or {}).get("agentVersion")
        return str(version) if version else None

    @property
    def attributes(self) -> Mapping[str, str | None]:
        if self._attributes is None:
            self._attributes = {a["name"]: a.get("value") for a in self._record.get("attributes") or []}
        return self._attributes

    @property
    def ec2_instance_id(self) -> str:
        return str(self._record.get("ec2InstanceId") or "")

    @property
    def registered_at(self) -> float:
        return float(self._record.get("registeredAt") or 0.0)

    @property
    def running_tasks_count(self) -> int:
        return int(self._record.get("runningTasksCount") or 0)

    @property
    def task_groups(self) -> Collection[str]:
        if self._groups is None:
            self._groups = tuple(self._ctx.reactions.task_groups(self._ctx, self._record))
        return self._groups


# --- walking the indexes ----------------------------------------------------------------------------

Source = tuple[str, str]  # (index field, value)


def _record_stream(
    ctx: RequestContext, source: Source, after: str | None, first: int
) -> Iterator[tuple[str, ContainerInstanceRecord]]:
    # Decoding documents is what costs: read about a page at a time, however far the walk goes.
    batch = max(first, _MIN_RECORD_BATCH)
    while True:
        records = CONTAINER_INSTANCE.find(ctx, source[0], source[1], after=after, limit=batch)
        for record in records:
            yield container_instances.record_key(record), record
        if len(records) < batch:
            return
        after = container_instances.record_key(records[-1])


def _key_stream(ctx: RequestContext, source: Source, after: str | None, first: int) -> Iterator[str]:
    batch = first
    while True:
        keys = CONTAINER_INSTANCE.find_keys(ctx, source[0], source[1], after=after, limit=batch)
        yield from keys
        if len(keys) < batch:
            return
        after = keys[-1]
        batch = _LATER_KEY_BATCH  # keys are cheap: fewer, larger reads


def walk_records(
    ctx: RequestContext, sources: Iterable[Source], after: str | None, first: int
) -> Iterator[tuple[str, ContainerInstanceRecord]]:
    """(key, record) of every record some source indexes, once each, in key order after `after`.
    `first` is the size of each source's first read: the caller's page size plus one."""
    streams = [_record_stream(ctx, source, after, first) for source in sources]
    previous = None
    for key, record in heapq.merge(*streams, key=lambda item: item[0]):
        if key != previous:
            previous = key
            yield key, record


def walk_keys(ctx: RequestContext, sources: Iterable[Source], after: str | None, first: int) -> Iterator[str]:
    """`walk_records` without reading the records."""
    previous = None
    for key in heapq.merge(*(_key_stream(ctx, source, after, first) for source in sources)):
        if key != previous:
            previous = key
            yield key


def status_sources(cluster_arn: str, statuses: Iterable[str]) -> list[Source]:
    return [("cluster_status", f"{cluster_arn}|{status}") for status in statuses]


# --- tokens -----------------------------------------------------------------------------------------


def listing_name(operation: str, *parts: str | None) -> str:
    """What a token was issued for: the operation and a digest of the request's other inputs, so a
    token is refused when replayed with a different cluster, filter or status."""
    text = "\x00".join("\x01" if p is None else p for p in parts)
    digest = hashlib.sha256(text.encode()).hexdigest()[:24]
    return f"ecs:{operation}|{digest}"


def read_token(ctx: RequestContext, listing: str, token: str | None) -> Any:
    """The position a `nextToken` stands for (None without a token)."""
    if token is None:
        return None
    position = pagination.decode(ctx.tx, listing, token)
    if position is None:
        raise AwsError("InvalidParameterException", "Invalid nextToken: the token is not valid for this request.")
    return position


def page_size(params: Paged) -> int:
    limit = params.get("maxResults")
    check_max_results(limit, PAGE_LIMIT)
    return int(limit or PAGE_LIMIT)


# --- DescribeContainerInstances ---------------------------------------------------------------------


def check_reference_count(refs: list[str], limit: int) -> None:
    """ECS's own bounds on a list of container-instance references (the model sets none)."""
    if not refs:
        raise AwsError("InvalidParameterException", "instanceIds can not be empty.")
    if len(refs) > limit:
        raise AwsError("InvalidParameterException", f"instanceIds can have at most {limit} items.")


def _missing(ctx: RequestContext, cluster_arn: str, ref: str) -> dict[str, str]:
    arn = ref if ref.startswith("arn:") else container_instances.arn(ctx, cluster_arn, ref)
    return {"arn": arn, "reason": "MISSING"}


def health_status(record: ContainerInstanceRecord) -> Record:
    """`healthStatus` (include=CONTAINER_INSTANCE_HEALTH). trunkline simulates no container runtime
    faults, so the runtime check is OK while the agent is connected to a registered instance;
    INITIALIZING while a trunk is still being provisioned; otherwise there is no data."""
    status = record["status"]
    since = float(record.get("registeredAt") or 0.0)
    checked = float(record.get("_updatedAt") or since)
    if status == "REGISTERING":
        overall = "INITIALIZING"
    elif status in SETTABLE_STATUSES and record.get("agentConnected"):
        overall = "OK"
    else:
        overall = "INSUFFICIENT_DATA"
    detail = {"type": "CONTAINER_RUNTIME", "status": overall, "lastUpdated": checked, "lastStatusChange": since}
    return {"overallStatus": overall, "details": [detail]}


def describe(
    ctx: RequestContext, params: shapes.DescribeContainerInstancesRequest
) -> tuple[list[Record], list[dict[str, str]]]:
    """The described instances (any status, INACTIVE ones included) and a MISSING failure for each
    reference that names none in the cluster. A reference repeated is answered once."""
    cluster_arn = resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    refs = list(params["containerInstances"])
    check_reference_count(refs, DESCRIBE_LIMIT)
    include = frozenset(params.get("include") or ())
    found: list[Record] = []
    failures: list[dict[str, str]] = []
    seen: set[str] = set()
    for ref in refs:
        record = container_instances.find(ctx, cluster_arn, ref)
        if record is None:
            failure = _missing(ctx, cluster_arn, ref)
            if failure["arn"] not in seen:
                seen.add(failure["arn"])
                failures.append(failure)
            continue
        if record["containerInstanceArn"] in seen:
            continue
        seen.add(record["containerInstanceArn"])
        shown = container_instances.view(record, include_tags="TAGS" in include)
        if "CONTAINER_INSTANCE_HEALTH" in include:
            shown["healthStatus"] = health_status(record)
        found.append(shown)
    return found, failures


# --- ListContainerInstances -------------------------------------------------------------------------


def _hinted_sources(cluster_arn: str, query: Query) -> list[Source] | None:
    """Index lookups that cover every instance the query can match: the attribute it constrains to
    the fewest values. [] when it constrains none; None when nothing can match."""
    hints = query.equality_hints()
    if not hints:
        return []
    name = min(hints, key=lambda n: (len(hints[n]), n))
    if not hints[name]:
        return None
    return [(f"attrval:{name}", f"{cluster_arn}|{value}") for value in sorted(hints[name])]


def _arn_of_key(ctx: RequestContext, cluster_arn: str, key: str) -> str:
    return container_instances.arn(ctx, cluster_arn, key.rsplit("/", 1)[-1])


def _unfiltered(
    ctx: RequestContext, cluster_arn: str, statuses: tuple[str, ...], after: str | None, size: int
) -> tuple[list[str], str | None]:
    keys: list[str] = []
    for key in walk_keys(ctx, status_sources(cluster_arn, statuses), after, size + 1):
        if len(keys) == size:
            return keys, keys[-1]
        keys.append(key)
    return keys, None


def _filtered(
    ctx: RequestContext, cluster_arn: str, statuses: tuple[str, ...], query: Query, after: str | None, size: int
) -> tuple[list[str], str | None]:
    sources = _hinted_sources(cluster_arn, query)
    if sources is None:
        return [], None
    wanted = frozenset(statuses)
    keys: list[str] = []
    examined = 0
    previous: str | None = None
    for key, record in walk_records(ctx, sources or status_sources(cluster_arn, statuses), after, size + 1):
        if examined == SCAN_BUDGET:
            # Everything up to the previous candidate was considered; the next call resumes there.
            return keys, previous
        examined += 1
        previous = key
        if record["status"] not in wanted or not query.matches(RecordFacts(ctx, record)):
            continue
        if len(keys) == size:
            return keys, keys[-1]
        keys.append(key)
    return keys, None


def list_arns(ctx: RequestContext, params: shapes.ListContainerInstancesRequest) -> tuple[list[str], str | None]:
    """ListContainerInstances: ARNs in the cluster, by status (default: all but INACTIVE) and
    cluster query expression, `maxResults` (1-100, default 100) at a time."""
    cluster_arn = resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    size = page_size(params)
    status = params.get("status")
    expression = params.get("filter")
    query = parse(expression) if expression is not None else None
    listing = listing_name("ListContainerInstances", cluster_arn, status, expression)
    after = read_token(ctx, listing, params.get("nextToken"))
    if after is not None and not isinstance(after, str):
        raise AwsError("InvalidParameterException", "Invalid nextToken: the token is not valid for this request.")
    statuses = (status,) if status else LIVE_STATUSES
    if query is None:
        keys, position = _unfiltered(ctx, cluster_arn, statuses, after, size)
    else:
        keys, position = _filtered(ctx, cluster_arn, statuses, query, after, size)
    token = pagination.encode(ctx.tx, listing, position) if position is not None else None
    return [_arn_of_key(ctx, cluster_arn, key) for key in keys], token


# --- UpdateContainerInstancesState ------------------------------------------------------------------


def _not_settable(record: ContainerInstanceRecord) -> AwsError:
    instance_id = container_instances.id_of(record)
    return AwsError(
        "InvalidParameterException",
        f"Container instance {instance_id} is in {record['status']} status: only an ACTIVE or DRAINING "
        "container instance can have its status updated.",
    )


def update_state(
    ctx: RequestContext, params: shapes.UpdateContainerInstancesStateRequest
) -> tuple[list[Record], list[dict[str, str]]]:
    """UpdateContainerInstancesState: move instances between ACTIVE and DRAINING. Unknown references
    are MISSING failures; an instance in any other status refuses the whole call, before anything
    changes. Each instance whose status changes gets a new version and a state-change event."""
    cluster_arn = resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    refs = list(params["containerInstances"])
    check_reference_count(refs, UPDATE_LIMIT)
    target = params["status"]
    if target not in SETTABLE_STATUSES:
        raise AwsError(
            "InvalidParameterException",
            f"Invalid status '{target}': a container instance status can only be updated to ACTIVE or DRAINING.",
        )
    chosen: dict[str, ContainerInstanceRecord] = {}
    failures: list[dict[str, str]] = []
    for ref in refs:
        record = container_instances.find(ctx, cluster_arn, ref)
        if record is None:
            failure = _missing(ctx, cluster_arn, ref)
            if failure not in failures:
                failures.append(failure)
        elif record["status"] not in SETTABLE_STATUSES:
            raise _not_settable(record)
        else:
            chosen.setdefault(record["containerInstanceArn"], record)
    for record in chosen.values():
        if record["status"] != target:
            record["status"] = target
            container_instances.change(ctx, record)
    return [container_instances.view(record) for record in chosen.values()], failures
