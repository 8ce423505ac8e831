"""Parameter uncertainty in a set of replicates: draws, the nested design, the variance split.

Three modes give each replicate its parameter vector:

* ``fixed``: the scenario's own values (an empty overlay), today's runs bit for bit;
* ``prior``: draws from :func:`qcy_sim.priors.priors` of the scenario;
* ``posterior``: draws by weight from a posterior sample (Parquet: one column per uncertain
  parameter and ``weight``), as written by ``qcy calibrate``.

Draw ``i`` depends only on ``(seed, i)`` (and on the scenario's priors or the posterior file),
never on the worker that computes it or on the number of draws asked for: the draws of a
smaller run are the first draws of a larger one (for ``method="lhs"``, which stratifies over
all ``k`` draws together, draw ``i`` also depends on ``k``).

:func:`nested_design` lays ``K`` draws x ``R`` seeds out as replicates; replicate ``j`` runs
draw ``j // R`` with seed ``replicate_seeds(base_seed, K R)[j]``, the seed replicate ``j`` has
today, so ``fixed`` changes nothing. Every mix of a comparison gets the same design: the same
draws and the same seeds (common random numbers). :func:`variance_share_parameters` splits
the variance of an outcome over that design into the part due to the parameters and the part
due to the model's own noise.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .priors import integer_keys, priors
from .scenario import ConfigError, Scenario

__all__ = [
    "MODES",
    "METHODS",
    "Posterior",
    "Replicate",
    "default_mode",
    "load_posterior",
    "parameter_draw",
    "parameter_draws",
    "nested_design",
    "replicate_tasks",
    "variance_share_parameters",
]

MODES = ("fixed", "prior", "posterior")
METHODS = ("sobol", "random", "lhs")
# spawn keys that keep the draws' streams apart from the replicate seeds' (0, 1, 2, ...)
_STREAM_SOBOL = 0x51435953  # "QCYS"
_STREAM_RANDOM = 0x51435952
_STREAM_POSTERIOR = 0x51435950


def default_mode(scenario: Scenario) -> str:
    """``posterior`` when the scenario names a posterior sample, ``prior`` otherwise."""
    return "posterior" if scenario.posterior else "prior"


# ----------------------------------------------------------------------------------------------
# Posterior samples


@dataclass(frozen=True)
class Posterior:
    """A weighted posterior sample read from Parquet.

    Attributes:
        path: The file.
        keys: Parameter columns, in the order of the scenario's priors.
        values: ``(n, len(keys))`` parameter values.
        weights: ``(n,)`` weights normalised to sum to 1.
        sha256: Digest of the file's bytes (for provenance).
    """

    path: str
    keys: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    sha256: str

    def __len__(self) -> int:
        return len(self.weights)


def _listed(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def load_posterior(path: str | Path, keys: list[str] | tuple[str, ...]) -> Posterior:
    """Read and check a posterior sample against the uncertain parameters ``keys``.

    Raises:
        ConfigError: Missing or unreadable file; columns other than ``keys`` and ``weight``;
            non-numeric or non-finite values; negative weights or weights that do not sum to a
            positive number.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .schema import iter_keys

    path = Path(path)
    if not path.is_file():
        raise ConfigError(path, "", "an existing posterior sample (Parquet)", f"no file at {path}")
    raw = path.read_bytes()
    try:
        table = pq.read_table(pa.BufferReader(raw))
    except (pa.ArrowException, OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(path, "", "a Parquet file", f"unreadable ({first})") from None
    columns = list(table.column_names)
    if "weight" not in columns:
        raise ConfigError(path, "weight", "a column 'weight'", "no such column")
    missing = [k for k in keys if k not in columns]
    extra = [c for c in columns if c != "weight" and c not in keys]
    if missing or extra:
        found = "; ".join(
            s
            for s in (
                f"no column {_listed(missing)}" if missing else "",
                f"other columns {_listed(extra)}" if extra else "",
            )
            if s
        )
        raise ConfigError(
            path,
            "columns",
            f"one column per uncertain parameter of the scenario ({len(keys)}) and 'weight'",
            found,
        )
    if table.num_rows == 0:
        raise ConfigError(path, "", "at least one posterior draw", "no rows")
    meta = {key: f.metadata for key, f, _t, _c in iter_keys()}

    def column(name: str) -> np.ndarray:
        col = table.column(name)
        if not (pa.types.is_floating(col.type) or pa.types.is_integer(col.type)):
            raise ConfigError(path, name, "a numeric column", f"type {col.type}")
        x = col.to_numpy(zero_copy_only=False).astype(float)
        bad = np.flatnonzero(~np.isfinite(x))
        if bad.size:
            raise ConfigError(path, name, "finite numbers", f"{x[bad[0]]} in row {bad[0]}")
        return x

    weights = column("weight")
    if (weights < 0).any():
        i = int(np.flatnonzero(weights < 0)[0])
        raise ConfigError(path, "weight", "weights >= 0", f"{weights[i]:g} in row {i}")
    total = float(weights.sum())
    if not total > 0:
        raise ConfigError(
            path, "weight", "weights that sum to a positive number", f"a sum of {total:g}"
        )
    values = np.column_stack([column(k) for k in keys]) if keys else np.zeros((len(weights), 0))
    for j, key in enumerate(keys):
        lo, hi = (meta.get(key) or {}).get("lo"), (meta.get(key) or {}).get("hi")
        out = ((values[:, j] < lo) if lo is not None else False) | (
            (values[:, j] > hi) if hi is not None else False
        )
        if np.any(out):
            i = int(np.flatnonzero(out)[0])
            raise ConfigError(
                path, key, f"values in [{lo:g}, {hi:g}]", f"{values[i, j]:g} in row {i}"
            )
    return Posterior(
        path=str(path),
        keys=tuple(keys),
        values=values,
        weights=weights / total,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


# ----------------------------------------------------------------------------------------------
# Draws


def _uniform(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=key))


def _key_number(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "little")


def _sobol_points(d: int, seed: int, first: int, n: int) -> np.ndarray:
    """Points ``first .. first + n - 1`` of a scrambled Sobol' sequence seeded by ``seed``."""
    from scipy.stats import qmc

    rng = _uniform(seed, _STREAM_SOBOL)
    try:
        engine = qmc.Sobol(d, scramble=True, rng=rng)
    except TypeError:  # scipy < 1.15 names it seed
        engine = qmc.Sobol(d, scramble=True, seed=rng)
    if first:
        engine.fast_forward(first)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # balance needs powers of two; prefixes do not
        return engine.random(n)


def _uniforms(keys: list[str], method: str, seed: int, first: int, n: int, k: int) -> np.ndarray:
    if method == "sobol":
        return _sobol_points(len(keys), seed, first, n)
    if method == "random":  # one stream per (draw, key): adding a parameter moves no other
        return np.array(
            [
                [_uniform(seed, _STREAM_RANDOM, i, _key_number(key)).random() for key in keys]
                for i in range(first, first + n)
            ]
        ).reshape(n, len(keys))
    from scipy.stats import qmc

    rng = _uniform(seed, _STREAM_SOBOL, k)
    try:
        engine = qmc.LatinHypercube(len(keys), rng=rng)
    except TypeError:
        engine = qmc.LatinHypercube(len(keys), seed=rng)
    return engine.random(k)[first : first + n]


def _check(mode: str, method: str, k: int) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


def _posterior(scenario: Scenario, posterior: Posterior | str | Path | None) -> Posterior:
    keys = list(priors(scenario))
    if isinstance(posterior, Posterior):
        if list(posterior.keys) != keys:
            raise ConfigError(
                posterior.path,
                "columns",
                f"one column per uncertain parameter of the scenario ({len(keys)}) and 'weight'",
                f"{len(posterior.keys)} other parameters",
            )
        return posterior
    path = posterior if posterior is not None else scenario.posterior
    if path is None:
        raise ConfigError(
            scenario.path, "posterior", "a posterior sample (posterior = FILE)", "none named"
        )
    return load_posterior(path, keys)


def _draws(
    scenario: Scenario,
    mode: str,
    first: int,
    n: int,
    k: int,
    seed: int,
    posterior: Posterior | str | Path | None,
    method: str,
) -> list[dict[str, Any]]:
    if mode == "fixed":
        return [{} for _ in range(n)]
    ints = integer_keys()
    if mode == "posterior":
        post = _posterior(scenario, posterior)
        cum = np.cumsum(post.weights)
        out = []
        for i in range(first, first + n):
            u = _uniform(seed, _STREAM_POSTERIOR, i).random()
            row = min(int(np.searchsorted(cum, u * cum[-1], side="right")), len(cum) - 1)
            out.append(_typed(dict(zip(post.keys, post.values[row], strict=True)), ints))
        return out
    pri = priors(scenario)
    keys = list(pri)
    u = _uniforms(keys, method, seed, first, n, k)
    return [
        _typed({key: float(pri[key].ppf(u[i, j])) for j, key in enumerate(keys)}, ints)
        for i in range(n)
    ]


def _typed(values: dict[str, Any], ints: set[str]) -> dict[str, Any]:
    return {k: (int(round(v)) if k in ints else float(v)) for k, v in values.items()}


def parameter_draws(
    scenario: Scenario,
    mode: str,
    k: int,
    seed: int,
    posterior: Posterior | str | Path | None = None,
    method: str = "sobol",
) -> list[dict[str, Any]]:
    """``k`` parameter overlays ``{dotted key: value}`` for a scenario.

    Args:
        scenario: The scenario whose priors (or named posterior) are drawn from.
        mode: ``fixed`` (empty overlays), ``prior`` or ``posterior``.
        k: Number of draws.
        seed: Seed of the draws.
        posterior: The posterior sample (a path or a loaded :class:`Posterior`); default: the
            file the scenario names.
        method: For ``prior``: ``sobol`` (scrambled Sobol' points, the default), ``random``
            (independent draws, one stream per draw and parameter) or ``lhs`` (Latin
            hypercube over the ``k`` draws). Uniform numbers are mapped through each prior's
            quantile function; integer parameters are rounded.

    Raises:
        ConfigError: A posterior file that is missing, unreadable, has other parameters than
            the scenario's uncertain ones, or weights that do not sum to a positive number.
    """
    _check(mode, method, k)
    return _draws(scenario, mode, 0, k, k, seed, posterior, method)


def parameter_draw(
    scenario: Scenario,
    mode: str,
    index: int,
    seed: int,
    posterior: Posterior | str | Path | None = None,
    method: str = "sobol",
) -> dict[str, Any]:
    """Draw ``index`` alone: equal to ``parameter_draws(..., k, ...)[index]`` for any ``k``.

    Not defined for ``method="lhs"``, whose draws depend on how many there are.
    """
    _check(mode, method, index + 1)
    if method == "lhs" and mode == "prior":
        raise ValueError("a Latin-hypercube draw depends on k; use parameter_draws")
    return _draws(scenario, mode, index, 1, index + 1, seed, posterior, method)[0]


# ----------------------------------------------------------------------------------------------
# The nested design


@dataclass(frozen=True)
class Replicate:
    """One run of a nested design: replicate ``index`` runs draw ``draw`` with ``seed``."""

    index: int
    draw: int
    seed: int
    params: dict[str, Any]


def nested_design(
    draws: list[dict[str, Any]], replicates_per_draw: int, base_seed: int
) -> list[Replicate]:
    """``K x R`` replicates: each of the ``K`` draws with ``R`` seeds of its own.

    Replicate ``j = k R + r`` runs draw ``k`` with seed ``replicate_seeds(base_seed, K R)[j]``:
    the seeds are those of ``K R`` replicates today, so with ``fixed`` draws the design is
    today's run. Seeds are not shared between draws (they are nested in them), which is what
    :func:`variance_share_parameters` assumes. The design depends on nothing else: every mix
    of a comparison run on it sees the same draws and the same seeds.
    """
    from .runner import replicate_seeds

    if replicates_per_draw < 1 or not draws:
        raise ValueError("a nested design needs at least one draw and one seed per draw")
    r = replicates_per_draw
    seeds = replicate_seeds(base_seed, len(draws) * r)
    return [Replicate(j, j // r, s, draws[j // r]) for j, s in enumerate(seeds)]


def replicate_tasks(scenario: Scenario, design: list[Replicate]) -> list[tuple[dict, int]]:
    """The ``(params dict, seed)`` task of each replicate: the scenario with its draw set."""
    from .experiment import apply_point

    base = scenario.to_dict()
    return [(apply_point(base, rep.params), rep.seed) for rep in design]


def variance_share_parameters(values: Any) -> float | None:
    """Share of an outcome's variance due to the parameters, from a ``(K, R)`` nested design.

    With ``y[k, r]`` the outcome of seed ``r`` under draw ``k``, the one-way random-effects
    (ANOVA) estimator of the law of total variance
    ``Var(y) = Var(E[y | theta]) + E[Var(y | theta)]`` is::

        MSB = R / (K - 1) * sum_k (mean_k - mean)^2          between draws
        MSW = 1 / (K (R - 1)) * sum_k sum_r (y[k, r] - mean_k)^2   within draws (noise)
        s2_parameters = (MSB - MSW) / R,   s2_noise = MSW
        share = s2_parameters / (s2_parameters + s2_noise), clipped to [0, 1]

    ``(MSB - MSW) / R`` is unbiased for ``Var(E[y | theta])`` because a draw's mean of ``R``
    seeds carries ``1/R`` of the noise variance.

    Returns:
        The share, or None when it cannot be estimated (``K < 2``, ``R < 2``, or no variance
        at all).
    """
    y = np.asarray(values, dtype=float)
    if y.ndim != 2:
        raise ValueError(f"values must be (K draws, R seeds), got shape {y.shape}")
    k, r = y.shape
    if k < 2 or r < 2:
        return None
    means = y.mean(axis=1)
    msb = r * float(((means - means.mean()) ** 2).sum()) / (k - 1)
    msw = float(((y - means[:, None]) ** 2).sum()) / (k * (r - 1))
    between = max(0.0, (msb - msw) / r)
    total = between + msw
    if not total > 0 or not math.isfinite(total):
        return None
    return min(1.0, between / total)
