"""Levers that act on innovation: leadership, transfer, brokers, firms, carriers, teams, reforms."""

from dataclasses import dataclass

from ..core.params import par
from ..names import KPIS
from .registry import CarrierSupport, Lever, budget, case_bar, lever, support

__all__ = [
    "LeadershipLever",
    "ThreePoolsLever",
    "LabSharingLever",
    "TechTransferLever",
    "BrokersLever",
    "FaultToleranceLever",
    "TransformationLever",
    "ChainAlliancesLever",
    "SoeInnovationLever",
    "YouthCommunityLever",
    "AlumniLever",
    "UniversityIndustryLever",
    "PublicityLever",
]


@lever(
    "leadership",
    tasks=(1, 0),
    spending=("leadership",),
    kpis=KPIS,
    outputs=("innovation_talents",),
    fixed_cost=("cost_cny_million_per_year",),
    cost="running cost of the talent office",
    mechanism=(
        "Execution strength scales every other lever's effect (0.5 + 0.5 x execution) and shortens "
        "its start delay round(governance.delay_months x (1 - execution))."
    ),
)
@dataclass(frozen=True)
class LeadershipLever(Lever):
    """Task 1 and safeguards (一)(三): leadership group, talent office, supervision."""

    budget_cny_million_per_year: float = budget(5.0, "The talent office and supervision.")

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


@lever(
    "three_pools",
    tasks=(3,),
    spending=("three_pools", "shared_research_center"),
    kpis=("innovation_talents", "shared_research_centers", "reform_cases"),
    outputs=("innovation_talents", "new_spinoff_firms"),
    reform=True,
    fixed_cost=("cost_cny_million_per_year",),
    cost="programme cost (the capital pool's SOE money is a budget of the capital pool fund)",
    mechanism=(
        "Joint recruitment raises local graduates' utility; the results pool raises founding by "
        "scientists and researchers; the capital pool adds provincial SOE money to a fund that "
        "invests in young firms."
    ),
)
@dataclass(frozen=True)
class ThreePoolsLever(Lever):
    """Task 3: talent pool (校招共用), results pool, capital pool with provincial SOEs."""

    budget_cny_million_per_year: float = budget(
        30.0, "Programme costs and the shared research centres' grants, awards and support."
    )

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
    shared_research_center: CarrierSupport = support(
        "The programme for shared research centres with Xi'an Jiaotong University (task 3).",
        award_cny_million=1.0,
        operating_support_cny_million_per_year=1.5,
    )
    case_bar: float = case_bar(40.0, "capital-pool investments")


@lever(
    "lab_sharing",
    tasks=(4,),
    spending=("lab_sharing",),
    kpis=("scientist_engineer_teams", "reform_cases"),
    outputs=("scientist_engineer_teams",),
    reform=True,
    fixed_cost=("cost_cny_million_per_year",),
    cost="programme cost",
    mechanism=(
        "Opened labs and instruments raise firm growth in every field and scientist+engineer team "
        "formation."
    ),
)
@dataclass(frozen=True)
class LabSharingLever(Lever):
    """Task 4: city-university-enterprise co-employment; labs and instruments opened to firms."""

    budget_cny_million_per_year: float = budget(10.0, "Subsidised access to labs.")

    intensity: float = par(
        1.0,
        "1",
        "Firm growth + growth_per_year x strength x intensity; scientist+engineer team "
        "formation x (1 + team_gain x strength x intensity).",
        0,
        1,
    )
    growth_per_year: float = par(
        0.03,
        "1/year",
        "Extra drift of every firm's output at full strength (access to instruments "
        "and labs; assumption).",
        0,
        5,
    )
    team_gain: float = par(
        0.5,
        "1",
        "Rise in the R&D projects chain leaders commission from scientists at full strength.",
        0,
        20,
    )
    cost_cny_million_per_year: float = par(
        10.0, "million CNY/year", "Subsidised access to instruments and labs.", 0, 1e5
    )
    case_bar: float = case_bar(30.0, "projects commissioned by chain leaders")


