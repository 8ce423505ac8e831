"""Counter-based generator: distribution, determinism, independence of streams and keys."""

import numpy as np
from scipy import special, stats

from qcy_sim.core.rng import (
    StreamKeys,
    normal,
    normal_array,
    normal_quantile,
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


TOP = 2**53 - 1


def _around(x):
    """The seven cells around cell ``x``."""
    return (np.uint64(x) + np.arange(7, dtype=np.uint64)) - np.uint64(3)


def test_normal_quantile_is_the_quantile_of_the_cell_midpoint():
    """Against scipy's ndtri, over the centre, both tails and the branch points of AS 241
    (|p - 1/2| = 0.425 and r = 5, p = exp(-25)), to 1e-14 relative."""
    rng = np.random.default_rng(3)
    cells = np.concatenate(
        [
            rng.integers(0, TOP, 20_000, dtype=np.uint64, endpoint=True),
            np.geomspace(1, 2**52, 2_000).astype(np.uint64),
            np.uint64(TOP) - np.geomspace(1, 2**52, 2_000).astype(np.uint64),
            np.array([0, 1, 2**52 - 1, 2**52, TOP - 1, TOP], dtype=np.uint64),
            _around(0.075 * 2**53),
            _around(np.exp(-25.0) * 2**53),
        ]
    )
    z = np.array([normal_quantile(b) for b in cells])
    p = (cells.astype(np.float64) + 0.5) / 2**53  # exact in the lower half
    upper = (np.uint64(TOP) - cells).astype(np.float64) + 0.5  # 1 - p, exact in the upper
    expected = np.where(p < 0.5, special.ndtri(p), -special.ndtri(upper / 2**53))
    assert np.all(np.abs(z - expected) <= 1e-14 * np.abs(expected))


def test_normal_quantile_is_finite_and_antisymmetric():
    assert -8.3 < normal_quantile(0) < -8.2 and normal_quantile(TOP) == -normal_quantile(0)
    cells = np.random.default_rng(4).integers(0, TOP, 5_000, dtype=np.uint64, endpoint=True)
    z = np.array([normal_quantile(b) for b in cells])
    mirror = np.array([normal_quantile(np.uint64(TOP) - b) for b in cells])
    assert np.array_equal(z, -mirror)


def test_normals_are_normal_and_independent_of_the_uniform_of_the_same_counters():
    sk = stream_key(2, stream_id("arrival.ability"))
    keys = np.arange(200_000, dtype=np.uint64)
    z = normal_array(sk, keys, 5)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    u = uniform_array(sk, keys, 5)
    assert abs(stats.spearmanr(z, u).statistic) < 4 / np.sqrt(len(keys))
