"""Priors: the default rule, the distributions, the [uncertain] table and its errors."""

import math

import numpy as np
import pytest

from qcy_sim.cli import main
from qcy_sim.priors import DISTRIBUTIONS, Prior, prior_from_spec, priors, schema_priors
from qcy_sim.scenario import ConfigError, load_scenario, scenario_from_dict
from qcy_sim.schema import iter_keys, uncertain_parameters

from .conftest import DATA


def test_every_uncertain_parameter_has_a_prior_inside_its_plausible_range():
    pri = schema_priors()
    assert list(pri) == list(uncertain_parameters())
    docs = {key: f.metadata["doc"] for key, f, _t, _c in iter_keys()}
    for key, (lo, hi) in uncertain_parameters().items():
        p = pri[key]
        assert (p.lo, p.hi) == (lo, hi), key
        assert p.rationale, key
        if p.dist == "uniform":  # the default rule: the field's doc is the rationale
            assert p.rationale == docs[key]
    assert pri["teams.sc_form_per_year"].dist == "loguniform"  # given in the schema
    assert "factor of 4" in pri["teams.sc_form_per_year"].rationale


def test_the_default_rule():
    assert prior_from_spec(None, (1.0, 9.0), "d") == Prior("uniform", 1.0, 9.0, (), "d")
    assert prior_from_spec(None, (1.0, 11.0), "d").dist == "loguniform"  # hi / lo > 10
    assert prior_from_spec(None, (0.0, 100.0), "d").dist == "uniform"  # lo = 0: no log scale
    p = prior_from_spec(("normal", 2.0, 0.5, (0.5, 4.0), "why"), (1.0, 3.0), "d")
    assert p == Prior("normal", 0.5, 4.0, (2.0, 0.5), "why")
    assert prior_from_spec(("beta", 2, 3), (0, 1), "d") == Prior("beta", 0.0, 1.0, (2.0, 3.0), "d")
    with pytest.raises(ValueError):
        prior_from_spec(("gamma", 1.0), (0, 1), "d")


PRIORS = [
    Prior("uniform", 2.0, 5.0),
    Prior("loguniform", 0.01, 1.0),
    Prior("normal", 0.0, 4.0, (1.0, 2.0)),
    Prior("lognormal", 0.5, 8.0, (2.0, 0.7)),
    Prior("beta", 10.0, 20.0, (2.0, 5.0)),
]


@pytest.mark.parametrize("p", PRIORS, ids=[p.dist for p in PRIORS])
def test_distributions_are_proper_and_truncated(p):
    x = np.linspace(p.lo, p.hi, 20001)
    assert np.trapezoid(p.pdf(x), x) == pytest.approx(1.0, abs=2e-3)
    assert p.pdf(p.lo - 1e-9) == 0 and p.pdf(p.hi + 1e-9) == 0
    u = np.linspace(0.001, 0.999, 41)
    v = p.ppf(u)
    assert np.all(np.diff(v) > 0) and v.min() >= p.lo and v.max() <= p.hi
    np.testing.assert_allclose(p.cdf(v), u, atol=1e-9)
    assert p.ppf(0.0) == pytest.approx(p.lo) and p.ppf(1.0) == pytest.approx(p.hi)
    draws = p.sample(np.random.default_rng(1), 20000)
    mean = np.trapezoid(x * p.pdf(x), x)
    assert draws.mean() == pytest.approx(mean, rel=0.02)


def test_known_values():
    assert Prior("uniform", 2.0, 6.0).ppf(0.25) == pytest.approx(3.0)
    assert Prior("loguniform", 1.0, 100.0).ppf(0.5) == pytest.approx(10.0)
    assert Prior("lognormal", 0.1, 1000.0, (10.0, 0.5)).ppf(0.5) == pytest.approx(10.0, rel=1e-6)
    # a normal truncated symmetrically keeps its median; its density is renormalised
    p = Prior("normal", 1.0, 3.0, (2.0, 1.0))
    assert p.ppf(0.5) == pytest.approx(2.0)
    z = math.erf(1 / math.sqrt(2))  # P(|N(0,1)| < 1)
    assert p.pdf(2.0) == pytest.approx(1 / math.sqrt(2 * math.pi) / z)


def test_invalid_priors_are_refused():
    for args in [
        ("uniform", 3.0, 1.0),
        ("loguniform", 0.0, 1.0),
        ("normal", 0.0, 1.0, (0.5, 0.0)),
        ("beta", 0.0, 1.0, (0.0, 1.0)),
        ("normal", 0.0, 1.0, (0.5,)),
    ]:
        with pytest.raises(ValueError):
            Prior(args[0], args[1], args[2], *args[3:])
    assert set(DISTRIBUTIONS) == {"uniform", "loguniform", "normal", "lognormal", "beta"}


def _write(tmp_path, body, name="s.toml", base=DATA / "tiny.toml"):
    path = tmp_path / name
    path.write_text(f'extends = "{base}"\n{body}')
    return path


