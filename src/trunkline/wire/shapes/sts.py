"""Request shapes of the STS operations trunkline implements.

Generated from botocore's service model by `python -m trunkline.wire.generate_shapes`: do not
edit; regenerate."""

from __future__ import annotations

from typing import Required, TypedDict


class AssumeRoleRequest(TypedDict, total=False):
    RoleArn: Required[str]
    RoleSessionName: Required[str]
    PolicyArns: list[PolicyDescriptorType]
    Policy: str
    DurationSeconds: int
    Tags: list[Tag]
    TransitiveTagKeys: list[str]
    ExternalId: str
    SerialNumber: str
    TokenCode: str
    SourceIdentity: str
    ProvidedContexts: list[ProvidedContext]
    MinimumSessionTokenSize: int


class GetCallerIdentityRequest(TypedDict, total=False):
    pass


class PolicyDescriptorType(TypedDict, total=False):
    arn: str


class Tag(TypedDict, total=False):
    Key: Required[str]
    Value: Required[str]


class ProvidedContext(TypedDict, total=False):
    ProviderArn: str
    ContextAssertion: str
