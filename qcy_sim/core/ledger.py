"""The money: funds, the budget line of each lever, and what every payment is booked to.

Each fund holds a *reserve*. A budget *line* belongs to one fund and is what one spender may
spend: every lever has its own line in the talent special fund, and each investing fund spends
from a line of its own. Every payment names a spending *category*, and the category's line pays:
:meth:`Ledger.pay` pays what the line allows and :meth:`Ledger.pay_all` pays all or nothing. What
a line cannot pay does not happen; no line pays another's category.

When a year opens (:meth:`Ledger.open_year`), what is left on the lines of a fund's levers returns
to the fund's reserve, and each line receives its appropriation from the reserve (scaled down in
proportion if the reserve cannot cover them all). A line is never topped up from the reserve during
the year unless the fund's rule allows it (:meth:`Ledger.draw_reserve`).

Every amount paid is recorded by category and month (``spending``) and every amount put into the
funds by month (``received``), so that at any time

    received = spent + reserves + line balances

(:meth:`Ledger.check` asserts it). Amounts are million CNY.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Ledger"]

_EPS = 1e-12


class Ledger:
    """Funds, budget lines, spending categories and the monthly record of what was paid.

    Args:
        lines: Budget line -> the fund it belongs to.
        categories: Spending category -> the line that pays it.
        months: Number of months recorded (the horizon + 1; row 0 is the initial state).
        yearly: Lines whose unspent balance returns to their fund's reserve when a year opens
            (the levers' appropriations); other lines keep their balance (investing funds).
        reallocate: Funds whose lines may draw on the fund's reserve when they run short.
    """

    def __init__(
        self,
        lines: dict[str, str],
        categories: dict[str, str],
        months: int,
        yearly: tuple[str, ...] = (),
        reallocate: tuple[str, ...] = (),
    ):
        unknown = sorted(set(categories.values()) - set(lines))
        if unknown:
            raise ValueError(f"categories booked to unknown lines: {unknown}")
        self.funds = tuple(dict.fromkeys(lines.values()))
        self.lines = tuple(lines)
        self.categories = tuple(categories)
        self.fund_of = dict(lines)
        self.reserve = dict.fromkeys(self.funds, 0.0)
        self.balance = np.zeros(len(self.lines))
        self.spending = np.zeros((months, len(self.categories)))
        self.received = np.zeros(months)
        self.returned = np.zeros(months)  # unspent appropriations returned to the reserves
        self.month = 0
        self._line = {name: i for i, name in enumerate(self.lines)}
        self._column = {c: j for j, c in enumerate(self.categories)}
        self._line_of = {c: self._line[line] for c, line in categories.items()}
        self._yearly = tuple(self._line[name] for name in yearly)
        self._reallocate = frozenset(reallocate)
        self._lines_of_fund = {
            fund: tuple(i for i, name in enumerate(self.lines) if self.fund_of[name] == fund)
            for fund in self.funds
        }

    def line_of(self, category: str) -> int:
        """Index of the line that pays ``category``."""
        return self._line_of[category]

    def receive(self, fund: str, amount: float) -> None:
        """Put ``amount`` into a fund's reserve (a budget, an SOE injection)."""
        self.reserve[fund] += amount
        self.received[self.month] += amount

    def credit(self, line: str, amount: float) -> None:
        """Put ``amount`` from outside straight onto a line (an investing fund's budget)."""
        self.balance[self._line[line]] += amount
        self.received[self.month] += amount

    def transfer(self, category: str, line: str, amount: float) -> float:
        """Pay up to ``amount`` for ``category`` onto another line; return what was paid.

        The payment is spending of ``category`` (its line's), and the other line's money.
        """
        paid = self.pay(category, amount)
        self.balance[self._line[line]] += paid
        self.received[self.month] += paid
        return paid

    def open_year(self, fund: str, appropriations: dict[str, float]) -> None:
        """Return last year's unspent appropriations of ``fund`` and hand out this year's.

        Lines are given their appropriation from the fund's reserve, all scaled by the same
        factor if the reserve cannot cover the sum.
        """
        for i in self._yearly:
            if self.fund_of[self.lines[i]] == fund and self.balance[i] > 0:
                self.reserve[fund] += self.balance[i]
                self.returned[self.month] += self.balance[i]
                self.balance[i] = 0.0
        wanted = sum(appropriations.values())
        scale = min(1.0, self.reserve[fund] / wanted) if wanted > 0 else 0.0
        for line, amount in appropriations.items():
            given = amount * scale
            self.balance[self._line[line]] += given
            self.reserve[fund] -= given

    def _draw(self, i: int, amount: float) -> None:
        """Under reallocation, top line ``i`` up from its fund's reserve to cover ``amount``."""
        fund = self.fund_of[self.lines[i]]
        if fund in self._reallocate and amount > self.balance[i]:
            moved = max(0.0, min(amount - self.balance[i], self.reserve[fund]))
            self.reserve[fund] -= moved
            self.balance[i] += moved

    def available(self, category: str) -> float:
        """What ``category`` could pay now."""
        i = self.line_of(category)
        fund = self.fund_of[self.lines[i]]
        extra = self.reserve[fund] if fund in self._reallocate else 0.0
        return float(self.balance[i] + extra)

    def uncommitted(self, category: str, owed: np.ndarray) -> float:
        """What ``category`` could pay now and still leave every line what it owes.

        ``owed[i]`` is what line ``i`` is committed to pay later. Under reallocation the fund's
        reserve counts only after it covers the other lines' shortfalls, so that two lines
        never count the same reserve.
        """
        i = self.line_of(category)
        own = float(self.balance[i] - owed[i])
        fund = self.fund_of[self.lines[i]]
        if fund not in self._reallocate:
            return own
        return own + max(0.0, self.reserve[fund] - self._shortfall(fund, owed, but=i))

    def free_reserve(self, fund: str, owed: np.ndarray) -> float:
        """The reserve of ``fund`` that its lines may share once each line holds what it owes.

        ``owed`` as for :meth:`uncommitted`; 0 unless the fund reallocates.
        """
        if fund not in self._reallocate:
            return 0.0
        return max(0.0, self.reserve[fund] - self._shortfall(fund, owed))

    def _shortfall(self, fund: str, owed: np.ndarray, but: int = -1) -> float:
        """What the lines of ``fund`` (but line ``but``) hold less than they owe."""
        return sum(
            max(0.0, owed[j] - self.balance[j]) for j in self._lines_of_fund[fund] if j != but
        )

    def pay(self, category: str, amount: float) -> float:
        """Pay up to ``amount`` for ``category``; return what was paid."""
        i = self._line_of[category]
        if self._reallocate:
            self._draw(i, amount)
        paid = max(0.0, min(amount, self.balance[i]))
        self.balance[i] -= paid
        self.spending[self.month, self._column[category]] += paid
        return paid

    def pay_all(self, category: str, amount: float) -> bool:
        """Pay ``amount`` in full if the line can; return whether it was paid."""
        if amount > self.available(category) + _EPS:
            return False
        self.pay(category, amount)
        return True

    def fund_balance(self, fund: str) -> float:
        """A fund's reserve plus the balances of its lines."""
        lines = sum(self.balance[i] for i in self._lines_of_fund[fund])
        return float(self.reserve[fund] + lines)

    def spent(self, category: str) -> float:
        """Total paid for ``category`` so far."""
        return float(self.spending[: self.month + 1, self._column[category]].sum())

    def check(self, tol: float = 1e-6) -> None:
        """Assert the ledger identity and that no balance or reserve is negative."""
        assert (self.balance >= -tol).all(), f"negative line balance: {self.balance}"
        assert min(self.reserve.values()) >= -tol, f"negative reserve: {self.reserve}"
        rows = slice(0, self.month + 1)
        inflow = float(self.received[rows].sum())
        outflow = float(self.spending[rows].sum()) + float(self.balance.sum())
        outflow += sum(self.reserve.values())
        assert abs(inflow - outflow) <= tol * max(1.0, inflow), (inflow, outflow)
