"""``qcy report DIR``: one self-contained HTML file a reviewer opens offline.

DIR may be a run folder (``qcy run``), a comparison (``qcy compare``), a sweep, a sensitivity,
discovery, optimisation or calibration folder, or a folder holding several of them (searched
three levels deep). The report puts the mixes side by side, shows every target with its
probability and exact interval, the fan charts, paired differences, costs, and the sensitivity,
discovery, optimisation and calibration results that are present — each section naming the
files, config hashes, seeds and package version its numbers come from. Figures are embedded as
base64 PNG or inline SVG and the style sheet is inline: the file loads nothing from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import time
from pathlib import Path
from typing import Any

from ..outputs import verify_folder
from ..scenario import ConfigError
from .sensitivity import index_table

__all__ = ["find_results", "render_report", "write_report", "KINDS"]

KINDS = ("run", "compare", "sweep", "sensitivity", "discover", "optimize", "calibrate")
_SKIP = {"chunks", "timeseries", "figures", "__pycache__"}
_TITLES = {
    "run": "Scenario run",
    "compare": "Comparison of mixes",
    "sweep": "Sweep",
    "sensitivity": "Sensitivity",
    "discover": "Scenario discovery",
    "optimize": "Cheapest mix",
    "calibrate": "Calibration",
}


# ----------------------------------------------------------------------------------------------
# Finding results


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _kinds_of(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    out = []
    if (folder / "compare.json").is_file():
        d = _load(folder / "compare.json")
        if d:
            out.append(("compare", {"data": d, "manifest": _load(folder / "manifest.json")}))
    elif (folder / "summary.json").is_file():
        d = _load(folder / "summary.json")
        if d and "targets" in d:
            out.append(("run", {"data": d, "manifest": _load(folder / "manifest.json")}))
    if (folder / "sweep_summary.json").is_file():
        m = _load(folder / "manifest.json")
        d = _load(folder / "sweep_summary.json")
        if d and m and m.get("kind") == "sweep":
            out.append(("sweep", {"data": d, "manifest": m}))
    for kind, name in (
        ("sensitivity", "sensitivity.json"),
        ("discover", "discover.json"),
        ("optimize", "optimize.json"),
        ("calibrate", "calibration.json"),
    ):
        if (folder / name).is_file():
            d = _load(folder / name)
            if d:
                out.append((kind, {"data": d}))
    return out


def find_results(root: str | Path, depth: int = 3) -> list[tuple[str, Path, dict[str, Any]]]:
    """Every result folder under ``root`` (itself included): ``(kind, folder, loaded files)``."""
    root = Path(root)
    found = []

    def walk(folder: Path, level: int) -> None:
        kinds = _kinds_of(folder)
        if kinds:
            verify_folder(folder)  # a damaged or incomplete result is refused, never shown
        for kind, content in kinds:
            found.append((kind, folder, content))
        if level >= depth:
            return
        try:
            children = sorted(p for p in folder.iterdir() if p.is_dir())
        except OSError:
            return
        for child in children:
            if child.name.startswith(".") or child.name in _SKIP:
                continue
            walk(child, level + 1)

    walk(root, 0)
    order = {k: i for i, k in enumerate(KINDS)}
    found.sort(key=lambda x: (order[x[0]], str(x[1])))
    return found


# ----------------------------------------------------------------------------------------------
# HTML helpers

_CSS = """
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


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _num(v: Any, fmt: str = ",.0f") -> str:
    if v is None:
        return "–"
    try:
        return format(v, fmt)
    except (TypeError, ValueError):
        return _e(v)


def _p_class(p: float | None) -> str:
    if p is None:
        return ""
    return "good" if p >= 0.9 else ("bad" if p < 0.5 else "mid")


