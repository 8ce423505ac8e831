"""Performance benchmarks: qcy_sim against idiomatic Mesa and against the machine's limits.

    python benchmarks/run.py [--quick] [--out FILE]

Prints a table and writes JSON (default ``results/bench/bench.json``). Sections:

1. ``mesa``: the reduced talent flow (:mod:`benchmarks/reference.py`) as idiomatic Mesa agents
   against the same rules on arrays and qcy_sim's kernels, side by side in this process, in
   talent-months per second (``mesa_ratio`` = arrays / Mesa at the largest size).
2. ``replicate``: a full baseline replicate, warm (``replicate_ms``); JIT compile cold (fresh
   process, empty ``NUMBA_CACHE_DIR``) and from cache; peak RSS of a process that runs one
   replicate; bytes of state per talent.
3. ``scaling``: x10 talents, firms, candidate pools, carriers and budgets against x1; a sweep on
   1 against 2 worker processes; a warm process pool against a warm Dask LocalCluster.
4. ``bandwidth``: a STREAM triad in numba (1 and 2 threads) and the ``talents_month`` kernel's
   effective bandwidth; 10 million talents in one process.
5. ``profile``: where a replicate's time goes (``benchmarks/profile_step.py``).
6. ``frames``: the same talent flow written with mesa-frames (``benchmarks/reference_frames.py``,
   run by the interpreter of its own virtual environment) against the arrays (``frames_ratio``).
7. ``threads``: ``talents_month`` serial against numba threads (``benchmarks/threads.py``).

Every time is the median of >= 5 runs unless said otherwise; the two sides of a ratio are run
alternately in the same process so that the machine's load affects both alike.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit, prange

import qcy_sim
from qcy_sim import QcyModel, load_scenario
from qcy_sim.mechanisms.careers import Career, CareerMonth, talents_month
from qcy_sim.runner import run_replicates
from qcy_sim.scenario import scenario_from_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from profile_step import format_profile, profile  # noqa: E402
from reference import (  # noqa: E402
    ArrayFlow,
    MesaFlow,
    flow_params,
    frames_python,
    initial_state,
    run_frames,
)
from threads import bench_threads  # noqa: E402

ROOT = Path(qcy_sim.__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"

GOALS = {  # metric: (comparison, goal)
    "mesa_ratio": (">=", 100),
    "replicate_ms": ("<=", 20),
    "scaling_10x": ("<=", 11),
    "bytes_per_talent": ("<=", 64),
    "fits_10m_talents": ("==", True),
    "sweep_speedup_2w": (">=", 1.8),
    "dask_overhead": ("<=", 0.10),
}
UNITS = {
    "mesa_ratio": "x",
    "mesa_ratio_cpu_time": "x",
    "frames_ratio": "x",
    "threads_speedup_seed_scale": "x",
    "threads_speedup_large": "x",
    "kernel_updates_per_s": "talents/s",
    "replicate_ms": "ms",
    "replicate_cpu_ms": "ms",
    "jit_cold_s": "s",
    "jit_cached_s": "s",
    "peak_rss_mb": "MiB",
    "bytes_per_talent": "B",
    "fits_10m_talents": "",
    "rss_10m_talents_mb": "MiB",
    "scaling_10x": "x",
    "sweep_speedup_2w": "x",
    "machine_parallel_2p": "x",
    "sweep_efficiency_2w": "1",
    "dask_overhead": "1",
    "bandwidth_gbs": "GB/s",
    "bandwidth_2t_gbs": "GB/s",
    "talents_month_gbs": "GB/s",
}


# ----------------------------------------------------------------------------------------------
# Helpers


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def stats(times: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "n": len(times),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


class Contention:
    """How many cores other processes kept busy while a section ran (from /proc/stat).

    ``others_cores`` = (all busy CPU time - this process's and its reaped children's CPU time)
    / wall time: 0 on an idle machine, up to the number of cores when others use all of them.
    """

    def __enter__(self) -> Contention:
        self.busy0, self.steal0 = self._busy()
        self.t0, self.own0 = time.perf_counter(), self._own()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.t0
        busy, steal = self._busy()
        others = (busy - self.busy0) - (self._own() - self.own0)
        self.result = {
            "wall_s": wall,
            "others_cores": max(0.0, others / wall),
            "steal_cores": (steal - self.steal0) / wall,
        }

    @staticmethod
    def _busy() -> tuple[float, float]:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except OSError:
            return 0.0, 0.0
        hz = os.sysconf("SC_CLK_TCK")
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
        return (user + nice + system + irq + softirq) / hz, steal / hz

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        )
        flags = next(line for line in cpuinfo.splitlines() if line.startswith("flags"))
        info["avx512"] = "avx512f" in flags
    except (OSError, StopIteration):
        info["cpu"] = platform.processor()
    info["cores"] = os.cpu_count()
    info["usable_cores"] = len(os.sched_getaffinity(0))
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(x for x in meminfo if x.startswith("MemTotal")).split()[1])
        info["memory_gb"] = round(kb / 2**20, 1)
        l3 = Path("/sys/devices/system/cpu/cpu0/cache/index3/size")
        info["l3_cache"] = l3.read_text().strip() if l3.exists() else None
    except (OSError, StopIteration):
        pass
    import mesa
    import numba
    import scipy

    info["versions"] = {
        "numpy": np.__version__,
        "numba": numba.__version__,
        "mesa": mesa.__version__,
        "scipy": scipy.__version__,
        "qcy_sim": qcy_sim.__version__,
    }
    try:
        import dask
        import distributed

        info["versions"]["dask"] = dask.__version__
        info["versions"]["distributed"] = distributed.__version__
    except ImportError:
        pass
    info["load_average_start"] = os.getloadavg()
    info["env"] = {
        key: os.environ[key]
        for key in sorted(os.environ)
        if key.startswith(("NUMBA_", "OPENBLAS_", "OMP_"))
    }
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "qcy_sim"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        info["git"] = {"commit": commit, "qcy_sim_modified": bool(dirty)}
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


def child(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"child process failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------------
# 1. Idiomatic Mesa against arrays + kernels


def bench_mesa(sizes: list[int], months: int, reps: int) -> dict[str, Any]:
    scenario = load_scenario(BASELINE)
    rows = []
    for n in sizes:
        fp = flow_params(scenario, n)
        state = initial_state(fp, 0)
        ArrayFlow(fp, 0, state, months=1).run(1)  # load the kernels
        rate_a, rate_m, t_a, t_m, cpu_a, cpu_m = [], [], [], [], [], []
        for r in range(reps):
            flow = ArrayFlow(fp, r, state, months=months)
            c0 = time.process_time()
            dt, kpis = timed(lambda f=flow: f.run(months))
            cpu_a.append(int(kpis[:months, 0].sum()) / (time.process_time() - c0))
            t_a.append(dt)
            rate_a.append(int(kpis[:months, 0].sum()) / dt)  # residents at each month's start
            flow = None
            gc.collect()
            model = MesaFlow(fp, r, state)
            c0 = time.process_time()
            dt, kpis = timed(lambda mdl=model: mdl.run(months))
            cpu_m.append(int(kpis[:months, 0].sum()) / (time.process_time() - c0))
            t_m.append(dt)
            rate_m.append(int(kpis[:months, 0].sum()) / dt)
            model = None
            gc.collect()
        row = {
            "talents": n,
            "months": months,
            "reps": reps,
            "arrays_talent_months_per_s": statistics.median(rate_a),
            "mesa_talent_months_per_s": statistics.median(rate_m),
            "arrays_s": stats(t_a),
            "mesa_s": stats(t_m),
            "ratio_cpu_time": statistics.median(cpu_a) / statistics.median(cpu_m),
        }
        row["ratio"] = row["arrays_talent_months_per_s"] / row["mesa_talent_months_per_s"]
        rows.append(row)
        log(
            f"mesa vs arrays at {n:>9,} talents: arrays {row['arrays_talent_months_per_s']:.3g}"
            f"/s, Mesa {row['mesa_talent_months_per_s']:.3g}/s, ratio {row['ratio']:.0f}"
        )
    return {
        "sizes": rows,
        "mesa_ratio": rows[-1]["ratio"],
        "mesa_ratio_at": rows[-1]["talents"],
        "mesa_ratio_cpu_time": rows[-1]["ratio_cpu_time"],
    }


def bench_frames(sizes: list[int], months: int, reps: int) -> dict[str, Any]:
    """mesa-frames against arrays, alternately: one seed per call of the frames interpreter."""
    python, where = frames_python()
    if python is None:
        log(where)
        return {"frames_ratio": None, "frames_note": where}
    scenario, rows = load_scenario(BASELINE), []
    for n in sizes:
        fp = flow_params(scenario, n)
        state = initial_state(fp, 0)
        ArrayFlow(fp, 0, state, months=1).run(1)
        rate_a, rate_f, cpu_a, cpu_f, final_a, final_f = [], [], [], [], [], []
        for r in range(reps):
            flow = ArrayFlow(fp, r, state, months=months)
            c0 = time.process_time()
            dt, kpis = timed(lambda f=flow: f.run(months))
            talent_months = int(kpis[:months, 0].sum())
            rate_a.append(talent_months / dt)
            cpu_a.append(talent_months / (time.process_time() - c0))
            final_a.append(int(kpis[-1, 0]))
            flow = None
            run_f = run_frames(python, fp, state, months, [r])["runs"][0]
            kpis = np.array(run_f["kpis"])
            rate_f.append(int(kpis[:months, 0].sum()) / run_f["s"])
            cpu_f.append(int(kpis[:months, 0].sum()) / run_f["cpu_s"])
            final_f.append(int(kpis[-1, 0]))
        row = {
            "talents": n,
            "months": months,
            "reps": reps,
            "arrays_talent_months_per_s": statistics.median(rate_a),
            "frames_talent_months_per_s": statistics.median(rate_f),
            "ratio_cpu_time": statistics.median(cpu_a) / statistics.median(cpu_f),
            "final_residents_mean": {"arrays": np.mean(final_a), "frames": np.mean(final_f)},
        }
        row["ratio"] = row["arrays_talent_months_per_s"] / row["frames_talent_months_per_s"]
        rows.append(row)
        log(
            f"mesa-frames vs arrays at {n:>9,} talents: frames "
            f"{row['frames_talent_months_per_s']:.3g}/s, ratio {row['ratio']:.1f}"
        )
    return {"sizes": rows, "frames_ratio": rows[-1]["ratio"], "frames_note": where}


# ----------------------------------------------------------------------------------------------
# 2. A full baseline replicate

_JIT_CHILD = r"""
import json, sys, time
import numpy, numba, mesa  # library imports are not JIT time
t0 = time.perf_counter()
import qcy_sim
scenario = qcy_sim.load_scenario(sys.argv[1])
qcy_sim.QcyModel(scenario, 1).run()
t1 = time.perf_counter()
qcy_sim.QcyModel(scenario, 2).run()
t2 = time.perf_counter()
print(json.dumps({"first_s": t1 - t0, "warm_s": t2 - t1}))
"""

_PEAK = r"""
import resource


