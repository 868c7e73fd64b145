"""`--chart FILE.png|.svg`: per type, tasks per instance and instances needed, without and with
trunking, as grouped bars. matplotlib draws both formats from one code path (its SVG and PNG
backends are part of it); it is an optional dependency (`pip install trunkline[chart]`), imported
only here, so neither the server nor plan without --chart pays for it."""

from __future__ import annotations

from pathlib import Path

from trunkline.plan import PlanError
from trunkline.plan.rows import Row

MAX_TYPES = 20  # more bars are unreadable: the best-ranked types are drawn


def draw(rows: list[Row], path: Path, title: str, main: str) -> None:
    """`main`: the definition whose tasks per instance are drawn (the one with the most tasks)."""
    if path.suffix.lower() not in (".png", ".svg"):
        raise PlanError(f"--chart {path}: the file name must end in .png or .svg")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlanError("--chart needs matplotlib: pip install 'trunkline[chart]'") from None
    shown = rows[:MAX_TYPES]
    names = [r.instance_type for r in shown]
    modes = sorted({mode for r in shown for mode in r.by_mode})
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(max(6.0, 0.55 * len(names) + 2), 7), sharex=True)
    width = 0.8 / max(len(modes), 1)
    colours = {False: "#9aa5b1", True: "#2f6fde"}
    for offset, mode in enumerate(modes):
        xs = [i + (offset - (len(modes) - 1) / 2) * width for i in range(len(names))]
        label = "trunking on" if mode else "trunking off"
        per = [r.by_mode[mode].tasks_per_instance.get(main, 0) if mode in r.by_mode else 0 for r in shown]
        needed = [(r.by_mode[mode].instances or 0) if mode in r.by_mode else 0 for r in shown]
        top.bar(xs, per, width, label=label, color=colours[mode])
        bottom.bar(xs, needed, width, label=label, color=colours[mode])
    top.set_ylabel(f"tasks of {main} per instance")
    bottom.set_ylabel("instances needed")
    top.set_title(title, fontsize=9, wrap=True)
    top.legend()
    bottom.set_xticks(range(len(names)), names, rotation=45, ha="right")
    figure.tight_layout()
    try:
        figure.savefig(path, format=path.suffix.lower()[1:], metadata={"Date": None} if path.suffix == ".svg" else None)
    except OSError as error:
        raise PlanError(f"--chart {path}: {error.strerror or error}") from None
    finally:
        plt.close(figure)
