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
    "list_eligible",
    "enrol",
    "APPRENTICED",
    "TRAINED",
]

Trainees = namedtuple("Trainees", ("status", "kind", "trained", "ability", "uid"))
APPRENTICED, TRAINED = 0, 1  # bits of the ``trained`` property


@njit(cache=True)
def list_eligible(t, kind_masks, bits):
    """Employed residents not yet trained in each programme, listed in one pass.

    Programme ``p`` takes the kinds of ``kind_masks[p]`` and marks bit ``bits[p]``. Returns the
    slots of each programme's eligible (row ``p``, in slot order, the first ``counts[p]``
    entries) and ``counts``. The eligible are listed without a branch: a branch on eligibility
    would be mispredicted for a large share of slots, each miss costing more than the slot's
    work. A programme changes only its own bit, so the lists hold for all programmes of a month.
    """
    programmes, m = bits.shape[0], t.status.shape[0]
    listed = np.empty((programmes, m), dtype=np.int32)
    counts = np.zeros(programmes, dtype=np.int64)
    for p in range(programmes):
        row, bit, n = listed[p], bits[p], 0
        for i in range(m):
            untrained = ((t.trained[i] >> bit) & 1) == 0
            row[n] = i
            n += (t.status[i] == EMPLOYED) & kind_masks[p, t.kind[i]] & untrained
        counts[p] = n
    return listed, counts


@njit(cache=True)
def enrol(t, listed, month, skey, select_prob, bit, gain):
    """Each listed resident enrols with chance ``select_prob``; return how many did."""
    n = 0
    for i in listed:
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
        listed, eligible = list_eligible(
            trainees,
            np.array([p[4] for p in acting]),
            np.array([p[5] for p in acting], dtype=np.int64),
        )
        for p, ((a, name, per_year, cost, _, bit, gain), n_eligible) in enumerate(
            zip(acting, eligible, strict=True)
        ):
            want = per_year / 12.0
            if cost > 0:
                want = min(want, ledger.available(name) * 1e3 / cost)
            n = 0
            if want > 0.0 and n_eligible > 0:
                select_prob = min(want / n_eligible, 1.0)
                n = enrol(
                    trainees,
                    listed[p, :n_eligible],
                    m,
                    sk ^ np.uint64(bit + 1),
                    select_prob,
                    bit,
                    gain * a,
                )
            ledger.pay(name, n * cost / 1e3)
