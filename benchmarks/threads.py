"""Do threads pay for the careers kernel? ``talents_month`` serial against a ``prange`` version.

``talents_month`` (:mod:`qcy_sim.mechanisms.careers`) is the hottest kernel of a replicate. Two
of its writes are not safe to run in parallel as they stand: ``staff[employer] -= 1`` (two
talents of one firm leaving at once) and the list of founders (its order is the order talents
are visited in). :func:`talents_month_parallel` keeps the results bit-identical by splitting
the kernel in two:

1. a ``prange`` over chunks of slots does each talent's month exactly as the serial kernel does
   (every draw is a hash of seed, stream, talent and month, so the order of visits does not
   matter), and marks in a byte per talent whether it left a firm (``1``) or founded a startup
   (``2``), keeping the firm it left; the counts are integer sums per chunk, exact in any order;
2. a serial sweep over the marks takes the staff off and lists the founders in slot order.

:func:`bench_threads` checks that both give identical arrays and times them alternately
(medians), on the state of a baseline replicate at month 24 (seed scale) and on a large
reduced talent flow. Usage: ``python benchmarks/threads.py``.

Found on the way (numba 0.68): writes through a namedtuple record's array fields made in the
body of a ``prange`` loop itself are silently lost; unpacked into local arrays some writes were
still lost in branches. Calling a plain ``@njit`` function on the record from the ``prange``
body, one chunk per call, is correct (checked against the serial kernel here).
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numba import njit, prange

from qcy_sim import QcyModel, load_scenario
from qcy_sim.core.codes import EMPLOYED, FLEXIBLE, GONE, SEARCHING
from qcy_sim.core.rng import uniform
from qcy_sim.mechanisms.careers import (
    Career,
    CareerKeys,
    exit_screens,
    screen_bound,
    talents_month,
)
from qcy_sim.mechanisms.training import APPRENTICED

ROOT = Path(__file__).resolve().parent.parent
LEFT, FOUNDED = 1, 2
# Not cached: these kernels inline the package's draws and screens, and numba would check a
# cached copy only against this file (the package's own kernels are cached by its whole source).


@njit
def _careers_range(t, firm_alive, r, c, keys, month, mark, left, lo, hi, counts, j):
    """The serial kernel's month for slots ``lo .. hi - 1``, staff and founders left aside."""
    bounds = exit_screens(r)
    for i in range(lo, hi):
        mark[i] = 0
        s = t.status[i]
        if s == GONE:
            continue
        if s == EMPLOYED and not firm_alive[t.employer[i]]:
            t.status[i] = SEARCHING
            s = SEARCHING
            t.employer[i] = -1
            t.wage[i] = 0.0
            t.failed_employer[i] = 1
            t.search_since[i] = month
        t.ability[i] += c.ability_growth[t.kind[i]]
        if c.batch and s != FLEXIBLE and t.level[i] < 2:
            margin = 0.0 if t.titled[i] else c.untitled_margin
            target = 0
            if t.ability[i] >= r.th_high_level + margin:
                target = 2
            elif t.ability[i] >= r.th_high_end + margin:
                target = 1
            if target > t.level[i] and uniform(keys.recognition, t.uid[i], month) < c.apply_share:
                if s == EMPLOYED:
                    t.wage[i] *= r.level_mult[target] / r.level_mult[t.level[i]]
                t.level[i] = target
                t.level_since[i] = month
                if not t.titled[i]:
                    counts[j, 3] += 1
        u_exit = uniform(keys.exit, t.uid[i], month)
        if s == FLEXIBLE:
            if u_exit < r.flexible_end:
                t.status[i] = GONE
                counts[j, 1] += 1
            continue
        d = c.d_base + c.d_by_kind[t.kind[i]] + c.d_by_level[t.level[i]]
        if not t.housed[i] and month - t.arrived[i] <= r.housing_months:
            d += r.d_unhoused
        if t.failed_employer[i]:
            d += c.d_failed
        if s == SEARCHING:
            d += r.d_search * (month - t.search_since[i]) / 12.0
        if (t.trained[i] >> APPRENTICED) & 1:
            d -= c.d_trained
        below = max(t.expectation[i] / t.wage[i], 1.0) if s == EMPLOYED else 1.0
        u_screen = u_exit - (r.search_exit if s == SEARCHING else 0.0)
        if d + r.d_wage * (below - 1.0) <= screen_bound(u_screen, bounds):
            leaves = False
        else:
            if below > 1.0:
                d += r.d_wage * math.log(below)
            h = r.exit_base * math.exp(r.exit_coef * max(d, 0.0))
            if s == SEARCHING:
                h = 1.0 - (1.0 - h) * (1.0 - r.search_exit)
            leaves = u_exit < h
        if leaves:
            if s == EMPLOYED:
                mark[i] = LEFT
                left[i] = t.employer[i]
            t.status[i] = GONE
            t.employer[i] = -1
            if t.housed[i]:
                t.housed[i] = 0
                counts[j, 2] += 1
            counts[j, 0] += 1
            continue
        if s == EMPLOYED:
            t.failed_employer[i] = 0
            p_found = c.found_prob[t.kind[i]]
            if p_found > 0.0 and uniform(keys.found, t.uid[i], month) < p_found:
                mark[i] = FOUNDED
                left[i] = t.employer[i]
                t.employer[i] = -1


