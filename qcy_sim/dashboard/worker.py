"""The process that runs one ensemble for the dashboard: ``python -m qcy_sim.dashboard.worker``.

It leads its own process group (the dashboard starts it in a new session), so that the
dashboard ends it and every worker process it started with one signal to the group. It imports
the model, says ``ready``, reads one :class:`~qcy_sim.dashboard.jobs.EnsembleRequest` as JSON
from stdin, runs it through :func:`qcy_sim.runner.run_replicates` or
:func:`qcy_sim.compare.compare_mixes` with the request's parameter mode and writes one line per
event to its protocol stream (the stdout it was started with):

* ``progress N``: N more replicates finished;
* ``error MESSAGE``: a scenario problem (one line, as ``qcy`` would print it);
* ``done``: the result is in the request's ``result_dir``: ``result.json`` (labels, the
  ``summary.json`` content of each scenario and, for two, the ``compare.json`` content) and
  ``kpi.npz`` (each scenario's ``(replicates, months + 1, 13)`` KPI array).

Only plain data crosses: JSON and numpy arrays, never pickles. If the dashboard dies without
ending it, it ends its whole group itself.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np

__all__ = ["main", "write_result"]

_PARENT_POLL_S = 0.5


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(_PARENT_POLL_S)
        if os.getppid() != parent:
            os.killpg(os.getpgid(0), signal.SIGKILL)


def write_result(folder: str | Path, result) -> None:
    """Write a Replicates or Comparison as ``result.json`` and ``kpi.npz`` in ``folder``.

    ``result.json`` is written last (under a temporary name, then renamed), so its presence
    means the result is whole.
    """
    folder = Path(folder)
    reps = list(result.reps) if hasattr(result, "reps") else [result]
    data = {
        "labels": list(result.labels) if hasattr(result, "reps") else [result.scenario.name],
        "summaries": [r.summary() for r in reps],
        "compare": result.to_dict() if hasattr(result, "reps") else None,
    }
    np.savez(folder / "kpi.npz", *[r.kpi for r in reps])
    tmp = folder / f".result.{os.getpid()}.json"
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, folder / "result.json")


def main() -> int:
    """Run one ensemble request read from stdin; see the module docstring for the protocol."""
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to stderr, not into the protocol

    from ..compare import compare_mixes
    from ..model import QcyModel
    from ..runner import run_replicates
    from ..scenario import ConfigError, load_scenario, scenario_from_dict
    from ..uncertainty import parameter_setup
    from .controls import parameter_modes
    from .jobs import EnsembleRequest

    # one month of a small default model loads the compiled kernels before a request arrives
    # (the runner's workers, forked from here, then start warm too)
    warm = {"name": "warm-up", "time": {"horizon_months": 1}, "initial": {"talents": 100}}
    QcyModel(scenario_from_dict(warm), seed=0).run()
    proto.write("ready\n")
    request = EnsembleRequest(**json.loads(sys.stdin.read()))

    def progress(n: int) -> None:
        proto.write(f"progress {n}\n")

    try:
        a = scenario_from_dict(request.scenario, path=request.path)
        if request.mode not in parameter_modes(a):
            raise ConfigError(
                request.path, "parameters", f"one of {parameter_modes(a)}", repr(request.mode)
            )
        setup = parameter_setup(a, request.mode, seeds_per_draw=request.seeds_per_draw)
        if request.other:
            b = load_scenario(request.other)
            result = compare_mixes(
                [a, b],
                request.replicates,
                request.seed,
                request.workers,
                progress=progress,
                parameters=setup,
            )
        else:
            result = run_replicates(
                a,
                request.replicates,
                request.seed,
                request.workers,
                progress=progress,
                parameters=setup,
            )
    except ConfigError as exc:
        proto.write(f"error {' '.join(str(exc).split())}\n")
        return 2
    write_result(request.result_dir, result)
    proto.write("done\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
