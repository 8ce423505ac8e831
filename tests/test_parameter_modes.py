"""--parameters in qcy run, compare and sweep: today's numbers at fixed, the same draws anywhere."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from qcy_sim import runner
from qcy_sim.cli import main
from qcy_sim.execution import RunFailed
from qcy_sim.experiment import apply_point, load_experiment
from qcy_sim.priors import priors
from qcy_sim.runner import extend_replicates, replicate_seeds, run, run_replicates
from qcy_sim.schema import KPIS
from qcy_sim.sweep import SerialExecutor, plan_sweep, run_sweep
from qcy_sim.uncertainty import parameter_design, parameter_setup, pinned_keys

from .conftest import DATA

TINY = DATA / "tiny.toml"
MORE = DATA / "tiny_more_awards.toml"
EXPERIMENT = DATA / "sweep_tiny.toml"
QUIET = ["--quiet", "--no-figures"]


def _posterior(tmp_path, sc, rows=4, name="post.parquet", drop=None, weights=None):
    """A small synthetic posterior: the priors' medians, moved by 3 % per row."""
    frame = pd.DataFrame(
        [{k: float(p.ppf(0.3 + 0.1 * i)) for k, p in priors(sc).items()} for i in range(rows)]
    )
    frame["weight"] = np.ones(rows) if weights is None else weights
    if drop:
        frame = frame.drop(columns=[drop])
    path = tmp_path / name
    frame.to_parquet(path)
    return path


def _run(out, *flags, scenario=TINY):
    args = ["run", str(scenario), "--replicates", "6", "--seed", "3", "--out", str(out)]
    assert main([*args, *QUIET, *flags]) == 0
    return out


def _kpi(folder) -> np.ndarray:
    ts = pd.read_parquet(folder / "timeseries.parquet")
    n = ts["replicate"].nunique()
    return ts[list(KPIS)].to_numpy().reshape(n, -1, len(KPIS))


def test_fixed_is_todays_output_bit_for_bit(tiny, tmp_path):
    out = _run(tmp_path / "f", "--parameters", "fixed", "--workers", "1")
    seeds = replicate_seeds(3, 6)
    kpi = _kpi(out)
    assert kpi.shape[0] == 6  # N replicates exactly, not whole draws
    for i, seed in enumerate(seeds):  # each replicate is the scenario's own run with its seed
        np.testing.assert_array_equal(kpi[i], run(tiny.to_dict(), seed)["kpi"])
    runs = pd.read_parquet(out / "runs.parquet")
    assert "draw" not in runs and not any(c.startswith("param.") for c in runs)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["parameters"]["mode"] == "fixed"
    assert summary["parameters"]["draws"] == 1 and summary["parameters"]["posterior"] is None
    assert all(t["variance_share_parameters"] == 0.0 for t in summary["targets"].values())
    assert json.loads((out / "manifest.json").read_text())["seeds"] == seeds
    # the library's default is fixed too, and a fixed sweep keeps today's run ids and plan hash
    assert run_replicates(tiny, 6, 3).parameters.setup.fixed
    exp = load_experiment(EXPERIMENT)
    fixed = plan_sweep(exp, parameter_setup(tiny, "fixed"))
    assert fixed.run_ids == plan_sweep(exp).run_ids and fixed.plan_hash == plan_sweep(exp).plan_hash
    assert fixed.run_ids[0] == exp.run_id(exp.points[0], 0)


