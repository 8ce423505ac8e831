"""Enterprises: output and labour demand, wages that answer unfilled posts, failure, certification.

Reads ``[enterprise]`` and ``[initial]``. A firm's output follows a log random walk (Gibrat's law)
with a drift by age, funding and field (chain-leader pull, common-technology platforms, opened
labs), times ``shock_growth_multiplier`` from ``shock_month``. Its labour demand is what that
output needs at the area's labour productivity, which grows by
``labour_productivity_growth_per_year``, and at its own pay: desired staff =
``output / (productivity_index x premium^labour_demand_elasticity)``. Open posts are desired staff
(rounded up) less staff; each costs the firm ``vacancy_cost_cny_thousand_per_month``. A firm whose
posts stay open raises its pay premium by ``wage_adjustment_per_month`` a month (and lets it fall
back towards 1 when it has none); posts open ``vacancy_expiry_months`` in a row expire: the firm
gives up the growth it could not staff (its output falls to what its staff produce). Ordinary
firms and startups fail with a hazard by age, size, funding and incubation, cut for young firms
by pilot-base capacity; institutes and chain leaders do not fail. Firms at least
``high_tech_min_age_months`` to ``high_tech_max_age_months`` old with ``high_tech_min_staff``
staff are certified high-tech with a monthly chance if at least ``high_tech_min_rd_share`` of
their staff do research (the criteria of the 高新技术企业认定管理办法). Firms enter through
:mod:`.landing`, :mod:`.founding` and :mod:`.carriers` (:meth:`Enterprises.open_firms`).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import (
    EMPLOYED,
    FIRM_CHAIN_LEADER,
    FIRM_INSTITUTE,
    FIRM_ORDINARY,
    FIRM_STARTUP,
    RESEARCHER,
    SCIENTIST,
)
from ..core.component import Component
from ..core.rng import normal, normal_array, uniform, uniform_array
from ..names import FIELDS, N_KEY_CHAINS

__all__ = [
    "Enterprises",
    "FirmGrowth",
    "FirmRates",
    "firms_evolve",
    "certify_high_tech",
    "adjust_pay",
]

FirmGrowth = namedtuple(
    "FirmGrowth",
    (
        "alive",
        "kind",
        "field",
        "born",
        "output",
        "desired",
        "premium",
        "staff",
        "funded",
        "host",
        "uid",
    ),
)
FirmRates = namedtuple(
    "FirmRates",
    (
        "growth_mature",
        "growth_young",
        "growth_funded",
        "growth_sd",
        "fail_young",
        "fail_mature",
        "fail_small_mult",
        "fail_funded_mult",
        "fail_hosted_mult",
        "young_months",
        "small_staff",
        "demand_elasticity",
    ),
)
FirmPay = namedtuple(
    "FirmPay", ("alive", "output", "desired", "premium", "staff", "vacancy_months")
)
PayRule = namedtuple(
    "PayRule", ("adjustment", "premium_min", "premium_max", "expiry_months", "demand_elasticity")
)
FirmCertify = namedtuple(
    "FirmCertify", ("alive", "kind", "born", "staff", "funded", "spinoff", "high_tech", "uid")
)
CertifyRule = namedtuple(
    "CertifyRule", ("chance", "min_age", "max_age", "min_staff", "min_rd_share", "funded_mult")
)
# Firm keys: the initial firms' slot in a key space of their own
_INITIAL_FIRM_KEY = np.uint64(1) << np.uint64(62)


@njit(cache=True)
def firms_evolve(f, r, field_growth, growth_mult, productivity, pilot_relief, month, keys):
    """Grow output (log random walk with drift), derive labour demand, draw failures.

    ``f`` is a :data:`FirmGrowth`, ``r`` the :data:`FirmRates`, ``keys`` the (growth, fail)
    stream keys. Monthly drift (log units) = yearly drift / 12 by age and funding, plus
    ``field_growth[field]``, times ``growth_mult``. Desired staff = output / (productivity x
    premium^demand_elasticity). Failure hazard per month = yearly hazard / 12 x multipliers
    (small, funded, hosted), x (1 - pilot_relief) for young firms. Institutes and chain leaders do
    not fail, and grow at the established rate. Returns the number of failures.
    """
    failures = 0
    for i in range(f.alive.shape[0]):
        if not f.alive[i]:
            continue
        age = month - f.born[i]
        young = age < r.young_months
        startup_phase = young and f.kind[i] != FIRM_INSTITUTE and f.kind[i] != FIRM_CHAIN_LEADER
        drift = r.growth_young if startup_phase else r.growth_mature
        if f.funded[i]:
            drift += r.growth_funded
        drift = (drift / 12.0 + field_growth[f.field[i]]) * growth_mult
        z = normal(keys[0], f.uid[i], month)
        f.output[i] *= math.exp(drift + r.growth_sd * z)
        f.desired[i] = f.output[i] / (productivity * f.premium[i] ** r.demand_elasticity)
        if f.kind[i] == FIRM_INSTITUTE or f.kind[i] == FIRM_CHAIN_LEADER:
            continue
        h = (r.fail_young * (1.0 - pilot_relief) if young else r.fail_mature) / 12.0
        if f.staff[i] < r.small_staff:
            h *= r.fail_small_mult
        if f.funded[i]:
            h *= r.fail_funded_mult
        if f.host[i] != -1:
            h *= r.fail_hosted_mult
        if uniform(keys[1], f.uid[i], month) < h:
            f.alive[i] = 0
            failures += 1
    return failures


@njit(cache=True)
def adjust_pay(f, rule, productivity):
    """After the month's hiring: pay premia answer open posts; posts open too long expire.

    ``f`` is a :data:`FirmPay`. A firm with open posts raises its premium by
    ``exp(adjustment)``, one without lets it fall back by the same factor towards 1; the premium
    stays in ``[premium_min, premium_max]``. Posts open ``expiry_months`` months in a row expire:
    the firm's output falls to what its staff produce at its pay. Returns ``(open posts, firms
    whose posts expired)``.
    """
    open_posts = 0
    expired = 0
    for i in range(f.alive.shape[0]):
        if not f.alive[i]:
            continue
        v = int(math.ceil(f.desired[i])) - f.staff[i]
        if v > 0:
            f.vacancy_months[i] += 1
            f.premium[i] = min(rule.premium_max, f.premium[i] * math.exp(rule.adjustment))
            if f.vacancy_months[i] >= rule.expiry_months:
                staffed = max(f.staff[i], 1)
                f.output[i] = staffed * productivity * f.premium[i] ** rule.demand_elasticity
                f.desired[i] = staffed
                f.vacancy_months[i] = 0
                expired += 1
            else:
                open_posts += v
        else:
            f.vacancy_months[i] = 0
            if f.premium[i] > 1.0:
                f.premium[i] = max(1.0, f.premium[i] * math.exp(-rule.adjustment))
            elif f.premium[i] < 1.0:
                f.premium[i] = min(1.0, f.premium[i] * math.exp(rule.adjustment))
            f.premium[i] = max(rule.premium_min, f.premium[i])
    return open_posts, expired


@njit(cache=True)
def research_staff(status, kind, employer, n_firms):
    """Employed scientists and researchers of each firm."""
    out = np.zeros(n_firms, dtype=np.int64)
    for i in range(status.shape[0]):
        k = kind[i]
        research = (status[i] == EMPLOYED) & ((k == SCIENTIST) | (k == RESEARCHER))
        out[max(employer[i], 0)] += np.int64(research)
    return out


@njit(cache=True)
def certify_high_tech(f, research, rule, month, skey):
    """Certify eligible firms and startups as high-tech; return how many were certified.

    ``f`` is a :data:`FirmCertify`, ``research`` each firm's employed scientists and researchers,
    ``rule`` a :data:`CertifyRule`: eligible are live ordinary firms and startups not yet
    certified, ``min_age`` to ``max_age`` months old, with ``min_staff`` staff of whom at least
    ``min_rd_share`` do research; each is certified with chance ``chance`` (x ``funded_mult`` if
    funded or a spin-off).
    """
    n = 0
    for i in range(f.alive.shape[0]):
        if not f.alive[i] or f.high_tech[i]:
            continue
        age = month - f.born[i]
        if age < rule.min_age or age > rule.max_age or f.staff[i] < rule.min_staff:
            continue
        if research[i] < rule.min_rd_share * f.staff[i]:
            continue
        if f.kind[i] != FIRM_ORDINARY and f.kind[i] != FIRM_STARTUP:
            continue
        c = rule.chance * (rule.funded_mult if (f.funded[i] or f.spinoff[i]) else 1.0)
        if uniform(skey, f.uid[i], month) < c:
            f.high_tech[i] = 1
            n += 1
    return n


class Enterprises(Component):
    """The firms of the area."""

    properties = {
        "firms": {
            "uid": (np.uint64, 0),
            "alive": (np.int8, 0),
            "kind": (np.int8, 0),
            "field": (np.int8, 0),
            "high_tech": (np.int8, 0),
            "born": (np.int16, 0),
            "vacancy_months": (np.int16, 0),
            "staff": (np.int32, 0),
            "output": (np.float64, 0.0),
            "desired": (np.float64, 0.0),
            "premium": (np.float64, 1.0),
            "productivity": (np.float64, 1.0),
        }
    }
    outputs = (
        "firm_failures",
        "new_high_tech_firms",
        "firms_alive",
        "new_tech_smes",
        "vacancies",
        "expired_posts",
        "recruiting_cost_cny_million",
        "mean_pay_premium",
    )

    def __init__(self, model):
        super().__init__(model)
        ep = self.p.enterprise
        self.rates = FirmRates(
            ep.growth_per_year,
            ep.startup_growth_per_year,
            ep.funded_growth_per_year,
            ep.growth_sd_per_month,
            ep.fail_per_year_young,
            ep.fail_per_year_mature,
            ep.fail_small_multiplier,
            ep.fail_funded_multiplier,
            ep.fail_incubated_multiplier,
            ep.young_firm_months,
            ep.small_firm_staff,
            ep.labour_demand_elasticity,
        )
        self.pay_rule = PayRule(
            ep.wage_adjustment_per_month,
            ep.premium_min,
            ep.premium_max,
            ep.vacancy_expiry_months,
            ep.labour_demand_elasticity,
        )
        self.failures = 0  # failures of this month's evolve
        self.rule = CertifyRule(
            ep.high_tech_per_year / 12.0,
            ep.high_tech_min_age_months,
            ep.high_tech_max_age_months,
            ep.high_tech_min_staff,
            ep.high_tech_min_rd_share,
            ep.high_tech_funded_multiplier,
        )
        self._shock_month = self.model.month_of(ep.shock_month) if ep.shock_month else None
        drive = ep.certification_drive_multiplier
        self.drive_rule = self.rule._replace(
            chance=min(1.0, self.rule.chance * drive),
            max_age=int(round(self.rule.max_age * drive)),
        )
        self._drive_month = (
            self.model.month_of(ep.certification_drive_month)
            if ep.certification_drive_month
            else None
        )

    def productivity_index(self) -> float:
        """Output per worker in the area relative to the start (grows with technology)."""
        return math.exp(self.p.enterprise.labour_productivity_growth_per_year * self.month / 12.0)

    def initialise(self) -> None:
        """Ordinary firms, chain leaders and institutes of the end of 2021."""
        ini, ep, f = self.p.initial, self.p.enterprise, self.model.firms
        n_ord, n_cl, n_inst = ini.enterprises, ini.chain_leaders, ini.institutes
        f.reserve(n_ord + n_cl + n_inst)
        start, end = f.add(n_ord + n_cl + n_inst)
        sk = self.key("init.firm")
        j = np.arange(start, end)
        keys = j.astype(np.uint64)
        new = slice(start, end)
        f.view("uid")[new] = keys | _INITIAL_FIRM_KEY
        f.view("alive")[new] = 1
        kind = np.where(
            j < n_ord, FIRM_ORDINARY, np.where(j < n_ord + n_cl, FIRM_CHAIN_LEADER, FIRM_INSTITUTE)
        )
        f.view("kind")[new] = kind
        size = np.exp(ep.size_log_mean + ep.size_log_sd * normal_array(sk, keys, np.uint64(0)))
        size[kind == FIRM_CHAIN_LEADER] = ep.chain_leader_size
        size[kind == FIRM_INSTITUTE] = ep.institute_size
        cum = np.cumsum(ini.field_shares)
        field = np.minimum(
            np.searchsorted(cum, uniform_array(sk, keys, np.uint64(1)), side="right"), len(cum) - 1
        )
        leaders = kind == FIRM_CHAIN_LEADER
        field[leaders] = (j[leaders] - n_ord) % N_KEY_CHAINS
        f.view("field")[new] = field
        age = uniform_array(sk, keys, np.uint64(2)) * ep.initial_age_max_months
        f.view("born")[new] = -age.astype(np.int64)
        f.view("desired")[new] = np.maximum(1.0, size)
        f.view("productivity")[new] = np.exp(
            ep.productivity_sd * normal_array(sk, keys, np.uint64(3))
        )
        certified = uniform_array(sk, keys, np.uint64(4)) < ini.high_tech_share
        f.view("high_tech")[new] = certified & (kind == FIRM_ORDINARY)

    def settle_vacancies(self) -> None:
        """Once the residents are seated, demand is staff plus normal churn; output follows."""
        f = self.model.firms
        share = self.p.enterprise.initial_vacancy_share
        f.view("desired")[:] = f.view("staff") * (1.0 + share) + 0.5
        f.view("output")[:] = f.view("desired")

    def open_firms(self, uids: np.ndarray, kind: int, fields, desired, productivity) -> int:
        """Open ``len(uids)`` firms born this month with the given demand; return the first slot."""
        f = self.model.firms
        f.reserve(len(uids))
        start, end = f.add(len(uids))
        new = slice(start, end)
        f.view("uid")[new] = uids
        f.view("alive")[new] = 1
        f.view("kind")[new] = kind
        f.view("field")[new] = fields
        f.view("born")[new] = self.month
        f.view("desired")[new] = desired
        f.view("output")[new] = np.asarray(desired, dtype=np.float64) * self.productivity_index()
        f.view("productivity")[new] = productivity
        return start

    def evolve(self) -> None:
        """Output, labour demand and failures."""
        ep, m, f = self.p.enterprise, self.month, self.model.firms
        alive = f.view("alive").astype(bool)
        kind = f.view("kind")
        leaders = alive & (kind == FIRM_CHAIN_LEADER)
        n_lead = np.bincount(f.view("field")[leaders].astype(np.int64), minlength=len(FIELDS))
        lab = self.p.policy.lab_sharing
        opened_labs = lab.growth_per_year * self.act("lab_sharing") * lab.intensity
        field_growth = (
            ep.chain_leader_pull_per_year * n_lead
            + ep.platform_growth_per_year * self.model.carriers.platforms_by_field
            + opened_labs
        ) / 12.0
        young = alive & ((m - f.view("born")) < ep.young_firm_months)
        young &= (kind == FIRM_ORDINARY) | (kind == FIRM_STARTUP)
        pilot_cap = self.model.carriers.capacity(["pilot_base"])
        relief = ep.pilot_relief_max * min(1.0, pilot_cap / max(1, int(young.sum())))
        shocked = self._shock_month is not None and m >= self._shock_month
        self.was_alive = f.view("alive").copy()
        fails = firms_evolve(
            f.take(FirmGrowth),
            self.rates,
            field_growth,
            ep.shock_growth_multiplier if shocked else 1.0,
            self.productivity_index(),
            relief,
            m,
            (self.key("firm.growth"), self.key("firm.fail")),
        )
        self.failures = fails
        self.record("firm_failures", fails)

    def adjust(self) -> None:
        """After hiring: pay premia, expired posts, the cost of open posts."""
        f = self.model.firms
        open_posts, expired = adjust_pay(f.take(FirmPay), self.pay_rule, self.productivity_index())
        cost = open_posts * self.p.enterprise.vacancy_cost_cny_thousand_per_month / 1e3
        self.record("vacancies", open_posts)
        self.record("expired_posts", expired)
        self.record("recruiting_cost_cny_million", cost)

    def failed_this_month(self) -> np.ndarray:
        """Mask of the firms that failed in this month's :meth:`evolve`."""
        return (self.was_alive == 1) & (self.model.firms.view("alive") == 0)

    def certify(self) -> None:
        """High-tech certification."""
        f, t = self.model.firms, self.model.talents
        research = research_staff(t.view("status"), t.view("kind"), t.view("employer"), f.count)
        driven = self._drive_month is not None and self.month >= self._drive_month
        rule = self.drive_rule if driven else self.rule
        n = certify_high_tech(
            f.take(FirmCertify), research, rule, self.month, self.key("firm.certify")
        )
        self.record("new_high_tech_firms", n)

    def census(self) -> None:
        """Firms alive, ordinary firms and startups born this month, the mean pay premium."""
        f, m = self.model.firms, self.month
        kind, alive = f.view("kind"), f.view("alive").astype(bool)
        self.record("firms_alive", int(alive.sum()))
        born = (f.view("born") == m) & ((kind == FIRM_STARTUP) | (kind == FIRM_ORDINARY))
        self.record("new_tech_smes", np.count_nonzero(born) if m else 0)
        staff = f.view("staff")[alive]
        weight = staff.sum()
        premium = f.view("premium")[alive]
        self.record("mean_pay_premium", float((premium * staff).sum() / weight) if weight else 1.0)

    def check(self) -> None:
        """Staff counts agree with the talents employed by each live firm."""
        t, f = self.model.talents, self.model.firms
        emp = t.view("status") == EMPLOYED
        employer = t.view("employer")
        assert (employer[emp] >= 0).all()
        assert f.view("alive")[employer[emp]].all()
        counted = np.bincount(employer[emp], minlength=f.count)
        alive = f.view("alive").astype(bool)
        assert np.array_equal(counted[alive], f.view("staff")[alive])
        assert (employer[~emp] == -1).all()
        assert (f.view("premium")[alive] > 0).all()
