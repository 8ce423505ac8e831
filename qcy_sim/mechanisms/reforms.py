"""Reform cases (task 2 and the other reform levers; safeguard 五(四)): arising and promoted.

Reads ``[reform]`` and ``[policy.publicity]``. Each month ``Pois(R x case_per_reform_per_year /
12)`` candidate cases arise, ``R`` the number of reform levers acting. A case at least
``maturity_months`` old is promoted nationally or provincially with monthly chance
``promotion_per_month x (1 + strength x publicity.promotion_gain)``. The KPI counts promoted
cases.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.component import Component
from ..core.rng import poisson, uniform
from ..core.store import AgentStore

__all__ = ["Reforms", "cases_promote"]

CASE_PROPERTIES = {"created": (np.int16, 0), "promoted": (np.int16, -1)}
CaseRecord = namedtuple("CaseRecord", tuple(CASE_PROPERTIES))


@njit(cache=True)
def cases_promote(cases, month, maturity, chance, skey):
    """Mature candidate cases are promoted with a monthly chance; return how many."""
    n = 0
    for c in range(cases.created.shape[0]):
        if cases.promoted[c] < 0 and month - cases.created[c] >= maturity:
            if uniform(skey, np.uint64(c), month) < chance:
                cases.promoted[c] = month
                n += 1
    return n


class Reforms(Component):
    """Candidate reform cases and their promotion."""

    def __init__(self, model):
        super().__init__(model)
        self.store = AgentStore("reform_cases", 64, CASE_PROPERTIES, CaseRecord)

    def step(self) -> None:
        """New candidate cases; promotions."""
        rp, m, cs = self.p.reform, self.month, self.store
        lam = self.model.policy.reforms_acting() * rp.case_per_reform_per_year / 12.0
        n_new = poisson(lam, self.key("reform.case"), 0, m)
        cs.reserve(n_new)
        start, end = cs.add(n_new)
        cs.view("created")[start:end] = m
        chance = rp.promotion_per_month * (
            1.0 + self.act("publicity") * self.p.policy.publicity.promotion_gain
        )
        cases_promote(
            cs.live(), m, rp.maturity_months, min(chance, 1.0), self.key("reform.promote")
        )

    def promoted(self) -> int:
        """Cases promoted so far."""
        return int(np.count_nonzero(self.store.view("promoted") >= 1))
