"""The process that runs one ensemble for the dashboard: ``python -m qcy_sim.dashboard.worker``.

It leads its own process group (the dashboard starts it in a new session), so that the
dashboard ends it and every worker process it started with one signal. It imports the model,
says ``ready``, reads one pickled :class:`~qcy_sim.dashboard.jobs.EnsembleRequest` from stdin,
runs it through :func:`qcy_sim.runner.run_replicates` or :func:`qcy_sim.compare.compare_mixes`
and writes one line per event to its protocol stream (the stdout it was started with):

* ``progress N``: N more replicates finished;
* ``error MESSAGE``: a scenario problem (one line, as ``qcy`` would print it);
* ``done``: the pickled result is at the request's ``result_path``.

If the dashboard dies without ending it, it ends its whole group itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time

__all__ = ["main"]

_PARENT_POLL_S = 0.5


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(_PARENT_POLL_S)
        if os.getppid() != parent:
            os.killpg(os.getpgid(0), signal.SIGKILL)


def main() -> int:
    """Run one ensemble request read from stdin; see the module docstring for the protocol."""
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to stderr, not into the protocol

    from ..compare import compare_mixes
    from ..model import QcyModel
    from ..runner import run_replicates
    from ..scenario import ConfigError, load_scenario, scenario_from_dict

    # one month of the default model loads the compiled kernels before a request arrives (the
    # runner's workers, forked from here, then start warm too)
    warm = {"name": "warm-up", "time": {"horizon_months": 1}, "initial": {"talents": 100}}
    QcyModel(scenario_from_dict(warm), seed=0).run()
    proto.write("ready\n")
    request = pickle.load(sys.stdin.buffer)

    def progress(n: int) -> None:
        proto.write(f"progress {n}\n")

    try:
        a = scenario_from_dict(request.scenario, path=request.path)
        if request.other:
            b = load_scenario(request.other)
            result = compare_mixes(
                [a, b], request.replicates, request.seed, request.workers, progress=progress
            )
        else:
            result = run_replicates(
                a, request.replicates, request.seed, request.workers, progress=progress
            )
    except ConfigError as exc:
        proto.write(f"error {' '.join(str(exc).split())}\n")
        return 2
    tmp = f"{request.result_path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, request.result_path)
    proto.write("done\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
