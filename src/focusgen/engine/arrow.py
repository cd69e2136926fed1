"""Arrow column helpers: dictionary-encoded strings by index, nullable floats, UTC timestamps."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

STRING = pa.dictionary(pa.int32(), pa.string())
DECIMAL = pa.float64()
TIMESTAMP = pa.timestamp("us", tz="UTC")


def strings(values: np.ndarray | list[str]) -> pa.Array:
    """A plain Arrow string array from numpy/python strings."""
    return pa.array(np.asarray(values, dtype=object), type=pa.string())


def coded(
    indices: np.ndarray, dictionary: pa.Array, valid: np.ndarray | None = None
) -> pa.DictionaryArray:
    """A dictionary-encoded string column: ``dictionary[indices]``, null where not valid."""
    idx = pa.array(
        indices.astype(np.int32, copy=False),
        type=pa.int32(),
        mask=None if valid is None else ~valid,
    )
    return pa.DictionaryArray.from_arrays(idx, dictionary)


_ZEROS: dict[int, pa.Array] = {}


def _zeros(n: int) -> pa.Array:
    """Shared all-zero int32 indices (constant columns of a block reuse one buffer)."""
    if n not in _ZEROS:
        if len(_ZEROS) > 8:
            _ZEROS.clear()
        _ZEROS[n] = pa.array(np.zeros(n, dtype=np.int32), type=pa.int32())
    return _ZEROS[n]


def constant(value: str | None, n: int) -> pa.DictionaryArray:
    """A column holding one string (or null) on every row."""
    if value is None:
        return null_strings(n)
    return pa.DictionaryArray.from_arrays(_zeros(n), pa.array([value], type=pa.string()))


def constant_timestamps(micros: int, n: int) -> pa.Array:
    """A UTC timestamp column holding one instant on every row."""
    return pa.repeat(pa.scalar(int(micros), type=pa.int64()), n).view(TIMESTAMP)


def null_strings(n: int) -> pa.DictionaryArray:
    """An all-null dictionary-encoded string column."""
    idx = pa.nulls(n, type=pa.int32())
    return pa.DictionaryArray.from_arrays(idx, pa.array([], type=pa.string()))


def decimals(
    values: np.ndarray | float, n: int | None = None, valid: np.ndarray | None = None
) -> pa.Array:
    """A float64 column, null where not valid."""
    if n is not None and np.isscalar(values):
        values = np.full(n, values, dtype=np.float64)
    arr = np.asarray(values, dtype=np.float64)
    return pa.array(arr, type=DECIMAL, mask=None if valid is None else ~valid)


def null_decimals(n: int) -> pa.Array:
    """An all-null float64 column."""
    return pa.nulls(n, type=DECIMAL)


def timestamps(micros: np.ndarray) -> pa.Array:
    """A UTC timestamp column from int64 microseconds since the epoch."""
    return pa.array(micros.astype(np.int64, copy=False), type=pa.int64()).view(TIMESTAMP)
