"""One execution layer for every command: a task in, plain arrays out, on any executor.

The unit of work is a task ``(key, params, seed, run_fn)``: ``params`` is a resolved scenario as
plain data (:meth:`~qcy_sim.scenario.Scenario.to_dict`, possibly modified, e.g. a parameter draw
per replicate), ``seed`` the replicate's seed, and ``run_fn`` a top-level function
``run(params, seed) -> {"kpi", "series", "spending"}`` (:func:`qcy_sim.runner.run`). The
top-level :func:`execute_run` calls it in a worker and never raises for a failure of the model:
a failed run comes back as data.

Three executors map :func:`execute_run` over tasks and yield results as they complete:

* :class:`SerialExecutor`: one after the other in this process (debugging, tiny runs);
* :class:`LocalExecutor`: a process pool on this machine;
* :class:`DaskExecutor`: a Dask ``LocalCluster`` or an existing scheduler.

Seeds are fixed before dispatch, so every executor gives the same numbers; only speed and place
differ. Executors are context managers and may be entered again while entered (a command enters
once, the functions it calls enter again): workers start on the first entry and stop on the
last exit.
"""

from __future__ import annotations

import os
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "EXECUTORS",
    "Task",
    "RunFn",
    "Executor",
    "ClusterLost",
    "RunFailed",
    "NO_WORKER_ENV",
    "SerialExecutor",
    "LocalExecutor",
    "DaskExecutor",
    "make_executor",
    "executor_for",
    "execute_run",
    "default_workers",
]

EXECUTORS = ("serial", "local", "dask")
NO_WORKER_ENV = "QCY_DASK_NO_WORKER_TIMEOUT"
DEFAULT_NO_WORKER_S = 60.0
_DASK_POLL_S = 1.0


class ClusterLost(RuntimeError):
    """The executor has no worker left (or its scheduler went away): work cannot go on."""


class RunFailed(RuntimeError):
    """A replicate of ``qcy run`` or ``qcy compare`` raised in the model."""


RunFn = Callable[[dict[str, Any], int], dict[str, np.ndarray]]
Task = tuple[Any, dict[str, Any], int, RunFn]


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def execute_run(task: Task) -> dict[str, Any]:
    """Run one task in a worker; never raises for a failure of the model.

    Args:
        task: ``(key, params, seed, run_fn)``; ``params`` is a resolved scenario dict.

    Returns:
        ``{"run_id": key, "status": "ok", "kpi", "series", "spending"}`` or
        ``{"run_id": key, "status": "failed", "error"}``, with ``"errno"`` when the run failed
        on the operating system (a full disk while numba writes its cache, ...).
    """
    run_id, params, seed, run_fn = task
    try:
        out = run_fn(params, seed)
    except Exception as exc:  # noqa: BLE001 - a failed run is data, not a crash of the sweep
        failed = {"run_id": run_id, "status": "failed", "error": _error_text(exc)}
        if isinstance(exc, OSError) and exc.errno is not None:
            failed["errno"] = exc.errno
        return failed
    return {
        "run_id": run_id,
        "status": "ok",
        "kpi": np.asarray(out["kpi"]),
        "series": np.asarray(out["series"]),
        "spending": np.asarray(out["spending"]),
    }


