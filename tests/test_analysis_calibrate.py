"""Calibration (ABC-SMC): the file, what is compared with what, recovery, outputs, resuming."""

import json
import time

import numpy as np
import pandas as pd
import pytest

from qcy_sim.analysis.calibrate import (
    ObservedRow,
    distance,
    load_calibration,
    piled_at_bound,
    row_values,
    simulate,
)
from qcy_sim.cli import main
from qcy_sim.experiment import apply_point
from qcy_sim.model import SERIES
from qcy_sim.priors import Prior, priors
from qcy_sim.scenario import ConfigError
from qcy_sim.schema import KPIS, uncertain_parameters
from qcy_sim.uncertainty import load_posterior, parameter_draws

from .conftest import DATA, ROOT

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
    assert all(r.fitted for r in cfg.rows)
    assert any("ex-2022-04" in s and "not a model output" in s for s in cfg.skipped)
    assert any("ex-2023-01" in s and "not all inside" in s for s in cfg.skipped)
    assert [r.weight for r in cfg.rows] == [1.0, 0.5, 0.25]  # high, medium, low
    assert cfg.rows[0].first == 1 and cfg.rows[0].last == 12
    assert cfg.scenario.targets == ()  # targets are not needed to fit
    assert cfg.fitted == ("enterprise.relocations_per_year", "talent.founding_carrier_effect")
    assert cfg.priors["talent.founding_carrier_effect"] == Prior("uniform", 0.0, 3.0)
    # every example row is labelled as hypothetical, not as real data
    text = (DATA / "observed_2022_example.csv").read_text()
    assert text.count("HYPOTHETICAL") == text.count("\nex-")


def test_the_shipped_config_compares_2021_and_2022():
    cfg = load_calibration(ROOT / "experiments" / "calibrate_2021_2022.toml")
    sim = cfg.scenario.params
    assert sim.time.start == "2021-01" and cfg.scenario.horizon == 24
    assert sim.policy.evaluation_reform.start_month == 13  # the plan's new levers from 2022-01
    assert [r.id for r in cfg.fitted_rows] == [
        "xx-2021-06",
        "xx-2021-07",
        "xx-2021-09",
        "xx-2022-01",
        "xx-2022-02",
        "xx-2022-03",
    ]
    ratio = next(r for r in cfg.rows if r.id == "xx-2022-02")
    assert (ratio.first, ratio.last, ratio.output) == (
        13,
        24,
        ("series", "new_spinoff_firms", "ratio"),
    )
    why = {s.split(":")[0]: s for s in cfg.skipped}
    assert "initial state" in why["xx-2021-11"] and "initial state" in why["xx-2021-13"]
    assert "geography Shaanxi" in why["sx-2022-01"]
    assert "not all inside" in why["xx-2021-08"]  # 2020
    assert set(cfg.fitted) < set(uncertain_parameters())  # the firm-flow parameters
    assert "enterprise.high_tech_per_year" in cfg.fitted
    # every other uncertain parameter is marginalised, none is silently held at its default
    assert set(cfg.fitted) | set(cfg.marginalised) == set(uncertain_parameters())


def test_nested_rows_are_checks_and_ratios_need_the_year_before(tmp_path):
    path = _config(
        tmp_path,
        '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\ninitial_state = "2022-06"\n'
        '[overrides]\n"time.horizon_months" = 24\n',
        "a,Xixian,2022-01,2022-11,new_tech_firms_landed,40,f,m,s,high\n"
        "b,Xixian,2022-03,2022-10,new_tech_firms_landed,30,f,m,s,high\n"
        "c,Xixian,2023-01,2023-12,spinoff_firms_ratio_vs_2021,2.0,r,m,s,medium\n"
        "d,Xixian,2022-01,2022-12,spinoff_firms_ratio_vs_2021,2.0,r,m,s,medium\n"
        "e,Xixian,2022-03,2022-03,incubators_total,5,c,m,s,high\n",
    )
    cfg = load_calibration(path)
    assert [(r.id, r.fitted) for r in cfg.rows] == [("a", True), ("b", False), ("c", True)]
    why = " ".join(cfg.skipped)
    assert "d: months 2022-01..2022-12 and the year before" in why
    assert "e: a stock at 2022-03, held by the initial state (2022-06)" in why


