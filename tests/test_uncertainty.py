"""Parameter modes: draws fixed by (seed, index), the nested design, the variance split."""

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from qcy_sim.priors import priors
from qcy_sim.runner import replicate_seeds, run, run_replicates
from qcy_sim.scenario import ConfigError, load_scenario
from qcy_sim.uncertainty import (
    default_mode,
    load_posterior,
    nested_design,
    parameter_draw,
    parameter_draws,
    replicate_tasks,
    variance_share_parameters,
)

from .conftest import DATA


def test_fixed_mode_is_todays_run_bit_for_bit(tiny):
    draws = parameter_draws(tiny, "fixed", 1, seed=5)
    assert draws == [{}]
    design = nested_design(draws, 2, base_seed=7)
    assert [r.seed for r in design] == replicate_seeds(7, 2)
    tasks = replicate_tasks(tiny, design)
    assert all(params == tiny.to_dict() for params, _ in tasks)
    today = run_replicates(tiny, 2, seed=7)
    for i, (params, seed) in enumerate(tasks):
        np.testing.assert_array_equal(run(params, seed)["kpi"], today.kpi[i])


def test_prior_draws_lie_in_their_bounds_and_extend_as_prefixes(tiny):
    pri = priors(tiny)
    few = parameter_draws(tiny, "prior", 5, seed=11)
    many = parameter_draws(tiny, "prior", 16, seed=11)
    assert many[:5] == few
    assert parameter_draw(tiny, "prior", 9, seed=11) == many[9]
    assert parameter_draws(tiny, "prior", 5, seed=12) != few
    for d in many:
        assert list(d) == list(pri)
        assert all(pri[k].lo <= v <= pri[k].hi for k, v in d.items())
        assert isinstance(d["initial.talents"], int)  # an integer key is rounded
    # Sobol' points fill the range: every quarter of every parameter's prior is visited
    for key, p in pri.items():
        q = np.floor(p.cdf([d[key] for d in many]) * 4).clip(0, 3)
        assert set(q) == {0, 1, 2, 3}, key


def test_random_draws_keep_their_streams_when_a_parameter_is_added(tiny, tmp_path):
    path = tmp_path / "more.toml"
    path.write_text(
        f'extends = "{DATA / "tiny.toml"}"\n[uncertain]\n'
        '"talent.beta_jobs" = { dist = "uniform", bounds = [0.5, 1.5] }\n'
    )
    more = load_scenario(path)
    a = parameter_draws(tiny, "prior", 4, seed=3, method="random")
    b = parameter_draws(more, "prior", 4, seed=3, method="random")
    for da, db in zip(a, b, strict=True):
        assert {k: db[k] for k in da} == da and 0.5 <= db["talent.beta_jobs"] <= 1.5
    assert parameter_draw(tiny, "prior", 2, seed=3, method="random") == a[2]


def getattr_dotted(obj, key):
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def test_latin_hypercube_has_one_draw_per_stratum(tiny):
    k = 10
    draws = parameter_draws(tiny, "prior", k, seed=1, method="lhs")
    for key, p in priors(tiny).items():
        if isinstance(getattr_dotted(tiny.params, key), int):  # rounding may cross an edge
            continue
        strata = np.floor(p.cdf([d[key] for d in draws]) * k).astype(int)
        assert sorted(strata) == list(range(k)), key
    with pytest.raises(ValueError):
        parameter_draw(tiny, "prior", 0, seed=1, method="lhs")


def _draw_in_worker(args):
    index, seed, mode, post = args
    sc = load_scenario(DATA / "tiny.toml")
    return parameter_draw(sc, mode, index, seed, posterior=post)


@pytest.mark.parametrize("mode", ["prior", "posterior"])
def test_the_same_seed_gives_the_same_draws_on_any_number_of_workers(tiny, tmp_path, mode):
    post = _posterior_file(tmp_path, tiny, rows=6) if mode == "posterior" else None
    here = parameter_draws(tiny, mode, 8, seed=21, posterior=post)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    for workers in (1, 2):
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            got = list(pool.map(_draw_in_worker, [(i, 21, mode, post) for i in range(8)]))
        assert got == here, workers


