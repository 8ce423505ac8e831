"""Experiment files and sweeps: designs, content keys, executors, failures, kill and resume."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qcy_sim import ConfigError
from qcy_sim.cli import main
from qcy_sim.experiment import load_experiment, make_run_id
from qcy_sim.runner import replicate_seeds
from qcy_sim.runner import run as model_run
from qcy_sim.sweep import (
    DaskExecutor,
    LocalExecutor,
    SerialExecutor,
    plan_sweep,
    run_sweep,
)

from .conftest import DATA, ROOT
from .procs import finish, qcy, wait_paused

EXPERIMENT = DATA / "sweep_tiny.toml"
TINY = DATA / "tiny.toml"
AWARD = "policy.awards.high_level_cny_thousand"
FAIL_AT = 500.0  # award value at which the test worker below raises
FIXED_SWEEP = ["sweep", str(EXPERIMENT), "--parameters", "fixed"]  # as the reference


def failing_run(params, seed):
    """Test-only worker: the model, except that one lever value raises (a failing point)."""
    if params["policy"]["awards"]["high_level_cny_thousand"] == FAIL_AT:
        raise RuntimeError("boom at the test point")
    return model_run(params, seed)


def tables(out):
    return {
        name: pd.read_parquet(Path(out) / name)
        for name in ("runs.parquet", "timeseries", "points.parquet")
    }


def assert_same_tables(a, b):
    ta, tb = tables(a), tables(b)
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], obj=name)


def write_experiment(tmp_path, body, name="exp.toml", scenarios=(TINY,)):
    head = "[experiment]\nscenarios = [{}]\nreplicates = 2\nseed = 3\n".format(
        ", ".join(f'"{p.as_posix()}"' for p in scenarios)
    )
    path = tmp_path / name
    path.write_text(head + body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted serial sweep of the test experiment."""
    out = tmp_path_factory.mktemp("sweeps") / "serial"
    result = run_sweep(load_experiment(EXPERIMENT), out, SerialExecutor())
    assert result.ok == 24 and result.failed == 0
    return out


# ----------------------------------------------------------------------------------------------
# Designs and validation

THREE = """
[levers]
"policy.awards.high_level_cny_thousand" = { %s }
"carriers.incubator.proposals_per_year" = { %s }
[uncertain]
"talent.beta_wage" = { %s }
"""
VALUES = ("values = [250.0, 500.0, 1000.0]", "values = [5.0, 15.0]", "values = [2.0, 3.0]")
RANGES = ("range = [250.0, 1000.0]", "range = [5.0, 15.0]", "range = [2.0, 3.0]")


@pytest.mark.parametrize(
    "design, factors, points",
    [
        ('kind = "factorial"', VALUES, 3 * 2 * 2),
        ('kind = "lhs"\nn = 7', RANGES, 7),
        ('kind = "sobol"\nn = 4', RANGES, 4 * (3 + 2)),
        ('kind = "sobol"\nn = 4\nsecond_order = true', RANGES, 4 * (2 * 3 + 2)),
        ('kind = "morris"\nn = 3', RANGES, 3 * (3 + 1)),
        ('kind = "lhs"\nn = 5', VALUES, 5),  # value lists are categorical in sampled designs
    ],
)
def test_design_sizes(tmp_path, design, factors, points):
    path = write_experiment(tmp_path, f"[design]\n{design}\n" + THREE % factors)
    exp = load_experiment(path)
    assert len(exp.points) == points and exp.n_runs == 2 * points
    for p in exp.points:
        lo = 250.0
        assert lo <= p.values[AWARD] <= 1000.0
        assert 2.0 <= p.values["talent.beta_wage"] <= 3.0
    two = write_experiment(
        tmp_path,
        f"[design]\n{design}\n" + THREE % factors,
        "two.toml",
        scenarios=(TINY, DATA / "tiny_more_awards.toml"),
    )
    assert len(load_experiment(two).points) == 2 * points


