"""QcyModel: the Mesa model of the talent ecosystem; a month is :meth:`QcyModel.step`.

The model is a thin :class:`mesa.Model` shell. It builds the agent stores (talents and firms,
shared by all mechanisms; carriers, teams and reform cases belong to their mechanisms), the
ledger and one component per mechanism (:mod:`qcy_sim.mechanisms`, :mod:`qcy_sim.policy`), and
runs their phases in the order of :data:`SCHEDULE`. Every KPI is recomputed from agent state at
the end of each month (:mod:`qcy_sim.indicators`).
"""

from __future__ import annotations

import copy

import mesa
import numpy as np

from .core.ledger import Ledger
from .core.rng import StreamKeys
from .core.store import AgentStore
from .indicators import COUNTINGS, DEFAULT_COUNTING, SERIES, counted_column, kpi_values
from .mechanisms.attraction import Attraction
from .mechanisms.brokers import Brokers
from .mechanisms.careers import Careers
from .mechanisms.carriers import Carriers
from .mechanisms.competitors import Competitors
from .mechanisms.enterprises import Enterprises
from .mechanisms.founding import Founding
from .mechanisms.funding import Funding, budget_lines
from .mechanisms.housing import Housing
from .mechanisms.investment import Investment
from .mechanisms.landing import Landing
from .mechanisms.matching import Matching
from .mechanisms.population import Population
from .mechanisms.reforms import Reforms
from .mechanisms.services import Services
from .mechanisms.talent_port import TalentPort
from .mechanisms.teams import Teams
from .mechanisms.training import Training
from .names import FUNDS, KPIS, PUBLIC_FUNDS
from .policy import LEVERS_IN_ORDER
from .policy.governance import Governance
from .scenario import Scenario, month_index

__all__ = [
    "QcyModel",
    "COMPONENTS",
    "SCHEDULE",
    "SPENDING",
    "SERIES",
    "FUNDS",
    "PUBLIC_FUNDS",
    "shared_months",
]

# The mechanisms, by the attribute that holds each.
COMPONENTS = {
    "policy": Governance,
    "funding": Funding,
    "population": Population,
    "enterprises": Enterprises,
    "carriers": Carriers,
    "port": TalentPort,
    "landing": Landing,
    "competitors": Competitors,
    "attraction": Attraction,
    "matching": Matching,
    "training": Training,
    "careers": Careers,
    "founding": Founding,
    "brokers": Brokers,
    "investment": Investment,
    "housing": Housing,
    "services": Services,
    "teams": Teams,
    "reforms": Reforms,
}
# The initial state, built in this order: (component, phase).
INITIALISE = (
    ("enterprises", "initialise"),
    ("carriers", "initialise"),
    ("population", "initialise"),
    ("brokers", "initialise"),
    ("housing", "initialise"),
    ("enterprises", "settle_vacancies"),
    ("founding", "host_initial"),
    ("founding", "recount"),
)
# The month, in this order: (component, phase, what happens). docs/ODD.md §3 is this table.
SCHEDULE = (
    ("policy", "begin_month", "Last month's lever strengths and programme payments are forgotten."),
    ("funding", "receive", "Budgets: initial balances in month 1; in January yearly budgets, "
     "and the levers' unspent lines return and new appropriations open; the capital pool's SOE "
     "money once a year while three_pools acts."),
    ("policy", "pay_programmes", "Running costs of acting fixed-cost programmes are paid from "
     "their lines (an unpaid programme stands still this month)."),
    ("carriers", "pay_operation", "Operating support of recognised operating carriers."),
    ("port", "pay_operation", "Operating cost of the open International Talent Port."),
    ("housing", "pay_rent", "Rent subsidies of occupied talent apartments."),
    ("attraction", "pay_subsidies", "Living subsidies of young talents and students."),
    ("services", "pay", "Services, service specialists and the atmosphere."),
    ("carriers", "propose", "Institutes, chain leaders and developers propose carriers."),
    ("carriers", "recognise", "Programme calls recognise proposals that meet the criteria; "
     "rejected proposals are built privately or dropped."),
    ("carriers", "build", "Construction advances where grants are paid; finished R&D "
     "institutions open as employers."),
    ("port", "step", "The International Talent Port is launched and built."),
    ("enterprises", "evolve", "Firms' output grows; labour demand follows; firms fail."),
    ("founding", "release", "Incubated firms that failed or grew up leave their slot."),
    ("investment", "compensate", "Stakes in failed firms are written off; risk compensation."),
    ("landing", "step", "Relocations, alumni firms, chain leaders and workstations land."),
    ("enterprises", "certify", "Firms are certified high-tech."),
    ("attraction", "step", "Candidates choose the area, a competitor or staying; placements "
     "and flexible talents arrive; awards are paid."),
    ("matching", "step", "Searchers are matched to vacancies."),
    ("enterprises", "adjust", "Pay premia answer open posts; posts open too long expire."),
    ("training", "step", "Apprenticeships and training."),
    ("careers", "step", "Employer failures, ability growth, recognition batches, departures; "
     "founders open startups."),
    ("brokers", "transfer", "Brokers broker transfers: spin-offs and projects."),
    ("investment", "step", "Stakes held long enough are sold; the funds invest in young firms."),
    ("housing", "step", "Apartments are added; tenants move out, newcomers move in."),
    ("brokers", "train", "Talents apply to broker training; trainees are certified."),
    ("teams", "step", "Teams end; projects are taken up by scientists; 新双创 teams form."),
    ("teams", "hold_competitions", "Innovation competitions are held."),
    ("reforms", "step", "Reforms' outcomes earn cases; mature cases are promoted."),
    ("carriers", "evaluate", "In January, under-used carriers lose recognition or close."),
)  # fmt: skip
# Spending categories and the budget line paying each: every lever's categories are paid from
# its own line (in table order), then the investing funds' outlays from theirs.
SPENDING: dict[str, str] = {
    **{cat: spec.name for spec in LEVERS_IN_ORDER for cat in spec.spending},
    **{cat: line for cls in COMPONENTS.values() for cat, line in cls.spending.items()},
}


