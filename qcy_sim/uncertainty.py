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
    "DEFAULT_SEEDS_PER_DRAW",
    "Posterior",
    "Replicate",
    "ParameterSetup",
    "ParameterDesign",
    "FIXED",
    "default_mode",
    "parameter_setup",
    "parameter_design",
    "pinned_keys",
    "check_same_priors",
    "design_words",
    "load_posterior",
    "parameter_draw",
    "parameter_draws",
    "nested_design",
    "replicate_tasks",
    "variance_share_parameters",
]

MODES = ("fixed", "prior", "posterior")
METHODS = ("sobol", "random", "lhs")
DEFAULT_SEEDS_PER_DRAW = 4
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
            scenario.path,
            "posterior",
            "a posterior sample (posterior = FILE in the scenario, or --posterior FILE)",
            "none named",
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


# ----------------------------------------------------------------------------------------------
# What a command runs: the mode chosen once, the design laid out in the parent


@dataclass(frozen=True)
class ParameterSetup:
    """How a set of replicates draws its parameters (chosen once per command).

    Attributes:
        mode: ``fixed``, ``prior`` or ``posterior``.
        seeds_per_draw: ``R``, the seeds run under each draw (ignored by ``fixed``).
        method: How prior draws are made (:data:`METHODS`).
        posterior: The loaded posterior sample (``posterior`` mode only).
    """

    mode: str = "fixed"
    seeds_per_draw: int = DEFAULT_SEEDS_PER_DRAW
    method: str = "sobol"
    posterior: Posterior | None = None

    @property
    def fixed(self) -> bool:
        """The scenario's own values for every replicate."""
        return self.mode == "fixed"

    def replicates(self, n: int) -> int:
        """Replicates run for ``n`` asked: ``n`` under ``fixed``, else whole draws of ``R``."""
        if self.fixed:
            return n
        return -(-n // self.seeds_per_draw) * self.seeds_per_draw

    def record(self) -> dict[str, Any]:
        """The mode, method and posterior file (path, SHA-256, rows), as plain data."""
        post = self.posterior
        return {
            "mode": self.mode,
            "method": None if self.mode != "prior" else self.method,
            "posterior": None
            if post is None
            else {"path": post.path, "sha256": post.sha256, "rows": len(post)},
        }

    def key(self) -> str:
        """A short digest of what shapes the draws (for checkpoint folders), '' for fixed."""
        if self.fixed:
            return ""
        post = self.posterior.sha256 if self.posterior is not None else ""
        text = f"{self.mode}|{self.method}|{self.seeds_per_draw}|{post}"
        return f"{self.mode}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


FIXED = ParameterSetup()


def parameter_setup(
    scenario: Scenario,
    mode: str | None = None,
    posterior: str | Path | None = None,
    seeds_per_draw: int = DEFAULT_SEEDS_PER_DRAW,
    method: str = "sobol",
    where: str = "command line",
) -> ParameterSetup:
    """Check a command's choice of parameters and load the posterior it needs.

    Args:
        scenario: The (reference) scenario: its priors and the posterior it names.
        mode: ``fixed``, ``prior``, ``posterior`` or None for :func:`default_mode`.
        posterior: A posterior file overriding the scenario's; implies ``posterior``.
        seeds_per_draw: ``R`` (>= 1).
        method: Prior draws' method.
        where: What to name in errors about the flags.

    Raises:
        ConfigError: ``R < 1``, an unknown mode, ``--posterior`` with another mode, or in
            ``posterior`` mode no posterior named or a bad file (see :func:`load_posterior`).
    """
    if not isinstance(seeds_per_draw, int) or seeds_per_draw < 1:
        raise ConfigError(where, "--seeds-per-draw", "a whole number >= 1", repr(seeds_per_draw))
    if method not in METHODS:
        raise ConfigError(where, "method", f"one of {', '.join(METHODS)}", repr(method))
    if posterior is not None:
        if mode not in (None, "posterior"):
            raise ConfigError(
                where, "--posterior", "--parameters posterior (or no --parameters)", repr(mode)
            )
        mode = "posterior"
    mode = mode or default_mode(scenario)
    if mode not in MODES:
        raise ConfigError(where, "--parameters", f"one of {', '.join(MODES)}", repr(mode))
    post = _posterior(scenario, posterior) if mode == "posterior" else None
    return ParameterSetup(mode, seeds_per_draw, method, post)


def _defaults() -> dict[str, Any]:
    global _DEFAULTS
    if _DEFAULTS is None:
        from .scenario import scenario_from_dict

        _DEFAULTS = scenario_from_dict({"name": "defaults"}).to_dict()
    return _DEFAULTS


_DEFAULTS: dict[str, Any] | None = None


def _value(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        node = node[part]
    return node


def pinned_keys(scenario: Scenario, params: dict[str, Any] | None = None) -> list[str]:
    """Uncertain parameters a scenario sets itself: they keep its value and are not drawn.

    A key is pinned when the scenario's resolved value differs from the schema's default and
    the scenario does not declare it in its own ``[uncertain]`` table (declaring a prior asks
    for draws). A scenario of a larger area keeps its size; a mix that changes a level keeps it.

    Args:
        scenario: The scenario (its priors and declared ``[uncertain]`` keys).
        params: Its resolved dict if already at hand (e.g. a sweep point's).
    """
    data = params if params is not None else scenario.to_dict()
    declared = {key for key, _prior in scenario.uncertain}
    defaults = _defaults()
    out = []
    for key in priors(scenario):
        if key in declared:
            continue
        try:
            if _value(data, key) != _value(defaults, key):
                out.append(key)
        except (KeyError, TypeError):
            continue
    return out


@dataclass(frozen=True)
class ParameterDesign:
    """The replicates of one command: ``K`` draws x ``R`` seeds, laid out before dispatch.

    Under ``fixed`` there is one draw (the scenario's own values, an empty overlay) and every
    replicate has today's seed, so ``K = 1`` and ``R`` is the number of replicates.

    Attributes:
        setup: The mode, method and posterior.
        draws: ``K``, parameter vectors drawn.
        seeds_per_draw: ``R``.
        values: The ``K`` draws, every uncertain parameter of the priors.
        pinned: Keys left at the scenario's own value (see :func:`pinned_keys`).
        seeds: The seed of each replicate (``replicate_seeds(base_seed, K R)``).
    """

    setup: ParameterSetup
    draws: int
    seeds_per_draw: int
    values: tuple[dict[str, Any], ...]
    pinned: tuple[str, ...]
    seeds: tuple[int, ...]

    @property
    def n(self) -> int:
        """Replicates, ``K x R``."""
        return len(self.seeds)

    def draw_of(self, replicate: int) -> int:
        """The draw replicate ``replicate`` runs."""
        return replicate // self.seeds_per_draw

    def overlay(self, replicate: int) -> dict[str, Any]:
        """The parameter values replicate ``replicate`` sets: its draw without pinned keys."""
        pinned = set(self.pinned)
        values = self.values[self.draw_of(replicate)]
        return {k: v for k, v in values.items() if k not in pinned}

    @property
    def drawn_keys(self) -> list[str]:
        """The keys the draws set (every replicate sets the same ones)."""
        pinned = set(self.pinned)
        return [k for k in (self.values[0] if self.values else {}) if k not in pinned]

    def record(self) -> dict[str, Any]:
        """The ``parameters`` block of ``summary.json``."""
        return {
            **self.setup.record(),
            "draws": self.draws,
            "seeds_per_draw": self.seeds_per_draw,
            "pinned": list(self.pinned),
        }

    def variance_share(self, values: Any) -> float | None:
        """:func:`variance_share_parameters` of one value per replicate, in design order.

        0.0 under ``fixed`` (every replicate runs the same parameters: none of the variance is
        theirs); None when ``K < 2`` or ``R < 2`` otherwise.
        """
        if self.setup.fixed:
            return 0.0
        y = np.asarray(values, dtype=float)
        return variance_share_parameters(y.reshape(self.draws, self.seeds_per_draw))


def parameter_design(
    scenario: Scenario,
    setup: ParameterSetup,
    replicates: int,
    seed: int,
    pinned: list[str] | tuple[str, ...] | None = None,
) -> ParameterDesign:
    """The design of ``replicates`` replicates: ``K = ceil(N / R)`` draws x ``R`` seeds.

    The draws of ``K`` are the first of any larger ``K`` and the seeds those of ``K R``
    replicates today, so a design grown by whole draws keeps every earlier replicate. Under
    ``fixed`` it is exactly ``replicates`` replicates with today's seeds.

    Args:
        scenario: Whose priors (or named posterior) are drawn from.
        setup: From :func:`parameter_setup`.
        replicates: ``N`` (>= 1).
        seed: Base seed of the draws and of the replicate seeds.
        pinned: Keys not to draw (default: :func:`pinned_keys` of the scenario).
    """
    from .runner import replicate_seeds

    if replicates < 1:
        raise ValueError(f"replicates must be >= 1, got {replicates}")
    if setup.fixed:
        seeds = replicate_seeds(seed, replicates)
        return ParameterDesign(setup, 1, replicates, ({},), (), tuple(seeds))
    r = setup.seeds_per_draw
    k = -(-replicates // r)
    values = parameter_draws(scenario, setup.mode, k, seed, setup.posterior, setup.method)
    pin = tuple(pinned_keys(scenario) if pinned is None else pinned)
    return ParameterDesign(setup, k, r, tuple(values), pin, tuple(replicate_seeds(seed, k * r)))


def check_same_priors(ref: Scenario, others: Any) -> None:
    """Every mix must draw the reference's uncertain parameters from the same priors.

    Raises:
        ConfigError: A scenario with other uncertain parameters or other priors (every mix of
            a comparison, every scenario of a sweep, runs the same draws).
    """
    mine = priors(ref)
    for sc in others:
        theirs = priors(sc)
        if theirs == mine:
            continue
        diff = [k for k in mine if theirs.get(k) != mine[k]] + [k for k in theirs if k not in mine]
        raise ConfigError(
            sc.path,
            "uncertain",
            f"the uncertain parameters and priors of {ref.path} "
            "(every scenario runs the same draws)",
            f"a different prior for {diff[0]!r}"
            + (f" and {len(diff) - 1} more" if len(diff) > 1 else ""),
        )


def design_words(record: dict[str, Any] | None) -> str:
    """A ``parameters`` record in a few words: ``prior, 5 draws x 4 seeds``, ``fixed``."""
    if not record or record.get("mode", "fixed") == "fixed":
        return "fixed"
    post = record.get("posterior")
    source = f" from {Path(post['path']).name}" if post else ""
    k, r = record["draws"], record["seeds_per_draw"]
    return (
        f"{record['mode']}{source}, {k} draw{'s' if k != 1 else ''} x "
        f"{r} seed{'s' if r != 1 else ''}"
    )
