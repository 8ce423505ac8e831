"""Scenario discovery with PRIM: under which levers and uncertainties is a target missed?

``qcy discover SWEEP_DIR --target KPI`` runs the Patient Rule Induction Method (Friedman &
Fisher 1999, as used for scenario discovery by Bryant & Lempert 2010) over a finished sweep:
the cases of interest are the runs in which the target was **missed** (``met_<kpi>`` false), the
inputs are the sweep's factors (levers and uncertain parameters). PRIM peels the input space
down to boxes — ranges of a few factors — in which misses are concentrated:

* **coverage**: the share of all misses that fall in the box;
* **density**: the share of runs in the box that are misses;
* **restricted ranges**: the factors the box limits, with their quasi-p values (a one-sided
  binomial test that the restriction matters).

PRIM itself is the ``prim`` package (the standalone version of EMA Workbench's PRIM, itself from
RAND's sdtoolkit). It is GPL-3.0, so it is an optional extra (``pip install 'qcy_sim[prim]'``)
of this MIT package: without it, ``qcy discover`` says so and exits with code 2. Each box's
peeling trajectory is a coverage-density trade-off; the box reported is the step with the
highest F1 score (harmonic mean of coverage and density: the box that best separates misses
from the rest), or with ``--min-density`` the step of largest coverage whose density reaches it.
Further boxes are searched in the runs outside the earlier ones, until ``--boxes`` boxes or
until a box is no denser than the misses left outside the boxes.

By default every successful run is a case (replicates of a point are separate cases, so density
below 1 can reflect replicate noise); ``--by point`` uses one case per point, a miss when the
point's share of missing runs is at least ``--threshold`` (default 0.5).
"""

from __future__ import annotations

import importlib
import math
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..scenario import ConfigError, _describe
from ._io import md_table, read_json, save_figure, sweep_folder, write_folder, write_json

__all__ = [
    "require_prim",
    "prim_boxes",
    "discover",
    "write_discovery",
    "discover_markdown",
    "discover_figure",
    "format_discovery",
    "load_discovery",
]


def require_prim():
    """The optional ``prim`` package, or a :class:`ConfigError` saying how to install it."""
    try:
        return importlib.import_module("prim")
    except ImportError:
        raise ConfigError(
            "qcy discover",
            "prim",
            "the optional PRIM package, GPL-3.0 (install it with: pip install 'qcy_sim[prim]')",
            "it is not installed",
        ) from None


def _select_step(traj, min_density: float | None) -> int:
    cov = traj["coverage"].to_numpy(dtype=float)
    den = traj["density"].to_numpy(dtype=float)
    if min_density is not None:
        ok = np.flatnonzero(den >= min_density)
        if len(ok):
            return int(ok[np.argmax(cov[ok])])
        return int(np.argmax(den))
    f1 = np.where(cov + den > 0, 2 * cov * den / np.maximum(cov + den, 1e-300), 0.0)
    return int(np.argmax(f1))


