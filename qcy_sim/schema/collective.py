"""Teams, reform cases, administration and counting.

The sections ``[teams]``, ``[brokers]``, ``[recognition]``, ``[reform]``, ``[governance]`` and
``[accounting]``.
"""

from dataclasses import dataclass

from ..core.params import par

__all__ = [
    "TeamParams",
    "BrokerParams",
    "RecognitionParams",
    "ReformParams",
    "GovernanceParams",
    "AccountingParams",
]


@dataclass(frozen=True)
class TeamParams:
    """Projects that scientist+engineer teams form around; 新双创 team formation."""

    chain_leader_projects_per_year: float = par(
        1.0,
        "projects/year",
        "R&D projects a chain leader commissions from scientists each year, before opened labs "
        "and university partnerships raise it (assumption: a few joint projects a year).",
        0,
        1000,
        plausible=(0.75, 3.0),
    )
    centre_projects_per_year: float = par(
        2.0,
        "projects/year",
        "Projects each operating shared research centre offers scientists each year.",
        0,
        1000,
        plausible=(1.0, 4.0),
    )
    se_engineers: int = par(3, "people", "Engineers a team needs from its partner firm.", 1, 100)
    se_project_months: float = par(
        18.0,
        "months",
        "Mean duration of a scientist+engineer project; the team ends with it.",
        1,
        240,
        plausible=(12.0, 30.0),
    )
    sc_form_per_year: float = par(
        0.004,
        "1/year",
        "Chance per year an employed young talent or student without a team forms a 新双创 team.",
        0,
        1,
        plausible=(0.002, 0.008),
        prior=(
            "loguniform",
            "the range is x 0.5 to x 2 of the default (a factor of 4): "
            "uncertain in scale, so log-uniform",
        ),
    )
    sc_space_effect: float = par(
        2.0,
        "1",
        "新双创 formation x (1 + effect) when co-located: employed by an incubated startup or, "
        "for students, seated in a student space.",
        0,
        50,
    )
    sc_dissolve_per_year: float = par(0.35, "1/year", "Dissolution hazard of a 新双创 team.", 0, 1)


@dataclass(frozen=True)
class BrokerParams:
    """Technology brokers: the transfers they can find and who chooses to become one."""

    transfers_per_researcher_per_year: float = par(
        0.06,
        "1/year",
        "Research results per employed scientist or researcher a year that could be "
        "transferred (the results pool, 成果池; Xixian's technology contracts turned over 7.1 "
        "billion CNY in Mar-Oct 2021, row xx-2021-04).",
        0,
        10,
        plausible=(0.03, 0.12),
    )
    project_share: float = par(
        0.05,
        "1",
        "Share of brokered transfers that become joint development projects, each taken up by a "
        "scientist+engineer team (spin-offs: talent.transfer_spinoff_share; the rest licences).",
        0,
        1,
    )
    half_brokers: float = par(
        100.0,
        "brokers",
        "Certified brokers at which half of the transferable results are brokered.",
        1,
        1e6,
        plausible=(50.0, 200.0),
    )
    apply_per_year: float = par(
        0.008,
        "1/year",
        "Chance a year that an employed researcher, manager or professional applies to train "
        "as a broker when the role pays nothing extra.",
        0,
        1,
        plausible=(0.004, 0.016),
    )
    income_sensitivity: float = par(
        1.0,
        "1 per 100k CNY",
        "Applications x (1 + this x yearly broker income / 100 thousand CNY).",
        0,
        100,
        plausible=(0.5, 2.0),
    )
    deal_value_cny_thousand: float = par(
        500.0,
        "thousand CNY",
        "Value of a transferred technology, of which brokers may take an equity share where "
        "the reform allows it.",
        0,
        1e6,
    )
    active_window_months: int = par(
        12,
        "months",
        "A certified broker is active (and counts) while its last deal or its certification "
        "lies within this many months.",
        1,
        600,
    )


@dataclass(frozen=True)
class RecognitionParams:
    """Recognition of high-end and high-level talents in programme batches."""

    batches_per_year: int = par(
        2,
        "batches/year",
        "Recognition batches a year, evenly spaced (a batch is held in months divisible by "
        "12 / batches).",
        0,
        12,
        choices=(0, 1, 2, 3, 4, 6, 12),
    )
    apply_share: float = par(
        0.65,
        "1",
        "Share of eligible residents not yet recognised at their level who apply in a batch.",
        0,
        1,
        plausible=(0.3, 0.8),
    )
    untitled_margin: float = par(
        0.4,
        "log units",
        "Extra ability a talent without a title needs to pass the thresholds (the evaluation "
        "reform cuts it).",
        0,
        10,
        plausible=(0.2, 0.8),
    )


@dataclass(frozen=True)
class ReformParams:
    """How reforms earn candidate cases and how cases are promoted."""

    max_cases_per_reform: int = par(
        2, "cases", "Most candidate cases one reform can yield.", 0, 100
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