def test_factorial_range_levels_and_list_design(tmp_path):
    exp = load_experiment(
        write_experiment(
            tmp_path,
            """
[design]
kind = "factorial"
[levers]
"policy.awards.living_subsidy_months" = { range = [12, 36], levels = 3 }
""",
        )
    )
    assert [p.values["policy.awards.living_subsidy_months"] for p in exp.points] == [12, 24, 36]
    exp = load_experiment(
        write_experiment(
            tmp_path,
            """
[design]
kind = "list"
[[design.points]]
policy.awards.high_level_cny_thousand = 100
"targets.innovation_talents.threshold" = 3000
[[design.points]]
policy.awards.high_level_cny_thousand = 200
"targets.innovation_talents.threshold" = 4000
""",
            "list.toml",
        )
    )
    assert len(exp.points) == 2
    assert exp.points[1].values == {AWARD: 200.0, "targets.innovation_talents.threshold": 4000.0}
    thresholds = {t.kpi: t.threshold for t, _ in exp.points[1].targets}
    assert thresholds["innovation_talents"] == 4000


BAD = [
    (
        '[design]\nkind = "factorial"\n[levers]\n"policy.awards.high_levle_cny_thousand" = '
        "{ values = [1.0] }\n",
        "levers.policy.awards.high_levle_cny_thousand",
        "did you mean 'policy.awards.high_level_cny_thousand'",
    ),
    (
        '[design]\nkind = "factorial"\n[levers]\n"policy.awards.high_level_cny_thousand" = '
        "{ values = [1.0, -5.0] }\n",
        "levers.policy.awards.high_level_cny_thousand.values[1]",
        "found -5.0",
    ),
    (
        '[design]\nkind = "factorial"\n[levers]\n"policy.awards.high_level_cny_thousand" = '
        "{ range = [1.0, 5.0] }\n",
        "levers.policy.awards.high_level_cny_thousand",
        "range without levels",
    ),
    (
        '[design]\nkind = "sobol"\nn = 6\n[levers]\n"talent.beta_wage" = { range = [1.0, 2.0] }\n',
        "design.n",
        "a power of 2",
    ),
    (
        '[design]\nkind = "lhs"\n[levers]\n"talent.beta_wage" = { range = [1.0, 2.0] }\n',
        "design.n",
        "found nothing",
    ),
    ('[design]\nkind = "sobl"\n', "design.kind", "did you mean 'sobol'"),
    ('[design]\nkind = "factorial"\nn = 3\n', "design.n", "an unknown key"),
    (
        '[design]\nkind = "factorial"\n[levers]\n"initial.kind_shares" = { values = [1.0] }\n',
        "levers.initial.kind_shares",
        "list-valued key",
    ),
    (
        '[design]\nkind = "factorial"\n[levers]\n"time.horizon_months" = { values = [6] }\n',
        "levers.time.horizon_months.values[0]",
        "(the simulated horizon)",
    ),
    ('[design]\nkind = "factorial"\n[levres]\n', "levres", "did you mean 'levers'"),
]


@pytest.mark.parametrize("body, key, text", BAD)
def test_bad_experiments_name_file_and_key(tmp_path, body, key, text):
    path = write_experiment(tmp_path, body)
    with pytest.raises(ConfigError) as exc:
        load_experiment(path)
    message = str(exc.value)
    assert message.startswith(str(path)), message
    assert key in message and text in message, message