def _limit(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _in_box(x, lims, skip: str | None = None) -> np.ndarray:
    """Rows of ``x`` inside box limits ``lims`` (a 2-row record array: min, max)."""
    mask = np.ones(len(x), dtype=bool)
    for col in x.columns:
        if col == skip:
            continue
        lo, hi = lims[col][0], lims[col][1]
        values = x[col].to_numpy()
        if isinstance(lo, set | frozenset):
            mask &= np.array([v in lo for v in values], dtype=bool)
        else:
            mask &= (values >= lo) & (values <= hi)
    return mask


def _restrictions(x, y, remaining, lims, init, full) -> dict[str, dict[str, Any]]:
    """The factors a box restricts, with their ranges and quasi-p values.

    Read from the box limits rather than ``PrimBox.limits``, which fails on pandas >= 3 for
    categorical restrictions. The quasi-p value of a restriction (Bryant & Lempert 2010) is the
    one-sided binomial probability of the box's cases of interest if the restriction were dropped:
    ``P(Binomial(T_box, H_j / T_j) >= H_box)`` with ``T``, ``H`` the cases and the cases of
    interest (among those outside earlier boxes) in the box and in the box without restriction j.
    """
    from scipy.stats import binom

    inside = _in_box(x, lims) & remaining
    t_box, h_box = int(inside.sum()), int(y[inside].sum())
    out: dict[str, dict[str, Any]] = {}
    for col in x.columns:
        lo, hi = lims[col][0], lims[col][1]
        ilo, ihi = init[col][0], init[col][1]
        if isinstance(lo, set | frozenset):
            if set(lo) == set(ilo):
                continue
        elif lo == ilo and hi == ihi:
            continue
        wider = _in_box(x, lims, skip=col) & remaining
        t_j, h_j = int(wider.sum()), int(y[wider].sum())
        qp = float(binom.sf(h_box - 1, t_box, h_j / t_j)) if t_j else None
        if isinstance(lo, set | frozenset):
            out[str(col)] = {"values": _limit(lo), "full": full[col], "qp_value": qp}
        else:
            out[str(col)] = {
                "min": _limit(lo),
                "max": _limit(hi),
                "full_min": full[col]["min"],
                "full_max": full[col]["max"],
                "qp_value": qp,
            }
    return dict(
        sorted(out.items(), key=lambda kv: (kv[1]["qp_value"] is None, kv[1]["qp_value"] or 0.0))
    )


def prim_boxes(
    x,
    y: np.ndarray,
    *,
    max_boxes: int = 3,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_density: float | None = None,
) -> dict[str, Any]:
    """PRIM boxes of the cases of interest ``y`` over the inputs ``x``.

    Args:
        x: A pandas DataFrame of inputs (float or int columns are ranges, object or bool
            columns are categories).
        y: Boolean cases of interest, one per row of ``x``.
        max_boxes: Boxes to search at most.
        peel_alpha: Share of the box peeled at each step.
        paste_alpha: Share pasted back at each step.
        mass_min: Smallest box, as a share of all cases.
        min_density: Report the step of largest coverage with at least this density
            (default: the step of highest F1, the harmonic mean of coverage and density).

    Returns:
        ``n``, ``cases_of_interest``, ``base_rate``, ``boxes`` (each with ``coverage``,
        ``density``, ``mass``, ``res_dim``, ``limits`` and its ``trajectory``) and ``stopped``
        (why the search ended).
    """
    import logging

    prim = require_prim()

    from ..plots import plt  # noqa: F401 - the Agg backend before prim imports pyplot

    logging.getLogger("prim").setLevel(logging.WARNING)
    y = np.asarray(y, dtype=bool)
    n, coi = int(len(y)), int(y.sum())
    out: dict[str, Any] = {
        "n": n,
        "cases_of_interest": coi,
        "base_rate": coi / n if n else None,
        "boxes": [],
    }
    if coi == 0 or coi == n:
        out["stopped"] = (
            "no case of interest: nothing to discover"
            if coi == 0
            else "every case is of interest: no box can separate them"
        )
        return out
    x = x.reset_index(drop=True).copy()
    for col in x.columns:
        if x[col].dtype == bool or x[col].dtype == object or str(x[col].dtype) in ("string", "str"):
            x[col] = x[col].astype(object)
        elif np.issubdtype(x[col].dtype, np.integer):
            x[col] = x[col].astype(np.int64)
        else:
            x[col] = x[col].astype(float)
    full = {}
    for col in x.columns:
        if x[col].dtype == object:
            full[col] = {"values": sorted({_limit(v) for v in x[col]}, key=str)}
        else:
            full[col] = {"min": _limit(x[col].min()), "max": _limit(x[col].max())}
    p = prim.Prim(
        x, y.astype(int), peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min
    )
    stopped = f"{max_boxes} boxes found (--boxes)"
    inside = np.zeros(n, dtype=bool)  # cases in the boxes reported so far
    for b in range(max_boxes):
        remaining = int((~inside).sum())
        left_coi = int(y[~inside].sum())
        if left_coi == 0:
            stopped = "every case of interest is inside a box"
            break
        box = p.find_box()
        if box is None:
            stopped = "no data left outside the boxes"
            break
        traj = box.peeling_trajectory.reset_index(drop=True)
        step = _select_step(traj, min_density)
        box.select(step)
        remaining_rate = left_coi / remaining if remaining else 0.0
        limits = _restrictions(x, y, ~inside, box._box_lims[step], box._box_lims[0], full)
        stats = traj.iloc[step]
        entry = {
            "box": b + 1,
            "selected_step": step,
            "coverage": float(stats["coverage"]),
            "density": float(stats["density"]),
            "mass": float(stats["mass"]),
            "res_dim": int(stats["res dim"]),
            "base_rate_outside_earlier_boxes": remaining_rate,
            "limits": limits,
            "trajectory": [
                {
                    "step": i,
                    "coverage": float(r["coverage"]),
                    "density": float(r["density"]),
                    "mass": float(r["mass"]),
                    "res_dim": int(r["res dim"]),
                }
                for i, r in traj.iterrows()
            ],
        }
        if entry["density"] <= remaining_rate or not limits:
            stopped = (
                f"box {b + 1} was no denser than the cases left outside the earlier boxes "
                f"({entry['density']:.2f} vs {remaining_rate:.2f}); it is not reported"
            )
            break
        out["boxes"].append(entry)
        inside[np.asarray(box.yi, dtype=np.int64)] = True
    out["stopped"] = stopped
    out["full_ranges"] = full
    return out


def discover(
    sweep_dir: str | Path,
    target: str,
    *,
    by: str = "run",
    threshold: float = 0.5,
    max_boxes: int = 3,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_density: float | None = None,
) -> dict[str, Any]:
    """The content of ``discover.json``: PRIM on "target missed" over a sweep's factors.

    Args:
        sweep_dir: A complete sweep folder.
        target: A recorded target KPI, or ``all`` (some target missed).
        by: ``run`` (every successful run is a case) or ``point`` (one case per point).
        threshold: With ``by="point"``: a point is a miss when its share of missing runs is at
            least this.
        max_boxes: As for :func:`prim_boxes`.
        peel_alpha: As for :func:`prim_boxes`.
        paste_alpha: As for :func:`prim_boxes`.
        mass_min: As for :func:`prim_boxes`.
        min_density: As for :func:`prim_boxes`.
    """
    import pandas as pd

    require_prim()  # before reading anything: say what is missing first
    sweep_dir, manifest = sweep_folder(sweep_dir)
    exp = manifest["experiment"]
    recorded = list(exp["targets"])
    if target != "all" and target not in recorded:
        raise ConfigError(
            "command line",
            "--target",
            f"a target the sweep records (one of {', '.join([*recorded, 'all'])})",
            repr(target),
        )
    if by not in ("run", "point"):
        raise ConfigError("command line", "--by", "run or point", repr(by))
    factors = [f for f in exp["factors"] if f["role"] in ("lever", "uncertain", "listed")]
    if not factors:
        raise ConfigError(
            sweep_dir / "manifest.json",
            "experiment.factors",
            "a sweep with at least one factor",
            "none",
        )
    names = [f["key"] for f in factors]
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    ok = runs[runs["status"] == "ok"]
    column = f"met_{target}"
    if by == "run":
        x = ok[names]
        y = ~ok[column].to_numpy(dtype=bool)
        unit = "run"
    else:
        grouped = ok.groupby("point_id")
        x = grouped[names].first()
        missed = 1.0 - grouped[column].mean()
        y = (missed >= threshold).to_numpy()
        unit = "point"
    if len(x) == 0:
        raise ConfigError(
            sweep_dir / "runs.parquet", "status", "successful runs", "none (every run failed)"
        )
    res = prim_boxes(
        x,
        y,
        max_boxes=max_boxes,
        peel_alpha=peel_alpha,
        paste_alpha=paste_alpha,
        mass_min=mass_min,
        min_density=min_density,
    )
    return {
        "kind": "discover",
        "experiment": exp["name"],
        "sweep": str(sweep_dir),
        "sweep_plan_hash": manifest.get("plan_hash"),
        "scenarios": exp["scenarios"],
        "version": manifest.get("version"),
        "base_seed": manifest.get("base_seed"),
        "seeds": manifest.get("seeds"),
        "replicates": exp["replicates"],
        "target": target,
        "outcome": (
            f"{target} missed at its deadline" if target != "all" else "some recorded target missed"
        )
        + f" ({column} false)",
        "unit": unit,
        "threshold": threshold if unit == "point" else None,
        "factors": factors,
        "prim": {
            "library": f"prim {version('prim')}",
            "peel_alpha": peel_alpha,
            "paste_alpha": paste_alpha,
            "mass_min": mass_min,
            "objective": "lenient1",
        },
        "selection": (
            f"the step of largest coverage with density >= {min_density}"
            if min_density is not None
            else "the step of highest F1 (harmonic mean of coverage and density)"
        ),
        **res,
    }


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _range_text(lim: dict[str, Any]) -> str:
    if "values" in lim:
        return "{" + ", ".join(_fmt(v) for v in lim["values"]) + "}"
    lo_open = lim["min"] <= lim["full_min"]
    hi_open = lim["max"] >= lim["full_max"]
    if lo_open and not hi_open:
        return f"≤ {_fmt(lim['max'])}"
    if hi_open and not lo_open:
        return f"≥ {_fmt(lim['min'])}"
    return f"{_fmt(lim['min'])} – {_fmt(lim['max'])}"


def discover_markdown(data: dict[str, Any]) -> str:
    """``discover.md``: the boxes with coverage, density and restricted ranges."""
    roles = {f["key"]: f["role"] for f in data["factors"]}
    lines = [
        f"# Scenario discovery: when is {data['target']} missed?",
        "",
        f"Sweep `{data['sweep']}` (experiment {data['experiment']}, plan "
        f"{data['sweep_plan_hash']}, qcy_sim {data['version']}, base seed {data['base_seed']}).",
        f"Cases: {data['n']} {data['unit']}s, of which {data['cases_of_interest']} are of interest "
        f"({data['outcome']}; base rate {_fmt(data['base_rate'])}).",
        f"PRIM ({data['prim']['library']}, peel α {data['prim']['peel_alpha']}, paste α "
        f"{data['prim']['paste_alpha']}, minimum mass {data['prim']['mass_min']}); reported "
        f"step: {data['selection']}. Search ended: {data['stopped']}.",
        "",
    ]
    if not data["boxes"]:
        lines += ["No box found.", ""]
    for b in data["boxes"]:
        lines += [
            f"## Box {b['box']}",
            "",
            f"Coverage {b['coverage']:.2f}, density {b['density']:.2f}, mass "
            f"{b['mass']:.2f}, {b['res_dim']} restricted factors (peeling step "
            f"{b['selected_step']} of {len(b['trajectory']) - 1}).",
            "",
        ]
        rows = []
        for f, lim in b["limits"].items():
            full = (
                lim["full"]["values"]
                if "values" in lim
                else f"{_fmt(lim['full_min'])} – {_fmt(lim['full_max'])}"
            )
            rows.append(
                [
                    f"`{f}`",
                    roles.get(f, ""),
                    _range_text(lim),
                    full,
                    "" if lim["qp_value"] is None else f"{lim['qp_value']:.2g}",
                ]
            )
        lines += md_table(["factor", "role", "box", "swept range", "quasi-p"], rows) + [""]
    return "\n".join(lines)


def discover_figure(data: dict[str, Any]):
    """Peeling trade-off (coverage vs density) of each box, and the boxes' restricted ranges."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1, 1.2])
    markers = "osD^v"
    for b in data["boxes"]:
        t = b["trajectory"]
        cov = [s["coverage"] for s in t]
        den = [s["density"] for s in t]
        res = [s["res_dim"] for s in t]
        sc = ax1.scatter(
            cov,
            den,
            c=res,
            cmap="viridis",
            s=18,
            marker=markers[(b["box"] - 1) % 5],
            vmin=0,
            vmax=max(1, max(res)),
            label=f"box {b['box']}",
        )
        ax1.plot(cov, den, color="0.6", lw=0.6, zorder=0)
        ax1.scatter(
            [b["coverage"]],
            [b["density"]],
            s=160,
            facecolor="none",
            edgecolor="#d62728",
            lw=1.8,
            zorder=3,
        )
        ax1.annotate(
            f"box {b['box']}",
            (b["coverage"], b["density"]),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8,
            color="#d62728",
        )
    if data["boxes"]:
        fig.colorbar(sc, ax=ax1, label="restricted factors", shrink=0.8)
    if data.get("base_rate") is not None:
        ax1.axhline(data["base_rate"], color="0.4", ls=":", lw=1, label="base rate")
    ax1.set_xlim(-0.02, 1.02)
    ax1.set_ylim(-0.02, 1.02)
    ax1.set_xlabel("coverage (share of all misses in the box)")
    ax1.set_ylabel("density (share of the box that misses)")
    ax1.set_title("Peeling trajectory (red ring: reported box)", fontsize=10)
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize=8, loc="best")
    rows = []
    for b in data["boxes"]:
        for f, lim in b["limits"].items():
            if "values" in lim:
                continue
            span = lim["full_max"] - lim["full_min"]
            if span <= 0:
                continue
            weak = lim["qp_value"] is None or lim["qp_value"] >= 0.05
            rows.append(
                (
                    f"box {b['box']}: {f}",
                    (lim["min"] - lim["full_min"]) / span,
                    (lim["max"] - lim["full_min"]) / span,
                    b["box"],
                    weak,
                )
            )
    if rows:
        y = np.arange(len(rows))[::-1]
        ax2.barh(y, [1.0] * len(rows), color="0.9", height=0.6)
        for yi, r in zip(y, rows, strict=True):
            ax2.barh(
                yi,
                r[2] - r[1],
                left=r[1],
                height=0.6,
                color=f"C{(r[3] - 1) % 10}",
                alpha=0.35 if r[4] else 1.0,
            )

        ax2.set_yticks(y, [r[0] if len(r[0]) < 50 else "…" + r[0][-48:] for r in rows], fontsize=8)
        ax2.set_xlim(0, 1)
        ax2.set_xlabel("position within the swept range (0 = low end, 1 = high end)")
    else:
        ax2.text(
            0.5, 0.5, "no numeric restriction", ha="center", va="center", transform=ax2.transAxes
        )
        ax2.set_yticks([])
    ax2.set_title("Restricted ranges of the reported boxes (faded: quasi-p ≥ 0.05)", fontsize=10)
    fig.suptitle(
        f"When is {data['target']} missed? PRIM on {data['n']} {data['unit']}s of "
        f"{data['experiment']} ({data['cases_of_interest']} misses)",
        fontsize=11,
    )
    return fig


def write_discovery(data: dict[str, Any], out_dir: str | Path, figures: bool = True) -> None:
    """Write ``discover.json``, ``discover.md`` and ``discover.png`` to ``out_dir`` atomically."""
    from ..results import provenance

    def build(tmp: Path) -> None:
        (tmp / "discover.md").write_text(discover_markdown(data), encoding="utf-8")
        if figures:
            save_figure(discover_figure(data), tmp / "discover.png")
        write_json(tmp / "discover.json", {**data, "provenance": provenance()})

    write_folder(out_dir, build)


def format_discovery(data: dict[str, Any]) -> str:
    """The boxes as text for the terminal."""
    what = "at least one target" if data["target"] == "all" else data["target"]
    lines = [
        f"{data['experiment']}: {data['cases_of_interest']} of {data['n']} {data['unit']}s "
        f"miss {what} (base rate {_fmt(data['base_rate'])})"
    ]
    for b in data["boxes"]:
        lines.append(
            f"box {b['box']}: coverage {b['coverage']:.2f}, density {b['density']:.2f}, "
            f"mass {b['mass']:.2f}"
        )
        for f, lim in b["limits"].items():
            qp = "" if lim["qp_value"] is None else f"   (quasi-p {lim['qp_value']:.2g})"
            lines.append(f"    {f} {_range_text(lim)}{qp}")
    lines.append(f"search ended: {data['stopped']}")
    return "\n".join(lines)


def load_discovery(folder: str | Path) -> dict[str, Any]:
    """``discover.json`` of a folder."""
    return read_json(Path(folder) / "discover.json", "discover.json")


def _check_fraction(name: str, value: float, lo: float = 0.0, hi: float = 1.0) -> None:
    if not (isinstance(value, float | int) and math.isfinite(value) and lo < value < hi):
        raise ConfigError(
            "command line", name, f"a number between {lo:g} and {hi:g}", _describe(value)
        )


def check_options(
    peel_alpha: float,
    paste_alpha: float,
    mass_min: float,
    min_density: float | None,
    threshold: float,
    boxes: int,
) -> None:
    """Validate the PRIM options of the command line (ConfigError on a bad one)."""
    _check_fraction("--peel-alpha", peel_alpha, 0.0, 0.5)
    _check_fraction("--paste-alpha", paste_alpha, 0.0, 0.5)
    _check_fraction("--mass-min", mass_min, 0.0, 1.0)
    _check_fraction("--threshold", threshold, 0.0, 1.0 + 1e-12)
    if min_density is not None:
        _check_fraction("--min-density", min_density, 0.0, 1.0 + 1e-12)
    if boxes < 1:
        raise ConfigError("command line", "--boxes", "at least 1", str(boxes))
