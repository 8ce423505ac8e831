"""Sweeps: every run of an experiment, on any executor, streamed to disk in resumable chunks.

The parts, in the order data flows:

1. :func:`plan_sweep` lists the runs of a validated :class:`~qcy_sim.experiment.Experiment`.
   A run is keyed by content: ``run_id`` hashes the point's resolved config, its factor values,
   the replicate index and the seed. The seed of replicate ``r`` is
   ``replicate_seeds(base_seed, replicates)[r]`` at every point (common random numbers), so
   results do not depend on the executor, the number of workers or the order of completion.
   Identical points share their runs (they would give identical numbers). With drawn
   parameters (``prior`` or ``posterior``) every point runs the same ``K`` draws x ``R`` seeds,
   and the run id also hashes the values drawn.
2. An executor of :mod:`qcy_sim.execution` (serial, local processes or Dask) maps the
   top-level :func:`~qcy_sim.execution.execute_run` over tasks ``(run_id, params, seed, run_fn)``;
   ``run_fn`` is :func:`qcy_sim.runner.run`, a plain ``run(params, seed) -> arrays`` function.
   A run that raises comes back as ``status="failed"`` with its error; the sweep goes on.
3. The parent reduces each result to one row (final KPIs, target flags, cost) and a small
   monthly table, and writes them per chunk of ``chunk_runs`` consecutive runs:
   ``timeseries/part-K.parquet`` then ``chunks/runs-K.parquet``, each under a temporary name and
   renamed when complete. Chunk boundaries depend only on the plan, so an interrupted sweep
   resumed with ``resume=True`` runs only the missing chunks and ends with the same files as an
   uninterrupted one. Memory holds only the chunks in flight.
4. At the end ``runs.parquet`` (one row per point and replicate, sorted by ``point_id``,
   ``replicate``) and ``sweep_summary.json`` (P(met) per target per point with Clopper-Pearson
   intervals, :mod:`qcy_sim.sweep_summary`) are assembled from the chunks, and
   ``manifest.json`` is marked complete.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import testhook
from .execution import (
    EXECUTORS,
    ClusterLost,
    DaskExecutor,
    Executor,
    LocalExecutor,
    RunFn,
    SerialExecutor,
    Task,
    execute_run,
    make_executor,
)
from .experiment import Experiment, apply_point, canonical_json
from .outputs import INDEX, Index, code_identity, code_key, hold
from .outputs import write_json_atomic as _write_json
from .outputs import write_parquet_atomic as _write_parquet
from .runner import run as model_run
from .scenario import ConfigError, month_label
from .schema import KPIS
from .sweep_summary import SUMMARY, format_sweep_summary, summarise_sweep
from .uncertainty import ParameterDesign, ParameterSetup

__all__ = [
    "SweepPlan",
    "SweepResult",
    "SweepInterrupted",
    "SweepStopped",
    "SerialExecutor",
    "LocalExecutor",
    "DaskExecutor",
    "make_executor",
    "execute_run",
    "plan_sweep",
    "run_sweep",
    "summarise_sweep",
    "format_sweep_summary",
    "EXECUTORS",
]

MANIFEST = "manifest.json"
POINTS = "points.parquet"
RUNS = "runs.parquet"
CHUNKS = "chunks"
TIMESERIES = "timeseries"

# ----------------------------------------------------------------------------------------------
# The plan


@dataclass(frozen=True)
class SweepPlan:
    """The runs of an experiment, in order, and the chunks they are saved in.

    Attributes:
        experiment: The validated experiment.
        seeds: Replicate seeds (the same at every point).
        run_ids: Unique runs, in order of first appearance over (point, replicate).
        first: ``(point_id, replicate)`` of each unique run's first appearance.
        row_runs: For row ``point_id * replicates + replicate`` of ``runs.parquet``, the index
            of its run in ``run_ids``.
        plan_hash: Hash of everything that shapes the result files; a sweep folder can only be
            resumed by a plan with the same hash.
    """

    experiment: Experiment
    seeds: list[int]
    run_ids: list[str]
    first: list[tuple[int, int]]
    row_runs: np.ndarray
    plan_hash: str
    columns: dict[str, list[str]] = field(repr=False)
    design: ParameterDesign | None = field(default=None, repr=False)
    pinned: tuple[frozenset[str], ...] = field(default=(), repr=False)

    @property
    def drawn(self) -> tuple[str, ...]:
        """Parameters drawn at some point (a ``param.<key>`` column each); () under fixed."""
        if self.design is None:
            return ()
        keys = list(self.design.values[0])
        return tuple(k for k in keys if any(k not in pin for pin in self.pinned))

    def overlay(self, point_id: int, replicate: int) -> dict[str, Any]:
        """The drawn values run at a point's replicate: its draw without the pinned keys."""
        if self.design is None:
            return {}
        pin = self.pinned[point_id]
        values = self.design.values[self.design.draw_of(replicate)]
        return {k: v for k, v in values.items() if k not in pin}

    @property
    def n_runs(self) -> int:
        """Unique runs."""
        return len(self.run_ids)

    def chunks(self, chunk_runs: int) -> list[range]:
        """Run indices of each chunk."""
        return [
            range(i, min(i + chunk_runs, self.n_runs)) for i in range(0, self.n_runs, chunk_runs)
        ]


