"""Target probabilities to a stated precision, first-met-month distributions, milestones."""

import json

import numpy as np
import pytest

from qcy_sim.analysis._io import write_folder, write_into
from qcy_sim.analysis.precision import interval_half_widths, next_replicates
from qcy_sim.cli import main
from qcy_sim.outputs import hold, verify_folder, write_json
from qcy_sim.results import (
    clopper_pearson,
    milestone_outcomes,
    milestone_probability,
    month_met_distribution,
)
from qcy_sim.runner import extend_replicates, run_replicates

from .conftest import DATA


def test_extend_replicates_equals_a_longer_run(tiny):
    short = run_replicates(tiny, 3, seed=4)
    grown = extend_replicates(short, 7, workers=1)
    full = run_replicates(tiny, 7, seed=4)
    assert grown.seeds == full.seeds
    for name in ("kpi", "series", "spending"):
        np.testing.assert_array_equal(getattr(grown, name), getattr(full, name))
    assert extend_replicates(full, 7) is full
    with pytest.raises(ValueError):
        extend_replicates(full, 5)


def test_month_met_distribution_known_answer():
    # 10 replicates: first met in months 3, 3, 5, 7, 12, 14 (2023-02), never x 4
    first = np.array([3, 3, 5, 7, 12, 14, -1, -1, -1, -1])
    d = month_met_distribution(first, "2022-01", deadline_month=12)
    assert d["n"] == 10 and d["never_met"] == 4
    assert d["histogram"] == {"2022-03": 2, "2022-05": 1, "2022-07": 1, "2022-12": 1, "2023-02": 1}
    assert d["by_year"] == {"2022": 5, "2023": 1, "never": 4}
    assert d["first_met_by_deadline"] == 5
    # order statistic floor(q (n - 1)): p10 -> 0th (3), p25 -> 2nd (5), p50 -> 4th (12),
    # p75 -> 6th (never), p90 -> 8th (never)
    assert d["quantiles"] == {
        "p10": "2022-03",
        "p25": "2022-05",
        "p50": "2022-12",
        "p75": None,
        "p90": None,
    }


def test_summary_carries_the_month_met_distribution(tiny):
    rep = run_replicates(tiny, 4, seed=1)
    s = rep.summary()
    assert set(s["month_met_distribution"]) == {t.kpi for t in tiny.targets}
    for kpi, d in s["month_met_distribution"].items():
        assert d["n"] == 4
        assert d["quantiles"]["p50"] == s["targets"][kpi]["median_month_met"]


def test_milestone_probability(tiny):
    rep = run_replicates(tiny, 6, seed=2)
    j = 1  # innovation_talents
    month6 = rep.kpi[:, 6, j]
    threshold = float(np.median(month6))
    res = milestone_probability(rep, "innovation_talents", "2022-06", threshold)
    s = int((month6 >= threshold).sum())
    assert res["successes"] == s and res["n"] == 6
    assert (res["ci_low"], res["ci_high"]) == clopper_pearson(s, 6)
    met = milestone_outcomes(rep.kpi[:, :, j], 6, threshold, tolerance=0.5)
    assert met.all()
    with pytest.raises(ValueError):
        milestone_probability(rep, "innovation_talents", "2030-01", 1.0)
    with pytest.raises(ValueError):
        milestone_probability(rep, "no_such_kpi", "2022-06", 1.0)


def test_next_replicates_reaches_the_precision():
    # p = 0.5: a 95 % Clopper-Pearson half-width below 0.1 needs about 100 replicates
    n = next_replicates({"t": (0.5, 0.2)}, 20, 0.1, 2000)
    lo, hi = clopper_pearson(n // 2, n)
    assert (hi - lo) / 2 < 0.1 and 90 <= n <= 130
    assert next_replicates({"t": (0.5, 0.05)}, 400, 0.1, 2000) == 400  # already precise
    assert next_replicates({"t": (0.5, 0.2)}, 20, 0.01, 300) == 300  # capped


def test_run_with_precision(tmp_path, capsys):
    out = tmp_path / "p"
    assert (
        main(
            [
                "run",
                str(DATA / "tiny.toml"),
                "--replicates",
                "8",
                "--precision",
                "0.2",
                "--max-replicates",
                "40",
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
    text = capsys.readouterr().out
    assert "precision 0.2" in text
    s = json.loads((out / "summary.json").read_text())
    prec = s["precision"]
    assert prec["precision"] == 0.2 and prec["max_replicates"] == 40
    assert s["replicates"] == prec["replicates"] <= 40
    assert prec["rounds"][0]["replicates"] == 8
    widths = [(t["ci_high"] - t["ci_low"]) / 2 for t in s["targets"].values()]
    widths.append((s["p_all_met_ci"][1] - s["p_all_met_ci"][0]) / 2)
    assert max(widths) == pytest.approx(prec["max_half_width"])
    assert prec["reached"] == (max(widths) < 0.2)
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["seeds"]) == s["replicates"] and manifest["precision"] == prec


def test_compare_with_precision(tmp_path, tiny):
    out = tmp_path / "c"
    assert (
        main(
            [
                "compare",
                str(DATA / "tiny.toml"),
                str(DATA / "tiny_more_awards.toml"),
                "--replicates",
                "6",
                "--precision",
                "0.25",
                "--max-replicates",
                "30",
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
    prec = data["precision"]
    assert data["replicates"] == prec["replicates"] <= 30
    assert len(data["seeds"]) == data["replicates"]
    rep = run_replicates(tiny, data["replicates"], seed=0)
    widths = interval_half_widths(rep)
    assert max(w for _, w in widths.values()) <= prec["max_half_width"] + 1e-12


@pytest.mark.parametrize(
    "flags",
    [
        ["--precision", "0.7"],
        ["--precision", "-1"],
        ["--precision", "x"],
        ["--precision", "0.1", "--max-replicates", "0"],
    ],
)
def test_bad_precision_flags(flags, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(DATA / "tiny.toml"), "--out", str(tmp_path / "x"), *flags])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_outputs_are_written_atomically(tmp_path):
    out = tmp_path / "o"

    def good(tmp):
        (tmp / "a.txt").write_text("1")
        write_json(tmp / "manifest.json", {"package": "qcy_sim"})

    write_folder(out, good)

    def broken(tmp):
        (tmp / "a.txt").write_text("2")
        raise RuntimeError("killed")

    with hold(out, overwrite=True), pytest.raises(RuntimeError):
        write_folder(out, broken)
    assert (out / "a.txt").read_text() == "1"
    with pytest.raises(RuntimeError):
        write_into(out, broken, last="a.txt")
    assert (out / "a.txt").read_text() == "1"
    write_into(out, lambda tmp: (tmp / "b.json").write_text("{}"), last="b.json")
    names = sorted(p.name for p in out.iterdir())
    assert names == [".qcy.lock", "a.txt", "b.json", "index.jsonl", "manifest.json"]
    verify_folder(out)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
