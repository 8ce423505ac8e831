"""Write the golden summary of the model: ``python tests/golden/refresh.py``.

The golden summary pins the model's numbers: for a few scenarios and seeds, every monthly
column (KPIs, outputs, spending) as a SHA-256 of its float64 bytes plus its final value and sum.
``tests/test_golden.py`` recomputes it and compares. A change that alters any number fails the
test; refresh the file on purpose, in the commit that says the behaviour changed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GOLDEN = HERE / "baseline.json"
# (scenario file, seeds): the baseline and the no-new-policy mix, three and one seeds
CASES = (("scenarios/baseline.toml", (0, 1, 2)), ("scenarios/no_new_policy.toml", (0,)))


def column_digest(values: np.ndarray) -> dict:
    """SHA-256 of a monthly column as float64, with its final value and sum."""
    v = np.ascontiguousarray(values, dtype=np.float64)
    return {
        "sha256": hashlib.sha256(v.tobytes()).hexdigest()[:20],
        "final": float(v[-1]),
        "sum": float(v.sum()),
    }


def compute() -> dict:
    """The golden summary of the current code."""
    from qcy_sim import QcyModel, load_scenario

    out = {}
    for path, seeds in CASES:
        scenario = load_scenario(ROOT / path)
        for seed in seeds:
            model = QcyModel(scenario, seed=seed).run()
            columns = {}
            for name, values in model_columns(model).items():
                columns[name] = column_digest(values)
            out[f"{scenario.name}/seed{seed}"] = columns
    return out


def model_columns(model) -> dict[str, np.ndarray]:
    """Every recorded monthly column of a finished model, by name."""
    frame = model.kpi_frame()
    return {c: frame[c].to_numpy() for c in frame.columns if c not in ("month", "date")}


if __name__ == "__main__":
    data = compute()
    GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({sum(len(v) for v in data.values())} columns)", file=sys.stderr)
