"""Take docs/img/dashboard.png: the dashboard on the baseline, compared with no new policy.

Run from the repository root with the test extra installed and Debian's chromium:
``python docs/img/dashboard_screenshot.py``. It starts ``qcy dashboard``, changes one lever, runs
40 replicates against ``scenarios/no_new_policy.toml`` and saves the window as a small PNG.
"""

import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

OUT = Path(__file__).with_name("dashboard.png")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    """Start the dashboard, drive it, save the picture, stop the dashboard."""
    server = subprocess.Popen(
        [sys.executable, "-m", "qcy_sim.cli", "dashboard", "scenarios/baseline.toml"]
        + ["--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = re.search(r"http://\S+/", server.stdout.readline()).group()
        with sync_playwright() as p:
            browser = p.chromium.launch_persistent_context(
                tempfile.mkdtemp(),
                executable_path="/usr/bin/chromium",
                headless=True,
                args=FLAGS,
                viewport={"width": 1400, "height": 1050},
            )
            browser.set_default_timeout(300_000)
            page = browser.new_page()
            page.goto(url)
            page.locator(".qcy-group", has_text="Task 24:").click()
            field = page.locator(".qcy-key-policy__awards__high_level_cny_thousand input")
            field.fill("800")
            field.press("Enter")
            page.locator(".qcy-group", has_text="Task 24:").click()  # closed: "1 changed"
            page.locator(".qcy-replicates input").fill("40")
            page.locator(".qcy-other").click()
            page.get_by_role("option", name="scenarios/no_new_policy.toml").click()
            page.locator(".qcy-run-button").click()
            page.wait_for_function("() => document.querySelector('.qcy-fans img')")
            page.evaluate(
                "() => { window.scrollTo(0, 0);"
                " document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; }); }"
            )
            page.wait_for_timeout(1500)
            shot = Path(tempfile.mkdtemp()) / "shot.png"
            page.screenshot(path=shot)
            browser.close()
        image = Image.open(shot).convert("RGB")
        image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
        image.save(OUT, optimize=True)
        print(f"{OUT}: {OUT.stat().st_size // 1024} KB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