def plan_sweep(experiment: Experiment, parameters: ParameterSetup | None = None) -> SweepPlan:
    """List the unique runs of an experiment and hash the plan.

    With drawn ``parameters`` every point runs the same nested design, ``K = ceil(N / R)``
    draws x ``R`` seeds drawn from the first scenario's priors (all scenarios must share
    them), so the plan has ``K R`` replicates per point. A point keeps its factor values and
    the uncertain parameters its scenario sets itself (:func:`~qcy_sim.uncertainty.pinned_keys`).
    Run ids then include the drawn values.
    """
    from . import __version__

    design, pinned = None, ()
    if parameters is not None and not parameters.fixed:
        experiment, design, pinned = _nested(experiment, parameters)
    seeds = experiment.seeds
    index: dict[str, int] = {}
    run_ids: list[str] = []
    first: list[tuple[int, int]] = []
    row_runs = np.empty(experiment.n_runs, dtype=np.int64)
    for p in experiment.points:
        for r, seed in enumerate(seeds):
            draw = None
            if design is not None:
                values = design.values[design.draw_of(r)]
                draw = {k: v for k, v in values.items() if k not in pinned[p.point_id]}
            rid = experiment.run_id(p, r, seed, draw)
            if rid not in index:
                index[rid] = len(run_ids)
                run_ids.append(rid)
                first.append((p.point_id, r))
            row_runs[p.point_id * experiment.replicates + r] = index[rid]
    drawn = ()
    if design is not None:
        drawn = tuple(k for k in design.values[0] if any(k not in pin for pin in pinned))
    columns = {
        "runs": [n for n, _ in _run_fields(experiment, drawn)],
        "timeseries": [n for n, _ in _ts_fields(experiment)],
    }
    digest = hashlib.sha256()
    digest.update(
        canonical_json(
            {"version": __version__, "columns": columns, "rows": row_runs.tolist()}
        ).encode()
    )
    for rid in run_ids:
        digest.update(rid.encode())
    return SweepPlan(
        experiment,
        seeds,
        run_ids,
        first,
        row_runs,
        digest.hexdigest()[:16],
        columns,
        design,
        pinned,
    )


def _nested(experiment: Experiment, setup: ParameterSetup):
    """The experiment with ``K R`` replicates, the design, and each point's pinned keys."""
    from dataclasses import replace

    from .uncertainty import check_same_priors, parameter_design, pinned_keys

    first = experiment.scenarios[0]
    check_same_priors(first, experiment.scenarios[1:])
    exp = replace(experiment, replicates=setup.replicates(experiment.replicates))
    design = parameter_design(first, setup, exp.replicates, exp.seed, pinned=())
    factors = {f.key for f in exp.factors}
    pinned = tuple(
        frozenset(pinned_keys(exp.scenarios[p.scenario], exp.params(p))) | factors
        for p in exp.points
    )
    return exp, design, pinned


def _own_hidden(name: str) -> bool:
    from .outputs import _is_hidden_own

    return _is_hidden_own(name) and name != INDEX


