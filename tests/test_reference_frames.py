"""The mesa-frames talent flow agrees in distribution with the kernel-based one.

``benchmarks/run.py`` times ``benchmarks/reference_frames.py`` (mesa-frames, in its own virtual
environment) against ``ArrayFlow``; like ``tests/test_reference.py`` for idiomatic Mesa, this
checks the two implement the same model. Both start every seed from one initial state; over 20
seeds and 12 months, the KPIs of ``tests/test_reference.py`` pass the same tests at the same
tolerance (Mann-Whitney U and KS at alpha = 0.01; means within 4 standard errors or 2 %). The
test is skipped when no interpreter with mesa-frames is found (docs/PERFORMANCE.md).
"""

import sys

import numpy as np
import pytest
from scipy.stats import ks_2samp, mannwhitneyu

from qcy_sim import load_scenario

from .conftest import ROOT
from .test_reference import _kpi

sys.path.insert(0, str(ROOT / "benchmarks"))
from reference import (  # noqa: E402
    FLOW_KPIS,
    ArrayFlow,
    flow_params,
    frames_python,
    initial_state,
    run_frames,
)

TALENTS, MONTHS, SEEDS, ALPHA, N_SE, REL_FLOOR = 2000, 12, 20, 0.01, 4.0, 0.02


@pytest.fixture(scope="module")
def runs():
    python, why = frames_python()
    if python is None:
        pytest.skip(why)
    fp = flow_params(load_scenario(ROOT / "scenarios" / "baseline.toml"), TALENTS)
    state = initial_state(fp, 0)
    arrays = [ArrayFlow(fp, seed, state, months=MONTHS).run(MONTHS) for seed in range(SEEDS)]
    frames = run_frames(python, fp, state, MONTHS, list(range(SEEDS)))
    return np.array(arrays), np.array([r["kpis"] for r in frames["runs"]])


def test_same_initial_state(runs):
    arrays, frames = runs
    assert np.array_equal(arrays[:, 0], frames[:, 0])


@pytest.mark.parametrize("name", FLOW_KPIS)
def test_same_distribution(runs, name):
    a, b = (_kpi(rows, name) for rows in runs)
    assert mannwhitneyu(a, b, alternative="two-sided").pvalue >= ALPHA, (a, b)
    assert ks_2samp(a, b).pvalue >= ALPHA, (a, b)
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert abs(a.mean() - b.mean()) <= max(N_SE * se, REL_FLOOR * b.mean()), (a.mean(), b.mean())
