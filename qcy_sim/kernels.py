"""The monthly kernels: pure ``@njit(cache=True)`` functions over agent arrays and scalars.

Each kernel takes arrays (mutated in place) and scalars, and returns plain numbers. Random draws
come from :mod:`qcy_sim.rng`, keyed by a per-run stream key, a stable agent key and the month, so
a kernel's result does not depend on the order agents are visited in. ``kernel.py_func`` runs the
same code in pure Python (the tests compare both).

Status codes of talents: 0 gone, 1 employed, 2 searching, 3 flexible (engaged remotely or part
time: no employer, no housing, counted apart from residents).
Origins: 0 other Chinese regions, 1 overseas, 2 local graduates, 3 resident at start, 4 postdoc
programme, 5 strategic scientist and team, 6 enclave (flexible), 7 offshore (flexible).
Firm kinds: 0 ordinary firm, 1 chain leader, 2 institute (universities, institutes, new R&D
institutions: employ scientists), 3 startup.
Carrier status: 1 under construction, 2 operating.
"""

import math

import numpy as np
from numba import njit

from .rng import normal, uniform

GONE, EMPLOYED, SEARCHING, FLEXIBLE = 0, 1, 2, 3
ORIGIN_POSTDOC, ORIGIN_STRATEGIC = 4, 5
FIRM_ORDINARY, FIRM_CHAIN_LEADER, FIRM_INSTITUTE, FIRM_STARTUP = 0, 1, 2, 3
BUILDING, OPERATING = 1, 2
KIND_SCIENTIST, KIND_YOUNG, KIND_STUDENT = 0, 2, 6
TEAM_SE, TEAM_SC = 0, 1
N_KEY_CHAINS = 5
YOUNG_FIRM_MONTHS = 36
HOUSING_TENURE_MONTHS = 36


@njit(cache=True)
def categorical(u, shares):
    """Index i with cumulative share just above ``u`` (inverse CDF of a categorical)."""
    acc = 0.0
    for i in range(shares.shape[0]):
        acc += shares[i]
        if u < acc:
            return i
    return shares.shape[0] - 1


# ----------------------------------------------------------------------------------------------
# Carriers


@njit(cache=True)
def carriers_build(status, built, lead, completed, build_cost, kind, month, balance):
    """Advance construction by one month where the month's instalment can be paid.

    A carrier under construction costs ``build_cost[kind] / lead`` a month; projects are paid in
    slot order (oldest first) from the balance; a project whose instalment no longer fits stalls
    for the month, and a later, cheaper one may still be paid.
    Returns ``(spent, completed_now)``.
    """
    spent = 0.0
    done = 0
    for c in range(status.shape[0]):
        if status[c] != BUILDING:
            continue
        instalment = build_cost[kind[c]] / lead[c]
        if instalment > balance - spent:
            continue
        spent += instalment
        built[c] += 1.0
        if built[c] >= lead[c] - 1e-9:
            status[c] = OPERATING
            completed[c] = month
            done += 1
    return spent, done


# ----------------------------------------------------------------------------------------------
# Enterprises


