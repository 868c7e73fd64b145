"""Plan's output: a Rich table on a terminal, plain text when piped, JSON or CSV for scripts."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Console, JustifyMethod
from rich.table import Table

from trunkline.plan.arithmetic import Sizing
from trunkline.plan.rows import Row
from trunkline.plan.workload import Definition

Record = dict[str, Any]
LABEL = {False: "off", True: "on"}


def title(load: list[Definition]) -> str:
    return "workload: " + ", ".join(
        f"{d.count} x {d.name} ({d.cpu} CPU, {d.memory} MiB" + (f", {d.gpus} GPU)" if d.gpus else ")") for d in load
    )


def _per(s: Sizing) -> str:
    return "/".join(str(n) for n in s.tasks_per_instance.values()) or "-"


def _spare(s: Sizing) -> str:
    if s.instances is None:
        return "-"
    return f"{s.spare['ENI']}/{s.spare['CPU']}/{s.spare['MEMORY']}"


def _cells(s: Sizing) -> list[str]:
    instances = "-" if s.instances is None else str(s.instances) + ("*" if s.estimated else "")
    cost = "" if s.cost is None else f"{s.cost:.2f}"
    return [_per(s), "/".join(s.binding.values()), instances, _spare(s), cost]


COLUMNS = ["tasks/inst", "binding", "instances", "spare ENI/CPU/MiB", "$/hour"]


def _simulated(row: Row, mode: bool) -> str:
    if mode not in row.simulations:
        return ""
    sim = row.simulations[mode]
    differs = row.differences.get(mode) or []
    return f"{sim.used} used" + ("; " + "; ".join(differs) if differs else ", as computed")


def table(console: Console, load: list[Definition], rows: list[Row]) -> None:
    modes = sorted({m for r in rows for m in r.by_mode})
    priced = any(s.price is not None for r in rows for s in r.by_mode.values())
    shown = len(COLUMNS) if priced else len(COLUMNS) - 1  # no $/hour column without prices
    grid = Table(title=title(load))
    grid.add_column("#", justify="right")
    grid.add_column("type", overflow="fold")
    for mode in modes:
        for column in COLUMNS[:shown]:
            justify: JustifyMethod = "right" if column != "binding" else "left"
            grid.add_column(f"{column} ({LABEL[mode]})", justify=justify, overflow="fold")
    simulated = any(r.simulations for r in rows)
    if simulated:
        for mode in modes:
            grid.add_column(f"simulated ({LABEL[mode]})", overflow="fold")
    for row in rows:
        cells = [str(row.rank), row.instance_type]
        for mode in modes:
            cells += _cells(row.by_mode[mode])[:shown]
        if simulated:
            cells += [_simulated(row, mode) for mode in modes]
        grid.add_row(*cells)
    console.print(grid)
    console.print(_footnote(rows), markup=False, highlight=False)


def _footnote(rows: list[Row]) -> str:
    notes = [
        "tasks/inst (tasks per instance) and binding: per task definition, in the order given (binding: ENI, CPU, MEMORY, PORTS or GPU);",
        "spare: task ENI slots, CPU units and MiB left on the instances needed; ranked by cost, else by vCPUs and memory bought.",
    ]
    if any(s.estimated for r in rows for s in r.by_mode.values()):
        notes.append("*: the trunked ENI limit is estimated from EKS branch-ENI limits, not documented by ECS.")
    return "\n".join(notes)


def plain(load: list[Definition], rows: list[Row]) -> str:
    modes = sorted({m for r in rows for m in r.by_mode})
    header = ["rank", "type"] + [f"{c.split(' ')[0]}_{LABEL[m]}" for m in modes for c in COLUMNS]
    lines = [title(load), "  ".join(header)]
    for row in rows:
        cells = [str(row.rank), row.instance_type]
        for mode in modes:
            cells += [c.replace(" ", "") or "-" for c in _cells(row.by_mode[mode])]
        lines.append("  ".join(cells))
        for mode in modes:
            if mode in row.simulations:
                lines.append(f"  simulated (trunking {LABEL[mode]}): {_simulated(row, mode)}")
    lines.append(_footnote(rows))
    return "\n".join(lines)


def _sizing(s: Sizing) -> Record:
    return {
        "trunked": s.trunked,
        "registeredCpu": s.cpu,
        "registeredMemory": s.memory,
        "taskEniSlots": s.eni_slots,
        "tasksPerInstance": s.tasks_per_instance,
        "binding": s.binding,
        "instances": s.instances,
        "spare": s.spare,
        "pricePerHour": s.price,
        "costPerHour": s.cost,
        "estimatedEniLimit": s.estimated,
    }


def as_json(load: list[Definition], rows: list[Row]) -> str:
    answer = {
        "workload": [
            {"family": d.name, "count": d.count, "cpu": d.cpu, "memory": d.memory, "gpus": d.gpus, "awsvpc": d.awsvpc}
            for d in load
        ],
        "types": [
            {
                "rank": r.rank,
                "instanceType": r.instance_type,
                **{f"trunking{LABEL[m].capitalize()}": _sizing(s) for m, s in r.by_mode.items()},
                **(
                    {
                        "simulated": {
                            LABEL[m]: {**sim.as_json(), "differences": r.differences.get(m, [])}
                            for m, sim in r.simulations.items()
                        }
                    }
                    if r.simulations
                    else {}
                ),
            }
            for r in rows
        ],
    }
    return json.dumps(answer, indent=2)


def as_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["rank", "instance_type", "trunking", "tasks_per_instance", "binding", "instances", "spare_eni", "spare_cpu",
         "spare_memory", "cost_per_hour", "estimated_eni_limit"]
    )  # fmt: skip
    for row in rows:
        for mode, s in sorted(row.by_mode.items()):
            writer.writerow(
                [row.rank, row.instance_type, LABEL[mode], _per(s), s.overall_binding,
                 "" if s.instances is None else s.instances, s.spare.get("ENI", ""), s.spare.get("CPU", ""),
                 s.spare.get("MEMORY", ""), "" if s.cost is None else f"{s.cost:.4f}", s.estimated]
            )  # fmt: skip
    return out.getvalue()
