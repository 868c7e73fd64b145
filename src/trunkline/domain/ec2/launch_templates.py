"""Launch templates and their versions, and how a launch merges a template with its own
parameters (`run_parameters`, for RunInstances and any other caller that launches from a
template, such as Auto Scaling).

Template record (kind `kinds.LAUNCH_TEMPLATE`, indexed by `owner` and `name` (`ACCOUNT/NAME`)), in the `LaunchTemplate` output member
names: `LaunchTemplateId`, `LaunchTemplateName`, `CreateTime`, `CreatedBy` (the caller's ARN),
`DefaultVersionNumber`, `LatestVersionNumber`, `Tags`. Private: `_Owner`.

Version record (kind `kinds.LAUNCH_TEMPLATE_VERSION`, keyed `lt-…/NNNNNN`, indexed by `template`): `LaunchTemplateId`, `LaunchTemplateName`, `VersionNumber`,
`VersionDescription`, `CreateTime`, `CreatedBy`, `LaunchTemplateData` (as sent: EC2 checks a
template's data when an instance is launched from it, not when it is stored). `DefaultVersion` is
worked out when shown. Version numbers are never reused; the default version cannot be deleted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters as ec2_filters
from trunkline.domain.ec2 import lookup
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import LAUNCH_TEMPLATE, LAUNCH_TEMPLATE_VERSION
from trunkline.domain.ec2.paging import page
from trunkline.domain.ec2.records import LaunchTemplateRecord, LaunchTemplateVersionRecord, Tag
from trunkline.domain.ids import resource_id
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

#: AWS's quota "Versions per launch template".
VERSIONS_PER_TEMPLATE = 10000
#: The tags EC2 puts on an instance launched from a template (Terraform's aws_instance reads them).
ID_TAG = "aws:ec2launchtemplate:id"
VERSION_TAG = "aws:ec2launchtemplate:version"

_NAME = re.compile(r"^[a-zA-Z0-9().\-/_]{3,128}$")

EXTRACTORS: dict[str, Any] = {
    "create-time": lambda r: [_iso(r["CreateTime"])],
    "launch-template-name": lambda r: [r["LaunchTemplateName"]],
}

VERSION_EXTRACTORS: dict[str, Any] = {
    "create-time": lambda r: [_iso(r["CreateTime"])],
    "ebs-optimized": lambda r: [r["LaunchTemplateData"].get("EbsOptimized")],
    "iam-instance-profile": lambda r: list((r["LaunchTemplateData"].get("IamInstanceProfile") or {}).values()),
    "image-id": lambda r: [r["LaunchTemplateData"].get("ImageId")],
    "instance-type": lambda r: [r["LaunchTemplateData"].get("InstanceType")],
    "is-default-version": lambda r: [r.get("DefaultVersion", False)],
    "kernel-id": lambda r: [r["LaunchTemplateData"].get("KernelId")],
    "ram-disk-id": lambda r: [r["LaunchTemplateData"].get("RamDiskId")],
}


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def save(ctx: RequestContext, record: LaunchTemplateRecord) -> None:
    LAUNCH_TEMPLATE.save(ctx, record)


def _version_key(ctx: RequestContext, template_id: str, number: int) -> str:
    return LAUNCH_TEMPLATE_VERSION.scope.key(ctx.account_id, ctx.region, f"{template_id}/{number:06d}")


def _load_version(ctx: RequestContext, template_id: str, number: int) -> LaunchTemplateVersionRecord | None:
    return LAUNCH_TEMPLATE_VERSION.get(ctx, f"{template_id}/{number:06d}")


def _save_version(ctx: RequestContext, version: LaunchTemplateVersionRecord) -> None:
    LAUNCH_TEMPLATE_VERSION.save(ctx, version)


def _delete_version(ctx: RequestContext, template_id: str, number: int) -> None:
    LAUNCH_TEMPLATE_VERSION.delete(ctx, f"{template_id}/{number:06d}")


# --- finding templates and versions ----------------------------------------------------------------


def id_not_found(template_id: str) -> AwsError:
    return AwsError(
        "InvalidLaunchTemplateId.NotFound",
        f"The specified launch template, with template ID {template_id}, does not exist.",
    )


def name_not_found(name: str) -> AwsError:
    return AwsError(
        "InvalidLaunchTemplateName.NotFoundException",
        f"The specified launch template, with template name {name}, does not exist.",
    )


def version_not_found(template_id: str, version: str) -> AwsError:
    return AwsError(
        "InvalidLaunchTemplateId.VersionNotFound",
        f"Could not find the specified version {version} for the launch template with ID {template_id}.",
    )


def _by_id(ctx: RequestContext, template_id: str) -> LaunchTemplateRecord:
    if LAUNCH_TEMPLATE.id_format is not None and not LAUNCH_TEMPLATE.id_format.well_formed(template_id):
        raise AwsError(
            "InvalidLaunchTemplateId.Malformed", f"The specified launch template ID {template_id} is malformed."
        )
    return LAUNCH_TEMPLATE.require(ctx, template_id)


def _by_name(ctx: RequestContext, name: str) -> LaunchTemplateRecord | None:
    found = LAUNCH_TEMPLATE.find(ctx, "name", f"{ctx.account_id}/{name}")
    return found[0] if found else None


def get_template(ctx: RequestContext, params: Mapping[str, Any]) -> LaunchTemplateRecord:
    """The template named by exactly one of `LaunchTemplateId` and `LaunchTemplateName`."""
    template_id, name = params.get("LaunchTemplateId"), params.get("LaunchTemplateName")
    if template_id and name:
        raise AwsError(
            "InvalidParameterCombination",
            "Specify either the launch template ID or launch template name, but not both.",
        )
    if template_id:
        return _by_id(ctx, template_id)
    if name:
        record = _by_name(ctx, name)
        if record is None:
            raise name_not_found(name)
        return record
    raise AwsError("MissingParameter", "The request must contain the parameter launchTemplateName or launchTemplateId")


def _version_number(template: LaunchTemplateRecord, text: str | None) -> int:
    """`$Latest`, `$Default` or a number (None: the default version)."""
    if text is None or text == "$Default":
        return int(template["DefaultVersionNumber"])
    if text == "$Latest":
        return int(template["LatestVersionNumber"])
    if not text.isdigit() or int(text) < 1:
        raise AwsError(
            "InvalidLaunchTemplateId.VersionNotFound",
            f"Could not find the specified version {text} for the launch template with ID "
            f"{template['LaunchTemplateId']}.",
        )
    return int(text)


def get_version(ctx: RequestContext, template: LaunchTemplateRecord, text: str | None) -> LaunchTemplateVersionRecord:
    number = _version_number(template, text)
    version = _load_version(ctx, template["LaunchTemplateId"], number)
    if version is None:
        raise version_not_found(template["LaunchTemplateId"], text or str(number))
    return version


def _versions(ctx: RequestContext, template: LaunchTemplateRecord) -> list[LaunchTemplateVersionRecord]:
    found = LAUNCH_TEMPLATE_VERSION.find(ctx, "template", template["LaunchTemplateId"])
    return sorted(found, key=lambda v: v["VersionNumber"])


def version_view(template: LaunchTemplateRecord, version: LaunchTemplateVersionRecord) -> Record:
    shown: Record = copy.deepcopy(dict(version))
    shown["DefaultVersion"] = version["VersionNumber"] == template["DefaultVersionNumber"]
    return shown


# --- create / modify / delete ------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise AwsError(
            "InvalidLaunchTemplateName.MalformedException",
            "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, "
            "and the following characters: - ( ) . / _.'",
        )


def _check_data(data: Mapping[str, Any]) -> None:
    """The little EC2 checks when a template is stored: resource types of its tag specifications."""
    for spec in data.get("TagSpecifications") or []:
        kind = spec.get("ResourceType")
        if not kind:  # EC2's observed answer for template data (awsdocs/aws-cloudformation-user-guide#634)
            raise AwsError("InvalidTagSpecification.Malformed", "The resource type cannot be null or empty.")
        if kind not in ("instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu"):
            raise AwsError(
                "InvalidParameterValue",
                f"'{kind}' is not a valid taggable resource type for this operation.",
            )
        ec2_tags.merge([], [{"Key": t.get("Key", ""), "Value": t.get("Value", "")} for t in spec.get("Tags") or []])


def create_launch_template(
    ctx: RequestContext, params: shapes.CreateLaunchTemplateRequest
) -> tuple[LaunchTemplateRecord, Record]:
    name = params["LaunchTemplateName"]
    _check_name(name)
    data = params.get("LaunchTemplateData") or {}
    _check_data(data)
    tags = ec2_tags.requested(params, "launch-template")
    if _by_name(ctx, name) is not None:
        raise AwsError("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
    template: LaunchTemplateRecord = {
        "LaunchTemplateId": resource_id("lt"),
        "LaunchTemplateName": name,
        "CreateTime": ctx.now,
        "CreatedBy": ctx.principal.arn,
        "DefaultVersionNumber": 1,
        "LatestVersionNumber": 1,
        "Tags": tags,
        "_Owner": ctx.account_id,
    }
    version = _new_version(ctx, template, 1, data, params.get("VersionDescription"))
    save(ctx, template)
    _save_version(ctx, version)
    return template, version_view(template, version)


def _new_version(
    ctx: RequestContext, template: LaunchTemplateRecord, number: int, data: Mapping[str, Any], description: str | None
) -> LaunchTemplateVersionRecord:
    version: LaunchTemplateVersionRecord = {
        "LaunchTemplateId": template["LaunchTemplateId"],
        "LaunchTemplateName": template["LaunchTemplateName"],
        "VersionNumber": number,
        "CreateTime": ctx.now,
        "CreatedBy": ctx.principal.arn,
        # the request's RequestLaunchTemplateData, stored as sent
        "LaunchTemplateData": cast(Record, data),
    }
    if description is not None:
        version["VersionDescription"] = description
    return version


def create_launch_template_version(ctx: RequestContext, params: shapes.CreateLaunchTemplateVersionRequest) -> Record:
    """A new latest version: the source version's data (SourceVersion), with every top-level
    parameter of `LaunchTemplateData` replacing the source's."""
    template = get_template(ctx, params)
    data: Mapping[str, Any] = copy.deepcopy(params.get("LaunchTemplateData") or {})
    source = params.get("SourceVersion")
    if source is not None:
        base: Record = copy.deepcopy(get_version(ctx, template, source)["LaunchTemplateData"])
        data = {**base, **data}
    _check_data(data)
    number = int(template["LatestVersionNumber"]) + 1
    if number > VERSIONS_PER_TEMPLATE:
        raise AwsError(
            "VersionLimitExceeded",
            f"The maximum number of versions ({VERSIONS_PER_TEMPLATE}) for a launch template has been reached.",
        )
    version = _new_version(ctx, template, number, data, params.get("VersionDescription"))
    template["LatestVersionNumber"] = number
    save(ctx, template)
    _save_version(ctx, version)
    return version_view(template, version)