@njit(cache=True)
def firms_evolve(
    alive,
    kind,
    field,
    born,
    desired,
    staff,
    funded,
    hosted,
    uid,
    month,
    skey_growth,
    skey_fail,
    growth_mature,
    growth_young,
    growth_funded,
    field_growth,
    growth_sd,
    fail_young,
    fail_mature,
    fail_small_mult,
    fail_funded_mult,
    fail_hosted_mult,
    pilot_relief,
    max_vacancy_share,
):
    """Grow desired staff (log random walk with drift) and draw failures; returns failures.

    Desired staff stops growing while open vacancies exceed ``staff x max_vacancy_share + 2``: a
    firm does not plan more openings than it can recruit against.

    Monthly drift (log units) = yearly drift / 12 by age and funding, plus ``field_growth[field]``
    (chain-leader pull and common-technology platforms). Failure hazard per month = yearly
    hazard / 12 x multipliers (small, funded, hosted) x (1 - pilot_relief) for young firms.
    Institutes and chain leaders do not fail.
    """
    failures = 0
    for f in range(alive.shape[0]):
        if not alive[f]:
            continue
        age = month - born[f]
        # the startup phase (fast drift, high hazard) belongs to firms; institutes and chain
        # leaders arrive with their plans made
        startup_phase = age < YOUNG_FIRM_MONTHS and kind[f] != FIRM_INSTITUTE
        startup_phase = startup_phase and kind[f] != FIRM_CHAIN_LEADER
        young = age < YOUNG_FIRM_MONTHS
        drift = growth_young if startup_phase else growth_mature
        if funded[f]:
            drift += growth_funded
        drift = drift / 12.0 + field_growth[field[f]]
        z = normal(skey_growth, uid[f], month)
        if desired[f] <= staff[f] * (1.0 + max_vacancy_share) + 2.0:
            desired[f] *= math.exp(drift + growth_sd * z)
        if kind[f] == FIRM_INSTITUTE or kind[f] == FIRM_CHAIN_LEADER:
            continue
        h = (fail_young * (1.0 - pilot_relief) if young else fail_mature) / 12.0
        if staff[f] < 3:
            h *= fail_small_mult
        if funded[f]:
            h *= fail_funded_mult
        if hosted[f] >= 0:
            h *= fail_hosted_mult
        if uniform(skey_fail, uid[f], month) < h:
            alive[f] = 0
            failures += 1
    return failures


@njit(cache=True)
def firms_invest(alive, kind, born, funded, uid, month, skey, chance, amount, balance):
    """Offer investments to unfunded young firms and startups; return what was spent.

    Offers are paid while the fund lasts.
    """
    spent = 0.0
    if amount <= 0.0:
        return spent
    for f in range(alive.shape[0]):
        if not alive[f] or funded[f] or month - born[f] >= YOUNG_FIRM_MONTHS:
            continue
        if kind[f] != FIRM_ORDINARY and kind[f] != FIRM_STARTUP:
            continue
        if uniform(skey, uid[f], month) < chance and balance - spent >= amount:
            funded[f] = 1
            spent += amount
    return spent


@njit(cache=True)
def vacancy_slots(alive, kind, desired, staff, institutes):
    """List one entry per open vacancy, for firms of the institute segment or the rest."""
    total = 0
    for f in range(alive.shape[0]):
        if alive[f] and (kind[f] == FIRM_INSTITUTE) == institutes:
            v = int(math.ceil(desired[f])) - staff[f]
            if v > 0:
                total += v
    slots = np.empty(total, dtype=np.int64)
    k = 0
    for f in range(alive.shape[0]):
        if alive[f] and (kind[f] == FIRM_INSTITUTE) == institutes:
            v = int(math.ceil(desired[f])) - staff[f]
            for _ in range(max(v, 0)):
                slots[k] = f
                k += 1
    return slots


@njit(cache=True)
def hosted_release(alive, born, hosted, month):
    """Firms leave their incubator at three years of age or when they fail."""
    for f in range(alive.shape[0]):
        if hosted[f] >= 0 and (not alive[f] or month - born[f] >= YOUNG_FIRM_MONTHS):
            hosted[f] = -1


# ----------------------------------------------------------------------------------------------
# Talents


def talent_uid(month, origin, index):
    """Stable key of a talent: who it is does not depend on who else arrived."""
    return (
        (np.uint64(month) << np.uint64(44))
        | (np.uint64(origin) << np.uint64(40))
        | np.uint64(index)
    )


talent_uid_jit = njit(cache=True)(talent_uid)


