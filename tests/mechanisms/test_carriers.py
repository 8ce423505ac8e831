"""Carriers' construction and operating costs on hand-built carriers."""

import numpy as np
import pytest

from qcy_sim import QcyModel
from qcy_sim.core import codes as k
from qcy_sim.mechanisms.carriers import SUPPORT, CarrierBuild, carriers_build
from qcy_sim.names import CARRIER_KINDS

COST = np.array([12.0, 6.0])  # build cost of kinds 0 and 1


def carriers(rows):
    """rows of (status, kind, lead, built, grant_share)."""
    cols = list(zip(*rows, strict=True))
    return CarrierBuild(
        status=np.array(cols[0], np.int8),
        built=np.array(cols[3], np.float64),
        lead=np.array(cols[2], np.float64),
        completed=np.full(len(rows), -1, np.int16),
        kind=np.array(cols[1], np.int8),
        grant_share=np.array(cols[4], np.float64),
    )


def test_grants_are_the_share_of_each_instalment_and_stall_when_the_line_is_short():
    c = carriers(
        [
            (k.BUILDING, 0, 2.0, 1.0, 1.0),  # 0: instalment 12 / 2 = 6, all of it a grant
            (k.BUILDING, 0, 4.0, 0.0, 0.5),  # 1: 0.5 x 12 / 4 = 1.5
            (k.BUILDING, 0, 3.0, 0.0, 0.0),  # 2: private: no grant, always advances
            (k.PROPOSED, 0, 1.0, 0.0, 1.0),  # 3: not under construction
            (k.BUILDING, 1, 3.0, 2.0, 0.5),  # 4: 0.5 x 6 / 3 = 1.0, its last month
        ]
    )
    paid, done = carriers_build(c, COST, 7, np.array([4.0, 10.0]))
    # kind 0's line holds 4: carrier 0 (6) stalls, the cheaper carrier 1 after it is paid
    assert paid.tolist() == pytest.approx([1.5, 1.0])
    assert c.built.tolist() == [1.0, 1.0, 1.0, 0.0, 3.0]
    assert done == 1 and c.status[4] == k.OPERATING and c.completed.tolist()[4] == 7
    assert c.status[3] == k.PROPOSED
    paid, done = carriers_build(c, COST, 8, np.array([7.5, 10.0]))
    assert paid.tolist() == pytest.approx([7.5, 0.0])  # 6 + 1.5: both fit
    assert done == 1 and c.status[0] == k.OPERATING and c.completed[0] == 8
    assert c.status[1] == c.status[2] == k.BUILDING


def test_a_carrier_takes_its_lead_time_and_its_grants_sum_to_the_share_of_its_cost():
    c = carriers([(k.BUILDING, 0, 5.0, 0.0, 0.4)])
    total, months = 0.0, 0
    while c.status[0] == k.BUILDING:
        months += 1
        paid, _ = carriers_build(c, COST, months, np.array([100.0, 100.0]))
        total += paid[0]
    assert months == 5 and total == pytest.approx(0.4 * 12.0)


def test_nothing_is_built_or_paid_without_funds():
    c = carriers([(k.BUILDING, 0, 2.0, 0.0, 0.5), (k.BUILDING, 1, 2.0, 0.0, 0.5)])
    paid, done = carriers_build(c, COST, 1, np.zeros(2))
    assert paid.tolist() == [0.0, 0.0] and done == 0 and c.built.tolist() == [0.0, 0.0]


def test_operating_support_is_paid_per_recognised_operating_carrier(tiny):
    """Each recognised operating carrier costs its programme's yearly support / 12 a month."""
    m = QcyModel(tiny, seed=1)
    m.step()
    m.step()  # the programmes act from month 2 (the leadership delay)
    recognised = np.arange(1, len(CARRIER_KINDS) + 1)
    m.carriers.recognised = recognised.copy()
    before = m.ledger.spending[2].copy()
    m.carriers.pay_operation()
    delta = m.ledger.spending[2] - before
    for j, name in enumerate(CARRIER_KINDS):
        lever = getattr(m.p.policy, SUPPORT[name])
        support = getattr(lever, name).operating_support_cny_million_per_year
        acts = m.policy.act(SUPPORT[name]) > 0
        expected = recognised[j] * support / 12 if acts else 0.0
        column = list(m.ledger.categories).index(name)
        assert delta[column] == pytest.approx(expected), name
    assert delta.sum() > 0 and all(m.policy.act(lever) > 0 for lever in set(SUPPORT.values()))
