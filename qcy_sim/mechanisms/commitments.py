"""What a carrier programme's budget line owes until December (tasks 10, 12, 14).

A programme commits only money it has (预算法, art. 13): before a call recognises a proposal, and
before the January evaluation recognises an operating carrier, the line's balance is reduced by
what it already owes for the rest of the year (:func:`committed`). The programme's own running
cost for the months after this one (:func:`running_owed`) is also kept back from the grants and
support it pays, so that it can act until December. See docs/ODD.md §7.10.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core.codes import BUILDING
from ..names import CARRIER_KINDS
from ..policy import LEVERS

__all__ = ["running_owed", "committed"]


def running_owed(model, levers: Iterable[str]) -> np.ndarray:
    """The running costs of the named programmes for the months after this one, by line index.

    Only fixed-cost programmes that are on and started (acting this month or not) owe them.
    """
    ledger, policy = model.ledger, model.policy
    owed = np.zeros(len(ledger.lines))
    after = 12 - model.policy.calendar_month
    for lever in dict.fromkeys(levers):
        spec = LEVERS[lever]
        if spec.fixed_cost and policy.strength(lever, paid=False) > 0:
            yearly = spec.yearly_cost(getattr(model.p.policy, lever))
            owed[ledger.line_of(spec.spending_category)] += yearly / 12 * after
    return owed


def committed(
    carriers, grants_this_month: bool = True, competitions_this_month: bool = True
) -> np.ndarray:
    """What each budget line owes from now to December, by line index (million CNY).

    ``carriers`` is the model's :class:`~qcy_sim.mechanisms.carriers.Carriers`. The line owes:

    * the running costs of the programmes that run carriers, for the months after this one;
    * the construction grants still due this year to recognised carriers under construction
      (this month's included unless ``grants_this_month`` is False: after ``build``);
    * the operating support of recognised operating carriers for the months after this one, and
      of those under construction from the month after they are due to finish;
    * the competitions the youth-community programme expects to hold to December, this month's
      included unless ``competitions_this_month`` is False (after they are held); they are paid
      from its line.
    """
    model, cs = carriers.model, carriers.store
    ledger, month = model.ledger, carriers.calendar_month
    after = 12 - month  # the months after this one to December
    first = month if grants_this_month else month + 1  # the first month of grants owed
    owed = carriers.running_owed()
    competition_months = after + (1 if competitions_this_month else 0)
    owed[ledger.line_of("youth_community")] += model.teams.competition_cost() * competition_months
    kinds, status = cs.view("kind").astype(np.int64), cs.view("status")
    building = np.flatnonzero((status == BUILDING) & (cs.view("recognised") == 1))
    cost = np.array([cp.build_cost_cny_million for cp in carriers._kinds])
    lead, built = cs.view("lead")[building], cs.view("built")[building]
    k = kinds[building]
    instalments = np.ceil(np.maximum(lead - built, 0.0) - 1e-9)  # from month `first` on
    grants = cs.view("grant_share")[building] * cost[k] / lead
    grants *= np.minimum(13 - first, instalments)
    by_kind = np.bincount(k, weights=grants, minlength=len(CARRIER_KINDS))
    support_months = np.bincount(
        k, weights=np.maximum(13 - first - instalments, 0.0), minlength=len(CARRIER_KINDS)
    )
    for kind, name in enumerate(CARRIER_KINDS):
        strength, table = carriers._support(kind)
        if strength > 0:
            monthly = table.operating_support_cny_million_per_year / 12
            by_kind[kind] += monthly * (carriers.recognised[kind] * after + support_months[kind])
        owed[ledger.line_of(name)] += by_kind[kind]
    return owed
