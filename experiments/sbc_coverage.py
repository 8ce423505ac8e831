"""Simulation-based calibration of ``qcy calibrate``: do its intervals hold the truth as often.

For each of N synthetic truths drawn from the priors (scrambled Sobol' points), one model run at
the truth gives the "observed" figures; ABC-SMC (the same code as ``qcy calibrate``, serial
sampler) fits them from the priors; the truth's rank in the posterior (the weighted share of
particles below it) is recorded. If the posterior is calibrated the ranks are uniform and a
central interval of level L holds the truth in a share L of the cases (Talts et al. 2018,
"Validating Bayesian inference algorithms with simulation-based calibration"). ABC accepts
within a finite epsilon, so its posterior is wider than the exact one: coverage at or above the
nominal level is expected, well below it is a bug.

The problem is the recovery test's: a small area over 24 months (tests/data/tiny.toml with fewer
talents), two parameters (relocations per year, high-tech certification rate) and four yearly
flows (tech firms landed and high-tech firms identified in 2022 and 2023).

    python experiments/sbc_coverage.py --truths 24 --population 20 --generations 3 --out results/sbc

Writes ``sbc.json`` (per truth: values, ranks, inside 50 % / 90 %; coverage per parameter) in
--out and prints the coverage table. Truths run in parallel over --workers processes.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("enterprise.relocations_per_year", "enterprise.high_tech_per_year")
ROWS = (
    ("s1", "2022-01", "2022-12", "new_tech_firms_landed"),
    ("s2", "2023-01", "2023-12", "new_tech_firms_landed"),
    ("s3", "2022-01", "2022-12", "high_tech_firms_identified"),
    ("s4", "2023-01", "2023-12", "high_tech_firms_identified"),
)
HEADER = "id,geography,period_start,period_end,quantity,value,unit,meaning,source,confidence\n"
CONFIG = """[calibration]
scenario = "{tiny}"
observed = "obs.csv"
parameters = ["enterprise.relocations_per_year", "enterprise.high_tech_per_year"]
population = {population}
generations = {generations}
predictive = 4
seed = {seed}

[overrides]
"time.horizon_months" = 24
"initial.talents" = 500
"talent.candidates_domestic_per_month" = 60.0
"talent.candidates_overseas_per_month" = 4.0
"talent.graduates_per_year" = 400.0

[priors]
"enterprise.relocations_per_year" = {{ dist = "uniform", bounds = [10.0, 100.0] }}
"enterprise.high_tech_per_year" = {{ dist = "uniform", bounds = [0.05, 0.5] }}
"""


def _write(folder: Path, values, population: int, generations: int, seed: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "obs.csv").write_text(
        HEADER
        + "".join(
            f"{i},Xixian,{a},{b},{q},{v},f,m,s,high\n"
            for (i, a, b, q), v in zip(ROWS, values, strict=True)
        )
    )
    path = folder / "cal.toml"
    path.write_text(
        CONFIG.format(
            tiny=ROOT / "tests" / "data" / "tiny.toml",
            population=population,
            generations=generations,
            seed=seed,
        )
    )
    return path


def one_truth(args: tuple[int, dict, int, int, int, str]) -> dict:
    """Simulate the observed figures at ``truth``, fit them, rank the truth in the posterior."""
    from qcy_sim.analysis.calibrate import load_calibration, row_values, run_calibration, simulate
    from qcy_sim.experiment import apply_point

    index, truth, population, generations, seed, out = args
    folder = Path(out) / f"truth-{index:03d}"
    cfg = load_calibration(_write(folder, [1, 1, 1, 1], population, generations, seed))
    observed = row_values(cfg.rows, simulate(apply_point(cfg.base_params(), truth), seed))
    if not np.all(observed > 0):  # an observed figure must be positive (relative errors)
        return {"index": index, "truth": truth, "skipped": f"observed {observed.tolist()}"}
    cfg = load_calibration(_write(folder, observed, population, generations, seed))
    data = run_calibration(cfg, folder / "fit", "serial")
    import pandas as pd

    post = pd.read_parquet(folder / "fit" / "posterior.parquet")
    w = post["weight"].to_numpy()
    result = {"index": index, "truth": truth, "observed": observed.tolist(), "parameters": {}}
    for key in KEYS:
        x = post[key].to_numpy()
        p = data["parameters"][key]
        rank = float(w[x < truth[key]].sum() + 0.5 * w[x == truth[key]].sum())
        result["parameters"][key] = {
            "rank": rank,
            "inside_50": bool(0.25 <= rank <= 0.75),
            "inside_90": bool(p["q05"] <= truth[key] <= p["q95"]),
            "interval_share_of_prior": p["interval_share_of_prior"],
        }
    result["simulations"] = data["simulations"]["abc"]
    result["final_epsilon"] = data["generations"][-1]["epsilon"]
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the coverage study."""
    from qcy_sim.analysis.calibrate import load_calibration
    from qcy_sim.runner import replicate_seeds
    from qcy_sim.uncertainty import parameter_draws

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--truths", type=int, default=24)
    ap.add_argument("--population", type=int, default=20)
    ap.add_argument("--generations", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", default="results/sbc_coverage")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = load_calibration(_write(out / "setup", [1, 1, 1, 1], 2, 1, 0))
    draws = parameter_draws(cfg.scenario, "prior", args.truths, args.seed)
    seeds = replicate_seeds(args.seed, args.truths)
    tasks = [
        (i, {k: d[k] for k in KEYS}, args.population, args.generations, s, str(out))
        for i, (d, s) in enumerate(zip(draws, seeds, strict=True))
    ]
    t0 = time.time()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(one_truth, tasks))
    done = [r for r in results if "parameters" in r]
    coverage = {
        key: {
            "inside_50": float(np.mean([r["parameters"][key]["inside_50"] for r in done])),
            "inside_90": float(np.mean([r["parameters"][key]["inside_90"] for r in done])),
            "mean_interval_share_of_prior": float(
                np.mean([r["parameters"][key]["interval_share_of_prior"] for r in done])
            ),
            "rank_histogram_quarters": np.histogram(
                [r["parameters"][key]["rank"] for r in done], bins=4, range=(0, 1)
            )[0].tolist(),
        }
        for key in KEYS
    }
    summary = {
        "truths": args.truths,
        "fitted": len(done),
        "population": args.population,
        "generations": args.generations,
        "seed": args.seed,
        "simulations": int(sum(r["simulations"] for r in done)),
        "wall_time_s": round(time.time() - t0, 1),
        "workers": args.workers,
        "coverage": coverage,
        "results": results,
    }
    (out / "sbc.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"{len(done)} of {args.truths} truths fitted ({summary['simulations']} ABC simulations, "
        f"{summary['wall_time_s']} s on {args.workers} workers)"
    )
    for key, c in coverage.items():
        print(
            f"{key}: inside 50 % {c['inside_50']:.2f}, inside 90 % {c['inside_90']:.2f}, "
            f"interval / prior {c['mean_interval_share_of_prior']:.2f}, rank quarters "
            f"{c['rank_histogram_quarters']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
