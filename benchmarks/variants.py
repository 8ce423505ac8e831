"""Prototypes of the kernel changes proposed in docs/PERFORMANCE.md, timed against the real kernels.

    python benchmarks/variants.py

1. ``arrivals`` with the field drawn only for candidates who come (bit-identical), and with the
   expectation's ``exp`` only on arrival (``log(w / e) = log(w / e0) - expect_sd z``). The
   variants are built from the kernel's own source by text substitution; if the kernel has
   changed so that a substitution no longer applies, that variant is skipped.
2. The cost structure of ``talents_month`` on 2 million talents: the real kernel against
   stripped copies of its loop (arrays only; + two uniform draws; + ``log``/``exp``; and the
   proposal: one hash per talent-month and the hazard as a product of precomputed factors).

Times are the minimum of 9 runs (the least disturbed by other processes).
"""

from __future__ import annotations

import inspect
import math
import textwrap
import time
from pathlib import Path

import numpy as np
from numba import njit

import qcy_sim
from qcy_sim import kernels as k
from qcy_sim import rng
from qcy_sim.reference import ArrayFlow, flow_params, initial_state

ROOT_SCENARIO = qcy_sim.load_scenario(
    Path(qcy_sim.__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
)
HT = k.HOUSING_TENURE_MONTHS
INV53 = 1.0 / 9007199254740992.0


def best(fn, reps: int = 9) -> float:
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# ----------------------------------------------------------------------------------------------
# 1. arrivals


def arrivals_variants() -> dict:
    src = textwrap.dedent(inspect.getsource(k.arrivals.py_func))
    src = "\n".join(line for line in src.splitlines() if not line.startswith("@"))
    draw_field = "            f = categorical(uniform(skey_field, key, month), field_shares)\n"
    store_uid = "            uid[n] = key\n"
    exp_e = ("            e = comp_ratio * wage_base[k] * level_mult[lvl] "
             "* math.exp(expect_sd * z)\n")
    out = {"arrivals (real)": k.arrivals}
    if draw_field in src and store_uid in src:
        lazy = src.replace("def arrivals(", "def arrivals_lazy_field(").replace(draw_field, "")
        lazy = lazy.replace(store_uid, draw_field + store_uid, 1)
        out["field drawn on arrival"] = lazy
        if exp_e in lazy and "math.log(w / e)" in lazy:
            lazy2 = lazy.replace("def arrivals_lazy_field(", "def arrivals_lazy_exp(")
            e0 = "            e0 = comp_ratio * wage_base[k] * level_mult[lvl]\n"
            lazy2 = lazy2.replace(exp_e, e0)
            lazy2 = lazy2.replace("math.log(w / e)", "(math.log(w / e0) - expect_sd * z)")
            lazy2 = lazy2.replace(store_uid, "            e = e0 * math.exp(expect_sd * z)\n"
                                  + store_uid, 1)
            out["+ exp of expectation on arrival"] = lazy2
    compiled = {}
    namespace = {**vars(k), "np": np, "math": math}
    for name, fn in out.items():
        if isinstance(fn, str):
            exec(fn, namespace)  # noqa: S102 - our own kernel's source, modified above
            fn = njit(namespace[fn.split("def ", 1)[1].split("(", 1)[0]])
        compiled[name] = fn
    return compiled


def bench_arrivals() -> None:
    fp = flow_params(ROOT_SCENARIO, 22_000)
    flow = ArrayFlow(fp, 1, initial_state(fp, 1), months=1)
    t, a, s = flow.talents, flow._arr, flow.skey
    sizes = np.array([200_000, 20_000, 100_000], dtype=np.int64)
    t.reserve(int(sizes.sum()))

    def call(fn):
        return fn(
            3, t.count, sizes, a["origin_codes"], a["forced"], a["new_status"],
            s["arrival.kind"], s["arrival.field"], s["arrival.ability"], s["arrival.expectation"],
            s["arrival.choice"], s["arrival.title"], a["kind_shares"], a["field_shares"],
            a["ability_shift"], fp.overseas_shift, fp.ability_sd, fp.th_high_end,
            fp.th_high_level, a["recognised"], a["asc"], 0.1, fp.beta_wage, fp.beta_award,
            a["wage_base"], a["level_mult"], fp.comp_ratio, fp.expect_sd, a["awards"],
            a["by_level_util"], a["util"], t.uid, t.status, t.kind, t.field, t.origin, t.level,
            t.level_since, t.ability, t.titled, t.employer, t.wage, t.expectation, t.arrived,
            t.housed, t.failed_employer, t.broker, t.team, t.trained,
        )

    ref = None
    for name, fn in arrivals_variants().items():
        n = call(fn)[0]
        new = slice(t.count, t.count + n)
        props = ("uid", "kind", "field", "level", "expectation")
        got = {p: getattr(t, p)[new].copy() for p in props}
        if ref is None:
            ref = got
        same = all(np.array_equal(got[p], ref[p]) for p in ("uid", "kind", "field", "level"))
        rel = float(np.max(np.abs(got["expectation"] / ref["expectation"] - 1))) if same else None
        ns = 1e9 * best(lambda f=fn: call(f)) / sizes.sum()
        print(f"  {name:<34}{ns:7.1f} ns/candidate   same arrivals: {same}, "
              f"max relative change of expectations: {rel}")


# ----------------------------------------------------------------------------------------------
# 2. talents_month


@njit
def _scan(status, kind, uid, level, ability, wage, expectation, arrived, housed, failed, trained,
          month, skey):
    acc = 0.0
    for t in range(status.shape[0]):
        s = status[t]
        if s == k.GONE:
            continue
        ability[t] += 0.005
        d = 0.1 + level[t] + kind[t]
        if s == k.EMPLOYED and wage[t] < expectation[t]:
            d += expectation[t] - wage[t]
        if not housed[t] and month - arrived[t] <= HT:
            d += 0.4
        if failed[t]:
            d += 1.0
        if trained[t]:
            d -= 0.1
        acc += d + (uid[t] & 1)
    return acc


@njit
def _draws(status, kind, uid, level, ability, wage, expectation, arrived, housed, failed,
           trained, month, skey):
    acc = 0.0
    for t in range(status.shape[0]):
        s = status[t]
        if s == k.GONE:
            continue
        ability[t] += 0.005
        d = 0.1 + level[t] + kind[t]
        if s == k.EMPLOYED and wage[t] < expectation[t]:
            d += expectation[t] - wage[t]
        if not housed[t] and month - arrived[t] <= HT:
            d += 0.4
        if failed[t]:
            d += 1.0
        if trained[t]:
            d -= 0.1
        u = rng.uniform(skey, uid[t], month)
        if s == k.EMPLOYED:
            u += rng.uniform(skey ^ np.uint64(5), uid[t], month)
        acc += d * u
    return acc


@njit
def _draws_exp_log(status, kind, uid, level, ability, wage, expectation, arrived, housed, failed,
                   trained, month, skey):
    acc = 0.0
    for t in range(status.shape[0]):
        s = status[t]
        if s == k.GONE:
            continue
        ability[t] += 0.005
        d = 0.1 + level[t] + kind[t]
        if s == k.EMPLOYED and wage[t] < expectation[t]:
            d += math.log(expectation[t] / wage[t])
        if not housed[t] and month - arrived[t] <= HT:
            d += 0.4
        if failed[t]:
            d += 1.0
        if trained[t]:
            d -= 0.1
        h = 0.004 * math.exp(max(d, 0.0))
        u = rng.uniform(skey, uid[t], month)
        if s == k.EMPLOYED:
            u += rng.uniform(skey ^ np.uint64(5), uid[t], month)
        acc += u < h
    return acc


@njit
def _proposal(status, kind, uid, level, ability, wage, expectation, arrived, housed, failed,
              trained, month, skey):
    acc = 0.0
    base = 0.004 * math.exp(0.32)  # exp(c (d_base + d_kind + d_level)): a table in practice
    f_unhoused, f_failed, f_trained = math.exp(0.4), math.exp(1.0), math.exp(-0.1)
    for t in range(status.shape[0]):
        s = status[t]
        if s == k.GONE:
            continue
        ability[t] += 0.005
        h = base
        if s == k.EMPLOYED and wage[t] < expectation[t]:
            h *= expectation[t] / wage[t]  # (e/w)^(c d_wage), cached per talent in practice
        if not housed[t] and month - arrived[t] <= HT:
            h *= f_unhoused
        if failed[t]:
            h *= f_failed
        if trained[t]:
            h *= f_trained
        z = rng.mix(skey, uid[t], month)  # one hash per talent-month ...
        if np.float64(z >> np.uint64(11)) * INV53 < max(h, 0.004):
            acc += 1
        if s == k.EMPLOYED:  # ... and one splitmix step per further draw
            z2 = rng._splitmix64(z)
            acc += np.float64(z2 >> np.uint64(11)) * INV53 < 0.002
    return acc


@njit
def _uniforms(n, skey):
    acc = 0.0
    for i in range(n):
        acc += rng.uniform(skey, np.uint64(i), 3)
    return acc


@njit
def _exps(x):
    acc = 0.0
    for i in range(x.shape[0]):
        acc += math.exp(x[i])
    return acc


@njit
def _logs(x):
    acc = 0.0
    for i in range(x.shape[0]):
        acc += math.log(x[i])
    return acc


def bench_talents_month(n: int = 2_000_000) -> None:
    fp = flow_params(ROOT_SCENARIO, n)
    flow = ArrayFlow(fp, 1, initial_state(fp, 1), months=1)
    t, a = flow.talents, flow._arr
    saved = {p: t.view(p).copy() for p in t.properties}
    staff = flow.staff.copy()

    def real():
        for p in t.properties:
            np.copyto(t.view(p), saved[p])
        np.copyto(flow.staff, staff)
        t0 = time.perf_counter()
        k.talents_month(
            *(t.view(p) for p in ("status", "kind", "uid", "level", "level_since", "ability",
                                  "titled", "employer", "wage", "expectation", "arrived",
                                  "housed", "failed_employer", "trained")),
            flow.firm_alive, flow.staff, 1, flow.skey["talent.exit"],
            flow.skey["talent.recognition"], flow.skey["talent.found"], a["growth"],
            fp.th_high_end, fp.th_high_level, fp.recog_titled, fp.recog_untitled, fp.exit_base,
            fp.exit_coef, fp.d_wage, fp.d_unhoused, fp.d_services_gap, a["d_by_kind"],
            a["d_by_level"], 0.0, 0.0, fp.search_exit, 0.0, a["found_prob"], a["founders"],
        )
        return time.perf_counter() - t0

    real()
    print(f"  {'talents_month (real kernel)':<40}{1e9 * min(real() for _ in range(9)) / n:6.1f}"
          " ns/talent")
    args = tuple(t.view(p) for p in ("status", "kind", "uid", "level", "ability", "wage",
                                     "expectation", "arrived", "housed", "failed_employer",
                                     "trained")) + (1, flow.skey["talent.exit"])
    for name, fn in (("copy: arrays and branches only", _scan), ("copy: + 2 uniform draws", _draws),
                     ("copy: + log and exp", _draws_exp_log),
                     ("proposal: 1 hash, no exp/log", _proposal)):
        print(f"  {name:<40}{1e9 * best(lambda f=fn: f(*args)) / n:6.1f} ns/talent")
    x = np.random.default_rng(0).uniform(0.1, 2.0, 10_000_000)
    skey = flow.skey["talent.exit"]
    print(f"  one uniform draw {1e9 * best(lambda: _uniforms(10_000_000, skey)) / 1e7:.2f} ns, "
          f"math.exp {1e9 * best(lambda: _exps(x)) / 1e7:.2f} ns, "
          f"math.log {1e9 * best(lambda: _logs(x)) / 1e7:.2f} ns")


def main() -> None:
    print("arrivals, 320,000 candidates:")
    bench_arrivals()
    print("talents_month, 2,000,000 talents:")
    bench_talents_month()


if __name__ == "__main__":
    main()