def test_bad_experiment_header(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('[experiment]\nscenarios = ["missing.toml"]\n')
    with pytest.raises(ConfigError, match=r"experiment.scenarios\[0\]: expected an existing"):
        load_experiment(path)
    path.write_text(f'[experiment]\nscenarios = ["{TINY.as_posix()}"]\ntargets = ["talents"]\n')
    with pytest.raises(ConfigError, match="did you mean 'tech_brokers'|a KPI id"):
        load_experiment(path)


def test_validate_command_detects_experiments(tmp_path, capsys):
    assert main(["validate", str(EXPERIMENT), str(TINY)]) == 0
    out = capsys.readouterr().out
    assert "experiment sweep_tiny" in out and "24 runs" in out and "tiny, 13 targets" in out
    bad = write_experiment(
        tmp_path, '[design]\nkind = "factorial"\n[levers]\n"policy.nope" = { values = [1] }\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "qcy_sim.cli", "validate", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and "levers.policy.nope" in proc.stderr


def test_smoke_experiment_is_small():
    exp = load_experiment(ROOT / "experiments" / "smoke.toml")
    assert exp.n_runs <= 200
    assert 2 <= len([f for f in exp.factors if f.role == "lever"]) <= 4


# ----------------------------------------------------------------------------------------------
# Seeds and run ids


def test_run_ids_and_common_random_numbers():
    # A pinned value: the key is a SHA-256 of canonical JSON, stable across processes and
    # Python versions (Python's hash() would not be).
    assert make_run_id("abc", {"x": 1.0}, 0, 42) == "03f179c4b8df5a10"
    exp = load_experiment(EXPERIMENT)
    plan = plan_sweep(exp)
    assert plan.n_runs == exp.n_runs == 24
    assert plan.seeds == replicate_seeds(11, 4)
    assert plan_sweep(load_experiment(EXPERIMENT)).plan_hash == plan.plan_hash


def test_identical_points_share_runs(tmp_path):
    exp = load_experiment(
        write_experiment(
            tmp_path,
            """
[design]
kind = "list"
[[design.points]]
"policy.awards.high_level_cny_thousand" = 300.0
[[design.points]]
"policy.awards.high_level_cny_thousand" = 300.0
""",
        )
    )
    plan = plan_sweep(exp)
    assert exp.n_runs == 4 and plan.n_runs == 2
    result = run_sweep(exp, tmp_path / "out", SerialExecutor())
    runs = result.runs_frame()
    assert len(runs) == 4 and result.ran == 2
    a, b = runs[runs.point_id == 0], runs[runs.point_id == 1]
    assert list(a.run_id) == list(b.run_id)
    assert list(a.innovation_talents) == list(b.innovation_talents)


# ----------------------------------------------------------------------------------------------
# Executors, outputs, failures, resume


def test_outputs(reference):
    exp = load_experiment(EXPERIMENT)
    t = tables(reference)
    runs, ts, points = t["runs.parquet"], t["timeseries"], t["points.parquet"]
    assert len(points) == 6 and list(points.point_id) == list(range(6))
    assert len(runs) == 24
    assert list(zip(runs.point_id, runs.replicate, strict=True)) == [
        (p, r) for p in range(6) for r in range(4)
    ]
    assert (runs.status == "ok").all() and runs.error.isna().all()
    # common random numbers: replicate r has the same seed at every point
    assert [int(s) for s in runs.seed] == replicate_seeds(11, 4) * 6
    assert runs.run_id.is_unique
    for col in (
        "met_innovation_talents",
        "month_met_tech_brokers",
        "met_all",
        "public_spending_cny_million",
        AWARD,
        "talent.beta_wage",
        "reform_cases",
    ):
        assert col in runs, col
    assert "high_end_talents" not in runs  # not in experiment.kpis
    assert len(ts) == 24 * 13 and set(ts.run_id) == set(runs.run_id)
    assert "residents" in ts and "date" in ts
    final = ts[ts.month == 12].set_index("run_id")["innovation_talents"]
    assert (final.loc[runs.run_id].to_numpy() == runs.innovation_talents.to_numpy()).all()
    summary = json.loads((reference / "sweep_summary.json").read_text())
    assert summary["runs"] == 24 and len(summary["results"]) == 6
    for e in summary["results"]:
        rows = runs[runs.point_id == e["point_id"]]
        for t_ in exp.targets:
            s = e["targets"][t_]
            assert s["p_met"] == pytest.approx(rows[f"met_{t_}"].mean())
            assert s["ci_low"] <= s["p_met"] <= s["ci_high"]
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["base_seed"] == 11
    assert manifest["design"]["kind"] == "factorial" and manifest["version"]
    assert manifest["config_hashes"]["tiny"] and manifest["executor"]["kind"] == "serial"


def test_local_pool_and_dask_cluster_give_identical_tables(reference, tmp_path):
    exp = load_experiment(EXPERIMENT)
    run_sweep(exp, tmp_path / "local", LocalExecutor(2))
    assert_same_tables(reference, tmp_path / "local")
    run_sweep(exp, tmp_path / "dask", DaskExecutor(workers=2))
    assert_same_tables(reference, tmp_path / "dask")
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["executor"] == {
        "kind": "dask",
        "workers": 2,
        "threads": 2,
        "scheduler": "LocalCluster",
    }


def test_failing_point_is_isolated_then_retried(reference, tmp_path):
    exp = load_experiment(EXPERIMENT)
    out = tmp_path / "fail"
    result = run_sweep(exp, out, LocalExecutor(2), run_fn=failing_run)
    runs = pd.read_parquet(out / "runs.parquet")
    bad = runs[AWARD] == FAIL_AT
    assert result.failed == bad.sum() == 8 and result.ok == 16
    assert (runs.status[bad] == "failed").all() and (runs.status[~bad] == "ok").all()
    assert runs.error[bad].str.contains("RuntimeError: boom at the test point").all()
    assert runs.innovation_talents[bad].isna().all()
    ref = pd.read_parquet(reference / "runs.parquet")
    pd.testing.assert_frame_equal(
        runs[~bad].reset_index(drop=True), ref[~bad].reset_index(drop=True), check_dtype=False
    )
    summary = json.loads((out / "sweep_summary.json").read_text())
    failed_points = {e["point_id"] for e in summary["results"] if e["failed"]}
    assert failed_points == set(runs.point_id[bad])

    # --retry-failed runs just the failed runs; then the tables are those of a clean sweep
    again = run_sweep(exp, out, SerialExecutor(), retry_failed=True)
    assert again.ran == 8 and again.failed == 0
    assert_same_tables(reference, out)


def test_existing_output_needs_resume(reference, tmp_path, capsys):
    code = main(["sweep", str(EXPERIMENT), "--out", str(reference), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--resume" in err and "new --out" in err
    # resuming a complete sweep runs nothing and changes nothing
    before = tables(reference)
    assert (
        main(
            [
                "sweep",
                str(EXPERIMENT),
                "--parameters",
                "fixed",
                "--out",
                str(reference),
                "--resume",
                "--quiet",
                "--executor",
                "serial",
            ]
        )
        == 0
    )
    assert "nothing left to run" in capsys.readouterr().out
    for name, table in tables(reference).items():
        pd.testing.assert_frame_equal(before[name], table)
    # another experiment cannot resume into this folder
    other = write_experiment(tmp_path, '[design]\nkind = "factorial"\n')
    args = ["sweep", str(other), "--parameters", "fixed", "--out", str(reference), "--resume"]
    assert main([*args, "--quiet"]) == 2
    assert "plan_hash" in capsys.readouterr().err


def test_kill_and_resume_gives_identical_tables(reference, tmp_path):
    out = tmp_path / "killed"
    flag = tmp_path / "paused"
    proc = qcy(
        "sweep",
        EXPERIMENT,
        "--parameters",
        "fixed",
        "--executor",
        "serial",
        "--out",
        out,
        "--quiet",
        pause_after=6,
        flag=flag,
    )
    assert wait_paused(proc, flag) == 6  # two chunks of 3 runs saved, 18 runs to go
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    saved = len(list((out / "chunks").glob("runs-*.parquet")))
    assert saved == 2 and not (out / "runs.parquet").exists()
    assert main([*FIXED_SWEEP, "--out", str(out), "--resume", "--quiet", "--workers", "2"]) == 0
    assert_same_tables(reference, out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][0]["status"] == "running"  # the killed one
    assert manifest["sessions"][-1]["ran"] == 24 - 3 * saved


def test_ctrl_c_saves_and_resumes(reference, tmp_path):
    out = tmp_path / "interrupted"
    flag = tmp_path / "paused"
    proc = qcy(
        "sweep",
        EXPERIMENT,
        "--parameters",
        "fixed",
        "--executor",
        "local",
        "--workers",
        "2",
        "--out",
        out,
        "--quiet",
        pause_after=1,
        flag=flag,
    )
    assert wait_paused(proc, flag) == 3  # the first chunk is saved, at least 13 runs to go
    proc.send_signal(signal.SIGINT)
    code, _, err = finish(proc)
    assert code == 130, err
    assert "--resume" in err and "Traceback" not in err
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert (
        main(
            [
                "sweep",
                str(EXPERIMENT),
                "--parameters",
                "fixed",
                "--out",
                str(out),
                "--resume",
                "--quiet",
                "--executor",
                "serial",
            ]
        )
        == 0
    )
    assert_same_tables(reference, out)


def test_scheduler_needs_dask_executor(capsys):
    code = main(
        [
            "sweep",
            str(EXPERIMENT),
            "--executor",
            "local",
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--quiet",
        ]
    )
    assert code == 2 and "--scheduler" in capsys.readouterr().err


def test_numpy_arrays_survive_reduction(reference):
    ts = pd.read_parquet(reference / "timeseries")
    assert ts["innovation_talents"].dtype == np.int64
    assert ts.groupby("run_id").size().eq(13).all()
