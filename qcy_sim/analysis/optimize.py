"""The cheapest mix: the lowest-cost lever setting that meets chosen targets with probability p.

``qcy optimize EXPERIMENT --p 0.9`` searches the experiment's ``[levers]`` (``range`` factors
are continuous or integer, ``values`` factors categorical) for the setting of least cost whose
estimated P(all chosen targets met) is at least p, and maps the **budget-probability frontier**:
the best P(all met) found at each budget.

* **Cost** is the median over replicates of public spending over the horizon (million CNY; every
  account except private venture capital), as in ``runs.parquet``'s
  ``public_spending_cny_million``.
* **Targets** are the experiment's ``targets`` (default: every target of its scenario).
* **Common random numbers**: every candidate runs the same replicate seeds
  (``replicate_seeds(experiment seed, replicates)``), so two candidates differ only by their
  levers. ``[uncertain]`` factors, if any, are drawn once per replicate (a Latin hypercube,
  seeded by the experiment's seed) and kept the same at every candidate: P(met) then averages
  over parameter uncertainty too.
* **Search**: optuna's TPE sampler on two objectives (minimise cost, maximise P(all met)),
  seeded, started from the cheapest corner, the most expensive corner and the scenario's own
  values; every candidate is kept. The frontier is the Pareto staircase of the candidates; the
  answer is the cheapest candidate with P >= p.
* **Shared months**: when the searched levers all start after month 1, every candidate's
  replicates fork from the months before (simulated once per seed in each worker process and
  kept), with exactly the numbers of straight runs.
* **Uncertainty**: each P has its exact Clopper-Pearson 95 % interval. The answer is then run
  again on fresh replicates (the next seeds of the same sequence), because the cheapest of many
  noisy estimates that pass p tends to be optimistic (the winner's curse); both are reported.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..scenario import ConfigError, _describe
from ._io import md_table, read_json, save_figure, write_folder, write_json

__all__ = [
    "Evaluation",
    "search_cheapest",
    "model_evaluator",
    "run_optimize",
    "optimize_markdown",
    "optimize_figure",
    "write_optimize",
    "format_optimize",
]


@dataclass
class Evaluation:
    """Outcomes of one candidate over its replicates.

    Attributes:
        cost: Per replicate, the cost (million CNY).
        met: Per target, per replicate: met at its deadline.
    """

    cost: np.ndarray
    met: dict[str, np.ndarray]

    @property
    def met_all(self) -> np.ndarray:
        """Per replicate: every target met."""
        out = np.ones(len(self.cost), dtype=bool)
        for m in self.met.values():
            out &= np.asarray(m, dtype=bool)
        return out


def _summary(ev: Evaluation) -> dict[str, Any]:
    from ..results import clopper_pearson

    met = ev.met_all
    s, n = int(met.sum()), len(met)
    lo, hi = clopper_pearson(s, n)
    per = {}
    for t, m in ev.met.items():
        k = int(np.sum(m))
        tlo, thi = clopper_pearson(k, n)
        per[t] = {"p_met": k / n, "ci_low": tlo, "ci_high": thi}
    return {
        "cost_cny_million": float(np.median(ev.cost)),
        "mean_cost_cny_million": float(np.mean(ev.cost)),
        "p_all_met": s / n,
        "ci_low": lo,
        "ci_high": hi,
        "successes": s,
        "n": n,
        "targets": per,
    }


def _suggest(trial, factor):
    if factor.values is not None:
        return trial.suggest_categorical(factor.key, list(factor.values))
    lo, hi = factor.bounds
    if factor.integer:
        return trial.suggest_int(factor.key, int(lo), int(hi))
    return trial.suggest_float(factor.key, float(lo), float(hi))


def _corner(space, high: bool) -> dict[str, Any]:
    out = {}
    for f in space:
        if f.values is not None:
            out[f.key] = f.values[-1] if high else f.values[0]
        else:
            v = f.bounds[1] if high else f.bounds[0]
            out[f.key] = int(v) if f.integer else float(v)
    return out


def _pareto(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The staircase of best P(all met) at each cost: trials sorted by cost, P strictly rising."""
    ordered = sorted(trials, key=lambda t: (t["cost_cny_million"], -t["p_all_met"]))
    out, best = [], -1.0
    for t in ordered:
        if t["p_all_met"] > best:
            out.append(t)
            best = t["p_all_met"]
    return out


