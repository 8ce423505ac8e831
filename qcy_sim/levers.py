"""The plan's 27 tasks (and its section 五's safeguards) mapped to scenario keys and mechanisms.

This table is what ``qcy levers`` prints and what ``docs/ODD.md`` §8 reproduces. Each entry names
the scenario tables that configure the task; ``keys()`` expands them into dotted keys from the
schema, so a lever listed here always exists (``tests/test_levers.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import iter_keys

__all__ = ["Task", "TASKS", "SAFEGUARDS", "LEVER_EFFECTS", "task_table"]


@dataclass(frozen=True)
class Task:
    """One task of the plan and how the model represents it."""

    task: int
    title: str
    tables: tuple[str, ...]
    mechanism: str
    cost: str

    def keys(self) -> list[str]:
        """Every dotted scenario key of the task's tables."""
        out = []
        for key, *_ in iter_keys():
            if any(key.startswith(t + ".") for t in self.tables):
                out.append(key)
        return out


TASKS: tuple[Task, ...] = (
    Task(
        1,
        "Leadership mechanism for talent work (领导机制)",
        ("policy.leadership",),
        "Execution strength scales every other lever's effect (0.5 + 0.5 x execution) and "
        "shortens its start delay round(governance.delay_months x (1 - execution)).",
        "policy.leadership.cost_cny_million_per_year",
    ),
    Task(
        2,
        "Evaluation reform: 三重三看, 以赛代评, overseas grading",
        ("policy.evaluation_reform",),
        "Raises the monthly recognition chance of eligible talents without titles and the "
        "share of overseas arrivals recognised on arrival; a reform lever (reform cases).",
        "policy.evaluation_reform.cost_cny_million_per_year",
    ),
    Task(
        3,
        "Three pools and one centre, joint campus recruitment (三池一中心, 校招共用)",
        ("policy.three_pools", "carriers.shared_research_center"),
        "Joint recruitment raises local graduates' utility of the area; the results pool raises "
        "founding by scientists and researchers; the capital pool adds provincial SOE money to "
        "a fund that invests in young firms; shared research centres are built as carriers and "
        "raise scientist+engineer team formation.",
        "programme cost; shared research centre construction and operation",
    ),
    Task(
        4,
        "City-university-enterprise co-employment (城校企协同用人)",
        ("policy.lab_sharing",),
        "Opened labs and instruments raise firm growth in every field and scientist+engineer "
        "team formation.",
        "policy.lab_sharing.cost_cny_million_per_year",
    ),
    Task(
        5,
        "Use the 三项改革 results; brokers; cash + technology equity",
        ("policy.tech_transfer", "policy.brokers"),
        "Equity rules raise founding by scientists and researchers (spin-offs, subsidised); "
        "certified brokers broker technology transfers that become spin-offs or projects "
        "seeding scientist+engineer teams.",
        "subsidy per spin-off; broker commissions",
    ),
    Task(
        6,
        "Overseas talent work stations (海外引智工作站)",
        ("policy.overseas_stations",),
        "Each station adds overseas candidates to the monthly pool.",
        "policy.overseas_stations.cost_cny_million_per_station_per_year",
    ),
    Task(
        7,
        "Science enclaves (人才科创飞地)",
        ("policy.enclaves",),
        "Enclaves engage flexible (remote, part-time) talents, counted apart from residents, "
        "and incubate startups remotely (extra hosting slots).",
        "policy.enclaves.cost_cny_million_per_enclave_per_year",
    ),
    Task(
        8,
        "Fault tolerance and exemption (容错免责)",
        ("policy.fault_tolerance",),
        "Raises founding and the investment chance of funds; softens the retention damage of a "
        "failed employer; the special fund reimburses part of investments lost in failures.",
        "risk compensation on failed funded firms",
    ),
    Task(
        9,
        "National strategic S&T platforms, strategic scientists (一事一议)",
        ("policy.strategic_scientists",),
        "Rare arrivals of high-level scientists with their young teams; each forms a "
        "scientist+engineer team as soon as employed.",
        "policy.strategic_scientists.package_cny_million per arrival",
    ),
    Task(
        10,
        "Results transformation platforms (1 中心 + N 园区, 一园区一高校)",
        ("policy.transformation", "carriers.innovation_carrier", "carriers.pilot_base"),
        "University-linked parks raise founding by scientists and researchers; innovation "
        "carriers and pilot bases are built (hosting slots; pilot capacity lowers young-firm "
        "failure).",
        "park running costs; carrier construction and operation",
    ),
    Task(
        11,
        "Industry-chain talent alliances, chain leaders (链主), workstations",
        ("policy.chain_alliances",),
        "Chain-leader firms land (pulling supplier growth in their chain); academician and "
        "postdoc workstations open scientist positions at chain leaders.",
        "incentive per chain leader; subsidy per workstation",
    ),
    Task(
        12,
        "SOE innovation centre: platforms, consortia, R&D institutions",
        ("policy.soe_innovation", "carriers.common_tech_platform", "carriers.new_rd_institution"),
        "Practice bases raise ability growth of researchers and managers; common-technology "
        "platforms raise growth in their field; new R&D institutions open as employers of "
        "scientists.",
        "programme cost; carrier construction and operation",
    ),
    Task(
        13,
        "Offshore innovation platform, international talent posts",
        ("policy.offshore",),
        "Offshore incubators raise overseas candidates' utility and engage overseas talents "
        "flexibly.",
        "policy.offshore.cost_cny_million_per_incubator_per_year",
    ),
    Task(
        14,
        "Youth innovation community, competitions, student projects",
        ("policy.youth_community", "carriers.student_space", "carriers.incubator"),
        "Competitions raise 新双创 team formation and founding by students; student spaces and "
        "incubators host startups and teams.",
        "cost per competition; carrier construction and operation",
    ),
    Task(
        15,
        "Alumni recruiting (校友招商)",
        ("policy.alumni",),
        "Alumni events bring alumni firms to land in the area.",
        "policy.alumni.cost_cny_million_per_event",
    ),
    Task(
        16,
        "Strategic S&T talent teams (定向对接、特事特办)",
        ("policy.strategic_scientists",),
        "Shares task 9's mechanism: direct recruitment of strategic scientists with teams.",
        "policy.strategic_scientists.package_cny_million per arrival",
    ),
    Task(
        17,
        "Research talent teams: one university per industry",
        ("policy.university_industry",),
        "Partnerships raise local graduates' utility and scientist+engineer team formation.",
        "policy.university_industry.cost_cny_million_per_partnership_per_year",
    ),
    Task(
        18,
        "Young S&T talents: postdocs, targeted campus recruiting",
        ("policy.young_talent",),
        "Postdocs are placed at institutes each year; fairs raise local graduates' utility.",
        "subsidy per postdoc; programme cost",
    ),
    Task(
        19,
        "Enterprise managers (新锐西商) and 300 technology brokers of three kinds",
        ("policy.managers", "policy.brokers"),
        "Managers found more and are more satisfied; brokers of three kinds are trained, "
        "certified and broker transfers.",
        "programme cost; training cost per trainee",
    ),
    Task(
        20,
        "Skilled technicians, apprenticeships",
        ("policy.skilled_talent",),
        "Apprenticeships raise technicians' ability and retention.",
        "policy.skilled_talent.cost_cny_thousand_per_apprentice",
    ),
    Task(
        21,
        "Professionals of the industry chains (5,000 high-end talents)",
        ("policy.chain_talent",),
        "More managers and professionals among domestic candidates.",
        "policy.chain_talent.cost_cny_million_per_year",
    ),
    Task(
        22,
        "Qinchuangyuan talent market and cloud platform",
        ("policy.talent_market",),
        "Raises matching efficiency and the domestic candidate pool.",
        "policy.talent_market.cost_cny_million_per_year",
    ),
    Task(
        23,
        "Xi'an International Talent Port (国际人才港)",
        ("policy.talent_port",),
        "Built over its lead time while paid; once open it raises overseas candidates' and all "
        "candidates' utility.",
        "construction, then operation",
    ),
    Task(
        24,
        "Talent finance: special fund and development fund (一专项、一基金)",
        ("funds", "policy.awards"),
        "Yearly budgets and the special fund's allocation shares bound what every lever can "
        "spend; awards and living subsidies enter candidates' utility; the development fund, "
        "capital pool and venture capital invest in young firms (growth, survival).",
        "the budgets themselves",
    ),
    Task(
        25,
        "Talent services: housing, schooling, medical, spouse jobs, headhunters",
        ("policy.services", "policy.housing"),
        "Service spending sets a service level (utility, dissatisfaction); talent apartments "
        "house newcomers (utility, retention); specialists retain high-level talents; "
        "headhunters raise the utility of high-end and high-level candidates.",
        "service spending; apartments and rents; specialists; headhunter fees",
    ),
    Task(
        26,
        "Talent exchange and learning platforms (大讲堂, training)",
        ("policy.training",),
        "Training raises trainees' ability (recognition as high-end or high-level).",
        "policy.training.cost_cny_thousand_per_trainee",
    ),
    Task(
        27,
        "Atmosphere of respect for talent (爱才氛围)",
        ("policy.atmosphere",),
        "A small, saturating amenity for candidates and residents.",
        "policy.atmosphere.spend_cny_million_per_year",
    ),
)

