"""Where RunTask's and a service's tasks go: a launch type, or a capacity provider strategy
(capacity-behaviour.md §2). Resolution order: the call's `capacityProviderStrategy` (with a
`launchType` too it is refused); else its `launchType`; else the cluster's default strategy; else
EC2. Tasks of an Auto Scaling group provider report `launchType` EC2, of FARGATE/FARGATE_SPOT
FARGATE, each with its `capacityProviderName`.

The split over a strategy's providers (decision, docs/decisions.md): the provider with a base gets
tasks until it holds `base` of them; every further task goes to the provider with the fewest tasks
per unit of weight (ties: strategy order); providers of weight 0 get none beyond their base, unless
every provider has weight 0 (a lone weight-0 provider takes them all)."""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import capacity_association
from trunkline.domain.ecs.capacity_association import is_fargate, parse_strategy
from trunkline.domain.ecs.records import ClusterRecord
from trunkline.domain.ecs.request_parts import StrategyChoice
from trunkline.errors import AwsError

Record = dict[str, Any]


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def route(ctx: RequestContext, cluster: ClusterRecord, params: StrategyChoice) -> tuple[str, list[Record] | None]:
    """The launch type, and the strategy if tasks go through capacity providers."""
    given = params.get("capacityProviderStrategy")
    if given and params.get("launchType"):
        raise _invalid(
            "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."
        )
    if given:
        strategy = parse_strategy(given)
    elif params.get("launchType"):
        return str(params["launchType"]), None
    elif cluster.get("defaultCapacityProviderStrategy"):
        strategy = [dict(item) for item in cluster["defaultCapacityProviderStrategy"]]
        if len(strategy) > 1 and not any(item["weight"] > 0 for item in strategy):
            raise _invalid(
                "There are no capacity providers with a weight value greater than zero defined in the default "
                "capacity provider strategy. At least one capacity provider must have a weight value greater than "
                "zero specified. Update the cluster's default capacity provider strategy or specify a valid capacity "
                "provider strategy and try again."
            )
    else:
        return "EC2", None
    check(ctx, cluster, strategy)
    return ("FARGATE" if is_fargate(strategy[0]["capacityProvider"]) else "EC2"), strategy


def check(ctx: RequestContext, cluster: ClusterRecord, strategy: list[Record]) -> None:
    capacity_association.check_strategy_members(strategy, cluster.get("capacityProviders") or [])
    for item in strategy:
        name = item["capacityProvider"]
        if not is_fargate(name) and capacity_association.active_provider(ctx, name) is None:
            raise _invalid(
                f"The specified capacity provider {name} is not in an ACTIVE state. Specify a valid capacity "
                "provider and try again."
            )
    if len(strategy) > 1 and not any(item["weight"] > 0 for item in strategy):
        raise _invalid(
            "At least one capacity provider in the capacity provider strategy must have a weight value greater "
            "than zero."
        )


def assign(strategy: list[Record], count: int, already: dict[str, int] | None = None) -> list[str]:
    """The provider of each of `count` new tasks, given how many tasks each provider holds."""
    held = {item["capacityProvider"]: (already or {}).get(item["capacityProvider"], 0) for item in strategy}
    weighted = [item for item in strategy if item["weight"] > 0] or strategy[:1]
    chosen: list[str] = []
    for _ in range(count):
        based = next((i for i in strategy if held[i["capacityProvider"]] < i["base"]), None)
        if based is not None:
            name = based["capacityProvider"]
        else:
            pick = min(
                enumerate(weighted),
                key=lambda pair: (held[pair[1]["capacityProvider"]] / max(pair[1]["weight"], 1), pair[0]),
            )
            name = pick[1]["capacityProvider"]
        held[name] += 1
        chosen.append(name)
    return chosen


def managed_scaling_on(ctx: RequestContext, name: str) -> bool:
    """Whether tasks of this provider wait for capacity (PROVISIONING) rather than fail placement."""
    record = capacity_association.active_provider(ctx, name)
    return record is not None and record["autoScalingGroupProvider"]["managedScaling"]["status"] == "ENABLED"