def _spending() -> dict[str, str]:
    from .model import SPENDING

    return SPENDING


def _run_fields(exp: Experiment, drawn: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    out = [
        ("run_id", "string"),
        ("point_id", "int64"),
        ("replicate", "int64"),
        ("seed", "uint64"),
        ("status", "string"),
        ("error", "string"),
    ]
    out += [(k, "int64") for k in exp.kpis]
    for t in exp.targets:
        out += [(f"met_{t}", "bool_"), (f"month_met_{t}", "int64")]
    out += [
        ("met_all", "bool_"),
        ("total_spending_cny_million", "float64"),
        ("public_spending_cny_million", "float64"),
    ]
    out += [(f"spend_{c}_cny_million", "float64") for c in _spending()]
    if drawn:
        out += [("draw", "int64")] + [(f"param.{k}", "float64") for k in drawn]
    return out


def _ts_fields(exp: Experiment) -> list[tuple[str, str]]:
    out = [("run_id", "string"), ("replicate", "int64"), ("month", "int64"), ("date", "string")]
    out += [(k, "int64") for k in exp.kpis]
    out += [(s, "float64") for s in exp.series]
    return out


def _schema(fields: list[tuple[str, str]]):
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, typ)()) for name, typ in fields])


# ----------------------------------------------------------------------------------------------
# Reducing a result to a row and a monthly table (in the parent process)


