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

import json
import time
from pathlib import Path
from typing import Any

from ..outputs import verify_folder
from ..scenario import ConfigError
from .report_analyses import (
    section_calibrate,
    section_discover,
    section_optimize,
    section_sensitivity,
)
from .report_html import (
    CSS,
    anchor,
    ci_svg,
    esc,
    img,
    key_head,
    num,
    p_cell,
    p_class,
    parameters_note,
    rel,
    seeds_text,
    source,
    table,
)

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
# Sections


def _section_side_by_side(runs: list[tuple[Path, dict]], root: Path) -> str:
    labels = []
    for f, c in runs:
        name = c["data"].get("scenario", f.name)
        where = rel(f, root)
        labels.append(name if where == name else f"{name} ({where})")
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
            f"{esc(lab)}<br><small>config {esc(c['data'].get('config_hash', ''))}, "
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
            thr_text = num(thr, ",g") + (f" (−{tol:.0%})" if tol else "")
        else:
            thr_text, dl = "differs", "differs"
        row = [f'<td class="k">{esc(t)}</td>', f'<td class="num">{thr_text}</td>', esc(dl)]
        for _, c in runs:
            e = c["data"]["targets"].get(t)
            row.append(p_cell(e["p_met"], e["ci_low"], e["ci_high"], w) if e else "<td>–</td>")
        rows.append(row)
    row = ["<td><b>all targets</b></td>", "", ""]
    for _, c in runs:
        d = c["data"]
        lo, hi = d.get("p_all_met_ci", [None, None])
        row.append(p_cell(d.get("p_all_met"), lo, hi, w))
    rows.append(row)
    cost = ["<td>median public spending (million CNY)</td>", "", ""]
    total = ["<td>median total spending incl. venture capital</td>", "", ""]
    for _, c in runs:
        s = c["data"].get("spending_cny_million", {})
        cost.append(f'<td class="num">{num(s.get("median_public"))}</td>')
        total.append(f'<td class="num">{num(s.get("median_total"))}</td>')
    rows += [cost, total]
    return (
        '<h2 id="side-by-side">Policy mixes side by side</h2>'
        "<p>P(target met at its deadline) with the exact (Clopper–Pearson) 95 % interval, "
        "one column per run folder. Runs with different base seeds or replicate counts are "
        "not paired; use <code>qcy compare</code> for paired differences.</p>" + table(head, rows)
    )


def _section_run(i: int, folder: Path, c: dict) -> str:
    d, m = c["data"], c.get("manifest") or {}
    out = [f'<h2 id="{anchor("run", i)}"><span class="badge">run</span>{esc(d["scenario"])}</h2>']
    out.append(
        source(
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
        f'<div class="card"><div class="v {p_class(d["p_all_met"])}">'
        f'{d["p_all_met"]:.2f}</div><div class="l">P(all targets met) [{lo:.2f}, {hi:.2f}]'
        "</div></div>"
        f'<div class="card"><div class="v">{num(spend.get("median_public"))}</div>'
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
            f"(widest {prec['max_half_width']:.3f}, {esc(prec['widest'])}).</p>"
        )
    out.append(parameters_note(d.get("parameters"), d["targets"]))
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
        "variance share of the parameters",
    ]
    rows = []
    for t, e in d["targets"].items():
        q = dist.get(t, {}).get("quantiles", {})
        band = f"{q.get('p10') or 'never'} – {q.get('p90') or 'never'}" if q else "–"
        never = dist.get(t, {}).get("never_met")
        rows.append(
            [
                f'<td class="k">{esc(t)}</td>',
                num(e["threshold"], ",g"),
                esc(e["deadline"]),
                num(e.get("tolerance", 0), ".0%"),
                p_cell(e["p_met"], e["ci_low"], e["ci_high"]),
                esc(e.get("median_month_met") or "not met"),
                esc(band),
                "–" if never is None else f"{never}/{d.get('replicates')}",
                num(e.get("median_final")),
                num(e.get("variance_share_parameters"), ".0%"),
            ]
        )
    out.append("<h3>Targets: probability and timing</h3>")
    out.append(table(head, rows, num={1, 3, 8, 9}))
    milestones = d.get("milestones") or {}
    if milestones:  # {kpi: {YYYY-MM: milestone_probability(...)}}
        rows = [
            [
                f'<td class="k">{esc(kpi)}</td>',
                esc(month),
                num(m.get("threshold"), ",g"),
                p_cell(m.get("p_met"), m.get("ci_low"), m.get("ci_high")),
            ]
            for kpi, by_month in milestones.items()
            for month, m in by_month.items()
        ]
        out.append(
            "<h3>Milestones</h3>"
            + table(["KPI", "month", "value", "P(reached) [95% CI]"], rows, num={2})
        )
    figs = sorted((folder / "figures").glob("*.png")) if (folder / "figures").is_dir() else []
    if figs:
        out.append(
            "<h3>Fan charts</h3><p>Median, 50 % and 90 % bands across replicates (with drawn "
            "parameters: the predictive bands, over every draw and seed), with the target "
            "(dashed), its tolerance (dotted) and the deadline.</p>"
        )
        out.append('<div class="grid">' + "".join(img(f, f.stem) for f in figs) + "</div>")
    by_year = spend.get("by_year_median", {})
    if by_year:
        cats = spend.get("by_category_median", {})
        top = sorted(cats, key=lambda k: -cats[k])[:8]
        head = ["year", "total", *[esc(k.replace("_", " ")) for k in top]]
        rows = [[y, num(v.get("total")), *[num(v.get(k)) for k in top]] for y, v in by_year.items()]
        out.append("<h3>Spending by year (median, million CNY)</h3>")
        out.append(table(head, rows, num=set(range(1, len(head)))))
    return "".join(out)


