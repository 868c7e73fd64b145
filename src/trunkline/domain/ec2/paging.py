"""EC2 `MaxResults`/`NextToken` pagination over records in a stable order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.ec2.request_parts import Paged
from trunkline.errors import AwsError, ec2_max_results_error

Record = dict[str, Any]
R = TypeVar("R", bound=Mapping[str, Any])


def page(
    ctx: RequestContext,
    listing: str,
    records: list[R],
    key: str,
    params: Paged,
    minimum: int = 5,
    maximum: int = 1000,
) -> tuple[list[R], str | None]:
    """`records` must be sorted by `key`. Returns one page and the token for the next, if any."""
    limit = params.get("MaxResults")
    if limit is not None and not minimum <= limit <= maximum:
        raise ec2_max_results_error(limit, minimum, maximum)
    token = params.get("NextToken")
    if token is not None:
        after = pagination.decode(ctx.tx, listing, token)
        if not isinstance(after, str):
            raise AwsError("InvalidNextToken", f"The token '{token[:64]}' is invalid.")
        records = [r for r in records if r[key] > after]
    if limit is None or len(records) <= limit:
        return records, None
    chosen = records[:limit]
    return chosen, pagination.encode(ctx.tx, listing, chosen[-1][key])


def refuse_ids_with_max_results(ids: object, params: Mapping[str, Any], member: str) -> None:
    """EC2's Describe calls take ids or a page size, not both ("You cannot specify this parameter
    and the ... IDs parameter in the same request"); `member` is the ids' wire name in EC2's text."""
    if ids and params.get("MaxResults") is not None:
        raise AwsError(
            "InvalidParameterCombination", f"The parameter {member} cannot be used with the parameter maxResults"
        )
