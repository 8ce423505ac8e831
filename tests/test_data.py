"""The initial state agrees with the observed figures it claims to come from."""

import pytest

from qcy_sim.observed import load_observed, observed_value


def test_packaged_rows_have_sources():
    df = load_observed()
    assert len(df) >= 8
    assert df["source"].notna().all() and df["confidence"].notna().all()


def test_initial_state_matches_data(baseline):
    p = baseline.params
    assert p.initial.tech_brokers == observed_value("xx-2021-13")  # 'nearly 40' brokers
    assert p.carriers.incubator.initial_operating == observed_value("xx-2021-11")  # 49
    assert p.initial.institutes == observed_value("xx-2021-15") + 7  # 14 universities + 7
    # 361 tech firms landed in Jan-Nov 2021: a yearly rate of 394
    assert p.enterprise.relocations_per_year == pytest.approx(
        observed_value("xx-2021-06") * 12 / 11, rel=0.02
    )