def _reduce(plan: SweepPlan, i: int, outcome: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    import pyarrow as pa

    from .results import _public_columns, target_outcomes

    exp = plan.experiment
    point_id, rep = plan.first[i]
    point = exp.points[point_id]
    row: dict[str, Any] = {
        "run_id": plan.run_ids[i],
        "point_id": point_id,
        "replicate": rep,
        "seed": plan.seeds[rep],
        "status": outcome["status"],
        "error": outcome.get("error"),
    }
    if plan.design is not None:
        row["draw"] = plan.design.draw_of(rep)
        drawn = plan.overlay(point_id, rep)
        for k in plan.drawn:
            row[f"param.{k}"] = float(drawn[k]) if k in drawn else None
    if outcome["status"] != "ok":
        return row, None
    kpi, series, spending = outcome["kpi"], outcome["series"], outcome["spending"]
    for k in exp.kpis:
        row[k] = int(kpi[-1, KPIS.index(k)])
    all_met = True
    for target, month in point.targets:
        met, first = target_outcomes(kpi[None, :, KPIS.index(target.kpi)], target, month)
        row[f"met_{target.kpi}"] = bool(met[0])
        row[f"month_met_{target.kpi}"] = int(first[0])
        all_met &= bool(met[0])
    row["met_all"] = all_met
    row["total_spending_cny_million"] = float(spending.sum())
    row["public_spending_cny_million"] = float(spending[:, _public_columns()].sum())
    for j, c in enumerate(_spending()):
        row[f"spend_{c}_cny_million"] = float(spending[:, j].sum())

    from .model import SERIES

    months = kpi.shape[0]
    start = exp.scenarios[point.scenario].params.time.start
    cols: dict[str, Any] = {
        "run_id": [row["run_id"]] * months,
        "replicate": np.full(months, rep, dtype=np.int64),
        "month": np.arange(months, dtype=np.int64),
        "date": [month_label(start, m) for m in range(months)],
    }
    for k in exp.kpis:
        cols[k] = kpi[:, KPIS.index(k)].astype(np.int64)
    for s in exp.series:
        cols[s] = series[:, SERIES.index(s)].astype(np.float64)
    return row, pa.table(cols, schema=_schema(_ts_fields(exp)))


# ----------------------------------------------------------------------------------------------
# The folder


@dataclass
class _Chunk:
    """Runs of one chunk still to come in this session, and what has arrived."""

    index: int
    runs: range
    todo: set[str]
    keep: list[str] = field(default_factory=list)  # already on disk and kept (retry case)
    rows: dict[str, dict] = field(default_factory=dict)
    ts: dict[str, Any] = field(default_factory=dict)


class _Folder:
    """The layout of a sweep folder and the rules for starting, resuming and finishing it."""

    def __init__(self, out: Path, plan: SweepPlan):
        self.out = out
        self.plan = plan
        self.damaged: list[str] = []  # chunks found unusable by scan(), run again

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()

    def chunk_paths(self, k: int) -> tuple[Path, Path]:
        return (
            self.out / CHUNKS / f"runs-{k:06d}.parquet",
            self.out / TIMESERIES / f"part-{k:06d}.parquet",
        )

    def prepare(
        self, resume: bool, chunk_runs: int, overwrite: bool = False
    ) -> tuple[dict[str, Any] | None, int]:
        """Check the folder may be used; return the previous manifest and the chunk size.

        The caller holds the folder (:func:`qcy_sim.outputs.hold`), which has already refused
        files and folders that qcy did not write.
        """
        out = self.out
        entries = [p for p in out.iterdir() if not _own_hidden(p.name)] if out.is_dir() else []
        if entries and overwrite and not resume:
            self.remove_own()
            entries = []
        if entries and not resume:
            raise ConfigError(
                out,
                "--out",
                "a new or empty folder (pass --resume to finish the sweep saved there, "
                "--overwrite to replace it, or choose a new --out)",
                f"a folder with {len(entries)} entries",
            )
        previous = None
        if entries:
            mpath = out / MANIFEST
            try:
                previous = json.loads(mpath.read_text(encoding="utf-8"))
                if not isinstance(previous, dict):
                    raise ValueError("not an object")
            except (OSError, ValueError):
                raise ConfigError(
                    out,
                    "--resume",
                    "a folder written by qcy sweep (with a readable manifest.json)",
                    "none",
                ) from None
            if previous.get("plan_hash") != self.plan.plan_hash:
                raise ConfigError(
                    mpath,
                    "plan_hash",
                    f"the plan of {self.plan.experiment.path} ({self.plan.plan_hash}); "
                    "choose a new --out for a changed experiment",
                    f"{previous.get('plan_hash')} (a sweep of "
                    f"{previous.get('experiment', {}).get('path', 'another experiment')})",
                )
            chunk_runs = int(previous.get("chunk_runs", chunk_runs))
        for sub in ("", CHUNKS, TIMESERIES):
            (out / sub).mkdir(parents=True, exist_ok=True)
        return previous, chunk_runs

    def remove_own(self) -> None:
        """Remove a previous sweep's files (``--overwrite``): only the sweep layout's own."""
        out = self.out
        (out / MANIFEST).unlink(missing_ok=True)
        listed = set(Index(out).entries())
        for rel in listed | {RUNS, SUMMARY, POINTS, INDEX}:
            path = out / rel
            if path.is_file() and (rel in listed or "/" not in rel):
                path.unlink()
        for sub in (CHUNKS, TIMESERIES):
            for path in (out / sub).glob("*.parquet"):
                if path.name.startswith(("runs-", "part-")):
                    path.unlink()

    def scan(self, chunk_runs: int, retry_failed: bool) -> tuple[list[_Chunk], int, int]:
        """Chunks with work left, and the ok and failed runs already saved and kept."""
        import pyarrow.parquet as pq

        todo, ok, failed = [], 0, 0
        index = Index(self.out)
        entries = index.entries()
        code = code_key()
        for k, runs in enumerate(self.plan.chunks(chunk_runs)):
            ids = [self.plan.run_ids[i] for i in runs]
            rpath, tpath = self.chunk_paths(k)
            saved = None
            if rpath.exists() and not all(
                index.verified(self._rel(p), code, entries) for p in (rpath, tpath)
            ):
                self.damaged.append(self._rel(rpath))  # damaged, unrecorded or another build
            elif rpath.exists():
                try:
                    table = pq.read_table(rpath, columns=["run_id", "status"])
                    st = dict(
                        zip(table["run_id"].to_pylist(), table["status"].to_pylist(), strict=True)
                    )
                    ts_ids = (
                        set(pq.read_table(tpath, columns=["run_id"])["run_id"].to_pylist())
                        if tpath.exists()
                        else set()
                    )
                    if list(st) == ids and ts_ids == {r for r in ids if st[r] == "ok"}:
                        saved = st
                except (OSError, ValueError, KeyError):
                    saved = None  # unreadable or inconsistent: run the chunk again
            if saved is None:
                todo.append(_Chunk(k, runs, set(ids)))
                continue
            bad = [r for r in ids if saved[r] != "ok"]
            if retry_failed and bad:
                todo.append(_Chunk(k, runs, set(bad), keep=[r for r in ids if r not in bad]))
                ok += len(ids) - len(bad)
            else:
                ok += len(ids) - len(bad)
                failed += len(bad)
        return todo, ok, failed

    def write_chunk(self, chunk: _Chunk) -> None:
        """Write a completed chunk: monthly table first, then the run rows (the commit)."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        exp = self.plan.experiment
        rpath, tpath = self.chunk_paths(chunk.index)
        rows, ts = dict(chunk.rows), dict(chunk.ts)
        if chunk.keep:
            old_rows = pq.read_table(rpath).to_pylist()
            old_ts = pq.read_table(tpath) if tpath.exists() else None
            for row in old_rows:
                if row["run_id"] in chunk.keep:
                    rows[row["run_id"]] = row
                    if row["status"] == "ok" and old_ts is not None:
                        ts[row["run_id"]] = old_ts.filter(pc.equal(old_ts["run_id"], row["run_id"]))
        order = [self.plan.run_ids[i] for i in chunk.runs]
        parts = [ts[r] for r in order if r in ts]
        ts_table = pa.concat_tables(parts) if parts else _schema(_ts_fields(exp)).empty_table()
        _write_parquet(tpath, ts_table)
        _write_parquet(
            rpath,
            pa.Table.from_pylist(
                [rows[r] for r in order], schema=_schema(_run_fields(exp, self.plan.drawn))
            ),
        )
        Index(self.out).record(self._rel(tpath), self._rel(rpath))  # the commit of the chunk

    def points_table(self):
        """``points.parquet``: one row per point with its factor values."""
        import pyarrow as pa

        exp = self.plan.experiment
        cols: dict[str, Any] = {
            "point_id": pa.array([p.point_id for p in exp.points], pa.int64()),
            "scenario": pa.array([exp.scenarios[p.scenario].name for p in exp.points], pa.string()),
            "design_row": pa.array([p.row for p in exp.points], pa.int64()),
            "config_hash": pa.array([p.config_hash[:16] for p in exp.points], pa.string()),
        }
        for f in exp.factors:
            cols[f.key] = pa.array([p.values[f.key] for p in exp.points])
        return pa.table(cols)

    def assemble_runs(self, chunk_runs: int):
        """``runs.parquet``: one row per (point, replicate), with the point's factor values."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        exp = self.plan.experiment
        n_chunks = len(self.plan.chunks(chunk_runs))
        runs = pa.concat_tables([pq.read_table(self.chunk_paths(k)[0]) for k in range(n_chunks)])
        take = pa.array(self.plan.row_runs)
        body = runs.take(take)
        point_ids = np.repeat(np.arange(len(exp.points), dtype=np.int64), exp.replicates)
        points = self.points_table().take(pa.array(point_ids))
        cols: dict[str, Any] = {
            "run_id": body["run_id"],
            "point_id": pa.array(point_ids),
            "scenario": points["scenario"],
        }
        for f in exp.factors:
            cols[f.key] = points[f.key]
        cols["replicate"] = pa.array(
            np.tile(np.arange(exp.replicates, dtype=np.int64), len(exp.points))
        )
        for name in body.column_names:
            if name not in ("run_id", "point_id", "replicate"):
                cols[name] = body[name]
        return pa.table(cols)


# ----------------------------------------------------------------------------------------------
# Running


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a sweep; completed chunks are saved, ``resume=True`` finishes it."""

    def __init__(self, out: Path, saved: int, total: int):
        super().__init__(f"{saved} of {total} runs saved in {out}")
        self.out, self.saved, self.total = out, saved, total


class SweepStopped(RuntimeError):
    """The executor lost its workers; completed chunks are saved, ``resume=True`` finishes it."""

    def __init__(self, out: Path, saved: int, total: int, reason: str):
        super().__init__(f"{reason}; {saved} of {total} runs are saved in {out}")
        self.out, self.saved, self.total, self.reason = out, saved, total, reason


@dataclass
class SweepResult:
    """Where a sweep's files are and how it went.

    Attributes:
        out: The sweep folder.
        runs: Unique runs in the plan.
        ok: Runs that succeeded.
        failed: Runs recorded as failed.
        ran: Runs executed in this session (0 when everything was already on disk).
        elapsed_s: Wall time of this session.
        summary: The content of ``sweep_summary.json``.
        damaged: Chunk files found damaged, unrecorded or from another build, and run again.
    """

    out: Path
    runs: int
    ok: int
    failed: int
    ran: int
    elapsed_s: float
    summary: dict[str, Any]
    damaged: list[str] = field(default_factory=list)

    def runs_frame(self):
        """``runs.parquet`` as a DataFrame."""
        import pandas as pd

        return pd.read_parquet(self.out / RUNS)

    def timeseries(self):
        """Monthly KPIs of every successful run (join with ``runs_frame()`` on ``run_id``)."""
        import pandas as pd

        return pd.read_parquet(self.out / TIMESERIES)

    def points(self):
        """``points.parquet`` as a DataFrame."""
        import pandas as pd

        return pd.read_parquet(self.out / POINTS)


def run_sweep(
    experiment: Experiment,
    out: str | Path,
    executor: Executor | None = None,
    *,
    resume: bool = False,
    retry_failed: bool = False,
    overwrite: bool = False,
    progress: bool = False,
    run_fn: RunFn = model_run,
    parameters: ParameterSetup | None = None,
) -> SweepResult:
    """Run every missing run of an experiment and write the sweep folder.

    The folder is held (one writer, :func:`qcy_sim.outputs.hold`) for the whole sweep. Chunks
    are used only if they match their SHA-256 in the folder's index and were written by this
    build (:func:`qcy_sim.outputs.code_key`); others are run again.

    Args:
        experiment: A validated experiment (:func:`~qcy_sim.experiment.load_experiment`).
        out: The sweep folder; must be new or empty unless ``resume``.
        executor: Where runs execute (default: :class:`LocalExecutor` on every core).
        resume: Continue the sweep saved in ``out``: only missing chunks run.
        retry_failed: Also run again the runs saved as failed (implies ``resume``).
        overwrite: Replace a previous sweep in ``out`` (its own files only).
        progress: Show a progress bar on stderr.
        run_fn: The top-level ``run(params, seed) -> arrays`` function workers call.
        parameters: How replicates draw their parameters (default ``fixed``); see
            :func:`plan_sweep`.

    Raises:
        ConfigError: ``out`` holds files but ``resume`` is false, holds another sweep, or is
            locked by another process.
        SweepInterrupted: On Ctrl-C or SIGTERM, after the manifest records what is saved.
        SweepStopped: The executor lost all its workers, after the manifest records it.
    """
    resume = resume or retry_failed
    advice = "--resume to finish the sweep saved there, --overwrite to replace it"
    with hold(out, overwrite=overwrite, resume=resume, advice=advice):
        return _run_sweep(
            experiment,
            Path(out),
            executor or LocalExecutor(),
            resume,
            retry_failed,
            overwrite,
            progress,
            run_fn,
            parameters,
        )


def _run_sweep(
    experiment, out, executor, resume, retry_failed, overwrite, progress, run_fn, parameters
):
    t0 = time.time()
    plan = plan_sweep(experiment, parameters)
    experiment = plan.experiment
    folder = _Folder(out, plan)
    previous, chunk_runs = folder.prepare(resume, experiment.chunk_runs, overwrite)
    todo, ok, failed = folder.scan(chunk_runs, retry_failed)
    n_chunks = len(plan.chunks(chunk_runs))
    manifest = _manifest(plan, previous, chunk_runs, n_chunks)
    session = {
        "command": " ".join(sys.argv),
        "executor": executor.describe(),
        "resume": resume,
        "retry_failed": retry_failed,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "status": "running",
    }
    manifest["sessions"].append(session)
    _write_parquet(out / POINTS, folder.points_table())
    Index(out).record(POINTS)
    _write_json(
        out / MANIFEST,
        {
            **manifest,
            "status": "running",
            "ok": ok,
            "failed": failed,
            "executor": session["executor"],
        },
    )

    position = {plan.run_ids[i]: i for c in todo for i in c.runs}
    owner = {rid: c for c in todo for rid in c.todo}
    ran = saved = 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=plan.n_runs,
            initial=ok + failed,
            unit="run",
            file=sys.stderr,
            desc=experiment.name,
            dynamic_ncols=True,
        )
        bar.set_postfix(failed=failed)

    def tasks() -> Iterator[Task]:
        for c in todo:
            for i in c.runs:
                rid = plan.run_ids[i]
                if rid in c.todo:
                    point_id, rep = plan.first[i]
                    params = experiment.params(experiment.points[point_id])
                    params = apply_point(params, plan.overlay(point_id, rep))
                    yield (rid, params, plan.seeds[rep], run_fn)

    try:
        if owner:  # a finished sweep resumed starts no workers
            with executor:
                session["executor"] = executor.describe()
                for outcome in executor.imap_unordered(execute_run, tasks()):
                    rid = outcome["run_id"]
                    chunk = owner.pop(rid)
                    row, ts = _reduce(plan, position[rid], outcome)
                    chunk.rows[rid] = row
                    if ts is not None:
                        chunk.ts[rid] = ts
                    ran += 1
                    if row["status"] == "ok":
                        ok += 1
                    else:
                        failed += 1
                    if len(chunk.rows) == len(chunk.todo):
                        folder.write_chunk(chunk)
                        saved += len(chunk.rows)
                        chunk.rows.clear()
                        chunk.ts.clear()
                        testhook.saved(saved)
                    if bar is not None:
                        bar.update(1)
                        if row["status"] != "ok":
                            bar.set_postfix(failed=failed)
    except (KeyboardInterrupt, ClusterLost) as exc:
        saved_ok, saved_failed = folder.scan(chunk_runs, False)[1:]
        session.update(
            finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            ran=ran,
            elapsed_s=round(time.time() - t0, 3),
            status="interrupted",
        )
        if isinstance(exc, ClusterLost):
            session["error"] = str(exc)
        _write_json(
            out / MANIFEST,
            {**manifest, "status": "interrupted", "ok": saved_ok, "failed": saved_failed},
        )
        if isinstance(exc, ClusterLost):
            raise SweepStopped(out, saved_ok + saved_failed, plan.n_runs, str(exc)) from None
        raise SweepInterrupted(out, saved_ok + saved_failed, plan.n_runs) from None
    finally:
        if bar is not None:
            bar.close()

    runs = folder.assemble_runs(chunk_runs)
    _write_parquet(out / RUNS, runs)
    summary = summarise_sweep(experiment, runs.to_pandas(), plan.design, plan.pinned)
    _write_json(out / SUMMARY, summary)
    elapsed = time.time() - t0
    session.update(
        finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        ran=ran,
        elapsed_s=round(elapsed, 3),
        status="complete",
    )
    _write_json(
        out / MANIFEST,
        {
            **manifest,
            "status": "complete",
            "ok": ok,
            "failed": failed,
            "executor": session["executor"],
        },
    )
    Index(out).record(RUNS, SUMMARY, MANIFEST)
    return SweepResult(
        out, plan.n_runs, ok, failed, ran, elapsed, summary, sorted(set(folder.damaged))
    )


def _manifest(plan: SweepPlan, previous: dict | None, chunk_runs: int, n_chunks: int) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    from .results import provenance

    exp = plan.experiment
    libs = {}
    for lib in ("SALib", "dask", "distributed", "scipy", "pandas", "pyarrow"):
        try:
            libs[lib] = version(lib)
        except PackageNotFoundError:
            libs[lib] = None
    return provenance(
        {
            "kind": "sweep",
            "experiment": exp.to_dict(),
            "config_hashes": {s.name: s.config_hash for s in exp.scenarios},
            "base_seed": exp.seed,
            "seeds": plan.seeds,
            "design": exp.design.to_dict(),
            "plan_hash": plan.plan_hash,
            "points": len(exp.points),
            "rows": exp.n_runs,
            "runs": plan.n_runs,
            "chunk_runs": chunk_runs,
            "chunks": n_chunks,
            "code": code_identity(),
            "libraries": libs,
            "sessions": list((previous or {}).get("sessions", [])),
        }
    )