def _error_text(exc: BaseException) -> str:
    """``Type: message (at file:line)``: deterministic, short, enough to find the place."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the parent, which saves what is done and stops them.

    SIGTERM gets its default action back (a forked worker inherits the parent's handler): the
    parent terminates its workers when it stops.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


# ----------------------------------------------------------------------------------------------
# Executors: the same results from each; only speed and place differ.


class Executor:
    """What every executor shares: re-entrant ``with`` blocks and the manifest description.

    Subclasses implement ``_start``, ``_stop`` and ``imap_unordered``.
    """

    kind = "base"

    def __init__(self) -> None:
        self._depth = 0

    def __enter__(self) -> Executor:
        if self._depth == 0:
            self._start()
        self._depth += 1
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._stop(exc_type)

    def _start(self) -> None:
        return None

    def _stop(self, exc_type: Any) -> None:
        return None

    def imap_unordered(self, fn: Callable[[Task], dict], tasks: Iterable[Task]) -> Iterator[dict]:
        """Yield ``fn(task)`` for each task, in any order."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """What ran the command (for the manifest)."""
        return {"kind": self.kind, "workers": 1}


class SerialExecutor(Executor):
    """Runs tasks one after the other in this process (for debugging and tiny runs)."""

    kind = "serial"

    def imap_unordered(self, fn: Callable[[Task], dict], tasks: Iterable[Task]) -> Iterator[dict]:
        """Yield ``fn(task)`` for each task, in order."""
        for task in tasks:
            yield fn(task)


class LocalExecutor(Executor):
    """A process pool on this machine.

    Args:
        workers: Processes (default: every core this process may use).
    """

    kind = "local"

    def __init__(self, workers: int | None = None):
        super().__init__()
        self.workers = workers or default_workers()
        self._pool = None

    def _start(self) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_ignore_sigint
        )

    def _stop(self, exc_type: Any) -> None:
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        if exc_type is None:
            pool.shutdown(wait=True)
            return
        # On an error, Ctrl-C or SIGTERM, work in flight is lost but not saved: stop the workers
        # now rather than let them finish it (no process outlives the command).
        workers = list((getattr(pool, "_processes", None) or {}).values())
        for proc in workers:
            proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        for proc in workers:
            proc.join(timeout=10)

    def imap_unordered(self, fn: Callable[[Task], dict], tasks: Iterable[Task]) -> Iterator[dict]:
        """Yield results as they complete, with at most ``4 x workers`` tasks in flight."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        assert self._pool is not None, "use the executor in a with-block"
        it = iter(tasks)
        window = 4 * self.workers
        running: dict[Any, Any] = {}

        def fill() -> None:
            while len(running) < window:
                task = next(it, None)
                if task is None:
                    return
                running[self._pool.submit(fn, task)] = task[0]

        fill()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                key = running.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    raise
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                    yield {
                        "run_id": key,
                        "status": "failed",
                        "error": f"worker error: {_error_text(exc)}",
                    }
            fill()

    def describe(self) -> dict[str, Any]:
        """What ran the command (for the manifest)."""
        return {"kind": self.kind, "workers": self.workers}


