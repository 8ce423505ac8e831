"""The settings a planner changed: validated like a file, written as a file that ``extends``.

The dashboard keeps the scenario it started from (``base``) and a dict of changed dotted keys.
:func:`evaluate` validates them with :func:`qcy_sim.scenario.scenario_from_dict`, attributing each
message to the control that caused it, and names the file it would come from as the downloaded
file will be named, so that the messages are those ``qcy validate`` prints for that file.
:func:`scenario_toml` writes that file: ``extends`` the base (its path as given) and holds only
the changed keys, so ``qcy run`` of it reproduces the dashboard's numbers.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..scenario import ConfigError, Scenario, load_scenario, scenario_from_dict
from .controls import lookup, same_value

__all__ = [
    "Evaluation",
    "evaluate",
    "download_name",
    "edited_name",
    "scenario_toml",
    "scenario_files",
    "set_key",
]


def edited_name(base: Scenario) -> str:
    """Name of the scenario the dashboard's settings make (the base's name + ``-dashboard``)."""
    return f"{base.name}-dashboard"


def download_name(base: Scenario) -> str:
    """File name of the downloaded scenario."""
    return f"{edited_name(base)}.toml"


def set_key(data: dict[str, Any], key: str, value: Any) -> None:
    """Set dotted ``key`` in nested plain data, creating tables on the way."""
    *tables, leaf = key.split(".")
    node = data
    for part in tables:
        node = node.setdefault(part, {})
    node[leaf] = value


def _data(base: Scenario, changes: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(base.to_dict())
    data["name"] = edited_name(base)
    for key, value in changes.items():
        set_key(data, key, value)
    return data


def _owner(error_key: str, changes: dict[str, Any]) -> str | None:
    """The changed key a loader message is about (``key[2]`` of a list -> ``key``)."""
    for key in changes:
        if error_key == key or error_key.startswith((key + "[", key + ".")):
            return key
    return None


@dataclass
class Evaluation:
    """The outcome of validating the changed settings.

    Attributes:
        scenario: The validated scenario, or None while any setting is invalid.
        errors: Loader message by changed key, shown next to its control.
        message: A loader message that no single control caused, if any.
        changes: The changed keys (those equal to the base's value are dropped).
    """

    scenario: Scenario | None
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the settings can run."""
        return self.scenario is not None


def effective_changes(base: Scenario, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` without the keys whose value equals the base's."""
    data = base.to_dict()
    return {k: v for k, v in changes.items() if not same_value(v, lookup(data, k))}


def evaluate(base: Scenario, changes: dict[str, Any]) -> Evaluation:
    """Validate the base scenario with ``changes`` applied, as the downloaded file would be.

    Each changed key is first checked alone over the base, so that every invalid control gets
    its own message; then all together, for rules that tie keys to each other (a deadline
    within the horizon).
    """
    changes = effective_changes(base, changes)
    file = download_name(base)
    origins = dict.fromkeys(changes, file)
    errors: dict[str, str] = {}
    for key, value in changes.items():
        try:
            scenario_from_dict(_data(base, {key: value}), path=base.path, origins={key: file})
        except ConfigError as exc:
            errors[key] = str(exc)
    try:
        scenario = scenario_from_dict(_data(base, changes), path=base.path, origins=origins)
    except ConfigError as exc:
        owner = _owner(exc.key, changes)
        if owner is not None and owner not in errors:
            errors[owner] = str(exc)
        message = None if owner is not None else str(exc)
        return Evaluation(None, errors, message, changes)
    if errors:  # pragma: no cover - a key invalid alone is invalid together
        return Evaluation(None, errors, None, changes)
    return Evaluation(scenario, {}, None, changes)


# ----------------------------------------------------------------------------------------------
# The downloaded file


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return {math.inf: "inf", -math.inf: "-inf"}.get(value, "nan")
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def scenario_toml(base_path: str, base: Scenario, changes: dict[str, Any], run: str = "") -> str:
    """The TOML of the dashboard's settings: ``extends`` the base and only the changed keys.

    Args:
        base_path: The base scenario's path as the dashboard was given it (relative to the
            folder the dashboard was started in, where the file is meant to be saved).
        base: The base scenario.
        changes: Changed dotted keys and their values.
        run: The ``qcy run`` command that reproduces the dashboard's ensemble, for a comment.
    """
    changes = effective_changes(base, changes)
    lines = [
        f"# Settings changed in the qcy dashboard over {base_path}.",
        "# Save it in the folder the dashboard was started in (extends is relative to it).",
    ]
    if run:
        lines.append(f"# Reproduce the dashboard's ensemble: {run}")
    lines += [
        f"name = {_toml_value(edited_name(base))}",
        f"description = {_toml_value(f'{base.name} with settings changed in the dashboard')}",
        f"extends = {_toml_value(base_path)}",
    ]
    tables: dict[str, list[str]] = {}
    for key in sorted(changes):
        table, leaf = key.rsplit(".", 1)
        tables.setdefault(table, []).append(f"{leaf} = {_toml_value(changes[key])}")
    for table, entries in tables.items():
        lines += ["", f"[{table}]", *entries]
    return "\n".join(lines) + "\n"


def scenario_files(base_path: str, folders: tuple[str, ...] = ("scenarios",)) -> list[str]:
    """Scenario files next to ``base_path`` and in ``folders``, as paths relative to the cwd.

    Files that do not load as scenarios (experiment or calibration files, broken files) are
    left out; the base is always first.
    """
    from ..experiment import is_experiment_file

    found = [base_path]
    for folder in (str(Path(base_path).parent), *folders):
        for path in sorted(Path(folder).glob("*.toml")):
            text = str(path)
            if any(Path(text).resolve() == Path(f).resolve() for f in found):
                continue
            try:
                if is_experiment_file(text):
                    continue
                load_scenario(text)
            except (ConfigError, OSError, ValueError):
                continue
            found.append(text)
    return found
