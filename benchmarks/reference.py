"""The talent flow twice: as idiomatic Mesa agents, and as arrays stepped by qcy_sim's kernels.

The *talent flow* is the part of the month that moves people (ODD §3, steps 5-7):

1. **Arrival** — each month a fixed number of candidates per origin (domestic, overseas, local
   graduates) draw a kind, a field, a log ability, a title and a wage expectation and come with
   the binary-logit probability of the area against their outside option.
2. **Matching** — in each segment (scientists ↔ institutes, everyone else ↔ firms)
   ``M = round(A U^a V^(1-a))`` searchers, chosen at random, take vacancies drawn without
   replacement; the (relative) wage is ``level_mult[level] x productivity[firm]``.
3. **Retention** — log ability grows, eligible talents are recognised with a monthly chance, and
   every resident leaves with hazard ``exit_base x exp(exit_coef x D)`` (dissatisfaction ``D``
   from a wage below expectation, no talent housing in the first three years and missing
   services); searchers also give up with ``search_exit``.

Firms' desired staff grows by a fixed monthly factor (so vacancies keep opening). Everything
else of the full model is held fixed: no housing is allocated, firms never fail, nobody founds a
startup (``found_prob = 0``), the region's amenity utility is a constant derived from the
scenario's initial carriers, and the policy (services, awards, living subsidy, evaluation reform)
is held at the constants below. The other parameters come from a
:class:`~qcy_sim.scenario.Scenario` through :func:`flow_params`.

* :class:`ArrayFlow` keeps talents in an :class:`~qcy_sim.store.AgentStore` and calls the real
  kernels ``arrivals``, ``vacancy_slots``, ``segment_searchers``, ``match_listed`` and
  ``talents_month`` (counter-based draws).
* :class:`MesaFlow` is a :class:`mesa.Model` of :class:`Talent` and :class:`Firm` agents
  (``mesa.Agent``) that implements the same equations in Python, draws from ``model.random``
  and steps its agents with ``model.agents.shuffle_do("step")``.

Both start from the same initial state (:func:`initial_state`) and use different random
streams, so they agree in distribution, not draw by draw (``tests/test_reference.py``). They
exist to measure what the array design buys (``benchmarks/run.py``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import tempfile
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import mesa
import numpy as np

from qcy_sim.core import codes as k
from qcy_sim.core.rng import StreamKeys
from qcy_sim.core.store import AgentStore
from qcy_sim.mechanisms.attraction import ArrivalKeys, Arrivals, Choice, Pools, Rivals, arrivals
from qcy_sim.mechanisms.careers import Career, CareerKeys, CareerMonth, CareerRates, talents_month
from qcy_sim.mechanisms.matching import (
    MatchRule,
    Openings,
    Searchers,
    match_listed,
    segment_searchers,
    vacancy_slots,
)
from qcy_sim.mechanisms.population import InitialDraw, Residents, Seats, init_talents
from qcy_sim.model import COMPONENTS
from qcy_sim.names import CARRIER_KINDS, TALENT_KINDS
from qcy_sim.scenario import Scenario
from qcy_sim.schema import COMPETITORS

__all__ = [
    "FlowParams",
    "FlowState",
    "flow_params",
    "initial_state",
    "ArrayFlow",
    "MesaFlow",
    "Talent",
    "Firm",
    "FLOW_KPIS",
    "TALENT_PROPERTIES",
    "SERVICE_LEVEL",
    "AWARDS_CNY_THOUSAND",
    "LIVING_SUBSIDY_CNY_THOUSAND",
    "EVALUATION_REFORM",
    "frames_python",
    "run_frames",
]

# The policy, held fixed in the reduced model (values of the baseline's defaults).
SERVICE_LEVEL = 0.6  # services bought by 60 of a half-level 40 million CNY a year
AWARDS_CNY_THOUSAND = (0.0, 100.0, 500.0)  # on arrival, by recognised level
LIVING_SUBSIDY_CNY_THOUSAND = 24.0  # 1 thousand CNY a month for 24 months (young, students)
EVALUATION_REFORM = 1.0  # intensity: the untitled margin is cut by margin_relief x 1

# Newcomers are eligible for talent housing for this long (talent.housing_tenure_months).
HOUSING_MONTHS = 36

# Columns of ``.kpis`` (row = month; row 0 is the initial state).
FLOW_KPIS = ("residents", "employed", "arrivals", "matches", "departures")

# every talent property of the model, as its mechanisms declare them
TALENT_PROPERTIES = {
    prop: spec
    for cls in COMPONENTS.values()
    for prop, spec in cls.properties.get("talents", {}).items()
}


@dataclass(frozen=True)
class FlowParams:
    """Every number the reduced talent flow uses (tuples index kinds, levels or origins)."""

    talents: int
    ordinary_firms: int
    chain_leaders: int
    institutes: int
    candidates: tuple[int, int, int]  # per month: domestic, overseas, local graduates
    # initial state
    employed_share: float
    initial_kind_shares: tuple[float, ...]
    initial_field_shares: tuple[float, ...]
    size_log_mean: float
    size_log_sd: float
    chain_leader_size: float
    institute_size: float
    productivity_sd: float
    # arrival
    kind_shares: tuple[tuple[float, ...], ...]  # by origin
    field_shares: tuple[float, ...]
    ability_shift: tuple[float, ...]
    overseas_shift: float
    ability_sd: float
    th_high_end: float
    th_high_level: float
    recognised_share: float
    asc: tuple[float, float, float]
    rival_pay: tuple[float, ...]  # competitors' pay ratios
    rival_subsidy: tuple[tuple[float, float, float], ...]  # competitors' subsidies by level
    rival_utility: tuple[float, ...]  # competitors' other utility
    beta_wage: float
    beta_award: float
    level_mult: tuple[float, float, float]
    expectation_ratio: float
    expect_sd: float
    awards: tuple[float, float, float]
    region_utility: tuple[float, ...]
    # matching
    efficiency: float
    elasticity: float
    desired_growth_per_month: float
    # retention
    ability_growth: float
    batches_per_year: int
    apply_share: float
    untitled_margin: float
    exit_base: float
    exit_coef: float
    d_wage: float
    d_unhoused: float
    d_search: float
    d_services_gap: float
    search_exit: float


def flow_params(scenario: Scenario, talents: int) -> FlowParams:
    """The reduced talent flow of ``scenario`` for ``talents`` initial residents.

    Firms and candidate pools scale with ``talents / initial.talents``. Talent and enterprise
    parameters come from the scenario; the policy's contribution is held at fixed values
    (:data:`SERVICE_LEVEL`, :data:`AWARDS_CNY_THOUSAND`, :data:`LIVING_SUBSIDY_CNY_THOUSAND`,
    :data:`EVALUATION_REFORM`), and the amenity utility at its value for the scenario's initial
    carriers, no talent housing (the reduced model allocates none) and a job-finding chance of 0.5.
    """
    p = scenario.params
    ini, tp, ep = p.initial, p.talent, p.enterprise
    s = talents / max(1, ini.talents)
    capacity = sum(
        getattr(p.carriers, n).initial_operating * getattr(p.carriers, n).capacity
        for n in CARRIER_KINDS
    )
    base = tp.beta_services * SERVICE_LEVEL + tp.beta_carriers * math.log1p(capacity / 100.0)
    base += tp.beta_jobs * math.log(0.5)
    util = [base] * len(TALENT_KINDS)
    for kind in (k.YOUNG, k.STUDENT):
        util[kind] += tp.beta_award * LIVING_SUBSIDY_CNY_THOUSAND / 100.0
    rivals = [getattr(p.competitors, name) for name in COMPETITORS]
    ev = p.policy.evaluation_reform
    return FlowParams(
        talents=int(talents),
        ordinary_firms=max(1, round(s * ini.enterprises)),
        chain_leaders=round(s * ini.chain_leaders),
        institutes=max(1, round(s * ini.institutes)),
        candidates=(
            round(s * tp.candidates_domestic_per_month),
            round(s * tp.candidates_overseas_per_month),
            round(s * tp.graduates_per_year / 12.0),
        ),
        employed_share=ini.employed_share,
        initial_kind_shares=tuple(ini.kind_shares),
        initial_field_shares=tuple(ini.field_shares),
        size_log_mean=ep.size_log_mean,
        size_log_sd=ep.size_log_sd,
        chain_leader_size=ep.chain_leader_size,
        institute_size=ep.institute_size,
        productivity_sd=ep.productivity_sd,
        kind_shares=(
            tuple(tp.domestic_kind_shares),
            tuple(tp.overseas_kind_shares),
            tuple(tp.graduate_kind_shares),
        ),
        field_shares=tuple(tp.field_shares),
        ability_shift=tuple(tp.ability_shift_by_kind),
        overseas_shift=tp.overseas_ability_shift,
        ability_sd=tp.log_ability_sd,
        th_high_end=tp.high_end_threshold,
        th_high_level=tp.high_level_threshold,
        recognised_share=tp.arrival_recognised_share,
        asc=(tp.asc_domestic, tp.asc_overseas, tp.asc_graduate),
        rival_pay=tuple(r.pay_ratio for r in rivals),
        rival_subsidy=tuple(tuple(r.subsidy_by_level_cny_thousand) for r in rivals),
        rival_utility=tuple(r.amenity + tp.beta_housing * r.housing for r in rivals),
        beta_wage=tp.beta_wage,
        beta_award=tp.beta_award,
        level_mult=tuple(tp.level_wage_multiplier),
        expectation_ratio=tp.expectation_ratio,
        expect_sd=tp.expectation_sd,
        awards=AWARDS_CNY_THOUSAND,
        region_utility=tuple(util),
        efficiency=ep.matching_efficiency,
        elasticity=ep.matching_elasticity,
        desired_growth_per_month=ep.growth_per_year / 12.0,
        ability_growth=tp.ability_growth_per_year / 12.0,
        batches_per_year=p.recognition.batches_per_year,
        apply_share=p.recognition.apply_share,
        untitled_margin=p.recognition.untitled_margin
        * (1.0 - ev.margin_relief * EVALUATION_REFORM),
        exit_base=tp.exit_base_per_month,
        exit_coef=tp.exit_dissatisfaction_coef,
        d_wage=tp.dissatisfaction_wage,
        d_unhoused=tp.dissatisfaction_unhoused,
        d_search=tp.dissatisfaction_search_per_year,
        d_services_gap=tp.dissatisfaction_services * (1.0 - SERVICE_LEVEL),
        search_exit=tp.search_exit_per_month,
    )


@dataclass
class FlowState:
    """The initial state both implementations start from: firm arrays and talent arrays."""

    firm_kind: np.ndarray  # int8: FIRM_ORDINARY, FIRM_CHAIN_LEADER or FIRM_INSTITUTE
    desired: np.ndarray  # float64
    staff: np.ndarray  # int32
    productivity: np.ndarray  # float64
    talents: dict[str, np.ndarray]  # the properties of TALENT_PROPERTIES, length fp.talents


def initial_state(fp: FlowParams, seed: int) -> FlowState:
    """Firms with lognormal sizes and residents seated in proportion to desired staff.

    Residents come from the model's own ``init_talents`` kernel; desired staff then starts at
    staff x 1.05 + 0.5, as in :class:`~qcy_sim.QcyModel`.
    """
    rng = np.random.default_rng([int(seed), 0x5EED])
    n_firms = fp.ordinary_firms + fp.chain_leaders + fp.institutes
    kind = np.full(n_firms, k.FIRM_ORDINARY, dtype=np.int8)
    kind[fp.ordinary_firms : fp.ordinary_firms + fp.chain_leaders] = k.FIRM_CHAIN_LEADER
    kind[fp.ordinary_firms + fp.chain_leaders :] = k.FIRM_INSTITUTE
    desired = np.exp(fp.size_log_mean + fp.size_log_sd * rng.standard_normal(n_firms))
    desired[kind == k.FIRM_CHAIN_LEADER] = fp.chain_leader_size
    desired[kind == k.FIRM_INSTITUTE] = fp.institute_size
    desired = np.maximum(desired, 1.0)
    productivity = np.exp(fp.productivity_sd * rng.standard_normal(n_firms))
    staff = np.zeros(n_firms, dtype=np.int32)
    inst = kind == k.FIRM_INSTITUTE
    t = {p: np.full(fp.talents, fill, dtype=dt) for p, (dt, fill) in TALENT_PROPERTIES.items()}
    draw = InitialDraw(
        np.array(fp.initial_kind_shares),
        np.array(fp.initial_field_shares),
        np.array(fp.ability_shift),
        fp.ability_sd,
        fp.th_high_end,
        fp.th_high_level,
        np.array(fp.level_mult),
        fp.expect_sd,
        fp.employed_share,
        120,
    )
    seats = Seats(
        np.cumsum(np.where(inst, desired, 0.0)),
        np.cumsum(np.where(inst, 0.0, desired)),
        productivity,
        staff,
    )
    residents = Residents(*(t[name] for name in Residents._fields))
    init_talents(residents, 0, fp.talents, draw, seats, StreamKeys(seed)["init.talent"])
    desired = staff * 1.05 + 0.5
    return FlowState(kind, desired, staff, productivity, t)


def is_batch(month: int, batches: int) -> bool:
    """Whether a recognition batch is held in ``month`` (the run starts in January)."""
    return batches > 0 and ((month - 1) % 12 + 1) % (12 // batches) == 0


# ----------------------------------------------------------------------------------------------
# Arrays + qcy_sim's kernels


class ArrayFlow:
    """The talent flow on struct-of-arrays stores, stepped by :mod:`qcy_sim.kernels`.

    Args:
        fp: Parameters (:func:`flow_params`).
        seed: Run seed; every draw is a hash of (seed, stream, talent key, month).
        state: Initial state (default: ``initial_state(fp, seed)``); it is copied.
        months: Months the run will last (sizes the talent store so it never regrows).
    """

    def __init__(self, fp: FlowParams, seed: int, state: FlowState | None = None, months: int = 12):
        state = state if state is not None else initial_state(fp, seed)
        self.fp = fp
        self.month = 0
        capacity = fp.talents + months * sum(fp.candidates) + 1
        self.talents = t = AgentStore("talents", capacity, TALENT_PROPERTIES)
        t.add(fp.talents)
        for name, values in state.talents.items():
            t.view(name)[:] = values
        self.firm_alive = np.ones(state.firm_kind.shape[0], dtype=np.int8)
        self.firm_kind = state.firm_kind.copy()
        self.desired = state.desired.copy()
        self.staff = state.staff.copy()
        self.productivity = state.productivity.copy()
        keys = StreamKeys(seed)
        n_kinds, n_pools = len(TALENT_KINDS), len(fp.candidates)
        origins = np.arange(n_pools, dtype=np.int64)
        self._pools = Pools(
            np.array(fp.candidates, dtype=np.int64),
            origins,
            origins,
            np.zeros(n_pools, dtype=np.bool_),
            np.full(n_pools, k.SEARCHING, dtype=np.int8),
            np.array(fp.kind_shares),
            np.tile(np.array(fp.ability_shift), (n_pools, 1)),
            np.full(n_pools, fp.recognised_share),
            np.array(fp.asc),
            np.tile(np.array(fp.region_utility), (n_pools, 1)),
        )
        self._choice = Choice(
            np.array(fp.field_shares),
            fp.overseas_shift,
            fp.ability_sd,
            fp.th_high_end,
            fp.th_high_level,
            np.array(fp.level_mult),
            fp.expectation_ratio,
            fp.expect_sd,
            fp.beta_wage,
            fp.beta_award,
            np.array(fp.awards),
            np.zeros(3),
        )
        self._rivals = Rivals(
            np.array(fp.rival_pay), np.array(fp.rival_subsidy), np.array(fp.rival_utility)
        )
        self._arrival_keys = ArrivalKeys(*(keys[f"arrival.{n}"] for n in ArrivalKeys._fields))
        self._match_keys = (keys["match.select"], keys["match.assign"])
        self._career_keys = CareerKeys(
            keys["talent.exit"], keys["talent.recognition"], keys["talent.found"]
        )
        self._rule = MatchRule(fp.efficiency, fp.elasticity, np.array(fp.level_mult))
        self._rates = CareerRates(
            fp.th_high_end,
            fp.th_high_level,
            np.array(fp.level_mult),
            fp.exit_base,
            fp.exit_coef,
            fp.d_wage,
            fp.d_unhoused,
            fp.d_search,
            fp.search_exit,
            0.0,
            HOUSING_MONTHS,
        )
        self._career_month = dict(
            ability_growth=np.full(n_kinds, fp.ability_growth),
            apply_share=fp.apply_share,
            untitled_margin=fp.untitled_margin,
            d_base=fp.d_services_gap,
            d_by_kind=np.zeros(n_kinds),
            d_by_level=np.zeros(3),
            d_trained=0.0,
            d_failed=0.0,
            found_prob=np.zeros(n_kinds),
        )
        self._founders = np.empty(1, dtype=np.int64)
        self._growth = math.exp(fp.desired_growth_per_month)
        self.kpis = [self._kpi_row(0, 0, 0)]

    def _kpi_row(self, arrivals: int, matches: int, departures: int) -> tuple[int, ...]:
        status = self.talents.view("status")
        residents = int(np.count_nonzero(status))
        employed = int(np.count_nonzero(status == k.EMPLOYED))
        return (residents, employed, arrivals, matches, departures)

    def step(self) -> None:
        """One month: arrivals, matching (both segments), careers; then desired staff grows."""
        self.month += 1
        m, fp, t = self.month, self.fp, self.talents
        t.reserve(int(self._pools.size.sum()))
        full = Arrivals(*(t.full(p) for p in Arrivals._fields))
        n_arr, _, _ = arrivals(
            full, self._pools, self._choice, self._rivals, self._arrival_keys, m, t.count
        )
        t.grow_to(t.count + n_arr)
        searchers = t.take(Searchers)
        openings = Openings(self.firm_alive, self.firm_kind, self.desired, self.staff)
        pay = self.productivity  # the reduced model's firms pay no premium
        matches = 0
        for institutes, idx in zip((True, False), segment_searchers(searchers), strict=True):
            slots = vacancy_slots(openings, institutes)
            _, n = match_listed(
                searchers,
                idx,
                slots,
                pay,
                self.staff,
                self._rule,
                m,
                *self._match_keys,
            )
            matches += n
        careers = t.take(Career)
        month = CareerMonth(batch=is_batch(m, fp.batches_per_year), **self._career_month)
        departures, _, _, _, _ = talents_month(
            careers,
            self.firm_alive,
            self.staff,
            self._rates,
            month,
            self._career_keys,
            m,
            self._founders,
        )
        self.desired *= self._growth
        self.kpis.append(self._kpi_row(n_arr, matches, departures))

    def run(self, months: int) -> np.ndarray:
        """Step ``months`` months; return the KPI rows so far as an array (columns FLOW_KPIS)."""
        for _ in range(months):
            self.step()
        return np.array(self.kpis)


# ----------------------------------------------------------------------------------------------
# Idiomatic Mesa

EMPLOYED, SEARCHING = k.EMPLOYED, k.SEARCHING


class Firm(mesa.Agent):
    """An employer: desired staff, staff, productivity; institutes employ scientists."""

    def __init__(self, model: MesaFlow, institute: bool, desired: float, productivity: float):
        super().__init__(model)
        self.institute = institute
        self.desired = desired
        self.productivity = productivity
        self.staff = 0

    def vacancies(self) -> int:
        """Open positions: desired staff (rounded up) minus staff."""
        return max(math.ceil(self.desired) - self.staff, 0)

    def step(self) -> None:
        """Desired staff grows by the month's drift."""
        self.desired *= self.model.growth


