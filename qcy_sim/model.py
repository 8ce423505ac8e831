"""QcyModel: the Mesa model of the talent ecosystem; a month is :meth:`QcyModel.step`.

The model is a thin :class:`mesa.Model` shell around four struct-of-arrays stores (talents,
enterprises, carriers, funds — plus small stores for teams and reform cases) and the numba kernels
of :mod:`qcy_sim.kernels`. Every KPI is recomputed from agent state at the end of each month.
"""

from __future__ import annotations

import mesa
import numpy as np

from . import kernels as k
from .rng import STREAMS, normal, normal_array, poisson, stream_key, uniform, uniform_array
from .scenario import Scenario
from .schema import CARRIER_KINDS, FIELDS, KPIS, TALENT_KINDS
from .store import AgentStore

__all__ = ["QcyModel", "SPENDING", "SERIES", "FUNDS", "TALENT_PROPERTIES"]

# Accounts: the talent special fund's four accounts, then the investing funds.
ACCOUNTS = (
    "special.talents",
    "special.living",
    "special.carriers",
    "special.programmes",
    "development",
    "capital_pool",
    "venture",
)
FUNDS = ("special", "development", "capital_pool", "venture")
PUBLIC_ACCOUNTS = ACCOUNTS[:-1]
_TALENTS, _LIVING, _CARRIERS, _PROGRAMMES = ACCOUNTS[:4]
# Spending categories (one per lever where a lever pays) and the account that pays each.
SPENDING = {
    "awards": _TALENTS,
    "living_subsidy": _TALENTS,
    "strategic_scientists": _TALENTS,
    "young_talent": _TALENTS,
    "headhunters": _TALENTS,
    "services": _LIVING,
    "service_specialists": _LIVING,
    "housing": _LIVING,
    "atmosphere": _LIVING,
    "carrier_construction": _CARRIERS,
    "carrier_operation": _CARRIERS,
    "talent_port": _CARRIERS,
    "chain_alliances": _CARRIERS,
    "leadership": _PROGRAMMES,
    "evaluation_reform": _PROGRAMMES,
    "three_pools": _PROGRAMMES,
    "lab_sharing": _PROGRAMMES,
    "tech_transfer": _PROGRAMMES,
    "brokers": _PROGRAMMES,
    "overseas_stations": _PROGRAMMES,
    "enclaves": _PROGRAMMES,
    "fault_tolerance": _PROGRAMMES,
    "transformation": _PROGRAMMES,
    "soe_innovation": _PROGRAMMES,
    "offshore": _PROGRAMMES,
    "youth_community": _PROGRAMMES,
    "alumni": _PROGRAMMES,
    "university_industry": _PROGRAMMES,
    "managers": _PROGRAMMES,
    "skilled_talent": _PROGRAMMES,
    "chain_talent": _PROGRAMMES,
    "talent_market": _PROGRAMMES,
    "training": _PROGRAMMES,
    "publicity": _PROGRAMMES,
    "development_investment": "development",
    "capital_pool_investment": "capital_pool",
    "venture_investment": "venture",
}
# Levers whose running produces candidate reform cases.
REFORM_LEVERS = (
    "evaluation_reform",
    "three_pools",
    "lab_sharing",
    "tech_transfer",
    "enclaves",
    "fault_tolerance",
    "talent_market",
    "brokers",
    "young_talent",
)
# Monthly outputs recorded beside the KPIs.
SERIES = (
    "residents",
    "employed",
    "searching",
    "flexible_talents",
    "candidates",
    "arrivals",
    "departures",
    "matches",
    "vacancies",
    "startups_founded",
    "new_tech_smes",
    "new_high_tech_firms",
    "new_spinoff_firms",
    "technology_transfers",
    "firm_failures",
    "relocations",
    "firms_alive",
    "incubators",
    "housing_units",
    "housing_occupied",
    "service_level",
    "special_balance",
    "development_balance",
    "capital_pool_balance",
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
_KINDS = {name: i for i, name in enumerate(TALENT_KINDS)}
_RESEARCH_KINDS = (_KINDS["scientist"], _KINDS["researcher"])
_BROKER_ELIGIBLE = (_KINDS["researcher"], _KINDS["manager"], _KINDS["professional"])


def _kind_mask(kinds) -> np.ndarray:
    mask = np.zeros(len(TALENT_KINDS), dtype=np.bool_)
    mask[list(kinds)] = True
    return mask


_RESEARCH_MASK = _kind_mask(_RESEARCH_KINDS)
_BROKER_MASK = _kind_mask(_BROKER_ELIGIBLE)


# Talent properties: dtype and fill value of each array of the talent store.
TALENT_PROPERTIES = {
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
    "trained": (np.int8, 0),
    "level_since": (np.int16, -1),
    "arrived": (np.int16, 0),
    "ability": (np.float64, 0.0),
    "wage": (np.float64, 0.0),
    "expectation": (np.float64, 0.0),
    "employer": (np.int32, -1),
    "team": (np.int32, -1),
}


def _talent_store(capacity: int) -> AgentStore:
    return AgentStore("talents", capacity, TALENT_PROPERTIES)


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
            "high_tech": (np.int8, 0),
            "born": (np.int16, 0),
            "staff": (np.int32, 0),
            "desired": (np.float64, 0.0),
            "productivity": (np.float64, 1.0),
            "invested": (np.float64, 0.0),
            "investor": (np.int8, -1),
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
    return AgentStore(
        "reform_cases", capacity, {"created": (np.int16, 0), "promoted": (np.int16, -1)}
    )


def _fund_store() -> AgentStore:
    store = AgentStore("funds", len(ACCOUNTS), {"balance": (np.float64, 0.0)})
    store.add(len(ACCOUNTS))
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
        self.skey = {name: stream_key(self.seed, sid) for name, sid in STREAMS.items()}

        self.talents = _talent_store(max(1024, int(self.p.initial.talents * 1.5)))
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
        self._housing_free = 0
        self._housing_due = 0.0
        self.service_level = 0.0
        self.job_finding = {True: 0.5, False: 0.5}  # by segment: institutes, firms
        self.housing_chance = 1.0
        self.subsidy_paid = True
        self.port_months_built: int | None = None  # the International Talent Port, once launched
        self._running: dict[str, bool] = {}  # fixed-cost programmes paid this month
        self._act_cache: dict[str, float] = {}
        self._pool_year = -1  # calendar year of the last capital-pool injection
        self.received = 0.0  # million CNY put into all accounts so far
        self._competitions: list[int] = []  # months in which competitions were held
        self._projects = 0  # brokered transfers that became projects this month
        self._counts = np.zeros(7, dtype=np.int64)

        self._initialise()
        self._record()

    # ------------------------------------------------------------------------------------------
    # The month

    def step(self) -> None:
        """Advance one month. The order below is the model's schedule (docs/ODD.md §3).

        1. Budgets: in January every fund receives its yearly budget; the talent special fund is
           split over its four accounts; the capital pool receives its SOE money in the first
           month of each year that the three_pools lever acts.
        2. Commitments: running costs of every acting fixed-cost programme (a programme its
           account cannot pay stands still this month), carriers, the talent port, housing
           rents, living subsidies, services and service specialists are paid.
        3. Carriers: projects are launched, construction advances where the carriers account
           can pay; finished new R&D institutions open as employers; the talent port is built.
        4. Enterprises: desired staff grows, firms fail (investors in failed funded firms are
           partly reimbursed under fault tolerance), firms land (relocations, alumni firms,
           chain leaders, workstations), firms are certified high-tech.
        5. Attraction: candidates from other regions, overseas and local universities choose
           between the area and their outside option (logit); programme placements (postdocs,
           strategic scientists) and flexible engagements arrive; awards are paid.
        6. Matching: searchers are matched to vacancies by the matching function.
        7. Careers: apprenticeships and training first; then employer failures, recognition,
           departures and startups (founders open firms, incubated where slots are free).
        8. Technology transfer: brokers broker transfers that become spin-offs or projects.
        9. Investment: the development fund, capital pool and venture capital invest.
        10. Housing: apartments are added, tenants after three years move out, newcomers move in.
        11. Brokers are trained, teams form and dissolve, competitions are held, reform cases
            arise and are promoted.
        12. Record: KPIs and outputs are computed from the stores.
        """
        self.month += 1
        self._running = {}
        self._act_cache = {}
        self._budgets()
        self._pay_commitments()
        self._carriers_step()
        self._firms_step()
        self._arrivals_step()
        self._match_step()
        self._careers_step()
        self._transfers_step()
        self._invest_step()
        self._housing_step()
        self._brokers_step()
        self._teams_step()
        self._reform_step()
        self._record()
        if self.month >= self.horizon:
            self.running = False

    def run(self) -> QcyModel:
        """Step to the end of the horizon and return self."""
        while self.month < self.horizon:
            self.step()
        return self

    # ------------------------------------------------------------------------------------------
    # Levers

    def _execution(self) -> float:
        lead = self.p.policy.leadership
        active = (
            lead.on and self.month >= lead.start_month and self._running.get("leadership", True)
        )
        return lead.execution if active else 0.0

    def act(self, name: str) -> float:
        """How strongly lever ``name`` acts this month: 0 when off, not started or unpaid.

        A started lever acts at ``0.5 + 0.5 x execution`` (leadership's execution strength) and
        starts ``round(delay x (1 - execution))`` months after its ``start_month``.
        """
        cached = self._act_cache.get(name)
        if cached is None:
            cached = self._act_cache[name] = self._strength(name)
        return cached

    def _strength(self, name: str, paid: bool = True) -> float:
        lever = getattr(self.p.policy, name)
        if not lever.on or (paid and not self._running.get(name, True)):
            return 0.0
        if name == "leadership":
            return 1.0 if self.month >= lever.start_month else 0.0
        execution = self._execution()
        delay = int(round(self.p.governance.delay_months * (1.0 - execution)))
        if self.month < lever.start_month + delay:
            return 0.0
        return 0.5 + 0.5 * execution

    def _programme_costs(self) -> dict[str, float]:
        """Fixed monthly cost (million CNY) of each programme lever while it runs."""
        pol = self.p.policy
        return {
            "leadership": pol.leadership.cost_cny_million_per_year / 12,
            "evaluation_reform": pol.evaluation_reform.cost_cny_million_per_year / 12,
            "three_pools": pol.three_pools.cost_cny_million_per_year / 12,
            "lab_sharing": pol.lab_sharing.cost_cny_million_per_year / 12,
            "overseas_stations": pol.overseas_stations.stations
            * pol.overseas_stations.cost_cny_million_per_station_per_year
            / 12,
            "enclaves": pol.enclaves.enclaves
            * pol.enclaves.cost_cny_million_per_enclave_per_year
            / 12,
            "transformation": pol.transformation.university_parks
            * pol.transformation.cost_cny_million_per_park_per_year
            / 12,
            "soe_innovation": pol.soe_innovation.cost_cny_million_per_year / 12,
            "offshore": pol.offshore.offshore_incubators
            * pol.offshore.cost_cny_million_per_incubator_per_year
            / 12,
            "university_industry": pol.university_industry.partnerships
            * pol.university_industry.cost_cny_million_per_partnership_per_year
            / 12,
            "young_talent": pol.young_talent.cost_cny_million_per_year / 12,
            "managers": pol.managers.cost_cny_million_per_year / 12,
            "chain_talent": pol.chain_talent.cost_cny_million_per_year / 12,
            "talent_market": pol.talent_market.cost_cny_million_per_year / 12,
            "publicity": pol.publicity.cost_cny_million_per_year / 12,
            "atmosphere": pol.atmosphere.spend_cny_million_per_year / 12,
        }

    # ------------------------------------------------------------------------------------------
    # Initial state

    def _initialise(self) -> None:
        p, ini = self.p, self.p.initial
        f = self.firms
        n_ord, n_cl, n_inst = ini.enterprises, ini.chain_leaders, ini.institutes
        f.reserve(n_ord + n_cl + n_inst)
        start, end = f.add(n_ord + n_cl + n_inst)
        sk = self.skey["init.firm"]
        j = np.arange(start, end)
        keys = j.astype(np.uint64)
        ep = p.enterprise
        f.uid[start:end] = keys | (np.uint64(1) << np.uint64(62))
        f.alive[start:end] = 1
        kind = np.where(
            j < n_ord,
            k.FIRM_ORDINARY,
            np.where(j < n_ord + n_cl, k.FIRM_CHAIN_LEADER, k.FIRM_INSTITUTE),
        )
        f.kind[start:end] = kind
        size = np.exp(ep.size_log_mean + ep.size_log_sd * normal_array(sk, keys, np.uint64(0)))
        size[kind == k.FIRM_CHAIN_LEADER] = ep.chain_leader_size
        size[kind == k.FIRM_INSTITUTE] = ep.institute_size
        cum = np.cumsum(ini.field_shares)
        field = np.minimum(
            np.searchsorted(cum, uniform_array(sk, keys, np.uint64(1)), side="right"), len(cum) - 1
        )
        leaders = kind == k.FIRM_CHAIN_LEADER
        field[leaders] = (j[leaders] - n_ord) % (len(FIELDS) - 1)
        f.field[start:end] = field
        f.born[start:end] = -(uniform_array(sk, keys, np.uint64(2)) * 120).astype(np.int64)
        f.desired[start:end] = np.maximum(1.0, size)
        f.productivity[start:end] = np.exp(
            ep.productivity_sd * normal_array(sk, keys, np.uint64(3))
        )

        for kind_index, name in enumerate(CARRIER_KINDS):
            cp = getattr(p.carriers, name)
            for _ in range(cp.initial_operating):
                c = self._new_carrier(kind_index, cp.lead_time_months, cp.capacity)
                self.carriers.status[c] = k.OPERATING
                self.carriers.built[c] = self.carriers.lead[c]
                self.carriers.completed[c] = -1
                self._open_carrier(c)
            for _ in range(cp.initial_under_construction):
                c = self._new_carrier(kind_index, cp.lead_time_months, cp.capacity)
                self.carriers.built[c] = np.floor(self.carriers.lead[c] / 2)
        self._survey_carriers()
        self._initial_talents()

    def _initial_talents(self) -> None:
        ini, tp, t, f = self.p.initial, self.p.talent, self.talents, self.firms
        start, end = t.add(ini.talents)
        sk = self.skey["init.talent"]
        inst = f.view("kind") == k.FIRM_INSTITUTE
        weights = f.view("desired")
        k.init_talents(
            start,
            end,
            sk,
            np.array(ini.kind_shares),
            np.array(ini.field_shares),
            np.array(tp.ability_shift_by_kind),
            tp.log_ability_sd,
            tp.high_end_threshold,
            tp.high_level_threshold,
            np.array(tp.level_wage_multiplier),
            tp.expectation_sd,
            ini.employed_share,
            np.cumsum(np.where(inst, weights, 0.0)),
            np.cumsum(np.where(inst, 0.0, weights)),
            f.view("productivity"),
            f.view("staff"),
            t.uid,
            t.status,
            t.kind,
            t.field,
            t.origin,
            t.level,
            t.level_since,
            t.ability,
            t.titled,
            t.employer,
            t.wage,
            t.expectation,
            t.arrived,
        )
        # Initial brokers: eligible employed talents, in an order drawn from their own keys.
        eligible = np.flatnonzero(_BROKER_MASK[t.view("kind")] & (t.view("status") == k.EMPLOYED))
        draws = uniform_array(sk ^ np.uint64(7), t.uid[eligible], np.uint64(0))
        chosen = eligible[np.argsort(draws, kind="mergesort")[: ini.tech_brokers]]
        t.broker[chosen] = 1 + (np.arange(len(chosen)) % 3)
        occupied, self._housing_free, _, _ = k.housing_allocate(
            t.view("status"),
            t.view("level"),
            t.view("arrived"),
            t.view("housed"),
            0,
            self.housing_units,
        )
        self._set("housing_occupied", occupied)
        # Desired staff starts at current staff plus normal churn (a few open vacancies).
        f.desired[: f.count] = f.view("staff") * 1.05 + 0.5

    def _new_carrier(self, kind_index: int, lead_time: float, capacity: int) -> int:
        cs = self.carriers
        cs.reserve(1)
        c, _ = cs.add(1)
        sk = self.skey["carrier.lead_time"]
        key = np.uint64(c)
        lead = lead_time * np.exp(0.3 * normal(sk, key, 0) - 0.045)
        cs.kind[c] = kind_index
        cs.status[c] = k.BUILDING
        cs.started[c] = self.month
        cs.lead[c] = max(1.0, float(np.round(lead)))
        cs.slots[c] = capacity
        cs.field[c] = int(uniform(sk, key, 1) * (len(FIELDS) - 1))
        return c

    def _open_carrier(self, c: int) -> None:
        """A new R&D institution opens as an employer of scientists and researchers."""
        if CARRIER_KINDS[self.carriers.kind[c]] != "new_rd_institution":
            return
        j = self._new_firm(
            np.uint64(c) | (np.uint64(1) << np.uint64(61)),
            k.FIRM_INSTITUTE,
            int(self.carriers.field[c]),
            float(self.carriers.slots[c]),
            1.0,
        )
        self.carriers.firm[c] = j

    def _new_firm(self, uid, kind: int, field: int, desired: float, productivity: float) -> int:
        return self._new_firms(np.array([uid], dtype=np.uint64), kind, field, desired, productivity)

    def _new_firms(self, uids: np.ndarray, kind: int, fields, desired, productivity) -> int:
        """Open ``len(uids)`` firms born this month; return the first new slot."""
        f = self.firms
        f.reserve(len(uids))
        start, end = f.add(len(uids))
        f.uid[start:end] = uids
        f.alive[start:end] = 1
        f.kind[start:end] = kind
        f.field[start:end] = fields
        f.born[start:end] = self.month
        f.desired[start:end] = desired
        f.productivity[start:end] = productivity
        return start

    # ------------------------------------------------------------------------------------------
    # Money

    def _account(self, category: str) -> int:
        return ACCOUNTS.index(SPENDING[category])

    def _pay(self, category: str, amount: float) -> float:
        """Pay up to ``amount`` (million CNY) for ``category`` from its account; return paid."""
        a = self._account(category)
        paid = max(0.0, min(amount, self.funds.balance[a]))
        self.funds.balance[a] -= paid
        self.spending[self.month, self._spend_col[category]] += paid
        return paid

    def _pay_all_or_nothing(self, category: str, amount: float) -> bool:
        if amount > self.funds.balance[self._account(category)] + 1e-12:
            return False
        self._pay(category, amount)
        return True

    def _available(self, category: str) -> float:
        return float(self.funds.balance[self._account(category)])

    def _fund_balance(self, fund: str) -> float:
        return float(
            sum(self.funds.balance[i] for i, a in enumerate(ACCOUNTS) if a.split(".")[0] == fund)
        )

    @property
    def _calendar0(self) -> int:
        return int(self.p.time.start[5:7]) - 1

    def _budgets(self) -> None:
        before = float(self.funds.balance.sum())
        self._receive()
        self.received += float(self.funds.balance.sum()) - before

    def _receive(self) -> None:
        fp, bal = self.p.funds, self.funds.balance
        january = (self._calendar0 + self.month - 1) % 12 == 0
        shares = np.array(fp.special_allocation)
        if self.month == 1:
            bal[:4] += fp.special.initial_balance_cny_million * shares
            for name in ("development", "capital_pool", "venture"):
                bal[ACCOUNTS.index(name)] += getattr(fp, name).initial_balance_cny_million
        if january or self.month == 1:
            bal[:4] += fp.special.budget_cny_million_per_year * shares
            for name in ("development", "capital_pool", "venture"):
                bal[ACCOUNTS.index(name)] += getattr(fp, name).budget_cny_million_per_year

        year = (self._calendar0 + self.month - 1) // 12
        if self._pool_year != year and self._strength("three_pools", paid=False) > 0:
            pool = self.p.policy.three_pools.capital_pool_cny_million_per_year
            bal[ACCOUNTS.index("capital_pool")] += pool
            self._pool_year = year

    def _pay_commitments(self) -> None:
        pol, m, t = self.p.policy, self.month, self.talents
        # fixed-cost programmes: a programme runs this month only if its cost is paid
        for name, cost in self._programme_costs().items():
            if name != "atmosphere" and self._strength(name, paid=False) > 0:
                self._running[name] = self._pay_all_or_nothing(name, cost)
        self._act_cache = {}  # strengths change with what could be paid
        cost = 0.0
        for i, name in enumerate(CARRIER_KINDS):
            cost += (
                self._op_count[i]
                * getattr(self.p.carriers, name).operating_cost_cny_million_per_year
                / 12
            )
        self._pay("carrier_operation", cost)
        if self.port_open() and pol.talent_port.on:
            self._pay("talent_port", pol.talent_port.operating_cost_cny_million_per_year / 12)
        if self.act("housing") > 0:
            occupied = self.series[m - 1, self._series_col["housing_occupied"]]
            self._pay("housing", occupied * pol.housing.rent_subsidy_cny_thousand_per_month / 1e3)
        young, high_level = k.subsidy_census(
            t.view("status"),
            t.view("kind"),
            t.view("arrived"),
            t.view("level"),
            m,
            pol.awards.living_subsidy_months,
        )
        self.subsidy_paid = False
        if self.act("awards") > 0:
            owed = young * pol.awards.living_subsidy_cny_thousand_per_month
            self.subsidy_paid = self._pay("living_subsidy", owed / 1e3) >= owed / 1e3 - 1e-9
        self.service_level = 0.0
        if self.act("services") > 0:
            paid = self._pay("services", pol.services.spend_cny_million_per_year / 12) * 12
            self.service_level = paid / (paid + pol.services.half_cny_million_per_year)
            cost = high_level * pol.services.specialist_cost_cny_thousand_per_talent_per_year
            self._running["service_specialists"] = self._pay_all_or_nothing(
                "service_specialists", cost / 12e3
            )
        self.atmosphere_utility = 0.0
        if self.act("atmosphere") > 0:
            paid = self._pay("atmosphere", pol.atmosphere.spend_cny_million_per_year / 12) * 12
            self.atmosphere_utility = (
                self.act("atmosphere")
                * pol.atmosphere.utility_at_10m
                * np.log1p(paid)
                / np.log1p(10)
            )

    # ------------------------------------------------------------------------------------------
    # Carriers

    def _carriers_step(self) -> None:
        m, cs = self.month, self.carriers
        for i, name in enumerate(CARRIER_KINDS):
            cp = getattr(self.p.carriers, name)
            if m < cp.start_month or cp.projects_per_year <= 0:
                continue
            n_new = poisson(cp.projects_per_year / 12.0, self.skey["carrier.plan"], i, m)
            for _ in range(n_new):
                self._new_carrier(i, cp.lead_time_months, cp.capacity)
        cost = np.array([getattr(self.p.carriers, n).build_cost_cny_million for n in CARRIER_KINDS])
        before = cs.view("status").copy()
        spent, _ = k.carriers_build(
            cs.view("status"),
            cs.view("built"),
            cs.view("lead"),
            cs.view("completed"),
            cost,
            cs.view("kind"),
            m,
            self._available("carrier_construction"),
        )
        self._pay("carrier_construction", spent)
        for c in np.flatnonzero((before == k.BUILDING) & (cs.view("status") == k.OPERATING)):
            self._open_carrier(int(c))
        self._survey_carriers()
        self._port_step()

    def _port_step(self) -> None:
        """The International Talent Port: launched when its lever starts, built while paid."""
        tp = self.p.policy.talent_port
        if self.port_months_built is None:
            if self.act("talent_port") <= 0:
                return
            self.port_months_built = 0
        if self.port_months_built >= tp.lead_time_months:
            return
        if self._pay_all_or_nothing("talent_port", tp.build_cost_cny_million / tp.lead_time_months):
            self.port_months_built += 1

    def _survey_carriers(self) -> None:
        """Count operating carriers by kind and common-technology platforms by field.

        Counts and slots are kept for all operating carriers and for those built since the
        start. Carriers change only in the carrier step, so the survey is taken after it.
        """
        cs = self.carriers
        kinds = cs.view("kind").astype(np.int64)
        op = cs.view("status") == k.OPERATING
        new = op & (cs.view("completed") >= 1)
        n = len(CARRIER_KINDS)
        slots = cs.view("slots").astype(np.float64)
        self._op_count = np.bincount(kinds[op], minlength=n)
        self._op_slots = np.bincount(kinds[op], weights=slots[op], minlength=n).astype(np.int64)
        self._new_count = np.bincount(kinds[new], minlength=n)
        self._new_slots = np.bincount(kinds[new], weights=slots[new], minlength=n).astype(np.int64)
        plat = op & (kinds == CARRIER_KINDS.index("common_tech_platform"))
        self._platforms_by_field = np.bincount(
            cs.view("field")[plat].astype(np.int64), minlength=len(FIELDS)
        )

    def _count(self, name: str, since_start: bool = False) -> int:
        """Operating carriers of one kind (built since the start, if asked)."""
        counts = self._new_count if since_start else self._op_count
        return int(counts[CARRIER_KINDS.index(name)])

    def _capacity(self, names, since_start: bool = False) -> int:
        slots = self._new_slots if since_start else self._op_slots
        return int(sum(slots[CARRIER_KINDS.index(n)] for n in names))

    def _hosting_slots(self) -> int:
        enclave = self.act("enclaves") > 0
        remote = self.p.policy.enclaves.enclaves * self.p.policy.enclaves.remote_slots_per_enclave
        return self._capacity(_HOSTING_KINDS) + (remote if enclave else 0)

    def port_open(self) -> bool:
        """Whether the International Talent Port operates."""
        lead = self.p.policy.talent_port.lead_time_months
        return self.port_months_built is not None and self.port_months_built >= lead

    # ------------------------------------------------------------------------------------------
    # Enterprises

    def _firms_step(self) -> None:
        ep, pol, m, f = self.p.enterprise, self.p.policy, self.month, self.firms
        alive = f.view("alive").astype(bool)
        leaders = alive & (f.view("kind") == k.FIRM_CHAIN_LEADER)
        n_lead = np.bincount(f.view("field")[leaders].astype(np.int64), minlength=len(FIELDS))
        lab = 0.03 * self.act("lab_sharing") * pol.lab_sharing.intensity
        field_growth = (
            ep.chain_leader_pull_per_year * n_lead
            + ep.platform_growth_per_year * self._platforms_by_field
            + lab
        ) / 12.0
        young = alive & ((m - f.view("born")) < k.YOUNG_FIRM_MONTHS)
        young &= (f.view("kind") == k.FIRM_ORDINARY) | (f.view("kind") == k.FIRM_STARTUP)
        pilot_cap = self._capacity(["pilot_base"])
        relief = ep.pilot_relief_max * min(1.0, pilot_cap / max(1, int(young.sum())))
        was_alive = f.view("alive").copy()
        fails = k.firms_evolve(
            f.view("alive"),
            f.view("kind"),
            f.view("field"),
            f.view("born"),
            f.view("desired"),
            f.view("staff"),
            f.view("funded"),
            f.view("hosted"),
            f.view("uid"),
            m,
            self.skey["firm.growth"],
            self.skey["firm.fail"],
            ep.growth_per_year,
            ep.startup_growth_per_year,
            ep.funded_growth_per_year,
            field_growth,
            ep.growth_sd_per_month,
            ep.fail_per_year_young,
            ep.fail_per_year_mature,
            ep.fail_small_multiplier,
            ep.fail_funded_multiplier,
            ep.fail_incubated_multiplier,
            relief,
            ep.max_vacancy_share,
        )
        k.hosted_release(f.view("alive"), f.view("born"), f.view("hosted"), m)
        self._set("firm_failures", fails)
        ft = self.act("fault_tolerance")
        if ft > 0 and fails:
            failed = (was_alive == 1) & (f.view("alive") == 0) & (f.view("investor") >= 0)
            share = pol.fault_tolerance.risk_compensation_share
            lost = np.bincount(
                f.view("investor")[failed].astype(np.int64),
                weights=f.view("invested")[failed],
                minlength=len(ACCOUNTS),
            )
            for account in np.flatnonzero(lost):  # each investor is reimbursed its share
                paid = self._pay("fault_tolerance", float(lost[account]) * share)
                self.funds.balance[account] += paid
                self.received += paid
        self._land_firms()
        certified = k.certify_high_tech(
            f.view("alive"),
            f.view("kind"),
            f.view("born"),
            f.view("staff"),
            f.view("funded"),
            f.view("spinoff"),
            f.view("high_tech"),
            f.view("uid"),
            m,
            self.skey["firm.certify"],
            ep.high_tech_per_year / 12.0,
        )
        self._set("new_high_tech_firms", certified)

    def _land_firms(self) -> None:
        """Firms from outside: relocations, alumni firms, chain leaders and workstations."""
        ep, pol, m = self.p.enterprise, self.p.policy, self.month
        sk = self.skey["firm.relocate"]
        new_cap = self._capacity(CARRIER_KINDS, since_start=True)
        lam = (
            ep.relocations_per_year
            / 12.0
            * (1.0 + ep.relocation_carrier_effect * np.log1p(new_cap / 100.0))
        )
        n_reloc = poisson(lam, sk, 0, m)
        n_alumni = 0
        if self.act("alumni") > 0:
            events = poisson(self.act("alumni") * pol.alumni.events_per_year / 12.0, sk, 1, m)
            affordable = int(
                self._available("alumni") // max(pol.alumni.cost_cny_million_per_event, 1e-12)
            )
            events = min(events, affordable)
            self._pay("alumni", events * pol.alumni.cost_cny_million_per_event)
            n_alumni = poisson(events * pol.alumni.relocations_per_event, sk, 2, m)
        sk_size, sk_field = self.skey["firm.size"], self.skey["firm.field"]
        cum = np.cumsum(self.p.talent.field_shares)
        keys = (np.uint64(m) << np.uint64(32)) | np.arange(n_reloc + n_alumni, dtype=np.uint64)
        fields = np.minimum(
            np.searchsorted(cum, uniform_array(sk_field, keys, np.uint64(m)), side="right"),
            len(cum) - 1,
        )
        size = np.exp(ep.relocation_size_log_mean + 0.8 * normal_array(sk_size, keys, np.uint64(m)))
        self._new_firms(
            keys | (np.uint64(1) << np.uint64(60)),
            k.FIRM_ORDINARY,
            fields,
            np.maximum(1.0, size),
            np.exp(ep.productivity_sd * normal_array(sk_size, keys, np.uint64(m + 1000))),
        )
        self._set("relocations", n_reloc + n_alumni)
        ca = pol.chain_alliances
        a = self.act("chain_alliances")
        if a > 0:
            n_lead = poisson(a * ca.chain_leaders_per_year / 12.0, sk, 3, m)
            for i in range(n_lead):
                if not self._pay_all_or_nothing(
                    "chain_alliances", ca.incentive_cny_million_per_leader
                ):
                    break
                key = (
                    (np.uint64(m) << np.uint64(32)) | np.uint64(i) | (np.uint64(5) << np.uint64(58))
                )
                self._new_firm(
                    key,
                    k.FIRM_CHAIN_LEADER,
                    i % (len(FIELDS) - 1),
                    ep.chain_leader_size,
                    1.0 + 0.1 * uniform(sk_size, key, m),
                )
            n_ws = poisson(a * ca.workstations_per_year / 12.0, sk, 4, m)
            leaders = np.flatnonzero(
                self.firms.view("alive").astype(bool)
                & (self.firms.view("kind") == k.FIRM_CHAIN_LEADER)
            )
            for i in range(n_ws if len(leaders) else 0):
                if not self._pay_all_or_nothing(
                    "chain_alliances", ca.cost_cny_million_per_workstation
                ):
                    break
                key = (
                    (np.uint64(m) << np.uint64(32)) | np.uint64(i) | (np.uint64(6) << np.uint64(58))
                )
                host = leaders[int(uniform(sk_field, key, m) * len(leaders))]
                self._new_firm(
                    key,
                    k.FIRM_INSTITUTE,
                    int(self.firms.field[host]),
                    float(ca.workstation_staff),
                    float(self.firms.productivity[host]),
                )

    # ------------------------------------------------------------------------------------------
    # Talents

    def _pools(self):
        """Candidate pools of the month: sizes, origin codes, kind shares, status, forcing."""
        tp, pol, m = self.p.talent, self.p.policy, self.month
        sk = self.skey["arrival.count"]
        season = _GRADUATE_SEASON[(self._calendar0 + m - 1) % 12]
        dom_shares = np.array(tp.domestic_kind_shares)
        ct = self.act("chain_talent")
        dom_mult = 1.0 + self.act("talent_market") * pol.talent_market.pool_gain
        if ct > 0:
            boost = np.ones(len(TALENT_KINDS))
            boost[[_KINDS["manager"], _KINDS["professional"]]] += ct * pol.chain_talent.pool_gain
            dom_mult *= float((dom_shares * boost).sum())
            dom_shares = dom_shares * boost / (dom_shares * boost).sum()
        overseas = tp.candidates_overseas_per_month
        os_ = pol.overseas_stations
        overseas += (
            self.act("overseas_stations") * os_.stations * os_.candidates_per_station_per_month
        )
        pools = [  # (origin, mean size, kind shares, status, forced)
            (0, tp.candidates_domestic_per_month * dom_mult, dom_shares, k.SEARCHING, False),
            (1, overseas, np.array(tp.overseas_kind_shares), k.SEARCHING, False),
            (
                2,
                tp.graduates_per_year * season,
                np.array(tp.graduate_kind_shares),
                k.SEARCHING,
                False,
            ),
        ]
        one_kind = np.eye(len(TALENT_KINDS))
        if self.act("young_talent") > 0:
            yt = pol.young_talent
            want = poisson(self.act("young_talent") * yt.postdocs_per_year / 12.0, sk, 4, m)
            cost = yt.postdoc_cost_cny_thousand / 1e3
            n = min(want, int(self._available("young_talent") // cost)) if cost > 0 else want
            self._pay("young_talent", n * cost)
            pools.append((k.ORIGIN_POSTDOC, float(n), one_kind[_KINDS["young"]], k.SEARCHING, True))
        if self.act("strategic_scientists") > 0:
            ss = pol.strategic_scientists
            want = poisson(self.act("strategic_scientists") * ss.arrivals_per_year / 12.0, sk, 5, m)
            n = 0
            for _ in range(want):
                if self._pay_all_or_nothing("strategic_scientists", ss.package_cny_million):
                    n += 1
            pools.append(
                (k.ORIGIN_STRATEGIC, float(n), one_kind[_KINDS["scientist"]], k.SEARCHING, True)
            )
            pools.append(
                (
                    k.ORIGIN_STRATEGIC + 8,
                    float(n * ss.team_size),
                    one_kind[_KINDS["young"]],
                    k.SEARCHING,
                    True,
                )
            )
        if self.act("enclaves") > 0:
            en = pol.enclaves
            lam = self.act("enclaves") * en.enclaves * en.flexible_per_enclave_per_year / 12.0
            pools.append((6, lam, dom_shares, k.FLEXIBLE, True))
        if self.act("offshore") > 0:
            of = pol.offshore
            lam = (
                self.act("offshore")
                * of.offshore_incubators
                * of.flexible_per_incubator_per_year
                / 12
            )
            pools.append((7, lam, np.array(tp.overseas_kind_shares), k.FLEXIBLE, True))
        return pools

    def _arrivals_step(self) -> None:
        tp, pol, m, t = self.p.talent, self.p.policy, self.month, self.talents
        sk = self.skey["arrival.count"]
        pools = self._pools()
        sizes = np.array(
            [
                int(p[1])
                if p[4] and p[0] in (k.ORIGIN_POSTDOC, k.ORIGIN_STRATEGIC, k.ORIGIN_STRATEGIC + 8)
                else poisson(p[1], sk, p[0], m)
                for p in pools
            ],
            dtype=np.int64,
        )
        origins = np.array(
            [p[0] if p[0] < 8 else k.ORIGIN_STRATEGIC for p in pools], dtype=np.int64
        )
        # the strategic team members are a separate pool of the same origin: offset their keys
        n_pools = len(pools)
        kind_shares = np.array([p[2] for p in pools])
        status = np.array([p[3] for p in pools], dtype=np.int8)
        forced = np.array([p[4] for p in pools])
        ability_shift = np.tile(np.array(tp.ability_shift_by_kind), (n_pools, 1))
        recognised = np.full(n_pools, tp.arrival_recognised_share)
        ev = self.act("evaluation_reform") * pol.evaluation_reform.intensity
        asc = np.zeros(n_pools)
        region = self._region_utility()
        util = np.zeros((n_pools, len(TALENT_KINDS)))
        grad_bonus = self._graduate_utility()
        for j, p in enumerate(pools):
            o = p[0]
            if o == 1 or o == 7:
                recognised[j] = min(1.0, recognised[j] * (1.0 + 0.5 * ev))
            if o == k.ORIGIN_STRATEGIC:
                ability_shift[j, _KINDS["scientist"]] = tp.high_level_threshold + 1.0
                recognised[j] = 1.0
            asc[j] = {0: tp.asc_domestic, 1: tp.asc_overseas, 2: tp.asc_graduate}.get(o, 0.0)
            util[j] = region
            if o == 1:
                util[j] += self._overseas_utility()
            if o == 2:
                util[j] += grad_bonus
        comp = tp.competitor_gain_per_year * (m - 1) / 12.0
        awards = np.zeros(3)
        if self.act("awards") > 0 and self._available("awards") > 0:
            awards[:] = [0.0, pol.awards.high_end_cny_thousand, pol.awards.high_level_cny_thousand]
        by_level_util = np.zeros(3)
        hh = self.act("services") * pol.services.headhunter_utility
        by_level_util[1:] = hh
        t.reserve(int(sizes.sum()))
        s = self.skey
        # strategic team members get keys apart from their leaders' (pool index 13)
        origins_keyed = origins.copy()
        for j, p in enumerate(pools):
            if p[0] == k.ORIGIN_STRATEGIC + 8:
                origins_keyed[j] = 13
        n_arr, owed, by_level = k.arrivals(
            m,
            t.count,
            sizes,
            origins_keyed,
            forced,
            status,
            s["arrival.kind"],
            s["arrival.field"],
            s["arrival.ability"],
            s["arrival.expectation"],
            s["arrival.choice"],
            s["arrival.title"],
            kind_shares,
            np.array(tp.field_shares),
            ability_shift,
            tp.overseas_ability_shift,
            tp.log_ability_sd,
            tp.high_end_threshold,
            tp.high_level_threshold,
            recognised,
            asc,
            comp,
            tp.beta_wage,
            tp.beta_award,
            np.array(tp.level_wage_multiplier),
            tp.competitor_wage_ratio,
            tp.expectation_sd,
            awards,
            by_level_util,
            util,
            t.uid,
            t.status,
            t.kind,
            t.field,
            t.origin,
            t.level,
            t.level_since,
            t.ability,
            t.titled,
            t.employer,
            t.wage,
            t.expectation,
            t.arrived,
            t.housed,
            t.failed_employer,
            t.broker,
            t.team,
            t.trained,
        )
        new = slice(t.count, t.count + n_arr)
        t.grow_to(t.count + n_arr)
        t.origin[new][t.origin[new] == 13] = k.ORIGIN_STRATEGIC
        self._pay("awards", owed / 1e3)
        if hh > 0:
            fee = pol.services.headhunter_fee_cny_thousand / 1e3
            self._pay("headhunters", float(by_level[1:].sum()) * fee)
        flexible = int(np.count_nonzero(t.status[new] == k.FLEXIBLE))
        self._set("candidates", int(sizes[~forced].sum()))
        self._set("arrivals", n_arr - flexible)

    def _region_utility(self) -> np.ndarray:
        """Utility of the area's amenities and job prospects, by talent kind."""
        tp = self.p.talent
        cap = self._capacity(CARRIER_KINDS)
        base = (
            tp.beta_housing * self.housing_chance
            + tp.beta_services * self.service_level
            + tp.beta_carriers * np.log1p(cap / 100.0)
            + self.atmosphere_utility
        )
        if self.port_open() and self.p.policy.talent_port.on:
            base += self.p.policy.talent_port.amenity_utility
        util = np.full(len(TALENT_KINDS), base)
        for kind in range(len(TALENT_KINDS)):
            jf = self.job_finding[kind == _KINDS["scientist"]]
            util[kind] += tp.beta_jobs * np.log(max(jf, 0.01))
        if self.subsidy_paid:
            aw = self.p.policy.awards
            pv = aw.living_subsidy_cny_thousand_per_month * aw.living_subsidy_months
            for kind in ("young", "student"):
                util[_KINDS[kind]] += tp.beta_award * pv / 100.0
        return util

    def _overseas_utility(self) -> float:
        pol = self.p.policy
        u = (
            self.act("offshore")
            * pol.offshore.overseas_utility
            * min(pol.offshore.offshore_incubators, 5)
        )
        if self.port_open() and pol.talent_port.on:
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

    def _match_step(self) -> None:
        ep, tp, m, t, f = self.p.enterprise, self.p.talent, self.month, self.talents, self.firms
        efficiency = ep.matching_efficiency * (
            1.0 + self.act("talent_market") * self.p.policy.talent_market.matching_gain
        )
        total_matches, total_vac = 0, 0
        for institutes in (True, False):
            slots = k.vacancy_slots(
                f.view("alive"), f.view("kind"), f.view("desired"), f.view("staff"), institutes
            )
            total_vac += slots.shape[0]
            searchers, matches = k.match(
                t.view("status"),
                t.view("kind"),
                t.view("origin"),
                t.view("uid"),
                t.view("employer"),
                t.view("wage"),
                t.view("level"),
                institutes,
                slots,
                f.view("productivity"),
                f.view("staff"),
                np.array(tp.level_wage_multiplier),
                efficiency,
                ep.matching_elasticity,
                m,
                self.skey["match.select"],
                self.skey["match.assign"],
            )
            self.job_finding[institutes] = matches / searchers if searchers else 1.0
            total_matches += matches
        self._set("matches", total_matches)
        self._set("vacancies", total_vac)

    def _found_prob(self) -> np.ndarray:
        """Monthly chance that an employed talent of each kind founds a startup."""
        tp, pol = self.p.talent, self.p.policy
        slots = self._hosting_slots()
        hosted = int(np.count_nonzero(self.firms.view("hosted") >= 0))
        free_share = max(0, slots - hosted) / slots if slots else 0.0
        mult = 1.0 + tp.founding_carrier_effect * free_share
        mult *= 1.0 + tp.founding_funding_effect * min(1.0, 12.0 * self._invest_chance())
        ft = self.act("fault_tolerance") * pol.fault_tolerance.intensity
        mult *= 1.0 + 0.3 * ft
        prob = np.array(tp.founding_per_year) / 12.0 * mult
        research = 1.0 + self.act("tech_transfer") * 0.4 * pol.tech_transfer.equity_intensity
        research += self.act("three_pools") * pol.three_pools.results_pool_spinoff
        tr = pol.transformation
        research += self.act("transformation") * tr.university_parks * tr.spinoff_per_park
        for kind in _RESEARCH_KINDS:
            prob[kind] *= research
        prob[_KINDS["manager"]] *= 1.0 + 0.5 * self.act("managers") * pol.managers.intensity
        prob[_KINDS["student"]] *= 1.0 + self._competition_effect()
        return np.minimum(prob, 1.0)

    def _competition_effect(self) -> float:
        yc = self.p.policy.youth_community
        recent = sum(1 for month in self._competitions if self.month - month < 12)
        return yc.effect_per_competition * recent

    def _invest_chance(self) -> float:
        chance = 0.0
        ft = self.act("fault_tolerance") * self.p.policy.fault_tolerance.intensity
        for name in ("development", "capital_pool", "venture"):
            fp = getattr(self.p.funds, name)
            if self._fund_balance(name) >= fp.investment_cny_million > 0:
                chance += fp.invest_per_month * (1.0 + 0.5 * ft)
        return min(chance, 1.0)

    def _careers_step(self) -> None:
        tp, pol, m, t, f = self.p.talent, self.p.policy, self.month, self.talents, self.firms
        self._train_step()
        founders = np.empty(t.count, dtype=np.int64)
        recog = tp.recognition_per_month
        ev = self.act("evaluation_reform") * pol.evaluation_reform.intensity
        growth = np.full(len(TALENT_KINDS), tp.ability_growth_per_year / 12.0)
        soe = 0.05 * self.act("soe_innovation") * pol.soe_innovation.practice_intensity / 12.0
        growth[[_KINDS["researcher"], _KINDS["manager"]]] += soe
        d_kind = np.zeros(len(TALENT_KINDS))
        d_kind[_KINDS["manager"]] -= 0.2 * self.act("managers") * pol.managers.intensity
        d_level = np.zeros(3)
        if self._running.get("service_specialists", False):
            d_level[2] -= pol.services.specialist_retention
        d_base = tp.dissatisfaction_services * (1.0 - self.service_level) - self.atmosphere_utility
        d_failed = tp.dissatisfaction_employer_failed * (
            1.0 - 0.6 * self.act("fault_tolerance") * pol.fault_tolerance.intensity
        )
        sk = self.act("skilled_talent") * pol.skilled_talent.retention_gain
        departures, flex_ended, n_found, freed = k.talents_month(
            t.view("status"),
            t.view("kind"),
            t.view("uid"),
            t.view("level"),
            t.view("level_since"),
            t.view("ability"),
            t.view("titled"),
            t.view("employer"),
            t.view("wage"),
            t.view("expectation"),
            t.view("arrived"),
            t.view("housed"),
            t.view("failed_employer"),
            t.view("trained"),
            f.view("alive"),
            f.view("staff"),
            m,
            self.skey["talent.exit"],
            self.skey["talent.recognition"],
            self.skey["talent.found"],
            growth,
            tp.high_end_threshold,
            tp.high_level_threshold,
            min(1.0, recog),
            min(1.0, recog * 0.5 * (1.0 + 2.0 * ev)),
            np.array(tp.level_wage_multiplier),
            tp.exit_base_per_month,
            tp.exit_dissatisfaction_coef,
            tp.dissatisfaction_wage,
            tp.dissatisfaction_unhoused,
            d_base,
            d_kind,
            d_level,
            sk,
            d_failed,
            tp.search_exit_per_month,
            tp.flexible_end_per_month,
            self._found_prob(),
            founders,
        )
        self._housing_free += freed
        self._set("departures", departures)
        self._start_firms(founders[:n_found], spinoff=False)

    def _train_step(self) -> None:
        """Apprenticeships for technicians (task 20) and training for all residents (task 26)."""
        pol, t, m = self.p.policy, self.talents, self.month
        status, kind = t.view("status"), t.view("kind")
        sk = self.skey["talent.training"]
        programmes = (
            (
                "skilled_talent",
                pol.skilled_talent.apprentices_per_year,
                pol.skilled_talent.cost_cny_thousand_per_apprentice,
                [_KINDS["technician"]],
                0,
                pol.skilled_talent.ability_gain,
            ),
            (
                "training",
                pol.training.trainees_per_year,
                pol.training.cost_cny_thousand_per_trainee,
                list(range(len(TALENT_KINDS))),
                1,
                pol.training.ability_gain,
            ),
        )
        for bit, (name, per_year, cost, kinds, _, gain) in enumerate(programmes):
            a = self.act(name)
            if a <= 0:
                continue
            want = per_year / 12.0
            if cost > 0:
                want = min(want, self._available(name) * 1e3 / cost)
            n = k.train_residents(
                status,
                kind,
                t.view("trained"),
                t.view("ability"),
                t.view("uid"),
                m,
                sk ^ np.uint64(bit + 1),
                want,
                _kind_mask(kinds),
                bit,
                gain * a,
            )
            self._pay(name, n * cost / 1e3)

    def _start_firms(self, founders: np.ndarray, spinoff: bool) -> None:
        """Founders open startups; a startup is incubated where a hosting slot is free."""
        m, t, f, tp = self.month, self.talents, self.firms, self.p.talent
        slots = self._hosting_slots() - int(np.count_nonzero(f.view("hosted") >= 0))
        sk = self.skey["firm.productivity"]
        n = len(founders)
        uids = t.uid[founders] ^ (np.uint64(m) << np.uint64(50)) ^ (np.uint64(3) << np.uint64(62))
        productivity = np.exp(
            self.p.enterprise.productivity_sd * normal_array(sk, uids, np.uint64(m))
        )
        start = self._new_firms(uids, k.FIRM_STARTUP, t.field[founders], 2.0, productivity)
        new = slice(start, start + n)
        kinds = t.kind[founders]
        f.spinoff[new] = 1 if spinoff else _RESEARCH_MASK[kinds]
        f.hosted[new] = np.where(np.arange(n) < max(slots, 0), 0, -1)
        f.staff[new] = 1
        t.status[founders] = k.EMPLOYED
        t.employer[founders] = np.arange(start, start + n)
        mult = np.array(tp.level_wage_multiplier)
        t.wage[founders] = mult[t.level[founders]] * productivity
        n_spin = int(f.spinoff[new].sum())
        if self.act("tech_transfer") > 0 and n_spin:
            self._pay(
                "tech_transfer",
                n_spin * self.p.policy.tech_transfer.spinoff_subsidy_cny_thousand / 1e3,
            )
        self.series[m, self._series_col["startups_founded"]] += len(founders)
        self.series[m, self._series_col["new_spinoff_firms"]] += n_spin

    def _transfers_step(self) -> None:
        """Brokers broker technology transfers: a share become spin-offs, the rest projects."""
        pol, t, m = self.p.policy, self.talents, self.month
        self._projects = 0
        a = self.act("brokers")
        if a > 0:
            rates = np.array(pol.brokers.transfers_per_broker_per_year) / 12.0 * a
        else:
            rates = np.full(3, self.p.talent.broker_transfers_per_year / 12.0)
        n = k.broker_transfers(
            t.view("status"),
            t.view("broker"),
            t.view("uid"),
            m,
            self.skey["broker.transfer"],
            rates,
        )
        if a > 0 and n:  # commissions are paid while the programmes account lasts
            self._pay("brokers", n * pol.brokers.commission_cny_thousand / 1e3)
        self._set("technology_transfers", n)
        if n == 0:
            return
        sk = self.skey["broker.spinoff"]
        n_spin = sum(
            1 for i in range(n) if uniform(sk, i, m) < self.p.talent.transfer_spinoff_share
        )
        self._projects = n - n_spin
        if n_spin:
            drawn = k.select_lowest(
                t.view("status"),
                t.view("kind"),
                t.view("team"),
                t.view("uid"),
                _RESEARCH_MASK,
                m,
                sk ^ np.uint64(1),
                n_spin + 16,
            )
            # founders of this month's startups are not drawn again
            employer = t.employer[drawn]
            founder = (self.firms.born[employer] == m) & (
                self.firms.kind[employer] == k.FIRM_STARTUP
            )
            chosen = drawn[~founder][:n_spin]
            staff = self.firms.staff
            for founder in chosen:
                staff[t.employer[founder]] -= 1
            self._start_firms(chosen, spinoff=True)

    def _invest_step(self) -> None:
        ft = self.act("fault_tolerance") * self.p.policy.fault_tolerance.intensity
        m, f = self.month, self.firms
        for name in ("development", "capital_pool", "venture"):
            fp = getattr(self.p.funds, name)
            category = f"{name}_investment"
            before = f.view("funded").copy()
            spent = k.firms_invest(
                f.view("alive"),
                f.view("kind"),
                f.view("born"),
                f.view("funded"),
                f.view("uid"),
                m,
                self.skey["firm.invest"] ^ np.uint64(FUNDS.index(name)),
                fp.invest_per_month * (1.0 + 0.5 * ft),
                fp.investment_cny_million,
                self._available(category),
            )
            new = before != f.view("funded")
            f.invested[: f.count][new] += fp.investment_cny_million
            f.investor[: f.count][new] = ACCOUNTS.index(name)
            self._pay(category, spent)

    def _housing_step(self) -> None:
        pol, t, m = self.p.policy, self.talents, self.month
        if self.act("housing") > 0:
            h = pol.housing
            self._housing_due += h.units_per_year / 12.0
            add = int(self._housing_due)
            if add > 0 and h.unit_cost_cny_thousand > 0:
                add = min(add, int(self._available("housing") * 1e3 // h.unit_cost_cny_thousand))
            self._housing_due -= add
            self._pay("housing", add * h.unit_cost_cny_thousand / 1e3)
            self.housing_units += add
            self._housing_free += add
        occupied, free, n_recent, housed = k.housing_allocate(
            t.view("status"),
            t.view("level"),
            t.view("arrived"),
            t.view("housed"),
            m,
            self._housing_free,
        )
        self._housing_free = free
        self.housing_chance = housed / n_recent if n_recent else 1.0
        self._set("housing_units", self.housing_units)
        self._set("housing_occupied", occupied)

    def _brokers_step(self) -> None:
        pol, t, m = self.p.policy, self.talents, self.month
        if self.act("brokers") <= 0:
            return
        b = pol.brokers
        status, kind = t.view("status"), t.view("kind")
        cost = np.array(b.cost_cny_thousand) / 1e3
        want = np.array(b.trainees_per_year) / 12.0
        budget = self._available("brokers")
        total_cost = float((want * cost).sum())
        if total_cost > budget:
            want = want * budget / total_cost
        trainees, _ = k.train_brokers(
            status,
            kind,
            t.view("broker"),
            t.view("uid"),
            m,
            self.skey["broker.training"],
            want,
            np.array(b.pass_rate),
        )
        self._pay("brokers", float((trainees * cost).sum()))

    def _teams_step(self) -> None:
        tp, pol, m, t, f, tm = (
            self.p.teams,
            self.p.policy,
            self.month,
            self.talents,
            self.firms,
            self.teams,
        )
        k.teams_dissolve(
            tm.view("kind"),
            tm.view("alive"),
            tm.view("leader"),
            tm.view("firm"),
            tm.view("ended"),
            tm.view("uid"),
            t.view("status"),
            t.view("team"),
            f.view("alive"),
            m,
            self.skey["team.dissolve"],
            tp.se_dissolve_per_year / 12.0,
            tp.sc_dissolve_per_year / 12.0,
        )
        n_res, n_brokers, free_scientists = k.team_census(
            t.view("status"), t.view("kind"), t.view("team"), t.view("broker")
        )
        n_res = max(1, n_res)
        brokers_per_1000 = 1000.0 * n_brokers / n_res
        centres = self._count("shared_research_center")
        ui = pol.university_industry
        se_prob = tp.se_form_per_year / 12.0 * (1.0 + tp.se_broker_effect * brokers_per_1000)
        se_prob *= 1.0 + tp.se_center_effect * centres
        se_prob *= 1.0 + 0.5 * self.act("lab_sharing") * pol.lab_sharing.intensity
        se_prob *= (
            1.0 + self.act("university_industry") * ui.partnerships * ui.team_effect_per_partnership
        )
        if free_scientists:
            se_prob += tp.se_project_share * self._projects / free_scientists
        space_slots = self._capacity(("student_space", "incubator"))
        hosted = int(np.count_nonzero(f.view("hosted") >= 0))
        free_share = max(0, space_slots - hosted) / space_slots if space_slots else 0.0
        sc_prob = tp.sc_form_per_year / 12.0 * (1.0 + tp.sc_space_effect * free_share)
        sc_prob *= 1.0 + self._competition_effect()
        partners = np.flatnonzero(
            f.view("alive").astype(bool)
            & (f.view("kind") != k.FIRM_INSTITUTE)
            & (f.view("staff") >= tp.se_engineers)
        )
        cum = np.cumsum(f.view("staff")[partners]).astype(np.float64)
        tm.reserve(n_res)
        n = k.teams_form(
            t.view("status"),
            t.view("kind"),
            t.view("origin"),
            t.view("uid"),
            t.view("team"),
            m,
            self.skey["team.form"],
            self.skey["team.partner"],
            min(se_prob, 1.0),
            min(sc_prob, 1.0),
            cum,
            partners.astype(np.int64),
            tm.kind,
            tm.alive,
            tm.leader,
            tm.firm,
            tm.formed,
            tm.ended,
            tm.count,
        )
        start = tm.count
        tm.grow_to(tm.count + n)
        tm.uid[start : tm.count] = t.uid[tm.leader[start : tm.count]] ^ (
            np.uint64(m) << np.uint64(52)
        )
        self._competitions_step()

    def _competitions_step(self) -> None:
        yc = self.p.policy.youth_community
        if self.act("youth_community") <= 0:
            return
        lam = self.act("youth_community") * yc.competitions_per_year / 12.0
        for _ in range(poisson(lam, self.skey["team.competition"], 0, self.month)):
            if self._pay_all_or_nothing("youth_community", yc.cost_cny_million_per_competition):
                self._competitions.append(self.month)

    def _reform_step(self) -> None:
        rp, m, cs = self.p.reform, self.month, self.cases
        active = sum(1 for name in REFORM_LEVERS if self.act(name) > 0)
        lam = active * rp.case_per_reform_per_year / 12.0
        n_new = poisson(lam, self.skey["reform.case"], 0, m)
        cs.reserve(n_new)
        start, end = cs.add(n_new)
        cs.created[start:end] = m
        chance = rp.promotion_per_month * (
            1.0 + self.act("publicity") * self.p.policy.publicity.promotion_gain
        )
        k.cases_promote(
            cs.view("created"),
            cs.view("promoted"),
            m,
            rp.maturity_months,
            min(chance, 1.0),
            self.skey["reform.promote"],
        )

    # ------------------------------------------------------------------------------------------
    # Recording

    def _set(self, name: str, value: float) -> None:
        self.series[self.month, self._series_col[name]] = value

    def _record(self) -> None:
        m, t, c = self.month, self.talents, self._counts
        k.talent_counts(
            t.view("status"),
            t.view("level"),
            t.view("level_since"),
            t.view("broker"),
            t.view("field"),
            self.p.accounting.count_flexible_talents,
            c,
        )
        tm = self.teams
        alive_teams = tm.view("alive").astype(bool)
        flexible = c[3] if self.p.accounting.count_flexible_talents else 0
        values = {
            "high_level_talents": c[5],
            "innovation_talents": c[0] + flexible,
            "high_end_talents": c[4],
            "tech_brokers": c[6],
            "scientist_engineer_teams": np.count_nonzero(
                alive_teams & (tm.view("kind") == k.TEAM_SE)
            ),
            "shuangchuang_teams": np.count_nonzero(alive_teams & (tm.view("kind") == k.TEAM_SC)),
            "reform_cases": np.count_nonzero(self.cases.view("promoted") >= 1),
        }
        for carrier, kpi in _CARRIER_KPI.items():
            values[kpi] = self._count(carrier, since_start=True)
        for j, name in enumerate(KPIS):
            self.kpi[m, j] = values[name]
        self._set("residents", c[0])
        self._set("employed", c[1])
        self._set("searching", c[2])
        self._set("flexible_talents", c[3])
        f = self.firms
        self._set("firms_alive", np.count_nonzero(f.view("alive")))
        born = (f.view("born") == m) & (
            (f.view("kind") == k.FIRM_STARTUP) | (f.view("kind") == k.FIRM_ORDINARY)
        )
        self._set("new_tech_smes", np.count_nonzero(born) if m else 0)
        self._set("incubators", self._count("incubator"))
        self._set("housing_units", self.housing_units)
        self._set("service_level", self.service_level)
        for name in FUNDS:
            self._set(f"{name}_balance", self._fund_balance(name))

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
        """One store's agents as a pandas DataFrame (one row per slot ever used)."""
        import pandas as pd

        s = getattr(self, store)
        return pd.DataFrame({prop: s.view(prop) for prop in s.properties})
