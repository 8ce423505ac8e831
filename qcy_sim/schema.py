"""The scenario schema: frozen dataclasses whose fields carry unit, range and meaning.

This module is the single source of truth for scenario keys. The loader (:mod:`qcy_sim.scenario`)
validates files against it, and ``docs/scenario-reference.md`` is generated from it
(``python -m qcy_sim.docs``; a test fails if the two drift apart).

Index conventions used by list-valued keys:

* talent kinds (7): scientist, researcher, young, manager, professional, technician, student;
* fields (6): advanced_manufacturing, electronic_information, airport_economy, new_energy,
  new_materials, other — the first five are the plan's key industry chains;
* levels (3): general, high-end (高端), high-level (高层次).
"""

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, get_type_hints

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
    "ModelParams",
    "Target",
    "Milestone",
    "iter_keys",
    "par",
    "uncertain_parameters",
]

TALENT_KINDS = (
    "scientist",
    "researcher",
    "young",
    "manager",
    "professional",
    "technician",
    "student",
)
FIELDS = (
    "advanced_manufacturing",
    "electronic_information",
    "airport_economy",
    "new_energy",
    "new_materials",
    "other",
)
LEVELS = ("general", "high_end", "high_level")
CARRIER_KINDS = (
    "innovation_carrier",
    "pilot_base",
    "new_rd_institution",
    "common_tech_platform",
    "student_space",
    "shared_research_center",
    "incubator",
)
# The plan's 13 targets (BRIEF §1), in a fixed order.
KPIS = (
    "high_level_talents",
    "innovation_talents",
    "high_end_talents",
    "tech_brokers",
    "scientist_engineer_teams",
    "shuangchuang_teams",
    "innovation_carriers",
    "pilot_bases",
    "new_rd_institutions",
    "common_tech_platforms",
    "student_spaces",
    "shared_research_centers",
    "reform_cases",
)


def par(
    default: Any,
    unit: str,
    doc: str,
    lo: float | None = None,
    hi: float | None = None,
    *,
    length: int | None = None,
    simplex: bool = False,
    plausible: tuple[float, float] | None = None,
) -> Any:
    """A documented scenario parameter.

    Args:
        default: Default value (a tuple for list-valued keys).
        unit: Unit, ``"1"`` for dimensionless, ``"bool"``, ``"YYYY-MM"``.
        doc: One line on what the key means and why the default.
        lo: Inclusive lower bound (numbers, and every element of lists).
        hi: Inclusive upper bound.
        length: Required length of a list-valued key.
        simplex: The list's elements must sum to 1 (within 1e-6).
        plausible: For uncertain parameters, the range a sweep should explore (the one-line
            rationale is in ``doc``).
    """
    meta = {
        "unit": unit,
        "doc": doc,
        "lo": lo,
        "hi": hi,
        "length": length,
        "simplex": simplex,
        "plausible": plausible,
    }
    return field(default=default, metadata=meta)


def section(factory: Any, doc: str) -> Any:
    """A nested table of parameters."""
    return field(default_factory=factory, metadata={"doc": doc, "section": True})


@dataclass(frozen=True)
class TimeParams:
    """Calendar of the run."""

    start: str = par("2022-01", "YYYY-MM", "First simulated month; month 0 is the state before it.")
    horizon_months: int = par(36, "months", "Number of simulated months.", 1, 600)


