"""Enterprises: initial firms, growth of desired staff, failure and high-tech certification.

Reads ``[enterprise]`` and ``[initial]``. A firm's desired staff follows a log random walk
(Gibrat's law) with a drift by age, funding and field (chain-leader pull, common-technology
platforms, opened labs), frozen while its open vacancies exceed
``staff x max_vacancy_share + vacancy_slack``. Ordinary firms and startups fail with a hazard by
age, size, funding and incubation, cut for young firms by pilot-base capacity; institutes and
chain leaders do not fail. Firms at least ``high_tech_min_age_months`` old with
``high_tech_min_staff`` staff are certified high-tech with a monthly chance. Firms enter through
:mod:`.landing`, :mod:`.founding` and :mod:`.carriers` (:meth:`Enterprises.open_firms`).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import FIRM_CHAIN_LEADER, FIRM_INSTITUTE, FIRM_ORDINARY, FIRM_STARTUP
from ..core.component import Component
from ..core.rng import normal, normal_array, uniform, uniform_array
from ..names import FIELDS, N_KEY_CHAINS

__all__ = ["Enterprises", "FirmGrowth", "FirmRates", "firms_evolve", "certify_high_tech"]

FirmGrowth = namedtuple(
    "FirmGrowth", ("alive", "kind", "field", "born", "desired", "staff", "funded", "hosted", "uid")
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
        "max_vacancy_share",
        "vacancy_slack",
        "young_months",
        "small_staff",
    ),
)
FirmCertify = namedtuple(
    "FirmCertify", ("alive", "kind", "born", "staff", "funded", "spinoff", "high_tech", "uid")
)
CertifyRule = namedtuple("CertifyRule", ("chance", "min_age", "min_staff", "funded_mult"))
# Firm keys: the initial firms' slot in a key space of their own
_INITIAL_FIRM_KEY = np.uint64(1) << np.uint64(62)


@njit(cache=True)
def firms_evolve(f, r, field_growth, pilot_relief, month, skey_growth, skey_fail):
    """Grow desired staff (log random walk with drift) and draw failures; return failures.

    ``f`` is a :data:`FirmGrowth`, ``r`` the :data:`FirmRates`. Desired staff stops growing
    while open vacancies exceed ``staff x max_vacancy_share + vacancy_slack``: a firm does not
    plan more openings than it can recruit against. Monthly drift (log units) = yearly drift / 12
    by age and funding, plus ``field_growth[field]``. Failure hazard per month = yearly hazard /
    12 x multipliers (small, funded, hosted), x (1 - pilot_relief) for young firms. Institutes
    and chain leaders do not fail, and grow at the established rate.
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
        drift = drift / 12.0 + field_growth[f.field[i]]
        z = normal(skey_growth, f.uid[i], month)
        if f.desired[i] <= f.staff[i] * (1.0 + r.max_vacancy_share) + r.vacancy_slack:
            f.desired[i] *= math.exp(drift + r.growth_sd * z)
        if f.kind[i] == FIRM_INSTITUTE or f.kind[i] == FIRM_CHAIN_LEADER:
            continue
        h = (r.fail_young * (1.0 - pilot_relief) if young else r.fail_mature) / 12.0
        if f.staff[i] < r.small_staff:
            h *= r.fail_small_mult
        if f.funded[i]:
            h *= r.fail_funded_mult
        if f.hosted[i] >= 0:
            h *= r.fail_hosted_mult
        if uniform(skey_fail, f.uid[i], month) < h:
            f.alive[i] = 0
            failures += 1
    return failures


@njit(cache=True)
def certify_high_tech(f, rule, month, skey):
    """Certify eligible firms and startups as high-tech; return how many were certified.

    ``f`` is a :data:`FirmCertify`, ``rule`` a :data:`CertifyRule`: eligible are live ordinary
    firms and startups not yet certified, at least ``min_age`` months old with ``min_staff``
    staff; each is certified with chance ``chance`` (x ``funded_mult`` if funded or a spin-off).
    """
    n = 0
    for i in range(f.alive.shape[0]):
        if not f.alive[i] or f.high_tech[i]:
            continue
        if month - f.born[i] < rule.min_age or f.staff[i] < rule.min_staff:
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
            "staff": (np.int32, 0),
            "desired": (np.float64, 0.0),
            "productivity": (np.float64, 1.0),
        }
    }
    outputs = ("firm_failures", "new_high_tech_firms", "firms_alive", "new_tech_smes")

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
            ep.max_vacancy_share,
            ep.vacancy_slack,
            ep.young_firm_months,
            ep.small_firm_staff,
        )
        self.failures = 0  # failures of this month's evolve
        self.rule = CertifyRule(
            ep.high_tech_per_year / 12.0,
            ep.high_tech_min_age_months,
            ep.high_tech_min_staff,
            ep.high_tech_funded_multiplier,
        )

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

    def settle_vacancies(self) -> None:
        """Once the residents are seated, desired staff is staff plus normal churn."""
        f = self.model.firms
        share = self.p.enterprise.initial_vacancy_share
        f.view("desired")[:] = f.view("staff") * (1.0 + share) + 0.5

    def open_firms(self, uids: np.ndarray, kind: int, fields, desired, productivity) -> int:
        """Open ``len(uids)`` firms born this month; return the first new slot."""
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
        f.view("productivity")[new] = productivity
        return start

    def evolve(self) -> None:
        """Growth of desired staff and failures."""
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
        self.was_alive = f.view("alive").copy()
        growth = f.take(FirmGrowth)
        fails = firms_evolve(
            growth,
            self.rates,
            field_growth,
            relief,
            m,
            self.key("firm.growth"),
            self.key("firm.fail"),
        )
        self.failures = fails
        self.record("firm_failures", fails)

    def failed_this_month(self) -> np.ndarray:
        """Mask of the firms that failed in this month's :meth:`evolve`."""
        return (self.was_alive == 1) & (self.model.firms.view("alive") == 0)

    def certify(self) -> None:
        """High-tech certification."""
        f = self.model.firms
        firms = f.take(FirmCertify)
        n = certify_high_tech(firms, self.rule, self.month, self.key("firm.certify"))
        self.record("new_high_tech_firms", n)

    def census(self) -> None:
        """Firms alive, and ordinary firms and startups born this month."""
        f, m = self.model.firms, self.month
        kind = f.view("kind")
        self.record("firms_alive", np.count_nonzero(f.view("alive")))
        born = (f.view("born") == m) & ((kind == FIRM_STARTUP) | (kind == FIRM_ORDINARY))
        self.record("new_tech_smes", np.count_nonzero(born) if m else 0)

    def check(self) -> None:
        """Staff counts agree with the talents employed by each live firm."""
        from ..core.codes import EMPLOYED

        t, f = self.model.talents, self.model.firms
        emp = t.view("status") == EMPLOYED
        employer = t.view("employer")
        assert (employer[emp] >= 0).all()
        assert f.view("alive")[employer[emp]].all()
        counted = np.bincount(employer[emp], minlength=f.count)
        alive = f.view("alive").astype(bool)
        assert np.array_equal(counted[alive], f.view("staff")[alive])
        assert (employer[~emp] == -1).all()
