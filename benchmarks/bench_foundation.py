"""Foundation benchmark: how fast `trunkline serve` starts, and what a small AWS call costs the server.

    .venv/bin/python benchmarks/bench_foundation.py            # defaults: 10 starts, 2000 rounds
    .venv/bin/python benchmarks/bench_foundation.py --starts 20 --rounds 5000 --state sqlite
    .venv/bin/python benchmarks/bench_foundation.py --realtime   # as root, on a busy shared machine

(a) Start-up: spawn `trunkline serve --port 0 --state S` and time until its ready line is printed, for
    S = `:memory:` and for a new SQLite file each time; report the median (and min/max), the
    server's CPU time at that moment, and the time until its answer to a first AWS call (STS
    GetCallerIdentity sent as soon as the ready line arrives: the service models and providers load
    after the ready line). Baselines from the same run, interleaved with the starts: `python -c pass`
    (the interpreter alone) and `python -c "import botocore.session"` (what any botocore client
    imports before its first call); the start-up is also given as a ratio to each.
(b) Per-request cost: one server, one keep-alive HTTP connection (http.client, no boto3), requests
    interleaved round by round: GET /_trunkline/health, STS GetCallerIdentity and IAM GetRole (form
    POSTs with a SigV4-shaped Authorization header). The AWS call's server-side overhead is reported
    as median(AWS call) - median(health): the HTTP, ASGI and client costs the two share cancel out,
    what is left is routing, parsing, validation, the store transaction and serialisation.

Targets: start-up under 0.4 s (issue 16); overhead of a small AWS call under 1 ms (median).
Exit status 0 whatever the figures are; the table says which targets were met.
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

STARTUP_TARGET_S = 0.4
OVERHEAD_TARGET_MS = 1.0
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"


def trunkline_command() -> list[str]:
    """The installed `trunkline` script next to this interpreter, else `python -m trunkline`."""
    script = shutil.which("trunkline", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "trunkline"]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- (a) start-up ---------------------------------------------------------------------------------


def server_env() -> dict[str, str]:
    """The servers write and reuse bytecode caches, as an installed trunkline does: with
    PYTHONDONTWRITEBYTECODE set, every start of an editable install compiles trunkline's modules
    anew (about 30 ms of CPU)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass
class Started:
    process: subprocess.Popen[str]
    url: str
    seconds: float  # wall time from spawn to the ready line
    cpu: float | None  # CPU time the server had used when its ready line arrived
    began: float = 0.0  # perf_counter at the spawn


def start(state: str, *extra: str) -> Started:
    command = [*trunkline_command(), "serve", "--port", "0", "--state", state, *extra]
    began = time.perf_counter()
    # stderr to a file, not a pipe: nobody reads it while the server runs.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=server_env())
        assert process.stdout is not None
        line = process.stdout.readline()
        seconds = time.perf_counter() - began
        cpu = cpu_seconds(process.pid)
        if "ready at " not in line:
            process.kill()
            process.wait(timeout=10)
            log.seek(0)
            raise SystemExit(f"trunkline did not start: {line!r}\n{log.read().decode(errors='replace')}")
    return Started(process, line.split("ready at ", 1)[1].split()[0], seconds, cpu, began)


def stop(started: Started) -> None:
    started.process.terminate()
    try:
        started.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        started.process.kill()
        started.process.wait()


@dataclass
class Startup:
    """One kind of start, over the runs: wall seconds to the ready line (or the exit, for a
    baseline), CPU seconds by then, and wall seconds to the first AWS answer (servers only)."""

    label: str
    walls: list[float]
    cpus: list[float]
    answers: list[float]


def first_answer(started: Started) -> float:
    """Wall seconds from the spawn to the answer of a first AWS call sent right after the ready line."""
    conn = connect(started.url)
    call = calls()[1]  # STS GetCallerIdentity
    status, payload = send(conn, call)
    elapsed = time.perf_counter() - started.began
    conn.close()
    if status != 200:
        raise SystemExit(f"first call answered {status}: {payload[:300]!r}")
    return elapsed


def server_start(state: str, into: Startup) -> None:
    started = start(state)
    try:
        into.walls.append(started.seconds)
        if started.cpu is not None:
            into.cpus.append(started.cpu)
        into.answers.append(first_answer(started))
    finally:
        stop(started)


