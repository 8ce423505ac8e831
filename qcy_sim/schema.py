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
    "FundParams",
    "FundSet",
    "PolicyParams",
    "TeamParams",
    "ReformParams",
    "ModelParams",
    "Target",
    "iter_keys",
    "par",
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
    """
    meta = {"unit": unit, "doc": doc, "lo": lo, "hi": hi, "length": length, "simplex": simplex}
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
        2600.0,
        "people/month",
        "Talents from other Chinese regions who consider the area each month (assumption).",
        0,
        1e7,
    )
    candidates_overseas_per_month: float = par(
        150.0, "people/month", "Overseas talents who consider the area each month.", 0, 1e7
    )
    graduates_per_year: float = par(
        16000.0,
        "people/year",
        "Graduates of local universities on the market; 80 % of them in June and July.",
        0,
        1e8,
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
    log_ability_sd: float = par(1.0, "log units", "Spread of log ability among candidates.", 0.01, 5)
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
        1.45, "log units", "Ability above which a talent can be recognised as high-end.", -10, 10
    )
    high_level_threshold: float = par(
        2.45, "log units", "Ability above which a talent can be recognised as high-level.", -10, 10
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
    )
    arrival_recognised_share: float = par(
        0.5,
        "1",
        "Share of eligible arrivals whose level is recognised on arrival (titles, awards).",
        0,
        1,
    )
    wage_cny_thousand_per_month: tuple = par(
        (30.0, 16.0, 11.0, 18.0, 15.0, 9.0, 7.0),
        "thousand CNY/month",
        "Base monthly wage by kind in the area (assumption, Xi'an 2021 levels).",
        0.1,
        1000,
        length=7,
    )
    level_wage_multiplier: tuple = par(
        (1.0, 1.5, 2.4), "1", "Wage multiplier by level.", 0.1, 100, length=3
    )
    competitor_wage_ratio: float = par(
        1.12, "1", "Wages offered by competing destinations relative to the area.", 0.1, 10
    )
    expectation_sd: float = par(
        0.25, "log units", "Spread of talents' wage expectations around the competitor offer.", 0, 3
    )
    asc_domestic: float = par(
        -1.4, "utils", "Alternative-specific constant of the area for domestic candidates.", -20, 20
    )
    asc_overseas: float = par(
        -2.0, "utils", "Alternative-specific constant of the area for overseas candidates.", -20, 20
    )
    asc_graduate: float = par(
        -0.8, "utils", "Alternative-specific constant of the area for local graduates.", -20, 20
    )
    competitor_gain_per_year: float = par(
        0.05, "utils/year", "Yearly rise in competing destinations' attractiveness.", -5, 5
    )
    beta_wage: float = par(2.5, "utils per log wage", "Weight of log(wage/expectation).", 0, 50)
    beta_award: float = par(
        0.35, "utils per 100k CNY", "Weight of one-time awards and subsidies on arrival.", 0, 50
    )
    beta_housing: float = par(
        0.6, "utils", "Weight of the chance of a talent apartment.", 0, 50
    )
    beta_services: float = par(0.8, "utils", "Weight of the service level (0-1).", 0, 50)
    beta_carriers: float = par(
        0.25, "utils per log unit", "Weight of log(1 + operating carrier capacity / 100).", 0, 50
    )
    beta_jobs: float = par(1.0, "utils", "Weight of log(job-finding probability).", 0, 50)
    exit_base_per_month: float = par(
        0.004, "1/month", "Departure hazard of a fully satisfied resident.", 0, 1
    )
    exit_dissatisfaction_coef: float = par(
        1.0, "1", "Hazard multiplier exp(coef x dissatisfaction).", 0, 20
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
    search_exit_per_month: float = par(
        0.15, "1/month", "Chance an unmatched searcher gives up and leaves each month.", 0, 1
    )
    founding_per_year: tuple = par(
        (0.010, 0.012, 0.020, 0.020, 0.008, 0.004, 0.050),
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
    size_log_sd: float = par(1.0, "log people", "SD of log initial size (right-skewed sizes).", 0, 5)
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
        0.45, "1/year", "Drift of desired staff of firms younger than 3 years.", -1, 10
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
    )
    relocation_carrier_effect: float = par(
        0.3, "1", "Relocations multiplier 1 + effect x log(1 + new carrier capacity / 100).", 0, 50
    )
    relocation_size_log_mean: float = par(
        1.2, "log people", "Mean log desired staff of a landing firm.", 0, 10
    )
    fail_per_year_young: float = par(
        0.22, "1/year", "Failure hazard of firms younger than 3 years.", 0, 1
    )
    fail_per_year_mature: float = par(0.04, "1/year", "Failure hazard of older firms.", 0, 1)
    fail_small_multiplier: float = par(
        1.6, "1", "Hazard multiplier for firms with fewer than 3 staff.", 0, 20
    )
    fail_funded_multiplier: float = par(0.6, "1", "Hazard multiplier for funded firms.", 0, 20)
    fail_incubated_multiplier: float = par(
        0.7, "1", "Hazard multiplier for firms hosted by an incubator or space.", 0, 20
    )
    productivity_sd: float = par(
        0.15, "log units", "Spread of firm wage levels (log productivity).", 0, 3
    )
    matching_efficiency: float = par(
        0.7, "1/month", "Efficiency A of the matching function M = A U^a V^(1-a).", 0, 10
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
    capacity: int = par(
        30, "slots", "Startups, teams or staff the carrier hosts.", 0, 1_000_000
    )


def _carrier(**kw: Any) -> Any:
    return field(default_factory=lambda: CarrierParams(**kw), metadata={"section": True, "doc": ""})


@dataclass(frozen=True)
class CarrierSet:
    """Carriers by kind. Those built since the start are the plan's carrier KPIs."""

    innovation_carrier: CarrierParams = _carrier(
        initial_operating=10, initial_under_construction=8, projects_per_year=12.0,
        lead_time_months=18.0, build_cost_cny_million=20.0,
        operating_cost_cny_million_per_year=2.0, capacity=60,
    )
    pilot_base: CarrierParams = _carrier(
        initial_operating=6, initial_under_construction=4, projects_per_year=9.0,
        lead_time_months=10.0, build_cost_cny_million=8.0,
        operating_cost_cny_million_per_year=1.0, capacity=15,
    )
    new_rd_institution: CarrierParams = _carrier(
        initial_operating=8, initial_under_construction=5, projects_per_year=19.0,
        lead_time_months=9.0, build_cost_cny_million=10.0,
        operating_cost_cny_million_per_year=2.0, capacity=40,
    )
    common_tech_platform: CarrierParams = _carrier(
        initial_operating=4, initial_under_construction=2, projects_per_year=6.0,
        lead_time_months=10.0, build_cost_cny_million=5.0,
        operating_cost_cny_million_per_year=1.0, capacity=20,
    )
    student_space: CarrierParams = _carrier(
        initial_operating=5, initial_under_construction=3, projects_per_year=6.0,
        lead_time_months=6.0, build_cost_cny_million=2.0,
        operating_cost_cny_million_per_year=0.5, capacity=30,
    )
    shared_research_center: CarrierParams = _carrier(
        initial_operating=0, initial_under_construction=2, projects_per_year=3.5,
        lead_time_months=9.0, build_cost_cny_million=10.0,
        operating_cost_cny_million_per_year=1.5, capacity=10,
    )
    incubator: CarrierParams = _carrier(
        initial_operating=49, initial_under_construction=4, projects_per_year=10.0,
        lead_time_months=8.0, build_cost_cny_million=3.0,
        operating_cost_cny_million_per_year=0.5, capacity=25,
    )


