"""Levers that act on talents: attraction, recognition, careers, services and housing."""

from dataclasses import dataclass

from ..core.params import par
from .registry import Lever, budget, case_bar, lever

__all__ = [
    "AwardsLever",
    "EvaluationLever",
    "OverseasStationsLever",
    "EnclavesLever",
    "StrategicScientistsLever",
    "OffshoreLever",
    "YoungTalentLever",
    "ManagersLever",
    "SkilledTalentLever",
    "ChainTalentLever",
    "TalentMarketLever",
    "TalentPortLever",
    "ServicesLever",
    "HousingLever",
    "TrainingLever",
    "AtmosphereLever",
]


@lever(
    "awards",
    tasks=(24,),
    spending=("awards", "living_subsidy"),
    kpis=("innovation_talents", "high_level_talents", "high_end_talents"),
    outputs=("innovation_talents", "high_level_talents"),
    cost="awards to recognised arrivals; living subsidies to young talents and students",
    mechanism=(
        "Awards to recognised arrivals and living subsidies to young talents and students enter "
        "candidates' utility of the area."
    ),
)
@dataclass(frozen=True)
class AwardsLever(Lever):
    """Task 24 (special fund use): awards and living subsidies to incoming talents."""

    budget_cny_million_per_year: float = budget(330.0, "Awards on arrival and living subsidies.")

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


@lever(
    "evaluation_reform",
    tasks=(2,),
    spending=("evaluation_reform",),
    kpis=("high_level_talents", "high_end_talents", "reform_cases"),
    outputs=("high_level_talents", "high_end_talents"),
    reform=True,
    fixed_cost=("cost_cny_million_per_year",),
    cost="programme cost",
    mechanism=(
        "Cuts the extra ability that recognition batches ask of talents without titles, and "
        "raises the share of overseas arrivals recognised on arrival."
    ),
)
@dataclass(frozen=True)
class EvaluationLever(Lever):
    """Task 2: evaluation reform (三重三看, 以赛代评, overseas grading)."""

    budget_cny_million_per_year: float = budget(4.0, "Review panels.")

    intensity: float = par(
        1.0,
        "1",
        "Talents without titles need recognition.untitled_margin x (1 - margin_relief x "
        "strength x intensity) more ability to be recognised; overseas arrivals are recognised "
        "on arrival x (1 + overseas_recognition_gain x strength x intensity).",
        0,
        1,
    )
    margin_relief: float = par(
        0.6,
        "1",
        "Share of the extra ability asked of talents without titles that the reform removes "
        "at full strength (三重三看: contributions and ability over titles; assumption).",
        0,
        1,
    )
    overseas_recognition_gain: float = par(
        0.5,
        "1",
        "Rise in the share of overseas arrivals recognised on arrival at full strength "
        "(overseas grading; assumption).",
        0,
        20,
    )
    cost_cny_million_per_year: float = par(
        4.0, "million CNY/year", "Review panels, competitions used as evaluation.", 0, 1e5
    )
    case_bar: float = case_bar(150.0, "talents without titles recognised")


@lever(
    "overseas_stations",
    tasks=(6,),
    spending=("overseas_stations",),
    kpis=("innovation_talents", "high_end_talents"),
    outputs=("innovation_talents",),
    fixed_cost=("stations", "cost_cny_million_per_station_per_year"),
    cost="running cost per station",
    mechanism="Each station adds overseas candidates to the monthly pool.",
)
@dataclass(frozen=True)
class OverseasStationsLever(Lever):
    """Task 6: overseas talent work stations (海外引智工作站), joint with universities."""

    budget_cny_million_per_year: float = budget(9.0, "The stations' running costs.")

    stations: int = par(6, "stations", "Work stations operated.", 0, 1000)
    candidates_per_station_per_month: float = par(
        12.0, "people/month", "Overseas candidates each station brings into the pool.", 0, 1e4
    )
    cost_cny_million_per_station_per_year: float = par(
        1.5, "million CNY/year", "Running one station.", 0, 1e4
    )


