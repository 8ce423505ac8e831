"""Sections of ``qcy report`` for the analysis commands' folders.

Sensitivity, discovery, optimisation and calibration; :mod:`qcy_sim.analysis.report` finds the
folders and assembles the page.
"""

from __future__ import annotations

from pathlib import Path

from .report_html import (
    anchor,
    esc,
    img,
    key_head,
    num,
    p_cell,
    p_class,
    seeds_text,
    source,
    table,
)
from .sensitivity import index_table

__all__ = [
    "section_sensitivity",
    "section_discover",
    "section_optimize",
    "section_calibrate",
]


def section_sensitivity(i: int, folder: Path, c: dict) -> str:
    """The section of a ``qcy sensitivity`` folder."""
    d = c["data"]
    sobol = d["method"] == "sobol"
    roles = {f["key"]: f["role"] for f in d["factors"]}
    out = [
        f'<h2 id="{anchor("sensitivity", i)}"><span class="badge">sensitivity</span>'
        f"{esc(d['experiment'])} ({'Sobol' if sobol else 'Morris'})</h2>"
    ]
    out.append(
        source(
            folder,
            "sensitivity.json, sensitivity.png",
            {
                "sweep": d.get("sweep"),
                "plan": d.get("sweep_plan_hash"),
                "base seed": d.get("base_seed"),
                "replicates": d.get("replicates"),
                "qcy_sim": d.get("version"),
                "seeds": seeds_text(d.get("seeds")),
            },
        )
    )
    avg = d["averaging"]
    out.append(f"<p>{esc(d['analyzer'])}. {esc(avg[:1].upper() + avg[1:])}. {esc(d['scale'])}.</p>")
    for r in d["results"]:
        title = r["label"] + (f" — {r['scenario']}" if len(d.get("scenarios", [])) > 1 else "")
        noise = r.get("noise_share")
        out.append(
            f"<h3>{esc(title)}</h3><p class='source'>mean {r['mean']:.4g}, variance "
            f"{r['variance']:.4g}"
            + (f", noise share {noise:.2f}" if noise is not None else "")
            + "</p>"
        )
        if r["indices"] is None:
            out.append(f"<p>{esc(r['note'])}.</p>")
            continue
        head, rows = index_table(r, roles, sobol, lambda f: f'<td class="k">{esc(f)}</td>')
        out.append(table(head, rows, num={0, 3, 4, 5}))
    out.append(img(folder / "sensitivity.png", "ranked indices per output"))
    return "".join(out)


