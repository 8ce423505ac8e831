"""Codes stored in the agent arrays: one IntEnum per code, and plain ints for the kernels.

Kernels compare against the module-level ints (numba folds them into constants); Python code may
use either. The values are part of the saved state and of the random keys: never renumber them.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "Status",
    "Origin",
    "TalentKind",
    "Level",
    "FirmKind",
    "CarrierStatus",
    "TeamKind",
    "GONE",
    "EMPLOYED",
    "SEARCHING",
    "FLEXIBLE",
    "ORIGIN_DOMESTIC",
    "ORIGIN_OVERSEAS",
    "ORIGIN_GRADUATE",
    "ORIGIN_RESIDENT",
    "ORIGIN_POSTDOC",
    "ORIGIN_STRATEGIC",
    "ORIGIN_ENCLAVE",
    "ORIGIN_OFFSHORE",
    "KEY_STRATEGIC_TEAM",
    "SCIENTIST",
    "RESEARCHER",
    "YOUNG",
    "MANAGER",
    "PROFESSIONAL",
    "TECHNICIAN",
    "STUDENT",
    "FIRM_ORDINARY",
    "FIRM_CHAIN_LEADER",
    "FIRM_INSTITUTE",
    "FIRM_STARTUP",
    "PROPOSED",
    "BUILDING",
    "OPERATING",
    "CLOSED",
    "TEAM_SE",
    "TEAM_SC",
]


class Status(IntEnum):
    """A talent's status: gone, employed or searching in the area, or engaged flexibly."""

    GONE = 0
    EMPLOYED = 1
    SEARCHING = 2
    FLEXIBLE = 3  # engaged remotely or part time: no employer, no housing, not a resident


class Origin(IntEnum):
    """Where a talent came from (the candidate pool or programme)."""

    DOMESTIC = 0  # other Chinese regions
    OVERSEAS = 1
    GRADUATE = 2  # local universities
    RESIDENT = 3  # in the area at the start
    POSTDOC = 4  # postdoc programme placement
    STRATEGIC = 5  # strategic scientist or a member of the team they bring
    ENCLAVE = 6  # flexible, through a science enclave
    OFFSHORE = 7  # flexible, through an offshore incubator


class TalentKind(IntEnum):
    """Kinds of talent the plan names (index of ``schema.TALENT_KINDS``)."""

    SCIENTIST = 0
    RESEARCHER = 1
    YOUNG = 2
    MANAGER = 3
    PROFESSIONAL = 4
    TECHNICIAN = 5
    STUDENT = 6


class Level(IntEnum):
    """Recognised level (index of ``schema.LEVELS``)."""

    GENERAL = 0
    HIGH_END = 1
    HIGH_LEVEL = 2


class FirmKind(IntEnum):
    """Kinds of employer."""

    ORDINARY = 0
    CHAIN_LEADER = 1
    INSTITUTE = 2  # university, institute, new R&D institution, workstation: employs scientists
    STARTUP = 3


class CarrierStatus(IntEnum):
    """A carrier's life cycle."""

    PROPOSED = 0  # waiting for a programme's call or the proposer's decision
    BUILDING = 1
    OPERATING = 2
    CLOSED = 3  # dropped before it was built, or closed


class TeamKind(IntEnum):
    """Kinds of team."""

    SCIENTIST_ENGINEER = 0
    SHUANGCHUANG = 1  # 新双创


GONE, EMPLOYED, SEARCHING, FLEXIBLE = (int(s) for s in Status)
(
    ORIGIN_DOMESTIC,
    ORIGIN_OVERSEAS,
    ORIGIN_GRADUATE,
    ORIGIN_RESIDENT,
    ORIGIN_POSTDOC,
    ORIGIN_STRATEGIC,
    ORIGIN_ENCLAVE,
    ORIGIN_OFFSHORE,
) = (int(o) for o in Origin)
# Key space of the strategic scientists' team members: apart from their leaders' keys (the
# members are stored with origin STRATEGIC).
KEY_STRATEGIC_TEAM = 13
SCIENTIST, RESEARCHER, YOUNG, MANAGER, PROFESSIONAL, TECHNICIAN, STUDENT = (
    int(k) for k in TalentKind
)
FIRM_ORDINARY, FIRM_CHAIN_LEADER, FIRM_INSTITUTE, FIRM_STARTUP = (int(k) for k in FirmKind)
PROPOSED, BUILDING, OPERATING, CLOSED = (int(s) for s in CarrierStatus)
TEAM_SE, TEAM_SC = (int(k) for k in TeamKind)
