"""Mutation check: does the suite notice when the model's rules are broken?

Each mutation is one exact text replacement (old -> new) in one file of the package; ``old``
must occur exactly once in that file, or the script stops (the code changed: update the
mutation). Mutations are applied one at a time to a fresh copy of the repository in a temporary
folder (the working tree is never touched; the copy is removed in a ``finally``), and the test
subset runs on the copy with ``-x`` and its own empty ``NUMBA_CACHE_DIR``, so every kernel is
compiled from the mutated source: numba's cache is keyed by a file's path and time stamp and
does not follow calls into other files, and a warm cache could hide a mutation.

A mutation is *killed* when a test fails (or the run errors, crashes or hangs past the
timeout), and *survives* when the subset passes. Before the mutations, the unmutated copy must
pass the subset and import the package from the copy.

Usage::

    python scripts/mutate.py --list          # the mutations
    python scripts/mutate.py                 # all of them; writes docs/MUTATION.md
    python scripts/mutate.py H1 C1           # some of them (no report unless --report)
    python scripts/mutate.py --check         # every old text matches exactly once
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "MUTATION.md"
# The fast subset: the draws and the mechanism tests first (they stop most mutations within
# seconds), then the model's invariants and the lever tests. The golden summary is left out on
# purpose: it pins the numbers, so it fails on nearly any change without saying which rule
# broke; the check measures what the behavioural tests protect.
SUBSET = ("tests/test_rng.py", "tests/mechanisms", "tests/test_model.py", "tests/test_levers.py")
TIMEOUT = 900  # seconds per mutation: a hang counts as killed
_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "results", "__pycache__", "*.egg-info", ".pytest_cache", "*.parquet"
)


@dataclass(frozen=True)
class Mutation:
    """One semantic change of the model: ``old`` becomes ``new`` in ``path``."""

    id: str
    path: str
    description: str
    old: str
    new: str


M = Mutation
MUTATIONS = (
    # housing
    M("H1", "qcy_sim/mechanisms/housing.py", "apartments built for free (unit cost ignored)",
      'ledger.pay("housing", add * h.unit_cost_cny_thousand / 1e3)',
      'ledger.pay("housing", 0.0)'),
    M("H2", "qcy_sim/mechanisms/housing.py", "housing served to the lowest level first",
      "for lvl in range(2, -1, -1):", "for lvl in range(0, 3):"),
    M("H3", "qcy_sim/mechanisms/housing.py", "rent subsidy booked in the wrong unit (/1e6)",
      "self.occupied * rent / 1e3", "self.occupied * rent / 1e6"),
    M("H4", "qcy_sim/mechanisms/housing.py", "apartments added even when the line cannot pay",
      'add = min(add, int(ledger.available("housing") * 1e3 // h.unit_cost_cny_thousand))',
      "add = add"),
    M("H5", "qcy_sim/mechanisms/housing.py", "tenants move out one month early (> to >=)",
      "moves_out = t.housed[i] & np.int8(not within_tenure)",
      "moves_out = t.housed[i] & np.int8(month - t.arrived[i] >= tenure)"),
    M("H6", "qcy_sim/mechanisms/housing.py", "talents who left or are flexible are housed",
      "n_wait += np.int64(resident & (housed == 0) & within_tenure)",
      "n_wait += np.int64((housed == 0) & within_tenure)"),
    # careers
    M("C1", "qcy_sim/mechanisms/careers.py", "a failed employer lowers dissatisfaction",
      "d += c.d_failed", "d -= c.d_failed"),
    M("C2", "qcy_sim/mechanisms/careers.py", "negative dissatisfaction lowers the exit hazard",
      "math.exp(r.exit_coef * max(d, 0.0))", "math.exp(r.exit_coef * d)"),
    M("C3", "qcy_sim/mechanisms/careers.py", "searchers never give up (search_exit ignored)",
      "h = 1.0 - (1.0 - h) * (1.0 - r.search_exit)", "h = h"),
    M("C4", "qcy_sim/mechanisms/careers.py", "no extra ability asked of untitled talents",
      "margin = 0.0 if t.titled[i] else c.untitled_margin", "margin = 0.0"),
    M("C5", "qcy_sim/mechanisms/careers.py", "pay on recognition ignores the old level",
      "t.wage[i] *= r.level_mult[target] / r.level_mult[t.level[i]]",
      "t.wage[i] *= r.level_mult[target]"),
    M("C6", "qcy_sim/mechanisms/careers.py", "pay below expectation satisfies (sign)",
      "                d += r.d_wage * math.log(below)",
      "                d -= r.d_wage * math.log(below)"),
    M("C12", "qcy_sim/mechanisms/careers.py", "the exit screen forgets the wage term",
      "if d + r.d_wage * (below - 1.0) <= screen_bound(u_screen, bounds):",
      "if d <= screen_bound(u_screen, bounds):"),
    M("C13", "qcy_sim/mechanisms/careers.py", "the exit screen forgets searchers giving up",
      "u_screen = u_exit - (r.search_exit if s == SEARCHING else 0.0)",
      "u_screen = u_exit"),
    M("C14", "qcy_sim/mechanisms/careers.py", "a lower screen level takes the bound above it",
      "        else bounds[2]\n        if u >= EXIT_SCREENS[2]",
      "        else bounds[1]\n        if u >= EXIT_SCREENS[2]"),
    M("C15", "qcy_sim/mechanisms/careers.py", "pay above expectation satisfies",
      "below = max(t.expectation[i] / t.wage[i], 1.0) if s == EMPLOYED else 1.0",
      "below = t.expectation[i] / t.wage[i] if s == EMPLOYED else 1.0"),
    M("C16", "qcy_sim/mechanisms/careers.py", "a screen that does not hold screens D <= -1",
      "bounds = np.full(len(EXIT_SCREENS), -np.inf)", "bounds = np.full(len(EXIT_SCREENS), -1.0)"),
    M("C7", "qcy_sim/mechanisms/careers.py", "no apartment dissatisfies past eligibility too",
      "if not t.housed[i] and month - t.arrived[i] <= r.housing_months:",
      "if not t.housed[i]:"),
    M("C8", "qcy_sim/mechanisms/careers.py", "apprenticeship does not retain",
      "d -= c.d_trained", "d -= 0.0"),
    M("C9", "qcy_sim/mechanisms/careers.py", "a leaver stays on its employer's staff",
      "                staff[t.employer[i]] -= 1\n            t.status[i] = GONE",
      "                pass\n            t.status[i] = GONE"),
    M("C10", "qcy_sim/mechanisms/careers.py", "recognition every month, not in batches",
      "if c.batch and s != FLEXIBLE and t.level[i] < 2:",
      "if s != FLEXIBLE and t.level[i] < 2:"),
    M("C11", "qcy_sim/mechanisms/careers.py", "fault tolerance deepens the failure stigma",
      '1.0 - ft.stigma_relief * self.act("fault_tolerance") * ft.intensity',
      '1.0 + ft.stigma_relief * self.act("fault_tolerance") * ft.intensity'),
    # matching
    M("M1", "qcy_sim/mechanisms/matching.py", "matches truncated instead of rounded",
      "m_int = min(int(math.floor(m + 0.5)), count, n_v)", "m_int = min(int(m), count, n_v)"),
    M("M2", "qcy_sim/mechanisms/matching.py", "elasticities of searchers and vacancies swapped",
      "count**rule.elasticity * n_v ** (1.0 - rule.elasticity)",
      "count ** (1.0 - rule.elasticity) * n_v**rule.elasticity"),
    M("M6", "qcy_sim/mechanisms/matching.py", "the short list is used though too few passed",
      "        if below.shape[0] >= m:", "        if True:"),
    M("M7", "qcy_sim/mechanisms/matching.py", "equal draws change places in the sort",
      "while k >= start[b] and draw[out[k]] > d:", "while k >= start[b] and draw[out[k]] >= d:"),
    M("M8", "qcy_sim/mechanisms/matching.py", "a bucket of the sort is left unsorted",
      "        for j in range(start[b] + 1, start[b + 1]):", "        for j in range(0):"),
    M("M3", "qcy_sim/mechanisms/matching.py", "pay of the matched ignores their level",
      "t.wage[i] = rule.level_mult[t.level[i]] * pay[f]", "t.wage[i] = pay[f]"),
    M("M4", "qcy_sim/mechanisms/matching.py", "postdocs search firms instead of institutes",
      "return kind == SCIENTIST or origin == ORIGIN_POSTDOC or origin == ORIGIN_STRATEGIC",
      "return kind == SCIENTIST or origin == ORIGIN_STRATEGIC"),
    M("M5", "qcy_sim/mechanisms/matching.py", "the talent market does not raise efficiency",
      '1.0 + self.act("talent_market") * market.matching_gain', "1.0"),
    # investment
    M("I1", "qcy_sim/mechanisms/investment.py", "investments made beyond the fund's balance",
      "if uniform(skey, f.uid[i], month) < chance and balance - spent >= amount:",
      "if uniform(skey, f.uid[i], month) < chance:"),
    M("I2", "qcy_sim/mechanisms/investment.py", "firms one month too old still invested in",
      "month - f.born[i] >= young_months:", "month - f.born[i] > young_months:"),
    M("I3", "qcy_sim/mechanisms/investment.py", "only half of each stake is booked",
      "ledger.pay(category, spent)", "ledger.pay(category, spent / 2)"),
    M("I4", "qcy_sim/mechanisms/investment.py", "proceeds of exits not capped at max_multiple",
      "np.minimum(growth, fp.max_multiple)", "growth"),
    # governance
    M("G1", "qcy_sim/policy/governance.py", "leadership execution ignored",
      "        execution = self.execution()\n", "        execution = 0.0\n"),
    M("G2", "qcy_sim/policy/governance.py", "execution does not shorten the start delay",
      "round(self.p.governance.delay_months * (1.0 - execution))",
      "round(self.p.governance.delay_months)"),
    M("G3", "qcy_sim/policy/governance.py", "strength = execution instead of 0.5 + 0.5 E",
      "return 0.5 + 0.5 * execution", "return execution"),
    M("G4", "qcy_sim/policy/governance.py", "unpaid programmes act anyway",
      "if not lever.on or (paid and not self.running(name)):", "if not lever.on:"),
    M("G5", "qcy_sim/policy/governance.py", "programmes paid in part count as paid",
      "ledger.pay_all(category, cost)", "ledger.pay(category, cost) >= 0"),
    # ledger
    M("L1", "qcy_sim/core/ledger.py", "pay ignores the line's balance",
      "paid = max(0.0, min(amount, self.balance[i]))", "paid = max(0.0, amount)"),
    M("L2", "qcy_sim/core/ledger.py", "pay_all pays what it cannot afford",
      "if amount > self.available(category) + _EPS:", "if amount < 0:"),
    M("L3", "qcy_sim/core/ledger.py", "appropriations not scaled to the reserve",
      "scale = min(1.0, self.reserve[fund] / wanted) if wanted > 0 else 0.0", "scale = 1.0"),
    M("L4", "qcy_sim/core/ledger.py", "transfers not recorded as received",
      "        self.received[self.month] += paid\n        return paid",
      "        return paid"),
    M("L5", "qcy_sim/core/ledger.py", "reallocating funds never draw on the reserve",
      "        if self._reallocate:\n            self._draw(i, amount)",
      "        if False:\n            self._draw(i, amount)"),
    # carriers
    M("K1", "qcy_sim/mechanisms/carriers.py", "the programme pays the whole instalment",
      "grant = c.grant_share[i] * build_cost[k] / c.lead[i]",
      "grant = build_cost[k] / c.lead[i]"),
    M("K2", "qcy_sim/mechanisms/carriers.py", "construction never stalls when funds are short",
      "if grant > left + pool[p] - drawn[p] + 1e-12:", "if False:"),
    M("K3", "qcy_sim/mechanisms/carriers.py", "a stalled project stops all later ones",
      "            continue\n        from_line = min(grant, max(left, 0.0))",
      "            break\n        from_line = min(grant, max(left, 0.0))"),
    M("K6", "qcy_sim/mechanisms/carriers.py", "kinds sharing a line each see the whole line",
      "left = own[line] - used[line]", "left = own[line] - paid[k]"),
    M("K20", "qcy_sim/mechanisms/carriers.py", "every line of a fund draws the whole free reserve",
      "drawn[p] += grant - from_line", "drawn[p] += 0.0"),
    M("F1", "qcy_sim/mechanisms/founding.py", "the young firms of the start are not hosted",
      "        f.view(\"host\")[order] = self._hosts(order.shape[0])",
      "        pass"),
    M("F2", "qcy_sim/mechanisms/founding.py", "of carriers of equal share the last is taken",
      "(share[a] == share[b] and a > b)", "(share[a] == share[b] and a < b)"),
    M("F3", "qcy_sim/mechanisms/founding.py", "a full carrier keeps taking firms",
      "            if used < slots[best]:\n", "            if True:\n"),
    M("F4", "qcy_sim/mechanisms/founding.py", "the heap follows the fuller child",
      "if child + 1 < n and _fuller(heap[child], heap[child + 1], share):",
      "if child + 1 < n and _fuller(heap[child + 1], heap[child], share):"),
    M("K4", "qcy_sim/mechanisms/carriers.py", "yearly operating support paid every month",
      "support = self.recognised[k] * table.operating_support_cny_million_per_year / 12",
      "support = self.recognised[k] * table.operating_support_cny_million_per_year"),
    M("K5", "qcy_sim/mechanisms/carriers.py", "carriers take one month more than their lead",
      "if c.built[i] >= c.lead[i] - 1e-9:", "if c.built[i] > c.lead[i]:"),
    M("K7", "qcy_sim/mechanisms/carriers.py", "a call ignores what the line owes",
      "if ledger.uncommitted(name, owed) >= table.award_cny_million + need - 1e-12:",
      "if ledger.available(name) >= table.award_cny_million + need - 1e-12:"),
    M("K18", "qcy_sim/mechanisms/commitments.py",
      "recognised projects without a grant owe no support after they finish",
      'building = np.flatnonzero((status == BUILDING) & (cs.view("recognised") == 1))',
      'building = np.flatnonzero((status == BUILDING) & (cs.view("grant_share") > 0))'),
    M("K19", "qcy_sim/mechanisms/commitments.py",
      "a call keeps back none of this month's competitions",
      "competition_months = after + (1 if competitions_this_month else 0)",
      "competition_months = after"),
    M("K8", "qcy_sim/mechanisms/commitments.py", "commitments ignore the end of the year",
      "grants *= np.minimum(13 - first, instalments)", "grants *= instalments"),
    M("K9", "qcy_sim/mechanisms/carriers.py", "operating carriers recognised emptiest first",
      "candidates[np.argsort(-occ[candidates], kind=\"mergesort\")]",
      "candidates[np.argsort(occ[candidates], kind=\"mergesort\")]"),
    M("K10", "qcy_sim/mechanisms/carriers.py", "an unpaid proposal waits for ever",
      "                if not waited:\n                    continue\n",
      "                continue\n"),
    M("K11", "qcy_sim/mechanisms/commitments.py", "a programme reserves none of its running cost",
      "owed[ledger.line_of(spec.spending_category)] += yearly / 12 * after",
      "owed[ledger.line_of(spec.spending_category)] += 0.0"),
    M("K12", "qcy_sim/mechanisms/commitments.py",
      "the support of carriers finishing this year is not reserved",
      "k, weights=np.maximum(13 - first - instalments, 0.0), minlength=len(CARRIER_KINDS)",
      "k, weights=np.zeros(k.shape[0]), minlength=len(CARRIER_KINDS)"),
    M("K13", "qcy_sim/mechanisms/carriers.py",
      "proposals decided in a month their programme is unpaid",
      "visit = np.where(unpaid[k_waiting], old_enough, acts[k_waiting])",
      "visit = acts[k_waiting]"),
    M("K14", "qcy_sim/mechanisms/carriers.py", "operating carriers recognised below min_occupancy",
      "if occ[c] < max(table.operating_recognition_occupancy, table.min_occupancy):",
      "if occ[c] < table.operating_recognition_occupancy:"),
    M("K15", "qcy_sim/core/ledger.py", "every line counts the whole shared reserve",
      "return own + max(0.0, self.reserve[fund] - self._shortfall(fund, owed, but=i))",
      "return own + self.reserve[fund]"),
    M("K16", "qcy_sim/mechanisms/carriers.py", "a new carrier's support this year is not needed",
      "                need = grants + support\n", "                need = grants\n"),
    M("K17", "qcy_sim/mechanisms/carriers.py", "construction eats the programme's running cost",
      "own = np.array([max(ledger.balance[line] - kept[line], 0.0) for line in shared])",
      "own = np.array([ledger.balance[line] for line in shared])"),
    # population and KPIs
    M("P1", "qcy_sim/mechanisms/population.py", "recognised before the plan counts as gained",
      "recognised_new = np.int64(t.level_since[i] >= 1)",
      "recognised_new = np.int64(t.level_since[i] >= 0)"),
    M("P2", "qcy_sim/mechanisms/population.py", "month-0 residents count as arrived",
      "new = np.int64(t.arrived[i] >= 1)", "new = np.int64(t.arrived[i] >= 0)"),
    M("P3", "qcy_sim/mechanisms/population.py", "flexible talents counted though excluded",
      "        working = employed | (flexible & flex_counted)\n"
      "        present = resident | (flexible & flex_counted)\n",
      "        working = employed | flexible\n        present = resident | flexible\n"),
    # brokers
    M("B1", "qcy_sim/mechanisms/brokers.py", "every trainee certified (pass rate ignored)",
      "if uniform(skey, t.uid[i], month + _CERTIFICATION_OFFSET) < pass_rate[b]:", "if True:"),
    M("B2", "qcy_sim/mechanisms/brokers.py", "gone brokers still make deals",
      "if b > 0 and (t.status[i] == EMPLOYED or t.status[i] == SEARCHING):", "if b > 0:"),
    M("B3", "qcy_sim/mechanisms/brokers.py", "commissions eat the year's training places",
      "            free = ledger.available(\"brokers\") - self.training_owed()",
      "            free = ledger.available(\"brokers\")"),
    M("B4", "qcy_sim/mechanisms/brokers.py", "a broker whose last deal is a window old is active",
      "(t.last_deal[i] > after)", "(t.last_deal[i] >= after)"),
    M("B5", "qcy_sim/mechanisms/brokers.py", "flexible brokers count as resident brokers",
      "np.int64((s == EMPLOYED) | (s == SEARCHING))", "np.int64(s != 0)"),
    M("B6", "qcy_sim/mechanisms/brokers.py", "brokers who left still broker transfers",
      "brokers += np.int64(t.broker[i] > 0) & resident", "brokers += np.int64(t.broker[i] > 0)"),
    M("B7", "qcy_sim/mechanisms/brokers.py", "searching researchers yield transfers",
      "researchers += employed & np.int64(research[t.kind[i]])",
      "researchers += resident & np.int64(research[t.kind[i]])"),
    # draws
    M("R1", "qcy_sim/core/rng.py", "the normal's upper tail is the lower one's (sign only)",
      "tail = bits if q < 0.0 else _TOP - np.uint64(bits)", "tail = bits"),
    M("R2", "qcy_sim/core/rng.py", "the central approximation stretched past its range",
      "if abs(q) <= 0.425:", "if abs(q) <= 0.45:"),
    M("R3", "qcy_sim/core/rng.py", "a coefficient of the normal's tail mistyped",
      "2.41780725177450611770e-1", "2.41780725177450611770e-2"),
    M("R4", "qcy_sim/core/rng.py", "normals hashed with the uniform's own key",
      "mix(np.uint64(skey) ^ _NORMAL_SALT, key, month)", "mix(np.uint64(skey), key, month)"),
    M("A2", "qcy_sim/mechanisms/attraction.py", "a draw on a cumulative share goes below it",
      "i += 1 if acc <= u else 0", "i += 1 if acc < u else 0"),
    # attraction and enterprises
    M("A1", "qcy_sim/mechanisms/attraction.py", "awards do not enter candidates' utility",
      "+ c.beta_award * c.award_by_level[lvl] / _AWARD_UNIT", "+ 0.0"),
    M("E1", "qcy_sim/mechanisms/enterprises.py", "yearly failure hazard applied monthly",
      "if young else r.fail_mature) / 12.0", "if young else r.fail_mature)"),
    # sweeps that list their eligible without a branch
    M("S1", "qcy_sim/mechanisms/training.py", "the trained enrol again",
      "n += (t.status[i] == EMPLOYED) & kind_masks[p, t.kind[i]] & untrained",
      "n += (t.status[i] == EMPLOYED) & kind_masks[p, t.kind[i]]"),
    M("S2", "qcy_sim/mechanisms/training.py", "a programme enrols talents of every kind",
      "n += (t.status[i] == EMPLOYED) & kind_masks[p, t.kind[i]] & untrained",
      "n += (t.status[i] == EMPLOYED) & untrained"),
    M("S3", "qcy_sim/mechanisms/brokers.py", "talents in a team are sampled for spin-offs",
      "k += (t.status[i] == EMPLOYED) & (t.team[i] < 0) & kind_mask[t.kind[i]]",
      "k += (t.status[i] == EMPLOYED) & kind_mask[t.kind[i]]"),
    M("S4", "qcy_sim/mechanisms/teams.py", "talents in a team form another",
      "n_eligible += (t.status[i] == EMPLOYED) & (t.team[i] < 0) & ((k == YOUNG) | (k == STUDENT))",
      "n_eligible += (t.status[i] == EMPLOYED) & ((k == YOUNG) | (k == STUDENT))"),
    M("S5", "qcy_sim/mechanisms/teams.py", "searching scientists take up projects",
      "k += (t.status[i] == EMPLOYED) & (t.team[i] < 0) & (t.kind[i] == SCIENTIST)",
      "k += (t.status[i] != GONE) & (t.team[i] < 0) & (t.kind[i] == SCIENTIST)"),
    M("S6", "qcy_sim/mechanisms/enterprises.py", "every employed talent counts as research staff",
      "research = (status[i] == EMPLOYED) & ((k == SCIENTIST) | (k == RESEARCHER))",
      "research = status[i] == EMPLOYED"),
    M("S7", "qcy_sim/mechanisms/attraction.py", "young talents who left keep their subsidy",
      "young += resident & young_kind & subsidised", "young += young_kind & subsidised"),
    M("S8", "qcy_sim/mechanisms/housing.py", "the newly housed are not counted as recent housed",
      "recent_housed += np.int64(t.arrived[i] > month - window)", "recent_housed += 0"),
    M("S9", "qcy_sim/mechanisms/housing.py", "the newly housed do not occupy their apartment",
      "                occupied += 1\n", "                occupied += 0\n"),
    M("S10", "qcy_sim/mechanisms/careers.py", "departures drawn on the recognition stream",
      "u_exits[i] = uniform(keys.exit, t.uid[i], month)",
      "u_exits[i] = uniform(keys.recognition, t.uid[i], month)"),
    M("S11", "qcy_sim/mechanisms/population.py", "the gone count as residents",
      "resident = np.int64(s != GONE) & (1 - flexible)", "resident = 1 - flexible"),
    M("S12", "qcy_sim/mechanisms/teams.py", "the team store reserves no room for students",
      "may_lead = np.int64((k == SCIENTIST) | (k == YOUNG) | (k == STUDENT))",
      "may_lead = np.int64((k == SCIENTIST) | (k == YOUNG))"),
    M("S13", "qcy_sim/mechanisms/teams.py", "talents in a team are counted as team founders",
      "founders += employed & np.int64(t.team[i] < 0) & may_lead",
      "founders += employed & may_lead"),
)  # fmt: skip


def apply(root: Path, mutation: Mutation) -> None:
    """Apply ``mutation`` to the tree at ``root``; its old text must occur exactly once."""
    path = root / mutation.path
    text = path.read_text(encoding="utf-8")
    n = text.count(mutation.old)
    if n != 1:
        raise SystemExit(
            f"mutation {mutation.id}: its old text occurs {n} times in {mutation.path} "
            "(the code changed: update the mutation)"
        )
    path.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")


def run_subset(root: Path, subset: tuple[str, ...]) -> tuple[str, str, float]:
    """Run the subset on the tree at ``root`` with a cold numba cache: (verdict, test, seconds).

    The verdict is ``"passed"`` or ``"failed"``; ``test`` names the first failing test (or what
    went wrong).
    """
    cache = Path(tempfile.mkdtemp(prefix="numba-", dir=root.parent))
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(cache),
        "PYTHONPATH": str(root),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *subset]
    start = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, cwd=root, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return "failed", f"timeout after {TIMEOUT} s", time.monotonic() - start
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    seconds = time.monotonic() - start
    if proc.returncode == 0:
        return "passed", "", seconds
    out = proc.stdout + proc.stderr
    found = re.search(r"^(?:FAILED|ERROR) (\S+)", out, re.MULTILINE)
    if found:
        return "failed", found.group(1), seconds
    return "failed", f"exit {proc.returncode}: {out.strip().splitlines()[-1:]}", seconds


def copy_tree(source: Path, work: Path, name: str) -> Path:
    """A copy of the repository at ``source`` (without .git, the venv, results) as work/name."""
    root = work / name
    shutil.copytree(source, root, ignore=_COPY_IGNORE)
    return root


def check_copy_imports_itself(root: Path) -> None:
    """Stop unless Python run in the copy imports the copy's package (not the installed one)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", "import qcy_sim; print(qcy_sim.__file__)"],
        cwd=root, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not Path(out).resolve().is_relative_to(root.resolve()):
        raise SystemExit(f"the copy imports qcy_sim from {out}, not from {root}")


