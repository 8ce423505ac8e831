"""Programme calls that commit only the money a line has, and recognition of operating carriers.

Hand-built carrier stores on the tiny area: every carrier of the start is closed, then a few
carriers of one kind are placed by hand; the line's balance is set by hand. Month 6 of a plan
starting in January is June: 7 months are left in the year, this one included.
"""

import dataclasses

import numpy as np
import pytest

from qcy_sim import QcyModel
from qcy_sim.core.codes import BUILDING, CLOSED, OPERATING, PROPOSED
from qcy_sim.names import CARRIER_KINDS
from qcy_sim.policy import LEVERS

KIND = "new_rd_institution"
K = CARRIER_KINDS.index(KIND)
MONTH = 6  # June, a call month of a programme with two calls a year


@pytest.fixture
def june(tiny):
    m = QcyModel(tiny, seed=3)
    for _ in range(MONTH):
        m.step()
    assert (m.calendar0 + m.month - 1) % 12 + 1 == 6
    cs = m.carriers.store
    cs.view("status")[:] = CLOSED
    cs.view("recognised")[:] = 0
    m.carriers.survey()
    return m


def place(m, rows):
    """rows of (status, recognised, lead, built, grant_share, quality, started); their slots."""
    cs = m.carriers.store
    c = m.carriers._propose_many(np.full(len(rows), K), np.full(len(rows), -1), np.zeros(len(rows)))
    for slot, (status, rec, lead, built, share, quality, started) in zip(c, rows, strict=True):
        for name, value in (
            ("status", status), ("recognised", rec), ("lead", lead), ("built", built),
            ("grant_share", share), ("quality", quality), ("started", started),
        ):  # fmt: skip
            cs.view(name)[slot] = value
    m.carriers.survey()
    return c


def set_line(m, amount):
    ledger = m.ledger
    ledger.balance[ledger.line_of(KIND)] = amount


def table(m):
    return m.p.policy.soe_innovation.new_rd_institution


def running_cost(m):
    """The soe_innovation programme's running cost per year."""
    return LEVERS["soe_innovation"].yearly_cost(m.p.policy.soe_innovation)


def cost(m):
    return m.p.carriers.new_rd_institution.build_cost_cny_million


def test_a_line_owes_this_year_s_grants_support_and_running_cost(june):
    """A project with 3 of its 4 instalments left owes 3 of them and, finishing in August, the
    support of September to December; one with 9 left owes the 7 months to December and no
    support; a recognised project without a grant (one of the start) finishing in August owes
    the support of September to December; a private project owes nothing; a recognised
    operating carrier owes 6 months of support (this month's is paid); the programme owes its
    running cost for those 6 months."""
    m = june
    place(
        m,
        [
            (BUILDING, 1, 4.0, 1.0, 0.5, 0.0, 1),
            (BUILDING, 1, 10.0, 1.0, 0.25, 0.0, 1),
            (BUILDING, 1, 4.0, 1.0, 0.0, 0.0, 0),
            (BUILDING, 0, 4.0, 0.0, 0.0, 0.0, 1),
            (OPERATING, 1, 4.0, 4.0, 0.5, 0.0, 1),
        ],
    )
    owed = m.carriers.committed()[m.ledger.line_of(KIND)]
    grants = 0.5 * cost(m) / 4 * 3 + 0.25 * cost(m) / 10 * 7
    support = table(m).operating_support_cny_million_per_year / 12 * (4 + 4 + 6)
    running = running_cost(m) / 12 * 6
    assert running > 0 and support > 0
    assert owed == pytest.approx(grants + support + running)
    building = m.carriers.store.view("recognised") & (m.carriers.store.view("status") == BUILDING)
    m.carriers.store.view("built")[building.astype(bool)] += 1.0  # this month's build
    after_build = m.carriers.committed(grants_this_month=False)[m.ledger.line_of(KIND)]
    one_less = 0.5 * cost(m) / 4 + 0.25 * cost(m) / 10  # this month's instalments
    assert after_build == pytest.approx(owed - one_less)


def test_a_call_recognises_only_what_the_line_can_pay_after_what_it_owes(june):
    """Two proposals that meet the criteria, lead 9: each needs its award and the 7 instalments
    due by December (of 9). The line holds enough for one and a half after the other carriers'
    dues: the first (in slot order) is recognised and its grants are committed, the second waits
    for a later call. Half an instalment less than one needs, and both wait."""
    m = june
    t = table(m)
    need = t.award_cny_million + t.grant_share * cost(m) / 9 * 7
    place(m, [(BUILDING, 1, 4.0, 0.0, 0.5, 0.0, 1)])  # owes 4 instalments
    dues = m.carriers.committed()[m.ledger.line_of(KIND)]
    a, b = place(
        m,
        [(PROPOSED, 0, 9.0, 0.0, 0.0, 3.0, MONTH), (PROPOSED, 0, 9.0, 0.0, 0.0, 3.0, MONTH)],
    )
    cs = m.carriers.store
    instalment = t.grant_share * cost(m) / 9
    set_line(m, dues + need - 0.5 * instalment)  # half an instalment short: both wait
    m.carriers.recognise()
    assert cs.view("status")[[a, b]].tolist() == [PROPOSED, PROPOSED]
    set_line(m, dues + 1.5 * need)
    m.carriers.recognise()
    assert cs.view("status")[a] == BUILDING and cs.view("recognised")[a] == 1
    assert cs.view("grant_share")[a] == t.grant_share
    assert cs.view("status")[b] == PROPOSED and cs.view("recognised")[b] == 0
    line = m.ledger.balance[m.ledger.line_of(KIND)]
    assert line == pytest.approx(dues + 1.5 * need - t.award_cny_million)  # the award only
    assert m.carriers.committed()[m.ledger.line_of(KIND)] == pytest.approx(
        dues + need - t.award_cny_million
    )


