"""The dashboard's controls, generated from the schema and the plan's tasks (never listed by hand).

Every lever table (``[policy.<lever>]``), carrier programme (``[carriers.<kind>]``), the funds
and each target of the scenario becomes a group of controls; each control carries the key's
unit, meaning, valid range and plausible range from the schema's field metadata.

Which tables belong to which task comes from one function, :func:`_lever_tasks`, the only one
that reads the lever registry (:mod:`qcy_sim.policy`).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..scenario import Scenario
from ..schema import TARGET_KEYS, iter_keys

__all__ = [
    "Control",
    "ControlGroup",
    "control_specs",
    "parameter_modes",
    "parse_text",
    "format_value",
    "lookup",
    "same_value",
]

# Scenario tables that hold levers and budgets; every key under them becomes a control.
LEVER_ROOTS = ("policy", "carriers", "funds")


@dataclass(frozen=True)
class Control:
    """One editable scenario key.

    Attributes:
        key: Dotted scenario key, e.g. ``policy.awards.high_level_cny_thousand``.
        label: The key's last part.
        kind: ``bool``, ``int``, ``float``, ``list`` or ``text``.
        unit: Unit from the schema (``"1"`` for dimensionless).
        doc: The schema's one-line meaning.
        lo: Inclusive lower bound, or None.
        hi: Inclusive upper bound, or None.
        plausible: The range a sweep should explore, for uncertain keys.
        length: Required length of a list.
        simplex: A list whose elements must sum to 1.
    """

    key: str
    label: str
    kind: str
    unit: str
    doc: str
    lo: float | None = None
    hi: float | None = None
    plausible: tuple[float, float] | None = None
    length: int | None = None
    simplex: bool = False

    @property
    def hint(self) -> str:
        """Unit and ranges in a few words, shown under the control."""
        parts = [] if self.unit in ("1", "bool", "") else [self.unit]
        if self.lo is not None or self.hi is not None:
            lo = "-inf" if self.lo is None else f"{self.lo:g}"
            hi = "inf" if self.hi is None else f"{self.hi:g}"
            parts.append(f"valid [{lo}, {hi}]")
        if self.plausible:
            parts.append(f"plausible [{self.plausible[0]:g}, {self.plausible[1]:g}]")
        if self.length:
            parts.append(f"{self.length} numbers" + (" summing to 1" if self.simplex else ""))
        return "; ".join(parts)


@dataclass(frozen=True)
class ControlGroup:
    """Controls of one task of the plan (or of the targets).

    Attributes:
        title: Heading, e.g. ``Task 24: Talent finance ...``.
        tasks: The plan's task numbers (empty for safeguards and targets).
        mechanism: What the task does in the model, in a sentence or two.
        tables: ``(table, controls)`` pairs, e.g. ``("policy.awards", [...])``.
        see_also: Tables of this task already shown in an earlier group.
    """

    title: str
    tasks: tuple[int, ...]
    mechanism: str
    tables: tuple[tuple[str, tuple[Control, ...]], ...]
    see_also: tuple[str, ...] = ()

    @property
    def controls(self) -> tuple[Control, ...]:
        """Every control of the group, table by table."""
        return tuple(c for _t, cs in self.tables for c in cs)


def _lever_tasks() -> list[tuple[tuple[int, ...], str, tuple[str, ...], str]]:
    """``(task numbers, title, tables, mechanism)`` of every task and safeguard of the plan.

    The one function that knows where levers are declared: the lever registry
    (:mod:`qcy_sim.policy`), which gives each task its levers, and each lever its table,
    mechanism, spending category and the KPIs it moves.
    """
    from ..policy import LEVERS
    from ..policy.tasks import SAFEGUARDS, TASKS

    def describe(specs) -> str:
        return " ".join(
            f"{s.name}: {s.mechanism} (pays {s.spending_category}; moves {', '.join(s.kpis)})"
            for s in specs
        )

    out = []
    for task in TASKS:
        specs = task.levers
        out.append(
            ((task.task,), task.title, (*(s.lever for s in specs), *task.tables), describe(specs))
        )
    for task, name in SAFEGUARDS:
        specs = (LEVERS[name],) if name else ()
        tables = (*(s.lever for s in specs), *task.tables)
        out.append(((), task.title, tables, describe(specs) or "The yearly budgets of the funds."))
    return out


def parameter_modes(scenario: Scenario | None = None) -> tuple[str, ...]:
    """Parameter modes an ensemble can use (:mod:`qcy_sim.uncertainty`).

    ``fixed`` runs the scenario's own values, ``prior`` draws the uncertain parameters from
    their priors, ``posterior`` from the sample the scenario names (offered only when it names
    one; without a scenario every mode is listed).
    """
    from ..uncertainty import MODES

    if scenario is None or scenario.posterior:
        return MODES
    return tuple(m for m in MODES if m != "posterior")


def _kind(typ: type) -> str:
    return {bool: "bool", int: "int", float: "float", tuple: "list"}.get(typ, "text")


def _control(key: str, f: Any, typ: type) -> Control:
    meta = f.metadata
    return Control(
        key=key,
        label=key.rsplit(".", 1)[-1],
        kind=_kind(typ),
        unit=meta.get("unit") or "",
        doc=meta.get("doc") or "",
        lo=meta.get("lo"),
        hi=meta.get("hi"),
        plausible=meta.get("plausible"),
        length=meta.get("length"),
        simplex=bool(meta.get("simplex")),
    )


def _schema_tables() -> dict[str, list[Control]]:
    """Controls of every lever table, by table, in schema order."""
    out: dict[str, list[Control]] = {}
    for key, f, typ, _cls in iter_keys():
        if key.split(".", 1)[0] not in LEVER_ROOTS:
            continue
        table = key.rsplit(".", 1)[0]
        out.setdefault(table, []).append(_control(key, f, typ))
    return out


def _covers(prefix: str, table: str) -> bool:
    return table == prefix or table.startswith(prefix + ".")


def _target_group(scenario: Scenario) -> ControlGroup:
    tables = []
    for t in scenario.targets:
        controls = []
        for name, (kind, unit, doc, lo, hi) in TARGET_KEYS.items():
            controls.append(
                Control(
                    key=f"targets.{t.kpi}.{name}",
                    label=name,
                    kind="text" if kind == "month" else "float",
                    unit=unit,
                    doc=doc,
                    lo=lo,
                    hi=hi,
                )
            )
        tables.append((f"targets.{t.kpi}", tuple(controls)))
    return ControlGroup(
        "Targets",
        (),
        "Each target is met when its KPI reaches threshold x (1 - tolerance) by the end of its "
        "deadline month.",
        tuple(tables),
    )


def control_specs(scenario: Scenario) -> list[ControlGroup]:
    """Groups of controls for ``scenario``: one per task of the plan, then the rest, then targets.

    A table configured by several tasks is shown under the first and named in ``see_also`` of
    the others. Lever tables that no task names are gathered in a final "Other levers" group, so
    that every lever key has a control.
    """
    tables = _schema_tables()
    shown: set[str] = set()
    groups = []
    for numbers, title, prefixes, mechanism in _lever_tasks():
        own, seen = [], []
        for prefix in prefixes:
            covered = [t for t in tables if _covers(prefix, t)]
            own += [t for t in covered if t not in shown]
            if any(t in shown for t in covered):
                seen.append(prefix)
        shown.update(own)
        head = f"Task {', '.join(map(str, numbers))}: {title}" if numbers else title
        groups.append(
            ControlGroup(
                head,
                numbers,
                mechanism,
                tuple((t, tuple(tables[t])) for t in own),
                tuple(dict.fromkeys(seen)),
            )
        )
    rest = [t for t in tables if t not in shown]
    if rest:
        groups.append(
            ControlGroup(
                "Other levers",
                (),
                "Tables no task names.",
                tuple((t, tuple(tables[t])) for t in rest),
            )
        )
    if scenario.targets:
        groups.append(_target_group(scenario))
    return groups


# ----------------------------------------------------------------------------------------------
# Values: what a control shows and what its text means


def lookup(data: dict[str, Any], key: str) -> Any:
    """The value at dotted ``key`` of nested plain data (None if absent)."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def format_value(value: Any) -> str:
    """A value as TOML would spell it (numbers plain, lists bracketed)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if math.isfinite(value) and abs(value) < 1e15 else repr(value)
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return "" if value is None else str(value)


def parse_text(text: str, control: Control) -> Any:
    """What the text typed into ``control`` says, read as a TOML value.

    The scenario loader then judges it exactly as it would judge the same value in a file:
    ``abc`` becomes the string ``'abc'`` and is refused with the loader's message. A list may be
    typed without brackets; a month without quotes.
    """
    text = text.strip()
    if control.kind == "list" and not text.startswith("["):
        text = f"[{text}]"
    if control.kind == "text" and not text.startswith(('"', "'")):
        return text
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def same_value(a: Any, b: Any) -> bool:
    """Equal as scenario values (``800 == 800.0``; lists element by element; bools strictly)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return type(a) is type(b) and a == b or _numbers(a, b) and a == b


def _numbers(*values: Iterable[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
