"""Peak concurrency of many interval groups at once: the same bits as one group at a time."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from focusgen.world.concurrency import peak_concurrency


def _one_group_at_a_time(start, end, amount, sizes) -> np.ndarray:
    """The reference: each group's events sorted alone (time, then amount), summed in turn."""
    peaks, first = [], 0
    for size in sizes.tolist():
        part = slice(first, first + size)
        times = np.concatenate([start[part], end[part]])
        delta = np.concatenate([amount[part], -amount[part]])
        order = np.lexsort((delta, times))
        peaks.append(float(np.max(np.cumsum(delta[order]))))
        first += size
    return np.array(peaks)


def _brute_force(start, end, amount, sizes) -> np.ndarray:
    """Each group's largest total over the instants where some interval [start, end) runs."""
    peaks, first = [], 0
    for size in sizes.tolist():
        part = slice(first, first + size)
        s, e, a = start[part], end[part], amount[part]
        peaks.append(max(a[(s <= t) & (t < e)].sum() for t in s.tolist()))
        first += size
    return np.array(peaks)


GROUPS = st.lists(st.integers(1, 70), min_size=1, max_size=12).flatmap(
    lambda sizes: st.tuples(
        st.just(np.array(sizes)),
        st.lists(st.integers(-30, 60), min_size=sum(sizes), max_size=sum(sizes)),
        st.lists(st.integers(0, 40), min_size=sum(sizes), max_size=sum(sizes)),
        st.lists(
            st.floats(0.001, 1e6, allow_nan=False) | st.sampled_from([0.5, 1.0, 2.25]),
            min_size=sum(sizes),
            max_size=sum(sizes),
        ),
    )
)


@settings(max_examples=200, deadline=None)
@given(GROUPS)
def test_peaks_are_bit_identical_to_summing_each_group_alone(case):
    sizes, starts, lengths, amounts = case
    start = np.array(starts, dtype=np.int32)
    end = start + np.array(lengths, dtype=np.int32)
    amount = np.array(amounts)
    got = peak_concurrency(start, end, amount, sizes)
    expected = _one_group_at_a_time(start, end, amount, sizes)
    # Bit for bit: the world's commitment sizes (and so every output byte) depend on them.
    np.testing.assert_array_equal(got.view(np.int64), expected.view(np.int64))


@settings(max_examples=100, deadline=None)
@given(GROUPS)
def test_peak_is_the_largest_total_running_at_one_instant(case):
    sizes, starts, lengths, amounts = case
    start = np.array(starts, dtype=np.int64)
    end = start + 1 + np.array(lengths, dtype=np.int64)  # at least one period long
    amount = np.array(amounts)
    got = peak_concurrency(start, end, amount, sizes)
    np.testing.assert_allclose(got, _brute_force(start, end, amount, sizes), rtol=1e-9)


def test_an_interval_ending_as_another_starts_is_not_counted_with_it():
    start, end = np.array([0, 5, 0]), np.array([5, 9, 9])
    peaks = peak_concurrency(start, end, np.array([2.0, 3.0, 1.0]), np.array([2, 1]))
    np.testing.assert_array_equal(peaks, [3.0, 1.0])
