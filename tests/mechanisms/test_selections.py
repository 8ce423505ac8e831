"""Who each monthly sweep selects or counts, on hand-built talents with every status and kind.

The sweeps list their eligible talents without branching and draw only for them; these tests
pin down, talent by talent, who is eligible and that the draw deciding each one is its own.
"""

import numpy as np
import pytest

from qcy_sim.core import codes as k
from qcy_sim.core.rng import uniform_array
from qcy_sim.core.store import AgentStore
from qcy_sim.mechanisms.attraction import SubsidyCensus, subsidy_census
from qcy_sim.mechanisms.brokers import Candidates, select_lowest
from qcy_sim.mechanisms.enterprises import research_staff
from qcy_sim.mechanisms.founding import NOT_HOSTED, REMOTE, seat_firms
from qcy_sim.mechanisms.teams import (
    TEAM_PROPERTIES,
    FormChances,
    Members,
    Partners,
    TeamRecord,
    staff_projects,
    team_candidates,
    teams_form,
)
from qcy_sim.mechanisms.training import APPRENTICED, TRAINED, Trainees, enrol, list_eligible
from qcy_sim.names import TALENT_KINDS

MONTH = 7
SKEY = np.uint64(11)
STATUSES = (k.GONE, k.EMPLOYED, k.SEARCHING, k.FLEXIBLE)
N_KINDS = len(TALENT_KINDS)


def every_combination(repeat: int = 3):
    """``repeat`` talents of each (status, kind, flag) with flag 0 or 1, in a shuffled order."""
    grid = np.array(
        [(s, kind, flag) for s in STATUSES for kind in range(N_KINDS) for flag in (0, 1)] * repeat
    )
    grid = grid[np.random.default_rng(5).permutation(len(grid))]
    return grid[:, 0].astype(np.int8), grid[:, 1].astype(np.int8), grid[:, 2]


def draws(n: int, skey=SKEY, month=MONTH) -> np.ndarray:
    return uniform_array(skey, np.arange(n, dtype=np.uint64), month)


# ---------------------------------------------------------------------------------------------
# training


def trainees(trained_bit: int):
    status, kind, flag = every_combination()
    n = len(status)
    return Trainees(
        status=status,
        kind=kind,
        trained=(flag << trained_bit).astype(np.int8),
        ability=np.zeros(n),
        uid=np.arange(n, dtype=np.uint64),
    )


@pytest.mark.parametrize("bit", [APPRENTICED, TRAINED])
def test_the_eligible_are_employed_talents_of_the_programme_s_kinds_without_its_bit(bit):
    t = trainees(bit)
    technicians = np.zeros(N_KINDS, np.bool_)
    technicians[k.TECHNICIAN] = True
    everyone = np.ones(N_KINDS, np.bool_)
    other = TRAINED if bit == APPRENTICED else APPRENTICED
    untrained = ((t.trained >> bit) & 1) == 0
    employed = t.status == k.EMPLOYED
    listed, counts = list_eligible(t, np.array([technicians, everyone]), np.array([bit, other]))
    eligible = employed & untrained
    assert counts.tolist() == [
        int((eligible & (t.kind == k.TECHNICIAN)).sum()),
        int(employed.sum()),  # nobody holds the other bit
    ]
    assert (
        listed[0, : counts[0]].tolist()
        == np.flatnonzero(eligible & (t.kind == k.TECHNICIAN)).tolist()
    )
    assert listed[1, : counts[1]].tolist() == np.flatnonzero(employed).tolist()
    before = t.trained.copy()
    listed, counts = list_eligible(t, np.array([everyone]), np.array([bit]))
    enrolled = enrol(t, listed[0, : counts[0]], MONTH, SKEY, 1.0, bit, 0.25)
    assert enrolled == eligible.sum()
    assert (t.ability[eligible] == 0.25).all() and (t.ability[~eligible] == 0.0).all()
    assert (((t.trained >> bit) & 1) == 1)[employed].all()
    assert np.array_equal(t.trained[~employed], before[~employed])


def test_an_eligible_talent_enrols_exactly_when_its_own_draw_is_below_the_chance():
    t = trainees(TRAINED)
    eligible = (t.status == k.EMPLOYED) & (((t.trained >> TRAINED) & 1) == 0)
    chosen = eligible & (draws(len(eligible)) < 0.4)
    assert 0 < chosen.sum() < eligible.sum()
    listed = np.flatnonzero(eligible).astype(np.int32)
    enrolled = enrol(t, listed, MONTH, SKEY, 0.4, TRAINED, 1.0)
    assert enrolled == chosen.sum()
    assert np.array_equal(t.ability == 1.0, chosen)


# ---------------------------------------------------------------------------------------------
# brokers: the sample of employed talents without a team


