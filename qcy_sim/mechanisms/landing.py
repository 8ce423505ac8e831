"""Firms from outside (tasks 11, 15): relocations, alumni firms, chain leaders, workstations.

Reads ``[enterprise]``, ``[policy.alumni]`` and ``[policy.chain_alliances]``. Tech firms land at
``Pois(relocations_per_year / 12 x (1 + relocation_carrier_effect x log(1 + C /
relocation_capacity_scale)))`` a month, ``C`` the capacity of carriers built since the start;
alumni events (paid per event while the account lasts) bring ``Pois(relocations_per_event)``
alumni firms each. A landing firm's field follows ``talent.field_shares`` and its desired staff
is log-normal. Chain alliances attract chain leaders (each paid an incentive, its key chain drawn
by the key chains' shares of ``talent.field_shares``) and set up workstations at live chain
leaders (each paid a subsidy), which open scientist positions as small institutes of the host's
field and productivity.
"""

from __future__ import annotations

import numpy as np

from ..core.codes import FIRM_CHAIN_LEADER, FIRM_INSTITUTE, FIRM_ORDINARY
from ..core.component import Component
from ..core.rng import normal_array, poisson, uniform, uniform_array
from ..names import CARRIER_KINDS, N_KEY_CHAINS

__all__ = ["Landing"]

_S32, _S58 = np.uint64(32), np.uint64(58)
# key spaces of landing firms, chain leaders and workstations
_RELOCATED_KEY = np.uint64(1) << np.uint64(60)
_LEADER_SPACE, _WORKSTATION_SPACE = np.uint64(5), np.uint64(6)
# size draws of the firm's productivity are taken this many months after its size draw
_PRODUCTIVITY_OFFSET = 1000


class Landing(Component):
    """Firms that come to the area from outside."""

    outputs = ("relocations",)

    def step(self) -> None:
        """This month's relocations, alumni firms, chain leaders and workstations."""
        ep, pol, m, ledger = self.p.enterprise, self.p.policy, self.month, self.model.ledger
        sk = self.key("firm.relocate")
        new_cap = self.model.carriers.capacity(CARRIER_KINDS, since_start=True)
        lam = (
            ep.relocations_per_year
            / 12.0
            * (
                1.0
                + ep.relocation_carrier_effect * np.log1p(new_cap / ep.relocation_capacity_scale)
            )
        )
        n_reloc = poisson(lam, sk, 0, m)
        n_alumni = 0
        if self.act("alumni") > 0:
            al = pol.alumni
            events = poisson(self.act("alumni") * al.events_per_year / 12.0, sk, 1, m)
            affordable = int(
                ledger.available("alumni") // max(al.cost_cny_million_per_event, 1e-12)
            )
            events = min(events, affordable)
            ledger.pay("alumni", events * al.cost_cny_million_per_event)
            n_alumni = poisson(events * al.relocations_per_event, sk, 2, m)
        sk_size, sk_field = self.key("firm.size"), self.key("firm.field")
        cum = np.cumsum(self.p.talent.field_shares)
        keys = (np.uint64(m) << _S32) | np.arange(n_reloc + n_alumni, dtype=np.uint64)
        fields = np.minimum(
            np.searchsorted(cum, uniform_array(sk_field, keys, np.uint64(m)), side="right"),
            len(cum) - 1,
        )
        z = normal_array(sk_size, keys, np.uint64(m))
        size = np.exp(ep.relocation_size_log_mean + ep.relocation_size_log_sd * z)
        z_prod = normal_array(sk_size, keys, np.uint64(m + _PRODUCTIVITY_OFFSET))
        self.model.enterprises.open_firms(
            keys | _RELOCATED_KEY,
            FIRM_ORDINARY,
            fields,
            np.maximum(1.0, size),
            np.exp(ep.productivity_sd * z_prod),
        )
        self.record("relocations", n_reloc + n_alumni)
        if self.act("chain_alliances") > 0:
            self._chain_alliances(sk, sk_size, sk_field)

    def _chain_alliances(self, sk, sk_size, sk_field) -> None:
        ep, ca, m = self.p.enterprise, self.p.policy.chain_alliances, self.month
        ledger, firms = self.model.ledger, self.model.firms
        a = self.act("chain_alliances")
        enterprises = self.model.enterprises
        n_lead = poisson(a * ca.chain_leaders_per_year / 12.0, sk, 3, m)
        chain_cum = np.cumsum(self.p.talent.field_shares[:N_KEY_CHAINS])
        chain_cum = chain_cum / chain_cum[-1]
        for i in range(n_lead):
            if not ledger.pay_all("chain_alliances", ca.incentive_cny_million_per_leader):
                break
            key = (np.uint64(m) << _S32) | np.uint64(i) | (_LEADER_SPACE << _S58)
            productivity = 1.0 + ep.chain_leader_productivity_spread * uniform(sk_size, key, m)
            chain = np.searchsorted(chain_cum, uniform(sk_field, key, m), side="right")
            enterprises.open_firms(
                np.array([key], dtype=np.uint64),
                FIRM_CHAIN_LEADER,
                min(int(chain), N_KEY_CHAINS - 1),
                ep.chain_leader_size,
                productivity,
            )
        n_ws = poisson(a * ca.workstations_per_year / 12.0, sk, 4, m)
        leaders = np.flatnonzero(
            firms.view("alive").astype(bool) & (firms.view("kind") == FIRM_CHAIN_LEADER)
        )
        for i in range(n_ws if len(leaders) else 0):
            if not ledger.pay_all("chain_alliances", ca.cost_cny_million_per_workstation):
                break
            key = (np.uint64(m) << _S32) | np.uint64(i) | (_WORKSTATION_SPACE << _S58)
            host = leaders[int(uniform(sk_field, key, m) * len(leaders))]
            enterprises.open_firms(
                np.array([key], dtype=np.uint64),
                FIRM_INSTITUTE,
                int(firms.view("field")[host]),
                float(ca.workstation_staff),
                float(firms.view("productivity")[host]),
            )
