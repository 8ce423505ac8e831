"""Scenario files: extends, hashing, and one clear message for each kind of bad input."""

import math

import pytest

from qcy_sim import ConfigError, load_scenario
from qcy_sim.scenario import month_index, month_label, scenario_from_dict

from .conftest import DATA, ROOT


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_scenarios_validate():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        load_scenario(path)


def test_extends_overrides_key_by_key(tiny, baseline):
    assert tiny.params.initial.talents == 2000
    assert tiny.params.initial.employed_share == baseline.params.initial.employed_share
    assert tiny.params.carriers.incubator == baseline.params.carriers.incubator
    assert {t.kpi for t in tiny.targets} == {t.kpi for t in baseline.targets}


def test_partial_nested_table_keeps_its_own_defaults(tmp_path, baseline):
    path = write(
        tmp_path,
        "p.toml",
        f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\n'
        "[carriers.pilot_base]\nproposals_per_year = 1.0\n",
    )
    sc = load_scenario(path)
    assert sc.params.carriers.pilot_base.proposals_per_year == 1.0
    assert sc.params.carriers.pilot_base.capacity == baseline.params.carriers.pilot_base.capacity
    assert sc.params.carriers.incubator == baseline.params.carriers.incubator


def test_round_trip_and_hash(tiny):
    again = scenario_from_dict(tiny.to_dict())
    assert again.params == tiny.params and again.targets == tiny.targets
    assert again.config_hash == tiny.config_hash
    assert load_scenario(DATA / "tiny.toml").config_hash == tiny.config_hash


def test_months():
    assert month_index("2022-01", "2024-12") == 36
    assert month_label("2022-01", 0) == "2021-12"
    assert month_label("2022-01", 36) == "2024-12"


CASES = [
    ("[talent]\nbeta_wagee = 1.0\n", "talent.beta_wagee", "did you mean 'beta_wage'"),
    ("[talnt]\nbeta_wage = 1.0\n", "talnt", "did you mean 'talent'"),
    ('[talent]\nbeta_wage = "high"\n', "talent.beta_wage", "a number"),
    ("[talent]\nbeta_wage = nan\n", "talent.beta_wage", "a finite number"),
    ("[talent]\nbeta_wage = inf\n", "talent.beta_wage", "a finite number"),
    ("[initial]\ntalents = -5\n", "initial.talents", "in [0, 5e+06]"),
    ("[initial]\ntalents = 1e300\n", "initial.talents", "in [0, 5e+06], found 1e+300"),
    ("[initial]\ntalents = 2.5\n", "initial.talents", "an integer"),
    ("[initial]\nkind_shares = [0.5, 0.5]\n", "initial.kind_shares", "a list of 7"),
    ("[initial]\nkind_shares = [0.5, 0.5, 0.1, 0, 0, 0, 0]\n", "initial.kind_shares", "sum to 1"),
    (
        "[funds.special]\nbudget_cny_million_per_year = -1\n",
        "funds.special.budget_cny_million_per_year",
        "in [0, 1e+09], found -1",
    ),
    ('[time]\nstart = "2022-13"\n', "time.start", "YYYY-MM"),
    ("[time]\nhorizon_months = true\n", "time.horizon_months", "an integer"),
    ('[targets.talents]\nthreshold = 5\ndeadline = "2024-12"\n', "targets.talents", "a KPI id"),
    (
        '[targets.reform_cases]\nthreshold = 5\ndeadline = "2030-12"\n',
        "targets.reform_cases.deadline",
        "the simulated horizon",
    ),
    ("[targets.reform_cases]\nthreshold = 5\n", "targets.reform_cases.deadline", "a value"),
    ("time = 3\n", "time", "a table"),
    (
        "[carriers.incubator]\ncapacity = 10\nspeed = 3\n",
        "carriers.incubator.speed",
        "one of the keys",
    ),
]


@pytest.mark.parametrize("text,key,expected", CASES)
def test_bad_values_name_file_key_and_expectation(tmp_path, text, key, expected):
    path = write(tmp_path, "bad.toml", 'name = "bad"\n' + text)
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert str(path) in msg and key in msg and expected in msg, msg
    assert "found" in msg