def test_default_is_prior_without_a_posterior_and_posterior_with_one(tiny, tmp_path):
    out = _run(tmp_path / "d", "--workers", "1")
    summary = json.loads((out / "summary.json").read_text())
    par = summary["parameters"]
    assert (par["mode"], par["draws"], par["seeds_per_draw"]) == ("prior", 2, 4)
    assert summary["replicates"] == 8  # 6 replicates become ceil(6 / 4) = 2 draws x 4 seeds
    # tiny sets its area's size itself: those parameters keep its values
    assert par["pinned"] == pinned_keys(tiny) and "initial.talents" in par["pinned"]
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs["draw"]) == [0] * 4 + [1] * 4
    assert "param.initial.talents" not in runs and "param.talent.beta_wage" in runs
    wage = runs.groupby("draw")["param.talent.beta_wage"].nunique()
    assert (wage == 1).all()  # one vector per draw
    assert runs["param.talent.beta_wage"].iloc[0] != runs["param.talent.beta_wage"].iloc[4]
    # the recorded values are what ran: replicate 5 is the model at draw 1 with its seed
    row = runs.iloc[5]
    recorded = {k[len("param.") :]: row[k] for k in runs if k.startswith("param.")}
    design = parameter_design(tiny, parameter_setup(tiny), 6, 3)
    assert {k: float(v) for k, v in design.overlay(5).items()} == recorded
    task = apply_point(tiny.to_dict(), design.overlay(5))
    np.testing.assert_array_equal(_kpi(out)[5], run(task, replicate_seeds(3, 8)[5])["kpi"])
    # a scenario that names a posterior runs from it by default
    post = _posterior(tmp_path, tiny)
    named = tmp_path / "named.toml"
    named.write_text(f'extends = "{TINY}"\nposterior = "post.parquet"\n')
    out = _run(tmp_path / "p", "--workers", "1", scenario=named)
    par = json.loads((out / "summary.json").read_text())["parameters"]
    assert par["mode"] == "posterior" and par["posterior"]["rows"] == 4
    assert par["posterior"]["sha256"] == hashlib.sha256(post.read_bytes()).hexdigest()
    assert par["posterior"]["path"] == str(post)


@pytest.fixture(scope="module")
def drawn_serial(tmp_path_factory):
    base = tmp_path_factory.mktemp("serial")
    flags = ["--parameters", "prior", "--seeds-per-draw", "2", "--executor", "serial"]
    return _run(base / "run", *flags)


@pytest.mark.parametrize(
    "flags",
    [["--executor", "local", "--workers", "2"], ["--executor", "dask", "--workers", "2"]],
    ids=["local", "dask"],
)
def test_the_same_seed_gives_the_same_draws_and_numbers_on_every_executor(
    drawn_serial, tmp_path, flags
):
    out = _run(tmp_path / "run", "--parameters", "prior", "--seeds-per-draw", "2", *flags)
    for name in ("timeseries.parquet", "runs.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(drawn_serial / name), pd.read_parquet(out / name), check_exact=True
        )
    assert json.loads((out / "summary.json").read_text()) == json.loads(
        (drawn_serial / "summary.json").read_text()
    )
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["draw"].nunique() == 3  # 6 replicates = 3 draws x 2 seeds


def test_posterior_draws_are_the_same_on_one_and_two_workers(tiny, tmp_path):
    post = _posterior(tmp_path, tiny, rows=3)
    flags = ["--posterior", str(post), "--seeds-per-draw", "2"]
    one = _run(tmp_path / "one", *flags, "--workers", "1")
    two = _run(tmp_path / "two", *flags, "--executor", "local", "--workers", "2")
    a, b = pd.read_parquet(one / "runs.parquet"), pd.read_parquet(two / "runs.parquet")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    rows = pd.read_parquet(post)
    for _, r in a.iterrows():  # every drawn vector is a row of the posterior sample
        match = np.isclose(rows["talent.beta_wage"], r["param.talent.beta_wage"], rtol=0, atol=0)
        assert match.any()