def baseline_start(code: str, into: Startup) -> None:
    """`python -c CODE` from spawn to exit: wall, and its CPU from the children's rusage."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=server_env())
    into.walls.append(time.perf_counter() - began)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    into.cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


BASELINES = {"python -c pass": "pass", "python -c 'import botocore.session'": "import botocore.session"}


def startup_times(tmp: str, runs: int) -> list[Startup]:
    """Every kind of start once per round, `runs` rounds: the load of the moment weighs on all."""
    kinds = [Startup(label, [], [], []) for label in (*BASELINES, ":memory:", "new SQLite file")]
    for i in range(runs):
        for code, into in zip(BASELINES.values(), kinds, strict=False):
            baseline_start(code, into)
        server_start(":memory:", kinds[-2])
        server_start(str(Path(tmp) / f"start-{i}.sqlite3"), kinds[-1])
    return kinds


# --- (b) per-request cost -------------------------------------------------------------------------


def aws_headers(service: str, body: bytes) -> dict[str, str]:
    """Headers shaped like a botocore SigV4 form POST. The signature is not checked (yet) by trunkline,
    so a fixed one does; the date is today's so the scope looks current."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    scope = f"{ACCESS_KEY}/{stamp[:8]}/us-east-1/{service}/aws4_request"
    return {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Content-Length": str(len(body)),
        "X-Amz-Date": stamp,
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=content-type;host;x-amz-date, Signature={'0' * 64}"
        ),
    }


@dataclass
class Call:
    name: str
    method: str
    path: str
    body: bytes
    headers: dict[str, str]


def calls() -> list[Call]:
    sts = urlencode({"Action": "GetCallerIdentity", "Version": "2011-06-15"}).encode()
    iam = urlencode({"Action": "GetRole", "Version": "2010-05-08", "RoleName": "bench-role"}).encode()
    return [
        Call("GET /_trunkline/health", "GET", "/_trunkline/health", b"", {}),
        Call("STS GetCallerIdentity", "POST", "/", sts, aws_headers("sts", sts)),
        Call("IAM GetRole", "POST", "/", iam, aws_headers("iam", iam)),
    ]


def send(conn: http.client.HTTPConnection, call: Call) -> tuple[int, bytes]:
    conn.request(call.method, call.path, body=call.body or None, headers=call.headers)
    response = conn.getresponse()
    return response.status, response.read()


def create_role(conn: http.client.HTTPConnection) -> None:
    policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    body = urlencode(
        {"Action": "CreateRole", "Version": "2010-05-08", "RoleName": "bench-role", "AssumeRolePolicyDocument": policy}
    ).encode()
    status, payload = send(conn, Call("CreateRole", "POST", "/", body, aws_headers("iam", body)))
    if status != 200 and b"EntityAlreadyExists" not in payload:
        raise SystemExit(f"CreateRole failed: {status} {payload[:300]!r}")


def connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)


def latencies(
    conn: http.client.HTTPConnection, measured: list[Call], rounds: int, warmup: int
) -> dict[str, list[float]]:
    """Client-side wall time of each call, interleaved: every round sends each call once."""
    samples: dict[str, list[float]] = {call.name: [] for call in measured}
    clock = time.perf_counter
    for i in range(warmup + rounds):
        # Rotate the order each round so no call always follows the same one.
        order = measured[i % 3 :] + measured[: i % 3]
        for call in order:
            began = clock()
            status, _ = send(conn, call)
            elapsed = clock() - began
            if status != 200:
                raise SystemExit(f"{call.name} answered {status} in round {i}")
            if i >= warmup:
                samples[call.name].append(elapsed)
    return samples


