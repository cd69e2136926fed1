"""Distinct values and key rows: 1-D arrays sorted once, integer key tables packed into int64."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_PACKABLE = 1 << 62
# Key spaces up to this size, or this many times the key count, are marked in a table.
_TABLE_MIN = 1 << 16
_TABLE_PER_KEY = 4


def distinct(values: np.ndarray | Sequence) -> np.ndarray:
    """``np.unique(values)``: the sorted distinct values of an integer or string array.

    Plain ``np.unique`` asks ``numpy.ma`` whether its input is masked, and the first such
    question loads ``numpy.ma`` (~8 ms, serial time of every run); this sorts and keeps
    each value that differs from the one before it. NaNs, which ``np.unique`` merges, stay
    apart: keys are never NaN.
    """
    ordered = np.sort(np.asarray(values).ravel())
    if not len(ordered):
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def unique_rows(
    keys: np.ndarray, return_inverse: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, axis=0)`` for a 2-D integer table, in the same order.

    numpy compares whole rows as opaque bytes (~2 ms per 10,000 rows of three columns);
    rows of bounded integers pack into one int64 per row, which sorts about ten times
    faster. With ``return_inverse`` also each row's index into the distinct rows (1-D).
    """
    keys = np.asarray(keys)
    if keys.ndim != 2 or not np.issubdtype(keys.dtype, np.integer) or not len(keys):
        return _numpy_unique(keys, return_inverse)
    if return_inverse:
        rows, inverse = unique_columns(list(keys.T), return_inverse=True)
        return rows.astype(keys.dtype), inverse
    return unique_columns(list(keys.T)).astype(keys.dtype)


def unique_columns(
    columns: Sequence[np.ndarray], return_inverse: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``unique_rows`` of the int64 table with these columns, without building the table.

    Callers that hold keys as columns skip stacking them: for a million keys of three
    columns the stacked copies cost more than finding the distinct rows.
    """
    # Contiguous columns: reductions and arithmetic over strided rows run several times
    # slower, and an integer matrix product has no BLAS (~20 ms for a million keys).
    columns = [np.ascontiguousarray(column, dtype=np.int64) for column in columns]
    if not len(columns[0]):
        return _numpy_unique(np.stack(columns, axis=1), return_inverse)
    low = np.array([column.min() for column in columns])
    span = np.array([column.max() for column in columns]) - low + 1
    total = 1
    for width in span.tolist():
        total *= width
    if total >= _PACKABLE:
        return _numpy_unique(np.stack(columns, axis=1), return_inverse)
    # Last column varies fastest, so packed order is the rows' lexicographic order.
    stride = np.ones(len(span), dtype=np.int64)
    stride[:-1] = np.cumprod(span[::-1])[::-1][1:]
    packed = np.zeros(len(columns[0]), dtype=np.int64)
    for column, lowest, step in zip(columns, low.tolist(), stride.tolist(), strict=True):
        packed += (column - lowest) * step
    if total <= max(_TABLE_MIN, _TABLE_PER_KEY * len(packed)):
        distinct_keys, inverse = table_unique(packed, total)
    elif return_inverse:
        distinct_keys, inverse = np.unique(packed, return_inverse=True)
    else:
        distinct_keys = distinct(packed)
    rows = distinct_keys[:, None] // stride % span + low
    return (rows, inverse.ravel()) if return_inverse else rows


def table_unique(packed: np.ndarray, total: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of codes in ``[0, total)`` and each code's rank among them
    (``np.unique(packed, return_inverse=True)``), without a sort.

    Key tables are often long and their key space small (a 10M-row daily world spans ~1M
    (month, sub-account, service) keys over a few thousand triples): marking a table of
    every possible key is linear where sorting the keys is not.
    """
    present = np.zeros(total, dtype=bool)
    present[packed] = True
    rank = np.cumsum(present, dtype=np.int64) - 1
    return np.flatnonzero(present), rank[packed]


def _numpy_unique(keys: np.ndarray, return_inverse: bool):
    # With an inverse np.unique never asks numpy.ma (see distinct).
    rows, inverse = np.unique(keys, axis=0, return_inverse=True)
    return (rows, inverse.ravel()) if return_inverse else rows