def test_compare_gives_every_mix_the_same_draws_and_seeds(tmp_path):
    out = tmp_path / "c"
    args = ["compare", str(TINY), str(MORE), "--replicates", "4", "--seed", "2"]
    flags = ["--parameters", "prior", "--seeds-per-draw", "2", "--workers", "1"]
    assert main([*args, *flags, "--out", str(out), *QUIET]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    a, b = (runs[runs["mix"] == m].reset_index(drop=True) for m in ("tiny", "tiny_more_awards"))
    drawn = ["seed", "draw", *[c for c in runs if c.startswith("param.")]]
    assert len(drawn) > 20
    pd.testing.assert_frame_equal(a[drawn], b[drawn], check_exact=True)
    assert a["draw"].tolist() == [0, 0, 1, 1]
    assert a["param.talent.beta_wage"].nunique() == 2
    data = json.loads((out / "compare.json").read_text())
    assert data["parameters"]["mode"] == "prior" and data["parameters"]["draws"] == 2
    assert data["parameters"]["pinned"]["tiny"] == data["parameters"]["pinned"]["tiny_more_awards"]
    assert "same draw" in data["methods"]["parameters"]


def test_compare_refuses_mixes_with_other_priors(tmp_path, capsys):
    other = tmp_path / "other.toml"
    other.write_text(
        f'extends = "{MORE}"\n[uncertain]\n'
        '"talent.beta_wage" = { dist = "uniform", bounds = [2.0, 3.0] }\n'
    )
    args = ["compare", str(TINY), str(other), "--replicates", "2", "--parameters", "prior"]
    assert main([*args, "--out", str(tmp_path / "c"), *QUIET]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'talent.beta_wage'" in err and "same draws" in err
    assert not (tmp_path / "c").exists()
    # at fixed parameters the priors do not matter
    flags = ["--parameters", "fixed", "--workers", "1"]
    assert main([*args[:-2], *flags, "--out", str(tmp_path / "f"), *QUIET]) == 0


def test_prior_draws_widen_the_innovation_talents_spread(tiny):
    # measured over seeds 0-11 with 16 replicates (4 draws x 4 seeds): the 90 % band under
    # prior draws is 1.55-2.53 times the fixed one, the standard deviation 1.58-2.61 times
    j = KPIS.index("innovation_talents")
    fixed = run_replicates(tiny, 16, 0, workers=2).kpi[:, -1, j]
    drawn = run_replicates(tiny, 16, 0, workers=2, parameters=parameter_setup(tiny, "prior"))
    prior = drawn.kpi[:, -1, j]
    assert drawn.n == 16 and drawn.parameters.draws == 4

    def band(x):
        return np.subtract(*np.percentile(x, [95, 5]))

    assert band(prior) > 1.3 * band(fixed)
    assert prior.std() > 1.3 * fixed.std()
    # the same seeds: draw 0's first replicate and the fixed run's first share their seed
    assert drawn.seeds == replicate_seeds(0, 16)
    share = drawn.summary()["targets"]["innovation_talents"]["variance_share_parameters"]
    assert 0.0 < share <= 1.0


def test_variance_share_is_null_with_one_seed_per_draw(tmp_path):
    out = _run(tmp_path / "r1", "--parameters", "prior", "--seeds-per-draw", "1", "--workers", "1")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["parameters"]["draws"] == 6 and summary["parameters"]["seeds_per_draw"] == 1
    assert all(t["variance_share_parameters"] is None for t in summary["targets"].values())


def test_growing_a_drawn_run_adds_whole_draws(tiny):
    setup = parameter_setup(tiny, "prior", seeds_per_draw=3)
    small = run_replicates(tiny, 4, 5, parameters=setup)
    assert small.n == 6
    grown = extend_replicates(small, 7)
    direct = run_replicates(tiny, 9, 5, parameters=setup)
    assert grown.n == direct.n == 9 and grown.seeds == direct.seeds
    np.testing.assert_array_equal(grown.kpi, direct.kpi)
    assert grown.parameters.values == direct.parameters.values


def test_a_checkpoint_never_mixes_modes(tiny, tmp_path, monkeypatch):
    store = tmp_path / "ckpt"
    prior = run_replicates(tiny, 4, 1, checkpoint=store, parameters=parameter_setup(tiny, "prior"))

    def boom(params, seed):
        raise RuntimeError("ran again")

    monkeypatch.setattr(runner, "run", boom)
    again = run_replicates(tiny, 4, 1, checkpoint=store, parameters=parameter_setup(tiny, "prior"))
    np.testing.assert_array_equal(again.kpi, prior.kpi)  # all four loaded, none run
    with pytest.raises(RunFailed, match="ran again"):  # same seeds, other mode: nothing loaded
        run_replicates(tiny, 4, 1, checkpoint=store)
    post = _posterior(tmp_path, tiny, rows=2)
    with pytest.raises(RunFailed, match="ran again"):  # a posterior is another mode again
        run_replicates(
            tiny, 4, 1, checkpoint=store, parameters=parameter_setup(tiny, posterior=post)
        )
    # each mode keeps its own folder, even where the values drawn would coincide
    folders = sorted(p.name.rsplit("-", 2)[-2] for p in store.iterdir() if p.is_dir())
    assert len(folders) == 3 and folders.count("prior") == 1 and folders.count("posterior") == 1


def test_sweep_points_share_the_draws(tiny, tmp_path, capsys):
    exp = load_experiment(EXPERIMENT)
    # a factor keeps its value at every point, also at the level equal to the default
    path = tmp_path / "e.toml"
    path.write_text(
        f'[experiment]\nscenarios = ["{TINY.as_posix()}"]\nreplicates = 2\nseed = 3\n'
        '[design]\nkind = "factorial"\n[uncertain]\n"talent.beta_wage" = { values = [2.5, 3.0] }\n'
    )
    small = load_experiment(path)
    assert small.points[0].values["talent.beta_wage"] == tiny.to_dict()["talent"]["beta_wage"]
    plan = plan_sweep(small, parameter_setup(tiny, "prior", seeds_per_draw=2))
    assert "talent.beta_wage" not in plan.drawn
    assert all("talent.beta_wage" not in plan.overlay(p.point_id, 0) for p in small.points)
    setup = parameter_setup(exp.scenarios[0], "prior", seeds_per_draw=2)
    result = run_sweep(exp, tmp_path / "s", SerialExecutor(), parameters=setup)
    runs = result.runs_frame()
    assert len(runs) == 6 * 4 and result.summary["parameters"]["mode"] == "prior"
    assert result.summary["parameters"]["draws"] == 2
    assert "talent.beta_wage" in result.summary["parameters"]["pinned"]  # a factor wins
    params = [c for c in runs if c.startswith("param.")]
    assert params and "param.talent.beta_wage" not in params
    by_point = [
        g[["replicate", "seed", "draw", *params]].reset_index(drop=True)
        for _, g in runs.groupby("point_id")
    ]
    for frame in by_point[1:]:
        pd.testing.assert_frame_equal(frame, by_point[0], check_exact=True)
    # resuming it at another mode is refused (the plan differs)
    args = ["sweep", str(EXPERIMENT), "--out", str(tmp_path / "s"), "--resume", "--quiet"]
    assert main([*args, "--parameters", "fixed"]) == 2
    assert "plan_hash" in capsys.readouterr().err


def _one_line_error(capsys, *args) -> str:
    assert main(list(args)) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("qcy: error: ") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
    return captured.err


def test_bad_parameter_flags_are_one_line_errors(tiny, tmp_path, capsys):
    run_ = ["run", str(TINY), "--out", str(tmp_path / "o"), "--quiet"]
    err = _one_line_error(capsys, *run_, "--parameters", "posterior")
    assert "posterior: expected a posterior sample" in err and "none named" in err
    err = _one_line_error(capsys, *run_, "--seeds-per-draw", "0")
    assert "--seeds-per-draw: expected a whole number >= 1, found 0" in err
    post = _posterior(tmp_path, tiny, drop="talent.beta_wage")
    err = _one_line_error(capsys, *run_, "--posterior", str(post))
    assert "columns: expected one column per uncertain parameter" in err
    assert "no column 'talent.beta_wage'" in err
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"not a parquet file")
    err = _one_line_error(capsys, *run_, "--posterior", str(garbage))
    assert "expected a Parquet file, found unreadable" in err
    err = _one_line_error(capsys, *run_, "--posterior", str(tmp_path / "missing.parquet"))
    assert "no file at" in err
    zero = _posterior(tmp_path, tiny, name="zero.parquet", weights=np.zeros(4))
    err = _one_line_error(capsys, *run_, "--posterior", str(zero))
    assert "weight: expected weights that sum to a positive number, found a sum of 0" in err
    good = _posterior(tmp_path, tiny, name="good.parquet")
    err = _one_line_error(capsys, *run_, "--posterior", str(good), "--parameters", "prior")
    assert "--posterior: expected --parameters posterior" in err
    # compare and sweep check the same flags before anything runs
    cmp = ["compare", str(TINY), str(MORE), "--out", str(tmp_path / "c"), "--quiet"]
    _one_line_error(capsys, *cmp, "--posterior", str(post))
    sweep = ["sweep", str(EXPERIMENT), "--out", str(tmp_path / "s"), "--quiet"]
    _one_line_error(capsys, *sweep, "--seeds-per-draw", "-1")
    _one_line_error(capsys, *sweep, "--parameters", "posterior")
    assert not any((tmp_path / d).exists() for d in ("o", "c", "s"))
