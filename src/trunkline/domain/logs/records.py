"""The stored CloudWatch Logs records, typed: each a `TypedDict` (why TypedDict: see
`domain/ec2/records.py`), tied to its kind in `kinds.py`. Groups and streams are stored in the
output shape's member names plus private fields (starting with `_`, never answered); the views
(`groups.view`, `streams.view`) add what is computed (ARNs, sizes, the sequence token)."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class LogGroupRecord(TypedDict):
    logGroupName: str
    creationTime: int  # epoch milliseconds
    logGroupClass: str  # STANDARD unless given
    deletionProtectionEnabled: bool
    tags: dict[str, str]
    _storedBytes: int  # message bytes put so far (answered as storedBytes)
    kmsKeyId: NotRequired[str]
    retentionInDays: NotRequired[int]  # absent: kept forever


class LogStreamRecord(TypedDict):
    logStreamName: str
    creationTime: int  # epoch milliseconds
    firstEventTimestamp: NotRequired[int]  # these three once events arrive
    lastEventTimestamp: NotRequired[int]
    lastIngestionTime: NotRequired[int]
    _group: str  # its group's name
    _uploads: int  # PutLogEvents calls so far (the deprecated sequence token counts them)


class LogEventRecord(TypedDict):
    """One event, in one-letter members: there are many, and every byte is stored once per event."""

    g: str  # the group's name
    n: str  # the stream's name
    s: int  # SEQ, from one counter per store: orders events of equal timestamp
    t: int  # timestamp, epoch milliseconds
    m: str  # message
    i: int  # ingestion time, epoch milliseconds
