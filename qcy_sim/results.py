"""From replicate arrays to tables, target probabilities and files on disk.

``met`` means: the KPI's value at the end of the deadline month is at least
``threshold x (1 - tolerance)``. ``month_met`` is the first month in which that held (it may lie
before the deadline; a stock such as talents can fall back below it later).
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from .indicators import COUNTINGS, DEFAULT_COUNTING, counted_column
from .mechanisms.funding import budget_lines
from .model import PUBLIC_FUNDS, SERIES, SPENDING
from .outputs import write_folder, write_json
from .policy import LEVERS_IN_ORDER
from .scenario import Target, month_label
from .schema import KPIS

__all__ = [
    "clopper_pearson",
    "target_outcomes",
    "summarise",
    "timeseries_frame",
    "runs_frame",
    "write_outputs",
    "provenance",
    "month_met_distribution",
    "month_met_summary",
    "milestone_outcomes",
    "milestone_probability",
    "MONTH_MET_QUANTILES",
    "COUNTING_WORDS",
    "counting_of",
    "net_public_cost",
    "draw_columns",
    "format_summary",
]

# Quantiles of the first month met reported in summary.json (never-met replicates count as later
# than any month, so a quantile is null when more than that share never met the target).
MONTH_MET_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def clopper_pearson(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial confidence interval for a proportion."""
    if n <= 0:
        return 0.0, 1.0
    alpha = 1.0 - level
    lo = 0.0 if successes == 0 else float(stats.beta.ppf(alpha / 2, successes, n - successes + 1))
    hi = (
        1.0
        if successes == n
        else float(stats.beta.ppf(1 - alpha / 2, successes + 1, n - successes))
    )
    return lo, hi


