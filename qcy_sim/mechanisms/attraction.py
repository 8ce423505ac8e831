"""Attraction (tasks 6, 7, 9/16, 13, 18, 21, 22, 24, 25, 27): candidate pools and location choice.

Reads ``[talent]``, ``[competitors]`` and the levers that shape pools and offers. Each month,
candidates come from three pools - other Chinese regions, overseas, and local graduates (in a
season) - plus programme placements (postdocs, strategic scientists and their teams) and
flexible engagements (enclaves, offshore incubators). A candidate draws a kind, a field, a log
ability and a wage expectation, and chooses among the area, each competing destination and
staying where it is by a multinomial logit. The area's utility weighs the pay its open posts
offer against the expectation, the awards it can be expected to pay, headhunters, housing,
services, carriers, the talent port, the atmosphere and the chance of finding a job; a
competitor's weighs its pay, subsidies, housing and amenity (:mod:`.competitors`). Placements and
flexible talents come whatever the logit says. Awards to recognised arrivals are paid on arrival
from the awards line; living subsidies to young talents and students are paid monthly.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import (
    EMPLOYED,
    FLEXIBLE,
    KEY_STRATEGIC_TEAM,
    MANAGER,
    ORIGIN_DOMESTIC,
    ORIGIN_ENCLAVE,
    ORIGIN_GRADUATE,
    ORIGIN_OFFSHORE,
    ORIGIN_OVERSEAS,
    ORIGIN_POSTDOC,
    ORIGIN_STRATEGIC,
    PROFESSIONAL,
    SCIENTIST,
    SEARCHING,
    STUDENT,
    YOUNG,
)
from ..core.component import Component
from ..core.rng import normal_bits, normal_quantile, poisson, uniform
from ..names import CARRIER_KINDS, TALENT_KINDS

__all__ = ["Attraction", "Pools", "Choice", "ArrivalKeys", "Arrivals", "arrivals", "talent_uid"]

# A pool: origin stored, origin that keys its candidates, mean size or exact count, whether its
# candidates come whatever the logit says, their status on arrival, their kind shares.
Pool = namedtuple("Pool", ("origin", "key_origin", "size", "exact", "forced", "status", "kinds"))
Pools = namedtuple(
    "Pools",
    (
        "size",
        "origin",
        "key_origin",
        "forced",
        "status",
        "kind_shares",
        "ability_shift",
        "recognised",
        "asc",
        "utility",
    ),
)
Choice = namedtuple(
    "Choice",
    (
        "field_shares",
        "overseas_shift",
        "ability_sd",
        "th_high_end",
        "th_high_level",
        "level_mult",
        "expectation_ratio",
        "expectation_sd",
        "beta_wage",
        "beta_award",
        "award_by_level",
        "utility_by_level",
    ),
)
# the competing destinations: pay ratio, subsidy by level (thousand CNY), other utility
Rivals = namedtuple("Rivals", ("pay", "subsidy", "utility"))
ArrivalKeys = namedtuple(
    "ArrivalKeys", ("kind", "field", "ability", "expectation", "choice", "title")
)
Arrivals = namedtuple(
    "Arrivals",
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
        "expectation",
        "arrived",
        "search_since",
    ),
)
SubsidyCensus = namedtuple("SubsidyCensus", ("status", "kind", "arrived", "level"))
# beta_award is in utils per 100 thousand CNY; awards are in thousand CNY
_AWARD_UNIT = 100.0
_POOL_KEYS = {ORIGIN_DOMESTIC: 0, ORIGIN_OVERSEAS: 1, ORIGIN_GRADUATE: 2}


def talent_uid(month, origin, index):
    """Stable key of a talent: who it is does not depend on who else arrived."""
    return (
        (np.uint64(month) << np.uint64(44))
        | (np.uint64(origin) << np.uint64(40))
        | np.uint64(index)
    )


_talent_uid = njit(cache=True)(talent_uid)


@njit(cache=True)
def categorical(u, shares):
    """Index i with cumulative share just above ``u`` (inverse CDF of a categorical).

    The last index when ``u`` is at or above every cumulative share but the last. ``shares``
    are non-negative: the index is the number of cumulative shares at or below ``u``, counted
    without a branch (the draw falls anywhere, so a loop that stops would mispredict).
    """
    acc = 0.0
    i = 0
    for k in range(shares.shape[0] - 1):
        acc += shares[k]
        i += 1 if acc <= u else 0
    return i


CandidateDraws = namedtuple(
    "CandidateDraws", ("kind", "field", "title", "choice", "ability", "expectation")
)


@njit(cache=True)
def candidate_draws(keys, month, key_origin, size):
    """The draws of a pool's candidates: uniforms, and the hash bits of the two normals.

    Drawn in a loop of their own, which the compiler vectorises; the candidates' loop then
    reads them.
    """
    d = CandidateDraws(
        np.empty(size),
        np.empty(size),
        np.empty(size),
        np.empty(size),
        np.empty(size, dtype=np.uint64),
        np.empty(size, dtype=np.uint64),
    )
    for i in range(size):
        key = _talent_uid(month, key_origin, i)
        d.kind[i] = uniform(keys.kind, key, month)
        d.field[i] = uniform(keys.field, key, month)
        d.title[i] = uniform(keys.title, key, month)
        d.choice[i] = uniform(keys.choice, key, month)
        d.ability[i] = normal_bits(keys.ability, key, month)
        d.expectation[i] = normal_bits(keys.expectation, key, month)
    return d


@njit(cache=True)
def arrivals(t, pools, c, rivals, keys, month, start):
    """Candidates choose among the area, the competitors and staying (multinomial logit).

    Pool ``j`` holds ``pools.size[j]`` candidates. Candidate ``i`` draws a kind, a field, a log
    ability and a wage expectation ``e = expectation_ratio x level_mult[level] x exp(sd z)``
    (wages are relative: 1 is the area's pay for a general talent at an average firm). The area
    offers ``w = level_mult[recognised level]``; its utility over staying is ``asc[j] +
    beta_wage log(w / e) + beta_award award / 100k + utility_by_level[level] + utility[j,
    kind]``, where ``utility`` carries the pay its open posts offer relative to 1, and its
    amenities. Competitor ``r`` offers ``pay[r] x level_mult[level]`` and its subsidy for the
    level; its utility is ``beta_wage log(pay / e) + beta_award subsidy / 100k + utility[r]``.
    Staying has utility 0. One uniform draw picks the destination; candidates of ``forced``
    pools come whatever it says. Arrivals are written into the :data:`Arrivals` arrays ``t``
    from slot ``start``. Returns ``(n_arrived, chosen_by_level, chosen_by_rival)``, the last two
    counting candidates who chose (not placements).
    """
    n = start
    by_level = np.zeros(3, dtype=np.int64)
    n_rivals = rivals.pay.shape[0]
    by_rival = np.zeros(n_rivals, dtype=np.int64)
    weights = np.empty(n_rivals)
    # exp(utility) = exp(what does not depend on the expectation) x exp(-beta_wage log e)
    log_e_mean = np.empty(3)
    area_weight = np.empty(3)
    rival_weight = np.empty((n_rivals, 3))
    for lvl in range(3):
        log_e_mean[lvl] = math.log(c.expectation_ratio * c.level_mult[lvl])
        area_weight[lvl] = math.exp(
            c.beta_wage * math.log(c.level_mult[lvl])
            + c.beta_award * c.award_by_level[lvl] / _AWARD_UNIT
            + c.utility_by_level[lvl]
        )
        for r in range(n_rivals):
            rival_weight[r, lvl] = math.exp(
                c.beta_wage * math.log(rivals.pay[r] * c.level_mult[lvl])
                + c.beta_award * rivals.subsidy[r, lvl] / _AWARD_UNIT
                + rivals.utility[r]
            )
    pool_weight = np.empty_like(pools.utility)
    for j in range(pools.utility.shape[0]):
        for k in range(pools.utility.shape[1]):
            pool_weight[j, k] = math.exp(pools.asc[j] + pools.utility[j, k])
    for j in range(pools.size.shape[0]):
        o = pools.origin[j]
        kind_shares = pools.kind_shares[j]
        d = candidate_draws(keys, month, pools.key_origin[j], pools.size[j])
        for i in range(pools.size[j]):
            key = _talent_uid(month, pools.key_origin[j], i)
            k = categorical(d.kind[i], kind_shares)
            a = pools.ability_shift[j, k] + (c.overseas_shift if o == ORIGIN_OVERSEAS else 0.0)
            a += c.ability_sd * normal_quantile(d.ability[i])
            lvl = 0
            if a >= c.th_high_level:
                lvl = 2
            elif a >= c.th_high_end:
                lvl = 1
            is_titled = d.title[i] < pools.recognised[j]
            rec = lvl if is_titled else 0
            z = normal_quantile(d.expectation[i])
            log_e = log_e_mean[lvl] + c.expectation_sd * z
            if not pools.forced[j]:
                scale = math.exp(-c.beta_wage * log_e)
                w_area = pool_weight[j, k] * area_weight[rec] * scale
                total = 1.0 + w_area
                for r in range(n_rivals):
                    weights[r] = rival_weight[r, lvl] * scale
                    total += weights[r]
                u_choice = d.choice[i] * total
                if u_choice >= w_area:
                    acc = w_area
                    for r in range(n_rivals):
                        acc += weights[r]
                        if u_choice < acc:
                            by_rival[r] += 1
                            break
                    continue
            t.uid[n] = key
            t.status[n] = pools.status[j]
            t.kind[n] = k
            t.field[n] = categorical(d.field[i], c.field_shares)
            t.origin[n] = o
            t.level[n] = rec
            t.level_since[n] = month if rec > 0 else -1
            t.ability[n] = a
            t.titled[n] = 1 if is_titled else 0
            t.expectation[n] = math.exp(log_e)
            t.arrived[n] = month
            t.search_since[n] = month
            if not pools.forced[j]:
                by_level[rec] += 1
            n += 1
    return n - start, by_level, by_rival


@njit(cache=True)
def subsidy_census(t, month, subsidy_months):
    """``(young talents and students within their living-subsidy months, high-level residents)``.

    Only residents who arrived since the start receive living subsidies.
    """
    young = 0
    high = 0
    for i in range(t.status.shape[0]):
        s = t.status[i]
        k = t.kind[i]
        resident = np.int64((s == EMPLOYED) | (s == SEARCHING))
        high += resident & np.int64(t.level[i] == 2)
        young_kind = np.int64((k == YOUNG) | (k == STUDENT))
        subsidised = np.int64((t.arrived[i] >= 1) & (month - t.arrived[i] <= subsidy_months))
        young += resident & young_kind & subsidised
    return young, high


class Attraction(Component):
    """Candidate pools, the location choice and what arrivals are paid."""

    outputs = ("candidates", "arrivals", "chose_area", "stayed")

    def __init__(self, model):
        super().__init__(model)
        self.subsidy_ratio = 1.0  # share of last month's living subsidies paid
        self.award_ratio = 1.0  # share of last month's awards paid
        self.high_level_residents = 0  # counted when subsidies are paid (services reads it)

    def pay_subsidies(self) -> None:
        """Living subsidies of this month, for young talents and students who arrived."""
        aw = self.p.policy.awards
        young, self.high_level_residents = subsidy_census(
            self.model.talents.take(SubsidyCensus), self.month, aw.living_subsidy_months
        )
        self.subsidy_ratio = 0.0
        if self.act("awards") > 0:
            owed = young * aw.living_subsidy_cny_thousand_per_month / 1e3
            paid = self.model.ledger.pay("living_subsidy", owed)
            self.subsidy_ratio = paid / owed if owed > 0 else 1.0

    def _pools(self) -> list:
        """This month's pools of candidates, placements and flexible engagements."""
        tp, pol, m, ledger = self.p.talent, self.p.policy, self.month, self.model.ledger
        sk = self.key("arrival.count")
        season = tp.graduate_season[(self.model.calendar0 + m - 1) % 12]
        dom_shares = np.array(tp.domestic_kind_shares)
        dom_mult = 1.0 + self.act("talent_market") * pol.talent_market.pool_gain
        ct = self.act("chain_talent")
        if ct > 0:
            boost = np.ones(len(TALENT_KINDS))
            boost[[MANAGER, PROFESSIONAL]] += ct * pol.chain_talent.pool_gain
            dom_mult *= float((dom_shares * boost).sum())
            dom_shares = dom_shares * boost / (dom_shares * boost).sum()
        os_ = pol.overseas_stations
        overseas = tp.candidates_overseas_per_month + (
            self.act("overseas_stations") * os_.stations * os_.candidates_per_station_per_month
        )
        pools = [
            Pool(ORIGIN_DOMESTIC, 0, tp.candidates_domestic_per_month * dom_mult, False, False,
                 SEARCHING, dom_shares),
            Pool(ORIGIN_OVERSEAS, 1, overseas, False, False, SEARCHING,
                 np.array(tp.overseas_kind_shares)),
            Pool(ORIGIN_GRADUATE, 2, tp.graduates_per_year * season, False, False, SEARCHING,
                 np.array(tp.graduate_kind_shares)),
        ]  # fmt: skip
        one_kind = np.eye(len(TALENT_KINDS))
        if self.act("young_talent") > 0:
            yt = pol.young_talent
            want = poisson(self.act("young_talent") * yt.postdocs_per_year / 12.0, sk, 4, m)
            cost = yt.postdoc_cost_cny_thousand / 1e3
            n = min(want, int(ledger.available("young_talent") // cost)) if cost > 0 else want
            ledger.pay("young_talent", n * cost)
            self.model.reforms.outcome("young_talent", n)
            pools.append(Pool(ORIGIN_POSTDOC, ORIGIN_POSTDOC, n, True, True, SEARCHING,
                              one_kind[YOUNG]))  # fmt: skip
        if self.act("strategic_scientists") > 0:
            ss = pol.strategic_scientists
            want = poisson(self.act("strategic_scientists") * ss.arrivals_per_year / 12.0, sk, 5, m)
            n = sum(
                1
                for _ in range(want)
                if ledger.pay_all("strategic_scientists", ss.package_cny_million)
            )
            pools.append(Pool(ORIGIN_STRATEGIC, ORIGIN_STRATEGIC, n, True, True, SEARCHING,
                              one_kind[SCIENTIST]))  # fmt: skip
            pools.append(Pool(ORIGIN_STRATEGIC, KEY_STRATEGIC_TEAM, n * ss.team_size, True, True,
                              SEARCHING, one_kind[YOUNG]))  # fmt: skip
        if self.act("enclaves") > 0:
            en = pol.enclaves
            lam = self.act("enclaves") * en.enclaves * en.flexible_per_enclave_per_year / 12.0
            pools.append(Pool(ORIGIN_ENCLAVE, ORIGIN_ENCLAVE, lam, False, True, FLEXIBLE,
                              dom_shares))  # fmt: skip
        if self.act("offshore") > 0:
            of = pol.offshore
            lam = self.act("offshore") * of.offshore_incubators * of.flexible_per_incubator_per_year
            pools.append(Pool(ORIGIN_OFFSHORE, ORIGIN_OFFSHORE, lam / 12, False, True, FLEXIBLE,
                              np.array(tp.overseas_kind_shares)))  # fmt: skip
        return pools

    def step(self) -> None:
        """This month's arrivals."""
        tp, pol, m, t = self.p.talent, self.p.policy, self.month, self.model.talents
        sk = self.key("arrival.count")
        pools = self._pools()
        sizes = np.array(
            [int(p.size) if p.exact else poisson(p.size, sk, p.key_origin, m) for p in pools],
            dtype=np.int64,
        )
        n_pools = len(pools)
        forced = np.array([p.forced for p in pools])
        ability_shift = np.tile(np.array(tp.ability_shift_by_kind), (n_pools, 1))
        recognised = np.full(n_pools, tp.arrival_recognised_share)
        ev = self.act("evaluation_reform") * pol.evaluation_reform.intensity
        asc_by_origin = {
            ORIGIN_DOMESTIC: tp.asc_domestic,
            ORIGIN_OVERSEAS: tp.asc_overseas,
            ORIGIN_GRADUATE: tp.asc_graduate,
        }
        asc = np.zeros(n_pools)
        region = self.region_utility()
        util = np.zeros((n_pools, len(TALENT_KINDS)))
        for j, p in enumerate(pools):
            if p.origin in (ORIGIN_OVERSEAS, ORIGIN_OFFSHORE):
                gain = pol.evaluation_reform.overseas_recognition_gain
                recognised[j] = min(1.0, recognised[j] * (1.0 + gain * ev))
            if p.origin == ORIGIN_STRATEGIC and p.key_origin == ORIGIN_STRATEGIC:
                margin = pol.strategic_scientists.ability_margin
                ability_shift[j, SCIENTIST] = tp.high_level_threshold + margin
                recognised[j] = 1.0
            asc[j] = asc_by_origin.get(p.key_origin, 0.0)
            util[j] = region
            if p.origin == ORIGIN_OVERSEAS:
                util[j] += self._overseas_utility()
            if p.origin == ORIGIN_GRADUATE:
                util[j] += self._graduate_utility()
        awards = np.zeros(3)
        if self.act("awards") > 0:
            aw = pol.awards
            awards[:] = [0.0, aw.high_end_cny_thousand, aw.high_level_cny_thousand]
        expected = awards * self.award_ratio  # what candidates can expect to be paid
        by_level_util = np.zeros(3)
        hh = self.act("services") * pol.services.headhunter_utility
        by_level_util[1:] = hh
        choice = Choice(
            np.array(tp.field_shares),
            tp.overseas_ability_shift,
            tp.log_ability_sd,
            tp.high_end_threshold,
            tp.high_level_threshold,
            np.array(tp.level_wage_multiplier),
            tp.expectation_ratio,
            tp.expectation_sd,
            tp.beta_wage,
            tp.beta_award,
            expected,
            by_level_util,
        )
        spec = Pools(
            sizes,
            np.array([p.origin for p in pools], dtype=np.int64),
            np.array([p.key_origin for p in pools], dtype=np.int64),
            forced,
            np.array([p.status for p in pools], dtype=np.int8),
            np.array([p.kinds for p in pools]),
            ability_shift,
            recognised,
            asc,
            util,
        )
        keys = ArrivalKeys(*(self.key(f"arrival.{name}") for name in ArrivalKeys._fields))
        t.reserve(int(sizes.sum()))
        arrays = Arrivals(*(t.full(p) for p in Arrivals._fields))
        rivals = self.model.competitors.offers()
        n_arr, by_level, by_rival = arrivals(arrays, spec, choice, rivals, keys, m, t.count)
        new = slice(t.count, t.count + n_arr)
        t.grow_to(t.count + n_arr)
        engaged = sum(int(sizes[j]) for j, p in enumerate(pools) if p.origin == ORIGIN_ENCLAVE)
        if engaged:  # enclave pools come without a choice: all of them are engaged
            self.model.reforms.outcome("enclaves", engaged)
        resident = t.view("status")[new] != FLEXIBLE
        owed = float(awards[t.view("level")[new][resident]].sum()) / 1e3
        paid = self.model.ledger.pay("awards", owed)
        self.award_ratio = paid / owed if owed > 0 else 1.0
        if hh > 0:
            fee = pol.services.headhunter_fee_cny_thousand / 1e3
            self.model.ledger.pay("headhunters", float(by_level[1:].sum()) * fee)
        flexible = int(np.count_nonzero(t.view("status")[new] == FLEXIBLE))
        self.record("candidates", int(sizes[~forced].sum()))
        self.record("arrivals", n_arr - flexible)
        self.record("chose_area", int(by_level.sum()))
        self.model.competitors.chosen(by_rival)
        self.record("stayed", int(sizes[~forced].sum()) - int(by_level.sum()) - int(by_rival.sum()))

    def region_utility(self) -> np.ndarray:
        """Utility of the area's pay, amenities and job prospects, by talent kind."""
        tp, model = self.p.talent, self.model
        cap = model.carriers.capacity(CARRIER_KINDS)
        base = (
            tp.beta_housing * model.housing.chance
            + tp.beta_services * model.services.level
            + tp.beta_carriers * np.log1p(cap / tp.carrier_capacity_scale)
            + model.services.atmosphere_utility
        )
        if model.port.open:
            base += self.p.policy.talent_port.amenity_utility
        util = np.full(len(TALENT_KINDS), base)
        for kind in range(len(TALENT_KINDS)):
            institutes = kind == SCIENTIST
            jf = model.matching.job_finding[institutes]
            util[kind] += tp.beta_jobs * np.log(max(jf, tp.job_finding_floor))
            util[kind] += tp.beta_wage * np.log(model.matching.offered_pay[institutes])
        aw = self.p.policy.awards
        if self.act("awards") > 0:
            pv = aw.living_subsidy_cny_thousand_per_month * aw.living_subsidy_months
            for kind in (YOUNG, STUDENT):
                util[kind] += tp.beta_award * pv * self.subsidy_ratio / _AWARD_UNIT
        return util

    def _overseas_utility(self) -> float:
        pol = self.p.policy
        of = pol.offshore
        u = (
            self.act("offshore")
            * of.overseas_utility
            * min(of.offshore_incubators, of.utility_cap_incubators)
        )
        if self.model.port.open:
            u += pol.talent_port.overseas_utility
        return u

    def _graduate_utility(self) -> float:
        pol = self.p.policy
        ui = pol.university_industry
        return (
            self.act("three_pools") * pol.three_pools.joint_recruitment_utility
            + self.act("young_talent") * pol.young_talent.graduate_utility
            + self.act("university_industry")
            * ui.partnerships
            * ui.graduate_utility_per_partnership
        )
