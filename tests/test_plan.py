"""`trunkline plan`: the arithmetic uses the very resources trunkline's agent registers and the
ENI limits placement enforces; task definitions from files or by family from an endpoint; prices,
ranking, output formats, the chart, --simulate through the real placement engine; and one-line
errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import Server
from doctor_world import doctor_env
from ecs_world import World, config_script, role_arn
from trunkline.domain import catalog
from trunkline.plan import arithmetic, simulate, workload
from trunkline.plan.run import plan

WEB = {
    "family": "web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["EC2"],
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [{"name": "app", "image": "nginx", "essential": True}],
}
WORKER = {
    "family": "worker",
    "networkMode": "bridge",
    "containerDefinitions": [{"name": "w", "image": "busybox", "cpu": 1024, "memoryReservation": 1536}],
}


def write(tmp_path: Path, document: Any, name: str = "td.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def run_plan(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trunkline", "plan", *args],
        capture_output=True,
        text=True,
        env=env if env is not None else doctor_env(),
        timeout=300,
    )


def plan_json(*args: str) -> dict[str, Any]:
    done = run_plan(*args, "--output", "json")
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def by_type(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["instanceType"]: t for t in answer["types"]}


# --- the same accounting as placement -----------------------------------------------------------------


@pytest.mark.parametrize("instance_type", ["c5.large", "m5.2xlarge", "r6g.large"])
def test_plan_resources_are_what_the_agent_registers_and_placement_allows(server: Server, instance_type: str):
    """CPU and memory as the agent registers them (registeredResources), ENI slots as the capacity
    endpoint (placement's RESOURCE:ENI) counts them, trunked and not."""
    world = World(server)
    world.ecs.create_cluster(clusterName="sizing")
    world.instance_role("onRole")
    world.instance_role("offRole")
    world.opt_in(role_arn("onRole"))
    net = world.network()
    arm = "arm64" in (catalog.get_instance_type(instance_type) or catalog.all_instance_types()[0]).architectures
    image = world.image("/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id") if arm else None
    on = world.launch(net["subnet"], "onRole", config_script("sizing"), instance_type, image)
    off = world.launch(net["subnet"], "offRole", config_script("sizing"), instance_type, image)
    world.settle()
    entry = catalog.get_instance_type(instance_type)
    assert entry is not None
    eni = {r["ec2InstanceId"]: r["awsvpcTaskLimit"] for r in world.capacity("sizing")["containerInstances"]}
    for instance, trunking in ((on, True), (off, False)):
        registered = {
            r["name"]: r.get("integerValue") for r in world.of_instance("sizing", instance)["registeredResources"]
        }
        cpu, memory, slots, trunked = arithmetic.resources(entry, trunking)
        assert (cpu, memory, slots, trunked) == (registered["CPU"], registered["MEMORY"], eni[instance], trunking)


def test_tasks_per_instance_and_binding_resource(tmp_path: Path):
    web = write(tmp_path, WEB, "web.json")
    answer = by_type(plan_json("--task-definition", f"{web}:100", "--types", "c5.large,m5.2xlarge,t3.medium"))
    c5 = answer["c5.large"]
    assert (c5["trunkingOff"]["tasksPerInstance"], c5["trunkingOff"]["binding"]) == ({"web": 2}, {"web": "ENI"})
    assert c5["trunkingOff"]["instances"] == 50
    # trunked: 10 ENI slots, but 3705 MiB registered / 512 = 7 tasks
    assert (c5["trunkingOn"]["tasksPerInstance"], c5["trunkingOn"]["binding"]) == ({"web": 7}, {"web": "MEMORY"})
    assert c5["trunkingOn"]["instances"] == 15 and c5["trunkingOn"]["spare"]["ENI"] == 15 * 10 - 100
    t3 = answer["t3.medium"]  # no trunking support: the same either way
    assert t3["trunkingOn"]["trunked"] is False and t3["trunkingOn"]["instances"] == t3["trunkingOff"]["instances"]
    m5 = answer["m5.2xlarge"]["trunkingOn"]
    assert (m5["tasksPerInstance"], m5["binding"]) == ({"web": 32}, {"web": "CPU"})  # 8192 / 256


def test_host_ports_bind_once_per_instance(tmp_path: Path):
    fixed = {
        **WORKER,
        "containerDefinitions": [
            {**WORKER["containerDefinitions"][0], "portMappings": [{"containerPort": 80, "hostPort": 8080}]}
        ],
    }
    reserved = {**WORKER, "family": "ssh", "containerDefinitions": [{**WORKER["containerDefinitions"][0], "portMappings": [{"containerPort": 22, "hostPort": 22}]}]}  # fmt: skip
    answer = by_type(
        plan_json("--task-definition", str(write(tmp_path, fixed)), "--types", "m5.4xlarge", "--trunking", "off")
    )
    assert answer["m5.4xlarge"]["trunkingOff"]["binding"] == {"worker": "PORTS"}
    assert answer["m5.4xlarge"]["trunkingOff"]["tasksPerInstance"] == {"worker": 1}
    answer = by_type(
        plan_json("--task-definition", str(write(tmp_path, reserved, "ssh.json")), "--types", "m5.4xlarge")
    )
    assert answer["m5.4xlarge"]["trunkingOn"]["instances"] is None  # port 22 is the agent's


def test_gpus_bind_where_a_type_has_few(tmp_path: Path):
    """A one-GPU task: g4dn.xlarge (1 GPU) takes one, g4dn.12xlarge (4 GPUs) four, whatever CPU and
    memory say; a type without GPUs cannot run it at all."""
    container = {**WORKER["containerDefinitions"][0], "cpu": 256, "memoryReservation": 512}
    gpu = {**WORKER, "family": "infer", "containerDefinitions": [{**container, "resourceRequirements": [{"type": "GPU", "value": "1"}]}]}  # fmt: skip
    path = write(tmp_path, gpu, "infer.json")
    answer = by_type(plan_json("--task-definition", f"{path}:8", "--types", "g4dn.xlarge,g4dn.12xlarge,c5.large"))
    small, large = answer["g4dn.xlarge"]["trunkingOn"], answer["g4dn.12xlarge"]["trunkingOn"]
    assert plan_json("--task-definition", f"{path}:8", "--types", "g4dn.xlarge")["workload"] == [
        {"family": "infer", "count": 8, "cpu": 256, "memory": 512, "gpus": 1, "awsvpc": False}
    ]
    assert (small["tasksPerInstance"], small["binding"], small["instances"]) == ({"infer": 1}, {"infer": "GPU"}, 8)
    assert (large["tasksPerInstance"], large["binding"], large["instances"]) == ({"infer": 4}, {"infer": "GPU"}, 2)
    assert answer["c5.large"]["trunkingOn"]["instances"] is None


def test_family_read_in_the_region_of_aws_region(server: Server):
    """AWS_REGION alone names the Region, as for the AWS CLI v2, the other SDKs and doctor (boto3
    itself reads only AWS_DEFAULT_REGION)."""
    server.client("ecs").register_task_definition(**WEB)
    env = {k: v for k, v in doctor_env().items() if k != "AWS_DEFAULT_REGION"}
    assert one_line(run_plan("--task-definition", "web:20", "--endpoint-url", server.url, env=env)) == (
        "trunkline plan: no AWS Region: set AWS_REGION or AWS_DEFAULT_REGION (needed to read task definitions by family)"
    )
    env["AWS_REGION"] = "us-east-1"
    done = run_plan("--task-definition", "web:20", "--endpoint-url", server.url, "--types", "c5.large", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("workload: 20 x web (256 CPU, 512 MiB)")


def test_family_from_an_endpoint_and_a_mixed_workload(server: Server, tmp_path: Path):
    ecs = server.client("ecs")
    ecs.register_task_definition(**{k: v for k, v in WEB.items()})
    answer = plan_json(
        "--task-definition", "web:40", "--task-definition", f"{write(tmp_path, WORKER)}:10",
        "--endpoint-url", server.url, "--types", "m5.xlarge", "--trunking", "on",
    )  # fmt: skip
    assert [(w["family"], w["count"], w["cpu"], w["memory"]) for w in answer["workload"]] == [
        ("web", 40, 256, 512),
        ("worker", 10, 1024, 1536),
    ]
    sizing = answer["types"][0]["trunkingOn"]
    assert sizing["tasksPerInstance"] == {"web": 16, "worker": 4}
    assert sizing["instances"] == 5  # 2 instances of 4 workers, one of 2 workers and 8 web, 2 of 16 web


def test_a_mix_bound_by_different_resources_shares_instances(tmp_path: Path):
    """Bridge tasks bound by a host port and awsvpc tasks bound by ENI slots take different
    resources: one of each kind and two web tasks share every c5.large (10 instances, not 10 + 5),
    and placement agrees. A task needing most of an m5.24xlarge's memory leaves room for small ones."""
    edge = {**WORKER, "family": "edge"}
    edge["containerDefinitions"] = [
        {
            "name": "e",
            "image": "nginx",
            "cpu": 128,
            "memory": 256,
            "portMappings": [{"containerPort": 80, "hostPort": 80}],
        }
    ]
    references = [f"{write(tmp_path, edge, 'edge.json')}:10", f"{write(tmp_path, WEB, 'web.json')}:10"]
    _, (row,) = plan(references, types=["c5.large"], run_simulation=True)
    off, on = row.by_mode[False], row.by_mode[True]
    assert (off.tasks_per_instance, off.binding, off.instances) == (
        {"edge": 1, "web": 2},
        {"edge": "PORTS", "web": "ENI"},
        10,
    )
    assert (on.tasks_per_instance, on.instances) == ({"edge": 1, "web": 7}, 10)
    assert off.spare == {"ENI": 10 * 2 - 10, "CPU": 10 * 2048 - 10 * 384, "MEMORY": 10 * 3705 - 10 * 768}
    assert [row.simulations[m].used for m in (False, True)] == [10, 10]
    assert row.differences == {False: [], True: []}
    big = {**WEB, "family": "big", "cpu": "16384", "memory": "120000"}
    answer = by_type(
        plan_json("--task-definition", f"{write(tmp_path, big, 'big.json')}:3", "--task-definition",
                  f"{write(tmp_path, WEB, 'web.json')}:4", "--types", "m5.24xlarge", "--trunking", "on")
    )  # fmt: skip
    sizing = answer["m5.24xlarge"]["trunkingOn"]
    assert (sizing["tasksPerInstance"], sizing["instances"]) == ({"big": 3, "web": 120}, 1)
    assert sizing["spare"]["MEMORY"] == sizing["registeredMemory"] - 3 * 120000 - 4 * 512


def test_fewer_instances_in_placement_are_not_blamed_on_zones():
    """When placement needs fewer instances than the arithmetic, the zone split is not the reason."""
    entry = catalog.get_instance_type("c5.large")
    assert entry is not None
    sizing = arithmetic.size(entry, True, [])
    sizing.instances = 12
    result = simulate.Simulation("c5.large", True, launched=12, used=10, placed=20)
    assert simulate.differences(sizing, result) == [
        "placement used 10 instances, the arithmetic 12 (placement shared the instances among the definitions more tightly)"
    ]


# --- prices, ranking, outputs, chart ------------------------------------------------------------------


def test_prices_rank_by_cost(tmp_path: Path):
    web = write(tmp_path, WEB)
    prices = write(tmp_path, "instance_type,price_per_hour\nc5.large,0.085\nm5.2xlarge,0.384\n", "prices.csv")
    answer = plan_json("--task-definition", f"{web}:100", "--types", "c5.large,m5.2xlarge", "--prices", str(prices))
    first, second = answer["types"]
    assert (first["instanceType"], first["rank"]) == ("c5.large", 1)  # 15 x 0.085 = 1.275 < 4 x 0.384 = 1.536
    assert first["trunkingOn"]["costPerHour"] == pytest.approx(15 * 0.085)
    assert second["trunkingOn"]["costPerHour"] == pytest.approx(4 * 0.384)
    assert first["trunkingOff"]["costPerHour"] == pytest.approx(50 * 0.085)


def test_without_prices_the_least_capacity_bought_ranks_first(tmp_path: Path):
    """One c5.24xlarge holds all 100 tasks, but 15 c5.large buy 30 vCPUs (4 c5.2xlarge 32), not 96: on-demand prices
    follow vCPUs, so fewest instances alone would rank the dearest choice first."""
    web = write(tmp_path, WEB)
    answer = plan_json(
        "--task-definition", f"{web}:100", "--types", "c5.24xlarge,c5.large,c5.2xlarge", "--trunking", "on"
    )
    ranked = [(t["instanceType"], t["trunkingOn"]["instances"]) for t in answer["types"]]
    assert ranked == [("c5.large", 15), ("c5.2xlarge", 4), ("c5.24xlarge", 1)]


def test_csv_and_plain_outputs(tmp_path: Path):
    web = write(tmp_path, WEB)
    done = run_plan("--task-definition", f"{web}:100", "--types", "c5.large", "--output", "csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["trunking"], r["tasks_per_instance"], r["binding"], r["instances"]) for r in rows] == [
        ("off", "2", "ENI", "50"),
        ("on", "7", "MEMORY", "15"),
    ]
    piped = run_plan("--task-definition", f"{web}:100", "--types", "c5.large")
    assert piped.returncode == 0 and "\x1b[" not in piped.stdout and "┃" not in piped.stdout
    assert "1  c5.large  2  ENI  50" in piped.stdout


def test_all_supported_sweeps_every_trunking_type(tmp_path: Path):
    load = [workload.from_file(write(tmp_path, WEB), 100)]
    _, rows = plan([f"{write(tmp_path, WEB)}:100"], all_supported=True, trunking="on")
    supported = [e for e in catalog.all_instance_types() if e.supports_trunking and e.vcpus and e.memory_mib]
    assert len(rows) == len(supported) > 500
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    bought = [(r.primary.instances * r.primary.cpu, r.primary.instances * r.primary.memory)
              for r in rows if r.primary.instances is not None]  # fmt: skip
    assert bought == sorted(bought)  # no prices: the least vCPUs, then memory, bought first
    assert load[0].cpu == 256


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_chart(tmp_path: Path, suffix: str):
    web = write(tmp_path, WEB)
    chart = tmp_path / f"chart{suffix}"
    done = run_plan("--task-definition", f"{web}:100", "--families", "c5", "--chart", str(chart))
    assert done.returncode == 0, done.stderr
    data = chart.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:2000]
    if suffix == ".svg":
        assert b"tasks per instance" in data or b"tasks" in data


# --- --simulate: the real placement engine ------------------------------------------------------------


def test_simulate_agrees_with_the_arithmetic_for_one_definition(tmp_path: Path):
    web = write(tmp_path, WEB)
    answer = plan_json("--task-definition", f"{web}:42", "--types", "c5.large", "--simulate")
    (row,) = answer["types"]
    for mode, sizing in (("off", row["trunkingOff"]), ("on", row["trunkingOn"])):
        simulated = row["simulated"][mode]
        assert simulated["tasksPlaced"] == 42 and simulated["tasksUnplaced"] == 0
        assert simulated["instancesUsed"] == sizing["instances"], simulated
        assert simulated["mostTasksPerInstance"]["web"] <= sizing["tasksPerInstance"]["web"]
        assert simulated["differences"] == []


@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cpu=st.sampled_from([128, 256, 512, 1024]),
    memory=st.sampled_from([256, 512, 1024, 2048]),
    count=st.integers(1, 30),
    instance_type=st.sampled_from(["c5.large", "m5.large", "c5.xlarge", "r5.large"]),
    trunking=st.booleans(),
)
def test_simulated_placement_never_beats_or_misses_the_arithmetic(
    tmp_path: Path, cpu: int, memory: int, count: int, instance_type: str, trunking: bool
):
    """One awsvpc definition: placement never fits more on an instance than the arithmetic says, and
    needs no fewer instances than it; spreading over the zones costs at most what the arithmetic per
    zone says."""
    definition = {**WEB, "cpu": str(cpu), "memory": str(memory)}
    _, rows = plan(
        [f"{write(tmp_path, definition)}:{count}"], types=[instance_type], trunking="on" if trunking else "off",
        run_simulation=True,
    )  # fmt: skip
    (row,) = rows
    sizing, simulated = row.by_mode[trunking], row.simulations[trunking]
    assert isinstance(simulated, simulate.Simulation) and sizing.instances is not None
    assert (simulated.placed, simulated.unplaced) == (count, 0)
    assert simulated.most_per_instance["web"] <= sizing.tasks_per_instance["web"]
    assert sizing.instances <= simulated.used <= simulate.zone_bound(sizing, {"web": count})
    if simulated.used == sizing.instances:
        assert row.differences[trunking] == []
    else:
        assert row.differences[trunking] == [
            f"placement used {simulated.used} instances, the arithmetic {sizing.instances} (the tasks spread evenly over 3 zones)"
        ]


