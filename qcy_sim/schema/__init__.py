"""The scenario schema: frozen dataclasses whose fields carry unit, range and meaning.

This package is the single source of truth for scenario keys. The loader
(:mod:`qcy_sim.scenario`) validates files against it, and ``docs/scenario-reference.md`` is
generated from it (``python -m qcy_sim.docs``; a test fails if the two drift apart). The sections
live in :mod:`.talent`, :mod:`.firms` and :mod:`.collective`; the ``[policy.<lever>]`` tables are
the lever declarations of :mod:`qcy_sim.policy`. Index conventions of list-valued keys are in
:mod:`qcy_sim.names`.
"""

from dataclasses import dataclass, fields, is_dataclass
from typing import get_type_hints

from ..core.params import is_section, par, section
from ..names import CARRIER_KINDS, FIELDS, KPIS, LEVELS, TALENT_KINDS
from ..policy import PolicyParams
from .collective import AccountingParams, GovernanceParams, ReformParams, TeamParams
from .firms import BudgetParams, CarrierParams, CarrierSet, EnterpriseParams, FundParams, FundSet
from .talent import InitialState, TalentParams, TimeParams

__all__ = [
    "TALENT_KINDS",
    "FIELDS",
    "LEVELS",
    "CARRIER_KINDS",
    "KPIS",
    "TimeParams",
    "InitialState",
    "TalentParams",
    "EnterpriseParams",
    "CarrierParams",
    "CarrierSet",
    "BudgetParams",
    "FundParams",
    "FundSet",
    "PolicyParams",
    "TeamParams",
    "ReformParams",
    "GovernanceParams",
    "AccountingParams",
    "ModelParams",
    "Target",
    "Milestone",
    "TARGET_KEYS",
    "is_section",
    "iter_keys",
    "par",
    "uncertain_parameters",
]


@dataclass(frozen=True)
class ModelParams:
    """All parameters of one scenario."""

    time: TimeParams = section(TimeParams, "Calendar.")
    initial: InitialState = section(InitialState, "Initial state (end of 2021).")
    talent: TalentParams = section(TalentParams, "Talents.")
    enterprise: EnterpriseParams = section(EnterpriseParams, "Enterprises.")
    carriers: CarrierSet = section(CarrierSet, "Carriers by kind.")
    funds: FundSet = section(FundSet, "Funds.")
    policy: PolicyParams = section(PolicyParams, "Policy levers.")
    teams: TeamParams = section(TeamParams, "Teams.")
    reform: ReformParams = section(ReformParams, "Reform cases.")
    governance: GovernanceParams = section(GovernanceParams, "Administration.")
    accounting: AccountingParams = section(AccountingParams, "Counting rules.")


@dataclass(frozen=True)
class Target:
    """A plan target: the KPI must reach ``threshold x (1 - tolerance)`` by ``deadline``."""

    kpi: str
    threshold: float
    deadline: str
    tolerance: float = 0.0


@dataclass(frozen=True)
class Milestone:
    """An intermediate check: the KPI at least ``threshold`` at the end of ``month``.

    It is judged with the tolerance of the KPI's target, if it has one.
    """

    kpi: str
    month: str
    threshold: float


TARGET_KEYS = {
    "threshold": ("float", "count", "Target value of the KPI.", 0, 1e12),
    "deadline": ("month", "YYYY-MM", "Month by whose end the target must be met.", None, None),
    "tolerance": (
        "float",
        "1",
        "'About' tolerance: met at threshold x (1 - tolerance) (plan's 左右).",
        0,
        1,
    ),
}


def iter_keys(cls: type = ModelParams, prefix: str = ""):
    """Yield ``(dotted key, field, python type, owning class)`` for every leaf key of the schema."""
    hints = get_type_hints(cls)
    for f in fields(cls):
        key = f"{prefix}{f.name}"
        typ = hints[f.name]
        if is_dataclass(typ):
            yield from iter_keys(typ, key + ".")
        else:
            yield key, f, typ, cls


def uncertain_parameters() -> dict[str, tuple[float, float]]:
    """Dotted key -> plausible (low, high) of every parameter marked as uncertain."""
    return {
        key: f.metadata["plausible"]
        for key, f, _t, _c in iter_keys()
        if f.metadata.get("plausible")
    }
