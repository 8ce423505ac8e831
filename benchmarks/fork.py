"""What burn-in once, fork many saves: K variants forked at a shared month against K straight runs.

A comparison of policy mixes that differ only from month ``m`` on needs the first ``m`` months
once: ``QcyModel.fork`` copies the model there and each variant runs on from the copy. This
script times, on one seed of the baseline, ``K`` straight runs against one run to month ``m``
plus ``K`` forks run to the end (the variants here are the baseline itself, so both sides do the
same work per month), alternately, medians of ``--reps``; and the time of one fork.

Usage: ``python benchmarks/fork.py [--variants K] [--month M] [--reps R]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from qcy_sim import QcyModel, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def bench_fork(variants: int = 8, month: int = 12, reps: int = 5) -> dict:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    QcyModel(scenario, 0).run()  # load the kernels

    def straight():
        for _ in range(variants):
            QcyModel(scenario, 1).run()

    def forked():
        model = QcyModel(scenario, 1)
        for _ in range(month):
            model.step()
        for _ in range(variants):
            model.fork().run()

    times: dict[str, list[float]] = {"straight": [], "forked": []}
    for r in range(reps):
        order = (("straight", straight), ("forked", forked))
        for name, fn in order if r % 2 == 0 else order[::-1]:
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    model = QcyModel(scenario, 1)
    for _ in range(month):
        model.step()
    fork_s = []
    for _ in range(21):
        t0 = time.perf_counter()
        model.fork()
        fork_s.append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    horizon = scenario.horizon
    return {
        "variants": variants,
        "fork_month": month,
        "horizon": horizon,
        "straight_s": med["straight"],
        "forked_s": med["forked"],
        "speedup": med["straight"] / med["forked"],
        "speedup_if_months_only": variants * horizon / (month + variants * (horizon - month)),
        "fork_ms": 1e3 * statistics.median(fork_s),
        "talent_slots_at_fork": model.talents.count,
        "reps": reps,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=8)
    ap.add_argument("--month", type=int, default=12)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    print(json.dumps(bench_fork(args.variants, args.month, args.reps), indent=1))


if __name__ == "__main__":
    main()
