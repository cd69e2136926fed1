"""Arrow column helpers: dictionary-encoded strings by index, nullable floats, UTC timestamps."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from focusgen.engine.fromnumpy import from_numpy

STRING = pa.dictionary(pa.int32(), pa.string())
DECIMAL = pa.float64()
TIMESTAMP = pa.timestamp("us", tz="UTC")


def strings(values: np.ndarray | list[str] | pa.Array) -> pa.Array:
    """A plain Arrow string array from numpy/python strings (Arrow text as it is)."""
    if isinstance(values, pa.Array):
        return values
    # Through Python strings, not pa.array(ndarray): that loads numpy.ma (see from_numpy),
    # and for fixed-width numpy strings it is no faster.
    values = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return pa.array(values, type=pa.string())


def as_arrow(values: np.ndarray) -> pa.Array:
    """An ndarray as Arrow: text through ``strings``, numbers and times through ``from_numpy``.

    Neither loads ``numpy.ma``, which ``pa.array(ndarray)`` does (see ``from_numpy``).
    """
    return strings(values) if values.dtype.kind in "UTO" else from_numpy(values)


def coded(
    indices: np.ndarray, dictionary: pa.Array, valid: np.ndarray | None = None
) -> pa.DictionaryArray:
    """A dictionary-encoded string column: ``dictionary[indices]``, null where not valid."""
    raw = indices.astype(np.int32, copy=False)
    if len(raw):
        # One numpy pass instead of Arrow's slower full validation: unmasked negatives show
        # up as huge unsigned values; masked rows may hold placeholders such as -1.
        top = raw.max() if valid is not None else raw.view(np.uint32).max()
        if top >= len(dictionary) and (valid is None or (valid & (raw >= len(dictionary))).any()):
            raise IndexError(f"dictionary index {top} out of range ({len(dictionary)} values)")
    idx = from_numpy(raw, mask=None if valid is None else ~valid)
    return pa.DictionaryArray.from_arrays(idx, dictionary, safe=False)


_SHARED: dict[tuple, pa.Array] = {}
# Lengths from which a cached set of arrays weighs megabytes (chunk-sized blocks).
_LARGE = 1 << 16


def _shared(n: int, kind: str, make) -> pa.Array:
    """Per-length arrays that every block of that length reuses (they are immutable).

    Chunks have different lengths, so a new large length evicts the arrays of the other
    large lengths: a chunk's ~10 MB of shared zeros, nulls and timestamps would otherwise
    stay cached (unused) beside the next chunks' own.
    """
    key = (n, kind)
    array = _SHARED.get(key)
    if array is None:
        if n >= _LARGE:
            release_shared(keep=n)
        if len(_SHARED) > 32:
            _SHARED.clear()
        array = _SHARED[key] = make()
    return array


def release_shared(keep: int | None = None) -> None:
    """Drop the cached arrays of chunk-sized lengths (but ``keep``'s).

    A chunk calls this before its own work: the previous chunk's arrays, still cached but
    used by no one once that chunk is written, would otherwise sit beside its transients.
    """
    for key in [k for k in _SHARED if k[0] >= _LARGE and k[0] != keep]:
        _SHARED.pop(key, None)


def release_chunk_memory() -> None:
    """Before a chunk: drop the previous chunk's cached arrays and let Arrow's allocator
    return the pages it freed (mimalloc keeps them for a second, long enough to sit under
    the next chunk's peak)."""
    release_shared()
    pa.default_memory_pool().release_unused()


def _zeros(n: int) -> pa.Array:
    """Shared all-zero int32 indices (constant columns of a block reuse one buffer)."""
    return _shared(n, "zeros", lambda: from_numpy(np.zeros(n, dtype=np.int32)))


def constant(value: str | None, n: int) -> pa.DictionaryArray:
    """A column holding one string (or null) on every row."""
    if value is None:
        return null_strings(n)
    # Index 0 into a one-value dictionary: valid by construction, no check needed.
    return pa.DictionaryArray.from_arrays(
        _zeros(n), pa.array([value], type=pa.string()), safe=False
    )


def constant_timestamps(micros: int, n: int) -> pa.Array:
    """A UTC timestamp column holding one instant on every row."""
    return _shared(
        n, f"ts{int(micros)}", lambda: pa.repeat(pa.scalar(int(micros), type=pa.int64()), n)
    ).view(TIMESTAMP)


def null_strings(n: int) -> pa.DictionaryArray:
    """An all-null dictionary-encoded string column."""
    return _shared(
        n,
        "null strings",
        lambda: pa.DictionaryArray.from_arrays(
            pa.nulls(n, type=pa.int32()), pa.array([], type=pa.string())
        ),
    )


def nulls(n: int, type: pa.DataType) -> pa.Array:
    """A shared all-null column of a primitive type."""
    return _shared(n, str(type), lambda: pa.nulls(n, type=type))


def decimals(
    values: np.ndarray | float, n: int | None = None, valid: np.ndarray | None = None
) -> pa.Array:
    """A float64 column, null where not valid."""
    if n is not None and np.isscalar(values):
        values = np.full(n, values, dtype=np.float64)
    arr = np.asarray(values, dtype=np.float64)
    return from_numpy(arr, mask=None if valid is None else ~valid)


def null_decimals(n: int) -> pa.Array:
    """An all-null float64 column."""
    return nulls(n, DECIMAL)


def timestamps(micros: np.ndarray) -> pa.Array:
    """A UTC timestamp column from int64 microseconds since the epoch."""
    return from_numpy(micros.astype(np.int64, copy=False)).view(TIMESTAMP)
