"""Budgets (task 24; safeguard 五(二)): what each fund receives, and each lever's budget line.

Reads ``[funds]`` and every lever's ``budget_cny_million_per_year``. In the first simulated month
every fund receives its initial balance; in January (and the first month) each receives its
yearly budget. The talent special fund keeps its money in a reserve and opens the year by giving
every lever that is on its appropriation (``budget_cny_million_per_year``) as a budget line;
what a line has not spent by the next January returns to the reserve. If the reserve cannot
cover all appropriations they are scaled down alike. A lever can spend only from its own line,
unless ``funds.special.reallocation`` is ``"reserve"``: then a lever whose line is exhausted may
draw on the reserve. The investing funds keep their money on their own lines. The capital pool
receives the provincial SOE money once in each calendar year in which the three-pools lever is on
and started.
"""

from __future__ import annotations

from ..core.component import Component
from ..policy import LEVERS_IN_ORDER

__all__ = ["Funding", "INVESTING_FUNDS", "budget_lines"]

INVESTING_FUNDS = ("development", "capital_pool", "venture")
PUBLIC_INVESTING_FUNDS = ("development", "capital_pool")


def budget_lines() -> dict[str, str]:
    """Every budget line and its fund: one per lever (special fund), one per investing fund."""
    return {
        **{spec.name: "special" for spec in LEVERS_IN_ORDER},
        **{name: name for name in INVESTING_FUNDS},
    }


class Funding(Component):
    """Puts the yearly budgets into the funds and opens the levers' lines."""

    def __init__(self, model):
        super().__init__(model)
        self._pool_year = -1  # calendar year of the last capital-pool injection

    def appropriations(self) -> dict[str, float]:
        """This year's appropriation of each lever that is on."""
        pol = self.p.policy
        return {
            spec.name: getattr(pol, spec.name).budget_cny_million_per_year
            for spec in LEVERS_IN_ORDER
            if getattr(pol, spec.name).on
        }

    def receive(self) -> None:
        """Credit this month's budgets; open the year's lines in January."""
        fp, ledger, m = self.p.funds, self.model.ledger, self.month
        january = (self.model.calendar0 + m - 1) % 12 == 0
        if m == 1:
            ledger.receive("special", fp.special.initial_balance_cny_million)
            for name in INVESTING_FUNDS:
                ledger.credit(name, getattr(fp, name).initial_balance_cny_million)
        if january or m == 1:
            ledger.receive("special", fp.special.budget_cny_million_per_year)
            ledger.open_year("special", self.appropriations())
            for name in INVESTING_FUNDS:
                ledger.credit(name, getattr(fp, name).budget_cny_million_per_year)
        year = (self.model.calendar0 + m - 1) // 12
        if self._pool_year != year and self.model.policy.strength("three_pools", paid=False) > 0:
            ledger.credit(
                "capital_pool", self.p.policy.three_pools.capital_pool_cny_million_per_year
            )
            self._pool_year = year