class DaskExecutor(Executor):
    """A Dask cluster: a new ``LocalCluster`` or an existing scheduler.

    Args:
        workers: Worker processes of a new ``LocalCluster`` (one thread each; default: every
            core). Ignored with ``scheduler``.
        scheduler: Address of a running scheduler, e.g. ``"tcp://10.0.0.5:8786"``.

    When no worker is connected for ``no_worker_s`` seconds (default 60, environment variable
    ``QCY_DASK_NO_WORKER_TIMEOUT``) while work waits, :meth:`imap_unordered` raises
    :class:`ClusterLost` instead of waiting forever.
    """

    kind = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        super().__init__()
        self.workers = workers or default_workers()
        self.scheduler = scheduler
        self.no_worker_s = float(os.environ.get(NO_WORKER_ENV, DEFAULT_NO_WORKER_S))
        self._client = None
        self._cluster = None

    def _start(self) -> None:
        import logging

        import dask
        from dask.distributed import Client, LocalCluster

        if self.scheduler:
            self._client = Client(self.scheduler)
            return
        # Dask's nanny gives its workers MALLOC_TRIM_THRESHOLD_=65536 so that idle workers hand
        # memory back; glibc then maps every large array afresh, and a replicate, which frees
        # and reallocates its scratch arrays every month, runs 4-10 % slower. A sweep's workers
        # are not idle: they keep the allocator's own thresholds. The workers' statistical
        # profiler (the dashboard's Profile page) samples the running task's stack 100 times a
        # second under the GIL: a replicate ran 6-8 % slower with it. The event loop's health
        # check (its "tick", only reported to the dashboard) wakes the worker's loop thread 50
        # times a second, each time taking the GIL from the task: once a second is enough
        # (two workers: 0.11-0.18 slower than a process pool with it, 0.08-0.10 without).
        environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}))
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        settings = {
            "distributed.nanny.pre-spawn-environ": environ,
            "distributed.worker.profile.enabled": False,
            "distributed.admin.tick.interval": "1s",
        }
        with dask.config.set(settings):
            self._cluster = LocalCluster(
                n_workers=self.workers,
                processes=True,
                threads_per_worker=1,
                # a free port for the dashboard: two commands on one machine must not collide
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
        self._client = Client(self._cluster)

    def _stop(self, exc_type: Any) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def _threads(self) -> int:
        return max(1, sum(self._client.nthreads().values()))

    def imap_unordered(self, fn: Callable[[Task], dict], tasks: Iterable[Task]) -> Iterator[dict]:
        """Yield results as they complete, with about 4 tasks per worker thread in flight.

        Raises:
            ClusterLost: No worker was connected for :attr:`no_worker_s` seconds while work
                was waiting, or the scheduler went away.
        """
        from dask.distributed import wait

        assert self._client is not None, "use the executor in a with-block"
        it = iter(tasks)
        window = 4 * self._threads()
        active: dict[Any, Any] = {}

        def submit() -> bool:
            task = next(it, None)
            if task is None:
                return False
            active[self._client.submit(fn, task, pure=False)] = task[0]
            return True

        for _ in range(window):
            if not submit():
                break
        seen = time.monotonic()
        while active:
            try:
                done, _ = wait(list(active), timeout=_DASK_POLL_S, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            if not done:
                seen = self._check_workers(seen)
                continue
            seen = time.monotonic()
            for fut in done:
                key = active.pop(fut)
                yield self._result(fut, key)
                seen = time.monotonic()  # the consumer may have paused: count from now
                submit()

    def _check_workers(self, seen: float) -> float:
        """The last time a worker was seen; raise if none was for too long."""
        try:
            workers = self._client.scheduler_info().get("workers", {})
        except Exception:  # noqa: BLE001 - the scheduler is unreachable: no worker either
            workers = {}
        now = time.monotonic()
        if workers:
            return now
        if now - seen > self.no_worker_s:
            where = self.scheduler or "the LocalCluster"
            raise ClusterLost(
                f"no Dask worker connected to {where} for {self.no_worker_s:g} s "
                f"({NO_WORKER_ENV} sets the wait)"
            )
        return seen

    def _result(self, fut: Any, key: Any) -> dict[str, Any]:
        from concurrent.futures import CancelledError

        try:
            result = fut.result()
        except CancelledError:
            raise ClusterLost(f"the Dask scheduler {self.scheduler or ''} went away") from None
        except Exception as exc:  # noqa: BLE001 - e.g. a worker that died (KilledWorker)
            result = {
                "run_id": key,
                "status": "failed",
                "error": f"worker error: {_error_text(exc)}",
            }
        fut.release()
        return result

    def describe(self) -> dict[str, Any]:
        """What ran the command (for the manifest)."""
        out: dict[str, Any] = {"kind": self.kind}
        if self._client is not None:
            out["workers"] = len(self._client.nthreads())
            out["threads"] = self._threads()
        else:
            out["workers"] = self.workers
        out["scheduler"] = self.scheduler or "LocalCluster"
        return out


def make_executor(
    kind: str = "local", workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """The executor named ``kind`` (``serial``, ``local`` or ``dask``)."""
    if kind == "serial":
        return SerialExecutor()
    if kind == "local":
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"executor must be one of {EXECUTORS}, got {kind!r}")


def executor_for(workers: int | None = None, executor: Executor | None = None) -> Executor:
    """``executor`` if given; else serial for one worker, a local pool for more."""
    if executor is not None:
        return executor
    if workers is not None and workers <= 1:
        return SerialExecutor()
    return LocalExecutor(workers)
