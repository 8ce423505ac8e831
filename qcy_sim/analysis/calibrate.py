"""Bayesian calibration: ABC-SMC (pyabc) of the uncertain parameters to the reported figures.

``qcy calibrate EXPERIMENT`` reads a calibration file (TOML)::

    [calibration]
    name = "calibrate_2021_2022"                 # default: the file's stem
    scenario = "../scenarios/baseline.toml"      # simulated, with [overrides] applied
    observed = ["a.csv", "b.csv"]                # default: the packaged 2021 and 2022 figures
    rows = ["xx-2021-06", "xx-2022-03"]          # fitted rows (default: every comparable row)
    parameters = ["enterprise.high_tech_per_year"]   # default: every uncertain parameter
    geography = "Xixian"                         # rows of other geographies are context
    initial_state = "2021-12"                    # the month the initial state describes
    population = 200                             # particles per generation
    generations = 8                              # at most (a resumed run counts those done)
    min_epsilon = 0.05                           # stop below this distance
    min_acceptance_rate = 0.02                   # stop when a generation accepts less
    kernel = "silverman"                         # or "twice_covariance" (Beaumont et al. 2009)
    max_simulations = 20000                      # stop after this many ABC simulations
    predictive = 100                             # predictive draws (prior and posterior)
    seed = 2021
    weights = { high = 1.0, medium = 0.5, low = 0.25 }   # by the row's confidence

    [overrides]                                  # dotted scenario keys for the simulated runs
    "time.start" = "2021-01"

    [priors]                                     # priors for this fit ([uncertain] syntax)
    "enterprise.high_tech_per_year" = { dist = "uniform", bounds = [0.1, 0.4] }

**What is compared with what.** Observed rows have the columns of ``observed_to_2021.csv``. A
row is comparable when its quantity maps to a model output (:data:`QUANTITIES`), it is about
the area (``geography``), its months lie inside the simulated ones (for a ratio to the year
before, that year too), and it is not a stock at or before ``initial_state`` (default: the
month before the scenario's own start), which the initial state already holds. Sums are over
the row's months of one run's monthly series; ``end`` takes the series at the row's last
month; ``ratio`` divides the sum over the row's months by the sum over the same months a year
earlier. A comparable row nested inside a longer row of the same quantity (Mar-Oct inside
Jan-Nov) is a *check*: reported with its predictive band, not fitted, so one flow does not
count twice.

**Method.** ABC-SMC (Del Moral et al. 2012; pyabc, Schaelte et al. 2022): particles from the
priors of the fitted parameters; every other uncertain parameter (not set in ``[overrides]``)
is drawn afresh from its prior for each simulation, so the fit integrates over what it does not
fit instead of conditioning on one guess. One simulation per
particle with a fresh seed, accepted when the distance ``sqrt(sum_i w_i r_i^2 / sum_i w_i)``
(``r_i`` the relative error of fitted row ``i``, ``w_i`` the weight of its confidence) is
below the generation's epsilon (the median of the previous generation's distances). One
simulation per particle keeps the model's own noise in the fit: ABC with a single noisy
simulation targets the same posterior as with many (Bornn et al. 2017, "The use of a single
pseudo-sample in approximate Bayesian computation"), while averaging replicates would fit the
model's mean to one noisy observation and make the posterior too narrow. The epsilon cannot
usefully fall below the model's noise (a few per cent on flows of hundreds); ``min_epsilon``
stops there.

Outputs in ``--out``: ``posterior.parquet`` (one column per uncertain parameter of the
simulated scenario - the fitted ones from the last generation, the others an independent prior
draw per particle (those set in ``[overrides]`` at their value) - and ``weight``),
``calibration.json`` (every row: observed, prior- and posterior-predictive median and 90 %
band, inside or not; every fitted parameter: prior, posterior median and 90 % interval, piled
at a bound or not; generations with epsilon, simulations and acceptance rate; wall time),
``calibration.png`` (observed points over predictive bands), ``posterior.png`` (marginal
posteriors over the priors) and the sampler's database ``abc-z-<config hash>.db``, from which
a stopped calibration resumes.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..priors import Prior, parse_uncertain, priors
from ..scenario import ConfigError, Scenario, _describe, _suggest, month_index, month_label
from ._io import read_toml, save_figure, write_into, write_json
from .calibrate_output import (
    _scenario_value,
    format_calibration,
    load_fit,
    piled_at_bound,
    posterior_figure,
    predictive_figure,
    result_data,
)

__all__ = [
    "QUANTITIES",
    "ObservedRow",
    "CalibrationConfig",
    "load_calibration",
    "simulate",
    "row_values",
    "distance",
    "run_calibration",
    "piled_at_bound",
    "predictive_figure",
    "posterior_figure",
    "format_calibration",
    "load_fit",
]

# observed quantity -> (kind, model output, aggregation over the row's months)
QUANTITIES: dict[str, tuple[str, str, str]] = {
    "new_tech_smes_registered": ("series", "new_tech_smes", "sum"),
    "high_tech_firms_passing_review": ("series", "new_high_tech_firms", "sum"),
    "high_tech_firms_identified": ("series", "new_high_tech_firms", "sum"),
    "new_tech_firms_landed": ("series", "relocations", "sum"),
    "new_tech_firms_ratio_vs_2021": ("series", "new_tech_smes", "ratio"),
    "spinoff_firms_ratio_vs_2021": ("series", "new_spinoff_firms", "ratio"),
    "incubators_total": ("series", "incubators", "end"),
    "technology_managers": ("kpi", "tech_brokers", "end"),
}
_TOP = ("calibration", "overrides", "priors")
_KEYS = (
    "name",
    "description",
    "scenario",
    "observed",
    "rows",
    "parameters",
    "geography",
    "initial_state",
    "population",
    "generations",
    "min_epsilon",
    "min_acceptance_rate",
    "kernel",
    "max_simulations",
    "predictive",
    "seed",
    "weights",
)
_DEFAULT_WEIGHTS = {"high": 1.0, "medium": 0.5, "low": 0.25}
_COLUMNS = ("id", "geography", "period_start", "period_end", "quantity", "value", "confidence")
_PACKAGED = ("observed_to_2021.csv", "observed_2022.csv")


@dataclass(frozen=True)
class ObservedRow:
    """One observed figure and the model output it is compared with."""

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
    fitted: bool  # False: a check, reported but not in the distance

    @property
    def output(self) -> tuple[str, str, str]:
        """``(kind, name, aggregation)`` of the model output compared with it."""
        return QUANTITIES[self.quantity]

    @property
    def period(self) -> str:
        """``start..end``."""
        return f"{self.period_start}..{self.period_end}"


@dataclass(frozen=True)
class CalibrationConfig:
    """A validated calibration file."""

    name: str
    description: str
    path: str
    scenario: Scenario  # as simulated: overrides and [priors] applied, targets dropped
    observed: tuple[str, ...]
    rows: tuple[ObservedRow, ...]
    skipped: tuple[str, ...]
    priors: dict[str, Prior]  # every uncertain parameter of the simulated scenario
    fitted: tuple[str, ...]  # the parameters fitted (a subset of priors)
    population: int
    generations: int
    min_epsilon: float
    min_acceptance_rate: float
    kernel: str
    max_simulations: int | None
    predictive: int
    seed: int
    overrides: dict[str, Any]
    config_hash: str

    @property
    def marginalised(self) -> tuple[str, ...]:
        """Uncertain parameters neither fitted nor set in [overrides]: drawn from their priors."""
        return tuple(k for k in self.priors if k not in self.fitted and k not in self.overrides)

    @property
    def fitted_rows(self) -> tuple[ObservedRow, ...]:
        """The rows in the distance."""
        return tuple(r for r in self.rows if r.fitted)

    @property
    def database(self) -> str:
        """File name of the sampler's database in the output folder."""
        return f"abc-z-{self.config_hash[:12]}.db"

    def base_params(self) -> dict[str, Any]:
        """The simulated scenario as a run's params dict (priors and posterior left out)."""
        data = self.scenario.to_dict()
        data.pop("uncertain", None)
        data.pop("posterior", None)
        return data