def _section_compare(i: int, folder: Path, c: dict) -> str:
    d, m = c["data"], c.get("manifest") or {}
    labels = [x["label"] for x in d["mixes"]]
    ref, others = labels[0], labels[1:]
    out = [
        f'<h2 id="{anchor("compare", i)}"><span class="badge">compare</span>'
        f"{esc(' vs '.join(labels))}</h2>"
    ]
    out.append(
        source(
            folder,
            "compare.json, manifest.json, compare.png",
            {
                "configs": ", ".join(f"{x['label']} {x['config_hash']}" for x in d["mixes"]),
                "base seed": d.get("base_seed"),
                "replicates": d.get("replicates"),
                "qcy_sim": m.get("version"),
                "seeds": seeds_text(d.get("seeds")),
            },
        )
    )
    out.append(
        f"<p>Every mix runs the same replicate seeds and is judged against the targets "
        f"of <b>{esc(ref)}</b>; differences are paired (Newcombe interval, exact McNemar "
        "test).</p>"
    )
    par = d.get("parameters")
    if par:
        par = {**par, "pinned": (par.get("pinned") or {}).get(ref, [])}
        out.append(
            parameters_note(par).replace(
                "</p>",
                " Every mix runs the same draws with the same seeds (common random numbers).</p>",
            )
        )
    w = 150 if len(labels) <= 2 else (100 if len(labels) == 3 else 70)
    ranking = d.get("ranking")
    if ranking:
        out.append(
            "<h3>Ranking</h3><p>By P(all targets met), then the expected number of "
            "targets met (the sum of the P(met)), then public spending.</p>"
        )
        out.append(
            table(
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
                        esc(r["label"]),
                        f"{r['p_all_met']:.2f}",
                        f"{r['expected_targets_met']:.2f} of {len(d['targets']) - 1}",
                        num(r["mean_public_cny_million"]),
                    ]
                    for r in ranking
                ],
                num={0, 2, 3, 4},
            )
        )
    head = ["target", *[f"{esc(lab)} P(met)" for lab in labels]]
    rows = []
    for key, e in d["targets"].items():
        row = [f'<td class="k">{"<b>all targets</b>" if key == "all" else esc(key)}</td>']
        for lab in labels:
            x = e["p_met"][lab]
            row.append(p_cell(x["p_met"], x["ci_low"], x["ci_high"], w))
        rows.append(row)
    out.append("<h3>Targets: P(met) per mix</h3>" + table(head, rows))
    head = ["target"]
    for lab in others:
        head += [f"{esc(lab)} − {esc(ref)} [95% CI]", "McNemar p"]
    rows = []
    for key, e in d["targets"].items():
        row = [f'<td class="k">{"<b>all targets</b>" if key == "all" else esc(key)}</td>']
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
                f"{ci_svg(v['difference'], v['ci_low'], v['ci_high'], 120, -1, 1)}</td>"
            )
            row.append(f'<td class="num">{v["mcnemar_p"]:.3g}</td>')
        rows.append(row)
    out.append(
        "<h3>Paired differences against the reference</h3><p>Green: the mix is "
        "significantly more likely to meet the target (the interval excludes 0); red: "
        "less likely.</p>" + table(head, rows)
    )
    head = [
        "mix",
        "public spending, mean",
        "total spending, mean",
        "final innovation talents",
        f"Δ public vs {esc(ref)} [95% CI]",
        "Δ talents [95% CI]",
        "public cost per additional talent (thousand CNY)",
    ]
    rows = []
    for lab in labels:
        x = d["cost"][lab]
        row = [
            esc(lab),
            num(x["mean_public_cny_million"]),
            num(x["mean_total_cny_million"]),
            num(x.get("mean_final_innovation_talents")),
        ]
        v = x.get("vs_reference")
        if v:

            def ci(e: dict) -> str:
                if e.get("ci_low") is None:
                    return num(e["mean"], "+,.0f")
                return (
                    f"{num(e['mean'], '+,.0f')} [{num(e['ci_low'], '+,.0f')}, "
                    f"{num(e['ci_high'], '+,.0f')}]"
                )

            per = v.get("public_cost_per_additional_talent_cny_thousand")
            row += [
                ci(v["public_cny_million"]),
                ci(v["innovation_talents"]),
                "<td>"
                + num(per, ",.1f")
                + (f" <small>({esc(v['note'])})</small>" if v.get("note") else "")
                + "</td>",
            ]
        else:
            row += ["(reference)", "", ""]
        rows.append(row)
    out.append(
        "<h3>Costs (million CNY over the horizon)</h3>" + table(head, rows, num={1, 2, 3, 4, 5})
    )
    prec = d.get("precision")
    if prec:
        state = "reached" if prec["reached"] else "not reached (cap hit)"
        out.append(
            f'<p class="note">Precision {prec["precision"]:g} {state} with '
            f"{prec['replicates']} replicates per mix (widest half-width "
            f"{prec['max_half_width']:.3f}, {esc(prec['widest'])}).</p>"
        )
    out.append(img(folder / "compare.png", "P(met) per mix and paired differences"))
    for note in d.get("notes", []):
        out.append(f'<p class="note">{esc(note)}</p>')
    return "".join(out)


