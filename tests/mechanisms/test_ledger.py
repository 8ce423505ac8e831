"""The ledger: its rules on hand-built accounts, and its identities every month of real runs."""

import numpy as np
import pytest

from qcy_sim import QcyModel
from qcy_sim.core.ledger import Ledger
from qcy_sim.mechanisms.funding import INVESTING_FUNDS
from qcy_sim.model import SPENDING
from qcy_sim.policy import LEVERS_IN_ORDER

from .helpers import edit


def ledger(reallocate=()):
    lines = {"a": "special", "b": "special", "inv": "inv"}
    categories = {"a1": "a", "a2": "a", "b1": "b", "inv1": "inv"}
    return Ledger(lines, categories, 3, yearly=("a", "b"), reallocate=reallocate)


def test_pay_pays_what_the_line_holds_and_only_from_the_category_line():
    g = ledger()
    g.month = 1
    g.receive("special", 100.0)
    g.open_year("special", {"a": 30.0, "b": 20.0})
    assert g.reserve["special"] == 50.0 and g.balance.tolist() == [30.0, 20.0, 0.0]
    assert g.pay("a1", 25.0) == 25.0 and g.pay("a2", 10.0) == 5.0  # a holds 5 more
    assert g.pay("inv1", 1.0) == 0.0  # nothing on the investing line
    assert g.balance.tolist() == [0.0, 20.0, 0.0] and g.reserve["special"] == 50.0
    assert not g.pay_all("b1", 20.5) and g.balance[1] == 20.0  # all or nothing
    assert g.pay_all("b1", 20.0) and g.balance[1] == 0.0
    assert g.spending[1].tolist() == [25.0, 5.0, 20.0, 0.0]
    g.check()


def test_open_year_returns_unspent_lines_and_scales_appropriations_to_the_reserve():
    g = ledger()
    g.month = 1
    g.receive("special", 60.0)
    g.open_year("special", {"a": 40.0, "b": 40.0})  # 60 for 80: everyone gets 3/4
    assert g.balance.tolist() == pytest.approx([30.0, 30.0, 0.0]) and g.reserve["special"] == 0
    g.pay("a1", 10.0)
    g.month = 2
    g.open_year("special", {"a": 10.0, "b": 10.0})  # 50 return, 20 handed out
    assert g.returned[2] == pytest.approx(50.0)
    assert g.balance.tolist() == pytest.approx([10.0, 10.0, 0.0])
    assert g.reserve["special"] == pytest.approx(30.0)
    g.check()


def test_only_a_reallocating_fund_lets_a_line_draw_on_its_reserve():
    for rule, paid in (((), 10.0), (("special",), 25.0)):
        g = ledger(reallocate=rule)
        g.month = 1
        g.receive("special", 30.0)
        g.open_year("special", {"a": 10.0})
        assert g.available("a1") == (30.0 if rule else 10.0)
        assert g.pay("a1", 25.0) == paid
        g.check()


def test_uncommitted_money_counts_a_shared_reserve_once():
    """Lines a (10, owes 4) and b (5, owes 12) share a reserve of 20. Without reallocation a
    can commit 6 and b -7; with it, b's shortfall of 7 comes out of the reserve first, so a
    can commit 6 + 13 and b -7 + 20 (a's surplus is its own, not b's)."""
    for rule, free_a, free_b in (((), 6.0, -7.0), (("special",), 19.0, 13.0)):
        g = ledger(reallocate=rule)
        g.month = 1
        g.receive("special", 35.0)
        g.open_year("special", {"a": 10.0, "b": 5.0})
        owed = np.array([4.0, 12.0, 0.0])
        assert g.uncommitted("a1", owed) == pytest.approx(free_a)
        assert g.uncommitted("b1", owed) == pytest.approx(free_b)
        assert g.free_reserve("special", owed) == pytest.approx(13.0 if rule else 0.0)


def test_transfer_is_spending_of_its_category_and_money_of_the_other_line():
    g = ledger()
    g.month = 1
    g.receive("special", 10.0)
    g.open_year("special", {"a": 10.0})
    assert g.transfer("a1", "inv", 4.0) == 4.0
    assert g.balance.tolist() == [6.0, 0.0, 4.0] and g.spending[1, 0] == 4.0
    assert g.fund_balance("inv") == 4.0 and g.fund_balance("special") == 6.0
    g.check()


# ---------------------------------------------------------------------------------------------
# Identities every month of real runs: the tiny area, and one whose lines run short.

MONTHS = 24


def tight(scenario):
    """Lines that bind: a fifth of the special fund, investing funds of a few stakes."""
    sc = edit(scenario, "funds.special", initial_balance_cny_million=0.0)
    sc = edit(sc, "funds.special", budget_cny_million_per_year=400.0)
    sc = edit(sc, "funds.development", initial_balance_cny_million=7.0)
    sc = edit(sc, "funds.development", budget_cny_million_per_year=4.0)
    sc = edit(sc, "funds.venture", initial_balance_cny_million=11.0)
    sc = edit(sc, "funds.venture", budget_cny_million_per_year=0.0)
    sc = edit(sc, "funds.development", invest_per_month=0.2)
    return edit(sc, "policy.housing", budget_cny_million_per_year=20.0)


@pytest.fixture(scope="module", params=["tiny", "tight"])
def history(request, tiny):
    sc = edit(tiny, "time", horizon_months=MONTHS)
    if request.param == "tight":
        sc = tight(sc)
    m = QcyModel(sc, seed=3)
    months = []
    while m.running:
        before = {
            "balance": m.ledger.balance.copy(),
            "units": m.housing.units,
            "occupied": m.housing.occupied,
        }
        m.step()
        m.ledger.check()
        f = m.firms
        funded_now = f.view("invested_month") == m.month
        months.append(
            {
                **before,
                "after": m.ledger.balance.copy(),
                "units_after": m.housing.units,
                "housing_acts": m.policy.act("housing") > 0,
                "funded": {
                    fund: int(np.count_nonzero(funded_now & (f.view("investor") == j)))
                    for j, fund in enumerate(INVESTING_FUNDS)
                },
            }
        )
    return request.param, sc, m, months


