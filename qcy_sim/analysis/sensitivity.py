"""Which levers and uncertainties matter: Sobol' and Morris indices from a sweep (SALib).

``qcy sensitivity EXPERIMENT`` runs the sweep of an experiment whose design is ``sobol``
(Saltelli scheme) or ``morris`` — or reuses a finished one (``--sweep DIR``) — and analyses it
with SALib's analyzers, which match the samplers the design used:

* **Sobol'** (:func:`SALib.analyze.sobol.analyze`): first-order ``S1`` (the share of the output's
  variance due to the factor alone) and total-order ``ST`` (alone and through interactions),
  each with a bootstrap confidence interval (``*_conf`` is the half-width at 95 %).
* **Morris** (:func:`SALib.analyze.morris.analyze`): ``mu_star`` (mean absolute elementary
  effect, with a bootstrap interval) and ``sigma`` (their spread: non-linearity or
  interactions). Factors are analysed on the unit scale, so an elementary effect is the change of
  the output per full range of the factor.

**Replicates are averaged per point.** The output of a design point is the mean over its
successful replicates: for a target, the share of replicates that met it (an estimate of
P(met)); for a KPI, the mean final value. The indices therefore describe how the factors drive
the *expected* outcome. The replicate noise left in those means is reported per output as
``noise_share``: the estimated variance of a point mean due to replicate noise
(mean within-point variance / replicates) over the variance of the point means across the design.
Where it is large (say above 0.2), indices are blurred by noise: add replicates.

Outputs are ``met_<kpi>`` for a target (``--target``, ``all`` for all targets together) and
``<kpi>`` for a KPI's final value (``--kpi``); by default every target of the experiment and all
together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..outputs import claim
from ..scenario import ConfigError, _describe
from ._io import md_table, read_json, save_figure, sweep_folder, write_into, write_json

__all__ = [
    "METHODS",
    "unit_sample",
    "sobol_indices",
    "morris_indices",
    "analyse_output",
    "resolve_outputs",
    "sensitivity_from_sweep",
    "write_sensitivity",
    "sensitivity_markdown",
    "sensitivity_figure",
    "run_sensitivity",
    "format_sensitivity",
]

METHODS = ("sobol", "morris")
NUM_RESAMPLES = 1000
CONF_LEVEL = 0.95
ROLE_COLOURS = {"lever": "#1f77b4", "uncertain": "#e6820e", "listed": "#7f7f7f"}


# ----------------------------------------------------------------------------------------------
# The estimators (the same functions for the model and for the known-answer tests)


def _unit_problem(names: Sequence[str]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def unit_sample(
    kind: str, names: Sequence[str], n: int, seed: int, second_order: bool = False, levels: int = 4
) -> np.ndarray:
    """The unit-cube sample a ``sobol`` or ``morris`` design draws (SALib's samplers).

    The same calls as :mod:`qcy_sim.experiment` makes, so rows line up with ``design_row``.
    """
    problem = _unit_problem(names)
    if kind == "sobol":
        from SALib.sample import sobol

        u = sobol.sample(problem, n, calc_second_order=second_order, seed=seed)
    elif kind == "morris":
        from SALib.sample import morris

        u = morris.sample(problem, n, num_levels=levels, seed=seed)
    else:
        raise ValueError(f"kind must be one of {METHODS}, got {kind!r}")
    return np.clip(np.asarray(u, dtype=float), 0.0, 1.0)


def sobol_indices(
    names: Sequence[str],
    y: np.ndarray,
    second_order: bool = False,
    seed: int = 0,
    conf_level: float = CONF_LEVEL,
    num_resamples: int = NUM_RESAMPLES,
) -> dict:
    """Sobol' indices of outputs ``y`` of a Saltelli sample (SALib's analyzer).

    Returns:
        ``{"indices": {name: {"S1", "S1_conf", "ST", "ST_conf"}}, "S2": ...}`` (``S2`` only with
        second order: ``{"a|b": {"S2", "S2_conf"}}``).
    """
    from SALib.analyze import sobol

    y = np.asarray(y, dtype=float)
    res = sobol.analyze(
        _unit_problem(names),
        y,
        calc_second_order=second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    out: dict[str, Any] = {
        "indices": {
            name: {k: float(res[k][j]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            for j, name in enumerate(names)
        }
    }
    if second_order:
        out["S2"] = {
            f"{a}|{b}": {"S2": float(res["S2"][i, j]), "S2_conf": float(res["S2_conf"][i, j])}
            for i, a in enumerate(names)
            for j, b in enumerate(names)
            if j > i
        }
    return out


def morris_indices(
    names: Sequence[str],
    x_unit: np.ndarray,
    y: np.ndarray,
    levels: int = 4,
    seed: int = 0,
    conf_level: float = CONF_LEVEL,
    num_resamples: int = NUM_RESAMPLES,
) -> dict:
    """Morris screening measures of outputs ``y`` at unit-scale trajectory points ``x_unit``.

    Returns:
        ``{"indices": {name: {"mu", "mu_star", "mu_star_conf", "sigma"}}}``; effects are per
        full range of each factor.
    """
    from SALib.analyze import morris

    res = morris.analyze(
        _unit_problem(names),
        np.asarray(x_unit, dtype=float),
        np.asarray(y, dtype=float),
        num_resamples=num_resamples,
        conf_level=conf_level,
        num_levels=levels,
        seed=seed,
    )
    return {
        "indices": {
            name: {
                "mu": float(res["mu"][j]),
                "mu_star": float(res["mu_star"][j]),
                "mu_star_conf": float(res["mu_star_conf"][j]),
                "sigma": float(res["sigma"][j]),
            }
            for j, name in enumerate(names)
        }
    }


def analyse_output(
    design: dict[str, Any], names: Sequence[str], y: np.ndarray, x_unit: np.ndarray | None = None
) -> dict[str, Any]:
    """Indices of one output over a design, with the ranking of the factors.

    Args:
        design: ``kind`` (``sobol`` or ``morris``), ``seed`` and, as the design has them,
            ``second_order`` and ``levels`` (the ``design`` block of a sweep manifest).
        names: Factor names in design order.
        y: One output per design row, in SALib's order.
        x_unit: The unit sample (Morris only).

    Returns:
        ``indices``, ``ranking`` (factors by ``ST`` or ``mu_star``, largest first), ``mean`` and
        ``variance`` of ``y``; an output that does not vary gets ``indices`` null and a note.
    """
    y = np.asarray(y, dtype=float)
    kind = design["kind"]
    seed = int(design.get("seed") or 0)
    out: dict[str, Any] = {
        "mean": float(y.mean()),
        "variance": float(y.var(ddof=1)) if len(y) > 1 else 0.0,
    }
    if not np.all(np.isfinite(y)):
        raise ValueError("outputs contain NaN or infinite values")
    if np.ptp(y) == 0.0:
        out.update(
            indices=None,
            ranking=[],
            note=f"the output is {y[0]:g} at every design point: no factor moves it",
        )
        return out
    if kind == "sobol":
        res = sobol_indices(names, y, bool(design.get("second_order", False)), seed)
        key = "ST"
    elif kind == "morris":
        if x_unit is None:
            raise ValueError("a Morris analysis needs the unit sample x_unit")
        res = morris_indices(names, x_unit, y, int(design.get("levels") or 4), seed)
        key = "mu_star"
    else:
        raise ValueError(f"design kind must be one of {METHODS}, got {kind!r}")
    out.update(res)
    out["ranking"] = sorted(names, key=lambda f: -res["indices"][f][key])
    return out


# ----------------------------------------------------------------------------------------------
# From a sweep folder


def resolve_outputs(
    file: str,
    targets: Sequence[str] | None,
    kpis: Sequence[str] | None,
    recorded_targets: Sequence[str],
    recorded_kpis: Sequence[str],
) -> list[dict]:
    """The outputs to analyse, checked against what the sweep records.

    ``targets`` may hold ``all`` (all recorded targets met together). With neither ``targets``
    nor ``kpis``: every recorded target, then all together.
    """
    if not targets and not kpis:
        targets = [*recorded_targets, "all"]
    out = []
    for t in targets or []:
        if t != "all" and t not in recorded_targets:
            raise ConfigError(
                file,
                "--target",
                f"a target the experiment records (one of {', '.join([*recorded_targets, 'all'])})",
                repr(t),
            )
        out.append(
            {
                "output": f"met_{t}",
                "kind": "target",
                "kpi": t,
                "label": "all targets met" if t == "all" else f"{t} met",
            }
        )
    for k in kpis or []:
        if k not in recorded_kpis:
            raise ConfigError(
                file,
                "--kpi",
                f"a KPI the experiment records (one of {', '.join(recorded_kpis)})",
                repr(k),
            )
        out.append({"output": k, "kind": "kpi", "kpi": k, "label": f"final {k}"})
    seen = set()
    for o in out:
        if o["output"] in seen:
            raise ConfigError(file, "--target/--kpi", "each output once", f"{o['output']} twice")
        seen.add(o["output"])
    return out


def _point_stats(runs, points, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per point (in ``point_id`` order): mean and variance over successful runs, and count."""
    ok = runs[runs["status"] == "ok"]
    vals = ok[column].astype(float)
    grouped = vals.groupby(ok["point_id"])
    ids = points["point_id"].to_numpy()
    mean = grouped.mean().reindex(ids).to_numpy()
    var = grouped.var(ddof=1).reindex(ids).fillna(0.0).to_numpy()
    count = grouped.count().reindex(ids).fillna(0).to_numpy().astype(int)
    return mean, var, count


