"""Matching on hand-built searchers and firms: M = min(round(A U^a V^(1-a)), U, V)."""

import math

import numpy as np
import pytest

from qcy_sim.core import codes as k
from qcy_sim.mechanisms.matching import (
    MatchRule,
    Openings,
    Searchers,
    match,
    smallest,
    vacancy_slots,
)

LEVEL_MULT = np.array([1.0, 1.5, 2.5])


def searchers(n, kind=k.YOUNG, origin=k.ORIGIN_DOMESTIC, level=0, employed=0):
    """``n`` searchers (and ``employed`` employed talents after them) of one kind and origin."""
    total = n + employed
    status = np.full(total, k.SEARCHING, np.int8)
    status[n:] = k.EMPLOYED
    return Searchers(
        status=status,
        kind=np.full(total, kind, np.int8),
        origin=np.full(total, origin, np.int8),
        uid=np.arange(100, 100 + total, dtype=np.uint64),
        employer=np.full(total, -1, np.int32),
        wage=np.zeros(total),
        level=np.full(total, level, np.int8),
    )


def firms(desired, staff, kind=None, alive=None):
    n = len(desired)
    return Openings(
        alive=np.ones(n, np.int8) if alive is None else np.array(alive, np.int8),
        kind=np.full(n, k.FIRM_ORDINARY, np.int8) if kind is None else np.array(kind, np.int8),
        desired=np.array(desired, np.float64),
        staff=np.array(staff, np.int32),
    )


def test_vacancies_are_desired_staff_rounded_up_less_staff_by_segment():
    f = firms(
        desired=[2.3, 5.0, 1.0, 4.0, 3.5, 9.0],
        staff=[1, 5, 3, 0, 0, 0],
        kind=[k.FIRM_ORDINARY, k.FIRM_ORDINARY, k.FIRM_ORDINARY, k.FIRM_INSTITUTE,
              k.FIRM_STARTUP, k.FIRM_ORDINARY],
        alive=[1, 1, 1, 1, 1, 0],
    )  # fmt: skip
    # ceil(2.3) - 1 = 2 at firm 0; none at 1; over-staffed 2 opens none; 4 at the startup
    assert vacancy_slots(f, False).tolist() == [0, 0, 4, 4, 4, 4]
    assert vacancy_slots(f, True).tolist() == [3, 3, 3, 3]


