"""Priors of the uncertain parameters: a distribution, bounds and the reason for them.

Every parameter that the schema marks uncertain (``par(..., plausible=(lo, hi))``) has a prior.
Where the schema gives one (``par(..., prior=...)``) it is used; otherwise the default rule is

* **uniform on the plausible range**, the field's doc as rationale;
* **log-uniform on the plausible range** when ``lo > 0`` and ``hi / lo > 10`` (a range that
  spans more than an order of magnitude is uncertain in scale, not in level).

The schema's ``prior=`` is a small tuple: ``("loguniform",)``, ``("normal", mean, sd)``,
``("lognormal", median, sdlog)``, ``("beta", a, b)`` or ``("uniform",)``, optionally followed by
``(lo, hi)`` bounds (default: the plausible range) and a rationale string (default: the doc).

A scenario overrides priors, or makes another numeric key uncertain, in an ``[uncertain]``
table (an entry replaces the whole prior of a file it extends)::

    [uncertain]
    "talent.beta_wage" = { dist = "normal", mean = 2.0, sd = 0.5, bounds = [0.5, 4.0] }
    "enterprise.high_tech_per_year" = { dist = "beta", a = 2, b = 8, bounds = [0.0, 1.0] }

Distributions are truncated to their bounds; ``normal`` and ``lognormal`` take ``mean``/``sd``
and ``median``/``sdlog`` of the untruncated distribution. :meth:`Prior.ppf` maps a uniform
number to a draw (what Latin-hypercube and Sobol' designs need), :meth:`Prior.pdf` is the
density (what ABC-SMC needs).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .scenario import ConfigError, _describe, _suggest

__all__ = [
    "DISTRIBUTIONS",
    "Prior",
    "prior_from_spec",
    "schema_priors",
    "priors",
    "parse_uncertain",
    "integer_keys",
]

# distribution -> names of its shape arguments (besides the bounds)
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "uniform": (),
    "loguniform": (),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sdlog"),
    "beta": ("a", "b"),
}
_POSITIVE_BOUNDS = ("loguniform", "lognormal")
_ENTRY_KEYS = ("dist", "bounds", "rationale", "mean", "sd", "median", "sdlog", "a", "b")


@dataclass(frozen=True)
class Prior:
    """A prior distribution truncated to ``[lo, hi]``.

    Attributes:
        dist: One of :data:`DISTRIBUTIONS`.
        lo: Lower bound (inclusive).
        hi: Upper bound.
        args: Shape arguments in the order of ``DISTRIBUTIONS[dist]``.
        rationale: Where the prior comes from, in one line.
    """

    dist: str
    lo: float
    hi: float
    args: tuple[float, ...] = ()
    rationale: str = ""

    def __post_init__(self) -> None:
        names = DISTRIBUTIONS.get(self.dist)
        if names is None:
            raise ValueError(f"unknown distribution {self.dist!r}")
        if len(self.args) != len(names):
            raise ValueError(f"{self.dist} takes {names}, got {self.args}")
        if not (math.isfinite(self.lo) and math.isfinite(self.hi) and self.lo < self.hi):
            raise ValueError(f"bounds must be finite with lo < hi, got [{self.lo}, {self.hi}]")
        if self.dist in _POSITIVE_BOUNDS and self.lo <= 0:
            raise ValueError(f"{self.dist} needs bounds > 0, got [{self.lo}, {self.hi}]")
        if any(not math.isfinite(a) for a in self.args) or any(a <= 0 for a in self.args[1:]):
            raise ValueError(f"{self.dist} needs finite arguments and positive scales")
        if self.dist == "beta" and self.args[0] <= 0:
            raise ValueError("beta needs a > 0 and b > 0")

    # -- the distribution --------------------------------------------------------------------

    @functools.cached_property
    def _base(self):
        """A frozen scipy distribution of the (transformed) variable, made once per prior.

        Making one costs more than a quantile of it (scipy sets up the distribution's shape
        arguments, and truncnorm's tails, on first use): a calibration's particle draws the 46
        marginalised parameters through it.
        """
        from scipy import stats

        if self.dist == "normal":
            m, s = self.args
            return stats.truncnorm((self.lo - m) / s, (self.hi - m) / s, loc=m, scale=s)
        if self.dist == "lognormal":
            m, s = math.log(self.args[0]), self.args[1]
            a, b = (math.log(self.lo) - m) / s, (math.log(self.hi) - m) / s
            return stats.truncnorm(a, b, loc=m, scale=s)
        if self.dist == "beta":
            return stats.beta(self.args[0], self.args[1], loc=self.lo, scale=self.hi - self.lo)
        if self.dist == "loguniform":
            return stats.uniform(math.log(self.lo), math.log(self.hi) - math.log(self.lo))
        return stats.uniform(self.lo, self.hi - self.lo)

    def __getstate__(self) -> dict[str, Any]:
        """The fields only: the distribution is made again where the prior is unpickled."""
        return {k: v for k, v in self.__dict__.items() if k != "_base"}

    @property
    def _log_scale(self) -> bool:
        return self.dist in _POSITIVE_BOUNDS

    def ppf(self, u: Any) -> np.ndarray:
        """Quantile function: uniform numbers in [0, 1] to values in ``[lo, hi]``."""
        x = self._base.ppf(np.clip(np.asarray(u, dtype=float), 0.0, 1.0))
        if self._log_scale:
            x = np.exp(x)
        return np.clip(x, self.lo, self.hi)

    def cdf(self, x: Any) -> np.ndarray:
        """Distribution function (0 below ``lo``, 1 above ``hi``)."""
        x = np.clip(np.asarray(x, dtype=float), self.lo, self.hi)
        return self._base.cdf(np.log(x) if self._log_scale else x)

    def pdf(self, x: Any) -> np.ndarray:
        """Density (0 outside the bounds)."""
        x = np.asarray(x, dtype=float)
        inside = (x >= self.lo) & (x <= self.hi)
        xc = np.clip(x, self.lo, self.hi)
        if self._log_scale:
            d = self._base.pdf(np.log(xc)) / xc
        else:
            d = self._base.pdf(xc)
        return np.where(inside, d, 0.0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws."""
        return self.ppf(rng.random(n))

    # -- text --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The prior as an ``[uncertain]`` entry (plain data)."""
        out: dict[str, Any] = {"dist": self.dist, "bounds": [self.lo, self.hi]}
        out.update(dict(zip(DISTRIBUTIONS[self.dist], self.args, strict=True)))
        if self.rationale:
            out["rationale"] = self.rationale
        return out

    def describe(self) -> str:
        """One line, e.g. ``normal(mean 2, sd 0.5) on [0.5, 4]``."""
        args = ", ".join(
            f"{n} {v:g}" for n, v in zip(DISTRIBUTIONS[self.dist], self.args, strict=True)
        )
        return (
            f"{self.dist}({args}) on [{self.lo:g}, {self.hi:g}]"
            if args
            else (f"{self.dist} on [{self.lo:g}, {self.hi:g}]")
        )


def prior_from_spec(spec: Any, plausible: tuple[float, float], doc: str) -> Prior:
    """The prior of a schema field from its ``prior=`` spec (None: the default rule).

    Args:
        spec: None, a :class:`Prior`, or a tuple ``(dist, *args[, (lo, hi)][, rationale])``.
        plausible: The field's plausible range (the default bounds).
        doc: The field's doc (the default rationale).
    """
    lo, hi = float(plausible[0]), float(plausible[1])
    if spec is None:
        dist = "loguniform" if lo > 0 and hi / lo > 10 else "uniform"
        return Prior(dist, lo, hi, (), doc)
    if isinstance(spec, Prior):
        return spec
    if not isinstance(spec, tuple) or not spec or spec[0] not in DISTRIBUTIONS:
        raise ValueError(f"a prior spec is (dist, *args, [(lo, hi)], [rationale]), got {spec!r}")
    dist, rest = spec[0], list(spec[1:])
    rationale = rest.pop() if rest and isinstance(rest[-1], str) else doc
    if rest and isinstance(rest[-1], tuple):
        lo, hi = (float(v) for v in rest.pop())
    return Prior(dist, lo, hi, tuple(float(a) for a in rest), rationale)


def integer_keys() -> set[str]:
    """Dotted keys of integer-valued schema parameters (their draws are rounded)."""
    from .schema import iter_keys

    return {key for key, _f, typ, _c in iter_keys() if typ is int}


def schema_priors() -> dict[str, Prior]:
    """Dotted key -> prior of every uncertain parameter of the schema, in schema order."""
    from .schema import iter_keys

    out = {}
    for key, f, _typ, _cls in iter_keys():
        plausible = f.metadata.get("plausible")
        if plausible:
            out[key] = prior_from_spec(f.metadata.get("prior"), plausible, f.metadata["doc"])
    return out


def priors(scenario) -> dict[str, Prior]:
    """The priors of a scenario: the schema's, with its ``[uncertain]`` entries over them.

    Keys the scenario adds come after the schema's, in the order of the file.
    """
    out = schema_priors()
    out.update(dict(scenario.uncertain))
    return out


# ----------------------------------------------------------------------------------------------
# The [uncertain] table


def _flatten(raw: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": {dist...}}}`` and ``{"a.b": {dist...}}`` alike to ``{"a.b": {dist...}}``."""
    out: dict[str, Any] = {}
    for k, v in raw.items():
        key = f"{prefix}{k}"
        if (
            isinstance(v, dict)
            and v
            and "dist" not in v
            and all(isinstance(x, dict) for x in v.values())
        ):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def parse_uncertain(raw: Any, file_of, where: str = "uncertain") -> tuple[tuple[str, Prior], ...]:
    """Validate an ``[uncertain]`` table into ``((dotted key, Prior), ...)``.

    Args:
        raw: The table as read from TOML.
        file_of: ``file_of(dotted key under where) -> file`` that set it (for messages).
        where: The table's name in messages.

    Raises:
        ConfigError: Unknown key, unknown distribution, inverted or out-of-range bounds, a
            missing or invalid shape argument.
    """
    from .schema import iter_keys

    if not isinstance(raw, dict):
        raise ConfigError(file_of(where), where, "a table of key = { dist = ... }", _describe(raw))
    numeric = {
        key: f.metadata
        for key, f, typ, _c in iter_keys()
        if typ in (int, float) and not f.metadata.get("section")
    }
    defaults = schema_priors()
    out = []
    for key, spec in _flatten(raw).items():
        at = f"{where}.{key}"
        file = file_of(at)
        if key not in numeric:
            raise ConfigError(
                file, at, f"a numeric parameter key{_suggest(key, list(numeric))}", "an unknown key"
            )
        out.append((key, _parse_entry(spec, file, at, numeric[key], defaults.get(key))))
    return tuple(out)


def _number(value: Any, file: str, at: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(file, at, "a finite number", _describe(value))
    return float(value)


def _parse_entry(spec: Any, file: str, at: str, meta: dict, default: Prior | None) -> Prior:
    if not isinstance(spec, dict):
        raise ConfigError(file, at, '{ dist = "...", ... } (a table)', _describe(spec))
    for k in spec:
        if k not in _ENTRY_KEYS:
            raise ConfigError(
                file,
                f"{at}.{k}",
                f"one of {', '.join(_ENTRY_KEYS)}{_suggest(k, list(_ENTRY_KEYS))}",
                "an unknown key",
            )
    dist = spec.get("dist")
    if dist not in DISTRIBUTIONS:
        names = ", ".join(DISTRIBUTIONS)
        found = "nothing" if dist is None else _describe(dist)
        hint = _suggest(dist, list(DISTRIBUTIONS)) if isinstance(dist, str) else ""
        raise ConfigError(file, f"{at}.dist", f"a distribution ({names}){hint}", found)
    for k in spec:
        if k not in ("dist", "bounds", "rationale") and k not in DISTRIBUTIONS[dist]:
            raise ConfigError(
                file,
                f"{at}.{k}",
                f"the arguments of {dist} ({', '.join(DISTRIBUTIONS[dist]) or 'none'})",
                "an unknown key",
            )
    if "bounds" in spec:
        b = spec["bounds"]
        if not isinstance(b, list) or len(b) != 2:
            raise ConfigError(file, f"{at}.bounds", "[low, high]", _describe(b))
        lo, hi = (_number(v, file, f"{at}.bounds") for v in b)
        if not lo < hi:
            raise ConfigError(file, f"{at}.bounds", "[low, high] with low < high", _describe(b))
    elif default is not None:
        lo, hi = default.lo, default.hi
    else:
        raise ConfigError(
            file, f"{at}.bounds", "[low, high] (the key has no plausible range)", "nothing"
        )
    vlo, vhi = meta.get("lo"), meta.get("hi")
    if (vlo is not None and lo < vlo) or (vhi is not None and hi > vhi):
        raise ConfigError(
            file,
            f"{at}.bounds",
            f"bounds inside the key's valid range [{vlo:g}, {vhi:g}]",
            _describe([lo, hi]),
        )
    if dist in _POSITIVE_BOUNDS and lo <= 0:
        raise ConfigError(file, f"{at}.bounds", f"bounds > 0 for {dist}", _describe([lo, hi]))
    args = []
    for name in DISTRIBUTIONS[dist]:
        if name not in spec:
            raise ConfigError(file, f"{at}.{name}", f"a number ({dist} needs it)", "nothing")
        v = _number(spec[name], file, f"{at}.{name}")
        positive = name in ("sd", "sdlog", "a", "b", "median")
        if positive and v <= 0:
            raise ConfigError(file, f"{at}.{name}", "a number > 0", _describe(spec[name]))
        args.append(v)
    rationale = spec.get("rationale", default.rationale if default else "")
    if not isinstance(rationale, str):
        raise ConfigError(file, f"{at}.rationale", "a string", _describe(rationale))
    return Prior(dist, lo, hi, tuple(args), rationale)
