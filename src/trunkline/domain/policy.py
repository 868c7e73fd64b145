"""IAM policy documents: the structural checks IAM applies before storing one."""

from __future__ import annotations

import json
from typing import Any

from trunkline.errors import AwsError

_VERSIONS = ("2012-10-17", "2008-10-17")


def _malformed(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocument", message)


def parse_policy(text: str, trust: bool = False) -> dict[str, Any]:
    """Parse and check a policy document; `trust` adds the rules for role trust policies."""
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
        _check_statement(statement, trust)
    return document


def _check_statement(statement: object, trust: bool) -> None:
    if not isinstance(statement, dict):
        raise _malformed("Syntax errors in policy.")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _malformed("Syntax errors in policy.")
    if "Action" not in statement and "NotAction" not in statement:
        raise _malformed("Policy statement must contain actions.")
    if trust:
        if "Resource" in statement or "NotResource" in statement:
            raise _malformed("Has prohibited field Resource")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise _malformed("Missing required field Principal")
    elif "Resource" not in statement and "NotResource" not in statement:
        raise _malformed("Policy statement must contain resources.")
