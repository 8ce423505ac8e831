"""qcy report: one self-contained HTML file, rendered in headless Chromium."""

import os
import re
import shutil
import subprocess

import pytest

from qcy_sim.cli import main

from .conftest import DATA

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A folder of small results of every kind, as a planner's results/ would hold."""
    root = tmp_path_factory.mktemp("report") / "results"
    common = ["--quiet"]
    assert (
        main(
            [
                "run",
                str(DATA / "tiny.toml"),
                "--replicates",
                "6",
                "--workers",
                "1",
                "--out",
                str(root / "tiny"),
                *common,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "run",
                str(DATA / "tiny_more_awards.toml"),
                "--replicates",
                "6",
                "--workers",
                "1",
                "--out",
                str(root / "more_awards"),
                "--no-figures",
                *common,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "compare",
                str(DATA / "tiny.toml"),
                str(DATA / "tiny_more_awards.toml"),
                "--replicates",
                "6",
                "--workers",
                "1",
                "--out",
                str(root / "compare"),
                *common,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "sensitivity",
                str(DATA / "sobol_tiny.toml"),
                "--out",
                str(root / "sens"),
                "--executor",
                "serial",
                "--kpi",
                "innovation_talents",
                *common,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "discover",
                str(root / "sens" / "sweep"),
                "--target",
                "innovation_talents",
                "--out",
                str(root / "disc"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "optimize",
                str(DATA / "optimize_tiny.toml"),
                "--p",
                "0.8",
                "--trials",
                "3",
                "--validate-replicates",
                "2",
                "--executor",
                "serial",
                "--out",
                str(root / "opt"),
                *common,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "calibrate",
                str(DATA / "calibrate_tiny.toml"),
                "--generations",
                "1",
                "--executor",
                "serial",
                "--out",
                str(root / "cal"),
                *common,
            ]
        )
        == 0
    )
    return root


def test_report_of_a_folder_of_results(results, capsys):
    assert main(["report", str(results)]) == 0
    out = capsys.readouterr().out
    assert "8 result folder(s)" in out
    page = (results / "report.html").read_text(encoding="utf-8")
    for anchor in (
        "side-by-side",
        "run-0",
        "run-1",
        "compare-0",
        "sweep-0",
        "sensitivity-0",
        "discover-0",
        "optimize-0",
        "calibrate-0",
        "provenance",
    ):
        assert f'id="{anchor}"' in page, anchor
    # self-contained: no external resources, every image embedded
    assert not re.search(r'(src|href)\s*=\s*"(?!data:|#)', page)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert page.count('src="data:image/png;base64,') >= 13 + 5  # fan charts + analyses
    # provenance of the numbers: config hashes, seeds and version
    assert "50ccb1a2d50dad0d" in page or "config" in page
    assert "qcy_sim 0" in page and "SHA-256 of the list" in page


def test_report_of_one_run_folder(results, tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", str(results / "tiny"), "--out", str(out), "--title", "Tiny"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<title>Tiny</title>" in page and 'id="run-0"' in page
    assert 'id="side-by-side"' not in page  # one run: nothing to put side by side
    assert "first met: median" in page


def test_report_of_a_compare_folder(results, tmp_path):
    out = tmp_path / "c.html"
    assert main(["report", str(results / "compare"), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "McNemar" in page and "tiny_more_awards" in page


def test_report_of_nothing_is_an_error(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "no result files" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert not (tmp_path / "report.html").exists()


def _chromium(args, tmp_path):
    profile = tmp_path / "profile"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Chromium is not installed (apt-get install chromium); .ci/run installs it",
)


@needs_chromium
def test_report_renders_in_headless_chromium(results, tmp_path):
    assert CHROMIUM, "CI must have chromium (.ci/run installs it)"
    main(["report", str(results)])
    url = (results / "report.html").resolve().as_uri()
    dom = _chromium(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert "<h1>qcy_sim report" in html
    assert html.count("<h2") >= 10
    assert html.count("<table") >= 15
    assert html.count("<svg") >= 20  # interval bars
    for text in (
        "Policy mixes side by side",
        "Targets: probability and timing",
        "Fan charts",
        "Paired differences against the reference",
        "Budget–probability frontier",
        "Box 1",
        "Provenance",
    ):
        assert text in html, text
    shot = tmp_path / "report.png"
    res = _chromium(["--window-size=1280,2400", f"--screenshot={shot}", url], tmp_path)
    assert res.returncode == 0 and shot.stat().st_size > 50_000