@dataclass(frozen=True)
class FundParams:
    """One fund: its starting balance and yearly budget (paid in each January)."""

    initial_balance_cny_million: float = par(0.0, "million CNY", "Balance at start.", 0, 1e9)
    budget_cny_million_per_year: float = par(
        0.0, "million CNY/year", "Budget added every January.", 0, 1e9
    )
    investment_cny_million: float = par(
        0.0, "million CNY", "Size of one equity investment in a startup.", 0, 1e6
    )
    invest_per_month: float = par(
        0.0, "1/month", "Chance per month that an unfunded young firm is offered an investment.", 0, 1
    )


def _fund(**kw: Any) -> Any:
    return field(default_factory=lambda: FundParams(**kw), metadata={"section": True, "doc": ""})


@dataclass(frozen=True)
class FundSet:
    """The money: what pays for awards, housing, services, carriers and investments."""

    special: FundParams = _fund(
        initial_balance_cny_million=100.0, budget_cny_million_per_year=1200.0
    )
    development: FundParams = _fund(
        initial_balance_cny_million=200.0, budget_cny_million_per_year=300.0,
        investment_cny_million=2.0, invest_per_month=0.02,
    )
    venture: FundParams = _fund(
        initial_balance_cny_million=400.0, budget_cny_million_per_year=400.0,
        investment_cny_million=5.0, invest_per_month=0.01,
    )


