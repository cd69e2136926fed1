"""Numpy arrays as Arrow arrays without loading ``numpy.ma``."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from pyarrow import _compute


def from_numpy(
    values: np.ndarray, type: pa.DataType | None = None, mask: np.ndarray | None = None
) -> pa.Array:
    """``pa.array(values, type, mask=mask)`` for a 1-D numeric, boolean or datetime array.

    ``pa.array`` asks ``numpy.ma`` whether an ndarray is masked, and the first such
    question loads ``numpy.ma`` (~8 ms of every run's serial start). This wraps the values'
    buffer as ``pa.array`` does (no copy; booleans are packed into bits).
    """
    values = np.ascontiguousarray(values)
    if values.ndim != 1 or values.dtype.kind not in "biufmM":
        raise TypeError(f"from_numpy takes a 1-D fixed-width array, not {values.dtype}")
    native = pa.from_numpy_dtype(values.dtype)
    if values.dtype.kind == "b":
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
    else:
        data = pa.py_buffer(values)
    validity, null_count = None, 0
    if mask is not None:
        valid = ~np.asarray(mask, dtype=bool)
        null_count = len(valid) - int(np.count_nonzero(valid))
        if null_count:
            validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    array = pa.Array.from_buffers(native, len(values), [validity, data], null_count=null_count)
    if type is not None and type != native:
        array = _compute.call_function("cast", [array], _compute.CastOptions.safe(type))
    return array