# Keys of a scenario that do not change what is simulated (targets change how KPIs are counted,
# which a fork recounts), and the keys of a lever that act from month 1 whatever its start: the
# special fund opens the appropriation of every lever that is on in the first month.
_NOT_SIMULATED = ("name", "description", "targets", "milestones", "uncertain", "posterior")
_FROM_MONTH_1 = ("on", "budget_cny_million_per_year")


def shared_months(first: dict, other: dict) -> int | None:
    """Months that runs of two scenarios share, seed by seed; None if they share nothing.

    Both are resolved scenarios as plain data (:meth:`Scenario.to_dict`). ``m`` means the initial
    state and months ``1 .. m`` are the same in both, so a model of ``first`` stepped ``m``
    months and forked under ``other`` (:meth:`QcyModel.fork`) gives exactly ``other``'s straight
    run of the same seed. Scenarios that differ in anything but levers, targets and names share
    nothing. A lever acts from its ``start_month`` (the leadership delay only postpones it), so
    levers set differently in anything but ``on`` and their budget share the months before the
    earlier of their two starts; a lever switched on in one and not the other, or with another
    budget, changes the special fund from month 1 and shares only the initial state. Equal
    scenarios share the whole horizon.
    """
    keys = (set(first) | set(other)) - set(_NOT_SIMULATED)
    if any(first.get(k) != other.get(k) for k in keys - {"policy"}):
        return None
    months = int(first["time"]["horizon_months"])
    for name, lever in first["policy"].items():
        theirs = other["policy"][name]
        if lever == theirs:
            continue
        if any(lever[k] != theirs[k] for k in _FROM_MONTH_1):
            return 0
        months = min(months, int(lever["start_month"]) - 1, int(theirs["start_month"]) - 1)
    return months


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
        talents, firms: The agent stores that every mechanism shares.
        ledger: The accounts and what they paid.
    """

    def __init__(self, scenario: Scenario, seed: int = 0):
        super().__init__(seed=int(seed))
        self.scenario = scenario
        self.p = scenario.params
        self.seed = int(seed)
        self.month = 0
        self.horizon = self.p.time.horizon_months
        self.calendar0 = int(self.p.time.start[5:7]) - 1  # calendar month index of month 1
        self.keys = StreamKeys(self.seed)
        self.kpi = np.zeros((self.horizon + 1, len(KPIS)))
        self.series = np.zeros((self.horizon + 1, len(SERIES)))
        self._series_col = {c: i for i, c in enumerate(SERIES)}
        lines = budget_lines()
        levers = tuple(spec.name for spec in LEVERS_IN_ORDER)
        rule = ("special",) if self.p.funds.special.reallocation == "reserve" else ()
        self.ledger = Ledger(lines, SPENDING, self.horizon + 1, yearly=levers, reallocate=rule)
        self.counting = {kpi: DEFAULT_COUNTING[kpi] for kpi in KPIS}
        for target in scenario.targets:
            if target.counting:
                self.counting[target.kpi] = target.counting
        self.spending = self.ledger.spending
        capacity = {"talents": max(1024, int(self.p.initial.talents * 1.5)), "firms": 4096}
        props: dict[str, dict] = {"talents": {}, "firms": {}}
        for cls in COMPONENTS.values():
            for store, declared in cls.properties.items():
                props[store].update(declared)
        self.talents = AgentStore("talents", capacity["talents"], props["talents"])
        self.firms = AgentStore("firms", capacity["firms"], props["firms"])
        self.components = {}
        for name, cls in COMPONENTS.items():  # the administration first: the others bind to it
            self.components[name] = component = cls(self)
            setattr(self, name, component)
        for name, phase in INITIALISE:
            getattr(self.components[name], phase)()
        self._record()

    def step(self) -> None:
        """Advance one month: the phases of :data:`SCHEDULE`, then the KPIs are recorded."""
        self.month += 1
        self.ledger.month = self.month
        for name, phase, _ in SCHEDULE:
            getattr(self.components[name], phase)()
        self._record()
        if self.month >= self.horizon:
            self.running = False

    def run(self) -> QcyModel:
        """Step to the end of the horizon and return self."""
        while self.month < self.horizon:
            self.step()
        return self

    def fork(self, scenario: Scenario | None = None) -> QcyModel:
        """An independent copy of the model at its current month, to be stepped on by itself.

        Everything that makes up the state is copied: the agent stores, every component, the
        ledger, the recorded rows and the month. Draws are hashes of (seed, stream, agent,
        month), so no generator state is carried, and a fork of seed ``s`` at month ``m``
        stepped to the end gives exactly the numbers of a straight run of seed ``s``. Many
        forks of one model share the history simulated once (burn-in once, fork many).

        Args:
            scenario: A scenario that differs from this model's only in its levers
                (``[policy.*]``), its targets, name or description; the fork runs under it from
                the next month on (its months up to :attr:`month` are this model's). ``None``
                keeps the scenario.

        Raises:
            ValueError: If ``scenario`` differs in anything but the levers, targets, name or
                description.
        """
        keep = {id(self.scenario): self.scenario, id(self.p): self.p}
        new = copy.deepcopy(self, memo=keep)
        if scenario is not None and scenario is not self.scenario:
            new._rebind(scenario)
        return new

    def _rebind(self, scenario: Scenario) -> None:
        from .scenario import params_to_dict

        before, after = params_to_dict(self.p), params_to_dict(scenario.params)
        other = sorted(k for k in before if k != "policy" and before[k] != after.get(k))
        if other:
            raise ValueError(
                f"a fork may change only the levers ([policy.*]); {scenario.name!r} also "
                f"changes {', '.join(other)}"
            )
        self.scenario, self.p = scenario, scenario.params
        for component in self.components.values():
            component.p = scenario.params
        self.counting = {kpi: DEFAULT_COUNTING[kpi] for kpi in KPIS}
        for target in scenario.targets:
            if target.counting:
                self.counting[target.kpi] = target.counting
        for j, kpi in enumerate(KPIS):  # the months so far, counted as the new targets count
            column = self._series_col[counted_column(kpi, self.counting[kpi])]
            self.kpi[: self.month + 1, j] = self.series[: self.month + 1, column]

    def month_of(self, label: str) -> int:
        """Month index of a ``YYYY-MM`` label (1 = ``time.start``)."""
        return month_index(self.p.time.start, label)

    def series_column(self, output: str) -> int:
        """Column of a monthly output in :attr:`series`."""
        return self._series_col[output]

    def record(self, output: str, value: float) -> None:
        """Set this month's value of a monthly output."""
        self.series[self.month, self._series_col[output]] = value

    def add(self, output: str, value: float) -> None:
        """Add to this month's value of a monthly output."""
        self.series[self.month, self._series_col[output]] += value

    def _record(self) -> None:
        self.population.census()
        self.brokers.census()
        self.enterprises.census()
        self.services.census()
        self.record("housing_units", self.housing.units)
        counts = self.population.counts
        residents = counts["residents"]
        self.record("unemployment", counts["searching"] / residents if residents else 0.0)
        row = self.series[self.month]
        vacancies = row[self._series_col["vacancies"]]
        jobs = vacancies + counts["employed"]
        self.record("vacancy_rate", vacancies / jobs if jobs else 0.0)
        self.record("returned_cny_million", self.ledger.returned[self.month])
        for fund in FUNDS:
            self.record(f"{fund}_balance", self.ledger.fund_balance(fund))
        for counting in COUNTINGS:
            for kpi, value in kpi_values(self, counting).items():
                self.record(counted_column(kpi, counting), value)
        for j, kpi in enumerate(KPIS):
            self.kpi[self.month, j] = row[self._series_col[counted_column(kpi, self.counting[kpi])]]

    def check(self) -> None:
        """Assert every component's invariants and the ledger identity."""
        self.ledger.check()
        for component in self.components.values():
            component.check()

    # ------------------------------------------------------------------------------------------
    # Views for Mesa users

    def kpi_frame(self):
        """The KPIs and outputs of the months simulated so far as a pandas DataFrame."""
        import pandas as pd

        from .scenario import month_label

        rows = slice(0, self.month + 1)
        columns = {
            "month": np.arange(self.month + 1),
            "date": [month_label(self.p.time.start, i) for i in range(self.month + 1)],
        }
        columns.update({name: self.kpi[rows, j] for j, name in enumerate(KPIS)})
        columns.update({name: self.series[rows, j] for j, name in enumerate(SERIES)})
        columns.update({f"spend_{c}": self.spending[rows, j] for j, c in enumerate(SPENDING)})
        return pd.DataFrame(columns)

    def stores(self) -> dict[str, AgentStore]:
        """Every agent store by name."""
        return {
            "talents": self.talents,
            "firms": self.firms,
            "carriers": self.carriers.store,
            "teams": self.teams.store,
            "reform_cases": self.reforms.store,
        }

    def agent_frame(self, store: str = "talents"):
        """One store's agents as a pandas DataFrame (one row per slot ever used)."""
        import pandas as pd

        s = self.stores()[store]
        return pd.DataFrame({prop: s.view(prop) for prop in s.properties})
