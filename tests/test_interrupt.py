"""qcy run killed with SIGKILL and started again: nothing corrupted, nothing lost."""

import json
import signal

import pandas as pd

from .conftest import DATA
from .procs import finish, qcy, wait_paused

RUN = (
    "run",
    DATA / "tiny.toml",
    "--replicates",
    "40",
    "--seed",
    "9",
    "--workers",
    "1",
    "--quiet",
    "--no-figures",
)


def test_kill_and_rerun_gives_identical_results(tmp_path):
    reference = tmp_path / "reference"
    assert finish(qcy(*RUN, "--out", reference))[0] == 0

    out = tmp_path / "killed"
    flag = tmp_path / "paused"
    proc = qcy(*RUN, "--out", out, pause_after=5, flag=flag)
    assert wait_paused(proc, flag) == 5  # five replicates saved, 35 to go: kill -9 now
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    checkpoint = out / ".qcy-checkpoint-seed9"
    saved = len(list(checkpoint.rglob("*.npz")))
    assert saved == 5, saved
    assert not (out / "manifest.json").exists()  # nothing that looks like a finished result

    assert finish(qcy(*RUN, "--out", out))[0] == 0
    assert not checkpoint.exists()
    for name in ("timeseries.parquet", "runs.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(reference / name), pd.read_parquet(out / name)
        )
    a = json.loads((reference / "summary.json").read_text())
    b = json.loads((out / "summary.json").read_text())
    assert a == b
