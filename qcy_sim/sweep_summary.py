"""The summary of a sweep: P(met) per target per point, and the closing table.

:func:`summarise_sweep` turns ``runs.parquet`` into ``sweep_summary.json`` (exact intervals
over each point's successful runs, and the parameters' design the runs followed);
:func:`format_sweep_summary` prints it. Split from :mod:`qcy_sim.sweep`, which re-exports both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .experiment import Experiment
from .uncertainty import FIXED, ParameterDesign, design_words

__all__ = ["SUMMARY", "summarise_sweep", "format_sweep_summary"]

SUMMARY = "sweep_summary.json"


def summarise_sweep(
    experiment: Experiment,
    runs,
    design: ParameterDesign | None = None,
    pinned: tuple[frozenset[str], ...] = (),
) -> dict[str, Any]:
    """P(met) per target per point, with exact intervals, from the ``runs.parquet`` frame.

    Failed runs are left out of the denominators; each point reports how many there were.
    ``design`` is the parameters' nested design (None: ``fixed``), recorded as ``parameters``
    with the keys some point keeps at its own value (``pinned``: its factors, and what its
    scenario sets itself).
    """
    from .results import clopper_pearson

    ok = (runs["status"] == "ok").to_numpy()
    by_point = runs["point_id"].to_numpy()
    n_points = len(experiment.points)
    n_ok = np.bincount(by_point[ok], minlength=n_points)
    n_all = np.bincount(by_point, minlength=n_points)
    keys = [*experiment.targets, "all"]
    successes = {
        t: np.bincount(
            by_point[ok], weights=runs[f"met_{t}"].to_numpy()[ok].astype(float), minlength=n_points
        )
        .round()
        .astype(int)
        for t in keys
    }
    medians = {}
    for col in ("public_spending_cny_million", "total_spending_cny_million"):
        med = runs[ok].groupby("point_id")[col].median()
        medians[col] = {int(k): float(v) for k, v in med.items()}
    points = []
    for p in experiment.points:
        i, n = p.point_id, int(n_ok[p.point_id])
        entry: dict[str, Any] = {
            "point_id": i,
            "scenario": experiment.scenarios[p.scenario].name,
            "params": p.values,
            "runs": int(n_all[i]),
            "failed": int(n_all[i] - n),
            "targets": {},
        }
        for t in keys:
            s = int(successes[t][i])
            lo, hi = clopper_pearson(s, n)
            entry["targets"][t] = {
                "successes": s,
                "n": n,
                "p_met": s / n if n else None,
                "ci_low": lo,
                "ci_high": hi,
            }
        for col, med in medians.items():
            entry[f"median_{col}"] = med.get(i)
        points.append(entry)
    return {
        "experiment": experiment.name,
        "points": n_points,
        "replicates": experiment.replicates,
        "base_seed": experiment.seed,
        "parameters": _parameters_record(design, experiment.replicates, pinned),
        "runs": int(len(runs)),
        "failed": int((~ok).sum()),
        "targets": list(experiment.targets),
        "factors": [f.key for f in experiment.factors],
        "interval": "Clopper-Pearson exact 95 % interval over the successful runs of a point",
        "results": points,
    }


def _parameters_record(
    design: ParameterDesign | None, replicates: int, pinned: tuple[frozenset[str], ...]
) -> dict[str, Any]:
    if design is None:
        return {**FIXED.record(), "draws": 1, "seeds_per_draw": replicates, "pinned": []}
    keys = set().union(*pinned) if pinned else set()
    return {
        **design.setup.record(),
        "draws": design.draws,
        "seeds_per_draw": design.seeds_per_draw,
        "pinned": [k for k in design.values[0] if k in keys],
        "same_draws_at_every_point": True,
    }


def _abbrev(kpi: str) -> str:
    return "".join(w[0] for w in kpi.split("_"))


def format_sweep_summary(summary: dict[str, Any], max_rows: int = 40) -> str:
    """The closing table: one line per point, P(met) per target and for all together."""
    targets = [*summary["targets"], "all"]
    short = {t: _abbrev(t) if t != "all" else "all" for t in targets}
    if len(set(short.values())) != len(short):
        short = {t: t for t in targets}
    factors = summary["factors"]
    results = summary["results"]
    par = summary.get("parameters")
    drawn = ""
    if par and par["mode"] != "fixed":
        drawn = f" ({design_words(par)}, the same at every point)"
    lines = [
        f"{summary['experiment']}: {summary['points']} points x {summary['replicates']} "
        f"replicates{drawn} = {summary['runs']} runs, {summary['failed']} failed",
    ]
    if factors:
        lines.append("factors: " + "; ".join(f"x{j + 1} = {k}" for j, k in enumerate(factors)))
    lines.append("targets: " + "; ".join(f"{short[t]} = {t}" for t in targets if t != "all"))
    shown = results
    if len(results) > max_rows:
        shown = sorted(results, key=lambda e: -(e["targets"]["all"]["p_met"] or 0))[: max_rows // 2]
        lines.append(
            f"the {len(shown)} points with the highest P(all met) of {len(results)} "
            f"(all of them in {SUMMARY}):"
        )
    width = {k: max(8, *(len(_fmt_value(e["params"][k])) for e in shown)) for k in factors}
    head = f"{'point':>5} " + "".join(
        f"{'x' + str(j + 1):>{width[k] + 1}}" for j, k in enumerate(factors)
    )
    head += f"{'n':>5} " + "".join(f"{short[t]:>5}" for t in targets)
    lines += [head, "-" * len(head)]
    for e in shown:
        line = f"{e['point_id']:>5} " + "".join(
            f"{_fmt_value(e['params'][k]):>{width[k] + 1}}" for k in factors
        )
        line += f"{e['targets']['all']['n']:>5} "
        for t in targets:
            p = e["targets"][t]["p_met"]
            line += f"{'-' if p is None else f'{p:.2f}':>5}"
        lines.append(line)
    lines.append(
        f"P(met) over each point's successful runs; 95 % Clopper-Pearson intervals in {SUMMARY}"
    )
    return "\n".join(lines)


def _fmt_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)
