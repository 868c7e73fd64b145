"""An instance's MetadataOptions (IMDS): what a launch gives it, and the checked change
ModifyInstanceMetadataOptions makes (`instance_attributes.py` applies it to the instance).

The record's `MetadataOptions` is the `InstanceMetadataOptionsResponse` shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trunkline.errors import AwsError

Record = dict[str, Any]

#: The enums of the request members (botocore's HttpTokensState, InstanceMetadataEndpointState, ...).
_CHOICES = {
    "HttpTokens": ("optional", "required"),
    "HttpEndpoint": ("enabled", "disabled"),
    "HttpProtocolIpv6": ("enabled", "disabled"),
    "InstanceMetadataTags": ("enabled", "disabled"),
}
_MEMBERS = ("HttpTokens", "HttpPutResponseHopLimit", "HttpEndpoint", "HttpProtocolIpv6", "InstanceMetadataTags")


def at_launch(image: Mapping[str, Any], wanted: Mapping[str, Any] | None) -> Record:
    """The instance's MetadataOptions: the image's defaults (IMDSv2 required on AL2023), with
    what the launch asks for on top."""
    required = image.get("ImdsSupport") == "v2.0"
    options: Record = {
        "State": "applied",
        "HttpTokens": "required" if required else "optional",
        "HttpPutResponseHopLimit": 2,
        "HttpEndpoint": "enabled",
        "HttpProtocolIpv6": "disabled",
        "InstanceMetadataTags": "disabled",
    }
    return apply(options, wanted or {})


def apply(options: Record, wanted: Mapping[str, Any]) -> Record:
    """`options` with each member `wanted` sets, every one checked before any is taken."""
    changed = dict(options)
    for name in _MEMBERS:
        value = wanted.get(name)
        if value is None:
            continue
        if name in _CHOICES and value not in _CHOICES[name]:
            raise AwsError("InvalidParameterValue", f"Value ({value}) for parameter {name} is invalid.")
        if name == "HttpPutResponseHopLimit" and not 1 <= int(value) <= 64:
            raise AwsError(
                "InvalidParameterValue",
                f"Value ({value}) for parameter HttpPutResponseHopLimit is invalid. Must be between 1 and 64.",
            )
        changed[name] = value
    return changed