def modify_launch_template(ctx: RequestContext, params: shapes.ModifyLaunchTemplateRequest) -> LaunchTemplateRecord:
    template = get_template(ctx, params)
    wanted = params.get("DefaultVersion")
    if wanted is not None:
        version = get_version(ctx, template, wanted)
        template["DefaultVersionNumber"] = version["VersionNumber"]
        save(ctx, template)
    return template


def delete_launch_template(ctx: RequestContext, params: shapes.DeleteLaunchTemplateRequest) -> LaunchTemplateRecord:
    template = get_template(ctx, params)
    for version in _versions(ctx, template):
        _delete_version(ctx, template["LaunchTemplateId"], version["VersionNumber"])
    LAUNCH_TEMPLATE.delete(ctx, template["LaunchTemplateId"])
    return template


def delete_launch_template_versions(
    ctx: RequestContext, params: shapes.DeleteLaunchTemplateVersionsRequest
) -> tuple[list[Record], list[Record]]:
    """Delete the listed versions; each one that cannot be deleted is reported, not raised."""
    template = get_template(ctx, params)
    template_id, name = template["LaunchTemplateId"], template["LaunchTemplateName"]
    deleted, refused = [], []
    for text in params["Versions"]:
        item = {"LaunchTemplateId": template_id, "LaunchTemplateName": name}
        number = int(text) if text.isdigit() else None
        found = _load_version(ctx, template_id, number) if number else None
        if found is None:
            refused.append(
                {
                    **item,
                    "VersionNumber": number or 0,
                    "ResponseError": {
                        "Code": "launchTemplateVersionDoesNotExist",
                        "Message": f"Could not find the specified version {text} for the launch template with ID "
                        f"{template_id}.",
                    },
                }
            )
        elif number == template["DefaultVersionNumber"]:
            refused.append(
                {
                    **item,
                    "VersionNumber": number,
                    "ResponseError": {
                        "Code": "unexpectedError",
                        "Message": "Cannot delete the default version of a launch template.",
                    },
                }
            )
        else:
            _delete_version(ctx, template_id, int(number or 0))
            deleted.append({**item, "VersionNumber": number})
    return deleted, refused