def sensitivity_from_sweep(
    sweep_dir: str | Path, outputs: Sequence[dict], manifest: dict | None = None
) -> dict[str, Any]:
    """The content of ``sensitivity.json`` from a finished sweep folder.

    Args:
        sweep_dir: A complete sweep of a ``sobol`` or ``morris`` design.
        outputs: As returned by :func:`resolve_outputs`.
        manifest: The sweep's manifest (read from the folder if not given).
    """
    import pandas as pd

    sweep_dir = Path(sweep_dir)
    if manifest is None:
        sweep_dir, manifest = sweep_folder(sweep_dir)
    design = dict(manifest["design"])
    exp = manifest["experiment"]
    if design["kind"] not in METHODS:
        raise ConfigError(
            sweep_dir / "manifest.json",
            "design.kind",
            "a sobol or morris design (qcy sensitivity needs SALib's sample)",
            _describe(design["kind"]),
        )
    factors = exp["factors"]
    names = [f["key"] for f in factors]
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    points = pd.read_parquet(sweep_dir / "points.parquet").sort_values("point_id")
    x_unit = unit_sample(
        design["kind"],
        names,
        int(design["n"]),
        int(design.get("seed") or 0),
        bool(design.get("second_order", False)),
        int(design.get("levels") or 4),
    )
    if len(x_unit) != int(design["rows"]):
        raise ConfigError(
            sweep_dir / "manifest.json",
            "design.rows",
            f"{len(x_unit)} rows (SALib's sample of this design)",
            str(design["rows"]),
        )
    replicates = int(exp["replicates"])
    results = []
    for o in outputs:
        if o["output"] not in runs.columns:
            raise ConfigError(
                sweep_dir / "runs.parquet", o["output"], "a recorded column", "no such column"
            )
        mean, var, count = _point_stats(runs, points, o["output"])
        for scenario in points["scenario"].unique():
            sel = (points["scenario"] == scenario).to_numpy()
            rows = points["design_row"].to_numpy()[sel]
            order = np.argsort(rows)
            y = mean[sel][order]
            if np.any(count[sel] == 0):
                bad = int((count[sel] == 0).sum())
                raise ConfigError(
                    sweep_dir / "runs.parquet",
                    "status",
                    "at least one successful run at every design point",
                    f"{bad} points of scenario {scenario!r} with none (rerun "
                    "them with qcy sweep --retry-failed)",
                )
            entry = {**o, "scenario": str(scenario)}
            entry.update(analyse_output(design, names, y, x_unit))
            noise = float(np.mean(var[sel]) / replicates) if replicates > 1 else None
            entry["noise_share"] = (
                None if noise is None or entry["variance"] == 0 else noise / entry["variance"]
            )
            results.append(entry)
    return {
        "kind": "sensitivity",
        "experiment": exp["name"],
        "method": design["kind"],
        "design": design,
        "sweep": str(sweep_dir),
        "sweep_plan_hash": manifest.get("plan_hash"),
        "scenarios": exp["scenarios"],
        "factors": factors,
        "replicates": replicates,
        "base_seed": manifest.get("base_seed"),
        "seeds": manifest.get("seeds"),
        "version": manifest.get("version"),
        "analyzer": (
            f"SALib.analyze.{design['kind']}.analyze (SALib {version('SALib')}), "
            f"{NUM_RESAMPLES} bootstrap resamples, {CONF_LEVEL:.0%} intervals"
        ),
        "averaging": "the output of a design point is the mean over its successful replicates "
        "(P(met) for a target, the mean final value for a KPI); noise_share is "
        "the replicate-noise variance of a point mean over the variance of the "
        "point means",
        "scale": (
            "Sobol' indices are shares of the variance of the point means"
            if design["kind"] == "sobol"
            else "Morris effects are changes of the output per full range of a factor"
        ),
        "results": results,
    }


