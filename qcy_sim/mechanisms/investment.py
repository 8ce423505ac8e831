"""Investment (tasks 8, 24): the funds invest in young firms; fault tolerance shares the losses.

Reads ``[funds.development]``, ``[funds.capital_pool]``, ``[funds.venture]`` and
``[policy.fault_tolerance]``. Each month each fund offers an investment of
``investment_cny_million`` to every unfunded ordinary firm or startup younger than
``enterprise.young_firm_months`` with chance ``invest_per_month x (1 + investment_gain x s)``
(``s`` the fault tolerance's strength x intensity), while its balance lasts. A funded firm grows
faster and fails less (:mod:`.enterprises`). When a funded firm fails, fault tolerance's risk
compensation reimburses its investor ``risk_compensation_share`` of the amount invested, paid
from the special fund's programmes account while it lasts.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import FIRM_ORDINARY, FIRM_STARTUP
from ..core.component import Component
from ..core.rng import uniform
from ..names import ACCOUNTS, FUNDS

__all__ = ["Investment", "Investable", "firms_invest"]

Investable = namedtuple("Investable", ("alive", "kind", "born", "funded", "uid"))
_INVESTORS = ("development", "capital_pool", "venture")


@njit(cache=True)
def firms_invest(f, month, skey, chance, amount, balance, young_months):
    """Offer investments to unfunded young firms and startups; return what was spent.

    ``f`` is an :data:`Investable`; offers are paid while ``balance`` lasts.
    """
    spent = 0.0
    if amount <= 0.0:
        return spent
    for i in range(f.alive.shape[0]):
        if not f.alive[i] or f.funded[i] or month - f.born[i] >= young_months:
            continue
        if f.kind[i] != FIRM_ORDINARY and f.kind[i] != FIRM_STARTUP:
            continue
        if uniform(skey, f.uid[i], month) < chance and balance - spent >= amount:
            f.funded[i] = 1
            spent += amount
    return spent


class Investment(Component):
    """The investing funds."""

    properties = {
        "firms": {
            "funded": (np.int8, 0),
            "invested": (np.float64, 0.0),
            "investor": (np.int8, -1),
        }
    }
    spending = {f"{name}_investment": name for name in _INVESTORS}

    def _chance(self, name: str) -> float:
        ft = self.act("fault_tolerance") * self.p.policy.fault_tolerance.intensity
        gain = self.p.policy.fault_tolerance.investment_gain
        return getattr(self.p.funds, name).invest_per_month * (1.0 + gain * ft)

    def invest_chance(self) -> float:
        """Monthly chance that some fund able to invest makes an offer to a given firm."""
        chance = 0.0
        for name in _INVESTORS:
            fp = getattr(self.p.funds, name)
            if self.model.ledger.fund_balance(name) >= fp.investment_cny_million > 0:
                chance += self._chance(name)
        return min(chance, 1.0)

    def compensate(self) -> None:
        """Risk compensation for the investors of the firms that failed this month."""
        if self.act("fault_tolerance") <= 0 or not self.model.enterprises.failures:
            return
        f, ledger = self.model.firms, self.model.ledger
        failed = self.model.enterprises.failed_this_month() & (f.view("investor") >= 0)
        if not failed.any():
            return
        share = self.p.policy.fault_tolerance.risk_compensation_share
        lost = np.bincount(
            f.view("investor")[failed].astype(np.int64),
            weights=f.view("invested")[failed],
            minlength=len(ACCOUNTS),
        )
        for account in np.flatnonzero(lost):  # each investor is reimbursed its share
            paid = ledger.pay("fault_tolerance", float(lost[account]) * share)
            ledger.receive(int(account), paid)

    def step(self) -> None:
        """This month's investments by each fund."""
        m, f, ledger = self.month, self.model.firms, self.model.ledger
        young = self.p.enterprise.young_firm_months
        for name in _INVESTORS:
            fp = getattr(self.p.funds, name)
            category = f"{name}_investment"
            before = f.view("funded").copy()
            firms = f.take(Investable)
            spent = firms_invest(
                firms,
                m,
                self.key("firm.invest") ^ np.uint64(FUNDS.index(name)),
                self._chance(name),
                fp.investment_cny_million,
                ledger.available(category),
                young,
            )
            new = before != f.view("funded")
            f.view("invested")[new] += fp.investment_cny_million
            f.view("investor")[new] = ACCOUNTS.index(name)
            ledger.pay(category, spent)
