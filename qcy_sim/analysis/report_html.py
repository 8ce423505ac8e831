"""HTML pieces of ``qcy report``: the style sheet, numbers, intervals, tables, figures, sources.

Everything a section of :mod:`qcy_sim.analysis.report` is built from. Figures are embedded as
base64 PNG and intervals drawn as inline SVG, so the page loads nothing from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import html
from pathlib import Path
from typing import Any

__all__ = [
    "CSS",
    "anchor",
    "ci_svg",
    "esc",
    "img",
    "key_head",
    "num",
    "p_cell",
    "p_class",
    "parameters_note",
    "rel",
    "seeds_text",
    "source",
    "table",
]

CSS = """
:root { --ink:#1d2733; --muted:#5b6b7c; --line:#d9e0e7; --band:#0b3d63; --accent:#1f77b4;
        --good:#2e7d32; --bad:#c62828; --warn:#b26a00; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       "Noto Sans", "Noto Sans CJK SC", sans-serif; color:var(--ink); background:#fff; }
header.top { background:var(--band); color:#fff; padding:28px 40px 22px; }
header.top h1 { margin:0 0 6px; font-size:26px; font-weight:600; letter-spacing:.2px; }
header.top p { margin:0; color:#cfe0ef; }
main { max-width:1320px; margin:0 auto; padding:10px 40px 60px; }
nav.toc { background:var(--bg); border:1px solid var(--line); border-radius:8px;
          padding:12px 20px; margin:22px 0; }
nav.toc ol { margin:6px 0 0; padding-left:20px; columns:2; }
nav.toc a { color:var(--accent); text-decoration:none; }
nav.toc small.where { color:var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; }
h2 { font-size:21px; margin:38px 0 8px; padding-bottom:6px; border-bottom:2px solid var(--band); }
h3 { font-size:16px; margin:24px 0 6px; }
h4 { font-size:14px; margin:16px 0 4px; color:var(--muted); }
p.source { color:var(--muted); font-size:12px; margin:2px 0 10px; }
p.note { background:#fff8e1; border-left:4px solid var(--warn); padding:8px 12px; }
table { border-collapse:collapse; margin:8px 0 16px; font-size:13px; width:auto; }
th, td { border-bottom:1px solid var(--line); padding:5px 10px; text-align:left;
         vertical-align:middle; }
th { background:var(--bg); font-weight:600; }
.tw { overflow-x:auto; max-width:100%; }
tr:nth-child(even) td { background:#fbfcfd; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.k { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:11px;
         font-weight:600; color:#fff; background:var(--accent); margin-right:6px; }
.good { color:var(--good); font-weight:600; } .bad { color:var(--bad); font-weight:600; }
.mid { color:var(--warn); font-weight:600; }
figure { margin:10px 0 18px; }
figure img { max-width:100%; border:1px solid var(--line); border-radius:6px; }
figcaption { color:var(--muted); font-size:12px; }
.grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(360px, 1fr)); gap:12px; }
.grid figure { margin:0; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin:10px 0; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 16px; min-width:170px;
        background:var(--bg); }
.card .v { font-size:22px; font-weight:600; }
.card .l { color:var(--muted); font-size:12px; }
details { margin:8px 0; } summary { cursor:pointer; color:var(--accent); }
footer { color:var(--muted); font-size:12px; border-top:1px solid var(--line); margin-top:40px;
         padding-top:10px; }
@media print { header.top { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
               nav.toc { display:none; } }
"""


def esc(x: Any) -> str:
    """Text escaped for HTML (quotes too)."""
    return html.escape(str(x), quote=True)


def num(v: Any, fmt: str = ",.0f") -> str:
    """A number formatted with ``fmt``, ``–`` for None, the text itself if not a number."""
    if v is None:
        return "–"
    try:
        return format(v, fmt)
    except (TypeError, ValueError):
        return esc(v)


def p_class(p: float | None) -> str:
    """CSS class of a probability: good (>= 0.9), mid, bad (< 0.5)."""
    if p is None:
        return ""
    return "good" if p >= 0.9 else ("bad" if p < 0.5 else "mid")


def ci_svg(
    p: float | None,
    lo: float | None,
    hi: float | None,
    w: int = 150,
    lo_axis: float = 0.0,
    hi_axis: float = 1.0,
) -> str:
    """A small inline SVG of an estimate and its interval on a fixed axis."""
    if p is None or lo is None or hi is None:
        return ""
    span = hi_axis - lo_axis

    def x(v: float) -> float:
        return 4 + (w - 8) * (min(max(v, lo_axis), hi_axis) - lo_axis) / span

    zero = (
        f'<line x1="{x(0):.1f}" y1="2" x2="{x(0):.1f}" y2="14" stroke="#8a99a8" stroke-width="1"/>'
        if lo_axis < 0 < hi_axis
        else ""
    )
    colour = (
        "#2e7d32"
        if lo_axis >= 0 and p >= 0.9
        else ("#c62828" if lo_axis >= 0 and p < 0.5 else "#1f77b4")
    )
    return (
        f'<svg class="ci" width="{w}" height="16" viewBox="0 0 {w} 16" role="img" '
        f'aria-label="{p:.2f} [{lo:.2f}, {hi:.2f}]">'
        f'<rect x="4" y="7" width="{w - 8}" height="2" fill="#e3e8ee"/>{zero}'
        f'<rect x="{x(lo):.1f}" y="4" width="{max(1.0, x(hi) - x(lo)):.1f}" height="8" '
        f'rx="2" fill="{colour}" fill-opacity="0.3"/>'
        f'<circle cx="{x(p):.1f}" cy="8" r="3.5" fill="{colour}"/></svg>'
    )


def p_cell(p: float | None, lo: float | None, hi: float | None, w: int = 150) -> str:
    """A table cell with a probability, its interval and the interval drawn."""
    if p is None:
        return "<td>–</td>"
    return (
        f'<td class="num"><span class="{p_class(p)}">{p:.2f}</span> '
        f"[{lo:.2f}, {hi:.2f}] {ci_svg(p, lo, hi, w)}</td>"
    )


def table(head: list[str], rows: list[list[str]], num: set[int] | None = None) -> str:
    """A table; cells that already start with ``<td`` are used as they are."""
    num = num or set()
    out = ['<div class="tw"><table><thead><tr>']
    out += [f"<th{' class=num' if i in num else ''}>{h}</th>" for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>")
        for i, c in enumerate(row):
            c = str(c)
            out.append(
                c if c.startswith("<td") else f"<td{' class=num' if i in num else ''}>{c}</td>"
            )
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def img(path: Path, caption: str = "", alt: str = "") -> str:
    """A PNG file embedded as a figure (empty when the file is missing)."""
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return (
        f'<figure><img alt="{esc(alt or caption or path.stem)}" '
        f'src="data:image/png;base64,{data}">{cap}</figure>'
    )


def seeds_text(seeds: list | None) -> str:
    """A list of seeds in a few words: count, first two and a digest of the list."""
    if not seeds:
        return "–"
    digest = hashlib.sha256(",".join(str(s) for s in seeds).encode()).hexdigest()[:12]
    head = ", ".join(str(s) for s in seeds[:2])
    return f"{len(seeds)} seeds ({head}, …; SHA-256 of the list {digest})"


def source(folder: Path, files: str, bits: dict[str, Any]) -> str:
    """The line naming the files, hashes and seeds a section's numbers come from."""
    parts = [f"<b>source</b> {esc(folder)}/{{{esc(files)}}}"]
    parts += [f"{esc(k)} {esc(v)}" for k, v in bits.items() if v not in (None, "")]
    return '<p class="source">' + " · ".join(parts) + "</p>"


def key_head(key: str) -> str:
    """A dotted key as a table header that may wrap at dots and underscores."""
    return "<code>" + esc(key).replace(".", ".<wbr>").replace("_", "_<wbr>") + "</code>"


def rel(folder: Path, root: Path) -> str:
    """``folder`` relative to ``root`` (its own name for the root itself)."""
    try:
        rel = folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(folder)
    return rel if rel != "." else folder.resolve().name


def anchor(kind: str, i: int) -> str:
    """The HTML id of the ``i``-th section of a kind."""
    return f"{kind}-{i}"


def _mode_words(par: dict[str, Any]) -> str:
    post = par.get("posterior")
    if par.get("mode") == "posterior" and post:
        return (
            f"drawn from the posterior sample <code>{esc(post.get('path'))}</code> "
            f"({post.get('rows')} rows, SHA-256 {esc(str(post.get('sha256'))[:12])}…)"
        )
    return f"drawn from their priors ({esc(par.get('method') or 'sobol')} points)"


def parameters_note(par: dict[str, Any] | None, targets: dict[str, Any] | None = None) -> str:
    """What the replicates' parameters were and, per target, which part of the spread is whose.

    Args:
        par: The ``parameters`` record of a summary (None: written before parameters were
            recorded, i.e. fixed).
        targets: ``{kpi: {"variance_share_parameters": ...}}``; the words name the targets whose
            final value's variance comes mostly from the parameters and mostly from noise.
    """
    if not par or par.get("mode", "fixed") == "fixed":
        return (
            '<p class="note">Parameters <b>fixed</b>: every replicate runs the scenario\'s own '
            "parameter values, so the spread shows the model's own noise only, not what is "
            "unknown about the area (<code>--parameters prior</code> or <code>posterior</code> "
            "integrates that).</p>"
        )
    k, r = par.get("draws"), par.get("seeds_per_draw")
    out = [
        f'<p class="note">Parameters <b>{esc(par["mode"])}</b>: the uncertain parameters are '
        f"{_mode_words(par)}, {k} draws × {r} seeds (every draw runs {r} seeds of its own). "
        "P(met) and the bands are predictive: over the draws and the seeds together."
    ]
    rough = isinstance(k, int) and k < 10
    pinned = par.get("pinned") or []
    if pinned and isinstance(pinned, list):
        out.append(
            f" {len(pinned)} uncertain parameter(s) the scenario sets itself keep its value: "
            + ", ".join(f"<code>{esc(x)}</code>" for x in pinned[:6])
            + (", …" if len(pinned) > 6 else "")
            + "."
        )
    shares = {
        t: e.get("variance_share_parameters") for t, e in (targets or {}).items() if e is not None
    }
    known = {t: v for t, v in shares.items() if v is not None}
    if known:
        params = sorted((t for t, v in known.items() if v >= 0.5), key=lambda t: -known[t])
        noise = sorted((t for t, v in known.items() if v < 0.5), key=lambda t: known[t])

        def listed(ts: list[str]) -> str:
            return ", ".join(f"{esc(t)} ({known[t]:.0%})" for t in ts)

        out.append(
            " Of the variance of each target's final value (one-way random-effects split over "
            "the draws): "
        )
        parts = []
        if params:
            parts.append(f"the <b>parameters</b> account for most of it for {listed(params)}")
        if noise:
            parts.append(
                "the <b>model's own noise</b> for most of it for "
                + ", ".join(f"{esc(t)} (parameters {known[t]:.0%})" for t in noise)
            )
        out.append("; ".join(parts) + ".")
        if rough:
            out.append(f" With {k} draws these shares are rough estimates.")
    missing = [t for t, v in shares.items() if v is None]
    if missing:
        out.append(
            f" Not estimable for {', '.join(esc(t) for t in missing)} (fewer than two draws or "
            "two seeds per draw, or no variance at all)."
        )
    return "".join(out) + "</p>"
