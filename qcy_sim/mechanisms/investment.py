"""Investment (tasks 8, 24): the funds take stakes in young firms; the stakes are assets.

Reads ``[funds.development]``, ``[funds.capital_pool]``, ``[funds.venture]`` and
``[policy.fault_tolerance]``. Each month each fund offers an investment of
``investment_cny_million`` to every unfunded ordinary firm or startup younger than
``enterprise.young_firm_months`` with chance ``invest_per_month x (1 + investment_gain x s)``
(``s`` the fault tolerance's strength x intensity), while its line lasts. A funded firm grows
faster and fails less (:mod:`.enterprises`). A stake is booked at cost; it is written off when
its firm fails, and after ``holding_months`` it is sold for its cost times the growth of the
firm's output since the investment (at most ``max_multiple``), the proceeds returning to the
fund. When a funded firm fails, fault tolerance's risk compensation pays its investor
``risk_compensation_share`` of the stake from the fault-tolerance line; a public investor
receives it as a transfer within the public purse. The funds' book value, write-offs, proceeds
and compensation are recorded so that the public cost can be stated net of what is recovered.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import FIRM_ORDINARY, FIRM_STARTUP
from ..core.component import Component
from ..core.rng import uniform
from .funding import INVESTING_FUNDS, PUBLIC_INVESTING_FUNDS

__all__ = ["Investment", "Investable", "firms_invest"]

Investable = namedtuple("Investable", ("alive", "kind", "born", "funded", "uid"))
# the seeds of the funds' draws, as before the funds had lines of their own
_FUND_SALT = {"development": 1, "capital_pool": 2, "venture": 3}


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
    """The investing funds and their portfolios."""

    properties = {
        "firms": {
            "funded": (np.int8, 0),
            "invested": (np.float64, 0.0),
            "investor": (np.int8, -1),
            "invested_month": (np.int16, -1),
            "invested_output": (np.float64, 0.0),
        }
    }
    spending = {f"{name}_investment": name for name in INVESTING_FUNDS}
    outputs = (
        "public_book_value",
        "public_written_off",
        "public_proceeds",
        "public_compensation",
    )

    def _chance(self, name: str) -> float:
        ft = self.act("fault_tolerance") * self.p.policy.fault_tolerance.intensity
        gain = self.p.policy.fault_tolerance.investment_gain
        return getattr(self.p.funds, name).invest_per_month * (1.0 + gain * ft)

    def invest_chance(self) -> float:
        """Monthly chance that some fund able to invest makes an offer to a given firm."""
        chance = 0.0
        for name in INVESTING_FUNDS:
            fp = getattr(self.p.funds, name)
            if self.model.ledger.fund_balance(name) >= fp.investment_cny_million > 0:
                chance += self._chance(name)
        return min(chance, 1.0)

    def _public(self) -> np.ndarray:
        """Mask of live stakes held by public funds."""
        investor = self.model.firms.view("investor")
        public = np.zeros(len(INVESTING_FUNDS) + 1, dtype=np.bool_)  # the last entry: no stake
        public[[INVESTING_FUNDS.index(n) for n in PUBLIC_INVESTING_FUNDS]] = True
        return public[investor]  # an investor of -1 (no stake) reads the last entry

    def compensate(self) -> None:
        """Write off the stakes in this month's failed firms; compensate their investors."""
        if not self.model.enterprises.failures:
            return
        f, ledger = self.model.firms, self.model.ledger
        failed = self.model.enterprises.failed_this_month() & (f.view("investor") >= 0)
        if not failed.any():
            return
        public = self._public()
        self.model.add("public_written_off", float(f.view("invested")[failed & public].sum()))
        if self.act("fault_tolerance") > 0:
            share = self.p.policy.fault_tolerance.risk_compensation_share
            lost = np.bincount(
                f.view("investor")[failed].astype(np.int64),
                weights=f.view("invested")[failed],
                minlength=len(INVESTING_FUNDS),
            )
            for fund in np.flatnonzero(lost):  # each investor is reimbursed its share
                name = INVESTING_FUNDS[fund]
                paid = ledger.transfer("fault_tolerance", name, float(lost[fund]) * share)
                if name in PUBLIC_INVESTING_FUNDS:
                    self.model.add("public_compensation", paid)
            self.model.reforms.outcome("fault_tolerance", int(failed.sum()))
        f.view("investor")[failed] = -1  # the stake is gone
        f.view("invested")[failed] = 0.0

    def step(self) -> None:
        """Exits of stakes held long enough; this month's investments by each fund."""
        m, f, ledger = self.month, self.model.firms, self.model.ledger
        self._exits()
        young = self.p.enterprise.young_firm_months
        for name in INVESTING_FUNDS:
            fp = getattr(self.p.funds, name)
            category = f"{name}_investment"
            before = f.view("funded").copy()
            spent = firms_invest(
                f.take(Investable),
                m,
                self.key("firm.invest") ^ np.uint64(_FUND_SALT[name]),
                self._chance(name),
                fp.investment_cny_million,
                ledger.available(category),
                young,
            )
            new = before != f.view("funded")
            f.view("invested")[new] += fp.investment_cny_million
            f.view("investor")[new] = INVESTING_FUNDS.index(name)
            f.view("invested_month")[new] = m
            f.view("invested_output")[new] = f.view("output")[new]
            ledger.pay(category, spent)
            if name == "capital_pool" and self.act("three_pools") > 0:
                self.model.reforms.outcome("three_pools", int(new.sum()))
        public = self._public()
        self.record("public_book_value", float(f.view("invested")[public].sum()))

    def _exits(self) -> None:
        f, ledger = self.model.firms, self.model.ledger
        held = f.view("investor") >= 0
        for fund, name in enumerate(INVESTING_FUNDS):
            fp = getattr(self.p.funds, name)
            due = held & (f.view("investor") == fund)
            due &= self.month - f.view("invested_month") >= fp.holding_months
            if not due.any():
                continue
            growth = f.view("output")[due] / np.maximum(f.view("invested_output")[due], 1e-9)
            proceeds = float((f.view("invested")[due] * np.minimum(growth, fp.max_multiple)).sum())
            ledger.credit(name, proceeds)
            if name in PUBLIC_INVESTING_FUNDS:
                self.model.add("public_proceeds", proceeds)
            f.view("investor")[due] = -1
            f.view("invested")[due] = 0.0
