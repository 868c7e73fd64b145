"""Against moto: the same boto3 script, timed against trunkline and against moto's server.

    /work/venv/bin/python benchmarks/bench_vs_moto.py                  # 5 rounds of 10 instances
    /work/venv/bin/python benchmarks/bench_vs_moto.py --rounds 7 --instances 20

moto is not a dependency of trunkline: if `--moto-python` (default /tmp/moto-venv/bin/python)
cannot import moto, the benchmark creates that throwaway venv and pip-installs `moto[server]` into
it. boto3 comes from the interpreter running the benchmark.

Each round starts a fresh server of each kind (trunkline: `trunkline serve --port 0 --state
:memory: --timing fast`, the default timing; moto: `python -m moto.server -p PORT`), in alternating
order, and times the whole script against it (server start-up not included). Fairness: moto answers
every call at once and runs nothing in the background; trunkline with `--timing fast` also runs its
reconciler while the script goes on (instances boot, tasks move through their lifecycle, in the
same process), so its figures include that extra work. The script never waits for a state change:
moto has none to wait for.

The script (identical for both servers, only the endpoint differs): SSM GetParameter of the ECS
AL2023 image id (DescribeImages by name if the parameter is missing), CreateVpc, CreateSubnet,
CreateCluster, RegisterTaskDefinition (bridge), then per instance: RunInstances (c5.large, no
instance profile and no user data, so trunkline's simulated agent does not register it too),
DescribeInstances, RegisterContainerInstance (identity document built from DescribeInstances),
DescribeContainerInstances, ListAttributes (name ecs.instance-type, value c5.large),
ListContainerInstances, RunTask (bridge, count 1), DescribeTasks. Reported: median wall time of
the script per server, trunkline / moto (target <= 1.0), and per-operation medians. Exit status 0.
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
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from common import Server, machine, stop, trunkline_command

REGION = "us-east-1"
CLUSTER = "versus"
FAMILY = "versus-web"
IMAGE_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
IMAGE_NAME = "al2023-ami-ecs-hvm-*-x86_64"
TARGET = 1.0


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
    command = [*trunkline_command(), "serve", "--port", "0", "--state", ":memory:", "--timing", "fast"]
    log = tempfile.NamedTemporaryFile(prefix="trunkline-vs-moto-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    assert process.stdout is not None
    line = process.stdout.readline()
    if "ready at " not in line:
        process.kill()
        raise SystemExit(f"trunkline did not start: {line!r}\n{Path(log.name).read_text()[-2000:]}")
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


class Timer:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)

    def __call__(self, name: str, call: Callable[..., Any], **params: Any) -> Any:
        began = time.perf_counter()
        answer = call(**params)
        self.times[name].append(time.perf_counter() - began)
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


def script(url: str, instances: int, notes: dict[str, Any]) -> tuple[float, Timer]:
    """The whole script; its wall time and each call's time."""
    c = clients(url)
    ec2, ecs, ssm = c["ec2"], c["ecs"], c["ssm"]
    timer = Timer()
    began = time.perf_counter()
    image = image_id(ssm, ec2, timer)
    vpc = timer("CreateVpc", ec2.create_vpc, CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = timer("CreateSubnet", ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")
    subnet_id = subnet["Subnet"]["SubnetId"]
    timer("CreateCluster", ecs.create_cluster, clusterName=CLUSTER)
    timer(
        "RegisterTaskDefinition",
        ecs.register_task_definition,
        family=FAMILY,
        networkMode="bridge",
        requiresCompatibilities=["EC2"],
        containerDefinitions=[
            {
                "name": "web",
                "image": "nginx:latest",
                "cpu": 256,
                "memory": 256,
                "essential": True,
                "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}],
            }
        ],
    )
    launched = [
        timer(
            "RunInstances",
            ec2.run_instances,
            ImageId=image,
            InstanceType="c5.large",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet_id,
        )["Instances"][0]["InstanceId"]
        for _ in range(instances)
    ]
    for instance_id in launched:
        described = timer("DescribeInstances", ec2.describe_instances, InstanceIds=[instance_id])
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
        )
        arn = registered["containerInstance"]["containerInstanceArn"]
        timer("DescribeContainerInstances", ecs.describe_container_instances, cluster=CLUSTER, containerInstances=[arn])
        attributes = timer(
            "ListAttributes",
            ecs.list_attributes,
            cluster=CLUSTER,
            targetType="container-instance",
            attributeName="ecs.instance-type",
            attributeValue="c5.large",
        )
        listed = timer("ListContainerInstances", ecs.list_container_instances, cluster=CLUSTER)
    # ECS places tasks only on running hosts: wait for them (moto's are running at once).
    waited = time.perf_counter()
    while True:
        found = timer(
            "DescribeInstances (wait)",
            ec2.describe_instances,
            InstanceIds=launched,
            Filters=[{"Name": "instance-state-name", "Values": ["running"]}],
        )
        if sum(len(r["Instances"]) for r in found["Reservations"]) == len(launched):
            break
        time.sleep(0.02)
    waited = time.perf_counter() - waited
    placed = 0
    for _ in launched:
        task = timer("RunTask", ecs.run_task, cluster=CLUSTER, taskDefinition=FAMILY, count=1, launchType="EC2")
        task_arns = [t["taskArn"] for t in task["tasks"]]
        placed += len(task_arns)
        tasks = timer("DescribeTasks", ecs.describe_tasks, cluster=CLUSTER, tasks=task_arns) if task_arns else None
    seconds = time.perf_counter() - began
    # What each server answered at the end (for the report; not timed).
    notes.update(
        waited_for_running_ms=round(waited * 1000, 1),
        image=image,
        attributes_found=len(attributes["attributes"]),
        instances_listed=len(listed["containerInstanceArns"]),
        tasks_placed=placed,
        run_task_failures=task.get("failures"),
        last_task_status=(tasks or {}).get("tasks", [{}])[0].get("lastStatus") if tasks else None,
        registered_attributes=len(registered["containerInstance"].get("attributes", [])),
        registered_resources=[r["name"] for r in registered["containerInstance"].get("registeredResources", [])],
    )
    return seconds, timer


# --- main ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instances", type=int, default=10, help="instances (and tasks) per script run")
    parser.add_argument("--moto-python", type=Path, default=Path("/tmp/moto-venv/bin/python"))
    args = parser.parse_args()
    ensure_moto(args.moto_python)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    print(f"{machine()}, moto {moto_version(args.moto_python)}, boto3 {boto3.__version__}")
    print(f"{args.rounds} rounds, {args.instances} instances per script run, servers alternating\n")

    starters: dict[str, Callable[[], Server]] = {
        "trunkline": start_trunkline,
        "moto": lambda: start_moto(args.moto_python),
    }
    walls: dict[str, list[float]] = {name: [] for name in starters}
    ops: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in starters}
    notes: dict[str, dict[str, Any]] = {name: {} for name in starters}
    # One untimed warm-up run each (bytecode caches, imports), then the timed rounds.
    for i in range(args.rounds + 1):
        order = list(starters) if i % 2 == 0 else list(reversed(starters))
        for name in order:
            server = starters[name]()
            try:
                seconds, timer = script(server.url, args.instances, notes[name])
            finally:
                stop(server)
            if i == 0:
                continue
            walls[name].append(seconds)
            for op, values in timer.times.items():
                ops[name][op].extend(values)
            print(f"round {i}: {name:9} {seconds * 1000:8.1f} ms", flush=True)

    median = {name: statistics.median(values) for name, values in walls.items()}
    ratio = median["trunkline"] / median["moto"]
    print("\n| script wall time | trunkline | moto | trunkline / moto |")
    print("| --- | --- | --- | --- |")
    print(
        f"| median of {args.rounds} (min-max) | **{median['trunkline'] * 1000:.0f} ms** "
        f"({min(walls['trunkline']) * 1000:.0f}-{max(walls['trunkline']) * 1000:.0f}) | "
        f"**{median['moto'] * 1000:.0f} ms** ({min(walls['moto']) * 1000:.0f}-{max(walls['moto']) * 1000:.0f}) | "
        f"**{ratio:.2f}** |"
    )
    print(f"\ntarget trunkline / moto <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'}\n")
    print("| operation (median per call) | calls/run | trunkline ms | moto ms | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for op in dict.fromkeys([*ops["trunkline"], *ops["moto"]]):
        t, m = ops["trunkline"].get(op), ops["moto"].get(op)
        tm = statistics.median(t) * 1000 if t else float("nan")
        mm = statistics.median(m) * 1000 if m else float("nan")
        calls = len(t or m or []) // args.rounds
        print(f"| {op} | {calls} | {tm:.2f} | {mm:.2f} | {tm / mm:.2f} |")
    print("\nwhat each server answered (last run):")
    for name, found in notes.items():
        print(f"  {name}: {json.dumps(found)}")


if __name__ == "__main__":
    main()
