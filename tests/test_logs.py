"""CloudWatch Logs over the wire, with boto3 and the AWS CLI: log groups (paging, prefixes,
retention, tags in the old and new APIs), log streams (prefix, ordering), PutLogEvents (AWS's batch
rules and rejected events), GetLogEvents (head, tail, forward and backward tokens) and
FilterLogEvents (terms, time ranges, streams, paging)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, CliError, Server

ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
HOUR = 3600 * 1000
DAY = 24 * HOUR


@pytest.fixture
def logs(aws: Callable[..., Any]) -> Any:
    return aws("logs")


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def clock_ms(server: Server) -> int:
    """trunkline's clock, in milliseconds (what the Logs time rules are measured against)."""
    return int(server.get("/_trunkline/clock").json()["epochSeconds"] * 1000)


def messages(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in events]


# --- log groups -------------------------------------------------------------------------------------


def test_create_describe_and_delete_log_groups(logs: Any, server: Server) -> None:
    logs.create_log_group(logGroupName="/ecs/web", tags={"team": "net"})
    logs.create_log_group(logGroupName="/ecs/api", kmsKeyId="arn:aws:kms:us-east-1:123456789012:key/k")
    logs.create_log_group(logGroupName="other")
    groups = logs.describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/ecs/api", "/ecs/web", "other"]
    web = groups[1]
    assert web["arn"] == f"{ARN}:/ecs/web:*" and web["logGroupArn"] == f"{ARN}:/ecs/web"
    assert (web["metricFilterCount"], web["storedBytes"], web["logGroupClass"]) == (0, 0, "STANDARD")
    assert "retentionInDays" not in web and "kmsKeyId" not in web
    assert abs(web["creationTime"] - clock_ms(server)) < 60_000
    assert groups[0]["kmsKeyId"] == "arn:aws:kms:us-east-1:123456789012:key/k"
    prefixed = logs.describe_log_groups(logGroupNamePrefix="/ecs/")["logGroups"]
    assert [g["logGroupName"] for g in prefixed] == ["/ecs/api", "/ecs/web"]
    pattern = logs.describe_log_groups(logGroupNamePattern="WE")["logGroups"]
    assert [g["logGroupName"] for g in pattern] == ["/ecs/web"]
    assert error_of(lambda: logs.create_log_group(logGroupName="/ecs/web")) == (
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
    )
    logs.delete_log_group(logGroupName="/ecs/web")
    assert error_of(lambda: logs.delete_log_group(logGroupName="/ecs/web")) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/ecs/api", "other"]


def test_describe_log_groups_pages(logs: Any) -> None:
    names = [f"/app/g{n:03d}" for n in range(55)]
    for name in names:
        logs.create_log_group(logGroupName=name)
    first = logs.describe_log_groups()
    assert len(first["logGroups"]) == 50 and "nextToken" in first
    second = logs.describe_log_groups(nextToken=first["nextToken"])
    assert [g["logGroupName"] for g in first["logGroups"] + second["logGroups"]] == names
    assert "nextToken" not in second
    pages = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 7})
    assert [g["logGroupName"] for p in pages for g in p["logGroups"]] == names
    assert error_of(lambda: logs.describe_log_groups(nextToken="forged")) == (
        "InvalidParameterException",
        "The specified nextToken is invalid.",
    )


def test_retention_policy(logs: Any) -> None:
    logs.create_log_group(logGroupName="kept")
    logs.put_retention_policy(logGroupName="kept", retentionInDays=14)
    assert logs.describe_log_groups(logGroupNamePrefix="kept")["logGroups"][0]["retentionInDays"] == 14
    code, message = error_of(lambda: logs.put_retention_policy(logGroupName="kept", retentionInDays=2))
    assert code == "InvalidParameterException"
    assert message.startswith(
        "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: "
        "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731"
    )
    assert logs.describe_log_groups(logGroupNamePrefix="kept")["logGroups"][0]["retentionInDays"] == 14
    logs.delete_retention_policy(logGroupName="kept")
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix="kept")["logGroups"][0]
    assert error_of(lambda: logs.put_retention_policy(logGroupName="none", retentionInDays=1)) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )


