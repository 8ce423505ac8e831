"""Instructions of a replicate, by kernel and by layer, counted by callgrind: a noise-free profile.

Wall time on a shared two-core machine moves by a fifth from one minute to the next; the number
of instructions a replicate executes does not (callgrind counts them, whatever else the machine
runs). This script runs baseline replicates under ``valgrind --tool=callgrind`` with counting
switched on only around the replicates (a warm-up replicate, imports and the numba cache load
are not counted) and splits the count into

* each numba kernel of the model, by the address of its compiled entry point (helpers that
  numba compiled apart, such as the normal quantile, are charged to the kernels that call them,
  in proportion to the instructions of each call edge);
* the maths library (``exp``, ``log``, ``pow``, which the kernels call through numba's helpers:
  glibc tail-calls its cores, so callgrind cannot charge them to a caller), the Python
  interpreter, numpy, the C library (``memset``, ``memcpy``, ``malloc``) and the rest.

Instructions are not time: a kernel's loop over arrays retires several instructions a cycle,
the interpreter's pointer chasing fewer. Use the counts to compare two versions of the code
(``--against REV``: the same replicates at a git revision, counted the same way) and to see
where the work is; use ``benchmarks/run.py`` for time.

Needs valgrind, gcc and valgrind's ``callgrind.h`` (Debian: ``valgrind``, ``gcc``). Usage::

    python benchmarks/instructions.py [SCENARIO] [--replicates N] [--against REV] [--out FILE]

A baseline replicate takes about a minute under callgrind, plus a minute of start-up.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"

_TOGGLE_C = r"""
#include <valgrind/callgrind.h>
void count_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void count_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS; }
"""

# Run in the child under valgrind: warm up, write every kernel's entry address, count replicates.
_CHILD = r"""
import ctypes, importlib, json, pkgutil, sys
import qcy_sim, qcy_sim.mechanisms
from qcy_sim import QcyModel, load_scenario
toggle = ctypes.CDLL(sys.argv[1])
scenario, replicates = load_scenario(sys.argv[2]), int(sys.argv[3])
QcyModel(scenario, seed=0).run()
names = [f"qcy_sim.mechanisms.{m.name}" for m in pkgutil.iter_modules(qcy_sim.mechanisms.__path__)]
names += ["qcy_sim.core.rng", "qcy_sim.policy.governance"]
entries = {}
for name in names:
    module = importlib.import_module(name)
    for attr, obj in vars(module).items():
        for cres in getattr(obj, "overloads", {}).values():
            address = cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name)
            if address and getattr(obj, "__module__", name) == name:
                entries[address] = attr
json.dump({str(a): n for a, n in entries.items()}, open(sys.argv[4], "w"))
toggle.count_start()
for seed in range(1, replicates + 1):
    QcyModel(scenario, seed=seed).run()