def peak_mb():
    # VmHWM is this process's own high-water mark; ru_maxrss also keeps the RSS of the process
    # that spawned it (Linux carries it across exec), so it is only a fallback.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_RSS_CHILD = (
    _PEAK
    + r"""
import json, sys
import qcy_sim
scenario = qcy_sim.load_scenario(sys.argv[1])
before = peak_mb()
m = qcy_sim.QcyModel(scenario, 1).run()
print(json.dumps({"peak_rss_mb": peak_mb(), "rss_before_model_mb": before,
                  "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "talent_slots": m.talents.count, "talent_capacity": m.talents.capacity,
                  "talent_store_mb": m.talents.nbytes() / 2**20}))
"""
)


_SWEEP_CHILD = r"""
import json, sys, time
import qcy_sim
from qcy_sim.runner import run_replicates
scenario = qcy_sim.load_scenario(sys.argv[1])
reps, n = int(sys.argv[2]), int(sys.argv[3])
run_replicates(scenario, 2, seed=99, workers=1)  # load the kernels before the pool forks
times = {"workers_1_s": [], "workers_2_s": []}
for r in range(reps):
    for workers in (1, 2):
        t0 = time.perf_counter()
        run_replicates(scenario, n, seed=r, workers=workers)
        times[f"workers_{workers}_s"].append(time.perf_counter() - t0)
print(json.dumps(times))
"""


