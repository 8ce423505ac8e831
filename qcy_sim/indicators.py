"""What the model records each month: the plan's KPIs in every counting, and other outputs.

Every KPI is counted from agent state at the end of the month (:func:`kpi_values`); nothing is
incremented towards a target. Each KPI is counted three ways (:data:`COUNTINGS`):

* ``stock``: present at the end of the month (recognised and operating carriers, active brokers,
  alive teams, working talents at a level), whenever they came;
* ``gained``: present at the end of the month and added since the start (arrived, recognised,
  certified, formed or completed since ``time.start``);
* ``cumulative``: everything added since the start, including what has since left, lapsed,
  dissolved or closed.

A target says which counting it judges (``counting``; default :data:`DEFAULT_COUNTING`, argued
from the plan's wording in ``docs/ODD.md``); ``model.kpi`` holds each KPI in the counting of its
target, and the monthly outputs carry all three as ``<kpi>__<counting>``. The other monthly
outputs (:data:`SERIES`) are recorded by the mechanisms that produce them.
"""

from __future__ import annotations

from typing import Any

from .core.codes import TEAM_SC, TEAM_SE
from .names import FUNDS, KPIS
from .schema.competitors import COMPETITORS

__all__ = [
    "SERIES",
    "COUNTINGS",
    "DEFAULT_COUNTING",
    "CARRIER_KPIS",
    "kpi_values",
    "counted_column",
]

COUNTINGS = ("stock", "gained", "cumulative")
# The plan's wording (section 二, and task 21 for high-end talents) and the counting it implies.
DEFAULT_COUNTING = {
    "high_level_talents": "gained",  # 培育引进…高层次人才500名左右: cultivated or brought in
    "innovation_talents": "gained",  # 人才队伍规模实现跨越式增长 … 聚集…人才50000名左右: growth
    "high_end_talents": "gained",  # 三年内聚集5000名高端人才: within three years
    "tech_brokers": "gained",  # 培育300名科技经纪人: trained
    "scientist_engineer_teams": "gained",  # 建设100支“科学家+工程师”队伍: built
    "shuangchuang_teams": "gained",  # 100支“新双创”队伍: built
    "innovation_carriers": "gained",  # 建设…科技创新载体50个以上: built
    "pilot_bases": "gained",  # 建成…小试中试基地、概念验证中心30个以上: completed
    "new_rd_institutions": "gained",  # 新建新型研发机构60个以上: newly built
    "common_tech_platforms": "gained",  # 共性技术研发平台和创新联合体20个以上: built
    "student_spaces": "gained",  # 打造大学生创新创业空间20个以上: built
    "shared_research_centers": "gained",  # 建设10个以上秦创原共享研究中心: built
    "reform_cases": "cumulative",  # 实现10项以上…案例…宣传推广: promotions achieved
}
# carrier kind -> the KPI that counts its recognised carriers
CARRIER_KPIS = {
    "innovation_carrier": "innovation_carriers",
    "pilot_base": "pilot_bases",
    "new_rd_institution": "new_rd_institutions",
    "common_tech_platform": "common_tech_platforms",
    "student_space": "student_spaces",
    "shared_research_center": "shared_research_centers",
}

# Monthly outputs recorded beside the KPIs, in table order.
SERIES = (
    "residents",
    "employed",
    "searching",
    "flexible_talents",
    "unemployment",
    "vacancy_rate",
    "candidates",
    "arrivals",
    "chose_area",
    *(f"chose_{name}" for name in COMPETITORS),
    "stayed",
    "departures",
    "matches",
    "job_finding",
    "offered_pay",
    "vacancies",
    "expired_posts",
    "recruiting_cost_cny_million",
    "mean_pay_premium",
    "startups_founded",
    "new_tech_smes",
    "new_high_tech_firms",
    "new_spinoff_firms",
    "technology_transfers",
    "broker_applicants",
    "brokers_certified",
    "firm_failures",
    "relocations",
    "firms_alive",
    "carrier_proposals",
    "carriers_recognised",
    "carriers_closed",
    "incubators",
    "housing_units",
    "housing_occupied",
    "service_level",
    "reform_candidates",
    "public_book_value",
    "public_written_off",
    "public_proceeds",
    "public_compensation",
    "returned_cny_million",
    *(f"{fund}_balance" for fund in FUNDS),
    *(f"{kpi}__{counting}" for kpi in KPIS for counting in COUNTINGS),
)


def counted_column(kpi: str, counting: str) -> str:
    """The monthly output that holds ``kpi`` in ``counting``."""
    return f"{kpi}__{counting}"


def kpi_values(model: Any, counting: str) -> dict[str, float]:
    """The 13 KPIs of the model's current state in one counting (after the month's census)."""
    counts = model.population.counts
    team_counting = "cumulative" if counting == "cumulative" else "stock"
    values = {
        "high_level_talents": counts[f"high_level.{counting}"],
        "innovation_talents": counts[f"innovation.{counting}"],
        "high_end_talents": counts[f"high_end.{counting}"],
        "tech_brokers": model.brokers.counts[counting],
        "scientist_engineer_teams": model.teams.alive(TEAM_SE, team_counting),
        "shuangchuang_teams": model.teams.alive(TEAM_SC, team_counting),
        "reform_cases": model.reforms.promoted(),
    }
    for carrier, kpi in CARRIER_KPIS.items():
        values[kpi] = model.carriers.count(carrier, counting)
    return values
