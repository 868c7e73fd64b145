"""What every EC2 operation shares, handled once for all of them (`Ec2Provider.invoke` calls `invoke`):

- `DryRun`: EC2 answers whether the call would have been allowed and changes nothing: with
  `--enforce-iam` a denied call is refused before it gets here (the runtime authorizes every call
  first: `UnauthorizedOperation`); an allowed one answers `DryRunOperation` (HTTP 412). Checked
  after the request parsed and validated, before the operation looks at anything.
- `ClientToken` (an `idempotencyToken` in the model; SDKs fill it on their own): a repeat of the
  same request gets the first answer, a repeat with other parameters `IdempotentParameterMismatch`
  (`domain/ec2/client_tokens.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import client_tokens
from trunkline.errors import AwsError

Params = dict[str, Any]


def dry_run(params: Mapping[str, Any]) -> None:
    """EC2's DryRun: the caller may do this (trunkline has no IAM policy evaluation), so say so."""
    if params.get("DryRun"):
        raise AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)


def invoke(
    ctx: RequestContext, operation: str, params: Params, method: Callable[[RequestContext, Params], Params]
) -> Params:
    """Run one EC2 operation: DryRun first, then once per ClientToken."""
    dry_run(params)
    if params.get("ClientToken"):
        return client_tokens.once(ctx, operation, params, lambda: method(ctx, params))
    return method(ctx, params)