@njit(cache=True)
def arrivals(
    month,
    start,
    n_by_origin,
    origin_codes,
    forced,
    new_status,
    skey_kind,
    skey_field,
    skey_ability,
    skey_expect,
    skey_choice,
    skey_title,
    kind_shares,
    field_shares,
    ability_shift,
    overseas_shift,
    ability_sd,
    th_high_end,
    th_high_level,
    recognised_share,
    asc,
    competitor_utility,
    beta_wage,
    beta_award,
    level_mult,
    comp_ratio,
    expect_sd,
    award_by_level,
    utility_by_level,
    region_utility,
    uid,
    status,
    kind,
    field,
    origin,
    level,
    level_since,
    ability,
    titled,
    employer,
    wage,
    expectation,
    arrived,
    housed,
    failed_employer,
    broker,
    team,
    trained,
):
    """Candidates choose between the area and their outside option (binary logit).

    Pool ``j`` holds ``n_by_origin[j]`` candidates of origin ``origin_codes[j]``. Candidate ``i``
    draws a kind, a field, a log ability and a wage expectation
    ``e = comp_ratio x level_mult[level] x exp(expect_sd z)`` (wages are relative: 1 is the
    area's pay for a general talent at an average firm). The area offers
    ``w = level_mult[recognised level]``. Its utility of the area over the outside option
    is ``asc[j] - competitor_utility + beta_wage log(w / e) + beta_award award / 100k
    + utility_by_level[level] + region_utility[j, kind]``; it comes with the logit probability
    (always, for ``forced`` pools such as programme placements). Arrivals are written from slot
    ``start`` with status ``new_status[j]``. Returns ``(n_arrived, awards_owed_thousand_cny,
    chosen_by_level)``, the last counting arrivals that chose the area (not placements).
    """
    n = start
    owed = 0.0
    by_level = np.zeros(3, dtype=np.int64)
    for j in range(n_by_origin.shape[0]):
        o = origin_codes[j]
        for i in range(n_by_origin[j]):
            key = talent_uid_jit(month, o, i)
            k = categorical(uniform(skey_kind, key, month), kind_shares[j])
            a = ability_shift[j, k] + (overseas_shift if o == 1 else 0.0)
            a += ability_sd * normal(skey_ability, key, month)
            lvl = 0
            if a >= th_high_level:
                lvl = 2
            elif a >= th_high_end:
                lvl = 1
            is_titled = uniform(skey_title, key, month) < recognised_share[j]
            rec = lvl if is_titled else 0
            z = normal(skey_expect, key, month)
            log_e = math.log(comp_ratio * level_mult[lvl]) + expect_sd * z
            if not forced[j]:
                dv = asc[j] - competitor_utility + beta_wage * (math.log(level_mult[rec]) - log_e)
                dv += beta_award * award_by_level[rec] / 100.0 + utility_by_level[rec]
                dv += region_utility[j, k]
                p = 1.0 / (1.0 + math.exp(-dv))
                if uniform(skey_choice, key, month) >= p:
                    continue
            uid[n] = key
            status[n] = new_status[j]
            kind[n] = k
            field[n] = categorical(uniform(skey_field, key, month), field_shares)
            origin[n] = o
            level[n] = rec
            level_since[n] = month if rec > 0 else -1
            ability[n] = a
            titled[n] = 1 if is_titled else 0
            employer[n] = -1
            wage[n] = 0.0
            expectation[n] = math.exp(log_e)
            arrived[n] = month
            housed[n] = 0
            failed_employer[n] = 0
            broker[n] = 0
            team[n] = -1
            trained[n] = 0
            if new_status[j] != FLEXIBLE:
                owed += award_by_level[rec]
            if not forced[j]:
                by_level[rec] += 1
            n += 1
    return n - start, owed, by_level


@njit(cache=True, inline="always")
def in_institute_segment(kind, origin):
    """Scientists, postdocs and strategic teams work at institutes; everyone else at firms."""
    return kind == KIND_SCIENTIST or origin == ORIGIN_POSTDOC or origin == ORIGIN_STRATEGIC