@lever(
    "tech_transfer",
    tasks=(5,),
    spending=("tech_transfer",),
    kpis=("scientist_engineer_teams", "tech_brokers", "reform_cases"),
    outputs=("new_spinoff_firms",),
    reform=True,
    cost="subsidy per spin-off",
    mechanism=(
        "Cash and technology-equity rules raise founding by scientists and researchers (spin-offs, "
        "subsidised)."
    ),
)
@dataclass(frozen=True)
class TechTransferLever(Lever):
    """Task 5: 三项改革 results, cash + technology equity for university researchers."""

    budget_cny_million_per_year: float = budget(40.0, "Spin-off subsidies.")

    equity_intensity: float = par(
        1.0,
        "1",
        "Founding by scientists and researchers x (1 + founding_gain x strength x intensity).",
        0,
        1,
    )
    founding_gain: float = par(
        0.4,
        "1",
        "Rise in founding by scientists and researchers at full strength (equity rights for "
        "the inventors; assumption).",
        0,
        20,
    )
    spinoff_subsidy_cny_thousand: float = par(
        100.0, "thousand CNY", "Subsidy paid to every spin-off founded.", 0, 1e5
    )
    transfer_gain: float = par(
        0.5,
        "1",
        "Rise in transferable research results at full strength (ownership and equity reforms "
        "make results worth transferring; assumption).",
        0,
        20,
    )
    broker_equity_share: float = par(
        0.05,
        "1",
        "Share of a transferred technology's value a broker may take as equity under the "
        "reform (the 'cash + technology equity' rule).",
        0,
        1,
    )
    case_bar: float = case_bar(150.0, "spin-offs")


@lever(
    "brokers",
    tasks=(5, 19),
    spending=("brokers",),
    kpis=("tech_brokers", "scientist_engineer_teams", "reform_cases"),
    outputs=("tech_brokers", "technology_transfers"),
    reform=True,
    cost="training cost per trainee; commission per brokered transfer",
    mechanism=(
        "Brokers of three kinds are trained and certified; they broker technology transfers that "
        "become spin-offs or projects seeding scientist+engineer teams."
    ),
)
@dataclass(frozen=True)
class BrokersLever(Lever):
    """Tasks 5 and 19: technology brokers of three kinds (新区直属, 高校共聘, 专业机构)."""

    budget_cny_million_per_year: float = budget(35.0, "Training places and commissions.")

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
    productivity_by_kind: tuple = par(
        (1.0, 1.5, 1.2),
        "1",
        "Relative share of the brokered transfers that a broker of each kind finds (the "
        "co-hired know the universities' results best).",
        0.01,
        100,
        length=3,
    )
    commission_cny_thousand: float = par(
        30.0, "thousand CNY", "Reward paid to the broker for each transfer.", 0, 1e5
    )
    case_bar: float = case_bar(60.0, "brokered transfers")


