"""End to end: qcy run and qcy validate, as a user calls them."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from qcy_sim.cli import main
from qcy_sim.schema import KPIS

from .conftest import DATA


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    one, two = base / "w1", base / "w2"
    assert (
        main(
            [
                "run",
                str(DATA / "tiny.toml"),
                "--replicates",
                "6",
                "--seed",
                "3",
                "--parameters",
                "fixed",
                "--workers",
                "1",
                "--out",
                str(one),
                "--quiet",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "run",
                str(DATA / "tiny.toml"),
                "--replicates",
                "6",
                "--seed",
                "3",
                "--parameters",
                "fixed",
                "--workers",
                "2",
                "--out",
                str(two),
                "--quiet",
                "--no-figures",
            ]
        )
        == 0
    )
    return one, two


def test_outputs_written(two_runs):
    one, _ = two_runs
    for name in ("timeseries.parquet", "runs.parquet", "summary.json", "manifest.json"):
        assert (one / name).is_file(), name
    assert sorted(p.stem for p in (one / "figures").glob("*.png")) == sorted(KPIS)
    summary = json.loads((one / "summary.json").read_text())
    assert summary["replicates"] == 6
    assert 0.0 <= summary["p_all_met"] <= 1.0
    for kpi in KPIS:
        t = summary["targets"][kpi]
        assert {
            "threshold",
            "deadline",
            "p_met",
            "ci_low",
            "ci_high",
            "median_month_met",
            "median_final",
        } <= set(t)
        assert t["ci_low"] <= t["p_met"] <= t["ci_high"]
    manifest = json.loads((one / "manifest.json").read_text())
    assert manifest["base_seed"] == 3 and len(manifest["seeds"]) == 6
    assert manifest["config_hash"] == summary["config_hash"]
    assert manifest["version"]
    ts = pd.read_parquet(one / "timeseries.parquet")
    assert len(ts) == 6 * 13 and set(KPIS) <= set(ts.columns)
    runs = pd.read_parquet(one / "runs.parquet")
    assert len(runs) == 6 and "total_spending_cny_million" in runs
    assert [int(s) for s in runs["seed"]] == manifest["seeds"]


def test_workers_do_not_change_results(two_runs):
    one, two = two_runs
    for name in ("timeseries.parquet", "runs.parquet"):
        a, b = pd.read_parquet(one / name), pd.read_parquet(two / name)
        pd.testing.assert_frame_equal(a, b)
    sa = json.loads((one / "summary.json").read_text())
    sb = json.loads((two / "summary.json").read_text())
    assert sa == sb


def test_summary_matches_runs_table(two_runs):
    one, _ = two_runs
    runs = pd.read_parquet(one / "runs.parquet")
    summary = json.loads((one / "summary.json").read_text())
    for kpi, t in summary["targets"].items():
        assert t["p_met"] == pytest.approx(runs[f"met_{kpi}"].mean())
        assert t["median_final"] == pytest.approx(np.median(runs[kpi]))
    assert summary["p_all_met"] == pytest.approx(runs["met_all"].mean())


def test_bad_input_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[talent]\nbeta_wage = nan\n')
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "qcy_sim.cli", "run", str(bad), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.toml" in proc.stderr and "talent.beta_wage" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("args", [["--replicates", "0"], ["--seed", "x"], ["--workers", "-1"]])
def test_bad_flags_exit_2(tmp_path, args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(DATA / "tiny.toml"), "--out", str(tmp_path / "o"), *args])
    assert exc.value.code == 2
    assert not (tmp_path / "o").exists()


def test_validate(capsys):
    assert main(["validate", str(DATA / "tiny.toml")]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["validate", str(DATA / "missing.toml")]) == 2
    assert "no file at" in capsys.readouterr().err