@dataclass(frozen=True)
class InitialState:
    """State of the area at the end of the month before ``time.start`` (end of 2021)."""

    talents: int = par(
        22000,
        "people",
        "Resident innovation talents at start (assumption: no published figure; range 15k-30k).",
        0,
        5_000_000,
        plausible=(15000, 30000),
    )
    employed_share: float = par(0.93, "1", "Share of initial talents employed.", 0, 1)
    kind_shares: tuple = par(
        (0.03, 0.32, 0.18, 0.12, 0.10, 0.20, 0.05),
        "1",
        "Initial talents by kind (scientist, researcher, young, manager, professional, "
        "technician, student); assumption.",
        0,
        1,
        length=7,
        simplex=True,
    )
    field_shares: tuple = par(
        (0.26, 0.22, 0.12, 0.12, 0.10, 0.18),
        "1",
        "Initial talents by field (five key chains, then other); assumption.",
        0,
        1,
        length=6,
        simplex=True,
    )
    tech_brokers: int = par(
        40, "people", "Technology brokers at start ('nearly 40', Xinhua 2022-04-06).", 0, 1_000_000
    )
    enterprises: int = par(
        1800,
        "firms",
        "Enterprises employing innovation talents at start, excluding chain leaders and "
        "institutes (assumption; 431 tech firms settled in the general window alone).",
        0,
        1_000_000,
    )
    chain_leaders: int = par(
        12, "firms", "Chain-leader firms (链主, e.g. Shaanxi Auto, LONGi, SANY).", 0, 10_000
    )
    institutes: int = par(
        21,
        "institutions",
        "Universities and research institutes employing scientists (14 partner universities "
        "+ 7 institutes, Xinhua 2022-04-06).",
        0,
        10_000,
    )
    housing_units: int = par(
        3000, "units", "Talent apartments available at start (assumption).", 0, 10_000_000
    )


