"""qcy compare: same seeds for every mix, paired statistics, files written."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qcy_sim import load_scenario
from qcy_sim.cli import main
from qcy_sim.compare import (
    compare_mixes,
    default_out,
    mcnemar_exact,
    newcombe_paired_ci,
    paired_difference,
)
from qcy_sim.execution import SerialExecutor
from qcy_sim.runner import extend_mixes, run_mixes
from qcy_sim.scenario import scenario_from_dict
from qcy_sim.uncertainty import parameter_setup

from .conftest import DATA, RecordingExecutor

TINY = DATA / "tiny.toml"
MORE = DATA / "tiny_more_awards.toml"


def test_newcombe_interval_matches_published_example():
    # Cavo et al. (2012) in Fagerland, Lydersen & Laake (2014), Statistical Analysis of
    # Contingency Tables, ch. 8: estimate -0.0621, Newcombe square-and-add 95 % CI
    # -0.1186 to -0.0046.
    lo, hi = newcombe_paired_ci(59, 6, 16, 80)
    assert (round(lo, 4), round(hi, 4)) == (-0.1186, -0.0046)
    # Exact McNemar test of the same table: 2 * P(X <= 6 | X ~ Bin(22, 1/2)).
    assert mcnemar_exact(6, 16) == pytest.approx(0.0525, abs=5e-5)


def test_paired_difference_edge_cases():
    same = np.array([True, False, True, True])
    d = paired_difference(same, same)
    assert d["difference"] == 0 and d["mcnemar_p"] == 1.0
    assert d["ci_low"] < 0 < d["ci_high"]
    d = paired_difference(np.ones(20, bool), np.zeros(20, bool))
    assert d["difference"] == 1.0 and d["ci_high"] == pytest.approx(1.0)
    assert d["only_mix_met"] == 20 and d["mcnemar_p"] < 1e-5
    assert -1 <= d["ci_low"] <= 1


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "c"
    assert (
        main(
            [
                "compare",
                str(TINY),
                str(MORE),
                str(TINY),
                "--replicates",
                "8",
                "--seed",
                "4",
                "--workers",
                "2",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    return out


def test_compare_outputs(compared):
    for name in ("compare.json", "compare.md", "compare.png", "runs.parquet", "manifest.json"):
        assert (compared / name).is_file(), name
    data = json.loads((compared / "compare.json").read_text())
    assert data["reference"] == "tiny"
    assert [m["label"] for m in data["mixes"]] == ["tiny", "tiny_more_awards", "tiny_2"]
    assert data["replicates"] == 8 and data["base_seed"] == 4
    t = data["targets"]["innovation_talents"]
    for label in ("tiny", "tiny_more_awards", "tiny_2"):
        p = t["p_met"][label]
        assert p["ci_low"] <= p["p_met"] <= p["ci_high"]
    for label in ("tiny_more_awards", "tiny_2"):
        d = t["vs_reference"][label]
        assert d["both_met"] + d["only_mix_met"] + d["only_reference_met"] + d["neither_met"] == 8
        assert d["ci_low"] <= d["difference"] <= d["ci_high"] and 0 <= d["mcnemar_p"] <= 1
    assert "all" in data["targets"]
    # the same file twice is the same mix on the same seeds: no difference at all
    for key, entry in data["targets"].items():
        assert entry["vs_reference"]["tiny_2"]["difference"] == 0, key
        assert entry["vs_reference"]["tiny_2"]["mcnemar_p"] == 1.0
    cost = data["cost"]["tiny_more_awards"]["vs_reference"]
    assert cost["public_cny_million"]["mean"] > 0  # bigger awards cost more
    per = cost["public_cost_per_additional_talent_cny_thousand"]
    if cost["innovation_talents"]["mean"] > 0:
        assert per == pytest.approx(
            1000 * cost["public_cny_million"]["mean"] / cost["innovation_talents"]["mean"]
        )
    else:
        assert per is None and cost["note"]
    md = (compared / "compare.md").read_text()
    assert "McNemar" in md and "Newcombe" in md and "tiny_more_awards" in md


def test_compare_uses_the_same_seeds(compared):
    runs = pd.read_parquet(compared / "runs.parquet")
    seeds = {mix: list(g.seed) for mix, g in runs.groupby("mix")}
    assert seeds["tiny"] == seeds["tiny_more_awards"] == seeds["tiny_2"]
    a = runs[runs.mix == "tiny"].drop(columns="mix").reset_index(drop=True)
    b = runs[runs.mix == "tiny_2"].drop(columns="mix").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    manifest = json.loads((compared / "manifest.json").read_text())
    assert manifest["seeds"] == [int(s) for s in seeds["tiny"]]


def test_compare_api_judges_every_mix_by_the_reference_targets(tiny):
    other = load_scenario(MORE)
    comp = compare_mixes([tiny, other], replicates=3, seed=1)
    assert comp.targets == tiny.targets
    assert comp.to_dict()["notes"] == []


def test_compare_rejects_other_horizons(tmp_path):
    short = tmp_path / "short.toml"
    short.write_text(
        f'extends = "{TINY.as_posix()}"\nname = "short"\n[time]\n'
        "horizon_months = 12\n"
        '[targets.innovation_talents]\nthreshold = 5000\ndeadline = "2022-12"\n'
    )
    longer = tmp_path / "longer.toml"
    longer.write_text(
        f'extends = "{TINY.as_posix()}"\nname = "longer"\n[time]\nhorizon_months = 13\n'
    )
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "qcy_sim.cli",
            "compare",
            str(short),
            str(longer),
            "--out",
            str(out),
            "--replicates",
            "2",
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "longer.toml" in proc.stderr and "time.horizon_months" in proc.stderr
    assert not out.exists()


def test_compare_needs_two_files(capsys):
    assert main(["compare", str(TINY), "--quiet"]) == 2
    assert "two or more" in capsys.readouterr().err


def test_default_out():
    assert default_out(["baseline", "no_new_policy"]) == Path(
        "results/compare-baseline_vs_no_new_policy"
    )


def test_ranking_orders_mixes(tmp_path):
    import json

    from qcy_sim.cli import main

    from .conftest import DATA

    out = tmp_path / "cmp"
    assert (
        main(
            [
                "compare",
                str(DATA / "tiny.toml"),
                str(DATA / "tiny_more_awards.toml"),
                "--replicates",
                "4",
                "--workers",
                "1",
                "--out",
                str(out),
                "--quiet",
                "--no-figures",
            ]
        )
        == 0
    )
    data = json.loads((out / "compare.json").read_text())
    ranking = data["ranking"]
    assert [r["rank"] for r in ranking] == [1, 2]
    keys = [(-r["p_all_met"], -r["expected_targets_met"]) for r in ranking]
    assert keys == sorted(keys)
    assert "## Ranking" in (out / "compare.md").read_text()


def _late_mixes(tiny):
    # three mixes differing only in a lever that starts in month 7 (or 9) of the 12, acting
    # from its start (no administration delay)
    data = copy.deepcopy(tiny.to_dict())
    data["governance"]["delay_months"] = 0.0
    mixes = []
    for name, start, award in (("late", 7, 500.0), ("late_more", 7, 1500.0), ("later", 9, 900.0)):
        d = copy.deepcopy(data)
        d["name"] = name
        d["policy"]["awards"].update(start_month=start, high_level_cny_thousand=award)
        mixes.append(scenario_from_dict(d, path=f"<{name}>"))
    return mixes


@pytest.mark.parametrize("mode", ["fixed", "prior"])
def test_mixes_sharing_months_run_them_once_with_the_numbers_of_straight_runs(tiny, mode):
    mixes = _late_mixes(tiny)
    parameters = parameter_setup(tiny, mode, seeds_per_draw=2)
    shared, straight = RecordingExecutor(), RecordingExecutor()
    a = compare_mixes(mixes, 4, seed=3, executor=shared, parameters=parameters)
    b = compare_mixes(mixes, 4, seed=3, executor=straight, parameters=parameters, share=False)
    assert shared.run_fns == ["run_shared"] * 4  # one task per replicate for the three mixes
    assert straight.run_fns == ["run"] * 12
    for ra, rb in zip(a.reps, b.reps, strict=True):
        assert ra.seeds == rb.seeds
        for name in ("kpi", "series", "spending"):
            assert np.array_equal(getattr(ra, name), getattr(rb, name)), name
    assert not np.array_equal(a.reps[0].kpi, a.reps[1].kpi)  # the mixes do differ
    assert a.to_dict() == b.to_dict()


def test_mixes_that_differ_from_month_one_run_straight(tiny):
    more = load_scenario(MORE)
    recording = RecordingExecutor()
    compare_mixes([tiny, more], 2, seed=1, executor=recording)
    assert recording.run_fns == ["run"] * 4


def test_shared_months_on_two_workers_give_the_numbers_of_one(tiny):
    mixes = _late_mixes(tiny)
    one = compare_mixes(mixes, 4, seed=9, workers=1)
    two = compare_mixes(mixes, 4, seed=9, workers=2)
    for ra, rb in zip(one.reps, two.reps, strict=True):
        assert np.array_equal(ra.kpi, rb.kpi) and np.array_equal(ra.spending, rb.spending)


@pytest.mark.parametrize("mode", ["fixed", "prior"])
def test_mixes_grown_by_more_replicates_are_the_mixes_run_with_them(tiny, mode):
    # what --precision does: the added replicates share their months too, and the result is
    # that of running every mix straight with the larger number from the start
    mixes = _late_mixes(tiny)
    parameters = parameter_setup(tiny, mode, seeds_per_draw=2)
    recording = RecordingExecutor()
    first = run_mixes(mixes, 4, 3, recording, parameters=parameters)
    grown = extend_mixes(first, 6, recording)
    assert recording.run_fns == ["run_shared"] * 6
    straight = run_mixes(mixes, 6, 3, SerialExecutor(), parameters=parameters, share=False)
    for a, b in zip(grown, straight, strict=True):
        assert a.seeds == b.seeds and a.n == 6
        for name in ("kpi", "series", "spending"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert (a.design is None) == (b.design is None)
        if a.design is not None:
            assert a.design.values == b.design.values
