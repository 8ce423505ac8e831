"""The golden summary: the model's numbers are pinned (tests/golden/refresh.py refreshes them)."""

import json
import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "golden"))
import refresh  # noqa: E402


@pytest.fixture(scope="module")
def current():
    return refresh.compute()


def test_golden_summary_is_unchanged(current):
    golden = json.loads(refresh.GOLDEN.read_text(encoding="utf-8"))
    assert sorted(golden) == sorted(current)
    changed = []
    for case, columns in golden.items():
        for name, digest in columns.items():
            now = current[case].get(name)
            if now is None:
                changed.append(f"{case}: {name} is no longer recorded")
            elif now != digest:
                changed.append(f"{case}: {name} {digest['final']:g} -> {now['final']:g}")
    assert not changed, (
        "the model's numbers changed; if on purpose, run python tests/golden/refresh.py\n"
        + "\n".join(changed[:40])
    )
