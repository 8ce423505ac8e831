"""Carriers' construction and operating costs on hand-built carriers; hosting at the start."""

import numpy as np
import pytest

from qcy_sim import QcyModel
from qcy_sim.core import codes as k
from qcy_sim.core.codes import BUILDING, CLOSED, FIRM_ORDINARY, FIRM_STARTUP, OPERATING
from qcy_sim.mechanisms.carriers import SUPPORT, CarrierBuild, carriers_build
from qcy_sim.mechanisms.founding import NOT_HOSTED
from qcy_sim.model import SERIES
from qcy_sim.names import CARRIER_KINDS

COST = np.array([12.0, 6.0])  # build cost of kinds 0 and 1
OWN_LINES = np.array([0, 1], dtype=np.int64)  # each kind paid from a line of its own


def build(c, cost, month, own, lines, pool=(0.0,), pool_of_line=None):
    """``carriers_build`` with one fund (default: no reserve to share)."""
    pool_of_line = np.zeros(len(own), np.int64) if pool_of_line is None else pool_of_line
    return carriers_build(
        c, cost, month, np.asarray(own, float), np.asarray(pool, float), lines, pool_of_line
    )


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
    paid, done = build(c, COST, 7, [4.0, 10.0], OWN_LINES)
    # kind 0's line holds 4: carrier 0 (6) stalls, the cheaper carrier 1 after it is paid
    assert paid.tolist() == pytest.approx([1.5, 1.0])
    assert c.built.tolist() == [1.0, 1.0, 1.0, 0.0, 3.0]
    assert done == 1 and c.status[4] == k.OPERATING and c.completed.tolist()[4] == 7
    assert c.status[3] == k.PROPOSED
    paid, done = build(c, COST, 8, [7.5, 10.0], OWN_LINES)
    assert paid.tolist() == pytest.approx([7.5, 0.0])  # 6 + 1.5: both fit
    assert done == 1 and c.status[0] == k.OPERATING and c.completed[0] == 8
    assert c.status[1] == c.status[2] == k.BUILDING


def test_a_carrier_takes_its_lead_time_and_its_grants_sum_to_the_share_of_its_cost():
    c = carriers([(k.BUILDING, 0, 5.0, 0.0, 0.4)])
    total, months = 0.0, 0
    while c.status[0] == k.BUILDING:
        months += 1
        paid, _ = build(c, COST, months, [100.0, 100.0], OWN_LINES)
        total += paid[0]
    assert months == 5 and total == pytest.approx(0.4 * 12.0)


def test_nothing_is_built_or_paid_without_funds():
    c = carriers([(k.BUILDING, 0, 2.0, 0.0, 0.5), (k.BUILDING, 1, 2.0, 0.0, 0.5)])
    paid, done = build(c, COST, 1, [0.0, 0.0], OWN_LINES)
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


def _projects(kinds, grant_share=0.5, lead=4.0):
    n = len(kinds)
    return CarrierBuild(
        status=np.full(n, BUILDING, dtype=np.int8),
        built=np.zeros(n),
        lead=np.full(n, lead),
        completed=np.full(n, -1, dtype=np.int16),
        kind=np.array(kinds, dtype=np.int8),
        grant_share=np.full(n, grant_share),
    )


def test_kinds_sharing_a_line_are_paid_from_what_the_line_holds():
    """Kinds 0 and 1 share line 0, kind 2 has line 1. Each instalment costs 0.5 x 8 / 4 = 1.
    Line 0 holds 2.5: the first two projects on it are paid (2.0), the third (kind 1) no longer
    fits and stalls although its kind has paid nothing yet; line 1 pays its own project."""
    c = _projects([0, 1, 1, 2])
    paid, done = build(c, np.full(3, 8.0), 5, [2.5, 1.0], np.array([0, 0, 1], dtype=np.int64))
    assert list(paid) == [1.0, 1.0, 1.0]
    assert list(c.built) == [1.0, 1.0, 0.0, 1.0]
    assert done == 0


def test_lines_of_a_reallocating_fund_share_its_free_reserve_once():
    """Kinds 0 and 1 have lines 0 and 1 of one fund; each instalment costs 0.5 x 8 / 4 = 1.
    Line 0 holds 0.5 of its own, line 1 nothing, and the fund's free reserve is 1.0: the first
    project takes line 0's 0.5 and 0.5 of the reserve, the second the reserve's other 0.5 is
    too little for, so it stalls; with a reserve of 1.5 both advance. A line of a fund that
    does not reallocate (pool 0) pays only from its own balance."""
    lines = np.array([0, 1], dtype=np.int64)
    for reserve, built in ((1.0, [1.0, 0.0]), (1.5, [1.0, 1.0])):
        c = _projects([0, 1])
        paid, _ = build(c, np.full(2, 8.0), 5, [0.5, 0.0], lines, [reserve], np.zeros(2, np.int64))
        assert list(c.built) == built
        assert paid.sum() == pytest.approx(sum(built)) and paid.sum() <= 0.5 + reserve + 1e-12
    c = _projects([0, 1])
    pools = np.array([0, 1], dtype=np.int64)  # line 1 in a fund without a shared reserve
    build(c, np.full(2, 8.0), 5, [0.5, 0.0], lines, [1.0, 0.0], pools)
    assert list(c.built) == [1.0, 0.0]


def test_a_project_completes_in_the_month_its_last_instalment_is_paid():
    c = _projects([0], lead=2.0)
    c.built[0] = 1.0
    paid, done = build(c, np.array([6.0]), 7, [10.0], np.array([0], dtype=np.int64))
    assert paid[0] == 0.5 * 6.0 / 2.0 and done == 1
    assert c.status[0] == OPERATING and c.completed[0] == 7


def test_young_firms_of_the_start_sit_in_the_least_occupied_carriers(baseline):
    """At the start every young ordinary firm is hosted while slots are free, and the hosting
    carriers' occupancies differ by at most one firm's share of a slot count."""
    m = QcyModel(baseline, seed=2)
    f, carriers = m.firms, m.carriers
    age = -f.view("born").astype(np.int64)
    kind = f.view("kind")
    young = (age < baseline.params.enterprise.young_firm_months) & (
        (kind == FIRM_ORDINARY) | (kind == FIRM_STARTUP)
    )
    hosts = carriers.hosting_carriers()
    slots = carriers.store.view("slots")[hosts]
    assert young.sum() < slots.sum()  # the defaults: room for all of them
    assert (f.view("host")[young] != NOT_HOSTED).all()
    assert (f.view("host")[~young] == NOT_HOSTED).all()
    occupancy = carriers.hosted_per_carrier()[hosts] / slots
    assert occupancy.max() - occupancy.min() <= 1.0 / slots.min() + 1e-12
    assert m.founding.hosted() == young.sum()


def test_the_carriers_of_the_start_survive_their_first_evaluation(baseline):
    """January 2022 (month 1) evaluates carriers that host the firms of the start: none of them
    closes or loses recognition for want of use (occupancy about 0.28, bars at 0.2)."""
    m = QcyModel(baseline, seed=4)
    m.step()
    cs = m.carriers.store
    assert m.series[1, SERIES.index("carriers_closed")] == 0
    start = cs.view("recognised_month") == 0
    assert start.sum() == sum(
        cp.initial_operating + cp.initial_under_construction
        for cp in (getattr(baseline.params.carriers, n) for n in CARRIER_KINDS)
    )
    assert (cs.view("status")[start] != CLOSED).all()
    assert (cs.view("recognised")[start] == 1).all()