def _ci_svg(
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


def _p_cell(p: float | None, lo: float | None, hi: float | None, w: int = 150) -> str:
    if p is None:
        return "<td>–</td>"
    return (
        f'<td class="num"><span class="{_p_class(p)}">{p:.2f}</span> '
        f"[{lo:.2f}, {hi:.2f}] {_ci_svg(p, lo, hi, w)}</td>"
    )


def _table(head: list[str], rows: list[list[str]], num: set[int] | None = None) -> str:
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


def _img(path: Path, caption: str = "", alt: str = "") -> str:
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    cap = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return (
        f'<figure><img alt="{_e(alt or caption or path.stem)}" '
        f'src="data:image/png;base64,{data}">{cap}</figure>'
    )


def _seeds_text(seeds: list | None) -> str:
    if not seeds:
        return "–"
    digest = hashlib.sha256(",".join(str(s) for s in seeds).encode()).hexdigest()[:12]
    head = ", ".join(str(s) for s in seeds[:2])
    return f"{len(seeds)} seeds ({head}, …; SHA-256 of the list {digest})"


def _source(folder: Path, files: str, bits: dict[str, Any]) -> str:
    parts = [f"<b>source</b> {_e(folder)}/{{{_e(files)}}}"]
    parts += [f"{_e(k)} {_e(v)}" for k, v in bits.items() if v not in (None, "")]
    return '<p class="source">' + " · ".join(parts) + "</p>"


def _key_head(key: str) -> str:
    """A dotted key as a table header that may wrap at dots and underscores."""
    return "<code>" + _e(key).replace(".", ".<wbr>").replace("_", "_<wbr>") + "</code>"


def _rel(folder: Path, root: Path) -> str:
    try:
        rel = folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(folder)
    return rel if rel != "." else folder.resolve().name


def _anchor(kind: str, i: int) -> str:
    return f"{kind}-{i}"


# ----------------------------------------------------------------------------------------------
# Sections


def _section_side_by_side(runs: list[tuple[Path, dict]], root: Path) -> str:
    labels = []
    for f, c in runs:
        name = c["data"].get("scenario", f.name)
        rel = _rel(f, root)
        labels.append(name if rel == name else f"{name} ({rel})")
    w = 150 if len(runs) <= 2 else (100 if len(runs) == 3 else 70)
    targets: list[str] = []
    for _, c in runs:
        for t in c["data"]["targets"]:
            if t not in targets:
                targets.append(t)
    head = [
        "target",
        "threshold",
        "deadline",
        *[
            f"{_e(lab)}<br><small>config {_e(c['data'].get('config_hash', ''))}, "
            f"{c['data'].get('replicates', '?')} replicates</small>"
            for lab, (_, c) in zip(labels, runs, strict=True)
        ],
    ]
    rows = []
    for t in targets:
        defs = {
            (e["threshold"], e["deadline"], e.get("tolerance", 0.0))
            for _, c in runs
            for k, e in c["data"]["targets"].items()
            if k == t
        }
        if len(defs) == 1:
            thr, dl, tol = next(iter(defs))
            thr_text = _num(thr, ",g") + (f" (−{tol:.0%})" if tol else "")
        else:
            thr_text, dl = "differs", "differs"
        row = [f'<td class="k">{_e(t)}</td>', f'<td class="num">{thr_text}</td>', _e(dl)]
        for _, c in runs:
            e = c["data"]["targets"].get(t)
            row.append(_p_cell(e["p_met"], e["ci_low"], e["ci_high"], w) if e else "<td>–</td>")
        rows.append(row)
    row = ["<td><b>all targets</b></td>", "", ""]
    for _, c in runs:
        d = c["data"]
        lo, hi = d.get("p_all_met_ci", [None, None])
        row.append(_p_cell(d.get("p_all_met"), lo, hi, w))
    rows.append(row)
    cost = ["<td>median public spending (million CNY)</td>", "", ""]
    total = ["<td>median total spending incl. venture capital</td>", "", ""]
    for _, c in runs:
        s = c["data"].get("spending_cny_million", {})
        cost.append(f'<td class="num">{_num(s.get("median_public"))}</td>')
        total.append(f'<td class="num">{_num(s.get("median_total"))}</td>')
    rows += [cost, total]
    return (
        '<h2 id="side-by-side">Policy mixes side by side</h2>'
        "<p>P(target met at its deadline) with the exact (Clopper–Pearson) 95 % interval, "
        "one column per run folder. Runs with different base seeds or replicate counts are "
        "not paired; use <code>qcy compare</code> for paired differences.</p>" + _table(head, rows)
    )


def _section_run(i: int, folder: Path, c: dict) -> str:
    d, m = c["data"], c.get("manifest") or {}
    out = [f'<h2 id="{_anchor("run", i)}"><span class="badge">run</span>{_e(d["scenario"])}</h2>']
    out.append(
        _source(
            folder,
            "summary.json, manifest.json, figures/*.png",
            {
                "config": d.get("config_hash"),
                "base seed": d.get("base_seed"),
                "replicates": d.get("replicates"),
                "qcy_sim": m.get("version"),
                "written": m.get("written"),
            },
        )
    )
    spend = d.get("spending_cny_million", {})
    lo, hi = d.get("p_all_met_ci", [0, 1])
    out.append(
        '<div class="cards">'
        f'<div class="card"><div class="v {_p_class(d["p_all_met"])}">'
        f'{d["p_all_met"]:.2f}</div><div class="l">P(all targets met) [{lo:.2f}, {hi:.2f}]'
        "</div></div>"
        f'<div class="card"><div class="v">{_num(spend.get("median_public"))}</div>'
        '<div class="l">median public spending, million CNY</div></div>'
        f'<div class="card"><div class="v">{d.get("replicates")}</div>'
        '<div class="l">replicates</div></div></div>'
    )
    prec = d.get("precision")
    if prec:
        state = "reached" if prec["reached"] else "not reached (cap hit)"
        out.append(
            f'<p class="note">Replicates were added until every interval half-width was '
            f"below {prec['precision']:g}: {state} with {prec['replicates']} replicates "
            f"(widest {prec['max_half_width']:.3f}, {_e(prec['widest'])}).</p>"
        )
    dist = d.get("month_met_distribution", {})
    head = [
        "target",
        "threshold",
        "deadline",
        "tolerance",
        "P(met) [95% CI]",
        "first met: median",
        "10 %–90 %",
        "never met",
        "median final",
    ]
    rows = []
    for t, e in d["targets"].items():
        q = dist.get(t, {}).get("quantiles", {})
        band = f"{q.get('p10') or 'never'} – {q.get('p90') or 'never'}" if q else "–"
        never = dist.get(t, {}).get("never_met")
        rows.append(
            [
                f'<td class="k">{_e(t)}</td>',
                _num(e["threshold"], ",g"),
                _e(e["deadline"]),
                _num(e.get("tolerance", 0), ".0%"),
                _p_cell(e["p_met"], e["ci_low"], e["ci_high"]),
                _e(e.get("median_month_met") or "not met"),
                _e(band),
                "–" if never is None else f"{never}/{d.get('replicates')}",
                _num(e.get("median_final")),
            ]
        )
    out.append("<h3>Targets: probability and timing</h3>")
    out.append(_table(head, rows, num={1, 3, 8}))
    milestones = d.get("milestones") or {}
    if milestones:  # {kpi: {YYYY-MM: milestone_probability(...)}}
        rows = [
            [
                f'<td class="k">{_e(kpi)}</td>',
                _e(month),
                _num(m.get("threshold"), ",g"),
                _p_cell(m.get("p_met"), m.get("ci_low"), m.get("ci_high")),
            ]
            for kpi, by_month in milestones.items()
            for month, m in by_month.items()
        ]
        out.append(
            "<h3>Milestones</h3>"
            + _table(["KPI", "month", "value", "P(reached) [95% CI]"], rows, num={2})
        )
    figs = sorted((folder / "figures").glob("*.png")) if (folder / "figures").is_dir() else []
    if figs:
        out.append(
            "<h3>Fan charts</h3><p>Median, 50 % and 90 % bands across replicates, with "
            "the target (dashed), its tolerance (dotted) and the deadline.</p>"
        )
        out.append('<div class="grid">' + "".join(_img(f, f.stem) for f in figs) + "</div>")
    by_year = spend.get("by_year_median", {})
    if by_year:
        cats = spend.get("by_category_median", {})
        top = sorted(cats, key=lambda k: -cats[k])[:8]
        head = ["year", "total", *[_e(k.replace("_", " ")) for k in top]]
        rows = [
            [y, _num(v.get("total")), *[_num(v.get(k)) for k in top]] for y, v in by_year.items()
        ]
        out.append("<h3>Spending by year (median, million CNY)</h3>")
        out.append(_table(head, rows, num=set(range(1, len(head)))))
    return "".join(out)


def _section_compare(i: int, folder: Path, c: dict) -> str:
    d, m = c["data"], c.get("manifest") or {}
    labels = [x["label"] for x in d["mixes"]]
    ref, others = labels[0], labels[1:]
    out = [
        f'<h2 id="{_anchor("compare", i)}"><span class="badge">compare</span>'
        f"{_e(' vs '.join(labels))}</h2>"
    ]
    out.append(
        _source(
            folder,
            "compare.json, manifest.json, compare.png",
            {
                "configs": ", ".join(f"{x['label']} {x['config_hash']}" for x in d["mixes"]),
                "base seed": d.get("base_seed"),
                "replicates": d.get("replicates"),
                "qcy_sim": m.get("version"),
                "seeds": _seeds_text(d.get("seeds")),
            },
        )
    )
    out.append(
        f"<p>Every mix runs the same replicate seeds and is judged against the targets "
        f"of <b>{_e(ref)}</b>; differences are paired (Newcombe interval, exact McNemar "
        "test).</p>"
    )
    w = 150 if len(labels) <= 2 else (100 if len(labels) == 3 else 70)
    ranking = d.get("ranking")
    if ranking:
        out.append(
            "<h3>Ranking</h3><p>By P(all targets met), then the expected number of "
            "targets met (the sum of the P(met)), then public spending.</p>"
        )
        out.append(
            _table(
                [
                    "rank",
                    "mix",
                    "P(all met)",
                    "expected targets met",
                    "public spending, mean (million CNY)",
                ],
                [
                    [
                        r["rank"],
                        _e(r["label"]),
                        f"{r['p_all_met']:.2f}",
                        f"{r['expected_targets_met']:.2f} of {len(d['targets']) - 1}",
                        _num(r["mean_public_cny_million"]),
                    ]
                    for r in ranking
                ],
                num={0, 2, 3, 4},
            )
        )
    head = ["target", *[f"{_e(lab)} P(met)" for lab in labels]]
    rows = []
    for key, e in d["targets"].items():
        row = [f'<td class="k">{"<b>all targets</b>" if key == "all" else _e(key)}</td>']
        for lab in labels:
            x = e["p_met"][lab]
            row.append(_p_cell(x["p_met"], x["ci_low"], x["ci_high"], w))
        rows.append(row)
    out.append("<h3>Targets: P(met) per mix</h3>" + _table(head, rows))
    head = ["target"]
    for lab in others:
        head += [f"{_e(lab)} − {_e(ref)} [95% CI]", "McNemar p"]
    rows = []
    for key, e in d["targets"].items():
        row = [f'<td class="k">{"<b>all targets</b>" if key == "all" else _e(key)}</td>']
        for lab in others:
            v = e["vs_reference"][lab]
            sig = (
                ' class="num good"'
                if v["ci_low"] > 0
                else (' class="num bad"' if v["ci_high"] < 0 else ' class="num"')
            )
            row.append(
                f"<td{sig}>{v['difference']:+.2f} [{v['ci_low']:+.2f}, "
                f"{v['ci_high']:+.2f}] "
                f"{_ci_svg(v['difference'], v['ci_low'], v['ci_high'], 120, -1, 1)}</td>"
            )
            row.append(f'<td class="num">{v["mcnemar_p"]:.3g}</td>')
        rows.append(row)
    out.append(
        "<h3>Paired differences against the reference</h3><p>Green: the mix is "
        "significantly more likely to meet the target (the interval excludes 0); red: "
        "less likely.</p>" + _table(head, rows)
    )
    head = [
        "mix",
        "public spending, mean",
        "total spending, mean",
        "final innovation talents",
        f"Δ public vs {_e(ref)} [95% CI]",
        "Δ talents [95% CI]",
        "public cost per additional talent (thousand CNY)",
    ]
    rows = []
    for lab in labels:
        x = d["cost"][lab]
        row = [
            _e(lab),
            _num(x["mean_public_cny_million"]),
            _num(x["mean_total_cny_million"]),
            _num(x.get("mean_final_innovation_talents")),
        ]
        v = x.get("vs_reference")
        if v:

            def ci(e: dict) -> str:
                if e.get("ci_low") is None:
                    return _num(e["mean"], "+,.0f")
                return (
                    f"{_num(e['mean'], '+,.0f')} [{_num(e['ci_low'], '+,.0f')}, "
                    f"{_num(e['ci_high'], '+,.0f')}]"
                )

            per = v.get("public_cost_per_additional_talent_cny_thousand")
            row += [
                ci(v["public_cny_million"]),
                ci(v["innovation_talents"]),
                "<td>"
                + _num(per, ",.1f")
                + (f" <small>({_e(v['note'])})</small>" if v.get("note") else "")
                + "</td>",
            ]
        else:
            row += ["(reference)", "", ""]
        rows.append(row)
    out.append(
        "<h3>Costs (million CNY over the horizon)</h3>" + _table(head, rows, num={1, 2, 3, 4, 5})
    )
    prec = d.get("precision")
    if prec:
        state = "reached" if prec["reached"] else "not reached (cap hit)"
        out.append(
            f'<p class="note">Precision {prec["precision"]:g} {state} with '
            f"{prec['replicates']} replicates per mix (widest half-width "
            f"{prec['max_half_width']:.3f}, {_e(prec['widest'])}).</p>"
        )
    out.append(_img(folder / "compare.png", "P(met) per mix and paired differences"))
    for note in d.get("notes", []):
        out.append(f'<p class="note">{_e(note)}</p>')
    return "".join(out)


def _section_sweep(i: int, folder: Path, c: dict) -> str:
    d, m = c["data"], c["manifest"]
    exp = m.get("experiment", {})
    out = [
        f'<h2 id="{_anchor("sweep", i)}"><span class="badge">sweep</span>{_e(d["experiment"])}</h2>'
    ]
    out.append(
        _source(
            folder,
            "sweep_summary.json, manifest.json, runs.parquet",
            {
                "plan": m.get("plan_hash"),
                "configs": ", ".join(f"{k} {v}" for k, v in (m.get("config_hashes") or {}).items()),
                "base seed": m.get("base_seed"),
                "qcy_sim": m.get("version"),
                "seeds": _seeds_text(m.get("seeds")),
            },
        )
    )
    out.append(
        f"<p>{d['points']} points × {d['replicates']} replicates = {d['runs']} runs "
        f"({d['failed']} failed); design {_e(exp.get('design', {}).get('kind', '?'))}, "
        f"factors: {', '.join('<code>' + _e(f) + '</code>' for f in d['factors'])}.</p>"
    )
    results = sorted(d["results"], key=lambda e: -(e["targets"]["all"]["p_met"] or 0))[:15]
    head = [
        "point",
        *[_key_head(f) for f in d["factors"]],
        "P(all met) [95% CI]",
        "median public spending",
    ]
    rows = []
    for e in results:
        a = e["targets"]["all"]
        rows.append(
            [
                e["point_id"],
                *[
                    _num(e["params"][f], ".4g")
                    if isinstance(e["params"][f], float)
                    else _e(e["params"][f])
                    for f in d["factors"]
                ],
                _p_cell(a["p_met"], a["ci_low"], a["ci_high"]),
                _num(e.get("median_public_spending_cny_million")),
            ]
        )
    out.append(
        f"<h3>The {len(results)} points with the highest P(all met)</h3>" + _table(head, rows)
    )
    return "".join(out)


def _section_sensitivity(i: int, folder: Path, c: dict) -> str:
    d = c["data"]
    sobol = d["method"] == "sobol"
    roles = {f["key"]: f["role"] for f in d["factors"]}
    out = [
        f'<h2 id="{_anchor("sensitivity", i)}"><span class="badge">sensitivity</span>'
        f"{_e(d['experiment'])} ({'Sobol' if sobol else 'Morris'})</h2>"
    ]
    out.append(
        _source(
            folder,
            "sensitivity.json, sensitivity.png",
            {
                "sweep": d.get("sweep"),
                "plan": d.get("sweep_plan_hash"),
                "base seed": d.get("base_seed"),
                "replicates": d.get("replicates"),
                "qcy_sim": d.get("version"),
                "seeds": _seeds_text(d.get("seeds")),
            },
        )
    )
    avg = d["averaging"]
    out.append(f"<p>{_e(d['analyzer'])}. {_e(avg[:1].upper() + avg[1:])}. {_e(d['scale'])}.</p>")
    for r in d["results"]:
        title = r["label"] + (f" — {r['scenario']}" if len(d.get("scenarios", [])) > 1 else "")
        noise = r.get("noise_share")
        out.append(
            f"<h3>{_e(title)}</h3><p class='source'>mean {r['mean']:.4g}, variance "
            f"{r['variance']:.4g}"
            + (f", noise share {noise:.2f}" if noise is not None else "")
            + "</p>"
        )
        if r["indices"] is None:
            out.append(f"<p>{_e(r['note'])}.</p>")
            continue
        head, rows = index_table(r, roles, sobol, lambda f: f'<td class="k">{_e(f)}</td>')
        out.append(_table(head, rows, num={0, 3, 4, 5}))
    out.append(_img(folder / "sensitivity.png", "ranked indices per output"))
    return "".join(out)


def _section_discover(i: int, folder: Path, c: dict) -> str:
    d = c["data"]
    out = [
        f'<h2 id="{_anchor("discover", i)}"><span class="badge">discover</span>'
        f"when is {_e(d['target'])} missed? ({_e(d['experiment'])})</h2>"
    ]
    out.append(
        _source(
            folder,
            "discover.json, discover.png",
            {
                "sweep": d.get("sweep"),
                "plan": d.get("sweep_plan_hash"),
                "base seed": d.get("base_seed"),
                "qcy_sim": d.get("version"),
                "seeds": _seeds_text(d.get("seeds")),
            },
        )
    )
    out.append(
        f"<p>PRIM ({_e(d['prim']['library'])}) over {d['n']} {_e(d['unit'])}s, of which "
        f"{d['cases_of_interest']} are of interest ({_e(d['outcome'])}; base rate "
        f"{_num(d['base_rate'], '.2f')}). Reported step: {_e(d['selection'])}. "
        f"Search ended: {_e(d['stopped'])}.</p>"
    )
    for b in d["boxes"]:
        out.append(
            f"<h3>Box {b['box']}: coverage {b['coverage']:.2f}, density "
            f"{b['density']:.2f}, mass {b['mass']:.2f}</h3>"
        )
        rows = []
        for f, lim in b["limits"].items():
            if "values" in lim:
                box, full = (
                    ", ".join(map(str, lim["values"])),
                    ", ".join(map(str, lim["full"]["values"])),
                )
            else:
                box = f"{_num(lim['min'], '.4g')} – {_num(lim['max'], '.4g')}"
                full = f"{_num(lim['full_min'], '.4g')} – {_num(lim['full_max'], '.4g')}"
            qp = lim.get("qp_value")
            rows.append(
                [
                    f'<td class="k">{_e(f)}</td>',
                    _e(box),
                    _e(full),
                    "–" if qp is None else f"{qp:.2g}",
                ]
            )
        out.append(_table(["factor", "box", "swept range", "quasi-p"], rows, num={3}))
    if not d["boxes"]:
        out.append("<p>No box was found.</p>")
    out.append(_img(folder / "discover.png", "peeling trade-off and restricted ranges"))
    return "".join(out)


def _section_optimize(i: int, folder: Path, c: dict) -> str:
    d = c["data"]
    keys = [f["key"] for f in d["search_space"]]
    out = [
        f'<h2 id="{_anchor("optimize", i)}"><span class="badge">optimize</span>'
        f"cheapest mix with P(all met) ≥ {d['p']:g} ({_e(d['experiment'])})</h2>"
    ]
    out.append(
        _source(
            folder,
            "optimize.json, optimize.png",
            {
                "scenario": f"{d['scenario']['name']} {d['scenario']['config_hash']}",
                "base seed": d.get("base_seed"),
                "replicates": d.get("replicates"),
                "qcy_sim": d.get("provenance", {}).get("version"),
                "seeds": _seeds_text(d.get("seeds")),
            },
        )
    )
    out.append(
        f"<p>Targets: {', '.join(_e(t) for t in d['targets'])}. Cost: {_e(d['cost'])}. "
        f"{_e(d['method'])}. Search: {_e(d['optimizer']['library'])}, "
        f"{len(d['trials'])} candidates.</p>"
    )
    b = d["best"]
    if b is None:
        out.append(f'<p class="note">No candidate reached P ≥ {d["p"]:g}.</p>')
    else:
        v = d.get("validation")
        cls = _p_class(b["p_all_met"])
        cards = (
            f'<div class="cards"><div class="card"><div class="v">'
            f'{_num(b["cost_cny_million"])}</div><div class="l">median public spending, '
            f'million CNY</div></div><div class="card"><div class="v {cls}">'
            f'{b["p_all_met"]:.2f}</div><div class="l">P(all met) [{b["ci_low"]:.2f}, '
            f"{b['ci_high']:.2f}], search replicates</div></div>"
        )
        if v:
            cards += (
                f'<div class="card"><div class="v {_p_class(v["p_all_met"])}">'
                f'{v["p_all_met"]:.2f}</div><div class="l">P(all met) [{v["ci_low"]:.2f}, '
                f"{v['ci_high']:.2f}], fresh replicates</div></div>"
            )
        out.append(cards + "</div>")
        out.append(
            _table(
                ["lever", "cheapest value", "searched"],
                [
                    [
                        f'<td class="k">{_e(f["key"])}</td>',
                        _num(b["levers"][f["key"]], ".4g")
                        if isinstance(b["levers"][f["key"]], float)
                        else _e(b["levers"][f["key"]]),
                        _e(f.get("range") or f.get("values")),
                    ]
                    for f in d["search_space"]
                ],
            )
        )
    rows = [
        [
            _num(t["cost_cny_million"]),
            _p_cell(t["p_all_met"], t["ci_low"], t["ci_high"]),
            t["trial"],
            *[
                _num(t["levers"][k], ".4g")
                if isinstance(t["levers"][k], float)
                else _e(t["levers"][k])
                for k in keys
            ],
        ]
        for t in d["frontier"]
    ]
    out.append(
        "<h3>Budget–probability frontier</h3>"
        + _table(
            ["budget (million CNY)", "P(all met) [95% CI]", "trial", *[_key_head(k) for k in keys]],
            rows,
            num={0, 2},
        )
    )
    out.append(_img(folder / "optimize.png", "every candidate and the frontier"))
    return "".join(out)


def _section_calibrate(i: int, folder: Path, c: dict) -> str:
    d = c["data"]
    out = [
        f'<h2 id="{_anchor("calibrate", i)}"><span class="badge">calibrate</span>'
        f"{_e(d['name'])}</h2>"
    ]
    out.append(
        _source(
            folder,
            "calibration.json, posterior.parquet, calibration.png, posterior.png",
            {
                "scenario": f"{d['scenario']['name']} {d['scenario']['config_hash']}",
                "config": d.get("config_hash", "")[:16],
                "seed": d.get("seed"),
                "qcy_sim": d.get("provenance", {}).get("version"),
                "observed": ", ".join(d.get("observed", [])),
            },
        )
    )
    sims = d["simulations"]
    out.append(
        f"<p>{_e(d['method']['algorithm'])} ({_e(d['method']['library'])}): "
        f"{len(d['generations'])} generations of {d['method']['population']} particles, "
        f"{sims['total']} simulations, stopped by {_e(d['stopping']['stopped_by'])}. "
        "The posterior sample is <code>posterior.parquet</code>.</p>"
    )

    def band(b: dict, f: str = ",.4g") -> str:
        return f"{_num(b['median'], f)} [{_num(b['q05'], f)}, {_num(b['q95'], f)}]"

    rows = [
        [
            _e(r["id"]),
            _e(r["quantity"]),
            _e(r["period"]),
            _num(r["observed"], ",.4g"),
            band(r["prior_predictive"]),
            band(r["posterior_predictive"]),
            ("fitted" if r["fitted"] else "check") + ("" if r["inside_90"] else ", outside"),
        ]
        for r in d["rows"]
    ]
    out.append(
        "<h3>Observed figures and predictive 90 % bands</h3>"
        + _table(["row", "quantity", "period", "observed", "prior", "posterior", ""], rows, num={3})
    )
    piled = ' <span class="mid">piled at the {} bound</span>'
    rows = [
        [
            f'<td class="k">{_e(k)}</td>',
            f"[{_num(p['prior_q05'], '.4g')}, {_num(p['prior_q95'], '.4g')}]",
            band(p, ".4g") + (piled.format(p["piled_at_bound"]) if p["piled_at_bound"] else ""),
        ]
        for k, p in d["parameters"].items()
    ]
    out.append(
        "<h3>Parameters</h3>" + _table(["parameter", "prior 90 %", "posterior median [90 %]"], rows)
    )
    out.append(_img(folder / "calibration.png", "observed figures over predictive bands"))
    out.append(_img(folder / "posterior.png", "marginal posteriors over the priors"))
    return "".join(out)


def _provenance(found: list[tuple[str, Path, dict]]) -> str:
    rows = []
    for kind, folder, c in found:
        d = c["data"]
        m = c.get("manifest") or d.get("provenance") or {}
        if kind == "run":
            configs, seed, seeds = d.get("config_hash"), d.get("base_seed"), m.get("seeds")
        elif kind == "compare":
            configs = ", ".join(f"{x['label']}: {x['config_hash']}" for x in d["mixes"])
            seed, seeds = d.get("base_seed"), d.get("seeds")
        elif kind == "sweep":
            configs = ", ".join(f"{k}: {v}" for k, v in (m.get("config_hashes") or {}).items())
            configs += f" (plan {m.get('plan_hash')})"
            seed, seeds = m.get("base_seed"), m.get("seeds")
        elif kind in ("sensitivity", "discover"):
            configs = ", ".join(f"{s['name']}: {s['config_hash']}" for s in d.get("scenarios", []))
            configs += f" (sweep plan {d.get('sweep_plan_hash')})"
            seed, seeds = d.get("base_seed"), d.get("seeds")
        elif kind == "optimize":
            configs = f"{d['scenario']['name']}: {d['scenario']['config_hash']}"
            seed, seeds = d.get("base_seed"), d.get("seeds")
        else:
            configs = (
                f"{d['scenario']['name']}: {d['scenario']['config_hash']}; config file "
                f"{d.get('config_hash', '')[:16]}"
            )
            seed, seeds = d.get("base_seed"), d.get("seeds")
        version = m.get("version") or d.get("version")
        rows.append(
            [
                f'<span class="badge">{kind}</span>',
                f'<td class="k">{_e(folder)}</td>',
                f'<td class="k">{_e(configs)}</td>',
                _e(seed),
                _e(_seeds_text(seeds)),
                _e(version or "–"),
                f'<td class="k">{_e(m.get("command", "–"))}</td>',
                _e(m.get("written", "–")),
            ]
        )
    return (
        '<h2 id="provenance">Provenance</h2><p>Where every number of this report comes from: '
        "the folder, the configuration hashes of the scenarios (SHA-256 of the resolved "
        "parameters and targets), the base seed and the replicate seeds derived from it, "
        "the qcy_sim version and the command that wrote the files. The same command with "
        "the same version reproduces them exactly.</p>"
        + _table(
            [
                "kind",
                "folder",
                "config hashes",
                "base seed",
                "seeds",
                "qcy_sim",
                "command",
                "written",
            ],
            rows,
        )
    )


_SECTIONS = {
    "run": _section_run,
    "compare": _section_compare,
    "sweep": _section_sweep,
    "sensitivity": _section_sensitivity,
    "discover": _section_discover,
    "optimize": _section_optimize,
    "calibrate": _section_calibrate,
}


def render_report(root: str | Path, title: str | None = None) -> tuple[str, list]:
    """The report's HTML and the result folders it covers.

    Raises:
        ConfigError: ``root`` is not a folder or holds no results.
    """
    from .. import __version__

    root = Path(root)
    if not root.is_dir():
        raise ConfigError(
            root, "", "a results folder", "no such folder" if not root.exists() else "a file"
        )
    found = find_results(root)
    if not found:
        raise ConfigError(
            root,
            "",
            "a results folder (written by qcy run, compare, sweep, "
            "sensitivity, discover, optimize or calibrate) or a folder of them",
            "no result files (summary.json, compare.json, sweep_summary.json, "
            "sensitivity.json, discover.json, optimize.json, calibration.json)",
        )
    title = title or f"qcy_sim report — {root.resolve().name}"
    counters: dict[str, int] = {}
    toc, body = [], []
    runs = [(f, c) for k, f, c in found if k == "run"]
    if len(runs) > 1:
        toc.append('<li><a href="#side-by-side">Policy mixes side by side</a></li>')
        body.append(_section_side_by_side(runs, root))
    for kind, folder, content in found:
        i = counters.get(kind, 0)
        counters[kind] = i + 1
        d = content["data"]
        name = (
            d.get("scenario")
            if kind == "run"
            else " vs ".join(x["label"] for x in d["mixes"])
            if kind == "compare"
            else d.get("experiment") or d.get("name") or folder.name
        )
        if isinstance(name, dict):
            name = name.get("name")
        if kind == "discover":
            name = f"{name}: {d.get('target')}"
        toc.append(
            f'<li><a href="#{_anchor(kind, i)}">{_e(_TITLES[kind])}: {_e(name)}</a> '
            f'<small class="where">{_e(_rel(folder, root))}</small></li>'
        )
        body.append(_SECTIONS[kind](i, folder, content))
    toc.append('<li><a href="#provenance">Provenance</a></li>')
    body.append(_provenance(found))
    kinds = ", ".join(f"{counters[k]} {k}" for k in KINDS if k in counters)
    now = time.strftime("%Y-%m-%d %H:%M %Z")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="qcy_sim {_e(__version__)} (qcy report)">
<title>{_e(title)}</title><style>{_CSS}</style></head>
<body><header class="top"><h1>{_e(title)}</h1>
<p>Xixian New Area talent plan 2022–2024 · agent-based model qcy_sim {_e(__version__)} ·
{_e(kinds)} result folder(s) under <code>{_e(root)}</code> · written {_e(now)}</p></header>
<main><nav class="toc"><b>Contents</b><ol>{"".join(toc)}</ol></nav>
<p>Probabilities are shares of replicates meeting a target at its deadline (at least
threshold × (1 − tolerance)), with exact Clopper–Pearson 95 % intervals; green ≥ 0.9, red
&lt; 0.5. Spending is in million CNY over the simulated horizon; public spending excludes private
venture capital.</p>
{"".join(body)}
<footer>Generated by <code>qcy report</code> (qcy_sim {_e(__version__)}). This file is
self-contained: figures are embedded, nothing is loaded from the network.</footer>
</main></body></html>
"""
    return page, [(k, f) for k, f, _ in found]


def write_report(
    root: str | Path, out: str | Path | None = None, title: str | None = None
) -> tuple[Path, list]:
    """Write ``report.html`` (default ``<root>/report.html``) atomically."""
    import os

    page, found = render_report(root, title)
    path = Path(out) if out else Path(root) / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path, found
