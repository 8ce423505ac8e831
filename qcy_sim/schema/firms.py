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
    "SpecialFundParams",
    "FundSet",
]


@dataclass(frozen=True)
class EnterpriseParams:
    """Firm sizes, output and labour demand, pay, entry, failure and job matching."""

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
        0.10, "1/year", "Drift of the output of established firms (log units).", -1, 5
    )
    startup_growth_per_year: float = par(
        0.45,
        "1/year",
        "Drift of the output of firms and startups younger than young_firm_months "
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
        0.04, "log units", "Monthly shock to a firm's output (Gibrat).", 0, 2
    )
    labour_productivity_growth_per_year: float = par(
        0.05,
        "1/year",
        "Growth of output per worker: labour demand grows this much slower than output "
        "(China's labour productivity grew 5-7 % a year in 2015-2022, NBS).",
        -0.5,
        0.5,
        plausible=(0.03, 0.07),
    )
    labour_demand_elasticity: float = par(
        0.5,
        "1",
        "Fall in labour demand per unit rise in log pay premium (own-wage elasticity; meta-"
        "analysis of Lichter, Peichl & Siegloch 2015: about 0.5).",
        0,
        5,
        plausible=(0.2, 1.0),
    )
    wage_adjustment_per_month: float = par(
        0.01,
        "log units/month",
        "A firm with open posts raises its pay premium by this much a month, and lets it fall "
        "back as fast once it has none.",
        0,
        1,
        plausible=(0.0025, 0.02),
    )
    premium_min: float = par(0.8, "1", "Lowest pay premium of a firm.", 0.01, 1)
    premium_max: float = par(2.0, "1", "Highest pay premium of a firm.", 1, 100)
    vacancy_expiry_months: int = par(
        4,
        "months",
        "Posts open this many months in a row expire: the firm gives up the growth it could "
        "not staff (most ads are withdrawn within a quarter or two).",
        1,
        120,
    )
    vacancy_cost_cny_thousand_per_month: float = par(
        1.0,
        "thousand CNY/month",
        "Firm's cost of keeping a post advertised (job boards, headhunters); private money.",
        0,
        1e4,
    )
    shock_month: str = par(
        "",
        "YYYY-MM",
        "First month of a demand shock ('' for none).",
        choices=("",),
    )
    shock_growth_multiplier: float = par(
        1.0, "1", "Output drift of every firm is multiplied by this from shock_month.", -5, 5
    )
    young_firm_months: int = par(
        36,
        "months",
        "Age below which a firm is young: faster drift, higher failure, investable, incubated "
        "(incubation contracts run three years).",
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
        "Open posts at the start as a share of staff (plus half a post): normal churn.",
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
        0.05,
        "1",
        "Relocations multiplier 1 + effect x log(1 + new carrier capacity / "
        "relocation_capacity_scale).",
        0,
        50,
        plausible=(0.0, 0.5),
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
        1.6, "1", "Hazard multiplier for firms with fewer than small_firm_staff staff.", 0, 20
    )
    fail_funded_multiplier: float = par(0.6, "1", "Hazard multiplier for funded firms.", 0, 20)
    fail_incubated_multiplier: float = par(
        0.7, "1", "Hazard multiplier for firms hosted by an incubator or space.", 0, 20
    )
    high_tech_per_year: float = par(
        0.9,
        "1/year",
        "Chance per year that an eligible firm applies and is certified high-tech.",
        0,
        1,
        plausible=(0.4, 1.0),
    )
    high_tech_min_age_months: int = par(
        12, "months", "Age a firm needs to apply for high-tech certification (one year).", 0, 600
    )
    high_tech_max_age_months: int = par(
        60,
        "months",
        "Firms older than this that are not certified no longer apply (they lack the recent "
        "core IP the certification asks for): certifications come from young cohorts.",
        12,
        1200,
        plausible=(36, 96),
    )
    certification_drive_month: str = par(
        "",
        "YYYY-MM",
        "First month of a drive to certify high-tech firms from outside the plan ('' for none): "
        "the province's push under Qinchuangyuan, behind the 2.2-fold identifications of 2022 "
        "(row xx-2022-03).",
        choices=("",),
    )
    certification_drive_multiplier: float = par(
        1.6,
        "1",
        "From certification_drive_month, the drive multiplies the chance that an eligible firm "
        "applies and is certified, and the age up to which firms still apply (it reaches firms "
        "that would not apply alone).",
        1,
        10,
        plausible=(1.0, 2.5),
    )
    high_tech_min_staff: int = par(
        5, "people", "Staff a firm needs to apply for high-tech certification.", 0, 10000
    )
    high_tech_min_rd_share: float = par(
        0.1,
        "1",
        "Share of a firm's staff that must be scientists or researchers for high-tech "
        "certification (科技人员占比不低于10%, 高新技术企业认定管理办法 2016).",
        0,
        1,
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
        0.3,
        "1/month",
        "Efficiency A of the matching function M = A U^a V^(1-a) (monthly job-finding rates "
        "of 0.2-0.5 are usual: Shimer 2005; Petrongolo & Pissarides 2001).",
        0,
        10,
        plausible=(0.2, 0.6),
    )
    matching_elasticity: float = par(
        0.5, "1", "Elasticity a of matches with respect to searchers.", 0.01, 0.99
    )