@dataclass(frozen=True)
class TalentParams:
    """Candidate pool, location choice, careers and departures of talents."""

    candidates_domestic_per_month: float = par(
        2000.0,
        "people/month",
        "Talents from other Chinese regions who consider the area each month (assumption).",
        0,
        1e7,
        plausible=(1400, 2800),
    )
    candidates_overseas_per_month: float = par(
        150.0,
        "people/month",
        "Overseas talents who consider the area each month.",
        0,
        1e7,
        plausible=(80, 300),
    )
    graduates_per_year: float = par(
        12000.0,
        "people/year",
        "Graduates of local universities on the market; 80 % of them in June and July.",
        0,
        1e8,
        plausible=(8000, 16000),
    )
    domestic_kind_shares: tuple = par(
        (0.02, 0.34, 0.20, 0.14, 0.12, 0.18, 0.0),
        "1",
        "Kinds among domestic candidates.",
        0,
        1,
        length=7,
        simplex=True,
    )
    overseas_kind_shares: tuple = par(
        (0.08, 0.40, 0.30, 0.08, 0.10, 0.02, 0.02),
        "1",
        "Kinds among overseas candidates.",
        0,
        1,
        length=7,
        simplex=True,
    )
    graduate_kind_shares: tuple = par(
        (0.0, 0.25, 0.35, 0.0, 0.05, 0.15, 0.20),
        "1",
        "Kinds among local graduates (students include those who start up).",
        0,
        1,
        length=7,
        simplex=True,
    )
    field_shares: tuple = par(
        (0.24, 0.24, 0.12, 0.13, 0.10, 0.17),
        "1",
        "Fields among candidates.",
        0,
        1,
        length=6,
        simplex=True,
    )
    log_ability_sd: float = par(
        1.0, "log units", "Spread of log ability among candidates.", 0.01, 5
    )
    ability_shift_by_kind: tuple = par(
        (1.3, 0.2, 0.0, 0.2, 0.1, -0.5, -0.6),
        "log units",
        "Mean log ability by kind.",
        -5,
        5,
        length=7,
    )
    overseas_ability_shift: float = par(
        0.3, "log units", "Extra mean log ability of overseas candidates.", -5, 5
    )
    high_end_threshold: float = par(
        1.15, "log units", "Ability above which a talent can be recognised as high-end.", -10, 10
    )
    high_level_threshold: float = par(
        2.5, "log units", "Ability above which a talent can be recognised as high-level.", -10, 10
    )
    ability_growth_per_year: float = par(
        0.06, "log units/year", "Growth of log ability with experience in the area.", 0, 2
    )
    recognition_per_month: float = par(
        0.06,
        "1/month",
        "Chance per month that an eligible, unrecognised resident is evaluated and recognised "
        "(reviews are periodic and selective).",
        0,
        1,
        plausible=(0.03, 0.1),
    )
    arrival_recognised_share: float = par(
        0.5,
        "1",
        "Share of eligible arrivals whose level is recognised on arrival (titles, awards).",
        0,
        1,
    )
    level_wage_multiplier: tuple = par(
        (1.0, 1.5, 2.4),
        "1",
        "Pay by recognised level, relative to a general talent (wages in "
        "the model are relative: only ratios enter choices and dissatisfaction).",
        0.1,
        100,
        length=3,
    )
    competitor_wage_ratio: float = par(
        1.12, "1", "Wages offered by competing destinations relative to the area.", 0.1, 10
    )
    expectation_sd: float = par(
        0.25, "log units", "Spread of talents' wage expectations around the competitor offer.", 0, 3
    )
    asc_domestic: float = par(
        -2.3,
        "utils",
        "Alternative-specific constant of the area for domestic candidates.",
        -20,
        20,
        plausible=(-2.8, -1.8),
    )
    asc_overseas: float = par(
        -2.0, "utils", "Alternative-specific constant of the area for overseas candidates.", -20, 20
    )
    asc_graduate: float = par(
        -1.2,
        "utils",
        "Alternative-specific constant of the area for local graduates.",
        -20,
        20,
        plausible=(-1.8, -0.6),
    )
    competitor_gain_per_year: float = par(
        0.05,
        "utils/year",
        "Yearly rise in competing destinations' attractiveness.",
        -5,
        5,
        plausible=(0.0, 0.15),
    )
    beta_wage: float = par(
        2.5, "utils per log wage", "Weight of log(wage/expectation).", 0, 50, plausible=(1.5, 4.0)
    )
    beta_award: float = par(
        0.35, "utils per 100k CNY", "Weight of one-time awards and subsidies on arrival.", 0, 50
    )
    beta_housing: float = par(
        0.6,
        "utils",
        "Weight of the chance of a talent apartment.",
        0,
        50,
        plausible=(0.3, 1.0),
    )
    beta_services: float = par(
        0.8, "utils", "Weight of the service level (0-1).", 0, 50, plausible=(0.4, 1.2)
    )
    beta_carriers: float = par(
        0.25, "utils per log unit", "Weight of log(1 + operating carrier capacity / 100).", 0, 50
    )
    beta_jobs: float = par(1.0, "utils", "Weight of log(job-finding probability).", 0, 50)
    exit_base_per_month: float = par(
        0.006,
        "1/month",
        "Departure hazard of a fully satisfied resident.",
        0,
        1,
        plausible=(0.004, 0.009),
    )
    exit_dissatisfaction_coef: float = par(
        1.0,
        "1",
        "Hazard multiplier exp(coef x dissatisfaction).",
        0,
        20,
        plausible=(0.5, 1.5),
    )
    dissatisfaction_wage: float = par(
        1.0, "1", "Dissatisfaction per log unit of wage below expectation.", 0, 20
    )
    dissatisfaction_unhoused: float = par(
        0.4, "1", "Dissatisfaction of a resident without talent housing.", 0, 20
    )
    dissatisfaction_services: float = par(
        0.8, "1", "Dissatisfaction per unit of missing service level (1 - level).", 0, 20
    )
    dissatisfaction_employer_failed: float = par(
        1.5, "1", "Dissatisfaction after the talent's employer failed (while searching).", 0, 20
    )
    broker_transfers_per_year: float = par(
        0.6,
        "transfers/year",
        "Technology transfers a certified broker brokers per year without "
        "the brokers programme's support.",
        0,
        100,
    )
    transfer_spinoff_share: float = par(
        0.25,
        "1",
        "Share of brokered transfers that become a spin-off firm (the rest become "
        "projects that may seed scientist+engineer teams).",
        0,
        1,
    )
    flexible_end_per_month: float = par(
        0.04, "1/month", "Chance per month a flexible (remote, part-time) engagement ends.", 0, 1
    )
    search_exit_per_month: float = par(
        0.15,
        "1/month",
        "Chance an unmatched searcher gives up and leaves each month.",
        0,
        1,
        plausible=(0.08, 0.25),
    )
    founding_per_year: tuple = par(
        (0.004, 0.004, 0.008, 0.008, 0.0035, 0.0015, 0.020),
        "1/year",
        "Base yearly chance that an employed talent founds a startup, by kind.",
        0,
        1,
        length=7,
    )
    founding_carrier_effect: float = par(
        1.0, "1", "Founding multiplier 1 + effect x free incubation share.", 0, 50
    )
    founding_funding_effect: float = par(
        0.5, "1", "Founding multiplier 1 + effect x chance of investment.", 0, 50
    )


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
        0.3, "1", "Largest open vacancies of a firm, as a share of its staff (plus 2).", 0, 10
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
        0.15, "1", "Relocations multiplier 1 + effect x log(1 + new carrier capacity / 100).", 0, 50
    )
    relocation_size_log_mean: float = par(
        1.2, "log people", "Mean log desired staff of a landing firm.", 0, 10
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
        "Chance per year that an eligible firm (1 year old, 5 staff) is certified "
        "high-tech; funded firms and spin-offs x 1.5.",
        0,
        1,
        plausible=(0.12, 0.28),
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
        12.0, "months", "Mean construction time (lognormal, SD 30 %).", 1, 240
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


def _lever(cls: type, **kw: Any) -> Any:
    return field(default_factory=lambda: cls(**kw), metadata={"section": True, "doc": ""})


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


@dataclass(frozen=True)
class LeadershipLever(Lever):
    """Task 1 and safeguards (一)(三): leadership group, talent office, supervision."""

    execution: float = par(
        0.8,
        "1",
        "Execution strength: other levers act at (0.5 + 0.5 x execution) of their "
        "intensity and start round(governance.delay_months x (1 - execution)) months late. "
        "With the lever off, execution is 0.",
        0,
        1,
    )
    cost_cny_million_per_year: float = par(
        5.0, "million CNY/year", "Talent office staff and supervision.", 0, 1e5
    )


@dataclass(frozen=True)
class AwardsLever(Lever):
    """Task 24 (special fund use): awards and living subsidies to incoming talents."""

    high_level_cny_thousand: float = par(
        500.0, "thousand CNY", "One-time award to a high-level talent on arrival.", 0, 1e6
    )
    high_end_cny_thousand: float = par(
        100.0, "thousand CNY", "One-time award to a high-end talent on arrival.", 0, 1e6
    )
    living_subsidy_cny_thousand_per_month: float = par(
        1.0,
        "thousand CNY/month",
        "Living subsidy to young talents and students for their first months.",
        0,
        1000,
    )
    living_subsidy_months: int = par(24, "months", "How long the living subsidy is paid.", 0, 240)


@dataclass(frozen=True)
class EvaluationLever(Lever):
    """Task 2: evaluation reform (三重三看, 以赛代评, overseas grading)."""

    intensity: float = par(
        1.0,
        "1",
        "Talents without titles are recognised at half the monthly chance of titled "
        "ones, x (1 + 2 x strength x intensity); overseas arrivals are recognised on arrival "
        "x (1 + 0.5 x strength x intensity).",
        0,
        1,
    )
    cost_cny_million_per_year: float = par(
        4.0, "million CNY/year", "Review panels, competitions used as evaluation.", 0, 1e5
    )


@dataclass(frozen=True)
class ThreePoolsLever(Lever):
    """Task 3: talent pool (校招共用), results pool, capital pool with provincial SOEs."""

    joint_recruitment_utility: float = par(
        0.3, "utils", "Extra utility of the area for local graduates (joint hiring).", 0, 10
    )
    results_pool_spinoff: float = par(
        0.3, "1", "Founding multiplier 1 + value for scientists and researchers.", 0, 10
    )
    capital_pool_cny_million_per_year: float = par(
        200.0,
        "million CNY/year",
        "Provincial SOE money added to the capital pool once a year, in the first month of "
        "the calendar year in which the lever acts.",
        0,
        1e6,
    )
    cost_cny_million_per_year: float = par(
        6.0, "million CNY/year", "Running the three pools.", 0, 1e5
    )


@dataclass(frozen=True)
class LabSharingLever(Lever):
    """Task 4: city-university-enterprise co-employment; labs and instruments opened to firms."""

    intensity: float = par(
        1.0,
        "1",
        "Firm growth + 0.03 x intensity a year; scientist+engineer team formation "
        "x (1 + 0.5 x intensity).",
        0,
        1,
    )
    cost_cny_million_per_year: float = par(
        10.0, "million CNY/year", "Subsidised access to instruments and labs.", 0, 1e5
    )


@dataclass(frozen=True)
class TechTransferLever(Lever):
    """Task 5: 三项改革 results, cash + technology equity for university researchers."""

    equity_intensity: float = par(
        1.0, "1", "Founding multiplier 1 + 0.4 x intensity for scientists and researchers.", 0, 1
    )
    spinoff_subsidy_cny_thousand: float = par(
        100.0, "thousand CNY", "Subsidy paid to every spin-off founded.", 0, 1e5
    )


@dataclass(frozen=True)
class BrokersLever(Lever):
    """Tasks 5 and 19: technology brokers of three kinds (新区直属, 高校共聘, 专业机构)."""

    trainees_per_year: tuple = par(
        (50.0, 70.0, 50.0),
        "people/year",
        "Trainees enrolled per year by kind (area staff, co-hired with universities, agencies).",
        0,
        1e6,
        length=3,
    )
    pass_rate: tuple = par(
        (0.85, 0.75, 0.8), "1", "Share of trainees certified, by kind.", 0, 1, length=3
    )
    cost_cny_thousand: tuple = par(
        (40.0, 30.0, 20.0), "thousand CNY", "Training cost per trainee, by kind.", 0, 1e5, length=3
    )
    transfers_per_broker_per_year: tuple = par(
        (1.0, 1.5, 1.2),
        "transfers/year",
        "Technology transfers each certified broker brokers per year, by kind, with the "
        "programme's support (x lever strength).",
        0,
        100,
        length=3,
    )
    commission_cny_thousand: float = par(
        30.0, "thousand CNY", "Reward paid to the broker for each transfer.", 0, 1e5
    )


@dataclass(frozen=True)
class OverseasStationsLever(Lever):
    """Task 6: overseas talent work stations (海外引智工作站), joint with universities."""

    stations: int = par(6, "stations", "Work stations operated.", 0, 1000)
    candidates_per_station_per_month: float = par(
        12.0, "people/month", "Overseas candidates each station brings into the pool.", 0, 1e4
    )
    cost_cny_million_per_station_per_year: float = par(
        1.5, "million CNY/year", "Running one station.", 0, 1e4
    )


@dataclass(frozen=True)
class EnclavesLever(Lever):
    """Task 7: science enclaves (飞地): flexible talents and remote incubation."""

    enclaves: int = par(5, "enclaves", "Enclave incubation parks and talent enclaves.", 0, 1000)
    flexible_per_enclave_per_year: float = par(
        60.0, "people/year", "Flexible (remote, part-time) talents each enclave engages.", 0, 1e5
    )
    remote_slots_per_enclave: int = par(
        10, "slots", "Startups each enclave incubates remotely.", 0, 1e5
    )
    cost_cny_million_per_enclave_per_year: float = par(
        2.0, "million CNY/year", "Running one enclave.", 0, 1e4
    )


@dataclass(frozen=True)
class FaultToleranceLever(Lever):
    """Task 8: fault tolerance and exemption (容错免责)."""

    intensity: float = par(
        1.0,
        "1",
        "Founding x (1 + 0.3 x intensity); fund investment chance "
        "x (1 + 0.5 x intensity); an employer's failure hurts its staff's retention "
        "x (1 - 0.6 x intensity).",
        0,
        1,
    )
    risk_compensation_share: float = par(
        0.3,
        "1",
        "Share of the investment in a failed funded firm that the special fund "
        "reimburses to investors.",
        0,
        1,
    )


@dataclass(frozen=True)
class StrategicScientistsLever(Lever):
    """Tasks 9 and 16: national labs, strategic scientists by case-by-case packages (一事一议)."""

    arrivals_per_year: float = par(
        4.0, "people/year", "Strategic scientists recruited per year (Poisson).", 0, 1000
    )
    team_size: int = par(6, "people", "Young researchers each strategic scientist brings.", 0, 1000)
    package_cny_million: float = par(
        20.0, "million CNY", "Case-by-case package per strategic scientist.", 0, 1e5
    )


@dataclass(frozen=True)
class TransformationLever(Lever):
    """Task 10: results transformation platforms (1 centre + N parks, 一园区一高校)."""

    university_parks: int = par(
        8, "parks", "University-linked industrial parks operating.", 0, 1000
    )
    spinoff_per_park: float = par(
        0.03, "1", "Founding multiplier of scientists and researchers: + value per park.", 0, 10
    )
    cost_cny_million_per_park_per_year: float = par(
        3.0, "million CNY/year", "Running one park.", 0, 1e4
    )


@dataclass(frozen=True)
class ChainAlliancesLever(Lever):
    """Task 11: chain alliances, chain leaders, academician and postdoc workstations."""

    chain_leaders_per_year: float = par(
        2.0, "firms/year", "Chain-leader firms attracted per year (Poisson).", 0, 1000
    )
    incentive_cny_million_per_leader: float = par(
        50.0, "million CNY", "Incentive package per chain leader landed.", 0, 1e5
    )
    workstations_per_year: float = par(
        6.0, "stations/year", "Academician/postdoc workstations set up at chain leaders.", 0, 1e4
    )
    workstation_staff: int = par(
        5, "people", "Scientist positions each workstation opens at its host.", 0, 1000
    )
    cost_cny_million_per_workstation: float = par(
        1.0, "million CNY", "Subsidy per workstation.", 0, 1e4
    )


@dataclass(frozen=True)
class SoeInnovationLever(Lever):
    """Task 12: SOE innovation centre, practice bases for SOE talents."""

    practice_intensity: float = par(
        1.0, "1", "Ability growth of managers and researchers + 0.05 x intensity a year.", 0, 1
    )
    cost_cny_million_per_year: float = par(
        5.0, "million CNY/year", "Practice base running costs.", 0, 1e5
    )


@dataclass(frozen=True)
class OffshoreLever(Lever):
    """Task 13: offshore innovation platform, overseas talent posts (国际人才驿站)."""

    offshore_incubators: int = par(3, "incubators", "Offshore incubators operated.", 0, 1000)
    overseas_utility: float = par(
        0.15,
        "utils per incubator",
        "Extra utility for overseas candidates per incubator (saturating at 5).",
        0,
        10,
    )
    flexible_per_incubator_per_year: float = par(
        20.0, "people/year", "Overseas talents engaged flexibly through each incubator.", 0, 1e5
    )
    cost_cny_million_per_incubator_per_year: float = par(
        2.0, "million CNY/year", "Running one offshore incubator.", 0, 1e4
    )


@dataclass(frozen=True)
class YouthCommunityLever(Lever):
    """Task 14: youth innovation community, competitions, student projects."""

    competitions_per_year: float = par(
        4.0, "competitions/year", "Innovation and entrepreneurship competitions held.", 0, 1000
    )
    effect_per_competition: float = par(
        0.08,
        "1",
        "新双创 team formation and student founding x (1 + value x competitions "
        "in the last 12 months).",
        0,
        10,
    )
    cost_cny_million_per_competition: float = par(
        1.5, "million CNY", "Prize money and organisation.", 0, 1e4
    )


@dataclass(frozen=True)
class AlumniLever(Lever):
    """Task 15: alumni recruiting (校友招商)."""

    events_per_year: float = par(6.0, "events/year", "Alumni salons and round tables.", 0, 1000)
    relocations_per_event: float = par(
        1.5, "firms", "Alumni firms landing per event (Poisson).", 0, 1000
    )
    cost_cny_million_per_event: float = par(0.5, "million CNY", "Cost of one event.", 0, 1e4)


@dataclass(frozen=True)
class UniversityIndustryLever(Lever):
    """Task 17: one university per industry; cooperation with all universities."""

    partnerships: int = par(14, "universities", "Partner universities in the scheme.", 0, 1000)
    graduate_utility_per_partnership: float = par(
        0.02, "utils", "Extra utility for local graduates per partnership.", 0, 10
    )
    team_effect_per_partnership: float = par(
        0.05, "1", "Scientist+engineer team formation x (1 + value x partnerships).", 0, 10
    )
    cost_cny_million_per_partnership_per_year: float = par(
        1.0, "million CNY/year", "Cooperation funding per university.", 0, 1e4
    )


@dataclass(frozen=True)
class YoungTalentLever(Lever):
    """Task 18: young S&T talents, postdocs (博士后创新创业园), targeted campus recruiting."""

    postdocs_per_year: float = par(
        150.0,
        "people/year",
        "Postdocs and young PhDs brought in (Poisson); they search institute vacancies only.",
        0,
        1e6,
    )
    postdoc_cost_cny_thousand: float = par(
        150.0, "thousand CNY", "Subsidy per postdoc placed.", 0, 1e5
    )
    graduate_utility: float = par(
        0.15, "utils", "Extra utility for local graduates (fairs, targeted recruiting).", 0, 10
    )
    cost_cny_million_per_year: float = par(
        3.0, "million CNY/year", "Fairs, policy sessions, awards for young stars.", 0, 1e5
    )


@dataclass(frozen=True)
class ManagersLever(Lever):
    """Task 19: 新锐西商 young entrepreneurs, manager club."""

    intensity: float = par(
        1.0,
        "1",
        "Manager founding x (1 + 0.5 x intensity); manager dissatisfaction - 0.2 x intensity.",
        0,
        1,
    )
    cost_cny_million_per_year: float = par(3.0, "million CNY/year", "Programme costs.", 0, 1e5)


@dataclass(frozen=True)
class SkilledTalentLever(Lever):
    """Task 20: skilled technicians, apprenticeships, skill master studios."""

    apprentices_per_year: float = par(600.0, "people/year", "Technicians trained per year.", 0, 1e6)
    ability_gain: float = par(0.3, "log units", "Ability gained by a trained technician.", 0, 5)
    retention_gain: float = par(
        0.3, "1", "Dissatisfaction removed from an apprenticed technician.", 0, 5
    )
    cost_cny_thousand_per_apprentice: float = par(
        8.0, "thousand CNY", "Training cost per apprentice.", 0, 1e5
    )


@dataclass(frozen=True)
class ChainTalentLever(Lever):
    """Task 21: professionals in trade, marketing, law, finance and management."""

    pool_gain: float = par(
        0.3, "1", "Managers and professionals among domestic candidates x (1 + gain).", 0, 10
    )
    cost_cny_million_per_year: float = par(
        8.0, "million CNY/year", "Recruitment campaigns and training.", 0, 1e5
    )


@dataclass(frozen=True)
class TalentMarketLever(Lever):
    """Task 22: the Qinchuangyuan talent market and cloud platform."""

    matching_gain: float = par(0.25, "1", "Matching efficiency x (1 + gain).", 0, 10)
    pool_gain: float = par(
        0.1, "1", "Domestic candidates x (1 + gain) (the network of talent markets).", 0, 10
    )
    cost_cny_million_per_year: float = par(
        12.0, "million CNY/year", "Running the market and platform.", 0, 1e5
    )


@dataclass(frozen=True)
class TalentPortLever(Lever):
    """Task 23: Xi'an (Qinchuangyuan) International Talent Port."""

    build_cost_cny_million: float = par(
        300.0, "million CNY", "Construction cost (paid monthly over the build).", 0, 1e6
    )
    lead_time_months: float = par(24.0, "months", "Construction time.", 1, 240)
    operating_cost_cny_million_per_year: float = par(
        10.0, "million CNY/year", "Operation once open.", 0, 1e5
    )
    overseas_utility: float = par(
        0.5, "utils", "Extra utility for overseas candidates once open.", 0, 10
    )
    amenity_utility: float = par(
        0.2, "utils", "Extra utility for all candidates once open (a landmark amenity).", 0, 10
    )


@dataclass(frozen=True)
class ServicesLever(Lever):
    """Task 25: schooling, medical care, spouse jobs, service specialists, headhunters."""

    spend_cny_million_per_year: float = par(
        60.0,
        "million CNY/year",
        "Spending on schooling, medical care, spouse jobs, one-stop service.",
        0,
        1e6,
    )
    half_cny_million_per_year: float = par(
        40.0, "million CNY/year", "Spending at which the service level reaches 0.5.", 1e-6, 1e6
    )
    specialist_retention: float = par(
        0.5,
        "1",
        "Dissatisfaction removed from high-level talents with a service specialist.",
        0,
        5,
    )
    specialist_cost_cny_thousand_per_talent_per_year: float = par(
        20.0, "thousand CNY/year", "Service specialist cost per high-level talent.", 0, 1e5
    )
    headhunter_fee_cny_thousand: float = par(
        80.0,
        "thousand CNY",
        "Headhunter fee per high-end or high-level candidate who chose the "
        "area (not programme placements or flexible engagements).",
        0,
        1e5,
    )
    headhunter_utility: float = par(
        0.3,
        "utils",
        "Extra utility for high-end and high-level candidates (headhunters).",
        0,
        10,
    )


@dataclass(frozen=True)
class HousingLever(Lever):
    """Task 25: talent apartments."""

    units_per_year: float = par(1500.0, "units/year", "Talent apartments added per year.", 0, 1e7)
    unit_cost_cny_thousand: float = par(
        60.0, "thousand CNY", "Cost to add one apartment (lease and fit-out).", 0, 1e5
    )
    rent_subsidy_cny_thousand_per_month: float = par(
        1.0, "thousand CNY/month", "Rent subsidy per occupied apartment.", 0, 1e3
    )


@dataclass(frozen=True)
class TrainingLever(Lever):
    """Task 26: lectures, seminars and professional training."""

    trainees_per_year: float = par(2000.0, "people/year", "Residents trained per year.", 0, 1e7)
    ability_gain: float = par(0.1, "log units", "Ability gained per training.", 0, 5)
    cost_cny_thousand_per_trainee: float = par(3.0, "thousand CNY", "Cost per trainee.", 0, 1e5)


@dataclass(frozen=True)
class AtmosphereLever(Lever):
    """Task 27: talent parks, events, honours (爱才氛围)."""

    spend_cny_million_per_year: float = par(
        10.0, "million CNY/year", "Parks, events, honours.", 0, 1e6
    )
    utility_at_10m: float = par(
        0.05,
        "utils",
        "Utility for all candidates at 10 million CNY/year (log-saturating).",
        0,
        5,
    )


@dataclass(frozen=True)
class PublicityLever(Lever):
    """Safeguard (四): summarising and publicising reform experience."""

    promotion_gain: float = par(
        1.0, "1", "Promotion chance of mature reform cases x (1 + gain).", 0, 10
    )
    cost_cny_million_per_year: float = par(
        2.0, "million CNY/year", "Publicity campaigns for reform experience.", 0, 1e5
    )


@dataclass(frozen=True)
class PolicyParams:
    """The plan's policy levers. Every lever has ``on`` and ``start_month``."""

    leadership: LeadershipLever = _lever(LeadershipLever)
    awards: AwardsLever = _lever(AwardsLever)
    evaluation_reform: EvaluationLever = _lever(EvaluationLever)
    three_pools: ThreePoolsLever = _lever(ThreePoolsLever)
    lab_sharing: LabSharingLever = _lever(LabSharingLever)
    tech_transfer: TechTransferLever = _lever(TechTransferLever)
    brokers: BrokersLever = _lever(BrokersLever)
    overseas_stations: OverseasStationsLever = _lever(OverseasStationsLever)
    enclaves: EnclavesLever = _lever(EnclavesLever)
    fault_tolerance: FaultToleranceLever = _lever(FaultToleranceLever)
    strategic_scientists: StrategicScientistsLever = _lever(StrategicScientistsLever)
    transformation: TransformationLever = _lever(TransformationLever)
    chain_alliances: ChainAlliancesLever = _lever(ChainAlliancesLever)
    soe_innovation: SoeInnovationLever = _lever(SoeInnovationLever)
    offshore: OffshoreLever = _lever(OffshoreLever)
    youth_community: YouthCommunityLever = _lever(YouthCommunityLever)
    alumni: AlumniLever = _lever(AlumniLever)
    university_industry: UniversityIndustryLever = _lever(UniversityIndustryLever)
    young_talent: YoungTalentLever = _lever(YoungTalentLever)
    managers: ManagersLever = _lever(ManagersLever)
    skilled_talent: SkilledTalentLever = _lever(SkilledTalentLever)
    chain_talent: ChainTalentLever = _lever(ChainTalentLever)
    talent_market: TalentMarketLever = _lever(TalentMarketLever)
    talent_port: TalentPortLever = _lever(TalentPortLever)
    services: ServicesLever = _lever(ServicesLever)
    housing: HousingLever = _lever(HousingLever)
    training: TrainingLever = _lever(TrainingLever)
    atmosphere: AtmosphereLever = _lever(AtmosphereLever)
    publicity: PublicityLever = _lever(PublicityLever)


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


def is_section(f: Any) -> bool:
    """True for a field that holds a nested table."""
    return bool(f.metadata.get("section"))


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