@lever(
    "enclaves",
    tasks=(7,),
    spending=("enclaves",),
    kpis=("innovation_talents", "reform_cases"),
    outputs=("flexible_talents",),
    reform=True,
    fixed_cost=("enclaves", "cost_cny_million_per_enclave_per_year"),
    cost="running cost per enclave",
    mechanism=(
        "Enclaves engage flexible (remote, part-time) talents, counted apart from residents, and "
        "incubate startups remotely (extra hosting slots)."
    ),
)
@dataclass(frozen=True)
class EnclavesLever(Lever):
    """Task 7: science enclaves (飞地): flexible talents and remote incubation."""

    budget_cny_million_per_year: float = budget(10.0, "The enclaves' running costs.")

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
    case_bar: float = case_bar(150.0, "flexible talents engaged through enclaves")


@lever(
    "strategic_scientists",
    tasks=(9, 16),
    spending=("strategic_scientists",),
    kpis=("high_level_talents", "scientist_engineer_teams", "innovation_talents"),
    outputs=("high_level_talents", "scientist_engineer_teams"),
    cost="package per strategic scientist",
    mechanism=(
        "Rare arrivals of high-level scientists with their young teams (一事一议); each forms a "
        "scientist+engineer team as soon as employed."
    ),
)
@dataclass(frozen=True)
class StrategicScientistsLever(Lever):
    """Tasks 9 and 16: national labs, strategic scientists by case-by-case packages (一事一议)."""

    budget_cny_million_per_year: float = budget(100.0, "Case-by-case packages.")

    arrivals_per_year: float = par(
        4.0, "people/year", "Strategic scientists recruited per year (Poisson).", 0, 1000
    )
    team_size: int = par(6, "people", "Young researchers each strategic scientist brings.", 0, 1000)
    package_cny_million: float = par(
        20.0, "million CNY", "Case-by-case package per strategic scientist.", 0, 1e5
    )
    ability_margin: float = par(
        1.0,
        "log units",
        "A strategic scientist's mean log ability above talent.high_level_threshold.",
        0,
        10,
    )


@lever(
    "offshore",
    tasks=(13,),
    spending=("offshore",),
    kpis=("innovation_talents",),
    outputs=("flexible_talents",),
    fixed_cost=("offshore_incubators", "cost_cny_million_per_incubator_per_year"),
    cost="running cost per offshore incubator",
    mechanism=(
        "Offshore incubators raise overseas candidates' utility and engage overseas talents "
        "flexibly."
    ),
)
@dataclass(frozen=True)
class OffshoreLever(Lever):
    """Task 13: offshore innovation platform, overseas talent posts (国际人才驿站)."""

    budget_cny_million_per_year: float = budget(6.0, "The offshore incubators' running costs.")

    offshore_incubators: int = par(3, "incubators", "Offshore incubators operated.", 0, 1000)
    overseas_utility: float = par(
        0.15,
        "utils per incubator",
        "Extra utility for overseas candidates per incubator (up to utility_cap_incubators).",
        0,
        10,
    )
    utility_cap_incubators: int = par(
        5,
        "incubators",
        "Incubators beyond this many add no utility (candidates know a handful of posts).",
        0,
        1000,
    )
    flexible_per_incubator_per_year: float = par(
        20.0, "people/year", "Overseas talents engaged flexibly through each incubator.", 0, 1e5
    )
    cost_cny_million_per_incubator_per_year: float = par(
        2.0, "million CNY/year", "Running one offshore incubator.", 0, 1e4
    )


@lever(
    "young_talent",
    tasks=(18,),
    spending=("young_talent",),
    kpis=("innovation_talents", "reform_cases"),
    outputs=("innovation_talents",),
    reform=True,
    fixed_cost=("cost_cny_million_per_year",),
    cost="subsidy per postdoc; programme cost",
    mechanism=(
        "Postdocs are placed at institutes each year; targeted campus fairs raise local graduates' "
        "utility."
    ),
)
@dataclass(frozen=True)
class YoungTalentLever(Lever):
    """Task 18: young S&T talents, postdocs (博士后创新创业园), targeted campus recruiting."""

    budget_cny_million_per_year: float = budget(30.0, "Postdoc subsidies and fairs.")

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
    case_bar: float = case_bar(100.0, "postdocs placed")


