"""Every lever: on moves what it should and costs money; off has no effect and no cost."""

import dataclasses

import numpy as np
import pytest

from qcy_sim import QcyModel
from qcy_sim.model import SERIES, SPENDING
from qcy_sim.policy import LEVERS
from qcy_sim.policy.tasks import task_table
from qcy_sim.schema import KPIS, PolicyParams, iter_keys

SEEDS = (1, 2, 3)
FLOWS = {"new_spinoff_firms", "technology_transfers", "startups_founded", "relocations", "matches"}


def with_policy(scenario, lever, **changes):
    policy = scenario.params.policy
    policy = dataclasses.replace(
        policy, **{lever: dataclasses.replace(getattr(policy, lever), **changes)}
    )
    return dataclasses.replace(scenario, params=dataclasses.replace(scenario.params, policy=policy))


@pytest.fixture(scope="module")
def longer(tiny):
    """The tiny area over 24 months, with a talent port that opens within the horizon."""
    # reform cases need outcomes that a tenth of the baseline's area reaches
    time = dataclasses.replace(tiny.params.time, horizon_months=24)
    sc = dataclasses.replace(tiny, params=dataclasses.replace(tiny.params, time=time))
    for spec in LEVERS.values():  # the tiny area earns cases at a tenth of the bars
        if spec.reform:
            sc = with_policy(
                sc, spec.name, case_bar=getattr(sc.params.policy, spec.name).case_bar / 10
            )
    return with_policy(sc, "talent_port", lead_time_months=6.0, build_cost_cny_million=30.0)


def measure(model, name):
    if name in KPIS:
        return model.kpi[-1, KPIS.index(name)]
    col = model.series[:, SERIES.index(name)]
    return col.sum() if name in FLOWS else col[-1]


def test_every_task_is_implemented_by_levers_with_existing_keys():
    table = task_table()
    assert sorted({t["task"] for t in table}) == list(range(0, 28))
    valid = {k for k, *_ in iter_keys()}
    for t in table:
        assert t["keys"] and set(t["keys"]) <= valid, t
        assert t["mechanism"] and t["title"] and t["cost"]
        assert t["lever"].startswith("policy.") and f"{t['lever']}.on" in t["keys"]
        assert t["spending_category"] in SPENDING
        assert t["kpis"] and set(t["kpis"]) <= set(KPIS)
    levers = {t["lever"].split(".")[1] for t in table}
    assert levers == {f.name for f in dataclasses.fields(PolicyParams)} == set(LEVERS)
    assert {kpi for t in table for kpi in t["kpis"]} == set(KPIS)


@pytest.mark.parametrize("lever", sorted(LEVERS))
def test_lever_on_raises_its_outputs_and_costs_money(longer, lever):
    off = with_policy(longer, lever, on=False)
    gains = {name: 0.0 for name in LEVERS[lever].outputs}
    cost_on = cost_off = 0.0
    col = list(SPENDING).index(LEVERS[lever].spending_category)
    for seed in SEEDS:
        a = QcyModel(off, seed=seed).run()
        b = QcyModel(longer, seed=seed).run()
        for name in gains:
            gains[name] += measure(b, name) - measure(a, name)
        cost_off += a.spending[:, col].sum()
        cost_on += b.spending[:, col].sum()
    assert cost_off == 0.0
    assert cost_on > 0.0
    for name, gain in gains.items():
        assert gain > 0, f"{lever} on should raise {name}; change {gain}"


def _changed(table) -> dict:
    """Every setting of a lever's table (and of its nested tables) moved within its range."""
    changes = {}
    for f in dataclasses.fields(table):
        v = getattr(table, f.name)
        if dataclasses.is_dataclass(v):
            changes[f.name] = dataclasses.replace(v, **_changed(v))
            continue
        if f.name in ("on", "start_month") or isinstance(v, bool):
            continue
        hi = f.metadata.get("hi")
        if f.metadata.get("choices"):
            options = [c for c in f.metadata["choices"] if c != v]
            changes[f.name] = options[-1]
        elif isinstance(v, tuple):
            changes[f.name] = tuple(min(x * 2 + 1, hi) for x in v)
        elif isinstance(v, int):
            changes[f.name] = min(v * 2 + 1, int(hi))
        else:
            changes[f.name] = min(v * 2 + 0.1, hi)
    return changes


@pytest.mark.parametrize("lever", sorted(LEVERS))
def test_lever_off_ignores_its_settings(tiny, lever):
    """An off lever's other keys change nothing (bit-identical runs)."""
    off = with_policy(tiny, lever, on=False)
    other = with_policy(off, lever, **_changed(getattr(off.params.policy, lever)))
    a = QcyModel(off, seed=5).run()
    b = QcyModel(other, seed=5).run()
    assert np.array_equal(a.kpi, b.kpi) and np.array_equal(a.series, b.series)
    assert np.array_equal(a.spending, b.spending)
