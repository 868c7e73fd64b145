"""The live dashboard at /_trunkline/ui: its JSON (`GET /_trunkline/dashboard`) checked against
what EC2 and ECS say through boto3, its files served as shipped, `trunkline ui`, and the page itself
in headless Chromium (Debian's `chromium`, driven by Playwright): slots, VLAN ids and the reason an
instance has no trunk on screen, a task run with boto3 appearing without a reload, the clock
buttons moving it along, a capacity provider and its Auto Scaling group following a desired
capacity change and a service's tasks, and no console error.

The browser tests skip when Chromium or Playwright is missing, except under CI=true, where that
fails (scripts/ensure-chromium installs Chromium there). TRUNKLINE_DASHBOARD_SCREENSHOT=PATH saves
the page as the browser tests left it (how docs/dashboard.png and docs/dashboard-capacity.png are
made: PATH, and PATH with `-capacity` before `.png`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import Server
from ecs_world import World, config_script, role_arn
from test_capacity_providers import CLUSTER as CAPACITY_CLUSTER
from test_capacity_providers import GROUP, PROVIDER, Stack

CLUSTER = "shop"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --- the world: a trunked and an untrunked c5.large, tasks on both, a service ------------------------


class Shop:
    """Two instances in cluster `shop`: `trunked` (its role opted in) and `plain` (not)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.world = World(server)
        world = self.world
        world.ecs.create_cluster(clusterName=CLUSTER)
        world.instance_role("trunkedRole")
        world.instance_role("plainRole")
        world.opt_in(role_arn("trunkedRole"))
        self.net = world.network()
        self.trunked = world.launch(self.net["subnet"], "trunkedRole", config_script(CLUSTER))
        self.plain = world.launch(self.net["subnet"], "plainRole", config_script(CLUSTER))
        world.settle()
        container = {"name": "app", "image": "nginx", "cpu": 128, "memory": 256}
        world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[container])

    def run(self, instance_id: str, count: int = 1) -> dict[str, Any]:
        answer: dict[str, Any] = self.world.ecs.run_task(
            cluster=CLUSTER,
            taskDefinition="web",
            count=count,
            networkConfiguration={"awsvpcConfiguration": {"subnets": [self.net["subnet"]]}},
            placementConstraints=[{"type": "memberOf", "expression": f"ec2InstanceId == {instance_id}"}],
        )
        return answer

    def vlans(self) -> dict[str, int]:
        """Branch ENI id -> VLAN id, as EC2 describes the trunk's associations."""
        found = self.world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"]
        return {a["BranchInterfaceId"]: a["VlanId"] for a in found}

    def address(self, eni_id: str) -> str:
        found = self.world.ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]
        return str(found[0]["PrivateIpAddress"])


