"""IAM's policy simulator: would this user's or role's identity-based policies
(SimulatePrincipalPolicy), or these policy documents (SimulateCustomPolicy), allow these actions
on these resources?

The same evaluation `--enforce-iam` uses (`policy_evaluation.evaluate`), over the entity's inline
and attached managed policies plus any `PolicyInputList` documents, once per action and resource
(`*` when no resource is named). Each result says `allowed`, `explicitDeny` or `implicitDeny` and
lists, as `MatchedStatements`, the policies that decided it (the denying ones for a deny, else the
allowing ones), by name and type; statement positions are not computed (docs/decisions.md).
The entity's permissions boundary (or `PermissionsBoundaryPolicyInputList`, which replaces it)
caps the result as enforcement does, and the result then carries PermissionsBoundaryDecisionDetail.
Resource policies and Organizations do not take part: trunkline has none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import iam, iam_boundaries, iam_policies
from trunkline.domain.policy import parse_policy
from trunkline.domain.policy_evaluation import Caller, ContextValue, Decision, Request, evaluate
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
    return [(f"PolicyInputList.{n}", "none", parse_policy(text)) for n, text in enumerate(texts, start=1)]


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
    return ("PermissionsBoundaryPolicyInputList.1", "none", parse_policy(texts[0])) if texts else None


def _boundary(ctx: RequestContext, kind: str, name: str, texts: Sequence[str]) -> Named | None:
    """The boundary to simulate: the one given (it replaces the entity's), else the entity's."""
    return _given_boundary(texts) or iam_boundaries.named_boundary_document(ctx, kind, name)


def _result(policies: list[Named], boundary: Named | None, request: Request) -> Record:
    decisions = [(policy_id, kind, evaluate([document], request)) for policy_id, kind, document in policies]
    deciding: Decision = "ImplicitDeny"
    if any(d == "ExplicitDeny" for _, _, d in decisions):
        deciding = "ExplicitDeny"
    elif any(d == "Allow" for _, _, d in decisions):
        deciding = "Allow"
    matched = [
        {"SourcePolicyId": policy_id, "SourcePolicyType": kind}
        for policy_id, kind, decision in decisions
        if deciding != "ImplicitDeny" and decision == deciding
    ]
    result: Record = {"EvalActionName": request.action, "EvalResourceName": request.resource}
    if boundary is not None:
        capped = evaluate([boundary[2]], request)
        if deciding != "ExplicitDeny" and capped == "ExplicitDeny":
            deciding = "ExplicitDeny"
            matched = [{"SourcePolicyId": boundary[0], "SourcePolicyType": boundary[1]}]
        elif deciding == "Allow" and capped != "Allow":
            deciding, matched = "ImplicitDeny", []
        result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": capped == "Allow"}
    result.update(EvalDecision=_DECISION[deciding], MatchedStatements=matched, MissingContextValues=[])
    return result


def _results(
    policies: list[Named],
    boundary: Named | None,
    caller: Caller,
    params: shapes.SimulatePrincipalPolicyRequest | shapes.SimulateCustomPolicyRequest,
) -> list[Record]:
    """Every (action, resource) result, actions in the order given, each with every resource."""
    context = _context(params.get("ContextEntries") or [])
    resources = params.get("ResourceArns") or ["*"]
    return [
        _result(policies, boundary, Request(caller=caller, action=action, resource=resource, context=context))
        for action in params["ActionNames"]
        for resource in resources
    ]


def simulate_principal_policy(ctx: RequestContext, params: shapes.SimulatePrincipalPolicyRequest) -> list[Record]:
    source = str(params["PolicySourceArn"])
    kind, name, caller = _entity(ctx, source)
    policies = iam_policies.named_identity_documents(ctx, kind, name)
    policies += _input_documents(params.get("PolicyInputList") or [])
    boundary = _boundary(ctx, kind, name, params.get("PermissionsBoundaryPolicyInputList") or [])
    return _results(policies, boundary, caller, params)


#: SimulateCustomPolicy inputs trunkline cannot simulate: refused rather than ignored, since
#: ignoring them would answer a question the caller did not ask (docs/decisions.md).
_UNSIMULATED = {"ResourcePolicy": "resource-based policies", "OrderedOrganizationPolicyInputList": "SCPs"}


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
    boundary in `PermissionsBoundaryPolicyInputList` as SimulatePrincipalPolicy caps by one."""
    for member, what in _UNSIMULATED.items():
        if params.get(member):
            raise AwsError("InvalidInput", f"trunkline does not simulate {what} ({member}) yet.")
    caller = _custom_caller(ctx, params.get("CallerArn"))
    policies = _input_documents(params["PolicyInputList"])
    boundary = _given_boundary(params.get("PermissionsBoundaryPolicyInputList") or [])
    return _results(policies, boundary, caller, params)
