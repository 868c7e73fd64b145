"""IAM policy evaluation: pure functions from policies and a request to Allow, ExplicitDeny or
ImplicitDeny, as the IAM User Guide's evaluation logic describes it (within one account, no SCPs
or session policies).

- An applicable Deny anywhere wins; else an applicable Allow; else the default (implicit) deny.
- A permissions boundary caps identity-based grants: an action must be allowed by both. It does
  not cap a trust policy that names the caller itself (a resource-based grant), but its Deny does.
- A statement applies when its action part, resource part (or, in a trust policy, its principal)
  and its whole Condition block match. An unmet condition makes a statement not apply; it never
  turns an Allow into a Deny.
- Actions compare case-insensitively, resource ARNs case-sensitively; `*` is any run of
  characters, `?` exactly one.
- Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`) are substituted only
  in documents with Version 2012-10-17; an unresolved variable matches nothing.
- `sts:AssumeRole` also needs the role's trust policy to allow the caller; a trust policy that
  only trusts the account delegates to the account, so the caller then needs an identity Allow too.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

Decision = Literal["Allow", "ExplicitDeny", "ImplicitDeny"]
ContextValue = str | list[str]

_VARIABLES_VERSION = "2012-10-17"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Caller:
    """Who makes the request, as far as principal matching needs to know."""

    arn: str  # user ARN, role-session ARN, `arn:aws:iam::<acct>:root`, or a service principal name
    account: str
    role_arn: str | None = None  # the role behind a role session
    service: str | None = None  # e.g. "ec2.amazonaws.com" when a service assumes a role

    @property
    def is_root(self) -> bool:
        return self.service is None and self.arn == f"arn:aws:iam::{self.account}:root"

    @staticmethod
    def from_arn(arn: str) -> Caller:
        """A caller from its ARN alone (users, root, and role sessions, whose role ARN is derived)."""
        parts = arn.split(":", 5)
        if len(parts) < 6:
            return Caller(arn=arn, account="", service=arn)
        account, resource = parts[4], parts[5]
        role_arn = None
        if parts[2] == "sts" and resource.startswith("assumed-role/"):
            role_arn = f"arn:aws:iam::{account}:role/{resource.split('/')[1]}"
        return Caller(arn=arn, account=account, role_arn=role_arn)


@dataclass(frozen=True)
class Request:
    """One authorization question: may `caller` do `action` on `resource`, given `context`?"""

    caller: Caller
    action: str
    resource: str = "*"
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def key(self, name: str) -> list[str] | None:
        """The values of a context key (names compare case-insensitively), or None when absent."""
        value = _lowered(self.context).get(name.lower())
        if value is None:
            return None
        return list(value) if isinstance(value, list) else [value]


def _lowered(context: Mapping[str, ContextValue]) -> dict[str, ContextValue]:
    return {k.lower(): v for k, v in context.items()}


def _statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement") or []
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- patterns ------------------------------------------------------------------------------------


def _resolve(name: str, request: Request) -> str | None:
    """The value of `${name}` (with an optional `, 'default'`), or None when it cannot resolve."""
    if name in ("*", "?", "$"):
        return name
    key, sep, default = name.partition(",")
    values = request.key(key.strip())
    if values is not None and len(values) == 1:
        return values[0]
    default = default.strip()
    if sep and len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    return None


def _pattern(text: str, request: Request, variables: bool, ignore_case: bool) -> re.Pattern[str] | None:
    """A glob (`*`, `?`) as an anchored regex, variables substituted as literal text; None when a
    variable does not resolve (then the pattern matches nothing)."""
    if not variables or "${" not in text:
        return _glob(text, ignore_case)
    out: list[str] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        out.append(_glob_source(text[position : match.start()]))
        value = _resolve(match.group(1), request)
        if value is None:
            return None
        out.append(re.escape(value))
        position = match.end()
    out.append(_glob_source(text[position:]))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _glob_source(text: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


@lru_cache(maxsize=4096)
def _glob(text: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(_glob_source(text), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _substitute(text: str, request: Request, variables: bool) -> str | None:
    """A condition value with its variables substituted; None when one does not resolve."""
    if not variables or "${" not in text:
        return text
    out: list[str] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        value = _resolve(match.group(1), request)
        if value is None:
            return None
        out.extend((text[position : match.start()], value))
        position = match.end()
    out.append(text[position:])
    return "".join(out)


# --- actions and resources -----------------------------------------------------------------------


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(_glob(str(p), True).fullmatch(action) for p in _as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(_glob(str(p), True).fullmatch(action) for p in _as_list(statement["NotAction"]))
    return False


def _resource_matches(statement: Mapping[str, Any], request: Request, variables: bool) -> bool:
    def any_match(patterns: Any) -> bool:
        for text in _as_list(patterns):
            compiled = _pattern(str(text), request, variables, ignore_case=False)
            if compiled is not None and compiled.fullmatch(request.resource):
                return True
        return False

    if "Resource" in statement:
        return any_match(statement["Resource"])
    if "NotResource" in statement:
        return not any_match(statement["NotResource"])
    return True  # trust policies have no resource: the role they belong to is the resource


# --- conditions ----------------------------------------------------------------------------------

_NEGATED = {
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "NumericNotEquals",
    "DateNotEquals",
    "NotIpAddress",
    "ArnNotEquals",
    "ArnNotLike",
}
_POSITIVE_OF = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_VARIABLE_OPERATORS = ("String", "Arn", "Bool")

OPERATORS = frozenset(
    {
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "NumericEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "ArnEquals",
        "ArnLike",
        "Null",
        *_NEGATED,
    }
)


def split_operator(name: str) -> tuple[str | None, str, bool]:
    """`ForAnyValue:StringLikeIfExists` -> ("ForAnyValue", "StringLike", True)."""
    qualifier = None
    if ":" in name:
        qualifier, name = name.split(":", 1)
    if_exists = name.endswith("IfExists") and name != "IfExists"
    if if_exists:
        name = name[: -len("IfExists")]
    return qualifier, name, if_exists


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> float | None:
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _compare(operator: str, actual: str, expected: str) -> bool:
    """One request value against one policy value, for a positive (non-negated) operator."""
    if operator == "StringEquals":
        return actual == expected
    if operator == "StringEqualsIgnoreCase":
        return actual.lower() == expected.lower()
    if operator in ("StringLike", "ArnLike", "ArnEquals"):
        return _glob(expected, False).fullmatch(actual) is not None
    if operator == "Bool":
        return actual.lower() == expected.lower()
    if operator == "BinaryEquals":
        return actual == expected
    if operator == "IpAddress":
        try:
            return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
        except ValueError:
            return False
    convert = _number if operator.startswith("Numeric") else _date
    left, right = convert(actual), convert(expected)
    if left is None or right is None:
        return False
    test = operator.removeprefix("Numeric").removeprefix("Date")
    return {
        "Equals": left == right,
        "LessThan": left < right,
        "LessThanEquals": left <= right,
        "GreaterThan": left > right,
        "GreaterThanEquals": left >= right,
    }.get(test, False)


def _value_matches(operator: str, actual: str, expected: list[str]) -> bool:
    """Whether one request value satisfies the operator against the policy's values (OR for a
    positive operator, NOR for a negated one)."""
    if operator in _NEGATED:
        return not any(_compare(_POSITIVE_OF[operator], actual, e) for e in expected)
    return any(_compare(operator, actual, e) for e in expected)


def _condition_holds(operator_name: str, key: str, raw: Any, request: Request, variables: bool) -> bool:
    qualifier, operator, if_exists = split_operator(operator_name)
    actual = request.key(key)
    if operator == "Null":
        wanted_absent = str(_as_list(raw)[0]).lower() == "true"
        return (actual is None) == wanted_absent
    if operator not in OPERATORS:
        return False
    substitute = variables and operator.startswith(_VARIABLE_OPERATORS)
    expected = [
        v
        for v in (
            _substitute(str(x).lower() if isinstance(x, bool) else str(x), request, substitute) for x in _as_list(raw)
        )
        if v is not None
    ]
    if qualifier == "ForAllValues":
        return actual is None or all(_value_matches(operator, a, expected) for a in actual)
    if qualifier == "ForAnyValue":
        return actual is not None and any(_value_matches(operator, a, expected) for a in actual)
    if actual is None:
        return if_exists or operator in _NEGATED
    if operator in _NEGATED:
        return all(_value_matches(operator, a, expected) for a in actual)
    return any(_value_matches(operator, a, expected) for a in actual)


def _conditions_hold(statement: Mapping[str, Any], request: Request, variables: bool) -> bool:
    block = statement.get("Condition") or {}
    if not isinstance(block, dict):
        return False
    for operator, keys in block.items():
        if not isinstance(keys, dict):
            return False
        for key, raw in keys.items():
            if not _condition_holds(operator, key, raw, request, variables):
                return False
    return True


# --- principals (trust policies) ----------------------------------------------------------------

Reach = Literal["none", "account", "direct"]


def _principal_reach(principal: Any, caller: Caller) -> Reach:
    """How a Principal element names the caller: not at all, through its account, or directly."""
    if principal == "*":
        return "direct"
    if not isinstance(principal, dict):
        return "none"
    best: Reach = "none"
    for kind, values in principal.items():
        for value in _as_list(values):
            reach = _one_principal(kind, str(value), caller)
            if reach == "direct":
                return reach
            if reach == "account":
                best = reach
    return best


def _one_principal(kind: str, value: str, caller: Caller) -> Reach:
    if kind == "Service":
        return "direct" if caller.service == value else "none"
    if kind != "AWS" or caller.service is not None:
        return "none"
    if value == "*":
        return "direct"
    if value in (caller.account, f"arn:aws:iam::{caller.account}:root"):
        return "account"
    if value == caller.arn:
        return "direct"
    if caller.role_arn is not None and _same_role(value, caller.role_arn):
        return "direct"
    return "none"


def _same_role(value: str, role_arn: str) -> bool:
    """A role ARN in a trust policy matches sessions of that role. Role names are unique within an
    account, so the account and the name decide (a session ARN carries no path)."""
    prefix, _, rest = value.partition(":role/")
    other_prefix, _, other_rest = role_arn.partition(":role/")
    return bool(rest) and prefix == other_prefix and rest.rsplit("/", 1)[-1] == other_rest.rsplit("/", 1)[-1]


def _names_itself(statement: Mapping[str, Any], caller: Caller) -> bool:
    """Whether an Allow's Principal names the caller itself (its own ARN, or `*`) rather than only
    its role: a grant a permissions boundary does not cap. A role's own ARN is "only its role"
    (the policy simulator's caller can be a role itself, not one of its sessions)."""
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    own = caller.arn if caller.arn != caller.role_arn else "*"
    return any(str(v) in ("*", own) for v in _as_list(principal.get("AWS", [])))


def _principal_matches(statement: Mapping[str, Any], caller: Caller) -> Reach:
    if "Principal" in statement:
        return _principal_reach(statement["Principal"], caller)
    if "NotPrincipal" in statement:
        return "none" if _principal_reach(statement["NotPrincipal"], caller) != "none" else "direct"
    return "none"


@dataclass(frozen=True)
class ResourceGrant:
    """What a resource-based policy says about one request: whether an applicable Deny names the
    caller, how its applicable Allows reach the caller (`_principal_reach`), and whether one of
    them names the caller itself (not capped by a permissions boundary)."""

    denies: bool
    reach: Reach
    itself: bool


def resource_policy_grant(document: Mapping[str, Any], request: Request) -> ResourceGrant:
    """Evaluate a resource-based policy (Principal, and Resource when present) for `request`."""
    variables = document.get("Version") == _VARIABLES_VERSION
    denies, itself = False, False
    reach: Reach = "none"
    for statement in _statements(document):
        matched = _principal_matches(statement, request.caller)
        if matched == "none" or not _applies(statement, request, variables):
            continue
        if statement.get("Effect") == "Deny":
            denies = True
        elif statement.get("Effect") == "Allow" and (reach == "none" or matched == "direct"):
            reach = matched
            itself = itself or (matched == "direct" and _names_itself(statement, request.caller))
    return ResourceGrant(denies=denies, reach=reach, itself=itself)


# --- decisions -----------------------------------------------------------------------------------


def _applies(statement: Mapping[str, Any], request: Request, variables: bool) -> bool:
    return (
        _action_matches(statement, request.action)
        and _resource_matches(statement, request, variables)
        and _conditions_hold(statement, request, variables)
    )


def _matching(documents: Iterable[Mapping[str, Any]], request: Request) -> Iterable[tuple[str, Mapping[str, Any]]]:
    for document in documents:
        variables = document.get("Version") == _VARIABLES_VERSION
        for statement in _statements(document):
            if _applies(statement, request, variables):
                yield statement.get("Effect", ""), statement


def evaluate(
    identity_policies: Sequence[Mapping[str, Any]], request: Request, boundary: Mapping[str, Any] | None = None
) -> Decision:
    """The decision for an identity-based request (no trust policy involved)."""
    return evaluate_detailed(identity_policies, request, boundary)[0]


def evaluate_detailed(
    identity_policies: Sequence[Mapping[str, Any]], request: Request, boundary: Mapping[str, Any] | None = None
) -> tuple[Decision, str]:
    """The decision and the kind of policy that decided it, as AWS's denial names it
    (`identity-based` or `permissions boundary`). `boundary`: the principal's permissions
    boundary, None when it has none. In the User Guide's order: a Deny in any policy denies;
    then the identity-based policies must allow; then the boundary must allow too (it caps the
    identity grant, it grants nothing itself)."""
    if request.caller.is_root:
        return "Allow", "identity-based"  # the root user is not subject to identity policies (no SCPs here)
    if request.action.lower() == "sts:getcalleridentity":
        return "Allow", "identity-based"  # needs no permission, and works even under an explicit Deny
    effects = [effect for effect, _ in _matching(identity_policies, request)]
    capped = None if boundary is None else [effect for effect, _ in _matching([boundary], request)]
    if "Deny" in effects:
        return "ExplicitDeny", "identity-based"
    if capped is not None and "Deny" in capped:
        return "ExplicitDeny", "permissions boundary"
    if "Allow" not in effects:
        return "ImplicitDeny", "identity-based"
    if capped is not None and "Allow" not in capped:
        return "ImplicitDeny", "permissions boundary"
    return "Allow", "identity-based"


def evaluate_assume_role(
    trust_policy: Mapping[str, Any], identity_policies: Sequence[Mapping[str, Any]], request: Request
) -> Decision:
    """`sts:AssumeRole` (or another action a trust policy governs): the trust policy must allow the
    caller, and when it trusts only the caller's account, the caller's identity policies must too."""
    return evaluate_assume_role_detailed(trust_policy, identity_policies, request)[0]


def evaluate_assume_role_detailed(
    trust_policy: Mapping[str, Any],
    identity_policies: Sequence[Mapping[str, Any]],
    request: Request,
    boundary: Mapping[str, Any] | None = None,
) -> tuple[Decision, str]:
    """The decision and the kind of policy that decided it (`resource-based` for the trust policy,
    `identity-based` for the caller's own, `permissions boundary` for the caller's boundary), as
    AWS's denial message names it. The boundary caps the identity-based half, and a grant to a
    role session through its role's ARN; a trust policy naming the caller itself (its user or
    session ARN, or everyone) is not capped by it, but never allows past the boundary's Deny
    (IAM User Guide, identity-based policies with resource-based policies)."""
    caller = request.caller
    identity = [] if caller.is_root or caller.service else identity_policies
    if caller.is_root or caller.service:
        boundary = None
    variables = trust_policy.get("Version") == _VARIABLES_VERSION
    reach: Reach = "none"
    itself = False  # a direct Allow names the caller itself, not only its role
    for statement in _statements(trust_policy):
        matched = _principal_matches(statement, caller)
        if matched == "none" or not _applies(statement, request, variables):
            continue
        if statement.get("Effect") == "Deny":
            return "ExplicitDeny", "resource-based"
        if statement.get("Effect") == "Allow" and (reach == "none" or matched == "direct"):
            reach = matched
            itself = itself or (matched == "direct" and _names_itself(statement, caller))
    identity_effects = [effect for effect, _ in _matching(identity, request)]
    if "Deny" in identity_effects:
        return "ExplicitDeny", "identity-based"
    capped = None if boundary is None else [effect for effect, _ in _matching([boundary], request)]
    if capped is not None and "Deny" in capped:
        return "ExplicitDeny", "permissions boundary"
    if reach == "direct":
        if not itself and capped is not None and "Allow" not in capped:
            return "ImplicitDeny", "permissions boundary"
        return "Allow", "resource-based"
    if reach == "account":
        if not caller.is_root and "Allow" not in identity_effects:
            return "ImplicitDeny", "identity-based"
        if capped is not None and "Allow" not in capped:
            return "ImplicitDeny", "permissions boundary"
        return "Allow", "identity-based"
    return "ImplicitDeny", "resource-based"
