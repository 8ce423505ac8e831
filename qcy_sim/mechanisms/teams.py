"""Teams (tasks 3, 4, 9, 14, 17): scientist+engineer teams, 新双创 teams, and competitions.

Reads ``[teams]`` and the levers that raise team formation. Each month teams end when their
leader leaves, their partner firm fails, or their project ends (a monthly hazard by kind).
An employed scientist without a team forms a scientist+engineer team with monthly chance
``se_form_per_year / 12`` raised by the density of brokers, by shared research centres, opened
labs and university partnerships, plus the projects brokered this month shared among free
scientists; its partner firm is drawn in proportion to staff among firms with at least
``se_engineers`` staff. A strategic scientist forms one as soon as employed. Employed young
talents and students without a team form 新双创 teams with chance ``sc_form_per_year / 12``,
raised by free space in student spaces and incubators and by competitions held in the last
``youth_community.effect_months`` (paid per competition while the account lasts).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import (
    EMPLOYED,
    FIRM_INSTITUTE,
    GONE,
    ORIGIN_STRATEGIC,
    SCIENTIST,
    SEARCHING,
    STUDENT,
    TEAM_SC,
    TEAM_SE,
    YOUNG,
)
from ..core.component import Component
from ..core.rng import poisson, uniform
from ..core.store import AgentStore

__all__ = ["Teams", "teams_form", "teams_dissolve", "team_census"]

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
Members = namedtuple("Members", ("status", "kind", "origin", "uid", "team"))
TeamCensus = namedtuple("TeamCensus", ("status", "kind", "team", "broker"))
Partners = namedtuple("Partners", ("cum_staff", "firm"))
FormChances = namedtuple("FormChances", ("se", "sc"))
_S52 = np.uint64(52)


@njit(cache=True)
def teams_form(t, teams, start, partners, chances, month, skey_form, skey_partner):
    """Form scientist+engineer teams and 新双创 teams; return the number formed.

    ``t`` is a :data:`Members`, ``teams`` the team store's whole-capacity :data:`TeamRecord`
    (new teams are written from slot ``start``). A scientist's partner firm is drawn with
    probability proportional to its staff (``partners.cum_staff``, cumulative over the eligible
    ``partners.firm``).
    """
    n = start
    have_partners = partners.cum_staff.shape[0] > 0
    for i in range(t.status.shape[0]):
        if t.status[i] != EMPLOYED or t.team[i] >= 0:
            continue
        k = t.kind[i]
        if k == SCIENTIST and have_partners:
            p = 1.0 if t.origin[i] == ORIGIN_STRATEGIC else chances.se
            if uniform(skey_form, t.uid[i], month) < p:
                u = uniform(skey_partner, t.uid[i], month) * partners.cum_staff[-1]
                j = np.searchsorted(partners.cum_staff, u, side="right")
                teams.kind[n] = TEAM_SE
                teams.firm[n] = partners.firm[min(j, partners.firm.shape[0] - 1)]
            else:
                continue
        elif k == YOUNG or k == STUDENT:
            if uniform(skey_form, t.uid[i], month) < chances.sc:
                teams.kind[n] = TEAM_SC
                teams.firm[n] = -1
            else:
                continue
        else:
            continue
        teams.alive[n] = 1
        teams.leader[n] = i
        teams.formed[n] = month
        teams.ended[n] = -1
        t.team[i] = n
        n += 1
    return n - start


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


@njit(cache=True)
def team_census(t):
    """``(residents, resident brokers, employed scientists without a team)``."""
    residents = 0
    brokers = 0
    free_scientists = 0
    for i in range(t.status.shape[0]):
        s = t.status[i]
        if s != EMPLOYED and s != SEARCHING:
            continue
        residents += 1
        if t.broker[i]:
            brokers += 1
        if s == EMPLOYED and t.kind[i] == SCIENTIST and t.team[i] < 0:
            free_scientists += 1
    return residents, brokers, free_scientists


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

    def step(self) -> None:
        """Teams end, then new teams form."""
        tp, pol, m = self.p.teams, self.p.policy, self.month
        t, f, tm, model = self.model.talents, self.model.firms, self.store, self.model
        teams_dissolve(
            tm.live(),
            t.view("status"),
            t.view("team"),
            f.view("alive"),
            m,
            self.key("team.dissolve"),
            tp.se_dissolve_per_year / 12.0,
            tp.sc_dissolve_per_year / 12.0,
        )
        census = t.take(TeamCensus)
        n_res, n_brokers, free_scientists = team_census(census)
        n_res = max(1, n_res)
        brokers_per_1000 = 1000.0 * n_brokers / n_res
        centres = model.carriers.count("shared_research_center")
        lab, ui = pol.lab_sharing, pol.university_industry
        se_prob = tp.se_form_per_year / 12.0 * (1.0 + tp.se_broker_effect * brokers_per_1000)
        se_prob *= 1.0 + tp.se_center_effect * centres
        se_prob *= 1.0 + lab.team_gain * self.act("lab_sharing") * lab.intensity
        se_prob *= (
            1.0 + self.act("university_industry") * ui.partnerships * ui.team_effect_per_partnership
        )
        if free_scientists:
            se_prob += tp.se_project_share * model.brokers.projects / free_scientists
        space_slots = model.carriers.capacity(("student_space", "incubator"))
        hosted = model.founding.hosted()
        free_share = max(0, space_slots - hosted) / space_slots if space_slots else 0.0
        sc_prob = tp.sc_form_per_year / 12.0 * (1.0 + tp.sc_space_effect * free_share)
        sc_prob *= 1.0 + self.competition_effect()
        partners = np.flatnonzero(
            f.view("alive").astype(bool)
            & (f.view("kind") != FIRM_INSTITUTE)
            & (f.view("staff") >= tp.se_engineers)
        )
        cum = np.cumsum(f.view("staff")[partners]).astype(np.float64)
        tm.reserve(n_res)
        start = tm.count
        members = t.take(Members)
        n = teams_form(
            members,
            tm.full(),
            start,
            Partners(cum, partners.astype(np.int64)),
            FormChances(min(se_prob, 1.0), min(sc_prob, 1.0)),
            m,
            self.key("team.form"),
            self.key("team.partner"),
        )
        tm.grow_to(start + n)
        new = slice(start, tm.count)
        uid = t.view("uid")[tm.view("leader")[new]]
        tm.view("uid")[new] = uid ^ (np.uint64(m) << _S52)

    def hold_competitions(self) -> None:
        """This month's competitions, paid one by one while the account lasts."""
        yc = self.p.policy.youth_community
        if self.act("youth_community") <= 0:
            return
        lam = self.act("youth_community") * yc.competitions_per_year / 12.0
        for _ in range(poisson(lam, self.key("team.competition"), 0, self.month)):
            if self.model.ledger.pay_all("youth_community", yc.cost_cny_million_per_competition):
                self.competitions.append(self.month)

    def alive(self, kind: int) -> int:
        """Teams of one kind alive now."""
        tm = self.store
        return int(np.count_nonzero(tm.view("alive").astype(bool) & (tm.view("kind") == kind)))

    def check(self) -> None:
        """A team's leader is a resident exactly while the team is alive."""
        t, tm = self.model.talents, self.store
        live = tm.view("alive").astype(bool)
        assert (t.view("status")[tm.view("leader")[live]] != GONE).all()
        assert (t.view("team")[tm.view("leader")[live]] == np.flatnonzero(live)).all()
