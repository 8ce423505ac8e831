"""Generate ``docs/scenario-reference.md`` from the schema: ``python -m qcy_sim.docs``.

The reference is written from :mod:`qcy_sim.schema` so that documentation and validation cannot
drift apart (``tests/test_docs.py`` checks the committed file is current).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .schema import KPIS, TARGET_KEYS, ModelParams, iter_keys

__all__ = ["scenario_reference"]


def _fmt(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:g}" for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _range(meta: dict) -> str:
    if meta.get("choices") and meta["choices"] != ("",):
        return "one of " + ", ".join(_fmt(c) for c in meta["choices"])
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is None and hi is None:
        return ""
    parts = f"[{_fmt(lo) if lo is not None else '-inf'}, {_fmt(hi) if hi is not None else 'inf'}]"
    if meta.get("length"):
        parts += f", {meta['length']} values"
    if meta.get("simplex"):
        parts += ", sum 1"
    return parts


def scenario_reference() -> str:
    """The Markdown reference of every scenario key."""
    lines = [
        "# Scenario file reference",
        "",
        "Generated from `qcy_sim/schema.py` by",
        "`python -m qcy_sim.docs > docs/scenario-reference.md`;",
        "a test fails when this file and the schema disagree. Every key is optional: a key that a",
        "file does not set keeps the default below (or the value of the file it `extends`).",
        "A *plausible range* marks an uncertain parameter: no published figure pins it down, and",
        "sweeps should explore that range (`qcy_sim.schema.uncertain_parameters()`).",
        "",
        "## Top level",
        "",
        "| key | type | meaning |",
        "|---|---|---|",
        "| `name` | string | Scenario name; results go to `results/<name>/` "
        "(default: file name). |",
        "| `description` | string | Free text. |",
        "| `extends` | string | Scenario file (path relative to this one) whose values this file "
        "overrides key by key. |",
    ]
    section = None
    defaults = ModelParams()
    for key, f, _typ, _owner in iter_keys():
        head = key.rsplit(".", 1)[0]
        if head != section:
            section = head
            lines += [
                "",
                f"## `[{section}]`",
                "",
                "| key | default | unit | valid range | plausible range | meaning |",
                "|---|---|---|---|---|---|",
            ]
        value = defaults
        for part in key.split("."):
            value = getattr(value, part)
        meta = dict(f.metadata)
        plausible = meta.get("plausible")
        plaus = f"{_fmt(float(plausible[0]))} – {_fmt(float(plausible[1]))}" if plausible else ""
        lines.append(
            f"| `{key.rsplit('.', 1)[1]}` | {_fmt(value)} | {meta['unit']} | {_range(meta)} | "
            f"{plaus} | {meta['doc']} |"
        )
    lines += [
        "",
        "## `[targets.<kpi>]`",
        "",
        "One table per target; `<kpi>` is one of: " + ", ".join(f"`{k}`" for k in KPIS) + ".",
        "",
        "| key | unit | range | meaning |",
        "|---|---|---|---|",
    ]
    for key, (kind, unit, doc, lo, hi) in TARGET_KEYS.items():
        rng = _range({"choices": lo} if kind == "choice" else {"lo": lo, "hi": hi})
        req = {"threshold": " Required.", "deadline": " Required.", "tolerance": " Default 0."}
        req = req.get(key, "")
        lines.append(f"| `{key}` | {unit} | {rng} | {doc}{req} |")
    lines += [
        "",
        "## `[milestones.<kpi>]`",
        "",
        'Optional intermediate checks, one table per KPI: `"YYYY-MM" = value` entries (count, '
        ">= 0, month within the horizon). `summary.json` reports P(KPI >= value at the end of "
        "that month) with its exact interval under `milestones`; a milestone is judged with the "
        "tolerance of the KPI's target.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    """Print the reference, or write it to the path given as the first argument."""
    text = scenario_reference()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
