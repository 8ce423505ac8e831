"""qcy run and qcy compare give the same tables, bit for bit, on every executor."""

import json
import time

import pandas as pd
import pytest

from qcy_sim.cli import main
from qcy_sim.execution import (
    DaskExecutor,
    LocalExecutor,
    SerialExecutor,
    execute_run,
    executor_for,
    make_executor,
)
from qcy_sim.runner import replicate_seeds, run

from .conftest import DATA

TINY = DATA / "tiny.toml"
MORE = DATA / "tiny_more_awards.toml"
EXECUTORS = (["--executor", "local", "--workers", "2"], ["--executor", "dask", "--workers", "2"])


def _run(out, *flags):
    args = ["run", str(TINY), "--replicates", "4", "--seed", "5", "--out", str(out)]
    assert main([*args, "--quiet", "--no-figures", *flags]) == 0
    return out


def _compare(out, *flags):
    args = ["compare", str(TINY), str(MORE), "--replicates", "3", "--seed", "2"]
    assert main([*args, "--out", str(out), "--quiet", "--no-figures", *flags]) == 0
    return out


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    base = tmp_path_factory.mktemp("serial")
    return (
        _run(base / "run", "--executor", "serial"),
        _compare(base / "compare", "--executor", "serial"),
    )


@pytest.mark.parametrize("flags", EXECUTORS, ids=["local", "dask"])
def test_run_is_identical_on_every_executor(serial, tmp_path, flags):
    out = _run(tmp_path / "run", *flags)
    for name in ("timeseries.parquet", "runs.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(serial[0] / name), pd.read_parquet(out / name), check_exact=True
        )
    summary = json.loads((out / "summary.json").read_text())
    assert summary == json.loads((serial[0] / "summary.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["executor"]["kind"] == flags[1] and manifest["executor"]["workers"] == 2


@pytest.mark.parametrize("flags", EXECUTORS, ids=["local", "dask"])
def test_compare_is_identical_on_every_executor(serial, tmp_path, flags):
    out = _compare(tmp_path / "compare", *flags)
    pd.testing.assert_frame_equal(
        pd.read_parquet(serial[1] / "runs.parquet"),
        pd.read_parquet(out / "runs.parquet"),
        check_exact=True,
    )
    a = json.loads((serial[1] / "compare.json").read_text())
    b = json.loads((out / "compare.json").read_text())
    assert a == b
    assert json.loads((out / "manifest.json").read_text())["executor"]["kind"] == flags[1]


def test_a_task_is_params_and_seed_to_plain_arrays(tiny):
    seed = replicate_seeds(1, 1)[0]
    params = tiny.to_dict()
    out = execute_run(("k", params, seed, run))
    assert out["status"] == "ok" and out["run_id"] == "k"
    direct = run(params, seed)
    for name in ("kpi", "series", "spending"):
        assert (out[name] == direct[name]).all()
    # a modified params dict is a different task: what a parameter draw per replicate needs
    changed = {**params, "talent": {**params["talent"], "beta_wage": 3.0}}
    assert not (execute_run(("k", changed, seed, run))["kpi"] == direct["kpi"]).all()


def test_executors_are_reentrant():
    ex = LocalExecutor(1)
    with ex:
        pool = ex._pool
        with ex:
            assert ex._pool is pool
        assert ex._pool is pool  # the inner block does not stop the workers
    assert ex._pool is None


def test_executor_choice():
    assert isinstance(executor_for(1), SerialExecutor)
    assert isinstance(executor_for(2), LocalExecutor)
    assert isinstance(make_executor("dask", 2), DaskExecutor)
    with pytest.raises(ValueError):
        make_executor("threads")


def test_scheduler_needs_dask_executor_for_run(capsys):
    code = main(["run", str(TINY), "--executor", "serial", "--scheduler", "tcp://127.0.0.1:1"])
    assert code == 2 and "--scheduler" in capsys.readouterr().err


def test_dask_workers_keep_the_allocator_s_own_thresholds(monkeypatch):
    """Dask's nanny would set MALLOC_TRIM_THRESHOLD_, under which a replicate runs slower."""
    import os

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with DaskExecutor(1) as ex:
        found = ex._client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        threads = ex._client.run(lambda: os.environ.get("OMP_NUM_THREADS"))
    assert set(found.values()) == {None}
    assert set(threads.values()) == {"1"}  # the rest of Dask's settings are kept


def _busy(seconds: float) -> int:
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        n += 1
    return n


def test_dask_workers_do_not_sample_the_running_task_s_stack():
    """Dask's statistical profiler would interrupt a replicate 100 times a second."""
    with DaskExecutor(1) as ex:
        ex._client.submit(_busy, 0.3, pure=False).result()
        samples = ex._client.run(lambda dask_worker: dask_worker.profile_recent["count"])
    assert set(samples.values()) == {0}  # about 25 with the profiler on


def test_dask_workers_check_their_event_loop_once_a_second():
    """Dask's default health check wakes a worker's loop thread, and takes the GIL, every 20 ms."""
    with DaskExecutor(1) as ex:
        ticks = ex._client.run(
            lambda dask_worker: dask_worker.periodic_callbacks["tick"].callback_time
        )
    assert set(ticks.values()) == {1000.0}  # milliseconds; 20 by default
