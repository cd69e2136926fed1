"""The column-wise CSV writer: RFC 4180 text that reads back to the same values."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focusgen.sinks import csv_text

TEXT = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list('ab ,"\n\r{}:é$')), max_size=8),
)
FLOATS = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([0.0, -0.0, 1.0, 2.0, 0.1, 1e-7, 1e20, 123456789012.0, -3.0]),
)
TIMES = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=24 * 60).map(
        lambda hours: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
    ),
)


def render(table: pa.Table) -> str:
    text = csv_text.header_line(table.column_names) + b"".join(
        bytes(piece) for piece in csv_text.csv_slices(table)
    )
    return text.decode()


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def expected_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(TEXT, TEXT, FLOATS, FLOATS, TIMES, st.integers(-5, 5)), max_size=40),
    slice_rows=st.integers(min_value=1, max_value=7),
)
def test_every_value_reads_back(rows, slice_rows):
    names = ["Plain", "Coded", "Amount", "Copy", "When", "Count"]
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    table = pa.table(
        {
            "Plain": pa.array(columns[0], pa.string()),
            "Coded": pa.array(columns[1], pa.string()).dictionary_encode(),
            "Amount": pa.array(columns[2], pa.float64()),
            # Equal to Amount on some rows: those rows reuse Amount's rendered fields.
            "Copy": pa.array(
                [
                    a if i % 2 else b
                    for i, (a, b) in enumerate(zip(columns[2], columns[3], strict=True))
                ],
                pa.float64(),
            ),
            "When": pa.array(columns[4], pa.timestamp("us", tz="UTC")),
            "Count": pa.array(columns[5], pa.int64()),
        }
    )
    with pytest.MonkeyPatch.context() as patch:
        # Small slices and samples: several takes per table, both float paths.
        patch.setattr(csv_text, "SLICE_ROWS", slice_rows)
        patch.setattr(csv_text, "SAMPLE_ROWS", 3)
        lines = parse(render(table))
    assert lines[0] == names
    assert len(lines) == len(rows) + 1
    for got, source in zip(lines[1:], table.to_pylist(), strict=True):
        assert got[0] == expected_text(source["Plain"])
        assert got[1] == expected_text(source["Coded"])
        for field, name in ((got[2], "Amount"), (got[3], "Copy")):
            value = source[name]
            if value is None:
                assert field == ""
            else:
                assert float(field) == value and math.copysign(1, float(field)) == math.copysign(
                    1, value
                )
                assert any(mark in field for mark in ".en"), field  # decimals stay decimals
        assert got[4] == expected_text(source["When"])
        assert got[5] == str(source["Count"])


def test_nulls_are_empty_and_empty_strings_are_quoted():
    table = pa.table({"a": pa.array(["", None, "x"]), "b": pa.array([None, "", "y"])})
    text = render(table)
    assert text == 'a,b\n"",\n,""\nx,y\n'


def test_fields_needing_quotes_are_quoted_and_quotes_doubled():
    table = pa.table({"Tags": pa.array(['{"a":"b,c"}', "plain", "two\nlines"])})
    assert render(table) == 'Tags\n"{""a"":""b,c""}"\nplain\n"two\nlines"\n'


def test_whole_floats_keep_a_decimal_point():
    table = pa.table({"x": pa.array([1.0, 2.5, -0.0, 1e20, 100.0])})
    assert render(table).splitlines()[1:] == ["1.0", "2.5", "-0.0", "1e+20", "100.0"]


@pytest.mark.parametrize(
    "kind",
    [pa.list_(pa.string()), pa.struct([("a", pa.string())]), pa.dictionary(pa.int32(), pa.int64())],
)
def test_nested_and_odd_types_are_left_to_another_writer(kind):
    assert not csv_text.supported(pa.schema([("x", kind)]))
    assert csv_text.supported(pa.schema([("x", pa.dictionary(pa.int32(), pa.string()))]))


def test_header_names_are_quoted_like_fields():
    assert csv_text.header_line(["a,b", 'say "hi"', "plain"]) == b'"a,b","say ""hi""",plain\n'
