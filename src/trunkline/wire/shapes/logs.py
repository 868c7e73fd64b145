"""Request shapes of the CloudWatch Logs operations trunkline implements.

Generated from botocore's service model by `python -m trunkline.wire.generate_shapes`: do not
edit; regenerate."""

from __future__ import annotations

from typing import Required, TypedDict


class CreateLogGroupRequest(TypedDict, total=False):
    logGroupName: Required[str]
    kmsKeyId: str
    tags: dict[str, str]
    logGroupClass: str
    deletionProtectionEnabled: bool


class CreateLogStreamRequest(TypedDict, total=False):
    logGroupName: Required[str]
    logStreamName: Required[str]


class DeleteLogGroupRequest(TypedDict, total=False):
    logGroupName: Required[str]


class DeleteLogStreamRequest(TypedDict, total=False):
    logGroupName: Required[str]
    logStreamName: Required[str]


class DeleteRetentionPolicyRequest(TypedDict, total=False):
    logGroupName: Required[str]


class DescribeLogGroupsRequest(TypedDict, total=False):
    accountIdentifiers: list[str]
    logGroupNamePrefix: str
    logGroupNamePattern: str
    nextToken: str
    limit: int
    includeLinkedAccounts: bool
    logGroupClass: str
    logGroupIdentifiers: list[str]


class DescribeLogStreamsRequest(TypedDict, total=False):
    logGroupName: str
    logGroupIdentifier: str
    logStreamNamePrefix: str
    orderBy: str
    descending: bool
    nextToken: str
    limit: int


class FilterLogEventsRequest(TypedDict, total=False):
    logGroupName: str
    logGroupIdentifier: str
    logStreamNames: list[str]
    logStreamNamePrefix: str
    startTime: int
    endTime: int
    filterPattern: str
    nextToken: str
    limit: int
    startFromHead: bool
    interleaved: bool
    unmask: bool


class GetLogEventsRequest(TypedDict, total=False):
    logGroupName: str
    logGroupIdentifier: str
    logStreamName: Required[str]
    startTime: int
    endTime: int
    nextToken: str
    limit: int
    startFromHead: bool
    unmask: bool


class ListTagsForResourceRequest(TypedDict, total=False):
    resourceArn: Required[str]


class ListTagsLogGroupRequest(TypedDict, total=False):
    logGroupName: Required[str]


class PutLogEventsRequest(TypedDict, total=False):
    logGroupName: Required[str]
    logStreamName: Required[str]
    logEvents: Required[list[InputLogEvent]]
    sequenceToken: str
    entity: Entity


class PutRetentionPolicyRequest(TypedDict, total=False):
    logGroupName: Required[str]
    retentionInDays: Required[int]


class TagLogGroupRequest(TypedDict, total=False):
    logGroupName: Required[str]
    tags: Required[dict[str, str]]


class TagResourceRequest(TypedDict, total=False):
    resourceArn: Required[str]
    tags: Required[dict[str, str]]


class UntagLogGroupRequest(TypedDict, total=False):
    logGroupName: Required[str]
    tags: Required[list[str]]


class UntagResourceRequest(TypedDict, total=False):
    resourceArn: Required[str]
    tagKeys: Required[list[str]]


class InputLogEvent(TypedDict, total=False):
    timestamp: Required[int]
    message: Required[str]


class Entity(TypedDict, total=False):
    keyAttributes: dict[str, str]
    attributes: dict[str, str]