@lever(
    "fault_tolerance",
    tasks=(8,),
    spending=("fault_tolerance",),
    kpis=("innovation_talents", "reform_cases"),
    outputs=("startups_founded",),
    reform=True,
    cost="risk compensation on failed funded firms",
    mechanism=(
        "Raises founding and the investment chance of funds; softens the retention damage of a "
        "failed employer; the special fund reimburses part of investments lost in failures."
    ),
)
@dataclass(frozen=True)
class FaultToleranceLever(Lever):
    """Task 8: fault tolerance and exemption (容错免责)."""

    budget_cny_million_per_year: float = budget(80.0, "Risk compensation.")

    intensity: float = par(
        1.0,
        "1",
        "Founding x (1 + founding_gain x s); fund investment chance x (1 + "
        "investment_gain x s); an employer's failure hurts its staff's retention x (1 - "
        "stigma_relief x s), s = strength x intensity.",
        0,
        1,
    )
    founding_gain: float = par(
        0.3, "1", "Rise in founding at full strength (failure costs less; assumption).", 0, 20
    )
    investment_gain: float = par(
        0.5,
        "1",
        "Rise in the funds' monthly investment chance at full strength (managers are not "
        "blamed for failed deals; assumption).",
        0,
        20,
    )
    stigma_relief: float = par(
        0.6,
        "1",
        "Share of the retention damage of an employer's failure removed at full strength.",
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
    case_bar: float = case_bar(30.0, "failed funded firms compensated")


@lever(
    "transformation",
    tasks=(10,),
    spending=("transformation", "innovation_carrier", "pilot_base"),
    kpis=("innovation_carriers", "pilot_bases", "innovation_talents"),
    outputs=("new_spinoff_firms",),
    fixed_cost=("university_parks", "cost_cny_million_per_park_per_year"),
    cost="running cost per university park",
    mechanism=(
        "University-linked parks (1 中心 + N 园区) raise founding by scientists and researchers."
    ),
)
@dataclass(frozen=True)
class TransformationLever(Lever):
    """Task 10: results transformation platforms (1 centre + N parks, 一园区一高校)."""

    budget_cny_million_per_year: float = budget(
        200.0,
        "University parks; grants, awards and support of innovation carriers and pilot bases.",
    )

    university_parks: int = par(
        8, "parks", "University-linked industrial parks operating.", 0, 1000
    )
    spinoff_per_park: float = par(
        0.03, "1", "Founding multiplier of scientists and researchers: + value per park.", 0, 10
    )
    cost_cny_million_per_park_per_year: float = par(
        3.0, "million CNY/year", "Running one park.", 0, 1e4
    )
    innovation_carrier: CarrierSupport = support(
        "The programme for innovation carriers (科技创新载体).",
        award_cny_million=1.0,
        operating_support_cny_million_per_year=2.0,
    )
    pilot_base: CarrierSupport = support(
        "The programme for pilot bases and proof-of-concept centres.",
        award_cny_million=0.5,
        operating_support_cny_million_per_year=1.0,
    )


@lever(
    "chain_alliances",
    tasks=(11,),
    spending=("chain_alliances",),
    kpis=(
        "innovation_talents",
        "high_end_talents",
        "scientist_engineer_teams",
        "common_tech_platforms",
    ),
    outputs=("innovation_talents",),
    cost="incentive per chain leader; subsidy per workstation",
    mechanism=(
        "Chain-leader firms land (pulling supplier growth in their chain); academician and postdoc "
        "workstations open scientist positions at chain leaders."
    ),
)
@dataclass(frozen=True)
class ChainAlliancesLever(Lever):
    """Task 11: chain alliances, chain leaders, academician and postdoc workstations."""

    budget_cny_million_per_year: float = budget(
        120.0, "Chain-leader incentives and workstation subsidies."
    )

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


@lever(
    "soe_innovation",
    tasks=(12,),
    spending=("soe_innovation", "new_rd_institution", "common_tech_platform"),
    kpis=("high_end_talents", "common_tech_platforms", "new_rd_institutions"),
    outputs=("high_end_talents",),
    fixed_cost=("cost_cny_million_per_year",),
    cost="practice base running costs",
    mechanism="Practice bases raise ability growth of researchers and managers.",
)
@dataclass(frozen=True)
class SoeInnovationLever(Lever):
    """Task 12: SOE innovation centre, practice bases for SOE talents."""

    budget_cny_million_per_year: float = budget(
        150.0, "Practice bases; grants, awards and support of new R&D institutions and platforms."
    )

    practice_intensity: float = par(
        1.0,
        "1",
        "Ability growth of managers and researchers + ability_growth_per_year x strength x "
        "intensity.",
        0,
        1,
    )
    ability_growth_per_year: float = par(
        0.05,
        "log units/year",
        "Extra ability growth of managers and researchers at full strength (practice bases).",
        0,
        2,
    )
    cost_cny_million_per_year: float = par(
        5.0, "million CNY/year", "Practice base running costs.", 0, 1e5
    )
    new_rd_institution: CarrierSupport = support(
        "The programme for new R&D institutions (新型研发机构).",
        award_cny_million=1.0,
        operating_support_cny_million_per_year=2.0,
    )
    common_tech_platform: CarrierSupport = support(
        "The programme for common-technology platforms and innovation consortia.",
        award_cny_million=0.5,
        operating_support_cny_million_per_year=1.0,
    )


@lever(
    "youth_community",
    tasks=(14,),
    spending=("youth_community", "student_space", "incubator"),
    kpis=("shuangchuang_teams", "student_spaces"),
    outputs=("shuangchuang_teams",),
    cost="cost per competition",
    mechanism="Competitions raise 新双创 team formation and founding by students.",
)
@dataclass(frozen=True)
class YouthCommunityLever(Lever):
    """Task 14: youth innovation community, competitions, student projects."""

    budget_cny_million_per_year: float = budget(
        40.0, "Competitions; grants, awards and support of student spaces and incubators."
    )

    competitions_per_year: float = par(
        4.0, "competitions/year", "Innovation and entrepreneurship competitions held.", 0, 1000
    )
    effect_per_competition: float = par(
        0.08,
        "1",
        "新双创 team formation and student founding x (1 + value x competitions "
        "in the last effect_months).",
        0,
        10,
    )
    effect_months: int = par(
        12, "months", "How long a competition keeps raising team formation and founding.", 1, 120
    )
    cost_cny_million_per_competition: float = par(
        1.5, "million CNY", "Prize money and organisation.", 0, 1e4
    )
    student_space: CarrierSupport = support(
        "The programme for students' innovation and entrepreneurship spaces.",
        award_cny_million=0.2,
        operating_support_cny_million_per_year=0.5,
    )
    incubator: CarrierSupport = support(
        "The programme for incubators.",
        award_cny_million=0.3,
        operating_support_cny_million_per_year=0.5,
    )


@lever(
    "alumni",
    tasks=(15,),
    spending=("alumni",),
    kpis=("innovation_talents",),
    outputs=("relocations",),
    cost="cost per event",
    mechanism="Alumni events bring alumni firms to land in the area.",
)
@dataclass(frozen=True)
class AlumniLever(Lever):
    """Task 15: alumni recruiting (校友招商)."""

    budget_cny_million_per_year: float = budget(3.0, "Alumni events.")

    events_per_year: float = par(6.0, "events/year", "Alumni salons and round tables.", 0, 1000)
    relocations_per_event: float = par(
        1.5, "firms", "Alumni firms landing per event (Poisson).", 0, 1000
    )
    cost_cny_million_per_event: float = par(0.5, "million CNY", "Cost of one event.", 0, 1e4)


@lever(
    "university_industry",
    tasks=(17,),
    spending=("university_industry",),
    kpis=("scientist_engineer_teams", "innovation_talents"),
    outputs=("scientist_engineer_teams",),
    fixed_cost=("partnerships", "cost_cny_million_per_partnership_per_year"),
    cost="running cost per partnership",
    mechanism=(
        "One university per industry: partnerships raise local graduates' utility and "
        "scientist+engineer team formation."
    ),
)
@dataclass(frozen=True)
class UniversityIndustryLever(Lever):
    """Task 17: one university per industry; cooperation with all universities."""

    budget_cny_million_per_year: float = budget(14.0, "The partnerships' running costs.")

    partnerships: int = par(14, "universities", "Partner universities in the scheme.", 0, 1000)
    graduate_utility_per_partnership: float = par(
        0.02, "utils", "Extra utility for local graduates per partnership.", 0, 10
    )
    team_effect_per_partnership: float = par(
        0.05,
        "1",
        "R&D projects chain leaders commission from scientists x (1 + value x partnerships).",
        0,
        10,
    )
    cost_cny_million_per_partnership_per_year: float = par(
        1.0, "million CNY/year", "Cooperation funding per university.", 0, 1e4
    )


@lever(
    "publicity",
    tasks=(0,),
    spending=("publicity",),
    kpis=("reform_cases",),
    outputs=("reform_cases",),
    fixed_cost=("cost_cny_million_per_year",),
    cost="programme cost",
    mechanism="Raises the promotion chance of mature reform cases (safeguard 五(四)).",
)
@dataclass(frozen=True)
class PublicityLever(Lever):
    """Safeguard (四): summarising and publicising reform experience."""

    budget_cny_million_per_year: float = budget(2.0, "Publicity of reform cases.")

    promotion_gain: float = par(
        1.0, "1", "Promotion chance of mature reform cases x (1 + gain).", 0, 10
    )
    cost_cny_million_per_year: float = par(
        2.0, "million CNY/year", "Publicity campaigns for reform experience.", 0, 1e5
    )
