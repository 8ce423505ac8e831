"""Carriers (载体; tasks 3, 10, 12, 14): proposed, recognised, built, used, evaluated, closed.

Reads ``[carriers.<kind>]`` and the support tables of the levers that run the carrier programmes
(:data:`SUPPORT`). Those who found carriers decide to propose them: park developers (innovation
carriers, incubators), universities and institutes (pilot bases, new R&D institutions, student
spaces, shared research centres) and chain leaders (pilot bases, new R&D institutions,
common-technology platforms). Each proposer considers each of its kinds every month and proposes
with chance ``proposals_per_year / 12 x weight x (D / D0)^demand_elasticity x (1 +
support_elasticity x S)``: ``weight`` is an institute's staff over the mean institute's (1 for
chain leaders and developers), ``D`` the kind's demand (:meth:`Carriers.demand`), ``D0`` its
``demand_reference``, and ``S`` what the programme is worth to the
proposer: the chance of being recognised times the grant share and award relative to the cost. A
proposal has a quality ``q ~ N(0, 1)``. While its programme acts, the government holds
``calls_per_year`` calls and recognises (认定) the waiting proposals with ``q >= criteria``,
paying the award from the lever's line, as long as the line, less what it owes until December
(this year's grants of the carriers it builds, the support of those it runs), can pay the award
and the proposal's grants of this year; a proposal it cannot pay waits, at most
``max_wait_months``. A proposal that fails the criteria, waited too long, or that no programme
can take, is built privately with chance ``private_share`` and dropped otherwise. A carrier is
built over its lead time (``lead_time_months x exp(s z - s^2/2)``, rounded); for a recognised
one the programme pays ``grant_share`` of each month's instalment ``build_cost / lead``
(construction stalls in a month the line cannot pay it), the proposer the rest. Operating
carriers have ``capacity`` slots and an occupancy (:meth:`Carriers.occupancy`); a recognised one
receives ``operating_support_cny_million_per_year``. Each January recognised carriers used below
the programme's ``min_occupancy`` lose recognition, every carrier used below
``closure_occupancy`` closes with chance ``closure_per_year``, and operating carriers without
recognition used at least ``operating_recognition_occupancy`` are recognised, fullest first, for
the award alone while the line can pay it. The KPIs count recognised carriers that operate.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit
from scipy.special import ndtr

from ..core.codes import (
    BUILDING,
    CLOSED,
    EMPLOYED,
    FIRM_CHAIN_LEADER,
    FIRM_INSTITUTE,
    OPERATING,
    PROPOSED,
    RESEARCHER,
    SCIENTIST,
    SEARCHING,
    STUDENT,
    YOUNG,
)
from ..core.component import Component
from ..core.rng import normal_array, uniform, uniform_array
from ..core.store import AgentStore
from ..names import CARRIER_KINDS, FIELDS, N_KEY_CHAINS, TALENT_KINDS
from .commitments import committed, running_owed
from .population import status_kind_counts

__all__ = ["Carriers", "CarrierBuild", "carriers_build", "SUPPORT", "PROPOSERS"]

CARRIER_PROPERTIES = {
    "kind": (np.int8, 0),
    "status": (np.int8, 0),
    "recognised": (np.int8, 0),
    "field": (np.int8, 0),
    "started": (np.int16, 0),
    "recognised_month": (np.int16, -1),
    "completed": (np.int16, -1),
    "ended": (np.int16, -1),
    "proposer": (np.int32, -1),
    "firm": (np.int32, -1),
    "slots": (np.int32, 0),
    "built": (np.float64, 0.0),
    "lead": (np.float64, 1.0),
    "quality": (np.float64, 0.0),
    "grant_share": (np.float64, 0.0),
    "occupancy": (np.float64, 0.0),
}
CarrierRecord = namedtuple("CarrierRecord", tuple(CARRIER_PROPERTIES))
CarrierBuild = namedtuple(
    "CarrierBuild", ("status", "built", "lead", "completed", "kind", "grant_share")
)
# carrier kind -> the lever whose programme supports it
SUPPORT = {
    "innovation_carrier": "transformation",
    "pilot_base": "transformation",
    "new_rd_institution": "soe_innovation",
    "common_tech_platform": "soe_innovation",
    "student_space": "youth_community",
    "shared_research_center": "three_pools",
    "incubator": "youth_community",
}
# carrier kind -> who proposes it
PROPOSERS = {
    "innovation_carrier": ("developers",),
    "pilot_base": ("institutes", "chain_leaders"),
    "new_rd_institution": ("institutes", "chain_leaders"),
    "common_tech_platform": ("chain_leaders",),
    "student_space": ("institutes",),
    "shared_research_center": ("institutes",),
    "incubator": ("developers",),
}
_HOSTING = ("incubator", "student_space", "innovation_carrier")
_KIND = {name: i for i, name in enumerate(CARRIER_KINDS)}
_RD, _PLATFORM = _KIND["new_rd_institution"], _KIND["common_tech_platform"]
# a new R&D institution's firm key: its carrier slot in a key space of its own
_RD_FIRM_KEY = np.uint64(1) << np.uint64(61)
_DEVELOPER_KEY = np.uint64(1) << np.uint64(40)
# the classes of proposers, and which kinds each may propose
_CLASSES = ("institutes", "chain_leaders", "developers")
_MAY_PROPOSE = np.array(
    [[who in PROPOSERS[name] for name in CARRIER_KINDS] for who in _CLASSES], dtype=np.bool_
)
_INDEX: dict[tuple[str, ...], np.ndarray] = {}  # kinds named -> their indices
_MASK: dict[tuple[str, ...], np.ndarray] = {}  # kinds named -> a mask over kind codes


@njit(cache=True)
def carriers_build(c, build_cost, month, own, pool, line_of_kind, pool_of_line):
    """Advance construction by one month where the month's grant can be paid.

    ``c`` is a :data:`CarrierBuild`. A carrier under construction costs ``build_cost[kind] /
    lead`` a month, of which the programme pays ``grant_share``. Kinds share budget lines:
    ``line_of_kind[kind]`` is the line that pays a kind's grants, ``own[line]`` what that line
    can still pay this month from its own balance, and ``pool[pool_of_line[line]]`` the free
    reserve its fund lets its lines share (0 unless the fund reallocates): a grant is paid
    from the line first, the rest from the pool. Projects are paid in slot order (oldest
    first); one whose grant no longer fits stalls for the month, a later, cheaper one may still
    be paid. Returns ``(grants paid by kind, completed_now)``.
    """
    paid = np.zeros(build_cost.shape[0])
    used = np.zeros(own.shape[0])
    drawn = np.zeros(pool.shape[0])
    done = 0
    for i in range(c.status.shape[0]):
        if c.status[i] != BUILDING:
            continue
        k = c.kind[i]
        line = line_of_kind[k]
        p = pool_of_line[line]
        grant = c.grant_share[i] * build_cost[k] / c.lead[i]
        left = own[line] - used[line]
        if grant > left + pool[p] - drawn[p] + 1e-12:
            continue
        from_line = min(grant, max(left, 0.0))
        used[line] += from_line
        drawn[p] += grant - from_line
        paid[k] += grant
        c.built[i] += 1.0
        if c.built[i] >= c.lead[i] - 1e-9:
            c.status[i] = OPERATING
            c.completed[i] = month
            done += 1
    return paid, done


class Carriers(Component):
    """The carrier programmes, the proposals and the carriers they build."""

    spending = {}
    outputs = ("carrier_proposals", "carriers_recognised", "carriers_closed", "incubators")

    def __init__(self, model):
        super().__init__(model)
        self.store = AgentStore("carriers", 256, CARRIER_PROPERTIES, CarrierRecord)
        self._kinds = [getattr(self.p.carriers, name) for name in CARRIER_KINDS]
        self._lead_months = np.array([cp.lead_time_months for cp in self._kinds], dtype=float)
        self._lead_sd = np.array([cp.lead_time_log_sd for cp in self._kinds], dtype=float)
        self._capacity = np.array([cp.capacity for cp in self._kinds])
        n = len(CARRIER_KINDS)
        self.operating = np.zeros(n, dtype=np.int64)
        self.operating_slots = np.zeros(n, dtype=np.int64)
        self.recognised = np.zeros(n, dtype=np.int64)  # recognised and operating
        self.recognised_new = np.zeros(n, dtype=np.int64)  # the same, built since the start
        self.recognised_ever = np.zeros(n, dtype=np.int64)  # recognised since the start
        self.platforms_by_field = np.zeros(len(FIELDS), dtype=np.int64)
        self.hosted = np.zeros(0, dtype=np.int64)  # firms hosted per carrier (founding fills)

    # ------------------------------------------------------------------------------------------
    # The initial state

    def initialise(self) -> None:
        """Recognised carriers operating or half built at the start."""
        cs = self.store
        for kind, cp in enumerate(self._kinds):
            n_operating, n = (
                cp.initial_operating,
                cp.initial_operating + cp.initial_under_construction,
            )
            c = self._propose_many(np.full(n, kind), np.full(n, -1), np.zeros(n))
            rec = cs.full()
            rec.recognised[c] = 1
            rec.recognised_month[c] = 0
            operating, building = c[:n_operating], c[n_operating:]
            rec.status[operating] = OPERATING
            rec.built[operating] = rec.lead[operating]
            rec.completed[operating] = -1
            rec.status[building] = BUILDING
            rec.built[building] = np.floor(rec.lead[building] / 2)
            for one in operating:
                self._open(int(one))
        self.survey()

    # ------------------------------------------------------------------------------------------
    # Demand, occupancy and support

    def demand(self) -> np.ndarray:
        """What each kind of carrier is needed for, per slot operating, by kind.

        Hosting carriers: firms hosted and startups of the last year per hosting slot; pilot
        bases: transfers and spin-offs of the last year per pilot slot; new R&D institutions:
        employed scientists and researchers per institution slot; platforms: live firms of the
        key chains per platform slot; student spaces: resident students and young talents per
        space slot; shared research centres: employed scientists per centre slot.
        """
        model = self.model
        slots = np.maximum(self.operating_slots.astype(np.float64), 1.0)
        t = model.talents
        n = status_kind_counts(t.view("status"), t.view("kind"), len(TALENT_KINDS))
        scientists = int(n[EMPLOYED, SCIENTIST])
        research = scientists + int(n[EMPLOYED, RESEARCHER])
        young = int(n[EMPLOYED, STUDENT] + n[EMPLOYED, YOUNG] + n[SEARCHING, STUDENT])
        young += int(n[SEARCHING, YOUNG])
        f = model.firms
        chain_firms = int(
            np.count_nonzero(f.view("alive").astype(bool) & (f.view("field") < N_KEY_CHAINS))
        )
        first = max(1, model.month - 11)  # the last twelve months, or those simulated so far
        window = model.series[first : model.month + 1]
        per_year = 12.0 / max(1, window.shape[0])
        col = model.series_column
        startups = float(window[:, col("startups_founded")].sum()) * per_year
        transfers = float(window[:, col("technology_transfers")].sum())
        transfers = (transfers + float(window[:, col("new_spinoff_firms")].sum())) * per_year
        hosting = float(self.capacity(_HOSTING)) or 1.0
        space_need = (model.founding.hosted() + startups) / hosting
        d = np.empty(len(CARRIER_KINDS))
        d[_KIND["innovation_carrier"]] = space_need
        d[_KIND["incubator"]] = space_need
        d[_KIND["pilot_base"]] = transfers / slots[_KIND["pilot_base"]]
        d[_RD] = research / slots[_RD]
        d[_PLATFORM] = chain_firms / slots[_PLATFORM]
        d[_KIND["student_space"]] = young / slots[_KIND["student_space"]]
        d[_KIND["shared_research_center"]] = scientists / slots[_KIND["shared_research_center"]]
        return d

    def _support(self, kind: int) -> tuple[float, object]:
        """Strength of the programme of ``kind`` this month and its support table."""
        lever = SUPPORT[CARRIER_KINDS[kind]]
        table = getattr(getattr(self.p.policy, lever), CARRIER_KINDS[kind])
        return self.act(lever), table

    def _worth(self, kind: int) -> float:
        """What the programme is worth to a proposer: P(recognised) x (grant + award) / cost."""
        strength, table = self._support(kind)
        if strength <= 0 or table.calls_per_year <= 0:
            return 0.0
        cost = max(self._kinds[kind].build_cost_cny_million, 1e-9)
        p_recognised = float(ndtr(-table.criteria))
        return strength * p_recognised * (table.grant_share + table.award_cny_million / cost)

    def occupancy(self) -> np.ndarray:
        """Each operating carrier's use of its slots (0-1).

        Hosting carriers: firms they host; new R&D institutions: their staff over capacity;
        platforms: live firms of their field shared over the field's platforms; pilot bases:
        last year's transfers and spin-offs shared over all pilot slots; student spaces: resident
        students and young talents shared over space slots; shared research centres: live
        scientist+engineer teams shared over centre slots.
        """
        cs, model = self.store, self.model
        kinds, slots = cs.view("kind"), np.maximum(cs.view("slots"), 1).astype(np.float64)
        op = cs.view("status") == OPERATING
        occ = np.zeros(cs.count)
        hosting = kind_mask(_HOSTING)[kinds]
        hosted = self.hosted_per_carrier()[: cs.count]
        occ[hosting] = hosted[hosting] / slots[hosting]
        rd = kinds == _RD
        firm = cs.view("firm")
        if rd.any():
            staff = model.firms.view("staff")
            occ[rd & (firm >= 0)] = staff[firm[rd & (firm >= 0)]] / slots[rd & (firm >= 0)]
        d = self.demand() * self.operating_slots.astype(np.float64)  # need, in units
        for name in ("pilot_base", "student_space"):
            k = _KIND[name]
            occ[kinds == k] = d[k] / max(1.0, float(self.operating_slots[k]))
        centre = _KIND["shared_research_center"]
        teams = model.teams.alive_total()
        occ[kinds == centre] = teams / max(1.0, float(self.operating_slots[centre]))
        plat = kinds == _PLATFORM
        if plat.any():
            f = model.firms
            firms_by_field = np.bincount(
                f.view("field")[f.view("alive").astype(bool)].astype(np.int64),
                minlength=len(FIELDS),
            )
            per_field = np.maximum(self.platforms_by_field, 1) * 1.0
            fields = cs.view("field")[plat].astype(np.int64)
            occ[plat] = firms_by_field[fields] / per_field[fields] / slots[plat]
        occ = np.minimum(occ, 1.0)
        occ[~op] = 0.0
        return occ

    # ------------------------------------------------------------------------------------------
    # The month

    def _propose_many(
        self, kinds: np.ndarray, proposers: np.ndarray, quality: np.ndarray
    ) -> np.ndarray:
        """New proposals, in order: carrier slots ``c``; lead times drawn by slot."""
        cs = self.store
        n = kinds.shape[0]
        cs.reserve(n)
        start, end = cs.add(n)
        c = np.arange(start, end)
        sk = self.key("carrier.lead_time")
        keys = c.astype(np.uint64)
        s = self._lead_sd[kinds]
        lead = self._lead_months[kinds] * np.exp(s * normal_array(sk, keys, 0) - s * s / 2)
        rec = cs.full()
        rec.kind[c] = kinds
        rec.status[c] = PROPOSED
        rec.started[c] = self.month
        rec.lead[c] = np.maximum(1.0, np.round(lead))
        rec.slots[c] = self._capacity[kinds]
        rec.proposer[c] = proposers
        rec.quality[c] = quality
        field = self.model.firms.view("field")
        firm = proposers >= 0
        own = np.full(n, N_KEY_CHAINS, dtype=np.int64)
        own[firm] = field[proposers[firm]]
        chain = own < N_KEY_CHAINS  # a proposing firm of a key chain proposes for its chain
        drawn = (uniform_array(sk, keys, 1) * N_KEY_CHAINS).astype(np.int64)
        rec.field[c] = np.where(chain, own, drawn)
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

    def _proposers(self):
        """Who may propose: class (index into ``_CLASSES``), firm slot or -1, weight, key."""
        f = self.model.firms
        alive = f.view("alive").astype(bool)
        kind = f.view("kind")
        institutes = np.flatnonzero(alive & (kind == FIRM_INSTITUTE))
        leaders = np.flatnonzero(alive & (kind == FIRM_CHAIN_LEADER))
        mean = max(1.0, float(self.p.enterprise.institute_size))
        n_dev = self.p.initial.park_developers
        who = np.repeat(np.arange(3), [institutes.shape[0], leaders.shape[0], n_dev])
        slot = np.concatenate([institutes, leaders, np.full(n_dev, -1, dtype=np.int64)])
        weight = np.concatenate(
            [
                f.view("staff")[institutes].astype(np.float64) / mean,
                np.ones(leaders.shape[0] + n_dev),
            ]
        )
        uid = f.view("uid")
        developers = _DEVELOPER_KEY | np.arange(n_dev, dtype=np.uint64)
        key = np.concatenate([uid[institutes], uid[leaders], developers]).astype(np.uint64)
        return who, slot, weight, key

    def propose(self) -> None:
        """Proposers decide whether to propose each kind of carrier this month."""
        m = self.month
        reference = np.array([cp.demand_reference for cp in self._kinds])
        cap = np.array([cp.max_demand_ratio for cp in self._kinds])
        ratio = np.minimum(self.demand() / reference, cap)
        rates = np.zeros(len(CARRIER_KINDS))
        for k, cp in enumerate(self._kinds):
            worth = self._worth(k)
            rates[k] = (
                cp.proposals_per_year
                / 12.0
                * ratio[k] ** cp.demand_elasticity
                * (1.0 + cp.support_elasticity * worth)
            )
        sk, sq = self.key("carrier.propose"), self.key("carrier.quality")
        who, slot, weight, key = self._proposers()
        # one draw per (proposer, kind), proposers in order, kinds in order within each
        kinds = np.arange(len(CARRIER_KINDS), dtype=np.uint64)
        draw_keys = key[:, None] ^ (kinds[None, :] << np.uint64(56))
        u = uniform_array(sk, draw_keys.ravel(), m).reshape(draw_keys.shape)
        chance = np.minimum(1.0, rates[None, :] * weight[:, None])
        hits = np.flatnonzero(_MAY_PROPOSE[who] & (u < chance))
        p, k = np.divmod(hits, len(CARRIER_KINDS))
        if hits.shape[0]:
            self._propose_many(k, slot[p], normal_array(sq, draw_keys.ravel()[hits], m))
        self.record("carrier_proposals", hits.shape[0])

    def _call_month(self, calls: int) -> bool:
        if calls <= 0:
            return False
        return self.calendar_month % (12 // calls) == 0

    def running_owed(self) -> np.ndarray:
        """The carrier programmes' running costs for the months after this one, by line."""
        return running_owed(self.model, SUPPORT.values())

    def committed(
        self, grants_this_month: bool = True, competitions_this_month: bool = True
    ) -> np.ndarray:
        """What each line owes from now to December (:func:`.commitments.committed`)."""
        return committed(self, grants_this_month, competitions_this_month)

    def recognise(self) -> None:
        """Calls of the programmes: recognise, reject (private build or drop), or wait.

        A programme recognises a proposal that meets its criteria only if its line, after what
        it owes until December (:meth:`committed`), can pay the award, the proposal's
        construction grants of this year and its operating support if it is due to finish
        before December; otherwise the proposal waits for a later call. Proposals also wait
        through a month in which their programme could not pay its running cost. A proposal
        that fails the criteria, waited ``max_wait_months`` or has no programme is built
        privately or dropped.
        """
        cs, ledger, policy = self.store, self.model.ledger, self.model.policy
        status, kinds = cs.view("status"), cs.view("kind")
        waiting = np.flatnonzero(status == PROPOSED)
        sk = self.key("carrier.private")
        n_recognised = 0
        months_left = 13 - self.calendar_month  # this month to December
        programmes = [self._support(k) for k in range(len(CARRIER_KINDS))]
        unpaid = np.array(
            [
                strength <= 0 and policy.strength(SUPPORT[name], paid=False) > 0
                for (strength, _), name in zip(programmes, CARRIER_KINDS, strict=True)
            ]
        )
        no_call = np.array([st <= 0 or t.calls_per_year <= 0 for st, t in programmes])
        acts = no_call | np.array([self._call_month(t.calls_per_year) for _, t in programmes])
        max_wait = np.array([cp.max_wait_months for cp in self._kinds])
        k_waiting = kinds[waiting].astype(np.int64)
        old_enough = self.month - cs.view("started")[waiting] >= max_wait[k_waiting]
        # an unpaid programme's proposals wait (up to max_wait); outside a call nothing happens
        visit = np.where(unpaid[k_waiting], old_enough, acts[k_waiting])
        owed = self.committed() if visit.any() else None
        for c, waited in zip(waiting[visit], old_enough[visit], strict=True):
            k = int(kinds[c])
            name = CARRIER_KINDS[k]
            strength, table = programmes[k]
            decide = no_call[k]
            if not decide and cs.view("quality")[c] >= table.criteria:
                line = ledger.line_of(name)
                lead = cs.view("lead")[c]
                grants = table.grant_share * self._kinds[k].build_cost_cny_million / lead
                grants *= min(months_left, lead)
                support = table.operating_support_cny_million_per_year / 12
                support *= max(months_left - np.ceil(lead - 1e-9), 0.0)
                need = grants + support
                if ledger.uncommitted(name, owed) >= table.award_cny_million + need - 1e-12:
                    ledger.pay(name, table.award_cny_million)
                    owed[line] += need
                    cs.view("recognised")[c] = 1
                    cs.view("recognised_month")[c] = self.month
                    cs.view("grant_share")[c] = table.grant_share
                    cs.view("status")[c] = BUILDING
                    n_recognised += 1
                    continue
                if not waited:
                    continue
            if uniform(sk, np.uint64(c), self.month) < self._kinds[k].private_share:
                cs.view("status")[c] = BUILDING
            else:
                cs.view("status")[c] = CLOSED
                cs.view("ended")[c] = self.month
        self.record("carriers_recognised", n_recognised)

    def pay_operation(self) -> None:
        """Operating support of recognised operating carriers, from their programme's line.

        Paid from what the line holds beyond the programme's running cost for the rest of the
        year (:meth:`running_owed`).
        """
        ledger = self.model.ledger
        kept = self.running_owed()
        for k, name in enumerate(CARRIER_KINDS):
            strength, table = self._support(k)
            if strength > 0 and self.recognised[k]:
                support = self.recognised[k] * table.operating_support_cny_million_per_year / 12
                ledger.pay(name, min(support, max(ledger.uncommitted(name, kept), 0.0)))

    def build(self) -> None:
        """Advance construction where grants can be paid; open finished carriers.

        Grants are paid from what a line holds beyond its programme's running cost for the rest
        of the year (:meth:`running_owed`).
        """
        m, cs, ledger = self.month, self.store, self.model.ledger
        cost = np.array([cp.build_cost_cny_million for cp in self._kinds])
        lines = [ledger.line_of(name) for name in CARRIER_KINDS]
        shared = sorted(set(lines))
        line_of_kind = np.array([shared.index(line) for line in lines], dtype=np.int64)
        kept = self.running_owed()
        own = np.array([max(ledger.balance[line] - kept[line], 0.0) for line in shared])
        funds = [ledger.fund_of[ledger.lines[line]] for line in shared]
        pools = sorted(set(funds))
        pool = np.array([ledger.free_reserve(fund, kept) for fund in pools])
        pool_of_line = np.array([pools.index(fund) for fund in funds], dtype=np.int64)
        before = cs.view("status").copy()
        paid, _ = carriers_build(
            cs.take(CarrierBuild), cost, m, own, pool, line_of_kind, pool_of_line
        )
        for k, name in enumerate(CARRIER_KINDS):
            if paid[k] > 0:
                ledger.pay(name, float(paid[k]))
        for c in np.flatnonzero((before == BUILDING) & (cs.view("status") == OPERATING)):
            self._open(int(c))
        self.survey()

    def evaluate(self) -> None:
        """In January: under-used carriers lose recognition; some close."""
        if self.calendar_month != 1:
            return
        cs = self.store
        occ = self.occupancy()
        cs.view("occupancy")[:] = occ
        op = cs.view("status") == OPERATING
        kinds = cs.view("kind")
        sk = self.key("carrier.closure")
        closed = 0
        for c in np.flatnonzero(op):
            k = int(kinds[c])
            strength, table = self._support(k)  # a programme that does not act evaluates nothing
            if strength > 0 and cs.view("recognised")[c] and occ[c] < table.min_occupancy:
                cs.view("recognised")[c] = 0
            cp = self._kinds[k]
            if occ[c] < cp.closure_occupancy and uniform(sk, np.uint64(c), self.month) < (
                cp.closure_per_year
            ):
                cs.view("status")[c] = CLOSED
                cs.view("recognised")[c] = 0
                cs.view("ended")[c] = self.month
                closed += 1
        self.record("carriers_closed", closed)
        self.survey()
        self._recognise_operating(occ)

    def _recognise_operating(self, occ: np.ndarray) -> None:
        """Operating carriers built without recognition, well used, are recognised (award only).

        A carrier qualifies when used at least ``operating_recognition_occupancy`` and the
        programme's ``min_occupancy`` (so that it would keep its recognition). Candidates are
        taken fullest first while their line, after what it owes until December, can pay the
        award and the carrier's operating support for the rest of the year.
        """
        cs, ledger = self.store, self.model.ledger
        candidates = np.flatnonzero((cs.view("status") == OPERATING) & (cs.view("recognised") == 0))
        if not candidates.shape[0]:
            return
        owed = self.committed(grants_this_month=False, competitions_this_month=False)
        kinds = cs.view("kind")
        after = 12 - self.calendar_month
        n_recognised = 0
        for c in candidates[np.argsort(-occ[candidates], kind="mergesort")]:
            k = int(kinds[c])
            strength, table = self._support(k)
            if strength <= 0 or table.calls_per_year <= 0:
                continue
            if occ[c] < max(table.operating_recognition_occupancy, table.min_occupancy):
                continue
            name = CARRIER_KINDS[k]
            support = table.operating_support_cny_million_per_year / 12 * after
            if ledger.uncommitted(name, owed) < table.award_cny_million + support - 1e-12:
                continue
            ledger.pay(name, table.award_cny_million)
            owed[ledger.line_of(name)] += support
            cs.view("recognised")[c] = 1
            cs.view("recognised_month")[c] = self.month
            n_recognised += 1
        self.model.add("carriers_recognised", n_recognised)
        self.survey()

    def survey(self) -> None:
        """Count operating carriers, slots and recognised ones by kind; platforms by field."""
        cs = self.store
        kinds = cs.view("kind").astype(np.int64)
        op = cs.view("status") == OPERATING
        rec = op & (cs.view("recognised") == 1)
        n = len(CARRIER_KINDS)
        slots = cs.view("slots").astype(np.float64)
        self.operating = np.bincount(kinds[op], minlength=n)
        self.operating_slots = np.bincount(kinds[op], weights=slots[op], minlength=n).astype(
            np.int64
        )
        self.recognised = np.bincount(kinds[rec], minlength=n)
        self.recognised_new = np.bincount(kinds[rec & (cs.view("completed") >= 1)], minlength=n)
        ever = (cs.view("recognised_month") >= 0) & (cs.view("completed") >= 1)
        self.recognised_ever = np.bincount(kinds[ever], minlength=n)
        plat = op & (kinds == _PLATFORM)
        self.platforms_by_field = np.bincount(
            cs.view("field")[plat].astype(np.int64), minlength=len(FIELDS)
        )
        self.record("incubators", int(self.operating[_KIND["incubator"]]))

    # ------------------------------------------------------------------------------------------
    # Queries of the other mechanisms

    def count(self, name: str, counting: str = "gained") -> int:
        """Recognised operating carriers of one kind, counted as the KPI asks.

        ``"stock"``: all; ``"gained"``: those completed since the start; ``"cumulative"``:
        every carrier completed and recognised since the start, whether or not it still is.
        """
        k = _KIND[name]
        table = {
            "stock": self.recognised,
            "gained": self.recognised_new,
            "cumulative": self.recognised_ever,
        }[counting]
        return int(table[k])

    def capacity(self, names, since_start: bool = False) -> int:
        """Slots of the operating carriers of the given kinds (recognised or not)."""
        if since_start:
            cs = self.store
            new = (cs.view("status") == OPERATING) & (cs.view("completed") >= 1)
            mask = new & kind_mask(tuple(names))[cs.view("kind")]
            return int(cs.view("slots")[mask].sum())
        return int(self.operating_slots[kind_index(tuple(names))].sum())

    def hosted_per_carrier(self) -> np.ndarray:
        """Firms hosted by each carrier (kept by :mod:`.founding`), one entry per carrier."""
        missing = self.store.count - self.hosted.shape[0]
        if missing > 0:
            self.hosted = np.concatenate([self.hosted, np.zeros(missing, dtype=np.int64)])
        return self.hosted

    def hosting_carriers(self) -> np.ndarray:
        """Slots of operating carriers that host firms."""
        cs = self.store
        op = cs.view("status") == OPERATING
        return np.flatnonzero(op & kind_mask(_HOSTING)[cs.view("kind")])

    def check(self) -> None:
        """Operating carriers have finished their build; counts match the store."""
        cs = self.store
        op = cs.view("status") == OPERATING
        assert (cs.view("built")[op] >= cs.view("lead")[op] - 1e-9).all()
        assert self.operating.sum() == op.sum()
        assert ((cs.view("recognised") == 0) | (cs.view("status") != PROPOSED)).all()
        assert (self.recognised <= self.operating).all()


def kind_mask(names: tuple[str, ...]) -> np.ndarray:
    """Which carrier kinds are among the named ones, indexed by kind code (cached)."""
    mask = _MASK.get(names)
    if mask is None:
        mask = _MASK[names] = np.zeros(len(CARRIER_KINDS), dtype=np.bool_)
        mask[kind_index(names)] = True
    return mask


def kind_index(names: tuple[str, ...]) -> np.ndarray:
    """Indices of the named carrier kinds (cached)."""
    index = _INDEX.get(names)
    if index is None:
        index = _INDEX[names] = np.array([_KIND[n] for n in names], dtype=np.int64)
    return index
