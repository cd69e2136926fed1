"""``from_numpy`` builds the Arrow arrays ``pa.array`` builds from the same numpy input."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from focusgen.engine.arrow import as_arrow
from focusgen.engine.fromnumpy import from_numpy

DTYPES = st.sampled_from(
    [np.int8, np.int32, np.int64, np.uint32, np.float32, np.float64, np.bool_, "M8[us]"]
)
ARRAYS = DTYPES.flatmap(
    lambda dtype: hnp.arrays(dtype, st.integers(0, 70), elements=_elements(np.dtype(dtype)))
)


def _elements(dtype: np.dtype):
    if dtype.kind == "M":
        return st.integers(0, 2**40).map(lambda us: np.datetime64(us, "us"))
    if dtype.kind == "f":
        return st.floats(allow_nan=True, width=dtype.itemsize * 8)
    return None


@settings(max_examples=200, deadline=None)
@given(ARRAYS, st.data())
def test_from_numpy_equals_pa_array(values, data):
    mask = data.draw(st.none() | hnp.arrays(np.bool_, len(values)))
    got = from_numpy(values, mask=mask)
    expected = pa.array(values, mask=mask)
    got.validate(full=True)
    assert got.type == expected.type
    assert got.null_count == expected.null_count
    # NaN != NaN: compare the values' bits where valid, and validity itself.
    assert got.is_valid().equals(expected.is_valid())
    assert got.to_pylist() == expected.to_pylist() or _same_bits(got, expected)


def _same_bits(a: pa.Array, b: pa.Array) -> bool:
    valid = np.asarray(a.is_valid())
    left = a.to_numpy(zero_copy_only=False)[valid]
    right = b.to_numpy(zero_copy_only=False)[valid]
    return left.tobytes() == right.tobytes()


def test_from_numpy_shares_the_buffer_and_reads_strided_input():
    values = np.arange(10, dtype=np.float64)
    assert from_numpy(values).buffers()[1].address == values.ctypes.data
    assert from_numpy(values[::3]).to_pylist() == [0.0, 3.0, 6.0, 9.0]


def test_from_numpy_casts_to_a_requested_type_safely():
    assert from_numpy(np.array([1, 2], dtype=np.int64), pa.int32()).type == pa.int32()
    assert from_numpy(np.array([1, 2]), pa.float64()).to_pylist() == [1.0, 2.0]
    with pytest.raises(pa.ArrowInvalid):
        from_numpy(np.array([2**40]), pa.int32())


@pytest.mark.parametrize("values", [np.array(["a"]), np.zeros((2, 2)), np.array([1j])])
def test_from_numpy_refuses_what_it_cannot_wrap(values):
    with pytest.raises(TypeError, match="1-D fixed-width"):
        from_numpy(values)


@pytest.mark.parametrize(
    "values",
    [
        np.array(["a", "bb", ""]),
        np.array(["x", None, "z"], dtype=object),
        np.array([1.5, -2.0]),
        np.array([3, 4], dtype=np.int32),
        np.array([True, False]),
    ],
)
def test_as_arrow_gives_what_pa_array_gives(values):
    assert as_arrow(values).equals(pa.array(values))  # Arrow's own conversion, numpy.ma and all
