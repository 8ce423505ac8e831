"""qcy dashboard: controls from the schema, messages and files as qcy has them, a real browser.

The browser tests start ``qcy dashboard`` as a user would and drive Debian's chromium through
Playwright (no browser is downloaded); they are skipped only where chromium is not installed.
"""

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from qcy_sim import load_scenario
from qcy_sim.cli import main
from qcy_sim.dashboard.controls import (
    LEVER_ROOTS,
    Control,
    control_specs,
    parameter_modes,
    parse_text,
)
from qcy_sim.dashboard.edits import download_name, evaluate, scenario_toml
from qcy_sim.policy.tasks import TASKS, levers_of
from qcy_sim.runner import run_replicates
from qcy_sim.scenario import ConfigError
from qcy_sim.schema import iter_keys

from .conftest import DATA, ROOT

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
LEVER = "policy.awards.high_level_cny_thousand"


def _css(key):
    return ".qcy-key-" + key.replace(".", "__")


# ----------------------------------------------------------------------------------------------
# Without a browser


def test_every_lever_key_has_exactly_one_control(tiny):
    groups = control_specs(tiny)
    keys = [c.key for g in groups for c in g.controls]
    levers = [k for k, *_ in iter_keys() if k.split(".")[0] in LEVER_ROOTS]
    assert sorted(k for k in keys if not k.startswith("targets.")) == sorted(levers)
    assert len(keys) == len(set(keys))
    assert {n for g in groups for n in g.tasks} == {t.task for t in TASKS}
    for g in groups:  # each task names its levers' spending categories and KPIs (the registry)
        for spec in (s for n in g.tasks for s in levers_of(n)):
            assert f"pays {spec.spending_category}; moves {', '.join(spec.kpis)}" in g.mechanism
    assert {f"targets.{t.kpi}.threshold" for t in tiny.targets} <= set(keys)
    award = next(c for g in groups for c in g.controls if c.key == LEVER)
    assert (award.unit, award.lo, award.hi) == ("thousand CNY", 0, 1e6)
    assert "valid [0, 1e+06]" in award.hint
    assert "plausible [1, 2]" in Control("k", "k", "float", "1", "", 0, 5, (1, 2)).hint
    assert parameter_modes() == ("fixed", "prior", "posterior")
    assert parameter_modes(tiny) == ("fixed", "prior")  # tiny names no posterior


def test_invalid_setting_gets_the_message_qcy_validate_prints(tiny, tmp_path, monkeypatch):
    control = next(c for g in control_specs(tiny) for c in g.controls if c.key == LEVER)
    ev = evaluate(tiny, {LEVER: parse_text("-5", control), "policy.awards.on": True})
    assert ev.scenario is None and list(ev.errors) == [LEVER]
    # the same change written as a file, next to the scenario it extends
    monkeypatch.chdir(tmp_path)
    base = os.path.relpath(DATA / "tiny.toml", tmp_path)
    text = scenario_toml(base, tiny, {LEVER: -5})
    Path(download_name(tiny)).write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_scenario(download_name(tiny))
    assert ev.errors[LEVER] == str(exc.value)
    assert "expected a value in [0, 1e+06], found -5" in ev.errors[LEVER]


def test_downloaded_file_extends_the_base_and_reproduces_the_settings(tiny, tmp_path, monkeypatch):
    changes = {
        LEVER: 800,
        "policy.brokers.on": False,
        "competitors.wuhan.subsidy_by_level_cny_thousand": [10.0, 50.0, 200.0],
    }
    ev = evaluate(tiny, {**changes, "policy.awards.on": True})  # unchanged keys are dropped
    assert ev.ok and set(ev.changes) == set(changes)
    monkeypatch.chdir(tmp_path)
    base = os.path.relpath(DATA / "tiny.toml", tmp_path)
    path = Path(download_name(tiny))
    path.write_text(scenario_toml(base, tiny, ev.changes))
    import tomllib

    data = tomllib.loads(path.read_text())
    assert data["extends"] == base
    assert set(data) == {"name", "description", "extends", "policy", "competitors"}
    assert load_scenario(path).config_hash == ev.scenario.config_hash != tiny.config_hash


def test_single_run_view_runs_a_replicate_of_the_ensemble(tiny):
    from qcy_sim.dashboard.single import KPI_PLOTS, DashboardModel
    from qcy_sim.schema import KPIS

    assert sorted(k for group in KPI_PLOTS for k in group) == sorted(KPIS)
    model = DashboardModel(tiny, seed=7, replicate=2)
    for _ in range(3):
        model.step()
    assert len(model.datacollector.get_model_vars_dataframe()) == 4
    model.run()
    assert np.array_equal(model.kpi, run_replicates(tiny, 3, 7).kpi[2])


# ----------------------------------------------------------------------------------------------
# In the browser


class Dashboard:
    """``qcy dashboard`` started as a user would, in its own process group."""

    def __init__(self, cwd, scenario, *extra):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qcy_sim.cli", "dashboard", scenario, "--port", "0", *extra],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._url = None

    @property
    def url(self):
        """The address it printed (waits for it)."""
        if self._url is None:
            deadline = time.time() + 90
            line = b""
            while time.time() < deadline and not line.endswith(b"\n"):
                ready, _, _ = select.select([self.proc.stdout], [], [], 1)
                chunk = os.read(self.proc.stdout.fileno(), 1) if ready else b""
                if chunk:
                    line += chunk
                elif self.proc.poll() is not None:
                    break
            match = re.search(rb"http://\S+/", line)
            assert match, (line, self.proc.poll())
            self._url = match.group().decode()
        return self._url

    def family(self):
        """This process's descendants now."""
        return psutil.Process(self.proc.pid).children(recursive=True)

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _alive(procs):
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="qcy-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1500, "height": 1000},
            accept_downloads=True,
        )
        context.set_default_timeout(
            180_000
        )  # a first run may compile the kernels on a busy machine
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _set(page, key, text):
    field = page.locator(f"{_css(key)} input")
    field.fill(text)
    field.press("Enter")