# The machine's own capacity for two processes on this workload: three baseline replicates in one
# process, then three in each of two forked processes at once (no runner: a bare pool, warm),
# alternately; throughput of two over one. On a virtual machine whose two cores share a physical
# core, or on a busy host, this is below 2 whatever the runner does.
_PARALLEL_CHILD = r"""
import json, multiprocessing as mp, sys, time
import qcy_sim
scenario = qcy_sim.load_scenario(sys.argv[1])
def work(first):
    t0 = time.perf_counter()
    for seed in range(first, first + 3):
        qcy_sim.QcyModel(scenario, seed).run()
    return time.perf_counter() - t0
work(0)
ratios = []
with mp.get_context("fork").Pool(2) as pool:
    pool.map(work, [0, 0], chunksize=1)
    for r in range(int(sys.argv[2])):
        alone = work(10 * r)
        t0 = time.perf_counter()
        pool.map(work, [10 * r, 10 * r], chunksize=1)
        ratios.append(2 * alone / (time.perf_counter() - t0))
print(json.dumps({"ratios": ratios}))
"""


def bench_replicate(reps: int, jit_reps: int) -> dict[str, Any]:
    scenario = load_scenario(BASELINE)
    QcyModel(scenario, 0).run()  # warm (and fills the default numba cache)
    times, cpu = [], []
    for seed in range(1, reps + 1):
        c0 = time.process_time()
        times.append(timed(lambda s=seed: QcyModel(scenario, s).run())[0])
        cpu.append(time.process_time() - c0)
    out: dict[str, Any] = {
        "replicate_s": stats(times),
        "replicate_ms": 1e3 * statistics.median(times),
        "replicate_cpu_s": stats(cpu),
        "replicate_cpu_ms": 1e3 * statistics.median(cpu),
    }
    log(
        f"baseline replicate: {out['replicate_ms']:.1f} ms wall, {out['replicate_cpu_ms']:.1f} ms "
        f"CPU (medians of {reps})"
    )
    model = QcyModel(scenario, 0)
    out["bytes_per_talent"] = model.talents.bytes_per_agent()
    out["talent_properties"] = {
        p: model.talents.view(p).dtype.name for p in model.talents.properties
    }

    cold, cached = [], []
    for _ in range(jit_reps):
        with tempfile.TemporaryDirectory(prefix="qcy-numba-cache-") as cache:
            env = {"NUMBA_CACHE_DIR": cache}
            cold.append(child(_JIT_CHILD, str(BASELINE), env=env))
            cached.append(child(_JIT_CHILD, str(BASELINE), env=env))
    jit = lambda runs: statistics.median(r["first_s"] - r["warm_s"] for r in runs)  # noqa: E731
    out["jit_cold_s"], out["jit_cached_s"] = jit(cold), jit(cached)
    out["jit_runs"] = {"cold": cold, "cached": cached}
    log(f"JIT: cold {out['jit_cold_s']:.1f} s, from cache {out['jit_cached_s']:.2f} s")
    child(_RSS_CHILD, str(BASELINE))  # makes sure the default numba cache is complete
    runs = [child(_RSS_CHILD, str(BASELINE)) for _ in range(3)]
    rss = min(runs, key=lambda r: r["peak_rss_mb"])
    out["peak_rss_mb"] = statistics.median(r["peak_rss_mb"] for r in runs)
    out["rss"] = rss
    log(f"peak RSS of one replicate: {rss['peak_rss_mb']:.0f} MiB")
    return out


