"""Model invariants every month, determinism, and common random numbers."""

import dataclasses

import numpy as np
import pytest

from qcy_sim import QcyModel
from qcy_sim.core import codes as k
from qcy_sim.model import FUNDS, SERIES, SPENDING
from qcy_sim.schema import CARRIER_KINDS, KPIS


def col(name):
    return SERIES.index(name)


def check_invariants(m: QcyModel):
    """Every mechanism's invariants, the ledger identity, and no NaN anywhere in state."""
    m.check()
    for store in m.stores().values():
        for prop in store.properties:
            v = store.view(prop)
            if v.dtype.kind == "f":
                assert np.isfinite(v).all(), (store.name, prop)
    assert np.isfinite(m.kpi[: m.month + 1]).all() and (m.kpi[: m.month + 1] >= 0).all()


def test_invariants_hold_every_month(tiny):
    m = QcyModel(tiny, seed=11)
    check_invariants(m)
    prev = m.series[0, col("residents")]
    while m.running:
        m.step()
        check_invariants(m)
        s = m.series[m.month]
        # headcount conservation: residents = previous + arrivals - departures
        assert s[col("residents")] == prev + s[col("arrivals")] - s[col("departures")]
        assert s[col("employed")] + s[col("searching")] == s[col("residents")]
        prev = s[col("residents")]
    assert m.month == tiny.horizon


def test_spending_matches_fund_balances(tiny):
    m = QcyModel(tiny, seed=5).run()
    p = tiny.params.funds
    budgets = sum(
        getattr(p, f).initial_balance_cny_million + getattr(p, f).budget_cny_million_per_year
        for f in FUNDS
    )  # one year: one budget
    pool = tiny.params.policy.three_pools.capital_pool_cny_million_per_year
    received = m.ledger.received.sum()
    assert budgets + pool <= received <= budgets + pool + m.spending.sum()
    held = m.ledger.balance.sum() + sum(m.ledger.reserve.values())
    assert np.isclose(received - m.spending.sum(), held)


def test_same_seed_identical_other_seed_differs(tiny):
    a = QcyModel(tiny, seed=7).run()
    b = QcyModel(tiny, seed=7).run()
    c = QcyModel(tiny, seed=8).run()
    for attr in ("kpi", "series", "spending"):
        assert np.array_equal(getattr(a, attr), getattr(b, attr))
    assert not np.array_equal(a.series, c.series)


def _with(scenario, section, **changes):
    params = scenario.params
    new = dataclasses.replace(getattr(params, section), **changes)
    return dataclasses.replace(scenario, params=dataclasses.replace(params, **{section: new}))


def with_lever(scenario, lever, **changes):
    policy = scenario.params.policy
    new = dataclasses.replace(getattr(policy, lever), **changes)
    policy = dataclasses.replace(policy, **{lever: new})
    return dataclasses.replace(scenario, params=dataclasses.replace(scenario.params, policy=policy))


def test_common_random_numbers_publicity_changes_only_reform_cases(tiny):
    """Publicity (with money to spare) changes reform cases and spending, nothing else."""
    off = with_lever(tiny, "publicity", on=False)
    on = with_lever(tiny, "publicity", promotion_gain=5.0)
    a = QcyModel(off, seed=21).run()
    b = QcyModel(on, seed=21).run()
    j = KPIS.index("reform_cases")
    others = [i for i in range(len(KPIS)) if i != j]
    assert np.array_equal(a.kpi[:, others], b.kpi[:, others])
    assert np.array_equal(
        a.series[:, : SERIES.index("special_balance")],
        b.series[:, : SERIES.index("special_balance")],
    )
    assert b.kpi[-1, j] >= a.kpi[-1, j]
    assert b.spending.sum() > a.spending.sum()


def test_common_random_numbers_overseas_pool_leaves_domestic_draws(tiny):
    """Adding overseas candidates does not change which domestic candidates came in month 1."""
    a = QcyModel(tiny, seed=4)
    b = QcyModel(_with(tiny, "talent", candidates_overseas_per_month=200.0), seed=4)
    a.step()
    b.step()
    dom_a = a.talents.view("uid")[a.talents.view("origin") == 0]
    dom_b = b.talents.view("uid")[b.talents.view("origin") == 0]
    assert np.array_equal(np.sort(dom_a), np.sort(dom_b))
    assert np.count_nonzero(b.talents.view("origin") == 1) > np.count_nonzero(
        a.talents.view("origin") == 1
    )