def target_outcomes(
    kpi: np.ndarray, target: Target, deadline_month: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each replicate: met at the deadline (bool) and first month met (-1 if never).

    Args:
        kpi: ``(replicates, months + 1)`` values of the target's KPI.
        target: The target.
        deadline_month: Month index of the deadline.
    """
    level = target.threshold * (1.0 - target.tolerance)
    reached = kpi >= level
    reached[:, 0] = False  # month 0 is the state before the plan
    met = reached[:, deadline_month]
    first = np.where(reached.any(axis=1), reached.argmax(axis=1), -1)
    return met, first


COUNTING_WORDS = {
    "stock": "present at the deadline, whenever they came",
    "gained": "present at the deadline and added since the start",
    "cumulative": "everything added since the start, including what has since gone",
}


def counting_of(target: Target) -> str:
    """The counting a target judges: its own, or its KPI's default."""
    return target.counting or DEFAULT_COUNTING[target.kpi]


def _median_month(first: np.ndarray) -> int | None:
    """Median first month met, counting never-met replicates as later than any month."""
    n = first.shape[0]
    if n == 0:
        return None
    order = np.sort(np.where(first < 0, np.iinfo(np.int64).max, first))
    med = order[(n - 1) // 2]
    return None if med == np.iinfo(np.int64).max else int(med)


def _counted(rep, kpi: str, counting: str) -> np.ndarray:
    """``(replicates, months + 1)`` values of a KPI in one counting."""
    return rep.series[:, :, SERIES.index(counted_column(kpi, counting))]


def summarise(rep) -> dict[str, Any]:
    """The ``summary.json`` content of a :class:`~qcy_sim.runner.Replicates`."""
    sc = rep.scenario
    n = rep.n
    design = rep.parameters
    all_met = np.ones(n, dtype=bool)
    targets = {}
    for t in sc.targets:
        j = KPIS.index(t.kpi)
        m = sc.target_month(t)
        met, first = target_outcomes(rep.kpi[:, :, j], t, m)
        all_met &= met
        lo, hi = clopper_pearson(int(met.sum()), n)
        med = _median_month(first)
        targets[t.kpi] = {
            "threshold": t.threshold,
            "tolerance": t.tolerance,
            "deadline": t.deadline,
            "p_met": float(met.mean()),
            "ci_low": lo,
            "ci_high": hi,
            "median_month_met": None if med is None else month_label(sc.params.time.start, med),
            "median_final": float(np.median(rep.kpi[:, -1, j])),
            "variance_share_parameters": design.variance_share(rep.kpi[:, -1, j]),
            "median_at_deadline": float(np.median(rep.kpi[:, m, j])),
            "counting": counting_of(t),
            "counting_words": COUNTING_WORDS[counting_of(t)],
            "p_met_by_counting": {
                c: float(target_outcomes(_counted(rep, t.kpi, c), t, m)[0].mean())
                for c in COUNTINGS
            },
            "median_at_deadline_by_counting": {
                c: float(np.median(_counted(rep, t.kpi, c)[:, m])) for c in COUNTINGS
            },
        }
    lo, hi = clopper_pearson(int(all_met.sum()), n)
    month_met = month_met_summary(rep)
    milestones: dict[str, dict[str, Any]] = {}
    for ms in sc.milestones:
        milestones.setdefault(ms.kpi, {})[ms.month] = milestone_probability(
            rep, ms.kpi, ms.month, ms.threshold, sc.milestone_tolerance(ms.kpi)
        )
    total = rep.spending.sum(axis=(1, 2))
    public = rep.spending[:, :, _public_columns()].sum(axis=(1, 2))
    net = net_public_cost(rep)
    return {
        "scenario": sc.name,
        "config_hash": sc.config_hash,
        "replicates": n,
        "base_seed": rep.base_seed,
        "parameters": design.record(),
        "p_all_met": float(all_met.mean()),
        "p_all_met_ci": [lo, hi],
        "targets": targets,
        "spending_cny_million": {
            "median_total": float(np.median(total)),
            "median_public": float(np.median(public)),
            "net_public_cost_median": float(np.median(net)),
            "by_lever_median": {
                spec.lever: float(
                    np.median(rep.spending[:, :, _lever_columns(spec)].sum(axis=(1, 2)))
                )
                for spec in LEVERS_IN_ORDER
            },
            "by_category_median": {
                c: float(np.median(rep.spending[:, :, j].sum(axis=1)))
                for j, c in enumerate(SPENDING)
            },
            "by_year_median": _spending_by_year(rep),
        },
        "month_met_distribution": month_met,
        **({"milestones": milestones} if milestones else {}),
    }


def month_met_distribution(
    first: np.ndarray, start: str, deadline_month: int | None = None
) -> dict[str, Any]:
    """Distribution over replicates of the first month a target is met.

    Args:
        first: Per replicate, the first month index met (1 = ``start``), -1 if never.
        start: ``time.start`` of the scenario (``YYYY-MM``).
        deadline_month: Month index of the deadline; adds ``first_met_by_deadline``.

    Returns:
        ``n``, ``never_met``, ``quantiles`` (``p10`` ... ``p90`` as ``YYYY-MM`` or null: never-met
        replicates count as later than any month, and the order statistic at
        ``floor(q (n - 1))`` is taken, so ``p50`` equals ``median_month_met``), ``histogram``
        (``{YYYY-MM: count}`` of the months in which some replicate first met it) and ``by_year``
        (``{YYYY: count, "never": count}``).
    """
    first = np.asarray(first, dtype=np.int64)
    n = int(first.shape[0])
    never = int((first < 0).sum())
    big = np.iinfo(np.int64).max
    order = np.sort(np.where(first < 0, big, first))
    quantiles: dict[str, str | None] = {}
    for q in MONTH_MET_QUANTILES:
        key = f"p{round(q * 100):02d}"
        if n == 0:
            quantiles[key] = None
            continue
        v = order[int(np.floor(q * (n - 1)))]
        quantiles[key] = None if v == big else month_label(start, int(v))
    months, counts = np.unique(first[first >= 0], return_counts=True)
    histogram = {month_label(start, int(m)): int(c) for m, c in zip(months, counts, strict=True)}
    by_year: dict[str, int] = {}
    for label, c in histogram.items():
        by_year[label[:4]] = by_year.get(label[:4], 0) + c
    by_year["never"] = never
    out: dict[str, Any] = {
        "n": n,
        "never_met": never,
        "quantiles": quantiles,
        "histogram": histogram,
        "by_year": by_year,
    }
    if deadline_month is not None:
        out["first_met_by_deadline"] = int(((first >= 1) & (first <= deadline_month)).sum())
    return out


def month_met_summary(rep) -> dict[str, dict[str, Any]]:
    """:func:`month_met_distribution` of every target of a :class:`~qcy_sim.runner.Replicates`."""
    sc = rep.scenario
    out = {}
    for t in sc.targets:
        m = sc.target_month(t)
        _, first = target_outcomes(rep.kpi[:, :, KPIS.index(t.kpi)], t, m)
        out[t.kpi] = month_met_distribution(first, sc.params.time.start, m)
    return out


def milestone_outcomes(
    kpi: np.ndarray, month: int, threshold: float, tolerance: float = 0.0
) -> np.ndarray:
    """Per replicate: is the KPI at least ``threshold x (1 - tolerance)`` at the end of ``month``?

    Args:
        kpi: ``(replicates, months + 1)`` values of one KPI.
        month: Month index (1 = ``time.start``).
        threshold: The milestone's value.
        tolerance: Relative shortfall still counted as met (as for targets).
    """
    if not 1 <= month < kpi.shape[1]:
        raise ValueError(f"month {month} is outside the simulated months 1..{kpi.shape[1] - 1}")
    return kpi[:, month] >= threshold * (1.0 - tolerance)


def milestone_probability(
    rep, kpi: str, month: str, threshold: float, tolerance: float = 0.0, level: float = 0.95
) -> dict[str, Any]:
    """P(KPI >= threshold at the end of ``month``) with its exact (Clopper-Pearson) interval.

    Scenario files declare milestones as ``[milestones.<kpi>]`` tables of ``"YYYY-MM" = value``;
    :func:`summarise` reports each under ``milestones``.

    Args:
        rep: A :class:`~qcy_sim.runner.Replicates`.
        kpi: KPI id.
        month: ``YYYY-MM``, within the simulated horizon.
        threshold: Milestone value.
        tolerance: Relative shortfall still counted as met.
        level: Confidence level of the interval.
    """
    from .scenario import month_index

    if kpi not in KPIS:
        raise ValueError(f"unknown KPI {kpi!r}; expected one of {', '.join(KPIS)}")
    m = month_index(rep.scenario.params.time.start, month)
    met = milestone_outcomes(rep.kpi[:, :, KPIS.index(kpi)], m, threshold, tolerance)
    s = int(met.sum())
    lo, hi = clopper_pearson(s, len(met), level)
    return {
        "kpi": kpi,
        "month": month,
        "threshold": float(threshold),
        "tolerance": tolerance,
        "successes": s,
        "n": int(len(met)),
        "p_met": s / len(met) if len(met) else None,
        "ci_low": lo,
        "ci_high": hi,
    }


def _spending_by_year(rep) -> dict[str, dict[str, float]]:
    """Median spending of each category in each calendar year (million CNY)."""
    start = rep.scenario.params.time.start
    years = np.array([int(month_label(start, m)[:4]) for m in range(rep.spending.shape[1])])
    out = {}
    for year in np.unique(years[1:]):
        cols = rep.spending[:, years == year, :].sum(axis=1)  # (replicates, categories)
        out[str(year)] = {c: float(np.median(cols[:, j])) for j, c in enumerate(SPENDING)}
        out[str(year)]["total"] = float(np.median(cols.sum(axis=1)))
    return out


def _public_columns() -> list[int]:
    """Spending categories paid with public money: every lever's, and the public funds' stakes."""
    lines = budget_lines()
    return [i for i, c in enumerate(SPENDING) if lines[SPENDING[c]] in PUBLIC_FUNDS]


def _lever_columns(spec) -> list[int]:
    return [list(SPENDING).index(c) for c in spec.spending]


def net_public_cost(rep) -> np.ndarray:
    """Per replicate: public spending less what the public funds recover or still hold.

    Gross public spending counts the levers' spending and the public funds' stakes at cost; the
    recovered value is the proceeds of stakes sold plus the book value of the stakes still held
    at the end; risk compensation paid to a public fund is a transfer within the public purse and
    is counted once.
    """
    col = {name: SERIES.index(name) for name in SERIES}
    gross = rep.spending[:, :, _public_columns()].sum(axis=(1, 2))
    proceeds = rep.series[:, :, col["public_proceeds"]].sum(axis=1)
    book = rep.series[:, -1, col["public_book_value"]]
    transfers = rep.series[:, :, col["public_compensation"]].sum(axis=1)
    return gross - proceeds - book - transfers


def timeseries_frame(rep):
    """Tidy monthly table: one row per (replicate, month)."""
    import pandas as pd

    r, h1, _ = rep.kpi.shape
    start = rep.scenario.params.time.start
    cols: dict[str, Any] = {
        "replicate": np.repeat(np.arange(r), h1),
        "seed": np.repeat(np.array(rep.seeds, dtype=np.uint64), h1),
        "month": np.tile(np.arange(h1), r),
        "date": np.tile(np.array([month_label(start, m) for m in range(h1)]), r),
    }
    for j, name in enumerate(KPIS):
        cols[name] = rep.kpi[:, :, j].reshape(-1).astype(np.int64)
    for j, name in enumerate(SERIES):
        cols[name] = rep.series[:, :, j].reshape(-1)
    for j, name in enumerate(SPENDING):
        cols[f"spend_{name}_cny_million"] = rep.spending[:, :, j].reshape(-1)
    if rep.design is not None and not rep.design.setup.fixed:
        cols["draw"] = np.repeat(np.arange(r) // rep.design.seeds_per_draw, h1)
    return pd.DataFrame(cols)


def draw_columns(design, n: int) -> dict[str, np.ndarray]:
    """``draw`` and one ``param.<key>`` column per drawn parameter, one row per replicate.

    Empty under ``fixed`` (the tables are then today's).
    """
    if design is None or design.setup.fixed:
        return {}
    cols: dict[str, np.ndarray] = {"draw": np.arange(n, dtype=np.int64) // design.seeds_per_draw}
    overlays = [design.overlay(j) for j in range(n)]
    for key in design.drawn_keys:
        cols[f"param.{key}"] = np.array([o[key] for o in overlays], dtype=float)
    return cols


def runs_frame(rep):
    """One row per replicate: seed, final KPIs, per-target outcome, spending totals."""
    import pandas as pd

    sc = rep.scenario
    cols: dict[str, Any] = {
        "replicate": np.arange(rep.n),
        "seed": np.array(rep.seeds, dtype=np.uint64),
    }
    for j, name in enumerate(KPIS):
        cols[name] = rep.kpi[:, -1, j].astype(np.int64)
    all_met = np.ones(rep.n, dtype=bool)
    for t in sc.targets:
        met, first = target_outcomes(rep.kpi[:, :, KPIS.index(t.kpi)], t, sc.target_month(t))
        cols[f"met_{t.kpi}"] = met
        cols[f"month_met_{t.kpi}"] = first
        all_met &= met
    cols["met_all"] = all_met
    cols["total_spending_cny_million"] = rep.spending.sum(axis=(1, 2))
    cols["public_spending_cny_million"] = rep.spending[:, :, _public_columns()].sum(axis=(1, 2))
    for j, name in enumerate(SPENDING):
        cols[f"spend_{name}_cny_million"] = rep.spending[:, :, j].sum(axis=1)
    cols.update(draw_columns(rep.design, rep.n))
    return pd.DataFrame(cols)


def provenance(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Versions and machine facts recorded with every result."""
    import numba

    from . import __version__

    out = {
        "package": "qcy_sim",
        "version": __version__,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "numba": numba.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "command": " ".join(sys.argv),
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    out.update(extra or {})
    return out


def write_outputs(
    rep,
    out_dir: str | Path,
    manifest_extra: dict[str, Any],
    figures: bool = True,
    summary_extra: dict[str, Any] | None = None,
):
    """Write tables, summary, manifest and figures to ``out_dir`` atomically.

    Everything is written into a sibling temporary folder, which replaces ``out_dir`` only when
    complete; ``manifest.json`` is written last. A run killed before that leaves ``out_dir`` as it
    was (and a ``.tmp-`` folder that the next run removes).
    """

    def build(tmp: Path) -> dict[str, Any]:
        rep.timeseries().to_parquet(tmp / "timeseries.parquet", index=False)
        rep.runs().to_parquet(tmp / "runs.parquet", index=False)
        summary = rep.summary()
        summary.update(summary_extra or {})
        write_json(tmp / "summary.json", summary)
        if figures:
            from .plots import write_fan_charts

            write_fan_charts(rep, tmp / "figures")
        manifest = provenance(
            {
                "scenario": rep.scenario.name,
                "scenario_path": rep.scenario.path,
                "config_hash": rep.scenario.config_hash,
                "base_seed": rep.base_seed,
                "replicates": rep.n,
                "seeds": list(rep.seeds),
                "scenario_resolved": rep.scenario.to_dict(),
            }
        )
        manifest.update(manifest_extra)
        write_json(tmp / "manifest.json", manifest)
        return summary

    return write_folder(out_dir, build)


def format_summary(summary: dict) -> str:
    """The target table printed after a run."""
    head = f"{'target':<26}{'threshold':>10}  {'deadline':<9}{'P(met)':>7}  {'95% CI':<13}"
    head += f"{'median met':<11}{'median final':>13}{'param. share':>13}"
    lines = [f"{summary['scenario']}: {summary['replicates']} replicates{_design_words(summary)}"]
    if not summary["targets"]:
        lines.append(
            "no targets: the scenario defines none, so no P(met) is reported "
            "(add [targets.<kpi>] tables with threshold and deadline)"
        )
        spend = summary["spending_cny_million"]
        lines.append(
            f"median spending: {spend['median_public']:,.0f} million CNY public, "
            f"{spend['median_total']:,.0f} million CNY with venture capital"
        )
        return "\n".join(lines)
    lines += [head, "-" * len(head)]
    for kpi, t in summary["targets"].items():
        ci = f"[{t['ci_low']:.2f}, {t['ci_high']:.2f}]"
        med = t["median_month_met"] or "not met"
        share = t.get("variance_share_parameters")
        lines.append(
            f"{kpi:<26}{t['threshold']:>10g}  {t['deadline']:<9}{t['p_met']:>7.2f}  {ci:<13}"
            f"{med:<11}{t['median_final']:>13,.0f}{'-' if share is None else f'{share:.2f}':>13}"
        )
    lo, hi = summary["p_all_met_ci"]
    lines.append("-" * len(head))
    lines.append(
        f"{'all targets':<26}{'':>10}  {'':<9}{summary['p_all_met']:>7.2f}  [{lo:.2f}, {hi:.2f}]"
    )
    spend = summary["spending_cny_million"]
    lines.append(
        f"median spending: {spend['median_public']:,.0f} million CNY public, "
        f"{spend['median_total']:,.0f} million CNY with venture capital"
    )
    lines.append(
        "param. share: the share of the final value's variance due to the parameters "
        "(the rest is the model's noise; - when it cannot be estimated)"
    )
    return "\n".join(lines)


def _design_words(summary: dict) -> str:
    """`` (parameters: prior, 5 draws x 4 seeds)`` for the first line of the table."""
    from .uncertainty import design_words

    p = summary.get("parameters")
    return f" (parameters: {design_words(p)})" if p else ""
