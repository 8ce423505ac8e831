"""A struct-of-arrays agent store: one numpy array per property, a capacity and a live count.

The store knows nothing about what its agents are. Slots are handed out in order by :meth:`add`
and never reused, so a slot index identifies one agent for the whole run; agents that leave are
flagged by the owner (for example a status property), not removed.
"""

from __future__ import annotations

import numpy as np

__all__ = ["AgentStore", "StoreFullError"]


class StoreFullError(RuntimeError):
    """Raised when a store would grow past its capacity."""


class AgentStore:
    """Struct-of-arrays storage with a capacity that grows on :meth:`reserve`.

    Args:
        name: Name used in messages (for example ``"talents"``).
        capacity: Maximum number of agents ever held.
        properties: Mapping of property name to ``(dtype, fill value)``.
    """

    def __init__(self, name: str, capacity: int, properties: dict[str, tuple[type, object]]):
        if capacity < 1:
            raise ValueError(f"{name}: capacity must be >= 1, got {capacity}")
        self.name = name
        self.capacity = int(capacity)
        self.count = 0
        self._fill: dict[str, object] = {}
        for prop, (dtype, fill) in properties.items():
            self.add_property(prop, dtype, fill)

    def add_property(self, prop: str, dtype: type, fill: object = 0) -> None:
        """Allocate one array of ``capacity`` elements for ``prop``."""
        if prop in self._fill or hasattr(self, prop):
            raise ValueError(f"{self.name}: property {prop!r} already exists")
        setattr(self, prop, np.full(self.capacity, fill, dtype=dtype))
        self._fill[prop] = fill

    @property
    def properties(self) -> list[str]:
        """Names of the properties, in the order they were added."""
        return list(self._fill)

    def add(self, n: int) -> tuple[int, int]:
        """Reserve ``n`` new slots and return their range ``[start, end)``."""
        if n < 0:
            raise ValueError(f"{self.name}: cannot add {n} agents")
        start = self.count
        end = start + n
        if end > self.capacity:
            raise StoreFullError(
                f"{self.name}: capacity {self.capacity} exceeded (needed {end}); reserve first"
            )
        self.count = end
        return start, end

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more agents, at least doubling the capacity when it grows."""
        needed = self.count + int(extra)
        if needed <= self.capacity:
            return
        new_capacity = max(needed, 2 * self.capacity)
        for prop, fill in self._fill.items():
            old = getattr(self, prop)
            new = np.full(new_capacity, fill, dtype=old.dtype)
            new[: self.count] = old[: self.count]
            setattr(self, prop, new)
        self.capacity = new_capacity

    def grow_to(self, new_count: int) -> None:
        """Accept slots that a kernel filled in place, up to ``new_count``."""
        if not self.count <= new_count <= self.capacity:
            raise StoreFullError(
                f"{self.name}: count {new_count} outside [{self.count}, {self.capacity}]"
            )
        self.count = int(new_count)

    def view(self, prop: str) -> np.ndarray:
        """The live part ``[0, count)`` of one property (a view, not a copy)."""
        return getattr(self, prop)[: self.count]

    def nbytes(self) -> int:
        """Bytes allocated for all properties."""
        return int(sum(getattr(self, p).nbytes for p in self._fill))

    def bytes_per_agent(self) -> int:
        """Bytes of state that one agent occupies."""
        return int(sum(getattr(self, p).itemsize for p in self._fill))

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return f"AgentStore({self.name!r}, count={self.count}, capacity={self.capacity})"
