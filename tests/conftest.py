from pathlib import Path

import pytest

from qcy_sim import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def tiny():
    return load_scenario(DATA / "tiny.toml")


@pytest.fixture(scope="session")
def baseline():
    return load_scenario(ROOT / "scenarios" / "baseline.toml")