@dataclass(frozen=True)
class CarrierParams:
    """One kind of carrier: its starting stock, what moves its founders to propose, its build."""

    initial_operating: int = par(0, "carriers", "Recognised and operating at start.", 0, 100_000)
    initial_under_construction: int = par(
        0,
        "carriers",
        "Recognised and under construction at start (half their lead time done).",
        0,
        100_000,
    )
    proposals_per_year: float = par(
        0.5,
        "1/year",
        "Chance a year that one proposer (a mean-sized institute, a chain leader, a park "
        "developer) proposes a carrier of this kind, at the starting demand and without support.",
        0,
        100,
    )
    demand_reference: float = par(
        1.0,
        "per slot",
        "Demand per operating slot at which proposals run at proposals_per_year (demand: what "
        "the kind is needed for, see ODD; the defaults are the baseline's demand after a year).",
        1e-6,
        1e9,
    )
    max_demand_ratio: float = par(
        5.0,
        "1",
        "Cap on demand / demand_reference: beyond it, more demand brings no more proposals "
        "(proposers' own capacity to plan and finance carriers; assumption).",
        1,
        1000,
    )
    demand_elasticity: float = par(
        1.0,
        "1",
        "Proposals rise with (demand / demand_reference, at most max_demand_ratio) to this power.",
        0,
        5,
        plausible=(0.5, 1.5),
    )
    support_elasticity: float = par(
        2.0,
        "1",
        "Proposals x (1 + this x what the programme is worth: P(recognised) x (grant share + "
        "award / build cost)).",
        0,
        50,
        plausible=(1.0, 4.0),
    )
    private_share: float = par(
        0.4,
        "1",
        "Share of proposals not recognised (or with no programme) that the proposer builds "
        "with its own money; the rest are dropped.",
        0,
        1,
    )
    max_wait_months: int = par(
        12,
        "months",
        "A proposal that meets the criteria but that its programme cannot yet pay waits for "
        "later calls; at the first call at which it is this many months old and still cannot be "
        "paid, its proposer builds it alone with chance private_share or drops it.",
        0,
        1200,
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
        20.0,
        "million CNY",
        "Construction cost; a recognised carrier's programme pays its grant share of it.",
        0,
        1e6,
    )
    capacity: int = par(30, "slots", "Startups, teams or staff the carrier hosts.", 0, 1_000_000)
    closure_occupancy: float = par(
        0.2, "1", "Occupancy below which a carrier may close at its yearly evaluation.", 0, 1
    )
    closure_per_year: float = par(
        0.3, "1/year", "Chance that a carrier used below closure_occupancy closes.", 0, 1
    )


def _carrier(**kw: Any) -> Any:
    return field(default_factory=lambda: CarrierParams(**kw), metadata={"section": True, "doc": ""})


@dataclass(frozen=True)
class CarrierSet:
    """Carriers by kind. Those built since the start are the plan's carrier KPIs."""

    innovation_carrier: CarrierParams = _carrier(
        demand_reference=0.4,
        initial_operating=10,
        initial_under_construction=12,
        proposals_per_year=5.5,
        lead_time_months=12.0,
        build_cost_cny_million=15.0,
        capacity=60,
    )
    pilot_base: CarrierParams = _carrier(
        demand_reference=3.5,
        initial_operating=6,
        initial_under_construction=4,
        proposals_per_year=0.8,
        lead_time_months=10.0,
        build_cost_cny_million=8.0,
        capacity=15,
    )
    new_rd_institution: CarrierParams = _carrier(
        demand_reference=12.0,
        initial_operating=8,
        initial_under_construction=5,
        proposals_per_year=2.2,
        lead_time_months=9.0,
        build_cost_cny_million=10.0,
        capacity=40,
    )
    common_tech_platform: CarrierParams = _carrier(
        demand_reference=17.0,
        initial_operating=4,
        initial_under_construction=2,
        proposals_per_year=1.4,
        lead_time_months=10.0,
        build_cost_cny_million=5.0,
        capacity=20,
    )
    student_space: CarrierParams = _carrier(
        demand_reference=23.0,
        initial_operating=5,
        initial_under_construction=3,
        proposals_per_year=1.0,
        lead_time_months=6.0,
        build_cost_cny_million=2.0,
        capacity=30,
    )
    shared_research_center: CarrierParams = _carrier(
        demand_reference=34.0,
        initial_operating=0,
        initial_under_construction=2,
        proposals_per_year=0.45,
        lead_time_months=9.0,
        build_cost_cny_million=10.0,
        capacity=10,
    )
    incubator: CarrierParams = _carrier(
        demand_reference=0.4,
        initial_operating=49,
        initial_under_construction=4,
        proposals_per_year=4.0,
        private_share=0.6,
        lead_time_months=8.0,
        build_cost_cny_million=3.0,
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
class SpecialFundParams(BudgetParams):
    """The talent special fund (人才专项资金): it pays every lever from the lever's own line."""

    reallocation: str = par(
        "none",
        "rule",
        "What a lever whose line is exhausted may do: 'none' (it stops spending until next "
        "year) or 'reserve' (it draws on the money no line holds).",
        choices=("none", "reserve"),
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
        "Chance per month that an unfunded firm or startup younger than "
        "enterprise.young_firm_months is offered an investment.",
        0,
        1,
    )
    holding_months: int = par(
        60,
        "months",
        "A stake is sold this long after the investment (typical fund holding period).",
        1,
        600,
    )
    max_multiple: float = par(
        10.0, "1", "Largest multiple of its cost that a stake sells for.", 0, 1000
    )


def _fund(cls: type = None, **kw: Any) -> Any:
    cls = cls or FundParams
    return field(default_factory=lambda: cls(**kw), metadata={"section": True, "doc": ""})


@dataclass(frozen=True)
class FundSet:
    """The money: the special fund that pays the levers, and the funds that invest (task 24)."""

    special: SpecialFundParams = _fund(
        SpecialFundParams, initial_balance_cny_million=100.0, budget_cny_million_per_year=2000.0
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
