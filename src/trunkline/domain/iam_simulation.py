"""IAM's policy simulator: would this user's or role's identity-based policies
(SimulatePrincipalPolicy), or these policy documents (SimulateCustomPolicy), allow these actions
on these resources?

The same evaluation `--enforce-iam` uses (`policy_evaluation`), over the entity's inline and
attached managed policies plus any `PolicyInputList` documents, once per action and resource (`*`
when no resource is named). Each result says `allowed`, `explicitDeny` or `implicitDeny` and lists,
as `MatchedStatements`, the policies that decided it (the denying ones for a deny, else the
allowing ones), by name and type; statement positions are not computed (docs/decisions.md).
The entity's permissions boundary (or `PermissionsBoundaryPolicyInputList`, which replaces it)
caps the result as enforcement does, and the result then carries PermissionsBoundaryDecisionDetail.
`ResourcePolicy` is treated as attached to every simulated resource, its Principal matched against
`CallerArn`: within one account it can allow on its own, across accounts (the resource's ARN, or
`ResourceOwner`, names another account) both it and the identity policies must allow, and
`EvalDecisionDetails` then gives each side's decision. SCPs are refused, not ignored."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import iam, iam_boundaries, iam_policies
from trunkline.domain.policy import parse_policy
from trunkline.domain.policy_evaluation import (
    Caller,
    ContextValue,
    Decision,
    Request,
    ResourceGrant,
    evaluate,
    resource_policy_grant,
)
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes

Record = dict[str, Any]

_DECISION: dict[Decision, str] = {"Allow": "allowed", "ExplicitDeny": "explicitDeny", "ImplicitDeny": "implicitDeny"}


def _entity(ctx: RequestContext, arn: str) -> tuple[str, str, Caller]:
    """(kind, name, caller) of the user or role `arn` names; IAM's errors for anything else."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "iam" or "/" not in parts[5]:
        raise AwsError("InvalidInput", f"Invalid Entity Arn: {arn}")
    kind, name = parts[5].split("/", 1)[0], parts[5].rsplit("/", 1)[-1]
    if kind == "role":
        role = iam.role_by_arn(ctx, arn)
        if role is None:
            raise AwsError("NoSuchEntity", f"The role with name {name} cannot be found.", 404)
        return "role", role["RoleName"], Caller(arn=role["Arn"], account=ctx.account_id, role_arn=role["Arn"])
    if kind == "user":
        user = iam.get_user(ctx, name)
        if user["Arn"] != arn:
            raise AwsError("NoSuchEntity", f"The user with name {name} cannot be found.", 404)
        return "user", user["UserName"], Caller(arn=user["Arn"], account=ctx.account_id)
    if kind == "group":  # trunkline keeps no groups, so no group ARN can name one
        raise AwsError("NoSuchEntity", f"The group with name {name} cannot be found.", 404)
    raise AwsError("InvalidInput", f"Invalid Entity Arn: {arn}")


