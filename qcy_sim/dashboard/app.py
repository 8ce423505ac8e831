"""The Solara app of ``qcy dashboard``: levers as controls, ensembles against the targets.

Two pages: ``/`` (ensembles: controls grouped by the plan's tasks, P(met), fan charts, spending,
a second scenario on the same seeds) and ``/single`` (Mesa's SolaraViz stepping one run).
State lives in Solara reactive variables, one set per browser page; ensembles run in child
processes (:mod:`qcy_sim.dashboard.jobs`).
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import solara
import solara.lab

from ..scenario import ConfigError, Scenario, load_scenario, scenario_from_dict
from ..uncertainty import default_mode
from . import charts, jobs
from .controls import (
    Control,
    ControlGroup,
    control_specs,
    format_value,
    lookup,
    parameter_modes,
    parse_text,
)
from .edits import Evaluation, download_name, evaluate, scenario_files, scenario_toml
from .single import SingleRun

__all__ = [
    "Options",
    "OPTIONS",
    "configure",
    "Dashboard",
    "SinglePage",
    "Layout",
    "routes",
    "Outcome",
]


@dataclass
class Options:
    """What ``qcy dashboard`` was started with (one set per server process)."""

    scenario: str = "scenarios/baseline.toml"
    workers: int = 1


OPTIONS = Options()


def configure(scenario: str, workers: int) -> None:
    """Set the starting scenario (its path as given) and the processes an ensemble may use."""
    OPTIONS.scenario = scenario
    OPTIONS.workers = workers


@dataclass
class Outcome:
    """A finished ensemble, ready to show.

    Attributes:
        request: What ran.
        labels: One label per scenario (the first is the reference).
        scenarios: The scenarios.
        kpis: Per scenario, the ``(replicates, months + 1, 13)`` KPI array.
        summaries: Per scenario, its ``summary.json`` content.
        compare: ``compare.json`` content when two scenarios ran, else None.
        elapsed_s: Wall time of the run.
    """

    request: jobs.EnsembleRequest
    labels: list[str]
    scenarios: list[Scenario]
    kpis: list[np.ndarray]
    summaries: list[dict[str, Any]]
    compare: dict[str, Any] | None
    elapsed_s: float
    when: float = field(default_factory=time.time)


def _outcome(request: jobs.EnsembleRequest, result: jobs.EnsembleResult, elapsed: float):
    scenarios = [scenario_from_dict(request.scenario, path=request.path)]
    if request.other:
        scenarios.append(load_scenario(request.other))
    return Outcome(
        request,
        result.labels,
        scenarios,
        result.kpis,
        result.summaries,
        result.compare,
        elapsed,
    )


# ----------------------------------------------------------------------------------------------
# State (one set per browser page)

scenario_path: solara.Reactive[str | None] = solara.reactive(None)
changes: solara.Reactive[dict[str, Any]] = solara.reactive({})
replicates = solara.reactive(20)
seed = solara.reactive(0)
mode = solara.reactive("")  # "" until chosen: the scenario's default (see _mode)
other: solara.Reactive[str | None] = solara.reactive(None)
open_group = solara.reactive(0)
outcome: solara.Reactive[Outcome | None] = solara.reactive(None)
failure: solara.Reactive[str | None] = solara.reactive(None)
current_job: solara.Reactive[jobs.EnsembleJob | None] = solara.reactive(None)
done = solara.reactive(0)

_NONE = "(none)"
_PROGRESS_EVERY_S = 0.25  # progress shown at most this often: every redraw costs the server


@solara.lab.task
def run_ensemble(request: jobs.EnsembleRequest) -> None:
    """Run ``request`` in a child process, reporting progress; keep the outcome or the failure."""
    t0 = time.time()
    done.set(0)
    failure.set(None)
    try:
        job = jobs.EnsembleJob(request)
        current_job.set(job)
        shown = 0.0
        for n in job.progress():
            if time.time() - shown >= _PROGRESS_EVERY_S or n == job.total:
                shown = time.time()
                done.set(n)
                run_ensemble.progress = 100.0 * n / job.total
        result = job.result()
    except jobs.EnsembleCancelled:
        return
    except jobs.EnsembleFailed as exc:
        failure.set(str(exc))
        return
    finally:
        current_job.set(None)
    outcome.set(_outcome(request, result, time.time() - t0))


def _path() -> str:
    return scenario_path.value or OPTIONS.scenario


def _css(key: str) -> str:
    """The CSS class that marks the control of ``key`` (dots are not welcome in class names)."""
    return "qcy-key-" + key.replace(".", "__")


def _use_state() -> tuple[Scenario | None, str | None, Evaluation | None]:
    """The base scenario (or the message why it does not load) and the evaluated settings."""
    path = _path()

    def load():
        try:
            return load_scenario(path), None
        except ConfigError as exc:
            return None, str(exc)

    base, problem = solara.use_memo(load, [path])
    ev = solara.use_memo(
        lambda: evaluate(base, changes.value) if base else None, [base, changes.value]
    )
    return base, problem, ev


# ----------------------------------------------------------------------------------------------
# Controls


def _set(key: str, value: Any) -> None:
    changes.set({**changes.value, key: value})


@solara.component
def ControlInput(control: Control, base_data: dict[str, Any], error: str | None):
    """One control: a switch for a boolean key, a text field (read as TOML) for the others."""
    value = changes.value.get(control.key, lookup(base_data, control.key))
    changed = control.key in changes.value
    if control.kind == "bool":
        solara.Switch(
            label=f"{control.label}{' (changed)' if changed else ''}",
            value=bool(value) if isinstance(value, bool) else False,
            on_value=lambda v: _set(control.key, v),
            classes=[_css(control.key)],
        )
        return
    unit = "" if control.unit in ("1", "") else f" ({control.unit})"
    hint = ". ".join(x for x in (control.hint, control.doc) if x)
    solara.InputText(
        label=f"{control.label}{unit}{' - changed' if changed else ''}",
        value=format_value(value),
        on_value=lambda text: _set(control.key, parse_text(text, control)),
        continuous_update=False,
        dense=True,
        error=error or False,
        message=error or hint,
        classes=[_css(control.key)],
    )


def _badge(group: ControlGroup, ev: Evaluation) -> tuple[str, str | None]:
    keys = [c.key for c in group.controls]
    n_changed = sum(k in ev.changes for k in keys)
    n_bad = sum(k in ev.errors for k in keys)
    text = ", ".join(
        x
        for x in (f"{n_changed} changed" if n_changed else "", f"{n_bad} invalid" if n_bad else "")
        if x
    )
    return text, ("error" if n_bad else "primary" if n_changed else None)


@solara.component
def GroupBody(group: ControlGroup, base_data: dict[str, Any], ev: Evaluation):
    """A task's mechanism and controls, table by table."""
    with solara.Column(classes=["qcy-group-body"], gap="4px"):
        solara.Text(group.mechanism, style={"font-size": "0.85em", "color": "#555"})
        if group.see_also:
            solara.Text(
                "Also uses " + ", ".join(f"[{t}]" for t in group.see_also) + ", shown above.",
                style={"font-size": "0.85em", "color": "#555"},
            )
        for table, controls in group.tables:
            solara.Text(f"[{table}]", style={"font-weight": "bold", "margin-top": "6px"})
            for c in controls:
                ControlInput(c, base_data, ev.errors.get(c.key))


