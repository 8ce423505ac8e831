"""The planner's dashboard in the browser (``qcy dashboard``), built on Solara like Mesa's viewer.

Modules: :mod:`~qcy_sim.dashboard.controls` (controls generated from the schema and the plan's
tasks), :mod:`~qcy_sim.dashboard.edits` (changed settings, their validation and the downloaded
file), :mod:`~qcy_sim.dashboard.jobs` and :mod:`~qcy_sim.dashboard.worker` (ensembles in child
processes), :mod:`~qcy_sim.dashboard.charts`, :mod:`~qcy_sim.dashboard.single` (Mesa's SolaraViz),
:mod:`~qcy_sim.dashboard.app` (the pages) and :mod:`~qcy_sim.dashboard.server`. Only ``app``,
``single`` and ``server`` need the ``dashboard`` extra.
"""

__all__: list[str] = []