SAFEGUARDS: tuple[Task, ...] = (
    Task(
        0,
        "五(一)(三) Organisation and supervision",
        ("policy.leadership",),
        "See task 1.",
        "policy.leadership.cost_cny_million_per_year",
    ),
    Task(0, "五(二) Funding guarantee", ("funds",), "See task 24.", "the budgets"),
    Task(
        0,
        "五(四) Publicity of reform experience",
        ("policy.publicity",),
        "Raises the promotion chance of mature reform cases.",
        "policy.publicity.cost_cny_million_per_year",
    ),
)

# What switching each policy lever on should raise (KPIs or outputs), used by the lever tests
# and printed by ``qcy levers``.
LEVER_EFFECTS: dict[str, tuple[str, ...]] = {
    "leadership": ("innovation_talents",),
    "awards": ("innovation_talents", "high_level_talents"),
    "evaluation_reform": ("high_level_talents", "high_end_talents"),
    "three_pools": ("innovation_talents", "new_spinoff_firms"),
    "lab_sharing": ("scientist_engineer_teams",),
    "tech_transfer": ("new_spinoff_firms",),
    "brokers": ("tech_brokers", "technology_transfers"),
    "overseas_stations": ("innovation_talents",),
    "enclaves": ("flexible_talents",),
    "fault_tolerance": ("startups_founded",),
    "strategic_scientists": ("high_level_talents", "scientist_engineer_teams"),
    "transformation": ("new_spinoff_firms",),
    "chain_alliances": ("innovation_talents",),
    "soe_innovation": ("high_end_talents",),
    "offshore": ("flexible_talents",),
    "youth_community": ("shuangchuang_teams",),
    "alumni": ("relocations",),
    "university_industry": ("scientist_engineer_teams",),
    "young_talent": ("innovation_talents",),
    "managers": ("startups_founded",),
    "skilled_talent": ("residents",),
    "chain_talent": ("innovation_talents",),
    "talent_market": ("matches",),
    "talent_port": ("innovation_talents",),
    "services": ("innovation_talents",),
    "housing": ("housing_occupied",),
    "training": ("high_end_talents",),
    "atmosphere": ("innovation_talents",),
    "publicity": ("reform_cases",),
}


def task_table() -> list[dict]:
    """The tasks as plain data: ``{"task", "title", "keys", "mechanism", "cost"}``."""
    return [
        {
            "task": t.task,
            "title": t.title,
            "keys": t.keys(),
            "mechanism": t.mechanism,
            "cost": t.cost,
        }
        for t in TASKS
    ]
