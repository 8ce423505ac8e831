"""The categorical draw of a candidate's kind and field, by hand."""

import numpy as np
import pytest

from qcy_sim.mechanisms.attraction import categorical

SHARES = np.array([0.2, 0.3, 0.5])


@pytest.mark.parametrize(
    ("u", "index"),
    [(0.0, 0), (0.19, 0), (0.2, 1), (0.49, 1), (0.5, 2), (0.999, 2)],
)
def test_a_draw_takes_the_first_index_whose_cumulative_share_is_above_it(u, index):
    assert categorical(u, SHARES) == index


def test_a_kind_without_share_is_never_drawn_and_the_last_takes_what_rounding_leaves():
    shares = np.array([0.5, 0.0, 0.5 - 1e-12])  # the cumulative shares end below 1
    assert [categorical(u, shares) for u in (0.4999, 0.5, 0.75, 1.0 - 1e-13)] == [0, 2, 2, 2]


def test_draws_follow_the_shares():
    u = (np.arange(100_000) + 0.5) / 100_000
    counts = np.bincount([categorical(x, SHARES) for x in u], minlength=3)
    assert np.allclose(counts / u.size, SHARES, atol=1e-4)
