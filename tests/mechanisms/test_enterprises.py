"""Firms on hand-built states: the failure hazard by age, size, funding and incubation; demand."""

import math

import numpy as np
import pytest

from qcy_sim.core import codes as k
from qcy_sim.mechanisms.enterprises import FirmGrowth, FirmRates, firms_evolve

from .helpers import binomial_tolerance

MONTH, N = 40, 20_000
RATES = FirmRates(
    growth_mature=0.06,
    growth_young=0.3,
    growth_funded=0.12,
    growth_sd=0.0,
    fail_young=0.6,
    fail_mature=0.24,
    fail_small_mult=1.5,
    fail_funded_mult=0.5,
    fail_hosted_mult=0.8,
    young_months=24,
    small_staff=3,
    demand_elasticity=2.0,
)
# group -> (kind, age in months, staff, funded, hosted, monthly hazard by the rule)
GROUPS = {
    "young": (k.FIRM_ORDINARY, 5, 10, 0, -1, 0.6 / 12),
    "mature": (k.FIRM_ORDINARY, 30, 10, 0, -1, 0.24 / 12),
    "young and small": (k.FIRM_STARTUP, 5, 1, 0, -1, 0.6 / 12 * 1.5),
    "young, funded": (k.FIRM_STARTUP, 5, 10, 1, -1, 0.6 / 12 * 0.5),
    "young, incubated": (k.FIRM_STARTUP, 5, 10, 0, 3, 0.6 / 12 * 0.8),
    "institute": (k.FIRM_INSTITUTE, 5, 1, 0, -1, 0.0),
    "chain leader": (k.FIRM_CHAIN_LEADER, 5, 1, 0, -1, 0.0),
}


def firms(pilot_relief=0.0):
    cols = [np.repeat(v, N) for v in zip(*GROUPS.values(), strict=True)]
    n = N * len(GROUPS)
    f = FirmGrowth(
        alive=np.ones(n, np.int8),
        kind=cols[0].astype(np.int8),
        field=np.zeros(n, np.int8),
        born=(MONTH - cols[1]).astype(np.int16),
        output=np.full(n, 10.0),
        desired=np.zeros(n),
        premium=np.full(n, 1.2),
        staff=cols[2].astype(np.int32),
        funded=cols[3].astype(np.int8),
        host=cols[4].astype(np.int32),
        uid=np.arange(n, dtype=np.uint64),
    )
    keys = (np.uint64(7), np.uint64(8))
    fails = firms_evolve(f, RATES, np.zeros(1), 1.0, 2.0, pilot_relief, MONTH, keys)
    return f, fails


def test_failure_share_of_each_group_is_its_monthly_hazard():
    """Monthly hazard = yearly / 12 x the multipliers of small, funded and incubated firms;
    institutes and chain leaders never fail (4 binomial standard errors, N = 20,000)."""
    f, fails = firms()
    dead = (f.alive == 0).reshape(len(GROUPS), N).mean(axis=1)
    for (name, spec), share in zip(GROUPS.items(), dead, strict=True):
        h = spec[-1]
        assert abs(share - h) <= max(binomial_tolerance(N, h), 1e-12), (name, share, h)
    assert fails == int((f.alive == 0).sum())


def test_pilot_bases_cut_only_the_young_firms_hazard():
    f, _ = firms(pilot_relief=0.5)
    dead = (f.alive == 0).reshape(len(GROUPS), N).mean(axis=1)
    assert abs(dead[0] - 0.025) <= binomial_tolerance(N, 0.025)  # young: 0.05 x 0.5
    assert abs(dead[1] - 0.02) <= binomial_tolerance(N, 0.02)  # mature: unchanged


def test_output_grows_by_its_drift_and_demand_follows_output_and_pay():
    """With no noise, output x exp(yearly drift / 12) (young firms the startup drift, funded
    ones more, institutes and chain leaders the mature drift); desired staff = output /
    (productivity x premium^elasticity) = output / (2 x 1.2^2)."""
    f, _ = firms()
    out = f.output.reshape(len(GROUPS), N)[:, 0]
    drift = {
        "young": 0.3,
        "mature": 0.06,
        "young and small": 0.3,
        "young, funded": 0.3 + 0.12,
        "young, incubated": 0.3,
        "institute": 0.06,
        "chain leader": 0.06,
    }
    for (name, d), value in zip(drift.items(), out, strict=True):
        assert value == pytest.approx(10.0 * math.exp(d / 12)), name
    assert np.allclose(f.desired, f.output / (2.0 * 1.2**2))
