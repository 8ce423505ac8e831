"""Ensembles in child processes that the dashboard can cancel and always ends.

Each ensemble runs in a process of its own (:mod:`qcy_sim.dashboard.worker`) that leads its own
process group, so cancelling it, or stopping the dashboard, ends it and every worker process it
started with one signal to the group: the dashboard never leaves workers behind, whatever
executor the runner uses underneath. One spare process is kept started (imports done) so that a
run does not wait for Python to import the model.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "EnsembleRequest",
    "EnsembleResult",
    "EnsembleJob",
    "EnsembleFailed",
    "EnsembleCancelled",
    "prestart",
    "shutdown",
]

_KILL_GRACE_S = 2.0


@dataclass(frozen=True)
class EnsembleRequest:
    """What to run: a scenario as plain data, optionally a second scenario file to compare.

    Attributes:
        scenario: The resolved scenario (:meth:`~qcy_sim.scenario.Scenario.to_dict`).
        path: Where the scenario came from, for messages and provenance.
        other: Path of a second scenario, compared on the same seeds, or None.
        replicates: Replicates (per scenario).
        seed: Base seed.
        workers: Processes the runner may use.
        mode: Parameter mode (see :func:`~qcy_sim.dashboard.controls.parameter_modes`).
        seeds_per_draw: Seeds per parameter draw, as ``qcy run --seeds-per-draw``.
        result_dir: Where the child writes its result (set by :class:`EnsembleJob`).
    """

    scenario: dict[str, Any]
    path: str
    other: str | None
    replicates: int
    seed: int
    workers: int
    mode: str = "fixed"
    seeds_per_draw: int = 4
    result_dir: str = ""

    @property
    def runs_per_scenario(self) -> int:
        """Replicates each scenario runs: whole draws of ``seeds_per_draw`` unless ``fixed``."""
        if self.mode == "fixed":
            return self.replicates
        r = max(1, self.seeds_per_draw)
        return -(-self.replicates // r) * r

    @property
    def total(self) -> int:
        """Replicates to run in all."""
        return self.runs_per_scenario * (2 if self.other else 1)


@dataclass
class EnsembleResult:
    """What an ensemble gives back (see :mod:`qcy_sim.dashboard.worker`).

    Attributes:
        labels: One label per scenario (the first is the reference).
        kpis: Per scenario, the ``(replicates, months + 1, 13)`` KPI array.
        summaries: Per scenario, its ``summary.json`` content.
        compare: The ``compare.json`` content when two scenarios ran, else None.
    """

    labels: list[str]
    kpis: list[np.ndarray]
    summaries: list[dict[str, Any]]
    compare: dict[str, Any] | None


class EnsembleFailed(RuntimeError):
    """The ensemble could not run; the message is meant for the user."""


class EnsembleCancelled(RuntimeError):
    """The ensemble was cancelled."""


class _Processes:
    """The children of this process: one spare, ready to take a request, and those running."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spare: subprocess.Popen | None = None
        self.live: set[subprocess.Popen] = set()
        self.closed = False

    def _spawn(self) -> subprocess.Popen:
        # stderr goes to a file: a pipe nobody reads until the end could fill and block it
        err = tempfile.TemporaryFile()
        proc = subprocess.Popen(
            [sys.executable, "-m", "qcy_sim.dashboard.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            start_new_session=True,  # its own process group: one signal ends it and its workers
        )
        proc.stderr = err
        return proc

    def take(self) -> subprocess.Popen:
        with self.lock:
            if self.closed:
                raise EnsembleCancelled("the dashboard is stopping")
            proc = self.spare if self.spare and self.spare.poll() is None else self._spawn()
            self.spare = self._spawn()
            self.live.add(proc)
            return proc

    def prestart(self) -> None:
        with self.lock:
            if not self.closed and (self.spare is None or self.spare.poll() is not None):
                self.spare = self._spawn()

    def release(self, proc: subprocess.Popen) -> None:
        end(proc)
        _close(proc)
        with self.lock:
            self.live.discard(proc)

    def shutdown(self) -> None:
        with self.lock:
            self.closed = True
            spare, self.spare = self.spare, None
            procs = [*self.live, *([spare] if spare else [])]
        for proc in procs:
            _signal_group(proc, signal.SIGTERM)
        for proc in procs:
            end(proc)  # the pipes of running jobs stay open: their threads read them to the end
        if spare:
            _close(spare)


_PROCESSES = _Processes()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def end(proc: subprocess.Popen) -> None:
    """End a child and its process group: SIGTERM, then SIGKILL after a grace period."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(_KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            pass
    _signal_group(proc, signal.SIGKILL)  # workers of an ended child may still be alive
    if proc.poll() is None:
        proc.wait()


def _close(proc: subprocess.Popen) -> None:
    for stream in (proc.stdin, proc.stdout):
        if stream:
            try:
                stream.close()
            except OSError:
                pass


def _read_all(err: Any) -> str:
    """The text of a child's stderr file, which is closed."""
    try:
        err.seek(0)
        return err.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""
    finally:
        err.close()


def prestart() -> None:
    """Start the spare process now, so that the first ensemble starts at once."""
    _PROCESSES.prestart()


def shutdown() -> None:
    """End every child process (running ensembles and the spare); later requests are refused."""
    _PROCESSES.shutdown()


class EnsembleJob:
    """One ensemble running in a child process.

    Iterate :meth:`progress` for the replicates finished so far, then call :meth:`result`;
    :meth:`cancel` may be called from any thread.
    """

    def __init__(self, request: EnsembleRequest):
        self._dir = tempfile.mkdtemp(prefix="qcy-dashboard-")
        self.request = dataclasses.replace(request, result_dir=self._dir)
        self.done = 0
        self.cancelled = False
        self._error: str | None = None
        self._finished = False
        self.started = time.time()
        self._proc = _PROCESSES.take()
        try:
            self._proc.stdin.write(json.dumps(dataclasses.asdict(self.request)).encode())
            self._proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the child died; result() reports it

    @property
    def total(self) -> int:
        """Replicates to run in all."""
        return self.request.total

    def progress(self) -> Iterator[int]:
        """Yield the number of replicates finished each time it grows, until the child ends."""
        for raw in self._proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            word, _, rest = line.partition(" ")
            if word == "progress":
                self.done += int(rest or 1)
                yield self.done
            elif word == "error":
                self._error = rest
            elif word == "done":
                self._finished = True

    def cancel(self) -> None:
        """Stop the ensemble and its workers now."""
        self.cancelled = True
        _signal_group(self._proc, signal.SIGTERM)

    def result(self) -> EnsembleResult:
        """The ensemble's result.

        Raises:
            EnsembleCancelled: It was cancelled.
            EnsembleFailed: A scenario problem, or the child failed (with its last error line).
        """
        for _ in self.progress():  # drain what is left
            pass
        _PROCESSES.release(self._proc)
        stderr = _read_all(self._proc.stderr)
        try:
            if self.cancelled or _PROCESSES.closed:
                raise EnsembleCancelled("cancelled")
            if self._error:
                raise EnsembleFailed(self._error)
            if not self._finished:
                lines = [x for x in stderr.strip().splitlines() if x.strip()]
                raise EnsembleFailed(
                    "the ensemble process failed" + (f": {lines[-1]}" if lines else "")
                )
            folder = Path(self._dir)
            data = json.loads((folder / "result.json").read_text(encoding="utf-8"))
            with np.load(folder / "kpi.npz") as arrays:
                kpis = [arrays[f"arr_{i}"] for i in range(len(data["labels"]))]
            return EnsembleResult(data["labels"], kpis, data["summaries"], data["compare"])
        finally:
            for p in Path(self._dir).glob("*"):
                p.unlink(missing_ok=True)
            os.rmdir(self._dir)