# ----------------------------------------------------------------------------------------------
# 2b. The same replicate at another commit, side by side

_SERVE_CHILD = r"""
import sys, time
import qcy_sim
scenario = qcy_sim.load_scenario(sys.argv[1])
qcy_sim.QcyModel(scenario, 0).run()  # warm
print(qcy_sim.__file__, flush=True)
for line in sys.stdin:
    t0 = time.perf_counter()
    qcy_sim.QcyModel(scenario, int(line)).run()
    print(time.perf_counter() - t0, flush=True)
"""


def bench_against(rev: str, reps: int) -> dict[str, Any]:
    """Baseline replicates at ``rev`` and at the working tree, alternately, one process each.

    The code of ``rev`` is exported with ``git archive`` into a temporary folder that comes first
    on ``PYTHONPATH`` of its process; both processes load the baseline scenario of the working
    tree (a scenario key that ``rev`` does not know would fail there, as it should).
    """
    root = Path(__file__).resolve().parent.parent
    commit = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", rev],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="qcy-against-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", commit, "qcy_sim"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        procs = {}
        for name, path in (("before", tmp), ("after", str(root))):
            env = {**os.environ, "PYTHONPATH": path}
            procs[name] = subprocess.Popen(
                [sys.executable, "-c", _SERVE_CHILD, str(BASELINE)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=path,  # "python -c" puts the working folder first on sys.path
            )
        try:
            loaded = {name: p.stdout.readline().strip() for name, p in procs.items()}
            times: dict[str, list[float]] = {"before": [], "after": []}
            for seed in range(1, reps + 1):
                order = ("before", "after") if seed % 2 else ("after", "before")
                for name in order:
                    procs[name].stdin.write(f"{seed}\n")
                    procs[name].stdin.flush()
                    times[name].append(float(procs[name].stdout.readline()))
        finally:
            for p in procs.values():
                p.stdin.close()
                p.wait()
    before, after = (statistics.median(times[k]) for k in ("before", "after"))
    if loaded["before"] == loaded["after"]:
        raise RuntimeError(f"both processes imported {loaded['after']}")
    out = {
        "rev": commit,
        "loaded": loaded,
        "before_ms": 1e3 * before,
        "after_ms": 1e3 * after,
        "after_over_before": after / before,
        "before_s": stats(times["before"]),
        "after_s": stats(times["after"]),
    }
    log(
        f"replicate at {commit}: {out['before_ms']:.1f} ms; working tree: {out['after_ms']:.1f} ms "
        f"(ratio {out['after_over_before']:.3f}, medians of {reps}, alternating)"
    )
    return out


# ----------------------------------------------------------------------------------------------
# 3. Scaling: x10, workers, Dask

# Extensive quantities multiplied for the x10 scenario (paths that do not exist are skipped).
SCALE_KEYS = (
    "initial.talents",
    "initial.enterprises",
    "initial.chain_leaders",
    "initial.institutes",
    "initial.tech_brokers",
    "initial.housing_units",
    "talent.candidates_domestic_per_month",
    "talent.candidates_overseas_per_month",
    "talent.graduates_per_year",
    "enterprise.relocations_per_year",
    "carriers.*.initial_operating",
    "carriers.*.initial_under_construction",
    "initial.park_developers",
    "funds.*.initial_balance_cny_million",
    "funds.*.budget_cny_million_per_year",
    "policy.*.budget_cny_million_per_year",
)


def scaled_scenario(scenario: qcy_sim.Scenario, factor: int) -> qcy_sim.Scenario:
    """The scenario with every quantity of :data:`SCALE_KEYS` multiplied by ``factor``."""
    data = copy.deepcopy(scenario.to_dict())

    def scale(node: dict, parts: list[str]) -> None:
        head, rest = parts[0], parts[1:]
        keys = [x for x in node if isinstance(node[x], dict)] if head == "*" else [head]
        for key in keys:
            if key not in node:
                continue
            if rest:
                if isinstance(node[key], dict):
                    scale(node[key], rest)
            elif isinstance(node[key], bool):
                continue
            elif isinstance(node[key], int):
                node[key] = node[key] * factor
            elif isinstance(node[key], float):
                node[key] = node[key] * factor

    for path in SCALE_KEYS:
        scale(data, path.split("."))
    data["name"] = f"{scenario.name}-x{factor}"
    return scenario_from_dict(data, path=f"<{scenario.name} x{factor}>")


def bench_scaling(reps: int, sweep_n: int, dask_n: int) -> dict[str, Any]:
    base = load_scenario(BASELINE)
    big = scaled_scenario(base, 10)
    out: dict[str, Any] = {"scaled_keys": list(SCALE_KEYS)}
    # in a fresh interpreter, as `qcy run --workers 2` forks its workers: after this process's
    # Mesa flows its heap is ~0.5 GB, which every forked worker would map too (-3 % measured)
    sweeps = child(_SWEEP_CHILD, str(BASELINE), str(reps), str(sweep_n))
    w1, w2 = sweeps["workers_1_s"], sweeps["workers_2_s"]
    out["sweep"] = {"replicates": sweep_n, "workers_1_s": stats(w1), "workers_2_s": stats(w2)}
    out["sweep_speedup_2w"] = statistics.median(w1) / statistics.median(w2)
    out["sweep_speedup_2w_best"] = min(w1) / min(w2)
    log(f"sweep of {sweep_n}: 2 workers {out['sweep_speedup_2w']:.2f} x faster than 1")
    capacity = child(_PARALLEL_CHILD, str(BASELINE), str(reps))["ratios"]
    out["machine_parallel"] = stats(capacity)
    out["machine_parallel_2p"] = statistics.median(capacity)
    out["sweep_efficiency_2w"] = out["sweep_speedup_2w"] / out["machine_parallel_2p"]
    log(
        f"replicates in two processes at once: {out['machine_parallel_2p']:.2f} x the throughput "
        f"of one "
        f"(range {min(capacity):.2f}-{max(capacity):.2f}); the sweep gets "
        f"{out['sweep_efficiency_2w']:.2f} of it"
    )
    t1, t10 = [], []
    for s in range(1, reps + 1):
        t1.append(timed(lambda s=s: QcyModel(base, s).run())[0])
        t10.append(timed(lambda s=s: QcyModel(big, s).run())[0])
    out.update(
        {
            "x1_s": stats(t1),
            "x10_s": stats(t10),
            "scaling_10x": statistics.median(t10) / statistics.median(t1),
        }
    )
    log(f"x10 talents: {out['scaling_10x']:.2f} x the time")

    try:
        out.update(bench_dask(base, reps, dask_n))
    except Exception as err:  # e.g. workers importing a qcy_sim edited since this process did
        out.update({"dask_overhead": None, "dask_note": f"Dask run failed: {err!r}"[:300]})
        log(out["dask_note"])
    return out


def bench_dask(scenario: qcy_sim.Scenario, reps: int, n: int) -> dict[str, Any]:
    """qcy's process pool against qcy's Dask LocalCluster (2 workers each): the same replicates
    through ``run_replicates``, alternately, both warm; what a sweep on either executor costs."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        note = "dask[distributed] is not installed: dask_overhead not measured"
        log(note)
        return {"dask_overhead": None, "dask_note": note}
    from qcy_sim.execution import DaskExecutor, LocalExecutor

    t_start = time.perf_counter()
    with DaskExecutor(2) as dask_ex, LocalExecutor(2) as pool_ex:
        dask_start_s = time.perf_counter() - t_start
        for ex in (dask_ex, pool_ex):  # load the kernels in every worker
            run_replicates(scenario, 4, seed=10_000, executor=ex)
        t_pool, t_dask = [], []
        for r in range(reps):
            for ex, times in ((pool_ex, t_pool), (dask_ex, t_dask)):
                sweep = lambda r=r, ex=ex: run_replicates(scenario, n, r, executor=ex)  # noqa: E731
                times.append(timed(sweep)[0])
    out = {
        "dask": {
            "runs": n,
            "pool_s": stats(t_pool),
            "dask_s": stats(t_dask),
            "cluster_start_s": dask_start_s,
            "run_ms": 1e3 * statistics.median(t_pool) * 2 / n,
        }
    }
    out["dask_overhead"] = statistics.median(t_dask) / statistics.median(t_pool) - 1.0
    out["dask_overhead_best"] = min(t_dask) / min(t_pool) - 1.0
    log(f"Dask LocalCluster against a process pool: overhead {out['dask_overhead']:+.3f}")
    return out


# ----------------------------------------------------------------------------------------------
# 4. Memory bandwidth


@njit(cache=False)
def _triad(a, b, c, s):
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]


@njit(cache=False, parallel=True)
def _triad_parallel(a, b, c, s):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


_TM_READ = (
    "status",
    "kind",
    "uid",
    "level",
    "level_since",
    "ability",
    "titled",
    "employer",
    "wage",
    "expectation",
    "arrived",
    "housed",
    "failed_employer",
    "trained",
)

_10M_CHILD = (
    _PEAK
    + r"""
import json, sys, time
import qcy_sim
sys.path.insert(0, sys.argv[3])
from reference import ArrayFlow, flow_params, initial_state
n = int(sys.argv[2])
fp = flow_params(qcy_sim.load_scenario(sys.argv[1]), n)
t0 = time.perf_counter()
flow = ArrayFlow(fp, 1, initial_state(fp, 1), months=1)
t1 = time.perf_counter()
flow.run(1)
t2 = time.perf_counter()
print(json.dumps({"talents": n, "peak_rss_mb": peak_mb(),
                  "store_mb": flow.talents.nbytes() / 2**20, "init_s": t1 - t0,
                  "month_s": t2 - t1, "bytes_per_talent": flow.talents.bytes_per_agent()}))
"""
)


def bench_bandwidth(n_triad: int, n_talents: int, reps: int, n_fit: int) -> dict[str, Any]:
    a, b, c = np.zeros(n_triad), np.ones(n_triad), np.full(n_triad, 2.0)
    out: dict[str, Any] = {"triad_elements": n_triad, "triad_mb": 3 * 8 * n_triad / 2**20}
    for name, fn in (("bandwidth_gbs", _triad), ("bandwidth_2t_gbs", _triad_parallel)):
        fn(a, b, c, 3.0)
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn(a, b, c, 3.0)
            ts.append(time.perf_counter() - t0)
        out[name] = 24 * n_triad / statistics.median(ts) / 1e9
        out[name.replace("gbs", "best_gbs")] = 24 * n_triad / min(ts) / 1e9
    a = b = c = None
    log(
        f"STREAM triad: {out['bandwidth_gbs']:.1f} GB/s on 1 thread, "
        f"{out['bandwidth_2t_gbs']:.1f} GB/s on 2"
    )

    # the careers kernel over a store much larger than the caches
    scenario = load_scenario(BASELINE)
    fp = flow_params(scenario, n_talents)
    flow = ArrayFlow(fp, 1, initial_state(fp, 1), months=1)
    t = flow.talents
    saved = {p: t.view(p).copy() for p in t.properties}
    staff = flow.staff.copy()
    month = CareerMonth(batch=False, **flow._career_month)  # ArrayFlow keeps the month's fields

    def careers():
        return talents_month(
            t.take(Career),
            flow.firm_alive,
            flow.staff,
            flow._rates,
            month,
            flow._career_keys,
            1,
            flow._founders,
        )

    ts = []
    for _ in range(reps):
        for p in t.properties:
            np.copyto(t.view(p), saved[p])
        np.copyto(flow.staff, staff)
        ts.append(timed(careers)[0])
    touched = sum(t.view(p).itemsize for p in _TM_READ) + t.view("ability").itemsize
    out["talents_month"] = {"talents": t.count, "bytes_per_talent_touched": touched, "s": stats(ts)}
    out["kernel_updates_per_s"] = t.count / statistics.median(ts)
    out["talents_month_gbs"] = touched * t.count / statistics.median(ts) / 1e9
    out["talents_month_share_of_triad"] = out["talents_month_gbs"] / out["bandwidth_gbs"]
    out["talents_month_ns_per_talent"] = 1e9 * statistics.median(ts) / t.count
    log(
        f"talents_month: {out['kernel_updates_per_s']:.3g} talents/s, "
        f"{out['talents_month_gbs']:.2f} GB/s effective"
    )
    flow = saved = None
    gc.collect()

    fit = child(_10M_CHILD, str(BASELINE), str(n_fit), str(Path(__file__).resolve().parent))
    mem_total = machine_memory_mb()
    out["fit"] = fit
    out["rss_10m_talents_mb"] = fit["peak_rss_mb"]
    out["fits_10m_talents"] = bool(fit["peak_rss_mb"] < 0.5 * mem_total)
    log(f"{n_fit:,} talents: peak RSS {fit['peak_rss_mb']:.0f} MiB of {mem_total:.0f} MiB")
    return out


def machine_memory_mb() -> float:
    kb = int(
        next(
            x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
        ).split()[1]
    )
    return kb / 1024


# ----------------------------------------------------------------------------------------------
# Report


def write_json(path: Path, results: dict[str, Any]) -> None:
    """Write atomically: a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(results, indent=2, default=float) + "\n")
    tmp.replace(path)


