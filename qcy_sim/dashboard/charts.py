"""The dashboard's figures, drawn with matplotlib's object API (no pyplot: the server is threaded).

* :func:`fan_grid`: one panel per KPI, median with 50 % and 90 % bands over replicates, the
  target and its deadline; a second scenario is drawn over the first in another colour.
* :func:`pmet_figure`: P(met) per target with its 95 % interval, side by side for two scenarios.
* :func:`spending_figure`: median spending by category (one per lever that pays) over the run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..scenario import Scenario
from ..schema import KPIS

__all__ = ["fan_grid", "pmet_figure", "spending_figure", "COLOURS"]

# First and second scenario.
COLOURS = ("#1f5fa8", "#e07b00")
_TARGET = "#222222"  # targets in black: the scenarios have the colours


def _title(kpi: str) -> str:
    return kpi.replace("_", " ")


def fan_grid(
    kpis: list[np.ndarray], scenarios: list[Scenario], labels: list[str], columns: int = 4
) -> Figure:
    """Fan charts of every KPI for one or two scenarios.

    Args:
        kpis: Per scenario, the ``(replicates, months + 1, 13)`` KPI array.
        scenarios: The scenarios; the first one's targets are drawn.
        labels: Legend label per scenario.
        columns: Panels per row.
    """
    rows = -(-len(KPIS) // columns)
    fig = Figure(figsize=(3.2 * columns, 2.3 * rows), dpi=80)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.04, top=0.96, wspace=0.28, hspace=0.45)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    ref = scenarios[0]
    targets = {t.kpi: t for t in ref.targets}
    for j, kpi in enumerate(KPIS):
        ax = axes[j]
        for values, colour, label in zip(kpis, COLOURS, labels, strict=False):
            v = values[:, :, j]
            months = np.arange(v.shape[1])
            q = np.percentile(v, [5, 25, 50, 75, 95], axis=0)
            ax.fill_between(months, q[0], q[4], color=colour, alpha=0.15, lw=0)
            ax.fill_between(months, q[1], q[3], color=colour, alpha=0.3, lw=0)
            ax.plot(months, q[2], color=colour, lw=1.6, label=label)
        t = targets.get(kpi)
        if t is not None:
            ax.axhline(t.threshold, color=_TARGET, lw=1, ls="--")
            if t.tolerance > 0:
                ax.axhline(t.threshold * (1 - t.tolerance), color=_TARGET, lw=0.7, ls=":")
            ax.axvline(ref.target_month(t), color="#555555", lw=0.8, ls=":")
        ax.set_title(_title(kpi), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.25)
    for ax in axes[len(KPIS) :]:
        ax.axis("off")
    legend = axes[len(KPIS)] if len(axes) > len(KPIS) else axes[0]
    handles, names = axes[0].get_legend_handles_labels()
    handles += [
        axes[0].plot([], [], color=_TARGET, ls="--", lw=1)[0],
        axes[0].plot([], [], color="#555555", ls=":", lw=0.8)[0],
    ]
    names += ["target", "deadline"]
    legend.legend(handles, names, loc="center", fontsize=8, frameon=False)
    return fig


def pmet_figure(entries: list[dict[str, Any]], labels: list[str]) -> Figure:
    """Horizontal bars of P(met) with 95 % intervals.

    Args:
        entries: Per scenario, ``{kpi: {"p_met", "ci_low", "ci_high"}}`` (the targets of a
            ``summary.json``, or one mix's column of a comparison).
        labels: Legend label per scenario.
    """
    kpis = [k for k in entries[0]]
    n = len(entries)
    fig = Figure(figsize=(5.2, 0.32 * len(kpis) + 0.9), dpi=80, layout="constrained")
    ax = fig.subplots()
    height = 0.8 / n
    y = np.arange(len(kpis))
    for i, (entry, colour, label) in enumerate(zip(entries, COLOURS, labels, strict=False)):
        p = np.array([entry[k]["p_met"] for k in kpis])
        lo = np.array([entry[k]["ci_low"] for k in kpis])
        hi = np.array([entry[k]["ci_high"] for k in kpis])
        pos = y - 0.4 + height * (i + 0.5)
        ax.barh(pos, p, height=height, color=colour, alpha=0.8, label=label)
        ax.errorbar(p, pos, xerr=[p - lo, hi - p], fmt="none", ecolor="#222222", lw=0.8)
    ax.set_yticks(y, [_title(k) for k in kpis], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("P(target met by its deadline), 95 % interval", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", alpha=0.3)
    if n > 1:
        ax.legend(fontsize=7, loc="lower right")
    return fig


def spending_figure(
    by_category: list[dict[str, float]], labels: list[str], top: int = 15
) -> Figure:
    """Median spending over the run by category, the largest ``top`` of the first scenario.

    Args:
        by_category: Per scenario, ``spending_cny_million.by_category_median`` of a summary.
        labels: Legend label per scenario.
        top: Categories shown.
    """
    names = sorted(by_category[0], key=lambda c: -by_category[0][c])[:top]
    names = [c for c in names if any(b.get(c, 0) > 0 for b in by_category)] or names[:1]
    n = len(by_category)
    fig = Figure(figsize=(5.2, 0.3 * len(names) + 0.9), dpi=80, layout="constrained")
    ax = fig.subplots()
    height = 0.8 / n
    y = np.arange(len(names))
    for i, (b, colour, label) in enumerate(zip(by_category, COLOURS, labels, strict=False)):
        ax.barh(
            y - 0.4 + height * (i + 0.5),
            [b.get(c, 0.0) for c in names],
            height=height,
            color=colour,
            alpha=0.8,
            label=label,
        )
    ax.set_yticks(y, [_title(c) for c in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("median spending over the run, million CNY", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", alpha=0.3)
    if n > 1:
        ax.legend(fontsize=7, loc="lower right")
    return fig