def dashboard(server: Server) -> dict[str, Any]:
    answer = server.get("/_trunkline/dashboard")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def instances_of(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (cluster,) = [c for c in snapshot["clusters"] if c["clusterName"] == CLUSTER]
    return {i["ec2InstanceId"]: i for i in cluster["containerInstances"]}


# --- the JSON the page reads -----------------------------------------------------------------------


def test_the_snapshot_draws_slots_from_what_ec2_and_ecs_say(server: Server):
    """Slots, VLAN ids, addresses and tasks agree with DescribeTrunkInterfaceAssociations,
    DescribeNetworkInterfaces and DescribeTasks; limits and reasons with the capacity and trunking
    endpoints; a task that did not fit for want of an ENI slot is counted under RESOURCE:ENI."""
    shop = Shop(server)
    on_trunk = shop.run(shop.trunked, 3)
    assert on_trunk["failures"] == []
    on_plain = shop.run(shop.plain, 3)  # an untrunked c5.large has 2 task slots: one does not fit
    assert [f["reason"] for f in on_plain["failures"]] == ["RESOURCE:ENI"]
    shop.world.settle()

    snapshot = dashboard(server)
    assert snapshot["accountId"] == "123456789012" and snapshot["region"] == "us-east-1"
    assert isinstance(snapshot["eventSeq"], int) and snapshot["eventSeq"] > 0
    instances = instances_of(snapshot)
    trunked, plain = instances[shop.trunked], instances[shop.plain]
    described = shop.world.ecs.describe_tasks(
        cluster=CLUSTER, tasks=[t["taskArn"] for t in on_trunk["tasks"] + on_plain["tasks"]]
    )["tasks"]
    eni_of_task = {
        t["taskArn"]: {d["name"]: d["value"] for d in t["attachments"][0]["details"]}["networkInterfaceId"]
        for t in described
    }

    numbers = ("trunked", "eniLimit", "awsvpcTaskLimit", "awsvpcTasksInUse", "awsvpcTasksAvailable")
    assert tuple(trunked[k] for k in numbers) == (True, 12, 10, 3, 7)
    assert trunked["limits"] == {"networkInterfaces": 3, "untrunked": 2, "trunked": 10}
    assert [s["kind"] for s in trunked["interfaces"]] == ["primary", "trunk", "free"]
    assert trunked["interfaces"][1]["networkInterfaceId"] == trunked["trunkNetworkInterfaceId"]
    branches = trunked["branches"]
    assert [s["kind"] for s in branches] == ["task"] * 3 + ["free"] * 7
    vlans = shop.vlans()
    assert {s["networkInterfaceId"]: s["vlanId"] for s in branches[:3]} == vlans
    assert [s["vlanId"] for s in branches[:3]] == [1, 2, 3]
    for branch in branches[:3]:
        assert branch["privateIpAddress"] == shop.address(branch["networkInterfaceId"])
        assert eni_of_task[branch["taskArn"]] == branch["networkInterfaceId"]
        assert branch["taskStatus"] == "RUNNING"
    assert trunked["reasons"] == [] and trunked["agentConnected"] is True

    assert tuple(plain[k] for k in numbers) == (False, 3, 2, 2, 0)
    assert [s["kind"] for s in plain["interfaces"]] == ["primary", "task", "task"]
    assert plain["branches"] == []
    for slot in plain["interfaces"][1:]:
        assert eni_of_task[slot["taskArn"]] == slot["networkInterfaceId"]
    (reason,) = plain["reasons"]
    assert reason == shop.world.explain(CLUSTER, shop.plain)["reasons"][0]
    assert reason["code"] == "account-setting" and "awsvpcTrunking was disabled" in reason["message"]

    (cluster,) = snapshot["clusters"]
    assert cluster["summary"] == {
        "containerInstances": 2,
        "containerInstancesByStatus": {"ACTIVE": 2},
        "trunkedInstances": 1,
        "agentsDisconnected": 0,
        "eniSlotsUsed": 5,
        "eniSlotsAvailable": 7,
        "eniSlotsTotal": 12,
        "tasksPlaced": 5,
        "tasksByStatus": {"RUNNING": 5},
        "resourceEniFailures": 1,
        "placementFailures": {"RESOURCE:ENI": 1},
    }
    capacity = shop.world.capacity(CLUSTER)
    assert cluster["summary"]["eniSlotsAvailable"] == capacity["awsvpcTasksAvailable"]
    rows = {r["ec2InstanceId"]: r for r in capacity["containerInstances"]}
    for instance_id, shown in instances.items():
        assert {k: shown[k] for k in numbers} == {k: rows[instance_id][k] for k in numbers}
    assert {t["taskArn"] for t in cluster["tasks"]} == set(eni_of_task)


def test_services_tasks_moving_and_a_recreated_cluster_starting_from_zero(server: Server):
    shop = Shop(server)
    vpc = {"awsvpcConfiguration": {"subnets": [shop.net["subnet"]]}}
    shop.world.ecs.create_service(
        cluster=CLUSTER, serviceName="api", taskDefinition="web", desiredCount=2, networkConfiguration=vpc
    )
    shop.world.settle()
    (service,) = dashboard(server)["clusters"][0]["services"]
    described = shop.world.ecs.describe_services(cluster=CLUSTER, services=["api"])["services"][0]
    assert (service["serviceName"], service["desiredCount"], service["runningCount"]) == ("api", 2, 2)
    assert [e["message"] for e in service["events"]] == [e["message"] for e in described["events"][:3]]
    assert "has reached a steady state" in service["events"][0]["message"]

    stopped = shop.world.ecs.list_tasks(cluster=CLUSTER)["taskArns"][0]
    shop.world.ecs.update_service(cluster=CLUSTER, service="api", desiredCount=0)
    shop.world.ecs.delete_service(cluster=CLUSTER, service="api")
    shop.world.settle()
    (cluster,) = dashboard(server)["clusters"]
    assert cluster["services"] == [] and cluster["summary"]["tasksPlaced"] == 0
    assert stopped in {t["taskArn"] for t in cluster["tasks"] if t["lastStatus"] == "STOPPED"}

    assert [f["reason"] for f in shop.run(shop.plain, 3)["failures"]] == ["RESOURCE:ENI"]
    assert dashboard(server)["clusters"][0]["summary"]["resourceEniFailures"] == 1
    plain_arn = shop.world.container_instance_arn(CLUSTER, shop.plain)
    started = shop.world.ecs.start_task(
        cluster=CLUSTER,
        taskDefinition="web",
        containerInstances=[plain_arn],
        networkConfiguration={"awsvpcConfiguration": {"subnets": [shop.net["subnet"]]}},
    )
    assert [f["reason"] for f in started["failures"]] == ["RESOURCE:ENI"]
    with pytest.raises(shop.world.ecs.exceptions.ClientError):  # refused: counts nothing
        shop.world.ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=1)
    assert dashboard(server)["clusters"][0]["summary"]["placementFailures"] == {"RESOURCE:ENI": 2}
    for task in shop.world.ecs.list_tasks(cluster=CLUSTER)["taskArns"]:
        shop.world.ecs.stop_task(cluster=CLUSTER, task=task)
    shop.world.settle()
    for arn in shop.world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]:
        shop.world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arn, force=True)
    shop.world.settle()
    shop.world.ecs.delete_cluster(cluster=CLUSTER)
    shop.world.ecs.create_cluster(clusterName=CLUSTER)
    (cluster,) = [c for c in dashboard(server)["clusters"] if c["status"] == "ACTIVE"]
    assert cluster["summary"]["placementFailures"] == {} and cluster["containerInstances"] == []


