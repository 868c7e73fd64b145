"""Against moto, and against the client's own floor: the same boto3 script, timed against
trunkline, against moto's server, and with trunkline's recorded answers replayed inside botocore.

    /work/venv/bin/python benchmarks/bench_vs_moto.py                      # 3 runs each, 100 instances, 30 rounds
    /work/venv/bin/python benchmarks/bench_vs_moto.py --rounds 1 --instances 10 --workload 3   # a quick look
    .venv/bin/python benchmarks/bench_vs_moto.py --trunkline-url http://127.0.0.1:PORT   # profile a running server

moto is not a dependency of trunkline: if `--moto-python` (default /tmp/moto-venv/bin/python)
cannot import moto, the benchmark creates that throwaway venv and pip-installs `moto[server]` into
it. boto3 comes from the interpreter running the benchmark.

Each run starts a fresh server of each kind (trunkline: `trunkline serve --port 0 --state
:memory: --timing fast`; moto: `python -m moto.server -p PORT`), in alternating order, after one
untimed warm-up run each. trunkline with `--timing fast` runs its reconciler while the script goes
on (instances boot, trunks attach, tasks move through their lifecycle, in the same process), so
its figures include that work; moto runs nothing in the background.

The script (issue 16's workload; identical for both servers but for the endpoint): SSM
GetParameter of the ECS AL2023 image id, CreateVpc, ModifyVpcAttribute (DNS hostnames, which
moto's awsvpc RunTask needs), CreateSubnet (/20), CreateSecurityGroup, PutAccountSetting
awsvpcTrunking enabled, CreateCluster, RegisterTaskDefinition bridge and awsvpc (128 CPU, 128 MiB,
port 80); RunInstances 10 x 10 c5.xlarge; per instance DescribeInstances and
RegisterContainerInstance (identity document from DescribeInstances; the attributes both task
definitions require plus `ecs.capability.task-eni-trunking`, agent 1.82.0: what an agent that can
trunk reports); ListContainerInstances ACTIVE until all are (trunkline's are REGISTERING until
their trunk ENI is attached). Then 30 rounds of: DescribeContainerInstances (10),
ListContainerInstances, RunTask count 10 bridge, DescribeTasks, RunTask count 10 awsvpc,
DescribeTasks, DescribeInstances of the hosts.

The client floor: every HTTP answer trunkline gave in a run is recorded (botocore's
`response-received`), then the same script runs again with a `before-send` handler that returns
those answers as `AWSResponse`s, in order, and no sleeps: no request leaves botocore, so what is
left is the client's own cost (serialising, signing, parsing, the script).

The HTTP floor: the same recorded answers served, in order, by `replay_server.py` (uvicorn with a
bare ASGI app, the stack trunkline serves with, in its own process) and the script run against it
without sleeps: the client's cost plus the HTTP exchange, and no server work at all. What is left
between it and trunkline is trunkline's own work, and the sleeps of the script's wait for ACTIVE.

Reported: median wall time of the script and of the 30 rounds per server and for the floor;
per-operation medians; the targets (RunTask count 10 <= 0.5x moto's median, bridge and awsvpc;
the whole workload <= 1.5x the floor); and each server's CPU time (from /proc; trunkline's
includes its reconciler), which a busy machine distorts far less than wall time. Exit status 0.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

import replay_server
from common import Server, _has_quotas, cpu_seconds, machine, stop, trunkline_command

REGION = "us-east-1"
CLUSTER = "versus"
FAMILY = "versus-web"
FAMILY_VPC = "versus-vpc"
IMAGE_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
IMAGE_NAME = "al2023-ami-ecs-hvm-*-x86_64"
TARGET = 1.0
RUN_TASK_TARGET = 0.5  # RunTask count 10, trunkline / moto (issue 16)
FLOOR_TARGET = 1.5  # the whole script, trunkline / the client floor (issue 16)
FLOOR = "floor"
HTTP_FLOOR = "http floor"


def PAUSE() -> None:
    time.sleep(0.02)


# --- servers ------------------------------------------------------------------------------------------


def ensure_moto(python: Path) -> None:
    if python.exists() and subprocess.run([python, "-c", "import moto.server"], capture_output=True).returncode == 0:
        return
    venv = python.parent.parent
    print(f"installing moto[server] into {venv} (not a trunkline dependency) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "moto[server]"], check=True)


def moto_version(python: Path) -> str:
    out = subprocess.run([python, "-c", "import moto; print(moto.__version__)"], capture_output=True, text=True)
    return out.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_trunkline() -> Server:
    # Quotas lifted past what the script launches (when this trunkline has them).
    quotas = ["--vcpu-quota", "100000000", "--eni-quota", "100000000"] if _has_quotas() else []
    command = [*trunkline_command(), "serve", "--port", "0", "--state", ":memory:", "--timing", "fast", *quotas]
    log = tempfile.NamedTemporaryFile(prefix="trunkline-vs-moto-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    return ready(process, "trunkline", log.name)


def ready(process: subprocess.Popen[str], what: str, log: str | None = None) -> Server:
    """The server once its first line says "ready at URL"; else it is killed and the run ends."""
    assert process.stdout is not None
    line = process.stdout.readline()
    if "ready at " not in line:
        process.kill()
        said = Path(log).read_text()[-2000:] if log else ""
        raise SystemExit(f"{what} did not start: {line!r}\n{said}")
    return Server(process, line.split("ready at ", 1)[1].split()[0])


def start_moto(python: Path) -> Server:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="moto-server-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [str(python), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
            return Server(process, url)
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"moto did not start\n{Path(log.name).read_text()[-2000:]}")


# --- the script -------------------------------------------------------------------------------------------


def server_cpu(pid: int) -> Callable[[], float]:
    """The server process's CPU seconds so far (user + system, from /proc): unlike wall time it
    hardly moves when other work shares the machine."""
    return partial(cpu_seconds, pid)


def no_cpu() -> float:
    return 0.0


class Timer:
    """Each call's wall time, and the server's CPU time while it ran (for trunkline this includes
    its reconciler's work in the meantime: tasks moving through their lifecycle)."""

    def __init__(self, cpu: Callable[[], float] = no_cpu) -> None:
        self.cpu = cpu
        self.times: dict[str, list[float]] = defaultdict(list)
        self.cpu_times: dict[str, list[float]] = defaultdict(list)

    def __call__(self, label: str, call: Callable[..., Any], /, **params: Any) -> Any:
        used = self.cpu()
        began = time.perf_counter()
        answer = call(**params)
        self.times[label].append(time.perf_counter() - began)
        self.cpu_times[label].append(self.cpu() - used)
        return answer


def clients(url: str) -> dict[str, Any]:
    session = boto3.session.Session(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="secret", region_name=REGION
    )
    config = Config(retries={"total_max_attempts": 1})
    return {name: session.client(name, endpoint_url=url, config=config) for name in ("ec2", "ecs", "ssm")}


def image_id(ssm: Any, ec2: Any, timer: Timer) -> str:
    try:
        return str(timer("GetParameter", ssm.get_parameter, Name=IMAGE_PARAMETER)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound:
        images = timer(
            "DescribeImages",
            ec2.describe_images,
            Owners=["amazon"],
            Filters=[{"Name": "name", "Values": [IMAGE_NAME]}],
        )["Images"]
        return str(images[0]["ImageId"])


CONTAINER = {"name": "web", "image": "nginx:latest", "cpu": 128, "memory": 128, "essential": True}
# What an ECS agent that can trunk reports (trunkline decides trunking from these; moto ignores them).
AGENT_ATTRIBUTES = [{"name": "ecs.capability.task-eni-trunking"}, {"name": "ecs.capability.task-eni"}]
AGENT_VERSION = {"agentVersion": "1.82.0", "agentHash": "0", "dockerVersion": "DockerVersion: 25.0.0"}


def setup(c: dict[str, Any], timer: Timer, instances: int, pause: Callable[[], None]) -> dict[str, Any]:
    """Image, VPC, subnet, the account's trunking default, the cluster, a bridge and an awsvpc task
    definition, `instances` c5.xlarge registered by hand, waited until ACTIVE (trunk attached)."""
    ec2, ecs, ssm = c["ec2"], c["ecs"], c["ssm"]
    image = image_id(ssm, ec2, timer)
    vpc = timer("CreateVpc", ec2.create_vpc, CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # DNS hostnames on, as awsvpc tasks usually want (moto's awsvpc RunTask also needs it).
    timer("ModifyVpcAttribute", ec2.modify_vpc_attribute, VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = timer("CreateSubnet", ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.0.0/20", AvailabilityZone="us-east-1a")
    subnet_id = subnet["Subnet"]["SubnetId"]
    group = timer("CreateSecurityGroup", ec2.create_security_group, GroupName="tasks", Description="tasks", VpcId=vpc)
    timer("PutAccountSetting", ecs.put_account_setting, name="awsvpcTrunking", value="enabled")
    timer("CreateCluster", ecs.create_cluster, clusterName=CLUSTER)
    bridge = {"containerDefinitions": [{**CONTAINER, "portMappings": [{"containerPort": 80, "hostPort": 0}]}]}
    awsvpc = {"containerDefinitions": [{**CONTAINER, "portMappings": [{"containerPort": 80}]}]}
    # What the agent reports, by hand: the attributes both task definitions require (trunkline
    # lists them, as ECS does; moto lists none) and the trunking capability.
    reported = {a["name"]: a for a in AGENT_ATTRIBUTES}
    for family, mode, body in ((FAMILY, "bridge", bridge), (FAMILY_VPC, "awsvpc", awsvpc)):
        defined = timer("RegisterTaskDefinition", ecs.register_task_definition, family=family, networkMode=mode, **body)
        reported.update(
            {a["name"]: {"name": a["name"]} for a in defined["taskDefinition"].get("requiresAttributes", [])}
        )
    launched: list[str] = []
    while len(launched) < instances:
        batch = min(10, instances - len(launched))
        answer = timer(
            "RunInstances (10)",
            ec2.run_instances,
            ImageId=image,
            InstanceType="c5.xlarge",
            MinCount=batch,
            MaxCount=batch,
            SubnetId=subnet_id,
        )
        launched += [i["InstanceId"] for i in answer["Instances"]]
    arns = []
    for instance_id in launched:
        described = timer("DescribeInstances (1)", ec2.describe_instances, InstanceIds=[instance_id])
        instance = described["Reservations"][0]["Instances"][0]
        document = json.dumps(
            {
                "accountId": described["Reservations"][0]["OwnerId"],
                "architecture": instance.get("Architecture", "x86_64"),
                "availabilityZone": instance["Placement"]["AvailabilityZone"],
                "imageId": instance["ImageId"],
                "instanceId": instance_id,
                "instanceType": instance["InstanceType"],
                "privateIp": instance.get("PrivateIpAddress"),
                "region": REGION,
                "version": "2017-09-30",
            }
        )
        registered = timer(
            "RegisterContainerInstance",
            ecs.register_container_instance,
            cluster=CLUSTER,
            instanceIdentityDocument=document,
            attributes=list(reported.values()),
            versionInfo=AGENT_VERSION,
        )
        arns.append(registered["containerInstance"]["containerInstanceArn"])
    # ECS places tasks only on running, ACTIVE instances; a trunked one is REGISTERING until its
    # trunk ENI is attached (moto's are ACTIVE at once). The script waits, it does not settle.
    waited = time.perf_counter()
    while True:
        active = timer("ListContainerInstances (wait)", ecs.list_container_instances, cluster=CLUSTER, status="ACTIVE")
        if len(active["containerInstanceArns"]) >= instances:
            break
        pause()
    return {
        "subnet": subnet_id,
        "group": group["GroupId"],
        "instances": launched,
        "arns": arns,
        "waited_for_active_ms": round((time.perf_counter() - waited) * 1000, 1),
        "registered_attributes": len(registered["containerInstance"].get("attributes", [])),
    }


def workload(c: dict[str, Any], timer: Timer, world: dict[str, Any], rounds: int) -> dict[str, Any]:
    """Each round: describe 10 container instances, list them, RunTask count 10 bridge and count 10
    awsvpc, DescribeTasks of each, DescribeInstances of the hosts."""
    ecs, ec2 = c["ecs"], c["ec2"]
    arns, placed, failures, last = world["arns"], 0, [], None
    network = {"awsvpcConfiguration": {"subnets": [world["subnet"]], "securityGroups": [world["group"]]}}
    for i in range(rounds):
        some = [arns[(i * 10 + k) % len(arns)] for k in range(10)]
        timer(
            "DescribeContainerInstances (10)",
            ecs.describe_container_instances,
            cluster=CLUSTER,
            containerInstances=some,
        )
        timer("ListContainerInstances", ecs.list_container_instances, cluster=CLUSTER)
        hosts: set[str] = set()
        for mode, family, extra in (("bridge", FAMILY, {}), ("awsvpc", FAMILY_VPC, {"networkConfiguration": network})):
            ran = timer(
                f"RunTask (10, {mode})", ecs.run_task, cluster=CLUSTER, taskDefinition=family, count=10, **extra
            )
            failures += ran["failures"]
            task_arns = [t["taskArn"] for t in ran["tasks"]]
            placed += len(task_arns)
            if task_arns:
                last = timer("DescribeTasks (10)", ecs.describe_tasks, cluster=CLUSTER, tasks=task_arns)
                hosts.update(t["containerInstanceArn"] for t in last["tasks"] if t.get("containerInstanceArn"))
        ids = [world["instances"][arns.index(a)] for a in sorted(hosts) if a in arns][:20]
        if ids:
            timer("DescribeInstances (hosts)", ec2.describe_instances, InstanceIds=ids)
    return {
        "tasks_placed": placed,
        "run_task_failures": failures[:3],
        "last_task_status": (last or {}).get("tasks", [{}])[0].get("lastStatus") if last else None,
    }


def script(
    c: dict[str, Any],
    instances: int,
    rounds: int,
    notes: dict[str, Any],
    pause: Callable[[], None],
    cpu: Callable[[], float] = no_cpu,
) -> tuple[float, float, Timer]:
    """The whole script: its wall time, the rounds' wall time, and each call's time; the server's
    CPU time for the whole script and for the rounds go to `notes` (server_cpu_s, rounds_cpu_s)."""
    timer = Timer(cpu)
    began, used = time.perf_counter(), cpu()
    world = setup(c, timer, instances, pause)
    middle, used_middle = time.perf_counter(), cpu()
    found = workload(c, timer, world, rounds)
    ended, used_end = time.perf_counter(), cpu()
    notes.update({k: v for k, v in world.items() if k not in ("subnet", "group", "instances", "arns")}, **found)
    notes.update(server_cpu_s=round(used_end - used, 3), rounds_cpu_s=round(used_end - used_middle, 3))
    return ended - began, ended - middle, timer


# --- the client floor: trunkline's answers replayed inside botocore -------------------------------------


class RawBody:
    """The body botocore reads from an AWSResponse (`raw.stream()`)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


class Recorder:
    """Records every HTTP answer the clients get (`response-received`), in order; then answers the
    same calls from the recording in `before-send`, so no request leaves botocore: what is left of
    the script's time is the client's own (serialising, signing, parsing, the script)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes]] = []
        self.next = 0

    def record(self, c: dict[str, Any]) -> None:
        for client in c.values():
            client.meta.events.register("response-received", self._received)

    def _received(self, response_dict: dict[str, Any] | None = None, **_: Any) -> None:
        if response_dict is not None:
            self.answers.append((response_dict["status_code"], dict(response_dict["headers"]), response_dict["body"]))

    def replay(self, c: dict[str, Any]) -> None:
        self.next = 0
        for client in c.values():
            client.meta.events.register("before-send", self._answer)

    def _answer(self, request: Any, **_: Any) -> AWSResponse:
        status, headers, body = self.answers[self.next]
        self.next += 1
        return AWSResponse(request.url, status, headers, RawBody(body))


def start_http_floor(recording: str) -> Server:
    """replay_server.py answering with `recording`: HTTP and the client, no server work."""
    script_path = str(Path(__file__).resolve().parent / "replay_server.py")
    process = subprocess.Popen([sys.executable, script_path, recording], stdout=subprocess.PIPE, text=True)
    return ready(process, "the replay server")


# --- main ---------------------------------------------------------------------------------------------


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="script runs per server (after one warm-up)")
    parser.add_argument("--instances", type=int, default=100, help="c5.xlarge registered per script run")
    parser.add_argument("--workload", type=int, default=30, help="workload rounds per script run")
    parser.add_argument("--moto-python", type=Path, default=Path("/tmp/moto-venv/bin/python"))
    parser.add_argument("--trunkline-url", help="only run the script against this server (for profiling)")
    args = parser.parse_args()
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    if args.trunkline_url:
        noted: dict[str, Any] = {}
        seconds, rounds_s, timer = script(clients(args.trunkline_url), args.instances, args.workload, noted, PAUSE)
        print(f"script {seconds * 1000:.0f} ms, workload {rounds_s * 1000:.0f} ms")
        print(f"waited for ACTIVE {noted['waited_for_active_ms']:.0f} ms")
        for op, values in timer.times.items():
            print(f"  {op}: {len(values)} calls, median {median_ms(values):.2f} ms")
        return
    ensure_moto(args.moto_python)
    print(f"{machine()}, moto {moto_version(args.moto_python)}, boto3 {boto3.__version__}")
    print(
        f"{args.rounds} runs per server (alternating, after one warm-up each): {args.instances} c5.xlarge, "
        f"{args.workload} workload rounds\n"
    )
    starters: dict[str, Callable[[], Server]] = {
        "trunkline": start_trunkline,
        "moto": lambda: start_moto(args.moto_python),
    }
    measured = [*starters, FLOOR, HTTP_FLOOR]
    walls: dict[str, list[float]] = {name: [] for name in measured}
    parts: dict[str, list[float]] = {name: [] for name in measured}
    ops: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in measured}
    notes: dict[str, dict[str, Any]] = {name: {} for name in starters}
    op_cpus: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in starters}
    cpus: dict[str, list[tuple[float, float]]] = {name: [] for name in starters}

    def keep(name: str, seconds: float, rounds_s: float, timer: Timer, i: int) -> None:
        print(
            f"run {i}: {name:9} script {seconds * 1000:8.1f} ms, workload rounds {rounds_s * 1000:8.1f} ms", flush=True
        )
        if i == 0:
            return
        walls[name].append(seconds)
        parts[name].append(rounds_s)
        for op, values in timer.times.items():
            ops[name][op].extend(values)
        if name in notes:  # a server ran (not the floor)
            for op, values in timer.cpu_times.items():
                op_cpus[name][op].extend(values)
            cpus[name].append((notes[name]["server_cpu_s"], notes[name]["rounds_cpu_s"]))

    for i in range(args.rounds + 1):
        order = list(starters) if i % 2 == 0 else list(reversed(starters))
        for name in order:
            server = starters[name]()
            recorder = Recorder()
            try:
                c = clients(server.url)
                if name == "trunkline":
                    recorder.record(c)
                seconds, rounds_s, timer = script(
                    c, args.instances, args.workload, notes[name], PAUSE, server_cpu(server.process.pid)
                )
            finally:
                stop(server)
            keep(name, seconds, rounds_s, timer, i)
            if name == "trunkline":
                # The same script, trunkline's answers replayed: no server, no sleeps.
                c = clients(server.url)
                recorder.replay(c)
                seconds, rounds_s, timer = script(c, args.instances, args.workload, {}, lambda: None)
                assert recorder.next == len(recorder.answers), "the replay took another path"
                keep(FLOOR, seconds, rounds_s, timer, i)
                keep(HTTP_FLOOR, *http_floor(recorder, args), i)
    report(args, walls, parts, ops, notes)
    report_cpu(cpus, op_cpus)