@njit(cache=True)
def init_talents(
    start,
    end,
    skey,
    kind_shares,
    field_shares,
    ability_shift,
    ability_sd,
    th_high_end,
    th_high_level,
    level_mult,
    expect_sd,
    employed_share,
    cum_institutes,
    cum_firms,
    firm_productivity,
    staff,
    uid,
    status,
    kind,
    field,
    origin,
    level,
    level_since,
    ability,
    titled,
    employer,
    wage,
    expectation,
    arrived,
):
    """Draw the residents of month 0 and seat the employed in proportion to firms' desired staff.

    Residents have titles for the level they hold (their recognition predates the plan, so
    ``level_since`` is 0 and they do not count towards the plan's high-level targets).
    """
    for i in range(start, end):
        key = talent_uid_jit(0, 3, i)
        uid[i] = key
        k = categorical(uniform(skey, key, 0), kind_shares)
        kind[i] = k
        field[i] = categorical(uniform(skey, key, 1), field_shares)
        origin[i] = 3
        a = ability_shift[k] + ability_sd * normal(skey, key, 2)
        ability[i] = a
        lvl = 2 if a >= th_high_level else (1 if a >= th_high_end else 0)
        titled[i] = 1
        level[i] = lvl
        level_since[i] = 0 if lvl > 0 else -1
        arrived[i] = -int(uniform(skey, key, 3) * 120)
        expectation[i] = level_mult[lvl] * math.exp(expect_sd * normal(skey, key, 4))
        cum = cum_institutes if k == KIND_SCIENTIST else cum_firms
        employer[i] = -1
        wage[i] = 0.0
        status[i] = SEARCHING
        if uniform(skey, key, 5) < employed_share and cum.shape[0] > 0 and cum[-1] > 0:
            j = np.searchsorted(cum, uniform(skey, key, 6) * cum[-1], side="right")
            j = min(j, cum.shape[0] - 1)
            status[i] = EMPLOYED
            employer[i] = j
            staff[j] += 1
            wage[i] = level_mult[lvl] * firm_productivity[j]


@njit(cache=True)
def match(
    status,
    kind,
    origin,
    uid,
    employer,
    wage,
    level,
    institutes,
    slots,
    firm_productivity,
    staff,
    level_mult,
    efficiency,
    elasticity,
    month,
    skey_select,
    skey_assign,
):
    """Match searchers of one segment to vacancy ``slots`` with M = A U^a V^(1-a).

    The ``M`` searchers with the smallest draws are matched (exactly M, in random order); each
    takes a vacancy drawn without replacement. Scientists, postdocs and strategic teams search
    institutes only, everyone else firms only (``institutes`` says which segment this call
    serves).
    Returns ``(searchers, matches)``.
    """
    n_v = slots.shape[0]
    idx = np.empty(status.shape[0], dtype=np.int64)
    count = 0
    for t in range(status.shape[0]):
        if status[t] == SEARCHING and in_institute_segment(kind[t], origin[t]) == institutes:
            idx[count] = t
            count += 1
    if count == 0 or n_v == 0:
        return count, 0
    draw = np.empty(count)
    for j in range(count):
        draw[j] = uniform(skey_select, uid[idx[j]], month)
    m = efficiency * count**elasticity * n_v ** (1.0 - elasticity)
    m_int = min(int(math.floor(m + 0.5)), count, n_v)
    order = np.argsort(draw, kind="mergesort")
    remaining = n_v
    for r in range(m_int):
        t = idx[order[r]]
        pick = int(uniform(skey_assign, uid[t], month) * remaining)
        f = slots[pick]
        slots[pick] = slots[remaining - 1]
        remaining -= 1
        status[t] = EMPLOYED
        employer[t] = f
        staff[f] += 1
        wage[t] = level_mult[level[t]] * firm_productivity[f]
    return count, m_int