def test_empty_budget_stops_spending_and_recognition(tiny):
    """Without money nothing is paid and no carrier is recognised; only the projects under way at
    the start (their money found before the plan) complete."""
    poor = tiny
    for name in ("special", "development", "venture"):
        fund = dataclasses.replace(
            getattr(poor.params.funds, name),
            initial_balance_cny_million=0.0,
            budget_cny_million_per_year=0.0,
        )
        funds = dataclasses.replace(poor.params.funds, **{name: fund})
        poor = dataclasses.replace(poor, params=dataclasses.replace(poor.params, funds=funds))
    poor = with_lever(poor, "three_pools", capital_pool_cny_million_per_year=0.0)
    m = QcyModel(poor, seed=2).run()
    assert m.spending.sum() == 0
    assert m.series[:, col("carriers_recognised")].sum() == 0
    for kind, kpi in (("innovation_carrier", "innovation_carriers"), ("pilot_base", "pilot_bases")):
        started = getattr(poor.params.carriers, kind).initial_under_construction
        assert m.kpi[-1, KPIS.index(kpi)] <= started
    check_invariants(m)


def _support(scenario, carrier, **changes):
    from qcy_sim.mechanisms.carriers import SUPPORT

    lever = SUPPORT[carrier]
    table = getattr(scenario.params.policy, lever)
    new = dataclasses.replace(getattr(table, carrier), **changes)
    return with_lever(scenario, lever, **{carrier: new})


@pytest.mark.parametrize("carrier", CARRIER_KINDS)
def test_carrier_programmes_recognise_carriers_and_cost_money(tiny, carrier):
    """A programme with calls recognises carriers of its kind and pays for them; without calls
    it recognises none and pays nothing for the kind."""
    off = _support(tiny, carrier, calls_per_year=0)
    on = _support(tiny, carrier, calls_per_year=12, criteria=-1.0, grant_share=0.5)
    on = _with_carrier(on, carrier, proposals_per_year=6.0, lead_time_months=3.0)
    off = _with_carrier(off, carrier, proposals_per_year=6.0, lead_time_months=3.0)
    a = QcyModel(off, seed=1).run()
    b = QcyModel(on, seed=1).run()
    kind = CARRIER_KINDS.index(carrier)
    ca, cb = a.carriers.store, b.carriers.store
    new_a = np.count_nonzero((ca.view("kind") == kind) & (ca.view("recognised_month") >= 1))
    new_b = np.count_nonzero((cb.view("kind") == kind) & (cb.view("recognised_month") >= 1))
    assert new_a == 0 and new_b > 0
    column = list(SPENDING).index(carrier)
    assert b.spending[:, column].sum() > 0
    assert b.spending[:, column].sum() > a.spending[:, column].sum()


def _with_carrier(scenario, carrier, **changes):
    cs = scenario.params.carriers
    new = dataclasses.replace(getattr(cs, carrier), **changes)
    carriers = dataclasses.replace(cs, **{carrier: new})
    return dataclasses.replace(
        scenario, params=dataclasses.replace(scenario.params, carriers=carriers)
    )


def test_firm_sizes_right_skewed_and_young_firms_fail_more(baseline):
    """Stylised facts: firm sizes are right-skewed; young firms fail more often than old ones."""
    m = QcyModel(baseline, seed=3).run()
    f = m.firms
    alive = f.view("alive").astype(bool)
    sizes = f.view("staff")[alive & (f.view("kind") != k.FIRM_INSTITUTE)]
    assert np.mean(sizes) > 1.5 * np.median(sizes)
    born, kind = f.view("born"), f.view("kind")
    started = (born >= 1) & (kind == k.FIRM_STARTUP)  # founded during the run
    old = (born < -36) & (kind == k.FIRM_ORDINARY)  # older than 3 years at the start
    share_dead_started = np.count_nonzero(started & ~alive) / np.count_nonzero(started)
    share_dead_old = np.count_nonzero(old & ~alive) / np.count_nonzero(old)
    # startups were exposed for 18 months on average, old firms for 36, yet more startups died
    assert share_dead_started > 1.3 * share_dead_old


def test_patterns_graduate_season_and_funds_running_dry(baseline):
    """Stylised facts: arrivals peak in June-July (graduation); accounts are fullest in January
    and lowest in December."""
    m = QcyModel(baseline, seed=4).run()
    arrivals = m.series[1:, SERIES.index("arrivals")].reshape(3, 12)
    summer = arrivals[:, 5:7].mean()
    rest = np.delete(arrivals, [5, 6], axis=1).mean()
    assert summer > 2.5 * rest
    balance = m.series[1:, SERIES.index("special_balance")].reshape(3, 12)
    assert (balance[:, 0] > balance[:, 11]).all()
