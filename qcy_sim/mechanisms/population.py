"""The talents: who they are, the residents of the end of 2021, and the counts of residents.

Reads ``[initial]`` and ``[talent]``. A talent has a stable key, a status (employed or
searching in the area, engaged flexibly, or gone), a kind, a field, an origin, a month of
arrival, a log ability and a wage expectation; it holds a recognised level (general, high-end,
high-level), may hold a title, works for an employer at a wage. The initial residents draw their
kind and field from ``initial.*_shares``, their ability as candidates do, hold titles for the
level their ability gives (recognised before the plan: ``level_since`` 0), arrived within
``initial.residence_max_months``, and ``initial.employed_share`` of them are seated at firms
(scientists at institutes) in proportion to desired staff.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import (
    EMPLOYED,
    FIRM_INSTITUTE,
    FLEXIBLE,
    GONE,
    ORIGIN_ENCLAVE,
    ORIGIN_OFFSHORE,
    ORIGIN_RESIDENT,
    SCIENTIST,
    SEARCHING,
)
from ..core.component import Component
from ..core.rng import normal, uniform
from ..names import N_KEY_CHAINS
from .attraction import categorical, talent_uid

__all__ = [
    "Population",
    "Residents",
    "InitialDraw",
    "Seats",
    "init_talents",
    "talent_counts",
    "status_kind_counts",
]

Residents = namedtuple(
    "Residents",
    (
        "uid",
        "status",
        "kind",
        "field",
        "origin",
        "level",
        "level_since",
        "ability",
        "titled",
        "employer",
        "wage",
        "expectation",
        "arrived",
        "search_since",
    ),
)
InitialDraw = namedtuple(
    "InitialDraw",
    (
        "kind_shares",
        "field_shares",
        "ability_shift",
        "ability_sd",
        "th_high_end",
        "th_high_level",
        "level_mult",
        "expectation_sd",
        "employed_share",
        "residence_months",
    ),
)
Seats = namedtuple("Seats", ("cum_institutes", "cum_firms", "productivity", "staff"))
Counted = namedtuple("Counted", ("status", "origin", "arrived", "level", "level_since", "field"))
_talent_uid = njit(cache=True)(talent_uid)
# what talent_counts fills, in order
COUNTS = (
    "residents",
    "employed",
    "searching",
    "flexible",
    "innovation.stock",
    "innovation.gained",
    "innovation.cumulative",
    "high_end.stock",
    "high_end.gained",
    "high_end.cumulative",
    "high_level.stock",
    "high_level.gained",
    "high_level.cumulative",
)
(
    _RESIDENTS,
    _EMPLOYED,
    _SEARCHING,
    _FLEXIBLE,
    _INNOVATION_STOCK,
    _INNOVATION_GAINED,
    _INNOVATION_CUMULATIVE,
    _HIGH_END_STOCK,
    _HIGH_END_GAINED,
    _HIGH_END_CUMULATIVE,
    _HIGH_LEVEL_STOCK,
    _HIGH_LEVEL_GAINED,
    _HIGH_LEVEL_CUMULATIVE,
) = range(len(COUNTS))


@njit(cache=True)
def init_talents(t, start, end, d, seats, skey):
    """Draw the residents of month 0 into slots ``[start, end)`` and seat the employed.

    ``t`` is a :data:`Residents`, ``d`` an :data:`InitialDraw`, ``seats`` the :data:`Seats` of
    the firms (cumulative desired staff of institutes and of the other firms).
    """
    for i in range(start, end):
        key = _talent_uid(0, ORIGIN_RESIDENT, i)
        t.uid[i] = key
        k = categorical(uniform(skey, key, 0), d.kind_shares)
        t.kind[i] = k
        t.field[i] = categorical(uniform(skey, key, 1), d.field_shares)
        t.origin[i] = ORIGIN_RESIDENT
        a = d.ability_shift[k] + d.ability_sd * normal(skey, key, 2)
        t.ability[i] = a
        lvl = 2 if a >= d.th_high_level else (1 if a >= d.th_high_end else 0)
        t.titled[i] = 1
        t.level[i] = lvl
        t.level_since[i] = 0 if lvl > 0 else -1
        t.arrived[i] = -int(uniform(skey, key, 3) * d.residence_months)
        t.expectation[i] = d.level_mult[lvl] * math.exp(d.expectation_sd * normal(skey, key, 4))
        cum = seats.cum_institutes if k == SCIENTIST else seats.cum_firms
        t.employer[i] = -1
        t.wage[i] = 0.0
        t.status[i] = SEARCHING
        t.search_since[i] = 0
        if uniform(skey, key, 5) < d.employed_share and cum.shape[0] > 0 and cum[-1] > 0:
            j = np.searchsorted(cum, uniform(skey, key, 6) * cum[-1], side="right")
            j = min(j, cum.shape[0] - 1)
            t.status[i] = EMPLOYED
            t.employer[i] = j
            seats.staff[j] += 1
            t.wage[i] = d.level_mult[lvl] * seats.productivity[j]


@njit(cache=True)
def status_kind_counts(status, kind, n_kinds):
    """Talents by status (rows: GONE, EMPLOYED, SEARCHING, FLEXIBLE) and kind, in one pass."""
    out = np.zeros((4, n_kinds), dtype=np.int64)
    for i in range(status.shape[0]):
        out[status[i], kind[i]] += 1
    return out


@njit(cache=True)
def talent_counts(t, count_flexible, out):
    """Fill ``out`` with the counts named by :data:`COUNTS`.

    Innovation talents work or create in the area: employed residents (founders are employed
    by their startups), and flexible talents if ``count_flexible``. *gained* counts those who
    arrived since the start; *cumulative* every talent who arrived since the start, whether or
    not still there. High-end and high-level count talents of the key chains at that level;
    *gained* those recognised since the start (on arrival or in a batch) who are present, the
    plan's 培育引进; *cumulative* every talent recognised since the start.

    The sweep has no branch and keeps its counts in locals: statuses, origins and levels are
    mixed across slots, so branches on them would be mispredicted about half the time, and
    counts in an array would make every slot wait for the last slot's stores.
    """
    flex_counted = np.int64(count_flexible)
    residents = employed_n = searching = flexible_n = 0
    inn_stock = inn_gained = inn_cumulative = 0
    he_stock = he_gained = he_cumulative = hl_stock = hl_gained = hl_cumulative = 0
    for i in range(t.status.shape[0]):
        s = t.status[i]
        o = t.origin[i]
        counted = flex_counted | np.int64((o != ORIGIN_ENCLAVE) & (o != ORIGIN_OFFSHORE))
        new = np.int64(t.arrived[i] >= 1)
        key_chain = np.int64(t.field[i] < N_KEY_CHAINS)
        high_end = np.int64(t.level[i] >= 1) & key_chain
        high_level = np.int64(t.level[i] >= 2) & key_chain
        recognised_new = np.int64(t.level_since[i] >= 1)
        flexible = np.int64(s == FLEXIBLE)
        employed = np.int64(s == EMPLOYED)
        resident = np.int64(s != GONE) & (1 - flexible)
        working = employed | (flexible & flex_counted)
        present = resident | (flexible & flex_counted)
        residents += resident
        employed_n += employed
        searching += np.int64(s == SEARCHING)
        flexible_n += flexible
        inn_stock += working
        inn_gained += working & new
        inn_cumulative += new & counted
        he_stock += present & high_end
        he_gained += present & high_end & recognised_new
        he_cumulative += high_end & recognised_new & counted
        hl_stock += present & high_level
        hl_gained += present & high_level & recognised_new
        hl_cumulative += high_level & recognised_new & counted
    out[_RESIDENTS] = residents
    out[_EMPLOYED] = employed_n
    out[_SEARCHING] = searching
    out[_FLEXIBLE] = flexible_n
    out[_INNOVATION_STOCK] = inn_stock
    out[_INNOVATION_GAINED] = inn_gained
    out[_INNOVATION_CUMULATIVE] = inn_cumulative
    out[_HIGH_END_STOCK] = he_stock
    out[_HIGH_END_GAINED] = he_gained
    out[_HIGH_END_CUMULATIVE] = he_cumulative
    out[_HIGH_LEVEL_STOCK] = hl_stock
    out[_HIGH_LEVEL_GAINED] = hl_gained
    out[_HIGH_LEVEL_CUMULATIVE] = hl_cumulative


class Population(Component):
    """The talents' identity and state, the initial residents, and their counts."""

    properties = {
        "talents": {
            "uid": (np.uint64, 0),
            "status": (np.int8, GONE),
            "kind": (np.int8, 0),
            "field": (np.int8, 0),
            "origin": (np.int8, 0),
            "level": (np.int8, 0),
            "titled": (np.int8, 0),
            "level_since": (np.int16, -1),
            "arrived": (np.int16, 0),
            "ability": (np.float64, 0.0),
            "wage": (np.float64, 0.0),
            "expectation": (np.float64, 0.0),
            "employer": (np.int32, -1),
        }
    }
    outputs = ("residents", "employed", "searching", "flexible_talents")

    def __init__(self, model):
        super().__init__(model)
        self.counts = dict.fromkeys(COUNTS, 0)
        self._out = np.zeros(len(COUNTS), dtype=np.int64)

    def initialise(self) -> None:
        """The residents of the end of 2021, seated at the initial firms."""
        ini, tp, t, f = self.p.initial, self.p.talent, self.model.talents, self.model.firms
        start, end = t.add(ini.talents)
        institute = f.view("kind") == FIRM_INSTITUTE
        desired = f.view("desired")
        draw = InitialDraw(
            np.array(ini.kind_shares),
            np.array(ini.field_shares),
            np.array(tp.ability_shift_by_kind),
            tp.log_ability_sd,
            tp.high_end_threshold,
            tp.high_level_threshold,
            np.array(tp.level_wage_multiplier),
            tp.expectation_sd,
            ini.employed_share,
            ini.residence_max_months,
        )
        seats = Seats(
            np.cumsum(np.where(institute, desired, 0.0)),
            np.cumsum(np.where(institute, 0.0, desired)),
            f.view("productivity"),
            f.view("staff"),
        )
        residents = t.take(Residents)
        init_talents(residents, start, end, draw, seats, self.key("init.talent"))

    def census(self) -> None:
        """Count residents, the employed, searchers, flexible talents, levels and brokers."""
        t = self.model.talents
        talent_counts(t.take(Counted), self.p.accounting.count_flexible_talents, self._out)
        self.counts = dict(zip(COUNTS, self._out.tolist(), strict=True))
        self.record("residents", self.counts["residents"])
        self.record("employed", self.counts["employed"])
        self.record("searching", self.counts["searching"])
        self.record("flexible_talents", self.counts["flexible"])