def test_the_in_process_sandbox_places_as_the_server_does(tmp_path: Path):
    """`--simulate` calls the runtime in process on a plain in-memory store without events
    (plan/sandbox.py); the same workload driven over HTTP with boto3 against a served trunkline
    on the default store gets the very same placements, in both modes."""
    from rich.console import Console

    from trunkline.plan.run import simulate as run_simulation
    from trunkline.plan.sandbox import SimulationStore

    edge = {**WORKER, "family": "edge"}
    edge["containerDefinitions"] = [
        {**WORKER["containerDefinitions"][0], "portMappings": [{"containerPort": 80, "hostPort": 8080}]}
    ]
    references = [f"{write(tmp_path, WEB)}:25", f"{write(tmp_path, edge)}:7"]
    answers = []
    for over_http in (False, True):
        load, rows = plan(references, types=["c5.xlarge"], trunking="both")
        run_simulation(rows, load, Console(stderr=True), over_http=over_http)
        answers.append(
            {mode: (rows[0].simulations[mode].as_json(), rows[0].differences[mode]) for mode in (True, False)}
        )
    assert answers[0] == answers[1]
    assert answers[0][True][0]["tasksPlaced"] == 32
    store = SimulationStore()
    store.run(lambda tx: tx.append_event({"detail-type": "x"}))
    assert store.run(lambda tx: tx.last_event_seq()) == 0  # no outbox


