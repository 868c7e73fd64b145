"""ECS account settings: per-region opt-ins held per principal (IAM user, IAM role, or root).

The effective value of a setting for principal P is P's own setting, else the root's (which is
also what PutAccountSettingDefault writes), else AWS's default. Role sessions act as their role:
a setting for `arn:aws:iam::ACCOUNT:role/ecsInstanceRole` applies to every session of that role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trunkline.context import RequestContext
from trunkline.domain.ecs import page
from trunkline.domain.ecs.kinds import ACCOUNT_SETTING, setting_key
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

KIND = ACCOUNT_SETTING.name

Setting = dict[str, str]


@dataclass(frozen=True)
class SettingSpec:
    values: frozenset[str]
    default: str
    aws_managed: bool = False  # set by AWS (GuardDuty), read-only through ECS
    root_only: bool = False  # may only be set at account level


_ON_OFF = frozenset({"enabled", "disabled"})

#: Every setting name ECS knows (the model's SettingName enum plus dualStackIPv6), the values it
#: accepts and AWS's default when neither the principal nor the root has set it.
SETTINGS: dict[str, SettingSpec] = {
    "awsvpcTrunking": SettingSpec(_ON_OFF, "disabled"),
    "containerInsights": SettingSpec(frozenset({"enabled", "disabled", "enhanced"}), "disabled"),
    "containerInstanceLongArnFormat": SettingSpec(_ON_OFF, "enabled"),
    "defaultLogDriverMode": SettingSpec(frozenset({"blocking", "non-blocking"}), "non-blocking"),
    "dualStackIPv6": SettingSpec(_ON_OFF, "disabled"),
    "fargateEventWindows": SettingSpec(_ON_OFF, "disabled"),
    "fargateFIPSMode": SettingSpec(_ON_OFF, "disabled"),
    "fargateTaskRetirementWaitPeriod": SettingSpec(frozenset({"0", "7", "14"}), "7", root_only=True),
    "guardDutyActivate": SettingSpec(_ON_OFF, "disabled", aws_managed=True),
    "serviceLongArnFormat": SettingSpec(_ON_OFF, "enabled"),
    "tagResourceAuthorization": SettingSpec(frozenset({"on", "off"}), "on"),
    "taskLongArnFormat": SettingSpec(_ON_OFF, "enabled"),
}

# IAM principals a setting can belong to: the root, a user or a role (with its path).
_PRINCIPAL = re.compile(r"arn:aws:iam::(\d{12}):(root|user/[\w+=,.@/-]+|role/[\w+=,.@/-]+)")


def root_arn(ctx: RequestContext) -> str:
    return f"arn:aws:iam::{ctx.account_id}:root"


def _spec(name: str) -> SettingSpec:
    spec = SETTINGS.get(name)
    if spec is None:  # the wire layer already refuses names outside the enum; this guards direct callers
        raise AwsError("InvalidParameterException", f"Invalid setting name '{name}'.")
    return spec


def _setting(name: str, value: str, principal_arn: str) -> Setting:
    kind = "aws_managed" if _spec(name).aws_managed else "user"
    return {"name": name, "value": value, "principalArn": principal_arn, "type": kind}


# --- whose setting a call is about ----------------------------------------------------------------


def target_principal(ctx: RequestContext, principal_arn: str | None) -> str:
    """The principal a Put/Delete/List call acts on: the caller (a role session acts as its role)
    unless `principalArn` names another, which only the account's root may do."""
    caller = ctx.principal.settings_arn
    if principal_arn is None or principal_arn in (caller, ctx.principal.arn):
        return caller
    match = _PRINCIPAL.fullmatch(principal_arn)
    if match is None:
        raise AwsError(
            "InvalidParameterException",
            f"Invalid principalArn '{principal_arn}': expected the ARN of an IAM user, an IAM role or the root user.",
        )
    if ctx.principal.kind != "root" or match.group(1) != ctx.account_id:
        # AWS: "In order to use this parameter, you must be the root user, or the principal."
        raise AwsError(
            "AccessDeniedException",
            f"User: {ctx.principal.arn} is not authorized to manage account settings of {principal_arn}",
        )
    return principal_arn


