"""The Xi'an International Talent Port (task 23): built while paid, then an amenity.

Reads ``[policy.talent_port]``. The port is launched in the first month its lever acts; each
month of construction costs ``build_cost_cny_million / lead_time_months`` and is done only if
paid in full. Once ``lead_time_months`` months are done the port is open: it costs
``operating_cost_cny_million_per_year / 12`` a month and raises every candidate's utility of the
area by ``amenity_utility`` and overseas candidates' by ``overseas_utility`` (read by attraction).
"""

from __future__ import annotations

from ..core.component import Component

__all__ = ["TalentPort"]


class TalentPort(Component):
    """The International Talent Port's construction and operation."""

    def __init__(self, model):
        super().__init__(model)
        self.months_built: int | None = None  # None until launched

    @property
    def open(self) -> bool:
        """Whether the port operates and its lever is on."""
        tp = self.p.policy.talent_port
        return tp.on and self.months_built is not None and self.months_built >= tp.lead_time_months

    def pay_operation(self) -> None:
        """Operating cost of an open port."""
        if self.open:
            tp = self.p.policy.talent_port
            self.model.ledger.pay("talent_port", tp.operating_cost_cny_million_per_year / 12)

    def step(self) -> None:
        """Launch the port when its lever starts; build one more month if paid."""
        tp = self.p.policy.talent_port
        if self.months_built is None:
            if self.act("talent_port") <= 0:
                return
            self.months_built = 0
        if self.months_built >= tp.lead_time_months:
            return
        instalment = tp.build_cost_cny_million / tp.lead_time_months
        if self.model.ledger.pay_all("talent_port", instalment):
            self.months_built += 1
