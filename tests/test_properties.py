"""Property-based tests: random valid scenarios keep every invariant, every month, and finish."""

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcy_sim import QcyModel
from qcy_sim.scenario import scenario_from_dict

from .test_model import check_invariants

# Keys drawn by the property test, with the (small) ranges that keep a run fast; every value in
# these ranges is valid for the schema.
NUMBERS = {
    "initial.talents": st.integers(0, 1500),
    "initial.enterprises": st.integers(0, 120),
    "initial.chain_leaders": st.integers(0, 3),
    "initial.institutes": st.integers(0, 3),
    "initial.housing_units": st.integers(0, 500),
    "initial.tech_brokers": st.integers(0, 50),
    "initial.employed_share": st.floats(0, 1),
    "talent.candidates_domestic_per_month": st.floats(0, 300),
    "talent.candidates_overseas_per_month": st.floats(0, 50),
    "talent.graduates_per_year": st.floats(0, 2000),
    "talent.exit_base_per_month": st.floats(0, 1),
    "talent.search_exit_per_month": st.floats(0, 1),
    "talent.beta_wage": st.floats(0, 50),
    "enterprise.matching_efficiency": st.floats(0, 10),
    "enterprise.fail_per_year_young": st.floats(0, 1),
    "enterprise.relocations_per_year": st.floats(0, 100),
    "funds.special.budget_cny_million_per_year": st.floats(0, 5000),
    "funds.development.budget_cny_million_per_year": st.floats(0, 1000),
    "funds.venture.initial_balance_cny_million": st.floats(0, 1000),
    "policy.housing.units_per_year": st.floats(0, 5000),
    "policy.leadership.execution": st.floats(0, 1),
    "policy.strategic_scientists.arrivals_per_year": st.floats(0, 50),
    "carriers.incubator.proposals_per_year": st.floats(0, 50),
    "carriers.new_rd_institution.lead_time_months": st.floats(1, 24),
    "time.horizon_months": st.integers(1, 8),
}
SWITCHES = [
    "policy.awards.on",
    "policy.brokers.on",
    "policy.enclaves.on",
    "policy.housing.on",
    "policy.services.on",
    "policy.talent_port.on",
    "accounting.count_flexible_talents",
]


def _set(data, key, value):
    node = data
    *head, last = key.split(".")
    for part in head:
        node = node.setdefault(part, {})
    node[last] = value


@st.composite
def scenarios(draw, base):
    data = base.to_dict()
    data.pop("targets")
    for key, strategy in NUMBERS.items():
        if draw(st.booleans()):
            _set(data, key, draw(strategy))
    for key in SWITCHES:
        if draw(st.booleans()):
            _set(data, key, draw(st.booleans()))
    return scenario_from_dict(data)


@pytest.fixture(scope="module")
def base(tiny):
    return tiny


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_valid_scenarios_keep_invariants(base, data):
    sc = data.draw(scenarios(base))
    m = QcyModel(sc, seed=data.draw(st.integers(0, 2**32)))
    check_invariants(m)
    while m.running:
        m.step()
        check_invariants(m)
        assert (m.series[m.month] >= 0).all()
    assert m.month == sc.horizon


def _replace(sc, section, **changes):
    new = dataclasses.replace(getattr(sc.params, section), **changes)
    return dataclasses.replace(sc, params=dataclasses.replace(sc.params, **{section: new}))


@pytest.mark.parametrize(
    "changes",
    [
        {"initial": {"enterprises": 0, "chain_leaders": 0, "institutes": 0}},
        {
            "talent": {
                "candidates_domestic_per_month": 0.0,
                "candidates_overseas_per_month": 0.0,
                "graduates_per_year": 0.0,
            }
        },
        {"initial": {"talents": 0}},
        {"time": {"horizon_months": 1}},
    ],
)
def test_degenerate_inputs_run_cleanly(base, changes):
    sc = base
    for section, values in changes.items():
        sc = _replace(sc, section, **values)
    # targets outside a one-month horizon are not part of this check
    sc = dataclasses.replace(sc, targets=())
    m = QcyModel(sc, seed=1).run()
    check_invariants(m)
    assert m.month == sc.horizon
    assert np.isfinite(m.kpi).all()


def test_every_lever_at_its_bounds(base):
    """All lever intensities at their upper bounds, then at zero: runs and keeps invariants."""
    for pick in ("hi", "lo"):
        policy = base.params.policy
        for lever in dataclasses.fields(policy):
            current = getattr(policy, lever.name)
            changes = {}
            for f in dataclasses.fields(current):
                if f.name in ("on", "start_month"):
                    continue
                bound = f.metadata.get(pick)
                v = getattr(current, f.name)
                if bound is None:
                    continue
                bound = min(bound, 1e4) if pick == "hi" else bound  # keep the run short
                changes[f.name] = (
                    tuple(type(x)(bound) for x in v) if isinstance(v, tuple) else type(v)(bound)
                )
            policy = dataclasses.replace(
                policy, **{lever.name: dataclasses.replace(current, **changes)}
            )
        sc = dataclasses.replace(base, params=dataclasses.replace(base.params, policy=policy))
        sc = _replace(sc, "time", horizon_months=4)
        sc = dataclasses.replace(sc, targets=())
        m = QcyModel(sc, seed=2)
        while m.running:
            m.step()
            check_invariants(m)
