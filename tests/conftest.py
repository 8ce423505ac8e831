from pathlib import Path

import pytest
from hypothesis import settings

from qcy_sim import load_scenario
from qcy_sim.execution import SerialExecutor

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


class RecordingExecutor(SerialExecutor):
    """Runs tasks in this process and keeps which run function each task named."""

    def __init__(self):
        super().__init__()
        self.run_fns = []

    def imap_unordered(self, fn, tasks):
        for task in tasks:
            self.run_fns.append(task[3].__name__)
            yield fn(task)
