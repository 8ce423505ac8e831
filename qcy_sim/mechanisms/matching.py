"""Job matching (task 22): searchers meet vacancies through the matching function.

Reads ``[enterprise]`` (matching efficiency and elasticity) and ``[policy.talent_market]``.
Vacancies are the posts between a live firm's desired staff (rounded up) and its staff. Two
segments match separately: scientists, postdocs and strategic teams search institutes, everyone
else firms. In each segment, ``M = min(round(A U^a V^(1-a)), U, V)`` searchers are matched, with
``A`` raised by the talent market, so that searchers and vacancies can both bind; the matched are
the ``M`` searchers with the smallest draws, each taking a vacancy drawn without replacement, and
are paid their level's multiplier times the firm's pay (productivity x pay premium). The share of
searchers matched is the segment's job-finding chance and the mean pay of its open posts is the
pay it offers; next month's candidates read both.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import (
    EMPLOYED,
    FIRM_INSTITUTE,
    ORIGIN_POSTDOC,
    ORIGIN_STRATEGIC,
    SCIENTIST,
    SEARCHING,
)
from ..core.component import Component
from ..core.rng import uniform

__all__ = [
    "Matching",
    "Searchers",
    "MatchRule",
    "vacancy_slots",
    "segment_searchers",
    "match",
    "match_listed",
    "smallest",
]

Searchers = namedtuple(
    "Searchers", ("status", "kind", "origin", "uid", "employer", "wage", "level")
)
Openings = namedtuple("Openings", ("alive", "kind", "desired", "staff"))
Newcomers = namedtuple("Newcomers", ("status", "search_since"))
MatchRule = namedtuple("MatchRule", ("efficiency", "elasticity", "level_mult"))


@njit(cache=True, inline="always")
def in_institute_segment(kind, origin):
    """Scientists, postdocs and strategic teams work at institutes; everyone else at firms."""
    return kind == SCIENTIST or origin == ORIGIN_POSTDOC or origin == ORIGIN_STRATEGIC


@njit(cache=True)
def vacancy_slots(f, institutes):
    """One entry (the firm's slot) per open vacancy of the institute segment or the rest."""
    total = 0
    for i in range(f.alive.shape[0]):
        if f.alive[i] and (f.kind[i] == FIRM_INSTITUTE) == institutes:
            v = int(math.ceil(f.desired[i])) - f.staff[i]
            if v > 0:
                total += v
    slots = np.empty(total, dtype=np.int64)
    k = 0
    for i in range(f.alive.shape[0]):
        if f.alive[i] and (f.kind[i] == FIRM_INSTITUTE) == institutes:
            v = int(math.ceil(f.desired[i])) - f.staff[i]
            for _ in range(max(v, 0)):
                slots[k] = i
                k += 1
    return slots


@njit(cache=True)
def sort_uniform(draw, pos, top):
    """Positions ``pos`` in increasing order of ``draw[pos]``, ties in the order given.

    For draws uniform on ``[0, top)``: a bucket sort (one bucket per position, each bucket
    sorted by insertion) in expected linear time.
    """
    n = pos.shape[0]
    scale = n / top
    start = np.zeros(n + 1, dtype=np.int64)
    bucket = np.empty(n, dtype=np.int64)
    for j in range(n):
        b = min(int(draw[pos[j]] * scale), n - 1)
        bucket[j] = b
        start[b + 1] += 1
    for b in range(n):
        start[b + 1] += start[b]
    out = np.empty(n, dtype=np.int64)
    fill = start[:n].copy()
    for j in range(n):
        out[fill[bucket[j]]] = pos[j]
        fill[bucket[j]] += 1
    for b in range(n):
        for j in range(start[b] + 1, start[b + 1]):
            p = out[j]
            d = draw[p]
            k = j - 1
            while k >= start[b] and draw[out[k]] > d:
                out[k + 1] = out[k]
                k -= 1
            out[k + 1] = p
    return out


@njit(cache=True)
def smallest(draw, m):
    """Positions of the ``m`` smallest of the uniform ``draw``, in increasing order of draw.

    The same as the first ``m`` of a stable argsort, without sorting the draws that cannot be
    among them: those above a quantile that at least ``m`` draws pass but for a 5-sigma chance
    (when fewer pass, the whole array is sorted).
    """
    n = draw.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    p = m / n
    cut = p + 5.0 * math.sqrt(p * (1.0 - p) / n) + 1.0 / n
    if cut < 1.0:
        below = np.flatnonzero(draw < cut)
        if below.shape[0] >= m:
            return sort_uniform(draw, below, cut)
    return sort_uniform(draw, np.arange(n), 1.0)


@njit(cache=True)
def segment_searchers(t):
    """The searchers of the institute segment and of the firm segment (slot order), one pass."""
    n = t.status.shape[0]
    institutes = np.empty(n, dtype=np.int64)
    firms = np.empty(n, dtype=np.int64)
    n_inst = 0
    n_firm = 0
    for i in range(n):
        if t.status[i] == SEARCHING:
            if in_institute_segment(t.kind[i], t.origin[i]):
                institutes[n_inst] = i
                n_inst += 1
            else:
                firms[n_firm] = i
                n_firm += 1
    return institutes[:n_inst], firms[:n_firm]


@njit(cache=True)
def match_listed(t, idx, slots, pay, staff, rule, month, skey_select, skey_assign):
    """Match the searchers listed in ``idx`` (one segment's) to vacancy ``slots``.

    ``t`` is a :data:`Searchers`; ``pay`` is each firm's pay (productivity x premium). With
    ``U`` searchers and ``V`` vacancies, the ``M = min(round(A U^a V^(1-a)), U, V)`` searchers
    with the smallest draws are matched (exactly M, in random order); each takes a vacancy
    drawn without replacement. Returns ``(searchers, matches)``.
    """
    count = idx.shape[0]
    n_v = slots.shape[0]
    if count == 0 or n_v == 0:
        return count, 0
    draw = np.empty(count)
    for j in range(count):
        draw[j] = uniform(skey_select, t.uid[idx[j]], month)
    m = rule.efficiency * count**rule.elasticity * n_v ** (1.0 - rule.elasticity)
    m_int = min(int(math.floor(m + 0.5)), count, n_v)
    order = smallest(draw, m_int)
    remaining = n_v
    for r in range(m_int):
        i = idx[order[r]]
        pick = int(uniform(skey_assign, t.uid[i], month) * remaining)
        f = slots[pick]
        slots[pick] = slots[remaining - 1]
        remaining -= 1
        t.status[i] = EMPLOYED
        t.employer[i] = f
        staff[f] += 1
        t.wage[i] = rule.level_mult[t.level[i]] * pay[f]
    return count, m_int


@njit(cache=True)
def match(t, institutes, slots, pay, staff, rule, month, skey_select, skey_assign):
    """:func:`match_listed` for the searchers of one segment (institutes or the rest)."""
    idx = segment_searchers(t)[0 if institutes else 1]
    return match_listed(t, idx, slots, pay, staff, rule, month, skey_select, skey_assign)


class Matching(Component):
    """The labour market of innovation talents."""

    outputs = ("matches", "job_finding", "offered_pay")

    def __init__(self, model):
        super().__init__(model)
        start = self.p.talent.job_finding_before_start
        self.job_finding = {True: start, False: start}  # by segment: institutes, firms
        self.offered_pay = {True: 1.0, False: 1.0}  # mean pay of open posts, by segment

    def step(self) -> None:
        """Match both segments."""
        ep, m, t, f = self.p.enterprise, self.month, self.model.talents, self.model.firms
        market = self.p.policy.talent_market
        efficiency = ep.matching_efficiency * (
            1.0 + self.act("talent_market") * market.matching_gain
        )
        rule = MatchRule(
            efficiency, ep.matching_elasticity, np.array(self.p.talent.level_wage_multiplier)
        )
        openings = f.take(Openings)
        searchers = t.take(Searchers)
        pay = f.view("productivity") * f.view("premium")
        total_matches, total_search = 0, 0
        listed = segment_searchers(searchers)  # matching one segment leaves the other's list
        for institutes, idx in zip((True, False), listed, strict=True):
            slots = vacancy_slots(openings, institutes)
            if slots.shape[0]:
                self.offered_pay[institutes] = float(pay[slots].mean())
            n_search, matches = match_listed(
                searchers,
                idx,
                slots,
                pay,
                f.view("staff"),
                rule,
                m,
                self.key("match.select"),
                self.key("match.assign"),
            )
            self.job_finding[institutes] = matches / n_search if n_search else 1.0
            total_matches += matches
            total_search += n_search
        if total_matches and self.act("talent_market") > 0:
            self.model.reforms.outcome("talent_market", total_matches)
        self.record("matches", total_matches)
        self.record("job_finding", total_matches / total_search if total_search else 1.0)
        self.record("offered_pay", self.offered_pay[False])