class Talent(mesa.Agent):
    """A resident innovation talent."""

    def __init__(
        self,
        model: MesaFlow,
        kind: int,
        field: int,
        level: int,
        level_since: int,
        ability: float,
        titled: bool,
        expectation: float,
        arrived: int,
    ):
        super().__init__(model)
        self.kind = kind
        self.field = field
        self.level = level
        self.level_since = level_since
        self.ability = ability
        self.titled = titled
        self.expectation = expectation
        self.arrived = arrived
        self.status = SEARCHING
        self.search_since = arrived
        self.employer: Firm | None = None
        self.wage = 0.0

    def hire(self, firm: Firm) -> None:
        """Take a job at ``firm`` at its wage for this kind and level."""
        fp = self.model.fp
        self.status = EMPLOYED
        self.employer = firm
        firm.staff += 1
        self.wage = fp.level_mult[self.level] * firm.productivity

    def step(self) -> None:
        """A month of career: ability grows, recognition, and the departure decision."""
        model, fp = self.model, self.model.fp
        self.ability += fp.ability_growth
        if is_batch(model.month, fp.batches_per_year) and self.level < 2:
            margin = 0.0 if self.titled else fp.untitled_margin
            if self.ability >= fp.th_high_level + margin:
                target = 2
            elif self.ability >= fp.th_high_end + margin:
                target = 1
            else:
                target = 0
            if target > self.level and self.random.random() < fp.apply_share:
                if self.status == EMPLOYED:  # pay follows the recognised level
                    self.wage *= fp.level_mult[target] / fp.level_mult[self.level]
                self.level = target
                self.level_since = model.month
        d = fp.d_services_gap
        if self.status == EMPLOYED and self.wage < self.expectation:
            d += fp.d_wage * math.log(self.expectation / self.wage)
        if model.month - self.arrived <= HOUSING_MONTHS:  # nobody is housed here
            d += fp.d_unhoused
        if self.status == SEARCHING:
            d += fp.d_search * (model.month - self.search_since) / 12.0
        h = fp.exit_base * math.exp(fp.exit_coef * max(d, 0.0))
        if self.status == SEARCHING:
            h = 1.0 - (1.0 - h) * (1.0 - fp.search_exit)
        if self.random.random() < h:
            if self.employer is not None:
                self.employer.staff -= 1
            model.departures += 1
            self.remove()


