"""Carriers (载体; tasks 3, 10, 12, 14): launched, built over a lead time while paid, operating.

Reads ``[carriers.<kind>]``. Each kind launches ``Pois(projects_per_year / 12)`` projects a month
from its ``start_month``. A project's lead time is ``lead_time_months x exp(s z - s^2/2)``
(``s = lead_time_log_sd``), rounded to whole months (at least 1); it advances one month when the
carriers account can pay the month's instalment ``build_cost / lead``, oldest project first (a
later, cheaper instalment may still be paid when an earlier one is not). A finished carrier
operates for good, costing ``operating_cost_cny_million_per_year / 12`` a month; a new R&D
institution opens as an employer of scientists with ``capacity`` desired staff. The survey after
the month's building gives operating counts and slots by kind (all, and built since the start)
and common-technology platforms by field, which the other mechanisms read.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import BUILDING, FIRM_INSTITUTE, OPERATING
from ..core.component import Component
from ..core.rng import normal, poisson, uniform
from ..core.store import AgentStore
from ..names import CARRIER_KINDS, FIELDS, N_KEY_CHAINS
from ..policy.registry import CARRIERS as CARRIERS_ACCOUNT

__all__ = ["Carriers", "CarrierBuild", "carriers_build"]

CARRIER_PROPERTIES = {
    "kind": (np.int8, 0),
    "status": (np.int8, 0),
    "field": (np.int8, 0),
    "started": (np.int16, 0),
    "completed": (np.int16, -1),
    "firm": (np.int32, -1),
    "slots": (np.int32, 0),
    "built": (np.float64, 0.0),
    "lead": (np.float64, 1.0),
}
CarrierRecord = namedtuple("CarrierRecord", tuple(CARRIER_PROPERTIES))
CarrierBuild = namedtuple("CarrierBuild", ("status", "built", "lead", "completed", "kind"))
_RD = CARRIER_KINDS.index("new_rd_institution")
_PLATFORM = CARRIER_KINDS.index("common_tech_platform")
_INDEX: dict[tuple[str, ...], np.ndarray] = {}  # kinds named -> their indices
# a new R&D institution's firm key: its carrier slot in a key space of its own
_RD_FIRM_KEY = np.uint64(1) << np.uint64(61)


@njit(cache=True)
def carriers_build(c, build_cost, month, balance):
    """Advance construction by one month where the month's instalment can be paid.

    A carrier under construction costs ``build_cost[kind] / lead`` a month; projects are paid in
    slot order (oldest first) from ``balance``; a project whose instalment no longer fits stalls
    for the month, and a later, cheaper one may still be paid. ``c`` is a :data:`CarrierBuild`.
    Returns ``(spent, completed_now)``.
    """
    spent = 0.0
    done = 0
    for i in range(c.status.shape[0]):
        if c.status[i] != BUILDING:
            continue
        instalment = build_cost[c.kind[i]] / c.lead[i]
        if instalment > balance - spent:
            continue
        spent += instalment
        c.built[i] += 1.0
        if c.built[i] >= c.lead[i] - 1e-9:
            c.status[i] = OPERATING
            c.completed[i] = month
            done += 1
    return spent, done


class Carriers(Component):
    """The carrier programmes and the carriers they build."""

    spending = {"carrier_construction": CARRIERS_ACCOUNT, "carrier_operation": CARRIERS_ACCOUNT}

    def __init__(self, model):
        super().__init__(model)
        self.store = AgentStore("carriers", 256, CARRIER_PROPERTIES, CarrierRecord)
        self._kinds = [getattr(self.p.carriers, name) for name in CARRIER_KINDS]
        n = len(CARRIER_KINDS)
        self.operating = np.zeros(n, dtype=np.int64)
        self.operating_slots = np.zeros(n, dtype=np.int64)
        self.new = np.zeros(n, dtype=np.int64)
        self.new_slots = np.zeros(n, dtype=np.int64)
        self.platforms_by_field = np.zeros(len(FIELDS), dtype=np.int64)

    def initialise(self) -> None:
        """Carriers operating or half built at the start."""
        cs = self.store
        for kind, cp in enumerate(self._kinds):
            for _ in range(cp.initial_operating):
                c = self._launch(kind)
                cs.view("status")[c] = OPERATING
                cs.view("built")[c] = cs.view("lead")[c]
                cs.view("completed")[c] = -1
                self._open(c)
            for _ in range(cp.initial_under_construction):
                c = self._launch(kind)
                cs.view("built")[c] = np.floor(cs.view("lead")[c] / 2)
        self.survey()

    def _launch(self, kind: int) -> int:
        cp = self._kinds[kind]
        cs = self.store
        cs.reserve(1)
        c, _ = cs.add(1)
        sk = self.key("carrier.lead_time")
        key = np.uint64(c)
        s = cp.lead_time_log_sd
        lead = cp.lead_time_months * np.exp(s * normal(sk, key, 0) - s * s / 2)
        cs.view("kind")[c] = kind
        cs.view("status")[c] = BUILDING
        cs.view("started")[c] = self.month
        cs.view("lead")[c] = max(1.0, float(np.round(lead)))
        cs.view("slots")[c] = cp.capacity
        cs.view("field")[c] = int(uniform(sk, key, 1) * N_KEY_CHAINS)
        return c

    def _open(self, c: int) -> None:
        """A new R&D institution opens as an employer of scientists and researchers."""
        cs = self.store
        if cs.view("kind")[c] != _RD:
            return
        firm = self.model.enterprises.open_firms(
            np.array([np.uint64(c) | _RD_FIRM_KEY], dtype=np.uint64),
            FIRM_INSTITUTE,
            int(cs.view("field")[c]),
            float(cs.view("slots")[c]),
            1.0,
        )
        cs.view("firm")[c] = firm

    def pay_operation(self) -> None:
        """Operating support of every operating carrier."""
        cost = 0.0
        for kind, cp in enumerate(self._kinds):
            cost += self.operating[kind] * cp.operating_cost_cny_million_per_year / 12
        self.model.ledger.pay("carrier_operation", cost)

    def step(self) -> None:
        """Launch this month's projects, advance construction, open finished carriers."""
        m, cs, ledger = self.month, self.store, self.model.ledger
        for kind, cp in enumerate(self._kinds):
            if m < cp.start_month or cp.projects_per_year <= 0:
                continue
            for _ in range(poisson(cp.projects_per_year / 12.0, self.key("carrier.plan"), kind, m)):
                self._launch(kind)
        cost = np.array([cp.build_cost_cny_million for cp in self._kinds])
        before = cs.view("status").copy()
        build = cs.take(CarrierBuild)
        spent, _ = carriers_build(build, cost, m, ledger.available("carrier_construction"))
        ledger.pay("carrier_construction", spent)
        for c in np.flatnonzero((before == BUILDING) & (cs.view("status") == OPERATING)):
            self._open(int(c))
        self.survey()

    def survey(self) -> None:
        """Count operating carriers and their slots by kind; platforms by field."""
        cs = self.store
        kinds = cs.view("kind").astype(np.int64)
        op = cs.view("status") == OPERATING
        new = op & (cs.view("completed") >= 1)
        n = len(CARRIER_KINDS)
        slots = cs.view("slots").astype(np.float64)
        self.operating = np.bincount(kinds[op], minlength=n)
        self.operating_slots = np.bincount(kinds[op], weights=slots[op], minlength=n).astype(
            np.int64
        )
        self.new = np.bincount(kinds[new], minlength=n)
        self.new_slots = np.bincount(kinds[new], weights=slots[new], minlength=n).astype(np.int64)
        plat = op & (kinds == _PLATFORM)
        self.platforms_by_field = np.bincount(
            cs.view("field")[plat].astype(np.int64), minlength=len(FIELDS)
        )

    def count(self, name: str, since_start: bool = False) -> int:
        """Operating carriers of one kind (only those built since the start, if asked)."""
        counts = self.new if since_start else self.operating
        return int(counts[CARRIER_KINDS.index(name)])

    def capacity(self, names, since_start: bool = False) -> int:
        """Slots of the operating carriers of the given kinds."""
        slots = self.new_slots if since_start else self.operating_slots
        index = _INDEX.get(tuple(names))
        if index is None:
            index = _INDEX[tuple(names)] = np.array([CARRIER_KINDS.index(n) for n in names])
        return int(slots[index].sum())

    def check(self) -> None:
        """Operating carriers have finished their build; counts match the store."""
        cs = self.store
        op = cs.view("status") == OPERATING
        assert (cs.view("built")[op] >= cs.view("lead")[op] - 1e-9).all()
        assert self.operating.sum() == op.sum()
