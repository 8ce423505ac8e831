"""Competing destinations: other cities that offer talents pay, subsidies, housing and amenity.

Reads ``[competitors]``. Each competitor (Chengdu, Wuhan and Hangzhou by default: the cities that
Xi'an's candidates most often weigh it against) makes every candidate an offer: pay
``pay_ratio x level_mult[level]`` relative to the area's general pay, a one-time subsidy by
level, a chance of subsidised housing and an amenity. Candidates choose among the area, the
competitors and staying where they are (:mod:`.attraction`). Every ``review_months`` (from month
``reference_months + review_months``) each competitor compares its share of the candidates who
chose a destination over the last ``review_months`` with its share in the first
``reference_months`` and scales its subsidies by ``1 + reaction x (reference - recent) /
reference``, within ``[1 / scale_max, scale_max]`` of its starting offer; ``reaction = 0`` keeps
offers fixed. A competitor's scripted move (``move_month``) multiplies its subsidies and pay from
that month on.
"""

from __future__ import annotations

import numpy as np

from ..core.component import Component
from ..schema import COMPETITORS
from .attraction import Rivals

__all__ = ["Competitors"]


class Competitors(Component):
    """The competing destinations and how their offers react."""

    outputs = tuple(f"chose_{name}" for name in COMPETITORS)

    def __init__(self, model):
        super().__init__(model)
        cp = self.p.competitors
        self._rivals = [getattr(cp, name) for name in COMPETITORS]
        self.scale = np.ones(len(COMPETITORS))  # subsidies relative to the starting offers
        self._moves = [model.month_of(r.move_month) if r.move_month else None for r in self._rivals]
        self._chosen: list[np.ndarray] = []  # per month: choices of the area, then each rival

    def _moved(self, r: int) -> bool:
        return self._moves[r] is not None and self.month >= self._moves[r]

    def offers(self) -> Rivals:
        """This month's offers, as the location-choice kernel takes them."""
        tp = self.p.talent
        n = len(self._rivals)
        pay = np.empty(n)
        subsidy = np.empty((n, 3))
        utility = np.empty(n)
        for r, rival in enumerate(self._rivals):
            moved = self._moved(r)
            pay[r] = rival.pay_ratio * (rival.move_pay_multiplier if moved else 1.0)
            scale = self.scale[r] * (rival.move_subsidy_multiplier if moved else 1.0)
            subsidy[r] = np.array(rival.subsidy_by_level_cny_thousand) * scale
            utility[r] = rival.amenity + tp.beta_housing * rival.housing
        return Rivals(pay, subsidy, utility)

    def chosen(self, by_rival: np.ndarray) -> None:
        """Record this month's choices of the competitors; review offers when it is time."""
        area = self.model.series[self.month, self.model.series_column("chose_area")]
        self._chosen.append(np.concatenate([[area], by_rival]).astype(np.float64))
        for name, n in zip(COMPETITORS, by_rival, strict=True):
            self.record(f"chose_{name}", int(n))
        cp = self.p.competitors
        since = self.month - cp.reference_months
        if cp.reaction and since > 0 and since % cp.review_months == 0:
            self._review()

    def _review(self) -> None:
        cp = self.p.competitors
        history = np.array(self._chosen)
        reference = history[: cp.reference_months].sum(axis=0)
        recent = history[-cp.review_months :].sum(axis=0)
        if reference.sum() <= 0 or recent.sum() <= 0:
            return
        ref_share = reference[1:] / reference.sum()
        share = recent[1:] / recent.sum()
        change = np.where(ref_share > 0, (ref_share - share) / np.maximum(ref_share, 1e-12), 0.0)
        self.scale = np.clip(
            self.scale * (1.0 + cp.reaction * change), 1.0 / cp.scale_max, cp.scale_max
        )