# --- Describe ---------------------------------------------------------------------------------------


def describe_launch_templates(
    ctx: RequestContext, params: shapes.DescribeLaunchTemplatesRequest
) -> tuple[list[Record], str | None]:
    filters = params.get("Filters")
    ec2_filters.check_filters(filters, EXTRACTORS)
    ids, names = params.get("LaunchTemplateIds") or [], params.get("LaunchTemplateNames") or []
    if ids or names:
        records = [_by_id(ctx, t) for t in dict.fromkeys(ids)]
        for name in dict.fromkeys(names):
            record = _by_name(ctx, name)
            if record is None:
                raise AwsError(
                    "InvalidLaunchTemplateName.NotFoundException",
                    "At least one of the launch templates specified in the request does not exist.",
                )
            records.append(record)
    else:
        records = LAUNCH_TEMPLATE.find(ctx, "owner", ctx.account_id)
    unique = {r["LaunchTemplateId"]: r for r in records}
    matching = [
        lookup.public(r)
        for r in sorted(unique.values(), key=lambda r: r["LaunchTemplateId"])
        if ec2_filters.matches(r, filters, EXTRACTORS)
    ]
    return page(ctx, LAUNCH_TEMPLATE.name, matching, "LaunchTemplateId", params, minimum=1, maximum=200)