def commit() -> str:
    """The commit the copy was taken from."""

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "qcy_sim", "tests", "scripts")
    return head + (" (with uncommitted changes)" if dirty else "")


def write_report(results, subset, command, seconds, taken_from) -> None:
    """Write docs/MUTATION.md: how it was measured, and one row per mutation."""
    killed = sum(1 for r in results if r["verdict"] == "failed")
    total = len(results)
    lines = [
        "# Mutation check",
        "",
        "`scripts/mutate.py` applies semantic mutations of the model one at a time to a copy of",
        "the repository and runs a fast subset of the suite on each, with `-x` and an empty numba",
        "cache per mutation (every kernel compiled from the mutated source). A mutation is killed",
        "when a test fails. Regenerate this page with `python scripts/mutate.py`.",
        "",
        f"**{killed} of {total} mutations killed ({100 * killed / total:.0f} %).**",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; wall time {seconds / 60:.0f} min",
        f"- machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} cores "
        f"(shared with other work), Python {platform.python_version()}",
        f"- commit: `{taken_from}`",
        f"- command: `{command}`",
        f"- subset: `{' '.join(subset)}` (the golden summary is left out: it pins the numbers "
        "and would fail on nearly any change without naming the rule)",
        "",
        "| id | file | mutation | result |",
        "|---|---|---|---|",
    ]
    for r in results:
        m = r["mutation"]
        if r["verdict"] == "failed":
            result = f"killed by `{r['test']}`"
        else:
            result = f"**survived**: {SURVIVORS.get(m.id, 'not explained')}"
        lines.append(f"| {m.id} | `{m.path.removeprefix('qcy_sim/')}` | {m.description} | "
                     f"{result} |")  # fmt: skip
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