# ----------------------------------------------------------------------------------------------
# Reading the file


def _int(file: str, key: str, value: Any, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ConfigError(file, key, f"an integer >= {lo}", _describe(value))
    return value


def _float(file: str, key: str, value: Any, lo: float, hi: float) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not lo <= value <= hi:
        raise ConfigError(file, key, f"a number in [{lo:g}, {hi:g}]", _describe(value))
    return float(value)


def _str_list(file: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(file, key, "a non-empty list of strings", _describe(value))
    if len(set(value)) != len(value):
        raise ConfigError(file, key, "distinct entries", "a repeated entry")
    return value


def load_calibration(path: str | Path) -> CalibrationConfig:
    """Read and validate a calibration file; every problem is a :class:`ConfigError`."""
    from ..experiment import (
        _check_keys,
        _check_scalar,
        _flatten_points,
        _Validator,
        apply_point,
        canonical_json,
    )
    from ..scenario import load_scenario, scenario_from_dict

    path = Path(path)
    file = str(path)
    data = read_toml(path, "calibration file")
    _check_keys(file, data, _TOP, "")
    cal = data.get("calibration")
    if not isinstance(cal, dict):
        found = "nothing" if cal is None else _describe(cal)
        raise ConfigError(file, "calibration", "a [calibration] table", found)
    _check_keys(file, cal, _KEYS, "calibration")
    name = cal.get("name", path.stem)
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "_.-" for c in name):
        raise ConfigError(
            file, "calibration.name", "letters, digits, '_', '-' or '.'", _describe(name)
        )
    description = cal.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(file, "calibration.description", "a string", _describe(description))
    if "scenario" not in cal:
        raise ConfigError(file, "calibration.scenario", "a scenario file", "nothing")
    if not isinstance(cal["scenario"], str):
        raise ConfigError(
            file, "calibration.scenario", "a scenario file name", _describe(cal["scenario"])
        )
    sc_path = Path(os.path.normpath(path.parent / cal["scenario"]))
    if not sc_path.is_file():
        raise ConfigError(
            file, "calibration.scenario", "an existing scenario file", f"no file at {sc_path}"
        )
    base = load_scenario(sc_path)

    # the simulated scenario: overrides applied, targets and milestones dropped (their
    # deadlines may lie outside the calibration's months), the file's [priors] added
    overrides = _flatten_points(data.get("overrides", {}), file, "overrides")
    val = _Validator(file, [base])
    for key, value in overrides.items():
        val.check_key(f"overrides.{key}", key)
        _check_scalar(file, f"overrides.{key}", value)
    params = apply_point(base.to_dict(), overrides)
    params["targets"] = {}
    params.pop("milestones", None)
    try:
        sim = scenario_from_dict(params, path=str(sc_path))
    except ConfigError as exc:
        raise ConfigError(file, f"overrides ({exc.key})", exc.expected, exc.found) from None
    if "priors" in data:
        extra = parse_uncertain(data["priors"], lambda _k: file, "priors")
        sim = replace(sim, uncertain=tuple({**dict(sim.uncertain), **dict(extra)}.items()))
    all_priors = priors(sim)
    if "parameters" in cal:
        fitted = _str_list(file, "calibration.parameters", cal["parameters"])
        for i, key in enumerate(fitted):
            if key not in all_priors:
                raise ConfigError(
                    file,
                    f"calibration.parameters[{i}]",
                    f"an uncertain parameter of the scenario{_suggest(key, list(all_priors))} "
                    "(add others under [priors])",
                    repr(key),
                )
            if key in overrides:
                raise ConfigError(
                    file,
                    f"calibration.parameters[{i}]",
                    "a parameter not also set in [overrides]",
                    repr(key),
                )
    else:
        fitted = [k for k in all_priors if k not in overrides]

    population = _int(file, "calibration.population", cal.get("population", 100), 2)
    generations = _int(file, "calibration.generations", cal.get("generations", 6), 1)
    min_epsilon = _float(file, "calibration.min_epsilon", cal.get("min_epsilon", 0.0), 0, 1e9)
    min_rate = _float(
        file, "calibration.min_acceptance_rate", cal.get("min_acceptance_rate", 0.0), 0, 1
    )
    kernel = cal.get("kernel", "silverman")
    if kernel not in KERNELS:
        raise ConfigError(file, "calibration.kernel", f"one of {', '.join(KERNELS)}", repr(kernel))
    max_sim = cal.get("max_simulations")
    max_sim = None if max_sim is None else _int(file, "calibration.max_simulations", max_sim, 1)
    predictive = _int(file, "calibration.predictive", cal.get("predictive", 100), 2)
    seed = _int(file, "calibration.seed", cal.get("seed", 0), 0)
    weights = dict(_DEFAULT_WEIGHTS)
    raw_w = cal.get("weights", {})
    if not isinstance(raw_w, dict):
        raise ConfigError(
            file, "calibration.weights", "a table of confidence = weight", _describe(raw_w)
        )
    for k, w in raw_w.items():
        weights[k] = _float(file, f"calibration.weights.{k}", w, 0, 1e9)
    geography = cal.get("geography", "Xixian")
    if not isinstance(geography, str):
        raise ConfigError(file, "calibration.geography", "a string", _describe(geography))
    initial = cal.get("initial_state", month_label(base.params.time.start, 0))
    try:
        initial_index = month_index(sim.params.time.start, initial)
    except (TypeError, ValueError):
        raise ConfigError(
            file, "calibration.initial_state", "a month 'YYYY-MM'", _describe(initial)
        ) from None

    files = _observed_files(file, path, cal.get("observed"))
    rows, skipped = _read_rows(file, files, cal.get("rows"), sim, weights, geography)
    rows, skipped = _classify(file, rows, skipped, initial, initial_index, "rows" in cal)
    blob = canonical_json(
        {
            "scenario": sim.config_hash,
            "rows": [(r.id, r.value, r.first, r.last, r.weight, r.fitted) for r in rows],
            "priors": {k: p.to_dict() | {"rationale": ""} for k, p in all_priors.items()},
            "fitted": fitted,
            "population": population,
            "seed": seed,
            **({"kernel": kernel} if kernel != "silverman" else {}),
        }
    )
    return CalibrationConfig(
        name=name,
        description=description,
        path=file,
        scenario=sim,
        observed=tuple(files),
        rows=tuple(rows),
        skipped=tuple(skipped),
        priors=all_priors,
        fitted=tuple(fitted),
        population=population,
        generations=generations,
        min_epsilon=min_epsilon,
        min_acceptance_rate=min_rate,
        kernel=kernel,
        max_simulations=max_sim,
        predictive=predictive,
        seed=seed,
        overrides=overrides,
        config_hash=hashlib.sha256(blob.encode()).hexdigest(),
    )


def _observed_files(file: str, path: Path, raw: Any) -> list[str]:
    if raw is None:
        from importlib.resources import files

        return [str(files("qcy_sim") / "data" / name) for name in _PACKAGED]
    names = [raw] if isinstance(raw, str) else _str_list(file, "calibration.observed", raw)
    out = []
    for name in names:
        target = Path(os.path.normpath(path.parent / name))
        if not target.is_file():
            raise ConfigError(
                file, "calibration.observed", "existing CSV files", f"no file at {target}"
            )
        out.append(str(target))
    return out


def _read_rows(file, files, wanted, sim: Scenario, weights, geography):
    """Rows of the observed files that can be compared with the simulated months."""
    import pandas as pd

    tables = []
    for obs in files:
        try:
            t = pd.read_csv(obs, dtype=str, keep_default_na=False)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(
                obs, "", "a CSV file of observed rows", f"unreadable ({exc})"
            ) from None
        missing = [c for c in _COLUMNS if c not in t.columns]
        if missing:
            raise ConfigError(
                obs, "", f"the columns {', '.join(_COLUMNS)}", f"no column {missing[0]!r}"
            )
        t["_file"] = obs
        tables.append(t)
    table = pd.concat(tables, ignore_index=True)
    if table["id"].duplicated().any():
        dup = table["id"][table["id"].duplicated()].iloc[0]
        raise ConfigError(files[-1], f"id {dup}", "row ids distinct across files", "a repeated id")
    if wanted is not None:
        wanted = _str_list(file, "calibration.rows", wanted)
        ids = list(table["id"])
        for i, r in enumerate(wanted):
            if r not in ids:
                raise ConfigError(
                    file, f"calibration.rows[{i}]", f"a row id{_suggest(r, ids)}", repr(r)
                )
    start, horizon = sim.params.time.start, sim.horizon
    rows, skipped = [], []
    for _, rec in table.iterrows():
        rid, obs = str(rec["id"]), str(rec["_file"])
        quantity = str(rec["quantity"])
        chosen = wanted is not None and rid in wanted

        def skip(why: str, expected: str, rid=rid, chosen=chosen) -> None:
            if chosen:
                raise ConfigError(file, f"calibration.rows ({rid})", expected, why)
            skipped.append(f"{rid}: {why}")

        if rec["geography"] != geography:
            skip(f"geography {rec['geography']} (context, not {geography})", f"a {geography} row")
            continue
        if quantity not in QUANTITIES:
            skip(f"quantity {quantity} is not a model output", "a row the model outputs")
            continue
        try:
            value = float(rec["value"])
            first = month_index(start, str(rec["period_start"]))
            last = month_index(start, str(rec["period_end"]))
        except (TypeError, ValueError):
            raise ConfigError(
                obs,
                f"row {rid}",
                "a numeric value and YYYY-MM periods",
                f"{rec['value']!r}, {rec['period_start']!r}, {rec['period_end']!r}",
            ) from None
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(obs, f"row {rid}.value", "a positive number", repr(rec["value"]))
        if last < first:
            raise ConfigError(
                obs, f"row {rid}.period_end", "a month >= period_start", repr(rec["period_end"])
            )
        lowest = first - 12 if QUANTITIES[quantity][2] == "ratio" else first
        if lowest < 1 or last > horizon:
            skip(
                f"months {rec['period_start']}..{rec['period_end']}"
                + (" and the year before" if lowest != first else "")
                + f" not all inside the simulated {start}..{month_label(start, horizon)}",
                "a row inside the simulated months",
            )
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
                fitted=wanted is None or chosen,
            )
        )
    return rows, skipped