def section_discover(i: int, folder: Path, c: dict) -> str:
    """The section of a ``qcy discover`` folder."""
    d = c["data"]
    out = [
        f'<h2 id="{anchor("discover", i)}"><span class="badge">discover</span>'
        f"when is {esc(d['target'])} missed? ({esc(d['experiment'])})</h2>"
    ]
    out.append(
        source(
            folder,
            "discover.json, discover.png",
            {
                "sweep": d.get("sweep"),
                "plan": d.get("sweep_plan_hash"),
                "base seed": d.get("base_seed"),
                "qcy_sim": d.get("version"),
                "seeds": seeds_text(d.get("seeds")),
            },
        )
    )
    out.append(
        f"<p>PRIM ({esc(d['prim']['library'])}) over {d['n']} {esc(d['unit'])}s, of which "
        f"{d['cases_of_interest']} are of interest ({esc(d['outcome'])}; base rate "
        f"{num(d['base_rate'], '.2f')}). Reported step: {esc(d['selection'])}. "
        f"Search ended: {esc(d['stopped'])}.</p>"
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
                box = f"{num(lim['min'], '.4g')} – {num(lim['max'], '.4g')}"
                full = f"{num(lim['full_min'], '.4g')} – {num(lim['full_max'], '.4g')}"
            qp = lim.get("qp_value")
            rows.append(
                [
                    f'<td class="k">{esc(f)}</td>',
                    esc(box),
                    esc(full),
                    "–" if qp is None else f"{qp:.2g}",
                ]
            )
        out.append(table(["factor", "box", "swept range", "quasi-p"], rows, num={3}))
    if not d["boxes"]:
        out.append("<p>No box was found.</p>")
    out.append(img(folder / "discover.png", "peeling trade-off and restricted ranges"))
    return "".join(out)


def section_optimize(i: int, folder: Path, c: dict) -> str:
    """The section of a ``qcy optimize`` folder."""
    d = c["data"]
    keys = [f["key"] for f in d["search_space"]]
    out = [
        f'<h2 id="{anchor("optimize", i)}"><span class="badge">optimize</span>'
        f"cheapest mix with P(all met) ≥ {d['p']:g} ({esc(d['experiment'])})</h2>"
    ]
    out.append(
        source(
            folder,
            "optimize.json, optimize.png",
            {
                "scenario": f"{d['scenario']['name']} {d['scenario']['config_hash']}",
                "base seed": d.get("base_seed"),
                "replicates": d.get("replicates"),
                "qcy_sim": d.get("provenance", {}).get("version"),
                "seeds": seeds_text(d.get("seeds")),
            },
        )
    )
    out.append(
        f"<p>Targets: {', '.join(esc(t) for t in d['targets'])}. Cost: {esc(d['cost'])}. "
        f"{esc(d['method'])}. Search: {esc(d['optimizer']['library'])}, "
        f"{len(d['trials'])} candidates.</p>"
    )
    b = d["best"]
    if b is None:
        out.append(f'<p class="note">No candidate reached P ≥ {d["p"]:g}.</p>')
    else:
        v = d.get("validation")
        cls = p_class(b["p_all_met"])
        cards = (
            f'<div class="cards"><div class="card"><div class="v">'
            f'{num(b["cost_cny_million"])}</div><div class="l">median public spending, '
            f'million CNY</div></div><div class="card"><div class="v {cls}">'
            f'{b["p_all_met"]:.2f}</div><div class="l">P(all met) [{b["ci_low"]:.2f}, '
            f"{b['ci_high']:.2f}], search replicates</div></div>"
        )
        if v:
            cards += (
                f'<div class="card"><div class="v {p_class(v["p_all_met"])}">'
                f'{v["p_all_met"]:.2f}</div><div class="l">P(all met) [{v["ci_low"]:.2f}, '
                f"{v['ci_high']:.2f}], fresh replicates</div></div>"
            )
        out.append(cards + "</div>")
        out.append(
            table(
                ["lever", "cheapest value", "searched"],
                [
                    [
                        f'<td class="k">{esc(f["key"])}</td>',
                        num(b["levers"][f["key"]], ".4g")
                        if isinstance(b["levers"][f["key"]], float)
                        else esc(b["levers"][f["key"]]),
                        esc(f.get("range") or f.get("values")),
                    ]
                    for f in d["search_space"]
                ],
            )
        )
    rows = [
        [
            num(t["cost_cny_million"]),
            p_cell(t["p_all_met"], t["ci_low"], t["ci_high"]),
            t["trial"],
            *[
                num(t["levers"][k], ".4g")
                if isinstance(t["levers"][k], float)
                else esc(t["levers"][k])
                for k in keys
            ],
        ]
        for t in d["frontier"]
    ]
    out.append(
        "<h3>Budget–probability frontier</h3>"
        + table(
            ["budget (million CNY)", "P(all met) [95% CI]", "trial", *[key_head(k) for k in keys]],
            rows,
            num={0, 2},
        )
    )
    out.append(img(folder / "optimize.png", "every candidate and the frontier"))
    return "".join(out)


def section_calibrate(i: int, folder: Path, c: dict) -> str:
    """The section of a ``qcy calibrate`` folder."""
    d = c["data"]
    out = [
        f'<h2 id="{anchor("calibrate", i)}"><span class="badge">calibrate</span>'
        f"{esc(d['name'])}</h2>"
    ]
    out.append(
        source(
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
        f"<p>{esc(d['method']['algorithm'])} ({esc(d['method']['library'])}): "
        f"{len(d['generations'])} generations of {d['method']['population']} particles, "
        f"{sims['total']} simulations, stopped by {esc(d['stopping']['stopped_by'])}. "
        "The posterior sample is <code>posterior.parquet</code>.</p>"
    )

    def band(b: dict, f: str = ",.4g") -> str:
        return f"{num(b['median'], f)} [{num(b['q05'], f)}, {num(b['q95'], f)}]"

    rows = [
        [
            esc(r["id"]),
            esc(r["quantity"]),
            esc(r["period"]),
            num(r["observed"], ",.4g"),
            band(r["prior_predictive"]),
            band(r["posterior_predictive"]),
            ("fitted" if r["fitted"] else "check") + ("" if r["inside_90"] else ", outside"),
        ]
        for r in d["rows"]
    ]
    out.append(
        "<h3>Observed figures and predictive 90 % bands</h3>"
        + table(["row", "quantity", "period", "observed", "prior", "posterior", ""], rows, num={3})
    )
    piled = ' <span class="mid">piled at the {} bound</span>'
    rows = [
        [
            f'<td class="k">{esc(k)}</td>',
            f"[{num(p['prior_q05'], '.4g')}, {num(p['prior_q95'], '.4g')}]",
            band(p, ".4g") + (piled.format(p["piled_at_bound"]) if p["piled_at_bound"] else ""),
        ]
        for k, p in d["parameters"].items()
    ]
    out.append(
        "<h3>Parameters</h3>" + table(["parameter", "prior 90 %", "posterior median [90 %]"], rows)
    )
    out.append(img(folder / "calibration.png", "observed figures over predictive bands"))
    out.append(img(folder / "posterior.png", "marginal posteriors over the priors"))
    return "".join(out)
