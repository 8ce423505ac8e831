"""The lever registry: one declaration per lever, its parameters and its place in the plan.

Each lever is a frozen dataclass (its ``[policy.<name>]`` table: ``on``, ``start_month`` and its own
keys) registered with :func:`lever`, which records in :data:`LEVERS` what the rest of the package
needs to know about it: the plan's tasks it implements, the spending categories it books (all paid
from the lever's own budget line), the KPIs and other outputs its mechanism moves, whether it is an
institutional reform (whose outcomes can become reform cases), and for programmes with a running
cost, the keys whose product is the yearly cost. ``qcy levers``, ``docs/ODD.md`` §8 and the spending
categories are generated from this registry; the mechanism that a lever drives is in
:mod:`qcy_sim.mechanisms`, which reads its parameters and asks :class:`~qcy_sim.policy.Governance`
how strongly it acts.
"""

from dataclasses import dataclass, field
from typing import Any

from ..core.params import par
from ..names import KPIS

__all__ = [
    "LeverSpec",
    "LEVERS",
    "lever",
    "Lever",
    "budget",
    "CarrierSupport",
    "support",
    "case_bar",
]


@dataclass(frozen=True)
class LeverSpec:
    """What the package knows about one lever besides its parameters.

    Attributes:
        name: The lever's table under ``[policy]``.
        params: Its parameter dataclass.
        tasks: The plan's task numbers it implements (0: the safeguards of section 五).
        spending: The spending categories it books, all paid from its own budget line in the
            talent special fund; the first is its main category.
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
    spending: tuple[str, ...]
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
        return self.spending[0]

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
    spending: tuple[str, ...],
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
            tuple(spending),
            tuple(kpis),
            tuple(outputs),
            reform,
            tuple(fixed_cost),
            cost,
            mechanism,
        )
        return cls

    return register


def budget(default: float, why: str) -> float:
    """A lever's yearly appropriation (its budget line in the talent special fund)."""
    return par(
        default,
        "million CNY/year",
        "Yearly appropriation of the lever's budget line in the talent special fund; what it "
        f"does not spend returns to the fund. {why}",
        0,
        1e7,
    )


@dataclass(frozen=True)
class Lever:
    """Keys every policy lever has (and ``budget_cny_million_per_year``, set by each lever)."""

    on: bool = par(True, "bool", "Whether the lever acts at all (off: no effect and no cost).")
    start_month: int = par(
        1,
        "month",
        "First month the lever acts (1 = time.start), before any leadership delay.",
        1,
        600,
    )


@dataclass(frozen=True)
class CarrierSupport:
    """A lever's programme for one kind of carrier: calls, criteria, grants, awards, support."""

    calls_per_year: int = par(
        2,
        "calls/year",
        "Recognition calls a year, evenly spaced (0: the programme recognises nothing).",
        0,
        12,
        choices=(0, 1, 2, 3, 4, 6, 12),
    )
    criteria: float = par(
        0.0,
        "z",
        "Quality a proposal needs to be recognised, in standard deviations of proposals' quality "
        "(0: half pass; higher is stricter).",
        -5,
        5,
    )
    grant_share: float = par(
        0.3, "1", "Share of a recognised carrier's construction cost the programme pays.", 0, 1
    )
    award_cny_million: float = par(
        0.5, "million CNY", "Award paid when a carrier is recognised.", 0, 1e5
    )
    operating_support_cny_million_per_year: float = par(
        1.0, "million CNY/year", "Support paid to each recognised operating carrier.", 0, 1e5
    )
    min_occupancy: float = par(
        0.2,
        "1",
        "Occupancy below which a recognised carrier loses recognition at its yearly evaluation.",
        0,
        1,
    )
    operating_recognition_occupancy: float = par(
        0.6,
        "1",
        "Occupancy at which an operating carrier that was not recognised (built by its proposer "
        "alone) is recognised at its yearly evaluation, paid the award but no construction grant "
        "(存量认定 of operating carriers; it must also reach min_occupancy; above 1: never).",
        0,
        2,
    )


def support(doc: str, **defaults: Any) -> Any:
    """A lever's nested ``[policy.<lever>.<carrier kind>]`` table."""
    return field(
        default_factory=lambda: CarrierSupport(**defaults), metadata={"section": True, "doc": doc}
    )


def case_bar(default: float, outcome: str) -> float:
    """How much of a reform's measured outcome earns one candidate reform case."""
    return par(
        default,
        "count",
        f"A candidate reform case for every this many {outcome} since the start (up to "
        "reform.max_cases_per_reform).",
        0,
        1e9,
    )
