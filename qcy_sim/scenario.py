"""Scenario files: TOML with ``extends``, validated against the schema before anything runs.

A scenario file holds ``name``, ``description``, optionally ``extends = "other.toml"`` (a path
relative to the file), the parameter tables of :class:`~qcy_sim.schema.ModelParams`, a
``[targets.<kpi>]`` table per target, optionally an ``[uncertain]`` table of priors
(:mod:`qcy_sim.priors`) and ``posterior = "file.parquet"`` (a posterior sample, relative to the
file that names it; read by :mod:`qcy_sim.uncertainty` only when posterior draws are asked
for). Every problem is reported as one :class:`ConfigError` naming
the file, the key, what was expected and what was found.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_type_hints

from .schema import KPIS, TARGET_KEYS, Milestone, ModelParams, Target, is_section

__all__ = [
    "ConfigError",
    "Scenario",
    "read_toml",
    "peek_toml",
    "check_name",
    "MAX_CONFIG_BYTES",
    "MAX_DEPTH",
    "MAX_STRING",
    "load_scenario",
    "scenario_from_dict",
    "month_index",
    "month_label",
    "params_to_dict",
]

_TOP_KEYS = {
    "name": "str",
    "description": "str",
    "extends": "str",
    "targets": "table",
    "milestones": "table",
    "uncertain": "table",
    "posterior": "str",
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_MAX_EXTENDS_DEPTH = 32
MAX_CONFIG_BYTES = 1 << 20  # a configuration file is text a person writes: 1 MiB is plenty
MAX_DEPTH = 32  # levels of nested tables or lists, checked before any recursion
MAX_STRING = 10_000  # characters of any string value (names, descriptions, months)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
NAME_RULE = (
    "a name of letters, digits, '_' or '-' (1-64 characters, starting with a letter or digit)"
)


def check_name(value: Any, file: str | Path, key: str) -> str:
    """A scenario or experiment name: a safe slug (no '.', '..', separators, hidden names).

    Names become folder names (``results/<name>``), so nothing else is accepted.
    """
    if not isinstance(value, str) or not _NAME.match(value):
        raise ConfigError(file, key, NAME_RULE, _describe(value))
    return value


class ConfigError(ValueError):
    """A scenario or experiment file is not valid. The message is meant for the user as is."""

    def __init__(self, file: str | Path, key: str, expected: str, found: str):
        self.file, self.key, self.expected, self.found = str(file), key, expected, found
        where = f"{self.file}: {key}: " if key else f"{self.file}: "
        super().__init__(f"{where}expected {expected}, found {found}")


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: parameters, targets and where they came from."""

    name: str
    description: str
    path: str
    params: ModelParams
    targets: tuple[Target, ...]
    milestones: tuple[Milestone, ...] = ()
    uncertain: tuple = ()  # ((dotted key, priors.Prior), ...) declared in [uncertain]
    posterior: str | None = None  # absolute path of the posterior sample the scenario names

    @property
    def horizon(self) -> int:
        """Simulated months."""
        return self.params.time.horizon_months

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain data in the shape of a scenario file.

        There is no ``extends``; :func:`scenario_from_dict` turns it back into an equal Scenario.
        """
        data = {
            "name": self.name,
            "description": self.description,
            **params_to_dict(self.params),
            "targets": {t.kpi: _target_dict(t) for t in self.targets},
        }
        if self.milestones:  # only when declared, so that other scenarios keep their hash
            data["milestones"] = {}
            for ms in self.milestones:
                data["milestones"].setdefault(ms.kpi, {})[ms.month] = ms.threshold
        if self.uncertain:  # only when declared, as milestones
            data["uncertain"] = {key: prior.to_dict() for key, prior in self.uncertain}
        if self.posterior is not None:
            data["posterior"] = self.posterior
        return data

    def milestone_tolerance(self, kpi: str) -> float:
        """A milestone is judged with the tolerance of its KPI's target (0 without a target)."""
        return next((t.tolerance for t in self.targets if t.kpi == kpi), 0.0)

    @property
    def config_hash(self) -> str:
        """SHA-256 of the canonical JSON of the resolved parameters and targets (16 hex digits).

        The name and description do not enter: two files that resolve to the same model have
        the same hash. Nor do the posterior file's path (where a file lives is not what it
        holds) or the priors' rationales.
        """
        data = self.to_dict()
        data.pop("name")
        data.pop("description")
        data.pop("posterior", None)
        for entry in data.get("uncertain", {}).values():
            entry.pop("rationale", None)
        blob = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def target_month(self, target: Target) -> int:
        """Month index (1 = time.start) of a target's deadline."""
        return month_index(self.params.time.start, target.deadline)


