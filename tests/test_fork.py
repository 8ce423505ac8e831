"""Forks of a model: burn-in once, fork many (QcyModel.fork)."""

import copy
import dataclasses

import numpy as np
import pytest

from qcy_sim import QcyModel, load_scenario
from qcy_sim.model import shared_months
from qcy_sim.policy import LEVERS
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


# ------------------------------------------------------------------------------------------
# Which months two scenarios share (shared_months), lever by lever

LATE = 8  # both mixes start the lever in this month of tiny's 12


@pytest.fixture(scope="module")
def prompt(tiny):
    """tiny without the administration's delay: every lever acts from its start month."""
    data = copy.deepcopy(tiny.to_dict())
    data["governance"]["delay_months"] = 0.0
    return scenario_from_dict(data, path="<prompt>")


def _other_value(value, meta):
    """A valid value other than ``value`` for a key with this metadata (None: leave it)."""
    if isinstance(value, bool):
        return not value
    if meta.get("choices"):
        others = [c for c in meta["choices"] if c != value]
        return others[0] if others else None
    if isinstance(value, list):
        if meta.get("simplex"):
            return value[::-1] if value != value[::-1] else None
        changed = [_other_value(v, meta) for v in value]
        return None if None in changed else changed
    if not isinstance(value, int | float):
        return None
    lo, hi = meta.get("lo"), meta.get("hi")
    if hi is None:
        new = value * 1.5 + 1
    elif value < hi:
        new = (value + hi) / 2
    else:
        new = (value + (lo if lo is not None else value - 2)) / 2
    if isinstance(value, int):
        new = int(round(new)) if int(round(new)) != value else value + (1 if value != hi else -1)
    return new


def _set_otherwise(table: dict, params_class) -> int:
    """Give every key of a lever table but on, start and budget another valid value."""
    changed = 0
    for f in dataclasses.fields(params_class):
        if f.name in ("on", "start_month", "budget_cny_million_per_year"):
            continue
        if f.metadata.get("section"):
            changed += _set_otherwise(table[f.name], type(f.default_factory()))
            continue
        new = _other_value(table[f.name], f.metadata)
        if new is not None:
            table[f.name], changed = new, changed + 1
    return changed


def _lever_variants(tiny, name, **late):
    data = copy.deepcopy(tiny.to_dict())
    data["policy"][name].update(on=True, start_month=LATE)
    first = copy.deepcopy(data)
    assert _set_otherwise(data["policy"][name], LEVERS[name].params) > 0, name
    data["policy"][name].update(late)
    return scenario_from_dict(first, path="<first>"), scenario_from_dict(data, path="<other>")


def _assert_same_runs(a, b):
    for name in ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_a_lever_set_otherwise_shares_every_month_before_it_starts(prompt, name):
    # every key of the lever but on, start and budget changed: nothing may act before its start
    first, other = _lever_variants(prompt, name)
    shared = shared_months(first.to_dict(), other.to_dict())
    assert shared == LATE - 1
    straight, theirs = _straight(first, 2), _straight(other, 2)
    assert any(not np.array_equal(getattr(straight, a), getattr(theirs, a)) for a in ARRAYS)
    _assert_same_runs(_forked(first, 2, shared, other), theirs)


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_a_lever_switched_on_or_funded_otherwise_shares_only_the_initial_state(prompt, name):
    data = copy.deepcopy(prompt.to_dict())
    data["policy"][name]["start_month"] = LATE
    off, funded = copy.deepcopy(data), copy.deepcopy(data)
    off["policy"][name]["on"] = not data["policy"][name]["on"]
    funded["policy"][name]["budget_cny_million_per_year"] += 7.0
    first = scenario_from_dict(data, path="<first>")
    for other in (scenario_from_dict(off, path="<off>"), scenario_from_dict(funded, path="<f>")):
        assert shared_months(first.to_dict(), other.to_dict()) == 0
        _assert_same_runs(_forked(first, 2, 0, other), _straight(other, 2))


def test_the_earlier_start_bounds_the_shared_months(prompt):
    first, later = _lever_variants(prompt, "awards", start_month=LATE + 2)
    assert shared_months(first.to_dict(), later.to_dict()) == LATE - 1
    assert shared_months(later.to_dict(), first.to_dict()) == LATE - 1
    _assert_same_runs(_forked(first, 5, LATE - 1, later), _straight(later, 5))
    _assert_same_runs(_forked(later, 5, LATE - 1, first), _straight(first, 5))


def test_scenarios_that_differ_beyond_levers_share_nothing_and_equal_ones_everything(tiny):
    data = copy.deepcopy(tiny.to_dict())
    data["talent"]["exit_base_per_month"] *= 2
    assert shared_months(tiny.to_dict(), data) is None
    renamed = copy.deepcopy(tiny.to_dict())
    renamed["name"], renamed["description"] = "another", "the same mix under another name"
    assert shared_months(tiny.to_dict(), renamed) == tiny.horizon


def test_a_fork_counts_the_months_before_it_as_the_new_targets_count(tiny):
    # the kpi rows recorded before the fork follow the fork's own targets' countings
    data = copy.deepcopy(tiny.to_dict())
    data["targets"]["innovation_talents"]["counting"] = "stock"
    data["targets"]["tech_brokers"]["counting"] = "cumulative"
    stock = scenario_from_dict(data, path="<stock>")
    assert shared_months(tiny.to_dict(), stock.to_dict()) == tiny.horizon
    straight = _straight(stock, 6)
    assert not np.array_equal(straight.kpi, _straight(tiny, 6).kpi)
    _assert_same_runs(_forked(tiny, 6, 5, stock), straight)
