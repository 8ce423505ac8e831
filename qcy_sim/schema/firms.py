"""Enterprises, carriers and funds: ``[enterprise]``, ``[carriers.<kind>]``, ``[funds]``."""

from dataclasses import dataclass, field
from typing import Any

from ..core.params import par

__all__ = [
    "EnterpriseParams",
    "CarrierParams",
    "CarrierSet",
    "BudgetParams",
    "FundParams",
    "FundSet",
]


@dataclass(frozen=True)
class EnterpriseParams:
    """Firm sizes, growth, entry, failure and job matching."""

    size_log_mean: float = par(1.9, "log people", "Mean log initial size of ordinary firms.", 0, 10)
    size_log_sd: float = par(
        1.0, "log people", "SD of log initial size (right-skewed sizes).", 0, 5
    )
    chain_leader_size: float = par(
        350.0, "people", "Initial innovation-talent staff of a chain-leader firm.", 1, 1e6
    )
    institute_size: float = par(
        60.0, "people", "Initial scientist and researcher staff of an institute.", 1, 1e6
    )
    growth_per_year: float = par(
        0.10, "1/year", "Drift of desired staff of established firms.", -1, 5
    )
    startup_growth_per_year: float = par(
        0.45,
        "1/year",
        "Drift of desired staff of firms and startups younger than 3 years "
        "(institutes and chain leaders grow at the established rate).",
        -1,
        10,
    )
    funded_growth_per_year: float = par(
        0.45, "1/year", "Extra drift of firms that received an investment.", 0, 10
    )
    chain_leader_pull_per_year: float = par(
        0.02,
        "1/year",
        "Extra drift of firms in a chain per chain leader in it (supplier demand).",
        0,
        5,
    )
    platform_growth_per_year: float = par(
        0.01,
        "1/year",
        "Extra drift of firms in a field per operating common-technology platform in it.",
        0,
        5,
    )
    pilot_relief_max: float = par(
        0.3,
        "1",
        "Largest cut in young-firm failure from pilot bases, reached when pilot capacity covers "
        "all young firms.",
        0,
        1,
    )
    growth_sd_per_month: float = par(
        0.04, "log units", "Monthly shock to desired staff (Gibrat).", 0, 2
    )
    max_vacancy_share: float = par(
        0.3,
        "1",
        "Largest open vacancies of a firm, as a share of its staff (plus vacancy_slack).",
        0,
        10,
    )
    vacancy_slack: float = par(
        2.0,
        "people",
        "Open vacancies a firm may hold beyond max_vacancy_share x staff before its plans "
        "stop growing (lets small firms recruit).",
        0,
        1000,
    )
    young_firm_months: int = par(
        36,
        "months",
        "Age below which a firm is young: faster drift, higher failure, investable, incubated "
        "(the plan's three-year horizon; incubation contracts run three years).",
        1,
        600,
    )
    small_firm_staff: int = par(
        3, "people", "Staff below which a firm is small (fail_small_multiplier applies).", 0, 1000
    )
    initial_age_max_months: int = par(
        120, "months", "Initial firms' ages are uniform on [0, this) months.", 0, 1200
    )
    initial_vacancy_share: float = par(
        0.05,
        "1",
        "Open vacancies at the start as a share of staff (plus 0.5 of a post): normal churn.",
        0,
        1,
    )
    relocations_per_year: float = par(
        390.0,
        "firms/year",
        "Tech firms landing in the area (361 in Jan-Nov 2021, Shaanxi S&T News 2021-12-17).",
        0,
        1e6,
        plausible=(330, 450),
    )
    relocation_carrier_effect: float = par(
        0.15,
        "1",
        "Relocations multiplier 1 + effect x log(1 + new carrier capacity / "
        "relocation_capacity_scale).",
        0,
        50,
    )
    relocation_capacity_scale: float = par(
        100.0, "slots", "Carrier capacity at which the relocation effect is log(2).", 1, 1e6
    )
    relocation_size_log_mean: float = par(
        1.2, "log people", "Mean log desired staff of a landing firm.", 0, 10
    )
    relocation_size_log_sd: float = par(
        0.8, "log people", "SD of log desired staff of a landing firm.", 0, 5
    )
    chain_leader_productivity_spread: float = par(
        0.1,
        "1",
        "A landing chain leader's productivity is 1 + spread x u, u uniform on [0, 1).",
        0,
        5,
    )
    startup_desired_staff: float = par(
        2.0, "people", "Desired staff of a startup when founded (the founder and one hire).", 1, 100
    )
    fail_per_year_young: float = par(
        0.22,
        "1/year",
        "Failure hazard of firms younger than 3 years.",
        0,
        1,
        plausible=(0.15, 0.3),
    )
    fail_per_year_mature: float = par(0.04, "1/year", "Failure hazard of older firms.", 0, 1)
    fail_small_multiplier: float = par(
        1.6, "1", "Hazard multiplier for firms with fewer than 3 staff.", 0, 20
    )
    fail_funded_multiplier: float = par(0.6, "1", "Hazard multiplier for funded firms.", 0, 20)
    fail_incubated_multiplier: float = par(
        0.7, "1", "Hazard multiplier for firms hosted by an incubator or space.", 0, 20
    )
    high_tech_per_year: float = par(
        0.2,
        "1/year",
        "Chance per year that an eligible firm is certified high-tech.",
        0,
        1,
        plausible=(0.12, 0.28),
    )
    high_tech_min_age_months: int = par(
        12, "months", "Age a firm needs to apply for high-tech certification (one year).", 0, 600
    )
    high_tech_min_staff: int = par(
        5, "people", "Staff a firm needs to apply for high-tech certification.", 0, 10000
    )
    high_tech_funded_multiplier: float = par(
        1.5,
        "1",
        "Certification chance multiplier for funded firms and spin-offs (R&D intensity).",
        0,
        10,
    )
    productivity_sd: float = par(
        0.15, "log units", "Spread of firm wage levels (log productivity).", 0, 3
    )
    matching_efficiency: float = par(
        0.7,
        "1/month",
        "Efficiency A of the matching function M = A U^a V^(1-a).",
        0,
        10,
        plausible=(0.5, 0.9),
    )
    matching_elasticity: float = par(
        0.5, "1", "Elasticity a of matches with respect to searchers.", 0.01, 0.99
    )


