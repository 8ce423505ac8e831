"""Technology brokers and transfers (tasks 5, 19): who trains, who is active, what is brokered.

Reads ``[brokers]``, ``[policy.brokers]`` and ``[policy.tech_transfer]``. Research results of the
area's employed scientists and researchers offer ``transfers_per_researcher_per_year / 12`` each
month to be transferred, more under the tech-transfer reforms (``transfer_gain``). Brokers find
them: of ``T`` potential transfers, ``T x B / (B + half_brokers)`` are brokered when ``B``
certified brokers reside in the area, each broker's share weighted by its kind's productivity.
A transfer pays the broker the commission (while the brokers' line lasts) and, where the reform
lets brokers take technology equity, ``broker_equity_share`` of ``deal_value_cny_thousand``. It
becomes a spin-off with chance ``talent.transfer_spinoff_share`` (founded by an employed
scientist or researcher without a team, not one who founded this month), a joint development
project that seeds a scientist+engineer team (:mod:`.teams`) with chance ``project_share``, and
a licence otherwise. Employed researchers, managers and professionals who are
not brokers apply to train with monthly chance ``apply_per_year / 12 x (1 + income_sensitivity x
I / 100)``, ``I`` the yearly income (thousand CNY) last year's deals earned a broker; the training
programme admits applicants up to its places (``trainees_per_year / 12`` a month by kind, fewer if
its line cannot pay them) and certifies them with the kind's pass rate. A certified broker is
active, and counts, while its last deal (or its certification) lies within
``active_window_months``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import (
    EMPLOYED,
    FIRM_STARTUP,
    MANAGER,
    PROFESSIONAL,
    RESEARCHER,
    SCIENTIST,
    SEARCHING,
)
from ..core.component import Component
from ..core.rng import uniform, uniform_array
from ..names import TALENT_KINDS

__all__ = [
    "Brokers",
    "BrokerPool",
    "broker_counts",
    "train_brokers",
    "broker_deals",
    "select_lowest",
]

BrokerPool = namedtuple(
    "BrokerPool", ("status", "kind", "broker", "broker_since", "last_deal", "uid")
)
Candidates = namedtuple("Candidates", ("status", "kind", "team", "uid"))
_ELIGIBLE = np.zeros(len(TALENT_KINDS), dtype=np.bool_)
_ELIGIBLE[[RESEARCHER, MANAGER, PROFESSIONAL]] = True
_RESEARCH = np.zeros(len(TALENT_KINDS), dtype=np.bool_)
_RESEARCH[[SCIENTIST, RESEARCHER]] = True
# spin-off founders are drawn from this many more candidates than needed, so that this month's
# founders can be passed over
_SPARE_DRAWS = 16
# the initial brokers' draws come from the initial talents' stream, apart
_INITIAL_BROKER_SALT = np.uint64(7)
# a trainee's certification draw is this many months away from its application draw
_CERTIFICATION_OFFSET = 100000


@njit(cache=True, inline="always")
def eligible_for_training(kind):
    """Researchers, managers and professionals may train as brokers."""
    return (kind == RESEARCHER) | (kind == MANAGER) | (kind == PROFESSIONAL)


@njit(cache=True)
def train_brokers(t, month, skey, apply_chance, places, pass_rate):
    """Applicants to broker training are admitted up to the places and certified.

    ``t`` is a :data:`BrokerPool`. Each employed eligible non-broker applies with chance
    ``apply_chance``; applicants are admitted in the order of their draws while places last,
    ``places[b]`` of them to the course of broker kind ``b + 1`` (the courses filled in turn),
    and certified with ``pass_rate[b]``. Returns ``(applicants, trainees by kind, certified by
    kind)``.
    """
    nb = places.shape[0]
    trainees = np.zeros(nb, dtype=np.int64)
    certified = np.zeros(nb, dtype=np.int64)
    n = t.status.shape[0]
    idx = np.empty(n, dtype=np.int64)
    eligible = 0
    for i in range(n):  # the eligible are listed without a branch, then draw
        idx[eligible] = i
        not_broker = t.broker[i] == 0
        eligible += (t.status[i] == EMPLOYED) & not_broker & eligible_for_training(t.kind[i])
    draw = np.empty(eligible)
    applicants = 0
    for j in range(eligible):
        i = idx[j]
        u = uniform(skey, t.uid[i], month)
        if u < apply_chance:
            draw[applicants] = u
            idx[applicants] = i  # applicants overwrite the list behind its reading position
            applicants += 1
    order = np.argsort(draw[:applicants], kind="mergesort")
    left = places.copy()
    b = 0
    for r in range(applicants):
        tries = 0
        while left[b] <= 0 and tries < nb:
            b = (b + 1) % nb
            tries += 1
        if left[b] <= 0:
            break
        i = idx[order[r]]
        left[b] -= 1
        trainees[b] += 1
        if uniform(skey, t.uid[i], month + _CERTIFICATION_OFFSET) < pass_rate[b]:
            t.broker[i] = b + 1
            t.broker_since[i] = month
            t.last_deal[i] = month
            certified[b] += 1
        b = (b + 1) % nb
    return applicants, trainees, certified


@njit(cache=True)
def broker_deals(t, month, skey, chance_by_kind):
    """Each resident broker of kind ``b`` makes a deal with chance ``chance_by_kind[b - 1]``."""
    n = 0
    for i in range(t.status.shape[0]):
        b = t.broker[i]
        if b > 0 and (t.status[i] == EMPLOYED or t.status[i] == SEARCHING):
            if uniform(skey, t.uid[i], month) < chance_by_kind[b - 1]:
                t.last_deal[i] = month
                n += 1
    return n


@njit(cache=True)
def select_lowest(t, kind_mask, month, skey, n):
    """A random sample without replacement of ``n`` employed talents without a team.

    The sample is the ``n`` talents of the kinds in ``kind_mask`` whose draws are smallest
    (``t`` is a ``Candidates`` record): independent of the order talents are visited in.
    """
    m = t.status.shape[0]
    eligible = np.empty(m, dtype=np.int64)
    k = 0
    for i in range(m):  # the eligible are listed without a branch, then draw
        eligible[k] = i
        k += (t.status[i] == EMPLOYED) & (t.team[i] < 0) & kind_mask[t.kind[i]]
    best = np.empty(n, dtype=np.int64)
    best_u = np.empty(n)
    filled = 0
    for j in range(k):
        i = eligible[j]
        u = uniform(skey, t.uid[i], month)
        if filled < n:
            pos = filled
            filled += 1
        elif u < best_u[n - 1]:
            pos = n - 1
        else:
            continue
        while pos > 0 and best_u[pos - 1] > u:  # keep the buffer sorted
            best_u[pos] = best_u[pos - 1]
            best[pos] = best[pos - 1]
            pos -= 1
        best_u[pos] = u
        best[pos] = i
    return best[:filled]


@njit(cache=True)
def transfer_pool(t, research):
    """``(employed talents of the research kinds, resident certified brokers)``, in one pass.

    ``t`` is a :data:`BrokerPool`, ``research`` a mask by talent kind.
    """
    researchers = brokers = 0
    for i in range(t.status.shape[0]):
        employed = np.int64(t.status[i] == EMPLOYED)
        resident = employed | np.int64(t.status[i] == SEARCHING)
        researchers += employed & np.int64(research[t.kind[i]])
        brokers += np.int64(t.broker[i] > 0) & resident
    return researchers, brokers


@njit(cache=True)
def broker_counts(t, after):
    """Brokers in the three countings, ``(stock, gained, cumulative)``.

    *stock*: resident brokers whose last deal (or certification) came after month ``after``;
    *gained*: those of them certified since the start; *cumulative*: every broker certified
    since the start, wherever they are now. ``t`` is a :data:`BrokerPool`.
    """
    stock = gained = cumulative = 0
    for i in range(t.status.shape[0]):
        s = t.status[i]
        broker = np.int64(t.broker[i] > 0)
        new = np.int64(t.broker_since[i] >= 1)
        active = broker & np.int64((s == EMPLOYED) | (s == SEARCHING)) & (t.last_deal[i] > after)
        stock += active
        gained += active & new
        cumulative += broker & new
    return stock, gained, cumulative


class Brokers(Component):
    """Technology brokers: their training, their deals, and the transfers they broker."""

    properties = {
        "talents": {
            "broker": (np.int8, 0),
            "broker_since": (np.int16, -1),
            "last_deal": (np.int16, -1),
        }
    }
    outputs = ("technology_transfers", "broker_applicants", "brokers_certified")

    def __init__(self, model):
        super().__init__(model)
        self.projects = 0  # brokered transfers that became projects this month
        self._deals: list[tuple[int, int]] = []  # per month: (deals, certified brokers)
        self.counts: dict[str, int] = {}  # active brokers by counting, at the month's census

    def initialise(self) -> None:
        """The brokers of the end of 2021: eligible employed talents, drawn by their keys."""
        t = self.model.talents
        status, kind = t.view("status"), t.view("kind")
        eligible = np.flatnonzero(_ELIGIBLE[kind] & (status == EMPLOYED))
        sk = self.key("init.talent") ^ _INITIAL_BROKER_SALT
        draws = uniform_array(sk, t.view("uid")[eligible], np.uint64(0))
        chosen = eligible[np.argsort(draws, kind="mergesort")[: self.p.initial.tech_brokers]]
        t.view("broker")[chosen] = 1 + (np.arange(len(chosen)) % 3)
        t.view("broker_since")[chosen] = 0
        t.view("last_deal")[chosen] = 0

    def income(self) -> float:
        """Yearly income (thousand CNY) that last year's deals earned a broker."""
        recent = self._deals[-12:]
        brokers = sum(b for _, b in recent) / max(1, len(recent))
        deals_per_year = sum(d for d, _ in recent) * 12.0 / max(1, len(recent)) / max(1.0, brokers)
        pol = self.p.policy
        per_deal = pol.brokers.commission_cny_thousand if self.act("brokers") > 0 else 0.0
        if self.act("tech_transfer") > 0:
            tt = pol.tech_transfer
            per_deal += tt.broker_equity_share * self.p.brokers.deal_value_cny_thousand
        return deals_per_year * per_deal

    def transfer(self) -> None:
        """This month's brokered transfers, spin-offs and projects."""
        bp, pol, t, m = self.p.brokers, self.p.policy, self.model.talents, self.month
        ledger = self.model.ledger
        self.projects = 0
        pool = t.take(BrokerPool)
        research, b = transfer_pool(pool, _RESEARCH)
        tt = pol.tech_transfer
        potential = bp.transfers_per_researcher_per_year / 12.0 * research
        potential *= 1.0 + tt.transfer_gain * self.act("tech_transfer") * tt.equity_intensity
        brokered = potential * b / (b + bp.half_brokers) if b else 0.0
        weight = np.array(pol.brokers.productivity_by_kind)
        chance = np.minimum(1.0, brokered / max(b, 1) * weight / weight.mean())
        n = broker_deals(pool, m, self.key("broker.transfer"), chance)
        self._deals.append((n, b))
        if self.act("brokers") > 0 and n:
            free = ledger.available("brokers") - self.training_owed()
            ledger.pay("brokers", min(n * pol.brokers.commission_cny_thousand / 1e3, free))
            self.model.reforms.outcome("brokers", n)
        self.record("technology_transfers", n)
        if n == 0:
            return
        sk = self.key("broker.spinoff")
        spin, project = self.p.talent.transfer_spinoff_share, bp.project_share
        draws = uniform_array(sk, np.arange(n, dtype=np.uint64), m)
        n_spin = int(np.count_nonzero(draws < spin))
        self.projects = int(np.count_nonzero((spin <= draws) & (draws < spin + project)))
        if n_spin:
            drawn = select_lowest(
                t.take(Candidates), _RESEARCH, m, sk ^ np.uint64(1), n_spin + _SPARE_DRAWS
            )
            f = self.model.firms
            employer = t.view("employer")[drawn]
            founded_now = (f.view("born")[employer] == m) & (
                f.view("kind")[employer] == FIRM_STARTUP
            )
            chosen = drawn[~founded_now][:n_spin]
            np.subtract.at(f.view("staff"), t.view("employer")[chosen], 1)
            self.model.founding.start_firms(chosen, spinoff=True)

    def training_owed(self) -> float:
        """What the training places cost from this month to December (million CNY).

        The programme's places are planned for the year: commissions are paid only from what
        the brokers' line holds beyond them.
        """
        b = self.p.policy.brokers
        per_month = np.array(b.trainees_per_year) / 12.0 * np.array(b.cost_cny_thousand) / 1e3
        return float(per_month.sum()) * (13 - self.calendar_month)

    def train(self) -> None:
        """This month's applicants, trainees and certifications."""
        bp, t, ledger = self.p.brokers, self.model.talents, self.model.ledger
        apply = bp.apply_per_year / 12.0 * (1.0 + bp.income_sensitivity * self.income() / 100.0)
        places = np.zeros(3, dtype=np.int64)
        cost = np.zeros(3)
        if self.act("brokers") > 0:
            b = self.p.policy.brokers
            cost = np.array(b.cost_cny_thousand) / 1e3
            want = np.array(b.trainees_per_year) / 12.0
            budget = ledger.available("brokers")
            total_cost = float((want * cost).sum())
            if total_cost > budget:
                want = want * budget / total_cost
            # whole places; a fraction is a place in the month with that chance
            u = uniform(self.key("broker.places"), np.uint64(0), self.month)
            places = np.floor(want + u).astype(np.int64)
        pass_rate = np.array(self.p.policy.brokers.pass_rate)
        applicants, trainees, certified = train_brokers(
            t.take(BrokerPool), self.month, self.key("broker.training"), min(apply, 1.0), places,
            pass_rate,
        )  # fmt: skip
        ledger.pay("brokers", float((trainees * cost).sum()))
        self.record("broker_applicants", applicants)
        self.record("brokers_certified", int(certified.sum()))

    def active(self, counting: str = "gained") -> int:
        """Active brokers (a deal or certification within the window), counted as asked.

        ``"stock"``: every active resident broker; ``"gained"``: those certified since the
        start; ``"cumulative"``: every broker certified since the start, active or not, resident
        or gone.
        """
        return self._counts()[counting]

    def census(self) -> None:
        """Count this month's active brokers in every counting (:attr:`counts`)."""
        self.counts = self._counts()

    def _counts(self) -> dict[str, int]:
        t = self.model.talents
        after = self.month - self.p.brokers.active_window_months
        stock, gained, cumulative = broker_counts(t.take(BrokerPool), after)
        return {"stock": stock, "gained": gained, "cumulative": cumulative}