@lever(
    "managers",
    tasks=(19,),
    spending=("managers",),
    kpis=("innovation_talents",),
    outputs=("startups_founded",),
    fixed_cost=("cost_cny_million_per_year",),
    cost="programme cost",
    mechanism="Enterprise managers (新锐西商) found more and are more satisfied.",
)
@dataclass(frozen=True)
class ManagersLever(Lever):
    """Task 19: 新锐西商 young entrepreneurs, manager club."""

    budget_cny_million_per_year: float = budget(3.0, "Programme costs.")

    intensity: float = par(
        1.0,
        "1",
        "Manager founding x (1 + founding_gain x strength x intensity); manager "
        "dissatisfaction - dissatisfaction_relief x strength x intensity.",
        0,
        1,
    )
    founding_gain: float = par(
        0.5, "1", "Rise in managers' founding at full strength (assumption).", 0, 20
    )
    dissatisfaction_relief: float = par(
        0.2, "1", "Fall in managers' dissatisfaction at full strength (assumption).", 0, 20
    )
    cost_cny_million_per_year: float = par(3.0, "million CNY/year", "Programme costs.", 0, 1e5)


@lever(
    "skilled_talent",
    tasks=(20,),
    spending=("skilled_talent",),
    kpis=("innovation_talents", "high_end_talents"),
    outputs=("high_end_talents",),
    cost="training cost per apprentice",
    mechanism="Apprenticeships raise technicians' ability and retention.",
)
@dataclass(frozen=True)
class SkilledTalentLever(Lever):
    """Task 20: skilled technicians, apprenticeships, skill master studios."""

    budget_cny_million_per_year: float = budget(6.0, "Apprenticeships.")

    apprentices_per_year: float = par(600.0, "people/year", "Technicians trained per year.", 0, 1e6)
    ability_gain: float = par(0.3, "log units", "Ability gained by a trained technician.", 0, 5)
    retention_gain: float = par(
        0.3, "1", "Dissatisfaction removed from an apprenticed technician.", 0, 5
    )
    cost_cny_thousand_per_apprentice: float = par(
        8.0, "thousand CNY", "Training cost per apprentice.", 0, 1e5
    )


@lever(
    "chain_talent",
    tasks=(21,),
    spending=("chain_talent",),
    kpis=("innovation_talents", "high_end_talents"),
    outputs=("innovation_talents",),
    fixed_cost=("cost_cny_million_per_year",),
    cost="programme cost",
    mechanism="More managers and professionals of the industry chains among domestic candidates.",
)
@dataclass(frozen=True)
class ChainTalentLever(Lever):
    """Task 21: professionals in trade, marketing, law, finance and management."""

    budget_cny_million_per_year: float = budget(8.0, "Programme costs.")

    pool_gain: float = par(
        0.3, "1", "Managers and professionals among domestic candidates x (1 + gain).", 0, 10
    )
    cost_cny_million_per_year: float = par(
        8.0, "million CNY/year", "Recruitment campaigns and training.", 0, 1e5
    )


@lever(
    "talent_market",
    tasks=(22,),
    spending=("talent_market",),
    kpis=("innovation_talents", "reform_cases"),
    outputs=("matches",),
    reform=True,
    fixed_cost=("cost_cny_million_per_year",),
    cost="programme cost",
    mechanism=(
        "The talent market and cloud platform raise matching efficiency and the domestic candidate "
        "pool."
    ),
)
@dataclass(frozen=True)
class TalentMarketLever(Lever):
    """Task 22: the Qinchuangyuan talent market and cloud platform."""

    budget_cny_million_per_year: float = budget(12.0, "Programme costs.")

    matching_gain: float = par(0.25, "1", "Matching efficiency x (1 + gain).", 0, 10)
    pool_gain: float = par(
        0.1, "1", "Domestic candidates x (1 + gain) (the network of talent markets).", 0, 10
    )
    cost_cny_million_per_year: float = par(
        12.0, "million CNY/year", "Running the market and platform.", 0, 1e5
    )
    case_bar: float = case_bar(15000.0, "searchers placed in jobs")


