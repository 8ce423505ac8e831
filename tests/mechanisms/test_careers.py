"""Careers on hand-built talents: the exit hazard, employer failure, recognition batches."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from qcy_sim.core import codes as k
from qcy_sim.core.rng import uniform_array
from qcy_sim.mechanisms.careers import (
    EXIT_SCREENS,
    Career,
    CareerKeys,
    CareerMonth,
    CareerRates,
    Careers,
    exit_screens,
    screen_bound,
    talents_month,
)
from qcy_sim.mechanisms.training import APPRENTICED

from .helpers import binomial_tolerance

N_KINDS, MONTH = 7, 30
LEVEL_MULT = np.array([1.0, 1.5, 2.5])
KEYS = CareerKeys(np.uint64(11), np.uint64(12), np.uint64(13))
DTYPES = {
    "status": np.int8,
    "kind": np.int8,
    "uid": np.uint64,
    "level": np.int8,
    "level_since": np.int16,
    "ability": np.float64,
    "titled": np.int8,
    "employer": np.int32,
    "wage": np.float64,
    "expectation": np.float64,
    "arrived": np.int16,
    "housed": np.int8,
    "failed_employer": np.int8,
    "trained": np.int8,
    "search_since": np.int16,
}


def talents(groups):
    """A :data:`Career` from groups ``(n, {field: value})``; defaults: an employed, housed young
    talent of firm 0, paid its expectation, arrived long ago."""
    base = {
        "status": k.EMPLOYED,
        "kind": k.YOUNG,
        "level": 0,
        "level_since": -1,
        "ability": 0.0,
        "titled": 1,
        "employer": 0,
        "wage": 1.0,
        "expectation": 1.0,
        "arrived": -100,
        "housed": 1,
        "failed_employer": 0,
        "trained": 0,
        "search_since": 0,
    }
    cols = {name: [] for name in DTYPES if name != "uid"}
    for n, values in groups:
        for name in cols:
            cols[name].extend([values.get(name, base[name])] * n)
    n = len(cols["status"])
    arrays = {name: np.array(v, dtype=DTYPES[name]) for name, v in cols.items()}
    return Career(uid=np.arange(1, n + 1, dtype=np.uint64), **arrays)


def rates(**changes):
    r = {
        "th_high_end": 1.0,
        "th_high_level": 2.0,
        "level_mult": LEVEL_MULT,
        "exit_base": 0.01,
        "exit_coef": 2.0,
        "d_wage": 0.4,
        "d_unhoused": 0.3,
        "d_search": 0.3,
        "search_exit": 0.02,
        "flexible_end": 0.05,
        "housing_months": 12,
    }
    r.update(changes)
    return CareerRates(**r)


def month(**changes):
    c = {
        "ability_growth": np.zeros(N_KINDS),
        "batch": False,
        "apply_share": 1.0,
        "untitled_margin": 0.5,
        "d_base": 0.2,
        "d_by_kind": np.zeros(N_KINDS),
        "d_by_level": np.zeros(3),
        "d_trained": 1.0,
        "d_failed": 0.5,
        "found_prob": np.zeros(N_KINDS),
    }
    c.update(changes)
    return CareerMonth(**c)


def run(t, r, c, alive=(1, 0), staff=None):
    firm_alive = np.array(alive, dtype=np.int8)
    staff = np.zeros(len(alive), dtype=np.int32) if staff is None else staff
    founders = np.empty(t.status.shape[0], dtype=np.int64)
    out = talents_month(t, firm_alive, staff, r, c, KEYS, MONTH, founders)
    return out, staff


N = 20_000
# group -> (its talents, its dissatisfaction by the rule, whether it searches after the month's
# first step); r and c as built by rates() and month()
GROUPS = {
    "employed, content": ({}, 0.2, False),
    "employer failed": ({"employer": 1}, 0.2 + 0.5, True),
    "searching two years": (
        {"status": k.SEARCHING, "employer": -1, "wage": 0.0, "search_since": MONTH - 24},
        0.2 + 0.3 * 2,
        True,
    ),
    "paid below expectation": ({"expectation": math.exp(0.5)}, 0.2 + 0.4 * 0.5, False),
    "newcomer without apartment": ({"housed": 0, "arrived": MONTH - 2}, 0.2 + 0.3, False),
    "unhoused after eligibility": ({"housed": 0, "arrived": MONTH - 13}, 0.2, False),
    "apprenticed": ({"trained": 1 << APPRENTICED}, 0.0, False),  # 0.2 - 1.0, floored at 0
}


def test_exit_share_of_each_group_matches_the_hazard_formula():
    """h = exit_base x exp(exit_coef x max(D, 0)), searchers also give up with search_exit:
    each group's share of leavers is within 4 binomial standard errors of its hazard
    (N = 20,000 per group: about +-0.004 at h = 0.03)."""
    t = talents([(N, spec) for spec, _, _ in GROUPS.values()])
    staff = np.array([N * 6, 0], dtype=np.int32)  # the six groups seated at firm 0
    (departures, flex_ended, founders, _, _), staff = run(t, rates(), month(), staff=staff)
    assert flex_ended == 0 and founders == 0
    gone = (t.status == k.GONE).reshape(len(GROUPS), N).mean(axis=1)
    for (name, (_, d, searching)), share in zip(GROUPS.items(), gone, strict=True):
        h = 0.01 * math.exp(2.0 * d)
        if searching:
            h = 1.0 - (1.0 - h) * (1.0 - 0.02)
        assert abs(share - h) <= binomial_tolerance(N, h), (name, share, h)
    assert departures == int((t.status == k.GONE).sum())
    # the leavers who worked at firm 0 left its staff; the failed firm's staff were let go first
    at_firm0 = np.r_[0:N, 3 * N : 7 * N]
    assert staff[0] == N * 6 - int((t.status[at_firm0] == k.GONE).sum())


def test_a_failed_employer_makes_searchers_and_raises_their_exit():
    """Employees of a failed firm become searchers marked as hurt; the mark adds d_failed to
    their dissatisfaction, so they leave more than searchers of a live firm's past."""
    searcher = {"status": k.SEARCHING, "employer": -1, "wage": 0.0, "search_since": MONTH}
    t = talents([(N, {"employer": 1}), (N, searcher)])
    run(t, rates(search_exit=0.0), month(d_failed=1.0))
    hurt, other = t.status[:N], t.status[N:]
    stayed = hurt != k.GONE
    assert (t.failed_employer[:N][stayed] == 1).all() and (t.employer[:N] == -1).all()
    assert (hurt[stayed] == k.SEARCHING).all() and (t.search_since[:N] == MONTH).all()
    share_hurt, share_other = (hurt == k.GONE).mean(), (other == k.GONE).mean()
    h_hurt, h_other = 0.01 * math.exp(2.0 * 1.2), 0.01 * math.exp(2.0 * 0.2)
    assert abs(share_hurt - h_hurt) <= binomial_tolerance(N, h_hurt)
    assert abs(share_other - h_other) <= binomial_tolerance(N, h_other)
    assert share_hurt > 2 * share_other


