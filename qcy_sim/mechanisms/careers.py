"""Careers (tasks 2, 8, 12, 19, 20, 25, 27): each resident's month, in one pass over the talents.

Reads ``[talent]`` and the levers that shape growth, recognition and retention. In order, for
every talent:

* a talent whose employer failed becomes a searcher, marked as hurt by the failure;
* log ability grows (``talent.ability_growth_per_year / 12``, more for researchers and managers
  under the SOE practice bases);
* in the months of a recognition batch (``[recognition]``), residents not recognised at the level
  their ability reaches apply with chance ``apply_share``; an applicant is recognised at the
  highest level whose threshold its ability passes, a talent without a title needing
  ``untitled_margin`` more (the evaluation reform cuts the margin); pay follows the level;
* residents leave with hazard ``exit_base x exp(exit_coef x max(D, 0))``, where dissatisfaction
  ``D`` adds the service shortfall, the wage below expectation, no apartment while eligible, an
  employer that failed, ``dissatisfaction_search_per_year`` for every year spent searching, and
  subtracts the atmosphere, apprenticeship, service specialists (for high-level talents) and the
  managers' programme; searchers also give up with ``search_exit_per_month``; flexible
  engagements end with ``flexible_end_per_month``;
* an employed talent founds a startup with the founding chance of its kind (:mod:`.founding`).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import EMPLOYED, FLEXIBLE, GONE, MANAGER, RESEARCHER, SEARCHING
from ..core.component import Component
from ..core.rng import uniform
from ..names import LEVELS, TALENT_KINDS
from .training import APPRENTICED

__all__ = ["Careers", "Career", "CareerRates", "CareerMonth", "talents_month", "exit_screens"]

Career = namedtuple(
    "Career",
    (
        "status",
        "kind",
        "uid",
        "level",
        "level_since",
        "ability",
        "titled",
        "employer",
        "wage",
        "expectation",
        "arrived",
        "housed",
        "failed_employer",
        "trained",
        "search_since",
    ),
)
# parameters fixed for the run
CareerRates = namedtuple(
    "CareerRates",
    (
        "th_high_end",
        "th_high_level",
        "level_mult",
        "exit_base",
        "exit_coef",
        "d_wage",
        "d_unhoused",
        "d_search",
        "search_exit",
        "flexible_end",
        "housing_months",
    ),
)
# what the levers and the area make of them this month
CareerMonth = namedtuple(
    "CareerMonth",
    (
        "ability_growth",
        "batch",
        "apply_share",
        "untitled_margin",
        "d_base",
        "d_by_kind",
        "d_by_level",
        "d_trained",
        "d_failed",
        "found_prob",
    ),
)
CareerKeys = namedtuple("CareerKeys", ("exit", "recognition", "found"))


# Most residents draw a departure uniform far above their hazard. For a draw of at least
# EXIT_SCREENS[k] (plus the searchers' giving-up chance), an upper bound of D at most
# ``exit_screens(r)[k]`` proves that the resident stays without the hazard's log and exp.
EXIT_SCREENS = (0.1, 0.05, 0.025, 0.0125)


@njit(cache=True)
def exit_screens(r):
    """For each draw level of :data:`EXIT_SCREENS`, the D under which the hazard is below it.

    -inf (screen nothing) where the bound does not hold: a negative wage weight, a coefficient
    too small for the margin, or a base hazard at or above the level. The margin of 1e-7 in D
    keeps rounding from ever turning a screened resident into a departure.
    """
    bounds = np.full(len(EXIT_SCREENS), -np.inf)
    if r.d_wage < 0.0 or r.exit_coef < 1e-3 or not r.exit_base > 0.0:
        return bounds
    for level in range(len(EXIT_SCREENS)):
        if r.exit_base < EXIT_SCREENS[level]:
            bounds[level] = math.log(EXIT_SCREENS[level] / r.exit_base) / r.exit_coef - 1e-7
    return bounds


@njit(cache=True, inline="always")
def screen_bound(u, bounds):
    """The bound of the highest level of :data:`EXIT_SCREENS` at or below ``u`` (-inf if none)."""
    return (
        bounds[0]
        if u >= EXIT_SCREENS[0]
        else bounds[1]
        if u >= EXIT_SCREENS[1]
        else bounds[2]
        if u >= EXIT_SCREENS[2]
        else bounds[3]
        if u >= EXIT_SCREENS[3]
        else -math.inf
    )


@njit(cache=True)
def talents_month(t, firm_alive, staff, r, c, keys, month, founders):
    """One month of every talent's career: employer failure, recognition, departure, founding.

    ``t`` is a :data:`Career`, ``r`` the :data:`CareerRates`, ``c`` this month's
    :data:`CareerMonth`. Founders are listed in ``founders`` and leave their employer. Returns
    ``(resident_departures, flexible_ended, n_founders, housing_freed, untitled_recognised)``.
    """
    departures = 0
    flex_ended = 0
    n_found = 0
    freed = 0
    untitled = 0
    bounds = exit_screens(r)
    m = t.status.shape[0]
    u_exits = np.empty(m)  # drawn in a loop of their own, which the compiler vectorises
    for i in range(m):
        u_exits[i] = uniform(keys.exit, t.uid[i], month)
    for i in range(m):
        s = t.status[i]
        if s == GONE:
            continue
        if s == EMPLOYED and not firm_alive[t.employer[i]]:
            t.status[i] = SEARCHING
            s = SEARCHING
            t.employer[i] = -1
            t.wage[i] = 0.0
            t.failed_employer[i] = 1
            t.search_since[i] = month
        t.ability[i] += c.ability_growth[t.kind[i]]
        if c.batch and s != FLEXIBLE and t.level[i] < 2:
            margin = 0.0 if t.titled[i] else c.untitled_margin
            target = 0
            if t.ability[i] >= r.th_high_level + margin:
                target = 2
            elif t.ability[i] >= r.th_high_end + margin:
                target = 1
            if target > t.level[i] and uniform(keys.recognition, t.uid[i], month) < c.apply_share:
                if s == EMPLOYED:  # pay follows the recognised level
                    t.wage[i] *= r.level_mult[target] / r.level_mult[t.level[i]]
                t.level[i] = target
                t.level_since[i] = month
                if not t.titled[i]:
                    untitled += 1
        u_exit = u_exits[i]
        if s == FLEXIBLE:
            if u_exit < r.flexible_end:
                t.status[i] = GONE
                flex_ended += 1
            continue
        d = c.d_base + c.d_by_kind[t.kind[i]] + c.d_by_level[t.level[i]]
        if not t.housed[i] and month - t.arrived[i] <= r.housing_months:
            d += r.d_unhoused
        if t.failed_employer[i]:
            d += c.d_failed
        if s == SEARCHING:
            d += r.d_search * (month - t.search_since[i]) / 12.0
        if (t.trained[i] >> APPRENTICED) & 1:  # general training does not retain
            d -= c.d_trained
        # the wage relative to expectation, when below it (no branch: it is below for half)
        below = max(t.expectation[i] / t.wage[i], 1.0) if s == EMPLOYED else 1.0
        u_screen = u_exit - (r.search_exit if s == SEARCHING else 0.0)
        if d + r.d_wage * (below - 1.0) <= screen_bound(u_screen, bounds):
            leaves = False  # log x <= x - 1 bounds the wage term: the hazard is below the draw
        else:
            if below > 1.0:
                d += r.d_wage * math.log(below)
            h = r.exit_base * math.exp(r.exit_coef * max(d, 0.0))
            if s == SEARCHING:
                h = 1.0 - (1.0 - h) * (1.0 - r.search_exit)
            leaves = u_exit < h
        if leaves:
            if s == EMPLOYED:
                staff[t.employer[i]] -= 1
            t.status[i] = GONE
            t.employer[i] = -1
            if t.housed[i]:
                t.housed[i] = 0
                freed += 1
            departures += 1
            continue
        if s == EMPLOYED:
            t.failed_employer[i] = 0
            p_found = c.found_prob[t.kind[i]]
            if p_found > 0.0 and uniform(keys.found, t.uid[i], month) < p_found:
                founders[n_found] = i
                n_found += 1
                staff[t.employer[i]] -= 1
                t.employer[i] = -1
    return departures, flex_ended, n_found, freed, untitled


class Careers(Component):
    """Growth, recognition, departures and founding decisions of every talent."""

    properties = {"talents": {"failed_employer": (np.int8, 0), "search_since": (np.int16, 0)}}
    outputs = ("departures",)

    def __init__(self, model):
        super().__init__(model)
        tp = self.p.talent
        self.rates = CareerRates(
            tp.high_end_threshold,
            tp.high_level_threshold,
            np.array(tp.level_wage_multiplier),
            tp.exit_base_per_month,
            tp.exit_dissatisfaction_coef,
            tp.dissatisfaction_wage,
            tp.dissatisfaction_unhoused,
            tp.dissatisfaction_search_per_year,
            tp.search_exit_per_month,
            tp.flexible_end_per_month,
            tp.housing_tenure_months,
        )

    def _month(self) -> CareerMonth:
        tp, pol, model, rp = self.p.talent, self.p.policy, self.model, self.p.recognition
        ev = self.act("evaluation_reform") * pol.evaluation_reform.intensity
        margin = rp.untitled_margin * (1.0 - pol.evaluation_reform.margin_relief * ev)
        growth = np.full(len(TALENT_KINDS), tp.ability_growth_per_year / 12.0)
        soe = pol.soe_innovation
        growth[[RESEARCHER, MANAGER]] += (
            soe.ability_growth_per_year * self.act("soe_innovation") * soe.practice_intensity / 12.0
        )
        d_kind = np.zeros(len(TALENT_KINDS))
        mg = pol.managers
        d_kind[MANAGER] -= mg.dissatisfaction_relief * self.act("managers") * mg.intensity
        d_level = np.zeros(len(LEVELS))
        if model.services.specialists_paid:
            d_level[2] -= pol.services.specialist_retention
        d_base = (
            tp.dissatisfaction_services * (1.0 - model.services.level)
            - model.services.atmosphere_utility
        )
        ft = pol.fault_tolerance
        d_failed = tp.dissatisfaction_employer_failed * (
            1.0 - ft.stigma_relief * self.act("fault_tolerance") * ft.intensity
        )
        return CareerMonth(
            growth,
            self.is_batch(),
            rp.apply_share,
            margin,
            d_base,
            d_kind,
            d_level,
            self.act("skilled_talent") * pol.skilled_talent.retention_gain,
            d_failed,
            model.founding.founding_chances(),
        )

    def is_batch(self) -> bool:
        """Whether a recognition batch is held this month (evenly spaced in the year)."""
        batches = self.p.recognition.batches_per_year
        if batches <= 0:
            return False
        return self.calendar_month % (12 // batches) == 0

    def step(self) -> None:
        """Every talent's month; founders then open their startups."""
        t, f, model = self.model.talents, self.model.firms, self.model
        founders = np.empty(t.count, dtype=np.int64)
        keys = CareerKeys(
            self.key("talent.exit"), self.key("talent.recognition"), self.key("talent.found")
        )
        careers = t.take(Career)
        departures, _, n_found, freed, untitled = talents_month(
            careers,
            f.view("alive"),
            f.view("staff"),
            self.rates,
            self._month(),
            keys,
            self.month,
            founders,
        )
        model.housing.free_units += freed
        if self.act("evaluation_reform") > 0:
            model.reforms.outcome("evaluation_reform", untitled)
        self.record("departures", departures)
        model.founding.start_firms(founders[:n_found], spinoff=False)
