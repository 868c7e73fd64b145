"""The trunking decision: whether a container instance gets a trunk ENI, decided once, when it
registers, and frozen in the record's `_trunking` for the instance's life (S5).

Trunking applies when every condition holds; otherwise the instance registers straight to ACTIVE
with the untrunked ENI limit and no error (as in AWS, where users only notice `RESOURCE:ENI` later).
Every condition that fails is recorded, so "why has this instance no trunk?" has a full answer:

- `account-setting`: the effective `awsvpcTrunking` of the registering principal (a role session
  acts as its role; §1.3) is not `enabled` (its own setting, else the account default, else AWS's
  default, disabled) — or was not when the EC2 instance FIRST registered: S5 follows the EC2
  instance, so deregistering, stopping and starting it, or opting in later never trunks it;
- `instance-type`: the catalog lists no trunked limit for the instance type (S2);
- `operating-system`: the instance registered as Windows (S4);
- `agent-version`: the agent is older than 1.28.1 (S4);
- `agent-capability`: the agent did not send `ecs.capability.task-eni-trunking` (what ECS really
  checks; old agents, Windows and `ECS_ENABLE_HIGH_DENSITY_ENI=false` all end here).

`_trunking` = `{applies, principalArn, awsvpcTrunking, settingSource, reasons: [{code, message}],
decidedAt}`.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import catalog, events
from trunkline.domain.ecs import account_settings
from trunkline.domain.ecs.agent_report import TRUNKING_CAPABILITY, TRUNKING_MIN_AGENT, parse_version
from trunkline.domain.ecs.records import ContainerInstanceRecord

Record = dict[str, Any]

SETTING = "awsvpcTrunking"
TRUNK_ID_ATTRIBUTE = "ecs.awsvpc-trunk-id"


def _reason(code: str, message: str) -> Record:
    return {"code": code, "message": message}


def setting_source(ctx: RequestContext, principal_arn: str) -> str:
    """Where the principal's effective awsvpcTrunking comes from: `principal` (its own setting),
    `account-default` (PutAccountSettingDefault or the root's setting) or `aws-default`."""
    if account_settings.stored_value(ctx, principal_arn, SETTING) is not None:
        return "principal"
    if account_settings.stored_value(ctx, account_settings.root_arn(ctx), SETTING) is not None:
        return "account-default"
    return "aws-default"


def _attribute(attributes: list[Record], name: str) -> str | None:
    for attribute in attributes:
        if attribute["name"] == name:
            return str(attribute.get("value") or "")
    return None


def decide(
    ctx: RequestContext,
    principal_arn: str,
    instance_type: str,
    attributes: list[Record],
    version_info: Record | None,
    first: Record | None = None,
) -> Record:
    """The decision for an instance registering now, by `principal_arn`, with these attributes;
    `first` is the decision of the EC2 instance's first registration, when this is not it."""
    reasons: list[Record] = []
    value = account_settings.effective_setting(ctx, principal_arn, SETTING)
    source = setting_source(ctx, principal_arn)
    when = events.iso(ctx.now, millis=False)
    if first is not None and first.get("awsvpcTrunking") != "enabled":
        reasons.append(_first_registration_reason(first))
    elif value != "enabled":
        origin = {"principal": "its own setting", "account-default": "the account default"}.get(source, "AWS's default")
        reasons.append(
            _reason(
                "account-setting",
                f"awsvpcTrunking was {value} for {principal_arn} ({origin}) when the instance registered at "
                f"{when}; an instance keeps that decision for life, so opting in later needs a new instance (S5)",
            )
        )
    known = catalog.get_instance_type(instance_type)
    if known is None or not known.supports_trunking:
        reasons.append(_reason("instance-type", f"instance type {instance_type} does not support ENI trunking"))
    os_family = _attribute(attributes, "ecs.os-family") or ""
    if _attribute(attributes, "ecs.os-type") == "windows" or os_family.startswith("WINDOWS"):
        reasons.append(
            _reason("operating-system", f"ENI trunking is Linux only; the instance runs {os_family or 'Windows'}")
        )
    agent_version = (version_info or {}).get("agentVersion")
    parsed = parse_version(agent_version)
    if parsed is not None and parsed < TRUNKING_MIN_AGENT:
        reasons.append(
            _reason("agent-version", f"ECS agent {agent_version} is older than 1.28.1, the first with ENI trunking")
        )
    if _attribute(attributes, TRUNKING_CAPABILITY) is None:
        reasons.append(_reason("agent-capability", f"the agent did not advertise {TRUNKING_CAPABILITY}"))
    return {
        "applies": not reasons,
        "principalArn": principal_arn,
        "awsvpcTrunking": value,
        "settingSource": source,
        "reasons": reasons,
        "decidedAt": ctx.now,
    }


def _first_registration_reason(first: Record) -> Record:
    """S5: the EC2 instance first registered while the setting was off; that stays true for it."""
    when = events.iso(first["decidedAt"], millis=False)
    return _reason(
        "account-setting",
        f"awsvpcTrunking was {first.get('awsvpcTrunking')} for {first.get('principalArn')} when this EC2 instance "
        f"first registered at {when}; instances launched before the opt-in never get trunking, even after "
        "deregistering, stopping and starting them (S5)",
    )


def applies(record: ContainerInstanceRecord) -> bool:
    """Whether the instance's frozen decision gave it trunking."""
    return bool((record.get("_trunking") or {}).get("applies"))
