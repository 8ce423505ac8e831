"""Apprenticeships (task 20) and training for all residents (task 26).

Reads ``[policy.skilled_talent]`` and ``[policy.training]``. Each programme enrols
``per_year / 12`` trainees a month in expectation (fewer if its account cannot pay them) among
employed residents of its kinds not yet trained in it; each trainee gains ``ability_gain x
strength`` log ability and is marked in the ``trained`` bit field (bit 0 apprenticeship, bit 1
general training). Apprentices are also retained better (:mod:`.careers`).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..core.codes import EMPLOYED, TECHNICIAN
from ..core.component import Component
from ..core.rng import uniform
from ..names import TALENT_KINDS

__all__ = [
    "Training",
    "Trainees",
    "train_residents",
    "count_eligible",
    "enrol",
    "APPRENTICED",
    "TRAINED",
]

Trainees = namedtuple("Trainees", ("status", "kind", "trained", "ability", "uid"))
APPRENTICED, TRAINED = 0, 1  # bits of the ``trained`` property


@njit(cache=True)
def train_residents(t, month, skey, want, kind_mask, bit, gain):
    """Enrol ``want`` trainees (in expectation) in the programme of bit ``bit``; return how many.

    Trainees are drawn among employed residents of the kinds in ``kind_mask`` not yet trained in
    it (``t`` is a :data:`Trainees`); a trainee gains ``gain`` log ability.
    """
    if want <= 0.0:
        return 0
    masks = np.empty((1, kind_mask.shape[0]), dtype=np.bool_)
    masks[0] = kind_mask
    eligible = count_eligible(t, masks, np.array([bit]))[0]
    if eligible == 0:
        return 0
    return enrol(t, month, skey, min(want / eligible, 1.0), kind_mask, bit, gain)


@njit(cache=True)
def count_eligible(t, kind_masks, bits):
    """Employed residents not yet trained in each programme, in one pass.

    Programme ``p`` takes the kinds of ``kind_masks[p]`` and marks bit ``bits[p]``.
    """
    out = np.zeros(bits.shape[0], dtype=np.int64)
    for p in range(bits.shape[0]):
        n = 0
        for i in range(t.status.shape[0]):
            untrained = 1 - ((np.int64(t.trained[i]) >> bits[p]) & 1)
            n += np.int64(t.status[i] == EMPLOYED) & np.int64(kind_masks[p, t.kind[i]]) & untrained
        out[p] = n
    return out


@njit(cache=True)
def enrol(t, month, skey, select_prob, kind_mask, bit, gain):
    """Each eligible resident enrols with chance ``select_prob``; return how many did.

    The eligible are listed first, without a branch, and draw in a second loop: a branch on
    eligibility would be mispredicted for a large share of slots, each miss costing more than
    the slot's work.
    """
    m = t.status.shape[0]
    eligible = np.empty(m, dtype=np.int64)
    k = 0
    for i in range(m):
        untrained = ((t.trained[i] >> bit) & 1) == 0
        eligible[k] = i
        k += (t.status[i] == EMPLOYED) & kind_mask[t.kind[i]] & untrained
    n = 0
    for j in range(k):
        i = eligible[j]
        if uniform(skey, t.uid[i], month) < select_prob:
            t.trained[i] |= np.int8(1 << bit)
            t.ability[i] += gain
            n += 1
    return n


class Training(Component):
    """Training programmes for residents."""

    properties = {"talents": {"trained": (np.int8, 0)}}

    def step(self) -> None:
        """Enrol this month's apprentices and trainees."""
        pol, m, ledger = self.p.policy, self.month, self.model.ledger
        sk = self.key("talent.training")
        technicians = np.zeros(len(TALENT_KINDS), dtype=np.bool_)
        technicians[TECHNICIAN] = True
        everyone = np.ones(len(TALENT_KINDS), dtype=np.bool_)
        st, tr = pol.skilled_talent, pol.training
        programmes = (
            ("skilled_talent", st.apprentices_per_year, st.cost_cny_thousand_per_apprentice,
             technicians, APPRENTICED, st.ability_gain),
            ("training", tr.trainees_per_year, tr.cost_cny_thousand_per_trainee, everyone,
             TRAINED, tr.ability_gain),
        )  # fmt: skip
        acting = [(self.act(p[0]), *p) for p in programmes]
        acting = [p for p in acting if p[0] > 0]
        if not acting:
            return
        t = self.model.talents
        trainees = t.take(Trainees)
        # one pass counts who may enrol in each programme: a programme changes only its own bit
        eligible = count_eligible(
            trainees,
            np.array([p[4] for p in acting]),
            np.array([p[5] for p in acting], dtype=np.int64),
        )
        for (a, name, per_year, cost, kinds, bit, gain), n_eligible in zip(
            acting, eligible, strict=True
        ):
            want = per_year / 12.0
            if cost > 0:
                want = min(want, ledger.available(name) * 1e3 / cost)
            n = 0
            if want > 0.0 and n_eligible > 0:
                select_prob = min(want / n_eligible, 1.0)
                n = enrol(trainees, m, sk ^ np.uint64(bit + 1), select_prob, kinds, bit, gain * a)
            ledger.pay(name, n * cost / 1e3)
