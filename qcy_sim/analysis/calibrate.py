"""Calibration: fit uncertain parameters to observed series, then project with them.

``qcy calibrate CONFIG`` reads a calibration file (TOML)::

    [calibration]
    name = "calibrate_2021"                        # default: the file's stem
    scenario = "../scenarios/no_new_policy.toml"   # simulated against the observations
    extends = "../scenarios/baseline.toml"         # written scenario extends it (default: scenario)
    observed = "observed.csv"                      # default: the packaged observed_to_2021.csv
    rows = ["xx-2021-06", "xx-2021-07"]            # default: every usable row
    trials = 40                                    # optuna trials (a resumed study runs the rest)
    replicates = 4                                 # per trial, the same seeds for every trial
    seed = 2021
    weights = { high = 1.0, medium = 0.5, low = 0.25 }   # by the row's confidence

    [overrides]                                    # dotted scenario keys for the simulated runs
    "time.start" = "2021-01"
    "time.horizon_months" = 12

    [parameters]                                   # default: schema.uncertain_parameters()
    "enterprise.relocations_per_year" = { range = [330, 450] }

Observed rows have the columns of ``observed_to_2021.csv`` (``id, geography, period_start,
period_end, quantity, value, unit, meaning, source, confidence``); users add their own, e.g. the
figures reported for 2022 and 2023. A row is used when its quantity maps to a model output
(:data:`QUANTITIES`) and its period lies inside the simulated months:

=================================  ==================================  =======================
quantity                           model output                        over the period
=================================  ==================================  =======================
``new_tech_smes_registered``       series ``new_tech_smes``            sum of the months
``high_tech_firms_passing_review`` series ``new_high_tech_firms``      sum of the months
``new_tech_firms_landed``          series ``relocations``              sum of the months
``incubators_total``               series ``incubators``               value at the end
``technology_managers``            KPI ``tech_brokers``                value at the end
=================================  ==================================  =======================

The loss of a parameter set is ``sum_i w_i ((m_i - o_i) / o_i)^2`` over the rows, with ``m_i`` the
mean over the replicates of the simulated quantity, ``o_i`` the observed value and ``w_i`` the
weight of the row's confidence. It is minimised with optuna's TPE sampler; the study is kept in
``<out>/study.sqlite3`` so an interrupted calibration resumes where it stopped (resuming restarts
the sampler's random state, so a resumed study may propose other points than an uninterrupted
one). Outputs: ``calibrated.toml`` (a scenario that ``extends`` the chosen base with the fitted
values), ``fit.json`` / ``fit.md`` (rows observed vs simulated before and after, parameters,
loss) and ``calibration.png`` (before/after).
"""

from __future__ import annotations

import hashlib
import math
import os
import time
import warnings
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..scenario import ConfigError, Scenario, _describe, _suggest, month_index, month_label
from ._io import md_table, read_json, read_toml, save_figure, write_into, write_json

__all__ = [
    "QUANTITIES",
    "CalibrationConfig",
    "load_calibration",
    "simulate_rows",
    "loss",
    "run_calibration",
    "calibration_markdown",
    "calibration_figure",
    "calibrated_toml",
    "format_calibration",
]

# observed quantity -> (kind, model output, aggregation over the row's period)
QUANTITIES: dict[str, tuple[str, str, str]] = {
    "new_tech_smes_registered": ("series", "new_tech_smes", "sum"),
    "high_tech_firms_passing_review": ("series", "new_high_tech_firms", "sum"),
    "new_tech_firms_landed": ("series", "relocations", "sum"),
    "incubators_total": ("series", "incubators", "end"),
    "technology_managers": ("kpi", "tech_brokers", "end"),
}
_TOP = ("calibration", "overrides", "parameters")
_KEYS = (
    "name",
    "description",
    "scenario",
    "extends",
    "observed",
    "rows",
    "trials",
    "replicates",
    "seed",
    "weights",
)
_DEFAULT_WEIGHTS = {"high": 1.0, "medium": 0.5, "low": 0.25}
_COLUMNS = ("id", "period_start", "period_end", "quantity", "value", "confidence")


