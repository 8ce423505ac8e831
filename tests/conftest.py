from pathlib import Path

import pytest
from hypothesis import settings

from qcy_sim import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

# No test may depend on the machine's speed: property tests get no per-example deadline.
settings.register_profile("qcy", deadline=None)
settings.load_profile("qcy")


@pytest.fixture(scope="session")
def tiny():
    return load_scenario(DATA / "tiny.toml")


@pytest.fixture(scope="session")
def baseline():
    return load_scenario(ROOT / "scenarios" / "baseline.toml")
