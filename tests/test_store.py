import numpy as np
import pytest

from qcy_sim.store import AgentStore, StoreFullError


def test_add_reserve_and_views():
    s = AgentStore("things", 2, {"a": (np.int32, -1), "b": (np.float64, 0.5)})
    assert s.add(2) == (0, 2)
    s.a[:2] = [3, 4]
    with pytest.raises(StoreFullError):
        s.add(1)
    s.reserve(3)
    assert s.capacity >= 5
    assert list(s.view("a")) == [3, 4]  # old values survive growth
    start, end = s.add(3)
    assert (start, end) == (2, 5)
    assert list(s.a[2:5]) == [-1, -1, -1] and s.b[4] == 0.5
    assert s.bytes_per_agent() == 12


def test_property_names_cannot_clash():
    with pytest.raises(ValueError):
        AgentStore("x", 1, {"capacity": (np.int8, 0)})