@njit(cache=True)
def talents_month(
    status,
    kind,
    uid,
    level,
    level_since,
    ability,
    titled,
    employer,
    wage,
    expectation,
    arrived,
    housed,
    failed_employer,
    trained,
    firm_alive,
    staff,
    month,
    skey_exit,
    skey_recog,
    skey_found,
    ability_growth,
    th_high_end,
    th_high_level,
    recog_titled,
    recog_untitled,
    level_mult,
    exit_base,
    exit_coef,
    d_wage,
    d_unhoused,
    d_base,
    d_by_kind,
    d_by_level,
    d_trained,
    d_failed,
    search_exit,
    flexible_end,
    found_prob,
    founders,
):
    """One month of every talent's career: employer failure, recognition, departure, founding.

    * A talent whose employer failed becomes a searcher, marked as hurt by the failure.
    * Log ability grows (``ability_growth[kind]``); an eligible unrecognised talent is
      recognised with a monthly chance (higher with a title), and its pay follows its level.
    * Residents leave with hazard ``exit_base x exp(exit_coef x D)``, where dissatisfaction
      ``D = d_base + d_by_kind[kind] + d_by_level[level] + wage gap + no housing in the first
      three years + employer failed - d_trained (if apprenticed)``, floored at 0; searchers
      also give up with ``search_exit``. Flexible engagements end with ``flexible_end``.
    * An employed talent founds a startup with chance ``found_prob[kind]``; founders are listed
      in ``founders`` and leave their employer.

    Returns ``(resident_departures, flexible_ended, n_founders, housing_freed)``.
    """
    departures = 0
    flex_ended = 0
    n_found = 0
    freed = 0
    for t in range(status.shape[0]):
        s = status[t]
        if s == GONE:
            continue
        if s == EMPLOYED and not firm_alive[employer[t]]:
            status[t] = SEARCHING
            s = SEARCHING
            employer[t] = -1
            wage[t] = 0.0
            failed_employer[t] = 1
        ability[t] += ability_growth[kind[t]]
        target = 0
        if ability[t] >= th_high_level:
            target = 2
        elif ability[t] >= th_high_end:
            target = 1
        if target > level[t]:
            rate = recog_titled if titled[t] else recog_untitled
            if uniform(skey_recog, uid[t], month) < rate:
                if s == EMPLOYED:  # pay follows the recognised level
                    wage[t] *= level_mult[target] / level_mult[level[t]]
                level[t] = target
                level_since[t] = month
        u_exit = uniform(skey_exit, uid[t], month)
        if s == FLEXIBLE:
            if u_exit < flexible_end:
                status[t] = GONE
                flex_ended += 1
            continue
        d = d_base + d_by_kind[kind[t]] + d_by_level[level[t]]
        if s == EMPLOYED and wage[t] < expectation[t]:
            d += d_wage * math.log(expectation[t] / wage[t])
        if not housed[t] and month - arrived[t] <= HOUSING_TENURE_MONTHS:
            d += d_unhoused
        if failed_employer[t]:
            d += d_failed
        if trained[t] & 1:  # apprenticeship (bit 0); general training (bit 1) does not retain
            d -= d_trained
        h = exit_base * math.exp(exit_coef * max(d, 0.0))
        if s == SEARCHING:
            h = 1.0 - (1.0 - h) * (1.0 - search_exit)
        if u_exit < h:
            if s == EMPLOYED:
                staff[employer[t]] -= 1
            status[t] = GONE
            employer[t] = -1
            if housed[t]:
                housed[t] = 0
                freed += 1
            departures += 1
            continue
        if s == EMPLOYED:
            if failed_employer[t]:
                failed_employer[t] = 0
            if uniform(skey_found, uid[t], month) < found_prob[kind[t]]:
                founders[n_found] = t
                n_found += 1
                staff[employer[t]] -= 1
                employer[t] = -1
    return departures, flex_ended, n_found, freed


