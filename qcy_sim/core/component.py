"""The base class of the model's mechanisms.

A component is one mechanism of the model: it reads its parameter sections, declares the agent
properties it adds (:attr:`Component.properties`), the spending categories it books that belong
to no lever (:attr:`Component.spending`) and the monthly outputs it records
(:attr:`Component.outputs`); it sets up its part of the initial state in :meth:`initialise`,
does its work in the phases the model's schedule names, and asserts its invariants in
:meth:`check`. It reaches the rest of the model only through ``self.model``: the stores, the
ledger, the lever strengths (:meth:`act`) and the other components by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Component"]


class Component:
    """One mechanism of the model.

    Args:
        model: The :class:`~qcy_sim.model.QcyModel` it belongs to.
    """

    #: Agent properties the component adds: ``{store: {property: (dtype, fill value)}}``.
    properties: ClassVar[dict[str, dict[str, tuple[type, Any]]]] = {}
    #: Spending categories it books that no lever owns: ``{category: account}``.
    spending: ClassVar[dict[str, str]] = {}
    #: Monthly outputs it records (columns of ``model.series``).
    outputs: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: Any):
        self.model = model
        self.p = model.p
        policy = getattr(model, "policy", None)
        if policy is not None:  # the lever strengths, straight from the administration
            self.act = policy.act

    @property
    def month(self) -> int:
        """The month being simulated (0 while initialising)."""
        return self.model.month

    @property
    def calendar_month(self) -> int:
        """The calendar month (1 = January) of the month being simulated."""
        return (self.model.calendar0 + self.model.month - 1) % 12 + 1

    def key(self, stream: str) -> np.uint64:
        """The run's key of a named random stream."""
        return self.model.keys[stream]

    def act(self, lever: str) -> float:
        """How strongly a lever acts this month (0 when off, not started or unpaid)."""
        return self.model.policy.act(lever)  # replaced by the bound method once it exists

    def record(self, output: str, value: float) -> None:
        """Set this month's value of one of the model's monthly outputs."""
        self.model.record(output, value)

    def initialise(self) -> None:
        """Set up the component's part of the state at month 0."""

    def check(self) -> None:
        """Assert the component's invariants (the tests call it after every month)."""
