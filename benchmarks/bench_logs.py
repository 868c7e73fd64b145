"""CloudWatch Logs: how PutLogEvents, GetLogEvents, FilterLogEvents and DescribeLogStreams cost as
one stream grows to `--sizes` events (default 1,000 / 10,000 / 50,000).

    .venv/bin/python benchmarks/bench_logs.py                  # ~2 min on the project's machine
    .venv/bin/python benchmarks/bench_logs.py --sizes 1000 20000

Each size: the stream is filled with PutLogEvents batches of 1,000 events (the put rate is
printed), then the reads take turns with the health endpoint (interleaved medians, common.py):
GetLogEvents of the newest 100, FilterLogEvents for a term matching one event in ten (first 100),
DescribeLogStreams. Figures are medians in ms and the ratio to health measured in the same run
(the machine is shared: compare ratios, not milliseconds). Reads load the stream's events from the
store per call, so their cost grows with the stream; the script prints that growth.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from common import Client, interleaved_medians, machine, start, stop


def logs(client: Client, operation: str, **params: object) -> object:
    return client.json("logs", f"Logs_20140328.{operation}", dict(params))


def fill(client: Client, now_ms: int, start_at: int, count: int) -> float:
    """Put events start_at..start_at+count-1 (1,000 a batch); returns seconds taken."""
    began = time.perf_counter()
    for first in range(start_at, start_at + count, 1000):
        events = [
            {"timestamp": now_ms - 3_600_000 + n, "message": f"event {n} {'ERROR' if n % 10 == 0 else 'INFO'} ok"}
            for n in range(first, min(first + 1000, start_at + count))
        ]
        logs(client, "PutLogEvents", logGroupName="bench", logStreamName="s", logEvents=events)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        server = start(str(Path(tmp) / "state.sqlite3"))
        try:
            client = Client(server.url)
            now_ms = int(json.loads(client.raw("GET", "/_trunkline/clock"))["epochSeconds"] * 1000)
            logs(client, "CreateLogGroup", logGroupName="bench")
            logs(client, "CreateLogStream", logGroupName="bench", logStreamName="s")
            have = 0
            print(f"{'events':>8} {'put ev/s':>9} {'health':>8} {'get 100':>16} {'filter 100':>16} {'streams':>16}")
            first: dict[str, float] = {}
            for size in sorted(args.sizes):
                seconds = fill(client, now_ms, have, size - have)
                rate = (size - have) / seconds if size > have else float("nan")
                have = size
                calls = {
                    "health": client.health,
                    "get": lambda: logs(client, "GetLogEvents", logGroupName="bench", logStreamName="s", limit=100),
                    "filter": lambda: logs(
                        client, "FilterLogEvents", logGroupName="bench", filterPattern="ERROR", limit=100
                    ),
                    "streams": lambda: logs(client, "DescribeLogStreams", logGroupName="bench"),
                }
                medians = interleaved_medians(calls, args.samples, warmup=3)
                base = medians["health"]
                first = first or medians

                def cell(name: str, medians: dict[str, float] = medians, base: float = base) -> str:
                    return f"{medians[name] * 1000:7.2f} ({medians[name] / base:5.1f}x)"

                print(
                    f"{size:>8} {rate:>9.0f} {base * 1000:8.2f} {cell('get'):>16} {cell('filter'):>16} "
                    f"{cell('streams'):>16}"
                )
            for name in ("get", "filter", "streams"):
                print(f"{name}: {medians[name] / first[name]:.1f}x the cost at {min(args.sizes)} events")
        finally:
            stop(server)


if __name__ == "__main__":
    main()