@njit(cache=True)
def housing_allocate(status, level, arrived, housed, month, free_units):
    """Move out tenants after three years; give free apartments to newcomers.

    Newcomers are served highest level first and, within a level, in slot order (earlier
    arrivals first).

    Returns ``(occupied, free_units_left, recent_residents, recent_housed)`` where *recent* means
    residents who arrived in the last 12 months (the housing chance a candidate can expect).
    """
    n = status.shape[0]
    waiting = np.empty(n, dtype=np.int64)
    waiting_level = np.empty(n, dtype=np.int8)
    n_wait = 0
    for t in range(n):
        if housed[t] and month - arrived[t] > HOUSING_TENURE_MONTHS:
            housed[t] = 0
            free_units += 1
        if (
            (status[t] == EMPLOYED or status[t] == SEARCHING)
            and not housed[t]
            and month - arrived[t] <= HOUSING_TENURE_MONTHS
        ):
            waiting[n_wait] = t
            waiting_level[n_wait] = level[t]
            n_wait += 1
    for lvl in range(2, -1, -1):
        if free_units <= 0:
            break
        for i in range(n_wait):
            if free_units <= 0:
                break
            if waiting_level[i] == lvl:
                housed[waiting[i]] = 1
                free_units -= 1
    occupied = 0
    recent = 0
    recent_housed = 0
    for t in range(n):
        if housed[t]:
            occupied += 1
        if (status[t] == EMPLOYED or status[t] == SEARCHING) and arrived[t] > month - 12:
            recent += 1
            if housed[t]:
                recent_housed += 1
    return occupied, free_units, recent, recent_housed


@njit(cache=True)
def train_brokers(status, kind, broker, uid, month, skey, want, pass_rate):
    """Enrol eligible employed researchers, managers and professionals as broker trainees.

    ``want[b]`` trainees are sought for the course of broker kind ``b + 1`` this month: each
    eligible talent enrols with chance ``want[b] / eligible``; ``pass_rate[b]`` is the chance a
    trainee is certified. Returns ``(trainees by kind, certified by kind)``.
    """
    nb = want.shape[0]
    trainees = np.zeros(nb, dtype=np.int64)
    certified = np.zeros(nb, dtype=np.int64)
    eligible = 0
    for t in range(status.shape[0]):
        k = kind[t]
        if status[t] == EMPLOYED and not broker[t] and (k == 1 or k == 3 or k == 4):
            eligible += 1
    if eligible == 0:
        return trainees, certified
    select_prob = np.empty(nb)
    total = 0.0
    for b in range(nb):
        select_prob[b] = min(want[b] / eligible, 1.0)
        total += select_prob[b]
    if total <= 0.0:
        return trainees, certified
    for t in range(status.shape[0]):
        k = kind[t]
        if status[t] != EMPLOYED or broker[t] or not (k == 1 or k == 3 or k == 4):
            continue
        u = uniform(skey, uid[t], month)
        if u >= total:
            continue
        acc = 0.0
        for b in range(nb):
            acc += select_prob[b]
            if u < acc:
                trainees[b] += 1
                if uniform(skey, uid[t], month + 100000) < pass_rate[b]:
                    broker[t] = b + 1
                    certified[b] += 1
                break
    return trainees, certified


@njit(cache=True)
def select_lowest(status, kind, team, uid, kind_mask, month, skey, n):
    """A random sample without replacement of ``n`` employed talents.

    The sample is the ``n`` talents of the kinds in ``kind_mask``, without a team, whose draws
    are smallest: independent of the order talents are visited in.
    """
    best = np.empty(n, dtype=np.int64)
    best_u = np.empty(n)
    filled = 0
    for t in range(status.shape[0]):
        if status[t] != EMPLOYED or team[t] >= 0 or not kind_mask[kind[t]]:
            continue
        u = uniform(skey, uid[t], month)
        if filled < n:
            pos = filled
            filled += 1
        elif u < best_u[n - 1]:
            pos = n - 1
        else:
            continue
        while pos > 0 and best_u[pos - 1] > u:  # keep the buffer sorted
            best_u[pos] = best_u[pos - 1]
            best[pos] = best[pos - 1]
            pos -= 1
        best_u[pos] = u
        best[pos] = t
    return best[:filled]


