"""What IAM answers for its policy listings and lookups: a role's or user's inline and attached
policies, a policy's versions and entities, the simulator's results, each one `Marker`/`MaxItems`
page (`IsTruncated`, and `Marker` only when there is more)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import iam_boundaries, iam_policies, iam_simulation
from trunkline.domain.iam_requests import Marked

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes

Answer = dict[str, Any]

#: The request member naming the entity a role or user call is about.
ENTITY_MEMBER = {"role": "RoleName", "user": "UserName"}


def entity_name(kind: str, request: Mapping[str, Any]) -> str:
    """The role's or user's name in a call made for either (RoleName or UserName)."""
    return str(request[ENTITY_MEMBER[kind]])


def marked(items: list[Any], marker: str | None, member: str) -> Answer:
    """One page as IAM answers it."""
    out: Answer = {member: items, "IsTruncated": marker is not None}
    if marker is not None:
        out["Marker"] = marker
    return out


def _page(ctx: RequestContext, listing: str, items: list[tuple[str, Any]], request: Marked, member: str) -> Answer:
    return marked(*iam_policies.page(ctx, listing, items, request), member)


def inline_policy(
    ctx: RequestContext, kind: str, request: shapes.GetRolePolicyRequest | shapes.GetUserPolicyRequest
) -> Answer:
    """GetRolePolicy/GetUserPolicy: the owner's name, the policy's, and its URL-encoded document."""
    found = iam_policies.get_inline(ctx, kind, entity_name(kind, request), request["PolicyName"])
    return {
        ENTITY_MEMBER[kind]: found["Owner"],
        "PolicyName": found["PolicyName"],
        "PolicyDocument": iam_policies.encoded(found["PolicyDocument"]),
    }


def inline_policy_names(
    ctx: RequestContext, kind: str, request: shapes.ListRolePoliciesRequest | shapes.ListUserPoliciesRequest
) -> Answer:
    names = iam_policies.list_inline(ctx, kind, entity_name(kind, request))
    listing = f"iam:List{kind.capitalize()}Policies"
    return _page(ctx, listing, [(n, n) for n in names], request, "PolicyNames")


def policy_versions(ctx: RequestContext, request: shapes.ListPolicyVersionsRequest) -> Answer:
    versions = iam_policies.list_versions(ctx, request["PolicyArn"])
    keyed = [(f"{i:02d}", v) for i, v in enumerate(versions)]
    return _page(ctx, "iam:ListPolicyVersions", keyed, request, "Versions")


def attached_policies(
    ctx: RequestContext,
    kind: str,
    request: shapes.ListAttachedRolePoliciesRequest | shapes.ListAttachedUserPoliciesRequest,
) -> Answer:
    """The managed policies attached to a role or user whose path starts with `PathPrefix`."""
    prefix = request.get("PathPrefix", "/")
    found = [
        (a["PolicyArn"], {"PolicyName": a["PolicyName"], "PolicyArn": a["PolicyArn"]})
        for a in iam_policies.attached(ctx, kind, entity_name(kind, request))
        if a["PolicyPath"].startswith(prefix)
    ]
    return _page(ctx, f"iam:ListAttached{kind.capitalize()}Policies", found, request, "AttachedPolicies")


def entities_for_policy(ctx: RequestContext, request: shapes.ListEntitiesForPolicyRequest) -> Answer:
    """The roles and users a policy is attached to (`PolicyUsageFilter=PermissionsPolicy`), has as
    their permissions boundary (`PermissionsBoundary`), or either (no filter: each entity once).
    trunkline keeps no groups."""
    wanted = request.get("EntityFilter")
    prefix = request.get("PathPrefix", "/")
    usage = request.get("PolicyUsageFilter")
    entities: dict[str, tuple[str, str, str, str]] = {}
    if usage != "PermissionsBoundary":
        for a in iam_policies.entities_for_policy(ctx, request["PolicyArn"]):
            entity = (a["EntityKind"], a["EntityName"], a["EntityId"], a["EntityPath"])
            entities[f"{a['EntityKind']}/{a['EntityName'].lower()}"] = entity
    else:
        iam_policies.get_policy(ctx, request["PolicyArn"])
    if usage != "PermissionsPolicy":
        for entity in iam_boundaries.bounded_entities(ctx, request["PolicyArn"]):
            entities[f"{entity[0]}/{entity[1].lower()}"] = entity
    found = sorted(
        (key, entity)
        for key, entity in entities.items()
        if entity[3].startswith(prefix) and wanted in (None, entity[0].capitalize())
    )
    chosen, marker = iam_policies.page(ctx, "iam:ListEntitiesForPolicy", found, request)
    users = [{"UserName": name, "UserId": unique} for kind, name, unique, _ in chosen if kind == "user"]
    roles = [{"RoleName": name, "RoleId": unique} for kind, name, unique, _ in chosen if kind == "role"]
    out: Answer = {"PolicyGroups": [], "PolicyUsers": users, "PolicyRoles": roles, "IsTruncated": marker is not None}
    if marker is not None:
        out["Marker"] = marker
    return out


def simulation(ctx: RequestContext, request: shapes.SimulatePrincipalPolicyRequest) -> Answer:
    results = iam_simulation.simulate_principal_policy(ctx, request)
    keyed = [(f"{n:06d}", r) for n, r in enumerate(results)]
    return _page(ctx, "iam:SimulatePrincipalPolicy", keyed, request, "EvaluationResults")


def custom_simulation(ctx: RequestContext, request: shapes.SimulateCustomPolicyRequest) -> Answer:
    results = iam_simulation.simulate_custom_policy(ctx, request)
    keyed = [(f"{n:06d}", r) for n, r in enumerate(results)]
    return _page(ctx, "iam:SimulateCustomPolicy", keyed, request, "EvaluationResults")
