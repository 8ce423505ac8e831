"""Scenario discovery: PRIM finds planted boxes; qcy discover on a sweep of tiny.toml."""

import json

import numpy as np
import pandas as pd
import pytest

from qcy_sim.analysis.discover import prim_boxes
from qcy_sim.cli import main
from qcy_sim.experiment import load_experiment
from qcy_sim.sweep import SerialExecutor, run_sweep

from .conftest import DATA


def _planted(seed=0, n=2000, flip=0.0):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 4)), columns=["a", "b", "c", "d"])
    x["k"] = rng.integers(0, 5, n)
    x["e"] = rng.choice(["u", "v", "w"], n)
    box1 = (x.a < 0.3) & (x.b > 0.6)
    box2 = (x.c > 0.8) & (x.e == "u")
    y = (box1 | box2).to_numpy().copy()
    y ^= rng.uniform(size=n) < flip
    return x, y


def test_prim_finds_two_planted_boxes():
    x, y = _planted()
    res = prim_boxes(x, y, max_boxes=3)
    assert len(res["boxes"]) == 2
    b1, b2 = res["boxes"]
    assert set(b1["limits"]) == {"a", "b"}
    # limits within one peel (5 % of the remaining mass) of the planted edges
    assert b1["limits"]["a"]["max"] == pytest.approx(0.3, abs=0.05)
    assert b1["limits"]["b"]["min"] == pytest.approx(0.6, abs=0.05)
    assert b1["density"] > 0.9 and b1["coverage"] > 0.6
    assert set(b2["limits"]) == {"c", "e"}
    assert b2["limits"]["e"]["values"] == ["u"]
    assert b2["limits"]["c"]["min"] == pytest.approx(0.8, abs=0.05)
    assert all(lim["qp_value"] < 1e-6 for b in (b1, b2) for lim in b["limits"].values())
    assert b1["coverage"] + b2["coverage"] > 0.95
    for b in (b1, b2):
        t = b["trajectory"]
        assert t[0]["mass"] >= t[-1]["mass"] and b["selected_step"] < len(t)


def test_prim_with_noise_and_min_density():
    x, y = _planted(seed=1, flip=0.05)
    res = prim_boxes(x, y, max_boxes=1, min_density=0.8)
    b = res["boxes"][0]
    assert b["density"] >= 0.8
    assert {"a", "b"} <= set(b["limits"]) or {"c", "e"} <= set(b["limits"])


def test_prim_without_cases_of_interest():
    x, _ = _planted()
    res = prim_boxes(x, np.zeros(len(x), dtype=bool))
    assert res["boxes"] == [] and "no case of interest" in res["stopped"]
    res = prim_boxes(x, np.ones(len(x), dtype=bool))
    assert res["boxes"] == [] and "every case" in res["stopped"]


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("disc") / "sweep"
    run_sweep(load_experiment(DATA / "sobol_tiny.toml"), out, SerialExecutor())
    return out


def test_discover_command(sweep_dir, tmp_path, capsys):
    out = tmp_path / "d"
    assert (
        main(["discover", str(sweep_dir), "--target", "innovation_talents", "--out", str(out)]) == 0
    )
    text = capsys.readouterr().out
    assert "box 1" in text
    data = json.loads((out / "discover.json").read_text())
    assert (out / "discover.png").stat().st_size > 10_000
    assert (out / "discover.md").read_text().startswith("# Scenario discovery")
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    assert data["n"] == len(runs)
    assert data["cases_of_interest"] == int((~runs["met_innovation_talents"]).sum())
    b = data["boxes"][0]
    # the talents gained in a year (the target of tiny.toml) need candidates and jobs: misses sit
    # at the low end of the domestic pool or of firms' growth, not in the award
    drivers = {"talent.candidates_domestic_per_month", "enterprise.growth_per_year"}
    found = drivers & set(b["limits"])
    assert found, b["limits"]
    for key in found:
        lim = b["limits"][key]
        assert lim["min"] == lim["full_min"] and lim["max"] < lim["full_max"], key
    assert data["sweep_plan_hash"] and data["provenance"]["version"]


def test_discover_by_point(sweep_dir, tmp_path):
    out = tmp_path / "p"
    assert (
        main(
            [
                "discover",
                str(sweep_dir),
                "--target",
                "all",
                "--by",
                "point",
                "--threshold",
                "0.5",
                "--out",
                str(out),
                "--no-figures",
            ]
        )
        == 0
    )
    data = json.loads((out / "discover.json").read_text())
    assert data["unit"] == "point" and data["n"] == 20


def test_unknown_target(sweep_dir, capsys, tmp_path):
    assert (
        main(["discover", str(sweep_dir), "--target", "reform_cases", "--out", str(tmp_path / "x")])
        == 2
    )
    err = capsys.readouterr().err
    assert "--target" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "args, text",
    [
        (["--boxes", "0"], "--boxes"),
        (["--peel-alpha", "2"], "--peel-alpha"),
        (["--threshold", "x"], "--threshold"),
    ],
)
def test_bad_discover_flags(sweep_dir, args, text, capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["discover", str(sweep_dir), "--target", "all", *args, "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert text in err and "Traceback" not in err


def test_discover_needs_a_complete_sweep(tmp_path, capsys):
    assert main(["discover", str(tmp_path), "--target", "all"]) == 2
    assert "manifest.json" in capsys.readouterr().err
    assert main(["discover", str(tmp_path / "nope"), "--target", "all"]) == 2
    assert "no such folder" in capsys.readouterr().err