# --- errors: one line, never a traceback --------------------------------------------------------------


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    return line


def test_errors_are_one_line(tmp_path: Path):
    web = str(write(tmp_path, WEB))
    assert one_line(run_plan("--task-definition", web, "--types", "c5.huge")) == (
        "trunkline plan: unknown instance type: c5.huge"
    )
    assert (
        one_line(run_plan("--task-definition", web, "--families", "zz9"))
        == "trunkline plan: unknown instance family: zz9"
    )
    broken = str(write(tmp_path, "{not json", "broken.json"))
    assert one_line(run_plan("--task-definition", broken)).startswith(
        f"trunkline plan: {broken}: malformed task definition: not JSON"
    )
    wrong = str(write(tmp_path, {**WEB, "containerDefinitions": "nginx"}, "wrong.json"))
    assert one_line(run_plan("--task-definition", wrong)).startswith(
        f"trunkline plan: {wrong}: malformed task definition: Invalid type"
    )
    no_memory = {**WEB, "memory": None, "cpu": None}
    no_memory = {k: v for k, v in no_memory.items() if v is not None}
    path = str(write(tmp_path, no_memory, "nomem.json"))
    assert "no memory given" in one_line(run_plan("--task-definition", path))
    bad_size = str(write(tmp_path, {**WEB, "cpu": "lots"}, "size.json"))
    assert one_line(run_plan("--task-definition", bad_size)) == (
        f"trunkline plan: {bad_size}: malformed task definition: Invalid 'cpu' setting for task."
    )
    gpu = {**WEB, "containerDefinitions": [{**WEB["containerDefinitions"][0], "resourceRequirements": [{"type": "GPU", "value": "0"}]}]}  # fmt: skip
    assert "must be a positive integer" in one_line(
        run_plan("--task-definition", str(write(tmp_path, gpu, "gpu.json")))
    )
    assert one_line(run_plan("--task-definition", "missing.json")) == "trunkline plan: missing.json: no such file"
    for count in ("0", "-3"):
        assert one_line(run_plan("--task-definition", f"{web}:{count}")) == (
            f"trunkline plan: {web}:{count}: the task count must be at least 1"
        )
    assert one_line(run_plan("--task-definition", f"{web}:many")) == (
        f"trunkline plan: {web}:many: the task count must be a whole number"
    )
    assert one_line(run_plan("--task-definition", web, "--chart", str(tmp_path / "c.gif"))).endswith(
        "the file name must end in .png or .svg"
    )
    prices = str(write(tmp_path, "type,cost\nc5.large,1\n", "p.csv"))
    assert "needs the columns instance_type,price_per_hour" in one_line(
        run_plan("--task-definition", web, "--types", "c5.large", "--prices", prices)
    )
    assert one_line(run_plan("--task-definition", web, "--output", "xml")) == (
        "trunkline plan: --output xml: choose table, json or csv"
    )