def test_uncertain_table_overrides_and_adds(tmp_path, tiny):
    path = _write(
        tmp_path,
        "[uncertain]\n"
        '"talent.beta_wage" = { dist = "normal", mean = 2.0, sd = 0.5, bounds = [0.5, 4.0] }\n'
        '"talent.beta_jobs" = { dist = "uniform", bounds = [0.5, 1.5], rationale = "r" }\n'
        "[uncertain.enterprise]\n"
        'high_tech_per_year = { dist = "beta", a = 2, b = 8 }\n',
    )
    sc = load_scenario(path)
    pri = priors(sc)
    assert pri["talent.beta_wage"] == Prior(
        "normal", 0.5, 4.0, (2.0, 0.5), schema_priors()["talent.beta_wage"].rationale
    )
    assert pri["enterprise.high_tech_per_year"] == Prior(
        "beta", 0.4, 1.0, (2.0, 8.0), schema_priors()["enterprise.high_tech_per_year"].rationale
    )
    assert list(pri)[-1] == "talent.beta_jobs" and pri["talent.beta_jobs"].rationale == "r"
    assert len(pri) == len(uncertain_parameters()) + 1
    assert priors(tiny) == schema_priors()
    # the table enters the hash; its rationales do not; the dict round-trips
    assert sc.config_hash != tiny.config_hash
    assert scenario_from_dict(sc.to_dict()) == sc.__class__(**{**sc.__dict__, "path": "<dict>"})
    other = load_scenario(
        _write(
            tmp_path,
            (path.read_text().split("\n", 1)[1]).replace('rationale = "r"', 'rationale = "other"'),
            "t.toml",
        )
    )
    assert other.config_hash == sc.config_hash
    assert "uncertain" not in tiny.to_dict()


def test_an_entry_replaces_the_prior_of_the_file_it_extends(tmp_path):
    parent = _write(
        tmp_path,
        '[uncertain]\n"talent.beta_wage" = { dist = "normal", mean = 2.0, sd = 0.5 }\n'
        '"talent.beta_housing" = { dist = "uniform", bounds = [0.4, 0.9] }\n',
        "parent.toml",
    )
    child = _write(
        tmp_path,
        '[uncertain]\n"talent.beta_wage" = { dist = "uniform", bounds = [2.0, 3.0] }\n',
        "child.toml",
        base=parent,
    )
    pri = priors(load_scenario(child))
    assert (pri["talent.beta_wage"].dist, pri["talent.beta_wage"].args) == ("uniform", ())
    assert (pri["talent.beta_housing"].lo, pri["talent.beta_housing"].hi) == (0.4, 0.9)


def test_posterior_path_is_relative_to_the_file_that_names_it(tmp_path):
    (tmp_path / "sub").mkdir()
    parent = _write(tmp_path, 'posterior = "post/p.parquet"\n', "sub/parent.toml")
    child = _write(tmp_path, "", "child.toml", base=parent)
    sc = load_scenario(child)
    assert sc.posterior == str((tmp_path / "sub" / "post" / "p.parquet").resolve())
    assert sc.config_hash == load_scenario(DATA / "tiny.toml").config_hash  # path not hashed
    assert scenario_from_dict(sc.to_dict()).posterior == sc.posterior


@pytest.mark.parametrize(
    "body, key, expected",
    [
        ('"talent.nope" = { dist = "uniform" }', "uncertain.talent.nope", "numeric parameter"),
        (
            '"talent.beta_wage" = { dist = "uniform", bounds = [4.0, 1.0] }',
            "uncertain.talent.beta_wage.bounds",
            "low < high",
        ),
        (
            '"talent.beta_wage" = { dist = "normall", mean = 2, sd = 1 }',
            "uncertain.talent.beta_wage.dist",
            "did you mean 'normal'",
        ),
        ('"talent.beta_wage" = { mean = 2 }', "uncertain.talent.beta_wage.dist", "distribution"),
        (
            '"talent.beta_wage" = { dist = "normal", mean = 2 }',
            "uncertain.talent.beta_wage.sd",
            "needs it",
        ),
        (
            '"talent.beta_wage" = { dist = "normal", mean = 2, sd = -1 }',
            "uncertain.talent.beta_wage.sd",
            "> 0",
        ),
        (
            '"talent.beta_wage" = { dist = "uniform", mean = 2 }',
            "uncertain.talent.beta_wage.mean",
            "arguments of uniform",
        ),
        (
            '"talent.beta_wage" = { dist = "uniform", width = 2 }',
            "uncertain.talent.beta_wage.width",
            "one of dist",
        ),
        (
            '"talent.beta_wage" = { dist = "uniform", bounds = [-1.0, 2.0] }',
            "uncertain.talent.beta_wage.bounds",
            "valid range [0, 50]",
        ),
        (
            '"talent.asc_domestic" = { dist = "loguniform" }',
            "uncertain.talent.asc_domestic.bounds",
            "> 0 for loguniform",
        ),
        ('"talent.beta_jobs" = { dist = "uniform" }', "uncertain.talent.beta_jobs.bounds", "no"),
        ('"talent.beta_wage" = "wide"', "uncertain.talent.beta_wage", "a table"),
        ('"talent.beta_wage" = { dist = "uniform", bounds = [1, "x"] }', "", "finite number"),
    ],
)
def test_bad_uncertain_entries_are_one_line_errors(tmp_path, capsys, body, key, expected):
    path = _write(tmp_path, f"[uncertain]\n{body}\n")
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    if key:
        assert exc.value.key == key
    assert expected in str(exc.value) and exc.value.file == str(path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qcy: error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_bad_posterior_key(tmp_path):
    with pytest.raises(ConfigError, match="posterior: expected a Parquet file name"):
        load_scenario(_write(tmp_path, "posterior = 3\n"))