def search_cheapest(
    space: Sequence,
    evaluate: Callable[[dict[str, Any]], Evaluation],
    p: float,
    trials: int,
    seed: int = 0,
    start: Sequence[dict[str, Any]] = (),
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Search a lever space for the cheapest setting with P(all met) >= p (optuna TPE).

    Args:
        space: The levers (:class:`~qcy_sim.experiment.Factor` with ``values`` or ``bounds``).
        evaluate: Runs a candidate (lever values) on the common replicates.
        p: Required probability that every target is met.
        trials: Candidates to evaluate (the start points included).
        seed: Seed of the sampler (same seed, same candidates).
        start: Candidates evaluated first (then the cheapest and dearest corners are added).
        progress: Called with each evaluated candidate.

    Returns:
        ``trials`` (every candidate with its levers, cost, P and interval), ``frontier`` (the
        Pareto staircase) and ``best`` (the cheapest candidate with P >= p, or null).
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(
            seed=seed, multivariate=True, n_startup_trials=min(10, max(1, trials // 4))
        )
        study = optuna.create_study(directions=["minimize", "maximize"], sampler=sampler)
    queued = []
    for cand in [*start, _corner(space, False), _corner(space, True)]:
        if cand not in queued:
            queued.append(cand)
    for cand in queued[:trials]:
        study.enqueue_trial(cand)
    records: list[dict[str, Any]] = []

    def objective(trial):
        values = {f.key: _suggest(trial, f) for f in space}
        ev = evaluate(values)
        rec = {"trial": trial.number, "levers": values, **_summary(ev)}
        records.append(rec)
        if progress:
            progress(rec)
        return rec["cost_cny_million"], rec["p_all_met"]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.optimize(objective, n_trials=trials, catch=(ConfigError,))
    feasible = [r for r in records if r["p_all_met"] >= p]
    best = min(feasible, key=lambda r: (r["cost_cny_million"], -r["p_all_met"]), default=None)
    return {
        "trials": records,
        "frontier": _pareto(records),
        "best": best,
        "failed_trials": sum(1 for t in study.trials if t.state.name == "FAIL"),
    }


# ----------------------------------------------------------------------------------------------
# The model as an evaluator


def _uncertain_draws(exp, replicates: int) -> list[dict[str, Any]]:
    """One draw of the experiment's [uncertain] factors per replicate (Latin hypercube)."""
    unc = [f for f in exp.factors if f.role == "uncertain"]
    if not unc:
        return [{} for _ in range(replicates)]
    from scipy.stats import qmc

    try:
        sampler = qmc.LatinHypercube(len(unc), rng=np.random.default_rng(exp.seed))
    except TypeError:  # SciPy < 1.15
        sampler = qmc.LatinHypercube(len(unc), seed=np.random.default_rng(exp.seed))
    u = sampler.random(replicates)
    cols = [f.scale(u[:, j]) for j, f in enumerate(unc)]
    return [{f.key: col[r] for f, col in zip(unc, cols, strict=True)} for r in range(replicates)]


def model_evaluator(exp, executor, replicates: int, first: int = 0, share: bool = True):
    """``evaluate(levers) -> Evaluation`` running the experiment's scenario on common seeds.

    A candidate that differs from the experiment's first point only in levers that start after
    month 1 shares the months before with it (:func:`~qcy_sim.model.shared_months`): its
    replicates fork from that point's first months, which each worker process simulates once
    per seed and keeps (:func:`~qcy_sim.runner.run_forked`); the numbers are those of straight
    runs. So a search over levers that all start later simulates their common months once.

    Args:
        exp: The experiment (one scenario).
        executor: An entered sweep executor (``imap_unordered(execute_run, tasks)``).
        replicates: Replicates per candidate.
        first: Index of the first replicate seed (the validation uses fresh ones).
        share: False runs every candidate straight.
    """
    from ..execution import execute_run
    from ..experiment import apply_point, make_run_id
    from ..model import shared_months
    from ..results import _public_columns, target_outcomes
    from ..runner import replicate_seeds, run_forked
    from ..runner import run as model_run
    from ..scenario import scenario_from_dict
    from ..schema import KPIS

    base = exp.params(exp.points[0])
    sc = exp.scenarios[0]
    seeds = replicate_seeds(exp.seed, replicates, first=first)
    draws = _uncertain_draws(exp, first + replicates)[first:]
    references = [apply_point(base, draw) for draw in draws]
    targets = [t for t in sc.targets if t.kpi in exp.targets]
    public = _public_columns()

    def evaluate(levers: dict[str, Any]) -> Evaluation:
        tasks, order = [], {}
        for r, (seed, draw) in enumerate(zip(seeds, draws, strict=True)):
            params = apply_point(base, {**levers, **draw})
            checked = scenario_from_dict(params, path=f"{exp.path} (candidate {levers})")
            rid = make_run_id(checked.config_hash, {**levers, **draw}, first + r, seed)
            order[rid] = r
            months = shared_months(references[r], params) if share else None
            if months:
                forked = {"reference": references[r], "mix": params, "shared_months": months}
                tasks.append((rid, forked, seed, run_forked))
            else:
                tasks.append((rid, params, seed, model_run))
        kpi = [None] * replicates
        spending = [None] * replicates
        for out in executor.imap_unordered(execute_run, tasks):
            if out["status"] != "ok":
                raise RuntimeError(f"a run of candidate {levers} failed: {out['error']}")
            r = order[out["run_id"]]
            kpi[r], spending[r] = out["kpi"], out["spending"]
        kpi_a = np.stack(kpi)
        sp = np.stack(spending)
        met = {}
        for t in targets:
            met[t.kpi] = target_outcomes(kpi_a[:, :, KPIS.index(t.kpi)], t, sc.target_month(t))[0]
        return Evaluation(cost=sp[:, :, public].sum(axis=(1, 2)), met=met)

    return evaluate


def run_optimize(
    experiment_path: str | Path,
    p: float,
    trials: int | None = None,
    replicates: int | None = None,
    validate_replicates: int | None = None,
    executor=None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Search the experiment's levers; the content of ``optimize.json``.

    Args:
        experiment_path: Experiment file: one scenario, ``[levers]`` with ranges or values,
            ``[experiment] targets`` and ``replicates``, optionally ``[uncertain]``.
        p: Required P(all chosen targets met).
        trials: Candidates to evaluate (default 40).
        replicates: Replicates per candidate (default: the experiment's).
        validate_replicates: Fresh replicates for the answer (default: ``replicates``; 0 skips).
        executor: A sweep executor (default: a local process pool).
        progress: Called with each evaluated candidate.
    """
    from ..execution import LocalExecutor
    from ..experiment import load_experiment
    from ..results import provenance

    if not (isinstance(p, float | int) and 0.0 < p <= 1.0):
        raise ConfigError("command line", "--p", "a probability in (0, 1]", _describe(p))
    exp = load_experiment(experiment_path)
    if len(exp.scenarios) != 1:
        raise ConfigError(
            experiment_path,
            "experiment.scenarios",
            "exactly one scenario for qcy optimize",
            f"{len(exp.scenarios)}",
        )
    space = [f for f in exp.factors if f.role == "lever"]
    if not space:
        raise ConfigError(
            experiment_path, "levers", "at least one lever (the search space)", "none"
        )
    if not exp.targets:
        raise ConfigError(experiment_path, "experiment.targets", "at least one target", "none")
    trials = 40 if trials is None else trials
    replicates = exp.replicates if replicates is None else replicates
    validate_replicates = replicates if validate_replicates is None else validate_replicates
    sc = exp.scenarios[0]
    resolved = exp.params(exp.points[0])
    start = []
    own = {}
    for f in space:
        node: Any = resolved
        for part in f.key.split("."):
            node = node[part]
        own[f.key] = node
    inside = all(
        (f.values is not None and own[f.key] in f.values)
        or (f.bounds is not None and f.bounds[0] <= own[f.key] <= f.bounds[1])
        for f in space
    )
    if inside:
        start.append(own)
    executor = executor or LocalExecutor()
    t0 = time.time()
    with executor:
        evaluate = model_evaluator(exp, executor, replicates)
        res = search_cheapest(space, evaluate, p, trials, exp.seed, start=start, progress=progress)
        validation = None
        if res["best"] is not None and validate_replicates > 0:
            check = model_evaluator(exp, executor, validate_replicates, first=replicates)
            validation = _summary(check(res["best"]["levers"]))
            validation["replicates"] = f"{replicates} .. {replicates + validate_replicates - 1}"
    from ..runner import replicate_seeds

    return {
        "kind": "optimize",
        "experiment": exp.name,
        "experiment_path": exp.path,
        "scenario": {"name": sc.name, "path": sc.path, "config_hash": sc.config_hash},
        "p": p,
        "targets": list(exp.targets),
        "replicates": replicates,
        "base_seed": exp.seed,
        "seeds": replicate_seeds(exp.seed, replicates),
        "cost": "median over replicates of public spending over the horizon, million CNY "
        "(public_spending_cny_million: every account except private venture capital)",
        "search_space": [f.to_dict() for f in space],
        "uncertain": [f.to_dict() for f in exp.factors if f.role == "uncertain"],
        "scenario_levers": own,
        "optimizer": {
            "library": f"optuna {version('optuna')}",
            "sampler": "TPESampler(multivariate=True), objectives: minimise cost, "
            "maximise P(all met)",
            "trials": trials,
            "seed": exp.seed,
            "failed_trials": res["failed_trials"],
        },
        "method": "Common random numbers: every candidate runs the same replicate seeds (and "
        "the same draws of uncertain factors); P(all met) with exact Clopper-Pearson "
        "95 % intervals; the answer is the cheapest candidate with P >= p, run again "
        "on fresh replicates (validation)",
        "best": res["best"],
        "validation": validation,
        "frontier": res["frontier"],
        "trials": res["trials"],
        "elapsed_s": round(time.time() - t0, 3),
        "provenance": provenance(),
    }


# ----------------------------------------------------------------------------------------------
# Writing


def _fmt_levers(levers: dict[str, Any]) -> str:
    return ", ".join(
        f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in levers.items()
    )


def optimize_markdown(data: dict[str, Any]) -> str:
    """``optimize.md``: the answer, its validation and the frontier table."""
    keys = [f["key"] for f in data["search_space"]]
    lines = [
        f"# Cheapest mix: {data['experiment']} (P(all met) ≥ {data['p']:g})",
        "",
        f"Scenario {data['scenario']['name']} (config {data['scenario']['config_hash']}); "
        f"targets: {', '.join(data['targets'])}. {data['replicates']} replicates per candidate "
        f"(base seed {data['base_seed']}), {len(data['trials'])} candidates "
        f"({data['optimizer']['library']}, {data['optimizer']['sampler']}).",
        "",
        f"Cost: {data['cost']}.",
        "",
        "## Answer",
        "",
    ]
    b = data["best"]
    if b is None:
        best_p = max((t["p_all_met"] for t in data["trials"]), default=0.0)
        lines += [
            f"No candidate reached P ≥ {data['p']:g} (best found: {best_p:.2f}). Widen the "
            "lever ranges, add trials or choose fewer targets.",
            "",
        ]
    else:
        lines += [
            f"Trial {b['trial']}: median public cost **{b['cost_cny_million']:,.0f} million "
            f"CNY**, P(all met) **{b['p_all_met']:.2f}** [{b['ci_low']:.2f}, "
            f"{b['ci_high']:.2f}] ({b['successes']}/{b['n']}).",
            "",
        ]
        lines += md_table(
            ["lever", "value", "swept"],
            [
                [
                    f"`{f['key']}`",
                    _fmt(b["levers"][f["key"]]),
                    f["range"] if "range" in f else f["values"],
                ]
                for f in data["search_space"]
            ],
        ) + [""]
        v = data.get("validation")
        if v:
            lines += [
                f"Validation on fresh replicates ({v['replicates']}): P(all met) "
                f"{v['p_all_met']:.2f} [{v['ci_low']:.2f}, {v['ci_high']:.2f}], median cost "
                f"{v['cost_cny_million']:,.0f} million CNY.",
                "",
            ]
        lines += md_table(
            ["target", "P(met) [95% CI]"],
            [
                [t, f"{e['p_met']:.2f} [{e['ci_low']:.2f}, {e['ci_high']:.2f}]"]
                for t, e in b["targets"].items()
            ],
        ) + [""]
    lines += [
        "## Budget–probability frontier",
        "",
        "The best P(all met) found at each budget: candidates by cost, keeping each one "
        "that beats every cheaper one.",
        "",
    ]
    rows = [
        [
            f"{t['cost_cny_million']:,.0f}",
            f"{t['p_all_met']:.2f}",
            f"[{t['ci_low']:.2f}, {t['ci_high']:.2f}]",
            t["trial"],
            *[_fmt(t["levers"][k]) for k in keys],
        ]
        for t in data["frontier"]
    ]
    lines += md_table(["budget (million CNY)", "P(all met)", "95% CI", "trial", *keys], rows)
    return "\n".join(lines) + "\n"


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def optimize_figure(data: dict[str, Any]):
    """Every candidate, the frontier staircase with intervals, p and the answer."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 5.2), layout="constrained")
    ax = fig.subplots()
    tr = data["trials"]
    c = np.array([t["cost_cny_million"] for t in tr])
    pa = np.array([t["p_all_met"] for t in tr])
    ax.scatter(c, pa, s=14, color="0.65", label="candidates", zorder=2)
    fr = data["frontier"]
    if fr:
        fc = np.array([t["cost_cny_million"] for t in fr])
        fp = np.array([t["p_all_met"] for t in fr])
        lo = np.array([t["ci_low"] for t in fr])
        hi = np.array([t["ci_high"] for t in fr])
        right = max(float(c.max()), float(fc.max()))
        ax.step(
            np.append(fc, right),
            np.append(fp, fp[-1]),
            where="post",
            color="#1f77b4",
            lw=1.8,
            label="frontier (best P at each budget)",
            zorder=3,
        )
        ax.errorbar(
            fc,
            fp,
            yerr=[fp - lo, hi - fp],
            fmt="o",
            color="#1f77b4",
            ms=4,
            capsize=3,
            lw=1,
            zorder=4,
            label="95 % Clopper-Pearson interval",
        )
    ax.axhline(data["p"], color="#d62728", ls="--", lw=1, label=f"p = {data['p']:g}")
    b = data["best"]
    if b is not None:
        ax.plot(
            [b["cost_cny_million"]],
            [b["p_all_met"]],
            "*",
            ms=16,
            color="#d62728",
            zorder=5,
            label="cheapest with P ≥ p",
        )
        v = data.get("validation")
        if v:
            ax.errorbar(
                [v["cost_cny_million"]],
                [v["p_all_met"]],
                yerr=[[v["p_all_met"] - v["ci_low"]], [v["ci_high"] - v["p_all_met"]]],
                fmt="s",
                color="#2ca02c",
                ms=6,
                capsize=4,
                zorder=5,
                label="answer on fresh replicates",
            )
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("median public spending over the horizon (million CNY)")
    ax.set_ylabel("P(all chosen targets met)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(
        f"Budget–probability frontier — {data['experiment']}: "
        f"{len(tr)} candidates x {data['replicates']} replicates (same seeds)",
        fontsize=10,
    )
    return fig


def write_optimize(data: dict[str, Any], out_dir: str | Path, figures: bool = True) -> None:
    """Write ``optimize.json``, ``optimize.md`` and ``optimize.png`` to ``out_dir`` atomically."""

    def build(tmp: Path) -> None:
        (tmp / "optimize.md").write_text(optimize_markdown(data), encoding="utf-8")
        if figures:
            save_figure(optimize_figure(data), tmp / "optimize.png")
        write_json(tmp / "optimize.json", data)

    write_folder(out_dir, build)


def format_optimize(data: dict[str, Any]) -> str:
    """The answer and the frontier as text."""
    lines = [
        f"{data['experiment']}: {len(data['trials'])} candidates x {data['replicates']} "
        f"replicates (same seeds); targets {', '.join(data['targets'])}"
    ]
    b = data["best"]
    if b is None:
        best_p = max((t["p_all_met"] for t in data["trials"]), default=0.0)
        lines.append(f"no candidate reached P(all met) >= {data['p']:g} (best {best_p:.2f})")
    else:
        lines.append(
            f"cheapest with P(all met) >= {data['p']:g}: {b['cost_cny_million']:,.0f} "
            f"million CNY, P {b['p_all_met']:.2f} [{b['ci_low']:.2f}, {b['ci_high']:.2f}]"
            f" (trial {b['trial']})"
        )
        lines.append(f"    {_fmt_levers(b['levers'])}")
        v = data.get("validation")
        if v:
            lines.append(
                f"    on fresh replicates: P {v['p_all_met']:.2f} [{v['ci_low']:.2f}, "
                f"{v['ci_high']:.2f}], {v['cost_cny_million']:,.0f} million CNY"
            )
    lines.append("frontier (budget million CNY -> best P(all met) [95% CI]):")
    for t in data["frontier"]:
        lines.append(
            f"    {t['cost_cny_million']:>10,.0f}  {t['p_all_met']:.2f} "
            f"[{t['ci_low']:.2f}, {t['ci_high']:.2f}]  trial {t['trial']}"
        )
    return "\n".join(lines)


def load_optimize(folder: str | Path) -> dict[str, Any]:
    """``optimize.json`` of a folder."""
    return read_json(Path(folder) / "optimize.json", "optimize.json")