def test_a_proposal_that_waited_its_longest_is_built_alone_or_dropped(june):
    """With no money, a proposal that meets the criteria waits until it is max_wait_months old;
    then it is decided like a rejected one: never recognised, built privately or closed."""
    m = june
    wait = m.p.carriers.new_rd_institution.max_wait_months
    young, old = place(
        m,
        [
            (PROPOSED, 0, 4.0, 0.0, 0.0, 3.0, MONTH - wait + 1),
            (PROPOSED, 0, 4.0, 0.0, 0.0, 3.0, MONTH - wait),
        ],
    )
    set_line(m, 0.0)
    m.carriers.recognise()
    cs = m.carriers.store
    assert cs.view("status")[young] == PROPOSED
    assert cs.view("status")[old] in (BUILDING, CLOSED) and cs.view("recognised")[old] == 0
    assert cs.view("grant_share")[old] == 0.0


def test_well_used_operating_carriers_are_recognised_fullest_first_for_the_award_only(june):
    """Three unrecognised operating carriers used 0.7, 0.9 and 0.3, in slot order (bar 0.6).
    Each needs its award and its support for the 6 months after June. Money for one and a
    half: the fullest, though placed second, is recognised, and paid the award only. Money for
    all: the two above the bar."""
    m = june
    t = table(m)
    bar = t.operating_recognition_occupancy
    assert 0.3 < bar < 0.7 and t.min_occupancy < 0.7
    need = t.award_cny_million + t.operating_support_cny_million_per_year / 12 * 6
    for n_paid, expected in ((1.5, [0, 1, 0]), (10.0, [1, 1, 0])):
        cs = m.carriers.store
        cs.view("status")[:] = CLOSED
        c = place(m, [(OPERATING, 0, 4.0, 4.0, 0.0, 0.0, 1)] * 3)
        occ = np.zeros(cs.count)
        occ[c] = [0.7, 0.9, 0.3]
        owed = m.carriers.committed(grants_this_month=False)[m.ledger.line_of(KIND)]
        set_line(m, owed + n_paid * need)
        before = m.ledger.spent(KIND)
        m.carriers._recognise_operating(occ)
        assert cs.view("recognised")[c].tolist() == expected
        paid = m.ledger.spent(KIND) - before
        assert paid == pytest.approx(sum(expected) * t.award_cny_million)
        assert m.carriers.recognised[K] == sum(expected)


def test_an_operating_carrier_below_the_programme_s_minimum_use_is_not_recognised(
    june, monkeypatch
):
    """With the recognition bar set below min_occupancy, a carrier used between the two is not
    recognised (it would lose recognition at the next evaluation); one above both is."""
    m = june
    t = table(m)
    low = (0.5 * t.min_occupancy, t.min_occupancy + 0.05)
    lowered = dataclasses.replace(t, operating_recognition_occupancy=low[0])
    monkeypatch.setattr(m.carriers, "_support", lambda kind: (1.0, lowered))
    c = place(m, [(OPERATING, 0, 4.0, 4.0, 0.0, 0.0, 1)] * 2)
    occ = np.zeros(m.carriers.store.count)
    occ[c] = [0.5 * (low[0] + t.min_occupancy), low[1]]
    set_line(m, 1000.0)
    m.carriers._recognise_operating(occ)
    assert m.carriers.store.view("recognised")[c].tolist() == [0, 1]


def test_a_programme_that_does_not_act_recognises_no_operating_carrier(june, monkeypatch):
    """The same well-used carrier, the line full, but the programme's lever does not act this
    month: nothing is recognised and nothing paid."""
    m = june
    (c,) = place(m, [(OPERATING, 0, 4.0, 4.0, 0.0, 0.0, 1)])
    occ = np.zeros(m.carriers.store.count)
    occ[c] = 1.0
    set_line(m, 100.0)
    monkeypatch.setattr(m.carriers, "act", lambda lever: 0.0)
    before = m.ledger.spent(KIND)
    m.carriers._recognise_operating(occ)
    assert m.carriers.store.view("recognised")[c] == 0 and m.ledger.spent(KIND) == before


