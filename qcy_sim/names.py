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
    "ACCOUNTS",
    "FUNDS",
    "PUBLIC_ACCOUNTS",
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

# Accounts: the talent special fund's four accounts, then the investing funds. A dotted name
# "fund.account" belongs to fund "fund".
ACCOUNTS = (
    "special.talents",
    "special.living",
    "special.carriers",
    "special.programmes",
    "development",
    "capital_pool",
    "venture",
)
FUNDS = ("special", "development", "capital_pool", "venture")
# Venture capital is private money: public spending is what the other accounts pay.
PUBLIC_ACCOUNTS = ACCOUNTS[:-1]
