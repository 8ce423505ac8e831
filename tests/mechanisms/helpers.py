"""Small helpers shared by the mechanism tests: edit a scenario, build a record of arrays."""

import dataclasses

import numpy as np


def edit(scenario, path: str, **changes):
    """A copy of ``scenario`` with the table at ``path`` (e.g. ``"policy.housing"``) changed."""
    parts = path.split(".")

    def rebuild(node, rest):
        if not rest:
            return dataclasses.replace(node, **changes)
        child = getattr(node, rest[0])
        return dataclasses.replace(node, **{rest[0]: rebuild(child, rest[1:])})

    return dataclasses.replace(scenario, params=rebuild(scenario.params, parts))


def record(cls, n: int, **arrays):
    """A ``cls`` namedtuple of length-``n`` arrays: the given ones, zeros for the others."""
    fields = {}
    for name in cls._fields:
        value = arrays.pop(name, None)
        fields[name] = np.zeros(n) if value is None else np.asarray(value)
    assert not arrays, f"not fields of {cls.__name__}: {sorted(arrays)}"
    return cls(**fields)


def binomial_tolerance(n: int, p: float, sigmas: float = 4.0) -> float:
    """``sigmas`` standard errors of a share of ``n`` independent draws with chance ``p``."""
    return sigmas * float(np.sqrt(p * (1.0 - p) / n))