@njit(parallel=True)
def _careers_sweep(t, firm_alive, r, c, keys, month, mark, left, bounds):
    # one chunk of slots per task; the loop body is a plain function, because writes through a
    # record's fields made in a prange body itself were lost (numba 0.68, measured)
    counts = np.zeros((bounds.shape[0] - 1, 4), dtype=np.int64)
    for j in prange(bounds.shape[0] - 1):
        _careers_range(
            t, firm_alive, r, c, keys, month, mark, left, bounds[j], bounds[j + 1], counts, j
        )
    total = counts.sum(axis=0)
    return total[0], total[1], total[2], total[3]


@njit
def _settle(mark, left, staff, founders):
    n_found = 0
    for i in range(mark.shape[0]):
        if mark[i] == 0:
            continue
        staff[left[i]] -= 1
        if mark[i] == FOUNDED:
            founders[n_found] = i
            n_found += 1
    return n_found


def talents_month_parallel(t, firm_alive, staff, r, c, keys, month, founders, mark, left):
    """:func:`~qcy_sim.mechanisms.careers.talents_month` on threads: same arguments and result,
    plus two scratch arrays of the talents' length (``mark`` int8, ``left`` int32)."""
    n = t.status.shape[0]
    bounds = np.linspace(0, n, 4 * numba.get_num_threads() + 1).astype(np.int64)
    departures, flex_ended, freed, untitled = _careers_sweep(
        t, firm_alive, r, c, keys, month, mark, left, bounds
    )
    n_found = _settle(mark, left, staff, founders)
    return departures, flex_ended, n_found, freed, untitled


def _month24_state(seed: int):
    """A baseline replicate stepped to month 24, and the arguments of month 25's careers call."""
    model = QcyModel(load_scenario(ROOT / "scenarios" / "baseline.toml"), seed=seed)
    for _ in range(24):
        model.step()
    careers = model.careers
    model.month += 1
    args = (
        model.firms.view("alive"),
        model.firms.view("staff"),
        careers.rates,
        careers._month(),
        CareerKeys(*(careers.key(f"talent.{n}") for n in ("exit", "recognition", "found"))),
        model.month,
    )
    return model.talents, args


def _flow_state(n: int):
    """A reduced talent flow of ``n`` talents (:mod:`reference`) and its careers arguments."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from reference import ArrayFlow, CareerMonth, flow_params, initial_state, is_batch

    fp = flow_params(load_scenario(ROOT / "scenarios" / "baseline.toml"), n)
    flow = ArrayFlow(fp, 1, initial_state(fp, 1), months=1)
    month = CareerMonth(batch=is_batch(6, fp.batches_per_year), **flow._career_month)
    args = (flow.firm_alive, flow.staff, flow._rates, month, flow._career_keys, 6)
    return flow.talents, args


def _time_pair(store, args, reps: int) -> dict[str, Any]:
    saved = {p: store.view(p).copy() for p in store.properties}
    staff0 = args[1].copy()
    n = store.count
    founders = np.empty(n, dtype=np.int64)
    mark, left = np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.int32)

    def restore():
        for p in store.properties:
            np.copyto(store.view(p), saved[p])
        np.copyto(args[1], staff0)

    def serial():
        return talents_month(store.take(Career), *args, founders)

    def parallel():
        return talents_month_parallel(store.take(Career), *args, founders, mark, left)

    results = {}
    for name, fn in (("serial", serial), ("parallel", parallel)):  # compile, and compare
        restore()
        out = fn()
        results[name] = (out, {p: store.view(p).copy() for p in store.properties}, args[1].copy())
        results[name] = (*results[name], founders[: out[2]].copy())
    (o1, s1, f1, n1), (o2, s2, f2, n2) = results["serial"], results["parallel"]
    identical = (
        o1 == o2
        and all(np.array_equal(s1[p], s2[p]) for p in s1)
        and np.array_equal(f1, f2)
        and np.array_equal(n1, n2)
    )
    times: dict[str, list[float]] = {"serial": [], "parallel": []}
    for r in range(reps):
        order = (("serial", serial), ("parallel", parallel))
        for name, fn in order if r % 2 == 0 else order[::-1]:
            restore()
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    restore()
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "talents": n,
        "identical": bool(identical),
        "serial_ms": 1e3 * med["serial"],
        "parallel_ms": 1e3 * med["parallel"],
        "speedup": med["serial"] / med["parallel"],
        "serial_ns_per_talent": 1e9 * med["serial"] / n,
        "reps": reps,
    }


def bench_threads(reps: int = 21, large: int = 2_000_000) -> dict[str, Any]:
    """``talents_month`` serial against threads: seed scale (month 24) and ``large`` talents."""
    out: dict[str, Any] = {
        "threads": numba.get_num_threads(),
        "threading_layer": None,
        "cases": [],
    }
    out["cases"].append({"case": "baseline month 25", **_time_pair(*_month24_state(1), reps)})
    out["cases"].append({"case": f"talent flow, {large:,}", **_time_pair(*_flow_state(large), 7)})
    out["threading_layer"] = numba.threading_layer()
    out["threads_speedup_seed_scale"] = out["cases"][0]["speedup"]
    out["threads_speedup_large"] = out["cases"][1]["speedup"]
    out["threads_identical"] = all(c["identical"] for c in out["cases"])
    return out


def main() -> None:
    res = bench_threads()
    print(f"numba threads: {res['threads']} ({res['threading_layer']})")
    for c in res["cases"]:
        print(
            f"{c['case']:<28} {c['talents']:>10,} talents: serial {c['serial_ms']:8.2f} ms, "
            f"{res['threads']} threads {c['parallel_ms']:8.2f} ms, speed-up {c['speedup']:.2f}, "
            f"identical {c['identical']}"
        )


if __name__ == "__main__":
    main()
