"""IAM policy documents: the structural checks IAM applies before storing one."""

from __future__ import annotations

import json
import re
from typing import Any

from trunkline.domain.policy_evaluation import OPERATORS, split_operator
from trunkline.errors import AwsError

_VERSIONS = ("2012-10-17", "2008-10-17")


def _malformed(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocument", message)


def parse_policy(text: str, trust: bool = False, resource: bool = False) -> dict[str, Any]:
    """Parse and check a policy document; `trust` adds the rules for role trust policies,
    `resource` those for other resource-based policies (a principal, and resources optional)."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # deep nesting fits within the size limit; still not a policy
        raise _malformed("This policy contains invalid Json") from None
    if not isinstance(document, dict):
        raise _malformed("This policy contains invalid Json")
    version = document.get("Version")
    if version is not None and version not in _VERSIONS:
        raise _malformed("The policy failed legacy parsing")
    statements = document.get("Statement")
    if statements is None:
        raise _malformed("Syntax errors in policy.")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _malformed("Syntax errors in policy.")
    for statement in statements:
        _check_statement(statement, trust, resource)
    return document


_STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"}
)
_PRINCIPAL_KINDS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_SID = re.compile(r"[0-9A-Za-z]*")


def _strings(value: object) -> list[str] | None:
    """A policy element that is a string or a non-empty list of strings, as a list; else None."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def _check_statement(statement: object, trust: bool, resource: bool) -> None:
    if not isinstance(statement, dict) or not set(statement) <= _STATEMENT_KEYS:
        raise _malformed("Syntax errors in policy.")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _malformed("Syntax errors in policy.")
    if "Action" not in statement and "NotAction" not in statement:
        raise _malformed("Policy statement must contain actions.")
    if ("Action" in statement) == ("NotAction" in statement):
        raise _malformed("Syntax errors in policy.")
    if trust or resource:
        if trust and ("Resource" in statement or "NotResource" in statement):
            raise _malformed("Has prohibited field Resource")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise _malformed("Missing required field Principal")
        if "Resource" in statement and "NotResource" in statement:
            raise _malformed("Syntax errors in policy.")
    else:
        if "Principal" in statement or "NotPrincipal" in statement:
            raise _malformed("Policy document should not specify a principal.")
        if "Resource" not in statement and "NotResource" not in statement:
            raise _malformed("Policy statement must contain resources.")
        if ("Resource" in statement) == ("NotResource" in statement):
            raise _malformed("Syntax errors in policy.")
    _check_sid(statement.get("Sid"), trust or resource)
    _check_actions(statement.get("Action", statement.get("NotAction")))
    if trust and not all(a == "*" or a.lower().startswith("sts:") for a in _strings(statement.get("Action")) or []):
        raise _malformed("AssumeRole policy may only specify STS AssumeRole actions.")
    if "Resource" in statement or "NotResource" in statement:
        _check_resources(statement.get("Resource", statement.get("NotResource")))
    if trust or resource:
        _check_principal(statement.get("Principal", statement.get("NotPrincipal")))
    _check_condition(statement.get("Condition"))


def _check_sid(sid: object, trust: bool) -> None:
    if sid is None:
        return
    if not isinstance(sid, str):
        raise _malformed("Syntax errors in policy.")
    # Identity policies allow only letters and digits; trust policies (resource-based) allow more.
    if not trust and not _SID.fullmatch(sid):
        raise _malformed(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
        )


def _check_actions(value: object) -> None:
    actions = _strings(value)
    if actions is None:
        raise _malformed("Syntax errors in policy.")
    for action in actions:
        if action == "*":
            continue
        vendor, colon, name = action.partition(":")
        if not colon or not vendor or not name:
            raise _malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
        if ":" in name:
            raise _malformed("Actions/Condition can contain only one colon.")
        if "*" in vendor or "?" in vendor:
            raise _malformed("Action vendors (e.g., aws, ec2, etc.) must not contain wildcards")


def _check_resources(value: object) -> None:
    resources = _strings(value)
    if resources is None:
        raise _malformed("Syntax errors in policy.")
    for resource in resources:
        if resource != "*" and not (resource.startswith("arn:") and resource.count(":") >= 3):
            raise _malformed(f'Resource {resource} must be in ARN format or "*".')


def _check_principal(value: object) -> None:
    if value == "*":
        return
    if not isinstance(value, dict) or not value or not set(value) <= _PRINCIPAL_KINDS:
        raise _malformed("Syntax errors in policy.")
    for kind, names in value.items():
        listed = _strings(names)
        if listed is None:
            raise _malformed("Syntax errors in policy.")
        for name in listed:
            if kind == "AWS" and not _valid_aws_principal(name):
                raise _malformed(f'Invalid principal in policy: "AWS":"{name}"')


def aws_principals(document: dict[str, Any]) -> list[str]:
    """The `AWS` principals a (checked) trust policy names, in Principal and NotPrincipal."""
    statements = document["Statement"]
    found: list[str] = []
    for statement in [statements] if isinstance(statements, dict) else statements:
        principal = statement.get("Principal", statement.get("NotPrincipal"))
        if isinstance(principal, dict):
            found.extend(_strings(principal.get("AWS")) or [])
    return found


def _valid_aws_principal(name: str) -> bool:
    """`*`, an account id, or an IAM/STS ARN, without partial wildcards (IAM refuses those)."""
    if name == "*":
        return True
    if name.isdigit() and len(name) == 12:
        return True
    parts = name.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and parts[2] in ("iam", "sts") and "*" not in name and "?" not in name


def _check_condition(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise _malformed("Syntax errors in policy.")
    for operator, keys in value.items():
        _, base, _ = split_operator(operator)
        if base not in OPERATORS:
            raise _malformed(f"Invalid Condition type : {operator}")
        if not isinstance(keys, dict):
            raise _malformed("Syntax errors in policy.")
        for key, values in keys.items():
            if ":" not in key:
                raise _malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
            if not isinstance(values, (str, bool, int, float, list)):
                raise _malformed("Syntax errors in policy.")
