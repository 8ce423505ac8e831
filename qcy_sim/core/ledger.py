"""The money: accounts with balances, spending categories booked to them, and payment rules.

Every payment names a spending category; the category's account pays. What an account cannot
pay does not happen: :meth:`Ledger.pay` pays what the balance allows and
:meth:`Ledger.pay_all` pays all or nothing. Every amount paid is recorded by category and month
(``spending``), every amount received by month (``received``), so that at any time

    initial balances + received = spent + balances

(:meth:`Ledger.check` asserts it). Amounts are million CNY.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Ledger"]

_EPS = 1e-12


class Ledger:
    """Accounts, categories and the monthly record of what was paid.

    Args:
        accounts: Account names; a dotted name ``"fund.account"`` belongs to fund ``fund``.
        categories: Spending category -> account that pays it.
        months: Number of months recorded (the horizon + 1; row 0 is the initial state).
    """

    def __init__(self, accounts: tuple[str, ...], categories: dict[str, str], months: int):
        unknown = sorted({a for a in categories.values()} - set(accounts))
        if unknown:
            raise ValueError(f"categories booked to unknown accounts: {unknown}")
        self.accounts = tuple(accounts)
        self.categories = tuple(categories)
        self.balance = np.zeros(len(accounts))
        self.spending = np.zeros((months, len(categories)))
        self.received = np.zeros(months)
        self.month = 0
        self._account_of = np.array([self.accounts.index(a) for a in categories.values()])
        self._column = {c: j for j, c in enumerate(categories)}

    def account(self, name: str) -> int:
        """Index of an account."""
        return self.accounts.index(name)

    def account_of(self, category: str) -> int:
        """Index of the account that pays ``category``."""
        return int(self._account_of[self._column[category]])

    def receive(self, account: str | int, amount: float) -> None:
        """Credit ``amount`` to an account (a budget, a reimbursement)."""
        a = account if isinstance(account, int | np.integer) else self.account(account)
        self.balance[a] += amount
        self.received[self.month] += amount

    def available(self, category: str) -> float:
        """What ``category`` could pay now."""
        return float(self.balance[self.account_of(category)])

    def pay(self, category: str, amount: float) -> float:
        """Pay up to ``amount`` for ``category``; return what was paid."""
        a = self.account_of(category)
        paid = max(0.0, min(amount, self.balance[a]))
        self.balance[a] -= paid
        self.spending[self.month, self._column[category]] += paid
        return paid

    def pay_all(self, category: str, amount: float) -> bool:
        """Pay ``amount`` in full if the account can; return whether it was paid."""
        if amount > self.balance[self.account_of(category)] + _EPS:
            return False
        self.pay(category, amount)
        return True

    def fund_balance(self, fund: str) -> float:
        """Balance of all accounts of one fund."""
        return float(
            sum(self.balance[i] for i, a in enumerate(self.accounts) if a.split(".")[0] == fund)
        )

    def spent(self, category: str) -> float:
        """Total paid for ``category`` so far."""
        return float(self.spending[: self.month + 1, self._column[category]].sum())

    def check(self, initial: float = 0.0, tol: float = 1e-6) -> None:
        """Assert the ledger identity and that no balance is negative."""
        assert (self.balance >= -tol).all(), f"negative balance: {self.balance}"
        rows = slice(0, self.month + 1)
        inflow = initial + float(self.received[rows].sum())
        outflow = float(self.spending[rows].sum()) + float(self.balance.sum())
        assert abs(inflow - outflow) <= tol * max(1.0, inflow), (inflow, outflow)