def test_an_instance_waiting_for_its_trunk_has_no_slot_yet(spawn: Callable[..., Server]):
    """REGISTERING on a manual clock: trunking applies, the trunk is being provisioned, no task fits."""
    server = spawn("--timing", "manual")
    world = World(server)
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("trunkedRole")
    world.opt_in(role_arn("trunkedRole"))
    net = world.network()
    instance_id = world.launch(net["subnet"], "trunkedRole", config_script(CLUSTER))
    world.advance(35)  # running, then the agent registers: REGISTERING while the trunk is provisioned
    waiting = instances_of(dashboard(server))[instance_id]
    assert (waiting["status"], waiting["trunkingApplies"], waiting["trunked"]) == ("REGISTERING", True, False)
    assert (waiting["awsvpcTaskLimit"], waiting["awsvpcTasksAvailable"], waiting["branches"]) == (0, 0, [])
    assert [r["code"] for r in waiting["reasons"]] == ["provisioning"]
    assert [s["kind"] for s in waiting["interfaces"]] == ["primary", "free", "free"]
    world.settle()
    active = instances_of(dashboard(server))[instance_id]
    assert (active["status"], active["trunked"], active["awsvpcTaskLimit"], len(active["branches"])) == (
        "ACTIVE",
        True,
        10,
        10,
    )
    assert active["reasons"] == []


# --- capacity providers and their Auto Scaling groups --------------------------------------------


def providers_of(server: Server, cluster: str = CAPACITY_CLUSTER) -> dict[str, dict[str, Any]]:
    (found,) = [c for c in dashboard(server)["clusters"] if c["clusterName"] == cluster]
    return {p["name"]: p for p in found["capacityProviders"]}


