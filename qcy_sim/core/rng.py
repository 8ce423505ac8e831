"""Counter-based random numbers: every draw is a hash of (seed, stream, agent key, month).

No generator state is carried between draws, so

* a draw depends only on *what* it is for (its named stream), *whom* (a stable agent key) and
  *when* (the month) — switching a policy on does not shift any unrelated draw (common random
  numbers);
* kernels can be run serially or in parallel, in any order, with bit-identical results.

The mixing function is splitmix64 (Steele, Lea & Flood 2014), applied in a chain over the four
counters; ``stream_key(seed, stream)`` hashes the first two once per run (:class:`StreamKeys`).
Stream ids are derived from stream names with SHA-256, never with Python's ``hash``.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from numba import njit

__all__ = [
    "StreamKeys",
    "stream_id",
    "stream_key",
    "mix",
    "uniform",
    "normal",
    "poisson",
    "uniform_array",
    "normal_array",
]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


def stream_id(name: str) -> np.uint64:
    """A stable 64-bit id for a named stream of draws."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return np.uint64(int.from_bytes(digest[:8], "little"))


@njit(cache=True, inline="always")
def _splitmix64(x):
    z = np.uint64(x) + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def _stream_key(seed, stream):
    return _splitmix64(_splitmix64(seed) ^ stream)


def stream_key(seed: int, stream: int) -> np.uint64:
    """The per-run key of one stream: hash of (seed, stream id). Kernels take this, not the seed."""
    mask = (1 << 64) - 1
    return np.uint64(_stream_key(np.uint64(int(seed) & mask), np.uint64(int(stream) & mask)))


class StreamKeys(dict):
    """The per-run keys of named streams, computed on first use: ``keys["talent.exit"]``.

    Every kind of decision draws from its own stream, named ``"<mechanism>.<decision>"``; a new
    mechanism simply uses new names, and no other stream changes.
    """

    def __init__(self, seed: int):
        super().__init__()
        self.seed = int(seed)

    def __missing__(self, name: str) -> np.uint64:
        key = self[name] = stream_key(self.seed, stream_id(name))
        return key


@njit(cache=True, inline="always")
def mix(skey, key, month):
    """The 64-bit hash of (stream key, agent key, month), all as unsigned 64-bit."""
    return _splitmix64(_splitmix64(np.uint64(skey) ^ np.uint64(key)) ^ np.uint64(month))


@njit(cache=True, inline="always")
def uniform(skey, key, month):
    """A uniform draw in [0, 1) with 53 random bits."""
    return np.float64(mix(skey, key, month) >> _S11) * _INV53


@njit(cache=True)
def normal(skey, key, month):
    """A standard normal draw (Box–Muller on two sub-counters of ``key``)."""
    k = np.uint64(key) * np.uint64(2)
    u1 = uniform(skey, k, month)
    u2 = uniform(skey, k + np.uint64(1), month)
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True)
def poisson(lam, skey, key, month):
    """A Poisson draw by inversion (exact for lam <= 30), normal approximation above."""
    if lam <= 0.0:
        return 0
    if lam > 30.0:
        z = normal(skey, key, month)
        return max(0, int(math.floor(lam + math.sqrt(lam) * z + 0.5)))
    u = uniform(skey, key, month)
    k = 0
    p = math.exp(-lam)
    cdf = p
    while u > cdf and k < 1000:
        k += 1
        p *= lam / k
        cdf += p
    return k


@njit(cache=True)
def uniform_array(skey, keys, month):
    """Uniform draws for an array of keys (a reference helper for tests and benchmarks)."""
    out = np.empty(keys.shape[0])
    for i in range(keys.shape[0]):
        out[i] = uniform(skey, keys[i], month)
    return out


@njit(cache=True)
def normal_array(skey, keys, month):
    """Standard normal draws for an array of keys (same values as :func:`normal`)."""
    out = np.empty(keys.shape[0])
    for i in range(keys.shape[0]):
        out[i] = normal(skey, keys[i], month)
    return out
