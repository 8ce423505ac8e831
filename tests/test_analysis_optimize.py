"""The cheapest mix: the optimiser on a problem with a known cheapest point, then qcy optimize
on tiny.toml."""

import json

import numpy as np
import pytest

from qcy_sim.analysis.optimize import Evaluation, model_evaluator, search_cheapest
from qcy_sim.cli import main
from qcy_sim.experiment import Factor, load_experiment
from qcy_sim.sweep import SerialExecutor

from .conftest import DATA, RecordingExecutor


def _problem(replicates=60, seed=5):
    """Two levers in [0, 1]; cost 100 + 200 x + 400 y; replicate r meets the target when
    x + y / 2 >= u_r, with u_r ~ U(0, 1.2) fixed per replicate (common random numbers).
    P >= 0.9 needs x + y / 2 >= q, the 90 % order statistic of u; x is the cheaper way to
    the score (200 per unit against 800), so the cheapest point is x = 1, y = 2 (q - 1)."""
    u = np.random.default_rng(seed).uniform(0, 1.2, replicates)
    q = np.sort(u)[int(np.ceil(0.9 * replicates)) - 1]
    space = [Factor("x", "lever", bounds=(0.0, 1.0)), Factor("y", "lever", bounds=(0.0, 1.0))]
    calls = []

    def evaluate(v):
        calls.append(v)
        score = v["x"] + 0.5 * v["y"]
        return Evaluation(
            cost=np.full(replicates, 100 + 200 * v["x"] + 400 * v["y"]),
            met={"t": u <= score + 1e-12},
        )

    return space, evaluate, 100 + 200 + 800 * (q - 1), calls


def test_optimiser_finds_the_known_cheapest_point():
    space, evaluate, optimum, calls = _problem()
    res = search_cheapest(space, evaluate, 0.9, trials=60, seed=1)
    best = res["best"]
    assert best["p_all_met"] >= 0.9
    # within 5 % of the optimum cost (361.5); a feasible point cannot be cheaper than it
    assert optimum - 1e-6 <= best["cost_cny_million"] <= 1.05 * optimum
    assert best["levers"]["x"] > 0.9
    assert len(calls) == 60
    # the corners were tried first: the cheapest corner (0, 0) and the dearest (1, 1)
    assert calls[0] == {"x": 0.0, "y": 0.0} and calls[1] == {"x": 1.0, "y": 1.0}


def test_frontier_is_a_staircase_of_the_candidates():
    space, evaluate, _, _ = _problem(replicates=30)
    res = search_cheapest(space, evaluate, 0.9, trials=25, seed=2)
    fr = res["frontier"]
    costs = [t["cost_cny_million"] for t in fr]
    probs = [t["p_all_met"] for t in fr]
    assert costs == sorted(costs) and probs == sorted(probs) and len(set(probs)) == len(probs)
    for t in res["trials"]:  # no candidate beats the frontier at its own cost
        best_at = max(f["p_all_met"] for f in fr if f["cost_cny_million"] <= t["cost_cny_million"])
        assert t["p_all_met"] <= best_at
        assert t["ci_low"] <= t["p_all_met"] <= t["ci_high"]
    assert res["best"] == min(
        (t for t in res["trials"] if t["p_all_met"] >= 0.9), key=lambda t: t["cost_cny_million"]
    )


def test_unreachable_probability_gives_no_answer():
    space = [Factor("x", "lever", bounds=(0.0, 1.0))]

    def evaluate(v):
        return Evaluation(cost=np.full(10, 1.0 + v["x"]), met={"t": np.arange(10) < 5})

    res = search_cheapest(space, evaluate, 0.9, trials=4, seed=0)
    assert res["best"] is None and len(res["trials"]) == 4
    assert len(res["frontier"]) == 1 and res["frontier"][0]["p_all_met"] == 0.5


def test_model_evaluator_uses_common_random_numbers():
    exp = load_experiment(DATA / "optimize_tiny.toml")
    with SerialExecutor() as ex:
        ev = model_evaluator(exp, ex, 3)
        a = ev(
            {"policy.awards.high_level_cny_thousand": 500.0, "policy.housing.units_per_year": 100}
        )
        b = ev(
            {"policy.awards.high_level_cny_thousand": 500.0, "policy.housing.units_per_year": 100}
        )
        c = ev(
            {"policy.awards.high_level_cny_thousand": 500.0, "policy.housing.units_per_year": 1500}
        )
    np.testing.assert_array_equal(a.cost, b.cost)
    assert set(a.met) == {"innovation_carriers", "pilot_bases"}
    assert c.cost.mean() > a.cost.mean()  # more apartments cost more


