"""Regenerate the tables of ``docs/ODD.md`` that are read off the code.

Usage: ``python docs/odd_tables.py [docs/ODD.md] [--check]``. The file is rewritten in place
(``--check``: nothing is written, and the exit code is 1 when the file is stale;
``tests/test_odd.py`` runs the same check). A generated block sits between

    <!-- generated: KIND ARGS -->
    ...
    <!-- end generated -->

and is replaced by what KIND renders; everything outside the blocks is written by hand. Kinds:

* ``schedule`` and ``initialise``: the month's phases (``model.SCHEDULE``) and the initial
  state's (``model.INITIALISE``), numbered;
* ``params KEY ...``: key, default, unit, plausible range and meaning from the schema; a KEY
  ``table.*`` stands for every key of that table (for a lever, all but ``on`` and
  ``start_month``, which every lever has);
* ``wide TABLE``: one row per key, one column per sub-table: ``carriers`` (by carrier kind),
  ``support`` (the carrier programmes of the levers), ``funds``, ``competitors`` (the cities);
* ``levers``: the plan's tasks and the levers that implement them (``qcy levers --json``);
* ``registry``: every lever's tasks, spending categories, running cost, reform flag and KPIs;
* ``spending``: every spending category, the budget line that pays it and that line's fund;
* ``uncertain``: every uncertain parameter with its default, plausible range and prior.
"""

from __future__ import annotations

import re
import sys
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from qcy_sim.mechanisms.carriers import SUPPORT
from qcy_sim.mechanisms.funding import budget_lines
from qcy_sim.model import INITIALISE, SCHEDULE, SPENDING
from qcy_sim.names import CARRIER_KINDS
from qcy_sim.policy import LEVERS_IN_ORDER
from qcy_sim.policy.tasks import task_table
from qcy_sim.priors import schema_priors
from qcy_sim.schema import COMPETITORS, ModelParams, iter_keys

__all__ = ["render", "render_block", "main", "BLOCK", "SECTIONS"]

ODD = Path(__file__).resolve().parent / "ODD.md"
BLOCK = re.compile(
    r"(<!-- generated: (?P<spec>[^>]*?) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S
)
_COMMON_LEVER_KEYS = ("on", "start_month")
# The submodel (section of docs/ODD.md) that describes each component of model.COMPONENTS; a new
# component must be given its section here before the schedule can be rendered.
SECTIONS = {
    "policy": "7.1",
    "funding": "7.2",
    "carriers": "7.3",
    "port": "7.4",
    "housing": "7.5",
    "attraction": "7.6",
    "services": "7.7",
    "enterprises": "7.8",
    "founding": "7.9",
    "investment": "7.10",
    "landing": "7.11",
    "competitors": "7.12",
    "matching": "7.13",
    "training": "7.14",
    "careers": "7.15",
    "brokers": "7.16",
    "teams": "7.17",
    "reforms": "7.18",
    "population": "2.1, 5",
}