def test_tags_in_the_old_and_the_new_api(logs: Any) -> None:
    logs.create_log_group(logGroupName="/tagged", tags={"a": "1"})
    logs.tag_log_group(logGroupName="/tagged", tags={"b": "2"})
    assert logs.list_tags_log_group(logGroupName="/tagged")["tags"] == {"a": "1", "b": "2"}
    arn = logs.describe_log_groups(logGroupNamePrefix="/tagged")["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"c": "3", "a": "one"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "one", "b": "2", "c": "3"}
    # The model's ARN pattern has no `*`: the `arn` form (with `:*`) is not a resource ARN.
    assert error_of(lambda: logs.list_tags_for_resource(resourceArn=arn + ":*"))[0] == "InvalidParameterException"
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    logs.untag_log_group(logGroupName="/tagged", tags=["b"])
    assert logs.list_tags_log_group(logGroupName="/tagged")["tags"] == {"c": "3"}
    refused = [
        (
            lambda: logs.tag_resource(resourceArn=arn, tags={f"k{n}": "v" for n in range(50)}),
            ("TooManyTagsException", "A resource can have no more than 50 tags."),
        ),
        (
            lambda: logs.tag_log_group(logGroupName="/tagged", tags={f"k{n}": "v" for n in range(50)}),
            ("InvalidParameterException", "A resource can have no more than 50 tags."),
        ),
        (
            lambda: logs.tag_resource(resourceArn=arn, tags={"aws:x": "v"}),
            ("InvalidParameterException", "Tag keys beginning with 'aws:' are reserved for AWS use."),
        ),
        (
            lambda: logs.list_tags_for_resource(resourceArn=f"{ARN}:missing"),
            ("ResourceNotFoundException", "The specified log group does not exist."),
        ),
        (
            lambda: logs.list_tags_log_group(logGroupName="missing"),
            ("ResourceNotFoundException", "The specified log group does not exist."),
        ),
        (
            lambda: logs.list_tags_for_resource(resourceArn=f"arn:aws:logs:{REGION}:{ACCOUNT}:destination:d"),
            (
                "InvalidParameterException",
                f"Invalid resource ARN: arn:aws:logs:{REGION}:{ACCOUNT}:destination:d is not the ARN of a log group.",
            ),
        ),
    ]
    for call, expected in refused:
        assert error_of(call) == expected
    assert logs.list_tags_log_group(logGroupName="/tagged")["tags"] == {"c": "3"}


def test_bad_group_names_are_invalid_parameters(logs: Any, aws: Callable[..., Any]) -> None:
    raw = aws("logs", validate=False)
    code, message = error_of(lambda: raw.create_log_group(logGroupName="bad name"))
    assert code == "InvalidParameterException"
    assert message == (
        "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
    )
    assert error_of(lambda: logs.create_log_group(logGroupName="aws/mine"))[0] == "InvalidParameterException"
    assert logs.describe_log_groups()["logGroups"] == []


# --- log streams ------------------------------------------------------------------------------------


def test_log_streams_create_describe_order_and_delete(logs: Any, server: Server) -> None:
    logs.create_log_group(logGroupName="g")
    for name in ("web/app/1", "web/app/2", "api/app/1"):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
    assert error_of(lambda: logs.create_log_stream(logGroupName="g", logStreamName="web/app/1")) == (
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
    )
    assert error_of(lambda: logs.create_log_stream(logGroupName="none", logStreamName="s")) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    listed = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert [s["logStreamName"] for s in listed] == ["api/app/1", "web/app/1", "web/app/2"]
    assert listed[0]["arn"] == f"{ARN}:g:log-stream:api/app/1" and listed[0]["storedBytes"] == 0
    assert "lastEventTimestamp" not in listed[0]
    web = logs.describe_log_streams(logGroupName="g", logStreamNamePrefix="web/", descending=True)["logStreams"]
    assert [s["logStreamName"] for s in web] == ["web/app/2", "web/app/1"]
    now = clock_ms(server)
    logs.put_log_events(logGroupName="g", logStreamName="web/app/1", logEvents=[{"timestamp": now, "message": "x"}])
    by_time = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", descending=True)["logStreams"]
    assert by_time[0]["logStreamName"] == "web/app/1" and by_time[0]["lastEventTimestamp"] == now
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    assert len(logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]) == 3
    page = logs.describe_log_streams(logGroupName="g", limit=2)
    rest = logs.describe_log_streams(logGroupName="g", limit=2, nextToken=page["nextToken"])
    assert [s["logStreamName"] for s in page["logStreams"] + rest["logStreams"]] == [
        "api/app/1",
        "web/app/1",
        "web/app/2",
    ]
    refused = [
        (
            lambda: logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", logStreamNamePrefix="w"),
            ("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix."),
        ),
        (
            lambda: logs.describe_log_streams(logGroupName="none"),
            ("ResourceNotFoundException", "The specified log group does not exist."),
        ),
        (
            lambda: logs.delete_log_stream(logGroupName="g", logStreamName="none"),
            ("ResourceNotFoundException", "The specified log stream does not exist."),
        ),
    ]
    for call, expected in refused:
        assert error_of(call) == expected
    logs.delete_log_stream(logGroupName="g", logStreamName="web/app/1")
    assert [s["logStreamName"] for s in logs.describe_log_streams(logGroupName="g")["logStreams"]] == [
        "api/app/1",
        "web/app/2",
    ]


