"""QcyModel: the Mesa model of the talent ecosystem. What happens in a month is :meth:`QcyModel.step`.

The model is a thin :class:`mesa.Model` shell around four struct-of-arrays stores (talents,
enterprises, carriers, funds — plus small stores for teams and reform cases) and the numba kernels
of :mod:`qcy_sim.kernels`. Every KPI is recomputed from agent state at the end of each month.
"""

from __future__ import annotations

import mesa
import numpy as np

from . import kernels as k
from .rng import STREAMS, normal, poisson, stream_key, uniform, uniform_array
from .scenario import Scenario
from .schema import CARRIER_KINDS, FIELDS, KPIS, TALENT_KINDS
from .store import AgentStore

__all__ = ["QcyModel", "SPENDING", "SERIES", "FUNDS"]

FUNDS = ("special", "development", "venture")
# Spending categories and the fund that pays each.
SPENDING = {
    "carrier_operation": "special",
    "housing_rent": "special",
    "living_subsidy": "special",
    "services": "special",
    "awards": "special",
    "broker_training": "special",
    "reform_pilots": "special",
    "carrier_construction": "special",
    "housing_construction": "special",
    "development_investment": "development",
    "venture_investment": "venture",
}
# Monthly outputs recorded beside the KPIs.
SERIES = (
    "residents",
    "employed",
    "searching",
    "candidates",
    "arrivals",
    "departures",
    "matches",
    "vacancies",
    "startups_founded",
    "firm_failures",
    "relocations",
    "firms_alive",
    "incubators",
    "housing_units",
    "housing_occupied",
    "service_level",
    "special_balance",
    "development_balance",
    "venture_balance",
)
_CARRIER_KPI = {
    "innovation_carrier": "innovation_carriers",
    "pilot_base": "pilot_bases",
    "new_rd_institution": "new_rd_institutions",
    "common_tech_platform": "common_tech_platforms",
    "student_space": "student_spaces",
    "shared_research_center": "shared_research_centers",
}
_HOSTING_KINDS = ("incubator", "student_space", "innovation_carrier")
_GRADUATE_SEASON = np.array([0.02] * 5 + [0.4, 0.4] + [0.02] * 5)  # Jan..Dec


def _talent_store(capacity: int) -> AgentStore:
    return AgentStore(
        "talents",
        capacity,
        {
            "uid": (np.uint64, 0),
            "status": (np.int8, k.GONE),
            "kind": (np.int8, 0),
            "field": (np.int8, 0),
            "origin": (np.int8, 0),
            "level": (np.int8, 0),
            "titled": (np.int8, 0),
            "housed": (np.int8, 0),
            "failed_employer": (np.int8, 0),
            "broker": (np.int8, 0),
            "level_since": (np.int16, -1),
            "arrived": (np.int16, 0),
            "ability": (np.float64, 0.0),
            "wage": (np.float64, 0.0),
            "expectation": (np.float64, 0.0),
            "employer": (np.int32, -1),
            "team": (np.int32, -1),
        },
    )


def _firm_store(capacity: int) -> AgentStore:
    return AgentStore(
        "enterprises",
        capacity,
        {
            "uid": (np.uint64, 0),
            "alive": (np.int8, 0),
            "kind": (np.int8, 0),
            "field": (np.int8, 0),
            "funded": (np.int8, 0),
            "hosted": (np.int8, -1),
            "spinoff": (np.int8, 0),
            "born": (np.int16, 0),
            "staff": (np.int32, 0),
            "desired": (np.float64, 0.0),
            "productivity": (np.float64, 1.0),
        },
    )


def _carrier_store(capacity: int) -> AgentStore:
    return AgentStore(
        "carriers",
        capacity,
        {
            "kind": (np.int8, 0),
            "status": (np.int8, 0),
            "field": (np.int8, 0),
            "started": (np.int16, 0),
            "completed": (np.int16, -1),
            "firm": (np.int32, -1),
            "slots": (np.int32, 0),
            "built": (np.float64, 0.0),
            "lead": (np.float64, 1.0),
        },
    )


def _team_store(capacity: int) -> AgentStore:
    return AgentStore(
        "teams",
        capacity,
        {
            "uid": (np.uint64, 0),
            "kind": (np.int8, 0),
            "alive": (np.int8, 0),
            "formed": (np.int16, 0),
            "ended": (np.int16, -1),
            "leader": (np.int32, -1),
            "firm": (np.int32, -1),
        },
    )


def _case_store(capacity: int) -> AgentStore:
    return AgentStore("reform_cases", capacity, {
        "created": (np.int16, 0), "promoted": (np.int16, -1)
    })


