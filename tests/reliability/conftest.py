"""Shared pieces of the fault tests: reference results, bit flips, and leak checks.

Every test here runs qcy as a user would (subprocesses, signals, real files) and checks, after
it ends, that no process it started is left and no temporary file remains.
"""

import os
import time
from pathlib import Path

import pandas as pd
import pytest

from ..conftest import DATA
from ..procs import HANG, finish, qcy

TINY = DATA / "tiny.toml"
EXPERIMENT = DATA / "sweep_tiny.toml"
RUN = ("--replicates", "12", "--seed", "9", "--quiet", "--no-figures")


def flip_bit(path: Path, offset: int | None = None, bit: int = 3) -> None:
    """Flip one bit of a file (at ``offset``, default the middle)."""
    data = bytearray(path.read_bytes())
    offset = len(data) // 2 if offset is None or offset >= len(data) else offset
    data[offset] ^= 1 << bit
    path.write_bytes(bytes(data))


def tables(folder: Path, names=("runs.parquet", "timeseries", "points.parquet")) -> dict:
    return {n: pd.read_parquet(folder / n) for n in names if (folder / n).exists()}


def assert_same(a: Path, b: Path, names=("runs.parquet", "timeseries", "points.parquet")):
    ta, tb = tables(a, names), tables(b, names)
    assert ta.keys() == tb.keys() and ta
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_exact=True, obj=name)


def leftovers(root: Path) -> list[Path]:
    """qcy's temporary files or folders under ``root`` (there must be none after a command)."""
    return [p for p in root.rglob("*") if p.name.startswith(".qcy-tmp-")]


def processes_mentioning(text: str) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if text.encode() in cmd:
            out.append(int(entry.name))
    return out


@pytest.fixture(autouse=True)
def no_leaks(tmp_path):
    """After each test: no process started with this test's folder, no temporary file left."""
    yield
    deadline = time.monotonic() + HANG
    while processes_mentioning(str(tmp_path)):  # a stopped worker may take a moment to go
        assert time.monotonic() < deadline, processes_mentioning(str(tmp_path))
        time.sleep(0.05)
    assert not leftovers(tmp_path), leftovers(tmp_path)


@pytest.fixture(scope="session")
def run_reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "run"
    code, _, err = finish(qcy("run", TINY, *RUN, "--workers", "1", "--out", out))
    assert code == 0, err
    return out


@pytest.fixture(scope="session")
def sweep_reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "sweep"
    code, _, err = finish(qcy("sweep", EXPERIMENT, "--executor", "serial", "--out", out, "--quiet"))
    assert code == 0, err
    return out
