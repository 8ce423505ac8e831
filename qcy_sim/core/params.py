"""Documented parameters: a dataclass field that carries its unit, valid range and meaning.

Every section of the scenario schema (:mod:`qcy_sim.schema`) and every policy lever
(:mod:`qcy_sim.policy`) declares its keys with :func:`par`; validation, the scenario reference
and the uncertainty machinery read the metadata.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

__all__ = ["par", "section", "is_section"]


def par(
    default: Any,
    unit: str,
    doc: str,
    lo: float | None = None,
    hi: float | None = None,
    *,
    length: int | None = None,
    simplex: bool = False,
    plausible: tuple[float, float] | None = None,
    choices: tuple | None = None,
    prior: tuple | None = None,
) -> Any:
    """A documented scenario parameter.

    Args:
        default: Default value (a tuple for list-valued keys).
        unit: Unit, ``"1"`` for dimensionless, ``"bool"``, ``"YYYY-MM"``.
        doc: One line on what the key means and why the default.
        lo: Inclusive lower bound (numbers, and every element of lists).
        hi: Inclusive upper bound.
        length: Required length of a list-valued key.
        simplex: The list's elements must sum to 1 (within 1e-6).
        plausible: For uncertain parameters, the range a sweep should explore (the one-line
            rationale is in ``doc``).
        choices: The values allowed (for strings and whole numbers that name options); for a
            month key (unit ``YYYY-MM``), ``("",)`` allows the empty string for "never".
        prior: For uncertain parameters, the prior when it is not the default (uniform on
            ``plausible``; log-uniform when ``hi / lo > 10``): ``(dist, *args[, (lo, hi)][,
            rationale])``, read by :func:`qcy_sim.priors.prior_from_spec`.
    """
    meta = {
        "unit": unit,
        "doc": doc,
        "lo": lo,
        "hi": hi,
        "length": length,
        "simplex": simplex,
        "plausible": plausible,
        "choices": choices,
        "prior": prior,
    }
    return field(default=default, metadata=meta)


def section(factory: Any, doc: str) -> Any:
    """A nested table of parameters."""
    return field(default_factory=factory, metadata={"doc": doc, "section": True})


def is_section(f: Any) -> bool:
    """True for a field that holds a nested table."""
    return bool(f.metadata.get("section"))
