"""Housing allocation on hand-built tenants: who moves out, who moves in, in which order."""

import numpy as np
import pytest

from qcy_sim.core import codes as k
from qcy_sim.mechanisms.housing import Tenancy, housing_allocate

MONTH, TENURE, WINDOW = 20, 12, 6
# (status, level, arrived, housed) of each talent, and whether it waits for an apartment
TALENTS = [
    (k.EMPLOYED, 0, 18, 0),  # 0 waits, general
    (k.SEARCHING, 2, 15, 0),  # 1 waits, high-level
    (k.EMPLOYED, 1, 19, 0),  # 2 waits, high-end
    (k.EMPLOYED, 2, 10, 0),  # 3 waits, high-level, arrived 10 months ago (tenure 12)
    (k.GONE, 2, 19, 0),  # 4 gone: not served
    (k.FLEXIBLE, 2, 19, 0),  # 5 flexible: not a resident
    (k.EMPLOYED, 0, 5, 1),  # 6 tenant past its tenure: moves out
    (k.EMPLOYED, 1, 16, 1),  # 7 tenant within its tenure: stays
    (k.EMPLOYED, 2, 2, 0),  # 8 no longer eligible
]


def tenancy():
    cols = list(zip(*TALENTS, strict=True))
    return Tenancy(
        status=np.array(cols[0], np.int8),
        level=np.array(cols[1], np.int8),
        arrived=np.array(cols[2], np.int16),
        housed=np.array(cols[3], np.int8),
    )


@pytest.mark.parametrize(
    ("free", "housed"),
    [
        (0, {1, 7}),  # the unit freed by talent 6 goes to the earliest high-level newcomer
        (1, {1, 3, 7}),  # both high-level newcomers
        (2, {1, 2, 3, 7}),  # then the high-end one
        (3, {0, 1, 2, 3, 7}),  # then the general one
        (10, {0, 1, 2, 3, 7}),  # nobody else is eligible; the rest stay free
    ],
)
def test_apartments_go_to_the_highest_level_first_then_to_earlier_slots(free, housed):
    t = tenancy()
    occupied, left, recent, recent_housed = housing_allocate(t, MONTH, free, TENURE, WINDOW)
    assert set(np.flatnonzero(t.housed).tolist()) == housed
    assert occupied == len(housed)
    assert left == free + 1 - (len(housed) - 1)  # talent 6's unit joined the free ones
    # residents who arrived in the last 6 months: 0, 1, 2, 7 (4 is gone, 5 is flexible)
    assert recent == 4
    assert recent_housed == len(housed & {0, 1, 2, 7})


def test_tenants_past_their_tenure_move_out_even_without_newcomers():
    t = Tenancy(
        status=np.full(3, k.EMPLOYED, np.int8),
        level=np.zeros(3, np.int8),
        arrived=np.array([0, 8, 9], np.int16),
        housed=np.ones(3, np.int8),
    )
    occupied, left, _, _ = housing_allocate(t, MONTH, 0, TENURE, WINDOW)
    assert t.housed.tolist() == [0, 1, 1] and occupied == 2 and left == 1


def test_a_tenant_keeps_its_apartment_for_exactly_its_tenure():
    """A general tenant who arrived exactly ``tenure`` months ago keeps its apartment, though a
    high-level newcomer is waiting and no unit is free; one month later it moves out and the
    newcomer moves in."""
    t = Tenancy(
        status=np.full(2, k.EMPLOYED, np.int8),
        level=np.array([0, 2], np.int8),
        arrived=np.array([MONTH - TENURE, MONTH - 1], np.int16),
        housed=np.array([1, 0], np.int8),
    )
    occupied, left, _, _ = housing_allocate(t, MONTH, 0, TENURE, WINDOW)
    assert t.housed.tolist() == [1, 0] and occupied == 1 and left == 0
    occupied, left, _, _ = housing_allocate(t, MONTH + 1, 0, TENURE, WINDOW)
    assert t.housed.tolist() == [0, 1] and occupied == 1 and left == 0