def test_the_sample_is_the_eligible_with_the_smallest_draws_in_their_order():
    status, kind, flag = every_combination()
    n = len(status)
    t = Candidates(
        status, kind, np.where(flag == 1, 4, -1).astype(np.int32), np.arange(n, dtype=np.uint64)
    )
    mask = np.zeros(N_KINDS, np.bool_)
    mask[[k.RESEARCHER, k.SCIENTIST]] = True
    eligible = np.flatnonzero((status == k.EMPLOYED) & (t.team < 0) & mask[kind])
    u = draws(n)
    expected = eligible[np.argsort(u[eligible], kind="stable")]
    assert select_lowest(t, mask, MONTH, SKEY, 4).tolist() == expected[:4].tolist()
    many = len(eligible) + 5
    assert select_lowest(t, mask, MONTH, SKEY, many).tolist() == expected.tolist()


# ---------------------------------------------------------------------------------------------
# teams


def members(origin_strategic: bool = False):
    status, kind, flag = every_combination()
    n = len(status)
    origin = np.full(n, k.ORIGIN_STRATEGIC if origin_strategic else k.ORIGIN_DOMESTIC, np.int8)
    team = np.where(flag == 1, 0, -1).astype(np.int32)
    employer = np.where(status == k.EMPLOYED, np.arange(n) % 2, -1).astype(np.int32)
    return Members(status, kind, origin, np.arange(n, dtype=np.uint64), team, employer)


def team_store():
    return AgentStore("teams", 4096, TEAM_PROPERTIES, TeamRecord).full()


def test_only_employed_young_talents_and_students_without_a_team_form_sc_teams():
    t = members()
    young = (t.kind == k.YOUNG) | (t.kind == k.STUDENT)
    eligible = (t.status == k.EMPLOYED) & (t.team < 0) & young
    teams = team_store()
    formed = teams_form(t, teams, 0, np.zeros(2, np.bool_), FormChances(1.0, 0.0, 0.0), MONTH, SKEY)
    assert formed == eligible.sum()
    assert teams.leader[:formed].tolist() == np.flatnonzero(eligible).tolist()  # in slot order
    assert (t.team[eligible] == np.arange(formed)).all()


def test_a_team_forms_when_its_draw_is_below_the_chance_raised_by_hosting_and_space():
    """Employer 1 is an incubated startup: x (1 + gain) there; elsewhere students get
    x (1 + gain x space) and young talents the plain chance."""
    t = members()
    young = (t.kind == k.YOUNG) | (t.kind == k.STUDENT)
    eligible = (t.status == k.EMPLOYED) & (t.team < 0) & young
    sc, space, gain = 0.2, 0.5, 1.0
    chance = np.where(
        t.employer == 1, sc * (1 + gain), np.where(t.kind == k.STUDENT, sc * (1 + gain * space), sc)
    )
    forms = eligible & (draws(len(eligible)) < chance)
    assert 0 < forms.sum() < eligible.sum()
    teams = team_store()
    hosted = np.array([False, True])
    formed = teams_form(t, teams, 0, hosted, FormChances(sc, space, gain), MONTH, SKEY)
    assert teams.leader[:formed].tolist() == np.flatnonzero(forms).tolist()


@pytest.mark.parametrize("strategic", [False, True])
def test_projects_go_to_the_free_employed_scientists_with_the_smallest_draws(strategic):
    """Strategic scientists each form a team around their own project first."""
    t = members(origin_strategic=strategic)
    free = np.flatnonzero((t.status == k.EMPLOYED) & (t.team < 0) & (t.kind == k.SCIENTIST))
    pick = np.uint64(21)
    teams = team_store()
    partners = Partners(np.array([1.0, 3.0]), np.array([5, 6], np.int32))
    formed = staff_projects(t, teams, 0, partners, 2, MONTH, pick, np.uint64(22))
    if strategic:
        assert teams.leader[:formed].tolist() == free.tolist()
    else:
        u = draws(len(t.status), skey=pick)
        expected = free[np.argsort(u[free], kind="stable")][:2]
        assert teams.leader[:formed].tolist() == expected.tolist()
    assert set(teams.firm[:formed].tolist()) <= {5, 6}


def test_the_team_store_reserves_exactly_the_teams_a_month_can_form_at_most():
    """Every strategic scientist forms a team and every young talent and student forms one at
    chance 1: together they are the founders team_candidates counts, and no more."""
    t = members(origin_strategic=True)
    founders, students = team_candidates(t)
    leads = (t.kind == k.SCIENTIST) | (t.kind == k.YOUNG) | (t.kind == k.STUDENT)
    assert founders == ((t.status == k.EMPLOYED) & (t.team < 0) & leads).sum()
    assert students == ((t.status == k.EMPLOYED) & (t.kind == k.STUDENT)).sum()
    teams = team_store()
    partners = Partners(np.array([1.0]), np.array([5], np.int32))
    n_se = staff_projects(t, teams, 0, partners, 0, MONTH, np.uint64(21), np.uint64(22))
    hosted = np.zeros(2, np.bool_)
    n_sc = teams_form(t, teams, n_se, hosted, FormChances(1.0, 0.0, 0.0), MONTH, SKEY)
    assert n_se > 0 and n_sc > 0
    assert n_se + n_sc == founders


