"""Counter-based generator: distribution, determinism, independence of streams and keys."""

import numpy as np
from scipy import stats

from qcy_sim.core.rng import (
    StreamKeys,
    normal,
    poisson,
    stream_id,
    stream_key,
    uniform,
    uniform_array,
)


def test_uniform_is_uniform():
    # KS test at 1e-3: a correct generator fails it one time in a thousand.
    u = uniform_array(
        stream_key(1, stream_id("talent.exit")), np.arange(200_000, dtype=np.uint64), 7
    )
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert 0.0 <= u.min() and u.max() < 1.0


def test_same_counters_same_draw_and_streams_differ():
    sk_a = stream_key(42, stream_id("talent.exit"))
    sk_b = stream_key(42, stream_id("talent.found"))
    keys = np.arange(50_000, dtype=np.uint64)
    a1 = uniform_array(sk_a, keys, 3)
    a2 = uniform_array(sk_a, keys, 3)
    b = uniform_array(sk_b, keys, 3)
    assert np.array_equal(a1, a2)
    # different streams are uncorrelated (|r| < 4 / sqrt(n) is a 4-sigma bound)
    assert abs(np.corrcoef(a1, b)[0, 1]) < 4 / np.sqrt(len(keys))
    # neighbouring months are uncorrelated too
    c = uniform_array(sk_a, keys, 4)
    assert abs(np.corrcoef(a1, c)[0, 1]) < 4 / np.sqrt(len(keys))


def test_signed_and_unsigned_keys_agree():
    sk = stream_key(5, stream_id("match.select"))
    assert uniform(sk, 17, 2) == uniform(np.uint64(sk), np.uint64(17), np.uint64(2))
    assert uniform(int(sk), 17, 2) == uniform(sk, 17, 2)


def test_normal_and_poisson_moments():
    sk = stream_key(9, stream_id("firm.growth"))
    z = np.array([normal(sk, i, 0) for i in range(40_000)])
    assert abs(z.mean()) < 4 / np.sqrt(len(z))
    assert abs(z.std() - 1) < 0.02
    for lam in (0.3, 4.0, 80.0):
        x = np.array([poisson(lam, sk, i, 1) for i in range(20_000)])
        se = np.sqrt(lam / len(x))
        assert abs(x.mean() - lam) < 4 * se, lam
        assert abs(x.var() / lam - 1) < 0.06, lam


def test_stream_keys_are_named_streams():
    keys = StreamKeys(42)
    assert keys["talent.exit"] == stream_key(42, stream_id("talent.exit"))
    assert keys["talent.exit"] != keys["talent.found"]
    assert StreamKeys(43)["talent.exit"] != keys["talent.exit"]