# --- PutLogEvents -----------------------------------------------------------------------------------


def test_put_log_events_rules(logs: Any, server: Server) -> None:
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    now = clock_ms(server)
    answer = logs.put_log_events(
        logGroupName="g",
        logStreamName="s",
        logEvents=[{"timestamp": now - 1000, "message": "one"}, {"timestamp": now, "message": "two"}],
    )
    assert "rejectedLogEventsInfo" not in answer and len(answer["nextSequenceToken"]) == 56
    # A sequence token is no longer needed, and a stale one is not an error.
    again = logs.put_log_events(
        logGroupName="g", logStreamName="s", logEvents=[{"timestamp": now, "message": "three"}], sequenceToken="1"
    )
    assert again["nextSequenceToken"] != answer["nextSequenceToken"]
    mixed = logs.put_log_events(
        logGroupName="g",
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 14 * DAY - 2 * HOUR, "message": "too old"},
            {"timestamp": now - 14 * DAY - 1000, "message": "too old too"},
            {"timestamp": now - 14 * DAY + HOUR, "message": "kept"},
            {"timestamp": now - 14 * DAY + HOUR + 1, "message": "kept too"},
        ],
    )
    assert mixed["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    future = logs.put_log_events(
        logGroupName="g",
        logStreamName="s",
        logEvents=[
            {"timestamp": now + HOUR, "message": "soon"},
            {"timestamp": now + 3 * HOUR, "message": "too new"},
            {"timestamp": now + 4 * HOUR, "message": "too new too"},
        ],
    )
    assert future["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    stored = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)["events"]
    assert messages(stored) == ["kept", "kept too", "one", "two", "three", "soon"]
    stream = logs.describe_log_streams(logGroupName="g")["logStreams"][0]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (now - 14 * DAY + HOUR, now + HOUR)
    size = sum(len(m.encode()) + 26 for m in messages(stored))
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == size

    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    expired = logs.put_log_events(
        logGroupName="g",
        logStreamName="s",
        logEvents=[{"timestamp": now - DAY - 1, "message": "expired"}, {"timestamp": now - 500, "message": "fresh"}],
    )
    assert expired["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    # What the retention no longer keeps is not read back either.
    kept = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)["events"]
    assert messages(kept) == ["one", "fresh", "two", "three", "soon"]

    refused = [
        (
            [{"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}],
            "Log events in a single PutLogEvents request must be in chronological order.",
        ),
        (
            [{"timestamp": now - 25 * HOUR, "message": "a"}, {"timestamp": now, "message": "b"}],
            "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
        ),
        (
            [{"timestamp": now, "message": "x" * 600_000}, {"timestamp": now, "message": "y" * 600_000}],
            "Upload too large: 1200052 bytes exceeds limit of 1048576",
        ),
    ]
    for events, message in refused:
        assert error_of(lambda e=events: logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=e)) == (
            "InvalidParameterException",
            message,
        )
    assert error_of(
        lambda: logs.put_log_events(
            logGroupName="g", logStreamName="none", logEvents=[{"timestamp": now, "message": "a"}]
        )
    ) == ("ResourceNotFoundException", "The specified log stream does not exist.")
    assert error_of(
        lambda: logs.put_log_events(
            logGroupName="none", logStreamName="s", logEvents=[{"timestamp": now, "message": "a"}]
        )
    ) == ("ResourceNotFoundException", "The specified log group does not exist.")
    assert messages(logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)["events"]) == messages(
        kept
    )


# --- GetLogEvents -----------------------------------------------------------------------------------


def _fill(logs: Any, server: Server, count: int) -> int:
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    base = clock_ms(server) - count * 1000
    events = [{"timestamp": base + n * 1000, "message": f"line {n}"} for n in range(count)]
    logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=events)
    return base