# ----------------------------------------------------------------------------------------------
# Writing


def sensitivity_markdown(data: dict[str, Any]) -> str:
    """``sensitivity.md``: one ranked table per output."""
    sobol = data["method"] == "sobol"
    roles = {f["key"]: f["role"] for f in data["factors"]}
    lines = [
        f"# Sensitivity: {data['experiment']} ({'Sobol' if sobol else 'Morris'})",
        "",
        f"{data['design']['rows']} design points x {data['replicates']} replicates "
        f"(base seed {data['base_seed']}), sweep `{data['sweep']}` "
        f"(plan {data['sweep_plan_hash']}, qcy_sim {data['version']}). {data['analyzer']}.",
        "",
        f"Averaging: {data['averaging']}. {data['scale']}.",
        "",
    ]
    for r in data["results"]:
        lines += [f"## {r['label']} — {r['scenario']}", ""]
        noise = r.get("noise_share")
        lines.append(
            f"Mean over the design {r['mean']:.4g}, variance {r['variance']:.4g}"
            + (f", noise share {noise:.2f}" if noise is not None else "")
            + "."
        )
        lines.append("")
        if r["indices"] is None:
            lines += [r["note"] + ".", ""]
            continue
        head, rows = index_table(r, roles, sobol, lambda f: f"`{f}`")
        lines += md_table(head, rows) + [""]
    return "\n".join(lines)