def _target_dict(t: Target) -> dict[str, Any]:
    out = {"threshold": t.threshold, "deadline": t.deadline, "tolerance": t.tolerance}
    if t.counting:
        out["counting"] = t.counting
    return out


def params_to_dict(params: Any) -> dict[str, Any]:
    """Nested plain dict of a parameter dataclass (tuples become lists)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(params):
        v = getattr(params, f.name)
        if dataclasses.is_dataclass(v):
            out[f.name] = params_to_dict(v)
        elif isinstance(v, tuple):
            out[f.name] = list(v)
        else:
            out[f.name] = v
    return out


def month_index(start: str, month: str) -> int:
    """Months from the month before ``start`` to ``month``: ``start`` itself is 1."""
    y0, m0 = _parse_month(start)
    y1, m1 = _parse_month(month)
    return (y1 - y0) * 12 + (m1 - m0) + 1


def month_label(start: str, index: int) -> str:
    """The ``YYYY-MM`` label of month ``index`` (1 = ``start``, 0 = the month before)."""
    y, m = _parse_month(start)
    total = y * 12 + (m - 1) + index - 1
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def _parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a YYYY-MM month: {text!r}")
    return int(match.group(1)), int(match.group(2))


# ----------------------------------------------------------------------------------------------
# Reading files and resolving ``extends``


def read_toml(
    path: str | Path, what: str = "scenario file", key: str = "", referrer: Path | None = None
) -> dict[str, Any]:
    """Read a TOML configuration file; every problem is one :class:`ConfigError`.

    Args:
        path: The file.
        what: What the file should be, for messages (``"experiment file"``, …).
        key: The key that named the file (``"extends"``), if another file did.
        referrer: That other file: a missing file is reported against it.
    """
    path = Path(path)
    shown = str(referrer) if referrer else str(path)
    article = "an" if what[:1] in "aeiou" else "a"
    if not path.exists():
        raise ConfigError(shown, key, f"an existing {what}", f"no file at {path}")
    if path.is_dir():
        raise ConfigError(shown, key, f"{article} {what}", f"a folder at {path}")
    raw = _read_regular(path, shown, key, f"{article} {what}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", "UTF-8 text", f"invalid byte at offset {exc.start}") from None
    if not text.strip():
        raise ConfigError(path, "", "a TOML table with at least a name", "an empty file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", "valid TOML", f"a syntax error ({exc})") from None
    except RecursionError:
        raise ConfigError(path, "", "valid TOML", "nesting too deep to read") from None
    if not data:
        raise ConfigError(
            path, "", "a TOML table with at least a name", "an empty file (comments only)"
        )
    _check_shape(data, path)
    return data


def _read_regular(path: Path, shown: str, key: str, what: str) -> bytes:
    """The bytes of a regular file under :data:`MAX_CONFIG_BYTES`; never opens a FIFO or device."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ConfigError(path, "", "a readable file", f"{exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a FIFO"
            if stat.S_ISFIFO(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket"
            if stat.S_ISSOCK(st.st_mode)
            else "not a regular file"
        )
        raise ConfigError(shown, key, f"{what} (a regular file)", f"{kind} at {path}")
    limit = f"a file of at most {MAX_CONFIG_BYTES // 1024} KiB"
    if st.st_size > MAX_CONFIG_BYTES:
        raise ConfigError(path, "", limit, f"{st.st_size:,} bytes")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(path, "", "a readable file", f"{exc.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:  # it grew while being read
        raise ConfigError(path, "", limit, "a larger file")
    return raw


def _check_shape(data: dict, path: Path) -> None:
    """Nesting depth and string lengths, checked without recursion (before any recursive use)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, str):
            if len(node) > MAX_STRING:
                raise ConfigError(
                    path,
                    where,
                    f"a string of at most {MAX_STRING:,} characters",
                    f"{len(node):,} characters",
                )
            continue
        if not isinstance(node, dict | list):
            continue
        if depth >= MAX_DEPTH:
            shown = where if len(where) <= 80 else where[:77] + "..."
            raise ConfigError(path, shown, f"at most {MAX_DEPTH} levels of nesting", "more")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            if isinstance(k, str) and len(k) > MAX_STRING:
                raise ConfigError(path, where, "keys of a sane length", f"{len(k):,} characters")
            child = f"{where}.{k}" if where and isinstance(node, dict) else str(k)
            if isinstance(node, list):
                child = f"{where}[{k}]"
            stack.append((v, child, depth + 1))


def peek_toml(path: str | Path) -> dict[str, Any] | None:
    """The TOML of ``path`` if it is a small regular file that parses, else None (no errors).

    For deciding what kind of file something is; the real reader then reports any problem.
    """
    try:
        return read_toml(path)
    except ConfigError:
        return None


def _merge(base: dict, over: dict, origins: dict, base_origins: dict, path: str, prefix=""):
    """Deep-merge ``over`` onto ``base``; remember which file set each leaf key."""
    out = dict(base)
    for k, v in over.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v, origins, base_origins, path, key + ".")
        else:
            out[k] = v
            origins[key] = path
    return out


def _resolve(path: Path, chain: tuple[Path, ...], referrer: Path | None) -> tuple[dict, dict]:
    path = path.resolve() if path.exists() else path
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        raise ConfigError(chain[-1], "extends", "a chain of files without a cycle", cycle)
    if len(chain) >= _MAX_EXTENDS_DEPTH:
        raise ConfigError(path, "extends", f"at most {_MAX_EXTENDS_DEPTH} levels", "more")
    data = read_toml(path, "scenario file", "extends" if referrer else "", referrer)
    origins: dict[str, str] = {}
    parent = data.pop("extends", None)
    if parent is None:
        _record_origins(data, str(path), origins)
        return data, origins
    if not isinstance(parent, str):
        raise ConfigError(path, "extends", "a file name (string)", _describe(parent))
    base, base_origins = _resolve(path.parent / parent, (*chain, path), path)
    origins.update(base_origins)
    merged = _merge(base, data, origins, base_origins, str(path))
    if isinstance(base.get("uncertain"), dict) and isinstance(data.get("uncertain"), dict):
        from .priors import _flatten  # an entry replaces the parent's prior, it is not merged

        merged["uncertain"] = {**_flatten(base["uncertain"]), **_flatten(data["uncertain"])}
    return merged, origins


def _record_origins(data: dict, path: str, origins: dict, prefix: str = "") -> None:
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            _record_origins(v, path, origins, key + ".")
        else:
            origins[key] = path


def load_scenario(path: str | Path) -> Scenario:
    """Read, resolve ``extends`` and validate a scenario file.

    Raises:
        ConfigError: With the file, key, expectation and finding of the first problem.
    """
    path = Path(path)
    data, origins = _resolve(path, (), None)
    return scenario_from_dict(data, path=str(path), origins=origins)


# ----------------------------------------------------------------------------------------------
# Validation


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        if len(value) <= 8 and all(isinstance(v, int | float | str | bool) for v in value):
            return "[" + ", ".join(repr(v) for v in value) + "]"
        return f"a list of {len(value)}"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    return f"{value!r} ({type(value).__name__})"


def _suggest(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_number(value: Any, typ: type, meta: dict, file: str, key: str) -> float | int:
    rng = _range_text(meta)
    original = value
    if typ is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok and isinstance(value, float) and value.is_integer() and math.isfinite(value):
            value, ok = int(value), True
        if not ok:
            raise ConfigError(file, key, f"an integer{rng}", _describe(value))
    else:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(file, key, f"a number{rng}", _describe(value))
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(file, key, f"a finite number{rng}", _describe(value))
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(file, key, f"a value{rng}", _describe(original))
    return value


def _range_text(meta: dict) -> str:
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None and hi is not None:
        return f" in [{lo:g}, {hi:g}]"
    if lo is not None:
        return f" >= {lo:g}"
    if hi is not None:
        return f" <= {hi:g}"
    return ""


def _check_leaf(value: Any, typ: type, meta: dict, file: str, key: str) -> Any:
    unit = meta.get("unit")
    if typ is bool:
        if not isinstance(value, bool):
            raise ConfigError(file, key, "true or false", _describe(value))
        return value
    choices = meta.get("choices")
    if typ is str:
        if not isinstance(value, str):
            raise ConfigError(file, key, "a string", _describe(value))
        if unit == "YYYY-MM" and choices and value in choices:
            return value
        if choices and unit != "YYYY-MM" and value not in choices:
            shown = ", ".join(repr(c) for c in choices)
            raise ConfigError(file, key, f"one of {shown}", _describe(value))
        if unit == "YYYY-MM":
            try:
                _parse_month(value)
            except ValueError:
                raise ConfigError(file, key, "a month 'YYYY-MM'", _describe(value)) from None
        return value
    if typ is tuple:
        n = meta["length"]
        if not isinstance(value, list):
            raise ConfigError(file, key, f"a list of {n} numbers", _describe(value))
        if len(value) != n:
            raise ConfigError(file, key, f"a list of {n} numbers", f"a list of {len(value)}")
        out = tuple(_check_number(v, float, meta, file, f"{key}[{i}]") for i, v in enumerate(value))
        if meta.get("simplex") and abs(sum(out) - 1.0) > 1e-6:
            raise ConfigError(file, key, "shares that sum to 1", f"a sum of {sum(out):.6g}")
        return out
    number = _check_number(value, typ, meta, file, key)
    if choices and number not in choices:
        shown = ", ".join(str(c) for c in choices)
        raise ConfigError(file, key, f"one of {shown}", _describe(value))
    return number


def _build(
    cls: type, data: Any, origins: dict, default_file: str, prefix: str, default: Any = None
) -> Any:
    """Build dataclass ``cls`` from ``data`` over ``default`` (or its defaults), checking each key.

    Nested tables start from the default of the enclosing table, so that a file setting one
    key of ``[carriers.pilot_base]`` keeps the pilot base's other defaults.
    """
    base = cls() if default is None else default
    where = prefix.rstrip(".") or "(top level)"
    if not isinstance(data, dict):
        raise ConfigError(
            origins.get(prefix.rstrip("."), default_file), where, "a table", _describe(data)
        )
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for k in data:
        if k not in names:
            key = f"{prefix}{k}"
            file = origins.get(key) or _first_origin(origins, key) or default_file
            raise ConfigError(
                file, key, f"one of the keys of [{where}]{_suggest(k, names)}", "an unknown key"
            )
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        key = f"{prefix}{f.name}"
        value = data[f.name]
        if is_section(f):
            kwargs[f.name] = _build(
                hints[f.name], value, origins, default_file, key + ".", getattr(base, f.name)
            )
        else:
            if isinstance(value, dict):
                raise ConfigError(origins.get(key, default_file), key, "a value", "a table")
            file = origins.get(key, default_file)
            kwargs[f.name] = _check_leaf(value, hints[f.name], dict(f.metadata), file, key)
    return dataclasses.replace(base, **kwargs) if kwargs else base


def _first_origin(origins: dict, key: str) -> str | None:
    for k, v in origins.items():
        if k.startswith(key + "."):
            return v
    return None


def scenario_from_dict(
    data: dict[str, Any], path: str = "<dict>", origins: dict[str, str] | None = None
) -> Scenario:
    """Validate plain data (as read from TOML, ``extends`` already resolved) into a Scenario."""
    origins = origins or {}
    data = dict(data)
    param_names = [f.name for f in dataclasses.fields(ModelParams)]
    for k in data:
        if k not in _TOP_KEYS and k not in param_names:
            valid = [*_TOP_KEYS, *param_names]
            file = origins.get(k) or _first_origin(origins, k) or path
            raise ConfigError(
                file, k, f"a known top-level key{_suggest(k, valid)}", "an unknown key"
            )
    name = data.pop("name", None)
    if name is None:
        name = Path(path).stem
    check_name(name, origins.get("name", path), "name")
    description = data.pop("description", "")
    if not isinstance(description, str):
        raise ConfigError(
            origins.get("description", path), "description", "a string", _describe(description)
        )
    raw_targets = data.pop("targets", {})
    raw_milestones = data.pop("milestones", {})
    raw_uncertain = data.pop("uncertain", None)
    posterior = _posterior_path(data.pop("posterior", None), origins, path)
    params = _build(ModelParams, data, origins, path, "")
    targets = _build_targets(raw_targets, params, origins, path)
    milestones = _build_milestones(raw_milestones, params, origins, path)
    return Scenario(
        name=name,
        description=description,
        path=path,
        params=params,
        targets=targets,
        milestones=milestones,
        uncertain=_build_uncertain(raw_uncertain, origins, path),
        posterior=posterior,
    )


def _build_uncertain(raw: Any, origins: dict, path: str) -> tuple:
    if raw is None:
        return ()
    from .priors import parse_uncertain

    return parse_uncertain(raw, lambda key: origins.get(key) or _first_origin(origins, key) or path)


def _posterior_path(raw: Any, origins: dict, path: str) -> str | None:
    """The named posterior file, relative to the file that names it; not read here.

    ``posterior = ""`` names none (a file that extends one with a posterior drops it).
    """
    if raw is None or raw == "":
        return None
    file = origins.get("posterior", path)
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(
            file, "posterior", 'a Parquet file name (string), or "" for none', _describe(raw)
        )
    return str((Path(file).parent / raw).resolve())


def _build_milestones(raw: Any, params: ModelParams, origins: dict, path: str):
    """``[milestones.<kpi>]`` tables of ``"YYYY-MM" = value`` entries."""
    if not isinstance(raw, dict):
        raise ConfigError(origins.get("milestones", path), "milestones", "a table", _describe(raw))
    out = []
    end = month_label(params.time.start, params.time.horizon_months)
    for kpi, entries in raw.items():
        key = f"milestones.{kpi}"
        file = origins.get(key) or _first_origin(origins, key) or path
        if kpi not in KPIS:
            raise ConfigError(file, key, f"a KPI id{_suggest(kpi, list(KPIS))}", "an unknown KPI")
        if not isinstance(entries, dict):
            raise ConfigError(file, key, 'a table of "YYYY-MM" = value', _describe(entries))
        for month, value in entries.items():
            mkey = f"{key}.{month}"
            mfile = origins.get(mkey, file)
            try:
                m = month_index(params.time.start, month)
            except ValueError:
                raise ConfigError(mfile, mkey, "a month 'YYYY-MM' as key", repr(month)) from None
            if not 1 <= m <= params.time.horizon_months:
                raise ConfigError(
                    mfile, mkey, f"a month from {params.time.start} to {end}", repr(month)
                )
            meta = {"unit": "count", "lo": 0, "hi": 1e12}
            out.append(Milestone(kpi, month, _check_number(value, float, meta, mfile, mkey)))
    order = {k: i for i, k in enumerate(KPIS)}
    return tuple(sorted(out, key=lambda ms: (order[ms.kpi], ms.month)))


def _build_targets(raw: Any, params: ModelParams, origins: dict, path: str) -> tuple[Target, ...]:
    if not isinstance(raw, dict):
        raise ConfigError(origins.get("targets", path), "targets", "a table", _describe(raw))
    out = []
    for kpi, spec in raw.items():
        key = f"targets.{kpi}"
        file = origins.get(key) or _first_origin(origins, key) or path
        if kpi not in KPIS:
            raise ConfigError(file, key, f"a KPI id{_suggest(kpi, list(KPIS))}", "an unknown KPI")
        if not isinstance(spec, dict):
            raise ConfigError(file, key, "a table with threshold and deadline", _describe(spec))
        for k in spec:
            if k not in TARGET_KEYS:
                raise ConfigError(
                    origins.get(f"{key}.{k}", file),
                    f"{key}.{k}",
                    f"one of {sorted(TARGET_KEYS)}{_suggest(k, list(TARGET_KEYS))}",
                    "an unknown key",
                )
        for required in ("threshold", "deadline"):
            if required not in spec:
                raise ConfigError(file, f"{key}.{required}", "a value", "nothing")
        values = {}
        for k, (kind, unit, _doc, lo, hi) in TARGET_KEYS.items():
            if k not in spec:
                continue
            meta = {"unit": unit, "lo": lo, "hi": hi}
            if kind == "choice":
                meta = {"unit": "choice", "choices": lo}
            typ = str if kind in ("month", "choice") else float
            values[k] = _check_leaf(
                spec[k], typ, meta, origins.get(f"{key}.{k}", file), f"{key}.{k}"
            )
        target = Target(kpi=kpi, **values)
        m = month_index(params.time.start, target.deadline)
        if not 1 <= m <= params.time.horizon_months:
            end = month_label(params.time.start, params.time.horizon_months)
            raise ConfigError(
                origins.get(f"{key}.deadline", file),
                f"{key}.deadline",
                f"a month from {params.time.start} to {end} (the simulated horizon)",
                repr(target.deadline),
            )
        out.append(target)
    order = {k: i for i, k in enumerate(KPIS)}
    return tuple(sorted(out, key=lambda t: order[t.kpi]))