def test_get_log_events_head_tail_and_tokens(logs: Any, server: Server) -> None:
    base = _fill(logs, server, 10)
    tail = logs.get_log_events(logGroupName="g", logStreamName="s", limit=3)
    assert messages(tail["events"]) == ["line 7", "line 8", "line 9"]
    assert tail["nextForwardToken"].startswith("f/") and tail["nextBackwardToken"].startswith("b/")
    older = logs.get_log_events(logGroupName="g", logStreamName="s", limit=3, nextToken=tail["nextBackwardToken"])
    assert messages(older["events"]) == ["line 4", "line 5", "line 6"]
    end = logs.get_log_events(logGroupName="g", logStreamName="s", limit=3, nextToken=tail["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == tail["nextForwardToken"]

    head = logs.get_log_events(logGroupName="g", logStreamName="s", limit=4, startFromHead=True)
    assert messages(head["events"]) == ["line 0", "line 1", "line 2", "line 3"]
    following = logs.get_log_events(logGroupName="g", logStreamName="s", limit=4, nextToken=head["nextForwardToken"])
    assert messages(following["events"]) == ["line 4", "line 5", "line 6", "line 7"]
    first = head["events"][0]
    assert first["timestamp"] == base and first["ingestionTime"] >= base

    ranged = logs.get_log_events(
        logGroupName="g", logStreamName="s", startTime=base + 2000, endTime=base + 5000, startFromHead=True
    )
    assert messages(ranged["events"]) == ["line 2", "line 3", "line 4"]
    # Reading on from the forward token as new events arrive: boto3 stops when the token repeats.
    logs.put_log_events(
        logGroupName="g", logStreamName="s", logEvents=[{"timestamp": clock_ms(server), "message": "line 10"}]
    )
    newer = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=following["nextForwardToken"])
    assert messages(newer["events"]) == ["line 8", "line 9", "line 10"]
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    by_identifier = logs.get_log_events(logGroupIdentifier=arn, logStreamName="s", limit=1)
    assert messages(by_identifier["events"]) == ["line 10"]
    refused = [
        (
            lambda: logs.get_log_events(logGroupName="g", logStreamName="s", nextToken="x"),
            ("InvalidParameterException", "The specified nextToken is invalid."),
        ),
        (
            lambda: logs.get_log_events(logGroupName="g", logGroupIdentifier="g", logStreamName="s"),
            ("InvalidParameterException", "LogGroup name and LogGroup identifier are mutually exclusive parameters."),
        ),
        (
            lambda: logs.get_log_events(logGroupName="g", logStreamName="none"),
            ("ResourceNotFoundException", "The specified log stream does not exist."),
        ),
    ]
    for call, expected in refused:
        assert error_of(call) == expected


# --- FilterLogEvents --------------------------------------------------------------------------------


def test_filter_log_events(logs: Any, server: Server) -> None:
    logs.create_log_group(logGroupName="g")
    now = clock_ms(server)
    lines = {
        "web/a": ["ERROR disk full", "INFO started", "WARN slow request"],
        "web/b": ["ERROR timeout talking to db", "INFO ok"],
        "api/a": ["ERROR disk full again", "DEBUG [x] detail"],
    }
    for n, (stream, texts) in enumerate(lines.items()):
        logs.create_log_stream(logGroupName="g", logStreamName=stream)
        events = [{"timestamp": now - 10_000 + n * 100 + i, "message": t} for i, t in enumerate(texts)]
        logs.put_log_events(logGroupName="g", logStreamName=stream, logEvents=events)

    def found(**params: Any) -> list[str]:
        return messages(logs.filter_log_events(logGroupName="g", **params)["events"])

    assert found() == [t for texts in lines.values() for t in texts]
    assert found(filterPattern="ERROR") == ["ERROR disk full", "ERROR timeout talking to db", "ERROR disk full again"]
    assert found(filterPattern="ERROR disk") == ["ERROR disk full", "ERROR disk full again"]
    assert found(filterPattern='"disk full again"') == ["ERROR disk full again"]
    assert found(filterPattern="?WARN ?DEBUG") == ["WARN slow request", "DEBUG [x] detail"]
    assert found(filterPattern="ERROR -again") == ["ERROR disk full", "ERROR timeout talking to db"]
    assert found(filterPattern="error") == []
    assert found(logStreamNamePrefix="web/", filterPattern="INFO") == ["INFO started", "INFO ok"]
    assert found(logStreamNames=["api/a"]) == lines["api/a"]
    assert found(startTime=now - 10_000 + 100, endTime=now - 10_000 + 200) == lines["web/b"]
    answer = logs.filter_log_events(logGroupName="g", limit=1, filterPattern="ERROR")
    event = answer["events"][0]
    assert event["logStreamName"] == "web/a" and len(event["eventId"]) == 56 and answer["searchedLogStreams"] == []
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName="g", filterPattern="ERROR", PaginationConfig={"PageSize": 1}
    )
    assert [e["message"] for p in pages for e in p["events"]] == found(filterPattern="ERROR")
    refused = [
        (
            lambda: logs.filter_log_events(logGroupName="g", filterPattern='{ $.level = "x" }'),
            "trunkline matches filter patterns of terms only; JSON, space-delimited and regular expression "
            "patterns are not supported.",
        ),
        (
            lambda: logs.filter_log_events(logGroupName="g", logStreamNames=["a"], logStreamNamePrefix="a"),
            "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.",
        ),
        (
            lambda: logs.filter_log_events(logGroupName="g", nextToken="nope"),
            "The specified nextToken is invalid.",
        ),
    ]
    for call, message in refused:
        assert error_of(call) == ("InvalidParameterException", message)
    assert error_of(lambda: logs.filter_log_events(logGroupName="none")) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )


