"""The model's fixed vocabularies: talent kinds, fields, levels, carrier kinds, KPIs, accounts.

Index conventions used by list-valued scenario keys and by the agent arrays:

* talent kinds (7): scientist, researcher, young, manager, professional, technician, student;
* fields (6): advanced_manufacturing, electronic_information, airport_economy, new_energy,
  new_materials, other — the first five are the plan's key industry chains;
* levels (3): general, high-end (高端), high-level (高层次).
"""

__all__ = [
    "TALENT_KINDS",
    "FIELDS",
    "LEVELS",
    "CARRIER_KINDS",
    "KPIS",
    "FUNDS",
    "PUBLIC_FUNDS",
    "N_KEY_CHAINS",
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
# The five key industry chains are the first five fields.
N_KEY_CHAINS = 5

# The funds: the talent special fund (人才专项资金), which pays the levers, and the funds that
# invest in young firms. Venture capital is private money; the others are public.
FUNDS = ("special", "development", "capital_pool", "venture")
PUBLIC_FUNDS = FUNDS[:-1]