@njit(cache=True)
def subsidy_census(status, kind, arrived, level, month, subsidy_months):
    """``(young talents and students within their living-subsidy months, high-level residents)``.

    Only residents who arrived since the start receive living subsidies.
    """
    young = 0
    high = 0
    for t in range(status.shape[0]):
        s = status[t]
        if s != EMPLOYED and s != SEARCHING:
            continue
        if level[t] == 2:
            high += 1
        k = kind[t]
        if (k == KIND_YOUNG or k == KIND_STUDENT) and arrived[t] >= 1:
            if month - arrived[t] <= subsidy_months:
                young += 1
    return young, high


@njit(cache=True)
def team_census(status, kind, team, broker):
    """``(residents, resident brokers, employed scientists without a team)``."""
    residents = 0
    brokers = 0
    free_scientists = 0
    for t in range(status.shape[0]):
        s = status[t]
        if s != EMPLOYED and s != SEARCHING:
            continue
        residents += 1
        if broker[t]:
            brokers += 1
        if s == EMPLOYED and kind[t] == KIND_SCIENTIST and team[t] < 0:
            free_scientists += 1
    return residents, brokers, free_scientists


@njit(cache=True)
def broker_transfers(status, broker, uid, month, skey, rate_by_kind):
    """Each resident broker brokers a technology transfer with a monthly chance by kind."""
    n = 0
    for t in range(status.shape[0]):
        b = broker[t]
        if b > 0 and (status[t] == EMPLOYED or status[t] == SEARCHING):
            if uniform(skey, uid[t], month) < rate_by_kind[b - 1]:
                n += 1
    return n


@njit(cache=True)
def train_residents(status, kind, trained, ability, uid, month, skey, want, kind_mask, bit, gain):
    """Enrol ``want`` trainees (in expectation); return how many enrolled.

    Trainees are drawn among employed residents of the kinds in ``kind_mask`` not yet trained
    (bit ``bit`` of ``trained``); a trainee gains ``gain`` log ability.
    """
    n = 0
    if want <= 0.0:
        return n
    eligible = 0
    for t in range(status.shape[0]):
        if status[t] == EMPLOYED and kind_mask[kind[t]] and not (trained[t] >> bit) & 1:
            eligible += 1
    if eligible == 0:
        return n
    select_prob = min(want / eligible, 1.0)
    for t in range(status.shape[0]):
        if status[t] != EMPLOYED or not kind_mask[kind[t]] or (trained[t] >> bit) & 1:
            continue
        if uniform(skey, uid[t], month) < select_prob:
            trained[t] |= np.int8(1 << bit)
            ability[t] += gain
            n += 1
    return n


@njit(cache=True)
def certify_high_tech(
    alive, kind, born, staff, funded, spinoff, high_tech, uid, month, skey, chance
):
    """Certify firms and startups as high-tech; return how many were certified.

    Eligible: at least a year old, 5 staff. Monthly chance ``chance``, x 1.5 if funded or a
    spin-off.
    """
    n = 0
    for f in range(alive.shape[0]):
        if not alive[f] or high_tech[f] or month - born[f] < 12 or staff[f] < 5:
            continue
        if kind[f] != FIRM_ORDINARY and kind[f] != FIRM_STARTUP:
            continue
        c = chance * (1.5 if (funded[f] or spinoff[f]) else 1.0)
        if uniform(skey, uid[f], month) < c:
            high_tech[f] = 1
            n += 1
    return n


# ----------------------------------------------------------------------------------------------
# Teams