def _posterior_file(tmp_path, sc, rows=3, weights=None, name="post.parquet", **changes):
    base = {k: float(p.ppf(0.5)) for k, p in priors(sc).items()}
    frame = pd.DataFrame(
        [
            {k: v * (1 + 0.01 * i) if k != "initial.talents" else v for k, v in base.items()}
            for i in range(rows)
        ]
    )
    frame["weight"] = weights if weights is not None else np.ones(rows)
    for key, value in changes.items():
        if value is None:
            frame = frame.drop(columns=[key])
        else:
            frame[key] = value
    path = tmp_path / name
    frame.to_parquet(path)
    return path


def test_posterior_draws_follow_the_weights(tiny, tmp_path):
    path = _posterior_file(tmp_path, tiny, rows=3, weights=[0.0, 1.0, 0.0])
    post = load_posterior(path, list(priors(tiny)))
    draws = parameter_draws(tiny, "posterior", 20, seed=4, posterior=path)
    assert all(d == parameter_draws(tiny, "posterior", 1, 4, post)[0] for d in draws)
    column = list(post.keys).index("talent.beta_wage")
    assert draws[0]["talent.beta_wage"] == pytest.approx(post.values[1, column])
    path = _posterior_file(tmp_path, tiny, rows=2, weights=[1.0, 3.0])
    draws = parameter_draws(tiny, "posterior", 2000, seed=4, posterior=path)
    middle = priors(tiny)["talent.beta_wage"].ppf(0.5)  # row 0 is at it, row 1 1 % above
    second = np.mean([d["talent.beta_wage"] > middle for d in draws])
    assert second == pytest.approx(0.75, abs=0.04)  # 4 binomial SDs at n = 2000
    assert parameter_draws(tiny, "posterior", 50, 4, path)[:10] == draws[:10]


def test_the_scenario_names_its_posterior(tiny, tmp_path):
    _posterior_file(tmp_path, tiny, rows=2)
    path = tmp_path / "s.toml"
    path.write_text(f'extends = "{DATA / "tiny.toml"}"\nposterior = "post.parquet"\n')
    sc = load_scenario(path)
    assert default_mode(sc) == "posterior" and default_mode(tiny) == "prior"
    assert len(parameter_draws(sc, "posterior", 3, seed=1)) == 3
    with pytest.raises(ConfigError, match="none named"):
        parameter_draws(tiny, "posterior", 3, seed=1)


@pytest.mark.parametrize(
    "changes, key, found",
    [
        ({"talent.beta_wage": None}, "columns", "no column 'talent.beta_wage'"),
        ({"talent.nope": 1.0}, "columns", "other columns 'talent.nope'"),
        ({"weight": None}, "weight", "no such column"),
        ({"weight": [1.0, -1.0, 1.0]}, "weight", "-1 in row 1"),
        ({"weight": [0.0, 0.0, 0.0]}, "weight", "a sum of 0"),
        ({"weight": [1.0, np.nan, 1.0]}, "weight", "nan in row 1"),
        ({"talent.beta_wage": ["a", "b", "c"]}, "talent.beta_wage", "type "),
        ({"talent.beta_wage": [1.0, 99.0, 1.0]}, "talent.beta_wage", "99 in row 1"),
    ],
)
def test_bad_posterior_files_are_one_line_errors(tiny, tmp_path, changes, key, found):
    path = _posterior_file(tmp_path, tiny, **changes)
    with pytest.raises(ConfigError) as exc:
        parameter_draws(tiny, "posterior", 2, seed=0, posterior=path)
    assert exc.value.key == key and found in exc.value.found
    assert str(exc.value).startswith(f"{path}: {key}: expected ") and "\n" not in str(exc.value)


def test_missing_and_unreadable_posterior_files(tiny, tmp_path):
    with pytest.raises(ConfigError, match="no file at"):
        parameter_draws(tiny, "posterior", 1, 0, posterior=tmp_path / "nope.parquet")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(ConfigError, match="expected a Parquet file, found unreadable"):
        parameter_draws(tiny, "posterior", 1, 0, posterior=tmp_path / "bad.parquet")