@lever(
    "talent_port",
    tasks=(23,),
    spending=("talent_port",),
    kpis=("innovation_talents",),
    outputs=("innovation_talents",),
    cost="construction, then operation",
    mechanism=(
        "Built over its lead time while paid; once open it raises overseas candidates' and all "
        "candidates' utility."
    ),
)
@dataclass(frozen=True)
class TalentPortLever(Lever):
    """Task 23: Xi'an (Qinchuangyuan) International Talent Port."""

    budget_cny_million_per_year: float = budget(160.0, "Construction, then operation.")

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


@lever(
    "services",
    tasks=(25,),
    spending=("services", "service_specialists", "headhunters"),
    kpis=("innovation_talents", "high_level_talents"),
    outputs=("innovation_talents",),
    cost="service spending; specialists per high-level talent; headhunter fees per placement",
    mechanism=(
        "Service spending sets a service level (utility, dissatisfaction); specialists retain high-"
        "level talents; headhunters raise the utility of high-end and high-level candidates."
    ),
)
@dataclass(frozen=True)
class ServicesLever(Lever):
    """Task 25: schooling, medical care, spouse jobs, service specialists, headhunters."""

    budget_cny_million_per_year: float = budget(220.0, "Services, specialists and headhunter fees.")

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


@lever(
    "housing",
    tasks=(25,),
    spending=("housing",),
    kpis=("innovation_talents",),
    outputs=("housing_occupied",),
    cost="apartments added and rent subsidies",
    mechanism="Talent apartments house newcomers (utility, retention).",
)
@dataclass(frozen=True)
class HousingLever(Lever):
    """Task 25: talent apartments."""

    budget_cny_million_per_year: float = budget(200.0, "Apartments added and rent subsidies.")

    units_per_year: float = par(1500.0, "units/year", "Talent apartments added per year.", 0, 1e7)
    unit_cost_cny_thousand: float = par(
        60.0, "thousand CNY", "Cost to add one apartment (lease and fit-out).", 0, 1e5
    )
    rent_subsidy_cny_thousand_per_month: float = par(
        1.0, "thousand CNY/month", "Rent subsidy per occupied apartment.", 0, 1e3
    )


@lever(
    "training",
    tasks=(26,),
    spending=("training",),
    kpis=("high_end_talents", "high_level_talents"),
    outputs=("high_end_talents",),
    cost="cost per trainee",
    mechanism="Training raises trainees' ability (recognition as high-end or high-level).",
)
@dataclass(frozen=True)
class TrainingLever(Lever):
    """Task 26: lectures, seminars and professional training."""

    budget_cny_million_per_year: float = budget(7.0, "Training places.")

    trainees_per_year: float = par(2000.0, "people/year", "Residents trained per year.", 0, 1e7)
    ability_gain: float = par(0.1, "log units", "Ability gained per training.", 0, 5)
    cost_cny_thousand_per_trainee: float = par(3.0, "thousand CNY", "Cost per trainee.", 0, 1e5)


@lever(
    "atmosphere",
    tasks=(27,),
    spending=("atmosphere",),
    kpis=("innovation_talents",),
    outputs=("innovation_talents",),
    cost="spending on the atmosphere",
    mechanism="A small, saturating amenity for candidates and residents.",
)
@dataclass(frozen=True)
class AtmosphereLever(Lever):
    """Task 27: talent parks, events, honours (爱才氛围)."""

    budget_cny_million_per_year: float = budget(10.0, "Events and honours.")

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
