"""Talent services (task 25) and the atmosphere of respect for talent (task 27).

Reads ``[policy.services]`` and ``[policy.atmosphere]``. Service spending paid this month, at a
yearly rate ``S``, sets the service level ``S / (S + half_cny_million_per_year)``, which enters
candidates' utility and residents' dissatisfaction. Service specialists are paid per high-level
resident (all or nothing); while paid they remove ``specialist_retention`` from high-level
residents' dissatisfaction. Atmosphere spending at yearly rate ``A`` gives every candidate and
resident the amenity ``strength x utility_at_10m x log(1 + A) / log(1 + 10)``.
"""

from __future__ import annotations

import numpy as np

from ..core.component import Component

__all__ = ["Services"]

# the atmosphere's utility is stated at this yearly spending (million CNY)
_ATMOSPHERE_REFERENCE = 10.0


class Services(Component):
    """The service level, service specialists and the atmosphere."""

    outputs = ("service_level",)

    def __init__(self, model):
        super().__init__(model)
        self.level = 0.0
        self.specialists_paid = False
        self.atmosphere_utility = 0.0

    def pay(self) -> None:
        """This month's services, specialists and atmosphere."""
        pol, ledger = self.p.policy, self.model.ledger
        self.level = 0.0
        self.specialists_paid = False
        if self.act("services") > 0:
            sv = pol.services
            paid = ledger.pay("services", sv.spend_cny_million_per_year / 12) * 12
            self.level = paid / (paid + sv.half_cny_million_per_year)
            high_level = self.model.attraction.high_level_residents
            cost = high_level * sv.specialist_cost_cny_thousand_per_talent_per_year
            self.specialists_paid = ledger.pay_all("service_specialists", cost / 12e3)
        self.atmosphere_utility = 0.0
        if self.act("atmosphere") > 0:
            at = pol.atmosphere
            paid = ledger.pay("atmosphere", at.spend_cny_million_per_year / 12) * 12
            self.atmosphere_utility = (
                self.act("atmosphere")
                * at.utility_at_10m
                * np.log1p(paid)
                / np.log1p(_ATMOSPHERE_REFERENCE)
            )

    def census(self) -> None:
        """Record the service level."""
        self.record("service_level", self.level)
