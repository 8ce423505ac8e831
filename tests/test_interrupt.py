"""qcy run killed with SIGKILL and started again: nothing corrupted, nothing lost."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd

from .conftest import DATA


def _run(out, replicates=40, **kw):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qcy_sim.cli",
            "run",
            str(DATA / "tiny.toml"),
            "--replicates",
            str(replicates),
            "--seed",
            "9",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
            "--no-figures",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,
    )


def test_kill_and_rerun_gives_identical_results(tmp_path):
    reference = tmp_path / "reference"
    assert _run(reference).wait(timeout=300) == 0

    out = tmp_path / "killed"
    proc = _run(out)
    checkpoint = tmp_path / ".killed.replicates-seed9"
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until some replicates are saved, then kill -9
        if checkpoint.exists() and len(list(checkpoint.rglob("*.npz"))) >= 5:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = len(list(checkpoint.rglob("*.npz")))
    assert 0 < saved < 40, saved
    assert not out.exists()  # nothing that looks like a finished result

    assert _run(out).wait(timeout=300) == 0
    assert not checkpoint.exists()
    for name in ("timeseries.parquet", "runs.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(reference / name), pd.read_parquet(out / name)
        )
    a = json.loads((reference / "summary.json").read_text())
    b = json.loads((out / "summary.json").read_text())
    assert a == b