@dataclass(frozen=True)
class CarrierParams:
    """One kind of carrier: its starting stock and the programme that builds more."""

    initial_operating: int = par(0, "carriers", "Operating at start.", 0, 100_000)
    initial_under_construction: int = par(
        0, "carriers", "Under construction at start (half their lead time done).", 0, 100_000
    )
    projects_per_year: float = par(
        0.0, "projects/year", "New construction projects launched per year (Poisson).", 0, 10_000
    )
    start_month: int = par(
        1, "month", "First month (1 = time.start) in which projects are launched.", 1, 600
    )
    lead_time_months: float = par(
        12.0, "months", "Mean construction time (lognormal; rounded to whole months).", 1, 240
    )
    lead_time_log_sd: float = par(
        0.3,
        "log units",
        "Spread of one project's construction time: lead x exp(sd z - sd^2 / 2) (assumption: "
        "projects of a kind differ by about 30 %).",
        0,
        2,
    )
    build_cost_cny_million: float = par(
        20.0, "million CNY", "Construction cost, paid monthly over the build.", 0, 1e6
    )
    operating_cost_cny_million_per_year: float = par(
        1.0, "million CNY/year", "Operating support paid while operating.", 0, 1e6
    )
    capacity: int = par(30, "slots", "Startups, teams or staff the carrier hosts.", 0, 1_000_000)


def _carrier(**kw: Any) -> Any:
    return field(default_factory=lambda: CarrierParams(**kw), metadata={"section": True, "doc": ""})