def test_optimize_command(tmp_path, capsys):
    out = tmp_path / "o"
    assert (
        main(
            [
                "optimize",
                str(DATA / "optimize_tiny.toml"),
                "--p",
                "0.8",
                "--trials",
                "5",
                "--validate-replicates",
                "3",
                "--executor",
                "serial",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    assert "cheapest with P(all met) >= 0.8" in capsys.readouterr().out
    data = json.loads((out / "optimize.json").read_text())
    assert (out / "optimize.png").stat().st_size > 10_000
    assert "frontier" in (out / "optimize.md").read_text()
    assert len(data["trials"]) == 5 and data["replicates"] == 6 and len(data["seeds"]) == 6
    assert data["targets"] == ["innovation_carriers", "pilot_bases"]
    best = data["best"]
    assert best["p_all_met"] >= 0.8
    assert best["cost_cny_million"] == min(
        t["cost_cny_million"] for t in data["trials"] if t["p_all_met"] >= 0.8
    )
    assert data["validation"]["n"] == 3
    assert data["optimizer"]["library"].startswith("optuna")
    assert [f["key"] for f in data["search_space"]] == [
        "policy.awards.high_level_cny_thousand",
        "policy.housing.units_per_year",
    ]


@pytest.mark.parametrize(
    "args, text",
    [
        (["--p", "1.5"], "--p"),
        (["--p", "0.9", "--trials", "0"], "--trials"),
    ],
)
def test_bad_optimize_flags(args, text, capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["optimize", str(DATA / "optimize_tiny.toml"), *args, "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    assert text in capsys.readouterr().err


def test_optimize_needs_levers(tmp_path, capsys):
    exp = tmp_path / "e.toml"
    exp.write_text(
        f'[experiment]\nscenarios = ["{DATA / "tiny.toml"}"]\n'
        '[design]\nkind = "lhs"\nn = 2\n'
        '[uncertain]\n"talent.beta_wage" = { range = [2.0, 3.0] }\n'
    )
    assert main(["optimize", str(exp), "--p", "0.9", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "at least one lever" in err and "Traceback" not in err


def _late_experiment(tmp_path):
    """tiny with awards starting in month 7 (no administration delay); awards are searched, and
    domestic candidates drawn once per replicate."""
    (tmp_path / "late.toml").write_text(
        f'name = "late"\nextends = "{(DATA / "tiny.toml").as_posix()}"\n'
        "[governance]\ndelay_months = 0.0\n[policy.awards]\nstart_month = 7\n",
        encoding="utf-8",
    )
    (tmp_path / "opt.toml").write_text(
        '[experiment]\nname = "late_awards"\nscenarios = ["late.toml"]\nreplicates = 3\n'
        'seed = 4\ntargets = ["innovation_carriers"]\n[design]\nkind = "lhs"\nn = 2\n'
        '[levers]\n"policy.awards.high_level_cny_thousand" = { range = [0.0, 1500.0] }\n'
        '"policy.housing.units_per_year" = { range = [0, 2000] }\n'
        '[uncertain]\n"talent.candidates_domestic_per_month" = { range = [200.0, 320.0] }\n',
        encoding="utf-8",
    )
    return load_experiment(tmp_path / "opt.toml")


def test_candidates_of_a_later_lever_fork_from_months_simulated_once(tmp_path, monkeypatch):
    """Candidates that differ only in awards (from month 7) fork from the scenario's first six
    months, simulated once per seed and kept; their numbers are those of straight runs. A
    candidate that changes housing (from month 1) runs straight."""
    from qcy_sim import runner

    monkeypatch.setattr(runner, "_BURN_INS", type(runner._BURN_INS)())
    exp = _late_experiment(tmp_path)
    own = {"policy.housing.units_per_year": exp.params(exp.points[0])["policy"]["housing"][
        "units_per_year"]}  # fmt: skip
    shared, straight = RecordingExecutor(), RecordingExecutor()
    with shared, straight:
        forked = model_evaluator(exp, shared, 3)
        plain = model_evaluator(exp, straight, 3, share=False)
        for award in (200.0, 1400.0):
            levers = {"policy.awards.high_level_cny_thousand": award, **own}
            a, b = forked(levers), plain(levers)
            np.testing.assert_array_equal(a.cost, b.cost)
            for kpi in a.met:
                np.testing.assert_array_equal(a.met[kpi], b.met[kpi])
        assert shared.run_fns == ["run_forked"] * 6 and straight.run_fns == ["run"] * 6
        assert len(runner._BURN_INS) == 3  # one burn-in per seed, for both candidates
        assert {key[2] for key in runner._BURN_INS} == {6}
        forked({"policy.awards.high_level_cny_thousand": 200.0, "policy.housing.units_per_year": 7})
        assert shared.run_fns[6:] == ["run"] * 3


def test_the_kept_burn_ins_stay_within_their_bytes(tmp_path, monkeypatch):
    from qcy_sim import runner

    monkeypatch.setattr(runner, "_BURN_INS", type(runner._BURN_INS)())
    monkeypatch.setattr(runner, "BURN_IN_BYTES", 1)  # room for the newest only
    exp = _late_experiment(tmp_path)
    with SerialExecutor() as ex:
        model_evaluator(exp, ex, 3)({"policy.awards.high_level_cny_thousand": 300.0})
    assert len(runner._BURN_INS) == 1