@dataclass(frozen=True)
class ObservedRow:
    """One observed value the model is fitted to."""

    id: str
    quantity: str
    period_start: str
    period_end: str
    value: float
    confidence: str
    weight: float
    first: int  # month index of period_start in the simulated runs
    last: int  # month index of period_end
    source: str

    @property
    def output(self) -> tuple[str, str, str]:
        """``(kind, name, aggregation)`` of the model output compared with it."""
        return QUANTITIES[self.quantity]


@dataclass(frozen=True)
class CalibrationConfig:
    """A validated calibration file."""

    name: str
    description: str
    path: str
    scenario: Scenario  # as simulated: overrides applied, targets dropped
    extends: str  # path of the scenario the fitted one extends
    extends_scenario: Scenario
    observed: str
    rows: tuple[ObservedRow, ...]
    skipped: tuple[str, ...]
    parameters: tuple  # experiment Factors
    trials: int
    replicates: int
    seed: int
    overrides: dict[str, Any]
    config_hash: str

    @property
    def study_name(self) -> str:
        """The optuna study's name: the config's name and hash."""
        return f"{self.name}-{self.config_hash[:12]}"


def _int(file: str, key: str, value: Any, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ConfigError(file, key, f"an integer >= {lo}", _describe(value))
    return value


def load_calibration(path: str | Path) -> CalibrationConfig:
    """Read and validate a calibration file; every problem is a :class:`ConfigError`."""
    import pandas as pd

    from ..experiment import (
        _check_keys,
        _check_scalar,
        _flatten_factors,
        _flatten_points,
        _parse_factor,
        _Validator,
        apply_point,
        canonical_json,
    )
    from ..scenario import load_scenario, scenario_from_dict
    from ..schema import uncertain_parameters

    path = Path(path)
    file = str(path)
    data = read_toml(path, "calibration file")
    _check_keys(file, data, _TOP, "")
    cal = data.get("calibration")
    if not isinstance(cal, dict):
        raise ConfigError(
            file,
            "calibration",
            "a [calibration] table",
            "nothing" if cal is None else _describe(cal),
        )
    _check_keys(file, cal, _KEYS, "calibration")
    name = cal.get("name", path.stem)
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "_.-" for c in name):
        raise ConfigError(
            file, "calibration.name", "letters, digits, '_', '-' or '.'", _describe(name)
        )
    description = cal.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(file, "calibration.description", "a string", _describe(description))

    def scenario_path(key: str) -> Path:
        raw = cal[key]
        if not isinstance(raw, str):
            raise ConfigError(file, f"calibration.{key}", "a scenario file name", _describe(raw))
        target = Path(os.path.normpath(path.parent / raw))
        if not target.is_file():
            raise ConfigError(
                file, f"calibration.{key}", "an existing scenario file", f"no file at {target}"
            )
        return target

    if "scenario" not in cal:
        raise ConfigError(file, "calibration.scenario", "a scenario file", "nothing")
    sc_path = scenario_path("scenario")
    base = load_scenario(sc_path)
    ext_path = scenario_path("extends") if "extends" in cal else sc_path
    extends_sc = load_scenario(ext_path)

    # the simulated scenario: overrides applied, targets dropped (their deadlines may lie
    # outside a calibration window)
    overrides = _flatten_points(data.get("overrides", {}), file, "overrides")
    val0 = _Validator(file, [base])
    for key, value in overrides.items():
        val0.check_key(f"overrides.{key}", key)
        _check_scalar(file, f"overrides.{key}", value)
    params = apply_point(base.to_dict(), overrides)
    params["targets"] = {}
    try:
        sim = scenario_from_dict(params, path=str(sc_path))
    except ConfigError as exc:
        raise ConfigError(file, f"overrides ({exc.key})", exc.expected, exc.found) from None
    val = _Validator(file, [sim])

    raw_params = data.get("parameters")
    if raw_params is None:
        specs = {k: {"range": [lo, hi]} for k, (lo, hi) in uncertain_parameters().items()}
    else:
        specs = _flatten_factors(raw_params, file, "parameters")
        if not specs:
            raise ConfigError(file, "parameters", "at least one parameter", "an empty table")
    factors = []
    for key, spec in specs.items():
        if key in overrides:
            raise ConfigError(
                file, f"parameters.{key}", "a key not also in [overrides]", "a key in both"
            )
        f = _parse_factor(file, "parameters", key, spec, "lhs", val)
        factors.append(f)

    trials = _int(file, "calibration.trials", cal.get("trials", 40), 1)
    replicates = _int(file, "calibration.replicates", cal.get("replicates", 4), 1)
    seed = _int(file, "calibration.seed", cal.get("seed", 0), 0)
    weights = dict(_DEFAULT_WEIGHTS)
    raw_w = cal.get("weights", {})
    if not isinstance(raw_w, dict):
        raise ConfigError(
            file, "calibration.weights", "a table of confidence = weight", _describe(raw_w)
        )
    for k, w in raw_w.items():
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
            raise ConfigError(file, f"calibration.weights.{k}", "a number >= 0", _describe(w))
        weights[k] = float(w)

    if "observed" in cal:
        if not isinstance(cal["observed"], str):
            raise ConfigError(
                file, "calibration.observed", "a CSV file name", _describe(cal["observed"])
            )
        obs_path = Path(os.path.normpath(path.parent / cal["observed"]))
        if not obs_path.is_file():
            raise ConfigError(
                file, "calibration.observed", "an existing CSV file", f"no file at {obs_path}"
            )
        obs_file = str(obs_path)
    else:
        from importlib.resources import files

        obs_file = str(files("qcy_sim") / "data" / "observed_to_2021.csv")
    try:
        table = pd.read_csv(
            obs_file,
            dtype={
                "id": str,
                "period_start": str,
                "period_end": str,
                "quantity": str,
                "confidence": str,
            },
        )
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(
            obs_file, "", "a CSV file of observed rows", f"unreadable ({exc})"
        ) from None
    missing = [c for c in _COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(
            obs_file,
            "",
            f"the columns of observed_to_2021.csv ({', '.join(_COLUMNS)})",
            f"no column {missing[0]!r}",
        )
    if table["id"].duplicated().any():
        dup = table["id"][table["id"].duplicated()].iloc[0]
        raise ConfigError(obs_file, f"id {dup}", "distinct row ids", "a repeated id")
    start, horizon = sim.params.time.start, sim.horizon
    rows, skipped = [], []
    wanted = cal.get("rows")
    if wanted is not None:
        if (
            not isinstance(wanted, list)
            or not wanted
            or not all(isinstance(r, str) for r in wanted)
        ):
            raise ConfigError(
                file, "calibration.rows", "a non-empty list of row ids", _describe(wanted)
            )
        ids = list(table["id"])
        for i, r in enumerate(wanted):
            if r not in ids:
                raise ConfigError(
                    file,
                    f"calibration.rows[{i}]",
                    f"a row id of {obs_file}{_suggest(r, ids)}",
                    repr(r),
                )
    for _, rec in table.iterrows():
        rid = str(rec["id"])
        if wanted is not None and rid not in wanted:
            continue
        where = f"row {rid}"
        quantity = str(rec["quantity"])
        if quantity not in QUANTITIES:
            if wanted is not None:
                raise ConfigError(
                    file,
                    f"calibration.rows ({rid})",
                    f"a row whose quantity the model outputs (one of {', '.join(QUANTITIES)})",
                    repr(quantity),
                )
            skipped.append(f"{rid}: quantity {quantity} is not a model output")
            continue
        try:
            value = float(rec["value"])
            first = month_index(start, str(rec["period_start"]))
            last = month_index(start, str(rec["period_end"]))
        except (TypeError, ValueError):
            raise ConfigError(
                obs_file,
                where,
                "a numeric value and YYYY-MM periods",
                f"{rec['value']!r}, {rec['period_start']!r}, {rec['period_end']!r}",
            ) from None
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(obs_file, f"{where}.value", "a positive number", repr(rec["value"]))
        if last < first:
            raise ConfigError(
                obs_file, f"{where}.period_end", "a month >= period_start", repr(rec["period_end"])
            )
        if first < 1 or last > horizon:
            msg = (
                f"{rid}: period {rec['period_start']}..{rec['period_end']} is outside the "
                f"simulated months {start}..{month_label(start, horizon)}"
            )
            if wanted is not None:
                raise ConfigError(
                    file,
                    f"calibration.rows ({rid})",
                    "a row inside the "
                    f"simulated months {start}..{month_label(start, horizon)} "
                    "(see [overrides] time.start, time.horizon_months)",
                    f"{rec['period_start']}..{rec['period_end']}",
                )
            skipped.append(msg)
            continue
        conf = str(rec["confidence"])
        rows.append(
            ObservedRow(
                id=rid,
                quantity=quantity,
                period_start=str(rec["period_start"]),
                period_end=str(rec["period_end"]),
                value=value,
                confidence=conf,
                weight=weights.get(conf, 1.0),
                first=first,
                last=last,
                source=str(rec.get("source", "")),
            )
        )
    if not rows:
        raise ConfigError(
            file,
            "calibration.rows",
            "at least one observed row inside the "
            f"simulated months with a mapped quantity ({', '.join(QUANTITIES)})",
            "none" + (f" ({'; '.join(skipped[:3])})" if skipped else ""),
        )
    blob = canonical_json(
        {
            "scenario": sim.config_hash,
            "extends": extends_sc.config_hash,
            "rows": [(r.id, r.value, r.first, r.last, r.weight) for r in rows],
            "parameters": [f.to_dict() for f in factors],
            "replicates": replicates,
            "seed": seed,
        }
    )
    return CalibrationConfig(
        name=name,
        description=description,
        path=file,
        scenario=sim,
        extends=str(ext_path),
        extends_scenario=extends_sc,
        observed=obs_file,
        rows=tuple(rows),
        skipped=tuple(skipped),
        parameters=tuple(factors),
        trials=trials,
        replicates=replicates,
        seed=seed,
        overrides=overrides,
        config_hash=hashlib.sha256(blob.encode()).hexdigest(),
    )


# ----------------------------------------------------------------------------------------------
# Simulating the observed quantities


def simulate_rows(cfg: CalibrationConfig, values: dict[str, Any], executor) -> np.ndarray:
    """``(replicates, rows)``: each observed quantity as simulated with ``values`` set.

    Replicate ``r`` uses ``replicate_seeds(cfg.seed, replicates)[r]`` for every parameter set
    (common random numbers).
    """
    from ..experiment import apply_point, make_run_id
    from ..model import SERIES
    from ..runner import replicate_seeds
    from ..runner import run as model_run
    from ..schema import KPIS
    from ..sweep import execute_run

    params = apply_point(cfg.scenario.to_dict(), values)
    seeds = replicate_seeds(cfg.seed, cfg.replicates)
    tasks, order = [], {}
    for r, seed in enumerate(seeds):
        rid = make_run_id(cfg.scenario.config_hash, values, r, seed)
        order[rid] = r
        tasks.append((rid, params, seed, model_run))
    out = np.zeros((cfg.replicates, len(cfg.rows)))
    for res in executor.imap_unordered(execute_run, tasks):
        if res["status"] != "ok":
            raise RuntimeError(f"a calibration run failed ({values}): {res['error']}")
        r = order[res["run_id"]]
        for i, row in enumerate(cfg.rows):
            kind, name, agg = row.output
            arr = (
                res["series"][:, SERIES.index(name)]
                if kind == "series"
                else res["kpi"][:, KPIS.index(name)]
            )
            out[r, i] = arr[row.first : row.last + 1].sum() if agg == "sum" else arr[row.last]
    return out


def loss(cfg: CalibrationConfig, simulated: np.ndarray) -> float:
    """Weighted sum of squared relative errors of the replicate means."""
    obs = np.array([r.value for r in cfg.rows])
    w = np.array([r.weight for r in cfg.rows])
    m = simulated.mean(axis=0)
    return float(np.sum(w * ((m - obs) / obs) ** 2))


def _row_stats(cfg: CalibrationConfig, simulated: np.ndarray) -> list[dict[str, Any]]:
    out = []
    for i, r in enumerate(cfg.rows):
        x = simulated[:, i]
        out.append(
            {
                "mean": float(x.mean()),
                "q05": float(np.quantile(x, 0.05)),
                "q95": float(np.quantile(x, 0.95)),
                "relative_error": float((x.mean() - r.value) / r.value),
            }
        )
    return out


def _at_bound(factor, value: Any) -> bool:
    """Within 1 % of the range's width of either end: the data pull towards or beyond it."""
    if factor.bounds is None:
        return False
    lo, hi = factor.bounds
    return bool(min(value - lo, hi - value) <= 0.01 * (hi - lo))


def _scenario_values(sc: Scenario, keys) -> dict[str, Any]:
    data = sc.to_dict()
    out = {}
    for key in keys:
        node: Any = data
        for part in key.split("."):
            node = node[part]
        out[key] = node
    return out


def run_calibration(
    cfg: CalibrationConfig,
    out: str | Path,
    trials: int | None = None,
    executor=None,
    progress=None,
) -> dict[str, Any]:
    """Run (or resume) the optuna study and write the outputs; the content of ``fit.json``.

    Args:
        cfg: A validated calibration.
        out: Output folder; the study is kept in ``<out>/study.sqlite3``.
        trials: Total trials wanted in the study (default: the file's).
        executor: A sweep executor (default: a local process pool).
        progress: Called with ``(trial number, loss, best loss)`` after each trial.
    """
    import optuna

    from ..results import provenance
    from ..runner import replicate_seeds
    from ..sweep import LocalExecutor

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    trials = cfg.trials if trials is None else trials
    storage = f"sqlite:///{(out / 'study.sqlite3').resolve()}"
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(
            seed=cfg.seed, multivariate=True, n_startup_trials=min(10, max(1, trials // 4))
        )
        study = optuna.create_study(
            study_name=cfg.study_name,
            storage=storage,
            sampler=sampler,
            direction="minimize",
            load_if_exists=True,
        )
    keys = [f.key for f in cfg.parameters]
    before_values = _scenario_values(cfg.scenario, keys)
    done = [t for t in study.trials if t.state.name == "COMPLETE"]
    if not done:
        inside = all(
            (f.values is not None and before_values[f.key] in f.values)
            or (f.bounds is not None and f.bounds[0] <= before_values[f.key] <= f.bounds[1])
            for f in cfg.parameters
        )
        if inside:  # the scenario's own values are the first candidate
            study.enqueue_trial(before_values)
    t0 = time.time()
    executor = executor or LocalExecutor()
    with executor:

        def objective(trial):
            from .optimize import _suggest

            values = {f.key: _suggest(trial, f) for f in cfg.parameters}
            value = loss(cfg, simulate_rows(cfg, values, executor))
            return value

        def callback(study, trial):
            if progress and trial.value is not None:
                progress(trial.number, trial.value, study.best_value)

        remaining = max(0, trials - len(done))
        if remaining:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                study.optimize(objective, n_trials=remaining, callbacks=[callback])
        best = study.best_trial
        after_values = {f.key: best.params[f.key] for f in cfg.parameters}
        sim_before = simulate_rows(cfg, before_values, executor)
        sim_after = simulate_rows(cfg, after_values, executor)
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    data = {
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
        "extends": {
            "name": cfg.extends_scenario.name,
            "path": cfg.extends,
            "config_hash": cfg.extends_scenario.config_hash,
        },
        "observed": cfg.observed,
        "replicates": cfg.replicates,
        "base_seed": cfg.seed,
        "seeds": replicate_seeds(cfg.seed, cfg.replicates),
        "loss": "sum over rows of weight x ((mean simulated - observed) / observed)^2; weights "
        "by confidence",
        "optimizer": {
            "library": f"optuna {version('optuna')}",
            "sampler": "TPESampler(multivariate=True)",
            "seed": cfg.seed,
            "storage": str(out / "study.sqlite3"),
            "study": cfg.study_name,
            "trials": len(complete),
            "best_trial": best.number,
        },
        "loss_before": loss(cfg, sim_before),
        "loss_after": loss(cfg, sim_after),
        "parameters": {
            f.key: {
                "range": list(f.bounds) if f.bounds else list(f.values),
                "before": before_values[f.key],
                "after": after_values[f.key],
                "at_bound": _at_bound(f, after_values[f.key]),
            }
            for f in cfg.parameters
        },
        "rows": [
            {
                "id": r.id,
                "quantity": r.quantity,
                "period": f"{r.period_start}..{r.period_end}",
                "observed": r.value,
                "confidence": r.confidence,
                "weight": r.weight,
                "model_output": f"{r.output[0]} {r.output[1]} ({r.output[2]})",
                "source": r.source,
                "before": b,
                "after": a,
            }
            for r, b, a in zip(
                cfg.rows, _row_stats(cfg, sim_before), _row_stats(cfg, sim_after), strict=True
            )
        ],
        "skipped_rows": list(cfg.skipped),
        "trials": [{"trial": t.number, "loss": t.value, "params": t.params} for t in complete],
        "calibrated_scenario": "calibrated.toml",
        "elapsed_s": round(time.time() - t0, 3),
        "provenance": provenance(),
    }

    def build(tmp: Path) -> None:
        (tmp / "calibrated.toml").write_text(calibrated_toml(data, out), encoding="utf-8")
        (tmp / "fit.md").write_text(calibration_markdown(data), encoding="utf-8")
        save_figure(calibration_figure(data), tmp / "calibration.png")
        write_json(tmp / "fit.json", data)

    write_into(out, build, last="fit.json")
    from ..scenario import load_scenario

    load_scenario(out / "calibrated.toml")  # the written scenario must load
    return data


# ----------------------------------------------------------------------------------------------
# Writing


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(float(f"{v:.6g}"))
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def calibrated_toml(data: dict[str, Any], out_dir: str | Path) -> str:
    """A scenario file that extends the chosen base with the fitted values."""
    ext = Path(data["extends"]["path"]).resolve()
    rel = os.path.relpath(ext, Path(out_dir).resolve())
    tables: dict[str, list[str]] = {}
    for key, p in data["parameters"].items():
        table, leaf = key.rsplit(".", 1)
        tables.setdefault(table, []).append(f"{leaf} = {_toml_value(p['after'])}")
    rows = ", ".join(r["id"] for r in data["rows"])
    lines = [
        f"# Written by qcy calibrate from {data['config']} (config {data['config_hash'][:12]}).",
        f"# Fitted to rows {rows} of {data['observed']}",
        f"# (loss {data['loss_before']:.4g} before, {data['loss_after']:.4g} after; "
        f"{data['optimizer']['trials']} trials x {data['replicates']} replicates, seed "
        f"{data['base_seed']}). Run it with: qcy run <this file>",
        f'name = "{data["extends"]["name"]}_calibrated"',
        f'description = "{data["extends"]["name"]} with {len(data["parameters"])} parameters '
        f'fitted by qcy calibrate ({data["name"]})."',
        f"extends = {_toml_value(rel)}",
        "",
    ]
    for table, entries in tables.items():
        lines.append(f"[{table}]")
        lines += entries
        lines.append("")
    return "\n".join(lines)


def calibration_markdown(data: dict[str, Any]) -> str:
    """``fit.md``: the fit table and the parameters."""
    lines = [
        f"# Calibration: {data['name']}",
        "",
        f"Simulated scenario {data['scenario']['name']} (config {data['scenario']['config_hash']}"
        + (f", overrides {data['scenario']['overrides']}" if data["scenario"]["overrides"] else "")
        + f"); observed rows from `{data['observed']}`. {data['optimizer']['trials']} trials "
        f"({data['optimizer']['library']}, {data['optimizer']['sampler']}, study "
        f"`{data['optimizer']['study']}`), {data['replicates']} replicates per trial (base seed "
        f"{data['base_seed']}, the same seeds for every trial).",
        "",
        f"Loss ({data['loss']}): **{data['loss_before']:.4g}** before, "
        f"**{data['loss_after']:.4g}** after.",
        "",
        "## Fit",
        "",
    ]
    rows = [
        [
            r["id"],
            r["quantity"],
            r["period"],
            f"{r['observed']:,.4g}",
            r["model_output"],
            f"{r['before']['mean']:,.4g} ({r['before']['relative_error']:+.1%})",
            f"{r['after']['mean']:,.4g} ({r['after']['relative_error']:+.1%})",
            f"{r['confidence']} ({r['weight']:g})",
        ]
        for r in data["rows"]
    ]
    lines += md_table(
        [
            "row",
            "quantity",
            "period",
            "observed",
            "model output",
            "before (error)",
            "after (error)",
            "confidence (weight)",
        ],
        rows,
    )
    lines += ["", "## Parameters", ""]
    lines += md_table(
        ["parameter", "range", "before", "fitted"],
        [
            [
                f"`{k}`",
                p["range"],
                _fmt(p["before"]),
                _fmt(p["after"]) + (" (at a bound)" if p.get("at_bound") else ""),
            ]
            for k, p in data["parameters"].items()
        ],
    )
    bound = [k for k, p in data["parameters"].items() if p.get("at_bound")]
    if bound:
        lines += [
            "",
            f"Fitted at a bound of its range: {', '.join(bound)}. The observations "
            "pull towards or beyond the range: widen it if the range is not a hard limit, "
            "or read it as a sign that another mechanism is missing or mis-set.",
        ]
    if data["skipped_rows"]:
        lines += ["", "## Rows not used", ""] + [f"- {s}" for s in data["skipped_rows"]]
    lines += [
        "",
        f"The fitted scenario is `{data['calibrated_scenario']}` (extends "
        f"`{data['extends']['path']}`).",
    ]
    return "\n".join(lines) + "\n"


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def calibration_figure(data: dict[str, Any]):
    """Observed vs simulated (mean, 5-95 % of replicates) before and after, one panel per row."""
    from matplotlib.figure import Figure

    rows = data["rows"]
    k = len(rows)
    ncols = min(4, k)
    nrows = -(-k // ncols)
    fig = Figure(figsize=(3.3 * ncols + 0.5, 3.0 * nrows + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, r in zip(axes, rows, strict=False):
        for i, (key, colour) in enumerate((("before", "#9e9e9e"), ("after", "#1f77b4"))):
            s = r[key]
            ax.bar(
                i,
                s["mean"],
                color=colour,
                width=0.6,
                yerr=[[s["mean"] - s["q05"]], [s["q95"] - s["mean"]]],
                capsize=4,
            )
        ax.axhline(r["observed"], color="#d62728", lw=2, label="observed")
        ax.set_xticks([0, 1], ["before", "after"])
        ax.set_title(f"{r['id']}: {r['quantity']}\n{r['period']}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(axis="y", alpha=0.3)
        ax.set_ylim(bottom=0)
    for ax in axes[k:]:
        ax.set_axis_off()
    axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(
        f"Calibration {data['name']}: loss {data['loss_before']:.3g} → "
        f"{data['loss_after']:.3g} (bars: mean of {data['replicates']} replicates, "
        "whiskers 5–95 %)",
        fontsize=10,
    )
    return fig


def format_calibration(data: dict[str, Any]) -> str:
    """The fit as text."""
    lines = [
        f"{data['name']}: {data['optimizer']['trials']} trials x {data['replicates']} "
        f"replicates; loss {data['loss_before']:.4g} before, {data['loss_after']:.4g} after"
    ]
    w = max(len(r["quantity"]) for r in data["rows"])
    lines.append(
        f"{'row':<12}{'quantity':<{w + 2}}{'period':<18}{'observed':>10}{'before':>10}{'after':>10}"
    )
    for r in data["rows"]:
        lines.append(
            f"{r['id']:<12}{r['quantity']:<{w + 2}}{r['period']:<18}"
            f"{r['observed']:>10,.4g}{r['before']['mean']:>10,.4g}"
            f"{r['after']['mean']:>10,.4g}"
        )
    lines.append("parameters (before -> fitted):")
    for key, p in data["parameters"].items():
        flag = "  AT A BOUND" if p.get("at_bound") else ""
        lines.append(
            f"    {key}: {_fmt(p['before'])} -> {_fmt(p['after'])}   (range {p['range']}){flag}"
        )
    return "\n".join(lines)


def load_fit(folder: str | Path) -> dict[str, Any]:
    """``fit.json`` of a folder."""
    return read_json(Path(folder) / "fit.json", "fit.json")
