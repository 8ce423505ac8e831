"""The example in the package docstring runs as written (with fewer replicates)."""

import re

import qcy_sim

from .conftest import ROOT


def test_the_package_example_runs(monkeypatch):
    code = qcy_sim.__doc__.split("::", 1)[1]
    code = "\n".join(line[4:] for line in code.splitlines() if line.startswith("    "))
    code = re.sub(r"replicates=\d+", "replicates=2", code)
    lines = code.strip().splitlines()
    lines[-1] = f"value = {lines[-1]}"
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec("\n".join(lines), scope)  # noqa: S102 - the package's own documented example
    assert 0.0 <= scope["value"] <= 1.0
