"""Checks IAM applies to every entity it creates (roles, users, instance profiles, policies)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trunkline.domain.iam_requests import Tagged
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes


def check_path(path: str) -> None:
    if not (path.startswith("/") and path.endswith("/")):
        raise AwsError(
            "ValidationError",
            "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
        )


def checked_tags(params: Tagged) -> list[shapes.Tag]:
    tags = params.get("Tags") or []
    keys = [t["Key"].lower() for t in tags]
    if len(set(keys)) != len(keys):
        raise AwsError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    if any(key.startswith("aws:") for key in keys):  # lengths and the count of 50 are the model's
        raise AwsError(
            "InvalidInput", "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS."
        )
    return list(tags)
