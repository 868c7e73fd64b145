"""`trunkline plan` end to end: the candidate types, the arithmetic (and --simulate), the ranking,
the output."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from trunkline.domain import catalog
from trunkline.domain.catalog import InstanceType
from trunkline.plan import PlanError, arithmetic, workload
from trunkline.plan.rows import Row

MODES = {"on": (True,), "off": (False,), "both": (False, True)}


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def candidates(types: list[str] | None, families: list[str] | None, all_supported: bool) -> list[InstanceType]:
    chosen: dict[str, InstanceType] = {}
    for name in _split(types):
        entry = catalog.get_instance_type(name)
        if entry is None:
            raise PlanError(f"unknown instance type: {name}")
        if entry.vcpus is None or entry.memory_mib is None:
            raise PlanError(f"instance type {name}: the catalog has no vCPU or memory figures for this retired type")
        chosen[name] = entry
    every = catalog.all_instance_types()
    for family in _split(families):
        members = [e for e in every if e.name.split(".")[0] == family and e.vcpus and e.memory_mib]
        if not members:
            raise PlanError(f"unknown instance family: {family}")
        chosen.update({e.name: e for e in members})
    if all_supported or not chosen:
        chosen.update({e.name: e for e in every if e.supports_trunking and e.vcpus and e.memory_mib})
    return [chosen[name] for name in sorted(chosen)]


def prices(path: Path | None) -> dict[str, float]:
    """`instance_type,price_per_hour` rows (a header line; extra columns ignored)."""
    if path is None:
        return {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise PlanError(f"--prices {path}: {error.strerror or error}") from None
    found: dict[str, float] = {}
    for number, row in enumerate(rows, start=2):
        name, price = row.get("instance_type"), row.get("price_per_hour")
        if name is None or price is None:
            raise PlanError(f"--prices {path}: needs the columns instance_type,price_per_hour")
        try:
            found[name.strip()] = float(price)
        except ValueError:
            raise PlanError(f"--prices {path}: line {number}: '{price}' is not a price") from None
    return found


def sweep(
    entries: list[InstanceType], modes: tuple[bool, ...], load: list[workload.Definition], costs: dict[str, float]
) -> list[Row]:
    rows = [Row(e.name, {mode: arithmetic.size(e, mode, load, costs.get(e.name)) for mode in modes}) for e in entries]
    ranked_primaries = arithmetic.rank([r.primary for r in rows])
    order = {id(s): s.rank for s in ranked_primaries}
    rows.sort(key=lambda r: order[id(r.primary)])
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows


def simulate(rows: list[Row], load: list[workload.Definition], console: Console, over_http: bool = False) -> None:
    """Each row and mode through the placement engine (`over_http`: the sandbox served on a local
    port and driven with boto3, the benchmark's baseline; the same placements, slower)."""
    from trunkline.plan.sandbox import SandboxError

    try:
        _simulate(rows, load, console, over_http)
    except SandboxError as error:
        raise PlanError(f"--simulate: {error}") from None


def _simulate(rows: list[Row], load: list[workload.Definition], console: Console, over_http: bool) -> None:
    from trunkline.plan.simulate import differences, sandbox

    jobs = [(row, mode) for row in rows for mode in row.by_mode if row.by_mode[mode].instances is not None]
    with (
        sandbox(over_http) as box,
        Progress(console=console, disable=not console.is_terminal, transient=True) as progress,
    ):
        task = progress.add_task("simulating placement", total=len(jobs))
        for row, mode in jobs:
            sizing = row.by_mode[mode]
            progress.update(task, description=f"simulating {row.instance_type} trunking {'on' if mode else 'off'}")
            entry = catalog.get_instance_type(row.instance_type)
            assert entry is not None
            result = box.run(entry, mode, load, sizing)
            row.simulations[mode] = result
            row.differences[mode] = differences(sizing, result)
            progress.advance(task)


def plan(
    references: list[str],
    types: list[str] | None = None,
    families: list[str] | None = None,
    all_supported: bool = False,
    trunking: str = "both",
    endpoint_url: str | None = None,
    prices_csv: Path | None = None,
    run_simulation: bool = False,
    console: Console | None = None,
) -> tuple[list[workload.Definition], list[Row]]:
    if trunking not in MODES:
        raise PlanError(f"--trunking {trunking}: choose on, off or both")
    load = workload.load(references, endpoint_url)
    entries = candidates(types, families, all_supported)
    rows = sweep(entries, MODES[trunking], load, prices(prices_csv))
    if run_simulation:
        simulate(rows, load, console or Console(stderr=True))
    return load, rows


def main(
    references: list[str],
    types: list[str] | None,
    families: list[str] | None,
    all_supported: bool,
    trunking: str,
    endpoint_url: str | None,
    prices_csv: Path | None,
    run_simulation: bool,
    output: str,
    chart: Path | None,
) -> int:
    from trunkline.plan import render

    console = Console()
    try:
        if output not in ("table", "json", "csv"):
            raise PlanError(f"--output {output}: choose table, json or csv")
        load, rows = plan(
            references, types, families, all_supported, trunking, endpoint_url, prices_csv, run_simulation,
            Console(stderr=True),
        )  # fmt: skip
        if chart is not None:
            from trunkline.plan.chart import draw

            draw(rows, chart, render.title(load), max(load, key=lambda d: d.count).name)
    except PlanError as error:
        print(f"trunkline plan: {error}", file=sys.stderr)
        return 2
    if output == "json":
        print(render.as_json(load, rows))
    elif output == "csv":
        sys.stdout.write(render.as_csv(rows))
    elif console.is_terminal:
        render.table(console, load, rows)
    else:
        print(render.plain(load, rows))
    return 0