def test_the_january_evaluation_recognises_well_used_private_carriers(baseline):
    """The baseline with the innovation-carrier programme's bar at occupancy 0, run to
    December 2022; one operating innovation carrier is made private (built without
    recognition). The January evaluation recognises it again (its programme acts, its line has
    the award) and pays the award."""
    from qcy_sim.scenario import scenario_from_dict

    data = baseline.to_dict()
    data["policy"]["transformation"]["innovation_carrier"]["operating_recognition_occupancy"] = 0.0
    m = QcyModel(scenario_from_dict(data, path="<bar at 0>"), seed=3)
    for _ in range(12):
        m.step()
    assert m.carriers.calendar_month == 12
    cs = m.carriers.store
    kind = CARRIER_KINDS.index("innovation_carrier")
    operating = np.flatnonzero((cs.view("status") == OPERATING) & (cs.view("kind") == kind))
    c = int(operating[0])
    cs.view("recognised")[c] = 0
    m.carriers.survey()
    m.step()  # January: the evaluation
    assert m.carriers.calendar_month == 1
    assert cs.view("recognised")[c] == 1 and cs.view("recognised_month")[c] == m.month


def test_proposals_wait_through_a_month_their_programme_cannot_pay_its_running_cost(
    june, monkeypatch
):
    """The programme is on but unpaid this month (it does not act): a proposal that meets the
    criteria keeps waiting instead of being decided as if there were no programme; one that has
    waited its longest is decided (built privately or dropped, never recognised)."""
    m = june
    assert m.policy.strength("soe_innovation", paid=False) > 0
    wait = m.p.carriers.new_rd_institution.max_wait_months
    young, old = place(
        m,
        [
            (PROPOSED, 0, 4.0, 0.0, 0.0, 3.0, MONTH),
            (PROPOSED, 0, 4.0, 0.0, 0.0, 3.0, MONTH - wait),
        ],
    )
    set_line(m, 1000.0)
    monkeypatch.setattr(m.carriers, "act", lambda lever: 0.0)
    m.carriers.recognise()
    cs = m.carriers.store
    assert cs.view("status")[young] == PROPOSED
    assert cs.view("status")[old] in (BUILDING, CLOSED) and cs.view("recognised")[old] == 0


def test_a_carrier_due_to_finish_this_year_needs_its_support_too(june):
    """A proposal of lead 3 recognised in June finishes in August: besides its award and its
    3 instalments it needs the support of September to December. Just short of that it waits;
    with it, it is recognised."""
    m = june
    t = table(m)
    (c,) = place(m, [(PROPOSED, 0, 3.0, 0.0, 0.0, 3.0, MONTH)])
    dues = m.carriers.committed()[m.ledger.line_of(KIND)]
    need = t.award_cny_million + t.grant_share * cost(m)
    need += t.operating_support_cny_million_per_year / 12 * 4
    set_line(m, dues + need - 0.01)
    m.carriers.recognise()
    assert m.carriers.store.view("status")[c] == PROPOSED
    set_line(m, dues + need)
    m.carriers.recognise()
    assert m.carriers.store.view("recognised")[c] == 1


def test_grants_and_support_leave_the_programme_its_running_cost_for_the_year(june):
    """The line holds the programme's running cost for the 6 months after June and half a
    month's support more: the recognised operating carrier is paid that half. With half a
    construction instalment beyond the running cost the recognised carrier under construction
    stalls; with a whole one it advances."""
    m = june
    building, _ = place(
        m, [(BUILDING, 1, 4.0, 1.0, 0.5, 0.0, 1), (OPERATING, 1, 4.0, 4.0, 0.5, 0.0, 1)]
    )
    kept = running_cost(m) / 12 * 6
    support = table(m).operating_support_cny_million_per_year / 12
    line = m.ledger.line_of(KIND)
    set_line(m, kept + 0.5 * support)
    m.carriers.pay_operation()
    assert m.ledger.balance[line] == pytest.approx(kept)
    instalment = 0.5 * cost(m) / 4
    set_line(m, kept + 0.5 * instalment)
    m.carriers.build()
    cs = m.carriers.store
    assert cs.view("built")[building] == 1.0 and m.ledger.balance[line] == pytest.approx(
        kept + 0.5 * instalment
    )
    set_line(m, kept + instalment)
    m.carriers.build()
    assert cs.view("built")[building] == 2.0 and m.ledger.balance[line] == pytest.approx(kept)


def test_a_line_owes_the_competitions_still_to_be_held_this_year(june):
    """A call comes before this month's competitions: it keeps back their expected cost; the
    January evaluation, after them, keeps back only the months after this one."""
    m = june
    line = m.ledger.line_of("youth_community")
    month_cost = m.teams.competition_cost()
    yc = m.p.policy.youth_community
    assert month_cost == pytest.approx(
        m.policy.act("youth_community") * yc.competitions_per_year / 12
        * yc.cost_cny_million_per_competition
    ) and month_cost > 0  # fmt: skip
    before = m.carriers.committed()[line]
    after = m.carriers.committed(competitions_this_month=False)[line]
    assert before - after == pytest.approx(month_cost)
