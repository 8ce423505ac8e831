"""Running replicates: one plain function per run, seeds fixed before dispatch, any executor.

:func:`run` is what a worker process (or a Dask worker) calls: it takes plain data — the resolved
scenario as a dict and a seed — and returns plain arrays. Replicates are tasks of
:mod:`qcy_sim.execution`, so ``qcy run`` and ``qcy compare`` run on the same serial, local or
Dask executors as ``qcy sweep``. Seeds come from
:func:`replicate_seeds`, which depends only on the base seed and the replicate index, so that

* results are identical for 1 worker, many workers or a cluster, and
* replicate ``r`` of every scenario sees the same random numbers (common random numbers), which
  is what makes comparisons between policy mixes paired and fair.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import testhook
from .execution import Executor, RunFailed, default_workers, execute_run, executor_for
from .exits import is_environment_errno
from .model import SERIES, SPENDING, QcyModel, shared_months
from .outputs import Index, code_key, write_atomic
from .scenario import Scenario, scenario_from_dict
from .uncertainty import FIXED, ParameterDesign, ParameterSetup, parameter_design

__all__ = [
    "run",
    "replicate_seeds",
    "run_replicates",
    "run_mixes",
    "extend_mixes",
    "run_shared",
    "run_forked",
    "extend_replicates",
    "Replicates",
    "RunFailed",
    "default_workers",
]


_log = logging.getLogger("qcy_sim")


def replicate_seeds(base_seed: int, replicates: int, first: int = 0) -> list[int]:
    """Seeds of replicates ``first .. first + replicates - 1`` (63-bit, from ``SeedSequence``)."""
    out = []
    for r in range(first, first + replicates):
        state = np.random.SeedSequence(entropy=int(base_seed), spawn_key=(r,)).generate_state(
            2, dtype=np.uint32
        )
        out.append(int((int(state[0]) << 31) ^ int(state[1])))
    return out


def run(params: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Run one replicate of a scenario given as plain data; return its monthly arrays.

    Args:
        params: A resolved scenario as returned by :meth:`Scenario.to_dict`.
        seed: The replicate's seed.

    Returns:
        ``{"kpi": (H+1, 13), "series": (H+1, len(SERIES)), "spending": (H+1, len(SPENDING))}``.
    """
    scenario = scenario_from_dict(params, path=f"<{params.get('name', 'scenario')}>")
    model = QcyModel(scenario, seed=seed).run()
    return {"kpi": model.kpi, "series": model.series, "spending": model.spending}


