"""Fast distinct-key helpers agree with the numpy and Arrow results they replace."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from focusgen.providers.extensions import Coded
from focusgen.world.keys import distinct, unique_columns, unique_rows

# Small key spaces are marked in a table; wide ones (up to 10^6 per column) are sorted.
KEY_TABLES = st.tuples(st.integers(1, 4), st.sampled_from([40, 1_000_000])).flatmap(
    lambda shape: hnp.arrays(
        st.sampled_from([np.int32, np.int64]),
        st.tuples(st.integers(0, 60), st.just(shape[0])),
        elements=st.integers(-5, shape[1]),
    )
)


@settings(max_examples=150, deadline=None)
@given(KEY_TABLES)
def test_unique_rows_matches_numpy_rows_order_and_inverse(keys):
    rows, inverse = unique_rows(keys, return_inverse=True)
    expected, expected_inverse = np.unique(keys, axis=0, return_inverse=True)
    assert rows.dtype == keys.dtype
    np.testing.assert_array_equal(rows, expected)
    np.testing.assert_array_equal(inverse, expected_inverse.ravel())
    np.testing.assert_array_equal(unique_rows(keys), expected)
    if len(keys):  # the same rows from the table's columns
        np.testing.assert_array_equal(unique_columns(list(keys.T)), expected)
    if len(keys):
        np.testing.assert_array_equal(rows[inverse], keys)


def test_unique_rows_too_wide_to_pack_still_matches_numpy():
    big = np.iinfo(np.int64).max // 2
    keys = np.array([[big, 3, -big], [0, 1, 2], [big, 3, -big], [-big, 0, 0]], dtype=np.int64)
    rows, inverse = unique_rows(keys, return_inverse=True)
    np.testing.assert_array_equal(rows, np.unique(keys, axis=0))
    np.testing.assert_array_equal(rows[inverse], keys)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        hnp.arrays(
            st.sampled_from([np.int8, np.int32, np.int64, np.uint16]),
            st.integers(0, 60),
            elements=st.integers(0, 100),
        ),
        st.lists(st.integers(-(2**62), 2**62), max_size=40).map(np.array),
        st.lists(st.text(max_size=4), max_size=40).map(np.array),
        st.lists(st.sampled_from(["a", "b", None]), max_size=20).map(
            lambda v: np.array([x or "" for x in v], dtype=object)
        ),
    )
)
def test_distinct_matches_numpy_unique(values):
    got = distinct(values)
    expected = np.unique(values)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_distinct_flattens_and_takes_lists_like_numpy():
    table = np.array([[3, 1], [1, 2]])
    np.testing.assert_array_equal(distinct(table), [1, 2, 3])
    np.testing.assert_array_equal(distinct([5, 5, 4]), [4, 5])
    assert distinct(np.array([], dtype=np.int32)).dtype == np.int32


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=80))
def test_coded_of_keys_equals_coded_of_the_texts(keys):
    keys = np.array(keys, dtype=np.int64)
    texts = [f"value-{k}" for k in keys.tolist()]
    direct = Coded.of(pa.array(texts, type=pa.string()))
    formatted: list[int] = []

    def text_of(distinct):
        formatted.extend(distinct.tolist())
        return [f"value-{k}" for k in distinct.tolist()]

    by_key = Coded.of_keys(keys, text_of)
    assert by_key.dictionary.equals(direct.dictionary)
    np.testing.assert_array_equal(by_key.remap, direct.remap)
    assert sorted(formatted) == sorted(set(keys.tolist()))  # each distinct key once
