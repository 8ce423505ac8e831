"""Founding and startups (tasks 3, 5, 8, 10, 14, 19): who founds, and where startups are hosted.

Reads ``talent.founding_*`` and the levers that raise founding. An employed talent of kind ``k``
founds with monthly chance ``founding_per_year[k] / 12`` times

* ``1 + founding_carrier_effect x`` the free share of hosting slots (incubators, student spaces,
  innovation carriers, and enclaves' remote slots),
* ``1 + founding_funding_effect x min(1, 12 x`` the monthly chance that a fund invests``)``,
* ``1 + fault_tolerance.founding_gain x`` its strength x intensity,

and, for scientists and researchers, by the tech-transfer equity rules, the results pool and the
university parks; for managers by the managers' programme; for students by recent competitions.
A startup is born with ``startup_desired_staff``; it is incubated if a hosting slot is free (in
the operating hosting carrier with the lowest occupancy, else in an enclave's remote slot), and
leaves its slot when it fails or reaches ``young_firm_months``. At the start the young firms sit
in the hosting carriers of the start (:meth:`Founding.host_initial`). Spin-offs (founders who
are scientists or researchers, and brokered transfers) are subsidised under tech transfer.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..core.codes import (
    EMPLOYED,
    FIRM_ORDINARY,
    FIRM_STARTUP,
    MANAGER,
    RESEARCHER,
    SCIENTIST,
    STUDENT,
)
from ..core.component import Component
from ..core.rng import normal_array
from ..names import TALENT_KINDS

__all__ = ["Founding", "hosted_release", "seat_firms"]

_HOSTING_KINDS = ("incubator", "student_space", "innovation_carrier")
_RESEARCH = np.zeros(len(TALENT_KINDS), dtype=np.int8)
_RESEARCH[[SCIENTIST, RESEARCHER]] = 1
_S50, _S62 = np.uint64(50), np.uint64(62)
_STARTUP_SPACE = np.uint64(3)


# a firm's host: a carrier slot, this code for an enclave's remote slot, or NOT_HOSTED
REMOTE, NOT_HOSTED = -2, -1


@njit(cache=True, inline="always")
def _fuller(a, b, share):
    """Whether candidate ``a`` comes after ``b``: a higher share, or an equal one and later."""
    return share[a] > share[b] or (share[a] == share[b] and a > b)


@njit(cache=True)
def _sift_down(heap, n, pos, share):
    item = heap[pos]
    while True:
        child = 2 * pos + 1
        if child >= n:
            break
        if child + 1 < n and _fuller(heap[child], heap[child + 1], share):
            child += 1
        if not _fuller(item, heap[child], share):
            break
        heap[pos] = heap[child]
        pos = child
    heap[pos] = item


@njit(cache=True)
def seat_firms(hosts, candidates, occupied, slots, remote, remote_slots):
    """Seat firms in order: the free carrier slot of lowest occupancy share, then remote slots.

    Among carriers of equal share the first candidate is taken. ``candidates`` are distinct
    carrier slots; ``occupied`` (firms per carrier) is updated in place; returns ``(seated,
    remote)``. The carriers with a free slot are kept in a binary heap by (share, position), so
    seating ``F`` firms among ``C`` carriers takes ``O((F + C) log C)``, not ``O(F C)``.
    """
    share = np.empty(candidates.shape[0])
    heap = np.empty(candidates.shape[0], dtype=np.int64)
    n = 0
    for j in range(candidates.shape[0]):
        used = occupied[candidates[j]]
        if used < slots[j]:
            share[j] = used / max(slots[j], 1.0)
            heap[n] = j
            n += 1
    for pos in range(n // 2 - 1, -1, -1):
        _sift_down(heap, n, pos, share)
    seated = 0
    for i in range(hosts.shape[0]):
        if n > 0:
            best = heap[0]
            hosts[i] = candidates[best]
            occupied[candidates[best]] += 1
            seated += 1
            used = occupied[candidates[best]]
            if used < slots[best]:
                share[best] = used / max(slots[best], 1.0)
            else:  # full: the last leaf takes its place
                n -= 1
                heap[0] = heap[n]
            _sift_down(heap, n, 0, share)
        elif remote < remote_slots:
            hosts[i] = REMOTE
            remote += 1
            seated += 1
    return seated, remote


@njit(cache=True)
def hosted_release(alive, born, host, month, young_months):
    """Firms leave their incubator when they reach ``young_months`` of age or fail."""
    for i in range(alive.shape[0]):
        if host[i] != NOT_HOSTED and (not alive[i] or month - born[i] >= young_months):
            host[i] = NOT_HOSTED


class Founding(Component):
    """Founding chances, startups and their incubation."""

    properties = {"firms": {"host": (np.int32, NOT_HOSTED), "spinoff": (np.int8, 0)}}
    outputs = ("startups_founded", "new_spinoff_firms")

    def remote_slots(self) -> int:
        """Enclaves' remote incubation slots while they act."""
        en = self.p.policy.enclaves
        return en.enclaves * en.remote_slots_per_enclave if self.act("enclaves") > 0 else 0

    def hosting_slots(self) -> int:
        """Incubation slots: hosting carriers, plus enclaves' remote slots while they act."""
        return self.model.carriers.capacity(_HOSTING_KINDS) + self.remote_slots()

    def __init__(self, model):
        super().__init__(model)
        self._hosted = 0  # firms holding a slot (failed ones until the next release)
        self._remote = 0  # of them, in enclaves' remote slots

    def hosted(self) -> int:
        """Firms incubated now."""
        return self._hosted

    def founding_chances(self) -> np.ndarray:
        """Monthly chance that an employed talent of each kind founds a startup."""
        tp, pol = self.p.talent, self.p.policy
        slots = self.hosting_slots()
        free_share = max(0, slots - self.hosted()) / slots if slots else 0.0
        mult = 1.0 + tp.founding_carrier_effect * free_share
        mult *= 1.0 + tp.founding_funding_effect * min(
            1.0, 12.0 * self.model.investment.invest_chance()
        )
        ft = self.act("fault_tolerance") * pol.fault_tolerance.intensity
        mult *= 1.0 + pol.fault_tolerance.founding_gain * ft
        prob = np.array(tp.founding_per_year) / 12.0 * mult
        tt = pol.tech_transfer
        research = 1.0 + self.act("tech_transfer") * tt.founding_gain * tt.equity_intensity
        research += self.act("three_pools") * pol.three_pools.results_pool_spinoff
        tr = pol.transformation
        research += self.act("transformation") * tr.university_parks * tr.spinoff_per_park
        for kind in (SCIENTIST, RESEARCHER):
            prob[kind] *= research
        mg = pol.managers
        prob[MANAGER] *= 1.0 + mg.founding_gain * self.act("managers") * mg.intensity
        prob[STUDENT] *= 1.0 + self.model.teams.competition_effect()
        return np.minimum(prob, 1.0)

    def start_firms(self, founders: np.ndarray, spinoff: bool) -> None:
        """Founders open startups; a startup is incubated while hosting slots are free."""
        m, t, f, tp = self.month, self.model.talents, self.model.firms, self.p.talent
        n = len(founders)
        uid = t.view("uid")[founders]
        uids = uid ^ (np.uint64(m) << _S50) ^ (_STARTUP_SPACE << _S62)
        z = normal_array(self.key("firm.productivity"), uids, np.uint64(m))
        productivity = np.exp(self.p.enterprise.productivity_sd * z)
        kinds = t.view("kind")[founders]
        start = self.model.enterprises.open_firms(
            uids,
            FIRM_STARTUP,
            t.view("field")[founders],
            self.p.enterprise.startup_desired_staff,
            productivity,
        )
        new = slice(start, start + n)
        f.view("spinoff")[new] = 1 if spinoff else _RESEARCH[kinds]
        f.view("host")[new] = self._hosts(n)
        f.view("staff")[new] = 1
        t.view("status")[founders] = EMPLOYED
        t.view("employer")[founders] = np.arange(start, start + n)
        mult = np.array(tp.level_wage_multiplier)
        t.view("wage")[founders] = mult[t.view("level")[founders]] * productivity
        n_spin = int(f.view("spinoff")[new].sum())
        if self.act("tech_transfer") > 0 and n_spin:
            subsidy = self.p.policy.tech_transfer.spinoff_subsidy_cny_thousand
            self.model.ledger.pay("tech_transfer", n_spin * subsidy / 1e3)
            self.model.reforms.outcome("tech_transfer", n_spin)
        self.model.add("startups_founded", n)
        self.model.add("new_spinoff_firms", n_spin)

    def _hosts(self, n: int) -> np.ndarray:
        """Hosts for ``n`` firms: free carrier slots, least occupied first, then remote slots."""
        carriers = self.model.carriers
        hosts = np.full(n, NOT_HOSTED, dtype=np.int32)
        candidates = carriers.hosting_carriers()
        occupied = carriers.hosted_per_carrier()
        slots = carriers.store.view("slots")[candidates].astype(np.float64)
        placed, self._remote = seat_firms(
            hosts, candidates, occupied, slots, self._remote, self.remote_slots()
        )
        self._hosted += placed
        return hosts

    def host_initial(self) -> None:
        """The young firms of the start sit in the hosting carriers of the start, youngest first.

        The area's incubators and carriers were in use before 2022; the firms are seated as
        startups are (:meth:`_hosts`), while slots are free.
        """
        f = self.model.firms
        age = -f.view("born").astype(np.int64)
        kind = f.view("kind")
        young = (age < self.p.enterprise.young_firm_months) & (
            (kind == FIRM_ORDINARY) | (kind == FIRM_STARTUP)
        )
        order = np.flatnonzero(young)[np.argsort(age[young], kind="stable")]
        f.view("host")[order] = self._hosts(order.shape[0])

    def release(self) -> None:
        """Incubated firms that failed or grew up leave their slot; recount the hosts."""
        f = self.model.firms
        hosted_release(
            f.view("alive"),
            f.view("born"),
            f.view("host"),
            self.month,
            self.p.enterprise.young_firm_months,
        )
        self.recount()

    def recount(self) -> None:
        """Firms hosted by each carrier, in remote slots, and in all."""
        host = self.model.firms.view("host")
        carriers = self.model.carriers
        placed = host[host >= 0].astype(np.int64)
        carriers.hosted = np.bincount(placed, minlength=carriers.store.count)
        self._remote = int(np.count_nonzero(host == REMOTE))
        self._hosted = placed.shape[0] + self._remote

    def check(self) -> None:
        """The hosted counts are right; no carrier hosts more firms than it has slots."""
        host = self.model.firms.view("host")
        assert self._hosted == int(np.count_nonzero(host != NOT_HOSTED))
        carriers = self.model.carriers
        cs = carriers.store
        placed = np.bincount(host[host >= 0].astype(np.int64), minlength=cs.count)
        assert np.array_equal(placed[: cs.count], carriers.hosted[: cs.count])
        assert (placed[: cs.count] <= cs.view("slots")).all()
