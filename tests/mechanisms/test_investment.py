"""Investment on hand-built firms: who is offered a stake, and never beyond the fund's balance."""

import numpy as np
import pytest

from qcy_sim.core import codes as k
from qcy_sim.mechanisms.investment import Investable, firms_invest

MONTH, YOUNG = 30, 24


def firms():
    """Firms 0-5 eligible (young, unfunded, ordinary or startups); 6-9 not."""
    kind = [k.FIRM_ORDINARY, k.FIRM_STARTUP] * 3 + [
        k.FIRM_ORDINARY,  # 6 dead
        k.FIRM_INSTITUTE,  # 7 an institute
        k.FIRM_STARTUP,  # 8 already funded
        k.FIRM_ORDINARY,  # 9 too old: born young_months ago
    ]
    return Investable(
        alive=np.array([1] * 6 + [0, 1, 1, 1], np.int8),
        kind=np.array(kind, np.int8),
        born=np.array([MONTH - 1] * 9 + [MONTH - YOUNG], np.int16),
        funded=np.array([0] * 8 + [1, 0], np.int8),
        uid=np.arange(10, dtype=np.uint64),
    )


@pytest.mark.parametrize(
    ("balance", "n_funded"), [(100.0, 6), (18.0, 6), (17.99, 5), (9.0, 3), (8.9, 2), (2.0, 0)]
)
def test_offers_stop_before_the_balance_is_exceeded(balance, n_funded):
    f = firms()
    spent = firms_invest(f, MONTH, np.uint64(5), 1.0, 3.0, balance, YOUNG)
    assert spent == pytest.approx(3.0 * n_funded) and spent <= balance
    assert np.flatnonzero(f.funded).tolist() == list(range(n_funded)) + [8]


def test_no_offers_without_chance_or_amount():
    f = firms()
    assert firms_invest(f, MONTH, np.uint64(5), 0.0, 3.0, 100.0, YOUNG) == 0.0
    assert firms_invest(f, MONTH, np.uint64(5), 1.0, 0.0, 100.0, YOUNG) == 0.0
    assert f.funded.tolist() == [0] * 8 + [1, 0]


def test_offer_chance_is_the_share_of_eligible_firms_funded():
    n = 20_000
    f = Investable(
        alive=np.ones(n, np.int8),
        kind=np.full(n, k.FIRM_STARTUP, np.int8),
        born=np.full(n, MONTH, np.int16),
        funded=np.zeros(n, np.int8),
        uid=np.arange(n, dtype=np.uint64),
    )
    spent = firms_invest(f, MONTH, np.uint64(5), 0.2, 1.0, 1e9, YOUNG)
    share = f.funded.mean()
    assert abs(share - 0.2) <= 4 * np.sqrt(0.2 * 0.8 / n) and spent == f.funded.sum()


def test_a_stake_is_sold_after_its_holding_months_for_cost_times_capped_growth(tiny):
    """Two stakes of the development fund held exactly holding_months: one whose firm grew
    twentyfold is sold at max_multiple x cost, one whose firm halved at half its cost."""
    from qcy_sim import QcyModel

    m = QcyModel(tiny, seed=1)
    m.step()
    fp = m.p.funds.development
    assert fp.max_multiple < 20
    f = m.firms
    alive = np.flatnonzero(f.view("alive") == 1)[:2]
    f.view("investor")[alive] = 0  # the development fund
    f.view("invested")[alive] = 2.0
    f.view("invested_month")[alive] = m.month - fp.holding_months
    f.view("invested_output")[alive] = f.view("output")[alive] * np.array([0.05, 2.0])
    received = m.ledger.received[m.month]
    m.investment._exits()
    assert m.ledger.received[m.month] - received == pytest.approx(2.0 * fp.max_multiple + 1.0)
    assert (f.view("investor")[alive] == -1).all() and (f.view("invested")[alive] == 0).all()