def _classify(file, rows, skipped, initial, initial_index, explicit):
    """Drop stocks the initial state holds; turn nested rows into checks (default rows only)."""
    kept = []
    for r in rows:
        if r.output[2] == "end" and r.last <= initial_index:
            if explicit and r.fitted:
                raise ConfigError(
                    file,
                    f"calibration.rows ({r.id})",
                    f"a row after the initial state ({initial})",
                    f"a stock at {r.period_end}, which the initial state holds",
                )
            held = f"held by the initial state ({initial})"
            skipped.append(f"{r.id}: a stock at {r.period_end}, {held}")
            continue
        kept.append(r)
    if not explicit:
        out = []
        for r in kept:
            inside = any(
                o is not r
                and o.quantity == r.quantity
                and o.first <= r.first
                and r.last <= o.last
                and (o.first, o.last) != (r.first, r.last)
                for o in kept
            )
            out.append(replace(r, fitted=False) if inside else r)
        kept = out
    if not any(r.fitted for r in kept):
        raise ConfigError(
            file,
            "calibration.rows",
            f"at least one comparable observed row ({', '.join(QUANTITIES)})",
            "none" + (f" ({'; '.join(skipped[:3])})" if skipped else ""),
        )
    return kept, skipped


# ----------------------------------------------------------------------------------------------
# Simulating the observed figures


