"""Budgets (task 24; safeguard 五(二)): what each fund receives, and when.

Reads ``[funds]`` and ``policy.three_pools.capital_pool_cny_million_per_year``. In the first
simulated month every fund receives its initial balance; in January (and the first month) each
receives its yearly budget. The talent special fund's money is split over its four accounts by
``funds.special_allocation``. The capital pool receives the provincial SOE money once in each
calendar year in which the three-pools lever is on and started (whether or not its programme
costs are paid).
"""

from __future__ import annotations

import numpy as np

from ..core.component import Component
from ..names import ACCOUNTS

__all__ = ["Funding"]

_SPECIAL = tuple(a for a in ACCOUNTS if a.startswith("special."))
_INVESTING = ("development", "capital_pool", "venture")


class Funding(Component):
    """Puts the yearly budgets into the accounts."""

    def __init__(self, model):
        super().__init__(model)
        self._pool_year = -1  # calendar year of the last capital-pool injection

    def receive(self) -> None:
        """Credit this month's budgets."""
        fp, ledger, m = self.p.funds, self.model.ledger, self.month
        january = (self.model.calendar0 + m - 1) % 12 == 0
        shares = np.array(fp.special_allocation)
        if m == 1:
            for account, amount in zip(
                _SPECIAL, fp.special.initial_balance_cny_million * shares, strict=True
            ):
                ledger.receive(account, amount)
            for name in _INVESTING:
                ledger.receive(name, getattr(fp, name).initial_balance_cny_million)
        if january or m == 1:
            for account, amount in zip(
                _SPECIAL, fp.special.budget_cny_million_per_year * shares, strict=True
            ):
                ledger.receive(account, amount)
            for name in _INVESTING:
                ledger.receive(name, getattr(fp, name).budget_cny_million_per_year)
        year = (self.model.calendar0 + m - 1) // 12
        if self._pool_year != year and self.model.policy.strength("three_pools", paid=False) > 0:
            ledger.receive(
                "capital_pool", self.p.policy.three_pools.capital_pool_cny_million_per_year
            )
            self._pool_year = year
