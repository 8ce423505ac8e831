"""Teams, reform cases, administration and counting.

The sections ``[teams]``, ``[reform]``, ``[governance]`` and ``[accounting]``.
"""

from dataclasses import dataclass

from ..core.params import par

__all__ = ["TeamParams", "ReformParams", "GovernanceParams", "AccountingParams"]


@dataclass(frozen=True)
class TeamParams:
    """Formation and dissolution of scientist+engineer and 新双创 teams."""

    se_form_per_year: float = par(
        0.0008,
        "1/year",
        "Chance per year a free resident scientist forms a team with a firm.",
        0,
        1,
        plausible=(0.0004, 0.0016),
        prior=(
            "loguniform",
            "the range is x 0.5 to x 2 of the default (a factor of 4): "
            "uncertain in scale, so log-uniform",
        ),
    )
    se_broker_effect: float = par(
        0.3, "1", "Formation multiplier 1 + effect x brokers per 1,000 residents.", 0, 50
    )
    se_center_effect: float = par(
        0.15, "1", "Formation multiplier 1 + effect x operating shared research centres.", 0, 50
    )
    se_engineers: int = par(3, "people", "Engineers a team needs from its partner firm.", 1, 100)
    se_project_share: float = par(
        0.35,
        "1",
        "Share of brokered projects (transfers that are not spin-offs) that seed a "
        "scientist+engineer team.",
        0,
        1,
    )
    se_dissolve_per_year: float = par(
        0.12, "1/year", "Dissolution hazard of a team (project ends).", 0, 1
    )
    sc_form_per_year: float = par(
        0.002,
        "1/year",
        "Chance per year a young talent or student forms a 新双创 team.",
        0,
        1,
        plausible=(0.001, 0.004),
        prior=(
            "loguniform",
            "the range is x 0.5 to x 2 of the default (a factor of 4): "
            "uncertain in scale, so log-uniform",
        ),
    )
    sc_space_effect: float = par(
        2.0,
        "1",
        "Formation multiplier 1 + effect x free space share (student spaces, incubators).",
        0,
        50,
    )
    sc_dissolve_per_year: float = par(0.35, "1/year", "Dissolution hazard of a 新双创 team.", 0, 1)


@dataclass(frozen=True)
class ReformParams:
    """How reforms produce candidate cases and how cases are promoted."""

    case_per_reform_per_year: float = par(
        0.8,
        "cases/year",
        "Candidate cases each active reform lever produces per year "
        "(reform levers: evaluation_reform, three_pools, lab_sharing, tech_transfer, enclaves, "
        "fault_tolerance, talent_market, brokers, young_talent).",
        0,
        100,
        plausible=(0.4, 1.2),
    )
    maturity_months: int = par(
        9, "months", "Months of evidence a case needs before it can be promoted.", 0, 120
    )
    promotion_per_month: float = par(
        0.04,
        "1/month",
        "Chance per month a mature case is promoted nationally or provincially.",
        0,
        1,
        plausible=(0.02, 0.08),
        prior=(
            "loguniform",
            "the range is x 0.5 to x 2 of the default (a factor of 4): "
            "uncertain in scale, so log-uniform",
        ),
    )


@dataclass(frozen=True)
class GovernanceParams:
    """How fast the administration turns a lever into action."""

    delay_months: float = par(
        6.0,
        "months",
        "Start delay of a lever when nothing drives execution (leadership off); "
        "shortened by leadership's execution strength.",
        0,
        60,
        plausible=(3.0, 9.0),
    )


@dataclass(frozen=True)
class AccountingParams:
    """How the plan's figures are counted."""

    count_flexible_talents: bool = par(
        True,
        "bool",
        "Count flexibly engaged talents (柔性引才: remote, part-time) in "
        "innovation_talents, high_end_talents and high_level_talents, as the plan's "
        "不求我有但求我用 invites.",
    )