def test_endpoint_errors_are_one_line(server: Server):
    assert one_line(run_plan("--task-definition", "web", "--endpoint-url", "http://127.0.0.1:9")) == (
        "trunkline plan: cannot reach the endpoint: http://127.0.0.1:9/"
    )
    line = one_line(run_plan("--task-definition", "nothere", "--endpoint-url", server.url))
    assert line.startswith("trunkline plan: task definition nothere: ClientException:")
    assert one_line(run_plan("--task-definition", "web", "--endpoint-url", "127.0.0.1 4590")) == (
        "trunkline plan: --endpoint-url 127.0.0.1 4590: not an endpoint URL (e.g. http://127.0.0.1:4590)"
    )
    assert one_line(run_plan("--task-definition", "web", "--endpoint-url", server.url + "/nothing")) == (
        "trunkline plan: task definition web: 404: Not Found"  # a web server, not an AWS API
    )
    env = {k: v for k, v in doctor_env().items() if not k.startswith("AWS_ACCESS") and not k.startswith("AWS_SECRET")}
    assert one_line(run_plan("--task-definition", "web", "--endpoint-url", server.url, env=env)).startswith(
        "trunkline plan: no AWS credentials found"
    )


def test_terminal_output_is_a_rich_table(tmp_path: Path):
    from rich.console import Console

    from trunkline.plan import render

    load, rows = plan([f"{write(tmp_path, WEB)}:100"], types=["c5.large", "m5.xlarge"])
    out = io.StringIO()
    render.table(Console(file=out, force_terminal=True, width=250), load, rows)
    text = out.getvalue()
    assert "c5.large" in text and "MEMORY" in text and "┃" in text and "instances (on)" in text