def column(m, category):
    return m.ledger.categories.index(category)


def test_investment_spending_is_the_stakes_taken_each_month(history):
    name, sc, m, months = history
    taken = 0
    for month, rec in enumerate(months, start=1):
        for fund in INVESTING_FUNDS:
            amount = getattr(sc.params.funds, fund).investment_cny_million
            spent = m.spending[month, column(m, f"{fund}_investment")]
            assert spent == pytest.approx(rec["funded"][fund] * amount), (month, fund)
            line = rec["balance"][m.ledger.line_of(f"{fund}_investment")]
            assert spent <= line + m.ledger.received[month] + 1e-9  # what it held and received
            taken += rec["funded"][fund]
    assert taken > 0
    if name == "tight":  # the development fund had 7 + 4 + 4 and what public stakes returned
        series = m.series[
            :, [m.series_column("public_proceeds"), m.series_column("public_compensation")]
        ]
        n_dev = sum(rec["funded"]["development"] for rec in months)
        assert 2.0 * n_dev <= 15.0 + series.sum() + 1e-9
        assert n_dev >= 5  # the fund was short: it invested what it had


def test_housing_spending_is_rent_plus_new_apartments_at_their_unit_cost(history):
    _, sc, m, months = history
    h = sc.params.policy.housing
    added = 0
    for month, rec in enumerate(months, start=1):
        spent = m.spending[month, column(m, "housing")]
        new_units = rec["units_after"] - rec["units"]
        if not rec["housing_acts"]:
            assert spent == 0.0 and new_units == 0
            continue
        rent = rec["occupied"] * h.rent_subsidy_cny_thousand_per_month / 1e3
        # what the line held when rent was paid (its first payment; nothing comes in after)
        line = rec["after"][m.ledger.line_of("housing")] + spent
        expected = min(rent, line) + new_units * h.unit_cost_cny_thousand / 1e3
        assert spent == pytest.approx(expected), month
        added += new_units
    assert added > 0


def test_every_line_pays_only_what_it_holds_and_its_own_categories(history):
    """Outside January, a lever's line falls by exactly what its categories were paid; the
    investing lines change by their credits less their investments; no line goes negative."""
    _, sc, m, months = history
    g = m.ledger
    by_line = {line: [c for c, ln in SPENDING.items() if ln == line] for line in g.lines}
    for month, rec in enumerate(months, start=1):
        january = (m.calendar0 + month - 1) % 12 == 0
        assert (rec["after"] >= -1e-9).all()
        invest_change = 0.0
        for i, line in enumerate(g.lines):
            paid = sum(m.spending[month, column(m, c)] for c in by_line[line])
            change = rec["after"][i] - rec["balance"][i]
            if line in INVESTING_FUNDS:  # proceeds and compensation may come in mid-month
                assert paid <= rec["balance"][i] + g.received[month] + 1e-9, (month, line)
                invest_change += change + paid
            elif not january:
                assert paid <= rec["balance"][i] + 1e-9, (month, line)
                assert change == pytest.approx(-paid, abs=1e-9), (month, line)
        if not january and month > 1:  # only the investing lines receive money (proceeds)
            assert invest_change == pytest.approx(g.received[month], abs=1e-9), month


def test_no_lever_spends_more_in_a_year_than_its_appropriation(history):
    _, sc, m, months = history
    assert sc.params.funds.special.reallocation == "none"
    for year in range(MONTHS // 12):
        rows = slice(1 + 12 * year, 13 + 12 * year)
        for spec in LEVERS_IN_ORDER:
            lever = getattr(sc.params.policy, spec.name)
            spent = sum(m.spending[rows, column(m, c)].sum() for c in spec.spending)
            assert spent <= lever.budget_cny_million_per_year + 1e-6, (year, spec.name)


def test_total_spending_is_the_sum_over_levers_and_funds(history):
    _, _, m, _ = history
    per_lever = sum(
        m.spending[:, column(m, c)].sum() for spec in LEVERS_IN_ORDER for c in spec.spending
    )
    per_fund = sum(m.spending[:, column(m, f"{f}_investment")].sum() for f in INVESTING_FUNDS)
    assert per_lever + per_fund == pytest.approx(m.spending.sum())
    assert set(SPENDING) == set(m.ledger.categories)


def test_each_january_every_lever_line_opens_at_its_appropriation(history):
    """In month 13 (January) each lever's line holds its appropriation, all scaled alike when
    the reserve is short; what it held before went back to the reserve."""
    name, sc, m, months = history
    g, rec = m.ledger, months[12]
    assert (m.calendar0 + 13 - 1) % 12 == 0
    by_line = {line: [c for c, ln in SPENDING.items() if ln == line] for line in g.lines}
    opened = {}
    for spec in LEVERS_IN_ORDER:
        i = g.lines.index(spec.name)
        paid = sum(m.spending[13, column(m, c)] for c in by_line[spec.name])
        budget = getattr(sc.params.policy, spec.name).budget_cny_million_per_year
        if budget > 0:
            opened[spec.name] = (rec["after"][i] + paid) / budget
    scales = np.array(list(opened.values()))
    assert np.allclose(scales, scales[0])
    assert scales[0] == pytest.approx(1.0) if name == "tiny" else 0 < scales[0] < 1
    assert g.returned[13] > 0
