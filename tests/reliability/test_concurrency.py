"""One writer per folder: a second run or resume on a locked folder is refused."""

from ..procs import finish, qcy, wait_paused
from .conftest import EXPERIMENT, RUN, TINY, assert_same


def test_two_runs_into_one_folder(run_reference, tmp_path):
    out, flag = tmp_path / "r", tmp_path / "paused"
    args = ("run", TINY, *RUN, "--workers", "1", "--out", out)
    first = qcy(*args, pause_after=3, flag=flag)
    wait_paused(first, flag)
    code, _, err = finish(qcy(*args))
    assert code == 2 and "locked by another running qcy command" in err, err
    flag.unlink()  # let the first one finish
    code, _, err = finish(first)
    assert code == 0, err
    assert_same(run_reference, out, ("runs.parquet", "timeseries.parquet"))


def test_a_sweep_and_a_resume_of_it(sweep_reference, tmp_path):
    out, flag = tmp_path / "s", tmp_path / "paused"
    sweep = ("sweep", EXPERIMENT, "--executor", "serial", "--quiet", "--out", out)
    first = qcy(*sweep, pause_after=3, flag=flag)
    wait_paused(first, flag)
    code, _, err = finish(qcy(*sweep, "--resume"))
    assert code == 2 and "locked" in err, err
    flag.unlink()
    code, _, err = finish(first)
    assert code == 0, err
    assert_same(sweep_reference, out)
