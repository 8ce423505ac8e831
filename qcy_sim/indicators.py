"""What the model records each month: the plan's KPIs and the other monthly outputs.

Every KPI is counted from agent state at the end of the month (:func:`kpi_values`); nothing is
incremented towards a target. The monthly outputs (:data:`SERIES`) are recorded by the
mechanisms that produce them (each declares its ``outputs``), plus the fund balances.
"""

from __future__ import annotations

from typing import Any

from .core.codes import TEAM_SC, TEAM_SE
from .names import FUNDS, KPIS

__all__ = ["SERIES", "CARRIER_KPIS", "kpi_values", "kpi_row"]

# Monthly outputs recorded beside the KPIs, in table order.
SERIES = (
    "residents",
    "employed",
    "searching",
    "flexible_talents",
    "candidates",
    "arrivals",
    "departures",
    "matches",
    "vacancies",
    "startups_founded",
    "new_tech_smes",
    "new_high_tech_firms",
    "new_spinoff_firms",
    "technology_transfers",
    "firm_failures",
    "relocations",
    "firms_alive",
    "incubators",
    "housing_units",
    "housing_occupied",
    "service_level",
    *(f"{fund}_balance" for fund in FUNDS),
)
# carrier kind -> the KPI that counts those built since the start and operating
CARRIER_KPIS = {
    "innovation_carrier": "innovation_carriers",
    "pilot_base": "pilot_bases",
    "new_rd_institution": "new_rd_institutions",
    "common_tech_platform": "common_tech_platforms",
    "student_space": "student_spaces",
    "shared_research_center": "shared_research_centers",
}


def kpi_values(model: Any) -> dict[str, float]:
    """The 13 KPIs of the model's current state (after :meth:`Population.census`)."""
    counts = model.population.counts
    flexible = counts["flexible"] if model.p.accounting.count_flexible_talents else 0
    values = {
        "high_level_talents": counts["high_level"],
        "innovation_talents": counts["residents"] + flexible,
        "high_end_talents": counts["high_end"],
        "tech_brokers": counts["brokers"],
        "scientist_engineer_teams": model.teams.alive(TEAM_SE),
        "shuangchuang_teams": model.teams.alive(TEAM_SC),
        "reform_cases": model.reforms.promoted(),
    }
    for carrier, kpi in CARRIER_KPIS.items():
        values[kpi] = model.carriers.count(carrier, since_start=True)
    return values


def kpi_row(model: Any) -> list[float]:
    """The KPIs in the order of :data:`~qcy_sim.names.KPIS`."""
    values = kpi_values(model)
    return [values[name] for name in KPIS]