def _fund_store() -> AgentStore:
    store = AgentStore("funds", len(FUNDS), {"balance": (np.float64, 0.0)})
    store.add(len(FUNDS))
    return store


class QcyModel(mesa.Model):
    """The talent ecosystem of the Xixian New Area, one step per month.

    Args:
        scenario: A validated scenario (see :func:`qcy_sim.load_scenario`).
        seed: The run's seed. Every draw is a hash of (seed, stream, agent, month).

    Attributes:
        month: Months simulated so far (0 = initial state).
        kpi: ``(horizon + 1, 13)`` array of the plan's KPIs, row = month.
        series: ``(horizon + 1, len(SERIES))`` array of other monthly outputs.
        spending: ``(horizon + 1, len(SPENDING))`` array, million CNY spent in each month.
    """

    def __init__(self, scenario: Scenario, seed: int = 0):
        super().__init__(seed=int(seed))
        self.scenario = scenario
        self.p = scenario.params
        self.seed = int(seed)
        self.month = 0
        self.horizon = self.p.time.horizon_months
        self.skey = {name: np.uint64(stream_key(self.seed, sid)) for name, sid in STREAMS.items()}

        n0 = self.p.initial.talents
        self.talents = _talent_store(max(1024, int(n0 * 1.5)))
        self.firms = _firm_store(4096)
        self.carriers = _carrier_store(256)
        self.teams = _team_store(1024)
        self.cases = _case_store(64)
        self.funds = _fund_store()

        self.kpi = np.zeros((self.horizon + 1, len(KPIS)))
        self.series = np.zeros((self.horizon + 1, len(SERIES)))
        self.spending = np.zeros((self.horizon + 1, len(SPENDING)))
        self._spend_col = {c: i for i, c in enumerate(SPENDING)}
        self._series_col = {c: i for i, c in enumerate(SERIES)}

        self.housing_units = int(self.p.initial.housing_units)
        self._housing_fraction = 0.0
        self.service_level = 0.0
        self.job_finding = {True: 0.5, False: 0.5}  # by segment: institutes or firms
        self.housing_chance = 1.0
        self.subsidy_paid = True
        self._counts = np.zeros(6, dtype=np.int64)

        self._initialise()
        self._record()

    # ------------------------------------------------------------------------------------------
    # The month

    def step(self) -> None:
        """Advance one month. The order below is the model's schedule (ODD §3).

        1. Budgets: in January every fund receives its yearly budget.
        2. Commitments: carrier operation, rent subsidies, living subsidies and services are paid
           from the talent special fund; the service level follows what was actually paid.
        3. Carriers: new projects are launched, construction advances where the fund can pay,
           finished new R&D institutions open as employers.
        4. Enterprises: desired staff grows (drift + shock), firms fail, firms land from outside.
        5. Attraction: candidates from other regions, overseas and local universities choose
           between the area and their outside option (logit); awards are paid on arrival.
        6. Matching: searchers are matched to vacancies by the matching function.
        7. Careers: employer failures, recognition, departures, startups (founders open firms
           and are incubated where slots are free).
        8. Investment: the development fund and venture capital invest in young firms.
        9. Housing: apartments are added, tenants after three years move out, newcomers move in.
        10. Brokers are trained, teams form and dissolve, reform cases arise and are promoted.
        11. Record: KPIs and outputs are computed from the stores.
        """
        self.month += 1
        m = self.month
        self._budgets()
        self._pay_commitments()
        self._carriers_step()
        self._firms_step()
        self._arrivals_step()
        self._match_step()
        self._careers_step()
        self._invest_step()
        self._housing_step()
        self._brokers_step()
        self._teams_step()
        self._reform_step()
        self._record()
        if m >= self.horizon:
            self.running = False

    def run(self) -> QcyModel:
        """Step to the end of the horizon and return self."""
        while self.month < self.horizon:
            self.step()
        return self

    # ------------------------------------------------------------------------------------------
    # Initial state

    def _initialise(self) -> None:
        p, ini = self.p, self.p.initial
        f = self.firms
        n_ord, n_cl, n_inst = ini.enterprises, ini.chain_leaders, ini.institutes
        start, end = f.add(n_ord + n_cl + n_inst)
        sk = self.skey["init.firm"]
        field_shares = np.array(ini.field_shares)
        for j in range(start, end):
            f.uid[j] = np.uint64(j) | (np.uint64(1) << np.uint64(62))
            f.alive[j] = 1
            if j < n_ord:
                f.kind[j] = k.FIRM_ORDINARY
                size = np.exp(p.enterprise.size_log_mean + p.enterprise.size_log_sd * normal(sk, j, 0))
            elif j < n_ord + n_cl:
                f.kind[j] = k.FIRM_CHAIN_LEADER
                size = p.enterprise.chain_leader_size
            else:
                f.kind[j] = k.FIRM_INSTITUTE
                size = p.enterprise.institute_size
            f.field[j] = k.categorical(uniform(sk, j, 1), field_shares)
            if f.kind[j] == k.FIRM_CHAIN_LEADER:
                f.field[j] = (j - n_ord) % (len(FIELDS) - 1)
            f.born[j] = -int(uniform(sk, j, 2) * 120)
            f.desired[j] = max(1.0, size)
            f.productivity[j] = np.exp(p.enterprise.productivity_sd * normal(sk, j, 3))

        for kind_index, name in enumerate(CARRIER_KINDS):
            cp = getattr(p.carriers, name)
            for _ in range(cp.initial_operating):
                c = self._new_carrier(kind_index, cp, 0)
                self.carriers.status[c] = k.OPERATING
                self.carriers.built[c] = self.carriers.lead[c]
                self.carriers.completed[c] = -1
            for _ in range(cp.initial_under_construction):
                c = self._new_carrier(kind_index, cp, 0)
                self.carriers.built[c] = np.floor(self.carriers.lead[c] / 2)
        for c in range(self.carriers.count):
            if self.carriers.status[c] == k.OPERATING:
                self._open_carrier(c)

        self._initial_talents()

    def _initial_talents(self) -> None:
        ini, tp, t, f = self.p.initial, self.p.talent, self.talents, self.firms
        start, end = t.add(ini.talents)
        sk = self.skey["init.talent"]
        inst = f.view("kind") == k.FIRM_INSTITUTE
        weights = f.view("desired")
        k.init_talents(
            start, end, sk, np.array(ini.kind_shares), np.array(ini.field_shares),
            np.array(tp.ability_shift_by_kind), tp.log_ability_sd, tp.high_end_threshold,
            tp.high_level_threshold, np.array(tp.wage_cny_thousand_per_month),
            np.array(tp.level_wage_multiplier), tp.expectation_sd, ini.employed_share,
            np.cumsum(np.where(inst, weights, 0.0)), np.cumsum(np.where(inst, 0.0, weights)),
            f.view("productivity"), f.view("staff"), t.uid, t.status, t.kind, t.field, t.origin,
            t.level, t.level_since, t.ability, t.titled, t.employer, t.wage, t.expectation,
            t.arrived,
        )
        # Initial brokers: eligible employed talents, in an order drawn from their own keys.
        eligible = np.flatnonzero(
            np.isin(t.view("kind"), (1, 3, 4)) & (t.view("status") == k.EMPLOYED)
        )
        draws = uniform_array(sk ^ np.uint64(7), t.uid[eligible], np.uint64(0))
        order = np.argsort(draws, kind="mergesort")
        t.broker[eligible[order[: ini.tech_brokers]]] = 1
        _, self._housing_free = k.housing_allocate(
            t.view("status"), t.view("level"), t.view("arrived"), t.view("housed"), 0,
            self.housing_units,
        )
        # Desired staff starts at current staff plus normal churn (a few open vacancies).
        f.desired[: f.count] = f.view("staff") * 1.05 + 0.5

    def _new_carrier(self, kind_index: int, cp, month: int) -> int:
        self.carriers.reserve(1)
        c, _ = self.carriers.add(1)
        sk = self.skey["carrier.lead_time"]
        key = np.uint64(c)
        lead = cp.lead_time_months * np.exp(0.3 * normal(sk, key, 0) - 0.045)
        self.carriers.kind[c] = kind_index
        self.carriers.status[c] = k.BUILDING
        self.carriers.started[c] = month
        self.carriers.lead[c] = max(1.0, float(np.round(lead)))
        self.carriers.slots[c] = cp.capacity
        self.carriers.field[c] = int(uniform(sk, key, 1) * (len(FIELDS) - 1))
        return c

    def _open_carrier(self, c: int) -> None:
        """A new R&D institution opens as an employer of scientists and researchers."""
        if CARRIER_KINDS[self.carriers.kind[c]] != "new_rd_institution":
            return
        f = self.firms
        f.reserve(1)
        j, _ = f.add(1)
        f.uid[j] = np.uint64(c) | (np.uint64(1) << np.uint64(61))
        f.alive[j] = 1
        f.kind[j] = k.FIRM_INSTITUTE
        f.field[j] = self.carriers.field[c]
        f.born[j] = self.month
        f.desired[j] = float(self.carriers.slots[c])
        f.productivity[j] = 1.0
        self.carriers.firm[c] = j

    # ------------------------------------------------------------------------------------------
    # Money

    def _pay(self, category: str, amount: float, partial: bool = True) -> float:
        """Pay up to ``amount`` (million CNY) for ``category`` from its fund; return what was paid."""
        fund = FUNDS.index(SPENDING[category])
        balance = self.funds.balance[fund]
        paid = min(amount, balance) if partial else (amount if amount <= balance else 0.0)
        paid = max(paid, 0.0)
        self.funds.balance[fund] = balance - paid
        self.spending[self.month, self._spend_col[category]] += paid
        return paid

    def _balance(self, fund: str) -> float:
        return float(self.funds.balance[FUNDS.index(fund)])

    def _budgets(self) -> None:
        if self.month == 1:
            for i, name in enumerate(FUNDS):
                self.funds.balance[i] += getattr(self.p.funds, name).initial_balance_cny_million
        calendar_month = (self._calendar0 + self.month - 1) % 12
        if calendar_month == 0 or self.month == 1:
            for i, name in enumerate(FUNDS):
                self.funds.balance[i] += getattr(self.p.funds, name).budget_cny_million_per_year

    @property
    def _calendar0(self) -> int:
        return int(self.p.time.start[5:7]) - 1

    def _pay_commitments(self) -> None:
        pol, m, t = self.p.policy, self.month, self.talents
        cs = self.carriers
        operating = cs.view("status") == k.OPERATING
        cost = 0.0
        for i, name in enumerate(CARRIER_KINDS):
            n = int(np.count_nonzero(operating & (cs.view("kind") == i)))
            cost += n * getattr(self.p.carriers, name).operating_cost_cny_million_per_year / 12.0
        self._pay("carrier_operation", cost)
        occupied = int(np.count_nonzero(t.view("housed")))
        self._pay("housing_rent", occupied * pol.housing_rent_subsidy_cny_thousand_per_month / 1e3)
        status, kind = t.view("status"), t.view("kind")
        young = (status != k.GONE) & ((kind == k.KIND_YOUNG) | (kind == k.KIND_STUDENT))
        young &= (m - t.view("arrived")) <= pol.living_subsidy_months
        young &= t.view("arrived") >= 1
        owed = int(np.count_nonzero(young)) * pol.living_subsidy_cny_thousand_per_month / 1e3
        self.subsidy_paid = self._pay("living_subsidy", owed) >= owed - 1e-9
        want = pol.services_cny_million_per_year / 12.0
        paid = self._pay("services", want) * 12.0
        self.service_level = paid / (paid + pol.services_half_cny_million_per_year)

    # ------------------------------------------------------------------------------------------
    # Carriers

    def _carriers_step(self) -> None:
        m = self.month
        for i, name in enumerate(CARRIER_KINDS):
            cp = getattr(self.p.carriers, name)
            if m < cp.start_month or cp.projects_per_year <= 0:
                continue
            n_new = poisson(cp.projects_per_year / 12.0, self.skey["carrier.plan"], i, m)
            for _ in range(n_new):
                self._new_carrier(i, cp, m)
        cs = self.carriers
        cost = np.array([getattr(self.p.carriers, n).build_cost_cny_million for n in CARRIER_KINDS])
        before = cs.view("status").copy()
        spent, _ = k.carriers_build(
            cs.view("status"), cs.view("built"), cs.view("lead"), cs.view("completed"), cost,
            cs.view("kind"), m, self._balance("special"),
        )
        self._pay("carrier_construction", spent)
        for c in np.flatnonzero((before == k.BUILDING) & (cs.view("status") == k.OPERATING)):
            self._open_carrier(int(c))

    def _operating(self, name: str, since_start: bool = False) -> np.ndarray:
        cs = self.carriers
        mask = (cs.view("status") == k.OPERATING) & (cs.view("kind") == CARRIER_KINDS.index(name))
        if since_start:
            mask &= cs.view("completed") >= 1
        return mask

    def _capacity(self, names, since_start: bool = False) -> int:
        cap = self.carriers.view("slots")
        return int(sum(cap[self._operating(n, since_start)].sum() for n in names))

    # ------------------------------------------------------------------------------------------
    # Enterprises

    def _firms_step(self) -> None:
        ep, m, f = self.p.enterprise, self.month, self.firms
        alive = f.view("alive").astype(bool)
        field_growth = np.zeros(len(FIELDS))
        leaders = alive & (f.view("kind") == k.FIRM_CHAIN_LEADER)
        for fi in range(len(FIELDS)):
            n_lead = int(np.count_nonzero(leaders & (f.view("field") == fi)))
            cs = self.carriers
            n_plat = int(np.count_nonzero(
                self._operating("common_tech_platform") & (cs.view("field") == fi)
            ))
            field_growth[fi] = (
                ep.chain_leader_pull_per_year * n_lead + ep.platform_growth_per_year * n_plat
            ) / 12.0
        young = alive & ((m - f.view("born")) < k.YOUNG_FIRM_MONTHS)
        pilot_cap = self._capacity(["pilot_base"])
        relief = ep.pilot_relief_max * min(1.0, pilot_cap / max(1, int(young.sum())))
        fails = k.firms_evolve(
            f.view("alive"), f.view("kind"), f.view("field"), f.view("born"), f.view("desired"),
            f.view("staff"), f.view("funded"), f.view("hosted"), f.view("uid"), m,
            self.skey["firm.growth"], self.skey["firm.fail"], ep.growth_per_year,
            ep.startup_growth_per_year, ep.funded_growth_per_year, field_growth,
            ep.growth_sd_per_month, ep.fail_per_year_young, ep.fail_per_year_mature,
            ep.fail_small_multiplier, ep.fail_funded_multiplier, ep.fail_incubated_multiplier,
            relief, ep.max_vacancy_share,
        )
        k.hosted_release(f.view("alive"), f.view("born"), f.view("hosted"), m)
        self._set("firm_failures", fails)
        new_cap = self._capacity(CARRIER_KINDS, since_start=True)
        lam = ep.relocations_per_year / 12.0 * (
            1.0 + ep.relocation_carrier_effect * np.log1p(new_cap / 100.0)
        )
        n_new = poisson(lam, self.skey["firm.relocate"], 0, m)
        f.reserve(n_new)
        start, end = f.add(n_new)
        sk_size, sk_field = self.skey["firm.size"], self.skey["firm.field"]
        shares = np.array(self.p.talent.field_shares)
        for j in range(start, end):
            key = (np.uint64(m) << np.uint64(32)) | np.uint64(j - start)
            f.uid[j] = key | (np.uint64(1) << np.uint64(60))
            f.alive[j] = 1
            f.kind[j] = k.FIRM_ORDINARY
            f.field[j] = k.categorical(uniform(sk_field, key, m), shares)
            f.born[j] = m
            f.desired[j] = max(1.0, np.exp(ep.relocation_size_log_mean + 0.8 * normal(sk_size, key, m)))
            f.productivity[j] = np.exp(ep.productivity_sd * normal(sk_size, key, m + 1000))
        self._set("relocations", n_new)

    # ------------------------------------------------------------------------------------------
    # Talents

    def _region_utility(self) -> tuple[np.ndarray, np.ndarray]:
        """Utility of the area's amenities by talent kind, and awards by recognised level."""
        tp, pol = self.p.talent, self.p.policy
        cap = self._capacity(CARRIER_KINDS)
        base = (
            tp.beta_housing * self.housing_chance
            + tp.beta_services * self.service_level
            + tp.beta_carriers * np.log1p(cap / 100.0)
        )
        util = np.full(len(TALENT_KINDS), base)
        for kind in range(len(TALENT_KINDS)):
            jf = self.job_finding[kind == k.KIND_SCIENTIST]
            util[kind] += tp.beta_jobs * np.log(max(jf, 0.01))
        if self.subsidy_paid:
            pv = pol.living_subsidy_cny_thousand_per_month * pol.living_subsidy_months
            util[k.KIND_YOUNG] += tp.beta_award * pv / 100.0
            util[k.KIND_STUDENT] += tp.beta_award * pv / 100.0
        awards = np.array([0.0, pol.award_high_end_cny_thousand, pol.award_high_level_cny_thousand])
        if self._balance("special") <= 0.0:
            awards[:] = 0.0
        return util, awards

    def _arrivals_step(self) -> None:
        tp, m, t = self.p.talent, self.month, self.talents
        season = _GRADUATE_SEASON[(self._calendar0 + m - 1) % 12]
        sk = self.skey["arrival.count"]
        n_by_origin = np.array([
            poisson(tp.candidates_domestic_per_month, sk, 0, m),
            poisson(tp.candidates_overseas_per_month, sk, 1, m),
            poisson(tp.graduates_per_year * season, sk, 2, m),
        ], dtype=np.int64)
        util, awards = self._region_utility()
        t.reserve(int(n_by_origin.sum()))
        kind_shares = np.array(
            [tp.domestic_kind_shares, tp.overseas_kind_shares, tp.graduate_kind_shares]
        )
        asc = np.array([tp.asc_domestic, tp.asc_overseas, tp.asc_graduate])
        comp = tp.competitor_gain_per_year * (m - 1) / 12.0
        s = self.skey
        n_arr, owed = k.arrivals(
            m, t.count, n_by_origin, s["arrival.kind"], s["arrival.field"], s["arrival.ability"],
            s["arrival.expectation"], s["arrival.choice"], s["arrival.title"], kind_shares,
            np.array(tp.field_shares), np.array(tp.ability_shift_by_kind),
            tp.overseas_ability_shift, tp.log_ability_sd, tp.high_end_threshold,
            tp.high_level_threshold, tp.arrival_recognised_share, asc, comp, tp.beta_wage,
            tp.beta_award, np.array(tp.wage_cny_thousand_per_month),
            np.array(tp.level_wage_multiplier), tp.competitor_wage_ratio, tp.expectation_sd,
            awards, util,
            t.uid, t.status, t.kind, t.field, t.origin, t.level, t.level_since, t.ability,
            t.titled, t.employer, t.wage, t.expectation, t.arrived, t.housed,
            t.failed_employer, t.broker, t.team,
        )
        t.grow_to(t.count + n_arr)
        self._pay("awards", owed / 1e3)
        self._set("candidates", int(n_by_origin.sum()))
        self._set("arrivals", n_arr)

    def _match_step(self) -> None:
        ep, tp, m, t, f = self.p.enterprise, self.p.talent, self.month, self.talents, self.firms
        total_matches, total_vac = 0, 0
        for institutes in (True, False):
            slots = k.vacancy_slots(
                f.view("alive"), f.view("kind"), f.view("desired"), f.view("staff"), institutes
            )
            total_vac += slots.shape[0]
            searchers, matches = k.match(
                t.view("status"), t.view("kind"), t.view("uid"), t.view("employer"),
                t.view("wage"), t.view("level"), institutes, slots, f.view("productivity"),
                f.view("staff"), np.array(tp.wage_cny_thousand_per_month),
                np.array(tp.level_wage_multiplier), ep.matching_efficiency,
                ep.matching_elasticity, m, self.skey["match.select"], self.skey["match.assign"],
            )
            self.job_finding[institutes] = matches / searchers if searchers else 1.0
            total_matches += matches
        self._set("matches", total_matches)
        self._set("vacancies", total_vac)

    def _found_prob(self) -> np.ndarray:
        tp, pol = self.p.talent, self.p.policy
        slots = self._capacity(_HOSTING_KINDS)
        hosted = int(np.count_nonzero(self.firms.view("hosted") >= 0))
        free_share = max(0, slots - hosted) / slots if slots else 0.0
        invest = self._invest_chance()
        mult = (1.0 + tp.founding_carrier_effect * free_share)
        mult *= 1.0 + tp.founding_funding_effect * min(1.0, 12.0 * invest)
        mult *= 1.0 + 0.3 * pol.fault_tolerance
        return np.array(tp.founding_per_year) / 12.0 * mult

    def _invest_chance(self) -> float:
        chance = 0.0
        ft = self.p.policy.fault_tolerance
        for name in ("development", "venture"):
            fp = getattr(self.p.funds, name)
            if self._balance(name) >= fp.investment_cny_million > 0:
                chance += fp.invest_per_month * (1.0 + 0.5 * ft)
        return min(chance, 1.0)

    def _careers_step(self) -> None:
        tp, pol, m, t, f = self.p.talent, self.p.policy, self.month, self.talents, self.firms
        founders = np.empty(t.count, dtype=np.int64)
        recog = tp.recognition_per_month
        recog_untitled = recog * (1.0 + 1.5 * pol.evaluation_reform) * 0.5
        d_services = tp.dissatisfaction_services * (1.0 - self.service_level)
        departures, n_found, freed = k.talents_month(
            t.view("status"), t.view("kind"), t.view("uid"), t.view("level"),
            t.view("level_since"), t.view("ability"), t.view("titled"), t.view("employer"),
            t.view("wage"), t.view("expectation"), t.view("arrived"), t.view("housed"),
            t.view("failed_employer"), f.view("alive"), f.view("staff"), m,
            self.skey["talent.exit"], self.skey["talent.search_exit"],
            self.skey["talent.recognition"], self.skey["talent.found"],
            tp.ability_growth_per_year / 12.0, tp.high_end_threshold, tp.high_level_threshold,
            min(1.0, recog), min(1.0, recog_untitled), tp.exit_base_per_month,
            tp.exit_dissatisfaction_coef, tp.dissatisfaction_wage, tp.dissatisfaction_unhoused,
            d_services, tp.dissatisfaction_employer_failed, tp.search_exit_per_month,
            self._found_prob(), founders,
        )
        self._housing_free += freed
        self._set("departures", departures)
        self._start_firms(founders[:n_found])

    def _start_firms(self, founders: np.ndarray) -> None:
        """Founders open startups; a startup is incubated where a hosting slot is free."""
        m, t, f, tp = self.month, self.talents, self.firms, self.p.talent
        f.reserve(len(founders))
        start, _ = f.add(len(founders))
        slots = self._capacity(_HOSTING_KINDS) - int(np.count_nonzero(f.view("hosted") >= 0))
        sk = self.skey["firm.productivity"]
        wage_base, mult = tp.wage_cny_thousand_per_month, tp.level_wage_multiplier
        for n, founder in enumerate(founders):
            j = start + n
            f.uid[j] = t.uid[founder] ^ (np.uint64(m) << np.uint64(50)) ^ (np.uint64(3) << np.uint64(62))
            f.alive[j] = 1
            f.kind[j] = k.FIRM_STARTUP
            f.field[j] = t.field[founder]
            f.born[j] = m
            f.spinoff[j] = 1 if t.kind[founder] in (k.KIND_SCIENTIST, 1) else 0
            f.desired[j] = 2.0
            f.productivity[j] = np.exp(self.p.enterprise.productivity_sd * normal(sk, f.uid[j], m))
            if slots > 0:
                f.hosted[j] = 0
                slots -= 1
            f.staff[j] = 1
            t.employer[founder] = j
            t.wage[founder] = wage_base[t.kind[founder]] * mult[t.level[founder]] * f.productivity[j]
        self._set("startups_founded", len(founders))

    def _invest_step(self) -> None:
        ft, m, f = self.p.policy.fault_tolerance, self.month, self.firms
        for name, category in (("development", "development_investment"),
                               ("venture", "venture_investment")):
            fp = getattr(self.p.funds, name)
            spent = k.firms_invest(
                f.view("alive"), f.view("born"), f.view("funded"), f.view("uid"), m,
                self.skey["firm.invest"] ^ np.uint64(FUNDS.index(name)),
                fp.invest_per_month * (1.0 + 0.5 * ft), fp.investment_cny_million,
                self._balance(name),
            )
            self._pay(category, spent)

    def _housing_step(self) -> None:
        pol, t, m = self.p.policy, self.talents, self.month
        self._housing_fraction += pol.housing_units_per_year / 12.0
        add = int(self._housing_fraction)
        if add > 0 and pol.housing_unit_cost_cny_thousand > 0:
            affordable = int(self._balance("special") * 1e3 // pol.housing_unit_cost_cny_thousand)
            add = min(add, affordable)
        self._housing_fraction -= add
        self._pay("housing_construction", add * pol.housing_unit_cost_cny_thousand / 1e3)
        self.housing_units += add
        self._housing_free += add
        occupied, free = k.housing_allocate(
            t.view("status"), t.view("level"), t.view("arrived"), t.view("housed"), m,
            self._housing_free,
        )
        self._housing_free = free
        recent = (t.view("status") != k.GONE) & (t.view("arrived") > m - 12)
        n_recent = int(np.count_nonzero(recent))
        housed = int(np.count_nonzero(recent & (t.view("housed") == 1)))
        self.housing_chance = housed / n_recent if n_recent else 1.0
        self._set("housing_units", self.housing_units)
        self._set("housing_occupied", occupied)

    def _brokers_step(self) -> None:
        pol, t, m = self.p.policy, self.talents, self.month
        status, kind = t.view("status"), t.view("kind")
        eligible = int(np.count_nonzero(
            (status == k.EMPLOYED) & np.isin(kind, (1, 3, 4)) & (t.view("broker") == 0)
        ))
        want = pol.broker_trainees_per_year / 12.0
        affordable = self._balance("special") * 1e3 / max(pol.broker_training_cost_cny_thousand, 1e-9)
        prob = min(want, affordable) / eligible if eligible else 0.0
        trainees, _ = k.train_brokers(
            status, kind, t.view("broker"), t.view("uid"), m, self.skey["broker.training"],
            min(prob, 1.0), pol.broker_pass_rate,
        )
        self._pay("broker_training", trainees * pol.broker_training_cost_cny_thousand / 1e3)

    def _teams_step(self) -> None:
        tp, m, t, f, tm = self.p.teams, self.month, self.talents, self.firms, self.teams
        k.teams_dissolve(
            tm.view("kind"), tm.view("alive"), tm.view("leader"), tm.view("firm"),
            tm.view("ended"), tm.view("uid"), t.view("status"), t.view("team"), f.view("alive"),
            m, self.skey["team.dissolve"], tp.se_dissolve_per_year / 12.0,
            tp.sc_dissolve_per_year / 12.0,
        )
        residents = max(1, int(np.count_nonzero(t.view("status") != k.GONE)))
        brokers_per_1000 = 1000.0 * int(np.count_nonzero(t.view("broker") & (t.view("status") != k.GONE))) / residents
        centres = int(np.count_nonzero(self._operating("shared_research_center")))
        se_prob = tp.se_form_per_year / 12.0 * (1.0 + tp.se_broker_effect * brokers_per_1000)
        se_prob *= 1.0 + tp.se_center_effect * centres
        space_slots = self._capacity(("student_space", "incubator"))
        hosted = int(np.count_nonzero(f.view("hosted") >= 0))
        free_share = max(0, space_slots - hosted) / space_slots if space_slots else 0.0
        sc_prob = tp.sc_form_per_year / 12.0 * (1.0 + tp.sc_space_effect * free_share)
        partners = np.flatnonzero(
            f.view("alive").astype(bool) & (f.view("kind") != k.FIRM_INSTITUTE)
            & (f.view("staff") >= tp.se_engineers)
        )
        cum = np.cumsum(f.view("staff")[partners]).astype(np.float64)
        tm.reserve(residents)
        n = k.teams_form(
            t.view("status"), t.view("kind"), t.view("uid"), t.view("team"), m,
            self.skey["team.form"], self.skey["team.partner"], min(se_prob, 1.0),
            min(sc_prob, 1.0), cum, partners.astype(np.int64), tm.kind, tm.alive, tm.leader,
            tm.firm, tm.formed, tm.ended, tm.count,
        )
        start = tm.count
        tm.grow_to(tm.count + n)
        tm.uid[start:tm.count] = t.uid[tm.leader[start:tm.count]] ^ (np.uint64(m) << np.uint64(52))

    def _reform_step(self) -> None:
        pol, rp, m, cs = self.p.policy, self.p.reform, self.month, self.cases
        self._pay("reform_pilots", pol.reform_pilots * pol.reform_pilot_cost_cny_million_per_year / 12.0)
        lam = pol.reform_pilots * rp.case_per_pilot_per_year / 12.0
        n_new = poisson(lam, self.skey["reform.case"], 0, m)
        cs.reserve(n_new)
        start, end = cs.add(n_new)
        cs.created[start:end] = m
        k.cases_promote(
            cs.view("created"), cs.view("promoted"), m, rp.maturity_months,
            rp.promotion_per_month, self.skey["reform.promote"],
        )

    # ------------------------------------------------------------------------------------------
    # Recording

    def _set(self, name: str, value: float) -> None:
        self.series[self.month, self._series_col[name]] = value

    def _record(self) -> None:
        m, t = self.month, self.talents
        c = self._counts
        k.talent_counts(t.view("status"), t.view("level"), t.view("level_since"),
                        t.view("broker"), t.view("field"), c)
        tm = self.teams
        alive_teams = tm.view("alive").astype(bool)
        values = {
            "high_level_talents": c[4],
            "innovation_talents": c[0],
            "high_end_talents": c[3],
            "tech_brokers": c[5],
            "scientist_engineer_teams": np.count_nonzero(alive_teams & (tm.view("kind") == k.TEAM_SE)),
            "shuangchuang_teams": np.count_nonzero(alive_teams & (tm.view("kind") == k.TEAM_SC)),
            "reform_cases": np.count_nonzero(self.cases.view("promoted") >= 1),
        }
        for carrier, kpi in _CARRIER_KPI.items():
            values[kpi] = np.count_nonzero(self._operating(carrier, since_start=True))
        for j, name in enumerate(KPIS):
            self.kpi[m, j] = values[name]
        self._set("residents", c[0])
        self._set("employed", c[1])
        self._set("searching", c[2])
        self._set("firms_alive", np.count_nonzero(self.firms.view("alive")))
        self._set("incubators", np.count_nonzero(self._operating("incubator")))
        self._set("housing_units", self.housing_units)
        self._set("service_level", self.service_level)
        for name in FUNDS:
            self._set(f"{name}_balance", self._balance(name))

    # ------------------------------------------------------------------------------------------
    # Views for Mesa users

    def kpi_frame(self):
        """The KPIs and outputs of the months simulated so far as a pandas DataFrame."""
        import pandas as pd

        from .scenario import month_label

        rows = slice(0, self.month + 1)
        df = pd.DataFrame(self.kpi[rows], columns=list(KPIS))
        for j, name in enumerate(SERIES):
            df[name] = self.series[rows, j]
        for j, name in enumerate(SPENDING):
            df[f"spend_{name}"] = self.spending[rows, j]
        df.insert(0, "month", np.arange(self.month + 1))
        df.insert(1, "date", [month_label(self.p.time.start, i) for i in range(self.month + 1)])
        return df

    def agent_frame(self, store: str = "talents"):
        """One store's live agents as a pandas DataFrame (one row per slot ever used)."""
        import pandas as pd

        s = getattr(self, store)
        return pd.DataFrame({prop: s.view(prop) for prop in s.properties})
