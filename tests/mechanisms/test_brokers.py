"""Broker training and deals on hand-built talents."""

import numpy as np
import pytest

from qcy_sim.core import codes as k
from qcy_sim.mechanisms.brokers import (
    _RESEARCH,
    BrokerPool,
    broker_deals,
    train_brokers,
    transfer_pool,
)

from .helpers import binomial_tolerance

MONTH = 9


def pool(kinds, status=k.EMPLOYED, broker=0):
    n = len(kinds)
    return BrokerPool(
        status=np.full(n, status, np.int8),
        kind=np.array(kinds, np.int8),
        broker=np.full(n, broker, np.int8),
        broker_since=np.full(n, -1, np.int16),
        last_deal=np.full(n, -1, np.int16),
        uid=np.arange(n, dtype=np.uint64),
    )


def test_places_cap_the_trainees_and_pass_rates_decide_who_is_certified():
    """1,000 eligible applicants, places (10, 5, 0): the courses fill in turn up to their places;
    pass rates (1, 0, 1) certify all of course 1 and none of course 2."""
    t = pool([k.RESEARCHER] * 400 + [k.MANAGER] * 300 + [k.PROFESSIONAL] * 300)
    places = np.array([10, 5, 0], np.int64)
    applicants, trainees, certified = train_brokers(
        t, MONTH, np.uint64(3), 1.0, places, np.array([1.0, 0.0, 1.0])
    )
    assert applicants == 1000
    assert trainees.tolist() == [10, 5, 0] and certified.tolist() == [10, 0, 0]
    assert (t.broker > 0).sum() == 10 and set(t.broker[t.broker > 0].tolist()) == {1}
    assert (t.broker_since[t.broker > 0] == MONTH).all()
    assert (t.last_deal[t.broker > 0] == MONTH).all()
    assert places.tolist() == [10, 5, 0]  # the caller's places are not used up


def test_only_employed_eligible_non_brokers_apply_at_the_apply_chance():
    n = 20_000
    t = pool([k.RESEARCHER] * n)
    others = pool([k.SCIENTIST, k.YOUNG, k.TECHNICIAN, k.STUDENT] * 50)
    searching = pool([k.MANAGER] * 100, status=k.SEARCHING)
    brokers = pool([k.MANAGER] * 100, broker=2)
    none = np.zeros(3, np.int64)
    for ineligible in (others, searching, brokers):
        applied, _, _ = train_brokers(ineligible, MONTH, np.uint64(3), 1.0, none, np.ones(3))
        assert applied == 0
    applied, trainees, _ = train_brokers(t, MONTH, np.uint64(3), 0.1, none, np.ones(3))
    assert abs(applied / n - 0.1) <= binomial_tolerance(n, 0.1) and trainees.sum() == 0


def test_resident_brokers_deal_at_their_kind_s_chance():
    n = 20_000
    t = pool([k.MANAGER] * (3 * n))
    t.broker[:] = np.repeat([1, 2, 3], n)
    t.status[:100] = k.GONE
    deals = broker_deals(t, MONTH, np.uint64(4), np.array([1.0, 0.0, 0.5]))
    dealt = t.last_deal == MONTH
    assert dealt[:100].sum() == 0 and dealt[100:n].all() and not dealt[n : 2 * n].any()
    share = dealt[2 * n :].mean()
    assert abs(share - 0.5) <= binomial_tolerance(n, 0.5) and deals == dealt.sum()


def test_commissions_are_paid_only_from_what_the_line_holds_beyond_the_year_s_places(baseline):
    """In June, 7 months of training places are owed (this month's included): sum over kinds of
    trainees_per_year / 12 x cost x 7. With 0.05 million above that on the line, the month's
    commissions are cut to 0.05 and the places stay paid for."""
    from qcy_sim import QcyModel

    m = QcyModel(baseline, seed=5)
    for _ in range(6):
        m.step()
    b = m.p.policy.brokers
    places = zip(b.trainees_per_year, b.cost_cny_thousand, strict=True)
    owed = sum(n / 12 * c for n, c in places) / 1e3 * 7
    assert m.brokers.training_owed() == pytest.approx(owed)
    ledger = m.ledger
    line = ledger.line_of("brokers")
    ledger.balance[line] = owed + 0.05
    before = ledger.spent("brokers")
    m.brokers.transfer()
    deals = m.brokers._deals[-1][0]
    assert deals * b.commission_cny_thousand / 1e3 > 0.05  # the commissions would exceed it
    assert ledger.spent("brokers") - before == pytest.approx(0.05)
    assert ledger.balance[line] == pytest.approx(owed)


def test_the_transfer_pool_counts_employed_researchers_and_resident_brokers():
    """Eight talents by hand: employed scientists and researchers yield transfers (2 of them),
    a searching scientist, an employed manager and a departed researcher do not; certified
    brokers count while employed or searching (4), not once gone or while flexible."""
    p = pool([k.SCIENTIST, k.RESEARCHER, k.SCIENTIST, k.MANAGER, k.RESEARCHER, k.MANAGER,
              k.PROFESSIONAL, k.RESEARCHER])  # fmt: skip
    p.status[:] = [k.EMPLOYED, k.EMPLOYED, k.SEARCHING, k.EMPLOYED, k.GONE, k.SEARCHING,
                   k.FLEXIBLE, k.GONE]  # fmt: skip
    p.broker[:] = [1, 0, 2, 3, 0, 1, 2, 1]
    assert transfer_pool(p, _RESEARCH) == (2, 4)
