"""The record types say what the store holds: every kind typed in `domain/iam_records.py`,
`domain/logs/records.py` and the ECS bookkeeping kinds of `domain/ecs/records.py` is made through
the API (boto3, and an EC2 instance whose simulated agent registers), then each stored document
is read back from the server's state and compared with its `TypedDict`: no member the type does
not declare, every required member present, each value of its declared type. mypy checks the code
against the types; this checks the types against what the code really stores."""

from __future__ import annotations

import json
import time
import types
import typing
from typing import Any, NotRequired, Union, get_args, get_origin

from conftest import Server
from ecs_world import World, config_script
from trunkline.domain import iam_kinds
from trunkline.domain.ecs import kinds as ecs_kinds
from trunkline.domain.logs import kinds as logs_kinds
from trunkline.domain.resource_kind import ResourceKind
from trunkline.store import open_store

TYPED: list[ResourceKind[Any]] = [
    iam_kinds.ROLE,
    iam_kinds.USER,
    iam_kinds.INSTANCE_PROFILE,
    iam_kinds.MANAGED_POLICY,
    iam_kinds.INLINE_POLICY,
    iam_kinds.POLICY_ATTACHMENT,
    iam_kinds.CREDENTIAL,
    logs_kinds.LOG_GROUP,
    logs_kinds.LOG_STREAM,
    logs_kinds.LOG_EVENT,
    ecs_kinds.PLACEMENT_FAILURES,
    ecs_kinds.ACCOUNT_SETTING,
    ecs_kinds.TASK_DEFINITION_FAMILY,
    ecs_kinds.AGENT,
    ecs_kinds.RUN_TASK_TOKEN,
]

DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]})


def _record_type(kind: ResourceKind[Any]) -> Any:
    """The `XRecord` of the declaration `KIND: ResourceKind[XRecord]` in its kinds module."""
    for module in (iam_kinds, logs_kinds, ecs_kinds):
        for name, value in vars(module).items():
            if value is kind:
                return get_args(typing.get_type_hints(module)[name])[0]
    raise AssertionError(f"{kind.name} is declared in none of the kinds modules")


def problems(value: Any, hint: Any, where: str) -> list[str]:
    """How `value` fails to be a `hint` (empty when it is one)."""
    origin = get_origin(hint)
    if hint is Any:
        return []
    if origin in (Union, types.UnionType):
        options = [problems(value, option, where) for option in get_args(hint)]
        return [] if any(not found for found in options) else [f"{where}: {value!r} is not {hint}"]
    if hint is type(None):
        return [] if value is None else [f"{where}: {value!r} is not None"]
    if typing.is_typeddict(hint):
        return typed_dict_problems(value, hint, where)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        return [p for i, item in enumerate(value) for p in problems(item, get_args(hint)[0], f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not a dict"]
        key_type, value_type = get_args(hint)
        return [
            p for k, v in value.items() for p in problems(k, key_type, where) + problems(v, value_type, f"{where}.{k}")
        ]
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, hint)
    return [] if ok else [f"{where}: {value!r} is not {hint.__name__}"]


def typed_dict_problems(value: Any, record_type: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {value!r} is not a {record_type.__name__}"]
    hints = typing.get_type_hints(record_type, include_extras=True)
    required = {k for k, t in hints.items() if get_origin(t) is not NotRequired}
    found = [f"{where}: {k} is not declared by {record_type.__name__}" for k in value if k not in hints]
    found += [f"{where}: required {k} is missing" for k in sorted(required - set(value))]
    for key, member in value.items():
        if key in hints:
            declared = hints[key]
            if get_origin(declared) is NotRequired:
                declared = get_args(declared)[0]
            found += problems(member, declared, f"{where}.{key}")
    return found


def _make_everything(server: Server) -> None:
    world = World(server)
    iam, sts, logs, ecs = (server.client(s) for s in ("iam", "sts", "logs", "ecs"))
    # IAM: every optional member at least once, and the states a record goes through.
    world.instance_role("agent")
    iam.tag_role(RoleName="agent", Tags=[{"Key": "team", "Value": "a"}])
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com", Description="linked")
    iam.create_user(UserName="alice", Tags=[{"Key": "k", "Value": "v"}])
    iam.create_access_key(UserName="alice")
    gone = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.delete_access_key(UserName="alice", AccessKeyId=gone)  # a tombstone
    policy = iam.create_policy(PolicyName="p", PolicyDocument=DOC, Description="d", Tags=[{"Key": "t", "Value": "1"}])
    iam.create_policy_version(PolicyArn=policy["Policy"]["Arn"], PolicyDocument=DOC, SetAsDefault=True)
    iam.attach_role_policy(RoleName="agent", PolicyArn=policy["Policy"]["Arn"])
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/AmazonECS_FullAccess")
    iam.put_role_policy(RoleName="agent", PolicyName="inline", PolicyDocument=DOC)
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=DOC)
    iam.create_instance_profile(InstanceProfileName="empty", Tags=[{"Key": "x", "Value": "y"}])
    # Logs: a group with every option, a stream with events.
    logs.create_log_group(logGroupName="g", tags={"a": "b"}, kmsKeyId="arn:aws:kms:us-east-1:123456789012:key/k")
    logs.put_retention_policy(logGroupName="g", retentionInDays=7)
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": now, "message": "hello"}])
    # ECS: settings, a family, an agent that registers, a RunTask with a token, a placement failure.
    ecs.put_account_setting_default(name="containerInsights", value="enabled")
    world.opt_in("arn:aws:iam::123456789012:role/agent")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="small", containerDefinitions=[{"name": "c", "image": "i", "memory": 64}])
    ecs.register_task_definition(family="big", containerDefinitions=[{"name": "c", "image": "i", "memory": 100_000}])
    subnet = world.network()["subnet"]
    world.launch(subnet, profile="agent", user_data=config_script("c"))
    world.settle()
    assert ecs.run_task(cluster="c", taskDefinition="small", clientToken="token-1")["tasks"]
    assert ecs.run_task(cluster="c", taskDefinition="big")["failures"]
    sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/agent", RoleSessionName="session")


def test_stored_documents_are_their_declared_types(server: Server) -> None:
    _make_everything(server)
    store = open_store(server.state)
    try:
        stored = store.read(lambda tx: {kind.name: [doc for _, doc in tx.scan(kind.name)] for kind in TYPED})
    finally:
        store.close()
    found: list[str] = []
    for kind in TYPED:
        record_type = _record_type(kind)
        if not stored[kind.name]:
            found.append(f"nothing stored of {kind.name}: the test made none")
        for i, doc in enumerate(stored[kind.name]):
            found += typed_dict_problems(doc, record_type, f"{kind.name}[{i}]")
    assert not found, "\n".join(found)


def test_a_misspelt_member_is_reported() -> None:
    from trunkline.domain.logs.records import LogStreamRecord

    record = {"logStreamName": "s", "creationTime": 1, "_group": "g", "_upload": 0}
    assert typed_dict_problems(record, LogStreamRecord, "stream") == [
        "stream: _upload is not declared by LogStreamRecord",
        "stream: required _uploads is missing",
    ]
