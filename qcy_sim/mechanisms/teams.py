"""Teams (tasks 3, 4, 9, 14, 17): scientist+engineer teams, 新双创 teams, and competitions.

Reads ``[teams]`` and the levers that raise team formation. Scientist+engineer teams form around
projects: the technology transfers brokered this month that did not become spin-offs, the R&D
projects chain leaders commission (``chain_leader_projects_per_year`` each, more with opened labs
and university partnerships) and those of the shared research centres
(``centre_projects_per_year`` each). A project is taken up by an employed scientist without a team
(drawn at random; a project no free scientist takes is lost) with a partner firm drawn in
proportion to staff among firms with at least ``se_engineers`` staff; a strategic scientist forms
one around its own project as soon as employed. A team ends when its project ends (after
``se_project_months`` on average), its leader leaves or its partner firm fails. Employed young
talents and students without a team form 新双创 teams with monthly chance ``sc_form_per_year /
12``, raised where they are co-located - their employer is an incubated startup, or, for
students, by the share of students a student space can seat - and by competitions held in the
last ``youth_community.effect_months`` (paid per competition from the lever's line); these teams
end with ``sc_dissolve_per_year`` or when their leader leaves.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import (
    EMPLOYED,
    FIRM_CHAIN_LEADER,
    FIRM_INSTITUTE,
    GONE,
    ORIGIN_STRATEGIC,
    SCIENTIST,
    STUDENT,
    TEAM_SC,
    TEAM_SE,
    YOUNG,
)
from ..core.component import Component
from ..core.rng import poisson, uniform
from ..core.store import AgentStore
from ..names import CARRIER_KINDS
from .matching import smallest

__all__ = ["Teams", "teams_form", "teams_dissolve", "staff_projects", "team_candidates"]

TEAM_PROPERTIES = {
    "uid": (np.uint64, 0),
    "kind": (np.int8, 0),
    "alive": (np.int8, 0),
    "formed": (np.int16, 0),
    "ended": (np.int16, -1),
    "leader": (np.int32, -1),
    "firm": (np.int32, -1),
}
TeamRecord = namedtuple("TeamRecord", tuple(TEAM_PROPERTIES))
Members = namedtuple("Members", ("status", "kind", "origin", "uid", "team", "employer"))
Partners = namedtuple("Partners", ("cum_staff", "firm"))
FormChances = namedtuple("FormChances", ("sc", "student_space", "colocation_gain"))
_S52 = np.uint64(52)
_CENTRE = CARRIER_KINDS.index("shared_research_center")


@njit(cache=True)
def _new_team(teams, n, kind, leader, firm, month):
    teams.kind[n] = kind
    teams.firm[n] = firm
    teams.alive[n] = 1
    teams.leader[n] = leader
    teams.formed[n] = month
    teams.ended[n] = -1


@njit(cache=True)
def _partner(partners, u):
    j = np.searchsorted(partners.cum_staff, u * partners.cum_staff[-1], side="right")
    return partners.firm[min(j, partners.firm.shape[0] - 1)]


@njit(cache=True)
def staff_projects(t, teams, start, partners, n_projects, month, skey_pick, skey_partner):
    """Free employed scientists take up ``n_projects`` projects; return the teams formed.

    The scientists whose draws are smallest take the projects (one each); a strategic scientist
    without a team forms one around its own project first. ``t`` is a :data:`Members`, ``teams``
    the team store's whole-capacity :data:`TeamRecord`, new teams written from slot ``start``.
    """
    n = start
    if partners.cum_staff.shape[0] == 0:
        return 0
    m = t.status.shape[0]
    idx = np.empty(m, dtype=np.int64)
    k = 0
    for i in range(m):  # the eligible are listed without a branch, then draw
        idx[k] = i
        k += (t.status[i] == EMPLOYED) & (t.team[i] < 0) & (t.kind[i] == SCIENTIST)
    draw = np.empty(k)
    free = 0
    for j in range(k):
        i = idx[j]
        if t.origin[i] == ORIGIN_STRATEGIC:
            firm = _partner(partners, uniform(skey_partner, t.uid[i], month))
            _new_team(teams, n, TEAM_SE, i, firm, month)
            t.team[i] = n
            n += 1
            continue
        draw[free] = uniform(skey_pick, t.uid[i], month)
        idx[free] = i  # the free overwrite the list behind its reading position
        free += 1
    taken = min(n_projects, free)
    order = smallest(draw[:free], taken)
    for r in range(taken):
        i = idx[order[r]]
        firm = _partner(partners, uniform(skey_partner, t.uid[i], month))
        _new_team(teams, n, TEAM_SE, i, firm, month)
        t.team[i] = n
        n += 1
    return n - start


@njit(cache=True)
def teams_form(t, teams, start, hosted_firm, chances, month, skey):
    """Young talents and students without a team form 新双创 teams; return the number formed.

    The monthly chance is ``chances.sc``, x ``1 + colocation_gain`` for one employed by an
    incubated startup (``hosted_firm[employer]``) and, for students otherwise, x ``1 +
    colocation_gain x student_space`` (the share of students a space can seat).
    """
    m = t.status.shape[0]
    eligible = np.empty(m, dtype=np.int64)
    n_eligible = 0
    for i in range(m):  # the eligible are listed without a branch, then draw
        k = t.kind[i]
        eligible[n_eligible] = i
        n_eligible += (t.status[i] == EMPLOYED) & (t.team[i] < 0) & ((k == YOUNG) | (k == STUDENT))
    n = start
    for j in range(n_eligible):
        i = eligible[j]
        k = t.kind[i]
        p = chances.sc
        if hosted_firm[t.employer[i]]:
            p *= 1.0 + chances.colocation_gain
        elif k == STUDENT:
            p *= 1.0 + chances.colocation_gain * chances.student_space
        if uniform(skey, t.uid[i], month) < p:
            _new_team(teams, n, TEAM_SC, i, -1, month)
            t.team[i] = n
            n += 1
    return n - start


@njit(cache=True)
def team_candidates(t):
    """Who may lead a new team this month, and the employed students: ``(founders, students)``.

    Founders are the employed scientists, young talents and students without a team. ``t`` is
    a :data:`Members`.
    """
    founders = students = 0
    for i in range(t.status.shape[0]):
        k = t.kind[i]
        employed = np.int64(t.status[i] == EMPLOYED)
        may_lead = np.int64((k == SCIENTIST) | (k == YOUNG) | (k == STUDENT))
        founders += employed & np.int64(t.team[i] < 0) & may_lead
        students += employed & np.int64(k == STUDENT)
    return founders, students


@njit(cache=True)
def teams_dissolve(teams, status, team, firm_alive, month, skey, se_dissolve, sc_dissolve):
    """Teams end when their leader leaves, their partner firm fails, or their project ends."""
    ended = 0
    for i in range(teams.alive.shape[0]):
        if not teams.alive[i]:
            continue
        leader = teams.leader[i]
        end = status[leader] == GONE
        if teams.firm[i] >= 0 and not firm_alive[teams.firm[i]]:
            end = True
        if not end:
            rate = se_dissolve if teams.kind[i] == TEAM_SE else sc_dissolve
            end = uniform(skey, teams.uid[i], month) < rate
        if end:
            teams.alive[i] = 0
            teams.ended[i] = month
            if team[leader] == i:
                team[leader] = -1
            ended += 1
    return ended


class Teams(Component):
    """Team formation and dissolution; innovation competitions."""

    properties = {"talents": {"team": (np.int32, -1)}}

    def __init__(self, model):
        super().__init__(model)
        self.store = AgentStore("teams", 1024, TEAM_PROPERTIES, TeamRecord)
        self.competitions: list[int] = []  # months in which competitions were held

    def competition_effect(self) -> float:
        """Multiplier - 1 on 新双创 formation and student founding from recent competitions."""
        yc = self.p.policy.youth_community
        recent = sum(1 for month in self.competitions if self.month - month < yc.effect_months)
        return yc.effect_per_competition * recent

    def projects(self) -> int:
        """Projects offered to scientists this month: transfers, chain leaders, centres."""
        tp, pol, m = self.p.teams, self.p.policy, self.month
        lab, ui = pol.lab_sharing, pol.university_industry
        rate = tp.chain_leader_projects_per_year / 12.0
        rate *= 1.0 + lab.team_gain * self.act("lab_sharing") * lab.intensity
        rate *= (
            1.0 + self.act("university_industry") * ui.partnerships * ui.team_effect_per_partnership
        )
        f = self.model.firms
        leaders = np.flatnonzero(
            f.view("alive").astype(bool) & (f.view("kind") == FIRM_CHAIN_LEADER)
        )
        sk = self.key("team.projects")
        uid = f.view("uid")
        n = sum(poisson(rate, sk, uid[j], m) for j in leaders)
        if n and self.act("lab_sharing") > 0:
            self.model.reforms.outcome("lab_sharing", n)
        centres = self.model.carriers.operating[_CENTRE]
        n += poisson(centres * tp.centre_projects_per_year / 12.0, sk, np.uint64(0), m)
        return int(n) + self.model.brokers.projects

    def step(self) -> None:
        """Teams end; projects are taken up; 新双创 teams form."""
        tp, m = self.p.teams, self.month
        t, f, tm, model = self.model.talents, self.model.firms, self.store, self.model
        teams_dissolve(
            tm.live(),
            t.view("status"),
            t.view("team"),
            f.view("alive"),
            m,
            self.key("team.dissolve"),
            1.0 / tp.se_project_months,
            tp.sc_dissolve_per_year / 12.0,
        )
        partners = np.flatnonzero(
            f.view("alive").astype(bool)
            & (f.view("kind") != FIRM_INSTITUTE)
            & (f.view("staff") >= tp.se_engineers)
        )
        cum = np.cumsum(f.view("staff")[partners]).astype(np.float64)
        members = t.take(Members)
        founders, students = team_candidates(members)
        tm.reserve(founders)  # each forms at most one team this month
        start = tm.count
        n_se = staff_projects(
            members,
            tm.full(),
            start,
            Partners(cum, partners.astype(np.int64)),
            self.projects(),
            m,
            self.key("team.form"),
            self.key("team.partner"),
        )
        hosted_firm = f.view("host") != -1
        space = model.carriers.capacity(("student_space",))
        chances = FormChances(
            min(1.0, tp.sc_form_per_year / 12.0 * (1.0 + self.competition_effect())),
            min(1.0, space / students) if students else 0.0,
            tp.sc_space_effect,
        )
        n_sc = teams_form(
            members, tm.full(), start + n_se, hosted_firm, chances, m, self.key("team.form_sc")
        )
        tm.grow_to(start + n_se + n_sc)
        new = slice(start, tm.count)
        uid = t.view("uid")[tm.view("leader")[new]]
        tm.view("uid")[new] = uid ^ (np.uint64(m) << _S52)

    def competition_cost(self) -> float:
        """What this month's expected competitions cost (million CNY; 0 when unpaid or off)."""
        yc = self.p.policy.youth_community
        lam = self.act("youth_community") * yc.competitions_per_year / 12.0
        return lam * yc.cost_cny_million_per_competition

    def hold_competitions(self) -> None:
        """This month's competitions, paid one by one while the account lasts."""
        yc = self.p.policy.youth_community
        if self.act("youth_community") <= 0:
            return
        lam = self.act("youth_community") * yc.competitions_per_year / 12.0
        for _ in range(poisson(lam, self.key("team.competition"), 0, self.month)):
            if self.model.ledger.pay_all("youth_community", yc.cost_cny_million_per_competition):
                self.competitions.append(self.month)

    def alive(self, kind: int, counting: str = "stock") -> int:
        """Teams of one kind, counted as asked.

        ``"stock"`` and ``"gained"``: alive now (every team formed since the start);
        ``"cumulative"``: every team formed since the start, alive or ended.
        """
        tm = self.store
        of_kind = tm.view("kind") == kind
        if counting == "cumulative":
            return int(np.count_nonzero(of_kind & (tm.view("formed") >= 1)))
        return int(np.count_nonzero(tm.view("alive").astype(bool) & of_kind))

    def alive_total(self) -> int:
        """Scientist+engineer teams alive now."""
        return self.alive(TEAM_SE)

    def check(self) -> None:
        """A team's leader is a resident exactly while the team is alive."""
        t, tm = self.model.talents, self.store
        live = tm.view("alive").astype(bool)
        assert (t.view("status")[tm.view("leader")[live]] != GONE).all()
        assert (t.view("team")[tm.view("leader")[live]] == np.flatnonzero(live)).all()