def test_capacity_providers_and_groups_agree_with_ecs_and_auto_scaling(spawn: Callable[..., Server]):
    """Each provider of the cluster with its settings, its last CapacityProviderReservation figure
    and its group's sizes, members and latest activity, as DescribeCapacityProviders,
    DescribeAutoScalingGroups, DescribeScalingActivities and /_trunkline/capacity-providers say."""
    stack = Stack(spawn("--timing", "manual"))
    assert providers_of(stack.world.server) == {}
    stack.standard()
    server = stack.world.server
    (shown,) = providers_of(server).values()
    provider = stack.world.ecs.describe_capacity_providers(capacityProviders=[PROVIDER])["capacityProviders"][0]
    scaling = provider["autoScalingGroupProvider"]["managedScaling"]
    assert (shown["name"], shown["status"], shown["capacityProviderArn"]) == (
        PROVIDER,
        "ACTIVE",
        provider["capacityProviderArn"],
    )
    assert shown["managedScaling"] == {
        k: scaling[k] for k in ("status", "targetCapacity", "minimumScalingStepSize", "maximumScalingStepSize")
    }
    assert shown["managedTerminationProtection"] == "ENABLED"
    assert shown["defaultStrategy"] == {"weight": 1, "base": 0}
    group = shown["group"]
    assert (group["minSize"], group["desiredCapacity"], group["maxSize"]) == (1, 1, 6)
    # Managed termination protection: an instance running no task is not protected.
    assert (group["instances"], group["inService"], group["pending"], group["protectedFromScaleIn"]) == (1, 1, 0, 0)
    assert [m["ProtectedFromScaleIn"] for m in stack.members()] == [False]
    latest = stack.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"][0]
    assert group["latestActivity"]["description"] == latest["Description"]
    assert (group["latestActivity"]["cause"], group["latestActivity"]["statusCode"]) == (
        latest["Cause"],
        latest["StatusCode"],
    )

    # 24 trunked tasks: the group grows to 3 and the figure settles at 100.
    stack.service(24)
    stack.world.settle()
    (shown,) = providers_of(server).values()
    figure = stack.reservation()
    assert shown["reservation"]["capacityProviderReservation"] == figure["capacityProviderReservation"] == 100.0
    assert (shown["reservation"]["instancesNeeded"], shown["reservation"]["instancesInGroup"]) == (3, 3)
    assert shown["reservation"]["tasksWaiting"] == 0
    (described,) = stack.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
    group = shown["group"]
    assert (group["desiredCapacity"], group["inService"]) == (described["DesiredCapacity"], 3)
    assert group["protectedFromScaleIn"] == sum(1 for m in described["Instances"] if m["ProtectedFromScaleIn"]) == 3

    # Settings change; a provider taken off the cluster leaves its section; a deleted group shows as gone.
    stack.world.ecs.update_capacity_provider(
        name=PROVIDER, autoScalingGroupProvider={"managedScaling": {"status": "DISABLED"}}
    )
    (shown,) = providers_of(server).values()
    assert shown["managedScaling"]["status"] == "DISABLED" and shown["reservation"] is None