def test_deleting_a_group_deletes_its_streams_and_events(logs: Any, server: Server) -> None:
    _fill(logs, server, 3)
    logs.delete_log_group(logGroupName="g")
    logs.create_log_group(logGroupName="g")
    assert logs.describe_log_streams(logGroupName="g")["logStreams"] == []
    assert logs.filter_log_events(logGroupName="g")["events"] == []


# --- the AWS CLI ------------------------------------------------------------------------------------


def test_logs_with_the_aws_cli(cli: Callable[..., Any], server: Server) -> None:
    assert cli("logs", "create-log-group", "--log-group-name", "/cli/app", "--tags", "team=net") is None
    cli("logs", "put-retention-policy", "--log-group-name", "/cli/app", "--retention-in-days", "30")
    groups = cli("logs", "describe-log-groups", "--log-group-name-prefix", "/cli")["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in groups] == [("/cli/app", 30)]
    assert cli("logs", "list-tags-log-group", "--log-group-name", "/cli/app") == {"tags": {"team": "net"}}
    cli("logs", "tag-resource", "--resource-arn", groups[0]["logGroupArn"], "--tags", "env=dev")
    assert cli("logs", "list-tags-for-resource", "--resource-arn", groups[0]["logGroupArn"]) == {
        "tags": {"team": "net", "env": "dev"}
    }
    cli("logs", "create-log-stream", "--log-group-name", "/cli/app", "--log-stream-name", "s1")
    now = clock_ms(server)
    events = json.dumps([{"timestamp": now, "message": "hello from the cli"}])
    put = cli(
        "logs", "put-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "s1", "--log-events", events
    )
    assert "nextSequenceToken" in put
    got = cli("logs", "get-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "s1", "--start-from-head")
    assert messages(got["events"]) == ["hello from the cli"]
    filtered = cli("logs", "filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern", "cli")
    assert messages(filtered["events"]) == ["hello from the cli"]
    streams = cli("logs", "describe-log-streams", "--log-group-name", "/cli/app")["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["s1"]
    cli("logs", "delete-log-stream", "--log-group-name", "/cli/app", "--log-stream-name", "s1")
    cli("logs", "delete-retention-policy", "--log-group-name", "/cli/app")
    cli("logs", "untag-log-group", "--log-group-name", "/cli/app", "--tags", "team")
    cli("logs", "untag-resource", "--resource-arn", groups[0]["logGroupArn"], "--tag-keys", "env")
    assert cli("logs", "list-tags-log-group", "--log-group-name", "/cli/app") == {"tags": {}}
    cli("logs", "delete-log-group", "--log-group-name", "/cli/app")
    with pytest.raises(CliError) as caught:
        cli("logs", "delete-log-group", "--log-group-name", "/cli/app")
    assert "ResourceNotFoundException" in caught.value.stderr
    assert "The specified log group does not exist." in caught.value.stderr
