"""Carriers: construction paid by shared budget lines, hosting, and the carriers of the start."""

import numpy as np

from qcy_sim import QcyModel
from qcy_sim.core.codes import BUILDING, CLOSED, FIRM_ORDINARY, FIRM_STARTUP, OPERATING
from qcy_sim.mechanisms.carriers import CarrierBuild, carriers_build
from qcy_sim.mechanisms.founding import NOT_HOSTED
from qcy_sim.model import SERIES
from qcy_sim.names import CARRIER_KINDS


def _projects(kinds, grant_share=0.5, lead=4.0):
    n = len(kinds)
    return CarrierBuild(
        status=np.full(n, BUILDING, dtype=np.int8),
        built=np.zeros(n),
        lead=np.full(n, lead),
        completed=np.full(n, -1, dtype=np.int16),
        kind=np.array(kinds, dtype=np.int8),
        grant_share=np.full(n, grant_share),
    )


def test_kinds_sharing_a_line_are_paid_from_what_the_line_holds():
    """Kinds 0 and 1 share line 0, kind 2 has line 1. Each instalment costs 0.5 x 8 / 4 = 1.
    Line 0 holds 2.5: the first two projects on it are paid (2.0), the third (kind 1) no longer
    fits and stalls although its kind has paid nothing yet; line 1 pays its own project."""
    c = _projects([0, 1, 1, 2])
    paid, done = carriers_build(
        c, np.full(3, 8.0), 5, np.array([2.5, 1.0]), np.array([0, 0, 1], dtype=np.int64)
    )
    assert list(paid) == [1.0, 1.0, 1.0]
    assert list(c.built) == [1.0, 1.0, 0.0, 1.0]
    assert done == 0


def test_a_project_completes_in_the_month_its_last_instalment_is_paid():
    c = _projects([0], lead=2.0)
    c.built[0] = 1.0
    paid, done = carriers_build(
        c, np.array([6.0]), 7, np.array([10.0]), np.array([0], dtype=np.int64)
    )
    assert paid[0] == 0.5 * 6.0 / 2.0 and done == 1
    assert c.status[0] == OPERATING and c.completed[0] == 7


def test_young_firms_of_the_start_sit_in_the_least_occupied_carriers(baseline):
    """At the start every young ordinary firm is hosted while slots are free, and the hosting
    carriers' occupancies differ by at most one firm's share of a slot count."""
    m = QcyModel(baseline, seed=2)
    f, carriers = m.firms, m.carriers
    age = -f.view("born").astype(np.int64)
    kind = f.view("kind")
    young = (age < baseline.params.enterprise.young_firm_months) & (
        (kind == FIRM_ORDINARY) | (kind == FIRM_STARTUP)
    )
    hosts = carriers.hosting_carriers()
    slots = carriers.store.view("slots")[hosts]
    assert young.sum() < slots.sum()  # the defaults: room for all of them
    assert (f.view("host")[young] != NOT_HOSTED).all()
    assert (f.view("host")[~young] == NOT_HOSTED).all()
    occupancy = carriers.hosted_per_carrier()[hosts] / slots
    assert occupancy.max() - occupancy.min() <= 1.0 / slots.min() + 1e-12
    assert m.founding.hosted() == young.sum()


def test_the_carriers_of_the_start_survive_their_first_evaluation(baseline):
    """January 2022 (month 1) evaluates carriers that host the firms of the start: none of them
    closes or loses recognition for want of use (occupancy about 0.28, bars at 0.2)."""
    m = QcyModel(baseline, seed=4)
    m.step()
    cs = m.carriers.store
    assert m.series[1, SERIES.index("carriers_closed")] == 0
    start = cs.view("recognised_month") == 0
    assert start.sum() == sum(
        cp.initial_operating + cp.initial_under_construction
        for cp in (getattr(baseline.params.carriers, n) for n in CARRIER_KINDS)
    )
    assert (cs.view("status")[start] != CLOSED).all()
    assert (cs.view("recognised")[start] == 1).all()
