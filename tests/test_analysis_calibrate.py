"""Calibration: config validation, a planted parameter recovered, the command, resuming."""

import json
import tomllib

import numpy as np
import pytest

from qcy_sim.analysis.calibrate import load_calibration, loss, simulate_rows
from qcy_sim.cli import main
from qcy_sim.model import SERIES
from qcy_sim.runner import run_replicates
from qcy_sim.scenario import ConfigError, load_scenario, scenario_from_dict
from qcy_sim.sweep import SerialExecutor

from .conftest import DATA

HEADER = "id,geography,period_start,period_end,quantity,value,unit,meaning,source,confidence\n"


def _config(tmp_path, body, csv=None):
    if csv is not None:
        (tmp_path / "obs.csv").write_text(HEADER + csv)
    path = tmp_path / "cal.toml"
    path.write_text(body.replace("TINY", str(DATA / "tiny.toml")))
    return path


def test_the_example_config_and_its_rows():
    cfg = load_calibration(DATA / "calibrate_tiny.toml")
    assert [r.id for r in cfg.rows] == ["ex-2022-01", "ex-2022-02", "ex-2022-03"]
    assert any("ex-2022-04" in s and "not a model output" in s for s in cfg.skipped)
    assert any("ex-2023-01" in s and "outside" in s for s in cfg.skipped)
    assert [r.weight for r in cfg.rows] == [1.0, 0.5, 0.25]  # high, medium, low
    assert cfg.rows[0].first == 1 and cfg.rows[0].last == 12
    assert cfg.scenario.targets == ()  # targets are not needed to fit
    # every example row is labelled as hypothetical, not as real data
    text = (DATA / "observed_2022_example.csv").read_text()
    assert text.count("HYPOTHETICAL") == text.count("\nex-")


def test_the_shipped_config_validates():
    from pathlib import Path

    cfg = load_calibration(Path(__file__).parent.parent / "experiments" / "calibrate_2022.toml")
    assert cfg.scenario.params.time.start == "2021-01" and cfg.scenario.horizon == 12
    assert [r.id for r in cfg.rows] == ["xx-2021-06", "xx-2021-07", "xx-2021-09"]
    assert cfg.extends.endswith("baseline.toml")


def test_default_parameters_are_the_uncertain_ones(tmp_path):
    from qcy_sim.schema import uncertain_parameters

    path = _config(
        tmp_path,
        '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n',
        "r1,X,2022-01,2022-06,new_tech_firms_landed,20,f,m,s,high\n",
    )
    cfg = load_calibration(path)
    assert {f.key: f.bounds for f in cfg.parameters} == {
        k: (float(lo), float(hi)) for k, (lo, hi) in uncertain_parameters().items()
    }


ROW = "r1,X,2022-01,2022-06,new_tech_firms_landed,20,f,m,s,high\n"


@pytest.mark.parametrize(
    "body, csv, key",
    [
        ('[calibration]\nscenario = "TINY"\nfoo = 1\n', ROW, "calibration.foo"),
        ('[calibration]\nobserved = "obs.csv"\n', ROW, "calibration.scenario"),
        ('[calibration]\nscenario = "nope.toml"\n', ROW, "calibration.scenario"),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\ntrials = 0\n',
            ROW,
            "calibration.trials",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\nrows = ["zz"]\n',
            ROW,
            "calibration.rows[0]",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n'
            '[parameters]\n"talent.nope" = { range = [0.0, 1.0] }\n',
            ROW,
            "parameters.talent.nope",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n'
            '[parameters]\n"talent.beta_wage" = { range = [3.0, 1.0] }\n',
            ROW,
            "parameters.talent.beta_wage.range",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n[overrides]\n'
            '"time.horizon_months" = -3\n',
            ROW,
            "overrides (time.horizon_months)",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\nrows = ["r1"]\n',
            "r1,X,2023-01,2023-06,new_tech_firms_landed,20,f,m,s,high\n",
            "calibration.rows (r1)",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n',
            "r1,X,2022-01,2022-06,unknown_quantity,20,f,m,s,high\n",
            "calibration.rows",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n',
            "r1,X,2022-01,2022-06,new_tech_firms_landed,-5,f,m,s,high\n",
            "row r1.value",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n[parameters]\n',
            ROW,
            "parameters",
        ),
        ("[calibration\n", ROW, ""),
    ],
)
def test_bad_configs_name_the_key(tmp_path, body, csv, key, capsys):
    path = _config(tmp_path, body, csv)
    with pytest.raises(ConfigError) as exc:
        load_calibration(path)
    assert exc.value.key == key
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qcy: error: ") and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_planted_parameter_is_recovered(tmp_path):
    """Observed = tiny.toml simulated with relocations_per_year = 60 on the calibration's own
    seeds, so the loss is zero there; the fit over [20, 100] must land close to 60."""
    tiny = load_scenario(DATA / "tiny.toml")
    d = tiny.to_dict()
    d["enterprise"] = dict(d["enterprise"], relocations_per_year=60.0)
    rep = run_replicates(scenario_from_dict(d), 3, seed=9)
    landed = rep.series[:, 1:13, SERIES.index("relocations")].sum(axis=1).mean()
    path = _config(
        tmp_path,
        '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n'
        "trials = 14\nreplicates = 3\nseed = 9\n[parameters]\n"
        '"enterprise.relocations_per_year" = { range = [20.0, 100.0] }\n',
        f"r1,X,2022-01,2022-12,new_tech_firms_landed,{landed},f,m,s,high\n",
    )
    cfg = load_calibration(path)
    with SerialExecutor() as ex:
        assert loss(cfg, simulate_rows(cfg, {"enterprise.relocations_per_year": 60.0}, ex)) == 0
    assert (
        main(
            [
                "calibrate",
                str(path),
                "--out",
                str(tmp_path / "fit"),
                "--executor",
                "serial",
                "--quiet",
            ]
        )
        == 0
    )
    fit = json.loads((tmp_path / "fit" / "fit.json").read_text())
    fitted = fit["parameters"]["enterprise.relocations_per_year"]["after"]
    assert fitted == pytest.approx(60.0, rel=0.12)
    assert fit["loss_after"] < fit["loss_before"]
    assert fit["rows"][0]["after"]["relative_error"] == pytest.approx(0.0, abs=0.03)


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "c"
    assert (
        main(
            [
                "calibrate",
                str(DATA / "calibrate_tiny.toml"),
                "--out",
                str(out),
                "--executor",
                "serial",
                "--quiet",
            ]
        )
        == 0
    )
    return out