# Why a mutation survives, once known (written into the report).
SURVIVORS: dict[str, str] = {}


def main(argv=None) -> int:
    """Run the chosen mutations; write the report when all were run (or with --report)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="mutation ids to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    parser.add_argument("--check", action="store_true", help="check the old texts and stop")
    parser.add_argument("--report", action="store_true", help="write docs/MUTATION.md")
    parser.add_argument(
        "--tests", nargs="+", default=list(SUBSET), help="the test subset (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    ids = {m.id for m in MUTATIONS}
    assert len(ids) == len(MUTATIONS), "duplicate mutation ids"
    unknown = sorted(set(args.ids) - ids)
    if unknown:
        parser.error(f"unknown mutations: {unknown}")
    chosen = [m for m in MUTATIONS if not args.ids or m.id in args.ids]
    if args.list:
        for m in chosen:
            print(f"{m.id:4} {m.path:36} {m.description}")
        return 0
    with tempfile.TemporaryDirectory(prefix="qcy-mutate-") as tmp:
        work = Path(tmp)
        # one snapshot of the working tree, taken now: edits made during the run change nothing
        base = copy_tree(ROOT, work, "base")
        taken_from = commit()
        for m in chosen:  # fail loudly before any run if a mutation no longer applies
            scratch = work / "check"
            shutil.copytree(base / "qcy_sim", scratch / "qcy_sim")
            apply(scratch, m)
            shutil.rmtree(scratch)
        if args.check:
            print(f"all {len(chosen)} mutations apply exactly once")
            return 0
        root = copy_tree(base, work, "repo")
        check_copy_imports_itself(root)
        subset = tuple(args.tests)
        started = time.monotonic()
        verdict, test, secs = run_subset(root, subset)
        print(f"unmutated: {verdict} in {secs:.0f} s {test}", flush=True)
        if verdict != "passed":
            raise SystemExit("the unmutated copy fails the subset: fix that first")
        shutil.rmtree(root)
        results = []
        for m in chosen:
            root = copy_tree(base, work, "repo")
            try:
                apply(root, m)
                verdict, test, secs = run_subset(root, subset)
            finally:
                shutil.rmtree(root, ignore_errors=True)
            status = "killed" if verdict == "failed" else "SURVIVED"
            print(f"{m.id:4} {status:8} {secs:5.0f} s  {m.description}  {test}", flush=True)
            results.append({"mutation": m, "verdict": verdict, "test": test})
        killed = sum(1 for r in results if r["verdict"] == "failed")
        print(f"{killed} of {len(results)} killed")
        if args.report or not args.ids:
            command = "python scripts/mutate.py " + " ".join(argv or sys.argv[1:])
            elapsed = time.monotonic() - started
            write_report(results, subset, command.strip(), elapsed, taken_from)
            print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
