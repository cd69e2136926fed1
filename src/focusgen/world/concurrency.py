"""The highest total running at once in each of many groups of intervals, all groups at once."""

from __future__ import annotations

import numpy as np

from focusgen.world.keys import distinct


def peak_concurrency(
    start: np.ndarray, end: np.ndarray, amount: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """Per group, the largest sum of ``amount`` over intervals [start, end) open together.

    The intervals are laid out group after group (``sizes`` of them each, every size 1 or
    more). Each group's running total adds its events in time order, ends before starts at
    the same time, one after the other from zero: the same additions, in the same order,
    as summing each group alone, so the peaks are the same to the last bit.
    """
    n_groups = len(sizes)
    group = np.repeat(np.arange(n_groups, dtype=np.int64), sizes)
    times = np.concatenate([start, end]).astype(np.int64)
    delta = np.concatenate([amount, -amount])
    # Group, then time, as one key (times span far less than 2**32 periods). Stable: events
    # that tie on group, time and amount keep their order (and are equal).
    span = int(times.max() - times.min()) + 1 if len(times) else 1
    key = np.concatenate([group, group]) * span + (times - (times.min() if len(times) else 0))
    order = np.lexsort((delta, key))
    delta = delta[order]
    events = 2 * np.asarray(sizes, dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(events)[:-1]])
    peaks = np.empty(n_groups)
    # A running sum must be sequential within a group, so groups become the rows of a
    # zero-padded matrix summed along its rows. Rows are bucketed by power-of-two width to
    # keep the padding under half of each matrix.
    width_class = np.ceil(np.log2(events)).astype(np.int64)
    for cls in distinct(width_class).tolist():
        rows = np.flatnonzero(width_class == cls)
        lengths = events[rows]
        width = int(lengths.max())
        row_of = np.repeat(np.arange(len(rows)), lengths)
        column = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        source = np.repeat(first[rows], lengths) + column
        matrix = np.zeros((len(rows), width))
        matrix[row_of, column] = delta[source]
        running = np.cumsum(matrix, axis=1)
        running[np.arange(width) >= lengths[:, None]] = -np.inf
        peaks[rows] = running.max(axis=1)
    return peaks