class MesaFlow(mesa.Model):
    """The talent flow as an idiomatic Mesa model: one Python object per talent and firm.

    Args:
        fp: Parameters (:func:`flow_params`).
        seed: Seed of ``model.random``, the only source of draws.
        state: Initial state (default: ``initial_state(fp, seed)``).
    """

    def __init__(self, fp: FlowParams, seed: int, state: FlowState | None = None):
        super().__init__(seed=int(seed))
        state = state if state is not None else initial_state(fp, seed)
        self.fp = fp
        self.month = 0
        self.growth = math.exp(fp.desired_growth_per_month)
        self.departures = 0
        self._kind_cum = [list(accumulate(shares)) for shares in fp.kind_shares]
        self._field_cum = list(accumulate(fp.field_shares))
        firms = [
            Firm(self, bool(kind == k.FIRM_INSTITUTE), float(d), float(p))
            for kind, d, p in zip(state.firm_kind, state.desired, state.productivity, strict=True)
        ]
        t = state.talents
        for i in range(fp.talents):
            a = Talent(
                self,
                int(t["kind"][i]),
                int(t["field"][i]),
                int(t["level"][i]),
                int(t["level_since"][i]),
                float(t["ability"][i]),
                bool(t["titled"][i]),
                float(t["expectation"][i]),
                int(t["arrived"][i]),
            )
            a.search_since = int(t["search_since"][i])
            if t["status"][i] == EMPLOYED:
                firm = firms[t["employer"][i]]
                a.status, a.employer, a.wage = EMPLOYED, firm, float(t["wage"][i])
                firm.staff += 1
        self.kpis = [self._kpi_row(0, 0, 0)]

    def _kpi_row(self, arrivals: int, matches: int, departures: int) -> tuple[int, ...]:
        talents = self.agents_by_type[Talent]
        employed = sum(1 for a in talents if a.status == EMPLOYED)
        return (len(talents), employed, arrivals, matches, departures)

    @staticmethod
    def _categorical(u: float, cum: list[float]) -> int:
        return min(bisect_right(cum, u), len(cum) - 1)

    def arrive(self) -> int:
        """Candidates decide between the area and their outside option; returns arrivals."""
        fp, m, rnd = self.fp, self.month, self.random
        arrived = 0
        for origin, n in enumerate(fp.candidates):
            for _ in range(n):
                kind = self._categorical(rnd.random(), self._kind_cum[origin])
                field = self._categorical(rnd.random(), self._field_cum)
                a = fp.ability_shift[kind] + (fp.overseas_shift if origin == 1 else 0.0)
                a += fp.ability_sd * rnd.gauss(0.0, 1.0)
                lvl = 2 if a >= fp.th_high_level else (1 if a >= fp.th_high_end else 0)
                titled = rnd.random() < fp.recognised_share
                rec = lvl if titled else 0
                wage = fp.level_mult[rec]
                e = fp.expectation_ratio * fp.level_mult[lvl]
                e *= math.exp(fp.expect_sd * rnd.gauss(0.0, 1.0))
                u = fp.asc[origin] + fp.beta_wage * math.log(wage / e)
                u += fp.beta_award * fp.awards[rec] / 100.0 + fp.region_utility[kind]
                weight = math.exp(u)
                total = 1.0 + weight
                for pay, subsidy, other in zip(
                    fp.rival_pay, fp.rival_subsidy, fp.rival_utility, strict=True
                ):
                    v = fp.beta_wage * math.log(pay * fp.level_mult[lvl] / e)
                    total += math.exp(v + fp.beta_award * subsidy[lvl] / 100.0 + other)
                if rnd.random() < weight / total:
                    Talent(self, kind, field, rec, m if rec > 0 else -1, a, titled, e, m)
                    arrived += 1
        return arrived

    def match(self) -> int:
        """Match searchers to vacancies in both segments with M = A U^a V^(1-a)."""
        fp, total = self.fp, 0
        firms, talents = self.agents_by_type[Firm], self.agents_by_type[Talent]
        for institutes in (True, False):
            slots = [f for f in firms if f.institute == institutes for _ in range(f.vacancies())]
            searchers = [
                a
                for a in talents
                if a.status == SEARCHING and (a.kind == k.SCIENTIST) == institutes
            ]
            if not slots or not searchers:
                continue
            u, v = len(searchers), len(slots)
            n = fp.efficiency * u**fp.elasticity * v ** (1.0 - fp.elasticity)
            n = min(int(math.floor(n + 0.5)), u, v)
            for talent in self.random.sample(searchers, n):
                pick = int(self.random.random() * v)
                firm = slots[pick]
                slots[pick] = slots[v - 1]
                v -= 1
                talent.hire(firm)
            total += n
        return total

    def step(self) -> None:
        """One month: arrivals, matching, then every agent's step in random order."""
        self.month += 1
        self.departures = 0
        arrivals = self.arrive()
        matches = self.match()
        self.agents.shuffle_do("step")
        self.kpis.append(self._kpi_row(arrivals, matches, self.departures))

    def run(self, months: int) -> np.ndarray:
        """Step ``months`` months; return the KPI rows so far as an array (columns FLOW_KPIS)."""
        for _ in range(months):
            self.step()
        return np.array(self.kpis)


