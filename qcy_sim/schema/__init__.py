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
from .collective import (
    AccountingParams,
    BrokerParams,
    GovernanceParams,
    RecognitionParams,
    ReformParams,
    TeamParams,
)
from .competitors import COMPETITORS, Competitor, CompetitorSet
from .firms import (
    BudgetParams,
    CarrierParams,
    CarrierSet,
    EnterpriseParams,
    FundParams,
    FundSet,
    SpecialFundParams,
)
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
    "SpecialFundParams",
    "FundSet",
    "COMPETITORS",
    "Competitor",
    "CompetitorSet",
    "BrokerParams",
    "RecognitionParams",
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
    competitors: CompetitorSet = section(CompetitorSet, "Competing destinations.")
    recognition: RecognitionParams = section(RecognitionParams, "Recognition of talents.")
    brokers: BrokerParams = section(BrokerParams, "Technology brokers and transfers.")
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
    counting: str = ""  # "stock", "gained" or "cumulative"; "" is the KPI's default


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
    "counting": (
        "choice",
        "stock | gained | cumulative",
        "What the KPI counts: present at the deadline (stock), present and added since the "
        "start (gained), or everything added since the start, gone or not (cumulative). "
        "Default: the KPI's counting argued from the plan's wording (docs/ODD.md).",
        ("stock", "gained", "cumulative"),
        None,
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
