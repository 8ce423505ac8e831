"""Competing destinations: ``[competitors]`` and one table per competitor."""

from dataclasses import dataclass, field
from typing import Any

from ..core.params import par

__all__ = ["Competitor", "CompetitorSet", "COMPETITORS"]

COMPETITORS = ("chengdu", "wuhan", "hangzhou")


@dataclass(frozen=True)
class Competitor:
    """One city's offer to the area's candidates."""

    pay_ratio: float = par(
        1.12, "1", "Pay offered, relative to the area's pay for the same level.", 0.1, 10
    )
    subsidy_by_level_cny_thousand: tuple = par(
        (20.0, 100.0, 400.0),
        "thousand CNY",
        "One-time subsidy or award to an arriving general, high-end and high-level talent.",
        0,
        1e5,
        length=3,
    )
    housing: float = par(
        0.3, "1", "Chance of subsidised talent housing (weighed by talent.beta_housing).", 0, 1
    )
    amenity: float = par(
        -2.5,
        "utils",
        "The city's attractiveness over staying where one is, before pay, subsidies and housing.",
        -20,
        20,
        plausible=(-3.0, -2.0),
    )
    move_month: str = par(
        "",
        "YYYY-MM",
        "A scripted move: from this month ('' for none) the city multiplies its offer.",
        choices=("",),
    )
    move_subsidy_multiplier: float = par(1.0, "1", "Subsidies x this from move_month.", 0, 100)
    move_pay_multiplier: float = par(1.0, "1", "Pay x this from move_month.", 0, 10)


def _competitor(**kw: Any) -> Any:
    return field(default_factory=lambda: Competitor(**kw), metadata={"section": True, "doc": ""})


@dataclass(frozen=True)
class CompetitorSet:
    """The cities that compete with the area for the same candidates, and how they react."""

    reaction: float = par(
        0.3,
        "1",
        "How strongly a competitor scales its subsidies to regain its share of candidates: x "
        "(1 + reaction x relative loss of share) at each review; 0 keeps offers fixed. Chinese "
        "cities answered each other's talent offers within a year or two after 2017 (Wuhan, "
        "Xi'an, Chengdu, Hangzhou); a full answer to a lost share (1) is the upper end.",
        0,
        5,
        plausible=(0.0, 0.6),
    )
    review_months: int = par(6, "months", "How often competitors review their offers.", 1, 120)
    reference_months: int = par(
        3, "months", "Competitors' reference shares are those of the first months.", 1, 120
    )
    scale_max: float = par(
        3.0, "1", "Competitors' subsidies stay within [1 / this, this] of their start.", 1, 100
    )
    chengdu: Competitor = _competitor(pay_ratio=1.10, amenity=-2.3)
    wuhan: Competitor = _competitor(pay_ratio=1.05, amenity=-2.6)
    hangzhou: Competitor = _competitor(
        pay_ratio=1.25, amenity=-2.9, subsidy_by_level_cny_thousand=(30.0, 150.0, 800.0)
    )
