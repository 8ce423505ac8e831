"""Technology brokers and transfers (tasks 5, 19): trained, certified, brokering transfers.

Reads ``[policy.brokers]``, ``talent.broker_transfers_per_year`` and
``talent.transfer_spinoff_share``. Brokers are of three kinds (新区直属 directly employed, 高校共聘
co-employed with universities, 专业机构 of professional agencies). Each month a resident broker of
kind ``b`` brokers a transfer with chance ``transfers_per_broker_per_year[b] / 12 x strength``
(without the lever, ``broker_transfers_per_year / 12`` whatever the kind); each transfer pays a
commission while the programmes account lasts. A transfer becomes a spin-off with chance
``transfer_spinoff_share`` (founded by an employed scientist or researcher without a team, not one
who founded this month), otherwise a project that seeds scientist+engineer teams
(:mod:`.teams`). Training enrols ``trainees_per_year / 12`` trainees a month per kind among
employed researchers, managers and professionals who are not brokers (scaled down to what the
account can pay), each certified with the kind's pass rate.
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

__all__ = ["Brokers", "BrokerPool", "train_brokers", "broker_transfers", "select_lowest"]

BrokerPool = namedtuple("BrokerPool", ("status", "kind", "broker", "uid"))
Candidates = namedtuple("Candidates", ("status", "kind", "team", "uid"))
_ELIGIBLE = np.zeros(len(TALENT_KINDS), dtype=np.bool_)
_ELIGIBLE[[RESEARCHER, MANAGER, PROFESSIONAL]] = True


@njit(cache=True, inline="always")
def eligible_for_training(kind):
    """Researchers, managers and professionals may train as brokers."""
    return kind == RESEARCHER or kind == MANAGER or kind == PROFESSIONAL


_RESEARCH = np.zeros(len(TALENT_KINDS), dtype=np.bool_)
_RESEARCH[[SCIENTIST, RESEARCHER]] = True
# spin-off founders are drawn from this many more candidates than needed, so that this month's
# founders can be passed over
_SPARE_DRAWS = 16
# the initial brokers' draws come from the initial talents' stream, apart
_INITIAL_BROKER_SALT = np.uint64(7)


@njit(cache=True)
def train_brokers(t, month, skey, want, pass_rate):
    """Enrol employed eligible non-brokers as trainees; certify them with the pass rates.

    ``t`` is a :data:`BrokerPool`. ``want[b]`` trainees are sought for the course of broker kind
    ``b + 1``: each eligible talent enrols with chance ``want[b] / eligible``; ``pass_rate[b]``
    is the chance a trainee is certified. Returns ``(trainees by kind, certified by kind)``.
    """
    nb = want.shape[0]
    trainees = np.zeros(nb, dtype=np.int64)
    certified = np.zeros(nb, dtype=np.int64)
    eligible = 0
    for i in range(t.status.shape[0]):
        if t.status[i] == EMPLOYED and not t.broker[i] and eligible_for_training(t.kind[i]):
            eligible += 1
    if eligible == 0:
        return trainees, certified
    select_prob = np.empty(nb)
    total = 0.0
    for b in range(nb):
        select_prob[b] = min(want[b] / eligible, 1.0)
        total += select_prob[b]
    if total <= 0.0:
        return trainees, certified
    for i in range(t.status.shape[0]):
        if t.status[i] != EMPLOYED or t.broker[i] or not eligible_for_training(t.kind[i]):
            continue
        u = uniform(skey, t.uid[i], month)
        if u >= total:
            continue
        acc = 0.0
        for b in range(nb):
            acc += select_prob[b]
            if u < acc:
                trainees[b] += 1
                if uniform(skey, t.uid[i], month + 100000) < pass_rate[b]:
                    t.broker[i] = b + 1
                    certified[b] += 1
                break
    return trainees, certified


@njit(cache=True)
def broker_transfers(t, month, skey, rate_by_kind):
    """Each resident broker brokers a transfer with a monthly chance by kind; return how many."""
    n = 0
    for i in range(t.status.shape[0]):
        b = t.broker[i]
        if b > 0 and (t.status[i] == EMPLOYED or t.status[i] == SEARCHING):
            if uniform(skey, t.uid[i], month) < rate_by_kind[b - 1]:
                n += 1
    return n


@njit(cache=True)
def select_lowest(t, kind_mask, month, skey, n):
    """A random sample without replacement of ``n`` employed talents without a team.

    The sample is the ``n`` talents of the kinds in ``kind_mask`` whose draws are smallest
    (``t`` is a ``Candidates`` record): independent of the order talents are visited in.
    """
    best = np.empty(n, dtype=np.int64)
    best_u = np.empty(n)
    filled = 0
    for i in range(t.status.shape[0]):
        if t.status[i] != EMPLOYED or t.team[i] >= 0 or not kind_mask[t.kind[i]]:
            continue
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


class Brokers(Component):
    """Technology brokers: their training, and the transfers they broker."""

    properties = {"talents": {"broker": (np.int8, 0)}}
    outputs = ("technology_transfers",)

    def __init__(self, model):
        super().__init__(model)
        self.projects = 0  # brokered transfers that became projects this month

    def initialise(self) -> None:
        """The brokers of the end of 2021: eligible employed talents, drawn by their keys."""
        t = self.model.talents
        status, kind = t.view("status"), t.view("kind")
        eligible = np.flatnonzero(_ELIGIBLE[kind] & (status == EMPLOYED))
        sk = self.key("init.talent") ^ _INITIAL_BROKER_SALT
        draws = uniform_array(sk, t.view("uid")[eligible], np.uint64(0))
        chosen = eligible[np.argsort(draws, kind="mergesort")[: self.p.initial.tech_brokers]]
        t.view("broker")[chosen] = 1 + (np.arange(len(chosen)) % 3)

    def transfer(self) -> None:
        """This month's brokered transfers, spin-offs and projects."""
        pol, t, m, ledger = self.p.policy, self.model.talents, self.month, self.model.ledger
        self.projects = 0
        a = self.act("brokers")
        if a > 0:
            rates = np.array(pol.brokers.transfers_per_broker_per_year) / 12.0 * a
        else:
            rates = np.full(3, self.p.talent.broker_transfers_per_year / 12.0)
        pool = t.take(BrokerPool)
        n = broker_transfers(pool, m, self.key("broker.transfer"), rates)
        if a > 0 and n:  # commissions are paid while the programmes account lasts
            ledger.pay("brokers", n * pol.brokers.commission_cny_thousand / 1e3)
        self.record("technology_transfers", n)
        if n == 0:
            return
        sk = self.key("broker.spinoff")
        share = self.p.talent.transfer_spinoff_share
        n_spin = sum(1 for i in range(n) if uniform(sk, i, m) < share)
        self.projects = n - n_spin
        if n_spin:
            candidates = t.take(Candidates)
            drawn = select_lowest(
                candidates, _RESEARCH, m, sk ^ np.uint64(1), n_spin + _SPARE_DRAWS
            )
            f = self.model.firms
            employer = t.view("employer")[drawn]
            founded_now = (f.view("born")[employer] == m) & (
                f.view("kind")[employer] == FIRM_STARTUP
            )
            chosen = drawn[~founded_now][:n_spin]
            staff = f.view("staff")
            for i in chosen:
                staff[t.view("employer")[i]] -= 1
            self.model.founding.start_firms(chosen, spinoff=True)

    def train(self) -> None:
        """This month's broker trainees and certifications."""
        if self.act("brokers") <= 0:
            return
        b, t, ledger = self.p.policy.brokers, self.model.talents, self.model.ledger
        cost = np.array(b.cost_cny_thousand) / 1e3
        want = np.array(b.trainees_per_year) / 12.0
        budget = ledger.available("brokers")
        total_cost = float((want * cost).sum())
        if total_cost > budget:
            want = want * budget / total_cost
        pool = t.take(BrokerPool)
        trainees, _ = train_brokers(
            pool, self.month, self.key("broker.training"), want, np.array(b.pass_rate)
        )
        ledger.pay("brokers", float((trainees * cost).sum()))
