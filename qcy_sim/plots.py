"""Figures. The only module that imports matplotlib (the model core never does)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files, not windows: results are written on headless machines
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .scenario import month_label  # noqa: E402
from .schema import KPIS  # noqa: E402
from .uncertainty import design_words  # noqa: E402

__all__ = ["fan_chart", "write_fan_charts"]

_TITLES = {
    "high_level_talents": "High-level talents in key chains (since 2022)",
    "innovation_talents": "Innovation & entrepreneurship talents (residents + flexible)",
    "high_end_talents": "High-end talents in key chains (since 2022)",
    "tech_brokers": "Technology brokers",
    "scientist_engineer_teams": "Scientist + engineer teams",
    "shuangchuang_teams": "New innovation & entrepreneurship (shuangchuang) teams",
    "innovation_carriers": "Innovation carriers built since 2022",
    "pilot_bases": "Pilot bases & proof-of-concept centres built",
    "new_rd_institutions": "New R&D institutions built",
    "common_tech_platforms": "Common-technology platforms built",
    "student_spaces": "Student entrepreneurship spaces built",
    "shared_research_centers": "Shared research centres built",
    "reform_cases": "Reform cases promoted",
}


def fan_chart(rep, kpi: str, ax=None):
    """Median, 50 % and 90 % bands of one KPI across replicates, with its target and deadline.

    With drawn parameters the bands are predictive: over every draw and seed together (the
    title names the mode and the design). Returns the matplotlib Figure.
    """
    if kpi not in KPIS:
        raise ValueError(f"unknown KPI {kpi!r}; expected one of {', '.join(KPIS)}")
    values = rep.kpi[:, :, KPIS.index(kpi)]
    months = np.arange(values.shape[1])
    q = np.percentile(values, [5, 25, 50, 75, 95], axis=0)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    else:
        fig = ax.figure
    design = rep.parameters
    band = "band" if design.setup.fixed else "predictive band"
    ax.fill_between(months, q[0], q[4], color="#9ecae1", alpha=0.6, lw=0, label=f"90 % {band}")
    ax.fill_between(months, q[1], q[3], color="#4292c6", alpha=0.6, lw=0, label=f"50 % {band}")
    ax.plot(months, q[2], color="#08306b", lw=2, label="median")
    sc = rep.scenario
    for t in sc.targets:
        if t.kpi != kpi:
            continue
        d = sc.target_month(t)
        ax.axhline(t.threshold, color="#d62728", lw=1.2, ls="--", label=f"target {t.threshold:g}")
        if t.tolerance > 0:
            ax.axhline(t.threshold * (1 - t.tolerance), color="#d62728", lw=0.8, ls=":")
        ax.axvline(d, color="#555555", lw=1, ls=":", label=f"deadline {t.deadline}")
    start = sc.params.time.start
    ticks = [m for m in months if m % 6 == 0]
    ax.set_xticks(ticks, [month_label(start, m) for m in ticks], rotation=30, ha="right")
    ax.set_xlim(0, months[-1])
    ax.set_ylim(bottom=0)
    ax.set_title(
        f"{_TITLES.get(kpi, kpi)} — {sc.name}, {rep.n} replicates\n"
        f"parameters {design_words(design.record())}",
        fontsize=10,
    )
    ax.set_ylabel(kpi)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def write_fan_charts(rep, folder: str | Path) -> list[Path]:
    """One PNG fan chart per KPI in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kpi in KPIS:
        fig = fan_chart(rep, kpi)
        path = folder / f"{kpi}.png"
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths
