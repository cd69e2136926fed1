"""Distinct rows of small integer key tables, found by packing each row into one int64."""

from __future__ import annotations

import numpy as np

_PACKABLE = 1 << 62


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
    low = keys.min(axis=0).astype(np.int64)
    span = keys.max(axis=0).astype(np.int64) - low + 1
    total = 1
    for width in span.tolist():
        total *= width
    if total >= _PACKABLE:
        return _numpy_unique(keys, return_inverse)
    # Last column varies fastest, so packed order is the rows' lexicographic order.
    stride = np.ones(len(span), dtype=np.int64)
    stride[:-1] = np.cumprod(span[::-1])[::-1][1:]
    packed = (keys.astype(np.int64) - low) @ stride
    if return_inverse:
        distinct, inverse = np.unique(packed, return_inverse=True)
    else:
        distinct = np.unique(packed)
    rows = (distinct[:, None] // stride % span + low).astype(keys.dtype)
    return (rows, inverse.ravel()) if return_inverse else rows


def _numpy_unique(keys: np.ndarray, return_inverse: bool):
    if not return_inverse:
        return np.unique(keys, axis=0)
    rows, inverse = np.unique(keys, axis=0, return_inverse=True)
    return rows, inverse.ravel()