def test_the_page_and_its_files_are_served_as_shipped(server: Server):
    page = server.get("/_trunkline/ui")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    referenced = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert set(referenced) == {
        "data:,",
        *(f"/_trunkline/ui/{name}" for name in ("dashboard.css", "dashboard.js", "render.js")),
    }
    for name, media in [
        ("dashboard.js", "text/javascript"),
        ("render.js", "text/javascript"),
        ("dashboard.css", "text/css"),
    ]:
        answer = server.get(f"/_trunkline/ui/{name}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
        assert not re.search(r"https?://", answer.text), f"{name} must load nothing from elsewhere"
    for missing in ("nothing.js", "..%2Fapp.py", "__init__.py"):
        assert server.get(f"/_trunkline/ui/{missing}").status_code == 404
    assert httpx.post(server.url + "/_trunkline/dashboard", timeout=30).status_code == 405


def test_trunkline_ui_prints_the_url(server: Server):
    command = [sys.executable, "-m", "trunkline", "ui", "--no-open", "--endpoint-url", server.url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == server.url + "/_trunkline/ui"
    nobody = [sys.executable, "-m", "trunkline", "ui", "--no-open", "--endpoint-url", "http://127.0.0.1:9"]
    refused = subprocess.run(nobody, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "no trunkline server answers at http://127.0.0.1:9" in refused.stderr


# --- in the browser ----------------------------------------------------------------------------------


def chromium_path() -> str | None:
    """$TRUNKLINE_CHROMIUM when set (and only it), else Debian's chromium."""
    named = os.environ.get("TRUNKLINE_CHROMIUM")
    candidates = [named] if named else ["/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _unavailable(why: str) -> None:
    if os.environ.get("CI") in ("true", "1"):
        pytest.fail(f"{why}; CI must run the browser tests (scripts/ensure-chromium installs Chromium)")
    pytest.skip(f"{why}: the dashboard's browser tests need Debian's chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        _unavailable(
            f"chromium is not installed (looked for {os.environ.get('TRUNKLINE_CHROMIUM') or '/usr/bin/chromium'})"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A fresh page, and the console errors and uncaught exceptions it logs."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    opened.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # ERR_ABORTED: a request the page gave up, as the event stream is when the test navigates away.
    opened.on(
        "requestfailed",
        lambda r: (
            problems.append(f"request failed: {r.url} {r.failure}") if "ERR_ABORTED" not in str(r.failure) else None
        ),
    )
    try:
        yield opened, problems
    finally:
        context.close()


def card(page: Any, instance_id: str) -> Any:
    return page.locator(f'article.instance[data-instance="{instance_id}"]')


@pytest.mark.one_store
def test_the_page_shows_slots_vlans_reasons_and_follows_the_clock(
    spawn: Callable[..., Server], page: tuple[Any, list[str]]
):
    from playwright.sync_api import expect

    tab, problems = page
    server = spawn("--timing", "manual")
    shop = Shop(server)
    assert shop.run(shop.trunked, 2)["failures"] == []
    shop.world.settle()
    tab.goto(server.url + "/_trunkline/ui")
    tab.wait_for_selector("body[data-rendered]", timeout=15000)
    expect(tab.locator("#live")).to_have_text("live", timeout=10000)

    trunked = card(tab, shop.trunked)
    expect(trunked.locator(".badge", has_text="not trunked")).to_have_count(0)
    expect(trunked.locator(".badge", has_text="trunked")).to_have_count(1)
    expect(trunked.locator(".branches .slot")).to_have_count(10)
    expect(trunked.locator(".branches .slot.free")).to_have_count(8)
    vlans = shop.vlans()
    for eni_id, vlan in vlans.items():
        branch = trunked.locator(".branches .slot.task", has=tab.locator(f'.vlan:text-is("VLAN {vlan}")'))
        expect(branch).to_have_count(1)
        expect(branch.locator(".ip")).to_have_text(shop.address(eni_id))
        expect(branch.locator(".task")).to_contain_text("RUNNING")
    expect(trunked.locator(".interfaces .slot")).to_have_count(3)
    expect(trunked.locator(".interfaces .slot.trunk")).to_have_count(1)
    expect(trunked.locator(".limits")).to_contain_text("2 of 10")
    expect(trunked.locator(".limits")).to_contain_text("limit 2 without trunking, 10 with trunking")
    expect(trunked.locator(".reasons")).to_have_count(0)

    plain = card(tab, shop.plain)
    expect(plain.locator(".badge", has_text="not trunked")).to_have_count(1)
    expect(plain.locator(".branches")).to_have_count(0)
    expect(plain.locator(".interfaces .slot.primary")).to_have_count(1)
    expect(plain.locator(".interfaces .slot.free")).to_have_count(2)
    reason = shop.world.explain(CLUSTER, shop.plain)["reasons"][0]["message"]
    expect(plain.locator(".reasons")).to_contain_text(reason)
    expect(tab.locator('[data-testid="eni-slots"]')).to_have_text("2 / 10")
    expect(tab.locator("#clock-timing")).to_have_text("manual")
    expect(tab.locator("#clock-controls")).to_be_visible()

    # A task run with boto3 shows up without a reload, in PROVISIONING, with its ENI in a slot;
    # the one that does not fit is counted.
    started = shop.run(shop.plain, 3)
    assert [f["reason"] for f in started["failures"]] == ["RESOURCE:ENI"]
    new = [t["taskArn"].rsplit("/", 1)[-1] for t in started["tasks"]]
    for task_id in new:
        expect(tab.locator(f'tr[data-task="{task_id}"] .task-status')).to_have_text("PROVISIONING", timeout=10000)
    expect(plain.locator(".interfaces .slot.task")).to_have_count(2)
    expect(plain.locator(".interfaces .slot.free")).to_have_count(0)
    expect(tab.locator('[data-testid="eni-failures"]')).to_have_text("1")
    expect(tab.locator('[data-testid="tasks-placed"]')).to_have_text("4")

    # The clock's buttons move the tasks along, as POSTs from the page itself.
    before = tab.locator("#clock-now").inner_text()
    tab.locator("#advance-seconds").fill("1")
    tab.locator("#advance").click()
    expect(tab.locator("#clock-now")).not_to_have_text(before, timeout=10000)
    expect(tab.locator("#clock-message")).to_contain_text("step(s)")
    tab.locator("#settle").click()
    for task_id in new:
        expect(tab.locator(f'tr[data-task="{task_id}"] .task-status')).to_have_text("RUNNING", timeout=10000)
    expect(tab.locator("#clock-next")).to_have_text("nothing scheduled", timeout=10000)
    running = [t["lastStatus"] for t in shop.world.ecs.describe_tasks(cluster=CLUSTER, tasks=new)["tasks"]]
    assert running == ["RUNNING", "RUNNING"]

    # The filter hides the cards that do not match.
    tab.locator("#filter").fill("untrunked")
    expect(trunked).to_be_hidden()
    expect(plain).to_be_visible()
    tab.locator("#filter").fill("")

    # A service appears with its counts and its latest events.
    vpc = {"awsvpcConfiguration": {"subnets": [shop.net["subnet"]]}}
    shop.world.ecs.create_service(
        cluster=CLUSTER, serviceName="api", taskDefinition="web", desiredCount=2, networkConfiguration=vpc
    )
    tab.locator("#settle").click()
    row = tab.locator('tr[data-service="api"]')
    expect(row.locator(".counts")).to_have_text("2 / 2 / 0", timeout=10000)
    expect(row.locator(".events")).to_contain_text("has reached a steady state")

    shot = os.environ.get("TRUNKLINE_DASHBOARD_SCREENSHOT")
    if shot:
        tab.screenshot(path=shot, full_page=True)

    # Pages (100 cards at first; one here): "Show more" draws the next ones, the filter searches all.
    tab.goto(server.url + "/_trunkline/ui?page=1")
    tab.wait_for_selector("body[data-rendered]", timeout=15000)
    expect(tab.locator("article.instance")).to_have_count(1)
    expect(tab.locator("table.tasks tbody tr")).to_have_count(1)
    tab.locator('button.more[data-section="instances"]').click()
    expect(tab.locator("article.instance")).to_have_count(2)
    expect(tab.locator('button.more[data-section="instances"]')).to_have_count(0)
    tab.locator("#filter").fill(shop.plain)
    expect(tab.locator("article.instance")).to_have_count(1)
    expect(card(tab, shop.plain)).to_be_visible()
    assert problems == []


@pytest.mark.one_store
def test_the_page_on_an_empty_server_and_under_fast_timing(spawn: Callable[..., Server], page: tuple[Any, list[str]]):
    from playwright.sync_api import expect

    tab, problems = page
    server = spawn("--timing", "fast")
    tab.goto(server.url + "/_trunkline/ui")
    tab.wait_for_selector("body[data-rendered]", timeout=15000)
    expect(tab.locator("#clusters")).to_contain_text("No cluster in account 123456789012")
    expect(tab.locator("#clock-timing")).to_have_text("fast")
    expect(tab.locator("#clock-controls")).to_be_hidden()
    server.client("ecs").create_cluster(clusterName="later")
    # No event marks a new cluster: the page's periodic re-read finds it.
    expect(tab.locator('section.cluster[data-cluster="later"]')).to_have_count(1, timeout=20000)
    assert problems == []


@pytest.mark.one_store
def test_the_page_shows_capacity_providers_and_groups_moving(spawn: Callable[..., Server], page: tuple[Any, list[str]]):
    """A provider with managed scaling and its group: settings, sizes, members and the latest
    activity on screen; a desired capacity changed with boto3, the clock moved and tasks run show
    without a reload."""
    from playwright.sync_api import expect

    tab, problems = page
    stack = Stack(spawn("--timing", "manual"))
    server = stack.world.server
    stack.standard()
    tab.goto(server.url + "/_trunkline/ui")
    tab.wait_for_selector("body[data-rendered]", timeout=15000)
    expect(tab.locator("#live")).to_have_text("live", timeout=10000)
    row = tab.locator(f'tr[data-provider="{PROVIDER}"]')
    expect(row).to_contain_text("managed scaling enabled target 100%")
    expect(row).to_contain_text("termination protection enabled")
    expect(row).to_contain_text("default strategy: weight 1, base 0")
    expect(row).to_contain_text(GROUP)
    expect(row.locator('[data-testid="group-sizes"]')).to_have_text("1 / 1 / 6")
    expect(row.locator('[data-testid="group-members"]')).to_have_text("1 in service, 0 pending, 0 protected")
    expect(row.locator(".activity")).to_contain_text("Launching a new EC2 instance")
    expect(row.locator(".activity")).to_contain_text("Successful")
    figure = providers_of(server)[PROVIDER]["reservation"]
    shown = "no figure yet" if figure is None else f"{figure['capacityProviderReservation']:g}%"
    expect(row.locator('[data-testid="reservation"]')).to_have_text(shown)

    # The desired capacity changed with boto3, then the clock moved from the page: the launches show.
    stack.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=3)
    tab.locator("#advance-seconds").fill("10")  # the group acts 10 s after a change (timing.py)
    tab.locator("#advance").click()
    expect(row.locator('[data-testid="group-sizes"]')).to_have_text("1 / 3 / 6", timeout=10000)
    group = providers_of(server)[PROVIDER]["group"]
    assert group["pending"] + group["inService"] == 3, group
    members = f"{group['inService']} in service, {group['pending']} pending, {group['protectedFromScaleIn']} protected"
    expect(row.locator('[data-testid="group-members"]')).to_have_text(members)
    expect(row.locator(".activity")).to_contain_text("Launching a new EC2 instance")

    # Tasks run and the clock settles: the page shows the group and the figure as the APIs do.
    stack.service(12)
    tab.locator("#settle").click()
    expect(tab.locator('[data-testid="tasks-placed"]')).to_have_text("12", timeout=20000)
    expect(tab.locator("#clock-next")).to_have_text("nothing scheduled", timeout=20000)
    (described,) = stack.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
    sizes = f"{described['MinSize']} / {described['DesiredCapacity']} / {described['MaxSize']}"
    expect(row.locator('[data-testid="group-sizes"]')).to_have_text(sizes, timeout=10000)
    protected = sum(1 for m in described["Instances"] if m["ProtectedFromScaleIn"])
    assert protected > 0, "instances running tasks are protected"
    expect(row.locator('[data-testid="group-members"]')).to_have_text(
        f"{len(described['Instances'])} in service, 0 pending, {protected} protected", timeout=10000
    )
    figure = stack.reservation()  # the figure now; the page shows the last round's, the same once settled
    expect(row.locator('[data-testid="reservation"]')).to_have_text(f"{figure['capacityProviderReservation']:g}%")
    expect(row).to_contain_text(f"{figure['instancesNeeded']} needed / {figure['instancesInGroup']} in group")
    latest = stack.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"][0]
    expect(row.locator(".activity")).to_contain_text(latest["Description"])

    shot = os.environ.get("TRUNKLINE_DASHBOARD_SCREENSHOT")
    if shot:
        tab.screenshot(path=shot.replace(".png", "-capacity.png"), full_page=True)
    assert problems == []


def test_screenshot_in_the_docs_exists() -> None:
    shot = Path(__file__).resolve().parent.parent / "docs" / "dashboard.png"
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.one_store
def test_names_and_reasons_with_markup_are_drawn_as_text(spawn: Callable[..., Server], page: tuple[Any, list[str]]):
    """What users type (a task group, a stop reason) reaches the page as text, never as markup: a
    task stopped with an <img onerror> reason must not become an element on the dashboard, whose
    origin may reset the state and move the clock."""
    from playwright.sync_api import expect

    tab, problems = page
    server = spawn("--timing", "manual")
    shop = Shop(server)
    group = '<b class="pwned">group</b>'
    reason = '<img class="pwned" src="x" onerror="document.body.dataset.pwned=1">'
    started = shop.world.ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="web",
        group=group,
        networkConfiguration={"awsvpcConfiguration": {"subnets": [shop.net["subnet"]]}},
        placementConstraints=[{"type": "memberOf", "expression": f"ec2InstanceId == {shop.trunked}"}],
    )
    (task,) = started["tasks"]
    shop.world.ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason=reason)
    shop.world.settle()
    tab.goto(server.url + "/_trunkline/ui")
    tab.wait_for_selector("body[data-rendered]", timeout=15000)
    row = tab.locator(f'tr[data-task="{task["taskArn"].rsplit("/", 1)[1]}"]')
    expect(row).to_contain_text(group)
    expect(row).to_contain_text(reason)
    expect(tab.locator(".pwned")).to_have_count(0)
    assert tab.evaluate("document.body.dataset.pwned") is None
    assert problems == []