def _section_sweep(i: int, folder: Path, c: dict) -> str:
    d, m = c["data"], c["manifest"]
    exp = m.get("experiment", {})
    out = [
        f'<h2 id="{anchor("sweep", i)}"><span class="badge">sweep</span>{esc(d["experiment"])}</h2>'
    ]
    out.append(
        source(
            folder,
            "sweep_summary.json, manifest.json, runs.parquet",
            {
                "plan": m.get("plan_hash"),
                "configs": ", ".join(f"{k} {v}" for k, v in (m.get("config_hashes") or {}).items()),
                "base seed": m.get("base_seed"),
                "qcy_sim": m.get("version"),
                "seeds": seeds_text(m.get("seeds")),
            },
        )
    )
    out.append(
        f"<p>{d['points']} points × {d['replicates']} replicates = {d['runs']} runs "
        f"({d['failed']} failed); design {esc(exp.get('design', {}).get('kind', '?'))}, "
        f"factors: {', '.join('<code>' + esc(f) + '</code>' for f in d['factors'])}.</p>"
    )
    if d.get("parameters"):
        out.append(
            parameters_note(d["parameters"]).replace(
                "</p>", " Every point runs the same draws with the same seeds.</p>"
            )
        )
    results = sorted(d["results"], key=lambda e: -(e["targets"]["all"]["p_met"] or 0))[:15]
    head = [
        "point",
        *[key_head(f) for f in d["factors"]],
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
                    num(e["params"][f], ".4g")
                    if isinstance(e["params"][f], float)
                    else esc(e["params"][f])
                    for f in d["factors"]
                ],
                p_cell(a["p_met"], a["ci_low"], a["ci_high"]),
                num(e.get("median_public_spending_cny_million")),
            ]
        )
    out.append(
        f"<h3>The {len(results)} points with the highest P(all met)</h3>" + table(head, rows)
    )
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
                f'<td class="k">{esc(folder)}</td>',
                f'<td class="k">{esc(configs)}</td>',
                esc(seed),
                esc(seeds_text(seeds)),
                esc(version or "–"),
                f'<td class="k">{esc(m.get("command", "–"))}</td>',
                esc(m.get("written", "–")),
            ]
        )
    return (
        '<h2 id="provenance">Provenance</h2><p>Where every number of this report comes from: '
        "the folder, the configuration hashes of the scenarios (SHA-256 of the resolved "
        "parameters and targets), the base seed and the replicate seeds derived from it, "
        "the qcy_sim version and the command that wrote the files. The same command with "
        "the same version reproduces them exactly.</p>"
        + table(
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
    "sensitivity": section_sensitivity,
    "discover": section_discover,
    "optimize": section_optimize,
    "calibrate": section_calibrate,
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
            f'<li><a href="#{anchor(kind, i)}">{esc(_TITLES[kind])}: {esc(name)}</a> '
            f'<small class="where">{esc(rel(folder, root))}</small></li>'
        )
        body.append(_SECTIONS[kind](i, folder, content))
    toc.append('<li><a href="#provenance">Provenance</a></li>')
    body.append(_provenance(found))
    kinds = ", ".join(f"{counters[k]} {k}" for k in KINDS if k in counters)
    now = time.strftime("%Y-%m-%d %H:%M %Z")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="qcy_sim {esc(__version__)} (qcy report)">
<title>{esc(title)}</title><style>{CSS}</style></head>
<body><header class="top"><h1>{esc(title)}</h1>
<p>Xixian New Area talent plan 2022–2024 · agent-based model qcy_sim {esc(__version__)} ·
{esc(kinds)} result folder(s) under <code>{esc(root)}</code> · written {esc(now)}</p></header>
<main><nav class="toc"><b>Contents</b><ol>{"".join(toc)}</ol></nav>
<p>Probabilities are shares of replicates meeting a target at its deadline (at least
threshold × (1 − tolerance)), with exact Clopper–Pearson 95 % intervals; green ≥ 0.9, red
&lt; 0.5. Spending is in million CNY over the simulated horizon; public spending excludes private
venture capital.</p>
{"".join(body)}
<footer>Generated by <code>qcy report</code> (qcy_sim {esc(__version__)}). This file is
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
