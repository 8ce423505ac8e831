from qcy_sim.docs import scenario_reference
from qcy_sim.schema import iter_keys

from .conftest import ROOT


def test_reference_is_current():
    committed = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    assert committed == scenario_reference(), (
        "docs/scenario-reference.md is stale: run python -m qcy_sim.docs docs/scenario-reference.md"
    )


def test_every_key_has_unit_and_doc():
    for key, f, _typ, _ in iter_keys():
        assert f.metadata.get("unit"), key
        assert len(f.metadata.get("doc", "")) > 10, key


def test_plausible_ranges_are_valid_and_contain_defaults():
    from qcy_sim.schema import ModelParams, uncertain_parameters

    defaults = ModelParams()
    assert len(uncertain_parameters()) >= 15
    for key, (lo, hi) in uncertain_parameters().items():
        value = defaults
        for part in key.split("."):
            value = getattr(value, part)
        assert lo < hi and lo <= value <= hi, key
