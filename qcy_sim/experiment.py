"""Experiment files: base scenarios, factors, a design, replicates and what to record.

An experiment file is TOML with an ``[experiment]`` table (and usually ``[design]``,
``[levers]`` and ``[uncertain]`` tables)::

    [experiment]
    name = "smoke"
    scenarios = ["../scenarios/baseline.toml"]   # relative to this file
    replicates = 16
    seed = 20220101
    kpis = ["innovation_talents", "high_level_talents"]   # default: all 13
    targets = ["innovation_talents"]                      # default: every target of every scenario

    [design]
    kind = "factorial"          # factorial | list | lhs | sobol | morris

    [levers]
    "policy.award_high_level_cny_thousand" = { values = [250.0, 500.0, 1000.0] }

    [uncertain]
    "talent.beta_wage" = { range = [2.0, 3.0], levels = 3 }

Factors are dotted keys of the resolved scenario (as :meth:`Scenario.to_dict` lays it out, so
``targets.<kpi>.threshold`` is a factor too). A *point* is one base scenario with one row of the
design applied; every point is validated with :func:`~qcy_sim.scenario.scenario_from_dict` when
the file is loaded, before anything runs. Samplers are SALib's (Saltelli/Sobol', Morris) and
SciPy's (Latin hypercube); this module only scales their unit-cube samples to the factors.

Every problem is a :class:`~qcy_sim.scenario.ConfigError` naming the experiment file, the key,
what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .runner import replicate_seeds
from .scenario import (
    ConfigError,
    Scenario,
    _describe,
    _suggest,
    check_name,
    load_scenario,
    peek_toml,
    read_toml,
    scenario_from_dict,
)
from .schema import KPIS, Target

__all__ = [
    "DESIGN_KINDS",
    "Factor",
    "Design",
    "Point",
    "Experiment",
    "load_experiment",
    "is_experiment_file",
    "apply_point",
    "make_run_id",
    "canonical_json",
]

DESIGN_KINDS = ("factorial", "list", "lhs", "sobol", "morris")
_TOP_KEYS = ("experiment", "design", "levers", "uncertain")
_EXPERIMENT_KEYS = (
    "name",
    "description",
    "scenario",
    "scenarios",
    "replicates",
    "seed",
    "kpis",
    "targets",
    "series",
    "chunk_runs",
)
_DESIGN_KEYS = {
    "factorial": ("kind",),
    "list": ("kind", "points"),
    "lhs": ("kind", "n", "seed"),
    "sobol": ("kind", "n", "second_order", "seed"),
    "morris": ("kind", "n", "levels", "seed"),
}
_FACTOR_KEYS = ("values", "range", "levels")
_DEFAULT_CHUNK_RUNS = 20


# ----------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Factor:
    """One varied scenario key.

    Attributes:
        key: Dotted scenario key, e.g. ``"policy.award_high_level_cny_thousand"``.
        role: ``"lever"`` (a policy choice), ``"uncertain"`` (a parameter nobody controls) or
            ``"listed"`` (a key of an explicit list design).
        values: Allowed values (a list design's factors have none).
        bounds: ``(low, high)`` of a continuous range.
        levels: Grid size over ``bounds`` in a factorial design.
        integer: The scenario key is an integer: sampled values are rounded.
    """

    key: str
    role: str
    values: tuple[Any, ...] | None = None
    bounds: tuple[float, float] | None = None
    levels: int | None = None
    integer: bool = False

    def grid(self) -> tuple[Any, ...]:
        """The values a factorial design crosses."""
        if self.values is not None:
            return self.values
        assert self.bounds is not None and self.levels is not None
        raw = np.linspace(self.bounds[0], self.bounds[1], self.levels)
        if self.integer:
            return tuple(int(round(v)) for v in raw)
        return tuple(float(f"{v:.12g}") for v in raw)

    def scale(self, u: np.ndarray) -> list[Any]:
        """Map unit-interval samples to factor values (categorical for value lists)."""
        if self.values is not None:
            k = len(self.values)
            idx = np.minimum(np.floor(u * k).astype(np.int64), k - 1)
            return [self.values[i] for i in idx]
        assert self.bounds is not None
        lo, hi = self.bounds
        x = lo + u * (hi - lo)
        if self.integer:
            return [int(round(v)) for v in x]
        return [float(v) for v in x]

    def to_dict(self) -> dict[str, Any]:
        """Plain-data description (for the manifest)."""
        out: dict[str, Any] = {"key": self.key, "role": self.role, "integer": self.integer}
        if self.values is not None:
            out["values"] = list(self.values)
        if self.bounds is not None:
            out["range"] = list(self.bounds)
        if self.levels is not None:
            out["levels"] = self.levels
        return out


@dataclass(frozen=True)
class Design:
    """The sampled or enumerated rows of factor values, shared by every base scenario.

    Attributes:
        kind: One of :data:`DESIGN_KINDS`.
        rows: One mapping ``{factor key: value}`` per design row, in sampler order (SALib's
            order for ``sobol`` and ``morris``, so its analyzers can read the outputs).
        n: ``n`` of the file (LHS points, Saltelli base samples, Morris trajectories).
        levels: Morris grid levels.
        second_order: Saltelli sample with second-order indices.
        seed: Sampler seed.
        sampler: The function that drew the sample, with its library version.
    """

    kind: str
    rows: tuple[dict[str, Any], ...]
    n: int | None = None
    levels: int | None = None
    second_order: bool = False
    seed: int | None = None
    sampler: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-data description (for the manifest)."""
        out: dict[str, Any] = {"kind": self.kind, "rows": len(self.rows), "sampler": self.sampler}
        for k in ("n", "levels", "seed"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        if self.kind == "sobol":
            out["second_order"] = self.second_order
        return out


@dataclass(frozen=True)
class Point:
    """One base scenario with one design row applied, validated.

    Attributes:
        point_id: 0-based, scenario-major: all rows of scenario 0, then of scenario 1, ...
        scenario: Index into :attr:`Experiment.scenarios`.
        row: Index into :attr:`Design.rows`.
        values: Factor values as the validated scenario holds them.
        config_hash: SHA-256 of the point's canonical resolved config (name and description
            excluded), 64 hex digits.
        targets: The recorded targets as this point defines them, with their deadline month.
    """

    point_id: int
    scenario: int
    row: int
    values: dict[str, Any]
    config_hash: str
    targets: tuple[tuple[Target, int], ...] = field(repr=False)


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: every point checked, seeds and run ids derivable.

    Attributes:
        name: Experiment name (file stem by default).
        description: Free text.
        path: The experiment file.
        scenarios: Base scenarios.
        factors: Varied keys, levers first then uncertainties, in file order.
        design: The design rows.
        replicates: Replicates per point.
        seed: Base seed; replicate ``r`` uses ``replicate_seeds(seed, replicates)[r]`` at every
            point (common random numbers).
        kpis: KPIs recorded (final values and monthly series).
        targets: Target KPIs whose met flags are recorded.
        series: Extra monthly model outputs recorded (names of :data:`qcy_sim.model.SERIES`).
        chunk_runs: Runs per result chunk on disk.
        points: Every validated point.
    """

    name: str
    description: str
    path: str
    scenarios: tuple[Scenario, ...]
    factors: tuple[Factor, ...]
    design: Design
    replicates: int
    seed: int
    kpis: tuple[str, ...]
    targets: tuple[str, ...]
    series: tuple[str, ...]
    chunk_runs: int
    points: tuple[Point, ...]
    _bases: tuple[dict[str, Any], ...] = field(repr=False, compare=False)

    @property
    def seeds(self) -> list[int]:
        """Replicate seeds, the same at every point."""
        return replicate_seeds(self.seed, self.replicates)

    @property
    def n_runs(self) -> int:
        """Points x replicates (rows of ``runs.parquet``)."""
        return len(self.points) * self.replicates

    def params(self, point: Point) -> dict[str, Any]:
        """The resolved scenario dict of a point: what a worker's ``run(params, seed)`` gets."""
        return apply_point(self._bases[point.scenario], point.values)

    def run_id(
        self,
        point: Point,
        replicate: int,
        seed: int | None = None,
        draw: Mapping[str, Any] | None = None,
    ) -> str:
        """Content key of one run: hash of (point config, values, replicate, seed, draw)."""
        if seed is None:
            seed = self.seeds[replicate]
        return make_run_id(point.config_hash, point.values, replicate, seed, draw)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data description of the experiment (for the manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            "path": self.path,
            "scenarios": [
                {"name": s.name, "path": s.path, "config_hash": s.config_hash}
                for s in self.scenarios
            ],
            "factors": [f.to_dict() for f in self.factors],
            "design": self.design.to_dict(),
            "points": len(self.points),
            "replicates": self.replicates,
            "base_seed": self.seed,
            "kpis": list(self.kpis),
            "targets": list(self.targets),
            "series": list(self.series),
        }


# ----------------------------------------------------------------------------------------------
# Hashing and applying points


def canonical_json(data: Any) -> str:
    """Compact JSON with sorted keys: the text that content hashes are taken of."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def make_run_id(
    config_hash: str,
    values: Mapping[str, Any],
    replicate: int,
    seed: int,
    draw: Mapping[str, Any] | None = None,
) -> str:
    """SHA-256 (first 16 hex digits) of a run's content; never Python's ``hash()``.

    Args:
        config_hash: Hash of the point's resolved scenario config.
        values: The point's factor values.
        replicate: Replicate index.
        seed: The replicate's seed (so a different base seed gives different run ids).
        draw: The parameter values drawn for the run (none under ``fixed``, whose run ids are
            unchanged).
    """
    content: dict[str, Any] = {
        "config": config_hash,
        "point": dict(values),
        "replicate": int(replicate),
        "seed": int(seed),
    }
    if draw:
        content["draw"] = dict(draw)
    blob = canonical_json(content)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def apply_point(base: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Copy of a scenario dict with dotted keys set; the base is not modified.

    Only the tables along each key's path are copied: leaves are immutable or never touched.
    """
    out = dict(base)
    for key, value in values.items():
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            node[part] = dict(node[part])
            node = node[part]
        node[parts[-1]] = value
    return out


def _get(data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        node = node[part]
    return node


def _leaf_keys(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for k, v in data.items():
        if isinstance(v, dict):
            out.extend(_leaf_keys(v, f"{prefix}{k}."))
        else:
            out.append(f"{prefix}{k}")
    return out


def _config_hash(scenario: Scenario) -> str:
    data = scenario.to_dict()
    data.pop("name")
    data.pop("description")
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


# ----------------------------------------------------------------------------------------------
# Reading and validating


def _read(path: Path) -> dict[str, Any]:
    return read_toml(path, "experiment file")


def is_experiment_file(path: str | Path) -> bool:
    """True if the file reads as TOML with an ``[experiment]`` or ``[design]`` table.

    Unreadable files return False, so that the scenario loader reports the problem.
    """
    data = peek_toml(path)
    return data is not None and ("experiment" in data or "design" in data)


def _check_keys(file: str, table: dict, allowed: tuple[str, ...], where: str) -> None:
    for k in table:
        if k not in allowed:
            key = f"{where}.{k}" if where else k
            place = f"[{where}]" if where else "the top level"
            raise ConfigError(
                file,
                key,
                f"one of the keys of {place}{_suggest(k, list(allowed))}",
                "an unknown key",
            )


def _int(file: str, key: str, value: Any, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(file, key, f"an integer >= {lo}", _describe(value))
    if value < lo:
        raise ConfigError(file, key, f"an integer >= {lo}", _describe(value))
    return value


def _str_list(file: str, key: str, value: Any, allowed: tuple[str, ...], noun: str) -> tuple:
    """A list of distinct names from ``allowed``, returned in ``allowed``'s order."""
    if isinstance(value, str) or not isinstance(value, list):
        raise ConfigError(file, key, f"a list of {noun}s", _describe(value))
    for i, v in enumerate(value):
        if v not in allowed:
            hint = _suggest(v, list(allowed)) if isinstance(v, str) else ""
            raise ConfigError(file, f"{key}[{i}]", f"a {noun}{hint}", _describe(v))
    if len(set(value)) != len(value):
        raise ConfigError(file, key, f"distinct {noun}s", "a repeated name")
    return tuple(v for v in allowed if v in value)


def _flatten_points(raw: Any, file: str, key: str, prefix: str = "") -> dict[str, Any]:
    """``{"policy": {"x": 1}}`` and ``{"policy.x": 1}`` both give ``{"policy.x": 1}``."""
    if not isinstance(raw, dict):
        raise ConfigError(file, key, "a table of dotted scenario keys and values", _describe(raw))
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if isinstance(v, dict):
            out.update(_flatten_points(v, file, key, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _flatten_factors(raw: Any, file: str, table: str, prefix: str = "") -> dict[str, dict]:
    """Factor specs keyed by dotted key, whether written quoted or as nested tables."""
    if not isinstance(raw, dict):
        where = f"{table}.{prefix.rstrip('.')}" if prefix else table
        raise ConfigError(file, where, "a table of factors", _describe(raw))
    out: dict[str, dict] = {}
    for k, v in raw.items():
        key = f"{prefix}{k}"
        if not isinstance(v, dict):
            raise ConfigError(
                file,
                f"{table}.{key}",
                "a table such as { values = [...] } or { range = [low, high] }",
                _describe(v),
            )
        if any(s in v for s in _FACTOR_KEYS):
            out[key] = v
        elif not all(isinstance(x, dict) for x in v.values()):
            _check_keys(file, v, _FACTOR_KEYS, f"{table}.{key}")  # e.g. value = [...]
        else:
            out.update(_flatten_factors(v, file, table, key + "."))
    return out


def _check_scalar(file: str, key: str, value: Any) -> Any:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(file, key, "a finite number", _describe(value))
        return value
    raise ConfigError(file, key, "a number, string or boolean", _describe(value))


class _Validator:
    """Applies values to the base scenarios and turns scenario errors into experiment errors."""

    def __init__(self, file: str, scenarios: list[Scenario]):
        self.file = file
        self.scenarios = scenarios
        self.bases = [s.to_dict() for s in scenarios]
        self.keys = sorted(set().union(*(_leaf_keys(b) for b in self.bases)))

    def check_key(self, where: str, key: str) -> Any:
        """Return the first base scenario's value of ``key``; unknown keys are errors."""
        if not isinstance(key, str) or not key:
            raise ConfigError(self.file, where, "a dotted scenario key", _describe(key))
        first = key.split(".")[0]
        if first in ("name", "description"):
            raise ConfigError(
                self.file, where, "a model parameter or target key", f"{key!r} (scenario metadata)"
            )
        for base, sc in zip(self.bases, self.scenarios, strict=True):
            try:
                value = _get(base, key)
            except (KeyError, TypeError):
                raise ConfigError(
                    self.file,
                    where,
                    f"a key of scenario {sc.name!r}{_suggest(key, self.keys)}",
                    "an unknown key",
                ) from None
            if isinstance(value, dict):
                raise ConfigError(
                    self.file, where, "a single value's key, not a table", f"the table [{key}]"
                )
            if isinstance(value, list):
                raise ConfigError(
                    self.file,
                    where,
                    "a key holding one number, string or boolean",
                    f"{key!r}, a list-valued key",
                )
        return _get(self.bases[0], key)

    def validate(self, where: str, values: Mapping[str, Any], scenario: int) -> Scenario:
        data = apply_point(self.bases[scenario], values)
        sc = self.scenarios[scenario]
        try:
            return scenario_from_dict(data, path=sc.path)
        except ConfigError as exc:
            shown = ", ".join(f"{k} = {v!r}" for k, v in values.items())
            raise ConfigError(
                self.file,
                f"{where} ({shown}; scenario {sc.name!r}): {exc.key}",
                exc.expected,
                exc.found,
            ) from None


def _parse_factor(
    file: str, table: str, key: str, spec: dict, design_kind: str, val: _Validator
) -> Factor:
    where = f"{table}.{key}"
    base = val.check_key(where, key)
    _check_keys(file, spec, _FACTOR_KEYS, where)
    numeric = isinstance(base, int | float) and not isinstance(base, bool)
    integer = isinstance(base, int) and not isinstance(base, bool)
    role = "lever" if table == "levers" else "uncertain"
    if ("values" in spec) == ("range" in spec):
        raise ConfigError(
            file,
            where,
            "exactly one of values = [...] or range = [low, high]",
            "both" if "values" in spec else "neither",
        )
    if "values" in spec:
        raw = spec["values"]
        if not isinstance(raw, list) or not raw:
            raise ConfigError(file, f"{where}.values", "a non-empty list", _describe(raw))
        values = [_check_scalar(file, f"{where}.values[{i}]", v) for i, v in enumerate(raw)]
        if "levels" in spec:
            raise ConfigError(file, f"{where}.levels", "levels only with range", "values given")
        canon = []
        for i, v in enumerate(values):
            checked = [
                val.validate(f"{where}.values[{i}]", {key: v}, j) for j in range(len(val.scenarios))
            ]
            canon.append(_get(checked[0].to_dict(), key))
        if len({canonical_json(v) for v in canon}) != len(canon):
            raise ConfigError(file, f"{where}.values", "distinct values", _describe(raw))
        return Factor(key, role, values=tuple(canon), integer=integer)
    raw = spec["range"]
    if not numeric:
        raise ConfigError(
            file, f"{where}.range", f"values = [...] for the non-numeric key {key!r}", "a range"
        )
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or any(isinstance(v, bool) or not isinstance(v, int | float) for v in raw)
        or not all(math.isfinite(v) for v in raw)
    ):
        raise ConfigError(file, f"{where}.range", "[low, high], two finite numbers", _describe(raw))
    lo, hi = float(raw[0]), float(raw[1])
    if not lo < hi:
        raise ConfigError(file, f"{where}.range", "low < high", _describe(raw))
    if integer and (not lo.is_integer() or not hi.is_integer()):
        raise ConfigError(
            file, f"{where}.range", f"whole-number bounds ({key} is an integer)", _describe(raw)
        )
    for j in range(len(val.scenarios)):
        for bound in (raw[0], raw[1]):
            val.validate(f"{where}.range", {key: int(bound) if integer else float(bound)}, j)
    levels = None
    if "levels" in spec:
        if design_kind != "factorial":
            raise ConfigError(
                file,
                f"{where}.levels",
                "levels only in a factorial design",
                f"a {design_kind} design",
            )
        levels = _int(file, f"{where}.levels", spec["levels"], 2)
    elif design_kind == "factorial":
        raise ConfigError(
            file,
            where,
            "values = [...], or range with levels = n, in a factorial design",
            "a range without levels",
        )
    factor = Factor(key, role, bounds=(lo, hi), levels=levels, integer=integer)
    if levels is not None and len(set(factor.grid())) != levels:
        raise ConfigError(
            file,
            f"{where}.levels",
            f"at most {int(hi - lo) + 1} levels for an integer range",
            str(levels),
        )
    return factor


def _sampled_rows(kind: str, factors: list[Factor], dspec: dict, file: str, seed: int):
    """Unit-cube sample from SALib or SciPy, scaled to the factors."""
    from importlib.metadata import version

    d = len(factors)
    if d == 0:
        raise ConfigError(file, "levers", f"at least one factor for a {kind} design", "none")
    if "n" not in dspec:
        raise ConfigError(file, "design.n", "a value", "nothing")
    n = _int(file, "design.n", dspec["n"], 1)
    seed = _int(file, "design.seed", dspec.get("seed", seed), 0)
    unit_problem = {"num_vars": d, "names": [f.key for f in factors], "bounds": [[0.0, 1.0]] * d}
    extra: dict[str, Any] = {"n": n, "seed": seed}
    if kind == "lhs":
        from scipy.stats import qmc

        try:
            sampler = qmc.LatinHypercube(d, rng=np.random.default_rng(seed))
        except TypeError:  # SciPy < 1.15
            sampler = qmc.LatinHypercube(d, seed=np.random.default_rng(seed))
        u = sampler.random(n)
        name = f"scipy.stats.qmc.LatinHypercube (SciPy {version('scipy')})"
    elif kind == "sobol":
        from SALib.sample import sobol

        if n & (n - 1):
            raise ConfigError(file, "design.n", "a power of 2 (Saltelli base samples)", str(n))
        second = dspec.get("second_order", False)
        if not isinstance(second, bool):
            raise ConfigError(file, "design.second_order", "true or false", _describe(second))
        u = sobol.sample(unit_problem, n, calc_second_order=second, seed=seed)
        extra["second_order"] = second
        name = f"SALib.sample.sobol.sample (SALib {version('SALib')})"
    else:  # morris
        from SALib.sample import morris

        if n < 2:
            raise ConfigError(file, "design.n", "at least 2 trajectories", str(n))
        levels = _int(file, "design.levels", dspec.get("levels", 4), 2)
        if levels % 2:
            raise ConfigError(file, "design.levels", "an even number of Morris levels", str(levels))
        u = morris.sample(unit_problem, n, num_levels=levels, seed=seed)
        extra["levels"] = levels
        name = f"SALib.sample.morris.sample (SALib {version('SALib')})"
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    columns = [f.scale(u[:, j]) for j, f in enumerate(factors)]
    rows = tuple(
        {f.key: col[i] for f, col in zip(factors, columns, strict=True)} for i in range(u.shape[0])
    )
    return rows, name, extra


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file, its scenarios and every design point.

    Raises:
        ConfigError: With the file, key, expectation and finding of the first problem.
    """
    path = Path(path)
    file = str(path)
    data = _read(path)
    _check_keys(file, data, _TOP_KEYS, "")
    exp = data.get("experiment")
    if not isinstance(exp, dict):
        raise ConfigError(
            file,
            "experiment",
            "an [experiment] table",
            "nothing" if exp is None else _describe(exp),
        )
    _check_keys(file, exp, _EXPERIMENT_KEYS, "experiment")

    name = check_name(exp.get("name", path.stem), file, "experiment.name")
    description = exp.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(file, "experiment.description", "a string", _describe(description))

    scenarios = _load_scenarios(file, path, exp)
    val = _Validator(file, scenarios)

    replicates = _int(file, "experiment.replicates", exp.get("replicates", 10), 1)
    seed = _int(file, "experiment.seed", exp.get("seed", 0), 0)
    chunk_runs = _int(file, "experiment.chunk_runs", exp.get("chunk_runs", _DEFAULT_CHUNK_RUNS), 1)
    kpis = _str_list(file, "experiment.kpis", exp.get("kpis", list(KPIS)), KPIS, "KPI id")
    from .model import SERIES

    series = _str_list(file, "experiment.series", exp.get("series", []), SERIES, "series name")
    common = [k for k in KPIS if all(k in {t.kpi for t in s.targets} for s in scenarios)]
    if "targets" in exp:
        targets = _str_list(file, "experiment.targets", exp["targets"], KPIS, "KPI id")
        for i, t in enumerate(exp["targets"]):
            if t not in common:
                missing = next(s for s in scenarios if t not in {x.kpi for x in s.targets})
                raise ConfigError(
                    file,
                    f"experiment.targets[{i}]",
                    "a target defined by every scenario",
                    f"{t!r}, which {missing.path} does not define",
                )
    else:
        targets = tuple(common)

    dspec = data.get("design", {"kind": "factorial"})
    if not isinstance(dspec, dict):
        raise ConfigError(file, "design", "a [design] table", _describe(dspec))
    kind = dspec.get("kind")
    if kind not in DESIGN_KINDS:
        found = "nothing" if kind is None else _describe(kind)
        hint = _suggest(kind, list(DESIGN_KINDS)) if isinstance(kind, str) else ""
        raise ConfigError(file, "design.kind", f"one of {', '.join(DESIGN_KINDS)}{hint}", found)
    _check_keys(file, dspec, _DESIGN_KEYS[kind], "design")

    factors: list[Factor] = []
    for table in ("levers", "uncertain"):
        raw = data.get(table, {})
        specs = _flatten_factors(raw, file, table)
        if specs and kind == "list":
            raise ConfigError(
                file,
                table,
                "no factor tables in a list design (design.points gives the values)",
                f"[{table}] with {len(specs)} factors",
            )
        for key, spec in specs.items():
            if any(f.key == key for f in factors):
                raise ConfigError(
                    file,
                    f"{table}.{key}",
                    "each key once in [levers] and [uncertain]",
                    "a key given twice",
                )
            factors.append(_parse_factor(file, table, key, spec, kind, val))

    if kind == "factorial":
        keys = [f.key for f in factors]
        rows = tuple(
            dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(f.grid() for f in factors))
        )
        design = Design(kind, rows, sampler="itertools.product")
    elif kind == "list":
        rows, factors = _list_rows(file, dspec, val)
        design = Design(kind, rows, sampler="explicit list")
    else:
        rows, sampler, extra = _sampled_rows(kind, factors, dspec, file, seed)
        design = Design(kind, rows, sampler=sampler, **extra)

    points = []
    for s in range(len(scenarios)):
        for r, row in enumerate(design.rows):
            where = f"design point {len(points)}" if kind != "list" else f"design.points[{r}]"
            sc = val.validate(where, row, s)
            resolved = sc.to_dict()
            values = {k: _get(resolved, k) for k in row}
            tmap = {t.kpi: t for t in sc.targets}
            points.append(
                Point(
                    point_id=len(points),
                    scenario=s,
                    row=r,
                    values=values,
                    config_hash=_config_hash(sc),
                    targets=tuple((tmap[k], sc.target_month(tmap[k])) for k in targets),
                )
            )
    return Experiment(
        name=name,
        description=description,
        path=file,
        scenarios=tuple(scenarios),
        factors=tuple(factors),
        design=design,
        replicates=replicates,
        seed=seed,
        kpis=kpis,
        targets=targets,
        series=series,
        chunk_runs=chunk_runs,
        points=tuple(points),
        _bases=tuple(val.bases),
    )


def _load_scenarios(file: str, path: Path, exp: dict) -> list[Scenario]:
    if "scenario" in exp and "scenarios" in exp:
        raise ConfigError(file, "experiment.scenarios", "either scenario or scenarios", "both")
    if "scenario" in exp:
        raw, key = [exp["scenario"]], "experiment.scenario"
        if not isinstance(exp["scenario"], str):
            raise ConfigError(file, key, "a scenario file name", _describe(exp["scenario"]))
    elif "scenarios" in exp:
        raw, key = exp["scenarios"], "experiment.scenarios"
        if not isinstance(raw, list) or not raw:
            raise ConfigError(file, key, "a non-empty list of scenario files", _describe(raw))
    else:
        raise ConfigError(file, "experiment.scenarios", "a list of scenario files", "nothing")
    out = []
    for i, name in enumerate(raw):
        where = f"{key}[{i}]" if key.endswith("scenarios") else key
        if not isinstance(name, str):
            raise ConfigError(file, where, "a scenario file name", _describe(name))
        target = path.parent / name
        if not target.is_file():
            raise ConfigError(file, where, "an existing scenario file", f"no file at {target}")
        out.append(load_scenario(target))
    return out


def _list_rows(file: str, dspec: dict, val: _Validator) -> tuple[tuple[dict, ...], list[Factor]]:
    raw = dspec.get("points")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(
            file,
            "design.points",
            "a non-empty list of tables ([[design.points]])",
            "nothing" if raw is None else _describe(raw),
        )
    rows = []
    keys: list[str] | None = None
    for i, item in enumerate(raw):
        where = f"design.points[{i}]"
        row = _flatten_points(item, file, where)
        if keys is None:
            keys = list(row)
            for k in keys:
                val.check_key(f"{where}.{k}", k)
        elif set(row) != set(keys):
            raise ConfigError(
                file,
                where,
                f"the keys of design.points[0] ({', '.join(keys)})",
                ", ".join(row) or "no keys",
            )
        rows.append({k: _check_scalar(file, f"{where}.{k}", row[k]) for k in keys})
    factors = [Factor(k, "listed") for k in keys or []]
    return tuple(rows), factors
