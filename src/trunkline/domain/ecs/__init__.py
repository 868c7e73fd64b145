"""ECS behaviour: clusters, account settings, container instances, the cluster query language.

Helpers shared by the ECS modules live here: ARNs in the caller's region and account, and the
`maxResults`/`nextToken` paging every ECS list call uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.errors import AwsError

if TYPE_CHECKING:  # an annotation only: the generated shapes stay out of start-up (index_versions)
    from trunkline.domain.ecs.records import ContainerInstanceRecord, TaskRecord
    from trunkline.domain.ecs.request_parts import Paged

T = TypeVar("T")
R = TypeVar("R")  # a record type


def ecs_arn(ctx: RequestContext, resource: str) -> str:
    """`arn:aws:ecs:REGION:ACCOUNT:<resource>` for the caller's region and account."""
    return f"arn:aws:ecs:{ctx.region}:{ctx.account_id}:{resource}"


def cluster_resource_id(ctx: RequestContext, cluster_arn: str, ref: str, resource: str) -> str | None:
    """The id a reference to a cluster-scoped resource names (`resource` is "task",
    "container-instance", ...): a bare id, or a full ARN, long (`RESOURCE/CLUSTER/ID`) or short
    (`RESOURCE/ID`) form, of the caller's region and account and of this cluster. None otherwise."""
    if not ref.startswith("arn:"):
        return ref or None
    parts = ref.split(":", 5)
    if len(parts) != 6 or parts[2] != "ecs" or parts[3] != ctx.region or parts[4] != ctx.account_id:
        return None
    kind, _, rest = parts[5].partition("/")
    if kind != resource:
        return None
    cluster, _, resource_id = rest.rpartition("/")
    if cluster and cluster != cluster_arn.rsplit("/", 1)[-1]:
        return None
    return resource_id or None


def bump_version(ctx: RequestContext, record: TaskRecord | ContainerInstanceRecord | dict[str, Any]) -> None:
    """Count one observable change of a container instance or task: AWS's `version` is the number
    of state-change events the resource has emitted, and `_updatedAt` their latest time."""
    record["version"] = int(record.get("version", 0)) + 1
    record["_updatedAt"] = ctx.now


def public_view(record: Mapping[str, Any], include_tags: bool) -> dict[str, Any]:
    """A record as the API shows it: internal `_` fields dropped, `tags` only when asked for."""
    shown = {k: v for k, v in record.items() if not k.startswith("_") and k != "tags"}
    if include_tags:
        shown["tags"] = record.get("tags", [])
    return shown


def describe_each(
    refs: Sequence[str],
    find: Callable[[str], R | None],
    arn_field: str,
    missing_arn: Callable[[str], str],
    view: Callable[[R], dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """A Describe* call over references: the view of each record found, once (a second reference
    to the same resource adds nothing), and a MISSING failure, by the ARN the reference names,
    for each one that names nothing."""
    found: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    seen: set[str] = set()
    for ref in refs:
        record = find(ref)
        arn = str(cast(Mapping[str, Any], record)[arn_field]) if record is not None else missing_arn(ref)
        if arn in seen:
            continue
        seen.add(arn)
        if record is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(view(record))
    return found, failures


def check_max_results(value: int | None, maximum: int) -> None:
    """ECS list calls take `maxResults` 1..maximum; the model leaves the range to the service."""
    if value is None:
        return
    if value < 1:
        bound = "greater than or equal to 1"
    elif value > maximum:
        bound = f"less than or equal to {maximum}"
    else:
        return
    raise AwsError(
        "InvalidParameterException",
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: "
        f"Member must have value {bound}",
    )


def page(
    ctx: RequestContext,
    listing: str,
    items: Sequence[T],
    key: Callable[[T], str],
    params: Paged,
    maximum: int,
) -> tuple[list[T], str | None]:
    """One page of `items` (sorted by `key`) after `nextToken`, at most `maxResults` (default and
    ceiling `maximum`); returns the page and the token for the next one. `listing` names what was
    listed, so a token is refused by any other listing."""
    limit = params.get("maxResults")
    check_max_results(limit, maximum)
    size = limit or maximum
    rest = list(items)
    token = params.get("nextToken")
    if token is not None:
        after = pagination.decode(ctx.tx, listing, token)
        if not isinstance(after, str):
            raise AwsError("InvalidParameterException", "Invalid nextToken: the token is not valid for this request.")
        rest = [item for item in rest if key(item) > after]
    if len(rest) <= size:
        return rest, None
    chosen = rest[:size]
    return chosen, pagination.encode(ctx.tx, listing, key(chosen[-1]))
