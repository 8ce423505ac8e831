"""SIGTERM is handled like Ctrl-C: one line, workers stopped, resumable, no orphans."""

import json
import signal
from pathlib import Path

from ..procs import finish, qcy, wait_paused
from .conftest import EXPERIMENT, RUN, TINY, assert_same


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def test_sigterm_stops_a_run_which_resumes(run_reference, tmp_path):
    out, flag = tmp_path / "r", tmp_path / "paused"
    args = ("run", TINY, *RUN, "--workers", "2", "--executor", "local", "--out", out)
    proc = qcy(*args, pause_after=2, flag=flag)
    wait_paused(proc, flag)
    workers = _children(proc.pid)
    assert workers  # a process pool is running
    proc.send_signal(signal.SIGTERM)
    code, _, err = finish(proc)
    assert code == 143, err
    assert err.strip().count("\n") == 0 and "SIGTERM" in err and "Traceback" not in err
    assert not (out / "manifest.json").exists()
    assert (out / ".qcy-checkpoint-seed9").is_dir()
    code, _, err = finish(qcy(*args))
    assert code == 0, err
    assert_same(run_reference, out, ("runs.parquet", "timeseries.parquet"))


def test_sigterm_stops_a_sweep_which_resumes(sweep_reference, tmp_path):
    out, flag = tmp_path / "s", tmp_path / "paused"
    proc = qcy(
        "sweep",
        EXPERIMENT,
        "--executor",
        "local",
        "--workers",
        "2",
        "--quiet",
        "--out",
        out,
        pause_after=1,
        flag=flag,
    )
    wait_paused(proc, flag)
    workers = _children(proc.pid)
    assert workers
    proc.send_signal(signal.SIGTERM)
    code, _, err = finish(proc)
    assert code == 143, err
    assert err.strip().count("\n") == 0 and "--resume" in err and "SIGTERM" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    code, _, err = finish(
        qcy("sweep", EXPERIMENT, "--executor", "serial", "--quiet", "--out", out, "--resume")
    )
    assert code == 0, err
    assert_same(sweep_reference, out)
