"""Reform cases (task 2 and the other reform levers; safeguard 五(四)): earned, then promoted.

Reads ``[reform]``, the ``case_bar`` of every reform lever and ``[policy.publicity]``. While a
reform lever acts, the mechanism it drives reports its measured outcome (:data:`OUTCOMES`: the
evaluation reform's recognitions of talents without titles, the brokers' deals, the
tech-transfer spin-offs, ...). Each time a reform's outcome since the start passes another
multiple of its ``case_bar`` it yields a candidate case, up to ``max_cases_per_reform``. A case at
least ``maturity_months`` old is promoted nationally or provincially with monthly chance
``promotion_per_month x (1 + strength x publicity.promotion_gain)``. The KPI counts promoted
cases.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.component import Component
from ..core.rng import uniform
from ..core.store import AgentStore
from ..policy import LEVERS_IN_ORDER

__all__ = ["Reforms", "cases_promote", "OUTCOMES"]

CASE_PROPERTIES = {
    "created": (np.int16, 0),
    "promoted": (np.int16, -1),
    "reform": (np.int8, -1),
}
CaseRecord = namedtuple("CaseRecord", tuple(CASE_PROPERTIES))
# reform lever -> the outcome its mechanism reports
OUTCOMES = {
    "evaluation_reform": "talents without titles recognised",
    "three_pools": "capital-pool investments made",
    "lab_sharing": "projects commissioned by chain leaders",
    "tech_transfer": "spin-offs founded",
    "brokers": "technology transfers brokered",
    "enclaves": "flexible talents engaged through enclaves",
    "fault_tolerance": "failed funded firms compensated",
    "talent_market": "searchers placed in jobs",
    "young_talent": "postdocs placed",
}
REFORMS = tuple(spec.name for spec in LEVERS_IN_ORDER if spec.reform)


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
    """Candidate reform cases, earned by the reforms' outcomes, and their promotion."""

    outputs = ("reform_candidates",)

    def __init__(self, model):
        super().__init__(model)
        self.store = AgentStore("reform_cases", 64, CASE_PROPERTIES, CaseRecord)
        self.outcomes = dict.fromkeys(REFORMS, 0.0)  # measured since the start

    def outcome(self, reform: str, amount: float) -> None:
        """A mechanism reports ``amount`` more of a reform's outcome this month."""
        self.outcomes[reform] += amount

    def step(self) -> None:
        """New candidate cases from the outcomes so far; promotions."""
        rp, m, cs, pol = self.p.reform, self.month, self.store, self.p.policy
        made = np.bincount(cs.view("reform").astype(np.int64) + 1, minlength=len(REFORMS) + 1)[1:]
        for r, name in enumerate(REFORMS):
            bar = getattr(pol, name).case_bar
            due = int(self.outcomes[name] // bar) if bar > 0 else 0
            new = max(0, min(due, rp.max_cases_per_reform) - int(made[r]))
            if new:
                cs.reserve(new)
                start, end = cs.add(new)
                cs.view("created")[start:end] = m
                cs.view("reform")[start:end] = r
        self.record("reform_candidates", cs.count)
        chance = rp.promotion_per_month * (
            1.0 + self.act("publicity") * self.p.policy.publicity.promotion_gain
        )
        cases_promote(
            cs.live(), m, rp.maturity_months, min(chance, 1.0), self.key("reform.promote")
        )

    def promoted(self) -> int:
        """Cases promoted so far."""
        return int(np.count_nonzero(self.store.view("promoted") >= 1))