@dataclass(frozen=True)
class PolicyParams:
    """Policy settings of the talent special fund's programmes."""

    award_high_level_cny_thousand: float = par(
        500.0, "thousand CNY", "One-time award to a high-level talent on arrival.", 0, 1e6
    )
    award_high_end_cny_thousand: float = par(
        100.0, "thousand CNY", "One-time award to a high-end talent on arrival.", 0, 1e6
    )
    living_subsidy_cny_thousand_per_month: float = par(
        1.0,
        "thousand CNY/month",
        "Living subsidy to young talents and graduates for their first months.",
        0,
        1000,
    )
    living_subsidy_months: int = par(24, "months", "How long the living subsidy is paid.", 0, 240)
    housing_units_per_year: float = par(
        1500.0, "units/year", "Talent apartments added per year.", 0, 1e7
    )
    housing_unit_cost_cny_thousand: float = par(
        60.0, "thousand CNY", "Cost to add one talent apartment (lease and fit-out).", 0, 1e5
    )
    housing_rent_subsidy_cny_thousand_per_month: float = par(
        1.0, "thousand CNY/month", "Rent subsidy per occupied talent apartment.", 0, 1e3
    )
    services_cny_million_per_year: float = par(
        60.0,
        "million CNY/year",
        "Spending on schooling, medical care, spouse jobs, one-stop service.",
        0,
        1e6,
    )
    services_half_cny_million_per_year: float = par(
        40.0, "million CNY/year", "Spending at which the service level reaches 0.5.", 1e-6, 1e6
    )
    broker_trainees_per_year: float = par(
        130.0, "people/year", "Technology-broker trainees enrolled per year.", 0, 1e6
    )
    broker_training_cost_cny_thousand: float = par(
        30.0, "thousand CNY", "Cost of training one broker.", 0, 1e5
    )
    broker_pass_rate: float = par(0.8, "1", "Share of trainees certified.", 0, 1)
    evaluation_reform: float = par(
        1.0,
        "1",
        "Intensity of the evaluation reform (三重三看, 以赛代评): multiplies recognition by "
        "1 + 1.5 x intensity for talents without titles.",
        0,
        1,
    )
    fault_tolerance: float = par(
        1.0,
        "1",
        "Intensity of fault tolerance (容错免责): founding x (1 + 0.3 x intensity), "
        "fund investment chance x (1 + 0.5 x intensity).",
        0,
        1,
    )
    reform_pilots: int = par(
        8, "pilots", "Reform pilots running (each a candidate source of reform cases).", 0, 1000
    )
    reform_pilot_cost_cny_million_per_year: float = par(
        2.0, "million CNY/year", "Cost of running one reform pilot.", 0, 1e5
    )


@dataclass(frozen=True)
class TeamParams:
    """Formation and dissolution of scientist+engineer and 新双创 teams."""

    se_form_per_year: float = par(
        0.015, "1/year", "Chance per year a free resident scientist forms a team with a firm.", 0, 1
    )
    se_broker_effect: float = par(
        0.3, "1", "Formation multiplier 1 + effect x brokers per 1,000 residents.", 0, 50
    )
    se_center_effect: float = par(
        0.15, "1", "Formation multiplier 1 + effect x operating shared research centres.", 0, 50
    )
    se_engineers: int = par(3, "people", "Engineers a team needs from its partner firm.", 1, 100)
    se_dissolve_per_year: float = par(
        0.12, "1/year", "Dissolution hazard of a team (project ends).", 0, 1
    )
    sc_form_per_year: float = par(
        0.004, "1/year", "Chance per year a young talent or student forms a 新双创 team.", 0, 1
    )
    sc_space_effect: float = par(
        2.0, "1", "Formation multiplier 1 + effect x free space share (student spaces, incubators).",
        0, 50,
    )
    sc_dissolve_per_year: float = par(0.35, "1/year", "Dissolution hazard of a 新双创 team.", 0, 1)


@dataclass(frozen=True)
class ReformParams:
    """How reform pilots produce cases and how cases are promoted."""

    case_per_pilot_per_year: float = par(
        0.7, "cases/year", "Candidate cases a running pilot produces per year.", 0, 100
    )
    maturity_months: int = par(
        9, "months", "Months of evidence a case needs before it can be promoted.", 0, 120
    )
    promotion_per_month: float = par(
        0.05, "1/month", "Chance per month a mature case is promoted nationally or provincially.",
        0, 1,
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
    policy: PolicyParams = section(PolicyParams, "Policy settings.")
    teams: TeamParams = section(TeamParams, "Teams.")
    reform: ReformParams = section(ReformParams, "Reform cases.")


@dataclass(frozen=True)
class Target:
    """A plan target: the KPI must reach ``threshold x (1 - tolerance)`` by ``deadline``."""

    kpi: str
    threshold: float
    deadline: str
    tolerance: float = 0.0


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
