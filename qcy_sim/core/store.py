"""A struct-of-arrays agent store: one numpy array per property, a capacity and a live count.

The store knows nothing about what its agents are. Slots are handed out in order by :meth:`add`
and never reused, so a slot index identifies one agent for the whole run; agents that leave are
flagged by their owner (for example a status property), not removed.

Arrays are reached only through the store: :meth:`view` (one live property), :meth:`take` (the
live properties a kernel needs, as a namedtuple of views), :meth:`live` (all of them as the
store's own record type) and :meth:`full` (the whole capacity, for kernels that write new agents
past the live count and then :meth:`grow_to`). :meth:`reserve` may reallocate, so a record
taken before it is stale: take records after it (:meth:`take` caches a record until the count
or the arrays change).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["AgentStore", "StoreFullError"]


def _filled(capacity: int, fill: object, dtype: Any, keep: int = 0) -> np.ndarray:
    """An array of ``capacity`` slots holding ``fill`` from slot ``keep`` on.

    The caller fills the first ``keep``. Zeros come from the allocator untouched: their pages are
    only written, and paid for, when slots are used.
    """
    if fill == 0:
        return np.zeros(capacity, dtype=dtype)
    array = np.empty(capacity, dtype=dtype)
    array[keep:] = fill
    return array


class StoreFullError(RuntimeError):
    """Raised when a store would grow past its capacity."""


class AgentStore:
    """Struct-of-arrays storage with a capacity that grows on :meth:`reserve`.

    Args:
        name: Name used in messages (for example ``"talents"``).
        capacity: Maximum number of agents held before the next :meth:`reserve`.
        properties: Mapping of property name to ``(dtype, fill value)``.
        record: A namedtuple class whose fields are the property names, in order (defined at
            module level, so that numba can cache kernels that take it); default: a plain tuple
            is not offered, :meth:`live` and :meth:`full` need a record.
    """

    def __init__(
        self,
        name: str,
        capacity: int,
        properties: dict[str, tuple[type, object]],
        record: type | None = None,
    ):
        if capacity < 1:
            raise ValueError(f"{name}: capacity must be >= 1, got {capacity}")
        if record is not None and tuple(record._fields) != tuple(properties):
            raise ValueError(f"{name}: record fields {record._fields} != {tuple(properties)}")
        self.name = name
        self.capacity = int(capacity)
        self.count = 0
        self.record = record
        self._fill: dict[str, object] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._taken: dict[type, Any] = {}  # records of live views, valid for one count
        self._views: dict[str, np.ndarray] = {}  # live views, valid for one count
        for prop, (dtype, fill) in properties.items():
            self._fill[prop] = fill
            self._arrays[prop] = _filled(self.capacity, fill, dtype)

    @property
    def properties(self) -> list[str]:
        """Names of the properties, in the order they were declared."""
        return list(self._fill)

    def add(self, n: int) -> tuple[int, int]:
        """Hand out ``n`` new slots and return their range ``[start, end)``."""
        if n < 0:
            raise ValueError(f"{self.name}: cannot add {n} agents")
        start = self.count
        end = start + n
        if end > self.capacity:
            raise StoreFullError(
                f"{self.name}: capacity {self.capacity} exceeded (needed {end}); reserve first"
            )
        self.count = end
        self._forget()
        return start, end

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more agents, at least doubling the capacity when it grows."""
        needed = self.count + int(extra)
        if needed <= self.capacity:
            return
        new_capacity = max(needed, 2 * self.capacity)
        for prop, fill in self._fill.items():
            old = self._arrays[prop]
            new = _filled(new_capacity, fill, old.dtype, keep=self.count)
            new[: self.count] = old[: self.count]
            self._arrays[prop] = new
        self.capacity = new_capacity
        self._forget()

    def grow_to(self, new_count: int) -> None:
        """Accept slots that a kernel filled in place, up to ``new_count``."""
        if not self.count <= new_count <= self.capacity:
            raise StoreFullError(
                f"{self.name}: count {new_count} outside [{self.count}, {self.capacity}]"
            )
        self.count = int(new_count)
        self._forget()

    def _forget(self) -> None:
        """Drop the cached views: the count or the arrays changed."""
        self._taken.clear()
        self._views.clear()

    def view(self, prop: str) -> np.ndarray:
        """The live part ``[0, count)`` of one property (a view, not a copy; cached per count)."""
        view = self._views.get(prop)
        if view is None:
            view = self._views[prop] = self._arrays[prop][: self.count]
        return view

    def take(self, record: type) -> Any:
        """Views of the live part of the properties named by ``record`` (a namedtuple class).

        The record is cached until the count changes or the arrays are reallocated.
        """
        taken = self._taken.get(record)
        if taken is None:
            n, arrays = self.count, self._arrays
            taken = self._taken[record] = record(*[arrays[p][:n] for p in record._fields])
        return taken

    def full(self, prop: str | None = None) -> Any:
        """The whole-capacity array of one property, or all of them as the store's record."""
        if prop is not None:
            return self._arrays[prop]
        return self.record(*self._arrays.values())

    def live(self) -> Any:
        """The live part of every property as the store's record (views, not copies)."""
        n = self.count
        return self.record(*(a[:n] for a in self._arrays.values()))

    def __deepcopy__(self, memo: dict) -> AgentStore:
        """An independent copy: every array copied, the cached records left behind."""
        new = object.__new__(AgentStore)
        memo[id(self)] = new
        new.__dict__.update(self.__dict__)
        new._fill = dict(self._fill)
        new._arrays = {}
        for prop, array in self._arrays.items():
            new._arrays[prop] = memo[id(array)] = array.copy()
        new._taken, new._views = {}, {}
        return new

    def __getstate__(self) -> dict:
        """The state to pickle: the cached views are left behind (they would unpickle as copies)."""
        state = dict(self.__dict__)
        state["_taken"], state["_views"] = {}, {}
        return state

    def nbytes(self) -> int:
        """Bytes allocated for all properties."""
        return int(sum(a.nbytes for a in self._arrays.values()))

    def bytes_per_agent(self) -> int:
        """Bytes of state that one agent occupies."""
        return int(sum(a.itemsize for a in self._arrays.values()))

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return f"AgentStore({self.name!r}, count={self.count}, capacity={self.capacity})"
