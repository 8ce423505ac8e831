"""The single-run view: Mesa's SolaraViz stepping :class:`~qcy_sim.QcyModel` month by month.

:class:`DashboardModel` is the model with what Mesa's plot components read
(``model.datacollector.get_model_vars_dataframe()``, here the model's own monthly KPI frame),
and it runs replicate ``r`` of an ensemble: its seed is the one
:func:`qcy_sim.runner.replicate_seeds` gives that replicate, so the single run shows exactly a
run of the ensemble.
"""

from __future__ import annotations

import warnings
from typing import Any

import solara

with warnings.catch_warnings():
    # Solara's hook linter flags a line of Mesa's own viewer when it is imported: not ours to fix
    warnings.filterwarnings("ignore", message=r".*mesa/visualization/solara_viz\.py")
    from mesa.visualization import Slider, SolaraViz, make_plot_component

from ..model import QcyModel
from ..runner import replicate_seeds
from ..scenario import Scenario, month_label
from ..schema import KPIS

__all__ = ["DashboardModel", "SingleRun", "KPI_PLOTS"]

# KPIs plotted together (similar scales), one live chart each.
KPI_PLOTS = (
    ("innovation_talents",),
    ("high_end_talents", "high_level_talents", "tech_brokers"),
    ("scientist_engineer_teams", "shuangchuang_teams", "reform_cases"),
    (
        "innovation_carriers",
        "pilot_bases",
        "new_rd_institutions",
        "common_tech_platforms",
        "student_spaces",
        "shared_research_centers",
    ),
)


class _Frames:
    """What Mesa's plot components ask a model's data collector for."""

    def __init__(self, model: QcyModel):
        self._model = model

    def get_model_vars_dataframe(self):
        """The monthly KPIs and outputs so far (:meth:`QcyModel.kpi_frame`)."""
        return self._model.kpi_frame()


class DashboardModel(QcyModel):
    """:class:`QcyModel` running replicate ``replicate`` of an ensemble with base seed ``seed``.

    Args:
        scenario: A validated scenario.
        seed: The ensemble's base seed.
        replicate: Which replicate (0 = the first).
    """

    def __init__(self, scenario: Scenario, seed: int = 0, replicate: int = 0):
        replicate = int(replicate)
        super().__init__(scenario, seed=replicate_seeds(int(seed), 1, first=replicate)[0])
        self.base_seed = int(seed)
        self.replicate = replicate
        self.datacollector = _Frames(self)


def _targets_drawer(scenario: Scenario, kpis: tuple[str, ...]):
    """A Mesa ``post_process``: the targets and deadlines of ``kpis`` on the chart."""
    targets = [t for t in scenario.targets if t.kpi in kpis]

    def draw(ax: Any) -> None:
        colours = {line.get_label(): line.get_color() for line in ax.get_lines()}
        for t in targets:
            colour = colours.get(t.kpi, "#c62828")
            ax.axhline(t.threshold, color=colour, ls="--", lw=0.9)
            ax.axvline(scenario.target_month(t), color="#777777", ls=":", lw=0.8)
        ax.set_xlabel("month")
        ax.set_ylim(bottom=0)

    return draw


@solara.component
def MonthTable(model: DashboardModel):
    """The month shown and each KPI against its target."""
    sc = model.scenario
    targets = {t.kpi: t for t in sc.targets}
    row = model.kpi[model.month]
    cells = []
    for j, kpi in enumerate(KPIS):
        t = targets.get(kpi)
        goal = f"{t.threshold:g} by {t.deadline}" if t else ""
        cells.append(f"<tr><td>{kpi}</td><td class='num'>{row[j]:g}</td><td>{goal}</td></tr>")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<p>Month {model.month} ({month_label(sc.params.time.start, model.month)}) of "
            f"{model.horizon}; replicate {model.replicate} of seed {model.base_seed}</p>"
            "<table class='qcy-table'><tr><th>KPI</th><th>now</th><th>target</th></tr>"
            + "".join(cells)
            + "</table>"
        ),
    )


@solara.component
def SingleRun(scenario: Scenario, seed: int, replicates: int):
    """SolaraViz of one run of ``scenario``: replicate r of the ensemble with base ``seed``."""
    model = solara.use_memo(lambda: DashboardModel(scenario, seed, 0), [scenario, seed])
    components = [
        make_plot_component(list(group), post_process=_targets_drawer(scenario, group))
        for group in KPI_PLOTS
    ]
    components.append((MonthTable, 0))
    SolaraViz(
        model,
        components=components,
        model_params={
            "scenario": scenario,
            "seed": seed,
            "replicate": Slider("Replicate of the ensemble", 0, 0, max(1, replicates - 1), 1),
        },
        name=f"Single run: {scenario.name}",
    )
