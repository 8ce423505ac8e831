"""Lever strength: 0.5 + 0.5 E from start_month + round(delay x (1 - E)); unpaid: none."""

from types import SimpleNamespace

import pytest

from qcy_sim import QcyModel
from qcy_sim.policy.governance import Governance

from .helpers import edit


def governance(scenario, month):
    model = SimpleNamespace(p=scenario.params, month=month)
    return Governance(model), model


@pytest.mark.parametrize(
    ("execution", "delay", "start", "first", "strength"),
    [
        (0.8, 6.0, 1, 1 + 1, 0.9),  # round(6 x 0.2) = 1
        (0.4, 6.0, 1, 1 + 4, 0.7),  # round(3.6) = 4
        (0.5, 5.0, 3, 3 + 2, 0.75),  # round(2.5) = 2 (to even)
        (1.0, 6.0, 2, 2, 1.0),  # full execution: no delay, full strength
        (0.0, 6.0, 1, 7, 0.5),  # no execution: the whole delay, half strength
    ],
)
def test_lever_acts_from_its_delayed_start_at_the_execution_strength(
    tiny, execution, delay, start, first, strength
):
    sc = edit(tiny, "policy.leadership", execution=execution, start_month=1)
    sc = edit(sc, "governance", delay_months=delay)
    sc = edit(sc, "policy.awards", start_month=start)
    gov, model = governance(sc, 0)
    for month in range(1, 13):
        model.month = month
        gov.begin_month()
        expected = strength if month >= first else 0.0
        assert gov.act("awards") == pytest.approx(expected), month
        assert gov.act("leadership") == 1.0


def test_without_leadership_execution_is_zero(tiny):
    sc = edit(tiny, "policy.leadership", on=False, execution=0.9)
    sc = edit(sc, "governance", delay_months=4.0)
    gov, model = governance(sc, 4)
    assert gov.execution() == 0.0 and gov.act("awards") == 0.0
    model.month = 5
    gov.begin_month()
    assert gov.act("awards") == pytest.approx(0.5) and gov.act("leadership") == 0.0


def test_leadership_before_its_start_gives_no_execution(tiny):
    sc = edit(tiny, "policy.leadership", execution=1.0, start_month=6)
    sc = edit(sc, "governance", delay_months=4.0)
    gov, model = governance(sc, 5)
    assert gov.execution() == 0.0 and gov.act("awards") == pytest.approx(0.5)
    model.month = 6
    gov.begin_month()
    assert gov.execution() == 1.0 and gov.act("awards") == 1.0


def test_off_lever_never_acts(tiny):
    gov, _ = governance(edit(tiny, "policy.awards", on=False), 12)
    assert gov.act("awards") == 0.0


def test_a_fixed_cost_programme_its_line_cannot_pay_stands_still(tiny):
    """evaluation_reform has a running cost: with no appropriation it is not paid and does not
    act; with one it is paid its monthly cost and acts."""
    for budget, acts in ((0.0, False), (12.0, True)):
        sc = edit(tiny, "policy.evaluation_reform", budget_cny_million_per_year=budget)
        sc = edit(sc, "policy.evaluation_reform", cost_cny_million_per_year=6.0)
        sc = edit(sc, "policy.leadership", execution=1.0)
        m = QcyModel(sc, seed=1)
        m.step()
        assert (m.policy.act("evaluation_reform") > 0) == acts
        paid = m.ledger.spending[1, list(m.ledger.categories).index("evaluation_reform")]
        assert paid == pytest.approx(0.5 if acts else 0.0)