def test_error_blames_the_file_that_set_the_key(tmp_path):
    write(tmp_path, "base.toml", 'name = "base"\n[talent]\nbeta_wage = -3\n')
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\nname = "child"\n')
    with pytest.raises(ConfigError) as err:
        load_scenario(child)
    assert "base.toml" in err.value.file and err.value.key == "talent.beta_wage"


def test_missing_cyclic_folder_empty_binary_syntax(tmp_path):
    with pytest.raises(ConfigError, match="no file at"):
        load_scenario(tmp_path / "nope.toml")
    a = write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ConfigError, match="cycle"):
        load_scenario(a)
    missing = write(tmp_path, "m.toml", 'extends = "gone.toml"\n')
    with pytest.raises(ConfigError, match="gone.toml"):
        load_scenario(missing)
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ConfigError, match="a folder"):
        load_scenario(tmp_path / "dir.toml")
    with pytest.raises(ConfigError, match="empty"):
        load_scenario(write(tmp_path, "e.toml", "  \n"))
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b'name = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_scenario(bad)
    with pytest.raises(ConfigError, match="valid TOML"):
        load_scenario(write(tmp_path, "s.toml", "name = \n"))


def test_defaults_are_finite_and_in_range():
    from qcy_sim.schema import ModelParams, iter_keys

    defaults = ModelParams()
    for key, f, _typ, _ in iter_keys():
        v = defaults
        for part in key.split("."):
            v = getattr(v, part)
        values = v if isinstance(v, tuple) else (v,)
        for x in values:
            if isinstance(x, int | float) and not isinstance(x, bool):
                assert math.isfinite(x), key
                lo, hi = f.metadata["lo"], f.metadata["hi"]
                assert (lo is None or x >= lo) and (hi is None or x <= hi), key


MIXES = (
    "finance_heavy",
    "carriers_first",
    "services_housing",
    "overseas_focus",
    "university_linkage",
)


def public_budget(sc):
    f, pool = sc.params.funds, sc.params.policy.three_pools
    return (
        f.special.budget_cny_million_per_year
        + f.development.budget_cny_million_per_year
        + f.capital_pool.budget_cny_million_per_year
        + (pool.capital_pool_cny_million_per_year if pool.on else 0.0)
    )


def test_named_mixes_have_the_baseline_public_budget(baseline):
    for name in MIXES:
        sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
        assert public_budget(sc) == pytest.approx(public_budget(baseline)), name
        assert sc.config_hash != baseline.config_hash


def test_milestones_are_validated_and_reported(tmp_path):
    from qcy_sim.runner import run_replicates

    sc = load_scenario(ROOT / "scenarios" / "baseline_milestones.toml")
    assert len(sc.milestones) == 8
    assert sc.config_hash != load_scenario(ROOT / "scenarios" / "baseline.toml").config_hash
    tiny = write(
        tmp_path,
        "m.toml",
        f'extends = "{(DATA / "tiny.toml").as_posix()}"\n'
        '[milestones.innovation_talents]\n"2022-06" = 300\n"2022-12" = 1e9\n',
    )
    rep = run_replicates(load_scenario(tiny), replicates=3, seed=1)
    ms = rep.summary()["milestones"]["innovation_talents"]
    assert ms["2022-06"]["p_met"] == 1.0 and ms["2022-12"]["p_met"] == 0.0
    bad = write(
        tmp_path,
        "b.toml",
        f'extends = "{(DATA / "tiny.toml").as_posix()}"\n'
        '[milestones.innovation_talents]\n"2030-01" = 5\n',
    )
    with pytest.raises(ConfigError, match="milestones.innovation_talents.2030-01"):
        load_scenario(bad)
    bad = write(
        tmp_path,
        "c.toml",
        f'extends = "{(DATA / "tiny.toml").as_posix()}"\n[milestones.talents]\n"2022-06" = 5\n',
    )
    with pytest.raises(ConfigError, match="a KPI id"):
        load_scenario(bad)
