"""Where the time of a replicate goes: per phase of the model's schedule and per kernel.

Every phase of :data:`qcy_sim.model.SCHEDULE` (a method of one mechanism) and the recording of
the month (``QcyModel._record``: censuses and KPIs) is wrapped in a timer,
and every numba dispatcher that the mechanisms call from Python (the kernels of
``qcy_sim.mechanisms.*`` and the draws they import from ``qcy_sim.core.rng``) is wrapped in a
timer that charges its time to the phase running at the time. The wrappers cost well under a
microsecond a call; the model's own files are not touched.

Usage: ``python benchmarks/profile_step.py [SCENARIO] [--replicates N]``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import qcy_sim
import qcy_sim.mechanisms
from qcy_sim import QcyModel
from qcy_sim.model import COMPONENTS, SCHEDULE

INIT = "__init__"


def _dispatchers(namespace: dict[str, Any]) -> dict[str, Any]:
    return {
        n: obj for n, obj in namespace.items() if hasattr(obj, "py_func") and not n.startswith("__")
    }


def _modules() -> list:
    names = [m.name for m in pkgutil.iter_modules(qcy_sim.mechanisms.__path__)]
    mods = [importlib.import_module(f"qcy_sim.mechanisms.{n}") for n in names]
    return [*mods, importlib.import_module("qcy_sim.policy.governance")]


def profile(scenario: qcy_sim.Scenario, seeds: list[int]) -> dict[str, Any]:
    """Run one warm-up and ``len(seeds)`` profiled replicates; return times per replicate (ms)."""
    QcyModel(scenario, seed=seeds[0]).run()  # compile or load every kernel before patching
    method_s: dict[str, float] = defaultdict(float)
    kernel_s: dict[str, float] = defaultdict(float)
    kernel_calls: dict[str, int] = defaultdict(int)
    kernel_in: dict[tuple[str, str], float] = defaultdict(float)
    current = [INIT]

    def time_method(name: str, func):
        def wrapper(self, *args, **kwargs):
            outer = current[0]
            current[0] = name
            t0 = time.perf_counter()
            try:
                return func(self, *args, **kwargs)
            finally:
                method_s[name] += time.perf_counter() - t0
                current[0] = outer

        return wrapper

    def time_kernel(name: str, func):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t0
                kernel_s[name] += dt
                kernel_calls[name] += 1
                kernel_in[(current[0], name)] += dt

        return wrapper

    phases = [(COMPONENTS[comp], phase) for comp, phase, _ in SCHEDULE]
    phases.append((QcyModel, "_record"))  # the month's census and KPIs
    originals = {(cls, ph): getattr(cls, ph) for cls, ph in phases}
    for (cls, ph), func in originals.items():
        setattr(cls, ph, time_method(f"{cls.__name__}.{ph}", func))
    patches = [(m, n, f) for m in _modules() for n, f in _dispatchers(vars(m)).items()]
    for module, name, func in patches:
        setattr(module, name, time_kernel(name, func))
    profiled = QcyModel
    total = init = 0.0
    try:
        for seed in seeds:
            t0 = time.perf_counter()
            m = profiled(scenario, seed=seed)
            t1 = time.perf_counter()
            m.run()
            t2 = time.perf_counter()
            init += t1 - t0
            total += t2 - t0
    finally:
        for module, name, func in patches:
            setattr(module, name, func)
        for (cls, ph), func in originals.items():
            setattr(cls, ph, func)
    n = len(seeds)
    method_s[INIT] = init
    methods = []
    for name, seconds in method_s.items():
        in_kernels = sum(v for (meth, _), v in kernel_in.items() if meth == name)
        top = sorted(
            ((v, kern) for (meth, kern), v in kernel_in.items() if meth == name), reverse=True
        )[:3]
        methods.append(
            {
                "method": name,
                "ms": 1e3 * seconds / n,
                "kernel_ms": 1e3 * in_kernels / n,
                "python_ms": 1e3 * (seconds - in_kernels) / n,
                "share": seconds / total,
                "top_kernels": [kern for _, kern in top],
            }
        )
    kernels = [
        {
            "kernel": name,
            "ms": 1e3 * s / n,
            "calls": kernel_calls[name] / n,
            "us_per_call": 1e6 * s / kernel_calls[name],
            "share": s / total,
        }
        for name, s in kernel_s.items()
    ]
    return {
        "replicates": n,
        "total_ms": 1e3 * total / n,
        "kernel_ms": 1e3 * sum(kernel_s.values()) / n,
        "methods": sorted(methods, key=lambda r: -r["ms"]),
        "kernels": sorted(kernels, key=lambda r: -r["ms"]),
    }


def format_profile(prof: dict[str, Any], top: int = 40) -> str:
    """The two rankings as text tables."""
    lines = [
        f"profile of {prof['replicates']} replicates: {prof['total_ms']:.1f} ms per replicate "
        f"(profiled), of which {prof['kernel_ms']:.1f} ms inside numba kernels",
        "",
        f"{'phase':<30}{'ms':>8}{'share':>8}{'kernel ms':>11}{'python ms':>11}  main kernels",
    ]
    for r in prof["methods"][:top]:
        lines.append(
            f"{r['method']:<30}{r['ms']:8.2f}{100 * r['share']:7.1f}%{r['kernel_ms']:11.2f}"
            f"{r['python_ms']:11.2f}  {', '.join(r['top_kernels'])}"
        )
    lines += ["", f"{'kernel':<24}{'ms':>8}{'share':>8}{'calls':>9}{'us/call':>10}"]
    for r in prof["kernels"][:top]:
        lines.append(
            f"{r['kernel']:<24}{r['ms']:8.2f}{100 * r['share']:7.1f}%{r['calls']:9.0f}"
            f"{r['us_per_call']:10.1f}"
        )
    return "\n".join(lines)


def main() -> None:
    root = Path(qcy_sim.__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(root / "scenarios" / "baseline.toml"))
    ap.add_argument("--replicates", type=int, default=5)
    args = ap.parse_args()
    prof = profile(qcy_sim.load_scenario(args.scenario), list(range(1, args.replicates + 1)))
    print(format_profile(prof))


if __name__ == "__main__":
    main()
