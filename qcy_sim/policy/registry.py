"""The lever registry: one declaration per lever, its parameters and its place in the plan.

Each lever is a frozen dataclass (its ``[policy.<name>]`` table: ``on``, ``start_month`` and its
own keys) registered with :func:`lever`, which records in :data:`LEVERS` what the rest of the
package needs to know about it: the plan's tasks it implements, the spending categories it books
and the account paying each, the KPIs and other outputs its mechanism moves, whether it is an
institutional reform (whose outcomes can become reform cases), and for programmes with a running
cost, the keys whose product is the yearly cost. ``qcy levers``, ``docs/ODD.md`` §8 and the
spending categories are generated from this registry; the mechanism that a lever drives is in
:mod:`qcy_sim.mechanisms`, which reads its parameters and asks :class:`~qcy_sim.policy.Governance`
how strongly it acts.
"""

from dataclasses import dataclass
from typing import Any

from ..core.params import par
from ..names import KPIS

__all__ = ["LeverSpec", "LEVERS", "lever", "Lever", "TALENTS", "LIVING", "CARRIERS", "PROGRAMMES"]

TALENTS, LIVING, CARRIERS, PROGRAMMES = (
    "special.talents",
    "special.living",
    "special.carriers",
    "special.programmes",
)


@dataclass(frozen=True)
class LeverSpec:
    """What the package knows about one lever besides its parameters.

    Attributes:
        name: The lever's table under ``[policy]``.
        params: Its parameter dataclass.
        tasks: The plan's task numbers it implements (0: the safeguards of section 五).
        spending: ``(category, account)`` pairs it books; the first is its main line.
        kpis: KPI ids its mechanism moves.
        outputs: Outputs (KPIs or monthly series) that switching it on raises; the lever tests
            check each.
        reform: An institutional reform: its outcomes can become reform cases.
        fixed_cost: Keys of its table whose product is its yearly running cost (million CNY),
            paid monthly while it acts; empty for levers that pay per use.
        cost: How its cost arises, in words.
        mechanism: What it changes, in words.
    """

    name: str
    params: type
    tasks: tuple[int, ...]
    spending: tuple[tuple[str, str], ...]
    kpis: tuple[str, ...]
    outputs: tuple[str, ...]
    reform: bool
    fixed_cost: tuple[str, ...]
    cost: str
    mechanism: str

    @property
    def lever(self) -> str:
        """The scenario table that switches the lever (it has an ``on`` key)."""
        return f"policy.{self.name}"

    @property
    def spending_category(self) -> str:
        """The lever's main spending category."""
        return self.spending[0][0]

    def yearly_cost(self, params: Any) -> float:
        """Running cost per year (million CNY) of a fixed-cost programme with these parameters."""
        cost = 1.0
        for key in self.fixed_cost:
            cost *= getattr(params, key)
        return cost if self.fixed_cost else 0.0


LEVERS: dict[str, LeverSpec] = {}


def lever(
    name: str,
    *,
    tasks: tuple[int, ...],
    spending: dict[str, str],
    kpis: tuple[str, ...],
    outputs: tuple[str, ...],
    cost: str,
    mechanism: str,
    reform: bool = False,
    fixed_cost: tuple[str, ...] = (),
):
    """Register the decorated dataclass as the parameters of lever ``name``."""
    unknown = [k for k in kpis if k not in KPIS]
    if unknown:
        raise ValueError(f"lever {name}: unknown KPIs {unknown}")

    def register(cls: type) -> type:
        if name in LEVERS:
            raise ValueError(f"lever {name} declared twice")
        LEVERS[name] = LeverSpec(
            name,
            cls,
            tuple(tasks),
            tuple(spending.items()),
            tuple(kpis),
            tuple(outputs),
            reform,
            tuple(fixed_cost),
            cost,
            mechanism,
        )
        return cls

    return register


@dataclass(frozen=True)
class Lever:
    """Keys every policy lever has."""

    on: bool = par(True, "bool", "Whether the lever acts at all (off: no effect and no cost).")
    start_month: int = par(
        1,
        "month",
        "First month the lever acts (1 = time.start), before any leadership delay.",
        1,
        600,
    )