def table(results: dict[str, Any]) -> str:
    lines = [f"{'metric':<24}{'value':>14}  {'unit':<10}{'goal':<10}status"]
    for key, unit in UNITS.items():
        value = results.get(key)
        goal = GOALS.get(key)
        status = ""
        if value is None:
            shown, status = "-", "not measured"
        elif isinstance(value, bool):
            shown = str(value)
        elif isinstance(value, float) and abs(value) < 10:
            shown = f"{value:.3f}"
        else:
            shown = f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)
        if goal and value is not None:
            op, target = goal
            ok = {">=": value >= target, "<=": value <= target, "==": value == target}[op]
            status = "met" if ok else "NOT met"
        goal_text = f"{goal[0]} {goal[1]}" if goal else ""
        lines.append(f"{key:<24}{shown:>14}  {unit:<10}{goal_text:<10}{status}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description="qcy_sim performance benchmarks")
    ap.add_argument("--quick", action="store_true", help="smaller sizes: a few minutes")
    ap.add_argument("--out", default="results/bench/bench.json", help="JSON file to write")
    ap.add_argument(
        "--only",
        nargs="*",
        choices=["mesa", "replicate", "scaling", "bandwidth", "profile", "frames", "threads"],
        help="run only these sections",
    )
    ap.add_argument(
        "--against",
        metavar="REV",
        default=None,
        help="also time baseline replicates at git revision REV against the working tree, "
        "alternately (replicate_ms_against, ratio after/before)",
    )
    args = ap.parse_args()
    quick = args.quick
    every = ["mesa", "replicate", "scaling", "bandwidth", "profile", "frames", "threads"]
    sections = set(args.only if args.only is not None else every)
    results: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "goals": {key: f"{op} {v}" for key, (op, v) in GOALS.items()},
        "notes": [],
    }
    t0 = time.perf_counter()
    details: dict[str, Any] = {}
    loads: dict[str, Any] = {}
    results["load_average"] = loads
    contention: dict[str, Any] = {}
    results["contention"] = contention

    def run_mesa() -> None:
        sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
        details["mesa"] = bench_mesa(sizes, months=6 if quick else 12, reps=5)
        results["mesa_ratio"] = details["mesa"]["mesa_ratio"]
        results["mesa_ratio_at_talents"] = details["mesa"]["mesa_ratio_at"]
        results["mesa_ratio_cpu_time"] = details["mesa"]["mesa_ratio_cpu_time"]

    def run_replicate() -> None:
        details["replicate"] = bench_replicate(reps=7 if quick else 15, jit_reps=1 if quick else 5)
        for key in (
            "replicate_ms",
            "replicate_cpu_ms",
            "bytes_per_talent",
            "jit_cold_s",
            "jit_cached_s",
            "peak_rss_mb",
        ):
            results[key] = details["replicate"][key]
        if quick:
            results["notes"].append("quick mode: JIT times from 1 cold and 1 cached process")

    def run_scaling() -> None:
        details["scaling"] = bench_scaling(
            reps=5, sweep_n=12 if quick else 40, dask_n=12 if quick else 40
        )
        for key in (
            "scaling_10x",
            "sweep_speedup_2w",
            "machine_parallel_2p",
            "sweep_efficiency_2w",
            "dask_overhead",
        ):
            results[key] = details["scaling"][key]
        for key in ("note", "dask_note"):
            if details["scaling"].get(key):
                results["notes"].append(details["scaling"][key])

    def run_bandwidth() -> None:
        details["bandwidth"] = bench_bandwidth(
            n_triad=2**25,
            n_talents=2_000_000 if quick else 10_000_000,
            reps=7,
            n_fit=10_000_000,
        )
        for key in (
            "bandwidth_gbs",
            "bandwidth_2t_gbs",
            "kernel_updates_per_s",
            "talents_month_gbs",
            "fits_10m_talents",
            "rss_10m_talents_mb",
        ):
            results[key] = details["bandwidth"][key]

    def run_profile() -> None:
        details["profile"] = profile(load_scenario(BASELINE), list(range(1, 6)))

    def run_frames_section() -> None:
        sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
        details["frames"] = bench_frames(sizes, months=6 if quick else 12, reps=5)
        results["frames_ratio"] = details["frames"]["frames_ratio"]
        results["notes"].append(details["frames"]["frames_note"])

    def run_threads() -> None:
        details["threads"] = bench_threads(reps=21, large=2_000_000 if quick else 10_000_000)
        for key in ("threads_speedup_seed_scale", "threads_speedup_large"):
            results[key] = details["threads"][key]

    def run_against() -> None:
        details["against"] = bench_against(args.against, reps=9 if quick else 21)
        results["replicate_ms_against"] = details["against"]["before_ms"]
        results["replicate_ms_working_tree"] = details["against"]["after_ms"]
        results["replicate_ratio_against"] = details["against"]["after_over_before"]

    if args.against:
        sections.add("against")
    runners = {
        "against": run_against,
        "mesa": run_mesa,
        "replicate": run_replicate,
        "scaling": run_scaling,
        "bandwidth": run_bandwidth,
        "profile": run_profile,
        "frames": run_frames_section,
        "threads": run_threads,
    }
    out = Path(args.out)
    for name, runner in runners.items():
        if name not in sections:
            continue
        loads[name] = os.getloadavg()
        with Contention() as c:
            try:
                runner()
            except Exception as err:  # report the section as failed, keep the others
                results.setdefault("errors", {})[name] = repr(err)
                results["notes"].append(f"{name}: failed: {err!r}"[:300])
                log(f"section {name} failed: {err!r}")
        contention[name] = c.result
        if c.result["others_cores"] > 0.25:
            results["notes"].append(
                f"{name}: other processes kept {c.result['others_cores']:.2f} cores busy"
            )
        results["details"] = details
        write_json(out, results)  # after every section: a late failure loses nothing
    results["details"] = details
    results["machine"]["load_average_end"] = os.getloadavg()
    results["wall_s"] = time.perf_counter() - t0
    results["peak_rss_benchmark_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    write_json(out, results)

    m = results["machine"]
    print(
        f"\nqcy_sim benchmarks ({results['mode']}), {m.get('cpu')}, "
        f"{m.get('usable_cores')} cores, {m.get('memory_gb')} GB, Python {m['python']}, "
        f"numpy {m['versions']['numpy']}, numba {m['versions']['numba']}, "
        f"mesa {m['versions']['mesa']}\n"
    )
    print(table(results))
    if "mesa" in details:
        print(
            f"\n{'talents':>10}{'arrays /s':>14}{'Mesa /s':>12}{'ratio':>8}   (talent-months per s)"
        )
        for row in details["mesa"]["sizes"]:
            print(
                f"{row['talents']:>10,}{row['arrays_talent_months_per_s']:>14.3g}"
                f"{row['mesa_talent_months_per_s']:>12.3g}{row['ratio']:>8.0f}"
            )
    for row in details.get("frames", {}).get("sizes", []):
        print(
            f"mesa-frames at {row['talents']:,} talents: {row['frames_talent_months_per_s']:.3g}"
            f" talent-months/s, arrays {row['ratio']:.1f} x faster"
        )
    if "profile" in details:
        print("\n" + format_profile(details["profile"], top=12))
    for note in results["notes"]:
        print(f"note: {note}")
    print(f"\nwrote {out} in {results['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