def _match(n_searchers, n_vacancies, efficiency, elasticity=0.5, level=0):
    t = searchers(n_searchers, level=level)
    slots = np.repeat(np.arange(n_vacancies // 2 + 1), 2)[:n_vacancies].astype(np.int64)
    n_firms = int(slots.max()) + 1 if n_vacancies else 1
    pay = 1.0 + 0.1 * np.arange(n_firms)
    staff = np.zeros(n_firms, np.int32)
    rule = MatchRule(efficiency, elasticity, LEVEL_MULT)
    held = np.bincount(slots, minlength=n_firms)
    count, m = match(t, False, slots.copy(), pay, staff, rule, 5, np.uint64(1), np.uint64(2))
    return t, count, m, staff, held, pay


@pytest.mark.parametrize(
    ("u", "v", "a", "expected", "binds"),
    [
        (10, 4, 1.0, 4, "vacancies"),  # sqrt(40) = 6.3 > V = 4
        (3, 50, 1.0, 3, "searchers"),  # sqrt(150) = 12.2 > U = 3
        (100, 100, 0.3, 30, "neither"),  # 0.3 x 100
        (40, 10, 0.5, 10, "vacancies"),  # 0.5 x sqrt(400) = 10 = V
        (9, 16, 0.25, 3, "neither"),  # 0.25 x 3 x 4 = 3
        (9, 16, 0.21, 3, "neither"),  # 2.52 rounds to 3
        (9, 16, 0.20, 2, "neither"),  # 2.4 rounds to 2
    ],
)
def test_matches_are_the_matching_function_capped_by_searchers_and_vacancies(
    u, v, a, expected, binds
):
    t, count, m, staff, held, pay = _match(u, v, a)
    assert count == u
    assert m == expected == min(int(math.floor(a * math.sqrt(u * v) + 0.5)), u, v)
    employed = t.status == k.EMPLOYED
    assert employed.sum() == m and (t.employer[~employed] == -1).all()
    assert staff.sum() == m and (staff <= held).all()  # nobody takes a post that is not open
    assert np.bincount(t.employer[employed], minlength=staff.shape[0]).tolist() == staff.tolist()
    assert np.allclose(t.wage[employed], pay[t.employer[employed]])
    if binds == "vacancies":
        assert (staff == held).all()


def test_elasticity_weights_searchers_and_vacancies():
    # a = 0.75: 0.5 x 16^0.75 x 81^0.25 = 0.5 x 8 x 3 = 12 (interior);
    # a = 0.25: 0.5 x 16^0.25 x 81^0.75 = 0.5 x 2 x 27 = 27, capped by U = 16
    _, _, m, *_ = _match(16, 81, 0.5, elasticity=0.75)
    assert m == 12
    _, _, m, *_ = _match(16, 81, 0.5, elasticity=0.25)
    assert m == 16


def test_pay_follows_the_level_of_the_matched():
    t, _, m, _, _, pay = _match(5, 10, 10.0, level=2)
    employed = t.status == k.EMPLOYED
    assert m == 5
    assert np.allclose(t.wage[employed], 2.5 * pay[t.employer[employed]])


def test_segments_are_matched_separately():
    """Scientists, postdocs and strategic teams search institutes; the rest search firms."""
    n = 6
    t = Searchers(
        status=np.full(n, k.SEARCHING, np.int8),
        kind=np.array([k.SCIENTIST, k.YOUNG, k.YOUNG, k.RESEARCHER, k.YOUNG, k.MANAGER], np.int8),
        origin=np.array(
            [k.ORIGIN_DOMESTIC, k.ORIGIN_POSTDOC, k.ORIGIN_STRATEGIC, 0, 0, 0], np.int8
        ),
        uid=np.arange(n, dtype=np.uint64),
        employer=np.full(n, -1, np.int32),
        wage=np.zeros(n),
        level=np.zeros(n, np.int8),
    )
    rule = MatchRule(100.0, 0.5, LEVEL_MULT)
    staff = np.zeros(2, np.int32)
    pay = np.ones(2)
    count, m = match(
        t, True, np.zeros(10, np.int64), pay, staff, rule, 1, np.uint64(1), np.uint64(2)
    )
    assert (count, m) == (3, 3)
    assert t.employer.tolist() == [0, 0, 0, -1, -1, -1]
    count, m = match(
        t, False, np.ones(10, np.int64), pay, staff, rule, 1, np.uint64(1), np.uint64(2)
    )
    assert (count, m) == (3, 3) and t.employer.tolist() == [0, 0, 0, 1, 1, 1]


def test_no_match_without_searchers_or_vacancies():
    t = searchers(5)
    rule = MatchRule(1.0, 0.5, LEVEL_MULT)
    staff = np.zeros(1, np.int32)
    empty = np.zeros(0, np.int64)
    assert match(t, False, empty, np.ones(1), staff, rule, 1, np.uint64(1), np.uint64(2)) == (5, 0)
    assert (t.status == k.SEARCHING).all()


@pytest.mark.parametrize(
    "n, m, draws",
    [(12_000, 3_500, "uniform"), (500, 500, "uniform"), (9, 1, "uniform"), (3_000, 40, "ties"),
     (100, 2, "clustered")],
)  # fmt: skip
def test_the_smallest_draws_are_those_of_a_stable_sort(n, m, draws):
    """The matched are the first m of a stable argsort of the draws, ties in slot order,
    whether the quantile prefilter applies (m well below n), cannot (m = n) or lets fewer than
    m through (draws bunched above the cut: the whole array is sorted)."""
    draw = np.random.default_rng(n).random(n)
    if draws == "ties":
        draw = np.round(draw, 2)  # about 30 draws share each value
    if draws == "clustered":
        draw = 0.9 + 0.01 * draw
    assert np.array_equal(smallest(draw, m)[:m], np.argsort(draw, kind="stable")[:m])
