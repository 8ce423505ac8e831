"""What burn-in once, fork many saves: K variants forked at a shared month against K straight runs.

A comparison of policy mixes that differ only from month ``m`` on needs the first ``m`` months
once: ``QcyModel.fork`` copies the model there and each variant runs on from the copy. This
script times, on one seed of the baseline, ``K`` straight runs against one run to month ``m``
plus ``K`` forks run to the end (the variants here are the baseline itself, so both sides do the
same work per month), alternately, medians of ``--reps``; and the time of one fork.

``--compare`` times what ``qcy compare`` gains from it: ``K`` mixes of the baseline whose
awards differ from month ``m + 1`` on (a lever started a year later, say), compared over ``N``
replicates in this process with the shared months run once (the default) and with every mix run
straight (``share=False``), alternately, medians of ``--reps``; the numbers are checked equal.

``--optimize`` times what ``qcy optimize`` gains from it: ``K`` candidates whose awards (started in
month ``m + 1``) differ, ``N`` replicates each, through the optimiser's evaluator in this
process, with the months before forked from burn-ins kept across candidates (the default) and
with every candidate run straight, alternately (a fresh cache each time), medians of
``--reps``; the numbers are checked equal.

Usage: ``python benchmarks/fork.py [--variants K] [--month M] [--reps R] [--compare N]
[--optimize N]``.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from pathlib import Path

import numpy as np

from qcy_sim import QcyModel, load_scenario
from qcy_sim.compare import compare_mixes
from qcy_sim.scenario import scenario_from_dict

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


def bench_compare(variants: int = 3, month: int = 12, replicates: int = 4, reps: int = 3) -> dict:
    base = load_scenario(ROOT / "scenarios" / "baseline.toml")
    mixes = []
    for k in range(variants):
        data = copy.deepcopy(base.to_dict())
        data["name"] = f"awards_{k}_from_{month + 1}"
        awards = data["policy"]["awards"]
        awards["start_month"] = month + 1
        awards["high_level_cny_thousand"] *= 1 + k / 2
        mixes.append(scenario_from_dict(data, path=f"<{data['name']}>"))
    QcyModel(base, 0).run()  # load the kernels
    med, results = _alternately(
        lambda share: compare_mixes(mixes, replicates, seed=1, share=share), reps
    )
    same = all(
        np.array_equal(getattr(a, x), getattr(b, x))
        for a, b in zip(results["shared"].reps, results["straight"].reps, strict=True)
        for x in ("kpi", "series", "spending")
    )
    gain = _gain(med, variants, month, base.horizon)
    return {"mixes": variants, "replicates": replicates, **gain, "same_numbers": same, "reps": reps}


def _alternately(run, reps: int) -> tuple[dict[str, float], dict]:
    """``run(share)`` timed with ``share`` True and False alternately: medians, last results."""
    times: dict[str, list[float]] = {"shared": [], "straight": []}
    results = {}
    for r in range(reps):
        order = (("shared", True), ("straight", False))
        for name, share in order if r % 2 == 0 else order[::-1]:
            t0 = time.perf_counter()
            results[name] = run(share)
            times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}, results


def _gain(med: dict[str, float], variants: int, month: int, horizon: int) -> dict:
    """The speed-up of sharing ``month`` months among ``variants``, and if months cost the same."""
    return {
        "shared_months": month,
        "horizon": horizon,
        "straight_s": med["straight"],
        "shared_s": med["shared"],
        "speedup": med["straight"] / med["shared"],
        "speedup_if_months_only": variants * horizon / (month + variants * (horizon - month)),
    }


def bench_optimize(variants: int = 4, month: int = 12, replicates: int = 4, reps: int = 3) -> dict:
    import tempfile

    from qcy_sim import runner
    from qcy_sim.analysis.optimize import model_evaluator
    from qcy_sim.experiment import load_experiment
    from qcy_sim.sweep import SerialExecutor

    with tempfile.TemporaryDirectory(prefix="qcy-fork-") as tmp:
        folder = Path(tmp)
        (folder / "late.toml").write_text(
            f'name = "late"\nextends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\n'
            f"[policy.awards]\nstart_month = {month + 1}\n",
            encoding="utf-8",
        )
        (folder / "opt.toml").write_text(
            '[experiment]\nname = "late_awards"\nscenarios = ["late.toml"]\n'
            f'replicates = {replicates}\nseed = 3\ntargets = ["high_level_talents"]\n'
            '[design]\nkind = "lhs"\nn = 2\n'
            '[levers]\n"policy.awards.high_level_cny_thousand" = { range = [100.0, 1500.0] }\n',
            encoding="utf-8",
        )
        exp = load_experiment(folder / "opt.toml")
    candidates = [
        {"policy.awards.high_level_cny_thousand": 100.0 + 1400.0 * k / max(variants - 1, 1)}
        for k in range(variants)
    ]
    QcyModel(exp.scenarios[0], 0).run()  # load the kernels

    def evaluate_all(share: bool) -> list:
        runner._BURN_INS.clear()  # a fresh cache each time
        with SerialExecutor() as ex:
            evaluate = model_evaluator(exp, ex, replicates, share=share)
            return [evaluate(c).cost for c in candidates]

    med, costs = _alternately(evaluate_all, reps)
    runner._BURN_INS.clear()
    same = all(
        np.array_equal(a, b) for a, b in zip(costs["shared"], costs["straight"], strict=True)
    )
    gain = _gain(med, variants, month, exp.scenarios[0].horizon)
    return {
        "candidates": variants,
        "replicates": replicates,
        **gain,
        "same_costs": same,
        "reps": reps,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=8)
    ap.add_argument("--month", type=int, default=12)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--compare", type=int, default=0, metavar="N", help="replicates of compare")
    ap.add_argument("--optimize", type=int, default=0, metavar="N", help="replicates a candidate")
    args = ap.parse_args()
    if args.optimize:
        out = bench_optimize(args.variants, args.month, args.optimize, args.reps)
    elif args.compare:
        out = bench_compare(args.variants, args.month, args.compare, args.reps)
    else:
        out = bench_fork(args.variants, args.month, args.reps)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