def server_cpu(conn: http.client.HTTPConnection, pid: int, measured: list[Call], rounds: int) -> dict[str, float]:
    """The server's CPU seconds per request of each kind, from /proc, in alternating blocks of one
    kind (CPU time cannot be split within an interleaved round). Includes the server's idle work
    (the reconciler's tick) during the block, the same for every kind."""
    block = 100
    used = {call.name: 0.0 for call in measured}
    sent = {call.name: 0 for call in measured}
    for _ in range(max(1, rounds // block)):
        for call in measured:
            before = cpu_seconds(pid)
            for _ in range(block):
                send(conn, call)
            after = cpu_seconds(pid)
            if before is None or after is None:
                return {}
            used[call.name] += after - before
            sent[call.name] += block
    return {name: used[name] / sent[name] for name in used}


# --- report ---------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.3f}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--starts", type=int, default=10, help="start-ups per state kind (default 10)")
    parser.add_argument("--rounds", type=int, default=2000, help="timed rounds of the three requests (default 2000)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed rounds first (default 200)")
    parser.add_argument(
        "--state",
        choices=["memory", "sqlite"],
        default="memory",
        help="store of the per-request server: :memory: or a SQLite file (default memory)",
    )
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run this script and its servers under SCHED_FIFO (needs root): on a shared machine, "
        "other processes then no longer add their waits to the wall times",
    )
    args = parser.parse_args()
    scheduling = "normal"
    if args.realtime:
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))  # the servers inherit it
            scheduling = "SCHED_FIFO 10"
        except (AttributeError, PermissionError) as error:
            print(f"--realtime: cannot switch to SCHED_FIFO ({error}); measuring with normal scheduling")

    import trunkline

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"trunkline {trunkline.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load {load:.2f}, scheduling: {scheduling}"
    )
    print(f"server command: {' '.join(trunkline_command())} serve --port 0 --state ...")
    print("wall = spawn to ready line; cpu = the server's CPU time when the ready line arrived\n")

    failures = []
    with tempfile.TemporaryDirectory(prefix="trunkline-bench-") as tmp:
        print(
            f"(a) start-up, {args.starts} interleaved rounds (ms)        target: median wall to ready < {STARTUP_TARGET_S * 1000:.0f} ms"
        )
        print(f"    {'start':<38}{'wall median':>12}{'min':>9}{'max':>9}{'cpu median':>12}{'1st answer':>12}")
        # Untimed: writes bytecode caches and the service-model cache, warms the page cache.
        server_start(":memory:", Startup("untimed", [], [], []))
        kinds = startup_times(tmp, args.starts)
        for kind in kinds:
            median = statistics.median(kind.walls)
            cpu = ms(statistics.median(kind.cpus)) if kind.cpus else "      n/a"
            answer = ms(statistics.median(kind.answers)) if kind.answers else "         "
            verdict = ""
            if kind.answers:  # a trunkline start, not a baseline
                ok = median < STARTUP_TARGET_S
                verdict = "  met" if ok else "  MISSED"
                if not ok:
                    failures.append(f"start-up ({kind.label})")
            print(
                f"    {kind.label:<38}{ms(median):>12}{ms(min(kind.walls))}{ms(max(kind.walls))}{cpu:>12}{answer:>12}{verdict}"
            )
        print("\n    trunkline's start-up (median wall to ready; cpu) as a multiple of each baseline:")
        for kind in kinds[2:]:
            for baseline in kinds[:2]:
                wall = statistics.median(kind.walls) / statistics.median(baseline.walls)
                cpu_ratio = ""
                if kind.cpus and baseline.cpus and statistics.median(baseline.cpus) > 0:
                    cpu_ratio = f"; cpu x{statistics.median(kind.cpus) / statistics.median(baseline.cpus):.2f}"
                print(f"    {kind.label:<18} / {baseline.label:<38} wall x{wall:.2f}{cpu_ratio}")

        state = ":memory:" if args.state == "memory" else str(Path(tmp) / "requests.sqlite3")
        server = start(state)
        try:
            conn = connect(server.url)
            create_role(conn)
            measured = calls()
            for call in measured:  # every call must succeed before it is timed
                status, payload = send(conn, call)
                if status != 200:
                    raise SystemExit(f"{call.name} answered {status}: {payload[:300]!r}")
            samples = latencies(conn, measured, args.rounds, args.warmup)
            cpu_per_call = server_cpu(conn, server.process.pid, measured, args.rounds)
            conn.close()
        finally:
            stop(server)

    print(f"\n(b) per request: one keep-alive connection, {args.rounds} interleaved rounds, state {state!r} (ms)")
    print(f"    {'request':<28}{'median':>9}{'p10':>9}{'p90':>9}{'p99':>9}{'server cpu':>12}")
    medians = {}
    for name, values in samples.items():
        medians[name] = statistics.median(values)
        cpu = ms(cpu_per_call[name]) if name in cpu_per_call else "      n/a"
        print(
            f"    {name:<28}{ms(medians[name])}{ms(percentile(values, 0.10))}"
            f"{ms(percentile(values, 0.90))}{ms(percentile(values, 0.99))}{cpu:>12}"
        )
    health = medians["GET /_trunkline/health"]
    print(f"\n    AWS call overhead = its median - health's median          target: < {OVERHEAD_TARGET_MS:.0f} ms")
    print(f"    {'AWS call':<28}{'overhead':>9}{'ratio':>9}{'cpu overhead':>14}")
    for name in ("STS GetCallerIdentity", "IAM GetRole"):
        overhead = medians[name] - health
        ok = overhead * 1000 < OVERHEAD_TARGET_MS
        if not ok:
            failures.append(f"overhead ({name})")
        cpu_overhead = "n/a"
        if cpu_per_call:
            cpu_overhead = ms(cpu_per_call[name] - cpu_per_call["GET /_trunkline/health"])
        print(
            f"    {name:<28}{ms(overhead)}{medians[name] / health:>8.2f}x{cpu_overhead:>14}  {'met' if ok else 'MISSED'}"
        )
    print(f"\ntargets missed: {', '.join(failures)}" if failures else "\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