def fmt(value: Any) -> str:
    """A default as a scenario file would write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _index() -> dict[str, Any]:
    """Dotted key -> its dataclass field, for every leaf key of the schema."""
    return {key: f for key, f, _typ, _owner in iter_keys()}


def default(key: str) -> Any:
    """The schema default of a dotted key."""
    value: Any = ModelParams()
    for part in key.split("."):
        value = getattr(value, part)
    return value


def _plausible(meta: dict) -> str:
    p = meta.get("plausible")
    return f"{fmt(float(p[0]))} – {fmt(float(p[1]))}" if p else ""


def _expand(keys: list[str], index: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key in keys:
        if not key.endswith(".*"):
            if key not in index:
                raise KeyError(f"unknown scenario key {key!r}")
            out.append(key)
            continue
        table = key[:-2]
        lever = table.startswith("policy.")
        found = [
            k
            for k in index
            if k.rsplit(".", 1)[0] == table
            and not (lever and k.rsplit(".", 1)[1] in _COMMON_LEVER_KEYS)
        ]
        if not found:
            raise KeyError(f"no keys in table {table!r}")
        out += found
    return out


def params(keys: list[str]) -> list[str]:
    """Key, default, unit, plausible range and meaning of the given keys."""
    index = _index()
    lines = [
        "| key | default | unit | plausible range | meaning |",
        "|---|---|---|---|---|",
    ]
    for key in _expand(keys, index):
        meta = index[key].metadata
        lines.append(
            f"| `{key}` | {_cell(fmt(default(key)))} | {_cell(meta['unit'])} | "
            f"{_plausible(meta)} | {_cell(meta['doc'])} |"
        )
    return lines


def _wide(prefix: str, columns: list[tuple[str, str]]) -> list[str]:
    """One row per key of the tables ``prefix.<column>``, one column per table."""
    index = _index()
    rows: dict[str, Any] = {}
    for _label, path in columns:
        obj = default(f"{prefix}.{path}")
        for f in fields(obj):
            if not is_dataclass(getattr(obj, f.name)):
                rows.setdefault(f.name, f)
    head = " | ".join(f"`{label}`" for label, _ in columns)
    lines = [
        f"| key (`{prefix}.<table>.…`) | unit | {head} | plausible range | meaning |",
        "|---|---|" + "---:|" * len(columns) + "---|---|",
    ]
    for name, f in rows.items():
        cells = []
        for _label, path in columns:
            key = f"{prefix}.{path}.{name}"
            cells.append(_cell(fmt(default(key))) if key in index else "—")
        meta = f.metadata
        lines.append(
            f"| `{name}` | {_cell(meta['unit'])} | {' | '.join(cells)} | {_plausible(meta)} | "
            f"{_cell(meta['doc'])} |"
        )
    return lines


def wide(table: str) -> list[str]:
    """A wide table of ``carriers``, ``support``, ``funds`` or ``competitors``."""
    if table == "carriers":
        return _wide("carriers", [(k, k) for k in CARRIER_KINDS])
    if table == "support":
        return _wide("policy", [(f"{SUPPORT[k]}.{k}", f"{SUPPORT[k]}.{k}") for k in CARRIER_KINDS])
    if table == "funds":
        return _wide("funds", [(f.name, f.name) for f in fields(default("funds"))])
    if table == "competitors":
        return _wide("competitors", [(c, c) for c in COMPETITORS])
    raise KeyError(f"no wide table {table!r}")


def phases(rows) -> list[str]:
    """The numbered phases of the schedule or of the initial state, with their submodel."""
    lines = ["| # | component.phase | what happens | § |", "|---:|---|---|---|"]
    for i, row in enumerate(rows, 1):
        name, phase = row[0], row[1]
        what = row[2] if len(row) > 2 else ""
        lines.append(f"| {i} | `{name}.{phase}` | {_cell(what)} | {SECTIONS[name]} |")
    return lines


def levers() -> list[str]:
    """The plan's tasks and the levers that implement them, as ``qcy levers --json`` lists them."""
    lines = [
        "| task | title | lever | mechanism | cost | KPIs moved |",
        "|---:|---|---|---|---|---|",
    ]
    for t in task_table():
        task = str(t["task"]) if t["task"] else "五"
        reform = " (reform)" if t["reform"] else ""
        kpis = ", ".join(f"`{k}`" for k in t["kpis"])
        if len(t["kpis"]) > 6:
            kpis = "all 13"
        lines.append(
            f"| {task} | {_cell(t['title'])} | `[{t['lever']}]`{reform} | "
            f"{_cell(t['mechanism'])} | {_cell(t['cost'])} | {kpis} |"
        )
    return lines


def registry() -> list[str]:
    """Every lever's tasks, spending categories, running cost, reform flag and KPIs."""
    lines = [
        "| lever | tasks | spending categories (its own line) | running cost (yearly, product of) "
        "| reform | switching it on raises |",
        "|---|---|---|---|---|---|",
    ]
    for spec in LEVERS_IN_ORDER:
        tasks = ", ".join(str(t) if t else "五" for t in spec.tasks)
        cats = ", ".join(f"`{c}`" for c in spec.spending)
        fixed = " × ".join(f"`{k}`" for k in spec.fixed_cost) or "—"
        outs = ", ".join(f"`{o}`" for o in spec.outputs)
        lines.append(
            f"| `{spec.name}` | {tasks} | {cats} | {fixed} | {'yes' if spec.reform else ''} "
            f"| {outs} |"
        )
    return lines


def spending() -> list[str]:
    """Every spending category, the line that pays it and the fund of that line."""
    lines_of = budget_lines()
    lines = ["| spending category | budget line | fund |", "|---|---|---|"]
    for cat, line in SPENDING.items():
        lines.append(f"| `{cat}` | `{line}` | `{lines_of[line]}` |")
    return lines


def uncertain() -> list[str]:
    """Every uncertain parameter: default, plausible range and prior."""
    index = _index()
    lines = ["| key | default | plausible range | prior |", "|---|---|---|---|"]
    for key, prior in schema_priors().items():
        lines.append(
            f"| `{key}` | {fmt(default(key))} | {_plausible(index[key].metadata)} | "
            f"{prior.describe()} |"
        )
    return lines


def render_block(spec: str) -> list[str]:
    """The lines of one generated block."""
    kind, *args = spec.split()
    if kind == "schedule":
        return phases(SCHEDULE)
    if kind == "initialise":
        return phases(INITIALISE)
    if kind == "params":
        return params(args)
    if kind == "wide":
        return wide(args[0])
    simple = {"levers": levers, "registry": registry, "spending": spending, "uncertain": uncertain}
    if kind in simple:
        return simple[kind]()
    raise KeyError(f"unknown generated block {kind!r}")


def render(text: str) -> str:
    """``text`` with every generated block regenerated."""

    def replace(match: re.Match) -> str:
        body = "\n".join(render_block(match.group("spec"))) + "\n"
        return match.group(1) + body + match.group(4)

    return BLOCK.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the ODD's generated blocks (``--check``: report whether they are current)."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    path = Path(paths[0]) if paths else ODD
    text = path.read_text(encoding="utf-8")
    new = render(text)
    if check:
        if new != text:
            print(f"{path} is stale: run python docs/odd_tables.py {path}", file=sys.stderr)
            return 1
        return 0
    if new != text:
        path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