@dataclass(frozen=True)
class CarrierSet:
    """Carriers by kind. Those built since the start are the plan's carrier KPIs."""

    innovation_carrier: CarrierParams = _carrier(
        initial_operating=10,
        initial_under_construction=12,
        projects_per_year=22.0,
        lead_time_months=12.0,
        build_cost_cny_million=15.0,
        operating_cost_cny_million_per_year=2.0,
        capacity=60,
    )
    pilot_base: CarrierParams = _carrier(
        initial_operating=6,
        initial_under_construction=4,
        projects_per_year=12.0,
        lead_time_months=10.0,
        build_cost_cny_million=8.0,
        operating_cost_cny_million_per_year=1.0,
        capacity=15,
    )
    new_rd_institution: CarrierParams = _carrier(
        initial_operating=8,
        initial_under_construction=5,
        projects_per_year=24.0,
        lead_time_months=9.0,
        build_cost_cny_million=10.0,
        operating_cost_cny_million_per_year=2.0,
        capacity=40,
    )
    common_tech_platform: CarrierParams = _carrier(
        initial_operating=4,
        initial_under_construction=2,
        projects_per_year=8.0,
        lead_time_months=10.0,
        build_cost_cny_million=5.0,
        operating_cost_cny_million_per_year=1.0,
        capacity=20,
    )
    student_space: CarrierParams = _carrier(
        initial_operating=5,
        initial_under_construction=3,
        projects_per_year=8.0,
        lead_time_months=6.0,
        build_cost_cny_million=2.0,
        operating_cost_cny_million_per_year=0.5,
        capacity=30,
    )
    shared_research_center: CarrierParams = _carrier(
        initial_operating=0,
        initial_under_construction=2,
        projects_per_year=3.5,
        lead_time_months=9.0,
        build_cost_cny_million=10.0,
        operating_cost_cny_million_per_year=1.5,
        capacity=10,
    )
    incubator: CarrierParams = _carrier(
        initial_operating=49,
        initial_under_construction=4,
        projects_per_year=10.0,
        lead_time_months=8.0,
        build_cost_cny_million=3.0,
        operating_cost_cny_million_per_year=0.5,
        capacity=25,
    )


@dataclass(frozen=True)
class BudgetParams:
    """A budget: its starting balance and yearly budget (paid in each January)."""

    initial_balance_cny_million: float = par(0.0, "million CNY", "Balance at start.", 0, 1e9)
    budget_cny_million_per_year: float = par(
        0.0, "million CNY/year", "Budget added every January.", 0, 1e9
    )


@dataclass(frozen=True)
class FundParams(BudgetParams):
    """A fund that invests in young firms.

    The talent development fund (人才发展基金) and the capital pool (资金池, fed by the
    three_pools lever) are public; venture capital is private.
    """

    investment_cny_million: float = par(
        0.0, "million CNY", "Size of one equity investment in a startup.", 0, 1e6
    )
    invest_per_month: float = par(
        0.0,
        "1/month",
        "Chance per month that an unfunded firm or startup younger than 3 years is offered an "
        "investment.",
        0,
        1,
    )


def _fund(cls: type = None, **kw: Any) -> Any:
    cls = cls or FundParams
    return field(default_factory=lambda: cls(**kw), metadata={"section": True, "doc": ""})


@dataclass(frozen=True)
class FundSet:
    """The money: what pays for awards, housing, services, carriers and investments (task 24)."""

    special_allocation: tuple = par(
        (0.20, 0.14, 0.56, 0.10),
        "1",
        "Shares of the talent special fund (人才专项资金) going to its four accounts: talents "
        "(awards, subsidies, packages), living (housing, services), carriers (construction, "
        "operation), programmes (all other levers). Unspent money stays in its account.",
        0,
        1,
        length=4,
        simplex=True,
    )
    special: BudgetParams = _fund(
        BudgetParams, initial_balance_cny_million=100.0, budget_cny_million_per_year=2000.0
    )
    development: FundParams = _fund(
        initial_balance_cny_million=200.0,
        budget_cny_million_per_year=300.0,
        investment_cny_million=2.0,
        invest_per_month=0.02,
    )
    capital_pool: FundParams = _fund(
        investment_cny_million=5.0,
        invest_per_month=0.01,
    )
    venture: FundParams = _fund(
        initial_balance_cny_million=400.0,
        budget_cny_million_per_year=400.0,
        investment_cny_million=5.0,
        invest_per_month=0.01,
    )