def _check_writable(name: str) -> SettingSpec:
    spec = _spec(name)
    if spec.aws_managed:
        raise AwsError(
            "InvalidParameterException",
            f"The {name} account setting is managed by AWS and cannot be changed through Amazon ECS.",
        )
    return spec


def _check_value(spec: SettingSpec, value: str) -> None:
    if value not in spec.values:
        # The text AWS answers for any value the setting does not accept.
        raise AwsError("InvalidParameterException", "Invalid setting 'value'")


# --- reads ------------------------------------------------------------------------------------------


def stored_value(ctx: RequestContext, principal_arn: str, name: str) -> str | None:
    """The value explicitly set for `principal_arn` (not inherited), if any."""
    doc = ACCOUNT_SETTING.get(ctx, setting_key(principal_arn, name))
    return None if doc is None else str(doc["value"])


def effective_setting(ctx: RequestContext, principal_arn: str, name: str) -> str:
    """The value in effect for `principal_arn` now: its own, else the account default, else AWS's.
    Container instance registration calls this with the registering role's ARN."""
    spec = _spec(name)
    if spec.aws_managed:
        return spec.default
    own = stored_value(ctx, principal_arn, name)
    if own is not None:
        return own
    default = stored_value(ctx, root_arn(ctx), name)
    return default if default is not None else spec.default


# --- writes -----------------------------------------------------------------------------------------


def _store(ctx: RequestContext, principal_arn: str, name: str, value: str) -> Setting:
    ACCOUNT_SETTING.save(ctx, {"name": name, "value": value, "principalArn": principal_arn})
    return _setting(name, value, principal_arn)


def put_setting(ctx: RequestContext, name: str, value: str, principal_arn: str | None) -> Setting:
    """PutAccountSetting: for the caller, or (root only) for `principal_arn`."""
    target = target_principal(ctx, principal_arn)
    spec = _check_writable(name)
    _check_value(spec, value)
    if spec.root_only and target != root_arn(ctx):
        raise AwsError(
            "InvalidParameterException",
            f"The {name} account setting can only be set for the root user; use PutAccountSettingDefault.",
        )
    return _store(ctx, target, name, value)


def put_default(ctx: RequestContext, name: str, value: str) -> Setting:
    """PutAccountSettingDefault: any caller sets the account default, which is the root's setting."""
    spec = _check_writable(name)
    _check_value(spec, value)
    return _store(ctx, root_arn(ctx), name, value)


def delete_setting(ctx: RequestContext, name: str, principal_arn: str | None) -> Setting:
    """DeleteAccountSetting: drop the principal's own setting so it inherits again. Returns the
    setting removed; deleting one that was never set changes nothing and returns the value that
    remains in effect."""
    target = target_principal(ctx, principal_arn)
    _check_writable(name)
    doc = ACCOUNT_SETTING.get(ctx, setting_key(target, name))
    if doc is None:
        return _setting(name, effective_setting(ctx, target, name), target)
    ACCOUNT_SETTING.delete(ctx, setting_key(target, name))
    return _setting(name, str(doc["value"]), target)


# --- ListAccountSettings ----------------------------------------------------------------------------


def list_settings(ctx: RequestContext, params: shapes.ListAccountSettingsRequest) -> tuple[list[Setting], str | None]:
    """Explicit settings of the principal, or with `effectiveSettings` one entry per setting name
    with the value in effect (principalArn echoing the principal asked about)."""
    name, value = params.get("name"), params.get("value")
    if value is not None and name is None:
        raise AwsError(
            "InvalidParameterException", "The value parameter can only be used together with the name parameter."
        )
    target = target_principal(ctx, params.get("principalArn"))
    effective = bool(params.get("effectiveSettings"))
    names = [name] if name is not None else sorted(SETTINGS)
    found: list[Setting] = []
    for setting_name in names:
        current = effective_setting(ctx, target, setting_name) if effective else stored_value(ctx, target, setting_name)
        if current is not None and (value is None or current == value):
            found.append(_setting(setting_name, current, target))
    listing = f"ecs:ListAccountSettings|{ctx.region}|{target}|{effective}|{name}|{value}"
    return page(ctx, listing, found, lambda s: s["name"], params, maximum=10)
