"""The idiomatic-Mesa talent flow and the kernel-based one agree in distribution.

``benchmarks/run.py`` times ``MesaFlow`` against ``ArrayFlow`` (``benchmarks/reference.py``);
the comparison is fair only if both implement the same model. They use different random streams
(``model.random`` against counter-based hashes), so we compare the distributions of their KPIs
over 12 months across 20 seeds, each seed starting both from the same initial state.

Tolerance, stated: for each KPI (final residents and employed; arrivals, matches and departures
summed over 12 months) a two-sided Mann-Whitney U test and a two-sample KS test must not reject
at alpha = 0.01, and the two means must differ by at most 4 standard errors of their difference
(Welch) or 2 % of the mean, whichever is larger. Across seeds these KPIs vary by 0.5-5 % of
their mean, so 4 standard errors is 1-6 %: a correct pair of implementations fails it with a
chance below 1e-4, while a rule that moves a KPI by more than ~6 % (a wrong sign, a missing
term, a hazard 20 % too high) fails. Both implementations are seeded, so the test is
deterministic: it gives the same verdict on every run.
"""

import sys

import numpy as np
import pytest
from scipy.stats import ks_2samp, mannwhitneyu

from qcy_sim import load_scenario

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from reference import FLOW_KPIS, ArrayFlow, MesaFlow, flow_params, initial_state  # noqa: E402

TALENTS, MONTHS, SEEDS, ALPHA, N_SE, REL_FLOOR = 2000, 12, 20, 0.01, 4.0, 0.02


@pytest.fixture(scope="module")
def runs():
    fp = flow_params(load_scenario(ROOT / "scenarios" / "baseline.toml"), TALENTS)
    arrays, mesa = [], []
    for seed in range(SEEDS):
        state = initial_state(fp, seed)
        arrays.append(ArrayFlow(fp, seed, state, months=MONTHS).run(MONTHS))
        mesa.append(MesaFlow(fp, seed, state).run(MONTHS))
    return np.array(arrays), np.array(mesa)


def _kpi(rows: np.ndarray, name: str) -> np.ndarray:
    j = FLOW_KPIS.index(name)
    if name in ("residents", "employed"):
        return rows[:, -1, j]
    return rows[:, 1:, j].sum(axis=1)


def test_same_initial_state(runs):
    arrays, mesa = runs
    assert np.array_equal(arrays[:, 0], mesa[:, 0])


def test_the_flow_moves(runs):
    arrays, mesa = runs
    for rows in (arrays, mesa):
        for name in ("arrivals", "matches", "departures"):
            assert (_kpi(rows, name) > 100).all(), name


@pytest.mark.parametrize("name", FLOW_KPIS)
def test_same_distribution(runs, name):
    a, b = (_kpi(rows, name) for rows in runs)
    assert mannwhitneyu(a, b, alternative="two-sided").pvalue >= ALPHA, (a, b)
    assert ks_2samp(a, b).pvalue >= ALPHA, (a, b)
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert abs(a.mean() - b.mean()) <= max(N_SE * se, REL_FLOOR * b.mean()), (a.mean(), b.mean())
