"""One candidate instance type's result row, shared by the plan's run, table and chart (its own
module, so render and chart need not import run, which imports them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trunkline.plan.arithmetic import Sizing

if TYPE_CHECKING:
    from trunkline.plan.simulate import Simulation


@dataclass
class Row:
    """One candidate type, its sizing per trunking mode (False: off, True: on)."""

    instance_type: str
    by_mode: dict[bool, Sizing]
    simulations: dict[bool, Simulation] = field(default_factory=dict)
    differences: dict[bool, list[str]] = field(default_factory=dict)
    rank: int = 0

    @property
    def primary(self) -> Sizing:
        return self.by_mode.get(True) or self.by_mode[False]
