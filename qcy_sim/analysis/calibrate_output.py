"""What ``qcy calibrate`` writes: ``calibration.json``, the predictive and posterior figures.

Split from :mod:`qcy_sim.analysis.calibrate` (which runs the fit) to keep each file short.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..priors import DISTRIBUTIONS, Prior
from ._io import read_json

__all__ = [
    "piled_at_bound",
    "result_data",
    "predictive_figure",
    "posterior_figure",
    "format_calibration",
    "load_fit",
]


def _scenario_value(sc, key: str) -> Any:
    node: Any = sc.to_dict()
    for part in key.split("."):
        node = node[part]
    return node


def _wquantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    return float(x[order][min(int(np.searchsorted(cw, q * cw[-1])), len(x) - 1)])


def piled_at_bound(
    values: np.ndarray, weights: np.ndarray, prior: Prior, edge: float = 0.05, mass: float = 0.2
) -> str | None:
    """``"low"`` or ``"high"`` when the posterior piles at a bound of its prior, else None.

    Piled means at least ``mass`` of the posterior weight within ``edge`` of the bounds' width
    of one end: four times what a flat density puts there. The data then pull towards or
    beyond the bound: widen the prior if it is not a hard limit, or read it as a sign that a
    mechanism is missing or mis-set.
    """
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    width = prior.hi - prior.lo
    low = float(w[np.asarray(values) <= prior.lo + edge * width].sum())
    high = float(w[np.asarray(values) >= prior.hi - edge * width].sum())
    if max(low, high) < mass:
        return None
    return "low" if low >= high else "high"


def _band(x: np.ndarray) -> dict[str, float | None]:
    x = x[np.isfinite(x)]
    if not x.size:
        return {"median": None, "q05": None, "q95": None}
    return {k: float(np.quantile(x, q)) for k, q in (("median", 0.5), ("q05", 0.05), ("q95", 0.95))}


def result_data(cfg, pops, particles, weights, fixed, prior_sims, post_sims, executor):
    """The content of calibration.json (without timings and provenance)."""
    gens = []
    for _, p in pops[pops["t"] >= 0].iterrows():
        gens.append(
            {
                "t": int(p["t"]),
                "epsilon": float(p["epsilon"]),
                "particles": int(p["particles"]),
                "simulations": int(p["samples"]),
                "acceptance_rate": float(p["particles"]) / max(1, int(p["samples"])),
                "effective_sample_size": float(p["ess"]),
                "wall_time_s": float(p["wall_time"]) if p.get("wall_time") is not None else None,
            }
        )
    calib = int(pops.loc[pops["t"] < 0, "samples"].sum())
    abc_sims = calib + sum(g["simulations"] for g in gens)
    last = gens[-1] if gens else None
    if last is None:
        stopped = "no generation"
    elif last["epsilon"] <= cfg.min_epsilon:
        stopped = "min_epsilon"
    elif last["acceptance_rate"] < cfg.min_acceptance_rate:
        stopped = "min_acceptance_rate"
    elif cfg.max_simulations and abc_sims >= cfg.max_simulations:
        stopped = "max_simulations"
    else:
        stopped = "generations"
    params = {}
    for key in cfg.fitted:
        p, x = cfg.priors[key], particles[key]
        q05, q95 = _wquantile(x, weights, 0.05), _wquantile(x, weights, 0.95)
        p05, p95 = float(p.ppf(0.05)), float(p.ppf(0.95))
        params[key] = {
            "prior": p.to_dict(),
            "scenario_value": _scenario_value(cfg.scenario, key),
            "prior_q05": p05,
            "prior_q95": p95,
            "median": _wquantile(x, weights, 0.5),
            "q05": q05,
            "q95": q95,
            "interval_share_of_prior": (q95 - q05) / (p95 - p05) if p95 > p05 else None,
            "piled_at_bound": piled_at_bound(x, weights, p),
        }
    rows = []
    for i, r in enumerate(cfg.rows):
        pp = _band(post_sims[:, i])
        inside = pp["q05"] is not None and pp["q05"] <= r.value <= pp["q95"]
        rows.append(
            {
                "id": r.id,
                "quantity": r.quantity,
                "period": r.period,
                "fitted": r.fitted,
                "observed": r.value,
                "confidence": r.confidence,
                "weight": r.weight if r.fitted else 0.0,
                "model_output": f"{r.output[0]} {r.output[1]} ({r.output[2]})",
                "source": r.source,
                "prior_predictive": _band(prior_sims[:, i]),
                "posterior_predictive": pp,
                "inside_90": bool(inside),
            }
        )
    return {
        "kind": "calibrate",
        "name": cfg.name,
        "description": cfg.description,
        "config": cfg.path,
        "config_hash": cfg.config_hash,
        "scenario": {
            "name": cfg.scenario.name,
            "path": cfg.scenario.path,
            "config_hash": cfg.scenario.config_hash,
            "overrides": cfg.overrides,
        },
        "observed": list(cfg.observed),
        "method": {
            "library": f"pyabc {version('pyabc')}",
            "algorithm": "ABC-SMC, one simulation per particle, a fresh seed each",
            "distance": "sqrt(sum w_i r_i^2 / sum w_i) over the fitted rows, r_i relative error",
            "epsilon": "median of the previous generation's distances",
            "transition": {
                "silverman": "multivariate normal, Silverman's bandwidth (pyabc default)",
                "twice_covariance": "multivariate normal, twice the weighted covariance "
                "(Beaumont et al. 2009)",
            }.get(cfg.kernel, cfg.kernel),
            "kernel": cfg.kernel,
            "population": cfg.population,
            "executor": executor,
            "reproducible": executor == "serial",
        },
        "stopping": {
            "generations": cfg.generations,
            "min_epsilon": cfg.min_epsilon,
            "min_acceptance_rate": cfg.min_acceptance_rate,
            "max_simulations": cfg.max_simulations,
            "stopped_by": stopped,
        },
        "generations": gens,
        "simulations": {"calibration_sample": calib, "abc": abc_sims},
        "acceptance_rate": sum(g["particles"] for g in gens) / max(1, abc_sims - calib),
        "seed": cfg.seed,
        "parameters": params,
        "piled_at_bound": [k for k, v in params.items() if v["piled_at_bound"]],
        "fixed": fixed,
        "marginalised": list(cfg.marginalised),
        "rows": rows,
        "rows_inside_90": [r["id"] for r in rows if r["inside_90"]],
        "skipped_rows": list(cfg.skipped),
        "files": {
            "posterior": "posterior.parquet",
            "database": cfg.database,
            "figures": ["calibration.png", "posterior.png"],
        },
    }


# ----------------------------------------------------------------------------------------------
# Figures and text


def predictive_figure(data: dict[str, Any]):
    """Observed points over the prior- and posterior-predictive 90 % bands, a panel per row."""
    from matplotlib.figure import Figure

    rows = data["rows"]
    n = len(rows)
    ncols = min(4, n)
    nrows = -(-n // ncols)
    fig = Figure(figsize=(3.2 * ncols + 0.4, 2.9 * nrows + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, r in zip(axes, rows, strict=False):
        for i, (key, colour, label) in enumerate(
            (
                ("prior_predictive", "#bdbdbd", "prior"),
                ("posterior_predictive", "#1f77b4", "posterior"),
            )
        ):
            b = r[key]
            if b["median"] is None:
                continue
            ax.plot(
                [i, i],
                [b["q05"], b["q95"]],
                color=colour,
                lw=10,
                solid_capstyle="butt",
                alpha=0.8,
                label=f"{label} 90 %",
            )
            ax.plot([i - 0.12, i + 0.12], [b["median"]] * 2, color="black", lw=1.5)
        ax.plot([0, 1], [r["observed"]] * 2, "o", color="#d62728", ms=6, label="observed")
        ax.set_xlim(-0.6, 1.6)
        ax.set_xticks([0, 1], ["prior", "posterior"])
        tag = "fitted" if r["fitted"] else "check"
        mark = "inside" if r["inside_90"] else "OUTSIDE"
        ax.set_title(f"{r['id']} ({tag}, {mark})\n{r['quantity']}\n{r['period']}", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.grid(axis="y", alpha=0.3)
    for ax in axes[n:]:
        ax.set_axis_off()
    axes[0].legend(fontsize=6, loc="best")
    fig.suptitle(
        f"Calibration {data['name']}: observed figures over predictive 90 % bands "
        f"(one run per draw; black: median)",
        fontsize=9,
    )
    return fig


def posterior_figure(data: dict[str, Any], particles: dict[str, np.ndarray], weights):
    """Weighted histogram of each fitted parameter's posterior over its prior density."""
    from matplotlib.figure import Figure

    keys = list(data["parameters"])
    n = len(keys)
    ncols = min(4, n)
    nrows = -(-n // ncols)
    fig = Figure(figsize=(3.2 * ncols + 0.4, 2.5 * nrows + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, key in zip(axes, keys, strict=False):
        info = data["parameters"][key]
        pr = info["prior"]
        prior = Prior(pr["dist"], pr["bounds"][0], pr["bounds"][1], tuple(pr[a] for a in _args(pr)))
        grid = np.linspace(prior.lo, prior.hi, 200)
        ax.hist(
            particles[key],
            bins=20,
            range=(prior.lo, prior.hi),
            weights=weights,
            density=True,
            color="#1f77b4",
            alpha=0.7,
            label="posterior",
        )
        ax.plot(grid, prior.pdf(grid), color="#757575", lw=1.5, label="prior")
        ax.axvline(info["scenario_value"], color="black", ls=":", lw=1, label="scenario")
        flag = f" (piled {info['piled_at_bound']})" if info["piled_at_bound"] else ""
        ax.set_title(key + flag, fontsize=7)
        ax.tick_params(labelsize=6)
    for ax in axes[n:]:
        ax.set_axis_off()
    if n:
        axes[0].legend(fontsize=6)
    fig.suptitle(f"Calibration {data['name']}: marginal posteriors", fontsize=9)
    return fig


def _args(entry: dict[str, Any]) -> list[str]:
    return list(DISTRIBUTIONS[entry["dist"]])


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:,.4g}" if isinstance(v, float) else str(v)


def format_calibration(data: dict[str, Any]) -> str:
    """The fit as text: generations, rows against their bands, parameters."""
    sims = data["simulations"]
    lines = [
        f"{data['name']}: {len(data['generations'])} generation(s) of "
        f"{data['method']['population']} particles, {sims['abc']} ABC simulations + "
        f"{sims['predictive']} predictive "
        f"(stopped by {data['stopping']['stopped_by']})"
    ]
    for g in data["generations"]:
        lines.append(
            f"    generation {g['t']}: epsilon {g['epsilon']:.4g}, acceptance "
            f"{g['acceptance_rate']:.1%} ({g['simulations']} simulations), effective sample "
            f"size {g['effective_sample_size']:.1f} of {g['particles']}"
        )
    w = max(len(r["quantity"]) for r in data["rows"])
    lines.append(
        f"{'row':<12}{'quantity':<{w + 2}}{'period':<18}{'observed':>10}{'median':>10}"
        f"{'90% band':>22}  fitted inside"
    )
    for r in data["rows"]:
        b = r["posterior_predictive"]
        band = f"[{_fmt(b['q05'])}, {_fmt(b['q95'])}]"
        lines.append(
            f"{r['id']:<12}{r['quantity']:<{w + 2}}{r['period']:<18}{r['observed']:>10,.4g}"
            f"{_fmt(b['median']):>10}{band:>22}  {'yes' if r['fitted'] else 'check':<7}"
            f"{'yes' if r['inside_90'] else 'NO'}"
        )
    lines.append("parameters: prior 90 % -> posterior median [90 %]")
    for key, p in data["parameters"].items():
        flag = f"  PILED AT THE {p['piled_at_bound'].upper()} BOUND" if p["piled_at_bound"] else ""
        lines.append(
            f"    {key}: [{_fmt(p['prior_q05'])}, {_fmt(p['prior_q95'])}] -> {_fmt(p['median'])} "
            f"[{_fmt(p['q05'])}, {_fmt(p['q95'])}]{flag}"
        )
    return "\n".join(lines)


def load_fit(folder: str | Path) -> dict[str, Any]:
    """``calibration.json`` of a folder."""
    return read_json(Path(folder) / "calibration.json", "calibration.json")
