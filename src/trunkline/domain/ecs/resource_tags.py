"""ECS TagResource, UntagResource, ListTagsForResource: one tag list per taggable resource, found by
its ARN (clusters, services, task definitions, tasks, container instances, capacity providers).

Each record keeps its tags in `tags` (the Tag shape: `[{key, value}]`, in the order they were
first set); this module finds the record an ARN names and saves it back through its own module,
so every index stays as that module keeps it. Tags whose key begins with `aws:` are ECS's own
(`aws:ecs:clusterName`, `aws:ecs:serviceName`): users cannot set or remove them, and they do not
count against the 50 tags a resource may carry.

Decisions where AWS's text is not documented (docs/decisions.md): a short service or task ARN is
"Long arn format must be used for tagging operations." (AWS's observed text); an ARN that is not an
ECS resource ARN of the caller's region and account, or names a kind that cannot be tagged, is
InvalidParameterException "The ARN provided is not a valid ECS resource ARN."; a resource that
does not exist is ResourceNotFoundException "The specified resource wasn't found." (a cluster:
ClusterNotFoundException "Cluster not found.").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from trunkline.context import RequestContext
from trunkline.domain.ecs import clusters, container_instances, services, task_definitions, tasks
from trunkline.domain.ecs.kinds import CAPACITY_PROVIDER
from trunkline.domain.ecs.records import ClusterRecord
from trunkline.domain.ecs.tag_rules import check_limit, is_reserved, merged
from trunkline.errors import AwsError

Record = dict[str, Any]
Tag = dict[str, str]


@dataclass(frozen=True)
class Target:
    record: Record
    save: Callable[[RequestContext, Record], None]


def _target(record: Any, save: Callable[[RequestContext, Any], None]) -> Target:
    """Tagging reads and writes `tags` alike on every kind's record, whatever its declared type;
    a record that is not there is ECS's ResourceNotFoundException."""
    if record is None:
        raise _missing()
    return Target(record, save)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _not_an_ecs_arn() -> AwsError:
    return _invalid("The ARN provided is not a valid ECS resource ARN.")


def _missing() -> AwsError:
    return AwsError("ResourceNotFoundException", "The specified resource wasn't found.")


def _save_cluster(ctx: RequestContext, record: Record) -> None:
    clusters.save(ctx, cast(ClusterRecord, record))  # tagging handles every kind's record alike


def _cluster(ctx: RequestContext, name: str) -> Record:
    record = clusters.find_cluster(ctx, name)
    if record is None:
        raise AwsError("ClusterNotFoundException", "Cluster not found.")
    return cast(Record, record)  # tagging handles every kind's record alike


def _scoped(ctx: RequestContext, kind: str, rest: str) -> tuple[Record, str]:
    """The cluster and the id of a cluster-scoped ARN's `CLUSTER/ID` (short forms refused)."""
    cluster_name, _, resource_id = rest.rpartition("/")
    if not cluster_name:
        raise _invalid("Long arn format must be used for tagging operations")
    if not resource_id or "/" in cluster_name:
        raise _not_an_ecs_arn()
    return _cluster(ctx, cluster_name), resource_id


def _capacity_provider(ctx: RequestContext, name: str) -> Record | None:
    """An Auto Scaling group provider that is not deleted; FARGATE and FARGATE_SPOT are ECS's own
    and carry no tags (no record: not found)."""
    record = CAPACITY_PROVIDER.get(ctx, name) if "/" not in name else None
    if record is None or record["status"] == "INACTIVE":
        return None
    return cast(Record, record)  # tagging handles every kind's record alike


def resolve(ctx: RequestContext, arn: str) -> Target:
    """The record `arn` names and how to save it."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "ecs":
        raise _not_an_ecs_arn()
    if parts[3] != ctx.region or parts[4] != ctx.account_id:
        raise _not_an_ecs_arn()
    kind, _, rest = parts[5].partition("/")
    if not rest:
        raise _not_an_ecs_arn()
    if kind == "cluster":
        return _target(_cluster(ctx, rest), _save_cluster)
    if kind == "task-definition":
        return _target(task_definitions.find(ctx, arn), task_definitions.save)
    if kind == "service":
        cluster, name = _scoped(ctx, kind, rest)
        return _target(services.find(ctx, cluster["clusterArn"], name), services.save)
    if kind == "task":
        cluster, task_id = _scoped(ctx, kind, rest)
        return _target(tasks.find(ctx, cluster["clusterArn"], task_id), tasks.save)
    if kind == "capacity-provider":
        return _target(_capacity_provider(ctx, rest), CAPACITY_PROVIDER.save)
    if kind == "container-instance":
        cluster, instance_id = _scoped(ctx, kind, rest)
        return _target(container_instances.find(ctx, cluster["clusterArn"], instance_id), container_instances.save)
    raise _not_an_ecs_arn()


def tag_resource(ctx: RequestContext, arn: str, given: Sequence[Mapping[str, Any]]) -> None:
    checked = clusters.check_tags(given)
    target = resolve(ctx, arn)
    tags = merged(list(target.record.get("tags") or []), checked)
    check_limit(tags)
    target.record["tags"] = tags
    target.save(ctx, target.record)


def untag_resource(ctx: RequestContext, arn: str, keys: list[str]) -> None:
    for key in keys:
        if is_reserved(key):
            raise _invalid("Tag keys beginning with 'aws:' are reserved for AWS use.")
    target = resolve(ctx, arn)
    drop = set(keys)
    target.record["tags"] = [t for t in target.record.get("tags") or [] if t["key"] not in drop]
    target.save(ctx, target.record)


def list_tags(ctx: RequestContext, arn: str) -> list[Tag]:
    return [dict(t) for t in resolve(ctx, arn).record.get("tags") or []]