def test_flexible_engagements_end_at_their_own_rate_and_are_not_departures():
    t = talents([(N, {"status": k.FLEXIBLE, "employer": -1, "housed": 0, "arrived": MONTH})])
    (departures, flex_ended, *_), _ = run(t, rates(), month())
    assert departures == 0
    assert abs(flex_ended / N - 0.05) <= binomial_tolerance(N, 0.05)


# (level, ability, titled, status) -> level after a batch with thresholds 1 and 2, margin 0.5
# for talents without titles, every eligible talent applying, ability growing 0.1 first
RECOGNITION = [
    ((0, 0.5, 1, k.EMPLOYED), 0),  # below the high-end bar
    ((0, 0.95, 1, k.EMPLOYED), 1),  # passes after this month's growth (0.95 + 0.1 >= 1)
    ((0, 1.2, 0, k.EMPLOYED), 0),  # untitled: needs 1.5
    ((0, 1.6, 0, k.SEARCHING), 1),  # untitled, passes the high-end bar with the margin
    ((0, 2.1, 1, k.EMPLOYED), 2),  # straight to high-level
    ((0, 2.1, 0, k.EMPLOYED), 1),  # untitled: needs 2.5 for high-level
    ((1, 2.3, 1, k.EMPLOYED), 2),  # promoted
    ((1, 1.5, 1, k.EMPLOYED), 1),  # already at its level
    ((2, 0.0, 1, k.EMPLOYED), 2),  # a level is never lost in a batch
    ((0, 3.0, 1, k.FLEXIBLE), 0),  # flexible talents are not recognised here
]