def _input_documents(texts: Sequence[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """`PolicyInputList`, checked as CreatePolicy checks a document (its MalformedPolicyDocument)."""
    return [
        (f"PolicyInputList.{n}", iam_policies.IDENTITY_SOURCE, parse_policy(text))
        for n, text in enumerate(texts, start=1)
    ]


def _context(entries: Sequence[Mapping[str, Any]]) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {}
    for entry in entries:
        values = [str(v) for v in entry.get("ContextKeyValues") or []]
        if entry.get("ContextKeyName"):
            single = not str(entry.get("ContextKeyType", "string")).endswith("List")
            context[entry["ContextKeyName"]] = values[0] if single and len(values) == 1 else values
    return context


Named = tuple[str, str, dict[str, Any]]  # (SourcePolicyId, SourcePolicyType, document)


def _given_boundary(texts: Sequence[str]) -> Named | None:
    """`PermissionsBoundaryPolicyInputList`: at most one document."""
    if len(texts) > 1:
        raise AwsError("InvalidInput", "Only one permissions boundary policy may be simulated at a time.")
    if not texts:
        return None
    return ("PermissionsBoundaryPolicyInputList.1", iam_boundaries.BOUNDARY_SOURCE, parse_policy(texts[0]))


def _boundary(ctx: RequestContext, kind: str, name: str, texts: Sequence[str]) -> Named | None:
    """The boundary to simulate: the one given (it replaces the entity's), else the entity's."""
    return _given_boundary(texts) or iam_boundaries.named_boundary_document(ctx, kind, name)


@dataclass(frozen=True)
class Scenario:
    """What one simulation evaluates: the identity policies, the boundary, the resource policy
    (`ResourcePolicy`), the caller, and the account owning resources whose ARN names none."""

    policies: list[Named]
    boundary: Named | None
    resource_policy: dict[str, Any] | None
    caller: Caller
    owner: str


#: How MatchedStatements names the `ResourcePolicy` document (SourcePolicyId, SourcePolicyType), as
#: AWS answers it (observed output: not the model's `resource` enum value; docs/decisions.md).
RESOURCE_POLICY = ("ResourcePolicy", "Resource Policy")


def _named(policy_id: str, kind: str) -> Record:
    return {"SourcePolicyId": policy_id, "SourcePolicyType": kind}


@dataclass(frozen=True)
class Sides:
    """Each kind of policy's say on one request: the identity policies (within the boundary), the
    policies whose Deny applies, the identity policies that allow, the boundary's own decision
    (None without one) and the resource policy's grant (None without one)."""

    identity: Decision
    denying: list[Record]
    allowing: list[Record]
    capped: Decision | None
    grant: ResourceGrant | None

    @property
    def resource(self) -> Decision:
        """The resource policy's own decision (ImplicitDeny without one)."""
        if self.grant is not None and self.grant.denies:
            return "ExplicitDeny"
        return "Allow" if self.grant is not None and self.grant.reach != "none" else "ImplicitDeny"


def _sides(scenario: Scenario, request: Request) -> Sides:
    decisions = [(policy_id, kind, evaluate([document], request)) for policy_id, kind, document in scenario.policies]
    denying = [_named(i, k) for i, k, d in decisions if d == "ExplicitDeny"]
    allowing = [_named(i, k) for i, k, d in decisions if d == "Allow"]
    capped = None if scenario.boundary is None else evaluate([scenario.boundary[2]], request)
    identity: Decision = "ExplicitDeny" if denying else "Allow" if allowing else "ImplicitDeny"
    if identity == "Allow" and capped not in (None, "Allow"):
        identity = "ImplicitDeny"  # the boundary caps the identity policies
    grant = None if scenario.resource_policy is None else resource_policy_grant(scenario.resource_policy, request)
    if grant is not None and grant.denies:
        denying.append(_named(*RESOURCE_POLICY))
    if scenario.boundary is not None and capped == "ExplicitDeny":
        denying.append(_named(scenario.boundary[0], scenario.boundary[1]))
    return Sides(identity, denying, allowing, capped, grant)


def _decide(sides: Sides, cross: bool) -> tuple[Decision, list[Record]]:
    """The IAM User Guide's order: any Deny (identity, resource or boundary policy) denies; across
    accounts both the identity and the resource policy must allow; within one account a resource
    policy naming the caller allows on its own (a boundary caps it only when it names the caller's
    role rather than the caller), else the identity policies must allow within the boundary."""
    resource_policy = [_named(*RESOURCE_POLICY)]
    allowing = sides.allowing if sides.identity == "Allow" else []
    if sides.denying:
        return "ExplicitDeny", sides.denying
    if cross:
        both = sides.identity == "Allow" and sides.resource == "Allow"
        return ("Allow", allowing + resource_policy) if both else ("ImplicitDeny", [])
    grant = sides.grant
    if grant is not None and grant.reach == "direct" and (grant.itself or sides.capped in (None, "Allow")):
        return "Allow", resource_policy + allowing
    return ("Allow", allowing) if allowing else ("ImplicitDeny", [])


def _owner_of(resource: str, default: str) -> str:
    """The account a resource belongs to: its ARN's account field, else the scenario's owner."""
    parts = resource.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4] else default


def _result(scenario: Scenario, request: Request) -> Record:
    """One action on one resource (a simulation is cross-account only with a resource policy)."""
    sides = _sides(scenario, request)
    cross = sides.grant is not None and _owner_of(request.resource, scenario.owner) != scenario.caller.account
    deciding, matched = _decide(sides, cross)
    result: Record = {"EvalActionName": request.action, "EvalResourceName": request.resource}
    result.update(EvalDecision=_DECISION[deciding], MatchedStatements=matched, MissingContextValues=[])
    if sides.capped is not None:
        result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": sides.capped == "Allow"}
    if cross:  # each side's decision, as the API reference describes it for cross-account simulations
        result["EvalDecisionDetails"] = {
            "IAM Policy": _DECISION[sides.identity],
            "Resource Policy": _DECISION[sides.resource],
        }
    elif request.resource != "*":  # same account, a named resource: present and empty
        result["EvalDecisionDetails"] = {}
    return result


def _results(
    scenario: Scenario, params: shapes.SimulatePrincipalPolicyRequest | shapes.SimulateCustomPolicyRequest
) -> list[Record]:
    """Every (action, resource) result, actions in the order given, each with every resource."""
    context = _context(params.get("ContextEntries") or [])
    resources = params.get("ResourceArns") or ["*"]
    return [
        _result(scenario, Request(caller=scenario.caller, action=action, resource=resource, context=context))
        for action in params["ActionNames"]
        for resource in resources
    ]


def _resource_policy(text: str | None) -> dict[str, Any] | None:
    """`ResourcePolicy`: a resource-based policy, checked as IAM checks one (it names principals)."""
    return None if text is None else parse_policy(text, resource=True)


_ACCOUNT_ROOT = re.compile(r"arn:aws:iam::(\d{12}):root")


def _owner(arn: str | None, caller: Caller) -> str:
    """`ResourceOwner` (an account id, or `arn:aws:iam::<id>:root`); without it the caller's account."""
    if arn is None:
        return caller.account
    if arn.isdigit() and len(arn) == 12:
        return arn
    root = _ACCOUNT_ROOT.fullmatch(arn)
    if root is None:
        raise AwsError("InvalidInput", f"Invalid ResourceOwner: {arn}")
    return root.group(1)


def simulate_principal_policy(ctx: RequestContext, params: shapes.SimulatePrincipalPolicyRequest) -> list[Record]:
    """SimulatePrincipalPolicy: the entity's policies plus `PolicyInputList`, as `CallerArn` (by
    default the entity itself), with `ResourcePolicy` attached to every simulated resource."""
    source = str(params["PolicySourceArn"])
    kind, name, caller = _entity(ctx, source)
    if params.get("CallerArn") is not None:
        caller = _custom_caller(ctx, params["CallerArn"])
    _refuse_organizations(params)
    policies = iam_policies.named_identity_documents(ctx, kind, name)
    policies += _input_documents(params.get("PolicyInputList") or [])
    boundary = _boundary(ctx, kind, name, params.get("PermissionsBoundaryPolicyInputList") or [])
    resource_policy = _resource_policy(params.get("ResourcePolicy"))
    owner = _owner(params.get("ResourceOwner"), caller)
    return _results(Scenario(policies, boundary, resource_policy, caller, owner), params)


def _refuse_organizations(params: shapes.SimulatePrincipalPolicyRequest | shapes.SimulateCustomPolicyRequest) -> None:
    """SCPs are refused rather than ignored: ignoring them would answer a question the caller did
    not ask (docs/decisions.md)."""
    given: Mapping[str, Any] = params
    if given.get("OrderedOrganizationPolicyInputList"):
        raise AwsError("InvalidInput", "trunkline does not simulate SCPs (OrderedOrganizationPolicyInputList) yet.")


def _custom_caller(ctx: RequestContext, arn: str | None) -> Caller:
    """`CallerArn`: a user, group or role (not a session, federated user or service, as the API
    reference says); without one, a caller of the account that no policy names (only resource
    policies would look)."""
    if arn is None:
        return Caller(arn="", account=ctx.account_id)
    parts = arn.split(":", 5)
    if (
        len(parts) < 6
        or parts[0] != "arn"
        or parts[2] != "iam"
        or parts[5].split("/", 1)[0] not in ("user", "group", "role")
    ):
        raise AwsError("InvalidInput", f"Invalid Entity Arn: {arn}")
    return Caller(arn=arn, account=parts[4], role_arn=arn if parts[5].startswith("role/") else None)


def simulate_custom_policy(ctx: RequestContext, params: shapes.SimulateCustomPolicyRequest) -> list[Record]:
    """SimulateCustomPolicy: the given documents only (no entity's policies), capped by the
    boundary in `PermissionsBoundaryPolicyInputList` as SimulatePrincipalPolicy caps by one, with
    `ResourcePolicy` attached to every simulated resource (which needs a `CallerArn`)."""
    _refuse_organizations(params)
    if params.get("ResourcePolicy") is not None and params.get("CallerArn") is None:
        raise AwsError("InvalidInput", "CallerArn is required when a ResourcePolicy is simulated.")
    caller = _custom_caller(ctx, params.get("CallerArn"))
    policies = _input_documents(params["PolicyInputList"])
    boundary = _given_boundary(params.get("PermissionsBoundaryPolicyInputList") or [])
    resource_policy = _resource_policy(params.get("ResourcePolicy"))
    owner = _owner(params.get("ResourceOwner"), caller)
    return _results(Scenario(policies, boundary, resource_policy, caller, owner), params)
