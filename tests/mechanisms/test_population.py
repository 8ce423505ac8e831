"""The KPI countings of talents on a hand-built population: stock, gained and cumulative."""

import numpy as np
import pytest

from qcy_sim.core import codes as k
from qcy_sim.mechanisms.population import COUNTS, Counted, talent_counts
from qcy_sim.names import N_KEY_CHAINS

KEY, OTHER = 0, N_KEY_CHAINS  # a key chain's field, and a field outside the key chains
# name: (status, origin, arrived, level, level_since, field)
TALENTS = {
    "a": (k.EMPLOYED, k.ORIGIN_RESIDENT, -5, 2, 0, KEY),  # recognised before the plan
    "b": (k.EMPLOYED, k.ORIGIN_DOMESTIC, 3, 1, 3, KEY),  # arrived, recognised on arrival
    "c": (k.SEARCHING, k.ORIGIN_DOMESTIC, 4, 2, 6, KEY),  # arrived, recognised, searching
    "d": (k.GONE, k.ORIGIN_DOMESTIC, 2, 2, 5, KEY),  # arrived, recognised, then left
    "e": (k.EMPLOYED, k.ORIGIN_DOMESTIC, 2, 1, 2, OTHER),  # high-end outside the key chains
    "f": (k.FLEXIBLE, k.ORIGIN_ENCLAVE, 5, 1, 5, KEY),  # flexible, through an enclave
    "g": (k.EMPLOYED, k.ORIGIN_RESIDENT, -10, 0, -1, KEY),  # an old resident
    "h": (k.GONE, k.ORIGIN_RESIDENT, -3, 1, 4, KEY),  # a resident recognised in the plan, gone
    "i": (k.EMPLOYED, k.ORIGIN_RESIDENT, 0, 0, -1, KEY),  # arrived in month 0: before the plan
}
# counted by hand from the table, without and with flexible talents
BY_HAND = {
    False: {
        "residents": 6,  # a b c e g i
        "employed": 5,  # a b e g i
        "searching": 1,  # c
        "flexible": 1,  # f
        "innovation.stock": 5,  # working: a b e g i
        "innovation.gained": 2,  # working and arrived since the start: b e
        "innovation.cumulative": 4,  # arrived since the start: b c d e
        "high_end.stock": 3,  # present, key chain, level >= 1: a b c
        "high_end.gained": 2,  # of them recognised since the start: b c
        "high_end.cumulative": 4,  # recognised since the start, key chain: b c d h
        "high_level.stock": 2,  # a c
        "high_level.gained": 1,  # c
        "high_level.cumulative": 2,  # c d
    },
}
BY_HAND[True] = {
    **BY_HAND[False],
    "innovation.stock": 6,  # + f
    "innovation.gained": 3,
    "innovation.cumulative": 5,
    "high_end.stock": 4,
    "high_end.gained": 3,
    "high_end.cumulative": 5,
}


@pytest.mark.parametrize("count_flexible", [False, True])
def test_each_counting_counts_the_talents_it_should(count_flexible):
    cols = list(zip(*TALENTS.values(), strict=True))
    t = Counted(
        status=np.array(cols[0], np.int8),
        origin=np.array(cols[1], np.int8),
        arrived=np.array(cols[2], np.int16),
        level=np.array(cols[3], np.int8),
        level_since=np.array(cols[4], np.int16),
        field=np.array(cols[5], np.int8),
    )
    out = np.full(len(COUNTS), 99, np.int64)  # stale numbers are overwritten
    talent_counts(t, count_flexible, out)
    assert dict(zip(COUNTS, out.tolist(), strict=True)) == BY_HAND[count_flexible]


def test_summary_judges_a_target_in_every_counting(tiny):
    """P(met) in a target's own counting is its p_met; each counting's P(met) is the share of
    replicates whose series in that counting reaches the threshold at the deadline, and a stock
    (which includes the talents of the start) is met at least as often as a gain."""
    from qcy_sim import run_replicates
    from qcy_sim.model import SERIES

    rep = run_replicates(tiny, replicates=6, seed=2)
    summary = rep.summary()["targets"]
    for t in tiny.targets:
        s = summary[t.kpi]
        by = s["p_met_by_counting"]
        assert by[s["counting"]] == s["p_met"]
        m = tiny.target_month(t)
        for counting, p in by.items():
            values = rep.series[:, m, SERIES.index(f"{t.kpi}__{counting}")]
            assert p == np.mean(values >= t.threshold * (1.0 - t.tolerance))
        assert by["stock"] >= by["gained"]


def test_brokers_in_each_counting_a_lapsed_and_a_gone_broker(tiny):
    """Six brokers set by hand in month 20 (window 12 months): one certified before the plan and
    dealing (stock only), one certified in month 3 and dealing (all three countings), one
    certified in month 2 whose last deal is 12 months old (lapsed: cumulative only), one
    certified in month 4 who has left (cumulative only), one certified in month 5 and dealing
    while searching for a post (all three), one certified in month 6 and dealing who is a
    flexible talent, not a resident (cumulative only)."""
    from qcy_sim import QcyModel

    m = QcyModel(tiny, seed=0)
    t, month = m.talents, 20
    window = tiny.params.brokers.active_window_months
    m.month = month
    t.view("broker")[:] = 0
    employed = np.flatnonzero(t.view("status") == k.EMPLOYED)[:6]
    rows = [(0, month), (3, month - 1), (2, month - window), (4, month), (5, month), (6, month)]
    for i, (since, last) in zip(employed, rows, strict=True):
        t.view("broker")[i] = 1
        t.view("broker_since")[i] = since
        t.view("last_deal")[i] = last
    t.view("status")[employed[3:]] = (k.GONE, k.SEARCHING, k.FLEXIBLE)
    brokers = m.brokers
    assert brokers.active("stock") == 3
    assert brokers.active("gained") == 2
    assert brokers.active("cumulative") == 5
    brokers.census()
    assert brokers.counts == {"stock": 3, "gained": 2, "cumulative": 5}