def test_row_values_and_distance_by_hand():
    rows = (
        ObservedRow("s", "new_tech_firms_landed", "", "", 10.0, "high", 1.0, 2, 3, "", True),
        ObservedRow("e", "technology_managers", "", "", 4.0, "low", 0.25, 1, 2, "", True),
        ObservedRow(
            "r", "spinoff_firms_ratio_vs_2021", "", "", 2.0, "medium", 0.5, 13, 14, "", True
        ),
        ObservedRow("c", "new_tech_firms_landed", "", "", 99.0, "high", 1.0, 2, 2, "", False),
    )
    series = np.zeros((15, len(SERIES)))
    series[:, SERIES.index("relocations")] = np.arange(15)  # months 2..3: 2 + 3
    series[[1, 2, 13, 14], SERIES.index("new_spinoff_firms")] = [1, 3, 6, 10]  # (6+10)/(1+3)
    kpi = np.zeros((15, len(KPIS)))
    kpi[2, KPIS.index("tech_brokers")] = 7.0
    values = row_values(rows, {"series": series, "kpi": kpi})
    np.testing.assert_array_equal(values, [5.0, 7.0, 4.0, 2.0])
    # relative errors -0.5, 0.75, 1.0 with weights 1, 0.25, 0.5; the check row does not count
    expected = np.sqrt((0.25 + 0.25 * 0.5625 + 0.5 * 1.0) / 1.75)
    assert distance(rows, values) == pytest.approx(expected)
    assert distance(rows, [10.0, 4.0, 2.0, 1e9]) == 0.0
    assert distance(rows, [10.0, 4.0, np.nan, 1.0]) == np.inf  # no spin-offs the year before


def test_piled_at_bound():
    p = Prior("uniform", 0.0, 10.0)
    x = np.array([0.1, 0.2, 5.0, 6.0, 7.0])
    assert piled_at_bound(x, np.ones(5), p) == "low"  # 40 % within 0.5 of the low end
    assert piled_at_bound(x, [0.05, 0.05, 0.3, 0.3, 0.3], p) is None  # 10 %
    assert piled_at_bound(10 - x, np.ones(5), p) == "high"


@pytest.mark.parametrize(
    "body, csv, key",
    [
        ('[calibration]\nscenario = "TINY"\nfoo = 1\n', None, "calibration.foo"),
        ('[calibration]\nobserved = "obs.csv"\n', None, "calibration.scenario"),
        ('[calibration]\nscenario = "nope.toml"\n', None, "calibration.scenario"),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\npopulation = 1\n',
            None,
            "calibration.population",
        ),
        ('[calibration]\nscenario = "TINY"\nobserved = "nope.csv"\n', None, "calibration.observed"),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\nrows = ["zz"]\n',
            None,
            "calibration.rows[0]",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n'
            'parameters = ["talent.nope"]\n',
            None,
            "calibration.parameters[0]",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n[priors]\n'
            '"talent.beta_wage" = { dist = "uniform", bounds = [3.0, 1.0] }\n',
            None,
            "priors.talent.beta_wage.bounds",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n[priors]\n'
            '"talent.beta_wage" = { dist = "cauchy" }\n',
            None,
            "priors.talent.beta_wage.dist",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n[overrides]\n'
            '"time.horizon_months" = -3\n',
            None,
            "overrides (time.horizon_months)",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\nrows = ["r1"]\n',
            "r1,Xixian,2023-01,2023-06,new_tech_firms_landed,20,f,m,s,high\n",
            "calibration.rows (r1)",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\nrows = ["r1"]\n',
            "r1,Xixian,2021-12,2021-12,incubators_total,20,f,m,s,high\n",
            "calibration.rows (r1)",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n',
            "r1,Xixian,2022-01,2022-06,unknown_quantity,20,f,m,s,high\n",
            "calibration.rows",
        ),
        (
            '[calibration]\nscenario = "TINY"\nobserved = "obs.csv"\n',
            "r1,Xixian,2022-01,2022-06,new_tech_firms_landed,-5,f,m,s,high\n",
            "row r1.value",
        ),
        ("[calibration\n", None, ""),
    ],
)
def test_bad_configs_name_the_key(tmp_path, body, csv, key, capsys):
    csv = csv or "r1,Xixian,2022-01,2022-06,new_tech_firms_landed,20,f,m,s,high\n"
    path = _config(tmp_path, body, csv)
    with pytest.raises(ConfigError) as exc:
        load_calibration(path)
    assert exc.value.key == key
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qcy: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


