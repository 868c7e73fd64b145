"""EC2 idempotency: a request repeated with the same `ClientToken` gets the original response.

SDKs fill `ClientToken` on their own for RunInstances, CreateNetworkInterface and the trunk
calls, so a retried request must not launch or create twice. The first response is stored with a
fingerprint of the parameters; a repeat with different parameters is `IdempotentParameterMismatch`.
Tokens are per account, region and operation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2.kinds import CLIENT_TOKEN
from trunkline.errors import AwsError

KIND = CLIENT_TOKEN.name

Params = dict[str, Any]

_IGNORED = ("ClientToken", "DryRun")


def _fingerprint(params: Params) -> str:
    relevant = {k: v for k, v in params.items() if k not in _IGNORED}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


def once(ctx: RequestContext, operation: str, params: Params, work: Callable[[], Params]) -> Params:
    """Run `work` unless this token was seen for `operation`; then answer what it answered."""
    token = params.get("ClientToken")
    if not token:
        return work()
    seen = CLIENT_TOKEN.get(ctx, f"{operation}/{token}")
    fingerprint = _fingerprint(params)
    if seen is not None:
        if seen["fingerprint"] != fingerprint:
            raise AwsError(
                "IdempotentParameterMismatch",
                "The request uses the same client token as a previous, but non-identical request.",
            )
        result: Params = seen["result"]
        return result
    result = work()
    CLIENT_TOKEN.save(ctx, {"operation": operation, "token": token, "fingerprint": fingerprint, "result": result})
    return result