def _recognition_batch(batch=True, apply_share=1.0):
    groups = []
    for (level, ability, titled, status), _ in RECOGNITION:
        spec = {"level": level, "ability": ability, "titled": titled, "status": status}
        if status != k.EMPLOYED:
            spec.update(employer=-1, wage=0.0)
        groups.append((1, spec))
    t = talents(groups)
    t.wage[:] = np.where(t.status == k.EMPLOYED, LEVEL_MULT[t.level], 0.0)
    t.expectation[:] = 0.0  # nobody leaves for pay
    growth = np.full(N_KINDS, 0.1)
    c = month(batch=batch, apply_share=apply_share, ability_growth=growth)
    out, _ = run(t, rates(exit_base=0.0, search_exit=0.0, flexible_end=0.0), c)
    return t, out


def test_recognition_batch_passes_exactly_the_talents_over_their_bar():
    t, (*_, untitled) = _recognition_batch()
    assert t.level.tolist() == [after for _, after in RECOGNITION]
    raised = [after > before[0] for before, after in RECOGNITION]
    assert (t.level_since[raised] == MONTH).all() and (t.level_since[~np.array(raised)] <= 0).all()
    assert untitled == 2  # the two untitled talents recognised at high-end
    employed = t.status == k.EMPLOYED
    assert np.allclose(t.wage[employed], LEVEL_MULT[t.level[employed]])  # pay follows the level


def test_no_recognition_outside_a_batch():
    t, (*_, untitled) = _recognition_batch(batch=False)
    assert t.level.tolist() == [before[0] for before, _ in RECOGNITION]
    assert untitled == 0


def test_apply_share_is_the_chance_that_an_eligible_talent_is_recognised():
    t = talents([(N, {"ability": 1.5})])
    c = month(batch=True, apply_share=0.3)
    run(t, rates(exit_base=0.0, search_exit=0.0), c)
    assert abs((t.level == 1).mean() - 0.3) <= binomial_tolerance(N, 0.3)


@pytest.mark.parametrize(
    ("batches", "months"), [(4, [3, 6, 9, 12]), (2, [6, 12]), (1, [12]), (0, [])]
)
def test_batches_are_evenly_spaced_in_the_calendar_year(batches, months):
    p = SimpleNamespace(recognition=SimpleNamespace(batches_per_year=batches))
    model = SimpleNamespace(p=p, month=0, calendar0=0)
    careers = Careers.__new__(Careers)
    careers.model, careers.p = model, p
    held = []
    for m in range(1, 25):
        model.month = m
        if careers.is_batch():
            held.append(m)
    assert held == months + [m + 12 for m in months]


def test_fault_tolerance_relieves_the_stigma_of_a_failed_employer(tiny):
    """This month's d_failed = dissatisfaction_employer_failed x (1 - stigma_relief x s),
    s = fault tolerance's strength x intensity; without the lever it is the full amount."""
    from qcy_sim import QcyModel

    from .helpers import edit

    for on in (True, False):
        m = QcyModel(edit(tiny, "policy.fault_tolerance", on=on), seed=1)
        m.step()
        m.step()
        ft, tp = m.p.policy.fault_tolerance, m.p.talent
        s = m.policy.act("fault_tolerance") * ft.intensity
        assert (s > 0) == on
        expected = tp.dissatisfaction_employer_failed * (1.0 - ft.stigma_relief * s)
        assert m.careers._month().d_failed == pytest.approx(expected)
        assert expected > 0 and (expected < tp.dissatisfaction_employer_failed) == on


