"""Talent housing (task 25): apartments added, newcomers housed, tenants moving out.

Reads ``[policy.housing]`` and ``initial.housing_units``. While the lever acts, ``units_per_year
/ 12`` apartments a month accrue and are added when paid (``unit_cost_cny_thousand`` each);
occupied apartments cost ``rent_subsidy_cny_thousand_per_month`` each. Residents are eligible
for ``talent.housing_tenure_months`` after arriving; tenants move out after it, and when they
leave. Free apartments go to waiting newcomers, highest level first and, within a level, earlier
arrivals first. Candidates judge the chance of an apartment by the share of residents who
arrived in the last ``talent.housing_window_months`` who are housed.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import EMPLOYED, SEARCHING
from ..core.component import Component

__all__ = ["Housing", "Tenancy", "housing_allocate"]

Tenancy = namedtuple("Tenancy", ("status", "level", "arrived", "housed"))


@njit(cache=True)
def housing_allocate(t, month, free_units, tenure, window):
    """Move out tenants after ``tenure`` months; give free apartments to newcomers.

    ``t`` is a :data:`Tenancy`. Newcomers are served highest level first and, within a level, in
    slot order (earlier arrivals first). Returns ``(occupied, free_units_left,
    recent_residents, recent_housed)``, where *recent* means residents who arrived in the last
    ``window`` months.
    """
    n = t.status.shape[0]
    waiting = np.empty(n, dtype=np.int64)
    waiting_level = np.empty(n, dtype=np.int8)
    n_wait = occupied = recent = recent_housed = 0
    for i in range(n):  # one pass without a branch; the newly housed are added below
        s = t.status[i]
        resident = (s == EMPLOYED) | (s == SEARCHING)
        within_tenure = month - t.arrived[i] <= tenure
        moves_out = t.housed[i] & np.int8(not within_tenure)
        t.housed[i] -= moves_out
        free_units += moves_out
        housed = np.int64(t.housed[i])
        occupied += housed
        is_recent = np.int64(resident & (t.arrived[i] > month - window))
        recent += is_recent
        recent_housed += is_recent & housed
        waiting[n_wait] = i  # written always, kept when it waits
        waiting_level[n_wait] = t.level[i]
        n_wait += np.int64(resident & (housed == 0) & within_tenure)
    for lvl in range(2, -1, -1):
        if free_units <= 0:
            break
        for j in range(n_wait):
            if free_units <= 0:
                break
            if waiting_level[j] == lvl:
                i = waiting[j]
                t.housed[i] = 1
                free_units -= 1
                occupied += 1
                recent_housed += np.int64(t.arrived[i] > month - window)
    return occupied, free_units, recent, recent_housed


class Housing(Component):
    """The stock of talent apartments and who lives in them."""

    properties = {"talents": {"housed": (np.int8, 0)}}
    outputs = ("housing_units", "housing_occupied")

    def __init__(self, model):
        super().__init__(model)
        self.units = int(self.p.initial.housing_units)
        self.free_units = 0
        self.occupied = 0
        self.chance = 1.0  # of a talent apartment, as candidates see it
        self._due = 0.0  # apartments accrued but not yet added

    def _allocate(self) -> tuple[int, int]:
        tenancy = self.model.talents.take(Tenancy)
        occupied, self.free_units, recent, housed = housing_allocate(
            tenancy,
            self.month,
            self.free_units,
            self.p.talent.housing_tenure_months,
            self.p.talent.housing_window_months,
        )
        self.occupied = occupied
        return recent, housed

    def initialise(self) -> None:
        """House the initial residents who arrived recently, while apartments last."""
        self.free_units = self.units
        self._allocate()
        self.record("housing_units", self.units)
        self.record("housing_occupied", self.occupied)

    def pay_rent(self) -> None:
        """Rent subsidies of last month's occupied apartments."""
        if self.act("housing") > 0:
            rent = self.p.policy.housing.rent_subsidy_cny_thousand_per_month
            self.model.ledger.pay("housing", self.occupied * rent / 1e3)

    def step(self) -> None:
        """Add paid apartments; move tenants out and newcomers in."""
        if self.act("housing") > 0:
            h, ledger = self.p.policy.housing, self.model.ledger
            self._due += h.units_per_year / 12.0
            add = int(self._due)
            if add > 0 and h.unit_cost_cny_thousand > 0:
                add = min(add, int(ledger.available("housing") * 1e3 // h.unit_cost_cny_thousand))
            self._due -= add
            ledger.pay("housing", add * h.unit_cost_cny_thousand / 1e3)
            self.units += add
            self.free_units += add
        recent, housed = self._allocate()
        self.chance = housed / recent if recent else 1.0
        self.record("housing_units", self.units)
        self.record("housing_occupied", self.occupied)

    def check(self) -> None:
        """Housed talents never exceed the apartments."""
        assert int(self.model.talents.view("housed").sum()) <= self.units
