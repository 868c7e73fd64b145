"""The fixed cost of one request: trivial calls through boto3 against a trunkline server, against
the same calls answered inside botocore (the client's floor), in one run.

    .venv/bin/python benchmarks/bench_request_floor.py                       # this tree, 300 calls each
    .venv/bin/python benchmarks/bench_request_floor.py --base /tmp/base/src  # and another tree, alternating
    .venv/bin/python benchmarks/bench_request_floor.py --references          # and two servers that only replay
    .venv/bin/python benchmarks/bench_request_floor.py --base /tmp/base/src --asgi   # CPU of the app alone, in process
    .venv/bin/python benchmarks/bench_request_floor.py --base /tmp/base/src --interleave   # both servers, call by call

Each tree gets a fresh `trunkline serve --port 0 --state :memory: --timing fast` (PYTHONPATH set to
its `src`), one cluster, and `--calls` calls of each of ListClusters, DescribeClusters (one
cluster) and DescribeVpcs (the default VPC) through boto3, after a warm-up; the server's CPU time is
read from /proc around each block. The floor: the same calls again with botocore's `before-send`
hook returning the answers the server gave (so nothing leaves botocore: serialising, signing and
parsing are left). Printed per call: the median wall time, the floor's, their ratio, the
difference (what the server and HTTP add per request) and the server's CPU per call. Compare
trees within one run: the machine is shared.

`--references`: ListClusters also against two servers that do nothing but send trunkline's
recorded answer back: a bare ASGI app under uvicorn as trunkline runs it (`http://` + httptools +
uvloop), and a plain blocking socket loop. They split the per-request gap: what the HTTP exchange
costs the client and the kernel (socket loop - floor), what uvicorn adds (uvicorn - socket loop),
and what trunkline's own request path adds (trunkline - uvicorn).

`--asgi`: instead, each tree's ASGI app is called in a child process (no uvicorn, no sockets: the
scope, the body and the answer as uvicorn would hand them over), `--calls` x 10 times per call
under uvloop, and the process's CPU time per call is reported: trunkline's own request path (the
endpoint, the hand-off to the store worker and back, routing, parsing, the call, serialising)
with the least noise a shared machine allows.

`--interleave` (with `--base`): both trees' servers run at once and each call goes to one then the
other, alternating which goes first, so the load of other tenants falls on both alike; medians of
`--calls` calls each, and DescribeInstances of one and of ten instances besides.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

import replay_server
from bench_vs_moto import RawBody, clients, start_http_floor
from common import cpu_seconds, serve_tree, stop

HERE = Path(__file__).resolve().parent
REGION = "us-east-1"
CLUSTER = "floor"


class _Replay:
    """Answers every call in `before-send` with one recorded answer (no request leaves botocore)."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.answer = (status, headers, body)

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        status, headers, body = self.answer
        return AWSResponse(request.url, status, headers, RawBody(body))


def _calls(c: dict[str, Any]) -> dict[str, tuple[Any, Callable[[], Any]]]:
    return {
        "ListClusters": (c["ecs"], c["ecs"].list_clusters),
        "DescribeClusters": (c["ecs"], lambda: c["ecs"].describe_clusters(clusters=[CLUSTER])),
        "DescribeVpcs": (c["ec2"], c["ec2"].describe_vpcs),
    }


def _timed(call: Callable[[], Any], n: int) -> list[float]:
    times = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return times


def _one(src: str, calls: int) -> dict[str, float]:
    server, url = serve_tree(src)
    row: dict[str, float] = {}
    try:
        c = clients(url)
        c["ecs"].create_cluster(clusterName=CLUSTER)
        for name, (client, call) in _calls(c).items():
            recorded: list[tuple[int, dict[str, str], bytes]] = []

            def record(response_dict: dict[str, Any] | None = None, _into: list[Any] = recorded, **_: Any) -> None:
                if response_dict is not None:
                    _into.append((response_dict["status_code"], dict(response_dict["headers"]), response_dict["body"]))

            client.meta.events.register("response-received", record)
            _timed(call, 20)  # warm-up: the server's first calls load models and modules
            client.meta.events.unregister("response-received", record)
            before = cpu_seconds(server.pid)
            wall = _timed(call, calls)
            used = cpu_seconds(server.pid) - before
            replay = _Replay(*recorded[-1])
            client.meta.events.register_first("before-send", replay)
            floor = _timed(call, calls)
            client.meta.events.unregister("before-send", replay)
            row[f"{name} ms"] = statistics.median(wall) * 1000
            row[f"{name} floor ms"] = statistics.median(floor) * 1000
            row[f"{name} server CPU ms"] = used / calls * 1000
    finally:
        server.terminate()
        server.wait()
    return row


