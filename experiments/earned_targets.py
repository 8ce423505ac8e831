"""Are the targets earned by the levers that list them? Every KPI under four settings.

For each of the 13 KPIs: its median and 90 % band at the deadline (default counting) under the
baseline, ``no_new_policy``, the baseline with every lever that lists the KPI in ``qcy levers
--json`` switched off, and ``larger_ecosystem``; all on the same seeds at the scenarios' own
parameters (``fixed``). Prints a Markdown table and writes it, with the raw finals, as JSON.

    python experiments/earned_targets.py --replicates 20 --workers 2
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from qcy_sim import load_scenario, run_replicates
from qcy_sim.policy.tasks import task_table
from qcy_sim.scenario import scenario_from_dict
from qcy_sim.schema import KPIS

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def levers_of(kpi: str) -> list[str]:
    """The scenario tables (``policy.X``) of the levers that list ``kpi``."""
    return sorted({t["lever"] for t in task_table() if kpi in t["kpis"]})


def with_levers_off(scenario, levers: list[str]):
    """``scenario`` with the named ``policy.X`` tables switched off."""
    data = scenario.to_dict()
    for lever in levers:
        data["policy"][lever.split(".", 1)[1]]["on"] = False
    data["name"] = f"{scenario.name}_off"
    return scenario_from_dict(data, path=f"<{scenario.name} with levers off>")


def finals(scenario, replicates: int, seed: int, workers: int) -> np.ndarray:
    """Final value of every KPI (default counting) per replicate, ``(replicates, 13)``."""
    result = run_replicates(scenario, replicates=replicates, seed=seed, workers=workers)
    return result.kpi[:, -1, :]


def band(values: np.ndarray) -> tuple[float, float, float]:
    """Median, 5th and 95th percentile."""
    lo, med, hi = np.percentile(values, [5, 50, 95])
    return float(med), float(lo), float(hi)


def main(argv: list[str] | None = None) -> int:
    """Run the four settings and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "earned_targets.json")
    args = ap.parse_args(argv)
    run = lambda sc: finals(sc, args.replicates, args.seed, args.workers)  # noqa: E731
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    base = run(baseline)
    none = run(load_scenario(SCENARIOS / "no_new_policy.toml"))
    larger = run(load_scenario(SCENARIOS / "larger_ecosystem.toml"))
    rows, raw = [], {}
    for k, kpi in enumerate(KPIS):
        off = run(with_levers_off(baseline, levers_of(kpi)))[:, k]
        b, n, o, g = band(base[:, k]), band(none[:, k]), band(off), band(larger[:, k])
        drop = 1.0 - o[0] / b[0] if b[0] else float("nan")
        rise = g[0] / b[0] - 1.0 if b[0] else float("nan")
        rows.append((kpi, b, n, o, g, drop, rise, len(levers_of(kpi))))
        raw[kpi] = {
            "levers": levers_of(kpi),
            "baseline": base[:, k].tolist(),
            "no_new_policy": none[:, k].tolist(),
            "levers_off": off.tolist(),
            "larger_ecosystem": larger[:, k].tolist(),
            "drop_levers_off": drop,
            "rise_larger_ecosystem": rise,
        }
    fmt = lambda t: f"{t[0]:,.0f} [{t[1]:,.0f}–{t[2]:,.0f}]"  # noqa: E731
    lines = [
        f"{args.replicates} replicates, base seed {args.seed}, fixed parameters; "
        "median [90 % band]",
        "",
        "| KPI | baseline | no_new_policy | its levers off (n) | drop | larger ecosystem | rise |",
        "|---|---|---|---|---:|---|---:|",
    ]
    for kpi, b, n, o, g, drop, rise, nl in rows:
        lines.append(
            f"| `{kpi}` | {fmt(b)} | {fmt(n)} | {fmt(o)} ({nl}) | {drop:.0%} | {fmt(g)} | "
            f"{rise:+.0%} |"
        )
    print("\n".join(lines))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"table": lines, "kpis": raw}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