def describe_launch_template_versions(
    ctx: RequestContext, params: shapes.DescribeLaunchTemplateVersionsRequest
) -> tuple[list[Record], str | None]:
    filters = params.get("Filters")
    ec2_filters.check_filters(filters, VERSION_EXTRACTORS)
    if params.get("LaunchTemplateId") or params.get("LaunchTemplateName"):
        templates = [get_template(ctx, params)]
    else:
        wanted = params.get("Versions") or []
        if not wanted or any(v not in ("$Latest", "$Default") for v in wanted):
            raise AwsError(
                "MissingParameter",
                "The request must contain the parameter launchTemplateName or launchTemplateId, unless only "
                "$Latest or $Default versions are requested",
            )
        templates = sorted(LAUNCH_TEMPLATE.find(ctx, "owner", ctx.account_id), key=lambda t: t["LaunchTemplateId"])
    shown: list[Record] = []
    for template in templates:
        shown.extend(_chosen_versions(ctx, template, params))
    for view in shown:
        view["_Position"] = f"{view['LaunchTemplateId']}/{999999 - view['VersionNumber']:06d}"  # newest first
    matching = [v for v in shown if ec2_filters.matches(v, filters, VERSION_EXTRACTORS)]
    chosen, token = page(ctx, LAUNCH_TEMPLATE_VERSION.name, matching, "_Position", params, minimum=1, maximum=200)
    return [lookup.public(v) for v in chosen], token