def run_shared(params: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Run one replicate of several mixes that share their first months, as one task.

    The shared months are simulated once, under the first mix; then one fork per mix runs the
    rest (:meth:`QcyModel.fork`), which gives exactly each mix's straight run.

    Args:
        params: ``{"mixes": [resolved scenario dicts], "shared_months": m}`` with ``m`` at most
            :func:`~qcy_sim.model.shared_months` of the first mix and every other.
        seed: The replicate's seed.

    Returns:
        The arrays of :func:`run`, each with a first axis over the mixes.
    """
    mixes = [scenario_from_dict(d, path=f"<{d.get('name', 'scenario')}>") for d in params["mixes"]]
    model = QcyModel(mixes[0], seed=seed)
    for _ in range(int(params["shared_months"])):
        model.step()
    out: dict[str, list[np.ndarray]] = {name: [] for name in _ARRAYS}
    for mix in mixes:  # one fork at a time: only its arrays are kept
        fork = model.fork(mix).run()
        for name in _ARRAYS:
            out[name].append(getattr(fork, name))
    return {name: np.stack(arrays) for name, arrays in out.items()}


_ARRAYS = ("kpi", "series", "spending")

# The burn-ins a process keeps for run_forked: (reference's content hash, seed, months) -> the
# reference's model after those months, the most recently used last, up to BURN_IN_BYTES of
# agent stores (the newest is always kept).
_BURN_INS: OrderedDict[tuple[str, int, int], QcyModel] = OrderedDict()
BURN_IN_BYTES = 512 * 2**20


def run_forked(params: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Run one replicate of a mix forked from a reference's first months, kept by this process.

    For a search that runs one candidate at a time (:mod:`.analysis.optimize`): the reference's
    first months are simulated once per process and seed, kept, and every candidate that shares
    them forks from them (:meth:`QcyModel.fork`), which gives exactly the candidate's straight
    run.

    Args:
        params: ``{"reference": resolved scenario dict, "mix": resolved scenario dict,
            "shared_months": m}`` with ``1 <= m`` and ``m`` at most
            :func:`~qcy_sim.model.shared_months` of the two.
        seed: The replicate's seed.

    Returns:
        The arrays of :func:`run` for the mix.
    """
    from .experiment import canonical_json

    reference, months = params["reference"], int(params["shared_months"])
    digest = hashlib.sha256(canonical_json(reference).encode()).hexdigest()
    key = (digest, int(seed), months)
    burned = _BURN_INS.pop(key, None)
    if burned is None:
        name = reference.get("name", "scenario")
        burned = QcyModel(scenario_from_dict(reference, path=f"<{name}>"), seed=seed)
        for _ in range(months):
            burned.step()
    _BURN_INS[key] = burned
    while len(_BURN_INS) > 1 and sum(_store_bytes(m) for m in _BURN_INS.values()) > BURN_IN_BYTES:
        _BURN_INS.popitem(last=False)
    mix = scenario_from_dict(params["mix"], path=f"<{params['mix'].get('name', 'scenario')}>")
    fork = burned.fork(mix).run()
    return {name: getattr(fork, name) for name in _ARRAYS}


def _store_bytes(model: QcyModel) -> int:
    return sum(store.nbytes() for store in model.stores().values())


@dataclass
class Replicates:
    """Results of N replicates of one scenario (arrays indexed by replicate, month, column).

    ``design`` says which parameters each replicate ran (:mod:`qcy_sim.uncertainty`); None is
    the scenario's own values for every replicate (``fixed``).
    """

    scenario: Scenario
    base_seed: int
    seeds: list[int]
    kpi: np.ndarray
    series: np.ndarray
    spending: np.ndarray
    design: ParameterDesign | None = None

    @property
    def n(self) -> int:
        """Number of replicates."""
        return len(self.seeds)

    @property
    def parameters(self) -> ParameterDesign:
        """The design the replicates ran (``fixed`` when none was given)."""
        if self.design is not None:
            return self.design
        return ParameterDesign(FIXED, 1, self.n, ({},), (), tuple(self.seeds))

    def timeseries(self):
        """Monthly KPIs, outputs and spending of every replicate as one tidy DataFrame."""
        from .results import timeseries_frame

        return timeseries_frame(self)

    def runs(self):
        """One row per replicate: seed, final KPIs, target flags, spending."""
        from .results import runs_frame

        return runs_frame(self)

    def summary(self) -> dict[str, Any]:
        """Target probabilities with exact intervals (the content of ``summary.json``)."""
        from .results import summarise

        return summarise(self)

    def fan_chart(self, kpi: str, ax=None):
        """A matplotlib fan chart of one KPI (median, 50 % and 90 % bands, target)."""
        from .plots import fan_chart

        return fan_chart(self, kpi, ax=ax)


def run_replicates(
    scenario: Scenario,
    replicates: int = 100,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    checkpoint: str | Path | None = None,
    *,
    executor: Executor | None = None,
    parameters: ParameterSetup | None = None,
    pinned: list[str] | None = None,
) -> Replicates:
    """Run ``replicates`` replicates of ``scenario``.

    Args:
        scenario: A validated scenario.
        replicates: Number of replicates (>= 1).
        seed: Base seed; replicate seeds derive from it with :func:`replicate_seeds`.
        workers: Processes to use without ``executor``; 1 runs in this process.
        progress: Called with the number of replicates just finished.
        checkpoint: A folder where each finished replicate is kept (written under a temporary
            name, then renamed). Replicates already there for the same scenario and seed are
            loaded instead of run, so an interrupted run loses nothing.
        executor: Where replicates run (:mod:`qcy_sim.execution`); the same numbers from each.
        parameters: How replicates draw their parameters (default ``fixed``: the scenario's
            own values, today's runs). Otherwise ``replicates`` becomes ``K = ceil(N / R)``
            draws x ``R`` seeds (:func:`qcy_sim.uncertainty.parameter_design`), laid out here
            before dispatch, so every executor runs the same tasks.
        pinned: Keys the draws leave alone (default: those the scenario sets itself).

    Raises:
        RunFailed: A replicate raised; its seed and the error are in the message.
    """
    if replicates < 1:
        raise ValueError(f"replicates must be >= 1, got {replicates}")
    design = parameter_design(scenario, parameters or FIXED, replicates, seed, pinned)
    seeds = list(design.seeds)
    kpi, series, spending = _run_seeds(
        scenario, design, range(design.n), executor_for(workers, executor), progress, checkpoint
    )
    return Replicates(
        scenario, seed, seeds, kpi, series, spending, None if parameters is None else design
    )


def run_mixes(
    scenarios: list[Scenario],
    replicates: int,
    seed: int,
    executor: Executor,
    progress: Callable[[int], None] | None = None,
    parameters: ParameterSetup | None = None,
    share: bool = True,
) -> list[Replicates]:
    """Replicates of several mixes with the same seeds and parameter draws (paired).

    Where replicate ``r`` of every mix shares at least its first month with the first mix's
    (:func:`~qcy_sim.model.shared_months`: mixes that differ only in levers starting later),
    the shared months run once per replicate and each mix forks from them (:func:`run_shared`);
    the numbers are exactly those of straight runs. Otherwise every mix runs straight.

    Args:
        scenarios: The mixes, the reference first; the same horizon and priors.
        replicates: Replicates per mix.
        seed: Base seed of every mix.
        executor: Where the tasks run.
        progress: Called with the number of replicates (of any mix) just finished.
        parameters: As for :func:`run_replicates`.
        share: False runs every mix straight.

    Raises:
        RunFailed: A replicate raised.
    """
    designs = [parameter_design(sc, parameters or FIXED, replicates, seed) for sc in scenarios]
    arrays = _mix_arrays(scenarios, designs, range(designs[0].n), executor, progress, share)
    return [
        Replicates(sc, seed, list(ds.seeds), *a, None if parameters is None else ds)
        for sc, ds, a in zip(scenarios, designs, arrays, strict=True)
    ]


def extend_mixes(
    reps: list[Replicates],
    replicates: int,
    executor: Executor,
    progress: Callable[[int], None] | None = None,
    share: bool = True,
) -> list[Replicates]:
    """Each mix's replicates grown to ``replicates``, sharing months as :func:`run_mixes` does.

    The result is what :func:`extend_replicates` gives each mix alone.
    """
    designs = []
    for r in reps:
        setup, pinned = r.parameters.setup, r.parameters.pinned
        designs.append(parameter_design(r.scenario, setup, replicates, r.base_seed, pinned))
    done = reps[0].n
    if designs[0].n <= done:
        return reps
    scenarios = [r.scenario for r in reps]
    arrays = _mix_arrays(scenarios, designs, range(done, designs[0].n), executor, progress, share)
    out = []
    for r, ds, (kpi, series, spending) in zip(reps, designs, arrays, strict=True):
        grown = (np.concatenate([r.kpi, kpi]), np.concatenate([r.series, series]))
        spent = np.concatenate([r.spending, spending])
        design = None if r.design is None else ds
        out.append(Replicates(r.scenario, r.base_seed, list(ds.seeds), *grown, spent, design))
    return out


def _mix_arrays(
    scenarios: list[Scenario],
    designs: list[ParameterDesign],
    which: range,
    executor: Executor,
    progress: Callable[[int], None] | None,
    share: bool,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Each mix's ``(kpi, series, spending)`` of replicates ``which``, sharing months if it can."""
    from .experiment import apply_point

    seeds = [designs[0].seeds[j] for j in which]
    data = [sc.to_dict() for sc in scenarios]
    points = [[apply_point(d, ds.overlay(j)) for d, ds in zip(data, designs, strict=True)]
              for j in which]  # fmt: skip
    shared = []
    for mixes in points:
        months = [shared_months(mixes[0], m) for m in mixes[1:]]
        shared.append(None if None in months else min(months))
    same_seeds = all(ds.n == designs[0].n and ds.seeds == designs[0].seeds for ds in designs)
    if not (share and same_seeds and all(m is not None and m >= 1 for m in shared)):
        return [
            _run_seeds(sc, ds, which, executor, progress, None)
            for sc, ds in zip(scenarios, designs, strict=True)
        ]
    h1, n = scenarios[0].horizon + 1, len(seeds)
    widths = {"kpi": 13, "series": len(SERIES), "spending": len(SPENDING)}
    out = {name: np.zeros((len(scenarios), n, h1, width)) for name, width in widths.items()}
    tasks = [
        (index, {"mixes": points[index], "shared_months": shared[index]}, seeds[index], run_shared)
        for index in range(n)
    ]
    with executor:
        for result in executor.imap_unordered(execute_run, tasks):
            index = result["run_id"]
            if result["status"] != "ok":
                what = ", ".join(sc.name for sc in scenarios)
                raise _failure(result, what, which[index], seeds[index])
            for name in _ARRAYS:
                out[name][:, index] = result[name]
            if progress:
                progress(len(scenarios))
    return [tuple(out[name][i] for name in _ARRAYS) for i in range(len(scenarios))]


def _run_seeds(
    scenario: Scenario,
    design: ParameterDesign,
    which: range,
    executor: Executor,
    progress: Callable[[int], None] | None,
    checkpoint: str | Path | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``(kpi, series, spending)`` arrays of replicates ``which`` of a design.

    Each is loaded from the checkpoint (same scenario, mode, seed and parameter values) or run.
    """
    from .experiment import apply_point

    h1 = scenario.horizon + 1
    seeds = [design.seeds[j] for j in which]
    overlays = [design.overlay(j) for j in which]
    kpi = np.zeros((len(seeds), h1, 13))
    series = np.zeros((len(seeds), h1, len(SERIES)))
    spending = np.zeros((len(seeds), h1, len(SPENDING)))
    store = (
        _Checkpoint(checkpoint, scenario.config_hash, design.setup.key()) if checkpoint else None
    )
    todo = []
    for index, s in enumerate(seeds):
        out = store.load(s, overlays[index]) if store else None
        if out is None:
            todo.append(index)
            continue
        kpi[index], series[index], spending[index] = out["kpi"], out["series"], out["spending"]
        if progress:
            progress(1)
    data = scenario.to_dict()
    tasks = [(i, apply_point(data, overlays[i]), seeds[i], run) for i in todo]
    saved = 0
    if not tasks:
        return kpi, series, spending
    with executor:
        for result in executor.imap_unordered(execute_run, tasks):
            index = result["run_id"]
            if result["status"] != "ok":
                raise _failure(result, scenario.name, which[index], seeds[index])
            out = {name: result[name] for name in ("kpi", "series", "spending")}
            kpi[index], series[index], spending[index] = out["kpi"], out["series"], out["spending"]
            if store:
                store.save(seeds[index], overlays[index], out)
                saved += 1
                testhook.saved(saved)
            if progress:
                progress(1)
    return kpi, series, spending


def _failure(result: dict[str, Any], what: str, replicate: int, seed: int) -> Exception:
    """The error to raise for a failed task: the machine's (OSError) or the model's."""
    errno = result.get("errno")
    if is_environment_errno(errno):  # the machine, not the model
        return OSError(errno, f"{os.strerror(errno)}, in replicate {replicate}")
    return RunFailed(f"{what}: replicate {replicate} (seed {seed}) failed: {result['error']}")


class _Checkpoint:
    """Finished replicates on disk, one ``.npz`` per seed, each recorded with its SHA-256.

    Keyed by the scenario's config hash, the code identity (package version and source hash)
    and the parameter mode (with its method and posterior file's digest): a different build or
    mode never reuses them. A replicate with drawn parameters is also named by a digest of its
    values, so a resumed run never mixes replicates of other draws. A file that does not match
    its index entry (a flipped bit, a truncation, an empty file) is reported and run again,
    never loaded.
    """

    def __init__(self, folder: str | Path, config_hash: str, mode_key: str = ""):
        suffix = f"-{mode_key}" if mode_key else ""
        self.folder = Path(folder) / f"{config_hash}-{code_key()}{suffix}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.index = Index(self.folder)
        self.entries = self.index.entries()

    def _name(self, seed: int, overlay: dict[str, Any]) -> str:
        if not overlay:
            return f"{seed}.npz"
        text = json.dumps(overlay, sort_keys=True, separators=(",", ":"))
        return f"{seed}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.npz"

    def load(self, seed: int, overlay: dict[str, Any]) -> dict[str, np.ndarray] | None:
        name = self._name(seed, overlay)
        path = self.folder / name
        if not path.exists():
            return None
        if not self.index.verified(name, entries=self.entries):
            _log.warning("%s is damaged or unrecorded; running that replicate again", path)
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                return {name: z[name] for name in ("kpi", "series", "spending")}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            _log.warning("%s cannot be read; running that replicate again", path)
            return None

    def save(self, seed: int, overlay: dict[str, Any], out: dict[str, np.ndarray]) -> None:
        name = self._name(seed, overlay)
        write_atomic(self.folder / name, lambda tmp: _savez(tmp, out))
        self.index.record(name)


def _savez(path: Path, out: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as fh:  # a file object: numpy adds no ".npz" to the name
        np.savez(fh, **out)


def extend_replicates(
    rep: Replicates,
    replicates: int,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    checkpoint: str | Path | None = None,
    *,
    executor: Executor | None = None,
) -> Replicates:
    """``rep`` grown to ``replicates`` replicates by running only the new ones.

    The new replicates use seeds ``replicate_seeds(rep.base_seed, replicates)[rep.n:]``, so the
    result equals ``run_replicates(rep.scenario, replicates, rep.base_seed)`` exactly (the
    tests check it); this is what adding replicates until a precision is reached relies on.
    With drawn parameters the design grows by whole draws (``K = ceil(replicates / R)``): the
    first draws and seeds are those already run, the new ones follow.

    Args:
        rep: Replicates already run.
        replicates: Total wanted (>= ``rep.n``).
        workers: Processes to use without ``executor``; 1 runs in this process.
        progress: Called with the number of replicates just finished.
        checkpoint: As for :func:`run_replicates`.
        executor: As for :func:`run_replicates`.
    """
    if replicates < rep.n:
        raise ValueError(f"cannot shrink {rep.n} replicates to {replicates}")
    if replicates == rep.n:
        return rep
    old = rep.parameters
    design = parameter_design(rep.scenario, old.setup, replicates, rep.base_seed, old.pinned)
    if design.n == rep.n:
        return rep
    kpi, series, spending = _run_seeds(
        rep.scenario,
        design,
        range(rep.n, design.n),
        executor_for(workers, executor),
        progress,
        checkpoint,
    )
    return Replicates(
        rep.scenario,
        rep.base_seed,
        list(design.seeds),
        np.concatenate([rep.kpi, kpi]),
        np.concatenate([rep.series, series]),
        np.concatenate([rep.spending, spending]),
        None if rep.design is None else design,
    )