# ---------------------------------------------------------------------------------------------
# censuses


def test_research_staff_counts_employed_scientists_and_researchers_of_each_firm():
    status, kind, _ = every_combination()
    n = len(status)
    employer = (np.arange(n) % 3).astype(np.int32)  # the gone and searching keep an old employer
    research = (status == k.EMPLOYED) & ((kind == k.SCIENTIST) | (kind == k.RESEARCHER))
    expected = np.bincount(employer[research], minlength=4)
    assert research_staff(status, kind, employer, 4).tolist() == expected.tolist()
    employer[status != k.EMPLOYED] = -1
    assert research_staff(status, kind, employer, 4).tolist() == expected.tolist()


def test_living_subsidies_go_to_resident_young_talents_and_students_within_their_months():
    status, kind, flag = every_combination(repeat=4)
    n = len(status)
    arrived = np.where(flag == 1, MONTH - 3, 0).astype(np.int16)  # month 0: before the start
    arrived[: n // 2] = np.where(flag[: n // 2] == 1, MONTH - 9, 0)  # past 6 subsidy months
    level = (np.arange(n) % 3).astype(np.int8)
    resident = (status == k.EMPLOYED) | (status == k.SEARCHING)
    young = (kind == k.YOUNG) | (kind == k.STUDENT)
    within = (arrived >= 1) & (MONTH - arrived <= 6)
    counted = subsidy_census(SubsidyCensus(status, kind, arrived, level), MONTH, 6)
    assert counted == (int((resident & young & within).sum()), int((resident & (level == 2)).sum()))


# ---------------------------------------------------------------------------------------------
# founding: seating new firms in the least occupied carrier


def seat_by_scan(n_firms, candidates, occupied, slots, remote, remote_slots):
    """The seating rule written plainly: each firm scans every carrier for the lowest share."""
    occupied, hosts = occupied.copy(), np.full(n_firms, NOT_HOSTED, dtype=np.int32)
    for i in range(n_firms):
        free = [j for j in range(len(candidates)) if occupied[candidates[j]] < slots[j]]
        if free:
            best = min(free, key=lambda j: (occupied[candidates[j]] / max(slots[j], 1.0), j))
            hosts[i] = candidates[best]
            occupied[candidates[best]] += 1
        elif remote < remote_slots:
            hosts[i] = REMOTE
            remote += 1
    return hosts, occupied, remote


def test_firms_take_the_free_carrier_of_lowest_share_then_the_first_of_equal_shares():
    candidates = np.array([4, 1, 7])  # carrier slots, in the order they are offered
    occupied = np.zeros(8, dtype=np.int64)
    occupied[[4, 1, 7]] = [1, 1, 0]
    slots = np.array([2.0, 4.0, 1.0])  # shares 1/2, 1/4, 0
    hosts = np.full(8, NOT_HOSTED, dtype=np.int32)
    seated, remote = seat_firms(hosts, candidates, occupied, slots, 0, 2)
    # 7 (0, then full); 1 (1/4, then 2/4); 4 and 1 tie at 1/2 and 4 is offered first (then
    # full); 1 twice (2/4, 3/4); every carrier full: the two remote slots, then no seat.
    assert hosts.tolist() == [7, 1, 4, 1, 1, REMOTE, REMOTE, NOT_HOSTED]
    assert (seated, remote) == (7, 2)
    assert occupied[[4, 1, 7]].tolist() == [2, 4, 1]


@pytest.mark.parametrize("seed", range(6))
def test_seating_matches_the_scan_of_every_carrier_for_every_firm(seed):
    rng = np.random.default_rng(seed)
    n_carriers = int(rng.integers(1, 40))
    candidates = np.sort(rng.choice(100, n_carriers, replace=False))
    slots = rng.choice([0.0, 1.0, 2.0, 3.0, 8.0], n_carriers)  # few values: many equal shares
    occupied = np.zeros(100, dtype=np.int64)
    occupied[candidates] = np.minimum(rng.integers(0, 4, n_carriers), slots.astype(np.int64))
    n_firms = int(rng.integers(0, 80))
    expected, expected_occupied, expected_remote = seat_by_scan(
        n_firms, candidates, occupied, slots, 1, 5
    )
    hosts = np.full(n_firms, NOT_HOSTED, dtype=np.int32)
    seated, remote = seat_firms(hosts, candidates, occupied, slots, 1, 5)
    assert hosts.tolist() == expected.tolist()
    assert np.array_equal(occupied, expected_occupied)
    assert remote == expected_remote
    assert seated == int((expected != NOT_HOSTED).sum())