def test_each_resident_leaves_exactly_when_its_draw_is_below_its_hazard():
    """Draw by draw, with the hazard's log and exp skipped for the residents that surely stay.
    Employed talents paid from far below to above their expectation and searchers of up to four
    years, of kinds whose dissatisfaction is spread over [0, 2.6] (so that D falls on both sides
    of the screen's bound, 2.8 here, and the wage gap is often small) leave exactly when the exit
    stream's uniform is below h = exit_base exp(coef max(D, 0)), searchers' giving up included."""
    n = 60_000
    rng = np.random.default_rng(5)
    searching = rng.random(n) < 0.3
    t = talents([(n, {})])
    t.kind[:] = rng.integers(0, N_KINDS, n)
    t.status[searching] = k.SEARCHING
    t.employer[searching] = -1
    t.search_since[:] = MONTH - rng.integers(0, 48, n)
    t.expectation[:] = np.exp(rng.uniform(-0.5, 2.0, n))
    t.wage[:] = np.where(searching, 0.0, 1.0)
    t.housed[:] = rng.random(n) < 0.5
    t.arrived[:] = MONTH - rng.integers(0, 24, n)
    by_kind = np.linspace(0.0, 2.6, N_KINDS)
    r = rates(exit_base=0.006, exit_coef=1.0, d_wage=1.0, search_exit=0.15)
    c = month(d_by_kind=by_kind)
    u = uniform_array(KEYS.exit, t.uid, MONTH)
    d = 0.2 + by_kind[t.kind]
    below = ~searching & (t.wage < t.expectation)
    d[below] += np.log(t.expectation[below] / t.wage[below])
    d += np.where((t.housed == 0) & (MONTH - t.arrived <= 12), 0.3, 0.0)
    d[searching] += 0.3 * (MONTH - t.search_since[searching]) / 12.0
    h = 0.006 * np.exp(np.maximum(d, 0.0))
    h[searching] = 1.0 - (1.0 - h[searching]) * (1.0 - 0.15)
    staff = np.array([n, 0], dtype=np.int32)
    run(t, r, c, staff=staff)
    bounds = exit_screens(r)
    assert 0.1 < (d > bounds[0]).mean() < 0.5 and 0.05 < (u < h).mean() < 0.5
    u_screen = u - np.where(searching, 0.15, 0.0)
    tops = (1.0,) + EXIT_SCREENS[:-1]
    for level, (low, top) in enumerate(zip(EXIT_SCREENS, tops, strict=True)):
        band = (u_screen >= low) & (u_screen < top)
        assert (band & (d <= bounds[level])).sum() > 50  # screened at this level
        assert (band & (d > bounds[level]) & (u < h)).sum() > 100  # and leavers above it
    assert np.array_equal(t.status == k.GONE, u < h)


@pytest.mark.parametrize(
    "changes",
    [{"exit_base": 0.2}, {"exit_base": 0.0}, {"exit_coef": 0.0}, {"d_wage": -1.0}],
)
def test_the_screen_is_off_where_its_bound_does_not_hold(changes):
    assert np.all(exit_screens(rates(**changes)) == -np.inf)


def test_a_screen_level_is_off_at_or_below_the_base_hazard():
    bounds = exit_screens(rates(exit_base=0.03, exit_coef=1.0))
    assert np.all(np.isfinite(bounds[:2])) and np.all(bounds[2:] == -np.inf)


def test_the_screen_bounds_the_hazard_under_each_level():
    r = rates(exit_base=0.006, exit_coef=1.0)
    for level, d in zip(EXIT_SCREENS, exit_screens(r), strict=True):
        assert 0.006 * math.exp(d) < level < 0.006 * math.exp(d + 1e-6)


def test_a_draw_takes_the_bound_of_the_highest_level_it_reaches():
    bounds = np.array([4.0, 3.0, 2.0, 1.0])
    draws = [0.5, 0.1, 0.07, 0.05, 0.03, 0.02, 0.0125, 0.01, 0.0]
    expected = [4.0, 4.0, 3.0, 3.0, 2.0, 1.0, 1.0, -np.inf, -np.inf]
    assert [screen_bound(u, bounds) for u in draws] == expected


def test_a_base_hazard_above_the_screens_is_never_screened_even_with_negative_dissatisfaction():
    """With exit_base 0.5 every resident's hazard is 0.5 when D < 0: none may be kept by a
    screen whose bound does not hold, however low D is."""
    n = 4_000
    t = talents([(n, {})])
    r = rates(exit_base=0.5)
    run(t, r, month(d_base=-1.5))
    assert np.array_equal(t.status == k.GONE, uniform_array(KEYS.exit, t.uid, MONTH) < 0.5)