def http_floor(recorder: Recorder, args: argparse.Namespace) -> tuple[float, float, Timer]:
    """The script against replay_server.py serving trunkline's recorded answers, without sleeps."""
    recording = replay_server.write(recorder.answers)
    server = start_http_floor(recording)
    try:
        return script(clients(server.url), args.instances, args.workload, {}, lambda: None)
    finally:
        stop(server)
        os.unlink(recording)


def report(
    args: argparse.Namespace,
    walls: dict[str, list[float]],
    parts: dict[str, list[float]],
    ops: dict[str, dict[str, list[float]]],
    notes: dict[str, dict[str, Any]],
) -> None:
    t, m, f, h = (statistics.median(walls[n]) for n in ("trunkline", "moto", FLOOR, HTTP_FLOOR))
    tr, mr, fr, hr = (statistics.median(parts[n]) for n in ("trunkline", "moto", FLOOR, HTTP_FLOOR))
    print(
        f"\n| median of {args.rounds} | trunkline | moto | client floor | HTTP floor | trunkline / moto "
        "| trunkline / floor | HTTP floor / floor |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| whole script | {t * 1000:.0f} ms | {m * 1000:.0f} ms | {f * 1000:.0f} ms | {h * 1000:.0f} ms | {t / m:.2f} "
        f"| **{t / f:.2f}** | {h / f:.2f} |"
    )
    print(
        f"| workload rounds only | {tr * 1000:.0f} ms | {mr * 1000:.0f} ms | {fr * 1000:.0f} ms | {hr * 1000:.0f} ms "
        f"| {tr / mr:.2f} | **{tr / fr:.2f}** | {hr / fr:.2f} |"
    )
    print(
        "\n| operation (median per call) | calls/run | trunkline ms | moto ms | floor ms | HTTP floor ms "
        "| trunkline / moto |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for op in dict.fromkeys([*ops["trunkline"], *ops["moto"]]):
        tm, mm, fm, hm = (median_ms(ops[n].get(op, [])) for n in ("trunkline", "moto", FLOOR, HTTP_FLOOR))
        calls = len(ops["trunkline"].get(op) or ops["moto"].get(op) or []) // args.rounds
        print(f"| {op} | {calls} | {tm:.2f} | {mm:.2f} | {fm:.2f} | {hm:.2f} | {tm / mm:.2f} |")
    print()
    for mode in ("bridge", "awsvpc"):
        op = f"RunTask (10, {mode})"
        ratio = median_ms(ops["trunkline"][op]) / median_ms(ops["moto"][op])
        print(
            f"RunTask count 10 {mode}: trunkline / moto {ratio:.2f} (target <= {RUN_TASK_TARGET}): {met(ratio <= RUN_TASK_TARGET)}"
        )
        # What no server work at all would give: the client and the HTTP exchange.
        bare = median_ms(ops[HTTP_FLOOR][op]) / median_ms(ops["moto"][op])
        print(f"  (the HTTP floor of the same call, no server work: {bare:.2f} of moto's median)")
    print(
        f"whole workload: trunkline / client floor {t / f:.2f} (target <= {FLOOR_TARGET}): {met(t / f <= FLOOR_TARGET)}"
    )
    print(f"  (the HTTP floor, no server work and no sleeps: {h / f:.2f} of the client floor)")
    print(f"script: trunkline / moto {t / m:.2f} (target <= {TARGET}): {met(t / m <= TARGET)}")
    print("\nwhat each server answered (last run):")
    for name, found in notes.items():
        print(f"  {name}: {json.dumps(found)}")


def report_cpu(cpus: dict[str, list[tuple[float, float]]], op_cpus: dict[str, dict[str, list[float]]]) -> None:
    """Server CPU, which a busy machine inflates far less than wall time."""
    whole = {name: statistics.median(c[0] for c in values) for name, values in cpus.items()}
    rounds = {name: statistics.median(c[1] for c in values) for name, values in cpus.items()}
    print("\nserver CPU (median of the runs; trunkline's includes its reconciler running alongside):")
    print(f"  whole script: trunkline {whole['trunkline']:.2f} s, moto {whole['moto']:.2f} s")
    print(f"  workload rounds: trunkline {rounds['trunkline']:.2f} s, moto {rounds['moto']:.2f} s")
    for mode in ("bridge", "awsvpc"):
        op = f"RunTask (10, {mode})"
        # The mean: /proc counts CPU in 10 ms ticks, so one call's figure is 0, 10 or 20 ms.
        t, m = (statistics.fmean(op_cpus[n][op]) * 1000 for n in ("trunkline", "moto"))
        print(f"  {op}: mean trunkline {t:.1f} ms, moto {m:.1f} ms, ratio {t / m:.2f}")


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
