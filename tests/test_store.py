from collections import namedtuple

import numpy as np
import pytest

from qcy_sim.core.store import AgentStore, StoreFullError

Things = namedtuple("Things", ("a", "b"))


def test_add_reserve_and_views():
    s = AgentStore("things", 2, {"a": (np.int32, -1), "b": (np.float64, 0.5)}, Things)
    assert s.add(2) == (0, 2)
    s.view("a")[:] = [3, 4]
    with pytest.raises(StoreFullError):
        s.add(1)
    s.reserve(3)
    assert s.capacity >= 5
    assert list(s.view("a")) == [3, 4]  # old values survive growth
    start, end = s.add(3)
    assert (start, end) == (2, 5)
    assert list(s.view("a")[2:5]) == [-1, -1, -1] and s.view("b")[4] == 0.5
    assert s.bytes_per_agent() == 12


def test_records_are_live_views_or_the_whole_capacity():
    s = AgentStore("things", 4, {"a": (np.int32, -1), "b": (np.float64, 0.5)}, Things)
    s.add(2)
    live = s.live()
    assert isinstance(live, Things) and live.a.shape == (2,)
    live.b[1] = 9.0  # a view: writes reach the store
    assert s.view("b")[1] == 9.0
    full = s.full()
    assert full.a.shape == (4,)
    full.a[2] = 7  # written past the live count, then accepted
    s.grow_to(3)
    assert list(s.view("a")) == [-1, -1, 7]
    with pytest.raises(StoreFullError):
        s.grow_to(5)


def test_record_must_match_properties():
    with pytest.raises(ValueError):
        AgentStore("x", 1, {"a": (np.int8, 0)}, Things)


def test_cached_views_follow_the_count_the_arrays_and_a_pickle():
    """A view is cached until the count or the arrays change; a copy's views are its own."""
    import copy
    import pickle

    s = AgentStore("things", 2, {"a": (np.int32, -1), "b": (np.float64, 0.5)}, Things)
    s.add(1)
    first = s.view("a")
    assert s.view("a") is first  # cached while nothing changes
    s.add(1)
    assert s.view("a").shape == (2,)  # add changes the count
    s.reserve(4)
    s.view("a")[:] = [7, 8]
    assert list(s.full("a")[:2]) == [7, 8]  # the view after reserve is of the new array
    s.grow_to(3)
    assert s.view("b").shape == (3,) and s.view("a")[0] == 7  # both views cached
    for other in (copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        other.view("a")[0] = 99  # writes reach the copy's array, not the original's
        assert other.full("a")[0] == 99 and s.view("a")[0] == 7
