"""How strongly each lever acts in a month, and the running costs of fixed-cost programmes.

Leadership (task 1) sets the execution strength ``e`` (``policy.leadership.execution``, 0 when
the lever is off or unpaid). A lever that is on acts from ``start_month`` plus
``round(governance.delay_months x (1 - e))`` months, at strength ``0.5 + 0.5 e``; leadership
itself acts at 1 from its start month. A fixed-cost programme (a lever whose registry entry has
``fixed_cost``) acts in a month only if its running cost for that month is paid in full.
"""

from __future__ import annotations

from ..core.component import Component
from . import LEVERS, LEVERS_IN_ORDER

__all__ = ["Governance"]


class Governance(Component):
    """The administration: lever strengths and the programmes it runs."""

    def __init__(self, model):
        super().__init__(model)
        self._running: dict[str, bool] = {}
        self._cache: dict[str, float] = {}
        self._costs: tuple = (None, ())  # (the parameters they were computed for, the costs)

    def begin_month(self) -> None:
        """Forget last month's payments and strengths."""
        self._running = {}
        self._cache = {}

    def running(self, name: str) -> bool:
        """Whether a programme was paid this month (levers without running cost always are)."""
        return self._running.get(name, True)

    def execution(self) -> float:
        """Leadership's execution strength this month."""
        lead = self.p.policy.leadership
        active = lead.on and self.month >= lead.start_month and self.running("leadership")
        return lead.execution if active else 0.0

    def strength(self, name: str, paid: bool = True) -> float:
        """How strongly lever ``name`` acts (``paid=False``: whether or not it is paid)."""
        lever = getattr(self.p.policy, name)
        if not lever.on or (paid and not self.running(name)):
            return 0.0
        if name == "leadership":
            return 1.0 if self.month >= lever.start_month else 0.0
        execution = self.execution()
        delay = int(round(self.p.governance.delay_months * (1.0 - execution)))
        if self.month < lever.start_month + delay:
            return 0.0
        return 0.5 + 0.5 * execution

    def act(self, name: str) -> float:
        """:meth:`strength` of a paid lever, computed once a month."""
        cached = self._cache.get(name)
        if cached is None:
            cached = self._cache[name] = self.strength(name)
        return cached

    def pay_programmes(self) -> None:
        """Pay this month's running cost of every acting fixed-cost programme, in table order.

        A programme its account cannot pay in full stands still this month.
        """
        ledger = self.model.ledger
        for name, category, cost in self._monthly_costs():
            if self.strength(name, paid=False) > 0:
                self._running[name] = ledger.pay_all(category, cost)
        self._cache = {}  # strengths change with what could be paid

    def _monthly_costs(self) -> tuple:
        """``(lever, spending category, monthly running cost)`` of every fixed-cost programme."""
        params, costs = self._costs
        if params is not self.p:  # a fork may run under other levers
            policy = self.p.policy
            costs = tuple(
                (
                    spec.name,
                    spec.spending_category,
                    spec.yearly_cost(getattr(policy, spec.name)) / 12,
                )
                for spec in LEVERS_IN_ORDER
                if spec.fixed_cost
            )
            self._costs = (self.p, costs)
        return costs

    def reforms_acting(self) -> int:
        """Number of reform levers acting this month."""
        return sum(1 for spec in LEVERS.values() if spec.reform and self.act(spec.name) > 0)