def simulate(params: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """One model run: the single place the calibration runs the model."""
    from ..runner import run

    return run(params, seed)


def row_values(rows: tuple[ObservedRow, ...], out: dict[str, np.ndarray]) -> np.ndarray:
    """Each row's figure in one run's arrays (NaN for a ratio over a year with none)."""
    from ..model import SERIES
    from ..schema import KPIS

    values = np.zeros(len(rows))
    for i, row in enumerate(rows):
        kind, name, agg = row.output
        arr = (
            out["series"][:, SERIES.index(name)]
            if kind == "series"
            else out["kpi"][:, KPIS.index(name)]
        )
        if agg == "end":
            values[i] = arr[row.last]
        elif agg == "sum":
            values[i] = arr[row.first : row.last + 1].sum()
        else:
            before = arr[row.first - 12 : row.last - 11].sum()
            values[i] = arr[row.first : row.last + 1].sum() / before if before > 0 else np.nan
    return values


def distance(rows: tuple[ObservedRow, ...], simulated: np.ndarray) -> float:
    """Weighted root-mean-square relative error over the fitted rows (inf if any is NaN)."""
    obs = np.array([r.value for r in rows])
    w = np.array([r.weight if r.fitted else 0.0 for r in rows])
    rel = (np.asarray(simulated, dtype=float) - obs) / obs
    if np.any(np.isnan(rel[w > 0])):
        return math.inf
    return float(np.sqrt(np.sum(w * rel**2) / w.sum()))


def _safe(key: str) -> str:
    return key.replace(".", "__")


def from_normal(prior: Prior, z: Any) -> np.ndarray:
    """The value of a parameter whose prior is ``prior`` at standard-normal score ``z``.

    pyabc samples every fitted parameter as ``z ~ N(0, 1)`` and the model reads ``x =
    prior.ppf(Phi(z))``: the map is a bijection, so the weighted particles in ``z`` are the
    posterior in ``x``; and the perturbation kernel moves in an unbounded space, where no
    proposal falls outside a bound (in 20-odd bounded dimensions most proposals would, and the
    sampler would spend its time drawing and rejecting them).
    """
    from scipy.special import ndtr

    return prior.ppf(ndtr(np.asarray(z, dtype=float)))


# rows of the posterior sample: the weighted particles resampled, each row with its own draw of
# the marginalised parameters (so that projections see many of their values, not one per particle)
POSTERIOR_ROWS = 1000


def _twice_covariance(_effective_size: float, _dimension: int) -> float:
    """Perturbation kernel with twice the particles' weighted covariance (Beaumont et al. 2009)."""
    return math.sqrt(2.0)


def _silverman(effective_size: float, dimension: int) -> float:
    """Silverman's rule of thumb, pyabc's default bandwidth."""
    from pyabc.transition import silverman_rule_of_thumb

    return silverman_rule_of_thumb(effective_size, dimension)


KERNELS = {"silverman": _silverman, "twice_covariance": _twice_covariance}


def resample(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` particle indices by systematic resampling of ``weights`` (seeded)."""
    w = np.asarray(weights, dtype=float)
    cum = np.cumsum(w / w.sum())
    u = (np.random.default_rng(seed).random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(cum, u, side="right"), len(w) - 1)


class _Model:
    """What pyabc calls per particle: fitted scores in, the rows' figures out."""

    def __init__(self, cfg: CalibrationConfig):
        self.base = cfg.base_params()
        self.rows = cfg.rows
        self.fitted = cfg.fitted
        self.priors = cfg.priors
        self.marginalised = cfg.marginalised
        self.ints = {
            k
            for k in (*cfg.fitted, *cfg.marginalised)
            if isinstance(_scenario_value(cfg.scenario, k), int)
        }

    def values(self, pars: dict[str, float]) -> dict[str, Any]:
        """The fitted parameters at the particle's scores; the others drawn from their priors."""
        scores = {key: float(pars[_safe(key)]) for key in self.fitted}
        u = np.random.random(len(self.marginalised))  # pyabc seeds np.random
        drawn = {k: float(self.priors[k].ppf(v)) for k, v in zip(self.marginalised, u, strict=True)}
        out = {}
        for key in self.fitted:
            v = float(from_normal(self.priors[key], scores[key]))
            out[key] = int(round(v)) if key in self.ints else v
        for key, v in drawn.items():
            out[key] = int(round(v)) if key in self.ints else v
        return out

    def __call__(self, pars) -> dict[str, float]:
        from ..experiment import apply_point

        seed = int(np.random.randint(0, 2**62, dtype=np.int64))  # pyabc seeds np.random
        try:
            out = simulate(apply_point(self.base, self.values(pars)), seed)
            values = row_values(self.rows, out)
        except Exception:  # noqa: BLE001 - a failed run is a rejected particle
            values = np.full(len(self.rows), np.nan)
        return {r.id: float(v) for r, v in zip(self.rows, values, strict=True)}


class _Distance:
    def __init__(self, rows: tuple[ObservedRow, ...]):
        self.rows = rows

    def __call__(self, x: dict, x_0: dict) -> float:
        return distance(self.rows, np.array([x[r.id] for r in self.rows]))


# ----------------------------------------------------------------------------------------------
# Running


def _rows_task(task: tuple[dict[str, Any], int, tuple[ObservedRow, ...]]) -> np.ndarray:
    params, seed, rows = task
    return row_values(rows, simulate(params, seed))


def _sampler(kind: str, workers: int | None, scheduler: str | None):
    """The pyabc sampler of an executor kind, and the Dask client it holds (or None)."""
    from pyabc.sampler import MulticoreEvalParallelSampler, SingleCoreSampler

    from ..runner import default_workers

    if kind == "serial":
        return SingleCoreSampler(), None
    if kind == "local":
        return MulticoreEvalParallelSampler(n_procs=workers or default_workers()), None
    from distributed import Client, LocalCluster
    from pyabc.sampler import DaskDistributedSampler

    if scheduler:
        client = Client(scheduler)
    else:
        n = workers or default_workers()
        client = Client(LocalCluster(n_workers=n, threads_per_worker=1, processes=True))
    return DaskDistributedSampler(dask_client=client), client


def _map_rows(tasks: list, kind: str, workers: int | None, client) -> list[np.ndarray]:
    """Row values of each ``(params, seed, rows)`` task, in order, on the chosen executor."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from ..runner import default_workers

    if kind == "serial" or len(tasks) < 2:
        return [_rows_task(t) for t in tasks]
    if client is not None:
        return client.gather(client.map(_rows_task, tasks, pure=False))
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    n = workers or default_workers()
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
        return list(pool.map(_rows_task, tasks, chunksize=max(1, len(tasks) // (4 * n))))


class _Progress(logging.Handler):
    """Turns pyabc's log lines into one progress line per generation."""

    def __init__(self, emit_line):
        super().__init__(logging.INFO)
        self.emit_line = emit_line
        self.t0 = time.time()
        self.eps: dict[int, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if msg.startswith("t: ") and ", eps: " in msg:
            t, eps = msg[3:].rstrip(".").split(", eps: ")
            self.last_t, self.eps[int(t)] = int(t), float(eps)
        elif msg.startswith("Accepted: ") and self.emit_line:
            counts = msg.split("=")[0][len("Accepted: ") :].split("/")
            n, sims = int(counts[0]), int(counts[1])
            t = getattr(self, "last_t", 0)
            self.emit_line(
                f"generation {t}: epsilon {self.eps.get(t, math.nan):.4g}, accepted {n} of "
                f"{sims} simulations ({n / sims:.1%}), {time.time() - self.t0:.1f} s"
            )


def _stopped(cfg: CalibrationConfig, history) -> bool:
    """Whether the last generation met a stopping rule other than the number of generations."""
    pops = history.get_all_populations()
    last = pops[pops["t"] == history.max_t]
    if last.empty:
        return False
    eps, rate = float(last["epsilon"].iloc[0]), last["particles"].iloc[0] / last["samples"].iloc[0]
    too_many = (
        cfg.max_simulations is not None and history.total_nr_simulations >= cfg.max_simulations
    )
    return eps <= cfg.min_epsilon or rate < cfg.min_acceptance_rate or too_many


def run_calibration(
    cfg: CalibrationConfig,
    out: str | Path,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    generations: int | None = None,
    progress=None,
) -> dict[str, Any]:
    """Run (or resume) ABC-SMC, simulate the predictive checks, write the outputs.

    Args:
        cfg: A validated calibration.
        out: Output folder; the sampler's database is kept in it.
        executor: ``serial`` (reproducible from the seed), ``local`` (pyabc's multicore
            sampler) or ``dask``.
        workers: Processes (default: all cores).
        scheduler: A Dask scheduler's address (``dask`` only; default: a local cluster).
        generations: Total generations wanted (default: the file's). A resumed run that had
            stopped on ``min_epsilon``, ``min_acceptance_rate`` or ``max_simulations`` adds
            generations only when this is given.
        progress: Called with each progress line.

    Returns:
        The content of ``calibration.json``.
    """
    import pyabc

    from ..results import provenance
    from ..runner import replicate_seeds
    from ..uncertainty import Posterior, parameter_draws

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    generations_asked = generations
    generations = cfg.generations if generations is None else generations
    db_path = out / cfg.database
    db = f"sqlite:///{db_path.resolve()}"
    t0 = time.time()
    say = progress or (lambda _line: None)
    logger = logging.getLogger("ABC")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    handler = _Progress(progress)
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    client = None
    try:
        sampler, client = _sampler(executor, workers, scheduler)
        abc = pyabc.ABCSMC(
            models=_Model(cfg),
            parameter_priors=pyabc.Distribution(
                **{_safe(k): pyabc.RV("norm", 0.0, 1.0) for k in cfg.fitted}
            ),
            distance_function=_Distance(cfg.rows),
            population_size=cfg.population,
            sampler=sampler,
            eps=pyabc.QuantileEpsilon(alpha=0.5),
            transitions=pyabc.MultivariateNormalTransition(bandwidth_selector=KERNELS[cfg.kernel]),
        )
        observed = {r.id: r.value for r in cfg.rows}
        remaining = None
        if db_path.exists():
            abc.load(db, 1)
            done = abc.history.max_t + 1
            say(f"resuming {db_path}: {done} generation(s) done")
            if generations_asked is None and _stopped(cfg, abc.history):
                remaining = 0  # it stopped on a rule, not on the number of generations
        else:
            abc.new(db, observed, meta_info={"config_hash": cfg.config_hash})
            done = 0
        remaining = generations - done if remaining is None else remaining
        if remaining > 0:
            state = np.random.SeedSequence(cfg.seed, spawn_key=(done,)).generate_state(1)
            np.random.seed(int(state[0]))  # the serial sampler then repeats itself exactly
            if done == 0:
                say(f"calibration sample: {cfg.population} simulations from the prior")
            abc.run(
                minimum_epsilon=cfg.min_epsilon,
                max_nr_populations=remaining,
                min_acceptance_rate=cfg.min_acceptance_rate,
                max_total_nr_simulations=cfg.max_simulations or np.inf,
            )
        history = abc.history
        pops = history.get_all_populations()
        pops["ess"] = [  # effective sample size of each generation's weights
            1.0 / float(np.sum(np.square(history.get_distribution(m=0, t=int(t))[1])))
            if t >= 0
            else np.nan
            for t in pops["t"]
        ]
        frame, w = history.get_distribution(m=0, t=history.max_t)
        weights = np.asarray(w, dtype=float)
        particles = {
            k: from_normal(cfg.priors[k], frame[_safe(k)].to_numpy(dtype=float)) for k in cfg.fitted
        }

        # the posterior sample: fitted parameters from the particles; the marginalised ones an
        # independent prior draw per particle (the data do not inform them); overridden ones fixed
        keys = list(cfg.priors)
        fixed = {k: _scenario_value(cfg.scenario, k) for k in keys if k in cfg.overrides}
        rows = resample(weights, max(POSTERIOR_ROWS, len(weights)), cfg.seed)
        n = len(rows)
        others = parameter_draws(cfg.scenario, "prior", n, cfg.seed + 1, method="random")
        post = Posterior(
            path=str(out / "posterior.parquet"),
            keys=tuple(keys),
            values=np.column_stack(
                [
                    particles[k][rows]
                    if k in particles
                    else np.full(n, float(fixed[k]))
                    if k in fixed
                    else np.array([float(d[k]) for d in others])
                    for k in keys
                ]
            ),
            weights=np.full(n, 1.0 / n),
            sha256="",
        )
        k = cfg.predictive
        seeds = replicate_seeds(cfg.seed, k)
        post_draws = parameter_draws(cfg.scenario, "posterior", k, cfg.seed, posterior=post)
        prior_draws = [
            {key: v for key, v in d.items() if key not in cfg.overrides}
            for d in parameter_draws(cfg.scenario, "prior", k, cfg.seed)
        ]
        say(f"predictive checks: {2 * k} simulations")
        from ..experiment import apply_point

        base = cfg.base_params()
        tasks = [
            (apply_point(base, d), s, cfg.rows) for d, s in zip(prior_draws, seeds, strict=True)
        ]
        tasks += [
            (apply_point(base, d), s, cfg.rows) for d, s in zip(post_draws, seeds, strict=True)
        ]
        sims = np.array(_map_rows(tasks, executor, workers, client))
    finally:
        logger.handlers, logger.level, logger.propagate = saved
        if client is not None:
            client.close()
    prior_sims, post_sims = sims[:k], sims[k:]
    data = result_data(cfg, pops, particles, weights, fixed, prior_sims, post_sims, executor)
    data.update(
        wall_time_s=round(time.time() - t0, 3),
        provenance=provenance({"pyabc": version("pyabc")}),
    )
    data["simulations"]["predictive"] = 2 * k
    data["simulations"]["total"] = data["simulations"]["abc"] + 2 * k

    def build(tmp: Path) -> None:
        import pandas as pd

        table = pd.DataFrame(post.values, columns=keys)
        table["weight"] = post.weights
        table.to_parquet(tmp / "posterior.parquet", index=False)
        save_figure(predictive_figure(data), tmp / "calibration.png")
        save_figure(posterior_figure(data, particles, weights), tmp / "posterior.png")
        write_json(tmp / "calibration.json", data)

    write_into(out, build, last="calibration.json")
    return data
