"""Observed figures for Xixian up to 2021, shipped with the package.

These are the rows of ``shared/data/observed_to_2021.csv`` that the model uses, packaged so that
their provenance travels with the results.
"""

from __future__ import annotations

from importlib.resources import files

__all__ = ["load_observed", "observed_value"]


def load_observed(path=None):
    """The observed figures as a pandas DataFrame (``id`` as index).

    Args:
        path: A CSV of the same columns (``id, geography, period_start, period_end, quantity,
            value, unit, meaning, source, confidence``); default: the packaged file.
    """
    import pandas as pd

    source = path or files("qcy_sim") / "data" / "observed_to_2021.csv"
    with open(source, encoding="utf-8") as fh:
        return pd.read_csv(fh, index_col="id")


def observed_value(row_id: str) -> float:
    """The value of one row of the packaged file."""
    return float(load_observed().loc[row_id, "value"])
