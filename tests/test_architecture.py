"""Size limits of the package: modules within 1,000 lines (scripts/check_limits.py)."""

import importlib.util

from .conftest import ROOT


def _limits():
    path = ROOT / "scripts" / "check_limits.py"
    spec = importlib.util.spec_from_file_location("check_limits", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_module_is_within_the_limits():
    assert _limits().violations(ROOT / "qcy_sim") == []


def test_the_check_finds_a_long_module(tmp_path):
    (tmp_path / "long.py").write_text("x = 1\n" * 1001)
    (tmp_path / "short.py").write_text("x = 1\n" * 1000)
    assert _limits().violations(tmp_path) == [f"module {tmp_path / 'long.py'}: 1001 lines"]