def test_nested_design_layout_and_common_random_numbers(tiny, baseline):
    draws = parameter_draws(tiny, "prior", 3, seed=2)
    design = nested_design(draws, 4, base_seed=9)
    assert [(r.index, r.draw) for r in design] == [(j, j // 4) for j in range(12)]
    assert [r.seed for r in design] == replicate_seeds(9, 12)
    assert all(r.params is draws[r.draw] for r in design)
    # two mixes with the same priors get the same draws and the same seeds
    other = nested_design(parameter_draws(baseline, "prior", 3, seed=2), 4, base_seed=9)
    assert [(r.seed, r.params) for r in other] == [(r.seed, r.params) for r in design]
    params, seed = replicate_tasks(tiny, design)[5]
    assert seed == design[5].seed
    assert params["talent"]["beta_wage"] == draws[1]["talent.beta_wage"]
    with pytest.raises(ValueError):
        nested_design(draws, 0, 1)


def test_variance_share_by_hand():
    # means 2 and 6, grand mean 4: MSB = 2 * (4 + 4) / 1 = 16; MSW = (1+1+1+1) / 2 = 2;
    # between = (16 - 2) / 2 = 7, share = 7 / (7 + 2)
    assert variance_share_parameters([[1, 3], [5, 7]]) == pytest.approx(7 / 9)
    # means 3 and 5: MSB = 2 * (1 + 1) = 4 < MSW = 16 / 2 = 8: clipped to 0
    assert variance_share_parameters([[1, 5], [3, 7]]) == 0.0
    # no noise at all: all of the variance is the parameters'
    assert variance_share_parameters([[1, 1, 1], [4, 4, 4]]) == 1.0
    # K = 3, R = 2: means 1, 2, 6 (grand 3); MSB = 2 * (4 + 1 + 9) / 2 = 14;
    # MSW = (0.25 * 2 + 1 * 2 + 0) / 3 = 2.5 / 3; between = (14 - 2.5/3) / 2
    b = (14 - 2.5 / 3) / 2
    assert variance_share_parameters([[0.5, 1.5], [1, 3], [6, 6]]) == pytest.approx(
        b / (b + 2.5 / 3)
    )
    assert variance_share_parameters([[1, 2]]) is None  # one draw
    assert variance_share_parameters([[1], [2]]) is None  # one seed per draw
    assert variance_share_parameters([[3, 3], [3, 3]]) is None  # no variance
    with pytest.raises(ValueError):
        variance_share_parameters([1, 2, 3])


def test_variance_share_recovers_a_known_split():
    rng = np.random.default_rng(0)
    theta = rng.normal(0, 2, size=(2000, 1))  # Var(E[y|theta]) = 4
    y = theta + rng.normal(0, 1, size=(2000, 5))  # noise variance 1
    assert variance_share_parameters(y) == pytest.approx(0.8, abs=0.02)


def test_validate_checks_the_posterior_a_scenario_names(tiny, tmp_path, capsys):
    from qcy_sim.cli import main

    path = tmp_path / "s.toml"
    path.write_text(f'extends = "{DATA / "tiny.toml"}"\nposterior = "post.parquet"\n')
    assert main(["validate", str(path)]) == 2  # no file yet
    assert (
        "expected an existing posterior sample (Parquet), found no file" in capsys.readouterr().err
    )
    _posterior_file(tmp_path, tiny, rows=2, weights=[0.0, 0.0])
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qcy: error: ") and err.count("\n") == 1
    assert "weight: expected weights that sum to a positive number, found a sum of 0" in err
    _posterior_file(tmp_path, tiny, rows=3, **{"talent.beta_wage": None})
    assert main(["validate", str(path)]) == 2
    assert "found no column 'talent.beta_wage'" in capsys.readouterr().err
    _posterior_file(tmp_path, tiny, rows=3)
    assert main(["validate", str(path)]) == 0
    assert "posterior of 3 draws" in capsys.readouterr().out
