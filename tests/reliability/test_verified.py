"""A flipped bit in any file qcy wrote is caught: chunks and checkpoints are run again,
finished tables are refused; a different build never mixes into an old run."""

import signal

import numpy as np
import pytest

from qcy_sim import load_scenario
from qcy_sim.outputs import INDEX
from qcy_sim.runner import replicate_seeds, run_replicates

from ..procs import finish, qcy, wait_paused
from .conftest import EXPERIMENT, RUN, TINY, assert_same, flip_bit

SWEEP = ("sweep", EXPERIMENT, "--executor", "serial", "--quiet")


def _resume(out):
    return finish(qcy(*SWEEP, "--out", out, "--resume"))


@pytest.mark.parametrize(
    "target",
    ["chunks/runs-000003.parquet", "timeseries/part-000003.parquet", INDEX],
)
def test_a_flipped_bit_in_a_sweep_file_is_run_again(sweep_reference, tmp_path, target):
    out = tmp_path / "s"
    assert finish(qcy(*SWEEP, "--out", out))[0] == 0
    (out / "runs.parquet").unlink()  # as if the sweep had stopped before the end
    flip_bit(out / target, 3260)
    code, stdout, err = _resume(out)
    assert code == 0, err
    assert "nothing left to run" not in stdout  # the damaged chunk was run again
    assert "run again" in err
    assert_same(sweep_reference, out)


def test_a_flipped_bit_in_a_finished_table_is_refused(tmp_path):
    out = tmp_path / "s"
    assert finish(qcy(*SWEEP, "--out", out))[0] == 0
    flip_bit(out / "runs.parquet", 3260)
    code, _, err = finish(qcy("discover", out, "--target", "all", "--out", tmp_path / "d"))
    assert code == 2 and "runs.parquet" in err and "sha256" in err, err
    assert not (tmp_path / "d").exists()
    code, _, err = finish(qcy("report", out, "--out", tmp_path / "r.html"))
    assert code == 2 and "sha256" in err, err


@pytest.mark.parametrize("target", ["runs.parquet", "summary.json", "manifest.json"])
def test_a_flipped_bit_in_a_run_folder_is_refused_by_report(run_reference, tmp_path, target):
    out = tmp_path / "r"
    assert finish(qcy("run", TINY, *RUN, "--workers", "1", "--out", out))[0] == 0
    flip_bit(out / target)
    code, _, err = finish(qcy("report", out, "--out", tmp_path / "r.html"))
    assert code == 2 and target in err, err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty"])
def test_a_damaged_checkpoint_is_reported_and_run_again(run_reference, tmp_path, damage):
    out, flag = tmp_path / "r", tmp_path / "paused"
    args = ("run", TINY, *RUN, "--workers", "1", "--out", out)
    proc = qcy(*args, pause_after=4, flag=flag)
    assert wait_paused(proc, flag) == 4
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    files = sorted((out / ".qcy-checkpoint-seed9").rglob("*.npz"))
    assert len(files) == 4
    path = files[1]
    if damage == "flip":
        flip_bit(path)
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    else:
        path.write_bytes(b"")
    code, _, err = finish(qcy(*args))
    assert code == 0, err
    assert "Traceback" not in err and str(path.name) in err and "again" in err
    assert_same(run_reference, out, ("runs.parquet", "timeseries.parquet"))


def test_checkpoints_of_another_build_are_never_used(tiny, tmp_path, monkeypatch):
    import qcy_sim.runner as runner

    seeds = replicate_seeds(9, 4)
    reference = run_replicates(tiny, 4, 9)
    # an "older build" leaves checkpoints whose numbers differ (here: zeros)
    monkeypatch.setattr(runner, "code_key", lambda: "0.0.1-oldbuild")

    real = runner.run

    def old_run(params, seed):
        return {k: np.zeros_like(v) for k, v in real(params, seed).items()}

    monkeypatch.setattr(runner, "run", old_run)
    run_replicates(tiny, 2, 9, checkpoint=tmp_path / "cp")
    monkeypatch.undo()
    assert len(list((tmp_path / "cp").rglob("*.npz"))) == 2
    rep = run_replicates(tiny, 4, 9, checkpoint=tmp_path / "cp")
    assert rep.seeds == seeds
    assert (rep.kpi == reference.kpi).all() and (rep.spending == reference.spending).all()


def test_load_scenario_fixture_matches(tiny):
    assert tiny == load_scenario(TINY)
