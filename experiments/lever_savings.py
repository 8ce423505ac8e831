"""Does switching a lever off save its own line? Paired runs, one lever off at a time.

For every lever whose median spending in the baseline is at least ``--min-spending`` million CNY:
the baseline with that lever off, on the same seeds; the saving is the drop of median public
spending, compared with the lever's own median spending in the baseline. A lever passes when
the saving is at least ``--share`` of its own line (other levers absorbing the freed money would
make it fail; knock-on savings elsewhere are fine).

    python experiments/lever_savings.py --replicates 10 --workers 2
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from qcy_sim import load_scenario, run_replicates
from qcy_sim.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent


def summary(scenario, replicates: int, seed: int, workers: int) -> dict:
    """The ``spending_cny_million`` block of a run's summary."""
    spending = run_replicates(scenario, replicates, seed, workers=workers).summary()
    return spending["spending_cny_million"]


def main(argv: list[str] | None = None) -> int:
    """Switch each spending lever off in turn and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--min-spending", type=float, default=5.0)
    ap.add_argument("--share", type=float, default=0.7)
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "lever_savings.json")
    args = ap.parse_args(argv)
    baseline = load_scenario(ROOT / "scenarios" / "baseline.toml")
    base = summary(baseline, args.replicates, args.seed, args.workers)
    rows = []
    for lever, own in base["by_lever_median"].items():
        if own < args.min_spending:
            continue
        data = baseline.to_dict()
        data["policy"][lever.split(".", 1)[1]]["on"] = False
        off = summary(scenario_from_dict(data, path=f"<{lever} off>"), args.replicates,
                      args.seed, args.workers)  # fmt: skip
        saving = base["median_public"] - off["median_public"]
        rows.append({"lever": lever, "own_line": own, "saving": saving,
                     "passes": saving >= args.share * own})  # fmt: skip
    passed = sum(r["passes"] for r in rows)
    print(f"| lever | own line (M CNY) | saving (M CNY) | saving / own | >= {args.share:.0%} |")
    print("|---|---:|---:|---:|---|")
    for r in rows:
        share = r["saving"] / r["own_line"]
        mark = "yes" if r["passes"] else "no"
        own, saving = r["own_line"], r["saving"]
        print(f"| `{r['lever']}` | {own:,.1f} | {saving:,.1f} | {share:.2f} | {mark} |")
    print(f"\n{passed} of {len(rows)} levers save at least {args.share:.0%} of their own line "
          f"({args.replicates} replicates, base seed {args.seed})")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"levers": rows, "passed": passed}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