def _chosen_versions(
    ctx: RequestContext, template: LaunchTemplateRecord, params: shapes.DescribeLaunchTemplateVersionsRequest
) -> list[Record]:
    wanted = params.get("Versions") or []
    if wanted:
        numbers = sorted({get_version(ctx, template, text)["VersionNumber"] for text in wanted}, reverse=True)
        versions = [get_version(ctx, template, str(n)) for n in numbers]
    else:
        versions = sorted(_versions(ctx, template), key=lambda v: -v["VersionNumber"])
        low, high = params.get("MinVersion"), params.get("MaxVersion")
        if low is not None:
            versions = [v for v in versions if v["VersionNumber"] >= _version_number(template, low)]
        if high is not None:
            versions = [v for v in versions if v["VersionNumber"] <= _version_number(template, high)]
    return [version_view(template, v) for v in versions]


# --- launching from a template ------------------------------------------------------------------------

#: Parameters merged field by field (the call's fields win); every other parameter the call gives
#: replaces the template's whole.
_FIELDWISE = ("MetadataOptions", "PrivateDnsNameOptions", "Placement")


def run_parameters(
    ctx: RequestContext, spec: Mapping[str, Any], params: Mapping[str, Any]
) -> tuple[shapes.RunInstancesRequest, Record]:
    """RunInstances parameters for a launch from the template version `spec` names
    (`LaunchTemplateId` or `LaunchTemplateName`, and `Version`: `$Default` when omitted),
    merged with the call's own `params` as EC2 merges them:

    - a parameter the call gives replaces the template's, except `MetadataOptions`,
      `PrivateDnsNameOptions` and `Placement`, merged field by field;
    - `TagSpecifications` are merged per resource type, the call's value winning for a key;
    - when the template has network interfaces, the call's `SubnetId` and `SecurityGroupIds` go
      into its primary interface (as Auto Scaling and EC2 Fleet use them), unless the call gives
      its own `NetworkInterfaces`, which replace the template's.

    Returns the merged parameters and the version used (the caller tags the instance with
    `aws:ec2launchtemplate:id` and `:version`, see `system_tags`)."""
    template = get_template(ctx, spec)
    version = get_version(ctx, template, spec.get("Version"))
    data: Record = copy.deepcopy(version["LaunchTemplateData"])
    merged: Record = {k: v for k, v in data.items() if k != "TagSpecifications"}
    own = {k: v for k, v in params.items() if k != "LaunchTemplate" and v is not None}
    for name, value in own.items():
        if name in _FIELDWISE and isinstance(merged.get(name), dict) and isinstance(value, dict):
            merged[name] = {**merged[name], **value}
        elif name != "TagSpecifications":
            merged[name] = value
    interfaces = merged.get("NetworkInterfaces")
    if interfaces and "NetworkInterfaces" not in own:
        primary = next((i for i in interfaces if i.get("DeviceIndex", 0) == 0), interfaces[0])
        if own.get("SubnetId"):
            primary["SubnetId"] = merged.pop("SubnetId")
        if own.get("SecurityGroupIds"):
            primary["Groups"] = merged.pop("SecurityGroupIds")
    merged["TagSpecifications"] = _merged_tags(data.get("TagSpecifications") or [], own.get("TagSpecifications") or [])
    # The merge of a template's data and a call's own members has RunInstances' member names.
    return cast("shapes.RunInstancesRequest", merged), version_view(template, version)


def _merged_tags(template_specs: list[Record], call_specs: list[Record]) -> list[Record]:
    by_type: dict[str, dict[str, str]] = {}
    for spec in [*template_specs, *call_specs]:
        tags = by_type.setdefault(spec.get("ResourceType", ""), {})
        for tag in spec.get("Tags") or []:
            tags[tag.get("Key", "")] = tag.get("Value", "")
    return [
        {"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        for kind, tags in by_type.items()
    ]


def system_tags(version: Record) -> list[Tag]:
    """The tags EC2 puts on an instance launched from a template."""
    return [
        {"Key": ID_TAG, "Value": version["LaunchTemplateId"]},
        {"Key": VERSION_TAG, "Value": str(version["VersionNumber"])},
    ]
