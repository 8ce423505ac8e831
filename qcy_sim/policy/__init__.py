"""Policy: the lever registry, the plan's tasks, and how strongly each lever acts each month.

* :mod:`.registry` — :class:`LeverSpec` and :data:`LEVERS`, filled by the ``@lever``
  declarations of :mod:`.talent_levers` and :mod:`.innovation_levers`;
* :mod:`.tasks` — the plan's 27 tasks and the safeguards, mapped to levers and tables;
* :mod:`.governance` — the component that decides, month by month, how strongly each lever acts
  and pays the running costs of fixed-cost programmes.
"""

from dataclasses import dataclass, field, fields
from typing import Any

from .innovation_levers import (
    AlumniLever,
    BrokersLever,
    ChainAlliancesLever,
    FaultToleranceLever,
    LabSharingLever,
    LeadershipLever,
    PublicityLever,
    SoeInnovationLever,
    TechTransferLever,
    ThreePoolsLever,
    TransformationLever,
    UniversityIndustryLever,
    YouthCommunityLever,
)
from .registry import LEVERS, Lever, LeverSpec, lever
from .talent_levers import (
    AtmosphereLever,
    AwardsLever,
    ChainTalentLever,
    EnclavesLever,
    EvaluationLever,
    HousingLever,
    ManagersLever,
    OffshoreLever,
    OverseasStationsLever,
    ServicesLever,
    SkilledTalentLever,
    StrategicScientistsLever,
    TalentMarketLever,
    TalentPortLever,
    TrainingLever,
    YoungTalentLever,
)

__all__ = ["LEVERS", "LEVERS_IN_ORDER", "LeverSpec", "Lever", "lever", "PolicyParams"]


def _lever(cls: type, **kw: Any) -> Any:
    return field(default_factory=lambda: cls(**kw), metadata={"section": True, "doc": ""})


@dataclass(frozen=True)
class PolicyParams:
    """The plan's policy levers. Every lever has ``on`` and ``start_month``."""

    leadership: LeadershipLever = _lever(LeadershipLever)
    awards: AwardsLever = _lever(AwardsLever)
    evaluation_reform: EvaluationLever = _lever(EvaluationLever)
    three_pools: ThreePoolsLever = _lever(ThreePoolsLever)
    lab_sharing: LabSharingLever = _lever(LabSharingLever)
    tech_transfer: TechTransferLever = _lever(TechTransferLever)
    brokers: BrokersLever = _lever(BrokersLever)
    overseas_stations: OverseasStationsLever = _lever(OverseasStationsLever)
    enclaves: EnclavesLever = _lever(EnclavesLever)
    fault_tolerance: FaultToleranceLever = _lever(FaultToleranceLever)
    strategic_scientists: StrategicScientistsLever = _lever(StrategicScientistsLever)
    transformation: TransformationLever = _lever(TransformationLever)
    chain_alliances: ChainAlliancesLever = _lever(ChainAlliancesLever)
    soe_innovation: SoeInnovationLever = _lever(SoeInnovationLever)
    offshore: OffshoreLever = _lever(OffshoreLever)
    youth_community: YouthCommunityLever = _lever(YouthCommunityLever)
    alumni: AlumniLever = _lever(AlumniLever)
    university_industry: UniversityIndustryLever = _lever(UniversityIndustryLever)
    young_talent: YoungTalentLever = _lever(YoungTalentLever)
    managers: ManagersLever = _lever(ManagersLever)
    skilled_talent: SkilledTalentLever = _lever(SkilledTalentLever)
    chain_talent: ChainTalentLever = _lever(ChainTalentLever)
    talent_market: TalentMarketLever = _lever(TalentMarketLever)
    talent_port: TalentPortLever = _lever(TalentPortLever)
    services: ServicesLever = _lever(ServicesLever)
    housing: HousingLever = _lever(HousingLever)
    training: TrainingLever = _lever(TrainingLever)
    atmosphere: AtmosphereLever = _lever(AtmosphereLever)
    publicity: PublicityLever = _lever(PublicityLever)


# The registry in the order of the [policy] tables: the order in which fixed-cost programmes are
# paid each month, and of every listing.
LEVERS_IN_ORDER: tuple[LeverSpec, ...] = tuple(LEVERS[f.name] for f in fields(PolicyParams))
assert len(LEVERS_IN_ORDER) == len(LEVERS), "every registered lever is a [policy] table"