RECOVERY_ROWS = [
    ("s1", "2022-01", "2022-12", "new_tech_firms_landed"),
    ("s2", "2023-01", "2023-12", "new_tech_firms_landed"),
    ("s3", "2022-01", "2022-12", "high_tech_firms_identified"),
    ("s4", "2023-01", "2023-12", "high_tech_firms_identified"),
    ("s5", "2024-01", "2024-12", "new_tech_firms_landed"),
    ("s6", "2024-01", "2024-12", "high_tech_firms_identified"),
]
RECOVERY = """[calibration]
scenario = "TINY"
observed = "obs.csv"
parameters = ["enterprise.relocations_per_year", "enterprise.high_tech_per_year"]
population = 20
generations = 3
predictive = 10
seed = 5

[overrides]   # a smaller area over three years: cheap runs, enough certifications to learn from
"time.horizon_months" = 36
"initial.talents" = 500
"talent.candidates_domestic_per_month" = 60.0
"talent.candidates_overseas_per_month" = 4.0
"talent.graduates_per_year" = 400.0

[priors]
"enterprise.relocations_per_year" = { dist = "uniform", bounds = [10.0, 100.0] }
"enterprise.high_tech_per_year" = { dist = "uniform", bounds = [0.05, 0.5] }
"""


def _observed(values):
    return "".join(
        f"{i},Xixian,{a},{b},{q},{v},f,m,s,high\n"
        for (i, a, b, q), v in zip(RECOVERY_ROWS, values, strict=True)
    )


def _known(cfg) -> str:
    """An [overrides] body that sets every uncertain parameter not fitted to the truth's value."""
    data = cfg.base_params()
    lines = []
    for key in cfg.marginalised:
        value = data
        for part in key.split("."):
            value = value[part]
        lines.append(f'"{key}" = {value!r}')
    return "\n".join(lines) + "\n"


def test_planted_parameters_are_recovered(tmp_path):
    """Observed = one run at known parameters (relocations 50 a year, high-tech 0.25 a year,
    every other uncertain parameter at the scenario's value and set so in the fit); ABC-SMC from
    wide priors must hold the truth inside both 90 % posterior intervals, and the intervals must
    be narrower than the priors' (the data identify the parameters). The serial sampler with a
    fixed seed makes the outcome the same on every run."""
    t0 = time.time()
    truth = {"enterprise.relocations_per_year": 50.0, "enterprise.high_tech_per_year": 0.25}
    path = _config(tmp_path, RECOVERY, _observed([1] * len(RECOVERY_ROWS)))
    cfg = load_calibration(path)
    observed = row_values(cfg.rows, simulate(apply_point(cfg.base_params(), truth), 77))
    body = RECOVERY.replace("\n[priors]", _known(cfg) + "\n[priors]")
    path = _config(tmp_path, body, _observed(observed))
    assert load_calibration(path).marginalised == ()
    out = tmp_path / "fit"
    assert main(["calibrate", str(path), "--out", str(out), "--executor", "serial", "--quiet"]) == 0
    fit = json.loads((out / "calibration.json").read_text())
    for key, value in truth.items():
        p = fit["parameters"][key]
        assert p["q05"] <= value <= p["q95"], (key, p)
        # the prior's 90 % interval is 1.0 of itself: a fit that learnt nothing fails here
        assert p["interval_share_of_prior"] < 0.85, (key, p)
    assert fit["method"]["reproducible"] and len(fit["generations"]) == 3
    print(f"recovery: {time.time() - t0:.1f} s, {fit['simulations']['total']} simulations")


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "c"
    args = [
        "calibrate",
        str(DATA / "calibrate_tiny.toml"),
        "--out",
        str(out),
        "--executor",
        "serial",
    ]
    assert main([*args, "--quiet"]) == 0
    return out, args