def _pmet(page):
    return dict(
        page.eval_on_selector_all(
            ".qcy-pmet tr[data-kpi]",
            "rows => rows.map(r => [r.dataset.kpi, r.querySelector('.pmet').textContent])",
        )
    )


@needs_chromium
def test_dashboard_in_a_browser_matches_qcy_run(browser, tmp_path, tiny, monkeypatch):
    base = os.path.relpath(DATA / "tiny.toml", tmp_path)
    dash = Dashboard(tmp_path, base, "--workers", "2")
    try:
        page = browser.new_page()
        page.goto(dash.url)
        page.locator(".qcy-run-button").wait_for()
        assert "qcy dashboard: tiny" in page.locator(".v-toolbar__title").first.inner_text()
        assert page.locator(".qcy-pmet").count() == 0  # no numbers before a run

        # a lever: an invalid value is refused with the loader's message, and nothing runs
        page.locator(".qcy-group", has_text="Task 24:").click()
        _set(page, LEVER, "-5")
        page.locator(".qcy-invalid").wait_for()
        expected = evaluate(tiny, {LEVER: -5}).errors[LEVER]
        assert expected in page.locator(_css(LEVER)).inner_text()
        assert page.locator(".qcy-run-button").is_disabled()
        _set(page, LEVER, "5000")
        page.locator(".qcy-invalid").wait_for(state="detached")
        assert page.locator(".qcy-changed").inner_text().startswith("1 setting")
        assert "1 changed" in page.locator(".qcy-group", has_text="Task 24:").inner_text()

        # a small ensemble: the header, the P(met) table and the charts appear
        page.locator(".qcy-replicates input").fill("4")
        page.locator(".qcy-seed input").fill("7")
        page.locator(".qcy-seed input").press("Tab")
        page.locator(".qcy-run-button").click()
        page.wait_for_function("() => document.querySelector('.qcy-fans img')")
        info = page.locator(".qcy-run-info").inner_text()
        assert "4 replicates, seed 7" in info
        assert page.locator(".qcy-results-pane img").count() == 3  # P(met), fans, spending
        pmet = _pmet(page)

        # the downloaded scenario, run by qcy with the same seed, gives the same numbers
        with page.expect_download() as download:
            page.get_by_text("Download this scenario").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        text = saved.read_text()
        assert f'extends = "{base}"' in text
        assert re.findall(r"^\[.*\]$", text, re.M) == ["[policy.awards]"]
        monkeypatch.chdir(tmp_path)
        args = ["run", saved.name, "--replicates", "4", "--seed", "7", "--workers", "1"]
        assert main([*args, "--out", "out", "--quiet", "--no-figures"]) == 0
        summary = json.loads((tmp_path / "out" / "summary.json").read_text())
        assert summary["config_hash"] in info
        expected = {k: f"{t['p_met']:.3f}" for k, t in summary["targets"].items()}
        expected["all"] = f"{summary['p_all_met']:.3f}"
        assert pmet == expected
        page.close()
    finally:
        dash.close()


def _start_ensemble(page, dash):
    """Click Run; return the ensemble process and its workers once the workers exist."""
    page.locator(".qcy-run-button").click()
    page.locator(".qcy-progress").wait_for()
    deadline = time.time() + 60
    while time.time() < deadline:
        for p in dash.family():
            if p.ppid() == dash.proc.pid and len(p.children()) >= 2:
                return [p, *p.children()]
        time.sleep(0.1)
    raise AssertionError("the ensemble's workers did not start")


@needs_chromium
def test_cancel_ctrl_c_and_sigterm_leave_no_process(browser, tmp_path):
    # two dashboards start side by side; one gets Ctrl-C, the other SIGTERM, while running (the
    # first also cancels an ensemble before)
    scenario = str(ROOT / "scenarios" / "baseline.toml")
    dashes = {
        sig: Dashboard(tmp_path, scenario, "--workers", "2")
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        families = {}
        for sig, dash in dashes.items():
            page = browser.new_page()
            page.goto(dash.url)
            page.locator(".qcy-replicates input").fill("400")
            page.locator(".qcy-replicates input").press("Tab")
            ensemble = _start_ensemble(page, dash)
            if sig == signal.SIGINT:  # Cancel ends the ensemble and its workers, not the server
                page.locator(".qcy-cancel-button").click()
                page.locator(".qcy-progress").wait_for(state="detached")
                deadline = time.time() + 10
                while _alive(ensemble) and time.time() < deadline:
                    time.sleep(0.1)
                assert _alive(ensemble) == [] and dash.proc.poll() is None
                _start_ensemble(page, dash)
            families[sig] = (page, dash.family())
            assert len(families[sig][1]) >= 4  # the ensemble process, two workers, the spare
        for sig, dash in dashes.items():
            os.killpg(dash.proc.pid, sig)  # what a terminal's Ctrl-C does: the whole group
        for sig, dash in dashes.items():
            page, family = families[sig]
            rc = dash.proc.wait(timeout=30)
            stderr = dash.proc.stderr.read().decode()
            assert page.locator(".qcy-run-info").count() == 0  # stopped mid-ensemble
            assert rc == 0, stderr
            assert "Traceback" not in stderr and "stopped" in stderr
            deadline = time.time() + 10
            while _alive(family) and time.time() < deadline:
                time.sleep(0.2)
            assert _alive(family) == [], signal.Signals(sig).name
            page.close()
    finally:
        for dash in dashes.values():
            dash.close()