def test_calibrate_outputs(calibrated):
    for name in ("fit.json", "fit.md", "calibration.png", "calibrated.toml", "study.sqlite3"):
        assert (calibrated / name).is_file(), name
    fit = json.loads((calibrated / "fit.json").read_text())
    assert fit["optimizer"]["trials"] == 6 and len(fit["trials"]) == 6
    assert fit["loss_after"] <= fit["loss_before"]
    assert min(t["loss"] for t in fit["trials"]) == pytest.approx(
        loss_of(fit["trials"], fit["optimizer"]["best_trial"])
    )
    assert fit["trials"][0]["params"] == {  # the scenario's own values come first
        "enterprise.relocations_per_year": 39.0,
        "talent.founding_carrier_effect": 1.0,
    }
    assert [r["id"] for r in fit["rows"]] == ["ex-2022-01", "ex-2022-02", "ex-2022-03"]
    assert len(fit["seeds"]) == 2
    # the fitted scenario extends tiny.toml and holds the fitted values
    raw = tomllib.loads((calibrated / "calibrated.toml").read_text())
    assert raw["extends"].endswith("tiny.toml")
    sc = load_scenario(calibrated / "calibrated.toml")
    after = fit["parameters"]["enterprise.relocations_per_year"]["after"]
    assert sc.params.enterprise.relocations_per_year == pytest.approx(after, rel=1e-5)
    assert {t.kpi for t in sc.targets} == {t.kpi for t in load_scenario(DATA / "tiny.toml").targets}


def loss_of(trials, number):
    return next(t["loss"] for t in trials if t["trial"] == number)


def test_calibration_resumes_its_study(calibrated, capsys):
    assert (
        main(
            [
                "calibrate",
                str(DATA / "calibrate_tiny.toml"),
                "--out",
                str(calibrated),
                "--trials",
                "8",
                "--executor",
                "serial",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert err.count("trial ") == 2  # only the two missing trials ran
    fit = json.loads((calibrated / "fit.json").read_text())
    assert fit["optimizer"]["trials"] == 8


def test_validate_recognises_calibration_files(capsys):
    assert main(["validate", str(DATA / "calibrate_tiny.toml")]) == 0
    assert "calibration calibrate_tiny" in capsys.readouterr().out


def test_simulated_rows_use_common_random_numbers():
    cfg = load_calibration(DATA / "calibrate_tiny.toml")
    with SerialExecutor() as ex:
        a = simulate_rows(
            cfg,
            {"enterprise.relocations_per_year": 39.0, "talent.founding_carrier_effect": 1.0},
            ex,
        )
        b = simulate_rows(
            cfg,
            {"enterprise.relocations_per_year": 39.0, "talent.founding_carrier_effect": 1.0},
            ex,
        )
    np.testing.assert_array_equal(a, b)
    assert a.shape == (2, 3)