@solara.component
def Levers(base: Scenario, ev: Evaluation):
    """Every lever, budget and target of the scenario, grouped by the plan's tasks.

    Only the open group's controls exist as widgets: a scenario has over two hundred.
    """
    groups = solara.use_memo(lambda: control_specs(base), [base])
    base_data = solara.use_memo(base.to_dict, [base])
    with solara.Card("Levers by task of the plan", classes=["qcy-levers"]):
        with solara.Row(style={"align-items": "center"}):
            solara.Text(f"{len(ev.changes)} setting(s) changed", classes=["qcy-changed"])
            solara.Button("Reset all", text=True, on_click=lambda: changes.set({}))
        with solara.v.ExpansionPanels(
            v_model=open_group.value, on_v_model=open_group.set, accordion=True
        ):
            for i, g in enumerate(groups):
                badge, colour = _badge(g, ev)
                with solara.v.ExpansionPanel():
                    with solara.v.ExpansionPanelHeader(class_="qcy-group"):
                        solara.Text(g.title)
                        if badge:
                            solara.v.Chip(
                                children=[badge],
                                small=True,
                                color=colour,
                                class_="ml-2 qcy-badge",
                                style_="flex: none",
                            )
                    with solara.v.ExpansionPanelContent():
                        if open_group.value == i:
                            GroupBody(g, base_data, ev)