toggle.count_stop()
"""

_MATHS = "maths library (exp, log, pow; called by the kernels)"
_LINE = re.compile(r"\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?([<>*]?)\s*(.*)")
_JIT = re.compile(r"\?\?\?:0x([0-9a-fA-F]+)")


def _layer(name: str) -> str:
    if "libpython" in name or "/Python/" in name or "/Objects/" in name:
        return "python interpreter"
    if "_multiarray_umath" in name or "numpy" in name:
        return "numpy"
    if "ieee754" in name or "libm." in name or "mathnames" in name:
        return _MATHS
    if "libc." in name or "/string/" in name or "malloc" in name:
        return "C library (memset, memcpy, malloc)"
    if "numba" in name:
        return "numba's dispatch"
    return "other"


def _parse(annotated: str) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Self instructions of every function, and its callers' call-edge instructions."""
    own: dict[str, int] = {}
    callers: dict[str, dict[str, int]] = {}
    pending: dict[str, int] = {}
    for line in annotated.splitlines():
        m = _LINE.match(line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        ir, mark, rest = int(m.group(1).replace(",", "")), m.group(2), m.group(3)
        name = re.sub(r"\s+\(\d[\d,]*x\)", "", rest).strip()
        if mark == "<":
            pending[name] = pending.get(name, 0) + ir
        elif mark == "*":
            own[name] = own.get(name, 0) + ir
            callers[name] = pending
            pending = {}
        elif mark == "":
            pending = {}
    return own, callers


def count(scenario: Path, replicates: int, tree: Path, python: str) -> dict[str, Any]:
    """Instructions per replicate of ``scenario`` with the package of ``tree``."""
    for tool in ("valgrind", "callgrind_annotate", "gcc"):
        if shutil.which(tool) is None:
            raise SystemExit(
                f"benchmarks/instructions.py needs {tool} (Debian: apt install valgrind gcc)"
            )
    with tempfile.TemporaryDirectory(prefix="qcy-instructions-") as tmp:
        work = Path(tmp)
        (work / "toggle.c").write_text(_TOGGLE_C)
        subprocess.run(
            [
                "gcc",
                "-O2",
                "-shared",
                "-fPIC",
                "-o",
                str(work / "toggle.so"),
                str(work / "toggle.c"),
            ],
            check=True,
        )
        env = {**os.environ, "PYTHONPATH": str(tree)}
        args = [str(work / "toggle.so"), str(scenario), str(replicates), str(work / "entries.json")]
        # fill the numba cache of the tree outside valgrind (compiling under it takes an hour)
        subprocess.run(
            [python, "-c", _CHILD, *args[:2], "0", args[3]], env=env, cwd=tree, check=True
        )
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={work}/out.%p", python, "-c", _CHILD, *args],
            env=env, cwd=tree, check=True, capture_output=True,
        )  # fmt: skip
        dumps = [p for p in work.glob("out.*") if p.stat().st_size > 0]
        dump = max(dumps, key=lambda p: p.stat().st_size)
        annotated = subprocess.run(
            ["callgrind_annotate", "--tree=caller", "--threshold=100", str(dump)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        entries = {int(a): n for a, n in json.loads((work / "entries.json").read_text()).items()}
    own, callers = _parse(annotated)
    total = sum(own.values())
    kernels: dict[str, float] = defaultdict(float)
    layers: dict[str, float] = defaultdict(float)
    starts = sorted(entries)

    def kernel_of(name: str, depth: int = 0) -> dict[str, float]:
        """Shares of kernels that a compiled function's instructions belong to."""
        m = _JIT.match(name)
        address = int(m.group(1), 16) if m else None
        if address in entries:
            return {entries[address]: 1.0}
        edges = {c: ir for c, ir in callers.get(name, {}).items() if _JIT.match(c)}  # helpers
        if depth > 4 or not edges:
            i = bisect.bisect_right(starts, address or 0) - 1
            return {f"compiled code near {entries[starts[i]]}" if i >= 0 else "compiled code": 1.0}
        shares: dict[str, float] = defaultdict(float)
        weight = sum(edges.values())
        for caller, ir in edges.items():
            for kernel, share in kernel_of(caller, depth + 1).items():
                shares[kernel] += share * ir / weight
        return shares

    for name, ir in own.items():
        if _JIT.match(name):
            layers["numba kernels"] += ir
            for kernel, share in kernel_of(name).items():
                kernels[kernel] += ir * share
        else:
            layers[_layer(name)] += ir
    per = float(replicates)
    return {
        "scenario": str(scenario.relative_to(ROOT) if scenario.is_relative_to(ROOT) else scenario),
        "replicates": replicates,
        "instructions_per_replicate": total / per,
        "layers": {k: v / per for k, v in sorted(layers.items(), key=lambda kv: -kv[1])},
        "kernels": {k: v / per for k, v in sorted(kernels.items(), key=lambda kv: -kv[1])},
    }


def _revision_tree(rev: str, into: Path) -> str:
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "qcy_sim"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return commit


def report(result: dict[str, Any], against: dict[str, Any] | None = None) -> str:
    total = result["instructions_per_replicate"]
    lines = [f"{result['scenario']}: {total / 1e6:,.0f} M instructions per replicate"]
    if against:
        before = against["instructions_per_replicate"]
        lines[0] += f" ({against['rev']}: {before / 1e6:,.0f} M; ratio {total / before:.3f})"
    lines.append("\nlayer                                   M instr   share")
    for name, ir in result["layers"].items():
        lines.append(f"{name:38s} {ir / 1e6:9.1f} {100 * ir / total:6.1f} %")
    lines.append("\nkernel                                  M instr   share")
    for name, ir in result["kernels"].items():
        if ir >= 1e-3 * total:
            lines.append(f"{name:38s} {ir / 1e6:9.1f} {100 * ir / total:6.1f} %")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", nargs="?", default=str(BASELINE))
    parser.add_argument("--replicates", type=int, default=1)
    parser.add_argument("--against", metavar="REV", help="also count the package at git REV")
    parser.add_argument("--out", help="write the counts as JSON here")
    args = parser.parse_args()
    scenario = Path(args.scenario).resolve()
    result = count(scenario, args.replicates, ROOT, sys.executable)
    result["commit"] = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    before = None
    if args.against:
        with tempfile.TemporaryDirectory(prefix="qcy-against-") as tmp:
            rev = _revision_tree(args.against, Path(tmp))
            before = count(scenario, args.replicates, Path(tmp), sys.executable)
            before["rev"] = rev
        result["against"] = before
    print(report(result, before))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