@njit(cache=True)
def teams_form(
    status,
    kind,
    origin,
    uid,
    team,
    month,
    skey_form,
    skey_partner,
    se_prob,
    sc_prob,
    partner_cum,
    partner_firm,
    t_kind,
    t_alive,
    t_leader,
    t_firm,
    t_formed,
    t_ended,
    start,
):
    """Form scientist+engineer teams and 新双创 teams.

    Free scientists form scientist+engineer teams with a partner firm; young talents and
    students form 新双创 teams. A strategic scientist forms a team as soon as employed.

    A scientist's partner firm is drawn with probability proportional to its engineering staff
    (``partner_cum`` is the cumulative staff of eligible firms ``partner_firm``). New teams are
    written from slot ``start``; returns the number formed.
    """
    n = start
    have_partners = partner_cum.shape[0] > 0
    for t in range(status.shape[0]):
        if status[t] != EMPLOYED or team[t] >= 0:
            continue
        k = kind[t]
        if k == KIND_SCIENTIST and have_partners:
            p = 1.0 if origin[t] == ORIGIN_STRATEGIC else se_prob
            if uniform(skey_form, uid[t], month) < p:
                u = uniform(skey_partner, uid[t], month) * partner_cum[-1]
                j = np.searchsorted(partner_cum, u, side="right")
                t_kind[n] = TEAM_SE
                t_firm[n] = partner_firm[min(j, partner_firm.shape[0] - 1)]
            else:
                continue
        elif k == KIND_YOUNG or k == KIND_STUDENT:
            if uniform(skey_form, uid[t], month) < sc_prob:
                t_kind[n] = TEAM_SC
                t_firm[n] = -1
            else:
                continue
        else:
            continue
        t_alive[n] = 1
        t_leader[n] = t
        t_formed[n] = month
        t_ended[n] = -1
        team[t] = n
        n += 1
    return n - start


@njit(cache=True)
def teams_dissolve(
    t_kind,
    t_alive,
    t_leader,
    t_firm,
    t_ended,
    t_uid,
    status,
    team,
    firm_alive,
    month,
    skey,
    se_dissolve,
    sc_dissolve,
):
    """Teams end when their leader leaves, their partner firm fails, or their project ends."""
    ended = 0
    for i in range(t_alive.shape[0]):
        if not t_alive[i]:
            continue
        leader = t_leader[i]
        end = status[leader] == GONE
        if t_firm[i] >= 0 and not firm_alive[t_firm[i]]:
            end = True
        if not end:
            rate = se_dissolve if t_kind[i] == TEAM_SE else sc_dissolve
            end = uniform(skey, t_uid[i], month) < rate
        if end:
            t_alive[i] = 0
            t_ended[i] = month
            if team[leader] == i:
                team[leader] = -1
            ended += 1
    return ended


# ----------------------------------------------------------------------------------------------
# Reform cases


@njit(cache=True)
def cases_promote(created, promoted, month, maturity, chance, skey):
    """Mature candidate cases are promoted nationally or provincially with a monthly chance."""
    n = 0
    for c in range(created.shape[0]):
        if promoted[c] < 0 and month - created[c] >= maturity:
            if uniform(skey, np.uint64(c), month) < chance:
                promoted[c] = month
                n += 1
    return n


# ----------------------------------------------------------------------------------------------
# KPIs


@njit(cache=True)
def talent_counts(status, level, level_since, broker, field, count_flexible, out):
    """Counts: ``out = [residents, employed, searching, flexible, high_end, high_level, brokers]``.

    High-end and high-level count talents in the key chains recognised at that level (on arrival
    or by evaluation) since the start — the plan's 培育引进 (cultivated or brought in); flexible
    talents count only if ``count_flexible``. Brokers count residents.
    """
    for j in range(out.shape[0]):
        out[j] = 0
    for t in range(status.shape[0]):
        s = status[t]
        if s == GONE:
            continue
        if s == FLEXIBLE:
            out[3] += 1
            if not count_flexible:
                continue
        else:
            out[0] += 1
            if s == EMPLOYED:
                out[1] += 1
            else:
                out[2] += 1
            if broker[t]:
                out[6] += 1
        if level_since[t] >= 1 and field[t] < N_KEY_CHAINS:
            if level[t] >= 1:
                out[4] += 1
            if level[t] >= 2:
                out[5] += 1