# ----------------------------------------------------------------------------------------------
# The same rules with mesa-frames, in its own virtual environment (benchmarks/reference_frames.py)

FRAMES_SCRIPT = Path(__file__).resolve().parent / "reference_frames.py"
FRAMES_VENV = Path(__file__).resolve().parent.parent / ".venv-frames"


def frames_python() -> tuple[str | None, str]:
    """The interpreter that has mesa-frames, and a sentence on where it came from or why none.

    ``QCY_FRAMES_PYTHON`` names it; otherwise ``.venv-frames/bin/python`` in the repository
    (``docs/PERFORMANCE.md`` says how to make it).
    """
    python = os.environ.get("QCY_FRAMES_PYTHON") or str(FRAMES_VENV / "bin" / "python")
    if not Path(python).exists():
        return None, f"mesa-frames not measured: no {python} (see docs/PERFORMANCE.md)"
    probe = subprocess.run(
        [python, "-c", "import mesa_frames, polars; print(mesa_frames.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return None, f"mesa-frames not measured: {python} cannot import mesa_frames"
    return python, f"mesa-frames {probe.stdout.strip()} from {python}"


def run_frames(
    python: str, fp: FlowParams, state: FlowState, months: int, seeds: list[int]
) -> dict:
    """Run the mesa-frames flow in ``python`` from ``state``; its JSON (times, KPI rows)."""
    codes = {c: int(getattr(k, c)) for c in ("EMPLOYED", "SEARCHING", "SCIENTIST")}
    codes["FIRM_INSTITUTE"] = int(k.FIRM_INSTITUTE)
    with tempfile.TemporaryDirectory(prefix="qcy-frames-") as tmp:
        params, arrays = Path(tmp) / "params.json", Path(tmp) / "state.npz"
        params.write_text(json.dumps({"fp": dataclasses.asdict(fp), "codes": codes}))
        talents = {f"t_{name}": values for name, values in state.talents.items()}
        np.savez(
            arrays,
            firm_kind=state.firm_kind,
            desired=state.desired,
            productivity=state.productivity,
            **talents,
        )
        out = subprocess.run(
            [python, str(FRAMES_SCRIPT), str(params), str(arrays), "--months", str(months)]
            + ["--seeds", *map(str, seeds)],
            capture_output=True,
            text=True,
            check=False,
        )
    if out.returncode != 0:
        raise RuntimeError(f"mesa-frames flow failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
