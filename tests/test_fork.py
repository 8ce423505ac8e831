"""Forks of a model: burn-in once, fork many (QcyModel.fork)."""

import copy

import numpy as np
import pytest

from qcy_sim import QcyModel, load_scenario
from qcy_sim.scenario import scenario_from_dict

from .conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny.toml"
ARRAYS = ("kpi", "series", "spending")
FORK_AT = 6


def _variant(scenario, name, **awards):
    data = copy.deepcopy(scenario.to_dict())
    data["name"] = name
    data["policy"]["awards"].update(awards)
    return scenario_from_dict(data, path=f"<{name}>")


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def _straight(scenario, seed):
    return QcyModel(scenario, seed=seed).run()


def _forked(scenario, seed, at, then=None):
    model = QcyModel(scenario, seed=seed)
    for _ in range(at):
        model.step()
    return model.fork(then).run()


@pytest.mark.parametrize("seed", [3, 11])
def test_a_fork_stepped_to_the_end_is_the_straight_run(tiny, seed):
    straight = _straight(tiny, seed)
    model = QcyModel(tiny, seed=seed)
    for _ in range(FORK_AT):
        model.step()
    forks = [model.fork(), model.fork()]
    for fork in forks:
        fork.run()
        fork.check()
        for name in ARRAYS:
            assert np.array_equal(getattr(fork, name), getattr(straight, name)), name
    assert model.month == FORK_AT  # forking leaves the original where it was
    model.run()
    for name in ARRAYS:
        assert np.array_equal(getattr(model, name), getattr(straight, name)), name


def test_a_fork_at_month_zero_and_at_the_end(tiny):
    straight = _straight(tiny, 5)
    assert np.array_equal(QcyModel(tiny, seed=5).fork().run().kpi, straight.kpi)
    done = straight.fork()
    assert done.month == tiny.horizon and np.array_equal(done.series, straight.series)


def test_a_fork_with_a_lever_changed_differs_only_after_the_fork(tiny):
    seed = 4
    more = _variant(
        tiny, "more_awards", high_level_cny_thousand=1500.0, high_end_cny_thousand=300.0
    )
    straight = _straight(tiny, seed)
    forked = _forked(tiny, seed, FORK_AT, more)
    assert forked.scenario is more
    for name in ARRAYS:
        a, b = getattr(straight, name), getattr(forked, name)
        assert np.array_equal(a[: FORK_AT + 1], b[: FORK_AT + 1]), name
    assert not np.array_equal(straight.spending[FORK_AT + 1 :], forked.spending[FORK_AT + 1 :])


def test_a_fork_before_a_lever_starts_is_the_straight_run_of_the_other_scenario(tiny):
    # two mixes that differ only in a lever starting after the fork share the history up to it,
    # so forking the first and running on under the second is the second's straight run
    seed, start = 8, FORK_AT + 2
    later = _variant(tiny, "later", start_month=start)
    later_more = _variant(
        tiny, "later_more", start_month=start, high_level_cny_thousand=1500.0,
        high_end_cny_thousand=300.0,
    )  # fmt: skip
    a, b = _straight(later, seed), _straight(later_more, seed)
    assert np.array_equal(a.kpi[:start], b.kpi[:start])
    forked = _forked(later, seed, FORK_AT, later_more)
    for name in ARRAYS:
        assert np.array_equal(getattr(forked, name), getattr(b, name)), name


def test_a_fork_refuses_a_scenario_that_changes_more_than_levers(tiny):
    data = copy.deepcopy(tiny.to_dict())
    data["talent"]["exit_base_per_month"] *= 2
    other = scenario_from_dict(data, path="<other>")
    model = QcyModel(tiny, seed=1)
    with pytest.raises(ValueError, match="talent"):
        model.fork(other)