def test_calibrate_outputs(calibrated):
    out, _ = calibrated
    cfg = load_calibration(DATA / "calibrate_tiny.toml")
    for name in (
        "calibration.json",
        "calibration.png",
        "posterior.png",
        "posterior.parquet",
        cfg.database,
    ):
        assert (out / name).is_file(), name
    fit = json.loads((out / "calibration.json").read_text())
    assert [g["t"] for g in fit["generations"]] == [0, 1]
    for g in fit["generations"]:
        assert g["particles"] == 8 and g["acceptance_rate"] == pytest.approx(8 / g["simulations"])
        assert 1.0 <= g["effective_sample_size"] <= 8.0 + 1e-9
    assert fit["generations"][1]["epsilon"] < fit["generations"][0]["epsilon"]
    sims = fit["simulations"]
    assert sims["abc"] == sims["calibration_sample"] + sum(
        g["simulations"] for g in fit["generations"]
    )
    assert sims["predictive"] == 12 and sims["total"] == sims["abc"] + 12
    assert [r["id"] for r in fit["rows"]] == ["ex-2022-01", "ex-2022-02", "ex-2022-03"]
    for r in fit["rows"]:
        b = r["posterior_predictive"]
        assert b["q05"] <= b["median"] <= b["q95"]
        assert r["inside_90"] == (b["q05"] <= r["observed"] <= b["q95"])
    assert set(fit["parameters"]) == set(cfg.fitted) and fit["wall_time_s"] > 0
    # the posterior sample: every uncertain parameter of the simulated scenario and a weight;
    # the fitted ones from the particles, the marginalised ones an independent prior draw per
    # particle (inside their prior's bounds); it loads as a posterior
    table = pd.read_parquet(out / "posterior.parquet")
    assert list(table.columns) == [*priors(cfg.scenario), "weight"]
    assert table["weight"].sum() == pytest.approx(1.0)
    assert table["enterprise.relocations_per_year"].nunique() > 1
    assert "talent.beta_wage" in cfg.marginalised and "talent.beta_wage" in fit["marginalised"]
    wage = priors(cfg.scenario)["talent.beta_wage"]
    assert table["talent.beta_wage"].nunique() == len(table)
    assert table["talent.beta_wage"].between(wage.lo, wage.hi).all()
    post = load_posterior(out / "posterior.parquet", list(priors(cfg.scenario)))
    assert len(parameter_draws(cfg.scenario, "posterior", 4, 0, posterior=post)) == 4


def test_calibration_resumes_from_its_database(calibrated, capsys):
    out, args = calibrated
    before = json.loads((out / "calibration.json").read_text())
    assert main([*args, "--generations", "3"]) == 0
    err = capsys.readouterr().err
    assert "resuming" in err and err.count("generation ") == 1  # only the missing one ran
    fit = json.loads((out / "calibration.json").read_text())
    assert [g["t"] for g in fit["generations"]] == [0, 1, 2]
    assert fit["generations"][:2] == [
        {**g, "wall_time_s": fit["generations"][i]["wall_time_s"]}
        for i, g in enumerate(before["generations"])
    ]


def test_a_serial_calibration_repeats_itself(calibrated, tmp_path):
    out, args = calibrated
    again = tmp_path / "again"
    assert (
        main([*args[:3], str(again), "--executor", "serial", "--generations", "1", "--quiet"]) == 0
    )
    first = json.loads((out / "calibration.json").read_text())["generations"][:1]
    second = json.loads((again / "calibration.json").read_text())["generations"]
    assert [(g["epsilon"], g["simulations"]) for g in first] == [
        (g["epsilon"], g["simulations"]) for g in second
    ]


def test_validate_recognises_calibration_files(capsys):
    assert main(["validate", str(DATA / "calibrate_tiny.toml")]) == 0
    assert "calibration calibrate_tiny: 2 parameters, 3 fitted rows" in capsys.readouterr().out


def test_a_run_stopped_by_a_rule_is_not_extended_unless_asked(tmp_path, capsys):
    body = (
        (DATA / "calibrate_tiny.toml")
        .read_text()
        .replace("generations = 2", "generations = 5\nmin_epsilon = 100.0")
    )
    path = tmp_path / "cal.toml"
    path.write_text(
        body.replace('"tiny.toml"', f'"{DATA / "tiny.toml"}"').replace(
            '"observed_2022_example.csv"', f'"{DATA / "observed_2022_example.csv"}"'
        )
    )
    args = ["calibrate", str(path), "--out", str(tmp_path / "o"), "--executor", "serial"]
    assert main(args) == 0
    assert capsys.readouterr().err.count("generation ") == 1  # epsilon below 100 at once
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "resuming" in err and "generation " not in err
    assert main([*args, "--generations", "2"]) == 0
    assert capsys.readouterr().err.count("generation ") == 1
    fit = json.loads((tmp_path / "o" / "calibration.json").read_text())
    assert fit["stopping"]["stopped_by"] == "min_epsilon" and len(fit["generations"]) == 2
