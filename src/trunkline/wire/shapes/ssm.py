"""Request shapes of the SSM operations trunkline implements.

Generated from botocore's service model by `python -m trunkline.wire.generate_shapes`: do not
edit; regenerate."""

from __future__ import annotations

from typing import Required, TypedDict


class GetParameterRequest(TypedDict, total=False):
    Name: Required[str]
    WithDecryption: bool


class GetParametersRequest(TypedDict, total=False):
    Names: Required[list[str]]
    WithDecryption: bool


class GetParametersByPathRequest(TypedDict, total=False):
    Path: Required[str]
    Recursive: bool
    ParameterFilters: list[ParameterStringFilter]
    WithDecryption: bool
    MaxResults: int
    NextToken: str


class ParameterStringFilter(TypedDict, total=False):
    Key: Required[str]
    Option: str
    Values: list[str]