_REPLAY_SOCKET = """
import socket, sys
status, headers, body = eval(sys.stdin.read())
head = "".join(f"{k}: {v}\\r\\n" for k, v in headers.items() if k.lower() != "transfer-encoding")
answer = f"HTTP/1.1 {status} OK\\r\\n{head}\\r\\n".encode() + body
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
while True:
    conn, _ = listener.accept()
    buffered = b""
    while chunk := conn.recv(65536):
        buffered += chunk
        while b"\\r\\n\\r\\n" in buffered:
            head_part, rest = buffered.split(b"\\r\\n\\r\\n", 1)
            length = 0
            for line in head_part.split(b"\\r\\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if len(rest) < length:
                break
            buffered = rest[length:]
            conn.sendall(answer)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _references(src: str, calls: int) -> dict[str, float]:
    """ListClusters against replaying servers (see the module doc), with trunkline's answer."""
    server, url = serve_tree(src)
    try:
        recorded: list[Any] = []
        ecs = clients(url)["ecs"]
        ecs.meta.events.register(
            "response-received",
            lambda response_dict=None, **_: recorded.append(
                (response_dict["status_code"], dict(response_dict["headers"]), response_dict["body"])
            ),
        )
        ecs.list_clusters()
    finally:
        server.terminate()
        server.wait()
    row: dict[str, float] = {}
    recording = replay_server.write([recorded[-1]])
    uvicorn_replay = start_http_floor(recording)  # bench_vs_moto's HTTP floor, this one answer
    try:
        _reference(row, "uvicorn replay", uvicorn_replay.url, uvicorn_replay.process.pid, calls)
    finally:
        stop(uvicorn_replay)
        os.unlink(recording)
    port = _free_port()
    socket_replay = subprocess.Popen(
        [sys.executable, "-c", _REPLAY_SOCKET, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert socket_replay.stdin is not None and socket_replay.stdout is not None
        socket_replay.stdin.write(repr(recorded[-1]))
        socket_replay.stdin.close()
        socket_replay.stdout.readline()  # listening
        _reference(row, "socket replay", f"http://127.0.0.1:{port}", socket_replay.pid, calls)
    finally:
        socket_replay.kill()
        socket_replay.wait()
    return row


def _reference(row: dict[str, float], name: str, url: str, pid: int, calls: int) -> None:
    """ListClusters against a replaying server: its median wall time and CPU per call into `row`."""
    ecs = clients(url)["ecs"]
    _timed(ecs.list_clusters, 20)
    before = cpu_seconds(pid)
    row[f"ListClusters, {name} ms"] = statistics.median(_timed(ecs.list_clusters, calls)) * 1000
    row[f"ListClusters, {name} server CPU ms"] = (cpu_seconds(pid) - before) / calls * 1000


def _asgi_child(calls: int) -> None:
    """`--asgi`'s measurement, in the child whose PYTHONPATH is the tree's `src`: prints JSON."""
    import json

    import uvloop

    from trunkline.app import create_app
    from trunkline.runtime import Config, Runtime

    runtime = Runtime(Config(timing="fast"))
    runtime.warm_up()
    app = create_app(runtime)
    session = boto3.session.Session(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="secret", region_name=REGION
    )
    requests: dict[str, Any] = {}
    for service, operation, params in (
        ("ecs", "ListClusters", {}),
        ("ecs", "DescribeClusters", {"clusters": ["default"]}),
        ("ec2", "DescribeVpcs", {}),
    ):
        client = session.client(service, endpoint_url="http://127.0.0.1:4590")

        def keep(request: Any, _name: str = operation, _json: bool = service == "ecs", **_: Any) -> AWSResponse:
            requests[_name] = request
            return AWSResponse(request.url, 200, {}, RawBody(b"{}" if _json else b"<a/>"))

        client.meta.events.register_first("before-send", keep)
        # The placeholder answer may not parse as the output: the request is kept all the same.
        with contextlib.suppress(Exception):
            getattr(client, _snake(operation))(**params)

    async def measure() -> dict[str, float]:
        row = {}
        for name, request in requests.items():
            body = request.body or b""
            body = body.encode() if isinstance(body, str) else body
            headers = [
                (k.lower().encode(), v if isinstance(v, bytes) else v.encode()) for k, v in request.headers.items()
            ]
            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": request.method,
                "scheme": "http",
                "path": "/",
                "raw_path": b"/",
                "query_string": b"",
                "root_path": "",
                "headers": [(b"host", b"127.0.0.1:4590"), *headers],
                "client": ("127.0.0.1", 50000),
                "server": ("127.0.0.1", 4590),
            }

            async def receive(_body: bytes = body) -> dict[str, Any]:
                return {"type": "http.request", "body": _body, "more_body": False}

            async def send(message: MutableMapping[str, Any]) -> None:
                pass

            for _ in range(200):
                await app(scope, receive, send)
            began = time.process_time()
            for _ in range(calls * 10):
                await app(scope, receive, send)
            row[f"{name} app CPU us"] = (time.process_time() - began) / (calls * 10) * 1e6
        return row

    print(json.dumps(uvloop.run(measure())))


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _asgi(src: str, calls: int) -> dict[str, float]:
    import json

    env = dict(os.environ, PYTHONPATH=src)
    command = [sys.executable, __file__, "--asgi-child", "--calls", str(calls)]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    found: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return found


def _report(title: str, rows: list[dict[str, float]]) -> dict[str, float]:
    median = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    print(f"\n{title} (medians of {len(rows)} runs)")
    print("| call | wall ms | floor ms | wall / floor | server + HTTP ms | server CPU ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in ("ListClusters", "DescribeClusters", "DescribeVpcs"):
        wall, floor, cpu = median[f"{name} ms"], median[f"{name} floor ms"], median[f"{name} server CPU ms"]
        print(f"| {name} | {wall:.3f} | {floor:.3f} | x{wall / floor:.2f} | {wall - floor:.3f} | {cpu:.3f} |")
    floor = median["ListClusters floor ms"]
    for name in ("uvicorn replay", "socket replay"):
        if f"ListClusters, {name} ms" in median:
            wall, cpu = median[f"ListClusters, {name} ms"], median[f"ListClusters, {name} server CPU ms"]
            print(
                f"| ListClusters, {name} | {wall:.3f} | {floor:.3f} | x{wall / floor:.2f} | {wall - floor:.3f} | {cpu:.3f} |"
            )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="another tree's src directory, measured alternately in the same run")
    parser.add_argument("--new", default=str(HERE.parent / "src"), help="the tree to measure (default: this one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=300, help="calls of each operation per run")
    parser.add_argument("--references", action="store_true", help="ListClusters against replaying servers too")
    parser.add_argument("--asgi", action="store_true", help="CPU per call of each tree's ASGI app, in process")
    parser.add_argument("--asgi-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--interleave", action="store_true", help="with --base: both servers at once, call by call")
    args = parser.parse_args()
    if args.interleave:
        if args.base is None:
            parser.error("--interleave compares two trees: give --base")
        _interleave_main(args)
        return
    if args.asgi_child:
        _asgi_child(args.calls)
        return
    if args.asgi:
        _asgi_main(args)
        return
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())

    def measure(name: str, src: str) -> dict[str, float]:
        row = _one(src, args.calls)
        if args.references and name == "after":
            row.update(_references(src, args.calls))
        return row

    trees, rows = _alternating(args, measure, ".3f")
    medians = {name: _report(f"{name}: {trees[name]}", rows[name]) for name in trees}
    if args.base is not None:
        print("\n| after / before | wall | server + HTTP | server CPU |\n| --- | ---: | ---: | ---: |")
        b, a = medians["before"], medians["after"]
        for name in ("ListClusters", "DescribeClusters", "DescribeVpcs"):
            extra_b = b[f"{name} ms"] - b[f"{name} floor ms"]
            extra_a = a[f"{name} ms"] - a[f"{name} floor ms"]
            print(
                f"| {name} | {a[f'{name} ms'] / b[f'{name} ms']:.2f} | {extra_a / extra_b:.2f} "
                f"| {a[f'{name} server CPU ms'] / b[f'{name} server CPU ms']:.2f} |"
            )
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


def _interleave_main(args: argparse.Namespace) -> None:
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    trees = {"before": args.base, "after": args.new}
    servers = {name: serve_tree(src) for name, src in trees.items()}
    try:
        c = {name: clients(url) for name, (_, url) in servers.items()}
        hosts = {}
        for name, each in c.items():
            each["ecs"].create_cluster(clusterName=CLUSTER)
            image = each["ec2"].describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
            launched = each["ec2"].run_instances(ImageId=image, InstanceType="c5.xlarge", MinCount=10, MaxCount=10)
            hosts[name] = [i["InstanceId"] for i in launched["Instances"]]
        calls: dict[str, Callable[[str], Any]] = {
            "ListClusters": lambda n: c[n]["ecs"].list_clusters(),
            "DescribeClusters": lambda n: c[n]["ecs"].describe_clusters(clusters=[CLUSTER]),
            "DescribeVpcs": lambda n: c[n]["ec2"].describe_vpcs(),
            "DescribeInstances (1)": lambda n: c[n]["ec2"].describe_instances(InstanceIds=hosts[n][:1]),
            "DescribeInstances (10)": lambda n: c[n]["ec2"].describe_instances(InstanceIds=hosts[n]),
        }
        print("| median wall per call, interleaved | before | after | after / before |\n| --- | ---: | ---: | ---: |")
        for label, call in calls.items():
            times: dict[str, list[float]] = {"before": [], "after": []}
            for i in range(args.calls + 20):
                for name in ("before", "after") if i % 2 else ("after", "before"):
                    began = time.perf_counter()
                    call(name)
                    if i >= 20:  # the first calls load models and modules
                        times[name].append(time.perf_counter() - began)
            before, after = (statistics.median(times[n]) * 1000 for n in ("before", "after"))
            print(f"| {label} | {before:.3f} ms | {after:.3f} ms | {after / before:.2f} |", flush=True)
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait()
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


def _alternating(
    args: argparse.Namespace, measure: Callable[[str, str], dict[str, float]], shown: str
) -> tuple[dict[str, str], dict[str, list[dict[str, float]]]]:
    """The trees (`--new` as "after", `--base` as "before" if given) and `--runs` rows of each,
    measured in alternating order (each run's figures printed as they come)."""
    trees = {"after": args.new} if args.base is None else {"before": args.base, "after": args.new}
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for i in range(args.runs):
        for name in list(trees) if i % 2 == 0 else list(trees)[::-1]:
            rows[name].append(measure(name, trees[name]))
            print(
                f"run {i + 1}: {name:6} " + ", ".join(f"{k} {v:{shown}}" for k, v in rows[name][-1].items()), flush=True
            )
    return trees, rows


def _asgi_main(args: argparse.Namespace) -> None:
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    trees, rows = _alternating(args, lambda name, src: _asgi(src, args.calls), ".1f")
    medians = {name: {k: statistics.median(r[k] for r in rows[name]) for k in rows[name][0]} for name in trees}
    header = [*trees, "after / before"] if len(trees) == 2 else list(trees)
    print(f"\n| CPU per call through the ASGI app, median of {args.runs} | " + " | ".join(header) + " |")
    print("| --- |" + " ---: |" * len(header))
    for key in medians["after"]:
        cells = [f"{medians[name][key]:.1f} us" for name in trees]
        if len(trees) == 2:
            cells.append(f"{medians['after'][key] / medians['before'][key]:.2f}")
        print(f"| {key.removesuffix(' app CPU us')} | " + " | ".join(cells) + " |")
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