def _pm(v: float, half: float) -> str:
    return f"{v:.3f} [{v - half:.3f}, {v + half:.3f}]"


def index_table(
    result: dict[str, Any], roles: dict[str, str], sobol: bool, factor_cell: Callable[[str], str]
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of one output's ranked indices (``factor_cell`` formats a factor name)."""
    ind = result["indices"]
    if sobol:
        head = ["rank", "factor", "role", "S1 [95% CI]", "ST [95% CI]"]
        rows = [
            [
                i + 1,
                factor_cell(f),
                roles.get(f, ""),
                _pm(ind[f]["S1"], ind[f]["S1_conf"]),
                _pm(ind[f]["ST"], ind[f]["ST_conf"]),
            ]
            for i, f in enumerate(result["ranking"])
        ]
    else:
        head = ["rank", "factor", "role", "μ* [95% CI]", "μ", "σ"]
        rows = [
            [
                i + 1,
                factor_cell(f),
                roles.get(f, ""),
                _pm(ind[f]["mu_star"], ind[f]["mu_star_conf"]),
                f"{ind[f]['mu']:.4g}",
                f"{ind[f]['sigma']:.4g}",
            ]
            for i, f in enumerate(result["ranking"])
        ]
    return head, rows


def sensitivity_figure(data: dict[str, Any]):
    """Ranked bars per output: ST and S1 (Sobol') or μ* and σ (Morris), coloured by role."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    results = data["results"]
    sobol = data["method"] == "sobol"
    roles = {f["key"]: f["role"] for f in data["factors"]}
    d = len(data["factors"])
    ncols = min(3, len(results))
    nrows = -(-len(results) // ncols)
    fig = Figure(figsize=(5.2 * ncols, (0.32 * d + 1.3) * nrows + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, r in zip(axes, results, strict=False):
        title = f"{r['label']}" + (f" ({r['scenario']})" if len(data["scenarios"]) > 1 else "")
        ax.set_title(title, fontsize=9)
        if r["indices"] is None:
            ax.text(
                0.5,
                0.5,
                "does not vary over the design",
                ha="center",
                va="center",
                fontsize=8,
                transform=ax.transAxes,
            )
            ax.set_axis_off()
            continue
        order = r["ranking"][::-1]
        y = np.arange(len(order))
        colours = [ROLE_COLOURS.get(roles.get(f, ""), "#7f7f7f") for f in order]
        ind = r["indices"]
        if sobol:
            st = np.array([ind[f]["ST"] for f in order])
            s1 = np.array([ind[f]["S1"] for f in order])
            ax.barh(
                y + 0.19,
                st,
                xerr=[ind[f]["ST_conf"] for f in order],
                color=colours,
                alpha=0.4,
                height=0.38,
                error_kw={"lw": 0.7, "capsize": 2, "ecolor": "0.35"},
                label="total order ST",
            )
            ax.barh(
                y - 0.19,
                s1,
                xerr=[ind[f]["S1_conf"] for f in order],
                color=colours,
                height=0.38,
                error_kw={"lw": 0.7, "capsize": 2, "ecolor": "0.35"},
                label="first order S1",
            )
            ax.set_xlabel("Sobol' index (95 % bootstrap interval)", fontsize=8)
            ax.axvline(0, color="0.3", lw=0.6)
        else:
            mu = np.array([ind[f]["mu_star"] for f in order])
            ax.barh(
                y,
                mu,
                xerr=[ind[f]["mu_star_conf"] for f in order],
                color=colours,
                height=0.6,
                error_kw={"lw": 0.8, "capsize": 2},
                label="μ*",
            )
            ax.plot([ind[f]["sigma"] for f in order], y, "kD", ms=3.5, mfc="white", label="σ")
            ax.set_xlabel("Morris μ* and σ (per full factor range)", fontsize=8)
        ax.set_yticks(y, [_short(f) for f in order], fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(results) :]:
        ax.set_axis_off()
    handles = [
        Patch(color=c, label=role)
        for role, c in ROLE_COLOURS.items()
        if role in set(roles.values())
    ]
    if sobol:
        handles += [
            Patch(color="0.5", alpha=0.4, label="ST (total, upper bar)"),
            Patch(color="0.5", label="S1 (first order, lower bar)"),
        ]
    else:
        from matplotlib.lines import Line2D

        handles += [
            Patch(color="0.5", label="μ* (95 % bootstrap interval)"),
            Line2D([], [], color="k", marker="D", ms=4, mfc="white", ls="none", label="σ"),
        ]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)
    fig.suptitle(
        f"Sensitivity — {data['experiment']}: {data['design']['rows']} points x "
        f"{data['replicates']} replicates ({'Sobol' if sobol else 'Morris'})",
        fontsize=11,
    )
    return fig


def _short(key: str, width: int = 46) -> str:
    return key if len(key) <= width else "…" + key[-(width - 1) :]


def write_sensitivity(data: dict[str, Any], out_dir: str | Path, figures: bool = True) -> None:
    """Write ``sensitivity.json``, ``sensitivity.md`` and ``sensitivity.png`` into ``out_dir``."""
    from ..results import provenance

    def build(tmp: Path) -> None:
        (tmp / "sensitivity.md").write_text(sensitivity_markdown(data), encoding="utf-8")
        if figures:
            save_figure(sensitivity_figure(data), tmp / "sensitivity.png")
        write_json(tmp / "sensitivity.json", {**data, "provenance": provenance()})

    write_into(out_dir, build, last="sensitivity.json")


def format_sensitivity(data: dict[str, Any], top: int = 5) -> str:
    """A short text summary: the top factors of each output."""
    sobol = data["method"] == "sobol"
    lines = [
        f"{data['experiment']}: {'Sobol' if sobol else 'Morris'} indices, "
        f"{data['design']['rows']} points x {data['replicates']} replicates "
        f"(outputs averaged over replicates per point)"
    ]
    for r in data["results"]:
        head = f"{r['label']:<36}"
        if len(data["scenarios"]) > 1:
            head = f"{r['scenario'] + ': ' + r['label']:<48}"
        if r["indices"] is None:
            lines.append(f"{head} does not vary over the design")
            continue
        parts = []
        for f in r["ranking"][:top]:
            ind = r["indices"][f]
            if sobol:
                parts.append(f"{f} ST {ind['ST']:.2f}±{ind['ST_conf']:.2f} S1 {ind['S1']:.2f}")
            else:
                parts.append(
                    f"{f} μ* {ind['mu_star']:.3g}±{ind['mu_star_conf']:.2g} σ {ind['sigma']:.3g}"
                )
        noise = r.get("noise_share")
        tail = f"  [noise share {noise:.2f}]" if noise is not None else ""
        lines.append(f"{head} " + "; ".join(parts[:1]) + tail)
        for p in parts[1:]:
            lines.append(f"{'':<{len(head)}} {p}")
    return "\n".join(lines)


def run_sensitivity(
    experiment_path: str | Path,
    targets: Sequence[str] | None = None,
    kpis: Sequence[str] | None = None,
    sweep: str | Path | None = None,
    out: str | Path | None = None,
    executor=None,
    progress: bool = False,
    figures: bool = True,
) -> tuple[dict[str, Any], Path]:
    """Sweep (or reuse a sweep of) an experiment and write its sensitivity analysis.

    Without ``sweep`` the sweep is run into ``<out>/sweep/`` (resumed if it is there already);
    the analysis goes to ``out`` (default ``results/sensitivity-<name>/``).

    Returns:
        The content of ``sensitivity.json`` and the output folder.
    """
    from ..experiment import load_experiment

    exp = load_experiment(experiment_path)
    if exp.design.kind not in METHODS:
        raise ConfigError(
            experiment_path,
            "design.kind",
            "sobol or morris (the designs whose SALib analyzers qcy sensitivity uses)",
            _describe(exp.design.kind),
        )
    outputs = resolve_outputs("command line", targets, kpis, exp.targets, exp.kpis)
    out = Path(out) if out else Path("results") / f"sensitivity-{exp.name}"
    with claim(out, "sensitivity"):
        return _sensitivity_into(
            exp, experiment_path, outputs, sweep, out, executor, progress, figures
        )


def _sensitivity_into(exp, experiment_path, outputs, sweep, out, executor, progress, figures):
    from ..sweep import plan_sweep, run_sweep

    t0 = time.time()
    if sweep is not None:
        sweep_dir, manifest = sweep_folder(sweep)
        plan = plan_sweep(exp).plan_hash
        if manifest.get("plan_hash") != plan:
            raise ConfigError(
                sweep_dir / "manifest.json",
                "plan_hash",
                f"{plan} (a sweep of {experiment_path} by this qcy_sim version)",
                _describe(manifest.get("plan_hash")),
            )
    else:
        sweep_dir = out / "sweep"
        resume = sweep_dir.is_dir() and any(sweep_dir.iterdir())
        run_sweep(exp, sweep_dir, executor, resume=resume, progress=progress)
        sweep_dir, manifest = sweep_folder(sweep_dir)
    data = sensitivity_from_sweep(sweep_dir, outputs, manifest)
    data["elapsed_s"] = round(time.time() - t0, 3)
    write_sensitivity(data, out, figures=figures)
    return data, out


def load_sensitivity(folder: str | Path) -> dict[str, Any]:
    """``sensitivity.json`` of a folder."""
    return read_json(Path(folder) / "sensitivity.json", "sensitivity.json")