# ----------------------------------------------------------------------------------------------
# Results


def _p(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _ci(lo: float | None, hi: float | None) -> str:
    return "-" if lo is None or hi is None else f"[{lo:.3f}, {hi:.3f}]"


def _single_table(s: dict[str, Any]) -> str:
    rows = [
        "<tr><th>target</th><th>threshold</th><th>deadline</th><th>P(met)</th>"
        "<th>95 % interval</th><th>median month met</th><th>median at deadline</th></tr>"
    ]
    for kpi, t in s["targets"].items():
        tol = f" (-{t['tolerance']:.0%})" if t["tolerance"] else ""
        rows.append(
            f"<tr data-kpi='{kpi}'><td>{kpi}</td><td class='num'>{t['threshold']:g}{tol}</td>"
            f"<td>{t['deadline']}</td><td class='num pmet'>{_p(t['p_met'])}</td>"
            f"<td class='num'>{_ci(t['ci_low'], t['ci_high'])}</td>"
            f"<td>{t['median_month_met'] or 'not met'}</td>"
            f"<td class='num'>{t['median_at_deadline']:g}</td></tr>"
        )
    lo, hi = s["p_all_met_ci"]
    rows.append(
        f"<tr data-kpi='all'><td><b>all targets</b></td><td></td><td></td>"
        f"<td class='num pmet'>{_p(s['p_all_met'])}</td><td class='num'>{_ci(lo, hi)}</td>"
        "<td></td><td></td></tr>"
    )
    return "<table class='qcy-table qcy-pmet'>" + "".join(rows) + "</table>"


def _compare_table(c: dict[str, Any]) -> str:
    a, b = c["reference"], [m["label"] for m in c["mixes"]][1]
    rows = [
        f"<caption>A = {html.escape(a)} (blue, the reference), B = {html.escape(b)} (orange), "
        "on the same seeds</caption>"
        "<tr><th>target</th><th>P(met) A</th><th>P(met) B</th><th>B - A</th>"
        "<th>95 % interval</th><th>McNemar p</th></tr>"
    ]
    for kpi, e in c["targets"].items():
        d = e["vs_reference"][b]
        rows.append(
            f"<tr data-kpi='{kpi}'><td>{'<b>all targets</b>' if kpi == 'all' else kpi}</td>"
            f"<td class='num pmet'>{_p(e['p_met'][a]['p_met'])}</td>"
            f"<td class='num pmet-b'>{_p(e['p_met'][b]['p_met'])}</td>"
            f"<td class='num diff'>{d['difference']:+.3f}</td>"
            f"<td class='num'>{_ci(d['ci_low'], d['ci_high'])}</td>"
            f"<td class='num'>{d['mcnemar_p']:.3g}</td></tr>"
        )
    return "<table class='qcy-table qcy-pmet'>" + "".join(rows) + "</table>"


def _year_table(summaries: list[dict[str, Any]], labels: list[str]) -> str:
    years = sorted(summaries[0]["spending_cny_million"]["by_year_median"])
    head = "".join(f"<th>{y}</th>" for y in years)
    rows = [f"<tr><th>median spending, million CNY</th>{head}<th>whole run</th></tr>"]
    for s, label in zip(summaries, labels, strict=True):
        sp = s["spending_cny_million"]
        cells = "".join(
            f"<td class='num'>{sp['by_year_median'][y]['total']:,.0f}</td>" for y in years
        )
        rows.append(
            f"<tr><td>{html.escape(label)}</td>{cells}"
            f"<td class='num'>{sp['median_total']:,.0f}</td></tr>"
        )
    return "<table class='qcy-table'>" + "".join(rows) + "</table>"


@solara.component
def Results(o: Outcome):
    """P(met) with intervals, fan charts per KPI, spending; paired differences for two."""
    r = o.request
    first = o.summaries[0]
    with solara.Div(classes=["qcy-run-info"]):
        solara.Markdown(
            f"**{o.labels[0]}**"
            + (f" vs **{o.labels[1]}** (same seeds)" if o.compare else "")
            + f": {r.replicates} replicates, seed {r.seed}, parameters {r.mode}, "
            f"config {first['config_hash']}, {o.elapsed_s:.1f} s",
            style={"font-size": "0.9em"},
        )
    if o.compare:
        for note in o.compare["notes"]:
            solara.Warning(note, dense=True)
        entries = [
            {k: o.compare["targets"][k]["p_met"][lab] for k in o.compare["targets"]}
            for lab in o.labels
        ]
        table = _compare_table(o.compare)
    else:
        entries = [
            {
                **first["targets"],
                "all": {
                    "p_met": first["p_all_met"],
                    "ci_low": first["p_all_met_ci"][0],
                    "ci_high": first["p_all_met_ci"][1],
                },
            }
        ]
        table = _single_table(first)
    figs = solara.use_memo(
        lambda: (
            charts.fan_grid(o.kpis, o.scenarios, o.labels),
            charts.pmet_figure(entries, o.labels),
            charts.spending_figure(
                [s["spending_cny_million"]["by_category_median"] for s in o.summaries], o.labels
            ),
        ),
        [o.when],
    )
    with solara.Row(classes=["qcy-charts-top"], style={"flex-wrap": "wrap"}):
        solara.FigureMatplotlib(figs[1], dependencies=[o.when], format="png")
        solara.HTML(tag="div", unsafe_innerHTML=table, classes=["qcy-results"])
    solara.Markdown("**Fan charts** (median, 50 % and 90 % bands; target dashed, deadline dotted)")
    with solara.Div(classes=["qcy-fans"]):
        solara.FigureMatplotlib(figs[0], dependencies=[o.when], format="png")
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FigureMatplotlib(figs[2], dependencies=[o.when], format="png")
        solara.HTML(tag="div", unsafe_innerHTML=_year_table(o.summaries, o.labels))


# ----------------------------------------------------------------------------------------------
# The run settings (sidebar)


def _mode(base: Scenario) -> str:
    """The chosen parameter mode, or the scenario's default (posterior if it names one)."""
    return mode.value if mode.value in parameter_modes(base) else default_mode(base)


def _run_command(base: Scenario) -> str:
    file = download_name(base)
    flags = f"--replicates {replicates.value} --seed {seed.value} --parameters {_mode(base)}"
    if other.value:
        return f"qcy compare {file} {other.value} {flags}"
    return f"qcy run {file} {flags}"


def _start(base: Scenario, ev: Evaluation) -> None:
    request = jobs.EnsembleRequest(
        scenario=ev.scenario.to_dict(),
        path=download_name(base),
        other=other.value,
        replicates=int(replicates.value),
        seed=int(seed.value),
        workers=OPTIONS.workers,
        mode=_mode(base),
    )
    run_ensemble(request)


def _cancel() -> None:
    job = current_job.value
    if job is not None:
        job.cancel()
    if run_ensemble.pending:
        run_ensemble.cancel()


@solara.component
def Progress(total: int):
    """The bar and count of replicates finished."""
    solara.ProgressLinear(run_ensemble.progress or True)
    solara.Text(f"{done.value} / {total} replicates", classes=["qcy-progress"])


@solara.component
def RunPanel(base: Scenario, ev: Evaluation):
    """Scenario choice, ensemble settings, run and cancel, download."""
    files = solara.use_memo(lambda: scenario_files(OPTIONS.scenario), [])
    bad_reps = (
        None if replicates.value >= 1 else f"expected a number >= 1, found {replicates.value}"
    )
    bad_seed = None if seed.value >= 0 else f"expected a seed >= 0, found {seed.value}"

    def pick(path: str) -> None:
        scenario_path.set(path)
        changes.set({})

    solara.Select("Scenario", values=files, value=_path(), on_value=pick, classes=["qcy-scenario"])
    solara.Text(base.description, style={"font-size": "0.85em", "color": "#555"})
    with solara.Card("Ensemble", margin=0, classes=["qcy-run"]):
        solara.InputInt("Replicates", value=replicates, classes=["qcy-replicates"])
        solara.InputInt("Seed", value=seed, classes=["qcy-seed"])
        for problem in (bad_reps, bad_seed):
            if problem:
                solara.Error(problem, dense=True)
        solara.Select(
            "Parameters",
            values=list(parameter_modes(base)),
            value=_mode(base),
            on_value=mode.set,
            classes=["qcy-mode"],
        )
        solara.Select(
            "Compare with (same seeds)",
            values=[_NONE, *files],
            value=other.value or _NONE,
            on_value=lambda v: other.set(None if v == _NONE else v),
            classes=["qcy-other"],
        )
        pending = run_ensemble.pending
        with solara.Row():
            solara.Button(
                "Run ensemble",
                color="primary",
                disabled=pending or not ev.ok or bool(bad_reps or bad_seed),
                on_click=lambda: _start(base, ev),
                classes=["qcy-run-button"],
            )
            solara.Button(
                "Cancel", disabled=not pending, on_click=_cancel, classes=["qcy-cancel-button"]
            )
        if pending:
            Progress(current_job.value.total if current_job.value else replicates.value)
        if failure.value:
            solara.Error(failure.value, classes=["qcy-failure"])
    if not ev.ok:
        n = len(ev.errors) + (1 if ev.message else 0)
        solara.Error(
            f"{n} invalid setting(s): nothing runs until fixed."
            + (f" {ev.message}" if ev.message else ""),
            classes=["qcy-invalid"],
        )
    text = scenario_toml(_path(), base, ev.changes, _run_command(base))
    if ev.ok:
        solara.FileDownload(
            text,
            filename=download_name(base),
            label="Download this scenario",
            mime_type="application/toml",
        )
    else:
        solara.Button("Download this scenario", disabled=True)
    solara.Text(f"reproduce: {_run_command(base)}", style={"font-size": "0.8em"})
    solara.Link(
        "/single",
        children=[
            solara.Button("Single run, month by month", text=True, classes=["qcy-single-link"])
        ],
    )


_CSS = """
.qcy-table { border-collapse: collapse; font-size: 0.8em; margin: 6px 0; }
.qcy-table td.num { white-space: nowrap; }
.qcy-table caption { caption-side: top; text-align: left; font-size: 0.95em; }
.qcy-table td, .qcy-table th { border-bottom: 1px solid #ddd; padding: 2px 8px; text-align: left; }
.qcy-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.qcy-fans img, .qcy-charts-top img { max-width: 100%; }
.qcy-results { overflow-x: auto; }
"""


@solara.component
def Dashboard():
    """The ensembles page."""
    solara.Style(_CSS)
    base, problem, ev = _use_state()
    Nav()
    with solara.AppBar():
        solara.AppBarTitle(f"qcy dashboard: {base.name if base else _path()}")
    if base is None:
        solara.Error(problem, classes=["qcy-load-error"])
        return
    with solara.Sidebar():
        RunPanel(base, ev)
        Levers(base, ev)
    with solara.Column(classes=["qcy-results-pane"]):
        if outcome.value is None:
            solara.Info("Run an ensemble to see P(target met), fan charts and spending.")
        else:
            Results(outcome.value)


@solara.component
def SinglePage():
    """The single-run page: Mesa's SolaraViz on the dashboard's current settings."""
    Nav()
    base, problem, ev = _use_state()
    if base is None or not ev.ok:
        solara.Error(problem or "Some settings are invalid; fix them on the ensembles page.")
        return
    SingleRun(ev.scenario, int(seed.value), int(replicates.value)).key(ev.scenario.config_hash)


@solara.component
def Nav():
    """Links between the two pages, in the app bar."""
    with solara.AppBar():
        solara.Link("/", children=[solara.Button("Ensembles", text=True, dark=True)])
        solara.Link("/single", children=[solara.Button("Single run", text=True, dark=True)])


@solara.component
def Layout(children: list | None = None):
    """Solara's app layout without its route tabs (the pages link to each other)."""
    return solara.AppLayout(children=children or [], navigation=False)


routes = [
    solara.Route(path="/", component=Dashboard, label="Ensembles", layout=Layout),
    solara.Route(path="single", component=SinglePage, label="Single run"),
]
